/*
 * test_imsg.c: unit tests for imsg/imsg.c over AF_UNIX stream socketpairs.
 * Frames that imsg_compose() would never build are written raw.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* pipe2 */
#endif
#include <sys/socket.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg/imsg.h"
#include "tests/unit/tap.h"

#define HDR	((uint32_t)IMSG_HDR_SIZE)

static void
xpair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		perror("socketpair");
		exit(2);
	}
}

static void
xpipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) == -1) {
		perror("pipe2");
		exit(2);
	}
}

static void
xinit(struct imsgbuf *ib, int fd)
{
	if (imsgbuf_init(ib, fd) == -1) {
		perror("imsgbuf_init");
		exit(2);
	}
}

static int
count_fds(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/*
 * Write what w holds (if any) and return the next frame of r, reading as
 * needed: imsg_get()'s result, or 0 on EOF or after 2s of silence.
 */
static ssize_t
recv_one(struct imsgbuf *w, struct imsgbuf *r, struct imsg *im)
{
	struct pollfd	 pfd;
	ssize_t		 g, n;

	for (;;) {
		if (w != NULL && imsgbuf_write(w) == -1)
			return -1;
		if ((g = imsg_get(r, im)) != 0)
			return g;
		pfd.fd = r->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 2000) <= 0)
			return 0;
		if ((n = imsgbuf_read(r)) == 0)
			return 0;
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			return -1;
	}
}

/* One sendmsg() with optional SCM_RIGHTS, as a buggy peer would do it. */
static ssize_t
raw_send(int s, const void *buf, size_t len, const int *fds, int nfds)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	char		 cbuf[CMSG_SPACE(sizeof(int) * 64)];
	struct cmsghdr	*cm;

	memset(&msg, 0, sizeof(msg));
	memset(cbuf, 0, sizeof(cbuf));
	iov.iov_base = (void *)buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	return sendmsg(s, &msg, MSG_NOSIGNAL);
}

static struct imsg_hdr
mkhdr(uint32_t type, uint32_t len, uint16_t flags, uint16_t magic)
{
	struct imsg_hdr	h;

	memset(&h, 0, sizeof(h));
	h.type = type;
	h.len = len;
	h.peerid = 0;
	h.pid = 1;
	h.flags = flags;
	h.magic = magic;
	return h;
}

static void
test_roundtrip(void)
{
	struct imsgbuf	 a, b;
	struct imsg	 im;
	unsigned char	 big[1000], got[1000];
	char		 s[5];
	int		 sv[2];
	size_t		 i;

	xpair(sv);
	xinit(&a, sv[0]);
	xinit(&b, sv[1]);
	for (i = 0; i < sizeof(big); i++)
		big[i] = i * 13;
	T_EQ(imsg_compose(&a, 1, 10, 0, -1, NULL, 0), 0, "compose empty");
	T_EQ(imsg_compose(&a, 2, 20, 4242, -1, "hello", 5), 0,
	    "compose small");
	T_EQ(imsg_compose(&a, 3, 30, 0, -1, big, sizeof(big)), 0,
	    "compose 1000");
	T_EQ(imsgbuf_queuelen(&a), 3 * HDR + 1005, "queuelen");
	T_EQ(imsgbuf_flush(&a), 0, "flush");
	T_EQ(imsgbuf_queuelen(&a), 0, "queue empty after flush");

	T_EQ(recv_one(NULL, &b, &im), HDR, "get empty");
	T_EQ(imsg_get_type(&im), 1, "empty: type");
	T_EQ(imsg_get_peerid(&im), 10, "empty: peerid");
	T_EQ(im.hdr.pid, getpid(), "empty: pid defaults to ours");
	T_OK(im.data == NULL && im.datalen == 0, "empty: no data");
	T_EQ(im.fd, -1, "empty: no fd");
	T_EQ(imsg_get_data(&im, NULL, 0), 0, "empty: get_data 0");
	imsg_free(&im);

	T_EQ(recv_one(NULL, &b, &im), HDR + 5, "get small");
	T_EQ(imsg_get_type(&im), 2, "small: type");
	T_EQ(im.hdr.pid, 4242, "small: pid as given");
	T_OK(imsg_get_data(&im, s, 5) == 0 && memcmp(s, "hello", 5) == 0,
	    "small: payload");
	imsg_free(&im);

	T_EQ(recv_one(NULL, &b, &im), HDR + 1000, "get 1000");
	T_OK(imsg_get_data(&im, got, sizeof(got)) == 0 &&
	    memcmp(got, big, sizeof(big)) == 0, "1000: payload");
	T_EQ(imsg_get_peerid(&im), 30, "1000: peerid");
	imsg_free(&im);
	T_EQ(imsg_get(&b, &im), 0, "nothing more buffered");

	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

static void
test_maxdata(void)
{
	struct imsgbuf	 a, b;
	struct imsg	 im;
	unsigned char	*buf;
	int		 sv[2], p[2];
	size_t		 i;

	xpair(sv);
	xpipe(p);
	xinit(&a, sv[0]);
	xinit(&b, sv[1]);
	if ((buf = malloc(IMSG_MAX_DATA + 1)) == NULL)
		exit(2);
	for (i = 0; i < IMSG_MAX_DATA + 1; i++)
		buf[i] = i ^ (i >> 8);
	T_EQ(imsg_compose(&a, 1, 0, 0, -1, buf, IMSG_MAX_DATA), 0,
	    "compose IMSG_MAX_DATA");
	T_ERRNO(imsg_compose(&a, 1, 0, 0, -1, buf, IMSG_MAX_DATA + 1),
	    EMSGSIZE, "compose IMSG_MAX_DATA+1 refused");
	T_ERRNO(imsg_compose(&a, 1, 0, 0, p[0], buf, IMSG_MAX_DATA + 1),
	    EMSGSIZE, "compose IMSG_MAX_DATA+1 with fd refused");
	T_OK(fd_open(p[0]), "fd not consumed by failed compose");
	T_ERRNO(imsg_compose(&a, 1, 0, 0, -1, NULL, 5), EINVAL,
	    "NULL data with len refused");
	T_EQ(imsgbuf_queuelen(&a), IMSG_MAX_SIZE, "only the good one queued");
	T_EQ(recv_one(&a, &b, &im), IMSG_MAX_SIZE, "get IMSG_MAX_SIZE frame");
	T_OK(im.datalen == IMSG_MAX_DATA &&
	    memcmp(im.data, buf, IMSG_MAX_DATA) == 0, "max payload intact");
	imsg_free(&im);
	free(buf);
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

static void
test_fdpass(void)
{
	struct imsgbuf	 a, b;
	struct imsg	 im;
	char		 buf[4];
	int		 sv[2], p[2], fd, p0;

	xpair(sv);
	xinit(&a, sv[0]);
	xinit(&b, sv[1]);
	xpipe(p);
	p0 = p[0];
	T_EQ(imsg_compose(&a, 7, 0, 0, p[0], "x", 1), 0, "compose with fd");
	T_EQ(imsgbuf_flush(&a), 0, "flush fd");
	T_OK(!fd_open(p0), "sender closed the fd once sent");
	T_EQ(recv_one(NULL, &b, &im), HDR + 1, "get fd frame");
	T_EQ(im.hdr.flags, IMSGF_HASFD, "HASFD set");
	T_OK(im.fd >= 0, "fd received");
	fd = imsg_get_fd(&im);
	T_EQ(im.fd, -1, "imsg_get_fd passes ownership");
	T_OK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "received fd is close-on-exec");
	T_EQ(write(p[1], "ping", 4), 4, "write into pipe");
	T_OK(read(fd, buf, 4) == 4 && memcmp(buf, "ping", 4) == 0,
	    "read through passed fd");
	imsg_free(&im);
	T_OK(fd_open(fd), "imsg_free leaves a claimed fd alone");
	close(fd);
	close(p[1]);

	xpipe(p);
	T_EQ(imsg_compose(&a, 8, 0, 0, p[0], NULL, 0), 0, "compose fd again");
	T_EQ(recv_one(&a, &b, &im), HDR, "get second fd frame");
	fd = im.fd;
	imsg_free(&im);
	T_OK(fd >= 0 && !fd_open(fd), "imsg_free closes an unclaimed fd");
	close(p[1]);

	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

/* fd-less and fd frames mixed in one flush: each fd lands on its frame. */
static void
test_fdmix(void)
{
	static const int hasfd[] = { 0, 1, 0, 1, 1, 0, 0, 1, 1 };
	struct imsgbuf	 a, b;
	struct imsg	 im;
	int		 sv[2], p[2], wend[9], i, n = 9, good = 1;
	char		 c;

	xpair(sv);
	xinit(&a, sv[0]);
	xinit(&b, sv[1]);
	for (i = 0; i < n; i++) {
		wend[i] = -1;
		if (hasfd[i]) {
			xpipe(p);
			wend[i] = p[1];
		}
		if (imsg_compose(&a, i, 0, 0, hasfd[i] ? p[0] : -1, &i,
		    sizeof(i)) == -1)
			good = 0;
	}
	T_OK(good, "compose mixed frames");
	T_EQ(imsgbuf_flush(&a), 0, "flush mixed frames");
	for (i = 0; i < n; i++) {
		if (recv_one(NULL, &b, &im) <= 0 || im.hdr.type != (uint32_t)i)
			good = 0;
		else if ((im.fd != -1) != hasfd[i])
			good = 0;
		else if (hasfd[i]) {
			c = 'A' + i;
			if (write(wend[i], &c, 1) != 1 ||
			    read(im.fd, &c, 1) != 1 || c != 'A' + i)
				good = 0;
		}
		imsg_free(&im);
		if (wend[i] != -1)
			close(wend[i]);
	}
	T_OK(good, "each fd arrives with its own frame");
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

static void
test_coalesce(void)
{
	struct imsgbuf	 a, b;
	struct imsg	 im;
	int		 sv[2], i, v, n = 500, good = 1;

	xpair(sv);
	xinit(&a, sv[0]);
	xinit(&b, sv[1]);
	for (i = 0; i < n; i++)
		if (imsg_compose(&a, 5, i, 0, -1, &i, sizeof(i)) == -1)
			good = 0;
	T_OK(good, "compose %d small frames", n);
	T_EQ(imsgbuf_write(&a), 0, "one write");
	T_EQ(imsgbuf_queuelen(&a), 0, "one write sent them all");
	for (i = 0; i < n; i++) {
		if (recv_one(NULL, &b, &im) != HDR + sizeof(i) ||
		    imsg_get_data(&im, &v, sizeof(v)) == -1 || v != i ||
		    imsg_get_peerid(&im) != (uint32_t)i)
			good = 0;
		imsg_free(&im);
	}
	T_OK(good, "%d frames received in order", n);
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

/* Write raw bytes, read them, expect imsg_get() to fail for good. */
static void
expect_bad(const void *bytes, size_t len, const char *name)
{
	struct imsgbuf	 b;
	struct imsg	 im;
	int		 sv[2];

	xpair(sv);
	xinit(&b, sv[1]);
	if (write(sv[0], bytes, len) != (ssize_t)len)
		exit(2);
	T_EQ(imsgbuf_read(&b), len, "%s: read", name);
	T_ERRNO(imsg_get(&b, &im), EBADMSG, "%s: EBADMSG", name);
	T_ERRNO(imsg_get(&b, &im), EBADMSG, "%s: EBADMSG again", name);
	T_OK(im.data == NULL && im.fd == -1, "%s: imsg left empty", name);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

static void
test_badhdr(void)
{
	static const char garbage[] = "this is not an imsg frame, not at all";
	struct imsg_hdr	 h;

	expect_bad(garbage, sizeof(garbage), "garbage");
	h = mkhdr(1, HDR, 0, 0xdead);
	expect_bad(&h, sizeof(h), "bad magic");
	h = mkhdr(1, HDR - 1, 0, IMSG_MAGIC);
	expect_bad(&h, sizeof(h), "len < header");
	h = mkhdr(1, 0, 0, IMSG_MAGIC);
	expect_bad(&h, sizeof(h), "len 0");
	h = mkhdr(1, IMSG_MAX_SIZE + 1, 0, IMSG_MAGIC);
	expect_bad(&h, sizeof(h), "len > max, header only");
	h = mkhdr(1, UINT32_MAX, 0, IMSG_MAGIC);
	expect_bad(&h, sizeof(h), "len 0xffffffff");
	h = mkhdr(1, HDR, 0x0002, IMSG_MAGIC);
	expect_bad(&h, sizeof(h), "unknown flag 0x2");
	h = mkhdr(1, HDR, 0x8001, IMSG_MAGIC);
	expect_bad(&h, sizeof(h), "unknown flag 0x8000");
	h = mkhdr(1, HDR, IMSGF_HASFD, IMSG_MAGIC);
	expect_bad(&h, sizeof(h), "HASFD without fd");
}

static void
test_dead(void)
{
	struct imsgbuf	 b;
	struct imsg	 im;
	struct imsg_hdr	 h;
	int		 sv[2];

	xpair(sv);
	xinit(&b, sv[1]);
	h = mkhdr(1, HDR, 0, 0xbad);
	if (write(sv[0], &h, sizeof(h)) != sizeof(h))
		exit(2);
	T_EQ(imsgbuf_read(&b), HDR, "dead: read");
	T_ERRNO(imsg_get(&b, &im), EBADMSG, "dead: bad frame");
	h = mkhdr(1, HDR, 0, IMSG_MAGIC);
	if (write(sv[0], &h, sizeof(h)) != sizeof(h))
		exit(2);
	T_ERRNO(imsgbuf_read(&b), EBADMSG, "dead: read refused");
	T_ERRNO(imsg_get(&b, &im), EBADMSG, "dead: get still refused");
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

/* A valid header that promises the maximum waits for its payload. */
static void
test_maxhdr_waits(void)
{
	struct imsgbuf	 b;
	struct imsg	 im;
	struct imsg_hdr	 h;
	int		 sv[2];

	xpair(sv);
	xinit(&b, sv[1]);
	h = mkhdr(1, IMSG_MAX_SIZE, 0, IMSG_MAGIC);
	if (write(sv[0], &h, sizeof(h)) != sizeof(h))
		exit(2);
	T_EQ(imsgbuf_read(&b), HDR, "max header: read");
	T_EQ(imsg_get(&b, &im), 0, "max header: waits for payload");
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

/* An fd sent with a frame that lacks HASFD, then another frame. */
static void
test_stray(void)
{
	struct imsgbuf	 b;
	struct imsg	 im;
	struct imsg_hdr	 h;
	int		 sv[2], p[2], before;

	before = count_fds();
	xpair(sv);
	xpipe(p);
	xinit(&b, sv[1]);
	h = mkhdr(1, HDR, 0, IMSG_MAGIC);
	T_EQ(raw_send(sv[0], &h, sizeof(h), &p[0], 1), HDR,
	    "stray: send frame without HASFD, with fd");
	h = mkhdr(2, HDR, 0, IMSG_MAGIC);
	T_EQ(raw_send(sv[0], &h, sizeof(h), NULL, 0), HDR,
	    "stray: send next frame");
	close(p[0]);
	close(p[1]);
	T_EQ(recv_one(NULL, &b, &im), HDR, "stray: first frame taken");
	T_EQ(im.fd, -1, "stray: first frame has no fd");
	imsg_free(&im);
	T_ERRNO(recv_one(NULL, &b, &im), EBADMSG, "stray: next frame refused");
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
	T_EQ(count_fds(), before, "stray: fd closed by clear");
}

/* Two fds with one HASFD frame: the second is a stray. */
static void
test_twofds(void)
{
	struct imsgbuf	 b;
	struct imsg	 im;
	struct imsg_hdr	 h;
	int		 sv[2], p[2], before;

	before = count_fds();
	xpair(sv);
	xpipe(p);
	xinit(&b, sv[1]);
	h = mkhdr(1, HDR, IMSGF_HASFD, IMSG_MAGIC);
	T_EQ(raw_send(sv[0], &h, sizeof(h), p, 2), HDR,
	    "twofds: send HASFD frame with 2 fds");
	h = mkhdr(2, HDR, 0, IMSG_MAGIC);
	T_EQ(raw_send(sv[0], &h, sizeof(h), NULL, 0), HDR,
	    "twofds: send next frame");
	close(p[0]);
	close(p[1]);
	T_EQ(recv_one(NULL, &b, &im), HDR, "twofds: first frame taken");
	T_OK(im.fd != -1, "twofds: first frame has its fd");
	imsg_free(&im);
	T_ERRNO(recv_one(NULL, &b, &im), EBADMSG, "twofds: extra fd refused");
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
	T_EQ(count_fds(), before, "twofds: no fd leaked");
}

/* The fd of a HASFD frame must come with its first byte, not later. */
static void
test_fd_late(void)
{
	struct imsgbuf	 b;
	struct imsg	 im;
	unsigned char	 f[HDR + 4];
	struct imsg_hdr	 h;
	int		 sv[2], p[2];

	xpair(sv);
	xpipe(p);
	xinit(&b, sv[1]);
	h = mkhdr(1, HDR + 4, IMSGF_HASFD, IMSG_MAGIC);
	memcpy(f, &h, sizeof(h));
	memcpy(f + HDR, "abcd", 4);
	T_EQ(raw_send(sv[0], f, 8, NULL, 0), 8, "late fd: send 8 bytes");
	T_EQ(imsgbuf_read(&b), 8, "late fd: read 8 bytes");
	T_EQ(imsg_get(&b, &im), 0, "late fd: no header yet");
	T_EQ(raw_send(sv[0], f + 8, sizeof(f) - 8, &p[0], 1), sizeof(f) - 8,
	    "late fd: send rest with fd");
	T_EQ(imsgbuf_read(&b), sizeof(f) - 8, "late fd: read rest");
	T_ERRNO(imsg_get(&b, &im), EBADMSG, "late fd: refused");
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

/* More fds in one recvmsg than fdq holds: all closed, EBADMSG. */
static void
test_too_many_fds(void)
{
	struct imsgbuf	 b;
	struct imsg_hdr	 h;
	int		 sv[2], fds[IMSG_MAX_FDQ + 4], i, before;

	before = count_fds();
	xpair(sv);
	xinit(&b, sv[1]);
	for (i = 0; i < IMSG_MAX_FDQ + 4; i++)
		if ((fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
			exit(2);
	h = mkhdr(1, HDR, IMSGF_HASFD, IMSG_MAGIC);
	T_EQ(raw_send(sv[0], &h, sizeof(h), fds, IMSG_MAX_FDQ + 4), HDR,
	    "too many fds: send");
	for (i = 0; i < IMSG_MAX_FDQ + 4; i++)
		close(fds[i]);
	T_ERRNO(imsgbuf_read(&b), EBADMSG, "too many fds: read refused");
	T_EQ(b.nfdq, 0, "too many fds: none queued");
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
	T_EQ(count_fds(), before, "too many fds: all closed");
}

/* fdq fills up over several reads when nobody calls imsg_get(). */
static void
test_fdq_full(void)
{
	struct imsgbuf	 a, b;
	ssize_t		 n = 1;
	int		 sv[2], i, e, fd, before, reads = 0, good = 1;

	before = count_fds();
	xpair(sv);
	xinit(&a, sv[0]);
	xinit(&b, sv[1]);
	for (i = 0; i < IMSG_MAX_FDQ + 1; i++) {
		if ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
			exit(2);
		if (imsg_compose(&a, 1, 0, 0, fd, NULL, 0) == -1)
			good = 0;
	}
	T_OK(good, "fdq full: compose %d fd frames", IMSG_MAX_FDQ + 1);
	T_EQ(imsgbuf_flush(&a), 0, "fdq full: flush");
	while (reads < 100 && (n = imsgbuf_read(&b)) > 0)
		reads++;
	e = errno;
	T_OK(n == -1 && e == EBADMSG, "fdq full: read refused after %d reads",
	    reads);
	T_EQ(b.nfdq, IMSG_MAX_FDQ, "fdq full: fdq holds the limit");
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
	T_EQ(count_fds(), before, "fdq full: no fd leaked");
}

/* A control message other than SCM_RIGHTS (here credentials). */
static void
test_creds_cmsg(void)
{
	struct imsgbuf	 a, b;
	int		 sv[2], on = 1;

	xpair(sv);
	xinit(&a, sv[0]);
	xinit(&b, sv[1]);
	if (setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == -1)
		exit(2);
	T_EQ(imsg_compose(&a, 1, 0, 0, -1, NULL, 0), 0, "creds: compose");
	T_EQ(imsgbuf_flush(&a), 0, "creds: flush");
	T_ERRNO(imsgbuf_read(&b), EBADMSG, "creds: SCM_CREDENTIALS refused");
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

static void
test_truncated_eof(void)
{
	struct imsgbuf	 b;
	struct imsg	 im;
	unsigned char	 f[HDR + 50];
	struct imsg_hdr	 h;
	int		 sv[2];

	xpair(sv);
	xinit(&b, sv[1]);
	memset(f, 'z', sizeof(f));
	h = mkhdr(1, HDR + 100, 0, IMSG_MAGIC);
	memcpy(f, &h, sizeof(h));
	if (write(sv[0], f, sizeof(f)) != sizeof(f))
		exit(2);
	close(sv[0]);
	T_EQ(imsgbuf_read(&b), sizeof(f), "truncated: read");
	T_EQ(imsg_get(&b, &im), 0, "truncated: get waits");
	T_EQ(imsgbuf_read(&b), 0, "truncated: read sees EOF");
	T_EQ(imsg_get(&b, &im), 0, "truncated: get still 0");
	imsgbuf_clear(&b);
	close(sv[1]);
}

static void
test_split_header(void)
{
	struct imsgbuf	 b;
	struct imsg	 im;
	unsigned char	 f[HDR + 4];
	struct imsg_hdr	 h;
	char		 d[4];
	int		 sv[2];

	xpair(sv);
	xinit(&b, sv[1]);
	h = mkhdr(9, HDR + 4, 0, IMSG_MAGIC);
	memcpy(f, &h, sizeof(h));
	memcpy(f + HDR, "abcd", 4);
	T_EQ(write(sv[0], f, 7), 7, "split: write 7");
	T_EQ(imsgbuf_read(&b), 7, "split: read 7");
	T_EQ(imsg_get(&b, &im), 0, "split: 7 bytes, no frame");
	T_EQ(write(sv[0], f + 7, 6), 6, "split: write 6");
	T_EQ(imsgbuf_read(&b), 6, "split: read 6");
	T_EQ(imsg_get(&b, &im), 0, "split: 13 bytes, no frame");
	T_EQ(write(sv[0], f + 13, sizeof(f) - 13), sizeof(f) - 13,
	    "split: write rest");
	T_EQ(imsgbuf_read(&b), sizeof(f) - 13, "split: read rest");
	T_EQ(imsg_get(&b, &im), sizeof(f), "split: frame complete");
	T_OK(imsg_get_type(&im) == 9 && imsg_get_data(&im, d, 4) == 0 &&
	    memcmp(d, "abcd", 4) == 0, "split: contents");
	imsg_free(&im);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

static void
test_enobufs(void)
{
	struct imsgbuf	 a;
	void		*buf;
	int		 sv[2], p[2], n = 0, r, e, before;

	before = count_fds();
	xpair(sv);
	xpipe(p);
	xinit(&a, sv[0]);
	if ((buf = calloc(1, IMSG_MAX_DATA)) == NULL)
		exit(2);
	while (n < 1000 &&
	    (r = imsg_compose(&a, 1, 0, 0, -1, buf, IMSG_MAX_DATA)) == 0)
		n++;
	e = errno;
	T_OK(r == -1 && e == ENOBUFS, "enobufs: compose refused (errno %d)",
	    e);
	T_EQ(n, IMSG_MAX_WQ / IMSG_MAX_SIZE, "enobufs: frames that fit");
	T_EQ(imsgbuf_queuelen(&a), n * IMSG_MAX_SIZE, "enobufs: queuelen");
	T_ERRNO(imsg_compose(&a, 1, 0, 0, p[0], buf, IMSG_MAX_DATA), ENOBUFS,
	    "enobufs: compose with fd refused");
	T_OK(fd_open(p[0]), "enobufs: fd not consumed");
	T_EQ(imsg_compose(&a, 1, 0, 0, p[0], buf, 100), 0,
	    "enobufs: small frame still fits");
	imsgbuf_clear(&a);
	T_OK(!fd_open(p[0]), "enobufs: clear closed the queued fd");
	free(buf);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	T_EQ(count_fds(), before, "enobufs: no fd leaked");
}

static void
fill(unsigned char *buf, size_t len, int i)
{
	size_t	j;

	for (j = 0; j < len; j++)
		buf[j] = (i * 31 + j * 7 + (j >> 9)) & 0xff;
}

/* Receive test_full_socket()'s frames; the fdat'th has a pipe's end. */
static int
full_check(struct imsgbuf *b, unsigned char *buf, int n, int fdat, int wend)
{
	struct imsg	 im;
	char		 c;
	int		 i, good = 1;

	for (i = 0; i < n; i++) {
		fill(buf, IMSG_MAX_DATA, i);
		if (recv_one(NULL, b, &im) != (ssize_t)(IMSG_MAX_SIZE - i) ||
		    imsg_get_type(&im) != (uint32_t)i ||
		    memcmp(im.data, buf, IMSG_MAX_DATA - i) != 0 ||
		    (im.fd != -1) != (i == fdat))
			good = 0;
		if (i == fdat && im.fd != -1 && (write(wend, "q", 1) != 1 ||
		    read(im.fd, &c, 1) != 1 || c != 'q'))
			good = 0;
		imsg_free(&im);
	}
	return good;
}

/*
 * Queue more than the socket holds: a write leaves the rest queued, a
 * second write on the still full socket changes nothing, and a flush from
 * a child delivers all of it, in order.
 */
static void
test_full_socket(void)
{
	struct imsgbuf	 a, b;
	struct imsg	 im;
	unsigned char	*buf;
	size_t		 total, q1;
	pid_t		 pid;
	int		 sv[2], p[2], i, n = 40, fdat = 20, st, good = 1;

	xpair(sv);
	xpipe(p);
	xinit(&a, sv[0]);
	xinit(&b, sv[1]);
	if ((buf = malloc(IMSG_MAX_DATA)) == NULL)
		exit(2);
	for (i = 0; i < n; i++) {
		fill(buf, IMSG_MAX_DATA, i);
		if (imsg_compose(&a, i, 0, 0, i == fdat ? p[0] : -1, buf,
		    IMSG_MAX_DATA - i) == -1)
			good = 0;
	}
	T_OK(good, "full: compose %d frames", n);
	total = imsgbuf_queuelen(&a);
	T_EQ(imsgbuf_write(&a), 0, "full: write returns 0");
	q1 = imsgbuf_queuelen(&a);
	T_OK(q1 > 0 && q1 < total, "full: partly sent (%zu of %zu left)", q1,
	    total);
	T_EQ(imsgbuf_write(&a), 0, "full: second write returns 0");
	T_EQ(imsgbuf_queuelen(&a), q1, "full: queue intact");

	if ((pid = fork()) == -1)
		exit(2);
	if (pid == 0) {
		st = imsgbuf_flush(&a);
		imsgbuf_clear(&a);
		imsgbuf_clear(&b);
		free(buf);
		close(sv[0]);
		close(sv[1]);
		close(p[1]);
		_exit(st == 0 ? 0 : 1);
	}
	imsgbuf_clear(&a);
	close(sv[0]);
	T_OK(full_check(&b, buf, n, fdat, p[1]),
	    "full: all %d frames arrive intact and in order", n);
	T_EQ(recv_one(NULL, &b, &im), 0, "full: then EOF");
	T_OK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "full: child flush succeeded");
	free(buf);
	imsgbuf_clear(&b);
	close(sv[1]);
	close(p[1]);
}

static void
test_get_data(void)
{
	struct imsgbuf	 a, b;
	struct imsg	 im;
	char		 buf[16];
	int		 sv[2];

	xpair(sv);
	xinit(&a, sv[0]);
	xinit(&b, sv[1]);
	T_EQ(imsg_compose(&a, 3, 0, 0, -1, "12345678", 8), 0,
	    "get_data: compose");
	T_EQ(imsg_compose(&a, 4, 0, 0, -1, NULL, 0), 0,
	    "get_data: compose empty");
	T_EQ(recv_one(&a, &b, &im), HDR + 8, "get_data: get");
	T_ERRNO(imsg_get_data(&im, buf, 4), EBADMSG, "get_data: short");
	T_ERRNO(imsg_get_data(&im, buf, 9), EBADMSG, "get_data: long");
	T_ERRNO(imsg_get_data(&im, NULL, 0), EBADMSG, "get_data: zero");
	T_OK(imsg_get_data(&im, buf, 8) == 0 && memcmp(buf, "12345678", 8) ==
	    0, "get_data: exact");
	imsg_free(&im);
	T_EQ(recv_one(&a, &b, &im), HDR, "get_data: get empty");
	T_EQ(imsg_get_data(&im, NULL, 0), 0, "get_data: empty, zero");
	T_ERRNO(imsg_get_data(&im, buf, 1), EBADMSG, "get_data: empty, one");
	imsg_free(&im);
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

static void
test_epipe(void)
{
	struct imsgbuf	 a;
	int		 sv[2];

	xpair(sv);
	xinit(&a, sv[0]);
	close(sv[1]);
	T_EQ(imsg_compose(&a, 1, 0, 0, -1, "x", 1), 0, "epipe: compose");
	T_ERRNO(imsgbuf_write(&a), EPIPE, "epipe: write, no SIGPIPE");
	T_ERRNO(imsgbuf_flush(&a), EPIPE, "epipe: flush");
	T_EQ(imsgbuf_queuelen(&a), HDR + 1, "epipe: still queued");
	imsgbuf_clear(&a);
	close(sv[0]);
}

/* Nothing is leaked: fds queued, in flight, received and unclaimed. */
static void
test_fd_leak(void)
{
	struct imsgbuf	 a, b;
	struct imsg	 im;
	int		 sv[2], p[2], i, before, good = 1;

	before = count_fds();
	xpair(sv);
	xinit(&a, sv[0]);
	xinit(&b, sv[1]);
	for (i = 0; i < 4; i++) {
		xpipe(p);
		close(p[1]);
		if (imsg_compose(&a, i, 0, 0, p[0], NULL, 0) == -1)
			good = 0;
		if (i == 1 && imsgbuf_flush(&a) == -1)
			good = 0;
	}
	T_OK(good, "leak: compose 4 fd frames, send 2");
	T_EQ(recv_one(NULL, &b, &im), HDR, "leak: get first");
	imsg_free(&im);
	T_OK(imsgbuf_read(&b) > 0 && b.nfdq == 1,
	    "leak: second fd received, unclaimed");
	T_EQ(imsgbuf_queuelen(&a), 2 * HDR, "leak: 2 frames queued");
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
	T_EQ(count_fds(), before, "leak: fd count back to %d", before);
}

int
main(void)
{
	alarm(60);
	test_roundtrip();
	test_maxdata();
	test_fdpass();
	test_fdmix();
	test_coalesce();
	test_badhdr();
	test_dead();
	test_maxhdr_waits();
	test_stray();
	test_twofds();
	test_fd_late();
	test_too_many_fds();
	test_fdq_full();
	test_creds_cmsg();
	test_truncated_eof();
	test_split_header();
	test_enobufs();
	test_full_socket();
	test_get_data();
	test_epipe();
	test_fd_leak();
	return tap_done();
}
