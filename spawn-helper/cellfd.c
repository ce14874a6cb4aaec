/*
 * cellfd.c: fd layouts and the last privilege drop on the way to the
 * monitor.  Kept apart from cell.c because every line here decides what
 * a less trusted process inherits.
 */
#include <sys/prctl.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <unistd.h>

#include <linux/capability.h>

#include "spawn.h"
#include "cell.h"

/*
 * Put src[i] on fd i for each i < n (-1: leave i closed), and close
 * everything from n up.  Sources are first moved above the targets so no
 * dup2 can clobber a source not yet placed.
 */
static int
fd_layout(const int *src, int n)
{
	int	tmp[16], i;

	for (i = 0; i < n; i++) {
		tmp[i] = -1;
		if (src[i] != -1 &&
		    (tmp[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 64)) == -1)
			return -1;
	}
	for (i = 0; i < n; i++) {
		if (tmp[i] == -1) {
			close(i);
			continue;
		}
		if (dup2(tmp[i], i) == -1)
			return -1;
	}
	return close_range(n, ~0U, 0);
}

/*
 * C: 0 stdin (or /dev/null), 1 and 2 the pipes, 3 go, 4 sync, and with
 * --init, 5 celld-init's memfd (CELL_INITFD), and with -t, 6 the devpts
 * instance of its pty (CELL_PTSFD).
 */
int
cell_child_stdio(const struct cell_ctx *cx)
{
	int	src[7], null = -1, r;

	if (cx->in[0] == -1 &&
	    (null = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	src[0] = cx->in[0] != -1 ? cx->in[0] : null;
	src[1] = cx->out[1];
	src[2] = cx->err[1];
	src[3] = cx->gofd_c;
	src[4] = cx->syncfd_c;
	src[5] = (cx->ms->spec.flags & SPEC_INIT) ? cx->initfd : -1;
	src[6] = cx->ptsfd;
	r = fd_layout(src, 7);
	if (r == 0 && (fcntl(3, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(4, F_SETFD, FD_CLOEXEC) == -1 ||
	    (src[5] != -1 && fcntl(5, F_SETFD, FD_CLOEXEC) == -1) ||
	    (src[6] != -1 && fcntl(6, F_SETFD, FD_CLOEXEC) == -1)))
		r = -1;
	return r;
}

/*
 * The monitor's fds: 3 pidfd of C, 4 stdout, 5 stderr, 6 stdin of C,
 * 7 8 9 the client's stdin, stdout and stderr, 10 the monitor binary.
 */
int
cell_monitor_fds(const struct cell_ctx *cx, int pidfd)
{
	int	src[11];

	src[0] = src[1] = src[2] = -1;
	src[3] = pidfd;
	src[4] = cx->out[0];
	src[5] = cx->err[0];
	src[6] = cx->in[1];
	src[7] = cx->stdio[0];
	src[8] = cx->stdio[1];
	src[9] = cx->stdio[2];
	src[10] = cx->monfd;
	if (fd_layout(src, 11) == -1)
		return -1;
	/* 0-2 stay closed would let a later open land there: use null */
	if (open("/dev/null", O_RDONLY) != 0 ||
	    open("/dev/null", O_WRONLY) != 1 || dup(1) != 2)
		return -1;
	for (int fd = 3; fd < 10; fd++)
		fcntl(fd, F_SETFD, 0);
	return 0;
}

/*
 * R becomes _celld with nothing: an empty bounding set (needs
 * CAP_SETPCAP, the reason spawn-helper keeps it), no groups, and a uid
 * change without keepcaps, which empties every other set.
 */
int
cell_drop(const struct cell_ctx *cx)
{
	int	c;

	for (c = 0; c <= CAP_LAST_CAP; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == -1)
			return -1;
	if (setgroups(0, NULL) == -1 ||
	    setresgid(cx->mon_gid, cx->mon_gid, cx->mon_gid) == -1 ||
	    setresuid(cx->mon_uid, cx->mon_uid, cx->mon_uid) == -1)
		return -1;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}
