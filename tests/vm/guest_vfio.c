// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Machine A: the VFIO cdev path on an emulated Intel IOMMU. vm/init.sh bound
 * 0000:00:03.0, 0000:00:04.0 (QEMU "edu") and 0000:00:05.0 (pci-testdev) to
 * vfio-pci: open by cdev, sysfs path and PCI address, bind, attach, replace,
 * detach, close; VT-d answers (no dirty tracking: EOPNOTSUPP).
 */
#include <fcntl.h>
#include <unistd.h>

#include "guest_common.h"

static void need_a(void)
{
	if (!vm_is_a())
		vt_skip("VFIO devices need machine A");
}

static void list_devices_shows_the_bound_devices(void)
{
	struct iommufd_device_desc d[8], *all;
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	int n, i;

	need_a();
	ctx = vm_ctx();
	n = vt_ok(iommufd_list_devices(ctx, d, 8));
	vt_assert_int_eq(n, 3);
	for (i = 0; i < n; i++) {
		vt_note("%s %s %s %s", d[i].name, d[i].cdev, d[i].driver, d[i].iommu);
		vt_assert(!strncmp(d[i].name, "0000:00:0", 9));
		vt_assert(!strncmp(d[i].cdev, "/dev/vfio/devices/vfio", 22));
		vt_assert(!strcmp(d[i].driver, "intel-vtd"));
		vt_assert(!strcmp(d[i].iommu, "dmar0"));
		vt_assert(!d[i].emulated);
	}
	/* max 0: only the count */
	vm_expect(ctx, iommufd_list_devices(ctx, NULL, 0), 3);
	/* The whole list at once; each listed name opens its device. */
	all = NULL;
	vm_expect(ctx, iommufd_list_devices_all(ctx, &all, sizeof(*all)), 3);
	for (i = 0; i < n; i++) {
		vt_assert(!strcmp(all[i].name, d[i].name) && !strcmp(all[i].cdev, d[i].cdev));
		dev = vm_open(ctx, all[i].name);
		vt_assert(!strcmp(iommufd_device_cdev(dev), d[i].cdev));
		iommufd_device_close(dev);
	}
	free(all);
	iommufd_close(ctx);
}

static void open_by_every_kind_of_name(void)
{
	static const char *const names[] = {
		"/dev/vfio/devices/vfio0",
		"/sys/bus/pci/devices/0000:00:03.0",
		"0000:00:03.0",
	};
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	unsigned i;

	need_a();
	ctx = vm_ctx();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		dev = vm_open(ctx, names[i]);
		vt_assert(!strcmp(iommufd_device_name(dev), "0000:00:03.0"));
		vt_assert(!strcmp(iommufd_device_cdev(dev), "/dev/vfio/devices/vfio0"));
		vt_assert(!strcmp(iommufd_device_iommu(dev), "dmar0"));
		vt_assert(iommufd_device_id(dev) != 0);
		vt_assert_int_eq(iommufd_device_pt_id(dev), 0);
		vt_assert(!iommufd_device_is_emulated(dev));
		/* closing unbinds: the next name opens the same device again */
		iommufd_device_close(dev);
	}
	iommufd_close(ctx);
}

/*
 * What each name means, without binding: the device the list shows, whatever the name; a
 * device bound elsewhere is described too (the real kernel's sysfs, not the cdev, answers).
 */
static void describe_every_kind_of_name(void)
{
	static const char *const names[] = {
		"/dev/vfio/devices/vfio0",
		"/sys/bus/pci/devices/0000:00:03.0",
		"0000:00:03.0",
	};
	struct iommufd_device_desc list[8], d;
	struct iommufd_device *bound;
	struct iommufd_ctx *ctx;
	char name[700];
	const char *msg;
	unsigned i;
	int n;

	need_a();
	ctx = vm_ctx();
	n = vt_ok(iommufd_list_devices(ctx, list, 8));
	for (i = 0; i < (unsigned)n && strcmp(list[i].name, "0000:00:03.0"); i++)
		;
	vt_assert((int)i < n);
	bound = vm_open(ctx, "0000:00:03.0");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(&d, 0xaa, sizeof(d));
		vm_expect(ctx, iommufd_device_describe(ctx, names[i], &d, sizeof(d)), 0);
		vt_assert(!strcmp(d.name, "0000:00:03.0"));
		vt_assert(!strcmp(d.cdev, "/dev/vfio/devices/vfio0"));
		vt_assert(!strcmp(d.driver, "intel-vtd") && !strcmp(d.iommu, "dmar0"));
		vt_assert(!d.emulated);
	}
	iommufd_device_close(bound);
	vm_expect_err(ctx, iommufd_device_describe(ctx, "0000:00:09.0", &d, sizeof(d)), ENOENT);
	vm_expect_err(ctx, iommufd_device_describe(ctx, "0000:00:1f.0", &d, sizeof(d)), ENODEV);
	vm_expect_err(ctx, iommufd_device_describe(ctx, "selftest", &d, sizeof(d)), EINVAL);
	/* 600 characters: the message keeps its reason (the real kernel's lookup is longer). */
	memset(name, 'x', 600);
	memcpy(name, "head-", 5);
	memcpy(name + 595, "-tail", 6);
	vm_expect_err(ctx, iommufd_device_describe(ctx, name, &d, sizeof(d)), ENOENT);
	msg = iommufd_last_error(ctx);
	vt_note("%s", msg);
	vt_assert(strstr(msg, "head-x") && strstr(msg, "x-tail") && strstr(msg, strerror(ENOENT)));
	vm_expect_err(ctx, iommufd_device_open(ctx, name, &bound), ENOENT);
	vt_assert(strstr(iommufd_last_error(ctx), strerror(ENOENT)));
	iommufd_close(ctx);
}

static void open_errors(void)
{
	struct iommufd_device *dev = NULL;
	struct iommufd_ctx *ctx;

	need_a();
	ctx = vm_ctx();
	vm_expect_err(ctx, iommufd_device_open(ctx, "0000:00:1f.0", &dev), ENODEV);
	vt_assert(dev == NULL);
	vm_expect_err(ctx, iommufd_device_open(ctx, "0000:00:09.0", &dev), ENOENT);
	vm_expect_err(ctx, iommufd_device_open(ctx, "/dev/vfio/devices/vfio9", &dev), ENOENT);
	vm_expect(ctx, iommufd_device_open(ctx, "", &dev), -EINVAL);
	/* a device bound to one context cannot bind to another: the kernel says EINVAL */
	{
		struct iommufd_ctx *ctx2 = vm_ctx();
		struct iommufd_device *a = vm_open(ctx, "0000:00:04.0"), *b = NULL;

		vm_expect_err(ctx2, iommufd_device_open(ctx2, "0000:00:04.0", &b), EINVAL);
		vt_assert(b == NULL);
		iommufd_device_close(a);
		vm_expect(ctx2, iommufd_device_open(ctx2, "0000:00:04.0", &b), 0);
		iommufd_device_close(b);
		iommufd_close(ctx2);
	}
	if (vm_kernel() < 700) {
		/* 6.x: mock devices are refused where an Intel IOMMU is present */
		vt_assert(iommufd_device_open(ctx, "selftest", &dev) < 0);
		vt_assert(dev == NULL);
		vt_note("selftest device on machine A: %s", iommufd_last_error(ctx));
	} else {
		/* 7.x: the kernel makes them beside VT-d (machine AB) */
		vm_expect(ctx, iommufd_device_open(ctx, "selftest", &dev), 0);
		vt_assert(dev != NULL);
		iommufd_device_close(dev);
	}
	iommufd_close(ctx);
}

static void attach_detach_replace(void)
{
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	uint32_t ioas, h1, h2, auto_hwpt;

	need_a();
	ctx = vm_ctx();
	dev = vm_device(ctx, 0);
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_device_attach_pt(dev, ioas), 0);
	auto_hwpt = iommufd_device_pt_id(dev);
	vt_assert(auto_hwpt && auto_hwpt != ioas);
	vm_expect_err(ctx, iommufd_destroy(ctx, ioas), EBUSY);
	vm_expect(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(dev), ioas, 0, &h1), 0);
	vm_expect(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(dev), ioas, 0, &h2), 0);
	/* replace: the automatic domain goes */
	vm_expect(ctx, iommufd_device_attach_pt(dev, h1), 0);
	vt_assert_int_eq(iommufd_device_pt_id(dev), h1);
	vm_expect_err(ctx, iommufd_destroy(ctx, auto_hwpt), ENOENT);
	vm_expect(ctx, iommufd_device_attach_pt(dev, h2), 0);
	vt_assert_int_eq(iommufd_device_pt_id(dev), h2);
	vm_expect_err(ctx, iommufd_destroy(ctx, h2), EBUSY);
	/* a wrong target changes nothing */
	vm_expect_err(ctx, iommufd_device_attach_pt(dev, 0xfffff), ENOENT);
	vt_assert_int_eq(iommufd_device_pt_id(dev), h2);
	vm_expect(ctx, iommufd_device_detach_pt(dev), 0);
	vt_assert_int_eq(iommufd_device_pt_id(dev), 0);
	vm_expect_err(ctx, iommufd_device_detach_pt(dev), EINVAL);
	vm_expect(ctx, iommufd_destroy(ctx, h1), 0);
	vm_expect(ctx, iommufd_destroy(ctx, h2), 0);
	vm_expect(ctx, iommufd_destroy(ctx, ioas), 0);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

static void devices_share_a_vtd_domain(void)
{
	struct iommufd_device *d0, *d1, *d2;
	struct iommufd_ctx *ctx;
	uint32_t ioas, hwpt;

	need_a();
	ctx = vm_ctx();
	d0 = vm_device(ctx, 0);
	d1 = vm_device(ctx, 1);
	d2 = vm_device(ctx, 2);
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(d0), ioas, 0, &hwpt), 0);
	vm_expect(ctx, iommufd_device_attach_pt(d0, hwpt), 0);
	vm_expect(ctx, iommufd_device_attach_pt(d1, hwpt), 0);
	/* attaching to the IOAS reuses the compatible automatic... or makes one */
	vm_expect(ctx, iommufd_device_attach_pt(d2, ioas), 0);
	vt_note("d2 on hwpt %u (explicit hwpt %u)", iommufd_device_pt_id(d2), hwpt);
	vt_assert(iommufd_device_pt_id(d2) != 0);
	/* closing attached devices detaches them; then everything can go */
	iommufd_device_close(d0);
	iommufd_device_close(d1);
	iommufd_device_close(d2);
	vm_expect(ctx, iommufd_destroy(ctx, hwpt), 0);
	vm_expect(ctx, iommufd_destroy(ctx, ioas), 0);
	iommufd_close(ctx);
}

static void no_dirty_tracking_on_vtd(void)
{
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	uint32_t ioas, hwpt;

	need_a();
	ctx = vm_ctx();
	dev = vm_device(ctx, 0);
	vm_expect(ctx, iommufd_device_dirty_capable(dev), 0);
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect_err(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(dev), ioas,
					      IOMMUFD_HWPT_DIRTY_TRACKING, &hwpt), EOPNOTSUPP);
	vm_expect_err(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(dev), ioas,
					      IOMMUFD_HWPT_DIRTY_TRACKING | IOMMUFD_HWPT_NEST_PARENT,
					      &hwpt), EOPNOTSUPP);
	/* not a selftest device */
	vm_expect_err(ctx, iommufd_selftest_dirty(dev, 0, SZ_4K), ENODEV);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

static void nest_parent_on_vtd(void)
{
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	uint32_t ioas, hwpt = 0;
	int ret;

	need_a();
	ctx = vm_ctx();
	dev = vm_device(ctx, 0);
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	ret = iommufd_hwpt_alloc(ctx, iommufd_device_id(dev), ioas, IOMMUFD_HWPT_NEST_PARENT,
				 &hwpt);
	vt_note("NEST_PARENT hwpt on QEMU's VT-d: %s", vt_errname(ret));
	/* QEMU 7.2's VT-d has no nesting (ecap NEST): the kernel refuses */
	vt_assert_int_eq(ret, -EOPNOTSUPP);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

static void map_and_dma_window_with_a_vfio_device(void)
{
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	uint64_t iova = 0xfee00000ull, unmapped;
	uint32_t ioas;
	void *buf;

	need_a();
	ctx = vm_ctx();
	dev = vm_device(ctx, 0);
	buf = vm_buf(SZ_2M);
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_device_attach_pt(dev, ioas), 0);
	/* the MSI window is reserved */
	vm_expect_err(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_4K, &iova, IOMMUFD_MAP_FIXED_IOVA),
		      EINVAL);
	/* a mapping made before a device came narrows nothing, after: fine */
	iova = SZ_1M;
	vm_expect(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_2M, &iova, IOMMUFD_MAP_FIXED_IOVA), 0);
	vm_expect(ctx, iommufd_device_detach_pt(dev), 0);
	vm_expect(ctx, iommufd_device_attach_pt(dev, ioas), 0);
	unmapped = 0;
	vm_expect(ctx, iommufd_ioas_unmap(ctx, ioas, 0, UINT64_MAX, &unmapped), 0);
	vt_assert_u64_eq(unmapped, SZ_2M);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

static void device_attach_refused_with_mapping_in_reserved_range(void)
{
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	uint64_t iova = 0xfee00000ull;
	uint32_t ioas;
	void *buf;

	need_a();
	ctx = vm_ctx();
	dev = vm_device(ctx, 0);
	buf = vm_buf(SZ_64K);
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	/* without a device the MSI window is ordinary IOVA */
	vm_expect(ctx, iommufd_ioas_map(ctx, ioas, buf, SZ_64K, &iova, IOMMUFD_MAP_FIXED_IOVA), 0);
	vm_expect_err(ctx, iommufd_device_attach_pt(dev, ioas), EADDRINUSE);
	vt_assert_int_eq(iommufd_device_pt_id(dev), 0);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
		VT_CASE(list_devices_shows_the_bound_devices),
		VT_CASE(open_by_every_kind_of_name),
		VT_CASE(describe_every_kind_of_name),
		VT_CASE(open_errors),
		VT_CASE(attach_detach_replace),
		VT_CASE(devices_share_a_vtd_domain),
		VT_CASE(no_dirty_tracking_on_vtd),
		VT_CASE(nest_parent_on_vtd),
		VT_CASE(map_and_dma_window_with_a_vfio_device),
		VT_CASE(device_attach_refused_with_mapping_in_reserved_range),
	};

	return vt_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
