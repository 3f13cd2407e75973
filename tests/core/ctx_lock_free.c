// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kernel calls do not take the context's lock, so that threads sharing a
 * context do not queue on it: not when a call works, not when it fails and
 * sets the thread's message, not when the message is read, and not with a log
 * callback at IOMMUFD_LOG_WARN. Only sending a message takes it. The library is
 * linked statically and its pthread_mutex_lock calls go through the counter
 * below (ld --wrap).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/ctx.h"

static pthread_mutex_t *watched;
static int taken;

int __real_pthread_mutex_lock(pthread_mutex_t *m);
int __wrap_pthread_mutex_lock(pthread_mutex_t *m);

int __wrap_pthread_mutex_lock(pthread_mutex_t *m)
{
	if (m == watched)
		taken++;
	return __real_pthread_mutex_lock(m);
}

static void count_lines(void *arg, int level, const char *msg)
{
	(*(int *)arg)++;
}

/* Calls that work and calls that fail, each failure's message read. */
static void some_calls(struct iommufd_ctx *ctx)
{
	static char buf[4096] __attribute__((aligned(4096)));
	uint64_t iova = 0;
	uint32_t ioas;

	assert_int_equal(iommufd_ioas_alloc(ctx, &ioas), 0);
	assert_int_equal(iommufd_ioas_map(ctx, ioas, buf, sizeof(buf), &iova, 0), 0);
	assert_int_equal(iommufd_ioas_unmap(ctx, ioas, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(iommufd_ioas_unmap(ctx, ioas, iova, sizeof(buf), NULL), -ENOENT);
	assert_non_null(strstr(iommufd_last_error(ctx), "IOAS_UNMAP"));
	assert_int_equal(iommufd_destroy(ctx, ioas), 0);
	assert_int_equal(iommufd_destroy(ctx, ioas), -ENOENT);
	assert_non_null(strstr(iommufd_last_error(ctx), "DESTROY"));
}

static void test_kernel_calls_take_no_context_lock(void **state)
{
	struct iommufd_sim *sim = NULL;
	struct iommufd_ctx *ctx = NULL;
	int lines = 0;

	assert_int_equal(iommufd_sim_new(NULL, &sim), 0);
	assert_int_equal(iommufd_sim_open(sim, &ctx), 0);
	watched = &ctx->lock;

	/* The first failure makes the thread's message: that does not need it either. */
	taken = 0;
	some_calls(ctx);
	some_calls(ctx);
	assert_int_equal(taken, 0);

	iommufd_set_log(ctx, count_lines, &lines);
	assert_int_equal(iommufd_set_log_level(ctx, IOMMUFD_LOG_WARN), 0);
	taken = 0;
	some_calls(ctx);
	assert_int_equal(taken, 0);
	assert_int_equal(lines, 0);

	/* Sending lines does take it (the callback is read under it): the counter counts. */
	assert_int_equal(iommufd_set_log_level(ctx, IOMMUFD_LOG_TRACE), 0);
	taken = 0;
	some_calls(ctx);
	assert_int_equal(lines, 6);
	assert_true(taken >= 6);

	watched = NULL;
	iommufd_close(ctx);
	iommufd_sim_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_calls_take_no_context_lock),
	};

	/* IOMMUFD_TRACE would send lines: this test is about calls that send none. */
	unsetenv("IOMMUFD_TRACE");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
