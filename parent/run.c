/*
 * run.c: starting a container, and what happens when it exits.
 *
 * start is a pipeline over two helpers, each step a reply to the last:
 *   spawn-helper  CREATE: clone C into new namespaces, start its monitor
 *                 -> C's pid and its user namespace fd
 *   fs-helper     ROOTFS: layers idmapped through that namespace, overlay
 *                 -> a detached mount fd of the rootfs
 *   spawn-helper  EXEC: C attaches the rootfs, locks itself down, execs
 *                 -> 0, or the 125/126/127 reason
 * On a network, spawn-helper also sends C's netns fd before CREATED;
 * net-helper makes the veth pair with it while fs-helper makes the rootfs
 * (netrun.c), and EXEC waits for both.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include "parent.h"

enum { STEP_CREATE, STEP_ROOTFS, STEP_EXEC };

static void	run_step(struct request *, int, struct imsg *);
static int	run_send_vols(struct cell *, struct request *);
static void	run_exec(struct cell *, struct request *, int);

/* Answer the client of r, if it is still there. */
static void
run_done(struct request *r, int err, int status, const char *msg)
{
	request_done(r, err, status, msg);
}

/* A start that failed before C ran its command: undo what was made. */
static void
run_abort(struct cell *c, struct request *r, int err, int status,
    const char *msg)
{
	struct msg_spawn_kill	k;
	struct msg_spawn_id	id;

	memset(&k, 0, sizeof(k));
	strlcpy(k.id, c->id, sizeof(k.id));
	k.sig = SIGKILL;
	k.all = 1;
	helpers_send(HELPER_SPAWN, MSG_SPAWN_KILL, 0, -1, &k, sizeof(k));
	memset(&id, 0, sizeof(id));
	strlcpy(id.id, c->id, sizeof(id.id));
	helpers_send(HELPER_SPAWN, MSG_SPAWN_CLEANUP, 0, -1, &id, sizeof(id));
	helpers_send(HELPER_FS, MSG_FS_REMOVE, 0, -1, &id, sizeof(id));
	network_detach(c, 1);
	monconn_close(c);
	cell_slot_free(c);
	c->state = c->started ? CELL_EXITED : CELL_CREATED;
	c->exit_status = status;
	state_save(c);
	log_warnx("%.12s: start failed: %s", c->id, msg);
	run_done(r, err, status, msg);
}

static int
run_send_stdio(struct cell *c, struct request *r)
{
	struct msg_stdio	ms;
	int			i;

	for (i = 0; i < 3; i++) {
		if (r->stdio[i] == -1)
			continue;
		memset(&ms, 0, sizeof(ms));
		strlcpy(ms.id, c->id, sizeof(ms.id));
		ms.which = i;
		if (helpers_send(HELPER_SPAWN, MSG_SPAWN_STDIO, r->id,
		    r->stdio[i], &ms, sizeof(ms)) == -1)
			return -1;
		r->stdio[i] = -1;	/* sent, and closed by imsg */
	}
	return 0;
}

int
run_start(struct client *cl, struct cell *c)
{
	static struct msg_spawn	 ms;
	struct request		*r;
	const char		*why;
	int			 i;

	if ((r = request_new(cl, MSG_CTL_START)) == NULL)
		return -1;
	if ((why = network_check(c)) != NULL) {
		run_done(r, EADDRINUSE, 125, why);
		return 0;
	}
	r->cb = run_step;
	r->step = STEP_CREATE;
	strlcpy(r->cell, c->id, sizeof(r->cell));
	for (i = 0; i < 3; i++) {
		r->stdio[i] = cl->stdio[i];
		cl->stdio[i] = -1;
	}
	if (cell_slot_alloc(c) == -1) {
		run_done(r, ENOSPC, 125, "no free id range for a container");
		return 0;
	}
	memset(&ms, 0, sizeof(ms));
	strlcpy(ms.id, c->id, sizeof(ms.id));
	ms.uid_base = cell_uid_base(c);
	ms.uid_count = CELL_IDS;
	ms.log_max = env->conf.log_max;
	ms.spec = c->spec;
	/* no network left (all disconnected), or one connected to a
	 * container created with --network none */
	if (c->nnets == 0)
		ms.spec.flags |= SPEC_NONET;
	else
		ms.spec.flags &= ~SPEC_NONET;
	c->state = CELL_STARTING;
	if (run_send_vols(c, r) == -1) {
		run_abort(c, r, errno, 125, errno == ENOENT ? "a volume's fd "
		    "was lost (celld restarted): create the container again" :
		    "volume");
		return 0;
	}
	if (seccomp_send(c, c->id, r->id) == -1) {
		run_abort(c, r, errno, 125, errno == ENOENT ? "the seccomp "
		    "program was lost: create the container again" :
		    "seccomp program");
		return 0;
	}
	if (state_clear_exit(c) == -1 || state_save(c) == -1 ||
	    run_send_stdio(c, r) == -1 ||
	    helpers_send(HELPER_SPAWN, MSG_SPAWN_CREATE, r->id, -1, &ms,
	    sizeof(ms)) == -1)
		run_abort(c, r, errno, 125, "spawn-helper is not available");
	return 0;
}

static void
run_created(struct cell *c, struct request *r, struct imsg *imsg)
{
	struct msg_spawn_created sc;
	struct msg_fs_rootfs	 fr;
	int			 fd = imsg_get_fd(imsg);

	if (imsg_get_data(imsg, &sc, sizeof(sc)) == -1 ||
	    strncmp(sc.id, c->id, sizeof(sc.id)) != 0 || sc.pid <= 1) {
		close(fd);
		run_abort(c, r, EIO, 125, "spawn-helper: bad reply");
		return;
	}
	c->pid = sc.pid;
	memset(&fr, 0, sizeof(fr));
	strlcpy(fr.id, c->id, sizeof(fr.id));
	fr.uid_base = cell_uid_base(c);
	fr.nlayers = c->nlayers;
	memcpy(fr.layers, c->layers, sizeof(fr.layers));
	fr.disk = c->spec.disk;
	r->step = STEP_ROOTFS;
	r->waitmask = 1u << HELPER_FS;
	if (helpers_send(HELPER_FS, MSG_FS_ROOTFS, r->id, fd, &fr,
	    sizeof(fr)) == -1) {
		run_abort(c, r, errno, 125, "fs-helper is not available");
		return;
	}
	if (r->fd == -1)
		return;			/* --network none */
	r->waitmask |= 1u << HELPER_NET;
	fd = r->fd;
	r->fd = -1;
	if ((r->netleft = network_attach(c, r->id, fd)) <= 0)
		run_abort(c, r, errno, 125, "net-helper is not available");
}

/* net-helper made the veths: C's addresses go to spawn-helper */
static void
run_net(struct cell *c, struct request *r, struct msg_result *res)
{
	int	fd;

	if (res->err != 0) {
		run_abort(c, r, res->err, 125, res->msg);
		return;
	}
	if (--r->netleft > 0)
		return;			/* another network's veth is coming */
	r->waitmask &= ~(1u << HELPER_NET);
	if (network_attached(c) == -1) {
		run_abort(c, r, errno, 125, "spawn-helper is not available");
		return;
	}
	if (r->waitmask & (1u << HELPER_FS))
		return;			/* the rootfs is still coming */
	fd = r->fd;
	r->fd = -1;
	run_exec(c, r, fd);
}

static void
run_exec(struct cell *c, struct request *r, int fd)
{
	struct msg_spawn_id	id;

	if (netfiles_write(c) == -1) {
		close(fd);
		run_abort(c, r, errno, 125, "cannot write /etc/hosts, "
		    "/etc/hostname or /etc/resolv.conf");
		return;
	}
	netfiles_peers(c, 0);
	memset(&id, 0, sizeof(id));
	strlcpy(id.id, c->id, sizeof(id.id));
	r->step = STEP_EXEC;
	r->waitmask = 1u << HELPER_SPAWN;
	if (helpers_send(HELPER_SPAWN, MSG_SPAWN_EXEC, r->id, fd, &id,
	    sizeof(id)) == -1)
		run_abort(c, r, errno, 125, "spawn-helper is not available");
}

static void
run_rootfs(struct cell *c, struct request *r, struct imsg *imsg)
{
	r->waitmask &= ~(1u << HELPER_FS);
	if (r->waitmask & (1u << HELPER_NET)) {
		r->fd = imsg_get_fd(imsg);	/* EXEC once the veth is up */
		return;
	}
	run_exec(c, r, imsg_get_fd(imsg));
}

/*
 * Each volume's fd goes to spawn-helper before CREATE, which checks it
 * again and binds it where C will find it (a copy: we keep the client's
 * fd for restarts of the container, and spawn-helper keeps a clone for
 * restarts of celld); spawn-helper refuses the CREATE if it refused one.
 */
static int
run_send_vols(struct cell *c, struct request *r)
{
	struct msg_volume	mv;
	uint32_t		i;
	int			dup;

	for (i = 0; i < c->spec.nvols; i++) {
		memset(&mv, 0, sizeof(mv));
		strlcpy(mv.id, c->id, sizeof(mv.id));
		mv.index = i;
		mv.ro = c->spec.vols[i].ro;
		/* the client's fd is gone with a restart: spawn-helper kept
		 * a clone of the volume (spawn-helper/volume.c) */
		if (c->vols[i] == -1) {
			if (helpers_send(HELPER_SPAWN, MSG_SPAWN_VOLPIN, r->id,
			    -1, &mv, sizeof(mv)) == -1)
				return -1;
			continue;
		}
		if ((dup = fcntl(c->vols[i], F_DUPFD_CLOEXEC, 3)) == -1 ||
		    helpers_send(HELPER_SPAWN, MSG_SPAWN_VOLUME, r->id, dup,
		    &mv, sizeof(mv)) == -1)
			return -1;
	}
	return 0;
}

/* EXEC answered: the command runs, or C exits with 125, 126 or 127. */
static void
run_execd(struct cell *c, struct request *r, struct msg_result *res)
{
	c->started = time(NULL);
	c->state = CELL_RUNNING;
	state_save(c);
	monconn_open(c);
	if (res->err != 0) {
		/* C exits with res->status; the monitor will report it */
		run_done(r, res->err, res->status, res->msg);
		return;
	}
	log_info("%.12s: started, pid %d", c->id, c->pid);
	run_done(r, 0, 0, c->id);
}

static void
run_step(struct request *r, int h, struct imsg *imsg)
{
	struct cell		*c = cell_by_id(r->cell);
	struct msg_result	 res;
	uint32_t		 type = imsg ? imsg_get_type(imsg) : 0;

	if (c == NULL) {
		run_done(r, ENOENT, 125, "container removed while starting");
		return;
	}
	if (imsg == NULL) {
		run_abort(c, r, EIO, 125, h == -1 ? "start timed out" :
		    "a helper died while starting the container");
		return;
	}
	if (type == MSG_RESULT) {
		if (imsg_get_data(imsg, &res, sizeof(res)) == -1)
			res.err = EIO;
		res.msg[sizeof(res.msg) - 1] = '\0';
		if (r->step == STEP_ROOTFS && h == HELPER_NET)
			run_net(c, r, &res);
		else if (r->step == STEP_EXEC && (res.err == 0 ||
		    res.err == ENOEXEC))
			run_execd(c, r, &res);
		else
			run_abort(c, r, res.err ? res.err : EIO, 125, res.msg);
	} else if (type == MSG_SPAWN_CREATED && r->step == STEP_CREATE &&
	    h == HELPER_SPAWN)
		run_created(c, r, imsg);
	else if (type == MSG_FS_ROOTFS_FD && r->step == STEP_ROOTFS &&
	    h == HELPER_FS)
		run_rootfs(c, r, imsg);
	else if (type == MSG_SPAWN_NETNS && r->step == STEP_CREATE &&
	    h == HELPER_SPAWN && r->fd == -1)
		r->fd = imsg_get_fd(imsg);	/* for net-helper, after CREATED */
	else
		run_abort(c, r, EIO, 125, "unexpected helper reply");
}

/* Answer every client waiting on c's exit. */
void
run_wake(struct cell *c, int kind, int err, int status, const char *msg)
{
	struct waiter	*w, *next;
	struct client	*cl;

	for (w = TAILQ_FIRST(&c->waiters); w != NULL; w = next) {
		next = TAILQ_NEXT(w, entry);
		if (kind != -1 && w->kind != kind)
			continue;
		if ((cl = control_find(w->client)) != NULL) {
			cl->pending--;
			strlcpy(cl->verb, w->verb, sizeof(cl->verb));
			strlcpy(cl->target, w->target, sizeof(cl->target));
			control_done(cl, err, status, msg);
		}
		TAILQ_REMOVE(&c->waiters, w, entry);
		free(w);
	}
}

static int
run_has_waiter(struct cell *c, uint32_t client)
{
	struct waiter	*w;

	TAILQ_FOREACH(w, &c->waiters, entry)
		if (w->client == client && w->kind == WAIT_EXIT)
			return 1;
	return 0;
}

/*
 * run --rm attached: the client asks for the exit status right after the
 * start.  Keep the exited container until it has, or has gone.
 */
void
run_waited(struct cell *c, uint32_t client)
{
	if (c->rm_hold != client)
		return;
	c->rm_hold = 0;
	if (c->rm_pending) {
		c->rm_pending = 0;
		run_remove(c, 0);
	}
}

/* The client has gone: what it held for a run goes too. */
void
run_release(uint32_t client)
{
	struct cell	*c, *next;

	seccomp_forget(client);		/* a profile sent, never created */
	for (c = RB_MIN(cells, &cells); c != NULL; c = next) {
		next = RB_NEXT(cells, &cells, c);
		run_waited(c, client);
	}
}

void
run_exited(struct cell *c, int status, time_t finished)
{
	struct msg_spawn_id	id;
	int			remove;

	remove = (c->spec.flags & SPEC_RM) || c->state == CELL_REMOVING;
	if (remove && c->state != CELL_REMOVING && !run_has_waiter(c,
	    c->rm_hold) && control_find(c->rm_hold) != NULL) {
		c->rm_pending = 1;	/* the attached client's wait is coming */
		remove = 0;
	}
	c->exit_status = status;
	c->paused = 0;
	c->finished = finished ? finished : time(NULL);
	if (c->state != CELL_REMOVING)
		c->state = CELL_EXITED;
	if (c->stop_timer != NULL)
		evtimer_del(c->stop_timer);
	log_info("%.12s: exited with status %d", c->id, status);
	memset(&id, 0, sizeof(id));
	strlcpy(id.id, c->id, sizeof(id.id));
	helpers_send(HELPER_SPAWN, MSG_SPAWN_CLEANUP, 0, -1, &id, sizeof(id));
	network_detach(c, 0);
	netfiles_peers(c, 1);
	cell_slot_free(c);
	state_save(c);
	run_wake(c, WAIT_EXIT, 0, status, NULL);
	run_wake(c, WAIT_STOP, 0, status, NULL);
	if (remove)
		run_remove(c, 0);
}

static void
run_removed(struct request *r, int h, struct imsg *imsg)
{
	struct cell	*c = cell_by_id(r->cell);

	(void)h;
	(void)imsg;
	if (c == NULL) {
		run_done(r, 0, 0, NULL);
		return;
	}
	seccomp_remove(c);
	network_release(c);
	if (state_remove(c) == -1)
		log_warn("%.12s: remove state", c->id);
	run_wake(c, -1, 0, c->exit_status, NULL);
	log_info("%.12s: removed", c->id);
	cell_free(c);
	run_done(r, 0, 0, NULL);
}

static void
run_remove_fs(struct request *r, struct cell *c)
{
	struct msg_spawn_id	 id;

	r->cb = run_removed;
	r->waitmask = 1u << HELPER_FS;
	memset(&id, 0, sizeof(id));
	strlcpy(id.id, c->id, sizeof(id.id));
	if (helpers_send(HELPER_FS, MSG_FS_REMOVE, r->id, -1, &id,
	    sizeof(id)) == -1)
		run_done(r, EAGAIN, 0, "fs-helper is not available");
}

/* spawn-helper dropped the kept volumes, or died meanwhile */
static void
run_unpinned(struct request *r, int h, struct imsg *imsg)
{
	struct cell	*c = cell_by_id(r->cell);

	(void)h;
	if (imsg == NULL)
		log_warnx("%.12s: spawn-helper went down: its kept volume "
		    "mounts stay under the run dir", r->cell);
	if (c == NULL)
		run_done(r, 0, 0, NULL);
	else
		run_remove_fs(r, c);
}

/*
 * Remove an exited container: spawn-helper's kept volumes, fs-helper's
 * dirs, then our own files.
 */
void
run_remove(struct cell *c, uint32_t client)
{
	struct msg_spawn_id	 id;
	struct request		*r;
	struct client		*cl = client ? control_find(client) : NULL;
	static struct client	 nobody;

	c->state = CELL_REMOVING;
	if ((r = request_new(cl ? cl : &nobody, MSG_CTL_RM)) == NULL) {
		if (cl != NULL)
			control_done(cl, ENOMEM, 0, "rm");
		return;
	}
	if (cl == NULL)
		r->client = 0;
	strlcpy(r->cell, c->id, sizeof(r->cell));
	if (c->spec.nvols == 0) {
		run_remove_fs(r, c);
		return;
	}
	r->cb = run_unpinned;
	r->waitmask = 1u << HELPER_SPAWN;
	memset(&id, 0, sizeof(id));
	strlcpy(id.id, c->id, sizeof(id.id));
	if (helpers_send(HELPER_SPAWN, MSG_SPAWN_UNPIN, r->id, -1, &id,
	    sizeof(id)) == -1) {
		log_warnx("%.12s: spawn-helper is down: its kept volume "
		    "mounts stay under the run dir", c->id);
		run_remove_fs(r, c);
	}
}
