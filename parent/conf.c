/*
 * celld configuration as the rest of celld uses it: defaults, lookups,
 * the canonical form (celld -nv, the goldens under tests/config) and
 * freeing.  The grammar lives in parse.y, and the checks and builders
 * its actions call in conf_build.c.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/capability.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define KIB		1024LL
#define SETSTR(d, s)	snprintf((d), sizeof(d), "%s", (s))

static void	 putq(FILE *, const char *, const char *, const char *);
static char	*fmt_size(char *, size_t, int64_t);
static void	 print_net(FILE *, const struct conf_net *);
static void	 print_policy(FILE *, const struct conf_policy *);
static void	 print_caps(FILE *, uint64_t);

void
conf_defaults(struct celld_conf *conf)
{
	struct conf_net	*n;

	memset(conf, 0, sizeof(*conf));
	TAILQ_INIT(&conf->nets);
	TAILQ_INIT(&conf->policies);
	SETSTR(conf->user, "_celld");
	SETSTR(conf->socket, "/run/celld.sock");
	SETSTR(conf->socket_group, "cell");
	conf->socket_mode = 0660;
	SETSTR(conf->storage, "/var/lib/celld");
	SETSTR(conf->rundir, "/run/celld");
	SETSTR(conf->subid_user, conf->user);
	conf->img_max_layer = 4 * KIB * KIB * KIB;
	conf->img_max_image = 16 * KIB * KIB * KIB;
	conf->img_max_entries = 1000000;
	conf->img_max_layers = 64;	/* FS_MAXLAYERS */
	conf->log_max = 10 * KIB * KIB;
	conf->default_disk = CONF_DISK_DEFAULT;
	SETSTR(conf->default_net, "cell0");

	if ((n = calloc(1, sizeof(*n))) == NULL)
		err(1, "%s", __func__);
	SETSTR(n->name, "cell0");
	SETSTR(n->bridge, "cell0");
	n->subnet.s_addr = htonl(0x0a580000);	/* 10.88.0.0 */
	n->prefixlen = 16;
	n->nat = 1;
	TAILQ_INSERT_TAIL(&conf->nets, n, entry);
}

void
conf_free(struct celld_conf *conf)
{
	struct conf_net		*n;
	struct conf_policy	*p;

	while ((n = TAILQ_FIRST(&conf->nets)) != NULL) {
		TAILQ_REMOVE(&conf->nets, n, entry);
		free(n);
	}
	while ((p = TAILQ_FIRST(&conf->policies)) != NULL) {
		TAILQ_REMOVE(&conf->policies, p, entry);
		free(p);
	}
}

const struct conf_net *
conf_net_find(const struct celld_conf *conf, const char *name)
{
	const struct conf_net	*n;

	TAILQ_FOREACH(n, &conf->nets, entry)
		if (strcmp(n->name, name) == 0)
			return (n);
	return (NULL);
}

const struct conf_policy *
conf_policy_for(const struct celld_conf *conf, uid_t uid,
    const gid_t *groups, int ngroups)
{
	const struct conf_policy	*p;
	int				 i;

	TAILQ_FOREACH(p, &conf->policies, entry)
		if (p->kind == POL_USER && p->id == (uint32_t)uid)
			return (p);
	TAILQ_FOREACH(p, &conf->policies, entry) {
		if (p->kind != POL_GROUP)
			continue;
		for (i = 0; i < ngroups; i++)
			if (p->id == (uint32_t)groups[i])
				return (p);
	}
	return (NULL);
}

/*
 * Canonical printing.  The output parses back to the same structure.
 */

/* Print pre, s as a quoted string, then post. */
static void
putq(FILE *fp, const char *pre, const char *s, const char *post)
{
	fprintf(fp, "%s\"", pre);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fprintf(fp, "\"%s", post);
}

static char *
fmt_size(char *buf, size_t len, int64_t v)
{
	static const char	 sfx[] = " KMGT";
	int			 i = 0;

	while (v != 0 && v % KIB == 0 && i < 4) {
		v /= KIB;
		i++;
	}
	snprintf(buf, len, "%lld%.*s", (long long)v, i > 0, sfx + i);
	return (buf);
}

static void
print_net(FILE *fp, const struct conf_net *n)
{
	char	buf[INET6_ADDRSTRLEN];

	putq(fp, "\nnetwork ", n->name, " {\n");
	putq(fp, "\tbridge ", n->bridge, "\n");
	inet_ntop(AF_INET, &n->subnet, buf, sizeof(buf));
	fprintf(fp, "\tsubnet %s/%d\n", buf, n->prefixlen);
	if (n->gateway.s_addr != 0) {
		inet_ntop(AF_INET, &n->gateway, buf, sizeof(buf));
		fprintf(fp, "\tgateway %s\n", buf);
	}
	if (n->ipv6 && !n->has_v6)
		fputs("\tipv6\n", fp);
	if (n->has_v6) {
		inet_ntop(AF_INET6, &n->subnet6, buf, sizeof(buf));
		fprintf(fp, "\tsubnet6 %s/%d\n", buf, n->prefixlen6);
	}
	if (!IN6_IS_ADDR_UNSPECIFIED(&n->gateway6)) {
		inet_ntop(AF_INET6, &n->gateway6, buf, sizeof(buf));
		fprintf(fp, "\tgateway %s\n", buf);
	}
	if (n->nat)
		fputs("\tnat\n", fp);
	if (n->internal)
		fputs("\tinternal\n", fp);
	if (n->mtu != 0)
		fprintf(fp, "\tmtu %d\n", n->mtu);
	fputs("}\n", fp);
}

static void
print_caps(FILE *fp, uint64_t caps)
{
	char	*name;
	int	 i, j;

	fputs("\tallow caps {", fp);
	for (i = 0; i < 64; i++) {
		if ((caps & (1ULL << i)) == 0)
			continue;
		if ((name = cap_to_name(i)) == NULL)
			err(1, "cap_to_name");
		j = strncasecmp(name, "cap_", 4) == 0 ? 4 : 0;
		fputc(' ', fp);
		for (; name[j] != '\0'; j++)
			fputc(toupper((unsigned char)name[j]), fp);
		cap_free(name);
	}
	fputs(" }\n", fp);
}

static void
print_policy(FILE *fp, const struct conf_policy *p)
{
	static const struct {
		uint32_t	 flag;
		const char	*name;
	} flags[] = {
		{ POL_ALLOW_PRIVILEGED,	"privileged" },
		{ POL_ALLOW_UNCONFINED,	"seccomp-unconfined" },
		{ POL_ALLOW_HOSTNET,	"host-network" },
		{ POL_ALLOW_LOWPORTS,	"low-ports" },
		{ POL_ALLOW_USERNS,	"userns" },
	};
	const char	*kind = p->kind == POL_USER ? "user" : "group";
	char		 buf[32];
	size_t		 i;
	int64_t		 v;

	if (p->name[strspn(p->name, "0123456789")] == '\0')
		fprintf(fp, "\npolicy %s %s {\n", kind, p->name);
	else {
		fprintf(fp, "\npolicy %s", kind);
		putq(fp, " ", p->name, " {\n");
	}
	if (p->admin)
		fputs("\tadmin\n", fp);
	if (p->deny)
		fputs("\tblock\n", fp);
	if (p->nvolumes > 0) {
		fputs("\tvolumes {", fp);
		for (i = 0; i < (size_t)p->nvolumes; i++)
			putq(fp, " ", p->volumes[i], "");
		fputs(" }\n", fp);
	}
	if (p->max_containers >= 0)
		fprintf(fp, "\tmax containers %lld\n",
		    (long long)p->max_containers);
	if (p->max_memory >= 0)
		fprintf(fp, "\tmax memory %s\n",
		    fmt_size(buf, sizeof(buf), p->max_memory));
	if ((v = p->max_cpus_milli) >= 0) {
		fprintf(fp, "\tmax cpus %lld", (long long)v / 1000);
		if (v % 10 != 0)
			fprintf(fp, ".%03lld\n", (long long)v % 1000);
		else if (v % 100 != 0)
			fprintf(fp, ".%02lld\n", (long long)v % 1000 / 10);
		else if (v % 1000 != 0)
			fprintf(fp, ".%lld\n", (long long)v % 1000 / 100);
		else
			fputc('\n', fp);
	}
	if (p->max_pids >= 0)
		fprintf(fp, "\tmax pids %lld\n", (long long)p->max_pids);
	if (p->max_disk >= 0)
		fprintf(fp, "\tmax disk %s\n",
		    fmt_size(buf, sizeof(buf), p->max_disk));
	if (p->max_conns >= 0)
		fprintf(fp, "\tmax connections %d\n", p->max_conns);
	if (p->max_ops >= 0)
		fprintf(fp, "\tmax operations %d\n", p->max_ops);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (p->allow & flags[i].flag)
			fprintf(fp, "\tallow %s\n", flags[i].name);
	if (p->allow_caps != 0)
		print_caps(fp, p->allow_caps);
	fputs("}\n", fp);
}

/* A size as celld.conf writes it: 64M, 10G, 12345. */
const char *
conf_size_str(char *buf, size_t len, int64_t v)
{
	return fmt_size(buf, len, v);
}

void
conf_print(FILE *fp, const struct celld_conf *conf)
{
	const struct conf_net		*n;
	const struct conf_policy	*p;
	char				 a[32], b[32];

	putq(fp, "user ", conf->user, "\n");
	putq(fp, "socket ", conf->socket, "");
	putq(fp, " group ", conf->socket_group, "");
	fprintf(fp, " mode %04o\n", (unsigned int)conf->socket_mode);
	putq(fp, "storage ", conf->storage, "\n");
	putq(fp, "rundir ", conf->rundir, "\n");
	if (conf->audit[0] != '\0')
		putq(fp, "audit ", conf->audit, "\n");
	if (conf->subid_count != 0)
		fprintf(fp, "subid range %u count %u\n", conf->subid_start,
		    conf->subid_count);
	else
		putq(fp, "subid user ", conf->subid_user, "\n");
	fprintf(fp, "log max %s\n", fmt_size(a, sizeof(a), conf->log_max));
	fprintf(fp, "image max-layer %s max-image %s max-entries %lld "
	    "max-layers %lld\n", fmt_size(a, sizeof(a), conf->img_max_layer),
	    fmt_size(b, sizeof(b), conf->img_max_image),
	    (long long)conf->img_max_entries,
	    (long long)conf->img_max_layers);
	putq(fp, "default network ", conf->default_net, "\n");
	if (conf->default_disk != CONF_DISK_DEFAULT)
		fprintf(fp, "default disk %s\n",
		    fmt_size(a, sizeof(a), conf->default_disk));
	TAILQ_FOREACH(n, &conf->nets, entry)
		print_net(fp, n);
	TAILQ_FOREACH(p, &conf->policies, entry)
		print_policy(fp, p);
}
