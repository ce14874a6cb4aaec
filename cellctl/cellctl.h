/*
 * cellctl.h: the command line client.
 */
#ifndef CELLCTL_H
#define CELLCTL_H

#include "../imsg/imsg.h"
#include "../imsg/msg.h"

#define EXIT_CELLD	125	/* an error of cellctl or celld */

struct ctl {
	struct imsgbuf	 ib;
	const char	*sock;
	int		 json;
};

typedef int	(*reply_fn)(struct ctl *, struct imsg *, void *);

/* client.c */
void	ctl_connect(struct ctl *);
void	ctl_send(struct ctl *, uint32_t, int, const void *, size_t);
int	ctl_wait(struct ctl *, reply_fn, void *, struct msg_result *);
__attribute__((noreturn, format(printf, 1, 2)))
void	ctl_die(const char *, ...);

/* cmd_daemon.c */
int	cmd_ping(struct ctl *, int, char **);
int	cmd_version(struct ctl *, int, char **);
int	cmd_info(struct ctl *, int, char **);

#endif
