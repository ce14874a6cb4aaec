/*
 * load.c: what the unpacker does once locked down, in the staging dir
 * (its cwd): spool the archive, read its manifests, extract each layer
 * once into layers/.N, check its diff_id, and name it layers/<diff_id>.
 * The report is built here; unpack.c prints it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../privsep/privsep.h"
#include "unpack.h"

/* The diff_ids already extracted in this run. */
static char	done_ids[UNPACK_MAXIMAGES * UNPACK_MAXLAYERS][UNPACK_HEXLEN + 1];
static int	ndone, nseq;
static int64_t	total;		/* uncompressed bytes of every layer */

static int
layer_done(const char *hex)
{
	int	i;

	for (i = 0; i < ndone; i++)
		if (strcmp(done_ids[i], hex) == 0)
			return 1;
	return 0;
}

/*
 * Extract fd into /layers/.N, then name it /layers/<diff_id>.  want is
 * the diff_id the config promised, or NULL (import: whatever it hashes
 * to).  hex gets the digest.
 */
static int
unpack_layer(int fd, const char *what, const char *want,
    const struct unpack_limits *lim, char *hex, char *err, size_t errlen)
{
	struct layer_stats	st;
	char			tmp[32], dst[96];
	int			r, top;

	snprintf(tmp, sizeof(tmp), "layers/.%d", nseq++);
	if ((top = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    mkdir(tmp, 0755) == -1 || chdir(tmp) == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (top != -1)
			close(top);
		return -1;
	}
	r = layer_extract(fd, what, lim, hex, &st, err, errlen);
	if (fchdir(top) == -1)
		fatal("back to the staging dir");
	close(top);
	if (r == -1)
		return -1;
	if ((total += st.bytes) > lim->archive) {
		snprintf(err, errlen, "%s: the image's layers are larger than "
		    "the limit (%lld bytes)", what, (long long)lim->archive);
		return -1;
	}
	if (want != NULL && strcmp(hex, want) != 0) {
		snprintf(err, errlen, "%s: digest mismatch: the config says "
		    "sha256:%.64s, it hashes to sha256:%s", what, want, hex);
		return -1;
	}
	snprintf(dst, sizeof(dst), "layers/%s", hex);
	if (!layer_done(hex) && rename(tmp, dst) == -1) {
		snprintf(err, errlen, "%s: %s", dst, strerror(errno));
		return -1;
	}
	if (!layer_done(hex))
		memcpy(done_ids[ndone++], hex, UNPACK_HEXLEN + 1);
	progress("layer %s: %lld bytes, %lld entries, %lld devices skipped\n",
	    hex, (long long)st.bytes, (long long)st.entries,
	    (long long)st.skipped);
	return 0;
}

static json_t *
image_json(const struct uimage *im)
{
	json_t	*tags = json_array(), *layers = json_array();
	int	 i;

	for (i = 0; i < im->ntags; i++)
		json_array_append_new(tags, json_string(im->tags[i]));
	for (i = 0; i < im->nlayers; i++)
		json_array_append_new(layers, json_string(im->diffids[i]));
	return json_pack("{s:o s:o s:s s:O}", "tags", tags, "layers", layers,
	    "id", im->id, "config", im->config);
}

/* how many distinct layers the images have: the progress's total */
static int
layers_new(const struct uimage *ims, int n)
{
	int	i, k, j, l, count = 0, seen;

	for (i = 0; i < n; i++)
		for (k = 0; k < ims[i].nlayers; k++) {
			seen = 0;
			for (j = 0; j <= i && !seen; j++)
				for (l = 0; l < (j == i ? k : ims[j].nlayers);
				    l++)
					if (strcmp(ims[j].diffids[l],
					    ims[i].diffids[k]) == 0) {
						seen = 1;
						break;
					}
			count += !seen;
		}
	return count;
}

json_t *
unpack_load(const struct unpack_limits *lim, char *err, size_t errlen)
{
	static struct uimage	 ims[UNPACK_MAXIMAGES];
	struct spool		*s;
	struct usrc		 src;
	json_t			*out = NULL;
	char			 hex[UNPACK_HEXLEN + 1], what[64];
	int			 n, i, k, fd, r, nnew, seq = 0;

	if ((s = spool_read(0, lim, err, errlen)) == NULL)
		return NULL;
	spool_src(s, &src);
	if ((n = manifest_read(&src, lim, ims, UNPACK_MAXIMAGES, err,
	    errlen)) == -1)
		goto done;
	out = json_array();
	nnew = layers_new(ims, n);
	for (i = 0; i < n; i++) {
		for (k = 0; k < ims[i].nlayers; k++) {
			if (layer_done(ims[i].diffids[k]))
				continue;
			layer_progress(++seq, nnew);
			snprintf(what, sizeof(what), "layer %d", k + 1);
			if ((fd = spool_open(ims[i].blobs[k])) == -1)
				fatal("spool");
			r = unpack_layer(fd, what, ims[i].diffids[k], lim, hex,
			    err, errlen);
			close(fd);
			if (r == -1) {
				json_decref(out);
				out = NULL;
				goto done;
			}
		}
		json_array_append_new(out, image_json(&ims[i]));
	}
done:
	manifest_free(ims, UNPACK_MAXIMAGES);
	spool_free(s);
	return out;
}

json_t *
unpack_import(const struct unpack_limits *lim, char *err, size_t errlen)
{
	char	hex[UNPACK_HEXLEN + 1];

	layer_progress(1, 1);
	if (unpack_layer(0, "import", NULL, lim, hex, err, errlen) == -1)
		return NULL;
	return json_pack("[{s:[] s:[s] s:s s:{}}]", "tags", "layers", hex,
	    "id", hex, "config");
}


/* Forget what was extracted: the fuzzer runs many loads in one process. */
void
unpack_reset(void)
{
	ndone = 0;
	nseq = 0;
	total = 0;
}
