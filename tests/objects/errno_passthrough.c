// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Whatever errno the kernel answers reaches the caller unchanged, with a
 * message naming the call and its ids, and the failed call changes nothing.
 * The simulator's fault injection makes the next kernel call fail with an
 * errno no call would give by itself (EXDEV).
 */
#include "obj_fixture.h"

#define ERR EXDEV

static void arm(struct fx *f, unsigned nth)
{
	assert_int_equal(iommufd_sim_fail_nth(f->sim, nth, ERR), 0);
}

static void test_ioas_calls(void **state)
{
	struct fx *f = *state;
	struct iommufd_iova_range r[2] = { { 0x100000, 0x1fffff }, { 0 } };
	uint32_t a = fx_ioas(f), b = fx_ioas(f), id = 4711;
	uint64_t iova = 0x300000, unmapped = 99, align = 0;
	long live = iommufd_sim_live_objects(f->sim);
	char ida[16];

	snprintf(ida, sizeof(ida), "%u", a);
	fx_map(f, a, 0, 0x100000, 2 * PAGE, 0);

	arm(f, 1);
	assert_err(f->ctx, iommufd_ioas_alloc(f->ctx, &id), ERR, "IOAS_ALLOC");
	assert_int_equal(id, 4711);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);

	arm(f, 1);
	assert_err(f->ctx, iommufd_destroy(f->ctx, b), ERR, "DESTROY");
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);

	arm(f, 1);
	assert_err(f->ctx, iommufd_ioas_iova_ranges(f->ctx, a, r, 2, &align), ERR,
		   "IOAS_IOVA_RANGES", ida);

	arm(f, 1);
	assert_err(f->ctx, iommufd_ioas_allow_iovas(f->ctx, a, r, 1), ERR, "IOAS_ALLOW_IOVAS", ida);
	/* Nothing restricted: a kernel-chosen IOVA may still land low. */

	arm(f, 1);
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, PAGE, &iova, IOMMUFD_MAP_FIXED_IOVA),
		   ERR, "IOAS_MAP", ida, "0x300000");
	assert_int_equal(iova, 0x300000);
	assert_true(fx_unmapped(f, a, 0x300000, PAGE));

	arm(f, 1);
	assert_err(f->ctx, iommufd_ioas_unmap(f->ctx, a, 0x100000, 2 * PAGE, &unmapped), ERR,
		   "IOAS_UNMAP", ida, "0x100000");
	assert_int_equal(unmapped, 99);
	assert_true(fx_mapped(f, a, 0x100000, 2 * PAGE));

	iova = 0x400000;
	arm(f, 1);
	assert_err(f->ctx, iommufd_ioas_copy(f->ctx, b, a, 0x100000, 2 * PAGE, &iova,
					     IOMMUFD_MAP_FIXED_IOVA), ERR, "IOAS_COPY", ida);
	assert_true(fx_unmapped(f, b, 0x400000, 2 * PAGE));

	/* The injected failure is spent: the same calls work now. */
	assert_int_equal(iommufd_ioas_iova_ranges(f->ctx, a, r, 2, &align), 1);
	assert_int_equal(iommufd_ioas_map(f->ctx, a, f->buf, PAGE, &iova, 0), 0);
	assert_int_equal(iova, PAGE); /* the allow call was not applied */
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
	assert_int_equal(iommufd_destroy(f->ctx, b), 0);
}

static void test_hwpt_calls(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f), hwpt, h2 = 555, dev_id = iommufd_device_id(dev);
	struct iommufd_hw_info hw = { .type = 77 };
	uint64_t bm[1] = { 0 };
	long live;
	char id[16];

	assert_int_equal(iommufd_hwpt_alloc(f->ctx, dev_id, a, IOMMUFD_HWPT_DIRTY_TRACKING, &hwpt),
			 0);
	assert_int_equal(iommufd_device_attach_pt(dev, hwpt), 0);
	fx_map(f, a, 0, 0x100000, PAGE, 0);
	live = iommufd_sim_live_objects(f->sim);

	snprintf(id, sizeof(id), "%u", dev_id);
	arm(f, 1);
	assert_err(f->ctx, iommufd_hwpt_alloc(f->ctx, dev_id, a, 0, &h2), ERR, "HWPT_ALLOC", id);
	assert_int_equal(h2, 555);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);

	arm(f, 1);
	assert_err(f->ctx, iommufd_get_hw_info(f->ctx, dev_id, &hw), ERR, "GET_HW_INFO", id);
	assert_int_equal(hw.type, 77);

	/* dirty_capable passes the GET_HW_INFO errno on. */
	arm(f, 1);
	assert_int_equal(iommufd_device_dirty_capable(dev), -ERR);

	snprintf(id, sizeof(id), "%u", hwpt);
	arm(f, 1);
	assert_err(f->ctx, iommufd_hwpt_set_dirty_tracking(f->ctx, hwpt, true), ERR,
		   "HWPT_SET_DIRTY_TRACKING", id);
	/* Not enabled: a write is not recorded. */
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), 0);
	assert_int_equal(iommufd_hwpt_set_dirty_tracking(f->ctx, hwpt, true), 0);
	assert_int_equal(iommufd_hwpt_get_dirty_bitmap(f->ctx, hwpt, 0x100000, PAGE, PAGE, bm, 0),
			 0);
	assert_int_equal(bm[0], 0);

	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), 0);
	arm(f, 1);
	assert_err(f->ctx, iommufd_hwpt_get_dirty_bitmap(f->ctx, hwpt, 0x100000, PAGE, PAGE, bm, 0),
		   ERR, "HWPT_GET_DIRTY_BITMAP", id);
	assert_int_equal(bm[0], 0);
	/* The failed read consumed nothing. */
	assert_int_equal(iommufd_hwpt_get_dirty_bitmap(f->ctx, hwpt, 0x100000, PAGE, PAGE, bm, 0),
			 0);
	assert_int_equal(bm[0], 1);

	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, hwpt), 0);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_device_calls(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = NULL;
	uint32_t a = fx_ioas(f), b = fx_ioas(f), cur;
	unsigned nth;

	/* Opening takes two kernel calls (open the cdev, bind): fail each. */
	for (nth = 1; nth <= 2; nth++) {
		arm(f, nth);
		dev = (struct iommufd_device *)0x1;
		assert_err(f->ctx, iommufd_device_open(f->ctx, DEV_DIRTY, &dev), ERR, DEV_DIRTY);
		assert_null(dev);
		assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start + 2);
	}
	/* Nothing was left open or bound: the device opens. */
	dev = fx_dev(f, DEV_DIRTY);

	arm(f, 1);
	assert_err(f->ctx, iommufd_device_attach_pt(dev, a), ERR, DEV_DIRTY);
	assert_int_equal(iommufd_device_pt_id(dev), 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start + 3);

	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	cur = iommufd_device_pt_id(dev);
	arm(f, 1);
	assert_err(f->ctx, iommufd_device_attach_pt(dev, b), ERR, DEV_DIRTY);
	assert_int_equal(iommufd_device_pt_id(dev), cur);

	arm(f, 1);
	assert_err(f->ctx, iommufd_device_detach_pt(dev), ERR, DEV_DIRTY);
	assert_int_equal(iommufd_device_pt_id(dev), cur);
	fx_map(f, a, 0, 0x100000, PAGE, 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), 0);

	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
	assert_int_equal(iommufd_destroy(f->ctx, b), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_ioas_calls),
		FX_TEST(test_hwpt_calls),
		FX_TEST(test_device_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
