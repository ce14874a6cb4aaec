/*
 * mounts.c: the container's file system tree.  C builds it in its own
 * mount namespace (a private copy of the host's), then makes it the root
 * with pivot_root and lets go of the host's tree.
 *
 * How a mount finds its place.  Every target inside the rootfs is reached
 * by a walk from the rootfs mount's fd, one component at a time, with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS); a missing component is
 * made with mkdirat() (or, for the bind of a device node, as an empty
 * file), never through a symlink.  The mount is then attached to the fd
 * the walk ended on, move_mount(..., MOVE_MOUNT_T_EMPTY_PATH).  A symlink
 * anywhere in a target path, say an image whose /dev points at /etc on the
 * host (CVE-2019-19921), fails the walk with ELOOP: we refuse the image
 * instead of following it.  And because the mount lands on the inode the
 * walk opened, not on a path looked up again later, swapping a component
 * between check and mount (the race in CVE-2021-30465) wins nothing.
 * Sources are fds too: fresh file systems come from fsopen()/fsmount(),
 * the host's device nodes from open_tree(OPEN_TREE_CLONE).
 *
 * Where the rootfs is attached.  pivot_root() wants the new root to be a
 * mount in our namespace, so the detached tree must be attached somewhere
 * first.  We stack it on the old root's own root directory, through an fd:
 * the one directory every host has, which no file system layout (and
 * nothing in the image) can turn into a symlink, and which needs no
 * scratch directory made on the host.  Nothing is looked up by host path
 * after that: the host's sources are all opened before the attach.
 * pivot_root(".", ".") then swaps the two, and the old root is detached.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>
#include <linux/openat2.h>

#include "init.h"

#define MT_EXISTING	0	/* make nothing */
#define MT_DIR		1	/* make missing components directories */
#define MT_FILE		2	/* ... and the last one an empty file */

#define ATTR_SAFE	(MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |		\
			    MOUNT_ATTR_NOEXEC)

/* The device nodes a container gets, bound from the host's /dev. */
static const char *const mnt_devs[] = {
	"null", "zero", "full", "random", "urandom", "tty"
};
#define NDEVS	(sizeof(mnt_devs) / sizeof(mnt_devs[0]))

/* runc's masked paths: /dev/null over files, an empty tmpfs over dirs */
static const char *const mnt_masked[] = {
	"/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore",
	"/proc/keys", "/proc/latency_stats", "/proc/timer_list",
	"/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
	"/sys/firmware", "/sys/devices/virtual/powercap", NULL
};

/* runc's read-only paths */
static const char *const mnt_rdonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
	"/proc/sysrq-trigger", NULL
};

/* /dev symlinks, name and target */
static const char *const mnt_links[][2] = {
	{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" }
};

struct mnt_ctx {
	const struct cell_spec	*spec;
	int			 rootfd;	/* the rootfs mount */
	int			 vol[SPEC_MAXVOLS];	/* clones, till attached */
	int			 dev[NDEVS];	/* host nodes, cloned */
	int			 sys;		/* sysfs, or the host's */
	int			 pts;		/* -t: spawn-helper's devpts */
	int			 etc[3];	/* the parent's /etc files, cloned
						 * from our tree; -1: none */
	char			*err;
	size_t			 errlen;
};

/*
 * An absolute path without "." or ".." components, short enough for a
 * spec field.  RESOLVE_BENEATH would stop ".." anyway; this makes the
 * refusal explicit and the error message clear.
 */
int
mnt_path_ok(const char *path)
{
	const char	*p;
	size_t		 n;

	if (path[0] != '/' || strnlen(path, SPEC_PATHLEN) == SPEC_PATHLEN)
		return 0;
	for (p = path; *p != '\0'; p += n) {
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
	}
	return 1;
}

/* one component, never through a symlink, never out of dfd */
static int
mnt_step(int dfd, const char *name, int dir)
{
	struct open_how	how;

	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_CLOEXEC | (dir ? O_DIRECTORY : 0);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	    RESOLVE_NO_MAGICLINKS;
	return (int)syscall(SYS_openat2, dfd, name, &how, sizeof(how));
}

/* mkdirat() and O_CREAT|O_EXCL never follow a symlink in the last place */
static int
mnt_make(int dfd, const char *name, int file)
{
	int	fd;

	if (!file) {
		if (mkdirat(dfd, name, 0755) == -1 && errno != EEXIST)
			return -1;
		return 0;
	}
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd == -1)
		return errno == EEXIST ? 0 : -1;
	close(fd);
	return 0;
}

/*
 * An O_PATH fd for path inside the rootfs, made if missing when how says
 * so.  Mounts already attached in the rootfs are crossed, symlinks are not.
 */
static int
mnt_target(int rootfd, const char *path, int how)
{
	char	 buf[SPEC_PATHLEN], *p, *next;
	int	 fd, nfd, last, saved;

	if (!mnt_path_ok(path)) {
		errno = EINVAL;
		return -1;
	}
	strlcpy(buf, path, sizeof(buf));
	if ((fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3)) == -1)
		return -1;
	for (p = buf; *p != '\0'; p = next) {
		next = p + strcspn(p, "/");
		if (*next == '/')
			*next++ = '\0';
		next += strspn(next, "/");
		if (*p == '\0')
			continue;
		last = (*next == '\0');
		nfd = mnt_step(fd, p, !last || how == MT_DIR);
		if (nfd == -1 && errno == ENOENT && how != MT_EXISTING) {
			if (mnt_make(fd, p, last && how == MT_FILE) == -1)
				goto fail;
			nfd = mnt_step(fd, p, !last || how == MT_DIR);
		}
		if (nfd == -1)
			goto fail;
		close(fd);
		fd = nfd;
	}
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * A new, detached instance of a file system.  opts are key, value pairs
 * ending in NULL; attr are MOUNT_ATTR_* flags for the mount.
 */
static int
mnt_fs(const char *type, const char *const *opts, unsigned int attr)
{
	int	fsfd, mfd = -1, saved;

	if ((fsfd = fsopen(type, FSOPEN_CLOEXEC)) == -1)
		return -1;
	for (; opts != NULL && opts[0] != NULL; opts += 2)
		if (fsconfig(fsfd, FSCONFIG_SET_STRING, opts[0], opts[1],
		    0) == -1)
			goto done;
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == -1)
		goto done;
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attr);
done:
	saved = errno;
	close(fsfd);
	errno = saved;
	return mfd;
}

/* attach detached mount mfd on the target fd; closes mfd */
static int
mnt_move(int mfd, int tfd)
{
	int	r, saved;

	r = move_mount(mfd, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH |
	    MOVE_MOUNT_T_EMPTY_PATH);
	saved = errno;
	close(mfd);
	errno = saved;
	return r;
}

/* attach mfd at path inside the rootfs; closes mfd */
static int
mnt_put(struct mnt_ctx *m, int mfd, const char *path, int how)
{
	int	tfd, r;

	if (mfd == -1)
		return init_fail(m->err, m->errlen, "mount %s", path);
	if ((tfd = mnt_target(m->rootfd, path, how)) == -1) {
		init_fail(m->err, m->errlen, "mount %s", path);
		close(mfd);
		return -1;
	}
	r = mnt_move(mfd, tfd);
	if (r == -1)
		init_fail(m->err, m->errlen, "mount %s", path);
	close(tfd);
	return r;
}

/* a detached copy of the mount (tree) at tfd */
static int
mnt_clone(int tfd)
{
	return open_tree(tfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	    AT_EMPTY_PATH | AT_RECURSIVE);
}

/*
 * Our copy of the host's mounts is made private first, so nothing we
 * mount from here on propagates to the host.  Then everything we take
 * from the host, opened before anything is attached (the layer tree goes
 * on the host's /dev, overlay.c): the six device nodes (a user namespace
 * can't mknod them, so, like rootless podman, we bind the host's), and
 * /sys.  A fresh sysfs needs the network namespace to be ours; without
 * one (--network host) the /sys we find is bound instead, read-only all
 * the way down: the fresh one R staged for us, read-only and locked so
 * (spawn-helper/volume.c, sys_stage()).
 */
static int
mnt_host_open(struct mnt_ctx *m)
{
	struct mount_attr	 ma;
	char			 path[32];
	size_t			 i;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		return init_fail(m->err, m->errlen, "make mounts private");
	for (i = 0; i < NDEVS; i++) {
		snprintf(path, sizeof(path), "/dev/%s", mnt_devs[i]);
		m->dev[i] = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE |
		    OPEN_TREE_CLOEXEC);
		if (m->dev[i] == -1)
			return init_fail(m->err, m->errlen, "bind %s", path);
	}
	m->sys = mnt_fs("sysfs", NULL, MOUNT_ATTR_RDONLY | ATTR_SAFE);
	if (m->sys != -1)
		return 0;
	if (errno != EPERM)
		return init_fail(m->err, m->errlen, "mount /sys");
	m->sys = open_tree(AT_FDCWD, "/sys", OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (m->sys == -1)
		return init_fail(m->err, m->errlen, "bind /sys");
	memset(&ma, 0, sizeof(ma));
	ma.attr_set = MOUNT_ATTR_RDONLY | ATTR_SAFE;
	if (mount_setattr(m->sys, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma,
	    sizeof(ma)) == -1)
		return init_fail(m->err, m->errlen, "bind /sys read-only");
	return 0;
}

/*
 * Attach the rootfs on the old root's root directory, by fd (see the top
 * comment).  The rootfs tree is made private too, after the attach: a
 * clone of a shared mount (fs-helper's overlay on a systemd host) is a
 * peer of its source, so what we mount beneath it would show on the host
 * and the host's mounts in here, and pivot_root refuses a shared new root
 * anyway.
 */
static int
mnt_attach_root(struct mnt_ctx *m)
{
	struct mount_attr	ma;
	int			hostfd, r;

	if ((hostfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return init_fail(m->err, m->errlen, "open /");
	r = move_mount(m->rootfd, "", hostfd, "", MOVE_MOUNT_F_EMPTY_PATH |
	    MOVE_MOUNT_T_EMPTY_PATH);
	close(hostfd);
	if (r == -1)
		return init_fail(m->err, m->errlen, "attach rootfs");
	memset(&ma, 0, sizeof(ma));
	ma.propagation = MS_PRIVATE;
	if (mount_setattr(m->rootfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma,
	    sizeof(ma)) == -1)
		return init_fail(m->err, m->errlen, "make rootfs private");
	return 0;
}

/* symlinks in /dev; an existing one (our own) is fine */
static int
mnt_dev_links(struct mnt_ctx *m)
{
	size_t	i;
	int	dfd;

	if ((dfd = mnt_target(m->rootfd, "/dev", MT_EXISTING)) == -1)
		return init_fail(m->err, m->errlen, "open /dev");
	for (i = 0; i < sizeof(mnt_links) / sizeof(mnt_links[0]); i++) {
		if (symlinkat(mnt_links[i][1], dfd, mnt_links[i][0]) == -1) {
			init_fail(m->err, m->errlen, "symlink /dev/%s",
			    mnt_links[i][0]);
			close(dfd);
			return -1;
		}
	}
	close(dfd);
	return 0;
}

/* /dev: a small tmpfs with the host's safe nodes, devpts, shm, mqueue */
static int
mnt_dev(struct mnt_ctx *m)
{
	static const char *const dev_opts[] = {
		"mode", "755", "size", "65536k", NULL
	};
	/*
	 * Every devpts mount is a new instance since Linux 4.7, so there is
	 * no "newinstance".  gid 5 (tty) is mapped: all of 0-65535 are.
	 */
	static const char *const pts_opts[] = {
		"ptmxmode", "0666", "mode", "0620", "gid", "5", NULL
	};
	static const char *const shm_opts[] = {
		"mode", "1777", "size", "64m", NULL
	};
	char	path[32];
	size_t	i;
	int	pts;

	if (mnt_put(m, mnt_fs("tmpfs", dev_opts, MOUNT_ATTR_NOSUID |
	    MOUNT_ATTR_NOEXEC), "/dev", MT_DIR) == -1)
		return -1;
	for (i = 0; i < NDEVS; i++) {
		snprintf(path, sizeof(path), "/dev/%s", mnt_devs[i]);
		if (mnt_put(m, m->dev[i], path, MT_FILE) == -1) {
			m->dev[i] = -1;
			return -1;
		}
		m->dev[i] = -1;
	}
	pts = m->pts != -1 ? m->pts : mnt_fs("devpts", pts_opts,
	    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	m->pts = -1;		/* mnt_put() closes it */
	if (mnt_put(m, pts, "/dev/pts", MT_DIR) == -1 ||
	    mnt_put(m, mnt_fs("tmpfs", shm_opts, ATTR_SAFE), "/dev/shm",
	    MT_DIR) == -1 ||
	    mnt_put(m, mnt_fs("mqueue", NULL, ATTR_SAFE), "/dev/mqueue",
	    MT_DIR) == -1)
		return -1;
	return mnt_dev_links(m);
}

/*
 * /sys, then cgroup2 read-only on /sys/fs/cgroup: our cgroup namespace,
 * rooted at the container's cgroup.  If cgroup2 can't be mounted (a v1
 * host whose unified hierarchy is off), an empty read-only tmpfs goes
 * there instead, so a bound host /sys never shows the host's cgroups.
 */
static int
mnt_sys(struct mnt_ctx *m)
{
	int	fd;

	fd = m->sys;
	m->sys = -1;
	if (mnt_put(m, fd, "/sys", MT_DIR) == -1)
		return -1;
	fd = mnt_fs("cgroup2", NULL, MOUNT_ATTR_RDONLY | ATTR_SAFE);
	if (fd == -1)
		fd = mnt_fs("tmpfs", NULL, MOUNT_ATTR_RDONLY | ATTR_SAFE);
	return mnt_put(m, fd, "/sys/fs/cgroup", MT_EXISTING);
}

/* hide one path; a path this kernel doesn't have is skipped, like runc */
static int
mnt_mask(struct mnt_ctx *m, const char *path)
{
	struct stat	 st;
	int		 tfd, nfd, mfd = -1;

	if ((tfd = mnt_target(m->rootfd, path, MT_EXISTING)) == -1)
		return errno == ENOENT ? 0 :
		    init_fail(m->err, m->errlen, "mask %s", path);
	if (fstat(tfd, &st) == -1)
		goto fail;
	if (S_ISDIR(st.st_mode))
		mfd = mnt_fs("tmpfs", NULL, MOUNT_ATTR_RDONLY | ATTR_SAFE);
	else if ((nfd = mnt_target(m->rootfd, "/dev/null",
	    MT_EXISTING)) != -1) {
		mfd = mnt_clone(nfd);
		close(nfd);
	}
	if (mfd == -1 || mnt_move(mfd, tfd) == -1)
		goto fail;
	close(tfd);
	return 0;
fail:
	init_fail(m->err, m->errlen, "mask %s", path);
	close(tfd);
	return -1;
}

/*
 * Bind a path onto itself read-only.  mount_setattr() sets MOUNT_ATTR_RDONLY
 * and nothing else, so nosuid, nodev and noexec stay as they were: the
 * same result as runc's bind then MS_BIND|MS_REMOUNT|MS_RDONLY with the
 * locked flags repeated, without having to know them.
 */
static int
mnt_rdonly_path(struct mnt_ctx *m, const char *path)
{
	struct mount_attr	 ma;
	int			 tfd, mfd;

	if ((tfd = mnt_target(m->rootfd, path, MT_EXISTING)) == -1)
		return errno == ENOENT ? 0 :
		    init_fail(m->err, m->errlen, "read-only %s", path);
	memset(&ma, 0, sizeof(ma));
	ma.attr_set = MOUNT_ATTR_RDONLY;
	if ((mfd = mnt_clone(tfd)) == -1)
		goto fail;
	if (mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma,
	    sizeof(ma)) == -1) {
		init_fail(m->err, m->errlen, "read-only %s", path);
		close(mfd);
		close(tfd);
		return -1;
	}
	if (mnt_move(mfd, tfd) == -1)
		goto fail;
	close(tfd);
	return 0;
fail:
	init_fail(m->err, m->errlen, "read-only %s", path);
	close(tfd);
	return -1;
}

/* the user's --tmpfs paths, like Docker's: 1777, nosuid, nodev, noexec */
static int
mnt_user_tmpfs(struct mnt_ctx *m)
{
	static const char *const opts[] = { "mode", "1777", NULL };
	const char	*path;
	uint32_t	 i;

	if (m->spec->ntmpfs > SPEC_MAXTMPFS) {
		errno = EINVAL;
		return init_fail(m->err, m->errlen, "tmpfs");
	}
	for (i = 0; i < m->spec->ntmpfs; i++) {
		path = m->spec->tmpfs[i];
		if (!mnt_path_ok(path)) {
			errno = EINVAL;
			return init_fail(m->err, m->errlen, "tmpfs %.*s",
			    SPEC_PATHLEN, path);
		}
		if (mnt_put(m, mnt_fs("tmpfs", opts, ATTR_SAFE), path,
		    MT_DIR) == -1)
			return -1;
	}
	return 0;
}

/*
 * -v: spawn-helper staged each volume at VOLROOT/vN in the namespace ours
 * was copied from (volume_stage()), so it is locked here.  Clone them now,
 * before anything is stacked on "/"; the clones keep the locks.
 */
static int
mnt_vol_open(struct mnt_ctx *m, const struct cell_init *ci)
{
	char		path[PATH_MAX];
	uint32_t	i;

	for (i = 0; i < SPEC_MAXVOLS; i++)
		m->vol[i] = -1;
	for (i = 0; i < m->spec->nvols && i < SPEC_MAXVOLS; i++) {
		snprintf(path, sizeof(path), "%s/v%u", ci->volroot, i);
		m->vol[i] = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE |
		    OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (m->vol[i] == -1)
			return init_fail(m->err, m->errlen, "volume %u", i);
	}
	return 0;
}

/* Attach each at its place in the rootfs, a walk that refuses symlinks. */
static int
mnt_volumes(struct mnt_ctx *m)
{
	struct stat	st;
	uint32_t	i;
	const char	*dst;
	int		fd;

	for (i = 0; i < m->spec->nvols && i < SPEC_MAXVOLS; i++) {
		dst = m->spec->vols[i].dst;
		fd = m->vol[i];
		m->vol[i] = -1;
		if (!mnt_path_ok(dst) || fstat(fd, &st) == -1) {
			close(fd);
			errno = EINVAL;
			return init_fail(m->err, m->errlen, "volume %.*s",
			    SPEC_PATHLEN, dst);
		}
		if (mnt_put(m, fd, dst, S_ISDIR(st.st_mode) ? MT_DIR :
		    MT_FILE) == -1)
			return -1;
	}
	return 0;
}

/* The order matters: the masks go last so no other mount covers them. */
/*
 * /etc/hostname, /etc/hosts and /etc/resolv.conf: the parent's files in
 * our tree (parent/netfiles.c), cloned by cell_overlay() while the tree
 * is attached, bound read-only; the parent rewrites hosts in place as
 * peers come and go.  A container made by an older celld has none.
 */
static const char *const mnt_etc[] = {
	"hostname", "hosts", "resolv.conf", NULL
};

static int
mnt_netfiles(struct mnt_ctx *m)
{
	struct mount_attr	 ma;
	char			 path[32];
	size_t			 i;
	int			 mfd;

	memset(&ma, 0, sizeof(ma));
	ma.attr_set = MOUNT_ATTR_RDONLY | ATTR_SAFE;
	for (i = 0; i < 3; i++) {
		if ((mfd = m->etc[i]) == -1)
			continue;
		m->etc[i] = -1;		/* mnt_put() closes it */
		if (mount_setattr(mfd, "", AT_EMPTY_PATH, &ma,
		    sizeof(ma)) == -1) {
			close(mfd);
			mfd = -1;
		}
		snprintf(path, sizeof(path), "/etc/%s", mnt_etc[i]);
		if (mnt_put(m, mfd, path, MT_FILE) == -1)
			return -1;
	}
	return 0;
}

static int
mnt_build(struct mnt_ctx *m)
{
	struct mount_attr	 ma;
	size_t			 i;

	if (mnt_put(m, mnt_fs("proc", NULL, ATTR_SAFE), "/proc",
	    MT_DIR) == -1 || mnt_dev(m) == -1 || mnt_sys(m) == -1 ||
	    mnt_user_tmpfs(m) == -1 || mnt_volumes(m) == -1 ||
	    mnt_netfiles(m) == -1)
		return -1;
	if (!(m->spec->flags & SPEC_PRIVILEGED)) {
		for (i = 0; mnt_masked[i] != NULL; i++)
			if (mnt_mask(m, mnt_masked[i]) == -1)
				return -1;
		for (i = 0; mnt_rdonly[i] != NULL; i++)
			if (mnt_rdonly_path(m, mnt_rdonly[i]) == -1)
				return -1;
	}
	if (m->spec->flags & SPEC_READONLY) {
		memset(&ma, 0, sizeof(ma));
		ma.attr_set = MOUNT_ATTR_RDONLY;
		if (mount_setattr(m->rootfd, "", AT_EMPTY_PATH, &ma,
		    sizeof(ma)) == -1)
			return init_fail(m->err, m->errlen,
			    "read-only rootfs");
	}
	return 0;
}

/*
 * pivot_root(".", ".") stacks the old root on top of the new one, at our
 * cwd; detaching "." then takes the old root and every host mount under
 * it out of our namespace, the layer tree on its /dev among them.
 * Afterwards no path leads back to the host.
 */
static int
mnt_pivot(struct mnt_ctx *m)
{
	if (fchdir(m->rootfd) == -1)
		return init_fail(m->err, m->errlen, "chdir rootfs");
	if (syscall(SYS_pivot_root, ".", ".") == -1)
		return init_fail(m->err, m->errlen, "pivot_root");
	if (umount2(".", MNT_DETACH) == -1)
		return init_fail(m->err, m->errlen, "detach old root");
	if (chdir("/") == -1)
		return init_fail(m->err, m->errlen, "chdir /");
	return 0;
}

/* Steps 2 to 4: the tree, masks, read-only parts, pivot_root. */
int
mnt_setup(const struct cell_init *ci, char *err, size_t errlen)
{
	struct mnt_ctx	m;
	size_t		i;
	int		r = -1;

	memset(&m, 0, sizeof(m));
	m.spec = ci->spec;
	m.err = err;
	m.errlen = errlen;
	m.sys = -1;
	m.pts = ci->ptsfd;
	for (i = 0; i < 3; i++)
		m.etc[i] = -1;
	for (i = 0; i < NDEVS; i++)
		m.dev[i] = -1;
	if (mnt_vol_open(&m, ci) == -1 || mnt_host_open(&m) == -1 ||
	    (m.rootfd = cell_overlay(ci->rootfs_fd, mnt_etc, m.etc, err,
	    errlen)) == -1 ||
	    mnt_attach_root(&m) == -1 || mnt_build(&m) == -1 ||
	    mnt_pivot(&m) == -1)
		goto done;
	r = 0;
done:
	for (i = 0; i < NDEVS; i++)
		if (m.dev[i] != -1)
			close(m.dev[i]);
	if (m.sys != -1)
		close(m.sys);
	if (m.pts != -1)
		close(m.pts);
	for (i = 0; i < 3; i++)
		if (m.etc[i] != -1)
			close(m.etc[i]);
	for (i = 0; i < SPEC_MAXVOLS; i++)
		if (m.vol[i] != -1)
			close(m.vol[i]);
	return r;
}
