// SPDX-License-Identifier: LGPL-2.1-or-later
/* The carried-over dirty set: sorted disjoint IOVA intervals in an ivlist. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/dirty_ranges.h"

void iofd_ranges_init(struct iofd_ranges *r)
{
	iofd_ivlist_init(&r->l);
}

void iofd_ranges_fini(struct iofd_ranges *r)
{
	iofd_ivlist_fini(&r->l);
}

size_t iofd_ranges_get(const struct iofd_ranges *r, struct iofd_range *out, size_t max)
{
	struct iofd_ivpos p = iofd_ivlist_begin(&r->l);
	size_t k;

	for (k = 0; k < max && !iofd_ivlist_is_end(&r->l, p); k++) {
		out[k] = *iofd_ivlist_at(&r->l, p);
		p = iofd_ivlist_next(&r->l, p);
	}
	return iofd_ivlist_count(&r->l);
}

int iofd_ranges_reserve(struct iofd_ranges *r, size_t extra)
{
	return iofd_ivlist_reserve(&r->l, extra);
}

/*
 * Add [start, last], searching from *hint (any place: it is checked); *hint
 * becomes the place of this add, from which a later add further up searches.
 */
static int add_from(struct iofd_ranges *r, struct iofd_ivpos *hint, uint64_t start,
		    uint64_t last)
{
	const struct iofd_ivlist *l = &r->l;
	struct iofd_ivpos i, j;
	struct iofd_range *m;

	/* Reads and harvests add in IOVA order: at or past the end, no search. */
	if (l->n) {
		i = iofd_ivlist_prev(l, iofd_ivlist_end(l));
		m = iofd_ivlist_at(l, i);
		if (start > m->last && start - m->last > 1)
			return iofd_ivlist_insert(&r->l, iofd_ivlist_end(l),
						  (struct iofd_range){ start, last });
		if (start >= m->start) {
			if (last > m->last)
				m->last = last;
			return 0;
		}
	}
	/* Intervals overlapping or touching [start, last] merge into one: i and those after it. */
	i = start ? iofd_ivlist_lower_hint(l, *hint, start - 1) : iofd_ivlist_begin(l);
	*hint = i;
	for (j = i; !iofd_ivlist_is_end(l, j); j = iofd_ivlist_next(l, j))
		if (last != UINT64_MAX && iofd_ivlist_at(l, j)->start > last + 1)
			break;
	if (iofd_ivpos_eq(i, j))
		return iofd_ivlist_insert(&r->l, i, (struct iofd_range){ start, last });
	m = iofd_ivlist_at(l, i);
	if (m->start > start)
		m->start = start;
	if (iofd_ivlist_at(l, iofd_ivlist_prev(l, j))->last > last)
		last = iofd_ivlist_at(l, iofd_ivlist_prev(l, j))->last;
	m->last = last;
	iofd_ivlist_delete(&r->l, iofd_ivlist_next(l, i), j);
	return 0;
}

int iofd_ranges_add(struct iofd_ranges *r, uint64_t start, uint64_t last)
{
	struct iofd_ivpos nowhere = iofd_ivlist_end(&r->l);

	return add_from(r, &nowhere, start, last);
}

int iofd_ranges_remove(struct iofd_ranges *r, uint64_t start, uint64_t last)
{
	const struct iofd_ivlist *l = &r->l;
	struct iofd_ivpos i, j, k;
	struct iofd_range *a, *z;
	int ret;

	i = iofd_ivlist_lower(l, start);
	j = iofd_ivlist_upper(l, last);
	if (iofd_ivpos_eq(i, j))
		return 0;
	k = iofd_ivlist_prev(l, j);
	a = iofd_ivlist_at(l, i);
	z = iofd_ivlist_at(l, k);
	if (iofd_ivpos_eq(i, k) && a->start < start && a->last > last) {
		/* A hole in one interval: its tail goes in first, so failing changes nothing. */
		ret = iofd_ivlist_insert(&r->l, j, (struct iofd_range){ last + 1, a->last });
		if (ret)
			return ret;
		iofd_ivlist_at(l, iofd_ivlist_lower(l, start))->last = start - 1;
		return 0;
	}
	if (a->start < start) {
		a->last = start - 1;
		i = iofd_ivlist_next(l, i);
	}
	if (z->last > last) {
		z->start = last + 1;
		j = k;
	}
	iofd_ivlist_delete(&r->l, i, j);
	return 0;
}

void iofd_ranges_swap(struct iofd_ranges *a, struct iofd_ranges *b)
{
	iofd_ivlist_swap(&a->l, &b->l);
}

bool iofd_ranges_span(const struct iofd_ranges *r, struct iofd_range *span)
{
	const struct iofd_ivlist *l = &r->l;

	if (iofd_ranges_empty(r))
		return false;
	span->start = iofd_ivlist_at(l, iofd_ivlist_begin(l))->start;
	span->last = iofd_ivlist_at(l, iofd_ivlist_prev(l, iofd_ivlist_end(l)))->last;
	return true;
}

int iofd_ranges_merge(struct iofd_ranges *dst, struct iofd_ranges *src)
{
	const struct iofd_ivlist *l = &src->l;
	struct iofd_range span;
	struct iofd_ivpos p;

	if (iofd_ranges_empty(src))
		return 0;
	if (iofd_ranges_empty(dst)) {
		iofd_ranges_swap(dst, src);
		return 0;
	}
	for (p = iofd_ivlist_begin(l); !iofd_ivlist_is_end(l, p); p = iofd_ivlist_next(l, p)) {
		const struct iofd_range *v = iofd_ivlist_at(l, p);

		if (iofd_ranges_add(dst, v->start, v->last))
			goto coarse;
	}
	return 0;

coarse:
	/*
	 * The first add had the reserved room; once one went in, the span overlaps
	 * it and needs no room at all.
	 */
	iofd_ranges_span(src, &span);
	iofd_ranges_add(dst, span.start, span.last);
	return 1;
}

int iofd_ranges_add_bitmap(struct iofd_ranges *r, uint64_t iova, uint64_t page_size,
			   const uint64_t *bitmap, uint64_t nbits)
{
	struct iofd_ivpos hint = iofd_ivlist_end(&r->l);
	uint64_t bit = 0;
	int ret;

	while (bit < nbits) {
		uint64_t w = bitmap[bit / 64] >> (bit % 64);
		uint64_t run_start, run_end;

		/* Skip clear bits a word at a time. */
		if (!w) {
			bit = (bit / 64 + 1) * 64;
			continue;
		}
		run_start = bit + __builtin_ctzll(w);
		if (run_start >= nbits)
			break;
		/* The run ends at the first clear bit after run_start. */
		run_end = run_start;
		while (run_end < nbits) {
			uint64_t rest = ~bitmap[run_end / 64] >> (run_end % 64);

			if (rest) {
				run_end += __builtin_ctzll(rest);
				break;
			}
			run_end = (run_end / 64 + 1) * 64;
		}
		if (run_end > nbits)
			run_end = nbits;
		ret = add_from(r, &hint, iova + run_start * page_size,
			       iova + run_end * page_size - 1);
		if (ret)
			return ret;
		bit = run_end;
	}
	return 0;
}

static void set_bits(uint64_t *bitmap, uint64_t first, uint64_t last)
{
	uint64_t w0 = first / 64, w1 = last / 64, w;
	uint64_t head = ~0ULL << (first % 64);
	uint64_t tail = ~0ULL >> (63 - last % 64);

	if (w0 == w1) {
		bitmap[w0] |= head & tail;
		return;
	}
	bitmap[w0] |= head;
	for (w = w0 + 1; w < w1; w++)
		bitmap[w] = ~0ULL;
	bitmap[w1] |= tail;
}

void iofd_ranges_mark_bitmap(const struct iofd_ranges *r, uint64_t iova, uint64_t page_size,
			     uint64_t *bitmap, uint64_t nbits)
{
	const struct iofd_ivlist *l = &r->l;
	uint64_t end_last = iova + nbits * page_size - 1;
	struct iofd_ivpos p;

	if (!nbits)
		return;
	for (p = iofd_ivlist_lower(l, iova); !iofd_ivlist_is_end(l, p);
	     p = iofd_ivlist_next(l, p)) {
		const struct iofd_range *v = iofd_ivlist_at(l, p);
		uint64_t a = v->start > iova ? v->start : iova;
		uint64_t b = v->last < end_last ? v->last : end_last;

		if (v->start > end_last)
			break;
		set_bits(bitmap, (a - iova) / page_size, (b - iova) / page_size);
	}
}
