// SPDX-License-Identifier: LGPL-2.1-or-later
/* IOVA ranges tagged with their owner: see struct sim_owned_ranges in sim_internal.h. */
#include <errno.h>
#include <stdlib.h>

#include "sim/sim_internal.h"

int sim_owned_ranges_add(struct sim_owned_ranges *l, uint64_t start, uint64_t last,
			 const void *owner)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct sim_owned_range *r = realloc(l->r, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		l->r = r;
		l->cap = cap;
	}
	l->r[l->n++] = (struct sim_owned_range){ .start = start, .last = last, .owner = owner };
	return 0;
}

void sim_owned_ranges_drop(struct sim_owned_ranges *l, const void *owner)
{
	size_t i = 0;

	while (i < l->n) {
		if (l->r[i].owner == owner)
			l->r[i] = l->r[--l->n];
		else
			i++;
	}
}

bool sim_owned_ranges_hit(const struct sim_owned_ranges *l, uint64_t start, uint64_t last)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->r[i].start <= last && l->r[i].last >= start)
			return true;
	return false;
}

void sim_owned_ranges_free(struct sim_owned_ranges *l)
{
	free(l->r);
	*l = (struct sim_owned_ranges){ 0 };
}
