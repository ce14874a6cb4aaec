/*
 * fs.c: fs-helper, "celld: fs-helper".  Storage, mounts and paths: the
 * layer store, per-container overlay and idmapped mounts, and the checks
 * on volume fds passed by clients.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>

#include <linux/capability.h>

#include "../privsep/privsep.h"

static const int fs_syscalls[] = {
	SBX_BASE,
	/* the layer store */
	SCMP_SYS(openat), SCMP_SYS(mkdirat), SCMP_SYS(unlinkat),
	SCMP_SYS(renameat2), SCMP_SYS(fchownat), SCMP_SYS(fchmodat),
	SCMP_SYS(fchown), SCMP_SYS(fchmod), SCMP_SYS(getdents64),
	SCMP_SYS(statx), SCMP_SYS(fsync), SCMP_SYS(lseek),
	-1	/* left out on purpose: execve, ptrace, bpf, keyctl, setuid,
		 * socket, kexec, module loading */
};

static const struct proc_privs fs_privs = {
	.title = "fs-helper",
	.user = CELLD_FS_USER,		/* not 0: owner checks must fail */
	.caps = (const int []){
		CAP_SYS_ADMIN,		/* overlay and idmapped mounts */
		CAP_CHOWN,		/* upper dirs owned by the id range */
		CAP_FOWNER,		/* fix modes on the range's files */
		CAP_DAC_OVERRIDE,	/* clean up dirs the range owns */
		-1
	},
	.nnp = 1,
	.syscalls = fs_syscalls,
	.landlock = 1,
	.paths = (const struct sbx_path []){
		{ "$0", SBX_R | SBX_W },	/* storage */
		{ "$1", SBX_R | SBX_W },	/* rundir */
		{ NULL, 0 }
	},
};

static void
fs_dispatch(struct imsgev *iev, struct imsg *imsg)
{
	log_warnx("fs-helper: unexpected %s", msg_name(imsg_get_type(imsg)));
	imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0, "unexpected");
}

int
main(int argc, char **argv)
{
	helper_main(argc, argv, &fs_privs, PROC_FS, fs_dispatch);
}

#ifdef SBX_PROBE
/* tests/security/sbx_probe applies this very table and attacks it */
const struct proc_privs *fs_table = &fs_privs;
#endif
