/*
 * ipam.h: addresses of one IPv4 (ipam.c) or IPv6 (ipam6.c) subnet handed
 * to containers, kept by the lease store both share (lease.c).  No side
 * effects: the caller persists the text of ipam_format() and
 * ipam6_format() (parent/network.c).
 */
#ifndef CELLD_IPAM_H
#define CELLD_IPAM_H

#include <stddef.h>
#include <stdint.h>

#define IPAM_IDLEN	64

/*
 * lease.c: a family's leases, records of its struct ipam_lease or
 * ipam6_lease, of which it says where the address (alen bytes, network
 * order) and the container id are.  The callbacks take the family's
 * struct ipam or ipam6 (arg) and an address: host() says whether the
 * subnet may hand it out, next() takes the "next" line of the text.
 */
struct leases {
	unsigned char	*l;		/* n records of size bytes */
	size_t		 n;
	size_t		 cap;
	size_t		 size;
	size_t		 aoff, alen;	/* the address in a record */
	size_t		 idoff;		/* the id in a record */
	int		 af;		/* AF_INET, AF_INET6: the text */
};

void		 leases_init(struct leases *, size_t, size_t, size_t, size_t,
		    int);
void		 leases_free(struct leases *);
const void	*leases_nth(const struct leases *, size_t);
const void	*leases_find(const struct leases *, const char *);
int		 leases_taken(const struct leases *, const void *);
int		 leases_add(struct leases *, const char *, const void *);
int		 leases_release(struct leases *, const char *);
int		 leases_claim(struct leases *, const char *, const void *,
		    void *, int (*)(const void *, const void *), const void *);
char		*leases_format(const struct leases *, const void *);
int		 leases_parse(struct leases *, const char *,
		    int (*)(void *, const void *),
		    int (*)(const void *, const void *), void *);

struct ipam_lease {
	uint32_t	addr;			/* network order */
	char		id[IPAM_IDLEN + 1];	/* the container's */
};

struct ipam {
	uint32_t		 subnet;	/* network order */
	uint32_t		 prefix;
	uint32_t		 gateway;
	uint32_t		 next;		/* host order: where to look */
	struct leases		 ls;		/* of struct ipam_lease */
};

void		 ipam_init(struct ipam *, uint32_t, uint32_t, uint32_t);
void		 ipam_free(struct ipam *);
int		 ipam_alloc(struct ipam *, const char *, uint32_t, uint32_t *);
int		 ipam_release(struct ipam *, const char *);
const struct ipam_lease *ipam_find(const struct ipam *, const char *);
const struct ipam_lease *ipam_nth(const struct ipam *, size_t);
size_t		 ipam_count(const struct ipam *);
int		 ipam_contains(const struct ipam *, uint32_t);
char		*ipam_format(const struct ipam *);
int		 ipam_parse(struct ipam *, const char *);

/*
 * ipam6.c: the same for a network's IPv6 subnet (/48 to /120).  Hosts
 * are numbered in the low 64 bits (at most); host 0 (the subnet-router
 * anycast address) and the gateway are never handed out.
 */
struct ipam6_lease {
	uint8_t		addr[16];
	char		id[IPAM_IDLEN + 1];
};

struct ipam6 {
	uint8_t			 subnet[16];
	uint32_t		 prefix;	/* 0: the network has no v6 */
	uint8_t			 gateway[16];
	uint64_t		 next;		/* host number: where to look */
	struct leases		 ls;		/* of struct ipam6_lease */
};

void		 ipam6_init(struct ipam6 *, const uint8_t *, uint32_t,
		    const uint8_t *);
void		 ipam6_free(struct ipam6 *);
int		 ipam6_alloc(struct ipam6 *, const char *, const uint8_t *,
		    uint8_t *);
int		 ipam6_release(struct ipam6 *, const char *);
const struct ipam6_lease *ipam6_find(const struct ipam6 *, const char *);
const struct ipam6_lease *ipam6_nth(const struct ipam6 *, size_t);
int		 ipam6_contains(const struct ipam6 *, const uint8_t *);
char		*ipam6_format(const struct ipam6 *);
int		 ipam6_parse(struct ipam6 *, const char *);
int		 ipam6_overlaps(const uint8_t *, uint32_t, const uint8_t *,
		    uint32_t);
int		 ipam6_subnet_ok(const uint8_t *, uint32_t);
int		 ipam6_zero(const uint8_t *);

#endif
