/*
 * cmd_network.c: "cellctl network create|ls|rm|inspect|connect|
 * disconnect" and "cellctl port".
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>
#include <jansson.h>

#include "cellctl.h"

enum { OPT_SUBNET = 256, OPT_GATEWAY, OPT_INTERNAL, OPT_IPV6, OPT_DRIVER,
    OPT_IP };

static const struct option net_lo[] = {
	{ "subnet",	required_argument, NULL, OPT_SUBNET },
	{ "gateway",	required_argument, NULL, OPT_GATEWAY },
	{ "internal",	no_argument, NULL, OPT_INTERNAL },
	{ "ipv6",	no_argument, NULL, OPT_IPV6 },
	{ "driver",	required_argument, NULL, 'd' },
	{ NULL, 0, NULL, 0 }
};

static int
net_str(char *dst, size_t len, const char *v, const char *what)
{
	if (strlcpy(dst, v, len) >= len)
		ctl_die("%s: too long", what);
	return 0;
}

/* --subnet and --gateway, once per family like Docker's (':': IPv6) */
static void
net_family_opt(struct msg_ctl_network *m, int subnet, const char *v)
{
	const char	*what = subnet ? "--subnet" : "--gateway";
	char		*dst;
	size_t		 len;

	if (strchr(v, ':') != NULL) {
		dst = subnet ? m->subnet6 : m->gateway6;
		len = subnet ? sizeof(m->subnet6) : sizeof(m->gateway6);
	} else {
		dst = subnet ? m->subnet : m->gateway;
		len = subnet ? sizeof(m->subnet) : sizeof(m->gateway);
	}
	if (dst[0] != '\0')
		ctl_die("network create: %s: at most one per address family",
		    what);
	net_str(dst, len, v, what);
}

static int
net_create_opts(int argc, char **argv, struct msg_ctl_network *m)
{
	int	c;

	cell_optreset();
	while ((c = cell_getopt(argc, argv, ":d:", net_lo)) != -1) {
		switch (c) {
		case OPT_SUBNET:
		case OPT_GATEWAY:
			net_family_opt(m, c == OPT_SUBNET, optarg);
			break;
		case OPT_INTERNAL:
			m->flags |= NETF_INTERNAL;
			break;
		case OPT_IPV6:
			m->flags |= NETF_IPV6;
			break;
		case 'd':
			if (strcmp(optarg, "bridge") != 0)
				ctl_die("network create: only the bridge "
				    "driver exists");
			break;
		}
	}
	return optind;
}

static const struct option conn_lo[] = {
	{ "ip",		required_argument, NULL, OPT_IP },
	{ "force",	no_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 }
};

/* connect [--ip IP], disconnect [-f] */
static int
net_conn_opts(int argc, char **argv, struct msg_ctl_network *m)
{
	struct in_addr	a;
	int		c;

	cell_optreset();
	while ((c = cell_getopt(argc, argv, ":f", conn_lo)) != -1) {
		switch (c) {
		case OPT_IP:
			if (m->op != NETCTL_CONNECT)
				ctl_die("network disconnect: no --ip");
			if (strchr(optarg, ':') != NULL)
				ctl_die("network connect: --ip: IPv6 is not "
				    "supported yet");
			if (inet_pton(AF_INET, optarg, &a) != 1)
				ctl_die("network connect: --ip: not an IPv4 "
				    "address: %s", optarg);
			net_str(m->ip, sizeof(m->ip), optarg, "--ip");
			break;
		case 'f':
			if (m->op != NETCTL_DISCONNECT)
				ctl_die("network connect: no -f");
			m->force = 1;
			break;
		}
	}
	return optind;
}

/* the v6 subnet and gateway of a network, "" if it has none */
static void
net_cidr6(const struct msg_netinfo *ni, char *cidr, size_t clen, char *gw,
    size_t glen)
{
	char	a[INET6_ADDRSTRLEN];

	cidr[0] = gw[0] = '\0';
	if (ni->prefix6 == 0)
		return;
	inet_ntop(AF_INET6, ni->subnet6, a, sizeof(a));
	snprintf(cidr, clen, "%s/%u", a, ni->prefix6 & 127);
	inet_ntop(AF_INET6, ni->gateway6, gw, glen);
}

static int
net_print_ls(struct ctl *ctl, struct imsg *imsg, void *arg)
{
	struct msg_netinfo	 ni;
	json_t			*all = arg;
	char			 sub[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
	char			 cidr[INET_ADDRSTRLEN + 4];
	char			 cidr6[INET6_ADDRSTRLEN + 5];
	char			 gw6[INET6_ADDRSTRLEN];

	(void)ctl;
	if (imsg_get_type(imsg) != MSG_CTL_NETINFO ||
	    imsg_get_data(imsg, &ni, sizeof(ni)) == -1)
		return -1;
	ni.name[sizeof(ni.name) - 1] = '\0';
	ni.bridge[sizeof(ni.bridge) - 1] = '\0';
	inet_ntop(AF_INET, &ni.subnet, sub, sizeof(sub));
	inet_ntop(AF_INET, &ni.gateway, gw, sizeof(gw));
	snprintf(cidr, sizeof(cidr), "%s/%u", sub, ni.prefix & 63);
	net_cidr6(&ni, cidr6, sizeof(cidr6), gw6, sizeof(gw6));
	if (all != NULL) {
		json_array_append_new(all, json_pack("{s:s s:s s:s s:s s:s "
		    "s:b s:b s:s s:s s:I s:I}", "Name", ni.name, "Driver",
		    "bridge", "Bridge", ni.bridge, "Subnet", cidr, "Gateway",
		    gw, "Internal", (ni.flags & NETF_INTERNAL) != 0, "EnableIPv6",
		    ni.prefix6 != 0, "SubnetV6", cidr6, "GatewayV6", gw6,
		    "Owner", (json_int_t)ni.owner, "Containers",
		    (json_int_t)ni.nleases));
		return 0;
	}
	printf("%-20s %-8s %-15s %-18s %-8s %s\n", ni.name, "bridge",
	    ni.bridge, cidr, (ni.flags & NETF_INTERNAL) ? "internal" : "nat",
	    cidr6[0] ? cidr6 : "-");
	return 0;
}

static int
net_collect_json(struct ctl *ctl, struct imsg *imsg, void *arg)
{
	static struct msg_json	 mj;
	json_t			*all = arg, *o;
	json_error_t		 je;

	if (imsg_get_type(imsg) != MSG_CTL_JSON ||
	    imsg_get_data(imsg, &mj, sizeof(mj)) == -1 || mj.len > JSON_MAX)
		return -1;
	if ((o = json_loadb(mj.data, mj.len, 0, &je)) == NULL)
		ctl_die("%s: celld sent bad JSON: %s", ctl->sock, je.text);
	json_array_append_new(all, o);
	return 0;
}

static int
net_do(struct ctl *ctl, struct msg_ctl_network *m, reply_fn fn, void *arg)
{
	struct msg_result	res;
	static int		connected;

	if (!connected)
		ctl_connect(ctl);
	connected = 1;
	ctl_send(ctl, MSG_CTL_NETWORK, -1, m, sizeof(*m));
	if (ctl_wait(ctl, fn, arg, &res) != 0) {
		ctl_warn(m->name[0] ? m->name : "network", &res);
		return EXIT_CELLD;
	}
	if (m->op == NETCTL_CREATE || m->op == NETCTL_RM)
		printf("%s\n", m->name);
	return 0;
}

static int
net_ls(struct ctl *ctl, struct msg_ctl_network *m, int argc, char **argv)
{
	json_t	*all = NULL;
	int	 rv, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 ||
		    strcmp(argv[i], "--format=json") == 0)
			ctl->json = 1;
		else
			ctl_die("usage: cellctl network ls [--json]");
	}
	if (ctl->json)
		all = json_array();
	else
		printf("%-20s %-8s %-15s %-18s %-8s %s\n", "NAME", "DRIVER",
		    "BRIDGE", "SUBNET", "MODE", "SUBNET6");
	rv = net_do(ctl, m, net_print_ls, all);
	if (all != NULL) {
		json_dumpf(all, stdout, JSON_INDENT(4));
		putchar('\n');
		json_decref(all);
	}
	return rv;
}

static int
net_inspect(struct ctl *ctl, struct msg_ctl_network *m)
{
	json_t	*all = json_array();
	int	 rv;

	rv = net_do(ctl, m, net_collect_json, all);
	json_dumpf(all, stdout, JSON_INDENT(4));
	putchar('\n');
	json_decref(all);
	return rv;
}

/* rm NAME...: each in turn, like docker; 125 if any failed */
static int
net_rm_each(struct ctl *ctl, struct msg_ctl_network *m, int argc,
    char **argv)
{
	int	i, rv = 0;

	for (i = 0; i < argc; i++) {
		net_str(m->name, sizeof(m->name), argv[i], "network name");
		if (net_do(ctl, m, NULL, NULL) != 0)
			rv = EXIT_CELLD;
	}
	return rv;
}

static const struct {
	const char	*name;
	uint32_t	 op;
	int		 nargs;		/* words after the verb */
} net_verbs[] = {
	{ "create", NETCTL_CREATE, 1 }, { "rm", NETCTL_RM, 1 },
	{ "remove", NETCTL_RM, 1 }, { "ls", NETCTL_LS, 0 },
	{ "list", NETCTL_LS, 0 }, { "inspect", NETCTL_INSPECT, 1 },
	{ "connect", NETCTL_CONNECT, 2 },
	{ "disconnect", NETCTL_DISCONNECT, 2 },
};

int
cmd_network(struct ctl *ctl, int argc, char **argv)
{
	static struct msg_ctl_network	 m;
	size_t				 i;
	int				 first = 1;

	if (argc < 2)
		ctl_die("usage: cellctl network create|ls|rm|inspect|connect|"
		    "disconnect ...");
	for (i = 0; i < nitems(net_verbs); i++)
		if (strcmp(argv[1], net_verbs[i].name) == 0)
			break;
	if (i == nitems(net_verbs))
		ctl_die("network %s: unknown command", argv[1]);
	memset(&m, 0, sizeof(m));
	m.op = net_verbs[i].op;
	if (m.op == NETCTL_LS)
		return net_ls(ctl, &m, argc - 1, argv + 1);
	if (m.op == NETCTL_CREATE)
		first = net_create_opts(argc - 1, argv + 1, &m);
	else if (m.op == NETCTL_CONNECT || m.op == NETCTL_DISCONNECT)
		first = net_conn_opts(argc - 1, argv + 1, &m);
	else if (argc > 2 && argv[2][0] == '-')
		ctl_die("network %s: takes no flags", argv[1]);
	argc -= 1 + first;
	argv += 1 + first;
	if (m.op == NETCTL_RM && argc > 1)
		return net_rm_each(ctl, &m, argc, argv);
	if (argc != net_verbs[i].nargs)
		ctl_die("usage: cellctl network %s NAME%s", net_verbs[i].name,
		    net_verbs[i].nargs == 2 ? " CONTAINER" : "");
	net_str(m.name, sizeof(m.name), argv[0], "network name");
	if (argc == 2)
		net_str(m.cell, sizeof(m.cell), argv[1], "container");
	if (m.op == NETCTL_INSPECT)
		return net_inspect(ctl, &m);
	return net_do(ctl, &m, NULL, NULL);
}

/* port NAME: "80/tcp -> 0.0.0.0:8080" per published port, from inspect */
int
cmd_port(struct ctl *ctl, int argc, char **argv)
{
	struct msg_ctl_target	 t;
	struct msg_result	 res;
	json_t			*all = json_array(), *ports, *v;
	const char		*key, *hip;
	size_t			 i;

	if (argc != 2 || argv[1][0] == '-')
		ctl_die("usage: cellctl port NAME");
	if (ctl_target(&t, argv[1]) == -1)
		return EXIT_CELLD;
	ctl_connect(ctl);
	ctl_send(ctl, MSG_CTL_INSPECT, -1, &t, sizeof(t));
	if (ctl_wait(ctl, net_collect_json, all, &res) != 0) {
		ctl_warn(argv[1], &res);
		return EXIT_CELLD;
	}
	ports = json_object_get(json_object_get(json_array_get(all, 0),
	    "NetworkSettings"), "Ports");
	json_object_foreach(ports, key, v) {
		for (i = 0; i < json_array_size(v); i++) {
			hip = json_string_value(json_object_get(
			    json_array_get(v, i), "HostIp"));
			printf("%s -> %s%s%s:%s\n", key, hip &&
			    strchr(hip, ':') ? "[" : "", hip, hip &&
			    strchr(hip, ':') ? "]" : "", json_string_value(
			    json_object_get(json_array_get(v, i), "HostPort")));
		}
	}
	json_decref(all);
	return 0;
}
