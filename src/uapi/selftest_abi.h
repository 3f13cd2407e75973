/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The iommufd selftest ABI (IOMMU_TEST_CMD), present on kernels built with
 * CONFIG_IOMMUFD_TEST. Only what the library and its tests use; the facts
 * (numbers, layout) are those of Linux 6.12's iommufd_test.h, and of 7.3's for
 * what 6.12 lacks (marked; 6.12 answers EOPNOTSUPP to an op it does not know).
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
	IOFD_TEST_OP_MD_CHECK_IOTLB = 14,
	IOFD_TEST_OP_TRIGGER_IOPF = 15,
	IOFD_TEST_OP_DEV_CHECK_CACHE = 16, /* 7.3 */
	IOFD_TEST_OP_TRIGGER_VEVENT = 17,  /* 7.3 */
	IOFD_TEST_OP_PASID_ATTACH = 18,    /* 7.3 */
	IOFD_TEST_OP_PASID_REPLACE = 19,   /* 7.3 */
	IOFD_TEST_OP_PASID_DETACH = 20,    /* 7.3 */
	IOFD_TEST_OP_PASID_CHECK_HWPT = 21, /* 7.3 */
};

/* Mock device flags (MOCK_DOMAIN_FLAGS). */
enum {
	IOFD_MOCK_DEVICE_NO_DIRTY = 1u << 0,
	IOFD_MOCK_DEVICE_PASID = 1u << 2, /* 7.3: PASIDs of IOFD_MOCK_PASID_WIDTH bits */
};
#define IOFD_MOCK_PASID_WIDTH 20

/* Nested (stage-1) domains of the mock: data type and data (struct iommu_hwpt_selftest). */
#define IOFD_HWPT_DATA_SELFTEST 0xdeadu
struct iofd_hwpt_selftest {
	uint32_t iotlb; /* the value each of its IOTLB entries starts with */
};
/* The mock nested domain's IOTLB entries (ids 0..3) and its devices' cache entries (0..3). */
#define IOFD_MOCK_NESTED_IOTLB_NUM 4
#define IOFD_MOCK_DEV_CACHE_NUM 4
#define IOFD_TEST_IOTLB_DEFAULT 0xbadbeefu
#define IOFD_TEST_DEV_CACHE_DEFAULT 0xbaddadu /* 7.3 */

/* HWPT_INVALIDATE of a mock nested domain (entries: struct iofd_hwpt_invalidate_selftest). */
#define IOFD_HWPT_INVALIDATE_DATA_SELFTEST 0xdeadbeefu
#define IOFD_HWPT_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeefu
enum { IOFD_TEST_INVALIDATE_FLAG_ALL = 1u << 0 };
struct iofd_hwpt_invalidate_selftest {
	uint32_t flags; /* IOFD_TEST_INVALIDATE_FLAG_ALL: every entry, iotlb_id ignored */
	uint32_t iotlb_id;
};

/* The mock's vIOMMU (7.3): type, its data (a loopback, and 2 pages to mmap). */
#define IOFD_VIOMMU_TYPE_SELFTEST 0xdeadbeefu
struct iofd_viommu_selftest {
	uint32_t in_data;
	uint32_t out_data; /* in_data, written back */
	IOFD_ALIGNED_U64 out_mmap_offset;
	IOFD_ALIGNED_U64 out_mmap_length;
};

/* HWPT_INVALIDATE of a mock vIOMMU (7.3): its devices' caches, by vDEVICE virtual id. */
#define IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST 0xdeadbeefu
#define IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeefu
struct iofd_viommu_invalidate_selftest {
	uint32_t flags; /* IOFD_TEST_INVALIDATE_FLAG_ALL: every entry, cache_id ignored */
	uint32_t vdev_id;
	uint32_t cache_id;
};

/* The mock's vEVENTQ type (7.3) and its event: the device's virtual id. */
#define IOFD_VEVENTQ_TYPE_SELFTEST 0xbeefbeefu
struct iofd_viommu_event_selftest {
	uint32_t virt_id;
};

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
			uint32_t id; /* the IOTLB entry (id is the nested HWPT) */
			uint32_t iotlb;
		} check_iotlb;
		struct {
			uint32_t dev_id;
			uint32_t pasid;
			uint32_t grpid;
			uint32_t perm;
			IOFD_ALIGNED_U64 addr;
		} trigger_iopf;
		struct {
			uint32_t id; /* the cache entry (id is the device's dev_id) */
			uint32_t cache;
		} check_dev_cache;
		struct {
			uint32_t dev_id;
		} trigger_vevent;
		/* PASID_ATTACH, _REPLACE (pt_id in and out), _DETACH; id is the stdev id */
		struct {
			uint32_t pasid;
			uint32_t pt_id;
		} pasid_attach;
		struct {
			uint32_t pasid;
			uint32_t hwpt_id; /* 0: the PASID is detached */
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
IOFD_CHECK(iofd_test_cmd, check_iotlb.iotlb, 20);
IOFD_CHECK(iofd_test_cmd, trigger_iopf.perm, 28);
IOFD_CHECK(iofd_test_cmd, trigger_iopf.addr, 32);
IOFD_CHECK(iofd_test_cmd, check_dev_cache.cache, 20);
IOFD_CHECK(iofd_test_cmd, trigger_vevent.dev_id, 16);
IOFD_CHECK(iofd_test_cmd, pasid_attach.pt_id, 20);
IOFD_CHECK(iofd_test_cmd, pasid_check.hwpt_id, 20);
IOFD_CHECK_SIZE(iofd_viommu_selftest, 24);
IOFD_CHECK(iofd_viommu_selftest, out_mmap_offset, 8);
IOFD_CHECK_SIZE(iofd_viommu_invalidate_selftest, 12);
IOFD_CHECK(iofd_test_cmd, last, 64);
IOFD_CHECK_SIZE(iofd_test_cmd, 72);

#endif
