/*
 * fuzz_image_tar.c: libFuzzer target for the unpacker's whole load path
 * (unpack/spool.c, manifest.c, layer.c, load.c): the input is the image
 * archive, read from a memfd as the unpacker reads its fd 0, spooled,
 * its manifests read and its layers extracted, into a scratch dir that is
 * emptied after each run.  Limits are small so that each run stays fast.
 * Besides the sanitizers' findings, it aborts when anything appears
 * beside the scratch dir (an extraction that escaped it) or when a
 * refusal carries no reason.
 * It extracts files for real, beneath /tmp/fuzz-image-XXXXXX/s, with the
 * same checks as the unpacker but not its chroot: that it never writes
 * beside that dir is one of the things it checks.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unpack/unpack.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	scratch[64], beside[80];
static int	home = -1;	/* libFuzzer's cwd: its corpus paths */

void
layer_progress(int k, int n)
{
	(void)k;
	(void)n;
}

void
progress(const char *fmt, ...)
{
	(void)fmt;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level > 0)
		remove(p);
	return 0;
}

static int
count_beside(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	if ((d = opendir(beside)) == NULL)
		abort();
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
scratch_remove(void)
{
	nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	rmdir(scratch);
	rmdir(beside);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unpack_limits	 lim = { 1 << 20, 1 << 20, 500, 8 };
	char			 err[512];
	json_t			*out;
	int			 fd;

	if (scratch[0] == '\0') {
		snprintf(beside, sizeof(beside), "/tmp/fuzz-image-XXXXXX");
		if (mkdtemp(beside) == NULL)
			abort();
		snprintf(scratch, sizeof(scratch), "%s/s", beside);
		if (mkdir(scratch, 0700) == -1 || (home = open(".", O_RDONLY |
		    O_DIRECTORY | O_CLOEXEC)) == -1)
			abort();
		close(0);
		atexit(scratch_remove);
	}
	if (chdir(scratch) == -1)
		abort();
	/* fd 0, as the unpacker has it (free: closed after each run) */
	if ((fd = memfd_create("archive", 0)) != 0 || write(fd, data, size) !=
	    (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	if (mkdir("layers", 0700) == -1)
		abort();
	unpack_reset();
	err[0] = '\0';
	if ((out = unpack_load(&lim, err, sizeof(err))) == NULL &&
	    err[0] == '\0')
		abort();
	if (getenv("FUZZ_IMAGE_DEBUG") != NULL)
		fprintf(stderr, "%s\n", out ? "loaded" : err);
	json_decref(out);
	close(0);
	nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (fchdir(home) == -1)
		abort();
	if (count_beside() != 1)
		abort();	/* only "s": nothing written beside it */
	return 0;
}
