// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IOAS_COPY: the pages behind a mapped IOVA range mapped again, in another
 * IOAS or the same one, at a fixed or kernel-chosen IOVA; and its errors.
 */
#include "obj_fixture.h"

static void test_copy_fixed_and_kernel_chosen(void **state)
{
	struct fx *f = *state;
	uint32_t src = fx_ioas(f), dst = fx_ioas(f);
	uint64_t at = 0x500000, chosen = 0;

	fx_map(f, src, 0, 0x100000, 4 * PAGE, 0);
	assert_int_equal(iommufd_ioas_copy(f->ctx, dst, src, 0x100000, 4 * PAGE, &at,
					   IOMMUFD_MAP_FIXED_IOVA), 0);
	assert_int_equal(at, 0x500000);
	assert_true(fx_mapped(f, dst, 0x500000, 4 * PAGE));
	assert_true(fx_mapped(f, src, 0x100000, 4 * PAGE));
	assert_int_equal(iommufd_ioas_copy(f->ctx, dst, src, 0x100000, 4 * PAGE, &chosen, 0), 0);
	assert_int_not_equal(chosen, 0x500000);
	assert_true(fx_mapped(f, dst, chosen, 4 * PAGE));
	/* The same IOAS is a fine destination too. */
	at = 0x900000;
	assert_int_equal(iommufd_ioas_copy(f->ctx, src, src, 0x100000, 4 * PAGE, &at,
					   IOMMUFD_MAP_FIXED_IOVA), 0);
	assert_true(fx_mapped(f, src, 0x900000, 4 * PAGE));
	assert_int_equal(iommufd_destroy(f->ctx, src), 0);
	/* The copy holds the pages, not the source IOAS. */
	assert_true(fx_mapped(f, dst, 0x500000, 4 * PAGE));
	assert_int_equal(iommufd_destroy(f->ctx, dst), 0);
}

static void test_copy_part_and_adjacent(void **state)
{
	struct fx *f = *state;
	uint32_t src = fx_ioas(f), dst = fx_ioas(f);
	uint64_t at;

	fx_map(f, src, 0, 0x100000, 4 * PAGE, 0);
	fx_map(f, src, 4 * PAGE, 0x104000, 2 * PAGE, 0);
	/* The middle of one mapping. */
	at = 0x200000;
	assert_int_equal(iommufd_ioas_copy(f->ctx, dst, src, 0x101000, 2 * PAGE, &at,
					   IOMMUFD_MAP_FIXED_IOVA), 0);
	assert_true(fx_mapped(f, dst, 0x200000, 2 * PAGE));
	assert_true(fx_unmapped(f, dst, 0x202000, PAGE));
	/* Across two mappings that touch. */
	at = 0x300000;
	assert_int_equal(iommufd_ioas_copy(f->ctx, dst, src, 0x103000, 2 * PAGE, &at,
					   IOMMUFD_MAP_FIXED_IOVA), 0);
	assert_true(fx_mapped(f, dst, 0x300000, 2 * PAGE));
	assert_int_equal(iommufd_destroy(f->ctx, src), 0);
	assert_int_equal(iommufd_destroy(f->ctx, dst), 0);
}

static void test_copy_errors(void **state)
{
	struct fx *f = *state;
	uint32_t src = fx_ioas(f), dst = fx_ioas(f);
	uint64_t at;

	fx_map(f, src, 0, 0x100000, 2 * PAGE, 0);
	fx_map(f, src, 0, 0x104000, 2 * PAGE, IOMMUFD_MAP_READONLY);
	fx_map(f, dst, 0, 0x600000, PAGE, 0);

	/* A hole in the source range. */
	at = 0x500000;
	assert_err(f->ctx, iommufd_ioas_copy(f->ctx, dst, src, 0x100000, 6 * PAGE, &at,
					     IOMMUFD_MAP_FIXED_IOVA), ENOENT, "IOAS_COPY");
	assert_err(f->ctx, iommufd_ioas_copy(f->ctx, dst, src, 0x200000, PAGE, &at,
					     IOMMUFD_MAP_FIXED_IOVA), ENOENT, "IOAS_COPY");
	/* The destination is taken. */
	at = 0x5ff000;
	assert_err(f->ctx, iommufd_ioas_copy(f->ctx, dst, src, 0x100000, 2 * PAGE, &at,
					     IOMMUFD_MAP_FIXED_IOVA), EEXIST, "IOAS_COPY");
	/* Writeable from pages mapped readonly. */
	at = 0x500000;
	assert_err(f->ctx, iommufd_ioas_copy(f->ctx, dst, src, 0x104000, 2 * PAGE, &at,
					     IOMMUFD_MAP_FIXED_IOVA), EPERM, "IOAS_COPY");
	/* Length 0, unknown ids, unknown flags. */
	assert_err(f->ctx, iommufd_ioas_copy(f->ctx, dst, src, 0x100000, 0, &at,
					     IOMMUFD_MAP_FIXED_IOVA), EINVAL, "IOAS_COPY");
	assert_err(f->ctx, iommufd_ioas_copy(f->ctx, dst, 9191, 0x100000, PAGE, &at,
					     IOMMUFD_MAP_FIXED_IOVA), ENOENT, "IOAS_COPY", "9191");
	assert_err(f->ctx, iommufd_ioas_copy(f->ctx, 9292, src, 0x100000, PAGE, &at,
					     IOMMUFD_MAP_FIXED_IOVA), ENOENT, "IOAS_COPY", "9292");
	assert_err(f->ctx, iommufd_ioas_copy(f->ctx, dst, src, 0x100000, PAGE, &at, 0x10),
		   EINVAL, "unknown flags");
	assert_int_equal(iommufd_ioas_copy(f->ctx, dst, src, 0x100000, PAGE, NULL, 0), -EINVAL);

	/* None of it mapped anything; readonly copies of readonly pages are fine. */
	assert_true(fx_unmapped(f, dst, 0x500000, 6 * PAGE));
	assert_true(fx_mapped(f, dst, 0x600000, PAGE));
	assert_int_equal(iommufd_ioas_copy(f->ctx, dst, src, 0x104000, 2 * PAGE, &at,
					   IOMMUFD_MAP_FIXED_IOVA | IOMMUFD_MAP_READONLY), 0);
	assert_int_equal(iommufd_destroy(f->ctx, src), 0);
	assert_int_equal(iommufd_destroy(f->ctx, dst), 0);
}

/* A device behind the destination reaches the copied pages, with the copy's rights. */
static void test_copy_reaches_device(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t src = fx_ioas(f), dst = fx_ioas(f);
	uint64_t rw = 0x700000, ro = 0x800000;

	assert_int_equal(iommufd_device_attach_pt(dev, dst), 0);
	fx_map(f, src, 0, 0x100000, 2 * PAGE, 0);
	assert_int_equal(iommufd_ioas_copy(f->ctx, dst, src, 0x100000, 2 * PAGE, &rw,
					   IOMMUFD_MAP_FIXED_IOVA), 0);
	assert_int_equal(iommufd_ioas_copy(f->ctx, dst, src, 0x100000, 2 * PAGE, &ro,
					   IOMMUFD_MAP_FIXED_IOVA | IOMMUFD_MAP_READONLY), 0);
	assert_int_equal(iommufd_ioas_unmap(f->ctx, src, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x700000, 2 * PAGE), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x800000, PAGE), -EFAULT);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), -EFAULT);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, src), 0);
	assert_int_equal(iommufd_destroy(f->ctx, dst), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_copy_fixed_and_kernel_chosen),
		FX_TEST(test_copy_part_and_adjacent),
		FX_TEST(test_copy_errors),
		FX_TEST(test_copy_reaches_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
