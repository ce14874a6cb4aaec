/*
 * monitor_harness.h: starting celld-monitor as spawn-helper's R would,
 * talking to it as the parent would, and reading what it leaves behind.
 * Used by test_monitor.c.
 */
#ifndef CELLD_MONITOR_HARNESS_H
#define CELLD_MONITOR_HARNESS_H

#include <sys/types.h>
#include <stddef.h>

#include "imsg/msg.h"

#define ID	"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"

typedef void	(*child_fn)(void);	/* what C does once let go */

extern const char	*monitor_bin;
extern uid_t		 celld_uid;
extern gid_t		 celld_gid;
extern char		*h_env[];

#define R_ATTACH	0x1	/* give the monitor fds 7, 8, 9 */
#define R_NOTCHILD	0x2	/* fd 3: a pidfd of someone else */
#define R_TTY		0x4	/* C has a tty */
#define R_CLTTY		0x8	/* the client's fds 8 and 9: one terminal */

struct run {
	char		 base[64];
	char		 storage[128];
	char		 rundir[128];
	char		 dir[256];	/* storage/containers/ID */
	char		 sock[256];
	pid_t		 mon;		/* H, then the monitor */
	pid_t		 child;		/* C */
	int		 go;		/* closing it releases C */
	int		 in;		/* attached stdin, write end */
	int		 out;		/* attached stdout, read end */
	int		 err;		/* attached stderr, read end */
	int		 tty;		/* R_CLTTY: the client's terminal */
};

struct client {
	pid_t	pid;
	int	fd;		/* states come through here */
};

#define CL_BAD	0x1		/* send a frame after the first state */

struct rec {
	char	 stream[8];
	char	*text;
	size_t	 len;
};

struct exitrec {
	int		status;
	int		pid;
	long long	started;
	long long	finished;
};

struct pstat {
	long			uid;
	unsigned long long	eff, prm, bnd, inh, amb;
	int			nnp;
	int			seccomp;
	long			uss;	/* KiB */
	long			dirty;	/* KiB, the part of it written */
};

void	die(const char *) __attribute__((noreturn));
void	xwrite(int, const void *, size_t);
void	xpipe(int [2]);

/* a monitor with its C: started, let go, waited for, cleaned up */
void	run_start(struct run *, child_fn, const char *, const char *, int);
void	run_ready(const struct run *);
void	run_go(struct run *);
int	run_wait(struct run *, int);
void	run_clean(struct run *);

/* a control client, in a process of its own under a given uid */
void	cl_start(struct client *, const char *, uid_t, gid_t, int);
int	cl_next(struct client *, struct msg_mon_state *);
int	cl_end(struct client *);

/* what the monitor left */
int	log_read(const char *, const char *, struct rec *, int);
void	recs_free(struct rec *, int);
int	rec_is(const struct rec *, const char *, const char *);
off_t	file_size(const char *, const char *);
int	exit_read(const struct run *, struct exitrec *);
size_t	read_all(int, char *, size_t);

/* the monitor from /proc */
int	proc_read(pid_t, struct pstat *);
void	proc_smaps(pid_t);
int	proc_title_ok(pid_t);

#endif
