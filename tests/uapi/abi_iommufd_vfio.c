// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * src/uapi/iommufd_abi.h and vfio_abi.h against the kernel's own
 * include/uapi/linux/iommufd.h and vfio.h (Debian's linux-headers-VERSION*-common of
 * each kernel in vm/kernels; one test per kernel):
 * every struct's size and alignment, every field's offset, size, alignment and
 * signedness, every ioctl number, flag and enum value we define.
 * <linux/iommufd.h> and <linux/vfio.h> come from a private include directory
 * the build makes (kuapi/); <linux/types.h> stays the system's.
 */
#include "uapi/iommufd_abi.h"
#include "uapi/iommufd_ext_abi.h"
#include "uapi/vfio_abi.h"

/* Raw UAPI headers keep the kernel's annotations that headers_install strips. */
#define __user
/*
 * 7.x's vfio.h marks flexible arrays __counted_by(), which its own <linux/stddef.h>
 * defines; the system's (bookworm's) does not. It means nothing to the layout.
 */
#ifndef __counted_by
#define __counted_by(m)
#endif
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "abi_check.h"
#include KUAPI_READY

static void test_iommufd_ioctl_numbers(void **state)
{
	unsigned before = abi_compared;

	SAME_VALUE(IOFD_TYPE, IOMMUFD_TYPE);
	SAME_VALUE(IOFD_CMD_DESTROY, IOMMUFD_CMD_DESTROY);
	SAME_VALUE(IOFD_CMD_DESTROY, IOMMUFD_CMD_BASE);
	SAME_VALUE(IOFD_CMD_IOAS_ALLOC, IOMMUFD_CMD_IOAS_ALLOC);
	SAME_VALUE(IOFD_CMD_IOAS_ALLOW_IOVAS, IOMMUFD_CMD_IOAS_ALLOW_IOVAS);
	SAME_VALUE(IOFD_CMD_IOAS_COPY, IOMMUFD_CMD_IOAS_COPY);
	SAME_VALUE(IOFD_CMD_IOAS_IOVA_RANGES, IOMMUFD_CMD_IOAS_IOVA_RANGES);
	SAME_VALUE(IOFD_CMD_IOAS_MAP, IOMMUFD_CMD_IOAS_MAP);
	SAME_VALUE(IOFD_CMD_IOAS_UNMAP, IOMMUFD_CMD_IOAS_UNMAP);
	SAME_VALUE(IOFD_CMD_HWPT_ALLOC, IOMMUFD_CMD_HWPT_ALLOC);
	SAME_VALUE(IOFD_CMD_GET_HW_INFO, IOMMUFD_CMD_GET_HW_INFO);
	SAME_VALUE(IOFD_CMD_HWPT_SET_DIRTY_TRACKING, IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING);
	SAME_VALUE(IOFD_CMD_HWPT_GET_DIRTY_BITMAP, IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP);

	SAME_VALUE(IOFD_DESTROY, IOMMU_DESTROY);
	SAME_VALUE(IOFD_IOAS_ALLOC, IOMMU_IOAS_ALLOC);
	SAME_VALUE(IOFD_IOAS_ALLOW_IOVAS, IOMMU_IOAS_ALLOW_IOVAS);
	SAME_VALUE(IOFD_IOAS_COPY, IOMMU_IOAS_COPY);
	SAME_VALUE(IOFD_IOAS_IOVA_RANGES, IOMMU_IOAS_IOVA_RANGES);
	SAME_VALUE(IOFD_IOAS_MAP, IOMMU_IOAS_MAP);
	SAME_VALUE(IOFD_IOAS_UNMAP, IOMMU_IOAS_UNMAP);
	SAME_VALUE(IOFD_HWPT_ALLOC, IOMMU_HWPT_ALLOC);
	SAME_VALUE(IOFD_GET_HW_INFO, IOMMU_GET_HW_INFO);
	SAME_VALUE(IOFD_HWPT_SET_DIRTY_TRACKING, IOMMU_HWPT_SET_DIRTY_TRACKING);
	SAME_VALUE(IOFD_HWPT_GET_DIRTY_BITMAP, IOMMU_HWPT_GET_DIRTY_BITMAP);
	abi_group_done(before);
}

static void test_ioas_structs(void **state)
{
	unsigned before = abi_compared;

	SAME_STRUCT(iofd_destroy, iommu_destroy);
	SAME_FIELD(iofd_destroy, size, iommu_destroy, size);
	SAME_FIELD(iofd_destroy, id, iommu_destroy, id);

	SAME_STRUCT(iofd_ioas_alloc, iommu_ioas_alloc);
	SAME_FIELD(iofd_ioas_alloc, size, iommu_ioas_alloc, size);
	SAME_FIELD(iofd_ioas_alloc, flags, iommu_ioas_alloc, flags);
	SAME_FIELD(iofd_ioas_alloc, out_ioas_id, iommu_ioas_alloc, out_ioas_id);

	SAME_STRUCT(iofd_iova_range, iommu_iova_range);
	SAME_FIELD(iofd_iova_range, start, iommu_iova_range, start);
	SAME_FIELD(iofd_iova_range, last, iommu_iova_range, last);

	SAME_STRUCT(iofd_ioas_iova_ranges, iommu_ioas_iova_ranges);
	SAME_FIELD(iofd_ioas_iova_ranges, size, iommu_ioas_iova_ranges, size);
	SAME_FIELD(iofd_ioas_iova_ranges, ioas_id, iommu_ioas_iova_ranges, ioas_id);
	SAME_FIELD(iofd_ioas_iova_ranges, num_iovas, iommu_ioas_iova_ranges, num_iovas);
	SAME_FIELD(iofd_ioas_iova_ranges, reserved, iommu_ioas_iova_ranges, __reserved);
	SAME_FIELD(iofd_ioas_iova_ranges, allowed_iovas, iommu_ioas_iova_ranges, allowed_iovas);
	SAME_FIELD(iofd_ioas_iova_ranges, out_iova_alignment, iommu_ioas_iova_ranges,
		   out_iova_alignment);

	SAME_STRUCT(iofd_ioas_allow_iovas, iommu_ioas_allow_iovas);
	SAME_FIELD(iofd_ioas_allow_iovas, size, iommu_ioas_allow_iovas, size);
	SAME_FIELD(iofd_ioas_allow_iovas, ioas_id, iommu_ioas_allow_iovas, ioas_id);
	SAME_FIELD(iofd_ioas_allow_iovas, num_iovas, iommu_ioas_allow_iovas, num_iovas);
	SAME_FIELD(iofd_ioas_allow_iovas, reserved, iommu_ioas_allow_iovas, __reserved);
	SAME_FIELD(iofd_ioas_allow_iovas, allowed_iovas, iommu_ioas_allow_iovas, allowed_iovas);

	SAME_VALUE(IOFD_IOAS_MAP_FIXED_IOVA, IOMMU_IOAS_MAP_FIXED_IOVA);
	SAME_VALUE(IOFD_IOAS_MAP_WRITEABLE, IOMMU_IOAS_MAP_WRITEABLE);
	SAME_VALUE(IOFD_IOAS_MAP_READABLE, IOMMU_IOAS_MAP_READABLE);

	SAME_STRUCT(iofd_ioas_map, iommu_ioas_map);
	SAME_FIELD(iofd_ioas_map, size, iommu_ioas_map, size);
	SAME_FIELD(iofd_ioas_map, flags, iommu_ioas_map, flags);
	SAME_FIELD(iofd_ioas_map, ioas_id, iommu_ioas_map, ioas_id);
	SAME_FIELD(iofd_ioas_map, reserved, iommu_ioas_map, __reserved);
	SAME_FIELD(iofd_ioas_map, user_va, iommu_ioas_map, user_va);
	SAME_FIELD(iofd_ioas_map, length, iommu_ioas_map, length);
	SAME_FIELD(iofd_ioas_map, iova, iommu_ioas_map, iova);

	SAME_STRUCT(iofd_ioas_copy, iommu_ioas_copy);
	SAME_FIELD(iofd_ioas_copy, size, iommu_ioas_copy, size);
	SAME_FIELD(iofd_ioas_copy, flags, iommu_ioas_copy, flags);
	SAME_FIELD(iofd_ioas_copy, dst_ioas_id, iommu_ioas_copy, dst_ioas_id);
	SAME_FIELD(iofd_ioas_copy, src_ioas_id, iommu_ioas_copy, src_ioas_id);
	SAME_FIELD(iofd_ioas_copy, length, iommu_ioas_copy, length);
	SAME_FIELD(iofd_ioas_copy, dst_iova, iommu_ioas_copy, dst_iova);
	SAME_FIELD(iofd_ioas_copy, src_iova, iommu_ioas_copy, src_iova);

	SAME_STRUCT(iofd_ioas_unmap, iommu_ioas_unmap);
	SAME_FIELD(iofd_ioas_unmap, size, iommu_ioas_unmap, size);
	SAME_FIELD(iofd_ioas_unmap, ioas_id, iommu_ioas_unmap, ioas_id);
	SAME_FIELD(iofd_ioas_unmap, iova, iommu_ioas_unmap, iova);
	SAME_FIELD(iofd_ioas_unmap, length, iommu_ioas_unmap, length);
	abi_group_done(before);
}

static void test_hwpt_structs(void **state)
{
	unsigned before = abi_compared;

	SAME_VALUE(IOFD_HWPT_ALLOC_NEST_PARENT, IOMMU_HWPT_ALLOC_NEST_PARENT);
	SAME_VALUE(IOFD_HWPT_ALLOC_DIRTY_TRACKING, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	SAME_VALUE(IOFD_HWPT_FAULT_ID_VALID, IOMMU_HWPT_FAULT_ID_VALID);
	SAME_VALUE(IOFD_HWPT_DATA_NONE, IOMMU_HWPT_DATA_NONE);
	SAME_VALUE(IOFD_HWPT_DATA_VTD_S1, IOMMU_HWPT_DATA_VTD_S1);

	SAME_STRUCT(iofd_hwpt_alloc, iommu_hwpt_alloc);
	SAME_FIELD(iofd_hwpt_alloc, size, iommu_hwpt_alloc, size);
	SAME_FIELD(iofd_hwpt_alloc, flags, iommu_hwpt_alloc, flags);
	SAME_FIELD(iofd_hwpt_alloc, dev_id, iommu_hwpt_alloc, dev_id);
	SAME_FIELD(iofd_hwpt_alloc, pt_id, iommu_hwpt_alloc, pt_id);
	SAME_FIELD(iofd_hwpt_alloc, out_hwpt_id, iommu_hwpt_alloc, out_hwpt_id);
	SAME_FIELD(iofd_hwpt_alloc, reserved, iommu_hwpt_alloc, __reserved);
	SAME_FIELD(iofd_hwpt_alloc, data_type, iommu_hwpt_alloc, data_type);
	SAME_FIELD(iofd_hwpt_alloc, data_len, iommu_hwpt_alloc, data_len);
	SAME_FIELD(iofd_hwpt_alloc, data_uptr, iommu_hwpt_alloc, data_uptr);
	SAME_FIELD(iofd_hwpt_alloc, fault_id, iommu_hwpt_alloc, fault_id);
	SAME_FIELD(iofd_hwpt_alloc, reserved2, iommu_hwpt_alloc, __reserved2);

	SAME_VALUE(IOFD_HW_INFO_TYPE_NONE, IOMMU_HW_INFO_TYPE_NONE);
	SAME_VALUE(IOFD_HW_INFO_TYPE_INTEL_VTD, IOMMU_HW_INFO_TYPE_INTEL_VTD);
#ifdef KERNEL_HAS_HW_INFO_TYPE_ARM_SMMUV3
	SAME_VALUE(IOFD_HW_INFO_TYPE_ARM_SMMUV3, IOMMU_HW_INFO_TYPE_ARM_SMMUV3);
#else
	/*
	 * Linux 6.12 has no ARM SMMUv3 info type (6.13 adds it as 2); the value
	 * must at least not be taken by a type this kernel defines.
	 */
	assert_int_not_equal(IOFD_HW_INFO_TYPE_ARM_SMMUV3, IOMMU_HW_INFO_TYPE_NONE);
	assert_int_not_equal(IOFD_HW_INFO_TYPE_ARM_SMMUV3, IOMMU_HW_INFO_TYPE_INTEL_VTD);
#endif
	SAME_VALUE(IOFD_HW_CAP_DIRTY_TRACKING, IOMMU_HW_CAP_DIRTY_TRACKING);
	SAME_VALUE(IOFD_HW_CAP_PCI_PASID_EXEC, IOMMU_HW_CAP_PCI_PASID_EXEC);
	SAME_VALUE(IOFD_HW_CAP_PCI_PASID_PRIV, IOMMU_HW_CAP_PCI_PASID_PRIV);

	SAME_STRUCT(iofd_hw_info, iommu_hw_info);
	SAME_FIELD(iofd_hw_info, size, iommu_hw_info, size);
	SAME_FIELD(iofd_hw_info, flags, iommu_hw_info, flags);
	SAME_FIELD(iofd_hw_info, dev_id, iommu_hw_info, dev_id);
	SAME_FIELD(iofd_hw_info, data_len, iommu_hw_info, data_len);
	SAME_FIELD(iofd_hw_info, data_uptr, iommu_hw_info, data_uptr);
	SAME_FIELD(iofd_hw_info, out_data_type, iommu_hw_info, out_data_type);
	SAME_FIELD(iofd_hw_info, out_max_pasid_log2, iommu_hw_info, out_max_pasid_log2);
	SAME_MEMBER(iofd_hw_info, reserved, iommu_hw_info, __reserved);
	SAME_FIELD(iofd_hw_info, out_capabilities, iommu_hw_info, out_capabilities);

	SAME_VALUE(IOFD_HWPT_DIRTY_TRACKING_ENABLE, IOMMU_HWPT_DIRTY_TRACKING_ENABLE);
	SAME_STRUCT(iofd_hwpt_set_dirty_tracking, iommu_hwpt_set_dirty_tracking);
	SAME_FIELD(iofd_hwpt_set_dirty_tracking, size, iommu_hwpt_set_dirty_tracking, size);
	SAME_FIELD(iofd_hwpt_set_dirty_tracking, flags, iommu_hwpt_set_dirty_tracking, flags);
	SAME_FIELD(iofd_hwpt_set_dirty_tracking, hwpt_id, iommu_hwpt_set_dirty_tracking, hwpt_id);
	SAME_FIELD(iofd_hwpt_set_dirty_tracking, reserved, iommu_hwpt_set_dirty_tracking,
		   __reserved);

	SAME_VALUE(IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR);
	SAME_STRUCT(iofd_hwpt_get_dirty_bitmap, iommu_hwpt_get_dirty_bitmap);
	SAME_FIELD(iofd_hwpt_get_dirty_bitmap, size, iommu_hwpt_get_dirty_bitmap, size);
	SAME_FIELD(iofd_hwpt_get_dirty_bitmap, hwpt_id, iommu_hwpt_get_dirty_bitmap, hwpt_id);
	SAME_FIELD(iofd_hwpt_get_dirty_bitmap, flags, iommu_hwpt_get_dirty_bitmap, flags);
	SAME_FIELD(iofd_hwpt_get_dirty_bitmap, reserved, iommu_hwpt_get_dirty_bitmap, __reserved);
	SAME_FIELD(iofd_hwpt_get_dirty_bitmap, iova, iommu_hwpt_get_dirty_bitmap, iova);
	SAME_FIELD(iofd_hwpt_get_dirty_bitmap, length, iommu_hwpt_get_dirty_bitmap, length);
	SAME_FIELD(iofd_hwpt_get_dirty_bitmap, page_size, iommu_hwpt_get_dirty_bitmap, page_size);
	SAME_FIELD(iofd_hwpt_get_dirty_bitmap, data, iommu_hwpt_get_dirty_bitmap, data);
	abi_group_done(before);
}

/* What kernels after 6.12 add, compared where the headers have it (6.12's do not). */
static void test_after_6_12(void **state)
{
	unsigned before = abi_compared;

#ifdef IOMMU_IOAS_MAP_FILE
	SAME_VALUE(IOFD_CMD_IOAS_MAP_FILE, IOMMUFD_CMD_IOAS_MAP_FILE);
	SAME_VALUE(IOFD_IOAS_MAP_FILE, IOMMU_IOAS_MAP_FILE);
	SAME_STRUCT(iofd_ioas_map_file, iommu_ioas_map_file);
	SAME_FIELD(iofd_ioas_map_file, size, iommu_ioas_map_file, size);
	SAME_FIELD(iofd_ioas_map_file, flags, iommu_ioas_map_file, flags);
	SAME_FIELD(iofd_ioas_map_file, ioas_id, iommu_ioas_map_file, ioas_id);
	SAME_FIELD(iofd_ioas_map_file, fd, iommu_ioas_map_file, fd);
	SAME_FIELD(iofd_ioas_map_file, start, iommu_ioas_map_file, start);
	SAME_FIELD(iofd_ioas_map_file, length, iommu_ioas_map_file, length);
	SAME_FIELD(iofd_ioas_map_file, iova, iommu_ioas_map_file, iova);
#else
	/* The command number must at least not be one 6.12 uses. */
	assert_true((int)IOFD_CMD_IOAS_MAP_FILE > (int)IOMMUFD_CMD_FAULT_QUEUE_ALLOC);
#endif
#ifdef IOMMU_VIOMMU_ALLOC
	SAME_VALUE(IOFD_CMD_VIOMMU_ALLOC, IOMMUFD_CMD_VIOMMU_ALLOC);
	SAME_VALUE(IOFD_VIOMMU_ALLOC, IOMMU_VIOMMU_ALLOC);
	SAME_VALUE(IOFD_VIOMMU_TYPE_DEFAULT, IOMMU_VIOMMU_TYPE_DEFAULT);
	SAME_STRUCT(iofd_viommu_alloc, iommu_viommu_alloc);
	SAME_FIELD(iofd_viommu_alloc, size, iommu_viommu_alloc, size);
	SAME_FIELD(iofd_viommu_alloc, flags, iommu_viommu_alloc, flags);
	SAME_FIELD(iofd_viommu_alloc, type, iommu_viommu_alloc, type);
	SAME_FIELD(iofd_viommu_alloc, dev_id, iommu_viommu_alloc, dev_id);
	SAME_FIELD(iofd_viommu_alloc, hwpt_id, iommu_viommu_alloc, hwpt_id);
	SAME_FIELD(iofd_viommu_alloc, out_viommu_id, iommu_viommu_alloc, out_viommu_id);
	SAME_FIELD(iofd_viommu_alloc, data_len, iommu_viommu_alloc, data_len);
	SAME_FIELD(iofd_viommu_alloc, reserved, iommu_viommu_alloc, __reserved);
	SAME_FIELD(iofd_viommu_alloc, data_uptr, iommu_viommu_alloc, data_uptr);
#else
	assert_true((int)IOFD_CMD_VIOMMU_ALLOC > (int)IOMMUFD_CMD_FAULT_QUEUE_ALLOC);
#endif
#ifdef IOMMU_IOAS_CHANGE_PROCESS
	SAME_VALUE(IOFD_CMD_IOAS_CHANGE_PROCESS, IOMMUFD_CMD_IOAS_CHANGE_PROCESS);
	SAME_VALUE(IOFD_IOAS_CHANGE_PROCESS, IOMMU_IOAS_CHANGE_PROCESS);
	SAME_STRUCT(iofd_ioas_change_process, iommu_ioas_change_process);
	SAME_FIELD(iofd_ioas_change_process, size, iommu_ioas_change_process, size);
	SAME_FIELD(iofd_ioas_change_process, reserved, iommu_ioas_change_process, __reserved);
#else
	assert_true((int)IOFD_CMD_IOAS_CHANGE_PROCESS > (int)IOMMUFD_CMD_FAULT_QUEUE_ALLOC);
#endif
#ifdef VFIO_DEVICE_ATTACH_PASID
	SAME_VALUE(IOFD_VFIO_DEVICE_ATTACH_PASID, VFIO_DEVICE_ATTACH_PASID);
	SAME_VALUE(IOFD_VFIO_DEVICE_DETACH_PASID, VFIO_DEVICE_DETACH_PASID);
	SAME_STRUCT(iofd_vfio_device_attach_iommufd_pt_pasid, vfio_device_attach_iommufd_pt);
	SAME_FIELD(iofd_vfio_device_attach_iommufd_pt_pasid, flags, vfio_device_attach_iommufd_pt,
		   flags);
	SAME_FIELD(iofd_vfio_device_attach_iommufd_pt_pasid, pt_id, vfio_device_attach_iommufd_pt,
		   pt_id);
	SAME_FIELD(iofd_vfio_device_attach_iommufd_pt_pasid, pasid, vfio_device_attach_iommufd_pt,
		   pasid);
	SAME_STRUCT(iofd_vfio_device_detach_iommufd_pt_pasid, vfio_device_detach_iommufd_pt);
	SAME_FIELD(iofd_vfio_device_detach_iommufd_pt_pasid, pasid, vfio_device_detach_iommufd_pt,
		   pasid);
#endif
	if (abi_compared == before) {
		print_message("headers of Linux 6.12: nothing newer to compare\n");
		return;
	}
	abi_group_done(before);
}

/* Nested domains, invalidation and fault queues: 6.12 has them all. */
static void test_nesting_structs(void **state)
{
	unsigned before = abi_compared;

	SAME_VALUE(IOFD_CMD_HWPT_INVALIDATE, IOMMUFD_CMD_HWPT_INVALIDATE);
	SAME_VALUE(IOFD_CMD_FAULT_QUEUE_ALLOC, IOMMUFD_CMD_FAULT_QUEUE_ALLOC);
	SAME_VALUE(IOFD_HWPT_INVALIDATE, IOMMU_HWPT_INVALIDATE);
	SAME_VALUE(IOFD_FAULT_QUEUE_ALLOC, IOMMU_FAULT_QUEUE_ALLOC);
	SAME_VALUE(IOFD_HWPT_DATA_VTD_S1, IOMMU_HWPT_DATA_VTD_S1);
	SAME_VALUE(IOFD_VTD_S1_SRE, IOMMU_VTD_S1_SRE);
	SAME_VALUE(IOFD_VTD_S1_EAFE, IOMMU_VTD_S1_EAFE);
	SAME_VALUE(IOFD_VTD_S1_WPE, IOMMU_VTD_S1_WPE);
	SAME_STRUCT(iofd_hwpt_vtd_s1, iommu_hwpt_vtd_s1);
	SAME_FIELD(iofd_hwpt_vtd_s1, flags, iommu_hwpt_vtd_s1, flags);
	SAME_FIELD(iofd_hwpt_vtd_s1, pgtbl_addr, iommu_hwpt_vtd_s1, pgtbl_addr);
	SAME_FIELD(iofd_hwpt_vtd_s1, addr_width, iommu_hwpt_vtd_s1, addr_width);
	SAME_FIELD(iofd_hwpt_vtd_s1, reserved, iommu_hwpt_vtd_s1, __reserved);

	SAME_VALUE(IOFD_HWPT_INVALIDATE_DATA_VTD_S1, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1);
	SAME_VALUE(IOFD_VTD_INV_FLAGS_LEAF, IOMMU_VTD_INV_FLAGS_LEAF);
	SAME_STRUCT(iofd_hwpt_vtd_s1_invalidate, iommu_hwpt_vtd_s1_invalidate);
	SAME_FIELD(iofd_hwpt_vtd_s1_invalidate, addr, iommu_hwpt_vtd_s1_invalidate, addr);
	SAME_FIELD(iofd_hwpt_vtd_s1_invalidate, npages, iommu_hwpt_vtd_s1_invalidate, npages);
	SAME_FIELD(iofd_hwpt_vtd_s1_invalidate, flags, iommu_hwpt_vtd_s1_invalidate, flags);
	SAME_FIELD(iofd_hwpt_vtd_s1_invalidate, reserved, iommu_hwpt_vtd_s1_invalidate,
		   __reserved);

	SAME_STRUCT(iofd_hwpt_invalidate, iommu_hwpt_invalidate);
	SAME_FIELD(iofd_hwpt_invalidate, size, iommu_hwpt_invalidate, size);
	SAME_FIELD(iofd_hwpt_invalidate, hwpt_id, iommu_hwpt_invalidate, hwpt_id);
	SAME_FIELD(iofd_hwpt_invalidate, data_uptr, iommu_hwpt_invalidate, data_uptr);
	SAME_FIELD(iofd_hwpt_invalidate, data_type, iommu_hwpt_invalidate, data_type);
	SAME_FIELD(iofd_hwpt_invalidate, entry_len, iommu_hwpt_invalidate, entry_len);
	SAME_FIELD(iofd_hwpt_invalidate, entry_num, iommu_hwpt_invalidate, entry_num);
	SAME_FIELD(iofd_hwpt_invalidate, reserved, iommu_hwpt_invalidate, __reserved);

	SAME_VALUE(IOFD_PGFAULT_FLAGS_PASID_VALID, IOMMU_PGFAULT_FLAGS_PASID_VALID);
	SAME_VALUE(IOFD_PGFAULT_FLAGS_LAST_PAGE, IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	SAME_VALUE(IOFD_PGFAULT_PERM_READ, IOMMU_PGFAULT_PERM_READ);
	SAME_VALUE(IOFD_PGFAULT_PERM_WRITE, IOMMU_PGFAULT_PERM_WRITE);
	SAME_VALUE(IOFD_PGFAULT_PERM_EXEC, IOMMU_PGFAULT_PERM_EXEC);
	SAME_VALUE(IOFD_PGFAULT_PERM_PRIV, IOMMU_PGFAULT_PERM_PRIV);
	SAME_STRUCT(iofd_hwpt_pgfault, iommu_hwpt_pgfault);
	SAME_FIELD(iofd_hwpt_pgfault, flags, iommu_hwpt_pgfault, flags);
	SAME_FIELD(iofd_hwpt_pgfault, dev_id, iommu_hwpt_pgfault, dev_id);
	SAME_FIELD(iofd_hwpt_pgfault, pasid, iommu_hwpt_pgfault, pasid);
	SAME_FIELD(iofd_hwpt_pgfault, grpid, iommu_hwpt_pgfault, grpid);
	SAME_FIELD(iofd_hwpt_pgfault, perm, iommu_hwpt_pgfault, perm);
	SAME_FIELD(iofd_hwpt_pgfault, addr, iommu_hwpt_pgfault, addr);
	SAME_FIELD(iofd_hwpt_pgfault, length, iommu_hwpt_pgfault, length);
	SAME_FIELD(iofd_hwpt_pgfault, cookie, iommu_hwpt_pgfault, cookie);
	SAME_VALUE(IOFD_PAGE_RESP_SUCCESS, IOMMUFD_PAGE_RESP_SUCCESS);
	SAME_VALUE(IOFD_PAGE_RESP_INVALID, IOMMUFD_PAGE_RESP_INVALID);
	SAME_STRUCT(iofd_hwpt_page_response, iommu_hwpt_page_response);
	SAME_FIELD(iofd_hwpt_page_response, cookie, iommu_hwpt_page_response, cookie);
	SAME_FIELD(iofd_hwpt_page_response, code, iommu_hwpt_page_response, code);
	SAME_STRUCT(iofd_fault_alloc, iommu_fault_alloc);
	SAME_FIELD(iofd_fault_alloc, size, iommu_fault_alloc, size);
	SAME_FIELD(iofd_fault_alloc, flags, iommu_fault_alloc, flags);
	SAME_FIELD(iofd_fault_alloc, out_fault_id, iommu_fault_alloc, out_fault_id);
	SAME_FIELD(iofd_fault_alloc, out_fault_fd, iommu_fault_alloc, out_fault_fd);
	abi_group_done(before);
}

/* vIOMMUs, vDEVICEs, vEVENTQs, SMMUv3 nesting and PASID domains: newer than 6.12. */
static void test_viommu_structs(void **state)
{
	unsigned before = abi_compared;

#ifdef IOMMU_VIOMMU_ALLOC
	/* VIOMMU_ALLOC itself: test_after_6_12 */
	SAME_VALUE(IOFD_CMD_VDEVICE_ALLOC, IOMMUFD_CMD_VDEVICE_ALLOC);
	SAME_VALUE(IOFD_VDEVICE_ALLOC, IOMMU_VDEVICE_ALLOC);
	SAME_VALUE(IOFD_VIOMMU_TYPE_ARM_SMMUV3, IOMMU_VIOMMU_TYPE_ARM_SMMUV3);
	SAME_VALUE(IOFD_HWPT_DATA_ARM_SMMUV3, IOMMU_HWPT_DATA_ARM_SMMUV3);
	SAME_VALUE(IOFD_HWPT_ALLOC_PASID, IOMMU_HWPT_ALLOC_PASID);
	SAME_STRUCT(iofd_hwpt_arm_smmuv3, iommu_hwpt_arm_smmuv3);
	SAME_MEMBER(iofd_hwpt_arm_smmuv3, ste, iommu_hwpt_arm_smmuv3, ste);

	SAME_STRUCT(iofd_vdevice_alloc, iommu_vdevice_alloc);
	SAME_FIELD(iofd_vdevice_alloc, size, iommu_vdevice_alloc, size);
	SAME_FIELD(iofd_vdevice_alloc, viommu_id, iommu_vdevice_alloc, viommu_id);
	SAME_FIELD(iofd_vdevice_alloc, dev_id, iommu_vdevice_alloc, dev_id);
	SAME_FIELD(iofd_vdevice_alloc, out_vdevice_id, iommu_vdevice_alloc, out_vdevice_id);
	SAME_FIELD(iofd_vdevice_alloc, virt_id, iommu_vdevice_alloc, virt_id);

	SAME_VALUE(IOFD_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3);
	SAME_STRUCT(iofd_viommu_arm_smmuv3_invalidate, iommu_viommu_arm_smmuv3_invalidate);
	SAME_MEMBER(iofd_viommu_arm_smmuv3_invalidate, cmd, iommu_viommu_arm_smmuv3_invalidate,
		    cmd);
#endif
#ifdef IOMMU_VEVENTQ_ALLOC
	SAME_VALUE(IOFD_CMD_VEVENTQ_ALLOC, IOMMUFD_CMD_VEVENTQ_ALLOC);
	SAME_VALUE(IOFD_VEVENTQ_ALLOC, IOMMU_VEVENTQ_ALLOC);
	SAME_VALUE(IOFD_VEVENTQ_FLAG_LOST_EVENTS, IOMMU_VEVENTQ_FLAG_LOST_EVENTS);
	SAME_VALUE(IOFD_VEVENTQ_TYPE_DEFAULT, IOMMU_VEVENTQ_TYPE_DEFAULT);
	SAME_VALUE(IOFD_VEVENTQ_TYPE_ARM_SMMUV3, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3);
	SAME_STRUCT(iofd_vevent_header, iommufd_vevent_header);
	SAME_FIELD(iofd_vevent_header, flags, iommufd_vevent_header, flags);
	SAME_FIELD(iofd_vevent_header, sequence, iommufd_vevent_header, sequence);
	SAME_STRUCT(iofd_vevent_arm_smmuv3, iommu_vevent_arm_smmuv3);
	SAME_MEMBER(iofd_vevent_arm_smmuv3, evt, iommu_vevent_arm_smmuv3, evt);
	SAME_STRUCT(iofd_veventq_alloc, iommu_veventq_alloc);
	SAME_FIELD(iofd_veventq_alloc, size, iommu_veventq_alloc, size);
	SAME_FIELD(iofd_veventq_alloc, flags, iommu_veventq_alloc, flags);
	SAME_FIELD(iofd_veventq_alloc, viommu_id, iommu_veventq_alloc, viommu_id);
	SAME_FIELD(iofd_veventq_alloc, type, iommu_veventq_alloc, type);
	SAME_FIELD(iofd_veventq_alloc, veventq_depth, iommu_veventq_alloc, veventq_depth);
	SAME_FIELD(iofd_veventq_alloc, out_veventq_id, iommu_veventq_alloc, out_veventq_id);
	SAME_FIELD(iofd_veventq_alloc, out_veventq_fd, iommu_veventq_alloc, out_veventq_fd);
	SAME_FIELD(iofd_veventq_alloc, reserved, iommu_veventq_alloc, __reserved);
#endif
	if (abi_compared == before) {
		/* Not a number 6.12 uses for something else. */
		assert_true((int)IOFD_CMD_VIOMMU_ALLOC > (int)IOMMUFD_CMD_FAULT_QUEUE_ALLOC);
		print_message("headers of Linux 6.12: no vIOMMU to compare\n");
		return;
	}
	abi_group_done(before);
}

static void test_vfio_cdev(void **state)
{
	unsigned before = abi_compared;

	SAME_VALUE(IOFD_VFIO_TYPE, VFIO_TYPE);
	SAME_VALUE(IOFD_VFIO_BASE, VFIO_BASE);
	SAME_VALUE(IOFD_VFIO_DEVICE_GET_INFO, VFIO_DEVICE_GET_INFO);
	SAME_VALUE(IOFD_VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_BIND_IOMMUFD);
	SAME_VALUE(IOFD_VFIO_DEVICE_ATTACH_IOMMUFD_PT, VFIO_DEVICE_ATTACH_IOMMUFD_PT);
	SAME_VALUE(IOFD_VFIO_DEVICE_DETACH_IOMMUFD_PT, VFIO_DEVICE_DETACH_IOMMUFD_PT);
	SAME_VALUE(IOFD_VFIO_DEVICE_FLAGS_RESET, VFIO_DEVICE_FLAGS_RESET);
	SAME_VALUE(IOFD_VFIO_DEVICE_FLAGS_PCI, VFIO_DEVICE_FLAGS_PCI);

	SAME_VALUE(IOFD_VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO);
	SAME_VALUE(IOFD_VFIO_PCI_HOT_RESET_FLAG_DEV_ID, VFIO_PCI_HOT_RESET_FLAG_DEV_ID);
	SAME_VALUE(IOFD_VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED, VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED);
	SAME_VALUE(IOFD_VFIO_PCI_DEVID_OWNED, (uint32_t)VFIO_PCI_DEVID_OWNED);
	SAME_VALUE(IOFD_VFIO_PCI_DEVID_NOT_OWNED, (uint32_t)VFIO_PCI_DEVID_NOT_OWNED);
	SAME_STRUCT(iofd_vfio_pci_hot_reset_info, vfio_pci_hot_reset_info);
	SAME_FIELD(iofd_vfio_pci_hot_reset_info, argsz, vfio_pci_hot_reset_info, argsz);
	SAME_FIELD(iofd_vfio_pci_hot_reset_info, flags, vfio_pci_hot_reset_info, flags);
	SAME_FIELD(iofd_vfio_pci_hot_reset_info, count, vfio_pci_hot_reset_info, count);
	SAME_STRUCT(iofd_vfio_pci_dependent_device, vfio_pci_dependent_device);
	SAME_FIELD(iofd_vfio_pci_dependent_device, devid, vfio_pci_dependent_device, devid);
	SAME_FIELD(iofd_vfio_pci_dependent_device, segment, vfio_pci_dependent_device, segment);
	SAME_FIELD(iofd_vfio_pci_dependent_device, bus, vfio_pci_dependent_device, bus);
	SAME_FIELD(iofd_vfio_pci_dependent_device, devfn, vfio_pci_dependent_device, devfn);
	SAME_STRUCT(iofd_vfio_device_info, vfio_device_info);
	SAME_FIELD(iofd_vfio_device_info, argsz, vfio_device_info, argsz);
	SAME_FIELD(iofd_vfio_device_info, flags, vfio_device_info, flags);
	SAME_FIELD(iofd_vfio_device_info, num_regions, vfio_device_info, num_regions);
	SAME_FIELD(iofd_vfio_device_info, num_irqs, vfio_device_info, num_irqs);
	SAME_FIELD(iofd_vfio_device_info, cap_offset, vfio_device_info, cap_offset);
	SAME_FIELD(iofd_vfio_device_info, pad, vfio_device_info, pad);

	/* argsz structs: 7.x extends these three (a token, a PASID) */
	SAME_ARGSZ_STRUCT(iofd_vfio_device_bind_iommufd, vfio_device_bind_iommufd, out_devid);
	SAME_FIELD(iofd_vfio_device_bind_iommufd, argsz, vfio_device_bind_iommufd, argsz);
	SAME_FIELD(iofd_vfio_device_bind_iommufd, flags, vfio_device_bind_iommufd, flags);
	SAME_FIELD(iofd_vfio_device_bind_iommufd, iommufd, vfio_device_bind_iommufd, iommufd);
	SAME_FIELD(iofd_vfio_device_bind_iommufd, out_devid, vfio_device_bind_iommufd, out_devid);

	SAME_ARGSZ_STRUCT(iofd_vfio_device_attach_iommufd_pt, vfio_device_attach_iommufd_pt, pt_id);
	SAME_FIELD(iofd_vfio_device_attach_iommufd_pt, argsz, vfio_device_attach_iommufd_pt, argsz);
	SAME_FIELD(iofd_vfio_device_attach_iommufd_pt, flags, vfio_device_attach_iommufd_pt, flags);
	SAME_FIELD(iofd_vfio_device_attach_iommufd_pt, pt_id, vfio_device_attach_iommufd_pt, pt_id);

	SAME_ARGSZ_STRUCT(iofd_vfio_device_detach_iommufd_pt, vfio_device_detach_iommufd_pt, flags);
	SAME_FIELD(iofd_vfio_device_detach_iommufd_pt, argsz, vfio_device_detach_iommufd_pt, argsz);
	SAME_FIELD(iofd_vfio_device_detach_iommufd_pt, flags, vfio_device_detach_iommufd_pt, flags);
	abi_group_done(before);
}

/*
 * The comparison itself must catch a wrong definition: a copy of
 * iofd_ioas_map with length and user_va swapped, one with a field of the
 * wrong signedness, and one ioctl number off by one.
 */
struct wrong_ioas_map {
	uint32_t size;
	uint32_t flags;
	uint32_t ioas_id;
	uint32_t reserved;
	IOFD_ALIGNED_U64 length;
	IOFD_ALIGNED_U64 user_va;
	IOFD_ALIGNED_U64 iova;
};

struct wrong_bind {
	uint32_t argsz;
	uint32_t flags;
	uint32_t iommufd; /* the kernel's is __s32 */
	uint32_t out_devid;
};

/* an attach without its pt_id: shorter than any kernel takes */
struct short_attach {
	uint32_t argsz;
	uint32_t flags;
};

static void test_comparison_catches_wrong_definitions(void **state)
{
	unsigned saved = abi_mismatches;

	abi_mismatches = 0;
	abi_quiet = true;
	SAME_STRUCT(wrong_ioas_map, iommu_ioas_map);
	assert_int_equal(abi_mismatches, 0); /* same size: only the fields tell */
	SAME_FIELD(wrong_ioas_map, user_va, iommu_ioas_map, user_va);
	assert_int_equal(abi_mismatches, 1);
	SAME_FIELD(wrong_ioas_map, length, iommu_ioas_map, length);
	assert_int_equal(abi_mismatches, 2);
	SAME_FIELD(wrong_bind, iommufd, vfio_device_bind_iommufd, iommufd);
	assert_int_equal(abi_mismatches, 3);
	SAME_VALUE(IOFD_IOAS_MAP + 1, IOMMU_IOAS_MAP);
	assert_int_equal(abi_mismatches, 4);
	SAME_ARGSZ_STRUCT(short_attach, vfio_device_attach_iommufd_pt, pt_id);
	assert_int_equal(abi_mismatches, 5);
	abi_quiet = false;
	abi_mismatches = saved;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iommufd_ioctl_numbers),
		cmocka_unit_test(test_ioas_structs),
		cmocka_unit_test(test_hwpt_structs),
		cmocka_unit_test(test_after_6_12),
		cmocka_unit_test(test_nesting_structs),
		cmocka_unit_test(test_viommu_structs),
		cmocka_unit_test(test_vfio_cdev),
		cmocka_unit_test(test_comparison_catches_wrong_definitions),
	};

	print_message("kernel UAPI headers: %s\n", KUAPI_HEADERS_DIR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
