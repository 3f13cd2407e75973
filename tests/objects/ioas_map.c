// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IOAS_MAP: fixed and kernel-chosen IOVAs, readonly, and each error the
 * kernel documents (overlap, length 0, wrap, unknown flags and ids, the
 * alignment and reserved ranges a device brings). A failed map maps nothing.
 */
#include "obj_fixture.h"

static void test_map_fixed(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);
	uint64_t iova = 0x100000;

	assert_int_equal(iommufd_ioas_map(f->ctx, a, f->buf, 4 * PAGE, &iova,
					  IOMMUFD_MAP_FIXED_IOVA), 0);
	assert_int_equal(iova, 0x100000);
	assert_true(fx_mapped(f, a, 0x100000, 4 * PAGE));
	assert_true(fx_unmapped(f, a, 0x100000 - PAGE, PAGE));
	assert_true(fx_unmapped(f, a, 0x100000 + 4 * PAGE, PAGE));
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_map_kernel_chosen(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);
	uint64_t iova = 0xdead0000, second, big;

	/* An empty IOAS: the first page above 0. The input value is ignored. */
	assert_int_equal(iommufd_ioas_map(f->ctx, a, f->buf, PAGE, &iova, 0), 0);
	assert_int_equal(iova, PAGE);
	/* Next to it, never over it. */
	assert_int_equal(iommufd_ioas_map(f->ctx, a, f->buf, PAGE, &second, 0), 0);
	assert_int_not_equal(second, iova);
	assert_true(fx_mapped(f, a, second, PAGE));
	/* A 2 MiB buffer that is 2 MiB aligned keeps that alignment in IOVA. */
	assert_int_equal(iommufd_ioas_map(f->ctx, a, f->buf, 2 << 20, &big, 0), 0);
	assert_int_equal(big % (2 << 20), 0);
	assert_true(fx_mapped(f, a, big, 2 << 20));
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_map_readonly(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f);

	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	fx_map(f, a, 0, 0x100000, 2 * PAGE, IOMMUFD_MAP_READONLY);
	fx_map(f, a, 2 * PAGE, 0x200000, 2 * PAGE, 0);
	/* The device may not write a readonly mapping: an IOMMU fault. */
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), -EFAULT);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x200000, 2 * PAGE), 0);
	/* Nor anything unmapped. */
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x300000, PAGE), -EFAULT);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_map_overlap_eexist(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);
	uint64_t iova;

	fx_map(f, a, 0, 0x100000, 4 * PAGE, 0);
	/* Any overlap: the tail, the head, the same range, a superset. */
	iova = 0x102000;
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, 4 * PAGE, &iova,
					    IOMMUFD_MAP_FIXED_IOVA), EEXIST, "IOAS_MAP", "0x102000");
	iova = 0x100000 - 2 * PAGE;
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, 3 * PAGE, &iova,
					    IOMMUFD_MAP_FIXED_IOVA), EEXIST, "IOAS_MAP");
	iova = 0x100000;
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, 4 * PAGE, &iova,
					    IOMMUFD_MAP_FIXED_IOVA), EEXIST, "IOAS_MAP");
	iova = 0xff000;
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, 8 * PAGE, &iova,
					    IOMMUFD_MAP_FIXED_IOVA), EEXIST, "IOAS_MAP");
	/* Nothing of the refused maps went in; the first mapping is whole. */
	assert_int_equal(iova, 0xff000);
	assert_true(fx_mapped(f, a, 0x100000, 4 * PAGE));
	assert_true(fx_unmapped(f, a, 0xfe000, 2 * PAGE));
	assert_true(fx_unmapped(f, a, 0x104000, 3 * PAGE));
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_map_length_zero(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);
	uint64_t iova = 0x100000;

	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, 0, &iova, IOMMUFD_MAP_FIXED_IOVA),
		   EINVAL, "IOAS_MAP");
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, 0, &iova, 0), EINVAL, "IOAS_MAP");
	assert_true(fx_unmapped(f, a, 0x100000, PAGE));
	assert_true(fx_unmapped(f, a, PAGE, PAGE));
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_map_wrap_eoverflow(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);
	uint64_t iova;

	/* iova + length passes 2^64. */
	iova = UINT64_MAX - PAGE + 1;
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, 2 * PAGE, &iova,
					    IOMMUFD_MAP_FIXED_IOVA), EOVERFLOW, "IOAS_MAP");
	iova = UINT64_MAX;
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, PAGE, &iova,
					    IOMMUFD_MAP_FIXED_IOVA), EOVERFLOW, "IOAS_MAP");
	iova = 0;
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, UINT64_MAX, &iova,
					    IOMMUFD_MAP_FIXED_IOVA), EOVERFLOW, "IOAS_MAP");
	/* The last page itself is fine. */
	iova = UINT64_MAX - PAGE + 1;
	assert_int_equal(iommufd_ioas_map(f->ctx, a, f->buf, PAGE, &iova,
					  IOMMUFD_MAP_FIXED_IOVA), 0);
	assert_true(fx_mapped(f, a, UINT64_MAX - PAGE + 1, PAGE));
	assert_true(fx_unmapped(f, a, UINT64_MAX - 2 * PAGE + 1, PAGE));
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_map_unknown_flags_and_ids(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);
	uint64_t iova = 0x100000;

	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, PAGE, &iova,
					    IOMMUFD_MAP_FIXED_IOVA | 0x40), EINVAL, "unknown flags");
	assert_int_equal(iova, 0x100000);
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, 4321, f->buf, PAGE, &iova,
					    IOMMUFD_MAP_FIXED_IOVA), ENOENT, "IOAS_MAP", "4321");
	assert_int_equal(iommufd_ioas_map(f->ctx, a, f->buf, PAGE, NULL, 0), -EINVAL);
	assert_true(fx_unmapped(f, a, 0x100000, PAGE));
	assert_true(fx_unmapped(f, a, PAGE, PAGE));
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

/* A device's domain brings page alignment, an aperture and reserved ranges. */
static void test_map_with_domain_rules(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_NODIRTY);
	uint32_t a = fx_ioas(f);
	uint64_t iova;

	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	iova = 0x100800;
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, PAGE, &iova,
					    IOMMUFD_MAP_FIXED_IOVA), EINVAL, "IOAS_MAP");
	iova = 0x100000;
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, PAGE + 1, &iova,
					    IOMMUFD_MAP_FIXED_IOVA), EINVAL, "IOAS_MAP");
	/* The x86 interrupt window. */
	iova = 0xfee00000;
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, PAGE, &iova,
					    IOMMUFD_MAP_FIXED_IOVA), EINVAL, "IOAS_MAP");
	/* Past dmar1's 39-bit aperture. */
	iova = 1ull << 39;
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, PAGE, &iova,
					    IOMMUFD_MAP_FIXED_IOVA), EINVAL, "IOAS_MAP");
	iova = (1ull << 39) - PAGE;
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, 2 * PAGE, &iova,
					    IOMMUFD_MAP_FIXED_IOVA), EINVAL, "IOAS_MAP");
	assert_true(fx_unmapped(f, a, 0x100000, 2 * PAGE));
	/* Inside the rules it maps and the device can write it. */
	fx_map(f, a, 0, (1ull << 39) - PAGE, PAGE, 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_NODIRTY, (1ull << 39) - PAGE, PAGE), 0);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

/*
 * Without a device any byte alignment maps; a device whose domain needs page
 * alignment then cannot attach (the kernel says EADDRINUSE) and stays off.
 */
static void test_unaligned_mapping_blocks_attach(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f);
	uint64_t iova = 0x100000;

	assert_int_equal(iommufd_ioas_map(f->ctx, a, f->buf + 0x800, PAGE, &iova,
					  IOMMUFD_MAP_FIXED_IOVA), 0);
	assert_err(f->ctx, iommufd_device_attach_pt(dev, a), EADDRINUSE, DEV_DIRTY);
	assert_int_equal(iommufd_device_pt_id(dev), 0);
	assert_true(fx_mapped(f, a, 0x100000, PAGE));
	assert_int_equal(iommufd_ioas_unmap(f->ctx, a, 0x100000, PAGE, NULL), 0);
	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_map_fixed),
		FX_TEST(test_map_kernel_chosen),
		FX_TEST(test_map_readonly),
		FX_TEST(test_map_overlap_eexist),
		FX_TEST(test_map_length_zero),
		FX_TEST(test_map_wrap_eoverflow),
		FX_TEST(test_map_unknown_flags_and_ids),
		FX_TEST(test_map_with_domain_rules),
		FX_TEST(test_unaligned_mapping_blocks_attach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
