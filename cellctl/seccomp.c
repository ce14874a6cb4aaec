/*
 * seccomp.c: --security-opt seccomp=FILE on the client's side.  cellctl
 * reads FILE itself, with its user's own permissions, into a memfd, and
 * seals it before passing it: celld never opens a path a client typed,
 * and reads only memory that can't change under it or make it wait (a
 * FIFO or a file on FUSE could).  celld refuses a profile larger than
 * SECCOMP_JSONMAX; we copy one byte more so that it sees one.
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "cellctl.h"

static char	sc_path[PATH_MAX];

/* Remember FILE for seccomp_send(); -1 if it can't be a path. */
int
seccomp_path_set(const char *path)
{
	if (path[0] == '\0' ||
	    strlcpy(sc_path, path, sizeof(sc_path)) >= sizeof(sc_path))
		return -1;
	return 0;
}

const char *
seccomp_path(void)
{
	return sc_path;
}

/* Copy at most SECCOMP_JSONMAX + 1 bytes of fd into a sealed memfd. */
static int
sc_copy(int fd, uint32_t *size)
{
	char	buf[65536];
	ssize_t	n;
	size_t	total = 0, want;
	int	mfd;

	if ((mfd = memfd_create("celld-seccomp", MFD_CLOEXEC |
	    MFD_ALLOW_SEALING)) == -1)
		return -1;
	while (total <= SECCOMP_JSONMAX) {
		want = SECCOMP_JSONMAX + 1 - total;
		if ((n = read(fd, buf, want < sizeof(buf) ? want :
		    sizeof(buf))) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (write(mfd, buf, n) != n)
			goto fail;
		total += n;
	}
	if (n == -1 || fcntl(mfd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK |
	    F_SEAL_GROW | F_SEAL_SEAL) == -1)
		goto fail;
	*size = total;
	return mfd;
fail:
	close(mfd);
	return -1;
}

/* MSG_CTL_SECCOMP, before CREATE: one line and 125 if FILE won't do. */
void
seccomp_send(struct ctl *ctl)
{
	struct msg_seccomp	ms;
	int			fd, mfd;

	memset(&ms, 0, sizeof(ms));
	if ((fd = open(sc_path, O_RDONLY | O_NOCTTY | O_CLOEXEC)) == -1)
		ctl_die("--security-opt seccomp=%s: %s", sc_path,
		    strerror(errno));
	if ((mfd = sc_copy(fd, &ms.size)) == -1)
		ctl_die("--security-opt seccomp=%s: %s", sc_path,
		    strerror(errno));
	close(fd);
	ctl_send(ctl, MSG_CTL_SECCOMP, mfd, &ms, sizeof(ms));
}
