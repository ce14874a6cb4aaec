/*
 * test_msg.c: the message catalogue's gate and the name and string checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "imsg/msg.h"
#include "tap.h"

static int
check(uint32_t type, size_t len, int fd, enum proc_id from)
{
	struct imsg	imsg;
	char		buf[64 * 1024];

	memset(&imsg, 0, sizeof(imsg));
	memset(buf, 0, sizeof(buf));
	imsg.hdr.type = type;
	imsg.data = buf;
	imsg.datalen = len;
	imsg.fd = fd;
	return msg_check(&imsg, from);
}

int
main(void)
{
	char	name[300];
	int	fd;

	T_OK(check(MSG_CTL_PING, 0, -1, PROC_CLIENT) == 0, "ping from client");
	T_ERRNO(check(MSG_CTL_PING, 1, -1, PROC_CLIENT), EBADMSG,
	    "ping with a payload is refused");
	T_ERRNO(check(MSG_PONG, sizeof(struct msg_procinfo), -1, PROC_CLIENT),
	    EPERM, "client may not send pong");
	T_ERRNO(check(9999, 0, -1, PROC_CLIENT), ENOSYS, "unknown type");
	T_ERRNO(check(MSG_NONE, 0, -1, PROC_CLIENT), ENOSYS, "type zero");
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	T_ERRNO(check(MSG_CTL_PING, 0, fd, PROC_CLIENT), EBADMSG,
	    "fd on a type that takes none is refused");
	T_OK(fcntl(fd, F_GETFD) == -1 && errno == EBADF,
	    "and the stray fd is closed by the gate");
	T_ERRNO(check(MSG_LAUNCHED, sizeof(struct msg_launch), -1,
	    PROC_LAUNCH), EBADMSG, "launched without its fd is refused");
	T_OK(msg_name_ok("web-1.a_b", 10), "a good name");
	T_OK(!msg_name_ok("-web", 5), "a leading dash is refused");
	T_OK(!msg_name_ok("a/b", 4), "a slash is refused");
	T_OK(!msg_name_ok("", 1), "the empty name is refused");
	T_OK(!msg_name_ok("abc", 3), "an unterminated name is refused");
	memset(name, 'a', sizeof(name));
	name[128] = '\0';
	T_OK(msg_name_ok(name, sizeof(name)), "128 characters are allowed");
	name[128] = 'a';
	name[129] = '\0';
	T_OK(!msg_name_ok(name, sizeof(name)), "129 characters are refused");
	T_OK(!msg_str_ok("a\nb", 4), "control characters are refused");
	return tap_done();
}
