/*
 * cell.h: what cell.c's three processes share while a container is made.
 */
#ifndef CELLD_CELL_H
#define CELLD_CELL_H

#define MONITOR_BINFD	10	/* see cell_monitor_fds() */

struct cell_ctx {
	const struct msg_spawn	*ms;
	const char		*storage;
	const char		*rundir;
	int			 debug;
	int			 monfd;		/* O_PATH of celld-monitor */
	int			 gofd;		/* R -> C: maps are written */
	int			 gofd_c;
	int			 syncfd_c;	/* C's end of the sync socket */
	int			 reportfd;	/* R -> spawn-helper: C's pid */
	int			 out[2];	/* C's stdout, [0] read end */
	int			 err[2];
	int			 in[2];
	int			 stdio[3];	/* the client's, or -1 */
	uid_t			 mon_uid;	/* _celld */
	gid_t			 mon_gid;
};

/* cellfd.c */
int	cell_child_stdio(const struct cell_ctx *);
int	cell_monitor_fds(const struct cell_ctx *, int);
int	cell_drop(const struct cell_ctx *);

/* cell.c */
void	cell_setup(const char *, const char *, int);
void	spawn_stdio(struct imsgev *, struct imsg *);
void	spawn_create(struct imsgev *, struct imsg *);
void	spawn_exec(struct imsgev *, struct imsg *);
void	spawn_kill(struct imsgev *, struct imsg *);
void	spawn_cleanup(struct imsgev *, struct imsg *);

/* more.c */
void	spawn_freeze(struct imsgev *, struct imsg *);
void	spawn_update(struct imsgev *, struct imsg *);
void	spawn_stats(struct imsgev *, struct imsg *);
void	spawn_top(struct imsgev *, struct imsg *);

#endif
