/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The iommufd selftest ABI (IOMMU_TEST_CMD), present on kernels built with
 * CONFIG_IOMMUFD_TEST: what the library and its tests use, and what the simulator
 * models of it (ops and types up to Linux 7.3's iommufd_test.h; each says where 6.12 ends).
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
	IOFD_TEST_OP_MD_CHECK_MAP = 3,
	IOFD_TEST_OP_MD_CHECK_REFS = 4,
	IOFD_TEST_OP_CREATE_ACCESS = 5,
	IOFD_TEST_OP_DESTROY_ACCESS_PAGES = 6,
	IOFD_TEST_OP_ACCESS_PAGES = 7,
	IOFD_TEST_OP_ACCESS_RW = 8,
	IOFD_TEST_OP_SET_TEMP_MEMORY_LIMIT = 9,
	IOFD_TEST_OP_MOCK_DOMAIN_REPLACE = 10,
	IOFD_TEST_OP_ACCESS_REPLACE_IOAS = 11,
	IOFD_TEST_OP_MOCK_DOMAIN_FLAGS = 12,
	IOFD_TEST_OP_DIRTY = 13,
	IOFD_TEST_OP_MD_CHECK_IOTLB = 14,
	IOFD_TEST_OP_TRIGGER_IOPF = 15,
	/* 6.12 ends here; the ops after it are 7.x's */
	IOFD_TEST_OP_DEV_CHECK_CACHE = 16,
	IOFD_TEST_OP_TRIGGER_VEVENT = 17,
	IOFD_TEST_OP_PASID_ATTACH = 18,
	IOFD_TEST_OP_PASID_REPLACE = 19,
	IOFD_TEST_OP_PASID_DETACH = 20,
	IOFD_TEST_OP_PASID_CHECK_HWPT = 21,
	IOFD_TEST_OP_DMABUF_GET = 22,
	IOFD_TEST_OP_DMABUF_REVOKE = 23,
};

/* Mock device flags (MOCK_DOMAIN_FLAGS). */
enum {
	IOFD_MOCK_DEVICE_NO_DIRTY = 1u << 0,
	IOFD_MOCK_DEVICE_HUGE_IOVA = 1u << 1, /* 6.12 only */
	IOFD_MOCK_DEVICE_PASID = 1u << 2,     /* 7.x */
};

/* Accesses (CREATE_ACCESS, ACCESS_PAGES, ACCESS_RW). */
enum {
	IOFD_MOCK_ACCESS_CREATE_NEEDS_PIN_PAGES = 1u << 0,
	IOFD_MOCK_ACCESS_WRITE = 1u << 0,     /* ACCESS_PAGES and ACCESS_RW */
	IOFD_MOCK_ACCESS_RW_SLOW_PATH = 1u << 2,
	IOFD_MOCK_ACCESS_SYZ = 1u << 16,
};

/* The mock's nested domains (IOMMU_HWPT_DATA_SELFTEST) and their invalidation. */
#define IOFD_HWPT_DATA_SELFTEST 0xdeadu
#define IOFD_TEST_IOTLB_DEFAULT 0xbadbeefu
#define IOFD_TEST_DEV_CACHE_DEFAULT 0xbaddadu
#define IOFD_HWPT_INVALIDATE_DATA_SELFTEST 0xdeadbeefu
#define IOFD_HWPT_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeefu /* a type the mock refuses */
#define IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST 0xdeadbeefu
#define IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeefu
#define IOFD_TEST_INVALIDATE_FLAG_ALL 1u
#define IOFD_MOCK_IOTLB_NUM 4
#define IOFD_MOCK_DEV_CACHE_NUM 4
#define IOFD_MOCK_PASID_WIDTH 20
#define IOFD_TEST_PASID_RESERVED 1024 /* the mock fails every other change of it */
enum { IOFD_MOCK_IOMMUPT_DEFAULT = 0, IOFD_MOCK_IOMMUPT_HUGE = 1 };
#define IOFD_MOCK_HUGE_PAGE_SIZE (512ull * 2048)

/* struct iommu_hwpt_selftest: 4 bytes in 6.12, 8 in 7.x */
struct iofd_hwpt_selftest {
	uint32_t iotlb;
	uint32_t pagetable_type;
};

struct iofd_hwpt_invalidate_selftest {
	uint32_t flags;
	uint32_t iotlb_id;
};

/* The mock's vIOMMU, vEVENTQ and HW queue types, and its vIOMMU's data. */
#define IOFD_VIOMMU_TYPE_SELFTEST 0xdeadbeefu
#define IOFD_VEVENTQ_TYPE_SELFTEST 0xbeefbeefu
#define IOFD_HW_QUEUE_TYPE_SELFTEST 0xdeadbeefu
#define IOFD_TEST_HW_QUEUE_MAX 2

struct iofd_viommu_selftest {
	uint32_t in_data;
	uint32_t out_data;
	IOFD_ALIGNED_U64 out_mmap_offset;
	IOFD_ALIGNED_U64 out_mmap_length;
};

struct iofd_viommu_invalidate_selftest {
	uint32_t flags;
	uint32_t vdev_id;
	uint32_t cache_id;
};

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
			IOFD_ALIGNED_U64 iova;
			IOFD_ALIGNED_U64 length;
			IOFD_ALIGNED_U64 uptr;
		} check_map;
		struct {
			IOFD_ALIGNED_U64 length;
			IOFD_ALIGNED_U64 uptr;
			uint32_t refs;
		} check_refs;
		struct {
			uint32_t out_access_fd;
			uint32_t flags;
		} create_access;
		struct {
			uint32_t access_pages_id;
		} destroy_access_pages;
		struct {
			uint32_t flags;
			uint32_t out_access_pages_id;
			IOFD_ALIGNED_U64 iova;
			IOFD_ALIGNED_U64 length;
			IOFD_ALIGNED_U64 uptr;
		} access_pages;
		struct {
			IOFD_ALIGNED_U64 iova;
			IOFD_ALIGNED_U64 length;
			IOFD_ALIGNED_U64 uptr;
			uint32_t flags;
		} access_rw;
		struct {
			uint32_t limit;
		} memory_limit;
		struct {
			uint32_t ioas_id;
		} access_replace_ioas;
		struct {
			uint32_t id;
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
			uint32_t id;
			uint32_t cache;
		} check_dev_cache;
		struct {
			uint32_t dev_id;
		} trigger_vevent;
		/* PASID_ATTACH, PASID_REPLACE, PASID_DETACH (pasid only), PASID_CHECK_HWPT */
		struct {
			uint32_t pasid;
			uint32_t pt_id; /* CHECK_HWPT: the HWPT expected, 0 for none */
		} pasid;
		struct {
			uint32_t flags;
			uint32_t reserved;
			IOFD_ALIGNED_U64 iova;
			IOFD_ALIGNED_U64 length;
			IOFD_ALIGNED_U64 page_size;
			IOFD_ALIGNED_U64 uptr; /* bitmap: bit i marks page iova + i*page_size */
			IOFD_ALIGNED_U64 out_nr_dirty;
		} dirty;
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
IOFD_CHECK(iofd_test_cmd, check_refs.refs, 32);
IOFD_CHECK(iofd_test_cmd, access_pages.uptr, 40);
IOFD_CHECK(iofd_test_cmd, access_rw.flags, 40);
IOFD_CHECK(iofd_test_cmd, trigger_iopf.addr, 32);
IOFD_CHECK(iofd_test_cmd, last, 64);
IOFD_CHECK_SIZE(iofd_test_cmd, 72);

#endif
