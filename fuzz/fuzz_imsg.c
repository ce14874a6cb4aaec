/*
 * fuzz_imsg.c: libFuzzer target for the imsg reader.
 *
 * The input is a list of chunks, each a control byte c and then up to
 * (c & 0x3f) + 1 bytes of stream.  (c >> 6) - 1 fds, none for 0 and 1,
 * go with the chunk as SCM_RIGHTS.  Each chunk is one sendmsg() into a
 * socketpair and is read right away, so the input decides where the
 * reader's recvmsg() calls split the stream.  Every
 * frame imsg_get() accepts is composed again on a second socketpair and
 * must read back the same.  At the end the writer closes and the reader
 * runs to EOF.  Memory leaks are LeakSanitizer's; an fd leak aborts.
 *
 *	clang -g -fsanitize=fuzzer,address,undefined -I. imsg/imsg.c \
 *	    fuzz/fuzz_imsg.c -o fuzz_imsg
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg/imsg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fz {
	struct imsgbuf	 rd;		/* reader under test */
	struct imsgbuf	 ew, er;	/* echo pair, writer and reader */
	int		 sv[2], ev[2];
};

/* The lowest free fd: it moves if an fd was leaked. */
static int
lowest_fd(void)
{
	int	fd;

	if ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		abort();
	close(fd);
	return fd;
}

static void
send_chunk(int s, const uint8_t *buf, size_t len, int nfds)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * 2)];
	} cbuf;
	struct cmsghdr	*cm;
	int		 fds[2], i;

	memset(&msg, 0, sizeof(msg));
	memset(&cbuf, 0, sizeof(cbuf));
	iov.iov_base = (void *)buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	for (i = 0; i < nfds; i++)
		if ((fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
			abort();
	if (nfds > 0) {
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	/* The reader drains after every chunk, so this does not block. */
	if (sendmsg(s, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)len)
		abort();
	for (i = 0; i < nfds; i++)
		close(fds[i]);
}

/* Compose an accepted frame again and check it reads back the same. */
static void
echo(struct fz *f, struct imsg *im)
{
	struct imsg	 back;
	struct imsg_hdr	 want = im->hdr;
	ssize_t		 g;
	int		 hadfd = im->fd != -1;

	if (want.pid == 0)		/* compose stamps ours */
		want.pid = (uint32_t)getpid();
	if (imsg_compose(&f->ew, want.type, want.peerid, (pid_t)want.pid,
	    imsg_get_fd(im), im->data, im->datalen) == -1)
		abort();
	if (imsgbuf_flush(&f->ew) == -1)
		abort();
	while ((g = imsg_get(&f->er, &back)) == 0)
		if (imsgbuf_read(&f->er) <= 0)
			abort();
	if (g != (ssize_t)im->hdr.len ||
	    memcmp(&back.hdr, &want, sizeof(want)) != 0 ||
	    back.datalen != im->datalen || (back.fd != -1) != hadfd ||
	    (im->datalen > 0 && memcmp(back.data, im->data, im->datalen)))
		abort();
	imsg_free(&back);
}

/* Read what is there (to EOF if eof), take frames; 0 when the end came. */
static int
drain(struct fz *f, int eof)
{
	struct imsg	 im;
	ssize_t		 n, g;

	for (;;) {
		n = imsgbuf_read(&f->rd);
		if (n == -1 && errno == EAGAIN && !eof)
			return 1;
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return 0;
		while ((g = imsg_get(&f->rd, &im)) > 0) {
			if (im.datalen != (size_t)g - IMSG_HDR_SIZE ||
			    (im.datalen == 0) != (im.data == NULL))
				abort();
			echo(f, &im);
			imsg_free(&im);
		}
		if (g == -1)
			return 0;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz	 f;
	size_t		 off = 0, len;
	int		 fd0, nfds, alive = 1;

	fd0 = lowest_fd();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f.sv) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f.ev) == -1)
		abort();
	if (fcntl(f.sv[1], F_SETFL, O_NONBLOCK) == -1)
		abort();
	if (imsgbuf_init(&f.rd, f.sv[1]) == -1 ||
	    imsgbuf_init(&f.ew, f.ev[0]) == -1 ||
	    imsgbuf_init(&f.er, f.ev[1]) == -1)
		abort();

	while (alive && off < size) {
		len = (data[off] & 0x3f) + 1;
		nfds = data[off] >> 6;
		nfds = nfds < 2 ? 0 : nfds - 1;
		off++;
		if (len > size - off)
			len = size - off;
		if (len == 0)
			break;
		send_chunk(f.sv[0], data + off, len, nfds);
		off += len;
		alive = drain(&f, 0);
	}
	close(f.sv[0]);
	if (alive)
		drain(&f, 1);

	imsgbuf_clear(&f.rd);
	imsgbuf_clear(&f.ew);
	imsgbuf_clear(&f.er);
	close(f.sv[1]);
	close(f.ev[0]);
	close(f.ev[1]);
	if (lowest_fd() != fd0)
		abort();
	return 0;
}
