// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IOAS_UNMAP: whole mappings only (a split is ENOENT), nothing mapped is
 * ENOENT, holes are fine and the unmapped length comes back, unmap-all.
 */
#include "obj_fixture.h"

static void test_unmap_exact(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);
	uint64_t unmapped = 0;

	fx_map(f, a, 0, 0x100000, 4 * PAGE, 0);
	assert_int_equal(iommufd_ioas_unmap(f->ctx, a, 0x100000, 4 * PAGE, &unmapped), 0);
	assert_int_equal(unmapped, 4 * PAGE);
	assert_true(fx_unmapped(f, a, 0x100000, 4 * PAGE));
	/* unmapped may be NULL */
	fx_map(f, a, 0, 0x100000, PAGE, 0);
	assert_int_equal(iommufd_ioas_unmap(f->ctx, a, 0x100000, PAGE, NULL), 0);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_unmap_split_enoent(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);
	uint64_t unmapped = 12345;

	fx_map(f, a, 0, 0x100000, 4 * PAGE, 0);
	/* Head, tail, middle and a range sticking out at either end. */
	assert_err(f->ctx, iommufd_ioas_unmap(f->ctx, a, 0x100000, PAGE, &unmapped), ENOENT,
		   "IOAS_UNMAP", "0x100000");
	assert_err(f->ctx, iommufd_ioas_unmap(f->ctx, a, 0x103000, PAGE, &unmapped), ENOENT,
		   "IOAS_UNMAP", "0x103000");
	assert_err(f->ctx, iommufd_ioas_unmap(f->ctx, a, 0x101000, 2 * PAGE, &unmapped), ENOENT,
		   "IOAS_UNMAP");
	assert_err(f->ctx, iommufd_ioas_unmap(f->ctx, a, 0x102000, 4 * PAGE, &unmapped), ENOENT,
		   "IOAS_UNMAP");
	assert_err(f->ctx, iommufd_ioas_unmap(f->ctx, a, 0xff000, 2 * PAGE, &unmapped), ENOENT,
		   "IOAS_UNMAP");
	assert_int_equal(unmapped, 12345); /* untouched on failure */
	assert_true(fx_mapped(f, a, 0x100000, 4 * PAGE));
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_unmap_nothing_enoent(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);

	assert_err(f->ctx, iommufd_ioas_unmap(f->ctx, a, 0x100000, PAGE, NULL), ENOENT,
		   "IOAS_UNMAP");
	fx_map(f, a, 0, 0x100000, PAGE, 0);
	assert_err(f->ctx, iommufd_ioas_unmap(f->ctx, a, 0x200000, 16 * PAGE, NULL), ENOENT,
		   "IOAS_UNMAP", "0x200000");
	assert_true(fx_mapped(f, a, 0x100000, PAGE));
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_unmap_bad_arguments(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);

	fx_map(f, a, 0, 0x100000, PAGE, 0);
	assert_err(f->ctx, iommufd_ioas_unmap(f->ctx, a, 0x100000, 0, NULL), EINVAL, "IOAS_UNMAP");
	assert_err(f->ctx, iommufd_ioas_unmap(f->ctx, a, UINT64_MAX - PAGE + 1, 2 * PAGE, NULL),
		   EOVERFLOW, "IOAS_UNMAP");
	/* Only iova 0 with UINT64_MAX means all; any other start overflows. */
	assert_err(f->ctx, iommufd_ioas_unmap(f->ctx, a, PAGE, UINT64_MAX, NULL), EOVERFLOW,
		   "IOAS_UNMAP");
	assert_err(f->ctx, iommufd_ioas_unmap(f->ctx, 888, 0x100000, PAGE, NULL), ENOENT,
		   "IOAS_UNMAP", "888");
	assert_true(fx_mapped(f, a, 0x100000, PAGE));
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_unmap_holes(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);
	uint64_t unmapped = 0;

	fx_map(f, a, 0, 0x100000, 2 * PAGE, 0);
	fx_map(f, a, 0, 0x110000, 3 * PAGE, 0);
	fx_map(f, a, 0, 0x200000, PAGE, 0);
	/* Whole mappings with holes between: fine, the bytes unmapped come back. */
	assert_int_equal(iommufd_ioas_unmap(f->ctx, a, 0xf0000, 0x30000, &unmapped), 0);
	assert_int_equal(unmapped, 5 * PAGE);
	assert_true(fx_unmapped(f, a, 0x100000, 2 * PAGE));
	assert_true(fx_unmapped(f, a, 0x110000, 3 * PAGE));
	assert_true(fx_mapped(f, a, 0x200000, PAGE));
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

/*
 * The kernel unmaps whole mappings in IOVA order and stops at the first one
 * it would split: the ones before it are gone although the call fails.
 */
static void test_unmap_stops_at_split(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);

	fx_map(f, a, 0, 0x100000, PAGE, 0);
	fx_map(f, a, 0, 0x110000, 4 * PAGE, 0);
	assert_err(f->ctx, iommufd_ioas_unmap(f->ctx, a, 0x100000, 0x12000, NULL), ENOENT,
		   "IOAS_UNMAP");
	assert_true(fx_unmapped(f, a, 0x100000, PAGE));
	assert_true(fx_mapped(f, a, 0x110000, 4 * PAGE));
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_unmap_all(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);
	uint64_t unmapped = 1;

	/* Nothing mapped: still fine, 0 bytes. */
	assert_int_equal(iommufd_ioas_unmap(f->ctx, a, 0, UINT64_MAX, &unmapped), 0);
	assert_int_equal(unmapped, 0);
	fx_map(f, a, 0, 0x100000, 2 * PAGE, 0);
	fx_map(f, a, 0, 0x40000000, 8 * PAGE, IOMMUFD_MAP_READONLY);
	fx_map(f, a, 0, UINT64_MAX - PAGE + 1, PAGE, 0);
	assert_int_equal(iommufd_ioas_unmap(f->ctx, a, 0, UINT64_MAX, &unmapped), 0);
	assert_int_equal(unmapped, 11 * PAGE);
	assert_true(fx_unmapped(f, a, 0x100000, 2 * PAGE));
	assert_true(fx_unmapped(f, a, 0x40000000, 8 * PAGE));
	assert_true(fx_unmapped(f, a, UINT64_MAX - PAGE + 1, PAGE));
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_unmap_with_device_stops_dma(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f);

	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	fx_map(f, a, 0, 0x100000, 2 * PAGE, 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, 2 * PAGE), 0);
	assert_int_equal(iommufd_ioas_unmap(f->ctx, a, 0x100000, 2 * PAGE, NULL), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), -EFAULT);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_unmap_exact),
		FX_TEST(test_unmap_split_enoent),
		FX_TEST(test_unmap_nothing_enoent),
		FX_TEST(test_unmap_bad_arguments),
		FX_TEST(test_unmap_holes),
		FX_TEST(test_unmap_stops_at_split),
		FX_TEST(test_unmap_all),
		FX_TEST(test_unmap_with_device_stops_dma),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
