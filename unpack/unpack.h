/*
 * unpack.h: celld-unpack, the image unpacker.  It runs as uid 0 of a user
 * namespace of its own (a dedicated subordinate id range), with no
 * capability in the host's, chrooted into a staging dir it sees through
 * an idmapped mount.  It trusts nothing it reads: see docs/images.md.
 */
#ifndef CELLD_UNPACK_H
#define CELLD_UNPACK_H

#include <sys/types.h>
#include <stdint.h>

#include <jansson.h>

#define UNPACK_HEXLEN	64
#define UNPACK_MAXLAYERS 64		/* FS_MAXLAYERS */
#define UNPACK_MAXTAGS	16
#define UNPACK_MAXIMAGES 16
#define UNPACK_JSONMAX	(1024 * 1024)	/* a manifest, index or config */

struct unpack_limits {
	int64_t		archive;	/* bytes read from the input */
	int64_t		layer;		/* uncompressed bytes of one layer */
	int64_t		entries;	/* tar entries, archive and layers */
	int64_t		layers;		/* layers per image */
};

/* One regular file of the archive, spooled to blobs/<spool>. */
struct ublob {
	char		*name;		/* its path in the archive, cleaned */
	char		 hex[UNPACK_HEXLEN + 1];	/* sha256 of its bytes */
	int64_t		 size;
	int		 spool;
};

struct uimage {
	char		*tags[UNPACK_MAXTAGS];	/* "name:tag" */
	int		 ntags;
	char		 diffids[UNPACK_MAXLAYERS][UNPACK_HEXLEN + 1];
	const struct ublob *blobs[UNPACK_MAXLAYERS];
	int		 nlayers;
	char		 id[UNPACK_HEXLEN + 1];	/* sha256 of the config */
	json_t		*config;		/* trimmed "config" object */
};

/* Where manifest.c finds the archive's files: spool.c, or the fuzzer. */
struct usrc {
	const struct ublob *(*find)(void *, const char *);
	json_t		*(*json)(void *, const struct ublob *, char *, size_t);
	void		*arg;
};

/* manifest.c: no I/O but through usrc */
int	 manifest_read(const struct usrc *, const struct unpack_limits *,
	    struct uimage *, int, char *, size_t);
void	 manifest_free(struct uimage *, int);
int	 hex_ok(const char *);
int	 path_clean(const char *, char *, size_t);

/* sha.c: sha256, hex */
struct sha;
struct sha	*sha_new(void);
void		 sha_update(struct sha *, const void *, size_t);
void		 sha_end(struct sha *, char *);
void		 sha_free(struct sha *);

/* spool.c */
struct spool;
struct spool	*spool_read(int, const struct unpack_limits *, char *, size_t);
void		 spool_free(struct spool *);
void		 spool_src(struct spool *, struct usrc *);
int		 spool_open(const struct ublob *);

/* layer.c */
struct layer_stats {
	int64_t		bytes;		/* uncompressed */
	int64_t		entries;
	int64_t		skipped;	/* device nodes */
};
int	layer_extract(int, const char *, const struct unpack_limits *,
	    char *, struct layer_stats *, char *, size_t);

/* load.c */
json_t	*unpack_load(const struct unpack_limits *, char *, size_t);
json_t	*unpack_import(const struct unpack_limits *, char *, size_t);
void	 unpack_reset(void);

/* save.c */
int	unpack_save(int, int, const char *, json_t *, char *, size_t);

/* unpack.c */
void	progress(const char *, ...) __attribute__((format(printf, 1, 2)));
void	layer_progress(int, int);

#endif
