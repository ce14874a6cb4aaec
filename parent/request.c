/*
 * request.c: client requests that wait on helpers.  Each has an id that
 * travels as the imsg peerid, a set of helpers it waits for, and a
 * timeout.  A client that leaves doesn't cancel the work, only the reply.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "parent.h"

#define REQUEST_TIMEOUT	5	/* seconds to wait for helpers */

static TAILQ_HEAD(, request)	requests = TAILQ_HEAD_INITIALIZER(requests);
static uint32_t			request_nextid = 1;

static void	request_finish(struct request *);

static void
request_expired(int fd, short ev, void *arg)
{
	struct request	*r = arg;

	(void)fd;
	(void)ev;
	if (r->cb != NULL)
		r->cb(r, -1, NULL);
	else
		request_finish(r);
}

struct request *
request_new(struct client *c, uint32_t type)
{
	struct request	*r;
	struct timeval	 tv = { REQUEST_TIMEOUT, 0 };

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->id = request_nextid++;
	if (request_nextid == 0)
		request_nextid = 1;
	r->client = c->id;
	r->type = type;
	strlcpy(r->verb, c->verb, sizeof(r->verb));
	strlcpy(r->target, c->target, sizeof(r->target));
	r->stdio[0] = r->stdio[1] = r->stdio[2] = -1;
	r->fd = -1;
	if ((r->timeout = evtimer_new(env->base, request_expired, r)) ==
	    NULL) {
		free(r);
		return NULL;
	}
	evtimer_add(r->timeout, &tv);
	c->pending++;
	TAILQ_INSERT_TAIL(&requests, r, entry);
	return r;
}

struct request *
request_find(uint32_t id)
{
	struct request	*r;

	TAILQ_FOREACH(r, &requests, entry)
		if (r->id == id)
			return r;
	return NULL;
}

void
request_free(struct request *r)
{
	struct client	*c;

	if (r->client != 0 && (c = control_find(r->client)) != NULL)
		c->pending--;
	for (int i = 0; i < 3; i++)
		if (r->stdio[i] != -1)
			close(r->stdio[i]);
	if (r->fd != -1)
		close(r->fd);
	TAILQ_REMOVE(&requests, r, entry);
	evtimer_del(r->timeout);
	event_free(r->timeout);
	free(r);
}

/*
 * A helper's MSG_RESULT into res, NUL-terminated; anything else (or
 * nothing: imsg NULL when the helper died or the request timed out) is
 * EIO "WHO did not answer".  res->err says which.
 */
void
request_result(struct imsg *imsg, struct msg_result *res, const char *who)
{
	memset(res, 0, sizeof(*res));
	if (imsg == NULL || imsg_get_type(imsg) != MSG_RESULT ||
	    imsg_get_data(imsg, res, sizeof(*res)) == -1) {
		memset(res, 0, sizeof(*res));
		res->err = EIO;
		snprintf(res->msg, sizeof(res->msg), "%s did not answer", who);
	}
	res->msg[sizeof(res->msg) - 1] = '\0';
}

/* Answer r's client, if it is still there, as the request it made. */
void
request_done(struct request *r, int err, int status, const char *msg)
{
	struct client	*c;

	if (r->client != 0 && (c = control_find(r->client)) != NULL) {
		strlcpy(c->verb, r->verb, sizeof(c->verb));
		strlcpy(c->target, r->target, sizeof(c->target));
		control_done(c, err, status, msg);
	}
	request_free(r);
}

void
request_client_gone(uint32_t cid)
{
	struct request	*r;

	TAILQ_FOREACH(r, &requests, entry)
		if (r->client == cid)
			r->client = 0;
}

/* Results nobody waits for are logged when they are errors. */
void
request_log_result(int h, struct imsg *imsg)
{
	struct msg_result	res;

	if (imsg_get_data(imsg, &res, sizeof(res)) == -1 || res.err == 0)
		return;
	res.msg[sizeof(res.msg) - 1] = '\0';
	log_warnx("%s: %s: %s", helpers_name(h), res.msg, strerror(res.err));
}

/* ping: our own line, then one per helper as the pongs come back. */
void
request_ping(struct client *c)
{
	struct msg_procinfo	 pi;
	struct msg_ping		 mp;
	struct request		*r;
	int			 h;

	privsep_procinfo(&pi, "parent");
	control_reply(c, MSG_CTL_PROC, &pi, sizeof(pi));
	if ((r = request_new(c, MSG_CTL_PING)) == NULL) {
		control_done(c, errno, 0, "ping");
		return;
	}
	memset(&mp, 0, sizeof(mp));
	mp.seq = r->id;
	for (h = 0; h < HELPER_MAX; h++) {
		if (helpers_send(h, MSG_PING, r->id, -1, &mp, sizeof(mp)) ==
		    0) {
			r->waitmask |= 1u << h;
			r->waiting++;
		}
	}
	if (r->waiting == 0)
		request_finish(r);
}

/* A helper's reply to a request with a callback. */
void
request_reply(int h, struct imsg *imsg)
{
	struct request	*r;

	if ((r = request_find(imsg_get_peerid(imsg))) == NULL ||
	    r->cb == NULL) {
		if (imsg_get_type(imsg) == MSG_RESULT)
			request_log_result(h, imsg);
		if (imsg->fd != -1)
			close(imsg_get_fd(imsg));	/* late: nobody's */
		return;		/* fire and forget, or late */
	}
	r->cb(r, h, imsg);
}

void
request_pong(int h, uint32_t id, struct msg_procinfo *pi)
{
	struct request	*r;

	if ((r = request_find(id)) == NULL || !(r->waitmask & (1u << h)))
		return;		/* late or forged: ignore */
	r->waitmask &= ~(1u << h);
	r->pong[h] = *pi;
	r->pong[h].title[sizeof(r->pong[h].title) - 1] = '\0';
	if (--r->waiting == 0)
		request_finish(r);
}

void
request_helper_down(int h)
{
	struct request	*r, *next;

	for (r = TAILQ_FIRST(&requests); r != NULL; r = next) {
		next = TAILQ_NEXT(r, entry);
		if (r->cb != NULL && (r->waitmask & (1u << h))) {
			r->cb(r, h, NULL);
			continue;
		}
		if (r->waitmask & (1u << h)) {
			r->waitmask &= ~(1u << h);
			if (--r->waiting == 0)
				request_finish(r);
		}
	}
}

static void
request_finish(struct request *r)
{
	struct client	*c = NULL;
	char		 msg[CELL_MSGLEN] = "";
	int		 h, missing = 0;

	if (r->client != 0)
		c = control_find(r->client);
	for (h = 0; c != NULL && h < HELPER_MAX; h++) {
		if (r->pong[h].pid != 0) {
			control_reply(c, MSG_CTL_PROC, &r->pong[h],
			    sizeof(r->pong[h]));
			continue;
		}
		missing++;
		strlcat(msg, missing > 1 ? ", " : "", sizeof(msg));
		strlcat(msg, helpers_name(h), sizeof(msg));
	}
	if (missing)
		strlcat(msg, ": not answering", sizeof(msg));
	request_done(r, missing ? EAGAIN : 0, 0, missing ? msg : NULL);
}
