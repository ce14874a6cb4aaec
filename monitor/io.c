/*
 * io.c: moving bytes between C's stdio and an attached client without
 * ever blocking on either.
 *
 * The client's fds (7, 8, 9) are its own open files, often its terminal.
 * O_NONBLOCK is a flag of the open file, not of our fd: setting it would
 * change the terminal under the client and under the shell it returns
 * to.  So each transfer asks not to wait, per call: preadv2/pwritev2 with
 * RWF_NOWAIT, which pipes and sockets honour.  A regular file never waits
 * for a peer and takes plain read/write.  Where the kernel refuses
 * RWF_NOWAIT (ttys: EOPNOTSUPP), O_NONBLOCK is set for the one call and
 * the old flags are back right after it: the terminal is non-blocking
 * only while we write to it, whether its stdout and stderr are one open
 * file or two, and even if we die.
 *
 * What a slow reader has not taken yet waits in a buffer of at most max
 * bytes.  Past that io_write() fails with ENOBUFS and the caller gives
 * that reader up: it can never stall C or C's log.
 */
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor.h"

#define IO_CHUNK	4096

/* Take over fd; -1 for an fd we were not handed. */
int
io_open(struct iofd *io, int fd, size_t max)
{
	struct stat	st;

	memset(io, 0, sizeof(*io));
	io->fd = -1;
	io->max = max;
	if (fd == -1 || fstat(fd, &st) == -1)
		return -1;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		fatal("fd %d", fd);
	io->fd = fd;
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
		io->mode = IO_PLAIN;
	else
		io->mode = IO_NOWAIT;
	return 0;
}

/* A tty: O_NONBLOCK for this call only, then the flags as they were. */
static ssize_t
io_rw_tty(struct iofd *io, void *buf, size_t n, int wr)
{
	ssize_t	r;
	int	fl, saved;

	if ((fl = fcntl(io->fd, F_GETFL)) == -1)
		return -1;
	if (!(fl & O_NONBLOCK) &&
	    fcntl(io->fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	r = wr ? write(io->fd, buf, n) : read(io->fd, buf, n);
	saved = errno;
	if (!(fl & O_NONBLOCK))
		(void)fcntl(io->fd, F_SETFL, fl);
	errno = saved;
	return r;
}

/* One read or write that does not wait: -1 with EAGAIN when it would. */
static ssize_t
io_rw(struct iofd *io, void *buf, size_t n, int wr)
{
	struct iovec	iov = { buf, n };
	ssize_t		r;

	switch (io->mode) {
	case IO_NOWAIT:
		if (wr)
			r = pwritev2(io->fd, &iov, 1, -1, RWF_NOWAIT);
		else
			r = preadv2(io->fd, &iov, 1, -1, RWF_NOWAIT);
		if (r != -1 || errno != EOPNOTSUPP)
			return r;
		log_debug("fd %d: no RWF_NOWAIT, O_NONBLOCK per call", io->fd);
		io->mode = IO_TTY;
		/* FALLTHROUGH */
	case IO_TTY:
		return io_rw_tty(io, buf, n, wr);
	default:
		return wr ? write(io->fd, buf, n) : read(io->fd, buf, n);
	}
}

ssize_t
io_read(struct iofd *io, void *buf, size_t n)
{
	return io_rw(io, buf, n, 0);
}

int
io_pending(const struct iofd *io)
{
	return io->fd != -1 && io->len > io->off;
}

static int
io_queue(struct iofd *io, const char *data, size_t n)
{
	size_t	 cap;
	char	*p;

	if (io->off > 0) {
		memmove(io->buf, io->buf + io->off, io->len - io->off);
		io->len -= io->off;
		io->off = 0;
	}
	if (n > io->max - io->len) {
		errno = ENOBUFS;
		return -1;
	}
	if (io->len + n > io->cap) {
		for (cap = io->cap ? io->cap : IO_CHUNK; cap < io->len + n;)
			cap *= 2;
		if (cap > io->max)
			cap = io->max;
		if ((p = realloc(io->buf, cap)) == NULL)
			return -1;
		io->buf = p;
		io->cap = cap;
	}
	memcpy(io->buf + io->len, data, n);
	io->len += n;
	return 0;
}

/* Write now what the fd takes, keep the rest; -1: give this reader up. */
int
io_write(struct iofd *io, const void *data, size_t n)
{
	const char	*p = data;
	ssize_t		 r;

	if (io->fd == -1) {
		errno = EBADF;
		return -1;
	}
	if (!io_pending(io)) {
		if ((r = io_rw(io, (void *)p, n, 1)) == -1) {
			if (errno != EAGAIN)
				return -1;
			r = 0;
		}
		p += r;
		n -= (size_t)r;
	}
	if (n == 0)
		return 0;
	return io_queue(io, p, n);
}

int
io_flush(struct iofd *io)
{
	ssize_t	r;

	while (io_pending(io)) {
		r = io_rw(io, io->buf + io->off, io->len - io->off, 1);
		if (r == -1)
			return errno == EAGAIN ? 0 : -1;
		if (r == 0)
			return 0;
		io->off += (size_t)r;
	}
	/* Drained: give the memory back, a host runs many monitors. */
	free(io->buf);
	io->buf = NULL;
	io->off = io->len = io->cap = 0;
	return 0;
}

/*
 * Move what from has into to, no more than to has room for: a C that does
 * not read its stdin slows the client down, it loses nothing.  EOF from
 * the client becomes EOF for C once the rest is in.
 */
void
io_copy(struct iofd *from, struct iofd *to)
{
	char	buf[IO_CHUNK];
	size_t	room = to->max - (to->len - to->off);
	ssize_t	n;

	if (room > sizeof(buf))
		room = sizeof(buf);
	if ((n = io_read(from, buf, room)) == -1 && errno == EAGAIN)
		return;
	if (n <= 0) {		/* EOF, or EIO from a hung-up tty */
		io_close(from);
		if (io_pending(to))
			to->eof = 1;
		else
			io_close(to);
		return;
	}
	if (io_write(to, buf, (size_t)n) == -1) {
		log_debug("stdin: %s, no more input", strerror(errno));
		io_close(from);
		io_close(to);
	}
}

void
io_close(struct iofd *io)
{
	if (io->fd != -1)
		close(io->fd);
	free(io->buf);
	io->buf = NULL;
	io->fd = -1;
	io->off = io->len = io->cap = 0;
}
