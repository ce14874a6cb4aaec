/*
 * overlay.c: the container's root file system, mounted by the container
 * itself.  fs-helper hands C a detached tree: its upper and work dirs and
 * the image layers beneath at lower/0..N-1, idmapped into C's id range.
 * C stacks them with overlayfs inside its own user namespace ("userxattr"),
 * so copy-ups run with the container's credentials and the kernel treats
 * the mount as the unprivileged mount it is.  overlayfs takes its layers
 * by path, and a path needs an attached mount: the tree goes on the host's
 * /dev in our private copy of the host's mounts, out of the way of the
 * rootfs stacked on "/" (mounts.c), and leaves with the old root.
 */
#include <sys/mount.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "init.h"

#define OVL_MAXLAYERS	64

static int
ovl_count(int treefd)
{
	char	name[32];
	int	n;

	for (n = 0; n < OVL_MAXLAYERS; n++) {
		snprintf(name, sizeof(name), "lower/%d", n);
		if (faccessat(treefd, name, F_OK, AT_SYMLINK_NOFOLLOW) == -1)
			break;
	}
	return n;
}

/* Layer paths through our fd on the attached tree: top layer first. */
static int
ovl_lowerdir(int treefd, int n, char *buf, size_t len)
{
	char	one[64];
	int	i;

	buf[0] = '\0';
	for (i = n - 1; i >= 0; i--) {
		snprintf(one, sizeof(one), "%s/proc/self/fd/%d/lower/%d",
		    i == n - 1 ? "" : ":", treefd, i);
		if (strlcat(buf, one, len) >= len) {
			errno = ENAMETOOLONG;
			return -1;
		}
	}
	return 0;
}

static int
ovl_mount(int treefd, const char *lower)
{
	char	path[64];
	int	fsfd, mfd = -1;

	if ((fsfd = fsopen("overlay", FSOPEN_CLOEXEC)) == -1)
		return -1;
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir", lower, 0) == -1)
		goto done;
	snprintf(path, sizeof(path), "/proc/self/fd/%d/upper", treefd);
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "upperdir", path, 0) == -1)
		goto done;
	snprintf(path, sizeof(path), "/proc/self/fd/%d/work", treefd);
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "workdir", path, 0) == -1 ||
	    fsconfig(fsfd, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) == -1 ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == -1)
		goto done;
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV);
done:
	close(fsfd);
	return mfd;
}

/*
 * Clone names[i] of the attached tree into fds[i] (-1 if it is not there;
 * only a mount of our namespace can be cloned, hence here).
 */
static int
ovl_clone_files(int treefd, const char *const *names, int *fds)
{
	for (; *names != NULL; names++, fds++) {
		*fds = open_tree(treefd, *names, OPEN_TREE_CLONE |
		    OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
		if (*fds == -1 && errno != ENOENT)
			return -1;
	}
	return 0;
}

/*
 * Attach the tree on the host's /dev in our private copy of the host's
 * mounts (mnt_setup() has made them private and opened what it needs of
 * /dev already), clone the files of it named in names (NULL-terminated)
 * into fds, and make the overlay from it as a detached mount.  The tree
 * stays attached beneath the old root, which mnt_pivot() detaches with
 * everything under it: one umount, so one RCU grace period, for both.
 * Returns the overlay's fd, or -1 with err set.
 */
int
cell_overlay(int treefd, const char *const *names, int *fds, char *err,
    size_t errlen)
{
	char	lower[OVL_MAXLAYERS * 40];
	int	devfd, n, ofd;

	devfd = open("/dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (devfd == -1)
		return init_fail(err, errlen, "open /dev");
	n = move_mount(treefd, "", devfd, "", MOVE_MOUNT_F_EMPTY_PATH |
	    MOVE_MOUNT_T_EMPTY_PATH);
	close(devfd);
	if (n == -1)
		return init_fail(err, errlen, "attach layers");
	if (ovl_clone_files(treefd, names, fds) == -1)
		return init_fail(err, errlen, "rootfs: /etc files");
	if ((n = ovl_count(treefd)) == 0)
		return init_failx(err, errlen, "rootfs: no layers");
	if (ovl_lowerdir(treefd, n, lower, sizeof(lower)) == -1)
		return init_fail(err, errlen, "rootfs: layers");
	if ((ofd = ovl_mount(treefd, lower)) == -1)
		return init_fail(err, errlen, "mount overlay");
	close(treefd);
	return ofd;
}
