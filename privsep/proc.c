/*
 * proc.c: imsg channels on libevent, shared by every process.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "privsep.h"

int
imsgev_init(struct imsgev *iev, struct event_base *base, int fd,
    void (*handler)(int, short, void *), void *data)
{
	memset(iev, 0, sizeof(*iev));
	if (imsgbuf_init(&iev->ibuf, fd) == -1)
		return -1;
	iev->base = base;
	iev->handler = handler;
	iev->data = data;
	iev->events = EV_READ;
	iev->ev = event_new(base, fd, EV_READ, handler, data);
	if (iev->ev == NULL) {
		imsgbuf_clear(&iev->ibuf);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
imsgev_clear(struct imsgev *iev)
{
	if (iev->ev != NULL) {
		event_del(iev->ev);
		event_free(iev->ev);
		iev->ev = NULL;
	}
	imsgbuf_clear(&iev->ibuf);
	if (iev->ibuf.fd != -1)
		close(iev->ibuf.fd);
	iev->ibuf.fd = -1;
	iev->dead = 1;
}

/* (Re)arm the event: always read, write while something is queued. */
void
imsgev_add(struct imsgev *iev)
{
	short	events = EV_READ;

	if (iev->dead || iev->ev == NULL)
		return;
	if (imsgbuf_queuelen(&iev->ibuf) > 0)
		events |= EV_WRITE;
	event_del(iev->ev);
	event_assign(iev->ev, iev->base, iev->ibuf.fd, events, iev->handler,
	    iev->data);
	iev->events = events;
	event_add(iev->ev, NULL);
}

int
imsgev_compose(struct imsgev *iev, uint32_t type, uint32_t peerid,
    pid_t pid, int fd, const void *data, size_t len)
{
	int	r;

	if (iev->dead) {
		if (fd != -1)
			close(fd);
		errno = EPIPE;
		return -1;
	}
	r = imsg_compose(&iev->ibuf, type, peerid, pid, fd, data, len);
	if (r == -1 && fd != -1)
		close(fd);
	imsgev_add(iev);
	return r;
}

/* A result message: errno value, a status and a line of text. */
int
imsgev_reply(struct imsgev *iev, uint32_t peerid, int err, int status,
    const char *msg)
{
	struct msg_result	res;

	memset(&res, 0, sizeof(res));
	res.err = err;
	res.status = status;
	if (msg != NULL)
		strlcpy(res.msg, msg, sizeof(res.msg));
	return imsgev_compose(iev, MSG_RESULT, peerid, 0, -1, &res,
	    sizeof(res));
}

/*
 * Do the I/O an event asked for.  Returns 0 when the channel lives on,
 * -1 when it is dead (EOF, a broken frame, or a write error) and the
 * caller must tear it down.
 */
int
imsgev_io(struct imsgev *iev, short event)
{
	ssize_t	n;

	if (event & EV_WRITE) {
		if (imsgbuf_write(&iev->ibuf) == -1)
			return -1;
	}
	if (event & EV_READ) {
		n = imsgbuf_read(&iev->ibuf);
		if (n == 0)
			return -1;
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			return -1;
	}
	return 0;
}

/* "START:COUNT": whole slots, above the host's own ids (subid_read.c) */
static int
helper_ids(const char *arg, struct launch_args *la)
{
	char		 buf[32], *colon;
	const char	*e1 = NULL, *e2 = NULL;
	long long	 start, count;

	if (strlcpy(buf, arg, sizeof(buf)) >= sizeof(buf) ||
	    (colon = strchr(buf, ':')) == NULL)
		return -1;
	*colon = '\0';
	start = strtonum(buf, CELL_IDS, UINT32_MAX, &e1);
	count = strtonum(colon + 1, CELL_IDS, UINT32_MAX, &e2);
	if (e1 != NULL || e2 != NULL || count % CELL_IDS != 0 ||
	    start + count > UINT32_MAX)
		return -1;
	la->id_start = start;
	la->id_count = count;
	return 0;
}

/*
 * Helpers take "-d", "-v", "-s storage -r rundir" and "-i start:count"
 * (the subordinate id range) from the launcher.  What can be checked is
 * checked again here: a helper trusts no one.
 */
int
helper_args(int argc, char **argv, struct launch_args *la)
{
	int	ch;

	memset(la, 0, sizeof(*la));
	while ((ch = getopt(argc, argv, "dvs:r:i:")) != -1) {
		switch (ch) {
		case 'd':
			la->debug = 1;
			break;
		case 'v':
			la->verbose++;
			break;
		case 's':	/* copies: setproctitle() reuses argv */
			la->storage = strdup(optarg);
			break;
		case 'r':
			la->rundir = strdup(optarg);
			break;
		case 'i':
			if (helper_ids(optarg, la) == -1)
				return -1;
			break;
		default:
			return -1;
		}
	}
	if (la->storage == NULL || la->rundir == NULL ||
	    la->storage[0] != '/' || la->rundir[0] != '/' ||
	    strstr(la->storage, "..") != NULL ||
	    strstr(la->rundir, "..") != NULL)
		return -1;
	return 0;
}
