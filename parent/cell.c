/*
 * cell.c: the parent's registry of containers: ids, names, owners and
 * the id range slot each running container holds.
 */
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include "parent.h"

int
cell_cmp(struct cell *a, struct cell *b)
{
	return strcmp(a->id, b->id);
}

RB_GENERATE(cells, cell, entry, cell_cmp);

struct cells		 cells = RB_INITIALIZER(&cells);
static uint8_t		*slots;		/* one byte per id range slot */
static uint32_t		 nslots, id_start;

void
cell_init(void)
{
	uint32_t	count;

	if (subid_range(env->conf.subid_user[0] ? env->conf.subid_user :
	    env->conf.user, &id_start, &count) == -1)
		fatalx("no subordinate id range of %d ids for %s in "
		    "/etc/subuid and /etc/subgid", CELL_IDS, env->conf.user);
	/* the last slot is the unpackers' (subid_image_base()) */
	if ((nslots = count / CELL_IDS) < 2)
		fatalx("%s: one slot of %d ids for containers and one for "
		    "images: %u ids are too few", env->conf.user, CELL_IDS,
		    count);
	nslots--;
	if ((slots = calloc(nslots, 1)) == NULL)
		fatal("slots");
	log_debug("id range %u+%u: %u containers", id_start, count, nslots);
}

struct cell *
cell_new(uid_t owner)
{
	struct cell	*c;
	unsigned char	 rnd[CELL_IDLEN / 2];
	size_t		 i;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	do {
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
			free(c);
			return NULL;
		}
		for (i = 0; i < sizeof(rnd); i++)
			snprintf(c->id + 2 * i, 3, "%02x", rnd[i]);
	} while (cell_by_id(c->id) != NULL);
	c->owner = owner;
	c->slot = -1;
	for (i = 0; i < SPEC_MAXVOLS; i++)
		c->vols[i] = -1;
	c->created = time(NULL);
	TAILQ_INIT(&c->waiters);
	RB_INSERT(cells, &cells, c);
	return c;
}

struct cell *
cell_by_id(const char *id)
{
	struct cell	key;

	strlcpy(key.id, id, sizeof(key.id));
	return RB_FIND(cells, &cells, &key);
}

/*
 * Names are per owner: two users may both have a "web", so that a name
 * taken tells nobody what another user runs.  uid's own container of
 * that name, if any.
 */
struct cell *
cell_byname(const char *name, uid_t uid)
{
	struct cell	*c;

	RB_FOREACH(c, cells, &cells)
		if (c->owner == uid && strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/*
 * A name, or an unambiguous prefix of an id, among the containers uid
 * may see.  "Not found" and "not yours" are the same answer.  An admin
 * sees every user's names: their own first, then another's if only one
 * user has that name (errno EEXIST when it is ambiguous).
 */
struct cell *
cell_lookup(const char *name, uid_t uid, int admin)
{
	struct cell	*c, *found = NULL;
	size_t		 len = strlen(name);
	int		 many = 0;

	if (len == 0)
		return NULL;
	if ((c = cell_byname(name, uid)) != NULL)
		return c;
	RB_FOREACH(c, cells, &cells) {
		if (!admin || strcmp(c->name, name) != 0)
			continue;
		many += found != NULL;
		found = c;
	}
	if (found != NULL && !many)
		return found;
	if (many) {
		errno = EEXIST;
		return NULL;
	}
	RB_FOREACH(c, cells, &cells) {
		if (!admin && c->owner != uid)
			continue;
		if (strncmp(c->id, name, len) == 0) {
			if (found != NULL) {
				errno = EEXIST;	/* ambiguous */
				return NULL;
			}
			found = c;
		}
	}
	if (found == NULL)
		errno = ENOENT;
	return found;
}

void
cell_free(struct cell *c)
{
	struct waiter	*w;
	int		 i;

	monconn_close(c);
	cell_slot_free(c);
	for (i = 0; i < SPEC_MAXVOLS; i++)
		if (c->vols[i] != -1)
			close(c->vols[i]);
	if (c->stop_timer != NULL)
		event_free(c->stop_timer);
	while ((w = TAILQ_FIRST(&c->waiters)) != NULL) {
		TAILQ_REMOVE(&c->waiters, w, entry);
		free(w);
	}
	RB_REMOVE(cells, &cells, c);
	free(c);
}

/* Each container gets its own 65536 host ids while it runs. */
int
cell_slot_alloc(struct cell *c)
{
	uint32_t	i;

	if (c->slot >= 0)
		return 0;
	for (i = 0; i < nslots; i++)
		if (!slots[i]) {
			slots[i] = 1;
			c->slot = i;
			return 0;
		}
	errno = ENOSPC;
	return -1;
}

void
cell_slot_free(struct cell *c)
{
	if (c->slot >= 0 && (uint32_t)c->slot < nslots)
		slots[c->slot] = 0;
	c->slot = -1;
}

/* Mark a slot taken by a container found running at startup. */
int
cell_slot_claim(struct cell *c, int32_t slot)
{
	if (slot < 0 || (uint32_t)slot >= nslots || slots[slot])
		return -1;
	slots[slot] = 1;
	c->slot = slot;
	return 0;
}

uint32_t
cell_uid_base(const struct cell *c)
{
	return id_start + (uint32_t)c->slot * CELL_IDS;
}

const char *
cell_state_name(const struct cell *c)
{
	switch (c->state) {
	case CELL_CREATED:
		return "created";
	case CELL_STARTING:
		return "starting";
	case CELL_RUNNING:
		return "running";
	case CELL_EXITED:
		return "exited";
	case CELL_REMOVING:
		return "removing";
	}
	return "unknown";
}
