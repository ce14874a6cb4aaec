/*
 * test_conf [-p] [-D macro=value] file
 *
 * Parse a celld.conf and print its canonical form to stdout, or the
 * errors to stderr.  -p enables the owner/mode check on the file.
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../parent/conf.h"

static void
usage(void)
{
	fprintf(stderr, "usage: test_conf [-p] [-D macro=value] file\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct celld_conf	conf;
	int			ch, check_perms = 0, ret;

	while ((ch = getopt(argc, argv, "D:p")) != -1) {
		switch (ch) {
		case 'D':
			if (conf_macro_define(optarg) == -1) {
				fprintf(stderr, "invalid macro: %s\n", optarg);
				return (2);
			}
			break;
		case 'p':
			check_perms = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	ret = conf_parse(argv[optind], &conf, check_perms);
	if (ret == 0)
		conf_print(stdout, &conf);
	conf_free(&conf);
	return (ret == 0 ? 0 : 1);
}
