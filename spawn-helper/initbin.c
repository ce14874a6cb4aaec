/*
 * initbin.c: celld-init (spawn-helper/cinit.c), the pid 1 of --init,
 * held in a sealed memfd.
 *
 * A container must never exec a host file it could later reach and
 * rewrite: with CVE-2019-5736, a container overwrote runc's own binary
 * through /proc/self/exe.  So celld-init is read once, at startup, from
 * spawn-helper's own dir (root-owned, not writable by group or others),
 * into a memfd that is then sealed against every write, shrink and grow,
 * and against new seals, as runc's fix does.  C execveat()s that memfd:
 * the container's /proc/1/exe is then an anonymous, immutable copy that
 * no one can open for writing (sealed, and busy while it runs), and no
 * path to the host file exists in the container.  Every container shares
 * the one copy, which the seals make safe.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "spawn.h"

#ifndef MFD_EXEC
#define MFD_EXEC	0x0010U		/* Linux 6.3: vm.memfd_noexec */
#endif
#define INITBIN_MAX	(16 * 1024 * 1024)
#define INITBIN_SEALS	(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | \
			    F_SEAL_WRITE)

static int
initbin_copy(int in, int out, off_t size)
{
	char	buf[65536];
	ssize_t	n;
	off_t	done = 0;

	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if ((done += n) > size || write(out, buf, n) != n) {
			errno = EIO;
			return -1;
		}
	}
	if (n == -1 || done != size) {
		errno = n == -1 ? errno : EIO;
		return -1;
	}
	return 0;
}

/* The sealed memfd of the celld-init at path, or -1. */
int
initbin_open(const char *path)
{
	struct stat	st;
	int		fd, mfd = -1;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) || st.st_size == 0 ||
	    st.st_size > INITBIN_MAX) {
		errno = EPERM;	/* not root's, or others may change it */
		goto fail;
	}
	/* where vm.memfd_noexec is set, a memfd must ask to be executable;
	 * kernels older than 6.3 don't know the flag */
	mfd = memfd_create("celld-init", MFD_CLOEXEC | MFD_ALLOW_SEALING |
	    MFD_EXEC);
	if (mfd == -1 && errno == EINVAL)
		mfd = memfd_create("celld-init", MFD_CLOEXEC |
		    MFD_ALLOW_SEALING);
	if (mfd == -1 || initbin_copy(fd, mfd, st.st_size) == -1 ||
	    fchmod(mfd, 0555) == -1 ||
	    fcntl(mfd, F_ADD_SEALS, INITBIN_SEALS) == -1)
		goto fail;
	close(fd);
	return mfd;
fail:
	if (mfd != -1)
		close(mfd);
	close(fd);
	return -1;
}
