// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Machine B: the library's selftest device kind on the kernel's mock devices
 * (IOMMU_TEST_CMD), with and without dirty tracking: open, attach (replace),
 * detach (parking), close, dirty bits set by IOMMU_TEST_OP_DIRTY, and the
 * kernel's answers where the two kinds differ.
 */
#include "guest_common.h"

static void need_b(void)
{
	if (!vm_is_b())
		vt_skip("selftest devices need machine B (no Intel IOMMU)");
}

static void device_open_takes_selftest_names(void)
{
	struct iommufd_ctx *ctx;
	struct iommufd_device *a = NULL, *b = NULL;

	need_b();
	ctx = vm_ctx();
	vm_expect(ctx, iommufd_device_open(ctx, "selftest", &a), 0);
	vm_expect(ctx, iommufd_device_open(ctx, "selftest:no-dirty", &b), 0);
	vt_assert(iommufd_device_id(a) && iommufd_device_id(b) &&
		  iommufd_device_id(a) != iommufd_device_id(b));
	vt_assert(iommufd_device_is_selftest(a) && iommufd_device_is_selftest(b));
	iommufd_device_close(a);
	iommufd_device_close(b);
	vm_expect_err(ctx, iommufd_device_open(ctx, "selftest:bogus", &a), ENOENT);
	vt_assert(a == NULL);
	iommufd_close(ctx);
}

static void each_open_makes_a_new_device(void)
{
	struct iommufd_device *a, *b;
	struct iommufd_ctx *ctx;

	need_b();
	ctx = vm_ctx();
	a = vm_open(ctx, "selftest");
	b = vm_open(ctx, "selftest");
	vt_assert(iommufd_device_id(a) != iommufd_device_id(b));
	vt_assert(strcmp(iommufd_device_name(a), iommufd_device_name(b)));
	vt_note("names: %s, %s; iommu %s", iommufd_device_name(a), iommufd_device_name(b),
		iommufd_device_iommu(a));
	vt_assert(!iommufd_device_is_emulated(a));
	vt_assert_int_eq(iommufd_device_pt_id(a), 0);
	vm_expect(ctx, iommufd_device_dirty_capable(a), 1);
	iommufd_device_close(a);
	iommufd_device_close(b);
	iommufd_close(ctx);
}

static void no_dirty_kind(void)
{
	struct iommufd_device *nd, *d;
	struct iommufd_ctx *ctx;
	uint32_t ioas, hwpt, plain;

	need_b();
	ctx = vm_ctx();
	nd = vm_open(ctx, "selftest:no-dirty");
	d = vm_open(ctx, "selftest");
	vm_expect(ctx, iommufd_device_dirty_capable(nd), 0);
	/* the two kinds must not count as one IOMMU for refusals */
	vt_assert(strcmp(iommufd_device_iommu(nd), iommufd_device_iommu(d)));
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect_err(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(nd), ioas,
					      IOMMUFD_HWPT_DIRTY_TRACKING, &hwpt), EOPNOTSUPP);
	/* a dirty tracking domain made for the other kind refuses this one */
	vm_expect(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(d), ioas,
					  IOMMUFD_HWPT_DIRTY_TRACKING, &hwpt), 0);
	vm_expect_err(ctx, iommufd_device_attach_pt(nd, hwpt), EINVAL);
	vt_assert_int_eq(iommufd_device_pt_id(nd), 0);
	/* QEMU's order problem: a dirty-capable device takes a plain domain */
	vm_expect(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(nd), ioas, 0, &plain), 0);
	vm_expect(ctx, iommufd_device_attach_pt(nd, plain), 0);
	vm_expect(ctx, iommufd_device_attach_pt(d, plain), 0);
	vt_assert_int_eq(iommufd_device_pt_id(d), plain);
	/* tracking cannot start on it */
	vm_expect_err(ctx, iommufd_hwpt_set_dirty_tracking(ctx, plain, true), EOPNOTSUPP);
	iommufd_device_close(nd);
	iommufd_device_close(d);
	vm_expect(ctx, iommufd_destroy(ctx, hwpt), 0);
	vm_expect(ctx, iommufd_destroy(ctx, plain), 0);
	vm_expect(ctx, iommufd_destroy(ctx, ioas), 0);
	iommufd_close(ctx);
}

static void attach_replace_detach(void)
{
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	uint32_t ioas, ioas2, h1, h2, auto_hwpt;

	need_b();
	ctx = vm_ctx();
	dev = vm_open(ctx, "selftest");
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vt_ok(iommufd_ioas_alloc(ctx, &ioas2));

	/* to an IOAS: the kernel makes a domain; pt_id is that HWPT */
	vm_expect(ctx, iommufd_device_attach_pt(dev, ioas), 0);
	auto_hwpt = iommufd_device_pt_id(dev);
	vt_assert(auto_hwpt && auto_hwpt != ioas);
	vm_expect_err(ctx, iommufd_destroy(ctx, ioas), EBUSY);
	/* replace with explicit HWPTs, then another IOAS */
	vm_expect(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(dev), ioas, 0, &h1), 0);
	vm_expect(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(dev), ioas,
					  IOMMUFD_HWPT_DIRTY_TRACKING, &h2), 0);
	vm_expect(ctx, iommufd_device_attach_pt(dev, h1), 0);
	vt_assert_int_eq(iommufd_device_pt_id(dev), h1);
	/* the automatic domain went with the device */
	vm_expect_err(ctx, iommufd_destroy(ctx, auto_hwpt), ENOENT);
	vm_expect(ctx, iommufd_device_attach_pt(dev, h2), 0);
	vt_assert_int_eq(iommufd_device_pt_id(dev), h2);
	vm_expect_err(ctx, iommufd_destroy(ctx, h2), EBUSY);
	vm_expect(ctx, iommufd_device_attach_pt(dev, ioas2), 0);
	vt_assert(iommufd_device_pt_id(dev) != ioas2);
	/* a wrong target changes nothing */
	auto_hwpt = iommufd_device_pt_id(dev);
	vm_expect_err(ctx, iommufd_device_attach_pt(dev, 0xfffff), ENOENT);
	vt_assert_int_eq(iommufd_device_pt_id(dev), auto_hwpt);

	vm_expect(ctx, iommufd_device_detach_pt(dev), 0);
	vt_assert_int_eq(iommufd_device_pt_id(dev), 0);
	vm_expect_err(ctx, iommufd_device_detach_pt(dev), EINVAL);
	/* detached: nothing holds the IOASes or the HWPTs any more */
	vm_expect(ctx, iommufd_destroy(ctx, h1), 0);
	vm_expect(ctx, iommufd_destroy(ctx, h2), 0);
	vm_expect(ctx, iommufd_destroy(ctx, ioas), 0);
	vm_expect(ctx, iommufd_destroy(ctx, ioas2), 0);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

static void close_removes_the_device(void)
{
	struct iommufd_hw_info info;
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	uint32_t ioas, dev_id, hwpt;

	need_b();
	ctx = vm_ctx();
	dev = vm_open(ctx, "selftest");
	dev_id = iommufd_device_id(dev);
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_device_attach_pt(dev, ioas), 0);
	hwpt = iommufd_device_pt_id(dev);
	/* closing an attached device detaches it first */
	iommufd_device_close(dev);
	vm_expect_err(ctx, iommufd_get_hw_info(ctx, dev_id, &info), ENOENT);
	vm_expect_err(ctx, iommufd_destroy(ctx, hwpt), ENOENT);
	vm_expect(ctx, iommufd_destroy(ctx, ioas), 0);
	iommufd_close(ctx);
}

static void selftest_dirty_errors(void)
{
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	uint32_t ioas, hwpt;
	uint64_t iova = MOCK_START;
	void *buf;

	need_b();
	ctx = vm_ctx();
	dev = vm_open(ctx, "selftest");
	buf = vm_buf(SZ_64K);
	vm_expect(ctx, iommufd_selftest_dirty(NULL, 0, SZ_4K), -EINVAL);
	/* not attached */
	vm_expect_err(ctx, iommufd_selftest_dirty(dev, MOCK_START, SZ_4K), EINVAL);
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(dev), ioas,
					  IOMMUFD_HWPT_DIRTY_TRACKING, &hwpt), 0);
	vm_expect(ctx, iommufd_device_attach_pt(dev, hwpt), 0);
	vm_expect(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_64K, &iova, IOMMUFD_MAP_FIXED_IOVA), 0);
	vm_expect(ctx, iommufd_hwpt_set_dirty_tracking(ctx, hwpt, true), 0);
	vm_expect_err(ctx, iommufd_selftest_dirty(dev, MOCK_START, 0), EINVAL);
	vm_expect_err(ctx, iommufd_selftest_dirty(dev, UINT64_MAX - SZ_4K, 2 * SZ_4K), EOVERFLOW);
	/* one byte dirties its whole 2 KiB mock page; the 64 KiB are 32 of them */
	vm_expect(ctx, iommufd_selftest_dirty(dev, MOCK_START + 5, 1), 1);
	vm_expect(ctx, iommufd_selftest_dirty(dev, MOCK_START, SZ_64K), 32);
	/* partly mapped: 6.12 counts the mapped pages, 7.x every page asked */
	vm_expect(ctx, iommufd_selftest_dirty(dev, MOCK_START + SZ_64K - SZ_4K, 2 * SZ_4K),
		  vm_kernel() < 700 ? 2 : 4);
	iommufd_device_close(dev);
	vm_expect(ctx, iommufd_destroy(ctx, hwpt), 0);
	iommufd_close(ctx);
}

static void dirty_bits_follow_the_device_domain(void)
{
	struct iommufd_device *d1, *d2;
	struct iommufd_ctx *ctx;
	uint32_t ioas, h1, h2;
	uint64_t iova = MOCK_START, bm;
	void *buf;

	need_b();
	ctx = vm_ctx();
	d1 = vm_open(ctx, "selftest");
	d2 = vm_open(ctx, "selftest");
	buf = vm_buf(SZ_64K);
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(d1), ioas,
					  IOMMUFD_HWPT_DIRTY_TRACKING, &h1), 0);
	vm_expect(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(d2), ioas,
					  IOMMUFD_HWPT_DIRTY_TRACKING, &h2), 0);
	vm_expect(ctx, iommufd_device_attach_pt(d1, h1), 0);
	vm_expect(ctx, iommufd_device_attach_pt(d2, h2), 0);
	vm_expect(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_64K, &iova, IOMMUFD_MAP_FIXED_IOVA), 0);
	vm_expect(ctx, iommufd_hwpt_set_dirty_tracking(ctx, h1, true), 0);
	vm_expect(ctx, iommufd_hwpt_set_dirty_tracking(ctx, h2, true), 0);

	/* d1 writes page 0, d2 page 3: each domain sees its own device only */
	vm_expect(ctx, iommufd_selftest_dirty(d1, MOCK_START, SZ_4K), 2);
	vm_expect(ctx, iommufd_selftest_dirty(d2, MOCK_START + 3 * SZ_4K, SZ_4K), 2);
	bm = 0;
	vm_expect(ctx, iommufd_hwpt_get_dirty_bitmap(ctx, h1, MOCK_START, SZ_64K, SZ_4K, &bm, 0),
		  0);
	vm_assert_dirty(bm, 0x1, MOCK_START, SZ_4K);
	bm = 0;
	vm_expect(ctx, iommufd_hwpt_get_dirty_bitmap(ctx, h2, MOCK_START, SZ_64K, SZ_4K, &bm, 0),
		  0);
	vm_assert_dirty(bm, 0x8, MOCK_START, SZ_4K);
	/* a finer page size: the 4 KiB page is two 2 KiB bits */
	vm_expect(ctx, iommufd_selftest_dirty(d1, MOCK_START + SZ_4K, SZ_4K), 2);
	bm = 0;
	vm_expect(ctx, iommufd_hwpt_get_dirty_bitmap(ctx, h1, MOCK_START, SZ_64K / 2, 2048, &bm,
						     0), 0);
	vm_assert_dirty(bm, 0xc, MOCK_START, 2048);

	/* disabling tracking: the mock has nothing to report afterwards */
	vm_expect(ctx, iommufd_hwpt_set_dirty_tracking(ctx, h1, false), 0);
	vm_expect_err(ctx, iommufd_selftest_dirty(d1, MOCK_START, SZ_4K), EINVAL);
	iommufd_device_close(d1);
	iommufd_device_close(d2);
	vm_expect(ctx, iommufd_destroy(ctx, h1), 0);
	vm_expect(ctx, iommufd_destroy(ctx, h2), 0);
	iommufd_close(ctx);
}

static void many_devices_and_contexts(void)
{
	struct iommufd_device *devs[8];
	struct iommufd_ctx *ctx, *ctx2;
	struct iommufd_device *other;
	uint32_t ioas;
	int i;

	need_b();
	ctx = vm_ctx();
	ctx2 = vm_ctx();
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	for (i = 0; i < 8; i++) {
		devs[i] = vm_open(ctx, i % 2 ? "selftest:no-dirty" : "selftest");
		vm_expect(ctx, iommufd_device_attach_pt(devs[i], ioas), 0);
	}
	/* a second context makes devices of its own meanwhile */
	other = vm_open(ctx2, "selftest");
	vt_assert(iommufd_device_id(other) != 0);
	iommufd_device_close(other);
	for (i = 0; i < 8; i++)
		iommufd_device_close(devs[i]);
	vm_expect(ctx, iommufd_destroy(ctx, ioas), 0);
	iommufd_close(ctx2);
	iommufd_close(ctx);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
		VT_CASE(device_open_takes_selftest_names),
		VT_CASE(each_open_makes_a_new_device),
		VT_CASE(no_dirty_kind),
		VT_CASE(attach_replace_detach),
		VT_CASE(close_removes_the_device),
		VT_CASE(selftest_dirty_errors),
		VT_CASE(dirty_bits_follow_the_device_domain),
		VT_CASE(many_devices_and_contexts),
	};

	return vt_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
