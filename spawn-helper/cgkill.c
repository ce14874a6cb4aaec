/*
 * cgkill.c: the processes in a container's cgroup: list them, freeze and
 * thaw them, and kill every one, those that left in a new session or
 * double-forked included (cgroup.kill where the kernel has it, else
 * freeze, kill what is listed, thaw, until none is left).  The
 * hierarchies are cgroup.c's.
 */
#include <sys/pidfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "spawn.h"
#include "cgroup.h"

/* Call fn for each pid in cgroup.procs of dfd; the count, or -1. */
static int
cg_procs(int dfd, int (*fn)(pid_t, void *), void *arg)
{
	const char	*errstr;
	FILE		*fp;
	char		*line = NULL;
	size_t		 sz = 0;
	pid_t		 pid;
	int		 n = 0;

	if ((fp = cg_fopen(dfd, "cgroup.procs")) == NULL)
		return -1;
	while (getline(&line, &sz, fp) != -1) {
		line[strcspn(line, "\n")] = '\0';
		pid = strtonum(line, 1, INT_MAX, &errstr);
		if (errstr != NULL)
			continue;
		if (fn(pid, arg) == -1) {
			n = -1;
			break;
		}
		n++;
	}
	free(line);
	fclose(fp);
	return n;
}

/* Which hierarchy lists a container's processes: the one we freeze. */
static int
cg_listh(void)
{
	if (roles[R_FREEZE] != -1)
		return roles[R_FREEZE];
	if (roles[R_KILL] != -1)
		return roles[R_KILL];
	return 0;
}

struct cg_pidlist {
	pid_t	*pids;
	size_t	 max, n;
};

static int
cg_pidadd(pid_t pid, void *arg)
{
	struct cg_pidlist	*pl = arg;

	if (pl->n == pl->max) {
		errno = ENOBUFS;
		return -1;
	}
	pl->pids[pl->n++] = pid;
	return 0;
}

/* The container's processes (not its threads): their count, or -1. */
int
cgroup_pids(const char *id, pid_t *pids, size_t max)
{
	struct cg_pidlist	pl = { pids, max, 0 };
	int			fd, n, saved;

	if ((fd = cg_open(cg_listh(), id)) == -1)
		return -1;
	n = cg_procs(fd, cg_pidadd, &pl);
	saved = errno;
	close(fd);
	errno = saved;
	return n;
}

static int
cg_setfrozen(int h, int fd, int on)
{
	if (hiers[h].hid == 0)
		return cg_write(fd, "cgroup.freeze", "%d", on);
	return cg_write(fd, "freezer.state", "%s", on ? "FROZEN" : "THAWED");
}

/* Wait for the freezer to say frozen: 0, or -1 (EBUSY) after naps. */
static int
cg_waitfrozen(int h, int fd, int naps)
{
	char		buf[32];
	uint64_t	v;

	while (naps-- > 0) {
		if (hiers[h].hid == 0) {
			if (cg_readkey(fd, "cgroup.events", "frozen %" SCNu64,
			    &v) == -1)
				return -1;
			if (v == 1)
				return 0;
		} else {
			if (cg_read(fd, "freezer.state", buf,
			    sizeof(buf)) == -1)
				return -1;
			if (strcmp(buf, "FROZEN") == 0)
				return 0;
		}
		cg_nap();
	}
	errno = EBUSY;
	return -1;
}

int
cgroup_freeze(const char *id, int on)
{
	int	h = roles[R_FREEZE], fd, r, saved;

	if ((fd = cg_open(h, id)) == -1)
		return -1;
	r = cg_setfrozen(h, fd, on != 0);
	if (r == 0 && on && cg_waitfrozen(h, fd, CG_WAIT_NAPS) == -1) {
		saved = errno;		/* half frozen is no state to leave */
		cg_setfrozen(h, fd, 0);
		errno = saved;
		r = -1;
	}
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

struct cg_victims {
	int	 h;
	char	 path[CG_PATHLEN + CELL_IDLEN + 8];
};

/*
 * SIGKILL pid if it is still in the container.  The pidfd pins which
 * process we mean: if the signal through it lands, that process was
 * alive when we read its cgroup, so a recycled pid can't be hit.
 */
static int
cg_pidkill(pid_t pid, void *arg)
{
	const struct cg_victims	*vi = arg;
	struct cgfs_line	 l[16];
	int			 pidfd, n, i, in = 0;

	if ((pidfd = pidfd_open(pid, 0)) == -1)
		return 0;		/* gone already */
	n = cgfs_lines(pid, l, nitems(l), cg_fits);
	for (i = 0; i < n; i++)
		if (l[i].hid == hiers[vi->h].hid &&
		    strcmp(l[i].path, vi->path) == 0)
			in = 1;
	if (in)
		pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
	close(pidfd);
	return 0;
}

/*
 * Without cgroup.kill: freeze so that nothing forks between reading the
 * list and killing it, SIGKILL every process, thaw so the signals land
 * (a v1-frozen task sleeps through SIGKILL), and again until empty.
 */
static int
cg_kill_frozen(const char *id)
{
	struct cg_victims	vi;
	int			h = roles[R_FREEZE], fd, round, n = -1;

	if ((fd = cg_open(h, id)) == -1)
		return -1;
	vi.h = h;
	snprintf(vi.path, sizeof(vi.path), "%s/cell-%s", hiers[h].path, id);
	for (round = 0; round < CG_KILL_ROUNDS; round++) {
		if (cg_setfrozen(h, fd, 1) == -1)
			break;
		/* a task in D state may never freeze: kill what we can */
		cg_waitfrozen(h, fd, CG_WAIT_NAPS / 5);
		n = cg_procs(fd, cg_pidkill, &vi);
		if (cg_setfrozen(h, fd, 0) == -1 || n <= 0)
			break;
		cg_nap();
	}
	close(fd);
	if (n == 0)
		return 0;
	log_warnx("%.12s: processes survive the kill", id);
	errno = EBUSY;
	return -1;
}

/* Every process in the container, even one that double-forked away. */
int
cgroup_kill(const char *id)
{
	int	fd, r, saved;

	if (roles[R_KILL] == -1)
		return cg_kill_frozen(id);
	if ((fd = cg_open(roles[R_KILL], id)) == -1)
		return -1;
	r = cg_write(fd, "cgroup.kill", "1");
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}