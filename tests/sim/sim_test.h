/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers for the simulator tests: drive the simulated kernel through its
 * transport ops with the UAPI structs, exactly as the library does.
 */
#ifndef IOFD_TESTS_SIM_TEST_H
#define IOFD_TESTS_SIM_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include <iommufd/iommufd.h>

#include "sim/sim_transport.h"
#include "uapi/iommufd_abi.h"
#include "uapi/iommufd_ext_abi.h"
#include "uapi/vfio_abi.h"

/* Devices of the built-in default host. */
#define DEV_A "0000:00:02.0" /* dmar0: VT-d, dirty tracking, 48 bits */
#define DEV_B "0000:00:03.0" /* dmar0 */
#define DEV_C "0000:00:04.0" /* dmar1: VT-d, no dirty tracking, 39 bits */
#define DEV_S "0000:80:00.0" /* smmu0: SMMUv3, dirty tracking */
#define DEV_M "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001" /* emulated */
#define CDEV_A "/dev/vfio/devices/vfio0"
#define CDEV_B "/dev/vfio/devices/vfio1"
#define CDEV_C "/dev/vfio/devices/vfio2"
#define CDEV_S "/dev/vfio/devices/vfio3"
#define CDEV_M "/dev/vfio/devices/vfio4"

#define SZ_4K 0x1000ull
#define SZ_2M 0x200000ull

static inline const struct iofd_transport_ops *ops(void)
{
	return &iofd_sim_transport_ops;
}

static inline struct iommufd_sim *new_sim(const char *topo)
{
	struct iommufd_sim *sim = NULL;

	assert_int_equal(iommufd_sim_new(topo, &sim), 0);
	assert_non_null(sim);
	return sim;
}

static inline int t_open(struct iommufd_sim *sim, const char *path)
{
	return ops()->open(sim, path, O_RDWR | O_CLOEXEC);
}

static inline void t_close(struct iommufd_sim *sim, int fd)
{
	ops()->close(sim, fd);
}

static inline int t_ioctl(struct iommufd_sim *sim, int fd, unsigned long req, void *arg)
{
	return ops()->ioctl(sim, fd, req, arg);
}

static inline int open_iommufd(struct iommufd_sim *sim)
{
	int fd = t_open(sim, "/dev/iommu");

	assert_true(fd >= 0);
	return fd;
}

static inline uint32_t ioas_alloc(struct iommufd_sim *sim, int ifd)
{
	struct iofd_ioas_alloc cmd = { .size = sizeof(cmd) };

	assert_int_equal(t_ioctl(sim, ifd, IOFD_IOAS_ALLOC, &cmd), 0);
	assert_true(cmd.out_ioas_id > 0);
	return cmd.out_ioas_id;
}

static inline int destroy(struct iommufd_sim *sim, int ifd, uint32_t id)
{
	struct iofd_destroy cmd = { .size = sizeof(cmd), .id = id };

	return t_ioctl(sim, ifd, IOFD_DESTROY, &cmd);
}

/* MAP; flags 0 means readable + writeable at a kernel-chosen IOVA. */
static inline int map(struct iommufd_sim *sim, int ifd, uint32_t ioas, const void *va,
		      uint64_t len, uint64_t *iova, uint32_t flags)
{
	struct iofd_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags ? flags : IOFD_IOAS_MAP_READABLE | IOFD_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova ? *iova : 0,
	};
	int ret = t_ioctl(sim, ifd, IOFD_IOAS_MAP, &cmd);

	if (!ret && iova)
		*iova = cmd.iova;
	return ret;
}

static inline int map_fixed(struct iommufd_sim *sim, int ifd, uint32_t ioas, const void *va,
			    uint64_t len, uint64_t iova)
{
	return map(sim, ifd, ioas, va, len, &iova,
		   IOFD_IOAS_MAP_FIXED_IOVA | IOFD_IOAS_MAP_READABLE | IOFD_IOAS_MAP_WRITEABLE);
}

static inline int unmap(struct iommufd_sim *sim, int ifd, uint32_t ioas, uint64_t iova,
			uint64_t len, uint64_t *unmapped)
{
	struct iofd_ioas_unmap cmd = { .size = sizeof(cmd), .ioas_id = ioas, .iova = iova,
				       .length = len };
	int ret = t_ioctl(sim, ifd, IOFD_IOAS_UNMAP, &cmd);

	if (!ret && unmapped)
		*unmapped = cmd.length;
	return ret;
}

/* Open a device cdev and bind it: the device fd; *devid the kernel's dev_id. */
static inline int bind_dev(struct iommufd_sim *sim, int ifd, const char *cdev, uint32_t *devid)
{
	struct iofd_vfio_device_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = ifd };
	int dfd = t_open(sim, cdev);

	assert_true(dfd >= 0);
	assert_int_equal(t_ioctl(sim, dfd, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind), 0);
	assert_true(bind.out_devid > 0);
	if (devid)
		*devid = bind.out_devid;
	return dfd;
}

/* ATTACH_IOMMUFD_PT; *pt in: IOAS or HWPT, out: what the kernel reports. */
static inline int attach(struct iommufd_sim *sim, int dfd, uint32_t *pt)
{
	struct iofd_vfio_device_attach_iommufd_pt cmd = { .argsz = sizeof(cmd), .pt_id = *pt };
	int ret = t_ioctl(sim, dfd, IOFD_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd);

	if (!ret)
		*pt = cmd.pt_id;
	return ret;
}

static inline int detach(struct iommufd_sim *sim, int dfd)
{
	struct iofd_vfio_device_detach_iommufd_pt cmd = { .argsz = sizeof(cmd) };

	return t_ioctl(sim, dfd, IOFD_VFIO_DEVICE_DETACH_IOMMUFD_PT, &cmd);
}

static inline int hwpt_alloc(struct iommufd_sim *sim, int ifd, uint32_t dev_id, uint32_t pt_id,
			     uint32_t flags, uint32_t *hwpt)
{
	struct iofd_hwpt_alloc cmd = { .size = sizeof(cmd), .flags = flags, .dev_id = dev_id,
				       .pt_id = pt_id, .data_type = IOFD_HWPT_DATA_NONE };
	int ret = t_ioctl(sim, ifd, IOFD_HWPT_ALLOC, &cmd);

	if (hwpt)
		*hwpt = ret ? 0 : cmd.out_hwpt_id;
	return ret;
}

static inline int set_dirty(struct iommufd_sim *sim, int ifd, uint32_t hwpt, bool enable)
{
	struct iofd_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd),
		.flags = enable ? IOFD_HWPT_DIRTY_TRACKING_ENABLE : 0,
		.hwpt_id = hwpt,
	};

	return t_ioctl(sim, ifd, IOFD_HWPT_SET_DIRTY_TRACKING, &cmd);
}

static inline int get_dirty(struct iommufd_sim *sim, int ifd, uint32_t hwpt, uint64_t iova,
			    uint64_t len, uint64_t page_size, uint64_t *bitmap, uint32_t flags)
{
	struct iofd_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt,
		.flags = flags,
		.iova = iova,
		.length = len,
		.page_size = page_size,
		.data = (uintptr_t)bitmap,
	};

	return t_ioctl(sim, ifd, IOFD_HWPT_GET_DIRTY_BITMAP, &cmd);
}

/* IOVA_RANGES into out (max entries): the count, or -errno. */
static inline int iova_ranges(struct iommufd_sim *sim, int ifd, uint32_t ioas,
			      struct iofd_iova_range *out, uint32_t max, uint64_t *align)
{
	struct iofd_ioas_iova_ranges cmd = { .size = sizeof(cmd), .ioas_id = ioas,
					     .num_iovas = max, .allowed_iovas = (uintptr_t)out };
	int ret = t_ioctl(sim, ifd, IOFD_IOAS_IOVA_RANGES, &cmd);

	if (align)
		*align = cmd.out_iova_alignment;
	if (ret == -EMSGSIZE || !ret)
		return ret ? ret : (int)cmd.num_iovas;
	return ret;
}

/* Page-aligned memory that the tests map (the simulator checks it is there). */
static inline void *test_buf(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

static inline void free_buf(void *p, size_t len)
{
	munmap(p, len);
}

#endif
