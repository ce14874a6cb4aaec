/*
 * monitor.c: celld-monitor, "celld: monitor ID12", one per container.
 *
 * spawn-helper's R clones the container's init C, drops to _celld with no
 * capabilities and execs us, so we are C's parent:
 *	celld-monitor -i ID -s STORAGE -r RUNDIR -m LOGMAX [-p PID] [-dv]
 * with C's pidfd, stdio and an attached client's stdio on fds 3 to 9 (see
 * monitor.h).  We log C's output (log.c), copy it to the client (io.c),
 * answer the parent (ctl.c), and when C exits we drain its output, write
 * the exit record, tell the parent, and leave.  We outlive celld.
 *
 * The loop is a plain poll() over a fixed array, not libevent: at most 16
 * fds, known in advance, and one fewer library mapped into a process that
 * exists once per container (see the USS figure in tests/unit/
 * test_monitor.c).
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/unistd.h>

#include "monitor.h"

/*
 * Everything is opened before the sandbox (pidfd, stdio, both
 * directories, the log, the listening socket), so the allow-list is what
 * the loop needs and no more.
 */
static const int mon_syscalls[] = {
	/* the loop; C's output in, the client's stdio both ways */
	SCMP_SYS(poll), SCMP_SYS(read), SCMP_SYS(write),
	SCMP_SYS(preadv2), SCMP_SYS(pwritev2), SCMP_SYS(close),
	/* control connections: imsg; imsgbuf_init() asks getpid() */
	SCMP_SYS(accept4), SCMP_SYS(recvmsg), SCMP_SYS(sendmsg),
	SCMP_SYS(getpid),
	/* log rotation, the exit record: rename and fsync in our dir */
	SCMP_SYS(renameat), SCMP_SYS(fsync),
	/* malloc, and syslog (sendto on the socket opened at start) */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(sendto), SCMP_SYS(clock_gettime), SCMP_SYS(exit_group),
	SCMP_SYS(sigaltstack),	/* harmless; AddressSanitizer needs it */
	-1	/* left out on purpose: execve, clone, ptrace, kill, socket,
		 * connect, bind, any ioctl but the pty's size, and (below)
		 * any open outside our
		 * dir, any prctl but the check, any fcntl but flags */
};

static const struct sbx_arg mon_argrules[] = {
	{ SCMP_SYS(openat), 0, MON_FD_DIR },	/* log, exit.tmp */
	{ SCMP_SYS(unlinkat), 0, MON_FD_RUNDIR }, /* our socket, at exit */
	{ SCMP_SYS(waitid), 0, P_PIDFD },	/* reap C through its pidfd */
	{ SCMP_SYS(getsockopt), 2, SO_PEERCRED },	/* who connected */
	{ SCMP_SYS(fcntl), 1, F_GETFL },	/* O_NONBLOCK on a tty for */
	{ SCMP_SYS(fcntl), 1, F_SETFL },	/* one call, and back (io.c) */
	{ SCMP_SYS(prctl), 0, PR_GET_SECCOMP },	/* privsep_drop()'s check */
	{ SCMP_SYS(madvise), 2, MADV_DONTNEED },	/* malloc_trim() */
	{ SCMP_SYS(ioctl), 1, TIOCSWINSZ },	/* resize C's pty */
	{ -1, 0, 0 }
};

static const struct proc_privs mon_privs = {
	.title = "monitor",
	.user = CELLD_USER,	/* R already made us _celld; checked */
	.preset = 1,
	.caps = (const int []){ -1 },	/* none, not even in the bounding set */
	.nnp = 1,
	.syscalls = mon_syscalls,
	.argrules = mon_argrules,
	.landlock = 1,
	.paths = (const struct sbx_path []){
		/* write only: we never read back what we wrote */
		{ "$0", SBX_W },	/* STORAGE/containers/ID: log, exit */
		{ "$1", SBX_W },	/* RUNDIR/monitors: our socket */
		{ NULL, 0 }
	},
	/*
	 * EPERM, not death: a monitor killed by a syscall we did not
	 * foresee would lose C's log, exit status and reaping.
	 */
	.kill = 0,
};

struct mon_args {
	const char	*storage;
	const char	*rundir;
	int64_t		 logmax;
	pid_t		 pid;		/* 0: take the pidfd's word */
	int		 debug;
	int		 verbose;
	char		 dir[PATH_MAX];	/* STORAGE/containers/ID */
	char		 run[PATH_MAX];	/* RUNDIR/monitors */
};

/* poll() slots: fixed, a shut fd is -1 in its slot */
enum { SLOT_PIDFD, SLOT_OUT, SLOT_ERR, SLOT_AOUT, SLOT_AERR, SLOT_AIN,
	SLOT_CIN, SLOT_LISTEN, SLOT_CONN, SLOT_MAX = SLOT_CONN + MON_MAXCONN };

static __attribute__((noreturn)) void
usage(void)
{
	fatalx("usage: celld-monitor -i id -s storage -r rundir -m logmax "
	    "[-p pid] [-dv]");
}

static int
mon_id_ok(const char *id)
{
	size_t	i;

	for (i = 0; id[i] != '\0'; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return i == CELL_IDLEN;
}

static int
mon_path_ok(const char *p)
{
	return p[0] == '/' && strstr(p, "..") == NULL &&
	    strlen(p) < PATH_MAX - CELL_IDLEN - 32;
}

/* Trust no argument: R passes them, but R ran code that C's image chose. */
static void
mon_args(int argc, char **argv, struct mon *m, struct mon_args *a)
{
	const char	*errstr, *id = NULL;
	int		 ch;

	memset(a, 0, sizeof(*a));
	a->logmax = -1;
	while ((ch = getopt(argc, argv, "dvi:s:r:m:p:")) != -1) {
		switch (ch) {
		case 'd':
			a->debug = 1;
			break;
		case 'v':
			a->verbose++;
			break;
		case 'i':
			id = optarg;
			break;
		case 's':
			a->storage = optarg;
			break;
		case 'r':
			a->rundir = optarg;
			break;
		case 'm':	/* 0: no cap */
			a->logmax = strtonum(optarg, 0, 1LL << 40, &errstr);
			if (errstr != NULL || (a->logmax > 0 &&
			    a->logmax < 4096))
				usage();
			break;
		case 'p':
			a->pid = strtonum(optarg, 1, INT_MAX, &errstr);
			if (errstr != NULL)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc || id == NULL || !mon_id_ok(id) ||
	    a->storage == NULL || !mon_path_ok(a->storage) ||
	    a->rundir == NULL || !mon_path_ok(a->rundir) || a->logmax < 0)
		usage();
	memcpy(m->id, id, sizeof(m->id));
	(void)snprintf(a->dir, sizeof(a->dir), "%s/containers/%s",
	    a->storage, id);
	(void)snprintf(a->run, sizeof(a->run), "%s/monitors", a->rundir);
}

/*
 * Which of fds 3 to 9 we were handed, noted before we open anything: a
 * later open (the syslog socket, fdinfo) may land in a shut one, and must
 * not be taken for C's stderr.  Fds 0-2 shut would make the next open one
 * of them, and our log would go into it: /dev/null there.
 */
static unsigned
mon_handed(void)
{
	unsigned	mask = 0;
	int		fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 &&
		    open("/dev/null", O_RDWR) != fd)
			_exit(1);
	closefrom(MON_FD_AERR + 1);
	for (fd = MON_FD_PIDFD; fd <= MON_FD_AERR; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			mask |= 1u << fd;
	return mask;
}

#define HANDED(mask, fd)	((mask) & (1u << (fd)) ? (fd) : -1)

/*
 * Fd 3 must be a pidfd of our own child, still unreaped.  Its pid comes
 * from the kernel (fdinfo); a -p that disagrees is an error.
 */
static void
mon_child(struct mon *m, pid_t want, unsigned handed)
{
	FILE		*f;
	char		 line[128];
	int		 pid = 0, seen = 0;
	siginfo_t	 si;

	if (HANDED(handed, MON_FD_PIDFD) == -1 ||
	    (f = fopen("/proc/self/fdinfo/3", "re")) == NULL)
		fatal("fd %d: no pidfd", MON_FD_PIDFD);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Pid:\t%d", &pid) == 1)
			seen = 1;
	fclose(f);
	if (!seen)
		fatalx("fd %d: no pidfd", MON_FD_PIDFD);
	if (pid <= 0)
		fatalx("pidfd: the process is gone, reaped by another");
	if (want != 0 && want != pid)
		fatalx("pidfd: pid is %d, not %d", pid, want);
	memset(&si, 0, sizeof(si));
	if (waitid(P_PIDFD, MON_FD_PIDFD, &si, WEXITED | WNOHANG |
	    WNOWAIT) == -1)
		fatal("pid %d: not our child", pid);
	if (fcntl(MON_FD_PIDFD, F_SETFD, FD_CLOEXEC) == -1)
		fatal("pidfd");
	m->pid = pid;
	m->pidfd = MON_FD_PIDFD;
}

static void
mon_fds(struct mon *m, unsigned h)
{
	if (io_open(&m->out.src, HANDED(h, MON_FD_OUT), 0) == -1)
		fatalx("fd %d: no stdout of the container", MON_FD_OUT);
	(void)io_open(&m->err.src, HANDED(h, MON_FD_ERR), 0);
	(void)io_open(&m->cin, HANDED(h, MON_FD_STDIN), MON_STDINMAX);
	(void)io_open(&m->ain, HANDED(h, MON_FD_AIN), MON_STDINMAX);
	(void)io_open(&m->aout, HANDED(h, MON_FD_AOUT), MON_ATTACHMAX);
	(void)io_open(&m->aerr, HANDED(h, MON_FD_AERR), MON_ATTACHMAX);
	m->out.name = "stdout";
	m->out.copy = &m->aout;
	m->err.name = "stderr";
	m->err.copy = &m->aerr;
	if (m->ain.fd == -1)
		io_close(&m->cin);	/* no one types: C reads EOF */
}

/* Onto its fixed fd; -1 with errno, said once syslog is up. */
static int
mon_opendir(const char *path, int fixed)
{
	int	fd, r = 0;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	if (fd != fixed) {
		r = dup3(fd, fixed, O_CLOEXEC);
		close(fd);
	}
	return r == -1 ? -1 : 0;
}

/*
 * R made us _celld with setresuid/setresgid; privsep_drop() checks the
 * uid and the capability sets, this checks the gids and groups.
 */
static void
mon_check_ids(void)
{
	uid_t	ru, eu, su;
	gid_t	rg, eg, sg, groups[2];
	int	n;

	/*
	 * spawn-helper set us to _celld's ids before the exec; no name
	 * lookup here (NSS in a static binary), only that nothing of root
	 * and nothing of a second identity is left.
	 */
	if (getresuid(&ru, &eu, &su) == -1 || ru != eu || ru != su || ru == 0)
		fatalx("uid is not one unprivileged id");
	if (getresgid(&rg, &eg, &sg) == -1 || rg != eg || rg != sg || rg == 0)
		fatalx("gid is not one unprivileged id");
	if ((n = getgroups(2, groups)) == -1 || n > 1 ||
	    (n == 1 && groups[0] != rg))
		fatalx("supplementary groups left");
}

/*
 * Our fixed fds.  10 and 11 are taken before syslog opens its socket,
 * which might land there; what failed is said once syslog can hear it.
 */
static void
mon_claim(struct mon *m, struct mon_args *a, unsigned handed,
    const char *title)
{
	int	e1 = 0, e2 = 0;

	if (mon_opendir(a->dir, MON_FD_DIR) == -1)
		e1 = errno;
	if (mon_opendir(a->run, MON_FD_RUNDIR) == -1)
		e2 = errno;
	log_init(a->debug, a->verbose, title);
	if (e1 != 0 || e2 != 0) {
		errno = e1 != 0 ? e1 : e2;
		fatal("%s", e1 != 0 ? a->dir : a->run);
	}
	mon_child(m, a->pid, handed);
	mon_fds(m, handed);
}

static void
mon_setup(struct mon *m, struct mon_args *a)
{
	umask(0177);
	(void)setsid();		/* a ^C on celld's terminal is not for us */
	/* Other _celld processes must not ptrace into C's stdio and pidfd. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("dumpable");
	json_object_seed(0);	/* now: it reads /dev/urandom */
	if (jlog_open(&m->log, MON_FD_DIR, a->logmax) == -1)
		fatal("%s/log", a->dir);
	ctl_listen(m);
	mon_check_ids();
	m->uid = getuid();
	m->started = time(NULL);
}

static void
mon_reap(struct mon *m)
{
	siginfo_t	si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PIDFD, m->pidfd, &si, WEXITED | WNOHANG) == -1)
		fatal("pid %d: waitid", m->pid);
	if (si.si_pid == 0)
		return;
	if (si.si_code == CLD_EXITED)
		m->status = si.si_status;
	else
		m->status = 128 + si.si_status;
	m->finished = time(NULL);
	m->exited = 1;
	log_debug("pid %d: exit status %d", m->pid, m->status);
	close(m->pidfd);
	m->pidfd = -1;
	io_close(&m->ain);
	io_close(&m->cin);
	clock_gettime(CLOCK_MONOTONIC, &m->deadline);
	m->deadline.tv_sec += MON_DRAIN_MS / 1000;
}

/* -1: wait for C; 0: done; else ms left to drain C's output. */
static int
mon_timeout(struct mon *m)
{
	struct timespec	now;
	long		ms;

	if (!m->exited)
		return -1;
	if (m->out.src.fd == -1 && m->err.src.fd == -1 &&
	    !io_pending(&m->aout) && !io_pending(&m->aerr))
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (m->deadline.tv_sec - now.tv_sec) * 1000 +
	    (m->deadline.tv_nsec - now.tv_nsec) / 1000000;
	if (ms <= 0) {
		log_warnx("output still open %d ms after exit, left behind",
		    MON_DRAIN_MS);
		return 0;
	}
	return (int)ms;
}

static void
mon_poll(struct pollfd *p, int fd, short events)
{
	p->fd = events != 0 ? fd : -1;
	p->events = events;
	p->revents = 0;
}

static void
mon_pollset(struct mon *m, struct pollfd *pfd)
{
	struct mon_conn	*c;
	int		 i, room;

	room = m->cin.fd != -1 && m->cin.len - m->cin.off < m->cin.max;
	mon_poll(&pfd[SLOT_PIDFD], m->pidfd, POLLIN);
	mon_poll(&pfd[SLOT_OUT], m->out.src.fd, POLLIN);
	mon_poll(&pfd[SLOT_ERR], m->err.src.fd, POLLIN);
	mon_poll(&pfd[SLOT_AOUT], m->aout.fd,
	    io_pending(&m->aout) ? POLLOUT : 0);
	mon_poll(&pfd[SLOT_AERR], m->aerr.fd,
	    io_pending(&m->aerr) ? POLLOUT : 0);
	mon_poll(&pfd[SLOT_AIN], m->ain.fd, room ? POLLIN : 0);
	mon_poll(&pfd[SLOT_CIN], m->cin.fd, io_pending(&m->cin) ? POLLOUT : 0);
	mon_poll(&pfd[SLOT_LISTEN], m->lfd, POLLIN);
	for (i = 0; i < MON_MAXCONN; i++) {
		c = &m->conn[i];
		mon_poll(&pfd[SLOT_CONN + i], c->used ? c->ib.fd : -1,
		    c->used ? POLLIN | (imsgbuf_queuelen(&c->ib) > 0 ?
		    POLLOUT : 0) : 0);
	}
}

/* An fd we were waiting on, and still the same one. */
static int
mon_ready(const struct pollfd *p, int fd)
{
	return p->revents != 0 && fd != -1 && p->fd == fd;
}

static void
mon_attach_out(struct iofd *io, const char *name)
{
	if (io_flush(io) == -1) {
		log_debug("attached %s: %s, detached", name, strerror(errno));
		io_close(io);
	}
}

static void
mon_stdin_out(struct mon *m)
{
	if (io_flush(&m->cin) == -1 || (m->cin.eof && !io_pending(&m->cin))) {
		io_close(&m->cin);
		io_close(&m->ain);
	}
}

static void
mon_events(struct mon *m, struct pollfd *pfd)
{
	int	i;

	if (mon_ready(&pfd[SLOT_PIDFD], m->pidfd))
		mon_reap(m);
	if (mon_ready(&pfd[SLOT_OUT], m->out.src.fd))
		stream_input(&m->out, &m->log);
	if (mon_ready(&pfd[SLOT_ERR], m->err.src.fd))
		stream_input(&m->err, &m->log);
	if (mon_ready(&pfd[SLOT_AOUT], m->aout.fd))
		mon_attach_out(&m->aout, "stdout");
	if (mon_ready(&pfd[SLOT_AERR], m->aerr.fd))
		mon_attach_out(&m->aerr, "stderr");
	if (mon_ready(&pfd[SLOT_AIN], m->ain.fd))
		io_copy(&m->ain, &m->cin);
	if (mon_ready(&pfd[SLOT_CIN], m->cin.fd))
		mon_stdin_out(m);
	for (i = 0; i < MON_MAXCONN; i++)
		if (m->conn[i].used &&
		    mon_ready(&pfd[SLOT_CONN + i], m->conn[i].ib.fd))
			ctl_io(m, &m->conn[i], pfd[SLOT_CONN + i].revents);
	if (mon_ready(&pfd[SLOT_LISTEN], m->lfd))
		ctl_accept(m);
}

static void
mon_loop(struct mon *m)
{
	struct pollfd	pfd[SLOT_MAX];
	int		timeout;

	while ((timeout = mon_timeout(m)) != 0) {
		mon_pollset(m, pfd);
		if (poll(pfd, SLOT_MAX, timeout) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		mon_events(m, pfd);
	}
}

/*
 * C is gone and its output drained (or given up on).  The log is
 * complete before the exit record exists, and the record exists before
 * anyone hears running=0: whoever sees the end can read all of it.
 */
static void
mon_finish(struct mon *m)
{
	stream_close(&m->out, &m->log);
	stream_close(&m->err, &m->log);
	(void)io_flush(&m->aout);
	(void)io_flush(&m->aerr);
	io_close(&m->aout);
	io_close(&m->aerr);
	jlog_close(&m->log);
	(void)ctl_exitfile(m);
	ctl_report(m);
	ctl_finish(m);
}

int
main(int argc, char **argv)
{
	static struct mon	 m;	/* static: 32 KiB of line buffers */
	struct mon_args		 a;
	char			 title[32];
	const char		*vars[3];
	unsigned		 handed;

	/* Inherited SIG_IGN would let the kernel reap C, status and all. */
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);	/* a reader gone is EPIPE, not death */
	/*
	 * One monitor per container: keep the heap small.  Big, short-lived
	 * buffers (libseccomp's at startup, a long line's JSON) get their
	 * own mapping and go back to the kernel when freed.
	 */
	mallopt(M_MMAP_THRESHOLD, 16 * 1024);
	mallopt(M_TRIM_THRESHOLD, 16 * 1024);
	mallopt(M_TOP_PAD, 0);
	setproctitle_init(argc, argv, environ);
	handed = mon_handed();
	log_init(1, 0, "monitor");	/* stderr until we know more */
	mon_args(argc, argv, &m, &a);
	(void)snprintf(title, sizeof(title), "monitor %.12s", m.id);
	mon_claim(&m, &a, handed, title);
	setproctitle("-celld: %s", title);
	m.lfd = -1;
	mon_setup(&m, &a);
	vars[0] = a.dir;
	vars[1] = a.run;
	vars[2] = NULL;
	privsep_drop(&mon_privs, vars);
	/* what setup used (libseccomp's filter above all) goes back now */
	malloc_trim(0);
	log_debug("pid %d: watching, log cap %lld", m.pid,
	    (long long)a.logmax);
	mon_loop(&m);
	mon_finish(&m);
	return 0;
}

#ifdef SBX_PROBE
/* tests/security/sbx_probe applies this very table and attacks it */
const struct proc_privs *monitor_table = &mon_privs;
#endif
