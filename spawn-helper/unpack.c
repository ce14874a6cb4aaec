/*
 * unpack.c: the image unpacker's sandbox, in two steps.
 *
 * UNPACK: a child H makes a user namespace, we map it onto the image slot
 * of our subordinate range (subid_image_base(): 65536 ids no container
 * gets), keep its fd, and H is gone.  The parent hands that fd to
 * fs-helper, which makes the idmapped staging mount.
 *
 * UNPACK_GO: K joins the namespace as uid 0, unshares mount, pid, ipc,
 * uts and net namespaces and forks U, pid 1 of the new pid namespace,
 * which execs celld-unpack with the archive on fd 0, a pipe for its
 * report on fd 1 and the staging mount on fd 3.  The pipe's read end goes
 * to the parent, which reads the report itself: we never parse a byte the
 * unpacker writes.  K waits for U and exits; nobody waits for K (SIGCHLD
 * is ignored here).
 */
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ctype.h>

#include <bsd/string.h>

#include "spawn.h"
#include "cell.h"

#define UNPACK_NS	(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | \
			 CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWCGROUP)
#define UNPACK_HOLD	120	/* seconds a namespace waits for its GO */

struct upend {
	TAILQ_ENTRY(upend)	 entry;
	struct msg_unpack	 req;
	int			 infd;
	int			 nsfd;
	time_t			 made;
};

static TAILQ_HEAD(, upend)	upends = TAILQ_HEAD_INITIALIZER(upends);
static int			unpack_bin = -1, unpack_debug;
static uint32_t			image_base;

void
unpack_setup(const char *dir, int debug, uint32_t base)
{
	char	path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/celld-unpack", dir);
	/* optional: without it, image load is refused */
	if ((unpack_bin = open(path, O_PATH | O_CLOEXEC)) == -1)
		log_warn("%s: image load and import will be refused", path);
	image_base = base;
	unpack_debug = debug;
}

static void
upend_free(struct upend *u)
{
	if (u->infd != -1)
		close(u->infd);
	if (u->nsfd != -1)
		close(u->nsfd);
	TAILQ_REMOVE(&upends, u, entry);
	free(u);
}

static struct upend *
upend_find(const char *id)
{
	struct upend	*u, *next;
	time_t		 now = time(NULL);

	for (u = TAILQ_FIRST(&upends); u != NULL; u = next) {
		next = TAILQ_NEXT(u, entry);
		if (strcmp(u->req.id, id) == 0)
			return u;
		if (now - u->made > UNPACK_HOLD)
			upend_free(u);	/* the parent gave up on it */
	}
	return NULL;
}

static int
write_map(pid_t pid, const char *file)
{
	char	path[64], map[64];
	int	fd, n, r;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	n = snprintf(map, sizeof(map), "0 %u %u\n", image_base, CELL_IDS);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	r = write(fd, map, n) == n ? 0 : -1;
	close(fd);
	return r;
}

/* A user namespace mapping the image slot, as an fd. */
static int
unpack_userns(void)
{
	struct pollfd	pfd;
	char		path[64], c;
	int		p[2], fd = -1;
	pid_t		h;

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if ((h = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (h == 0) {
		close(p[0]);
		if (unshare(CLONE_NEWUSER) == -1 || write(p[1], "u", 1) != 1)
			_exit(1);
		for (;;)
			pause();	/* killed below */
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 5000) == 1 && read(p[0], &c, 1) == 1 &&
	    write_map(h, "uid_map") == 0 && write_map(h, "gid_map") == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", h);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	kill(h, SIGKILL);
	close(p[0]);
	return fd;
}

/* save: a name:tag of name characters, 1..64 layers, a bounded config */
static int
save_ok(const struct msg_unpack *r)
{
	const char	*p;

	if (!msg_str_ok(r->ref, sizeof(r->ref)) || r->ref[0] == '\0' ||
	    r->nlayers < 1 || r->nlayers > FS_MAXLAYERS ||
	    r->configlen == 0 || r->configlen > sizeof(r->config))
		return 0;
	for (p = r->ref; *p != '\0'; p++)
		if (!(isalnum((unsigned char)*p) || strchr("_.-:", *p)))
			return 0;
	return 1;
}

void
spawn_unpack(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_spawn_id	 rep;
	struct upend		*u;
	uint32_t		 peer = imsg_get_peerid(imsg);
	int			 fd = imsg_get_fd(imsg), dup;

	if ((u = calloc(1, sizeof(*u))) == NULL) {
		close(fd);
		imsgev_reply(iev, peer, ENOMEM, 0, "unpack");
		return;
	}
	u->infd = fd;
	u->nsfd = -1;
	u->made = time(NULL);
	TAILQ_INSERT_TAIL(&upends, u, entry);
	if (imsg_get_data(imsg, &u->req, sizeof(u->req)) == -1 ||
	    !msg_id_ok(u->req.id, sizeof(u->req.id)) ||
	    upend_find(u->req.id) != u || u->req.mode > IMAGE_SAVE ||
	    (u->req.mode == IMAGE_SAVE && !save_ok(&u->req)) ||
	    u->req.max_archive <= 0 || u->req.max_layer <= 0 ||
	    u->req.max_entries <= 0 || u->req.max_layers <= 0) {
		upend_free(u);
		imsgev_reply(iev, peer, EINVAL, 0, "unpack: bad request");
		return;
	}
	if (unpack_bin == -1) {
		upend_free(u);
		imsgev_reply(iev, peer, ENOENT, 0, "celld-unpack is not "
		    "installed");
		return;
	}
	if ((u->nsfd = unpack_userns()) == -1 ||
	    (dup = fcntl(u->nsfd, F_DUPFD_CLOEXEC, 3)) == -1) {
		upend_free(u);
		imsgev_reply(iev, peer, errno ? errno : EIO, 0,
		    "unpack: user namespace");
		return;
	}
	memset(&rep, 0, sizeof(rep));
	memcpy(rep.id, u->req.id, sizeof(rep.id));
	imsgev_compose(iev, MSG_SPAWN_UNPACK_NS, peer, 0, dup, &rep,
	    sizeof(rep));
}

/* In U: the unpacker, its fds already in place (unpack_k). */
static void __attribute__((noreturn))
unpack_exec(const struct upend *u)
{
	char	 a[32], l[32], e[32], n[32], nl[16];
	char	*argv[20];
	int	 i = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(a, sizeof(a), "%lld", (long long)u->req.max_archive);
	snprintf(l, sizeof(l), "%lld", (long long)u->req.max_layer);
	snprintf(e, sizeof(e), "%lld", (long long)u->req.max_entries);
	snprintf(n, sizeof(n), "%lld", (long long)u->req.max_layers);
	argv[i++] = "celld-unpack";
	if (unpack_debug)
		argv[i++] = "-d";
	argv[i++] = "-m";
	argv[i++] = u->req.mode == IMAGE_IMPORT ? "import" :
	    u->req.mode == IMAGE_SAVE ? "save" : "load";
	if (u->req.mode == IMAGE_SAVE) {
		snprintf(nl, sizeof(nl), "%u", u->req.nlayers);
		argv[i++] = "-r";
		argv[i++] = (char *)u->req.ref;
		argv[i++] = "-L";
		argv[i++] = nl;
	}
	argv[i++] = "-a";
	argv[i++] = a;
	argv[i++] = "-l";
	argv[i++] = l;
	argv[i++] = "-e";
	argv[i++] = e;
	argv[i++] = "-n";
	argv[i++] = n;
	argv[i] = NULL;
	/* an ELF needs no path to itself: the unpacker won't hold one */
	if (fcntl(4, F_SETFD, FD_CLOEXEC) == -1)
		_exit(125);
	syscall(SYS_execveat, 4, "", argv, (char *[]){ NULL }, AT_EMPTY_PATH);
	_exit(125);
}

/*
 * In K: 0 the archive (save: the file to write), 1 the report, 2
 * /dev/null (our stderr with -d), 3 the staging mount, 4 celld-unpack, 5
 * save's config (else /dev/null), 6 the namespace; nothing else of
 * spawn-helper's (other loads' fds, the parent's channel) stays open.
 */
static int
unpack_fds(const struct upend *u, int mfd, int out, int cfg)
{
	int	fds[7], i, null;

	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	fds[0] = u->infd;
	fds[1] = out;
	fds[2] = unpack_debug ? 2 : null;
	fds[3] = mfd;
	fds[4] = unpack_bin;
	fds[5] = cfg != -1 ? cfg : null;
	fds[6] = u->nsfd;
	/* first out of the way of 0..6, then into place */
	for (i = 0; i < 7; i++)
		if (fds[i] < 0 || (fds[i] = fcntl(fds[i], F_DUPFD, 7)) == -1)
			return -1;
	for (i = 0; i < 7; i++)
		if (dup2(fds[i], i) == -1)
			return -1;
	if (cfg == -1)
		close(5);	/* only save has a config to read */
	return syscall(SYS_close_range, 7, ~0U, 0);
}

/* In K: become uid 0 of the image namespace, then U's parent. */
static void __attribute__((noreturn))
unpack_k(const struct upend *u, int mfd, int out, int cfg)
{
	int	st;
	pid_t	pid;

	signal(SIGCHLD, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (unpack_fds(u, mfd, out, cfg) == -1)
		_exit(125);
	out = 1;
	if (setns(6, CLONE_NEWUSER) == -1 || close(6) == -1 ||
	    setresgid(0, 0, 0) == -1 || setgroups(0, NULL) == -1 ||
	    setresuid(0, 0, 0) == -1 || unshare(UNPACK_NS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1) {
		dprintf(out, "{\"error\":\"unpacker sandbox: %s\"}",
		    strerror(errno));
		_exit(125);
	}
	if ((pid = fork()) == -1)
		_exit(125);
	if (pid == 0)
		unpack_exec(u);
	/* U has them: we only wait */
	syscall(SYS_close_range, 0, ~0U, 0);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 125);
}

/* save: the config into a pipe for the unpacker's fd 5 (fits: 32 KiB) */
static int
unpack_config(const struct upend *u, int *c)
{
	c[0] = c[1] = -1;
	if (u->req.mode != IMAGE_SAVE)
		return 0;
	if (pipe2(c, O_CLOEXEC) == -1)
		return -1;
	if (write(c[1], u->req.config, u->req.configlen) !=
	    (ssize_t)u->req.configlen) {
		close(c[0]);
		close(c[1]);
		return -1;
	}
	close(c[1]);
	return 0;
}

void
spawn_unpack_go(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_spawn_id	 req;
	struct upend		*u;
	uint32_t		 peer = imsg_get_peerid(imsg);
	int			 mfd = imsg_get_fd(imsg), p[2], c[2];
	pid_t			 k;

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !msg_id_ok(req.id, sizeof(req.id)) ||
	    (u = upend_find(req.id)) == NULL) {
		close(mfd);
		imsgev_reply(iev, peer, ENOENT, 0, "unpack: no such load");
		return;
	}
	if (pipe2(p, O_CLOEXEC) == -1 || unpack_config(u, c) == -1 ||
	    (k = fork()) == -1) {
		imsgev_reply(iev, peer, errno, 0, "unpack: fork");
		close(mfd);
		upend_free(u);
		return;
	}
	if (k == 0) {
		close(p[0]);
		unpack_k(u, mfd, p[1], c[0]);
	}
	if (c[0] != -1)
		close(c[0]);
	close(p[1]);
	close(mfd);
	upend_free(u);
	imsgev_compose(iev, MSG_SPAWN_UNPACK_OUT, peer, 0, p[0], &req,
	    sizeof(req));
}
