/*
 * monconn.c: the parent's line to each container's monitor.  Monitors
 * outlive celld; a restarted parent finds them again by their sockets in
 * the run dir.  A monitor that can't be reached is a container that has
 * exited, and its exit file says how.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parent.h"

#define MON_TRIES	200		/* 10 ms apart: the monitor starts */

static void	monconn_dispatch(int, short, void *);

static void
monconn_gone(struct cell *c)
{
	monconn_close(c);
	/* REMOVING too: rm -f's kill may end the container before we
	 * ever reached its monitor, and rm waits for this exit */
	if (c->state != CELL_RUNNING && c->state != CELL_STARTING &&
	    c->state != CELL_REMOVING)
		return;
	if (state_read_exit(c) == -1) {
		log_warnx("%.12s: monitor gone without an exit record",
		    c->id);
		c->exit_status = 255;
		c->finished = time(NULL);
	}
	run_exited(c, c->exit_status, c->finished);
}

static int
monconn_connect(struct cell *c)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path),
	    "%s/monitors/%s.sock", env->conf.rundir, c->id) >=
	    sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
monconn_try(int fd, short ev, void *arg)
{
	struct cell	*c = arg;
	struct timeval	 tv = { 0, 10000 };

	(void)fd;
	(void)ev;
	if ((fd = monconn_connect(c)) == -1) {
		/*
		 * A command that ends at once: the monitor may have written
		 * its exit record and removed its socket before our first
		 * try.  The record (cleared at every start) is the answer.
		 */
		if (errno == ENOENT && state_read_exit(c) == 0) {
			monconn_gone(c);
			return;
		}
		if (++c->mon_tries < MON_TRIES && (errno == ENOENT ||
		    errno == ECONNREFUSED)) {
			evtimer_add(c->mon_timer, &tv);
			return;
		}
		monconn_gone(c);
		return;
	}
	if (imsgev_init(&c->mon, env->base, fd, monconn_dispatch, c) == -1) {
		close(fd);
		monconn_gone(c);
		return;
	}
	c->mon_up = 1;
	imsgev_add(&c->mon);
}

void
monconn_open(struct cell *c)
{
	c->mon_tries = 0;
	if (c->mon_timer == NULL &&
	    (c->mon_timer = evtimer_new(env->base, monconn_try, c)) == NULL)
		fatalx("monitor timer");
	monconn_try(-1, 0, c);
}

void
monconn_close(struct cell *c)
{
	if (c->mon_up)
		imsgev_clear(&c->mon);
	c->mon_up = 0;
	if (c->mon_timer != NULL) {
		evtimer_del(c->mon_timer);
		event_free(c->mon_timer);
		c->mon_timer = NULL;
	}
}

/* Returns 1 when the container exited: c may be gone then. */
static int
monconn_state(struct cell *c, struct imsg *imsg)
{
	struct msg_mon_state	ms;

	if (imsg_get_data(imsg, &ms, sizeof(ms)) == -1 ||
	    strncmp(ms.id, c->id, sizeof(ms.id)) != 0) {
		log_warnx("%.12s: monitor sent a bad state", c->id);
		return 0;
	}
	if (ms.running) {
		c->pid = ms.pid;
		return 0;
	}
	monconn_close(c);
	run_exited(c, ms.exit_status, ms.finished);
	return 1;
}

static void
monconn_dispatch(int fd, short ev, void *arg)
{
	struct cell	*c = arg;
	struct imsg	 imsg;
	ssize_t		 n = 0;

	(void)fd;
	if (imsgev_io(&c->mon, ev) == -1) {
		monconn_gone(c);
		return;
	}
	while (c->mon_up && (n = imsg_get(&c->mon.ibuf, &imsg)) > 0) {
		if (msg_check(&imsg, PROC_MONITOR) == -1)
			log_warnx("%.12s: monitor sent %s", c->id,
			    msg_name(imsg_get_type(&imsg)));
		else if (monconn_state(c, &imsg) == 1) {
			imsg_free(&imsg);
			return;		/* c may be gone now */
		}
		imsg_free(&imsg);
	}
	if (n == -1) {
		monconn_gone(c);
		return;
	}
	imsgev_add(&c->mon);
}
