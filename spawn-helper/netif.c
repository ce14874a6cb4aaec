/*
 * netif.c: `cellctl network connect` of a running container.
 *
 * C configured its own interfaces before its exec (netcfg.c); a network
 * added later needs someone else to.  net-helper stays out of container
 * namespaces (docs/network.md), so spawn-helper does it:
 *
 *   NETNS_ASK  C's net namespace for net-helper, which makes the veth
 *              pair with ethN born inside it (the fast path, as eth0)
 *   NETIF      a short-lived child N joins C's user and net namespaces
 *              (the user one for CAP_NET_ADMIN over C's netns, nothing
 *              else: not C's mount, pid, ipc or cgroup), configures ethN
 *              with netcfg_iface(), reports on a pipe and exits
 *   NETROUTE   the same child, for network disconnect: the interface
 *              that held a default route is gone, so N sets it (v4,
 *              v6 or both) via ethN of a remaining network with
 *              netcfg_route(), nothing else
 *
 * All check first that the pid is in the container's cgroup: spawn-
 * helper acts only on containers it holds.  NETIF and NETROUTE also check
 * the interface (eth0..eth7, its address and MTU) and the gateway (a host
 * of that interface's subnet, netcfg_ok(); the v6 route only with a v6
 * subnet); NETROUTE's request carries NETCFG_DEFROUTE, NETCFG_DEFROUTE6
 * or both, and no other flag.  What spawn-helper can't know is
 * whether the network is internal: that is the parent's choice, and
 * net-helper's forward rules keep an internal network in whatever route
 * a container has (docs/network.md).  N keeps nothing of spawn-
 * helper's but its pipe, is outside C's pid namespace (C can't name it,
 * signal it or trace it) and is killed after NETIF_SECS: a container
 * root that renames, deletes or floods ethN meanwhile gets a failed
 * connect of its own container, nothing more.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/netlink.h>

#include <bsd/string.h>

#include "spawn.h"
#include "cell.h"

#define NETIF_SECS	5

struct netif_job {
	struct imsgev	*iev;
	uint32_t	 peer;
	pid_t		 pid;
	int		 fd;		/* N's report */
	struct event	*ev;
	char		 buf[CELL_MSGLEN + 16];
	size_t		 off;
};

static int
netif_held(const struct msg_spawn_netif *req)
{
	return msg_id_ok(req->id, sizeof(req->id)) && req->pid > 1 &&
	    cell_owns(req->id, req->pid);
}

/* C's netns, for net-helper: opened, then C checked again (pid reuse) */
void
spawn_netns_ask(struct imsgev *iev, struct imsg *imsg)
{
	struct msg_spawn_netif	 req;
	struct msg_spawn_id	 id;
	char			 path[64];
	uint32_t		 peer = imsg_get_peerid(imsg);
	int			 fd = -1;

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !netif_held(&req)) {
		imsgev_reply(iev, peer, ESRCH, 0, "netns: not a container of "
		    "spawn-helper's");
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/net", req.pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    !cell_owns(req.id, req.pid)) {
		if (fd != -1)
			close(fd);
		imsgev_reply(iev, peer, ESRCH, 0, "netns: the container is "
		    "gone");
		return;
	}
	memset(&id, 0, sizeof(id));
	memcpy(id.id, req.id, sizeof(id.id));
	imsgev_compose(iev, MSG_SPAWN_NETNS, peer, 0, fd, &id, sizeof(id));
}

/* In N: C's user and net namespaces only, ethN (or its default route
 * only), the report, exit. */
static void __attribute__((noreturn))
netif_child(const struct msg_spawn_netif *req, int route, int pidfd, int rep)
{
	char	err[CELL_MSGLEN] = "";
	int	fd, code = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 0);
	/* nothing of spawn-helper's goes along: its sockets, its fds */
	if ((pidfd = fcntl(pidfd, F_DUPFD_CLOEXEC, 64)) == -1 ||
	    (rep = fcntl(rep, F_DUPFD_CLOEXEC, 64)) == -1 ||
	    dup2(pidfd, 3) == -1 || dup2(rep, 4) == -1 ||
	    close_range(5, ~0U, 0) == -1)
		_exit(1);
	if (setns(3, CLONE_NEWUSER | CLONE_NEWNET) == -1) {
		dprintf(4, "%d network: cannot enter the container: %s",
		    errno, strerror(errno));
		_exit(1);
	}
	close(3);
	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1) {
		code = errno;
		snprintf(err, sizeof(err), "network: netlink: %s",
		    strerror(errno));
	} else if ((route ? netcfg_route(fd, &req->cfg, err, sizeof(err)) :
	    netcfg_iface(fd, &req->cfg, err, sizeof(err))) == -1)
		code = errno ? errno : EIO;
	dprintf(4, "%d %s", code, err);
	_exit(code != 0);
}

static void
netif_free(struct netif_job *j)
{
	if (j->ev != NULL)
		event_free(j->ev);
	close(j->fd);
	free(j);
}

/* N's report: "ERRNO reason", EOF, or nothing in NETIF_SECS */
static void
netif_done(int fd, short what, void *arg)
{
	struct netif_job	*j = arg;
	const char		*sp;
	ssize_t			 n = 0;
	int			 err;

	if (!(what & EV_READ)) {
		kill(j->pid, SIGKILL);
		imsgev_reply(j->iev, j->peer, ETIMEDOUT, 0, "network: "
		    "configuring the interface timed out");
		netif_free(j);
		return;
	}
	if (j->off < sizeof(j->buf) - 1 && (n = read(fd, j->buf + j->off,
	    sizeof(j->buf) - 1 - j->off)) > 0) {
		j->off += n;
		return;
	}
	if (n == -1 && errno == EINTR)
		return;
	j->buf[j->off] = '\0';
	err = (int)strtol(j->buf, NULL, 10);
	if (j->off == 0 || err < 0 || err > 4095)
		err = EIO;
	sp = strchr(j->buf, ' ');
	imsgev_reply(j->iev, j->peer, err, 0, err == 0 ? NULL : sp && sp[1] ?
	    sp + 1 : "network: configuring the interface failed");
	netif_free(j);
}

/* NETIF and NETROUTE: checked, then N forked; one reply, now or from
 * netif_done() */
static void
netif_start(struct imsgev *iev, struct imsg *imsg, int route)
{
	static struct msg_spawn_netif	 req;	/* N works on its copy */
	struct netif_job		*j = NULL;
	struct timeval			 tv = { NETIF_SECS, 0 };
	uint32_t			 peer = imsg_get_peerid(imsg);
	int				 pidfd = -1, rep[2] = { -1, -1 };

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1 ||
	    !netcfg_ok(&req.cfg) || (route && req.cfg.flags == 0)) {
		imsgev_reply(iev, peer, EINVAL, 0, route ? "netroute: bad "
		    "interface, or a gateway outside its subnet" : "netif: "
		    "bad interface");
		return;
	}
	if (strncmp(req.cfg.id, req.id, sizeof(req.id)) != 0 ||
	    !netif_held(&req)) {
		imsgev_reply(iev, peer, ESRCH, 0, route ? "netroute: not a "
		    "container of spawn-helper's" : "netif: not a container "
		    "of spawn-helper's");
		return;
	}
	errno = 0;
	if ((pidfd = syscall(SYS_pidfd_open, req.pid, 0)) == -1 ||
	    !cell_owns(req.id, req.pid) || pipe2(rep, O_CLOEXEC) == -1 ||
	    (j = calloc(1, sizeof(*j))) == NULL ||
	    (j->pid = fork()) == -1)
		goto fail;
	if (j->pid == 0)
		netif_child(&req, route, pidfd, rep[1]);
	close(rep[1]);
	close(pidfd);
	j->iev = iev;
	j->peer = peer;
	j->fd = rep[0];
	if ((j->ev = event_new(iev->base, j->fd, EV_READ | EV_PERSIST,
	    netif_done, j)) == NULL || event_add(j->ev, &tv) == -1) {
		kill(j->pid, SIGKILL);
		imsgev_reply(iev, peer, errno, 0, "netif");
		netif_free(j);
	}
	return;
fail:
	imsgev_reply(iev, peer, errno ? errno : ESRCH, 0, "netif: the "
	    "container is gone");
	if (pidfd != -1)
		close(pidfd);
	if (rep[0] != -1) {
		close(rep[0]);
		close(rep[1]);
	}
	free(j);
}

void
spawn_netif(struct imsgev *iev, struct imsg *imsg)
{
	netif_start(iev, imsg, 0);
}

void
spawn_netroute(struct imsgev *iev, struct imsg *imsg)
{
	netif_start(iev, imsg, 1);
}
