/*
 * monitor_harness.c: the test's stand-in for spawn-helper's R.  A process
 * H forks the "container" C, takes C's pidfd, lays out fds 3-9, becomes
 * _celld with no capabilities, an empty bounding set and no_new_privs,
 * and execs the monitor, which is so C's parent.  C waits for EOF on a
 * pipe, so a test sees the monitor in its steady state before C runs.
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
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg/imsg.h"
#include "tests/unit/monitor_harness.h"
#include "tests/unit/tap.h"

const char	*monitor_bin;
uid_t		 celld_uid;
gid_t		 celld_gid;

void
die(const char *what)
{
	perror(what);
	exit(2);
}

void
xwrite(int fd, const void *buf, size_t n)
{
	const char	*p = buf;
	ssize_t		 w;

	for (; n > 0; p += w, n -= (size_t)w)
		if ((w = write(fd, p, n)) <= 0)
			die("write");
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

/* As R (cell_drop): bounding set, groups, gid, uid without keepcaps. */
static void
h_drop(void)
{
	int	c;

	for (c = 0; c <= CAP_LAST_CAP; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == -1 && errno != EINVAL)
			die("bounding");
	if (setgroups(0, NULL) == -1 ||
	    setresgid(celld_gid, celld_gid, celld_gid) == -1 ||
	    setresuid(celld_uid, celld_uid, celld_uid) == -1)
		die("setuid");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		die("nnp");
}

/*
 * R's environment for the monitor, plus what we ask R to add: no tcache
 * in the monitor's malloc.  Its per-size caches pin chunks freed at
 * startup (libseccomp's) all over the heap, which then can't shrink:
 * about 30 KiB a monitor.  TEST_MONITOR_TUNABLES replaces it ("": none);
 * make asan's ASAN_OPTIONS is passed on (the sandbox can't host LSan).
 */
char	*h_env[] = { "GLIBC_TUNABLES=glibc.malloc.tcache_count=0", NULL, NULL };

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

void
xpipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) == -1)
		die("pipe");
}

/* Who gets which fd: C its stdio, the monitor its fds 3 to 9. */
struct wiring {
	int	cio[3];		/* C's 0, 1, 2 */
	int	mon[7];		/* the monitor's 3..9; [0] is made in H */
	int	go;		/* C waits for EOF on it */
	int	theirs[16];	/* every fd above, to close in the test */
	int	n;
};

static int
w_add(struct wiring *w, int fd)
{
	w->theirs[w->n++] = fd;
	return fd;
}

/* In H: fork C, tell the test its pid, then become the monitor. */
static void
run_h(struct run *r, struct wiring *w, int report, child_fn fn,
    const char *logmax, const char *pidarg, int flags)
{
	pid_t	c;
	char	b;

	if ((c = fork()) == -1)
		die("fork");
	if (c == 0) {
		if (dup2(w->cio[0], 0) == -1 || dup2(w->cio[1], 1) == -1 ||
		    dup2(w->cio[2], 2) == -1 || dup2(w->go, 3) == -1)
			die("dup2");
		closefrom(4);
		if (read(3, &b, 1) == -1)	/* until the test lets go */
			_exit(2);
		close(3);
		fn();
		_exit(0);
	}
	/* R_NOTCHILD: a pidfd of the test, which is no child of ours */
	if ((w->mon[0] = pidfd_open(flags & R_NOTCHILD ? getppid() : c,
	    0)) == -1)
		die("pidfd_open");
	xwrite(report, &c, sizeof(c));
	h_layout(w->mon, 7);
	h_exec(r, logmax, pidarg, c);
}

static void
xpty(int *m, int *s)
{
	if ((*m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1 ||
	    grantpt(*m) == -1 || unlockpt(*m) == -1 ||
	    (*s = open(ptsname(*m), O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		die("pty");
}

/* C's stdio: three pipes, or one tty (R_TTY: fd 4 its master, no 5, 6). */
static void
wire_c(struct wiring *w, int flags)
{
	int	p[3][2], i, m, sl;

	if (flags & R_TTY) {
		xpty(&m, &sl);
		w->cio[0] = w->cio[1] = w->cio[2] = w_add(w, sl);
		w->mon[1] = w_add(w, m);
		w->mon[2] = w->mon[3] = -1;
		return;
	}
	for (i = 0; i < 3; i++) {
		xpipe(p[i]);
		w_add(w, p[i][0]);
		w_add(w, p[i][1]);
	}
	w->cio[0] = p[2][0];
	w->cio[1] = p[0][1];
	w->cio[2] = p[1][1];
	w->mon[1] = p[0][0];
	w->mon[2] = p[1][0];
	w->mon[3] = p[2][1];
}

/* The client's stdio: pipes (R_ATTACH), or a terminal (R_CLTTY). */
static void
wire_client(struct run *r, struct wiring *w, int flags)
{
	int	p[3][2], i;

	w->mon[4] = w->mon[5] = w->mon[6] = -1;
	if (flags & R_CLTTY) {
		xpty(&r->out, &i);
		w->mon[5] = w->mon[6] = w_add(w, i);
		if ((r->tty = fcntl(i, F_DUPFD_CLOEXEC, 0)) == -1)
			die("dup");
	}
	if (!(flags & R_ATTACH))
		return;
	for (i = 0; i < 3; i++)
		xpipe(p[i]);
	w->mon[4] = w_add(w, p[0][0]);
	w->mon[5] = w_add(w, p[1][1]);
	w->mon[6] = w_add(w, p[2][1]);
	r->in = p[0][1];
	r->out = p[1][0];
	r->err = p[2][0];
}

void
run_start(struct run *r, child_fn fn, const char *logmax, const char *pidarg,
    int flags)
{
	struct wiring	w;
	int		go[2], rep[2], i;

	memset(r, 0, sizeof(*r));
	memset(&w, 0, sizeof(w));
	r->in = r->out = r->err = r->tty = -1;
	run_dirs(r);
	wire_c(&w, flags);
	wire_client(r, &w, flags);
	xpipe(go);
	w.go = w_add(&w, go[0]);
	r->go = go[1];
	xpipe(rep);
	if ((r->mon = fork()) == -1)
		die("fork");
	if (r->mon == 0)
		run_h(r, &w, rep[1], fn, logmax, pidarg, flags);
	close(rep[1]);
	if (read(rep[0], &r->child, sizeof(r->child)) != sizeof(r->child))
		die("child pid");
	close(rep[0]);
	for (i = 0; i < w.n; i++)
		close(w.theirs[i]);
}

/* Wait for the monitor's socket: it has reset SIGCHLD by then. */
void
run_ready(const struct run *r)
{
	int	i;

	for (i = 0; i < 500 && access(r->sock, F_OK) == -1; i++)
		usleep(10000);
}

/* Let C run. */
void
run_go(struct run *r)
{
	close(r->go);
	r->go = -1;
}

/* The monitor's exit status, or -1 if it outlived timeout seconds. */
int
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

void
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
	if (r->tty != -1)
		close(r->tty);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", r->base);
	if (system(cmd) != 0)
		T_DIAG("could not remove %s", r->base);
}

/* ---- a control client ------------------------------------------------ */





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

void
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
		if (setgroups(1, &gid) == -1 ||
		    setresgid(gid, gid, gid) == -1 ||
		    setresuid(uid, uid, uid) == -1)
			_exit(6);
		cl_main(path, 3, flags);
	}
	close(p[1]);
	cl->fd = p[0];
}

/* The next state, 1; or 0 when the client is done. */
int
cl_next(struct client *cl, struct msg_mon_state *ms)
{
	ssize_t	n;

	n = read(cl->fd, ms, sizeof(*ms));
	return n == (ssize_t)sizeof(*ms);
}

/* How the client ended (cl_main's codes). */
int
cl_end(struct client *cl)
{
	int	st;

	close(cl->fd);
	if (waitpid(cl->pid, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* ---- what the monitor left ------------------------------------------ */



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
int
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

void
recs_free(struct rec *recs, int n)
{
	while (n-- > 0)
		free(recs[n].text);
}

int
rec_is(const struct rec *r, const char *stream, const char *text)
{
	return strcmp(r->stream, stream) == 0 && r->len == strlen(text) &&
	    memcmp(r->text, text, r->len) == 0;
}

off_t
file_size(const char *dir, const char *name)
{
	char		path[512];
	struct stat	st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == -1 ? -1 : st.st_size;
}



int
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

int
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
void
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
				T_DIAG("%5ld KiB (%ld dirty) %.60s", priv,
				    dirty, name + 26);
			priv = dirty = 0;
			l[strcspn(l, "\n")] = '\0';
			memcpy(name, l, sizeof(name));
		}
	}
	if (priv > 0)
		T_DIAG("%5ld KiB (%ld dirty) %.60s", priv, dirty, name + 26);
	fclose(f);
}

int
proc_title_ok(pid_t pid)
{
	char	 path[64], buf[128];
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strncmp(buf, "celld: monitor 0123456789ab", 27) == 0;
}

/* All of fd until EOF, into buf. */
size_t
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
