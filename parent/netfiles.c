/*
 * netfiles.c: /etc/hostname, /etc/hosts and /etc/resolv.conf of each
 * container.  The parent writes them in containers/<id>/ (ours); C binds
 * them read-only over its /etc (spawn-helper/mounts.c), found through the
 * tree fs-helper hands it, so no path reaches C.
 *
 * Names: on a network made with `network create` (not the default one,
 * which every user shares), each running container's /etc/hosts lists
 * every other running container of the same owner on that network by
 * hostname and name: names are per user (cell.c), and one user's names
 * tell nothing to another's containers on a shared network.
 * The files are rewritten in place when one starts or stops, so the bind
 * mounts see the change: no DNS server, no socket, nothing more to trust
 * (docs/network.md says why).
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "parent.h"
#include "ipam.h"
#include "network.h"

#define NF_MAX		65536		/* one file's size */

static char	nf_resolv[4096];	/* the host's, read as root */

/*
 * At startup, as root: the host's nameservers that a container can reach
 * (not loopback: a container's lo is its own), and its search domains.
 */
void
netfiles_init(void)
{
	FILE	*f;
	char	 line[512], w[64];
	size_t	 off = 0;
	int	 n;

	nf_resolv[0] = '\0';
	if ((f = fopen("/etc/resolv.conf", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%63s", w) != 1)
			continue;
		if (strcmp(w, "nameserver") == 0 && (strstr(line, " 127.") ||
		    strstr(line, "\t127.") || strstr(line, "::1")))
			continue;
		if (strcmp(w, "nameserver") != 0 && strcmp(w, "search") != 0 &&
		    strcmp(w, "options") != 0)
			continue;
		n = snprintf(nf_resolv + off, sizeof(nf_resolv) - off, "%s%s",
		    line, strchr(line, '\n') ? "" : "\n");
		if (n < 0 || (size_t)n >= sizeof(nf_resolv) - off)
			break;
		off += n;
	}
	fclose(f);
}

static const char *
nf_hostname(const struct cell *c)
{
	static char	h[sizeof(c->spec.hostname)];

	if (c->spec.hostname[0] != '\0')
		return c->spec.hostname;
	snprintf(h, sizeof(h), "%.12s", c->id);
	return h;
}

/* Rewrite dir/name in place (bind mounts keep the inode), O_NOFOLLOW. */
static int
nf_write(const struct cell *c, const char *name, const char *data,
    size_t len)
{
	char	path[PATH_MAX];
	int	fd, r = 0;

	snprintf(path, sizeof(path), "%s/containers/%s/%s", env->conf.storage,
	    c->id, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0644)) == -1)
		return -1;
	if (pwrite(fd, data, len, 0) != (ssize_t)len ||
	    ftruncate(fd, len) == -1)
		r = -1;
	close(fd);
	return r;
}

/* the same for its v6 address on a dual-stack network */
static size_t
nf_line6(char *buf, size_t size, const struct network *n,
    const struct cell *c)
{
	const struct ipam6_lease	*l;
	char				 a[INET6_ADDRSTRLEN];
	int				 k;

	if (n->br.prefix6 == 0 || (l = ipam6_find(&n->ipam6, c->id)) == NULL)
		return 0;
	inet_ntop(AF_INET6, l->addr, a, sizeof(a));
	k = snprintf(buf, size, "%s\t%s %s\n", a, nf_hostname(c), c->name);
	return k > 0 && (size_t)k < size ? (size_t)k : 0;
}

/* "ip hostname name" of a running container on n (and "ip6 ..."), or
 * nothing */
static size_t
nf_line(char *buf, size_t size, const struct network *n,
    const struct cell *c)
{
	const struct ipam_lease	*l;
	char			 a[INET_ADDRSTRLEN];
	struct in_addr		 in;
	int			 k;

	if ((l = ipam_find(&n->ipam, c->id)) == NULL)
		return 0;
	in.s_addr = l->addr;
	inet_ntop(AF_INET, &in, a, sizeof(a));
	k = snprintf(buf, size, "%s\t%s %s\n", a, nf_hostname(c), c->name);
	if (k <= 0 || (size_t)k >= size)
		return 0;
	return k + nf_line6(buf + k, size - k, n, c);
}

static int
nf_running(const struct cell *p)
{
	return p->state == CELL_RUNNING || p->state == CELL_STARTING;
}

/* --add-host lines */
static size_t
nf_addhosts(char *buf, size_t size, const struct cell_spec *s)
{
	char		 a[INET_ADDRSTRLEN];
	struct in_addr	 in;
	size_t		 off = 0;
	uint32_t	 i;
	int		 k;

	for (i = 0; i < s->nhosts; i++) {
		in.s_addr = s->hosts[i].addr;
		inet_ntop(AF_INET, &in, a, sizeof(a));
		k = snprintf(buf + off, size - off, "%s\t%s\n", a,
		    s->hosts[i].name);
		if (k < 0 || (size_t)k >= size - off)
			break;
		off += k;
	}
	return off;
}

/* --dns replaces the host's nameservers; its search and options stay */
static int
nf_resolv_write(const struct cell *c)
{
	char		 buf[sizeof(nf_resolv) + 64], a[INET_ADDRSTRLEN];
	char		*line, *save, copy[sizeof(nf_resolv)];
	struct in_addr	 in;
	size_t		 off = 0;
	uint32_t	 i;

	if (c->spec.ndns == 0)
		return nf_write(c, "resolv.conf", nf_resolv,
		    strlen(nf_resolv));
	for (i = 0; i < c->spec.ndns; i++) {
		in.s_addr = c->spec.dns[i];
		inet_ntop(AF_INET, &in, a, sizeof(a));
		off += snprintf(buf + off, sizeof(buf) - off,
		    "nameserver %s\n", a);
	}
	strlcpy(copy, nf_resolv, sizeof(copy));
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "nameserver", 10) != 0 &&
		    off < sizeof(buf))
			off += snprintf(buf + off, sizeof(buf) - off, "%s\n",
			    line);
	if (off > sizeof(buf) - 1)
		off = sizeof(buf) - 1;
	return nf_write(c, "resolv.conf", buf, off);
}

static int
nf_peer(const struct cell *c, const struct cell *p, const char *net,
    const struct cell *gone)
{
	return p != c && p != gone && p->owner == c->owner &&
	    network_of(p, net) != NULL && nf_running(p);
}

/* c's own addresses, then on each named network its running peers */
static int
nf_hosts(const struct cell *c, const struct cell *gone)
{
	struct network		*n;
	struct cell		*p;
	char			*buf;
	size_t			 off;
	uint32_t		 i, own = 0;
	int			 r;

	if ((buf = malloc(NF_MAX)) == NULL)
		return -1;
	off = strlcpy(buf, "127.0.0.1\tlocalhost\n"
	    "::1\tlocalhost ip6-localhost ip6-loopback\n", NF_MAX);
	for (i = 0; i < c->nnets; i++)
		if ((n = network_find(c->nets[i].name)) != NULL &&
		    (r = nf_line(buf + off, NF_MAX - off, n, c)) > 0) {
			off += r;
			own++;
		}
	if (own == 0)
		off += snprintf(buf + off, NF_MAX - off, "127.0.1.1\t%s\n",
		    nf_hostname(c));
	off += nf_addhosts(buf + off, NF_MAX - off, &c->spec);
	for (i = 0; i < c->nnets; i++) {
		/* the default network is everyone's: no names of others */
		if ((n = network_find(c->nets[i].name)) == NULL ||
		    strcmp(n->name, env->conf.default_net) == 0)
			continue;
		RB_FOREACH(p, cells, &cells)
			if (nf_peer(c, p, n->name, gone))
				off += nf_line(buf + off, NF_MAX - off, n, p);
	}
	r = nf_write(c, "hosts", buf, off);
	free(buf);
	return r;
}

/* c is about to exec: all three of its files */
int
netfiles_write(const struct cell *c)
{
	char	h[80];
	size_t	len;

	len = snprintf(h, sizeof(h), "%s\n", nf_hostname(c));
	if (nf_write(c, "hostname", h, len) == -1 || nf_hosts(c, NULL) == -1 ||
	    nf_resolv_write(c) == -1) {
		log_warn("%.12s: /etc files", c->id);
		return -1;
	}
	return 0;
}

/*
 * c started or stopped on its network (gone: it is leaving): the others
 * there see it come or go.
 */
void
netfiles_peers(const struct cell *c, int gone)
{
	struct cell	*p;
	uint32_t	 i;

	for (i = 0; i < c->nnets; i++) {
		if (strcmp(c->nets[i].name, env->conf.default_net) == 0)
			continue;
		RB_FOREACH(p, cells, &cells)
			if (nf_peer(c, p, c->nets[i].name, NULL) &&
			    nf_hosts(p, gone ? c : NULL) == -1)
				log_warn("%.12s: /etc/hosts", p->id);
	}
}

/*
 * A running container joined or left the network net (connect,
 * disconnect): every running container on it, and the one that left,
 * are rewritten by the caller's c->nets as they are now.
 */
void
netfiles_network(const char *net, const struct cell *c)
{
	struct cell	*p;

	if (c != NULL && nf_running(c) && nf_hosts(c, NULL) == -1)
		log_warn("%.12s: /etc/hosts", c->id);
	if (strcmp(net, env->conf.default_net) == 0)
		return;
	RB_FOREACH(p, cells, &cells)
		if (p != c && network_of(p, net) != NULL && nf_running(p) &&
		    nf_hosts(p, NULL) == -1)
			log_warn("%.12s: /etc/hosts", p->id);
}
