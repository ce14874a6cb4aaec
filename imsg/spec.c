/*
 * spec.c: checks of the variable parts of messages, shared by every
 * receiver.  Side-effect free.
 */
#include <sys/socket.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "msg.h"

/* 64 lowercase hex characters, terminated: no path can hide in an id. */
int
msg_id_ok(const char *id, size_t size)
{
	size_t	i;

	if (size < CELL_IDLEN + 1 || id[CELL_IDLEN] != '\0')
		return 0;
	for (i = 0; i < CELL_IDLEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * n NUL-terminated strings filling the start of buf; with need_one, at
 * least one, and the first not empty.  An empty argv from a client means
 * "the image's command"; spawn-helper insists on a command.
 */
static int
strings_ok(const char *buf, size_t size, uint32_t n, int need_one)
{
	size_t		off = 0, len;
	uint32_t	i;

	if (need_one && n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (off >= size)
			return 0;
		len = strnlen(buf + off, size - off);
		if (len == size - off || (need_one && i == 0 && len == 0))
			return 0;
		off += len + 1;
	}
	return 1;
}

/* An absolute path without "..", or the empty string when optional. */
int
msg_path_ok(const char *p, size_t size, int optional)
{
	if (!msg_str_ok(p, size))
		return 0;
	if (p[0] == '\0')
		return optional;
	if (p[0] != '/' || strstr(p, "/../") != NULL ||
	    (strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0))
		return 0;
	return 1;
}

static int
hostname_ok(const char *h, size_t size)
{
	size_t	i;

	if (!msg_str_ok(h, size))
		return 0;
	for (i = 0; h[i] != '\0'; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') ||
		    (h[i] >= 'A' && h[i] <= 'Z') ||
		    (h[i] >= '0' && h[i] <= '9') || h[i] == '-' ||
		    h[i] == '.'))
			return 0;
	return 1;
}

#define SPEC_FLAGS	0x7fff
#define CAP_ALL_MASK	((1ULL << 41) - 1)	/* CAP_CHECKPOINT_RESTORE */

/* global or unique-local unicast: not multicast, link-local or ::/64 */
static int
in6_unicast(const uint8_t *a)
{
	static const uint8_t	z[8];

	return a[0] != 0xff && !(a[0] == 0xfe && (a[1] & 0xc0) == 0x80) &&
	    memcmp(a, z, 8) != 0;
}

/* do a and b agree in their first bits bits? */
int
msg_in6_match(const uint8_t *a, const uint8_t *b, uint32_t bits)
{
	uint32_t	full = bits / 8, rest = bits % 8;
	uint8_t		m;

	if (bits > 128 || memcmp(a, b, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	m = (uint8_t)(0xff << (8 - rest));
	return (a[full] & m) == (b[full] & m);
}

/*
 * A network's v6 subnet: /48 to /120, no host bits, unicast (::/64
 * holds ::, ::1 and the v4-mapped and v4-compatible ranges).
 */
int
msg_in6_subnet_ok(const uint8_t *s, uint32_t prefix)
{
	uint32_t	i;

	if (prefix < NET_PREFIX6_MIN || prefix > NET_PREFIX6_MAX)
		return 0;
	for (i = prefix; i < 128; i++)
		if (s[i / 8] & (0x80 >> (i % 8)))
			return 0;
	return in6_unicast(s);
}

/* a host address of subnet/prefix: inside, and not the subnet's own */
int
msg_in6_host_ok(const uint8_t *a, const uint8_t *s, uint32_t prefix)
{
	return msg_in6_match(a, s, prefix) && memcmp(a, s, 16) != 0;
}

/*
 * A v6 host address of -p: :: (every one) or a unicast address a DNAT
 * rule can serve: not ::1 (IPv6 has no route_localnet, so a packet to
 * ::1 can't be sent on to a container), multicast, link-local or
 * v4-mapped.
 */
int
msg_in6_hostip_ok(const uint8_t *a)
{
	static const uint8_t	z[16];

	return memcmp(a, z, 16) == 0 || in6_unicast(a);
}

/* each port's family: 0 both, AF_INET with hostip, AF_INET6 hostip6 */
static int
ports6_ok(const struct cell_spec *s)
{
	static const uint8_t	z[16];
	uint32_t		i;

	for (i = 0; i < SPEC_MAXPORTS; i++) {
		if (i >= s->nports && (s->ports6[i].family != 0 ||
		    memcmp(s->ports6[i].hostip6, z, 16) != 0))
			return 0;
		switch (s->ports6[i].family) {
		case 0:
		case AF_INET:
			if (memcmp(s->ports6[i].hostip6, z, 16) != 0)
				return 0;
			break;
		case AF_INET6:
			if (s->ports[i].hostip != 0 ||
			    !msg_in6_hostip_ok(s->ports6[i].hostip6))
				return 0;
			break;
		default:
			return 0;
		}
	}
	return 1;
}

/*
 * networking: a network name (or none), ports in range, no host port
 * twice; a port whose bit is in portsrand has no host port until celld
 * picks one at start (-P, -p PORT), or the one of the last start.
 */
static int
ports_ok(const struct cell_spec *s)
{
	uint32_t	i, j;

	if (s->network[0] != '\0' && !msg_name_ok(s->network,
	    sizeof(s->network)))
		return 0;
	if (s->nports > SPEC_MAXPORTS || (s->nports > 0 &&
	    (s->flags & SPEC_NONET)) || (s->nports < 32 &&
	    (s->portsrand >> s->nports) != 0))
		return 0;
	for (i = 0; i < s->nports; i++) {
		if ((s->ports[i].hport == 0 && !(s->portsrand & (1U << i))) ||
		    s->ports[i].cport == 0 ||
		    (s->ports[i].proto != 6 && s->ports[i].proto != 17))
			return 0;
		for (j = 0; j < i; j++)
			if (s->ports[i].hport != 0 &&
			    s->ports[j].hport == s->ports[i].hport &&
			    s->ports[j].proto == s->ports[i].proto)
				return 0;
	}
	return ports6_ok(s);
}

/* --dns, --add-host, --expose and labels ("K=V", K not empty) */
static int
extras_ok(const struct cell_spec *s)
{
	size_t		off = 0, len;
	uint32_t	i;

	if (s->ndns > SPEC_MAXDNS || s->nhosts > SPEC_MAXHOSTS ||
	    s->nexpose > SPEC_MAXEXPOSE ||
	    !strings_ok(s->labels, sizeof(s->labels), s->nlabels, 0))
		return 0;
	for (i = 0; i < s->ndns; i++)
		if (s->dns[i] == 0)
			return 0;
	for (i = 0; i < s->nhosts; i++)
		if (s->hosts[i].name[0] == '\0' || s->hosts[i].addr == 0 ||
		    !hostname_ok(s->hosts[i].name, sizeof(s->hosts[i].name)))
			return 0;
	for (i = 0; i < s->nexpose; i++)
		if (s->expose[i].port == 0 || (s->expose[i].proto != 6 &&
		    s->expose[i].proto != 17))
			return 0;
	for (i = 0; i < s->nlabels; i++) {
		len = strlen(s->labels + off);
		if (!msg_str_ok(s->labels + off, len + 1) ||
		    s->labels[off] == '=' || strchr(s->labels + off, '=') ==
		    NULL)
			return 0;
		off += len + 1;
	}
	return 1;
}

/* A --storage-opt size: a multiple of 4 KiB within the limits. */
int
msg_disk_ok(int64_t disk)
{
	return disk >= SPEC_DISK_MIN && disk <= SPEC_DISK_MAX &&
	    disk % 4096 == 0;
}

int
msg_spec_ok(const struct cell_spec *s)
{
	uint32_t	i;

	if ((s->name[0] != '\0' && !msg_name_ok(s->name, sizeof(s->name))) ||
	    !msg_str_ok(s->image, sizeof(s->image)) ||
	    !hostname_ok(s->hostname, sizeof(s->hostname)) ||
	    !msg_str_ok(s->user, sizeof(s->user)) ||
	    !msg_path_ok(s->workdir, sizeof(s->workdir), 1) ||
	    !msg_str_ok(s->entrypoint, sizeof(s->entrypoint)) ||
	    (s->flags & ~SPEC_FLAGS) != 0 || s->memory < 0 ||
	    s->cpus_milli < 0 || s->pids < 0 || s->stopsig >= NSIG ||
	    (s->cap_add & ~CAP_ALL_MASK) || (s->cap_drop & ~CAP_ALL_MASK) ||
	    (s->caps & ~CAP_ALL_MASK) || s->ntmpfs > SPEC_MAXTMPFS ||
	    !strings_ok(s->args, sizeof(s->args), s->argc, 0) ||
	    !strings_ok(s->env, sizeof(s->env), s->envc, 0) ||
	    (s->disk != 0 && !msg_disk_ok(s->disk)) ||
	    (s->userns[0] != '\0' && !msg_name_ok(s->userns,
	    sizeof(s->userns))))
		return 0;
	/* host network: none of celld's network, no port of its own */
	if ((s->flags & SPEC_HOSTNET) && (!(s->flags & SPEC_NONET) ||
	    (s->flags & SPEC_PUBLISHALL)))
		return 0;
	for (i = 0; i < s->ntmpfs; i++)
		if (!msg_path_ok(s->tmpfs[i], sizeof(s->tmpfs[i]), 0) ||
		    strcmp(s->tmpfs[i], "/") == 0)
			return 0;
	if (s->nvols > SPEC_MAXVOLS)
		return 0;
	for (i = 0; i < s->nvols; i++)
		if (!msg_path_ok(s->vols[i].dst, sizeof(s->vols[i].dst), 0) ||
		    strcmp(s->vols[i].dst, "/") == 0 || s->vols[i].ro > 1)
			return 0;
	return ports_ok(s) && extras_ok(s);
}

/*
 * A signal: a number, or a name with or without SIG in any case (9, KILL,
 * sigkill), as kill -s, --stop-signal and an image's StopSignal say it.
 * -1 if it is none.
 */
int
msg_signal(const char *s)
{
	const char	*ab;
	char		*end;
	long		 n;

	n = strtol(s, &end, 10);
	if (end != s && *end == '\0')
		return n >= 1 && n < NSIG ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (n = 1; n < NSIG; n++)
		if ((ab = sigabbrev_np(n)) != NULL && strcasecmp(ab, s) == 0)
			return n;
	return -1;
}
