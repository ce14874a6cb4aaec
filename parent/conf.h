/*
 * celld configuration: data structures and parser interface.  conf.c
 * holds defaults, lookups and printing, conf_build.c the checks and
 * builders parse.y's actions call, parse.y the grammar.
 */

#ifndef CELLD_CONF_H
#define CELLD_CONF_H

#include <sys/types.h>
#include <sys/queue.h>

#include <netinet/in.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#define CONF_NAMELEN	128

struct conf_net {
	TAILQ_ENTRY(conf_net)	 entry;
	char			 name[CONF_NAMELEN];
	char			 bridge[16];
	struct in_addr		 subnet;
	int			 prefixlen;
	struct in_addr		 gateway;	/* 0 = first host */
	int			 has_v6;	/* subnet6 given */
	struct in6_addr		 subnet6;
	int			 prefixlen6;
	int			 ipv6;		/* "ipv6": dual-stack, a ULA
						 * /64 unless subnet6 */
	struct in6_addr		 gateway6;	/* :: = subnet6's host 1 */
	int			 nat;
	int			 internal;
	int			 mtu;		/* 0 = not set */
};

enum { POL_USER, POL_GROUP };

#define POL_ALLOW_PRIVILEGED	0x01
#define POL_ALLOW_UNCONFINED	0x02	/* seccomp=unconfined */
#define POL_ALLOW_HOSTNET	0x04
#define POL_ALLOW_LOWPORTS	0x08
#define POL_ALLOW_USERNS	0x10	/* --userns sharing */

#define POL_MAXVOL	32

/* as SPEC_DISK_MIN, SPEC_DISK_MAX in imsg/msg.h */
#define CONF_DISK_MIN	(8LL << 20)
#define CONF_DISK_MAX	(16LL << 40)
#define CONF_DISK_DEFAULT (10LL << 30)

struct conf_policy {
	TAILQ_ENTRY(conf_policy) entry;
	int			 kind;		/* POL_USER or POL_GROUP */
	char			 name[64];	/* digits if numeric */
	uint32_t		 id;		/* resolved uid or gid */
	int			 admin;
	int			 deny;		/* "block": may not use celld */
	char			 volumes[POL_MAXVOL][PATH_MAX];
	int			 nvolumes;
	uint32_t		 allow;		/* POL_ALLOW_* */
	uint64_t		 allow_caps;	/* bitmask of CAP_* numbers */
	/* -1 = unlimited / not set */
	int64_t			 max_containers;
	int64_t			 max_memory;	/* bytes */
	int64_t			 max_cpus_milli;
	int64_t			 max_pids;
	int64_t			 max_disk;	/* bytes */
	int			 max_conns;
	int			 max_ops;
};

struct celld_conf {
	char			 user[64];
	char			 socket[PATH_MAX];
	char			 socket_group[64];
	mode_t			 socket_mode;
	char			 storage[PATH_MAX];
	char			 rundir[PATH_MAX];
	char			 audit[PATH_MAX];	/* "": in storage */
	char			 subid_user[64];
	uint32_t		 subid_start;	/* 0,0 = read /etc/subuid */
	uint32_t		 subid_count;
	int64_t			 img_max_layer;
	int64_t			 img_max_image;
	int64_t			 img_max_entries;
	int64_t			 img_max_layers;
	int64_t			 log_max;
	int64_t			 default_disk;	/* bytes, for a user whose
						 * policy has max disk */
	char			 default_net[CONF_NAMELEN];
	TAILQ_HEAD(conf_nets, conf_net) nets;
	TAILQ_HEAD(conf_policies, conf_policy) policies;
};

/*
 * conf_parse() fills in defaults first, then parses file.  Every error
 * is printed to stderr as "file:line: message".  Returns 0 or -1; in
 * both cases the caller must release the result with conf_free().
 */
int	 conf_parse(const char *, struct celld_conf *, int);
void	 conf_defaults(struct celld_conf *);
void	 conf_print(FILE *, const struct celld_conf *);
void	 conf_free(struct celld_conf *);
const char *conf_size_str(char *, size_t, int64_t);
int	 conf_macro_define(const char *);
const struct conf_policy *conf_policy_for(const struct celld_conf *, uid_t,
	    const gid_t *, int);
const struct conf_net *conf_net_find(const struct celld_conf *,
	    const char *);

/*
 * Internal interface between parse.y and conf_build.c.
 *
 * The conf_check_* and conf_parse_* helpers return NULL on success or
 * a static error message.  The others report errors with conf_error()
 * (defined in parse.y: prints "file:line: message" and counts it) and
 * take ownership of the char * arguments they are given.
 */
void		 conf_error(int, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
const char	*conf_check_name(const char *);
const char	*conf_check_ifname(const char *);
const char	*conf_check_path(const char *);
const char	*conf_check_login(const char *);
const char	*conf_parse_size(const char *, int64_t *);
const char	*conf_parse_cpus(const char *, int64_t *);
const char	*conf_parse_cidr(const char *, struct in_addr *, int *);
const char	*conf_parse_cidr6(const char *, struct in6_addr *, int *);
const char	*conf_parse_cap(const char *, int *);
void		 conf_setstr(char *, size_t, char *, const char *,
		    const char *(*)(const char *), int);
void		 conf_net_add(struct celld_conf *, struct conf_net *, int);
struct conf_policy *conf_policy_new(int, char *, int);
void		 conf_policy_add(struct celld_conf *, struct conf_policy *,
		    int);
void		 conf_policy_volume(struct conf_policy *, char *, int);
void		 conf_policy_cap(struct conf_policy *, char *, int);
FILE		*conf_open(const char *, int);
int		 conf_macro_name_ok(const char *);
const char	*conf_macro_get(const char *);
int		 conf_macro_set(const char *, const char *, int);
void		 conf_macro_clear(void);

#endif /* CELLD_CONF_H */
