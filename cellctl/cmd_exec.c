/*
 * cmd_exec.c: "cellctl exec [-d] [-i] [-t] [-u USER] [-w DIR] [-e K=V]...
 * CONTAINER CMD [ARG...]", Docker's exec.  Exit status: the command's,
 * 126 or 127 when it can't be run, 125 for an error of cellctl or celld.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "cellctl.h"

/* Append s to a NUL-separated block. */
static int
block_add(char *buf, size_t size, uint32_t *n, const char *s)
{
	size_t		off = 0;
	uint32_t	i;

	for (i = 0; i < *n; i++)
		off += strlen(buf + off) + 1;
	if (off + strlen(s) + 1 > size)
		return -1;
	memcpy(buf + off, s, strlen(s) + 1);
	(*n)++;
	return 0;
}

static void
exec_env(struct cell_spec *s, const char *kv)
{
	char		 one[4096];
	const char	*v;

	if (strchr(kv, '=') == NULL) {	/* -e K: our own value, as Docker */
		if ((v = getenv(kv)) == NULL)
			return;
		snprintf(one, sizeof(one), "%s=%s", kv, v);
		kv = one;
	}
	if (kv[0] == '=' || block_add(s->env, sizeof(s->env), &s->envc,
	    kv) == -1)
		ctl_die("exec: -e %s: bad or too much environment", kv);
}

static void
exec_parse(int argc, char **argv, struct cell_spec *s)
{
	int	ch, i;

	optind = 1;
	while ((ch = getopt(argc, argv, "+ditu:w:e:")) != -1) {
		switch (ch) {
		case 'd':
			s->flags |= SPEC_DETACH;
			break;
		case 'i':
			s->flags |= SPEC_INTERACTIVE;
			break;
		case 't':
			s->flags |= SPEC_TTY;
			break;
		case 'u':
			if (strlcpy(s->user, optarg, sizeof(s->user)) >=
			    sizeof(s->user))
				ctl_die("exec: -u: too long");
			break;
		case 'w':
			if (optarg[0] != '/' || strlcpy(s->workdir, optarg,
			    sizeof(s->workdir)) >= sizeof(s->workdir))
				ctl_die("exec: -w: need an absolute path");
			break;
		case 'e':
			exec_env(s, optarg);
			break;
		default:
			ctl_die("usage: cellctl exec [-dit] [-u user] "
			    "[-w dir] [-e K=V] container command [arg ...]");
		}
	}
	if (argc - optind < 2)
		ctl_die("usage: cellctl exec [-dit] [-u user] [-w dir] "
		    "[-e K=V] container command [arg ...]");
	if (strlcpy(s->name, argv[optind], sizeof(s->name)) >= sizeof(s->name))
		ctl_die("%s: bad container name", argv[optind]);
	for (i = optind + 1; i < argc; i++)
		if (block_add(s->args, sizeof(s->args), &s->argc, argv[i]) == -1)
			ctl_die("exec: arguments too long");
}

static void
exec_stdio(struct ctl *ctl, int which)
{
	struct msg_stdio	ms;
	int			fd;

	memset(&ms, 0, sizeof(ms));
	ms.which = which;
	if ((fd = fcntl(which, F_DUPFD_CLOEXEC, 3)) == -1 &&
	    (fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		ctl_die("/dev/null: %s", strerror(errno));
	ctl_send(ctl, MSG_CTL_STDIO, fd, &ms, sizeof(ms));
}

int
cmd_exec(struct ctl *ctl, int argc, char **argv)
{
	struct cell_spec	*s;
	struct msg_result	 res;
	int			 detach;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		ctl_die("out of memory");
	exec_parse(argc, argv, s);
	detach = (s->flags & SPEC_DETACH) != 0;
	if (s->flags & SPEC_TTY)
		tty_size(s);
	ctl_connect(ctl);
	if (!detach) {
		if (s->flags & SPEC_INTERACTIVE)
			exec_stdio(ctl, 0);
		exec_stdio(ctl, 1);
		exec_stdio(ctl, 2);
		if ((s->flags & SPEC_TTY) && (s->flags & SPEC_INTERACTIVE))
			tty_raw();
	}
	ctl_send(ctl, MSG_CTL_EXEC, -1, s, sizeof(*s));
	if (ctl_wait(ctl, NULL, NULL, &res) != 0 && res.status == 0)
		res.status = EXIT_CELLD;
	if (res.err != 0 && res.msg[0] != '\0')
		fprintf(stderr, "cellctl: %s\n", res.msg);
	free(s);
	return res.status;
}
