/*
 * bpf.c: a container's own seccomp program (seccomp=FILE), compiled by
 * the parent from the user's JSON and sent before CREATE or EXECIN.
 *
 * We check only its shape here: the kernel checks the program itself
 * when C loads it, and whatever it allows, this process's own filter
 * still underlies every container.  Whether it stacks on the default
 * profile or replaces it is the parent's policy decision; we check that
 * the message and the spec agree, and that a spec that announces a
 * program gets one: a lost message must not start a container without
 * the filter its user asked for.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>

#include "spawn.h"
#include "cell.h"

/* MSG_SPAWN_BPF: on failure, remember why; CREATE will refuse. */
void
spawn_bpf(struct imsgev *iev, struct imsg *imsg)
{
	static struct msg_spawn_bpf	 m;
	struct pending			*p;
	struct sock_filter		*f;

	(void)iev;
	if (imsg_get_data(imsg, &m, sizeof(m)) == -1 ||
	    !msg_id_ok(m.id, sizeof(m.id)) ||
	    (p = pending_get(m.id, 1)) == NULL) {
		log_warnx("bpf: bad request");
		return;
	}
	if (m.n < 1 || m.n > BPF_MAXINSNS || m.replace > 1) {
		snprintf(p->volerr, sizeof(p->volerr), "seccomp program: "
		    "bad length or flag");
		return;
	}
	if ((f = reallocarray(NULL, m.n, sizeof(*f))) == NULL) {
		snprintf(p->volerr, sizeof(p->volerr), "seccomp program: %s",
		    strerror(errno));
		return;
	}
	memcpy(f, m.insns, m.n * sizeof(*f));
	free(p->bpf);
	p->bpf = f;
	p->nbpf = m.n;
	p->bpf_replace = m.replace;
}

/*
 * Does what came match what the spec says?  SPEC_SECCOMP if and only if
 * a program came, and SPEC_SCREPLACE as its flag.  p may be NULL.
 */
int
bpf_check(const struct cell_spec *spec, const struct pending *p,
    const char **why)
{
	int	want = (spec->flags & SPEC_SECCOMP) != 0;
	int	have = p != NULL && p->bpf != NULL;

	if (want && !have)
		*why = "seccomp program missing";
	else if (!want && have)
		*why = "seccomp program not asked for";
	else if (have && p->bpf_replace != ((spec->flags & SPEC_SCREPLACE) !=
	    0))
		*why = "seccomp program: flags disagree";
	else
		return 0;
	errno = EINVAL;
	return -1;
}
