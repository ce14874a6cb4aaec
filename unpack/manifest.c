/*
 * manifest.c: what an archive says it holds.  Docker archives
 * (manifest.json) and OCI archives (index.json, manifests and configs
 * under blobs/sha256/) are read into the same list of images: tags,
 * layer blobs with the diff_id each must hash to once uncompressed, and
 * the image config trimmed to the fields celld applies.  Every blob named
 * by a digest is checked against the sha256 spool.c computed before it is
 * parsed.  No I/O here but through struct usrc: the fuzzer drives it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unpack.h"

#define IDX_DEPTH	3

int
hex_ok(const char *s)
{
	int	i;

	for (i = 0; i < UNPACK_HEXLEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return s[i] == '\0';
}

/* "a/./b//c" -> "a/b/c"; refuses "..", absolute paths and NULs. */
int
path_clean(const char *in, char *out, size_t len)
{
	const char	*p = in, *q;
	size_t		 o = 0, n;

	if (in == NULL || *in == '/')
		return -1;
	while (*p != '\0') {
		for (q = p; *q != '\0' && *q != '/'; q++)
			;
		n = q - p;
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -1;
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (o + n + 2 > len)
				return -1;
			if (o > 0)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = *q ? q + 1 : q;
	}
	if (len == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

/* "sha256:<hex>" -> the blob, checked against its own hash. */
static const struct ublob *
blob_by_digest(const struct usrc *src, json_t *d, char *err, size_t errlen)
{
	const struct ublob	*b;
	const char		*s = json_string_value(d);
	char			 name[96];

	if (s == NULL || strncmp(s, "sha256:", 7) != 0 || !hex_ok(s + 7)) {
		snprintf(err, errlen, "bad digest %.80s", s ? s : "(none)");
		return NULL;
	}
	snprintf(name, sizeof(name), "blobs/sha256/%s", s + 7);
	if ((b = src->find(src->arg, name)) == NULL) {
		snprintf(err, errlen, "missing blob %.80s", s);
		return NULL;
	}
	if (strcmp(b->hex, s + 7) != 0) {
		snprintf(err, errlen, "digest mismatch: %.80s hashes to "
		    "sha256:%s", s, b->hex);
		return NULL;
	}
	return b;
}

static int
strarr_ok(json_t *a)
{
	size_t	 i;
	json_t	*v;

	if (!json_is_array(a) || json_array_size(a) > 4096)
		return 0;
	json_array_foreach(a, i, v)
		if (!json_is_string(v))
			return 0;
	return 1;
}

static int
strobj_ok(json_t *o, int empty_values)
{
	const char	*k;
	json_t		*v;

	if (!json_is_object(o) || json_object_size(o) > 4096)
		return 0;
	json_object_foreach(o, k, v)
		if (!(json_is_string(v) || (empty_values && json_is_object(v) &&
		    json_object_size(v) == 0)))
			return 0;
	return 1;
}

/* The config's "config", only the fields we apply, of the right types. */
static json_t *
config_trim(json_t *cfg)
{
	static const char *strs[] = { "WorkingDir", "User", "StopSignal" };
	static const char *arrs[] = { "Entrypoint", "Cmd", "Env" };
	json_t	*out = json_object(), *c = json_object_get(cfg, "config"), *v;
	size_t	 i;

	if (out == NULL || !json_is_object(c))
		return out;
	for (i = 0; i < 3; i++) {
		if (json_is_string(v = json_object_get(c, strs[i])))
			json_object_set(out, strs[i], v);
		if (strarr_ok(v = json_object_get(c, arrs[i])))
			json_object_set(out, arrs[i], v);
	}
	if (strobj_ok(v = json_object_get(c, "Labels"), 0))
		json_object_set(out, "Labels", v);
	if (strobj_ok(v = json_object_get(c, "ExposedPorts"), 1))
		json_object_set(out, "ExposedPorts", v);
	return out;
}

/* The config blob: its id, trimmed config and diff_ids. */
static int
image_config(const struct usrc *src, const struct ublob *b,
    const struct unpack_limits *lim, struct uimage *im, char *err,
    size_t errlen)
{
	json_t	*j, *ids, *v;
	size_t	 i;
	int	 r = -1;

	if ((j = src->json(src->arg, b, err, errlen)) == NULL)
		return -1;
	ids = json_object_get(json_object_get(j, "rootfs"), "diff_ids");
	if (!json_is_array(ids) || json_array_size(ids) == 0) {
		snprintf(err, errlen, "config: no rootfs.diff_ids");
		goto done;
	}
	if ((int64_t)json_array_size(ids) > lim->layers ||
	    json_array_size(ids) > UNPACK_MAXLAYERS) {
		snprintf(err, errlen, "config: more than %lld layers",
		    (long long)lim->layers);
		goto done;
	}
	json_array_foreach(ids, i, v) {
		const char *s = json_string_value(v);

		if (s == NULL || strncmp(s, "sha256:", 7) != 0 ||
		    !hex_ok(s + 7)) {
			snprintf(err, errlen, "config: bad diff_id");
			goto done;
		}
		memcpy(im->diffids[i], s + 7, UNPACK_HEXLEN + 1);
	}
	im->nlayers = json_array_size(ids);
	memcpy(im->id, b->hex, sizeof(im->id));
	if ((im->config = config_trim(j)) == NULL)
		goto done;
	r = 0;
done:
	json_decref(j);
	return r;
}

/* "reg.io:5000/lib/name:tag" -> "name:tag"; "name" -> "name:latest". */
static int
tag_add(struct uimage *im, const char *ref)
{
	const char	*base, *colon;
	char		 buf[512];

	if (ref == NULL || im->ntags >= UNPACK_MAXTAGS || strlen(ref) > 400)
		return 0;
	base = strrchr(ref, '/') ? strrchr(ref, '/') + 1 : ref;
	if ((colon = strchr(base, '@')) != NULL)
		return 0;		/* by digest: no tag to give */
	colon = strchr(base, ':');
	snprintf(buf, sizeof(buf), "%s%s", base, colon ? "" : ":latest");
	if ((im->tags[im->ntags] = strdup(buf)) == NULL)
		return -1;
	im->ntags++;
	return 0;
}

static int
docker_one(const struct usrc *src, const struct unpack_limits *lim,
    json_t *m, struct uimage *im, char *err, size_t errlen)
{
	const struct ublob	*b;
	const char		*cfg = json_string_value(json_object_get(m,
				    "Config"));
	json_t			*layers = json_object_get(m, "Layers"), *v;
	char			 name[512];
	size_t			 i;

	if (cfg == NULL || path_clean(cfg, name, sizeof(name)) == -1 ||
	    (b = src->find(src->arg, name)) == NULL) {
		snprintf(err, errlen, "manifest.json: missing config");
		return -1;
	}
	/* docker's own names carry the hash: "<hex>.json", blobs/sha256/ */
	if ((strncmp(name, "blobs/sha256/", 13) == 0 &&
	    strcmp(name + 13, b->hex) != 0) || (strlen(name) == 69 &&
	    strcmp(name + 64, ".json") == 0 && strncmp(name, b->hex, 64))) {
		snprintf(err, errlen, "digest mismatch: config %.80s", name);
		return -1;
	}
	if (image_config(src, b, lim, im, err, errlen) == -1)
		return -1;
	if (!strarr_ok(layers) || json_array_size(layers) !=
	    (size_t)im->nlayers) {
		snprintf(err, errlen, "manifest.json: layers do not match "
		    "the config's diff_ids");
		return -1;
	}
	json_array_foreach(layers, i, v) {
		if (path_clean(json_string_value(v), name, sizeof(name)) ==
		    -1 || (im->blobs[i] = src->find(src->arg, name)) == NULL) {
			snprintf(err, errlen, "missing layer %.100s",
			    json_string_value(v));
			return -1;
		}
		if (strncmp(name, "blobs/sha256/", 13) == 0 &&
		    strcmp(name + 13, im->blobs[i]->hex) != 0) {
			snprintf(err, errlen, "digest mismatch: %.100s", name);
			return -1;
		}
	}
	json_array_foreach(json_object_get(m, "RepoTags"), i, v)
		if (tag_add(im, json_string_value(v)) == -1)
			return -1;
	return 0;
}

static int
docker_read(const struct usrc *src, const struct ublob *mb,
    const struct unpack_limits *lim, struct uimage *ims, int max,
    char *err, size_t errlen)
{
	json_t	*j, *m;
	size_t	 i;
	int	 n = 0;

	if ((j = src->json(src->arg, mb, err, errlen)) == NULL)
		return -1;
	if (!json_is_array(j) || json_array_size(j) == 0 ||
	    json_array_size(j) > (size_t)max) {
		snprintf(err, errlen, "manifest.json: not a list of 1 to %d "
		    "images", max);
		json_decref(j);
		return -1;
	}
	json_array_foreach(j, i, m) {
		if (docker_one(src, lim, m, &ims[n++], err, errlen) == -1) {
			json_decref(j);
			return -1;
		}
	}
	json_decref(j);
	return n;
}

/* One OCI image manifest (not an index). */
static int
oci_manifest(const struct usrc *src, const struct ublob *b,
    const struct unpack_limits *lim, struct uimage *im, char *err,
    size_t errlen)
{
	const struct ublob	*cb;
	json_t			*j, *layers, *v;
	size_t			 i;
	int			 r = -1;

	if ((j = src->json(src->arg, b, err, errlen)) == NULL)
		return -1;
	layers = json_object_get(j, "layers");
	if ((cb = blob_by_digest(src, json_object_get(json_object_get(j,
	    "config"), "digest"), err, errlen)) == NULL ||
	    image_config(src, cb, lim, im, err, errlen) == -1)
		goto done;
	if (!json_is_array(layers) || json_array_size(layers) !=
	    (size_t)im->nlayers) {
		snprintf(err, errlen, "manifest: layers do not match the "
		    "config's diff_ids");
		goto done;
	}
	json_array_foreach(layers, i, v)
		if ((im->blobs[i] = blob_by_digest(src, json_object_get(v,
		    "digest"), err, errlen)) == NULL)
			goto done;
	r = 0;
done:
	json_decref(j);
	return r;
}

static int	oci_index(const struct usrc *, json_t *,
		    const struct unpack_limits *, struct uimage *, int, int,
		    char *, size_t);

/* An index entry: a manifest, or a nested index (multi-platform). */
static int
oci_entry(const struct usrc *src, json_t *d, const struct unpack_limits *lim,
    struct uimage *ims, int max, int depth, char *err, size_t errlen)
{
	const struct ublob	*b;
	const char		*mt = json_string_value(json_object_get(d,
				    "mediaType"));
	json_t			*ann = json_object_get(d, "annotations"), *j;
	int			 n;

	if ((b = blob_by_digest(src, json_object_get(d, "digest"), err,
	    errlen)) == NULL)
		return -1;
	if (mt != NULL && strstr(mt, "index") != NULL) {
		if ((j = src->json(src->arg, b, err, errlen)) == NULL)
			return -1;
		n = oci_index(src, j, lim, ims, max, depth + 1, err, errlen);
		json_decref(j);
		return n;
	}
	if (oci_manifest(src, b, lim, ims, err, errlen) == -1)
		return -1;
	if (tag_add(ims, json_string_value(json_object_get(ann,
	    "io.containerd.image.name"))) == -1)
		return -1;
	if (ims->ntags == 0 && tag_add(ims, json_string_value(
	    json_object_get(ann, "org.opencontainers.image.ref.name"))) == -1)
		return -1;
	return 1;
}

static int
oci_index(const struct usrc *src, json_t *idx, const struct unpack_limits *lim,
    struct uimage *ims, int max, int depth, char *err, size_t errlen)
{
	json_t	*ms = json_object_get(idx, "manifests"), *d, *arch;
	size_t	 i;
	int	 n = 0, k;

	if (depth > IDX_DEPTH || !json_is_array(ms) ||
	    json_array_size(ms) == 0) {
		snprintf(err, errlen, "index: no manifests");
		return -1;
	}
	json_array_foreach(ms, i, d) {
		arch = json_object_get(json_object_get(d, "platform"),
		    "architecture");
		if (depth > 0 && arch != NULL &&
		    strcmp(json_string_value(arch) ? json_string_value(arch) :
		    "", "amd64") != 0)
			continue;	/* one platform of a nested index */
		if (n >= max) {
			snprintf(err, errlen, "index: more than %d images",
			    max);
			return -1;
		}
		if ((k = oci_entry(src, d, lim, ims + n, max - n, depth, err,
		    errlen)) == -1)
			return -1;
		n += k;
		if (depth > 0)
			break;
	}
	if (n == 0)
		snprintf(err, errlen, "index: no image for amd64");
	return n > 0 ? n : -1;
}

/* ims[max]: returns how many images were read, or -1 and err. */
int
manifest_read(const struct usrc *src, const struct unpack_limits *lim,
    struct uimage *ims, int max, char *err, size_t errlen)
{
	const struct ublob	*b;
	json_t			*j;
	int			 n;

	memset(ims, 0, sizeof(*ims) * max);
	if ((b = src->find(src->arg, "manifest.json")) != NULL)
		return docker_read(src, b, lim, ims, max, err, errlen);
	if ((b = src->find(src->arg, "index.json")) == NULL) {
		snprintf(err, errlen, "neither manifest.json nor index.json: "
		    "not a Docker or OCI archive (use image import for a "
		    "root filesystem)");
		return -1;
	}
	if ((j = src->json(src->arg, b, err, errlen)) == NULL)
		return -1;
	n = oci_index(src, j, lim, ims, max, 0, err, errlen);
	json_decref(j);
	return n;
}

void
manifest_free(struct uimage *ims, int n)
{
	int	i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < ims[i].ntags; k++)
			free(ims[i].tags[k]);
		json_decref(ims[i].config);
		memset(&ims[i], 0, sizeof(ims[i]));
	}
}
