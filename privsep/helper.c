/*
 * helper.c: the event loop every helper runs.  A helper listens only to
 * the parent, on HELPER_FD; it exits when the parent goes away, because a
 * helper never acts on its own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/unistd.h>

#include "privsep.h"

static struct imsgev	 helper_iev;
static helper_fn	 helper_handler;
static const char	*helper_title;

static void
helper_pong(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_ping		mp;
	struct msg_procinfo	pi;

	if (imsg_get_data(imsg, &mp, sizeof(mp)) == -1)
		return;
	privsep_procinfo(&pi, helper_title);
	pi.seq = mp.seq;
	imsgev_compose(iev, MSG_PONG, imsg_get_peerid(imsg), 0, -1, &pi,
	    sizeof(pi));
}

static void
helper_dispatch(int fd, short ev, void *arg)
{
	struct imsgev	*iev = arg;
	struct imsg	 imsg;
	ssize_t		 n;

	(void)fd;
	if (imsgev_io(iev, ev) == -1) {
		log_debug("%s: parent gone, exiting", helper_title);
		exit(0);
	}
	while ((n = imsg_get(&iev->ibuf, &imsg)) > 0) {
		if (msg_check(&imsg, PROC_PARENT) == -1) {
			log_warnx("%s: refused %s", helper_title,
			    msg_name(imsg_get_type(&imsg)));
			imsgev_reply(iev, imsg_get_peerid(&imsg), errno, 0,
			    "refused");
		} else if (imsg_get_type(&imsg) == MSG_PING)
			helper_pong(iev, &imsg);
		else
			helper_handler(iev, &imsg);
		imsg_free(&imsg);
	}
	if (n == -1) {
		/* a broken frame ends the stream; the parent restarts us */
		log_warnx("%s: bad frame from parent, exiting", helper_title);
		exit(1);
	}
	imsgev_add(iev);
}

void
helper_main(int argc, char **argv, const struct proc_privs *pp, int proc,
    helper_fn fn)
{
	struct launch_args	 la;
	struct event_base	*base;
	const char		*vars[3];

	(void)proc;
	setproctitle_init(argc, argv, environ);
	if (helper_args(argc, argv, &la) == -1) {
		log_init(1, 0, pp->title);
		fatalx("usage: %s -s storage -r rundir [-dv]", pp->title);
	}
	helper_title = pp->title;
	helper_handler = fn;
	log_init(la.debug, la.verbose, pp->title);
	setproctitle("-celld: %s", pp->title);
	if ((base = event_base_new()) == NULL)
		fatalx("%s: event_base_new", pp->title);
	vars[0] = la.storage;
	vars[1] = la.rundir;
	vars[2] = NULL;
	privsep_drop(pp, vars);
	if (imsgev_init(&helper_iev, base, HELPER_FD, helper_dispatch,
	    &helper_iev) == -1)
		fatal("%s: channel", pp->title);
	imsgev_add(&helper_iev);
	event_base_dispatch(base);
	exit(0);
}
