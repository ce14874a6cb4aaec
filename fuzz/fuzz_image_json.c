/*
 * fuzz_image_json.c: libFuzzer target for the unpacker's reading of
 * manifest.json, index.json, OCI manifests and image configs
 * (unpack/manifest.c).  The input is every JSON document of a fake
 * archive at once: manifest.json when it starts with '[', index.json
 * otherwise, and the content of every blob those name; each blob "hashes"
 * to the digest it was asked by, so parsing gets past the digest checks
 * and as deep as the document leads.  Whatever the input, manifest_read
 * returns images or one error, and frees all it took.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unpack/unpack.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fake {
	const uint8_t	*data;
	size_t		 size;
	struct ublob	 blobs[64];
	int		 n;
};

static const struct ublob *
fake_find(void *arg, const char *name)
{
	struct fake	*f = arg;
	struct ublob	*b;
	const char	*h = strrchr(name, '/');

	if (strcmp(name, f->size && f->data[0] == '[' ? "manifest.json" :
	    "index.json") != 0 && strncmp(name, "blobs/sha256/", 13) != 0 &&
	    f->n > 8)
		return NULL;
	if (f->n == 64)
		return NULL;
	b = &f->blobs[f->n++];
	memset(b, 0, sizeof(*b));
	b->name = (char *)name;
	b->size = f->size;
	snprintf(b->hex, sizeof(b->hex), "%.64s", h && hex_ok(h + 1) ? h + 1 :
	    "0000000000000000000000000000000000000000000000000000000000000000");
	return b;
}

static json_t *
fake_json(void *arg, const struct ublob *b, char *err, size_t errlen)
{
	struct fake	*f = arg;
	json_error_t	 je;
	json_t		*j;

	(void)b;
	if ((j = json_loadb((const char *)f->data, f->size,
	    JSON_REJECT_DUPLICATES, &je)) == NULL)
		snprintf(err, errlen, "bad JSON");
	return j;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct uimage		ims[UNPACK_MAXIMAGES];
	static struct fake		f;
	struct unpack_limits		lim = { 1 << 20, 1 << 20, 1000, 64 };
	struct usrc			src = { fake_find, fake_json, &f };
	char				err[512];
	int				n, i, k;

	memset(&f, 0, sizeof(f));
	f.data = data;
	f.size = size;
	err[0] = '\0';
	n = manifest_read(&src, &lim, ims, UNPACK_MAXIMAGES, err,
	    sizeof(err));
	if (n == -1 && err[0] == '\0')
		abort();	/* every refusal says why */
	for (i = 0; i < n; i++) {
		if (ims[i].nlayers < 1 || ims[i].nlayers > UNPACK_MAXLAYERS)
			abort();
		for (k = 0; k < ims[i].nlayers; k++)
			if (!hex_ok(ims[i].diffids[k]) || ims[i].blobs[k] ==
			    NULL)
				abort();
	}
	manifest_free(ims, UNPACK_MAXIMAGES);
	return 0;
}
