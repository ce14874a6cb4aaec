/*
 * netrun.c: a container's network over its life.
 *
 *   create   network_spec(): which network, may this user use it, ports
 *   start    network_check(): the lease (ipam), no port taken
 *            network_attach(): C's netns fd to net-helper, which makes
 *            the veth pair with eth0 born inside C; in parallel with
 *            fs-helper's rootfs.  Then C's address to spawn-helper (C
 *            sets it before exec, spawn-helper/netcfg.c) and the ports
 *   exit     network_detach(): ports and veth go
 *   rm       network_release(): the lease goes back
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "parent.h"
#include "network.h"

static const char *
port_name(const struct cell_port *p, char *buf, size_t len)
{
	snprintf(buf, len, "%u/%s", p->hport, p->proto == 17 ? "udp" :
	    "tcp");
	return buf;
}

const char *
network_spec(struct client *cl, struct cell_spec *s, int *err)
{
	static char			 why[CELL_MSGLEN];
	const struct conf_policy	*p = client_policy(cl);
	struct network			*n;
	char				 pn[16];
	uint32_t			 i;

	*err = EINVAL;
	if (s->flags & SPEC_NONET)
		return s->ip != 0 ? "--ip needs a network" : NULL;
	if (s->network[0] == '\0')
		strlcpy(s->network, env->conf.default_net, sizeof(s->network));
	if ((n = network_find(s->network)) == NULL) {
		*err = ENOENT;
		snprintf(why, sizeof(why), "network %s not found", s->network);
		return why;
	}
	if (!network_may_use(cl, n)) {
		*err = EPERM;
		snprintf(why, sizeof(why), "network %s belongs to another "
		    "user", s->network);
		return why;
	}
	if (s->ip != 0 && !ipam_contains(&n->ipam, s->ip))
		return "--ip: not an address of the network's subnet";
	if (s->nports > 0 && (n->br.flags & NETF_INTERNAL))
		return "-p: an internal network publishes no ports";
	for (i = 0; i < s->nports; i++) {
		if (s->ports[i].hport < 1024 && !cl->admin &&
		    (p == NULL || !(p->allow & POL_ALLOW_LOWPORTS))) {
			*err = EPERM;
			snprintf(why, sizeof(why), "-p %s: ports below 1024 "
			    "are not allowed by policy",
			    port_name(&s->ports[i], pn, sizeof(pn)));
			return why;
		}
	}
	return NULL;
}

static int
ports_clash(const struct cell_port *a, const struct cell_port *b)
{
	return a->hport == b->hport && a->proto == b->proto &&
	    (a->hostip == 0 || b->hostip == 0 || a->hostip == b->hostip);
}

/* who else publishes one of c's ports: a running or starting container */
static const struct cell *
network_port_owner(const struct cell *c, const struct cell_port **pp)
{
	struct cell		*o;
	uint32_t		 i, j;

	RB_FOREACH(o, cells, &cells) {
		if (o == c || (o->state != CELL_RUNNING &&
		    o->state != CELL_STARTING))
			continue;
		for (i = 0; i < c->spec.nports; i++)
			for (j = 0; j < o->spec.nports; j++)
				if (ports_clash(&c->spec.ports[i],
				    &o->spec.ports[j])) {
					*pp = &c->spec.ports[i];
					return o;
				}
	}
	return NULL;
}

#define PORT_RANDLO	32768		/* Linux's and Docker's ephemeral */
#define PORT_RANDHI	60999		/* range */

/* is p's host port published by a running or starting container, or c? */
static int
port_taken(const struct cell *c, const struct cell_port *p)
{
	struct cell	*o;
	uint32_t	 j;

	RB_FOREACH(o, cells, &cells) {
		if (o != c && o->state != CELL_RUNNING &&
		    o->state != CELL_STARTING)
			continue;
		for (j = 0; j < o->spec.nports; j++)
			if (&o->spec.ports[j] != p &&
			    o->spec.ports[j].hport == p->hport &&
			    o->spec.ports[j].proto == p->proto)
				return 1;
	}
	return 0;
}

/*
 * -P and -p PORT: a fresh host port at each start, from a cursor that
 * goes round the range, so a port just let go isn't handed out again
 * at once.  -1 when the range is full.
 */
static int
network_pick_ports(struct cell *c)
{
	static uint32_t	 next;
	uint32_t	 i, k, span = PORT_RANDHI - PORT_RANDLO + 1;
	struct cell_port *p;

	for (i = 0; i < c->spec.nports; i++)
		if (c->spec.portsrand & (1U << i))
			c->spec.ports[i].hport = 0;
	for (i = 0; i < c->spec.nports; i++) {
		p = &c->spec.ports[i];
		if (!(c->spec.portsrand & (1U << i)))
			continue;
		for (k = 0; k < span; k++) {
			p->hport = PORT_RANDLO + (next++ % span);
			if (!port_taken(c, p))
				break;
		}
		if (k == span)
			return -1;
	}
	return 0;
}

/* before the start: a lease, and no port taken.  NULL or why not. */
const char *
network_check(struct cell *c)
{
	static char		 why[CELL_MSGLEN];
	struct network		*n;
	const struct cell	*o;
	const struct cell_port	*p;
	uint32_t		 addr;
	char			 pn[16];

	if (c->spec.flags & SPEC_NONET)
		return NULL;
	if ((n = network_find(c->spec.network)) == NULL) {
		snprintf(why, sizeof(why), "network %s not found",
		    c->spec.network);
		return why;
	}
	if (network_pick_ports(c) == -1)
		return "-P: no free host port left";
	if ((o = network_port_owner(c, &p)) != NULL) {
		snprintf(why, sizeof(why), "-p %s: port already published by "
		    "%s", port_name(p, pn, sizeof(pn)), o->name[0] ? o->name :
		    o->id);
		return why;
	}
	if (ipam_alloc(&n->ipam, c->id, c->spec.ip, &addr) == -1) {
		snprintf(why, sizeof(why), "network %s: %s", n->name,
		    errno == EEXIST ? "address already in use" :
		    errno == ENOSPC ? "no free address" : "bad address");
		return why;
	}
	if (network_save_leases(n) == -1) {
		ipam_release(&n->ipam, c->id);
		return "network: cannot save the leases";
	}
	return NULL;
}

static void
network_veth_msg(const struct cell *c, const struct network *n,
    struct msg_net_veth *v)
{
	memset(v, 0, sizeof(*v));
	strlcpy(v->id, c->id, sizeof(v->id));
	strlcpy(v->bridge, n->br.name, sizeof(v->bridge));
	snprintf(v->host, sizeof(v->host), NET_VETHPFX "%.12s", c->id);
	v->mtu = n->br.mtu;
}

/* C's netns fd goes to net-helper: make the veth pair (reply: MSG_RESULT) */
int
network_attach(struct cell *c, uint32_t reqid, int nsfd)
{
	struct network		*n = network_find(c->spec.network);
	struct msg_net_veth	 v;

	if (n == NULL) {
		close(nsfd);
		errno = ENOENT;
		return -1;
	}
	network_veth_msg(c, n, &v);
	return helpers_send(HELPER_NET, MSG_NET_VETH, reqid, nsfd, &v,
	    sizeof(v));
}

static void
network_ports(const struct cell *c, const struct network *n,
    const struct ipam_lease *l, uint32_t type)
{
	struct msg_net_port	mp;
	uint32_t		i;

	for (i = 0; i < c->spec.nports; i++) {
		memset(&mp, 0, sizeof(mp));
		strlcpy(mp.id, c->id, sizeof(mp.id));
		strlcpy(mp.bridge, n->br.name, sizeof(mp.bridge));
		mp.hostip = c->spec.ports[i].hostip;
		mp.addr = l->addr;
		mp.hport = c->spec.ports[i].hport;
		mp.cport = c->spec.ports[i].cport;
		mp.proto = c->spec.ports[i].proto;
		helpers_send(HELPER_NET, type, 0, -1, &mp, sizeof(mp));
	}
}

/* the veth is there: C's address to spawn-helper, ports to net-helper */
int
network_attached(struct cell *c)
{
	struct network		*n = network_find(c->spec.network);
	const struct ipam_lease	*l;
	struct msg_net_cfg	 nc;

	if (n == NULL || (l = ipam_find(&n->ipam, c->id)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	memset(&nc, 0, sizeof(nc));
	strlcpy(nc.id, c->id, sizeof(nc.id));
	nc.addr = l->addr;
	nc.prefix = n->br.prefix;
	nc.gateway = n->br.gateway;
	nc.mtu = n->br.mtu;
	network_ports(c, n, l, MSG_NET_PORT);
	return helpers_send(HELPER_SPAWN, MSG_SPAWN_NETCFG, 0, -1, &nc,
	    sizeof(nc));
}

/*
 * c stopped, or never started: its ports go, not its lease.  The veth
 * pair dies with C's net namespace; only a failed start (veth) removes
 * it at once, in case C's namespace lives on a moment.
 */
void
network_detach(struct cell *c, int veth)
{
	struct network		*n;
	const struct ipam_lease	*l;
	struct msg_net_veth	 v;

	if ((c->spec.flags & SPEC_NONET) ||
	    (n = network_find(c->spec.network)) == NULL ||
	    (l = ipam_find(&n->ipam, c->id)) == NULL)
		return;
	network_ports(c, n, l, MSG_NET_PORT_DEL);
	if (!veth)
		return;
	network_veth_msg(c, n, &v);
	helpers_send(HELPER_NET, MSG_NET_VETH_DEL, 0, -1, &v, sizeof(v));
}

/* c is removed: its address may go to another */
void
network_release(struct cell *c)
{
	struct network	*n;

	if ((c->spec.flags & SPEC_NONET) ||
	    (n = network_find(c->spec.network)) == NULL ||
	    ipam_release(&n->ipam, c->id) == -1)
		return;
	if (network_save_leases(n) == -1)
		log_warn("%s: save leases", n->name);
}

/*
 * net-helper is up, first or after a restart: it knows nothing, so it is
 * told every network and every running container's ports again.  Its
 * operations are idempotent; veths live in the kernel, not in its list.
 */
void
network_replay(void)
{
	struct network		*n;
	struct cell		*c;
	const struct ipam_lease	*l;

	TAILQ_FOREACH(n, &networks, entry)
		helpers_send(HELPER_NET, MSG_NET_BRIDGE, 0, -1, &n->br,
		    sizeof(n->br));
	RB_FOREACH(c, cells, &cells) {
		if (c->state != CELL_RUNNING || (c->spec.flags & SPEC_NONET) ||
		    (n = network_find(c->spec.network)) == NULL ||
		    (l = ipam_find(&n->ipam, c->id)) == NULL)
			continue;
		network_ports(c, n, l, MSG_NET_PORT);
	}
}

/*
 * A clean shutdown with no container running removes what celld made:
 * each bridge, and with the last network the nft table.  With containers
 * running everything stays, for the next celld to adopt.  celld exits
 * once net-helper has answered each removal (or the request times out):
 * done is called then.  Returns 0 if there is nothing to wait for.
 */
static void	(*shutdown_done)(void);
static int	  shutdown_left;

static void
network_shutdown_now(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	shutdown_done();
}

static void
network_shutdown_reply(struct request *r, int h, struct imsg *imsg)
{
	struct timeval	now = { 0, 0 };

	(void)h;
	if (imsg != NULL && imsg_get_type(imsg) == MSG_RESULT)
		request_log_result(HELPER_NET, imsg);
	request_done(r, 0, 0, NULL);
	/* not from inside the helper's dispatch loop: from the event loop */
	if (--shutdown_left == 0 && event_base_once(env->base, -1,
	    EV_TIMEOUT, network_shutdown_now, NULL, &now) == -1)
		shutdown_done();
}

int
network_shutdown(void (*done)(void))
{
	static struct client	 nobody;
	struct network		*n;
	struct cell		*c;
	struct request		*r;

	RB_FOREACH(c, cells, &cells)
		if (c->state == CELL_RUNNING || c->state == CELL_STARTING)
			return 0;
	shutdown_done = done;
	TAILQ_FOREACH(n, &networks, entry) {
		if ((r = request_new(&nobody, MSG_NET_BRIDGE_DEL)) == NULL)
			break;
		r->client = 0;
		r->cb = network_shutdown_reply;
		r->waitmask = 1u << HELPER_NET;
		if (helpers_send(HELPER_NET, MSG_NET_BRIDGE_DEL, r->id, -1,
		    &n->br, sizeof(n->br)) == -1) {
			request_done(r, 0, 0, NULL);
			break;
		}
		shutdown_left++;
	}
	log_debug("networks: removing %d bridges", shutdown_left);
	return shutdown_left;
}

/* inspect's NetworkSettings, Docker's names */
json_t *
network_inspect(const struct cell *c)
{
	struct network		*n;
	const struct ipam_lease	*l = NULL;
	json_t			*ports = json_object(), *a;
	char			 ip[INET_ADDRSTRLEN] = "", gw[INET_ADDRSTRLEN] = "";
	char			 key[16], hip[INET_ADDRSTRLEN], hp[8];
	uint32_t		 i;

	if ((n = network_find(c->spec.network)) != NULL &&
	    (c->spec.flags & SPEC_NONET) == 0) {
		if ((l = ipam_find(&n->ipam, c->id)) != NULL)
			inet_ntop(AF_INET, &l->addr, ip, sizeof(ip));
		inet_ntop(AF_INET, &n->br.gateway, gw, sizeof(gw));
	}
	for (i = 0; i < c->spec.nports; i++) {
		snprintf(key, sizeof(key), "%u/%s", c->spec.ports[i].cport,
		    c->spec.ports[i].proto == 17 ? "udp" : "tcp");
		inet_ntop(AF_INET, &c->spec.ports[i].hostip, hip, sizeof(hip));
		snprintf(hp, sizeof(hp), "%u", c->spec.ports[i].hport);
		if ((a = json_object_get(ports, key)) == NULL) {
			a = json_array();
			json_object_set_new(ports, key, a);
		}
		json_array_append_new(a, json_pack("{s:s s:s}", "HostIp", hip,
		    "HostPort", hp));
	}
	return json_pack("{s:s s:s s:s s:o}", "Network",
	    (c->spec.flags & SPEC_HOSTNET) ? "host" :
	    (c->spec.flags & SPEC_NONET) ? "none" : c->spec.network,
	    "IPAddress", ip, "Gateway", gw, "Ports", ports);
}
