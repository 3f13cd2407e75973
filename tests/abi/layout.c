// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The public structs of LIBIOMMUFD_0.2 that hold 64-bit members have one shape on every arch:
 * each member at the same offset and no implicit padding, whether size_t and pointers take 4
 * bytes or 8 and whether uint64_t aligns to 4 (i386) or 8 (arm, x86_64). layout.py compiles
 * this file for several arches (clang --target); the build compiles it for this one.
 */
#include <stddef.h>

#include <iommufd/iommufd.h>

#define AT(T, m, off) _Static_assert(offsetof(struct T, m) == (off), #T "." #m " at " #off)
#define SIZE(T, n) _Static_assert(sizeof(struct T) == (n), "sizeof(struct " #T ") is " #n)

AT(iommufd_device_caps, size, 0);
AT(iommufd_device_caps, flags, 8);
AT(iommufd_device_caps, hw_info_type, 12);
AT(iommufd_device_caps, hw_capabilities, 16);
AT(iommufd_device_caps, max_pasid_log2, 24);
AT(iommufd_device_caps, reserved, 25);
SIZE(iommufd_device_caps, 32);

AT(iommufd_nesting_info, size, 0);
AT(iommufd_nesting_info, parent_id, 8);
AT(iommufd_nesting_info, hwpt_id, 12);
AT(iommufd_nesting_info, viommu_id, 16);
AT(iommufd_nesting_info, viommu_type, 20);
AT(iommufd_nesting_info, vdevice_id, 24);
AT(iommufd_nesting_info, reserved, 28);
AT(iommufd_nesting_info, virt_id, 32);
SIZE(iommufd_nesting_info, 40);

int main(void)
{
	return 0;
}
