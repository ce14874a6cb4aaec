/*
 * drop.c: apply a process's privilege table, then check from /proc that
 * the kernel agrees.  Any difference is fatal: we never run with more than
 * the table says.
 */
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <sched.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "privsep.h"

extern int	landlock_enforced;

uint64_t
privsep_capmask(const int *caps)
{
	uint64_t	m = 0;

	for (; caps != NULL && *caps != -1; caps++)
		m |= 1ULL << *caps;
	return m;
}

static void
drop_bounding(uint64_t keep)
{
	int	c;

	for (c = 0; c <= CAP_LAST_CAP && cap_valid(c); c++) {
		if ((keep & (1ULL << c)) ||
		    prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 1)
			continue;	/* dropping needs CAP_SETPCAP */
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == -1 && errno != EINVAL)
			fatal("drop bounding capability %d", c);
	}
}

static void
drop_caps(uint64_t keep)
{
	cap_t		cp;
	cap_value_t	v;
	int		c;

	if ((cp = cap_init()) == NULL)
		fatal("cap_init");
	for (c = 0; c <= CAP_LAST_CAP; c++) {
		if ((keep & (1ULL << c)) == 0)
			continue;
		v = c;
		if (cap_set_flag(cp, CAP_EFFECTIVE, 1, &v, CAP_SET) == -1 ||
		    cap_set_flag(cp, CAP_PERMITTED, 1, &v, CAP_SET) == -1)
			fatal("cap_set_flag");
	}
	if (cap_set_proc(cp) == -1)
		fatal("cap_set_proc");
	cap_free(cp);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1)
		fatal("clear ambient capabilities");
}

/* Become pw, keeping the capabilities in keep across the uid change. */
static void
drop_user(const struct passwd *pw, uint64_t keep)
{
	if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid)
		return;		/* the launcher already did it */
	if (setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1)
		fatal("%s: set groups", pw->pw_name);
	if (keep && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1)
		fatal("keepcaps");
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		fatal("%s: set uid", pw->pw_name);
	if (keep && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1)
		fatal("keepcaps");
}

static uint64_t
status_hex(const char *line, const char *key)
{
	size_t	n = strlen(key);

	if (strncmp(line, key, n) != 0)
		return UINT64_MAX;
	return strtoull(line + n, NULL, 16);
}

/* Re-read /proc/self/status: the kernel's word, not ours. */
static void
drop_verify(uid_t uid, uint64_t caps, int nnp)
{
	FILE		*f;
	char		 line[256];
	unsigned	 r, e, s, fs, seen = 0;
	uint64_t	 v;

	if ((f = fopen("/proc/self/status", "re")) == NULL)
		fatal("/proc/self/status");
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "Uid:\t%u\t%u\t%u\t%u", &r, &e, &s, &fs) == 4) {
			if (r != uid || e != uid || s != uid || fs != uid)
				fatalx("verify: uid is %u, want %u", r, uid);
			seen |= 1;
		} else if ((v = status_hex(line, "CapEff:")) != UINT64_MAX ||
		    (v = status_hex(line, "CapPrm:")) != UINT64_MAX ||
		    (v = status_hex(line, "CapBnd:")) != UINT64_MAX) {
			if (v != caps)
				fatalx("verify: %.6s is %016llx, want %016llx",
				    line, (unsigned long long)v,
				    (unsigned long long)caps);
			seen |= 2;
		} else if ((v = status_hex(line, "CapInh:")) != UINT64_MAX ||
		    (v = status_hex(line, "CapAmb:")) != UINT64_MAX) {
			if (v != 0)
				fatalx("verify: %.6s not empty", line);
		} else if (sscanf(line, "NoNewPrivs:\t%u", &r) == 1) {
			if ((int)r != nnp)
				fatalx("verify: no_new_privs is %u", r);
			seen |= 4;
		}
	}
	fclose(f);
	if (seen != 7)
		fatalx("verify: /proc/self/status is incomplete");
}

/*
 * The jail: a private mount namespace whose root is dir, by pivot_root,
 * with the old root detached.  Unlike chroot there is nothing above the
 * root to climb to, and no /proc to reach other processes' roots through.
 * Needs CAP_SYS_ADMIN, so only a process whose table holds it can have one.
 */
static void
drop_jail(const char *dir)
{
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
	    mount(dir, dir, NULL, MS_BIND | MS_REC, NULL) == -1 ||
	    chdir(dir) == -1 || syscall(SYS_pivot_root, ".", ".") == -1 ||
	    umount2(".", MNT_DETACH) == -1 || chdir("/") == -1)
		fatal("jail %s", dir);
}

/*
 * Reduce this process to its table.  Order matters: the bounding set
 * while we may still change it, then uid, then the capability sets, then
 * no_new_privs, the check, and last the sandbox.
 */
void
privsep_drop(const struct proc_privs *pp, const char *const *vars)
{
	struct passwd	*pw = NULL;
	uint64_t	 keep = privsep_capmask(pp->caps);
	uid_t		 uid = 0;

	if (pp->user != NULL && pp->preset) {
		if ((uid = getuid()) == 0)
			fatalx("%s: must not be uid 0", pp->user);
	} else if (pp->user != NULL) {
		if ((pw = getpwnam(pp->user)) == NULL)
			fatalx("%s: no such user", pp->user);
		if (pw->pw_uid == 0)
			fatalx("%s: must not be uid 0", pp->user);
		uid = pw->pw_uid;
	}
	drop_bounding(keep);
	if (pw != NULL)
		drop_user(pw, keep);
	drop_caps(keep);
	if (pp->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("no_new_privs");
	drop_verify(uid, keep, pp->nnp);
	if (pp->jail != NULL)
		drop_jail(pp->jail[0] == '$' && vars != NULL ?
		    vars[pp->jail[1] - '0'] : pp->jail);
	if (pp->landlock && sandbox_landlock(pp->paths, vars) == -1)
		fatal("%s: landlock", pp->title);
	if (pp->syscalls != NULL &&
	    sandbox_seccomp(pp->syscalls, pp->argrules, pp->kill) == -1)
		fatal("%s: seccomp", pp->title);
	if (pp->syscalls != NULL && prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2)
		fatalx("%s: seccomp filter not in force", pp->title);
	log_debug("dropped to uid %u caps %016llx", uid,
	    (unsigned long long)keep);
}

/* Describe this process for ping, from the kernel's own answers. */
void
privsep_procinfo(struct msg_procinfo *pi, const char *title)
{
	struct __user_cap_header_struct	 h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct	 d[2];
	int				 c;

	memset(pi, 0, sizeof(*pi));
	strlcpy(pi->title, title, sizeof(pi->title));
	pi->pid = getpid();
	pi->uid = geteuid();
	pi->gid = getegid();
	pi->nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	pi->seccomp = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
	pi->landlock = landlock_enforced;
	memset(d, 0, sizeof(d));
	if (capget(&h, d) == 0) {
		pi->cap_eff = d[0].effective | (uint64_t)d[1].effective << 32;
		pi->cap_prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
		pi->cap_inh = d[0].inheritable |
		    (uint64_t)d[1].inheritable << 32;
	}
	for (c = 0; c <= CAP_LAST_CAP; c++) {
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			pi->cap_bnd |= 1ULL << c;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) == 1)
			pi->cap_amb |= 1ULL << c;
	}
}
