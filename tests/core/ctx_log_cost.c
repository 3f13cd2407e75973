// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What logging costs where nobody takes the message: with a callback at
 * IOMMUFD_LOG_WARN, kernel calls that work format no trace line at all. The
 * library is linked statically so that its formatting can be counted: ld
 * --wrap sends its vsnprintf calls (plain or fortified) through the counters
 * below.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <iommufd/iommufd.h>

static int formatted;

int __real_vsnprintf(char *s, size_t n, const char *fmt, va_list ap);
int __wrap_vsnprintf(char *s, size_t n, const char *fmt, va_list ap);
int __real___vsnprintf_chk(char *s, size_t n, int flag, size_t slen, const char *fmt, va_list ap);
int __wrap___vsnprintf_chk(char *s, size_t n, int flag, size_t slen, const char *fmt, va_list ap);

int __wrap_vsnprintf(char *s, size_t n, const char *fmt, va_list ap)
{
	formatted++;
	return __real_vsnprintf(s, n, fmt, ap);
}

int __wrap___vsnprintf_chk(char *s, size_t n, int flag, size_t slen, const char *fmt, va_list ap)
{
	formatted++;
	return __real___vsnprintf_chk(s, n, flag, slen, fmt, ap);
}

static void count_lines(void *arg, int level, const char *msg)
{
	(*(int *)arg)++;
}

/* Kernel calls that all work: alloc, map, unmap, destroy. */
static void some_kernel_calls(struct iommufd_ctx *ctx)
{
	static char buf[4096] __attribute__((aligned(4096)));
	uint64_t iova = 0;
	uint32_t ioas;

	assert_int_equal(iommufd_ioas_alloc(ctx, &ioas), 0);
	assert_int_equal(iommufd_ioas_map(ctx, ioas, buf, sizeof(buf), &iova, 0), 0);
	assert_int_equal(iommufd_ioas_unmap(ctx, ioas, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(iommufd_destroy(ctx, ioas), 0);
}

static void test_callback_at_warn_formats_no_trace(void **state)
{
	struct iommufd_sim *sim = NULL;
	struct iommufd_ctx *ctx = NULL;
	int lines = 0;

	assert_int_equal(iommufd_sim_new(NULL, &sim), 0);
	assert_int_equal(iommufd_sim_open(sim, &ctx), 0);
	iommufd_set_log(ctx, count_lines, &lines);
	assert_int_equal(iommufd_set_log_level(ctx, IOMMUFD_LOG_WARN), 0);

	formatted = 0;
	some_kernel_calls(ctx);
	assert_int_equal(formatted, 0);
	assert_int_equal(lines, 0);

	/* The same calls traced: each line is formatted, so the counter sees them. */
	assert_int_equal(iommufd_set_log_level(ctx, IOMMUFD_LOG_TRACE), 0);
	some_kernel_calls(ctx);
	assert_int_equal(lines, 4);
	assert_true(formatted >= 4);

	iommufd_close(ctx);
	iommufd_sim_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_callback_at_warn_formats_no_trace),
	};

	/* IOMMUFD_TRACE would turn tracing on: this test is about its absence. */
	unsetenv("IOMMUFD_TRACE");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
