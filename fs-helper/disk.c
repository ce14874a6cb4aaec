/*
 * disk.c: a container's disk quota (--storage-opt size, max disk).
 *
 * The storage may sit on any file system, ext4 without project quotas
 * included, so a quota is a file system of its own: an ext4 image of the
 * asked size, a sparse file containers/<id>/disk.img made by mke2fs (see
 * mkfs.c), attached to a loop device with LO_FLAGS_AUTOCLEAR and mounted
 * nosuid,nodev by the mounter (diskmnt.c), which hands us the mount; we
 * attach it at containers/<id>/disk in our own namespace.  rootfs.c
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
#include <sys/mount.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"

/* Before the drop and the jail: the formatter and the mounter. */
void
disk_setup(int argc, char **argv)
{
	fsenv.mkfs = mkfs_start(argc, argv);
	fsenv.mnt = diskmnt_start(argc, argv);
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
	int	imgfd, mfd = -1, r = -1, saved;

	if ((imgfd = disk_image(dfd, req)) == -1)
		return -1;
	if ((mfd = diskmnt_mount(fsenv.mnt, imgfd, req->id)) == -1) {
		log_warn("%.12s: mount disk", req->id);
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
