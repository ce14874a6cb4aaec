/*
 * cinit.c: celld-init, the pid 1 of a container run with --init (compare
 * Docker's tini).  A command run as pid 1 gets no default signal actions
 * (a SIGINT or SIGTERM it doesn't handle does nothing) and inherits every
 * orphan of the container, which it never reaps.  celld-init runs the
 * command as its child instead, forwards it every signal it gets, reaps
 * every zombie, and exits with the command's status: its exit code, or
 * 128+N for a death by signal N.
 *
 * usage: celld-init -- PATH ARGV0 [ARG...]
 * C (spawn-helper/init.c) has already found PATH along the container's
 * PATH, and exec'd us from a sealed memfd (spawn-helper/initbin.c), with
 * the container's ids, capabilities and seccomp filter in force.  It is
 * linked statically with nothing but libc: no file of the container's
 * is loaded into the one process that outlives everything in it.
 */
#include <sys/ioctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void __attribute__((noreturn))
child(char **argv, const sigset_t *mask)
{
	int	e;

	/*
	 * Our own process group, in the foreground of a tty if there is one:
	 * ^C then reaches the command (once), and not us.  SIGTTOU is still
	 * blocked, so tcsetpgrp() can't stop us.
	 */
	if (setpgid(0, 0) == 0 && isatty(0))
		(void)tcsetpgrp(0, getpid());
	sigprocmask(SIG_SETMASK, mask, NULL);
	execv(argv[0], argv + 1);
	e = errno;
	dprintf(2, "celld-init: %s: %s\n", argv[0], strerror(e));
	_exit(e == ENOENT || e == ENOTDIR ? 127 : 126);
}

/* Reap every zombie; the command's status, once it is one of them. */
static int
reap(pid_t cmd, int *status)
{
	pid_t	pid;
	int	st, done = 0;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid != cmd)
			continue;
		done = 1;
		*status = WIFEXITED(st) ? WEXITSTATUS(st) :
		    128 + WTERMSIG(st);
	}
	return done;
}

int
main(int argc, char **argv)
{
	sigset_t	all, old;
	siginfo_t	si;
	pid_t		cmd;
	int		status = 125;

	if (argc < 4 || strcmp(argv[1], "--") != 0) {
		dprintf(2, "usage: celld-init -- PATH ARGV0 [ARG...]\n");
		return 125;
	}
	/* every signal waits for sigwaitinfo(): none is lost or ignored,
	 * even those pid 1 would otherwise never see */
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) == -1 ||
	    signal(SIGCHLD, SIG_DFL) == SIG_ERR)
		return 125;
	if ((cmd = fork()) == -1) {
		dprintf(2, "celld-init: fork: %s\n", strerror(errno));
		return 125;
	}
	if (cmd == 0)
		child(argv + 2, &old);
	for (;;) {
		if (sigwaitinfo(&all, &si) == -1)
			continue;	/* EINTR */
		if (si.si_signo != SIGCHLD)
			(void)kill(cmd, si.si_signo);
		else if (reap(cmd, &status))
			return status;
	}
}
