/*
 * stage.c: where image layers are born.
 *
 * An image load gets a staging dir, layers/tmp/<id>, owned by 0 on disk,
 * and hands the unpacker an idmapped clone of it through the unpacker's
 * user namespace: its uid 0 writes files owned by 0 on disk, as layers
 * must be (rootfs.c shifts them per container).  When the parent has
 * checked the unpacker's report, each staged layer dir is renamed into
 * layers/sha256/<digest>, never over an existing one: the first complete
 * copy of a digest stays, later ones are dropped with their staging dir.
 * A rename is atomic, so a layer is in the store whole or not at all;
 * what a killed load leaves in layers/tmp is removed at our next start.
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"

static int
mkdir_store(const char *path, mode_t mode)
{
	if (mkdirat(fs_store(), path, mode) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

/* The staging dir of id, and an idmapped mount of it for the unpacker. */
int
stage_make(const char *id, int usernsfd)
{
	struct mount_attr	 attr;
	char			 path[128];
	int			 fd;

	if (mkdir_store("layers/sha256", 0755) == -1 ||
	    mkdir_store("layers/tmp", 0700) == -1)
		return -1;
	snprintf(path, sizeof(path), "layers/tmp/%s", id);
	if (mkdirat(fs_store(), path, 0700) == -1)
		return -1;	/* EEXIST too: a staging id is used once */
	if (fchownat(fs_store(), path, 0, 0, AT_SYMLINK_NOFOLLOW) == -1)
		goto fail;
	fd = open_tree(fs_store(), path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	    AT_SYMLINK_NOFOLLOW);
	if (fd == -1)
		goto fail;
	memset(&attr, 0, sizeof(attr));
	attr.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_NODEV |
	    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC;
	attr.userns_fd = usernsfd;
	if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) == 0)
		return fd;
	close(fd);
fail:
	stage_remove(id);
	return -1;
}

/*
 * save: layers/tmp/<id> with each layer of the image beneath at lower/N,
 * read-only and idmapped through the unpacker's namespace, as a detached
 * tree (rootfs.c's layer clones, without upper or work dirs).  The dir
 * itself is 0755 and not idmapped: the unpacker only walks through it.
 */
int
stage_save_tree(const struct msg_fs_rootfs *req, int usernsfd)
{
	char		 path[128];
	uint32_t	 i;
	int		 dfd, tfd = -1, saved;

	if (mkdir_store("layers/tmp", 0700) == -1)
		return -1;
	snprintf(path, sizeof(path), "layers/tmp/%s", req->id);
	if (mkdirat(fs_store(), path, 0755) == -1)
		return -1;
	if ((dfd = openat(fs_store(), path, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1)
		goto fail;
	if (fchmod(dfd, 0755) == -1 || mkdirat(dfd, "lower", 0755) == -1 ||
	    fchmodat(dfd, "lower", 0755, 0) == -1)
		goto out;
	for (i = 0; i < req->nlayers; i++)
		if (layer_attach(dfd, dfd, req->layers[i], i, usernsfd) == -1)
			goto out;
	tfd = open_tree(dfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	    AT_RECURSIVE | AT_EMPTY_PATH);
out:
	saved = errno;
	if (fchdir(dfd) == 0)
		layers_detach(req->nlayers);
	if (chdir("/") == -1)
		log_warn("chdir /");
	close(dfd);
	if (tfd != -1)
		return tfd;
	errno = saved;
fail:
	saved = errno;
	stage_remove(req->id);
	errno = saved;
	return -1;
}

/* layers/tmp/<id>/layers/<digest> -> layers/sha256/<digest>. */
int
stage_commit(const char *id, const char *digest)
{
	struct stat	st;
	char		src[256], dst[128];
	int		fd;

	snprintf(src, sizeof(src), "layers/tmp/%s/layers/%s", id, digest);
	snprintf(dst, sizeof(dst), "layers/sha256/%s", digest);
	if ((fd = openat(fs_store(), src, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;	/* ENOENT: the unpacker claimed, didn't make */
	/* the layer's root: as a container's / should be, whatever it said */
	if (fstat(fd, &st) == -1 || fchown(fd, 0, 0) == -1 ||
	    fchmod(fd, 0755) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	if (renameat2(fs_store(), src, fs_store(), dst, RENAME_NOREPLACE) ==
	    -1 && errno != EEXIST)
		return -1;
	return 0;
}

int
stage_remove(const char *id)
{
	char	path[128];

	snprintf(path, sizeof(path), "layers/tmp/%s", id);
	return rmtree(fs_store(), path, 0);
}

/*
 * prune: the parent says no image and no container uses it.  Renamed out
 * of the store first, so it disappears at once, whole, then removed.
 */
int
stage_layer_rm(const char *digest)
{
	char	src[128], dst[128];

	snprintf(src, sizeof(src), "layers/sha256/%s", digest);
	snprintf(dst, sizeof(dst), "layers/tmp/rm-%s", digest);
	if (mkdir_store("layers/tmp", 0700) == -1 ||
	    rmtree(fs_store(), dst, 0) == -1)
		return -1;
	/* NOREPLACE: glibc makes flags 0 a renameat(2), not in our table */
	if (renameat2(fs_store(), src, fs_store(), dst, RENAME_NOREPLACE) ==
	    -1)
		return errno == ENOENT ? 0 : -1;
	return rmtree(fs_store(), dst, 0);
}

/* At start: whatever killed loads and prunes left behind. */
void
stage_gc(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 fd;

	if ((fd = openat(fs_store(), "layers/tmp", O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (rmtree(dirfd(d), de->d_name, 0) == -1)
			log_warn("layers/tmp/%s: remove", de->d_name);
		else
			log_info("layers/tmp/%s: removed, left by a killed "
			    "load", de->d_name);
	}
	closedir(d);
}
