/*
 * netgw.c: which of a container's networks holds its default route.
 *
 * One network at most, and never an internal one: an internal network
 * must give no way out, so a container only on internal networks has
 * no default route at all.  The holder is recorded (cell_net.gw, "gw"
 * in config.json), so that a restart of the container, which numbers
 * the interfaces again, or of celld gives the same one.  It changes
 * only when
 *
 *   - the container has none and connects to a network that is not
 *     internal: that one gives it (Docker's behaviour);
 *   - the network that holds it is disconnected: the remaining network
 *     that is not internal with the lowest ethN gets it (a stopped
 *     container: the first in the list, its eth0 at the next start);
 *   - the holder is gone or became internal (celld.conf changed): the
 *     same pick, at load.
 *
 * Where a running container's route moves, netconn.c asks spawn-helper
 * (MSG_SPAWN_NETROUTE); at a start, network_cfg() gives the holder
 * NETCFG_DEFROUTE.
 */
#include <string.h>

#include "parent.h"
#include "network.h"

/* may a container's default route go through network name? */
int
network_routable(const char *name)
{
	const struct network	*n = network_find(name);

	return n != NULL && !(n->br.flags & NETF_INTERNAL);
}

/* the network that holds c's default route, or NULL */
struct cell_net *
network_gw_holder(const struct cell *c)
{
	uint32_t	i;

	for (i = 0; i < c->nnets; i++)
		if (c->nets[i].gw)
			return (struct cell_net *)&c->nets[i];
	return NULL;
}

/*
 * c's record made whole: one holder at most, not internal, and one if
 * any network may hold it; by_if picks the lowest ethN (a running
 * container), else the first in the list.  The holder, or NULL.
 */
struct cell_net *
network_gw_fix(struct cell *c, int by_if)
{
	struct cell_net	*pick = NULL, *cn;
	uint32_t	 i;

	for (i = 0; i < c->nnets; i++) {
		cn = &c->nets[i];
		if (cn->gw && (pick != NULL || !network_routable(cn->name)))
			cn->gw = 0;
		if (cn->gw)
			pick = cn;
	}
	if (pick != NULL)
		return pick;
	for (i = 0; i < c->nnets; i++) {
		cn = &c->nets[i];
		if (network_routable(cn->name) && (pick == NULL ||
		    (by_if && cn->ifnum < pick->ifnum)))
			pick = cn;
	}
	if (pick != NULL)
		pick->gw = 1;
	return pick;
}
