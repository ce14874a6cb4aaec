/*
 * cellctl.h: the command line client.
 */
#ifndef CELLCTL_H
#define CELLCTL_H

#include "../imsg/imsg.h"
#include "../imsg/msg.h"

#define EXIT_CELLD	125	/* an error of cellctl or celld */

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

struct ctl {
	struct imsgbuf	 ib;
	void		(*intr)(struct ctl *);	/* a read saw EINTR */
	const char	*sock;
	int		 json;
};

typedef int	(*reply_fn)(struct ctl *, struct imsg *, void *);

/*
 * Replies of one type, each a payload of size bytes, in the order they
 * came: what a listing (ps, stats, top) gathers with ctl_collect().
 */
struct replies {
	uint32_t	 type;
	size_t		 size;
	void		(*clean)(void *);	/* terminates a record's
						 * strings */
	void		*v;			/* n records */
	size_t		 n;
};

/* client.c */
void	ctl_connect(struct ctl *);
void	ctl_send(struct ctl *, uint32_t, int, const void *, size_t);
int	ctl_wait(struct ctl *, reply_fn, void *, struct msg_result *);
int	ctl_collect(struct ctl *, struct imsg *, void *);
__attribute__((noreturn, format(printf, 1, 2)))
void	ctl_die(const char *, ...);

/* cmd_daemon.c */
int	cmd_ping(struct ctl *, int, char **);
int	cmd_version(struct ctl *, int, char **);
int	cmd_info(struct ctl *, int, char **);

/* cmd_run.c */
int	spec_parse(int, char **, struct cell_spec *, char *, size_t);
int	spec_limit(struct cell_spec *, const char *, const char *, char *,
	    size_t);
void	opt_error(char *, size_t, const char *, int, char **, const char *);
int	ctl_target(struct msg_ctl_target *, const char *);
void	ctl_warn(const char *, const struct msg_result *);
int	cell_start(struct ctl *, const char *, int, int);
int	cell_wait(struct ctl *, const char *, int *);
int	cmd_run(struct ctl *, int, char **);
/* netopts.c */
const char *opt_network(struct cell_spec *, const char *);
const char *opt_port(struct cell_spec *, const char *);
const char *opt_ip(struct cell_spec *, const char *);
const char *opt_dns(struct cell_spec *, const char *);
const char *opt_addhost(struct cell_spec *, const char *);
const char *opt_expose(struct cell_spec *, const char *);
const char *opt_ip6(struct cell_spec *, const char *);
/* cmd_network.c */
int	cmd_network(struct ctl *, int, char **);
int	cmd_port(struct ctl *, int, char **);
int	cmd_create(struct ctl *, int, char **);

/* cmd_cell.c */
struct option;
int	cell_getopt(int, char **, const char *, const struct option *);
void	cell_optreset(void);
int	cell_each(struct ctl *, uint32_t, const struct msg_ctl_target *, int,
	    char **);
int	cmd_start(struct ctl *, int, char **);
int	cmd_stop(struct ctl *, int, char **);
int	cmd_restart(struct ctl *, int, char **);
int	cmd_kill(struct ctl *, int, char **);
int	cmd_rm(struct ctl *, int, char **);
int	cmd_ps(struct ctl *, int, char **);
int	cmd_wait(struct ctl *, int, char **);

/* cmd_logs.c */
int	cmd_logs(struct ctl *, int, char **);

/* cmd_more.c */
int	cmd_inspect(struct ctl *, int, char **);
int	cmd_rename(struct ctl *, int, char **);
int	cmd_pause(struct ctl *, int, char **);
int	cmd_unpause(struct ctl *, int, char **);
int	cmd_stats(struct ctl *, int, char **);
int	cmd_top(struct ctl *, int, char **);
int	cmd_update(struct ctl *, int, char **);

const char *spec_volsrc(uint32_t);

/* tty.c */
void	tty_size(struct cell_spec *);
void	tty_raw(void);
void	tty_follow(struct ctl *, const char *);

/* cmd_exec.c */
int	cmd_exec(struct ctl *, int, char **);


/* cmd_image.c */
int	cmd_image(struct ctl *, int, char **);
int	cmd_images(struct ctl *, int, char **);

/* seccomp.c */
int	seccomp_path_set(const char *);
const char *seccomp_path(void);
void	seccomp_send(struct ctl *);

#endif
