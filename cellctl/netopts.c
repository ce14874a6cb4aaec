/*
 * netopts.c: run/create's network flags into the spec: --network,
 * -p [[HOSTIP:][HOSTPORT]:]PORT[/tcp|/udp] (HOSTIP: A.B.C.D or [V6]),
 * --ip, --ip6, --dns, --add-host and --expose.  Each returns NULL or a
 * one-line reason.  A -p without a host port (and -P, which the parent
 * expands) leaves the pick to celld.
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
	s->flags &= ~(SPEC_NONET | SPEC_HOSTNET);
	if (strcmp(v, "none") == 0 || strcmp(v, "host") == 0) {
		/* host: no netns of its own, so none of celld's network */
		s->flags |= SPEC_NONET;
		if (strcmp(v, "host") == 0)
			s->flags |= SPEC_HOSTNET;
		s->network[0] = '\0';
		return NULL;
	}
	if (!msg_name_ok(v, strlen(v) + 1))
		return "--network: not a network name";
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
	if ((cp = strrchr(buf, ':')) == NULL) {
		cp = buf;		/* PORT alone */
		hp = NULL;
	} else {
		*cp++ = '\0';
		if ((hp = strrchr(buf, ':')) != NULL) {
			*hp++ = '\0';
			if ((why6 = port_hostip(s, buf)) != NULL)
				return why6;
		} else
			hp = buf;
	}
	if ((hp != NULL && *hp != '\0' && port_num(hp, &p->hport) == -1) ||
	    port_num(cp, &p->cport) == -1) {
		snprintf(why, sizeof(why), "-p %s: ports are 1 to 65535", v);
		return why;
	}
	if (p->hport == 0)
		s->portsrand |= 1U << s->nports;
	for (i = 0; i < s->nports && p->hport != 0; i++)
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

const char *
opt_dns(struct cell_spec *s, const char *v)
{
	if (s->ndns == SPEC_MAXDNS)
		return "--dns: at most 3 servers (resolv.conf reads no more)";
	if (inet_pton(AF_INET, v, &s->dns[s->ndns]) != 1 ||
	    s->dns[s->ndns] == 0)
		return "--dns: expected an IPv4 address";
	s->ndns++;
	return NULL;
}

/* --add-host NAME:IP (Docker's form; NAME=IP is accepted too) */
const char *
opt_addhost(struct cell_spec *s, const char *v)
{
	static char	 why[128];
	size_t		 n = strcspn(v, ":=");
	uint32_t	 i = s->nhosts;

	if (i == SPEC_MAXHOSTS)
		return "--add-host: too many hosts";
	if (v[n] == '\0' || n == 0 || n >= sizeof(s->hosts[i].name)) {
		snprintf(why, sizeof(why), "--add-host %.64s: expected "
		    "NAME:IP", v);
		return why;
	}
	memcpy(s->hosts[i].name, v, n);
	s->hosts[i].name[n] = '\0';
	if (s->hosts[i].name[strspn(s->hosts[i].name, "abcdefghijklmnopqrstuv"
	    "wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")] != '\0')
		return "--add-host: NAME may hold letters, digits, '.' and '-'";
	if (inet_pton(AF_INET, v + n + 1, &s->hosts[i].addr) != 1 ||
	    s->hosts[i].addr == 0)
		return "--add-host: IP must be an IPv4 address";
	s->nhosts++;
	return NULL;
}

/* --expose PORT[/tcp|/udp] */
const char *
opt_expose(struct cell_spec *s, const char *v)
{
	struct cell_expose	*e = &s->expose[s->nexpose];
	const char		*sl = strchr(v, '/');
	char			 num[16];

	if (s->nexpose == SPEC_MAXEXPOSE)
		return "--expose: too many ports";
	e->proto = IPPROTO_TCP;
	if (sl != NULL && strcmp(sl + 1, "udp") == 0)
		e->proto = IPPROTO_UDP;
	else if (sl != NULL && strcmp(sl + 1, "tcp") != 0)
		return "--expose: protocol must be tcp or udp";
	if (strlcpy(num, v, sizeof(num)) >= sizeof(num))
		return "--expose: expected PORT[/tcp|/udp]";
	num[strcspn(num, "/")] = '\0';
	if (port_num(num, &e->port) == -1)
		return "--expose: ports are 1 to 65535";
	s->nexpose++;
	return NULL;
}
