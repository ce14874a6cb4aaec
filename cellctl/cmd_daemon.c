/*
 * cmd_daemon.c: ping, version and info.
 */
#include <sys/capability.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>
#include <jansson.h>

#include "cellctl.h"

struct procs {
	struct msg_procinfo	p[8];
	int			n;
};

static int
ping_collect(struct ctl *ctl, struct imsg *imsg, void *arg)
{
	struct procs	*ps = arg;

	(void)ctl;
	if (imsg_get_type(imsg) != MSG_CTL_PROC || ps->n == 8 ||
	    imsg_get_data(imsg, &ps->p[ps->n], sizeof(ps->p[0])) == -1)
		return -1;
	ps->p[ps->n].title[sizeof(ps->p[0].title) - 1] = '\0';
	ps->n++;
	return 0;
}

/* "net_admin,sys_admin" from a mask, or "none". */
static void
capnames(uint64_t m, char *buf, size_t len)
{
	char	*name;
	int	 c;

	buf[0] = '\0';
	for (c = 0; c < 64; c++) {
		if (!(m & (1ULL << c)))
			continue;
		if ((name = cap_to_name(c)) == NULL)
			continue;
		if (buf[0] != '\0')
			strlcat(buf, ",", len);
		strlcat(buf, name + (strncmp(name, "cap_", 4) ? 0 : 4), len);
		cap_free(name);
	}
	if (buf[0] == '\0')
		strlcpy(buf, "none", len);
}

static const char *
seccomp_mode(uint32_t m)
{
	return m == 2 ? "filter" : m == 1 ? "strict" : "none";
}

static void
ping_json(struct procs *ps)
{
	json_t	*a = json_array(), *o;
	char	 caps[1024];
	int	 i;

	for (i = 0; i < ps->n; i++) {
		o = json_object();
		json_object_set_new(o, "process", json_string(ps->p[i].title));
		json_object_set_new(o, "pid", json_integer(ps->p[i].pid));
		json_object_set_new(o, "uid", json_integer(ps->p[i].uid));
		json_object_set_new(o, "gid", json_integer(ps->p[i].gid));
		capnames(ps->p[i].cap_eff, caps, sizeof(caps));
		json_object_set_new(o, "capabilities", json_string(caps));
		json_object_set_new(o, "cap_eff", json_integer(
		    (json_int_t)ps->p[i].cap_eff));
		json_object_set_new(o, "cap_prm", json_integer(
		    (json_int_t)ps->p[i].cap_prm));
		json_object_set_new(o, "cap_bnd", json_integer(
		    (json_int_t)ps->p[i].cap_bnd));
		json_object_set_new(o, "cap_inh", json_integer(
		    (json_int_t)ps->p[i].cap_inh));
		json_object_set_new(o, "cap_amb", json_integer(
		    (json_int_t)ps->p[i].cap_amb));
		json_object_set_new(o, "no_new_privs",
		    json_boolean(ps->p[i].nnp));
		json_object_set_new(o, "seccomp",
		    json_string(seccomp_mode(ps->p[i].seccomp)));
		json_object_set_new(o, "landlock",
		    json_boolean(ps->p[i].landlock));
		json_array_append_new(a, o);
	}
	json_dumpf(a, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(a);
}

static void
ping_table(struct procs *ps)
{
	char	caps[1024];
	int	i;

	printf("%-14s %8s %6s %3s %-7s %-8s %s\n", "PROCESS", "PID", "UID",
	    "NNP", "SECCOMP", "LANDLOCK", "CAPABILITIES");
	for (i = 0; i < ps->n; i++) {
		capnames(ps->p[i].cap_eff, caps, sizeof(caps));
		printf("%-14s %8d %6u %3u %-7s %-8s %s\n", ps->p[i].title,
		    ps->p[i].pid, ps->p[i].uid, ps->p[i].nnp,
		    seccomp_mode(ps->p[i].seccomp),
		    ps->p[i].landlock ? "yes" : "no", caps);
	}
}

int
cmd_ping(struct ctl *ctl, int argc, char **argv)
{
	struct procs		ps;
	struct msg_result	res;

	(void)argv;
	if (argc != 1)
		ctl_die("usage: cellctl ping [--json]");
	memset(&ps, 0, sizeof(ps));
	ctl_connect(ctl);
	ctl_send(ctl, MSG_CTL_PING, -1, NULL, 0);
	if (ctl_wait(ctl, ping_collect, &ps, &res) != 0)
		ctl_die("ping: %s", res.msg[0] ? res.msg : strerror(res.err));
	if (ctl->json)
		ping_json(&ps);
	else
		ping_table(&ps);
	return 0;
}

static int
kv_print(struct ctl *ctl, struct imsg *imsg, void *arg)
{
	struct msg_kv	 kv;
	json_t		*o = arg;

	if (imsg_get_type(imsg) != MSG_CTL_KV ||
	    imsg_get_data(imsg, &kv, sizeof(kv)) == -1)
		return -1;
	kv.key[sizeof(kv.key) - 1] = '\0';
	kv.val[sizeof(kv.val) - 1] = '\0';
	if (ctl->json)
		json_object_set_new(o, kv.key, json_string(kv.val));
	else
		printf("%s: %s\n", kv.key, kv.val);
	return 0;
}

static int
kv_command(struct ctl *ctl, uint32_t type, const char *what)
{
	struct msg_result	 res;
	json_t			*o = json_object();

	ctl_connect(ctl);
	ctl_send(ctl, type, -1, NULL, 0);
	if (ctl_wait(ctl, kv_print, o, &res) != 0)
		ctl_die("%s: %s", what, res.msg[0] ? res.msg :
		    strerror(res.err));
	if (ctl->json) {
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	json_decref(o);
	return 0;
}

int
cmd_version(struct ctl *ctl, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		ctl_die("usage: cellctl version [--json]");
	if (!ctl->json)
		printf("cellctl: %s\n", CELLD_VERSION);
	return kv_command(ctl, MSG_CTL_VERSION, "version");
}

int
cmd_info(struct ctl *ctl, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		ctl_die("usage: cellctl info [--json]");
	return kv_command(ctl, MSG_CTL_INFO, "info");
}
