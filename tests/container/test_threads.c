// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Thread-safety smoke test: devices hot-plugged and unplugged from several
 * threads while another thread harvests dirty pages and another maps and
 * unmaps; no call fails, no dirty page written while attached is lost, and
 * a device claimed by two containers at once ends up in exactly one.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "helpers.h"

#define ROUNDS 500
#define NWORDS (MEM_LEN / PAGE / 64)

struct shared {
	struct fx f;
	pthread_mutex_t lock;
	uint64_t reported[NWORDS]; /* everything any read returned */
	uint64_t written[NWORDS];  /* pages written through tracking domains */
	int workers_left;
	int errors;
};

struct worker_arg {
	struct shared *sh;
	const char *dev;
	bool churn;      /* attach and detach around every write */
	bool tracked;    /* its writes must come back from a read */
	uint64_t first;  /* its pages: first, first + 1, ... */
};

static void note_error(struct shared *sh, const char *what, int ret)
{
	pthread_mutex_lock(&sh->lock);
	if (!sh->errors++)
		print_error("%s: %d %s\n", what, ret, iommufd_last_error(sh->f.ctx));
	pthread_mutex_unlock(&sh->lock);
}

static void *worker(void *p)
{
	struct worker_arg *a = p;
	struct shared *sh = a->sh;
	struct iommufd_device *dev = fx_dev(&sh->f, a->dev);
	int r, ret;

	for (r = 0; r < ROUNDS; r++) {
		uint64_t page = a->first + r;

		if (a->churn) {
			ret = iommufd_container_attach(sh->f.c, dev);
			if (ret) {
				note_error(sh, "attach", ret);
				continue;
			}
		}
		ret = iommufd_sim_dma_write(sh->f.sim, a->dev, MEM_IOVA + page * PAGE, PAGE);
		if (ret)
			note_error(sh, "dma write", ret);
		if (a->tracked) {
			pthread_mutex_lock(&sh->lock);
			sh->written[page / 64] |= 1ULL << (page % 64);
			pthread_mutex_unlock(&sh->lock);
		}
		if (a->churn) {
			ret = iommufd_container_detach(sh->f.c, dev);
			if (ret)
				note_error(sh, "detach", ret);
		}
	}
	pthread_mutex_lock(&sh->lock);
	sh->workers_left--;
	pthread_mutex_unlock(&sh->lock);
	return NULL;
}

static void harvest(struct shared *sh)
{
	static uint64_t bm[NWORDS];
	size_t i;
	int ret;

	ret = fx_read(&sh->f, bm, 0);
	if (ret < 0) {
		note_error(sh, "read dirty", ret);
		return;
	}
	pthread_mutex_lock(&sh->lock);
	for (i = 0; i < NWORDS; i++)
		sh->reported[i] |= bm[i];
	pthread_mutex_unlock(&sh->lock);
}

static void *reader(void *p)
{
	struct shared *sh = p;
	int left;

	do {
		harvest(sh);
		pthread_mutex_lock(&sh->lock);
		left = sh->workers_left;
		pthread_mutex_unlock(&sh->lock);
	} while (left);
	return NULL;
}

/* Maps and unmaps a range of its own, beyond the window the workers use. */
static void *mapper(void *p)
{
	struct shared *sh = p;
	static char extra[64 * 4096] __attribute__((aligned(4096)));
	int r, ret;

	for (r = 0; r < ROUNDS; r++) {
		ret = iommufd_container_map(sh->f.c, extra, MEM_IOVA + MEM_LEN, sizeof(extra), false);
		if (ret) {
			note_error(sh, "map", ret);
			continue;
		}
		ret = iommufd_container_unmap(sh->f.c, MEM_IOVA + MEM_LEN, sizeof(extra));
		if (ret)
			note_error(sh, "unmap", ret);
	}
	return NULL;
}

/* Run the workers with a reader and a mapper; every call must succeed. */
static void run(struct shared *sh, struct worker_arg *args, int n)
{
	pthread_t wt[8], rt, mt;
	int w;

	sh->workers_left = n;
	for (w = 0; w < n; w++) {
		args[w].sh = sh;
		assert_int_equal(pthread_create(&wt[w], NULL, worker, &args[w]), 0);
	}
	assert_int_equal(pthread_create(&rt, NULL, reader, sh), 0);
	assert_int_equal(pthread_create(&mt, NULL, mapper, sh), 0);
	for (w = 0; w < n; w++)
		pthread_join(wt[w], NULL);
	pthread_join(rt, NULL);
	pthread_join(mt, NULL);
	harvest(sh);
	assert_int_equal(sh->errors, 0);
}

static void setup_shared(struct shared *sh)
{
	memset(sh, 0, sizeof(*sh));
	pthread_mutex_init(&sh->lock, NULL);
	fx_init(&sh->f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_map(&sh->f);
	fx_attach(&sh->f, DEV_M0);
}

/*
 * No domain is made while tracking here (a new one would count every mapped
 * page dirty and hide a loss): A1 joins and leaves dmar0's domain, B0 makes
 * and drops a plain one, A0 and S0 write all along.
 */
static void no_dirty_page_is_lost_under_concurrency(void **state)
{
	static struct shared sh;
	struct worker_arg args[] = {
		{ .dev = DEV_A0, .tracked = true, .first = 0 },
		{ .dev = DEV_S0, .tracked = true, .first = 500 },
		{ .dev = DEV_A1, .churn = true, .tracked = true, .first = 1000 },
		{ .dev = DEV_B0, .churn = true, .first = 1500 },
	};
	size_t i;

	setup_shared(&sh);
	fx_attach(&sh.f, DEV_A0);
	fx_attach(&sh.f, DEV_S0);
	assert_int_equal(iommufd_container_set_dirty_tracking(sh.f.c, true), 0);
	run(&sh, args, 4);
	for (i = 0; i < NWORDS; i++)
		if ((sh.written[i] & sh.reported[i]) != sh.written[i])
			fail_msg("pages lost in word %zu: %#llx", i,
				 (unsigned long long)(sh.written[i] & ~sh.reported[i]));
	assert_int_equal(iommufd_container_domains(sh.f.c, NULL, 0), 2);
	fx_fini(&sh.f);
	pthread_mutex_destroy(&sh.lock);
}

/* Every device comes and goes, tracking domains made and destroyed concurrently. */
static void hot_plug_of_tracking_domains_from_many_threads(void **state)
{
	static struct shared sh;
	struct worker_arg args[] = {
		{ .dev = DEV_A0, .churn = true, .tracked = true, .first = 0 },
		{ .dev = DEV_A1, .churn = true, .tracked = true, .first = 500 },
		{ .dev = DEV_S0, .churn = true, .tracked = true, .first = 1000 },
		{ .dev = DEV_B0, .churn = true, .first = 1500 },
	};
	size_t i;

	setup_shared(&sh);
	assert_int_equal(iommufd_container_set_dirty_tracking(sh.f.c, true), 0);
	run(&sh, args, 4);
	for (i = 0; i < NWORDS; i++)
		assert_int_equal(sh.written[i] & ~sh.reported[i], 0);
	/* every churning device left: only the mdev remains, on the IOAS */
	assert_int_equal(iommufd_container_domains(sh.f.c, NULL, 0), 0);
	fx_fini(&sh.f);
	pthread_mutex_destroy(&sh.lock);
}

struct claim {
	struct iommufd_container *c;
	struct iommufd_device *dev;
	pthread_barrier_t *start;
	int ret;
};

static void *claim(void *p)
{
	struct claim *cl = p;

	pthread_barrier_wait(cl->start);
	cl->ret = iommufd_container_attach(cl->c, cl->dev);
	return NULL;
}

static void two_containers_race_for_one_device(void **state)
{
	struct iommufd_container *other;
	pthread_barrier_t start;
	struct claim a, b;
	pthread_t ta, tb;
	struct fx f;
	int r;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	assert_int_equal(iommufd_container_new(f.ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING, &other), 0);
	for (r = 0; r < ROUNDS; r++) {
		pthread_barrier_init(&start, NULL, 2);
		a = (struct claim){ f.c, fx_dev(&f, DEV_A0), &start, 1 };
		b = (struct claim){ other, fx_dev(&f, DEV_A0), &start, 1 };
		pthread_create(&ta, NULL, claim, &a);
		pthread_create(&tb, NULL, claim, &b);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&start);
		/* exactly one wins; the other is told the device is busy */
		assert_true((a.ret == 0 && b.ret == -EBUSY) || (a.ret == -EBUSY && b.ret == 0));
		assert_int_equal(iommufd_container_domains(f.c, NULL, 0) +
					 iommufd_container_domains(other, NULL, 0),
				 1);
		assert_int_equal(iommufd_container_detach(a.ret ? other : f.c, fx_dev(&f, DEV_A0)), 0);
	}
	iommufd_container_free(other);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_dirty_page_is_lost_under_concurrency),
		cmocka_unit_test(hot_plug_of_tracking_domains_from_many_threads),
		cmocka_unit_test(two_containers_race_for_one_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
