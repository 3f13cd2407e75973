// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * HWPT_SET_DIRTY_TRACKING and HWPT_GET_DIRTY_BITMAP: bits set by device DMA
 * while tracking, cleared by a read unless NO_CLEAR, never cleared in the
 * caller's bitmap, and the argument checks.
 */
#include <stdlib.h>

#include "obj_fixture.h"

#define IOVA 0x100000ull
#define NPAGES 64

struct dirty_setup {
	struct iommufd_device *dev;
	uint32_t ioas, hwpt;
};

/* A dirty-tracking domain with DEV_DIRTY attached and NPAGES mapped at IOVA. */
static void dirty_setup(struct fx *f, struct dirty_setup *d, bool enable)
{
	d->dev = fx_dev(f, DEV_DIRTY);
	d->ioas = fx_ioas(f);
	assert_int_equal(iommufd_hwpt_alloc(f->ctx, iommufd_device_id(d->dev), d->ioas,
					    IOMMUFD_HWPT_DIRTY_TRACKING, &d->hwpt), 0);
	assert_int_equal(iommufd_device_attach_pt(d->dev, d->hwpt), 0);
	fx_map(f, d->ioas, 0, IOVA, NPAGES * PAGE, 0);
	if (enable)
		assert_int_equal(iommufd_hwpt_set_dirty_tracking(f->ctx, d->hwpt, true), 0);
}

static void dirty_teardown(struct fx *f, struct dirty_setup *d)
{
	iommufd_device_close(d->dev);
	assert_int_equal(iommufd_destroy(f->ctx, d->hwpt), 0);
	assert_int_equal(iommufd_destroy(f->ctx, d->ioas), 0);
}

static int read_bits(struct fx *f, uint32_t hwpt, uint64_t *bitmap, uint32_t flags)
{
	return iommufd_hwpt_get_dirty_bitmap(f->ctx, hwpt, IOVA, NPAGES * PAGE, PAGE, bitmap,
					     flags);
}

static void test_dma_sets_bits_and_read_clears(void **state)
{
	struct fx *f = *state;
	struct dirty_setup d;
	uint64_t bm[1] = { 0 };

	dirty_setup(f, &d, true);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, IOVA + PAGE, 1), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, IOVA + 3 * PAGE, 2 * PAGE), 0);
	/* A write across a page boundary dirties both pages. */
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, IOVA + 40 * PAGE - 8, 16), 0);
	assert_int_equal(read_bits(f, d.hwpt, bm, 0), 0);
	assert_int_equal(bm[0], (1ull << 1) | (1ull << 3) | (1ull << 4) | (1ull << 39) |
					(1ull << 40));
	/* The read cleared them. */
	bm[0] = 0;
	assert_int_equal(read_bits(f, d.hwpt, bm, 0), 0);
	assert_int_equal(bm[0], 0);
	dirty_teardown(f, &d);
}

static void test_no_clear_keeps_bits(void **state)
{
	struct fx *f = *state;
	struct dirty_setup d;
	uint64_t bm[1] = { 0 };

	dirty_setup(f, &d, true);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, IOVA + 2 * PAGE, PAGE), 0);
	assert_int_equal(read_bits(f, d.hwpt, bm, IOMMUFD_DIRTY_NO_CLEAR), 0);
	assert_int_equal(bm[0], 1ull << 2);
	bm[0] = 0;
	assert_int_equal(read_bits(f, d.hwpt, bm, IOMMUFD_DIRTY_NO_CLEAR), 0);
	assert_int_equal(bm[0], 1ull << 2);
	bm[0] = 0;
	assert_int_equal(read_bits(f, d.hwpt, bm, 0), 0);
	assert_int_equal(bm[0], 1ull << 2);
	bm[0] = 0;
	assert_int_equal(read_bits(f, d.hwpt, bm, 0), 0);
	assert_int_equal(bm[0], 0);
	dirty_teardown(f, &d);
}

static void test_caller_bits_stay(void **state)
{
	struct fx *f = *state;
	struct dirty_setup d;
	uint64_t bm[2] = { (1ull << 10) | (1ull << 63), 0xf0 };

	dirty_setup(f, &d, true);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, IOVA + 5 * PAGE, PAGE), 0);
	assert_int_equal(read_bits(f, d.hwpt, bm, 0), 0);
	/* Only sets: the bits already set stay, and nothing past the range is touched. */
	assert_int_equal(bm[0], (1ull << 10) | (1ull << 63) | (1ull << 5));
	assert_int_equal(bm[1], 0xf0);
	dirty_teardown(f, &d);
}

static void test_page_size_and_subrange(void **state)
{
	struct fx *f = *state;
	struct dirty_setup d;
	uint64_t bm[1] = { 0 };

	dirty_setup(f, &d, true);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, IOVA + 3 * PAGE, PAGE), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, IOVA + 20 * PAGE, PAGE), 0);
	/* 8 KiB per bit: page 3 is bit 1, page 20 is bit 10. */
	assert_int_equal(iommufd_hwpt_get_dirty_bitmap(f->ctx, d.hwpt, IOVA, NPAGES * PAGE,
						       2 * PAGE, bm, IOMMUFD_DIRTY_NO_CLEAR), 0);
	assert_int_equal(bm[0], (1ull << 1) | (1ull << 10));
	/* A window starting at page 16: page 20 is bit 4, page 3 is outside. */
	bm[0] = 0;
	assert_int_equal(iommufd_hwpt_get_dirty_bitmap(f->ctx, d.hwpt, IOVA + 16 * PAGE,
						       16 * PAGE, PAGE, bm, 0), 0);
	assert_int_equal(bm[0], 1ull << 4);
	/* Reading that window cleared page 20 only. */
	bm[0] = 0;
	assert_int_equal(read_bits(f, d.hwpt, bm, 0), 0);
	assert_int_equal(bm[0], 1ull << 3);
	/* A range reaching past the mappings is fine; unmapped IOVA is never dirty. */
	bm[0] = 0;
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, IOVA + 63 * PAGE, PAGE), 0);
	assert_int_equal(iommufd_hwpt_get_dirty_bitmap(f->ctx, d.hwpt, IOVA + 32 * PAGE,
						       64 * PAGE, PAGE, bm, 0), 0);
	assert_int_equal(bm[0], 1ull << 31);
	dirty_teardown(f, &d);
}

static void test_only_while_tracking(void **state)
{
	struct fx *f = *state;
	struct dirty_setup d;
	uint64_t bm[1] = { 0 };

	dirty_setup(f, &d, false);
	/* Not tracking yet: the IOMMU records nothing, and reading is fine. */
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, IOVA, PAGE), 0);
	assert_int_equal(read_bits(f, d.hwpt, bm, 0), 0);
	assert_int_equal(bm[0], 0);
	assert_int_equal(iommufd_hwpt_set_dirty_tracking(f->ctx, d.hwpt, true), 0);
	assert_int_equal(read_bits(f, d.hwpt, bm, 0), 0);
	assert_int_equal(bm[0], 0);
	/* Enabling twice is fine. */
	assert_int_equal(iommufd_hwpt_set_dirty_tracking(f->ctx, d.hwpt, true), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, IOVA + 7 * PAGE, PAGE), 0);
	/* Enabling starts from a clean snapshot: bits left from before are dropped. */
	assert_int_equal(iommufd_hwpt_set_dirty_tracking(f->ctx, d.hwpt, false), 0);
	assert_int_equal(iommufd_hwpt_set_dirty_tracking(f->ctx, d.hwpt, true), 0);
	assert_int_equal(read_bits(f, d.hwpt, bm, 0), 0);
	assert_int_equal(bm[0], 0);
	/* Disabled again: writes are not recorded. */
	assert_int_equal(iommufd_hwpt_set_dirty_tracking(f->ctx, d.hwpt, false), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, IOVA + 8 * PAGE, PAGE), 0);
	assert_int_equal(iommufd_hwpt_set_dirty_tracking(f->ctx, d.hwpt, true), 0);
	assert_int_equal(read_bits(f, d.hwpt, bm, 0), 0);
	assert_int_equal(bm[0], 0);
	dirty_teardown(f, &d);
}

/* An emulated device writes with the CPU, not through an IOMMU: no dirty bits. */
static void test_emulated_writes_not_tracked(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *mdev = fx_dev(f, DEV_MDEV);
	struct dirty_setup d;
	uint64_t bm[1] = { 0 };

	dirty_setup(f, &d, true);
	assert_int_equal(iommufd_device_attach_pt(mdev, d.ioas), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_MDEV, IOVA + PAGE, PAGE), 0);
	assert_int_equal(read_bits(f, d.hwpt, bm, 0), 0);
	assert_int_equal(bm[0], 0);
	iommufd_device_close(mdev);
	dirty_teardown(f, &d);
}

static void test_dirty_argument_errors(void **state)
{
	struct fx *f = *state;
	struct dirty_setup d;
	uint64_t bm[2] = { 0, 0 };
	uint32_t plain;
	char id[16];

	dirty_setup(f, &d, true);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, IOVA, PAGE), 0);
	snprintf(id, sizeof(id), "%u", d.hwpt);

	assert_err(f->ctx, iommufd_hwpt_get_dirty_bitmap(f->ctx, d.hwpt, IOVA, 0, PAGE, bm, 0),
		   EINVAL, "HWPT_GET_DIRTY_BITMAP", id);
	assert_err(f->ctx, iommufd_hwpt_get_dirty_bitmap(f->ctx, d.hwpt, IOVA + 1, PAGE, PAGE, bm,
							 0), EINVAL, "HWPT_GET_DIRTY_BITMAP");
	assert_err(f->ctx, iommufd_hwpt_get_dirty_bitmap(f->ctx, d.hwpt, IOVA, PAGE + 512, PAGE,
							 bm, 0), EINVAL, "HWPT_GET_DIRTY_BITMAP");
	/* Page size 0: refused before the kernel (which says EINVAL too) is asked. */
	assert_err(f->ctx, iommufd_hwpt_get_dirty_bitmap(f->ctx, d.hwpt, IOVA, PAGE, 0, bm, 0),
		   EINVAL, "dirty bitmap hwpt", id, "page size 0");
	/* A page size the IOVA is not aligned to. */
	assert_err(f->ctx, iommufd_hwpt_get_dirty_bitmap(f->ctx, d.hwpt, IOVA + PAGE, 2 * PAGE,
							 2 * PAGE, bm, 0), EINVAL,
		   "HWPT_GET_DIRTY_BITMAP");
	assert_err(f->ctx, iommufd_hwpt_get_dirty_bitmap(f->ctx, d.hwpt, UINT64_MAX - PAGE + 1,
							 2 * PAGE, PAGE, bm, 0), EOVERFLOW,
		   "HWPT_GET_DIRTY_BITMAP");
	assert_err(f->ctx, iommufd_hwpt_get_dirty_bitmap(f->ctx, 4040, IOVA, PAGE, PAGE, bm, 0),
		   ENOENT, "HWPT_GET_DIRTY_BITMAP", "4040");
	/* An IOAS is not a HWPT. */
	assert_err(f->ctx, iommufd_hwpt_get_dirty_bitmap(f->ctx, d.ioas, IOVA, PAGE, PAGE, bm, 0),
		   ENOENT, "HWPT_GET_DIRTY_BITMAP");
	assert_err(f->ctx, iommufd_hwpt_get_dirty_bitmap(f->ctx, d.hwpt, IOVA, PAGE, PAGE, bm, 2),
		   EINVAL, "unknown flags");

	assert_err(f->ctx, iommufd_hwpt_set_dirty_tracking(f->ctx, 4141, true), ENOENT,
		   "HWPT_SET_DIRTY_TRACKING", "4141");
	assert_err(f->ctx, iommufd_hwpt_set_dirty_tracking(f->ctx, d.ioas, true), ENOENT,
		   "HWPT_SET_DIRTY_TRACKING");

	/* A domain allocated without dirty tracking has none to switch or read. */
	assert_int_equal(iommufd_hwpt_alloc(f->ctx, iommufd_device_id(d.dev), d.ioas, 0, &plain),
			 0);
	snprintf(id, sizeof(id), "%u", plain);
	assert_err(f->ctx, iommufd_hwpt_set_dirty_tracking(f->ctx, plain, true), EOPNOTSUPP,
		   "HWPT_SET_DIRTY_TRACKING", id);
	assert_err(f->ctx, iommufd_hwpt_get_dirty_bitmap(f->ctx, plain, IOVA, PAGE, PAGE, bm, 0),
		   EOPNOTSUPP, "HWPT_GET_DIRTY_BITMAP", id);
	assert_int_equal(iommufd_destroy(f->ctx, plain), 0);

	/* None of the refused reads consumed the dirty page. */
	assert_int_equal(bm[0], 0);
	assert_int_equal(read_bits(f, d.hwpt, bm, 0), 0);
	assert_int_equal(bm[0], 1);
	dirty_teardown(f, &d);
}

/*
 * A NULL bitmap: Linux 6.12 answers 0 and, unless NO_CLEAR, clears the bits it
 * could not report. Refused before the kernel is asked; the page stays dirty.
 */
static void test_null_bitmap_refused(void **state)
{
	struct fx *f = *state;
	struct dirty_setup d;
	uint64_t bm[1] = { 0 };
	char id[16];

	dirty_setup(f, &d, true);
	snprintf(id, sizeof(id), "%u", d.hwpt);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, IOVA + 2 * PAGE, PAGE), 0);
	assert_err(f->ctx, read_bits(f, d.hwpt, NULL, 0), EFAULT, "dirty bitmap hwpt", id,
		   "bitmap is NULL");
	assert_err(f->ctx, read_bits(f, d.hwpt, NULL, IOMMUFD_DIRTY_NO_CLEAR), EFAULT,
		   "bitmap is NULL");
	assert_int_equal(read_bits(f, d.hwpt, bm, 0), 0);
	assert_int_equal(bm[0], 1ull << 2);
	dirty_teardown(f, &d);
}

/*
 * A page size that is not a power of two: Linux 6.12 takes its lowest set bit
 * for the page size (a bit per byte for 3) and writes past a bitmap sized for
 * the size given. Refused before the kernel is asked; nothing written or cleared.
 */
static void test_page_size_not_power_of_two(void **state)
{
	static const uint64_t sizes[] = { 3, 6, 12, 3 * PAGE, 5 * PAGE };
	const uint64_t len = 60 * PAGE; /* a multiple of every size above */
	struct fx *f = *state;
	struct dirty_setup d;
	uint64_t *bm, words = len / 64 + 1; /* room for a bit per byte: see what is written */
	unsigned i;
	uint64_t w;

	dirty_setup(f, &d, true);
	bm = calloc(words, sizeof(*bm));
	assert_non_null(bm);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, IOVA + 59 * PAGE, PAGE), 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int ret = iommufd_hwpt_get_dirty_bitmap(f->ctx, d.hwpt, IOVA, len, sizes[i], bm, 0);

		assert_err(f->ctx, ret, EINVAL, "dirty bitmap hwpt", "is not a power of two");
		for (w = 0; w < words; w++)
			assert_int_equal(bm[w], 0);
	}
	assert_err(f->ctx, iommufd_hwpt_get_dirty_bitmap(f->ctx, d.hwpt, IOVA, len, 0, bm, 0),
		   EINVAL, "dirty bitmap hwpt", "page size 0");
	assert_int_equal(read_bits(f, d.hwpt, bm, 0), 0);
	assert_int_equal(bm[0], 1ull << 59);
	free(bm);
	dirty_teardown(f, &d);
}

/* The automatic domain of a device attached to an IOAS has no dirty tracking. */
static void test_auto_domain_has_no_dirty_tracking(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f);

	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	assert_err(f->ctx, iommufd_hwpt_set_dirty_tracking(f->ctx, iommufd_device_pt_id(dev), true),
		   EOPNOTSUPP, "HWPT_SET_DIRTY_TRACKING");
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_dma_sets_bits_and_read_clears),
		FX_TEST(test_no_clear_keeps_bits),
		FX_TEST(test_caller_bits_stay),
		FX_TEST(test_page_size_and_subrange),
		FX_TEST(test_only_while_tracking),
		FX_TEST(test_emulated_writes_not_tracked),
		FX_TEST(test_dirty_argument_errors),
		FX_TEST(test_auto_domain_has_no_dirty_tracking),
		FX_TEST(test_null_bitmap_refused),
		FX_TEST(test_page_size_not_power_of_two),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
