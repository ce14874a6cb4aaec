/*
 * ipam.h: addresses of one IPv4 subnet handed to containers.  No side
 * effects: the caller persists ipam_format()'s text (parent/network.c).
 */
#ifndef CELLD_IPAM_H
#define CELLD_IPAM_H

#include <stddef.h>
#include <stdint.h>

#define IPAM_IDLEN	64

struct ipam_lease {
	uint32_t	addr;			/* network order */
	char		id[IPAM_IDLEN + 1];	/* the container's */
};

struct ipam {
	uint32_t		 subnet;	/* network order */
	uint32_t		 prefix;
	uint32_t		 gateway;
	uint32_t		 next;		/* host order: where to look */
	struct ipam_lease	*l;
	size_t			 n;
	size_t			 cap;
};

void		 ipam_init(struct ipam *, uint32_t, uint32_t, uint32_t);
void		 ipam_free(struct ipam *);
int		 ipam_alloc(struct ipam *, const char *, uint32_t, uint32_t *);
int		 ipam_release(struct ipam *, const char *);
const struct ipam_lease *ipam_find(const struct ipam *, const char *);
int		 ipam_contains(const struct ipam *, uint32_t);
char		*ipam_format(const struct ipam *);
int		 ipam_parse(struct ipam *, const char *);

#endif
