/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The iommufd selftest ABI (IOMMU_TEST_CMD), present on kernels built with
 * CONFIG_IOMMUFD_TEST. Only what the library and its tests use; the facts
 * (numbers, layout) are those of Linux 6.12's iommufd_test.h.
 */
#ifndef IOFD_UAPI_SELFTEST_ABI_H
#define IOFD_UAPI_SELFTEST_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "uapi/iommufd_abi.h"

/* IOMMU_TEST_CMD sits 32 commands above the first iommufd command. */
#define IOFD_TEST_CMD _IO(IOFD_TYPE, IOFD_CMD_DESTROY + 32)

enum {
	IOFD_TEST_OP_ADD_RESERVED = 1,
	IOFD_TEST_OP_MOCK_DOMAIN = 2,
	IOFD_TEST_OP_MOCK_DOMAIN_REPLACE = 10,
	IOFD_TEST_OP_MOCK_DOMAIN_FLAGS = 12,
	IOFD_TEST_OP_DIRTY = 13,
	IOFD_TEST_OP_PASID_CHECK_HWPT = 21, /* 7.x: which HWPT a PASID (0: the RID) is on */
};

/* Mock device flags (MOCK_DOMAIN_FLAGS). */
enum { IOFD_MOCK_DEVICE_NO_DIRTY = 1u << 0 };

/* What the mock IOMMU can map, and the size of its IO pages (PAGE_SIZE / 2). */
#define IOFD_MOCK_APERTURE_START (1ull << 24)
#define IOFD_MOCK_APERTURE_LAST ((1ull << 31) - 1)
#define IOFD_MOCK_IO_PAGE_SIZE 2048ull

/* The kernel refuses TEST_OP_DIRTY over more pages than this (16 MiB of bitmap). */
#define IOFD_MOCK_DIRTY_MAX_PAGES (16ull * 1024 * 1024 * 8)

/* GET_HW_INFO's out_data_type for a mock device. */
#define IOFD_HW_INFO_TYPE_SELFTEST 0xfeedbeefu

struct iofd_test_cmd {
	uint32_t size;
	uint32_t op;
	uint32_t id; /* the object the op works on: IOAS, HWPT or stdev id */
	uint32_t reserved;
	union {
		struct {
			IOFD_ALIGNED_U64 start;
			IOFD_ALIGNED_U64 length;
		} add_reserved;
		/* MOCK_DOMAIN and MOCK_DOMAIN_FLAGS (dev_flags only read by the latter) */
		struct {
			uint32_t out_stdev_id;
			uint32_t out_hwpt_id;
			uint32_t out_idev_id;
			uint32_t dev_flags;
		} mock_domain;
		struct {
			uint32_t pt_id; /* in: IOAS or HWPT; out: the HWPT attached */
		} mock_domain_replace;
		struct {
			uint32_t flags;
			uint32_t reserved;
			IOFD_ALIGNED_U64 iova;
			IOFD_ALIGNED_U64 length;
			IOFD_ALIGNED_U64 page_size;
			IOFD_ALIGNED_U64 uptr; /* bitmap: bit i marks page iova + i*page_size */
			IOFD_ALIGNED_U64 out_nr_dirty;
		} dirty;
		struct {
			uint32_t pasid;
			uint32_t hwpt_id; /* 0: asks that nothing is attached */
		} pasid_check;
		/* the kernel's union is this large (its largest member is dirty) */
		IOFD_ALIGNED_U64 union_size[6];
	};
	uint32_t last;
};

IOFD_CHECK(iofd_test_cmd, op, 4);
IOFD_CHECK(iofd_test_cmd, id, 8);
IOFD_CHECK(iofd_test_cmd, add_reserved.start, 16);
IOFD_CHECK(iofd_test_cmd, add_reserved.length, 24);
IOFD_CHECK(iofd_test_cmd, mock_domain.out_stdev_id, 16);
IOFD_CHECK(iofd_test_cmd, mock_domain.out_hwpt_id, 20);
IOFD_CHECK(iofd_test_cmd, mock_domain.out_idev_id, 24);
IOFD_CHECK(iofd_test_cmd, mock_domain.dev_flags, 28);
IOFD_CHECK(iofd_test_cmd, mock_domain_replace.pt_id, 16);
IOFD_CHECK(iofd_test_cmd, dirty.flags, 16);
IOFD_CHECK(iofd_test_cmd, dirty.iova, 24);
IOFD_CHECK(iofd_test_cmd, dirty.length, 32);
IOFD_CHECK(iofd_test_cmd, dirty.page_size, 40);
IOFD_CHECK(iofd_test_cmd, dirty.uptr, 48);
IOFD_CHECK(iofd_test_cmd, dirty.out_nr_dirty, 56);
IOFD_CHECK(iofd_test_cmd, pasid_check.pasid, 16);
IOFD_CHECK(iofd_test_cmd, pasid_check.hwpt_id, 20);
IOFD_CHECK(iofd_test_cmd, last, 64);
IOFD_CHECK_SIZE(iofd_test_cmd, 72);

#endif
