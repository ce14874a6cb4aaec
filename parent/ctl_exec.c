/*
 * ctl_exec.c: exec in a running container, and terminal sizes.  An exec
 * inherits what the container was given (capabilities, privileged,
 * seccomp) and takes from the request only what Docker's exec takes:
 * argv, extra environment, user, workdir and its tty flags.
 */
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "parent.h"

#define EXEC_FLAGS	(SPEC_TTY | SPEC_INTERACTIVE | SPEC_DETACH)

static void
exec_step(struct request *r, int h, struct imsg *imsg)
{
	struct msg_result	 res;

	(void)h;
	request_result(imsg, &res, "exec: spawn-helper");
	request_done(r, res.err, res.err == EIO ? 125 : res.status, res.msg);
}

/* The container's environment, then the request's -e (which win). */
static int
exec_env(struct cell_spec *dst, const struct cell_spec *cont,
    const struct cell_spec *req)
{
	size_t		 a = 0, b = 0;
	uint32_t	 i;

	for (i = 0; i < cont->envc; i++)
		a += strlen(cont->env + a) + 1;
	for (i = 0; i < req->envc; i++)
		b += strlen(req->env + b) + 1;
	if (a + b > sizeof(dst->env))
		return -1;
	memcpy(dst->env, cont->env, a);
	memcpy(dst->env + a, req->env, b);
	dst->envc = cont->envc + req->envc;
	return 0;
}

static int
exec_spec(struct msg_spawn_exec *se, const struct cell *c,
    const struct cell_spec *req)
{
	struct cell_spec	*s = &se->spec;

	*s = c->spec;
	memcpy(s->args, req->args, sizeof(s->args));
	s->argc = req->argc;
	s->flags = (c->spec.flags & ~EXEC_FLAGS) | (req->flags & EXEC_FLAGS);
	s->rows = req->rows;
	s->cols = req->cols;
	if (req->user[0] != '\0')
		strlcpy(s->user, req->user, sizeof(s->user));
	if (req->workdir[0] != '\0')
		strlcpy(s->workdir, req->workdir, sizeof(s->workdir));
	return exec_env(s, &c->spec, req);
}

static int
exec_id(char *id)
{
	unsigned char	rnd[CELL_IDLEN / 2];
	size_t		i;

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -1;
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(id + 2 * i, 3, "%02x", rnd[i]);
	return 0;
}

static int
exec_stdio(struct client *cl, const char *execid, uint32_t peer)
{
	struct msg_stdio	ms;
	int			i;

	for (i = 0; i < 3; i++) {
		if (cl->stdio[i] == -1)
			continue;
		memset(&ms, 0, sizeof(ms));
		strlcpy(ms.id, execid, sizeof(ms.id));
		ms.which = i;
		if (helpers_send(HELPER_SPAWN, MSG_SPAWN_STDIO, peer,
		    cl->stdio[i], &ms, sizeof(ms)) == -1)
			return -1;
		cl->stdio[i] = -1;
	}
	return 0;
}

void
ctl_exec(struct client *cl, struct imsg *imsg)
{
	static struct cell_spec		req;
	static struct msg_spawn_exec	se;
	struct request			*r;
	struct cell			*c;
	char				 err[CELL_MSGLEN];

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !msg_spec_ok(&req) || req.argc == 0) {
		control_done(cl, EINVAL, 125, "exec: malformed request");
		return;
	}
	if ((c = cell_lookup(req.name, cl->uid, cl->admin)) == NULL ||
	    c->state != CELL_RUNNING || c->paused) {
		snprintf(err, sizeof(err), "%s: %s", req.name, c == NULL ?
		    "no such container" : c->paused ? "container is paused" :
		    "container is not running");
		control_done(cl, c == NULL ? ENOENT : EINVAL, 125, err);
		return;
	}
	memset(&se, 0, sizeof(se));
	strlcpy(se.id, c->id, sizeof(se.id));
	se.pid = c->pid;
	se.uid_base = cell_uid_base(c);
	if (exec_id(se.execid) == -1 || exec_spec(&se, c, &req) == -1) {
		control_done(cl, E2BIG, 125, "exec: environment too large");
		return;
	}
	if ((r = request_new(cl, MSG_CTL_EXEC)) == NULL) {
		control_done(cl, errno, 125, "exec");
		return;
	}
	r->cb = exec_step;
	r->waitmask = 1u << HELPER_SPAWN;
	evtimer_del(r->timeout);	/* an exec may run for as long as it likes */
	strlcpy(r->cell, c->id, sizeof(r->cell));
	/* a custom seccomp profile binds an exec as it binds the command */
	if (exec_stdio(cl, se.execid, r->id) == -1 ||
	    seccomp_send(c, se.execid, r->id) == -1 ||
	    helpers_send(HELPER_SPAWN, MSG_SPAWN_EXECIN, r->id, -1, &se,
	    sizeof(se)) == -1) {
		control_done(cl, EAGAIN, 125, "spawn-helper is not available");
		request_free(r);
	}
}

/* A new terminal size, for the container's pty (held by its monitor). */
void
ctl_resize(struct client *cl, struct imsg *imsg)
{
	struct msg_ctl_resize	 rz;
	struct cell		*c;

	if (imsg_get_data(imsg, &rz, sizeof(rz)) == -1 ||
	    !msg_str_ok(rz.name, sizeof(rz.name)) || rz.rows == 0 ||
	    rz.cols == 0) {
		control_done(cl, EINVAL, 0, "resize: malformed request");
		return;
	}
	if ((c = cell_lookup(rz.name, cl->uid, cl->admin)) == NULL ||
	    c->state != CELL_RUNNING || !c->mon_up) {
		control_done(cl, ENOENT, 0, "resize: no such container");
		return;
	}
	imsgev_compose(&c->mon, MSG_MON_RESIZE, 0, 0, -1, &rz, sizeof(rz));
	control_done(cl, 0, 0, NULL);
}
