/*
 * volume.c: a client's volume, checked again and cloned for C.
 *
 * The parent decided the policy (parent/volume.c).  Here we check what
 * holds whatever the parent says: the fd is a directory or a regular
 * file, and not inside celld's storage, where every container's files
 * and the image layers live.  Then we clone it as a detached bind mount
 * (we are in the host's mount namespace: fs-helper, jailed in the storage
 * dir, can't clone a host mount, and shouldn't), nosuid and nodev, and
 * read-only all the way down for ":ro".  A mount made read-only here, in
 * the initial user namespace, stays read-only: C's user namespace can't
 * remount it writable, even with --privileged.
 *
 * The same holds for the /sys of a --network host container, staged here
 * too (sys_stage()).
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "spawn.h"
#include "cell.h"

static dev_t	store_dev;
static ino_t	store_ino;
static int	pinfd = -1;	/* RUNDIR/pins, made ours by the parent */
static char	pinpath[PATH_MAX];

void
volume_setup(const char *storage, const char *rundir)
{
	struct stat	st;

	if (stat(storage, &st) == -1)
		fatal("spawn-helper: %s", storage);
	store_dev = st.st_dev;
	store_ino = st.st_ino;
	if ((size_t)snprintf(pinpath, sizeof(pinpath), "%s/pins", rundir) >=
	    sizeof(pinpath) || (pinfd = open(pinpath, O_PATH | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1)
		fatal("spawn-helper: %s", pinpath);
}

/* Is the dir at fd inside the storage?  Walk up ".." by "..". */
static int
vol_in_store(int fd)
{
	struct stat	st;
	dev_t		pdev = 0;
	ino_t		pino = 0;
	int		dfd, up, depth, r = 0;

	if ((dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1)
		return -1;
	for (depth = 0; depth < 4096; depth++) {
		if (fstat(dfd, &st) == -1) {
			r = -1;
			break;
		}
		if (st.st_dev == store_dev && st.st_ino == store_ino) {
			r = 1;
			break;
		}
		if (depth > 0 && st.st_dev == pdev && st.st_ino == pino)
			break;		/* the root */
		pdev = st.st_dev;
		pino = st.st_ino;
		up = openat(dfd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		close(dfd);
		if ((dfd = up) == -1)
			return -1;
	}
	close(dfd);
	return r;
}

static int
vol_isdir(int fd)
{
	struct stat	st;

	return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
vol_clone(int fd, int ro)
{
	struct mount_attr	ma;
	int			mfd;

	mfd = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	    AT_EMPTY_PATH | AT_RECURSIVE);
	if (mfd == -1)
		return -1;
	memset(&ma, 0, sizeof(ma));
	ma.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
	    (ro ? MOUNT_ATTR_RDONLY : 0);
	ma.propagation = MS_PRIVATE;
	if (mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma,
	    sizeof(ma)) == -1) {
		close(mfd);
		return -1;
	}
	return mfd;
}

/*
 * In R, before it clones C: the volumes go into a mount namespace of R's
 * own (the initial user namespace owns it), on a small tmpfs over the
 * run dir, at v0, v1, ...  C's namespace is then copied from this one
 * across a user namespace boundary, which locks every mount and its
 * flags: C finds its volumes there, binds copies into its rootfs, and a
 * read-only one stays read-only whatever C does, --privileged or not.
 */
int
volume_stage(const struct cell_ctx *cx)
{
	char		path[PATH_MAX];
	uint32_t	i;
	int		fd;

	if (cx->ms->spec.nvols == 0)
		return 0;
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
	    mount("celld-volumes", cx->rundir, "tmpfs", MS_NOSUID | MS_NODEV |
	    MS_NOEXEC, "mode=0755,size=64k") == -1)
		return -1;
	for (i = 0; i < cx->ms->spec.nvols; i++) {
		if (cx->vols[i] == -1) {
			errno = EBADF;
			return -1;
		}
		snprintf(path, sizeof(path), "%s/v%u", cx->rundir, i);
		if (vol_isdir(cx->vols[i])) {
			if (mkdir(path, 0755) == -1)
				return -1;
		} else if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC, 0644)) == -1)
			return -1;
		else
			close(fd);
		if (move_mount(cx->vols[i], "", AT_FDCWD, path,
		    MOVE_MOUNT_F_EMPTY_PATH) == -1)
			return -1;
	}
	return 0;
}

/*
 * --network host, in R before it clones C: C's user namespace owns no
 * network namespace, so C can't mount a sysfs (the kernel refuses) and
 * binds the /sys it finds instead (mounts.c).  R puts one there, in a
 * mount namespace of its own: a fresh sysfs, so that it shows the
 * network namespace R is in (the container's, the host's; the host's
 * /sys could be another's if celld runs in a netns of its own) and none
 * of the host's mounts beneath it, read-only, nosuid, nodev, noexec.
 * C's namespace, copied from this one by a less privileged user
 * namespace, gets those flags locked: not even a --privileged C can make
 * its /sys writable.
 */
int
sys_stage(const struct cell_ctx *cx)
{
	int	fs, mfd;

	if (!(cx->ms->spec.flags & SPEC_HOSTNET))
		return 0;
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
	    (fs = fsopen("sysfs", FSOPEN_CLOEXEC)) == -1)
		return -1;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == -1 ||
	    (mfd = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY |
	    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)) == -1) {
		close(fs);
		return -1;
	}
	close(fs);
	if (move_mount(mfd, "", AT_FDCWD, "/sys", MOVE_MOUNT_F_EMPTY_PATH) ==
	    -1) {
		close(mfd);
		return -1;
	}
	close(mfd);
	return 0;
}

/*
 * The parent holds each volume's fd from the client, but loses it when
 * celld restarts, and the client's path must never be opened again.  So
 * the first clone of each volume is also kept, attached under
 * RUNDIR/pins/ID/vN (dir 0700, ours), until rm: MSG_SPAWN_VOLPIN clones
 * it again.  The mount pins the object the policy approved, not a path.
 * It is cloned from src, the client's fd, not from the detached clone
 * the container gets: older kernels (Debian 12's 6.1 among them) refuse
 * to open_tree() a mount that is in no namespace (EINVAL).
 */
static int
vol_pin(const char *id, uint32_t index, int src, int ro, int isdir)
{
	char	name[16];
	int	dfd, fd, pin, r = -1;

	if (mkdirat(pinfd, id, 0700) == -1 && errno != EEXIST)
		return -1;
	if ((dfd = openat(pinfd, id, O_PATH | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	snprintf(name, sizeof(name), "v%u", index);
	if (isdir)
		fd = mkdirat(dfd, name, 0700);
	else if ((fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) != -1)
		close(fd);
	if (fd == -1 && errno == EEXIST) {
		r = 0;		/* kept already (a restart of the container) */
		goto done;
	}
	if (fd == -1 || (pin = vol_clone(src, ro)) == -1)
		goto done;
	r = move_mount(pin, "", dfd, name, MOVE_MOUNT_F_EMPTY_PATH);
	close(pin);
done:
	close(dfd);
	return r;
}

/* MSG_SPAWN_VOLPIN: the kept clone, for a start after celld restarted */
void
spawn_volpin(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_volume	 mv;
	struct pending		*p;
	struct statx		 stx;
	char			 path[CELL_IDLEN + 16];
	int			 fd, mfd = -1;

	(void)iev;
	if (imsg_get_data(imsg, &mv, sizeof(mv)) == -1 ||
	    !msg_id_ok(mv.id, sizeof(mv.id)) || mv.index >= SPEC_MAXVOLS ||
	    mv.ro > 1 || (p = pending_get(mv.id, 1)) == NULL) {
		log_warnx("volpin: bad request");
		return;
	}
	snprintf(path, sizeof(path), "%s/v%u", mv.id, mv.index);
	/* only a mount we attached: the placeholder alone is no volume */
	if ((fd = openat(pinfd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1 || statx(fd, "", AT_EMPTY_PATH, 0, &stx) == -1 ||
	    !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
	    !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) ||
	    (mfd = vol_clone(fd, mv.ro)) == -1) {
		snprintf(p->volerr, sizeof(p->volerr), "volume %u: lost "
		    "(celld's run dir was cleared); recreate the container",
		    mv.index);
	} else {
		if (p->vols[mv.index] != -1)
			close(p->vols[mv.index]);
		p->vols[mv.index] = mfd;
	}
	if (fd != -1)
		close(fd);
}

/* MSG_SPAWN_UNPIN, at rm: detach and remove what vol_pin() made */
void
spawn_unpin(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_spawn_id	 req;
	char			 path[PATH_MAX];
	uint32_t		 i;
	int			 dfd;

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !msg_id_ok(req.id, sizeof(req.id))) {
		imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
		    "unpin: bad id");
		return;
	}
	if ((dfd = openat(pinfd, req.id, O_PATH | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		imsgev_reply(iev, imsg_get_peerid(imsg), 0, 0, NULL);
		return;		/* no volumes */
	}
	for (i = 0; i < SPEC_MAXVOLS; i++) {
		snprintf(path, sizeof(path), "%s/%s/v%u", pinpath, req.id, i);
		(void)umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
		snprintf(path, sizeof(path), "v%u", i);
		if (unlinkat(dfd, path, 0) == -1 && errno == EISDIR)
			(void)unlinkat(dfd, path, AT_REMOVEDIR);
	}
	close(dfd);
	if (unlinkat(pinfd, req.id, AT_REMOVEDIR) == -1)
		log_warn("unpin: %.12s", req.id);
	imsgev_reply(iev, imsg_get_peerid(imsg), 0, 0, NULL);
}

/* MSG_SPAWN_VOLUME: on failure, remember why; CREATE will refuse. */
void
spawn_volume(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_volume	 mv;
	struct pending		*p;
	struct stat		 st;
	int			 fd = imsg_get_fd(imsg), mfd = -1;
	const char		*why = NULL;

	(void)iev;
	if (imsg_get_data(imsg, &mv, sizeof(mv)) == -1 ||
	    !msg_id_ok(mv.id, sizeof(mv.id)) || mv.index >= SPEC_MAXVOLS ||
	    mv.ro > 1 || (p = pending_get(mv.id, 1)) == NULL) {
		log_warnx("volume: bad request");
		close(fd);
		return;
	}
	if (fstat(fd, &st) == -1 || (!S_ISDIR(st.st_mode) &&
	    !S_ISREG(st.st_mode)))
		why = "not a directory or regular file";
	else if (S_ISDIR(st.st_mode) && vol_in_store(fd) != 0)
		why = "inside celld's storage";
	else if ((mfd = vol_clone(fd, mv.ro)) == -1 ||
	    vol_pin(mv.id, mv.index, fd, mv.ro, S_ISDIR(st.st_mode)) == -1)
		why = strerror(errno);
	close(fd);
	if (why != NULL) {
		snprintf(p->volerr, sizeof(p->volerr), "volume %u: %s",
		    mv.index, why);
		return;
	}
	if (p->vols[mv.index] != -1)
		close(p->vols[mv.index]);
	p->vols[mv.index] = mfd;
}
