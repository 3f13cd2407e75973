// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommufd_device_attach_pt_opts / detach_pt_opts on the simulator: without a
 * PASID they are attach_pt / detach_pt; a PASID goes to the kernel, which
 * refuses it as Linux 6.12 does (no VFIO_DEVICE_ATTACH_PASID), or as 7.3 does
 * an IOAS (its automatic domains take no PASID); the device's attachment stays
 * as it was; bad options are refused.
 */
#include "obj_fixture.h"

static void test_without_pasid(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f), h;
	IOMMUFD_OPTS(iommufd_attach_opts, o);
	IOMMUFD_OPTS(iommufd_detach_opts, d);

	fx_map(f, a, 0, 0x100000, PAGE, 0);
	assert_int_equal(iommufd_hwpt_alloc(f->ctx, iommufd_device_id(dev), a, 0, &h), 0);
	assert_int_equal(iommufd_device_attach_pt_opts(dev, a, NULL), 0);
	assert_int_not_equal(iommufd_device_pt_id(dev), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), 0);
	/* Zeroed options: the same, here a replace. */
	assert_int_equal(iommufd_device_attach_pt_opts(dev, h, &o), 0);
	assert_int_equal(iommufd_device_pt_id(dev), h);
	assert_int_equal(iommufd_device_detach_pt_opts(dev, &d), 0);
	assert_int_equal(iommufd_device_pt_id(dev), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), -EFAULT);
	assert_err(f->ctx, iommufd_device_detach_pt_opts(dev, NULL), EINVAL, "not attached");
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, h), 0);
	assert_int_equal(iommufd_ioas_unmap(f->ctx, a, 0x100000, PAGE, NULL), 0);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

/* 6.12 has no PASID attach: EINVAL, and the message says why; nothing moves. */
static void test_pasid_on_6_12(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f), b = fx_ioas(f), cur;
	long live;
	IOMMUFD_OPTS(iommufd_attach_opts, o, .flags = IOMMUFD_ATTACH_PASID, .pasid = 5);
	IOMMUFD_OPTS(iommufd_detach_opts, d, .flags = IOMMUFD_ATTACH_PASID, .pasid = 5);

	fx_map(f, a, 0, 0x100000, PAGE, 0);
	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	cur = iommufd_device_pt_id(dev);
	live = iommufd_sim_live_objects(f->sim);
	assert_err(f->ctx, iommufd_device_attach_pt_opts(dev, b, &o), EINVAL, DEV_DIRTY,
		   "pasid 5", "VFIO_DEVICE_ATTACH_PASID");
	assert_err(f->ctx, iommufd_device_detach_pt_opts(dev, &d), EINVAL, DEV_DIRTY, "pasid 5");
	assert_int_equal(iommufd_device_pt_id(dev), cur);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), 0);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_ioas_unmap(f->ctx, a, 0x100000, PAGE, NULL), 0);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
	assert_int_equal(iommufd_destroy(f->ctx, b), 0);
}

/* 7.3: an IOAS takes no PASID (EINVAL); detaching a PASID not attached does nothing. */
static void test_pasid_ioas_on_7_3(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f), b = fx_ioas(f), cur;
	long live;
	IOMMUFD_OPTS(iommufd_attach_opts, o, .flags = IOMMUFD_ATTACH_PASID, .pasid = 5);
	IOMMUFD_OPTS(iommufd_detach_opts, d, .flags = IOMMUFD_ATTACH_PASID, .pasid = 5);

	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	cur = iommufd_device_pt_id(dev);
	live = iommufd_sim_live_objects(f->sim);
	assert_err(f->ctx, iommufd_device_attach_pt_opts(dev, b, &o), EINVAL, DEV_DIRTY,
		   "pasid 5");
	assert_int_equal(iommufd_device_detach_pt_opts(dev, &d), 0);
	assert_int_equal(iommufd_device_pt_id(dev), cur);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
	assert_int_equal(iommufd_destroy(f->ctx, b), 0);
}

static void test_bad_opts(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f);
	IOMMUFD_OPTS(iommufd_attach_opts, o, .pasid = 3);
	IOMMUFD_OPTS(iommufd_detach_opts, d, .flags = 0x10);
	struct {
		struct iommufd_attach_opts o;
		uint32_t newer;
		uint32_t pad;
	} big = { .o.size = sizeof(big), .newer = 1 };

	assert_err(f->ctx, iommufd_device_attach_pt_opts(dev, a, &o), EINVAL,
		   "pasid 3 without IOMMUFD_ATTACH_PASID");
	o.pasid = 0;
	o.flags = 0x10;
	assert_err(f->ctx, iommufd_device_attach_pt_opts(dev, a, &o), EINVAL, "flags 0x10");
	assert_err(f->ctx, iommufd_device_detach_pt_opts(dev, &d), EINVAL, "flags 0x10");
	o.flags = 0;
	o.size = 4;
	assert_err(f->ctx, iommufd_device_attach_pt_opts(dev, a, &o), EINVAL, "opts size 4");
	assert_err(f->ctx, iommufd_device_attach_pt_opts(dev, a, &big.o), E2BIG, "attach");
	assert_int_equal(iommufd_device_pt_id(dev), 0);
	assert_int_equal(iommufd_device_attach_pt_opts(NULL, a, NULL), -EINVAL);
	assert_int_equal(iommufd_device_detach_pt_opts(NULL, NULL), -EINVAL);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

/* A container's device: its attachments are the container's, PASIDs included. */
static void test_container_device(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	struct iommufd_container *c = NULL;
	uint32_t a = fx_ioas(f), cur;
	IOMMUFD_OPTS(iommufd_attach_opts, o, .flags = IOMMUFD_ATTACH_PASID, .pasid = 1);
	IOMMUFD_OPTS(iommufd_detach_opts, d, .flags = IOMMUFD_ATTACH_PASID, .pasid = 1);

	assert_int_equal(iommufd_container_new(f->ctx, 0, &c), 0);
	assert_int_equal(iommufd_container_attach(c, dev), 0);
	cur = iommufd_device_pt_id(dev);
	assert_err(f->ctx, iommufd_device_attach_pt_opts(dev, a, NULL), EBUSY, "container");
	assert_err(f->ctx, iommufd_device_attach_pt_opts(dev, a, &o), EBUSY, "pasid 1",
		   "container");
	assert_err(f->ctx, iommufd_device_detach_pt_opts(dev, &d), EBUSY, "detach", "pasid 1",
		   "container");
	assert_int_equal(iommufd_device_pt_id(dev), cur);
	iommufd_device_close(dev);
	iommufd_container_free(c);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_without_pasid),
		FX_TEST_6_12(test_pasid_on_6_12),
		FX_TEST(test_pasid_ioas_on_7_3),
		FX_TEST(test_bad_opts),
		FX_TEST(test_container_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
