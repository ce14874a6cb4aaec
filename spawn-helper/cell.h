/*
 * cell.h: what cell.c's three processes share while a container is made.
 */
#ifndef CELLD_CELL_H
#define CELLD_CELL_H

#include <sys/queue.h>

#define MONITOR_BINFD	10	/* see cell_monitor_fds() */
#define CELL_INITFD	5	/* see cell_child_stdio() */
#define CELL_PTSFD	6	/* -t: the devpts instance of its pty */

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
	const int		*vols;		/* staged by volume_stage() */
	const struct sock_filter *bpf;		/* seccomp=FILE, for C */
	uint32_t		 nbpf;
	int			 bpf_replace;
	int			 initfd;	/* celld-init's memfd, or -1 */
	int			 ptsfd;		/* -t: detached devpts, or -1 */
	uid_t			 mon_uid;	/* _celld */
	gid_t			 mon_gid;
};

/* what C sets up, one per network, in connect order */
struct netcfg_set {
	uint32_t		 n;
	struct msg_net_cfg	 c[NET_MAXIFS];
};

/* A container between CREATE and EXEC, and its client's stdio. */
struct pending {
	TAILQ_ENTRY(pending)	 entry;
	char			 id[CELL_IDLEN + 1];
	int			 stdio[3];
	int			 syncfd;
	pid_t			 pid;
	int			 vols[SPEC_MAXVOLS];	/* cloned, for C */
	char			 volerr[CELL_MSGLEN];	/* CREATE refuses: a
							 * volume, a program */
	struct sock_filter	*bpf;		/* MSG_SPAWN_BPF's, or NULL */
	uint32_t		 nbpf;
	int			 bpf_replace;
	/* waiting, without blocking the helper, for R's report (CREATE)
	 * or C's exec (EXEC); the reply goes to peer on iev */
	struct event		*ev;
	struct imsgev		*iev;
	uint32_t		 peer;
	int			 repfd;
	pid_t			 rpid;
	char			 res[CELL_MSGLEN + 16];
	size_t			 resoff;
	struct netcfg_set	 net;		/* MSG_SPAWN_NETCFG's, for C */
	int			 nonet;		/* --network none */
};

/* cell.c, shared with exec.c and volume.c */
extern struct cell_ctx	cellbase;
struct pending	*pending_get(const char *, int);
void		 pending_free(struct pending *);
int		 cell_owns(const char *, pid_t);
int		 cell_pty(const struct cell_spec *, int, int *, int *);
int		 cell_devpts(uint32_t);

/* volume.c */
void	volume_setup(const char *, const char *);
void	spawn_volpin(struct imsgev *, struct imsg *);
void	spawn_unpin(struct imsgev *, struct imsg *);
int	volume_stage(const struct cell_ctx *);
int	sys_stage(const struct cell_ctx *);
void	spawn_volume(struct imsgev *, struct imsg *);

/* exec.c */
void	spawn_execin(struct imsgev *, struct imsg *);

/* unpack.c: images */
void	unpack_setup(const char *, int, uint32_t);
void	spawn_unpack(struct imsgev *, struct imsg *);
void	spawn_unpack_go(struct imsgev *, struct imsg *);

/* bpf.c */
void	spawn_bpf(struct imsgev *, struct imsg *);
int	bpf_check(const struct cell_spec *, const struct pending *,
	    const char **);

/* cellfd.c */
int	cell_child_stdio(const struct cell_ctx *);
int	cell_monitor_fds(const struct cell_ctx *, int);
int	cell_drop(const struct cell_ctx *);

/* cell.c */
void	cell_setup(const struct launch_args *);
void	spawn_stdio(struct imsgev *, struct imsg *);
void	spawn_netcfg(struct imsgev *, struct imsg *);

/* netcfg.c: in C, and in netif.c's child */
int	netcfg_ok(const struct msg_net_cfg *);
int	netcfg_iface(int, const struct msg_net_cfg *, char *, size_t);
int	netcfg_route(int, const struct msg_net_cfg *, char *, size_t);
int	netcfg_apply(const struct netcfg_set *, char *, size_t);

/* netif.c: network connect of a running container */
void	spawn_netns_ask(struct imsgev *, struct imsg *);
void	spawn_netif(struct imsgev *, struct imsg *);
void	spawn_netroute(struct imsgev *, struct imsg *);
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
