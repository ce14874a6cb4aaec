/*
 * exec.c: a new process in a running container (cellctl exec).
 *
 * spawn-helper forks E.  E joins the container's pid namespace, forks X
 * (so X is born inside it, and in the container's cgroup), and gives up
 * every privilege; it then copies a pty if there is one, reaps X and
 * reports its status on a pipe.  E stays out of the container's cgroup:
 * an OOM kill or a stop there ends X, never the one who reports on it.
 * X joins the container's other
 * namespaces through its init's pidfd (which also puts its root and cwd
 * inside the container), and then becomes the command just as the
 * container's first process did: user, capabilities, no_new_privs,
 * seccomp.  Nothing of the host goes with it but the client's own stdio.
 */
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/sched.h>

#include <bsd/string.h>

#include "spawn.h"
#include "cell.h"



#define EXEC_NS	(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | \
		 CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP)

struct execjob {
	TAILQ_ENTRY(execjob)	 entry;
	struct imsgev		*iev;
	uint32_t		 peer;
	int			 fd;		/* E's status pipe */
	struct event		*ev;
};

static TAILQ_HEAD(, execjob)	jobs = TAILQ_HEAD_INITIALIZER(jobs);

/* One fd over a socketpair, or nothing (n = 0) to say "none". */
static int
exec_sendfd(int sock, int fd)
{
	char		 cbuf[CMSG_SPACE(sizeof(int))], b = 0;
	struct iovec	 iov = { &b, 1 };
	struct msghdr	 mh;
	struct cmsghdr	*cm;

	memset(&mh, 0, sizeof(mh));
	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* the fd X sent, or -1 when it sent none (or died first) */
static int
exec_recvfd(int sock)
{
	char		 cbuf[CMSG_SPACE(sizeof(int))], b;
	struct iovec	 iov = { &b, 1 };
	struct msghdr	 mh;
	struct cmsghdr	*cm;
	int		 fd;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	while (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) == -1)
		if (errno != EINTR)
			return -1;
	if ((cm = CMSG_FIRSTHDR(&mh)) == NULL ||
	    cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * exec -t, in X once inside: a pty of the container's own devpts, so that
 * `tty` names it (/dev/pts/N) as for run -t.  The master goes to E over
 * xsock.  The container owns that /dev/pts and may have put anything
 * there: cell_pty() only succeeds on a real pty master (TIOCSPTLCK,
 * TIOCGPTPEER), and when it fails X keeps the host pty E made, so the
 * worst a hostile container gets is an exec -t whose tty has no name.
 */
static void
exec_x_pty(const struct msg_spawn_exec *req, int xsock, int *fds)
{
	int	dir, master, slave;

	/* the pty is our fsuid's: the container's root's, as run -t's is,
	 * not our host uid (unmapped here, "nobody") */
	setfsuid(0);
	if ((dir = open("/dev/pts", O_PATH | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) != -1 && cell_pty(&req->spec, dir, &master,
	    &slave) == 0) {
		if (exec_sendfd(xsock, master) == 0)
			fds[0] = fds[1] = fds[2] = slave;
		else
			close(slave);
		close(master);
	}
	if (dir != -1)
		close(dir);
	close(xsock);	/* E reads EOF when nothing was sent */
}

/* In X: inside the container, then the command. */
static void __attribute__((noreturn))
exec_x(const struct cell_ctx *cx, const struct msg_spawn_exec *req,
    int pidfd, const int *xfds, int xsock)
{
	struct cell_init	ci;
	char			err[CELL_MSGLEN];
	int			code, fds[3] = { xfds[0], xfds[1], xfds[2] };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* --network host: C's netns is the host's, ours already; joining
	 * it again would need CAP_SYS_ADMIN over it in C's userns */
	if (setns(pidfd, EXEC_NS & ((req->spec.flags & SPEC_HOSTNET) ?
	    ~CLONE_NEWNET : ~0)) == -1) {
		dprintf(fds[2], "cellctl exec: cannot enter the container: "
		    "%s\n", strerror(errno));
		_exit(125);
	}
	if (xsock != -1)
		exec_x_pty(req, xsock, fds);
	if (dup2(fds[0], 0) == -1 || dup2(fds[1], 1) == -1 ||
	    dup2(fds[2], 2) == -1 || close_range(3, ~0U, 0) == -1)
		_exit(125);	/* nothing of spawn-helper's stays open */
	memset(&ci, 0, sizeof(ci));
	ci.id = req->id;
	ci.spec = &req->spec;
	ci.sync_fd = -1;
	ci.uid_base = req->uid_base;
	ci.bpf = cx->bpf;		/* the container's own profile */
	ci.nbpf = cx->nbpf;
	ci.bpf_replace = cx->bpf_replace;
	ci.initfd = -1;			/* --init is the container's pid 1 */
	ci.ptsfd = -1;
	code = cell_exec_run(&ci, err, sizeof(err));
	dprintf(2, "cellctl exec: %s\n", err);
	_exit(code);
}

/*
 * exec -t: the client's terminal is client[1] itself, so its size can be
 * read here; copied to the pty, the kernel sends X SIGWINCH on a change.
 * No signal tells E, hence the look every EXEC_WINCH_MS.
 */
#define EXEC_WINCH_MS	200
static void
exec_winsize(int master, int term, struct winsize *last)
{
	struct winsize	ws;

	if (ioctl(term, TIOCGWINSZ, &ws) == -1 || ws.ws_row == 0 ||
	    (ws.ws_row == last->ws_row && ws.ws_col == last->ws_col))
		return;
	if (ioctl(master, TIOCSWINSZ, &ws) == 0)
		*last = ws;
}

/* Copy between the pty master and the client until X is done. */
static void
exec_copy(int master, const int *client)
{
	struct pollfd	pfd[2];
	struct winsize	last;
	char		buf[8192];
	ssize_t		n;

	memset(&last, 0, sizeof(last));
	(void)ioctl(master, TIOCGWINSZ, &last);
	pfd[0].fd = master;
	pfd[0].events = POLLIN;
	pfd[1].fd = client[0];
	pfd[1].events = client[0] != -1 ? POLLIN : 0;
	for (;;) {
		if (poll(pfd, 2, EXEC_WINCH_MS) == -1 && errno != EINTR)
			return;
		exec_winsize(master, client[1], &last);
		if (pfd[0].revents) {
			if ((n = read(master, buf, sizeof(buf))) <= 0)
				return;		/* EIO: the slave is gone */
			if (write(client[1], buf, n) != n)
				return;
		}
		if (pfd[1].revents) {
			if ((n = read(client[0], buf, sizeof(buf))) <= 0)
				pfd[1].fd = -1;
			else if (write(master, buf, n) != n)
				return;
		}
	}
}

/* E, once X runs: no privilege at all, copy, reap, report. */
static void __attribute__((noreturn))
exec_e_wait(const struct cell_ctx *cx, pid_t x, int master,
    const int *client, int report)
{
	int	status, code;

	if (cell_drop(cx) == -1)
		_exit(125);
	if (master != -1)
		exec_copy(master, client);
	while (waitpid(x, &status, 0) == -1)
		if (errno != EINTR)
			_exit(125);
	code = WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status);
	if (write(report, &code, sizeof(code)) != sizeof(code))
		_exit(125);
	_exit(0);
}

/* In E: into the container's pid namespace, then X. */
static void __attribute__((noreturn))
exec_e(const struct cell_ctx *cx, const struct msg_spawn_exec *req,
    int pidfd, const int *client, int report)
{
	struct clone_args	ca;
	struct cg_join		cg;
	int			xfds[3], master = -1, slave = -1;
	int			xs[2] = { -1, -1 }, i, m, into;
	pid_t			x;

	signal(SIGCHLD, SIG_DFL);
	if (cgroup_join_open(req->id, &cg) == -1 ||
	    setns(pidfd, CLONE_NEWPID) == -1)
		_exit(125);
	for (i = 0; i < 3; i++)
		xfds[i] = client[i];
	if (req->spec.flags & SPEC_TTY) {
		if (cell_pty(&req->spec, -1, &master, &slave) == -1 ||
		    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
		    xs) == -1)
			_exit(125);
		xfds[0] = xfds[1] = xfds[2] = slave;
	} else if (xfds[0] == -1 &&
	    (xfds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		_exit(125);
	for (i = 1; i < 3; i++)
		if (xfds[i] == -1 && (xfds[i] = open("/dev/null",
		    O_WRONLY | O_CLOEXEC)) == -1)
			_exit(125);
	/* X is born in the container's v2 cgroup and joins the v1 ones
	 * first thing (see cgroup.c), so stop kills it; E stays out, so
	 * that an OOM kill in the container can't take X's status with it */
	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	if ((x = cgroup_clone(&ca, &cg, &into)) == -1)
		_exit(125);
	if (x == 0) {
		if (cgroup_join_self(&cg, into) == -1)
			_exit(125);
		if (xs[0] != -1)
			close(xs[0]);
		exec_x(cx, req, pidfd, xfds, xs[1]);
	}
	cgroup_join_close(&cg);
	if (slave != -1)
		close(slave);
	if (xs[0] != -1) {	/* the container's own pty, if X made one */
		close(xs[1]);
		if ((m = exec_recvfd(xs[0])) != -1) {
			close(master);
			master = m;
		}
		close(xs[0]);
	}
	close(pidfd);
	exec_e_wait(cx, x, master, client, report);
}

static void
exec_done(int fd, short ev, void *arg)
{
	struct execjob	*j = arg;
	int		 code = 125;

	(void)ev;
	if (read(fd, &code, sizeof(code)) != sizeof(code))
		code = 125;	/* E died: the container stopped under it */
	imsgev_reply(j->iev, j->peer, 0, code, NULL);
	TAILQ_REMOVE(&jobs, j, entry);
	event_free(j->ev);
	close(j->fd);
	free(j);
}

static int
exec_job(struct imsgev *iev, uint32_t peer, int fd)
{
	struct execjob	*j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->iev = iev;
	j->peer = peer;
	j->fd = fd;
	j->ev = event_new(iev->base, fd, EV_READ, exec_done, j);
	if (j->ev == NULL || event_add(j->ev, NULL) == -1) {
		free(j);
		return -1;
	}
	TAILQ_INSERT_TAIL(&jobs, j, entry);
	return 0;
}

void
spawn_execin(struct imsgev *iev, struct imsg *imsg)
{
	static struct msg_spawn_exec	 req;
	struct cell_ctx			 cx = cellbase;
	struct pending			*p;
	const char			*why;
	int				 pidfd, rep[2], client[3], i;
	uint32_t			 peer = imsg_get_peerid(imsg);
	pid_t				 e;

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !msg_id_ok(req.id, sizeof(req.id)) ||
	    !msg_id_ok(req.execid, sizeof(req.execid)) ||
	    !msg_spec_ok(&req.spec) || req.spec.argc == 0 ||
	    !cell_owns(req.id, req.pid) ||
	    (pidfd = syscall(SYS_pidfd_open, req.pid, 0)) == -1) {
		imsgev_reply(iev, peer, EINVAL, 125, "exec: bad request");
		return;
	}
	client[0] = client[1] = client[2] = -1;
	if ((p = pending_get(req.execid, 0)) != NULL)
		for (i = 0; i < 3; i++) {
			client[i] = p->stdio[i];
			p->stdio[i] = -1;
		}
	if ((p != NULL && p->volerr[0] != '\0') ||
	    bpf_check(&req.spec, p, &why) == -1) {
		imsgev_reply(iev, peer, EPERM, 125, p != NULL &&
		    p->volerr[0] != '\0' ? p->volerr : why);
		goto done;
	}
	if (p != NULL) {
		cx.bpf = p->bpf;	/* E and X get copies at fork */
		cx.nbpf = p->nbpf;
		cx.bpf_replace = p->bpf_replace;
	}
	if (!(req.spec.flags & (SPEC_UNCONFINED | SPEC_PRIVILEGED)))
		cell_seccomp_prepare(req.spec.caps);
	if (pipe2(rep, O_CLOEXEC) == -1 || (e = fork()) == -1) {
		imsgev_reply(iev, peer, errno, 125, "exec");
		goto done;
	}
	if (e == 0) {
		close(rep[0]);
		exec_e(&cx, &req, pidfd, client, rep[1]);
	}
	close(rep[1]);
	if (req.spec.flags & SPEC_DETACH) {
		close(rep[0]);
		imsgev_reply(iev, peer, 0, 0, NULL);
	} else if (exec_job(iev, peer, rep[0]) == -1) {
		close(rep[0]);
		imsgev_reply(iev, peer, errno, 125, "exec");
	}
done:
	if (p != NULL)
		pending_free(p);
	for (i = 0; i < 3; i++)
		if (client[i] != -1)
			close(client[i]);
	close(pidfd);
}
