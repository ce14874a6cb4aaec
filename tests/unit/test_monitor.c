/*
 * test_monitor.c: drives celld-monitor standalone, started as spawn-
 * helper's R starts it (monitor_harness.c): its privileges, memory, log,
 * cap, attach, control socket and exit record.  Needs root and the users
 * of tests/users.sh; the monitor is $B/celld-monitor (or argv[1]).
 * TEST_MONITOR_SMAPS=1 shows the monitor's private memory by mapping.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "imsg/msg.h"
#include "tests/unit/monitor_harness.h"
#include "tests/unit/tap.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* make asan builds the monitor with the same flags as this test */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED	1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED	0
#endif

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

static void
c_tty(void)
{
	xwrite(1, "tty line\n", 9);
	usleep(500000);		/* while the test looks at its terminal */
	_exit(4);
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
	if (SANITIZED)
		printf("skip - memory: not measured under a sanitizer\n");
	else
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

/* What the client's terminal shows until the monitor is gone. */
static size_t
tty_read(struct run *r, char *buf, size_t size)
{
	siginfo_t	si;
	ssize_t		n;
	size_t		len = 0;
	int		i;

	if (fcntl(r->out, F_SETFL, O_NONBLOCK) == -1)
		die("fcntl");
	for (i = 0; i < 500 && len < size - 1; i++) {
		if ((n = read(r->out, buf + len, size - 1 - len)) > 0)
			len += (size_t)n;
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, r->mon, &si, WEXITED | WNOHANG | WNOWAIT) ==
		    0 && si.si_pid == r->mon)
			break;
		usleep(10000);
	}
	buf[len] = '\0';
	return len;
}

static int
tty_blocking(const struct run *r)
{
	int	fl = fcntl(r->tty, F_GETFL);

	return fl != -1 && !(fl & O_NONBLOCK);
}

/* attack: the monitor leaves the user's terminal non-blocking */
static void
t_tty(void)
{
	struct run	r;
	struct rec	recs[2];
	struct exitrec	x;
	char		buf[256];
	int		n;

	run_start(&r, c_tty, "0", NULL, R_TTY | R_CLTTY);
	run_ready(&r);
	run_go(&r);
	tty_read(&r, buf, sizeof(buf));
	T_EQ(run_wait(&r, 20), 0, "tty: monitor exits 0, EIO is EOF");
	T_OK(tty_blocking(&r), "tty: the client's terminal is left blocking");
	T_OK(strstr(buf, "tty line") != NULL,
	    "tty: output copied to the client's terminal");
	T_OK(exit_read(&r, &x) == 0 && x.status == 4, "tty: exit_status 4");
	n = log_read(r.dir, "log", recs, 2);
	T_OK(n == 1 && rec_is(&recs[0], "stdout", "tty line\r\n"),
	    "tty: logged as stdout, with the tty's CR");
	recs_free(recs, n > 0 ? n : 0);
	run_clean(&r);
}

/* attack: a terminal that is never read stalls the monitor (no RWF_NOWAIT) */
static void
t_ttyflood(void)
{
	static struct rec recs[30001];
	struct run	r;
	time_t		t0 = time(NULL);
	int		n;

	run_start(&r, c_flood, "0", NULL, R_CLTTY);
	run_ready(&r);
	run_go(&r);
	T_EQ(run_wait(&r, 30), 0, "ttyflood: monitor exits 0, tty unread");
	T_OK(time(NULL) - t0 < 15, "ttyflood: in bounded time");
	T_OK(tty_blocking(&r), "ttyflood: the terminal is left blocking");
	n = log_read(r.dir, "log", recs, 30001);
	T_OK(n == 30000 && atoi(recs[29999].text) == 29999,
	    "ttyflood: the log has every line");
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
	{ "tty", t_tty }, { "ttyflood", t_ttyflood }, { "args", t_args },
	{ "pidfd", t_pidfd },
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
		h_env[0] = *getenv("TEST_MONITOR_TUNABLES") ?
		    getenv("TEST_MONITOR_TUNABLES") : NULL;
	if (h_env[0] != NULL && getenv("ASAN_OPTIONS") != NULL &&
	    asprintf(&h_env[1], "ASAN_OPTIONS=%s", getenv("ASAN_OPTIONS")) ==
	    -1)
		die("asprintf");
	celld_uid = pw->pw_uid;
	celld_gid = pw->pw_gid;
	signal(SIGPIPE, SIG_IGN);
	alarm(300);	/* nothing here may hang make check */
	for (i = 0; i < nitems(cases); i++)
		if (argc < 3 || strcmp(argv[2], cases[i].name) == 0)
			cases[i].fn();
	return tap_done();
}
