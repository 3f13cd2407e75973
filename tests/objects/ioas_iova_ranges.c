// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IOVA_RANGES (count, short buffers, alignment, how devices narrow them) and
 * ALLOW_IOVAS (steers the kernel's IOVA choice, does not change the ranges).
 */
#include "obj_fixture.h"

static void test_ranges_without_device(void **state)
{
	struct fx *f = *state;
	struct iommufd_iova_range r[4];
	uint64_t align = 0;
	uint32_t a = fx_ioas(f);

	memset(r, 0xa5, sizeof(r));
	/* No device: the whole 64-bit space, alignment 1. */
	assert_int_equal(iommufd_ioas_iova_ranges(f->ctx, a, r, 4, &align), 1);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, UINT64_MAX);
	assert_int_equal(align, 1);
	/* Only the count, no buffer. */
	assert_int_equal(iommufd_ioas_iova_ranges(f->ctx, a, NULL, 0, NULL), 1);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_ranges_unknown_ioas(void **state)
{
	struct fx *f = *state;
	struct iommufd_iova_range r[2];

	assert_err(f->ctx, iommufd_ioas_iova_ranges(f->ctx, 999, r, 2, NULL), ENOENT,
		   "IOAS_IOVA_RANGES", "999");
	assert_int_equal(iommufd_ioas_iova_ranges(f->ctx, 1, NULL, 3, NULL), -EINVAL);
}

static void test_ranges_with_device_and_short_buffer(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_NODIRTY);
	struct iommufd_iova_range r[8], one[1];
	uint64_t align = 0, prev_last = 0;
	uint32_t a = fx_ioas(f);
	int n, i;

	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	n = iommufd_ioas_iova_ranges(f->ctx, a, r, 8, &align);
	/* The 39-bit domain and the device's MSI window split the space. */
	assert_true(n >= 2 && n <= 8);
	assert_int_equal(align, PAGE);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[n - 1].last, (1ull << 39) - 1);
	for (i = 0; i < n; i++) {
		assert_true(r[i].start <= r[i].last);
		if (i)
			assert_true(r[i].start > prev_last + 1); /* a gap between ranges */
		prev_last = r[i].last;
		/* The x86 interrupt window is never DMA space. */
		assert_false(r[i].start <= 0xfee00000ull && r[i].last >= 0xfee00000ull);
	}

	/* Too short a buffer: the count of all, the first ones filled. */
	memset(one, 0, sizeof(one));
	align = 0;
	assert_int_equal(iommufd_ioas_iova_ranges(f->ctx, a, one, 1, &align), n);
	assert_int_equal(one[0].start, r[0].start);
	assert_int_equal(one[0].last, r[0].last);
	assert_int_equal(align, PAGE);
	assert_int_equal(iommufd_ioas_iova_ranges(f->ctx, a, NULL, 0, NULL), n);

	/* Detached, the IOAS is whole again. */
	assert_int_equal(iommufd_device_detach_pt(dev), 0);
	assert_int_equal(iommufd_ioas_iova_ranges(f->ctx, a, r, 8, &align), 1);
	assert_int_equal(r[0].last, UINT64_MAX);
	assert_int_equal(align, 1);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_allow_iovas_steers_kernel_choice(void **state)
{
	struct fx *f = *state;
	const struct iommufd_iova_range allow[2] = {
		{ 0x40000000, 0x40000000 + (4 << 20) - 1 },
		{ 0x80000000, 0x80000000 + (4 << 20) - 1 },
	};
	struct iommufd_iova_range r[2];
	uint64_t iova, align;
	uint32_t a = fx_ioas(f);

	assert_int_equal(iommufd_ioas_allow_iovas(f->ctx, a, allow, 2), 0);
	/* IOVA_RANGES reports what the hardware path allows, not this. */
	assert_int_equal(iommufd_ioas_iova_ranges(f->ctx, a, r, 2, &align), 1);
	assert_int_equal(r[0].last, UINT64_MAX);

	assert_int_equal(iommufd_ioas_map(f->ctx, a, f->buf, 2 << 20, &iova, 0), 0);
	assert_int_equal(iova, 0x40000000);
	assert_int_equal(iommufd_ioas_map(f->ctx, a, f->buf, 4 << 20, &iova, 0), 0);
	assert_int_equal(iova, 0x80000000);
	/* No allowed room left for a kernel-chosen IOVA. */
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, 4 << 20, &iova, 0), ENOSPC,
		   "IOAS_MAP");

	/* Narrowing the allowed set past an existing mapping is fine: it stays. */
	assert_int_equal(iommufd_ioas_allow_iovas(f->ctx, a, allow, 1), 0);
	assert_true(fx_mapped(f, a, 0x80000000, 4 << 20));
	assert_err(f->ctx, iommufd_ioas_map(f->ctx, a, f->buf, 4 << 20, &iova, 0), ENOSPC,
		   "IOAS_MAP");

	/* An empty set allows everything again. */
	assert_int_equal(iommufd_ioas_allow_iovas(f->ctx, a, NULL, 0), 0);
	assert_int_equal(iommufd_ioas_map(f->ctx, a, f->buf, PAGE, &iova, 0), 0);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_allow_iovas_bad_input(void **state)
{
	struct fx *f = *state;
	const struct iommufd_iova_range overlap[2] = {
		{ 0x100000, 0x2fffff },
		{ 0x200000, 0x3fffff },
	};
	const struct iommufd_iova_range backwards[1] = { { 0x200000, 0x100000 } };
	const struct iommufd_iova_range one_byte[1] = { { 0x200000, 0x200000 } };
	uint64_t iova;
	uint32_t a = fx_ioas(f);

	assert_err(f->ctx, iommufd_ioas_allow_iovas(f->ctx, a, overlap, 2), EINVAL,
		   "IOAS_ALLOW_IOVAS");
	assert_err(f->ctx, iommufd_ioas_allow_iovas(f->ctx, a, backwards, 1), EINVAL,
		   "IOAS_ALLOW_IOVAS");
	/* The kernel wants start < last. */
	assert_err(f->ctx, iommufd_ioas_allow_iovas(f->ctx, a, one_byte, 1), EINVAL,
		   "IOAS_ALLOW_IOVAS");
	assert_err(f->ctx, iommufd_ioas_allow_iovas(f->ctx, 777, overlap, 1), ENOENT,
		   "IOAS_ALLOW_IOVAS", "777");
	assert_int_equal(iommufd_ioas_allow_iovas(f->ctx, a, NULL, 1), -EINVAL);
	/* Nothing was restricted: the first kernel-chosen IOVA is the usual one. */
	assert_int_equal(iommufd_ioas_map(f->ctx, a, f->buf, PAGE, &iova, 0), 0);
	assert_int_equal(iova, PAGE);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

/* Allowed ranges and a device's reserved (MSI) window exclude each other. */
static void test_allow_iovas_against_reserved(void **state)
{
	struct fx *f = *state;
	const struct iommufd_iova_range msi[1] = { { 0xf0000000, 0xffffffff } };
	const struct iommufd_iova_range low[1] = { { 0x100000, 0x1fffff } };
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint64_t iova;
	uint32_t a = fx_ioas(f);

	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	assert_err(f->ctx, iommufd_ioas_allow_iovas(f->ctx, a, msi, 1), EADDRINUSE,
		   "IOAS_ALLOW_IOVAS");
	/* Refused as a whole: no restriction was left behind. */
	assert_int_equal(iommufd_ioas_map(f->ctx, a, f->buf, PAGE, &iova, 0), 0);
	assert_int_equal(iova, PAGE);
	assert_int_equal(iommufd_ioas_allow_iovas(f->ctx, a, low, 1), 0);
	assert_int_equal(iommufd_device_detach_pt(dev), 0);

	/* The other way round: the attach is refused and the device stays detached. */
	assert_int_equal(iommufd_ioas_allow_iovas(f->ctx, a, msi, 1), 0);
	assert_err(f->ctx, iommufd_device_attach_pt(dev, a), EADDRINUSE, DEV_DIRTY);
	assert_int_equal(iommufd_device_pt_id(dev), 0);
	assert_int_equal(iommufd_ioas_allow_iovas(f->ctx, a, NULL, 0), 0);
	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);

	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_ranges_without_device),
		FX_TEST(test_ranges_unknown_ioas),
		FX_TEST(test_ranges_with_device_and_short_buffer),
		FX_TEST(test_allow_iovas_steers_kernel_choice),
		FX_TEST(test_allow_iovas_bad_input),
		FX_TEST(test_allow_iovas_against_reserved),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
