/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A set of IOVA intervals: the dirty pages a container carries over from
 * domains destroyed or ranges unmapped while tracking. Intervals, not a
 * per-page array, because mappings can be many GiB; kept in an ivlist, so
 * that adding or removing costs in proportion to what changes, not to the
 * size of the set.
 */
#ifndef IOFD_POLICY_DIRTY_RANGES_H
#define IOFD_POLICY_DIRTY_RANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/ivlist.h"

/* Sorted, disjoint and never touching: adjacent intervals are merged. */
struct iofd_ranges {
	struct iofd_ivlist l;
};

void iofd_ranges_init(struct iofd_ranges *r);
void iofd_ranges_fini(struct iofd_ranges *r);
static inline bool iofd_ranges_empty(const struct iofd_ranges *r)
{
	return iofd_ivlist_count(&r->l) == 0;
}
static inline size_t iofd_ranges_count(const struct iofd_ranges *r)
{
	return iofd_ivlist_count(&r->l);
}
/* Copy out up to max intervals, in order; returns how many the set holds. */
size_t iofd_ranges_get(const struct iofd_ranges *r, struct iofd_range *out, size_t max);
/* Make room so that the next `extra` adds or removes cannot fail. 0 or -ENOMEM. */
int iofd_ranges_reserve(struct iofd_ranges *r, size_t extra);
/* Add [start, last]. Grows the set by at most one interval. 0 or -ENOMEM (set unchanged). */
int iofd_ranges_add(struct iofd_ranges *r, uint64_t start, uint64_t last);
/* Remove [start, last]. Grows the set by at most one interval (a split). 0 or -ENOMEM. */
int iofd_ranges_remove(struct iofd_ranges *r, uint64_t start, uint64_t last);
void iofd_ranges_swap(struct iofd_ranges *a, struct iofd_ranges *b);
/* From the first interval's start to the last one's end; false for an empty set. */
bool iofd_ranges_span(const struct iofd_ranges *r, struct iofd_range *span);
/*
 * Add every interval of src to dst; src may be emptied. Cannot fail once
 * room for one change was reserved in dst: when memory runs short part-way,
 * dst gets the span of src as one interval instead (a superset: pages may be
 * reported dirty that were not, none is lost). 0, or 1 when it did so.
 */
int iofd_ranges_merge(struct iofd_ranges *dst, struct iofd_ranges *src);

/*
 * Add the pages whose bits are set in bitmap (bit i: page iova + i * page_size,
 * nbits bits). 0 or -ENOMEM; on -ENOMEM a part of the pages may have been added.
 */
int iofd_ranges_add_bitmap(struct iofd_ranges *r, uint64_t iova, uint64_t page_size,
			   const uint64_t *bitmap, uint64_t nbits);
/* Set bit i of bitmap for each page iova + i * page_size (nbits pages) touching the set. */
void iofd_ranges_mark_bitmap(const struct iofd_ranges *r, uint64_t iova, uint64_t page_size,
			     uint64_t *bitmap, uint64_t nbits);

#endif
