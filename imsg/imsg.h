/*
 * imsg.h: framed messages over a stream socket, with fd passing.
 *
 * Our own implementation in the spirit of OpenBSD's imsg(3).  A frame is a
 * fixed header followed by at most IMSG_MAX_DATA bytes of payload.  The
 * reader never trusts a length field: every header is checked before its
 * payload is looked at, and a bad frame ends the stream (-1, EBADMSG).
 */
#ifndef CELLD_IMSG_H
#define CELLD_IMSG_H

#include <sys/queue.h>
#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#define IMSG_MAX_DATA	(64 * 1024)	/* hard payload limit */
#define IMSG_HDR_SIZE	sizeof(struct imsg_hdr)
#define IMSG_MAX_SIZE	(IMSG_HDR_SIZE + IMSG_MAX_DATA)
#define IMSG_MAX_FDQ	16		/* received fds not yet claimed */
#define IMSG_MAX_WQ	(4 * 1024 * 1024) /* bytes queued for writing */

#define IMSGF_HASFD	0x0001		/* the only flag defined */

struct imsg_hdr {
	uint32_t	type;
	uint32_t	len;		/* header + payload, in bytes */
	uint32_t	peerid;
	uint32_t	pid;
	uint16_t	flags;
	uint16_t	magic;		/* IMSG_MAGIC, catches garbage */
};
#define IMSG_MAGIC	0xce11

struct ibuf {
	TAILQ_ENTRY(ibuf) entry;
	unsigned char	*buf;
	size_t		 len;
	size_t		 off;		/* bytes already written */
	int		 fd;		/* sent with the first byte, then closed */
};

struct imsgbuf {
	int		 fd;
	unsigned char	*rbuf;		/* IMSG_MAX_SIZE bytes */
	size_t		 rlen;		/* bytes held in rbuf */
	int		 fdq[IMSG_MAX_FDQ];
	int		 nfdq;
	TAILQ_HEAD(, ibuf) wq;
	size_t		 wqlen;		/* bytes queued */
	pid_t		 pid;		/* stamped into composed headers */
	/* Reader bookkeeping, private to imsg.c. */
	uint64_t	 rpos;		/* stream offset of rbuf[0] */
	uint64_t	 fdq_start[IMSG_MAX_FDQ]; /* window fdq[i] came in: */
	uint64_t	 fdq_end[IMSG_MAX_FDQ];	/* [start, end) */
	int		 dead;		/* a bad frame ended the stream */
};

struct imsg {
	struct imsg_hdr	 hdr;
	int		 fd;		/* -1 if none */
	void		*data;		/* malloc'd, hdr.len - IMSG_HDR_SIZE bytes */
	size_t		 datalen;
};

int	 imsgbuf_init(struct imsgbuf *, int);
void	 imsgbuf_clear(struct imsgbuf *);
ssize_t	 imsgbuf_read(struct imsgbuf *);
int	 imsgbuf_write(struct imsgbuf *);
int	 imsgbuf_flush(struct imsgbuf *);
size_t	 imsgbuf_queuelen(struct imsgbuf *);

int	 imsg_compose(struct imsgbuf *, uint32_t, uint32_t, pid_t, int,
	    const void *, size_t);
ssize_t	 imsg_get(struct imsgbuf *, struct imsg *);
int	 imsg_get_data(struct imsg *, void *, size_t);
uint32_t imsg_get_type(struct imsg *);
uint32_t imsg_get_peerid(struct imsg *);
int	 imsg_get_fd(struct imsg *);
void	 imsg_free(struct imsg *);

#endif
