/*
 * netconn.c: "cellctl network connect NET C [--ip IP]" and "network
 * disconnect [-f] NET C".  A container's networks are c->nets, in
 * connect order; one that is not internal holds the default route
 * (netgw.c).
 *
 * Created or exited: only the list and the lease change; the next start
 * brings every network up (netrun.c).  Running: the hot path,
 *
 *   spawn-helper  NETNS_ASK: C's net namespace (C checked to be its)
 *   net-helper    VETH: the pair, ethN born inside C, the host end cvID
 *                 plus N on the network's bridge
 *   spawn-helper  NETIF: a short-lived child in C's user and net
 *                 namespaces sets ethN's address and MTU (netif.c)
 *
 * Any failure undoes it all: the veth goes (its peer with it), the lease
 * goes back, and the client gets the reason.  Disconnect of a running
 * container deletes the host end (the peer goes with it), its ports if
 * they were published on that network, then the lease; if that network
 * held the default route, the route moves to the remaining network that
 * is not internal with the lowest ethN:
 *
 *   spawn-helper  NETROUTE: the same child as NETIF sets the default
 *                 route(s) via that ethN, nothing else (netif.c)
 *
 * A connect gives the default route only to a container that has none
 * and only from a network that is not internal.
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

enum { CONN_NETNS = 1, CONN_VETH, CONN_NETIF };

/* the lowest ethN a running c doesn't use */
static int
netconn_ifnum(const struct cell *c)
{
	uint32_t	i;
	int		n;

	for (n = 0; n < NET_MAXIFS; n++) {
		for (i = 0; i < c->nnets; i++)
			if (c->nets[i].ifnum == n)
				break;
		if (i == c->nnets)
			return n;
	}
	return -1;
}

static void
netconn_lease_back(const char *id, struct network *n)
{
	ipam6_release(&n->ipam6, id);
	if (ipam_release(&n->ipam, id) == 0 && network_save_leases(n) == -1)
		log_warn("%s: save leases", n->name);
}

/* the connect failed at some step: undo, answer */
static void
netconn_fail(struct request *r, struct cell *c, struct network *n, int err,
    const char *msg)
{
	struct msg_net_veth	v;
	char			why[CELL_MSGLEN];

	if (n != NULL && c != NULL && r->step >= CONN_VETH) {
		network_veth_msg(c, n, netconn_ifnum(c), &v);
		helpers_send(HELPER_NET, MSG_NET_VETH_DEL, 0, -1, &v,
		    sizeof(v));
	}
	if (n != NULL)
		netconn_lease_back(r->cell, n);
	if (c != NULL)
		c->netbusy = 0;
	snprintf(why, sizeof(why), "network connect: %s", msg);
	log_warnx("%.12s: %s", r->cell, why);
	request_done(r, err ? err : EIO, 0, why);
}

/* which of c's default routes (CELL_GW4, CELL_GW6) does n, connected
 * now, get?  Each only if c has none of that family */
static int
netconn_takes_gw(const struct cell *c, const struct network *n)
{
	int	gwf = 0;

	if (network_gw_holder(c, CELL_GW4) == NULL &&
	    network_routable(n->name, CELL_GW4))
		gwf |= CELL_GW4;
	if (network_gw_holder(c, CELL_GW6) == NULL &&
	    network_routable(n->name, CELL_GW6))
		gwf |= CELL_GW6;
	return gwf;
}

/* every step done: ethN is up in C */
static void
netconn_connected(struct request *r, struct cell *c, struct network *n)
{
	struct cell_net	*cn = &c->nets[c->nnets];
	int		 gw = netconn_takes_gw(c, n);

	memset(cn, 0, sizeof(*cn));
	cn->gw = gw;
	strlcpy(cn->name, n->name, sizeof(cn->name));
	cn->ip = ipam_find(&n->ipam, c->id)->addr;
	cn->ifnum = netconn_ifnum(c);
	c->nnets++;
	c->netbusy = 0;
	if (state_save(c) == -1)
		log_warn("%.12s: state", c->id);
	netfiles_network(n->name, c);
	log_info("%.12s: connected to %s as eth%d", c->id, n->name,
	    cn->ifnum);
	request_done(r, 0, 0, c->name);
}

static int
netconn_send_netif(struct request *r, struct cell *c, struct network *n)
{
	struct msg_spawn_netif	 ni;
	struct cell_net		 cn;

	memset(&ni, 0, sizeof(ni));
	memset(&cn, 0, sizeof(cn));
	strlcpy(ni.id, c->id, sizeof(ni.id));
	ni.pid = c->pid;
	strlcpy(cn.name, n->name, sizeof(cn.name));
	cn.ifnum = netconn_ifnum(c);
	cn.gw = netconn_takes_gw(c, n);	/* a route c had none of */
	if (network_cfg(c, &cn, &ni.cfg) == -1)
		return -1;
	r->step = CONN_NETIF;
	r->waitmask = 1u << HELPER_SPAWN;
	return helpers_send(HELPER_SPAWN, MSG_SPAWN_NETIF, r->id, -1, &ni,
	    sizeof(ni));
}

/* the helpers' answers to a hot connect, one step at a time */
static void
netconn_step(struct request *r, int h, struct imsg *imsg)
{
	struct cell		*c = cell_by_id(r->cell);
	struct network		*n = network_find(r->target);
	struct msg_result	 res;
	struct msg_net_veth	 v;
	char			 why[CELL_MSGLEN];
	uint32_t		 type = imsg ? imsg_get_type(imsg) : 0;
	int			 fd = imsg ? imsg_get_fd(imsg) : -1;

	if (fd != -1 && (type != MSG_SPAWN_NETNS || r->step != CONN_NETNS ||
	    h != HELPER_SPAWN || c == NULL || n == NULL ||
	    c->state != CELL_RUNNING)) {
		close(fd);
		fd = -1;
	}
	if (c == NULL || n == NULL || c->state != CELL_RUNNING) {
		netconn_fail(r, c, n, ENOENT, "the container stopped");
		return;
	}
	if (imsg == NULL) {
		netconn_fail(r, c, n, EIO, h == -1 ? "timed out" :
		    "a helper died");
		return;
	}
	if (fd != -1) {
		network_veth_msg(c, n, netconn_ifnum(c), &v);
		r->step = CONN_VETH;
		r->waitmask = 1u << HELPER_NET;
		if (helpers_send(HELPER_NET, MSG_NET_VETH, r->id, fd, &v,
		    sizeof(v)) == -1)
			netconn_fail(r, c, n, EAGAIN, "net-helper is not "
			    "available");
		return;
	}
	memset(&res, 0, sizeof(res));
	if (type != MSG_RESULT || imsg_get_data(imsg, &res, sizeof(res)) ==
	    -1) {
		netconn_fail(r, c, n, EIO, "unexpected helper reply");
		return;
	}
	res.msg[sizeof(res.msg) - 1] = '\0';
	if (res.err != 0 && r->step == CONN_VETH) {
		snprintf(why, sizeof(why), "eth%d in the container: %s",
		    netconn_ifnum(c), res.msg);
		netconn_fail(r, c, n, res.err, why);
	} else if (res.err != 0)
		netconn_fail(r, c, n, res.err, res.msg);
	else if (r->step == CONN_VETH && h == HELPER_NET) {
		if (netconn_send_netif(r, c, n) == -1)
			netconn_fail(r, c, n, EAGAIN, "spawn-helper is not "
			    "available");
	} else if (r->step == CONN_NETIF && h == HELPER_SPAWN)
		netconn_connected(r, c, n);
	else
		netconn_fail(r, c, n, EIO, "unexpected helper reply");
}

static void
netconn_hot(struct client *cl, struct cell *c, struct network *n)
{
	struct msg_spawn_netif	 ni;
	struct request		*r;

	if ((r = request_new(cl, MSG_CTL_NETWORK)) == NULL) {
		netconn_lease_back(c->id, n);
		control_done(cl, errno, 0, "network connect");
		return;
	}
	r->cb = netconn_step;
	r->step = CONN_NETNS;
	r->waitmask = 1u << HELPER_SPAWN;
	strlcpy(r->target, n->name, sizeof(r->target));
	strlcpy(r->cell, c->id, sizeof(r->cell));
	c->netbusy = 1;
	memset(&ni, 0, sizeof(ni));
	strlcpy(ni.id, c->id, sizeof(ni.id));
	ni.pid = c->pid;
	if (helpers_send(HELPER_SPAWN, MSG_SPAWN_NETNS_ASK, r->id, -1, &ni,
	    sizeof(ni)) == -1)
		netconn_fail(r, c, n, EAGAIN, "spawn-helper is not available");
}

/* the checks both verbs share: NULL and the container, or why not */
static const char *
netconn_cell(struct client *cl, const struct msg_ctl_network *m,
    struct cell **cp, int *err)
{
	struct cell	*c;

	*err = ENOENT;
	if ((c = cell_lookup(m->cell, cl->uid, cl->admin)) == NULL)
		return "no such container";
	*err = EBUSY;
	if (c->netbusy)
		return "a network connect or disconnect is under way";
	if (c->state == CELL_STARTING || c->state == CELL_REMOVING)
		return "the container is starting or being removed";
	*cp = c;
	return NULL;
}

static const char *
netconn_lease(struct cell *c, struct network *n, const char *ip, int *err)
{
	static char	why[CELL_MSGLEN];
	static const uint8_t	any6[16];
	uint32_t	want = 0, addr;
	uint8_t		addr6[16];

	*err = EINVAL;
	if (ip[0] != '\0' && (inet_pton(AF_INET, ip, &want) != 1 ||
	    !ipam_contains(&n->ipam, want)))
		return "--ip: not an address of the network's subnet";
	if (ipam_alloc(&n->ipam, c->id, want, &addr) == -1) {
		*err = errno == EEXIST ? EADDRINUSE : errno;
		snprintf(why, sizeof(why), "network %s: %s", n->name,
		    errno == EEXIST ? "address already in use" :
		    errno == ENOSPC ? "no free address" : "bad address");
		return why;
	}
	/* a dual-stack network: the v6 address too, from the pool */
	if (n->br.prefix6 != 0 && ipam6_alloc(&n->ipam6, c->id, any6,
	    addr6) == -1) {
		*err = errno == EEXIST ? EADDRINUSE : errno;
		ipam_release(&n->ipam, c->id);
		snprintf(why, sizeof(why), "network %s: IPv6: %s", n->name,
		    errno == ENOSPC ? "no free address" : "bad address");
		return why;
	}
	if (network_save_leases(n) == -1) {
		*err = errno;
		ipam_release(&n->ipam, c->id);
		ipam6_release(&n->ipam6, c->id);
		return "network: cannot save the leases";
	}
	return NULL;
}

void
netconn_connect(struct client *cl, struct network *n,
    const struct msg_ctl_network *m)
{
	struct cell	*c = NULL;
	struct cell_net	*cn;
	const char	*why;
	int		 err;

	if (!network_may_use(cl, n)) {
		control_done(cl, EPERM, 0, "network belongs to another user");
		return;
	}
	if ((why = netconn_cell(cl, m, &c, &err)) != NULL ||
	    (err = EINVAL, why = "the container uses the host's network",
	    (c->spec.flags & SPEC_HOSTNET) != 0) ||
	    (err = EEXIST, why = "the container is already on that network",
	    network_of(c, n->name) != NULL) ||
	    (err = ENOSPC, why = "a container has at most 8 networks",
	    c->nnets == NET_MAXIFS) ||
	    (why = netconn_lease(c, n, m->ip, &err)) != NULL) {
		control_done(cl, err, 0, why);
		return;
	}
	if (c->state == CELL_RUNNING) {
		netconn_hot(cl, c, n);
		return;
	}
	cn = &c->nets[c->nnets];
	memset(cn, 0, sizeof(*cn));
	cn->gw = netconn_takes_gw(c, n);
	c->nnets++;
	strlcpy(cn->name, n->name, sizeof(cn->name));
	cn->ip = ipam_find(&n->ipam, c->id)->addr;
	cn->ifnum = c->nnets - 1;
	if (state_save(c) == -1) {
		c->nnets--;
		netconn_lease_back(c->id, n);
		control_done(cl, errno, 0, "network connect: cannot save the "
		    "container's state");
		return;
	}
	control_done(cl, 0, 0, c->name);
}

/* "default route to NET, IPv6 default route to none", for the log */
static void
netconn_moved(const struct cell *c, int moved, char *buf, size_t len)
{
	const struct cell_net	*h4 = network_gw_holder(c, CELL_GW4);
	const struct cell_net	*h6 = network_gw_holder(c, CELL_GW6);

	buf[0] = '\0';
	if (moved & CELL_GW4)
		snprintf(buf, len, ", default route to %s", h4 != NULL ?
		    h4->name : "none");
	if (moved & CELL_GW6)
		snprintf(buf + strlen(buf), len - strlen(buf), ", IPv6 "
		    "default route to %s", h6 != NULL ? h6->name : "none");
}

/*
 * The network leaves c's list, with its ports and lease.  If it held a
 * default route, another takes it (netgw.c).  The families whose route
 * must be set again (c runs, and a network took them), or 0.
 */
static int
netconn_drop(struct cell *c, struct network *n, int running)
{
	struct cell_net		*cn = network_of(c, n->name);
	const struct ipam_lease	*l = ipam_find(&n->ipam, c->id);
	uint32_t		 i = cn - c->nets;
	int			 moved = cn->gw, gwf;
	char			 how[128];

	if (strcmp(c->spec.network, n->name) == 0 && c->spec.nports > 0) {
		if (running && l != NULL)
			network_ports(c, n, l, MSG_NET_PORT_DEL);
		c->spec.nports = 0;	/* published on that network only */
	}
	memmove(&c->nets[i], &c->nets[i + 1], (c->nnets - i - 1) *
	    sizeof(c->nets[0]));
	c->nnets--;
	if (moved)
		network_gw_fix(c, running);
	if (state_save(c) == -1)
		log_warn("%.12s: state", c->id);
	netconn_lease_back(c->id, n);
	if (running)
		netfiles_network(n->name, c);
	netconn_moved(c, moved, how, sizeof(how));
	log_info("%.12s: disconnected from %s%s", c->id, n->name, how);
	gwf = moved & ((network_gw_holder(c, CELL_GW4) ? CELL_GW4 : 0) |
	    (network_gw_holder(c, CELL_GW6) ? CELL_GW6 : 0));
	return running ? gwf : 0;
}

static int	netconn_reroute(struct request *, struct cell *, int);

/*
 * spawn-helper set the default route(s) via the new holder's ethN, or
 * not.  r->netleft: the families of that message, and above them (<< 4)
 * those still to send (their holder is another network).
 */
static void
netconn_rerouted(struct request *r, int h, struct imsg *imsg)
{
	struct cell		*c = cell_by_id(r->cell);
	struct cell_net		*gw;
	struct msg_result	 res;
	char			 why[CELL_MSGLEN];
	int			 sent = r->netleft & 0x0f, left = r->netleft >> 4;

	(void)h;
	request_result(imsg, &res, "spawn-helper");
	if (c == NULL) {
		request_done(r, 0, 0, r->cell);
		return;
	}
	c->netbusy = 0;
	if (res.err == 0 && left != 0 && c->state == CELL_RUNNING &&
	    netconn_reroute(r, c, left) == 0)
		return;
	gw = network_gw_holder(c, (sent & CELL_GW4) ? CELL_GW4 : CELL_GW6);
	if (res.err == 0 || c->state != CELL_RUNNING || gw == NULL) {
		request_done(r, 0, 0, c->name);
		return;
	}
	/* the record keeps gw: the next start gives it the route */
	snprintf(why, sizeof(why), "network disconnect: disconnected from "
	    "%s, but the %sdefault route did not move to eth%d (%s): %s",
	    r->target, (sent & CELL_GW4) ? "" : "IPv6 ", gw->ifnum, gw->name,
	    res.msg);
	log_warnx("%.12s: %s", c->id, why);
	request_done(r, res.err, 0, why);
}

/*
 * The default routes of families gwf via their holders' ethN, from
 * spawn-helper: one message for each holder, the v4 one's first.  0, or
 * -1 (nothing sent).
 */
static int
netconn_reroute(struct request *r, struct cell *c, int gwf)
{
	struct msg_spawn_netif	 ni;
	struct cell_net		*gw, one;

	gw = network_gw_holder(c, (gwf & CELL_GW4) ? CELL_GW4 : CELL_GW6);
	if (gw == NULL)
		return -1;
	one = *gw;
	one.gw &= gwf;		/* only the routes that moved */
	memset(&ni, 0, sizeof(ni));
	strlcpy(ni.id, c->id, sizeof(ni.id));
	ni.pid = c->pid;
	if (network_cfg(c, &one, &ni.cfg) == -1 || ni.cfg.flags == 0)
		return -1;
	r->netleft = one.gw | ((gwf & ~one.gw) << 4);
	r->cb = netconn_rerouted;
	r->waitmask = 1u << HELPER_SPAWN;
	c->netbusy = 1;
	if (helpers_send(HELPER_SPAWN, MSG_SPAWN_NETROUTE, r->id, -1, &ni,
	    sizeof(ni)) == -1) {
		c->netbusy = 0;
		return -1;
	}
	return 0;
}

/* net-helper removed the host end (or could not: -f goes on) */
static void
netconn_unplugged(struct request *r, int h, struct imsg *imsg)
{
	struct cell		*c = cell_by_id(r->cell);
	struct network		*n = network_find(r->target);
	struct msg_result	 res;
	int			 gwf;

	(void)h;
	request_result(imsg, &res, "net-helper");
	if (c != NULL)
		c->netbusy = 0;
	if (c == NULL || n == NULL || network_of(c, n->name) == NULL) {
		request_done(r, ENOENT, 0, "no such container");
		return;
	}
	if (res.err != 0 && r->step != CTL_FORCE) {
		request_done(r, res.err, 0, res.msg);
		return;
	}
	gwf = netconn_drop(c, n, c->state == CELL_RUNNING);
	if (gwf != 0 && netconn_reroute(r, c, gwf) == 0)
		return;
	if (gwf != 0) {		/* spawn-helper is not there: say so */
		r->netleft = gwf & CELL_GW4 ? CELL_GW4 : CELL_GW6;
		netconn_rerouted(r, HELPER_SPAWN, NULL);
	} else
		request_done(r, 0, 0, c->name);
}

void
netconn_disconnect(struct client *cl, struct network *n,
    const struct msg_ctl_network *m)
{
	struct cell		*c = NULL;
	struct cell_net		*cn;
	struct request		*r;
	struct msg_net_veth	 v;
	const char		*why;
	int			 err;

	if ((why = netconn_cell(cl, m, &c, &err)) != NULL ||
	    (err = ENOENT, why = "the container is not on that network",
	    (cn = network_of(c, n->name)) == NULL)) {
		control_done(cl, err, 0, why);
		return;
	}
	if (c->state != CELL_RUNNING) {
		netconn_drop(c, n, 0);
		control_done(cl, 0, 0, c->name);
		return;
	}
	if ((r = request_new(cl, MSG_CTL_NETWORK)) == NULL) {
		control_done(cl, errno, 0, "network disconnect");
		return;
	}
	r->cb = netconn_unplugged;
	r->step = m->force ? CTL_FORCE : 0;
	r->waitmask = 1u << HELPER_NET;
	strlcpy(r->target, n->name, sizeof(r->target));
	strlcpy(r->cell, c->id, sizeof(r->cell));
	c->netbusy = 1;
	network_veth_msg(c, n, cn->ifnum, &v);
	if (helpers_send(HELPER_NET, MSG_NET_VETH_DEL, r->id, -1, &v,
	    sizeof(v)) == -1)
		netconn_unplugged(r, HELPER_NET, NULL);
}
