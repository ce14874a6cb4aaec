/*
 * ctl_network.c: "cellctl network create|rm|ls|inspect|connect|
 * disconnect".  A network belongs to its creator; celld.conf's and an
 * admin's are shared: anyone may run containers on them, only their
 * owner (or an admin) may remove them.  connect and disconnect are in
 * netconn.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>
#include <jansson.h>

#include "parent.h"
#include "network.h"

static void
ctl_net_audit(struct client *cl, const struct msg_ctl_network *m)
{
	static const char *verbs[] = { "network", "network-create",
	    "network-rm", "network-ls", "network-inspect", "network-connect",
	    "network-disconnect" };

	strlcpy(cl->verb, m->op < 7 ? verbs[m->op] : verbs[0],
	    sizeof(cl->verb));
	strlcpy(cl->target, m->name, sizeof(cl->target));
}

static int
ctl_net_overlaps(uint32_t subnet, uint32_t prefix)
{
	struct network	*n;
	uint32_t	 p, m;

	TAILQ_FOREACH(n, &networks, entry) {
		p = prefix < n->br.prefix ? prefix : n->br.prefix;
		m = htonl(~0u << (32 - p));
		if ((n->br.subnet & m) == (subnet & m))
			return 1;
	}
	return 0;
}

/* --subnet, or the first free 10.89.N.0/24 */
static const char *
ctl_net_subnet(const struct msg_ctl_network *m, struct msg_net_bridge *br)
{
	struct in_addr	a;
	int		prefix, i;

	if (m->subnet[0] != '\0') {
		if (conf_parse_cidr(m->subnet, &a, &prefix) != NULL ||
		    prefix < 8 || prefix > 30)
			return "--subnet: expected A.B.C.D/N with N 8..30";
		br->subnet = a.s_addr;
		br->prefix = prefix;
		return ctl_net_overlaps(br->subnet, prefix) ?
		    "--subnet overlaps another network" : NULL;
	}
	for (i = 0; i < 256; i++) {
		br->subnet = htonl(0x0a590000 | (i << 8));
		br->prefix = 24;
		if (!ctl_net_overlaps(br->subnet, 24))
			return NULL;
	}
	return "no free subnet: give --subnet";
}

/* --ipv6, a v6 --subnet and --gateway into br; NULL or why not */
static const char *
ctl_net_v6(const struct msg_ctl_network *m, struct msg_net_bridge *br)
{
	struct ipam6	 t;
	const char	*why;

	if (!(m->flags & NETF_IPV6))
		return m->subnet6[0] != '\0' || m->gateway6[0] != '\0' ?
		    "an IPv6 --subnet or --gateway needs --ipv6" : NULL;
	if (m->subnet6[0] == '\0') {
		if ((why = network_ula(m->name, br)) != NULL)
			return why;
	} else if (conf_parse_cidr6(m->subnet6, (struct in6_addr *)
	    br->subnet6, (int *)&br->prefix6) != NULL ||
	    !ipam6_subnet_ok(br->subnet6, br->prefix6))
		return "--subnet: expected an IPv6 unicast prefix/N with N "
		    "48..120";
	else if (network_overlaps6(br->subnet6, br->prefix6))
		return "--subnet overlaps another network";
	memcpy(br->gateway6, br->subnet6, 16);
	br->gateway6[15] |= 1;
	ipam6_init(&t, br->subnet6, br->prefix6, br->subnet6);
	if (m->gateway6[0] != '\0' && (inet_pton(AF_INET6, m->gateway6,
	    br->gateway6) != 1 || !ipam6_contains(&t, br->gateway6)))
		return "--gateway: not a host address of the IPv6 subnet";
	return NULL;
}

static const char *
ctl_net_bridge(const struct msg_ctl_network *m, struct msg_net_bridge *br)
{
	struct network	*n;
	const char	*why;
	uint32_t	 h = 2166136261u, mask;
	const char	*p;

	memset(br, 0, sizeof(*br));
	if ((why = ctl_net_subnet(m, br)) != NULL)
		return why;
	mask = htonl(~0u << (32 - br->prefix));
	br->gateway = htonl(ntohl(br->subnet) + 1);
	if (m->gateway[0] != '\0' && (inet_pton(AF_INET, m->gateway,
	    &br->gateway) != 1 || (br->gateway & mask) != br->subnet ||
	    (br->gateway & ~mask) == 0 || (br->gateway | mask) == ~0u))
		return "--gateway: not a host address of the subnet";
	br->flags = (m->flags & NETF_INTERNAL) ? NETF_INTERNAL : NETF_NAT;
	if ((why = ctl_net_v6(m, br)) != NULL)
		return why;
	for (p = m->name; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(br->name, sizeof(br->name), "cb-%08x", h);
	TAILQ_FOREACH(n, &networks, entry)
		if (strcmp(n->br.name, br->name) == 0)
			return "bridge name collision: choose another name";
	return NULL;
}

/* net-helper's answer to a create or an rm */
static void
ctl_net_done(struct request *r, int h, struct imsg *imsg)
{
	struct network		*n = network_find(r->target);
	struct msg_result	 res;

	(void)h;
	request_result(imsg, &res, "net-helper");
	if (n != NULL && (r->step == NETCTL_RM ? res.err == 0 :
	    res.err != 0))
		network_unlink(n);
	if (res.err == 0)
		log_info("network %s: %s", r->target, r->step == NETCTL_RM ?
		    "removed" : "created");
	request_done(r, res.err, 0, res.err ? res.msg : r->target);
}

static int
ctl_net_ask(struct client *cl, const struct msg_ctl_network *m,
    struct network *n, uint32_t type)
{
	struct request	*r;

	if ((r = request_new(cl, MSG_CTL_NETWORK)) == NULL)
		return -1;
	r->cb = ctl_net_done;
	r->step = m->op;
	r->waitmask = 1u << HELPER_NET;
	strlcpy(r->target, n->name, sizeof(r->target));
	if (helpers_send(HELPER_NET, type, r->id, -1, &n->br,
	    sizeof(n->br)) == -1) {
		if (type == MSG_NET_BRIDGE)
			network_unlink(n);
		request_done(r, EAGAIN, 0, "net-helper is not available");
	}
	return 0;
}

static void
ctl_net_create(struct client *cl, const struct msg_ctl_network *m)
{
	struct msg_net_bridge	 br;
	struct network		*n;
	const char		*why;

	if (network_find(m->name) != NULL) {
		control_done(cl, EEXIST, 0, "network already exists");
		return;
	}
	if ((why = ctl_net_bridge(m, &br)) != NULL) {
		control_done(cl, EINVAL, 0, why);
		return;
	}
	if ((n = network_add(m->name, &br, cl->uid, cl->admin)) == NULL ||
	    network_save(n) == -1) {
		if (n != NULL)
			network_unlink(n);
		control_done(cl, errno, 0, "network: cannot save");
		return;
	}
	if (ctl_net_ask(cl, m, n, MSG_NET_BRIDGE) == -1)
		control_done(cl, errno, 0, "network create");
}

/* may cl manage n (rm, connect others)?  NULL, or why not */
static const char *
ctl_net_owner(struct client *cl, const struct network *n, int *err)
{
	*err = EPERM;
	if (n->conf)
		return "network is defined in celld.conf";
	if (!cl->admin && n->owner != cl->uid)
		return "network belongs to another user";
	return NULL;
}

static void
ctl_net_rm(struct client *cl, struct network *n,
    const struct msg_ctl_network *m)
{
	const char	*why;
	int		 err;

	if ((why = ctl_net_owner(cl, n, &err)) != NULL) {
		control_done(cl, err, 0, why);
		return;
	}
	if (network_in_use(n)) {
		control_done(cl, EBUSY, 0, "network has containers: rm them "
		    "first");
		return;
	}
	if (ctl_net_ask(cl, m, n, MSG_NET_BRIDGE_DEL) == -1)
		control_done(cl, errno, 0, "network rm");
}

static void
ctl_net_ls(struct client *cl)
{
	struct network		*n;
	struct msg_netinfo	 ni;

	TAILQ_FOREACH(n, &networks, entry) {
		memset(&ni, 0, sizeof(ni));
		strlcpy(ni.name, n->name, sizeof(ni.name));
		strlcpy(ni.bridge, n->br.name, sizeof(ni.bridge));
		ni.subnet = n->br.subnet;
		ni.prefix = n->br.prefix;
		ni.gateway = n->br.gateway;
		ni.flags = n->br.flags;
		ni.owner = n->owner;
		ni.nleases = ipam_count(&n->ipam);
		memcpy(ni.subnet6, n->br.subnet6, sizeof(ni.subnet6));
		ni.prefix6 = n->br.prefix6;
		memcpy(ni.gateway6, n->br.gateway6, sizeof(ni.gateway6));
		control_reply(cl, MSG_CTL_NETINFO, &ni, sizeof(ni));
	}
	control_done(cl, 0, 0, NULL);
}

/* a container's "IPv6Address" in network inspect, if it has one */
static void
ctl_net_json6(const struct network *n, const char *id, json_t *o)
{
	const struct ipam6_lease	*l;
	char				 a[INET6_ADDRSTRLEN + 5];

	if (n->br.prefix6 == 0 || (l = ipam6_find(&n->ipam6, id)) == NULL)
		return;
	inet_ntop(AF_INET6, l->addr, a, INET6_ADDRSTRLEN);
	snprintf(a + strlen(a), 5, "/%u", n->br.prefix6);
	json_object_set_new(o, "IPv6Address", json_string(a));
}

static json_t *
ctl_net_json(const struct network *n)
{
	json_t			*cs = json_object(), *subs, *v6, *o;
	char			 sub[INET_ADDRSTRLEN + 4], gw[INET_ADDRSTRLEN];
	char			 a[INET_ADDRSTRLEN + 4];
	const struct ipam_lease	*l;
	struct cell		*c;
	size_t			 i;

	inet_ntop(AF_INET, &n->br.subnet, sub, sizeof(sub));
	snprintf(sub + strlen(sub), 4, "/%u", n->br.prefix);
	inet_ntop(AF_INET, &n->br.gateway, gw, sizeof(gw));
	for (i = 0; (l = ipam_nth(&n->ipam, i)) != NULL; i++) {
		inet_ntop(AF_INET, &l->addr, a, sizeof(a));
		snprintf(a + strlen(a), 4, "/%u", n->br.prefix);
		c = cell_by_id(l->id);
		o = json_pack("{s:s s:s}", "Name", c ? c->name : "",
		    "IPv4Address", a);
		ctl_net_json6(n, l->id, o);
		json_object_set_new(cs, l->id, o);
	}
	subs = json_pack("[{s:s s:s}]", "Subnet", sub, "Gateway", gw);
	if ((v6 = network_v6_json(&n->br)) != NULL && json_is_object(v6))
		json_array_append_new(subs, json_pack("{s:O s:O}", "Subnet",
		    json_object_get(v6, "subnet"), "Gateway",
		    json_object_get(v6, "gateway")));
	json_decref(v6);
	return json_pack("{s:s s:s s:s s:b s:b s:o s:I s:b s:o}",
	    "Name", n->name, "Driver", "bridge", "Bridge", n->br.name,
	    "Internal", (n->br.flags & NETF_INTERNAL) != 0, "EnableIPv6",
	    n->br.prefix6 != 0, "Subnets", subs, "Owner",
	    (json_int_t)n->owner, "Shared", n->shared, "Containers", cs);
}

static void
ctl_net_inspect(struct client *cl, const struct network *n)
{
	control_json_done(cl, ctl_net_json(n), "network inspect");
}

void
ctl_network(struct client *cl, struct imsg *imsg)
{
	static struct msg_ctl_network	 m;
	struct network			*n;

	if (imsg_get_data(imsg, &m, sizeof(m)) == -1 ||
	    !msg_str_ok(m.name, sizeof(m.name)) ||
	    (m.op != NETCTL_LS && !msg_name_ok(m.name, sizeof(m.name))) ||
	    !msg_str_ok(m.subnet, sizeof(m.subnet)) ||
	    !msg_str_ok(m.gateway, sizeof(m.gateway)) ||
	    !msg_str_ok(m.subnet6, sizeof(m.subnet6)) ||
	    !msg_str_ok(m.gateway6, sizeof(m.gateway6)) ||
	    (m.cell[0] != '\0' && !msg_name_ok(m.cell, sizeof(m.cell))) ||
	    !msg_str_ok(m.ip, sizeof(m.ip)) || m.force > 1 ||
	    (m.flags & ~(NETF_INTERNAL | NETF_IPV6)) != 0) {
		control_done(cl, EINVAL, 0, "network: malformed request");
		return;
	}
	ctl_net_audit(cl, &m);
	if (m.op == NETCTL_CREATE) {
		ctl_net_create(cl, &m);
		return;
	}
	if (m.op == NETCTL_LS) {
		ctl_net_ls(cl);
		return;
	}
	if ((n = network_find(m.name)) == NULL) {
		control_done(cl, ENOENT, 0, "no such network");
		return;
	}
	if (m.op == NETCTL_RM)
		ctl_net_rm(cl, n, &m);
	else if (m.op == NETCTL_INSPECT)
		ctl_net_inspect(cl, n);
	else if ((m.op == NETCTL_CONNECT || m.op == NETCTL_DISCONNECT) &&
	    m.cell[0] == '\0')
		control_done(cl, EINVAL, 0, "network: which container?");
	else if (m.op == NETCTL_CONNECT)
		netconn_connect(cl, n, &m);
	else if (m.op == NETCTL_DISCONNECT)
		netconn_disconnect(cl, n, &m);
	else
		control_done(cl, EINVAL, 0, "network: unknown verb");
}
