/*
 * image_load.c: image load and import, a pipeline over both helpers and
 * the unpacker (see docs/images.md), each step a reply to the last:
 *   spawn-helper  UNPACK (+ the client's archive fd): a user namespace
 *                 on the image id slot -> its fd
 *   fs-helper     STAGE: layers/tmp/<id>, idmapped through it -> a mount fd
 *   spawn-helper  UNPACK_GO: the unpacker runs, sandboxed -> its report pipe
 *   (us)          read the report to EOF, bounded, and check every field
 *   fs-helper     COMMIT, one per layer: staged dir -> layers/sha256/<d>
 *   (us)          write each image record, atomically; UNSTAGE
 * We never read the archive: the unpacker's report is all we parse, and
 * it is treated as hostile.  Any failure removes the staging dir; a crash
 * leaves it to fs-helper's next start.  Layers appear whole (a rename);
 * records last, so no image ever names a layer that isn't there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include "parent.h"

#define REPORT_MAX	(2 * 1024 * 1024)
#define LOAD_TIMEOUT	3600	/* seconds the unpacker may run */
#define RECORD_MAX	(JSON_MAX - 2048)	/* inspect must fit one reply */

enum { L_NS, L_STAGE, L_GO, L_READ, L_COMMIT, L_UNSTAGE };

struct load {
	TAILQ_ENTRY(load)	 entry;
	uint32_t		 req;		/* the request's id */
	char			 id[CELL_IDLEN + 1];	/* staging */
	int			 staged;
	uint32_t		 mode;
	uid_t			 uid;
	int			 admin;
	json_t			*changes;	/* import: the config */
	char			 ref[CELL_NAMELEN * 2];
	struct event		*ev;
	int			 fd;
	char			*buf;
	size_t			 len;
	json_t			*images;	/* the checked report */
	struct msg_fs_rootfs	*tree;		/* save: the layers */
	int			 commits;	/* outstanding */
	int			 err;		/* the answer, once unstaged */
	char			 msg[CELL_MSGLEN];
};

static TAILQ_HEAD(, load)	loads = TAILQ_HEAD_INITIALIZER(loads);
int				image_loads;	/* in flight: prune waits */

static void	load_step(struct request *, int, struct imsg *);

static struct load *
load_get(uint32_t req)
{
	struct load	*l;

	TAILQ_FOREACH(l, &loads, entry)
		if (l->req == req)
			return l;
	return NULL;
}

static void
load_free(struct load *l)
{
	struct msg_spawn_id	id;

	if (l->staged) {	/* nobody waits: see load_done() */
		memset(&id, 0, sizeof(id));
		strlcpy(id.id, l->id, sizeof(id.id));
		helpers_send(HELPER_FS, MSG_FS_UNSTAGE, 0, -1, &id,
		    sizeof(id));
	}
	if (l->ev != NULL)
		event_free(l->ev);
	if (l->fd != -1)
		close(l->fd);
	free(l->buf);
	json_decref(l->changes);
	json_decref(l->images);
	free(l->tree);
	TAILQ_REMOVE(&loads, l, entry);
	image_loads--;
	free(l);
}

/*
 * The answer waits until the staging dir is gone: a client that sees
 * the load end sees the store as it will stay.
 */
static void
load_done(struct request *r, int err, const char *msg)
{
	struct load		*l = load_get(r->id);
	struct msg_spawn_id	 id;

	if (err != 0)
		log_warnx("image %s: %s", r->verb, msg);
	if (l != NULL && l->staged && r->step != L_UNSTAGE) {
		l->staged = 0;
		l->err = err;
		strlcpy(l->msg, msg, sizeof(l->msg));
		memset(&id, 0, sizeof(id));
		strlcpy(id.id, l->id, sizeof(id.id));
		r->step = L_UNSTAGE;
		r->waitmask = 1u << HELPER_FS;
		if (helpers_send(HELPER_FS, MSG_FS_UNSTAGE, r->id, -1, &id,
		    sizeof(id)) == 0)
			return;
	}
	if (l != NULL) {
		if (r->step == L_UNSTAGE) {
			err = l->err;
			msg = l->msg;
		}
		request_done(r, err, err ? 125 : 0, msg);
		load_free(l);
		return;
	}
	request_done(r, err, err ? 125 : 0, msg);
}

static int
load_new(struct client *cl, const struct msg_image_load *m, json_t *chg,
    struct request **rp)
{
	struct load	*l;
	unsigned char	 rnd[CELL_IDLEN / 2];
	size_t		 i;

	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (*rp = request_new(cl, MSG_CTL_IMAGE_LOAD)) == NULL) {
		free(l);
		return -1;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		free(l);
		request_free(*rp);
		*rp = NULL;
		return -1;
	}
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(l->id + 2 * i, 3, "%02x", rnd[i]);
	l->req = (*rp)->id;
	l->mode = m->mode;
	l->uid = cl->uid;
	l->admin = cl->admin;
	l->changes = chg;
	l->fd = -1;
	strlcpy(l->ref, m->ref, sizeof(l->ref));
	TAILQ_INSERT_TAIL(&loads, l, entry);
	image_loads++;
	(*rp)->cb = load_step;
	(*rp)->step = L_NS;
	(*rp)->waitmask = 1u << HELPER_SPAWN;
	return 0;
}

void
ctl_image_load(struct client *cl, struct imsg *imsg)
{
	struct msg_image_load	 m;
	static struct msg_unpack u;
	struct request		*r;
	char			 name[CELL_NAMELEN], tag[CELL_NAMELEN];
	char			 err[CELL_MSGLEN];
	json_t			*chg = NULL;
	int			 fd = imsg_get_fd(imsg);

	if (imsg_get_data(imsg, &m, sizeof(m)) == -1 ||
	    m.mode > IMAGE_IMPORT || (m.mode == IMAGE_IMPORT &&
	    (!msg_str_ok(m.ref, sizeof(m.ref)) ||
	    image_ref(m.ref, name, tag) == -1))) {
		close(fd);
		control_done(cl, EINVAL, 0, "image: bad request or name");
		return;
	}
	if (m.mode == IMAGE_IMPORT && ((chg = json_object()) == NULL ||
	    image_changes(chg, m.changes, m.nchanges, err, sizeof(err)) ==
	    -1)) {
		close(fd);
		json_decref(chg);
		control_done(cl, EINVAL, 0, chg ? err : "out of memory");
		return;
	}
	if (load_new(cl, &m, chg, &r) == -1) {
		close(fd);
		json_decref(chg);
		control_done(cl, errno, 0, "image load");
		return;
	}
	memset(&u, 0, sizeof(u));
	strlcpy(u.id, load_get(r->id)->id, sizeof(u.id));
	u.mode = m.mode;
	u.max_archive = env->conf.img_max_image;
	u.max_layer = env->conf.img_max_layer;
	u.max_entries = env->conf.img_max_entries;
	u.max_layers = env->conf.img_max_layers;
	if (helpers_send(HELPER_SPAWN, MSG_SPAWN_UNPACK, r->id, fd, &u,
	    sizeof(u)) == -1)
		load_done(r, EAGAIN, "spawn-helper is not available");
}

static void	load_report(struct load *, struct request *);
static void	image_commit(struct load *, struct request *);

/*
 * "L K N" lines ahead of the report: layer K of N is next.  Each goes to
 * the client as MSG_CTL_KV "layers" = "K N"; a malformed one is left for
 * the report's parser to refuse.
 */
static void
load_progress(struct load *l, struct request *r)
{
	struct client	*cl;
	struct msg_kv	 kv;
	char		*nl;
	int		 k, n, used;

	while (l->len > 0 && l->buf[0] == 'L' &&
	    (nl = memchr(l->buf, '\n', l->len)) != NULL) {
		*nl = '\0';
		if (sscanf(l->buf, "L %d %d%n", &k, &n, &used) != 2 ||
		    l->buf + used != nl || k < 1 || n < k) {
			*nl = '\n';
			return;
		}
		if (r->client != 0 && (cl = control_find(r->client)) != NULL) {
			memset(&kv, 0, sizeof(kv));
			strlcpy(kv.key, "layers", sizeof(kv.key));
			snprintf(kv.val, sizeof(kv.val), "%d %d", k, n);
			control_reply(cl, MSG_CTL_KV, &kv, sizeof(kv));
		}
		l->len -= nl + 1 - l->buf;
		memmove(l->buf, nl + 1, l->len);
	}
}

/* The unpacker's report, as it comes; EOF ends it. */
static void
load_read(int fd, short ev, void *arg)
{
	struct request	*r = request_find((uint32_t)(uintptr_t)arg);
	struct load	*l = r ? load_get(r->id) : NULL;
	char		 buf[65536];
	ssize_t		 n;
	void		*nb;

	(void)ev;
	if (l == NULL)
		return;
	if ((n = read(fd, buf, sizeof(buf))) == -1) {
		if (errno != EAGAIN && errno != EINTR)
			load_done(r, errno, "unpacker report");
		return;
	}
	if (n == 0) {
		event_del(l->ev);
		load_report(l, r);
		return;
	}
	if (l->len + n > REPORT_MAX || (nb = realloc(l->buf, l->len + n)) ==
	    NULL) {
		load_done(r, EFBIG, "unpacker report too large");
		return;
	}
	l->buf = nb;
	memcpy(l->buf + l->len, buf, n);
	l->len += n;
	load_progress(l, r);
}

static void
load_out(struct load *l, struct request *r, int fd)
{
	struct timeval	tv = { LOAD_TIMEOUT, 0 };

	l->fd = fd;
	r->step = L_READ;
	r->waitmask = 0;	/* the helpers are done until the commits */
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1 ||
	    (l->ev = event_new(env->base, fd, EV_READ | EV_PERSIST, load_read,
	    (void *)(uintptr_t)r->id)) == NULL || event_add(l->ev, NULL) == -1)
		load_done(r, errno ? errno : EIO, "unpacker report");
	else
		evtimer_add(r->timeout, &tv);
}

static void
load_send(struct request *r, int h, uint32_t type, int fd, int step)
{
	struct load		*l = load_get(r->id);
	struct msg_spawn_id	 id;

	memset(&id, 0, sizeof(id));
	strlcpy(id.id, l->id, sizeof(id.id));
	r->step = step;
	r->waitmask = 1u << h;
	if (helpers_send(h, type, r->id, fd, &id, sizeof(id)) == -1)
		load_done(r, EAGAIN, "a helper is not available");
}

static void
save_tree(struct request *r, struct load *l, int nsfd)
{
	r->step = L_STAGE;
	r->waitmask = 1u << HELPER_FS;
	if (helpers_send(HELPER_FS, MSG_FS_SAVE_TREE, r->id, nsfd, l->tree,
	    sizeof(*l->tree)) == -1)
		load_done(r, EAGAIN, "fs-helper is not available");
}

static void
load_step(struct request *r, int h, struct imsg *imsg)
{
	struct load		*l = load_get(r->id);
	struct msg_result	 res;
	struct msg_spawn_id	 id;
	uint32_t		 type = imsg ? imsg_get_type(imsg) : 0;

	if (l == NULL) {
		request_done(r, EIO, 125, "image load lost");
		return;
	}
	if (r->step == L_UNSTAGE) {
		/* replies to commits sent before a failure come first */
		if (imsg != NULL && l->commits > 0) {
			l->commits--;
			return;
		}
		load_done(r, 0, NULL);	/* whatever fs-helper said */
		return;
	}
	if (imsg == NULL) {
		load_done(r, ETIMEDOUT, h == -1 ? "image load timed out" :
		    "a helper died during the load");
		return;
	}
	if (type == MSG_RESULT) {
		if (imsg_get_data(imsg, &res, sizeof(res)) == -1)
			res.err = EIO;
		res.msg[sizeof(res.msg) - 1] = '\0';
		if (r->step == L_COMMIT)
			l->commits--;
		if (r->step == L_COMMIT && res.err == 0) {
			if (l->commits == 0)
				image_commit(l, r);
		} else
			load_done(r, res.err ? res.err : EIO, res.msg);
		return;
	}
	if (imsg_get_data(imsg, &id, sizeof(id)) == -1 ||
	    strncmp(id.id, l->id, sizeof(id.id)) != 0) {
		load_done(r, EIO, "image load: bad helper reply");
		return;
	}
	if (type == MSG_SPAWN_UNPACK_NS && r->step == L_NS &&
	    h == HELPER_SPAWN) {
		l->staged = 1;	/* from now on, failures unstage */
		if (l->mode == IMAGE_SAVE)
			save_tree(r, l, imsg_get_fd(imsg));
		else
			load_send(r, HELPER_FS, MSG_FS_STAGE,
			    imsg_get_fd(imsg), L_STAGE);
	} else if (type == MSG_FS_STAGED && r->step == L_STAGE &&
	    h == HELPER_FS)
		load_send(r, HELPER_SPAWN, MSG_SPAWN_UNPACK_GO,
		    imsg_get_fd(imsg), L_GO);
	else if (type == MSG_SPAWN_UNPACK_OUT && r->step == L_GO &&
	    h == HELPER_SPAWN)
		load_out(l, r, imsg_get_fd(imsg));
	else
		load_done(r, EIO, "image load: unexpected helper reply");
}

static int
strarr_ok(json_t *a, size_t max)
{
	size_t	 i;
	json_t	*v;

	if (!json_is_array(a) || json_array_size(a) > max)
		return 0;
	json_array_foreach(a, i, v)
		if (!json_is_string(v) || !msg_str_ok(json_string_value(v),
		    json_string_length(v) + 1))
			return 0;
	return 1;
}

/* The fields celld applies, of the right types; anything else dropped. */
static json_t *
config_clean(json_t *c)
{
	static const char *strs[] = { "WorkingDir", "User", "StopSignal" };
	static const char *arrs[] = { "Entrypoint", "Cmd", "Env" };
	json_t		*out = json_object(), *v;
	const char	*k;
	size_t		 i;

	for (i = 0; out != NULL && i < 3; i++) {
		v = json_object_get(c, strs[i]);
		if (json_is_string(v) && json_string_length(v) < SPEC_PATHLEN &&
		    msg_str_ok(json_string_value(v), json_string_length(v) + 1))
			json_object_set(out, strs[i], v);
		if (strarr_ok(v = json_object_get(c, arrs[i]), 1024))
			json_object_set(out, arrs[i], v);
	}
	for (i = 0; i < 2; i++) {
		const char *key = i ? "ExposedPorts" : "Labels";
		json_t *o = json_object_get(c, key), *copy = json_object();

		json_object_foreach(o, k, v)
			if (msg_str_ok(k, strlen(k) + 1) && (i ?
			    json_is_object(v) : json_is_string(v)))
				json_object_set_new(copy, k, i ? json_object() :
				    json_incref(v));
		json_object_set_new(out, key, copy);
	}
	return out;
}

/* One image of the report -> the record to write, or NULL and err. */
static json_t *
report_image(struct load *l, json_t *im, char *err, size_t errlen)
{
	json_t		*layers = json_object_get(im, "layers"), *v, *rec;
	const char	*id = json_string_value(json_object_get(im, "id"));
	size_t		 i, max = env->conf.img_max_layers;

	if (max > FS_MAXLAYERS)
		max = FS_MAXLAYERS;
	if (!json_is_array(layers) || json_array_size(layers) == 0 ||
	    json_array_size(layers) > max || id == NULL ||
	    !msg_id_ok(id, strlen(id) + 1)) {
		snprintf(err, errlen, "unpacker report: bad layers or id");
		return NULL;
	}
	json_array_foreach(layers, i, v)
		if (!json_is_string(v) || !msg_id_ok(json_string_value(v),
		    json_string_length(v) + 1)) {
			snprintf(err, errlen, "unpacker report: bad digest");
			return NULL;
		}
	rec = json_pack("{s:s s:O s:o s:I s:b s:I}", "id", id, "layers",
	    layers, "config", l->mode == IMAGE_IMPORT ?
	    json_incref(l->changes) : config_clean(json_object_get(im,
	    "config")), "owner", (json_int_t)l->uid, "shared", l->admin,
	    "created", (json_int_t)time(NULL));
	if (rec == NULL)
		snprintf(err, errlen, "out of memory");
	return rec;
}

/* The image's tags as [name, tag] pairs; an untagged one gets its id. */
static json_t *
report_tags(struct load *l, json_t *im, const char *id, char *err,
    size_t errlen)
{
	json_t		*tags = json_object_get(im, "tags"), *out, *v, *old;
	char		 name[CELL_NAMELEN], tag[CELL_NAMELEN], ref[32];
	size_t		 i;

	if ((out = json_array()) == NULL)
		return NULL;
	if (l->mode == IMAGE_IMPORT)
		tags = json_pack("[s]", l->ref);
	else if (!json_is_array(tags) || json_array_size(tags) == 0) {
		snprintf(ref, sizeof(ref), "%.12s:latest", id);
		tags = json_pack("[s]", ref);
	} else
		json_incref(tags);
	json_array_foreach(tags, i, v) {
		if (i >= 16 || !json_is_string(v) ||
		    image_ref(json_string_value(v), name, tag) == -1) {
			snprintf(err, errlen, "bad image name %.100s",
			    json_is_string(v) ? json_string_value(v) : "?");
			goto fail;
		}
		old = image_record_read(name, tag);
		if (old != NULL && !(l->admin || image_owner(old) == l->uid)) {
			json_decref(old);
			snprintf(err, errlen, "%s:%s: image belongs to another "
			    "user", name, tag);
			goto fail;
		}
		json_decref(old);
		json_array_append_new(out, json_pack("[s s]", name, tag));
	}
	json_decref(tags);
	return out;
fail:
	json_decref(tags);
	json_decref(out);
	return NULL;
}

static int
report_check(struct load *l, json_t *rep, char *err, size_t errlen)
{
	json_t	*ims = json_object_get(rep, "images"), *im, *rec, *tags;
	char	*s;
	size_t	 i;

	if (!json_is_array(ims) || json_array_size(ims) == 0 ||
	    json_array_size(ims) > 16) {
		snprintf(err, errlen, "unpacker report: no images");
		return -1;
	}
	l->images = json_array();
	json_array_foreach(ims, i, im) {
		if ((rec = report_image(l, im, err, errlen)) == NULL)
			return -1;
		if ((tags = report_tags(l, im, json_string_value(
		    json_object_get(rec, "id")), err, errlen)) == NULL) {
			json_decref(rec);
			return -1;
		}
		s = json_dumps(rec, JSON_COMPACT);
		if (s == NULL || strlen(s) > RECORD_MAX) {
			free(s);
			json_decref(rec);
			json_decref(tags);
			snprintf(err, errlen, "image config too large");
			return -1;
		}
		free(s);
		json_array_append_new(l->images, json_pack("{s:o s:o}", "rec",
		    rec, "tags", tags));
	}
	return 0;
}

/* Each digest once, to fs-helper; the records wait for every answer. */
static void
load_commits(struct load *l, struct request *r)
{
	struct msg_fs_layer	 fl;
	json_t			*seen = json_object(), *im, *d;
	size_t			 i, k;

	r->step = L_COMMIT;
	r->waitmask = 1u << HELPER_FS;
	json_array_foreach(l->images, i, im)
		json_array_foreach(json_object_get(json_object_get(im, "rec"),
		    "layers"), k, d) {
			if (json_object_get(seen, json_string_value(d)))
				continue;
			json_object_set_new(seen, json_string_value(d),
			    json_true());
			memset(&fl, 0, sizeof(fl));
			strlcpy(fl.id, l->id, sizeof(fl.id));
			strlcpy(fl.digest, json_string_value(d),
			    sizeof(fl.digest));
			if (helpers_send(HELPER_FS, MSG_FS_COMMIT, r->id, -1,
			    &fl, sizeof(fl)) == -1) {
				json_decref(seen);
				load_done(r, EAGAIN, "fs-helper is not "
				    "available");
				return;
			}
			l->commits++;
		}
	json_decref(seen);
}

static void
load_report(struct load *l, struct request *r)
{
	json_error_t	 je;
	json_t		*rep;
	const char	*e;
	char		 err[CELL_MSGLEN];

	rep = json_loadb(l->buf ? l->buf : "", l->len, JSON_REJECT_DUPLICATES,
	    &je);
	if (rep == NULL) {
		load_done(r, EIO, "the unpacker failed without a report");
		return;
	}
	if ((e = json_string_value(json_object_get(rep, "error"))) != NULL) {
		snprintf(err, sizeof(err), "%s", e);
		if (!msg_str_ok(err, sizeof(err)))
			strlcpy(err, "the unpacker failed", sizeof(err));
		json_decref(rep);
		load_done(r, EINVAL, err);
		return;
	}
	if (l->mode == IMAGE_SAVE) {	/* the archive is written */
		json_decref(rep);
		log_info("image %s: saved by uid %u", l->ref, l->uid);
		load_done(r, 0, l->ref);
		return;
	}
	if (report_check(l, rep, err, sizeof(err)) == -1) {
		json_decref(rep);
		load_done(r, EINVAL, err);
		return;
	}
	json_decref(rep);
	load_commits(l, r);
}

/* Every layer is in the store: now the records, then the answer. */
static void
image_commit(struct load *l, struct request *r)
{
	json_t	*im, *t;
	char	 msg[CELL_MSGLEN] = "";
	size_t	 i, k;

	json_array_foreach(l->images, i, im)
		json_array_foreach(json_object_get(im, "tags"), k, t) {
			const char *n = json_string_value(json_array_get(t, 0));
			const char *g = json_string_value(json_array_get(t, 1));

			if (image_record_write(n, g, json_object_get(im,
			    "rec")) == -1) {
				load_done(r, errno, "image record");
				return;
			}
			log_info("image %s:%s: %s by uid %u", n, g,
			    l->mode == IMAGE_IMPORT ? "imported" : "loaded",
			    l->uid);
			if (msg[0] != '\0')
				strlcat(msg, " ", sizeof(msg));
			strlcat(msg, n, sizeof(msg));
			strlcat(msg, ":", sizeof(msg));
			strlcat(msg, g, sizeof(msg));
		}
	load_done(r, 0, msg);
}

/* image save NAME: the record's layers and config, to the client's fd. */
void
ctl_image_save(struct client *cl, struct imsg *imsg)
{
	static struct msg_unpack	 u;
	static struct msg_image_load	 m;
	struct msg_ctl_target		 t;
	struct request			*r = NULL;
	struct load			*l;
	char				 name[CELL_NAMELEN], tag[CELL_NAMELEN];
	json_t				*rec = NULL, *ls, *d;
	size_t				 i;
	int				 fd = imsg_get_fd(imsg);

	memset(&m, 0, sizeof(m));
	memset(&u, 0, sizeof(u));
	if (imsg_get_data(imsg, &t, sizeof(t)) == -1 ||
	    !msg_str_ok(t.name, sizeof(t.name)) ||
	    image_ref(t.name, name, tag) == -1 ||
	    (rec = image_record_read(name, tag)) == NULL ||
	    !image_visible(cl->uid, cl->admin, rec) ||
	    !json_is_array(ls = json_object_get(rec, "layers")) ||
	    json_array_size(ls) == 0 || json_array_size(ls) > FS_MAXLAYERS ||
	    (u.configlen = json_dumpb(json_object_get(rec, "config"),
	    u.config, sizeof(u.config), JSON_COMPACT)) == 0 ||
	    u.configlen > sizeof(u.config)) {
		json_decref(rec);
		close(fd);
		control_done(cl, ENOENT, 0, "image save: no such image");
		return;
	}
	snprintf(m.ref, sizeof(m.ref), "%s:%s", name, tag);
	m.mode = IMAGE_SAVE;
	if (load_new(cl, &m, NULL, &r) == -1 || (l = load_get(r->id)) ==
	    NULL || (l->tree = calloc(1, sizeof(*l->tree))) == NULL) {
		json_decref(rec);
		close(fd);
		if (r != NULL)
			load_done(r, ENOMEM, "image save");
		else
			control_done(cl, ENOMEM, 0, "image save");
		return;
	}
	strlcpy(l->tree->id, l->id, sizeof(l->tree->id));
	json_array_foreach(ls, i, d)
		if (!json_is_string(d) || strlcpy(l->tree->layers[i],
		    json_string_value(d), sizeof(l->tree->layers[i])) >=
		    sizeof(l->tree->layers[i]))
			break;
	l->tree->nlayers = i;
	json_decref(rec);
	strlcpy(u.id, l->id, sizeof(u.id));
	strlcpy(u.ref, m.ref, sizeof(u.ref));
	u.mode = IMAGE_SAVE;
	u.nlayers = l->tree->nlayers;
	u.max_archive = u.max_layer = u.max_entries = u.max_layers = 1;
	if (helpers_send(HELPER_SPAWN, MSG_SPAWN_UNPACK, r->id, fd, &u,
	    sizeof(u)) == -1)
		load_done(r, EAGAIN, "spawn-helper is not available");
}
