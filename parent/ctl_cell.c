/*
 * ctl_cell.c: the container verbs of the control socket.  Every handler
 * copies the request, checks every field, checks ownership and policy,
 * and answers exactly once (now, or when the work is done).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include <bsd/string.h>

#include "parent.h"

/* Docker's default capability set. */
static const int default_caps[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD,
	CAP_NET_RAW, CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP,
	CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE, -1
};
#define ALL_CAPS	((1ULL << (CAP_LAST_CAP + 1)) - 1)

static const struct conf_policy *
ctl_policy(struct client *cl)
{
	return client_policy(cl);
}

/* What the policy forbids this user, as one line, or NULL. */
const char *
ctl_forbidden(struct client *cl, const struct cell_spec *s)
{
	const struct conf_policy	*p = ctl_policy(cl);
	uint32_t			 allow = p ? p->allow : 0;
	uint64_t			 caps = p ? p->allow_caps : 0;

	if (cl->admin)
		return NULL;
	if ((s->flags & SPEC_PRIVILEGED) && !(allow & POL_ALLOW_PRIVILEGED))
		return "--privileged is not allowed by policy";
	if ((s->flags & SPEC_UNCONFINED) && !(allow & POL_ALLOW_UNCONFINED))
		return "seccomp=unconfined is not allowed by policy";
	if (s->cap_add & ~privsep_capmask(default_caps) & ~caps)
		return "--cap-add of that capability is not allowed by policy";
	if ((s->flags & SPEC_HOSTNET) && !(allow & POL_ALLOW_HOSTNET))
		return "--network host is not allowed by policy";
	if (s->userns[0] != '\0' && !(allow & POL_ALLOW_USERNS))
		return "--userns is not allowed by policy";
	if (p != NULL && ((p->max_memory > 0 && (s->memory == 0 ||
	    s->memory > p->max_memory)) || (p->max_pids > 0 &&
	    (s->pids == 0 || s->pids > p->max_pids)) ||
	    (p->max_cpus_milli > 0 && (s->cpus_milli == 0 ||
	    s->cpus_milli > p->max_cpus_milli))))
		return "your policy caps memory, cpus or pids: give a limit "
		    "(-m, --cpus, --pids-limit) within it";
	return NULL;
}

static int
ctl_count(uid_t uid)
{
	struct cell	*c;
	int		 n = 0;

	RB_FOREACH(c, cells, &cells)
		n += c->owner == uid;
	return n;
}

static int64_t
ctl_disk_used(uid_t uid)
{
	struct cell	*c;
	int64_t		 n = 0;

	RB_FOREACH(c, cells, &cells)
		if (c->owner == uid)
			n += c->spec.disk;
	return n;
}

/*
 * max disk: the sizes of a user's containers add up to at most that.  A
 * container of such a user that asked for no size gets default disk, or
 * what is left if that is less.  Admins and users without max disk get
 * what they asked for (0: no file system of its own, no quota).
 */
static const char *
ctl_disk(struct client *cl, struct cell_spec *s, char *err, size_t len)
{
	const struct conf_policy	*p = ctl_policy(cl);
	int64_t				 left;
	char				 a[32], b[32], m[32];

	if (cl->admin || p == NULL || p->max_disk <= 0)
		return NULL;
	left = p->max_disk - ctl_disk_used(cl->uid);
	left = left < 0 ? 0 : left / 4096 * 4096;
	if (s->disk == 0 && left >= SPEC_DISK_MIN) {
		s->disk = env->conf.default_disk < left ?
		    env->conf.default_disk : left;
		return NULL;
	}
	if (s->disk == 0)
		snprintf(err, len, "disk: %s left of %s (max disk), less than "
		    "the smallest disk (8M)", conf_size_str(b, sizeof(b), left),
		    conf_size_str(m, sizeof(m), p->max_disk));
	else if (s->disk > left)
		snprintf(err, len, "disk: %s asked, %s left of %s (max disk)",
		    conf_size_str(a, sizeof(a), s->disk),
		    conf_size_str(b, sizeof(b), left),
		    conf_size_str(m, sizeof(m), p->max_disk));
	else
		return NULL;
	return err;
}

/*
 * --userns container:NAME: a container the client may see ("not found"
 * and "not yours" read the same), replaced by the id that keys its id
 * range (its own, or the one it shares), so that sharing doesn't chain
 * and outlives NAME's removal.  NULL, or why not.
 */
static const char *
ctl_userns(struct client *cl, struct cell_spec *s, char *err, size_t len)
{
	struct cell	*o;

	if (s->userns[0] == '\0')
		return NULL;
	if ((o = cell_lookup(s->userns, cl->uid, cl->admin)) == NULL) {
		snprintf(err, len, "--userns: %s: %s", s->userns,
		    errno == EEXIST ? "ambiguous (give more of the id)" :
		    "no such container");
		return err;
	}
	strlcpy(s->userns, cell_userns_key(o), sizeof(s->userns));
	return NULL;
}

static void
ctl_spec_finish(struct cell *c)
{
	struct cell_spec	*s = &c->spec;

	if (s->flags & SPEC_PRIVILEGED)
		s->caps = ALL_CAPS;
	else if (s->flags & SPEC_CAPDROPALL)
		s->caps = s->cap_add & ALL_CAPS;
	else
		s->caps = (privsep_capmask(default_caps) | s->cap_add) &
		    ~s->cap_drop & ALL_CAPS;
	s->flags |= SPEC_NNP;
	if (s->hostname[0] == '\0')
		strlcpy(s->hostname, c->id, 13);
	if (c->name[0] == '\0')
		snprintf(c->name, sizeof(c->name), "cell_%.12s", c->id);
}

/* The volume fds this client sent before CREATE go to the container. */
static int
ctl_take_vols(struct client *cl, struct cell *c)
{
	uint32_t	i;

	for (i = 0; i < c->spec.nvols; i++)
		if (cl->vols[i] == -1)
			return -1;
	for (i = 0; i < SPEC_MAXVOLS; i++) {
		if (i < c->spec.nvols)
			c->vols[i] = cl->vols[i];
		else if (cl->vols[i] != -1)
			close(cl->vols[i]);
		cl->vols[i] = -1;
	}
	return 0;
}

/*
 * Every check of a create before anything is made: NULL, or why not
 * with *code the errno to answer.  s is resolved on the way (network,
 * disk, --userns).
 */
static const char *
ctl_create_check(struct client *cl, struct cell_spec *s, int *code,
    char *err, size_t len)
{
	const struct conf_policy *p = ctl_policy(cl);
	const char		*why;

	*code = EINVAL;
	/* before msg_spec_ok(), which refuses them too, to say why */
	if ((s->flags & SPEC_HOSTNET) && (s->nports > 0 ||
	    (s->flags & SPEC_PUBLISHALL)))
		return "create: -p, -P: a container on the host network "
		    "publishes no ports";
	if (!msg_spec_ok(s))
		return "create: malformed container spec";
	if ((s->flags & SPEC_SECCOMP) && (s->flags & SPEC_UNCONFINED))
		return "create: seccomp=unconfined and a seccomp profile "
		    "exclude each other";
	*code = EPERM;
	if ((why = ctl_forbidden(cl, s)) != NULL)
		return why;
	if ((why = network_spec(cl, s, code)) != NULL)
		return why;
	*code = ENOENT;
	if ((why = ctl_userns(cl, s, err, len)) != NULL)
		return why;
	*code = EDQUOT;
	if (!cl->admin && p != NULL && p->max_containers > 0 &&
	    ctl_count(cl->uid) >= p->max_containers)
		return "container limit reached";
	if ((why = ctl_disk(cl, s, err, len)) != NULL)
		return why;
	*code = EEXIST;
	if (s->name[0] != '\0' && cell_byname(s->name, cl->uid) != NULL) {
		snprintf(err, len, "%s: name already in use", s->name);
		return err;
	}
	return NULL;
}

void
ctl_create(struct client *cl, struct imsg *imsg)
{
	static struct cell_spec	 s;
	struct cell		*c;
	const char		*why;
	char			 err[CELL_MSGLEN];
	int			 code;

	if (imsg_get_data(imsg, &s, sizeof(s)) == -1) {
		control_done(cl, EINVAL, 0, "create: malformed container "
		    "spec");
		return;
	}
	if ((why = ctl_create_check(cl, &s, &code, err, sizeof(err))) !=
	    NULL) {
		control_done(cl, code, 0, why);
		return;
	}
	if ((c = cell_new(cl->uid)) == NULL) {
		control_done(cl, errno, 0, "create");
		return;
	}
	c->spec = s;
	network_cell_init(c);
	strlcpy(c->name, s.name, sizeof(c->name));
	if (ctl_take_vols(cl, c) == -1) {
		cell_free(c);
		control_done(cl, EINVAL, 0, "create: a volume's fd is missing");
		return;
	}
	if (image_resolve(c, cl->admin, err, sizeof(err)) == -1) {
		cell_free(c);
		control_done(cl, ENOENT, 0, err);
		return;
	}
	ctl_spec_finish(c);
	if (seccomp_create(cl, c, err, sizeof(err)) == -1) {
		seccomp_remove(c);
		cell_free(c);
		control_done(cl, EINVAL, 0, err);
		return;
	}
	if (state_save(c) == -1) {
		log_warn("%.12s: save state", c->id);
		seccomp_remove(c);
		cell_free(c);
		control_done(cl, errno, 0, "create: save state");
		return;
	}
	log_info("%.12s: created as %s by uid %u", c->id, c->name, cl->uid);
	control_done(cl, 0, 0, c->id);
}

/* Copy and check a target; find the container the client may see. */
static struct cell *
ctl_target(struct client *cl, struct imsg *imsg, struct msg_ctl_target *t)
{
	struct cell	*c;
	char		 err[CELL_MSGLEN];

	if (imsg_get_data(imsg, t, sizeof(*t)) == -1 ||
	    !msg_str_ok(t->name, sizeof(t->name))) {
		control_done(cl, EINVAL, 0, "malformed request");
		return NULL;
	}
	if ((c = cell_lookup(t->name, cl->uid, cl->admin)) == NULL) {
		snprintf(err, sizeof(err), "%s: %s", t->name, errno == EEXIST ?
		    "ambiguous (give more of the id)" : "no such container");
		control_done(cl, ENOENT, 0, err);
	}
	return c;
}

static int
ctl_waiter(struct client *cl, struct cell *c, int kind)
{
	struct waiter	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->client = cl->id;
	w->kind = kind;
	strlcpy(w->verb, cl->verb, sizeof(w->verb));
	strlcpy(w->target, cl->target, sizeof(w->target));
	cl->pending++;
	TAILQ_INSERT_TAIL(&c->waiters, w, entry);
	return 0;
}

void
ctl_stdio(struct client *cl, struct imsg *imsg)
{
	struct msg_stdio	ms;
	int			fd = imsg_get_fd(imsg);

	if (imsg_get_data(imsg, &ms, sizeof(ms)) == -1 || ms.which < 0 ||
	    ms.which > 2) {
		close(fd);
		control_done(cl, EINVAL, 0, "stdio: bad stream");
		return;
	}
	if (cl->stdio[ms.which] != -1)
		close(cl->stdio[ms.which]);
	cl->stdio[ms.which] = fd;	/* held for the next start -a */
}

void
ctl_start(struct client *cl, struct imsg *imsg)
{
	struct msg_ctl_target	 t;
	struct cell		*c;
	char			 err[CELL_MSGLEN];

	if ((c = ctl_target(cl, imsg, &t)) == NULL)
		return;
	if (c->state != CELL_CREATED && c->state != CELL_EXITED) {
		snprintf(err, sizeof(err), "%s: container is %s", t.name,
		    cell_state_name(c));
		control_done(cl, EBUSY, 0, err);
		return;
	}
	c->rm_hold = (t.flags & CTL_ATTACH) && (c->spec.flags & SPEC_RM) ?
	    cl->id : 0;
	c->rm_pending = 0;
	if (run_start(cl, c) == -1)
		control_done(cl, errno, 125, "start");
}

static void
ctl_signal(struct cell *c, int sig, int all)
{
	struct msg_spawn_kill	k;

	memset(&k, 0, sizeof(k));
	strlcpy(k.id, c->id, sizeof(k.id));
	k.pid = c->pid;
	k.sig = sig;
	k.all = all;
	helpers_send(HELPER_SPAWN, MSG_SPAWN_KILL, 0, -1, &k, sizeof(k));
}

/* stop's grace period is over: every process dies. */
static void
ctl_stop_timeout(int fd, short ev, void *arg)
{
	struct cell	*c = arg;

	(void)fd;
	(void)ev;
	if (c->state == CELL_RUNNING || c->state == CELL_REMOVING)
		ctl_signal(c, SIGKILL, 1);
}

void
ctl_kill(struct client *cl, struct imsg *imsg)
{
	struct msg_ctl_target	 t;
	struct cell		*c;
	struct timeval		 tv;

	if ((c = ctl_target(cl, imsg, &t)) == NULL)
		return;
	/* stop and restart say 0: the container's own stop signal */
	if (t.sig == 0 && t.timeout >= 0)
		t.sig = c->spec.stopsig ? (int)c->spec.stopsig : SIGTERM;
	if (t.sig < 1 || t.sig > 64) {
		control_done(cl, EINVAL, 0, "bad signal");
		return;
	}
	if (c->state != CELL_RUNNING) {
		control_done(cl, t.timeout < 0 ? ESRCH : 0, 0, t.timeout < 0 ?
		    "container is not running" : NULL);
		return;
	}
	ctl_signal(c, t.sig, t.sig == SIGKILL);
	if (t.timeout < 0) {		/* kill: just the signal */
		control_done(cl, 0, 0, NULL);
		return;
	}
	if (c->stop_timer == NULL &&
	    (c->stop_timer = evtimer_new(env->base, ctl_stop_timeout, c)) ==
	    NULL) {
		control_done(cl, ENOMEM, 0, "stop");
		return;
	}
	tv.tv_sec = t.timeout > 3600 ? 3600 : t.timeout;
	tv.tv_usec = 0;
	evtimer_add(c->stop_timer, &tv);
	if (ctl_waiter(cl, c, WAIT_STOP) == -1)
		control_done(cl, ENOMEM, 0, "stop");
}

void
ctl_rm(struct client *cl, struct imsg *imsg)
{
	struct msg_ctl_target	 t;
	struct cell		*c;
	char			 err[CELL_MSGLEN];

	if ((c = ctl_target(cl, imsg, &t)) == NULL)
		return;
	if (c->state == CELL_REMOVING || c->state == CELL_STARTING) {
		snprintf(err, sizeof(err), "%s: container is %s", t.name,
		    cell_state_name(c));
		control_done(cl, EBUSY, 0, err);
		return;
	}
	if (c->state == CELL_RUNNING) {
		if (!(t.flags & CTL_FORCE)) {
			snprintf(err, sizeof(err), "%s: container is running: "
			    "stop it first or use rm -f", t.name);
			control_done(cl, EBUSY, 0, err);
			return;
		}
		/* exits, then run_exited removes it and wakes us */
		c->state = CELL_REMOVING;
		ctl_waiter(cl, c, WAIT_RM);
		ctl_signal(c, SIGKILL, 1);
		return;
	}
	run_remove(c, cl->id);
}

void
ctl_wait(struct client *cl, struct imsg *imsg)
{
	struct msg_ctl_target	 t;
	struct cell		*c;

	if ((c = ctl_target(cl, imsg, &t)) == NULL)
		return;
	if (c->state == CELL_EXITED || c->state == CELL_CREATED) {
		control_done(cl, 0, c->exit_status, NULL);
		run_waited(c, cl->id);
		return;
	}
	if (ctl_waiter(cl, c, WAIT_EXIT) == -1)
		control_done(cl, ENOMEM, 0, "wait");
}

static void
ctl_cell_msg(const struct cell *c, struct msg_cell *m)
{
	size_t	off = 0;
	uint32_t i;

	memset(m, 0, sizeof(*m));
	strlcpy(m->id, c->id, sizeof(m->id));
	strlcpy(m->name, c->name, sizeof(m->name));
	strlcpy(m->image, c->spec.image, sizeof(m->image));
	for (i = 0; i < c->spec.argc; i++) {
		if (i > 0)
			strlcat(m->command, " ", sizeof(m->command));
		strlcat(m->command, c->spec.args + off, sizeof(m->command));
		off += strlen(c->spec.args + off) + 1;
	}
	strlcpy(m->state, c->paused && c->state == CELL_RUNNING ? "paused" :
	    cell_state_name(c), sizeof(m->state));
	m->pid = c->state == CELL_RUNNING ? c->pid : 0;
	m->exit_status = c->exit_status;
	m->created = c->created;
	m->started = c->started;
	m->finished = c->finished;
	m->owner = c->owner;
}

void
ctl_ps(struct client *cl, struct imsg *imsg)
{
	struct msg_ctl_target	 t;
	struct msg_cell		 m;
	struct cell		*c;

	if (imsg_get_data(imsg, &t, sizeof(t)) == -1) {
		control_done(cl, EINVAL, 0, "malformed request");
		return;
	}
	RB_FOREACH(c, cells, &cells) {
		if (!cl->admin && c->owner != cl->uid)
			continue;
		if (!(t.flags & CTL_ALL) && c->state != CELL_RUNNING)
			continue;
		ctl_cell_msg(c, &m);
		control_reply(cl, MSG_CTL_CELL, &m, sizeof(m));
	}
	control_done(cl, 0, 0, NULL);
}

/* The log files themselves, opened read-only: the client formats them. */
void
ctl_logs(struct client *cl, struct imsg *imsg)
{
	struct msg_ctl_target	 t;
	struct msg_stdio	 ms;
	struct cell		*c;
	const char		*files[] = { "log.1", "log" };
	char			 path[PATH_MAX];
	int			 i, fd;

	if ((c = ctl_target(cl, imsg, &t)) == NULL)
		return;
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/containers/%s/%s",
		    env->conf.storage, c->id, files[i]);
		if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
			continue;
		memset(&ms, 0, sizeof(ms));
		strlcpy(ms.id, c->id, sizeof(ms.id));
		ms.which = i == 0 ? 1 : 0;
		imsgev_compose(&cl->iev, MSG_CTL_FD, 0, 0, fd, &ms,
		    sizeof(ms));
	}
	control_done(cl, 0, 0, NULL);
}
