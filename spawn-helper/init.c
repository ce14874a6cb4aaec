/*
 * init.c: cell_init_run(), the last code of ours a container runs.  It
 * executes in C, the container's first process, inside its new user, pid,
 * mount, uts, ipc and network namespaces, and ends in execve() of the
 * user's command.  In order: ids and cgroup namespace; the file system
 * tree and pivot_root (mounts.c); hostname; the user, workdir, argv and
 * environment, read from the container's own files; capabilities, ids and
 * no_new_privs; signals and fds; seccomp; exec.
 *
 * What must not cross into the container (compare CVE-2019-5736 and
 * CVE-2024-21626): until execve() our /proc/self/exe is the host's
 * celld-spawn binary, but no other process exists in the container's pid
 * namespace before we exec, and exec replaces the image; every fd but 0,
 * 1 and 2 is closed (the sync socket is close-on-exec), and the cwd is set
 * inside the new root, so no host directory stays reachable.
 */
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <sys/capability.h>

#include "init.h"

#define INIT_PATH	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:" \
			    "/sbin:/bin"
#define INIT_MAXGROUPS	256
#define INIT_IDMAX	((long long)UINT32_MAX - 1)	/* -1 is no id */

struct init_user {
	uid_t	uid;
	gid_t	gid;
	gid_t	groups[INIT_MAXGROUPS];
	int	ngroups;
	char	name[64];		/* passwd entry found, or "" */
	char	home[SPEC_PATHLEN];
};

struct init_cmd {
	char	**argv;
	char	**envp;
	char	 *extra[4];		/* env entries we add */
	char	  host[65];
};

static int
init_vfail(char *err, size_t errlen, int saved, const char *fmt,
    va_list ap)
{
	char	what[CELL_MSGLEN];

	vsnprintf(what, sizeof(what), fmt, ap);
	if (saved)
		snprintf(err, errlen, "%s: %s", what, strerror(saved));
	else
		snprintf(err, errlen, "%s", what);
	errno = saved;
	return -1;
}

int
init_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	init_vfail(err, errlen, saved, fmt, ap);
	va_end(ap);
	return -1;
}

int
init_failx(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	init_vfail(err, errlen, 0, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Step 1.  Become root of the user namespace (our maps are written), with
 * no supplementary groups, and take a cgroup namespace: we are already in
 * the container's cgroup, which becomes the root of what it sees.  The
 * umask we inherited is spawn-helper's; the container gets Docker's.
 */
static int
init_creds(char *err, size_t errlen)
{
	if (setgroups(0, NULL) == -1)
		return init_fail(err, errlen, "setgroups");
	if (setresgid(0, 0, 0) == -1)
		return init_fail(err, errlen, "setresgid 0");
	if (setresuid(0, 0, 0) == -1)
		return init_fail(err, errlen, "setresuid 0");
	if (unshare(CLONE_NEWCGROUP) == -1)
		return init_fail(err, errlen, "cgroup namespace");
	/* Docker's; the mountpoints and workdir we make are 0755 */
	umask(022);
	return 0;
}

/* Step 5.  The name is also HOSTNAME in the environment. */
static int
init_hostname(const struct cell_init *ci, struct init_cmd *cmd, char *err,
    size_t errlen)
{
	const char	*h = ci->spec->hostname;
	size_t		 n;

	n = strnlen(h, sizeof(ci->spec->hostname));
	if (n == 0) {
		h = ci->id;
		n = strnlen(h, 12);
	}
	memcpy(cmd->host, h, n);
	cmd->host[n] = '\0';
	if (sethostname(cmd->host, n) == -1)
		return init_fail(err, errlen, "sethostname %s", cmd->host);
	return 0;
}

/*
 * The image's /etc/passwd or /etc/group.  We are past pivot_root, so any
 * symlink resolves inside the container; still, only a regular file is
 * read, so a fifo can't hang us and /dev/zero can't fill memory.
 */
static FILE *
init_fopen(const char *path)
{
	struct stat	 st;
	FILE		*f;
	int		 fd, saved;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return NULL;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if ((f = fdopen(fd, "re")) == NULL)
		goto fail;
	return f;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return NULL;
}

/* numeric id: 0 and 1, or -1 when s is not a number */
static int
init_numeric(const char *s, long long *id)
{
	const char	*e;

	if (s[0] < '0' || s[0] > '9')
		return 0;
	*id = strtonum(s, 0, INIT_IDMAX, &e);
	return e == NULL ? 1 : -1;
}

/* The user part: a name or a uid, looked up in the image's passwd. */
static int
init_passwd(const char *who, struct init_user *u, char *err, size_t errlen)
{
	struct passwd	*pw;
	FILE		*f;
	long long	 id = 0;
	int		 num;

	if ((num = who[0] == '\0' ? 1 : init_numeric(who, &id)) == -1)
		return init_failx(err, errlen, "user %s: bad uid", who);
	u->uid = id;
	if ((f = init_fopen("/etc/passwd")) == NULL) {
		if (num && errno == ENOENT)
			return 0;
		return init_fail(err, errlen, "user %s: /etc/passwd", who);
	}
	while ((pw = fgetpwent(f)) != NULL) {
		if (num ? pw->pw_uid != u->uid : strcmp(pw->pw_name, who) != 0)
			continue;
		u->uid = pw->pw_uid;
		u->gid = pw->pw_gid;
		strlcpy(u->name, pw->pw_name, sizeof(u->name));
		if (pw->pw_dir[0] != '\0')
			strlcpy(u->home, pw->pw_dir, sizeof(u->home));
		break;
	}
	fclose(f);
	if (!num && u->name[0] == '\0')
		return init_failx(err, errlen, "user %s: no matching entries "
		    "in passwd file", who);
	return 0;
}

/*
 * The group part, as runc does it: an explicit group is the primary group
 * and the only one; without one, a user found in passwd also gets every
 * group of /etc/group that lists it.
 */
static int
init_group(const char *grp, struct init_user *u, char *err, size_t errlen)
{
	struct group	 *gr;
	FILE		 *f;
	long long	  id;
	int		  num = 0, found = 0;
	char		**m;

	if (grp != NULL && (num = init_numeric(grp, &id)) == -1)
		return init_failx(err, errlen, "group %s: bad gid", grp);
	if (num) {
		u->gid = id;
		return 0;
	}
	if (grp == NULL && u->name[0] == '\0')
		return 0;
	if ((f = init_fopen("/etc/group")) == NULL) {
		if (grp == NULL && errno == ENOENT)
			return 0;
		return init_fail(err, errlen, "group %s: /etc/group",
		    grp ? grp : u->name);
	}
	while ((gr = fgetgrent(f)) != NULL) {
		if (grp != NULL) {
			if (strcmp(gr->gr_name, grp) == 0) {
				u->gid = gr->gr_gid;
				found = 1;
				break;
			}
			continue;
		}
		for (m = gr->gr_mem; *m != NULL; m++)
			if (strcmp(*m, u->name) == 0)
				break;
		if (*m == NULL)
			continue;
		if (u->ngroups == INIT_MAXGROUPS) {
			fclose(f);
			return init_failx(err, errlen, "user %s: more than %d "
			    "groups", u->name, INIT_MAXGROUPS);
		}
		u->groups[u->ngroups++] = gr->gr_gid;
	}
	fclose(f);
	if (grp != NULL && !found)
		return init_failx(err, errlen, "group %s: no matching entries "
		    "in group file", grp);
	return 0;
}

/* Step 6, the user: "" is 0:0, else "user[:group]", names or numbers. */
static int
init_user(const struct cell_spec *spec, struct init_user *u, char *err,
    size_t errlen)
{
	char	buf[sizeof(spec->user) + 1], *grp;
	size_t	n;

	memset(u, 0, sizeof(*u));
	strlcpy(u->home, "/", sizeof(u->home));
	n = strnlen(spec->user, sizeof(spec->user));
	memcpy(buf, spec->user, n);
	buf[n] = '\0';
	if ((grp = strchr(buf, ':')) != NULL)
		*grp++ = '\0';
	if (init_passwd(buf, u, err, errlen) == -1)
		return -1;
	return init_group(grp, u, err, errlen);
}

/* n NUL-terminated strings from buf into a new vector, room for extra */
static char **
init_strv(const char *buf, size_t len, uint32_t n, size_t extra)
{
	char	**v;
	size_t	  off = 0, l;
	uint32_t  i;

	if (n > len) {
		errno = E2BIG;
		return NULL;
	}
	if ((v = calloc(n + extra + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		l = off < len ? strnlen(buf + off, len - off) : len;
		if (off >= len || l == len - off) {
			free(v);
			errno = EINVAL;		/* runs off the buffer */
			return NULL;
		}
		v[i] = (char *)(buf + off);
		off += l + 1;
	}
	return v;
}

/* the value of name in a NULL-terminated environment, or NULL */
static const char *
init_getenv(char *const *envp, const char *name)
{
	size_t	n = strlen(name);

	for (; *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* add name=value unless the user's environment already has name */
static int
init_addenv(struct init_cmd *cmd, size_t *n, const char *name,
    const char *value)
{
	size_t	i;

	if (init_getenv(cmd->envp, name) != NULL)
		return 0;
	for (i = 0; cmd->extra[i] != NULL; i++)
		;
	if (asprintf(&cmd->extra[i], "%s=%s", name, value) == -1) {
		cmd->extra[i] = NULL;
		return -1;
	}
	cmd->envp[(*n)++] = cmd->extra[i];
	return 0;
}

/*
 * Step 6, argv and the environment: exactly the spec's, plus PATH,
 * HOSTNAME, HOME and (with a tty) TERM when the spec lacks them.  Nothing
 * of ours leaks: execve() gets this vector, not environ.
 */
static int
init_cmd(const struct cell_spec *spec, const struct init_user *u,
    struct init_cmd *cmd, char *err, size_t errlen)
{
	size_t	n;

	if (spec->argc == 0)
		return init_failx(err, errlen, "no command specified");
	if ((cmd->argv = init_strv(spec->args, sizeof(spec->args),
	    spec->argc, 0)) == NULL)
		return init_fail(err, errlen, "command");
	if ((cmd->envp = init_strv(spec->env, sizeof(spec->env),
	    spec->envc, nitems(cmd->extra))) == NULL)
		return init_fail(err, errlen, "environment");
	for (n = 0; n < spec->envc; n++)
		if (cmd->envp[n][0] == '=' || strchr(cmd->envp[n], '=') ==
		    NULL)
			return init_failx(err, errlen, "environment: bad "
			    "entry");
	if (init_addenv(cmd, &n, "PATH", INIT_PATH) == -1 ||
	    init_addenv(cmd, &n, "HOSTNAME", cmd->host) == -1 ||
	    init_addenv(cmd, &n, "HOME", u->home) == -1 ||
	    ((spec->flags & SPEC_TTY) &&
	    init_addenv(cmd, &n, "TERM", "xterm") == -1))
		return init_fail(err, errlen, "environment");
	return 0;
}

static void
init_cmd_free(struct init_cmd *cmd)
{
	size_t	i;

	for (i = 0; i < nitems(cmd->extra); i++)
		free(cmd->extra[i]);
	free(cmd->argv);
	free(cmd->envp);
}

/*
 * Step 6, the workdir: absolute, made (root-owned, 0755, like Docker's)
 * when missing.  We are inside the new root, so a symlink in the path
 * can't lead out of it.
 */
static int
init_workdir(const char *dir, char *err, size_t errlen)
{
	char	buf[SPEC_PATHLEN], *p, c;

	if (dir[0] != '/' || strlcpy(buf, dir, sizeof(buf)) >= sizeof(buf)) {
		errno = EINVAL;
		return init_fail(err, errlen, "workdir %.*s", SPEC_PATHLEN,
		    dir);
	}
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (p[-1] != '/' && mkdir(buf, 0755) == -1 && errno != EEXIST)
			return init_fail(err, errlen, "workdir %s", buf);
		if ((*p = c) == '\0')
			break;
	}
	return 0;
}

/*
 * Step 7, capabilities and ids, in the order the kernel needs: shrink the
 * bounding set to caps while CAP_SETPCAP is still ours, empty the ambient
 * set, change ids with PR_SET_KEEPCAPS off (a non-zero uid thus loses its
 * effective and permitted sets, as under Docker), then set E = P = caps
 * for root and nothing for anyone else, with I empty.  Root's exec then
 * gets exactly the bounding set.
 */
static int
init_identity(uint64_t caps, const struct init_user *u, char *err,
    size_t errlen)
{
	cap_value_t	v, last = cap_max_bits();
	cap_t		c;
	int		r;

	for (v = 0; v < last; v++)
		if ((v > 63 || !(caps & (1ULL << v))) &&
		    prctl(PR_CAPBSET_DROP, v, 0, 0, 0) == -1)
			return init_fail(err, errlen, "drop capability %d", v);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1)
		return init_fail(err, errlen, "clear ambient capabilities");
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1)
		return init_fail(err, errlen, "keepcaps");
	if (setgroups(u->ngroups, u->groups) == -1)
		return init_fail(err, errlen, "setgroups");
	if (setresgid(u->gid, u->gid, u->gid) == -1)
		return init_fail(err, errlen, "setresgid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) == -1)
		return init_fail(err, errlen, "setresuid %u", u->uid);
	if ((c = cap_init()) == NULL)
		return init_fail(err, errlen, "capabilities");
	for (v = 0; u->uid == 0 && v < last && v < 64; v++) {
		if (!(caps & (1ULL << v)))
			continue;
		if (cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_SET) == -1 ||
		    cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_SET) == -1) {
			cap_free(c);
			return init_fail(err, errlen, "capabilities");
		}
	}
	r = cap_set_proc(c);
	cap_free(c);
	if (r == -1)
		return init_fail(err, errlen, "set capabilities");
	return 0;
}

/*
 * Ignored signals and the signal mask survive exec; the container starts
 * with neither.  sigaction() refuses SIGKILL, SIGSTOP and the two that
 * glibc keeps for itself; that is expected, not an error.
 */
static int
init_signals(void)
{
	struct sigaction	sa;
	sigset_t		set;
	int			s;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (s = 1; s < NSIG; s++)
		(void)sigaction(s, &sa, NULL);
	sigemptyset(&set);
	return sigprocmask(SIG_SETMASK, &set, NULL);
}

/*
 * Step 8: fds 0, 1 and 2 only.  The sync socket stays until exec, which
 * closes it (close-on-exec): spawn-helper reads EOF as success.  So does
 * celld-init's memfd with --init: it is what we exec, and the exec closes
 * it too.  Each kept fd is >= 3, or -1 for none.
 */
static int
init_fds(int keep1, int keep2)
{
	int	lo = 3, next;

	for (;;) {
		next = keep1 >= lo ? keep1 : -1;
		if (keep2 >= lo && (next == -1 || keep2 < next))
			next = keep2;
		if (next == -1)
			return close_range(lo, ~0U, 0);
		if (next > lo && close_range(lo, next - 1, 0) == -1)
			return -1;
		if (fcntl(next, F_SETFD, FD_CLOEXEC) == -1)
			return -1;
		lo = next + 1;
	}
}

/* 126 or 127 and the reason, in the words a shell would use */
static int
init_exec_fail(const char *name, int slash, int e, char *err,
    size_t errlen)
{
	const char	*why;

	switch (e) {
	case ENOENT:
	case ENOTDIR:
		why = slash ? "no such file or directory" :
		    "command not found";
		init_failx(err, errlen, "%s: %s", name, why);
		return 127;
	case EACCES:
		init_failx(err, errlen, "%s: permission denied", name);
		break;
	case ENOEXEC:
		init_failx(err, errlen, "%s: exec format error", name);
		break;
	default:
		errno = e;
		init_fail(err, errlen, "%s", name);
		break;
	}
	return 126;
}

/*
 * --init: "celld-init -- PATH ARGV0 ARGS...", from its sealed memfd (see
 * initbin.c), which runs PATH as its child.  Only returns on failure.
 */
static int
init_exec_init(const struct cell_init *ci, struct init_cmd *cmd,
    const char *path, char *err, size_t errlen)
{
	char	**argv;
	size_t	  n;

	for (n = 0; cmd->argv[n] != NULL; n++)
		;
	if ((argv = calloc(n + 4, sizeof(*argv))) == NULL) {
		init_fail(err, errlen, "celld-init");
		return 125;
	}
	argv[0] = "celld-init";
	argv[1] = "--";
	argv[2] = (char *)path;
	memcpy(argv + 3, cmd->argv, n * sizeof(*argv));
	execveat(ci->initfd, "", argv, cmd->envp, AT_EMPTY_PATH);
	init_fail(err, errlen, "celld-init");
	free(argv);
	return 125;
}

/*
 * One candidate: exec it; or, with --init, check that an exec would find
 * it (celld-init then runs it), so that a missing or unexecutable command
 * still fails here, with 127 or 126 and the reason.  -1 and errno when it
 * won't do.
 */
static int
init_attempt(const struct cell_init *ci, struct init_cmd *cmd,
    const char *path)
{
	struct stat	st;

	if (ci->initfd < 3) {		/* no --init, or an exec */
		execve(path, cmd->argv, cmd->envp);
		return -1;
	}
	if (stat(path, &st) == -1)
		return -1;
	/* as execve: a directory, no x bit or a noexec mount is EACCES */
	if (!S_ISREG(st.st_mode) || faccessat(AT_FDCWD, path, X_OK, 0) ==
	    -1) {
		errno = EACCES;
		return -1;
	}
	return 0;
}

/*
 * execvpe(), along the container's PATH (not ours), and without its
 * fallback of running a file that fails with ENOEXEC through /bin/sh.
 */
static int
init_exec(const struct cell_init *ci, struct init_cmd *cmd, char *err,
    size_t errlen)
{
	const char	*name = cmd->argv[0], *p, *e;
	char		 path[PATH_MAX];
	int		 seen_eacces = 0, n;

	if (name[0] == '\0')
		return init_exec_fail("\"\"", 0, ENOENT, err, errlen);
	if (strchr(name, '/') != NULL) {
		if (init_attempt(ci, cmd, name) == 0)
			return init_exec_init(ci, cmd, name, err, errlen);
		return init_exec_fail(name, 1, errno, err, errlen);
	}
	if ((p = init_getenv(cmd->envp, "PATH")) == NULL)
		p = INIT_PATH;
	for (; ; p = e + 1) {
		e = p + strcspn(p, ":");
		n = snprintf(path, sizeof(path), "%.*s%s%s", (int)(e - p), p,
		    e == p ? "" : "/", name);
		if (n > 0 && (size_t)n < sizeof(path)) {
			if (init_attempt(ci, cmd, path) == 0)
				return init_exec_init(ci, cmd, path, err,
				    errlen);
			if (errno == EACCES)
				seen_eacces = 1;
			else if (errno != ENOENT && errno != ENOTDIR)
				return init_exec_fail(name, 0, errno, err,
				    errlen);
		}
		if (*e == '\0')
			break;
	}
	return init_exec_fail(name, 0, seen_eacces ? EACCES : ENOENT, err,
	    errlen);
}

/* Steps 6 to 8 (and seccomp), once we are inside the new root. */
static int
init_finish(const struct cell_init *ci, struct init_cmd *cmd, char *err,
    size_t errlen)
{
	const struct cell_spec	*spec = ci->spec;
	struct init_user	 u;
	const char		*wd = spec->workdir[0] ? spec->workdir : "/";
	char			 cwdbuf[PATH_MAX];

	/*
	 * fds first: a workdir like /proc/self/fd/N must find nothing of
	 * the host's to lead out through (CVE-2024-21626).
	 */
	if (init_fds(ci->sync_fd, ci->initfd) == -1)
		return init_fail(err, errlen, "close fds");
	if (init_user(spec, &u, err, errlen) == -1 ||
	    init_cmd(spec, &u, cmd, err, errlen) == -1 ||
	    init_workdir(wd, err, errlen) == -1 ||
	    init_identity(spec->caps, &u, err, errlen) == -1)
		return -1;
	/* as the user, so a workdir it can't enter is an error now */
	if (chdir(wd) == -1)
		return init_fail(err, errlen, "chdir %s", wd);
	/* and it must lie under our root: getcwd() fails otherwise */
	if (getcwd(cwdbuf, sizeof(cwdbuf)) == NULL || cwdbuf[0] != '/')
		return init_failx(err, errlen, "workdir %s: outside the "
		    "container", wd);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return init_fail(err, errlen, "no_new_privs");
	if (init_signals() == -1)
		return init_fail(err, errlen, "signals");
	/* last, so that nothing above is filtered; in force at execve */
	if (!(spec->flags & (SPEC_UNCONFINED | SPEC_PRIVILEGED)) &&
	    !(ci->bpf != NULL && ci->bpf_replace) &&
	    cell_seccomp_default() == -1)
		return init_fail(err, errlen, "seccomp");
	/* seccomp=FILE: on top, or instead (the parent's policy) */
	if ((spec->flags & SPEC_SECCOMP) && ci->bpf == NULL)
		return init_failx(err, errlen, "seccomp profile missing");
	if (ci->bpf != NULL && cell_seccomp_load(ci->bpf, ci->nbpf) == -1)
		return init_fail(err, errlen, "seccomp profile");
	return 0;
}

/*
 * With a tty, the command leads a new session whose controlling terminal
 * is its stdin, so ^C typed at the client reaches it as SIGINT.
 */
static int
init_tty(const struct cell_spec *spec, char *err, size_t errlen)
{
	if (!(spec->flags & SPEC_TTY) || !isatty(0))
		return 0;
	if (setsid() == -1 && errno != EPERM)
		return init_fail(err, errlen, "setsid");
	if (ioctl(0, TIOCSCTTY, 0) == -1)
		return init_fail(err, errlen, "controlling tty");
	return 0;
}

int
cell_init_run(const struct cell_init *ci, char *err, size_t errlen)
{
	struct init_cmd	cmd;
	int		status = 125;

	memset(&cmd, 0, sizeof(cmd));
	if (init_creds(err, errlen) == -1 ||
	    mnt_setup(ci, err, errlen) == -1 ||
	    init_hostname(ci, &cmd, err, errlen) == -1 ||
	    init_tty(ci->spec, err, errlen) == -1 ||
	    init_finish(ci, &cmd, err, errlen) == -1)
		goto done;
	if ((ci->spec->flags & SPEC_INIT) && ci->initfd < 3) {
		init_failx(err, errlen, "--init: celld-init is not available");
		goto done;
	}
	status = init_exec(ci, &cmd, err, errlen);
done:
	init_cmd_free(&cmd);
	return status;
}

/*
 * exec: another process in a running container.  The caller has joined
 * every namespace of the container (see exec.c), which also made the
 * container's root our root and cwd; from here it is the same as a
 * container's first process, less the mounts and the hostname.
 */
int
cell_exec_run(const struct cell_init *ci, char *err, size_t errlen)
{
	struct init_cmd	cmd;
	int		status = 125;

	memset(&cmd, 0, sizeof(cmd));
	if (setgroups(0, NULL) == -1 || setresgid(0, 0, 0) == -1 ||
	    setresuid(0, 0, 0) == -1) {
		init_fail(err, errlen, "become container root");
		goto done;
	}
	umask(022);
	if (gethostname(cmd.host, sizeof(cmd.host) - 1) == -1) {
		init_fail(err, errlen, "gethostname");
		goto done;
	}
	if (init_tty(ci->spec, err, errlen) == -1 ||
	    init_finish(ci, &cmd, err, errlen) == -1)
		goto done;
	status = init_exec(ci, &cmd, err, errlen);
done:
	init_cmd_free(&cmd);
	return status;
}
