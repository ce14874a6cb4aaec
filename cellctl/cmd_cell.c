/*
 * cmd_cell.c: the verbs on existing containers: start, stop, restart,
 * kill, rm, ps and wait (logs has its own file).  Output and exit codes
 * follow Docker's; errors are one line and 125.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <jansson.h>

#include "cellctl.h"

#define STOP_TIMEOUT	10		/* seconds, Docker's default */
#define SHORT_ID	12

/* getopt_long in GNU order, so flags may follow names as with Docker. */
int
cell_getopt(int argc, char **argv, const char *so, const struct option *lo)
{
	char	err[256];
	int	c;

	c = getopt_long(argc, argv, so, lo, NULL);
	if (c == '?' || c == ':') {
		opt_error(err, sizeof(err), argv[0], c, argv, so);
		ctl_die("%s", err);
	}
	return c;
}

void
cell_optreset(void)
{
	opterr = 0;
	optind = 0;
}

static int
cell_seconds(const char *cmd, const char *s)
{
	const char	*errstr;
	int		 n;

	n = strtonum(s, 0, INT32_MAX, &errstr);
	if (errstr != NULL)
		ctl_die("%s: timeout \"%s\" is %s", cmd, s, errstr);
	return n;
}

/*
 * One request per name, its target's sig, timeout and flags those of
 * tmpl, printing each name done, like Docker.
 */
int
cell_each(struct ctl *ctl, uint32_t type, const struct msg_ctl_target *tmpl,
    int n, char **names)
{
	struct msg_ctl_target	t;
	struct msg_result	res;
	int			i, rv = 0;

	for (i = 0; i < n; i++) {
		if (ctl_target(&t, names[i]) == -1) {
			rv = EXIT_CELLD;
			continue;
		}
		t.sig = tmpl->sig;
		t.timeout = tmpl->timeout;
		t.flags = tmpl->flags;
		ctl_send(ctl, type, -1, &t, sizeof(t));
		if (ctl_wait(ctl, NULL, NULL, &res) != 0) {
			ctl_warn(names[i], &res);
			rv = EXIT_CELLD;
			continue;
		}
		printf("%s\n", names[i]);
		fflush(stdout);
	}
	return rv;
}

int
cmd_start(struct ctl *ctl, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "attach", no_argument, NULL, 'a' },
		{ "interactive", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 }
	};
	int	c, i, attach = 0, in = 0, rv = 0, code, status;

	cell_optreset();
	while ((c = cell_getopt(argc, argv, ":ai", lo)) != -1)
		if (c == 'a')
			attach = 1;
		else
			in = attach = 1;	/* Docker: -i attaches too */
	argc -= optind;
	argv += optind;
	if (argc < 1)
		ctl_die("usage: cellctl start [-a] [-i] NAME ...");
	if (attach && argc != 1)
		ctl_die("start: -a takes one container");
	ctl_connect(ctl);
	if (attach) {
		if ((rv = cell_start(ctl, argv[0], 1, in)) != 0)
			return rv;
		if ((rv = cell_wait(ctl, argv[0], &status)) != 0)
			return rv;
		if (status < 0 || status > 255)
			ctl_die("%s: celld sent a bad exit status %d", argv[0],
			    status);
		return status;
	}
	for (i = 0; i < argc; i++) {
		if ((code = cell_start(ctl, argv[i], 0, 0)) != 0)
			rv = code;
		else
			printf("%s\n", argv[i]);
	}
	return rv;
}

static const struct option stop_lo[] = {
	{ "time", required_argument, NULL, 't' },
	{ "timeout", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 }
};

/* stop and restart: -t S, then the names. */
static int
stop_args(int *argc, char ***argv, struct msg_ctl_target *t)
{
	int	c;

	memset(t, 0, sizeof(*t));
	t->sig = 0;		/* the container's stop signal (celld knows) */
	t->timeout = STOP_TIMEOUT;
	cell_optreset();
	while ((c = cell_getopt(*argc, *argv, ":t:", stop_lo)) != -1)
		t->timeout = cell_seconds((*argv)[0], optarg);
	*argc -= optind;
	*argv += optind;
	return *argc;
}

int
cmd_stop(struct ctl *ctl, int argc, char **argv)
{
	struct msg_ctl_target	t;

	if (stop_args(&argc, &argv, &t) < 1)
		ctl_die("usage: cellctl stop [-t seconds] NAME ...");
	ctl_connect(ctl);
	return cell_each(ctl, MSG_CTL_KILL, &t, argc, argv);
}

int
cmd_restart(struct ctl *ctl, int argc, char **argv)
{
	struct msg_ctl_target	t;
	struct msg_result	res;
	int			i, rv = 0, code, timeout;

	if (stop_args(&argc, &argv, &t) < 1)
		ctl_die("usage: cellctl restart [-t seconds] NAME ...");
	ctl_connect(ctl);
	timeout = t.timeout;
	for (i = 0; i < argc; i++) {
		if (ctl_target(&t, argv[i]) == -1) {
			rv = EXIT_CELLD;
			continue;
		}
		t.sig = 0;
		t.timeout = timeout;
		ctl_send(ctl, MSG_CTL_KILL, -1, &t, sizeof(t));
		if (ctl_wait(ctl, NULL, NULL, &res) != 0) {
			ctl_warn(argv[i], &res);
			rv = EXIT_CELLD;
		} else if ((code = cell_start(ctl, argv[i], 0, 0)) != 0)
			rv = code;
		else
			printf("%s\n", argv[i]);
	}
	return rv;
}

int
cmd_kill(struct ctl *ctl, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "signal", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct msg_ctl_target	t;
	int			c;

	memset(&t, 0, sizeof(t));
	t.sig = SIGKILL;
	t.timeout = -1;		/* a signal, not a stop */
	cell_optreset();
	while ((c = cell_getopt(argc, argv, ":s:", lo)) != -1)
		if ((t.sig = msg_signal(optarg)) == -1)
			ctl_die("kill: invalid signal \"%s\"", optarg);
	argc -= optind;
	argv += optind;
	if (argc < 1)
		ctl_die("usage: cellctl kill [-s signal] NAME ...");
	ctl_connect(ctl);
	return cell_each(ctl, MSG_CTL_KILL, &t, argc, argv);
}

int
cmd_rm(struct ctl *ctl, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "volumes", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct msg_ctl_target	t;
	int			c;

	memset(&t, 0, sizeof(t));
	cell_optreset();
	while ((c = cell_getopt(argc, argv, ":fv", lo)) != -1)
		if (c == 'f')
			t.flags |= CTL_FORCE;
	/* -v: a container has no volumes of its own yet */
	argc -= optind;
	argv += optind;
	if (argc < 1)
		ctl_die("usage: cellctl rm [-f] [-v] NAME ...");
	ctl_connect(ctl);
	return cell_each(ctl, MSG_CTL_RM, &t, argc, argv);
}

int
cmd_wait(struct ctl *ctl, int argc, char **argv)
{
	int	i, rv = 0, status;

	if (argc < 2)
		ctl_die("usage: cellctl wait NAME ...");
	ctl_connect(ctl);
	for (i = 1; i < argc; i++) {
		/* design.md: wait exits with the (last) container's status */
		if (cell_wait(ctl, argv[i], &status) != 0)
			rv = EXIT_CELLD;
		else {
			printf("%d\n", status);
			rv = status;
		}
		fflush(stdout);
	}
	return rv;
}

/* ps */

/* the containers are a struct replies of msg_cell */
static void
ps_clean(void *arg)
{
	struct msg_cell	*c = arg;

	c->id[sizeof(c->id) - 1] = '\0';
	c->name[sizeof(c->name) - 1] = '\0';
	c->image[sizeof(c->image) - 1] = '\0';
	c->command[sizeof(c->command) - 1] = '\0';
	c->state[sizeof(c->state) - 1] = '\0';
}

/* Newest first, as docker ps. */
static int
ps_cmp(const void *a, const void *b)
{
	const struct msg_cell	*x = a, *y = b;

	if (x->created != y->created)
		return x->created < y->created ? 1 : -1;
	return strcmp(x->id, y->id);
}

/* Docker's units.HumanDuration, from seconds. */
static void
ps_human(int64_t s, char *buf, size_t len)
{
	int64_t	h = (s + 1800) / 3600;	/* rounded, as Docker */

	if (s < 1)
		snprintf(buf, len, "Less than a second");
	else if (s == 1)
		snprintf(buf, len, "1 second");
	else if (s < 60)
		snprintf(buf, len, "%lld seconds", (long long)s);
	else if (s / 60 == 1)
		snprintf(buf, len, "About a minute");
	else if (s / 60 < 60)
		snprintf(buf, len, "%lld minutes", (long long)(s / 60));
	else if (h == 1)
		snprintf(buf, len, "About an hour");
	else if (h < 48)
		snprintf(buf, len, "%lld hours", (long long)h);
	else if (h < 24 * 7 * 2)
		snprintf(buf, len, "%lld days", (long long)(h / 24));
	else if (h < 24 * 30 * 2)
		snprintf(buf, len, "%lld weeks", (long long)(h / 24 / 7));
	else if (h < 24 * 365 * 2)
		snprintf(buf, len, "%lld months", (long long)(h / 24 / 30));
	else
		snprintf(buf, len, "%lld years",
		    (long long)(s / 3600 / 24 / 365));
}

static int64_t
ps_ago(int64_t t, int64_t now)
{
	return now > t ? now - t : 0;
}

static void
ps_status(const struct msg_cell *c, int64_t now, char *buf, size_t len)
{
	char	d[32];

	if (strcmp(c->state, "running") == 0) {
		ps_human(ps_ago(c->started, now), d, sizeof(d));
		snprintf(buf, len, "Up %s", d);
	} else if (strcmp(c->state, "exited") == 0) {
		ps_human(ps_ago(c->finished, now), d, sizeof(d));
		snprintf(buf, len, "Exited (%d) %s ago", c->exit_status, d);
	} else if (strcmp(c->state, "created") == 0)
		snprintf(buf, len, "Created");
	else
		snprintf(buf, len, "%s", c->state);
}

/*
 * Docker's COMMAND: cut to 20 characters with an ellipsis, then quoted
 * as Go's strconv.Quote would.
 */
static void
ps_command(const char *cmd, char *buf, size_t len)
{
	size_t		 i, n, chars;
	unsigned char	 ch;

	for (i = chars = n = 0; cmd[i] != '\0'; i++)
		if (((unsigned char)cmd[i] & 0xc0) != 0x80 && ++chars == 20)
			n = i;		/* where the 20th character starts */
	if (chars <= 20)
		n = i;
	strlcpy(buf, "\"", len);
	for (i = 0; i < n; i++) {
		ch = (unsigned char)cmd[i];
		if (ch == '"' || ch == '\\')
			snprintf(buf + strlen(buf), len - strlen(buf), "\\%c",
			    ch);
		else if (ch == '\n' || ch == '\t')
			strlcat(buf, ch == '\n' ? "\\n" : "\\t", len);
		else if (ch < 0x20 || ch == 0x7f)
			snprintf(buf + strlen(buf), len - strlen(buf),
			    "\\x%02x", ch);
		else
			snprintf(buf + strlen(buf), len - strlen(buf), "%c",
			    ch);
	}
	if (chars > 20)
		strlcat(buf, "\xe2\x80\xa6", len);	/* U+2026 */
	strlcat(buf, "\"", len);
}

/* Columns on a terminal: UTF-8 continuation bytes take none. */
static size_t
ps_width(const char *s)
{
	size_t	w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

#define PS_NCOLS	6
#define PS_COLLEN	(CELL_NAMELEN + 64)

static void
ps_row(const struct msg_cell *c, int64_t now, char row[][PS_COLLEN])
{
	char	d[32];

	snprintf(row[0], PS_COLLEN, "%.*s", SHORT_ID, c->id);
	snprintf(row[1], PS_COLLEN, "%s", c->image);
	ps_command(c->command, row[2], PS_COLLEN);
	ps_human(ps_ago(c->created, now), d, sizeof(d));
	snprintf(row[3], PS_COLLEN, "%s ago", d);
	ps_status(c, now, row[4], PS_COLLEN);
	snprintf(row[5], PS_COLLEN, "%s", c->name);
}

/* Like Docker's tabwriter: each column as wide as its widest, 3 apart. */
static void
ps_table(const struct replies *cs)
{
	static const char	*head[PS_NCOLS] = { "CONTAINER ID", "IMAGE",
	    "COMMAND", "CREATED", "STATUS", "NAMES" };
	char			(*rows)[PS_NCOLS][PS_COLLEN];
	size_t			 w[PS_NCOLS], i, j;
	int64_t			 now = time(NULL);

	if ((rows = calloc(cs->n + 1, sizeof(*rows))) == NULL)
		ctl_die("out of memory");
	for (j = 0; j < PS_NCOLS; j++)
		strlcpy(rows[0][j], head[j], PS_COLLEN);
	for (i = 0; i < cs->n; i++)
		ps_row((const struct msg_cell *)cs->v + i, now, rows[i + 1]);
	for (j = 0; j < PS_NCOLS; j++)
		for (i = w[j] = 0; i <= cs->n; i++)
			if (ps_width(rows[i][j]) > w[j])
				w[j] = ps_width(rows[i][j]);
	for (i = 0; i <= cs->n; i++) {
		for (j = 0; j < PS_NCOLS - 1; j++)
			printf("%s%*s", rows[i][j],
			    (int)(w[j] - ps_width(rows[i][j]) + 3), "");
		printf("%s\n", rows[i][j]);
	}
	free(rows);
}

static json_t *
ps_jstr(const char *s)
{
	json_t	*j = json_string(s);

	return j != NULL ? j : json_null();	/* not UTF-8 */
}

static void
ps_json(const struct replies *cs)
{
	json_t			*a = json_array(), *o;
	const struct msg_cell	*c;
	size_t			 i;

	for (i = 0; i < cs->n; i++) {
		c = (const struct msg_cell *)cs->v + i;
		o = json_object();
		json_object_set_new(o, "id", ps_jstr(c->id));
		json_object_set_new(o, "name", ps_jstr(c->name));
		json_object_set_new(o, "image", ps_jstr(c->image));
		json_object_set_new(o, "command", ps_jstr(c->command));
		json_object_set_new(o, "state", ps_jstr(c->state));
		json_object_set_new(o, "pid", json_integer(c->pid));
		json_object_set_new(o, "exit_status",
		    json_integer(c->exit_status));
		json_object_set_new(o, "created", json_integer(c->created));
		json_object_set_new(o, "started", json_integer(c->started));
		json_object_set_new(o, "finished", json_integer(c->finished));
		json_object_set_new(o, "owner", json_integer(c->owner));
		json_array_append_new(a, o);
	}
	json_dumpf(a, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(a);
}

int
cmd_ps(struct ctl *ctl, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	struct msg_ctl_target	t;
	struct msg_result	res;
	struct replies		cs = { MSG_CTL_CELL, sizeof(struct msg_cell),
				    ps_clean, NULL, 0 };
	size_t			i;
	int			c, quiet = 0;

	memset(&t, 0, sizeof(t));
	cell_optreset();
	while ((c = cell_getopt(argc, argv, ":aq", lo)) != -1)
		if (c == 'a')
			t.flags |= CTL_ALL;
		else
			quiet = 1;
	if (optind != argc)
		ctl_die("usage: cellctl ps [-a] [-q] [--json]");
	ctl_connect(ctl);
	ctl_send(ctl, MSG_CTL_PS, -1, &t, sizeof(t));
	if (ctl_wait(ctl, ctl_collect, &cs, &res) != 0)
		ctl_die("ps: %s", res.msg[0] ? res.msg : strerror(res.err));
	if (cs.n > 0)
		qsort(cs.v, cs.n, cs.size, ps_cmp);
	if (ctl->json)
		ps_json(&cs);
	else if (quiet)
		for (i = 0; i < cs.n; i++)
			printf("%.*s\n", SHORT_ID,
			    ((const struct msg_cell *)cs.v + i)->id);
	else
		ps_table(&cs);
	free(cs.v);
	return 0;
}
