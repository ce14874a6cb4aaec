/*
 * save.c: image save, the unpacker's other mode.  Our root is a tree
 * fs-helper made: lower/0..N-1, each a read-only clone of one layer,
 * idmapped through our user namespace so that its files have the ids the
 * image gave them.  We write an OCI archive (oci-layout, index.json,
 * blobs/sha256/...) with uncompressed layers to fd 0, the client's file.
 *
 * A layer's tar must be named by its digest before its bytes are written,
 * and we have nowhere to keep it: it is made twice, the same way (the
 * same walk of the same read-only tree), once into a hash and once into
 * the archive.  Overlay whiteouts (0/0 character devices) become ".wh."
 * files again, user.overlay.opaque dirs ".wh..wh..opq".  Hardlinks are
 * written as separate files.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "unpack.h"

struct sink {			/* where an inner tar's bytes go */
	struct sha	*sha;		/* pass 1 */
	struct archive	*outer;		/* pass 2 */
	int64_t		 size;
};

static ssize_t
sink_write(struct archive *a, void *arg, const void *buf, size_t len)
{
	struct sink	*s = arg;

	(void)a;
	if (s->sha != NULL)
		sha_update(s->sha, buf, len);
	else if (archive_write_data(s->outer, buf, len) != (ssize_t)len)
		return -1;
	s->size += len;
	return len;
}

/* An empty file at dir/name, for a whiteout or an opaque dir. */
static int
tar_marker(struct archive *w, struct archive_entry *like,
    const char *path)
{
	struct archive_entry	*e = archive_entry_new();
	int			 r;

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 0);
	archive_entry_set_mtime(e, archive_entry_mtime(like), 0);
	r = archive_write_header(w, e) < ARCHIVE_WARN ? -1 : 0;
	archive_entry_free(e);
	return r;
}

static int
tar_data(struct archive *rd, struct archive *w)
{
	const void	*p;
	size_t		 len;
	int64_t		 off;
	int		 r;

	while ((r = archive_read_data_block(rd, &p, &len, &off)) == ARCHIVE_OK)
		if (archive_write_data(w, p, len) != (ssize_t)len)
			return -1;
	return r == ARCHIVE_EOF ? 0 : -1;
}

/* One entry of the walk, as the layer's tar has it. */
static int
tar_entry(struct archive *rd, struct archive *w, struct archive_entry *e,
    size_t skip)
{
	const char	*src = archive_entry_sourcepath(e), *sl;
	char		 path[4096], wh[4200], v[2];

	if (strlen(archive_entry_pathname(e)) <= skip)
		return 0;		/* the layer's root */
	snprintf(path, sizeof(path), "%s", archive_entry_pathname(e) + skip);
	archive_entry_set_pathname(e, path);
	archive_entry_set_uname(e, NULL);
	archive_entry_set_gname(e, NULL);
	if (archive_entry_filetype(e) == AE_IFCHR &&
	    archive_entry_rdev(e) == makedev(0, 0)) {
		if ((sl = strrchr(path, '/')) != NULL)
			snprintf(wh, sizeof(wh), "%.*s/.wh.%s",
			    (int)(sl - path), path, sl + 1);
		else
			snprintf(wh, sizeof(wh), ".wh.%s", path);
		return tar_marker(w, e, wh);
	}
	if (archive_write_header(w, e) < ARCHIVE_WARN ||
	    (archive_entry_size(e) > 0 && tar_data(rd, w) == -1))
		return -1;
	if (archive_entry_filetype(e) == AE_IFDIR && src != NULL &&
	    lgetxattr(src, "user.overlay.opaque", v, sizeof(v)) == 1 &&
	    v[0] == 'y') {
		snprintf(wh, sizeof(wh), "%s/.wh..wh..opq", path);
		return tar_marker(w, e, wh);
	}
	return 0;
}

/* Layer n as a tar into s: hashed (pass 1) or written (pass 2). */
static int
tar_layer(int n, struct sink *s, char *err, size_t errlen)
{
	struct archive		*rd = archive_read_disk_new();
	struct archive		*w = archive_write_new();
	struct archive_entry	*e = archive_entry_new();
	char			 root[32];
	int			 r = -1, k;

	snprintf(root, sizeof(root), "lower/%d", n);
	if (rd == NULL || w == NULL || e == NULL ||
	    archive_read_disk_set_behavior(rd, ARCHIVE_READDISK_NO_XATTR |
	    ARCHIVE_READDISK_NO_ACL | ARCHIVE_READDISK_NO_FFLAGS |
	    ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS) != ARCHIVE_OK ||
	    archive_read_disk_set_symlink_physical(rd) != ARCHIVE_OK ||
	    archive_write_set_format_pax_restricted(w) != ARCHIVE_OK ||
	    archive_write_open(w, s, NULL, sink_write, NULL) != ARCHIVE_OK ||
	    archive_read_disk_open(rd, root) != ARCHIVE_OK) {
		snprintf(err, errlen, "layer %d: %s", n, rd ?
		    archive_error_string(rd) : "out of memory");
		goto done;
	}
	while ((k = archive_read_next_header2(rd, e)) == ARCHIVE_OK) {
		archive_read_disk_descend(rd);
		if (tar_entry(rd, w, e, strlen(root) + 1) == -1) {
			snprintf(err, errlen, "layer %d: %s: %s", n,
			    archive_entry_pathname(e), archive_error_string(w));
			goto done;
		}
	}
	if (k != ARCHIVE_EOF || archive_write_close(w) != ARCHIVE_OK) {
		snprintf(err, errlen, "layer %d: %s", n,
		    archive_error_string(k != ARCHIVE_EOF ? rd : w));
		goto done;
	}
	r = 0;
done:
	archive_entry_free(e);
	archive_write_free(w);
	archive_read_free(rd);
	return r;
}

/* A whole blob at blobs/sha256/<hex of data>. */
static int
blob_put(struct archive *out, const void *data, size_t len, char *hex)
{
	struct archive_entry	*e = archive_entry_new();
	struct sha		*s = sha_new();
	char			 name[96];
	int			 r;

	if (e == NULL || s == NULL) {
		archive_entry_free(e);
		sha_free(s);
		return -1;
	}
	sha_update(s, data, len);
	sha_end(s, hex);
	snprintf(name, sizeof(name), "blobs/sha256/%s", hex);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, len);
	r = archive_write_header(out, e) < ARCHIVE_WARN ||
	    archive_write_data(out, data, len) != (ssize_t)len ? -1 : 0;
	archive_entry_free(e);
	return r;
}

static int
json_put(struct archive *out, json_t *j, const char *name, char *hex,
    size_t *len)
{
	struct archive_entry	*e;
	char			*s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	int			 r = -1;

	json_decref(j);
	if (s == NULL)
		return -1;
	*len = strlen(s);
	if (name == NULL)
		r = blob_put(out, s, *len, hex);
	else if ((e = archive_entry_new()) != NULL) {
		archive_entry_set_pathname(e, name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, *len);
		r = archive_write_header(out, e) < ARCHIVE_WARN ||
		    archive_write_data(out, s, *len) != (ssize_t)*len ? -1 : 0;
		archive_entry_free(e);
	}
	free(s);
	return r;
}

/* Layer n: hashed, then written under its digest. */
static int
save_layer(struct archive *out, int n, json_t *diffs, json_t *descs,
    char *err, size_t errlen)
{
	struct archive_entry	*e;
	struct sink		 s;
	char			 hex[UNPACK_HEXLEN + 1], name[96];
	int64_t			 size;

	memset(&s, 0, sizeof(s));
	if ((s.sha = sha_new()) == NULL || tar_layer(n, &s, err, errlen) ==
	    -1) {
		sha_free(s.sha);
		return -1;
	}
	sha_end(s.sha, hex);
	size = s.size;
	snprintf(name, sizeof(name), "blobs/sha256/%s", hex);
	if ((e = archive_entry_new()) == NULL)
		return -1;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, size);
	memset(&s, 0, sizeof(s));
	s.outer = out;
	if (archive_write_header(out, e) < ARCHIVE_WARN ||
	    tar_layer(n, &s, err, errlen) == -1 || s.size != size) {
		archive_entry_free(e);
		if (s.size != size)
			snprintf(err, errlen, "layer %d changed while saved", n);
		return -1;
	}
	archive_entry_free(e);
	json_array_append_new(diffs, json_sprintf("sha256:%s", hex));
	json_array_append_new(descs, json_pack("{s:s s:s+ s:I}", "mediaType",
	    "application/vnd.oci.image.layer.v1.tar", "digest", "sha256:",
	    hex, "size", (json_int_t)size));
	return 0;
}

/* The OCI archive of ref (name:tag) with config cfg, to out. */
int
unpack_save(int outfd, int nlayers, const char *ref, json_t *cfg, char *err,
    size_t errlen)
{
	struct archive	*out = archive_write_new();
	json_t		*diffs = json_array(), *descs = json_array(), *j;
	char		 chex[UNPACK_HEXLEN + 1], mhex[UNPACK_HEXLEN + 1];
	size_t		 clen, mlen;
	int		 i, r = -1;

	if (out == NULL || archive_write_set_format_pax_restricted(out) !=
	    ARCHIVE_OK || archive_write_open_fd(out, outfd) != ARCHIVE_OK) {
		snprintf(err, errlen, "save: cannot write the archive");
		goto done;
	}
	for (i = 0; i < nlayers; i++)
		if (save_layer(out, i, diffs, descs, err, errlen) == -1)
			goto done;
	j = json_pack("{s:s s:s s:O s:{s:s s:O}}", "architecture", "amd64",
	    "os", "linux", "config", cfg, "rootfs", "type", "layers",
	    "diff_ids", diffs);
	if (json_put(out, j, NULL, chex, &clen) == -1)
		goto fail;
	j = json_pack("{s:i s:s s:{s:s s:s+ s:I} s:O}", "schemaVersion", 2,
	    "mediaType", "application/vnd.oci.image.manifest.v1+json",
	    "config", "mediaType", "application/vnd.oci.image.config.v1+json",
	    "digest", "sha256:", chex, "size", (json_int_t)clen, "layers",
	    descs);
	if (json_put(out, j, NULL, mhex, &mlen) == -1)
		goto fail;
	j = json_pack("{s:i s:[{s:s s:s+ s:I s:{s:s s:s}}]}", "schemaVersion",
	    2, "manifests", "mediaType",
	    "application/vnd.oci.image.manifest.v1+json", "digest", "sha256:",
	    mhex, "size", (json_int_t)mlen, "annotations",
	    "org.opencontainers.image.ref.name", ref,
	    "io.containerd.image.name", ref);
	if (json_put(out, j, "index.json", mhex, &mlen) == -1 ||
	    json_put(out, json_pack("{s:s}", "imageLayoutVersion", "1.0.0"),
	    "oci-layout", mhex, &mlen) == -1 || archive_write_close(out) !=
	    ARCHIVE_OK)
		goto fail;
	r = 0;
	goto done;
fail:
	if (err[0] == '\0')
		snprintf(err, errlen, "save: %s", archive_error_string(out));
done:
	archive_write_free(out);
	json_decref(diffs);
	json_decref(descs);
	return r;
}
