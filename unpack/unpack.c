/*
 * unpack.c: celld-unpack, "celld: unpacker".  Reads one image archive (a
 * Docker or OCI archive, or with -m import a plain root filesystem tar)
 * on fd 0, writes its layers into the staging dir it finds as fd 3, and
 * reports what it made as one JSON document on fd 1.
 *
 * spawn-helper starts it as uid 0 of a fresh user namespace that maps
 * the image id slot of celld's subordinate range (65536 ids, no host id),
 * in fresh mount, pid, ipc, uts and net namespaces.  fd 3 is an idmapped
 * mount of layers/tmp/<id> made by fs-helper through that namespace, so
 * what our uid 0 writes is owned by 0 on disk, as layers must be.  We
 * chroot into it, keep the capabilities that restoring owners and modes
 * takes (in our namespace only), and lock the rest down below.
 */
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>

#include "../privsep/privsep.h"
#include "unpack.h"

#define STAGE_FD	3

static const int unpack_syscalls[] = {
	/* the streams, memory, exit */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(close), SCMP_SYS(lseek),
	SCMP_SYS(fcntl), SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap),
	SCMP_SYS(mremap), SCMP_SYS(madvise), SCMP_SYS(futex),
	SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(sigaltstack), SCMP_SYS(getrandom), SCMP_SYS(clock_gettime),
	SCMP_SYS(getpid), SCMP_SYS(getuid), SCMP_SYS(geteuid),
	SCMP_SYS(getgid), SCMP_SYS(getegid),
	/* the staging dir: files, dirs, links, owners, modes, times */
	SCMP_SYS(openat), SCMP_SYS(openat2), SCMP_SYS(fstat),
	SCMP_SYS(newfstatat), SCMP_SYS(statx), SCMP_SYS(getdents64),
	SCMP_SYS(mkdirat), SCMP_SYS(mkdir), SCMP_SYS(unlinkat),
	SCMP_SYS(unlink), SCMP_SYS(rmdir), SCMP_SYS(renameat2),
	SCMP_SYS(rename), SCMP_SYS(symlinkat), SCMP_SYS(symlink),
	SCMP_SYS(linkat), SCMP_SYS(link), SCMP_SYS(readlinkat),
	SCMP_SYS(readlink), SCMP_SYS(fchown), SCMP_SYS(fchownat),
	SCMP_SYS(lchown), SCMP_SYS(chown), SCMP_SYS(fchmod),
	SCMP_SYS(fchmodat), SCMP_SYS(chmod), SCMP_SYS(utimensat),
	SCMP_SYS(ftruncate), SCMP_SYS(umask), SCMP_SYS(chdir),
	SCMP_SYS(fchdir), SCMP_SYS(getcwd), SCMP_SYS(faccessat),
	SCMP_SYS(access), SCMP_SYS(pread64), SCMP_SYS(fstatfs),
	SCMP_SYS(statfs),
	/* fifos and whiteouts (0/0 character devices) only: see layer.c */
	SCMP_SYS(mknodat), SCMP_SYS(mknod),
	/* opaque dirs: user.overlay.opaque; save reads it back */
	SCMP_SYS(fsetxattr), SCMP_SYS(lgetxattr),
	-1	/* left out on purpose: socket, connect, execve, ptrace,
		 * mount, umount2, chroot, pivot_root, setns, unshare, clone,
		 * fork, kill, setxattr by path, ioctl, bpf, keyctl */
};

static const struct proc_privs unpack_privs = {
	.title = "unpacker",
	.user = NULL,	/* uid 0 of our own user namespace, no host id */
	.caps = (const int []){	/* all in our user namespace only */
		CAP_CHOWN,		/* a layer's owners, 0..65535 */
		CAP_DAC_OVERRIDE,	/* dirs a layer makes read-only */
		CAP_FOWNER,		/* modes and times on those */
		CAP_FSETID,		/* setuid bits, kept: see images.md */
		CAP_SYS_CHROOT,		/* the chroot, then dropped */
		-1
	},
	.nnp = 1,
	.syscalls = NULL,	/* after the chroot: see unpack_lock() */
	.landlock = 0,		/* the chroot into the idmapped staging mount
				 * is the whole filesystem view */
};

static int	 debug;

void
progress(const char *fmt, ...)
{
	va_list	ap;

	if (!debug)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/*
 * "L K N" on the report pipe before the report: layer K of N is next.
 * The parent strips these lines and passes them to the client.
 */
void
layer_progress(int k, int n)
{
	dprintf(1, "L %d %d\n", k, n);
}

/* Chroot into the staging mount, then keep only what unpacking takes. */
static void
unpack_lock(void)
{
	cap_t		cp;
	cap_value_t	keep[] = { CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER,
			    CAP_FSETID };

	if (fchdir(STAGE_FD) == -1 || chroot(".") == -1 || chdir("/") == -1)
		fatal("unpacker: chroot into the staging dir");
	close(STAGE_FD);
	if ((cp = cap_init()) == NULL ||
	    cap_set_flag(cp, CAP_EFFECTIVE, nitems(keep), keep, CAP_SET) ||
	    cap_set_flag(cp, CAP_PERMITTED, nitems(keep), keep, CAP_SET) ||
	    cap_set_proc(cp) == -1)
		fatal("unpacker: drop CAP_SYS_CHROOT");
	cap_free(cp);
	umask(022);
	if (sandbox_seccomp(unpack_syscalls, NULL, 0) == -1)
		fatalx("unpacker: seccomp");
}

static int64_t
num(const char *s)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		fatalx("unpacker: bad number %s", s);
	return v;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: celld-unpack [-d] [-m load|import] "
	    "[-a bytes] [-l bytes] [-e entries] [-n layers]\n"
	    "       celld-unpack [-d] -m save -r name:tag -L layers\n");
	exit(2);
}

/*
 * save: the image's config comes on fd 5 (spawn-helper wrote it from the
 * parent's record), the archive goes to fd 0, lower/N is each layer.
 */
static json_t *
unpack_save_main(const char *ref, int nlayers, char *err, size_t errlen)
{
	json_error_t	 je;
	json_t		*cfg;

	if (ref == NULL || nlayers < 1 || nlayers > UNPACK_MAXLAYERS ||
	    (cfg = json_loadfd(5, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		snprintf(err, errlen, "save: bad request");
		return NULL;
	}
	close(5);
	if (unpack_save(0, nlayers, ref, cfg, err, errlen) == -1) {
		json_decref(cfg);
		return NULL;
	}
	json_decref(cfg);
	return json_array();
}

int
main(int argc, char **argv)
{
	struct unpack_limits	 lim = { 8LL << 30, 8LL << 30, 1000000, 64 };
	const char		*mode = "load", *ref = NULL;
	int			 nsave = 0;
	char			 err[512] = "";
	json_t			*out, *imgs;
	int			 ch;

	while ((ch = getopt(argc, argv, "a:de:l:L:m:n:r:")) != -1) {
		switch (ch) {
		case 'L': nsave = (int)num(optarg); break;
		case 'r': ref = optarg; break;
		case 'a': lim.archive = num(optarg); break;
		case 'd': debug = 1; break;
		case 'e': lim.entries = num(optarg); break;
		case 'l': lim.layer = num(optarg); break;
		case 'm': mode = optarg; break;
		case 'n': lim.layers = num(optarg); break;
		default: usage();
		}
	}
	if (strcmp(mode, "load") != 0 && strcmp(mode, "import") != 0 &&
	    strcmp(mode, "save") != 0)
		usage();
	log_init(1, debug, unpack_privs.title);
	privsep_drop(&unpack_privs, NULL);
	unpack_lock();
	if (strcmp(mode, "save") == 0)
		imgs = unpack_save_main(ref, nsave, err, sizeof(err));
	else if (mkdir("layers", 0700) == -1)
		fatal("unpacker: layers");
	else
		imgs = strcmp(mode, "load") == 0 ? unpack_load(&lim, err,
		    sizeof(err)) : unpack_import(&lim, err, sizeof(err));
	out = imgs ? json_pack("{s:o}", "images", imgs) :
	    json_pack("{s:s}", "error", err[0] ? err : "unpack failed");
	if (out == NULL || json_dumpfd(out, 1, JSON_COMPACT) == -1)
		exit(1);
	return imgs ? 0 : 1;
}

#ifdef SBX_PROBE
/* tests/security/unpack_probe applies this very table and attacks it */
const struct proc_privs *unpack_table = &unpack_privs;

void
unpack_probe_lock(void)
{
	unpack_lock();
}
#endif
