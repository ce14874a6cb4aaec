/*
 * spec.c: run's and create's flags.  spec_parse() turns Docker's flags
 * into a struct cell_spec without talking to celld, so it is tested alone
 * (tests/unit/test_cellctl_args.c); spec_limit() parses one limit for
 * update.  The network flags are in netopts.c.
 */
#include <sys/capability.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "cellctl.h"

#define MEMORY_MIN	(6LL * 1024 * 1024)	/* Docker's minimum, 6m */
#define CPUS_MAX	1000000LL		/* keeps milli-CPUs in range */

enum {
	OPT_ADDHOST = 256, OPT_CAPADD, OPT_CAPDROP, OPT_CPUS, OPT_DNS,
	OPT_ENTRYPOINT, OPT_ENVFILE, OPT_EXPOSE, OPT_INIT, OPT_IP, OPT_IP6, OPT_JSON,
	OPT_NAME, OPT_NETWORK,
	OPT_PIDS, OPT_PRIVILEGED, OPT_READONLY, OPT_RM, OPT_SECOPT, OPT_STOPSIG,
	OPT_TMPFS, OPT_STOROPT, OPT_USERNS
};

/* "+": stop at IMAGE, whatever follows is the container's. */
static const char run_shortopts[] = "+:dite:u:w:h:l:m:v:p:P";

static const struct option run_longopts[] = {
	{ "add-host",		required_argument, NULL, OPT_ADDHOST },
	{ "cap-add",		required_argument, NULL, OPT_CAPADD },
	{ "cap-drop",		required_argument, NULL, OPT_CAPDROP },
	{ "cpus",		required_argument, NULL, OPT_CPUS },
	{ "detach",		no_argument, NULL, 'd' },
	{ "dns",		required_argument, NULL, OPT_DNS },
	{ "entrypoint",		required_argument, NULL, OPT_ENTRYPOINT },
	{ "env",		required_argument, NULL, 'e' },
	{ "env-file",		required_argument, NULL, OPT_ENVFILE },
	{ "expose",		required_argument, NULL, OPT_EXPOSE },
	{ "hostname",		required_argument, NULL, 'h' },
	{ "init",		no_argument, NULL, OPT_INIT },
	{ "interactive",	no_argument, NULL, 'i' },
	{ "ip",			required_argument, NULL, OPT_IP },
	{ "ip6",		required_argument, NULL, OPT_IP6 },
	{ "json",		no_argument, NULL, OPT_JSON },	/* global */
	{ "label",		required_argument, NULL, 'l' },
	{ "memory",		required_argument, NULL, 'm' },
	{ "name",		required_argument, NULL, OPT_NAME },
	{ "net",		required_argument, NULL, OPT_NETWORK },
	{ "network",		required_argument, NULL, OPT_NETWORK },
	{ "pids-limit",		required_argument, NULL, OPT_PIDS },
	{ "privileged",		no_argument, NULL, OPT_PRIVILEGED },
	{ "publish",		required_argument, NULL, 'p' },
	{ "publish-all",	no_argument, NULL, 'P' },
	{ "read-only",		no_argument, NULL, OPT_READONLY },
	{ "rm",			no_argument, NULL, OPT_RM },
	{ "security-opt",	required_argument, NULL, OPT_SECOPT },
	{ "stop-signal",	required_argument, NULL, OPT_STOPSIG },
	{ "storage-opt",	required_argument, NULL, OPT_STOROPT },
	{ "tmpfs",		required_argument, NULL, OPT_TMPFS },
	{ "tty",		no_argument, NULL, 't' },
	{ "user",		required_argument, NULL, 'u' },
	{ "userns",		required_argument, NULL, OPT_USERNS },
	{ "volume",		required_argument, NULL, 'v' },
	{ "workdir",		required_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 }
};

static const struct {
	int		val;
	uint32_t	flag;
} run_boolopts[] = {
	{ 'd', SPEC_DETACH },
	{ 'i', SPEC_INTERACTIVE },
	{ 't', SPEC_TTY },
	{ OPT_INIT, SPEC_INIT },
	{ OPT_PRIVILEGED, SPEC_PRIVILEGED },
	{ OPT_READONLY, SPEC_READONLY },
	{ OPT_RM, SPEC_RM },
	{ 'P', SPEC_PUBLISHALL },
};

struct parse {
	struct cell_spec	*spec;
	char			*err;
	size_t			 errlen;
	const char		*cmd;
	size_t			 envlen;	/* bytes used in spec->env */
	size_t			 arglen;	/* bytes used in spec->args */
	size_t			 lablen;	/* bytes used in spec->labels */
	/* -e goes after --env-file whatever the order, as in Docker */
	char			 eflags[SPEC_ENVMAX];
	size_t			 elen;
	uint32_t		 ecount;
};

static int __attribute__((format(printf, 2, 3)))
perr(struct parse *p, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Append s and its NUL to a NUL-separated list of at most max bytes. */
static int
list_add(char *buf, size_t max, size_t *len, uint32_t *count, const char *s)
{
	size_t	n = strlen(s) + 1;

	if (n > max - *len)
		return -1;
	memcpy(buf + *len, s, n);
	*len += n;
	(*count)++;
	return 0;
}

/* A bounded, printable string field. */
static int
str_set(struct parse *p, char *dst, size_t size, const char *src,
    const char *flag)
{
	if (src[0] == '\0')
		return perr(p, "%s: empty value", flag);
	if (strlen(src) >= size)
		return perr(p, "%s: too long (max %zu bytes)", flag, size - 1);
	if (!msg_str_ok(src, strlen(src) + 1))
		return perr(p, "%s: invalid characters in \"%s\"", flag, src);
	strlcpy(dst, src, size);
	return 0;
}

/* "K=V", or "K" alone: K's value here, left out if unset (Docker's -e). */
static int
env_one(struct parse *p, char *buf, size_t *len, uint32_t *count,
    const char *kv, const char *flag)
{
	char	*tmp = NULL;
	int	 rv;

	if (kv[0] == '\0' || kv[0] == '=')
		return perr(p, "%s: invalid environment variable \"%s\"", flag,
		    kv);
	if (strchr(kv, '=') == NULL) {
		if (getenv(kv) == NULL)
			return 0;
		if (asprintf(&tmp, "%s=%s", kv, getenv(kv)) == -1)
			return perr(p, "%s: out of memory", flag);
		kv = tmp;
	}
	rv = list_add(buf, SPEC_ENVMAX, len, count, kv);
	free(tmp);
	if (rv == -1)
		return perr(p, "%s: environment too large (max %d bytes)", flag,
		    SPEC_ENVMAX);
	return 0;
}

/*
 * Docker's env-file: one K=V or K per line, leading blanks dropped, blank
 * lines and '#' comments skipped, the value taken as is (no quoting).
 */
static int
env_line(struct parse *p, char *line, ssize_t n, const char *path, int lineno)
{
	char	*s = line;
	size_t	 klen;

	if (memchr(line, '\0', n) != NULL)
		return perr(p, "--env-file: %s:%d: NUL byte", path, lineno);
	if (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0' || *s == '#')
		return 0;
	klen = strcspn(s, "=");
	if (strcspn(s, " \t\v\f") < klen)
		return perr(p, "--env-file: %s:%d: variable name contains "
		    "whitespace", path, lineno);
	return env_one(p, p->spec->env, &p->envlen, &p->spec->envc, s,
	    "--env-file");
}

static int
opt_envfile(struct parse *p, const char *path)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;
	int	 lineno = 0, rv = 0;

	if ((f = fopen(path, "re")) == NULL)
		return perr(p, "--env-file: %s: %s", path, strerror(errno));
	while (rv == 0 && (n = getline(&line, &cap, f)) != -1)
		rv = env_line(p, line, n, path, ++lineno);
	if (rv == 0 && ferror(f))
		rv = perr(p, "--env-file: %s: %s", path, strerror(errno));
	free(line);
	fclose(f);
	return rv;
}

/* Docker's RAMInBytes: a decimal, then b, k, m, g, t or p (binary units). */
static int
size_parse(const char *s, int64_t *out)
{
	static const char	 units[] = "kmgtp";
	const char		*u, *end;
	char			 num[32];
	size_t			 n;
	double			 v;

	n = strspn(s, "0123456789");
	if (n > 0 && s[n] == '.' && isdigit((unsigned char)s[n + 1]))
		n += 1 + strspn(s + n + 1, "0123456789");
	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	v = strtod(num, NULL);
	end = s + n;
	if (*end == ' ')
		end++;
	if (*end != '\0' && (u = strchr(units, tolower((unsigned char)*end)))
	    != NULL) {
		v *= (double)(1ULL << (10 * (u - units + 1)));
		if (tolower((unsigned char)*++end) == 'i')
			end++;
	}
	if (tolower((unsigned char)*end) == 'b')
		end++;
	if (*end != '\0' || v >= 9.2e18)
		return -1;
	*out = (int64_t)v;
	return 0;
}

static int
opt_memory(struct parse *p, const char *s)
{
	if (size_parse(s, &p->spec->memory) == -1)
		return perr(p, "-m: invalid size \"%s\"", s);
	if (p->spec->memory != 0 && p->spec->memory < MEMORY_MIN)
		return perr(p, "-m: minimum memory limit is 6m");
	return 0;
}

/*
 * --storage-opt size=SIZE, Docker's flag: the container's writable layer
 * in a file system of that size.  Rounded up to 4 KiB as mke2fs would.
 */
static int
opt_storage(struct parse *p, const char *s)
{
	int64_t	v;

	if (strncmp(s, "size=", 5) != 0)
		return perr(p, "--storage-opt: \"%.*s\" is not supported "
		    "(only size=SIZE)", (int)strcspn(s, "="), s);
	if (size_parse(s + 5, &v) == -1)
		return perr(p, "--storage-opt: invalid size \"%s\"", s + 5);
	if (v > SPEC_DISK_MAX)
		return perr(p, "--storage-opt: size %s is more than 16T", s + 5);
	v = (v + 4095) / 4096 * 4096;
	if (v < SPEC_DISK_MIN)
		return perr(p, "--storage-opt: minimum size is 8m");
	p->spec->disk = v;
	return 0;
}

/* A decimal number of CPUs, kept exact as milli-CPUs. */
static int
opt_cpus(struct parse *p, const char *s)
{
	const char	*errstr = NULL, *f;
	char		 num[16];
	size_t		 n, m, i;
	long long	 whole, milli = 0;

	n = strspn(s, "0123456789");
	if ((n == 0 && s[0] != '.') || n >= sizeof(num))
		goto bad;
	memcpy(num, s, n);
	num[n] = '\0';
	whole = n == 0 ? 0 : strtonum(num, 0, CPUS_MAX, &errstr);
	if (errstr != NULL)
		goto bad;
	if (s[n] == '.') {
		f = s + n + 1;
		if ((m = strspn(f, "0123456789")) == 0)
			goto bad;
		for (i = 0; i < m; i++) {
			if (i < 3)
				milli = milli * 10 + (f[i] - '0');
			else if (f[i] != '0')
				return perr(p, "--cpus: \"%s\" is too precise "
				    "(3 decimals at most)", s);
		}
		for (; i < 3; i++)
			milli *= 10;
		n += 1 + m;
	}
	if (s[n] != '\0')
		goto bad;
	p->spec->cpus_milli = whole * 1000 + milli;
	return 0;
bad:
	return perr(p, "--cpus: invalid number \"%s\"", s);
}

static int
opt_pids(struct parse *p, const char *s)
{
	const char	*errstr;
	long long	 n;

	n = strtonum(s, -1, INT64_MAX, &errstr);
	if (errstr != NULL)
		return perr(p, "--pids-limit: \"%s\" is %s", s, errstr);
	p->spec->pids = n > 0 ? n : 0;	/* -1 and 0: no limit */
	return 0;
}

static int
opt_path(struct parse *p, char *dst, const char *s, const char *flag)
{
	if (s[0] != '/')
		return perr(p, "%s: \"%s\" is not an absolute path", flag, s);
	return str_set(p, dst, SPEC_PATHLEN, s, flag);
}

static int
opt_tmpfs(struct parse *p, const char *s)
{
	struct cell_spec	*spec = p->spec;
	uint32_t		 i;

	if (strchr(s, ':') != NULL)
		return perr(p, "--tmpfs: mount options are not supported yet");
	if (spec->ntmpfs == SPEC_MAXTMPFS)
		return perr(p, "--tmpfs: at most %d mounts", SPEC_MAXTMPFS);
	for (i = 0; i < spec->ntmpfs; i++)
		if (strcmp(spec->tmpfs[i], s) == 0)
			return perr(p, "--tmpfs: duplicate mount point %s", s);
	if (opt_path(p, spec->tmpfs[spec->ntmpfs], s, "--tmpfs") == -1)
		return -1;
	spec->ntmpfs++;
	return 0;
}

/* A name as libcap knows it, with or without CAP_, in any case; or ALL. */
static int
opt_cap(struct parse *p, const char *s, int drop)
{
	const char	*flag = drop ? "--cap-drop" : "--cap-add";
	const char	*n = s;
	char		 name[64];
	cap_value_t	 v;
	size_t		 i;

	if (strcasecmp(s, "ALL") == 0) {
		if (drop)
			p->spec->flags |= SPEC_CAPDROPALL;
		else
			for (v = 0; v < cap_max_bits() && v <= CAP_LAST_CAP;
			    v++)
				p->spec->cap_add |= 1ULL << v;
		return 0;
	}
	if (strncasecmp(n, "CAP_", 4) == 0)
		n += 4;
	/* Letters only: cap_from_name() would also take a number. */
	if (n[0] == '\0' || snprintf(name, sizeof(name), "cap_%s", n) >=
	    (int)sizeof(name))
		goto bad;
	for (i = 4; name[i] != '\0'; i++) {
		if (!isalpha((unsigned char)name[i]) && name[i] != '_')
			goto bad;
		name[i] = tolower((unsigned char)name[i]);
	}
	if (cap_from_name(name, &v) == -1 || v < 0 || v >= 64)
		goto bad;
	if (drop)
		p->spec->cap_drop |= 1ULL << v;
	else
		p->spec->cap_add |= 1ULL << v;
	return 0;
bad:
	return perr(p, "%s: unknown capability \"%s\"", flag, s);
}

static int
opt_secopt(struct parse *p, const char *s)
{
	const char	*v;

	/* Docker takes "key=value" and, deprecated, "key:value". */
	if (strncmp(s, "seccomp", 7) == 0 && (s[7] == '=' || s[7] == ':')) {
		v = s + 8;
		/* the last seccomp= wins, as in Docker */
		p->spec->flags &= ~(SPEC_UNCONFINED | SPEC_SECCOMP);
		if (strcmp(v, "unconfined") == 0) {
			p->spec->flags |= SPEC_UNCONFINED;
			return 0;
		}
		if (seccomp_path_set(v) == -1)
			return perr(p, "--security-opt: seccomp=FILE: bad "
			    "path");
		p->spec->flags |= SPEC_SECCOMP;		/* see seccomp.c */
		return 0;
	}
	if (strcmp(s, "no-new-privileges") == 0 ||
	    strcmp(s, "no-new-privileges=true") == 0 ||
	    strcmp(s, "no-new-privileges:true") == 0)
		return 0;	/* always on: the parent sets SPEC_NNP */
	if (strncmp(s, "no-new-privileges", 17) == 0)
		return perr(p, "--security-opt: no-new-privileges is always on");
	return perr(p, "--security-opt: unknown option \"%s\"", s);
}

static int
opt_hostname(struct parse *p, const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    (i == 0 || (s[i] != '-' && s[i] != '.')))
			return perr(p, "--hostname: invalid hostname \"%s\"",
			    s);
	return str_set(p, p->spec->hostname, sizeof(p->spec->hostname), s,
	    "--hostname");
}

/*
 * The source of each -v, kept here: cellctl opens it itself, with the
 * user's own permissions, and passes celld the fd (see vol_send()).
 */
static char	vol_src[SPEC_MAXVOLS][PATH_MAX];

const char *
spec_volsrc(uint32_t i)
{
	return i < SPEC_MAXVOLS ? vol_src[i] : NULL;
}

/* -v SRC:DST[:ro|:rw], SRC an absolute host path (no named volumes). */
static int
opt_volume(struct parse *p, const char *v)
{
	struct cell_spec	*s = p->spec;
	char			 buf[PATH_MAX + SPEC_PATHLEN + 8], *dst, *mode;

	if (strlcpy(buf, v, sizeof(buf)) >= sizeof(buf))
		return perr(p, "-v: too long");
	if (s->nvols >= SPEC_MAXVOLS)
		return perr(p, "-v: at most %d volumes", SPEC_MAXVOLS);
	if (buf[0] != '/')
		return perr(p, "-v %s: the source must be an absolute host "
		    "path (named volumes are not supported)", v);
	if ((dst = strchr(buf, ':')) == NULL)
		return perr(p, "-v %s: want SRC:DST[:ro]", v);
	*dst++ = '\0';
	if ((mode = strchr(dst, ':')) != NULL) {
		*mode++ = '\0';
		if (strcmp(mode, "ro") == 0)
			s->vols[s->nvols].ro = 1;
		else if (strcmp(mode, "rw") != 0)
			return perr(p, "-v %s: mode must be ro or rw", v);
	}
	if (!msg_path_ok(dst, strlen(dst) + 1, 0) || strcmp(dst, "/") == 0 ||
	    strlcpy(s->vols[s->nvols].dst, dst, sizeof(s->vols[0].dst)) >=
	    sizeof(s->vols[0].dst))
		return perr(p, "-v %s: bad container path", v);
	strlcpy(vol_src[s->nvols], buf, sizeof(vol_src[0]));
	s->nvols++;
	return 0;
}

/* --label K=V, or K alone for an empty value, as in Docker */
static int
opt_label(struct parse *p, const char *v)
{
	char	buf[SPEC_LABELMAX];

	if (v[0] == '\0' || v[0] == '=')
		return perr(p, "--label: expected KEY=VALUE");
	snprintf(buf, sizeof(buf), "%s%s", v, strchr(v, '=') ? "" : "=");
	if (list_add(p->spec->labels, SPEC_LABELMAX, &p->lablen,
	    &p->spec->nlabels, buf) == -1)
		return perr(p, "--label: labels too large (max %d bytes)",
		    SPEC_LABELMAX);
	return 0;
}

/*
 * --userns container:NAME: NAME's host id range.  host (no user
 * namespace) is refused: celld never runs a container without one.
 */
static int
opt_userns(struct parse *p, const char *v)
{
	const char	*name = v + strlen("container:");

	if (strcmp(v, "host") == 0)
		return perr(p, "--userns host: celld never runs a container "
		    "without a user namespace");
	if (strncmp(v, "container:", strlen("container:")) != 0)
		return perr(p, "--userns: expected container:NAME");
	if (!msg_name_ok(name, strlen(name) + 1))
		return perr(p, "--userns: \"%s\" is not a container name",
		    name);
	strlcpy(p->spec->userns, name, sizeof(p->spec->userns));
	return 0;
}

static int
net_err(struct parse *p, const char *why)
{
	return why == NULL ? 0 : perr(p, "%s", why);
}

static int
opt_value(struct parse *p, int c, const char *v)
{
	struct cell_spec	*s = p->spec;

	switch (c) {
	case OPT_JSON:		/* cellctl's own, no meaning here */
		return 0;
	case OPT_NAME:
		if (!msg_name_ok(v, strlen(v) + 1))
			return perr(p, "--name: invalid name \"%s\" (allowed: "
			    "[a-zA-Z0-9][a-zA-Z0-9_.-]*, at most %d)", v,
			    CELL_NAMEMAX);
		return str_set(p, s->name, sizeof(s->name), v, "--name");
	case 'e':
		return env_one(p, p->eflags, &p->elen, &p->ecount, v, "-e");
	case OPT_ENVFILE:
		return opt_envfile(p, v);
	case 'u':
		return str_set(p, s->user, sizeof(s->user), v, "-u");
	case 'w':
		return opt_path(p, s->workdir, v, "-w");
	case 'h':
		return opt_hostname(p, v);
	case 'm':
		return opt_memory(p, v);
	case OPT_CPUS:
		return opt_cpus(p, v);
	case OPT_PIDS:
		return opt_pids(p, v);
	case OPT_STOPSIG:
		if ((c = msg_signal(v)) == -1)
			return perr(p, "--stop-signal: \"%s\" is no signal", v);
		s->stopsig = c;
		return 0;
	case OPT_TMPFS:
		return opt_tmpfs(p, v);
	case OPT_STOROPT:
		return opt_storage(p, v);
	case OPT_CAPADD:
	case OPT_CAPDROP:
		return opt_cap(p, v, c == OPT_CAPDROP);
	case OPT_SECOPT:
		return opt_secopt(p, v);
	case OPT_ENTRYPOINT:
		return str_set(p, s->entrypoint, sizeof(s->entrypoint), v,
		    "--entrypoint");
	case OPT_NETWORK:
		return net_err(p, opt_network(s, v));
	case 'v':
		return opt_volume(p, v);
	case 'p':
		return net_err(p, opt_port(s, v));
	case OPT_IP:
		return net_err(p, opt_ip(s, v));
	case OPT_IP6:
		return net_err(p, opt_ip6(s, v));
	case OPT_DNS:
		return net_err(p, opt_dns(s, v));
	case OPT_ADDHOST:
		return net_err(p, opt_addhost(s, v));
	case OPT_EXPOSE:
		return net_err(p, opt_expose(s, v));
	case 'l':
		return opt_label(p, v);
	case OPT_USERNS:
		return opt_userns(p, v);
	default:
		return perr(p, "%s: unknown flag", p->cmd);
	}
}

/*
 * getopt_long's '?' or ':' as one line.  An unknown short flag has it in
 * optopt; an unknown long one has optopt 0; a known flag in optopt with
 * '?' was a long one given a value it does not take.
 */
void
opt_error(char *err, size_t len, const char *cmd, int c, char **argv,
    const char *shortopts)
{
	const char	*arg = argv[optind - 1];
	int		 n = (int)strcspn(arg, "=");

	if (c == ':' && strncmp(arg, "--", 2) != 0)
		snprintf(err, len, "%s: flag -%c needs a value", cmd, optopt);
	else if (c == ':')
		snprintf(err, len, "%s: flag %.*s needs a value", cmd, n, arg);
	else if (optopt == 0)
		snprintf(err, len, "%s: unknown flag %.*s", cmd, n, arg);
	else if (optopt < 256 && strchr(shortopts, optopt) == NULL)
		snprintf(err, len, "%s: unknown flag -%c", cmd, optopt);
	else
		snprintf(err, len, "%s: flag %.*s takes no value", cmd, n, arg);
}

/* IMAGE [CMD [ARG...]] */
static int
spec_tail(struct parse *p, int argc, char **argv)
{
	struct cell_spec	*s = p->spec;
	int			 i;

	if (argc < 1)
		return perr(p, "%s: missing IMAGE", p->cmd);
	if (str_set(p, s->image, sizeof(s->image), argv[0], "image") == -1)
		return -1;
	for (i = 1; i < argc; i++)
		if (list_add(s->args, SPEC_ARGMAX, &p->arglen, &s->argc,
		    argv[i]) == -1)
			return perr(p, "%s: command line too long (max %d "
			    "bytes)", p->cmd, SPEC_ARGMAX);
	if (p->elen > SPEC_ENVMAX - p->envlen)
		return perr(p, "-e: environment too large (max %d bytes)",
		    SPEC_ENVMAX);
	memcpy(s->env + p->envlen, p->eflags, p->elen);
	p->envlen += p->elen;
	s->envc += p->ecount;
	return 0;
}

/*
 * "run|create [flags] IMAGE [CMD [ARG...]]" into spec.  0, or -1 with one
 * line in err.  Reads --env-file and, for "-e K", the environment.
 */
int
spec_parse(int argc, char **argv, struct cell_spec *spec, char *err,
    size_t errlen)
{
	struct parse	*p;
	size_t		 i;
	int		 c, rv = -1;

	memset(spec, 0, sizeof(*spec));
	err[0] = '\0';
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->spec = spec;
	p->err = err;
	p->errlen = errlen;
	p->cmd = argv[0];
	opterr = 0;
	optind = 0;	/* glibc: start afresh, the tests parse many times */
	while ((c = getopt_long(argc, argv, run_shortopts, run_longopts,
	    NULL)) != -1) {
		if (c == '?' || c == ':') {
			opt_error(err, errlen, p->cmd, c, argv, run_shortopts);
			goto done;
		}
		for (i = 0; i < nitems(run_boolopts); i++)
			if (run_boolopts[i].val == c)
				break;
		if (i < nitems(run_boolopts))
			spec->flags |= run_boolopts[i].flag;
		else if (opt_value(p, c, optarg) == -1)
			goto done;
	}
	rv = spec_tail(p, argc - optind, argv + optind);
	/* Docker ignores them there; a silent no is worse than a refusal */
	if (rv == 0 && (spec->flags & SPEC_HOSTNET) && (spec->nports > 0 ||
	    (spec->flags & SPEC_PUBLISHALL)))
		rv = perr(p, "-p, -P: a container on the host network has "
		    "the host's ports, it publishes none");
done:
	free(p);
	return rv;
}

/*
 * One of run's limits alone, for update: opt "memory", "cpus" or
 * "pids-limit" parsed as run does into spec's memory, cpus_milli or pids.
 * 0, or -1 with one line in err.
 */
int
spec_limit(struct cell_spec *spec, const char *opt, const char *v, char *err,
    size_t errlen)
{
	struct parse	*p;
	int		 c, rv;

	if (strcmp(opt, "memory") == 0)
		c = 'm';
	else if (strcmp(opt, "cpus") == 0)
		c = OPT_CPUS;
	else if (strcmp(opt, "pids-limit") == 0)
		c = OPT_PIDS;
	else {
		snprintf(err, errlen, "--%s: not a limit", opt);
		return -1;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->spec = spec;
	p->err = err;
	p->errlen = errlen;
	p->cmd = "update";
	rv = opt_value(p, c, v);
	free(p);
	return rv;
}
