/*
 * parent.h: the unprivileged front-end's internal interfaces.
 */
#ifndef CELLD_PARENT_H
#define CELLD_PARENT_H

#include <sys/queue.h>
#include <sys/types.h>

#include "../privsep/privsep.h"
#include "conf.h"

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
	pid_t			 pid;
	int			 admin;
	int			 pending;	/* requests in flight */
	struct event		*idle;
};

/* A client request waiting on helpers. */
struct request {
	TAILQ_ENTRY(request)	 entry;
	uint32_t		 id;
	uint32_t		 client;	/* client id; 0 once it is gone */
	uint32_t		 type;
	int			 waiting;	/* helper replies outstanding */
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

extern struct celld	*env;

/* control.c */
void		 control_init(int);
void		 control_shutdown(void);
struct client	*control_find(uint32_t);
int		 control_reply(struct client *, uint32_t, const void *, size_t);
int		 control_done(struct client *, int, int, const char *);
int		 control_clients(void);

/* helpers.c */
void		 helpers_init(int);
void		 helpers_start(struct event_base *);
int		 helpers_send(int, uint32_t, uint32_t, int, const void *,
		    size_t);
int		 helpers_up(int);
const char	*helpers_name(int);
void		 helpers_shutdown(void);

/* request.c */
struct request	*request_new(struct client *, uint32_t);
struct request	*request_find(uint32_t);
void		 request_free(struct request *);
void		 request_client_gone(uint32_t);
void		 request_ping(struct client *);
void		 request_pong(int, uint32_t, struct msg_procinfo *);
void		 request_helper_down(int);

#endif
