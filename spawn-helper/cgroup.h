/*
 * cgroup.h: what spawn-helper's two cgroup files share: the hierarchies
 * found at start (cgroup.c) and the small file helpers, for cgkill.c.
 */
#ifndef CELLD_SPAWN_CGROUP_H
#define CELLD_SPAWN_CGROUP_H

#include <stdint.h>
#include <stdio.h>

#define CG_MAXHIER	8
#define CG_PATHLEN	1024
#define CG_PERIOD	100000		/* cpu period, microseconds */
#define CG_V1_NOLIMIT	(1ULL << 62)	/* v1 says "none" as ~LONG_MAX */
#define CG_NAP_MS	10
#define CG_WAIT_NAPS	100		/* freezing, rmdir: about 1 s */
#define CG_KILL_ROUNDS	20		/* freeze, kill, thaw: at most ~4 s */

enum cg_role {
	R_MEM,		/* memory limit and usage */
	R_CPU,		/* cpu quota */
	R_ACCT,		/* cpu usage */
	R_PIDS,		/* pids limit and count */
	R_FREEZE,	/* pause, and the kill fallback */
	R_KILL,		/* cgroup.kill (v2, Linux 5.14) */
	R_MAX
};

struct cg_hier {
	int	 hid;			/* from /proc/self/cgroup; 0: v2 */
	int	 fd;			/* OWN/celld-cells */
	char	 ctrl[128];		/* v1 controllers, "cpu,cpuacct" */
	char	 path[CG_PATHLEN];	/* its path, as /proc/PID/cgroup says */
};
extern struct cg_hier	hiers[CG_MAXHIER];
extern size_t		nhiers;
extern int		roles[R_MAX];	/* which hierarchy does what */

struct cgfs_line;

void	 cg_nap(void);
int	 cg_fits(const struct cgfs_line *);
int	 cg_open(int, const char *);
int	 cg_write(int, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	 cg_read(int, const char *, char *, size_t);
int	 cg_readnum(int, const char *, uint64_t *);
FILE	*cg_fopen(int, const char *);
int	 cg_readkey(int, const char *, const char *, uint64_t *);

#endif
