/*
 * image.c: from an image name to what a container needs of it: its
 * layers, and its config applied under the user's flags as Docker does.
 * The image index is JSON, read with jansson.
 */
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>
#include <jansson.h>

#include "parent.h"

/* "name[:tag]" -> images/name_tag.json, names checked like all names. */
static json_t *
image_open(const char *ref, char *err, size_t errlen)
{
	char		 name[CELL_NAMELEN], path[PATH_MAX], *tag;
	json_error_t	 je;
	json_t		*j;

	strlcpy(name, ref, sizeof(name));
	if ((tag = strchr(name, ':')) != NULL)
		*tag++ = '\0';
	else
		tag = "latest";
	if (!msg_name_ok(name, sizeof(name)) ||
	    !msg_name_ok(tag, strlen(tag) + 1)) {
		snprintf(err, errlen, "%s: bad image name", ref);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/images/%s_%s.json",
	    env->conf.storage, name, tag);
	if ((j = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) == NULL)
		snprintf(err, errlen, "%s: no such image", ref);
	return j;
}

/* Append the strings of a JSON array to a NUL-separated block. */
static int
strings_add(char *buf, size_t size, uint32_t *n, json_t *arr)
{
	size_t		 off = 0, i;
	uint32_t	 k;
	json_t		*v;

	for (k = 0; k < *n; k++)
		off += strlen(buf + off) + 1;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) ||
		    off + json_string_length(v) + 1 > size)
			return -1;
		memcpy(buf + off, json_string_value(v),
		    json_string_length(v) + 1);
		off += json_string_length(v) + 1;
		(*n)++;
	}
	return 0;
}

static size_t
blocklen(const char *buf, uint32_t n)
{
	size_t		off = 0;
	uint32_t	i;

	for (i = 0; i < n; i++)
		off += strlen(buf + off) + 1;
	return off;
}

/* Append the n strings of block (len bytes) after the dst strings. */
static int
block_append(char *dst, size_t size, uint32_t *dn, const char *block,
    size_t len, uint32_t n)
{
	size_t	off = blocklen(dst, *dn);

	if (off + len > size)
		return -1;
	memcpy(dst + off, block, len);
	*dn += n;
	return 0;
}

/* Docker: argv = (--entrypoint | Entrypoint) + (args | Cmd). */
static int
image_argv(struct cell_spec *s, json_t *cfg)
{
	char		 user[SPEC_ARGMAX];
	uint32_t	 nuser = s->argc;
	size_t		 ulen = blocklen(s->args, s->argc);
	json_t		*ep = json_object_get(cfg, "Entrypoint");
	json_t		*cmd = json_object_get(cfg, "Cmd");

	memcpy(user, s->args, ulen);
	memset(s->args, 0, sizeof(s->args));
	s->argc = 0;
	if (s->entrypoint[0] != '\0') {
		if (block_append(s->args, sizeof(s->args), &s->argc,
		    s->entrypoint, strlen(s->entrypoint) + 1, 1) == -1)
			return -1;
		cmd = NULL;	/* --entrypoint resets the image's Cmd */
	} else if (json_is_array(ep) &&
	    strings_add(s->args, sizeof(s->args), &s->argc, ep) == -1)
		return -1;
	if (nuser > 0) {
		if (block_append(s->args, sizeof(s->args), &s->argc, user,
		    ulen, nuser) == -1)
			return -1;
	} else if (json_is_array(cmd) &&
	    strings_add(s->args, sizeof(s->args), &s->argc, cmd) == -1)
		return -1;
	return s->argc > 0 ? 0 : -1;
}

/* Image Env first, then the user's -e, which win (the init keeps last). */
static int
image_env(struct cell_spec *s, json_t *cfg)
{
	char		 user[SPEC_ENVMAX];
	uint32_t	 nuser = s->envc;
	size_t		 ulen = blocklen(s->env, s->envc);
	json_t		*e = json_object_get(cfg, "Env");

	memcpy(user, s->env, ulen);
	memset(s->env, 0, sizeof(s->env));
	s->envc = 0;
	if (json_is_array(e) &&
	    strings_add(s->env, sizeof(s->env), &s->envc, e) == -1)
		return -1;
	return block_append(s->env, sizeof(s->env), &s->envc, user, ulen,
	    nuser);
}

static void
image_defaults(struct cell_spec *s, json_t *cfg)
{
	json_t	*v;
	int	 sig;

	if (s->workdir[0] == '\0' &&
	    json_is_string(v = json_object_get(cfg, "WorkingDir")))
		strlcpy(s->workdir, json_string_value(v), sizeof(s->workdir));
	if (s->user[0] == '\0' &&
	    json_is_string(v = json_object_get(cfg, "User")))
		strlcpy(s->user, json_string_value(v), sizeof(s->user));
	/* an unknown name is no error: stop falls back on SIGTERM */
	if (s->stopsig == 0 &&
	    json_is_string(v = json_object_get(cfg, "StopSignal")) &&
	    (sig = msg_signal(json_string_value(v))) > 0)
		s->stopsig = sig;
}

/* the spec's labels with key k ("k=..."), or NULL */
static const char *
label_find(const struct cell_spec *s, const char *k, size_t klen)
{
	size_t		off = 0;
	uint32_t	i;

	for (i = 0; i < s->nlabels; i++) {
		if (strncmp(s->labels + off, k, klen) == 0 &&
		    s->labels[off + klen] == '=')
			return s->labels + off;
		off += strlen(s->labels + off) + 1;
	}
	return NULL;
}

/*
 * The image's Labels that the user's --label doesn't override, then the
 * user's.  A label that isn't one clean line is dropped.
 */
static int
image_labels(struct cell_spec *s, json_t *cfg)
{
	char		 out[SPEC_LABELMAX], kv[SPEC_LABELMAX];
	uint32_t	 n = 0;
	size_t		 len, off;
	const char	*k;
	json_t		*v;

	json_object_foreach(json_object_get(cfg, "Labels"), k, v) {
		if (!json_is_string(v) || k[0] == '\0' || strchr(k, '=') ||
		    label_find(s, k, strlen(k)) != NULL)
			continue;
		len = snprintf(kv, sizeof(kv), "%s=%s", k, json_string_value(v));
		if (len >= sizeof(kv) || !msg_str_ok(kv, len + 1))
			continue;
		if (block_append(out, sizeof(out), &n, kv, len + 1, 1) == -1)
			return -1;
	}
	off = blocklen(out, n);
	len = blocklen(s->labels, s->nlabels);
	if (off + len > sizeof(out))
		return -1;
	memcpy(out + off, s->labels, len);
	memcpy(s->labels, out, off + len);
	s->nlabels += n;
	return 0;
}

/* "80/tcp" keys of the image's ExposedPorts join --expose, once each */
static int
image_expose(struct cell_spec *s, json_t *cfg)
{
	struct cell_expose	 e;
	const char		*k;
	json_t			*v;
	char			*end;
	long			 port;
	uint32_t		 i;

	json_object_foreach(json_object_get(cfg, "ExposedPorts"), k, v) {
		port = strtol(k, &end, 10);
		if (port < 1 || port > 65535 || (*end != '\0' &&
		    strcmp(end, "/tcp") != 0 && strcmp(end, "/udp") != 0))
			continue;
		e.port = port;
		e.proto = strcmp(end, "/udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
		for (i = 0; i < s->nexpose; i++)
			if (s->expose[i].port == e.port &&
			    s->expose[i].proto == e.proto)
				break;
		if (i < s->nexpose)
			continue;
		if (s->nexpose == SPEC_MAXEXPOSE)
			return -1;
		s->expose[s->nexpose++] = e;
	}
	return 0;
}

/* -P: each exposed port not yet published, on a port celld picks */
static int
publish_all(struct cell_spec *s)
{
	uint32_t	i, j;

	if (!(s->flags & SPEC_PUBLISHALL) || (s->flags & SPEC_NONET))
		return 0;
	for (i = 0; i < s->nexpose; i++) {
		for (j = 0; j < s->nports; j++)
			if (s->ports[j].cport == s->expose[i].port &&
			    s->ports[j].proto == s->expose[i].proto)
				break;
		if (j < s->nports)
			continue;
		if (s->nports == SPEC_MAXPORTS)
			return -1;
		memset(&s->ports[j], 0, sizeof(s->ports[j]));
		s->ports[j].cport = s->expose[i].port;
		s->ports[j].proto = s->expose[i].proto;
		s->portsrand |= 1U << j;
		s->nports++;
	}
	return 0;
}

static int
image_layers(struct cell *c, json_t *arr)
{
	size_t	 i;
	json_t	*v;

	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > FS_MAXLAYERS)
		return -1;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || strlcpy(c->layers[i],
		    json_string_value(v), sizeof(c->layers[i])) >=
		    sizeof(c->layers[i]) ||
		    !msg_id_ok(c->layers[i], sizeof(c->layers[i])))
			return -1;
	}
	c->nlayers = json_array_size(arr);
	return 0;
}

/* Fill c's layers and apply the image config to its spec. */
int
image_resolve(struct cell *c, int admin, char *err, size_t errlen)
{
	json_t	*j, *cfg;
	int	 r = -1;

	if ((j = image_open(c->spec.image, err, errlen)) == NULL)
		return -1;
	if (!image_visible(c->owner, admin, j)) {
		snprintf(err, errlen, "%s: no such image", c->spec.image);
		json_decref(j);
		return -1;
	}
	cfg = json_object_get(j, "config");
	if (image_layers(c, json_object_get(j, "layers")) == -1)
		snprintf(err, errlen, "%s: image has bad layers",
		    c->spec.image);
	else if (image_argv(&c->spec, cfg) == -1)
		snprintf(err, errlen, "%s: no command given and the image "
		    "has none", c->spec.image);
	else if (image_env(&c->spec, cfg) == -1)
		snprintf(err, errlen, "environment too large");
	else if (image_labels(&c->spec, cfg) == -1)
		snprintf(err, errlen, "labels too large (max %d bytes)",
		    SPEC_LABELMAX);
	else if (image_expose(&c->spec, cfg) == -1 ||
	    publish_all(&c->spec) == -1)
		snprintf(err, errlen, "too many exposed or published ports "
		    "(max %d)", SPEC_MAXPORTS);
	else {
		image_defaults(&c->spec, cfg);
		r = 0;
	}
	json_decref(j);
	return r;
}
