/*
 * probe.c: tries syscalls a confined process must not make, and reports,
 * one line each, "NAME: ALLOWED" or "NAME: denied (ERRNO)".  Built static
 * (gcc -static) so it runs in any rootfs, and in any sandbox.
 *
 *	probe			try every probe
 *	probe -l		list their names
 *	probe [-d|-a] NAME...	try those; -d exits 1 if any was allowed,
 *				-a exits 1 if any was denied
 *
 * Each probe runs in a forked child, so one that succeeds (a new user
 * namespace, a mount) changes nothing for the next.  "ALLOWED" means the
 * call succeeded; a failure for any reason (seccomp, missing capability,
 * a kernel check) is "denied", with its errno.  Run it twice, with and
 * without the filter under test, to see what the filter itself refuses.
 */
#define _GNU_SOURCE
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/sched.h>

struct probe {
	const char	*name;
	long		(*fn)(void);
};

static long
p_keyctl(void)
{
	return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID,
	    KEY_SPEC_SESSION_KEYRING, 1);
}

static long
p_add_key(void)
{
	return syscall(SYS_add_key, "user", "probe", "x", 1,
	    KEY_SPEC_PROCESS_KEYRING);
}

static long
p_request_key(void)
{
	long	r;

	r = syscall(SYS_request_key, "user", "probe-none", NULL, 0);
	return r == -1 && errno == ENOKEY ? 0 : r;	/* reached the keys */
}

static long
p_bpf(void)
{
	union bpf_attr	a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	return syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
}

static long
p_perf_event_open(void)
{
	struct perf_event_attr	a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static long
p_kexec_load(void)
{
	return syscall(SYS_kexec_load, 0, 0, NULL, 0);
}

static long
p_kexec_file_load(void)
{
	return syscall(SYS_kexec_file_load, -1, -1, 0, "", 0);
}

static long
p_init_module(void)
{
	return syscall(SYS_init_module, "", 0, "");
}

static long
p_finit_module(void)
{
	return syscall(SYS_finit_module, 0, "", 0);
}

static long
p_delete_module(void)
{
	return syscall(SYS_delete_module, "probe", O_NONBLOCK);
}

static long
p_unshare_user(void)
{
	return unshare(CLONE_NEWUSER);
}

static long
p_unshare_mnt(void)
{
	return unshare(CLONE_NEWNS);
}

static long
p_clone_user(void)
{
	pid_t	pid;
	int	st;

	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, &st, 0);
	return pid;
}

static long
p_clone3(void)
{
	struct clone_args	a;
	pid_t			pid;
	int			st;

	memset(&a, 0, sizeof(a));
	a.exit_signal = SIGCHLD;
	pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, &st, 0);
	return pid;
}

static long
p_setns(void)
{
	int	fd;

	if ((fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	return setns(fd, 0);
}

static long
p_mount(void)
{
	long	r;

	r = mount("probe", "/tmp", "tmpfs", 0, NULL);
	if (r == 0)
		umount2("/tmp", MNT_DETACH);
	return r;
}

static long
p_fsopen(void)
{
	return syscall(SYS_fsopen, "tmpfs", 0);
}

static long
p_open_tree(void)
{
	return syscall(SYS_open_tree, AT_FDCWD, "/", 1 /* CLONE */);
}

static long
p_pivot_root(void)
{
	/* both "/": EINVAL or EBUSY once the kernel looks, never success */
	long	r = syscall(SYS_pivot_root, "/", "/");

	return r == -1 && (errno == EINVAL || errno == EBUSY) ? 0 : r;
}

static long
p_reboot(void)
{
	return reboot(RB_DISABLE_CAD);
}

static long
p_swapon(void)
{
	return syscall(SYS_swapon, "/dev/null", 0);
}

static long
p_acct(void)
{
	return syscall(SYS_acct, NULL);
}

static long
p_clock_settime(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return -1;
	return clock_settime(CLOCK_REALTIME, &ts);
}

static long
p_adjtimex(void)
{
	struct timex	t;

	memset(&t, 0, sizeof(t));	/* modes 0: read only */
	return syscall(SYS_adjtimex, &t);
}

static long
p_userfaultfd(void)
{
	return syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* USER_MODE_ONLY */);
}

static long
p_open_by_handle_at(void)
{
	char	buf[sizeof(int) * 2 + 128];

	memset(buf, 0, sizeof(buf));
	return syscall(SYS_open_by_handle_at, AT_FDCWD, buf, O_RDONLY);
}

static long
p_iopl(void)
{
#ifdef SYS_iopl
	return syscall(SYS_iopl, 3);
#else
	errno = ENOSYS;
	return -1;
#endif
}

static long
p_syslog(void)
{
	return syscall(SYS_syslog, 10 /* SIZE_BUFFER */, NULL, 0);
}

static long
p_vhangup(void)
{
	return syscall(SYS_vhangup);
}

static long
p_io_uring_setup(void)
{
	char	params[120];

	memset(params, 0, sizeof(params));
	return syscall(SYS_io_uring_setup, 1, params);
}

static long
p_personality_bad(void)
{
	return personality(READ_IMPLIES_EXEC);
}

static long
p_personality_query(void)
{
	return personality(0xffffffff);
}

static long
p_ptrace(void)
{
	return ptrace(PTRACE_TRACEME, 0, NULL, NULL);
}

static long
p_getpid(void)
{
	return getpid();
}

static const struct probe probes[] = {
	{ "keyctl", p_keyctl },
	{ "add_key", p_add_key },
	{ "request_key", p_request_key },
	{ "bpf", p_bpf },
	{ "perf_event_open", p_perf_event_open },
	{ "kexec_load", p_kexec_load },
	{ "kexec_file_load", p_kexec_file_load },
	{ "init_module", p_init_module },
	{ "finit_module", p_finit_module },
	{ "delete_module", p_delete_module },
	{ "unshare_user", p_unshare_user },
	{ "unshare_mnt", p_unshare_mnt },
	{ "clone_user", p_clone_user },
	{ "clone3", p_clone3 },
	{ "setns", p_setns },
	{ "mount", p_mount },
	{ "fsopen", p_fsopen },
	{ "open_tree", p_open_tree },
	{ "pivot_root", p_pivot_root },
	{ "reboot", p_reboot },
	{ "swapon", p_swapon },
	{ "acct", p_acct },
	{ "clock_settime", p_clock_settime },
	{ "adjtimex", p_adjtimex },
	{ "userfaultfd", p_userfaultfd },
	{ "open_by_handle_at", p_open_by_handle_at },
	{ "iopl", p_iopl },
	{ "syslog", p_syslog },
	{ "vhangup", p_vhangup },
	{ "io_uring_setup", p_io_uring_setup },
	{ "personality_bad", p_personality_bad },
	{ "personality_query", p_personality_query },
	{ "ptrace", p_ptrace },
	{ "getpid", p_getpid },
	{ NULL, NULL }
};

/* run one probe in a child: 0 allowed, else the errno it failed with */
static int
probe_run(const struct probe *p)
{
	pid_t	pid;
	int	st;

	fflush(stdout);
	if ((pid = fork()) == -1) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		errno = 0;
		if (p->fn() != -1)
			_exit(0);
		_exit(errno > 0 && errno < 255 ? errno : 255);
	}
	if (waitpid(pid, &st, 0) == -1) {
		perror("waitpid");
		exit(2);
	}
	if (WIFSIGNALED(st))
		return 256 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

static const struct probe *
probe_find(const char *name)
{
	const struct probe	*p;

	for (p = probes; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* print the result; return 1 if it was allowed */
static int
probe_report(const struct probe *p)
{
	int	e = probe_run(p);

	if (e == 0)
		printf("%s: ALLOWED\n", p->name);
	else if (e > 256)
		printf("%s: denied (killed by signal %d)\n", p->name, e - 256);
	else
		printf("%s: denied (%s)\n", p->name, strerrorname_np(e) ?
		    strerrorname_np(e) : strerror(e));
	return e == 0;
}

int
main(int argc, char **argv)
{
	const struct probe	*p;
	int			 mode = 0, bad = 0, i, allowed;

	if (argc > 1 && strcmp(argv[1], "-l") == 0) {
		for (p = probes; p->name != NULL; p++)
			printf("%s\n", p->name);
		return 0;
	}
	if (argc > 1 && (strcmp(argv[1], "-d") == 0 ||
	    strcmp(argv[1], "-a") == 0)) {
		mode = argv[1][1];
		argc--;
		argv++;
	}
	if (argc == 1) {
		for (p = probes; p->name != NULL; p++)
			probe_report(p);
		return 0;
	}
	for (i = 1; i < argc; i++) {
		if ((p = probe_find(argv[i])) == NULL) {
			fprintf(stderr, "probe: %s: no such probe\n", argv[i]);
			return 2;
		}
		allowed = probe_report(p);
		if ((mode == 'd' && allowed) || (mode == 'a' && !allowed))
			bad = 1;
	}
	return bad;
}
