// SPDX-License-Identifier: LGPL-2.1-or-later
/* IOAS: an I/O address space, and the generic object destroy. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/list_all.h"
#include "objects/objects.h"
#include "uapi/iommufd_abi.h"

int iommufd_ioas_alloc(struct iommufd_ctx *ctx, uint32_t *ioas_id)
{
	struct iofd_ioas_alloc cmd = { .size = sizeof(cmd) };
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!ioas_id)
		return iofd_set_error(ctx, -EINVAL, "ioas alloc: ioas_id is NULL");
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_IOAS_ALLOC, &cmd, "IOAS_ALLOC ioas=%u",
			 cmd.out_ioas_id);
	if (!ret)
		*ioas_id = cmd.out_ioas_id;
	return ret;
}

int iommufd_destroy(struct iommufd_ctx *ctx, uint32_t id)
{
	struct iofd_destroy cmd = { .size = sizeof(cmd), .id = id };

	if (!ctx)
		return -EINVAL;
	return iofd_ioctl(ctx, ctx->fd, IOFD_DESTROY, &cmd, "DESTROY id=%u", id);
}

int iofd_destroy_cleanup(struct iommufd_ctx *ctx, uint32_t id)
{
	char cause[IOFD_ERRMSG_MAX];
	int ret;

	snprintf(cause, sizeof(cause), "%s", iommufd_last_error(ctx));
	ret = iommufd_destroy(ctx, id);
	/* A busy object may be free a moment later (a short-term user in the kernel). */
	if (ret && ret != -ENOENT)
		ret = iommufd_destroy(ctx, id);
	iofd_set_error(ctx, 0, "%s", cause);
	return ret == -ENOENT ? 0 : ret;
}

/* One IOVA_RANGES call: fills up to max, returns the count or -errno. */
static int iova_ranges(struct iommufd_ctx *ctx, uint32_t ioas_id, struct iofd_iova_range *buf,
		       unsigned max, uint64_t *alignment)
{
	struct iofd_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.num_iovas = max,
		.allowed_iovas = (uintptr_t)buf,
	};
	int ret;

	ret = ctx->tp.ops->ioctl(ctx->tp.priv, ctx->fd, IOFD_IOAS_IOVA_RANGES, &cmd);
	/* EMSGSIZE only says the buffer was short: the count is the answer. */
	if (ret == -EMSGSIZE)
		ret = 0;
	ret = iofd_kcall_done(ctx, ret, "IOAS_IOVA_RANGES ioas=%u max=%u num=%u align=0x%llx",
			      ioas_id, max, cmd.num_iovas,
			      (unsigned long long)cmd.out_iova_alignment);
	if (ret)
		return ret;
	if (alignment)
		*alignment = cmd.out_iova_alignment;
	return (int)cmd.num_iovas;
}

int iommufd_ioas_iova_ranges(struct iommufd_ctx *ctx, uint32_t ioas_id,
			     struct iommufd_iova_range *out, unsigned max, uint64_t *alignment)
{
	struct iofd_iova_range *buf = NULL;
	int ret, i;

	if (!ctx)
		return -EINVAL;
	if (max && !out)
		return iofd_set_error(ctx, -EINVAL, "ioas %u iova ranges: out is NULL, max %u",
				      ioas_id, max);
	if (max) {
		buf = calloc(max, sizeof(*buf));
		if (!buf)
			return iofd_set_error(ctx, -ENOMEM, "ioas %u iova ranges: room for %u",
					      ioas_id, max);
	}
	ret = iova_ranges(ctx, ioas_id, buf, max, alignment);
	for (i = 0; i < ret && (unsigned)i < max; i++) {
		out[i].start = buf[i].start;
		out[i].last = buf[i].last;
	}
	free(buf);
	return ret;
}

struct ranges_arg {
	struct iommufd_ctx *ctx;
	uint32_t ioas_id;
	uint64_t alignment;
};

static int fill_ranges(void *arg, void *buf, unsigned max)
{
	struct ranges_arg *a = arg;

	return iommufd_ioas_iova_ranges(a->ctx, a->ioas_id, buf, max, &a->alignment);
}

int iommufd_ioas_iova_ranges_all(struct iommufd_ctx *ctx, uint32_t ioas_id,
				 struct iommufd_iova_range **out, uint64_t *alignment)
{
	static const struct iofd_list_spec spec = {
		.what = "ioas iova ranges",
		.size = sizeof(struct iommufd_iova_range),
		.min_size = sizeof(struct iommufd_iova_range),
		.fill = fill_ranges,
	};
	struct ranges_arg a = { .ctx = ctx, .ioas_id = ioas_id };
	void *list;
	int ret;

	if (out)
		*out = NULL;
	if (!ctx)
		return -EINVAL;
	if (!out)
		return iofd_set_error(ctx, -EINVAL, "ioas %u iova ranges: out is NULL", ioas_id);
	ret = iofd_list_all(ctx, &spec, &a, spec.size, &list);
	/* The alignment of the read that fitted; untouched on failure. */
	if (ret >= 0 && alignment)
		*alignment = a.alignment;
	*out = list; /* NULL on failure and for an empty list */
	return ret;
}

int iommufd_ioas_allow_iovas(struct iommufd_ctx *ctx, uint32_t ioas_id,
			     const struct iommufd_iova_range *ranges, unsigned n)
{
	struct iofd_ioas_allow_iovas cmd = { .size = sizeof(cmd), .ioas_id = ioas_id, .num_iovas = n };
	struct iofd_iova_range *buf = NULL;
	unsigned i;
	int ret;

	if (!ctx)
		return -EINVAL;
	if (n && !ranges)
		return iofd_set_error(ctx, -EINVAL, "ioas %u allow iovas: ranges is NULL, n %u",
				      ioas_id, n);
	if (n) {
		buf = calloc(n, sizeof(*buf));
		if (!buf)
			return iofd_set_error(ctx, -ENOMEM, "ioas %u allow iovas: room for %u",
					      ioas_id, n);
		for (i = 0; i < n; i++) {
			buf[i].start = ranges[i].start;
			buf[i].last = ranges[i].last;
		}
	}
	cmd.allowed_iovas = (uintptr_t)buf;
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_IOAS_ALLOW_IOVAS, &cmd, "IOAS_ALLOW_IOVAS ioas=%u n=%u",
			 ioas_id, n);
	free(buf);
	return ret;
}

static uint32_t map_flags(uint32_t flags)
{
	uint32_t f = IOFD_IOAS_MAP_READABLE;

	if (!(flags & IOMMUFD_MAP_READONLY))
		f |= IOFD_IOAS_MAP_WRITEABLE;
	if (flags & IOMMUFD_MAP_FIXED_IOVA)
		f |= IOFD_IOAS_MAP_FIXED_IOVA;
	return f;
}

int iommufd_ioas_map(struct iommufd_ctx *ctx, uint32_t ioas_id, void *va, uint64_t len,
		     uint64_t *iova, uint32_t flags)
{
	struct iofd_ioas_map cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)va,
		.length = len,
	};
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!iova)
		return iofd_set_error(ctx, -EINVAL, "map ioas %u: iova is NULL", ioas_id);
	if (flags & ~(IOMMUFD_MAP_FIXED_IOVA | IOMMUFD_MAP_READONLY))
		return iofd_set_error(ctx, -EINVAL, "map ioas %u: unknown flags 0x%x", ioas_id, flags);
	cmd.flags = map_flags(flags);
	if (flags & IOMMUFD_MAP_FIXED_IOVA)
		cmd.iova = *iova;
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_IOAS_MAP, &cmd,
			 "IOAS_MAP ioas=%u va=%p len=0x%llx iova=0x%llx flags=0x%x", ioas_id, va,
			 (unsigned long long)len, (unsigned long long)cmd.iova, cmd.flags);
	if (!ret)
		*iova = cmd.iova;
	return ret;
}

int iommufd_ioas_map_file(struct iommufd_ctx *ctx, uint32_t ioas_id, int fd, uint64_t offset,
			  uint64_t len, uint64_t *iova, uint32_t flags)
{
	struct iofd_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.fd = fd,
		.start = offset,
		.length = len,
	};
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!iova)
		return iofd_set_error(ctx, -EINVAL, "map file ioas %u: iova is NULL", ioas_id);
	if (flags & ~(IOMMUFD_MAP_FIXED_IOVA | IOMMUFD_MAP_READONLY))
		return iofd_set_error(ctx, -EINVAL, "map file ioas %u: unknown flags 0x%x", ioas_id,
				      flags);
	cmd.flags = map_flags(flags);
	if (flags & IOMMUFD_MAP_FIXED_IOVA)
		cmd.iova = *iova;
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_IOAS_MAP_FILE, &cmd,
			 "IOAS_MAP_FILE ioas=%u fd=%d offset=0x%llx len=0x%llx iova=0x%llx "
			 "flags=0x%x",
			 ioas_id, fd, (unsigned long long)offset, (unsigned long long)len,
			 (unsigned long long)cmd.iova, cmd.flags);
	if (ret)
		return iofd_needs_kernel(ctx, ret, "IOMMU_IOAS_MAP_FILE", "6.13");
	*iova = cmd.iova;
	return 0;
}

int iommufd_ioas_unmap(struct iommufd_ctx *ctx, uint32_t ioas_id, uint64_t iova, uint64_t len,
		       uint64_t *unmapped)
{
	struct iofd_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = len,
	};
	int ret;

	if (!ctx)
		return -EINVAL;
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_IOAS_UNMAP, &cmd,
			 "IOAS_UNMAP ioas=%u iova=0x%llx len=0x%llx unmapped=0x%llx", ioas_id,
			 (unsigned long long)iova, (unsigned long long)len,
			 (unsigned long long)cmd.length);
	if (!ret && unmapped)
		*unmapped = cmd.length;
	return ret;
}

int iommufd_ioas_copy(struct iommufd_ctx *ctx, uint32_t dst_ioas_id, uint32_t src_ioas_id,
		      uint64_t src_iova, uint64_t len, uint64_t *dst_iova, uint32_t flags)
{
	struct iofd_ioas_copy cmd = {
		.size = sizeof(cmd),
		.dst_ioas_id = dst_ioas_id,
		.src_ioas_id = src_ioas_id,
		.length = len,
		.src_iova = src_iova,
	};
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!dst_iova)
		return iofd_set_error(ctx, -EINVAL, "copy ioas %u: dst_iova is NULL", src_ioas_id);
	if (flags & ~(IOMMUFD_MAP_FIXED_IOVA | IOMMUFD_MAP_READONLY))
		return iofd_set_error(ctx, -EINVAL, "copy ioas %u: unknown flags 0x%x", src_ioas_id,
				      flags);
	cmd.flags = map_flags(flags);
	if (flags & IOMMUFD_MAP_FIXED_IOVA)
		cmd.dst_iova = *dst_iova;
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_IOAS_COPY, &cmd,
			 "IOAS_COPY src=%u src_iova=0x%llx len=0x%llx dst=%u dst_iova=0x%llx flags=0x%x",
			 src_ioas_id, (unsigned long long)src_iova, (unsigned long long)len,
			 dst_ioas_id, (unsigned long long)cmd.dst_iova, cmd.flags);
	if (!ret)
		*dst_iova = cmd.dst_iova;
	return ret;
}
