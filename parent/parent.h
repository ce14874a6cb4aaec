/*
 * parent.h: the unprivileged front-end's internal interfaces.
 */
#ifndef CELLD_PARENT_H
#define CELLD_PARENT_H

#include <sys/queue.h>
#include <bsd/sys/tree.h>
#include <sys/types.h>

#include <jansson.h>

#include "../privsep/privsep.h"
#include "conf.h"

#define STORE_PATHMAX	256

#define HELPER_NET	0
#define HELPER_FS	1
#define HELPER_SPAWN	2
#define HELPER_MAX	3

struct client {
	TAILQ_ENTRY(client)	 entry;
	struct imsgev		 iev;
	uint32_t		 id;
	uid_t			 uid;
	gid_t			 gid;
	gid_t			 groups[64];	/* SO_PEERGROUPS, for policy */
	int			 ngroups;
	pid_t			 pid;
	int			 admin;
	int			 pending;	/* requests in flight */
	int			 stdio[3];	/* for the next start -a */
	int			 vols[SPEC_MAXVOLS];	/* for the next create */
	char			 verb[32];	/* the request being served, */
	char			 target[CELL_NAMELEN];	/* for the audit */
	struct event		*idle;
};

struct request;
typedef void	(*request_cb)(struct request *, int, struct imsg *);

/* A client request waiting on helpers. */
struct request {
	TAILQ_ENTRY(request)	 entry;
	uint32_t		 id;
	uint32_t		 client;	/* client id; 0 once it is gone */
	uint32_t		 type;
	request_cb		 cb;		/* helper replies go here */
	char			 verb[32];	/* the client's, for the audit */
	char			 target[CELL_NAMELEN];
	char			 cell[CELL_IDLEN + 1];
	int			 step;
	int			 fd;		/* held between steps, or -1 */
	int			 stdio[3];
	int			 waiting;	/* helper replies outstanding */
	int			 netleft;	/* start: veth replies to come;
						 * disconnect: routes to move */
	uint32_t		 waitmask;	/* which helpers */
	struct msg_procinfo	 pong[HELPER_MAX];
	struct event		*timeout;
};

struct celld {
	struct celld_conf	 conf;
	struct event_base	*base;
	const char		*conffile;
	int			 debug;
	int			 verbose;
	int			 ctlfd;
	int			 statefd;
	time_t			 started;
};

enum cell_state {
	CELL_CREATED,
	CELL_STARTING,
	CELL_RUNNING,
	CELL_EXITED,
	CELL_REMOVING
};

struct waiter {
	TAILQ_ENTRY(waiter)	 entry;
	uint32_t		 client;
	int			 kind;		/* WAIT_EXIT, WAIT_STOP */
	char			 verb[32];	/* for the audit */
	char			 target[CELL_NAMELEN];
};
#define WAIT_EXIT	0
#define WAIT_STOP	1
#define WAIT_RM		2

/* one network of a container, in connect order: one holds the default
 * route (netgw.c), spec.ports are published on spec.network's */
struct cell_net {
	char			 name[CELL_NAMELEN];
	uint32_t		 ip;		/* --ip, network order; 0 any */
	int			 ifnum;		/* ethN inside C */
	int			 gw;		/* CELL_GW4, CELL_GW6: holds
						 * that default route */
};
#define CELL_GW4	0x01
#define CELL_GW6	0x02

struct cell {
	RB_ENTRY(cell)		 entry;
	char			 id[CELL_IDLEN + 1];
	char			 name[CELL_NAMELEN];
	uid_t			 owner;
	struct cell_spec	 spec;		/* resolved: argv, env, caps */
	char			 layers[FS_MAXLAYERS][CELL_IDLEN + 1];
	uint32_t		 nlayers;
	int32_t			 slot;		/* id range slot, -1 none */
	enum cell_state		 state;
	pid_t			 pid;
	int			 exit_status;
	time_t			 created;
	time_t			 started;
	time_t			 finished;
	struct imsgev		 mon;
	int			 mon_up;
	int			 mon_tries;
	struct event		*mon_timer;
	struct event		*stop_timer;
	TAILQ_HEAD(, waiter)	 waiters;
	int			 paused;
	int			 vols[SPEC_MAXVOLS];	/* the clients' fds */
	uint32_t		 rm_hold;	/* run --rm: client still to wait */
	int			 rm_pending;
	struct cell_net		 nets[NET_MAXIFS];
	uint32_t		 nnets;		/* 0: lo only */
	int			 netbusy;	/* a connect or disconnect runs */
};
RB_HEAD(cells, cell);
int		 cell_cmp(struct cell *, struct cell *);
RB_PROTOTYPE(cells, cell, entry, cell_cmp);

extern struct celld	*env;
extern struct cells	 cells;

/* netfiles.c */
void		 netfiles_init(void);
int		 netfiles_write(const struct cell *);
void		 netfiles_peers(const struct cell *, int);
void		 netfiles_network(const char *, const struct cell *);

/* control.c */
void		 control_init(int);
void		 control_shutdown(void);
struct client	*control_find(uint32_t);
int		 control_reply(struct client *, uint32_t, const void *, size_t);
int		 control_done(struct client *, int, int, const char *);
int		 control_json(struct client *, json_t *, size_t);
void		 control_json_done(struct client *, json_t *, const char *);
int		 control_clients(void);

/* helpers.c */
void		 helpers_init(int);
void		 helpers_start(struct event_base *);
int		 helpers_send(int, uint32_t, uint32_t, int, const void *,
		    size_t);
int		 helpers_up(int);
const char	*helpers_name(int);
void		 helpers_shutdown(void);
void		 helpers_flush(int);

/* request.c */
struct request	*request_new(struct client *, uint32_t);
struct request	*request_find(uint32_t);
void		 request_free(struct request *);
void		 request_result(struct imsg *, struct msg_result *,
		    const char *);
void		 request_done(struct request *, int, int, const char *);
void		 request_client_gone(uint32_t);
void		 request_ping(struct client *);
void		 request_pong(int, uint32_t, struct msg_procinfo *);
void		 request_reply(int, struct imsg *);
void		 request_log_result(int, struct imsg *);
void		 request_helper_down(int);

/* cell.c: the registry, ids, names and id slots */
struct cell	*cell_new(uid_t);
struct cell	*cell_byname(const char *, uid_t);
struct cell	*cell_lookup(const char *, uid_t, int);
struct cell	*cell_by_id(const char *);
void		 cell_free(struct cell *);
int		 cell_slot_alloc(struct cell *);
int		 cell_slot_claim(struct cell *, int32_t);
void		 cell_slot_free(struct cell *);
uint32_t	 cell_uid_base(const struct cell *);
const char	*cell_userns_key(const struct cell *);
const char	*cell_state_name(const struct cell *);
void		 cell_init(void);

/* state.c: config.json and exit, atomically */
int		 state_save(const struct cell *);
int		 state_load_all(void);
int		 state_read_exit(struct cell *);
int		 state_remove(const struct cell *);
int		 state_clear_exit(const struct cell *);

/* image.c */
int		 image_resolve(struct cell *, int, char *, size_t);

/* image_store.c */
int		 image_ref(const char *, char *, char *);
json_t		*image_record_read(const char *, const char *);
int		 image_record_write(const char *, const char *, json_t *);
uid_t		 image_owner(json_t *);
int		 image_visible(uid_t, int, json_t *);
int		 image_may_change(const struct client *, json_t *);
int		 image_foreach(int (*)(json_t *, void *), void *);
void		 ctl_image_ls(struct client *, struct imsg *);
void		 ctl_image_inspect(struct client *, struct imsg *);
void		 ctl_image_rm(struct client *, struct imsg *);
void		 ctl_image_tag(struct client *, struct imsg *);

/* image_load.c */
void		 ctl_image_load(struct client *, struct imsg *);
void		 ctl_image_prune(struct client *, struct imsg *);
void		 ctl_image_save(struct client *, struct imsg *);
int		 image_changes(json_t *, const char *, uint32_t, char *,
		    size_t);

/* ctl_cell.c: the container verbs */
void		 ctl_create(struct client *, struct imsg *);
void		 ctl_start(struct client *, struct imsg *);
void		 ctl_stdio(struct client *, struct imsg *);
void		 ctl_kill(struct client *, struct imsg *);
void		 ctl_rm(struct client *, struct imsg *);
void		 ctl_wait(struct client *, struct imsg *);
void		 ctl_ps(struct client *, struct imsg *);
void		 ctl_logs(struct client *, struct imsg *);

const char	*ctl_forbidden(struct client *, const struct cell_spec *);

/* ctl_more.c */
void		 ctl_inspect(struct client *, struct imsg *);
void		 ctl_rename(struct client *, struct imsg *);
void		 ctl_pause(struct client *, struct imsg *);
void		 ctl_stats(struct client *, struct imsg *);
void		 ctl_update(struct client *, struct imsg *);
void		 ctl_top(struct client *, struct imsg *);

/* policy: the first block that matches the client, by uid or any group */
const struct conf_policy *client_policy(const struct client *);

/* audit.c */
void		 audit_init(void);
void		 audit(const struct client *, int, const char *);
void		 audit_context(struct client *, struct imsg *);

/* volume.c */
void		 volume_init(void);
const char	*volume_check(struct client *, int);
void		 ctl_volume(struct client *, struct imsg *);

/* seccomp_json.c: Docker's profile format, compiled (no side effects) */
struct seccomp_bpf {
	uint32_t		 n;
	struct sock_filter	 insns[];
};
struct seccomp_bpf *seccomp_json_compile(const char *, size_t, uint64_t,
		    char *, size_t);

/* ctl_seccomp.c: seccomp=FILE, from the client's fd to spawn-helper */
void		 ctl_seccomp(struct client *, struct imsg *);
void		 seccomp_forget(uint32_t);
int		 seccomp_create(struct client *, struct cell *, char *, size_t);
int		 seccomp_send(const struct cell *, const char *, uint32_t);
void		 seccomp_remove(const struct cell *);

/* ctl_exec.c */
void		 ctl_exec(struct client *, struct imsg *);
void		 ctl_resize(struct client *, struct imsg *);

/* run.c: the start pipeline and exits */
int		 run_start(struct client *, struct cell *);
void		 run_exited(struct cell *, int, time_t);
void		 run_remove(struct cell *, uint32_t);
void		 run_wake(struct cell *, int, int, int, const char *);
void		 run_release(uint32_t);
void		 run_waited(struct cell *, uint32_t);

/* monconn.c */
void		 monconn_open(struct cell *);
void		 monconn_close(struct cell *);

/* network.c, netrun.c, ctl_network.c: networks (see network.h) */
void		 network_load_all(void);
void		 network_prune(void);
void		 network_replay(void);
int		 network_shutdown(void (*)(void));
const char	*network_spec(struct client *, struct cell_spec *, int *);
const char	*network_check(struct cell *);
int		 network_attach(struct cell *, uint32_t, int);
int		 network_attached(struct cell *);
void		 network_detach(struct cell *, int);
void		 network_release(struct cell *);
void		 ctl_network(struct client *, struct imsg *);
json_t		*network_inspect(const struct cell *);
void		 network_cell_init(struct cell *);
struct cell_net	*network_of(const struct cell *, const char *);
void		 network_gw_fix(struct cell *, int);	/* netgw.c */
void		 network_veth_name(const struct cell *, int, char *, size_t);

/* netconn.c: network connect and disconnect */
struct network;
void		 netconn_connect(struct client *, struct network *,
		    const struct msg_ctl_network *);
void		 netconn_disconnect(struct client *, struct network *,
		    const struct msg_ctl_network *);
int		 state_atomic_write(const char *, const char *, const char *);

/* delegate.c */
int		 cgroup_delegate(uid_t, gid_t);

#endif
