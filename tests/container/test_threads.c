// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Thread safety of containers: devices hot-plugged and unplugged from several
 * threads while another thread harvests dirty pages and another maps and
 * unmaps; no call fails, no dirty page written while attached is lost, and
 * a device claimed by two containers at once ends up in exactly one. Then the
 * racy pairs one by one (the contract is in docs/api.md, "Threads"): devices
 * closed while another thread frees their container, one device leaving one
 * container while another claims it, dirty reads while another thread unmaps,
 * a direct attach and a container's attach of one device at once.
 * The pairs run fx_rounds() times: IOMMUFD_TEST_ROUNDS=3000 runs them longer.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
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

/* ---- the racy pairs ----------------------------------------------------- */

struct teardown {
	pthread_barrier_t start;
	struct iommufd_container *c;
	struct iommufd_device *dev[4];
	int ndev;
};

static void *free_container(void *p)
{
	struct teardown *t = p;

	pthread_barrier_wait(&t->start);
	iommufd_container_free(t->c);
	return NULL;
}

static void *close_devices(void *p)
{
	struct teardown *t = p;
	int i;

	pthread_barrier_wait(&t->start);
	for (i = 0; i < t->ndev; i++)
		iommufd_device_close(t->dev[i]);
	return NULL;
}

/*
 * The container's devices are closed on one thread while another frees the
 * container: whichever comes first, the other must not touch what it freed,
 * and in the end every kernel object is gone (devices unbound, domains and the
 * IOAS destroyed).
 */
static void close_devices_while_another_thread_frees_their_container(void **state)
{
	static const char *const names[] = { DEV_A0, DEV_A1, DEV_S0, DEV_M0 };
	struct iommufd_sim *sim = NULL;
	struct iommufd_ctx *ctx = NULL;
	int r, i, n = fx_rounds(300);
	static char mem[16 * 4096] __attribute__((aligned(4096)));
	struct teardown t;
	pthread_t tf, tc;
	long base;

	assert_int_equal(iommufd_sim_new(topology_json, &sim), 0);
	assert_int_equal(iommufd_sim_open(sim, &ctx), 0);
	base = iommufd_sim_live_objects(sim);
	for (r = 0; r < n; r++) {
		memset(&t, 0, sizeof(t));
		assert_int_equal(iommufd_container_new(ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING, &t.c),
				 0);
		assert_int_equal(iommufd_container_map(t.c, mem, MEM_IOVA, sizeof(mem), false), 0);
		/* Fewer devices some rounds: the free is reached at different points of the closes. */
		t.ndev = 1 + r % 4;
		for (i = 0; i < t.ndev; i++) {
			assert_int_equal(iommufd_device_open(ctx, names[i], &t.dev[i]), 0);
			assert_int_equal(iommufd_container_attach(t.c, t.dev[i]), 0);
		}
		if (r % 3 == 0)
			assert_int_equal(iommufd_container_set_dirty_tracking(t.c, true), 0);
		assert_int_equal(pthread_barrier_init(&t.start, NULL, 2), 0);
		assert_int_equal(pthread_create(&tf, NULL, free_container, &t), 0);
		assert_int_equal(pthread_create(&tc, NULL, close_devices, &t), 0);
		pthread_join(tf, NULL);
		pthread_join(tc, NULL);
		pthread_barrier_destroy(&t.start);
		if (iommufd_sim_live_objects(sim) != base)
			fail_msg("round %d: %ld kernel objects left", r,
				 iommufd_sim_live_objects(sim) - base);
	}
	iommufd_close(ctx);
	assert_int_equal(iommufd_sim_live_objects(sim), 0);
	iommufd_sim_free(sim);
}

struct move {
	pthread_barrier_t start;
	struct iommufd_container *from, *to;
	struct iommufd_device *dev;
	int detach_ret, attach_ret;
};

static void *leave(void *p)
{
	struct move *m = p;

	pthread_barrier_wait(&m->start);
	m->detach_ret = iommufd_container_detach(m->from, m->dev);
	return NULL;
}

static void *join(void *p)
{
	struct move *m = p;

	pthread_barrier_wait(&m->start);
	m->attach_ret = iommufd_container_attach(m->to, m->dev);
	return NULL;
}

/*
 * One device leaves one container while another thread attaches it to a
 * second: the detach works, and the attach either finds the device still taken
 * (-EBUSY, nothing changed) or gets it whole, with a domain of its own.
 */
static void one_device_detached_from_one_container_and_attached_to_another(void **state)
{
	struct iommufd_container *c[2];
	int r, busy = 0, n = fx_rounds(300);
	struct iommufd_device *dev;
	pthread_t tl, tj;
	struct move m;
	struct fx f;

	fx_init(&f, -1);
	dev = fx_dev(&f, DEV_A0);
	for (r = 0; r < 2; r++)
		assert_int_equal(iommufd_container_new(f.ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING,
						       &c[r]),
				 0);
	assert_int_equal(iommufd_container_attach(c[0], dev), 0);
	for (r = 0; r < n; r++) {
		m = (struct move){ .from = c[r % 2], .to = c[(r + 1) % 2], .dev = dev };
		assert_int_equal(pthread_barrier_init(&m.start, NULL, 2), 0);
		assert_int_equal(pthread_create(&tl, NULL, leave, &m), 0);
		assert_int_equal(pthread_create(&tj, NULL, join, &m), 0);
		pthread_join(tl, NULL);
		pthread_join(tj, NULL);
		pthread_barrier_destroy(&m.start);
		assert_int_equal(m.detach_ret, 0);
		if (m.attach_ret == -EBUSY) {
			busy++;
			assert_int_equal(iommufd_container_domains(m.to, NULL, 0), 0);
			assert_int_equal(iommufd_device_pt_id(dev), 0);
			assert_int_equal(iommufd_container_attach(m.to, dev), 0);
		} else {
			assert_int_equal(m.attach_ret, 0);
		}
		/* The device is in the second container alone, on a domain of its own. */
		assert_int_equal(iommufd_container_domains(m.from, NULL, 0), 0);
		assert_int_equal(iommufd_container_domains(m.to, NULL, 0), 1);
		assert_int_equal(iommufd_container_device_covered(m.from, dev, NULL, 0), -EINVAL);
		assert_int_equal(iommufd_container_device_covered(m.to, dev, NULL, 0), 1);
		assert_int_not_equal(iommufd_device_pt_id(dev), 0);
		assert_int_equal(iommufd_sim_live_objects(f.sim), f.base_objects + 3);
	}
	print_message("%d of %d attaches found the device still in the other container\n", busy,
		      n);
	assert_int_equal(iommufd_container_detach(c[n % 2], dev), 0);
	iommufd_container_free(c[0]);
	iommufd_container_free(c[1]);
	fx_fini(&f);
}

struct direct {
	pthread_barrier_t start;
	struct iommufd_container *c;
	struct iommufd_device *dev;
	uint32_t ioas;
	int direct_ret, claim_ret;
};

static void *attach_direct(void *p)
{
	struct direct *d = p;

	pthread_barrier_wait(&d->start);
	d->direct_ret = iommufd_device_attach_pt(d->dev, d->ioas);
	return NULL;
}

static void *attach_to_container(void *p)
{
	struct direct *d = p;

	pthread_barrier_wait(&d->start);
	d->claim_ret = iommufd_container_attach(d->c, d->dev);
	return NULL;
}

/*
 * A direct attach and a container's attach of one device at once: exactly one
 * gets it, the other answers -EBUSY, and the loser changed nothing.
 */
static void direct_attach_while_a_container_attaches_the_device(void **state)
{
	int r, won_direct = 0, n = fx_rounds(300);
	pthread_t ta, tc;
	struct direct d;
	uint32_t ioas;
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	assert_int_equal(iommufd_ioas_alloc(f.ctx, &ioas), 0);
	for (r = 0; r < n; r++) {
		d = (struct direct){ .c = f.c, .dev = fx_dev(&f, DEV_A0), .ioas = ioas };
		assert_int_equal(pthread_barrier_init(&d.start, NULL, 2), 0);
		assert_int_equal(pthread_create(&ta, NULL, attach_direct, &d), 0);
		assert_int_equal(pthread_create(&tc, NULL, attach_to_container, &d), 0);
		pthread_join(ta, NULL);
		pthread_join(tc, NULL);
		pthread_barrier_destroy(&d.start);
		if (d.direct_ret == 0) {
			won_direct++;
			assert_int_equal(d.claim_ret, -EBUSY);
			assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 0);
			assert_int_equal(iommufd_device_detach_pt(d.dev), 0);
		} else {
			assert_int_equal(d.direct_ret, -EBUSY);
			assert_int_equal(d.claim_ret, 0);
			assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 1);
			assert_int_equal(iommufd_container_detach(f.c, d.dev), 0);
		}
		assert_int_equal(iommufd_device_pt_id(d.dev), 0);
		/* the winner's domain went with it: the two IOAS are left */
		assert_int_equal(iommufd_sim_live_objects(f.sim), f.base_objects + 2);
	}
	print_message("the direct attach won %d of %d rounds\n", won_direct, n);
	assert_int_equal(iommufd_destroy(f.ctx, ioas), 0);
	fx_fini(&f);
}

#define REGIONS 8
#define REGION_PAGES 4

struct unmapper {
	struct fx *f;
	int rounds;
	bool done;                      /* atomic */
	uint64_t written[REGIONS];      /* page bits per region, written while mapped */
	int errors;
};

/* Maps a region, has the device write one page of it, unmaps it: round after round. */
static void *map_write_unmap(void *p)
{
	struct unmapper *u = p;
	int r;

	for (r = 0; r < u->rounds; r++) {
		int reg = r % REGIONS, pg = (r / REGIONS) % REGION_PAGES;
		uint64_t iova = MEM_IOVA + (uint64_t)reg * REGION_PAGES * PAGE;
		char *va = (char *)u->f->mem + (uint64_t)reg * REGION_PAGES * PAGE;

		if (iommufd_container_map(u->f->c, va, iova, REGION_PAGES * PAGE, false) ||
		    iommufd_sim_dma_write(u->f->sim, DEV_A0, iova + pg * PAGE, PAGE) ||
		    iommufd_container_unmap(u->f->c, iova, REGION_PAGES * PAGE)) {
			u->errors++;
			break;
		}
		u->written[reg] |= 1ULL << pg;
	}
	__atomic_store_n(&u->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void collect(struct fx *f, uint64_t *reported, int *errors)
{
	uint64_t bm[REGIONS * REGION_PAGES / 64 + 1];
	int i;

	memset(bm, 0, sizeof(bm));
	if (iommufd_container_read_dirty(f->c, MEM_IOVA, REGIONS * REGION_PAGES * PAGE, PAGE, bm,
					 0) < 0) {
		(*errors)++;
		return;
	}
	for (i = 0; i < REGIONS * REGION_PAGES; i++)
		if (bit(bm, i))
			reported[i / REGION_PAGES] |= 1ULL << (i % REGION_PAGES);
}

/*
 * Dirty reads on one thread while another maps, writes and unmaps: a page
 * written before its unmap is kept for the next read (the unmap harvests it)
 * and so reported exactly by some read; no call fails.
 */
static void dirty_reads_while_another_thread_unmaps(void **state)
{
	uint64_t reported[REGIONS] = { 0 };
	struct unmapper u = { 0 };
	int errors = 0, i;
	pthread_t t;
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_attach(&f, DEV_A0);
	assert_int_equal(iommufd_container_set_dirty_tracking(f.c, true), 0);
	u.f = &f;
	u.rounds = fx_rounds(300) * 4;
	assert_int_equal(pthread_create(&t, NULL, map_write_unmap, &u), 0);
	while (!__atomic_load_n(&u.done, __ATOMIC_ACQUIRE))
		collect(&f, reported, &errors);
	pthread_join(t, NULL);
	collect(&f, reported, &errors);
	assert_int_equal(u.errors, 0);
	assert_int_equal(errors, 0);
	for (i = 0; i < REGIONS; i++)
		if ((u.written[i] & reported[i]) != u.written[i])
			fail_msg("region %d: pages %#llx written, not reported", i,
				 (unsigned long long)(u.written[i] & ~reported[i]));
	assert_int_equal(iommufd_container_set_dirty_tracking(f.c, false), 0);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_dirty_page_is_lost_under_concurrency),
		cmocka_unit_test(hot_plug_of_tracking_domains_from_many_threads),
		cmocka_unit_test(two_containers_race_for_one_device),
		cmocka_unit_test(close_devices_while_another_thread_frees_their_container),
		cmocka_unit_test(one_device_detached_from_one_container_and_attached_to_another),
		cmocka_unit_test(dirty_reads_while_another_thread_unmaps),
		cmocka_unit_test(direct_attach_while_a_container_attaches_the_device),
	};

	/* IOMMUFD_TEST_FILTER=close_* runs only the tests whose name matches. */
	if (getenv("IOMMUFD_TEST_FILTER"))
		cmocka_set_test_filter(getenv("IOMMUFD_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
