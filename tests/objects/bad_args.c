// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A NULL where a call needs a pointer, with a context to report on: -EINVAL,
 * a message of this call (not the one an earlier failure left), nothing made.
 */
#include "obj_fixture.h"

/* An earlier failure's message, which the next failing call must replace. */
static void stale_error(struct fx *f)
{
	assert_int_equal(iommufd_destroy(f->ctx, 4242), -ENOENT);
	assert_non_null(strstr(iommufd_last_error(f->ctx), "DESTROY"));
}

#define assert_bad_arg(f, expr, ...)                     \
	do {                                             \
		stale_error(f);                          \
		assert_err((f)->ctx, expr, EINVAL, __VA_ARGS__); \
	} while (0)

static void test_object_calls(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f), dev_id = iommufd_device_id(dev);
	long live = iommufd_sim_live_objects(f->sim);

	assert_bad_arg(f, iommufd_ioas_alloc(f->ctx, NULL), "ioas alloc", "ioas_id");
	assert_bad_arg(f, iommufd_ioas_iova_ranges(f->ctx, a, NULL, 2, NULL), "iova ranges", "out");
	assert_bad_arg(f, iommufd_ioas_allow_iovas(f->ctx, a, NULL, 1), "allow iovas", "ranges");
	assert_bad_arg(f, iommufd_ioas_map(f->ctx, a, f->buf, PAGE, NULL, 0), "map", "iova");
	assert_bad_arg(f, iommufd_ioas_copy(f->ctx, a, a, 0, PAGE, NULL, 0), "copy", "dst_iova");
	assert_bad_arg(f, iommufd_hwpt_alloc(f->ctx, dev_id, a, 0, NULL), "hwpt alloc", "hwpt_id");
	assert_bad_arg(f, iommufd_get_hw_info(f->ctx, dev_id, NULL), "hw info", "out");
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);
	assert_int_equal(iommufd_device_pt_id(dev), 0);

	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_device_calls(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = (void *)1;

	assert_bad_arg(f, iommufd_device_open(f->ctx, NULL, &dev), "device open", "name");
	assert_null(dev);
	assert_bad_arg(f, iommufd_device_open(f->ctx, DEV_DIRTY, NULL), "device open", DEV_DIRTY,
		       "out");
	assert_bad_arg(f, iommufd_list_devices(f->ctx, NULL, 1), "list devices", "out");
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start);
}

static void test_container_new(void **state)
{
	struct fx *f = *state;

	assert_bad_arg(f, iommufd_container_new(f->ctx, 0, NULL), "container new", "out");
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_object_calls),
		FX_TEST(test_device_calls),
		FX_TEST(test_container_new),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
