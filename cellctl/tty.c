/*
 * tty.c: the user's terminal for -t: raw mode while attached (so ^C
 * travels to the container as a byte and its pty turns it into SIGINT),
 * restored at exit, and its size sent along when it changes.
 */
#include <sys/ioctl.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <bsd/string.h>

#include "cellctl.h"

static struct termios		tty_saved;
static int			tty_is_raw;
static volatile sig_atomic_t	tty_winch;
static char			tty_name[CELL_NAMELEN];

/* The terminal's size into a spec, if stdout or stdin is a terminal. */
void
tty_size(struct cell_spec *s)
{
	struct winsize	ws;

	if (ioctl(1, TIOCGWINSZ, &ws) == 0 || ioctl(0, TIOCGWINSZ, &ws) == 0) {
		s->rows = ws.ws_row;
		s->cols = ws.ws_col;
	}
}

static void
tty_restore(void)
{
	if (tty_is_raw)
		tcsetattr(0, TCSADRAIN, &tty_saved);
	tty_is_raw = 0;
}

void
tty_raw(void)
{
	struct termios	t;

	if (!isatty(0) || tcgetattr(0, &tty_saved) == -1)
		return;
	t = tty_saved;
	cfmakeraw(&t);
	if (tcsetattr(0, TCSADRAIN, &t) == 0) {
		tty_is_raw = 1;
		atexit(tty_restore);
	}
}

static void
tty_sigwinch(int sig)
{
	(void)sig;
	tty_winch = 1;
}

static void	tty_resize_once(struct ctl *);

/* Called by ctl_wait() when a read was interrupted. */
static void
tty_intr(struct ctl *ctl)
{
	/* loop: a change may land while the last one is being sent */
	while (tty_winch) {
		tty_winch = 0;
		tty_resize_once(ctl);
	}
}

static void
tty_resize_once(struct ctl *ctl)
{
	struct ctl		c2;
	struct msg_ctl_resize	rz;
	struct msg_result	res;
	struct cell_spec	s;

	memset(&s, 0, sizeof(s));
	tty_size(&s);
	if (s.rows == 0 || s.cols == 0)
		return;
	memset(&rz, 0, sizeof(rz));
	strlcpy(rz.name, tty_name, sizeof(rz.name));
	rz.rows = s.rows;
	rz.cols = s.cols;
	/* a connection of its own: the first one is waiting for the exit */
	memset(&c2, 0, sizeof(c2));
	c2.sock = ctl->sock;
	ctl_connect(&c2);
	ctl_send(&c2, MSG_CTL_RESIZE, -1, &rz, sizeof(rz));
	(void)ctl_wait(&c2, NULL, NULL, &res);
	close(c2.ib.fd);
	imsgbuf_clear(&c2.ib);
}

/* Forward size changes of our terminal to container name's pty. */
void
tty_follow(struct ctl *ctl, const char *name)
{
	struct sigaction	sa;

	strlcpy(tty_name, name, sizeof(tty_name));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tty_sigwinch;	/* no SA_RESTART: reads see EINTR */
	sigaction(SIGWINCH, &sa, NULL);
	ctl->intr = tty_intr;
}
