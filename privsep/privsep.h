/*
 * privsep.h: what every celld process shares: its privilege table, the
 * code that applies it, the launcher that starts helpers, logging, and the
 * libevent glue around imsg.
 */
#ifndef CELLD_PRIVSEP_H
#define CELLD_PRIVSEP_H

#include <sys/types.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <event2/event.h>

#include "../imsg/imsg.h"
#include "../imsg/msg.h"

#ifndef LIBEXECDIR
#define LIBEXECDIR	"/usr/local/libexec/celld"
#endif

/* Users, created by make install (and by the test setup). */
#define CELLD_USER		"_celld"
#define CELLD_NET_USER		"_celld_net"
#define CELLD_FS_USER		"_celld_fs"
#define CELLD_SPAWN_USER	"_celld_spawn"

#define HELPER_FD	3	/* a helper's imsg channel to the parent */

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Landlock access sets, see privsep/landlock.c */
#define SBX_R		0x1	/* read files, list dirs */
#define SBX_W		0x2	/* write, create, remove, rename */
#define SBX_X		0x4	/* execute */
#define SBX_DEV		0x8	/* make device nodes and refer across dirs */

struct sbx_path {
	const char	*path;		/* absolute, or "$N": vars[N] */
	unsigned	 access;
};

/* A seccomp rule narrowed to one argument value. */
struct sbx_arg {
	int		 nr;
	unsigned	 arg;		/* argument index */
	uint64_t	 val;		/* allowed value (SCMP_CMP_EQ) */
};

struct proc_privs {
	const char		*title;
	const char		*user;		/* NULL: keeps uid 0, say why */
	const int		*caps;		/* -1 terminated */
	int			 nnp;
	const int		*syscalls;	/* -1 terminated allow-list */
	const struct sbx_arg	*argrules;	/* {-1} terminated, or NULL */
	int			 landlock;	/* 0: none, say why */
	const struct sbx_path	*paths;		/* {NULL} terminated */
	int			 kill;		/* default action kills */
	const char		*jail;		/* "$N": the whole filesystem
						 * view, by pivot_root in a
						 * private mount namespace */
	int			 preset;	/* our exec-er already made us
						 * user: check the ids, look
						 * up no name (static binary,
						 * no NSS) */
};

/*
 * What every daemon process needs to run its libevent loop, speak imsg,
 * log and answer ping.  Each table adds its own entries after this.
 */
#define SBX_BASE							\
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl), \
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev), \
	SCMP_SYS(recvmsg), SCMP_SYS(sendmsg), SCMP_SYS(sendto),		\
	SCMP_SYS(close), SCMP_SYS(fcntl), SCMP_SYS(clock_gettime),	\
	SCMP_SYS(gettimeofday), SCMP_SYS(getpid), SCMP_SYS(geteuid),	\
	SCMP_SYS(getegid), SCMP_SYS(getuid), SCMP_SYS(getgid),		\
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),		\
	SCMP_SYS(rt_sigreturn), SCMP_SYS(exit), SCMP_SYS(exit_group),	\
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), \
	SCMP_SYS(madvise), SCMP_SYS(futex), SCMP_SYS(getrandom),	\
	SCMP_SYS(capget), SCMP_SYS(prctl), SCMP_SYS(newfstatat),	\
	SCMP_SYS(fstat),						\
	SCMP_SYS(sigaltstack)	/* harmless; AddressSanitizer needs it */

/* drop.c */
void	privsep_drop(const struct proc_privs *, const char *const *);
void	privsep_procinfo(struct msg_procinfo *, const char *);
uint64_t privsep_capmask(const int *);

/* sandbox.c */
int	sandbox_landlock(const struct sbx_path *, const char *const *);
int	sandbox_seccomp(const int *, const struct sbx_arg *, int);

/* subid.c, subid_read.c (celld only): containers' id ranges */
#define CELL_IDS	65536	/* ids per container */
int	subid_range(const char *, uint32_t *, uint32_t *);
int	subid_slot_ok(uint32_t, uint32_t, uint32_t);
uint32_t subid_image_base(uint32_t, uint32_t);

/* cgroupfs.c: one line of /proc/PID/cgroup, "hierarchy-id:controllers:path" */
struct cgfs_line {
	int	 hid;			/* 0: v2 */
	char	 ctrl[128];		/* v1 controllers, "cpu,cpuacct" */
	char	 path[PATH_MAX];
};
int	cgfs_has(const char *, const char *);
int	cgfs_wanted(const struct cgfs_line *);
int	cgfs_lines(pid_t, struct cgfs_line *, size_t,
	    int (*)(const struct cgfs_line *));
int	cgfs_mountpoint(const struct cgfs_line *, char *, size_t);
int	cgfs_write(int, const char *, const char *);

/* launch.c */
struct launch_args {
	int		 debug;
	int		 verbose;
	const char	*storage;
	const char	*rundir;
	uint32_t	 id_start;	/* helpers: -i, 0 0 without */
	uint32_t	 id_count;
};
int	launcher_start(const struct launch_args *);
void	launcher_setdir(const char *);

/* log.c */
void	log_init(int, int, const char *);
void	log_setverbose(int);
void	log_procname(const char *);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn, format(printf, 1, 2)))
void	fatal(const char *, ...);
__attribute__((noreturn, format(printf, 1, 2)))
void	fatalx(const char *, ...);

/* proc.c: imsg on libevent */
struct imsgev {
	struct imsgbuf	 ibuf;
	struct event	*ev;
	struct event_base *base;
	void		(*handler)(int, short, void *);
	void		*data;
	short		 events;
	int		 dead;
};
int	imsgev_init(struct imsgev *, struct event_base *, int,
	    void (*)(int, short, void *), void *);
void	imsgev_clear(struct imsgev *);
void	imsgev_add(struct imsgev *);
int	imsgev_compose(struct imsgev *, uint32_t, uint32_t, pid_t, int,
	    const void *, size_t);
int	imsgev_io(struct imsgev *, short);
int	imsgev_reply(struct imsgev *, uint32_t, int, int, const char *);
int	helper_args(int, char **, struct launch_args *);

/* helper.c: the loop every helper runs */
typedef void	(*helper_fn)(struct imsgev *, struct imsg *);
__attribute__((noreturn))
void	helper_main(int, char **, const struct proc_privs *, int, helper_fn);

#endif
