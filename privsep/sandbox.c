/*
 * sandbox.c: Landlock and seccomp, the two halves of a process's sandbox.
 * Both are applied last in privsep_drop(), after the uid and capability
 * change, and neither can be undone.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/landlock.h>

#include "privsep.h"

/*
 * Debian 12's headers describe Landlock ABI 2; the kernels we run on speak
 * up to 6 or more.  Spell out the later bits ourselves.
 */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)
#endif
#define LL_NET_BIND_TCP			(1ULL << 0)
#define LL_NET_CONNECT_TCP		(1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX		(1ULL << 0)
#define LL_SCOPE_SIGNAL			(1ULL << 1)

struct ll_ruleset_attr {		/* ABI 6 layout */
	uint64_t	fs;
	uint64_t	net;
	uint64_t	scoped;
};

struct ll_path_attr {
	uint64_t	allowed;
	int32_t		parent_fd;
} __attribute__((packed));

#define LL_FILE_RIGHTS (LANDLOCK_ACCESS_FS_EXECUTE |			\
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |	\
	LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

int	landlock_enforced;

static uint64_t
ll_handled(int abi)
{
	uint64_t	fs;

	fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;	/* ABI 1 */
	if (abi >= 2)
		fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return fs;
}

static uint64_t
ll_access(unsigned a)
{
	uint64_t	r = 0;

	if (a & SBX_R)
		r |= LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	if (a & SBX_W)
		r |= LANDLOCK_ACCESS_FS_WRITE_FILE |
		    LANDLOCK_ACCESS_FS_REMOVE_DIR |
		    LANDLOCK_ACCESS_FS_REMOVE_FILE |
		    LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
		    LANDLOCK_ACCESS_FS_MAKE_SOCK |
		    LANDLOCK_ACCESS_FS_MAKE_FIFO |
		    LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER |
		    LANDLOCK_ACCESS_FS_TRUNCATE;
	if (a & SBX_X)
		r |= LANDLOCK_ACCESS_FS_EXECUTE;
	if (a & SBX_DEV)
		r |= LANDLOCK_ACCESS_FS_MAKE_CHAR |
		    LANDLOCK_ACCESS_FS_MAKE_BLOCK |
		    LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r;
}

static const char *
ll_expand(const char *path, const char *const *vars)
{
	if (path[0] == '$' && path[1] >= '0' && path[1] <= '9' &&
	    path[2] == '\0')
		return vars ? vars[path[1] - '0'] : NULL;
	return path;
}

static int
ll_add_paths(int rfd, const struct sbx_path *paths, const char *const *vars,
    uint64_t handled)
{
	struct ll_path_attr	 pa;
	struct stat		 st;
	const char		*p;
	int			 fd;

	for (; paths != NULL && paths->path != NULL; paths++) {
		if ((p = ll_expand(paths->path, vars)) == NULL)
			continue;
		if ((fd = open(p, O_PATH | O_CLOEXEC)) == -1) {
			log_debug("landlock: %s: skipped: %s", p,
			    strerror(errno));
			continue;
		}
		if (fstat(fd, &st) == -1) {
			close(fd);
			return -1;
		}
		pa.allowed = ll_access(paths->access) & handled;
		if (!S_ISDIR(st.st_mode))
			pa.allowed &= LL_FILE_RIGHTS;
		pa.parent_fd = fd;
		if (syscall(SYS_landlock_add_rule, rfd,
		    LANDLOCK_RULE_PATH_BENEATH, &pa, 0) == -1) {
			log_warn("landlock: %s", p);
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/*
 * Restrict the filesystem to paths, deny every TCP bind and connect, and
 * (ABI 6) scope signals and abstract sockets to our own domain.  Fails
 * closed: a kernel without Landlock is an error, not a silent no-op.
 */
int
sandbox_landlock(const struct sbx_path *paths, const char *const *vars)
{
	struct ll_ruleset_attr	 ra;
	size_t			 size = sizeof(uint64_t);
	int			 abi, rfd;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		log_warnx("landlock: not supported by this kernel");
		errno = ENOTSUP;
		return -1;
	}
	memset(&ra, 0, sizeof(ra));
	ra.fs = ll_handled(abi);
	if (abi >= 4) {
		ra.net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		size = 2 * sizeof(uint64_t);
	}
	if (abi >= 6) {
		ra.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		size = sizeof(ra);
	}
	if ((rfd = syscall(SYS_landlock_create_ruleset, &ra, size, 0)) == -1)
		return -1;
	if (ll_add_paths(rfd, paths, vars, ra.fs) == -1 ||
	    syscall(SYS_landlock_restrict_self, rfd, 0) == -1) {
		close(rfd);
		return -1;
	}
	close(rfd);
	landlock_enforced = 1;
	return 0;
}

/*
 * Load an allow-list.  Everything not listed fails with EPERM, or kills
 * the process when kill is set.
 */
int
sandbox_seccomp(const int *sys, const struct sbx_arg *args, int kill)
{
	scmp_filter_ctx	 ctx;
	int		 r = -1;

	ctx = seccomp_init(kill ? SCMP_ACT_KILL_PROCESS :
	    SCMP_ACT_ERRNO(EPERM));
	if (ctx == NULL)
		return -1;
	/* a binary tree of syscall numbers: see spawn-helper/seccomp_profile.c */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0) {
		log_warnx("seccomp: cannot ask for a binary tree");
		goto done;
	}
	for (; *sys != -1; sys++) {
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, *sys, 0) < 0) {
			log_warnx("seccomp: cannot allow syscall %d", *sys);
			goto done;
		}
	}
	for (; args != NULL && args->nr != -1; args++) {
		/* spelled out: SCMP_CMP() leaves datum_b to the compiler */
		struct scmp_arg_cmp cmp = { args->arg, SCMP_CMP_EQ, args->val,
		    0 };

		if (seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, args->nr, 1,
		    &cmp) < 0) {
			log_warnx("seccomp: cannot add rule for %d",
			    args->nr);
			goto done;
		}
	}
	if (seccomp_load(ctx) < 0)
		goto done;
	r = 0;
done:
	seccomp_release(ctx);
	return r;
}
