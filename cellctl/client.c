/*
 * client.c: cellctl's side of the control socket.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "cellctl.h"

void
ctl_die(const char *fmt, ...)
{
	va_list	ap;

	fputs("cellctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_CELLD);
}

void
ctl_connect(struct ctl *ctl)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, ctl->sock, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		ctl_die("%s: socket path too long", ctl->sock);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		ctl_die("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == EACCES || errno == EPERM)
			ctl_die("%s: permission denied (are you in the "
			    "socket's group?)", ctl->sock);
		if (errno == ENOENT || errno == ECONNREFUSED)
			ctl_die("%s: celld is not running", ctl->sock);
		ctl_die("%s: %s", ctl->sock, strerror(errno));
	}
	if (imsgbuf_init(&ctl->ib, fd) == -1)
		ctl_die("out of memory");
}

/* A connection celld refused carries one MSG_CTL_DONE saying why. */
static void
ctl_refused(struct ctl *ctl)
{
	struct imsg		imsg;
	struct msg_result	res;
	int			saved = errno;

	if (imsgbuf_read(&ctl->ib) > 0 && imsg_get(&ctl->ib, &imsg) > 0 &&
	    imsg_get_type(&imsg) == MSG_CTL_DONE &&
	    imsg_get_data(&imsg, &res, sizeof(res)) == 0 && res.err != 0) {
		res.msg[sizeof(res.msg) - 1] = '\0';
		ctl_die("%s: %s", ctl->sock, res.msg);
	}
	errno = saved;
}

void
ctl_send(struct ctl *ctl, uint32_t type, int fd, const void *data,
    size_t len)
{
	if (imsg_compose(&ctl->ib, type, 0, 0, fd, data, len) == -1)
		ctl_die("%s: send: %s", ctl->sock, strerror(errno));
	if (imsgbuf_flush(&ctl->ib) == -1) {
		ctl_refused(ctl);	/* celld may have said why it hung up */
		ctl_die("%s: send: %s", ctl->sock, strerror(errno));
	}
}

/*
 * Read replies until MSG_CTL_DONE, handing every other message to fn.
 * Returns the result's err; res gets the whole result.
 */
int
ctl_wait(struct ctl *ctl, reply_fn fn, void *arg, struct msg_result *res)
{
	struct imsg	imsg;
	ssize_t		n;

	for (;;) {
		if ((n = imsg_get(&ctl->ib, &imsg)) == -1)
			ctl_die("%s: bad reply from celld", ctl->sock);
		if (n == 0) {
			n = imsgbuf_read(&ctl->ib);
			if (n == 0)
				ctl_die("%s: celld closed the connection",
				    ctl->sock);
			if (n == -1 && errno == EINTR && ctl->intr != NULL)
				ctl->intr(ctl);
			if (n == -1 && errno != EINTR && errno != EAGAIN)
				ctl_die("%s: %s", ctl->sock, strerror(errno));
			continue;
		}
		if (msg_check(&imsg, PROC_PARENT) == -1)
			ctl_die("%s: unexpected %s from celld", ctl->sock,
			    msg_name(imsg_get_type(&imsg)));
		if (imsg_get_type(&imsg) == MSG_CTL_DONE) {
			if (imsg_get_data(&imsg, res, sizeof(*res)) == -1)
				ctl_die("bad reply");
			res->msg[sizeof(res->msg) - 1] = '\0';
			imsg_free(&imsg);
			return res->err;
		}
		if (fn == NULL || fn(ctl, &imsg, arg) == -1)
			ctl_die("%s: unexpected %s from celld", ctl->sock,
			    msg_name(imsg_get_type(&imsg)));
		imsg_free(&imsg);
	}
}

/*
 * A reply_fn for listings: the payload of a reply of r's type (r a
 * struct replies) appended to r's records, then cleaned.
 */
int
ctl_collect(struct ctl *ctl, struct imsg *imsg, void *arg)
{
	struct replies	*r = arg;
	unsigned char	*nv, *rec;

	(void)ctl;
	if (imsg_get_type(imsg) != r->type)
		return -1;
	if ((nv = reallocarray(r->v, r->n + 1, r->size)) == NULL)
		ctl_die("out of memory");
	r->v = nv;
	rec = nv + r->n * r->size;
	if (imsg_get_data(imsg, rec, r->size) == -1)
		return -1;
	r->clean(rec);
	r->n++;
	return 0;
}
