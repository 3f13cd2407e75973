// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The one grow-until-it-fits loop behind the iommufd_*_all calls (core/list_all.c),
 * driven by made-up lists: one that grows between two reads, one whose read fails
 * half-way, and elements laid out at sizes smaller and larger than the library's.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/list_all.h"
#include "core/opts.h"

/* An element as the library knows it; its first version ended at b. */
struct elem {
	uint32_t a;
	uint32_t b;
	uint64_t c;
};

struct fake_list {
	unsigned counts[8];	/* how many elements there are at each read */
	int fail_at;		/* the read (1-based) that fails with -EIO; 0: none */
	struct iommufd_ctx *ctx;
	unsigned reads;
	unsigned max_seen[8];
};

static int fill_fake(void *arg, void *buf, unsigned max)
{
	struct fake_list *l = arg;
	struct elem *e = buf;
	unsigned n, i;

	n = l->counts[l->reads < 8 ? l->reads : 7];
	l->max_seen[l->reads < 8 ? l->reads : 7] = max;
	if (++l->reads == (unsigned)l->fail_at)
		return iofd_set_error(l->ctx, -EIO, "fake read %u", l->reads);
	for (i = 0; i < n && i < max; i++) {
		e[i].a = i;
		e[i].b = 1000 + i;
		e[i].c = 0x1111111111111111ull * (i % 15 + 1);
	}
	return (int)n;
}

static const struct iofd_list_spec fake_spec = {
	.what = "fake list",
	.size = sizeof(struct elem),
	.min_size = iofd_offsetofend(struct elem, b),
	.fill = fill_fake,
};

static struct iommufd_ctx *null_ctx(void)
{
	struct iommufd_ctx *ctx = NULL;

	assert_int_equal(iommufd_open("/dev/null", &ctx), 0);
	return ctx;
}

static void assert_elems(const struct elem *e, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		assert_int_equal(e[i].a, i);
		assert_int_equal(e[i].b, 1000 + i);
		assert_int_equal(e[i].c, 0x1111111111111111ull * (i % 15 + 1));
	}
}

/* More elements than the first buffer holds, and more again at the second read. */
static void test_grows_between_reads(void **state)
{
	struct fake_list l = { .counts = { 10, 13, 13 } };
	void *out = (void *)0x1;

	l.ctx = null_ctx();
	assert_int_equal(iofd_list_all(l.ctx, &fake_spec, &l, sizeof(struct elem), &out), 13);
	assert_int_equal(l.reads, 3);
	/* Each read after the first is as large as the count of the one before. */
	assert_int_equal(l.max_seen[1], 10);
	assert_int_equal(l.max_seen[2], 13);
	assert_elems(out, 13);
	free(out);
	iommufd_close(l.ctx);
}

/* A list that fits the first buffer is read once; one that shrank meanwhile, twice. */
static void test_fits_or_shrinks(void **state)
{
	struct fake_list l = { .counts = { 3 } }, shrinks = { .counts = { 11, 6 } };
	void *out = NULL;

	l.ctx = null_ctx();
	assert_int_equal(iofd_list_all(l.ctx, &fake_spec, &l, sizeof(struct elem), &out), 3);
	assert_int_equal(l.reads, 1);
	assert_elems(out, 3);
	free(out);
	shrinks.ctx = l.ctx;
	assert_int_equal(iofd_list_all(l.ctx, &fake_spec, &shrinks, sizeof(struct elem), &out), 6);
	assert_int_equal(shrinks.reads, 2);
	assert_elems(out, 6);
	free(out);
	iommufd_close(l.ctx);
}

static void test_empty_list_is_null(void **state)
{
	struct fake_list l = { .counts = { 0 } };
	void *out = (void *)0x1;

	l.ctx = null_ctx();
	assert_int_equal(iofd_list_all(l.ctx, &fake_spec, &l, sizeof(struct elem), &out), 0);
	assert_null(out);
	iommufd_close(l.ctx);
}

/* The second read fails: nothing is returned, the read's message stays. */
static void test_failing_read(void **state)
{
	struct fake_list l = { .counts = { 20, 20 }, .fail_at = 2 };
	void *out = (void *)0x1;

	l.ctx = null_ctx();
	assert_int_equal(iofd_list_all(l.ctx, &fake_spec, &l, sizeof(struct elem), &out), -EIO);
	assert_null(out);
	assert_non_null(strstr(iommufd_last_error(l.ctx), "fake read 2"));
	iommufd_close(l.ctx);
}

/* A caller built with the first version gets elements of that size, with what it knows. */
static void test_smaller_caller_size(void **state)
{
	struct fake_list l = { .counts = { 12, 12 } };
	const size_t first = iofd_offsetofend(struct elem, b);
	uint32_t *out = NULL;
	unsigned i;

	l.ctx = null_ctx();
	assert_int_equal(iofd_list_all(l.ctx, &fake_spec, &l, first, (void **)&out), 12);
	for (i = 0; i < 12; i++) {
		assert_int_equal(out[i * 2], i);
		assert_int_equal(out[i * 2 + 1], 1000 + i);
	}
	free(out);
	iommufd_close(l.ctx);
}

/* A caller built with a later version gets its larger elements, the unknown part zero. */
static void test_larger_caller_size(void **state)
{
	struct later { struct elem e; uint64_t d[3]; } *out = NULL;
	struct fake_list l = { .counts = { 9, 9 } };
	unsigned i;

	l.ctx = null_ctx();
	assert_int_equal(iofd_list_all(l.ctx, &fake_spec, &l, sizeof(*out), (void **)&out), 9);
	for (i = 0; i < 9; i++) {
		assert_int_equal(out[i].e.a, i);
		assert_int_equal(out[i].e.c, 0x1111111111111111ull * (i % 15 + 1));
		assert_int_equal(out[i].d[0] | out[i].d[1] | out[i].d[2], 0);
	}
	free(out);
	iommufd_close(l.ctx);
}

static void test_too_small_caller_size(void **state)
{
	struct fake_list l = { .counts = { 2 } };
	void *out = (void *)0x1;

	l.ctx = null_ctx();
	assert_int_equal(iofd_list_all(l.ctx, &fake_spec, &l, sizeof(uint32_t), &out), -EINVAL);
	assert_null(out);
	assert_int_equal(l.reads, 0);
	assert_non_null(strstr(iommufd_last_error(l.ctx), "fake list: element size 4"));
	assert_int_equal(iofd_list_all(l.ctx, &fake_spec, &l, 0, &out), -EINVAL);
	iommufd_close(l.ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows_between_reads),
		cmocka_unit_test(test_fits_or_shrinks),
		cmocka_unit_test(test_empty_list_is_null),
		cmocka_unit_test(test_failing_read),
		cmocka_unit_test(test_smaller_caller_size),
		cmocka_unit_test(test_larger_caller_size),
		cmocka_unit_test(test_too_small_caller_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
