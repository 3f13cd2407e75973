// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Whole lists: iommufd_list_devices_all() (at the caller's element size) and
 * iommufd_ioas_iova_ranges_all(): the same elements as the bounded calls, one
 * malloc'd array, and on any failure *out NULL with a message.
 */
#include <stdlib.h>

#include "obj_fixture.h"

/* A caller built against a later header, whose description has grown. */
struct later_desc {
	struct iommufd_device_desc d;
	uint64_t added[4];
};

static void test_devices_all(void **state)
{
	struct fx *f = *state;
	struct iommufd_device_desc d[NDEVICES], *all = NULL;
	int i;

	assert_int_equal(iommufd_list_devices(f->ctx, d, NDEVICES), NDEVICES);
	assert_int_equal(iommufd_list_devices_all(f->ctx, &all, sizeof(*all)), NDEVICES);
	assert_non_null(all);
	for (i = 0; i < NDEVICES; i++) {
		assert_string_equal(all[i].name, d[i].name);
		assert_string_equal(all[i].cdev, d[i].cdev);
		assert_string_equal(all[i].driver, d[i].driver);
		assert_string_equal(all[i].iommu, d[i].iommu);
		assert_int_equal(all[i].emulated, d[i].emulated);
	}
	free(all);
}

static void test_devices_all_larger_caller(void **state)
{
	struct fx *f = *state;
	struct iommufd_device_desc d[NDEVICES];
	struct later_desc *all = NULL;
	int i, j;

	assert_int_equal(iommufd_list_devices(f->ctx, d, NDEVICES), NDEVICES);
	assert_int_equal(iommufd_list_devices_all(f->ctx, (struct iommufd_device_desc **)&all,
						  sizeof(*all)), NDEVICES);
	for (i = 0; i < NDEVICES; i++) {
		assert_string_equal(all[i].d.name, d[i].name);
		assert_string_equal(all[i].d.iommu, d[i].iommu);
		assert_int_equal(all[i].d.emulated, d[i].emulated);
		/* What the library does not know is zero. */
		for (j = 0; j < 4; j++)
			assert_int_equal(all[i].added[j], 0);
	}
	free(all);
}

static void test_devices_all_bad_arguments(void **state)
{
	struct fx *f = *state;
	struct iommufd_device_desc *all = (struct iommufd_device_desc *)0x1;

	/* Smaller than the struct ever was: no caller built with this header passes it. */
	assert_err(f->ctx, iommufd_list_devices_all(f->ctx, &all, sizeof(*all) - 1), EINVAL,
		   "list devices", "element size");
	assert_null(all);
	all = (struct iommufd_device_desc *)0x1;
	assert_err(f->ctx, iommufd_list_devices_all(f->ctx, &all, 0), EINVAL, "list devices");
	assert_null(all);
	assert_err(f->ctx, iommufd_list_devices_all(f->ctx, NULL, sizeof(*all)), EINVAL,
		   "list devices", "out");
	all = (struct iommufd_device_desc *)0x1;
	assert_int_equal(iommufd_list_devices_all(NULL, &all, sizeof(*all)), -EINVAL);
	assert_null(all);
}

static void test_devices_all_none(void **state)
{
	struct iommufd_device_desc *all = (struct iommufd_device_desc *)0x1;
	struct iommufd_sim *sim = NULL;
	struct iommufd_ctx *ctx = NULL;

	assert_int_equal(iommufd_sim_new("{\"iommus\": [], \"devices\": []}", &sim), 0);
	assert_int_equal(iommufd_sim_open(sim, &ctx), 0);
	assert_int_equal(iommufd_list_devices_all(ctx, &all, sizeof(*all)), 0);
	assert_null(all);
	iommufd_close(ctx);
	iommufd_sim_free(sim);
}

static void test_ranges_all(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_NODIRTY);
	struct iommufd_iova_range r[8], *all = NULL;
	uint64_t align = 0, align_all = 0;
	uint32_t a = fx_ioas(f);
	int n, i;

	/* No device: the whole space. */
	assert_int_equal(iommufd_ioas_iova_ranges_all(f->ctx, a, &all, &align_all), 1);
	assert_int_equal(all[0].start, 0);
	assert_int_equal(all[0].last, UINT64_MAX);
	assert_int_equal(align_all, 1);
	free(all);

	/* A device narrows and splits it; the alignment is the domain's. */
	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	n = iommufd_ioas_iova_ranges(f->ctx, a, r, 8, &align);
	assert_true(n >= 2 && n <= 8);
	assert_int_equal(iommufd_ioas_iova_ranges_all(f->ctx, a, &all, &align_all), n);
	assert_int_equal(align_all, align);
	for (i = 0; i < n; i++) {
		assert_int_equal(all[i].start, r[i].start);
		assert_int_equal(all[i].last, r[i].last);
	}
	free(all);
	/* The alignment may be left out. */
	assert_int_equal(iommufd_ioas_iova_ranges_all(f->ctx, a, &all, NULL), n);
	free(all);

	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_ranges_all_failures(void **state)
{
	struct fx *f = *state;
	struct iommufd_iova_range *all = (struct iommufd_iova_range *)0x1;
	uint64_t align = 77;
	uint32_t a = fx_ioas(f);

	/* The kernel's errno, the kernel call named; nothing returned or changed. */
	assert_err(f->ctx, iommufd_ioas_iova_ranges_all(f->ctx, 999, &all, &align), ENOENT,
		   "IOAS_IOVA_RANGES", "999");
	assert_null(all);
	assert_int_equal(align, 77);
	all = (struct iommufd_iova_range *)0x1;
	assert_int_equal(iommufd_sim_fail_nth(f->sim, 1, EIO), 0);
	assert_err(f->ctx, iommufd_ioas_iova_ranges_all(f->ctx, a, &all, &align), EIO,
		   "IOAS_IOVA_RANGES");
	assert_null(all);
	assert_int_equal(align, 77);

	assert_err(f->ctx, iommufd_ioas_iova_ranges_all(f->ctx, a, NULL, &align), EINVAL,
		   "iova ranges", "out");
	all = (struct iommufd_iova_range *)0x1;
	assert_int_equal(iommufd_ioas_iova_ranges_all(NULL, a, &all, &align), -EINVAL);
	assert_null(all);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_devices_all),
		FX_TEST(test_devices_all_larger_caller),
		FX_TEST(test_devices_all_bad_arguments),
		cmocka_unit_test(test_devices_all_none),
		FX_TEST(test_ranges_all),
		FX_TEST(test_ranges_all_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
