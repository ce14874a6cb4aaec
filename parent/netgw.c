/*
 * netgw.c: which of a container's networks holds its default route.
 *
 * One network at most for each family, and never an internal one: an
 * internal network must give no way out, so a container only on
 * internal networks has no default route at all.  The IPv4 route and the
 * IPv6 one are chosen alike but apart, so a container whose first network
 * is IPv4 only still gets its IPv6 route from a dual-stack one (as newer
 * Docker does).  The holders are recorded (cell_net.gw, "gw" and "gw6"
 * in config.json), so that a restart of the container, which numbers
 * the interfaces again, or of celld gives the same ones.  A holder
 * changes only when
 *
 *   - the container has none and connects to a network that is not
 *     internal (dual-stack, for v6): that one gives it (Docker's
 *     behaviour);
 *   - the network that holds it is disconnected: the remaining network
 *     that is not internal with the lowest ethN gets it (a stopped
 *     container: the first in the list, its eth0 at the next start);
 *   - the holder is gone or became internal (celld.conf changed): the
 *     same pick, at load.
 *
 * Where a running container's route moves, netconn.c asks spawn-helper
 * (MSG_SPAWN_NETROUTE); at a start, network_cfg() gives the holder
 * NETCFG_DEFROUTE and NETCFG_DEFROUTE6.
 */
#include <string.h>

#include "parent.h"
#include "network.h"

/* may a container's default route of family gwf (CELL_GW4 or CELL_GW6)
 * go through network name? */
int
network_routable(const char *name, int gwf)
{
	const struct network	*n = network_find(name);

	return n != NULL && !(n->br.flags & NETF_INTERNAL) &&
	    (gwf == CELL_GW4 || n->br.prefix6 != 0);
}

/* the network that holds c's default route of family gwf, or NULL */
struct cell_net *
network_gw_holder(const struct cell *c, int gwf)
{
	uint32_t	i;

	for (i = 0; i < c->nnets; i++)
		if (c->nets[i].gw & gwf)
			return (struct cell_net *)&c->nets[i];
	return NULL;
}

/* network_gw_fix() for one family */
static void
network_gw_fix1(struct cell *c, int by_if, int gwf)
{
	struct cell_net	*pick = NULL, *cn;
	uint32_t	 i;

	for (i = 0; i < c->nnets; i++) {
		cn = &c->nets[i];
		if ((cn->gw & gwf) && (pick != NULL ||
		    !network_routable(cn->name, gwf)))
			cn->gw &= ~gwf;
		if (cn->gw & gwf)
			pick = cn;
	}
	if (pick != NULL)
		return;
	for (i = 0; i < c->nnets; i++) {
		cn = &c->nets[i];
		if (network_routable(cn->name, gwf) && (pick == NULL ||
		    (by_if && cn->ifnum < pick->ifnum)))
			pick = cn;
	}
	if (pick != NULL)
		pick->gw |= gwf;
}

/*
 * c's record made whole, for each family: one holder at most, not
 * internal (and dual-stack for v6), and one if any network may hold it;
 * by_if picks the lowest ethN (a running container), else the first in
 * the list.
 */
void
network_gw_fix(struct cell *c, int by_if)
{
	network_gw_fix1(c, by_if, CELL_GW4);
	network_gw_fix1(c, by_if, CELL_GW6);
}
