// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Options of the calls that can grow (core/opts.h): an older caller's struct
 * is zero-extended, a newer caller's is taken while the members this library
 * does not know are zero (-E2BIG otherwise), a size below the first version
 * is refused (-EINVAL), and IOMMUFD_OPTS fills the size.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/opts.h"

/* Three versions of one options struct; this "library" knows v2. */
struct t_opts_v1 {
	size_t size;
	uint32_t a;
	uint32_t reserved;
};
struct t_opts_v2 {
	size_t size;
	uint32_t a;
	uint32_t reserved;
	uint64_t b;
};
struct t_opts_v3 {
	size_t size;
	uint32_t a;
	uint32_t reserved;
	uint64_t b;
	uint64_t c;
};
IOFD_OPTS_NO_PADDING(struct t_opts_v2, b);

#define V1_END iofd_offsetofend(struct t_opts_v1, reserved)

static struct iommufd_ctx *new_ctx(struct iommufd_sim **sim)
{
	struct iommufd_ctx *ctx;

	assert_int_equal(iommufd_sim_new(NULL, sim), 0);
	assert_int_equal(iommufd_sim_open(*sim, &ctx), 0);
	return ctx;
}

static int take(struct iommufd_ctx *ctx, const void *opts, struct t_opts_v2 *out)
{
	return iofd_opts_copy(ctx, "t_call", opts, sizeof(*out), V1_END, out);
}

static void test_null_is_defaults(void **state)
{
	struct iommufd_sim *sim;
	struct iommufd_ctx *ctx = new_ctx(&sim);
	struct t_opts_v2 out;

	memset(&out, 0xa5, sizeof(out));
	assert_int_equal(take(ctx, NULL, &out), 0);
	assert_int_equal(out.size, 0);
	assert_int_equal(out.a, 0);
	assert_int_equal(out.b, 0);
	iommufd_close(ctx);
	iommufd_sim_free(sim);
}

static void test_older_caller_zero_extended(void **state)
{
	struct iommufd_sim *sim;
	struct iommufd_ctx *ctx = new_ctx(&sim);
	IOMMUFD_OPTS(t_opts_v1, v1, .a = 7);
	struct t_opts_v2 out;

	assert_int_equal(v1.size, sizeof(struct t_opts_v1));
	memset(&out, 0xa5, sizeof(out));
	assert_int_equal(take(ctx, &v1, &out), 0);
	assert_int_equal(out.a, 7);
	assert_int_equal(out.b, 0);
	iommufd_close(ctx);
	iommufd_sim_free(sim);
}

static void test_same_version(void **state)
{
	struct iommufd_sim *sim;
	struct iommufd_ctx *ctx = new_ctx(&sim);
	IOMMUFD_OPTS(t_opts_v2, v2, .a = 1, .b = 1ull << 40);
	struct t_opts_v2 out;

	assert_int_equal(take(ctx, &v2, &out), 0);
	assert_int_equal(out.a, 1);
	assert_int_equal(out.b, 1ull << 40);
	iommufd_close(ctx);
	iommufd_sim_free(sim);
}

static void test_newer_caller(void **state)
{
	struct iommufd_sim *sim;
	struct iommufd_ctx *ctx = new_ctx(&sim);
	IOMMUFD_OPTS(t_opts_v3, v3, .a = 3, .b = 4);
	struct t_opts_v2 out;
	char at[16];

	/* members this library does not know, left 0: taken */
	assert_int_equal(take(ctx, &v3, &out), 0);
	assert_int_equal(out.a, 3);
	assert_int_equal(out.b, 4);
	/* one of them set: refused as the kernel refuses it */
	v3.c = 1;
	assert_int_equal(take(ctx, &v3, &out), -E2BIG);
	snprintf(at, sizeof(at), "byte %zu", offsetof(struct t_opts_v3, c));
	assert_non_null(strstr(iommufd_last_error(ctx), "t_call"));
	assert_non_null(strstr(iommufd_last_error(ctx), at));
	assert_non_null(strstr(iommufd_last_error(ctx), "Argument list too long"));
	v3.c = 1ull << 63;
	assert_int_equal(take(ctx, &v3, &out), -E2BIG);
	iommufd_close(ctx);
	iommufd_sim_free(sim);
}

static void test_sizes_refused(void **state)
{
	struct iommufd_sim *sim;
	struct iommufd_ctx *ctx = new_ctx(&sim);
	struct t_opts_v2 opts = { .size = 0 }, out;

	assert_int_equal(take(ctx, &opts, &out), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(ctx), "t_call: opts size 0"));
	/* the first version ends with reserved: a size cutting into it is too small */
	opts.size = V1_END - 1;
	assert_int_equal(take(ctx, &opts, &out), -EINVAL);
	opts.size = V1_END;
	assert_int_equal(take(ctx, &opts, &out), 0);
	/* a size beyond any struct is refused without reading past the caller's */
	opts.size = IOFD_OPTS_MAX_SIZE + 1;
	assert_int_equal(take(ctx, &opts, &out), -E2BIG);
	opts.size = SIZE_MAX;
	assert_int_equal(take(ctx, &opts, &out), -E2BIG);
	iommufd_close(ctx);
	iommufd_sim_free(sim);
}

/* An answer goes back as far as the caller's struct reaches, its size kept. */
static void test_write_back(void **state)
{
	struct t_opts_v2 answer = { .size = 999, .a = 7, .reserved = 0, .b = 8 };
	struct t_opts_v3 v3;
	struct t_opts_v1 v1;

	/* an older caller: what it has, nothing past it */
	struct {
		struct t_opts_v1 v1;
		uint64_t after;
	} older = { .v1 = { .size = sizeof(struct t_opts_v1) }, .after = 0x5a5a };

	iofd_opts_write_back(&older.v1, &answer, sizeof(answer));
	assert_int_equal(older.v1.size, sizeof(struct t_opts_v1));
	assert_int_equal(older.v1.a, 7);
	assert_int_equal(older.after, 0x5a5a);
	/* a newer caller: what the library knows, the rest as it was (0) */
	memset(&v3, 0, sizeof(v3));
	v3.size = sizeof(v3);
	iofd_opts_write_back(&v3, &answer, sizeof(answer));
	assert_int_equal(v3.size, sizeof(v3));
	assert_int_equal(v3.a, 7);
	assert_int_equal(v3.b, 8);
	assert_int_equal(v3.c, 0);
	/* a size ending before a member: that member is not written */
	memset(&v1, 0xff, sizeof(v1));
	v1.size = iofd_offsetofend(struct t_opts_v1, a);
	iofd_opts_write_back(&v1, &answer, sizeof(answer));
	assert_int_equal(v1.a, 7);
	assert_int_equal(v1.reserved, 0xffffffffu);
}

/* The public options struct: IOMMUFD_OPTS sets its size, and it has no padding to leave unset. */
static void test_public_opts(void **state)
{
	IOMMUFD_OPTS(iommufd_read_dirty_opts, opts, .flags = IOMMUFD_DIRTY_NO_CLEAR);

	assert_int_equal(opts.size, sizeof(struct iommufd_read_dirty_opts));
	assert_int_equal(opts.flags, IOMMUFD_DIRTY_NO_CLEAR);
	assert_int_equal(opts.reserved, 0);
	assert_int_equal(sizeof(opts), iofd_offsetofend(struct iommufd_read_dirty_opts, reserved));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_is_defaults),
		cmocka_unit_test(test_older_caller_zero_extended),
		cmocka_unit_test(test_same_version),
		cmocka_unit_test(test_newer_caller),
		cmocka_unit_test(test_sizes_refused),
		cmocka_unit_test(test_write_back),
		cmocka_unit_test(test_public_opts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
