/*
 * image_store.c: image records and the verbs on them: ls, inspect, rm,
 * tag and prune.  A record is images/<name>_<tag>.json, written whole
 * (temp file, fsync, rename): {name, tag, id, layers, config, owner,
 * created}.  A record without an owner (tests/mkimage.sh's busybox) is
 * the admins'.  Everyone may use and read every image; only its owner or
 * an admin may remove or retag over it.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <jansson.h>

#include "parent.h"

/* "name[:tag]" -> name and tag, checked; tag defaults to latest. */
int
image_ref(const char *ref, char *name, char *tag)
{
	char	buf[CELL_NAMELEN * 2], *c;

	if (strlcpy(buf, ref, sizeof(buf)) >= sizeof(buf))
		return -1;
	if ((c = strrchr(buf, ':')) != NULL)
		*c++ = '\0';
	if (strlcpy(name, buf, CELL_NAMELEN) >= CELL_NAMELEN ||
	    strlcpy(tag, c ? c : "latest", CELL_NAMELEN) >= CELL_NAMELEN)
		return -1;
	return msg_name_ok(name, CELL_NAMELEN) &&
	    msg_name_ok(tag, CELL_NAMELEN) ? 0 : -1;
}

static void
record_path(char *path, size_t len, const char *name, const char *tag)
{
	snprintf(path, len, "%s/images/%s_%s.json", env->conf.storage, name,
	    tag);
}

json_t *
image_record_read(const char *name, const char *tag)
{
	char		path[PATH_MAX];
	json_error_t	je;

	record_path(path, sizeof(path), name, tag);
	return json_load_file(path, JSON_REJECT_DUPLICATES, &je);
}

/* The record's owner: its "owner", or 0 (an admin's) without one. */
uid_t
image_owner(json_t *rec)
{
	json_t	*o = json_object_get(rec, "owner");

	return json_is_integer(o) && json_integer_value(o) >= 0 ?
	    (uid_t)json_integer_value(o) : 0;
}

/* Admins' images are shared; a user's own are the user's alone. */
int
image_visible(uid_t uid, int admin, json_t *rec)
{
	json_t	*sh = json_object_get(rec, "shared");

	return admin || json_object_get(rec, "owner") == NULL ||
	    json_is_true(sh) || image_owner(rec) == uid;
}

int
image_may_change(const struct client *cl, json_t *rec)
{
	return cl->admin || rec == NULL || image_owner(rec) == cl->uid;
}

int
image_record_write(const char *name, const char *tag, json_t *rec)
{
	char	 path[PATH_MAX], tmp[PATH_MAX], *s;
	size_t	 len;
	int	 fd, r = -1;

	if (json_object_set_new(rec, "name", json_string(name)) == -1 ||
	    json_object_set_new(rec, "tag", json_string(tag)) == -1 ||
	    (s = json_dumps(rec, JSON_COMPACT)) == NULL)
		return -1;
	len = strlen(s);
	record_path(path, sizeof(path), name, tag);
	snprintf(tmp, sizeof(tmp), "%s/images/.%s_%s.json.tmp",
	    env->conf.storage, name, tag);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) == -1)
		goto done;
	if (write(fd, s, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
	    fsync(fd) == -1) {
		close(fd);
		unlink(tmp);
		goto done;
	}
	close(fd);
	if ((r = rename(tmp, path)) == -1)
		unlink(tmp);
done:
	free(s);
	return r;
}

/* Call fn on every record; stops when fn returns non-zero. */
int
image_foreach(int (*fn)(json_t *, void *), void *arg)
{
	char		 path[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	json_error_t	 je;
	json_t		*j;
	size_t		 n;
	int		 r = 0;

	snprintf(path, sizeof(path), "%s/images", env->conf.storage);
	if ((d = opendir(path)) == NULL)
		return -1;
	while (r == 0 && (de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n < 6 ||
		    strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/images/%s",
		    env->conf.storage, de->d_name);
		if ((j = json_load_file(path, JSON_REJECT_DUPLICATES,
		    &je)) == NULL)
			continue;
		r = fn(j, arg);
		json_decref(j);
	}
	closedir(d);
	return r;
}

static int
ls_one(json_t *rec, void *arg)
{
	struct client		*cl = arg;
	json_t			*o;

	if (!image_visible(cl->uid, cl->admin, rec))
		return 0;

	o = json_pack("{s:O? s:O? s:O? s:O? s:O? s:i}", "name",
	    json_object_get(rec, "name"), "tag", json_object_get(rec, "tag"),
	    "id", json_object_get(rec, "id"), "created",
	    json_object_get(rec, "created"), "layers",
	    json_object_get(rec, "layers"), "owner", (int)image_owner(rec));
	control_json(cl, o, JSON_COMPACT);	/* too large: left out */
	return 0;
}

void
ctl_image_ls(struct client *cl, struct imsg *imsg)
{
	(void)imsg;
	image_foreach(ls_one, cl);
	control_done(cl, 0, 0, NULL);
}

static int
target_ref(struct client *cl, struct imsg *imsg, struct msg_ctl_target *t,
    char *name, char *tag)
{
	char	err[CELL_MSGLEN];

	if (imsg_get_data(imsg, t, sizeof(*t)) == -1 ||
	    !msg_str_ok(t->name, sizeof(t->name)) ||
	    image_ref(t->name, name, tag) == -1) {
		snprintf(err, sizeof(err), "%.128s: bad image name",
		    msg_str_ok(t->name, sizeof(t->name)) ? t->name : "?");
		control_done(cl, EINVAL, 0, err);
		return -1;
	}
	return 0;
}

void
ctl_image_inspect(struct client *cl, struct imsg *imsg)
{
	struct msg_ctl_target	 t;
	char			 name[CELL_NAMELEN], tag[CELL_NAMELEN];
	json_t			*rec;

	if (target_ref(cl, imsg, &t, name, tag) == -1)
		return;
	if ((rec = image_record_read(name, tag)) == NULL ||
	    !image_visible(cl->uid, cl->admin, rec)) {
		json_decref(rec);
		control_done(cl, ENOENT, 0, "no such image");
		return;
	}
	json_object_set_new(rec, "owner", json_integer(image_owner(rec)));
	if (control_json(cl, rec, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == -1)
		control_done(cl, errno, 0, errno == E2BIG ?
		    "image record too large" : "image inspect");
	else
		control_done(cl, 0, 0, NULL);
}

/* Does a container (any state) use image name:tag? */
static int
image_in_use(const char *name, const char *tag)
{
	struct cell	*c;
	char		 n[CELL_NAMELEN], t[CELL_NAMELEN];

	RB_FOREACH(c, cells, &cells)
		if (image_ref(c->spec.image, n, t) == 0 &&
		    strcmp(n, name) == 0 && strcmp(t, tag) == 0)
			return 1;
	return 0;
}

void
ctl_image_rm(struct client *cl, struct imsg *imsg)
{
	struct msg_ctl_target	 t;
	char			 name[CELL_NAMELEN], tag[CELL_NAMELEN];
	char			 path[PATH_MAX], err[CELL_MSGLEN];
	json_t			*rec;
	int			 mine;

	if (target_ref(cl, imsg, &t, name, tag) == -1)
		return;
	if ((rec = image_record_read(name, tag)) != NULL &&
	    !image_visible(cl->uid, cl->admin, rec)) {
		json_decref(rec);
		rec = NULL;
	}
	if (rec == NULL) {
		snprintf(err, sizeof(err), "%s:%s: no such image", name, tag);
		control_done(cl, ENOENT, 0, err);
		return;
	}
	mine = image_may_change(cl, rec);
	json_decref(rec);
	if (!mine) {
		snprintf(err, sizeof(err), "%s:%s: image belongs to another "
		    "user", name, tag);
		control_done(cl, EPERM, 0, err);
		return;
	}
	/* with -f the record goes; the layers stay while a container uses
	 * them (prune skips them) */
	if (!(t.flags & CTL_FORCE) && image_in_use(name, tag)) {
		snprintf(err, sizeof(err), "%s:%s: image is used by a "
		    "container (use -f)", name, tag);
		control_done(cl, EBUSY, 0, err);
		return;
	}
	record_path(path, sizeof(path), name, tag);
	if (unlink(path) == -1) {
		control_done(cl, errno, 0, "image rm");
		return;
	}
	log_info("image %s:%s: removed by uid %u", name, tag, cl->uid);
	control_done(cl, 0, 0, NULL);
}

void
ctl_image_tag(struct client *cl, struct imsg *imsg)
{
	struct msg_ctl_rename	 mr;
	char			 sn[CELL_NAMELEN], st[CELL_NAMELEN];
	char			 dn[CELL_NAMELEN], dt[CELL_NAMELEN];
	json_t			*src, *dst;

	if (imsg_get_data(imsg, &mr, sizeof(mr)) == -1 ||
	    !msg_str_ok(mr.name, sizeof(mr.name)) ||
	    !msg_str_ok(mr.newname, sizeof(mr.newname)) ||
	    image_ref(mr.name, sn, st) == -1 ||
	    image_ref(mr.newname, dn, dt) == -1) {
		control_done(cl, EINVAL, 0, "image tag: bad image name");
		return;
	}
	if ((src = image_record_read(sn, st)) != NULL &&
	    !image_visible(cl->uid, cl->admin, src)) {
		json_decref(src);
		src = NULL;
	}
	if (src == NULL) {
		control_done(cl, ENOENT, 0, "image tag: no such image");
		return;
	}
	dst = image_record_read(dn, dt);
	if (!image_may_change(cl, dst)) {
		json_decref(src);
		json_decref(dst);
		control_done(cl, EPERM, 0, "image tag: the target name "
		    "belongs to another user's image");
		return;
	}
	json_decref(dst);
	/* the new name is the tagger's, whoever owns the source */
	json_object_set_new(src, "owner", json_integer(cl->uid));
	json_object_set_new(src, "shared", json_boolean(cl->admin));
	if (image_record_write(dn, dt, src) == -1)
		control_done(cl, errno, 0, "image tag");
	else
		control_done(cl, 0, 0, NULL);
	json_decref(src);
}

/* prune: every layer in the store that no image and no container uses. */
static int
prune_mark(json_t *rec, void *arg)
{
	json_t	*used = arg, *d;
	size_t	 i;

	json_array_foreach(json_object_get(rec, "layers"), i, d)
		if (json_is_string(d))
			json_object_set_new(used, json_string_value(d),
			    json_true());
	return 0;
}

static void
prune_step(struct request *r, int h, struct imsg *imsg)
{
	struct msg_result	res;
	char			msg[64];

	(void)h;
	if (imsg == NULL) {
		request_done(r, ETIMEDOUT, 125, "fs-helper did not answer");
		return;
	}
	if (imsg_get_type(imsg) != MSG_RESULT || imsg_get_data(imsg, &res,
	    sizeof(res)) == -1 || res.err != 0) {
		request_done(r, EIO, 125, "image prune: a layer could not be "
		    "removed");
		return;
	}
	if (--r->waiting == 0) {
		snprintf(msg, sizeof(msg), "%d", r->step);
		request_done(r, 0, 0, msg);
	}
}

void
ctl_image_prune(struct client *cl, struct imsg *imsg)
{
	extern int		 image_loads;
	struct msg_fs_layer	 fl;
	struct request		*r;
	struct cell		*c;
	struct dirent		*de;
	char			 path[PATH_MAX];
	json_t			*used;
	DIR			*d;
	uint32_t		 i;

	(void)imsg;
	if (!cl->admin) {
		control_done(cl, EPERM, 0, "image prune: admins only");
		return;
	}
	if (image_loads > 0) {
		control_done(cl, EBUSY, 0, "image prune: a load is running");
		return;
	}
	snprintf(path, sizeof(path), "%s/layers/sha256", env->conf.storage);
	if ((used = json_object()) == NULL || (d = opendir(path)) == NULL ||
	    (r = request_new(cl, MSG_CTL_IMAGE_PRUNE)) == NULL) {
		json_decref(used);
		control_done(cl, errno, 0, "image prune");
		return;
	}
	image_foreach(prune_mark, used);
	RB_FOREACH(c, cells, &cells)
		for (i = 0; i < c->nlayers; i++)
			json_object_set_new(used, c->layers[i], json_true());
	r->cb = prune_step;
	r->waitmask = 1u << HELPER_FS;
	while ((de = readdir(d)) != NULL) {
		if (!msg_id_ok(de->d_name, strlen(de->d_name) + 1) ||
		    json_object_get(used, de->d_name) != NULL)
			continue;
		memset(&fl, 0, sizeof(fl));
		strlcpy(fl.digest, de->d_name, sizeof(fl.digest));
		if (helpers_send(HELPER_FS, MSG_FS_LAYER_RM, r->id, -1, &fl,
		    sizeof(fl)) == 0) {
			r->waiting++;
			r->step++;
		}
	}
	closedir(d);
	json_decref(used);
	if (r->waiting == 0)
		request_done(r, 0, 0, "0");
}
