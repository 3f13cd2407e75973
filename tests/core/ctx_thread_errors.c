// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommufd_last_error() is per thread: two threads failing different calls on
 * one context at the same time each read their own message, and a third
 * thread that failed nothing reads "".
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <iommufd/iommufd.h>

#define ROUNDS 200

struct worker {
	struct iommufd_ctx *ctx;
	pthread_barrier_t *barrier;
	int which;
	int bad_rounds; /* rounds where the thread saw a message not its own */
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char want_id[32];
	const char *msg;
	uint64_t iova = 0;
	int i, ret;

	for (i = 0; i < ROUNDS; i++) {
		/* Each thread fails a different call with a different errno. */
		if (w->which == 0) {
			snprintf(want_id, sizeof(want_id), "id=%d", 1000 + i);
			ret = iommufd_destroy(w->ctx, 1000 + i);
			if (ret != -ENOTTY)
				w->bad_rounds++;
		} else {
			snprintf(want_id, sizeof(want_id), "ioas %d", 5000 + i);
			ret = iommufd_ioas_map(w->ctx, 5000 + i, &iova, 4096, &iova, 0x80000000u);
			if (ret != -EINVAL)
				w->bad_rounds++;
		}
		/* Both have failed before either reads. */
		pthread_barrier_wait(w->barrier);
		msg = iommufd_last_error(w->ctx);
		if (!strstr(msg, want_id) ||
		    !strstr(msg, strerror(w->which == 0 ? ENOTTY : EINVAL)) ||
		    !strstr(msg, w->which == 0 ? "DESTROY" : "map")) {
			fprintf(stderr, "thread %d round %d: \"%s\"\n", w->which, i, msg);
			w->bad_rounds++;
		}
		/* Both have read before either fails again. */
		pthread_barrier_wait(w->barrier);
	}
	return NULL;
}

static void test_last_error_per_thread(void **state)
{
	struct iommufd_ctx *ctx = NULL;
	pthread_barrier_t barrier;
	struct worker w[2];
	pthread_t t[2];
	int i;

	assert_int_equal(iommufd_open("/dev/null", &ctx), 0);
	assert_int_equal(pthread_barrier_init(&barrier, NULL, 2), 0);
	for (i = 0; i < 2; i++) {
		w[i] = (struct worker){ .ctx = ctx, .barrier = &barrier, .which = i };
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(w[0].bad_rounds, 0);
	assert_int_equal(w[1].bad_rounds, 0);
	/* This thread failed nothing: the workers' messages are not its own. */
	assert_string_equal(iommufd_last_error(ctx), "");
	pthread_barrier_destroy(&barrier);
	iommufd_close(ctx);
}

/* Per context too: a failure on one context leaves another's message alone. */
static void test_last_error_per_context(void **state)
{
	struct iommufd_ctx *a = NULL, *b = NULL;

	assert_int_equal(iommufd_open("/dev/null", &a), 0);
	assert_int_equal(iommufd_open("/dev/null", &b), 0);
	assert_int_equal(iommufd_destroy(a, 31), -ENOTTY);
	assert_string_equal(iommufd_last_error(b), "");
	assert_int_equal(iommufd_destroy(b, 32), -ENOTTY);
	assert_non_null(strstr(iommufd_last_error(a), "id=31"));
	assert_non_null(strstr(iommufd_last_error(b), "id=32"));
	iommufd_close(a);
	iommufd_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_last_error_per_thread),
		cmocka_unit_test(test_last_error_per_context),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
