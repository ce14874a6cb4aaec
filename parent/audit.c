/*
 * audit.c: one line per request, to syslog and to a JSON-lines file:
 * when, who (uid, gid, pid from SO_PEERCRED), the verb, the target and
 * the result.  The file is opened before the privilege drop, appended to
 * with O_APPEND, and its lines are built with jansson.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <jansson.h>

#include "parent.h"

static int	audit_fd = -1;

void
audit_init(void)
{
	char	path[PATH_MAX];

	if (env->conf.audit[0] != '\0')
		strlcpy(path, env->conf.audit, sizeof(path));
	else
		snprintf(path, sizeof(path), "%s/audit.log",
		    env->conf.storage);
	audit_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (audit_fd == -1)
		fatal("audit: %s", path);
}

static void
audit_time(char *buf, size_t len)
{
	struct timespec	ts;
	struct tm	tm;
	char		s[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06ldZ", s, ts.tv_nsec / 1000);
}

/* The request of c ends with err (0: ok) and msg. */
void
audit(const struct client *c, int err, const char *msg)
{
	json_t	*j;
	char	*line, when[48], result[CELL_MSGLEN + 64];

	if (err == 0)
		strlcpy(result, "ok", sizeof(result));
	else
		snprintf(result, sizeof(result), "refused: %s%s%s",
		    msg != NULL && msg[0] ? msg : "", msg != NULL && msg[0] ?
		    ": " : "", strerror(err));
	audit_time(when, sizeof(when));
	log_info("audit: uid %u pid %d %s %s: %s", c->uid, c->pid,
	    c->verb[0] ? c->verb : "-", c->target[0] ? c->target : "-",
	    result);
	if (audit_fd == -1)
		return;
	j = json_pack("{s:s s:I s:I s:I s:s s:s s:s}", "time", when, "uid",
	    (json_int_t)c->uid, "gid", (json_int_t)c->gid, "pid",
	    (json_int_t)c->pid, "verb", c->verb, "target", c->target,
	    "result", result);
	if (j == NULL || (line = json_dumps(j, JSON_COMPACT)) == NULL) {
		json_decref(j);
		return;
	}
	if (dprintf(audit_fd, "%s\n", line) < 0)
		log_warn("audit: write");
	free(line);
	json_decref(j);
}

/* What a request is about: its verb, and the name its payload starts with. */
void
audit_context(struct client *c, struct imsg *imsg)
{
	const char	*name = msg_name(imsg_get_type(imsg));
	size_t		 i;

	strlcpy(c->verb, strncmp(name, "ctl-", 4) == 0 ? name + 4 : name,
	    sizeof(c->verb));
	c->target[0] = '\0';
	if (imsg->datalen < CELL_NAMELEN || imsg_get_type(imsg) ==
	    MSG_CTL_STDIO || imsg_get_type(imsg) == MSG_CTL_VOLUME)
		return;
	for (i = 0; i < CELL_NAMELEN - 1; i++) {
		char ch = ((const char *)imsg->data)[i];

		if (ch == '\0')
			break;
		c->target[i] = ch >= 0x20 && ch < 0x7f ? ch : '?';
	}
	c->target[i] = '\0';
	if (imsg_get_type(imsg) == MSG_CTL_CREATE && c->target[0] == '\0' &&
	    imsg->datalen == sizeof(struct cell_spec))
		strlcpy(c->target, ((const struct cell_spec *)imsg->data)->image,
		    sizeof(c->target));
}
