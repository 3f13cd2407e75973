// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VFIO device cdevs: open, BIND_IOMMUFD, ATTACH/DETACH_IOMMUFD_PT with the
 * kernel's automatic domains and replace, emulated devices through
 * accesses, GET_INFO, and the lifetime of a context kept by its devices.
 */
#include <unistd.h>

#include "sim_test.h"

struct fixture {
	struct iommufd_sim *sim;
	int ifd;
	uint32_t ioas;
	char *buf;
};

#define BUF_LEN (16 * SZ_4K)

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->sim = new_sim(NULL);
	f->ifd = open_iommufd(f->sim);
	f->ioas = ioas_alloc(f->sim, f->ifd);
	f->buf = test_buf(BUF_LEN);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	iommufd_sim_free(f->sim);
	free_buf(f->buf, BUF_LEN);
	free(f);
	return 0;
}

static void test_open(void **state)
{
	struct fixture *f = *state;
	int a, b;

	assert_int_equal(t_open(f->sim, "/dev/vfio/devices/vfio9"), -ENOENT);
	assert_int_equal(t_open(f->sim, DEV_A), -ENOENT); /* a name is not a path */
	assert_int_equal(t_open(f->sim, "/dev/null"), -ENOENT);
	/* a cdev opens any number of times; each is its own descriptor */
	a = t_open(f->sim, CDEV_A);
	b = t_open(f->sim, CDEV_A);
	assert_true(a >= 0 && b >= 0 && a != b && a != f->ifd);
	assert_true(fcntl(a, F_GETFD) >= 0); /* a real descriptor */
	t_close(f->sim, a);
	t_close(f->sim, b);
	assert_true(fcntl(a, F_GETFD) < 0);
}

static void test_bind_rules(void **state)
{
	struct fixture *f = *state;
	struct iofd_vfio_device_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = f->ifd };
	struct iofd_vfio_device_info info = { .argsz = sizeof(info) };
	uint32_t pt = f->ioas, dummy[8] = { 32 };
	int d1 = t_open(f->sim, CDEV_A), d2 = t_open(f->sim, CDEV_A), other;

	/* nothing but BIND works before binding */
	assert_int_equal(attach(f->sim, d1, &pt), -EINVAL);
	assert_int_equal(detach(f->sim, d1), -EINVAL);
	assert_int_equal(t_ioctl(f->sim, d1, IOFD_VFIO_DEVICE_GET_INFO, &info), -EINVAL);
	assert_int_equal(t_ioctl(f->sim, d1, IOFD_IOAS_ALLOC, dummy), -EINVAL);

	bind.argsz = 12;
	assert_int_equal(t_ioctl(f->sim, d1, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind), -EINVAL);
	bind.argsz = sizeof(bind);
	bind.flags = 2; /* no such flag (1, the VF token: sim_caps' test_bind_token) */
	assert_int_equal(t_ioctl(f->sim, d1, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind), -EINVAL);
	bind.flags = 0;
	bind.iommufd = -1;
	assert_int_equal(t_ioctl(f->sim, d1, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind), -EINVAL);
	/* a descriptor that is not open; one that is not an iommufd */
	other = open_iommufd(f->sim);
	t_close(f->sim, other);
	bind.iommufd = other;
	assert_int_equal(t_ioctl(f->sim, d1, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind), -EBADF);
	bind.iommufd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(bind.iommufd >= 0);
	assert_int_equal(t_ioctl(f->sim, d1, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind), -EBADFD);
	close(bind.iommufd);
	bind.iommufd = d2;
	assert_int_equal(t_ioctl(f->sim, d1, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind), -EBADFD);
	assert_int_equal(t_ioctl(f->sim, d1, IOFD_VFIO_DEVICE_BIND_IOMMUFD, NULL), -EFAULT);

	bind.iommufd = f->ifd;
	assert_int_equal(t_ioctl(f->sim, d1, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind), 0);
	/* ids come from the context's table: IOAS 1, device 2 */
	assert_int_equal(bind.out_devid, 2);
	/* once per file, once per device */
	assert_int_equal(t_ioctl(f->sim, d1, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind), -EINVAL);
	assert_int_equal(t_ioctl(f->sim, d2, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind), -EINVAL);
	other = open_iommufd(f->sim);
	bind.iommufd = other;
	assert_int_equal(t_ioctl(f->sim, d2, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind), -EINVAL);
	/* bound: unknown ioctls are the driver's, which does not know them */
	assert_int_equal(t_ioctl(f->sim, d1, _IO(';', 100 + 30), dummy), -ENOTTY);
	/* closing the bound file frees the device for another */
	t_close(f->sim, d1);
	assert_int_equal(t_ioctl(f->sim, d2, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind), 0);
	assert_int_equal(bind.out_devid, 1); /* the other context's first id */
	t_close(f->sim, d2);
	t_close(f->sim, other);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 1);
}

static void test_get_info(void **state)
{
	struct fixture *f = *state;
	struct iofd_vfio_device_info info;
	int dfd = bind_dev(f->sim, f->ifd, CDEV_A, NULL);
	int mfd = bind_dev(f->sim, f->ifd, CDEV_M, NULL);

	memset(&info, 0xff, sizeof(info));
	info.argsz = sizeof(info);
	assert_int_equal(t_ioctl(f->sim, dfd, IOFD_VFIO_DEVICE_GET_INFO, &info), 0);
	assert_int_equal(info.flags, IOFD_VFIO_DEVICE_FLAGS_PCI | IOFD_VFIO_DEVICE_FLAGS_RESET);
	assert_int_equal(info.num_regions, 9);
	assert_int_equal(info.num_irqs, 5);
	assert_int_equal(info.cap_offset, 0);
	/* the first version (16 bytes) is answered as far as it goes */
	memset(&info, 0xff, sizeof(info));
	info.argsz = 16;
	assert_int_equal(t_ioctl(f->sim, dfd, IOFD_VFIO_DEVICE_GET_INFO, &info), 0);
	assert_int_equal(info.num_irqs, 5);
	assert_int_equal(info.cap_offset, 0xffffffff);
	info.argsz = 15;
	assert_int_equal(t_ioctl(f->sim, dfd, IOFD_VFIO_DEVICE_GET_INFO, &info), -EINVAL);
	/* an mdev */
	info.argsz = sizeof(info);
	assert_int_equal(t_ioctl(f->sim, mfd, IOFD_VFIO_DEVICE_GET_INFO, &info), 0);
	assert_int_equal(info.flags, IOFD_VFIO_DEVICE_FLAGS_PCI);
	t_close(f->sim, dfd);
	t_close(f->sim, mfd);
}

static void test_attach_rules(void **state)
{
	struct fixture *f = *state;
	struct iofd_vfio_device_attach_iommufd_pt cmd = { .argsz = 8, .pt_id = f->ioas };
	uint32_t id, pt;
	int dfd = bind_dev(f->sim, f->ifd, CDEV_A, &id);

	assert_int_equal(t_ioctl(f->sim, dfd, IOFD_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd), -EINVAL);
	cmd.argsz = sizeof(cmd);
	cmd.flags = 1;
	assert_int_equal(t_ioctl(f->sim, dfd, IOFD_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd), -EINVAL);
	pt = 999;
	assert_int_equal(attach(f->sim, dfd, &pt), -ENOENT);
	pt = id; /* a device is no page table */
	assert_int_equal(attach(f->sim, dfd, &pt), -EINVAL);
	/* detaching what is not attached is fine */
	assert_int_equal(detach(f->sim, dfd), 0);
	{
		struct iofd_vfio_device_detach_iommufd_pt d = { .argsz = 4 };

		assert_int_equal(t_ioctl(f->sim, dfd, IOFD_VFIO_DEVICE_DETACH_IOMMUFD_PT, &d),
				 -EINVAL);
		d.argsz = sizeof(d);
		d.flags = 1;
		assert_int_equal(t_ioctl(f->sim, dfd, IOFD_VFIO_DEVICE_DETACH_IOMMUFD_PT, &d),
				 -EINVAL);
	}
	assert_int_equal(iommufd_sim_live_objects(f->sim), 2);
	t_close(f->sim, dfd);
}

static void test_auto_domains(void **state)
{
	struct fixture *f = *state;
	uint32_t ida, idb, idc, ids, pa, pb, pc, ps;
	int fa = bind_dev(f->sim, f->ifd, CDEV_A, &ida);
	int fb = bind_dev(f->sim, f->ifd, CDEV_B, &idb);
	int fc = bind_dev(f->sim, f->ifd, CDEV_C, &idc);
	int fs = bind_dev(f->sim, f->ifd, CDEV_S, &ids);

	/* 1 IOAS + 4 devices */
	assert_int_equal(iommufd_sim_live_objects(f->sim), 5);
	pa = pb = pc = ps = f->ioas;
	assert_int_equal(attach(f->sim, fa, &pa), 0);
	assert_true(pa != f->ioas); /* the kernel reports the automatic domain */
	assert_int_equal(iommufd_sim_live_objects(f->sim), 6);
	/* compatible devices share it, VT-d units across instances too */
	assert_int_equal(attach(f->sim, fb, &pb), 0);
	assert_int_equal(pb, pa);
	assert_int_equal(attach(f->sim, fc, &pc), 0);
	assert_int_equal(pc, pa);
	/* another driver gets its own */
	assert_int_equal(attach(f->sim, fs, &ps), 0);
	assert_true(ps != pa);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 7);
	/* automatic domains have no dirty tracking */
	assert_int_equal(set_dirty(f->sim, f->ifd, pa, true), -EOPNOTSUPP);
	/* in use: neither the domain nor the IOAS can go */
	assert_int_equal(destroy(f->sim, f->ifd, pa), -EBUSY);
	assert_int_equal(destroy(f->sim, f->ifd, f->ioas), -EBUSY);
	/* the domain goes with its last device */
	assert_int_equal(detach(f->sim, fa), 0);
	assert_int_equal(detach(f->sim, fb), 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 7);
	assert_int_equal(detach(f->sim, fc), 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 6);
	assert_int_equal(destroy(f->sim, f->ifd, pa), -ENOENT);
	/* closing an attached device detaches it */
	t_close(f->sim, fs);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 4);
	assert_int_equal(destroy(f->sim, f->ifd, f->ioas), 0);
	t_close(f->sim, fa);
	t_close(f->sim, fb);
	t_close(f->sim, fc);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 0);
}

/* Auto-domain selection never takes a manually allocated domain. */
static void test_auto_skips_manual_domains(void **state)
{
	struct fixture *f = *state;
	uint32_t ida, idb, manual, pb;
	int fa = bind_dev(f->sim, f->ifd, CDEV_A, &ida);
	int fb = bind_dev(f->sim, f->ifd, CDEV_B, &idb);

	assert_int_equal(hwpt_alloc(f->sim, f->ifd, ida, f->ioas, 0, &manual), 0);
	pb = f->ioas;
	assert_int_equal(attach(f->sim, fb, &pb), 0);
	assert_true(pb != manual);
	t_close(f->sim, fa);
	t_close(f->sim, fb);
}

static void test_replace(void **state)
{
	struct fixture *f = *state;
	uint32_t id, hwpt, auto1, pt, ioas2 = ioas_alloc(f->sim, f->ifd);
	struct iofd_iova_range r[4];
	int fa = bind_dev(f->sim, f->ifd, CDEV_A, &id);

	auto1 = f->ioas;
	assert_int_equal(attach(f->sim, fa, &auto1), 0);
	/* attaching again to the same IOAS: the same domain */
	pt = f->ioas;
	assert_int_equal(attach(f->sim, fa, &pt), 0);
	assert_int_equal(pt, auto1);
	/* replace with a manual domain: the automatic one goes */
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, id, f->ioas, IOFD_HWPT_ALLOC_DIRTY_TRACKING,
				    &hwpt),
			 0);
	pt = hwpt;
	assert_int_equal(attach(f->sim, fa, &pt), 0);
	assert_int_equal(pt, hwpt);
	assert_int_equal(destroy(f->sim, f->ifd, auto1), -ENOENT);
	/* replace into another IOAS: the device's reserved range moves with it */
	pt = ioas2;
	assert_int_equal(attach(f->sim, fa, &pt), 0);
	assert_true(pt != hwpt);
	assert_int_equal(iova_ranges(f->sim, f->ifd, ioas2, r, 4, NULL), 2);
	assert_int_equal(r[0].last, 0xfedfffff);
	/* the manual domain's aperture stays reserved in the first IOAS, the MSI range not */
	assert_int_equal(iova_ranges(f->sim, f->ifd, f->ioas, r, 4, NULL), 1);
	assert_int_equal(r[0].last, (1ull << 48) - 1);
	assert_int_equal(destroy(f->sim, f->ifd, hwpt), 0);
	/* a failed replace changes nothing */
	pt = 999;
	assert_int_equal(attach(f->sim, fa, &pt), -ENOENT);
	assert_int_equal(iova_ranges(f->sim, f->ifd, ioas2, r, 4, NULL), 2);
	t_close(f->sim, fa);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 2);
}

/*
 * Linux 6.12: a replace that the driver refuses drops the device's reserved
 * ranges from the IOAS of the refused domain, even if the device stays
 * attached there. Re-attaching to an IOAS whose first automatic domain is
 * of another driver shows it.
 */
static void test_failed_replace_drops_reserved_ranges(void **state)
{
	struct fixture *f = *state;
	struct iofd_iova_range r[4];
	uint32_t ida, ids, pa, ps;
	int fs = bind_dev(f->sim, f->ifd, CDEV_S, &ids);
	int fa = bind_dev(f->sim, f->ifd, CDEV_A, &ida);

	ps = pa = f->ioas;
	assert_int_equal(attach(f->sim, fs, &ps), 0);
	assert_int_equal(attach(f->sim, fa, &pa), 0);
	assert_true(pa != ps);
	assert_int_equal(iova_ranges(f->sim, f->ifd, f->ioas, r, 4, NULL), 3);
	pa = f->ioas;
	assert_int_equal(attach(f->sim, fa, &pa), 0);
	/* the VT-d MSI window is no longer reserved; the SMMU's still is */
	assert_int_equal(iova_ranges(f->sim, f->ifd, f->ioas, r, 4, NULL), 2);
	assert_int_equal(r[0].last, 0x07ffffff);
	assert_int_equal(r[1].start, 0x08100000);
	t_close(f->sim, fa);
	t_close(f->sim, fs);
}

static void test_emulated_device(void **state)
{
	struct fixture *f = *state;
	uint32_t id, pt, ioas2 = ioas_alloc(f->sim, f->ifd);
	uint64_t align;
	struct iofd_iova_range r[2];
	int fm = bind_dev(f->sim, f->ifd, CDEV_M, &id);

	/* bound as an access: an object, but not a device */
	assert_int_equal(iommufd_sim_live_objects(f->sim), 3);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, id, f->ioas, 0, NULL), -ENOENT);
	/* unaligned mappings block it: an access works in whole pages */
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 0x800, 0x10000), 0);
	pt = f->ioas;
	assert_int_equal(attach(f->sim, fm, &pt), -EADDRINUSE);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0, UINT64_MAX, NULL), 0);
	/* it attaches to the IOAS itself: pt_id stays the IOAS */
	pt = f->ioas;
	assert_int_equal(attach(f->sim, fm, &pt), 0);
	assert_int_equal(pt, f->ioas);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 3);
	/* page alignment now, no reserved ranges */
	assert_int_equal(iova_ranges(f->sim, f->ifd, f->ioas, r, 2, &align), 1);
	assert_int_equal(align, SZ_4K);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 0x800, 0x10000), -EINVAL);
	assert_int_equal(destroy(f->sim, f->ifd, f->ioas), -EBUSY);
	/* replace to another IOAS */
	pt = ioas2;
	assert_int_equal(attach(f->sim, fm, &pt), 0);
	assert_int_equal(pt, ioas2);
	assert_int_equal(iova_ranges(f->sim, f->ifd, f->ioas, r, 2, &align), 1);
	assert_int_equal(align, 1);
	assert_int_equal(destroy(f->sim, f->ifd, f->ioas), 0);
	assert_int_equal(destroy(f->sim, f->ifd, id), -EBUSY);
	assert_int_equal(detach(f->sim, fm), 0);
	assert_int_equal(detach(f->sim, fm), 0);
	assert_int_equal(destroy(f->sim, f->ifd, ioas2), 0);
	t_close(f->sim, fm);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 0);
}

/* A bound device keeps its context's objects alive after the iommufd closes. */
static void test_context_outlives_its_fd(void **state)
{
	struct fixture *f = *state;
	uint32_t id, pt = f->ioas;
	int fa = bind_dev(f->sim, f->ifd, CDEV_A, &id);

	t_close(f->sim, f->ifd);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 2);
	/* the device still works in its context */
	assert_int_equal(attach(f->sim, fa, &pt), 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 3);
	/* the context's last reference goes with the device */
	t_close(f->sim, fa);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_domains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_skips_manual_domains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_replace_drops_reserved_ranges, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_emulated_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_context_outlives_its_fd, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
