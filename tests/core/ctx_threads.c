// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Calls on one context from several threads at once (allowed: docs/api.md): each
 * thread maps and unmaps in its own and in a shared IOAS, fails a call on
 * purpose and reads its own message; in the end every object is gone.
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

#define THREADS 4
#define ROUNDS 300
#define PAGE 4096ull

static char buf[THREADS][PAGE] __attribute__((aligned(4096)));

struct worker {
	struct iommufd_ctx *ctx;
	uint32_t shared_ioas;
	int idx;
	int failures; /* anything that went other than expected */
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t mine_iova, shared_iova, unmapped;
	char want[32];
	uint32_t ioas;
	int i;

	if (iommufd_ioas_alloc(w->ctx, &ioas)) {
		w->failures++;
		return NULL;
	}
	for (i = 0; i < ROUNDS; i++) {
		/* A fixed IOVA of its own in the shared IOAS, a kernel-chosen one in its own. */
		shared_iova = (uint64_t)(w->idx + 1) << 30;
		if (iommufd_ioas_map(w->ctx, w->shared_ioas, buf[w->idx], PAGE, &shared_iova,
				     IOMMUFD_MAP_FIXED_IOVA) ||
		    iommufd_ioas_map(w->ctx, ioas, buf[w->idx], PAGE, &mine_iova, 0)) {
			w->failures++;
			continue;
		}
		if (iommufd_ioas_unmap(w->ctx, w->shared_ioas, shared_iova, PAGE, &unmapped) ||
		    unmapped != PAGE)
			w->failures++;
		if (iommufd_ioas_unmap(w->ctx, ioas, mine_iova, PAGE, &unmapped) || unmapped != PAGE)
			w->failures++;
		/* A failure of its own, with its own message. */
		if (iommufd_ioas_unmap(w->ctx, ioas, mine_iova, PAGE, NULL) != -ENOENT)
			w->failures++;
		snprintf(want, sizeof(want), "ioas=%u", ioas);
		if (!strstr(iommufd_last_error(w->ctx), want))
			w->failures++;
	}
	if (iommufd_destroy(w->ctx, ioas))
		w->failures++;
	return NULL;
}

static void test_concurrent_calls_on_one_context(void **state)
{
	struct iommufd_sim *sim = NULL;
	struct iommufd_ctx *ctx = NULL;
	struct worker w[THREADS];
	pthread_t t[THREADS];
	uint32_t shared;
	uint64_t unmapped = 1;
	long live;
	int i;

	assert_int_equal(iommufd_sim_new(NULL, &sim), 0);
	assert_int_equal(iommufd_sim_open(sim, &ctx), 0);
	assert_int_equal(iommufd_ioas_alloc(ctx, &shared), 0);
	live = iommufd_sim_live_objects(sim);
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .ctx = ctx, .shared_ioas = shared, .idx = i };
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}
	assert_int_equal(iommufd_sim_live_objects(sim), live);
	/* Every thread unmapped what it mapped in the shared IOAS. */
	assert_int_equal(iommufd_ioas_unmap(ctx, shared, 0, UINT64_MAX, &unmapped), 0);
	assert_int_equal(unmapped, 0);
	assert_int_equal(iommufd_destroy(ctx, shared), 0);
	iommufd_close(ctx);
	assert_int_equal(iommufd_sim_live_objects(sim), 0);
	iommufd_sim_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_calls_on_one_context),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
