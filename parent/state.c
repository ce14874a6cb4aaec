/*
 * state.c: containers on disk.  containers/<id>/config.json is written by
 * the parent (temp file, fsync, rename), containers/<id>/exit by the
 * monitor.  A crash at any point leaves the old or the new file, never a
 * torn one.  At startup the parent rebuilds its registry from them.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>
#include <jansson.h>

#include "parent.h"

static json_t *
strings_json(const char *buf, uint32_t n)
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

static int
json_strings(json_t *a, char *buf, size_t size, uint32_t *n)
{
	size_t	 off = 0, i, len;
	json_t	*v;

	*n = 0;
	memset(buf, 0, size);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) ||
		    off + (len = json_string_length(v)) + 1 > size)
			return -1;
		memcpy(buf + off, json_string_value(v), len + 1);
		off += len + 1;
		(*n)++;
	}
	return 0;
}

/* --ip6 and the ports' families: {"ip6": "A" or "", "ports": [[f, "H"]]} */
static json_t *
net_json6(const struct cell_spec *s)
{
	json_t		*p = json_array();
	char		 a[INET6_ADDRSTRLEN] = "";
	uint32_t	 i;

	for (i = 0; i < s->nports; i++) {
		inet_ntop(AF_INET6, s->ports6[i].hostip6, a, sizeof(a));
		json_array_append_new(p, json_pack("[i s]",
		    (int)s->ports6[i].family, a));
	}
	a[0] = '\0';
	if (memcmp(s->ip6, (uint8_t [16]){ 0 }, 16) != 0)
		inet_ntop(AF_INET6, s->ip6, a, sizeof(a));
	return json_pack("{s:s s:o}", "ip6", a, "ports", p);
}

/* net_json6()'s object; absent in a spec saved before IPv6 */
static int
net_load6(struct cell_spec *s, json_t *j)
{
	const char	*ip6, *h;
	json_t		*p, *v;
	size_t		 i;
	int		 f;

	if (j == NULL) {
		for (i = 0; i < s->nports; i++)
			if (s->ports[i].hostip != 0)
				s->ports6[i].family = AF_INET;
		return 0;
	}
	if (json_unpack(j, "{s:s s:o}", "ip6", &ip6, "ports", &p) == -1 ||
	    !json_is_array(p) || (ip6[0] != '\0' && inet_pton(AF_INET6, ip6,
	    s->ip6) != 1))
		return -1;
	json_array_foreach(p, i, v) {
		if (i >= s->nports || json_unpack(v, "[i s]", &f, &h) == -1 ||
		    inet_pton(AF_INET6, h, s->ports6[i].hostip6) != 1)
			return -1;
		s->ports6[i].family = f;
	}
	return 0;
}

/* the network part of a spec: {"name", "ip", "ports": [[h, hp, cp, p]]} */
static json_t *
net_json(const struct cell_spec *s)
{
	json_t		*p = json_array();
	uint32_t	 i;

	for (i = 0; i < s->nports; i++)
		json_array_append_new(p, json_pack("[I i i i]",
		    (json_int_t)s->ports[i].hostip, s->ports[i].hport,
		    s->ports[i].cport, (int)s->ports[i].proto));
	return json_pack("{s:s s:I s:o s:I s:o}", "name", s->network, "ip",
	    (json_int_t)s->ip, "ports", p, "rand", (json_int_t)s->portsrand,
	    "v6", net_json6(s));
}

/* --dns, --add-host, --expose and the labels */
static json_t *
extras_json(const struct cell_spec *s)
{
	json_t		*d = json_array(), *h = json_array(), *e = json_array();
	uint32_t	 i;

	for (i = 0; i < s->ndns; i++)
		json_array_append_new(d, json_integer(s->dns[i]));
	for (i = 0; i < s->nhosts; i++)
		json_array_append_new(h, json_pack("[s I]", s->hosts[i].name,
		    (json_int_t)s->hosts[i].addr));
	for (i = 0; i < s->nexpose; i++)
		json_array_append_new(e, json_pack("[i i]",
		    s->expose[i].port, s->expose[i].proto));
	return json_pack("{s:o s:o s:o s:o}", "dns", d, "hosts", h, "expose",
	    e, "labels", strings_json(s->labels, s->nlabels));
}

/* absent in state written before them: none of them */
static int
extras_load(struct cell_spec *s, json_t *j)
{
	json_t		*d = NULL, *h = NULL, *e = NULL, *l = NULL, *v;
	json_int_t	 a;
	const char	*n;
	size_t		 i;
	int		 port, proto;

	if (j == NULL)
		return 0;
	if (json_unpack(j, "{s:o s:o s:o s:o}", "dns", &d, "hosts", &h,
	    "expose", &e, "labels", &l) == -1 || json_array_size(d) >
	    SPEC_MAXDNS || json_array_size(h) > SPEC_MAXHOSTS ||
	    json_array_size(e) > SPEC_MAXEXPOSE)
		return -1;
	json_array_foreach(d, i, v)
		s->dns[s->ndns++] = (uint32_t)json_integer_value(v);
	json_array_foreach(h, i, v) {
		if (json_unpack(v, "[s I]", &n, &a) == -1)
			return -1;
		strlcpy(s->hosts[i].name, n, sizeof(s->hosts[i].name));
		s->hosts[s->nhosts++].addr = (uint32_t)a;
	}
	json_array_foreach(e, i, v) {
		if (json_unpack(v, "[i i]", &port, &proto) == -1)
			return -1;
		s->expose[i].port = port;
		s->expose[s->nexpose++].proto = proto;
	}
	return json_strings(l, s->labels, sizeof(s->labels), &s->nlabels);
}

static int
net_load(struct cell_spec *s, json_t *j)
{
	const char	*name;
	json_int_t	 ip, hip, rand = 0;
	json_t		*p, *v;
	size_t		 i;
	int		 hp, cp, pr;

	if (j == NULL) {
		/* saved before networks: celld forced --network none then */
		s->flags |= SPEC_NONET;
		return 0;
	}
	if (json_unpack(j, "{s:s s:I s:o s?I}", "name", &name, "ip", &ip,
	    "ports", &p, "rand", &rand) == -1 || !json_is_array(p))
		return -1;
	s->portsrand = (uint32_t)rand;
	strlcpy(s->network, name, sizeof(s->network));
	s->ip = (uint32_t)ip;
	json_array_foreach(p, i, v) {
		if (i >= SPEC_MAXPORTS || json_unpack(v, "[I i i i]", &hip,
		    &hp, &cp, &pr) == -1)
			return -1;
		s->ports[i].hostip = (uint32_t)hip;
		s->ports[i].hport = hp;
		s->ports[i].cport = cp;
		s->ports[i].proto = pr;
		s->nports = i + 1;
	}
	return net_load6(s, json_object_get(j, "v6"));
}

/* the container's networks, in connect order: [{"name", "ip", "if",
 * "gw", "gw6"}], gw (gw6) true on the one that holds the IPv4 (IPv6)
 * default route (netgw.c) */
static json_t *
nets_json(const struct cell *c)
{
	json_t		*a = json_array();
	uint32_t	 i;

	for (i = 0; i < c->nnets; i++)
		json_array_append_new(a, json_pack("{s:s s:I s:i s:b s:b}",
		    "name", c->nets[i].name, "ip", (json_int_t)c->nets[i].ip,
		    "if", c->nets[i].ifnum, "gw", (c->nets[i].gw & CELL_GW4) !=
		    0, "gw6", (c->nets[i].gw & CELL_GW6) != 0));
	return a;
}

/* absent in files saved before network connect: the create's network;
 * "gw" absent in files saved before it: the first that may hold it;
 * "gw6" absent: where "gw" is (one holder for both, before) */
static int
nets_load(struct cell *c, json_t *a)
{
	const char	*name;
	json_int_t	 ip;
	json_t		*v;
	size_t		 i;
	int		 ifnum, gw, gw6;

	if (a == NULL) {
		network_cell_init(c);
		return 0;
	}
	if (!json_is_array(a) || json_array_size(a) > NET_MAXIFS)
		return -1;
	json_array_foreach(a, i, v) {
		gw = 0;
		gw6 = -1;
		if (json_unpack(v, "{s:s s:I s:i s?b s?b}", "name", &name,
		    "ip", &ip, "if", &ifnum, "gw", &gw, "gw6", &gw6) == -1 ||
		    !msg_name_ok(name, strlen(name) + 1) || ifnum < 0 ||
		    ifnum >= NET_MAXIFS)
			return -1;
		strlcpy(c->nets[i].name, name, sizeof(c->nets[i].name));
		c->nets[i].ip = (uint32_t)ip;
		c->nets[i].ifnum = ifnum;
		c->nets[i].gw = (gw ? CELL_GW4 : 0) |
		    ((gw6 == -1 ? gw : gw6) ? CELL_GW6 : 0);
		c->nnets = i + 1;
	}
	network_gw_fix(c, 0);
	return 0;
}

static json_t *
spec_json(const struct cell_spec *s)
{
	json_t	*t = json_array(), *v = json_array(), *j;
	uint32_t i;

	for (i = 0; i < s->ntmpfs; i++)
		json_array_append_new(t, json_string(s->tmpfs[i]));
	for (i = 0; i < s->nvols; i++)
		json_array_append_new(v, json_pack("{s:s s:b}", "dst",
		    s->vols[i].dst, "ro", s->vols[i].ro));
	j = json_pack("{s:o s:i s:o s:o s:s s:s s:s s:s s:s s:i s:I s:I "
	    "s:I s:I s:o s:o s:o}", "extras", extras_json(s), "stopsig",
	    (int)s->stopsig, "net", net_json(s), "volumes", v, "image",
	    s->image, "hostname", s->hostname, "user",
	    s->user, "workdir", s->workdir, "entrypoint", s->entrypoint,
	    "flags", (int)s->flags, "memory", (json_int_t)s->memory, "cpus",
	    (json_int_t)s->cpus_milli, "pids", (json_int_t)s->pids, "caps",
	    (json_int_t)s->caps, "args", strings_json(s->args, s->argc),
	    "env", strings_json(s->env, s->envc), "tmpfs", t);
	/* "disk" is absent in the state of containers made before it */
	if (j != NULL && s->disk != 0)
		json_object_set_new(j, "disk", json_integer(s->disk));
	/* "userns": the id keying a shared id range, absent if none */
	if (j != NULL && s->userns[0] != '\0')
		json_object_set_new(j, "userns", json_string(s->userns));
	return j;
}

int
state_atomic_write(const char *dir, const char *name, const char *data)
{
	char	tmp[PATH_MAX], path[PATH_MAX];
	int	fd;
	size_t	len = strlen(data);

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1)
		return -1;
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) == -1) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	return rename(tmp, path);
}

int
state_save(const struct cell *c)
{
	char		 dir[PATH_MAX], *s;
	json_t		*j, *l = json_array();
	json_error_t	 je;
	uint32_t i;
	int	 r;

	snprintf(dir, sizeof(dir), "%s/containers/%s", env->conf.storage,
	    c->id);
	/* 0700 until fs-helper opens it to the container's root group */
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -1;
	for (i = 0; i < c->nlayers; i++)
		json_array_append_new(l, json_string(c->layers[i]));
	j = json_pack_ex(&je, 0,
	    "{s:s s:s s:i s:o s:o s:i s:s s:i s:i s:I s:I s:I s:o}",
	    "id", c->id, "name", c->name, "owner", (int)c->owner, "layers", l,
	    "spec", spec_json(&c->spec), "slot", c->slot, "state",
	    cell_state_name(c), "pid", c->pid, "exit_status", c->exit_status,
	    "created", (json_int_t)c->created, "started",
	    (json_int_t)c->started, "finished", (json_int_t)c->finished,
	    "networks", nets_json(c));
	if (j == NULL)
		log_warnx("%.12s: state: %s", c->id, je.text);
	if (j == NULL || (s = json_dumps(j, JSON_COMPACT)) == NULL) {
		json_decref(j);
		errno = ENOMEM;
		return -1;
	}
	r = state_atomic_write(dir, "config.json", s);
	free(s);
	json_decref(j);
	return r;
}

static int
spec_load(struct cell_spec *s, json_t *j)
{
	const char	*img = "", *host = "", *user = "", *wd = "", *ep = "";
	json_int_t	 mem = 0, cpus = 0, pids = 0, caps = 0;
	int		 flags = 0, stopsig = 0;
	json_t		*args = NULL, *envs = NULL, *t = NULL, *v, *vols;
	json_t		*net = NULL, *extras = NULL;
	json_int_t	 disk = 0;
	size_t		 i;
	const char	*dst, *userns = "";
	int		 ro;

	if (json_unpack(j, "{s?o s?i s?o s?I s?s}", "net", &net, "stopsig",
	    &stopsig, "extras", &extras, "disk", &disk, "userns",
	    &userns) == -1 ||
	    net_load(s, net) == -1 || extras_load(s, extras) == -1 ||
	    stopsig < 0 || stopsig > 64)
		return -1;
	s->stopsig = stopsig;
	s->disk = disk;
	strlcpy(s->userns, userns, sizeof(s->userns));
	if (json_unpack(j, "{s:o s:s s:s s:s s:s s:s s:i s:I s:I s:I s:I s:o "
	    "s:o s:o}", "volumes", &vols, "image", &img, "hostname", &host, "user", &user,
	    "workdir", &wd, "entrypoint", &ep, "flags", &flags, "memory",
	    &mem, "cpus", &cpus, "pids", &pids, "caps", &caps, "args", &args,
	    "env", &envs, "tmpfs", &t) == -1)
		return -1;
	strlcpy(s->image, img, sizeof(s->image));
	strlcpy(s->hostname, host, sizeof(s->hostname));
	strlcpy(s->user, user, sizeof(s->user));
	strlcpy(s->workdir, wd, sizeof(s->workdir));
	strlcpy(s->entrypoint, ep, sizeof(s->entrypoint));
	s->flags = flags;
	s->memory = mem;
	s->cpus_milli = cpus;
	s->pids = pids;
	s->caps = caps;
	json_array_foreach(t, i, v) {
		if (i >= SPEC_MAXTMPFS || !json_is_string(v))
			return -1;
		strlcpy(s->tmpfs[i], json_string_value(v), sizeof(s->tmpfs[i]));
		s->ntmpfs = i + 1;
	}
	json_array_foreach(vols, i, v) {
		if (i >= SPEC_MAXVOLS || json_unpack(v, "{s:s s:b}", "dst",
		    &dst, "ro", &ro) == -1)
			return -1;
		strlcpy(s->vols[i].dst, dst, sizeof(s->vols[i].dst));
		s->vols[i].ro = ro;
		s->nvols = i + 1;
	}
	if (json_strings(args, s->args, sizeof(s->args), &s->argc) == -1 ||
	    json_strings(envs, s->env, sizeof(s->env), &s->envc) == -1)
		return -1;
	return msg_spec_ok(s) ? 0 : -1;
}

static struct cell *
state_load(const char *id)
{
	char		 path[PATH_MAX];
	const char	*name, *state;
	json_error_t	 je;
	json_t		*j, *spec, *layers, *v, *nets = NULL;
	json_int_t	 cr, st, fi;
	int		 owner, slot, pid, status;
	struct cell	*c = NULL;
	size_t		 i;

	snprintf(path, sizeof(path), "%s/containers/%s/config.json",
	    env->conf.storage, id);
	if ((j = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return NULL;
	if (json_unpack(j, "{s:s s:i s:o s:o s:i s:s s:i s:i s:I s:I s:I}",
	    "name", &name, "owner", &owner, "layers", &layers, "spec", &spec,
	    "slot", &slot, "state", &state, "pid", &pid, "exit_status",
	    &status, "created", &cr, "started", &st, "finished", &fi) == -1 ||
	    (c = calloc(1, sizeof(*c))) == NULL)
		goto fail;
	strlcpy(c->id, id, sizeof(c->id));
	strlcpy(c->name, name, sizeof(c->name));
	c->owner = owner;
	c->slot = -1;
	c->pid = pid;
	c->exit_status = status;
	for (i = 0; i < SPEC_MAXVOLS; i++)
		c->vols[i] = -1;
	c->created = cr;
	c->started = st;
	c->finished = fi;
	TAILQ_INIT(&c->waiters);
	json_array_foreach(layers, i, v) {
		if (i >= FS_MAXLAYERS || !json_is_string(v))
			goto fail;
		strlcpy(c->layers[i], json_string_value(v), sizeof(c->layers[i]));
		c->nlayers = i + 1;
	}
	if (spec_load(&c->spec, spec) == -1 || !msg_name_ok(c->name,
	    sizeof(c->name)) || json_unpack(j, "{s?o}", "networks",
	    &nets) == -1 || nets_load(c, nets) == -1)
		goto fail;
	c->state = CELL_EXITED;
	if (strcmp(state, "created") == 0)
		c->state = CELL_CREATED;
	else if ((strcmp(state, "running") == 0 ||
	    strcmp(state, "starting") == 0) && cell_slot_claim(c, slot) == 0)
		c->state = CELL_RUNNING;	/* until the monitor says */
	json_decref(j);
	return c;
fail:
	log_warnx("%.12s: unreadable state, skipped", id);
	free(c);
	json_decref(j);
	return NULL;
}

/* Rebuild the registry; running containers are re-adopted by monitor. */
int
state_load_all(void)
{
	char		 path[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	struct cell	*c;
	int		 n = 0;

	snprintf(path, sizeof(path), "%s/containers", env->conf.storage);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (!msg_id_ok(de->d_name, strlen(de->d_name) + 1) ||
		    (c = state_load(de->d_name)) == NULL)
			continue;
		RB_INSERT(cells, &cells, c);
		n++;
		if (c->state == CELL_RUNNING)
			monconn_open(c);
	}
	closedir(d);
	log_info("%d containers in the store", n);
	return n;
}

/* The monitor's record of an exit: {"exit_status":N,"finished":T}. */
int
state_read_exit(struct cell *c)
{
	char		 path[PATH_MAX];
	json_error_t	 je;
	json_t		*j;
	json_int_t	 fin = 0;
	int		 status;

	snprintf(path, sizeof(path), "%s/containers/%s/exit",
	    env->conf.storage, c->id);
	if ((j = json_load_file(path, 0, &je)) == NULL)
		return -1;
	if (json_unpack(j, "{s:i s?I}", "exit_status", &status, "finished",
	    &fin) == -1) {
		json_decref(j);
		return -1;
	}
	c->exit_status = status;
	c->finished = fin;
	json_decref(j);
	return 0;
}

/* The parent's files of a container: config, logs, the exit record. */
int
state_remove(const struct cell *c)
{
	const char	*files[] = { "config.json", "log", "log.1", "exit",
	    ".config.json.tmp", "exit.tmp", "hostname", "hosts",
	    "resolv.conf" };	/* the last three: netfiles.c */
	char		 path[PATH_MAX];
	size_t		 i;

	for (i = 0; i < nitems(files); i++) {
		snprintf(path, sizeof(path), "%s/containers/%s/%s",
		    env->conf.storage, c->id, files[i]);
		if (unlink(path) == -1 && errno != ENOENT)
			log_warn("%s", path);
	}
	snprintf(path, sizeof(path), "%s/containers/%s", env->conf.storage,
	    c->id);
	return rmdir(path);
}

/* Before a start: an old exit record must not describe the new run. */
int
state_clear_exit(const struct cell *c)
{
	char	path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/containers/%s/exit",
	    env->conf.storage, c->id);
	if (unlink(path) == -1 && errno != ENOENT)
		return -1;
	return 0;
}
