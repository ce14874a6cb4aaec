/*
 * image_change.c: image import's --change lines, Docker's Dockerfile
 * subset: CMD, ENTRYPOINT (JSON or shell form), ENV, WORKDIR, USER,
 * EXPOSE, LABEL, STOPSIGNAL.  Parsed here, by the parent, into the image
 * config; the client only forwards what the user typed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bsd/string.h>

#include "parent.h"

/* JSON form ["a","b"], or shell form: sh -c "a b". */
static json_t *
change_argv(const char *v)
{
	json_error_t	 je;
	json_t		*j;
	size_t		 i;
	json_t		*e;

	if (*v == '[') {
		if ((j = json_loads(v, JSON_REJECT_DUPLICATES, &je)) == NULL ||
		    !json_is_array(j)) {
			json_decref(j);
			return NULL;
		}
		json_array_foreach(j, i, e)
			if (!json_is_string(e)) {
				json_decref(j);
				return NULL;
			}
		return j;
	}
	return json_pack("[s s s]", "/bin/sh", "-c", v);
}

/* "K=V" or "K V" -> K and V; both for ENV and LABEL. */
static int
change_kv(const char *v, char *k, size_t klen, const char **val)
{
	size_t	n = strcspn(v, "= ");

	if (n == 0 || n >= klen || v[n] == '\0')
		return -1;
	memcpy(k, v, n);
	k[n] = '\0';
	*val = v + n + 1;
	return 0;
}

static int
change_one(json_t *cfg, const char *line, char *err, size_t errlen)
{
	char		 verb[16], key[256];
	const char	*v, *val;
	size_t		 n = strcspn(line, " \t");
	json_t		*a;

	if (n == 0 || n >= sizeof(verb))
		goto bad;
	memcpy(verb, line, n);
	verb[n] = '\0';
	for (v = line + n; *v == ' ' || *v == '\t'; v++)
		;
	if (*v == '\0')
		goto bad;
	if (strcasecmp(verb, "CMD") == 0 || strcasecmp(verb, "ENTRYPOINT") ==
	    0) {
		if ((a = change_argv(v)) == NULL)
			goto bad;
		json_object_set_new(cfg, strcasecmp(verb, "CMD") == 0 ? "Cmd" :
		    "Entrypoint", a);
	} else if (strcasecmp(verb, "ENV") == 0) {
		if (change_kv(v, key, sizeof(key), &val) == -1)
			goto bad;
		if ((a = json_object_get(cfg, "Env")) == NULL)
			json_object_set_new(cfg, "Env", a = json_array());
		snprintf(key + strlen(key), sizeof(key) - strlen(key), "=%s",
		    val);
		json_array_append_new(a, json_string(key));
	} else if (strcasecmp(verb, "LABEL") == 0) {
		if (change_kv(v, key, sizeof(key), &val) == -1)
			goto bad;
		if ((a = json_object_get(cfg, "Labels")) == NULL)
			json_object_set_new(cfg, "Labels", a = json_object());
		json_object_set_new(a, key, json_string(val));
	} else if (strcasecmp(verb, "EXPOSE") == 0) {
		if ((a = json_object_get(cfg, "ExposedPorts")) == NULL)
			json_object_set_new(cfg, "ExposedPorts",
			    a = json_object());
		snprintf(key, sizeof(key), "%s%s", v, strchr(v, '/') ? "" :
		    "/tcp");
		json_object_set_new(a, key, json_object());
	} else if (strcasecmp(verb, "WORKDIR") == 0 && *v == '/')
		json_object_set_new(cfg, "WorkingDir", json_string(v));
	else if (strcasecmp(verb, "USER") == 0)
		json_object_set_new(cfg, "User", json_string(v));
	else if (strcasecmp(verb, "STOPSIGNAL") == 0)
		json_object_set_new(cfg, "StopSignal", json_string(v));
	else
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "--change: cannot apply '%.100s'", line);
	return -1;
}

/* n NUL-separated lines in buf (IMAGE_CHANGEMAX bytes) into cfg. */
int
image_changes(json_t *cfg, const char *buf, uint32_t n, char *err,
    size_t errlen)
{
	size_t		off = 0, len;
	uint32_t	i;

	if (n > 64) {
		snprintf(err, errlen, "--change: more than 64");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (off >= IMAGE_CHANGEMAX ||
		    !msg_str_ok(buf + off, IMAGE_CHANGEMAX - off)) {
			snprintf(err, errlen, "--change: malformed");
			return -1;
		}
		len = strlen(buf + off);
		if (change_one(cfg, buf + off, err, errlen) == -1)
			return -1;
		off += len + 1;
	}
	return 0;
}
