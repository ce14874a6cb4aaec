/*
 * netrun.c: a container's network over its life.
 *
 *   create   network_spec(): which network, may this user use it, ports;
 *            network_cell_init(): c->nets, the list connect adds to
 *   start    network_check(): a lease on each network, no port taken
 *            network_attach(): C's netns fd to net-helper, which makes
 *            one veth pair per network, ethN born inside C; in parallel
 *            with fs-helper's rootfs.  Then C's addresses to spawn-helper
 *            (C sets them before exec, spawn-helper/netcfg.c), the ports
 *   exit     network_detach(): ports and veths go
 *   rm       network_release(): the leases go back
 * netconn.c adds and removes networks of a container (connect,
 * disconnect), running or not.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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

/* the container's networks start as its create's: one, or none */
void
network_cell_init(struct cell *c)
{
	memset(c->nets, 0, sizeof(c->nets));
	c->nnets = 0;
	if (c->spec.flags & SPEC_NONET)
		return;
	strlcpy(c->nets[0].name, c->spec.network, sizeof(c->nets[0].name));
	c->nets[0].ip = c->spec.ip;
	c->nnets = 1;
	network_gw_fix(c, 0);	/* the default route, unless internal */
}

struct cell_net *
network_of(const struct cell *c, const char *name)
{
	uint32_t	i;

	for (i = 0; i < c->nnets; i++)
		if (strcmp(c->nets[i].name, name) == 0)
			return (struct cell_net *)&c->nets[i];
	return NULL;
}

/* the host end of ethN: cv + 12 of the id, and N for N > 0 */
void
network_veth_name(const struct cell *c, int ifnum, char *buf, size_t len)
{
	if (ifnum == 0)
		snprintf(buf, len, NET_VETHPFX "%.12s", c->id);
	else
		snprintf(buf, len, NET_VETHPFX "%.12s%d", c->id, ifnum);
}

/* where spec.ports are published: spec.network, while c is on it */
static struct network *
network_ports_net(const struct cell *c)
{
	if (c->spec.nports == 0 || network_of(c, c->spec.network) == NULL)
		return NULL;
	return network_find(c->spec.network);
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
		    o->state != CELL_STARTING) || network_ports_net(o) == NULL)
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

/* c's v6 lease on a dual-stack network (--ip6 asks on the create's
 * network only): 0, or -1 and errno */
static int
network_check6(const struct cell *c, struct network *n)
{
	static const uint8_t	any[16];
	uint8_t			a6[16];

	return ipam6_alloc(&n->ipam6, c->id, strcmp(n->name,
	    c->spec.network) == 0 ? c->spec.ip6 : any, a6);
}

/* before the start: a lease on each network, and no port taken.  NULL
 * or why not.  Interfaces are numbered again in list order: eth0 first;
 * the default route stays with the network that held it (netgw.c). */
const char *
network_check(struct cell *c)
{
	static char		 why[CELL_MSGLEN];
	struct network		*n;
	const struct cell	*o;
	const struct cell_port	*p;
	uint32_t		 addr, i;
	char			 pn[16];
	int			 fresh;

	if (c->netbusy)
		return "a network connect or disconnect is under way";
	if (network_ports_net(c) != NULL && network_pick_ports(c) == -1)
		return "-P: no free host port left";
	if (network_ports_net(c) != NULL &&
	    (o = network_port_owner(c, &p)) != NULL) {
		snprintf(why, sizeof(why), "-p %s: port already published by "
		    "%s", port_name(p, pn, sizeof(pn)), o->name[0] ? o->name :
		    o->id);
		return why;
	}
	for (i = 0; i < c->nnets; i++)
		c->nets[i].ifnum = i;
	network_gw_fix(c, 1);
	for (i = 0; i < c->nnets; i++) {
		if ((n = network_find(c->nets[i].name)) == NULL) {
			snprintf(why, sizeof(why), "network %s not found",
			    c->nets[i].name);
			return why;
		}
		fresh = ipam_find(&n->ipam, c->id) == NULL;
		if (ipam_alloc(&n->ipam, c->id, c->nets[i].ip, &addr) == -1) {
			snprintf(why, sizeof(why), "network %s: %s", n->name,
			    errno == EEXIST ? "address already in use" :
			    errno == ENOSPC ? "no free address" :
			    "bad address");
			return why;
		}
		if (n->br.prefix6 != 0 && network_check6(c, n) == -1) {
			if (fresh)	/* a restart keeps the lease it had */
				ipam_release(&n->ipam, c->id);
			snprintf(why, sizeof(why), "network %s: IPv6: %s",
			    n->name, errno == EEXIST ? "address already in use" :
			    errno == ENOSPC ? "no free address" : "bad address");
			return why;
		}
		if (network_save_leases(n) == -1) {
			ipam_release(&n->ipam, c->id);
			ipam6_release(&n->ipam6, c->id);
			return "network: cannot save the leases";
		}
	}
	return NULL;
}

/* Docker's: 02:42 and the container's address on n; 0 without a lease */
static void
network_mac(const struct cell *c, const struct network *n, uint8_t *mac)
{
	const struct ipam_lease	*l = ipam_find(&n->ipam, c->id);

	memset(mac, 0, 6);
	if (l == NULL)
		return;
	mac[0] = 0x02;
	mac[1] = 0x42;
	memcpy(mac + 2, &l->addr, 4);
}

void
network_veth_msg(const struct cell *c, const struct network *n, int ifnum,
    struct msg_net_veth *v)
{
	memset(v, 0, sizeof(*v));
	strlcpy(v->id, c->id, sizeof(v->id));
	strlcpy(v->bridge, n->br.name, sizeof(v->bridge));
	network_veth_name(c, ifnum, v->host, sizeof(v->host));
	snprintf(v->peer, sizeof(v->peer), "eth%d", ifnum);
	v->mtu = n->br.mtu;
	network_mac(c, n, v->mac);
}

/*
 * C's netns fd goes to net-helper, once per network: make each veth pair
 * (a MSG_RESULT each).  How many were sent, or -1.
 */
int
network_attach(struct cell *c, uint32_t reqid, int nsfd)
{
	struct network		*n;
	struct msg_net_veth	 v;
	uint32_t		 i;
	int			 fd;

	for (i = 0; i < c->nnets; i++) {
		if ((n = network_find(c->nets[i].name)) == NULL) {
			errno = ENOENT;
			break;
		}
		network_veth_msg(c, n, c->nets[i].ifnum, &v);
		fd = i + 1 == c->nnets ? nsfd : fcntl(nsfd, F_DUPFD_CLOEXEC, 3);
		if (fd == -1 || helpers_send(HELPER_NET, MSG_NET_VETH, reqid,
		    fd, &v, sizeof(v)) == -1)
			break;
		if (fd == nsfd)
			return c->nnets;
	}
	close(nsfd);
	return -1;
}

/* port i's v6 twin: on a dual-stack network, unless it is v4 only */
void
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

void
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

/* what ethN of c on n gets; 0, or -1 if c holds no lease there */
int
network_cfg(const struct cell *c, const struct cell_net *cn,
    struct msg_net_cfg *nc)
{
	struct network		*n = network_find(cn->name);
	const struct ipam_lease	*l;
	const struct ipam6_lease *l6;

	if (n == NULL || (l = ipam_find(&n->ipam, c->id)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	memset(nc, 0, sizeof(*nc));
	strlcpy(nc->id, c->id, sizeof(nc->id));
	snprintf(nc->ifname, sizeof(nc->ifname), "eth%d", cn->ifnum);
	nc->addr = l->addr;
	nc->prefix = n->br.prefix;
	nc->gateway = n->br.gateway;
	nc->mtu = n->br.mtu;
	if ((cn->gw & CELL_GW4) && !(n->br.flags & NETF_INTERNAL))
		nc->flags = NETCFG_DEFROUTE;
	if (n->br.prefix6 != 0 && (l6 = ipam6_find(&n->ipam6, c->id)) != NULL) {
		memcpy(nc->addr6, l6->addr, 16);
		nc->prefix6 = n->br.prefix6;
		memcpy(nc->gateway6, n->br.gateway6, 16);
		if ((cn->gw & CELL_GW6) && !(n->br.flags & NETF_INTERNAL))
			nc->flags |= NETCFG_DEFROUTE6;
	}
	return 0;
}

/* the veths are there: C's addresses to spawn-helper, ports to net-helper */
int
network_attached(struct cell *c)
{
	struct network		*n;
	struct msg_net_cfg	 nc;
	uint32_t		 i;

	for (i = 0; i < c->nnets; i++)
		if (network_cfg(c, &c->nets[i], &nc) == -1 ||
		    helpers_send(HELPER_SPAWN, MSG_SPAWN_NETCFG, 0, -1, &nc,
		    sizeof(nc)) == -1)
			return -1;
	if ((n = network_ports_net(c)) != NULL)
		network_ports(c, n, ipam_find(&n->ipam, c->id), MSG_NET_PORT);
	return 0;
}

/*
 * c stopped, or never started: its ports go, not its leases.  The veth
 * pairs die with C's net namespace; only a failed start (veth) removes
 * them at once, in case C's namespace lives on a moment.
 */
void
network_detach(struct cell *c, int veth)
{
	struct network		*n;
	const struct ipam_lease	*l;
	struct msg_net_veth	 v;
	uint32_t		 i;

	if ((n = network_ports_net(c)) != NULL &&
	    (l = ipam_find(&n->ipam, c->id)) != NULL)
		network_ports(c, n, l, MSG_NET_PORT_DEL);
	for (i = 0; veth && i < c->nnets; i++) {
		if ((n = network_find(c->nets[i].name)) == NULL)
			continue;
		network_veth_msg(c, n, c->nets[i].ifnum, &v);
		helpers_send(HELPER_NET, MSG_NET_VETH_DEL, 0, -1, &v,
		    sizeof(v));
	}
}

/* c is removed: its addresses may go to others */
void
network_release(struct cell *c)
{
	struct network	*n;
	uint32_t	 i;

	for (i = 0; i < c->nnets; i++) {
		if ((n = network_find(c->nets[i].name)) == NULL)
			continue;
		ipam6_release(&n->ipam6, c->id);
		if (ipam_release(&n->ipam, c->id) == -1)
			continue;
		if (network_save_leases(n) == -1)
			log_warn("%s: save leases", n->name);
	}
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
		if (c->state != CELL_RUNNING ||
		    (n = network_ports_net(c)) == NULL ||
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

/* one entry of NetworkSettings.Networks */
static json_t *
network_inspect_one(const struct cell *c, const struct cell_net *cn)
{
	struct network		*n = network_find(cn->name);
	const struct ipam_lease	*l = NULL;
	char			 ip[INET_ADDRSTRLEN] = "", gw[INET_ADDRSTRLEN] = "";
	char			 ifn[16] = "", mac[18] = "";
	uint8_t			 m[6];
	json_t			*o;

	if (n != NULL) {
		if ((l = ipam_find(&n->ipam, c->id)) != NULL) {
			inet_ntop(AF_INET, &l->addr, ip, sizeof(ip));
			network_mac(c, n, m);
			snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:"
			    "%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
		}
		inet_ntop(AF_INET, &n->br.gateway, gw, sizeof(gw));
	}
	if (c->state == CELL_RUNNING)
		snprintf(ifn, sizeof(ifn), "eth%d", cn->ifnum);
	/* DefaultRoute(6): ours; which network holds each route (netgw.c) */
	o = json_pack("{s:s s:s s:s s:i s:s s:s s:b s:b}", "NetworkID",
	    cn->name, "IPAddress", ip, "Gateway", gw, "IPPrefixLen", n ?
	    (int)n->br.prefix : 0, "MacAddress", mac, "Interface", ifn,
	    "DefaultRoute", (cn->gw & CELL_GW4) != 0, "DefaultRoute6",
	    (cn->gw & CELL_GW6) != 0);
	if (o != NULL)
		network_inspect6(c, n, o);
	return o;
}

/* inspect's NetworkSettings, Docker's names; the first network's
 * addresses are also at the top, as Docker has them */
json_t *
network_inspect(const struct cell *c)
{
	struct network	*pn = network_ports_net(c);
	json_t		*ports = json_object(), *a, *nets = json_object();
	json_t		*first = NULL, *o;
	uint32_t	 i;
	const char	*k;

	for (i = 0; i < c->nnets; i++) {
		a = network_inspect_one(c, &c->nets[i]);
		if (i == 0)
			first = json_incref(a);
		json_object_set_new(nets, c->nets[i].name, a);
	}
	for (i = 0; pn != NULL && i < c->spec.nports; i++) {
		if (c->spec.ports6[i].family != AF_INET6)
			network_inspect_port(ports, &c->spec.ports[i], AF_INET,
			    &c->spec.ports[i].hostip);
		if (c->spec.ports6[i].family != AF_INET && pn->br.prefix6 != 0)
			network_inspect_port(ports, &c->spec.ports[i],
			    AF_INET6, c->spec.ports6[i].hostip6);
	}
	o = json_pack("{s:s s:s s:s s:o s:o}", "Network",
	    (c->spec.flags & SPEC_HOSTNET) ? "host" : c->nnets ?
	    c->nets[0].name : "none", "IPAddress", first ?
	    json_string_value(json_object_get(first, "IPAddress")) : "",
	    "Gateway", first ? json_string_value(json_object_get(first,
	    "Gateway")) : "", "Ports", ports, "Networks", nets);
	for (i = 0; o != NULL && i < 3; i++) {
		k = (const char *[]){ "GlobalIPv6Address",
		    "GlobalIPv6PrefixLen", "IPv6Gateway" }[i];
		json_object_set_new(o, k, first ?
		    json_incref(json_object_get(first, k)) : json_string(""));
	}
	json_decref(first);
	return o;
}
