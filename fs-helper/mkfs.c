/*
 * mkfs.c: the formatter, "celld: fs-mkfs", a child of fs-helper.
 *
 * A container's disk is an ext4 file system in a sparse image file, and
 * only mke2fs makes one.  fs-helper can't exec it: after its drop it
 * lives in a jail with no /usr, no /proc and no execve.  So before the
 * drop it forks F, which keeps the host's view of the filesystem but
 * gives up everything else at once: every capability (bounding set,
 * permitted, effective, ambient), then no_new_privs and a seccomp
 * allow-list of what it and mke2fs call (no signals, tracing, sockets,
 * mounts, ioctls or namespaces among them).
 * F reads one request at a time from fs-helper (an image fd and the
 * owner of the file system's root), forks, and execs mke2fs on
 * /proc/self/fd/3 with a fixed argument list; it answers with the wait
 * status.  F never reads anything else: its protocol is fixed-size, the
 * image fd is fs-helper's own new file, and F exits when fs-helper goes.
 * mke2fs writes a fresh image and reads nothing a container wrote.
 */
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bsd/unistd.h>

#include "fs.h"

#define MKFS_TIMEOUT	300	/* seconds fs-helper waits for one format */

struct mkfs_req {
	uint32_t	seq;
	uint32_t	owner;		/* uid and gid of the root dir */
};

struct mkfs_rep {
	uint32_t	seq;
	int32_t		status;		/* wait status, or -errno */
};

/*
 * What F and mke2fs may call: F's socket, fork, exec and wait; the
 * dynamic loader, libc and its locale; writing the image.  This is
 * e2fsprogs 1.47 as strace shows it, with a little slack (statx, the
 * *at forms, fdatasync) for other releases.  Anything else fails with
 * EPERM, which mke2fs takes as "not supported" where it asks at all (its
 * ioctls on a regular file).
 */
static const int mkfs_allowed[] = {
	SCMP_SYS(recvmsg), SCMP_SYS(sendmsg), SCMP_SYS(wait4),
	SCMP_SYS(execve), SCMP_SYS(dup2), SCMP_SYS(dup3), SCMP_SYS(close),
	SCMP_SYS(close_range), SCMP_SYS(exit), SCMP_SYS(exit_group),
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect),
	SCMP_SYS(mremap), SCMP_SYS(madvise), SCMP_SYS(arch_prctl),
	SCMP_SYS(set_tid_address), SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
	SCMP_SYS(prlimit64), SCMP_SYS(getrandom), SCMP_SYS(futex),
	SCMP_SYS(openat), SCMP_SYS(newfstatat), SCMP_SYS(fstat),
	SCMP_SYS(statx), SCMP_SYS(read), SCMP_SYS(pread64), SCMP_SYS(lseek),
	SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
	SCMP_SYS(readlink), SCMP_SYS(getcwd), SCMP_SYS(getdents64),
	SCMP_SYS(fcntl), SCMP_SYS(uname), SCMP_SYS(sysinfo),
	SCMP_SYS(getpid), SCMP_SYS(getppid), SCMP_SYS(gettid),
	SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid),
	SCMP_SYS(getegid), SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday),
	SCMP_SYS(write), SCMP_SYS(pwrite64), SCMP_SYS(fallocate),
	SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(ftruncate),
	SCMP_SYS(fadvise64), SCMP_SYS(fstatfs),
	SCMP_SYS(sigaltstack),	/* harmless; AddressSanitizer needs it */
	-1
};

/* no new namespace of any kind, so no user namespace's capabilities */
#define MKFS_NS_FLAGS	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
			 CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
			 CLONE_NEWNET | CLONE_NEWTIME)

static void
mkfs_filter(void)
{
	scmp_filter_ctx	 ctx;
	const int	*s;

	if ((ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM))) == NULL)
		fatalx("mkfs: seccomp_init");
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
		fatalx("mkfs: seccomp binary tree");
	for (s = mkfs_allowed; *s != -1; s++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, *s, 0) < 0)
			fatalx("mkfs: seccomp rule %d", *s);
	/* fork() is clone() without namespace flags; clone3's flags are in
	 * memory a filter can't read, so it gets ENOSYS and glibc falls back */
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, MKFS_NS_FLAGS, 0)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3),
	    0) < 0)
		fatalx("mkfs: seccomp clone rules");
	if (seccomp_load(ctx) < 0)
		fatalx("mkfs: seccomp_load");
	seccomp_release(ctx);
}

/* F's whole table; tests/security/sbx_probe applies it and attacks it */
void
mkfs_lockdown(void)
{
	cap_t		 none;
	int		 c;

	/* the launcher left CAP_SETPCAP in our set: it empties the bound */
	for (c = 0; c <= CAP_LAST_CAP && cap_valid(c); c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == -1 && errno != EINVAL)
			fatal("mkfs: drop bounding capability %d", c);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 ||
	    (none = cap_init()) == NULL || cap_set_proc(none) == -1)
		fatal("mkfs: drop capabilities");
	cap_free(none);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("mkfs: no_new_privs");
	mkfs_filter();
}

/* In the grandchild: mke2fs on fd, its root dir owned by owner. */
static void __attribute__((noreturn))
mkfs_exec(int fd, uint32_t owner)
{
	static const char *const bins[] = { "/usr/sbin/mke2fs",
	    "/sbin/mke2fs" };
	char	 ro[64];
	char	*argv[] = { "mke2fs", "-q", "-F", "-t", "ext4", "-m", "0",
	    "-E", ro, "/proc/self/fd/3", NULL };
	char	*envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C",
	    NULL };
	size_t	 i;

	/* reserved blocks are root's, and root here is the container's */
	snprintf(ro, sizeof(ro), "root_owner=%u:%u", owner, owner);
	if (dup2(fd, 3) == -1 || dup2(STDERR_FILENO, STDOUT_FILENO) == -1)
		_exit(126);
	closefrom(4);
	for (i = 0; i < nitems(bins); i++)
		execve(bins[i], argv, envp);
	_exit(127);
}

static int32_t
mkfs_one(int fd, uint32_t owner)
{
	pid_t	pid;
	int	status;

	switch ((pid = fork())) {
	case -1:
		return -errno;
	case 0:
		mkfs_exec(fd, owner);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -errno;
	return status;
}

/*
 * One fixed-size message and at most one fd over a SOCK_SEQPACKET pair
 * (the formatter's and the mounter's): fd -1 sends none.
 */
int
fd_send(int sock, const void *buf, size_t len, int fd)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	}		 cmsgbuf;

	memset(&msg, 0, sizeof(msg));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = (void *)buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd != -1) {
		msg.msg_control = &cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* Exactly len bytes and at most one fd (*fd, -1 if none), or -1. */
int
fd_recv(int sock, void *buf, size_t len, int *fd)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	}		 cmsgbuf;
	ssize_t		 n;

	*fd = -1;
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = &cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);
	/* recvmsg: recv is recvfrom, which no table here allows */
	if ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) == -1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (cm != NULL && cm->cmsg_level == SOL_SOCKET &&
	    cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(cm), sizeof(*fd));
	if (n != (ssize_t)len || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		if (*fd != -1)
			close(*fd);
		*fd = -1;
		errno = n == 0 ? EPIPE : EPROTO;
		return -1;
	}
	return 0;
}

static void __attribute__((noreturn))
mkfs_loop(int sock)
{
	struct mkfs_req	 req;
	struct mkfs_rep	 rep;
	int		 fd;

	for (;;) {
		if (fd_recv(sock, &req, sizeof(req), &fd) == -1)
			_exit(0);	/* fs-helper is gone, or broke */
		rep.seq = req.seq;
		rep.status = fd == -1 ? -EBADF : mkfs_one(fd, req.owner);
		if (fd != -1)
			close(fd);
		if (fd_send(sock, &rep, sizeof(rep), -1) == -1)
			_exit(0);
	}
}

/*
 * Before the drop: fork F and return fs-helper's end of its socket, or
 * -1 (then every disk request fails, and says why).
 */
int
mkfs_start(int argc, char **argv)
{
	struct timeval	tv = { MKFS_TIMEOUT, 0 };
	int		sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("mkfs: socketpair");
		return -1;
	}
	switch (fork()) {
	case -1:
		log_warn("mkfs: fork");
		close(sv[0]);
		close(sv[1]);
		return -1;
	case 0:
		close(sv[0]);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
			_exit(1);
		/* nothing of fs-helper's but this socket and stdio */
		if (dup2(sv[1], 3) == -1)
			_exit(1);
		closefrom(4);
		if (chdir("/") == -1)
			_exit(1);
		setproctitle_init(argc, argv, environ);
		setproctitle("-celld: fs-mkfs");
		log_procname("fs-mkfs");
		mkfs_lockdown();
		mkfs_loop(3);
	}
	close(sv[1]);
	if (setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1)
		log_warn("mkfs: receive timeout");
	return sv[0];
}

/* Format the image fd for a container whose root is owner: 0 or -1. */
int
mkfs_format(int sock, int fd, uint32_t owner)
{
	static uint32_t	 seq;
	struct mkfs_req	 req;
	struct mkfs_rep	 rep;
	int		 nfd;

	if (sock == -1) {
		errno = ENOSYS;
		return -1;
	}
	req.seq = ++seq;
	req.owner = owner;
	if (fd_send(sock, &req, sizeof(req), fd) == -1)
		return -1;
	/* a late answer to a request we gave up on is skipped */
	do {
		if (fd_recv(sock, &rep, sizeof(rep), &nfd) == -1)
			return -1;
		if (nfd != -1)
			close(nfd);
	} while (rep.seq != req.seq);
	if (rep.status < 0) {
		errno = -rep.status;
		return -1;
	}
	if (!WIFEXITED(rep.status) || WEXITSTATUS(rep.status) != 0) {
		log_warnx("mkfs: mke2fs %s %d", WIFEXITED(rep.status) ?
		    "exited" : "killed by signal", WIFEXITED(rep.status) ?
		    WEXITSTATUS(rep.status) : WTERMSIG(rep.status));
		errno = WIFEXITED(rep.status) && WEXITSTATUS(rep.status) == 127 ?
		    ENOENT : EIO;
		return -1;
	}
	return 0;
}
