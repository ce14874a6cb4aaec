/*
 * spool.c: the archive as it streams in.  Docker and OCI archives put
 * their manifest anywhere, often last, so every regular file is first
 * spooled to blobs/N in the staging dir and hashed on the way; nothing is
 * parsed or extracted before the whole stream has been read and counted.
 * Links between the archive's own files (docker save dedupes layers so)
 * are kept as aliases, resolved by name only, never on disk.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <bsd/string.h>

#include "unpack.h"

#define SPOOL_BUF	(128 * 1024)

struct alias {
	char		*name;
	char		*target;
};

struct spool {
	struct ublob	*blobs;
	size_t		 nblobs, cap;
	struct alias	*aliases;
	size_t		 naliases, acap;
	int		 fd;		/* the input */
	int64_t		 raw, max;	/* bytes read, and the limit */
	char		 maxs[32];	/* libarchive's printf has no %lld */
	char		 buf[SPOOL_BUF];
};

static ssize_t
spool_in(struct archive *a, void *arg, const void **buf)
{
	struct spool	*s = arg;
	ssize_t		 n;

	n = read(s->fd, s->buf, sizeof(s->buf));
	if (n < 0) {
		archive_set_error(a, errno, "read");
		return -1;
	}
	s->raw += n;
	if (s->raw > s->max) {
		archive_set_error(a, EFBIG, "archive larger than the limit "
		    "(%s bytes)", s->maxs);
		return -1;
	}
	*buf = s->buf;
	if (n > 0)
		progress("read %lld", (long long)s->raw);
	return n;
}

static int
spool_known(const struct spool *s, const char *name)
{
	size_t	i;

	for (i = 0; i < s->nblobs; i++)
		if (strcmp(s->blobs[i].name, name) == 0)
			return 1;
	for (i = 0; i < s->naliases; i++)
		if (strcmp(s->aliases[i].name, name) == 0)
			return 1;
	return 0;
}

/* The entry's data into blobs/N, hashed. */
static int
spool_blob(struct spool *s, struct archive *a, const char *name, char *err,
    size_t errlen)
{
	struct ublob	*b;
	struct sha	*ctx;
	char		 path[32];
	const void	*p;
	size_t		 len;
	int64_t		 off;
	int		 fd, r;

	if (s->nblobs == s->cap) {
		size_t	 ncap = s->cap ? s->cap * 2 : 16;
		void	*nb = reallocarray(s->blobs, ncap, sizeof(*b));

		if (nb == NULL)
			return -1;
		s->blobs = nb;
		s->cap = ncap;
	}
	b = &s->blobs[s->nblobs];
	memset(b, 0, sizeof(*b));
	b->spool = (int)s->nblobs;
	snprintf(path, sizeof(path), "blobs/%d", b->spool);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		snprintf(err, errlen, "spool: %s", strerror(errno));
		return -1;
	}
	if ((ctx = sha_new()) == NULL) {
		close(fd);
		snprintf(err, errlen, "sha256: out of memory");
		return -1;
	}
	while ((r = archive_read_data_block(a, &p, &len, &off)) == ARCHIVE_OK) {
		sha_update(ctx, p, len);
		if (write(fd, p, len) != (ssize_t)len) {
			snprintf(err, errlen, "spool: %s", strerror(errno));
			close(fd);
			sha_free(ctx);
			return -1;
		}
		b->size += len;
	}
	close(fd);
	if (r != ARCHIVE_EOF) {
		snprintf(err, errlen, "%s: %s", name, archive_error_string(a));
		sha_free(ctx);
		return -1;
	}
	sha_end(ctx, b->hex);
	if ((b->name = strdup(name)) == NULL)
		return -1;
	s->nblobs++;
	return 0;
}

static int
spool_alias(struct spool *s, const char *name, const char *target, int hard)
{
	char	 dir[PATH_MAX], full[PATH_MAX * 2], clean[PATH_MAX], *sl;
	struct alias *na;

	/* a symlink is relative to its dir, a hardlink to the archive */
	strlcpy(dir, name, sizeof(dir));
	if (hard || (sl = strrchr(dir, '/')) == NULL)
		dir[0] = '\0';
	else
		sl[1] = '\0';
	snprintf(full, sizeof(full), "%s%s", dir, target);
	if (path_clean(full, clean, sizeof(clean)) == -1)
		return 0;	/* pointing out of the archive: ignored */
	if (s->naliases == s->acap) {
		size_t ncap = s->acap ? s->acap * 2 : 8;

		if ((na = reallocarray(s->aliases, ncap, sizeof(*na))) == NULL)
			return -1;
		s->aliases = na;
		s->acap = ncap;
	}
	na = &s->aliases[s->naliases];
	if ((na->name = strdup(name)) == NULL ||
	    (na->target = strdup(clean)) == NULL)
		return -1;
	s->naliases++;
	return 0;
}

static int
spool_entry(struct spool *s, struct archive *a, struct archive_entry *e,
    char *err, size_t errlen)
{
	char		 name[PATH_MAX];
	const char	*link;

	if (path_clean(archive_entry_pathname(e), name, sizeof(name)) == -1) {
		snprintf(err, errlen, "archive: bad path %.200s",
		    archive_entry_pathname(e));
		return -1;
	}
	if (name[0] == '\0' || archive_entry_filetype(e) == AE_IFDIR)
		return 0;
	if (spool_known(s, name)) {
		snprintf(err, errlen, "archive: duplicate entry %.200s", name);
		return -1;
	}
	if ((link = archive_entry_hardlink(e)) != NULL)
		return spool_alias(s, name, link, 1);
	if (archive_entry_filetype(e) == AE_IFLNK &&
	    (link = archive_entry_symlink(e)) != NULL)
		return spool_alias(s, name, link, 0);
	if (archive_entry_filetype(e) != AE_IFREG)
		return 0;	/* devices, fifos: nothing an image needs */
	return spool_blob(s, a, name, err, errlen);
}

struct spool *
spool_read(int fd, const struct unpack_limits *lim, char *err, size_t errlen)
{
	struct spool		*s;
	struct archive		*a;
	struct archive_entry	*e;
	int64_t			 n = 0;
	int			 r;

	if ((s = calloc(1, sizeof(*s))) == NULL || (a = archive_read_new()) ==
	    NULL) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->fd = fd;
	s->max = lim->archive;
	snprintf(s->maxs, sizeof(s->maxs), "%lld", (long long)s->max);
	if (mkdir("blobs", 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "blobs: %s", strerror(errno));
		goto fail;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open(a, s, NULL, spool_in, NULL) != ARCHIVE_OK) {
		snprintf(err, errlen, "archive: %s", archive_error_string(a));
		goto fail;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		if (++n > lim->entries) {
			snprintf(err, errlen, "archive: more than %lld entries",
			    (long long)lim->entries);
			goto fail;
		}
		if (spool_entry(s, a, e, err, errlen) == -1)
			goto fail;
	}
	if (r != ARCHIVE_EOF) {
		snprintf(err, errlen, "archive: %s", archive_error_string(a));
		goto fail;
	}
	archive_read_free(a);
	return s;
fail:
	archive_read_free(a);
	spool_free(s);
	return NULL;
}

void
spool_free(struct spool *s)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nblobs; i++)
		free(s->blobs[i].name);
	for (i = 0; i < s->naliases; i++) {
		free(s->aliases[i].name);
		free(s->aliases[i].target);
	}
	free(s->blobs);
	free(s->aliases);
	free(s);
}

static const struct ublob *
spool_find(void *arg, const char *name)
{
	struct spool	*s = arg;
	size_t		 i;
	int		 depth;

	for (depth = 0; depth < 8; depth++) {
		for (i = 0; i < s->nblobs; i++)
			if (strcmp(s->blobs[i].name, name) == 0)
				return &s->blobs[i];
		for (i = 0; i < s->naliases; i++)
			if (strcmp(s->aliases[i].name, name) == 0)
				break;
		if (i == s->naliases)
			return NULL;
		name = s->aliases[i].target;
	}
	return NULL;
}

int
spool_open(const struct ublob *b)
{
	char	path[32];

	snprintf(path, sizeof(path), "blobs/%d", b->spool);
	return open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
}

static json_t *
spool_json(void *arg, const struct ublob *b, char *err, size_t errlen)
{
	json_error_t	 je;
	json_t		*j;
	char		*buf;
	int		 fd;

	(void)arg;
	if (b->size > UNPACK_JSONMAX) {
		snprintf(err, errlen, "%.100s: larger than %d bytes", b->name,
		    UNPACK_JSONMAX);
		return NULL;
	}
	if ((buf = malloc(b->size + 1)) == NULL || (fd = spool_open(b)) == -1) {
		free(buf);
		snprintf(err, errlen, "%.100s: %s", b->name, strerror(errno));
		return NULL;
	}
	if (read(fd, buf, b->size) != b->size) {
		close(fd);
		free(buf);
		snprintf(err, errlen, "%.100s: short read", b->name);
		return NULL;
	}
	close(fd);
	j = json_loadb(buf, b->size, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (j == NULL)
		snprintf(err, errlen, "%.100s: bad JSON: line %d: %.100s",
		    b->name, je.line, je.text);
	return j;
}

void
spool_src(struct spool *s, struct usrc *src)
{
	src->find = spool_find;
	src->json = spool_json;
	src->arg = s;
}
