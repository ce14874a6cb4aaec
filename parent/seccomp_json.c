/*
 * seccomp_json.c: Docker's seccomp profile format, for --security-opt
 * seccomp=FILE.  The JSON is parsed into a struct (names resolved,
 * actions and comparisons checked, capabilities read), then compiled with
 * libseccomp into a classic BPF program for the container's capabilities.
 * The parent never loads what it compiles: spawn-helper hands the program
 * to C, and the kernel checks it again when C loads it.
 *
 * What we take, as Docker does: defaultAction and defaultErrnoRet;
 * architectures or archMap, which must name this machine's architecture
 * if present; syscalls[] with name or names, action, errnoRet, args[]
 * (index, value, valueTwo, op) and includes/excludes by caps and arches.
 * Names libseccomp doesn't know are skipped, like Docker.  minKernel is
 * accepted and ignored; so are flags, comments and keys we don't know.
 * Refused: SCMP_ACT_TRACE and SCMP_ACT_NOTIFY (no tracer or listener
 * exists for a container), a listenerPath, and anything malformed.
 *
 * No side effects: the only resource used is a memfd, because libseccomp
 * 2.5 exports a program to an fd only.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sys/capability.h>

#include "parent.h"

#define SCJ_MAXARGS	16	/* args[] entries in one syscalls[] entry */
#define SCJ_MAXRULES	4096	/* rules added, after includes/excludes */
#define SCJ_MAXERRNO	4095	/* the kernel's MAX_ERRNO */
/*
 * libseccomp's decision tree for one syscall grows with the product of
 * its rules' sizes (rules on one syscall are merged into every branch of
 * the others), and its BPF generation is worse than quadratic in the
 * result: eight rules of six range tests on one syscall, 2 KiB of JSON,
 * hold the parent for minutes.  So before anything reaches libseccomp,
 * each syscall with argument rules costs the product of its rules' costs
 * (1, plus per test 1 for EQ and MASKED_EQ, 2 for NE and 3 for a range,
 * which split into high and low words), and the sum is capped.  Docker's
 * default profile costs under 100; the worst that passes takes ~0.2 s.
 */
#define SCJ_BUDGET	512

#if defined(__x86_64__)
#define SCJ_ARCH	"SCMP_ARCH_X86_64"
#define SCJ_GOARCH	"amd64"		/* Docker's arches: Go's names */
#elif defined(__aarch64__)
#define SCJ_ARCH	"SCMP_ARCH_AARCH64"
#define SCJ_GOARCH	"arm64"
#else
#error "seccomp_json.c: add this architecture's names"
#endif

/* One syscalls[] entry, parsed. */
struct scj_call {
	int			*nrs;		/* known names only */
	size_t			 nnrs;
	uint32_t		 action;
	struct scmp_arg_cmp	 args[SCJ_MAXARGS];
	size_t			 nargs;
	int			 split;		/* an index twice: OR them */
	uint64_t		 inc_caps;	/* all of these needed */
	uint64_t		 exc_caps;	/* any of these excludes */
	int			 never;		/* not for us: arch, or an
						 * unknown cap in includes */
};

struct scj_profile {
	uint32_t		 defact;
	struct scj_call		*calls;
	size_t			 ncalls;
};

static int __attribute__((format(printf, 3, 4)))
scj_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

/* An unsigned integer no larger than max. */
static int
scj_uint(const json_t *v, uint64_t max, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* Is s one of the strings of array a (absent or null: no)? */
static int
scj_has(const json_t *a, const char *s, int *found)
{
	const json_t	*v;
	size_t		 i;

	*found = 0;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return -1;
		if (strcmp(json_string_value(v), s) == 0)
			*found = 1;
	}
	return 0;
}

/*
 * An action and its errno.  errnoRet goes only with SCMP_ACT_ERRNO, which
 * without one means EPERM, as in Docker.
 */
static int
scj_action(const json_t *name, const json_t *ret, uint32_t *act,
    const char *what, char *err, size_t errlen)
{
	static const struct {
		const char	*name;
		uint32_t	 act;
	} acts[] = {
		{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
		{ "SCMP_ACT_KILL", SCMP_ACT_KILL },
		{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL },
		{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
		{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
		{ "SCMP_ACT_LOG", SCMP_ACT_LOG },
	};
	const char	*s;
	uint64_t	 e = EPERM;
	size_t		 i;

	if (!json_is_string(name))
		return scj_err(err, errlen, "%s: want an action", what);
	s = json_string_value(name);
	if (ret != NULL && !json_is_null(ret) &&
	    (scj_uint(ret, SCJ_MAXERRNO, &e) == -1 ||
	    strcmp(s, "SCMP_ACT_ERRNO") != 0))
		return scj_err(err, errlen, "%s: bad errnoRet, or not with "
		    "SCMP_ACT_ERRNO", what);
	if (strcmp(s, "SCMP_ACT_ERRNO") == 0) {
		*act = SCMP_ACT_ERRNO(e);
		return 0;
	}
	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (strcmp(s, acts[i].name) == 0) {
			*act = acts[i].act;
			return 0;
		}
	if (strcmp(s, "SCMP_ACT_TRACE") == 0 ||
	    strcmp(s, "SCMP_ACT_NOTIFY") == 0)
		return scj_err(err, errlen, "%s: action %.32s is not "
		    "supported", what, s);
	return scj_err(err, errlen, "%s: unknown action \"%.32s\"", what, s);
}

/* architectures[] or archMap[]: absent, or naming our architecture. */
static int
scj_arches(const json_t *j, char *err, size_t errlen)
{
	const json_t	*a = json_object_get(j, "architectures");
	const json_t	*m = json_object_get(j, "archMap"), *v;
	size_t		 i;
	int		 found = 0, any = 0, f;

	if (a != NULL && !json_is_null(a) && m != NULL && !json_is_null(m))
		return scj_err(err, errlen, "both architectures and archMap");
	if (scj_has(a, SCJ_ARCH, &found) == -1)
		return scj_err(err, errlen, "architectures: want strings");
	any = json_array_size(a) > 0;
	if (m != NULL && !json_is_null(m) && !json_is_array(m))
		return scj_err(err, errlen, "archMap: want an array");
	json_array_foreach(m, i, v) {
		if (!json_is_string(json_object_get(v, "architecture")) ||
		    scj_has(json_object_get(v, "subArchitectures"), "", &f) ==
		    -1)
			return scj_err(err, errlen, "archMap[%zu]: malformed",
			    i);
		any = 1;
		if (strcmp(json_string_value(json_object_get(v,
		    "architecture")), SCJ_ARCH) == 0)
			found = 1;
	}
	if (any && !found)
		return scj_err(err, errlen, "the profile is not for %s",
		    SCJ_ARCH);
	return 0;
}

/* A capability mask from caps[]; *unknown is set by a name we lack. */
static int
scj_caps(const json_t *a, uint64_t *mask, int *unknown)
{
	const json_t	*v;
	cap_value_t	 c;
	size_t		 i;
	const char	*s;

	*mask = 0;
	*unknown = 0;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return -1;
		s = json_string_value(v);
		/* cap_from_name() also takes numbers and lower case */
		if (strncmp(s, "CAP_", 4) != 0 || cap_from_name(s, &c) == -1 ||
		    c < 0 || c > 63)
			*unknown = 1;
		else
			*mask |= 1ULL << c;
	}
	return 0;
}

/* includes{} or excludes{}: caps, arches, minKernel (ignored). */
static int
scj_filter(const json_t *f, int inc, struct scj_call *c)
{
	const json_t	*mk;
	uint64_t	 mask;
	int		 unknown, ours;

	if (f == NULL || json_is_null(f))
		return 0;
	if (!json_is_object(f))
		return -1;
	mk = json_object_get(f, "minKernel");
	if (mk != NULL && !json_is_null(mk) && !json_is_string(mk))
		return -1;
	if (scj_caps(json_object_get(f, "caps"), &mask, &unknown) == -1 ||
	    scj_has(json_object_get(f, "arches"), SCJ_GOARCH, &ours) == -1)
		return -1;
	if (inc) {
		c->inc_caps = mask;
		if (unknown || (json_array_size(json_object_get(f,
		    "arches")) > 0 && !ours))
			c->never = 1;
	} else {
		c->exc_caps = mask;
		if (ours)
			c->never = 1;
	}
	return 0;
}

/* One args[] entry: index, value, valueTwo and op. */
static int
scj_arg(const json_t *a, struct scmp_arg_cmp *cmp)
{
	static const struct {
		const char		*name;
		enum scmp_compare	 op;
	} ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	const json_t	*op = json_object_get(a, "op");
	const json_t	*two = json_object_get(a, "valueTwo");
	uint64_t	 idx, v1, v2 = 0;
	size_t		 i;

	if (!json_is_object(a) || !json_is_string(op) ||
	    scj_uint(json_object_get(a, "index"), 5, &idx) == -1 ||
	    scj_uint(json_object_get(a, "value"), INT64_MAX, &v1) == -1 ||
	    (two != NULL && !json_is_null(two) &&
	    scj_uint(two, INT64_MAX, &v2) == -1))
		return -1;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(json_string_value(op), ops[i].name) == 0)
			break;
	if (i == sizeof(ops) / sizeof(ops[0]))
		return -1;
	/* MASKED_EQ: value is the mask, valueTwo what must remain */
	cmp->arg = idx;
	cmp->op = ops[i].op;
	cmp->datum_a = v1;
	cmp->datum_b = v2;
	return 0;
}

static int
scj_args(const json_t *a, struct scj_call *c)
{
	const json_t	*v;
	size_t		 i, k;

	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a) || json_array_size(a) > SCJ_MAXARGS)
		return -1;
	json_array_foreach(a, i, v) {
		if (scj_arg(v, &c->args[i]) == -1)
			return -1;
		/* libseccomp can't AND two tests of one argument: like runc,
		 * such an entry becomes one rule per test */
		for (k = 0; k < i; k++)
			if (c->args[k].arg == c->args[i].arg)
				c->split = 1;
		c->nargs = i + 1;
	}
	return 0;
}

/* name or names[]: the numbers of those libseccomp knows. */
static int
scj_names(const json_t *j, struct scj_call *c)
{
	const json_t	*one = json_object_get(j, "name");
	const json_t	*many = json_object_get(j, "names"), *v;
	size_t		 i, n;
	int		 nr;

	if (one != NULL && !json_is_null(one) && many != NULL &&
	    !json_is_null(many))
		return -1;
	if (one != NULL && !json_is_null(one) && !json_is_string(one))
		return -1;
	if (many != NULL && !json_is_null(many) && !json_is_array(many))
		return -1;
	n = json_is_string(one) ? 1 : json_array_size(many);
	if ((c->nrs = calloc(n ? n : 1, sizeof(int))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		v = json_is_string(one) ? one : json_array_get(many, i);
		if (!json_is_string(v))
			return -1;
		if ((nr = seccomp_syscall_resolve_name(json_string_value(v))) ==
		    __NR_SCMP_ERROR)
			continue;	/* unknown here: skipped, as Docker */
		c->nrs[c->nnrs++] = nr;
	}
	return 0;
}

static int
scj_call(const json_t *j, size_t i, struct scj_call *c, char *err,
    size_t errlen)
{
	char	what[32];

	snprintf(what, sizeof(what), "syscalls[%zu]", i);
	if (!json_is_object(j))
		return scj_err(err, errlen, "%s: want an object", what);
	if (scj_action(json_object_get(j, "action"), json_object_get(j,
	    "errnoRet"), &c->action, what, err, errlen) == -1)
		return -1;
	if (scj_names(j, c) == -1)
		return scj_err(err, errlen, "%s: bad name or names", what);
	if (scj_args(json_object_get(j, "args"), c) == -1)
		return scj_err(err, errlen, "%s: bad args (at most %d, each "
		    "with index 0-5, value, valueTwo and a SCMP_CMP_ op)",
		    what, SCJ_MAXARGS);
	if (scj_filter(json_object_get(j, "includes"), 1, c) == -1 ||
	    scj_filter(json_object_get(j, "excludes"), 0, c) == -1)
		return scj_err(err, errlen, "%s: bad includes or excludes",
		    what);
	return 0;
}

static void
scj_free(struct scj_profile *p)
{
	size_t	i;

	for (i = 0; i < p->ncalls; i++)
		free(p->calls[i].nrs);
	free(p->calls);
	memset(p, 0, sizeof(*p));
}

/* The whole document into p; nothing is decided yet. */
static int
scj_parse(const char *buf, size_t len, struct scj_profile *p, char *err,
    size_t errlen)
{
	json_error_t	 je;
	json_t		*j, *sc, *v;
	const json_t	*lp;
	size_t		 i;
	int		 r = -1;

	memset(p, 0, sizeof(*p));
	if ((j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return scj_err(err, errlen, "line %d: %s", je.line, je.text);
	sc = json_object_get(j, "syscalls");
	lp = json_object_get(j, "listenerPath");
	if (!json_is_object(j))
		scj_err(err, errlen, "want an object");
	else if (lp != NULL && !json_is_null(lp) && !(json_is_string(lp) &&
	    json_string_length(lp) == 0))
		scj_err(err, errlen, "listenerPath is not supported");
	else if (scj_action(json_object_get(j, "defaultAction"),
	    json_object_get(j, "defaultErrnoRet"), &p->defact,
	    "defaultAction", err, errlen) == -1 ||
	    scj_arches(j, err, errlen) == -1)
		;
	else if (sc != NULL && !json_is_null(sc) && !json_is_array(sc))
		scj_err(err, errlen, "syscalls: want an array");
	else if ((p->calls = calloc(json_array_size(sc) + 1,
	    sizeof(*p->calls))) == NULL)
		scj_err(err, errlen, "out of memory");
	else
		r = 0;
	json_array_foreach(sc, i, v) {
		if (r == -1)
			break;
		p->ncalls = i + 1;
		r = scj_call(v, i, &p->calls[i], err, errlen);
	}
	json_decref(j);
	if (r == -1)
		scj_free(p);
	return r;
}

/* Does c apply, to a container with caps, under default action def? */
static int
scj_applies(const struct scj_call *c, uint64_t caps, uint32_t def)
{
	/* like the default, it adds nothing (and libseccomp refuses it) */
	return c->action != def && !c->never &&
	    (c->inc_caps & caps) == c->inc_caps && (c->exc_caps & caps) == 0;
}

struct scj_cost {
	int		nr;
	uint64_t	factor;
};

static int
scj_cost_cmp(const void *a, const void *b)
{
	const struct scj_cost	*x = a, *y = b;

	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

/* What one entry's argument rules cost one syscall (see SCJ_BUDGET). */
static uint64_t
scj_rule_cost(const struct scj_call *c)
{
	uint64_t	cost = 1, w;
	size_t		i;

	for (i = 0; i < c->nargs; i++) {
		w = c->args[i].op == SCMP_CMP_EQ || c->args[i].op ==
		    SCMP_CMP_MASKED_EQ ? 1 : c->args[i].op == SCMP_CMP_NE ?
		    2 : 3;
		/* split: a rule of its own for each test */
		cost = c->split ? cost * (1 + w) : cost + w;
		if (cost > SCJ_BUDGET)
			return SCJ_BUDGET + 1;
	}
	return cost;
}

/* The cost of the argument rules, by syscall (see SCJ_BUDGET). */
static int
scj_budget(const struct scj_profile *p, uint64_t caps, char *err,
    size_t errlen)
{
	struct scj_cost	*v;
	size_t		 i, k, n = 0;
	uint64_t	 prod = 1, total = 0;

	for (i = 0; i < p->ncalls; i++)
		n += p->calls[i].nnrs;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return scj_err(err, errlen, "out of memory");
	for (i = n = 0; i < p->ncalls; i++) {
		if (p->calls[i].nargs == 0 || !scj_applies(&p->calls[i], caps,
		    p->defact))
			continue;
		for (k = 0; k < p->calls[i].nnrs; k++) {
			v[n].nr = p->calls[i].nrs[k];
			v[n++].factor = scj_rule_cost(&p->calls[i]);
		}
	}
	qsort(v, n, sizeof(*v), scj_cost_cmp);
	for (i = 0; i < n && total <= SCJ_BUDGET; i++) {
		prod = prod * v[i].factor > SCJ_BUDGET ? SCJ_BUDGET + 1 :
		    prod * v[i].factor;
		if (i + 1 == n || v[i + 1].nr != v[i].nr) {
			total += prod;
			prod = 1;
		}
	}
	free(v);
	if (total > SCJ_BUDGET)
		return scj_err(err, errlen, "argument rules too complex (cost "
		    "over %d: fewer tests per syscall, please)", SCJ_BUDGET);
	return 0;
}

/* One entry's rules. */
static int
scj_add(scmp_filter_ctx ctx, const struct scj_call *c, size_t *nrules)
{
	size_t	i, k;
	int	r = 0;

	for (i = 0; i < c->nnrs && r >= 0; i++) {
		*nrules += c->split ? c->nargs : 1;
		if (*nrules > SCJ_MAXRULES)
			return -E2BIG;
		if (!c->split)
			r = seccomp_rule_add_array(ctx, c->action, c->nrs[i],
			    c->nargs, c->args);
		for (k = 0; c->split && k < c->nargs && r >= 0; k++)
			r = seccomp_rule_add_array(ctx, c->action, c->nrs[i],
			    1, &c->args[k]);
	}
	return r;
}

/* The program libseccomp wrote to fd, into a new struct seccomp_bpf. */
static struct seccomp_bpf *
scj_read(int fd, char *err, size_t errlen)
{
	struct seccomp_bpf	*b;
	struct stat		 st;
	size_t			 n;

	if (fstat(fd, &st) == -1 || st.st_size <= 0 ||
	    st.st_size % sizeof(struct sock_filter) != 0) {
		scj_err(err, errlen, "libseccomp wrote no program");
		return NULL;
	}
	n = st.st_size / sizeof(struct sock_filter);
	if (n > BPF_MAXINSNS) {
		scj_err(err, errlen, "compiles to %zu instructions, more than "
		    "the kernel's %d", n, BPF_MAXINSNS);
		return NULL;
	}
	if ((b = malloc(sizeof(*b) + st.st_size)) == NULL) {
		scj_err(err, errlen, "out of memory");
		return NULL;
	}
	b->n = n;
	if (pread(fd, b->insns, st.st_size, 0) != st.st_size) {
		free(b);
		scj_err(err, errlen, "cannot read the program back");
		return NULL;
	}
	return b;
}

/* The decisions, made on the parsed profile: rules, then export. */
static struct seccomp_bpf *
scj_compile(const struct scj_profile *p, uint64_t caps, char *err,
    size_t errlen)
{
	struct seccomp_bpf	*b = NULL;
	scmp_filter_ctx		 ctx;
	size_t			 i, nrules = 0;
	int			 fd = -1, r;

	if (scj_budget(p, caps, err, errlen) == -1)
		return NULL;
	if ((ctx = seccomp_init(p->defact)) == NULL) {
		scj_err(err, errlen, "defaultAction refused by libseccomp");
		return NULL;
	}
	/* native calls only: an i386 or x32 call kills, as by default */
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) < 0) {
		scj_err(err, errlen, "libseccomp: %s", strerror(-r));
		goto done;
	}
	for (i = 0; i < p->ncalls; i++) {
		if (!scj_applies(&p->calls[i], caps, p->defact))
			continue;
		if ((r = scj_add(ctx, &p->calls[i], &nrules)) < 0) {
			scj_err(err, errlen, "syscalls[%zu]: %s", i, r ==
			    -E2BIG ? "too many rules" : "rule refused by "
			    "libseccomp");
			goto done;
		}
	}
	if ((fd = memfd_create("celld-seccomp", MFD_CLOEXEC)) == -1 ||
	    seccomp_export_bpf(ctx, fd) < 0) {
		scj_err(err, errlen, "cannot export the program");
		goto done;
	}
	b = scj_read(fd, err, errlen);
done:
	if (fd != -1)
		close(fd);
	seccomp_release(ctx);
	return b;
}

/*
 * Compile a profile for a container with capabilities caps.  Returns a
 * program to free(), or NULL with a one-line reason in err.
 */
struct seccomp_bpf *
seccomp_json_compile(const char *buf, size_t len, uint64_t caps, char *err,
    size_t errlen)
{
	struct scj_profile	 p;
	struct seccomp_bpf	*b;

	if (len > SECCOMP_JSONMAX) {
		scj_err(err, errlen, "larger than %d bytes", SECCOMP_JSONMAX);
		return NULL;
	}
	if (scj_parse(buf, len, &p, err, errlen) == -1)
		return NULL;
	b = scj_compile(&p, caps, err, errlen);
	scj_free(&p);
	return b;
}
