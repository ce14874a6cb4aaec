/*
 * ctl_more.c: inspect, rename, pause, stats, update and top.  The ones
 * that read or change a cgroup go through spawn-helper; their replies
 * are forwarded to the client as they come.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>
#include <jansson.h>

#include "parent.h"

static struct cell *
more_target(struct client *cl, struct imsg *imsg, struct msg_ctl_target *t,
    int running)
{
	struct cell	*c;
	char		 err[CELL_MSGLEN];

	if (imsg_get_data(imsg, t, sizeof(*t)) == -1 ||
	    !msg_str_ok(t->name, sizeof(t->name))) {
		control_done(cl, EINVAL, 0, "malformed request");
		return NULL;
	}
	if ((c = cell_lookup(t->name, cl->uid, cl->admin)) == NULL) {
		snprintf(err, sizeof(err), "%s: no such container", t->name);
		control_done(cl, ENOENT, 0, err);
		return NULL;
	}
	if (running && c->state != CELL_RUNNING) {
		snprintf(err, sizeof(err), "%s: container is not running",
		    t->name);
		control_done(cl, EINVAL, 0, err);
		return NULL;
	}
	return c;
}

/* Forward spawn-helper's data to the client until every reply is in. */
static void
more_forward(struct request *r, int h, struct imsg *imsg)
{
	struct client		*cl = r->client ? control_find(r->client) : NULL;
	struct msg_stat		 st;
	struct msg_procline	 pl;
	struct msg_result	 res;
	struct cell		*c;

	(void)h;
	if (imsg == NULL) {
		request_done(r, ETIMEDOUT, 0, "spawn-helper did not answer");
		return;
	}
	switch (imsg_get_type(imsg)) {
	case MSG_SPAWN_STAT:
		if (imsg_get_data(imsg, &st, sizeof(st)) == 0 && cl != NULL &&
		    (c = cell_by_id(st.id)) != NULL) {
			strlcpy(st.name, c->name, sizeof(st.name));
			control_reply(cl, MSG_CTL_STAT, &st, sizeof(st));
		}
		if (--r->waiting > 0)
			return;
		break;
	case MSG_SPAWN_PROC:
		if (imsg_get_data(imsg, &pl, sizeof(pl)) == 0 && cl != NULL)
			control_reply(cl, MSG_CTL_PROCLINE, &pl, sizeof(pl));
		return;
	case MSG_RESULT:
		if (imsg_get_data(imsg, &res, sizeof(res)) == 0 && res.err)
			r->step = res.err;
		if (--r->waiting > 0)
			return;
		break;
	default:
		return;
	}
	request_done(r, r->step, 0, r->step ? "spawn-helper refused" : NULL);
}

static int
more_send(struct client *cl, struct cell *c, uint32_t type, const void *d,
    size_t len)
{
	struct request	*r;

	if ((r = request_new(cl, type)) == NULL)
		return -1;
	r->cb = more_forward;
	r->waiting = 1;
	r->waitmask = 1u << HELPER_SPAWN;
	strlcpy(r->cell, c->id, sizeof(r->cell));
	if (helpers_send(HELPER_SPAWN, type, r->id, -1, d, len) == -1) {
		request_free(r);
		return -1;
	}
	return 0;
}

void
ctl_pause(struct client *cl, struct imsg *imsg)
{
	struct msg_ctl_target	 t;
	struct msg_spawn_kill	 k;
	struct cell		*c;

	if ((c = more_target(cl, imsg, &t, 1)) == NULL)
		return;
	memset(&k, 0, sizeof(k));
	strlcpy(k.id, c->id, sizeof(k.id));
	k.sig = t.sig ? 1 : 0;
	if (more_send(cl, c, MSG_SPAWN_FREEZE, &k, sizeof(k)) == -1)
		control_done(cl, errno, 0, "pause");
	else
		c->paused = k.sig;
}

void
ctl_update(struct client *cl, struct imsg *imsg)
{
	struct msg_ctl_update	 u;
	struct msg_spawn_update	 su;
	static struct cell_spec	 s;
	struct cell		*c;
	const char		*why;

	if (imsg_get_data(imsg, &u, sizeof(u)) == -1 ||
	    !msg_str_ok(u.name, sizeof(u.name)) || u.memory < -1 ||
	    u.cpus_milli < -1 || u.pids < -1) {
		control_done(cl, EINVAL, 0, "update: malformed request");
		return;
	}
	if ((c = cell_lookup(u.name, cl->uid, cl->admin)) == NULL) {
		control_done(cl, ENOENT, 0, "no such container");
		return;
	}
	s = c->spec;
	if (u.memory >= 0)
		s.memory = u.memory;
	if (u.cpus_milli >= 0)
		s.cpus_milli = u.cpus_milli;
	if (u.pids >= 0)
		s.pids = u.pids;
	if ((why = ctl_forbidden(cl, &s)) != NULL) {	/* no way around */
		control_done(cl, EPERM, 0, why);
		return;
	}
	c->spec.memory = s.memory;
	c->spec.cpus_milli = s.cpus_milli;
	c->spec.pids = s.pids;
	state_save(c);
	if (c->state != CELL_RUNNING) {
		control_done(cl, 0, 0, NULL);	/* applies at next start */
		return;
	}
	memset(&su, 0, sizeof(su));
	strlcpy(su.id, c->id, sizeof(su.id));
	su.memory = c->spec.memory;
	su.cpus_milli = c->spec.cpus_milli;
	su.pids = c->spec.pids;
	if (more_send(cl, c, MSG_SPAWN_UPDATE, &su, sizeof(su)) == -1)
		control_done(cl, errno, 0, "update");
}

void
ctl_top(struct client *cl, struct imsg *imsg)
{
	struct msg_ctl_target	 t;
	struct msg_spawn_id	 id;
	struct cell		*c;

	if ((c = more_target(cl, imsg, &t, 1)) == NULL)
		return;
	memset(&id, 0, sizeof(id));
	strlcpy(id.id, c->id, sizeof(id.id));
	if (more_send(cl, c, MSG_SPAWN_TOP, &id, sizeof(id)) == -1)
		control_done(cl, errno, 0, "top");
}

void
ctl_stats(struct client *cl, struct imsg *imsg)
{
	struct msg_ctl_target	 t;
	struct msg_spawn_id	 id;
	struct request		*r;
	struct cell		*c, *one = NULL;

	if (imsg_get_data(imsg, &t, sizeof(t)) == -1 ||
	    !msg_str_ok(t.name, sizeof(t.name))) {
		control_done(cl, EINVAL, 0, "malformed request");
		return;
	}
	if (!(t.flags & CTL_ALL) &&
	    (one = more_target(cl, imsg, &t, 1)) == NULL)
		return;
	if ((r = request_new(cl, MSG_CTL_STATS)) == NULL) {
		control_done(cl, errno, 0, "stats");
		return;
	}
	r->cb = more_forward;
	r->waitmask = 1u << HELPER_SPAWN;
	RB_FOREACH(c, cells, &cells) {
		if ((one != NULL && c != one) || c->state != CELL_RUNNING ||
		    (!cl->admin && c->owner != cl->uid))
			continue;
		memset(&id, 0, sizeof(id));
		strlcpy(id.id, c->id, sizeof(id.id));
		if (helpers_send(HELPER_SPAWN, MSG_SPAWN_STATS, r->id, -1, &id,
		    sizeof(id)) == 0)
			r->waiting++;
	}
	if (r->waiting == 0) {
		control_done(cl, 0, 0, NULL);
		request_free(r);
	}
}

void
ctl_rename(struct client *cl, struct imsg *imsg)
{
	struct msg_ctl_rename	 rn;
	struct cell		*c, *o;
	char			 err[CELL_MSGLEN];

	if (imsg_get_data(imsg, &rn, sizeof(rn)) == -1 ||
	    !msg_str_ok(rn.name, sizeof(rn.name)) ||
	    !msg_name_ok(rn.newname, sizeof(rn.newname))) {
		control_done(cl, EINVAL, 0, "rename: bad name");
		return;
	}
	if ((c = cell_lookup(rn.name, cl->uid, cl->admin)) == NULL) {
		snprintf(err, sizeof(err), "%s: no such container", rn.name);
		control_done(cl, ENOENT, 0, err);
		return;
	}
	if ((o = cell_byname(rn.newname, c->owner)) != NULL) {
		snprintf(err, sizeof(err), "%s: name already in use",
		    rn.newname);
		control_done(cl, EEXIST, 0, err);
		return;
	}
	strlcpy(c->name, rn.newname, sizeof(c->name));
	state_save(c);
	control_done(cl, 0, 0, NULL);
}

static json_t *
inspect_strings(const char *buf, uint32_t n)
{
	json_t		*a = json_array();
	size_t		 off = 0;
	uint32_t	 i;

	for (i = 0; i < n; i++) {
		json_array_append_new(a, json_string(buf + off));
		off += strlen(buf + off) + 1;
	}
	return a;
}

/* Config.Labels, .ExposedPorts; HostConfig.Dns, .ExtraHosts, .PublishAll */
static json_t *
inspect_extras(const struct cell_spec *s, json_t *j)
{
	json_t		*cfg = json_object_get(j, "Config");
	json_t		*hc = json_object_get(j, "HostConfig");
	json_t		*lab = json_object(), *exp = json_object();
	json_t		*dns = json_array(), *hosts = json_array();
	char		 a[INET_ADDRSTRLEN], k[16], h[SPEC_HOSTLEN + 20];
	const char	*l = s->labels;
	uint32_t	 i;

	for (i = 0; i < s->nlabels; i++, l += strlen(l) + 1)
		json_object_set_new(lab, strndupa(l, strcspn(l, "=")),
		    json_string(strchr(l, '=') + 1));
	for (i = 0; i < s->nexpose; i++) {
		snprintf(k, sizeof(k), "%u/%s", s->expose[i].port,
		    s->expose[i].proto == IPPROTO_UDP ? "udp" : "tcp");
		json_object_set_new(exp, k, json_object());
	}
	for (i = 0; i < s->ndns; i++)
		json_array_append_new(dns, json_string(inet_ntop(AF_INET,
		    &s->dns[i], a, sizeof(a))));
	for (i = 0; i < s->nhosts; i++) {
		snprintf(h, sizeof(h), "%s:%s", s->hosts[i].name,
		    inet_ntop(AF_INET, &s->hosts[i].addr, a, sizeof(a)));
		json_array_append_new(hosts, json_string(h));
	}
	json_object_set_new(cfg, "Labels", lab);
	json_object_set_new(cfg, "ExposedPorts", exp);
	json_object_set_new(hc, "Dns", dns);
	json_object_set_new(hc, "ExtraHosts", hosts);
	json_object_set_new(hc, "PublishAllPorts",
	    json_boolean(s->flags & SPEC_PUBLISHALL));
	return j;
}

static json_t *
inspect_json(const struct cell *c)
{
	const struct cell_spec	*s = &c->spec;
	json_t			*j, *h;
	char			 size[32];

	j = json_pack("{s:s s:s s:I s:s s:i s:{s:s s:b s:b s:i s:i s:I "
	    "s:I} s:{s:s s:s s:s s:s s:o s:o} s:{s:I s:I s:I s:I s:b s:b s:b "
	    "s:b} s:o s:o}", "Id", c->id, "Name", c->name, "Created", (json_int_t)c->created,
	    "Image", s->image, "Owner", (int)c->owner,
	    "State", "Status", cell_state_name(c), "Running",
	    c->state == CELL_RUNNING, "Paused", c->paused, "Pid",
	    c->state == CELL_RUNNING ? c->pid : 0, "ExitCode", c->exit_status,
	    "StartedAt", (json_int_t)c->started, "FinishedAt",
	    (json_int_t)c->finished,
	    "Config", "Hostname", s->hostname, "User", s->user, "WorkingDir",
	    s->workdir, "Entrypoint", s->entrypoint, "Args",
	    inspect_strings(s->args, s->argc), "Env",
	    inspect_strings(s->env, s->envc),
	    "HostConfig", "Memory", (json_int_t)s->memory, "NanoCpus",
	    (json_int_t)s->cpus_milli * 1000000, "PidsLimit",
	    (json_int_t)s->pids, "CapEff", (json_int_t)s->caps, "Privileged",
	    !!(s->flags & SPEC_PRIVILEGED), "ReadonlyRootfs",
	    !!(s->flags & SPEC_READONLY), "AutoRemove",
	    !!(s->flags & SPEC_RM), "SeccompUnconfined",
	    !!(s->flags & SPEC_UNCONFINED),
	    "IdMap", c->slot >= 0 ? json_pack("{s:I s:i}", "HostBase",
	    (json_int_t)cell_uid_base(c), "Size", CELL_IDS) : json_null(),
	    "NetworkSettings", network_inspect(c));
	/* Docker's StorageOpt: {"size": "..."}, or null without one */
	if (j != NULL && (h = json_object_get(j, "HostConfig")) != NULL) {
		json_object_set_new(h, "NetworkMode", json_string(
		    (s->flags & SPEC_HOSTNET) ? "host" : (s->flags &
		    SPEC_NONET) ? "none" : s->network));
		snprintf(size, sizeof(size), "container:%.12s", s->userns);
		json_object_set_new(h, "UsernsMode", json_string(
		    s->userns[0] ? size : ""));
		snprintf(size, sizeof(size), "%lld", (long long)s->disk);
		json_object_set_new(h, "StorageOpt", s->disk == 0 ?
		    json_null() : json_pack("{s:s}", "size", size));
	}
	return j != NULL ? inspect_extras(s, j) : NULL;
}

void
ctl_inspect(struct client *cl, struct imsg *imsg)
{
	struct msg_ctl_target	 t;
	struct cell		*c;

	if ((c = more_target(cl, imsg, &t, 0)) == NULL)
		return;
	control_json_done(cl, inspect_json(c), "inspect");
}
