/*
 * sbx_probe.c: apply a process's real privilege table with the real drop
 * code, then attack the result from inside.
 *
 *   sbx_probe [-m MNTDIR] [-o FILE] parent|net|fs|spawn|fsmnt|mkfs [vars...]
 *
 * Run as root.  A child calls privsep_drop(<x>_table, vars) exactly as
 * the daemon does (vars[0] the storage dir, vars[1] the run dir), and we
 * print, from outside, what the kernel says it became:
 *
 *	uid N, capeff HEX, capprm HEX, capinh HEX, capbnd HEX, capamb HEX,
 *	nnp N, seccomp N
 *
 * Then the child tries one attack per line, "denied NAME (why)" or
 * "ALLOWED NAME".  Only EPERM and EACCES count as denied: any other error
 * means the call got past the sandbox into the kernel.  Where fork()
 * works, each attempt runs in a grandchild so that one success (setuid,
 * ptrace, exec) can't change the next.  execve comes last: where it runs
 * in the child itself and succeeds, the child becomes /bin/true and exits
 * 0 instead of 42, and we report that.  The last line is "end".
 */
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/prctl.h>

#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/seccomp.h>

#include "../../privsep/privsep.h"

#define PROBE_DONE	42	/* the child's exit status after every try */

/* the tables themselves, exported under -DSBX_PROBE */
extern const struct proc_privs	*parent_table, *net_table;
extern const struct proc_privs	*fs_table, *spawn_table;
extern const struct proc_privs	*fsmnt_table;	/* fs-helper/diskmnt.c */
void	mkfs_lockdown(void);			/* fs-helper/mkfs.c */

/*
 * fs-mkfs has no table for privsep_drop(): it is fs-helper's child, runs
 * as _celld_fs, and drops everything itself (mkfs_lockdown()).  This
 * stands for it; probe_child() does what it does.
 */
static const struct proc_privs	 mkfs_stand_in = {
	.title = "fs-mkfs", .user = "_celld_fs"
};

static const char	*probe_outside = "/etc/hostname";
static const char	*probe_mnt = "/mnt";
static const char	*probe_storage;

static int
try_read_shadow(void)
{
	int	fd;

	if ((fd = open("/etc/shadow", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	close(fd);
	return 0;
}

/* A world-readable file outside every Landlock path of the table. */
static int	probe_jailed;

static int
try_read_outside(void)
{
	int	fd;

	if ((fd = open(probe_outside, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	close(fd);
	return 0;
}

/* The positive control: the table grants the storage dir. */
static int
try_write_storage(void)
{
	char	path[4096];
	int	fd;

	if (probe_storage == NULL) {
		errno = ENOENT;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/sbx_probe.%d", probe_storage,
	    (int)getpid());
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	if (write(fd, "x\n", 2) != 2) {
		close(fd);
		return -1;
	}
	close(fd);
	return unlinkat(AT_FDCWD, path, 0);	/* unlink(2) isn't listed */
}

/* The same file for writing: it is root's, mode 0644. */
static int
try_write_outside(void)
{
	int	fd;

	if ((fd = open(probe_outside, O_WRONLY | O_APPEND | O_CLOEXEC)) ==
	    -1)
		return -1;
	close(fd);
	return 0;
}

static int
try_mount(void)
{
	return mount("sbx_probe", probe_mnt, "tmpfs", 0, "size=64k");
}

/* The same with the new mount API, which has its own syscalls. */
static int
try_fsmount(void)
{
	int	fsfd, mfd, r = -1;

	if ((fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC)) == -1)
		return -1;
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == -1 ||
	    (mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, 0)) == -1)
		goto done;
	r = move_mount(mfd, "", AT_FDCWD, probe_mnt,
	    MOVE_MOUNT_F_EMPTY_PATH);
	close(mfd);
done:
	close(fsfd);
	return r;
}

static int
try_socket_inet(void)
{
	int	fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	close(fd);
	return 0;
}

static int
try_ptrace(void)
{
	return ptrace(PTRACE_TRACEME, 0, NULL, NULL) == -1 ? -1 : 0;
}

/* pid 1 of the test's pid namespace runs as root */
static int
try_ptrace_attach(void)
{
	if (ptrace(PTRACE_ATTACH, 1, NULL, NULL) == -1)
		return -1;
	ptrace(PTRACE_DETACH, 1, NULL, NULL);
	return 0;
}

static int
try_setuid0(void)
{
	return setuid(0);
}

static int
try_init_module(void)
{
	return syscall(SYS_init_module, NULL, 0, "") == -1 ? -1 : 0;
}

static int
try_finit_module(void)
{
	return syscall(SYS_finit_module, -1, "", 0) == -1 ? -1 : 0;
}

static int
try_kexec_load(void)
{
	return syscall(SYS_kexec_load, 0, 0, NULL, 0) == -1 ? -1 : 0;
}

static int
try_bpf(void)
{
	union bpf_attr	attr;
	long		fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	if ((fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr))) ==
	    -1)
		return -1;
	close((int)fd);
	return 0;
}

/* the parent's seccomp=FILE compiler writes its program to a memfd */
static int
try_memfd(void)
{
	long	fd;

	if ((fd = syscall(SYS_memfd_create, "probe", MFD_CLOEXEC)) == -1)
		return -1;
	close((int)fd);
	return 0;
}

/* a filter that allows everything: loading any filter is the attempt */
static int
try_seccomp_load(void)
{
	struct sock_filter	f = BPF_STMT(BPF_RET | BPF_K,
				    SECCOMP_RET_ALLOW);
	struct sock_fprog	prog = { 1, &f };

	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static int
try_keyctl(void)
{
	return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID,
	    KEY_SPEC_SESSION_KEYRING, 0) == -1 ? -1 : 0;
}

static int
try_perf(void)
{
	struct perf_event_attr	attr;
	long			fd;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.size = sizeof(attr);
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	if ((fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0)) == -1)
		return -1;
	close((int)fd);
	return 0;
}

/* pid 1 of the test's pid namespace; we left its session in main() */
static int
try_kill_pid1(void)
{
	return kill(1, SIGCONT);
}

/* a user namespace would give back every capability inside it */
static int
try_userns(void)
{
	return unshare(CLONE_NEWUSER);
}

/* the same through clone(), which a fork()-shaped rule must not pass */
static int
try_clone_newuser(void)
{
	pid_t	pid;

	pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(0);
	if (pid == -1)
		return -1;
	waitpid(pid, NULL, 0);
	return 0;
}

static int
try_execve(void)
{
	char	*argv[] = { "true", NULL };
	char	*envp[] = { NULL };

	return execve("/bin/true", argv, envp);
}

static void
probe_report(const char *name, int r, int err)
{
	if (r == 0)
		printf("ALLOWED %s\n", name);
	else if (err == EPERM || err == EACCES)
		printf("denied %s (%s)\n", name, strerror(err));
	else if (err == ENOENT && probe_jailed)
		printf("denied %s (not in its jail: %s)\n", name,
		    strerror(err));
	else
		printf("ALLOWED %s (reached the kernel: %s)\n", name,
		    strerror(err));
}

/* One attempt, in a grandchild when fork() is allowed, else here. */
static void
probe_try(const char *name, int (*fn)(void))
{
	pid_t	pid;
	int	r, status;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		errno = 0;
		r = fn();
		_exit(r == 0 ? 0 : (errno > 0 && errno < 255) ? errno : 255);
	}
	if (pid == -1) {
		errno = 0;
		r = fn();
		probe_report(name, r, errno);
		return;
	}
	if (waitpid(pid, &status, 0) == -1) {
		printf("error %s: waitpid: %s\n", name, strerror(errno));
		return;
	}
	if (WIFSIGNALED(status))
		printf("denied %s (killed by signal %d)\n", name,
		    WTERMSIG(status));
	else
		probe_report(name, WEXITSTATUS(status) == 0 ? 0 : -1,
		    WEXITSTATUS(status));
}

static void __attribute__((noreturn))
probe_attacks(void)
{
	probe_try("read_shadow", try_read_shadow);
	probe_try("read_outside", try_read_outside);
	probe_try("write_outside", try_write_outside);
	probe_try("write_storage", try_write_storage);
	probe_try("mount", try_mount);
	probe_try("fsmount", try_fsmount);
	probe_try("socket_inet", try_socket_inet);
	probe_try("ptrace_traceme", try_ptrace);
	probe_try("ptrace_attach", try_ptrace_attach);
	probe_try("setuid0", try_setuid0);
	probe_try("init_module", try_init_module);
	probe_try("finit_module", try_finit_module);
	probe_try("kexec_load", try_kexec_load);
	probe_try("bpf", try_bpf);
	probe_try("keyctl", try_keyctl);
	probe_try("perf_event_open", try_perf);
	probe_try("kill_pid1", try_kill_pid1);
	probe_try("memfd", try_memfd);
	probe_try("seccomp_load", try_seccomp_load);
	probe_try("userns", try_userns);
	probe_try("clone_newuser", try_clone_newuser);
	probe_try("execve", try_execve);	/* last: may replace us */
	fflush(stdout);
	_exit(PROBE_DONE);
}

/* What the kernel says the child is, from outside the sandbox. */
static void
probe_status(pid_t pid)
{
	static const struct {
		const char	*key, *name;
	} f[] = {
		{ "Uid:", "uid" }, { "CapEff:", "capeff" },
		{ "CapPrm:", "capprm" }, { "CapInh:", "capinh" },
		{ "CapBnd:", "capbnd" }, { "CapAmb:", "capamb" },
		{ "NoNewPrivs:", "nnp" }, { "Seccomp:", "seccomp" },
	};
	char	 path[64], line[256], key[64], val[64];
	FILE	*fp;
	size_t	 i;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "re")) == NULL) {
		printf("error status: %s\n", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%63s %63s", key, val) != 2)
			continue;
		for (i = 0; i < nitems(f); i++)
			if (strcmp(key, f[i].key) == 0)
				printf("%s %s\n", f[i].name, val);
	}
	fclose(fp);
}

/* Is path a mount point: on another device than its parent dir? */
static int
probe_mounted(const char *path)
{
	struct stat	st, up;
	char		parent[4096];

	snprintf(parent, sizeof(parent), "%s/..", path);
	if (stat(path, &st) == -1 || stat(parent, &up) == -1)
		return 0;
	return st.st_dev != up.st_dev;
}

static const struct proc_privs *
probe_table(const char *name)
{
	if (strcmp(name, "parent") == 0)
		return parent_table;
	if (strcmp(name, "net") == 0)
		return net_table;
	if (strcmp(name, "fs") == 0)
		return fs_table;
	if (strcmp(name, "spawn") == 0)
		return spawn_table;
	if (strcmp(name, "fsmnt") == 0)
		return fsmnt_table;
	if (strcmp(name, "mkfs") == 0)
		return &mkfs_stand_in;
	return NULL;
}

/*
 * fs-mkfs as the launcher and fs-helper leave it: _celld_fs holding
 * capabilities (CAP_SETPCAP among them), then its own lock-down.
 */
static void
probe_mkfs(const char *user)
{
	struct passwd	*pw;
	cap_t		 caps;

	if ((pw = getpwnam(user)) == NULL)
		fatalx("no user %s", user);
	if (setgroups(0, NULL) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		fatal("become %s", user);
	/* the uid change cleared the effective set: permitted comes back */
	if ((caps = cap_get_proc()) == NULL ||
	    cap_fill(caps, CAP_EFFECTIVE, CAP_PERMITTED) == -1 ||
	    cap_set_proc(caps) == -1)
		fatal("effective capabilities");
	cap_free(caps);
	mkfs_lockdown();
}

/* The child: drop, say so, wait for our status lines, attack. */
static void __attribute__((noreturn))
probe_child(const struct proc_privs *pp, const char *const *vars,
    int syncfd, int gofd)
{
	char	c;

	/* SIGCONT is allowed within a session: leave pid 1's */
	if (setsid() == -1)
		fatal("setsid");
	if (pp == &mkfs_stand_in)
		probe_mkfs(pp->user);
	else
		privsep_drop(pp, vars);
	if (write(syncfd, "D", 1) != 1)
		_exit(1);
	while (read(gofd, &c, 1) == -1 && errno == EINTR)
		;
	probe_attacks();
}

static int
probe_wait(pid_t pid)
{
	int	status;

	if (waitpid(pid, &status, 0) == -1) {
		printf("error waitpid: %s\n", strerror(errno));
		return 1;
	}
	if (WIFSIGNALED(status)) {
		printf("probe killed by signal %d\n", WTERMSIG(status));
		return 1;
	}
	if (WEXITSTATUS(status) == 0) {
		/* only /bin/true exits 0: execve replaced the child */
		printf("ALLOWED execve (the probe became /bin/true)\n");
	} else if (WEXITSTATUS(status) != PROBE_DONE) {
		printf("probe exited %d\n", WEXITSTATUS(status));
		return 1;
	}
	printf("end\n");
	return 0;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: sbx_probe [-m mntdir] [-o file] "
	    "parent|net|fs|spawn|fsmnt|mkfs [vars...]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const struct proc_privs	*pp;
	const char		*vars[10];
	int			 ch, i, r, sync[2], go[2], mounted;
	pid_t			 pid;
	char			 c;

	while ((ch = getopt(argc, argv, "m:o:")) != -1) {
		switch (ch) {
		case 'm':
			probe_mnt = optarg;
			break;
		case 'o':
			probe_outside = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 10 || (pp = probe_table(argv[0])) == NULL)
		usage();
	memset(vars, 0, sizeof(vars));
	for (i = 1; i < argc; i++)
		vars[i - 1] = argv[i];
	/* a jailed table's whole world is its storage dir: "/" inside */
	probe_jailed = pp->jail != NULL;
	probe_storage = probe_jailed ? "" : vars[0];
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init(1, 0, "sbx_probe");
	mounted = probe_mounted(probe_mnt);
	if (pipe2(sync, O_CLOEXEC) == -1 || pipe2(go, O_CLOEXEC) == -1)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		close(sync[0]);
		close(go[1]);
		probe_child(pp, vars, sync[1], go[0]);
	}
	close(sync[1]);
	close(go[0]);
	if (read(sync[0], &c, 1) != 1) {
		printf("drop failed\n");
		probe_wait(pid);
		return 1;
	}
	probe_status(pid);
	close(go[1]);
	r = probe_wait(pid);
	/* where a mount attempt won, undo it */
	for (i = 0; i < 4 && !mounted && probe_mounted(probe_mnt); i++)
		umount2(probe_mnt, MNT_DETACH);
	return r;
}
