/*
 * test_msg.c: the message catalogue's gate, the name and string checks
 * and the container spec's (msg_spec_ok).
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

/* --network host and --userns in a spec, as the parent and helpers see it */
static void
spec_tests(void)
{
	static struct cell_spec	s;

	memset(&s, 0, sizeof(s));
	T_OK(msg_spec_ok(&s), "an empty spec is good");
	s.flags = SPEC_NONET | SPEC_HOSTNET;
	T_OK(msg_spec_ok(&s), "host network: SPEC_NONET | SPEC_HOSTNET");
	s.flags = SPEC_HOSTNET;
	T_OK(!msg_spec_ok(&s), "host network without SPEC_NONET is refused");
	s.flags = SPEC_NONET | SPEC_HOSTNET | SPEC_PUBLISHALL;
	T_OK(!msg_spec_ok(&s), "host network with -P is refused");
	s.flags = SPEC_NONET | SPEC_HOSTNET;
	s.nports = 1;
	s.ports[0].hport = s.ports[0].cport = 80;
	s.ports[0].proto = 6;
	T_OK(!msg_spec_ok(&s), "host network with -p is refused");
	memset(&s, 0, sizeof(s));
	s.flags = 1U << 31;
	T_OK(!msg_spec_ok(&s), "an unknown flag is refused");
	s.flags = 0;
	strcpy(s.userns, "web");
	T_OK(msg_spec_ok(&s), "--userns container:web");
	strcpy(s.userns, "../web");
	T_OK(!msg_spec_ok(&s), "--userns: a bad name is refused");
	memset(s.userns, 'a', sizeof(s.userns));
	T_OK(!msg_spec_ok(&s), "--userns: an unterminated name is refused");
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
	spec_tests();
	return tap_done();
}
