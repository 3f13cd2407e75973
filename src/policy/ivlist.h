/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A sorted list of disjoint IOVA intervals, kept in blocks of IOFD_IVBLOCK:
 * a container's mappings and its carried-over dirty set, which can hold
 * millions of intervals. Finding a place costs O(log n); inserting or
 * deleting there moves at most one block's entries, plus the n / IOFD_IVBLOCK
 * block pointers when a block splits or goes, never the whole list.
 */
#ifndef IOFD_POLICY_IVLIST_H
#define IOFD_POLICY_IVLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iofd_range {
	uint64_t start;
	uint64_t last; /* inclusive: an interval may end at UINT64_MAX */
};

/* 256 intervals: a block is one 4 KiB page and a header. */
#define IOFD_IVBLOCK 256

struct iofd_ivblock {
	unsigned n;                /* intervals used, never 0 while in a list */
	struct iofd_ivblock *next; /* in the list of spare blocks */
	struct iofd_range v[IOFD_IVBLOCK];
};

struct iofd_ivlist {
	struct iofd_ivblock **blk; /* in order; intervals ordered across blocks */
	size_t nblk, blk_cap;
	size_t n;                  /* intervals in all */
	struct iofd_ivblock *spare; /* blocks kept for inserts that must not fail */
	size_t nspare;
};

/* A place in the list: interval i of block b; b == nblk is the end. */
struct iofd_ivpos {
	size_t b;
	unsigned i;
};

void iofd_ivlist_init(struct iofd_ivlist *l);
void iofd_ivlist_fini(struct iofd_ivlist *l);
void iofd_ivlist_swap(struct iofd_ivlist *a, struct iofd_ivlist *b);

static inline size_t iofd_ivlist_count(const struct iofd_ivlist *l)
{
	return l->n;
}
static inline struct iofd_ivpos iofd_ivlist_begin(const struct iofd_ivlist *l)
{
	return (struct iofd_ivpos){ 0, 0 };
}
static inline struct iofd_ivpos iofd_ivlist_end(const struct iofd_ivlist *l)
{
	return (struct iofd_ivpos){ l->nblk, 0 };
}
static inline bool iofd_ivlist_is_end(const struct iofd_ivlist *l, struct iofd_ivpos p)
{
	return p.b >= l->nblk;
}
static inline bool iofd_ivpos_eq(struct iofd_ivpos a, struct iofd_ivpos b)
{
	return a.b == b.b && a.i == b.i;
}
/* The interval at p (not the end). */
static inline struct iofd_range *iofd_ivlist_at(const struct iofd_ivlist *l, struct iofd_ivpos p)
{
	return &l->blk[p.b]->v[p.i];
}
static inline struct iofd_ivpos iofd_ivlist_next(const struct iofd_ivlist *l, struct iofd_ivpos p)
{
	if (++p.i >= l->blk[p.b]->n) {
		p.b++;
		p.i = 0;
	}
	return p;
}
/* The place before p (p not the first). */
static inline struct iofd_ivpos iofd_ivlist_prev(const struct iofd_ivlist *l, struct iofd_ivpos p)
{
	if (p.i == 0) {
		p.b--;
		p.i = l->blk[p.b]->n;
	}
	p.i--;
	return p;
}

/* The first interval whose last >= x (the end if none). */
struct iofd_ivpos iofd_ivlist_lower(const struct iofd_ivlist *l, uint64_t x);
/*
 * The same, searched from a place seen before, hint: any place will do (it is
 * checked), and one whose interval ends before x makes it a step or two when
 * x is near (additions in IOVA order).
 */
struct iofd_ivpos iofd_ivlist_lower_hint(const struct iofd_ivlist *l, struct iofd_ivpos hint,
					 uint64_t x);
/* The first interval whose start > x (the end if none). */
struct iofd_ivpos iofd_ivlist_upper(const struct iofd_ivlist *l, uint64_t x);

int iofd_ivlist_reserve_more(struct iofd_ivlist *l, size_t k);
/* Room for k inserts, which then cannot fail. 0 or -ENOMEM. */
static inline int iofd_ivlist_reserve(struct iofd_ivlist *l, size_t k)
{
	if (l->nspare >= k && l->nblk + k <= l->blk_cap)
		return 0;
	return iofd_ivlist_reserve_more(l, k);
}
/*
 * Insert r before p; the caller keeps the order and disjointness. 0 or
 * -ENOMEM (nothing changed). Places taken before are invalid afterwards.
 */
int iofd_ivlist_insert(struct iofd_ivlist *l, struct iofd_ivpos p, struct iofd_range r);
/* Delete the intervals from `from` up to, not including, `to`. Places are invalid afterwards. */
void iofd_ivlist_delete(struct iofd_ivlist *l, struct iofd_ivpos from, struct iofd_ivpos to);
/* Bytes the list holds on the heap (blocks, spares, the block array). */
size_t iofd_ivlist_bytes(const struct iofd_ivlist *l);

#endif
