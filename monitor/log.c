/*
 * log.c: C's output as a Docker json-file log.  Each line of C's stdout
 * and stderr becomes one JSON object on a line of STORAGE/containers/ID/log:
 *
 *   {"log":"hi\n","stream":"stdout","time":"2026-11-23T13:45:01.123456789Z"}
 *
 * A line longer than MON_LINEMAX is cut into records of that size, as
 * Docker cuts at 16 KiB; only the last piece ends in a newline.  A partial
 * line is written when its stream ends.  Bytes that are not UTF-8 become
 * U+FFFD, as in Docker: JSON strings are Unicode and jansson refuses
 * anything else.  The record is built by jansson, never by hand.
 *
 * The cap: when the next record would take log past max bytes, log
 * becomes log.1 (replacing it) and a new log starts, so the two together
 * stay under twice the cap.  A record bigger than the cap still goes into
 * the fresh file, whole.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "monitor.h"

#define LOG_NAME	"log"
#define LOG_OLD		"log.1"

/* Length of the valid UTF-8 sequence at s (RFC 3629), 0 if none starts. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t	c;
	size_t		len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, past Unicode */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return len;
}

/* Bytes at the end of s that begin a sequence s does not finish. */
static size_t
utf8_tail(const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 k, want;

	for (k = 1; k <= 3 && k <= n; k++) {
		if ((u[n - k] & 0xc0) == 0x80)
			continue;		/* a continuation byte */
		if (u[n - k] < 0xc0)
			return 0;		/* ASCII */
		want = u[n - k] >= 0xf0 ? 4 : u[n - k] >= 0xe0 ? 3 : 2;
		return want > k ? k : 0;
	}
	return 0;
}

/* text itself if it is UTF-8, else a malloc'd copy with U+FFFD in. */
static char *
utf8_clean(const char *text, size_t len, size_t *outlen)
{
	const unsigned char	*s = (const unsigned char *)text;
	char			*out;
	size_t			 i, k, o = 0;

	for (i = 0; i < len; i += k)
		if ((k = utf8_seq(s + i, len - i)) == 0)
			break;
	*outlen = len;
	if (i == len)
		return (char *)text;
	if ((out = malloc(len * 3)) == NULL)	/* worst: all bad bytes */
		return NULL;
	for (i = 0; i < len; i += k) {
		if ((k = utf8_seq(s + i, len - i)) == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			k = 1;
		} else {
			memcpy(out + o, s + i, k);
			o += k;
		}
	}
	*outlen = o;
	return out;
}

static int
jlog_openfile(int dirfd)
{
	return openat(dirfd, LOG_NAME, O_WRONLY | O_APPEND | O_CREAT |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
}

int
jlog_open(struct jlog *l, int dirfd, int64_t max)
{
	struct stat	st;

	memset(l, 0, sizeof(*l));
	l->dirfd = dirfd;
	l->max = max;
	if ((l->fd = jlog_openfile(dirfd)) == -1)
		return -1;
	if (fstat(l->fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(l->fd);
		l->fd = -1;
		errno = EINVAL;
		return -1;
	}
	l->size = st.st_size;	/* a restarted container appends */
	return 0;
}

static void
jlog_rotate(struct jlog *l)
{
	int	fd;

	if (renameat(l->dirfd, LOG_NAME, l->dirfd, LOG_OLD) == -1) {
		log_warn("log: rotate");
		l->size = 0;	/* try again a cap's worth later */
		return;
	}
	if ((fd = jlog_openfile(l->dirfd)) == -1) {
		log_warn("log: reopen, %s grows on", LOG_OLD);
		l->size = 0;
		return;
	}
	close(l->fd);
	l->fd = fd;
	l->size = 0;
}

static int
jlog_put(struct jlog *l, const char *s, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = write(l->fd, s, n)) <= 0) {
			if (!l->failing)
				log_warn("log: write");
			l->failing = 1;
			return -1;
		}
		l->size += w;
		s += w;
		n -= (size_t)w;
	}
	l->failing = 0;
	return 0;
}

static void
jlog_time(char *buf, size_t size)
{
	struct timespec	ts;
	struct tm	tm;
	char		sec[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", sec, ts.tv_nsec);
}

/* One record: the text of one line, or of one piece of a long one. */
int
jlog_write(struct jlog *l, const char *stream, const char *text, size_t len)
{
	json_t	*o;
	char	*clean, *s;
	char	 ts[64];
	size_t	 clen, n;
	int	 r;

	if (l->fd == -1)
		return -1;
	jlog_time(ts, sizeof(ts));
	if ((clean = utf8_clean(text, len, &clen)) == NULL)
		return -1;
	o = json_pack("{s:s%,s:s,s:s}", "log", clean, clen, "stream", stream,
	    "time", ts);
	if (clean != text)
		free(clean);
	if (o == NULL)
		return -1;
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL)
		return -1;
	n = strlen(s);		/* escaped: no NUL inside */
	s[n++] = '\n';		/* over the NUL: s is bytes from here on */
	if (l->max > 0 && l->size > 0 && l->size + (int64_t)n > l->max)
		jlog_rotate(l);
	r = jlog_put(l, s, n);
	free(s);
	return r;
}

void
jlog_close(struct jlog *l)
{
	if (l->fd == -1)
		return;
	if (fsync(l->fd) == -1)
		log_warn("log: fsync");
	close(l->fd);
	l->fd = -1;
}

/* Log every whole line in s->line, and a piece of a full one. */
static void
stream_lines(struct stream *s, struct jlog *l)
{
	char	*p = s->line, *nl;
	size_t	 left = s->len, n;

	while ((nl = memchr(p, '\n', left)) != NULL) {
		n = (size_t)(nl - p) + 1;
		jlog_write(l, s->name, p, n);
		p += n;
		left -= n;
	}
	if (left == sizeof(s->line)) {
		/* Cut between characters, not inside one. */
		n = left - utf8_tail(p, left);
		jlog_write(l, s->name, p, n);
		p += n;
		left -= n;
	}
	memmove(s->line, p, left);
	s->len = left;
}

/* C wrote something: copy it to the client as it is, log it by lines. */
void
stream_input(struct stream *s, struct jlog *l)
{
	ssize_t	n;

	n = io_read(&s->src, s->line + s->len, sizeof(s->line) - s->len);
	if (n == -1 && errno == EAGAIN)
		return;
	if (n <= 0) {
		/* EOF; a pty master says EIO once the last slave is shut */
		if (n == -1 && errno != EIO)
			log_warn("%s", s->name);
		stream_close(s, l);
		return;
	}
	if (s->copy->fd != -1 &&
	    io_write(s->copy, s->line + s->len, (size_t)n) == -1) {
		log_debug("attached %s: %s, detached", s->name,
		    strerror(errno));
		io_close(s->copy);
	}
	s->len += (size_t)n;
	stream_lines(s, l);
}

void
stream_close(struct stream *s, struct jlog *l)
{
	if (s->len > 0)
		jlog_write(l, s->name, s->line, s->len);
	s->len = 0;
	io_close(&s->src);
}
