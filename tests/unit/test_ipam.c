/*
 * test_ipam.c: parent/ipam.c and ipam6.c, addresses handed out within a
 * subnet.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parent/ipam.h"
#include "tap.h"

static uint32_t
ip(const char *s)
{
	uint32_t	a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a;
}

static const char *
id(int n)
{
	static char	buf[8][IPAM_IDLEN + 1];
	static int	k;
	char		*b = buf[k++ % 8];

	snprintf(b, IPAM_IDLEN + 1, "%064x", n);
	return b;
}

static void
t_alloc(void)
{
	struct ipam	p;
	uint32_t	a, b, c;

	ipam_init(&p, ip("10.1.0.0"), 29, ip("10.1.0.1"));
	T_OK(ipam_alloc(&p, id(1), 0, &a) == 0 && a == ip("10.1.0.2"),
	    "first lease skips the network and gateway addresses");
	T_OK(ipam_alloc(&p, id(1), 0, &b) == 0 && b == a,
	    "asking again gives the same lease");
	T_OK(ipam_alloc(&p, id(2), 0, &b) == 0 && b == ip("10.1.0.3"),
	    "second lease is the next address");
	T_ERRNO(ipam_alloc(&p, id(3), ip("10.1.0.3"), &c), EEXIST,
	    "--ip of another's lease is refused");
	T_ERRNO(ipam_alloc(&p, id(3), ip("10.1.0.1"), &c), EINVAL,
	    "--ip of the gateway is refused");
	T_ERRNO(ipam_alloc(&p, id(3), ip("10.1.0.7"), &c), EINVAL,
	    "--ip of the broadcast address is refused");
	T_ERRNO(ipam_alloc(&p, id(3), ip("10.2.0.4"), &c), EINVAL,
	    "--ip outside the subnet is refused");
	T_OK(ipam_alloc(&p, id(3), ip("10.1.0.6"), &c) == 0 &&
	    c == ip("10.1.0.6"), "--ip of a free address");
	T_OK(ipam_alloc(&p, id(4), 0, &c) == 0 && c == ip("10.1.0.4"),
	    "third");
	T_OK(ipam_alloc(&p, id(5), 0, &c) == 0 && c == ip("10.1.0.5"),
	    "fourth");
	T_ERRNO(ipam_alloc(&p, id(6), 0, &c), ENOSPC, "a full /29 says so");
	T_OK(ipam_release(&p, id(2)) == 0, "release");
	T_ERRNO(ipam_release(&p, id(2)), ENOENT, "release twice");
	T_OK(ipam_alloc(&p, id(6), 0, &c) == 0 && c == ip("10.1.0.3"),
	    "a released address is handed out again once free");
	ipam_free(&p);
}

static void
t_persist(void)
{
	struct ipam	p, q;
	uint32_t	a, b;
	char		*text;
	int		i, dup = 0;
	size_t		j, k;

	ipam_init(&p, ip("172.20.0.0"), 24, ip("172.20.0.1"));
	for (i = 0; i < 10; i++)
		ipam_alloc(&p, id(i), 0, &a);
	ipam_release(&p, id(3));
	T_OK((text = ipam_format(&p)) != NULL, "format");
	ipam_init(&q, ip("172.20.0.0"), 24, ip("172.20.0.1"));
	T_OK(ipam_parse(&q, text) == 0 && ipam_count(&q) == 9,
	    "parse back: 9 leases");
	T_OK(ipam_find(&q, id(5)) != NULL && ipam_find(&q, id(5))->addr ==
	    ipam_find(&p, id(5))->addr, "a lease keeps its address");
	T_OK(ipam_alloc(&q, id(50), 0, &a) == 0 && ipam_alloc(&p, id(50), 0,
	    &b) == 0 && a == b, "the next address survives a reload");
	for (j = 0; j < ipam_count(&q); j++)
		for (k = j + 1; k < ipam_count(&q); k++)
			dup += ipam_nth(&q, j)->addr == ipam_nth(&q, k)->addr;
	T_EQ(dup, 0, "no address twice after a reload");
	free(text);
	ipam_free(&q);
	ipam_init(&q, ip("172.20.0.0"), 24, ip("172.20.0.1"));
	T_ERRNO(ipam_parse(&q, "172.20.0.2 short\n"), EINVAL, "a bad id");
	ipam_free(&q);
	ipam_init(&q, ip("172.20.0.0"), 24, ip("172.20.0.1"));
	{
		char	two[200];

		snprintf(two, sizeof(two), "172.20.0.2 %s\n172.20.0.2 %s\n",
		    id(1), id(2));
		T_ERRNO(ipam_parse(&q, two), EINVAL,
		    "a file with one address twice is refused");
	}
	ipam_free(&q);
	ipam_init(&q, ip("172.20.0.0"), 24, ip("172.20.0.1"));
	{
		char	out[200];

		snprintf(out, sizeof(out), "10.9.9.9 %s\n", id(1));
		T_ERRNO(ipam_parse(&q, out), EINVAL,
		    "a lease outside the subnet is refused");
	}
	ipam_free(&q);
	ipam_free(&p);
}

static const uint8_t *
ip6(const char *s)
{
	static uint8_t	buf[8][16];
	static int	k;
	uint8_t		*b = buf[k++ % 8];

	if (inet_pton(AF_INET6, s, b) != 1)
		abort();
	return b;
}

static int
is6(const uint8_t *a, const char *s)
{
	return memcmp(a, ip6(s), 16) == 0;
}

static void
t_alloc6(void)
{
	struct ipam6	p;
	uint8_t		a[16], b[16];

	ipam6_init(&p, ip6("fd00:1::"), 120, ip6("fd00:1::1"));
	T_OK(ipam6_alloc(&p, id(1), NULL, a) == 0 && is6(a, "fd00:1::2"),
	    "v6: the first lease skips host 0 and the gateway");
	T_OK(ipam6_alloc(&p, id(1), NULL, b) == 0 && memcmp(a, b, 16) == 0,
	    "v6: asking again gives the same lease");
	T_ERRNO(ipam6_alloc(&p, id(2), ip6("fd00:1::2"), b), EEXIST,
	    "v6: another's address is refused");
	T_ERRNO(ipam6_alloc(&p, id(2), ip6("fd00:1::1"), b), EINVAL,
	    "v6: the gateway is refused");
	T_ERRNO(ipam6_alloc(&p, id(2), ip6("fd00:1::"), b), EINVAL,
	    "v6: host 0 (subnet-router anycast) is refused");
	T_ERRNO(ipam6_alloc(&p, id(2), ip6("fd00:2::5"), b), EINVAL,
	    "v6: an address outside is refused");
	T_OK(ipam6_alloc(&p, id(3), ip6("fd00:1::ff"), b) == 0,
	    "v6: a wanted free address is given");
	T_OK(ipam6_release(&p, id(1)) == 0 && ipam6_alloc(&p, id(4), NULL,
	    b) == 0 && is6(b, "fd00:1::3"), "v6: a freed address is not "
	    "handed out at once");
	T_ERRNO(ipam6_release(&p, id(1)), ENOENT, "v6: release twice");
	ipam6_free(&p);
}

static void
t_full6(void)
{
	struct ipam6	p;
	uint8_t		a[16];
	int		i, ok = 1;

	/* a /120: hosts 2..255 (0 and the gateway 1 are not handed out) */
	ipam6_init(&p, ip6("fd00:3::"), 120, ip6("fd00:3::1"));
	for (i = 0; i < 254; i++)
		ok &= ipam6_alloc(&p, id(100 + i), NULL, a) == 0;
	T_OK(ok, "v6: 254 leases in a /120");
	T_ERRNO(ipam6_alloc(&p, id(999), NULL, a), ENOSPC, "v6: then full");
	ipam6_free(&p);
}

static void
t_persist6(void)
{
	struct ipam6	p, q;
	uint8_t		a[16];
	char		*text, bad[200];
	int		i;

	ipam6_init(&p, ip6("fd00:4::"), 64, ip6("fd00:4::1"));
	for (i = 0; i < 5; i++)
		ipam6_alloc(&p, id(i), NULL, a);
	ipam6_release(&p, id(2));
	T_OK((text = ipam6_format(&p)) != NULL, "v6: format");
	ipam6_init(&q, ip6("fd00:4::"), 64, ip6("fd00:4::1"));
	T_OK(ipam6_parse(&q, text) == 0 && ipam6_nth(&q, 3) != NULL &&
	    ipam6_nth(&q, 4) == NULL, "v6: parse back");
	T_OK(ipam6_alloc(&q, id(50), NULL, a) == 0 && is6(a, "fd00:4::7"),
	    "v6: next survives a restart (no reuse of a freed address)");
	T_OK(ipam6_find(&q, id(4)) != NULL && memcmp(ipam6_find(&q,
	    id(4))->addr, ipam6_find(&p, id(4))->addr, 16) == 0,
	    "v6: a lease keeps its address");
	free(text);
	ipam6_free(&q);
	ipam6_init(&q, ip6("fd00:4::"), 64, ip6("fd00:4::1"));
	snprintf(bad, sizeof(bad), "fd00:4::9 %s\nfd00:4::9 %s\n", id(1),
	    id(2));
	T_ERRNO(ipam6_parse(&q, bad), EINVAL, "v6: one address twice");
	ipam6_free(&q);
	ipam6_init(&q, ip6("fd00:4::"), 64, ip6("fd00:4::1"));
	snprintf(bad, sizeof(bad), "fd00:5::9 %s\n", id(1));
	T_ERRNO(ipam6_parse(&q, bad), EINVAL, "v6: an address outside");
	ipam6_free(&q);
	ipam6_free(&p);
}

/*
 * Lease files written before the v4 and v6 IPAM shared lease.c: they
 * load, and are written back byte for byte (networks/NAME.leases and
 * NAME.leases6 in the state dir).
 */
static void
t_files(void)
{
	struct ipam	p;
	struct ipam6	q;
	char		v4[400], v6[400], *text = NULL;

	snprintf(v4, sizeof(v4), "next 172.20.0.9\n172.20.0.2 %s\n"
	    "172.20.0.8 %s\n172.20.0.3 %s\n", id(1), id(2), id(3));
	ipam_init(&p, ip("172.20.0.0"), 24, ip("172.20.0.1"));
	T_OK(ipam_parse(&p, v4) == 0 && (text = ipam_format(&p)) != NULL &&
	    strcmp(text, v4) == 0, "an old leases file loads and is "
	    "written back the same");
	if (text != NULL)
		free(text);
	ipam_free(&p);
	text = NULL;
	snprintf(v6, sizeof(v6), "next fd00:4::6\nfd00:4::2 %s\n"
	    "fd00:4::abc %s\nfd00:4::5 %s\n", id(1), id(2), id(3));
	ipam6_init(&q, ip6("fd00:4::"), 64, ip6("fd00:4::1"));
	T_OK(ipam6_parse(&q, v6) == 0 && (text = ipam6_format(&q)) != NULL &&
	    strcmp(text, v6) == 0, "an old leases6 file loads and is "
	    "written back the same");
	if (text != NULL)
		free(text);
	ipam6_free(&q);
}

static void
t_subnet6(void)
{
	T_OK(ipam6_subnet_ok(ip6("fd00:1::"), 64), "fd00:1::/64 is fine");
	T_OK(ipam6_subnet_ok(ip6("2001:db8::"), 48), "2001:db8::/48 too");
	T_OK(!ipam6_subnet_ok(ip6("fd00::"), 32), "/32: too large");
	T_OK(!ipam6_subnet_ok(ip6("fd00::"), 124), "/124: too small");
	T_OK(!ipam6_subnet_ok(ip6("fd00::1"), 64), "host bits set");
	T_OK(!ipam6_subnet_ok(ip6("ff02::"), 64), "multicast");
	T_OK(!ipam6_subnet_ok(ip6("fe80::"), 64), "link-local");
	T_OK(!ipam6_subnet_ok(ip6("::"), 64), "::/64 (loopback)");
	T_OK(!ipam6_subnet_ok(ip6("::ffff:0:0"), 96), "v4-mapped");
	T_OK(ipam6_overlaps(ip6("fd00:1::"), 48, ip6("fd00:1:0:2::"), 64),
	    "a /64 inside a /48 overlaps");
	T_OK(!ipam6_overlaps(ip6("fd00:1::"), 64, ip6("fd00:1:0:1::"), 64),
	    "two neighbouring /64s do not");
}

int
main(void)
{
	t_alloc();
	t_persist();
	t_alloc6();
	t_full6();
	t_persist6();
	t_files();
	t_subnet6();
	return tap_done();
}
