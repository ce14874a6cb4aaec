/*
 * test_ipam.c: parent/ipam.c, addresses handed out within a subnet.
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
	T_OK(ipam_parse(&q, text) == 0 && q.n == 9, "parse back: 9 leases");
	T_OK(ipam_find(&q, id(5)) != NULL && ipam_find(&q, id(5))->addr ==
	    ipam_find(&p, id(5))->addr, "a lease keeps its address");
	T_OK(ipam_alloc(&q, id(50), 0, &a) == 0 && ipam_alloc(&p, id(50), 0,
	    &b) == 0 && a == b, "the next address survives a reload");
	for (j = 0; j < q.n; j++)
		for (k = j + 1; k < q.n; k++)
			dup += q.l[j].addr == q.l[k].addr;
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

int
main(void)
{
	t_alloc();
	t_persist();
	return tap_done();
}
