// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The VFIO type1 container on /dev/iommu (vfio_compat.c): IOMMU_VFIO_IOAS
 * chooses the IOAS it works on, then VFIO_SET_IOMMU, VFIO_CHECK_EXTENSION,
 * VFIO_IOMMU_GET_INFO (with its capability chain), VFIO_IOMMU_MAP_DMA and
 * VFIO_IOMMU_UNMAP_DMA work on that IOAS as a VFIO container would. Type1
 * (not v2) turns large pages off so that any range can be cut out of a
 * mapping. The no-IOMMU mode is not modelled.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "uapi/iommufd_ext_abi.h"

int sim_cmd_vfio_ioas(struct sim_ucmd *ucmd)
{
	struct iofd_vfio_ioas *cmd = ucmd->cmd;
	struct sim_ioas *ioas;

	if (cmd->reserved)
		return -EOPNOTSUPP;
	switch (cmd->op) {
	case IOFD_VFIO_IOAS_GET:
		if (!ucmd->ictx->vfio_ioas)
			return -ENODEV;
		cmd->ioas_id = ucmd->ictx->vfio_ioas->obj.id;
		sim_ucmd_respond(ucmd, sizeof(*cmd));
		return 0;
	case IOFD_VFIO_IOAS_SET:
		ioas = sim_ioas_get(ucmd->ictx, cmd->ioas_id);
		if (!ioas)
			return -ENOENT;
		ucmd->ictx->vfio_ioas = ioas;
		return 0;
	case IOFD_VFIO_IOAS_CLEAR:
		ucmd->ictx->vfio_ioas = NULL;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int check_extension(struct sim_ictx *ictx, unsigned long type)
{
	struct sim_ioas *ioas;

	switch (type) {
	case IOFD_VFIO_TYPE1_IOMMU:
	case IOFD_VFIO_TYPE1V2_IOMMU:
	case IOFD_VFIO_UNMAP_ALL:
		return 1;
	case IOFD_VFIO_DMA_CC_IOMMU:
		/* every domain of the container's IOAS enforces cache coherency (all do here) */
		ioas = ictx->vfio_ioas;
		return ioas ? 1 : -ENODEV;
	default:
		/* no-IOMMU, nesting (reserved), UPDATE_VADDR (unsafe), anything unknown */
		return 0;
	}
}

static int set_iommu(struct sim_ictx *ictx, unsigned long type)
{
	if (type != IOFD_VFIO_TYPE1_IOMMU && type != IOFD_VFIO_TYPE1V2_IOMMU)
		return -EINVAL;
	/* VFIO fails it without a group: here, without the container's IOAS */
	if (!ictx->vfio_ioas)
		return -ENODEV;
	/* type1 may unmap inside a mapping: no large pages that could not be cut */
	if (type == IOFD_VFIO_TYPE1_IOMMU)
		return sim_ioas_set_large_pages(ictx->vfio_ioas, false);
	return 0;
}

static int map_dma(struct sim_ictx *ictx, unsigned int proc, void *arg)
{
	struct iofd_vfio_dma_map map;
	uint64_t iova;
	int prot = 0;

	if (sim_user_read(&map, (uintptr_t)arg, sizeof(map)))
		return -EFAULT;
	if (map.argsz < sizeof(map) ||
	    (map.flags & ~(IOFD_VFIO_DMA_MAP_FLAG_READ | IOFD_VFIO_DMA_MAP_FLAG_WRITE)))
		return -EINVAL;
	if (map.flags & IOFD_VFIO_DMA_MAP_FLAG_READ)
		prot |= SIM_PROT_READ;
	if (map.flags & IOFD_VFIO_DMA_MAP_FLAG_WRITE)
		prot |= SIM_PROT_WRITE;
	if (!ictx->vfio_ioas)
		return -ENODEV;
	iova = map.iova;
	return sim_ioas_map_user(ictx->vfio_ioas, map.vaddr, map.size, &iova, prot, true, proc);
}

static int unmap_dma(struct sim_ictx *ictx, void *arg)
{
	struct iofd_vfio_dma_unmap unmap;
	uint64_t unmapped = 0, last;
	struct sim_ioas *ioas;
	int ret;

	if (sim_user_read(&unmap, (uintptr_t)arg, sizeof(unmap)))
		return -EFAULT;
	if (unmap.argsz < sizeof(unmap) || (unmap.flags & ~IOFD_VFIO_DMA_UNMAP_FLAG_ALL))
		return -EINVAL;
	ioas = ictx->vfio_ioas;
	if (!ioas)
		return -ENODEV;
	if (unmap.flags & IOFD_VFIO_DMA_UNMAP_FLAG_ALL) {
		if (unmap.iova || unmap.size)
			return -EINVAL;
		ret = sim_ioas_unmap(ioas, 0, UINT64_MAX, &unmapped);
	} else {
		if (!unmap.size)
			return -EINVAL;
		if (__builtin_add_overflow(unmap.iova, unmap.size - 1, &last))
			return -EOVERFLOW;
		/* type1 (no large pages): cut the mappings at the range's ends first */
		ret = 0;
		if (ioas->no_large_pages) {
			ret = sim_ioas_cut(ioas, last);
			if (!ret && unmap.iova)
				ret = sim_ioas_cut(ioas, unmap.iova - 1);
		}
		if (!ret)
			ret = sim_ioas_unmap(ioas, unmap.iova, last, &unmapped);
	}
	unmap.size = unmapped;
	if (sim_user_write((uintptr_t)arg, &unmap, sizeof(unmap)))
		return -EFAULT;
	return ret;
}

/* The page sizes: those every domain has, PAGE_SIZE for the smaller ones, the IOAS's alignment. */
static uint64_t pagesizes(const struct sim_ioas *ioas)
{
	uint64_t bitmap = UINT64_MAX, align = sim_ioas_alignment(ioas);
	size_t i;

	for (i = 0; i < ioas->nhwpts; i++)
		bitmap &= ioas->hwpts[i]->pgsize_bitmap;
	if (bitmap & (SIM_PAGE_SIZE - 1)) {
		bitmap &= ~(SIM_PAGE_SIZE - 1);
		bitmap |= SIM_PAGE_SIZE;
	}
	return bitmap > align ? bitmap : align;
}

static int resv_cmp(const void *a, const void *b)
{
	const struct sim_resv *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* A capability of the chain: written where it fits in avail bytes; its size in any case. */
static long cap_dma_avail(const struct sim_ioas *ioas, uint64_t uptr, size_t avail)
{
	struct iofd_vfio_cap_dma_avail cap = {
		.header = { .id = IOFD_VFIO_CAP_DMA_AVAIL, .version = 1 },
		.avail = UINT32_MAX, /* iommufd's limit is the cgroup's memory */
	};

	(void)ioas;
	if (avail >= sizeof(cap) && sim_user_write(uptr, &cap, sizeof(cap)))
		return -EFAULT;
	return sizeof(cap);
}

/* The holes between the IOAS's reserved ranges. */
static long cap_iova_range(const struct sim_ioas *ioas, uint64_t uptr, size_t avail)
{
	struct iofd_vfio_cap_iova_range cap = {
		.header = { .id = IOFD_VFIO_CAP_IOVA_RANGE, .version = 1 },
	};
	struct sim_resv *sorted = NULL;
	uint64_t cur = 0, range[2];
	bool open_end = true;
	size_t i;

	if (ioas->nresv) {
		sorted = malloc(ioas->nresv * sizeof(*sorted));
		if (!sorted)
			return -ENOMEM;
		memcpy(sorted, ioas->resv, ioas->nresv * sizeof(*sorted));
		qsort(sorted, ioas->nresv, sizeof(*sorted), resv_cmp);
	}
	for (i = 0; i <= ioas->nresv && open_end; i++) {
		bool hole;

		if (i < ioas->nresv && sorted[i].last < cur)
			continue;
		hole = i == ioas->nresv || sorted[i].start > cur;
		if (hole) {
			range[0] = cur;
			range[1] = i == ioas->nresv ? UINT64_MAX : sorted[i].start - 1;
			if (avail >= sizeof(cap) + sizeof(range) * (cap.nr_iovas + 1) &&
			    sim_user_write(uptr + sizeof(cap) + sizeof(range) * cap.nr_iovas, range,
					   sizeof(range))) {
				free(sorted);
				return -EFAULT;
			}
			cap.nr_iovas++;
		}
		if (i == ioas->nresv || sorted[i].last == UINT64_MAX)
			open_end = false;
		else
			cur = sorted[i].last + 1;
	}
	free(sorted);
	if (avail >= sizeof(cap) + sizeof(range) * cap.nr_iovas &&
	    sim_user_write(uptr, &cap, sizeof(cap)))
		return -EFAULT;
	return sizeof(cap) + sizeof(range) * cap.nr_iovas;
}

static int get_info(struct sim_ictx *ictx, void *arg)
{
	static long (*const caps[])(const struct sim_ioas *, uint64_t, size_t) = {
		cap_dma_avail, cap_iova_range,
	};
	const size_t first = offsetof(struct iofd_vfio_iommu_type1_info, cap_offset);
	struct iofd_vfio_iommu_type1_info info;
	uint64_t uptr = (uintptr_t)arg, last_cap = 0;
	size_t total, minsz, i;
	struct sim_ioas *ioas;
	uint32_t next;

	memset(&info, 0, sizeof(info));
	if (sim_user_read(&info, uptr, first))
		return -EFAULT;
	if (info.argsz < first)
		return -EINVAL;
	minsz = info.argsz < sizeof(info) ? info.argsz : sizeof(info);
	ioas = ictx->vfio_ioas;
	if (!ioas)
		return -ENODEV;
	info.flags = IOFD_VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = pagesizes(ioas);
	info.cap_offset = 0;
	total = sizeof(info);
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		long size = info.argsz > total ? caps[i](ioas, uptr + total, info.argsz - total) :
						 caps[i](ioas, 0, 0);

		if (size < 0)
			return (int)size;
		size = (size + 7) & ~7l;
		/* the chain: each capability names the next, where the user's buffer holds it */
		if (last_cap && info.argsz >= total) {
			next = total;
			uint64_t at = last_cap + offsetof(struct iofd_vfio_info_cap_header, next);

			if (sim_user_write(at, &next, sizeof(next)))
				return -EFAULT;
		}
		last_cap = uptr + total;
		total += size;
	}
	/* too small a buffer gets some capabilities, and argsz says how much all need */
	if (info.argsz >= total)
		info.cap_offset = sizeof(info);
	info.argsz = total;
	info.flags |= IOFD_VFIO_IOMMU_INFO_CAPS;
	return sim_user_write(uptr, &info, minsz) ? -EFAULT : 0;
}

int sim_vfio_compat_ioctl(struct sim_ictx *ictx, unsigned int proc, unsigned long request,
			  void *arg)
{
	switch (request) {
	case IOFD_VFIO_GET_API_VERSION:
		return IOFD_VFIO_API_VERSION;
	case IOFD_VFIO_SET_IOMMU:
		return set_iommu(ictx, (uintptr_t)arg);
	case IOFD_VFIO_CHECK_EXTENSION:
		return check_extension(ictx, (uintptr_t)arg);
	case IOFD_VFIO_IOMMU_GET_INFO:
		return get_info(ictx, arg);
	case IOFD_VFIO_IOMMU_MAP_DMA:
		return map_dma(ictx, proc, arg);
	case IOFD_VFIO_IOMMU_UNMAP_DMA:
		return unmap_dma(ictx, arg);
	default:
		return -ENOTTY;
	}
}
