/*
 * more.c: the running container's cgroup on request: pause, stats,
 * limits, and the process list for top.  Every request names a container
 * by id; spawn-helper acts only on cgroups it made (cell-<id> beneath its
 * delegated subtree), whatever the parent asks.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include "spawn.h"
#include "cell.h"

static int
get_id(struct imsgev *iev, struct imsg *imsg, struct msg_spawn_id *req)
{
	if (imsg_get_data(imsg, req, sizeof(*req)) == -1 ||
	    !msg_id_ok(req->id, sizeof(req->id))) {
		imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
		    "bad container id");
		return -1;
	}
	return 0;
}

static void
reply(struct imsgev *iev, struct imsg *imsg, int r, const char *what)
{
	imsgev_reply(iev, imsg_get_peerid(imsg), r == -1 ? errno : 0, 0,
	    r == -1 ? what : NULL);
}

void
spawn_freeze(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_spawn_kill	req;

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !msg_id_ok(req.id, sizeof(req.id)) || (req.sig != 0 &&
	    req.sig != 1)) {
		imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
		    "freeze: bad request");
		return;
	}
	reply(iev, imsg, cgroup_freeze(req.id, req.sig), "freeze");
}

void
spawn_update(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_spawn_update	req;

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !msg_id_ok(req.id, sizeof(req.id)) || req.memory < 0 ||
	    req.cpus_milli < 0 || req.pids < 0) {
		imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
		    "update: bad request");
		return;
	}
	reply(iev, imsg, cgroup_update(req.id, req.memory, req.cpus_milli,
	    req.pids), "update");
}

void
spawn_stats(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_spawn_id	req;
	struct msg_stat		ms;
	struct cell_stats	st;
	struct timespec		ts;

	if (get_id(iev, imsg, &req) == -1)
		return;
	if (cgroup_stats(req.id, &st) == -1) {
		reply(iev, imsg, -1, "stats");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	memset(&ms, 0, sizeof(ms));
	memcpy(ms.id, req.id, sizeof(ms.id));
	ms.mem_usage = st.mem_usage;
	ms.mem_limit = st.mem_limit;
	ms.cpu_usage_ns = st.cpu_usage_ns;
	ms.pids = st.pids;
	ms.pids_limit = st.pids_limit;
	ms.when_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	imsgev_compose(iev, MSG_SPAWN_STAT, imsg_get_peerid(imsg), 0, -1, &ms,
	    sizeof(ms));
}

/* /proc/PID/stat: the fields after "(comm)", parsed into the struct. */
static int
proc_stat(pid_t pid, struct msg_procline *pl)
{
	char			 path[64], buf[1024], *p;
	unsigned long long	 ut, st, start;
	int			 fd, ppid;
	ssize_t			 n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || (buf[n] = '\0', p = strrchr(buf, ')')) == NULL)
		return -1;
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime priority nice threads
	 * itrealvalue starttime */
	if (sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu "
	    "%llu %*d %*d %*d %*d %*d %*d %llu", &ppid, &ut, &st, &start) != 4)
		return -1;
	pl->pid = pid;
	pl->ppid = ppid;
	pl->cpu_ticks = ut + st;
	pl->start_ticks = start;
	return 0;
}

static void
proc_cmd(pid_t pid, struct msg_procline *pl)
{
	char	path[64];
	int	fd;
	ssize_t	n, i;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, pl->cmd, sizeof(pl->cmd) - 1);
	close(fd);
	for (i = 0; i < n; i++)
		if (pl->cmd[i] == '\0' || pl->cmd[i] < 0x20)
			pl->cmd[i] = ' ';
	pl->cmd[n > 0 ? n : 0] = '\0';
}

static uint32_t
proc_uid(pid_t pid)
{
	char		path[64];
	struct stat	st;

	snprintf(path, sizeof(path), "/proc/%d", pid);
	return stat(path, &st) == 0 ? st.st_uid : (uint32_t)-1;
}

void
spawn_top(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_spawn_id	 req;
	struct msg_procline	 pl;
	static pid_t		 pids[4096];
	int			 n, i;

	if (get_id(iev, imsg, &req) == -1)
		return;
	if ((n = cgroup_pids(req.id, pids, nitems(pids))) == -1) {
		reply(iev, imsg, -1, "top");
		return;
	}
	for (i = 0; i < n; i++) {
		memset(&pl, 0, sizeof(pl));
		memcpy(pl.id, req.id, sizeof(pl.id));
		if (proc_stat(pids[i], &pl) == -1)
			continue;	/* gone meanwhile */
		pl.uid = proc_uid(pids[i]);
		proc_cmd(pids[i], &pl);
		imsgev_compose(iev, MSG_SPAWN_PROC, imsg_get_peerid(imsg), 0,
		    -1, &pl, sizeof(pl));
	}
	reply(iev, imsg, 0, NULL);
}
