// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Every kernel call a container call makes is made to fail in turn (the k-th,
 * for k = 1, 2, ... until the call gets through): the call returns the error
 * with a message, and the kernel objects, the devices' attachments, the
 * domains, the mappings and the dirty state (what the next read would report)
 * are exactly as before. Leaks of memory show under valgrind or ASan.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "helpers.h"

typedef void (*setup_fn)(struct fx *f);
typedef int (*op_fn)(struct fx *f);
typedef void (*check_fn)(struct fx *f);

/*
 * For k = 1, 2, ...: a fresh set-up, the k-th kernel call of op fails, and
 * all must be as before (a fresh set-up each time: what a failed call learns,
 * such as a refusal, must not hide a later call from the loop). Ends when op
 * gets through; returns how many kernel calls it made. The set-up's teardown
 * checks that no kernel object is left over.
 */
static unsigned fail_each_call(setup_fn setup, op_fn op, check_fn check, const char *what)
{
	struct fx_state before, after;
	struct fx f;
	unsigned k;
	int ret;

	for (k = 1; k < 1000; k++) {
		setup(&f);
		fx_snapshot(&f, &before);
		assert_int_equal(iommufd_sim_fail_nth(f.sim, k, EIO), 0);
		ret = op(&f);
		assert_int_equal(iommufd_sim_fail_nth(f.sim, 0, 0), 0);
		if (ret >= 0) {
			if (check)
				check(&f);
			fx_fini(&f);
			return k - 1;
		}
		if (ret != -EIO)
			fail_msg("%s, kernel call %u failing: %d (%s), not -EIO", what, k, ret,
				 iommufd_last_error(f.ctx));
		if (!strstr(iommufd_last_error(f.ctx), "Input/output error"))
			fail_msg("%s, kernel call %u failing: message \"%s\"", what, k,
				 iommufd_last_error(f.ctx));
		fx_snapshot(&f, &after);
		fx_assert_same(&before, &after);
		fx_fini(&f);
	}
	fail_msg("%s never got through", what);
	return 0;
}

static uint64_t bm[MEM_LEN / PAGE / 64];

/* Two mappings back to back (one run), tracking domains for dmar0 and smmu0, a plain one, an mdev. */
static void busy(struct fx *f, uint32_t flags)
{
	fx_init(f, flags);
	assert_int_equal(iommufd_container_map(f->c, f->mem, MEM_IOVA, MEM_LEN / 2, false), 0);
	assert_int_equal(iommufd_container_map(f->c, (char *)f->mem + MEM_LEN / 2,
					       MEM_IOVA + MEM_LEN / 2, MEM_LEN / 4, false),
			 0);
	fx_attach(f, DEV_A0);
	fx_attach(f, DEV_S0);
	fx_attach(f, DEV_B0);
	fx_attach(f, DEV_M0);
	if (flags & IOMMUFD_CONTAINER_DIRTY_TRACKING)
		assert_int_equal(iommufd_container_set_dirty_tracking(f->c, true), 0);
}

/* Four dirty pages: one through dmar0's domain, three through the SMMU's. */
static void dirty_some(struct fx *f)
{
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_A0, MEM_IOVA + 3 * PAGE, PAGE), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_S0, MEM_IOVA + 70 * PAGE, 2 * PAGE), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_S0, MEM_IOVA + MEM_LEN / 2 + PAGE, PAGE),
			 0);
}

static void tracking_dirty(struct fx *f)
{
	busy(f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_attach(f, DEV_A1);
	dirty_some(f);
}

static void four_pages_remain(struct fx *f)
{
	assert_int_equal(fx_read(f, bm, 0), 4);
}

/* ---- attach ---- */

static void no_dmar0_domain(struct fx *f)
{
	busy(f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	dirty_some(f);
	assert_int_equal(iommufd_container_detach(f->c, fx_dev(f, DEV_A0)), 0);
}

static int op_attach_a1(struct fx *f)
{
	return iommufd_container_attach(f->c, fx_dev(f, DEV_A1));
}

static void attach_to_a_new_domain_while_tracking(void **state)
{
	/* HW_INFO, HWPT_ALLOC, start tracking, attach (the SMMU domain: known to refuse) */
	assert_int_equal(fail_each_call(no_dmar0_domain, op_attach_a1, NULL, "attach new domain"),
			 4);
}

struct rearm {
	struct fx *f;
	const char *after; /* the trace line, by its command, after which the next call fails */
	int armed;
};

static void fail_next_after(void *arg, int level, const char *msg)
{
	struct rearm *r = arg;

	if (level == IOMMUFD_LOG_TRACE && r->armed && strstr(msg, r->after) &&
	    strstr(msg, "= -5")) {
		r->armed = 0;
		assert_int_equal(iommufd_sim_fail_nth(r->f->sim, 1, EBUSY), 0);
	}
}

/*
 * A new domain whose tracking cannot start is destroyed again; that destroy
 * failing once is tried again: nothing is left, and the message names the
 * cause, not the cleanup.
 */
static void attach_rollback_destroy_fails_once(void **state)
{
	struct fx_state before, after;
	struct rearm r = { .after = "HWPT_SET_DIRTY_TRACKING", .armed = 1 };
	struct fx f;

	no_dmar0_domain(&f);
	r.f = &f;
	fx_snapshot(&f, &before);
	iommufd_set_log(f.ctx, fail_next_after, &r);
	/* HW_INFO, HWPT_ALLOC, start tracking (fails), DESTROY (fails once) */
	assert_int_equal(iommufd_sim_fail_nth(f.sim, 3, EIO), 0);
	assert_int_equal(op_attach_a1(&f), -EIO);
	iommufd_set_log(f.ctx, NULL, NULL);
	assert_int_equal(iommufd_sim_fail_nth(f.sim, 0, 0), 0);
	assert_int_equal(r.armed, 0);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "start dirty tracking"));
	fx_snapshot(&f, &after);
	fx_assert_same(&before, &after);
	fx_fini(&f);
}

static void smmu_then_dmar0(struct fx *f)
{
	fx_init(f, 0);
	fx_map(f);
	fx_attach(f, DEV_S0);
	fx_attach(f, DEV_A0);
}

static int op_attach_b1(struct fx *f)
{
	return iommufd_container_attach(f->c, fx_dev(f, DEV_B1));
}

static void attach_joining_past_a_refusing_domain(void **state)
{
	/* HW_INFO, the VT-d domain (the SMMU domain before it: known to refuse, not asked) */
	assert_int_equal(fail_each_call(smmu_then_dmar0, op_attach_b1, NULL, "attach joining"), 2);
}

static void nest_parent_tracking(struct fx *f)
{
	fx_init(f, IOMMUFD_CONTAINER_DIRTY_TRACKING | IOMMUFD_CONTAINER_NEST_PARENT);
	fx_map(f);
	fx_attach(f, DEV_A0);
	assert_int_equal(iommufd_container_set_dirty_tracking(f->c, true), 0);
}

static int op_attach_m0(struct fx *f)
{
	return iommufd_container_attach(f->c, fx_dev(f, DEV_M0));
}

static int op_attach_s0(struct fx *f)
{
	return iommufd_container_attach(f->c, fx_dev(f, DEV_S0));
}

static void s0_uncovered(struct fx *f)
{
	assert_int_equal(iommufd_container_dirty_status(f->c), 0);
	assert_non_null(strstr(iommufd_last_error(f->ctx), "refuses NEST_PARENT"));
}

static void attach_mdev_and_nest_parent_fallback(void **state)
{
	assert_int_equal(fail_each_call(nest_parent_tracking, op_attach_m0, NULL, "attach mdev"), 1);
	/* HW_INFO, ALLOC np+dt (refused), ALLOC np, attach (the VT-d domain: not asked) */
	assert_int_equal(fail_each_call(nest_parent_tracking, op_attach_s0, s0_uncovered,
					"attach nest parent"),
			 4);
}

/* ---- detach ---- */

static int op_detach_s0(struct fx *f)
{
	return iommufd_container_detach(f->c, fx_dev(f, DEV_S0));
}

static int op_detach_a1(struct fx *f)
{
	return iommufd_container_detach(f->c, fx_dev(f, DEV_A1));
}

static int op_detach_m0(struct fx *f)
{
	return iommufd_container_detach(f->c, fx_dev(f, DEV_M0));
}

/*
 * The last device of a tracking domain: detach, read its bits, destroy. A read
 * that fails then is no failure of the detach (the device is out, the domain
 * stays: test_dirty.c), so the loop ends there; the destroy failing is undone.
 */
static void detach_last_destroy_fails(void)
{
	struct fx_state before, after;
	struct fx f;

	tracking_dirty(&f);
	fx_snapshot(&f, &before);
	assert_int_equal(iommufd_sim_fail_nth(f.sim, 3, EIO), 0);
	assert_int_equal(op_detach_s0(&f), -EIO);
	assert_int_equal(iommufd_sim_fail_nth(f.sim, 0, 0), 0);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "destroy its hwpt"));
	fx_snapshot(&f, &after);
	fx_assert_same(&before, &after);
	four_pages_remain(&f);
	fx_fini(&f);
}

static void detach(void **state)
{
	assert_int_equal(fail_each_call(tracking_dirty, op_detach_s0, four_pages_remain,
					"detach last"),
			 1);
	detach_last_destroy_fails();
	assert_int_equal(fail_each_call(tracking_dirty, op_detach_a1, four_pages_remain,
					"detach shared"),
			 1);
	assert_int_equal(fail_each_call(tracking_dirty, op_detach_m0, four_pages_remain,
					"detach mdev"),
			 1);
}

/* ---- dirty tracking ---- */

static int op_track_off(struct fx *f)
{
	return iommufd_container_set_dirty_tracking(f->c, false);
}

static void tracking_stopped(struct fx *f)
{
	tracking_dirty(f);
	assert_int_equal(iommufd_container_set_dirty_tracking(f->c, false), 0);
	assert_int_equal(fx_read(f, bm, 0), 4);
}

static int op_track_on(struct fx *f)
{
	return iommufd_container_set_dirty_tracking(f->c, true);
}

static void set_dirty_tracking(void **state)
{
	/* read both tracking domains, then stop each */
	assert_int_equal(fail_each_call(tracking_dirty, op_track_off, four_pages_remain,
					"tracking off"),
			 4);
	assert_int_equal(fail_each_call(tracking_stopped, op_track_on, NULL, "tracking on"), 2);
}

static void with_carried_bits(struct fx *f)
{
	tracking_dirty(f);
	/* the SMMU domain goes (its bits are carried); another plain device joins */
	assert_int_equal(iommufd_container_detach(f->c, fx_dev(f, DEV_S0)), 0);
	fx_attach(f, DEV_B1);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_A1, MEM_IOVA + 9 * PAGE, PAGE), 0);
}

static int op_read(struct fx *f)
{
	return fx_read(f, bm, 0);
}

static void nothing_left(struct fx *f)
{
	assert_int_equal(fx_read(f, bm, 0), 0);
}

static void read_dirty(void **state)
{
	/* one tracking domain left: one clearing read */
	assert_int_equal(fail_each_call(with_carried_bits, op_read, nothing_left, "read"), 1);
	/* two: one each; the second failing finds the first cleared, its bits carried over */
	assert_int_equal(fail_each_call(tracking_dirty, op_read, nothing_left, "read two"), 2);
}

/* ---- map, unmap ---- */

static void busy_dirty(struct fx *f)
{
	busy(f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	dirty_some(f);
}

static int op_map(struct fx *f)
{
	return iommufd_container_map(f->c, (char *)f->mem + 3 * (MEM_LEN / 4),
				     MEM_IOVA + 3 * (MEM_LEN / 4), MEM_LEN / 4, false);
}

static int op_unmap(struct fx *f)
{
	return iommufd_container_unmap(f->c, MEM_IOVA + MEM_LEN / 2, MEM_LEN / 4);
}

static int op_unmap_all(struct fx *f)
{
	return iommufd_container_unmap(f->c, 0, UINT64_MAX);
}

static void map_and_unmap(void **state)
{
	/* the map alone */
	assert_int_equal(fail_each_call(busy_dirty, op_map, four_pages_remain, "map"), 1);
	/* both tracking domains' bits, the unmap */
	assert_int_equal(fail_each_call(busy_dirty, op_unmap, four_pages_remain, "unmap"), 3);
	assert_int_equal(fail_each_call(busy_dirty, op_unmap_all, four_pages_remain, "unmap all"),
			 3);
}

/* ---- reads and harvests over several chunks (1 GiB each) ---- */

#define BIG_IOVA (1ULL << 32)
#define BIG_LEN (5ULL << 29)            /* 2.5 GiB: three chunks */
#define WINDOW (3ULL << 30)             /* what the checks read */
#define LATE_IOVA (BIG_IOVA + (11ULL << 28)) /* 2.75 GiB in: unmapped, its page carried over */

struct big {
	struct fx f;
	void *mem;
};

static uint64_t big_bm[WINDOW / PAGE / 64];

/*
 * 2.5 GiB mapped, tracking domains for dmar0 and smmu0; a page written by each
 * in different chunks, one in the same, and one carried over from an unmap.
 */
static void big_setup(struct big *b)
{
	fx_init(&b->f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	b->mem = mmap(NULL, BIG_LEN, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(b->mem != MAP_FAILED);
	assert_int_equal(iommufd_container_map(b->f.c, b->mem, BIG_IOVA, BIG_LEN, false), 0);
	assert_int_equal(iommufd_container_map(b->f.c, b->mem, LATE_IOVA, PAGE, false), 0);
	fx_attach(&b->f, DEV_A0);
	fx_attach(&b->f, DEV_S0);
	assert_int_equal(iommufd_container_set_dirty_tracking(b->f.c, true), 0);
	assert_int_equal(iommufd_sim_dma_write(b->f.sim, DEV_A0, BIG_IOVA + PAGE, PAGE), 0);
	assert_int_equal(iommufd_sim_dma_write(b->f.sim, DEV_S0, BIG_IOVA + (1ULL << 30) + 2 * PAGE,
					       PAGE),
			 0);
	assert_int_equal(iommufd_sim_dma_write(b->f.sim, DEV_A0, BIG_IOVA + (2ULL << 30) + 3 * PAGE,
					       PAGE),
			 0);
	assert_int_equal(iommufd_sim_dma_write(b->f.sim, DEV_S0, BIG_IOVA + (2ULL << 30) + 4 * PAGE,
					       PAGE),
			 0);
	assert_int_equal(iommufd_sim_dma_write(b->f.sim, DEV_A0, LATE_IOVA, PAGE), 0);
	assert_int_equal(iommufd_container_unmap(b->f.c, LATE_IOVA, PAGE), 0);
}

static void big_fini(struct big *b)
{
	fx_fini(&b->f);
	munmap(b->mem, BIG_LEN);
}

static int big_read(struct big *b, uint32_t flags)
{
	memset(big_bm, 0, sizeof(big_bm));
	return iommufd_container_read_dirty(b->f.c, BIG_IOVA, WINDOW, PAGE, big_bm, flags);
}

/* All five pages are still to be reported: each bit, and nothing else. */
static void five_pages_reported(struct big *b)
{
	assert_int_equal(big_read(b, 0), 5);
	assert_true(bit(big_bm, 1));
	assert_true(bit(big_bm, (1ULL << 30) / PAGE + 2));
	assert_true(bit(big_bm, (2ULL << 30) / PAGE + 3));
	assert_true(bit(big_bm, (2ULL << 30) / PAGE + 4));
	assert_true(bit(big_bm, (LATE_IOVA - BIG_IOVA) / PAGE));
	assert_int_equal(big_read(b, 0), 0);
}

typedef int (*big_op_fn)(struct big *b);

/*
 * As fail_each_call(): every kernel call of op fails in turn and no dirty page
 * is lost; once op gets through, what it returned is checked, and after it
 * that the pages are reported still (unmap, detach) or were (read).
 */
static unsigned big_fail_each_call(big_op_fn op, int want, bool read_after,
				   const char *what)
{
	struct big b;
	unsigned k;
	int ret;

	for (k = 1; k < 100; k++) {
		big_setup(&b);
		assert_int_equal(iommufd_sim_fail_nth(b.f.sim, k, EIO), 0);
		ret = op(&b);
		assert_int_equal(iommufd_sim_fail_nth(b.f.sim, 0, 0), 0);
		if (ret >= 0) {
			assert_int_equal(ret, want);
			if (read_after)
				five_pages_reported(&b);
			else
				assert_int_equal(big_read(&b, 0), 0);
			big_fini(&b);
			return k - 1;
		}
		if (ret != -EIO)
			fail_msg("%s, kernel call %u failing: %d (%s)", what, k, ret,
				 iommufd_last_error(b.f.ctx));
		five_pages_reported(&b);
		big_fini(&b);
	}
	fail_msg("%s never got through", what);
	return 0;
}

static int op_big_read(struct big *b)
{
	return big_read(b, 0);
}

static int op_big_unmap(struct big *b)
{
	return iommufd_container_unmap(b->f.c, BIG_IOVA, BIG_LEN);
}

static int op_big_detach(struct big *b)
{
	return iommufd_container_detach(b->f.c, fx_dev(&b->f, DEV_S0));
}

/*
 * The last device of the smmu0 domain leaves: the calls are the detach, the
 * domain's bits a chunk at a time (three), the destroy. Each failing in turn
 * loses no page: a failed detach or destroy is undone (-EIO), a failed read
 * keeps the domain without devices and the detach succeeds.
 */
static void detach_over_chunks(void)
{
	struct big b;
	unsigned k;
	int ret;

	for (k = 1; k <= 6; k++) {
		big_setup(&b);
		assert_int_equal(iommufd_sim_fail_nth(b.f.sim, k, EIO), 0);
		ret = op_big_detach(&b);
		assert_int_equal(iommufd_sim_fail_nth(b.f.sim, 0, 0), 0);
		if (k == 1 || k == 5) {
			assert_int_equal(ret, -EIO);
			assert_int_not_equal(iommufd_device_pt_id(fx_dev(&b.f, DEV_S0)), 0);
		} else {
			if (ret)
				fail_msg("detach over chunks, kernel call %u failing: %d (%s)", k,
					 ret, iommufd_last_error(b.f.ctx));
			assert_int_equal(iommufd_device_pt_id(fx_dev(&b.f, DEV_S0)), 0);
		}
		/* the domain goes only when nothing failed */
		assert_int_equal(iommufd_container_domains(b.f.c, NULL, 0), k == 6 ? 1 : 2);
		five_pages_reported(&b);
		big_fini(&b);
	}
}

static void reads_and_harvests_over_chunks(void **state)
{
	/* one clearing read per chunk and domain: a failure carries over what was cleared */
	assert_int_equal(big_fail_each_call(op_big_read, 5, false, "read over chunks"), 6);
	/* the range's bits, a chunk at a time from both domains, then the unmap */
	assert_int_equal(big_fail_each_call(op_big_unmap, 0, true, "unmap over chunks"), 7);
	detach_over_chunks();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attach_to_a_new_domain_while_tracking),
		cmocka_unit_test(attach_rollback_destroy_fails_once),
		cmocka_unit_test(attach_joining_past_a_refusing_domain),
		cmocka_unit_test(attach_mdev_and_nest_parent_fallback),
		cmocka_unit_test(detach),
		cmocka_unit_test(set_dirty_tracking),
		cmocka_unit_test(read_dirty),
		cmocka_unit_test(map_and_unmap),
		cmocka_unit_test(reads_and_harvests_over_chunks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
