/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A set of uint64_t values kept as sorted, disjoint, non-adjacent closed
 * runs [first, last]: the simulator's dirty pages, sparse over a 64-bit space.
 */
#ifndef IOFD_SIM_RANGESET_H
#define IOFD_SIM_RANGESET_H

#include <stddef.h>
#include <stdint.h>

struct sim_range {
	uint64_t first;
	uint64_t last;
};

/*
 * r[0 .. n) are the runs, with room for cap. They start `off` runs into the
 * allocation: removing runs at the front (reads and unmaps sweep upwards)
 * moves the start instead of the runs after them.
 */
struct sim_rangeset {
	struct sim_range *r;
	size_t n, cap;
	size_t off;
};

/* Make room for `more` extra runs so that a later add/remove cannot fail. 0 or -ENOMEM. */
int sim_rangeset_reserve(struct sim_rangeset *rs, size_t more);
/* Add [first, last], merging with neighbours. 0 or -ENOMEM. */
int sim_rangeset_add(struct sim_rangeset *rs, uint64_t first, uint64_t last);
/* Remove [first, last]; may split one run in two. 0 or -ENOMEM (then unchanged). */
int sim_rangeset_remove(struct sim_rangeset *rs, uint64_t first, uint64_t last);
/* Index of the first run whose last >= x (rs->n if none). */
size_t sim_rangeset_lower(const struct sim_rangeset *rs, uint64_t x);
void sim_rangeset_clear(struct sim_rangeset *rs);
void sim_rangeset_free(struct sim_rangeset *rs);

#endif
