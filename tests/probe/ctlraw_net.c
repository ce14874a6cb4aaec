/*
 * ctlraw_net.c: ctlraw's hostile requests to net-helper, as a parent
 * that lies.  Modes, fields separated by commas:
 *   bridge,NAME,A.B.C.D/N,GW        MSG_NET_BRIDGE
 *   bridgedel,NAME                  MSG_NET_BRIDGE_DEL
 *   veth,ID,BRIDGE,HOST,FD[,PEER[,MAC]]
 *                                   MSG_NET_VETH; FD: null (/dev/null),
 *                                   self (our own netns), user (a user ns);
 *                                   PEER the name in C, eth0 if not given;
 *                                   MAC the peer's, aa:bb:cc:dd:ee:ff
 *   vethdel,ID,BRIDGE,HOST[,PEER]   MSG_NET_VETH_DEL
 *   netif,ID,PID,IFNAME             MSG_SPAWN_NETIF (to spawn-helper):
 *                                   10.99.0.2/24 on IFNAME in PID's netns
 *   netnsask,ID,PID                 MSG_SPAWN_NETNS_ASK
 *   route,ID,PID,IFNAME,GW          MSG_SPAWN_NETROUTE: the default route
 *                                   via GW, IFNAME 10.99.0.2/24
 *   port,ID,BRIDGE,ADDR,HPORT,CPORT,PROTO   MSG_NET_PORT
 *   bridge6,NAME,A.B.C.D/N,GW,P6/N,GW6      MSG_NET_BRIDGE, dual-stack
 *   port6,ID,BRIDGE,ADDR6,HPORT,CPORT,PROTO,HOSTIP6
 *                                   MSG_NET_PORT, family AF_INET6
 * and, as a client that lies to the parent (cellctl would refuse):
 *   spec6,HOSTIP6                   MSG_CTL_CREATE of busybox true with
 *                                   -p [HOSTIP6]:8099:80 taken whole
 *   net6,NAME,FLAGS,SUBNET6         MSG_CTL_NETWORK create, v6 fields raw
 * ID "x" stands for a well-formed id.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg/msg.h"

int	raw_frame(int, uint32_t, uint32_t, uint16_t, const void *, size_t,
	    int);

#define F_MAX	8

static int
split(char *s, char **f)
{
	int	n = 0;

	while (n < F_MAX && (f[n] = strsep(&s, ",")) != NULL)
		n++;
	return n;
}

static void
put_id(char *dst, size_t len, const char *s)
{
	if (strcmp(s, "x") == 0)
		s = "0123456789abcdef0123456789abcdef"
		    "0123456789abcdef0123456789abcdef";
	snprintf(dst, len, "%s", s);
}

static int
cidr(const char *s, uint32_t *a, uint32_t *p)
{
	char	buf[64], *sl;

	snprintf(buf, sizeof(buf), "%s", s);
	if ((sl = strchr(buf, '/')) == NULL)
		return -1;
	*sl++ = '\0';
	*p = strtoul(sl, NULL, 10);
	return inet_pton(AF_INET, buf, a) == 1 ? 0 : -1;
}

static int
cidr6(const char *s, uint8_t *a, uint32_t *p)
{
	char	buf[64], *sl;

	snprintf(buf, sizeof(buf), "%s", s);
	if ((sl = strchr(buf, '/')) == NULL)
		return -1;
	*sl++ = '\0';
	*p = strtoul(sl, NULL, 10);
	return inet_pton(AF_INET6, buf, a) == 1 ? 0 : -1;
}

static int
net_fd(const char *kind)
{
	const char	*path = strcmp(kind, "self") == 0 ? "/proc/self/ns/net" :
			    strcmp(kind, "user") == 0 ? "/proc/self/ns/user" :
			    "/dev/null";

	return open(path, O_RDONLY | O_CLOEXEC);
}

static int
send_net(int fd, uint32_t type, const void *d, size_t len, int sendfd)
{
	int	r;

	r = raw_frame(fd, type, IMSG_HDR_SIZE + len, sendfd != -1 ?
	    IMSGF_HASFD : 0, d, len, sendfd);
	if (sendfd != -1)
		close(sendfd);
	return r;
}

/* a client's forged v6 requests: spec6 and net6 (see the top) */
static int
raw_client6(int fd, int n, char **f)
{
	static struct cell_spec		s;
	static struct msg_ctl_network	m;

	if (n == 2) {
		memset(&s, 0, sizeof(s));
		snprintf(s.image, sizeof(s.image), "busybox");
		snprintf(s.args, sizeof(s.args), "true");
		s.argc = 1;
		s.nports = 1;
		s.ports[0].hport = 8099;
		s.ports[0].cport = 80;
		s.ports[0].proto = 6;
		s.ports6[0].family = AF_INET6;
		if (inet_pton(AF_INET6, f[1], s.ports6[0].hostip6) != 1)
			return 1;
		return send_net(fd, MSG_CTL_CREATE, &s, sizeof(s), -1);
	}
	memset(&m, 0, sizeof(m));
	m.op = NETCTL_CREATE;
	snprintf(m.name, sizeof(m.name), "%s", f[1]);
	m.flags = strtoul(f[2], NULL, 0);
	snprintf(m.subnet6, sizeof(m.subnet6), "%s", f[3]);
	return send_net(fd, MSG_CTL_NETWORK, &m, sizeof(m), -1);
}

int
raw_net(int fd, const char *mode)
{
	static struct msg_net_bridge	b;
	static struct msg_net_veth	v;
	static struct msg_net_port	p;
	static struct msg_spawn_netif	ni;
	char				buf[256], *f[F_MAX];
	int				n;

	snprintf(buf, sizeof(buf), "%s", mode);
	n = split(buf, f);
	memset(&b, 0, sizeof(b));
	memset(&v, 0, sizeof(v));
	memset(&p, 0, sizeof(p));
	if (n == 4 && strcmp(f[0], "bridge") == 0) {
		snprintf(b.name, sizeof(b.name), "%s", f[1]);
		if (cidr(f[2], &b.subnet, &b.prefix) == -1 ||
		    inet_pton(AF_INET, f[3], &b.gateway) != 1)
			return 1;
		b.flags = NETF_NAT;
		return send_net(fd, MSG_NET_BRIDGE, &b, sizeof(b), -1);
	}
	if (n == 6 && strcmp(f[0], "bridge6") == 0) {
		snprintf(b.name, sizeof(b.name), "%s", f[1]);
		if (cidr(f[2], &b.subnet, &b.prefix) == -1 ||
		    inet_pton(AF_INET, f[3], &b.gateway) != 1 ||
		    cidr6(f[4], b.subnet6, &b.prefix6) == -1 ||
		    inet_pton(AF_INET6, f[5], b.gateway6) != 1)
			return 1;
		b.flags = NETF_NAT;
		return send_net(fd, MSG_NET_BRIDGE, &b, sizeof(b), -1);
	}
	if (n == 8 && strcmp(f[0], "port6") == 0) {
		put_id(p.id, sizeof(p.id), f[1]);
		snprintf(p.bridge, sizeof(p.bridge), "%s", f[2]);
		if (inet_pton(AF_INET6, f[3], p.addr6) != 1 ||
		    inet_pton(AF_INET6, f[7], p.hostip6) != 1)
			return 1;
		p.family = AF_INET6;
		p.hport = atoi(f[4]);
		p.cport = atoi(f[5]);
		p.proto = atoi(f[6]);
		return send_net(fd, MSG_NET_PORT, &p, sizeof(p), -1);
	}
	if ((n == 2 && strcmp(f[0], "spec6") == 0) ||
	    (n == 4 && strcmp(f[0], "net6") == 0))
		return raw_client6(fd, n, f);
	if (n == 2 && strcmp(f[0], "bridgedel") == 0) {
		snprintf(b.name, sizeof(b.name), "%s", f[1]);
		return send_net(fd, MSG_NET_BRIDGE_DEL, &b, sizeof(b), -1);
	}
	if (n == 7 && strcmp(f[0], "veth") == 0) {
		if (sscanf(f[6], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &v.mac[0],
		    &v.mac[1], &v.mac[2], &v.mac[3], &v.mac[4], &v.mac[5]) != 6)
			return 1;
		n = 6;
	}
	if (((n == 5 || n == 6) && strcmp(f[0], "veth") == 0) ||
	    ((n == 4 || n == 5) && strcmp(f[0], "vethdel") == 0)) {
		put_id(v.id, sizeof(v.id), f[1]);
		snprintf(v.bridge, sizeof(v.bridge), "%s", f[2]);
		snprintf(v.host, sizeof(v.host), "%s", f[3]);
		snprintf(v.peer, sizeof(v.peer), "%s", "eth0");
		if (n == 6 || (n == 5 && strcmp(f[0], "vethdel") == 0))
			snprintf(v.peer, sizeof(v.peer), "%s", f[n - 1]);
		if (f[0][4] == 'd')
			return send_net(fd, MSG_NET_VETH_DEL, &v, sizeof(v),
			    -1);
		return send_net(fd, MSG_NET_VETH, &v, sizeof(v), net_fd(f[4]));
	}
	if (n == 7 && strcmp(f[0], "port") == 0) {
		put_id(p.id, sizeof(p.id), f[1]);
		snprintf(p.bridge, sizeof(p.bridge), "%s", f[2]);
		if (inet_pton(AF_INET, f[3], &p.addr) != 1)
			return 1;
		p.hport = atoi(f[4]);
		p.cport = atoi(f[5]);
		p.proto = atoi(f[6]);
		return send_net(fd, MSG_NET_PORT, &p, sizeof(p), -1);
	}
	if ((n == 4 && strcmp(f[0], "netif") == 0) ||
	    (n == 3 && strcmp(f[0], "netnsask") == 0)) {
		memset(&ni, 0, sizeof(ni));
		put_id(ni.id, sizeof(ni.id), f[1]);
		ni.pid = atoi(f[2]);
		if (n == 3)
			return send_net(fd, MSG_SPAWN_NETNS_ASK, &ni,
			    sizeof(ni), -1);
		memcpy(ni.cfg.id, ni.id, sizeof(ni.cfg.id));
		snprintf(ni.cfg.ifname, sizeof(ni.cfg.ifname), "%s", f[3]);
		inet_pton(AF_INET, "10.99.0.2", &ni.cfg.addr);
		inet_pton(AF_INET, "10.99.0.1", &ni.cfg.gateway);
		ni.cfg.prefix = 24;
		return send_net(fd, MSG_SPAWN_NETIF, &ni, sizeof(ni), -1);
	}
	/* route,ID,PID,IF,GW[,FLAGS]: NETCFG_DEFROUTE unless FLAGS */
	if ((n == 5 || n == 6) && strcmp(f[0], "route") == 0) {
		memset(&ni, 0, sizeof(ni));
		put_id(ni.id, sizeof(ni.id), f[1]);
		memcpy(ni.cfg.id, ni.id, sizeof(ni.cfg.id));
		ni.pid = atoi(f[2]);
		snprintf(ni.cfg.ifname, sizeof(ni.cfg.ifname), "%s", f[3]);
		inet_pton(AF_INET, "10.99.0.2", &ni.cfg.addr);
		if (inet_pton(AF_INET, f[4], &ni.cfg.gateway) != 1)
			return 1;
		ni.cfg.prefix = 24;
		ni.cfg.flags = n == 6 ? (uint32_t)strtoul(f[5], NULL, 0) :
		    NETCFG_DEFROUTE;
		return send_net(fd, MSG_SPAWN_NETROUTE, &ni, sizeof(ni), -1);
	}
	return 1;
}
