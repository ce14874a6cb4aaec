/*
 * fs.c: fs-helper, "celld: fs-helper".  Storage, mounts and paths: the
 * layer store, per-container overlay and idmapped mounts, and the checks
 * on volume fds passed by clients.
 */
#include <sys/mount.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>

#include "fs.h"

static const int fs_syscalls[] = {
	SBX_BASE,
	/* the layer store */
	SCMP_SYS(openat), SCMP_SYS(mkdirat), SCMP_SYS(unlinkat),
	SCMP_SYS(renameat2), SCMP_SYS(fchownat), SCMP_SYS(fchmodat),
	SCMP_SYS(fchown), SCMP_SYS(fchmod), SCMP_SYS(getdents64),
	SCMP_SYS(statx), SCMP_SYS(fsync), SCMP_SYS(lseek),
	SCMP_SYS(fchdir), SCMP_SYS(chdir),
	/* rootfs: idmapped layer clones stacked by overlayfs */
	SCMP_SYS(open_tree), SCMP_SYS(mount_setattr), SCMP_SYS(move_mount),
	SCMP_SYS(fsopen), SCMP_SYS(fsconfig), SCMP_SYS(fsmount),
	SCMP_SYS(umount2),
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
	/*
	 * No Landlock: a Landlock domain forbids every change to the mount
	 * topology (mount, move_mount, umount), and mounts are this
	 * helper's job.  It is confined instead by its own mount namespace,
	 * its seccomp list and its non-root uid.
	 */
	.landlock = 0,
};

struct fs_env	fsenv;

static void
fs_rootfs(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_fs_rootfs	 req;
	struct msg_spawn_id	 rep;
	int			 nsfd = imsg_get_fd(imsg), mfd;
	uint32_t		 i;

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !msg_id_ok(req.id, sizeof(req.id)) ||
	    !subid_slot_ok(fsenv.id_start, fsenv.id_count, req.uid_base) ||
	    req.nlayers == 0 || req.nlayers > FS_MAXLAYERS) {
		imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
		    "rootfs: bad id, id range or layers");
		goto done;
	}
	for (i = 0; i < req.nlayers; i++)
		if (!msg_id_ok(req.layers[i], sizeof(req.layers[i]))) {
			imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
			    "rootfs: bad layer digest");
			goto done;
		}
	if ((mfd = rootfs_make(&req, nsfd)) == -1) {
		imsgev_reply(iev, imsg_get_peerid(imsg), errno, 0, "rootfs");
		goto done;
	}
	memset(&rep, 0, sizeof(rep));
	memcpy(rep.id, req.id, sizeof(rep.id));
	imsgev_compose(iev, MSG_FS_ROOTFS_FD, imsg_get_peerid(imsg), 0, mfd,
	    &rep, sizeof(rep));
done:
	if (nsfd != -1)
		close(nsfd);
}

static void
fs_remove(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_spawn_id	req;

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !msg_id_ok(req.id, sizeof(req.id))) {
		imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
		    "remove: bad id");
		return;
	}
	if (rootfs_remove(req.id) == -1)
		imsgev_reply(iev, imsg_get_peerid(imsg), errno, 0, "remove");
	else
		imsgev_reply(iev, imsg_get_peerid(imsg), 0, 0, NULL);
}

/*
 * Before the drop: our own mount namespace, private, so the layer mounts
 * we attach for a moment are never seen on the host; the storage dir.
 */
static void
fs_setup(int argc, char **argv)
{
	struct launch_args	la;

	if (helper_args(argc, argv, &la) == -1)
		return;		/* helper_main reports it */
	log_init(la.debug, la.verbose, fs_privs.title);
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		fatal("fs-helper: private mount namespace");
	fsenv.storefd = open(la.storage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fsenv.storefd == -1)
		fatal("fs-helper: %s", la.storage);
	if (subid_range(CELLD_USER, &fsenv.id_start, &fsenv.id_count) == -1)
		fatalx("fs-helper: no subordinate ids for %s", CELLD_USER);
	optind = 1;
}

static void
fs_dispatch(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg_get_type(imsg)) {
	case MSG_FS_ROOTFS:
		fs_rootfs(iev, imsg);
		break;
	case MSG_FS_REMOVE:
		fs_remove(iev, imsg);
		break;
	default:
		log_warnx("unexpected %s", msg_name(imsg_get_type(imsg)));
		imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
		    "unexpected");
	}
}

int
main(int argc, char **argv)
{
	fs_setup(argc, argv);
	helper_main(argc, argv, &fs_privs, PROC_FS, fs_dispatch);
}

#ifdef SBX_PROBE
/* tests/security/sbx_probe applies this very table and attacks it */
const struct proc_privs *fs_table = &fs_privs;
#endif
