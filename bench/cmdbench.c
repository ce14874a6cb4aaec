/*
 * cmdbench.c: run a command over and over, from one or more concurrent
 * workers, and time each run from spawn to exit (wall clock).
 *
 * usage: cmdbench [-c WORKERS] [-n RUNS] [-t SECONDS] [-w WARMUP]
 *	    [-o RAW] [-e ERRLOG] -- command [args ...]
 *	-c	concurrent workers, each running the command in a loop
 *		(default 1)
 *	-n	timed runs per worker (default 100; 0 = no limit, needs -t)
 *	-t	stop starting runs after this many seconds (default: none)
 *	-w	untimed runs per worker before the clock starts (default 3)
 *	-o	append every run's time (milliseconds) to RAW, one a line
 *	-e	append the command's stderr to ERRLOG (default /dev/null)
 *
 * Every "%n" in an argument is replaced by a number unique to the run
 * (container names for crun/runc).  stdin and stdout are /dev/null.  A run
 * that exits nonzero is counted in fails and left out of the times.
 *
 * Prints one line of key=value pairs: workers, runs (succeeded), fails,
 * wall_s, rate (successful runs per second, over all workers), and
 * min/median/mean/p95/p99/max in ms.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct worker {
	pthread_t	 t;
	int		 id;
	double		*lat;		/* ms */
	size_t		 n, cap;
	int		 fails;
};

static char		**cmd;
static int		  cmdc;
static int		  nruns = 100, warm = 3;
static double		  limit_s = 0, t_start;
static int		  errfd;
static atomic_long	  seq;
static pthread_barrier_t  start;

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The command with %n replaced; freed by the caller. */
static char **
expand(long id)
{
	char	**v, num[32], *p, *s;
	int	  i;
	size_t	  len;

	v = calloc(cmdc + 1, sizeof(*v));
	snprintf(num, sizeof(num), "%ld", id);
	for (i = 0; i < cmdc; i++) {
		if ((p = strstr(cmd[i], "%n")) == NULL) {
			v[i] = strdup(cmd[i]);
			continue;
		}
		len = strlen(cmd[i]) + strlen(num);
		s = malloc(len);
		snprintf(s, len, "%.*s%s%s", (int)(p - cmd[i]), cmd[i], num,
		    p + 2);
		v[i] = s;
	}
	return v;
}

/* One run: its time in ms, or -1 if it failed. */
static double
once(void)
{
	posix_spawn_file_actions_t	fa;
	char				**v;
	pid_t				  pid;
	double				  t0, t;
	int				  st, i, r;

	v = expand(atomic_fetch_add(&seq, 1));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	t0 = now_s();
	r = posix_spawnp(&pid, v[0], &fa, NULL, v, environ);
	if (r == 0)
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
	t = (now_s() - t0) * 1e3;
	posix_spawn_file_actions_destroy(&fa);
	for (i = 0; i < cmdc; i++)
		free(v[i]);
	free(v);
	if (r != 0) {
		fprintf(stderr, "cmdbench: %s: %s\n", cmd[0], strerror(r));
		exit(2);
	}
	return (WIFEXITED(st) && WEXITSTATUS(st) == 0) ? t : -1;
}

static void *
run(void *arg)
{
	struct worker	*w = arg;
	double		 t;
	int		 i;

	for (i = 0; i < warm; i++)
		(void)once();
	pthread_barrier_wait(&start);
	for (;;) {
		if (nruns > 0 && w->n + w->fails >= (size_t)nruns)
			break;
		if (limit_s > 0 && now_s() - t_start >= limit_s)
			break;
		t = once();
		if (t < 0) {
			w->fails++;
			continue;
		}
		if (w->n == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 256;
			w->lat = realloc(w->lat, w->cap * sizeof(*w->lat));
		}
		w->lat[w->n++] = t;
	}
	return NULL;
}

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* nearest-rank percentile of a sorted array */
static double
pct(const double *v, size_t n, double p)
{
	size_t	k = (size_t)((p / 100.0) * n + 0.999999);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

int
main(int argc, char *argv[])
{
	struct worker	*ws;
	const char	*raw = NULL, *errlog = "/dev/null";
	double		*all, wall, sum = 0;
	size_t		 total = 0, k;
	int		 nw = 1, i, ch, fails = 0;
	FILE		*f;

	while ((ch = getopt(argc, argv, "+c:n:t:w:o:e:")) != -1) {
		switch (ch) {
		case 'c': nw = atoi(optarg); break;
		case 'n': nruns = atoi(optarg); break;
		case 't': limit_s = atof(optarg); break;
		case 'w': warm = atoi(optarg); break;
		case 'o': raw = optarg; break;
		case 'e': errlog = optarg; break;
		default: goto usage;
		}
	}
	cmd = argv + optind;
	cmdc = argc - optind;
	if (cmdc < 1 || nw < 1 || nruns < 0 || warm < 0 ||
	    (nruns == 0 && limit_s <= 0))
		goto usage;
	if ((errfd = open(errlog, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0644)) == -1) {
		perror(errlog);
		return 2;
	}

	ws = calloc(nw, sizeof(*ws));
	pthread_barrier_init(&start, NULL, nw + 1);
	for (i = 0; i < nw; i++) {
		ws[i].id = i;
		pthread_create(&ws[i].t, NULL, run, &ws[i]);
	}
	t_start = now_s();	/* a first guess, for warm-up's sake */
	pthread_barrier_wait(&start);
	t_start = now_s();
	for (i = 0; i < nw; i++)
		pthread_join(ws[i].t, NULL);
	wall = now_s() - t_start;

	for (i = 0; i < nw; i++) {
		total += ws[i].n;
		fails += ws[i].fails;
	}
	if (total == 0) {
		printf("workers=%d runs=0 fails=%d wall_s=%.3f rate=0 "
		    "min_ms=0 median_ms=0 mean_ms=0 p95_ms=0 p99_ms=0 "
		    "max_ms=0\n", nw, fails, wall);
		return 1;
	}
	all = calloc(total, sizeof(*all));
	for (i = 0, k = 0; i < nw; i++) {
		memcpy(all + k, ws[i].lat, ws[i].n * sizeof(*all));
		k += ws[i].n;
	}
	if (raw != NULL && (f = fopen(raw, "a")) != NULL) {
		for (k = 0; k < total; k++)
			fprintf(f, "%.3f\n", all[k]);
		fclose(f);
	}
	for (k = 0; k < total; k++)
		sum += all[k];
	qsort(all, total, sizeof(*all), cmp);
	printf("workers=%d runs=%zu fails=%d wall_s=%.3f rate=%.2f "
	    "min_ms=%.3f median_ms=%.3f mean_ms=%.3f p95_ms=%.3f "
	    "p99_ms=%.3f max_ms=%.3f\n", nw, total, fails, wall, total / wall,
	    all[0], pct(all, total, 50), sum / total, pct(all, total, 95),
	    pct(all, total, 99), all[total - 1]);
	return fails ? 1 : 0;
usage:
	fprintf(stderr, "usage: cmdbench [-c WORKERS] [-n RUNS] [-t SECONDS] "
	    "[-w WARMUP] [-o RAW] [-e ERRLOG] -- command [args ...]\n");
	return 2;
}
