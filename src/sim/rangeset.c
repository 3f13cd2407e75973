// SPDX-License-Identifier: LGPL-2.1-or-later
/* Sorted runs of uint64_t values; see rangeset.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/rangeset.h"

int sim_rangeset_reserve(struct sim_rangeset *rs, size_t more)
{
	struct sim_range *base, *r;
	size_t total = rs->cap + rs->off, cap;

	if (rs->n + more <= rs->cap)
		return 0;
	base = rs->off ? rs->r - rs->off : rs->r;
	/* Room freed at the front is used when it is at least half: moves stay amortized. */
	if (rs->off && rs->off >= total / 2 && rs->n + more <= total) {
		memmove(base, rs->r, rs->n * sizeof(*rs->r));
		rs->r = base;
		rs->cap = total;
		rs->off = 0;
		return 0;
	}
	cap = total ? total * 2 : 8;
	while (cap < rs->n + more)
		cap *= 2;
	if (rs->off)
		memmove(base, rs->r, rs->n * sizeof(*rs->r));
	r = realloc(total ? base : NULL, cap * sizeof(*r));
	if (!r) {
		/* the runs moved to the front: keep the set as it is, just compacted */
		rs->r = base;
		rs->cap = total;
		rs->off = 0;
		return -ENOMEM;
	}
	rs->r = r;
	rs->cap = cap;
	rs->off = 0;
	return 0;
}

/* Drop runs [i, j): the shorter side moves (runs before i move up by j - i). */
static void drop_runs(struct sim_rangeset *rs, size_t i, size_t j)
{
	if (i < rs->n - j) {
		memmove(&rs->r[j - i], rs->r, i * sizeof(*rs->r));
		rs->r += j - i;
		rs->off += j - i;
		rs->cap -= j - i;
	} else {
		memmove(&rs->r[i], &rs->r[j], (rs->n - j) * sizeof(*rs->r));
	}
	rs->n -= j - i;
}

size_t sim_rangeset_lower(const struct sim_rangeset *rs, uint64_t x)
{
	size_t lo = 0, hi = rs->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rs->r[mid].last < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int sim_rangeset_add(struct sim_rangeset *rs, uint64_t first, uint64_t last)
{
	size_t i, j;

	if (sim_rangeset_reserve(rs, 1))
		return -ENOMEM;
	/* The first run that touches or follows [first, last]; adjacency merges too. */
	i = sim_rangeset_lower(rs, first ? first - 1 : 0);
	j = i;
	while (j < rs->n && (last == UINT64_MAX || rs->r[j].first <= last + 1)) {
		if (rs->r[j].first < first)
			first = rs->r[j].first;
		if (rs->r[j].last > last)
			last = rs->r[j].last;
		j++;
	}
	if (j == i) {
		memmove(&rs->r[i + 1], &rs->r[i], (rs->n - i) * sizeof(*rs->r));
		rs->n++;
	} else if (j > i + 1) {
		memmove(&rs->r[i + 1], &rs->r[j], (rs->n - j) * sizeof(*rs->r));
		rs->n -= j - i - 1;
	}
	rs->r[i].first = first;
	rs->r[i].last = last;
	return 0;
}

int sim_rangeset_remove(struct sim_rangeset *rs, uint64_t first, uint64_t last)
{
	size_t i = sim_rangeset_lower(rs, first), j;

	if (i == rs->n || rs->r[i].first > last)
		return 0;
	/* A run strictly containing [first, last] splits in two. */
	if (rs->r[i].first < first && rs->r[i].last > last) {
		if (sim_rangeset_reserve(rs, 1))
			return -ENOMEM;
		memmove(&rs->r[i + 1], &rs->r[i], (rs->n - i) * sizeof(*rs->r));
		rs->n++;
		rs->r[i].last = first - 1;
		rs->r[i + 1].first = last + 1;
		return 0;
	}
	if (rs->r[i].first < first) {
		rs->r[i].last = first - 1;
		i++;
	}
	j = i;
	while (j < rs->n && rs->r[j].last <= last)
		j++;
	if (j < rs->n && rs->r[j].first <= last)
		rs->r[j].first = last + 1;
	drop_runs(rs, i, j);
	return 0;
}

void sim_rangeset_clear(struct sim_rangeset *rs)
{
	if (rs->off)
		rs->r -= rs->off;
	rs->cap += rs->off;
	rs->off = 0;
	rs->n = 0;
}

void sim_rangeset_free(struct sim_rangeset *rs)
{
	if (rs->r)
		free(rs->off ? rs->r - rs->off : rs->r);
	rs->r = NULL;
	rs->n = rs->cap = rs->off = 0;
}
