/*
 * cgroup.c: containers' cgroups, in spawn-helper.
 *
 * The parent, as root, delegated OWN/celld-cells to us in every hierarchy
 * and put us in its sibling OWN/celld-supervisor (parent/delegate.c).  We
 * find both from /proc/self/cgroup and /proc/self/mounts once, keep a dir
 * fd on each celld-cells, and from then on work openat-relative: a
 * container's cgroup is celld-cells/cell-<id> in every hierarchy.
 *
 * Each job goes to the hierarchy that can do it (a "role"): on pure v2
 * that is always the one tree; on a v1/hybrid host memory, cpu, cpuacct
 * and pids are v1 hierarchies, while the hybrid's controller-less v2 tree
 * still gives cgroup.kill, cgroup.freeze and cpu.stat.  The parent reads
 * /proc/self/cgroup and the mounts with the same code
 * (privsep/cgroupfs.c), never with ours: code is not shared sideways.
 * Listing, freezing and killing a container's processes is cgkill.c's.
 */
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/sched.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "spawn.h"
#include "cgroup.h"

struct cg_hier		hiers[CG_MAXHIER];
size_t			nhiers;
int			roles[R_MAX];	/* which hierarchy does what */
static int		v1roles[R_MAX], v2roles[R_MAX];	/* the candidates */

void
cg_nap(void)
{
	struct timespec	ts = { 0, CG_NAP_MS * 1000000L };

	nanosleep(&ts, NULL);
}

/* a path too long to keep is a path we can't be in (cgfs_lines) */
int
cg_fits(const struct cgfs_line *l)
{
	return strlen(l->path) < CG_PATHLEN;
}

/*
 * One hierarchy: we must be in OWN/celld-supervisor, and OWN/celld-cells
 * must be ours.  Anything else means the parent did not delegate.
 */
static int
cg_add(const struct cgfs_line *l)
{
	struct cg_hier	*h = &hiers[nhiers];
	struct stat	 st;
	char		 mnt[PATH_MAX], *slash;
	int		 mfd;

	if (nhiers == CG_MAXHIER) {
		errno = E2BIG;
		return -1;
	}
	if (cgfs_mountpoint(l, mnt, sizeof(mnt)) == -1) {
		log_warn("cgroups: %s: no mount", l->hid ? l->ctrl : "v2");
		return -1;
	}
	slash = strrchr(l->path, '/');
	if (slash == NULL || strcmp(slash, "/celld-supervisor") != 0) {
		log_warnx("cgroups: %s: in %s, not in a celld-supervisor",
		    mnt, l->path);
		errno = EPERM;
		return -1;
	}
	h->hid = l->hid;
	strlcpy(h->ctrl, l->ctrl, sizeof(h->ctrl));
	snprintf(h->path, sizeof(h->path), "%.*s/celld-cells",
	    (int)(slash - l->path), l->path);
	if ((mfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_warn("cgroups: %s", mnt);
		return -1;
	}
	h->fd = openat(mfd, h->path + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(mfd);
	if (h->fd == -1) {
		log_warn("cgroups: %s%s", mnt, h->path);
		return -1;
	}
	nhiers++;		/* cg_reset() closes it from here on */
	if (fstat(h->fd, &st) == -1)
		return -1;
	if (st.st_uid != geteuid()) {
		log_warnx("cgroups: %s%s: not delegated to us", mnt, h->path);
		errno = EPERM;
		return -1;
	}
	return 0;
}

static int
cg_hasfile(int h, const char *file)
{
	return faccessat(hiers[h].fd, file, F_OK, 0) == 0;
}

/*
 * v1 roles follow the controller names; v2 roles follow the files the
 * parent's subtree_control made appear in celld-cells.  A controller
 * lives in one hierarchy only, but v2 is preferred for usage, freezing
 * and killing, which the hybrid's v2 tree offers without controllers.
 */
static void
cg_roles(void)
{
	static const struct {
		int		 role;
		const char	*ctrl, *v2file;
	} map[] = {
		{ R_MEM, "memory", "memory.max" },
		{ R_CPU, "cpu", "cpu.max" },
		{ R_ACCT, "cpuacct", "cpu.stat" },
		{ R_PIDS, "pids", "pids.max" },
		{ R_FREEZE, "freezer", "cgroup.freeze" },
		{ R_KILL, NULL, "cgroup.kill" },
	};
	size_t	 h, k;
	int	 r;

	for (r = 0; r < R_MAX; r++)
		v1roles[r] = v2roles[r] = -1;
	for (h = 0; h < nhiers; h++) {
		for (k = 0; k < nitems(map); k++) {
			r = map[k].role;
			if (hiers[h].hid == 0 && cg_hasfile(h, map[k].v2file))
				v2roles[r] = h;
			if (hiers[h].hid != 0 && map[k].ctrl != NULL &&
			    cgfs_has(hiers[h].ctrl, map[k].ctrl))
				v1roles[r] = h;
		}
	}
	for (r = 0; r < R_MAX; r++)
		roles[r] = v2roles[r] != -1 ? v2roles[r] : v1roles[r];
}

static void
cg_reset(void)
{
	int	r, saved = errno;

	while (nhiers > 0)
		close(hiers[--nhiers].fd);
	for (r = 0; r < R_MAX; r++)
		roles[r] = v1roles[r] = v2roles[r] = -1;
	errno = saved;
}

int
cgroup_init(void)
{
	struct cgfs_line	 l[16];
	int			 n, i;

	cg_reset();
	if ((n = cgfs_lines(0, l, nitems(l), cg_fits)) == -1) {
		log_warn("cgroups: /proc/self/cgroup");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (cgfs_wanted(&l[i]) && cg_add(&l[i]) == -1)
			goto fail;
	if (nhiers == 0) {
		log_warnx("cgroups: no cgroup hierarchy is mounted");
		errno = ENOENT;
		goto fail;
	}
	cg_roles();
	if (roles[R_KILL] == -1 && roles[R_FREEZE] == -1) {
		/* fail closed: we could not promise that stop kills all */
		log_warnx("cgroups: neither cgroup.kill nor a freezer");
		errno = EOPNOTSUPP;
		goto fail;
	}
	if (roles[R_MEM] == -1 || roles[R_CPU] == -1 || roles[R_PIDS] == -1)
		log_warnx("cgroups: memory, cpu or pids controller missing: "
		    "containers asking for those limits will be refused");
	return 0;
fail:
	cg_reset();
	return -1;
}

/* "cell-<id>", with id one plain name component */
static int
cg_name(const char *id, char *name, size_t len)
{
	size_t	i, n = strlen(id);

	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", id[i]) == NULL)
			break;
	if (n == 0 || n > CELL_IDLEN || i != n || id[0] == '.') {
		errno = EINVAL;
		return -1;
	}
	snprintf(name, len, "cell-%s", id);
	return 0;
}

int
cg_open(int h, const char *id)
{
	char	name[CELL_IDLEN + 8];

	if (h < 0 || (size_t)h >= nhiers) {	/* no such role, or no init */
		errno = EOPNOTSUPP;
		return -1;
	}
	if (cg_name(id, name, sizeof(name)) == -1)
		return -1;
	return openat(hiers[h].fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
}

int
cg_write(int dfd, const char *file, const char *fmt, ...)
{
	va_list	ap;
	char	buf[64];
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		errno = EOVERFLOW;
		return -1;
	}
	return cgfs_write(dfd, file, buf);
}

/* A small file, NUL-terminated, without its trailing newline. */
int
cg_read(int dfd, const char *file, char *buf, size_t len)
{
	int	fd, saved;
	ssize_t	n;

	if ((fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	saved = errno;
	close(fd);
	errno = saved;
	if (n == -1)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* A single-value file; "max" reads as 0, our word for "no limit". */
int
cg_readnum(int dfd, const char *file, uint64_t *v)
{
	const char	*errstr;
	char		 buf[64];

	if (cg_read(dfd, file, buf, sizeof(buf)) == -1)
		return -1;
	if (strcmp(buf, "max") == 0) {
		*v = 0;
		return 0;
	}
	*v = strtonum(buf, 0, LLONG_MAX, &errstr);
	if (errstr != NULL) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

FILE *
cg_fopen(int dfd, const char *file)
{
	FILE	*fp;
	int	 fd;

	if ((fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return NULL;
	if ((fp = fdopen(fd, "r")) == NULL)
		close(fd);
	return fp;
}

/* A "key value" line of a flat-keyed file such as cpu.stat. */
int
cg_readkey(int dfd, const char *file, const char *fmt, uint64_t *v)
{
	FILE	*fp;
	char	*line = NULL;
	size_t	 sz = 0;
	int	 found = 0;

	if ((fp = cg_fopen(dfd, file)) == NULL)
		return -1;
	while (!found && getline(&line, &sz, fp) != -1)
		found = sscanf(line, fmt, v) == 1;
	free(line);
	fclose(fp);
	if (!found)
		errno = ENODATA;
	return found ? 0 : -1;
}

static void
cg_num(int64_t v, char *buf, size_t len)
{
	if (v == 0)
		strlcpy(buf, "max", len);
	else
		snprintf(buf, len, "%lld", (long long)v);
}

static int
cg_set_memory(int fd, int v2, int64_t bytes)
{
	char	v[32];

	if (!v2)	/* v1: the limit alone; memsw, hence swap, unbounded */
		return cg_write(fd, "memory.limit_in_bytes", "%lld",
		    bytes ? (long long)bytes : -1LL);
	cg_num(bytes, v, sizeof(v));
	if (cg_write(fd, "memory.max", "%s", v) == -1)
		return -1;
	/*
	 * Docker's default: --memory without --memory-swap allows as much
	 * swap again (memory+swap = 2 x memory).  Without swap accounting
	 * (swapaccount=0) the file is missing and swap is not bounded.
	 */
	if (cg_write(fd, "memory.swap.max", "%s", v) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

static int
cg_set_cpu(int fd, int v2, int64_t milli)
{
	long long	quota = milli * (CG_PERIOD / 1000);

	if (v2 && milli == 0)
		return cg_write(fd, "cpu.max", "max %d", CG_PERIOD);
	if (v2)
		return cg_write(fd, "cpu.max", "%lld %d", quota, CG_PERIOD);
	if (cg_write(fd, "cpu.cfs_period_us", "%d", CG_PERIOD) == -1)
		return -1;
	return cg_write(fd, "cpu.cfs_quota_us", "%lld", milli ? quota : -1LL);
}

static int
cg_values_ok(int64_t mem, int64_t cpus_milli, int64_t pids)
{
	/* the kernel's smallest quota is 1 ms per 100 ms period */
	if (mem < 0 || pids < 0 || cpus_milli < 0 ||
	    (cpus_milli > 0 && cpus_milli < 10) || cpus_milli > (1LL << 30)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Limits, 0 meaning none; a limit no hierarchy can enforce is refused. */
static int
cg_limits(const char *id, int64_t mem, int64_t cpus_milli, int64_t pids)
{
	const struct {
		int		 role;
		int64_t		 v;
		const char	*what;
	} lim[] = {
		{ R_MEM, mem, "memory" },
		{ R_CPU, cpus_milli, "cpu" },
		{ R_PIDS, pids, "pids" },
	};
	size_t	 i;
	char	 v[32];
	int	 fd, v2, r, saved;

	for (i = 0; i < nitems(lim); i++) {
		if (roles[lim[i].role] == -1 && lim[i].v == 0)
			continue;
		if (roles[lim[i].role] == -1) {
			log_warnx("%.12s: no %s controller", id, lim[i].what);
			errno = EOPNOTSUPP;
			return -1;
		}
		if ((fd = cg_open(roles[lim[i].role], id)) == -1)
			return -1;
		v2 = hiers[roles[lim[i].role]].hid == 0;
		if (lim[i].role == R_MEM)
			r = cg_set_memory(fd, v2, lim[i].v);
		else if (lim[i].role == R_CPU)
			r = cg_set_cpu(fd, v2, lim[i].v);
		else {
			cg_num(lim[i].v, v, sizeof(v));
			r = cg_write(fd, "pids.max", "%s", v);
		}
		saved = errno;
		close(fd);
		if (r == -1) {
			log_warnx("%.12s: %s limit: %s", id, lim[i].what,
			    strerror(saved));
			errno = saved;
			return -1;
		}
	}
	return 0;
}

int
cgroup_create(const char *id, int64_t mem, int64_t cpus_milli, int64_t pids)
{
	char	name[CELL_IDLEN + 8];
	size_t	h;
	int	saved;

	if (cg_name(id, name, sizeof(name)) == -1 ||
	    cg_values_ok(mem, cpus_milli, pids) == -1)
		return -1;
	for (h = 0; h < nhiers; h++) {
		if (mkdirat(hiers[h].fd, name, 0755) == -1) {
			log_warn("%.12s: cgroup in %s", id, hiers[h].path);
			goto fail;
		}
	}
	if (cg_limits(id, mem, cpus_milli, pids) == 0)
		return 0;
fail:
	saved = errno;
	while (h-- > 0)
		unlinkat(hiers[h].fd, name, AT_REMOVEDIR);
	errno = saved;
	return -1;
}

int
cgroup_update(const char *id, int64_t mem, int64_t cpus_milli, int64_t pids)
{
	int	fd;

	if (cg_values_ok(mem, cpus_milli, pids) == -1 ||
	    (fd = cg_open(0, id)) == -1)
		return -1;
	close(fd);
	return cg_limits(id, mem, cpus_milli, pids);
}

/*
 * Joining a container's cgroups, cheaply.  Writing a pid to cgroup.procs
 * takes the kernel's threadgroup rwsem for writing, which waits out an
 * RCU grace period (7-10 ms here) while holding cgroup_mutex, so every
 * cgroup operation on the host queues behind it.  Two ways skip that
 * lock: clone3(CLONE_INTO_CGROUP) for the v2 tree, and a single-threaded
 * process writing "0" (itself) to a v1 hierarchy's "tasks".  So R opens
 * the files here, before it clones C; C is born in the v2 cgroup and
 * moves itself in v1.  Who may: v1 wants the opener's euid to be the
 * mover's uid (R opens, C has R's ids), v2 wants write access to
 * cgroup.procs of the common ancestor (the parent gave us OWN's, see
 * delegate.c).
 */
void
cgroup_join_close(struct cg_join *j)
{
	size_t	i;

	for (i = 0; i < j->n; i++)
		close(j->tasks[i]);
	if (j->v2 != -1)
		close(j->v2);
	j->n = 0;
	j->v2 = -1;
}

int
cgroup_join_open(const char *id, struct cg_join *j)
{
	size_t	h;
	int	fd, saved;

	j->n = 0;
	j->v2 = -1;
	for (h = 0; h < nhiers; h++) {
		if ((fd = cg_open(h, id)) == -1)
			goto fail;
		if (hiers[h].hid == 0) {
			j->v2 = fd;
			continue;
		}
		j->tasks[j->n] = openat(fd, "tasks", O_WRONLY | O_NOFOLLOW |
		    O_CLOEXEC);
		saved = errno;
		close(fd);
		errno = saved;
		if (j->tasks[j->n] == -1)
			goto fail;
		j->n++;
	}
	return 0;
fail:
	saved = errno;
	log_warn("%.12s: cgroup files", id);
	cgroup_join_close(j);
	errno = saved;
	return -1;
}

/*
 * clone3(ca) into j's v2 cgroup, if there is one and the kernel lets us;
 * *into says whether it did, in the child too (else the child writes
 * cgroup.procs in cgroup_join_self()).
 */
pid_t
cgroup_clone(struct clone_args *ca, const struct cg_join *j, int *into)
{
	pid_t	pid;

	*into = 0;
	if (j->v2 != -1) {
		ca->flags |= CLONE_INTO_CGROUP;
		ca->cgroup = (uint64_t)j->v2;
		if ((pid = syscall(SYS_clone3, ca, sizeof(*ca))) != -1) {
			*into = 1;
			return pid;
		}
		ca->flags &= ~CLONE_INTO_CGROUP;
	}
	return syscall(SYS_clone3, ca, sizeof(*ca));
}

/*
 * In the joining process, single-threaded: "0" to each v1 tasks; the v2
 * tree too unless clone3 already put us there (the slow write, kept for
 * exec's E and for a kernel that refuses CLONE_INTO_CGROUP).  Closes j.
 */
int
cgroup_join_self(struct cg_join *j, int v2_done)
{
	size_t	i;
	int	r = 0;

	for (i = 0; i < j->n && r == 0; i++)
		if (write(j->tasks[i], "0", 1) != 1)
			r = -1;
	if (r == 0 && !v2_done && j->v2 != -1)
		r = cg_write(j->v2, "cgroup.procs", "0");
	cgroup_join_close(j);
	return r;
}

static int
cg_stat1(const char *id, int h, const char *file, uint64_t *v)
{
	int	fd, r, saved;

	if ((fd = cg_open(h, id)) == -1)
		return -1;
	if (strcmp(file, "cpu.stat") == 0) {
		r = cg_readkey(fd, file, "usage_usec %" SCNu64, v);
		*v *= 1000;
	} else
		r = cg_readnum(fd, file, v);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int
cgroup_stats(const char *id, struct cell_stats *st)
{
	static const struct {
		int		 role;
		const char	*v2, *v1;
		size_t		 off;
	} f[] = {
		{ R_MEM, "memory.current", "memory.usage_in_bytes",
		    offsetof(struct cell_stats, mem_usage) },
		{ R_MEM, "memory.max", "memory.limit_in_bytes",
		    offsetof(struct cell_stats, mem_limit) },
		{ R_ACCT, "cpu.stat", "cpuacct.usage",
		    offsetof(struct cell_stats, cpu_usage_ns) },
		{ R_PIDS, "pids.current", "pids.current",
		    offsetof(struct cell_stats, pids) },
		{ R_PIDS, "pids.max", "pids.max",
		    offsetof(struct cell_stats, pids_limit) },
	};
	size_t	i;
	int	h, fd;

	memset(st, 0, sizeof(*st));
	if ((fd = cg_open(0, id)) == -1)
		return -1;
	close(fd);
	for (i = 0; i < nitems(f); i++) {
		if ((h = roles[f[i].role]) == -1)
			continue;	/* no such controller: reads as 0 */
		if (cg_stat1(id, h, hiers[h].hid == 0 ? f[i].v2 : f[i].v1,
		    (uint64_t *)(void *)((char *)st + f[i].off)) == -1) {
			log_warn("%.12s: %s", id, f[i].v2);
			return -1;
		}
	}
	if (st->mem_limit >= CG_V1_NOLIMIT)
		st->mem_limit = 0;
	return 0;
}

/* rmdir in every hierarchy, waiting briefly for the dying to exit. */
int
cgroup_remove(const char *id)
{
	char	name[CELL_IDLEN + 8];
	size_t	h, gone = 0;
	int	naps = CG_WAIT_NAPS, r = 0, saved = 0;

	if (cg_name(id, name, sizeof(name)) == -1)
		return -1;
	for (h = 0; h < nhiers; h++) {
		while (unlinkat(hiers[h].fd, name, AT_REMOVEDIR) == -1) {
			if (errno == ENOENT) {
				gone++;
				break;
			}
			if (errno != EBUSY || naps-- == 0) {
				saved = errno;
				log_warn("%.12s: rmdir in %s", id,
				    hiers[h].path);
				r = -1;
				break;
			}
			cg_nap();
		}
	}
	if (r == 0 && gone == nhiers)
		saved = ENOENT;		/* there was nothing to remove */
	errno = saved;
	return saved ? -1 : 0;
}

#ifdef CGROUP_TEST
/*
 * tests/unit/test_cgroup.c reads knobs back and forces the fallbacks.
 * A file, whole, from the first hierarchy that has it, trying those that
 * enforce limits first (cpu.stat is in v1's cpu and in v2).
 */
int
cgroup_test_read(const char *id, const char *file, char *buf, size_t len)
{
	int	order[R_MAX + CG_MAXHIER], i, n = 0, dfd, fd;
	ssize_t	r;

	order[n++] = roles[R_MEM];
	order[n++] = roles[R_CPU];
	order[n++] = roles[R_PIDS];
	for (i = 0; i < (int)nhiers; i++)
		order[n++] = i;
	for (i = 0; i < n; i++) {
		if ((dfd = cg_open(order[i], id)) == -1)
			continue;
		fd = openat(dfd, file, O_RDONLY | O_CLOEXEC);
		close(dfd);
		if (fd == -1)
			continue;
		r = read(fd, buf, len - 1);
		close(fd);
		if (r == -1)
			return -1;
		buf[r] = '\0';
		if (r > 0 && buf[r - 1] == '\n' && strchr(buf, '\n') ==
		    buf + r - 1)
			buf[r - 1] = '\0';	/* one line: as a value */
		return 0;
	}
	errno = ENOENT;
	return -1;
}

/* In how many hierarchies the container's cgroup exists. */
int
cgroup_test_count(const char *id)
{
	size_t	h;
	int	fd, n = 0;

	for (h = 0; h < nhiers; h++) {
		if ((fd = cg_open(h, id)) != -1) {
			n++;
			close(fd);
		}
	}
	return n;
}

/*
 * 0: as found; 1: no cgroup.kill; 2: nor v2's freezer or cpu.stat, but
 * v1's freezer and cpuacct (-1 if this host has none).
 */
int
cgroup_test_fallback(int level)
{
	cg_roles();
	if (level >= 1)
		roles[R_KILL] = -1;
	if (level >= 2 && (v1roles[R_FREEZE] == -1 || v1roles[R_ACCT] == -1)) {
		errno = ENOENT;
		return -1;
	}
	if (level >= 2) {
		roles[R_FREEZE] = v1roles[R_FREEZE];
		roles[R_ACCT] = v1roles[R_ACCT];
	}
	return 0;
}
#endif
