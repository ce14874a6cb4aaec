/*
 * Building the celld configuration: what the grammar actions in parse.y
 * call to check values (names, paths, sizes, subnets, capabilities), to
 * check and add whole network and policy blocks, to open the file, and
 * the macro table.  Defaults, lookups and printing are in conf.c.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/capability.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define KIB		1024LL
#define SETSTR(d, s)	snprintf((d), sizeof(d), "%s", (s))

/*
 * Validation helpers.
 */

static const char *
check_chars(const char *s, size_t max, const char *first)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr(i == 0 ? first : "_.-", s[i]) == NULL)
			return ("invalid characters in name");
	if (i == 0)
		return ("empty name");
	return (i >= max ? "name too long" : NULL);
}

/* Network names: [a-zA-Z0-9][a-zA-Z0-9_.-]* */
const char *
conf_check_name(const char *s)
{
	return (check_chars(s, CONF_NAMELEN, ""));
}

/* Same rules as the Linux kernel's dev_valid_name(). */
const char *
conf_check_ifname(const char *s)
{
	size_t	i;

	if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return ("invalid interface name");
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] == '/' || s[i] == ':' ||
		    isspace((unsigned char)s[i]) ||
		    !isprint((unsigned char)s[i]))
			return ("invalid interface name");
	if (i >= 16)
		return ("interface name too long");
	return (NULL);
}

/* Absolute and normalized: no "//", ".", "..", or trailing "/". */
const char *
conf_check_path(const char *s)
{
	const char	*c;
	size_t		 len;

	if (s[0] != '/')
		return ("path must be absolute");
	if ((len = strlen(s)) >= PATH_MAX)
		return ("path too long");
	for (c = s; *c != '\0'; c++)
		if (!isprint((unsigned char)*c))
			return ("path contains invalid characters");
	if (len == 1)
		return (NULL);
	if (s[len - 1] == '/')
		return ("path has a trailing slash");
	for (c = s; c != NULL; c = strchr(c + 1, '/')) {
		if (c[1] == '/')
			return ("path contains \"//\"");
		if (strncmp(c, "/./", 3) == 0 || strcmp(c, "/.") == 0)
			return ("path contains \".\"");
		if (strncmp(c, "/../", 4) == 0 || strcmp(c, "/..") == 0)
			return ("path contains \"..\"");
	}
	return (NULL);
}

/* User and group names: [a-zA-Z0-9_][a-zA-Z0-9_.-]* */
const char *
conf_check_login(const char *s)
{
	return (check_chars(s, 64, "_"));
}

/* Decimal number with an optional K, M, G or T suffix (1024-based). */
const char *
conf_parse_size(const char *s, int64_t *res)
{
	int64_t		 v = 0, mul = 1;
	const char	*c;

	if (!isdigit((unsigned char)*s))
		return ("invalid size");
	for (c = s; isdigit((unsigned char)*c); c++) {
		if (v > (INT64_MAX - (*c - '0')) / 10)
			return ("size too large");
		v = v * 10 + (*c - '0');
	}
	if (*c != '\0') {
		switch (toupper((unsigned char)*c)) {
		case 'T':
			mul *= KIB;
			/* FALLTHROUGH */
		case 'G':
			mul *= KIB;
			/* FALLTHROUGH */
		case 'M':
			mul *= KIB;
			/* FALLTHROUGH */
		case 'K':
			mul *= KIB;
			break;
		default:
			return ("invalid size");
		}
		if (c[1] != '\0')
			return ("invalid size");
	}
	if (v > INT64_MAX / mul)
		return ("size too large");
	*res = v * mul;
	return (NULL);
}

/* "2", "2.5", "0.125": number of CPUs, returned in thousandths. */
const char *
conf_parse_cpus(const char *s, int64_t *res)
{
	int64_t		 v = 0;
	const char	*c;
	int		 frac = -1;

	if (!isdigit((unsigned char)*s))
		return ("invalid cpu count");
	for (c = s; *c != '\0'; c++) {
		if (*c == '.' && frac == -1) {
			frac = 0;
			continue;
		}
		if (!isdigit((unsigned char)*c) || frac == 3)
			return ("invalid cpu count");
		if (frac >= 0)
			frac++;
		v = v * 10 + (*c - '0');
		if (v > 1000000000LL)
			return ("cpu count too large");
	}
	if (frac == 0)
		return ("invalid cpu count");
	for (frac = frac < 0 ? 0 : frac; frac < 3; frac++)
		v *= 10;
	if (v == 0)
		return ("cpu count must be positive");
	*res = v;
	return (NULL);
}

static const char *
parse_prefix(const char *s, int max, int *res)
{
	int	v = 0;

	if (*s == '\0' || strlen(s) > 3)
		return ("invalid prefix length");
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return ("invalid prefix length");
		v = v * 10 + (*s - '0');
	}
	if (v < 1 || v > max)
		return ("prefix length out of range");
	*res = v;
	return (NULL);
}

/* "a.b.c.d/len", prefix length 1-30, no host bits set. */
const char *
conf_parse_cidr(const char *s, struct in_addr *addr, int *plen)
{
	char		 buf[INET_ADDRSTRLEN + 4], *p;
	const char	*e;
	uint32_t	 mask;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", s) >= sizeof(buf) ||
	    (p = strchr(buf, '/')) == NULL)
		return ("invalid subnet, expected address/prefixlen");
	*p++ = '\0';
	if (inet_pton(AF_INET, buf, addr) != 1)
		return ("invalid IPv4 address");
	if ((e = parse_prefix(p, 30, plen)) != NULL)
		return (e);
	mask = htonl(0xffffffffU << (32 - *plen));
	if ((addr->s_addr & ~mask) != 0)
		return ("subnet with host bits set");
	return (NULL);
}

/* "prefix/len", prefix length 48-120 (NET_PREFIX6_* of imsg/msg.h), no
 * host bits set, unicast. */
const char *
conf_parse_cidr6(const char *s, struct in6_addr *addr, int *plen)
{
	char		 buf[INET6_ADDRSTRLEN + 4], *p;
	const char	*e;
	int		 i;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", s) >= sizeof(buf) ||
	    (p = strchr(buf, '/')) == NULL)
		return ("invalid subnet6, expected prefix/prefixlen");
	*p++ = '\0';
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return ("invalid IPv6 address");
	if ((e = parse_prefix(p, 120, plen)) != NULL)
		return (e);
	if (*plen < 48)
		return ("prefix length out of range");
	for (i = *plen; i < 128; i++)
		if (addr->s6_addr[i / 8] & (0x80 >> (i % 8)))
			return ("subnet6 with host bits set");
	/* multicast, link-local, and ::/64 (loopback, v4-mapped) */
	if (addr->s6_addr[0] == 0xff || (addr->s6_addr[0] == 0xfe &&
	    (addr->s6_addr[1] & 0xc0) == 0x80) || (addr->s6_addr32[0] == 0 &&
	    addr->s6_addr32[1] == 0))
		return ("subnet6 must be global or unique-local unicast");
	return (NULL);
}

/* Capability name with or without "CAP_", any case. */
const char *
conf_parse_cap(const char *s, int *res)
{
	char		 buf[64];
	cap_value_t	 v;
	size_t		 i;

	if (strncasecmp(s, "cap_", 4) == 0)
		s += 4;
	for (i = 0; s[i] != '\0'; i++)
		if (!isalpha((unsigned char)s[i]) && s[i] != '_')
			return ("unknown capability");
	if (i == 0 || snprintf(buf, sizeof(buf), "cap_%s", s) >=
	    (int)sizeof(buf))
		return ("unknown capability");
	if (cap_from_name(buf, &v) != 0 || v < 0 || v >= 64)
		return ("unknown capability");
	*res = v;
	return (NULL);
}

/*
 * Building the configuration; used by the grammar actions in parse.y.
 */

void
conf_setstr(char *dst, size_t len, char *s, const char *what,
    const char *(*check)(const char *), int line)
{
	const char	*e;

	if ((e = check(s)) != NULL)
		conf_error(line, "%s \"%s\": %s", what, s, e);
	else if (strlen(s) >= len)
		conf_error(line, "%s \"%s\": too long", what, s);
	else
		memcpy(dst, s, strlen(s) + 1);
	free(s);
}

/* do a and b agree in their first len bits? */
static int
net_match6(const struct in6_addr *a, const struct in6_addr *b, int len)
{
	int	i;

	for (i = 0; i < len; i++)
		if ((a->s6_addr[i / 8] ^ b->s6_addr[i / 8]) &
		    (0x80 >> (i % 8)))
			return (0);
	return (1);
}

static int
net_overlap(const struct conf_net *a, const struct conf_net *b)
{
	int		len = a->prefixlen < b->prefixlen ? a->prefixlen :
			    b->prefixlen;
	uint32_t	mask = htonl(0xffffffffU << (32 - len));

	if ((a->subnet.s_addr & mask) == (b->subnet.s_addr & mask))
		return (1);
	return (a->has_v6 && b->has_v6 && net_match6(&a->subnet6,
	    &b->subnet6, a->prefixlen6 < b->prefixlen6 ? a->prefixlen6 :
	    b->prefixlen6));
}

/* Check a complete network block and add it, or free it. */
void
conf_net_add(struct celld_conf *conf, struct conf_net *n, int line)
{
	struct conf_net	*o;
	uint32_t	 mask, gw;
	const char	*name = n->name;

	if (n->bridge[0] == '\0' && conf_check_ifname(name) == NULL)
		memcpy(n->bridge, name, strlen(name) + 1);
	if (n->bridge[0] == '\0')
		conf_error(line, "network \"%s\": bridge required", name);
	if (n->prefixlen == 0)
		conf_error(line, "network \"%s\": subnet required", name);
	if (n->bridge[0] == '\0' || n->prefixlen == 0) {
		free(n);
		return;
	}
	mask = 0xffffffffU << (32 - n->prefixlen);
	gw = ntohl(n->gateway.s_addr);
	if (gw != 0 && ((gw & mask) != ntohl(n->subnet.s_addr) ||
	    (gw & ~mask) == 0 || (gw & ~mask) == ~mask))
		conf_error(line, "network \"%s\": gateway is not a host "
		    "address in the subnet", name);
	if (n->nat && n->internal)
		conf_error(line, "network \"%s\": nat and internal are "
		    "mutually exclusive", name);
	if (!IN6_IS_ADDR_UNSPECIFIED(&n->gateway6) && (!n->has_v6 ||
	    !net_match6(&n->gateway6, &n->subnet6, n->prefixlen6) ||
	    IN6_ARE_ADDR_EQUAL(&n->gateway6, &n->subnet6)))
		conf_error(line, "network \"%s\": the IPv6 gateway is not "
		    "a host address in subnet6", name);
	if ((n->has_v6 || n->ipv6) && n->mtu != 0 && n->mtu < 1280)
		conf_error(line, "network \"%s\": mtu too small for IPv6",
		    name);
	TAILQ_FOREACH(o, &conf->nets, entry) {
		if (strcmp(o->name, name) == 0)
			conf_error(line, "duplicate network \"%s\"", name);
		else if (strcmp(o->bridge, n->bridge) == 0)
			conf_error(line, "network \"%s\": bridge \"%s\" "
			    "already used by network \"%s\"", name,
			    n->bridge, o->name);
		else if (net_overlap(o, n))
			conf_error(line, "network \"%s\": subnet overlaps "
			    "network \"%s\"", name, o->name);
	}
	TAILQ_INSERT_TAIL(&conf->nets, n, entry);
}

/* Start a policy block: resolve the user or group name to an id. */
struct conf_policy *
conf_policy_new(int kind, char *name, int line)
{
	struct conf_policy	*p;
	const char		*what = kind == POL_USER ? "user" : "group";
	const char		*e;
	struct passwd		*pw;
	struct group		*gr;
	unsigned long		 id;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		err(1, "%s", __func__);
	p->kind = kind;
	p->max_containers = p->max_memory = p->max_cpus_milli = -1;
	p->max_pids = p->max_disk = -1;
	p->max_conns = p->max_ops = -1;
	if (*name != '\0' && name[strspn(name, "0123456789")] == '\0') {
		errno = 0;
		id = strtoul(name, NULL, 10);
		if (errno != 0 || id >= UINT32_MAX)
			conf_error(line, "invalid %s id %s", what, name);
		p->id = id;
	} else if ((e = conf_check_login(name)) != NULL)
		conf_error(line, "%s \"%s\": %s", what, name, e);
	else if (kind == POL_USER && (pw = getpwnam(name)) != NULL)
		p->id = pw->pw_uid;
	else if (kind == POL_GROUP && (gr = getgrnam(name)) != NULL)
		p->id = gr->gr_gid;
	else
		conf_error(line, "unknown %s \"%s\"", what, name);
	SETSTR(p->name, name);
	free(name);
	return (p);
}

void
conf_policy_add(struct celld_conf *conf, struct conf_policy *p, int line)
{
	struct conf_policy	*o;
	const char		*what = p->kind == POL_USER ? "user" : "group";

	if (p->admin && p->deny)
		conf_error(line, "policy %s \"%s\": admin and block are "
		    "mutually exclusive", what, p->name);
	TAILQ_FOREACH(o, &conf->policies, entry)
		if (o->kind == p->kind && o->id == p->id)
			conf_error(line, "duplicate policy for %s \"%s\"",
			    what, p->name);
	TAILQ_INSERT_TAIL(&conf->policies, p, entry);
}

void
conf_policy_volume(struct conf_policy *p, char *s, int line)
{
	const char	*e;
	int		 i;

	for (i = 0; i < p->nvolumes; i++)
		if (strcmp(p->volumes[i], s) == 0)
			break;
	if ((e = conf_check_path(s)) != NULL)
		conf_error(line, "volume \"%s\": %s", s, e);
	else if (i < p->nvolumes)
		conf_error(line, "duplicate volume \"%s\"", s);
	else if (p->nvolumes >= POL_MAXVOL)
		conf_error(line, "too many volumes (at most %d)", POL_MAXVOL);
	else
		SETSTR(p->volumes[p->nvolumes++], s);
	free(s);
}

void
conf_policy_cap(struct conf_policy *p, char *s, int line)
{
	const char	*e;
	int		 cap;

	if ((e = conf_parse_cap(s, &cap)) != NULL)
		conf_error(line, "%s \"%s\"", e, s);
	else
		p->allow_caps |= 1ULL << cap;
	free(s);
}

FILE *
conf_open(const char *file, int check_perms)
{
	FILE		*fp;
	struct stat	 st;

	if ((fp = fopen(file, "r")) == NULL) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		return (NULL);
	}
	if (check_perms && (fstat(fileno(fp), &st) == -1 ||
	    st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)) {
		fprintf(stderr, "%s: bad owner or mode (must be owned by "
		    "root and not writable by group or other)\n", file);
		fclose(fp);
		return (NULL);
	}
	return (fp);
}

/*
 * Macros.  Those from -D (persistent) override the file's and outlive
 * conf_parse(); the file's are dropped by conf_macro_clear().
 */

struct sym {
	TAILQ_ENTRY(sym)	 entry;
	int			 persist;
	char			*nam;
	char			*val;
};
static TAILQ_HEAD(symlist, sym) symhead = TAILQ_HEAD_INITIALIZER(symhead);

int
conf_macro_name_ok(const char *s)
{
	const char	*c;

	for (c = s; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && *c != '_')
			return (0);
	return (c != s && c - s < CONF_NAMELEN);
}

const char *
conf_macro_get(const char *nam)
{
	struct sym	*sym;

	TAILQ_FOREACH(sym, &symhead, entry)
		if (strcmp(nam, sym->nam) == 0)
			return (sym->val);
	return (NULL);
}

static void
sym_free(struct sym *sym)
{
	TAILQ_REMOVE(&symhead, sym, entry);
	free(sym->nam);
	free(sym->val);
	free(sym);
}

int
conf_macro_set(const char *nam, const char *val, int persist)
{
	struct sym	*sym;

	TAILQ_FOREACH(sym, &symhead, entry)
		if (strcmp(nam, sym->nam) == 0)
			break;
	if (sym != NULL && sym->persist && !persist)
		return (0);
	if (sym != NULL)
		sym_free(sym);
	if ((sym = calloc(1, sizeof(*sym))) == NULL ||
	    (sym->nam = strdup(nam)) == NULL ||
	    (sym->val = strdup(val)) == NULL)
		err(1, "%s", __func__);
	sym->persist = persist;
	TAILQ_INSERT_TAIL(&symhead, sym, entry);
	return (0);
}

void
conf_macro_clear(void)
{
	struct sym	*sym, *next;

	for (sym = TAILQ_FIRST(&symhead); sym != NULL; sym = next) {
		next = TAILQ_NEXT(sym, entry);
		if (!sym->persist)
			sym_free(sym);
	}
}

int
conf_macro_define(const char *kv)
{
	const char	*eq;
	char		 nam[CONF_NAMELEN];

	if ((eq = strchr(kv, '=')) == NULL || eq - kv >= CONF_NAMELEN)
		return (-1);
	memcpy(nam, kv, eq - kv);
	nam[eq - kv] = '\0';
	if (!conf_macro_name_ok(nam))
		return (-1);
	return (conf_macro_set(nam, eq + 1, 1));
}
