// SPDX-License-Identifier: LGPL-2.1-or-later
/* The carried-over dirty set: merging, splitting, bitmaps, and no failure where room was reserved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "policy/dirty_ranges.h"

static void assert_ranges(const struct iofd_ranges *r, const uint64_t *pairs, size_t n)
{
	size_t i;

	assert_int_equal(r->n, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(r->v[i].start, pairs[2 * i]);
		assert_int_equal(r->v[i].last, pairs[2 * i + 1]);
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
	size_t cap;

	iofd_ranges_init(&r);
	assert_int_equal(iofd_ranges_add(&r, 0x1000, 0x8fff), 0);
	assert_int_equal(iofd_ranges_reserve(&r, 2), 0);
	cap = r.cap;
	assert_true(cap >= r.n + 2);
	/* a split and a new interval fit in what was reserved */
	assert_int_equal(iofd_ranges_remove(&r, 0x3000, 0x3fff), 0);
	assert_int_equal(iofd_ranges_add(&r, 0x20000, 0x20fff), 0);
	assert_int_equal(r.cap, cap);
	assert_ranges(&r, (uint64_t[]){ 0x1000, 0x2fff, 0x4000, 0x8fff, 0x20000, 0x20fff }, 3);
	iofd_ranges_fini(&r);
}

static void copy_swap_intersects(void **state)
{
	struct iofd_ranges a, b;

	iofd_ranges_init(&a);
	iofd_ranges_init(&b);
	assert_int_equal(iofd_ranges_add(&a, 0x1000, 0x1fff), 0);
	assert_int_equal(iofd_ranges_copy(&b, &a), 0);
	assert_int_equal(iofd_ranges_add(&b, 0x5000, 0x5fff), 0);
	assert_int_equal(a.n, 1);
	assert_int_equal(b.n, 2);
	iofd_ranges_swap(&a, &b);
	assert_int_equal(a.n, 2);
	assert_int_equal(b.n, 1);
	assert_true(a.v[1].start == 0x5000 && a.v[1].last == 0x5fff);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_merges_overlapping_and_touching),
		cmocka_unit_test(remove_splits_and_trims),
		cmocka_unit_test(reserved_room_is_used_without_allocating),
		cmocka_unit_test(copy_swap_intersects),
		cmocka_unit_test(bitmap_round_trip),
		cmocka_unit_test(mark_bitmap_counts_partial_pages_and_clips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
