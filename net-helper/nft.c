/*
 * nft.c: celld's own nftables table, "table inet celld", and nothing else.
 *
 * The table is rewritten whole in one netlink transaction from the list
 * net.c keeps: add table (a no-op if present), delete it, add it again
 * with its chains and rules.  Either all of it applies or none, a replay
 * after a restart gives the same table, and with no network left the
 * transaction ends after the delete: the table is gone.
 *
 *   chain prerouting  nat hook prerouting dstnat:   published ports
 *   chain output      nat hook output dstnat:       same, for the host
 *   chain postrouting nat hook postrouting srcnat:  masquerade
 *   chain forward     filter hook forward filter:   isolation
 *
 * The inet family sees IPv4 and IPv6: the forward rules match interface
 * names only and so hold for both; masquerade and DNAT rules come in a
 * v4 and (on a dual-stack network) a v6 version.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>

#include "net.h"

#define NFT_BUFSZ	(4 * 1024 * 1024)

struct nft_tx {
	struct mnl_nlmsg_batch	*b;
	uint32_t		 seq;
};

static struct mnl_socket	*nl;
static char			*nftbuf;

static void
tx_table(struct nft_tx *tx, int cmd)
{
	struct nftnl_table	*t;
	struct nlmsghdr		*h;

	if ((t = nftnl_table_alloc()) == NULL)
		fatalx("%s: out of memory", __func__);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NET_TABLE);
	h = nftnl_table_nlmsg_build_hdr(mnl_nlmsg_batch_current(tx->b), cmd,
	    NFPROTO_INET, cmd == NFT_MSG_NEWTABLE ? NLM_F_CREATE | NLM_F_ACK :
	    NLM_F_ACK, tx->seq++);
	nftnl_table_nlmsg_build_payload(h, t);
	nftnl_table_free(t);
	mnl_nlmsg_batch_next(tx->b);
}

static void
tx_chain(struct nft_tx *tx, const char *name, const char *type, int hook,
    int prio)
{
	struct nftnl_chain	*c;
	struct nlmsghdr		*h;

	if ((c = nftnl_chain_alloc()) == NULL)
		fatalx("%s: out of memory", __func__);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NET_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	h = nftnl_chain_nlmsg_build_hdr(mnl_nlmsg_batch_current(tx->b),
	    NFT_MSG_NEWCHAIN, NFPROTO_INET, NLM_F_CREATE | NLM_F_ACK,
	    tx->seq++);
	nftnl_chain_nlmsg_build_payload(h, c);
	nftnl_chain_free(c);
	mnl_nlmsg_batch_next(tx->b);
}

static struct nftnl_rule *
rule_new(const char *chain)
{
	struct nftnl_rule	*r;

	if ((r = nftnl_rule_alloc()) == NULL)
		fatalx("%s: out of memory", __func__);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NET_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	return r;
}

static void
rule_add(struct nft_tx *tx, struct nftnl_rule *r)
{
	struct nlmsghdr	*h;

	h = nftnl_rule_nlmsg_build_hdr(mnl_nlmsg_batch_current(tx->b),
	    NFT_MSG_NEWRULE, NFPROTO_INET, NLM_F_APPEND | NLM_F_CREATE |
	    NLM_F_ACK, tx->seq++);
	nftnl_rule_nlmsg_build_payload(h, r);
	nftnl_rule_free(r);
	mnl_nlmsg_batch_next(tx->b);
}

static struct nftnl_expr *
expr(struct nftnl_rule *r, const char *name)
{
	struct nftnl_expr	*e;

	if ((e = nftnl_expr_alloc(name)) == NULL)
		fatalx("%s: out of memory", __func__);
	nftnl_rule_add_expr(r, e);
	return e;
}

/* reg1 = meta key; then compare with data */
static void
e_meta_cmp(struct nftnl_rule *r, uint32_t key, int op, const void *d,
    size_t len)
{
	struct nftnl_expr	*e;

	e = expr(r, "meta");
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	e = expr(r, "cmp");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, d, len);
}

/* interface names compare whole, NUL padded: an exact match */
static void
e_ifname(struct nftnl_rule *r, uint32_t key, int op, const char *name)
{
	char	buf[IFNAMSIZ];

	memset(buf, 0, sizeof(buf));
	memcpy(buf, name, strnlen(name, sizeof(buf) - 1));
	e_meta_cmp(r, key, op, buf, sizeof(buf));
}

static void
e_ipv4(struct nftnl_rule *r)
{
	uint8_t	v4 = NFPROTO_IPV4;

	e_meta_cmp(r, NFT_META_NFPROTO, NFT_CMP_EQ, &v4, 1);
}

static void
e_ipv6(struct nftnl_rule *r)
{
	uint8_t	v6 = NFPROTO_IPV6;

	e_meta_cmp(r, NFT_META_NFPROTO, NFT_CMP_EQ, &v6, 1);
}

/* ip6 saddr/daddr (off 8/24) within addr/prefix (or equal: 128) */
static void
e_ip6net(struct nftnl_rule *r, uint32_t off, const uint8_t *addr,
    uint32_t prefix)
{
	struct nftnl_expr	*e;
	uint8_t			 mask[16], xor[16], net[16];
	uint32_t		 i;

	memset(mask, 0, sizeof(mask));
	memset(xor, 0, sizeof(xor));
	for (i = 0; i < prefix && i < 128; i++)
		mask[i / 8] |= 0x80 >> (i % 8);
	for (i = 0; i < 16; i++)
		net[i] = addr[i] & mask[i];
	e = expr(r, "payload");
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE,
	    NFT_PAYLOAD_NETWORK_HEADER);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, 16);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	if (prefix < 128) {
		e = expr(r, "bitwise");
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 16);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, 16);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, xor, 16);
	}
	e = expr(r, "cmp");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, net, 16);
}

/* ip6 daddr != ::1: the host's own [::1]:HP is refused, not DNATed
 * into a black hole */
static void
e_not_lo6(struct nftnl_rule *r)
{
	struct nftnl_expr	*e;
	uint8_t			 lo[16] = { [15] = 1 };

	e = expr(r, "payload");
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE,
	    NFT_PAYLOAD_NETWORK_HEADER);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, 24);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, 16);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	e = expr(r, "cmp");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_NEQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, lo, 16);
}

/* ip saddr/daddr (off 12/16) within addr/prefix */
static void
e_ipnet(struct nftnl_rule *r, uint32_t off, uint32_t addr, uint32_t prefix)
{
	struct nftnl_expr	*e;
	uint32_t		 mask, xor = 0;

	mask = prefix == 0 ? 0 : htonl(~0u << (32 - prefix));
	addr &= mask;
	e = expr(r, "payload");
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE,
	    NFT_PAYLOAD_NETWORK_HEADER);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, 4);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	e = expr(r, "bitwise");
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 4);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, 4);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &xor, 4);
	e = expr(r, "cmp");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &addr, 4);
}

static void
e_verdict(struct nftnl_rule *r, int verdict)
{
	struct nftnl_expr	*e;

	e = expr(r, "immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, verdict);
}

/* ip saddr NET oifname != BR masquerade; oifname BR ip saddr 127/8 too */
static void
rules_masq(struct nft_tx *tx, const struct msg_net_bridge *n, int local)
{
	struct nftnl_rule	*r = rule_new("postrouting");

	e_ipv4(r);
	if (local) {
		e_ifname(r, NFT_META_OIFNAME, NFT_CMP_EQ, n->name);
		e_ipnet(r, 12, htonl(0x7f000000), 8);
	} else {
		e_ifname(r, NFT_META_OIFNAME, NFT_CMP_NEQ, n->name);
		e_ipnet(r, 12, n->subnet, n->prefix);
	}
	expr(r, "masq");
	rule_add(tx, r);
}

/* ip6 saddr NET oifname != BR masquerade (no ::1 twin: see rule_dnat) */
static void
rules_masq6(struct nft_tx *tx, const struct msg_net_bridge *n)
{
	struct nftnl_rule	*r = rule_new("postrouting");

	e_ipv6(r);
	e_ifname(r, NFT_META_OIFNAME, NFT_CMP_NEQ, n->name);
	e_ip6net(r, 8, n->subnet6, n->prefix6);
	expr(r, "masq");
	rule_add(tx, r);
}

/* one network's forward rules: internal ones talk to nobody else */
static void
rules_forward(struct nft_tx *tx, const struct net_state *st, int i)
{
	const struct msg_net_bridge	*n = &st->nets[i];
	struct nftnl_rule		*r;
	int				 j;

	if (n->flags & NETF_INTERNAL) {
		r = rule_new("forward");
		e_ifname(r, NFT_META_IIFNAME, NFT_CMP_EQ, n->name);
		e_ifname(r, NFT_META_OIFNAME, NFT_CMP_NEQ, n->name);
		e_verdict(r, NF_DROP);
		rule_add(tx, r);
		r = rule_new("forward");
		e_ifname(r, NFT_META_OIFNAME, NFT_CMP_EQ, n->name);
		e_ifname(r, NFT_META_IIFNAME, NFT_CMP_NEQ, n->name);
		e_verdict(r, NF_DROP);
		rule_add(tx, r);
		return;
	}
	for (j = 0; j < st->nnets; j++) {
		if (j == i)
			continue;
		r = rule_new("forward");
		e_ifname(r, NFT_META_IIFNAME, NFT_CMP_EQ, n->name);
		e_ifname(r, NFT_META_OIFNAME, NFT_CMP_EQ, st->nets[j].name);
		e_verdict(r, NF_DROP);
		rule_add(tx, r);
	}
}

/*
 * [ip daddr H] fib daddr type local l4proto P th dport HP dnat to A:CP,
 * or its v6 twin (ip6 daddr, dnat ip6 to [A]:CP).  IPv6 has no
 * route_localnet: a packet from ::1 DNATed to a container is dropped by
 * the kernel, so net.c refuses a ::1 host address.
 */
static void
rule_dnat(struct nft_tx *tx, const char *chain, const struct msg_net_port *p)
{
	struct nftnl_rule	*r = rule_new(chain);
	struct nftnl_expr	*e;
	uint8_t			 proto = p->proto;
	uint16_t		 hport = htons(p->hport), cport = htons(p->cport);
	uint32_t		 local = RTN_LOCAL;
	int			 v6 = p->family == AF_INET6;
	static const uint8_t	 any6[16];

	if (v6)
		e_ipv6(r);
	else
		e_ipv4(r);
	if (v6 && memcmp(p->hostip6, any6, 16) != 0)
		e_ip6net(r, 24, p->hostip6, 128);
	else if (v6)
		e_not_lo6(r);
	else if (!v6 && p->hostip != 0)
		e_ipnet(r, 16, p->hostip, 32);
	e = expr(r, "fib");
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	e = expr(r, "cmp");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &local, 4);
	e_meta_cmp(r, NFT_META_L4PROTO, NFT_CMP_EQ, &proto, 1);
	e = expr(r, "payload");
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE,
	    NFT_PAYLOAD_TRANSPORT_HEADER);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, 2);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, 2);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	e = expr(r, "cmp");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &hport, 2);
	e = expr(r, "immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	if (v6)
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, p->addr6, 16);
	else
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &p->addr, 4);
	e = expr(r, "immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_2);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &cport, 2);
	e = expr(r, "nat");
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, v6 ? NFPROTO_IPV6 :
	    NFPROTO_IPV4);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
	rule_add(tx, r);
}

static void
tx_build(struct nft_tx *tx, const struct net_state *st)
{
	int	i;

	tx_table(tx, NFT_MSG_NEWTABLE);
	tx_table(tx, NFT_MSG_DELTABLE);
	if (st->nnets == 0)
		return;
	tx_table(tx, NFT_MSG_NEWTABLE);
	tx_chain(tx, "prerouting", "nat", NF_INET_PRE_ROUTING, -100);
	tx_chain(tx, "output", "nat", NF_INET_LOCAL_OUT, -100);
	tx_chain(tx, "postrouting", "nat", NF_INET_POST_ROUTING, 100);
	tx_chain(tx, "forward", "filter", NF_INET_FORWARD, 0);
	for (i = 0; i < st->nnets; i++) {
		if ((st->nets[i].flags & (NETF_NAT | NETF_INTERNAL)) ==
		    NETF_NAT)
			rules_masq(tx, &st->nets[i], 0);
		if ((st->nets[i].flags & (NETF_NAT | NETF_INTERNAL)) ==
		    NETF_NAT && st->nets[i].prefix6 != 0)
			rules_masq6(tx, &st->nets[i]);
		if ((st->nets[i].flags & NETF_INTERNAL) == 0)
			rules_masq(tx, &st->nets[i], 1);
		rules_forward(tx, st, i);
	}
	for (i = 0; i < st->nports; i++) {
		rule_dnat(tx, "prerouting", &st->ports[i]);
		rule_dnat(tx, "output", &st->ports[i]);
	}
}

/*
 * Every message of the batch asks for an ack, and nfnetlink answers each
 * one (an error or a zero); the first error is the transaction's.  The
 * socket's receive timeout bounds the wait should the kernel say less.
 */
static int
tx_acks(int want)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr		*h;
	struct nlmsgerr		*e;
	int			 n, got = 0, first = 0;

	while (got < want) {
		if ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) <= 0)
			return -1;
		for (h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, n);
		    h = mnl_nlmsg_next(h, &n)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			got++;
			e = mnl_nlmsg_get_payload(h);
			if (e->error != 0 && first == 0)
				first = -e->error;
		}
	}
	errno = first;
	return first ? -1 : 0;
}

static int
nft_open(char *err, size_t len)
{
	struct timeval	tv = { 2, 0 };

	if (nl != NULL)
		return 0;
	if ((nl = mnl_socket_open(NETLINK_NETFILTER)) == NULL ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == -1 ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)) == -1) {
		snprintf(err, len, "nftables: %s", strerror(errno));
		if (nl != NULL)
			mnl_socket_close(nl);
		nl = NULL;
		return -1;
	}
	if (nftbuf == NULL && (nftbuf = malloc(NFT_BUFSZ)) == NULL)
		fatalx("%s: out of memory", __func__);
	return 0;
}

int
nft_sync(const struct net_state *st, char *err, size_t len)
{
	struct nft_tx	 tx;
	uint32_t	 first;
	int		 r;

	if (nft_open(err, len) == -1)
		return -1;
	tx.seq = (uint32_t)time(NULL);
	tx.b = mnl_nlmsg_batch_start(nftbuf, NFT_BUFSZ);
	nftnl_batch_begin(mnl_nlmsg_batch_current(tx.b), tx.seq++);
	mnl_nlmsg_batch_next(tx.b);
	first = tx.seq;
	tx_build(&tx, st);
	r = (int)(tx.seq - first);
	nftnl_batch_end(mnl_nlmsg_batch_current(tx.b), tx.seq++);
	mnl_nlmsg_batch_next(tx.b);
	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(tx.b),
	    mnl_nlmsg_batch_size(tx.b)) == -1 || tx_acks(r) == -1) {
		snprintf(err, len, "nftables: %s", strerror(errno));
		mnl_nlmsg_batch_stop(tx.b);
		/* a lost ack leaves the socket out of step: start afresh */
		mnl_socket_close(nl);
		nl = NULL;
		return -1;
	}
	mnl_nlmsg_batch_stop(tx.b);
	return 0;
}
