// SPDX-License-Identifier: LGPL-2.1-or-later
/* HWPT_ALLOC (flags, the ids it accepts) and GET_HW_INFO. */
#include "obj_fixture.h"

static void test_hwpt_alloc_flags(void **state)
{
	struct fx *f = *state;
	const uint32_t flags[] = {
		0,
		IOMMUFD_HWPT_NEST_PARENT,
		IOMMUFD_HWPT_DIRTY_TRACKING,
		IOMMUFD_HWPT_NEST_PARENT | IOMMUFD_HWPT_DIRTY_TRACKING,
	};
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f), ids[4];
	long live = iommufd_sim_live_objects(f->sim);
	unsigned i, j;

	for (i = 0; i < 4; i++) {
		ids[i] = 0;
		assert_int_equal(iommufd_hwpt_alloc(f->ctx, iommufd_device_id(dev), a, flags[i],
						    &ids[i]), 0);
		assert_int_not_equal(ids[i], 0);
		for (j = 0; j < i; j++)
			assert_int_not_equal(ids[i], ids[j]);
		assert_int_equal(iommufd_sim_live_objects(f->sim), live + i + 1);
	}
	/* Allocating does not attach. */
	assert_int_equal(iommufd_device_pt_id(dev), 0);
	/* Each is a real domain: the device attaches to it and DMA goes through. */
	fx_map(f, a, 0, 0x100000, PAGE, 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(iommufd_device_attach_pt(dev, ids[i]), 0);
		assert_int_equal(iommufd_device_pt_id(dev), ids[i]);
		assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), 0);
	}
	assert_int_equal(iommufd_device_detach_pt(dev), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(iommufd_destroy(f->ctx, ids[i]), 0);
	/* The IOAS was held by its domains only. */
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
	iommufd_device_close(dev);
}

static void test_hwpt_dirty_on_iommu_without(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_NODIRTY);
	uint32_t a = fx_ioas(f), hwpt = 77;
	long live = iommufd_sim_live_objects(f->sim);
	char id[16];

	snprintf(id, sizeof(id), "%u", iommufd_device_id(dev));
	assert_err(f->ctx, iommufd_hwpt_alloc(f->ctx, iommufd_device_id(dev), a,
					      IOMMUFD_HWPT_DIRTY_TRACKING, &hwpt),
		   EOPNOTSUPP, "HWPT_ALLOC", id);
	assert_int_equal(hwpt, 77);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);
	/* Without the flag it is fine. */
	assert_int_equal(iommufd_hwpt_alloc(f->ctx, iommufd_device_id(dev), a, 0, &hwpt), 0);
	assert_int_equal(iommufd_destroy(f->ctx, hwpt), 0);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_hwpt_alloc_bad_ids(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	struct iommufd_device *mdev = fx_dev(f, DEV_MDEV);
	uint32_t a = fx_ioas(f), dev_id = iommufd_device_id(dev), hwpt, parent;
	long live;

	assert_int_equal(iommufd_hwpt_alloc(f->ctx, dev_id, a, IOMMUFD_HWPT_NEST_PARENT, &parent), 0);
	live = iommufd_sim_live_objects(f->sim);
	/* Not a device: ENOENT (an emulated device is an access, not a device). */
	assert_err(f->ctx, iommufd_hwpt_alloc(f->ctx, 5555, a, 0, &hwpt), ENOENT, "HWPT_ALLOC",
		   "5555");
	assert_err(f->ctx, iommufd_hwpt_alloc(f->ctx, a, a, 0, &hwpt), ENOENT, "HWPT_ALLOC");
	assert_err(f->ctx, iommufd_hwpt_alloc(f->ctx, iommufd_device_id(mdev), a, 0, &hwpt), ENOENT,
		   "HWPT_ALLOC");
	/* No such pt, or a pt that is neither IOAS nor HWPT: the kernel says EINVAL. */
	assert_err(f->ctx, iommufd_hwpt_alloc(f->ctx, dev_id, 6666, 0, &hwpt), EINVAL,
		   "HWPT_ALLOC", "6666");
	assert_err(f->ctx, iommufd_hwpt_alloc(f->ctx, dev_id, dev_id, 0, &hwpt), EINVAL,
		   "HWPT_ALLOC");
	/* On a HWPT it would be a nested domain, which needs driver data: none given. */
	assert_err(f->ctx, iommufd_hwpt_alloc(f->ctx, dev_id, parent, 0, &hwpt), EOPNOTSUPP,
		   "HWPT_ALLOC");
	/* Flags this library does not know never reach the kernel. */
	assert_err(f->ctx, iommufd_hwpt_alloc(f->ctx, dev_id, a, 1u << 7, &hwpt), EINVAL,
		   "unknown flags");
	assert_int_equal(iommufd_hwpt_alloc(f->ctx, dev_id, a, 0, NULL), -EINVAL);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);

	assert_int_equal(iommufd_destroy(f->ctx, parent), 0);
	iommufd_device_close(mdev);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_get_hw_info(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dirty = fx_dev(f, DEV_DIRTY);
	struct iommufd_device *nodirty = fx_dev(f, DEV_NODIRTY);
	struct iommufd_device *mdev = fx_dev(f, DEV_MDEV);
	struct iommufd_hw_info hw = { 0 };

	assert_int_equal(iommufd_get_hw_info(f->ctx, iommufd_device_id(dirty), &hw), 0);
	assert_int_equal(hw.type, 1); /* IOMMU_HW_INFO_TYPE_INTEL_VTD */
	assert_true(hw.capabilities & 1); /* IOMMU_HW_CAP_DIRTY_TRACKING */
	assert_int_equal(iommufd_get_hw_info(f->ctx, iommufd_device_id(nodirty), &hw), 0);
	assert_int_equal(hw.type, 1);
	assert_false(hw.capabilities & 1);

	hw.type = 99;
	assert_err(f->ctx, iommufd_get_hw_info(f->ctx, iommufd_device_id(mdev), &hw), ENOENT,
		   "GET_HW_INFO");
	assert_err(f->ctx, iommufd_get_hw_info(f->ctx, 3131, &hw), ENOENT, "GET_HW_INFO", "3131");
	assert_int_equal(hw.type, 99); /* untouched on failure */
	assert_int_equal(iommufd_get_hw_info(f->ctx, iommufd_device_id(dirty), NULL), -EINVAL);

	iommufd_device_close(mdev);
	iommufd_device_close(nodirty);
	iommufd_device_close(dirty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_hwpt_alloc_flags),
		FX_TEST(test_hwpt_dirty_on_iommu_without),
		FX_TEST(test_hwpt_alloc_bad_ids),
		FX_TEST(test_get_hw_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
