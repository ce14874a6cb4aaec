/*
 * imsg.c: framed messages over a stream socket, with fd passing.
 *
 * Frames.  A frame is a struct imsg_hdr (host byte order, both ends are on
 * this machine) followed by hdr.len - IMSG_HDR_SIZE bytes of payload, at
 * most IMSG_MAX_DATA.  Flags carry only IMSGF_HASFD.  The pid field is the
 * one given to imsg_compose(), or the composer's pid when that is 0.
 *
 * Writing.  imsg_compose() copies header and payload into one ibuf on the
 * write queue; it refuses a payload over IMSG_MAX_DATA (EMSGSIZE) and a
 * queue that would grow past IMSG_MAX_WQ bytes (ENOBUFS).  On success it
 * owns the fd it was given; on error the fd stays the caller's.
 * imsgbuf_write() never blocks (MSG_DONTWAIT): it sends as much as the
 * socket takes, coalescing up to IMSG_IOV_MAX fd-less ibufs per sendmsg.
 * An ibuf with an fd always starts a sendmsg of its own, the fd travels as
 * SCM_RIGHTS with that ibuf's first byte, and the coalescing stops before
 * the next ibuf that has an fd.  The fd is closed once its first byte is
 * out.  EAGAIN and EINTR leave the rest queued and return 0.
 *
 * Reading.  imsgbuf_read() is one recvmsg() into the free end of rbuf.
 * Each fd received is queued with the window of stream offsets, [start,
 * end), of the bytes that came with it.  The kernel hands an fd out with
 * the first byte of the sendmsg that carried it, so a correct writer's fd
 * arrives in a window that holds the first byte of its frame.  Truncated
 * control data, a control message other than SCM_RIGHTS, fds with no data
 * or more fds than fdq holds close every fd of that call: EBADMSG.
 *
 * imsg_get() checks a header as soon as it is in, before it waits for the
 * payload: the magic, IMSG_HDR_SIZE <= len <= IMSG_MAX_SIZE, no unknown
 * flag.  A queued fd whose window ended at or before the start of the
 * current frame belongs to no frame: a stray, EBADMSG.  A frame with
 * IMSGF_HASFD takes the oldest queued fd, which must have arrived in a
 * window holding the frame's first byte; a frame without it takes none.
 * Any EBADMSG marks the imsgbuf dead: from then on imsg_get() and
 * imsgbuf_read() fail with EBADMSG and the caller drops the peer.  A
 * failed malloc() (ENOMEM) leaves the frame buffered for another try.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

#define IMSG_IOV_MAX	64	/* ibufs coalesced into one sendmsg */

union imsg_cmsgbuf {
	struct cmsghdr	 hdr;
	char		 buf[CMSG_SPACE(sizeof(int) * IMSG_MAX_FDQ)];
};

static void	ibuf_free(struct ibuf *);
static void	imsg_advance(struct imsgbuf *, size_t);
static int	imsg_take_fds(struct imsgbuf *, struct msghdr *, uint64_t,
		    uint64_t);
static int	imsg_check(struct imsgbuf *, const struct imsg_hdr *);
static int	imsg_bad(struct imsgbuf *);

int
imsgbuf_init(struct imsgbuf *ib, int fd)
{
	memset(ib, 0, sizeof(*ib));
	if ((ib->rbuf = malloc(IMSG_MAX_SIZE)) == NULL)
		return -1;
	ib->fd = fd;
	ib->rlen = 0;
	ib->nfdq = 0;
	TAILQ_INIT(&ib->wq);
	ib->wqlen = 0;
	ib->pid = getpid();
	ib->rpos = 0;
	ib->dead = 0;
	return 0;
}

void
imsgbuf_clear(struct imsgbuf *ib)
{
	struct ibuf	*b;
	int		 i;

	while ((b = TAILQ_FIRST(&ib->wq)) != NULL) {
		TAILQ_REMOVE(&ib->wq, b, entry);
		ibuf_free(b);
	}
	ib->wqlen = 0;
	for (i = 0; i < ib->nfdq; i++)
		(void)close(ib->fdq[i]);
	ib->nfdq = 0;
	free(ib->rbuf);
	ib->rbuf = NULL;
	ib->rlen = 0;
}

size_t
imsgbuf_queuelen(struct imsgbuf *ib)
{
	return ib->wqlen;
}

static void
ibuf_free(struct ibuf *b)
{
	if (b->fd != -1)
		(void)close(b->fd);
	free(b->buf);
	free(b);
}

int
imsg_compose(struct imsgbuf *ib, uint32_t type, uint32_t peerid, pid_t pid,
    int fd, const void *data, size_t len)
{
	struct imsg_hdr	 hdr;
	struct ibuf	*b;
	size_t		 total;

	if (len > IMSG_MAX_DATA) {
		errno = EMSGSIZE;
		return -1;
	}
	if (data == NULL && len != 0) {
		errno = EINVAL;
		return -1;
	}
	total = IMSG_HDR_SIZE + len;
	if (ib->wqlen > IMSG_MAX_WQ || total > IMSG_MAX_WQ - ib->wqlen) {
		errno = ENOBUFS;
		return -1;
	}
	if ((b = malloc(sizeof(*b))) == NULL)
		return -1;
	if ((b->buf = malloc(total)) == NULL) {
		free(b);
		return -1;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = (uint32_t)total;
	hdr.peerid = peerid;
	hdr.pid = pid != 0 ? (uint32_t)pid : (uint32_t)ib->pid;
	hdr.flags = fd != -1 ? IMSGF_HASFD : 0;
	hdr.magic = IMSG_MAGIC;
	memcpy(b->buf, &hdr, sizeof(hdr));
	if (len > 0)
		memcpy(b->buf + IMSG_HDR_SIZE, data, len);
	b->len = total;
	b->off = 0;
	b->fd = fd;
	TAILQ_INSERT_TAIL(&ib->wq, b, entry);
	ib->wqlen += total;
	return 0;
}

/* Drop n bytes, just sent, from the head of the write queue. */
static void
imsg_advance(struct imsgbuf *ib, size_t n)
{
	struct ibuf	*b;
	size_t		 left;

	while (n > 0 && (b = TAILQ_FIRST(&ib->wq)) != NULL) {
		left = b->len - b->off;
		if (n < left) {
			b->off += n;
			ib->wqlen -= n;
			return;
		}
		n -= left;
		ib->wqlen -= left;
		TAILQ_REMOVE(&ib->wq, b, entry);
		ibuf_free(b);
	}
}

int
imsgbuf_write(struct imsgbuf *ib)
{
	struct iovec		 iov[IMSG_IOV_MAX];
	struct msghdr		 msg;
	union imsg_cmsgbuf	 cmsgbuf;
	struct cmsghdr		*cm;
	struct ibuf		*b, *first;
	ssize_t			 n;
	int			 i;

	while ((first = TAILQ_FIRST(&ib->wq)) != NULL) {
		memset(&msg, 0, sizeof(msg));
		i = 0;
		for (b = first; b != NULL && i < IMSG_IOV_MAX;
		    b = TAILQ_NEXT(b, entry)) {
			if (b != first && b->fd != -1)
				break;
			iov[i].iov_base = b->buf + b->off;
			iov[i].iov_len = b->len - b->off;
			i++;
		}
		msg.msg_iov = iov;
		msg.msg_iovlen = (size_t)i;
		if (first->fd != -1) {
			memset(&cmsgbuf, 0, sizeof(cmsgbuf));
			msg.msg_control = cmsgbuf.buf;
			msg.msg_controllen = CMSG_SPACE(sizeof(int));
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			memcpy(CMSG_DATA(cm), &first->fd, sizeof(int));
		}
		n = sendmsg(ib->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return 0;
			return -1;
		}
		if (n > 0 && first->fd != -1) {
			/* Its first byte is out, the fd went with it. */
			(void)close(first->fd);
			first->fd = -1;
		}
		imsg_advance(ib, (size_t)n);
	}
	return 0;
}

int
imsgbuf_flush(struct imsgbuf *ib)
{
	struct pollfd	 pfd;

	for (;;) {
		if (imsgbuf_write(ib) == -1)
			return -1;
		if (TAILQ_EMPTY(&ib->wq))
			return 0;
		pfd.fd = ib->fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd.revents & POLLNVAL) {
			errno = EBADF;
			return -1;
		}
	}
}

/*
 * Queue the fds one recvmsg() brought with the stream bytes [start, end),
 * or close them all if anything about them is wrong.
 */
static int
imsg_take_fds(struct imsgbuf *ib, struct msghdr *msg, uint64_t start,
    uint64_t end)
{
	struct cmsghdr	*cm;
	size_t		 nfds, i, n;
	int		 bad, fd;

	bad = (msg->msg_flags & MSG_CTRUNC) != 0;
	nfds = 0;
	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS) {
			bad = 1;
			continue;
		}
		nfds += (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	}
	if (nfds == 0 && !bad)
		return 0;
	if (start == end || nfds > (size_t)(IMSG_MAX_FDQ - ib->nfdq))
		bad = 1;
	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(fd),
			    sizeof(fd));
			if (bad) {
				(void)close(fd);
				continue;
			}
			ib->fdq[ib->nfdq] = fd;
			ib->fdq_start[ib->nfdq] = start;
			ib->fdq_end[ib->nfdq] = end;
			ib->nfdq++;
		}
	}
	if (bad)
		return imsg_bad(ib);
	return 0;
}

ssize_t
imsgbuf_read(struct imsgbuf *ib)
{
	struct msghdr		 msg;
	struct iovec		 iov;
	union imsg_cmsgbuf	 cmsgbuf;
	uint64_t		 start;
	ssize_t			 n;

	if (ib->dead || ib->rbuf == NULL || ib->rlen >= IMSG_MAX_SIZE)
		return imsg_bad(ib);
	memset(&msg, 0, sizeof(msg));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = ib->rbuf + ib->rlen;
	iov.iov_len = IMSG_MAX_SIZE - ib->rlen;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);

	if ((n = recvmsg(ib->fd, &msg, MSG_CMSG_CLOEXEC)) == -1)
		return -1;
	start = ib->rpos + ib->rlen;
	if (imsg_take_fds(ib, &msg, start, start + (uint64_t)n) == -1)
		return -1;
	ib->rlen += (size_t)n;
	return n;
}

static int
imsg_bad(struct imsgbuf *ib)
{
	ib->dead = 1;
	errno = EBADMSG;
	return -1;
}

/*
 * Check a header, and the fd queue against the frame it starts, before the
 * payload is in.  The frame starts at stream offset ib->rpos.
 */
static int
imsg_check(struct imsgbuf *ib, const struct imsg_hdr *hdr)
{
	if (hdr->magic != IMSG_MAGIC ||
	    hdr->len < IMSG_HDR_SIZE || hdr->len > IMSG_MAX_SIZE ||
	    (hdr->flags & ~IMSGF_HASFD) != 0)
		return -1;
	if (hdr->flags & IMSGF_HASFD) {
		if (ib->nfdq == 0 || ib->fdq_start[0] > ib->rpos ||
		    ib->fdq_end[0] <= ib->rpos)
			return -1;
	}
	return 0;
}

ssize_t
imsg_get(struct imsgbuf *ib, struct imsg *imsg)
{
	struct imsg_hdr	 hdr;
	void		*data = NULL;
	size_t		 datalen, left;
	int		 fd = -1;

	memset(imsg, 0, sizeof(*imsg));
	imsg->fd = -1;
	if (ib->dead || ib->rbuf == NULL)
		return imsg_bad(ib);
	/* No frame can start before rpos: an fd that came earlier is lost. */
	if (ib->nfdq > 0 && ib->fdq_end[0] <= ib->rpos)
		return imsg_bad(ib);
	if (ib->rlen < IMSG_HDR_SIZE)
		return 0;
	memcpy(&hdr, ib->rbuf, sizeof(hdr));
	if (imsg_check(ib, &hdr) == -1)
		return imsg_bad(ib);
	if (ib->rlen < hdr.len)
		return 0;

	datalen = hdr.len - IMSG_HDR_SIZE;
	if (datalen > 0) {
		if ((data = malloc(datalen)) == NULL)
			return -1;
		memcpy(data, ib->rbuf + IMSG_HDR_SIZE, datalen);
	}
	if (hdr.flags & IMSGF_HASFD) {
		fd = ib->fdq[0];
		left = (size_t)--ib->nfdq;
		memmove(ib->fdq, ib->fdq + 1, left * sizeof(ib->fdq[0]));
		memmove(ib->fdq_start, ib->fdq_start + 1,
		    left * sizeof(ib->fdq_start[0]));
		memmove(ib->fdq_end, ib->fdq_end + 1,
		    left * sizeof(ib->fdq_end[0]));
	}
	ib->rlen -= hdr.len;
	memmove(ib->rbuf, ib->rbuf + hdr.len, ib->rlen);
	ib->rpos += hdr.len;

	imsg->hdr = hdr;
	imsg->fd = fd;
	imsg->data = data;
	imsg->datalen = datalen;
	return hdr.len;
}

int
imsg_get_data(struct imsg *imsg, void *buf, size_t len)
{
	if (len != imsg->datalen || (len > 0 && buf == NULL)) {
		errno = EBADMSG;
		return -1;
	}
	if (len > 0)
		memcpy(buf, imsg->data, len);
	return 0;
}

uint32_t
imsg_get_type(struct imsg *imsg)
{
	return imsg->hdr.type;
}

uint32_t
imsg_get_peerid(struct imsg *imsg)
{
	return imsg->hdr.peerid;
}

int
imsg_get_fd(struct imsg *imsg)
{
	int	fd = imsg->fd;

	imsg->fd = -1;
	return fd;
}

void
imsg_free(struct imsg *imsg)
{
	free(imsg->data);
	if (imsg->fd != -1)
		(void)close(imsg->fd);
	memset(imsg, 0, sizeof(*imsg));
	imsg->fd = -1;
}
