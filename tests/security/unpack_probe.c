/*
 * unpack_probe.c: the unpacker's own table and lock-down code, applied
 * the way spawn-helper runs celld-unpack (uid 0 of a fresh user namespace
 * over an id range of its own, new mount, pid, net, ipc and uts
 * namespaces, chrooted into its staging dir on fd 3), then attacked from
 * inside.  One line per attempt: "denied NAME (why)" or "ALLOWED NAME";
 * "end" last.  Run as root: unpack_probe STAGING_DIR HOST_BASE
 */
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../privsep/privsep.h"

extern const struct proc_privs	*unpack_table;
void	unpack_probe_lock(void);

static int	fd_in_staging = -1;

static int try_write_staging(void) {
	return (fd_in_staging = open("/probe", O_WRONLY | O_CREAT | O_CLOEXEC,
	    0644)) == -1 ? -1 : 0;
}
static int try_chown_in_range(void) { return fchown(fd_in_staging, 1000, 1000); }
static int try_chown_unmapped(void) { return fchown(fd_in_staging, 70000, 0); }
static int try_opaque_xattr(void) {
	return mkdir("/d", 0755) == -1 || (fd_in_staging = open("/d",
	    O_RDONLY | O_DIRECTORY)) == -1 ? -1 : fsetxattr(fd_in_staging,
	    "user.overlay.opaque", "y", 1, 0);
}
static int try_whiteout(void) { return mknod("/wh", S_IFCHR | 0600, 0); }
static int try_mknod_block(void) {
	return mknod("/sda", S_IFBLK | 0600, makedev(8, 0));
}
static int try_trusted_xattr(void) {
	return fsetxattr(fd_in_staging, "trusted.overlay.opaque", "y", 1, 0);
}
static int try_setxattr_path(void) {
	return setxattr("/probe", "user.x", "y", 1, 0);
}
static int try_read_outside(void) {
	int fd = open("/../../../../etc/hostname", O_RDONLY);
	return fd == -1 ? -1 : close(fd);
}
static int try_socket_inet(void) { return socket(AF_INET, SOCK_STREAM, 0); }
static int try_socket_unix(void) { return socket(AF_UNIX, SOCK_STREAM, 0); }
static int try_mount(void) { return mount("none", "/d", "tmpfs", 0, NULL); }
static int try_chroot(void) { return chroot("/d"); }
static int try_unshare_user(void) { return unshare(CLONE_NEWUSER); }
static int try_fork(void) {
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	return p == -1 ? -1 : 0;
}
static int try_ptrace(void) { return ptrace(PTRACE_TRACEME, 0, 0, 0); }
static int try_kill_init(void) { return kill(1, 0); }
static int try_bpf(void) { return syscall(SYS_bpf, 0, NULL, 0); }
static int try_keyctl(void) { return syscall(SYS_keyctl, 0, 0, 0, 0, 0); }
static int try_io_uring(void) { return syscall(SYS_io_uring_setup, 1, NULL); }
static int try_regain_chroot(void) {
	cap_t		c = cap_get_proc();
	cap_value_t	v = CAP_SYS_CHROOT;

	cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_SET);
	cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_SET);
	return cap_set_proc(c);
}
static int try_execve(void) {
	char *argv[] = { "true", NULL };
	return execve("/bin/true", argv, argv + 1);
}

static const struct {
	const char	*name;
	int		(*fn)(void);
} tries[] = {
	{ "write_staging", try_write_staging },
	{ "chown_in_range", try_chown_in_range },
	{ "chown_unmapped", try_chown_unmapped },
	{ "opaque_xattr", try_opaque_xattr },
	{ "whiteout", try_whiteout },
	{ "mknod_block", try_mknod_block },
	{ "trusted_xattr", try_trusted_xattr },
	{ "setxattr_path", try_setxattr_path },
	{ "read_outside", try_read_outside },
	{ "socket_inet", try_socket_inet },
	{ "socket_unix", try_socket_unix },
	{ "mount", try_mount },
	{ "chroot", try_chroot },
	{ "unshare_user", try_unshare_user },
	{ "fork", try_fork },
	{ "ptrace", try_ptrace },
	{ "kill_init", try_kill_init },
	{ "bpf", try_bpf },
	{ "keyctl", try_keyctl },
	{ "io_uring", try_io_uring },
	{ "regain_chroot", try_regain_chroot },
	{ "execve", try_execve },
};

static void
attack(void)
{
	size_t	i;

	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		errno = 0;
		if (tries[i].fn() == -1)
			printf("denied %s (%s)\n", tries[i].name,
			    strerror(errno));
		else
			printf("ALLOWED %s\n", tries[i].name);
		fflush(stdout);
	}
	printf("end\n");
	fflush(stdout);
}

static int
write_map(pid_t pid, const char *file, unsigned base)
{
	char	path[64];
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "0 %u 65536\n", base);
	return fclose(f);
}

int
main(int argc, char **argv)
{
	int	go[2], st, dfd;
	char	c;
	pid_t	pid, g;

	if (argc != 3 || pipe(go) == -1)
		errx(2, "usage: unpack_probe STAGING HOST_BASE");
	log_init(1, 0, "unpack_probe");
	if ((pid = fork()) == 0) {
		close(go[1]);
		if (unshare(CLONE_NEWUSER) == -1 || read(go[0], &c, 1) != 1 ||
		    setresgid(0, 0, 0) == -1 || setresuid(0, 0, 0) == -1 ||
		    unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
		    CLONE_NEWIPC | CLONE_NEWUTS) == -1)
			err(1, "namespaces");
		if ((g = fork()) != 0) {
			waitpid(g, &st, 0);
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
		}
		if ((dfd = open(argv[1], O_RDONLY | O_DIRECTORY)) == -1 ||
		    dup2(dfd, 3) == -1)
			err(1, "%s", argv[1]);
		privsep_drop(unpack_table, NULL);
		unpack_probe_lock();
		attack();
		_exit(42);
	}
	close(go[0]);
	usleep(100000);
	if (write_map(pid, "uid_map", strtoul(argv[2], NULL, 10)) == -1 ||
	    write_map(pid, "gid_map", strtoul(argv[2], NULL, 10)) == -1)
		err(1, "maps");
	if (write(go[1], "g", 1) != 1)
		err(1, "go");
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
