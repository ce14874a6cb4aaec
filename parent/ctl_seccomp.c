/*
 * ctl_seccomp.c: --security-opt seccomp=FILE, from the client to C.
 *
 * cellctl reads FILE with its user's own permissions, copies it into a
 * memfd, seals it and sends it (MSG_CTL_SECCOMP) before CREATE.  We take
 * nothing but a sealed memfd: its contents can't change between our
 * checks and our read, and reading it can't block the parent, as a FIFO,
 * a socket or a file on FUSE could.  The fd is held for the connection's
 * next CREATE, which compiles the profile for the container's final
 * capabilities (seccomp_json.c).
 *
 * Policy: an admin, or a user who may run seccomp=unconfined, gets the
 * profile instead of the default one.  Anyone else gets it stacked on
 * top of the default: the kernel runs both filters and the stricter
 * answer wins, so a stacked profile can only take away.  That is safe by
 * construction, whatever the JSON says.
 *
 * The program (32 KiB at most) is kept next to config.json, as
 * seccomp.bpf, written atomically, and read at every start and exec: it
 * survives a celld restart, and costs no memory per container.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "parent.h"

#define SC_SEALS	(F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW)
#define SC_FILE		"seccomp.bpf"

/* A client's profile, held until its next CREATE. */
struct sc_hold {
	TAILQ_ENTRY(sc_hold)	 entry;
	uint32_t		 client;
	int			 fd;
};
static TAILQ_HEAD(, sc_hold)	sc_holds = TAILQ_HEAD_INITIALIZER(sc_holds);

static struct sc_hold *
sc_find(uint32_t client)
{
	struct sc_hold	*h;

	TAILQ_FOREACH(h, &sc_holds, entry)
		if (h->client == client)
			return h;
	return NULL;
}

/* The client has gone, or its CREATE took the profile. */
void
seccomp_forget(uint32_t client)
{
	struct sc_hold	*h;

	if ((h = sc_find(client)) == NULL)
		return;
	close(h->fd);
	TAILQ_REMOVE(&sc_holds, h, entry);
	free(h);
}

/* MSG_CTL_SECCOMP: checked, and held for the next CREATE. */
void
ctl_seccomp(struct client *cl, struct imsg *imsg)
{
	struct msg_seccomp	 ms;
	struct sc_hold		*h;
	struct stat		 st;
	int			 fd = imsg_get_fd(imsg), seals;

	if (imsg_get_data(imsg, &ms, sizeof(ms)) == -1) {
		close(fd);
		control_done(cl, EINVAL, 0, "seccomp: malformed request");
		return;
	}
	if ((seals = fcntl(fd, F_GET_SEALS)) == -1 ||
	    (seals & SC_SEALS) != SC_SEALS || fstat(fd, &st) == -1 ||
	    !S_ISREG(st.st_mode) || st.st_size != ms.size) {
		close(fd);
		control_done(cl, EINVAL, 0, "seccomp profile: not a sealed "
		    "memfd of the size given");
		return;
	}
	if (st.st_size > SECCOMP_JSONMAX || st.st_size == 0) {
		close(fd);
		control_done(cl, EFBIG, 0, st.st_size ? "seccomp profile: "
		    "larger than 1 MiB" : "seccomp profile: empty");
		return;
	}
	if ((h = sc_find(cl->id)) == NULL) {
		if ((h = calloc(1, sizeof(*h))) == NULL) {
			close(fd);
			control_done(cl, ENOMEM, 0, "seccomp");
			return;
		}
		h->client = cl->id;
		TAILQ_INSERT_TAIL(&sc_holds, h, entry);
	} else
		close(h->fd);
	h->fd = fd;
}

static int
sc_path(const struct cell *c, const char *name, char *path, size_t len)
{
	return snprintf(path, len, "%s/containers/%s/%s", env->conf.storage,
	    c->id, name) < (int)len ? 0 : -1;
}

/* seccomp.bpf: temp file, fsync, rename, in the container's dir. */
static int
sc_save(const struct cell *c, const struct seccomp_bpf *b)
{
	char	dir[PATH_MAX], tmp[PATH_MAX], path[PATH_MAX];
	size_t	len = b->n * sizeof(b->insns[0]);
	int	fd;

	snprintf(dir, sizeof(dir), "%s/containers/%s", env->conf.storage,
	    c->id);
	if ((mkdir(dir, 0711) == -1 && errno != EEXIST) ||
	    sc_path(c, "." SC_FILE ".tmp", tmp, sizeof(tmp)) == -1 ||
	    sc_path(c, SC_FILE, path, sizeof(path)) == -1)
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		return -1;
	if (write(fd, b->insns, len) != (ssize_t)len || fsync(fd) == -1) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The held profile's text, sealed: it is what we checked. */
static char *
sc_read(int fd, size_t *len)
{
	struct stat	 st;
	char		*buf;

	if (fstat(fd, &st) == -1)
		return NULL;
	if (st.st_size <= 0 || st.st_size > SECCOMP_JSONMAX) {
		errno = EFBIG;
		return NULL;
	}
	if ((buf = malloc(st.st_size)) == NULL)
		return NULL;
	if (pread(fd, buf, st.st_size, 0) != st.st_size) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	*len = st.st_size;
	return buf;
}

/*
 * At CREATE, once c's capabilities are final: compile the client's
 * profile, decide whether it replaces the default, and keep the program.
 * Returns -1 with a one-line reason in err.
 */
int
seccomp_create(struct client *cl, struct cell *c, char *err, size_t errlen)
{
	const struct conf_policy *p;
	struct sc_hold		*h = sc_find(cl->id);
	struct seccomp_bpf	*b;
	char			*buf, why[CELL_MSGLEN];
	size_t			 len;

	c->spec.flags &= ~SPEC_SCREPLACE;	/* ours to decide */
	if (!(c->spec.flags & SPEC_SECCOMP)) {
		seccomp_forget(cl->id);
		return 0;
	}
	if (h == NULL) {
		strlcpy(err, "create: the seccomp profile's fd is missing",
		    errlen);
		return -1;
	}
	if ((buf = sc_read(h->fd, &len)) == NULL) {
		snprintf(err, errlen, "seccomp profile: %s", strerror(errno));
		return -1;
	}
	seccomp_forget(cl->id);
	b = seccomp_json_compile(buf, len, c->spec.caps, why, sizeof(why));
	free(buf);
	if (b == NULL) {
		snprintf(err, errlen, "seccomp profile: %s", why);
		return -1;
	}
	p = client_policy(cl);
	if (cl->admin || (p != NULL && (p->allow & POL_ALLOW_UNCONFINED)))
		c->spec.flags |= SPEC_SCREPLACE;
	if (sc_save(c, b) == -1) {
		log_warn("%.12s: save seccomp program", c->id);
		snprintf(err, errlen, "create: save seccomp program: %s",
		    strerror(errno));
		free(b);
		return -1;
	}
	log_info("%.12s: seccomp profile of %u instructions, %s", c->id, b->n,
	    (c->spec.flags & SPEC_SCREPLACE) ? "instead of the default" :
	    "on top of the default");
	free(b);
	return 0;
}

/*
 * Before spawn-helper's CREATE or EXECIN (key: the container's id or the
 * exec's): the program, read back from the container's dir.
 */
int
seccomp_send(const struct cell *c, const char *key, uint32_t peer)
{
	static struct msg_spawn_bpf	 m;
	char				 path[PATH_MAX];
	struct stat			 st;
	int				 fd, r = -1;

	if (!(c->spec.flags & SPEC_SECCOMP))
		return 0;
	if (sc_path(c, SC_FILE, path, sizeof(path)) == -1 ||
	    (fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	memset(&m, 0, sizeof(m));
	if (fstat(fd, &st) == -1 || st.st_size <= 0 ||
	    st.st_size > (off_t)sizeof(m.insns) ||
	    st.st_size % sizeof(m.insns[0]) != 0 ||
	    read(fd, m.insns, st.st_size) != st.st_size) {
		errno = EIO;
		goto done;
	}
	strlcpy(m.id, key, sizeof(m.id));
	m.n = st.st_size / sizeof(m.insns[0]);
	m.replace = (c->spec.flags & SPEC_SCREPLACE) != 0;
	r = helpers_send(HELPER_SPAWN, MSG_SPAWN_BPF, peer, -1, &m,
	    sizeof(m));
done:
	close(fd);
	return r;
}

/* With the container's other files: see state_remove(). */
void
seccomp_remove(const struct cell *c)
{
	char	path[PATH_MAX];

	if (sc_path(c, SC_FILE, path, sizeof(path)) == 0 &&
	    unlink(path) == -1 && errno != ENOENT)
		log_warn("%s", path);
	if (sc_path(c, "." SC_FILE ".tmp", path, sizeof(path)) == 0)
		(void)unlink(path);
}
