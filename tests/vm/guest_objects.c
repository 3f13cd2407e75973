// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The object calls on the real kernel (both machines): IOAS alloc, map,
 * unmap, copy, IOVA ranges, destroy; HWPT alloc, hw info and dirty tracking
 * with a device (machine A: a VFIO cdev, machine B: a selftest device).
 * Each wrong call must give the kernel's documented errno, a message, and
 * change nothing.
 */
#include <stdio.h>

#include "guest_common.h"

/* Unmap everything; returns the bytes that were mapped. */
static uint64_t unmap_all(struct iommufd_ctx *ctx, uint32_t ioas)
{
	uint64_t unmapped = ~0ull;

	vm_expect(ctx, iommufd_ioas_unmap(ctx, ioas, 0, UINT64_MAX, &unmapped), 0);
	return unmapped;
}

static void ioas_alloc_and_destroy(void)
{
	struct iommufd_ctx *ctx = vm_ctx();
	uint32_t a = 0, b = 0;

	vm_expect(ctx, iommufd_ioas_alloc(ctx, &a), 0);
	vm_expect(ctx, iommufd_ioas_alloc(ctx, &b), 0);
	vt_assert(a && b && a != b);
	vm_expect(ctx, iommufd_destroy(ctx, a), 0);
	vm_expect_err(ctx, iommufd_destroy(ctx, a), ENOENT);
	vm_expect_err(ctx, iommufd_destroy(ctx, 0xfffff), ENOENT);
	vm_expect(ctx, iommufd_destroy(ctx, b), 0);
	iommufd_close(ctx);
}

static void iova_ranges_of_an_empty_ioas(void)
{
	struct iommufd_ctx *ctx = vm_ctx();
	struct iommufd_iova_range r[4];
	uint64_t align = 0;
	uint32_t ioas;

	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	/* max 0: only the count */
	vm_expect(ctx, iommufd_ioas_iova_ranges(ctx, ioas, NULL, 0, &align), 1);
	vm_expect(ctx, iommufd_ioas_iova_ranges(ctx, ioas, r, 4, &align), 1);
	vt_assert_u64_eq(r[0].start, 0);
	vt_assert_u64_eq(r[0].last, UINT64_MAX);
	vt_assert_u64_eq(align, 1);
	vm_expect_err(ctx, iommufd_ioas_iova_ranges(ctx, ioas + 100, r, 4, &align), ENOENT);
	iommufd_close(ctx);
}

static void map_fixed_and_unmap(void)
{
	struct iommufd_ctx *ctx = vm_ctx();
	void *buf = vm_buf(SZ_64K);
	uint64_t iova = SZ_1M, unmapped = 0;
	uint32_t ioas;

	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_64K, &iova, IOMMUFD_MAP_FIXED_IOVA), 0);
	vt_assert_u64_eq(iova, SZ_1M);
	vm_expect(ctx, iommufd_ioas_unmap(ctx, ioas, SZ_1M, SZ_64K, &unmapped), 0);
	vt_assert_u64_eq(unmapped, SZ_64K);
	vt_assert_u64_eq(unmap_all(ctx, ioas), 0);
	iommufd_close(ctx);
}

/*
 * The kernel's choice (6.12, THP kernel): the lowest free IOVA from 4 KiB up
 * that is aligned to min(length rounded up to a power of two, the lowest set
 * bit of the user address, 2 MiB).
 */
static uint64_t expected_pick(uint64_t va, uint64_t len, uint64_t after)
{
	uint64_t align = 1, low = va & -va;

	while (align < len)
		align <<= 1;
	if (low && low < align)
		align = low;
	if (align > SZ_2M)
		align = SZ_2M;
	if (after < SZ_4K)
		after = SZ_4K;
	return (after + align - 1) & ~(align - 1);
}

static void map_lets_the_kernel_pick_the_iova(void)
{
	struct iommufd_ctx *ctx = vm_ctx();
	/* 4 MiB-aligned memory, so that the user address decides the alignment */
	uint8_t *raw = vm_buf(8 * SZ_1M);
	uint8_t *buf = (uint8_t *)(((uintptr_t)raw + 4 * SZ_1M - 1) & ~(uintptr_t)(4 * SZ_1M - 1));
	uint64_t a = 0, b = 0, c = 0, d = 0;
	uint32_t ioas;

	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	/* 64 KiB from a 4 MiB-aligned address: 64 KiB alignment */
	vm_expect(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_64K, &a, 0), 0);
	vt_assert_u64_eq(a, expected_pick((uintptr_t)buf, SZ_64K, 0));
	vt_assert_u64_eq(a, SZ_64K);
	/* 4 KiB aligned: the first hole it fits (not 0x1000..0xffff: too small) */
	vm_expect(ctx, iommufd_ioas_map(ctx, ioas, buf + SZ_4K, SZ_64K, &b, 0), 0);
	vt_assert_u64_eq(b, expected_pick((uintptr_t)buf + SZ_4K, SZ_64K, a + SZ_64K));
	vt_assert_u64_eq(b, 2 * SZ_64K);
	/* 4 MiB: at most 2 MiB alignment, after what is mapped */
	vm_expect(ctx, iommufd_ioas_map(ctx, ioas, buf, 4 * SZ_1M, &c, 0), 0);
	vt_assert_u64_eq(c, SZ_2M);
	/* the page offset of the user address is kept; the low hole fits 4 KiB */
	vm_expect(ctx, iommufd_ioas_map(ctx, ioas, buf + 0x10, SZ_4K, &d, 0), 0);
	vt_assert_u64_eq(d, SZ_4K + 0x10);
	vt_note("picked 0x%llx 0x%llx 0x%llx 0x%llx", (unsigned long long)a, (unsigned long long)b,
		(unsigned long long)c, (unsigned long long)d);
	vt_assert_u64_eq(unmap_all(ctx, ioas), 2 * SZ_64K + 4 * SZ_1M + SZ_4K);
	iommufd_close(ctx);
}

static void map_errors_change_nothing(void)
{
	struct iommufd_ctx *ctx = vm_ctx();
	void *buf = vm_buf(SZ_64K);
	uint64_t iova;
	uint32_t ioas;

	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	iova = SZ_1M;
	vm_expect(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_64K, &iova, IOMMUFD_MAP_FIXED_IOVA), 0);

	/* any overlap with an existing mapping */
	iova = SZ_1M + SZ_4K;
	vm_expect_err(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_4K, &iova, IOMMUFD_MAP_FIXED_IOVA),
		      EEXIST);
	iova = SZ_1M - SZ_4K;
	vm_expect_err(ctx, iommufd_ioas_map(ctx, ioas, buf, 2 * SZ_4K, &iova,
					    IOMMUFD_MAP_FIXED_IOVA), EEXIST);
	/* length 0 */
	iova = 4 * SZ_1M;
	vm_expect_err(ctx, iommufd_ioas_map(ctx, ioas, buf, 0, &iova, IOMMUFD_MAP_FIXED_IOVA),
		      EINVAL);
	/* iova + length wraps */
	iova = UINT64_MAX - SZ_4K + 1;
	vm_expect_err(ctx, iommufd_ioas_map(ctx, ioas, buf, 2 * SZ_4K, &iova,
					    IOMMUFD_MAP_FIXED_IOVA), EOVERFLOW);
	/* flags the library does not know */
	iova = 4 * SZ_1M;
	vm_expect_err(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_4K, &iova, 1u << 7), EINVAL);
	/* an IOAS that does not exist */
	vm_expect_err(ctx, iommufd_ioas_map(ctx, ioas + 100, buf, SZ_4K, &iova,
					    IOMMUFD_MAP_FIXED_IOVA), ENOENT);

	/* only the first mapping is there */
	vt_assert_u64_eq(unmap_all(ctx, ioas), SZ_64K);
	iommufd_close(ctx);
}

static void unmap_rules(void)
{
	struct iommufd_ctx *ctx = vm_ctx();
	void *buf = vm_buf(SZ_64K);
	uint64_t iova, unmapped;
	uint32_t ioas;
	int i;

	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	/* nothing mapped at all */
	vm_expect_err(ctx, iommufd_ioas_unmap(ctx, ioas, SZ_1M, SZ_4K, NULL), ENOENT);
	vt_assert_u64_eq(unmap_all(ctx, ioas), 0);

	/* three 64 KiB mappings with 64 KiB holes between them */
	for (i = 0; i < 3; i++) {
		iova = SZ_1M + i * 2 * SZ_64K;
		vm_expect(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_64K, &iova,
						IOMMUFD_MAP_FIXED_IOVA), 0);
	}
	/* part of one mapping: it would split */
	vm_expect_err(ctx, iommufd_ioas_unmap(ctx, ioas, SZ_1M, SZ_4K, NULL), ENOENT);
	vm_expect_err(ctx, iommufd_ioas_unmap(ctx, ioas, SZ_1M + SZ_4K, SZ_64K - SZ_4K, NULL),
		      ENOENT);
	/* a hole */
	vm_expect_err(ctx, iommufd_ioas_unmap(ctx, ioas, SZ_1M + SZ_64K, SZ_64K, NULL), ENOENT);
	/* the first two whole mappings and the hole between them */
	unmapped = 0;
	vm_expect(ctx, iommufd_ioas_unmap(ctx, ioas, SZ_1M, 3 * SZ_64K, &unmapped), 0);
	vt_assert_u64_eq(unmapped, 2 * SZ_64K);
	vt_assert_u64_eq(unmap_all(ctx, ioas), SZ_64K);
	vt_assert_u64_eq(unmap_all(ctx, ioas), 0);
	iommufd_close(ctx);
}

static void copy_between_ioases(void)
{
	struct iommufd_ctx *ctx = vm_ctx();
	void *buf = vm_buf(SZ_64K);
	uint64_t iova = SZ_1M, dst = 8 * SZ_1M, unmapped;
	uint32_t src, dstioas;

	vt_ok(iommufd_ioas_alloc(ctx, &src));
	vt_ok(iommufd_ioas_alloc(ctx, &dstioas));
	vm_expect(ctx, iommufd_ioas_map(ctx, src, buf, SZ_64K, &iova, IOMMUFD_MAP_FIXED_IOVA), 0);

	vm_expect(ctx, iommufd_ioas_copy(ctx, dstioas, src, SZ_1M, SZ_64K, &dst,
					 IOMMUFD_MAP_FIXED_IOVA), 0);
	vt_assert_u64_eq(dst, 8 * SZ_1M);
	/* the kernel picks the destination */
	dst = 0;
	vm_expect(ctx, iommufd_ioas_copy(ctx, dstioas, src, SZ_1M, SZ_64K, &dst, 0), 0);
	vt_assert(dst != 8 * SZ_1M && dst % SZ_4K == 0);
	/* over the first copy */
	dst = 8 * SZ_1M;
	vm_expect_err(ctx, iommufd_ioas_copy(ctx, dstioas, src, SZ_1M, SZ_64K, &dst,
					     IOMMUFD_MAP_FIXED_IOVA), EEXIST);
	/* from where nothing is mapped */
	dst = 16 * SZ_1M;
	vm_expect_err(ctx, iommufd_ioas_copy(ctx, dstioas, src, 2 * SZ_1M, SZ_64K, &dst,
					     IOMMUFD_MAP_FIXED_IOVA), ENOENT);
	/* a copy outlives the source mapping */
	unmapped = 0;
	vm_expect(ctx, iommufd_ioas_unmap(ctx, src, SZ_1M, SZ_64K, &unmapped), 0);
	vt_assert_u64_eq(unmap_all(ctx, dstioas), 2 * SZ_64K);
	iommufd_close(ctx);
}

static void allow_iovas_steers_the_kernel_choice(void)
{
	struct iommufd_ctx *ctx = vm_ctx();
	const struct iommufd_iova_range allow = { 64 * SZ_1M, 128 * SZ_1M - 1 };
	void *buf = vm_buf(SZ_64K);
	uint64_t iova = 0;
	uint32_t ioas;

	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_ioas_allow_iovas(ctx, ioas, &allow, 1), 0);
	vm_expect(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_64K, &iova, 0), 0);
	vt_assert(iova >= allow.start && iova + SZ_64K - 1 <= allow.last);
	vt_assert_u64_eq(unmap_all(ctx, ioas), SZ_64K);
	iommufd_close(ctx);
}

static void destroy_an_ioas_with_mappings(void)
{
	struct iommufd_ctx *ctx = vm_ctx();
	void *buf = vm_buf(SZ_64K);
	uint64_t iova = SZ_1M;
	uint32_t ioas;

	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_64K, &iova, IOMMUFD_MAP_FIXED_IOVA), 0);
	vm_expect(ctx, iommufd_destroy(ctx, ioas), 0);
	vm_expect_err(ctx, iommufd_ioas_unmap(ctx, ioas, 0, UINT64_MAX, NULL), ENOENT);
	iommufd_close(ctx);
}

static void hw_info_names_the_iommu(void)
{
	struct iommufd_ctx *ctx = vm_ctx();
	struct iommufd_device *dev = vm_device(ctx, 0);
	struct iommufd_hw_info info = { 0 };

	vm_expect(ctx, iommufd_get_hw_info(ctx, iommufd_device_id(dev), &info), 0);
	if (vm_is_a()) {
		vt_assert_int_eq(info.type, 1); /* Intel VT-d */
		vt_assert_u64_eq(info.capabilities & 1, 0); /* QEMU's VT-d: no dirty tracking */
		vm_expect(ctx, iommufd_device_dirty_capable(dev), 0);
	} else {
		vt_assert_u64_eq(info.type, 0xfeedbeef); /* the selftest mock */
		vt_assert_u64_eq(info.capabilities & 1, 1);
		vm_expect(ctx, iommufd_device_dirty_capable(dev), 1);
	}
	vm_expect_err(ctx, iommufd_get_hw_info(ctx, 0xfffff, &info), ENOENT);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

static void hwpt_alloc_and_destroy_order(void)
{
	struct iommufd_ctx *ctx = vm_ctx();
	struct iommufd_device *dev = vm_device(ctx, 0);
	uint32_t ioas, hwpt = 0, other;

	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(dev), ioas, 0, &hwpt), 0);
	vt_assert(hwpt && hwpt != ioas);
	/* the HWPT holds its IOAS */
	vm_expect_err(ctx, iommufd_destroy(ctx, ioas), EBUSY);
	/* unknown device: ENOENT; unknown IOAS: EINVAL (6.12 answers so) */
	vm_expect_err(ctx, iommufd_hwpt_alloc(ctx, 0xfffff, ioas, 0, &other), ENOENT);
	vm_expect_err(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(dev), 0xfffff, 0, &other),
		      EINVAL);
	/* library-side: unknown flags */
	vm_expect_err(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(dev), ioas, 1u << 9, &other),
		      EINVAL);
	vm_expect(ctx, iommufd_destroy(ctx, hwpt), 0);
	vm_expect(ctx, iommufd_destroy(ctx, ioas), 0);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

static void hwpt_alloc_with_dirty_tracking(void)
{
	struct iommufd_ctx *ctx = vm_ctx();
	struct iommufd_device *dev = vm_device(ctx, 0);
	uint32_t ioas, hwpt = 0;

	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	if (vm_is_a()) {
		/* QEMU's emulated VT-d has no dirty tracking */
		vm_expect_err(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(dev), ioas,
						      IOMMUFD_HWPT_DIRTY_TRACKING, &hwpt),
			      EOPNOTSUPP);
	} else {
		vm_expect(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(dev), ioas,
						  IOMMUFD_HWPT_DIRTY_TRACKING, &hwpt), 0);
		vm_expect(ctx, iommufd_hwpt_set_dirty_tracking(ctx, hwpt, true), 0);
		vm_expect(ctx, iommufd_hwpt_set_dirty_tracking(ctx, hwpt, false), 0);
		vm_expect(ctx, iommufd_destroy(ctx, hwpt), 0);
	}
	/* a domain without dirty tracking cannot start it */
	vm_expect(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(dev), ioas, 0, &hwpt), 0);
	vm_expect_err(ctx, iommufd_hwpt_set_dirty_tracking(ctx, hwpt, true), EOPNOTSUPP);
	vm_expect(ctx, iommufd_destroy(ctx, hwpt), 0);
	vm_expect(ctx, iommufd_destroy(ctx, ioas), 0);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

static void iova_ranges_narrowed_by_an_attached_device(void)
{
	struct iommufd_ctx *ctx = vm_ctx();
	struct iommufd_device *dev = vm_device(ctx, 0);
	struct iommufd_iova_range r[8];
	uint64_t align = 0;
	uint32_t ioas;
	int n, i;

	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_device_attach_pt(dev, ioas), 0);
	n = vt_ok(iommufd_ioas_iova_ranges(ctx, ioas, r, 8, &align));
	for (i = 0; i < n && i < 8; i++)
		vt_note("range %d: 0x%llx..0x%llx", i, (unsigned long long)r[i].start,
			(unsigned long long)r[i].last);
	vt_note("alignment 0x%llx", (unsigned long long)align);
	if (vm_is_b()) {
		vt_assert_int_eq(n, 1);
		vt_assert_u64_eq(r[0].start, MOCK_START);
		vt_assert_u64_eq(r[0].last, MOCK_LAST);
		vt_assert_u64_eq(align, 2048);
	} else {
		/* VT-d: the MSI window 0xfee00000..0xfeefffff is reserved */
		vt_assert(n >= 2);
		vt_assert_u64_eq(r[0].start, 0);
		vt_assert_u64_eq(r[0].last, 0xfedfffffull);
		vt_assert_u64_eq(r[1].start, 0xfef00000ull);
		vt_assert_u64_eq(align, SZ_4K);
	}
	vm_expect(ctx, iommufd_device_detach_pt(dev), 0);
	/* the device gone, the whole space is back */
	vm_expect(ctx, iommufd_ioas_iova_ranges(ctx, ioas, r, 8, &align), 1);
	vt_assert_u64_eq(r[0].last, UINT64_MAX);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

static void map_with_a_device_attached(void)
{
	struct iommufd_ctx *ctx = vm_ctx();
	struct iommufd_device *dev = vm_device(ctx, 0);
	uint8_t *buf = vm_buf(SZ_2M);
	uint64_t base = vm_dev_iova(), iova, unmapped;
	uint32_t ioas;

	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_device_attach_pt(dev, ioas), 0);
	iova = base;
	vm_expect(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_2M, &iova, IOMMUFD_MAP_FIXED_IOVA), 0);
	/* an IOVA the domain's alignment forbids */
	iova = base + SZ_2M + 1;
	vm_expect_err(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_4K, &iova, IOMMUFD_MAP_FIXED_IOVA),
		      EINVAL);
	/* the kernel's pick lands where the device can reach */
	iova = 0;
	vm_expect(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_64K, &iova, 0), 0);
	if (vm_is_b())
		vt_assert(iova >= MOCK_START && iova + SZ_64K - 1 <= MOCK_LAST);
	/* the same unmap rules as without a device */
	vm_expect_err(ctx, iommufd_ioas_unmap(ctx, ioas, base, SZ_4K, NULL), ENOENT);
	unmapped = 0;
	vm_expect(ctx, iommufd_ioas_unmap(ctx, ioas, base, SZ_2M, &unmapped), 0);
	vt_assert_u64_eq(unmapped, SZ_2M);
	vt_assert_u64_eq(unmap_all(ctx, ioas), SZ_64K);
	iommufd_device_close(dev);
	vm_expect(ctx, iommufd_destroy(ctx, ioas), 0);
	iommufd_close(ctx);
}

static void dirty_bitmap_of_a_tracking_domain(void)
{
	struct iommufd_ctx *ctx = vm_ctx();
	struct iommufd_device *dev;
	uint64_t base = MOCK_START, iova, bitmap[2], want;
	void *buf = vm_buf(SZ_64K);
	uint32_t ioas, hwpt;

	if (!vm_is_b())
		vt_skip("machine %s has no IOMMU with dirty tracking", vm_machine());
	dev = vm_device(ctx, 0);
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(dev), ioas,
					  IOMMUFD_HWPT_DIRTY_TRACKING, &hwpt), 0);
	vm_expect(ctx, iommufd_device_attach_pt(dev, hwpt), 0);
	vt_assert_int_eq(iommufd_device_pt_id(dev), hwpt);
	iova = base;
	vm_expect(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_64K, &iova, IOMMUFD_MAP_FIXED_IOVA), 0);

	/* tracking off: the selftest cannot mark anything */
	vm_expect_err(ctx, iommufd_selftest_dirty(dev, base, SZ_4K), EINVAL);
	vm_expect(ctx, iommufd_hwpt_set_dirty_tracking(ctx, hwpt, true), 0);
	/* pages 1 and 2 (4 KiB): a write over 0x1800..0x27ff touches both */
	vm_expect(ctx, iommufd_selftest_dirty(dev, base + 0x1800, 0x1000), 2);

	/* NO_CLEAR: read twice, same bits */
	bitmap[0] = bitmap[1] = 0;
	vm_expect(ctx, iommufd_hwpt_get_dirty_bitmap(ctx, hwpt, base, SZ_64K, SZ_4K, bitmap,
						     IOMMUFD_DIRTY_NO_CLEAR), 0);
	vm_assert_dirty(bitmap[0], 0x6, base, SZ_4K);
	want = bitmap[0];
	bitmap[0] = 0;
	vm_expect(ctx, iommufd_hwpt_get_dirty_bitmap(ctx, hwpt, base, SZ_64K, SZ_4K, bitmap, 0), 0);
	vt_assert_u64_eq(bitmap[0], want);
	/* cleared by the read: nothing now; bits already set stay set */
	bitmap[0] = 0x8000;
	vm_expect(ctx, iommufd_hwpt_get_dirty_bitmap(ctx, hwpt, base, SZ_64K, SZ_4K, bitmap, 0), 0);
	vt_assert_u64_eq(bitmap[0], 0x8000);

	/* nothing is mapped there: 6.12 marks nothing, 7.x counts the pages asked */
	vm_expect(ctx, iommufd_selftest_dirty(dev, base + SZ_1M, SZ_4K), vm_kernel() < 700 ? 0 : 2);
	/* a wrong bitmap request */
	vm_expect_err(ctx, iommufd_hwpt_get_dirty_bitmap(ctx, hwpt, base + 1, SZ_64K, SZ_4K,
							 bitmap, 0), EINVAL);
	vm_expect_err(ctx, iommufd_hwpt_get_dirty_bitmap(ctx, hwpt, base, SZ_64K, SZ_4K, bitmap,
							 1u << 5), EINVAL);
	vm_expect(ctx, iommufd_hwpt_set_dirty_tracking(ctx, hwpt, false), 0);
	iommufd_device_close(dev);
	vm_expect(ctx, iommufd_destroy(ctx, hwpt), 0);
	vm_expect(ctx, iommufd_destroy(ctx, ioas), 0);
	iommufd_close(ctx);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
		VT_CASE(ioas_alloc_and_destroy),
		VT_CASE(iova_ranges_of_an_empty_ioas),
		VT_CASE(map_fixed_and_unmap),
		VT_CASE(map_lets_the_kernel_pick_the_iova),
		VT_CASE(map_errors_change_nothing),
		VT_CASE(unmap_rules),
		VT_CASE(copy_between_ioases),
		VT_CASE(allow_iovas_steers_the_kernel_choice),
		VT_CASE(destroy_an_ioas_with_mappings),
		VT_CASE(hw_info_names_the_iommu),
		VT_CASE(hwpt_alloc_and_destroy_order),
		VT_CASE(hwpt_alloc_with_dirty_tracking),
		VT_CASE(iova_ranges_narrowed_by_an_attached_device),
		VT_CASE(map_with_a_device_attached),
		VT_CASE(dirty_bitmap_of_a_tracking_domain),
	};

	return vt_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
