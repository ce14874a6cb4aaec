/*
 * cgroupfs.c: the cgroups a process is in and where their hierarchies
 * are mounted, as /proc/PID/cgroup and /proc/self/mounts say.  The parent
 * reads them to make the subtree it delegates (parent/delegate.c), and
 * spawn-helper to find that subtree again on its own
 * (spawn-helper/cgroup.c): one reading of the kernel's words, so that
 * the two agree on which hierarchies celld uses.  Both write cgroup
 * files with cgfs_write().
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "privsep.h"

/* Is name one of the comma-separated controllers in list? */
int
cgfs_has(const char *list, const char *name)
{
	size_t	n = strlen(name);

	while (list != NULL && *list != '\0') {
		if (strncmp(list, name, n) == 0 &&
		    (list[n] == ',' || list[n] == '\0'))
			return 1;
		if ((list = strchr(list, ',')) != NULL)
			list++;
	}
	return 0;
}

/* A hierarchy celld uses: the v2 tree, or v1 memory, cpu, cpuacct, pids
 * and freezer. */
int
cgfs_wanted(const struct cgfs_line *l)
{
	if (l->hid == 0)
		return l->ctrl[0] == '\0';
	return cgfs_has(l->ctrl, "memory") || cgfs_has(l->ctrl, "cpu") ||
	    cgfs_has(l->ctrl, "cpuacct") || cgfs_has(l->ctrl, "pids") ||
	    cgfs_has(l->ctrl, "freezer");
}

/*
 * The cgroup lines of a process (0: ourselves), parsed, at most max of
 * those keep() takes (NULL: all): a count, or -1.  A line whose fields
 * don't fit is skipped.
 */
int
cgfs_lines(pid_t pid, struct cgfs_line *l, size_t max,
    int (*keep)(const struct cgfs_line *))
{
	const char	*errstr;
	FILE		*fp;
	char		 file[64], *line = NULL, *p, *id, *ctrl;
	size_t		 sz = 0, n = 0;

	if (pid == 0)
		strlcpy(file, "/proc/self/cgroup", sizeof(file));
	else
		snprintf(file, sizeof(file), "/proc/%d/cgroup", pid);
	if ((fp = fopen(file, "re")) == NULL)
		return -1;
	while (n < max && getline(&line, &sz, fp) != -1) {
		line[strcspn(line, "\n")] = '\0';
		p = line;
		id = strsep(&p, ":");
		ctrl = strsep(&p, ":");
		if (p == NULL)
			continue;
		l[n].hid = strtonum(id, 0, INT_MAX, &errstr);
		if (errstr == NULL &&
		    strlcpy(l[n].ctrl, ctrl, sizeof(l[n].ctrl)) <
		    sizeof(l[n].ctrl) &&
		    strlcpy(l[n].path, p, sizeof(l[n].path)) <
		    sizeof(l[n].path) && (keep == NULL || keep(&l[n])))
			n++;
	}
	free(line);
	fclose(fp);
	return n;
}

/* Where the hierarchy of l is mounted (its first mount). */
int
cgfs_mountpoint(const struct cgfs_line *l, char *mnt, size_t len)
{
	FILE		*fp;
	struct mntent	*m;
	char		 first[sizeof(l->ctrl)];
	int		 r = -1;

	strlcpy(first, l->ctrl, sizeof(first));
	first[strcspn(first, ",")] = '\0';
	if ((fp = setmntent("/proc/self/mounts", "r")) == NULL)
		return -1;
	errno = ENOENT;
	while ((m = getmntent(fp)) != NULL) {
		if (l->hid == 0 ? strcmp(m->mnt_type, "cgroup2") != 0 :
		    strcmp(m->mnt_type, "cgroup") != 0 ||
		    hasmntopt(m, first) == NULL)
			continue;
		if (strlcpy(mnt, m->mnt_dir, len) >= len)
			errno = ENAMETOOLONG;
		else
			r = 0;
		break;
	}
	endmntent(fp);
	return r;
}

/* s into a cgroup file of dfd, in one write(2) as cgroupfs wants it */
int
cgfs_write(int dfd, const char *file, const char *s)
{
	ssize_t	n = strlen(s), w;
	int	fd, saved;

	if ((fd = openat(dfd, file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if ((w = write(fd, s, n)) != n && w != -1)
		errno = EIO;
	saved = errno;
	close(fd);
	errno = saved;
	return w == n ? 0 : -1;
}
