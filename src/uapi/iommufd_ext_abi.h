/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The iommufd ABI, as of Linux 7.3, that iommufd_abi.h (6.12's commands and the newer ones
 * the rest of the library calls) leaves out: the nesting calls' and the simulator's.
 *  - Called by the library (src/objects/nested.c, eventq.c, hwpt.c): HWPT_ALLOC's PASID flag
 *    and the nested domains' data types, HWPT_INVALIDATE, FAULT_QUEUE_ALLOC with the fault
 *    file's records, VDEVICE_ALLOC, VEVENTQ_ALLOC with its records.
 *  - Never called by the library, only answered by the simulator (src/sim), so that programs
 *    written against the kernel (its own selftest among them) run on it: IOMMU_OPTION,
 *    IOMMU_VFIO_IOAS and the VFIO type1 container ioctls /dev/iommu answers, HW_QUEUE_ALLOC,
 *    and the drivers' data the simulator checks (VT-d's stage-1 table, SMMUv3's STE, their
 *    invalidation entries).
 * VIOMMU_ALLOC, IOAS_MAP_FILE and IOAS_CHANGE_PROCESS, which the library's other calls use,
 * are in iommufd_abi.h. Facts of the ABI (the kernel's include/uapi/linux/iommufd.h and
 * vfio.h), written here; tests/uapi compares them with each kernel's headers.
 */
#ifndef IOFD_UAPI_IOMMUFD_EXT_ABI_H
#define IOFD_UAPI_IOMMUFD_EXT_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "uapi/iommufd_abi.h"

enum {
	IOFD_CMD_OPTION = 0x87,
	IOFD_CMD_VFIO_IOAS = 0x88,
	IOFD_CMD_HWPT_INVALIDATE = 0x8d,      /* 6.8 */
	IOFD_CMD_FAULT_QUEUE_ALLOC = 0x8e,    /* 6.11 */
	IOFD_CMD_VDEVICE_ALLOC = 0x91,        /* 6.13 */
	IOFD_CMD_VEVENTQ_ALLOC = 0x93,        /* 6.15 */
	IOFD_CMD_HW_QUEUE_ALLOC = 0x94,       /* 6.17 */
};

/* ---- IOMMU_OPTION ---- */
enum { IOFD_OPTION_RLIMIT_MODE = 0, IOFD_OPTION_HUGE_PAGES = 1 };
enum { IOFD_OPTION_OP_SET = 0, IOFD_OPTION_OP_GET = 1 };

struct iofd_option {
	uint32_t size;
	uint32_t option_id;
	uint16_t op;
	uint16_t reserved;
	uint32_t object_id;
	IOFD_ALIGNED_U64 val64;
};

/* ---- IOMMU_VFIO_IOAS: the IOAS the VFIO container ioctls work on ---- */
enum { IOFD_VFIO_IOAS_GET = 0, IOFD_VFIO_IOAS_SET = 1, IOFD_VFIO_IOAS_CLEAR = 2 };

struct iofd_vfio_ioas {
	uint32_t size;
	uint32_t ioas_id;
	uint16_t op;
	uint16_t reserved;
};

/* ---- HWPT_ALLOC: the flag after the 6.12 ones, the nested domains' data ---- */
enum { IOFD_HWPT_ALLOC_PASID = 1u << 3 };

enum { IOFD_HWPT_DATA_ARM_SMMUV3 = 2 }; /* 6.13; IOFD_HWPT_DATA_VTD_S1 is 6.12's */

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

/* ---- IOMMU_HWPT_INVALIDATE ---- */
struct iofd_hwpt_invalidate {
	uint32_t size;
	uint32_t hwpt_id; /* a nested HWPT or a vIOMMU */
	IOFD_ALIGNED_U64 data_uptr;
	uint32_t data_type;
	uint32_t entry_len;
	uint32_t entry_num; /* in: entries given; out: entries done */
	uint32_t reserved;
};

/* Its entries' data types (the selftest's: selftest_abi.h). */
enum {
	IOFD_HWPT_INVALIDATE_DATA_VTD_S1 = 0,
	IOFD_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 = 1, /* 6.14 */
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

/* ---- IOMMU_FAULT_QUEUE_ALLOC and what its file reads and takes ---- */
struct iofd_fault_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_fault_id;
	uint32_t out_fault_fd;
};

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

enum { IOFD_PAGE_RESP_SUCCESS = 0, IOFD_PAGE_RESP_INVALID = 1 };

struct iofd_hwpt_page_response {
	uint32_t cookie;
	uint32_t code;
};

/* ---- vIOMMUs' vDEVICEs, vEVENTQs, HW queues (VIOMMU_ALLOC: iommufd_abi.h) ---- */
enum { IOFD_VIOMMU_TYPE_ARM_SMMUV3 = 1 };

struct iofd_vdevice_alloc {
	uint32_t size;
	uint32_t viommu_id;
	uint32_t dev_id;
	uint32_t out_vdevice_id;
	IOFD_ALIGNED_U64 virt_id;
};

enum { IOFD_VEVENTQ_FLAG_LOST_EVENTS = 1u << 0 };

struct iofd_vevent_header {
	uint32_t flags;
	uint32_t sequence;
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

struct iofd_hw_queue_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t viommu_id;
	uint32_t type;
	uint32_t index;
	uint32_t out_hw_queue_id;
	IOFD_ALIGNED_U64 nesting_parent_iova;
	IOFD_ALIGNED_U64 length;
};

#define IOFD_OPTION _IO(IOFD_TYPE, IOFD_CMD_OPTION)
#define IOFD_VFIO_IOAS _IO(IOFD_TYPE, IOFD_CMD_VFIO_IOAS)
#define IOFD_HWPT_INVALIDATE _IO(IOFD_TYPE, IOFD_CMD_HWPT_INVALIDATE)
#define IOFD_FAULT_QUEUE_ALLOC _IO(IOFD_TYPE, IOFD_CMD_FAULT_QUEUE_ALLOC)
#define IOFD_VDEVICE_ALLOC _IO(IOFD_TYPE, IOFD_CMD_VDEVICE_ALLOC)
#define IOFD_VEVENTQ_ALLOC _IO(IOFD_TYPE, IOFD_CMD_VEVENTQ_ALLOC)
#define IOFD_HW_QUEUE_ALLOC _IO(IOFD_TYPE, IOFD_CMD_HW_QUEUE_ALLOC)

/* ---- the VFIO type1 container ioctls, which /dev/iommu answers too ---- */
#define IOFD_VFIO_API_VERSION 0
enum {
	IOFD_VFIO_TYPE1_IOMMU = 1,
	IOFD_VFIO_TYPE1V2_IOMMU = 3,
	IOFD_VFIO_DMA_CC_IOMMU = 4,
	IOFD_VFIO_TYPE1_NESTING_IOMMU = 6, /* reserved, never offered */
	IOFD_VFIO_NOIOMMU_IOMMU = 8,
	IOFD_VFIO_UNMAP_ALL = 9,
	IOFD_VFIO_UPDATE_VADDR = 10,
};

struct iofd_vfio_iommu_type1_info {
	uint32_t argsz;
	uint32_t flags;
	IOFD_ALIGNED_U64 iova_pgsizes;
	uint32_t cap_offset;
	uint32_t pad;
};
enum { IOFD_VFIO_IOMMU_INFO_PGSIZES = 1u << 0, IOFD_VFIO_IOMMU_INFO_CAPS = 1u << 1 };

struct iofd_vfio_info_cap_header {
	uint16_t id;
	uint16_t version;
	uint32_t next;
};
enum { IOFD_VFIO_CAP_IOVA_RANGE = 1, IOFD_VFIO_CAP_DMA_AVAIL = 3 };

struct iofd_vfio_cap_iova_range {
	struct iofd_vfio_info_cap_header header;
	uint32_t nr_iovas;
	uint32_t reserved;
	/* then nr_iovas of { u64 start; u64 end; } */
};

struct iofd_vfio_cap_dma_avail {
	struct iofd_vfio_info_cap_header header;
	uint32_t avail;
};

struct iofd_vfio_dma_map {
	uint32_t argsz;
	uint32_t flags;
	IOFD_ALIGNED_U64 vaddr;
	IOFD_ALIGNED_U64 iova;
	IOFD_ALIGNED_U64 size;
};
enum { IOFD_VFIO_DMA_MAP_FLAG_READ = 1u << 0, IOFD_VFIO_DMA_MAP_FLAG_WRITE = 1u << 1 };

struct iofd_vfio_dma_unmap {
	uint32_t argsz;
	uint32_t flags;
	IOFD_ALIGNED_U64 iova;
	IOFD_ALIGNED_U64 size;
};
enum { IOFD_VFIO_DMA_UNMAP_FLAG_ALL = 1u << 1 };

#define IOFD_VFIO_GET_API_VERSION _IO(';', 100 + 0)
#define IOFD_VFIO_CHECK_EXTENSION _IO(';', 100 + 1)
#define IOFD_VFIO_SET_IOMMU _IO(';', 100 + 2)
#define IOFD_VFIO_IOMMU_GET_INFO _IO(';', 100 + 12)
#define IOFD_VFIO_IOMMU_MAP_DMA _IO(';', 100 + 13)
#define IOFD_VFIO_IOMMU_UNMAP_DMA _IO(';', 100 + 14)

IOFD_CHECK_SIZE(iofd_option, 24);
IOFD_CHECK(iofd_option, val64, 16);
IOFD_CHECK_SIZE(iofd_vfio_ioas, 12);
IOFD_CHECK_SIZE(iofd_hwpt_vtd_s1, 24);
IOFD_CHECK(iofd_hwpt_vtd_s1, addr_width, 16);
IOFD_CHECK_SIZE(iofd_hwpt_arm_smmuv3, 16);
IOFD_CHECK_SIZE(iofd_hwpt_invalidate, 32);
IOFD_CHECK(iofd_hwpt_invalidate, data_uptr, 8);
IOFD_CHECK(iofd_hwpt_invalidate, entry_num, 24);
IOFD_CHECK_SIZE(iofd_hwpt_vtd_s1_invalidate, 24);
IOFD_CHECK(iofd_hwpt_vtd_s1_invalidate, flags, 16);
IOFD_CHECK_SIZE(iofd_viommu_arm_smmuv3_invalidate, 16);
IOFD_CHECK_SIZE(iofd_fault_alloc, 16);
IOFD_CHECK_SIZE(iofd_hwpt_pgfault, 40);
IOFD_CHECK(iofd_hwpt_pgfault, addr, 24);
IOFD_CHECK(iofd_hwpt_pgfault, cookie, 36);
IOFD_CHECK_SIZE(iofd_hwpt_page_response, 8);
IOFD_CHECK_SIZE(iofd_vdevice_alloc, 24);
IOFD_CHECK(iofd_vdevice_alloc, virt_id, 16);
IOFD_CHECK_SIZE(iofd_vevent_header, 8);
IOFD_CHECK_SIZE(iofd_vevent_arm_smmuv3, 32);
IOFD_CHECK_SIZE(iofd_veventq_alloc, 32);
IOFD_CHECK(iofd_veventq_alloc, out_veventq_fd, 24);
IOFD_CHECK_SIZE(iofd_hw_queue_alloc, 40);
IOFD_CHECK_SIZE(iofd_vfio_iommu_type1_info, 24);
IOFD_CHECK_SIZE(iofd_vfio_cap_iova_range, 16);
IOFD_CHECK_SIZE(iofd_vfio_cap_dma_avail, 12);
IOFD_CHECK_SIZE(iofd_vfio_dma_map, 32);
IOFD_CHECK_SIZE(iofd_vfio_dma_unmap, 24);

#endif
