// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The carried-over dirty set: merging, splitting, bitmaps, and no failure where
 * room was reserved; and the block list under it, against a page-by-page model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/dirty_ranges.h"

#define PAGE_SZ 0x1000ULL

static void assert_ranges(const struct iofd_ranges *r, const uint64_t *pairs, size_t n)
{
	struct iofd_range v[8];
	size_t i;

	assert_true(n <= 8);
	assert_int_equal(iofd_ranges_get(r, v, 8), n);
	for (i = 0; i < n; i++) {
		assert_int_equal(v[i].start, pairs[2 * i]);
		assert_int_equal(v[i].last, pairs[2 * i + 1]);
	}
}

static void add_merges_overlapping_and_touching(void **state)
{
	struct iofd_ranges r;

	iofd_ranges_init(&r);
	assert_int_equal(iofd_ranges_add(&r, 0x3000, 0x3fff), 0);
	assert_int_equal(iofd_ranges_add(&r, 0x1000, 0x1fff), 0);
	assert_int_equal(iofd_ranges_add(&r, 0x6000, 0x6fff), 0);
	assert_ranges(&r, (uint64_t[]){ 0x1000, 0x1fff, 0x3000, 0x3fff, 0x6000, 0x6fff }, 3);
	/* touching on both sides: three become one */
	assert_int_equal(iofd_ranges_add(&r, 0x2000, 0x2fff), 0);
	assert_ranges(&r, (uint64_t[]){ 0x1000, 0x3fff, 0x6000, 0x6fff }, 2);
	/* overlapping everything */
	assert_int_equal(iofd_ranges_add(&r, 0x800, 0x7000), 0);
	assert_ranges(&r, (uint64_t[]){ 0x800, 0x7000 }, 1);
	/* the ends of the IOVA space */
	assert_int_equal(iofd_ranges_add(&r, 0, 0), 0);
	assert_int_equal(iofd_ranges_add(&r, UINT64_MAX - 0xfff, UINT64_MAX), 0);
	assert_ranges(&r, (uint64_t[]){ 0, 0, 0x800, 0x7000, UINT64_MAX - 0xfff, UINT64_MAX }, 3);
	assert_int_equal(iofd_ranges_add(&r, 1, 0x7ff), 0);
	assert_ranges(&r, (uint64_t[]){ 0, 0x7000, UINT64_MAX - 0xfff, UINT64_MAX }, 2);
	iofd_ranges_fini(&r);
}

static void remove_splits_and_trims(void **state)
{
	struct iofd_ranges r;

	iofd_ranges_init(&r);
	assert_int_equal(iofd_ranges_add(&r, 0x1000, 0x8fff), 0);
	assert_int_equal(iofd_ranges_add(&r, 0xa000, 0xafff), 0);
	assert_int_equal(iofd_ranges_remove(&r, 0x3000, 0x4fff), 0);
	assert_ranges(&r, (uint64_t[]){ 0x1000, 0x2fff, 0x5000, 0x8fff, 0xa000, 0xafff }, 3);
	/* trims the end of one, the start of the next, and drops the whole one between */
	assert_int_equal(iofd_ranges_remove(&r, 0x2000, 0xa7ff), 0);
	assert_ranges(&r, (uint64_t[]){ 0x1000, 0x1fff, 0xa800, 0xafff }, 2);
	/* nothing there: no change */
	assert_int_equal(iofd_ranges_remove(&r, 0x4000, 0x4fff), 0);
	assert_ranges(&r, (uint64_t[]){ 0x1000, 0x1fff, 0xa800, 0xafff }, 2);
	assert_int_equal(iofd_ranges_remove(&r, 0, UINT64_MAX), 0);
	assert_true(iofd_ranges_empty(&r));
	iofd_ranges_fini(&r);
}

static void reserved_room_is_used_without_allocating(void **state)
{
	struct iofd_ranges r;
	size_t bytes;
	uint64_t i;

	iofd_ranges_init(&r);
	assert_int_equal(iofd_ranges_add(&r, 0x1000, 0x8fff), 0);
	assert_int_equal(iofd_ranges_reserve(&r, 2), 0);
	bytes = iofd_ivlist_bytes(&r.l);
	/* a split and a new interval fit in what was reserved */
	assert_int_equal(iofd_ranges_remove(&r, 0x3000, 0x3fff), 0);
	assert_int_equal(iofd_ranges_add(&r, 0x20000, 0x20fff), 0);
	assert_int_equal(iofd_ivlist_bytes(&r.l), bytes);
	assert_ranges(&r, (uint64_t[]){ 0x1000, 0x2fff, 0x4000, 0x8fff, 0x20000, 0x20fff }, 3);
	iofd_ranges_fini(&r);

	/* a full block: the split needs a block, which reserve() set aside */
	iofd_ranges_init(&r);
	for (i = 0; i < IOFD_IVBLOCK; i++)
		assert_int_equal(iofd_ranges_add(&r, i * 0x10000, i * 0x10000 + 0xfff), 0);
	assert_int_equal(r.l.nblk, 1);
	assert_int_equal(iofd_ranges_reserve(&r, 2), 0);
	bytes = iofd_ivlist_bytes(&r.l);
	assert_int_equal(iofd_ranges_remove(&r, 0x80000 + 0x400, 0x80000 + 0x7ff), 0);
	assert_int_equal(iofd_ranges_add(&r, 0x100000 + 0x8000, 0x100000 + 0x8fff), 0);
	assert_int_equal(iofd_ivlist_bytes(&r.l), bytes);
	assert_int_equal(iofd_ranges_count(&r), IOFD_IVBLOCK + 2);
	iofd_ranges_fini(&r);
}

static void merge_and_swap(void **state)
{
	struct iofd_ranges a, b;

	iofd_ranges_init(&a);
	iofd_ranges_init(&b);
	assert_int_equal(iofd_ranges_add(&a, 0x1000, 0x1fff), 0);
	/* into an empty set: taken over whole */
	assert_int_equal(iofd_ranges_merge(&b, &a), 0);
	assert_ranges(&b, (uint64_t[]){ 0x1000, 0x1fff }, 1);
	assert_int_equal(iofd_ranges_add(&a, 0x5000, 0x5fff), 0);
	assert_int_equal(iofd_ranges_add(&a, 0x2000, 0x2fff), 0);
	/* into a set that has some: merged, touching intervals joined */
	assert_int_equal(iofd_ranges_reserve(&b, 1), 0);
	assert_int_equal(iofd_ranges_merge(&b, &a), 0);
	assert_ranges(&b, (uint64_t[]){ 0x1000, 0x2fff, 0x5000, 0x5fff }, 2);
	assert_int_equal(iofd_ranges_count(&a), 2);
	iofd_ranges_swap(&a, &b);
	assert_ranges(&a, (uint64_t[]){ 0x1000, 0x2fff, 0x5000, 0x5fff }, 2);
	assert_ranges(&b, (uint64_t[]){ 0x2000, 0x2fff, 0x5000, 0x5fff }, 2);
	iofd_ranges_fini(&a);
	iofd_ranges_fini(&b);
}

static void bitmap_round_trip(void **state)
{
	const uint64_t iova = 0x100000, ps = 4096, nbits = 200;
	uint64_t bm[4] = { 0 }, back[4] = { 0 };
	struct iofd_ranges r;
	unsigned i;

	/* runs crossing word boundaries, a lone bit, the first and the last bit */
	bm[0] = 1ULL | (0xfULL << 60);
	bm[1] = 0x3ULL | (1ULL << 20);
	bm[2] = ~0ULL;
	bm[3] = 0xffULL; /* bits 192..199: the end */
	iofd_ranges_init(&r);
	assert_int_equal(iofd_ranges_add_bitmap(&r, iova, ps, bm, nbits), 0);
	assert_ranges(&r,
		      (uint64_t[]){ iova, iova + ps - 1,
				    iova + 60 * ps, iova + 66 * ps - 1,
				    iova + 84 * ps, iova + 85 * ps - 1,
				    iova + 128 * ps, iova + 200 * ps - 1 },
		      4);
	iofd_ranges_mark_bitmap(&r, iova, ps, back, nbits);
	for (i = 0; i < 4; i++)
		assert_int_equal(back[i], bm[i]);
	iofd_ranges_fini(&r);
}

static void mark_bitmap_counts_partial_pages_and_clips(void **state)
{
	uint64_t bm[1] = { 0 };
	struct iofd_ranges r;

	iofd_ranges_init(&r);
	/* 4 KiB dirty inside the second 2 MiB page; a range before the window */
	assert_int_equal(iofd_ranges_add(&r, 0x200000 + 0x3000, 0x200000 + 0x3fff), 0);
	assert_int_equal(iofd_ranges_add(&r, 0, 0xfff), 0);
	iofd_ranges_mark_bitmap(&r, 0x200000, 0x200000, bm, 4);
	assert_int_equal(bm[0], 0x1);
	/* a range running past the window sets only the window's bits */
	assert_int_equal(iofd_ranges_add(&r, 0x600000, UINT64_MAX), 0);
	iofd_ranges_mark_bitmap(&r, 0x200000, 0x200000, bm, 4);
	assert_int_equal(bm[0], 0x1 | 0xc);
	iofd_ranges_fini(&r);
}

/* xorshift: a repeatable sequence */
static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

#define MODEL_PAGES 20000u

/* The set against a byte per page, and the block list's own rules. */
static void assert_matches(const struct iofd_ranges *r, const unsigned char *model)
{
	const struct iofd_ivlist *l = &r->l;
	unsigned char *seen = calloc(MODEL_PAGES, 1);
	uint64_t prev_last = 0;
	size_t b, k, total = 0;

	assert_non_null(seen);
	for (b = 0; b < l->nblk; b++) {
		assert_true(l->blk[b]->n > 0 && l->blk[b]->n <= IOFD_IVBLOCK);
		for (k = 0; k < l->blk[b]->n; k++) {
			const struct iofd_range *v = &l->blk[b]->v[k];
			uint64_t pg;

			assert_true(v->start <= v->last);
			/* sorted, disjoint, never touching */
			if (total)
				assert_true(v->start > prev_last + 1);
			prev_last = v->last;
			total++;
			assert_true(v->last / PAGE_SZ < MODEL_PAGES);
			for (pg = v->start / PAGE_SZ; pg <= v->last / PAGE_SZ; pg++)
				seen[pg] = 1;
		}
	}
	assert_int_equal(total, iofd_ranges_count(r));
	assert_memory_equal(seen, model, MODEL_PAGES);
	free(seen);
}

/*
 * Random adds, removes and merges over many blocks (splits, blocks emptied
 * and merged, deletes across blocks), checked against a page-by-page model.
 */
static void many_blocks_against_a_model(void **state)
{
	unsigned char *model = calloc(MODEL_PAGES, 1);
	struct iofd_ranges r, other;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	unsigned op, pg, len, i;

	assert_non_null(model);
	iofd_ranges_init(&r);
	iofd_ranges_init(&other);
	for (op = 0; op < 60000; op++) {
		unsigned kind = next_rand(&x) % 16;

		pg = next_rand(&x) % MODEL_PAGES;
		len = kind == 15 ? 1 + next_rand(&x) % 3000 : 1 + next_rand(&x) % 4;
		if (pg + len > MODEL_PAGES)
			len = MODEL_PAGES - pg;
		uint64_t a = pg * PAGE_SZ, z = (pg + len) * PAGE_SZ - 1;

		if (kind < 9) {
			assert_int_equal(iofd_ranges_add(&r, a, z), 0);
			memset(model + pg, 1, len);
		} else if (kind < 14 || kind == 15) {
			assert_int_equal(iofd_ranges_remove(&r, a, z), 0);
			memset(model + pg, 0, len);
		} else {
			/* a batch of pages merged in, as an unmap carries its harvest over */
			for (i = 0; i < 64 && pg + 2 * i < MODEL_PAGES; i++) {
				assert_int_equal(iofd_ranges_add(&other, (pg + 2 * i) * PAGE_SZ,
								 (pg + 2 * i + 1) * PAGE_SZ - 1),
						 0);
				model[pg + 2 * i] = 1;
			}
			assert_int_equal(iofd_ranges_reserve(&r, 1), 0);
			assert_int_equal(iofd_ranges_merge(&r, &other), 0);
			iofd_ranges_fini(&other);
		}
		if (op % 500 == 0)
			assert_matches(&r, model);
	}
	assert_true(r.l.nblk > 4);
	assert_matches(&r, model);
	assert_int_equal(iofd_ranges_remove(&r, 0, UINT64_MAX), 0);
	assert_true(iofd_ranges_empty(&r));
	assert_int_equal(r.l.nblk, 0);
	iofd_ranges_fini(&r);
	free(model);
}

/* The memory goal: at most 48 bytes an interval (a mapping) at a million of them. */
static void a_million_intervals_cost_at_most_48_bytes_each(void **state)
{
	const size_t n = 1000000;
	uint64_t x = 88172645463325252ULL;
	struct iofd_ivlist l;
	size_t i;

	/* in order, as a VMM maps its memory */
	iofd_ivlist_init(&l);
	for (i = 0; i < n; i++) {
		struct iofd_range v = { i * 0x2000, i * 0x2000 + 0xfff };

		assert_int_equal(iofd_ivlist_insert(&l, iofd_ivlist_end(&l), v), 0);
	}
	assert_true(iofd_ivlist_bytes(&l) <= 17 * n);
	/* every other one gone: blocks thinned out merge */
	for (i = 0; i < n; i += 2) {
		struct iofd_ivpos p = iofd_ivlist_lower(&l, i * 0x2000);

		iofd_ivlist_delete(&l, p, iofd_ivlist_next(&l, p));
	}
	assert_int_equal(iofd_ivlist_count(&l), n / 2);
	assert_true(iofd_ivlist_bytes(&l) <= 48 * (n / 2));
	iofd_ivlist_fini(&l);

	/* in random order: blocks split in halves */
	iofd_ivlist_init(&l);
	for (i = 0; i < n; i++) {
		uint64_t at = (next_rand(&x) % (64 * n)) * 0x2000;
		struct iofd_ivpos p = iofd_ivlist_lower(&l, at);
		struct iofd_range v = { at, at + 0xfff };

		if (!iofd_ivlist_is_end(&l, p) && iofd_ivlist_at(&l, p)->start == at)
			continue;
		assert_int_equal(iofd_ivlist_insert(&l, p, v), 0);
	}
	assert_true(iofd_ivlist_count(&l) > n * 99 / 100);
	assert_true(iofd_ivlist_bytes(&l) <= 48 * iofd_ivlist_count(&l));
	iofd_ivlist_fini(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_merges_overlapping_and_touching),
		cmocka_unit_test(remove_splits_and_trims),
		cmocka_unit_test(reserved_room_is_used_without_allocating),
		cmocka_unit_test(merge_and_swap),
		cmocka_unit_test(bitmap_round_trip),
		cmocka_unit_test(mark_bitmap_counts_partial_pages_and_clips),
		cmocka_unit_test(many_blocks_against_a_model),
		cmocka_unit_test(a_million_intervals_cost_at_most_48_bytes_each),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
