/*
 * ipam.c: leases of a subnet.  The network and broadcast addresses and
 * the gateway are never handed out; an address is never handed out
 * twice; a container asking again gets the lease it has.  The leases
 * and their text are lease.c's; what is IPv4's is here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "ipam.h"

static uint32_t
ipam_mask(uint32_t prefix)
{
	return prefix == 0 ? 0 : ~0u << (32 - prefix);
}

void
ipam_init(struct ipam *p, uint32_t subnet, uint32_t prefix, uint32_t gw)
{
	memset(p, 0, sizeof(*p));
	p->subnet = subnet;
	p->prefix = prefix;
	p->gateway = gw;
	p->next = (ntohl(subnet) & ipam_mask(prefix)) + 1;
	leases_init(&p->ls, sizeof(struct ipam_lease),
	    offsetof(struct ipam_lease, addr), sizeof(uint32_t),
	    offsetof(struct ipam_lease, id), AF_INET);
}

void
ipam_free(struct ipam *p)
{
	leases_free(&p->ls);
}

/* a host address of the subnet, not the gateway */
int
ipam_contains(const struct ipam *p, uint32_t addr)
{
	uint32_t	m = ipam_mask(p->prefix), h = ntohl(addr);

	return (h & m) == ntohl(p->subnet) && (h & ~m) != 0 &&
	    (h & ~m) != ~m && addr != p->gateway;
}

/* ipam_contains() for lease.c: the address as 4 bytes */
static int
ipam_ok(const void *p, const void *a)
{
	uint32_t	addr;

	memcpy(&addr, a, sizeof(addr));
	return ipam_contains(p, addr);
}

static int
ipam_next(void *arg, const void *a)
{
	struct ipam	*p = arg;
	uint32_t	 addr;

	memcpy(&addr, a, sizeof(addr));
	p->next = ntohl(addr);
	return 0;
}

const struct ipam_lease *
ipam_find(const struct ipam *p, const char *id)
{
	return leases_find(&p->ls, id);
}

/* lease i, or NULL past the last */
const struct ipam_lease *
ipam_nth(const struct ipam *p, size_t i)
{
	return leases_nth(&p->ls, i);
}

size_t
ipam_count(const struct ipam *p)
{
	return p->ls.n;
}

/*
 * want 0: the next free address after the last one handed out (so a
 * released address is not reused at once).  Errors: EEXIST want is
 * someone else's, EINVAL want is outside, ENOSPC none left.
 */
int
ipam_alloc(struct ipam *p, const char *id, uint32_t want, uint32_t *out)
{
	uint32_t	m = ipam_mask(p->prefix), base, size, i, a, na;
	int		r;

	if ((r = leases_claim(&p->ls, id, want != 0 ? &want : NULL, out,
	    ipam_ok, p)) != 1)
		return r;
	base = ntohl(p->subnet) & m;
	size = ~m + 1;
	for (i = 0; i < size; i++) {
		a = base + ((p->next - base + i) & ~m);
		na = htonl(a);
		if (ipam_contains(p, na) && !leases_taken(&p->ls, &na)) {
			p->next = a + 1;
			*out = na;
			return leases_add(&p->ls, id, out);
		}
	}
	errno = ENOSPC;
	return -1;
}

int
ipam_release(struct ipam *p, const char *id)
{
	return leases_release(&p->ls, id);
}

/* "next A.B.C.D\n" then "A.B.C.D ID\n" per lease; free() the result */
char *
ipam_format(const struct ipam *p)
{
	uint32_t	nx = htonl(p->next);

	return leases_format(&p->ls, &nx);
}

/* the text of ipam_format(); -1 and EINVAL on anything else */
int
ipam_parse(struct ipam *p, const char *text)
{
	return leases_parse(&p->ls, text, ipam_next, ipam_ok, p);
}
