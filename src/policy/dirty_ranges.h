/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A set of IOVA intervals: the dirty pages a container carries over from
 * domains destroyed or ranges unmapped while tracking. Intervals, not a
 * per-page array, because mappings can be many GiB.
 */
#ifndef IOFD_POLICY_DIRTY_RANGES_H
#define IOFD_POLICY_DIRTY_RANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iofd_range {
	uint64_t start;
	uint64_t last; /* inclusive: an interval may end at UINT64_MAX */
};

/* Sorted, disjoint and never touching: adjacent intervals are merged. */
struct iofd_ranges {
	struct iofd_range *v;
	size_t n;
	size_t cap;
};

void iofd_ranges_init(struct iofd_ranges *r);
void iofd_ranges_fini(struct iofd_ranges *r);
static inline bool iofd_ranges_empty(const struct iofd_ranges *r)
{
	return r->n == 0;
}
/* Make room for extra more intervals, so that the next adds/removes cannot fail. */
int iofd_ranges_reserve(struct iofd_ranges *r, size_t extra);
/* Add [start, last]. Grows the set by at most one interval. 0 or -ENOMEM (set unchanged). */
int iofd_ranges_add(struct iofd_ranges *r, uint64_t start, uint64_t last);
/* Remove [start, last]. Grows the set by at most one interval (a split). 0 or -ENOMEM. */
int iofd_ranges_remove(struct iofd_ranges *r, uint64_t start, uint64_t last);
/* dst becomes a copy of src (dst's old content is dropped). 0 or -ENOMEM (dst unchanged). */
int iofd_ranges_copy(struct iofd_ranges *dst, const struct iofd_ranges *src);
void iofd_ranges_swap(struct iofd_ranges *a, struct iofd_ranges *b);

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
