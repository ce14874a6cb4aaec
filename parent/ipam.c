/*
 * ipam.c: leases of a subnet.  The network and broadcast addresses and
 * the gateway are never handed out; an address is never handed out
 * twice; a container asking again gets the lease it has.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

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
}

void
ipam_free(struct ipam *p)
{
	free(p->l);
	p->l = NULL;
	p->n = p->cap = 0;
}

/* a host address of the subnet, not the gateway */
int
ipam_contains(const struct ipam *p, uint32_t addr)
{
	uint32_t	m = ipam_mask(p->prefix), h = ntohl(addr);

	return (h & m) == ntohl(p->subnet) && (h & ~m) != 0 &&
	    (h & ~m) != ~m && addr != p->gateway;
}

const struct ipam_lease *
ipam_find(const struct ipam *p, const char *id)
{
	size_t	i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->l[i].id, id) == 0)
			return &p->l[i];
	return NULL;
}

static int
ipam_taken(const struct ipam *p, uint32_t addr)
{
	size_t	i;

	for (i = 0; i < p->n; i++)
		if (p->l[i].addr == addr)
			return 1;
	return 0;
}

static int
ipam_add(struct ipam *p, const char *id, uint32_t addr)
{
	struct ipam_lease	*nl;

	if (p->n == p->cap) {
		size_t	ncap = p->cap ? p->cap * 2 : 16;

		if ((nl = reallocarray(p->l, ncap, sizeof(*nl))) == NULL)
			return -1;
		p->l = nl;
		p->cap = ncap;
	}
	p->l[p->n].addr = addr;
	strlcpy(p->l[p->n].id, id, sizeof(p->l[p->n].id));
	p->n++;
	return 0;
}

/*
 * want 0: the next free address after the last one handed out (so a
 * released address is not reused at once).  Errors: EEXIST want is
 * someone else's, EINVAL want is outside, ENOSPC none left.
 */
int
ipam_alloc(struct ipam *p, const char *id, uint32_t want, uint32_t *out)
{
	const struct ipam_lease	*l;
	uint32_t		 m = ipam_mask(p->prefix), base, size, i, a;

	if ((l = ipam_find(p, id)) != NULL) {
		if (want != 0 && want != l->addr) {
			errno = EEXIST;
			return -1;
		}
		*out = l->addr;
		return 0;
	}
	if (want != 0) {
		if (!ipam_contains(p, want) || ipam_taken(p, want)) {
			errno = ipam_contains(p, want) ? EEXIST : EINVAL;
			return -1;
		}
		*out = want;
		return ipam_add(p, id, want);
	}
	base = ntohl(p->subnet) & m;
	size = ~m + 1;
	for (i = 0; i < size; i++) {
		a = base + ((p->next - base + i) & ~m);
		if (ipam_contains(p, htonl(a)) && !ipam_taken(p, htonl(a))) {
			p->next = a + 1;
			*out = htonl(a);
			return ipam_add(p, id, *out);
		}
	}
	errno = ENOSPC;
	return -1;
}

int
ipam_release(struct ipam *p, const char *id)
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

/* "next A.B.C.D\n" then "A.B.C.D ID\n" per lease; free() the result */
char *
ipam_format(const struct ipam *p)
{
	char		*buf, a[INET_ADDRSTRLEN];
	size_t		 len = 32 + p->n * (INET_ADDRSTRLEN + IPAM_IDLEN + 2);
	size_t		 off;
	uint32_t	 nx = htonl(p->next);
	size_t		 i;

	if ((buf = malloc(len)) == NULL)
		return NULL;
	inet_ntop(AF_INET, &nx, a, sizeof(a));
	off = snprintf(buf, len, "next %s\n", a);
	for (i = 0; i < p->n; i++) {
		inet_ntop(AF_INET, &p->l[i].addr, a, sizeof(a));
		off += snprintf(buf + off, len - off, "%s %s\n", a,
		    p->l[i].id);
	}
	return buf;
}

/* the text of ipam_format(); -1 and EINVAL on anything else */
int
ipam_parse(struct ipam *p, const char *text)
{
	char		 line[160], addr[INET_ADDRSTRLEN + 8], id[IPAM_IDLEN + 8];
	const char	*s = text, *e;
	uint32_t	 a;
	size_t		 len;

	while (*s != '\0') {
		if ((e = strchr(s, '\n')) == NULL ||
		    (len = e - s) >= sizeof(line))
			goto bad;
		memcpy(line, s, len);
		line[len] = '\0';
		s = e + 1;
		if (strncmp(line, "next ", 5) == 0) {
			if (inet_pton(AF_INET, line + 5, &a) != 1)
				goto bad;
			p->next = ntohl(a);
			continue;
		}
		if (sscanf(line, "%23s %71s", addr, id) != 2 ||
		    inet_pton(AF_INET, addr, &a) != 1)
			goto bad;
		if (strlen(id) != IPAM_IDLEN || !ipam_contains(p, a) ||
		    ipam_taken(p, a) || ipam_find(p, id) != NULL ||
		    ipam_add(p, id, a) == -1)
			goto bad;
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}
