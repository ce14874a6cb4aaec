/*
 * cmd_image.c: cellctl image load|import|ls|rm|inspect|tag|prune, and
 * "images".  load and import open the archive here, with the user's own
 * permissions, and pass the fd: celld never opens a path we were given.
 * On a terminal (and without -q) the archive goes through a pipe we fill
 * ourselves, so that we can show how much of it was read.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <jansson.h>

#include "cellctl.h"

static int
image_open(const char *path)
{
	int	fd;

	if (path == NULL || strcmp(path, "-") == 0)
		return STDIN_FILENO;
	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC)) == -1)
		ctl_die("%s: %s", path, strerror(errno));
	return fd;
}

static void
progress_show(off_t done, off_t total, int final)
{
	if (total > 0)
		fprintf(stderr, "\rloading: %lld of %lld MB (%d%%)%s",
		    (long long)(done >> 20), (long long)(total >> 20),
		    (int)(done * 100 / total), final ? "\n" : "");
	else
		fprintf(stderr, "\rloading: %lld MB%s", (long long)(done >> 20),
		    final ? "\n" : "");
}

/* Copy in to the pipe, showing the count; returns after EOF or EPIPE. */
static void
progress_pump(int in, int out, off_t total)
{
	char	buf[65536];
	ssize_t	n;
	off_t	done = 0;
	time_t	last = 0;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || write(out, buf, n) != n)
			break;
		done += n;
		if (time(NULL) != last) {
			last = time(NULL);
			progress_show(done, total, 0);
		}
	}
	progress_show(done, total, 1);
	close(out);
}

/* "layers" = "K N" from celld: layer K of N is being unpacked */
static int
progress_layers(struct ctl *ctl, struct imsg *imsg, void *arg)
{
	struct msg_kv	kv;
	int		*shown = arg, k, n;

	(void)ctl;
	if (imsg_get_type(imsg) != MSG_CTL_KV ||
	    imsg_get_data(imsg, &kv, sizeof(kv)) == -1)
		return -1;
	kv.val[sizeof(kv.val) - 1] = '\0';
	if (strcmp(kv.key, "layers") != 0 ||
	    sscanf(kv.val, "%d %d", &k, &n) != 2)
		return -1;
	if (*shown >= 0) {
		fprintf(stderr, "\runpacking: layer %d of %d", k, n);
		*shown = 1;
	}
	return 0;
}

static int
image_send(struct ctl *ctl, struct msg_image_load *m, int fd, int quiet)
{
	struct msg_result	res;
	struct stat		st;
	int			p[2], shown = -1, rv;

	ctl_connect(ctl);
	if (quiet || !isatty(STDOUT_FILENO)) {
		ctl_send(ctl, MSG_CTL_IMAGE_LOAD, fd, m, sizeof(*m));
	} else {
		if (pipe2(p, O_CLOEXEC) == -1)
			ctl_die("pipe: %s", strerror(errno));
		signal(SIGPIPE, SIG_IGN);
		ctl_send(ctl, MSG_CTL_IMAGE_LOAD, p[0], m, sizeof(*m));
		progress_pump(fd, p[1], fstat(fd, &st) == 0 &&
		    S_ISREG(st.st_mode) ? st.st_size : 0);
		if (fd != STDIN_FILENO)
			close(fd);
		shown = 0;
	}
	rv = ctl_wait(ctl, progress_layers, &shown, &res);
	if (shown == 1)
		fputc('\n', stderr);
	if (rv != 0)
		ctl_die("image %s: %s", m->mode == IMAGE_IMPORT ? "import" :
		    "load", res.msg[0] ? res.msg : strerror(res.err));
	printf("Loaded image: %s\n", res.msg);
	return 0;
}

static int
cmd_image_load(struct ctl *ctl, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	static struct msg_image_load	 m;
	const char			*in = NULL;
	int				 c, quiet = 0;

	cell_optreset();
	while ((c = cell_getopt(argc, argv, ":i:q", lo)) != -1)
		if (c == 'i')
			in = optarg;
		else
			quiet = 1;
	if (optind != argc)
		ctl_die("usage: cellctl image load [-i FILE] [-q]");
	if (in == NULL && isatty(STDIN_FILENO))
		ctl_die("image load: give -i FILE or an archive on stdin");
	memset(&m, 0, sizeof(m));
	m.mode = IMAGE_LOAD;
	return image_send(ctl, &m, image_open(in), quiet);
}

/* import FILE|- NAME[:TAG] [--change LINE]... */
static int
cmd_image_import(struct ctl *ctl, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "change", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	static struct msg_image_load	 m;
	size_t				 off = 0, len;
	int				 c, quiet = 0;

	memset(&m, 0, sizeof(m));
	m.mode = IMAGE_IMPORT;
	cell_optreset();
	while ((c = cell_getopt(argc, argv, ":c:q", lo)) != -1) {
		if (c == 'q') {
			quiet = 1;
			continue;
		}
		len = strlen(optarg) + 1;
		if (off + len > sizeof(m.changes))
			ctl_die("image import: --change: too long");
		memcpy(m.changes + off, optarg, len);
		off += len;
		m.nchanges++;
	}
	if (optind + 2 != argc)
		ctl_die("usage: cellctl image import FILE|- NAME[:TAG] "
		    "[--change 'CMD ...'] ...");
	if (strlcpy(m.ref, argv[optind + 1], sizeof(m.ref)) >= sizeof(m.ref))
		ctl_die("image import: %s: name too long", argv[optind + 1]);
	return image_send(ctl, &m, image_open(argv[optind]), quiet);
}

static int
ls_collect(struct ctl *ctl, struct imsg *imsg, void *arg)
{
	static struct msg_json	 mj;
	json_t			*o;
	json_error_t		 je;

	if (imsg_get_type(imsg) != MSG_CTL_JSON ||
	    imsg_get_data(imsg, &mj, sizeof(mj)) == -1 || mj.len > JSON_MAX)
		return -1;
	if ((o = json_loadb(mj.data, mj.len, 0, &je)) == NULL ||
	    !json_is_object(o))
		ctl_die("%s: celld sent bad JSON", ctl->sock);
	json_array_append_new(arg, o);
	return 0;
}

static int
ls_cmp(const void *a, const void *b)
{
	json_t * const	*x = a, * const *y = b;
	char		 s[2][300];

	snprintf(s[0], sizeof(s[0]), "%s:%s", json_string_value(
	    json_object_get(*x, "name")), json_string_value(
	    json_object_get(*x, "tag")));
	snprintf(s[1], sizeof(s[1]), "%s:%s", json_string_value(
	    json_object_get(*y, "name")), json_string_value(
	    json_object_get(*y, "tag")));
	return strcmp(s[0], s[1]);
}

static void
ls_table(json_t *all, int quiet)
{
	json_t		**v;
	size_t		  i, n = json_array_size(all);
	char		  when[32];
	time_t		  t;

	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		ctl_die("out of memory");
	for (i = 0; i < n; i++)
		v[i] = json_array_get(all, i);
	qsort(v, n, sizeof(*v), ls_cmp);
	if (!quiet)
		printf("%-30s %-15s %-14s %-20s %s\n", "REPOSITORY", "TAG",
		    "IMAGE ID", "CREATED", "LAYERS");
	for (i = 0; i < n; i++) {
		const char *id = json_string_value(json_object_get(v[i], "id"));

		if (quiet) {
			printf("%.12s\n", id ? id : "");
			continue;
		}
		t = json_integer_value(json_object_get(v[i], "created"));
		if (t > 0)
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M",
			    localtime(&t));
		else
			strlcpy(when, "-", sizeof(when));
		printf("%-30s %-15s %-14.12s %-20s %zu\n",
		    json_string_value(json_object_get(v[i], "name")),
		    json_string_value(json_object_get(v[i], "tag")),
		    id ? id : "-", when,
		    json_array_size(json_object_get(v[i], "layers")));
	}
	free(v);
}

static int
cmd_image_ls(struct ctl *ctl, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	struct msg_ctl_target	 t;
	struct msg_result	 res;
	json_t			*all = json_array();
	int			 quiet = 0;

	cell_optreset();
	while (cell_getopt(argc, argv, ":q", lo) != -1)
		quiet = 1;
	if (optind != argc)
		ctl_die("usage: cellctl image ls [-q] [--json]");
	memset(&t, 0, sizeof(t));
	ctl_connect(ctl);
	ctl_send(ctl, MSG_CTL_IMAGE_LS, -1, &t, sizeof(t));
	if (ctl_wait(ctl, ls_collect, all, &res) != 0)
		ctl_die("image ls: %s", res.msg[0] ? res.msg :
		    strerror(res.err));
	if (ctl->json) {
		json_dumpf(all, stdout, JSON_INDENT(4));
		putchar('\n');
	} else
		ls_table(all, quiet);
	json_decref(all);
	return 0;
}

static int
image_simple(struct ctl *ctl, uint32_t type, const char *verb,
    const char *name, uint32_t flags, json_t *out)
{
	struct msg_ctl_target	t;
	struct msg_result	res;

	memset(&t, 0, sizeof(t));
	if (strlcpy(t.name, name, sizeof(t.name)) >= sizeof(t.name)) {
		fprintf(stderr, "cellctl: image %s: %s: name too long\n", verb,
		    name);
		return EXIT_CELLD;
	}
	t.flags = flags;
	ctl_send(ctl, type, -1, &t, sizeof(t));
	if (ctl_wait(ctl, out ? ls_collect : NULL, out, &res) != 0) {
		fprintf(stderr, "cellctl: image %s: %s\n", verb, res.msg[0] ?
		    res.msg : strerror(res.err));
		return EXIT_CELLD;
	}
	if (type == MSG_CTL_IMAGE_RM)
		printf("Untagged: %s\n", name);
	return 0;
}

static int
cmd_image_rm(struct ctl *ctl, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	uint32_t	flags = 0;
	int		i, rv = 0;

	cell_optreset();
	while (cell_getopt(argc, argv, ":f", lo) != -1)
		flags |= CTL_FORCE;
	if (optind >= argc)
		ctl_die("usage: cellctl image rm [-f] NAME ...");
	ctl_connect(ctl);
	for (i = optind; i < argc; i++)
		if (image_simple(ctl, MSG_CTL_IMAGE_RM, "rm", argv[i], flags,
		    NULL) != 0)
			rv = EXIT_CELLD;
	return rv;
}

static int
cmd_image_inspect(struct ctl *ctl, int argc, char **argv)
{
	json_t	*all = json_array();
	int	 i, rv = 0;

	if (argc < 2)
		ctl_die("usage: cellctl image inspect NAME ...");
	ctl_connect(ctl);
	for (i = 1; i < argc; i++)
		if (image_simple(ctl, MSG_CTL_IMAGE_INSPECT, "inspect",
		    argv[i], 0, all) != 0)
			rv = EXIT_CELLD;
	json_dumpf(all, stdout, JSON_INDENT(4));
	putchar('\n');
	json_decref(all);
	return rv;
}

static int
cmd_image_tag(struct ctl *ctl, int argc, char **argv)
{
	struct msg_ctl_rename	r;
	struct msg_result	res;

	if (argc != 3)
		ctl_die("usage: cellctl image tag SOURCE[:TAG] TARGET[:TAG]");
	memset(&r, 0, sizeof(r));
	if (strlcpy(r.name, argv[1], sizeof(r.name)) >= sizeof(r.name) ||
	    strlcpy(r.newname, argv[2], sizeof(r.newname)) >=
	    sizeof(r.newname))
		ctl_die("image tag: name too long");
	ctl_connect(ctl);
	ctl_send(ctl, MSG_CTL_IMAGE_TAG, -1, &r, sizeof(r));
	if (ctl_wait(ctl, NULL, NULL, &res) != 0)
		ctl_die("image tag: %s", res.msg[0] ? res.msg :
		    strerror(res.err));
	return 0;
}

static int
cmd_image_prune(struct ctl *ctl, int argc, char **argv)
{
	struct msg_ctl_target	t;
	struct msg_result	res;

	(void)argv;
	if (argc != 1)
		ctl_die("usage: cellctl image prune");
	memset(&t, 0, sizeof(t));
	ctl_connect(ctl);
	ctl_send(ctl, MSG_CTL_IMAGE_PRUNE, -1, &t, sizeof(t));
	if (ctl_wait(ctl, NULL, NULL, &res) != 0)
		ctl_die("image prune: %s", res.msg[0] ? res.msg :
		    strerror(res.err));
	printf("Deleted layers: %s\n", res.msg);
	return 0;
}

/* save NAME -o FILE: we make FILE; a failed save leaves none */
static int
cmd_image_save(struct ctl *ctl, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct msg_ctl_target	 t;
	struct msg_result	 res;
	const char		*out = NULL;
	int			 fd;

	cell_optreset();
	while (cell_getopt(argc, argv, ":o:", lo) != -1)
		out = optarg;
	if (optind + 1 != argc)
		ctl_die("usage: cellctl image save NAME[:TAG] [-o FILE]");
	if (out == NULL && isatty(STDOUT_FILENO))
		ctl_die("image save: give -o FILE, or redirect the output");
	memset(&t, 0, sizeof(t));
	if (strlcpy(t.name, argv[optind], sizeof(t.name)) >= sizeof(t.name))
		ctl_die("image save: %s: name too long", argv[optind]);
	if (out == NULL)
		fd = STDOUT_FILENO;
	else if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY |
	    O_CLOEXEC, 0644)) == -1)
		ctl_die("%s: %s", out, strerror(errno));
	ctl_connect(ctl);
	ctl_send(ctl, MSG_CTL_IMAGE_SAVE, fd, &t, sizeof(t));
	if (ctl_wait(ctl, NULL, NULL, &res) != 0) {
		if (out != NULL)
			unlink(out);
		ctl_die("image save: %s", res.msg[0] ? res.msg :
		    strerror(res.err));
	}
	return 0;
}

int
cmd_images(struct ctl *ctl, int argc, char **argv)
{
	return cmd_image_ls(ctl, argc, argv);
}

int
cmd_image(struct ctl *ctl, int argc, char **argv)
{
	static const struct {
		const char	*name;
		int		(*fn)(struct ctl *, int, char **);
	} sub[] = {
		{ "load", cmd_image_load }, { "import", cmd_image_import },
		{ "ls", cmd_image_ls }, { "list", cmd_image_ls },
		{ "rm", cmd_image_rm }, { "inspect", cmd_image_inspect },
		{ "tag", cmd_image_tag }, { "prune", cmd_image_prune },
		{ "save", cmd_image_save },
	};
	size_t	i;

	if (argc < 2)
		ctl_die("usage: cellctl image load|import|ls|rm|inspect|tag|"
		    "save|prune ...");
	for (i = 0; i < nitems(sub); i++)
		if (strcmp(argv[1], sub[i].name) == 0)
			return sub[i].fn(ctl, argc - 1, argv + 1);
	ctl_die("image %s: unknown command", argv[1]);
}
