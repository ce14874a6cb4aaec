/*
 * netcfg.c: C's side of its network, run in C before anything else of
 * init.c.  C holds every capability over its own network namespace, so a
 * few rtnetlink messages of its own set lo up and, on each network, the
 * address, MTU and (the first network's) default route on ethN, which
 * net-helper created there.  net-helper needs no way into C's namespace
 * (see docs/network.md, "the split").  netcfg_iface() is also what a
 * network connect of a running container runs, from a short-lived child
 * of spawn-helper in C's net namespace (netif.c).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <bsd/string.h>

#include "spawn.h"
#include "cell.h"

struct nlreq {
	struct nlmsghdr	h;
	union {
		struct ifinfomsg	i;
		struct ifaddrmsg	a;
		struct rtmsg		r;
	}		u;
	char		attrs[64];
};

static void
nl_attr(struct nlreq *q, uint16_t type, const void *d, size_t len)
{
	struct rtattr	*a;

	a = (struct rtattr *)((char *)q + NLMSG_ALIGN(q->h.nlmsg_len));
	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(a), d, len);
	q->h.nlmsg_len = NLMSG_ALIGN(q->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* send q, wait for its ack; 0 or -1 with errno */
static int
nl_talk(int fd, struct nlreq *q)
{
	char			 buf[512];
	struct nlmsghdr		*h;
	struct nlmsgerr		*e;
	ssize_t			 n;

	q->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(fd, q, q->h.nlmsg_len, 0) == -1)
		return -1;
	if ((n = recv(fd, buf, sizeof(buf), 0)) < (ssize_t)NLMSG_HDRLEN)
		return -1;
	h = (struct nlmsghdr *)buf;
	if (h->nlmsg_type != NLMSG_ERROR) {
		errno = EPROTO;
		return -1;
	}
	e = NLMSG_DATA(h);
	if (e->error != 0) {
		errno = -e->error;
		return -1;
	}
	return 0;
}

static void
nl_init(struct nlreq *q, uint16_t type, uint16_t flags, size_t len)
{
	memset(q, 0, sizeof(*q));
	q->h.nlmsg_type = type;
	q->h.nlmsg_flags = flags;
	q->h.nlmsg_len = NLMSG_LENGTH(len);
}

static int
nl_up(int fd, int ifindex, uint32_t mtu)
{
	struct nlreq	q;

	nl_init(&q, RTM_NEWLINK, 0, sizeof(q.u.i));
	q.u.i.ifi_family = AF_UNSPEC;
	q.u.i.ifi_index = ifindex;
	q.u.i.ifi_flags = IFF_UP;
	q.u.i.ifi_change = IFF_UP;
	if (mtu != 0)
		nl_attr(&q, IFLA_MTU, &mtu, sizeof(mtu));
	return nl_talk(fd, &q);
}

static int
nl_addr(int fd, int ifindex, uint32_t addr, uint32_t prefix)
{
	struct nlreq	q;

	nl_init(&q, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE,
	    sizeof(q.u.a));
	q.u.a.ifa_family = AF_INET;
	q.u.a.ifa_prefixlen = prefix;
	q.u.a.ifa_index = ifindex;
	nl_attr(&q, IFA_LOCAL, &addr, 4);
	nl_attr(&q, IFA_ADDRESS, &addr, 4);
	return nl_talk(fd, &q);
}

/* eth0's v6 address, IFA_F_NODAD: usable at once, no DAD wait */
static int
nl_addr6(int fd, int ifindex, const uint8_t *addr, uint32_t prefix)
{
	struct nlreq	q;

	nl_init(&q, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE,
	    sizeof(q.u.a));
	q.u.a.ifa_family = AF_INET6;
	q.u.a.ifa_prefixlen = prefix;
	q.u.a.ifa_flags = IFA_F_NODAD;
	q.u.a.ifa_index = ifindex;
	nl_attr(&q, IFA_ADDRESS, addr, 16);
	return nl_talk(fd, &q);
}

static int
nl_defroute6(int fd, int ifindex, const uint8_t *gw)
{
	struct nlreq	q;
	uint32_t	oif = ifindex;

	nl_init(&q, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE,
	    sizeof(q.u.r));
	q.u.r.rtm_family = AF_INET6;
	q.u.r.rtm_table = RT_TABLE_MAIN;
	q.u.r.rtm_protocol = RTPROT_BOOT;
	q.u.r.rtm_scope = RT_SCOPE_UNIVERSE;
	q.u.r.rtm_type = RTN_UNICAST;
	nl_attr(&q, RTA_GATEWAY, gw, 16);
	nl_attr(&q, RTA_OIF, &oif, 4);
	return nl_talk(fd, &q);
}

static int
nl_defroute(int fd, int ifindex, uint32_t gw)
{
	struct nlreq	q;
	uint32_t	oif = ifindex;

	nl_init(&q, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE,
	    sizeof(q.u.r));
	q.u.r.rtm_family = AF_INET;
	q.u.r.rtm_table = RT_TABLE_MAIN;
	q.u.r.rtm_protocol = RTPROT_BOOT;
	q.u.r.rtm_scope = RT_SCOPE_UNIVERSE;
	q.u.r.rtm_type = RTN_UNICAST;
	nl_attr(&q, RTA_GATEWAY, &gw, 4);
	nl_attr(&q, RTA_OIF, &oif, 4);
	return nl_talk(fd, &q);
}

/*
 * The gateway of a default route must be a host of ethN's own subnet:
 * not the container's address, nor the subnet's network or broadcast
 * address (v4), nor its subnet-router anycast (v6, host part 0).  The
 * kernel then also refuses it unless it is on-link of ethN, so a route
 * can't point out of the interface the parent named.
 */
static int
netcfg_gw_ok(const struct msg_net_cfg *nc)
{
	uint8_t		net6[16];
	uint32_t	mask, i, bits;

	mask = htonl(0xffffffffu << (32 - nc->prefix));
	if (nc->gateway == 0 || nc->gateway == nc->addr ||
	    (nc->gateway & mask) != (nc->addr & mask) ||
	    (nc->gateway & ~mask) == 0 || (nc->gateway & ~mask) == ~mask)
		return 0;
	if (nc->prefix6 == 0)
		return 1;
	memset(net6, 0, sizeof(net6));
	for (i = 0; i < 16; i++) {
		bits = nc->prefix6 > i * 8 ? nc->prefix6 - i * 8 : 0;
		net6[i] = nc->addr6[i] & (bits >= 8 ? 0xff :
		    (uint8_t)(0xff << (8 - bits)));
	}
	return msg_in6_host_ok(nc->gateway6, net6, nc->prefix6);
}

/* what a netcfg may say: eth0..eth7, a sane address; 1 if so */
int
netcfg_ok(const struct msg_net_cfg *nc)
{
	const char	*n = nc->ifname;

	if (!msg_id_ok(nc->id, sizeof(nc->id)) || nc->prefix > 30 ||
	    nc->addr == 0 || nc->prefix < 8 ||
	    (nc->flags & ~(NETCFG_DEFROUTE | NETCFG_DEFROUTE6)) != 0 ||
	    ((nc->flags & NETCFG_DEFROUTE6) && nc->prefix6 == 0) ||
	    (nc->mtu != 0 && (nc->mtu < 576 || nc->mtu > 65535)) ||
	    (nc->prefix6 != 0 && (nc->prefix6 < NET_PREFIX6_MIN ||
	    nc->prefix6 > NET_PREFIX6_MAX ||
	    !msg_in6_match(nc->addr6, nc->gateway6, nc->prefix6) ||
	    memcmp(nc->addr6, nc->gateway6, 16) == 0)) ||
	    ((nc->flags & NETCFG_DEFROUTE) && !netcfg_gw_ok(nc)))
		return 0;
	return strncmp(n, "eth", 3) == 0 && n[3] >= '0' &&
	    n[3] < '0' + NET_MAXIFS && n[4] == '\0';
}

/*
 * One interface: up with its MTU, its address, and on the network that
 * holds it the default route (the others reach only their subnet, which
 * the address's prefix route gives).  0, or -1 and a reason.
 */
int
netcfg_iface(int fd, const struct msg_net_cfg *nc, char *err, size_t len)
{
	const char	*what = "no such interface";
	char		 ifn[NET_IFNAMELEN];
	int		 idx;

	strlcpy(ifn, nc->ifname, sizeof(ifn));
	if ((idx = if_nametoindex(ifn)) == 0 ||
	    (what = "up", nl_up(fd, idx, nc->mtu) == -1) ||
	    (what = "address", nl_addr(fd, idx, nc->addr, nc->prefix) ==
	    -1) ||
	    ((nc->flags & NETCFG_DEFROUTE) && (what = "default route",
	    nl_defroute(fd, idx, nc->gateway) == -1)) ||
	    (nc->prefix6 != 0 && (what = "IPv6 address",
	    nl_addr6(fd, idx, nc->addr6, nc->prefix6) == -1)) ||
	    ((nc->flags & NETCFG_DEFROUTE6) && (what = "IPv6 default route",
	    nl_defroute6(fd, idx, nc->gateway6) == -1))) {
		snprintf(err, len, "network: %s: %s: %s", ifn, what,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The default route, the v6 one or both (the flags) via ethN, nothing
 * else: a disconnect took the interface that had it away.
 * NLM_F_REPLACE, so whatever default route is left is replaced, not
 * added to.  0, or -1 and a reason.
 */
int
netcfg_route(int fd, const struct msg_net_cfg *nc, char *err, size_t len)
{
	const char	*what = "no such interface";
	char		 ifn[NET_IFNAMELEN];
	int		 idx;

	strlcpy(ifn, nc->ifname, sizeof(ifn));
	if ((idx = if_nametoindex(ifn)) == 0 ||
	    ((nc->flags & NETCFG_DEFROUTE) && (what = "default route",
	    nl_defroute(fd, idx, nc->gateway) == -1)) ||
	    ((nc->flags & NETCFG_DEFROUTE6) && (what = "IPv6 default route",
	    nl_defroute6(fd, idx, nc->gateway6) == -1))) {
		snprintf(err, len, "network: %s: %s: %s", ifn, what,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* in C before anything else: lo up always, then each network's ethN */
int
netcfg_apply(const struct netcfg_set *ns, char *err, size_t len)
{
	uint32_t	i;
	int		fd;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1 || nl_up(fd, 1, 0) == -1) {
		snprintf(err, len, "network: lo up: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	for (i = 0; i < ns->n && i < NET_MAXIFS; i++)
		if (netcfg_iface(fd, &ns->c[i], err, len) == -1) {
			close(fd);
			return -1;
		}
	close(fd);
	return 0;
}
