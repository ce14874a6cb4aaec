/*
 * network.h: the parent's networks (network.c) and their verbs
 * (ctl_network.c).
 */
#ifndef CELLD_NETWORK_H
#define CELLD_NETWORK_H

#include "ipam.h"

struct network {
	TAILQ_ENTRY(network)	 entry;
	char			 name[CELL_NAMELEN];
	struct msg_net_bridge	 br;		/* what net-helper gets */
	uid_t			 owner;
	int			 shared;	/* celld.conf's, or an admin's */
	int			 conf;		/* from celld.conf: kept */
	struct ipam		 ipam;
	struct ipam6		 ipam6;		/* prefix 0: v4 only */
};
TAILQ_HEAD(networks, network);
extern struct networks	networks;

struct network	*network_find(const char *);
struct network	*network_add(const char *, const struct msg_net_bridge *,
		    uid_t, int);
int		 network_save(const struct network *);
int		 network_save_leases(const struct network *);
void		 network_unlink(struct network *);
int		 network_in_use(const struct network *);
int		 network_may_use(const struct client *, const struct network *);
json_t		*network_v6_json(const struct msg_net_bridge *);
int		 network_overlaps6(const uint8_t *, uint32_t);
const char	*network_ula(const char *, struct msg_net_bridge *);
int		 network_v6_load(json_t *, struct msg_net_bridge *);

/* netrun.c, for netconn.c */
struct cell_net;
void		 network_veth_msg(const struct cell *, const struct network *,
		    int, struct msg_net_veth *);
void		 network_ports(const struct cell *, const struct network *,
		    const struct ipam_lease *, uint32_t);
int		 network_cfg(const struct cell *, const struct cell_net *,
		    struct msg_net_cfg *);

/* netgw.c, for netconn.c */
int		 network_routable(const char *, int);
struct cell_net	*network_gw_holder(const struct cell *, int);

#endif
