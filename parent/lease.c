/*
 * lease.c: what IPv4 (ipam.c) and IPv6 (ipam6.c) IPAM have in common: the
 * leases themselves, each a container id and an address, and their text
 * in the state dir.  The address is opaque here (alen bytes in network
 * order, compared and copied whole); what is a host of the subnet, and
 * where to look for a free one, is the family's.
 *
 * The text is the same for both families, and is what existing state
 * dirs hold: "next ADDR\n", then "ADDR ID\n" per lease.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "ipam.h"

#define LEASE_LINEMAX	160

void
leases_init(struct leases *ls, size_t size, size_t aoff, size_t alen,
    size_t idoff, int af)
{
	memset(ls, 0, sizeof(*ls));
	ls->size = size;
	ls->aoff = aoff;
	ls->alen = alen;
	ls->idoff = idoff;
	ls->af = af;
}

void
leases_free(struct leases *ls)
{
	free(ls->l);
	ls->l = NULL;
	ls->n = ls->cap = 0;
}

/* lease i, or NULL past the last */
const void *
leases_nth(const struct leases *ls, size_t i)
{
	return i < ls->n ? ls->l + i * ls->size : NULL;
}

static const char *
leases_id(const struct leases *ls, size_t i)
{
	return (const char *)ls->l + i * ls->size + ls->idoff;
}

static const unsigned char *
leases_addr(const struct leases *ls, size_t i)
{
	return ls->l + i * ls->size + ls->aoff;
}

const void *
leases_find(const struct leases *ls, const char *id)
{
	size_t	i;

	for (i = 0; i < ls->n; i++)
		if (strcmp(leases_id(ls, i), id) == 0)
			return leases_nth(ls, i);
	return NULL;
}

int
leases_taken(const struct leases *ls, const void *addr)
{
	size_t	i;

	for (i = 0; i < ls->n; i++)
		if (memcmp(leases_addr(ls, i), addr, ls->alen) == 0)
			return 1;
	return 0;
}

int
leases_add(struct leases *ls, const char *id, const void *addr)
{
	unsigned char	*nl, *r;
	size_t		 ncap;

	if (ls->n == ls->cap) {
		ncap = ls->cap ? ls->cap * 2 : 16;
		if ((nl = reallocarray(ls->l, ncap, ls->size)) == NULL)
			return -1;
		ls->l = nl;
		ls->cap = ncap;
	}
	r = ls->l + ls->n * ls->size;
	memcpy(r + ls->aoff, addr, ls->alen);
	strlcpy((char *)r + ls->idoff, id, IPAM_IDLEN + 1);
	ls->n++;
	return 0;
}

/* the last lease takes the place of the one released */
int
leases_release(struct leases *ls, const char *id)
{
	size_t	i;

	for (i = 0; i < ls->n; i++) {
		if (strcmp(leases_id(ls, i), id) == 0) {
			if (i != --ls->n)
				memcpy(ls->l + i * ls->size,
				    ls->l + ls->n * ls->size, ls->size);
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

/*
 * The start of an allocation, the same in both families.  A container
 * that has a lease gets it again (EEXIST if it wants another); a wanted
 * address is leased if host() says the subnet may hand it out and no
 * one has it (else EINVAL, EEXIST).  0 or -1: done, the address in out;
 * 1: want is NULL and id has no lease, the family looks for a free one.
 */
int
leases_claim(struct leases *ls, const char *id, const void *want,
    void *out, int (*host)(const void *, const void *), const void *arg)
{
	const unsigned char	*l;

	if ((l = leases_find(ls, id)) != NULL) {
		if (want != NULL && memcmp(want, l + ls->aoff, ls->alen) != 0) {
			errno = EEXIST;
			return -1;
		}
		memcpy(out, l + ls->aoff, ls->alen);
		return 0;
	}
	if (want == NULL)
		return 1;
	if (!host(arg, want) || leases_taken(ls, want)) {
		errno = host(arg, want) ? EEXIST : EINVAL;
		return -1;
	}
	memcpy(out, want, ls->alen);
	return leases_add(ls, id, want);
}

/* the text, with next (alen bytes) first; free() the result */
char *
leases_format(const struct leases *ls, const void *next)
{
	char	*buf, a[INET6_ADDRSTRLEN];
	size_t	 len = 64 + ls->n * (INET6_ADDRSTRLEN + IPAM_IDLEN + 2);
	size_t	 off, i;

	if ((buf = malloc(len)) == NULL)
		return NULL;
	inet_ntop(ls->af, next, a, sizeof(a));
	off = snprintf(buf, len, "next %s\n", a);
	for (i = 0; i < ls->n; i++) {
		inet_ntop(ls->af, leases_addr(ls, i), a, sizeof(a));
		off += snprintf(buf + off, len - off, "%s %s\n", a,
		    leases_id(ls, i));
	}
	return buf;
}

static int
leases_line(struct leases *ls, const char *line,
    int (*next)(void *, const void *),
    int (*host)(const void *, const void *), void *arg)
{
	char		addr[INET6_ADDRSTRLEN + 8], id[IPAM_IDLEN + 8];
	unsigned char	a[16];

	if (strncmp(line, "next ", 5) == 0)
		return inet_pton(ls->af, line + 5, a) == 1 ? next(arg, a) : -1;
	if (sscanf(line, "%53s %71s", addr, id) != 2 ||
	    inet_pton(ls->af, addr, a) != 1 || strlen(id) != IPAM_IDLEN ||
	    !host(arg, a) || leases_taken(ls, a) || leases_find(ls, id) != NULL)
		return -1;
	return leases_add(ls, id, a);
}

/*
 * The text of leases_format(): next() takes the "next" address, a lease
 * must be a host() of the subnet, and no address or id may come twice.
 * -1 and EINVAL on anything else; the leases read so far stay.
 */
int
leases_parse(struct leases *ls, const char *text,
    int (*next)(void *, const void *),
    int (*host)(const void *, const void *), void *arg)
{
	char		 line[LEASE_LINEMAX];
	const char	*s = text, *e;
	size_t		 len;

	while (*s != '\0') {
		if ((e = strchr(s, '\n')) == NULL ||
		    (len = e - s) >= sizeof(line))
			goto bad;
		memcpy(line, s, len);
		line[len] = '\0';
		s = e + 1;
		if (leases_line(ls, line, next, host, arg) == -1)
			goto bad;
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}
