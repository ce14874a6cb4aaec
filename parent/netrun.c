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

/* --ip6 and the ports' v6 host addresses against n; NULL or why */
static const char *
network_spec6(const struct cell_spec *s, const struct network *n,
    char *why, size_t len)
{
	char		a[INET6_ADDRSTRLEN];
	uint32_t	i;

	if (!ipam6_zero(s->ip6) && n->br.prefix6 == 0)
		snprintf(why, len, "--ip6: network %s has no IPv6", n->name);
	else if (!ipam6_zero(s->ip6) && !ipam6_contains(&n->ipam6, s->ip6))
		snprintf(why, len, "--ip6: not an address of the network's "
		    "IPv6 subnet");
	for (i = 0; why[0] == '\0' && i < s->nports; i++)
		if (s->ports6[i].family == AF_INET6 && n->br.prefix6 == 0)
			snprintf(why, len, "-p [%s]:%u: network %s has no IPv6",
			    inet_ntop(AF_INET6, s->ports6[i].hostip6, a,
			    sizeof(a)), s->ports[i].hport, n->name);
	return why[0] != '\0' ? why : NULL;
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
	/* -p HOSTIP:... with an IPv4 HOSTIP publishes on IPv4 only */
	for (i = 0; i < s->nports; i++)
		if (s->ports[i].hostip != 0)
			s->ports6[i].family = AF_INET;
	if (s->flags & SPEC_NONET)
		return s->ip != 0 ? "--ip needs a network" :
		    !ipam6_zero(s->ip6) ? "--ip6 needs a network" : NULL;
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
	if ((why[0] = '\0', network_spec6(s, n, why, sizeof(why))) != NULL)
		return why;
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

/*
 * Ports i of a and j of b take the same host port: the same number and
 * protocol, in a family both publish on (ports6[].family 0 is both), at
 * the same host address or at every one.
 */
static int
ports_clash(const struct cell_spec *a, uint32_t i, const struct cell_spec *b,
    uint32_t j)
{
	const struct cell_port	*p = &a->ports[i], *q = &b->ports[j];
	uint32_t		 fa = a->ports6[i].family;
	uint32_t		 fb = b->ports6[j].family;

	if (p->hport != q->hport || p->proto != q->proto)
		return 0;
	if (fa != AF_INET6 && fb != AF_INET6 && (p->hostip == 0 ||
	    q->hostip == 0 || p->hostip == q->hostip))
		return 1;
	return fa != AF_INET && fb != AF_INET &&
	    (ipam6_zero(a->ports6[i].hostip6) ||
	    ipam6_zero(b->ports6[j].hostip6) || memcmp(a->ports6[i].hostip6,
	    b->ports6[j].hostip6, 16) == 0);
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
				if (ports_clash(&c->spec, i, &o->spec, j)) {
					*pp = &c->spec.ports[i];
					return o;
				}
	}
	return NULL;
}

/* c's v6 lease on a dual-stack network: 0, or -1 and errno */
static int
network_check6(const struct cell *c, struct network *n)
{
	uint8_t	a6[16];

	return ipam6_alloc(&n->ipam6, c->id, c->spec.ip6, a6);
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
	int			 fresh;

	if (c->spec.flags & SPEC_NONET)
		return NULL;
	if ((n = network_find(c->spec.network)) == NULL) {
		snprintf(why, sizeof(why), "network %s not found",
		    c->spec.network);
		return why;
	}
	if ((o = network_port_owner(c, &p)) != NULL) {
		snprintf(why, sizeof(why), "-p %s: port already published by "
		    "%s", port_name(p, pn, sizeof(pn)), o->name[0] ? o->name :
		    o->id);
		return why;
	}
	fresh = ipam_find(&n->ipam, c->id) == NULL;
	if (ipam_alloc(&n->ipam, c->id, c->spec.ip, &addr) == -1) {
		snprintf(why, sizeof(why), "network %s: %s", n->name,
		    errno == EEXIST ? "address already in use" :
		    errno == ENOSPC ? "no free address" : "bad address");
		return why;
	}
	if (n->br.prefix6 != 0 && network_check6(c, n) == -1) {
		if (fresh)	/* a restart keeps the lease it had */
			ipam_release(&n->ipam, c->id);
		snprintf(why, sizeof(why), "network %s: IPv6: %s", n->name,
		    errno == EEXIST ? "address already in use" :
		    errno == ENOSPC ? "no free address" : "bad address");
		return why;
	}
	if (network_save_leases(n) == -1) {
		ipam_release(&n->ipam, c->id);
		ipam6_release(&n->ipam6, c->id);
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

/* port i's v6 twin: on a dual-stack network, unless it is v4 only */
static void
network_port6(const struct cell *c, const struct network *n, uint32_t i,
    uint32_t type)
{
	const struct ipam6_lease	*l6;
	struct msg_net_port		 mp;

	if (n->br.prefix6 == 0 || c->spec.ports6[i].family == AF_INET ||
	    (l6 = ipam6_find(&n->ipam6, c->id)) == NULL)
		return;
	memset(&mp, 0, sizeof(mp));
	strlcpy(mp.id, c->id, sizeof(mp.id));
	strlcpy(mp.bridge, n->br.name, sizeof(mp.bridge));
	mp.family = AF_INET6;
	memcpy(mp.hostip6, c->spec.ports6[i].hostip6, 16);
	memcpy(mp.addr6, l6->addr, 16);
	mp.hport = c->spec.ports[i].hport;
	mp.cport = c->spec.ports[i].cport;
	mp.proto = c->spec.ports[i].proto;
	helpers_send(HELPER_NET, type, 0, -1, &mp, sizeof(mp));
}

static void
network_ports(const struct cell *c, const struct network *n,
    const struct ipam_lease *l, uint32_t type)
{
	struct msg_net_port	mp;
	uint32_t		i;

	for (i = 0; i < c->spec.nports; i++) {
		network_port6(c, n, i, type);
		if (c->spec.ports6[i].family == AF_INET6)
			continue;
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
	const struct ipam6_lease *l6;
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
	if (n->br.prefix6 != 0 && (l6 = ipam6_find(&n->ipam6, c->id)) != NULL) {
		memcpy(nc.addr6, l6->addr, 16);
		nc.prefix6 = n->br.prefix6;
		memcpy(nc.gateway6, n->br.gateway6, 16);
	}
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
	    (n = network_find(c->spec.network)) == NULL)
		return;
	ipam6_release(&n->ipam6, c->id);
	if (ipam_release(&n->ipam, c->id) == -1)
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

/* one "HostIp"/"HostPort" of port i in ports */
static void
network_inspect_port(json_t *ports, const struct cell_port *p, int af,
    const void *hostip)
{
	json_t	*a;
	char	 key[16], hip[INET6_ADDRSTRLEN], hp[8];

	snprintf(key, sizeof(key), "%u/%s", p->cport, p->proto == 17 ?
	    "udp" : "tcp");
	inet_ntop(af, hostip, hip, sizeof(hip));
	snprintf(hp, sizeof(hp), "%u", p->hport);
	if ((a = json_object_get(ports, key)) == NULL) {
		a = json_array();
		json_object_set_new(ports, key, a);
	}
	json_array_append_new(a, json_pack("{s:s s:s}", "HostIp", hip,
	    "HostPort", hp));
}

/* GlobalIPv6Address, GlobalIPv6PrefixLen, IPv6Gateway: "" if none */
static void
network_inspect6(const struct cell *c, const struct network *n, json_t *o)
{
	const struct ipam6_lease	*l6 = NULL;
	char				 ip[INET6_ADDRSTRLEN] = "";
	char				 gw[INET6_ADDRSTRLEN] = "";

	if (n != NULL && n->br.prefix6 != 0) {
		if ((l6 = ipam6_find(&n->ipam6, c->id)) != NULL)
			inet_ntop(AF_INET6, l6->addr, ip, sizeof(ip));
		inet_ntop(AF_INET6, n->br.gateway6, gw, sizeof(gw));
	}
	json_object_set_new(o, "GlobalIPv6Address", json_string(ip));
	json_object_set_new(o, "GlobalIPv6PrefixLen", json_integer(l6 ?
	    n->br.prefix6 : 0));
	json_object_set_new(o, "IPv6Gateway", json_string(gw));
}

/* inspect's NetworkSettings, Docker's names */
json_t *
network_inspect(const struct cell *c)
{
	struct network		*n = NULL;
	const struct ipam_lease	*l = NULL;
	json_t			*ports = json_object(), *o;
	char			 ip[INET_ADDRSTRLEN] = "", gw[INET_ADDRSTRLEN] = "";
	uint32_t		 i;

	if ((c->spec.flags & SPEC_NONET) == 0 &&
	    (n = network_find(c->spec.network)) != NULL) {
		if ((l = ipam_find(&n->ipam, c->id)) != NULL)
			inet_ntop(AF_INET, &l->addr, ip, sizeof(ip));
		inet_ntop(AF_INET, &n->br.gateway, gw, sizeof(gw));
	}
	for (i = 0; i < c->spec.nports; i++) {
		if (c->spec.ports6[i].family != AF_INET6)
			network_inspect_port(ports, &c->spec.ports[i], AF_INET,
			    &c->spec.ports[i].hostip);
		if (c->spec.ports6[i].family != AF_INET && n != NULL &&
		    n->br.prefix6 != 0)
			network_inspect_port(ports, &c->spec.ports[i],
			    AF_INET6, c->spec.ports6[i].hostip6);
	}
	o = json_pack("{s:s s:s s:s s:o}", "Network",
	    (c->spec.flags & SPEC_NONET) ? "none" : c->spec.network,
	    "IPAddress", ip, "Gateway", gw, "Ports", ports);
	network_inspect6(c, n, o);
	return o;
}
