/*
 * monitor.h: celld-monitor's internal interfaces.  There is one monitor
 * per container.  It is the parent of the container's init C: it holds
 * C's stdio, writes the json-file log, copies to an attached client,
 * answers the parent on a control socket, reaps C and records its exit.
 */
#ifndef CELLD_MONITOR_H
#define CELLD_MONITOR_H

#include <sys/types.h>

#include <stdint.h>
#include <time.h>

#include "../privsep/privsep.h"

/* The fds spawn-helper's R hands across exec; any but 3 and 4 may be shut. */
#define MON_FD_PIDFD	3	/* pidfd of C, our child */
#define MON_FD_OUT	4	/* C's stdout, or its pty master */
#define MON_FD_ERR	5	/* C's stderr; shut when C has a tty */
#define MON_FD_STDIN	6	/* C's stdin, the write end */
#define MON_FD_AIN	7	/* the attached client's stdin */
#define MON_FD_AOUT	8	/* its stdout */
#define MON_FD_AERR	9	/* its stderr */
/* Ours, fixed so that the seccomp table can name them. */
#define MON_FD_DIR	10	/* STORAGE/containers/ID */
#define MON_FD_RUNDIR	11	/* RUNDIR/monitors */

#define MON_LINEMAX	16384		/* a longer line is cut, as Docker */
#define MON_ATTACHMAX	(1024 * 1024)	/* a client further behind is cut */
#define MON_STDINMAX	65536		/* stdin waiting for C to read it */
#define MON_MAXCONN	8		/* control connections */
#define MON_DRAIN_MS	2000		/* C's output after C's exit */

/* How an fd is asked not to block, see io.c. */
#define IO_NOWAIT	0	/* preadv2/pwritev2 with RWF_NOWAIT */
#define IO_PLAIN	1	/* a regular file: never waits for a peer */
#define IO_TTY		2	/* no RWF_NOWAIT: O_NONBLOCK for each call */

struct iofd {
	int		 fd;		/* -1: shut */
	int		 mode;		/* IO_* */
	int		 eof;		/* shut once buf is drained */
	char		*buf;		/* written from off to len */
	size_t		 off;
	size_t		 len;
	size_t		 cap;
	size_t		 max;		/* most bytes ever left waiting */
};

/* C's stdout or stderr, on its way into the log. */
struct stream {
	struct iofd	 src;
	const char	*name;		/* "stdout" or "stderr" */
	struct iofd	*copy;		/* the attached client's fd */
	size_t		 len;
	char		 line[MON_LINEMAX];
};

struct jlog {
	int		 dirfd;
	int		 fd;
	int		 failing;	/* warned once, quiet until it works */
	int64_t		 size;
	int64_t		 max;		/* bytes, 0: no cap */
};

struct mon_conn {
	struct imsgbuf	 ib;
	int		 used;
};

struct mon {
	char		 id[CELL_IDLEN + 1];
	char		 sockname[CELL_IDLEN + 8];
	uid_t		 uid;		/* ours, and the only peer we take */
	pid_t		 pid;		/* C's */
	int		 pidfd;
	int		 exited;	/* C is reaped, we drain */
	int		 reported;	/* the exit record is written */
	int		 status;	/* exit code, or 128 + signal */
	int64_t		 started;
	int64_t		 finished;
	struct timespec	 deadline;	/* end of the drain */
	struct stream	 out;
	struct stream	 err;
	struct iofd	 aout;		/* the attached client's stdout */
	struct iofd	 aerr;		/* and stderr */
	struct iofd	 ain;		/* its stdin, copied into cin */
	struct iofd	 cin;		/* C's stdin */
	struct jlog	 log;
	int		 lfd;		/* the control socket */
	struct mon_conn	 conn[MON_MAXCONN];
};

/* io.c */
int	io_open(struct iofd *, int, size_t);
ssize_t	io_read(struct iofd *, void *, size_t);
int	io_write(struct iofd *, const void *, size_t);
int	io_flush(struct iofd *);
int	io_pending(const struct iofd *);
void	io_copy(struct iofd *, struct iofd *);
void	io_close(struct iofd *);

/* log.c */
int	jlog_open(struct jlog *, int, int64_t);
int	jlog_write(struct jlog *, const char *, const char *, size_t);
void	jlog_close(struct jlog *);
void	stream_input(struct stream *, struct jlog *);
void	stream_close(struct stream *, struct jlog *);

/* ctl.c */
void	ctl_listen(struct mon *);
void	ctl_accept(struct mon *);
void	ctl_io(struct mon *, struct mon_conn *, short);
int	ctl_exitfile(struct mon *);
void	ctl_report(struct mon *);
void	ctl_finish(struct mon *);

#endif
