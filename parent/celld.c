/*
 * celld.c: the parent, "celld: parent".  It owns the control socket, the
 * state and the policy, and decides everything; it can do nothing
 * privileged itself.  Every privileged step is a request to a helper.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <bsd/unistd.h>

#include "parent.h"

/*
 * The parent's privileges: none.  It runs as _celld with empty capability
 * sets.  It reads and writes only its state, under the storage dir and
 * the run dir; TCP is closed to it (Landlock net rules).
 */
static const int parent_syscalls[] = {
	/* event loop, imsg, logging */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(epoll_create1), SCMP_SYS(read), SCMP_SYS(write),
	SCMP_SYS(readv), SCMP_SYS(writev), SCMP_SYS(recvmsg),
	SCMP_SYS(sendmsg), SCMP_SYS(sendto), SCMP_SYS(close),
	SCMP_SYS(accept4), SCMP_SYS(getsockopt), SCMP_SYS(fcntl),
	SCMP_SYS(connect),	/* AF_UNIX only: socket() is narrowed */
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(getpid),
	SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid),
	SCMP_SYS(getegid), SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(exit), SCMP_SYS(exit_group),
	SCMP_SYS(sigaltstack),	/* harmless; AddressSanitizer needs it */
	/* memory */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(madvise), SCMP_SYS(futex), SCMP_SYS(getrandom),
	/* state files: atomic writes under storage and rundir */
	SCMP_SYS(openat), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(statx), SCMP_SYS(lseek), SCMP_SYS(mkdirat),
	SCMP_SYS(unlinkat), SCMP_SYS(renameat), SCMP_SYS(renameat2),
	SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(getdents64),
	SCMP_SYS(ftruncate), SCMP_SYS(pread64), SCMP_SYS(pwrite64),
	SCMP_SYS(mkdir), SCMP_SYS(rmdir), SCMP_SYS(unlink),
	SCMP_SYS(rename), SCMP_SYS(stat), SCMP_SYS(lstat),
	/* volumes: where a file lives, by its fd (parent/volume.c) */
	SCMP_SYS(readlink), SCMP_SYS(readlinkat),
	/* ping reports our own privileges from the kernel */
	SCMP_SYS(capget),
	/* seccomp=FILE: libseccomp 2.5 exports a compiled program only to an
	 * fd; a memfd is one with no path and no size limit of a pipe's
	 * (parent/seccomp_json.c).  We compile filters, never load one. */
	SCMP_SYS(memfd_create),
	-1	/* left out on purpose: mount, ptrace, execve, clone, kill,
		 * setuid, socket (except AF_UNIX), bpf, keyctl */
};

static const struct sbx_arg parent_args[] = {
	{ SCMP_SYS(prctl), 0, PR_GET_NO_NEW_PRIVS },
	{ SCMP_SYS(prctl), 0, PR_GET_SECCOMP },
	{ SCMP_SYS(prctl), 0, PR_CAPBSET_READ },
	{ SCMP_SYS(prctl), 0, PR_CAP_AMBIENT },
	{ SCMP_SYS(socket), 0, AF_UNIX },	/* syslog, monitors */
	{ -1, 0, 0 }
};

static const struct sbx_path parent_paths[] = {
	{ "$0", SBX_R | SBX_W },	/* storage: state, images index */
	{ "$1", SBX_R | SBX_W },	/* rundir: runtime state */
	{ NULL, 0 }
};

static const struct proc_privs parent_privs = {
	.title = "parent",
	.user = CELLD_USER,		/* from celld.conf, see main() */
	.caps = (const int []){ -1 },	/* none at all */
	.nnp = 1,
	.syscalls = parent_syscalls,
	.argrules = parent_args,
	.landlock = 1,
	.paths = parent_paths,
};

struct celld	*env;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: celld [-dnv] [-D macro=value] [-f file] "
	    "[-x libexecdir]\n");
	exit(1);
}

static void
parent_exit(void)
{
	control_shutdown();
	helpers_shutdown();
	event_base_loopexit(env->base, NULL);
}

static void
parent_sig(int sig, short ev, void *arg)
{
	static int	exiting;

	(void)ev;
	(void)arg;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("exiting on signal %d", sig);
		/* first what celld made of networks goes, if it may */
		if (exiting++ || network_shutdown(parent_exit) == 0)
			parent_exit();
		break;
	case SIGHUP:
		log_info("SIGHUP ignored, restart to reload");
		break;
	}
}

/* Make dir owned by uid:gid with mode, refusing a symlink or a stranger. */
static void
parent_mkdir(const char *dir, uid_t uid, gid_t gid, mode_t mode)
{
	struct stat	st;

	if (mkdir(dir, mode) == -1 && errno != EEXIST)
		fatal("%s", dir);
	if (lstat(dir, &st) == -1)
		fatal("%s", dir);
	if (!S_ISDIR(st.st_mode))
		fatalx("%s: not a directory", dir);
	if (chown(dir, uid, gid) == -1 || chmod(dir, mode) == -1)
		fatal("%s", dir);
}

static void
parent_dirs(const struct passwd *pw, uid_t spuid, gid_t spgid)
{
	char		 path[PATH_MAX];
	const char	*sub[] = { "containers", "images", "layers",
	    "networks", "volumes", "tmp" };
	size_t		 i;

	parent_mkdir(env->conf.storage, 0, 0, 0711);
	parent_mkdir(env->conf.rundir, 0, 0, 0711);
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s",
		    env->conf.storage, sub[i]) >= sizeof(path))
			fatalx("%s: path too long", env->conf.storage);
		/*
		 * layers/ holds files owned by container ids, setuid ones
		 * among them: no host user may walk into it (containers
		 * reach their layers through mounts, not this path)
		 */
		parent_mkdir(path, pw->pw_uid, pw->pw_gid,
		    strcmp(sub[i], "layers") == 0 ? 0700 : 0711);
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/monitors",
	    env->conf.rundir) >= sizeof(path))
		fatalx("%s: path too long", env->conf.rundir);
	parent_mkdir(path, pw->pw_uid, pw->pw_gid, 0700);
	/* spawn-helper's: volumes kept across restarts (run.c) */
	if ((size_t)snprintf(path, sizeof(path), "%s/pins",
	    env->conf.rundir) >= sizeof(path))
		fatalx("%s: path too long", env->conf.rundir);
	parent_mkdir(path, spuid, spgid, 0700);
}

/*
 * Routing between the bridges and the world, as root before the drop
 * (like Docker): net.ipv4.ip_forward=1 and, for dual-stack networks,
 * net.ipv6.conf.all.forwarding=1 (the kernel forwards IPv6 only with
 * "all" on; note that it also stops taking router advertisements on
 * interfaces whose accept_ra is 1, see docs/network.md).  Without them
 * a network still works inside, so a failure is a warning.
 */
static void
parent_forward_one(const char *path)
{
	int	fd;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1 ||
	    write(fd, "1\n", 2) != 2)
		log_warn("%s: cannot enable", path);
	if (fd != -1)
		close(fd);
}

static void
parent_forward(void)
{
	if (TAILQ_EMPTY(&env->conf.nets))
		return;
	parent_forward_one("/proc/sys/net/ipv4/ip_forward");
	parent_forward_one("/proc/sys/net/ipv6/conf/all/forwarding");
}

/* The control socket: bound as root, handed to the unprivileged parent. */
static int
parent_socket(void)
{
	struct sockaddr_un	 sun;
	struct group		*gr;
	gid_t			 gid = 0;
	int			 fd;
	mode_t			 old;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, env->conf.socket, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		fatalx("%s: socket path too long", env->conf.socket);
	if ((gr = getgrnam(env->conf.socket_group)) != NULL)
		gid = gr->gr_gid;
	else
		log_warnx("socket group %s: no such group, using root",
		    env->conf.socket_group);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		fatal("control socket");
	if (unlink(env->conf.socket) == -1 && errno != ENOENT)
		fatal("%s", env->conf.socket);
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("%s", env->conf.socket);
	umask(old);
	if (chown(env->conf.socket, 0, gid) == -1 ||
	    chmod(env->conf.socket, env->conf.socket_mode) == -1)
		fatal("%s", env->conf.socket);
	if (listen(fd, 128) == -1)
		fatal("%s: listen", env->conf.socket);
	return fd;
}

static void
parent_rlimit(void)
{
	struct rlimit	rl;

	/* Raise only the soft limit: root here lacks CAP_SYS_RESOURCE. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("raise open file limit");
	}
}

static void
parent_check(int argc, char **argv, int noaction)
{
	(void)argc;
	(void)argv;
	if (conf_parse(env->conffile, &env->conf, 1) == -1)
		exit(1);
	if (noaction) {
		if (env->verbose)
			conf_print(stdout, &env->conf);
		fprintf(stderr, "configuration OK\n");
		exit(0);
	}
	/* every path we build under these fits in PATH_MAX with room */
	if (strlen(env->conf.storage) > STORE_PATHMAX ||
	    strlen(env->conf.rundir) > STORE_PATHMAX)
		errx(1, "storage and rundir paths must be at most %d bytes",
		    STORE_PATHMAX);
	if (geteuid() != 0)
		errx(1, "need root privileges");
}

static void
parent_daemonize(void)
{
	if (env->debug)
		return;
	if (daemon(0, 0) == -1)
		fatal("daemon");
}

/*
 * Everything that needs root happens here, before the drop: the dirs, the
 * socket, the launcher.  After privsep_drop() nothing is ever added back.
 */
static void
parent_setup(const char *libexec)
{
	struct launch_args	 la;
	struct passwd		*pw, *spw;
	uid_t			 spuid;
	gid_t			 spgid;
	const char		*vars[3];
	static struct proc_privs privs;
	static struct event	*sig[3];
	const int		 sigs[] = { SIGTERM, SIGINT, SIGHUP };
	int			 i;

	if ((spw = getpwnam(CELLD_SPAWN_USER)) == NULL)
		fatalx("%s: no such user", CELLD_SPAWN_USER);
	spuid = spw->pw_uid;
	spgid = spw->pw_gid;
	if ((pw = getpwnam(env->conf.user)) == NULL)
		fatalx("%s: no such user", env->conf.user);
	parent_rlimit();
	parent_dirs(pw, spuid, spgid);
	parent_forward();
	netfiles_init();
	cell_init();
	volume_init();
	audit_init();
	env->ctlfd = parent_socket();
	memset(&la, 0, sizeof(la));
	la.debug = env->debug;
	la.verbose = env->verbose;
	la.storage = env->conf.storage;
	la.rundir = env->conf.rundir;
	if (libexec != NULL)
		launcher_setdir(libexec);
	if (cgroup_delegate(spuid, spgid) == -1)
		fatalx("cgroups: cannot delegate a subtree to spawn-helper");
	helpers_init(launcher_start(&la));
	env->base = event_base_new();
	if (env->base == NULL)
		fatalx("event_base_new");
	for (i = 0; i < 3; i++) {	/* before the drop: needs socketpair */
		sig[i] = evsignal_new(env->base, sigs[i], parent_sig, NULL);
		if (sig[i] == NULL || evsignal_add(sig[i], NULL) == -1)
			fatalx("signal events");
	}
	privs = parent_privs;
	privs.user = env->conf.user;
	vars[0] = env->conf.storage;
	vars[1] = env->conf.rundir;
	vars[2] = NULL;
	privsep_drop(&privs, vars);
}

int
main(int argc, char **argv)
{
	static struct celld	 celld;
	const char		*libexec = NULL;
	int			 ch, noaction = 0;

	env = &celld;
	env->conffile = "/etc/celld.conf";
	setproctitle_init(argc, argv, environ);
	while ((ch = getopt(argc, argv, "D:df:nvx:")) != -1) {
		switch (ch) {
		case 'D':
			if (conf_macro_define(optarg) == -1)
				errx(1, "%s: bad macro", optarg);
			break;
		case 'd':
			env->debug = 1;
			break;
		case 'f':
			env->conffile = optarg;
			break;
		case 'n':
			noaction = 1;
			break;
		case 'v':
			env->verbose++;
			break;
		case 'x':
			libexec = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	parent_check(argc, argv, noaction);
	log_init(env->debug, env->verbose, "parent");
	parent_daemonize();
	setproctitle("-celld: parent");
	signal(SIGPIPE, SIG_IGN);
	env->started = time(NULL);
	parent_setup(libexec);
	helpers_start(env->base);
	network_load_all();
	state_load_all();
	network_prune();
	control_init(env->ctlfd);
	log_info("ready on %s", env->conf.socket);
	event_base_dispatch(env->base);
	return 0;
}

#ifdef SBX_PROBE
/* tests/security/sbx_probe applies this very table and attacks it */
const struct proc_privs *parent_table = &parent_privs;
#endif
