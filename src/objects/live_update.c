// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Live update at the object layer: whether the kernel has it, IOMMU_IOAS_CHANGE_PROCESS,
 * the probes a restore checks the kernel with (none of them changes anything), and
 * iommufd_device_adopt().
 *
 * A probe is a kernel command given arguments the kernel refuses only after it has
 * looked up what the probe asks about: the errno then says whether it found it. Its
 * refusal is the expected answer, so probes are traced but leave no last error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/ctx.h"
#include "objects/device.h"
#include "objects/objects.h"
#include "uapi/iommufd_abi.h"

/* The first kernel with IOMMU_IOAS_CHANGE_PROCESS (and IOAS_MAP_FILE). */
#define LIVE_UPDATE_KERNEL "Linux 6.13"

/* One probe: the kernel's answer, traced as any kernel call, no last error set. */
static int probe(struct iommufd_ctx *ctx, unsigned long request, void *arg, const char *what)
{
	int ret = ctx->tp.ops->ioctl(ctx->tp.priv, ctx->fd, request, arg);

	if (iofd_tracing(ctx))
		iofd_log(ctx, IOMMUFD_LOG_TRACE, "%s %s (probe) = %d%s%s", ctx->tp.ops->name, what,
			 ret, ret ? " " : "", ret ? strerror(-ret) : "");
	return ret;
}

int iofd_live_update_check(struct iommufd_ctx *ctx, const char *what)
{
	/* A kernel that has the command refuses a reserved bit first: EOPNOTSUPP. */
	struct iofd_ioas_change_process cmd = { .size = sizeof(cmd), .reserved = 1 };
	int ret = probe(ctx, IOFD_IOAS_CHANGE_PROCESS, &cmd, "IOAS_CHANGE_PROCESS reserved=1");

	if (ret == -EOPNOTSUPP || ret == 0)
		return 0;
	if (ret == -ENOTTY)
		return iofd_set_error(ctx, ret,
				      "%s: live update needs IOMMU_IOAS_CHANGE_PROCESS (" LIVE_UPDATE_KERNEL
				      " or later), which this kernel does not have",
				      what);
	return iofd_set_error(ctx, ret, "%s: ask the kernel for IOMMU_IOAS_CHANGE_PROCESS", what);
}

int iofd_ioas_change_process(struct iommufd_ctx *ctx)
{
	struct iofd_ioas_change_process cmd = { .size = sizeof(cmd) };

	return iofd_ioctl(ctx, ctx->fd, IOFD_IOAS_CHANGE_PROCESS, &cmd, "IOAS_CHANGE_PROCESS");
}

int iofd_hwpt_probe(struct iommufd_ctx *ctx, uint32_t hwpt_id)
{
	struct iofd_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt_id,
		.flags = IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
		.page_size = 4096,
	};
	char what[64];
	int ret;

	/* Length 0: the kernel finds the HWPT, then refuses the range (EINVAL). */
	snprintf(what, sizeof(what), "HWPT_GET_DIRTY_BITMAP hwpt=%u length=0", hwpt_id);
	ret = probe(ctx, IOFD_HWPT_GET_DIRTY_BITMAP, &cmd, what);
	if (ret == -EINVAL || ret == 0)
		return 1;
	if (ret == -ENOENT)
		return 0;
	return iofd_set_error(ctx, ret, "%s", what);
}

int iofd_ioas_probe_mapped(struct iommufd_ctx *ctx, uint32_t ioas_id, uint64_t iova,
			   uint64_t last)
{
	struct iofd_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = IOFD_IOAS_MAP_FIXED_IOVA | IOFD_IOAS_MAP_READABLE,
		.dst_ioas_id = ioas_id,
		.src_ioas_id = ioas_id,
		.length = last - iova + 1,
		.dst_iova = iova,
		.src_iova = iova,
	};
	char what[96];
	int ret;

	/*
	 * The source must be mapped whole (else ENOENT); then the destination, the same
	 * range, is in use (EEXIST). Nothing is ever copied.
	 */
	snprintf(what, sizeof(what), "IOAS_COPY ioas=%u [0x%llx, 0x%llx] onto itself", ioas_id,
		 (unsigned long long)iova, (unsigned long long)last);
	ret = probe(ctx, IOFD_IOAS_COPY, &cmd, what);
	if (ret == -EEXIST)
		return 1;
	if (ret == -ENOENT)
		return 0;
	if (!ret)
		return iofd_set_error(ctx, -EIO, "%s: the kernel copied a range onto itself", what);
	return iofd_set_error(ctx, ret, "%s", what);
}

int iommufd_device_adopt(struct iommufd_ctx *ctx, int cdev_fd, uint32_t dev_id,
			 struct iommufd_device **out)
{
	char what[64];
	int ret;

	if (out)
		*out = NULL;
	if (!ctx)
		return -EINVAL;
	if (!out)
		return iofd_set_error(ctx, -EINVAL, "device adopt fd %d: out is NULL", cdev_fd);
	if (cdev_fd < 0)
		return iofd_set_error(ctx, -EBADF, "device adopt fd %d: not a file descriptor",
				      cdev_fd);
	if (!dev_id)
		return iofd_set_error(ctx, -EINVAL, "device adopt fd %d: dev_id 0", cdev_fd);
	snprintf(what, sizeof(what), "device adopt fd %d", cdev_fd);
	ret = iofd_live_update_check(ctx, what);
	if (ret)
		return ret;
	ret = iofd_vfio_device_adopt(ctx, cdev_fd, dev_id, NULL, out);
	if (!ret)
		iofd_device_ready(*out);
	return ret;
}
