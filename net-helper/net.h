/*
 * net.h: net-helper's parts.  net.c checks every request and keeps the
 * list of what celld asked for; link.c makes bridges and veths over
 * rtnetlink (libnl-route); nft.c writes celld's nftables table (libnftnl).
 */
#ifndef CELLD_NET_H
#define CELLD_NET_H

#include "../privsep/privsep.h"

#define NET_MAXNETS	64
#define NET_MAXPORTS	512
#define NET_ALIAS	"celld"		/* IFLA_IFALIAS of what we made */
#define NET_TABLE	"celld"		/* table inet celld */

struct net_state {
	struct msg_net_bridge	nets[NET_MAXNETS];
	int			nnets;
	struct msg_net_port	ports[NET_MAXPORTS];
	int			nports;
};

/* link.c */
int	link_init(void);
int	link_bridge(const struct msg_net_bridge *, char *, size_t);
int	link_bridge_del(const char *, char *, size_t);
int	link_veth(const struct msg_net_veth *, int, char *, size_t);
int	link_veth_del(const char *, char *, size_t);

/* nft.c: the whole table, replaced in one transaction */
int	nft_sync(const struct net_state *, char *, size_t);

#endif
