/*
 * celld.conf(5) grammar.
 *
 * Modelled on the OpenBSD parse.y files: a byacc grammar with a small
 * hand-written lexer, newline-terminated statements, macros, and error
 * recovery so that every error in a file is reported in one run.  The
 * semantic checks live in conf_build.c.
 */

%{
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <err.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

static struct file {
	FILE		*stream;
	const char	*name;
	int		 lineno;
	int		 errors;
	int		 eof_reached;
} file;

int		 yyparse(void);
int		 yylex(void);
int		 yyerror(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
static void	 verror(int, const char *, va_list);
static int	 lex(void);
static void	 network_begin(char *);
static void	 network_end(void);
static void	 policy_begin(int, char *);
static void	 policy_end(void);
static void	 conf_finish(void);
static void	 setpos(int64_t *, int64_t);

static struct celld_conf	*conf;
static struct conf_net		*curnet;
static struct conf_policy	*curpol;
static int			 blockline, blockerrors, lexerror, lastline;
static char			 lexword[64], bolword[64];
static int			 atbol, wordbol;
static struct {
	/* line numbers of statements seen, 0 if none */
	int	 nets, subid_user, subid_range, image, default_net;
	int	 netdropped;
} seen;

#define LINE		(yylval.lineno)
#define SETSTR(d, s, what, check) \
	conf_setstr((d), sizeof(d), (s), (what), (check), LINE)

typedef struct {
	union {
		int64_t		 number;
		char		*string;
	} v;
	int lineno;
} YYSTYPE;
#define YYSTYPE_IS_DECLARED 1
/* The %destructor function byacc generates does not use msg. */
#define YYDESTRUCT_DECL() \
	yydestruct(const char *msg __attribute__((__unused__)), int psymb, \
	    YYSTYPE *val)

%}

%token	ADMIN ALLOW AUDIT BLOCK BRIDGE CAPS CONNECTIONS CONTAINERS COUNT CPUS
%token	DEFAULT DISK GATEWAY GROUP HOSTNETWORK IMAGE INTERNAL IPV6 LOG
%token	LOWPORTS MAX MAXENTRIES MAXIMAGE MAXLAYER MAXLAYERS MEMORY MODE MTU NAT
%token	NETWORK OPERATIONS
%token	PIDS POLICY PRIVILEGED RANGE RUNDIR SECCOMPUNCONFINED SOCKET STORAGE
%token	SUBID SUBNET SUBNET6 USER USERNS VOLUMES ERROR
%token	<v.string>	STRING
%token	<v.number>	NUMBER
%type	<v.number>	number size cpus polkind allowflag
%type	<v.string>	word
%destructor	{ free($$); } <v.string>

%%

grammar		: /* empty */
		| grammar '\n'
		| grammar varset '\n'
		| grammar main '\n'
		| grammar network '\n'
		| grammar policy '\n'
		| grammar error '\n'	{ yyerrok; }
		;

word		: STRING
		| NUMBER {
			char	buf[32];

			snprintf(buf, sizeof(buf), "%lld", (long long)$1);
			if (($$ = strdup(buf)) == NULL)
				err(1, "strdup");
		}
		;

number		: NUMBER
		| STRING {
			yyerror("invalid number \"%s\"", $1);
			free($1);
			$$ = -1;
		}
		;

size		: word {
			const char *e;

			if ((e = conf_parse_size($1, &$$)) != NULL) {
				yyerror("%s \"%s\"", e, $1);
				$$ = -1;
			}
			free($1);
		}
		;

cpus		: word {
			const char *e;

			if ((e = conf_parse_cpus($1, &$$)) != NULL) {
				yyerror("%s \"%s\"", e, $1);
				$$ = -1;
			}
			free($1);
		}
		;

varset		: STRING '=' word {
			if (!conf_macro_name_ok($1))
				yyerror("invalid macro name \"%s\"", $1);
			else
				conf_macro_set($1, $3, 0);
			free($1);
			free($3);
		}
		;

main		: USER STRING {
			SETSTR(conf->user, $2, "user", conf_check_login);
		}
		| SOCKET STRING {
			struct sockaddr_un sun;

			if (strlen($2) >= sizeof(sun.sun_path))
				yyerror("socket \"%s\": path too long", $2);
			SETSTR(conf->socket, $2, "socket", conf_check_path);
			$2 = NULL;	/* for the %destructor */
		} sockopts
		| STORAGE STRING {
			SETSTR(conf->storage, $2, "storage", conf_check_path);
		}
		| RUNDIR STRING {
			SETSTR(conf->rundir, $2, "rundir", conf_check_path);
		}
		| AUDIT STRING {
			SETSTR(conf->audit, $2, "audit", conf_check_path);
		}
		| SUBID USER STRING {
			SETSTR(conf->subid_user, $3, "subid user",
			    conf_check_login);
			seen.subid_user = LINE;
		}
		| SUBID RANGE number COUNT number {
			if ($3 < 0 || $5 < 0)
				;
			else if ($3 == 0 || $5 == 0 ||
			    $3 + $5 > (int64_t)UINT32_MAX + 1)
				yyerror("subid range out of bounds");
			else {
				conf->subid_start = $3;
				conf->subid_count = $5;
			}
			seen.subid_range = LINE;
		}
		| LOG MAX size {
			if ($3 >= 0)
				conf->log_max = $3;
		}
		| IMAGE imageopts	{ seen.image = LINE; }
		| DEFAULT DISK size {
			if ($3 >= 0 && ($3 < CONF_DISK_MIN ||
			    $3 > CONF_DISK_MAX || $3 % 4096 != 0))
				yyerror("default disk must be a multiple of 4K "
				    "from 8M to 16T");
			else if ($3 >= 0)
				conf->default_disk = $3;
		}
		| DEFAULT NETWORK STRING {
			SETSTR(conf->default_net, $3, "default network",
			    conf_check_name);
			seen.default_net = LINE;
		}
		;

sockopts	: /* empty */
		| sockopts GROUP STRING {
			SETSTR(conf->socket_group, $3, "socket group",
			    conf_check_login);
		}
		| sockopts MODE number {
			char	 buf[32], *ep;
			long	 m;

			/* The lexer read the digits as decimal. */
			snprintf(buf, sizeof(buf), "%lld", (long long)$3);
			m = strtol(buf, &ep, 8);
			if ($3 >= 0 && (*ep != '\0' || m > 0777))
				yyerror("invalid mode: must be octal, at most "
				    "0777");
			else if ($3 >= 0)
				conf->socket_mode = m;
		}
		;

imageopts	: imageopt
		| imageopts imageopt
		;

imageopt	: MAXLAYER size		{ setpos(&conf->img_max_layer, $2); }
		| MAXIMAGE size		{ setpos(&conf->img_max_image, $2); }
		| MAXENTRIES number	{ setpos(&conf->img_max_entries, $2); }
		| MAXLAYERS number	{
			if ($2 < 1 || $2 > 64)	/* FS_MAXLAYERS */
				yyerror("max-layers: 1 to 64");
			else
				conf->img_max_layers = $2;
		}
		;

close		: '}'
		| error '}'		{ yyerrok; }
		;

network		: NETWORK STRING {
			network_begin($2);
			$2 = NULL;
		} '{' netopts close {
			network_end();
		}
		;

/* Recover at the end of a line, before reading the next token. */
netopts		: /* empty */
		| netopts netopt
		| netopts '\n'
		| netopts error '\n'	{ yyerrok; }
		;

netopt		: BRIDGE STRING {
			SETSTR(curnet->bridge, $2, "bridge",
			    conf_check_ifname);
		}
		| SUBNET STRING {
			const char *e;

			if ((e = conf_parse_cidr($2, &curnet->subnet,
			    &curnet->prefixlen)) != NULL)
				yyerror("%s \"%s\"", e, $2);
			free($2);
		}
		| SUBNET6 STRING {
			const char *e;

			if ((e = conf_parse_cidr6($2, &curnet->subnet6,
			    &curnet->prefixlen6)) != NULL)
				yyerror("%s \"%s\"", e, $2);
			curnet->has_v6 = e == NULL;
			free($2);
		}
		| GATEWAY STRING {
			if (strchr($2, ':') != NULL) {
				if (inet_pton(AF_INET6, $2,
				    &curnet->gateway6) != 1 ||
				    IN6_IS_ADDR_UNSPECIFIED(&curnet->gateway6))
					yyerror("invalid gateway address "
					    "\"%s\"", $2);
			} else if (inet_pton(AF_INET, $2,
			    &curnet->gateway) != 1 ||
			    curnet->gateway.s_addr == 0)
				yyerror("invalid gateway address \"%s\"", $2);
			free($2);
		}
		| IPV6			{ curnet->ipv6 = 1; }
		| NAT			{ curnet->nat = 1; }
		| INTERNAL		{ curnet->internal = 1; }
		| MTU number {
			if ($2 >= 0 && ($2 < 576 || $2 > 65535))
				yyerror("mtu %lld out of range (576-65535)",
				    (long long)$2);
			else if ($2 >= 0)
				curnet->mtu = $2;
		}
		;

policy		: POLICY polkind word {
			policy_begin($2, $3);
			$3 = NULL;
		} '{' polopts close {
			policy_end();
		}
		;

polkind		: USER			{ $$ = POL_USER; }
		| GROUP			{ $$ = POL_GROUP; }
		;

polopts		: /* empty */
		| polopts polopt
		| polopts '\n'
		| polopts error '\n'	{ yyerrok; }
		;

polopt		: ADMIN			{ curpol->admin = 1; }
		| BLOCK			{ curpol->deny = 1; }
		| VOLUMES '{' vollist '}'
		| VOLUMES STRING {
			conf_policy_volume(curpol, $2, LINE);
		}
		| MAX CONTAINERS number	{ curpol->max_containers = $3; }
		| MAX MEMORY size	{ curpol->max_memory = $3; }
		| MAX CPUS cpus		{ curpol->max_cpus_milli = $3; }
		| MAX PIDS number	{ curpol->max_pids = $3; }
		| MAX DISK size		{
			/* the sum of the sizes of the user's containers */
			if ($3 >= 0 && $3 < CONF_DISK_MIN)
				yyerror("max disk must be at least 8M (the "
				    "smallest container disk)");
			else if ($3 >= 0)
				curpol->max_disk = $3;
		}
		| MAX CONNECTIONS number {
			if ($3 > INT_MAX)
				yyerror("max connections too large");
			else
				curpol->max_conns = $3;
		}
		| MAX OPERATIONS number {
			if ($3 > INT_MAX)
				yyerror("max operations too large");
			else
				curpol->max_ops = $3;
		}
		| ALLOW allowflag	{ curpol->allow |= $2; }
		| ALLOW CAPS '{' caplist '}'
		| ALLOW CAPS STRING	{ conf_policy_cap(curpol, $3, LINE); }
		;

allowflag	: PRIVILEGED		{ $$ = POL_ALLOW_PRIVILEGED; }
		| SECCOMPUNCONFINED	{ $$ = POL_ALLOW_UNCONFINED; }
		| HOSTNETWORK		{ $$ = POL_ALLOW_HOSTNET; }
		| LOWPORTS		{ $$ = POL_ALLOW_LOWPORTS; }
		| USERNS		{ $$ = POL_ALLOW_USERNS; }
		;

/* Lists are separated by white space, commas or newlines. */
vollist		: /* empty */
		| vollist STRING {
			conf_policy_volume(curpol, $2, LINE);
		}
		| vollist ','
		| vollist '\n'
		;

caplist		: /* empty */
		| caplist STRING	{ conf_policy_cap(curpol, $2, LINE); }
		| caplist ','
		| caplist '\n'
		;

%%

struct keywords {
	const char	*k_name;
	int		 k_val;
};

/* Must be kept sorted for bsearch(3). */
static const struct keywords keywords[] = {
	{ "admin",		ADMIN },
	{ "allow",		ALLOW },
	{ "audit",		AUDIT },
	{ "block",		BLOCK },
	{ "bridge",		BRIDGE },
	{ "caps",		CAPS },
	{ "connections",	CONNECTIONS },
	{ "containers",		CONTAINERS },
	{ "count",		COUNT },
	{ "cpus",		CPUS },
	{ "default",		DEFAULT },
	{ "disk",		DISK },
	{ "gateway",		GATEWAY },
	{ "group",		GROUP },
	{ "host-network",	HOSTNETWORK },
	{ "image",		IMAGE },
	{ "internal",		INTERNAL },
	{ "ipv6",		IPV6 },
	{ "log",		LOG },
	{ "low-ports",		LOWPORTS },
	{ "max",		MAX },
	{ "max-entries",	MAXENTRIES },
	{ "max-image",		MAXIMAGE },
	{ "max-layer",		MAXLAYER },
	{ "max-layers",		MAXLAYERS },
	{ "memory",		MEMORY },
	{ "mode",		MODE },
	{ "mtu",		MTU },
	{ "nat",		NAT },
	{ "network",		NETWORK },
	{ "operations",		OPERATIONS },
	{ "pids",		PIDS },
	{ "policy",		POLICY },
	{ "privileged",		PRIVILEGED },
	{ "range",		RANGE },
	{ "rundir",		RUNDIR },
	{ "seccomp-unconfined",	SECCOMPUNCONFINED },
	{ "socket",		SOCKET },
	{ "storage",		STORAGE },
	{ "subid",		SUBID },
	{ "subnet",		SUBNET },
	{ "subnet6",		SUBNET6 },
	{ "user",		USER },
	{ "userns",		USERNS },
	{ "volumes",		VOLUMES },
};

static void
verror(int line, const char *fmt, va_list ap)
{
	file.errors++;
	fprintf(stderr, "%s:%d: ", file.name, line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
conf_error(int line, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	verror(line, fmt, ap);
	va_end(ap);
}

int
yyerror(const char *fmt, ...)
{
	va_list	ap;

	if (strcmp(fmt, "syntax error") != 0) {
		va_start(ap, fmt);
		verror(yylval.lineno, fmt, ap);
		va_end(ap);
	} else if (lexerror)	/* the lexer has said what was wrong */
		file.errors++;
	else if (bolword[0] != '\0')	/* misspelt keywords are strings */
		conf_error(yylval.lineno, "unknown keyword \"%s\"", bolword);
	else if (yychar == STRING && lexword[0] != '\0')
		conf_error(yylval.lineno, "unknown keyword \"%s\"", lexword);
	else if (yychar == 0)
		conf_error(lastline, "unexpected end of file");
	else
		conf_error(yylval.lineno, "syntax error");
	return (0);
}

static int
kw_cmp(const void *k, const void *e)
{
	return (strcmp(k, ((const struct keywords *)e)->k_name));
}

static int
lookup(const char *s)
{
	const struct keywords	*p;

	p = bsearch(s, keywords, sizeof(keywords) / sizeof(keywords[0]),
	    sizeof(keywords[0]), kw_cmp);
	return (p != NULL ? p->k_val : STRING);
}

/*
 * Input.  Pushed-back characters, including the text of expanded macros
 * (bracketed by START_EXPAND and DONE_EXPAND), are read before the file.
 */
#define START_EXPAND	0x100
#define DONE_EXPAND	0x101
#define MAXPUSHBACK	8192

static int	pushback[MAXPUSHBACK];
static int	npushback, expanding;

static int
igetc(void)
{
	int	c;

	for (;;) {
		if (npushback > 0)
			c = pushback[--npushback];
		else
			c = getc(file.stream);
		if (c == START_EXPAND)
			expanding++;
		else if (c == DONE_EXPAND)
			expanding--;
		else
			return (c);
	}
}

static void
lungetc(int c)
{
	if (c == EOF)
		return;
	if (npushback >= MAXPUSHBACK)
		errx(1, "%s: macro expansion too long", file.name);
	pushback[npushback++] = c;
}

static int
lgetc(int quoted)
{
	int	c, next;

	if (quoted)
		return (igetc());
	while ((c = igetc()) == '\\') {
		if ((next = igetc()) != '\n') {
			lungetc(next);
			break;
		}
		file.lineno++;		/* line continuation */
	}
	if (c == EOF && !file.eof_reached) {
		/* Terminate a last line that lacks a newline. */
		file.eof_reached = 1;
		return ('\n');
	}
	return (c);
}

/*
 * Skip the rest of a bad line, leaving the newline for error recovery.
 */
static int
findeol(void)
{
	int	c;

	while ((c = lgetc(0)) != '\n' && c != EOF)
		;
	lungetc(c);
	lexerror = 1;
	return (ERROR);
}

static int
lexquoted(char *buf, size_t len, int quotec)
{
	char	*p = buf;
	int	 c, next;

	for (;;) {
		if ((c = lgetc(quotec)) == EOF || c == '\n') {
			yyerror("unterminated quoted string");
			lungetc(c);
			lexerror = 1;
			return (ERROR);
		}
		if (c == '\\') {
			if ((next = lgetc(quotec)) == quotec || next == '\\')
				c = next;
			else
				lungetc(next);
		} else if (c == quotec)
			break;
		if (c == '\0' || (iscntrl(c) && c != '\t')) {
			yyerror("invalid character in quoted string");
			return (findeol());
		}
		if (p + 1 >= buf + len) {
			yyerror("string too long");
			return (findeol());
		}
		*p++ = c;
	}
	*p = '\0';
	if ((yylval.v.string = strdup(buf)) == NULL)
		err(1, "%s", __func__);
	return (STRING);
}

/* $name: push the macro's value back into the input. */
static int
lexmacro(void)
{
	char		 buf[CONF_NAMELEN], *p = buf;
	const char	*val, *v;
	int		 c;

	while ((c = lgetc(0)) != EOF && (isalnum(c) || c == '_')) {
		if (p + 1 >= buf + sizeof(buf)) {
			yyerror("macro name too long");
			return (findeol());
		}
		*p++ = c;
	}
	lungetc(c);
	*p = '\0';
	if ((val = conf_macro_get(buf)) == NULL) {
		yyerror("macro \"%s\" not defined", buf);
		lexerror = 1;
		return (ERROR);
	}
	if (strlen(val) + 2 > (size_t)(MAXPUSHBACK - npushback)) {
		yyerror("macro \"%s\" too long", buf);
		return (findeol());
	}
	lungetc(DONE_EXPAND);
	for (v = val + strlen(val); v > val; v--)
		lungetc((unsigned char)v[-1]);
	lungetc(START_EXPAND);
	return (0);
}

#define allowed_in_string(x) \
	(isalnum(x) || (ispunct(x) && x != '(' && x != ')' && \
	x != '{' && x != '}' && x != '<' && x != '>' && x != '!' && \
	x != '=' && x != '#' && x != ',' && x != '"' && x != '\'' && \
	x != '$'))

int
yylex(void)
{
	int	token;

	/* Remember enough about the last tokens for yyerror(). */
	if (wordbol)
		memcpy(bolword, lexword, sizeof(bolword));
	else
		bolword[0] = '\0';
	lexword[0] = '\0';
	lexerror = 0;
	token = lex();
	wordbol = atbol && lexword[0] != '\0';
	atbol = token == '\n';
	if (token != '\n' && token != 0)
		lastline = yylval.lineno;
	return (token);
}

static int
lex(void)
{
	char	 buf[8192], *p = buf;
	int	 c, token, digits = 1;

top:
	while ((c = lgetc(0)) == ' ' || c == '\t')
		;
	yylval.lineno = file.lineno;
	if (c == '#')
		while ((c = lgetc(0)) != '\n' && c != EOF)
			;
	if (c == '$' && !expanding) {
		if ((token = lexmacro()) != 0)
			return (token);
		goto top;
	}
	if (c == '"' || c == '\'')
		return (lexquoted(buf, sizeof(buf), c));
	if (c == '\n')
		file.lineno++;
	if (c == EOF || !allowed_in_string(c))
		return (c == EOF ? 0 : c);
	do {
		if (p + 1 >= buf + sizeof(buf)) {
			yyerror("string too long");
			return (findeol());
		}
		digits &= isdigit(c) != 0;
		*p++ = c;
	} while ((c = lgetc(0)) != EOF && allowed_in_string(c));
	lungetc(c);
	*p = '\0';
	if (digits && p - buf <= 18) {
		yylval.v.number = strtoll(buf, NULL, 10);
		return (NUMBER);
	}
	if ((token = lookup(buf)) != STRING)
		return (token);
	if ((yylval.v.string = strdup(buf)) == NULL)
		err(1, "%s", __func__);
	p = buf + (strlen(buf) < sizeof(lexword) ? strlen(buf) :
	    sizeof(lexword) - 1);
	*p = '\0';
	memcpy(lexword, buf, p - buf + 1);
	return (STRING);
}

static void
network_begin(char *name)
{
	struct conf_net	*n;

	blockline = LINE;
	blockerrors = file.errors;
	if (!seen.nets) {
		/* Networks in the file replace the built-in default. */
		while ((n = TAILQ_FIRST(&conf->nets)) != NULL) {
			TAILQ_REMOVE(&conf->nets, n, entry);
			free(n);
		}
		seen.nets = LINE;
	}
	free(curnet);		/* left over by a syntax error */
	if ((curnet = calloc(1, sizeof(*curnet))) == NULL)
		err(1, "%s", __func__);
	SETSTR(curnet->name, name, "network", conf_check_name);
}

static void
network_end(void)
{
	/* A block with errors is dropped to avoid follow-up errors. */
	if (file.errors != blockerrors) {
		seen.netdropped = 1;
		free(curnet);
	} else
		conf_net_add(conf, curnet, blockline);
	curnet = NULL;
}

static void
policy_begin(int kind, char *name)
{
	blockline = LINE;
	blockerrors = file.errors;
	free(curpol);		/* left over by a syntax error */
	curpol = conf_policy_new(kind, name, LINE);
}

static void
policy_end(void)
{
	if (file.errors != blockerrors)
		free(curpol);
	else
		conf_policy_add(conf, curpol, blockline);
	curpol = NULL;
}

/* Set a positive value; v < 0 means an error was already reported. */
static void
setpos(int64_t *dst, int64_t v)
{
	if (v == 0)
		yyerror("value must be positive");
	else if (v > 0)
		*dst = v;
}

/* Checks that need the whole file. */
static void
conf_finish(void)
{
	if (!seen.subid_user)
		memcpy(conf->subid_user, conf->user, sizeof(conf->user));
	if (seen.subid_user && seen.subid_range)
		conf_error(seen.subid_user > seen.subid_range ?
		    seen.subid_user : seen.subid_range,
		    "subid user and subid range are mutually exclusive");
	if (conf->img_max_layer > conf->img_max_image)
		conf_error(seen.image, "image max-layer exceeds max-image");
	if (conf_net_find(conf, conf->default_net) != NULL ||
	    seen.netdropped)
		return;
	if (seen.default_net)
		conf_error(seen.default_net, "default network \"%s\" is not "
		    "defined", conf->default_net);
	else if (!TAILQ_EMPTY(&conf->nets))
		memcpy(conf->default_net, TAILQ_FIRST(&conf->nets)->name,
		    sizeof(conf->default_net));
}

int
conf_parse(const char *filename, struct celld_conf *xconf, int check_perms)
{
	conf_defaults(xconf);
	memset(&file, 0, sizeof(file));
	memset(&seen, 0, sizeof(seen));
	if ((file.stream = conf_open(filename, check_perms)) == NULL)
		return (-1);
	file.name = filename;
	file.lineno = 1;
	conf = xconf;
	npushback = expanding = lastline = wordbol = 0;
	atbol = 1;
	yyparse();
	conf_finish();
	fclose(file.stream);
	/* Abandoned blocks after a syntax error. */
	free(curnet);
	free(curpol);
	curnet = NULL;
	curpol = NULL;
	conf = NULL;
	conf_macro_clear();
	return (file.errors ? -1 : 0);
}
