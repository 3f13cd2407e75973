// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VFIO devices on the simulator: open by name or cdev path, unknown names,
 * attach/replace/detach, emulated devices, dirty capability, close, listing.
 */
#include "obj_fixture.h"

static void test_open_by_name(void **state)
{
	struct fx *f = *state;
	long live = iommufd_sim_live_objects(f->sim);
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);

	assert_int_not_equal(iommufd_device_id(dev), 0);
	assert_string_equal(iommufd_device_name(dev), DEV_DIRTY);
	assert_string_equal(iommufd_device_iommu(dev), "dmar0");
	assert_non_null(strstr(iommufd_device_cdev(dev), "/dev/vfio/devices/vfio"));
	assert_false(iommufd_device_is_emulated(dev));
	assert_int_equal(iommufd_device_pt_id(dev), 0);
	/* Bound: the kernel holds a device object for it. */
	assert_int_equal(iommufd_sim_live_objects(f->sim), live + 1);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);
}

static void test_open_by_cdev_path(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_NODIRTY);
	char cdev[64];

	snprintf(cdev, sizeof(cdev), "%s", iommufd_device_cdev(dev));
	iommufd_device_close(dev);
	dev = fx_dev(f, cdev);
	assert_string_equal(iommufd_device_name(dev), DEV_NODIRTY);
	assert_string_equal(iommufd_device_cdev(dev), cdev);
	assert_string_equal(iommufd_device_iommu(dev), "dmar1");
	iommufd_device_close(dev);
}

static void test_open_unknown(void **state)
{
	struct fx *f = *state;
	const char *names[] = { "0000:ff:1f.7", "/dev/vfio/devices/vfio99", "no-such-device" };
	struct iommufd_device *dev;
	unsigned i;
	int ret;

	for (i = 0; i < 3; i++) {
		dev = (struct iommufd_device *)0x1;
		ret = iommufd_device_open(f->ctx, names[i], &dev);
		assert_int_equal(ret, -ENOENT);
		assert_null(dev);
		fx_assert_msg(f->ctx, -ret, (const char *const[]){ names[i], NULL });
	}
	dev = (struct iommufd_device *)0x1;
	assert_int_equal(iommufd_device_open(f->ctx, "", &dev), -EINVAL);
	assert_null(dev);
	assert_int_equal(iommufd_device_open(f->ctx, NULL, &dev), -EINVAL);
	assert_int_equal(iommufd_device_open(f->ctx, DEV_DIRTY, NULL), -EINVAL);
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start);
}

/*
 * A long name in a message: its head and tail around "...", and the reason still at the end
 * (a 600-character name cut the message before it). Multibyte characters are cut whole.
 */
static void check_long_name_msg(struct iommufd_ctx *ctx, const char *head, const char *tail,
				const char *reason)
{
	const char *msg = iommufd_last_error(ctx);
	size_t n = strlen(msg);
	char *dots = strstr(msg, "...");

	assert_true(n < 256);
	assert_non_null(strstr(msg, head));
	assert_non_null(strstr(msg, tail));
	assert_non_null(dots);
	assert_true(strstr(msg, head) < dots && strstr(msg, tail) > dots);
	assert_true(n > strlen(reason) && !strcmp(msg + n - strlen(reason), reason));
	/* Cut at whole UTF-8 characters: around the dots, no lone continuation byte. */
	assert_true(((unsigned char)dots[-1] & 0xc0) != 0xc0);
	assert_true(((unsigned char)dots[3] & 0xc0) != 0x80);
}

static void test_open_long_name(void **state)
{
	struct fx *f = *state;
	char name[700], reason[128];
	struct iommufd_device *dev = (struct iommufd_device *)0x1;
	size_t i;

	snprintf(reason, sizeof(reason), ": %s", strerror(ENOENT));
	/* 600 characters: "head-", x..., "-tail". */
	memset(name, 'x', 600);
	memcpy(name, "head-", 5);
	memcpy(name + 595, "-tail", 6);
	assert_int_equal(iommufd_device_open(f->ctx, name, &dev), -ENOENT);
	assert_null(dev);
	check_long_name_msg(f->ctx, "device head-x", "x-tail (no such device)", reason);
	/* The same in two-byte characters (e-acute) between "a" or "ab" and "" or "z": each end
	 * cut inside a character or not. */
	for (i = 0; i < 4; i++) {
		const char *suffix = i & 2 ? "z" : "";
		size_t j, at = 1 + (i & 1);
		char tail[64];

		memcpy(name, "ab", 2);
		for (j = 0; j < 300; j++, at += 2)
			memcpy(name + at, "\xc3\xa9", 2);
		snprintf(name + at, sizeof(name) - at, "%s", suffix);
		snprintf(tail, sizeof(tail), "\xc3\xa9%s (no such device)", suffix);
		assert_int_equal(iommufd_device_open(f->ctx, name, &dev), -ENOENT);
		check_long_name_msg(f->ctx, "device a", tail, reason);
	}
	/* out NULL: the message still names the (long) device and says what is wrong. */
	memcpy(name, "head-", 5);
	memset(name + 5, 'y', 600);
	memcpy(name + 600, "-tail", 6);
	assert_int_equal(iommufd_device_open(f->ctx, name, NULL), -EINVAL);
	snprintf(reason, sizeof(reason), "out is NULL: %s", strerror(EINVAL));
	check_long_name_msg(f->ctx, "head-y", "y-tail", reason);
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start);
}

/* A device cdev binds once: the second bind is refused, the first is unharmed. */
static void test_open_twice(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY), *again = (struct iommufd_device *)0x1;
	long live = iommufd_sim_live_objects(f->sim);
	uint32_t a = fx_ioas(f);

	assert_err(f->ctx, iommufd_device_open(f->ctx, DEV_DIRTY, &again), EINVAL, DEV_DIRTY);
	assert_null(again);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live + 1);
	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	iommufd_device_close(dev);
	/* Closed, it opens again. */
	dev = fx_dev(f, DEV_DIRTY);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_attach_ioas_auto_domain(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f);
	long live = iommufd_sim_live_objects(f->sim);

	fx_map(f, a, 0, 0x100000, PAGE, 0);
	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	/* The kernel made a domain for it: pt_id is that HWPT, not the IOAS. */
	assert_int_not_equal(iommufd_device_pt_id(dev), 0);
	assert_int_not_equal(iommufd_device_pt_id(dev), a);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live + 1);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), 0);
	/* Detached, the automatic domain is gone and DMA faults. */
	assert_int_equal(iommufd_device_detach_pt(dev), 0);
	assert_int_equal(iommufd_device_pt_id(dev), 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), -EFAULT);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_replace(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f), b = fx_ioas(f), hwpt, auto_a;
	long live;

	assert_int_equal(iommufd_hwpt_alloc(f->ctx, iommufd_device_id(dev), b, 0, &hwpt), 0);
	fx_map(f, a, 0, 0x100000, PAGE, 0);
	fx_map(f, b, 0, 0x200000, PAGE, 0);
	live = iommufd_sim_live_objects(f->sim);

	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	auto_a = iommufd_device_pt_id(dev);
	assert_true(auto_a != a && auto_a != hwpt);
	/* Attached already: the new domain replaces the old in one step. */
	assert_int_equal(iommufd_device_attach_pt(dev, hwpt), 0);
	assert_int_equal(iommufd_device_pt_id(dev), hwpt);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live); /* auto domain went */
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x200000, PAGE), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), -EFAULT);
	/* Replacing with the same domain changes nothing. */
	assert_int_equal(iommufd_device_attach_pt(dev, hwpt), 0);
	assert_int_equal(iommufd_device_pt_id(dev), hwpt);
	/* And back to an IOAS. */
	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	assert_int_not_equal(iommufd_device_pt_id(dev), hwpt);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live + 1);

	/* Closing drops the device and its automatic domain; the user's HWPT stays. */
	iommufd_device_close(dev);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live - 1);
	assert_int_equal(iommufd_destroy(f->ctx, hwpt), 0);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
	assert_int_equal(iommufd_destroy(f->ctx, b), 0);
}

static void test_attach_errors_keep_current(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dirty = fx_dev(f, DEV_DIRTY);
	struct iommufd_device *nodirty = fx_dev(f, DEV_NODIRTY);
	uint32_t a = fx_ioas(f), tracking, cur;
	long live;

	assert_int_equal(iommufd_hwpt_alloc(f->ctx, iommufd_device_id(dirty), a,
					    IOMMUFD_HWPT_DIRTY_TRACKING, &tracking), 0);
	fx_map(f, a, 0, 0x100000, PAGE, 0);
	assert_int_equal(iommufd_device_attach_pt(nodirty, a), 0);
	cur = iommufd_device_pt_id(nodirty);
	live = iommufd_sim_live_objects(f->sim);

	/* No such object. */
	assert_err(f->ctx, iommufd_device_attach_pt(nodirty, 7777), ENOENT, DEV_NODIRTY, "7777");
	/* An IOMMU without dirty tracking cannot join a dirty-tracking domain. */
	assert_err(f->ctx, iommufd_device_attach_pt(nodirty, tracking), EINVAL, DEV_NODIRTY);
	/* A device id is not a page table. */
	assert_err(f->ctx, iommufd_device_attach_pt(nodirty, iommufd_device_id(dirty)), EINVAL,
		   DEV_NODIRTY);
	/* Still where it was, still working. */
	assert_int_equal(iommufd_device_pt_id(nodirty), cur);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_NODIRTY, 0x100000, PAGE), 0);

	iommufd_device_close(nodirty);
	iommufd_device_close(dirty);
	assert_int_equal(iommufd_destroy(f->ctx, tracking), 0);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_detach_twice(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f);

	assert_err(f->ctx, iommufd_device_detach_pt(dev), EINVAL, DEV_DIRTY, "not attached");
	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	assert_int_equal(iommufd_device_detach_pt(dev), 0);
	assert_err(f->ctx, iommufd_device_detach_pt(dev), EINVAL, DEV_DIRTY, "not attached");
	assert_int_equal(iommufd_device_pt_id(dev), 0);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_emulated_device(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *mdev = fx_dev(f, DEV_MDEV);
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f), b = fx_ioas(f), hwpt;

	assert_true(iommufd_device_is_emulated(mdev));
	assert_string_equal(iommufd_device_iommu(mdev), "");
	assert_int_not_equal(iommufd_device_id(mdev), 0);
	assert_int_equal(iommufd_device_dirty_capable(mdev), 0);

	fx_map(f, a, 0, 0x100000, PAGE, 0);
	fx_map(f, a, 0, 0x101000, PAGE, IOMMUFD_MAP_READONLY);
	/* It reaches the IOAS itself: pt_id is the IOAS. */
	assert_int_equal(iommufd_device_attach_pt(mdev, a), 0);
	assert_int_equal(iommufd_device_pt_id(mdev), a);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_MDEV, 0x100000, PAGE), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_MDEV, 0x101000, PAGE), -EFAULT);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_MDEV, 0x200000, PAGE), -EFAULT);
	/* A HWPT is no IOAS: the kernel looks up an IOAS and finds none. */
	assert_int_equal(iommufd_hwpt_alloc(f->ctx, iommufd_device_id(dev), a, 0, &hwpt), 0);
	assert_err(f->ctx, iommufd_device_attach_pt(mdev, hwpt), ENOENT, DEV_MDEV);
	assert_int_equal(iommufd_device_pt_id(mdev), a);
	/* Replace to another IOAS, detach. */
	assert_int_equal(iommufd_device_attach_pt(mdev, b), 0);
	assert_int_equal(iommufd_device_pt_id(mdev), b);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_MDEV, 0x100000, PAGE), -EFAULT);
	assert_int_equal(iommufd_device_detach_pt(mdev), 0);
	assert_int_equal(iommufd_device_pt_id(mdev), 0);

	iommufd_device_close(mdev);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, hwpt), 0);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
	assert_int_equal(iommufd_destroy(f->ctx, b), 0);
}

static void count_hw_info(void *arg, int level, const char *msg)
{
	if (level == IOMMUFD_LOG_TRACE && strstr(msg, "GET_HW_INFO "))
		(*(unsigned *)arg)++;
}

static void test_dirty_capable(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dirty = fx_dev(f, DEV_DIRTY);
	struct iommufd_device *nodirty = fx_dev(f, DEV_NODIRTY);
	struct iommufd_container *c;
	unsigned calls = 0;

	iommufd_set_log(f->ctx, count_hw_info, &calls);
	assert_int_equal(iommufd_device_dirty_capable(dirty), 1);
	assert_int_equal(iommufd_device_dirty_capable(nodirty), 0);
	assert_int_equal(iommufd_device_dirty_capable(NULL), -EINVAL);
	/* GET_HW_INFO once per device: its answer lasts while the device is bound */
	assert_int_equal(iommufd_device_dirty_capable(dirty), 1);
	assert_int_equal(calls, 2);
	assert_int_equal(iommufd_container_new(f->ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING, &c), 0);
	assert_int_equal(iommufd_container_attach(c, dirty), 0);
	assert_int_equal(iommufd_container_attach(c, nodirty), 0);
	assert_int_equal(calls, 2);
	iommufd_container_free(c);
	iommufd_set_log(f->ctx, NULL, NULL);
	iommufd_device_close(nodirty);
	iommufd_device_close(dirty);
}

/* Close detaches: the automatic domain goes, the IOAS is free to destroy. */
static void test_close_detaches(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	struct iommufd_device *mdev = fx_dev(f, DEV_MDEV);
	struct iommufd_device *d2 = fx_dev(f, DEV_DIRTY2);
	uint32_t a = fx_ioas(f), hwpt;

	assert_int_equal(iommufd_hwpt_alloc(f->ctx, iommufd_device_id(d2), a, 0, &hwpt), 0);
	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	assert_int_equal(iommufd_device_attach_pt(mdev, a), 0);
	assert_int_equal(iommufd_device_attach_pt(d2, hwpt), 0);
	iommufd_device_close(dev);
	iommufd_device_close(mdev);
	iommufd_device_close(d2);
	/* A user's HWPT outlives its devices; then the IOAS is free. */
	assert_int_equal(iommufd_destroy(f->ctx, hwpt), 0);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
	iommufd_device_close(NULL);
}

/* WARN lines, the last one kept. */
struct warn_lines {
	unsigned n;
	char last[512];
};

static void keep_warns(void *arg, int level, const char *msg)
{
	struct warn_lines *w = arg;

	if (level != IOMMUFD_LOG_WARN)
		return;
	w->n++;
	snprintf(w->last, sizeof(w->last), "%s", msg);
}

/*
 * A detach that fails in a close is said in a WARN line naming the device, the domain and the
 * kernel's cause; the device is closed all the same (unbinding it detaches it in the kernel:
 * its automatic domain goes) and the thread's last error stays as it was.
 */
static void test_close_detach_fails(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	struct warn_lines w = { 0 };
	uint32_t a = fx_ioas(f), hwpt;
	char want[64];

	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	hwpt = iommufd_device_pt_id(dev);
	assert_int_equal(iommufd_destroy(f->ctx, 999), -ENOENT);
	iommufd_set_log(f->ctx, keep_warns, &w);
	assert_int_equal(iommufd_sim_fail_nth(f->sim, 1, EIO), 0);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_sim_fail_nth(f->sim, 0, 0), 0);
	iommufd_set_log(f->ctx, NULL, NULL);
	assert_int_equal(w.n, 1);
	snprintf(want, sizeof(want), "close %s: detach from %u failed", DEV_DIRTY, hwpt);
	if (!strstr(w.last, want) || !strstr(w.last, "Input/output error") ||
	    !strstr(w.last, "closed all the same"))
		fail_msg("WARN line \"%s\" does not name the device, domain and cause", w.last);
	assert_non_null(strstr(iommufd_last_error(f->ctx), "999"));
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start);
}

static void test_list_devices(void **state)
{
	struct fx *f = *state;
	struct iommufd_device_desc d[NDEVICES], two[2];
	bool seen[NDEVICES] = { false };
	int i;

	assert_int_equal(iommufd_list_devices(f->ctx, NULL, 0), NDEVICES);
	assert_int_equal(iommufd_list_devices(f->ctx, NULL, 1), -EINVAL);
	memset(two, 0, sizeof(two));
	assert_int_equal(iommufd_list_devices(f->ctx, two, 2), NDEVICES);
	assert_int_not_equal(two[1].name[0], '\0');
	assert_int_equal(iommufd_list_devices(f->ctx, d, NDEVICES), NDEVICES);
	for (i = 0; i < NDEVICES; i++) {
		assert_non_null(strstr(d[i].cdev, "/dev/vfio/devices/vfio"));
		if (!strcmp(d[i].name, DEV_DIRTY) || !strcmp(d[i].name, DEV_DIRTY2)) {
			assert_string_equal(d[i].iommu, "dmar0");
			assert_string_equal(d[i].driver, "intel-vtd");
			assert_false(d[i].emulated);
			seen[!strcmp(d[i].name, DEV_DIRTY) ? 0 : 1] = true;
		} else if (!strcmp(d[i].name, DEV_NODIRTY)) {
			assert_string_equal(d[i].iommu, "dmar1");
			assert_string_equal(d[i].driver, "intel-vtd");
			assert_false(d[i].emulated);
			seen[2] = true;
		} else {
			assert_string_equal(d[i].name, DEV_MDEV);
			assert_true(d[i].emulated);
			assert_string_equal(d[i].iommu, "");
			assert_string_equal(d[i].driver, "");
			seen[3] = true;
		}
		/* Every listed cdev opens, and every listed name: the same device. */
		{
			struct iommufd_device *dev = fx_dev(f, d[i].cdev);

			assert_string_equal(iommufd_device_name(dev), d[i].name);
			iommufd_device_close(dev);
			dev = fx_dev(f, d[i].name);
			assert_string_equal(iommufd_device_cdev(dev), d[i].cdev);
			assert_string_equal(iommufd_device_iommu(dev), d[i].iommu);
			assert_int_equal(iommufd_device_is_emulated(dev), d[i].emulated);
			iommufd_device_close(dev);
		}
	}
	for (i = 0; i < NDEVICES; i++)
		assert_true(seen[i]);
	/* The two short-buffer entries were real entries. */
	assert_string_equal(two[0].name, d[0].name);
	assert_string_equal(two[1].name, d[1].name);
}

/* desc as iommufd_list_devices() gives it, field by field. */
static void assert_desc_equal(const struct iommufd_device_desc *a,
			      const struct iommufd_device_desc *b)
{
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->cdev, b->cdev);
	assert_string_equal(a->driver, b->driver);
	assert_string_equal(a->iommu, b->iommu);
	assert_int_equal(a->emulated, b->emulated);
}

/* Every name of a device describes it, as the list does, without opening or binding it. */
static void test_describe(void **state)
{
	struct fx *f = *state;
	struct iommufd_device_desc list[NDEVICES], d;
	char path[128];
	struct iommufd_device *dev;
	int i;

	assert_int_equal(iommufd_list_devices(f->ctx, list, NDEVICES), NDEVICES);
	for (i = 0; i < NDEVICES; i++) {
		memset(&d, 0xaa, sizeof(d));
		assert_int_equal(iommufd_device_describe(f->ctx, list[i].name, &d, sizeof(d)), 0);
		assert_desc_equal(&d, &list[i]);
		memset(&d, 0xaa, sizeof(d));
		assert_int_equal(iommufd_device_describe(f->ctx, list[i].cdev, &d, sizeof(d)), 0);
		assert_desc_equal(&d, &list[i]);
		/* The sysfs path of its bus. */
		snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s",
			 list[i].emulated ? "mdev" : "pci", list[i].name);
		memset(&d, 0xaa, sizeof(d));
		assert_int_equal(iommufd_device_describe(f->ctx, path, &d, sizeof(d)), 0);
		assert_desc_equal(&d, &list[i]);
	}
	/* Nothing was bound: no kernel object, and a device open elsewhere is described too. */
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start);
	dev = fx_dev(f, DEV_DIRTY);
	assert_int_equal(iommufd_device_describe(f->ctx, iommufd_device_cdev(dev), &d, sizeof(d)),
			 0);
	assert_string_equal(d.name, DEV_DIRTY);
	iommufd_device_close(dev);
}

/* Unknown names and bad arguments: an error and a message, the description untouched. */
static void test_describe_errors(void **state)
{
	struct fx *f = *state;
	const char *unknown[] = { "0000:ff:1f.7", "/dev/vfio/devices/vfio99", "no-such-device",
				  "/sys/bus/mdev/devices/" DEV_DIRTY, "selftestX" };
	struct iommufd_device_desc d, before;
	const size_t first = offsetof(struct iommufd_device_desc, emulated) + sizeof(bool);
	struct {
		struct iommufd_device_desc desc;
		char more[16];
	} big;
	char name[700], reason[128];
	unsigned i;

	memset(&d, 0xaa, sizeof(d));
	memcpy(&before, &d, sizeof(d));
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_err(f->ctx, iommufd_device_describe(f->ctx, unknown[i], &d, sizeof(d)),
			   ENOENT, unknown[i], "no such device");
	assert_err(f->ctx, iommufd_device_describe(f->ctx, "selftest", &d, sizeof(d)), EINVAL,
		   "selftest", "mock device");
	assert_err(f->ctx, iommufd_device_describe(f->ctx, "selftest:no-dirty", &d, sizeof(d)),
		   EINVAL, "selftest:no-dirty", "mock device");
	assert_err(f->ctx, iommufd_device_describe(f->ctx, "", &d, sizeof(d)), EINVAL,
		   "empty name");
	assert_err(f->ctx, iommufd_device_describe(f->ctx, NULL, &d, sizeof(d)), EINVAL,
		   "describe", "name is NULL");
	assert_err(f->ctx, iommufd_device_describe(f->ctx, DEV_DIRTY, NULL, sizeof(d)), EINVAL,
		   "describe", DEV_DIRTY, "out is NULL");
	assert_err(f->ctx, iommufd_device_describe(f->ctx, DEV_DIRTY, &d, first - 1), EINVAL,
		   "describe", DEV_DIRTY, "size");
	assert_err(f->ctx, iommufd_device_describe(f->ctx, DEV_DIRTY, &d, 0), EINVAL, "size");
	assert_int_equal(iommufd_device_describe(NULL, DEV_DIRTY, &d, sizeof(d)), -EINVAL);
	assert_memory_equal(&d, &before, sizeof(d));

	/* A 600-character name: the message keeps the reason. */
	memset(name, 'x', 600);
	memcpy(name, "head-", 5);
	memcpy(name + 595, "-tail", 6);
	assert_int_equal(iommufd_device_describe(f->ctx, name, &d, sizeof(d)), -ENOENT);
	snprintf(reason, sizeof(reason), ": %s", strerror(ENOENT));
	check_long_name_msg(f->ctx, "device head-x", "x-tail (no such device)", reason);
	assert_memory_equal(&d, &before, sizeof(d));

	/* The caller's struct size: the first version's is enough, a larger one is zeroed. */
	memset(&d, 0xaa, sizeof(d));
	assert_int_equal(iommufd_device_describe(f->ctx, DEV_MDEV, &d, first), 0);
	assert_string_equal(d.name, DEV_MDEV);
	assert_true(d.emulated);
	memset(&big, 0xaa, sizeof(big));
	assert_int_equal(iommufd_device_describe(f->ctx, DEV_NODIRTY, &big.desc, sizeof(big)), 0);
	assert_string_equal(big.desc.iommu, "dmar1");
	for (i = 0; i < sizeof(big.more); i++)
		assert_int_equal(big.more[i], 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start);
}

/* Exactly the two selftest names; anything else is a VFIO device name. */
static void test_selftest_names(void **state)
{
	struct fx *f = *state;
	const char *not[] = { "selftestX", "selftest:", "selftest:no-dirtyX", "Selftest",
			      "selftest ", "", NULL };
	struct iommufd_device *dev;
	unsigned i;

	assert_true(iommufd_is_selftest_name("selftest"));
	assert_true(iommufd_is_selftest_name("selftest:no-dirty"));
	for (i = 0; i < sizeof(not) / sizeof(not[0]); i++)
		assert_false(iommufd_is_selftest_name(not[i]));
	/* So "selftestX" is looked up as a device, and the simulator has none of that name. */
	assert_err(f->ctx, iommufd_device_open(f->ctx, "selftestX", &dev), ENOENT, "selftestX",
		   "no such device");
	/* The simulator's devices are VFIO devices. */
	dev = fx_dev(f, DEV_DIRTY);
	assert_false(iommufd_device_is_selftest(dev));
	iommufd_device_close(dev);
	dev = fx_dev(f, DEV_MDEV);
	assert_false(iommufd_device_is_selftest(dev));
	iommufd_device_close(dev);
	assert_false(iommufd_device_is_selftest(NULL));
}

struct fail_again {
	struct iommufd_sim *sim;
	unsigned left;  /* destroys still to fail */
	unsigned warns; /* WARN lines */
};

/* Each DESTROY that fails makes the next call fail too, left times. */
static void destroy_fails_again(void *arg, int level, const char *msg)
{
	struct fail_again *a = arg;

	if (level == IOMMUFD_LOG_WARN)
		a->warns++;
	if (level == IOMMUFD_LOG_TRACE && a->left && strstr(msg, "DESTROY") &&
	    strstr(msg, "= -16")) {
		a->left--;
		assert_int_equal(iommufd_sim_fail_nth(a->sim, 1, EBUSY), 0);
	}
}

/*
 * Closing a mock device destroys its selftest object, then its parking IOAS: a
 * destroy that fails once is tried again and nothing is left; one that fails
 * again stays until the context closes, said in a WARN line. A close cannot
 * fail: the thread's last error stays whatever happens.
 */
static void test_selftest_close_cleanup(void **state)
{
	static const char mock_host[] =
		"{ \"iommus\": [ { \"name\": \"mock\", \"driver\": \"iommufd-selftest\","
		" \"dirty_tracking\": true } ], \"devices\": [] }";
	struct fail_again again = { .left = 0 };
	struct iommufd_device *dev;
	struct iommufd_sim *sim;
	struct iommufd_ctx *ctx;
	long live;

	assert_int_equal(iommufd_sim_new(mock_host, &sim), 0);
	assert_int_equal(iommufd_sim_open(sim, &ctx), 0);
	live = iommufd_sim_live_objects(sim);
	again.sim = sim;
	iommufd_set_log(ctx, destroy_fails_again, &again);
	assert_int_equal(iommufd_set_log_level(ctx, IOMMUFD_LOG_TRACE), 0);

	assert_int_equal(iommufd_device_open(ctx, "selftest", &dev), 0);
	assert_int_equal(iommufd_destroy(ctx, 999), -ENOENT);
	assert_int_equal(iommufd_sim_fail_nth(sim, 1, EBUSY), 0);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_sim_fail_nth(sim, 0, 0), 0);
	assert_int_equal(iommufd_sim_live_objects(sim), live);
	assert_non_null(strstr(iommufd_last_error(ctx), "999"));
	assert_int_equal(again.warns, 0);

	/* each destroy fails twice: both objects stay, each said */
	assert_int_equal(iommufd_device_open(ctx, "selftest", &dev), 0);
	again.left = 3;
	assert_int_equal(iommufd_sim_fail_nth(sim, 1, EBUSY), 0);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_sim_fail_nth(sim, 0, 0), 0);
	assert_true(iommufd_sim_live_objects(sim) > live);
	assert_non_null(strstr(iommufd_last_error(ctx), "999"));
	assert_int_equal(again.warns, 2);
	iommufd_set_log(ctx, NULL, NULL);
	iommufd_close(ctx);
	iommufd_sim_free(sim);
}

/* The built-in host has what makes automatic domains interesting. */
/*
 * "selftest" on a kernel without CONFIG_IOMMUFD_TEST (the simulator): the
 * mock device cannot be made, and its parking IOAS is destroyed again. When
 * that destroy fails once, it is tried again: nothing is left, and the
 * message still names the cause, not the cleanup.
 */
static void test_selftest_open_cleanup_fails_once(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = (void *)1;
	const char *msg;

	/* 1: IOAS_ALLOC (the parking IOAS), 2: TEST_CMD (ENOTTY here), 3: its DESTROY */
	assert_int_equal(iommufd_sim_fail_nth(f->sim, 3, EBUSY), 0);
	assert_int_equal(iommufd_device_open(f->ctx, "selftest", &dev), -ENOTTY);
	assert_int_equal(iommufd_sim_fail_nth(f->sim, 0, 0), 0);
	assert_null(dev);
	msg = iommufd_last_error(f->ctx);
	if (strncmp(msg, "device selftest: making a mock device", 37) ||
	    !strstr(msg, "CONFIG_IOMMUFD_TEST") || strstr(msg, "DESTROY") || strstr(msg, "busy"))
		fail_msg("message \"%s\" does not name the cause alone", msg);
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->live_start);
}

static void test_default_topology(void **state)
{
	struct iommufd_device_desc d[32];
	struct iommufd_sim *sim = NULL;
	struct iommufd_ctx *ctx = NULL;
	int n, i, emulated = 0, capable = 0, incapable = 0;
	char drivers[2][64] = { "", "" };

	assert_int_equal(iommufd_sim_new(NULL, &sim), 0);
	assert_int_equal(iommufd_sim_open(sim, &ctx), 0);
	assert_true(iommufd_is_simulated(ctx));
	n = iommufd_list_devices(ctx, d, 32);
	assert_true(n > 0 && n <= 32);
	for (i = 0; i < n; i++) {
		struct iommufd_device *dev = NULL;

		assert_int_equal(iommufd_device_open(ctx, d[i].name, &dev), 0);
		assert_int_equal(iommufd_device_is_emulated(dev), d[i].emulated);
		if (d[i].emulated) {
			emulated++;
		} else {
			if (iommufd_device_dirty_capable(dev) == 1)
				capable++;
			else
				incapable++;
			if (!drivers[0][0])
				snprintf(drivers[0], 64, "%s", d[i].driver);
			else if (strcmp(drivers[0], d[i].driver))
				snprintf(drivers[1], 64, "%s", d[i].driver);
		}
		iommufd_device_close(dev);
	}
	assert_true(emulated >= 1);
	assert_true(capable >= 1);
	assert_true(incapable >= 1);
	assert_int_not_equal(drivers[1][0], '\0'); /* two IOMMU drivers */
	iommufd_close(ctx);
	assert_int_equal(iommufd_sim_live_objects(sim), 0);
	iommufd_sim_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_open_by_name),
		FX_TEST(test_open_by_cdev_path),
		FX_TEST(test_open_unknown),
		FX_TEST(test_open_long_name),
		FX_TEST(test_open_twice),
		FX_TEST(test_attach_ioas_auto_domain),
		FX_TEST(test_replace),
		FX_TEST(test_attach_errors_keep_current),
		FX_TEST(test_detach_twice),
		FX_TEST(test_emulated_device),
		FX_TEST(test_dirty_capable),
		cmocka_unit_test(test_selftest_close_cleanup),
		FX_TEST(test_close_detaches),
		FX_TEST(test_close_detach_fails),
		FX_TEST(test_list_devices),
		FX_TEST(test_selftest_names),
		FX_TEST(test_selftest_open_cleanup_fails_once),
		FX_TEST(test_describe),
		FX_TEST(test_describe_errors),
		cmocka_unit_test(test_default_topology),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
