// SPDX-License-Identifier: LGPL-2.1-or-later
/* The carried-over dirty set: sorted disjoint IOVA intervals. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/dirty_ranges.h"

void iofd_ranges_init(struct iofd_ranges *r)
{
	r->v = NULL;
	r->n = 0;
	r->cap = 0;
}

void iofd_ranges_fini(struct iofd_ranges *r)
{
	free(r->v);
	iofd_ranges_init(r);
}

int iofd_ranges_reserve(struct iofd_ranges *r, size_t extra)
{
	struct iofd_range *v;
	size_t cap;

	if (r->n + extra <= r->cap)
		return 0;
	cap = r->cap ? r->cap : 8;
	while (cap < r->n + extra)
		cap *= 2;
	v = realloc(r->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->v = v;
	r->cap = cap;
	return 0;
}

/* First interval whose last is >= x (n if none). */
static size_t first_ending_at_or_after(const struct iofd_ranges *r, uint64_t x)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].last >= x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* First interval whose start is > x (n if none). */
static size_t first_starting_after(const struct iofd_ranges *r, uint64_t x)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].start > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Replace intervals [i, j) by the m intervals in repl. Room must exist. */
static void splice(struct iofd_ranges *r, size_t i, size_t j, const struct iofd_range *repl,
		   size_t m)
{
	memmove(&r->v[i + m], &r->v[j], (r->n - j) * sizeof(r->v[0]));
	memcpy(&r->v[i], repl, m * sizeof(r->v[0]));
	r->n = r->n - (j - i) + m;
}

int iofd_ranges_add(struct iofd_ranges *r, uint64_t start, uint64_t last)
{
	struct iofd_range merged = { start, last };
	size_t i, j;

	/* Intervals overlapping or touching [start, last] merge into one. */
	i = start ? first_ending_at_or_after(r, start - 1) : 0;
	j = last == UINT64_MAX ? r->n : first_starting_after(r, last + 1);
	if (i == j) {
		if (iofd_ranges_reserve(r, 1))
			return -ENOMEM;
	} else {
		if (r->v[i].start < merged.start)
			merged.start = r->v[i].start;
		if (r->v[j - 1].last > merged.last)
			merged.last = r->v[j - 1].last;
	}
	splice(r, i, j, &merged, 1);
	return 0;
}

int iofd_ranges_remove(struct iofd_ranges *r, uint64_t start, uint64_t last)
{
	struct iofd_range keep[2];
	size_t i, j, m = 0;

	i = first_ending_at_or_after(r, start);
	j = first_starting_after(r, last);
	if (i >= j)
		return 0;
	if (r->v[i].start < start)
		keep[m++] = (struct iofd_range){ r->v[i].start, start - 1 };
	if (r->v[j - 1].last > last)
		keep[m++] = (struct iofd_range){ last + 1, r->v[j - 1].last };
	if (m > j - i && iofd_ranges_reserve(r, m - (j - i)))
		return -ENOMEM;
	splice(r, i, j, keep, m);
	return 0;
}

int iofd_ranges_copy(struct iofd_ranges *dst, const struct iofd_ranges *src)
{
	struct iofd_range *v = NULL;

	if (src->n) {
		v = malloc(src->n * sizeof(*v));
		if (!v)
			return -ENOMEM;
		memcpy(v, src->v, src->n * sizeof(*v));
	}
	free(dst->v);
	dst->v = v;
	dst->n = src->n;
	dst->cap = src->n;
	return 0;
}

void iofd_ranges_swap(struct iofd_ranges *a, struct iofd_ranges *b)
{
	struct iofd_ranges t = *a;

	*a = *b;
	*b = t;
}

int iofd_ranges_add_bitmap(struct iofd_ranges *r, uint64_t iova, uint64_t page_size,
			   const uint64_t *bitmap, uint64_t nbits)
{
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
		ret = iofd_ranges_add(r, iova + run_start * page_size,
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
	uint64_t end_last = iova + nbits * page_size - 1;
	size_t i;

	if (!nbits)
		return;
	for (i = first_ending_at_or_after(r, iova); i < r->n && r->v[i].start <= end_last; i++) {
		uint64_t a = r->v[i].start > iova ? r->v[i].start : iova;
		uint64_t b = r->v[i].last < end_last ? r->v[i].last : end_last;

		set_bits(bitmap, (a - iova) / page_size, (b - iova) / page_size);
	}
}
