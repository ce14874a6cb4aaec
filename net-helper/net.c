/*
 * net.c: net-helper, "celld: net-helper".  Virtual networking: bridges,
 * veths, addresses, routes and celld's own nftables table.  It speaks
 * netlink only (link.c, nft.c); it never execs ip, iptables or nft.
 *
 * Every request is checked here as if the parent were hostile: names
 * must carry celld's prefixes, links must carry celld's alias (link.c),
 * subnets must be sane and not overlap, a veth goes only into the
 * network namespace of a container (one owned by a child user namespace)
 * and only onto a bridge the parent declared, a port only to an address
 * of that bridge's subnet.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/nsfs.h>

#include <bsd/string.h>

#include "net.h"

static const int net_syscalls[] = {
	SBX_BASE,
	/* rtnetlink and nftables; socket() is narrowed to AF_NETLINK */
	SCMP_SYS(bind), SCMP_SYS(getsockopt), SCMP_SYS(setsockopt),
	SCMP_SYS(getsockname), SCMP_SYS(recvfrom),
	-1	/* left out on purpose: mount, ptrace, bpf, execve, keyctl,
		 * open of any file, clone, setns */
};

static const struct sbx_arg net_args[] = {
	{ SCMP_SYS(socket), 0, AF_NETLINK },
	/* a veth's netns fd is checked: is it a net namespace, owned by a
	 * user namespace that has a parent (a container's)?  ioctl is
	 * narrowed to those three nsfs queries. */
	{ SCMP_SYS(ioctl), 1, NS_GET_NSTYPE },
	{ SCMP_SYS(ioctl), 1, NS_GET_USERNS },
	{ SCMP_SYS(ioctl), 1, NS_GET_PARENT },
	{ -1, 0, 0 }
};

static const struct proc_privs net_privs = {
	.title = "net-helper",
	.user = CELLD_NET_USER,		/* not 0: owner checks must fail */
	.caps = (const int []){
		CAP_NET_ADMIN,		/* links, addresses, our nft table */
		-1
	},
	.nnp = 1,
	.syscalls = net_syscalls,
	.argrules = net_args,
	.landlock = 1,
	.paths = (const struct sbx_path []){ { NULL, 0 } }, /* no files */
};

static struct net_state	st;

/* [a-zA-Z0-9_.-], terminated inside the field, 1..15 long */
static int
ifname_ok(const char *s, size_t size)
{
	size_t	i;

	for (i = 0; i < size && s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return 0;
	return i > 0 && i < size && i < NET_IFNAMELEN;
}

/* celld's bridges are named cell* or cb-*: never eth0, lo, docker0 */
static int
bridge_name_ok(const char *s, size_t size)
{
	return ifname_ok(s, size) && (strncmp(s, "cell", 4) == 0 ||
	    strncmp(s, "cb-", 3) == 0);
}

static uint32_t
mask_of(uint32_t prefix)
{
	return prefix == 0 ? 0 : htonl(~0u << (32 - prefix));
}

static int
unicast_ok(uint32_t a)
{
	uint32_t	h = ntohl(a);

	return (h >> 24) != 0 && (h >> 24) != 127 && (h >> 28) < 14 &&
	    (h >> 16) != 0xa9fe;
}

static int
find_net(const char *name)
{
	int	i;

	for (i = 0; i < st.nnets; i++)
		if (strcmp(st.nets[i].name, name) == 0)
			return i;
	return -1;
}

static int
zero16(const uint8_t *a)
{
	static const uint8_t	z[16];

	return memcmp(a, z, 16) == 0;
}

/* the v6 half of a bridge: none, or sane and overlapping no other's */
static const char *
bridge_check6(const struct msg_net_bridge *b)
{
	const struct msg_net_bridge	*o;
	int				 i;

	if (b->prefix6 == 0)
		return zero16(b->subnet6) && zero16(b->gateway6) ? NULL :
		    "bad IPv6 subnet";
	if (!msg_in6_subnet_ok(b->subnet6, b->prefix6))
		return "bad IPv6 subnet: a unicast prefix, /48 to /120";
	if (!msg_in6_host_ok(b->gateway6, b->subnet6, b->prefix6))
		return "IPv6 gateway outside the subnet";
	if (b->mtu != 0 && b->mtu < 1280)
		return "mtu below IPv6's 1280";
	for (i = 0; i < st.nnets; i++) {
		o = &st.nets[i];
		if (strcmp(o->name, b->name) != 0 && o->prefix6 != 0 &&
		    msg_in6_match(o->subnet6, b->subnet6, o->prefix6 <
		    b->prefix6 ? o->prefix6 : b->prefix6))
			return "IPv6 subnet overlaps another network";
	}
	return NULL;
}

static const char *
bridge_check(const struct msg_net_bridge *b)
{
	uint32_t	m = mask_of(b->prefix);
	const char	*why;
	int		i;

	if (!bridge_name_ok(b->name, sizeof(b->name)))
		return "bridge name must be cell* or cb-*";
	if (b->prefix < 8 || b->prefix > 30 || (b->subnet & ~m) != 0 ||
	    !unicast_ok(b->subnet))
		return "bad subnet";
	if ((b->gateway & m) != b->subnet || (b->gateway & ~m) == 0 ||
	    (b->gateway | m) == 0xffffffffu)
		return "gateway outside the subnet";
	if ((b->mtu != 0 && (b->mtu < 576 || b->mtu > 65535)) ||
	    (b->flags & ~(NETF_NAT | NETF_INTERNAL)) != 0)
		return "bad mtu or flags";
	if ((why = bridge_check6(b)) != NULL)
		return why;
	for (i = 0; i < st.nnets; i++) {
		m = mask_of(b->prefix < st.nets[i].prefix ? b->prefix :
		    st.nets[i].prefix);
		if (strcmp(st.nets[i].name, b->name) != 0 &&
		    (st.nets[i].subnet & m) == (b->subnet & m))
			return "subnet overlaps another network";
	}
	return NULL;
}

static void
net_bridge(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_net_bridge	 b, old;
	const char		*why = NULL;
	char			 err[CELL_MSGLEN];
	uint32_t		 peer = imsg_get_peerid(imsg);
	int			 i, fresh;

	if (imsg_get_data(imsg, &b, sizeof(b)) == -1 ||
	    (why = bridge_check(&b)) != NULL) {
		imsgev_reply(iev, peer, EINVAL, 0, why ? why : "bad request");
		return;
	}
	if ((i = find_net(b.name)) == -1 && st.nnets == NET_MAXNETS) {
		imsgev_reply(iev, peer, ENOSPC, 0, "too many networks");
		return;
	}
	if (link_bridge(&b, err, sizeof(err)) == -1) {
		imsgev_reply(iev, peer, EPERM, 0, err);
		return;
	}
	fresh = i == -1;
	if (fresh)
		i = st.nnets++;
	old = st.nets[i];
	st.nets[i] = b;
	if (nft_sync(&st, err, sizeof(err)) == -1) {
		if (fresh)
			st.nnets--;
		else
			st.nets[i] = old;
		imsgev_reply(iev, peer, EIO, 0, err);
		return;
	}
	imsgev_reply(iev, peer, 0, 0, NULL);
}

static void
net_bridge_del(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_net_bridge	 b;
	char			 err[CELL_MSGLEN];
	uint32_t		 peer = imsg_get_peerid(imsg);
	int			 i, j;

	if (imsg_get_data(imsg, &b, sizeof(b)) == -1 ||
	    !bridge_name_ok(b.name, sizeof(b.name))) {
		imsgev_reply(iev, peer, EINVAL, 0, "bridge name must be cell* "
		    "or cb-*");
		return;
	}
	log_debug("bridge %s: removing", b.name);
	if ((i = find_net(b.name)) != -1) {
		for (j = 0; j < st.nports; j++)
			if (strcmp(st.ports[j].bridge, b.name) == 0)
				st.ports[j--] = st.ports[--st.nports];
		st.nets[i] = st.nets[--st.nnets];
		if (nft_sync(&st, err, sizeof(err)) == -1) {
			imsgev_reply(iev, peer, EIO, 0, err);
			return;
		}
	}
	if (link_bridge_del(b.name, err, sizeof(err)) == -1) {
		imsgev_reply(iev, peer, EPERM, 0, err);
		return;
	}
	imsgev_reply(iev, peer, 0, 0, NULL);
}

/* a net namespace owned by a user namespace with a parent: a container */
static int
netns_ok(int fd)
{
	int	ufd, pfd, ok;

	if (fd == -1 || ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
		return 0;
	if ((ufd = ioctl(fd, NS_GET_USERNS)) == -1)
		return 0;
	pfd = ioctl(ufd, NS_GET_PARENT);
	ok = pfd != -1;
	close(ufd);
	if (pfd != -1)
		close(pfd);
	return ok;
}

/*
 * The peer's name in C: eth0..eth7, nothing else (never lo, never a name
 * of the host's).  0..NET_MAXIFS-1, or -1.
 */
static int
peer_index(const char *s, size_t size)
{
	size_t	i;

	if (strncmp(s, "eth", 3) != 0 || size < 5 || s[3] == '\0')
		return -1;
	for (i = 3; i < size && s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	if (i != 4 || i >= size || s[3] - '0' >= NET_MAXIFS)
		return -1;
	return s[3] - '0';
}

static const char *
veth_check(const struct msg_net_veth *v)
{
	char	want[NET_IFNAMELEN];
	int	n;

	if (!msg_id_ok(v->id, sizeof(v->id)))
		return "bad container id";
	if ((n = peer_index(v->peer, sizeof(v->peer))) == -1)
		return "peer name must be eth0..eth7";
	/* eth0's host end is cv + 12 of the id, ethN's adds N */
	if (n == 0)
		snprintf(want, sizeof(want), NET_VETHPFX "%.12s", v->id);
	else
		snprintf(want, sizeof(want), NET_VETHPFX "%.12s%d", v->id, n);
	if (strncmp(v->host, want, sizeof(v->host)) != 0)
		return "veth name must be " NET_VETHPFX " and the id's first 12"
		    " (and N for ethN)";
	if (!bridge_name_ok(v->bridge, sizeof(v->bridge)) ||
	    find_net(v->bridge) == -1)
		return "not a network of celld's";
	if (v->mtu != 0 && (v->mtu < 576 || v->mtu > 65535))
		return "bad mtu";
	/* none (the kernel's), or unicast and locally administered */
	if ((v->mac[0] | v->mac[1] | v->mac[2] | v->mac[3] | v->mac[4] |
	    v->mac[5]) != 0 && (v->mac[0] & 0x03) != 0x02)
		return "bad mac address";
	return NULL;
}

static void
net_veth(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_net_veth	 v;
	const char		*why;
	char			 err[CELL_MSGLEN];
	uint32_t		 peer = imsg_get_peerid(imsg);
	int			 fd = imsg_get_fd(imsg), del;

	del = imsg_get_type(imsg) == MSG_NET_VETH_DEL;
	if (imsg_get_data(imsg, &v, sizeof(v)) == -1)
		why = "bad request";
	else if ((why = veth_check(&v)) == NULL && !del && !netns_ok(fd))
		why = "not a container's network namespace";
	if (why != NULL) {
		if (fd != -1)
			close(fd);
		imsgev_reply(iev, peer, EINVAL, 0, why);
		return;
	}
	if (del ? link_veth_del(v.host, err, sizeof(err)) :
	    link_veth(&v, fd, err, sizeof(err)))
		imsgev_reply(iev, peer, EPERM, 0, err);
	else
		imsgev_reply(iev, peer, 0, 0, NULL);
	if (fd != -1)
		close(fd);
}

/* the addresses of a port: v4 ones, or (AF_INET6) v6 ones, not both */
static const char *
port_addr_check(const struct msg_net_port *p, const struct msg_net_bridge *n)
{
	if (p->family == AF_INET6) {
		if (n->prefix6 == 0 || p->addr != 0 || p->hostip != 0 ||
		    !msg_in6_host_ok(p->addr6, n->subnet6, n->prefix6) ||
		    memcmp(p->addr6, n->gateway6, 16) == 0)
			return "address outside the network";
		/* no route_localnet for IPv6: DNAT from ::1 goes nowhere */
		if (!msg_in6_hostip_ok(p->hostip6))
			return "bad host address";
		return NULL;
	}
	if (p->family != 0 && p->family != AF_INET)
		return "bad address family";
	if (!zero16(p->addr6) || !zero16(p->hostip6) ||
	    (p->addr & mask_of(n->prefix)) != n->subnet ||
	    p->addr == n->gateway || p->addr == n->subnet)
		return "address outside the network";
	if (p->hostip != 0 && !unicast_ok(p->hostip) &&
	    ntohl(p->hostip) >> 24 != 127)
		return "bad host address";
	return NULL;
}

/* q and p (the same port and protocol) take the same host address */
static int
port_same_host(const struct msg_net_port *q, const struct msg_net_port *p)
{
	if ((q->family == AF_INET6) != (p->family == AF_INET6))
		return 0;
	if (p->family == AF_INET6)
		return zero16(q->hostip6) || zero16(p->hostip6) ||
		    memcmp(q->hostip6, p->hostip6, 16) == 0;
	return q->hostip == p->hostip || q->hostip == 0 || p->hostip == 0;
}

static const char *
port_check(const struct msg_net_port *p, int *dup)
{
	const struct msg_net_port	*q;
	const char			*why;
	int				 i;

	*dup = -1;
	if (!msg_id_ok(p->id, sizeof(p->id)))
		return "bad container id";
	if (!bridge_name_ok(p->bridge, sizeof(p->bridge)) ||
	    (i = find_net(p->bridge)) == -1)
		return "not a network of celld's";
	if ((st.nets[i].flags & NETF_INTERNAL) != 0)
		return "an internal network publishes nothing";
	if ((why = port_addr_check(p, &st.nets[i])) != NULL)
		return why;
	if (p->hport == 0 || p->cport == 0 || (p->proto != 6 &&
	    p->proto != 17))
		return "bad port or protocol";
	for (i = 0; i < st.nports; i++) {
		q = &st.ports[i];
		if (q->hport != p->hport || q->proto != p->proto ||
		    !port_same_host(q, p))
			continue;
		if (strcmp(q->id, p->id) != 0 || q->hostip != p->hostip ||
		    memcmp(q->hostip6, p->hostip6, 16) != 0)
			return "port already published";
		*dup = i;
	}
	return NULL;
}

static void
net_port(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_net_port	 p;
	const char		*why;
	char			 err[CELL_MSGLEN];
	uint32_t		 peer = imsg_get_peerid(imsg);
	int			 i, del = imsg_get_type(imsg) == MSG_NET_PORT_DEL;

	if (imsg_get_data(imsg, &p, sizeof(p)) == -1)
		why = "bad request";
	else
		why = port_check(&p, &i);
	if (why != NULL || (!del && i == -1 && st.nports == NET_MAXPORTS)) {
		imsgev_reply(iev, peer, why && strstr(why, "already") ?
		    EADDRINUSE : EINVAL, 0, why ? why : "too many ports");
		return;
	}
	if (del && i != -1)
		st.ports[i] = st.ports[--st.nports];
	else if (!del && i == -1)
		st.ports[st.nports++] = p;
	else {
		imsgev_reply(iev, peer, 0, 0, NULL);	/* nothing changes */
		return;
	}
	if (nft_sync(&st, err, sizeof(err)) == -1) {
		if (!del)
			st.nports--;
		imsgev_reply(iev, peer, EIO, 0, err);
		return;
	}
	imsgev_reply(iev, peer, 0, 0, NULL);
}

static void
net_dispatch(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg_get_type(imsg)) {
	case MSG_NET_BRIDGE:
		net_bridge(iev, imsg);
		break;
	case MSG_NET_BRIDGE_DEL:
		net_bridge_del(iev, imsg);
		break;
	case MSG_NET_VETH:
	case MSG_NET_VETH_DEL:
		net_veth(iev, imsg);
		break;
	case MSG_NET_PORT:
	case MSG_NET_PORT_DEL:
		net_port(iev, imsg);
		break;
	default:
		log_warnx("net-helper: unexpected %s",
		    msg_name(imsg_get_type(imsg)));
		imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
		    "unexpected");
	}
}

int
main(int argc, char **argv)
{
	helper_main(argc, argv, &net_privs, PROC_NET, net_dispatch);
}

#ifdef SBX_PROBE
/* tests/security/sbx_probe applies this very table and attacks it */
const struct proc_privs *net_table = &net_privs;
#endif
