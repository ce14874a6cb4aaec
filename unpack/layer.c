/*
 * layer.c: one layer blob into a directory, as overlayfs wants it.
 *
 * The blob (tar, or tar compressed with gzip, zstd, xz, bzip2) is read
 * once: an outer libarchive reader undoes the compression, and its output
 * feeds the tar reader through layer_in(), which hashes and counts every
 * uncompressed byte.  That hash is the layer's diff_id, checked by the
 * caller against the config's before the dir is kept.
 *
 * Paths: every name is cleaned (no "..", no absolute path) and its parent
 * dir is opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) from
 * the layer's dir before anything is written, on top of libarchive's own
 * ARCHIVE_EXTRACT_SECURE_* checks.  Whiteouts become overlay whiteouts: a
 * ".wh.NAME" entry a 0/0 character device NAME, ".wh..wh..opq" the xattr
 * user.overlay.opaque=y (containers mount overlay with userxattr).  Other
 * device nodes are skipped and counted; setuid bits are kept (see
 * docs/images.md); xattrs, ACLs and file flags are not restored.
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/openat2.h>

#include <archive.h>
#include <archive_entry.h>

#include "unpack.h"

#define IDMAX	65535		/* ids a layer may use: one container's */

struct lin {
	struct archive		*outer;
	struct sha		*ctx;
	int64_t			 bytes, max;
	char			 maxs[32];	/* no %lld in libarchive */
};

static ssize_t
layer_in(struct archive *a, void *arg, const void **buf)
{
	struct lin	*l = arg;
	const void	*p;
	size_t		 len;
	int64_t		 off;
	int		 r;

	r = archive_read_data_block(l->outer, &p, &len, &off);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK) {
		archive_set_error(a, EIO, "%s",
		    archive_error_string(l->outer));
		return -1;
	}
	l->bytes += len;
	if (l->bytes > l->max) {
		archive_set_error(a, EFBIG, "layer larger than the limit "
		    "(%s bytes uncompressed)", l->maxs);
		return -1;
	}
	sha_update(l->ctx, p, len);
	*buf = p;
	return len;
}

static int
beneath(int root, const char *dir)
{
	struct open_how	 how;

	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	    RESOLVE_NO_MAGICLINKS;
	return syscall(SYS_openat2, root, dir, &how, sizeof(how));
}

/* Tars may leave out parent dirs: make them, one checked step at a time. */
static int
mkdir_beneath(int root, char *dir)
{
	char	*sl;
	int	 fd;

	for (sl = dir; (sl = strchr(sl, '/')) != NULL || 1; sl++) {
		if (sl != NULL)
			*sl = '\0';
		if ((fd = beneath(root, dir)) == -1 && errno == ENOENT) {
			if (mkdirat(root, dir, 0755) == -1 && errno != EEXIST)
				return -1;
			fd = beneath(root, dir);
		}
		if (sl != NULL)
			*sl = '/';
		if (sl == NULL || fd == -1)
			return fd;
		close(fd);
	}
}

/* The dir that holds path, opened beneath root without any symlink. */
static int
parent_open(int root, const char *path, const char **base)
{
	char		 dir[PATH_MAX];
	const char	*sl = strrchr(path, '/');
	int		 fd;

	*base = sl ? sl + 1 : path;
	if (sl == NULL)
		return fcntl(root, F_DUPFD_CLOEXEC, 0);
	if ((size_t)(sl - path) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, sl - path);
	dir[sl - path] = '\0';
	if ((fd = beneath(root, dir)) == -1 && errno == ENOENT)
		fd = mkdir_beneath(root, dir);
	return fd;
}

static int
whiteout(const char *base, int pfd)
{
	if (strcmp(base, ".wh..wh..opq") == 0)
		return fsetxattr(pfd, "user.overlay.opaque", "y", 1, 0);
	base += 4;
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return errno = EINVAL, -1;
	if (unlinkat(pfd, base, 0) == -1 && errno != ENOENT && errno != EISDIR)
		return -1;
	return mknodat(pfd, base, S_IFCHR | 0600, makedev(0, 0));
}

static int
data_copy(struct archive *a, struct archive *w)
{
	const void	*p;
	size_t		 len;
	int64_t		 off;
	int		 r;

	while ((r = archive_read_data_block(a, &p, &len, &off)) ==
	    ARCHIVE_OK)
		if (archive_write_data_block(w, p, len, off) < ARCHIVE_WARN)
			return -1;
	if (r != ARCHIVE_EOF) {
		archive_copy_error(w, a);
		return -1;
	}
	return archive_write_finish_entry(w) < ARCHIVE_WARN ? -1 : 0;
}

/*
 * One entry: checked, then a whiteout, skipped, or written.  Returns 0,
 * 1 when skipped, -1 with err.
 */
static int
layer_entry(int root, struct archive *w, struct archive *a,
    struct archive_entry *e, char *err, size_t errlen)
{
	char		 path[PATH_MAX], link[PATH_MAX];
	const char	*base, *hl = archive_entry_hardlink(e);
	mode_t		 type = archive_entry_filetype(e);
	int		 pfd, r;

	if (path_clean(archive_entry_pathname(e), path, sizeof(path)) == -1 ||
	    (hl != NULL && path_clean(hl, link, sizeof(link)) == -1)) {
		snprintf(err, errlen, "layer: unsafe path %.200s%s%.200s",
		    archive_entry_pathname(e), hl ? " -> " : "", hl ? hl : "");
		return -1;
	}
	if (path[0] == '\0')
		return 1;	/* "./": the layer dir is ours */
	if (archive_entry_uid(e) > IDMAX || archive_entry_gid(e) > IDMAX) {
		snprintf(err, errlen, "layer: %.200s: owner beyond %d",
		    path, IDMAX);
		return -1;
	}
	if ((pfd = parent_open(root, path, &base)) == -1) {
		snprintf(err, errlen, "layer: %.200s: parent dir is not a "
		    "plain dir of the layer: %s", path, strerror(errno));
		return -1;
	}
	if (strncmp(base, ".wh.", 4) == 0) {
		r = whiteout(base, pfd);
		close(pfd);
		if (r == -1)
			snprintf(err, errlen, "layer: whiteout %.200s: %s",
			    path, strerror(errno));
		return r;
	}
	close(pfd);
	if (type == AE_IFCHR || type == AE_IFBLK)
		return 1;
	if (hl != NULL) {
		if ((pfd = parent_open(root, link, &base)) == -1) {
			snprintf(err, errlen, "layer: hardlink %.200s: target "
			    "outside the layer", path);
			return -1;
		}
		close(pfd);
		archive_entry_set_hardlink(e, link);
	}
	archive_entry_set_pathname(e, path);
	/* setuid bits are kept only with the owner: libarchive orders it */
	if (archive_write_header(w, e) < ARCHIVE_WARN ||
	    data_copy(a, w) == -1) {
		snprintf(err, errlen, "layer: %.200s: %s", path,
		    archive_error_string(w));
		return -1;
	}
	return 0;
}

#define LAYER_FLAGS	(ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | \
    ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_UNLINK | \
    ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS | \
    ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS)

static int
layer_open(struct lin *l, struct archive **in, struct archive **w, int fd)
{
	l->outer = archive_read_new();
	*in = archive_read_new();
	*w = archive_write_disk_new();
	if (l->outer == NULL || *in == NULL || *w == NULL)
		return -1;
	archive_read_support_filter_all(l->outer);
	archive_read_support_format_raw(l->outer);
	archive_read_support_format_tar(*in);
	archive_write_disk_set_options(*w, LAYER_FLAGS);
	if ((l->ctx = sha_new()) == NULL)
		return -1;
	return archive_read_open_fd(l->outer, fd, 128 * 1024);
}

/* Hash whatever follows the tar's end: the diff_id covers all of it. */
static int
layer_drain(struct lin *l, struct archive *in)
{
	const void	*p;

	while (layer_in(in, l, &p) > 0)
		;
	return archive_errno(in) == EFBIG ? -1 : 0;
}

/*
 * Extract the blob on fd into the dir root (an fd, also our cwd), and
 * put the sha256 of its uncompressed stream in hex.
 */
int
layer_extract(int fd, const char *what, const struct unpack_limits *lim,
    char *hex, struct layer_stats *st, char *err, size_t errlen)
{
	struct archive		*in = NULL, *w = NULL;
	struct archive_entry	*e;
	struct lin		 l;
	int			 root, r = -1, k;

	memset(&l, 0, sizeof(l));
	memset(st, 0, sizeof(*st));
	l.max = lim->layer;
	snprintf(l.maxs, sizeof(l.maxs), "%lld", (long long)l.max);
	if ((root = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    layer_open(&l, &in, &w, fd) != ARCHIVE_OK ||
	    archive_read_next_header(l.outer, &e) != ARCHIVE_OK ||
	    archive_read_open(in, &l, NULL, layer_in, NULL) != ARCHIVE_OK) {
		snprintf(err, errlen, "%s: not a tar stream: %s", what,
		    in ? archive_error_string(in) : "out of memory");
		goto done;
	}
	while ((k = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		if (++st->entries > lim->entries) {
			snprintf(err, errlen, "%s: more than %lld entries",
			    what, (long long)lim->entries);
			goto done;
		}
		if ((k = layer_entry(root, w, in, e, err, errlen)) == -1)
			goto done;
		st->skipped += k == 1 && archive_entry_filetype(e) != AE_IFDIR;
	}
	if (k != ARCHIVE_EOF || layer_drain(&l, in) == -1) {
		snprintf(err, errlen, "%s: %s", what, archive_error_string(in));
		goto done;
	}
	if (archive_write_close(w) != ARCHIVE_OK) {
		snprintf(err, errlen, "%s: %s", what, archive_error_string(w));
		goto done;
	}
	sha_end(l.ctx, hex);
	l.ctx = NULL;
	st->bytes = l.bytes;
	r = 0;
done:
	if (root != -1)
		close(root);
	sha_free(l.ctx);
	archive_write_free(w);
	archive_read_free(in);
	archive_read_free(l.outer);
	return r;
}
