/*
 * ctl.c: what the monitor tells the parent.  The control socket
 * RUNDIR/monitors/ID.sock takes connections from our own uid only (the
 * parent is _celld too) and speaks imsg.  Each connection gets a
 * MSG_MON_STATE at once, and another, running=0, when the exit record is
 * final.  The parent sends the monitor nothing yet: anything it sends is
 * refused and ends that connection.  The exit record, STORAGE/containers/
 * ID/exit, is the same news on disk, for a parent that was not there.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "monitor.h"

#define EXIT_NAME	"exit"
#define EXIT_TMP	"exit.tmp"

/* Called before the sandbox: bind() and listen() are not in our table. */
void
ctl_listen(struct mon *m)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd;

	(void)snprintf(m->sockname, sizeof(m->sockname), "%s.sock", m->id);
	if (fstatat(MON_FD_RUNDIR, m->sockname, &st, AT_SYMLINK_NOFOLLOW) ==
	    0) {
		if (!S_ISSOCK(st.st_mode))
			fatalx("%s: exists and is no socket", m->sockname);
		if (unlinkat(MON_FD_RUNDIR, m->sockname, 0) == -1)
			fatal("%s: remove stale socket", m->sockname);
	}
	/* Relative to RUNDIR/monitors: sun_path is too short for paths. */
	if (fchdir(MON_FD_RUNDIR) == -1)
		fatal("chdir monitors");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, m->sockname, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		fatalx("%s: name too long", m->sockname);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		fatal("socket");
	/* the umask (0177) makes it 0600 from the start, no chmod race */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("%s: bind", m->sockname);
	if (listen(fd, MON_MAXCONN) == -1)
		fatal("%s: listen", m->sockname);
	m->lfd = fd;
}

static void
ctl_drop(struct mon_conn *c)
{
	int	fd = c->ib.fd;

	imsgbuf_clear(&c->ib);
	close(fd);
	c->used = 0;
}

static void
ctl_send(struct mon *m, struct mon_conn *c)
{
	struct msg_mon_state	ms;

	memset(&ms, 0, sizeof(ms));
	strlcpy(ms.id, m->id, sizeof(ms.id));
	ms.pid = m->pid;
	ms.running = !m->reported;
	ms.started = m->started;
	if (m->reported) {
		ms.exit_status = m->status;
		ms.finished = m->finished;
	}
	if (imsg_compose(&c->ib, MSG_MON_STATE, 0, 0, -1, &ms,
	    sizeof(ms)) == -1 || imsgbuf_write(&c->ib) == -1) {
		log_warn("control: send state");
		ctl_drop(c);
	}
}

void
ctl_accept(struct mon *m)
{
	struct ucred	 cr;
	socklen_t	 len = sizeof(cr);
	struct mon_conn	*c = NULL;
	int		 fd, i;

	if ((fd = accept4(m->lfd, NULL, NULL, SOCK_CLOEXEC |
	    SOCK_NONBLOCK)) == -1) {
		if (errno != EAGAIN && errno != ECONNABORTED)
			log_warn("control: accept");
		return;
	}
	/* The kernel's word on who it is: only our own uid, the parent's. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1 ||
	    len != sizeof(cr) || cr.uid != m->uid) {
		log_warnx("control: refused a peer not uid %u", m->uid);
		close(fd);
		return;
	}
	for (i = 0; i < MON_MAXCONN && c == NULL; i++)
		if (!m->conn[i].used)
			c = &m->conn[i];
	if (c == NULL) {
		log_warnx("control: refused pid %d, %d connections open",
		    cr.pid, MON_MAXCONN);
		close(fd);
		return;
	}
	if (imsgbuf_init(&c->ib, fd) == -1) {
		log_warn("control: connection");
		close(fd);
		return;
	}
	c->used = 1;
	ctl_send(m, c);
}

/* The client's terminal changed size: so does C's pty, if it has one. */
static int
ctl_resize(struct imsg *imsg)
{
	struct msg_ctl_resize	rz;
	struct winsize		ws;

	if (imsg_get_data(imsg, &rz, sizeof(rz)) == -1 || rz.rows == 0 ||
	    rz.cols == 0)
		return -1;
	memset(&ws, 0, sizeof(ws));
	ws.ws_row = rz.rows;
	ws.ws_col = rz.cols;
	if (ioctl(MON_FD_OUT, TIOCSWINSZ, &ws) == -1)
		log_debug("control: resize: not a tty");
	return 0;
}

/* Gate, then switch. */
static int
ctl_dispatch(struct imsg *imsg)
{
	uint32_t	type = imsg_get_type(imsg);

	if (msg_check(imsg, PROC_PARENT) == -1) {
		log_warn("control: refused %s", msg_name(type));
		return -1;
	}
	switch (type) {
	case MSG_MON_RESIZE:
		return ctl_resize(imsg);
	default:
		log_warnx("control: unexpected %s", msg_name(type));
		return -1;
	}
}

void
ctl_io(struct mon *m, struct mon_conn *c, short revents)
{
	struct imsg	imsg;
	ssize_t		n;

	(void)m;
	if ((revents & POLLOUT) && imsgbuf_write(&c->ib) == -1)
		goto drop;
	if ((revents & (POLLIN | POLLHUP | POLLERR)) == 0)
		return;
	if ((n = imsgbuf_read(&c->ib)) == 0 ||
	    (n == -1 && errno != EAGAIN))
		goto drop;
	while ((n = imsg_get(&c->ib, &imsg)) > 0) {
		n = ctl_dispatch(&imsg);
		imsg_free(&imsg);
		if (n == -1)
			goto drop;
	}
	if (n == -1) {
		log_warnx("control: bad frame");
		goto drop;
	}
	return;
drop:
	ctl_drop(c);
}

static int
ctl_putfile(int fd, const char *s, size_t n)
{
	ssize_t	w;

	for (; n > 0; s += w, n -= (size_t)w)
		if ((w = write(fd, s, n)) <= 0)
			return -1;
	return fsync(fd);
}

/*
 * {"exit_status":N,"finished":T,"started":T,"pid":N}, atomically: write
 * exit.tmp, fsync, rename, fsync the directory.  A crash leaves the old
 * record or the new one, never half of one.
 */
int
ctl_exitfile(struct mon *m)
{
	json_t	*o;
	char	*s = NULL;
	int	 fd = -1, r = -1;

	o = json_pack("{s:i,s:I,s:I,s:i}", "exit_status", m->status,
	    "finished", (json_int_t)m->finished, "started",
	    (json_int_t)m->started, "pid", (int)m->pid);
	if (o == NULL || (s = json_dumps(o, JSON_COMPACT)) == NULL)
		goto done;
	if ((fd = openat(MON_FD_DIR, EXIT_TMP, O_WRONLY | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) == -1)
		goto done;
	if (ctl_putfile(fd, s, strlen(s)) == -1 ||
	    renameat(MON_FD_DIR, EXIT_TMP, MON_FD_DIR, EXIT_NAME) == -1 ||
	    fsync(MON_FD_DIR) == -1)
		goto done;
	r = 0;
done:
	if (r == -1)
		log_warn("exit record");
	if (fd != -1)
		close(fd);
	free(s);
	json_decref(o);
	return r;
}

/* The exit record is final: tell everyone connected. */
void
ctl_report(struct mon *m)
{
	int	i;

	m->reported = 1;
	for (i = 0; i < MON_MAXCONN; i++)
		if (m->conn[i].used)
			ctl_send(m, &m->conn[i]);
}

/* Last words go out without waiting; then the socket goes away. */
void
ctl_finish(struct mon *m)
{
	int	i;

	if (unlinkat(MON_FD_RUNDIR, m->sockname, 0) == -1)
		log_warn("%s: remove", m->sockname);
	close(m->lfd);
	m->lfd = -1;
	for (i = 0; i < MON_MAXCONN; i++) {
		if (!m->conn[i].used)
			continue;
		if (imsgbuf_write(&m->conn[i].ib) == -1 ||
		    imsgbuf_queuelen(&m->conn[i].ib) > 0)
			log_warnx("control: state not delivered");
		ctl_drop(&m->conn[i]);
	}
}
