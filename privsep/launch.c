/*
 * launch.c: the launcher, "celld: launcher".
 *
 * The parent gives up every privilege right after startup, yet it must be
 * able to restart a helper that died.  So before it drops, celld forks this
 * small process.  Its whole protocol is one message: "start helper N".  It
 * execs that helper from LIBEXECDIR under the helper's own uid, with the
 * helper's capability ceiling in the ambient set, and hands the parent the
 * other end of the new channel.  The helper then reduces itself to its own
 * table.  The launcher never reads anything else.
 */
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/unistd.h>
#include <bsd/string.h>


#include "privsep.h"

/*
 * Per helper: its binary, its uid, and the most it may hold: exactly its
 * own table (a helper's drop is fatal if the two disagree); CAP_SETPCAP is added so it can shrink
 * its bounding set, and it drops that too unless its table keeps it.
 */
static const int net_ceiling[] = { CAP_NET_ADMIN, -1 };
static const int fs_ceiling[] = { CAP_SYS_ADMIN, CAP_CHOWN, CAP_FOWNER,
	CAP_DAC_OVERRIDE, -1 };
static const int spawn_ceiling[] = { CAP_SETUID, CAP_SETGID, CAP_SYS_ADMIN,
	CAP_KILL, -1 };	/* + CAP_SETPCAP, always added */

static struct launch_def {
	int		 proc;
	const char	*bin;
	const char	*user;
	const int	*ceiling;
	uid_t		 uid;
	gid_t		 gid;
} launch_defs[] = {
	{ PROC_NET, "celld-net", CELLD_NET_USER, net_ceiling, 0, 0 },
	{ PROC_FS, "celld-fs", CELLD_FS_USER, fs_ceiling, 0, 0 },
	{ PROC_SPAWN, "celld-spawn", CELLD_SPAWN_USER, spawn_ceiling, 0, 0 },
};

/*
 * The launcher's own table.  It stays uid 0: it must set any helper uid,
 * and CAP_SETUID makes every uid reachable anyway, so a non-root uid here
 * would be cosmetic.  It has no seccomp filter and no Landlock domain:
 * both are inherited across exec, so they would bound every helper and,
 * through spawn-helper, every container.  Its defence is its size: it
 * reads one fixed 4-byte message and execs one of three fixed paths.
 */
static const int launch_caps[] = {
	CAP_SETUID, CAP_SETGID, CAP_SETPCAP,	/* become the helper's uid */
	CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_CHOWN, CAP_FOWNER,
	CAP_DAC_OVERRIDE, CAP_KILL,		/* the helpers' ceilings */
	-1
};

static const struct proc_privs launch_privs = {
	.title = "launcher",
	.user = NULL,
	.caps = launch_caps,
	.nnp = 1,
	.syscalls = NULL,
	.landlock = 0,
};

static const struct launch_args	*launch_la;
static const char		*launch_dir = LIBEXECDIR;

/* Before the uid change, while CAP_SETPCAP is still effective. */
static void
launch_bounding(const int *ceiling)
{
	uint64_t	m = privsep_capmask(ceiling) | (1ULL << CAP_SETPCAP);
	int		c;

	for (c = 0; c <= CAP_LAST_CAP; c++)
		if (!(m & (1ULL << c)) &&
		    prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == -1)
			_exit(120);
}

/* After it: the ceiling in every set, ambient included, so exec keeps it. */
static void
launch_setcaps(const int *ceiling)
{
	cap_t		cp;
	cap_value_t	v;
	int		c;
	uint64_t	m = privsep_capmask(ceiling) | (1ULL << CAP_SETPCAP);

	if ((cp = cap_init()) == NULL)
		_exit(121);
	for (c = 0; c <= CAP_LAST_CAP; c++) {
		if (!(m & (1ULL << c)))
			continue;
		v = c;
		if (cap_set_flag(cp, CAP_EFFECTIVE, 1, &v, CAP_SET) == -1 ||
		    cap_set_flag(cp, CAP_PERMITTED, 1, &v, CAP_SET) == -1 ||
		    cap_set_flag(cp, CAP_INHERITABLE, 1, &v, CAP_SET) == -1)
			_exit(121);
	}
	if (cap_set_proc(cp) == -1)
		_exit(122);
	for (c = 0; c <= CAP_LAST_CAP; c++)
		if ((m & (1ULL << c)) && prctl(PR_CAP_AMBIENT,
		    PR_CAP_AMBIENT_RAISE, c, 0, 0) == -1)
			_exit(123);
}

/* In the child: become the helper. */
static void __attribute__((noreturn))
launch_exec(const struct launch_def *d, int fd)
{
	char		 path[PATH_MAX], ids[32];
	char		*argv[12];
	char		*envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	uint32_t	 start, count;
	int		 i = 0, n;

	signal(SIGCHLD, SIG_DFL);
	/* as root, before the uid change: see subid_read.c */
	ids[0] = '\0';
	if (subid_range(CELLD_USER, &start, &count) == 0)
		snprintf(ids, sizeof(ids), "%u:%u", start, count);
	if (dup2(fd, HELPER_FD) == -1)
		_exit(124);
	if (fd != HELPER_FD)
		close(fd);
	closefrom(HELPER_FD + 1);
	launch_bounding(d->ceiling);
	if (setgroups(1, &d->gid) == -1 ||
	    setresgid(d->gid, d->gid, d->gid) == -1 ||
	    prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1 ||
	    setresuid(d->uid, d->uid, d->uid) == -1)
		_exit(125);
	launch_setcaps(d->ceiling);
	n = snprintf(path, sizeof(path), "%s/%s", launch_dir, d->bin);
	if (n < 0 || (size_t)n >= sizeof(path))
		_exit(126);
	argv[i++] = path;
	if (launch_la->debug)
		argv[i++] = "-d";
	for (n = 0; n < launch_la->verbose && n < 2; n++)
		argv[i++] = "-v";
	argv[i++] = "-s";
	argv[i++] = (char *)launch_la->storage;
	argv[i++] = "-r";
	argv[i++] = (char *)launch_la->rundir;
	if (ids[0] != '\0') {
		argv[i++] = "-i";
		argv[i++] = ids;
	}
	argv[i] = NULL;
	execve(path, argv, envp);
	_exit(127);
}

static int
launch_one(const struct launch_def *d)
{
	int	sv[2];
	pid_t	pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	switch ((pid = fork())) {
	case -1:
		close(sv[0]);
		close(sv[1]);
		return -1;
	case 0:
		close(sv[0]);
		launch_exec(d, sv[1]);
	}
	close(sv[1]);
	log_debug("%s started as pid %d", d->bin, pid);
	return sv[0];
}

/* The binaries we exec must be root's and writable by no one else. */
static void
launch_check(void)
{
	struct stat	 st;
	struct passwd	*pw;
	char		 path[PATH_MAX];
	size_t		 i;

	for (i = 0; i < nitems(launch_defs); i++) {
		if ((pw = getpwnam(launch_defs[i].user)) == NULL)
			fatalx("%s: no such user",
			    launch_defs[i].user);
		launch_defs[i].uid = pw->pw_uid;
		launch_defs[i].gid = pw->pw_gid;
		snprintf(path, sizeof(path), "%s/%s", launch_dir,
		    launch_defs[i].bin);
		if (stat(path, &st) == -1)
			fatal("%s", path);
		if (st.st_uid != 0 || (st.st_mode & 022))
			fatalx("%s: bad owner or mode", path);
	}
}

static void
launch_loop(struct imsgbuf *ib)
{
	struct imsg		imsg;
	struct msg_launch	ml;
	ssize_t			n;
	size_t			i;
	int			fd;

	for (;;) {
		if ((n = imsg_get(ib, &imsg)) == -1)
			fatalx("bad frame from parent");
		if (n == 0) {
			if ((n = imsgbuf_read(ib)) == 0)
				exit(0);	/* the parent is gone */
			if (n == -1 && errno != EINTR)
				fatal("read");
			continue;
		}
		if (msg_check(&imsg, PROC_PARENT) == -1 ||
		    imsg_get_type(&imsg) != MSG_LAUNCH ||
		    imsg_get_data(&imsg, &ml, sizeof(ml)) == -1)
			fatalx("unexpected %s",
			    msg_name(imsg_get_type(&imsg)));
		imsg_free(&imsg);
		for (i = 0; i < nitems(launch_defs); i++)
			if (launch_defs[i].proc == ml.proc)
				break;
		if (i == nitems(launch_defs))
			fatalx("no helper %d", ml.proc);
		if ((fd = launch_one(&launch_defs[i])) == -1)
			log_warn("%s", launch_defs[i].bin);
		else if (imsg_compose(ib, MSG_LAUNCHED, 0, 0, fd, &ml,
		    sizeof(ml)) == -1 || imsgbuf_flush(ib) == -1)
			fatal("reply");
	}
}

void
launcher_setdir(const char *dir)
{
	launch_dir = dir;
}

/* Fork the launcher; returns the parent's end of its channel. */
int
launcher_start(const struct launch_args *la)
{
	struct imsgbuf	ib;
	int		sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("socketpair");
	switch (fork()) {
	case -1:
		fatal("fork");
	case 0:
		break;
	default:
		close(sv[1]);
		return sv[0];
	}
	close(sv[0]);
	if (sv[1] != HELPER_FD) {
		if (dup3(sv[1], HELPER_FD, O_CLOEXEC) == -1)
			fatal("dup");
		close(sv[1]);
		sv[1] = HELPER_FD;
	}
	closefrom(HELPER_FD + 1);
	setproctitle("-celld: launcher");
	log_procname("launcher");
	launch_la = la;
	launch_check();
	if (signal(SIGCHLD, SIG_IGN) == SIG_ERR)	/* auto-reap helpers */
		fatal("signal");
	privsep_drop(&launch_privs, NULL);
	if (imsgbuf_init(&ib, sv[1]) == -1)
		fatal("imsgbuf");
	launch_loop(&ib);
	exit(0);
}
