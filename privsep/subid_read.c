/*
 * subid_read.c: the subordinate id range containers are drawn from, as
 * /etc/subuid and /etc/subgid grant it to the celld user, read with
 * shadow's libsubid, not by hand.  Only celld links this (and libsubid,
 * which brings libselinux, libsemanage, libaudit, libpam and six more):
 * the parent reads the range for itself, and the launcher reads it, as
 * root, for each helper it starts and passes it on the helper's command
 * line (launch.c), so no process holding a capability maps any of them.
 * A helper never takes a range on the parent's word.
 */
#include <stdlib.h>

#include <shadow/subid.h>

#include "privsep.h"

static int
subid_pick(struct subid_range *r, int n, uint32_t *start, uint32_t *count)
{
	int	i;

	for (i = 0; i < n; i++) {
		/* a whole container (65536 ids) must fit, above host ids */
		if (r[i].count < CELL_IDS || r[i].start < CELL_IDS ||
		    r[i].start + r[i].count > UINT32_MAX)
			continue;
		*start = r[i].start;
		*count = r[i].count - r[i].count % CELL_IDS;
		return 0;
	}
	return -1;
}

/* The first range of user that holds at least one container, in both. */
int
subid_range(const char *user, uint32_t *start, uint32_t *count)
{
	struct subid_range	*ur = NULL, *gr = NULL;
	uint32_t		 us, uc, gs, gc;
	int			 nu, ng, r = -1;

	nu = subid_get_uid_ranges(user, &ur);
	ng = subid_get_gid_ranges(user, &gr);
	if (nu > 0 && ng > 0 && subid_pick(ur, nu, &us, &uc) == 0 &&
	    subid_pick(gr, ng, &gs, &gc) == 0 && us == gs) {
		*start = us;
		*count = uc < gc ? uc : gc;
		r = 0;
	}
	free(ur);
	free(gr);
	return r;
}
