/*
 * net.c: net-helper, "celld: net-helper".  Virtual networking: bridges,
 * veths, addresses, routes and celld's own nftables table.  It speaks
 * netlink only; it never execs ip, iptables or nft.
 */
#include <sys/socket.h>

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>

#include <linux/capability.h>

#include "../privsep/privsep.h"

static const int net_syscalls[] = {
	SBX_BASE,
	/* rtnetlink and nftables; socket() is narrowed to AF_NETLINK */
	SCMP_SYS(bind), SCMP_SYS(getsockopt), SCMP_SYS(setsockopt),
	SCMP_SYS(getsockname), SCMP_SYS(recvfrom),
	-1	/* left out on purpose: mount, ptrace, bpf, execve, keyctl,
		 * open of any file, clone */
};

static const struct sbx_arg net_args[] = {
	{ SCMP_SYS(socket), 0, AF_NETLINK },
	{ -1, 0, 0 }
};

static const struct proc_privs net_privs = {
	.title = "net-helper",
	.user = CELLD_NET_USER,		/* not 0: owner checks must fail */
	.caps = (const int []){
		CAP_NET_ADMIN,		/* links, addresses, our nft table */
		-1
	},
	.nnp = 1,
	.syscalls = net_syscalls,
	.argrules = net_args,
	.landlock = 1,
	.paths = (const struct sbx_path []){ { NULL, 0 } }, /* no files */
};

static void
net_dispatch(struct imsgev *iev, struct imsg *imsg)
{
	log_warnx("net-helper: unexpected %s", msg_name(imsg_get_type(imsg)));
	imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0, "unexpected");
}

int
main(int argc, char **argv)
{
	helper_main(argc, argv, &net_privs, PROC_NET, net_dispatch);
}

#ifdef SBX_PROBE
/* tests/security/sbx_probe applies this very table and attacks it */
const struct proc_privs *net_table = &net_privs;
#endif
