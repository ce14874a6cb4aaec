/*
 * ctlraw.c: a hostile client for the control socket and a hostile parent
 * for helpers.  It writes frames no honest peer would and reports what
 * came back, one word per line, so shell tests can judge.
 *
 *   ctlraw SOCK MODE	 speak to celld's control socket
 *   ctlraw -h MODE	 speak to a helper on fd 3 (see tests/proto)
 *
 * Modes: ping garbage truncated oversize unknown badsize midmsg
 * idle:N wrongsender fdstray
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../imsg/imsg.h"
#include "../../imsg/msg.h"

#define HELPER_FD_NUM	3	/* as privsep.h HELPER_FD */

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

static void
raw_hdr(int fd, uint32_t type, uint32_t len, uint16_t magic, uint16_t fl)
{
	struct imsg_hdr	h;

	memset(&h, 0, sizeof(h));
	h.type = type;
	h.len = len;
	h.magic = magic;
	h.flags = fl;
	if (write(fd, &h, sizeof(h)) != sizeof(h))
		exit(3);
}

/* Print what the peer answered: "done ERR MSG", "eof", or "silent". */
static void
raw_answer(int fd, int timeout_ms)
{
	struct imsgbuf		ib;
	struct imsg		imsg;
	struct msg_result	res;
	struct pollfd		pfd = { fd, POLLIN, 0 };
	ssize_t			n;

	imsgbuf_init(&ib, fd);
	for (;;) {
		if ((n = imsg_get(&ib, &imsg)) == -1) {
			printf("badframe\n");
			return;
		}
		if (n > 0) {
			uint32_t t = imsg_get_type(&imsg);

			if ((t == MSG_CTL_DONE || t == MSG_RESULT) &&
			    imsg_get_data(&imsg, &res, sizeof(res)) == 0) {
				res.msg[sizeof(res.msg) - 1] = '\0';
				printf("done %d %s\n", res.err, res.msg);
				imsg_free(&imsg);
				return;
			}
			printf("msg %s\n", msg_name(t));
			imsg_free(&imsg);
			continue;
		}
		if (poll(&pfd, 1, timeout_ms) == 0) {
			printf("silent\n");
			return;
		}
		if ((n = imsgbuf_read(&ib)) == 0 || (n == -1 &&
		    errno != EAGAIN)) {
			printf("eof\n");
			return;
		}
	}
}

static void
raw_mode(int fd, const char *mode, int helper)
{
	char	junk[64];
	struct msg_ping	mp = { 1 };

	if (strcmp(mode, "ping") == 0) {
		if (helper)
			raw_hdr(fd, MSG_PING, IMSG_HDR_SIZE + sizeof(mp),
			    IMSG_MAGIC, 0), write(fd, &mp, sizeof(mp));
		else
			raw_hdr(fd, MSG_CTL_PING, IMSG_HDR_SIZE, IMSG_MAGIC, 0);
	} else if (strcmp(mode, "garbage") == 0) {
		memset(junk, 'A', sizeof(junk));
		if (write(fd, junk, sizeof(junk)) == -1)
			exit(3);
	} else if (strcmp(mode, "truncated") == 0) {
		raw_hdr(fd, MSG_CTL_PING, IMSG_HDR_SIZE + 100, IMSG_MAGIC, 0);
		if (write(fd, "xx", 2) == -1)
			exit(3);
		shutdown(fd, SHUT_WR);
	} else if (strcmp(mode, "oversize") == 0)
		raw_hdr(fd, MSG_CTL_PING, 0x7fffffff, IMSG_MAGIC, 0);
	else if (strcmp(mode, "unknown") == 0)
		raw_hdr(fd, 9999, IMSG_HDR_SIZE, IMSG_MAGIC, 0);
	else if (strcmp(mode, "badsize") == 0) {
		raw_hdr(fd, helper ? MSG_PING : MSG_CTL_PING,
		    IMSG_HDR_SIZE + 3, IMSG_MAGIC, 0);
		if (write(fd, "abc", 3) == -1)
			exit(3);
	} else if (strcmp(mode, "wrongsender") == 0)
		raw_hdr(fd, helper ? MSG_CTL_PING : MSG_PONG, IMSG_HDR_SIZE,
		    IMSG_MAGIC, 0);
	else if (strcmp(mode, "midmsg") == 0) {
		raw_hdr(fd, MSG_CTL_PING, IMSG_HDR_SIZE + 8, IMSG_MAGIC, 0);
		close(fd);
		printf("closed\n");
		exit(0);
	} else {
		fprintf(stderr, "ctlraw: %s: unknown mode\n", mode);
		exit(1);
	}
	raw_answer(fd, 2000);
}

/* Hold n connections open without a word, until killed. */
static void
raw_idle(const char *path, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		raw_connect(path);
	printf("held %d\n", n);
	fflush(stdout);
	pause();
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ctlraw SOCK|-h MODE\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strncmp(argv[2], "idle:", 5) == 0)
		raw_idle(argv[1], atoi(argv[2] + 5));
	if (strcmp(argv[1], "-h") == 0)
		raw_mode(HELPER_FD_NUM, argv[2], 1);
	else
		raw_mode(raw_connect(argv[1]), argv[2], 0);
	return 0;
}
