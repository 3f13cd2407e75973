// SPDX-License-Identifier: LGPL-2.1-or-later
/* Sorted disjoint intervals in blocks (see ivlist.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/ivlist.h"

/*
 * Neighbouring blocks that fit in three quarters of one are merged after a
 * delete, so that a list thinned out by deletes keeps its blocks over 3/8 full
 * on average (at most 43 bytes an interval), and a merged block still has
 * room for a quarter block of inserts before it splits again.
 */
#define MERGE_MAX (IOFD_IVBLOCK * 3 / 4)

void iofd_ivlist_init(struct iofd_ivlist *l)
{
	memset(l, 0, sizeof(*l));
}

void iofd_ivlist_fini(struct iofd_ivlist *l)
{
	struct iofd_ivblock *s, *next;
	size_t b;

	for (b = 0; b < l->nblk; b++)
		free(l->blk[b]);
	free(l->blk);
	for (s = l->spare; s; s = next) {
		next = s->next;
		free(s);
	}
	iofd_ivlist_init(l);
}

void iofd_ivlist_swap(struct iofd_ivlist *a, struct iofd_ivlist *b)
{
	struct iofd_ivlist t = *a;

	*a = *b;
	*b = t;
}

static uint64_t block_last(const struct iofd_ivblock *blk)
{
	return blk->v[blk->n - 1].last;
}

static uint64_t block_last_start(const struct iofd_ivblock *blk)
{
	return blk->v[blk->n - 1].start;
}

/* The first interval whose last >= x within block b, whose last interval qualifies. */
static struct iofd_ivpos lower_in_block(const struct iofd_ivlist *l, size_t b, uint64_t x)
{
	unsigned a = 0, z = l->blk[b]->n - 1;

	while (a < z) {
		unsigned mid = a + (z - a) / 2;

		if (l->blk[b]->v[mid].last >= x)
			z = mid;
		else
			a = mid + 1;
	}
	return (struct iofd_ivpos){ b, a };
}

/* The first interval whose last >= x, every interval in the blocks before b ending before x. */
static struct iofd_ivpos lower_from(const struct iofd_ivlist *l, size_t b, uint64_t x)
{
	size_t lo = b, hi = l->nblk, step = 1;

	if (lo >= hi)
		return iofd_ivlist_end(l);
	if (block_last(l->blk[lo]) < x) {
		/* Gallop: 1, 2, 4... blocks on, until one reaches x; then search between. */
		for (;;) {
			size_t probe = lo + step;

			if (probe >= hi)
				break;
			if (block_last(l->blk[probe]) >= x) {
				hi = probe + 1;
				break;
			}
			lo = probe;
			step *= 2;
		}
		lo++;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (block_last(l->blk[mid]) >= x)
				hi = mid;
			else
				lo = mid + 1;
		}
		if (lo == l->nblk)
			return iofd_ivlist_end(l);
	}
	return lower_in_block(l, lo, x);
}

struct iofd_ivpos iofd_ivlist_lower_hint(const struct iofd_ivlist *l, struct iofd_ivpos hint,
					 uint64_t x)
{
	const struct iofd_ivblock *blk;
	unsigned lo, hi, step = 1;

	/* Sorted: an interval ending before x means all before it do too. */
	if (hint.b >= l->nblk || hint.i >= l->blk[hint.b]->n || l->blk[hint.b]->v[hint.i].last >= x)
		return iofd_ivlist_lower(l, x);
	blk = l->blk[hint.b];
	if (blk->v[blk->n - 1].last < x)
		return lower_from(l, hint.b + 1, x);
	/* Gallop from the hint, then search between: the answer is in (lo, hi]. */
	lo = hint.i;
	hi = blk->n - 1;
	while (lo + step < hi && blk->v[lo + step].last < x) {
		lo += step;
		step *= 2;
	}
	if (lo + step < hi)
		hi = lo + step;
	lo++;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (blk->v[mid].last >= x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (struct iofd_ivpos){ hint.b, lo };
}

struct iofd_ivpos iofd_ivlist_lower(const struct iofd_ivlist *l, uint64_t x)
{
	size_t lo = 0, hi = l->nblk;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (block_last(l->blk[mid]) >= x)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == l->nblk)
		return iofd_ivlist_end(l);
	/* The block's last interval qualifies: the answer is in it. */
	return lower_in_block(l, lo, x);
}

struct iofd_ivpos iofd_ivlist_upper(const struct iofd_ivlist *l, uint64_t x)
{
	size_t lo = 0, hi = l->nblk;
	unsigned a, z;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (block_last_start(l->blk[mid]) > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == l->nblk)
		return iofd_ivlist_end(l);
	a = 0;
	z = l->blk[lo]->n - 1;
	while (a < z) {
		unsigned mid = a + (z - a) / 2;

		if (l->blk[lo]->v[mid].start > x)
			z = mid;
		else
			a = mid + 1;
	}
	return (struct iofd_ivpos){ lo, a };
}

static int grow_blk_array(struct iofd_ivlist *l, size_t extra)
{
	struct iofd_ivblock **v;
	size_t cap;

	if (l->nblk + extra <= l->blk_cap)
		return 0;
	cap = l->blk_cap ? l->blk_cap : 4;
	while (cap < l->nblk + extra)
		cap *= 2;
	v = realloc(l->blk, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->blk = v;
	l->blk_cap = cap;
	return 0;
}

static struct iofd_ivblock *get_block(struct iofd_ivlist *l)
{
	struct iofd_ivblock *blk = l->spare;

	if (blk) {
		l->spare = blk->next;
		l->nspare--;
	} else {
		blk = malloc(sizeof(*blk));
		if (!blk)
			return NULL;
	}
	blk->n = 0;
	blk->next = NULL;
	return blk;
}

/* One spare is kept for the next split; more are kept only by reserve(). */
static void put_block(struct iofd_ivlist *l, struct iofd_ivblock *blk)
{
	if (l->nspare) {
		free(blk);
		return;
	}
	blk->next = NULL;
	l->spare = blk;
	l->nspare = 1;
}

int iofd_ivlist_reserve_more(struct iofd_ivlist *l, size_t k)
{
	if (grow_blk_array(l, k))
		return -ENOMEM;
	while (l->nspare < k) {
		struct iofd_ivblock *blk = malloc(sizeof(*blk));

		if (!blk)
			return -ENOMEM;
		blk->n = 0;
		blk->next = l->spare;
		l->spare = blk;
		l->nspare++;
	}
	return 0;
}

/* Put blk into the block array at index at (room was made). */
static void link_block(struct iofd_ivlist *l, size_t at, struct iofd_ivblock *blk)
{
	if (at < l->nblk)
		memmove(&l->blk[at + 1], &l->blk[at], (l->nblk - at) * sizeof(l->blk[0]));
	l->blk[at] = blk;
	l->nblk++;
}

/* Drop blocks [from, to) from the block array (they were freed or kept). */
static void unlink_blocks(struct iofd_ivlist *l, size_t from, size_t to)
{
	if (to < l->nblk)
		memmove(&l->blk[from], &l->blk[to], (l->nblk - to) * sizeof(l->blk[0]));
	l->nblk -= to - from;
}

static void block_insert(struct iofd_ivblock *blk, unsigned i, struct iofd_range r)
{
	if (i < blk->n)
		memmove(&blk->v[i + 1], &blk->v[i], (blk->n - i) * sizeof(blk->v[0]));
	blk->v[i] = r;
	blk->n++;
}

int iofd_ivlist_insert(struct iofd_ivlist *l, struct iofd_ivpos p, struct iofd_range r)
{
	struct iofd_ivblock *blk, *nb;
	const unsigned half = IOFD_IVBLOCK / 2;

	if (!l->nblk) {
		if (grow_blk_array(l, 1))
			return -ENOMEM;
		nb = get_block(l);
		if (!nb)
			return -ENOMEM;
		nb->v[0] = r;
		nb->n = 1;
		link_block(l, 0, nb);
		l->n++;
		return 0;
	}
	if (iofd_ivlist_is_end(l, p))
		p = (struct iofd_ivpos){ l->nblk - 1, l->blk[l->nblk - 1]->n };
	blk = l->blk[p.b];
	if (blk->n < IOFD_IVBLOCK) {
		block_insert(blk, p.i, r);
		l->n++;
		return 0;
	}
	/* A full block: a neighbour with room takes it when it goes at that end. */
	if (p.i == 0 && p.b > 0 && l->blk[p.b - 1]->n < IOFD_IVBLOCK) {
		block_insert(l->blk[p.b - 1], l->blk[p.b - 1]->n, r);
		l->n++;
		return 0;
	}
	if (p.i == blk->n && p.b + 1 < l->nblk && l->blk[p.b + 1]->n < IOFD_IVBLOCK) {
		block_insert(l->blk[p.b + 1], 0, r);
		l->n++;
		return 0;
	}
	if (grow_blk_array(l, 1))
		return -ENOMEM;
	nb = get_block(l);
	if (!nb)
		return -ENOMEM;
	if (p.i == blk->n || p.i == 0) {
		/* At either end a block of its own: lists built in order fill their blocks. */
		nb->v[0] = r;
		nb->n = 1;
		link_block(l, p.i ? p.b + 1 : p.b, nb);
	} else {
		memcpy(nb->v, &blk->v[half], (IOFD_IVBLOCK - half) * sizeof(blk->v[0]));
		nb->n = IOFD_IVBLOCK - half;
		blk->n = half;
		link_block(l, p.b + 1, nb);
		if (p.i <= half)
			block_insert(blk, p.i, r);
		else
			block_insert(nb, p.i - half, r);
	}
	l->n++;
	return 0;
}

/* Merge block b+1 into block b when both fit in MERGE_MAX. */
static void try_merge(struct iofd_ivlist *l, size_t b)
{
	struct iofd_ivblock *x, *y;

	if (b + 1 >= l->nblk)
		return;
	x = l->blk[b];
	y = l->blk[b + 1];
	if (x->n + y->n > MERGE_MAX)
		return;
	memcpy(&x->v[x->n], y->v, y->n * sizeof(y->v[0]));
	x->n += y->n;
	put_block(l, y);
	unlink_blocks(l, b + 1, b + 2);
}

void iofd_ivlist_delete(struct iofd_ivlist *l, struct iofd_ivpos from, struct iofd_ivpos to)
{
	struct iofd_ivblock *first, *last;
	size_t b, drop_from, drop_to;

	if (iofd_ivpos_eq(from, to) || iofd_ivlist_is_end(l, from))
		return;
	first = l->blk[from.b];
	if (from.b == to.b) {
		unsigned cnt = to.i - from.i;

		if (to.i < first->n)
			memmove(&first->v[from.i], &first->v[to.i],
				(first->n - to.i) * sizeof(first->v[0]));
		first->n -= cnt;
		l->n -= cnt;
		if (!first->n) {
			put_block(l, first);
			unlink_blocks(l, from.b, from.b + 1);
			if (from.b)
				try_merge(l, from.b - 1);
			return;
		}
		try_merge(l, from.b);
		if (from.b)
			try_merge(l, from.b - 1);
		return;
	}

	/* The tail of the first block, whole blocks between, the head of the last. */
	l->n -= first->n - from.i;
	first->n = from.i;
	for (b = from.b + 1; b < to.b && b < l->nblk; b++) {
		l->n -= l->blk[b]->n;
		put_block(l, l->blk[b]);
	}
	last = to.b < l->nblk ? l->blk[to.b] : NULL;
	if (last && to.i) {
		memmove(last->v, &last->v[to.i], (last->n - to.i) * sizeof(last->v[0]));
		last->n -= to.i;
		l->n -= to.i;
	}
	drop_from = from.b + 1;
	if (!first->n) {
		put_block(l, first);
		drop_from = from.b;
	}
	drop_to = last ? to.b : l->nblk;
	if (last && !last->n) {
		put_block(l, last);
		drop_to = to.b + 1;
	}
	unlink_blocks(l, drop_from, drop_to);
	/* The blocks now on either side of the cut. */
	if (drop_from < l->nblk)
		try_merge(l, drop_from);
	if (drop_from)
		try_merge(l, drop_from - 1);
}

size_t iofd_ivlist_bytes(const struct iofd_ivlist *l)
{
	return (l->nblk + l->nspare) * sizeof(struct iofd_ivblock) +
	       l->blk_cap * sizeof(l->blk[0]);
}
