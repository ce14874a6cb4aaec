/*
 * ipam6.c: leases of a network's IPv6 subnet, the twin of ipam.c.  A host
 * is a number in the low bits of the address (at most 64 of them, so a
 * /48 hands out from its first /64 only); host 0, the subnet-router
 * anycast address, and the gateway are never handed out, an address is
 * never handed out twice, and a container asking again gets its lease.
 * The leases and their text are lease.c's; what is IPv6's is here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

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
	leases_init(&p->ls, sizeof(struct ipam6_lease),
	    offsetof(struct ipam6_lease, addr), 16,
	    offsetof(struct ipam6_lease, id), AF_INET6);
}

void
ipam6_free(struct ipam6 *p)
{
	leases_free(&p->ls);
}

/* a host address of the subnet: not host 0, not the gateway */
int
ipam6_contains(const struct ipam6 *p, const uint8_t *a)
{
	return p->prefix != 0 && msg_in6_match(a, p->subnet, p->prefix) &&
	    !ipam6_hostzero(a, p->prefix) && memcmp(a, p->gateway, 16) != 0;
}

/* ipam6_contains() for lease.c */
static int
ipam6_ok(const void *p, const void *a)
{
	return ipam6_contains(p, a);
}

/* the "next" line: an address in the subnet, kept as its host number */
static int
ipam6_next(void *arg, const void *a)
{
	struct ipam6	*p = arg;

	if (!msg_in6_match(a, p->subnet, p->prefix))
		return -1;
	p->next = ipam6_hostnum(a);
	return 0;
}

const struct ipam6_lease *
ipam6_find(const struct ipam6 *p, const char *id)
{
	return leases_find(&p->ls, id);
}

/* lease i, or NULL past the last */
const struct ipam6_lease *
ipam6_nth(const struct ipam6 *p, size_t i)
{
	return leases_nth(&p->ls, i);
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
	uint64_t	mask, h, i;
	int		r;

	if (want != NULL && ipam6_zero(want))
		want = NULL;
	if ((r = leases_claim(&p->ls, id, want, out, ipam6_ok, p)) != 1)
		return r;
	mask = ipam6_hostbits(p) == 64 ? ~0ULL :
	    (1ULL << ipam6_hostbits(p)) - 1;
	for (i = 0; i <= p->ls.n + 2 && i <= mask; i++) {
		h = (p->next + i) & mask;
		ipam6_host(p, h, out);
		if (ipam6_contains(p, out) && !leases_taken(&p->ls, out)) {
			p->next = (h + 1) & mask;
			return leases_add(&p->ls, id, out);
		}
	}
	errno = ENOSPC;
	return -1;
}

int
ipam6_release(struct ipam6 *p, const char *id)
{
	return leases_release(&p->ls, id);
}

/* "next ADDR\n" then "ADDR ID\n" per lease; free() the result */
char *
ipam6_format(const struct ipam6 *p)
{
	uint8_t	nx[16];

	ipam6_host(p, p->next, nx);
	return leases_format(&p->ls, nx);
}

/* the text of ipam6_format(); -1 and EINVAL on anything else */
int
ipam6_parse(struct ipam6 *p, const char *text)
{
	return leases_parse(&p->ls, text, ipam6_next, ipam6_ok, p);
}
