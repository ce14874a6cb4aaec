/*
 * diskmnt.c: the disk mounter, "celld: fs-mounter", fs-helper's child.
 *
 * Mounting ext4 from a loop device takes CAP_SYS_ADMIN in the host's
 * user namespace, a file system instance of our making (fsopen), and
 * the loop devices in /dev.  fs-helper has none of the last two: its
 * jail has no /dev, and its table has no fsopen, so that a compromised
 * fs-helper can neither make a proc or sysfs to climb out through nor
 * write to a raw disk.  So before fs-helper's drop it forks M, which
 * reduces itself to the table below and does one thing on request: bind
 * the image fd it is sent (a regular file) to a free loop device with
 * LO_FLAGS_AUTOCLEAR, make an ext4 instance on it, and send back the
 * detached mount (nosuid, nodev).  It can't attach a mount anywhere (no
 * mount, move_mount or open_tree), exec or open a socket, and Landlock
 * keeps it to /dev.  fs-helper attaches the mount in its own namespace.
 */
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/loop.h>

#include <bsd/string.h>
#include <bsd/unistd.h>

#include "fs.h"

#define LOOP_MAJOR_NR	7

static const int mnt_syscalls[] = {
	SBX_BASE,
	/* loop devices: openat in /dev, ioctl narrowed below */
	SCMP_SYS(openat),
	/* an ext4 instance as a detached mount, nothing attached */
	SCMP_SYS(fsopen), SCMP_SYS(fsconfig), SCMP_SYS(fsmount),
	-1	/* left out on purpose: mount, move_mount, open_tree,
		 * umount2, execve, ptrace, socket, setuid, bpf, keyctl */
};

static const struct sbx_arg mnt_args[] = {
	{ SCMP_SYS(ioctl), 1, LOOP_CTL_GET_FREE },	/* a free device */
	{ SCMP_SYS(ioctl), 1, LOOP_CONFIGURE },		/* bind the image */
	{ -1, 0, 0 }
};

static const struct sbx_path mnt_paths[] = {
	/* the loop devices and loop-control; SBX_DEV for their ioctls */
	{ "/dev", SBX_R | SBX_W | SBX_DEV },
	{ NULL, 0 }
};

static const struct proc_privs mnt_privs = {
	.title = "fs-mounter",
	.user = CELLD_FS_USER,		/* fs-helper's: it is its child */
	.caps = (const int []){
		CAP_SYS_ADMIN,		/* LOOP_CONFIGURE, mount ext4 */
		CAP_DAC_OVERRIDE,	/* /dev/loop*: root:disk 0660 */
		-1
	},
	.nnp = 1,
	.syscalls = mnt_syscalls,
	.argrules = mnt_args,
	.landlock = 1,
	.paths = mnt_paths,
};

struct mnt_req {
	uint32_t	seq;
	char		id[16];		/* for lo_file_name */
};

struct mnt_rep {
	uint32_t	seq;
	int32_t		err;		/* 0: a mount fd comes with it */
};

/* Open loop device n, refusing anything that isn't one. */
static int
loop_open(int n)
{
	struct stat	st;
	char		path[32];
	int		fd;

	snprintf(path, sizeof(path), "/dev/loop%d", n);
	if ((fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) == -1)
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
loop_attach(int ctl, int imgfd, const char *id, int *np)
{
	struct loop_config	cfg;
	int			n, fd, tries;

	/* another process may take the free device before we bind it */
	for (tries = 0; tries < 16; tries++) {
		if ((n = ioctl(ctl, LOOP_CTL_GET_FREE)) == -1)
			return -1;
		if ((fd = loop_open(n)) == -1)
			return -1;
		memset(&cfg, 0, sizeof(cfg));
		cfg.fd = imgfd;
		cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
		snprintf((char *)cfg.info.lo_file_name,
		    sizeof(cfg.info.lo_file_name), "celld:%s", id);
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

/* ext4 on loop device n, as a detached mount fd. */
static int
mnt_ext4(int n)
{
	char	src[32];
	int	fsfd, mfd = -1, saved;

	snprintf(src, sizeof(src), "/dev/loop%d", n);
	if ((fsfd = fsopen("ext4", FSOPEN_CLOEXEC)) == -1)
		return -1;
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source", src, 0) == 0 &&
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID |
		    MOUNT_ATTR_NODEV);
	saved = errno;
	close(fsfd);
	errno = saved;
	return mfd;
}

/* One request: the mount fd of imgfd's file system, or -1. */
static int
mnt_one(int ctl, int imgfd, const char *id)
{
	struct stat	st;
	int		loopfd, mfd, n, saved;

	/* fs-helper's new image: a regular file, never a device */
	if (fstat(imgfd, &st) == -1 || !S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	if ((loopfd = loop_attach(ctl, imgfd, id, &n)) == -1)
		return -1;
	mfd = mnt_ext4(n);
	saved = errno;
	/* autoclear: once the mount (if any) lets go, the device is free */
	close(loopfd);
	errno = saved;
	return mfd;
}

static void __attribute__((noreturn))
mnt_loop(int sock, int ctl)
{
	struct mnt_req	 req;
	struct mnt_rep	 rep;
	int		 fd, mfd;

	for (;;) {
		if (fd_recv(sock, &req, sizeof(req), &fd) == -1)
			_exit(0);	/* fs-helper is gone, or broke */
		req.id[sizeof(req.id) - 1] = '\0';
		if (!msg_str_ok(req.id, sizeof(req.id)))
			req.id[0] = '\0';
		mfd = fd == -1 ? (errno = EBADF, -1) : mnt_one(ctl, fd, req.id);
		if (fd != -1)
			close(fd);
		rep.seq = req.seq;
		rep.err = mfd == -1 ? errno : 0;
		if (fd_send(sock, &rep, sizeof(rep), mfd) == -1)
			_exit(0);
		if (mfd != -1)
			close(mfd);
	}
}

/* Before fs-helper's drop: fork M; fs-helper's end of its socket, or -1. */
int
diskmnt_start(int argc, char **argv)
{
	int	sv[2], ctl;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("fs-mounter: socketpair");
		return -1;
	}
	switch (fork()) {
	case -1:
		log_warn("fs-mounter: fork");
		close(sv[0]);
		close(sv[1]);
		return -1;
	case 0:
		close(sv[0]);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1 ||
		    dup2(sv[1], 3) == -1)
			_exit(1);
		closefrom(4);
		if ((ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC)) == -1)
			log_warn("fs-mounter: /dev/loop-control");
		setproctitle_init(argc, argv, environ);
		setproctitle("-celld: %s", mnt_privs.title);
		log_procname(mnt_privs.title);
		privsep_drop(&mnt_privs, NULL);
		mnt_loop(3, ctl);
	}
	close(sv[1]);
	return sv[0];
}

/*
 * Ask M for the file system in image fd of container id: the detached
 * mount's fd, or -1.
 */
int
diskmnt_mount(int sock, int fd, const char *id)
{
	static uint32_t	 seq;
	struct mnt_req	 req;
	struct mnt_rep	 rep;
	int		 mfd;

	if (sock == -1) {
		errno = ENOSYS;
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.seq = ++seq;
	strlcpy(req.id, id, 13);
	if (fd_send(sock, &req, sizeof(req), fd) == -1)
		return -1;
	do {
		if (fd_recv(sock, &rep, sizeof(rep), &mfd) == -1)
			return -1;
		if (rep.seq != req.seq && mfd != -1)
			close(mfd);	/* a late answer we gave up on */
	} while (rep.seq != req.seq);
	if (rep.err != 0 || mfd == -1) {
		if (mfd != -1)
			close(mfd);
		errno = rep.err != 0 ? rep.err : EPROTO;
		return -1;
	}
	return mfd;
}

/* tests/security/sbx_probe applies this very table and attacks it */
const struct proc_privs *fsmnt_table = &mnt_privs;
