/*
 * cell.c: making a container, in three processes (see spawn.h).
 *
 * spawn-helper forks R.  R clones C into fresh namespaces, writes C's id
 * maps and puts it in its cgroup, reports C's pid, then gives up every
 * privilege and execs the monitor.  C waits on its sync socket for the
 * rootfs mount fd, builds its world and execs the command; it reports a
 * failure on the same socket, and a successful exec closes it.
 */
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/sched.h>

#include <bsd/string.h>

#include "spawn.h"
#include "cell.h"

#define CELL_NSFLAGS	(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | \
			 CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET)

/* In C: wait for the maps, then for the rootfs, then become the command. */
static void __attribute__((noreturn))
cell_child(const struct cell_ctx *cx, int gofd, int syncfd)
{
	const struct msg_spawn	*ms = cx->ms;
	struct cell_init	 ci;
	struct netcfg_set	 nc;
	char			 err[CELL_MSGLEN], c;
	char			 cbuf[CMSG_SPACE(sizeof(int) * (1 + SPEC_MAXVOLS))];
	int			 fds[1 + SPEC_MAXVOLS];
	size_t			 nfd;
	struct iovec		 iov = { &nc, sizeof(nc) };
	struct msghdr		 mh;
	struct cmsghdr		*cm;
	int			 code;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (read(gofd, &c, 1) != 1)
		_exit(125);
	close(gofd);
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	if (recvmsg(syncfd, &mh, MSG_CMSG_CLOEXEC) != sizeof(nc) ||
	    (cm = CMSG_FIRSTHDR(&mh)) == NULL || cm->cmsg_type != SCM_RIGHTS)
		_exit(125);
	nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	if (nfd != 1)
		_exit(125);
	memcpy(fds, CMSG_DATA(cm), nfd * sizeof(int));
	memset(&ci, 0, sizeof(ci));
	ci.id = ms->id;
	ci.spec = &ms->spec;
	ci.rootfs_fd = fds[0];
	ci.volroot = cellbase.rundir;	/* see volume_stage() */
	ci.sync_fd = syncfd;
	ci.bpf = cx->bpf;
	ci.nbpf = cx->nbpf;
	ci.bpf_replace = cx->bpf_replace;
	ci.initfd = (ms->spec.flags & SPEC_INIT) ? CELL_INITFD : -1;
	ci.ptsfd = (ms->spec.flags & SPEC_TTY) ? CELL_PTSFD : -1;
	ci.uid_base = ms->uid_base;
	memset(err, 0, sizeof(err));
	/* the host's network is not C's to set up (nor could it) */
	if (!(ms->spec.flags & SPEC_HOSTNET) &&
	    netcfg_apply(&nc, err, sizeof(err)) == -1)
		code = 125;
	else
		code = cell_init_run(&ci, err, sizeof(err));
	dprintf(syncfd, "%d %s", code, err);
	_exit(code);
}

static int
cell_write_map(pid_t pid, const char *file, uint32_t base)
{
	char	path[64], map[64];
	int	fd, n, r;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	n = snprintf(map, sizeof(map), "0 %u %u\n", base, CELL_IDS);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	r = write(fd, map, n) == n ? 0 : -1;
	close(fd);
	return r;
}

/* In R, after C is cloned: maps, cgroup, report; then become the monitor. */
static void __attribute__((noreturn))
cell_monitor(const struct cell_ctx *cx, pid_t pid, int pidfd)
{
	char	 id12[16], logmax[32], spid[16];
	char	*argv[16];
	int	 i = 0;

	if (cell_write_map(pid, "uid_map", cx->ms->uid_base) == -1 ||
	    cell_write_map(pid, "gid_map", cx->ms->uid_base) == -1) {
		log_warn("%.12s: id maps", cx->ms->id);
		kill(pid, SIGKILL);
		_exit(125);
	}
	/* C, in its cgroups already (cell_r), runs nothing before "g" */
	if (write(cx->reportfd, &pid, sizeof(pid)) != sizeof(pid))
		_exit(125);
	if (write(cx->gofd, "g", 1) != 1)
		_exit(125);
	if (cell_monitor_fds(cx, pidfd) == -1 || cell_drop(cx) == -1)
		_exit(125);
	snprintf(id12, sizeof(id12), "%.12s", cx->ms->id);
	snprintf(logmax, sizeof(logmax), "%lld", (long long)cx->ms->log_max);
	snprintf(spid, sizeof(spid), "%d", pid);
	argv[i++] = "celld-monitor";
	if (cx->debug)
		argv[i++] = "-d";
	argv[i++] = "-i";
	argv[i++] = (char *)cx->ms->id;
	argv[i++] = "-s";
	argv[i++] = (char *)cx->storage;
	argv[i++] = "-r";
	argv[i++] = (char *)cx->rundir;
	argv[i++] = "-m";
	argv[i++] = logmax;
	argv[i++] = "-p";
	argv[i++] = spid;
	argv[i] = NULL;
	/* glibc's tcache pins freed chunks: ~30 KiB more per monitor */
	syscall(SYS_execveat, MONITOR_BINFD, "", argv, (char *[]){
	    "GLIBC_TUNABLES=glibc.malloc.tcache_count=0", NULL },
	    AT_EMPTY_PATH);
	_exit(125);
}

/*
 * In R: clone C with every namespace and a pidfd; with --network host,
 * every one but the network's (C's user namespace then owns no netns:
 * its root has no capability over the host's network).
 */
static void __attribute__((noreturn))
cell_r(const struct cell_ctx *cx)
{
	struct clone_args	ca;
	struct cg_join		cg;
	int			pidfd = -1, into;
	pid_t			pid;

	signal(SIGCHLD, SIG_DFL);
	if (setsid() == -1)
		_exit(125);
	if (volume_stage(cx) == -1) {
		log_warn("%.12s: volumes", cx->ms->id);
		_exit(125);
	}
	if (sys_stage(cx) == -1) {
		log_warn("%.12s: /sys", cx->ms->id);
		_exit(125);
	}
	if (cgroup_join_open(cx->ms->id, &cg) == -1)
		_exit(125);
	memset(&ca, 0, sizeof(ca));
	ca.flags = CELL_NSFLAGS | CLONE_PIDFD;
	if (cx->ms->spec.flags & SPEC_HOSTNET)
		ca.flags &= ~CLONE_NEWNET;
	ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
	ca.exit_signal = SIGCHLD;
	if ((pid = cgroup_clone(&ca, &cg, &into)) == -1) {
		log_warn("%.12s: clone", cx->ms->id);
		_exit(125);
	}
	if (pid == 0) {
		if (cgroup_join_self(&cg, into) == -1) {
			log_warn("%.12s: cgroup", cx->ms->id);
			_exit(125);
		}
		if (cell_child_stdio(cx) == -1)
			_exit(125);
		cell_child(cx, 3, 4);	/* see cell_child_stdio() */
	}
	cgroup_join_close(&cg);
	/* C has its copy: give the monitor its run dir back */
	if (cx->ms->spec.nvols > 0 && umount2(cx->rundir, MNT_DETACH) == -1) {
		log_warn("%.12s: unstage volumes", cx->ms->id);
		kill(pid, SIGKILL);
		_exit(125);
	}
	cell_monitor(cx, pid, pidfd);
}

static TAILQ_HEAD(, pending)	pendings = TAILQ_HEAD_INITIALIZER(pendings);
struct cell_ctx			cellbase;	/* also exec.c's */
static uint32_t			id_start, id_count;

void
cell_setup(const struct launch_args *la)
{
	char		 self[PATH_MAX], *slash;
	struct passwd	*pw;
	ssize_t		 n;

	/* setproctitle() reuses argv: keep our own copies */
	if ((cellbase.storage = strdup(la->storage)) == NULL ||
	    (cellbase.rundir = strdup(la->rundir)) == NULL)
		fatal("spawn-helper");
	cellbase.debug = la->debug;
	/* the range, as the launcher read it for us (subid_read.c) */
	if ((id_count = la->id_count) < 2 * CELL_IDS)
		fatalx("spawn-helper: no subordinate ids for %s, or no "
		    "image slot among them", CELLD_USER);
	id_start = la->id_start;
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 32)) <= 0)
		fatal("spawn-helper: /proc/self/exe");
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		fatalx("spawn-helper: odd exe path");
	*slash = '\0';
	unpack_setup(self, la->debug, subid_image_base(id_start, id_count));
	*slash = '/';
	strlcpy(slash + 1, "celld-monitor", sizeof(self) - (slash + 1 - self));
	if ((cellbase.monfd = open(self, O_PATH | O_CLOEXEC)) == -1)
		fatal("spawn-helper: %s", self);
	/* optional: without it, only --init is refused */
	strlcpy(slash + 1, "celld-init", sizeof(self) - (slash + 1 - self));
	if ((cellbase.initfd = initbin_open(self)) == -1)
		log_warn("spawn-helper: %s: --init will be refused", self);
	if ((pw = getpwnam(CELLD_USER)) == NULL)
		fatalx("spawn-helper: no user %s", CELLD_USER);
	cellbase.mon_uid = pw->pw_uid;
	cellbase.mon_gid = pw->pw_gid;
	if (cgroup_init() == -1)
		fatal("spawn-helper: cgroups");
}

struct pending *
pending_get(const char *id, int create)
{
	struct pending	*p;

	TAILQ_FOREACH(p, &pendings, entry)
		if (strcmp(p->id, id) == 0)
			return p;
	if (!create || (p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	strlcpy(p->id, id, sizeof(p->id));
	p->stdio[0] = p->stdio[1] = p->stdio[2] = p->syncfd = -1;
	p->repfd = -1;
	for (int i = 0; i < SPEC_MAXVOLS; i++)
		p->vols[i] = -1;
	TAILQ_INSERT_TAIL(&pendings, p, entry);
	return p;
}

void
pending_free(struct pending *p)
{
	int	i;

	for (i = 0; i < 3; i++)
		if (p->stdio[i] != -1)
			close(p->stdio[i]);
	if (p->syncfd != -1)
		close(p->syncfd);
	for (i = 0; i < SPEC_MAXVOLS; i++)
		if (p->vols[i] != -1)
			close(p->vols[i]);
	if (p->repfd != -1)
		close(p->repfd);
	if (p->ev != NULL)
		event_free(p->ev);
	free(p->bpf);
	TAILQ_REMOVE(&pendings, p, entry);
	free(p);
}

void
spawn_stdio(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_stdio	 ms;
	struct pending		*p;
	int			 fd = imsg_get_fd(imsg);

	if (imsg_get_data(imsg, &ms, sizeof(ms)) == -1 ||
	    !msg_id_ok(ms.id, sizeof(ms.id)) || ms.which < 0 ||
	    ms.which > 2 || (p = pending_get(ms.id, 1)) == NULL) {
		imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
		    "stdio: bad id or stream");
		close(fd);
		return;
	}
	if (p->stdio[ms.which] != -1)
		close(p->stdio[ms.which]);
	p->stdio[ms.which] = fd;
}

static void
cell_close_pair(int *p)
{
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	p[0] = p[1] = -1;
}

/*
 * -t: a devpts instance of the container's own, made here because the
 * pty must exist before C runs: C attaches it on /dev/pts, so the pty
 * is /dev/pts/0 inside.  Its superblock belongs to our user namespace,
 * so root in the container can't remount it; new ptys belong to the host
 * ids the container sees as root and tty (5).
 */
int
cell_devpts(uint32_t uid_base)
{
	char	uid[16], gid[16];
	int	fsfd, mfd = -1;

	snprintf(uid, sizeof(uid), "%u", uid_base);
	snprintf(gid, sizeof(gid), "%u", uid_base + 5);
	if ((fsfd = fsopen("devpts", FSOPEN_CLOEXEC)) == -1)
		return -1;
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "ptmxmode", "0666", 0) == 0 &&
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "mode", "0620", 0) == 0 &&
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "uid", uid, 0) == 0 &&
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "gid", gid, 0) == 0 &&
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID |
		    MOUNT_ATTR_NOEXEC);
	close(fsfd);
	return mfd;
}

/*
 * A pty, for -t: the container gets the slave as 0, 1 and 2, the monitor
 * (or exec's E) the master.  From the devpts instance ptsfd, or the
 * host's when it is -1.
 */
int
cell_pty(const struct cell_spec *spec, int ptsfd, int *master, int *slave)
{
	struct winsize	ws;
	int		unlock = 0;

	*slave = -1;
	if (ptsfd != -1)
		*master = openat(ptsfd, "ptmx", O_RDWR | O_NOCTTY |
		    O_CLOEXEC | O_NOFOLLOW);
	else
		*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master == -1)
		return -1;
	if (ioctl(*master, TIOCSPTLCK, &unlock) == -1 ||
	    (*slave = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY |
	    O_CLOEXEC)) == -1) {
		close(*master);
		return -1;
	}
	memset(&ws, 0, sizeof(ws));
	ws.ws_row = spec->rows ? spec->rows : 24;
	ws.ws_col = spec->cols ? spec->cols : 80;
	(void)ioctl(*master, TIOCSWINSZ, &ws);
	return 0;
}

static int
cell_tty_fds(struct cell_ctx *cx, const struct pending *p)
{
	int	master, slave;

	if ((cx->ptsfd = cell_devpts(cx->ms->uid_base)) == -1 ||
	    cell_pty(&cx->ms->spec, cx->ptsfd, &master, &slave) == -1)
		return -1;
	cx->out[0] = master;
	cx->out[1] = slave;
	if ((cx->err[1] = fcntl(slave, F_DUPFD_CLOEXEC, 3)) == -1 ||
	    (cx->in[0] = fcntl(slave, F_DUPFD_CLOEXEC, 3)) == -1 ||
	    (p->stdio[0] != -1 &&
	    (cx->in[1] = fcntl(master, F_DUPFD_CLOEXEC, 3)) == -1))
		return -1;
	return 0;
}

/* Pipes and sockets for one container; -1 in every unused slot. */
static int
cell_fds(struct cell_ctx *cx, const struct pending *p, int *sync, int *go,
    int *rep)
{
	int	i;

	cx->out[0] = cx->out[1] = cx->err[0] = cx->err[1] = -1;
	cx->in[0] = cx->in[1] = -1;
	cx->ptsfd = -1;
	sync[0] = sync[1] = go[0] = go[1] = rep[0] = rep[1] = -1;
	for (i = 0; i < 3; i++)
		cx->stdio[i] = p->stdio[i];
	if (cx->ms->spec.flags & SPEC_TTY) {
		if (cell_tty_fds(cx, p) == -1)
			return -1;
	} else if (pipe2(cx->out, O_CLOEXEC) == -1 ||
	    pipe2(cx->err, O_CLOEXEC) == -1 ||
	    (p->stdio[0] != -1 && pipe2(cx->in, O_CLOEXEC) == -1))
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync) == -1 ||
	    pipe2(go, O_CLOEXEC) == -1 || pipe2(rep, O_CLOEXEC) == -1)
		return -1;
	cx->gofd = go[1];
	cx->gofd_c = go[0];
	cx->syncfd_c = sync[1];
	cx->reportfd = rep[1];
	return 0;
}

/* Fork R; p keeps the ends we wait on: R's report and C's sync socket. */
static int
cell_start(struct cell_ctx *cx, struct pending *p)
{
	int	sync[2], go[2], rep[2], r = -1;

	if (cell_fds(cx, p, sync, go, rep) == -1)
		goto done;
	if ((p->rpid = fork()) == -1)
		goto done;
	if (p->rpid == 0) {
		close(sync[0]);
		close(rep[0]);
		cell_r(cx);
	}
	for (int i = 0; i < 3; i++) {	/* R has them now */
		if (p->stdio[i] != -1)
			close(p->stdio[i]);
		p->stdio[i] = -1;
	}
	p->syncfd = sync[0];
	p->repfd = rep[0];
	sync[0] = rep[0] = -1;
	r = 0;
done:
	cell_close_pair(sync);
	cell_close_pair(go);
	cell_close_pair(rep);
	cell_close_pair(cx->out);
	cell_close_pair(cx->err);
	cell_close_pair(cx->in);
	if (cx->ptsfd != -1)
		close(cx->ptsfd);
	cx->ptsfd = -1;
	return r;
}

/* Wait on fd for cb, at most secs; the helper serves others meanwhile. */
static int
pending_wait(struct pending *p, int fd, void (*cb)(int, short, void *),
    int secs)
{
	struct timeval	tv = { secs, 0 };

	if (p->ev != NULL)
		event_free(p->ev);
	if ((p->ev = event_new(p->iev->base, fd, EV_READ | EV_PERSIST, cb,
	    p)) == NULL || event_add(p->ev, &tv) == -1)
		return -1;
	return 0;
}

/* A container that won't come up: end it, answer, forget it. */
static void
pending_fail(struct pending *p, int err, const char *msg)
{
	if (p->rpid > 0)
		kill(p->rpid, SIGKILL);
	if (p->pid > 0)
		kill(p->pid, SIGKILL);
	cgroup_kill(p->id);
	cgroup_remove(p->id);
	imsgev_reply(p->iev, p->peer, err, 125, msg);
	pending_free(p);
}

/*
 * C's network namespace, for net-helper to create eth0 in (through the
 * parent), unless --network none.
 */
static int
spawn_send_netns(struct pending *p)
{
	struct msg_spawn_id	id;
	char			path[64];
	int			fd;

	if (p->nonet)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", p->pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	memset(&id, 0, sizeof(id));
	memcpy(id.id, p->id, sizeof(id.id));
	imsgev_compose(p->iev, MSG_SPAWN_NETNS, p->peer, 0, fd, &id,
	    sizeof(id));
	return 0;
}

/* R reported C's pid (or died): answer CREATE with C's user namespace. */
static void
cell_reported(int fd, short what, void *arg)
{
	struct pending		*p = arg;
	struct msg_spawn_created rep;
	char			 path[64];
	pid_t			 pid;
	int			 nsfd;

	if (!(what & EV_READ) || read(fd, &pid, sizeof(pid)) !=
	    sizeof(pid) || pid <= 1) {
		pending_fail(p, EIO, "create: cannot make the container");
		return;
	}
	event_free(p->ev);
	p->ev = NULL;
	close(p->repfd);
	p->repfd = -1;
	p->pid = pid;
	if (spawn_send_netns(p) == -1) {
		pending_fail(p, errno, "create: net namespace");
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
	if ((nsfd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		pending_fail(p, errno, "create: user namespace");
		return;
	}
	memset(&rep, 0, sizeof(rep));
	memcpy(rep.id, p->id, sizeof(rep.id));
	rep.pid = pid;
	imsgev_compose(p->iev, MSG_SPAWN_CREATED, p->peer, 0, nsfd, &rep,
	    sizeof(rep));
}

/* what C sets on one ethN, kept until EXEC carries them all to C */
void
spawn_netcfg(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_net_cfg	 nc;
	struct pending		*p;
	uint32_t		 peer = imsg_get_peerid(imsg), i;

	if (imsg_get_data(imsg, &nc, sizeof(nc)) == -1 || !netcfg_ok(&nc) ||
	    (p = pending_get(nc.id, 0)) == NULL) {
		imsgev_reply(iev, peer, EINVAL, 125, "netcfg: bad request");
		return;
	}
	for (i = 0; i < p->net.n; i++)
		if (strcmp(p->net.c[i].ifname, nc.ifname) == 0)
			break;
	if (i == NET_MAXIFS) {
		imsgev_reply(iev, peer, ENOSPC, 125, "netcfg: too many");
		return;
	}
	p->net.c[i] = nc;	/* a replay of ethN replaces it */
	if (i == p->net.n)
		p->net.n++;
	imsgev_reply(iev, peer, 0, 0, NULL);
}

void
spawn_create(struct imsgev *iev, struct imsg *imsg)
{
	static struct msg_spawn	 ms;	/* R works on its copy */
	struct cell_ctx		 cx = cellbase;
	struct pending		*p;
	const char		*why = NULL;
	uint32_t		 peer = imsg_get_peerid(imsg);

	if (imsg_get_data(imsg, &ms, sizeof(ms)) == -1 ||
	    !msg_id_ok(ms.id, sizeof(ms.id)) ||
	    !subid_slot_ok(id_start, id_count, ms.uid_base) ||
	    ms.uid_count != CELL_IDS || !msg_spec_ok(&ms.spec) ||
	    ms.spec.argc == 0 || ms.spec.args[0] == '\0' ||
	    ms.log_max < 4096) {
		imsgev_reply(iev, peer, EINVAL, 0, "create: bad request");
		return;
	}
	if ((p = pending_get(ms.id, 1)) == NULL || p->syncfd != -1) {
		imsgev_reply(iev, peer, EEXIST, 0, "create: busy");
		return;
	}
	if (p->volerr[0] != '\0' || bpf_check(&ms.spec, p, &why) == -1 ||
	    ((ms.spec.flags & SPEC_INIT) && cx.initfd == -1)) {
		imsgev_reply(iev, peer, EPERM, 125, p->volerr[0] ? p->volerr :
		    why ? why : "--init: celld-init is not installed");
		pending_free(p);
		return;
	}
	cx.ms = &ms;
	cx.vols = p->vols;
	cx.bpf = p->bpf;
	cx.nbpf = p->nbpf;
	cx.bpf_replace = p->bpf_replace;
	p->iev = iev;
	p->peer = peer;
	p->nonet = (ms.spec.flags & SPEC_NONET) != 0;
	if (!(ms.spec.flags & (SPEC_UNCONFINED | SPEC_PRIVILEGED)))
		cell_seccomp_prepare(ms.spec.caps);
	if (cgroup_create(ms.id, ms.spec.memory, ms.spec.cpus_milli,
	    ms.spec.pids) == -1 || cell_start(&cx, p) == -1 ||
	    pending_wait(p, p->repfd, cell_reported, 5) == -1)
		pending_fail(p, errno ? errno : EIO,
		    "create: cannot make the container");
}

/* The rootfs tree, then each volume's mount, in one message to C. */
static int
send_fds(int sock, const int *fds, int n, const struct netcfg_set *nc)
{
	char		 cbuf[CMSG_SPACE(sizeof(int) * (1 + SPEC_MAXVOLS))];
	struct iovec	 iov = { (void *)nc, sizeof(*nc) };
	struct msghdr	 mh;
	struct cmsghdr	*cm;

	memset(&mh, 0, sizeof(mh));
	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == (ssize_t)sizeof(*nc) ?
	    0 : -1;
}

/*
 * C's answer: EOF means its exec succeeded (the sync socket is CLOEXEC);
 * otherwise "CODE reason" and then EOF.
 */
static void
cell_execd(int fd, short what, void *arg)
{
	struct pending	*p = arg;
	char		 msg[CELL_MSGLEN];
	const char	*sp;
	ssize_t		 n = 0;
	int		 code = 0;

	if (!(what & EV_READ)) {
		pending_fail(p, ETIMEDOUT, "container setup timed out");
		return;
	}
	if (p->resoff < sizeof(p->res) - 1 && (n = read(fd, p->res +
	    p->resoff, sizeof(p->res) - 1 - p->resoff)) > 0) {
		p->resoff += n;
		return;
	}
	if (n == -1 && errno == EINTR)
		return;
	if (p->resoff > 0) {
		p->res[p->resoff] = '\0';
		if ((sp = strchr(p->res, ' ')) == NULL)
			sp = p->res + p->resoff;
		code = (int)strtol(p->res, NULL, 10);	/* stops at ' ' */
		if (code < 1 || code > 255)
			code = 125;
		strlcpy(msg, *sp ? sp + 1 : "container setup failed",
		    sizeof(msg));
	}
	imsgev_reply(p->iev, p->peer, code ? ENOEXEC : 0, code,
	    code ? msg : NULL);
	pending_free(p);
}

void
spawn_exec(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_spawn_id	 req;
	struct pending		*p;
	int			 fd = imsg_get_fd(imsg);
	uint32_t		 peer = imsg_get_peerid(imsg);

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !msg_id_ok(req.id, sizeof(req.id)) ||
	    (p = pending_get(req.id, 0)) == NULL || p->pid <= 0 ||
	    p->ev != NULL) {
		imsgev_reply(iev, peer, ENOENT, 125, "exec: no such container");
		close(fd);
		return;
	}
	p->iev = iev;
	p->peer = peer;
	p->rpid = 0;	/* the monitor now: C's exit is its to report */
	if (send_fds(p->syncfd, &fd, 1, &p->net) == -1) {
		close(fd);
		imsgev_reply(iev, peer, errno, 125, "exec: container is gone");
		pending_free(p);
		return;
	}
	close(fd);
	if (pending_wait(p, p->syncfd, cell_execd, 10) == -1)
		pending_fail(p, errno, "exec: cannot wait");
}

/* Is pid a process of container id?  Its cgroup says, not the parent. */
int
cell_owns(const char *id, pid_t pid)
{
	pid_t	pids[4096];
	int	n, i;

	if ((n = cgroup_pids(id, pids, nitems(pids))) <= 0)
		return 0;
	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return 1;
	return 0;
}

/* Signal the init, or with all set, kill every process in the cgroup. */
void
spawn_kill(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_spawn_kill	req;
	int			pidfd, r = 0;
	uint32_t		peer = imsg_get_peerid(imsg);

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !msg_id_ok(req.id, sizeof(req.id)) || req.sig < 0 ||
	    req.sig > 64 || (!req.all && req.pid <= 1)) {
		imsgev_reply(iev, peer, EINVAL, 0, "kill: bad request");
		return;
	}
	if (req.all)
		r = cgroup_kill(req.id);
	else if (cell_owns(req.id, req.pid) &&
	    (pidfd = syscall(SYS_pidfd_open, req.pid, 0)) != -1) {
		r = syscall(SYS_pidfd_send_signal, pidfd, req.sig, NULL, 0);
		close(pidfd);
	} else {
		errno = ESRCH;
		r = -1;
	}
	imsgev_reply(iev, peer, r == -1 ? errno : 0, 0, r == -1 ? "kill" :
	    NULL);
}

void
spawn_cleanup(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_spawn_id	 req;
	struct pending		*p;
	uint32_t		 peer = imsg_get_peerid(imsg);

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !msg_id_ok(req.id, sizeof(req.id))) {
		imsgev_reply(iev, peer, EINVAL, 0, "cleanup: bad id");
		return;
	}
	if ((p = pending_get(req.id, 0)) != NULL)
		pending_free(p);
	cgroup_kill(req.id);
	if (cgroup_remove(req.id) == -1 && errno != ENOENT)
		imsgev_reply(iev, peer, errno, 0, "cleanup: cgroup");
	else
		imsgev_reply(iev, peer, 0, 0, NULL);
}
