/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The project's own statement of the iommufd ioctl ABI (/dev/iommu), as of
 * Linux 6.12. Facts of the ABI, written here so that the library builds
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
	IOFD_CMD_IOAS_MAP_FILE = 0x8f, /* from Linux 6.13 */
	IOFD_CMD_VIOMMU_ALLOC = 0x90,  /* from Linux 6.13 */
	IOFD_CMD_IOAS_CHANGE_PROCESS = 0x92, /* from Linux 6.13 */
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

/*
 * From Linux 6.13 (ENOTTY before): the pinned pages of every mapping of every IOAS of the
 * iommufd now count against the calling process; EINVAL (nothing changed) when a mapping
 * is not of a file. reserved must be 0 (EOPNOTSUPP, before anything else is looked at).
 */
struct iofd_ioas_change_process {
	uint32_t size;
	uint32_t reserved;
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
};

enum { IOFD_HWPT_DATA_NONE = 0, IOFD_HWPT_DATA_VTD_S1 = 1 };

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

/* From Linux 6.13 (ENOTTY before): a vIOMMU over a nest-parent HWPT, of a driver's type. */
enum { IOFD_VIOMMU_TYPE_DEFAULT = 0 }; /* reserved: every kernel refuses it (EOPNOTSUPP) */

struct iofd_viommu_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t type;
	uint32_t dev_id;
	uint32_t hwpt_id;
	uint32_t out_viommu_id;
	uint32_t data_len;
	uint32_t reserved;
	IOFD_ALIGNED_U64 data_uptr;
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
#define IOFD_VIOMMU_ALLOC _IO(IOFD_TYPE, IOFD_CMD_VIOMMU_ALLOC)
#define IOFD_IOAS_CHANGE_PROCESS _IO(IOFD_TYPE, IOFD_CMD_IOAS_CHANGE_PROCESS)

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
IOFD_CHECK_SIZE(iofd_ioas_change_process, 8);
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
IOFD_CHECK_SIZE(iofd_viommu_alloc, 40);
IOFD_CHECK(iofd_viommu_alloc, out_viommu_id, 20);
IOFD_CHECK(iofd_viommu_alloc, data_uptr, 32);
IOFD_CHECK_SIZE(iofd_hwpt_set_dirty_tracking, 16);
IOFD_CHECK_SIZE(iofd_hwpt_get_dirty_bitmap, 48);
IOFD_CHECK(iofd_hwpt_get_dirty_bitmap, data, 40);

#endif
