/*
 * ipam6.c: leases of a network's IPv6 subnet, the twin of ipam.c.  A host
 * is a number in the low bits of the address (at most 64 of them, so a
 * /48 hands out from its first /64 only); host 0, the subnet-router
 * anycast address, and the gateway are never handed out, an address is
 * never handed out twice, and a container asking again gets its lease.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "imsg/msg.h"
#include "ipam.h"

int
ipam6_zero(const uint8_t *a)
{
	static const uint8_t	z[16];

	return memcmp(a, z, 16) == 0;
}

/* are the bits after bits all zero? */
static int
ipam6_hostzero(const uint8_t *a, uint32_t bits)
{
	uint32_t	i;

	for (i = bits; i < 128; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

int
ipam6_overlaps(const uint8_t *a, uint32_t pa, const uint8_t *b, uint32_t pb)
{
	return msg_in6_match(a, b, pa < pb ? pa : pb);
}

/* a subnet a network may have (imsg/spec.c) */
int
ipam6_subnet_ok(const uint8_t *s, uint32_t prefix)
{
	return msg_in6_subnet_ok(s, prefix);
}

static uint64_t
ipam6_hostbits(const struct ipam6 *p)
{
	return 128 - p->prefix > 64 ? 64 : 128 - p->prefix;
}

/* the address of host h */
static void
ipam6_host(const struct ipam6 *p, uint64_t h, uint8_t *out)
{
	int	i;

	memcpy(out, p->subnet, 16);
	for (i = 15; i >= 8; i--) {
		out[i] |= h & 0xff;
		h >>= 8;
	}
}

static uint64_t
ipam6_hostnum(const uint8_t *a)
{
	uint64_t	h = 0;
	int		i;

	for (i = 8; i < 16; i++)
		h = h << 8 | a[i];
	return h;
}

void
ipam6_init(struct ipam6 *p, const uint8_t *subnet, uint32_t prefix,
    const uint8_t *gw)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->subnet, subnet, 16);
	memcpy(p->gateway, gw, 16);
	p->prefix = prefix;
	p->next = 1;
}

void
ipam6_free(struct ipam6 *p)
{
	free(p->l);
	p->l = NULL;
	p->n = p->cap = 0;
}

/* a host address of the subnet: not host 0, not the gateway */
int
ipam6_contains(const struct ipam6 *p, const uint8_t *a)
{
	return p->prefix != 0 && msg_in6_match(a, p->subnet, p->prefix) &&
	    !ipam6_hostzero(a, p->prefix) && memcmp(a, p->gateway, 16) != 0;
}

const struct ipam6_lease *
ipam6_find(const struct ipam6 *p, const char *id)
{
	size_t	i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->l[i].id, id) == 0)
			return &p->l[i];
	return NULL;
}

static int
ipam6_taken(const struct ipam6 *p, const uint8_t *a)
{
	size_t	i;

	for (i = 0; i < p->n; i++)
		if (memcmp(p->l[i].addr, a, 16) == 0)
			return 1;
	return 0;
}

static int
ipam6_add(struct ipam6 *p, const char *id, const uint8_t *a)
{
	struct ipam6_lease	*nl;
	size_t			 ncap;

	if (p->n == p->cap) {
		ncap = p->cap ? p->cap * 2 : 16;
		if ((nl = reallocarray(p->l, ncap, sizeof(*nl))) == NULL)
			return -1;
		p->l = nl;
		p->cap = ncap;
	}
	memcpy(p->l[p->n].addr, a, 16);
	strlcpy(p->l[p->n].id, id, sizeof(p->l[p->n].id));
	p->n++;
	return 0;
}

/*
 * want NULL or ::: the next free host after the last one handed out.
 * Errors as ipam_alloc(): EEXIST want is someone else's (or the
 * container has another), EINVAL want is outside, ENOSPC none left.
 * With n leases a free host lies within n + 2 steps: the scan is short.
 */
int
ipam6_alloc(struct ipam6 *p, const char *id, const uint8_t *want,
    uint8_t *out)
{
	const struct ipam6_lease	*l;
	uint64_t			 mask, h, i;

	if (want != NULL && ipam6_zero(want))
		want = NULL;
	if ((l = ipam6_find(p, id)) != NULL) {
		if (want != NULL && memcmp(want, l->addr, 16) != 0) {
			errno = EEXIST;
			return -1;
		}
		memcpy(out, l->addr, 16);
		return 0;
	}
	if (want != NULL) {
		if (!ipam6_contains(p, want) || ipam6_taken(p, want)) {
			errno = ipam6_contains(p, want) ? EEXIST : EINVAL;
			return -1;
		}
		memcpy(out, want, 16);
		return ipam6_add(p, id, want);
	}
	mask = ipam6_hostbits(p) == 64 ? ~0ULL :
	    (1ULL << ipam6_hostbits(p)) - 1;
	for (i = 0; i <= p->n + 2 && i <= mask; i++) {
		h = (p->next + i) & mask;
		ipam6_host(p, h, out);
		if (ipam6_contains(p, out) && !ipam6_taken(p, out)) {
			p->next = (h + 1) & mask;
			return ipam6_add(p, id, out);
		}
	}
	errno = ENOSPC;
	return -1;
}

int
ipam6_release(struct ipam6 *p, const char *id)
{
	size_t	i;

	for (i = 0; i < p->n; i++) {
		if (strcmp(p->l[i].id, id) == 0) {
			p->l[i] = p->l[--p->n];
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

/* "next ADDR\n" then "ADDR ID\n" per lease; free() the result */
char *
ipam6_format(const struct ipam6 *p)
{
	char		*buf, a[INET6_ADDRSTRLEN];
	uint8_t		 nx[16];
	size_t		 len = 64 + p->n * (INET6_ADDRSTRLEN + IPAM_IDLEN + 2);
	size_t		 off, i;

	if ((buf = malloc(len)) == NULL)
		return NULL;
	ipam6_host(p, p->next, nx);
	inet_ntop(AF_INET6, nx, a, sizeof(a));
	off = snprintf(buf, len, "next %s\n", a);
	for (i = 0; i < p->n; i++) {
		inet_ntop(AF_INET6, p->l[i].addr, a, sizeof(a));
		off += snprintf(buf + off, len - off, "%s %s\n", a,
		    p->l[i].id);
	}
	return buf;
}

static int
ipam6_line(struct ipam6 *p, const char *line)
{
	char	addr[INET6_ADDRSTRLEN + 8], id[IPAM_IDLEN + 8];
	uint8_t	a[16];

	if (strncmp(line, "next ", 5) == 0) {
		if (inet_pton(AF_INET6, line + 5, a) != 1 ||
		    !msg_in6_match(a, p->subnet, p->prefix))
			return -1;
		p->next = ipam6_hostnum(a);
		return 0;
	}
	if (sscanf(line, "%53s %71s", addr, id) != 2 ||
	    inet_pton(AF_INET6, addr, a) != 1 || strlen(id) != IPAM_IDLEN ||
	    !ipam6_contains(p, a) || ipam6_taken(p, a) ||
	    ipam6_find(p, id) != NULL)
		return -1;
	return ipam6_add(p, id, a);
}

/* the text of ipam6_format(); -1 and EINVAL on anything else */
int
ipam6_parse(struct ipam6 *p, const char *text)
{
	char		 line[160];
	const char	*s = text, *e;
	size_t		 len;

	while (*s != '\0') {
		if ((e = strchr(s, '\n')) == NULL ||
		    (len = e - s) >= sizeof(line))
			goto bad;
		memcpy(line, s, len);
		line[len] = '\0';
		s = e + 1;
		if (ipam6_line(p, line) == -1)
			goto bad;
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}
