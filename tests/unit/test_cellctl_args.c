/*
 * test_cellctl_args.c: "cellctl run|create" flags into a struct cell_spec,
 * without a daemon.  Good flags fill the spec; bad ones give one line.
 */
#include <stdarg.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../cellctl/cellctl.h"
#include "tap.h"

#define MAXARGS	64

static struct cell_spec	spec;
static char		err[512];

/* spec_parse over "run" and the words up to NULL. */
static int
parse(const char *first, ...)
{
	char		*argv[MAXARGS + 2];
	const char	*a;
	va_list		 ap;
	int		 argc = 0;

	argv[argc++] = "run";
	va_start(ap, first);
	for (a = first; a != NULL && argc < MAXARGS; a = va_arg(ap, char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	return spec_parse(argc, argv, &spec, err, sizeof(err));
}

/* Fails with exactly this one-line message. */
static int
fails(int rv, const char *want)
{
	if (rv != -1 || strcmp(err, want) != 0 || strchr(err, '\n') != NULL) {
		T_DIAG("rv %d err \"%s\", want \"%s\"", rv, err, want);
		return 0;
	}
	return 1;
}

/* The NUL-separated list buf of n strings is exactly the words given. */
static int
list_is(const char *buf, uint32_t n, ...)
{
	const char	*w;
	va_list		 ap;
	uint32_t	 i = 0;
	int		 ok = 1;

	va_start(ap, n);
	while ((w = va_arg(ap, const char *)) != NULL) {
		if (i >= n || strcmp(buf, w) != 0) {
			T_DIAG("item %u: \"%s\", want \"%s\"", i,
			    i < n ? buf : "(none)", w);
			ok = 0;
			break;
		}
		buf += strlen(buf) + 1;
		i++;
	}
	va_end(ap);
	if (ok && i != n) {
		T_DIAG("%u items, want %u", n, i);
		ok = 0;
	}
	return ok;
}

static void
t_image_and_args(void)
{
	T_OK(parse("busybox", NULL) == 0 && strcmp(spec.image, "busybox") ==
	    0 && spec.argc == 0 && spec.flags == 0, "image alone");
	T_OK(parse("alpine:3.19", "echo", "hi", "--rm", "-d", "--json", NULL)
	    == 0 && spec.flags == 0 && list_is(spec.args, spec.argc, "echo",
	    "hi", "--rm", "-d", "--json", NULL),
	    "words after IMAGE are the container's, flags included");
	T_OK(parse("--", "busybox", "true", NULL) == 0 &&
	    strcmp(spec.image, "busybox") == 0 && spec.argc == 1,
	    "-- ends the flags");
	T_OK(fails(parse("-d", NULL), "run: missing IMAGE"), "no IMAGE");
	T_OK(parse("--json", "-d", "img", "--json", NULL) == 0 &&
	    spec.flags == SPEC_DETACH && list_is(spec.args, spec.argc,
	    "--json", NULL), "--json: ours before IMAGE, theirs after");
	T_OK(parse("-e", "--json", "img", NULL) == 0 && spec.envc == 0 &&
	    strcmp(spec.image, "img") == 0, "--json as a flag's value");
}

static void
t_bools(void)
{
	T_OK(parse("-dit", "x", NULL) == 0 && spec.flags == (SPEC_DETACH |
	    SPEC_INTERACTIVE | SPEC_TTY), "-dit combined");
	T_OK(parse("--detach", "--interactive", "--tty", "x", NULL) == 0 &&
	    spec.flags == (SPEC_DETACH | SPEC_INTERACTIVE | SPEC_TTY),
	    "long forms of -d -i -t");
	T_OK(parse("--rm", "--read-only", "--privileged", "--init", "x", NULL)
	    == 0 && spec.flags == (SPEC_RM | SPEC_READONLY | SPEC_PRIVILEGED |
	    SPEC_INIT), "--rm --read-only --privileged --init");
	T_OK(fails(parse("--rm=true", "x", NULL),
	    "run: flag --rm takes no value"), "--rm=true refused");
}

static void
t_unknown(void)
{
	char	*argv[] = { "create", "--foo", "x", NULL };

	T_OK(fails(parse("--foo", "x", NULL), "run: unknown flag --foo"),
	    "unknown long flag");
	T_OK(fails(parse("--foo=bar", "x", NULL), "run: unknown flag --foo"),
	    "unknown long flag with a value");
	T_OK(fails(parse("-dx", "img", NULL), "run: unknown flag -x"),
	    "unknown short flag in a cluster");
	T_OK(fails(parse("--rm", "-x", "img", NULL), "run: unknown flag -x"),
	    "unknown short flag after a long one");
	T_OK(fails(parse("--name", NULL), "run: flag --name needs a value"),
	    "long flag without its value");
	T_OK(fails(parse("-de", NULL), "run: flag -e needs a value"),
	    "short flag without its value");
	T_OK(fails(spec_parse(3, argv, &spec, err, sizeof(err)),
	    "create: unknown flag --foo"), "create names itself");
}

static void
t_values(void)
{
	T_OK(parse("--name", "web", "x", NULL) == 0 &&
	    strcmp(spec.name, "web") == 0, "--name web");
	T_OK(parse("--name=web.1", "x", NULL) == 0 &&
	    strcmp(spec.name, "web.1") == 0, "--name=web.1");
	T_OK(fails(parse("--name", "a/b", "x", NULL), "--name: invalid name "
	    "\"a/b\" (allowed: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128)"),
	    "--name with a slash");
	T_OK(parse("-u", "1000:1000", "-w", "/srv", "-h", "box", "x", NULL) ==
	    0 && strcmp(spec.user, "1000:1000") == 0 &&
	    strcmp(spec.workdir, "/srv") == 0 &&
	    strcmp(spec.hostname, "box") == 0, "-u -w -h");
	T_OK(parse("--user=nobody", "--workdir=/", "--hostname=a-b.c", "x",
	    NULL) == 0 && strcmp(spec.user, "nobody") == 0 &&
	    strcmp(spec.hostname, "a-b.c") == 0, "--user= --workdir= "
	    "--hostname=");
	T_OK(fails(parse("-w", "srv", "x", NULL),
	    "-w: \"srv\" is not an absolute path"), "-w relative");
	T_OK(fails(parse("--hostname", "a_b", "x", NULL),
	    "--hostname: invalid hostname \"a_b\""), "--hostname a_b");
	T_OK(parse("--entrypoint", "/bin/sh", "x", NULL) == 0 &&
	    strcmp(spec.entrypoint, "/bin/sh") == 0, "--entrypoint");
	T_OK(parse("--network", "none", "x", NULL) == 0 &&
	    spec.flags == SPEC_NONET, "--network none");
	T_OK(parse("--net=none", "x", NULL) == 0 && spec.flags == SPEC_NONET,
	    "--net=none");
	T_OK(parse("--network=web", "x", NULL) == 0 && spec.flags == 0 &&
	    strcmp(spec.network, "web") == 0, "--network NAME");
	T_OK(fails(parse("--network", "a/b", "x", NULL), "--network: not a "
	    "network name"), "--network a/b");
	T_OK(parse("--network", "host", "x", NULL) == 0 &&
	    spec.flags == (SPEC_NONET | SPEC_HOSTNET) &&
	    spec.network[0] == '\0', "--network host");
	T_OK(parse("--network", "host", "--network", "web", "x", NULL) == 0 &&
	    spec.flags == 0 && strcmp(spec.network, "web") == 0,
	    "--network host then NAME: the last wins");
	T_OK(fails(parse("--network", "host", "-p", "80", "x", NULL),
	    "-p, -P: a container on the host network has the host's ports, "
	    "it publishes none"), "--network host -p");
	T_OK(fails(parse("-P", "--network", "host", "x", NULL),
	    "-p, -P: a container on the host network has the host's ports, "
	    "it publishes none"), "-P --network host");
	T_OK(parse("--userns", "container:web", "x", NULL) == 0 &&
	    strcmp(spec.userns, "web") == 0, "--userns container:NAME");
	T_OK(fails(parse("--userns", "host", "x", NULL), "--userns host: "
	    "celld never runs a container without a user namespace"),
	    "--userns host");
	T_OK(fails(parse("--userns=private", "x", NULL), "--userns: expected "
	    "container:NAME"), "--userns private");
	T_OK(fails(parse("--userns", "container:a/b", "x", NULL), "--userns: "
	    "\"a/b\" is not a container name"), "--userns container:a/b");
	T_OK(fails(parse("--userns", "container:", "x", NULL), "--userns: "
	    "\"\" is not a container name"), "--userns container:");
	T_OK(parse("--ip", "10.88.0.9", "x", NULL) == 0 &&
	    spec.ip == htonl(0x0a580009), "--ip");
	T_OK(fails(parse("--ip", "10.88.0", "x", NULL), "--ip: expected an "
	    "IPv4 address"), "--ip short");
	T_OK(parse("-v", "/a:/b:ro", "-v", "/c:/d", "x", NULL) == 0 &&
	    spec.nvols == 2 && spec.vols[0].ro == 1 && spec.vols[1].ro == 0 &&
	    strcmp(spec.vols[0].dst, "/b") == 0 &&
	    strcmp(spec_volsrc(1), "/c") == 0, "-v SRC:DST[:ro]");
	T_OK(parse("-v", "rel:/b", "x", NULL) == -1, "-v relative source");
	T_OK(parse("-v", "/a:/b:rx", "x", NULL) == -1, "-v bad mode");
	T_OK(parse("-v", "/a:b", "x", NULL) == -1, "-v relative target");
	T_OK(parse("-v", "/a", "x", NULL) == -1, "-v without a target");
	T_OK(parse("-p", "8080:80", "-p", "127.0.0.1:53:53/udp", "x", NULL) ==
	    0 && spec.nports == 2 && spec.ports[0].hport == 8080 &&
	    spec.ports[0].cport == 80 && spec.ports[0].proto == 6 &&
	    spec.ports[0].hostip == 0 && spec.ports[1].proto == 17 &&
	    spec.ports[1].hostip == htonl(0x7f000001), "-p, twice");
	T_OK(fails(parse("-p", "65536:80", "x", NULL), "-p 65536:80: ports "
	    "are 1 to 65535"), "-p 65536");
	T_OK(fails(parse("-p", "0:80", "x", NULL), "-p 0:80: ports are 1 to "
	    "65535"), "-p 0");
	T_OK(parse("-p", "80", "-p", "127.0.0.1::53/udp", "-p", "81:81", "x",
	    NULL) == 0 && spec.nports == 3 && spec.portsrand == 3 &&
	    spec.ports[0].hport == 0 && spec.ports[0].cport == 80 &&
	    spec.ports[1].hport == 0 && spec.ports[1].proto == 17 &&
	    spec.ports[1].hostip == htonl(0x7f000001) && msg_spec_ok(&spec),
	    "-p without a host port: celld picks");
	T_OK(parse("-p", "80", "x", NULL) == 0 && (spec.portsrand = 0,
	    !msg_spec_ok(&spec)), "a port 0 not marked for a pick fails the "
	    "gate");
	T_OK(parse("--dns", "192.0.2.1", "--add-host", "a.b:192.0.2.2",
	    "--add-host", "c=192.0.2.3", "--expose", "53/udp", "--label",
	    "k=v", "-l", "e", "-P", "x", NULL) == 0 && spec.ndns == 1 &&
	    spec.nhosts == 2 && strcmp(spec.hosts[1].name, "c") == 0 &&
	    spec.nexpose == 1 && spec.expose[0].proto == 17 &&
	    spec.nlabels == 2 && strcmp(spec.labels + 4, "e=") == 0 &&
	    (spec.flags & SPEC_PUBLISHALL) && msg_spec_ok(&spec),
	    "--dns --add-host --expose --label -P");
	T_OK(parse("-l", "k=v", "x", NULL) == 0 && (spec.labels[1] = 'x',
	    !msg_spec_ok(&spec)) && (spec.labels[1] = '=', spec.nlabels = 2,
	    !msg_spec_ok(&spec)), "a label without '=' or past the block "
	    "fails the gate");
	T_OK(fails(parse("--add-host", "x", "x", NULL), "--add-host x: "
	    "expected NAME:IP"), "--add-host without an address");
	T_OK(fails(parse("--dns", "::1", "x", NULL), "--dns: expected an IPv4 "
	    "address"), "--dns v6");
	T_OK(fails(parse("--dns", "1.1.1.1", "--dns", "1.1.1.2", "--dns",
	    "1.1.1.3", "--dns", "1.1.1.4", "x", NULL), "--dns: at most 3 "
	    "servers (resolv.conf reads no more)"), "--dns four times");
	T_OK(fails(parse("-p", "1:2/sctp", "x", NULL), "-p: protocol must be "
	    "tcp or udp"), "-p sctp");
	T_OK(fails(parse("-p", "8:80", "-p", "8:81", "x", NULL), "-p: the "
	    "same host port twice"), "-p twice the same");
	T_OK(parse("-p", "8:80", "--network", "none", "x", NULL) == 0 &&
	    !msg_spec_ok(&spec), "-p with --network none fails the gate");
}

/* --ip6 and -p's [V6] host address; and the gate on ports6 */
static void
t_ipv6(void)
{
	uint8_t	want[16];

	inet_pton(AF_INET6, "fd00:1::9", want);
	T_OK(parse("--ip6", "fd00:1::9", "x", NULL) == 0 &&
	    memcmp(spec.ip6, want, 16) == 0, "--ip6");
	T_OK(fails(parse("--ip6", "10.0.0.1", "x", NULL), "--ip6: expected "
	    "an IPv6 address"), "--ip6 v4");
	T_OK(parse("-p", "8080:80", "x", NULL) == 0 &&
	    spec.ports6[0].family == 0, "-p without HOSTIP: both families");
	T_OK(parse("-p", "127.0.0.1:8080:80", "x", NULL) == 0 &&
	    spec.ports6[0].family == AF_INET, "-p v4 HOSTIP: v4 only");
	inet_pton(AF_INET6, "2001:db8::1", want);
	T_OK(parse("-p", "[2001:db8::1]:8080:80/udp", "x", NULL) == 0 &&
	    spec.ports6[0].family == AF_INET6 && spec.ports[0].hostip == 0 &&
	    memcmp(spec.ports6[0].hostip6, want, 16) == 0 &&
	    spec.ports[0].hport == 8080 && spec.ports[0].proto == 17 &&
	    msg_spec_ok(&spec), "-p [V6]:H:C/udp");
	T_OK(parse("-p", "[::]:8080:80", "x", NULL) == 0 &&
	    spec.ports6[0].family == AF_INET6, "-p [::]: v6, every address");
	T_OK(fails(parse("-p", "[::1]:8080:80", "x", NULL), "-p [::1]: IPv6 "
	    "loopback can't reach a container (no route_localnet for IPv6): "
	    "use 127.0.0.1"), "-p [::1] refused");
	T_OK(fails(parse("-p", "[ff02::1]:8080:80", "x", NULL), "-p: HOSTIP "
	    "must be a unicast IPv6 address"), "-p [ff02::1] refused");
	T_OK(fails(parse("-p", "2001:db8::1:8080:80", "x", NULL), "-p: HOSTIP "
	    "must be an IPv4 address or [IPv6]"), "-p V6 without brackets");
	/* the gate: a forged spec the parent must refuse */
	T_OK(parse("-p", "[2001:db8::1]:8080:80", "x", NULL) == 0, "again");
	inet_pton(AF_INET6, "::1", spec.ports6[0].hostip6);
	T_OK(!msg_spec_ok(&spec), "gate: ports6 host ::1 refused");
	spec.ports6[0].family = 7;
	T_OK(!msg_spec_ok(&spec), "gate: a bad family refused");
	T_OK(parse("-p", "1.2.3.4:8080:80", "x", NULL) == 0, "and again");
	spec.ports6[0].family = AF_INET6;
	T_OK(!msg_spec_ok(&spec), "gate: v6 family with a v4 HOSTIP refused");
	spec.ports6[0].family = 0;
	spec.ports6[3].family = AF_INET6;
	T_OK(!msg_spec_ok(&spec), "gate: ports6 past nports refused");
}

static void
t_storage(void)
{
	T_OK(parse("--storage-opt", "size=16M", "x", NULL) == 0 &&
	    spec.disk == 16LL << 20 && msg_spec_ok(&spec),
	    "--storage-opt size=16M");
	T_OK(parse("--storage-opt=size=10000000", "x", NULL) == 0 &&
	    spec.disk == 10002432 && msg_spec_ok(&spec),
	    "--storage-opt size rounded up to 4k");
	T_OK(parse("x", NULL) == 0 && spec.disk == 0 && msg_spec_ok(&spec),
	    "no --storage-opt: no disk");
	T_OK(fails(parse("--storage-opt", "dm.basesize=1G", "x", NULL),
	    "--storage-opt: \"dm.basesize\" is not supported (only "
	    "size=SIZE)"), "--storage-opt other keys");
	T_OK(fails(parse("--storage-opt", "size=1m", "x", NULL),
	    "--storage-opt: minimum size is 8m"), "--storage-opt under 8m");
	T_OK(fails(parse("--storage-opt", "size=17t", "x", NULL),
	    "--storage-opt: size 17t is more than 16T"),
	    "--storage-opt over 16t");
	T_OK(fails(parse("--storage-opt", "size=-1", "x", NULL),
	    "--storage-opt: invalid size \"-1\""), "--storage-opt negative");
	spec.disk = 4097;
	T_OK(!msg_spec_ok(&spec), "a disk not a multiple of 4k fails the gate");
	spec.disk = -4096;
	T_OK(!msg_spec_ok(&spec), "a negative disk fails the gate");
}

static void
t_limits(void)
{
	T_OK(parse("-m", "64m", "x", NULL) == 0 && spec.memory ==
	    64LL << 20, "-m 64m");
	T_OK(parse("--memory=1.5g", "x", NULL) == 0 && spec.memory ==
	    3LL << 29, "--memory=1.5g");
	T_OK(parse("-m", "100MB", "x", NULL) == 0 && spec.memory ==
	    100LL << 20, "-m 100MB");
	T_OK(parse("-m", "7340032", "x", NULL) == 0 && spec.memory ==
	    7340032, "-m in bytes");
	T_OK(parse("-m", "0", "x", NULL) == 0 && spec.memory == 0,
	    "-m 0 is no limit");
	T_OK(fails(parse("-m", "4m", "x", NULL),
	    "-m: minimum memory limit is 6m"), "-m under 6m");
	T_OK(fails(parse("-m", "10x", "x", NULL), "-m: invalid size \"10x\""),
	    "-m bad unit");
	T_OK(fails(parse("-m", "1e9", "x", NULL), "-m: invalid size \"1e9\""),
	    "-m no exponents");
	T_OK(parse("--cpus", "1.5", "x", NULL) == 0 && spec.cpus_milli ==
	    1500, "--cpus 1.5");
	T_OK(parse("--cpus=.25", "x", NULL) == 0 && spec.cpus_milli == 250,
	    "--cpus=.25");
	T_OK(parse("--cpus", "2.5000", "x", NULL) == 0 && spec.cpus_milli ==
	    2500, "--cpus trailing zeros");
	T_OK(fails(parse("--cpus", "0.0005", "x", NULL), "--cpus: \"0.0005\" "
	    "is too precise (3 decimals at most)"), "--cpus too precise");
	T_OK(fails(parse("--cpus", "-1", "x", NULL),
	    "--cpus: invalid number \"-1\""), "--cpus negative");
	T_OK(fails(parse("--cpus", "1.", "x", NULL),
	    "--cpus: invalid number \"1.\""), "--cpus 1.");
	T_OK(parse("--pids-limit", "100", "x", NULL) == 0 && spec.pids == 100,
	    "--pids-limit 100");
	T_OK(parse("--pids-limit=-1", "x", NULL) == 0 && spec.pids == 0,
	    "--pids-limit -1 is no limit");
	T_OK(fails(parse("--pids-limit", "-2", "x", NULL),
	    "--pids-limit: \"-2\" is too small"), "--pids-limit -2");
}

/* update's limits alone, through spec_limit(). */
static void
t_update_limits(void)
{
	memset(&spec, 0, sizeof(spec));
	T_OK(spec_limit(&spec, "memory", "64m", err, sizeof(err)) == 0 &&
	    spec.memory == 64LL << 20, "update: memory 64m");
	T_OK(spec_limit(&spec, "memory", "0", err, sizeof(err)) == 0 &&
	    spec.memory == 0, "update: memory 0 is no limit");
	T_OK(fails(spec_limit(&spec, "memory", "4m", err, sizeof(err)),
	    "-m: minimum memory limit is 6m"), "update: memory under 6m");
	T_OK(spec_limit(&spec, "cpus", "0.5", err, sizeof(err)) == 0 &&
	    spec.cpus_milli == 500, "update: cpus 0.5");
	T_OK(fails(spec_limit(&spec, "cpus", "x", err, sizeof(err)),
	    "--cpus: invalid number \"x\""), "update: cpus x");
	T_OK(spec_limit(&spec, "pids-limit", "-1", err, sizeof(err)) == 0 &&
	    spec.pids == 0, "update: pids-limit -1 is no limit");
	T_OK(spec_limit(&spec, "pids-limit", "50", err, sizeof(err)) == 0 &&
	    spec.pids == 50, "update: pids-limit 50");
	T_OK(fails(spec_limit(&spec, "tmpfs", "/x", err, sizeof(err)),
	    "--tmpfs: not a limit"), "update: only limits");
}

static void
t_tmpfs(void)
{
	T_OK(parse("--tmpfs", "/run", "--tmpfs=/tmp", "x", NULL) == 0 &&
	    spec.ntmpfs == 2 && strcmp(spec.tmpfs[0], "/run") == 0 &&
	    strcmp(spec.tmpfs[1], "/tmp") == 0, "two --tmpfs");
	T_OK(fails(parse("--tmpfs", "/run:size=1m", "x", NULL),
	    "--tmpfs: mount options are not supported yet"), "--tmpfs opts");
	T_OK(fails(parse("--tmpfs", "run", "x", NULL),
	    "--tmpfs: \"run\" is not an absolute path"), "--tmpfs relative");
	T_OK(fails(parse("--tmpfs", "/a", "--tmpfs", "/a", "x", NULL),
	    "--tmpfs: duplicate mount point /a"), "--tmpfs twice");
	T_OK(fails(parse("--tmpfs", "/1", "--tmpfs", "/2", "--tmpfs", "/3",
	    "--tmpfs", "/4", "--tmpfs", "/5", "--tmpfs", "/6", "--tmpfs",
	    "/7", "--tmpfs", "/8", "--tmpfs", "/9", "x", NULL),
	    "--tmpfs: at most 8 mounts"), "nine --tmpfs");
}

static void
t_caps(void)
{
	T_OK(parse("--cap-add", "NET_ADMIN", "--cap-add=cap_sys_time",
	    "--cap-drop", "Chown", "x", NULL) == 0 && spec.cap_add ==
	    ((1ULL << 12) | (1ULL << 25)) && spec.cap_drop == 1ULL,
	    "caps with and without CAP_, any case");
	T_OK(parse("--cap-drop", "all", "x", NULL) == 0 &&
	    spec.flags == SPEC_CAPDROPALL && spec.cap_drop == 0,
	    "--cap-drop all");
	T_OK(parse("--cap-add", "ALL", "x", NULL) == 0 &&
	    (spec.cap_add & 0x1fffffffffULL) == 0x1fffffffffULL,
	    "--cap-add ALL");
	T_OK(fails(parse("--cap-add", "FOO", "x", NULL),
	    "--cap-add: unknown capability \"FOO\""), "unknown capability");
	T_OK(fails(parse("--cap-drop", "12", "x", NULL),
	    "--cap-drop: unknown capability \"12\""), "no numbers");
	T_OK(fails(parse("--cap-add", "CAP_", "x", NULL),
	    "--cap-add: unknown capability \"CAP_\""), "CAP_ alone");
}

static void
t_secopt(void)
{
	T_OK(parse("--security-opt", "seccomp=unconfined", "x", NULL) == 0 &&
	    spec.flags == SPEC_UNCONFINED, "seccomp=unconfined");
	T_OK(parse("--security-opt=seccomp:unconfined", "x", NULL) == 0 &&
	    spec.flags == SPEC_UNCONFINED, "seccomp:unconfined");
	T_OK(parse("--security-opt", "no-new-privileges", "--security-opt",
	    "no-new-privileges:true", "x", NULL) == 0 && spec.flags == 0,
	    "no-new-privileges accepted");
	T_OK(parse("--security-opt", "seccomp=/p.json", "x", NULL) == 0 &&
	    spec.flags == SPEC_SECCOMP &&
	    strcmp(seccomp_path(), "/p.json") == 0,
	    "seccomp=FILE: the path is kept for cellctl to open");
	T_OK(parse("--security-opt", "seccomp=unconfined", "--security-opt",
	    "seccomp:p.json", "x", NULL) == 0 && spec.flags == SPEC_SECCOMP &&
	    strcmp(seccomp_path(), "p.json") == 0,
	    "seccomp: the last one wins (a file)");
	T_OK(parse("--security-opt", "seccomp=/p.json", "--security-opt",
	    "seccomp=unconfined", "x", NULL) == 0 &&
	    spec.flags == SPEC_UNCONFINED, "seccomp: the last one wins "
	    "(unconfined)");
	T_OK(fails(parse("--security-opt", "seccomp=", "x", NULL),
	    "--security-opt: seccomp=FILE: bad path"), "seccomp= empty");
	T_OK(fails(parse("--security-opt", "no-new-privileges=false", "x",
	    NULL), "--security-opt: no-new-privileges is always on"),
	    "no-new-privileges=false");
	T_OK(fails(parse("--security-opt", "apparmor=x", "x", NULL),
	    "--security-opt: unknown option \"apparmor=x\""),
	    "unknown security option");
}

static void
t_env(void)
{
	setenv("CELLCTL_T_SET", "from-here", 1);
	unsetenv("CELLCTL_T_UNSET");
	T_OK(parse("-e", "A=1", "--env=B=", "-eC=x=y", "-e", "CELLCTL_T_SET",
	    "-e", "CELLCTL_T_UNSET", "x", NULL) == 0 &&
	    list_is(spec.env, spec.envc, "A=1", "B=", "C=x=y",
	    "CELLCTL_T_SET=from-here", NULL),
	    "-e forms; K alone from our environment, dropped if unset");
	T_OK(fails(parse("-e", "=x", "x", NULL),
	    "-e: invalid environment variable \"=x\""), "-e =x");
	T_OK(parse("-e", "X=1", "x", "-e", "Y=2", NULL) == 0 &&
	    spec.envc == 1 && spec.argc == 2, "-e after IMAGE is an arg");
}

static void
t_envfile(void)
{
	char	 path[] = "/tmp/test_cellctl_args.XXXXXX";
	char	 want[256];
	FILE	*f;
	int	 fd;

	if (!T_OK((fd = mkstemp(path)) != -1, "mkstemp"))
		return;
	f = fdopen(fd, "w");
	fputs("# a comment\n\n  LEAD=1\nCRLF=2\r\nSP=a b \nCELLCTL_T_SET\n"
	    "CELLCTL_T_UNSET\nLAST=3", f);
	fclose(f);
	snprintf(want, sizeof(want), "--env-file=%s", path);
	T_OK(parse("-e", "AFTER=1", want, "x", NULL) == 0 &&
	    list_is(spec.env, spec.envc, "LEAD=1", "CRLF=2", "SP=a b ",
	    "CELLCTL_T_SET=from-here", "LAST=3", "AFTER=1", NULL),
	    "--env-file: comments, blanks, CRLF; -e comes after the file");
	f = fopen(path, "w");
	fputs("OK=1\nBAD KEY=2\n", f);
	fclose(f);
	snprintf(want, sizeof(want), "--env-file: %s:2: variable name "
	    "contains whitespace", path);
	T_OK(fails(parse("--env-file", path, "x", NULL), want),
	    "--env-file: whitespace in a name");
	unlink(path);
	snprintf(want, sizeof(want), "--env-file: %s: No such file or "
	    "directory", path);
	T_OK(fails(parse("--env-file", path, "x", NULL), want),
	    "--env-file: missing file");
	T_OK(fails(parse("--env-file", "/", "x", NULL),
	    "--env-file: /: Is a directory"), "--env-file: a directory");
}

static void
t_sizes(void)
{
	static char	 big[SPEC_ARGMAX + 1];
	static char	 bigenv[SPEC_ENVMAX + 1];

	memset(big, 'a', SPEC_ARGMAX);
	T_OK(fails(parse("x", big, NULL), "run: command line too long "
	    "(max 8192 bytes)"), "args over SPEC_ARGMAX");
	big[SPEC_ARGMAX - 1] = '\0';
	T_OK(parse("x", big, NULL) == 0 && spec.argc == 1,
	    "args at exactly SPEC_ARGMAX");
	memcpy(bigenv, "K=", 2);
	memset(bigenv + 2, 'v', SPEC_ENVMAX - 2);
	T_OK(fails(parse("-e", bigenv, "x", NULL),
	    "-e: environment too large (max 16384 bytes)"),
	    "env over SPEC_ENVMAX");
	bigenv[SPEC_ENVMAX - 1] = '\0';
	T_OK(parse("-e", bigenv, "x", NULL) == 0 && spec.envc == 1,
	    "env at exactly SPEC_ENVMAX");
	T_OK(fails(parse("--entrypoint", big, "x", NULL),
	    "--entrypoint: too long (max 255 bytes)"), "long --entrypoint");
}

/* What cellctl sends, celld's own gate (imsg/spec.c) takes. */
static void
t_gate(void)
{
	T_OK(parse("-dit", "--rm", "--name", "web", "-e", "A=1", "-u", "1:1",
	    "-w", "/srv", "-h", "box", "-m", "64m", "--cpus", "1.5",
	    "--pids-limit", "64", "--tmpfs", "/run", "--read-only",
	    "--cap-add", "ALL", "--cap-drop", "ALL", "--security-opt",
	    "seccomp=unconfined", "--privileged", "--network", "none",
	    "--entrypoint", "/bin/sh", "--init", "busybox:latest", "-c",
	    "echo hi", NULL) == 0 && msg_spec_ok(&spec),
	    "every flag at once passes msg_spec_ok");
}

int
main(void)
{
	t_image_and_args();
	t_bools();
	t_storage();
	t_unknown();
	t_values();
	t_limits();
	t_update_limits();
	t_tmpfs();
	t_caps();
	t_secopt();
	t_env();
	t_envfile();
	t_sizes();
	t_gate();
	t_ipv6();
	return tap_done();
}
