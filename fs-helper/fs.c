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
	/* rootfs: idmapped clones of existing mounts, nothing new */
	SCMP_SYS(open_tree), SCMP_SYS(mount_setattr), SCMP_SYS(move_mount),
	SCMP_SYS(umount2),
	/* disk.c: the sparse image of a container's disk */
	SCMP_SYS(ftruncate),
	-1	/* left out on purpose: mount, fsopen, fsconfig, fsmount
		 * (CAP_SYS_ADMIN could mount proc, sysfs or a v1 cgroup and
		 * reach the host through them: we never make a file system
		 * instance; a container's ext4 disk is made by the mounter,
		 * diskmnt.c), ioctl (loop devices: the mounter's too),
		 * execve (mke2fs: the formatter's, mkfs.c), ptrace, bpf,
		 * keyctl, setuid, socket, kexec, module loading */
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
	 * topology (move_mount, umount), and idmapped layer mounts are this
	 * helper's job.  Its filesystem is fenced by the jail instead: a
	 * private mount namespace whose root is the storage dir.  The
	 * host's files are not hidden from it, they are not there.
	 */
	.landlock = 0,
	.jail = "$0",
};

struct fs_env	fsenv;

static void
fs_rootfs(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_fs_rootfs	 req;
	struct msg_spawn_id	 rep;
	struct rootfs_done	 rd;
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
	/* 0, or a multiple of 4 KiB from 8 MiB to 16 TiB: see msg.h */
	if (req.disk != 0 && !msg_disk_ok(req.disk)) {
		log_warnx("%.12s: rootfs: bad disk size %lld", req.id,
		    (long long)req.disk);
		imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
		    "rootfs: bad disk size");
		goto done;
	}
	for (i = 0; i < req.nlayers; i++)
		if (!msg_id_ok(req.layers[i], sizeof(req.layers[i]))) {
			imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
			    "rootfs: bad layer digest");
			goto done;
		}
	if ((mfd = rootfs_make(&req, nsfd, &rd)) == -1) {
		imsgev_reply(iev, imsg_get_peerid(imsg), errno, 0,
		    req.disk != 0 ? "rootfs (with a disk: see celld's log)" :
		    "rootfs");
		goto done;
	}
	memset(&rep, 0, sizeof(rep));
	memcpy(rep.id, req.id, sizeof(rep.id));
	imsgev_compose(iev, MSG_FS_ROOTFS_FD, imsg_get_peerid(imsg), 0, mfd,
	    &rep, sizeof(rep));
	/* the answer now, our umounts after it (rootfs.c) */
	if (imsgbuf_write(&iev->ibuf) == -1)
		log_warn("%.12s: rootfs: answer", req.id);
	rootfs_finish(&rd);
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

/* images: see stage.c */
static void
fs_stage(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_spawn_id	 req;
	int			 nsfd = imsg_get_fd(imsg), mfd;

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !msg_id_ok(req.id, sizeof(req.id))) {
		imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
		    "stage: bad id");
	} else if ((mfd = stage_make(req.id, nsfd)) == -1)
		imsgev_reply(iev, imsg_get_peerid(imsg), errno, 0, "stage");
	else
		imsgev_compose(iev, MSG_FS_STAGED, imsg_get_peerid(imsg), 0,
		    mfd, &req, sizeof(req));
	close(nsfd);
}

static void
fs_save_tree(struct imsgev *iev, struct imsg *imsg)
{
	static struct msg_fs_rootfs	 req;
	struct msg_spawn_id		 rep;
	int				 nsfd = imsg_get_fd(imsg), mfd;
	uint32_t			 i;

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !msg_id_ok(req.id, sizeof(req.id)) || req.nlayers == 0 ||
	    req.nlayers > FS_MAXLAYERS) {
		imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
		    "save: bad id or layers");
		goto done;
	}
	for (i = 0; i < req.nlayers; i++)
		if (!msg_id_ok(req.layers[i], sizeof(req.layers[i]))) {
			imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
			    "save: bad layer digest");
			goto done;
		}
	if ((mfd = stage_save_tree(&req, nsfd)) == -1) {
		imsgev_reply(iev, imsg_get_peerid(imsg), errno, 0, "save");
		goto done;
	}
	memset(&rep, 0, sizeof(rep));
	memcpy(rep.id, req.id, sizeof(rep.id));
	imsgev_compose(iev, MSG_FS_STAGED, imsg_get_peerid(imsg), 0, mfd, &rep,
	    sizeof(rep));
done:
	close(nsfd);
}

static void
fs_layer(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_fs_layer	req;
	uint32_t		type = imsg_get_type(imsg);
	int			r;

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !msg_id_ok(req.digest, sizeof(req.digest)) ||
	    (type == MSG_FS_COMMIT && !msg_id_ok(req.id, sizeof(req.id)))) {
		imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
		    "layer: bad staging id or digest");
		return;
	}
	r = type == MSG_FS_COMMIT ? stage_commit(req.id, req.digest) :
	    stage_layer_rm(req.digest);
	imsgev_reply(iev, imsg_get_peerid(imsg), r == -1 ? errno : 0, 0,
	    r == -1 ? (type == MSG_FS_COMMIT ? "commit layer" :
	    "remove layer") : NULL);
}

static void
fs_unstage(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_spawn_id	req;

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !msg_id_ok(req.id, sizeof(req.id))) {
		imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
		    "unstage: bad id");
		return;
	}
	if (stage_remove(req.id) == -1 && errno != ENOENT)
		imsgev_reply(iev, imsg_get_peerid(imsg), errno, 0, "unstage");
	else
		imsgev_reply(iev, imsg_get_peerid(imsg), 0, 0, NULL);
}

/* The storage dir: after the jail, it is "/". */
int
fs_store(void)
{
	if (fsenv.storefd == -1 && (fsenv.storefd = open("/", O_RDONLY |
	    O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("fs-helper: storage");
	return fsenv.storefd;
}

/* Before the drop: what the jail will hide, the id ranges. */
static void
fs_setup(int argc, char **argv)
{
	struct launch_args	la;

	fsenv.storefd = fsenv.mkfs = fsenv.mnt = -1;
	if (helper_args(argc, argv, &la) == -1)
		return;		/* helper_main reports it */
	log_init(la.debug, la.verbose, fs_privs.title);
	if ((fsenv.id_count = la.id_count) == 0)
		fatalx("fs-helper: no subordinate ids for %s", CELLD_USER);
	fsenv.id_start = la.id_start;
	disk_setup(argc, argv);
	optind = 1;
}

static void
fs_dispatch(struct imsgev *iev, struct imsg *imsg)
{
	static int	gc_done;

	/* the first message of this fs-helper: no load of ours is staging */
	if (!gc_done) {
		gc_done = 1;
		stage_gc();
	}
	switch (imsg_get_type(imsg)) {
	case MSG_FS_ROOTFS:
		fs_rootfs(iev, imsg);
		break;
	case MSG_FS_REMOVE:
		fs_remove(iev, imsg);
		break;
	case MSG_FS_STAGE:
		fs_stage(iev, imsg);
		break;
	case MSG_FS_COMMIT:
	case MSG_FS_LAYER_RM:
		fs_layer(iev, imsg);
		break;
	case MSG_FS_UNSTAGE:
		fs_unstage(iev, imsg);
		break;
	case MSG_FS_SAVE_TREE:
		fs_save_tree(iev, imsg);
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
