/*
 * cmd_more.c: inspect, rename, pause, unpause, update, stats and top.
 * Output and exit codes follow Docker's; errors are one line and 125.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <jansson.h>

#include "cellctl.h"

#define SHORT_ID	12
#define STATS_MS	1000		/* between two samples */
#define NOLIMIT		((uint64_t)INT64_MAX)	/* at or over: none */

enum { OPT_NOSTREAM = 256, OPT_CPUS, OPT_PIDS };

static const struct option no_lo[] = {
	{ NULL, 0, NULL, 0 }
};

/* Flags none: only refuse them, then the words left. */
static int
no_flags(int *argc, char ***argv)
{
	cell_optreset();
	while (cell_getopt(*argc, *argv, ":", no_lo) != -1)
		;
	*argc -= optind;
	*argv += optind;
	return *argc;
}

/*
 * Tables as Docker's tabwriter prints them: cells added row by row, each
 * column as wide as its widest cell, 3 apart.
 */
struct tbl {
	size_t	  ncols;
	size_t	  n;
	char	**cell;
};

static void __attribute__((format(printf, 2, 3)))
tbl_add(struct tbl *t, const char *fmt, ...)
{
	va_list	  ap;
	char	**nc, *s;
	int	  rv;

	va_start(ap, fmt);
	rv = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rv == -1 ||
	    (nc = reallocarray(t->cell, t->n + 1, sizeof(*nc))) == NULL)
		ctl_die("out of memory");
	t->cell = nc;
	t->cell[t->n++] = s;
}

/* Columns on a terminal: UTF-8 continuation bytes take none. */
static size_t
tbl_width(const char *s)
{
	size_t	w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* Print and free. */
static void
tbl_print(struct tbl *t)
{
	size_t	*w, i, j;

	if ((w = calloc(t->ncols, sizeof(*w))) == NULL)
		ctl_die("out of memory");
	for (i = 0; i < t->n; i++)
		if (tbl_width(t->cell[i]) > w[i % t->ncols])
			w[i % t->ncols] = tbl_width(t->cell[i]);
	for (i = 0; i < t->n; i++) {
		j = i % t->ncols;
		if (j == t->ncols - 1)
			printf("%s\n", t->cell[i]);
		else
			printf("%s%*s", t->cell[i],
			    (int)(w[j] - tbl_width(t->cell[i]) + 3), "");
		free(t->cell[i]);
	}
	free(t->cell);
	free(w);
	t->cell = NULL;
	t->n = 0;
}

/*
 * Text from inside a container, made safe for a terminal as ps does:
 * control characters, C0 and C1, become '?'.
 */
static void
safe_str(char *s)
{
	unsigned char	*p = (unsigned char *)s, *q = p;

	for (; *p != '\0'; p++) {
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			*q++ = '?';
			p++;
		} else if (*p < 0x20 || *p == 0x7f)
			*q++ = '?';
		else
			*q++ = *p;
	}
	*q = '\0';
}

/* inspect */

static int
inspect_collect(struct ctl *ctl, struct imsg *imsg, void *arg)
{
	static struct msg_json	 mj;
	json_t			*all = arg, *o;
	json_error_t		 je;

	if (imsg_get_type(imsg) != MSG_CTL_JSON ||
	    imsg_get_data(imsg, &mj, sizeof(mj)) == -1)
		return -1;
	if (mj.len > JSON_MAX)
		ctl_die("%s: celld sent %u bytes of JSON", ctl->sock, mj.len);
	if ((o = json_loadb(mj.data, mj.len, 0, &je)) == NULL)
		ctl_die("%s: celld sent bad JSON: %s", ctl->sock, je.text);
	if (!json_is_object(o))
		ctl_die("%s: celld sent JSON that is not an object",
		    ctl->sock);
	if (json_array_append_new(all, o) == -1)
		ctl_die("out of memory");
	return 0;
}

/* Like docker inspect: the array of those found, then the errors. */
int
cmd_inspect(struct ctl *ctl, int argc, char **argv)
{
	struct msg_ctl_target	 t;
	struct msg_result	*res;
	json_t			*all;
	int			 i, rv = 0;

	if (no_flags(&argc, &argv) < 1)
		ctl_die("usage: cellctl inspect NAME ...");
	if ((res = calloc(argc, sizeof(*res))) == NULL ||
	    (all = json_array()) == NULL)
		ctl_die("out of memory");
	ctl_connect(ctl);
	for (i = 0; i < argc; i++) {
		if (ctl_target(&t, argv[i]) == -1) {
			rv = EXIT_CELLD;
			continue;
		}
		ctl_send(ctl, MSG_CTL_INSPECT, -1, &t, sizeof(t));
		if (ctl_wait(ctl, inspect_collect, all, &res[i]) != 0)
			rv = EXIT_CELLD;
	}
	json_dumpf(all, stdout, JSON_INDENT(4));
	putchar('\n');
	fflush(stdout);
	for (i = 0; i < argc; i++)
		if (res[i].err != 0)
			ctl_warn(argv[i], &res[i]);
	json_decref(all);
	free(res);
	return rv;
}

/* rename */

int
cmd_rename(struct ctl *ctl, int argc, char **argv)
{
	struct msg_ctl_target	t;
	struct msg_ctl_rename	r;
	struct msg_result	res;

	if (no_flags(&argc, &argv) != 2)
		ctl_die("usage: cellctl rename NAME NEWNAME");
	if (ctl_target(&t, argv[0]) == -1)
		return EXIT_CELLD;
	if (!msg_name_ok(argv[1], strlen(argv[1]) + 1))
		ctl_die("rename: invalid name \"%s\" (allowed: "
		    "[a-zA-Z0-9][a-zA-Z0-9_.-]*, at most %d)", argv[1],
		    CELL_NAMEMAX);
	memset(&r, 0, sizeof(r));
	strlcpy(r.name, t.name, sizeof(r.name));
	strlcpy(r.newname, argv[1], sizeof(r.newname));
	ctl_connect(ctl);
	ctl_send(ctl, MSG_CTL_RENAME, -1, &r, sizeof(r));
	if (ctl_wait(ctl, NULL, NULL, &res) != 0) {
		ctl_warn(argv[0], &res);
		return EXIT_CELLD;
	}
	return 0;
}

/* pause, unpause */

static int
pause_each(struct ctl *ctl, int argc, char **argv, int freeze)
{
	struct msg_ctl_target	t;

	if (no_flags(&argc, &argv) < 1)
		ctl_die("usage: cellctl %s NAME ...", freeze ? "pause" :
		    "unpause");
	memset(&t, 0, sizeof(t));
	t.sig = freeze;
	ctl_connect(ctl);
	return cell_each(ctl, MSG_CTL_PAUSE, &t, argc, argv);
}

int
cmd_pause(struct ctl *ctl, int argc, char **argv)
{
	return pause_each(ctl, argc, argv, 1);
}

int
cmd_unpause(struct ctl *ctl, int argc, char **argv)
{
	return pause_each(ctl, argc, argv, 0);
}

/* update */

/* The limits given, parsed as run does; -1 for those not given. */
static void
update_args(int *argc, char ***argv, struct msg_ctl_update *u)
{
	static const struct option lo[] = {
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "memory", required_argument, NULL, 'm' },
		{ "pids-limit", required_argument, NULL, OPT_PIDS },
		{ NULL, 0, NULL, 0 }
	};
	struct cell_spec	*spec;
	char			 err[256];
	int			 c, rv;

	memset(u, 0, sizeof(*u));
	u->memory = u->cpus_milli = u->pids = -1;
	if ((spec = calloc(1, sizeof(*spec))) == NULL)
		ctl_die("out of memory");
	cell_optreset();
	while ((c = cell_getopt(*argc, *argv, ":m:", lo)) != -1) {
		rv = spec_limit(spec, c == 'm' ? "memory" : c == OPT_CPUS ?
		    "cpus" : "pids-limit", optarg, err, sizeof(err));
		if (rv == -1)
			ctl_die("%s", err);
		if (c == 'm')
			u->memory = spec->memory;
		else if (c == OPT_CPUS)
			u->cpus_milli = spec->cpus_milli;
		else
			u->pids = spec->pids;
	}
	free(spec);
	*argc -= optind;
	*argv += optind;
}

int
cmd_update(struct ctl *ctl, int argc, char **argv)
{
	struct msg_ctl_update	u;
	struct msg_ctl_target	t;
	struct msg_result	res;
	int			i, rv = 0;

	update_args(&argc, &argv, &u);
	if (argc < 1)
		ctl_die("usage: cellctl update [-m size] [--cpus number] "
		    "[--pids-limit number] NAME ...");
	if (u.memory == -1 && u.cpus_milli == -1 && u.pids == -1)
		ctl_die("update: give at least one of -m, --cpus and "
		    "--pids-limit");
	ctl_connect(ctl);
	for (i = 0; i < argc; i++) {
		if (ctl_target(&t, argv[i]) == -1) {
			rv = EXIT_CELLD;
			continue;
		}
		strlcpy(u.name, t.name, sizeof(u.name));
		ctl_send(ctl, MSG_CTL_UPDATE, -1, &u, sizeof(u));
		if (ctl_wait(ctl, NULL, NULL, &res) != 0) {
			ctl_warn(argv[i], &res);
			rv = EXIT_CELLD;
			continue;
		}
		printf("%s\n", argv[i]);
		fflush(stdout);
	}
	return rv;
}

/* stats: a sample is a struct replies of msg_stat */

static void
stats_clean(void *arg)
{
	struct msg_stat	*s = arg;

	s->id[sizeof(s->id) - 1] = '\0';
	s->name[sizeof(s->name) - 1] = '\0';
	safe_str(s->name);
}

#define STATS_INIT	{ MSG_CTL_STAT, sizeof(struct msg_stat), stats_clean, \
			  NULL, 0 }

/* One sample: every running container, or those named. */
static void
stats_sample(struct ctl *ctl, int argc, char **argv, struct replies *st)
{
	struct msg_ctl_target	t;
	struct msg_result	res;
	int			i;

	st->n = 0;
	if (argc == 0) {
		memset(&t, 0, sizeof(t));
		t.flags = CTL_ALL;
		ctl_send(ctl, MSG_CTL_STATS, -1, &t, sizeof(t));
		if (ctl_wait(ctl, ctl_collect, st, &res) != 0)
			ctl_die("stats: %s", res.msg[0] ? res.msg :
			    strerror(res.err));
		return;
	}
	for (i = 0; i < argc; i++) {
		if (ctl_target(&t, argv[i]) == -1)
			exit(EXIT_CELLD);
		ctl_send(ctl, MSG_CTL_STATS, -1, &t, sizeof(t));
		if (ctl_wait(ctl, ctl_collect, st, &res) != 0) {
			ctl_warn(argv[i], &res);
			exit(EXIT_CELLD);
		}
	}
}

/* CPU time over wall time between the two samples, 100 a CPU. */
static double
stats_cpu(const struct msg_stat *s, const struct replies *prev)
{
	const struct msg_stat	*p;
	size_t			 i;

	for (i = 0; i < prev->n; i++) {
		p = (const struct msg_stat *)prev->v + i;
		if (strcmp(p->id, s->id) != 0)
			continue;
		if (s->when_ns <= p->when_ns ||
		    s->cpu_usage_ns < p->cpu_usage_ns)
			return 0.0;
		return (double)(s->cpu_usage_ns - p->cpu_usage_ns) * 100.0 /
		    (double)(s->when_ns - p->when_ns);
	}
	return 0.0;
}

/* Docker's units.BytesSize: four digits and a binary unit. */
static void
stats_bytes(uint64_t n, char *buf, size_t len)
{
	static const char	*units[] = { "B", "KiB", "MiB", "GiB", "TiB",
	    "PiB", "EiB" };
	double			 v = (double)n;
	size_t			 i = 0;

	while (v >= 1024.0 && i < nitems(units) - 1) {
		v /= 1024.0;
		i++;
	}
	snprintf(buf, len, "%.4g%s", v, units[i]);
}

static void
stats_table(const struct replies *st, const struct replies *prev)
{
	struct tbl		 t = { 6, 0, NULL };
	const struct msg_stat	*s;
	char			 use[32], lim[32];
	size_t			 i;

	tbl_add(&t, "CONTAINER ID");
	tbl_add(&t, "NAME");
	tbl_add(&t, "CPU %%");
	tbl_add(&t, "MEM USAGE / LIMIT");
	tbl_add(&t, "MEM %%");
	tbl_add(&t, "PIDS");
	for (i = 0; i < st->n; i++) {
		s = (const struct msg_stat *)st->v + i;
		stats_bytes(s->mem_usage, use, sizeof(use));
		if (s->mem_limit == 0 || s->mem_limit >= NOLIMIT)
			strlcpy(lim, "-", sizeof(lim));
		else
			stats_bytes(s->mem_limit, lim, sizeof(lim));
		tbl_add(&t, "%.*s", SHORT_ID, s->id);
		tbl_add(&t, "%s", s->name);
		tbl_add(&t, "%.2f%%", stats_cpu(s, prev));
		tbl_add(&t, "%s / %s", use, lim);
		if (s->mem_limit == 0 || s->mem_limit >= NOLIMIT)
			tbl_add(&t, "-");
		else
			tbl_add(&t, "%.2f%%", (double)s->mem_usage * 100.0 /
			    (double)s->mem_limit);
		tbl_add(&t, "%llu", (unsigned long long)s->pids);
	}
	tbl_print(&t);
}

static json_t *
jstr(const char *s)
{
	json_t	*j = json_string(s);

	return j != NULL ? j : json_null();	/* not UTF-8 */
}

/* A limit, 0 for none. */
static json_t *
jlimit(uint64_t n)
{
	return json_integer(n >= NOLIMIT ? 0 : (json_int_t)n);
}

static void
stats_json(const struct replies *st, const struct replies *prev)
{
	json_t			*a = json_array(), *o;
	const struct msg_stat	*s;
	size_t			 i;

	for (i = 0; i < st->n; i++) {
		s = (const struct msg_stat *)st->v + i;
		o = json_object();
		json_object_set_new(o, "id", jstr(s->id));
		json_object_set_new(o, "name", jstr(s->name));
		/* two decimals, as the table: never below 0 */
		json_object_set_new(o, "cpu_percent", json_real((double)
		    (long long)(stats_cpu(s, prev) * 100.0 + 0.5) / 100.0));
		json_object_set_new(o, "cpu_usage_ns",
		    json_integer((json_int_t)s->cpu_usage_ns));
		json_object_set_new(o, "mem_usage",
		    json_integer((json_int_t)s->mem_usage));
		json_object_set_new(o, "mem_limit", jlimit(s->mem_limit));
		json_object_set_new(o, "pids",
		    json_integer((json_int_t)s->pids));
		json_object_set_new(o, "pids_limit", jlimit(s->pids_limit));
		json_object_set_new(o, "when_ns", json_integer(s->when_ns));
		json_array_append_new(a, o);
	}
	json_dumpf(a, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(a);
}

int
cmd_stats(struct ctl *ctl, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "no-stream", no_argument, NULL, OPT_NOSTREAM },
		{ NULL, 0, NULL, 0 }
	};
	struct msg_ctl_target	t;
	struct replies		a = STATS_INIT, b = STATS_INIT, tmp;
	int			i, once, clear;

	cell_optreset();
	for (once = ctl->json; cell_getopt(argc, argv, ":", lo) != -1;)
		once = 1;
	argc -= optind;
	argv += optind;
	for (i = 0; i < argc; i++)
		if (ctl_target(&t, argv[i]) == -1)
			return EXIT_CELLD;
	clear = !once && isatty(STDOUT_FILENO);
	ctl_connect(ctl);
	stats_sample(ctl, argc, argv, &a);
	for (;;) {
		poll(NULL, 0, STATS_MS);
		stats_sample(ctl, argc, argv, &b);
		if (ctl->json)
			stats_json(&b, &a);
		else {
			if (clear)
				fputs("\033[H\033[J", stdout);
			stats_table(&b, &a);
		}
		fflush(stdout);
		if (once)
			break;
		tmp = a;
		a = b;
		b = tmp;
	}
	free(a.v);
	free(b.v);
	return 0;
}

/* top: the processes are a struct replies of msg_procline */

static void
top_clean(void *arg)
{
	struct msg_procline	*p = arg;

	p->id[sizeof(p->id) - 1] = '\0';
	p->cmd[sizeof(p->cmd) - 1] = '\0';
	safe_str(p->cmd);
}

static int
top_cmp(const void *a, const void *b)
{
	const struct msg_procline	*x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* The clock: now, and seconds since boot, both as doubles. */
static void
top_clock(double *now, double *up)
{
	struct timespec	rt, bt;

	if (clock_gettime(CLOCK_REALTIME, &rt) == -1 ||
	    clock_gettime(CLOCK_BOOTTIME, &bt) == -1)
		ctl_die("clock_gettime: %s", strerror(errno));
	*now = rt.tv_sec + rt.tv_nsec / 1e9;
	*up = bt.tv_sec + bt.tv_nsec / 1e9;
}

/* ps's STIME: HH:MM today, MonDD this year, else the year. */
static void
top_stime(time_t start, time_t now, char *buf, size_t len)
{
	struct tm	s, n;
	const char	*fmt = "%H:%M";

	if (localtime_r(&start, &s) == NULL || localtime_r(&now, &n) == NULL) {
		strlcpy(buf, "?", len);
		return;
	}
	if (s.tm_year != n.tm_year)
		fmt = "%Y";
	else if (s.tm_yday != n.tm_yday)
		fmt = "%b%d";
	if (strftime(buf, len, fmt, &s) == 0)
		strlcpy(buf, "?", len);
}

/* ps's TIME, [DD-]HH:MM:SS; and its C, lifetime CPU percent to 99. */
static void
top_row(struct tbl *t, const struct msg_procline *p, long hz, double now,
    double up)
{
	unsigned long long	 s = p->cpu_ticks / hz, c = 0;
	double			 age = up - (double)p->start_ticks / hz;
	char			 stime[32], cpu[32];

	if (age >= 1.0)
		c = (unsigned long long)((double)p->cpu_ticks * 100 / hz / age);
	if (s >= 86400)
		snprintf(cpu, sizeof(cpu), "%llu-%02llu:%02llu:%02llu",
		    s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
	else
		snprintf(cpu, sizeof(cpu), "%02llu:%02llu:%02llu", s / 3600,
		    s / 60 % 60, s % 60);
	top_stime((time_t)(now - age), (time_t)now, stime, sizeof(stime));
	tbl_add(t, "%u", p->uid);
	tbl_add(t, "%d", p->pid);
	tbl_add(t, "%d", p->ppid);
	tbl_add(t, "%llu", c > 99 ? 99 : c);
	tbl_add(t, "%s", stime);
	tbl_add(t, "%s", cpu);
	tbl_add(t, "%s", p->cmd);
}

static void
top_json(const struct replies *ps, long hz, double now, double up)
{
	json_t				*a = json_array(), *o;
	const struct msg_procline	*p;
	size_t				 i;

	for (i = 0; i < ps->n; i++) {
		p = (const struct msg_procline *)ps->v + i;
		o = json_object();
		json_object_set_new(o, "uid", json_integer(p->uid));
		json_object_set_new(o, "pid", json_integer(p->pid));
		json_object_set_new(o, "ppid", json_integer(p->ppid));
		json_object_set_new(o, "started", json_integer((json_int_t)
		    (now - up + (double)p->start_ticks / hz)));
		json_object_set_new(o, "cpu_seconds",
		    json_real((double)p->cpu_ticks / hz));
		json_object_set_new(o, "cmd", jstr(p->cmd));
		json_array_append_new(a, o);
	}
	json_dumpf(a, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(a);
}

int
cmd_top(struct ctl *ctl, int argc, char **argv)
{
	static const char	*head[] = { "UID", "PID", "PPID", "C", "STIME",
	    "TIME", "CMD" };
	struct msg_ctl_target	 t;
	struct msg_result	 res;
	struct replies		 ps = { MSG_CTL_PROCLINE,
				    sizeof(struct msg_procline), top_clean,
				    NULL, 0 };
	struct tbl		 tb = { nitems(head), 0, NULL };
	double			 now, up;
	long			 hz;
	size_t			 i;

	if (no_flags(&argc, &argv) != 1)
		ctl_die("usage: cellctl top NAME");
	if (ctl_target(&t, argv[0]) == -1)
		return EXIT_CELLD;
	if ((hz = sysconf(_SC_CLK_TCK)) <= 0)
		ctl_die("sysconf: no clock tick");
	ctl_connect(ctl);
	ctl_send(ctl, MSG_CTL_TOP, -1, &t, sizeof(t));
	if (ctl_wait(ctl, ctl_collect, &ps, &res) != 0) {
		ctl_warn(argv[0], &res);
		return EXIT_CELLD;
	}
	if (ps.n > 0)
		qsort(ps.v, ps.n, ps.size, top_cmp);
	top_clock(&now, &up);
	if (ctl->json)
		top_json(&ps, hz, now, up);
	else {
		for (i = 0; i < nitems(head); i++)
			tbl_add(&tb, "%s", head[i]);
		for (i = 0; i < ps.n; i++)
			top_row(&tb, (struct msg_procline *)ps.v + i, hz, now,
			    up);
		tbl_print(&tb);
	}
	free(ps.v);
	return 0;
}
