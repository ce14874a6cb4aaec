/*
 * cell.c: the parent's registry of containers: ids, names, owners and
 * the id range slot each running container holds.  Containers created
 * with --userns container:NAME share one slot; slots[] counts holders.
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
static uint32_t		*slots;		/* holders of each id range slot */
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
	if ((slots = calloc(nslots, sizeof(*slots))) == NULL)
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

/*
 * What keys c's id range: the id of the container whose range it shares
 * (--userns container:NAME, resolved at create), else its own id.
 */
const char *
cell_userns_key(const struct cell *c)
{
	return c->spec.userns[0] != '\0' ? c->spec.userns : c->id;
}

/* a slot held by another container of c's sharing group, or -1 */
static int32_t
cell_slot_shared(const struct cell *c)
{
	struct cell	*o;

	RB_FOREACH(o, cells, &cells)
		if (o != c && o->slot >= 0 && strcmp(cell_userns_key(o),
		    cell_userns_key(c)) == 0)
			return o->slot;
	return -1;
}

/*
 * Each container gets its own 65536 host ids while it runs, unless it
 * shares them: then the group's slot if one of it runs, else a free one.
 */
int
cell_slot_alloc(struct cell *c)
{
	uint32_t	i;
	int32_t		s;

	if (c->slot >= 0)
		return 0;
	if ((s = cell_slot_shared(c)) >= 0) {
		slots[s]++;
		c->slot = s;
		return 0;
	}
	for (i = 0; i < nslots; i++)
		if (slots[i] == 0) {
			slots[i] = 1;
			c->slot = i;
			return 0;
		}
	errno = ENOSPC;
	return -1;
}

/* The slot goes back when its last holder lets go. */
void
cell_slot_free(struct cell *c)
{
	if (c->slot >= 0 && (uint32_t)c->slot < nslots && slots[c->slot] > 0)
		slots[c->slot]--;
	c->slot = -1;
}

/*
 * Mark a slot taken by a container found running at startup: free, or
 * held by its own sharing group (never by a stranger's container).
 */
int
cell_slot_claim(struct cell *c, int32_t slot)
{
	if (slot < 0 || (uint32_t)slot >= nslots || (slots[slot] &&
	    cell_slot_shared(c) != slot))
		return -1;
	slots[slot]++;
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
