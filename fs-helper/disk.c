/*
 * disk.c: a container's disk quota (--storage-opt size, max disk).
 *
 * The storage may sit on any file system, ext4 without project quotas
 * included, so a quota is a file system of its own: an ext4 image of the
 * asked size, a sparse file containers/<id>/disk.img made by mke2fs (see
 * mkfs.c), attached to a loop device with LO_FLAGS_AUTOCLEAR and mounted
 * nosuid,nodev at containers/<id>/disk in our own namespace.  rootfs.c
 * builds the container's upper, work and layer dirs on it, clones that
 * tree for the container and detaches ours at once: from then on only
 * the container's overlay holds the ext4 mount, its end unmounts it, and
 * the last close of the loop device frees it.  Nothing of it shows in the
 * host's mount table, and rm leaves no loop device behind.
 *
 * Only the kernel (through the loop device) and mke2fs ever write the
 * image; we never read it.  The container never gets the image file or
 * the loop device: it sees files in its overlay, nothing else.
 */
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/loop.h>

#include <bsd/string.h>

#include "fs.h"

#define LOOP_MAJOR_NR	7

/* Before the drop and the jail: what the jail would hide from us. */
void
disk_setup(void)
{
	fsenv.mkfs = mkfs_start();
	/*
	 * /dev/loop-control hands out free loop devices; the loop devices
	 * themselves are reached through /dev, which we keep as an O_PATH
	 * fd and open nothing in but "loop<N>" block devices of major 7.
	 */
	if ((fsenv.loopctl = open("/dev/loop-control", O_RDWR |
	    O_CLOEXEC)) == -1)
		log_warn("disk: /dev/loop-control");
	if ((fsenv.devfd = open("/dev", O_PATH | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		log_warn("disk: /dev");
}

/* Open loop device n, refusing anything in /dev that isn't one. */
static int
loop_open(int n)
{
	struct stat	st;
	char		name[32];
	int		fd;

	snprintf(name, sizeof(name), "loop%d", n);
	fd = openat(fsenv.devfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISBLK(st.st_mode) ||
	    major(st.st_rdev) != LOOP_MAJOR_NR) {
		close(fd);
		errno = ENODEV;
		return -1;
	}
	return fd;
}

/* A free loop device bound to imgfd; its number in *np, its fd back. */
static int
loop_attach(int imgfd, const char *id, int *np)
{
	struct loop_config	cfg;
	int			n, fd, tries;

	if (fsenv.loopctl == -1 || fsenv.devfd == -1) {
		errno = ENODEV;
		return -1;
	}
	/* another process may take the free device before we bind it */
	for (tries = 0; tries < 16; tries++) {
		if ((n = ioctl(fsenv.loopctl, LOOP_CTL_GET_FREE)) == -1)
			return -1;
		if ((fd = loop_open(n)) == -1)
			return -1;
		memset(&cfg, 0, sizeof(cfg));
		cfg.fd = imgfd;
		cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
		snprintf((char *)cfg.info.lo_file_name,
		    sizeof(cfg.info.lo_file_name), "celld:%.12s", id);
		if (ioctl(fd, LOOP_CONFIGURE, &cfg) == 0) {
			*np = n;
			return fd;
		}
		close(fd);
		if (errno != EBUSY)
			return -1;
	}
	errno = EBUSY;
	return -1;
}

/*
 * ext4 on loop device n, as a detached mount.  The kernel looks the
 * source up by path, and the jail has no /dev: a path relative to our
 * /dev fd, as our cwd, is one it can resolve.
 */
static int
disk_fsmount(int n)
{
	char	src[32];
	int	fsfd, mfd = -1, saved;

	snprintf(src, sizeof(src), "loop%d", n);
	if ((fsfd = fsopen("ext4", FSOPEN_CLOEXEC)) == -1)
		return -1;
	if (fchdir(fsenv.devfd) == -1)
		goto done;
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source", src, 0) == 0 &&
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID |
		    MOUNT_ATTR_NODEV);
done:
	saved = errno;
	if (chdir("/") == -1)
		log_warn("chdir /");
	close(fsfd);
	errno = saved;
	return mfd;
}

/* disk.img of size bytes in dfd, made by mke2fs on first use. */
static int
disk_image(int dfd, const struct msg_fs_rootfs *req)
{
	struct stat	st;
	int		fd;

	fd = openat(dfd, "disk.img", O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT) {
		/* a half-made image from a crash is made again */
		if (unlinkat(dfd, "disk.img.tmp", 0) == -1 && errno != ENOENT)
			return -1;
		fd = openat(dfd, "disk.img.tmp", O_RDWR | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd == -1)
			return -1;
		if (ftruncate(fd, req->disk) == -1 ||
		    mkfs_format(fsenv.mkfs, fd, req->uid_base) == -1 ||
		    renameat2(dfd, "disk.img.tmp", dfd, "disk.img",
		    RENAME_NOREPLACE) == -1) {
			log_warn("%.12s: make disk image (mke2fs)", req->id);
			close(fd);
			unlinkat(dfd, "disk.img.tmp", 0);
			return -1;
		}
	} else if (fd == -1)
		return -1;
	/* ours, and the size the parent asked for when it was made */
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || st.st_nlink != 1 ||
	    st.st_size != req->disk) {
		log_warnx("%.12s: disk.img is not the image we made",
		    req->id);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/*
 * Mount the container's disk at "disk" in dfd (made if need be).  The
 * caller builds on it and detaches it with disk_detach().
 */
int
disk_attach(int dfd, const struct msg_fs_rootfs *req)
{
	int	imgfd, loopfd = -1, mfd = -1, n, r = -1, saved;

	if ((imgfd = disk_image(dfd, req)) == -1)
		return -1;
	if ((loopfd = loop_attach(imgfd, req->id, &n)) == -1) {
		log_warn("%.12s: loop device", req->id);
		goto done;
	}
	if ((mfd = disk_fsmount(n)) == -1) {
		log_warn("%.12s: mount loop%d", req->id, n);
		goto done;
	}
	if ((mkdirat(dfd, "disk", 0700) == -1 && errno != EEXIST) ||
	    move_mount(mfd, "", dfd, "disk", MOVE_MOUNT_F_EMPTY_PATH) == -1) {
		log_warn("%.12s: attach disk", req->id);
		goto done;
	}
	r = 0;
done:
	saved = errno;
	if (mfd != -1)
		close(mfd);
	/* autoclear: once the mount (if any) lets go, the device is free */
	if (loopfd != -1)
		close(loopfd);
	close(imgfd);
	errno = saved;
	return r;
}

/* Our own mount of the disk, and the layers on it, go; a clone stays. */
void
disk_detach(int dfd)
{
	if (fchdir(dfd) == -1)
		return;
	if (umount2("disk", MNT_DETACH) == -1 && errno != EINVAL &&
	    errno != ENOENT)
		log_warn("disk: detach");
	if (chdir("/") == -1)
		log_warn("chdir /");
}
