// SPDX-License-Identifier: LGPL-2.1-or-later
/* IOAS alloc and the generic destroy: ids, unknown ids, twice, in use. */
#include "obj_fixture.h"

static void test_alloc_gives_distinct_live_ids(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f), b = fx_ioas(f);

	assert_int_not_equal(a, b);
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start + 2);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start + 1);
	assert_int_equal(iommufd_destroy(f->ctx, b), 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start);
}

static void test_alloc_needs_out(void **state)
{
	struct fx *f = *state;

	assert_int_equal(iommufd_ioas_alloc(f->ctx, NULL), -EINVAL);
	assert_int_equal(iommufd_ioas_alloc(NULL, &(uint32_t){ 0 }), -EINVAL);
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start);
}

static void test_destroy_unknown_id(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);

	assert_err(f->ctx, iommufd_destroy(f->ctx, 4242), ENOENT, "DESTROY", "4242");
	assert_err(f->ctx, iommufd_destroy(f->ctx, 0), ENOENT, "DESTROY");
	/* The existing object is untouched. */
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start + 1);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_destroy_twice(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);
	char id[16];

	snprintf(id, sizeof(id), "%u", a);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
	assert_err(f->ctx, iommufd_destroy(f->ctx, a), ENOENT, "DESTROY", id);
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start);
}

static void test_destroy_with_mappings(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);

	/* Mappings go with the IOAS: nothing holds it. */
	fx_map(f, a, 0, 0x100000, 4 * PAGE, 0);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start);
}

static void test_destroy_in_use_is_ebusy(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f), hwpt;
	long live;
	char id[16];

	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	hwpt = iommufd_device_pt_id(dev);
	live = iommufd_sim_live_objects(f->sim);
	snprintf(id, sizeof(id), "%u", a);
	/* The device's domain holds the IOAS; the device's domain is in use. */
	assert_err(f->ctx, iommufd_destroy(f->ctx, a), EBUSY, "DESTROY", id);
	snprintf(id, sizeof(id), "%u", hwpt);
	assert_err(f->ctx, iommufd_destroy(f->ctx, hwpt), EBUSY, "DESTROY", id);
	/* A device object belongs to its VFIO file, not to DESTROY. */
	snprintf(id, sizeof(id), "%u", iommufd_device_id(dev));
	assert_err(f->ctx, iommufd_destroy(f->ctx, iommufd_device_id(dev)), EBUSY, "DESTROY", id);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);
	assert_int_equal(iommufd_device_pt_id(dev), hwpt);
	/* Still usable: map through it. */
	fx_map(f, a, 0, 0x200000, PAGE, 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x200000, PAGE), 0);

	assert_int_equal(iommufd_device_detach_pt(dev), 0);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
	iommufd_device_close(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_alloc_gives_distinct_live_ids),
		FX_TEST(test_alloc_needs_out),
		FX_TEST(test_destroy_unknown_id),
		FX_TEST(test_destroy_twice),
		FX_TEST(test_destroy_with_mappings),
		FX_TEST(test_destroy_in_use_is_ebusy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
