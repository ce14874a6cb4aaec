/*
 * pingbench.c: round-trip latency and throughput of "ping" through celld,
 * parent -> net, fs and spawn helpers -> parent, over persistent control
 * connections.  Each client is a thread with its own connection; it sends
 * MSG_CTL_PING (no payload) and waits for MSG_CTL_PROC x4 then
 * MSG_CTL_DONE before it sends the next one.
 *
 * usage: pingbench -s SOCK [-c CLIENTS] [-n PINGS] [-w WARMUP] [-o RAW]
 *	-c	concurrent clients (default 1)
 *	-n	timed pings per client (default 2000)
 *	-w	untimed pings per client first (default 100)
 *	-o	append every latency (microseconds) to RAW, one a line
 *
 * Prints one line of key=value pairs: clients, pings, errors, wall_s,
 * rate (pings/s over all clients), and min/median/mean/p95/p99/max in us.
 *
 * build: cc -O2 -I. bench/pingbench.c imsg/imsg.c imsg/msg.c imsg/spec.c \
 *	-lpthread -o build/bench/pingbench
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "imsg/imsg.h"
#include "imsg/msg.h"

#define NPROC	4	/* parent and three helpers */

struct client {
	pthread_t	 t;
	int		 fd;
	struct imsgbuf	 ib;
	double		*lat;		/* us, n entries */
	int		 n;
	int		 warm;
	int		 errors;
};

static const char	*sockpath;
static pthread_barrier_t start;

static double
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
dial(void)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sockpath) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "pingbench: socket path too long\n");
		exit(2);
	}
	strcpy(sun.sun_path, sockpath);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "pingbench: %s: %s\n", sockpath,
		    strerror(errno));
		exit(2);
	}
	return fd;
}

/* One ping; 0 if the reply was NPROC procs then a zero DONE. */
static int
ping(struct client *c)
{
	struct imsg		imsg;
	struct msg_result	res;
	ssize_t			n;
	int			procs = 0, type;

	if (imsg_compose(&c->ib, MSG_CTL_PING, 0, 0, -1, NULL, 0) == -1 ||
	    imsgbuf_flush(&c->ib) == -1)
		return -1;
	for (;;) {
		if ((n = imsg_get(&c->ib, &imsg)) == -1)
			return -1;
		if (n == 0) {
			n = imsgbuf_read(&c->ib);
			if (n == 0)
				return -1;
			if (n == -1 && errno != EINTR && errno != EAGAIN)
				return -1;
			continue;
		}
		type = imsg_get_type(&imsg);
		if (type == MSG_CTL_PROC) {
			procs++;
			imsg_free(&imsg);
			continue;
		}
		if (type != MSG_CTL_DONE ||
		    imsg_get_data(&imsg, &res, sizeof(res)) == -1) {
			imsg_free(&imsg);
			return -1;
		}
		imsg_free(&imsg);
		return (res.err == 0 && procs == NPROC) ? 0 : 1;
	}
}

static void *
run(void *arg)
{
	struct client	*c = arg;
	double		 t0;
	int		 i, r;

	for (i = 0; i < c->warm; i++)
		if (ping(c) == -1)
			goto dead;
	pthread_barrier_wait(&start);
	for (i = 0; i < c->n; i++) {
		t0 = now_us();
		r = ping(c);
		c->lat[i] = now_us() - t0;
		if (r == -1)
			goto dead;
		if (r != 0)
			c->errors++;
	}
	return NULL;
dead:
	fprintf(stderr, "pingbench: connection lost\n");
	exit(1);
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
	struct client	*cs;
	const char	*raw = NULL;
	double		*all, t0, wall, sum = 0;
	size_t		 total, k = 0;
	int		 nc = 1, n = 2000, warm = 100, i, j, ch, errors = 0;
	FILE		*f;

	while ((ch = getopt(argc, argv, "s:c:n:w:o:")) != -1) {
		switch (ch) {
		case 's': sockpath = optarg; break;
		case 'c': nc = atoi(optarg); break;
		case 'n': n = atoi(optarg); break;
		case 'w': warm = atoi(optarg); break;
		case 'o': raw = optarg; break;
		default: goto usage;
		}
	}
	if (sockpath == NULL && (sockpath = getenv("CELLD_SOCK")) == NULL)
		goto usage;
	if (nc < 1 || n < 1 || warm < 0)
		goto usage;

	cs = calloc(nc, sizeof(*cs));
	all = calloc((size_t)nc * n, sizeof(*all));
	if (cs == NULL || all == NULL)
		return 2;
	pthread_barrier_init(&start, NULL, nc + 1);
	for (i = 0; i < nc; i++) {
		cs[i].fd = dial();
		if (imsgbuf_init(&cs[i].ib, cs[i].fd) == -1)
			return 2;
		cs[i].n = n;
		cs[i].warm = warm;
		cs[i].lat = all + (size_t)i * n;
		pthread_create(&cs[i].t, NULL, run, &cs[i]);
	}
	pthread_barrier_wait(&start);
	t0 = now_us();
	for (i = 0; i < nc; i++)
		pthread_join(cs[i].t, NULL);
	wall = (now_us() - t0) / 1e6;

	total = (size_t)nc * n;
	if (raw != NULL && (f = fopen(raw, "a")) != NULL) {
		for (k = 0; k < total; k++)
			fprintf(f, "%.1f\n", all[k]);
		fclose(f);
	}
	for (i = 0; i < nc; i++) {
		errors += cs[i].errors;
		for (j = 0; j < n; j++)
			sum += cs[i].lat[j];
	}
	qsort(all, total, sizeof(*all), cmp);
	printf("clients=%d pings=%zu errors=%d wall_s=%.3f rate=%.0f "
	    "min_us=%.1f median_us=%.1f mean_us=%.1f p95_us=%.1f p99_us=%.1f "
	    "max_us=%.1f\n", nc, total, errors, wall, total / wall, all[0],
	    pct(all, total, 50), sum / total, pct(all, total, 95),
	    pct(all, total, 99), all[total - 1]);
	return errors ? 1 : 0;
usage:
	fprintf(stderr, "usage: pingbench -s SOCK [-c CLIENTS] [-n PINGS] "
	    "[-w WARMUP] [-o RAW]\n");
	return 2;
}
