/*
 * link.c: bridges and veth pairs over rtnetlink, with libnl-route.
 *
 * What celld makes carries IFLA_IFALIAS "celld"; a link without it is
 * someone else's and is never changed or removed.  Every call is
 * idempotent: the parent replays its list after a restart of ours.
 */
#include <sys/socket.h>

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <linux/ip.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/inet.h>
#include <netlink/route/link/veth.h>

#include "net.h"

static struct nl_sock	*sk;

int
link_init(void)
{
	if (sk != NULL)
		return 0;
	if ((sk = nl_socket_alloc()) == NULL)
		return -1;
	if (nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		sk = NULL;
		return -1;
	}
	return 0;
}

static int
link_err(char *err, size_t len, int nlerr, const char *what, const char *name)
{
	snprintf(err, len, "%s %s: %s", what, name, nl_geterror(nlerr));
	return -1;
}

/* 1: ours (of that kind), 0: absent, -1: someone else's or an error. */
static int
link_find(const char *name, const char *kind, struct rtnl_link **lp)
{
	struct rtnl_link	*l;
	const char		*alias, *type;
	int			 r;

	*lp = NULL;
	if ((r = rtnl_link_get_kernel(sk, 0, name, &l)) < 0)
		return r == -NLE_OBJ_NOTFOUND || r == -NLE_NODEV ? 0 : -1;
	alias = rtnl_link_get_ifalias(l);
	type = rtnl_link_get_type(l);
	if (alias == NULL || strcmp(alias, NET_ALIAS) != 0 || type == NULL ||
	    strcmp(type, kind) != 0) {
		rtnl_link_put(l);
		return -1;
	}
	*lp = l;
	return 1;
}

/* Mark l ours, bring it up; on a bridge also allow 127/8 to be routed. */
static int
link_claim(struct rtnl_link *l, int bridge)
{
	struct rtnl_link	*chg;
	int			 r;

	if ((chg = rtnl_link_alloc()) == NULL)
		return -NLE_NOMEM;
	rtnl_link_set_ifalias(chg, NET_ALIAS);
	rtnl_link_set_flags(chg, IFF_UP);
	if (bridge)
		rtnl_link_inet_set_conf(chg, IPV4_DEVCONF_ROUTE_LOCALNET, 1);
	r = rtnl_link_change(sk, l, chg, 0);
	rtnl_link_put(chg);
	return r;
}

static int
link_bridge_make(const struct msg_net_bridge *b, struct rtnl_link **lp)
{
	struct rtnl_link	*l;
	int			 r;

	if ((l = rtnl_link_bridge_alloc()) == NULL)
		return -NLE_NOMEM;
	rtnl_link_set_name(l, b->name);
	if (b->mtu != 0)
		rtnl_link_set_mtu(l, b->mtu);
	r = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(l);
	if (r < 0)
		return r;
	if ((r = rtnl_link_get_kernel(sk, 0, b->name, lp)) < 0)
		return r;
	return link_claim(*lp, 1);
}

static int
link_bridge_addr(int ifindex, const struct msg_net_bridge *b)
{
	struct rtnl_addr	*a;
	struct nl_addr		*local;
	int			 r;

	if ((a = rtnl_addr_alloc()) == NULL)
		return -NLE_NOMEM;
	if ((local = nl_addr_build(AF_INET, &b->gateway, 4)) == NULL) {
		rtnl_addr_put(a);
		return -NLE_NOMEM;
	}
	nl_addr_set_prefixlen(local, b->prefix);
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_local(a, local);
	r = rtnl_addr_add(sk, a, NLM_F_REPLACE);
	nl_addr_put(local);
	rtnl_addr_put(a);
	return r;
}

/*
 * The bridge's v6 address, IFA_F_NODAD: usable at once (duplicate
 * address detection would hold it "tentative" for a second or more,
 * and the subnet is celld's own: nobody else on the bridge has it).
 */
static int
link_bridge_addr6(int ifindex, const struct msg_net_bridge *b)
{
	struct rtnl_addr	*a;
	struct nl_addr		*local;
	int			 r;

	if ((a = rtnl_addr_alloc()) == NULL)
		return -NLE_NOMEM;
	if ((local = nl_addr_build(AF_INET6, b->gateway6, 16)) == NULL) {
		rtnl_addr_put(a);
		return -NLE_NOMEM;
	}
	nl_addr_set_prefixlen(local, b->prefix6);
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_local(a, local);
	rtnl_addr_set_flags(a, IFA_F_NODAD);
	r = rtnl_addr_add(sk, a, NLM_F_REPLACE);
	nl_addr_put(local);
	rtnl_addr_put(a);
	return r;
}

int
link_bridge(const struct msg_net_bridge *b, char *err, size_t len)
{
	struct rtnl_link	*l;
	int			 r;

	if (link_init() == -1)
		return link_err(err, len, -NLE_FAILURE, "netlink", "socket");
	if ((r = link_find(b->name, "bridge", &l)) == -1) {
		snprintf(err, len, "%s exists and is not celld's bridge",
		    b->name);
		return -1;
	}
	if (r == 0 && (r = link_bridge_make(b, &l)) < 0)
		return link_err(err, len, r, "bridge", b->name);
	if ((r = link_claim(l, 1)) < 0 ||
	    (r = link_bridge_addr(rtnl_link_get_ifindex(l), b)) < 0 ||
	    (b->prefix6 != 0 &&
	    (r = link_bridge_addr6(rtnl_link_get_ifindex(l), b)) < 0)) {
		rtnl_link_put(l);
		return link_err(err, len, r, "bridge", b->name);
	}
	rtnl_link_put(l);
	return 0;
}

static int
link_del(const char *name, const char *kind, char *err, size_t len)
{
	struct rtnl_link	*l;
	int			 r;

	if (link_init() == -1)
		return link_err(err, len, -NLE_FAILURE, "netlink", "socket");
	if ((r = link_find(name, kind, &l)) == -1) {
		snprintf(err, len, "%s is not celld's %s", name, kind);
		return -1;
	}
	if (r == 0)
		return 0;		/* gone already */
	r = rtnl_link_delete(sk, l);
	rtnl_link_put(l);
	if (r < 0 && r != -NLE_NODEV && r != -NLE_OBJ_NOTFOUND)
		return link_err(err, len, r, "delete", name);
	return 0;
}

int
link_bridge_del(const char *name, char *err, size_t len)
{
	return link_del(name, "bridge", err, len);
}

int
link_veth_del(const char *name, char *err, size_t len)
{
	return link_del(name, "veth", err, len);
}

/*
 * The pair in one message: the peer is born as ethN inside C's network
 * namespace (IFLA_NET_NS_FD), never moved; the host end on the bridge.
 */
int
link_veth(const struct msg_net_veth *v, int nsfd, char *err, size_t len)
{
	struct rtnl_link	*br, *l, *peer;
	struct nl_addr		*mac;
	int			 r;

	if (link_init() == -1)
		return link_err(err, len, -NLE_FAILURE, "netlink", "socket");
	if (link_find(v->bridge, "bridge", &br) != 1) {
		snprintf(err, len, "%s is not celld's bridge", v->bridge);
		return -1;
	}
	if (link_veth_del(v->host, err, len) == -1) {
		rtnl_link_put(br);
		return -1;
	}
	if ((l = rtnl_link_veth_alloc()) == NULL) {
		rtnl_link_put(br);
		return link_err(err, len, -NLE_NOMEM, "veth", v->host);
	}
	peer = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(l, v->host);
	rtnl_link_set_master(l, rtnl_link_get_ifindex(br));
	rtnl_link_set_name(peer, v->peer);	/* eth0..eth7, checked */
	rtnl_link_set_ns_fd(peer, nsfd);
	if ((v->mac[0] & 0x02) && (mac = nl_addr_build(AF_LLC, v->mac,
	    sizeof(v->mac))) != NULL) {
		rtnl_link_set_addr(peer, mac);
		nl_addr_put(mac);
	}
	if (v->mtu != 0) {
		rtnl_link_set_mtu(l, v->mtu);
		rtnl_link_set_mtu(peer, v->mtu);
	}
	r = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(peer);
	rtnl_link_veth_release(l);
	rtnl_link_put(br);
	if (r < 0)
		return link_err(err, len, r, "veth", v->host);
	l = NULL;
	if ((r = rtnl_link_get_kernel(sk, 0, v->host, &l)) < 0 ||
	    (r = link_claim(l, 0)) < 0) {
		if (l != NULL)
			rtnl_link_put(l);
		return link_err(err, len, r, "veth", v->host);
	}
	rtnl_link_put(l);
	return 0;
}
