/*
 * spawn.c: spawn-helper, "celld: spawn-helper".  Namespaces, id maps,
 * capabilities, seccomp and cgroups: it makes containers and starts their
 * monitors.
 *
 * Its sandbox is shaped by one fact: seccomp filters and Landlock domains
 * are inherited by children, across exec, forever.  Every container
 * descends from this process, so its seccomp allow-list can't be narrower
 * than what a container may call (each container then stacks its own,
 * tighter filter), and it has no Landlock domain at all: path-beneath
 * rules can't describe a rootfs after pivot_root, so a domain here would
 * break every container.  What it refuses is what neither it nor any
 * container needs: kernel modules, kexec, bpf, perf, keyrings, reboot,
 * swap, clock and system-wide settings.
 */
#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <linux/capability.h>

#include "spawn.h"
#include "cell.h"

static const int spawn_syscalls[] = {
	SBX_BASE,
	/* building containers */
	SCMP_SYS(clone), SCMP_SYS(clone3), SCMP_SYS(fork), SCMP_SYS(vfork),
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(wait4),
	SCMP_SYS(waitid), SCMP_SYS(unshare), SCMP_SYS(setns),
	SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root),
	SCMP_SYS(chroot), SCMP_SYS(open_tree), SCMP_SYS(move_mount),
	SCMP_SYS(fsopen), SCMP_SYS(fsconfig), SCMP_SYS(fsmount),
	SCMP_SYS(fspick), SCMP_SYS(mount_setattr), SCMP_SYS(sethostname),
	SCMP_SYS(setdomainname), SCMP_SYS(setresuid), SCMP_SYS(setresgid),
	SCMP_SYS(setuid), SCMP_SYS(setgid), SCMP_SYS(setgroups),
	SCMP_SYS(setreuid), SCMP_SYS(setregid), SCMP_SYS(setfsuid),
	SCMP_SYS(setfsgid), SCMP_SYS(capset), SCMP_SYS(seccomp),
	SCMP_SYS(pidfd_open), SCMP_SYS(pidfd_send_signal),
	SCMP_SYS(pidfd_getfd), SCMP_SYS(kill), SCMP_SYS(tgkill),
	SCMP_SYS(tkill), SCMP_SYS(socket), SCMP_SYS(socketpair),
	SCMP_SYS(landlock_create_ruleset), SCMP_SYS(landlock_add_rule),
	SCMP_SYS(landlock_restrict_self),
	/* what programs in containers call: files, sockets, time, ipc */
	SCMP_SYS(openat), SCMP_SYS(openat2), SCMP_SYS(open),
	SCMP_SYS(creat), SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(statx),
	SCMP_SYS(statfs), SCMP_SYS(fstatfs), SCMP_SYS(access),
	SCMP_SYS(faccessat), SCMP_SYS(faccessat2), SCMP_SYS(lseek),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(preadv),
	SCMP_SYS(pwritev), SCMP_SYS(preadv2), SCMP_SYS(pwritev2),
	SCMP_SYS(getdents64), SCMP_SYS(getdents), SCMP_SYS(mkdir),
	SCMP_SYS(mkdirat), SCMP_SYS(rmdir), SCMP_SYS(unlink),
	SCMP_SYS(unlinkat), SCMP_SYS(rename), SCMP_SYS(renameat),
	SCMP_SYS(renameat2), SCMP_SYS(link), SCMP_SYS(linkat),
	SCMP_SYS(symlink), SCMP_SYS(symlinkat), SCMP_SYS(readlink),
	SCMP_SYS(readlinkat), SCMP_SYS(chmod), SCMP_SYS(fchmod),
	SCMP_SYS(fchmodat), SCMP_SYS(chown),
	SCMP_SYS(fchown), SCMP_SYS(lchown), SCMP_SYS(fchownat),
	SCMP_SYS(truncate), SCMP_SYS(ftruncate), SCMP_SYS(fallocate),
	SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(sync),
	SCMP_SYS(syncfs), SCMP_SYS(sync_file_range), SCMP_SYS(mknod),
	SCMP_SYS(mknodat), SCMP_SYS(utimensat), SCMP_SYS(utime),
	SCMP_SYS(utimes), SCMP_SYS(futimesat), SCMP_SYS(chdir),
	SCMP_SYS(fchdir), SCMP_SYS(getcwd), SCMP_SYS(umask),
	SCMP_SYS(dup), SCMP_SYS(dup2), SCMP_SYS(dup3), SCMP_SYS(pipe),
	SCMP_SYS(pipe2), SCMP_SYS(ioctl), SCMP_SYS(flock),
	SCMP_SYS(getxattr), SCMP_SYS(lgetxattr), SCMP_SYS(fgetxattr),
	SCMP_SYS(setxattr), SCMP_SYS(lsetxattr), SCMP_SYS(fsetxattr),
	SCMP_SYS(listxattr), SCMP_SYS(llistxattr), SCMP_SYS(flistxattr),
	SCMP_SYS(removexattr), SCMP_SYS(lremovexattr),
	SCMP_SYS(fremovexattr), SCMP_SYS(sendfile), SCMP_SYS(splice),
	SCMP_SYS(tee), SCMP_SYS(vmsplice), SCMP_SYS(copy_file_range),
	SCMP_SYS(close_range), SCMP_SYS(memfd_create), SCMP_SYS(fadvise64),
	SCMP_SYS(readahead), SCMP_SYS(inotify_init), SCMP_SYS(inotify_init1),
	SCMP_SYS(inotify_add_watch), SCMP_SYS(inotify_rm_watch),
	SCMP_SYS(fanotify_init), SCMP_SYS(fanotify_mark),
	SCMP_SYS(name_to_handle_at), SCMP_SYS(select), SCMP_SYS(pselect6),
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(epoll_create),
	SCMP_SYS(epoll_create1), SCMP_SYS(epoll_pwait2), SCMP_SYS(eventfd),
	SCMP_SYS(eventfd2), SCMP_SYS(signalfd), SCMP_SYS(signalfd4),
	SCMP_SYS(timerfd_create), SCMP_SYS(timerfd_settime),
	SCMP_SYS(timerfd_gettime), SCMP_SYS(io_setup), SCMP_SYS(io_destroy),
	SCMP_SYS(io_submit), SCMP_SYS(io_getevents), SCMP_SYS(io_cancel),
	SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter),
	SCMP_SYS(io_uring_register), SCMP_SYS(connect), SCMP_SYS(accept),
	SCMP_SYS(accept4), SCMP_SYS(bind), SCMP_SYS(listen),
	SCMP_SYS(getsockname), SCMP_SYS(getpeername), SCMP_SYS(recvfrom),
	SCMP_SYS(recvmmsg), SCMP_SYS(sendmmsg), SCMP_SYS(shutdown),
	SCMP_SYS(getsockopt), SCMP_SYS(setsockopt), SCMP_SYS(mprotect),
	SCMP_SYS(msync), SCMP_SYS(mincore), SCMP_SYS(mlock),
	SCMP_SYS(mlock2), SCMP_SYS(munlock), SCMP_SYS(mlockall),
	SCMP_SYS(munlockall), SCMP_SYS(remap_file_pages),
	SCMP_SYS(membarrier), SCMP_SYS(set_tid_address),
	SCMP_SYS(set_robust_list), SCMP_SYS(get_robust_list),
	SCMP_SYS(rseq), SCMP_SYS(arch_prctl), SCMP_SYS(gettid),
	SCMP_SYS(getppid), SCMP_SYS(getpgrp), SCMP_SYS(getpgid),
	SCMP_SYS(setpgid), SCMP_SYS(getsid), SCMP_SYS(setsid),
	SCMP_SYS(getresuid), SCMP_SYS(getresgid), SCMP_SYS(getgroups),
	SCMP_SYS(uname), SCMP_SYS(sysinfo), SCMP_SYS(getrlimit),
	SCMP_SYS(setrlimit), SCMP_SYS(prlimit64), SCMP_SYS(getrusage),
	SCMP_SYS(times), SCMP_SYS(getpriority), SCMP_SYS(setpriority),
	SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity),
	SCMP_SYS(sched_setaffinity), SCMP_SYS(sched_getparam),
	SCMP_SYS(sched_setparam), SCMP_SYS(sched_getscheduler),
	SCMP_SYS(sched_setscheduler), SCMP_SYS(sched_get_priority_max),
	SCMP_SYS(sched_get_priority_min), SCMP_SYS(sched_rr_get_interval),
	SCMP_SYS(sched_getattr), SCMP_SYS(sched_setattr),
	SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(clock_getres), SCMP_SYS(time), SCMP_SYS(alarm),
	SCMP_SYS(getitimer), SCMP_SYS(setitimer), SCMP_SYS(timer_create),
	SCMP_SYS(timer_settime), SCMP_SYS(timer_gettime),
	SCMP_SYS(timer_getoverrun), SCMP_SYS(timer_delete), SCMP_SYS(pause),
	SCMP_SYS(rt_sigpending), SCMP_SYS(rt_sigtimedwait),
	SCMP_SYS(rt_sigqueueinfo), SCMP_SYS(rt_tgsigqueueinfo),
	SCMP_SYS(rt_sigsuspend), SCMP_SYS(sigaltstack),
	SCMP_SYS(restart_syscall), SCMP_SYS(shmget), SCMP_SYS(shmat),
	SCMP_SYS(shmctl), SCMP_SYS(shmdt), SCMP_SYS(semget),
	SCMP_SYS(semop), SCMP_SYS(semctl), SCMP_SYS(semtimedop),
	SCMP_SYS(msgget), SCMP_SYS(msgsnd), SCMP_SYS(msgrcv),
	SCMP_SYS(msgctl), SCMP_SYS(mq_open), SCMP_SYS(mq_unlink),
	SCMP_SYS(mq_timedsend), SCMP_SYS(mq_timedreceive),
	SCMP_SYS(mq_notify), SCMP_SYS(mq_getsetattr), SCMP_SYS(ptrace),
	SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
	SCMP_SYS(personality), SCMP_SYS(get_mempolicy),
	SCMP_SYS(set_mempolicy), SCMP_SYS(mbind), SCMP_SYS(ioprio_get),
	SCMP_SYS(ioprio_set), SCMP_SYS(kcmp), SCMP_SYS(futex_waitv),
#ifdef __x86_64__
	452,	/* fchmodat2: newer than Debian 12's libseccomp */
#endif
	-1	/* left out on purpose: init_module, finit_module,
		 * delete_module, kexec_load, kexec_file_load, bpf,
		 * perf_event_open, keyctl, add_key, request_key, reboot,
		 * swapon, swapoff, settimeofday, clock_settime, adjtimex,
		 * acct, quotactl, lookup_dcookie, userfaultfd, iopl,
		 * ioperm, open_by_handle_at, syslog, vhangup, nfsservctl */
};

static const struct proc_privs spawn_privs = {
	.title = "spawn-helper",
	.user = CELLD_SPAWN_USER,	/* not 0: owner checks must fail */
	.caps = (const int []){
		CAP_SETUID,		/* write uid_map for a subuid range */
		CAP_SETGID,		/* write gid_map for a subgid range */
		CAP_SYS_ADMIN,		/* namespaces, setns for exec */
		CAP_KILL,		/* signal containers' host uids */
		CAP_SETPCAP,		/* empty monitors' bounding sets */
		-1
	},
	.nnp = 1,
	.syscalls = spawn_syscalls,
	.landlock = 0,		/* inherited by containers, see above */
};

static void
spawn_dispatch(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg_get_type(imsg)) {
	case MSG_SPAWN_STDIO:
		spawn_stdio(iev, imsg);
		break;
	case MSG_SPAWN_CREATE:
		spawn_create(iev, imsg);
		break;
	case MSG_SPAWN_EXEC:
		spawn_exec(iev, imsg);
		break;
	case MSG_SPAWN_KILL:
		spawn_kill(iev, imsg);
		break;
	case MSG_SPAWN_CLEANUP:
		spawn_cleanup(iev, imsg);
		break;
	case MSG_SPAWN_FREEZE:
		spawn_freeze(iev, imsg);
		break;
	case MSG_SPAWN_UPDATE:
		spawn_update(iev, imsg);
		break;
	case MSG_SPAWN_STATS:
		spawn_stats(iev, imsg);
		break;
	case MSG_SPAWN_TOP:
		spawn_top(iev, imsg);
		break;
	case MSG_SPAWN_EXECIN:
		spawn_execin(iev, imsg);
		break;
	case MSG_SPAWN_VOLUME:
		spawn_volume(iev, imsg);
		break;
	case MSG_SPAWN_BPF:
		spawn_bpf(iev, imsg);
		break;
	case MSG_SPAWN_VOLPIN:
		spawn_volpin(iev, imsg);
		break;
	case MSG_SPAWN_UNPIN:
		spawn_unpin(iev, imsg);
		break;
	case MSG_SPAWN_UNPACK:
		spawn_unpack(iev, imsg);
		break;
	case MSG_SPAWN_UNPACK_GO:
		spawn_unpack_go(iev, imsg);
		break;
	case MSG_SPAWN_NETCFG:
		spawn_netcfg(iev, imsg);
		break;
	case MSG_SPAWN_NETNS_ASK:
		spawn_netns_ask(iev, imsg);
		break;
	case MSG_SPAWN_NETIF:
		spawn_netif(iev, imsg);
		break;
	case MSG_SPAWN_NETROUTE:
		spawn_netroute(iev, imsg);
		break;
	default:
		log_warnx("unexpected %s", msg_name(imsg_get_type(imsg)));
		imsgev_reply(iev, imsg_get_peerid(imsg), EINVAL, 0,
		    "unexpected");
	}
}

int
main(int argc, char **argv)
{
	struct launch_args	la;

	/* before the drop: the monitor binary, ids, cgroups */
	if (helper_args(argc, argv, &la) == 0) {
		log_init(la.debug, la.verbose, spawn_privs.title);
		cell_setup(&la);
		volume_setup(la.storage, la.rundir);
	}
	optind = 1;
	/* monitors are reaped by no one here: they outlive us */
	signal(SIGCHLD, SIG_IGN);
	helper_main(argc, argv, &spawn_privs, PROC_SPAWN, spawn_dispatch);
}

#ifdef SBX_PROBE
/* tests/security/sbx_probe applies this very table and attacks it */
const struct proc_privs *spawn_table = &spawn_privs;
#endif
