/*
 * test_seccomp_json.c: Docker's seccomp profiles, compiled by
 * parent/seccomp_json.c.  Good profiles are compiled, loaded in a child
 * (no_new_privs, no root needed) and tried against the kernel; malformed
 * ones must be refused with a one-line reason.
 * Fixtures: the .json files of tests/unit/seccomp/, read from the
 * source tree's root (tests/run.sh runs us there); they also seed make
 * fuzz's corpus.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/seccomp.h>

#include "parent/parent.h"
#include "tap.h"

#define FIX		"tests/unit/seccomp/"
#define SYS_ADMIN	(1ULL << CAP_SYS_ADMIN)

static char	err[CELL_MSGLEN];

static struct seccomp_bpf *
compile(const char *json, uint64_t caps)
{
	err[0] = '\0';
	return seccomp_json_compile(json, strlen(json), caps, err,
	    sizeof(err));
}

static char *
slurp(const char *path, size_t *len)
{
	struct stat	 st;
	char		*buf;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || (buf = malloc(st.st_size + 1)) == NULL ||
	    read(fd, buf, st.st_size) != st.st_size) {
		close(fd);
		return NULL;
	}
	close(fd);
	buf[st.st_size] = '\0';
	*len = st.st_size;
	return buf;
}

static struct seccomp_bpf *
compile_file(const char *name, uint64_t caps)
{
	struct seccomp_bpf	*b;
	char			*buf;
	size_t			 len;

	if ((buf = slurp(name, &len)) == NULL) {
		T_DIAG("%s: %s", name, strerror(errno));
		return NULL;
	}
	b = seccomp_json_compile(buf, len, caps, err, sizeof(err));
	if (b == NULL)
		T_DIAG("%s: %s", name, err);
	free(buf);
	return b;
}

/* Load b in a child, run fn there; fn's code, or 128+N for signal N. */
static int
under(const struct seccomp_bpf *b, int (*fn)(void))
{
	struct sock_fprog	prog;
	pid_t			pid;
	int			st;

	fflush(stdout);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		prog.len = b->n;
		prog.filter = (struct sock_filter *)b->insns;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1)
			_exit(99);
		_exit(fn());
	}
	if (waitpid(pid, &st, 0) == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* 0 when call failed with errno e, else a code saying what happened */
static int
denied(long r, int e)
{
	if (r != -1)
		return 10;
	return errno == e ? 0 : 20 + (errno & 0x3f);
}

static int
try_mkdir(void)
{
	char	dir[64];

	snprintf(dir, sizeof(dir), "/tmp/test-seccomp-json.%d", getpid());
	if (denied(syscall(SYS_mkdir, dir, 0700), EPERM) != 0) {
		rmdir(dir);
		return 1;
	}
	return syscall(SYS_getpid) > 0 ? 0 : 2;
}

static int
try_args(void)
{
	if (denied(syscall(SYS_dup, 900), ENOTTY) ||
	    denied(syscall(SYS_dup, 901), ENOTTY) ||
	    denied(syscall(SYS_dup, 902), EBADF))
		return 1;		/* two tests of one arg: either */
	if (denied(syscall(SYS_getpriority, 0, 0x1042), E2BIG) ||
	    syscall(SYS_getpriority, 0, 0) == -1)
		return 2;		/* MASKED_EQ: (who & 255) == 66 */
	if (denied(syscall(SYS_sched_yield), ENOSYS))
		return 3;		/* an unknown name beside it */
	if (syscall(SYS_getpgid, 0) == -1)
		return 4;		/* includes another arch: skipped */
	return 0;
}

static int
try_caps_none(void)
{
	/* without CAP_SYS_ADMIN: getppid's rule is out, getsid's in */
	if (syscall(SYS_getppid) == -1)
		return 1;
	return denied(syscall(SYS_getsid, 0), EPERM) ? 2 : 0;
}

static int
try_caps_admin(void)
{
	if (denied(syscall(SYS_getppid), EPERM))
		return 1;
	return syscall(SYS_getsid, 0) == -1 ? 2 : 0;
}

static int
try_default_errno(void)
{
	if (syscall(SYS_getpid) <= 0)
		return 1;
	if (denied(syscall(SYS_getppid), EPERM) ||
	    denied(syscall(SYS_getuid), EPERM))
		return 2;
	return syscall(SYS_getgid) == -1 ? 3 : 0;	/* SCMP_ACT_LOG */
}

static int
try_kexec(void)
{
	syscall(SYS_kexec_load, 0, 0, 0, 0);
	return 0;			/* not reached: killed */
}

static int
try_getpid(void)
{
	return syscall(SYS_getpid) > 0 ? 0 : 1;
}

static void
test_good(void)
{
	struct seccomp_bpf	*b;

	b = compile_file(FIX "deny-mkdir.json", 0);
	if (T_OK(b != NULL && b->n > 0 && b->n <= BPF_MAXINSNS,
	    "deny-mkdir compiles"))
		T_EQ(under(b, try_mkdir), 0, "deny-mkdir: mkdir fails with "
		    "EPERM, getpid works");
	free(b);
	b = compile_file(FIX "args.json", 0);
	if (T_OK(b != NULL, "args and archMap compile")) {
		T_EQ(under(b, try_args), 0, "args: EQ twice on one index is "
		    "an OR, MASKED_EQ, unknown names and arches skipped");
		T_EQ(under(b, try_caps_none), 0, "includes/excludes caps, "
		    "without CAP_SYS_ADMIN");
	}
	free(b);
	b = compile_file(FIX "args.json", SYS_ADMIN);
	if (T_OK(b != NULL, "args compile for CAP_SYS_ADMIN"))
		T_EQ(under(b, try_caps_admin), 0, "includes/excludes caps, "
		    "with CAP_SYS_ADMIN");
	free(b);
	b = compile_file(FIX "errno-default.json", 0);
	if (T_OK(b != NULL, "an allow-list with every action compiles")) {
		T_EQ(under(b, try_default_errno), 0, "defaultErrnoRet; a "
		    "rule like the default is skipped; LOG allows");
		T_EQ(under(b, try_kexec), 128 + SIGSYS,
		    "SCMP_ACT_KILL_PROCESS kills");
	}
	free(b);
	b = compile_file(FIX "allow-all.json", 0);
	if (T_OK(b != NULL, "defaultAction alone compiles"))
		T_EQ(under(b, try_getpid), 0, "allow-all allows");
	free(b);
}

/* A distribution's real profile (podman's, in Docker's format). */
static void
test_real(void)
{
	const char		*path = "/usr/share/containers/seccomp.json";
	struct seccomp_bpf	*b;
	uint64_t		 docker = 0x00000000a80425fbULL;

	if (access(path, R_OK) == -1) {
		printf("skip - real profile: %s not installed "
		    "(golang-github-containers-common)\n", path);
		return;
	}
	b = compile_file(path, docker);
	if (T_OK(b != NULL, "%s compiles", path))
		T_EQ(under(b, try_getpid), 0, "and runs a process");
	free(b);
}

static const struct {
	const char	*json;
	const char	*what;
} bad[] = {
	{ "", "empty" },
	{ "{", "truncated" },
	{ "not json", "not JSON" },
	{ "[]", "an array" },
	{ "{}", "no defaultAction" },
	{ "{\"defaultAction\":1}", "defaultAction not a string" },
	{ "{\"defaultAction\":\"SCMP_ACT_NOPE\"}", "unknown action" },
	{ "{\"defaultAction\":\"SCMP_ACT_TRACE\"}", "TRACE default" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	    "[\"mkdir\"],\"action\":\"SCMP_ACT_TRACE\"}]}", "TRACE rule" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	    "[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}", "NOTIFY rule" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/x\"}",
	    "listenerPath" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1}",
	    "errnoRet without ERRNO" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":5000}",
	    "errno out of range" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":-1}",
	    "negative errno" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultAction\":"
	    "\"SCMP_ACT_ALLOW\"}", "duplicate key" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":"
	    "[\"SCMP_ARCH_ARM\"]}", "another architecture" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[1]}",
	    "architectures not strings" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[],"
	    "\"archMap\":[]}", "both architectures and archMap" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"archMap\":[{}]}",
	    "archMap entry without architecture" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":{}}",
	    "syscalls not an array" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[1]}",
	    "syscall entry not an object" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	    "[\"mkdir\"]}]}", "rule without action" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"name\":"
	    "\"mkdir\",\"names\":[\"rmdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
	    "name and names" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	    "\"mkdir\",\"action\":\"SCMP_ACT_ERRNO\"}]}", "names a string" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	    "[7],\"action\":\"SCMP_ACT_ERRNO\"}]}", "a name not a string" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	    "[\"dup\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,"
	    "\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}", "arg index 6" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	    "[\"dup\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,"
	    "\"value\":1,\"op\":\"SCMP_CMP_LIKE\"}]}]}", "unknown op" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	    "[\"dup\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,"
	    "\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}]}]}", "negative value" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	    "[\"dup\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,"
	    "\"value\":18446744073709551615,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	    "value past 2^63" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	    "[\"dup\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":{}}]}",
	    "args not an array" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	    "[\"dup\"],\"action\":\"SCMP_ACT_ERRNO\",\"includes\":[]}]}",
	    "includes not an object" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	    "[\"dup\"],\"action\":\"SCMP_ACT_ERRNO\",\"excludes\":{\"caps\":"
	    "[1]}}]}", "caps not strings" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	    "[\"dup\"],\"action\":\"SCMP_ACT_ALLOW\",\"errnoRet\":1}]}",
	    "errnoRet on ALLOW" },
};

/* Append a rule for name with six tests, ops[i] against v + i. */
static size_t
rule6(char *buf, size_t cap, size_t off, const char *name,
    const char *const *ops, int v)
{
	int	i;

	off += snprintf(buf + off, cap - off, "{\"names\":[\"%s\"],"
	    "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[", name);
	for (i = 0; i < 6; i++)
		off += snprintf(buf + off, cap - off, "%s{\"index\":%d,"
		    "\"value\":%d,\"op\":\"SCMP_CMP_%s\"}", i ? "," : "", i,
		    v + i, ops[i]);
	return off + snprintf(buf + off, cap - off, "]},");
}

static char *
rules_begin(size_t cap, size_t *off)
{
	char	*buf;

	if ((buf = malloc(cap)) != NULL)
		*off = snprintf(buf, cap, "{\"defaultAction\":"
		    "\"SCMP_ACT_ALLOW\",\"syscalls\":[");
	return buf;
}

/*
 * A rule of six tests for every syscall, each with values of its own
 * (libseccomp shares identical blocks): 9798 instructions, and 44 s in
 * libseccomp, were it let through.
 */
static char *
huge(void)
{
	static const char *const ops[] = { "EQ", "GT", "LT", "NE", "GE",
	    "LE" };
	size_t			 cap = 1 << 20, off;
	char			*buf, *name;
	int			 nr;

	if ((buf = rules_begin(cap, &off)) == NULL)
		return NULL;
	for (nr = 0; nr < 400 && off < cap - 1024; nr++) {
		if ((name = seccomp_syscall_resolve_num_arch(
		    SCMP_ARCH_NATIVE, nr)) == NULL)
			continue;
		off = rule6(buf, cap, off, name, ops, nr + 1);
		free(name);
	}
	snprintf(buf + off - 1, cap - off + 1, "]}");
	return buf;
}

/* eight rules of six range tests on one syscall: an exponential tree */
static char *
slow(void)
{
	static const char *const ops[] = { "GT", "GT", "GT", "GT", "GT",
	    "GT" };
	size_t			 cap = 8192, off;
	char			*buf;
	int			 r;

	if ((buf = rules_begin(cap, &off)) == NULL)
		return NULL;
	for (r = 0; r < 8; r++)
		off = rule6(buf, cap, off, "dup", ops, r + 1);
	snprintf(buf + off - 1, cap - off + 1, "]}");
	return buf;
}

static void
test_bad(void)
{
	struct seccomp_bpf	*b;
	char			*big;
	size_t			 i;

	for (i = 0; i < nitems(bad); i++) {
		b = compile(bad[i].json, 0);
		T_OK(b == NULL && err[0] != '\0' && strchr(err, '\n') == NULL,
		    "refused: %s (%s)", bad[i].what, err);
		free(b);
	}
	if ((big = malloc(SECCOMP_JSONMAX + 2)) != NULL) {
		memset(big, ' ', SECCOMP_JSONMAX + 1);
		memcpy(big, "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", 34);
		b = seccomp_json_compile(big, SECCOMP_JSONMAX + 1, 0, err,
		    sizeof(err));
		T_OK(b == NULL, "refused: larger than 1 MiB (%s)", err);
		free(b);
		b = seccomp_json_compile(big, SECCOMP_JSONMAX, 0, err,
		    sizeof(err));
		T_OK(b != NULL, "1 MiB exactly, mostly spaces, compiles");
		free(b);
		free(big);
	}
	if ((big = huge()) != NULL) {
		b = compile(big, 0);
		T_OK(b == NULL && strstr(err, "too complex") != NULL,
		    "refused, at once: rules for a program past "
		    "BPF_MAXINSNS (%s)", err);
		free(b);
		free(big);
	}
	if ((big = slow()) != NULL) {
		b = compile(big, 0);
		T_OK(b == NULL && strstr(err, "too complex") != NULL,
		    "refused, at once: 2 KiB that would hold libseccomp for "
		    "minutes (%s)", err);
		free(b);
		free(big);
	}
}

int
main(void)
{
	test_good();
	test_real();
	test_bad();
	return tap_done();
}
