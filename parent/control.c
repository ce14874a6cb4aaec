/*
 * control.c: the control socket.  Every client is identified by the
 * kernel (SO_PEERCRED), never by what it sends.  A malformed request gets
 * an error reply; a broken frame drops that client and no other.
 */
#include <sys/socket.h>

#include <limits.h>
#include <stdio.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include "parent.h"

#define CONTROL_MAXCONN		4096	/* all clients together */
#define CONTROL_MAXUSER		512	/* per non-admin uid */
#define CONTROL_MAXPENDING	64	/* requests in flight per client */
#define CONTROL_IDLE		120	/* seconds before an idle drop */

static TAILQ_HEAD(, client)	clients = TAILQ_HEAD_INITIALIZER(clients);
static struct event		*control_ev, *control_pause;
static uint32_t			 control_nextid = 1;
static int			 control_nclients;

static void	control_dispatch(int, short, void *);

const struct conf_policy *
client_policy(const struct client *c)
{
	gid_t	all[65];
	int	n = c->ngroups;

	memcpy(all, c->groups, n * sizeof(gid_t));
	all[n++] = c->gid;	/* the primary group, always */
	return conf_policy_for(&env->conf, c->uid, all, n);
}

int
control_clients(void)
{
	return control_nclients;
}

struct client *
control_find(uint32_t id)
{
	struct client	*c;

	TAILQ_FOREACH(c, &clients, entry)
		if (c->id == id)
			return c;
	return NULL;
}

static void
control_close(struct client *c)
{
	int	i;

	for (i = 0; i < 3; i++)
		if (c->stdio[i] != -1)
			close(c->stdio[i]);
	for (i = 0; i < SPEC_MAXVOLS; i++)
		if (c->vols[i] != -1)
			close(c->vols[i]);
	request_client_gone(c->id);
	TAILQ_REMOVE(&clients, c, entry);
	run_release(c->id);
	evtimer_del(c->idle);
	event_free(c->idle);
	imsgev_clear(&c->iev);
	control_nclients--;
	free(c);
}

static void
control_idle(int fd, short ev, void *arg)
{
	struct client	*c = arg;

	(void)fd;
	(void)ev;
	log_debug("control: client %u (uid %u) idle, dropped", c->id, c->uid);
	control_close(c);
}

static void
control_touch(struct client *c)
{
	struct timeval	tv = { CONTROL_IDLE, 0 };

	evtimer_add(c->idle, &tv);
}

int
control_reply(struct client *c, uint32_t type, const void *data, size_t len)
{
	return imsgev_compose(&c->iev, type, 0, 0, -1, data, len);
}

/* One JSON document to c as MSG_CTL_JSON; takes j.  -1 with errno. */
int
control_json(struct client *c, json_t *j, size_t flags)
{
	static struct msg_json	 mj;
	char			*s;
	int			 r = -1;

	errno = ENOMEM;
	if (j != NULL && (s = json_dumps(j, flags)) != NULL) {
		memset(&mj, 0, sizeof(mj));
		mj.len = strlcpy(mj.data, s, sizeof(mj.data));
		if (mj.len < sizeof(mj.data))
			r = control_reply(c, MSG_CTL_JSON, &mj, sizeof(mj));
		else
			errno = E2BIG;
		free(s);
	}
	json_decref(j);
	return r;
}

/* inspect's answer: j, then done; what names it in an error */
void
control_json_done(struct client *c, json_t *j, const char *what)
{
	char	err[CELL_MSGLEN];

	if (control_json(c, j, JSON_COMPACT) == 0) {
		control_done(c, 0, 0, NULL);
		return;
	}
	snprintf(err, sizeof(err), "%s: %s", what, errno == E2BIG ?
	    "too large" : strerror(errno));
	control_done(c, errno, 0, err);
}

int
control_done(struct client *c, int err, int status, const char *msg)
{
	struct msg_result	res;

	memset(&res, 0, sizeof(res));
	res.err = err;
	res.status = status;
	if (msg != NULL)
		strlcpy(res.msg, msg, sizeof(res.msg));
	audit(c, err, msg);
	return control_reply(c, MSG_CTL_DONE, &res, sizeof(res));
}

/* Fairness: a policy's "max connections" and "max operations" per user. */
static int
control_maxconn(const struct client *c)
{
	const struct conf_policy	*p = client_policy(c);

	return p != NULL && p->max_conns > 0 ? p->max_conns :
	    CONTROL_MAXUSER;
}

static int
control_maxops(const struct client *c)
{
	const struct conf_policy	*p = client_policy(c);

	return p != NULL && p->max_ops > 0 ? p->max_ops : CONTROL_MAXUSER;
}

/* Requests in flight for uid, over all its connections. */
static int
control_user_ops(uid_t uid)
{
	struct client	*c;
	int		 n = 0;

	TAILQ_FOREACH(c, &clients, entry)
		if (c->uid == uid)
			n += c->pending;
	return n;
}

static int
control_user_count(uid_t uid)
{
	struct client	*c;
	int		 n = 0;

	TAILQ_FOREACH(c, &clients, entry)
		if (c->uid == uid)
			n++;
	return n;
}

static void
control_resume(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	event_add(control_ev, NULL);
}

/* Out of fds: stop accepting for a second instead of spinning. */
static void
control_backoff(void)
{
	struct timeval	tv = { 1, 0 };

	event_del(control_ev);
	evtimer_add(control_pause, &tv);
}

static int
control_identify(struct client *c, int fd)
{
	struct ucred			 cred;
	socklen_t			 len = sizeof(cred);
	gid_t				 groups[NGROUPS_MAX];
	socklen_t			 glen = sizeof(groups);
	const struct conf_policy	*pol;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return -1;
	c->uid = cred.uid;
	c->gid = cred.gid;
	c->pid = cred.pid;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == -1)
		glen = 0;
	c->ngroups = glen / sizeof(gid_t);
	if (c->ngroups > (int)nitems(c->groups))
		c->ngroups = nitems(c->groups);
	memcpy(c->groups, groups, c->ngroups * sizeof(gid_t));
	pol = client_policy(c);
	if (pol != NULL && pol->deny && c->uid != 0) {
		errno = EACCES;
		return -1;
	}
	c->admin = c->uid == 0 || (pol != NULL && pol->admin);
	return 0;
}

/* One answer to a refused connection, so its user learns why. */
static void
control_refuse(int fd, const char *why)
{
	struct imsgbuf		ib;
	struct msg_result	res;

	if (imsgbuf_init(&ib, fd) == -1)
		return;
	memset(&res, 0, sizeof(res));
	res.err = EACCES;
	res.status = 125;
	strlcpy(res.msg, why, sizeof(res.msg));
	if (imsg_compose(&ib, MSG_CTL_DONE, 0, 0, -1, &res, sizeof(res)) == 0)
		(void)imsgbuf_write(&ib);	/* never block on it */
	imsgbuf_clear(&ib);
}

static void
control_accept(int lfd, short ev, void *arg)
{
	struct client	*c;
	int		 fd, i;

	(void)ev;
	(void)arg;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		if (errno == EMFILE || errno == ENFILE)
			control_backoff();
		else if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("control: accept");
		return;
	}
	if (control_nclients >= CONTROL_MAXCONN ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	if (control_identify(c, fd) == -1 || (!c->admin &&
	    control_user_count(c->uid) >= control_maxconn(c))) {
		strlcpy(c->verb, "connect", sizeof(c->verb));
		audit(c, errno == EACCES ? EACCES : EUSERS, errno == EACCES ?
		    "blocked by policy" : "too many connections");
		control_refuse(fd, errno == EACCES ? "blocked by celld's "
		    "policy" : "too many connections");
		close(fd);
		free(c);
		return;
	}
	c->id = control_nextid++;
	c->stdio[0] = c->stdio[1] = c->stdio[2] = -1;
	for (i = 0; i < SPEC_MAXVOLS; i++)
		c->vols[i] = -1;
	if (imsgev_init(&c->iev, env->base, fd, control_dispatch, c) == -1 ||
	    (c->idle = evtimer_new(env->base, control_idle, c)) == NULL) {
		close(fd);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&clients, c, entry);
	control_nclients++;
	control_touch(c);
	imsgev_add(&c->iev);
}

static void
control_version(struct client *c)
{
	struct msg_kv	kv;

	memset(&kv, 0, sizeof(kv));
	strlcpy(kv.key, "version", sizeof(kv.key));
	strlcpy(kv.val, CELLD_VERSION, sizeof(kv.val));
	control_reply(c, MSG_CTL_KV, &kv, sizeof(kv));
	control_done(c, 0, 0, NULL);
}

static void
control_kv(struct client *c, const char *k, const char *fmt, long long v)
{
	struct msg_kv	kv;

	memset(&kv, 0, sizeof(kv));
	strlcpy(kv.key, k, sizeof(kv.key));
	snprintf(kv.val, sizeof(kv.val), fmt, v);
	control_reply(c, MSG_CTL_KV, &kv, sizeof(kv));
}

static void
control_info(struct client *c)
{
	struct msg_kv	kv;
	int		h, up = 0;

	control_kv(c, "version", CELLD_VERSION "%.0lld", 0);
	control_kv(c, "pid", "%lld", getpid());
	control_kv(c, "uptime", "%llds", time(NULL) - env->started);
	control_kv(c, "clients", "%lld", control_nclients);
	for (h = 0; h < HELPER_MAX; h++)
		up += helpers_up(h);
	control_kv(c, "helpers", "%lld/3 up", up);
	control_kv(c, "your uid", "%lld", c->uid);
	control_kv(c, "admin", c->admin ? "yes%.0lld" : "no%.0lld", 0);
	memset(&kv, 0, sizeof(kv));
	strlcpy(kv.key, "storage", sizeof(kv.key));
	strlcpy(kv.val, env->conf.storage, sizeof(kv.val));
	control_reply(c, MSG_CTL_KV, &kv, sizeof(kv));
	control_done(c, 0, 0, NULL);
}

/* Gate, then switch, then handler. */
static void
control_msg(struct client *c, struct imsg *imsg)
{
	audit_context(c, imsg);
	if (msg_check(imsg, PROC_CLIENT) == -1) {
		control_done(c, errno, 0, errno == ENOSYS ?
		    "unknown request" : "malformed request");
		return;
	}
	if (c->pending >= CONTROL_MAXPENDING ||
	    (!c->admin && control_user_ops(c->uid) >= control_maxops(c))) {
		control_done(c, EBUSY, 0, "too many requests in flight");
		return;
	}
	switch (imsg_get_type(imsg)) {
	case MSG_CTL_PING:
		request_ping(c);
		break;
	case MSG_CTL_VERSION:
		control_version(c);
		break;
	case MSG_CTL_INFO:
		control_info(c);
		break;
	case MSG_CTL_CREATE:
		ctl_create(c, imsg);
		break;
	case MSG_CTL_STDIO:
		ctl_stdio(c, imsg);
		break;
	case MSG_CTL_START:
		ctl_start(c, imsg);
		break;
	case MSG_CTL_KILL:
		ctl_kill(c, imsg);
		break;
	case MSG_CTL_RM:
		ctl_rm(c, imsg);
		break;
	case MSG_CTL_WAIT:
		ctl_wait(c, imsg);
		break;
	case MSG_CTL_PS:
		ctl_ps(c, imsg);
		break;
	case MSG_CTL_LOGS:
		ctl_logs(c, imsg);
		break;
	case MSG_CTL_INSPECT:
		ctl_inspect(c, imsg);
		break;
	case MSG_CTL_RENAME:
		ctl_rename(c, imsg);
		break;
	case MSG_CTL_PAUSE:
		ctl_pause(c, imsg);
		break;
	case MSG_CTL_STATS:
		ctl_stats(c, imsg);
		break;
	case MSG_CTL_UPDATE:
		ctl_update(c, imsg);
		break;
	case MSG_CTL_TOP:
		ctl_top(c, imsg);
		break;
	case MSG_CTL_EXEC:
		ctl_exec(c, imsg);
		break;
	case MSG_CTL_RESIZE:
		ctl_resize(c, imsg);
		break;
	case MSG_CTL_VOLUME:
		ctl_volume(c, imsg);
		break;
	case MSG_CTL_SECCOMP:
		ctl_seccomp(c, imsg);
		break;
	case MSG_CTL_IMAGE_LOAD:
		ctl_image_load(c, imsg);
		break;
	case MSG_CTL_IMAGE_LS:
		ctl_image_ls(c, imsg);
		break;
	case MSG_CTL_IMAGE_RM:
		ctl_image_rm(c, imsg);
		break;
	case MSG_CTL_IMAGE_INSPECT:
		ctl_image_inspect(c, imsg);
		break;
	case MSG_CTL_IMAGE_TAG:
		ctl_image_tag(c, imsg);
		break;
	case MSG_CTL_IMAGE_PRUNE:
		ctl_image_prune(c, imsg);
		break;
	case MSG_CTL_IMAGE_SAVE:
		ctl_image_save(c, imsg);
		break;
	case MSG_CTL_NETWORK:
		ctl_network(c, imsg);
		break;
	default:
		fatalx("control: unhandled %s", msg_name(imsg_get_type(imsg)));
	}
}

static void
control_dispatch(int fd, short ev, void *arg)
{
	struct client	*c = arg;
	struct imsg	 imsg;
	ssize_t		 n;

	(void)fd;
	if (imsgev_io(&c->iev, ev) == -1) {
		control_close(c);
		return;
	}
	control_touch(c);
	while ((n = imsg_get(&c->iev.ibuf, &imsg)) > 0) {
		control_msg(c, &imsg);
		imsg_free(&imsg);
	}
	if (n == -1) {
		log_debug("control: client %u (uid %u): bad frame, dropped",
		    c->id, c->uid);
		control_close(c);
		return;
	}
	/* a client that doesn't read its replies can't make us buffer */
	if (imsgbuf_queuelen(&c->iev.ibuf) > IMSG_MAX_WQ / 2) {
		control_close(c);
		return;
	}
	imsgev_add(&c->iev);
}

void
control_init(int fd)
{
	control_ev = event_new(env->base, fd, EV_READ | EV_PERSIST,
	    control_accept, NULL);
	control_pause = evtimer_new(env->base, control_resume, NULL);
	if (control_ev == NULL || control_pause == NULL ||
	    event_add(control_ev, NULL) == -1)
		fatalx("control: event");
}

void
control_shutdown(void)
{
	struct client	*c;

	if (control_ev != NULL)
		event_del(control_ev);
	while ((c = TAILQ_FIRST(&clients)) != NULL)
		control_close(c);
}
