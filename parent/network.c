/*
 * network.c: the parent's side of networking.  It keeps the networks
 * (celld.conf's and those made with "network create"), hands out
 * addresses (ipam.c) and tells net-helper what to make, and spawn-helper
 * what C sets on its eth0.
 *
 * On disk, under storage/networks/: NAME.json for a network of
 * "network create", NAME.leases for the leases of any network (and
 * NAME.leases6 for the IPv6 ones of a dual-stack network), each
 * written whole (temp file, fsync, rename).  A lease is taken at a
 * container's first start and given back at its rm.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <jansson.h>

#include "parent.h"
#include "network.h"

struct networks	networks = TAILQ_HEAD_INITIALIZER(networks);

static void
network_dir(char *buf, size_t len)
{
	snprintf(buf, len, "%s/networks", env->conf.storage);
}

struct network *
network_find(const char *name)
{
	struct network	*n;

	TAILQ_FOREACH(n, &networks, entry)
		if (strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

/* NAME.leases, and NAME.leases6 on a dual-stack network */
int
network_save_leases(const struct network *n)
{
	char	dir[PATH_MAX], file[CELL_NAMELEN + 8], *text;
	int	r;

	if ((text = ipam_format(&n->ipam)) == NULL)
		return -1;
	network_dir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s.leases", n->name);
	r = state_atomic_write(dir, file, text);
	free(text);
	if (r == -1 || n->br.prefix6 == 0)
		return r;
	if ((text = ipam6_format(&n->ipam6)) == NULL)
		return -1;
	snprintf(file, sizeof(file), "%s.leases6", n->name);
	r = state_atomic_write(dir, file, text);
	free(text);
	return r;
}

/* {"subnet": "P/N", "gateway": "A"} of a dual-stack network, or null */
json_t *
network_v6_json(const struct msg_net_bridge *br)
{
	char	sub[INET6_ADDRSTRLEN + 4], gw[INET6_ADDRSTRLEN];

	if (br->prefix6 == 0)
		return json_null();
	inet_ntop(AF_INET6, br->subnet6, sub, INET6_ADDRSTRLEN);
	snprintf(sub + strlen(sub), 5, "/%u", br->prefix6);
	inet_ntop(AF_INET6, br->gateway6, gw, sizeof(gw));
	return json_pack("{s:s s:s}", "subnet", sub, "gateway", gw);
}

/* network_v6_json()'s object (j NULL or null: v4 only); 0 or -1 */
int
network_v6_load(json_t *j, struct msg_net_bridge *br)
{
	struct ipam6	 t;
	const char	*sub, *gw;
	char		 buf[INET6_ADDRSTRLEN + 8], *sl;
	const char	*errstr;

	if (j == NULL || json_is_null(j))
		return 0;
	if (json_unpack(j, "{s:s s:s}", "subnet", &sub, "gateway", &gw) ==
	    -1 || strlcpy(buf, sub, sizeof(buf)) >= sizeof(buf) ||
	    (sl = strchr(buf, '/')) == NULL)
		return -1;
	*sl++ = '\0';
	br->prefix6 = strtonum(sl, NET_PREFIX6_MIN, NET_PREFIX6_MAX, &errstr);
	if (errstr != NULL || inet_pton(AF_INET6, buf, br->subnet6) != 1 ||
	    inet_pton(AF_INET6, gw, br->gateway6) != 1 ||
	    !ipam6_subnet_ok(br->subnet6, br->prefix6))
		return -1;
	ipam6_init(&t, br->subnet6, br->prefix6, br->subnet6);
	return ipam6_contains(&t, br->gateway6) ? 0 : -1;
}

int
network_save(const struct network *n)
{
	char	 dir[PATH_MAX], file[CELL_NAMELEN + 8], *s;
	json_t	*j;
	int	 r;

	j = json_pack("{s:s s:s s:I s:i s:I s:i s:i s:I s:b s:o}", "name",
	    n->name, "bridge", n->br.name, "subnet", (json_int_t)n->br.subnet,
	    "prefix", (int)n->br.prefix, "gateway", (json_int_t)n->br.gateway,
	    "mtu", (int)n->br.mtu, "flags", (int)n->br.flags, "owner",
	    (json_int_t)n->owner, "shared", n->shared, "ipv6",
	    network_v6_json(&n->br));
	if (j == NULL || (s = json_dumps(j, JSON_COMPACT)) == NULL) {
		json_decref(j);
		errno = ENOMEM;
		return -1;
	}
	network_dir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s.json", n->name);
	r = state_atomic_write(dir, file, s);
	free(s);
	json_decref(j);
	return r;
}

/* a network of "network create" is gone: its files too */
void
network_unlink(struct network *n)
{
	char	path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/networks/%s.json",
	    env->conf.storage, n->name);
	unlink(path);
	snprintf(path, sizeof(path), "%s/networks/%s.leases",
	    env->conf.storage, n->name);
	unlink(path);
	snprintf(path, sizeof(path), "%s/networks/%s.leases6",
	    env->conf.storage, n->name);
	unlink(path);
	TAILQ_REMOVE(&networks, n, entry);
	ipam_free(&n->ipam);
	ipam6_free(&n->ipam6);
	free(n);
}

/* storage/networks/NAME.SUFFIX into buf; 0, or -1 if none or bad */
static int
network_read(const struct network *n, const char *suffix, char *buf,
    size_t size)
{
	char	 path[PATH_MAX];
	ssize_t	 len;
	int	 fd;

	snprintf(path, sizeof(path), "%s/networks/%s.%s",
	    env->conf.storage, n->name, suffix);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0 || (size_t)len == size - 1) {
		log_warnx("%s: %s unreadable or too large", n->name, suffix);
		return -1;
	}
	buf[len] = '\0';
	return 0;
}

static void
network_load_leases(struct network *n)
{
	static char	buf[65536];

	if (network_read(n, "leases", buf, sizeof(buf)) == 0 &&
	    ipam_parse(&n->ipam, buf) == -1)
		log_warnx("%s: leases: bad file, some lost", n->name);
	if (n->br.prefix6 != 0 &&
	    network_read(n, "leases6", buf, sizeof(buf)) == 0 &&
	    ipam6_parse(&n->ipam6, buf) == -1)
		log_warnx("%s: leases6: bad file, some lost", n->name);
}

struct network *
network_add(const char *name, const struct msg_net_bridge *br, uid_t owner,
    int shared)
{
	struct network	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	strlcpy(n->name, name, sizeof(n->name));
	n->br = *br;
	n->owner = owner;
	n->shared = shared;
	ipam_init(&n->ipam, br->subnet, br->prefix, br->gateway);
	ipam6_init(&n->ipam6, br->subnet6, br->prefix6, br->gateway6);
	TAILQ_INSERT_TAIL(&networks, n, entry);
	return n;
}

/* the first host address of the subnet, unless celld.conf says */
static uint32_t
network_gw(uint32_t subnet, uint32_t given)
{
	return given != 0 ? given : htonl(ntohl(subnet) + 1);
}

int
network_overlaps6(const uint8_t *subnet, uint32_t prefix)
{
	struct network	*n;

	TAILQ_FOREACH(n, &networks, entry)
		if (n->br.prefix6 != 0 && ipam6_overlaps(n->br.subnet6,
		    n->br.prefix6, subnet, prefix))
			return 1;
	return 0;
}

/*
 * --ipv6 without a v6 --subnet: a unique local /64 (RFC 4193), fd00::/8
 * and a 40-bit global id, here an FNV-1a hash of the name (and a salt
 * should it overlap another network's: never the same subnet twice).
 */
const char *
network_ula(const char *name, struct msg_net_bridge *br)
{
	uint64_t	h;
	const char	*p;
	int		salt, i;

	for (salt = 0; salt < 256; salt++) {
		h = 14695981039346656037ULL;
		for (p = name; *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ (unsigned)salt) * 1099511628211ULL;
		memset(br->subnet6, 0, sizeof(br->subnet6));
		br->subnet6[0] = 0xfd;
		for (i = 1; i < 6; i++)
			br->subnet6[i] = (h >> (8 * i)) & 0xff;
		br->prefix6 = 64;
		if (!network_overlaps6(br->subnet6, 64))
			return NULL;
	}
	return "no free IPv6 subnet: give --subnet";
}

/*
 * subnet6 (conf_build.c checked it), or ipv6 alone: a ULA /64 as "network
 * create --ipv6" picks; the gateway is host 1 unless celld.conf says
 */
static void
network_conf_v6(const struct conf_net *cn, struct msg_net_bridge *br)
{
	if (cn->has_v6) {
		memcpy(br->subnet6, &cn->subnet6, 16);
		br->prefix6 = cn->prefixlen6;
	} else if (network_ula(cn->name, br) != NULL) {
		log_warnx("network %s: no free IPv6 subnet: IPv4 only",
		    cn->name);
		memset(br->subnet6, 0, sizeof(br->subnet6));
		br->prefix6 = 0;
		return;
	}
	memcpy(br->gateway6, br->subnet6, 16);
	br->gateway6[15] |= 1;
	if (!IN6_IS_ADDR_UNSPECIFIED(&cn->gateway6))
		memcpy(br->gateway6, &cn->gateway6, 16);
}

static void
network_load_conf(void)
{
	const struct conf_net	*cn;
	struct msg_net_bridge	 br;
	struct network		*n;

	TAILQ_FOREACH(cn, &env->conf.nets, entry) {
		/* net-helper makes and touches only cell* and cb-* links */
		if (strncmp(cn->bridge, "cell", 4) != 0 &&
		    strncmp(cn->bridge, "cb-", 3) != 0) {
			log_warnx("network %s: bridge %s must be named cell* or "
			    "cb-*: network not used", cn->name, cn->bridge);
			continue;
		}
		memset(&br, 0, sizeof(br));
		strlcpy(br.name, cn->bridge, sizeof(br.name));
		br.subnet = cn->subnet.s_addr;
		br.prefix = cn->prefixlen;
		br.gateway = network_gw(br.subnet, cn->gateway.s_addr);
		br.mtu = cn->mtu;
		br.flags = (cn->nat ? NETF_NAT : 0) |
		    (cn->internal ? NETF_INTERNAL : 0);
		if (cn->has_v6 || cn->ipv6)
			network_conf_v6(cn, &br);
		if ((n = network_add(cn->name, &br, 0, 1)) == NULL)
			fatal("%s", __func__);
		n->conf = 1;
		network_load_leases(n);
	}
}

static void
network_load_one(const char *dir, const char *file)
{
	char		 path[PATH_MAX];
	json_t		*j;
	json_error_t	 je;
	const char	*name, *bridge;
	json_int_t	 subnet, gw, owner;
	int		 prefix, mtu, flags, shared;
	struct msg_net_bridge br;
	struct network	*n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((j = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return;
	if (json_unpack(j, "{s:s s:s s:I s:i s:I s:i s:i s:I s:b}", "name",
	    &name, "bridge", &bridge, "subnet", &subnet, "prefix", &prefix,
	    "gateway", &gw, "mtu", &mtu, "flags", &flags, "owner", &owner,
	    "shared", &shared) == -1 || !msg_name_ok(name, strlen(name) + 1) ||
	    network_find(name) != NULL || strlen(bridge) >= sizeof(br.name)) {
		log_warnx("%s: bad network file, ignored", path);
		json_decref(j);
		return;
	}
	memset(&br, 0, sizeof(br));
	strlcpy(br.name, bridge, sizeof(br.name));
	br.subnet = subnet;
	br.prefix = prefix;
	br.gateway = gw;
	br.mtu = mtu;
	br.flags = flags;
	if (network_v6_load(json_object_get(j, "ipv6"), &br) == -1) {
		log_warnx("%s: bad ipv6 part, ignored", path);
		json_decref(j);
		return;
	}
	if ((n = network_add(name, &br, owner, shared)) == NULL)
		fatal("%s", __func__);
	network_load_leases(n);
	json_decref(j);
}

/* celld.conf's networks, then storage/networks/ (after the drop) */
void
network_load_all(void)
{
	char		 dir[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	size_t		 len;

	network_load_conf();
	network_dir(dir, sizeof(dir));
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] != '.' && len > 5 &&
		    strcmp(de->d_name + len - 5, ".json") == 0)
			network_load_one(dir, de->d_name);
	}
	closedir(d);
}

/* leases of containers that are no more (removed while we were down),
 * or no longer on that network */
void
network_prune(void)
{
	struct network			*n;
	const struct ipam_lease		*l;
	const struct ipam6_lease	*l6;
	char				 id[IPAM_IDLEN + 1];
	size_t				 i;
	int				 changed;
	struct cell			*c;

	TAILQ_FOREACH(n, &networks, entry) {
		changed = 0;
		for (i = 0; (l = ipam_nth(&n->ipam, i)) != NULL; i++) {
			/* a crash between a connect's lease and its state,
			 * or a disconnect's state and its lease */
			if ((c = cell_by_id(l->id)) != NULL &&
			    network_of(c, n->name) != NULL)
				continue;
			log_info("%s: lease of %.12s released: no such "
			    "container on it", n->name, l->id);
			/* the last lease moves to i: look at i again */
			strlcpy(id, l->id, sizeof(id));
			ipam_release(&n->ipam, id);
			i--;
			changed = 1;
		}
		for (i = 0; (l6 = ipam6_nth(&n->ipam6, i)) != NULL; i++) {
			if (cell_by_id(l6->id) != NULL)
				continue;
			strlcpy(id, l6->id, sizeof(id));
			ipam6_release(&n->ipam6, id);
			i--;
			changed = 1;
		}
		if (changed && network_save_leases(n) == -1)
			log_warn("%s: save leases", n->name);
	}
}

int
network_in_use(const struct network *n)
{
	return ipam_count(&n->ipam) > 0;
}

int
network_may_use(const struct client *cl, const struct network *n)
{
	return cl->admin || n->shared || n->owner == cl->uid;
}
