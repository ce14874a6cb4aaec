/*
 * volume.c: -v.  cellctl opens the source itself, with its user's own
 * permissions, and sends the fd; celld never resolves a path a client
 * typed.  The policy says which host directories a user may share: we
 * decide on the object the fd is, by walking its real ancestry (device
 * and inode, ".." by ".."), so neither a symlink nor a rename between
 * check and use can make one place pass for another (CVE-2018-15664).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "parent.h"

#define VOL_MAXDEPTH	4096

struct place {
	dev_t	dev;
	ino_t	ino;
};

/* The policies' prefixes, and celld's own dirs, by identity. */
static struct place	 vol_storage, vol_rundir;

static int
place_of(const char *path, struct place *pl)
{
	struct stat	st;

	if (stat(path, &st) == -1)
		return -1;
	pl->dev = st.st_dev;
	pl->ino = st.st_ino;
	return 0;
}

/* At startup, as root: celld's own dirs (prefixes are stat'ed per use). */
void
volume_init(void)
{
	if (place_of(env->conf.storage, &vol_storage) == -1 ||
	    place_of(env->conf.rundir, &vol_rundir) == -1)
		fatal("volumes: storage or rundir");
}

/* A dir fd for where the object of fd lives: itself, or its directory. */
static int
vol_dirfd(int fd, const struct stat *st)
{
	char		 link[64], path[PATH_MAX], *slash;
	struct stat	 dst;
	ssize_t		 n;
	int		 dfd;

	if (S_ISDIR(st->st_mode))
		return fcntl(fd, F_DUPFD_CLOEXEC, 3);
	/* a file: find its dir by name, then prove it is the same file */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) <= 0)
		return -1;
	path[n] = '\0';
	if (path[0] != '/' || (slash = strrchr(path, '/')) == NULL) {
		errno = ENOENT;
		return -1;
	}
	*slash = '\0';
	if ((dfd = open(path[0] ? path : "/", O_PATH | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return -1;
	if (fstatat(dfd, slash + 1, &dst, AT_SYMLINK_NOFOLLOW) == -1 ||
	    dst.st_dev != st->st_dev || dst.st_ino != st->st_ino) {
		close(dfd);
		errno = ESTALE;
		return -1;
	}
	return dfd;
}

/*
 * Walk from dfd to the root, ".." by "..".  Returns 1 if the walk passes
 * a place in allowed (n of them), 2 if it passes celld's own storage or
 * run dir, else 0; -1 on error.  dfd is consumed.
 */
static int
vol_walk(int dfd, const struct place *allowed, int n)
{
	struct stat	st;
	int		depth, i, up, r = 0;
	dev_t		pdev = 0;
	ino_t		pino = 0;

	for (depth = 0; depth < VOL_MAXDEPTH; depth++) {
		if (fstat(dfd, &st) == -1)
			break;
		if ((st.st_dev == vol_storage.dev &&
		    st.st_ino == vol_storage.ino) ||
		    (st.st_dev == vol_rundir.dev && st.st_ino == vol_rundir.ino))
			r = 2;
		for (i = 0; i < n && r == 0; i++)
			if (st.st_dev == allowed[i].dev &&
			    st.st_ino == allowed[i].ino)
				r = 1;
		if (r == 2 || (depth > 0 && st.st_dev == pdev &&
		    st.st_ino == pino))
			break;		/* celld's own, or the root */
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

/* Is path p at or beneath prefix? Component-wise, both normalized. */
static int
beneath(const char *p, const char *prefix)
{
	size_t	n = strlen(prefix);

	if (strcmp(prefix, "/") == 0)
		return 1;
	return strncmp(p, prefix, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

/*
 * When the walk can't pass a directory _celld may not search (a 0700
 * home), judge by the kernel's name for the object the fd is: the path
 * it has now, not one a client typed.
 */
static int
vol_by_path(int fd, const struct conf_policy *pol)
{
	char	link[64], path[PATH_MAX];
	ssize_t	n;
	int	i;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) <= 0)
		return -1;
	path[n] = '\0';
	if (path[0] != '/' || strstr(path, " (deleted)") != NULL)
		return -1;
	if (beneath(path, env->conf.storage) ||
	    beneath(path, env->conf.rundir))
		return 2;
	for (i = 0; pol != NULL && i < pol->nvolumes; i++)
		if (beneath(path, pol->volumes[i]))
			return 1;
	return 0;
}

/*
 * May this client share the object of fd?  Admins may share anything;
 * others what lies beneath a "volumes" prefix of their policy, and never
 * celld's own storage or run dir.  Returns NULL or the reason.
 */
const char *
volume_check(struct client *cl, int fd)
{
	const struct conf_policy	*pol;
	struct place			 allowed[POL_MAXVOL];
	struct stat			 st;
	int				 n = 0, i, dfd, r;

	if (fstat(fd, &st) == -1)
		return "cannot stat the source";
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return "only directories and regular files can be volumes";
	pol = client_policy(cl);
	for (i = 0; pol != NULL && i < pol->nvolumes; i++)
		if (place_of(pol->volumes[i], &allowed[n]) == 0)
			n++;
	if ((dfd = vol_dirfd(fd, &st)) == -1 ||
	    (r = vol_walk(dfd, allowed, n)) == -1)
		r = vol_by_path(fd, pol);	/* a dir we may not search */
	if (r == -1)
		return "cannot find where the source lives";
	if (cl->admin)
		return NULL;
	if (r == 2)
		return "celld's own directories can't be volumes";
	if (r != 1)
		return "not beneath a volume prefix your policy allows";
	return NULL;
}

/* MSG_CTL_VOLUME: held for the next CREATE on this connection. */
void
ctl_volume(struct client *cl, struct imsg *imsg)
{
	struct msg_volume	 mv;
	const char		*why;
	char			 err[CELL_MSGLEN];
	int			 fd = imsg_get_fd(imsg);

	if (imsg_get_data(imsg, &mv, sizeof(mv)) == -1 ||
	    mv.index >= SPEC_MAXVOLS || mv.ro > 1 ||
	    !msg_path_ok(mv.dst, sizeof(mv.dst), 0)) {
		close(fd);
		control_done(cl, EINVAL, 0, "volume: malformed request");
		return;
	}
	if ((why = volume_check(cl, fd)) != NULL) {
		close(fd);
		snprintf(err, sizeof(err), "volume %s: %s", mv.dst, why);
		control_done(cl, EPERM, 0, err);
		return;
	}
	if (cl->vols[mv.index] != -1)
		close(cl->vols[mv.index]);
	cl->vols[mv.index] = fd;
}
