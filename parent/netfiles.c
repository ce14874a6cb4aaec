/*
 * netfiles.c: /etc/hostname, /etc/hosts and /etc/resolv.conf of each
 * container.  The parent writes them in containers/<id>/ (ours); C binds
 * them read-only over its /etc (spawn-helper/mounts.c), found through the
 * tree fs-helper hands it, so no path reaches C.
 *
 * Names: on a network made with `network create` (not the default one,
 * which every user shares), each running container's /etc/hosts lists
 * every other running container of that network by hostname and name.
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
nf_peer(const struct cell *c, const struct cell *p, const char *net,
    const struct cell *gone)
{
	return p != c && p != gone && !(p->spec.flags & SPEC_NONET) &&
	    strcmp(p->spec.network, net) == 0 &&
	    (p->state == CELL_RUNNING || p->state == CELL_STARTING);
}

static int
nf_hosts(const struct cell *c, const struct cell *gone)
{
	struct network		*n = NULL;
	struct cell		*p;
	char			*buf;
	size_t			 off;
	int			 r;

	if ((buf = malloc(NF_MAX)) == NULL)
		return -1;
	off = strlcpy(buf, "127.0.0.1\tlocalhost\n"
	    "::1\tlocalhost ip6-localhost ip6-loopback\n", NF_MAX);
	if (!(c->spec.flags & SPEC_NONET))
		n = network_find(c->spec.network);
	if (n != NULL)
		off += nf_line(buf + off, NF_MAX - off, n, c);
	else
		off += snprintf(buf + off, NF_MAX - off, "127.0.1.1\t%s\n",
		    nf_hostname(c));
	/* the default network is everyone's: no names of others there */
	if (n != NULL && strcmp(n->name, env->conf.default_net) != 0)
		RB_FOREACH(p, cells, &cells)
			if (nf_peer(c, p, n->name, gone))
				off += nf_line(buf + off, NF_MAX - off, n, p);
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
	    nf_write(c, "resolv.conf", nf_resolv, strlen(nf_resolv)) == -1) {
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

	if ((c->spec.flags & SPEC_NONET) ||
	    strcmp(c->spec.network, env->conf.default_net) == 0)
		return;
	RB_FOREACH(p, cells, &cells)
		if (nf_peer(c, p, c->spec.network, NULL) &&
		    nf_hosts(p, gone ? c : NULL) == -1)
			log_warn("%.12s: /etc/hosts", p->id);
}
