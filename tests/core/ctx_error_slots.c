// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The per-thread messages of iommufd_last_error() take memory for as long as
 * they can be read, no longer: thousands of short threads that each fail once
 * leave nothing behind, and a long-lived thread failing on one short-lived
 * context after another holds at most two messages. Counted with the core's
 * own counter (linked statically).
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

#include "core/last_error.h"

#define THREADS 4000
#define BATCH 8

struct failer {
	struct iommufd_ctx *ctx;
	uint32_t id;
	int bad;
};

/* Fails one call (/dev/null answers ENOTTY) and checks the message is its own. */
static void *fail_once(void *p)
{
	struct failer *f = p;
	char want[32];

	if (iommufd_destroy(f->ctx, f->id) != -ENOTTY)
		f->bad++;
	snprintf(want, sizeof(want), "id=%u", f->id);
	if (!strstr(iommufd_last_error(f->ctx), want))
		f->bad++;
	return NULL;
}

static void test_thread_churn_leaves_no_messages(void **state)
{
	struct failer f[BATCH];
	struct iommufd_ctx *ctx;
	pthread_t t[BATCH];
	int i, j;

	assert_int_equal(iommufd_open("/dev/null", &ctx), 0);
	assert_int_equal(iommufd_destroy(ctx, 7), -ENOTTY);
	assert_int_equal(iofd_err_slots_live(), 1);
	for (i = 0; i < THREADS; i += BATCH) {
		for (j = 0; j < BATCH; j++) {
			f[j] = (struct failer){ .ctx = ctx, .id = 1000 + i + j };
			assert_int_equal(pthread_create(&t[j], NULL, fail_once, &f[j]), 0);
		}
		for (j = 0; j < BATCH; j++) {
			assert_int_equal(pthread_join(t[j], NULL), 0);
			assert_int_equal(f[j].bad, 0);
		}
		/* Every thread that ended took its message along; this thread's is left. */
		assert_int_equal(iofd_err_slots_live(), 1);
	}
	assert_non_null(strstr(iommufd_last_error(ctx), "id=7"));
	iommufd_close(ctx);
	assert_int_equal(iofd_err_slots_live(), 0);
}

struct churner {
	pthread_barrier_t step;
	struct iommufd_ctx *ctx; /* set by the main thread before each round */
	int rounds;
	int bad;
	long max_live;
};

/* A long-lived thread failing once on each context the main thread makes and closes. */
static void *fail_on_each(void *p)
{
	struct churner *c = p;
	long live;
	int r;

	for (r = 0; r < c->rounds; r++) {
		pthread_barrier_wait(&c->step); /* the context is open */
		if (iommufd_destroy(c->ctx, 5) != -ENOTTY ||
		    !strstr(iommufd_last_error(c->ctx), "id=5"))
			c->bad++;
		live = iofd_err_slots_live();
		if (live > c->max_live)
			c->max_live = live;
		pthread_barrier_wait(&c->step); /* done with it */
	}
	return NULL;
}

static void test_context_churn_on_a_long_lived_thread(void **state)
{
	struct churner c = { .rounds = 1000 };
	struct iommufd_ctx *ctx;
	pthread_t t;
	int r;

	assert_int_equal(pthread_barrier_init(&c.step, NULL, 2), 0);
	assert_int_equal(pthread_create(&t, NULL, fail_on_each, &c), 0);
	for (r = 0; r < c.rounds; r++) {
		assert_int_equal(iommufd_open("/dev/null", &ctx), 0);
		/* This thread fails on it too, and closes it: its own message goes at once. */
		assert_int_equal(iommufd_destroy(ctx, 6), -ENOTTY);
		c.ctx = ctx;
		pthread_barrier_wait(&c.step);
		pthread_barrier_wait(&c.step);
		iommufd_close(ctx);
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	pthread_barrier_destroy(&c.step);
	assert_int_equal(c.bad, 0);
	/*
	 * The worker's message on a closed context goes when it makes its next one:
	 * so while it reads, its message and the main thread's are all there is.
	 */
	assert_true(c.max_live <= 2);
	assert_int_equal(iofd_err_slots_live(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thread_churn_leaves_no_messages),
		cmocka_unit_test(test_context_churn_on_a_long_lived_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
