/*
 * sha.c: sha256 for the unpacker, from libcrypto: its SHA-NI/AVX2 code
 * hashes several times faster than a portable one, and every byte of an
 * image is hashed twice (as a blob, and uncompressed as a layer).
 */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "unpack.h"

struct sha {
	EVP_MD_CTX	*ctx;
};

struct sha *
sha_new(void)
{
	struct sha	*s;

	if ((s = malloc(sizeof(*s))) == NULL)
		return NULL;
	if ((s->ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(s->ctx);
		free(s);
		return NULL;
	}
	return s;
}

void
sha_update(struct sha *s, const void *p, size_t len)
{
	if (EVP_DigestUpdate(s->ctx, p, len) != 1)
		abort();
}

/* The digest as 64 hex digits into hex[65]; frees s. */
void
sha_end(struct sha *s, char *hex)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	len = 0, i;

	if (EVP_DigestFinal_ex(s->ctx, md, &len) != 1 || len != 32)
		abort();
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	sha_free(s);
}

void
sha_free(struct sha *s)
{
	if (s == NULL)
		return;
	EVP_MD_CTX_free(s->ctx);
	free(s);
}
