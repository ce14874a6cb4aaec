/*
 * seccomp_profile.c: the default seccomp profile of a container, an
 * allow-list in the spirit of Docker's: what isn't listed fails with
 * EPERM.  It is loaded by init.c right before execve(), on top of the
 * filter spawn-helper itself runs under (filters stack: a syscall must
 * pass both).
 *
 * Like Docker's, some entries depend on the container's capabilities.
 * The capabilities are read from the bounding set, which init.c has just
 * made exactly the container's set: no uid or exec can ever hold more, so
 * the profile matches what the container can do, root or not.
 *
 * Refused whatever the capabilities: keyrings (keyctl, add_key,
 * request_key: not namespaced), bpf, perf_event_open, kernel modules,
 * kexec, reboot, swapon/swapoff, acct, the clock (settimeofday,
 * clock_settime, adjtimex, clock_adjtime), lookup_dcookie, userfaultfd,
 * open_by_handle_at, iopl/ioperm, syslog, vhangup, quotactl, io_uring (as
 * Docker since 25.0), new user namespaces by any route, and clone3, which
 * fails with ENOSYS so that libc falls back to clone, whose flags a filter
 * can see.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/seccomp.h>

#include "init.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME	0x00000080
#endif
/* every namespace clone() can make; CLONE_NEWTIME only unshare() can */
#define SC_NS_CLONE	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS |	\
			    CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
			    CLONE_NEWNET)
#define SC_NS_UNSHARE	(SC_NS_CLONE | CLONE_NEWTIME)
#define AF_VSOCK_	40

static const int sc_allow[] = {
	/* files and directories */
	SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2), SCMP_SYS(creat),
	SCMP_SYS(close), SCMP_SYS(close_range), SCMP_SYS(read),
	SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(preadv),
	SCMP_SYS(pwritev), SCMP_SYS(preadv2), SCMP_SYS(pwritev2),
	SCMP_SYS(lseek), SCMP_SYS(stat), SCMP_SYS(fstat), SCMP_SYS(lstat),
	SCMP_SYS(newfstatat), SCMP_SYS(statx), SCMP_SYS(statfs),
	SCMP_SYS(fstatfs), SCMP_SYS(access), SCMP_SYS(faccessat),
	SCMP_SYS(faccessat2), SCMP_SYS(getdents), SCMP_SYS(getdents64),
	SCMP_SYS(mkdir), SCMP_SYS(mkdirat), SCMP_SYS(rmdir),
	SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(rename),
	SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(link),
	SCMP_SYS(linkat), SCMP_SYS(symlink), SCMP_SYS(symlinkat),
	SCMP_SYS(readlink), SCMP_SYS(readlinkat), SCMP_SYS(chmod),
	SCMP_SYS(fchmod), SCMP_SYS(fchmodat), SCMP_SYS(chown),
	SCMP_SYS(fchown), SCMP_SYS(lchown), SCMP_SYS(fchownat),
	SCMP_SYS(truncate), SCMP_SYS(ftruncate), SCMP_SYS(fallocate),
	SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(sync),
	SCMP_SYS(syncfs), SCMP_SYS(sync_file_range), SCMP_SYS(utime),
	SCMP_SYS(utimes), SCMP_SYS(utimensat), SCMP_SYS(futimesat),
	SCMP_SYS(chdir), SCMP_SYS(fchdir), SCMP_SYS(getcwd), SCMP_SYS(umask),
	SCMP_SYS(mknod), SCMP_SYS(mknodat),	/* devices: EPERM in a userns */
	SCMP_SYS(getxattr), SCMP_SYS(lgetxattr), SCMP_SYS(fgetxattr),
	SCMP_SYS(setxattr), SCMP_SYS(lsetxattr), SCMP_SYS(fsetxattr),
	SCMP_SYS(listxattr), SCMP_SYS(llistxattr), SCMP_SYS(flistxattr),
	SCMP_SYS(removexattr), SCMP_SYS(lremovexattr),
	SCMP_SYS(fremovexattr), SCMP_SYS(name_to_handle_at),
	SCMP_SYS(copy_file_range), SCMP_SYS(sendfile), SCMP_SYS(splice),
	SCMP_SYS(tee), SCMP_SYS(vmsplice), SCMP_SYS(fadvise64),
	SCMP_SYS(readahead), SCMP_SYS(flock), SCMP_SYS(fcntl),
	SCMP_SYS(ioctl), SCMP_SYS(dup), SCMP_SYS(dup2), SCMP_SYS(dup3),
	SCMP_SYS(pipe), SCMP_SYS(pipe2), SCMP_SYS(memfd_create),
	SCMP_SYS(memfd_secret), SCMP_SYS(inotify_init),
	SCMP_SYS(inotify_init1), SCMP_SYS(inotify_add_watch),
	SCMP_SYS(inotify_rm_watch), SCMP_SYS(fanotify_mark),
	/* waiting and events */
	SCMP_SYS(select), SCMP_SYS(pselect6), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(epoll_create), SCMP_SYS(epoll_create1), SCMP_SYS(epoll_ctl),
	SCMP_SYS(epoll_ctl_old), SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_wait_old), SCMP_SYS(epoll_pwait),
	SCMP_SYS(epoll_pwait2), SCMP_SYS(eventfd), SCMP_SYS(eventfd2),
	SCMP_SYS(signalfd), SCMP_SYS(signalfd4), SCMP_SYS(timerfd_create),
	SCMP_SYS(timerfd_settime), SCMP_SYS(timerfd_gettime),
	SCMP_SYS(io_setup), SCMP_SYS(io_destroy), SCMP_SYS(io_submit),
	SCMP_SYS(io_getevents), SCMP_SYS(io_pgetevents), SCMP_SYS(io_cancel),
	SCMP_SYS(futex), SCMP_SYS(futex_waitv), SCMP_SYS(set_robust_list),
	SCMP_SYS(get_robust_list),
	/* sockets; socket() itself is below, without AF_VSOCK */
	SCMP_SYS(socketpair), SCMP_SYS(connect), SCMP_SYS(accept),
	SCMP_SYS(accept4), SCMP_SYS(bind), SCMP_SYS(listen),
	SCMP_SYS(getsockname), SCMP_SYS(getpeername), SCMP_SYS(sendto),
	SCMP_SYS(recvfrom), SCMP_SYS(sendmsg), SCMP_SYS(recvmsg),
	SCMP_SYS(sendmmsg), SCMP_SYS(recvmmsg), SCMP_SYS(shutdown),
	SCMP_SYS(getsockopt), SCMP_SYS(setsockopt),
	/* memory */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(mprotect), SCMP_SYS(madvise), SCMP_SYS(msync),
	SCMP_SYS(mincore), SCMP_SYS(mlock), SCMP_SYS(mlock2),
	SCMP_SYS(munlock), SCMP_SYS(mlockall), SCMP_SYS(munlockall),
	SCMP_SYS(remap_file_pages), SCMP_SYS(membarrier),
	SCMP_SYS(pkey_alloc), SCMP_SYS(pkey_free), SCMP_SYS(pkey_mprotect),
	/* processes, threads, signals */
	SCMP_SYS(fork), SCMP_SYS(vfork), SCMP_SYS(execve),
	SCMP_SYS(execveat), SCMP_SYS(exit), SCMP_SYS(exit_group),
	SCMP_SYS(wait4), SCMP_SYS(waitid), SCMP_SYS(kill), SCMP_SYS(tkill),
	SCMP_SYS(tgkill), SCMP_SYS(pidfd_open), SCMP_SYS(pidfd_send_signal),
	SCMP_SYS(process_mrelease), SCMP_SYS(rt_sigaction),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigpending), SCMP_SYS(rt_sigtimedwait),
	SCMP_SYS(rt_sigqueueinfo), SCMP_SYS(rt_tgsigqueueinfo),
	SCMP_SYS(rt_sigsuspend), SCMP_SYS(sigaltstack),
	SCMP_SYS(restart_syscall), SCMP_SYS(pause), SCMP_SYS(set_tid_address),
	SCMP_SYS(rseq), SCMP_SYS(arch_prctl), SCMP_SYS(modify_ldt),
	SCMP_SYS(get_thread_area), SCMP_SYS(set_thread_area),
	SCMP_SYS(prctl), SCMP_SYS(seccomp), SCMP_SYS(capget),
	SCMP_SYS(capset), SCMP_SYS(landlock_create_ruleset),
	SCMP_SYS(landlock_add_rule), SCMP_SYS(landlock_restrict_self),
	/* since 4.8 a tracer can't step around seccomp: Docker allows these */
	SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv),
	SCMP_SYS(process_vm_writev),
	/* ids, inside the user namespace */
	SCMP_SYS(getpid), SCMP_SYS(getppid), SCMP_SYS(gettid),
	SCMP_SYS(getpgid), SCMP_SYS(setpgid), SCMP_SYS(getpgrp),
	SCMP_SYS(getsid), SCMP_SYS(setsid), SCMP_SYS(getuid),
	SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid),
	SCMP_SYS(getresuid), SCMP_SYS(getresgid), SCMP_SYS(getgroups),
	SCMP_SYS(setuid), SCMP_SYS(setgid), SCMP_SYS(setreuid),
	SCMP_SYS(setregid), SCMP_SYS(setresuid), SCMP_SYS(setresgid),
	SCMP_SYS(setfsuid), SCMP_SYS(setfsgid), SCMP_SYS(setgroups),
	/* time (reading it), limits, scheduling */
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(nanosleep), SCMP_SYS(alarm), SCMP_SYS(getitimer),
	SCMP_SYS(setitimer), SCMP_SYS(timer_create), SCMP_SYS(timer_settime),
	SCMP_SYS(timer_gettime), SCMP_SYS(timer_getoverrun),
	SCMP_SYS(timer_delete), SCMP_SYS(times), SCMP_SYS(getrusage),
	SCMP_SYS(getrlimit), SCMP_SYS(setrlimit), SCMP_SYS(prlimit64),
	SCMP_SYS(getpriority), SCMP_SYS(setpriority), SCMP_SYS(sched_yield),
	SCMP_SYS(sched_getaffinity), SCMP_SYS(sched_setaffinity),
	SCMP_SYS(sched_getparam), SCMP_SYS(sched_setparam),
	SCMP_SYS(sched_getscheduler), SCMP_SYS(sched_setscheduler),
	SCMP_SYS(sched_get_priority_max), SCMP_SYS(sched_get_priority_min),
	SCMP_SYS(sched_rr_get_interval), SCMP_SYS(sched_getattr),
	SCMP_SYS(sched_setattr), SCMP_SYS(ioprio_get), SCMP_SYS(ioprio_set),
	SCMP_SYS(getcpu), SCMP_SYS(uname), SCMP_SYS(sysinfo),
	SCMP_SYS(getrandom),
	/* System V and POSIX ipc: our own ipc namespace */
	SCMP_SYS(shmget), SCMP_SYS(shmat), SCMP_SYS(shmctl), SCMP_SYS(shmdt),
	SCMP_SYS(semget), SCMP_SYS(semop), SCMP_SYS(semctl),
	SCMP_SYS(semtimedop), SCMP_SYS(msgget), SCMP_SYS(msgsnd),
	SCMP_SYS(msgrcv), SCMP_SYS(msgctl), SCMP_SYS(mq_open),
	SCMP_SYS(mq_unlink), SCMP_SYS(mq_timedsend), SCMP_SYS(mq_timedreceive),
	SCMP_SYS(mq_notify), SCMP_SYS(mq_getsetattr),
	-1
};

/*
 * Syscalls newer than Debian 12's headers and libseccomp know by name.
 * From 424 on, every architecture but alpha shares one numbering.
 */
#if defined(__x86_64__) || defined(__aarch64__)
static const int sc_allow_new[] = {
	451,	/* cachestat */
	452,	/* fchmodat2 */
	453,	/* map_shadow_stack */
	454,	/* futex_wake */
	455,	/* futex_wait */
	456,	/* futex_requeue */
	457,	/* statmount: our own mount namespace, like mountinfo */
	458,	/* listmount */
	459,	/* lsm_get_self_attr: reading only; lsm_set_self_attr (460)
		 * stays out */
	461,	/* lsm_list_modules */
	462,	/* mseal */
	463,	/* setxattrat, like setxattr */
	464,	/* getxattrat */
	465,	/* listxattrat */
	466,	/* removexattrat; open_tree_attr (467) is mount API below */
	468,	/* file_getattr, like the FS_IOC_FSGETXATTR ioctl */
	469,	/* file_setattr */
#ifdef __x86_64__
	335,	/* uretprobe: only works from the kernel's own trampoline,
		 * and refusing it kills any process with a uretprobe */
#endif
	-1
};
#else
static const int sc_allow_new[] = { -1 };
#endif

/* CAP_SYS_ADMIN: the mount API and hostname; it is our own namespaces */
static const int sc_sys_admin[] = {
	SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root),
	SCMP_SYS(fsopen), SCMP_SYS(fsconfig), SCMP_SYS(fsmount),
	SCMP_SYS(fspick), SCMP_SYS(move_mount), SCMP_SYS(open_tree),
	SCMP_SYS(mount_setattr), SCMP_SYS(sethostname),
	SCMP_SYS(setdomainname), SCMP_SYS(setns), SCMP_SYS(fanotify_init),
#if defined(__x86_64__) || defined(__aarch64__)
	467,	/* open_tree_attr */
#endif
	-1
};

/* CAP_SYS_PTRACE: comparing and taking other processes' files */
static const int sc_sys_ptrace[] = {
	SCMP_SYS(kcmp), SCMP_SYS(pidfd_getfd), SCMP_SYS(process_madvise),
	-1
};

/* CAP_SYS_NICE: NUMA policy */
static const int sc_sys_nice[] = {
	SCMP_SYS(get_mempolicy), SCMP_SYS(set_mempolicy), SCMP_SYS(mbind),
	SCMP_SYS(set_mempolicy_home_node),
	-1
};

/* CAP_SYS_CHROOT (in Docker's default set) */
static const int sc_sys_chroot[] = {
	SCMP_SYS(chroot),
	-1
};

static const struct {
	int		 cap;
	const int	*sys;
} sc_bycap[] = {
	{ CAP_SYS_ADMIN, sc_sys_admin },
	{ CAP_SYS_PTRACE, sc_sys_ptrace },
	{ CAP_SYS_NICE, sc_sys_nice },
	{ CAP_SYS_CHROOT, sc_sys_chroot },
};

/* Docker's personality(2) values: Linux, its 32-bit and uname26 kinds */
static const uint64_t sc_persona[] = {
	0x0, 0x8, 0x20000, 0x20008, 0xffffffff
};

/* the container's capabilities: the bounding set init.c just set */
static uint64_t
sc_caps(void)
{
	uint64_t	caps = 0;
	int		c, r;

	for (c = 0; c < 64; c++) {
		if ((r = prctl(PR_CAPBSET_READ, c, 0, 0, 0)) == -1)
			break;		/* EINVAL: past the last one */
		if (r == 1)
			caps |= 1ULL << c;
	}
	return caps;
}

static int
sc_add(scmp_filter_ctx ctx, const int *sys)
{
	int	r;

	for (; *sys != -1; sys++) {
		if (*sys < 0)
			continue;	/* a pseudo number: not on this arch */
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, *sys, 0)) < 0)
			return r;
	}
	return 0;
}

/* the rules that look at arguments */
static int
sc_add_args(scmp_filter_ctx ctx, uint64_t caps)
{
	uint64_t	clone_ns, unshare_ns;
	size_t		i;
	int		r;

	/* with CAP_SYS_ADMIN, every namespace but a user namespace */
	clone_ns = (caps & (1ULL << CAP_SYS_ADMIN)) ? CLONE_NEWUSER :
	    SC_NS_CLONE;
	unshare_ns = (caps & (1ULL << CAP_SYS_ADMIN)) ? CLONE_NEWUSER :
	    SC_NS_UNSHARE;
	/* x86_64 and arm64 both pass clone's flags first */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, clone_ns, 0))) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(unshare), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, unshare_ns, 0))) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
	    SCMP_SYS(clone3), 0)) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
	    SCMP_A0(SCMP_CMP_NE, AF_VSOCK_))) < 0)
		return r;
	for (i = 0; i < sizeof(sc_persona) / sizeof(sc_persona[0]); i++)
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
		    SCMP_SYS(personality), 1, SCMP_A0(SCMP_CMP_EQ,
		    sc_persona[i]))) < 0)
			return r;
	return 0;
}

static scmp_filter_ctx
sc_build(uint64_t caps)
{
	scmp_filter_ctx	 ctx;
	size_t		 i;
	int		 r;

	if ((ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM))) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	/*
	 * Native calls only: an i386 or x32 syscall kills the process.  The
	 * syscall numbers in a binary tree, not a list: about 25% more
	 * instructions, but a lookup walks a dozen instead of hundreds, and
	 * the kernel runs the whole program for each syscall number when it
	 * loads it (its per-filter cache): 0.15 ms a load here, against
	 * 0.37 ms for the list.
	 */
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) < 0 ||
	    (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0 ||
	    (r = sc_add(ctx, sc_allow)) < 0 ||
	    (r = sc_add(ctx, sc_allow_new)) < 0 ||
	    (r = sc_add_args(ctx, caps)) < 0)
		goto fail;
	for (i = 0; i < sizeof(sc_bycap) / sizeof(sc_bycap[0]); i++)
		if ((caps & (1ULL << sc_bycap[i].cap)) &&
		    (r = sc_add(ctx, sc_bycap[i].sys)) < 0)
			goto fail;
	return ctx;
fail:
	seccomp_release(ctx);
	errno = -r;
	return NULL;
}

/*
 * Compiling the profile costs about 0.3 ms of libseccomp per container,
 * so spawn-helper compiles it once per capability set, before it forks,
 * and the container's init finds the program in its copy of this cache.
 */
#define SC_NCACHE	8
static struct sc_cached {
	uint64_t		 caps;
	struct sock_filter	*insns;
	uint32_t		 n;
}			sc_cache[SC_NCACHE];
static size_t		sc_next;

static const struct sc_cached *
sc_lookup(uint64_t caps)
{
	size_t	i;

	for (i = 0; i < SC_NCACHE; i++)
		if (sc_cache[i].insns != NULL && sc_cache[i].caps == caps)
			return &sc_cache[i];
	return NULL;
}

void
cell_seccomp_prepare(uint64_t caps)
{
	struct sc_cached	*c;
	scmp_filter_ctx		 ctx;
	struct stat		 st;
	void			*buf = NULL;
	int			 fd = -1;

	if (sc_lookup(caps) != NULL || (ctx = sc_build(caps)) == NULL)
		return;
	if ((fd = memfd_create("seccomp", MFD_CLOEXEC)) == -1 ||
	    seccomp_export_bpf(ctx, fd) < 0 || fstat(fd, &st) == -1 ||
	    st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) ||
	    st.st_size > BPF_MAXINSNS * (off_t)sizeof(struct sock_filter) ||
	    (buf = malloc(st.st_size)) == NULL ||
	    pread(fd, buf, st.st_size, 0) != st.st_size) {
		free(buf);	/* no cache: C compiles it itself */
		buf = NULL;
	}
	if (fd != -1)
		close(fd);
	seccomp_release(ctx);
	if (buf == NULL)
		return;
	c = &sc_cache[sc_next++ % SC_NCACHE];
	free(c->insns);
	c->caps = caps;
	c->insns = buf;
	c->n = st.st_size / sizeof(struct sock_filter);
}

/* In C, after the capability drop: the profile for what it kept. */
int
cell_seccomp_default(void)
{
	const struct sc_cached	*c;
	scmp_filter_ctx		 ctx;
	uint64_t		 caps = sc_caps();
	int			 r;

	if ((c = sc_lookup(caps)) != NULL)
		return cell_seccomp_load(c->insns, c->n);
	if ((ctx = sc_build(caps)) == NULL)
		return -1;
	r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

/*
 * seccomp=FILE: the parent's program for this container, loaded as it
 * came.  The kernel checks it; it stacks on whatever filters we already
 * run under (spawn-helper's, and the default profile unless the parent's
 * policy let it replace that), and a syscall must pass every one of them.
 */
int
cell_seccomp_load(const struct sock_filter *insns, uint32_t n)
{
	struct sock_fprog	prog;

	if (n == 0 || n > BPF_MAXINSNS) {
		errno = EINVAL;
		return -1;
	}
	prog.len = n;
	prog.filter = (struct sock_filter *)insns;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}
