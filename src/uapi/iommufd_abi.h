/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The project's own statement of the iommufd ioctl ABI (/dev/iommu), as of
 * Linux 6.12, and what later kernels add that the library uses (marked). Facts of the ABI, written here so that the library builds
 * without kernel headers; tests/uapi compares every item with the kernel's
 * include/uapi/linux/iommufd.h.
 */
#ifndef IOFD_UAPI_IOMMUFD_ABI_H
#define IOFD_UAPI_IOMMUFD_ABI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#define IOFD_ALIGNED_U64 uint64_t __attribute__((aligned(8)))

#define IOFD_TYPE ';'
enum {
	IOFD_CMD_DESTROY = 0x80,
	IOFD_CMD_IOAS_ALLOC = 0x81,
	IOFD_CMD_IOAS_ALLOW_IOVAS = 0x82,
	IOFD_CMD_IOAS_COPY = 0x83,
	IOFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IOFD_CMD_IOAS_MAP = 0x85,
	IOFD_CMD_IOAS_UNMAP = 0x86,
	IOFD_CMD_HWPT_ALLOC = 0x89,
	IOFD_CMD_GET_HW_INFO = 0x8a,
	IOFD_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	IOFD_CMD_HWPT_GET_DIRTY_BITMAP = 0x8c,
	IOFD_CMD_HWPT_INVALIDATE = 0x8d,
	IOFD_CMD_FAULT_QUEUE_ALLOC = 0x8e,
	IOFD_CMD_IOAS_MAP_FILE = 0x8f, /* from Linux 6.13 */
	IOFD_CMD_VIOMMU_ALLOC = 0x90,  /* from Linux 6.13 */
	IOFD_CMD_VDEVICE_ALLOC = 0x91, /* from Linux 6.13 */
	IOFD_CMD_VEVENTQ_ALLOC = 0x93, /* from Linux 6.15 */
};

struct iofd_destroy {
	uint32_t size;
	uint32_t id;
};

struct iofd_ioas_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_ioas_id;
};

struct iofd_iova_range {
	IOFD_ALIGNED_U64 start;
	IOFD_ALIGNED_U64 last;
};

struct iofd_ioas_iova_ranges {
	uint32_t size;
	uint32_t ioas_id;
	uint32_t num_iovas;
	uint32_t reserved;
	IOFD_ALIGNED_U64 allowed_iovas; /* user pointer to struct iofd_iova_range[] */
	IOFD_ALIGNED_U64 out_iova_alignment;
};

struct iofd_ioas_allow_iovas {
	uint32_t size;
	uint32_t ioas_id;
	uint32_t num_iovas;
	uint32_t reserved;
	IOFD_ALIGNED_U64 allowed_iovas;
};

enum {
	IOFD_IOAS_MAP_FIXED_IOVA = 1u << 0,
	IOFD_IOAS_MAP_WRITEABLE = 1u << 1,
	IOFD_IOAS_MAP_READABLE = 1u << 2,
};

struct iofd_ioas_map {
	uint32_t size;
	uint32_t flags;
	uint32_t ioas_id;
	uint32_t reserved;
	IOFD_ALIGNED_U64 user_va;
	IOFD_ALIGNED_U64 length;
	IOFD_ALIGNED_U64 iova;
};

/* From Linux 6.13 (ENOTTY before): map a file (a memfd; some dma-bufs on newer kernels). */
struct iofd_ioas_map_file {
	uint32_t size;
	uint32_t flags; /* IOFD_IOAS_MAP_* */
	uint32_t ioas_id;
	int32_t fd;
	IOFD_ALIGNED_U64 start; /* the file's byte at iova */
	IOFD_ALIGNED_U64 length;
	IOFD_ALIGNED_U64 iova;
};

struct iofd_ioas_copy {
	uint32_t size;
	uint32_t flags; /* IOFD_IOAS_MAP_* */
	uint32_t dst_ioas_id;
	uint32_t src_ioas_id;
	IOFD_ALIGNED_U64 length;
	IOFD_ALIGNED_U64 dst_iova;
	IOFD_ALIGNED_U64 src_iova;
};

struct iofd_ioas_unmap {
	uint32_t size;
	uint32_t ioas_id;
	IOFD_ALIGNED_U64 iova;
	IOFD_ALIGNED_U64 length;
};

enum {
	IOFD_HWPT_ALLOC_NEST_PARENT = 1u << 0,
	IOFD_HWPT_ALLOC_DIRTY_TRACKING = 1u << 1,
	IOFD_HWPT_FAULT_ID_VALID = 1u << 2,
	IOFD_HWPT_ALLOC_PASID = 1u << 3, /* newer than 6.12 (EOPNOTSUPP there) */
};

enum {
	IOFD_HWPT_DATA_NONE = 0,
	IOFD_HWPT_DATA_VTD_S1 = 1,
	IOFD_HWPT_DATA_ARM_SMMUV3 = 2, /* from Linux 6.13 */
};

/* IOFD_HWPT_DATA_VTD_S1: the guest's first-stage table for a VT-d nested domain. */
struct iofd_hwpt_vtd_s1 {
	IOFD_ALIGNED_U64 flags; /* IOFD_VTD_S1_* */
	IOFD_ALIGNED_U64 pgtbl_addr;
	uint32_t addr_width;
	uint32_t reserved;
};

enum {
	IOFD_VTD_S1_SRE = 1u << 0,
	IOFD_VTD_S1_EAFE = 1u << 1,
	IOFD_VTD_S1_WPE = 1u << 2,
};

/* IOFD_HWPT_DATA_ARM_SMMUV3: the guest's STE (its first two double words, little endian). */
struct iofd_hwpt_arm_smmuv3 {
	IOFD_ALIGNED_U64 ste[2];
};

struct iofd_hwpt_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t dev_id;
	uint32_t pt_id;
	uint32_t out_hwpt_id;
	uint32_t reserved;
	uint32_t data_type;
	uint32_t data_len;
	IOFD_ALIGNED_U64 data_uptr;
	uint32_t fault_id;
	uint32_t reserved2;
};

enum {
	IOFD_HW_INFO_TYPE_NONE = 0,
	IOFD_HW_INFO_TYPE_INTEL_VTD = 1,
	IOFD_HW_INFO_TYPE_ARM_SMMUV3 = 2, /* from Linux 6.13 */
};

enum {
	IOFD_HW_CAP_DIRTY_TRACKING = 1u << 0,
	IOFD_HW_CAP_PCI_PASID_EXEC = 1u << 1,
	IOFD_HW_CAP_PCI_PASID_PRIV = 1u << 2,
};

/* Newer than 6.12 (EOPNOTSUPP there): out_data_type carries the type asked for on input. */
enum { IOFD_HW_INFO_FLAG_INPUT_TYPE = 1u << 0 };

struct iofd_hw_info {
	uint32_t size;
	uint32_t flags;
	uint32_t dev_id;
	uint32_t data_len;
	IOFD_ALIGNED_U64 data_uptr;
	uint32_t out_data_type; /* in_data_type too, with IOFD_HW_INFO_FLAG_INPUT_TYPE */
	uint8_t out_max_pasid_log2;
	uint8_t reserved[3];
	IOFD_ALIGNED_U64 out_capabilities;
};

enum { IOFD_HWPT_DIRTY_TRACKING_ENABLE = 1u << 0 };

struct iofd_hwpt_set_dirty_tracking {
	uint32_t size;
	uint32_t flags;
	uint32_t hwpt_id;
	uint32_t reserved;
};

enum { IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR = 1u << 0 };

struct iofd_hwpt_get_dirty_bitmap {
	uint32_t size;
	uint32_t hwpt_id;
	uint32_t flags;
	uint32_t reserved;
	IOFD_ALIGNED_U64 iova;
	IOFD_ALIGNED_U64 length;
	IOFD_ALIGNED_U64 page_size;
	IOFD_ALIGNED_U64 data; /* user pointer to the bitmap (u64 words) */
};

/* HWPT_INVALIDATE: the data types of its entries. */
enum {
	IOFD_HWPT_INVALIDATE_DATA_VTD_S1 = 0,
	IOFD_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 = 1, /* from Linux 6.14 */
};

enum { IOFD_VTD_INV_FLAGS_LEAF = 1u << 0 };

struct iofd_hwpt_vtd_s1_invalidate {
	IOFD_ALIGNED_U64 addr;
	IOFD_ALIGNED_U64 npages;
	uint32_t flags; /* IOFD_VTD_INV_FLAGS_LEAF */
	uint32_t reserved;
};

/* One SMMUv3 command queue entry (little endian). */
struct iofd_viommu_arm_smmuv3_invalidate {
	IOFD_ALIGNED_U64 cmd[2];
};

struct iofd_hwpt_invalidate {
	uint32_t size;
	uint32_t hwpt_id; /* a nested HWPT or a vIOMMU */
	IOFD_ALIGNED_U64 data_uptr;
	uint32_t data_type;
	uint32_t entry_len;
	uint32_t entry_num; /* in: entries given; out: entries done (also on failure) */
	uint32_t reserved;
};

/* Fault queues (IOMMU_FAULT_QUEUE_ALLOC): read() gives faults, write() takes responses. */
enum {
	IOFD_PGFAULT_FLAGS_PASID_VALID = 1u << 0,
	IOFD_PGFAULT_FLAGS_LAST_PAGE = 1u << 1,
};

enum {
	IOFD_PGFAULT_PERM_READ = 1u << 0,
	IOFD_PGFAULT_PERM_WRITE = 1u << 1,
	IOFD_PGFAULT_PERM_EXEC = 1u << 2,
	IOFD_PGFAULT_PERM_PRIV = 1u << 3,
};

struct iofd_hwpt_pgfault {
	uint32_t flags;
	uint32_t dev_id;
	uint32_t pasid;
	uint32_t grpid;
	uint32_t perm;
	uint32_t reserved;
	IOFD_ALIGNED_U64 addr;
	uint32_t length;
	uint32_t cookie;
};

enum {
	IOFD_PAGE_RESP_SUCCESS = 0,
	IOFD_PAGE_RESP_INVALID = 1,
};

struct iofd_hwpt_page_response {
	uint32_t cookie;
	uint32_t code;
};

struct iofd_fault_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_fault_id;
	uint32_t out_fault_fd;
};

/* vIOMMUs (from Linux 6.13). */
enum {
	IOFD_VIOMMU_TYPE_DEFAULT = 0,
	IOFD_VIOMMU_TYPE_ARM_SMMUV3 = 1,
};

struct iofd_viommu_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t type;
	uint32_t dev_id;
	uint32_t hwpt_id; /* its nest parent */
	uint32_t out_viommu_id;
	uint32_t data_len;
	uint32_t reserved;
	IOFD_ALIGNED_U64 data_uptr; /* the driver's data: read, and written back */
};

struct iofd_vdevice_alloc {
	uint32_t size;
	uint32_t viommu_id;
	uint32_t dev_id;
	uint32_t out_vdevice_id;
	IOFD_ALIGNED_U64 virt_id;
};

/* vEVENTQs (from Linux 6.15): read() gives a header and the event's data per event. */
enum { IOFD_VEVENTQ_FLAG_LOST_EVENTS = 1u << 0 };

struct iofd_vevent_header {
	uint32_t flags;
	uint32_t sequence; /* 0 .. INT_MAX, then 0 again */
};

enum {
	IOFD_VEVENTQ_TYPE_DEFAULT = 0,
	IOFD_VEVENTQ_TYPE_ARM_SMMUV3 = 1,
};

/* IOFD_VEVENTQ_TYPE_ARM_SMMUV3: an SMMUv3 event record, its StreamID the vSID. */
struct iofd_vevent_arm_smmuv3 {
	IOFD_ALIGNED_U64 evt[4];
};

struct iofd_veventq_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t viommu_id;
	uint32_t type;
	uint32_t veventq_depth;
	uint32_t out_veventq_id;
	uint32_t out_veventq_fd;
	uint32_t reserved;
};

#define IOFD_DESTROY _IO(IOFD_TYPE, IOFD_CMD_DESTROY)
#define IOFD_IOAS_ALLOC _IO(IOFD_TYPE, IOFD_CMD_IOAS_ALLOC)
#define IOFD_IOAS_ALLOW_IOVAS _IO(IOFD_TYPE, IOFD_CMD_IOAS_ALLOW_IOVAS)
#define IOFD_IOAS_COPY _IO(IOFD_TYPE, IOFD_CMD_IOAS_COPY)
#define IOFD_IOAS_IOVA_RANGES _IO(IOFD_TYPE, IOFD_CMD_IOAS_IOVA_RANGES)
#define IOFD_IOAS_MAP _IO(IOFD_TYPE, IOFD_CMD_IOAS_MAP)
#define IOFD_IOAS_UNMAP _IO(IOFD_TYPE, IOFD_CMD_IOAS_UNMAP)
#define IOFD_HWPT_ALLOC _IO(IOFD_TYPE, IOFD_CMD_HWPT_ALLOC)
#define IOFD_GET_HW_INFO _IO(IOFD_TYPE, IOFD_CMD_GET_HW_INFO)
#define IOFD_HWPT_SET_DIRTY_TRACKING _IO(IOFD_TYPE, IOFD_CMD_HWPT_SET_DIRTY_TRACKING)
#define IOFD_HWPT_GET_DIRTY_BITMAP _IO(IOFD_TYPE, IOFD_CMD_HWPT_GET_DIRTY_BITMAP)
#define IOFD_IOAS_MAP_FILE _IO(IOFD_TYPE, IOFD_CMD_IOAS_MAP_FILE)
#define IOFD_HWPT_INVALIDATE _IO(IOFD_TYPE, IOFD_CMD_HWPT_INVALIDATE)
#define IOFD_FAULT_QUEUE_ALLOC _IO(IOFD_TYPE, IOFD_CMD_FAULT_QUEUE_ALLOC)
#define IOFD_VIOMMU_ALLOC _IO(IOFD_TYPE, IOFD_CMD_VIOMMU_ALLOC)
#define IOFD_VDEVICE_ALLOC _IO(IOFD_TYPE, IOFD_CMD_VDEVICE_ALLOC)
#define IOFD_VEVENTQ_ALLOC _IO(IOFD_TYPE, IOFD_CMD_VEVENTQ_ALLOC)

/* Layout checks: the offsets below are the kernel's (x86-64 and every LP64). */
#define IOFD_CHECK(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), #type "." #field)
#define IOFD_CHECK_SIZE(type, sz) _Static_assert(sizeof(struct type) == (sz), #type " size")

IOFD_CHECK_SIZE(iofd_destroy, 8);
IOFD_CHECK_SIZE(iofd_ioas_alloc, 12);
IOFD_CHECK_SIZE(iofd_iova_range, 16);
IOFD_CHECK_SIZE(iofd_ioas_iova_ranges, 32);
IOFD_CHECK(iofd_ioas_iova_ranges, allowed_iovas, 16);
IOFD_CHECK(iofd_ioas_iova_ranges, out_iova_alignment, 24);
IOFD_CHECK_SIZE(iofd_ioas_allow_iovas, 24);
IOFD_CHECK_SIZE(iofd_ioas_map, 40);
IOFD_CHECK(iofd_ioas_map, user_va, 16);
IOFD_CHECK(iofd_ioas_map, iova, 32);
IOFD_CHECK_SIZE(iofd_ioas_map_file, 40);
IOFD_CHECK(iofd_ioas_map_file, fd, 12);
IOFD_CHECK(iofd_ioas_map_file, start, 16);
IOFD_CHECK(iofd_ioas_map_file, iova, 32);
IOFD_CHECK_SIZE(iofd_ioas_copy, 40);
IOFD_CHECK(iofd_ioas_copy, src_iova, 32);
IOFD_CHECK_SIZE(iofd_ioas_unmap, 24);
IOFD_CHECK(iofd_ioas_unmap, iova, 8);
IOFD_CHECK_SIZE(iofd_hwpt_alloc, 48);
IOFD_CHECK(iofd_hwpt_alloc, out_hwpt_id, 16);
IOFD_CHECK(iofd_hwpt_alloc, data_uptr, 32);
IOFD_CHECK(iofd_hwpt_alloc, fault_id, 40);
IOFD_CHECK_SIZE(iofd_hw_info, 40);
IOFD_CHECK(iofd_hw_info, out_data_type, 24);
IOFD_CHECK(iofd_hw_info, out_capabilities, 32);
IOFD_CHECK_SIZE(iofd_hwpt_set_dirty_tracking, 16);
IOFD_CHECK_SIZE(iofd_hwpt_get_dirty_bitmap, 48);
IOFD_CHECK(iofd_hwpt_get_dirty_bitmap, data, 40);
IOFD_CHECK_SIZE(iofd_hwpt_vtd_s1, 24);
IOFD_CHECK(iofd_hwpt_vtd_s1, addr_width, 16);
IOFD_CHECK_SIZE(iofd_hwpt_arm_smmuv3, 16);
IOFD_CHECK_SIZE(iofd_hwpt_vtd_s1_invalidate, 24);
IOFD_CHECK(iofd_hwpt_vtd_s1_invalidate, flags, 16);
IOFD_CHECK_SIZE(iofd_viommu_arm_smmuv3_invalidate, 16);
IOFD_CHECK_SIZE(iofd_hwpt_invalidate, 32);
IOFD_CHECK(iofd_hwpt_invalidate, data_uptr, 8);
IOFD_CHECK(iofd_hwpt_invalidate, entry_num, 24);
IOFD_CHECK_SIZE(iofd_hwpt_pgfault, 40);
IOFD_CHECK(iofd_hwpt_pgfault, addr, 24);
IOFD_CHECK(iofd_hwpt_pgfault, cookie, 36);
IOFD_CHECK_SIZE(iofd_hwpt_page_response, 8);
IOFD_CHECK_SIZE(iofd_fault_alloc, 16);
IOFD_CHECK_SIZE(iofd_viommu_alloc, 40);
IOFD_CHECK(iofd_viommu_alloc, out_viommu_id, 20);
IOFD_CHECK(iofd_viommu_alloc, data_uptr, 32);
IOFD_CHECK_SIZE(iofd_vdevice_alloc, 24);
IOFD_CHECK(iofd_vdevice_alloc, virt_id, 16);
IOFD_CHECK_SIZE(iofd_vevent_header, 8);
IOFD_CHECK_SIZE(iofd_vevent_arm_smmuv3, 32);
IOFD_CHECK_SIZE(iofd_veventq_alloc, 32);
IOFD_CHECK(iofd_veventq_alloc, out_veventq_fd, 24);

#endif
