/*
 * cellctl.c: "cellctl [-s socket] COMMAND ...", Docker's verbs against
 * celld's control socket.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellctl.h"

static const struct cmd {
	const char	*name;
	int		(*fn)(struct ctl *, int, char **);
} cmds[] = {
	{ "create", cmd_create },
	{ "exec", cmd_exec },
	{ "image", cmd_image },
	{ "images", cmd_images },
	{ "info", cmd_info },
	{ "inspect", cmd_inspect },
	{ "kill", cmd_kill },
	{ "logs", cmd_logs },
	{ "network", cmd_network },
	{ "pause", cmd_pause },
	{ "ping", cmd_ping },
	{ "port", cmd_port },
	{ "ps", cmd_ps },
	{ "rename", cmd_rename },
	{ "restart", cmd_restart },
	{ "rm", cmd_rm },
	{ "run", cmd_run },
	{ "start", cmd_start },
	{ "stats", cmd_stats },
	{ "stop", cmd_stop },
	{ "top", cmd_top },
	{ "unpause", cmd_unpause },
	{ "update", cmd_update },
	{ "version", cmd_version },
	{ "wait", cmd_wait },
};

static void __attribute__((noreturn))
usage(void)
{
	size_t	i;

	fprintf(stderr, "usage: cellctl [-s socket] [--json] command "
	    "[args ...]\ncommands:");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, " %s", cmds[i].name);
	fputc('\n', stderr);
	exit(EXIT_CELLD);
}

/*
 * --json may stand anywhere among cellctl's own words; take it out so
 * commands see only their own flags.  run and create parse it among
 * their flags instead: after IMAGE every word is the container's.
 */
static int
strip_json(int argc, char **argv, int *json)
{
	int	i, j;

	if (strcmp(argv[0], "run") == 0 || strcmp(argv[0], "create") == 0)
		return argc;
	for (i = j = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			*json = 1;
		else
			argv[j++] = argv[i];
	}
	argv[j] = NULL;
	return j;
}

int
main(int argc, char **argv)
{
	struct ctl	 ctl;
	size_t		 i;

	memset(&ctl, 0, sizeof(ctl));
	if ((ctl.sock = getenv("CELLD_SOCK")) == NULL || ctl.sock[0] == '\0')
		ctl.sock = "/run/celld.sock";
	argc--;
	argv++;
	while (argc > 0 && argv[0][0] == '-') {
		if (strcmp(argv[0], "-s") == 0 && argc > 1) {
			ctl.sock = argv[1];
			argc -= 2;
			argv += 2;
		} else if (strcmp(argv[0], "--json") == 0) {
			ctl.json = 1;
			argc--;
			argv++;
		} else
			usage();
	}
	if (argc == 0)
		usage();
	argc = strip_json(argc, argv, &ctl.json);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[0], cmds[i].name) == 0)
			return cmds[i].fn(&ctl, argc, argv);
	ctl_die("%s: unknown command", argv[0]);
}
