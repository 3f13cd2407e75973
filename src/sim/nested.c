// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Nested HWPTs: a stage-1 domain over a nest parent (a paging HWPT made
 * with NEST_PARENT, or a vIOMMU's), and their cache invalidation
 * (HWPT_INVALIDATE). Follows hw_pagetable.c; of the drivers, the selftest
 * mock's (struct iommu_hwpt_selftest: four IOTLB entries set from the
 * user's data, invalidated one by one or all). For VT-d and SMMUv3 the
 * stage-1 formats are not modelled: their allocation checks the parent,
 * then answers EOPNOTSUPP.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "uapi/iommufd_ext_abi.h"
#include "uapi/selftest_abi.h"

#define SIM_INVALIDATE_ENTRY_NUM_MAX (1u << 19)

struct sim_hwpt *sim_hwpt_paging(struct sim_hwpt *hwpt)
{
	return hwpt->obj.type == SIM_OBJ_HWPT_NESTED ? hwpt->parent : hwpt;
}

/* The mock's nested data: the IOTLB value all four entries start with. */
static int mock_nested_data(const struct sim_ictx *ictx, const struct sim_user_data *ud,
			    uint32_t *iotlb)
{
	struct iofd_hwpt_selftest cfg;
	size_t size = ictx->sim->topo.kernel >= SIM_KERNEL_MOCK_PT_DATA ? sizeof(cfg) :
									    sizeof(cfg.iotlb);
	int ret;

	if (ud->type != IOFD_HWPT_DATA_SELFTEST)
		return -EOPNOTSUPP;
	ret = sim_user_data_read(ud, IOFD_HWPT_DATA_SELFTEST, &cfg, size, sizeof(cfg.iotlb));
	if (ret)
		return ret;
	*iotlb = cfg.iotlb;
	return 0;
}

int sim_nested_alloc(struct sim_ucmd *ucmd, struct sim_idev *idev, struct sim_hwpt *parent,
		     struct sim_viommu *viommu, struct sim_hwpt **out)
{
	struct iofd_hwpt_alloc *cmd = ucmd->cmd;
	const struct sim_user_data ud = {
		.type = cmd->data_type, .uptr = cmd->data_uptr, .len = cmd->data_len,
	};
	const struct sim_iommu *iommu = idev->dev->iommu;
	uint32_t valid = IOFD_HWPT_FAULT_ID_VALID, iotlb = 0;
	struct sim_hwpt *hwpt;
	int ret, i;

	if (ucmd->ictx->sim->topo.kernel >= SIM_KERNEL_HWPT_PASID)
		valid |= IOFD_HWPT_ALLOC_PASID;
	if (viommu) {
		/* a vIOMMU makes domains for the devices behind its own IOMMU */
		parent = sim_viommu_parent(viommu);
		if (parent->iommu != iommu)
			return -EINVAL;
		if ((cmd->flags & ~valid) || !cmd->data_len)
			return -EOPNOTSUPP;
	} else {
		if ((cmd->flags & ~valid) || !cmd->data_len)
			return -EOPNOTSUPP;
		if (parent->auto_domain || !parent->nest_parent ||
		    parent->iommu->kind != iommu->kind ||
		    strcmp(parent->iommu->driver, iommu->driver))
			return -EINVAL;
	}
	/* Stage-1 formats are the mock's alone here. */
	if (iommu->kind != SIM_DRV_SELFTEST)
		return -EOPNOTSUPP;
	ret = mock_nested_data(ucmd->ictx, &ud, &iotlb);
	if (ret)
		return ret;

	hwpt = calloc(1, sizeof(*hwpt));
	if (!hwpt)
		return -ENOMEM;
	ret = sim_obj_add(ucmd->ictx, &hwpt->obj, SIM_OBJ_HWPT_NESTED);
	if (ret) {
		free(hwpt);
		return ret;
	}
	hwpt->parent = parent;
	hwpt->viommu = viommu;
	/* a vIOMMU's domain holds the vIOMMU, which holds the parent */
	if (viommu)
		sim_viommu_get(viommu);
	else
		parent->obj.users++;
	hwpt->ioas = parent->ioas;
	hwpt->iommu = parent->iommu;
	hwpt->pgsize_bitmap = parent->pgsize_bitmap;
	hwpt->io_page_shift = parent->io_page_shift;
	hwpt->aperture_start = parent->aperture_start;
	hwpt->aperture_last = parent->aperture_last;
	hwpt->pasid_compat = cmd->flags & IOFD_HWPT_ALLOC_PASID;
	for (i = 0; i < IOFD_MOCK_IOTLB_NUM; i++)
		hwpt->iotlb[i] = iotlb;
	*out = hwpt;
	return 0;
}

void sim_nested_destroy(struct sim_hwpt *hwpt)
{
	if (hwpt->viommu)
		sim_viommu_put(hwpt->viommu);
	else
		hwpt->parent->obj.users--;
	sim_obj_remove(&hwpt->obj);
	free(hwpt);
}

/* The mock's cache_invalidate_user(): entries of struct iommu_hwpt_invalidate_selftest. */
static int mock_nested_invalidate(struct sim_hwpt *hwpt, const struct iofd_hwpt_invalidate *cmd,
				  uint32_t *done)
{
	struct iofd_hwpt_invalidate_selftest inv;
	const struct sim_user_data ud = {
		.type = cmd->data_type, .len = cmd->entry_len,
	};
	uint32_t i, k;
	int ret;

	if (cmd->data_type != IOFD_HWPT_INVALIDATE_DATA_SELFTEST)
		return -EINVAL;
	for (i = 0; i < cmd->entry_num; i++) {
		struct sim_user_data entry = ud;

		entry.uptr = cmd->data_uptr + (uint64_t)cmd->entry_len * i;
		ret = sim_user_data_read(&entry, IOFD_HWPT_INVALIDATE_DATA_SELFTEST, &inv,
					 sizeof(inv), sizeof(inv));
		if (ret)
			return ret;
		if (inv.flags & ~IOFD_TEST_INVALIDATE_FLAG_ALL)
			return -EOPNOTSUPP;
		if (inv.iotlb_id >= IOFD_MOCK_IOTLB_NUM)
			return -EINVAL;
		if (inv.flags & IOFD_TEST_INVALIDATE_FLAG_ALL) {
			for (k = 0; k < IOFD_MOCK_IOTLB_NUM; k++)
				hwpt->iotlb[k] = 0;
		} else {
			hwpt->iotlb[inv.iotlb_id] = 0;
		}
		(*done)++;
	}
	return 0;
}

int sim_cmd_hwpt_invalidate(struct sim_ucmd *ucmd)
{
	struct iofd_hwpt_invalidate *cmd = ucmd->cmd;
	struct sim_obj *pt;
	uint32_t done = 0;
	int ret;

	if (cmd->reserved) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	/* Bounded, so that one call cannot keep the kernel busy. */
	if (cmd->entry_num && (!cmd->data_uptr || !cmd->entry_len ||
			       cmd->entry_len > SIM_PAGE_SIZE ||
			       cmd->entry_num > SIM_INVALIDATE_ENTRY_NUM_MAX)) {
		ret = -EINVAL;
		goto out;
	}
	pt = sim_obj_get(ucmd->ictx, cmd->hwpt_id, SIM_OBJ_ANY);
	if (!pt) {
		ret = -ENOENT;
		goto out;
	}
	switch (pt->type) {
	case SIM_OBJ_HWPT_NESTED:
		if (((struct sim_hwpt *)pt)->iommu->kind != SIM_DRV_SELFTEST)
			ret = -EOPNOTSUPP;
		else
			ret = mock_nested_invalidate((struct sim_hwpt *)pt, cmd, &done);
		break;
	case SIM_OBJ_VIOMMU:
		ret = sim_viommu_invalidate((struct sim_viommu *)pt, cmd, &done);
		break;
	default:
		ret = -EINVAL;
		break;
	}
out:
	cmd->entry_num = done;
	sim_ucmd_respond(ucmd, sizeof(*cmd));
	return ret;
}
