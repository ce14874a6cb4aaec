/*
 * helpers.c: the parent's channels to net-helper, fs-helper and
 * spawn-helper.  Helpers are started by the launcher; when one dies the
 * parent logs it and asks for a new one, with backoff.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parent.h"

static struct helper {
	const char	*name;
	int		 proc;
	struct imsgev	 iev;
	int		 up;
	int		 starting;
	int		 restarts;
	struct timeval	 backoff;
	struct event	*timer;
} helpers[HELPER_MAX] = {
	{ .name = "net-helper", .proc = PROC_NET },
	{ .name = "fs-helper", .proc = PROC_FS },
	{ .name = "spawn-helper", .proc = PROC_SPAWN },
};

static struct imsgev	 launcher;
static int		 shutting_down;

static void	helper_dispatch(int, short, void *);
static void	helper_request(int);

const char *
helpers_name(int h)
{
	return helpers[h].name;
}

int
helpers_up(int h)
{
	return helpers[h].up;
}

int
helpers_send(int h, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	if (!helpers[h].up) {
		if (fd != -1)
			close(fd);
		errno = EAGAIN;
		return -1;
	}
	return imsgev_compose(&helpers[h].iev, type, peerid, 0, fd, data, len);
}

static void
helper_timer(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	helper_request((int)(intptr_t)arg);
}

/* The helper is gone: forget it, then restart it after a backoff. */
static void
helper_down(int h)
{
	struct helper	*hp = &helpers[h];

	if (hp->up)
		imsgev_clear(&hp->iev);
	hp->up = 0;
	request_helper_down(h);
	if (shutting_down)
		return;
	log_warnx("%s: died, restarting in %lld ms", hp->name,
	    (long long)(hp->backoff.tv_sec * 1000 + hp->backoff.tv_usec / 1000));
	evtimer_add(hp->timer, &hp->backoff);
	/* 100 ms, doubling up to 6.4 s; a working helper resets it */
	if (hp->backoff.tv_sec < 6) {
		long long us = (hp->backoff.tv_sec * 1000000LL +
		    hp->backoff.tv_usec) * 2;

		hp->backoff.tv_sec = us / 1000000;
		hp->backoff.tv_usec = us % 1000000;
	}
}

static void
helper_request(int h)
{
	struct msg_launch	ml;

	if (helpers[h].starting)
		return;
	memset(&ml, 0, sizeof(ml));
	ml.proc = helpers[h].proc;
	helpers[h].starting = 1;
	if (imsgev_compose(&launcher, MSG_LAUNCH, 0, 0, -1, &ml,
	    sizeof(ml)) == -1)
		fatal("launcher: request %s", helpers[h].name);
}

static void
helper_launched(struct imsg *imsg)
{
	struct msg_launch	 ml;
	struct helper		*hp = NULL;
	int			 h, fd;

	if (imsg_get_data(imsg, &ml, sizeof(ml)) == -1)
		fatalx("launcher: bad reply");
	for (h = 0; h < HELPER_MAX; h++)
		if (helpers[h].proc == ml.proc)
			hp = &helpers[h];
	if (hp == NULL || !hp->starting)
		fatalx("launcher: unexpected helper %d", ml.proc);
	h = hp - helpers;
	fd = imsg_get_fd(imsg);
	hp->starting = 0;
	if (imsgev_init(&hp->iev, env->base, fd, helper_dispatch,
	    (void *)(intptr_t)h) == -1)
		fatal("%s: channel", hp->name);
	hp->up = 1;
	hp->restarts++;
	imsgev_add(&hp->iev);
	log_debug("%s: up", hp->name);
	if (h == HELPER_NET)
		network_replay();	/* it starts knowing nothing */
}

static void
launcher_dispatch(int fd, short ev, void *arg)
{
	struct imsg	imsg;
	ssize_t		n;

	(void)fd;
	(void)arg;
	if (imsgev_io(&launcher, ev) == -1) {
		if (shutting_down)
			return;
		fatalx("launcher: gone, exiting");
	}
	while ((n = imsg_get(&launcher.ibuf, &imsg)) > 0) {
		if (msg_check(&imsg, PROC_LAUNCH) == -1 ||
		    imsg_get_type(&imsg) != MSG_LAUNCHED)
			fatalx("launcher: unexpected %s",
			    msg_name(imsg_get_type(&imsg)));
		helper_launched(&imsg);
		imsg_free(&imsg);
	}
	if (n == -1)
		fatalx("launcher: bad frame");
	imsgev_add(&launcher);
}

static void
helper_msg(int h, struct imsg *imsg)
{
	struct msg_procinfo	pi;

	switch (imsg_get_type(imsg)) {
	case MSG_PONG:
		if (imsg_get_data(imsg, &pi, sizeof(pi)) == 0)
			request_pong(h, imsg_get_peerid(imsg), &pi);
		break;
	case MSG_RESULT:
	case MSG_SPAWN_CREATED:
	case MSG_FS_ROOTFS_FD:
	case MSG_SPAWN_STAT:
	case MSG_SPAWN_PROC:
	case MSG_SPAWN_UNPACK_NS:
	case MSG_SPAWN_UNPACK_OUT:
	case MSG_FS_STAGED:
	case MSG_SPAWN_NETNS:
		request_reply(h, imsg);
		break;
	default:
		log_warnx("%s: unexpected %s", helpers[h].name,
		    msg_name(imsg_get_type(imsg)));
		break;
	}
}

static void
helper_dispatch(int fd, short ev, void *arg)
{
	int		 h = (int)(intptr_t)arg;
	struct helper	*hp = &helpers[h];
	struct imsg	 imsg;
	ssize_t		 n;

	(void)fd;
	if (imsgev_io(&hp->iev, ev) == -1) {
		helper_down(h);
		return;
	}
	while ((n = imsg_get(&hp->iev.ibuf, &imsg)) > 0) {
		if (msg_check(&imsg, hp->proc) == -1)
			log_warnx("%s: refused %s", hp->name,
			    msg_name(imsg_get_type(&imsg)));
		else {
			helper_msg(h, &imsg);
			/* a successful reply resets the backoff */
			hp->backoff.tv_sec = 0;
			hp->backoff.tv_usec = 100000;
		}
		imsg_free(&imsg);
	}
	if (n == -1) {
		log_warnx("%s: bad frame", hp->name);
		helper_down(h);
		return;
	}
	imsgev_add(&hp->iev);
}

void
helpers_init(int launchfd)
{
	/* the event base does not exist yet; keep the fd for later */
	launcher.ibuf.fd = launchfd;
}

void
helpers_start(struct event_base *base)
{
	int	h, fd = launcher.ibuf.fd;

	if (imsgev_init(&launcher, base, fd, launcher_dispatch, NULL) == -1)
		fatal("launcher: channel");
	imsgev_add(&launcher);
	for (h = 0; h < HELPER_MAX; h++) {
		helpers[h].backoff.tv_usec = 100000;
		helpers[h].timer = evtimer_new(base, helper_timer,
		    (void *)(intptr_t)h);
		if (helpers[h].timer == NULL)
			fatalx("helper timer");
		helper_request(h);
	}
}

/* what is queued for h goes out now (before a shutdown) */
void
helpers_flush(int h)
{
	if (helpers[h].up && imsgbuf_flush(&helpers[h].iev.ibuf) == -1)
		log_warn("%s: flush", helpers[h].name);
}

void
helpers_shutdown(void)
{
	int	h;

	shutting_down = 1;
	for (h = 0; h < HELPER_MAX; h++)
		if (helpers[h].up) {
			imsgev_clear(&helpers[h].iev);
			helpers[h].up = 0;
		}
	imsgev_clear(&launcher);
}
