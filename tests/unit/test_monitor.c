/*
 * test_monitor.c: drives celld-monitor standalone, as spawn-helper's R
 * would start it.  For each case a process H forks the "container" C,
 * takes C's pidfd, lays out fds 3-9, becomes _celld with no capabilities,
 * an empty bounding set and no_new_privs, and execs the monitor: so the
 * monitor is C's parent.  C waits until the test releases it, so checks
 * on the running monitor see it in its steady state.  Needs root and the
 * users of tests/users.sh; the monitor is $B/celld-monitor (or argv[1]).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/capability.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "imsg/imsg.h"
#include "imsg/msg.h"
#include "tests/unit/tap.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define ID	"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"

typedef void	(*child_fn)(void);

static const char	*monitor_bin;
static uid_t		 celld_uid;
static gid_t		 celld_gid;

struct run {
	char		 base[64];
	char		 storage[128];
	char		 rundir[128];
	char		 dir[256];	/* storage/containers/ID */
	char		 sock[256];
	pid_t		 mon;		/* H, then the monitor */
	pid_t		 child;		/* C */
	int		 go;		/* closing it releases C */
	int		 in;		/* attached stdin, write end */
	int		 out;		/* attached stdout, read end */
	int		 err;		/* attached stderr, read end */
};

#define R_ATTACH	0x1	/* give the monitor fds 7, 8, 9 */
#define R_NOTCHILD	0x2	/* fd 3: a pidfd of someone else */

static void
die(const char *what)
{
	perror(what);
	exit(2);
}

static void
xwrite(int fd, const void *buf, size_t n)
{
	const char	*p = buf;
	ssize_t		 w;

	for (; n > 0; p += w, n -= (size_t)w)
		if ((w = write(fd, p, n)) <= 0)
			die("write");
}

/* ---- C: the container ------------------------------------------------ */

static void
c_basic(void)
{
	char	buf[256];
	ssize_t	n, len = 0;

	xwrite(1, "hello out\n", 10);
	xwrite(2, "hello err\n", 10);
	while ((n = read(0, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	xwrite(1, "stdin:", 6);
	xwrite(1, buf, (size_t)len);
	_exit(3);
}

static void
c_kill(void)
{
	xwrite(1, "before kill\n", 12);
	raise(SIGKILL);
}

static void
c_lines(void)	/* 200 lines of 100 bytes */
{
	char	line[101];
	int	i;

	for (i = 0; i < 200; i++) {
		snprintf(line, sizeof(line), "%03d %095d\n", i, 0);
		xwrite(1, line, 100);
	}
	_exit(0);
}

static void
c_partial(void)
{
	static char	buf[40000];

	memset(buf, 'x', sizeof(buf));
	xwrite(1, buf, sizeof(buf));
	_exit(0);
}

static void
c_utf8(void)
{
	static char	buf[16390];

	xwrite(1, "a\xff" "b\n", 4);
	/* U+00E9 straddles the 16 KiB cut */
	memset(buf, 'y', 16383);
	memcpy(buf + 16383, "\xc3\xa9\n", 3);
	xwrite(1, buf, 16386);
	_exit(0);
}

static void
c_flood(void)	/* 3 MiB to stdout; the attached client reads none */
{
	char	line[101];
	int	i;

	for (i = 0; i < 30000; i++) {
		snprintf(line, sizeof(line), "%05d %093d\n", i, 0);
		xwrite(1, line, 100);
	}
	_exit(0);
}

/* ---- H: R's part ----------------------------------------------------- */

/* Lay src[i] onto fd 3 + i, or leave 3 + i shut where src[i] is -1. */
static void
h_layout(const int *src, int n)
{
	int	tmp[8], i;

	for (i = 0; i < n; i++)
		if (src[i] != -1 &&
		    (tmp[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 64)) == -1)
			die("dup");
	for (i = 0; i < n; i++) {
		if (src[i] == -1)
			close(3 + i);
		else if (dup2(tmp[i], 3 + i) == -1)
			die("dup2");
	}
	closefrom(3 + n);
}

/* As R: bounding set, groups, gid, uid (no keepcaps), no_new_privs. */
static void
h_drop(void)
{
	int	c;

	for (c = 0; c <= CAP_LAST_CAP; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == -1 && errno != EINVAL)
			die("bounding");
	if (setgroups(1, &celld_gid) == -1 ||
	    setresgid(celld_gid, celld_gid, celld_gid) == -1 ||
	    setresuid(celld_uid, celld_uid, celld_uid) == -1)
		die("setuid");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		die("nnp");
}

/* As R's: nothing from the test's environment */
static char	*h_env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL, NULL };

static void
h_exec(struct run *r, const char *logmax, const char *pidarg, pid_t c)
{
	char	*argv[16], pid[16];
	int	 i = 0;

	argv[i++] = (char *)monitor_bin;
	argv[i++] = "-d";
	argv[i++] = "-i";
	argv[i++] = ID;
	argv[i++] = "-s";
	argv[i++] = r->storage;
	argv[i++] = "-r";
	argv[i++] = r->rundir;
	argv[i++] = "-m";
	argv[i++] = (char *)logmax;
	if (pidarg != NULL) {	/* "C": C's own pid */
		snprintf(pid, sizeof(pid), "%d", c);
		argv[i++] = "-p";
		argv[i++] = strcmp(pidarg, "C") == 0 ? pid : (char *)pidarg;
	}
	argv[i] = NULL;
	/* The monitor must undo an inherited SIG_IGN, or C's status is lost */
	signal(SIGCHLD, SIG_IGN);
	h_drop();
	execve(monitor_bin, argv, h_env);
	die("exec");
}

/* ---- the test's side ------------------------------------------------- */

static void
mkdir_as(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	if (mkdir(path, mode) == -1 || chown(path, uid, gid) == -1 ||
	    chmod(path, mode) == -1)
		die(path);
}

static void
run_dirs(struct run *r)
{
	char	p[160];

	strcpy(r->base, "/tmp/tmon.XXXXXX");
	if (mkdtemp(r->base) == NULL || chmod(r->base, 0755) == -1)
		die("mkdtemp");
	snprintf(r->storage, sizeof(r->storage), "%s/storage", r->base);
	snprintf(r->rundir, sizeof(r->rundir), "%s/run", r->base);
	mkdir_as(r->storage, 0755, 0, 0);
	snprintf(p, sizeof(p), "%s/containers", r->storage);
	mkdir_as(p, 0755, 0, 0);
	snprintf(r->dir, sizeof(r->dir), "%s/%s", p, ID);
	mkdir_as(r->dir, 0700, celld_uid, celld_gid);
	mkdir_as(r->rundir, 0755, 0, 0);
	snprintf(p, sizeof(p), "%s/monitors", r->rundir);
	mkdir_as(p, 0700, celld_uid, celld_gid);
	snprintf(r->sock, sizeof(r->sock), "%s/%s.sock", p, ID);
}

static void
xpipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) == -1)
		die("pipe");
}

/* In H: fork C, tell the test its pid, then become the monitor. */
static void
run_h(struct run *r, int pp[7][2], int report, child_fn fn,
    const char *logmax, const char *pidarg, int flags)
{
	int	src[7], pidfd;
	pid_t	c;
	char	b;

	if ((c = fork()) == -1)
		die("fork");
	if (c == 0) {
		if (dup2(pp[2][0], 0) == -1 || dup2(pp[0][1], 1) == -1 ||
		    dup2(pp[1][1], 2) == -1 || dup2(pp[6][0], 3) == -1)
			die("dup2");
		closefrom(4);
		(void)read(3, &b, 1);	/* until the test lets go */
		close(3);
		fn();
		_exit(0);
	}
	/* R_NOTCHILD: a pidfd of the test, which is no child of ours */
	if ((pidfd = pidfd_open(flags & R_NOTCHILD ? getppid() : c, 0)) ==
	    -1)
		die("pidfd_open");
	xwrite(report, &c, sizeof(c));
	src[0] = pidfd;
	src[1] = pp[0][0];
	src[2] = pp[1][0];
	src[3] = pp[2][1];
	src[4] = flags & R_ATTACH ? pp[3][0] : -1;
	src[5] = flags & R_ATTACH ? pp[4][1] : -1;
	src[6] = flags & R_ATTACH ? pp[5][1] : -1;
	h_layout(src, 7);
	h_exec(r, logmax, pidarg, c);
}

static void
run_start(struct run *r, child_fn fn, const char *logmax, const char *pidarg,
    int flags)
{
	int	pp[7][2], rep[2], i;

	memset(r, 0, sizeof(*r));
	run_dirs(r);
	/* C's out, err, in; the client's in, out, err; go */
	for (i = 0; i < 7; i++)
		xpipe(pp[i]);
	xpipe(rep);
	if ((r->mon = fork()) == -1)
		die("fork");
	if (r->mon == 0)
		run_h(r, pp, rep[1], fn, logmax, pidarg, flags);
	close(rep[1]);
	if (read(rep[0], &r->child, sizeof(r->child)) != sizeof(r->child))
		die("child pid");
	close(rep[0]);
	r->go = pp[6][1];
	r->in = pp[3][1];
	r->out = pp[4][0];
	r->err = pp[5][0];
	pp[6][1] = pp[3][1] = pp[4][0] = pp[5][0] = -1;
	for (i = 0; i < 7; i++) {
		if (pp[i][0] != -1)
			close(pp[i][0]);
		if (pp[i][1] != -1)
			close(pp[i][1]);
	}
	if (!(flags & R_ATTACH)) {
		close(r->in);
		close(r->out);
		close(r->err);
		r->in = r->out = r->err = -1;
	}
}

/* Wait for the monitor's socket: it has reset SIGCHLD by then. */
static void
run_ready(const struct run *r)
{
	int	i;

	for (i = 0; i < 500 && access(r->sock, F_OK) == -1; i++)
		usleep(10000);
}

/* Let C run. */
static void
run_go(struct run *r)
{
	close(r->go);
	r->go = -1;
}

/* The monitor's exit status, or -1 if it outlived timeout seconds. */
static int
run_wait(struct run *r, int timeout)
{
	int	st, i;
	pid_t	p;

	for (i = 0; i < timeout * 100; i++) {
		if ((p = waitpid(r->mon, &st, WNOHANG)) == r->mon)
			return WIFEXITED(st) ? WEXITSTATUS(st) :
			    128 + WTERMSIG(st);
		usleep(10000);
	}
	kill(r->mon, SIGKILL);
	waitpid(r->mon, &st, 0);
	return -1;
}

static void
run_clean(struct run *r)
{
	char	cmd[128];

	if (r->go != -1)
		close(r->go);
	if (r->in != -1)
		close(r->in);
	if (r->out != -1)
		close(r->out);
	if (r->err != -1)
		close(r->err);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", r->base);
	if (system(cmd) != 0)
		T_DIAG("could not remove %s", r->base);
}

/* ---- a control client ------------------------------------------------ */

struct client {
	pid_t	pid;
	int	fd;		/* states come through here */
};

#define CL_BAD	0x1		/* send a frame after the first state */

static int
cl_connect(const char *path)
{
	struct sockaddr_un	sun;
	int			fd, i;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	for (i = 0; i < 500; i++) {	/* the monitor may still start */
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) ==
		    -1)
			return -1;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return fd;
		close(fd);
		usleep(10000);
	}
	return -1;
}

/* Read frames until EOF: exit 0, 3 no connection, 4 bad frame, 5 slow. */
static void __attribute__((noreturn))
cl_main(const char *path, int report, int flags)
{
	struct imsgbuf	ib;
	struct imsg	imsg;
	struct pollfd	pfd;
	ssize_t		n;
	int		fd, sent = 0;

	if ((fd = cl_connect(path)) == -1 || imsgbuf_init(&ib, fd) == -1)
		_exit(3);
	for (;;) {
		while ((n = imsg_get(&ib, &imsg)) > 0) {
			if (imsg.hdr.type == MSG_MON_STATE &&
			    imsg.datalen == sizeof(struct msg_mon_state))
				xwrite(report, imsg.data, imsg.datalen);
			imsg_free(&imsg);
			if ((flags & CL_BAD) && !sent++ &&
			    (imsg_compose(&ib, MSG_PING, 0, 0, -1, NULL, 0) ==
			    -1 || imsgbuf_flush(&ib) == -1))
				_exit(3);
		}
		if (n == -1)
			_exit(4);
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 10000) != 1)
			_exit(5);
		if ((n = imsgbuf_read(&ib)) == 0 || (n == -1 &&
		    errno == ECONNRESET))
			_exit(0);
		if (n == -1)
			_exit(4);
	}
}

static void
cl_start(struct client *cl, const char *path, uid_t uid, gid_t gid,
    int flags)
{
	int	p[2];

	xpipe(p);
	if ((cl->pid = fork()) == -1)
		die("fork");
	if (cl->pid == 0) {
		/* hold no copy of the test's pipes: C waits for their EOF */
		if (dup2(p[1], 3) == -1)
			_exit(6);
		closefrom(4);
		if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
		    setresuid(uid, uid, uid) == -1)
			_exit(6);
		cl_main(path, 3, flags);
	}
	close(p[1]);
	cl->fd = p[0];
}

/* The next state, 1; or 0 when the client is done. */
static int
cl_next(struct client *cl, struct msg_mon_state *ms)
{
	ssize_t	n;

	n = read(cl->fd, ms, sizeof(*ms));
	return n == (ssize_t)sizeof(*ms);
}

/* How the client ended (cl_main's codes). */
static int
cl_end(struct client *cl)
{
	int	st;

	close(cl->fd);
	if (waitpid(cl->pid, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* ---- what the monitor left ------------------------------------------ */

struct rec {
	char	 stream[8];
	char	*text;
	size_t	 len;
};

static int
rec_time_ok(const char *t)
{
	/* 2026-11-23T13:45:01.123456789Z */
	return strlen(t) == 30 && t[4] == '-' && t[10] == 'T' &&
	    t[19] == '.' && t[29] == 'Z';
}

/* One log line into rec: exactly log, stream, time. */
static int
rec_parse(const char *line, size_t n, struct rec *rec)
{
	json_t		*o;
	json_error_t	 e;
	const char	*text, *stream, *t;
	size_t		 len;
	int		 r = -1;

	if ((o = json_loadb(line, n, 0, &e)) == NULL) {
		T_DIAG("bad json: %s: %.80s", e.text, line);
		return -1;
	}
	if (json_unpack(o, "{s:s%,s:s,s:s!}", "log", &text, &len, "stream",
	    &stream, "time", &t) == 0 && rec_time_ok(t) &&
	    strlen(stream) < sizeof(rec->stream) &&
	    (rec->text = malloc(len + 1)) != NULL) {
		memcpy(rec->text, text, len);
		rec->text[len] = '\0';
		rec->len = len;
		strcpy(rec->stream, stream);
		r = 0;
	} else
		T_DIAG("bad record: %.80s", line);
	json_decref(o);
	return r;
}

/* Every line of a log file; the count, or -1 if any line is bad. */
static int
log_read(const char *dir, const char *name, struct rec *recs, int max)
{
	char	 path[512], *line = NULL, *p;
	size_t	 cap = 0;
	ssize_t	 n;
	FILE	*f;
	int	 i = 0, bad = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while ((n = getline(&line, &cap, f)) > 0) {
		p = line;
		if (line[n - 1] != '\n' || i == max ||
		    rec_parse(p, (size_t)n - 1, &recs[i]) == -1)
			bad = 1;
		else
			i++;
	}
	free(line);
	fclose(f);
	return bad ? -1 : i;
}

static void
recs_free(struct rec *recs, int n)
{
	while (n-- > 0)
		free(recs[n].text);
}

static int
rec_is(const struct rec *r, const char *stream, const char *text)
{
	return strcmp(r->stream, stream) == 0 && r->len == strlen(text) &&
	    memcmp(r->text, text, r->len) == 0;
}

static off_t
file_size(const char *dir, const char *name)
{
	char		path[512];
	struct stat	st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == -1 ? -1 : st.st_size;
}

struct exitrec {
	int		status;
	int		pid;
	long long	started;
	long long	finished;
};

static int
exit_read(const struct run *r, struct exitrec *x)
{
	char		path[512];
	json_t		*o;
	json_error_t	 e;
	json_int_t	 st, fi;
	int		 rc;

	snprintf(path, sizeof(path), "%s/exit", r->dir);
	if ((o = json_load_file(path, 0, &e)) == NULL)
		return -1;
	rc = json_unpack(o, "{s:i,s:I,s:I,s:i!}", "exit_status", &x->status,
	    "finished", &fi, "started", &st, "pid", &x->pid);
	x->started = st;
	x->finished = fi;
	json_decref(o);
	return rc;
}

/* ---- the monitor seen from /proc ------------------------------------ */

struct pstat {
	long			uid;
	unsigned long long	eff, prm, bnd, inh, amb;
	int			nnp;
	int			seccomp;
	long			uss;	/* KiB */
	long			dirty;	/* KiB, the part of it written */
};

static void
proc_line(const char *l, struct pstat *ps)
{
	long	u[4];

	if (sscanf(l, "Uid:\t%ld\t%ld\t%ld\t%ld", &u[0], &u[1], &u[2],
	    &u[3]) == 4)
		ps->uid = u[0] == u[1] && u[1] == u[2] && u[2] == u[3] ?
		    u[0] : -1;
	sscanf(l, "CapEff:\t%llx", &ps->eff);
	sscanf(l, "CapPrm:\t%llx", &ps->prm);
	sscanf(l, "CapBnd:\t%llx", &ps->bnd);
	sscanf(l, "CapInh:\t%llx", &ps->inh);
	sscanf(l, "CapAmb:\t%llx", &ps->amb);
	sscanf(l, "NoNewPrivs:\t%d", &ps->nnp);
	sscanf(l, "Seccomp:\t%d", &ps->seccomp);
}

static int
proc_read(pid_t pid, struct pstat *ps)
{
	char	 path[64], l[256];
	FILE	*f;
	long	 kb, pc = -1, pd = -1;

	memset(ps, 0xff, sizeof(*ps));
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(l, sizeof(l), f) != NULL)
		proc_line(l, ps);
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(l, sizeof(l), f) != NULL) {
		if (sscanf(l, "Private_Clean: %ld kB", &kb) == 1)
			pc = kb;
		if (sscanf(l, "Private_Dirty: %ld kB", &kb) == 1)
			pd = kb;
	}
	fclose(f);
	ps->uss = pc < 0 || pd < 0 ? -1 : pc + pd;
	ps->dirty = pd;
	return 0;
}

/* TEST_MONITOR_SMAPS=1: where the private memory is, mapping by mapping */
static void
proc_smaps(pid_t pid)
{
	char		 path[64], l[256], name[256] = "", perm[8];
	FILE		*f;
	long		 kb, priv = 0, dirty = 0;
	unsigned long	 a, b;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	if ((f = fopen(path, "re")) == NULL)
		return;
	while (fgets(l, sizeof(l), f) != NULL) {
		if (sscanf(l, "Private_Clean: %ld kB", &kb) == 1)
			priv += kb;
		else if (sscanf(l, "Private_Dirty: %ld kB", &kb) == 1) {
			priv += kb;
			dirty += kb;
		} else if (sscanf(l, "%lx-%lx %4s", &a, &b, perm) == 3) {
			if (priv > 0)
				T_DIAG("%5ld KiB (%ld dirty) %.60s", priv, dirty,
				    name + 26);
			priv = dirty = 0;
			l[strcspn(l, "\n")] = '\0';
			memcpy(name, l, sizeof(name));
		}
	}
	if (priv > 0)
		T_DIAG("%5ld KiB (%ld dirty) %.60s", priv, dirty, name + 26);
	fclose(f);
}

static int
proc_title_ok(pid_t pid)
{
	char	 path[64], buf[128] = "";
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	(void)fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	return strncmp(buf, "celld: monitor 0123456789ab", 27) == 0;
}

/* All of fd until EOF, into buf. */
static size_t
read_all(int fd, char *buf, size_t size)
{
	size_t	len = 0;
	ssize_t	n;

	while (len < size - 1 && (n = read(fd, buf + len,
	    size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return len;
}

/* ---- the cases ------------------------------------------------------ */

static void
check_privs(const struct run *r)
{
	struct pstat	ps;
	struct stat	st;

	if (!T_OK(proc_read(r->mon, &ps) == 0, "privs: /proc of the monitor"))
		return;
	T_EQ(ps.uid, celld_uid, "privs: uid is _celld");
	T_EQ(ps.eff | ps.prm | ps.inh | ps.amb, 0,
	    "privs: CapEff, CapPrm, CapInh, CapAmb empty");
	T_EQ(ps.bnd, 0, "privs: CapBnd empty");
	T_EQ(ps.nnp, 1, "privs: no_new_privs");
	T_EQ(ps.seccomp, 2, "privs: seccomp filter");
	T_OK(proc_title_ok(r->mon), "privs: title celld: monitor ID12");
	T_OK(stat(r->sock, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    (st.st_mode & 0777) == 0600 && st.st_uid == celld_uid,
	    "control: socket is _celld's, mode 0600");
}

/*
 * What one more container costs: the USS (Private_Clean + Private_Dirty)
 * of a monitor while a second one runs.  Alone, every page of text that
 * nothing else maps counts as private; on a host with many containers
 * the monitors share it.
 */
static void
check_memory(const struct run *r)
{
	struct run		r2;
	struct client		cl;
	struct msg_mon_state	ms;
	struct pstat		alone, ps;

	if (proc_read(r->mon, &alone) == -1)
		alone.uss = alone.dirty = -1;
	run_start(&r2, c_lines, "0", NULL, 0);
	cl_start(&cl, r2.sock, celld_uid, celld_gid, 0);
	(void)cl_next(&cl, &ms);	/* the second one is in its loop */
	if (proc_read(r->mon, &ps) == -1)
		ps.uss = ps.dirty = -1;
	T_DIAG("monitor USS %ld KiB beside another monitor (%ld dirty); "
	    "alone %ld KiB", ps.uss, ps.dirty, alone.uss);
	if (getenv("TEST_MONITOR_SMAPS") != NULL)
		proc_smaps(r->mon);
	T_OK(ps.uss > 0 && ps.uss < 200,
	    "memory: a monitor beside another has a USS under 200 KiB");
	run_go(&r2);
	T_EQ(run_wait(&r2, 20), 0, "memory: the second monitor exits 0");
	(void)cl_end(&cl);
	run_clean(&r2);
}

/* Peers: ours gets the state, root and a talker are shown the door. */
static void
check_peers(const struct run *r, struct client *held)
{
	struct msg_mon_state	ms;
	struct client		cl;

	if (T_OK(cl_next(held, &ms), "control: state on connect")) {
		T_OK(strcmp(ms.id, ID) == 0, "control: state names the id");
		T_EQ(ms.running, 1, "control: running=1");
		T_EQ(ms.pid, r->child, "control: pid is C's");
		T_OK(ms.started > 0 && ms.started <= time(NULL),
		    "control: started is set");
	}
	cl_start(&cl, r->sock, 0, 0, 0);
	T_EQ(cl_next(&cl, &ms), 0, "control: root peer gets nothing");
	T_EQ(cl_end(&cl), 0, "control: root peer closed at once");
	cl_start(&cl, r->sock, celld_uid, celld_gid, CL_BAD);
	T_EQ(cl_next(&cl, &ms), 1, "control: talker gets the state");
	T_EQ(cl_next(&cl, &ms), 0, "control: then nothing more");
	T_EQ(cl_end(&cl), 0, "control: talker is closed after a message");
}

static void
check_basic_log(const struct run *r)
{
	struct rec	recs[8], *o[4], *e[4];
	int		n, i, no = 0, ne = 0;

	n = log_read(r->dir, "log", recs, 8);
	if (!T_EQ(n, 3, "log: three valid json-file records"))
		return;
	for (i = 0; i < n; i++) {
		if (strcmp(recs[i].stream, "stdout") == 0 && no < 4)
			o[no++] = &recs[i];
		else if (ne < 4)
			e[ne++] = &recs[i];
	}
	T_OK(no == 2 && rec_is(o[0], "stdout", "hello out\n") &&
	    rec_is(o[1], "stdout", "stdin:typed\n"),
	    "log: stdout lines, in order, stdin went through");
	T_OK(ne == 1 && rec_is(e[0], "stderr", "hello err\n"),
	    "log: stderr line");
	recs_free(recs, n);
}

static void
t_basic(void)
{
	struct run		r;
	struct client		held;
	struct msg_mon_state	ms;
	struct exitrec		x;
	char			out[256], err[256];

	run_start(&r, c_basic, "1048576", NULL, R_ATTACH);
	cl_start(&held, r.sock, celld_uid, celld_gid, 0);
	check_peers(&r, &held);
	check_privs(&r);
	check_memory(&r);
	T_EQ(write(r.in, "typed\n", 6), 6, "attach: stdin taken");
	close(r.in);
	r.in = -1;
	run_go(&r);
	read_all(r.out, out, sizeof(out));
	read_all(r.err, err, sizeof(err));
	T_EQ(run_wait(&r, 20), 0, "exit: monitor exits 0 after C");
	T_OK(strcmp(out, "hello out\nstdin:typed\n") == 0,
	    "attach: stdout copied to fd 8");
	T_OK(strcmp(err, "hello err\n") == 0, "attach: stderr copied to fd 9");
	T_OK(cl_next(&held, &ms) && ms.running == 0 && ms.exit_status == 3,
	    "control: running=0, exit 3, to a connection held open");
	T_EQ(cl_end(&held), 0, "control: connection closed at exit");
	if (T_EQ(exit_read(&r, &x), 0, "exit: record is json")) {
		T_EQ(x.status, 3, "exit: exit_status 3");
		T_EQ(x.pid, r.child, "exit: pid is C's");
		T_OK(x.started > 0 && x.finished >= x.started &&
		    x.finished <= time(NULL), "exit: started <= finished");
	}
	T_EQ(file_size(r.dir, "exit.tmp"), -1, "exit: no exit.tmp left");
	T_EQ(access(r.sock, F_OK), -1, "control: socket removed at exit");
	check_basic_log(&r);
	run_clean(&r);
}

static void
t_kill(void)
{
	struct run	r;
	struct exitrec	x;
	struct rec	recs[2];
	int		n;

	run_start(&r, c_kill, "1048576", "C", 0);
	run_ready(&r);
	run_go(&r);
	T_EQ(run_wait(&r, 20), 0, "kill: monitor exits 0 (with -p, no attach)");
	T_OK(exit_read(&r, &x) == 0 && x.status == 128 + SIGKILL,
	    "kill: exit_status 137 for SIGKILL");
	n = log_read(r.dir, "log", recs, 2);
	T_OK(n == 1 && rec_is(&recs[0], "stdout", "before kill\n"),
	    "kill: output before the signal is logged");
	recs_free(recs, n > 0 ? n : 0);
	run_clean(&r);
}

static void
t_cap(void)
{
	struct run	r;
	static struct rec recs[400];
	int		n1, n, i, ok = 1;
	off_t		s, s1;

	run_start(&r, c_lines, "4096", NULL, 0);
	run_ready(&r);
	run_go(&r);
	T_EQ(run_wait(&r, 20), 0, "cap: monitor exits 0");
	s = file_size(r.dir, "log");
	s1 = file_size(r.dir, "log.1");
	T_DIAG("cap 4096: log %lld bytes, log.1 %lld bytes", (long long)s,
	    (long long)s1);
	T_OK(s > 0 && s <= 4096 && s1 > 0 && s1 <= 4096,
	    "cap: log and log.1 both exist, each within the cap");
	n1 = log_read(r.dir, "log.1", recs, 400);
	n = n1 < 0 ? -1 : log_read(r.dir, "log", recs + n1, 400 - n1);
	if (T_OK(n1 > 0 && n > 0, "cap: both files are json-file logs")) {
		for (i = 0; i < n1 + n; i++)
			ok &= recs[i].len == 100 && atoi(recs[i].text) ==
			    200 - (n1 + n) + i;
		T_OK(ok && atoi(recs[n1 + n - 1].text) == 199,
		    "cap: the newest lines survive, in order");
		recs_free(recs, n1 + n);
	}
	run_clean(&r);
}

static void
t_partial(void)
{
	struct run	r;
	struct rec	recs[4];
	int		n, i, ok = 1;

	run_start(&r, c_partial, "0", NULL, 0);
	run_ready(&r);
	run_go(&r);
	T_EQ(run_wait(&r, 20), 0, "partial: monitor exits 0 (-m 0, no cap)");
	n = log_read(r.dir, "log", recs, 4);
	if (T_EQ(n, 3, "partial: 40000 bytes, no newline: three records")) {
		for (i = 0; i < n; i++)
			ok &= strspn(recs[i].text, "x") == recs[i].len;
		T_OK(ok && recs[0].len == 16384 && recs[1].len == 16384 &&
		    recs[2].len == 40000 - 2 * 16384,
		    "partial: cut at 16 KiB, the rest flushed at EOF");
	}
	recs_free(recs, n > 0 ? n : 0);
	run_clean(&r);
}

static void
t_utf8(void)
{
	struct run	r;
	struct rec	recs[4];
	int		n;

	run_start(&r, c_utf8, "0", NULL, 0);
	run_ready(&r);
	run_go(&r);
	T_EQ(run_wait(&r, 20), 0, "utf8: monitor exits 0");
	n = log_read(r.dir, "log", recs, 4);
	if (T_EQ(n, 3, "utf8: records are valid json")) {
		T_OK(rec_is(&recs[0], "stdout", "a\xef\xbf\xbd" "b\n"),
		    "utf8: a bad byte becomes U+FFFD");
		T_OK(recs[1].len == 16383 &&
		    strspn(recs[1].text, "y") == 16383,
		    "utf8: a long line is cut before a character, not in it");
		T_OK(rec_is(&recs[2], "stdout", "\xc3\xa9\n"),
		    "utf8: the character starts the next piece whole");
	}
	recs_free(recs, n > 0 ? n : 0);
	run_clean(&r);
}

/* attack: an attached client that never reads must not stall C or its log */
static void
t_flood(void)
{
	struct run	r;
	static struct rec recs[30001];
	static char	buf[2 * 1024 * 1024];
	time_t		t0 = time(NULL);
	size_t		got;
	int		n;

	run_start(&r, c_flood, "0", NULL, R_ATTACH);
	run_ready(&r);
	close(r.in);
	r.in = -1;
	run_go(&r);
	T_EQ(run_wait(&r, 30), 0, "flood: monitor exits 0, client never read");
	T_OK(time(NULL) - t0 < 15, "flood: in bounded time");
	got = read_all(r.out, buf, sizeof(buf));
	T_DIAG("flood: the stuck client got %zu of 3000000 bytes", got);
	T_OK(got < 3000000, "flood: the client was cut off");
	n = log_read(r.dir, "log", recs, 30001);
	T_OK(n == 30000 && atoi(recs[29999].text) == 29999,
	    "flood: the log has every line");
	recs_free(recs, n > 0 ? n : 0);
	run_clean(&r);
}

static int
run_args(const char *id, const char *storage, const char *rundir,
    const char *logmax)
{
	pid_t	pid;
	int	st, fd;

	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) == -1 ||
		    dup2(fd, 2) == -1)
			_exit(2);
		execl(monitor_bin, monitor_bin, "-d", "-i", id, "-s", storage,
		    "-r", rundir, "-m", logmax, (char *)NULL);
		_exit(2);
	}
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void
t_args(void)
{
	T_EQ(run_args("0123", "/s", "/r", "0"), 1, "args: short id refused");
	T_EQ(run_args(ID "0", "/s", "/r", "0"), 1, "args: long id refused");
	T_EQ(run_args("0123456789ABCDEF0123456789abcdef"
	    "0123456789abcdef0123456789abcdef", "/s", "/r", "0"), 1,
	    "args: upper-case id refused");
	T_EQ(run_args(ID, "s", "/r", "0"), 1, "args: relative storage refused");
	T_EQ(run_args(ID, "/s", "/r/../x", "0"), 1, "args: .. refused");
	T_EQ(run_args(ID, "/s", "/r", "100"), 1, "args: tiny log cap refused");
	T_EQ(run_args(ID, "/s", "/r", "-1"), 1, "args: negative cap refused");
}

static void
t_pidfd(void)
{
	struct run	r;

	run_start(&r, c_lines, "0", "1", 0);
	T_EQ(run_wait(&r, 20), 1, "pidfd: -p that disagrees with fd 3 fails");
	run_go(&r);
	run_clean(&r);
	run_start(&r, c_lines, "0", NULL, R_NOTCHILD);
	T_EQ(run_wait(&r, 20), 1, "pidfd: a pidfd of no child of ours fails");
	run_go(&r);
	run_clean(&r);
}

static const struct {
	const char	*name;
	void		(*fn)(void);
} cases[] = {
	{ "basic", t_basic }, { "kill", t_kill }, { "cap", t_cap },
	{ "partial", t_partial }, { "utf8", t_utf8 }, { "flood", t_flood },
	{ "args", t_args }, { "pidfd", t_pidfd },
};

/* usage: test_monitor [celld-monitor [case]] */
int
main(int argc, char **argv)
{
	struct passwd	*pw;
	size_t		 i;
	static char	 bin[PATH_MAX];
	const char	*b = getenv("B");

	if (argc > 1)
		monitor_bin = argv[1];
	else {
		snprintf(bin, sizeof(bin), "%s/celld-monitor", b ? b : "build");
		monitor_bin = bin;
	}
	if (geteuid() != 0 || (pw = getpwnam("_celld")) == NULL ||
	    access(monitor_bin, X_OK) == -1) {
		printf("skip - test_monitor needs root, _celld (tests/users.sh)"
		    " and %s\n", monitor_bin);
		return 0;
	}
	if (getenv("TEST_MONITOR_TUNABLES") != NULL)
		h_env[1] = getenv("TEST_MONITOR_TUNABLES");
	celld_uid = pw->pw_uid;
	celld_gid = pw->pw_gid;
	signal(SIGPIPE, SIG_IGN);
	alarm(300);	/* nothing here may hang make check */
	for (i = 0; i < nitems(cases); i++)
		if (argc < 3 || strcmp(argv[2], cases[i].name) == 0)
			cases[i].fn();
	return tap_done();
}
