/*
 * delegate.c: the cgroup subtree spawn-helper works in, made by the
 * parent as root before it forks the launcher and drops (parent_setup).
 *
 * In each hierarchy celld uses (the v2 tree, and the v1 hierarchies of
 * memory, cpu, cpuacct, pids and freezer), with OWN the cgroup celld was
 * started in:
 *
 *	OWN/celld-supervisor	root's leaf.  celld moves in first, so the
 *				launcher, every helper and every monitor
 *				forked later start there.
 *	OWN/celld-cells		spawn-helper's (chowned): it makes
 *				cell-<id> inside with no capability at all,
 *				cgroupfs asks for file ownership only.
 *
 * On v2 the memory, cpu and pids controllers are enabled in OWN and in
 * celld-cells, unless a v1 hierarchy holds them (a hybrid host); v2's
 * no-internal-process rule is why celld leaves OWN for a leaf first.
 *
 * We never create anything at the root of a hierarchy, save one dir: if
 * OWN is "/" (a v1 host's init scripts, a shell in the root cgroup), OWN
 * becomes "/celld".  Nothing undoes this at shutdown: the parent is
 * unprivileged by then, and the dirs are reused on the next start
 * (tests/cgroup.sh removes a test instance's).  spawn-helper finds the
 * same layout on its own (spawn-helper/cgroup.c); both read
 * /proc/self/cgroup and the mounts with privsep/cgroupfs.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "parent.h"

#define DG_SUPERVISOR	"celld-supervisor"
#define DG_CELLS	"celld-cells"

static int
dg_mkdir(int dfd, const char *name)
{
	if (mkdirat(dfd, name, 0755) == -1 && errno != EEXIST)
		return -1;
	return openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
}

/* OWN, from celld's cgroup in this hierarchy. */
static int
dg_own(int mfd, const char *path, char *own, size_t len)
{
	char	*slash;

	if (strlcpy(own, path, len) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* started from inside a supervisor (a restart): the same OWN */
	if ((slash = strrchr(own, '/')) != NULL &&
	    strcmp(slash + 1, DG_SUPERVISOR) == 0)
		*slash = '\0';
	if (own[0] == '\0' || strcmp(own, "/") == 0) {
		/* the root cgroup: "/celld", the one dir we make there */
		if (mkdirat(mfd, "celld", 0755) == -1 && errno != EEXIST)
			return -1;
		strlcpy(own, "/celld", len);
	}
	return openat(mfd, own + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* v2: controllers for the children of dfd.  Unavailable ones are a warning. */
static int
dg_enable(int dfd, const char *const *enable, const char *where)
{
	char	buf[32];

	for (; *enable != NULL; enable++) {
		snprintf(buf, sizeof(buf), "+%s", *enable);
		if (cgfs_write(dfd, "cgroup.subtree_control", buf) == 0)
			continue;
		if (errno == EBUSY) {
			log_warnx("%s: other processes share celld's cgroup: "
			    "start celld in a cgroup of its own "
			    "(systemd: Delegate=yes)", where);
			return -1;
		}
		log_warn("%s: %s controller, containers can't have that "
		    "limit", where, *enable);
	}
	return 0;
}

static int
dg_chown(int ownfd, int cellsfd, int v2, uid_t uid, gid_t gid)
{
	const char	*files[] = { "cgroup.procs", "cgroup.subtree_control",
	    "cgroup.threads", "tasks" };
	size_t		 i;

	if (fchown(cellsfd, uid, gid) == -1)
		return -1;
	for (i = 0; i < nitems(files); i++)
		if (fchownat(cellsfd, files[i], uid, gid,
		    AT_SYMLINK_NOFOLLOW) == -1 && errno != ENOENT)
			return -1;
	/*
	 * v2 lets a process move only if the mover may write cgroup.procs
	 * of the common ancestor of its old and new cgroup, and for
	 * celld-supervisor -> celld-cells/cell-<id> that is OWN's.  So OWN's
	 * cgroup.procs is spawn-helper's too, but not OWN itself nor its
	 * subtree_control: it can move processes within OWN (no more than
	 * its CAP_KILL already lets it do to them), and can't make, limit
	 * or leave anything outside celld-cells.  v1 asks instead that the
	 * mover's euid be the moved process's uid.
	 */
	if (v2 && fchownat(ownfd, "cgroup.procs", uid, gid,
	    AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	return 0;
}

static int
dg_hier(const struct cgfs_line *l, const char *const *enable, uid_t uid,
    gid_t gid)
{
	char	mnt[PATH_MAX], own[PATH_MAX], where[PATH_MAX * 2], pid[16];
	int	mfd = -1, ownfd = -1, supfd = -1, cellsfd = -1, r = -1;

	if (cgfs_mountpoint(l, mnt, sizeof(mnt)) == -1) {
		log_warn("cgroup %s: mount", l->hid ? l->ctrl : "v2");
		return -1;
	}
	snprintf(where, sizeof(where), "%s%s", mnt, l->path);
	if ((mfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (ownfd = dg_own(mfd, l->path, own, sizeof(own))) == -1) {
		log_warn("%s", where);
		goto done;
	}
	snprintf(where, sizeof(where), "%s%s", mnt, own);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if ((supfd = dg_mkdir(ownfd, DG_SUPERVISOR)) == -1 ||
	    cgfs_write(supfd, "cgroup.procs", pid) == -1) {
		log_warn("%s/%s", where, DG_SUPERVISOR);
		goto done;
	}
	if (l->hid == 0 && dg_enable(ownfd, enable, where) == -1)
		goto done;
	if ((cellsfd = dg_mkdir(ownfd, DG_CELLS)) == -1 ||
	    (l->hid == 0 && dg_enable(cellsfd, enable, where) == -1) ||
	    dg_chown(ownfd, cellsfd, l->hid == 0, uid, gid) == -1) {
		log_warn("%s/%s", where, DG_CELLS);
		goto done;
	}
	r = 0;
done:
	if (cellsfd != -1)
		close(cellsfd);
	if (supfd != -1)
		close(supfd);
	if (ownfd != -1)
		close(ownfd);
	if (mfd != -1)
		close(mfd);
	return r;
}

int
cgroup_delegate(uid_t uid, gid_t gid)
{
	static const char *const ctrls[] = { "memory", "cpu", "pids" };
	const char		*enable[nitems(ctrls) + 1];
	struct cgfs_line	 l[16];
	size_t			 k, ne = 0;
	int			 n, i, v1;

	if ((n = cgfs_lines(0, l, nitems(l), cgfs_wanted)) == -1) {
		log_warn("/proc/self/cgroup");
		return -1;
	}
	/* on v2, what no v1 hierarchy holds: everything, on pure v2 */
	for (k = 0; k < nitems(ctrls); k++) {
		for (v1 = 0, i = 0; i < n; i++)
			if (l[i].hid != 0 && cgfs_has(l[i].ctrl, ctrls[k]))
				v1 = 1;
		if (!v1)
			enable[ne++] = ctrls[k];
	}
	enable[ne] = NULL;
	for (i = 0; i < n; i++)
		if (dg_hier(&l[i], enable, uid, gid) == -1)
			return -1;
	if (n == 0) {
		log_warnx("cgroups: celld is in no cgroup hierarchy");
		errno = ENOENT;
		return -1;
	}
	return 0;
}
