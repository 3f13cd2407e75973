// SPDX-License-Identifier: LGPL-2.1-or-later
/* HWPT: a hardware page table (IOMMU domain), its dirty tracking, and hw info. */
#include <errno.h>
#include <string.h>

#include "core/ctx.h"
#include "core/opts.h"
#include "uapi/iommufd_abi.h"
#include "uapi/iommufd_ext_abi.h"

/* HWPT_ALLOC with checked options (o from iofd_opts_copy, zero for the defaults). */
static int hwpt_alloc(struct iommufd_ctx *ctx, uint32_t dev_id, uint32_t pt_id,
		      const struct iommufd_hwpt_alloc_opts *o, uint32_t *hwpt_id)
{
	struct iofd_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = o->data_type,
		.data_len = o->data_len,
		.data_uptr = (uintptr_t)o->data,
		.fault_id = o->fault_id,
	};
	int ret;

	if (!hwpt_id)
		return iofd_set_error(ctx, -EINVAL, "hwpt alloc dev %u: hwpt_id is NULL", dev_id);
	if (o->flags & ~(IOMMUFD_HWPT_NEST_PARENT | IOMMUFD_HWPT_DIRTY_TRACKING |
			 IOMMUFD_HWPT_PASID))
		return iofd_set_error(ctx, -EINVAL, "hwpt alloc dev %u: unknown flags 0x%x", dev_id,
				      o->flags);
	/*
	 * Both or neither: the kernel would read data_len bytes from NULL deep in the driver
	 * (EFAULT or the driver's own errno), and never reads data of no length (with a type,
	 * it refuses that with EINVAL).
	 */
	if (!o->data != !o->data_len)
		return iofd_set_error(ctx, -EINVAL, "hwpt alloc dev %u: data %p of %u bytes",
				      dev_id, o->data, o->data_len);
	if (o->flags & IOMMUFD_HWPT_NEST_PARENT)
		cmd.flags |= IOFD_HWPT_ALLOC_NEST_PARENT;
	if (o->flags & IOMMUFD_HWPT_DIRTY_TRACKING)
		cmd.flags |= IOFD_HWPT_ALLOC_DIRTY_TRACKING;
	if (o->flags & IOMMUFD_HWPT_PASID)
		cmd.flags |= IOFD_HWPT_ALLOC_PASID;
	/* Object ids start at 1: 0 is no fault queue. */
	if (o->fault_id)
		cmd.flags |= IOFD_HWPT_FAULT_ID_VALID;
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_HWPT_ALLOC, &cmd,
			 "HWPT_ALLOC dev=%u pt=%u flags=0x%x data_type=%u data_len=%u fault=%u "
			 "hwpt=%u",
			 dev_id, pt_id, cmd.flags, cmd.data_type, cmd.data_len, cmd.fault_id,
			 cmd.out_hwpt_id);
	if (!ret)
		*hwpt_id = cmd.out_hwpt_id;
	return ret;
}

int iommufd_hwpt_alloc(struct iommufd_ctx *ctx, uint32_t dev_id, uint32_t pt_id, uint32_t flags,
		       uint32_t *hwpt_id)
{
	struct iommufd_hwpt_alloc_opts o = { .size = sizeof(o), .flags = flags };

	if (!ctx)
		return -EINVAL;
	return hwpt_alloc(ctx, dev_id, pt_id, &o, hwpt_id);
}

IOFD_OPTS_NO_PADDING(struct iommufd_hwpt_alloc_opts, fault_id);

int iommufd_hwpt_alloc_opts(struct iommufd_ctx *ctx, uint32_t dev_id, uint32_t pt_id,
			    const struct iommufd_hwpt_alloc_opts *opts, uint32_t *hwpt_id)
{
	struct iommufd_hwpt_alloc_opts o;
	int ret;

	if (!ctx)
		return -EINVAL;
	ret = iofd_opts_copy(ctx, "hwpt alloc", opts, sizeof(o),
			     iofd_offsetofend(struct iommufd_hwpt_alloc_opts, fault_id), &o);
	if (ret)
		return ret;
	return hwpt_alloc(ctx, dev_id, pt_id, &o, hwpt_id);
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

IOFD_OPTS_NO_PADDING(struct iommufd_hw_info_opts, out_capabilities);

int iommufd_get_hw_info_opts(struct iommufd_ctx *ctx, uint32_t dev_id,
			     struct iommufd_hw_info_opts *opts)
{
	struct iofd_hw_info cmd = { .size = sizeof(cmd), .dev_id = dev_id };
	struct iommufd_hw_info_opts o;
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!opts)
		return iofd_set_error(ctx, -EINVAL,
				      "hw info dev %u: opts is NULL (the answer goes there)",
				      dev_id);
	ret = iofd_opts_copy(ctx, "hw info", opts, sizeof(o),
			     iofd_offsetofend(struct iommufd_hw_info_opts, out_capabilities), &o);
	if (ret)
		return ret;
	if (o.reserved[0] || o.reserved[1] || o.reserved[2])
		return iofd_set_error(ctx, -EINVAL, "hw info dev %u: opts reserved is not 0",
				      dev_id);
	cmd.data_len = o.data_len;
	cmd.data_uptr = (uintptr_t)o.data;
	/* 0 is IOMMU_HW_INFO_TYPE_DEFAULT: the IOMMU's own type, what any kernel gives. */
	if (o.data_type) {
		cmd.flags = IOFD_HW_INFO_FLAG_INPUT_TYPE;
		cmd.out_data_type = o.data_type;
	}
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_GET_HW_INFO, &cmd,
			 "GET_HW_INFO dev=%u flags=0x%x in_type=%u data_len=%u type=%u caps=0x%llx "
			 "pasid_log2=%u",
			 dev_id, cmd.flags, o.data_type, cmd.data_len, cmd.out_data_type,
			 (unsigned long long)cmd.out_capabilities, cmd.out_max_pasid_log2);
	if (ret == -EOPNOTSUPP && o.data_type)
		return iofd_set_error(ctx, ret,
				      "hw info dev %u: data type %u asked for: the IOMMU has none "
				      "of that type, or the kernel takes no type "
				      "(IOMMU_HW_INFO_FLAG_INPUT_TYPE, newer than Linux 6.12)",
				      dev_id, o.data_type);
	if (ret)
		return ret;
	o.data_len = cmd.data_len;
	o.out_data_type = cmd.out_data_type;
	o.out_max_pasid_log2 = cmd.out_max_pasid_log2;
	o.out_capabilities = cmd.out_capabilities;
	iofd_opts_write_back(opts, &o, sizeof(o));
	return 0;
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
