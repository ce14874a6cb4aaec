/*
 * cmd_run.c: run and create (their flags are parsed by spec.c).
 * cell_start() and cell_wait(), the two halves of an attached run, are
 * shared with start, restart and wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "cellctl.h"

/* A container named on the command line: a name or an id prefix. */
int
ctl_target(struct msg_ctl_target *t, const char *name)
{
	memset(t, 0, sizeof(*t));
	if (name[0] == '\0' || strlen(name) > CELL_NAMEMAX ||
	    !msg_str_ok(name, strlen(name) + 1)) {
		fprintf(stderr, "cellctl: %s: invalid container name\n", name);
		return -1;
	}
	strlcpy(t->name, name, sizeof(t->name));
	return 0;
}

/*
 * celld's answer as "cellctl: NAME: what", the name once: its message may
 * begin with the name already, or be a bare word that wants errno.
 */
void
ctl_warn(const char *name, const struct msg_result *res)
{
	size_t	n = strlen(name);
	int	idlen = (int)n;

	if (n == CELL_IDLEN && strspn(name, "0123456789abcdef") == n)
		idlen = 12;		/* an id, as run has it: short form */
	if (res->msg[0] == '\0')
		fprintf(stderr, "cellctl: %.*s: %s\n", idlen, name,
		    strerror(res->err));
	else if (strncmp(res->msg, name, n) == 0 && res->msg[n] == ':')
		fprintf(stderr, "cellctl: %s\n", res->msg);
	else if (strpbrk(res->msg, " :") == NULL && res->err != 0)
		fprintf(stderr, "cellctl: %.*s: %s: %s\n", idlen, name,
		    res->msg, strerror(res->err));
	else
		fprintf(stderr, "cellctl: %.*s: %s\n", idlen, name, res->msg);
}

/* Our own fd 0, 1 or 2 for the container; a closed one is /dev/null. */
static void
stdio_send(struct ctl *ctl, const char *name, int which)
{
	struct msg_stdio	ms;
	int			fd;

	memset(&ms, 0, sizeof(ms));
	if (strlen(name) < sizeof(ms.id))
		strlcpy(ms.id, name, sizeof(ms.id));
	ms.which = which;
	/* imsg closes the fd it sends: send a copy. */
	if ((fd = fcntl(which, F_DUPFD_CLOEXEC, 3)) == -1) {
		if (errno != EBADF)
			ctl_die("dup: %s", strerror(errno));
		if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
			ctl_die("/dev/null: %s", strerror(errno));
	}
	ctl_send(ctl, MSG_CTL_STDIO, fd, &ms, sizeof(ms));
}

/*
 * START, with our stdio first if attach (stdin only if in).  0, or the
 * exit code after one line on stderr: 126 or 127 when celld says the
 * command can't be run, else 125.
 */
int
cell_start(struct ctl *ctl, const char *name, int attach, int in)
{
	struct msg_ctl_target	t;
	struct msg_result	res;

	if (ctl_target(&t, name) == -1)
		return EXIT_CELLD;
	if (attach) {
		if (in)
			stdio_send(ctl, name, 0);
		stdio_send(ctl, name, 1);
		stdio_send(ctl, name, 2);
		t.flags = CTL_ATTACH;
	}
	ctl_send(ctl, MSG_CTL_START, -1, &t, sizeof(t));
	if (ctl_wait(ctl, NULL, NULL, &res) == 0)
		return 0;
	ctl_warn(name, &res);
	return res.status == 126 || res.status == 127 ? res.status :
	    EXIT_CELLD;
}

/* WAIT: 0 and the container's exit status, or 125 after one line. */
int
cell_wait(struct ctl *ctl, const char *name, int *status)
{
	struct msg_ctl_target	t;
	struct msg_result	res;

	if (ctl_target(&t, name) == -1)
		return EXIT_CELLD;
	ctl_send(ctl, MSG_CTL_WAIT, -1, &t, sizeof(t));
	if (ctl_wait(ctl, NULL, NULL, &res) != 0) {
		ctl_warn(name, &res);
		return EXIT_CELLD;
	}
	*status = res.status;
	return 0;
}

/*
 * Open each volume's source as the user running cellctl, and hand celld
 * the fd: celld never resolves a path a client typed, and a symlink
 * swapped in later can't redirect what was opened.
 */
static void
vol_send(struct ctl *ctl, const struct cell_spec *spec)
{
	struct msg_volume	mv;
	uint32_t		i;
	int			fd;

	for (i = 0; i < spec->nvols; i++) {
		fd = open(spec_volsrc(i), O_RDONLY | O_NOCTTY | O_CLOEXEC);
		if (fd == -1)
			ctl_die("-v %s: %s", spec_volsrc(i), strerror(errno));
		memset(&mv, 0, sizeof(mv));
		mv.index = i;
		mv.ro = spec->vols[i].ro;
		strlcpy(mv.dst, spec->vols[i].dst, sizeof(mv.dst));
		ctl_send(ctl, MSG_CTL_VOLUME, fd, &mv, sizeof(mv));
	}
}

/* Parse, connect and CREATE; id gets the new container's id. */
static struct cell_spec *
run_create(struct ctl *ctl, int argc, char **argv, char *id, size_t idlen)
{
	struct cell_spec	*spec;
	struct msg_result	 res;
	char			 err[512];

	if ((spec = malloc(sizeof(*spec))) == NULL)
		ctl_die("out of memory");
	if (spec_parse(argc, argv, spec, err, sizeof(err)) == -1)
		ctl_die("%s", err);
	if (spec->flags & SPEC_TTY)
		tty_size(spec);
	ctl_connect(ctl);
	vol_send(ctl, spec);
	if (spec->flags & SPEC_SECCOMP)
		seccomp_send(ctl);
	ctl_send(ctl, MSG_CTL_CREATE, -1, spec, sizeof(*spec));
	if (ctl_wait(ctl, NULL, NULL, &res) != 0)
		ctl_die("%s", res.msg[0] ? res.msg : strerror(res.err));
	if (strlen(res.msg) != CELL_IDLEN ||
	    strspn(res.msg, "0123456789abcdef") != CELL_IDLEN)
		ctl_die("%s: celld sent a bad container id", argv[0]);
	strlcpy(id, res.msg, idlen);
	return spec;
}

int
cmd_create(struct ctl *ctl, int argc, char **argv)
{
	char	id[CELL_IDLEN + 1];

	free(run_create(ctl, argc, argv, id, sizeof(id)));
	printf("%s\n", id);
	return 0;
}

int
cmd_run(struct ctl *ctl, int argc, char **argv)
{
	struct cell_spec	*spec;
	char			 id[CELL_IDLEN + 1];
	int			 detach, in, rv, status;

	spec = run_create(ctl, argc, argv, id, sizeof(id));
	detach = (spec->flags & SPEC_DETACH) != 0;
	in = (spec->flags & SPEC_INTERACTIVE) != 0;
	if ((spec->flags & SPEC_TTY) && !detach) {
		tty_raw();
		tty_follow(ctl, id);
	}
	free(spec);
	if ((rv = cell_start(ctl, id, !detach, in)) != 0)
		return rv;
	if (detach) {
		printf("%s\n", id);
		return 0;
	}
	if ((rv = cell_wait(ctl, id, &status)) != 0)
		return rv;
	if (status < 0 || status > 255)
		ctl_die("%s: celld sent a bad exit status %d", id, status);
	return status;
}
