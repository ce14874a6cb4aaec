/*
 * test_init.c: runs cell_init_run() the way spawn-helper does, without
 * the rest of celld, so tests/integration/15-init.sh can attack the
 * container it makes.
 *
 *	test_init ROOTFS_DIR -- CMD [ARG...]
 *
 * As root: in a private mount namespace, build the tree fs-helper would
 * (upper and work dirs, ROOTFS_DIR at lower/0, in a tmpfs), take a
 * detached clone of it with open_tree(), then fork R.  R clones C into new user, mount,
 * pid, uts, ipc and network namespaces, writes C's id maps and waits for
 * it; C runs cell_init_run().  A failure's message comes back on the sync
 * socket and is printed as "test_init: MESSAGE"; the exit status is C's
 * (128 + N for signal N).  ROOTFS_DIR should belong to the base uid, as
 * fs-helper's idmapped mounts would make it look.
 *
 * Without arguments it is a unit test instead (TAP, no root needed):
 * mnt_path_ok(), and the seccomp profile loaded in throwaway children.
 *
 * The spec comes from the environment:
 *	TI_BASE=1000000		host id of container id 0 (65536 ids)
 *	TI_CAPS=a80425fb	capability mask, hex (Docker's default set)
 *	TI_USER, TI_WORKDIR, TI_HOSTNAME	as in the spec
 *	TI_ENV="K=V K2=V2"	the container's environment
 *	TI_TMPFS=/a:/b		tmpfs mounts
 *	TI_READONLY, TI_PRIVILEGED, TI_UNCONFINED, TI_TTY =1: flags
 *	TI_HOSTNET=1		no network namespace (as --network host)
 */
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/sched.h>

#include "spawn-helper/init.h"
#include "tests/unit/tap.h"

#define TI_ID	"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"
#define TI_STACK	((size_t)1024 * 1024)

static struct cell_spec	spec;

struct ti {
	struct cell_init	 ci;
	int			 go[2];		/* R tells C: maps written */
	int			 parent_end;	/* spawn-helper's end */
	uint32_t		 base;
};

static int
envflag(const char *name)
{
	const char	*v = getenv(name);

	return v != NULL && strcmp(v, "1") == 0;
}

static void
envstr(const char *name, char *dst, size_t len)
{
	const char	*v = getenv(name);

	if (v != NULL && strlcpy(dst, v, len) >= len)
		errx(125, "%s: too long", name);
}

/* append words of s, split at sep, as NUL-terminated strings */
static uint32_t
pack(char *buf, size_t len, const char *s, const char *sep)
{
	char		*copy, *w, *p;
	size_t		 off = 0, n;
	uint32_t	 count = 0;

	if ((copy = strdup(s)) == NULL)
		err(125, "strdup");
	for (p = copy; (w = strsep(&p, sep)) != NULL; ) {
		if (*w == '\0')
			continue;
		n = strlen(w) + 1;
		if (off + n > len)
			errx(125, "spec: too long");
		memcpy(buf + off, w, n);
		off += n;
		count++;
	}
	free(copy);
	return count;
}

static void
spec_build(int argc, char **argv)
{
	const char	*v;
	char		*tmp, *p, *w;
	size_t		 off = 0, n;
	int		 i;

	spec.flags = SPEC_NNP;
	if (envflag("TI_READONLY"))
		spec.flags |= SPEC_READONLY;
	if (envflag("TI_PRIVILEGED"))
		spec.flags |= SPEC_PRIVILEGED;
	if (envflag("TI_UNCONFINED"))
		spec.flags |= SPEC_UNCONFINED;
	if (envflag("TI_TTY"))
		spec.flags |= SPEC_TTY;
	v = getenv("TI_CAPS");
	spec.caps = strtoull(v ? v : "a80425fb", NULL, 16);
	envstr("TI_USER", spec.user, sizeof(spec.user));
	envstr("TI_WORKDIR", spec.workdir, sizeof(spec.workdir));
	envstr("TI_HOSTNAME", spec.hostname, sizeof(spec.hostname));
	if ((v = getenv("TI_ENV")) != NULL)
		spec.envc = pack(spec.env, sizeof(spec.env), v, " ");
	if ((v = getenv("TI_TMPFS")) != NULL) {
		if ((tmp = strdup(v)) == NULL)
			err(125, "strdup");
		for (p = tmp; (w = strsep(&p, ":")) != NULL; )
			if (*w != '\0' && spec.ntmpfs < SPEC_MAXTMPFS)
				strlcpy(spec.tmpfs[spec.ntmpfs++], w,
				    SPEC_PATHLEN);
		free(tmp);
	}
	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]) + 1;
		if (off + n > sizeof(spec.args))
			errx(125, "args: too long");
		memcpy(spec.args + off, argv[i], n);
		off += n;
	}
	spec.argc = argc;
}

/*
 * The tree fs-helper would hand over, in our own mount namespace: upper
 * and work dirs, the rootfs bound at lower/0; returns a detached clone.
 * (fs-helper binds idmapped layers; ROOTFS_DIR is chowned to the range.)
 */
static int
rootfs_make(const char *lower, uint32_t base)
{
	char			dir[] = "/tmp/test_init.XXXXXX", path[PATH_MAX];
	struct mount_attr	ma;
	int			fd;

	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		err(125, "private mount namespace");
	/* shared, as systemd makes every mount: init must cut the peers */
	if (mkdtemp(dir) == NULL || mount("ti", dir, "tmpfs", 0,
	    "mode=0711") == -1 || mount(NULL, dir, NULL, MS_SHARED,
	    NULL) == -1)
		err(125, "scratch tmpfs");
	snprintf(path, sizeof(path), "%s/upper", dir);
	if (mkdir(path, 0755) == -1 || chown(path, base, base) == -1)
		err(125, "%s", path);
	snprintf(path, sizeof(path), "%s/work", dir);
	if (mkdir(path, 0700) == -1 || chown(path, base, base) == -1)
		err(125, "%s", path);
	snprintf(path, sizeof(path), "%s/lower", dir);
	if (mkdir(path, 0755) == -1 || chmod(path, 0755) == -1)
		err(125, "%s", path);	/* exact modes, as fs-helper */
	snprintf(path, sizeof(path), "%s/lower/0", dir);
	if (mkdir(path, 0755) == -1 || mount(lower, path, NULL,
	    MS_BIND | MS_REC, NULL) == -1)
		err(125, "bind %s", lower);
	fd = open_tree(AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	    AT_RECURSIVE);
	if (fd == -1)
		err(125, "open_tree");
	/*
	 * A clone of a shared mount is its peer: detaching dir would take
	 * the clone's lower/0 with it.  fs-helper's clones are private (its
	 * jail is), so make ours so too.
	 */
	memset(&ma, 0, sizeof(ma));
	ma.propagation = MS_PRIVATE;
	if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma,
	    sizeof(ma)) == -1)
		err(125, "private clone");
	/* the clone keeps its own copies of the mounts; the paths can go */
	if (umount2(dir, MNT_DETACH) == -1 || rmdir(dir) == -1)
		err(125, "%s", dir);
	return fd;
}

static int
c_main(void *arg)
{
	struct ti	*ti = arg;
	char		 err[CELL_MSGLEN], c;
	int		 status;

	close(ti->go[1]);
	close(ti->parent_end);
	if (read(ti->go[0], &c, 1) != 1)
		_exit(125);
	close(ti->go[0]);
	err[0] = '\0';
	status = cell_init_run(&ti->ci, err, sizeof(err));
	if (write(ti->ci.sync_fd, err, strlen(err)) == -1)
		_exit(125);
	_exit(status);
}

static void
idmap_write(pid_t pid, const char *file, uint32_t base)
{
	char	path[64], map[64];
	int	fd, n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	n = snprintf(map, sizeof(map), "0 %" PRIu32 " 65536\n", base);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1 ||
	    write(fd, map, n) != n)
		err(125, "%s", path);
	close(fd);
}

/* R: clone C, write its maps, let it go, wait, report its status */
static void
r_main(struct ti *ti)
{
	char	*stack;
	pid_t	 pid;
	int	 flags, st;

	flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS |
	    CLONE_NEWIPC | CLONE_NEWNET;
	if (envflag("TI_HOSTNET"))
		flags &= ~CLONE_NEWNET;
	if ((stack = malloc(TI_STACK)) == NULL || pipe2(ti->go,
	    O_CLOEXEC) == -1)
		err(125, "setup");
	pid = clone(c_main, stack + TI_STACK, flags | SIGCHLD, ti);
	if (pid == -1)
		err(125, "clone");
	close(ti->go[0]);
	close(ti->ci.sync_fd);
	close(ti->ci.rootfs_fd);
	idmap_write(pid, "uid_map", ti->base);
	idmap_write(pid, "gid_map", ti->base);
	if (write(ti->go[1], "x", 1) != 1)
		err(125, "go");
	close(ti->go[1]);
	if (waitpid(pid, &st, 0) == -1)
		err(125, "waitpid");
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

static void
test_path_ok(void)
{
	T_OK(mnt_path_ok("/data"), "path: /data");
	T_OK(mnt_path_ok("/a//b/"), "path: /a//b/");
	T_OK(mnt_path_ok("/a/..b/c."), "path: dots inside names are names");
	T_OK(!mnt_path_ok("data"), "path: relative is refused");
	T_OK(!mnt_path_ok(""), "path: empty is refused");
	T_OK(!mnt_path_ok("/../x"), "path: .. is refused");
	T_OK(!mnt_path_ok("/a/../../x"), "path: .. inside is refused");
	T_OK(!mnt_path_ok("/a/.."), "path: trailing .. is refused");
	T_OK(!mnt_path_ok("/a/./b"), "path: . is refused");
}

enum sc_call {
	SC_GETPID, SC_KEYCTL, SC_BPF, SC_UNSHARE_USER, SC_CLONE_USER,
	SC_CLONE3, SC_PERSONA_QUERY, SC_PERSONA_BAD, SC_VSOCK, SC_UNIX,
	SC_MOUNT_API
};

static long
sc_call(enum sc_call c)
{
	struct clone_args	ca;
	long			r = -1;

	switch (c) {
	case SC_GETPID:
		return getpid();
	case SC_KEYCTL:
		return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID,
		    KEY_SPEC_SESSION_KEYRING, 0);
	case SC_BPF:
		return syscall(SYS_bpf, 0, NULL, 0);
	case SC_UNSHARE_USER:
		return unshare(CLONE_NEWUSER);
	case SC_CLONE_USER:
		r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
		break;
	case SC_CLONE3:
		memset(&ca, 0, sizeof(ca));
		ca.exit_signal = SIGCHLD;
		r = syscall(SYS_clone3, &ca, sizeof(ca));
		break;
	case SC_PERSONA_QUERY:
		return personality(0xffffffff);
	case SC_PERSONA_BAD:
		return personality(READ_IMPLIES_EXEC);
	case SC_VSOCK:
		return socket(40 /* AF_VSOCK */, SOCK_STREAM, 0);
	case SC_UNIX:
		return socket(AF_UNIX, SOCK_STREAM, 0);
	case SC_MOUNT_API:
		return syscall(SYS_fsopen, "tmpfs", 0);
	}
	if (r == 0)
		_exit(0);	/* a child made by a clone that got through */
	return r;
}

/*
 * In a child: keep only the bounding set bnd (-1: leave it), load the
 * profile, make the call.  0 if it succeeded, else its errno.
 */
static int
sc_try(long long bnd, enum sc_call c)
{
	pid_t	pid;
	int	st, v;

	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		for (v = 0; bnd != -1 && v <= CAP_LAST_CAP; v++)
			if (!(bnd & (1LL << v)))
				(void)prctl(PR_CAPBSET_DROP, v, 0, 0, 0);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
		    cell_seccomp_default() == -1)
			_exit(255);
		errno = 0;
		_exit(sc_call(c) == -1 ? errno : 0);
	}
	if (waitpid(pid, &st, 0) == -1)
		err(1, "waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 256;
}

static void
test_seccomp(void)
{
	long long	docker = 0xa80425fb;
	long long	admin = docker | 1LL << CAP_SYS_ADMIN;

	T_EQ(sc_try(docker, SC_GETPID), 0, "seccomp: getpid is allowed");
	T_EQ(sc_try(docker, SC_KEYCTL), EPERM, "seccomp: keyctl is refused");
	T_EQ(sc_try(docker, SC_BPF), EPERM, "seccomp: bpf is refused");
	T_EQ(sc_try(docker, SC_UNSHARE_USER), EPERM,
	    "seccomp: unshare(CLONE_NEWUSER) is refused");
	T_EQ(sc_try(docker, SC_CLONE_USER), EPERM,
	    "seccomp: clone(CLONE_NEWUSER) is refused");
	T_EQ(sc_try(docker, SC_CLONE3), ENOSYS,
	    "seccomp: clone3 fails with ENOSYS, so libc falls back");
	T_EQ(sc_try(docker, SC_PERSONA_QUERY), 0,
	    "seccomp: personality(0xffffffff) is allowed");
	T_EQ(sc_try(docker, SC_PERSONA_BAD), EPERM,
	    "seccomp: personality(READ_IMPLIES_EXEC) is refused");
	T_EQ(sc_try(docker, SC_VSOCK), EPERM, "seccomp: AF_VSOCK is refused");
	T_EQ(sc_try(docker, SC_UNIX), 0, "seccomp: AF_UNIX is allowed");
	if (geteuid() != 0) {
		printf("skip - seccomp: rules that depend on capabilities: "
		    "not root\n");
		return;
	}
	T_EQ(sc_try(docker, SC_MOUNT_API), EPERM,
	    "seccomp: fsopen is refused without CAP_SYS_ADMIN");
	T_EQ(sc_try(admin, SC_MOUNT_API), 0,
	    "seccomp: fsopen is allowed with CAP_SYS_ADMIN");
	T_EQ(sc_try(admin, SC_UNSHARE_USER), EPERM,
	    "seccomp: CAP_SYS_ADMIN still gets no user namespace");
}

int
main(int argc, char **argv)
{
	struct ti	 ti;
	const char	*v;
	char		 msg[CELL_MSGLEN + 1];
	ssize_t		 n;
	pid_t		 r;
	int		 sv[2], st;

	if (argc == 1) {
		test_path_ok();
		test_seccomp();
		return tap_done();
	}
	if (argc < 4 || strcmp(argv[2], "--") != 0) {
		fprintf(stderr, "usage: test_init ROOTFS_DIR -- CMD "
		    "[ARG...]\n");
		return 125;
	}
	memset(&ti, 0, sizeof(ti));
	v = getenv("TI_BASE");
	ti.base = v ? strtoul(v, NULL, 10) : 1000000;
	spec_build(argc - 3, argv + 3);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		err(125, "socketpair");
	ti.ci.id = TI_ID;
	ti.ci.spec = &spec;
	ti.ci.rootfs_fd = rootfs_make(argv[1], ti.base);
	ti.ci.sync_fd = sv[1];
	ti.ci.uid_base = ti.base;
	ti.ci.ptsfd = -1;		/* init makes its own devpts */
	ti.parent_end = sv[0];
	if ((r = fork()) == -1)
		err(125, "fork");
	if (r == 0)
		r_main(&ti);
	close(sv[1]);
	close(ti.ci.rootfs_fd);
	/* EOF: C exec'd (the socket is close-on-exec); else its reason */
	while ((n = read(sv[0], msg, sizeof(msg) - 1)) > 0) {
		msg[n] = '\0';
		fprintf(stderr, "test_init: %s\n", msg);
	}
	if (waitpid(r, &st, 0) == -1)
		err(125, "waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
