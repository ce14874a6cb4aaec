/*
 * subid.c: slots of the subordinate id range (subid_read.c reads it).
 */
#include "privsep.h"

/* Is [base, base + CELL_IDS) one whole slot of the range? */
int
subid_slot_ok(uint32_t start, uint32_t count, uint32_t base)
{
	return base >= start && base - start < count &&
	    (base - start) % CELL_IDS == 0;
}

/*
 * The image slot: the range's last whole slot, for unpackers only.  The
 * parent never gives it to a container (parent/cell.c), and each helper
 * finds it here for itself.
 */
uint32_t
subid_image_base(uint32_t start, uint32_t count)
{
	return start + (count / CELL_IDS - 1) * CELL_IDS;
}
