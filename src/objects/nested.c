// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Nesting: vIOMMUs, vDEVICEs, nested (stage-1) HWPTs and cache invalidation,
 * one call per kernel command. A kernel without the command answers ENOTTY:
 * passed through, with a message naming the kernel that has it.
 */
#include <errno.h>
#include <string.h>

#include "core/ctx.h"
#include "objects/objects.h"
#include "uapi/iommufd_abi.h"
#include "uapi/iommufd_ext_abi.h"
#include "uapi/selftest_abi.h"

int iofd_needs_kernel(struct iommufd_ctx *ctx, int ret, const char *what, const char *since)
{
	if (ret != -ENOTTY)
		return ret;
	return iofd_set_error(ctx, ret, "%s: this kernel does not have it (Linux %s or later does)",
			      what, since);
}

uint32_t iofd_viommu_type_of(uint32_t hw_info_type)
{
	switch (hw_info_type) {
	case IOFD_HW_INFO_TYPE_ARM_SMMUV3:
		return IOFD_VIOMMU_TYPE_ARM_SMMUV3;
	case IOFD_HW_INFO_TYPE_SELFTEST:
		return IOFD_VIOMMU_TYPE_SELFTEST;
	default:
		/* VT-d nests from the parent: no vIOMMU in 7.3 */
		return 0;
	}
}

int iommufd_viommu_alloc(struct iommufd_ctx *ctx, uint32_t dev_id, uint32_t nest_parent_hwpt_id,
			 uint32_t type, void *data, size_t data_len, uint32_t *viommu_id)
{
	struct iofd_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = type,
		.dev_id = dev_id,
		.hwpt_id = nest_parent_hwpt_id,
		.data_uptr = (uintptr_t)data,
	};
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!viommu_id)
		return iofd_set_error(ctx, -EINVAL, "viommu alloc dev %u: viommu_id is NULL", dev_id);
	if ((data_len && !data) || data_len > UINT32_MAX)
		return iofd_set_error(ctx, -EINVAL, "viommu alloc dev %u: data %p of %zu bytes",
				      dev_id, data, data_len);
	cmd.data_len = (uint32_t)data_len;
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_VIOMMU_ALLOC, &cmd,
			 "VIOMMU_ALLOC dev=%u hwpt=%u type=0x%x data_len=%u viommu=%u", dev_id,
			 nest_parent_hwpt_id, type, cmd.data_len, cmd.out_viommu_id);
	if (ret)
		return iofd_needs_kernel(ctx, ret, "IOMMU_VIOMMU_ALLOC", "6.13");
	*viommu_id = cmd.out_viommu_id;
	return 0;
}

int iommufd_vdevice_alloc(struct iommufd_ctx *ctx, uint32_t viommu_id, uint32_t dev_id,
			  uint64_t virt_id, uint32_t *vdevice_id)
{
	struct iofd_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.dev_id = dev_id,
		.virt_id = virt_id,
	};
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!vdevice_id)
		return iofd_set_error(ctx, -EINVAL, "vdevice alloc dev %u: vdevice_id is NULL",
				      dev_id);
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_VDEVICE_ALLOC, &cmd,
			 "VDEVICE_ALLOC viommu=%u dev=%u virt_id=0x%llx vdevice=%u", viommu_id,
			 dev_id, (unsigned long long)virt_id, cmd.out_vdevice_id);
	if (ret == -EEXIST)
		return iofd_set_error(ctx, ret,
				      "vdevice alloc dev %u on viommu %u: the device has a vDEVICE "
				      "already, or virtual id 0x%llx is taken",
				      dev_id, viommu_id, (unsigned long long)virt_id);
	if (ret)
		return iofd_needs_kernel(ctx, ret, "IOMMU_VDEVICE_ALLOC", "6.13");
	*vdevice_id = cmd.out_vdevice_id;
	return 0;
}

int iommufd_hwpt_alloc_nested(struct iommufd_ctx *ctx, uint32_t dev_id, uint32_t parent_id,
			      uint32_t flags, uint32_t data_type, const void *data,
			      size_t data_len, uint32_t *hwpt_id)
{
	struct iofd_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.pt_id = parent_id,
		.data_type = data_type,
		.data_uptr = (uintptr_t)data,
	};
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!hwpt_id)
		return iofd_set_error(ctx, -EINVAL, "nested hwpt alloc dev %u: hwpt_id is NULL",
				      dev_id);
	if (flags & ~IOMMUFD_HWPT_PASID)
		return iofd_set_error(ctx, -EINVAL,
				      "nested hwpt alloc dev %u: flags 0x%x (a nested domain takes only "
				      "IOMMUFD_HWPT_PASID)",
				      dev_id, flags);
	if ((data_len && !data) || data_len > UINT32_MAX)
		return iofd_set_error(ctx, -EINVAL, "nested hwpt alloc dev %u: data %p of %zu bytes",
				      dev_id, data, data_len);
	if (flags & IOMMUFD_HWPT_PASID)
		cmd.flags |= IOFD_HWPT_ALLOC_PASID;
	cmd.data_len = (uint32_t)data_len;
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_HWPT_ALLOC, &cmd,
			 "HWPT_ALLOC dev=%u pt=%u flags=0x%x data_type=0x%x data_len=%u hwpt=%u",
			 dev_id, parent_id, cmd.flags, data_type, cmd.data_len, cmd.out_hwpt_id);
	if (ret)
		return ret;
	*hwpt_id = cmd.out_hwpt_id;
	return 0;
}

int iommufd_hwpt_invalidate(struct iommufd_ctx *ctx, uint32_t id, uint32_t data_type,
			    const void *entries, uint32_t entry_len, uint32_t *n)
{
	struct iofd_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = id,
		.data_uptr = (uintptr_t)entries,
		.data_type = data_type,
		.entry_len = entry_len,
	};
	uint32_t asked;
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!n)
		return iofd_set_error(ctx, -EINVAL, "invalidate %u: n is NULL", id);
	asked = *n;
	if (asked && (!entries || !entry_len))
		return iofd_set_error(ctx, -EINVAL,
				      "invalidate %u: %u entries at %p of %u bytes each", id, asked,
				      entries, entry_len);
	cmd.entry_num = asked;
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_HWPT_INVALIDATE, &cmd,
			 "HWPT_INVALIDATE id=%u data_type=0x%x entry_len=%u entries=%u done=%u", id,
			 data_type, entry_len, asked, cmd.entry_num);
	/* The kernel says how many it handled, also when one fails (none: it has no such call). */
	*n = ret == -ENOTTY ? 0 : cmd.entry_num;
	if (ret && ret != -ENOTTY)
		return iofd_set_error(ctx, ret, "invalidate %u (data type 0x%x): %u of %u entries done",
				      id, data_type, cmd.entry_num, asked);
	return iofd_needs_kernel(ctx, ret, "IOMMU_HWPT_INVALIDATE", "6.8");
}
