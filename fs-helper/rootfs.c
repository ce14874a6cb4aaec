/*
 * rootfs.c: a container's root filesystem.
 *
 * Image layers are stored once, owned by container ids (0 = root), and
 * shared by every container.  For one container we clone each layer as
 * an idmapped mount that shifts those ids into the container's own host
 * range, and hand the container a detached tree: its upper and work dirs
 * and the layers beneath.  The container stacks them with overlayfs in its
 * own namespaces; nothing of it ever appears in the host's mount table,
 * and nothing is left to unmount when the container dies.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "fs.h"

static int
cell_dir(const char *id)
{
	char	path[128];

	snprintf(path, sizeof(path), "containers/%s", id);
	return openat(fs_store(), path, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
}

/* mkdir name in dfd owned by uid, refusing anything that isn't a dir. */
static int
mkdir_owned(int dfd, const char *name, uid_t uid, mode_t mode)
{
	struct stat	st;

	if (mkdirat(dfd, name, mode) == -1 && errno != EEXIST)
		return -1;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	/* the mode exactly, whatever umask celld was started with */
	if (fchownat(dfd, name, uid, uid, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	return fchmodat(dfd, name, mode, 0);
}

/*
 * Clone layer idx as a read-only mount idmapped through userns and
 * attach it at lower/idx: the dir is made in celldir, the mount goes on
 * that dir as seen through tofd (celldir itself, or a detached clone of
 * it).
 */
int
layer_attach(int celldir, int tofd, const char *digest, int idx,
    int usernsfd)
{
	struct mount_attr	 attr;
	char			 path[128], name[16];
	int			 fd, r = -1, saved;

	snprintf(path, sizeof(path), "layers/sha256/%s", digest);
	fd = open_tree(fs_store(), path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	    AT_SYMLINK_NOFOLLOW);
	if (fd == -1)
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY |
	    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID;
	attr.userns_fd = usernsfd;
	snprintf(name, sizeof(name), "lower/%d", idx);
	if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) == -1 ||
	    (mkdirat(celldir, name, 0700) == -1 && errno != EEXIST) ||
	    move_mount(fd, "", tofd, name, MOVE_MOUNT_F_EMPTY_PATH) == -1)
		goto done;
	r = 0;
done:
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

void
layers_detach(uint32_t n)
{
	char		name[32];
	uint32_t	i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "lower/%u", i);
		/* our own private mount namespace: see fs.c */
		if (umount2(name, MNT_DETACH) == -1 && errno != EINVAL &&
		    errno != ENOENT)
			log_warn("%s: detach", name);
		/* the dir stays: the container's clone is mounted on it */
	}
}

/* No propagation into or out of what we hand to a container. */
static int
tree_private(int fd)
{
	struct mount_attr	ma;

	memset(&ma, 0, sizeof(ma));
	ma.propagation = MS_PRIVATE;
	return mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma,
	    sizeof(ma));
}

static void
layer_warn(const struct msg_fs_rootfs *req, uint32_t i)
{
	int	saved = errno;

	log_warn("%s: layer %s", req->id, req->layers[i]);
	/* mount_setattr's answer for a file system it can't idmap */
	if (saved == EINVAL)
		log_warnx("%s: can the storage file system take idmapped "
		    "mounts? (tmpfs: Linux 6.3 or later)", req->id);
	errno = saved;
}

/*
 * The tree to hand over, built detached: a clone of dfd with the layers
 * mounted straight onto it, so nothing of it is ever in our own mount
 * table and nothing is left for us to unmount (each umount waits out an
 * RCU grace period).  Linux before 6.15 mounts nothing on a detached
 * mount; there (EINVAL from the first layer's move_mount) the layers go
 * on dfd in our namespace, the tree is cloned from there, and
 * rootfs_finish() detaches ours after the answer: *attached says how
 * many.
 */
static int
rootfs_tree(int dfd, const struct msg_fs_rootfs *req, int usernsfd,
    uint32_t *attached)
{
	uint32_t	i;
	int		tfd, fl = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			    AT_EMPTY_PATH;

	*attached = 0;
	if ((tfd = open_tree(dfd, "", fl)) == -1)
		return -1;
	for (i = 0; i < req->nlayers; i++)
		if (layer_attach(dfd, tfd, req->layers[i], i, usernsfd) == -1)
			break;
	if (i == req->nlayers)
		return tfd;
	close(tfd);
	if (i > 0 || errno != EINVAL) {
		layer_warn(req, i);
		return -1;
	}
	for (i = 0; i < req->nlayers; i++) {
		*attached = i + 1;
		if (layer_attach(dfd, dfd, req->layers[i], i, usernsfd) ==
		    -1) {
			layer_warn(req, i);
			return -1;
		}
	}
	return open_tree(dfd, "", fl | AT_RECURSIVE);
}

/*
 * Build the tree of req->id that the container mounts its overlay from,
 * and return it as a detached mount fd: the container's dir (upper, work)
 * with each layer beneath it at lower/N as a read-only clone idmapped
 * through usernsfd, so container root owns the image's root-owned files.
 * The overlay itself is mounted by the container, inside its own user
 * namespace: its copy-ups then run with the container's credentials, not
 * ours, and we never make a file system instance of any kind (no fsopen,
 * no mount(2): see fs.c).  With a disk (req->disk, --storage-opt size)
 * the same dirs are made on the container's own ext4 file system instead
 * (made and mounted by our children, disk.c), attached at "disk" for as
 * long as we build, and the tree handed over is that file system's root.
 */
int
rootfs_make(const struct msg_fs_rootfs *req, int usernsfd,
    struct rootfs_done *rd)
{
	int	 dfd, rfd = -1, tfd = -1, saved;

	rd->dfd = rd->rfd = -1;
	rd->nlayers = 0;
	if ((dfd = cell_dir(req->id)) == -1)
		return -1;
	/*
	 * Only the container's root group may pass through its dir (to its
	 * upper, work and layers); no other user of the host can read what
	 * the container writes.
	 */
	if (fchown(dfd, -1, req->uid_base) == -1 || fchmod(dfd, 0710) == -1)
		goto done;
	/* with a disk quota, all of it is on the container's own ext4 */
	if (req->disk != 0) {
		disk_detach(dfd);	/* nothing of ours left there */
		if (disk_attach(dfd, req) == -1)
			goto done;
		rfd = openat(dfd, "disk", O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
	} else	/* fcntl: dup is not in our table */
		rfd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
	if (rfd == -1 || mkdir_owned(rfd, "upper", req->uid_base,
	    0755) == -1 || mkdir_owned(rfd, "work", req->uid_base,
	    0700) == -1 || mkdir_owned(rfd, "lower", 0, 0755) == -1)
		goto done;
	tfd = rootfs_tree(rfd, req, usernsfd, &rd->nlayers);
	if (tfd == -1)
		log_warn("%s: clone tree", req->id);
	else if (tree_private(tfd) == -1) {
		log_warn("%s: private tree", req->id);
		close(tfd);
		tfd = -1;
	}
done:
	saved = errno;
	rd->dfd = dfd;
	rd->rfd = rfd;
	rd->disk = req->disk != 0;
	if (tfd == -1)
		rootfs_finish(rd);
	errno = saved;
	return tfd;
}

/*
 * What rootfs_make() leaves for after the answer: our own layer mounts,
 * on a kernel that made us attach them (rootfs_tree(); the tree handed
 * over has its clones), and the disk's.  Each umount waits out an RCU
 * grace period, so the answer goes first.
 */
void
rootfs_finish(struct rootfs_done *rd)
{
	if (rd->dfd == -1)
		return;
	if (rd->rfd != -1 && fchdir(rd->rfd) == 0)
		layers_detach(rd->nlayers);
	if (chdir("/") == -1)
		log_warn("chdir /");
	if (rd->rfd != -1)
		close(rd->rfd);
	if (rd->disk)
		disk_detach(rd->dfd);
	close(rd->dfd);
	rd->dfd = rd->rfd = -1;
}

/* Remove name in dfd and everything under it, following no symlink. */
int
rmtree(int dfd, const char *name, int depth)
{
	DIR		*d;
	struct dirent	*de;
	int		 fd, r = 0;

	if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	if (depth > 4096) {
		errno = ELOOP;
		return -1;
	}
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (rmtree(dirfd(d), de->d_name, depth + 1) == -1)
			r = -1;
	}
	closedir(d);
	if (unlinkat(dfd, name, AT_REMOVEDIR) == -1 && errno != ENOENT)
		r = -1;
	return r;
}

/*
 * What fs-helper made for a container: its upper, work and lower dirs,
 * or its disk image and the dir it was mounted on.
 */
int
rootfs_remove(const char *id)
{
	const char	*sub[] = { "upper", "work", "lower", "disk",
	    "disk.img", "disk.img.tmp" };
	size_t		 i;
	int		 dfd, r = 0;

	if ((dfd = cell_dir(id)) == -1)
		return errno == ENOENT ? 0 : -1;
	for (i = 0; i < nitems(sub); i++)
		if (rmtree(dfd, sub[i], 0) == -1) {
			log_warn("%s: remove %s", id, sub[i]);
			r = -1;
		}
	close(dfd);
	return r;
}
