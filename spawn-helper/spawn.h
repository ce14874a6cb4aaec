/*
 * spawn.h: spawn-helper's internal interfaces.
 *
 * A container is made in three processes:
 *   spawn-helper  forks R, and keeps one end of a sync socket to C;
 *   R             clones C into new namespaces, writes C's id maps, puts
 *                 C in its cgroup, then drops to _celld and execs the
 *                 monitor (R is the monitor: C's parent and reaper);
 *   C             the container's first process: it waits for its rootfs
 *                 mount fd on the sync socket, runs cell_init_run(), and
 *                 execs the user's command.
 */
#ifndef CELLD_SPAWN_H
#define CELLD_SPAWN_H

#include <sys/types.h>

#include "../privsep/privsep.h"

/* What C gets.  Everything in it was validated by spawn-helper. */
struct cell_init {
	const char		*id;
	const struct cell_spec	*spec;
	int			 rootfs_fd;	/* detached mount tree */
	int			 sync_fd;	/* to spawn-helper */
	uint32_t		 uid_base;	/* host id of container uid 0 */
	const char		*volroot;	/* where C finds its volumes */
	const struct sock_filter *bpf;		/* seccomp=FILE, or NULL */
	uint32_t		 nbpf;
	int			 bpf_replace;	/* instead of the default */
	int			 initfd;	/* --init: celld-init's sealed
						 * memfd (initbin.c), or -1 */
	int			 ptsfd;		/* -t: the devpts instance that
						 * holds our pty, or -1 */
};

/*
 * init.c: runs in C, inside its new user, pid, mount, uts, ipc and net
 * namespaces, already in its cgroup, with uid/gid 0 mapped to uid_base.
 * It never returns on success (the command is exec'd).  On failure it
 * writes a one-line reason into err and returns the exit status the
 * container should report: 125 setup error, 126 not executable, 127 not
 * found.
 */
int	cell_init_run(const struct cell_init *, char *, size_t);
int	cell_exec_run(const struct cell_init *, char *, size_t);

/* seccomp_profile.c: the default container profile, an allow-list */
void	cell_seccomp_prepare(uint64_t);
int	cell_seccomp_default(void);
int	cell_seccomp_load(const struct sock_filter *, uint32_t);

/* initbin.c: celld-init, copied once into a sealed memfd */
int	initbin_open(const char *);

/*
 * cgroup.c: containers' cgroups, beneath the subtree the parent delegated
 * to spawn-helper at startup (see parent/delegate.c).  Works on pure v2
 * and on v1/hybrid hosts.  All return 0 or -1 with errno set.
 */
struct cell_stats {
	uint64_t	mem_usage;	/* bytes */
	uint64_t	mem_limit;	/* bytes, 0 = none */
	uint64_t	cpu_usage_ns;
	uint64_t	pids;
	uint64_t	pids_limit;	/* 0 = none */
};

int	cgroup_init(void);
int	cgroup_create(const char *, int64_t, int64_t, int64_t);
struct cg_join {
	int	tasks[8];	/* v1 hierarchies' "tasks" */
	size_t	n;
	int	v2;		/* the v2 cgroup's dir, or -1 */
};
int	cgroup_join_open(const char *, struct cg_join *);
int	cgroup_join_self(struct cg_join *, int);
void	cgroup_join_close(struct cg_join *);
struct clone_args;
pid_t	cgroup_clone(struct clone_args *, const struct cg_join *, int *);
int	cgroup_update(const char *, int64_t, int64_t, int64_t);
int	cgroup_kill(const char *);
int	cgroup_freeze(const char *, int);
int	cgroup_stats(const char *, struct cell_stats *);
int	cgroup_remove(const char *);
int	cgroup_pids(const char *, pid_t *, size_t);

#endif
