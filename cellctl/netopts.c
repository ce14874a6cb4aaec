/*
 * netopts.c: run/create's network flags into the spec: --network,
 * -p [HOSTIP:]HOSTPORT:PORT[/tcp|/udp] (HOSTIP: A.B.C.D or [V6]), --ip,
 * --ip6.  Each returns NULL or a
 * one-line reason.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "cellctl.h"

static int
port_num(const char *s, uint16_t *out)
{
	char	*end;
	long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

const char *
opt_network(struct cell_spec *s, const char *v)
{
	if (strcmp(v, "none") == 0) {
		s->flags |= SPEC_NONET;
		s->network[0] = '\0';
		return NULL;
	}
	if (strcmp(v, "host") == 0)
		return "--network host is not supported";
	if (!msg_name_ok(v, strlen(v) + 1))
		return "--network: not a network name";
	s->flags &= ~SPEC_NONET;
	strlcpy(s->network, v, sizeof(s->network));
	return NULL;
}

/*
 * -p's HOSTIP: an IPv4 address publishes on IPv4 only, [V6] on IPv6
 * only (no HOSTIP: both, on a dual-stack network).  [::1] is refused:
 * IPv6 has no route_localnet, the kernel drops a packet from ::1 that
 * DNAT sends on to a container (docs/network.md).
 */
static const char *
port_hostip(struct cell_spec *s, char *h)
{
	struct cell_port6	*p6 = &s->ports6[s->nports];
	size_t			 len = strlen(h);

	if (len < 2 || h[0] != '[' || h[len - 1] != ']') {
		if (inet_pton(AF_INET, h, &s->ports[s->nports].hostip) != 1)
			return "-p: HOSTIP must be an IPv4 address or [IPv6]";
		p6->family = AF_INET;
		return NULL;
	}
	h[len - 1] = '\0';
	if (inet_pton(AF_INET6, h + 1, p6->hostip6) != 1)
		return "-p: HOSTIP must be an IPv4 address or [IPv6]";
	if (IN6_IS_ADDR_LOOPBACK((struct in6_addr *)p6->hostip6))
		return "-p [::1]: IPv6 loopback can't reach a container (no "
		    "route_localnet for IPv6): use 127.0.0.1";
	if (IN6_IS_ADDR_MULTICAST((struct in6_addr *)p6->hostip6) ||
	    IN6_IS_ADDR_LINKLOCAL((struct in6_addr *)p6->hostip6) ||
	    IN6_IS_ADDR_V4MAPPED((struct in6_addr *)p6->hostip6))
		return "-p: HOSTIP must be a unicast IPv6 address";
	p6->family = AF_INET6;
	return NULL;
}

const char *
opt_port(struct cell_spec *s, const char *v)
{
	static char	 why[128];
	const char	*why6;
	char		 buf[64], *proto, *cp, *hp;
	struct cell_port *p;
	uint32_t	 i;

	if (s->nports == SPEC_MAXPORTS)
		return "-p: too many ports";
	if (strlcpy(buf, v, sizeof(buf)) >= sizeof(buf))
		return "-p: too long";
	p = &s->ports[s->nports];
	memset(p, 0, sizeof(*p));
	memset(&s->ports6[s->nports], 0, sizeof(s->ports6[s->nports]));
	p->proto = IPPROTO_TCP;
	if ((proto = strchr(buf, '/')) != NULL) {
		*proto++ = '\0';
		if (strcmp(proto, "udp") == 0)
			p->proto = IPPROTO_UDP;
		else if (strcmp(proto, "tcp") != 0)
			return "-p: protocol must be tcp or udp";
	}
	if ((cp = strrchr(buf, ':')) == NULL)
		return "-p: expected [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]";
	*cp++ = '\0';
	if ((hp = strrchr(buf, ':')) != NULL) {
		*hp++ = '\0';
		if ((why6 = port_hostip(s, buf)) != NULL)
			return why6;
	} else
		hp = buf;
	if (port_num(hp, &p->hport) == -1 || port_num(cp, &p->cport) == -1) {
		snprintf(why, sizeof(why), "-p %s: ports are 1 to 65535", v);
		return why;
	}
	for (i = 0; i < s->nports; i++)
		if (s->ports[i].hport == p->hport &&
		    s->ports[i].proto == p->proto)
			return "-p: the same host port twice";
	s->nports++;
	return NULL;
}

const char *
opt_ip(struct cell_spec *s, const char *v)
{
	if (inet_pton(AF_INET, v, &s->ip) != 1 || s->ip == 0)
		return "--ip: expected an IPv4 address";
	return NULL;
}

const char *
opt_ip6(struct cell_spec *s, const char *v)
{
	if (inet_pton(AF_INET6, v, s->ip6) != 1 ||
	    IN6_IS_ADDR_UNSPECIFIED((struct in6_addr *)s->ip6))
		return "--ip6: expected an IPv6 address";
	return NULL;
}
