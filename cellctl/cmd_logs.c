/*
 * cmd_logs.c: "cellctl logs".  celld hands over read-only fds of the
 * container's log files (Docker's json-file format, one JSON object a
 * line); we read them ourselves, and with -f poll the current one while
 * a WAIT on the same connection tells us when the container is gone.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <jansson.h>

#include "cellctl.h"

#define LOG_LINEMAX	(1024 * 1024)	/* a longer "line" is not ours */
#define LOG_POLL_MS	100

struct logrd {
	int		 fd;
	char		*buf;
	size_t		 len;
	size_t		 cap;
};

struct logs {
	struct logrd	 old;		/* log.1, rotated out */
	struct logrd	 cur;		/* log */
	int		 stamps;
	long long	 tail;		/* entries kept for the end, -1 all */
	json_t		**ring;
	size_t		 nring;
	size_t		 ringpos;
};

/* One json-file entry: {"log":"...","stream":"stdout","time":"..."}. */
static void
log_print(struct logs *lg, json_t *o)
{
	const char	*text, *stream = NULL, *tm = NULL;
	size_t		 tlen;
	FILE		*out = stdout;

	if (json_unpack(o, "{s:s%, s?s, s?s}", "log", &text, &tlen,
	    "stream", &stream, "time", &tm) == -1)
		return;
	if (stream != NULL && strcmp(stream, "stderr") == 0) {
		fflush(stdout);		/* keep the order */
		out = stderr;
	}
	if (lg->stamps && tm != NULL)
		fprintf(out, "%s ", tm);
	fwrite(text, 1, tlen, out);
}

/* Print now, or keep it among the last --tail entries. */
static void
log_line(struct logs *lg, const char *line, size_t len)
{
	json_t		*o, **nr;
	json_error_t	 e;

	/* A torn or foreign line is skipped: there is nothing to show. */
	if ((o = json_loadb(line, len, 0, &e)) == NULL)
		return;
	if (lg->tail < 0)
		log_print(lg, o);
	if (lg->tail <= 0) {
		json_decref(o);
		return;
	}
	if (lg->nring < (size_t)lg->tail) {
		nr = reallocarray(lg->ring, lg->nring + 1, sizeof(*nr));
		if (nr == NULL)
			ctl_die("out of memory");
		lg->ring = nr;
		lg->ring[lg->nring++] = o;
	} else {
		json_decref(lg->ring[lg->ringpos]);
		lg->ring[lg->ringpos] = o;
		lg->ringpos = (lg->ringpos + 1) % lg->nring;
	}
}

static void
log_tail_flush(struct logs *lg)
{
	size_t	i, k;

	for (i = 0; i < lg->nring; i++) {
		k = (lg->ringpos + i) % lg->nring;
		log_print(lg, lg->ring[k]);
		json_decref(lg->ring[k]);
	}
	free(lg->ring);
	lg->ring = NULL;
	lg->nring = lg->ringpos = 0;
	lg->tail = -1;		/* from now on, print as it comes */
}

/* Hand on every complete line; at the end (final) a partial one too. */
static void
logrd_lines(struct logs *lg, struct logrd *r, int final)
{
	char	*p = r->buf, *nl;
	size_t	 rest = r->len;

	while ((nl = memchr(p, '\n', rest)) != NULL) {
		log_line(lg, p, nl - p + 1);
		rest -= nl - p + 1;
		p = nl + 1;
	}
	if (rest > 0 && (final || rest > LOG_LINEMAX)) {
		log_line(lg, p, rest);
		rest = 0;
	}
	memmove(r->buf, p, rest);
	r->len = rest;
}

/* Read r to its current end. */
static void
logrd_drain(struct logs *lg, struct logrd *r, int final)
{
	ssize_t	 n;
	char	*nb;

	if (r->fd == -1)
		return;
	for (;;) {
		if (r->cap - r->len < 65536) {
			if ((nb = realloc(r->buf, r->cap + 65536)) == NULL)
				ctl_die("out of memory");
			r->buf = nb;
			r->cap += 65536;
		}
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			ctl_die("logs: read: %s", strerror(errno));
		if (n == 0)
			break;
		r->len += n;
		logrd_lines(lg, r, 0);
	}
	logrd_lines(lg, r, final);
}

static void
logrd_close(struct logrd *r)
{
	if (r->fd != -1)
		close(r->fd);
	free(r->buf);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

/* MSG_CTL_FD: which 1 is log.1, 0 the current log. */
static int
logs_fd(struct ctl *ctl, struct imsg *imsg, void *arg)
{
	struct logs		*lg = arg;
	struct msg_stdio	 ms;
	struct logrd		*r;
	int			 fd;

	(void)ctl;
	if (imsg_get_type(imsg) != MSG_CTL_FD)
		return -1;
	fd = imsg_get_fd(imsg);
	if (imsg_get_data(imsg, &ms, sizeof(ms)) == -1 ||
	    (ms.which != 0 && ms.which != 1)) {
		close(fd);
		return -1;
	}
	r = ms.which == 1 ? &lg->old : &lg->cur;
	if (r->fd != -1) {		/* a new current log: rotated */
		logrd_drain(lg, r, 1);
		logrd_close(r);
	}
	r->fd = fd;
	return 0;
}

/* What celld has sent by now: 1 once WAIT's DONE came. */
static int
logs_replies(struct ctl *ctl, struct logs *lg)
{
	struct imsg	imsg;
	ssize_t		n;
	int		done = 0;

	while (!done && (n = imsg_get(&ctl->ib, &imsg)) != 0) {
		if (n == -1)
			ctl_die("%s: bad reply from celld", ctl->sock);
		if (msg_check(&imsg, PROC_PARENT) == -1)
			ctl_die("%s: unexpected %s from celld", ctl->sock,
			    msg_name(imsg_get_type(&imsg)));
		if (imsg_get_type(&imsg) == MSG_CTL_DONE)
			done = 1;
		else if (logs_fd(ctl, &imsg, lg) == -1)
			ctl_die("%s: unexpected %s from celld", ctl->sock,
			    msg_name(imsg_get_type(&imsg)));
		imsg_free(&imsg);
	}
	return done;
}

/*
 * -f: WAIT on the same connection, and read the log every LOG_POLL_MS
 * until its DONE says the container is gone; then read it once more.
 */
static void
logs_follow(struct ctl *ctl, struct logs *lg, const char *name)
{
	struct msg_ctl_target	t;
	struct pollfd		pfd;
	ssize_t			n;

	if (ctl_target(&t, name) == -1)
		exit(EXIT_CELLD);
	ctl_send(ctl, MSG_CTL_WAIT, -1, &t, sizeof(t));
	while (!logs_replies(ctl, lg)) {
		pfd.fd = ctl->ib.fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, LOG_POLL_MS) == -1 && errno != EINTR)
			ctl_die("poll: %s", strerror(errno));
		if (pfd.revents != 0) {
			n = imsgbuf_read(&ctl->ib);
			if (n == 0)
				ctl_die("%s: celld closed the connection",
				    ctl->sock);
			if (n == -1 && errno != EINTR && errno != EAGAIN)
				ctl_die("%s: %s", ctl->sock, strerror(errno));
		}
		logrd_drain(lg, &lg->cur, 0);
		fflush(stdout);
	}
	logrd_drain(lg, &lg->cur, 1);
}

static const struct option logs_lo[] = {
	{ "follow", no_argument, NULL, 'f' },
	{ "tail", required_argument, NULL, 'n' },
	{ "timestamps", no_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 }
};

static long long
logs_tailarg(const char *s)
{
	const char	*errstr;
	long long	 n;

	if (strcmp(s, "all") == 0)
		return -1;
	n = strtonum(s, 0, LLONG_MAX, &errstr);
	if (errstr != NULL)
		ctl_die("logs: --tail \"%s\" is %s", s, errstr);
	return n;
}

int
cmd_logs(struct ctl *ctl, int argc, char **argv)
{
	struct msg_ctl_target	t;
	struct msg_result	res;
	struct logs		lg;
	int			c, follow = 0;

	memset(&lg, 0, sizeof(lg));
	lg.old.fd = lg.cur.fd = -1;
	lg.tail = -1;
	cell_optreset();
	while ((c = cell_getopt(argc, argv, ":fn:t", logs_lo)) != -1) {
		if (c == 'f')
			follow = 1;
		else if (c == 't')
			lg.stamps = 1;
		else
			lg.tail = logs_tailarg(optarg);
	}
	if (argc - optind != 1)
		ctl_die("usage: cellctl logs [-f] [-t] [--tail N] NAME");
	if (ctl_target(&t, argv[optind]) == -1)
		exit(EXIT_CELLD);
	t.flags = follow ? CTL_FOLLOW : 0;
	ctl_connect(ctl);
	ctl_send(ctl, MSG_CTL_LOGS, -1, &t, sizeof(t));
	if (ctl_wait(ctl, logs_fd, &lg, &res) != 0)
		ctl_die("%s", res.msg[0] ? res.msg : strerror(res.err));
	logrd_drain(&lg, &lg.old, 1);
	logrd_close(&lg.old);
	logrd_drain(&lg, &lg.cur, !follow);
	log_tail_flush(&lg);
	fflush(stdout);
	if (follow)
		logs_follow(ctl, &lg, argv[optind]);
	logrd_close(&lg.cur);
	return 0;
}
