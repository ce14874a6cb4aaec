/*
 * test_cgroup.c: parent/delegate.c and spawn-helper/cgroup.c on this
 * host's real cgroups (root only; anything else prints a skip line).
 *
 * main() stays root in its cgroup and forks a worker.  The worker moves
 * into a throwaway cgroup, celld-test.<pid> (tests/cgroup.sh), so that
 * it is "OWN" for cgroup_delegate(), which it runs as root like the
 * parent.  It then becomes _celld_spawn with spawn-helper's capabilities
 * and drives cgroup.c as spawn-helper would, on children it puts in
 * cells.  Whatever happens to the worker, main() then kills and removes
 * every process and cgroup under celld-test.<pid> (cgroup_cleanup -k).
 */
#include <sys/capability.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parent/parent.h"
#include "spawn-helper/spawn.h"
#include "tests/unit/tap.h"

#define MB		(1024LL * 1024)

/* spawn-helper/cgroup.c, built with -DCGROUP_TEST */
int	cgroup_test_read(const char *, const char *, char *, size_t);
int	cgroup_test_count(const char *);
int	cgroup_test_fallback(int);

static const char	*cgsh;		/* tests/cgroup.sh */
static char		 wrap[64];	/* celld-test.<pid> */
static int		 report[2];	/* children -> worker */
static pid_t		 testpid;

static void
nap(int ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Run a tests/cgroup.sh function, quietly unless it fails. */
static int
sh(const char *fn, const char *a1, const char *a2)
{
	pid_t	pid;
	int	st;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", ". \"$0\" && \"$@\"", cgsh, fn, a1,
		    a2, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) == -1)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void
reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static int
caps_set(const cap_value_t *v, int n)
{
	cap_t	cp;
	int	r;

	if ((cp = cap_init()) == NULL)
		return -1;
	if (n > 0 && (cap_set_flag(cp, CAP_PERMITTED, n, v, CAP_SET) == -1 ||
	    cap_set_flag(cp, CAP_EFFECTIVE, n, v, CAP_SET) == -1)) {
		cap_free(cp);
		return -1;
	}
	r = cap_set_proc(cp);
	cap_free(cp);
	return r;
}

/* Become spawn-helper: its user, its four capabilities. */
static int
become_spawn(const struct passwd *pw)
{
	static const cap_value_t v[] = { CAP_SETUID, CAP_SETGID,
	    CAP_SYS_ADMIN, CAP_KILL };

	if (prctl(PR_SET_KEEPCAPS, 1) == -1 || setgroups(0, NULL) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		return -1;
	return caps_set(v, 4);
}

/* Every hierarchy celld uses says we are in a celld-supervisor. */
static int
in_supervisor(void)
{
	const char	*want[] = { ",memory,", ",cpu,", ",cpuacct,", ",pids,",
	    ",freezer," };
	FILE		*fp;
	char		 line[2048], ctrl[256], *c, *path;
	size_t		 i, len;
	int		 n = 0, bad = 0, use;

	if ((fp = fopen("/proc/self/cgroup", "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((c = strchr(line, ':')) == NULL ||
		    (path = strchr(++c, ':')) == NULL)
			continue;
		*path++ = '\0';
		snprintf(ctrl, sizeof(ctrl), ",%s,", c);
		for (use = *c == '\0', i = 0; i < nitems(want); i++)
			use |= strstr(ctrl, want[i]) != NULL;
		if (!use)
			continue;
		n++;
		len = strlen(path);
		if (len < 17 ||
		    strcmp(path + len - 17, "/celld-supervisor") != 0) {
			T_DIAG("%s: in %s", *c ? c : "v2", path);
			bad++;
		}
	}
	fclose(fp);
	return n > 0 && bad == 0;
}

/*
 * Fork a child held back until it is in cell id, then running fn(arg)
 * with no capabilities, as a container's process would.
 */
static pid_t
in_cell(const char *id, void (*fn)(int), int arg)
{
	struct cg_join	cg;
	int		p[2];
	pid_t		pid;
	char		c;

	if (cgroup_join_open(id, &cg) == -1) {
		T_DIAG("join %s: %s", id, strerror(errno));
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) == -1 || (pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		close(p[0]);
		if (cgroup_join_self(&cg, 0) == -1 || caps_set(NULL, 0) == -1)
			_exit(99);
		if (write(p[1], "j", 1) != 1)
			_exit(99);
		close(p[1]);
		fn(arg);
		_exit(0);
	}
	cgroup_join_close(&cg);
	close(p[1]);
	if (read(p[0], &c, 1) != 1) {	/* it exits 99 before joining */
		T_DIAG("%d did not join %s", pid, id);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(p[0]);
		return -1;
	}
	close(p[0]);
	return pid;
}

static void
cell_done(const char *id)
{
	cgroup_kill(id);
	cgroup_remove(id);
	reap();
}

static int
knob(const char *id, const char *file, const char *want)
{
	char	buf[128];

	if (cgroup_test_read(id, file, buf, sizeof(buf)) == -1)
		return -1;
	if (strcmp(buf, want) != 0)
		T_DIAG("%s: read \"%s\", want \"%s\"", file, buf, want);
	return strcmp(buf, want) == 0;
}

static void
hog(int mb)
{
	volatile char	*p;
	size_t		 i, n = (size_t)mb * MB;

	if ((p = malloc(n)) == NULL)
		_exit(2);
	for (i = 0; i < n; i += 4096)
		p[i] = 1;
	_exit(0);
}

static void
spin(int unused)
{
	(void)unused;
	for (;;)
		;
}

/* fork until refused; report how many and why; the children sleep */
static void
forkbomb(int unused)
{
	int	n = 0, err[2];
	pid_t	pid;

	(void)unused;
	while (n < 1000) {
		if ((pid = fork()) == 0)
			for (;;)
				pause();
		if (pid == -1)
			break;
		n++;
	}
	err[0] = n;
	err[1] = errno;
	if (write(report[1], err, sizeof(err)) != sizeof(err))
		_exit(1);
	pause();
}

/*
 * Escape: fork, setsid, fork again, and the middle one exits.  The
 * escapee reports its pid, then forks and reaps a child in a loop, so a
 * kill that reads pids first races fresh ones.
 */
static void
escape(int unused)
{
	pid_t	pid;

	(void)unused;
	if (fork() != 0)
		_exit(0);
	setsid();
	if (fork() != 0)
		_exit(0);
	pid = getpid();
	if (write(report[1], &pid, sizeof(pid)) != sizeof(pid))
		_exit(1);
	for (;;) {
		if ((pid = fork()) == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
}

static void
cellid(char *id, size_t len, const char *what)
{
	snprintf(id, len, "t%d-%s", (int)testpid, what);
}

/* Wait for a report from a child: 0, or -1 after 5 s. */
static int
report_read(void *buf, size_t len)
{
	struct pollfd	pfd = { report[0], POLLIN, 0 };

	if (poll(&pfd, 1, 5000) != 1)
		return -1;
	return read(report[0], buf, len) == (ssize_t)len ? 0 : -1;
}

static uint64_t
cpu_ns(const char *id)
{
	struct cell_stats	st;

	if (cgroup_stats(id, &st) == -1)
		return 0;
	return st.cpu_usage_ns;
}

/* cpu.stat's nr_throttled, in the cpu controller's hierarchy */
static long long
throttled(const char *id)
{
	char		 buf[1024], *p;
	long long	 n = -1;

	if (cgroup_test_read(id, "cpu.stat", buf, sizeof(buf)) == 0 &&
	    (p = strstr(buf, "nr_throttled ")) != NULL)
		sscanf(p, "nr_throttled %lld", &n);
	return n;
}

static void
t_refusals(void)
{
	struct cell_stats	st;
	struct cg_join		cg;
	char			id[64];

	cellid(id, sizeof(id), "none");
	T_ERRNO(cgroup_create("../x", 0, 0, 0), EINVAL,
	    "create: an id that is not one plain name is refused");
	T_ERRNO(cgroup_create(id, -1, 0, 0), EINVAL,
	    "create: a negative limit is refused");
	T_ERRNO(cgroup_create(id, 0, 5, 0), EINVAL,
	    "create: a cpu quota under the kernel's 1 ms is refused");
	T_EQ(cgroup_test_count(id), 0, "create: a refusal leaves no cgroup");
	T_ERRNO(cgroup_stats(id, &st), ENOENT, "stats: no such cell");
	T_ERRNO(cgroup_kill(id), ENOENT, "kill: no such cell");
	T_ERRNO(cgroup_remove(id), ENOENT, "remove: no such cell");
	T_ERRNO(cgroup_join_open(id, &cg), ENOENT, "join: no such cell");
}

static void
t_memory(void)
{
	struct cell_stats	st;
	char			id[64];
	pid_t			pid;
	int			status = 0, r, n;

	cellid(id, sizeof(id), "mem");
	if (!T_OK(cgroup_create(id, 64 * MB, 0, 0) == 0,
	    "memory: create with a 64 MB limit"))
		return;
	n = cgroup_test_count(id);
	T_ERRNO(cgroup_create(id, 0, 0, 0), EEXIST,
	    "create: an existing cell is refused");
	T_EQ(cgroup_test_count(id), n, "create: and left as it was");
	if ((r = knob(id, "memory.max", "67108864")) == -1)
		r = knob(id, "memory.limit_in_bytes", "67108864");
	T_EQ(r, 1, "memory: the limit file reads back 64 MB");
	if ((r = knob(id, "memory.swap.max", "67108864")) != -1)
		T_EQ(r, 1, "memory: v2 allows as much swap again (Docker)");
	T_OK(cgroup_stats(id, &st) == 0 && st.mem_limit == 64 * MB,
	    "memory: stats give the limit");
	if ((pid = in_cell(id, hog, 200)) > 0)
		waitpid(pid, &status, 0);
	T_OK(pid > 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "memory: a process touching 200 MB is OOM-killed");
	if (!WIFSIGNALED(status))
		T_DIAG("status %#x", status);
	T_OK(cgroup_remove(id) == 0, "memory: remove");
	T_EQ(cgroup_test_count(id), 0, "memory: remove leaves no cgroup");
	cell_done(id);
}

static void
t_pids(void)
{
	struct cell_stats	st;
	char			id[64];
	pid_t			pid, pids[64];
	int			res[2] = { -1, -1 };

	cellid(id, sizeof(id), "pids");
	if (!T_OK(cgroup_create(id, 0, 0, 8) == 0, "pids: create, 8 pids"))
		return;
	T_EQ(knob(id, "pids.max", "8"), 1, "pids: pids.max reads back 8");
	if ((pid = in_cell(id, forkbomb, 0)) > 0)
		report_read(res, sizeof(res));
	T_EQ(res[0], 7, "pids: a fork bomb stops at the limit (itself + 7)");
	T_EQ(res[1], EAGAIN, "pids: the fork past the limit fails EAGAIN");
	T_OK(cgroup_stats(id, &st) == 0 && st.pids == 8 &&
	    st.pids_limit == 8, "pids: stats give 8 of 8");
	T_EQ(cgroup_pids(id, pids, nitems(pids)), 8, "pids: lists 8 pids");
	T_ERRNO(cgroup_pids(id, pids, 4), ENOBUFS,
	    "pids: a list too small is an error, not a truncation");
	T_OK(cgroup_kill(id) == 0, "pids: kill");
	T_OK(cgroup_remove(id) == 0, "pids: remove once they are dead");
	T_EQ(cgroup_test_count(id), 0, "pids: remove leaves no cgroup");
	cell_done(id);
}

static void
t_cpu(void)
{
	struct cell_stats	st;
	char			id[64];
	uint64_t		a, b;
	long long		t;
	int			r;

	cellid(id, sizeof(id), "cpu");
	if (!T_OK(cgroup_create(id, 0, 500, 0) == 0, "cpu: create, 0.5 cpu"))
		return;
	if ((r = knob(id, "cpu.max", "50000 100000")) == -1)
		r = knob(id, "cpu.cfs_quota_us", "50000") == 1 &&
		    knob(id, "cpu.cfs_period_us", "100000") == 1;
	T_EQ(r, 1, "cpu: quota 50 ms per 100 ms reads back");
	in_cell(id, spin, 0);
	nap(200);
	a = cpu_ns(id);
	t = throttled(id);
	nap(1000);
	b = cpu_ns(id);
	/* a loaded host may give it less, never more: no lower bound */
	T_OK(b - a < 600000000ULL, "cpu: a spinning process gets at most "
	    "half a cpu (%llu ms in 1 s)", (unsigned long long)(b - a) /
	    1000000);
	T_OK(throttled(id) > t, "cpu: and is throttled");
	T_OK(cgroup_update(id, 0, 0, 16) == 0, "update: lift the quota, "
	    "16 pids");
	if ((r = knob(id, "cpu.max", "max 100000")) == -1)
		r = knob(id, "cpu.cfs_quota_us", "-1");
	T_EQ(r, 1, "update: the quota file reads back no limit");
	T_OK(cgroup_stats(id, &st) == 0 && st.pids_limit == 16 &&
	    st.mem_limit == 0, "update: stats give 16 pids, no memory limit");
	t = throttled(id);
	nap(500);
	T_EQ(throttled(id), t, "update: it spins unthrottled");
	cell_done(id);
}

static void
t_freeze(int level)
{
	const char	*how = level ? "v1 freezer, cpuacct" :
	    "v2 cgroup.freeze, cpu.stat";
	char		 id[64];
	uint64_t	 a, b, c;

	if (cgroup_test_fallback(level) == -1) {
		printf("skip - freeze with the %s: none here\n", how);
		return;
	}
	cellid(id, sizeof(id), "frz");
	if (!T_OK(cgroup_create(id, 0, 0, 0) == 0, "freeze (%s): create",
	    how))
		goto done;
	in_cell(id, spin, 0);
	nap(100);
	T_OK(cgroup_freeze(id, 1) == 0, "freeze (%s): pause", how);
	a = cpu_ns(id);
	nap(300);
	b = cpu_ns(id);
	T_OK(b - a < 10000000ULL, "freeze (%s): a paused process gets no "
	    "cpu (%llu ms in 300 ms)", how, (unsigned long long)(b - a) /
	    1000000);
	T_OK(cgroup_freeze(id, 0) == 0, "freeze (%s): unpause", how);
	nap(300);
	c = cpu_ns(id);
	T_OK(c - b > 100000000ULL, "freeze (%s): it runs again (%llu ms "
	    "in 300 ms)", how, (unsigned long long)(c - b) / 1000000);
	cell_done(id);
done:
	cgroup_test_fallback(0);
}

static void
t_kill(int level)
{
	const char	*how[] = { "cgroup.kill", "freeze+kill, v2 freezer",
	    "freeze+kill, v1 freezer" };
	struct pollfd	 pfd = { -1, POLLIN, 0 };
	char		 id[64];
	pid_t		 pid, esc = -1, pids[64];
	int		 i, n = -1;

	if (cgroup_test_fallback(level) == -1) {
		printf("skip - kill by %s: no such freezer here\n", how[level]);
		return;
	}
	cellid(id, sizeof(id), "kill");
	if (!T_OK(cgroup_create(id, 0, 0, 64) == 0, "kill (%s): create",
	    how[level]))
		goto done;
	if ((pid = in_cell(id, escape, 0)) > 0) {
		report_read(&esc, sizeof(esc));
		waitpid(pid, NULL, 0);
	}
	if (!T_OK(esc > 0 && (pfd.fd = pidfd_open(esc, 0)) != -1,
	    "kill (%s): a process escaped by setsid and double fork",
	    how[level]))
		goto done;
	T_OK(cgroup_kill(id) == 0, "kill (%s): kill", how[level]);
	T_EQ(poll(&pfd, 1, 3000), 1, "kill (%s): the escapee, forking all "
	    "the while, is dead", how[level]);
	for (i = 0; i < 100 && (n = cgroup_pids(id, pids, nitems(pids))); i++)
		nap(20);
	T_EQ(n, 0, "kill (%s): no process is left in the cgroup", how[level]);
	T_OK(cgroup_remove(id) == 0, "kill (%s): remove", how[level]);
	T_EQ(cgroup_test_count(id), 0, "kill (%s): remove leaves no cgroup",
	    how[level]);
done:
	if (pfd.fd != -1)
		close(pfd.fd);
	cell_done(id);
	cgroup_test_fallback(0);
}

/* As root, then as spawn-helper: the tests proper. */
static void
worker(const struct passwd *pw)
{
	char	me[16];
	int	level;

	snprintf(me, sizeof(me), "%d", (int)getpid());
	if (!T_OK(sh("cgroup_enter", wrap, me) == 0, "setup: the worker "
	    "has a cgroup of its own, %s", wrap) ||
	    !T_OK(cgroup_delegate(pw->pw_uid, pw->pw_gid) == 0,
	    "delegate: as root, to %s", pw->pw_name))
		return;
	T_OK(in_supervisor(), "delegate: celld is in celld-supervisor in "
	    "every hierarchy");
	T_OK(cgroup_delegate(pw->pw_uid, pw->pw_gid) == 0 && in_supervisor(),
	    "delegate: again from celld-supervisor (a restart), same layout");
	if (!T_OK(become_spawn(pw) == 0, "setup: the worker becomes %s",
	    pw->pw_name) ||
	    !T_OK(cgroup_init() == 0, "init: spawn-helper finds its cgroups") ||
	    !T_OK(pipe2(report, O_CLOEXEC) == 0, "setup: pipe"))
		return;
	t_refusals();
	t_memory();
	t_pids();
	t_cpu();
	t_freeze(0);
	t_freeze(2);
	for (level = 0; level < 3; level++)
		t_kill(level);
}

int
main(void)
{
	struct passwd	*pw;
	int		 p[2], n[2] = { 0, 1 }, st = 0;
	pid_t		 pid;

	if (geteuid() != 0) {
		printf("skip - cgroup: needs root (makes cgroups, changes "
		    "uid)\n");
		return 0;
	}
	if ((pw = getpwnam(CELLD_SPAWN_USER)) == NULL) {
		printf("skip - cgroup: no user %s (sh tests/users.sh)\n",
		    CELLD_SPAWN_USER);
		return 0;
	}
	if ((cgsh = getenv("CGROUP_SH")) == NULL)
		cgsh = "tests/cgroup.sh";
	if (access(cgsh, R_OK) == -1) {
		printf("skip - cgroup: no %s (run from the source tree)\n",
		    cgsh);
		return 0;
	}
	log_init(1, 0, "test_cgroup");
	testpid = getpid();
	snprintf(wrap, sizeof(wrap), "celld-test.%d", (int)testpid);
	/* orphans of the worker's children come here to be reaped */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1 || pipe2(p, O_CLOEXEC) ||
	    (pid = fork()) == -1) {
		perror("test_cgroup: setup");
		return 2;
	}
	if (pid == 0) {
		close(p[0]);
		alarm(120);	/* a hung worker still gets cleaned up */
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		worker(pw);
		n[0] = tap_npass;
		n[1] = tap_nfail;
		_exit(write(p[1], n, sizeof(n)) == sizeof(n) ? 0 : 1);
	}
	close(p[1]);
	waitpid(pid, &st, 0);
	/* a dead worker's children may hold the pipe open: don't wait */
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) == -1 ||
	    read(p[0], n, sizeof(n)) != sizeof(n))
		T_OK(0, "the worker finished (status %#x)", st);
	tap_npass += n[0];
	tap_nfail += n[1];
	T_OK(sh("cgroup_cleanup", "-k", wrap) == 0, "cleanup: no cgroup or "
	    "process is left under %s", wrap);
	nap(100);
	reap();
	return tap_done();
}
