/*
 * ctlraw.c: a hostile client for the control socket and a hostile parent
 * for helpers.  It writes frames no honest peer would and reports what
 * came back, one word per line, so shell tests can judge.
 *
 *   ctlraw SOCK MODE...	 speak to celld's control socket; every MODE
 *				 runs on the same connection, in order
 *   ctlraw -h MODE...	 speak to a helper on fd 3 (see tests/proto)
 *   ctlraw -h MODE... -- CMD...
 *				 start CMD with the other end of a socketpair
 *				 on its fd 3, speak to it, then close and say
 *				 how it ended: "exit N", "signal N" or "hung"
 *   ctlraw SOCK idle:N	 hold N silent connections until killed
 *   ctlraw SOCK flood:SECS	 send pings for SECS seconds, never read a
 *				 reply, connect again when dropped:
 *				 "dropped N times in M pings"
 *   ctlraw PATH stale	 leave a socket file that nobody listens on
 *
 * Modes: ping garbage truncated oversize unknown badsize wrongsender
 * launch midmsg nofd fdtype fdstray, rm:NAME (a well-formed "rm -f
 * NAME", whoever owns NAME) and spec:FLAGS:NPORTS:USERNS (a create of
 * busybox with spec flags FLAGS (hex), NPORTS ports 80/tcp and userns
 * USERNS, as no cellctl would send it).  Each prints what the peer answered:
 * "done ERR MSG" (a result), "msg NAME" (anything else), "eof" (the peer
 * hung up) or "silent" (nothing for 2 seconds).
 */
#include <sys/param.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../imsg/imsg.h"
#include "../../imsg/msg.h"

#define HELPER_FD_NUM	3	/* as privsep.h HELPER_FD */
#define ANSWER_MS	2000	/* how long a peer may take to answer */

static struct imsgbuf	raw_ib;

static int
raw_connect(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		printf("connect-failed %s\n", strerror(errno));
		exit(2);
	}
	return fd;
}

int	raw_frame(int, uint32_t, uint32_t, uint16_t, const void *, size_t,
	    int);
int	raw_net(int, const char *);	/* ctlraw_net.c */

/* One frame, written as one sendmsg, with sendfd as SCM_RIGHTS if set. */
int
raw_frame(int fd, uint32_t type, uint32_t len, uint16_t flags,
    const void *data, size_t dlen, int sendfd)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	}			 cmsgbuf;
	struct imsg_hdr		 h;
	struct iovec		 iov[2];
	struct msghdr		 msg;
	struct cmsghdr		*cm;

	memset(&h, 0, sizeof(h));
	h.type = type;
	h.len = len;
	h.magic = IMSG_MAGIC;
	h.flags = flags;
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)data;
	iov[1].iov_len = dlen;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = dlen > 0 ? 2 : 1;
	if (sendfd != -1) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		msg.msg_control = cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cm), &sendfd, sizeof(int));
	}
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) != (ssize_t)(sizeof(h) + dlen)) {
		printf("write-failed %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* Print what the peer answered: "done ERR MSG", "eof", or "silent". */
static void
raw_answer(int timeout_ms)
{
	struct imsg		imsg;
	struct msg_result	res;
	struct pollfd		pfd = { raw_ib.fd, POLLIN, 0 };
	ssize_t			n;
	uint32_t		t;

	for (;;) {
		if ((n = imsg_get(&raw_ib, &imsg)) == -1) {
			printf("badframe\n");
			return;
		}
		if (n > 0) {
			t = imsg_get_type(&imsg);
			if ((t == MSG_CTL_DONE || t == MSG_RESULT) &&
			    imsg_get_data(&imsg, &res, sizeof(res)) == 0) {
				res.msg[sizeof(res.msg) - 1] = '\0';
				printf("done %d %s\n", res.err, res.msg);
				imsg_free(&imsg);
				return;
			}
			printf("msg %s\n", msg_name(t));
			imsg_free(&imsg);
			if (t == MSG_PONG)	/* a helper's whole answer */
				return;
			continue;
		}
		if (poll(&pfd, 1, timeout_ms) == 0) {
			printf("silent\n");
			return;
		}
		if ((n = imsgbuf_read(&raw_ib)) == 0 || (n == -1 &&
		    errno != EAGAIN && errno != EINTR)) {
			printf("eof\n");
			return;
		}
	}
}

/*
 * rootfs:BASE:SIZE: fs-helper's ROOTFS for container a...a (64 digits),
 * id base BASE, one layer b...b, a disk of SIZE bytes (any int64), with
 * /dev/null as the "userns" fd.
 */
static int
raw_rootfs(int fd, const char *mode)
{
	static struct msg_fs_rootfs	fr;
	int				nfd, r;

	memset(&fr, 0, sizeof(fr));
	memset(fr.id, 'a', CELL_IDLEN);
	memset(fr.layers[0], 'b', CELL_IDLEN);
	fr.nlayers = 1;
	if (sscanf(mode, "rootfs:%u:%" SCNd64, &fr.uid_base, &fr.disk) != 2)
		return -1;
	if ((nfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	r = raw_frame(fd, MSG_FS_ROOTFS, IMSG_HDR_SIZE + sizeof(fr),
	    IMSGF_HASFD, &fr, sizeof(fr), nfd);
	close(nfd);
	return r;
}

/*
 * fs-helper's image messages, fields as given (any bytes but ':'):
 * commit:ID:DIGEST, layerrm:DIGEST, unstage:ID, stage:ID (the "userns"
 * fd is /dev/null).  Returns 1 when mode is none of those.
 */
static int
raw_image(int fd, const char *mode)
{
	struct msg_fs_layer	fl;
	struct msg_spawn_id	id;
	const char		*c;
	int			nfd, r;

	memset(&fl, 0, sizeof(fl));
	memset(&id, 0, sizeof(id));
	if (strncmp(mode, "commit:", 7) == 0 &&
	    (c = strchr(mode + 7, ':')) != NULL) {
		memcpy(fl.id, mode + 7, MIN((size_t)(c - mode - 7),
		    sizeof(fl.id) - 1));
		strncpy(fl.digest, c + 1, sizeof(fl.digest) - 1);
		return raw_frame(fd, MSG_FS_COMMIT, IMSG_HDR_SIZE + sizeof(fl),
		    0, &fl, sizeof(fl), -1);
	}
	if (strncmp(mode, "layerrm:", 8) == 0) {
		strncpy(fl.digest, mode + 8, sizeof(fl.digest) - 1);
		return raw_frame(fd, MSG_FS_LAYER_RM, IMSG_HDR_SIZE +
		    sizeof(fl), 0, &fl, sizeof(fl), -1);
	}
	if (strncmp(mode, "rootfs:", 7) == 0)
		return raw_rootfs(fd, mode);
	if (strncmp(mode, "unstage:", 8) == 0) {
		strncpy(id.id, mode + 8, sizeof(id.id) - 1);
		return raw_frame(fd, MSG_FS_UNSTAGE, IMSG_HDR_SIZE +
		    sizeof(id), 0, &id, sizeof(id), -1);
	}
	if (strncmp(mode, "wait:", 5) == 0) {	/* until the test says go */
		for (r = 0; r < 200 && access(mode + 5, F_OK) == -1; r++)
			usleep(50000);
		return 0;
	}
	if (strncmp(mode, "stage:", 6) == 0) {
		strncpy(id.id, mode + 6, sizeof(id.id) - 1);
		if ((nfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
			return -1;
		r = raw_frame(fd, MSG_FS_STAGE, IMSG_HDR_SIZE + sizeof(id),
		    IMSGF_HASFD, &id, sizeof(id), nfd);
		close(nfd);
		return r;
	}
	return 1;
}

/* spec:FLAGS:NPORTS:USERNS, a create cellctl would refuse to send */
static int
raw_spec(int fd, const char *mode)
{
	static struct cell_spec	s;
	char			buf[256], *f[3], *p = buf;
	uint32_t		i;
	int			n = 0;

	snprintf(buf, sizeof(buf), "%s", mode + 5);
	while (n < 3 && (f[n] = strsep(&p, ":")) != NULL)
		n++;
	if (n != 3)
		return -1;
	memset(&s, 0, sizeof(s));
	snprintf(s.image, sizeof(s.image), "busybox");
	s.flags = (uint32_t)strtoul(f[0], NULL, 16);
	s.nports = (uint32_t)strtoul(f[1], NULL, 10);
	for (i = 0; i < s.nports && i < SPEC_MAXPORTS; i++) {
		s.ports[i].hport = 8080 + i;
		s.ports[i].cport = 80;
		s.ports[i].proto = 6;
	}
	snprintf(s.userns, sizeof(s.userns), "%s", f[2]);
	return raw_frame(fd, MSG_CTL_CREATE, IMSG_HDR_SIZE + sizeof(s), 0, &s,
	    sizeof(s), -1);
}

/* Frames that are whole but wrong: the peer must answer and live on. */
static int
raw_polite(int fd, const char *mode, int helper)
{
	struct msg_ping		mp = { 1 };
	struct msg_launch	ml = { PROC_NET };
	struct msg_ctl_target	t;
	uint32_t		ping = helper ? MSG_PING : MSG_CTL_PING;
	size_t			plen = helper ? sizeof(mp) : 0;
	int			r = -1, nfd;

	if (strcmp(mode, "ping") == 0)
		r = raw_frame(fd, ping, IMSG_HDR_SIZE + plen, 0, &mp, plen,
		    -1);
	else if (strcmp(mode, "unknown") == 0)
		r = raw_frame(fd, 9999, IMSG_HDR_SIZE, 0, NULL, 0, -1);
	else if (strcmp(mode, "badsize") == 0)
		r = raw_frame(fd, ping, IMSG_HDR_SIZE + 3, 0, "abc", 3, -1);
	else if (strcmp(mode, "wrongsender") == 0) {
		/* helper: a client's type; client: a parent's, sized right */
		if (helper)
			r = raw_frame(fd, MSG_CTL_PING, IMSG_HDR_SIZE, 0, NULL,
			    0, -1);
		else
			r = raw_frame(fd, MSG_PING, IMSG_HDR_SIZE + sizeof(mp),
			    0, &mp, sizeof(mp), -1);
	} else if (strcmp(mode, "launch") == 0) {
		/* the parent's type, but for the launcher: not ours */
		r = raw_frame(fd, MSG_LAUNCH, IMSG_HDR_SIZE + sizeof(ml), 0,
		    &ml, sizeof(ml), -1);
	} else if (strncmp(mode, "rm:", 3) == 0 && !helper) {
		memset(&t, 0, sizeof(t));
		snprintf(t.name, sizeof(t.name), "%s", mode + 3);
		t.flags = CTL_FORCE;
		r = raw_frame(fd, MSG_CTL_RM, IMSG_HDR_SIZE + sizeof(t), 0,
		    &t, sizeof(t), -1);
	} else if (strncmp(mode, "spec:", 5) == 0 && !helper) {
		r = raw_spec(fd, mode);
	} else if ((r = raw_image(fd, mode)) != 1) {
		/* images: fs-helper's staging messages, with hostile fields */
		if (strncmp(mode, "wait:", 5) == 0)
			return r;
	} else if (strcmp(mode, "fdtype") == 0) {
		/* an fd on a type that takes none: refused, fd closed */
		if ((nfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
			return -1;
		r = raw_frame(fd, ping, IMSG_HDR_SIZE + plen, IMSGF_HASFD,
		    &mp, plen, nfd);
		close(nfd);
	} else if ((r = raw_net(fd, mode)) == 1)
		return 1;
	if (r == 0)
		raw_answer(ANSWER_MS);
	return r;
}

/* Broken streams: the peer must hang up on us. */
static int
raw_broken(int fd, const char *mode, int helper)
{
	char		junk[64];
	uint32_t	ping = helper ? MSG_PING : MSG_CTL_PING;
	int		r = -1, nfd;

	if (strcmp(mode, "garbage") == 0) {
		memset(junk, 'A', sizeof(junk));
		r = send(fd, junk, sizeof(junk), MSG_NOSIGNAL) ==
		    sizeof(junk) ? 0 : -1;
	} else if (strcmp(mode, "truncated") == 0) {
		if ((r = raw_frame(fd, ping, IMSG_HDR_SIZE + 100, 0, "xx", 2,
		    -1)) == 0)
			shutdown(fd, SHUT_WR);
	} else if (strcmp(mode, "oversize") == 0)
		r = raw_frame(fd, ping, 0x7fffffff, 0, NULL, 0, -1);
	else if (strcmp(mode, "nofd") == 0)
		r = raw_frame(fd, ping, IMSG_HDR_SIZE, IMSGF_HASFD, NULL, 0,
		    -1);
	else if (strcmp(mode, "fdstray") == 0) {
		/* an fd with a frame that does not claim it */
		if ((nfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
			return -1;
		r = raw_frame(fd, 9999, IMSG_HDR_SIZE, 0, NULL, 0, nfd);
		close(nfd);
	} else if (strcmp(mode, "midmsg") == 0) {
		if (raw_frame(fd, ping, IMSG_HDR_SIZE + 8, 0, "abc", 3,
		    -1) == -1)
			return -1;
		close(fd);
		printf("closed\n");
		return -1;
	} else
		return 1;
	if (r == 0)
		raw_answer(ANSWER_MS);
	return r;
}

/* Run every mode in turn; stop at the first that can't be written. */
static void
raw_modes(int fd, char **modes, int helper)
{
	int	r;

	if (imsgbuf_init(&raw_ib, fd) == -1)
		exit(3);
	for (; *modes != NULL; modes++) {
		if ((r = raw_polite(fd, *modes, helper)) == 1)
			r = raw_broken(fd, *modes, helper);
		if (r == 1) {
			fprintf(stderr, "ctlraw: %s: unknown mode\n", *modes);
			exit(1);
		}
		if (r == -1)
			return;
	}
}

/* Start cmd with the other end of a socketpair as its fd 3. */
static pid_t
raw_spawn(char **cmd, int *fdp)
{
	int	sv[2];
	pid_t	pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		exit(3);
	switch ((pid = fork())) {
	case -1:
		exit(3);
	case 0:
		if (sv[1] == HELPER_FD_NUM)
			fcntl(sv[1], F_SETFD, 0);
		else if (dup2(sv[1], HELPER_FD_NUM) == -1)
			_exit(126);
		execvp(cmd[0], cmd);
		fprintf(stderr, "ctlraw: %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	*fdp = sv[0];
	return pid;
}

/* Hang up, then say how the child ended; give it 5 seconds. */
static void
raw_reap(pid_t pid, int fd)
{
	int	i, status;

	close(fd);
	for (i = 0; i < 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			if (WIFSIGNALED(status))
				printf("signal %d\n", WTERMSIG(status));
			else
				printf("exit %d\n", WEXITSTATUS(status));
			return;
		}
		usleep(50000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	printf("hung\n");
}

static void
raw_helper(char **argv)
{
	char	**cmd = NULL;
	pid_t	  pid;
	int	  i, fd = HELPER_FD_NUM;

	for (i = 0; argv[i] != NULL; i++) {
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = NULL;
			cmd = argv + i + 1;
			break;
		}
	}
	if (cmd == NULL || cmd[0] == NULL) {
		raw_modes(fd, argv, 1);
		return;
	}
	pid = raw_spawn(cmd, &fd);
	raw_modes(fd, argv, 1);
	raw_reap(pid, fd);
}

/* Hold n connections open without a word, until killed. */
static void
raw_idle(const char *path, int n)
{
	struct rlimit	rl;
	int		i;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (i = 0; i < n; i++)
		raw_connect(path);
	printf("held %d\n", n);
	fflush(stdout);
	for (;;)
		pause();
}

/*
 * Write pings as fast as the socket takes them and never read a reply,
 * until celld hangs up (0) or end has come (-1).  sent counts bytes.
 */
static int
raw_flood_one(int fd, time_t end, unsigned long long *sent)
{
	struct imsg_hdr	frames[256];
	struct pollfd	pfd;
	size_t		off;
	ssize_t		n;
	int		i;

	memset(frames, 0, sizeof(frames));
	for (i = 0; i < 256; i++) {
		frames[i].type = MSG_CTL_PING;
		frames[i].len = IMSG_HDR_SIZE;
		frames[i].magic = IMSG_MAGIC;
	}
	while (time(NULL) < end) {
		off = *sent % sizeof(frames);
		n = send(fd, (char *)frames + off, sizeof(frames) - off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			*sent += (size_t)n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			return 0;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		poll(&pfd, 1, 100);
	}
	return -1;
}

/* Flood for secs seconds, connecting again each time celld hangs up. */
static void
raw_flood(const char *path, int secs)
{
	unsigned long long	sent = 0;
	time_t			end = time(NULL) + secs;
	int			fd, drops = 0;

	while (time(NULL) < end) {
		fd = raw_connect(path);
		if (raw_flood_one(fd, end, &sent) == 0)
			drops++;
		close(fd);
	}
	printf("dropped %d times in %llu pings\n", drops,
	    sent / IMSG_HDR_SIZE);
}

/* Bind a socket and exit without listening: a stale socket file. */
static void
raw_stale(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		printf("bind-failed %s\n", strerror(errno));
		exit(2);
	}
	printf("stale %s\n", path);
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: ctlraw SOCK|-h MODE...\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(argv[1], "-h") == 0)
		raw_helper(argv + 2);
	else if (strncmp(argv[2], "idle:", 5) == 0)
		raw_idle(argv[1], atoi(argv[2] + 5));
	else if (strncmp(argv[2], "flood:", 6) == 0)
		raw_flood(argv[1], atoi(argv[2] + 6));
	else if (strcmp(argv[2], "stale") == 0)
		raw_stale(argv[1]);
	else
		raw_modes(raw_connect(argv[1]), argv + 2, 0);
	return 0;
}
