// SPDX-License-Identifier: LGPL-2.1-or-later
/* HWPT: a hardware page table (IOMMU domain), its dirty tracking, and hw info. */
#include <errno.h>

#include "core/ctx.h"
#include "uapi/iommufd_abi.h"

int iommufd_hwpt_alloc(struct iommufd_ctx *ctx, uint32_t dev_id, uint32_t pt_id, uint32_t flags,
		       uint32_t *hwpt_id)
{
	struct iofd_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = IOFD_HWPT_DATA_NONE,
	};
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!hwpt_id)
		return iofd_set_error(ctx, -EINVAL, "hwpt alloc dev %u: hwpt_id is NULL", dev_id);
	if (flags & ~(IOMMUFD_HWPT_NEST_PARENT | IOMMUFD_HWPT_DIRTY_TRACKING))
		return iofd_set_error(ctx, -EINVAL, "hwpt alloc dev %u: unknown flags 0x%x", dev_id,
				      flags);
	if (flags & IOMMUFD_HWPT_NEST_PARENT)
		cmd.flags |= IOFD_HWPT_ALLOC_NEST_PARENT;
	if (flags & IOMMUFD_HWPT_DIRTY_TRACKING)
		cmd.flags |= IOFD_HWPT_ALLOC_DIRTY_TRACKING;
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_HWPT_ALLOC, &cmd,
			 "HWPT_ALLOC dev=%u pt=%u flags=0x%x data_type=NONE hwpt=%u", dev_id, pt_id,
			 cmd.flags, cmd.out_hwpt_id);
	if (!ret)
		*hwpt_id = cmd.out_hwpt_id;
	return ret;
}

int iommufd_get_hw_info(struct iommufd_ctx *ctx, uint32_t dev_id, struct iommufd_hw_info *out)
{
	struct iofd_hw_info cmd = { .size = sizeof(cmd), .dev_id = dev_id };
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!out)
		return iofd_set_error(ctx, -EINVAL, "hw info dev %u: out is NULL", dev_id);
	/* data_len 0: only the type and the generic capabilities are wanted. */
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_GET_HW_INFO, &cmd,
			 "GET_HW_INFO dev=%u type=%u caps=0x%llx", dev_id, cmd.out_data_type,
			 (unsigned long long)cmd.out_capabilities);
	if (!ret) {
		out->type = cmd.out_data_type;
		out->capabilities = cmd.out_capabilities;
	}
	return ret;
}

int iommufd_hwpt_set_dirty_tracking(struct iommufd_ctx *ctx, uint32_t hwpt_id, bool enable)
{
	struct iofd_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd),
		.flags = enable ? IOFD_HWPT_DIRTY_TRACKING_ENABLE : 0,
		.hwpt_id = hwpt_id,
	};

	if (!ctx)
		return -EINVAL;
	return iofd_ioctl(ctx, ctx->fd, IOFD_HWPT_SET_DIRTY_TRACKING, &cmd,
			  "HWPT_SET_DIRTY_TRACKING hwpt=%u enable=%d", hwpt_id, enable);
}

int iommufd_hwpt_get_dirty_bitmap(struct iommufd_ctx *ctx, uint32_t hwpt_id, uint64_t iova,
				  uint64_t len, uint64_t page_size, uint64_t *bitmap,
				  uint32_t flags)
{
	struct iofd_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt_id,
		.iova = iova,
		.length = len,
		.page_size = page_size,
		.data = (uintptr_t)bitmap,
	};

	if (!ctx)
		return -EINVAL;
	if (flags & ~IOMMUFD_DIRTY_NO_CLEAR)
		return iofd_set_error(ctx, -EINVAL, "dirty bitmap hwpt %u: unknown flags 0x%x",
				      hwpt_id, flags);
	/*
	 * Linux 6.12 answers 0 to both of these and loses or misplaces bits: with
	 * no bitmap it reports nothing yet clears what it read; with a page size
	 * that is no power of two it counts pages of its lowest set bit (a bit per
	 * byte for 3) and writes past a bitmap sized for the size given.
	 */
	if (!bitmap)
		return iofd_set_error(ctx, -EFAULT,
				      "dirty bitmap hwpt %u: bitmap is NULL (the kernel would clear the dirty bits and report none)",
				      hwpt_id);
	if (!page_size)
		return iofd_set_error(ctx, -EINVAL, "dirty bitmap hwpt %u: page size 0", hwpt_id);
	if (page_size & (page_size - 1))
		return iofd_set_error(ctx, -EINVAL,
				      "dirty bitmap hwpt %u: page size 0x%llx is not a power of two",
				      hwpt_id, (unsigned long long)page_size);
	if (flags & IOMMUFD_DIRTY_NO_CLEAR)
		cmd.flags |= IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;
	return iofd_ioctl(ctx, ctx->fd, IOFD_HWPT_GET_DIRTY_BITMAP, &cmd,
			  "HWPT_GET_DIRTY_BITMAP hwpt=%u iova=0x%llx len=0x%llx page=0x%llx flags=0x%x",
			  hwpt_id, (unsigned long long)iova, (unsigned long long)len,
			  (unsigned long long)page_size, cmd.flags);
}
