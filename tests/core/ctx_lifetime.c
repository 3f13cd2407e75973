// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A context closed while its devices and containers live (docs/api.md, "Objects,
 * ownership and freeing"): iommufd_close() drops the program's reference only.
 * The devices and the container keep working, the kernel objects stay, and the
 * context with its file goes when the last of them is gone, whatever the order,
 * on one thread or on several at once. The log callback is not called after
 * iommufd_close().
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

#include <iommufd/iommufd.h>

/* Devices of the simulator's built-in host: two on a dirty-tracking VT-d unit, an mdev. */
static const char *const names[] = { "0000:00:02.0", "0000:00:03.0",
				     "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001" };
#define NDEV 3
#define IOVA 0x100000ULL
#define LEN (4 * 4096ULL)

static char mem[LEN] __attribute__((aligned(4096)));

struct live {
	struct iommufd_sim *sim;
	struct iommufd_ctx *ctx;
	struct iommufd_container *c;
	struct iommufd_device *dev[NDEV];
	pthread_barrier_t start;
};

static int rounds(int dflt)
{
	const char *v = getenv("IOMMUFD_TEST_ROUNDS");

	return v && atoi(v) > 0 ? atoi(v) : dflt;
}

/* A container tracking dirty pages, every device in it, memory mapped. */
static void make_live(struct live *l)
{
	int i;

	assert_int_equal(iommufd_sim_open(l->sim, &l->ctx), 0);
	assert_int_equal(iommufd_container_new(l->ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING, &l->c), 0);
	assert_int_equal(iommufd_container_map(l->c, mem, IOVA, LEN, false), 0);
	for (i = 0; i < NDEV; i++) {
		assert_int_equal(iommufd_device_open(l->ctx, names[i], &l->dev[i]), 0);
		assert_int_equal(iommufd_container_attach(l->c, l->dev[i]), 0);
	}
	assert_int_equal(iommufd_container_set_dirty_tracking(l->c, true), 0);
}

static void count_lines(void *arg, int level, const char *msg)
{
	(*(int *)arg)++;
}

/*
 * Close the context first, then use the container and close or free the rest in
 * the order given by 'order' (a permutation of 0..NDEV: NDEV is the container).
 */
static void close_context_first(const int *order)
{
	struct live l = { 0 };
	uint64_t bm[1] = { 0 };
	int lines = 0, i;

	assert_int_equal(iommufd_sim_new(NULL, &l.sim), 0);
	make_live(&l);
	iommufd_set_log(l.ctx, count_lines, &lines);
	assert_int_equal(iommufd_set_log_level(l.ctx, IOMMUFD_LOG_TRACE), 0);
	iommufd_close(l.ctx);

	/* The objects work on: the kernel (its file still open) has everything. */
	assert_int_equal(iommufd_sim_dma_write(l.sim, names[0], IOVA + 4096, 4096), 0);
	assert_int_equal(iommufd_container_read_dirty(l.c, IOVA, LEN, 4096, bm, 0), 1);
	assert_int_equal(bm[0], 2);
	assert_int_equal(iommufd_container_unmap(l.c, IOVA, LEN), 0);
	assert_int_not_equal(iommufd_device_pt_id(l.dev[0]), 0);
	assert_true(iommufd_sim_live_objects(l.sim) > 0);

	for (i = 0; i <= NDEV; i++) {
		if (order[i] == NDEV)
			iommufd_container_free(l.c);
		else
			iommufd_device_close(l.dev[order[i]]);
		/* Until the last one goes, the context's file holds what is left. */
		if (i < NDEV)
			assert_true(iommufd_sim_live_objects(l.sim) > 0);
	}
	assert_int_equal(iommufd_sim_live_objects(l.sim), 0);
	/* The program's callback was given back with its reference. */
	assert_int_equal(lines, 0);
	iommufd_sim_free(l.sim);
}

static void test_close_context_then_devices_then_container(void **state)
{
	static const int order[] = { 0, 1, 2, NDEV };

	close_context_first(order);
}

static void test_close_context_then_container_then_devices(void **state)
{
	static const int order[] = { NDEV, 2, 0, 1 };

	close_context_first(order);
}

static void test_close_context_between_devices(void **state)
{
	static const int order[] = { 1, NDEV, 2, 0 };

	close_context_first(order);
}

/* The simulator freed by its creator too: the context's reference keeps it. */
static void test_simulator_freed_before_the_objects(void **state)
{
	struct live l = { 0 };
	int i;

	assert_int_equal(iommufd_sim_new(NULL, &l.sim), 0);
	make_live(&l);
	iommufd_close(l.ctx);
	iommufd_sim_free(l.sim);
	assert_int_equal(iommufd_container_unmap(l.c, IOVA, LEN), 0);
	for (i = 0; i < NDEV; i++)
		iommufd_device_close(l.dev[i]);
	iommufd_container_free(l.c);
}

static void *close_ctx(void *p)
{
	struct live *l = p;

	pthread_barrier_wait(&l->start);
	iommufd_close(l->ctx);
	return NULL;
}

static void *free_container(void *p)
{
	struct live *l = p;

	pthread_barrier_wait(&l->start);
	iommufd_container_free(l->c);
	return NULL;
}

static void *close_devices(void *p)
{
	struct live *l = p;
	int i;

	pthread_barrier_wait(&l->start);
	for (i = 0; i < NDEV; i++)
		iommufd_device_close(l->dev[i]);
	return NULL;
}

/* The context closed, the container freed and the devices closed on three threads at once. */
static void test_close_context_while_objects_go_on_other_threads(void **state)
{
	void *(*fn[3])(void *) = { close_ctx, free_container, close_devices };
	int r, i, n = rounds(200);
	struct live l = { 0 };
	pthread_t t[3];

	assert_int_equal(iommufd_sim_new(NULL, &l.sim), 0);
	for (r = 0; r < n; r++) {
		make_live(&l);
		assert_int_equal(pthread_barrier_init(&l.start, NULL, 3), 0);
		for (i = 0; i < 3; i++)
			assert_int_equal(pthread_create(&t[i], NULL, fn[(i + r) % 3], &l), 0);
		for (i = 0; i < 3; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&l.start);
		if (iommufd_sim_live_objects(l.sim) != 0)
			fail_msg("round %d: %ld kernel objects left", r,
				 iommufd_sim_live_objects(l.sim));
	}
	iommufd_sim_free(l.sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_context_then_devices_then_container),
		cmocka_unit_test(test_close_context_then_container_then_devices),
		cmocka_unit_test(test_close_context_between_devices),
		cmocka_unit_test(test_simulator_freed_before_the_objects),
		cmocka_unit_test(test_close_context_while_objects_go_on_other_threads),
	};

	/* IOMMUFD_TEST_FILTER=close_* runs only the tests whose name matches. */
	if (getenv("IOMMUFD_TEST_FILTER"))
		cmocka_set_test_filter(getenv("IOMMUFD_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
