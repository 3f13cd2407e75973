// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Nested HWPTs: a stage-1 domain over a nest parent (a paging HWPT made
 * with NEST_PARENT, or a vIOMMU's), and their cache invalidation
 * (HWPT_INVALIDATE). Follows hw_pagetable.c and the drivers' nesting: the
 * selftest mock's (struct iommu_hwpt_selftest: four IOTLB entries set from
 * the user's data, invalidated one by one or all; from a parent or a
 * vIOMMU), Intel VT-d's (nested.c: VTD_S1 data from a nest parent, its
 * invalidation entries checked) and ARM SMMUv3's (arm-smmu-v3-iommufd.c:
 * from a vIOMMU only, holding the guest's STE, invalidated through the
 * vIOMMU). The guest's tables are not walked: DMA through a nested domain
 * lands in its parent as if stage 1 were the identity.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "uapi/iommufd_ext_abi.h"
#include "uapi/selftest_abi.h"

#define SIM_INVALIDATE_ENTRY_NUM_MAX (1u << 19)

/* SMMUv3 STE fields a guest may set for a nested domain (arm-smmu-v3.h). */
#define STE0_V (1ull << 0)
#define STE0_CFG_SHIFT 1
#define STE0_CFG_MASK (7ull << STE0_CFG_SHIFT)
#define STE0_CFG_ABORT 0
#define STE0_CFG_BYPASS 4
#define STE0_CFG_S1_TRANS 5
#define STE0_ALLOWED (STE0_V | STE0_CFG_MASK | (3ull << 4) /* S1FMT */ | \
		      (((1ull << 46) - 1) << 6) /* S1CONTEXTPTR */ | (31ull << 59) /* S1CDMAX */)
#define STE1_EATS_SHIFT 28
#define STE1_EATS_MASK (3ull << STE1_EATS_SHIFT)
#define STE1_EATS_ABT 0
#define STE1_EATS_TRANS 1
#define STE1_ALLOWED (3ull /* S1DSS */ | (3ull << 2) /* S1CIR */ | (3ull << 4) /* S1COR */ | \
		      (3ull << 6) /* S1CSH */ | (1ull << 27) /* S1STALLD */ | STE1_EATS_MASK)

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

/* The SMMUv3 driver's check of a guest STE (arm_smmu_validate_vste): an invalid one is zeroed. */
static int smmu_validate_ste(uint64_t ste[2])
{
	uint64_t cfg, eats;

	if (!(ste[0] & STE0_V)) {
		ste[0] = ste[1] = 0;
		return 0;
	}
	if ((ste[0] & ~STE0_ALLOWED) || (ste[1] & ~STE1_ALLOWED))
		return -EIO;
	cfg = (ste[0] & STE0_CFG_MASK) >> STE0_CFG_SHIFT;
	if (cfg != STE0_CFG_ABORT && cfg != STE0_CFG_BYPASS && cfg != STE0_CFG_S1_TRANS)
		return -EIO;
	eats = (ste[1] & STE1_EATS_MASK) >> STE1_EATS_SHIFT;
	ste[1] &= ~STE1_EATS_MASK;
	if (eats != STE1_EATS_ABT && eats != STE1_EATS_TRANS)
		return -EIO;
	return 0;
}

static unsigned int ste_cfg(const struct sim_hwpt *hwpt)
{
	return (hwpt->ste[0] & STE0_CFG_MASK) >> STE0_CFG_SHIFT;
}

bool sim_hwpt_translates(const struct sim_hwpt *hwpt)
{
	/* an SMMUv3 STE that is not valid, or Cfg abort: the device's DMA is refused */
	if (hwpt->obj.type == SIM_OBJ_HWPT_NESTED && hwpt->iommu->kind == SIM_DRV_ARM_SMMUV3)
		return (hwpt->ste[0] & STE0_V) && ste_cfg(hwpt) != STE0_CFG_ABORT;
	return true;
}

/*
 * The driver's domain_alloc_nested (from a parent) or alloc_domain_nested (from a vIOMMU),
 * given the flags without FAULT_ID_VALID: the domain's stage-1 state from the user's data.
 */
static int driver_alloc_nested(const struct sim_ictx *ictx, const struct sim_iommu *iommu,
			       uint32_t flags, const struct sim_user_data *ud,
			       struct sim_hwpt *hwpt)
{
	struct iofd_hwpt_vtd_s1 vtd;
	uint32_t iotlb = 0;
	int ret, i;

	switch (iommu->kind) {
	case SIM_DRV_SELFTEST:
		if (flags & ~IOFD_HWPT_ALLOC_PASID)
			return -EOPNOTSUPP;
		ret = mock_nested_data(ictx, ud, &iotlb);
		if (ret)
			return ret;
		for (i = 0; i < IOFD_MOCK_IOTLB_NUM; i++)
			hwpt->iotlb[i] = iotlb;
		return 0;
	case SIM_DRV_INTEL_VTD:
		/* the unit must nest (ecap NEST); VTD_S1 data of exactly its size */
		if (!iommu->nesting || (flags & ~IOFD_HWPT_ALLOC_PASID))
			return -EOPNOTSUPP;
		if (ud->type != IOFD_HWPT_DATA_VTD_S1)
			return -EOPNOTSUPP;
		return sim_user_data_read(ud, IOFD_HWPT_DATA_VTD_S1, &vtd, sizeof(vtd), sizeof(vtd));
	case SIM_DRV_ARM_SMMUV3:
		if (flags)
			return -EOPNOTSUPP;
		ret = sim_user_data_read(ud, IOFD_HWPT_DATA_ARM_SMMUV3, hwpt->ste, sizeof(hwpt->ste),
					 sizeof(hwpt->ste));
		if (ret)
			return ret;
		return smmu_validate_ste(hwpt->ste);
	default:
		return -EOPNOTSUPP;
	}
}

/* Does the driver build nested domains straight from a nest parent (no vIOMMU)? */
static bool nests_from_parent(const struct sim_iommu *iommu)
{
	return iommu->kind == SIM_DRV_SELFTEST || iommu->kind == SIM_DRV_INTEL_VTD;
}

int sim_nested_alloc(struct sim_ucmd *ucmd, struct sim_idev *idev, struct sim_hwpt *parent,
		     struct sim_viommu *viommu, struct sim_hwpt **out)
{
	struct iofd_hwpt_alloc *cmd = ucmd->cmd;
	const struct sim_user_data ud = {
		.type = cmd->data_type, .uptr = cmd->data_uptr, .len = cmd->data_len,
	};
	const struct sim_iommu *iommu = idev->dev->iommu;
	uint32_t valid = IOFD_HWPT_FAULT_ID_VALID;
	struct sim_hwpt *hwpt;
	int ret;

	if (ucmd->ictx->sim->topo.kernel >= SIM_KERNEL_HWPT_PASID)
		valid |= IOFD_HWPT_ALLOC_PASID;
	if (viommu) {
		/* a vIOMMU makes domains for the devices behind its own IOMMU instance */
		parent = sim_viommu_parent(viommu);
		if (!sim_iommu_same_instance(sim_viommu_iommu(viommu), iommu))
			return -EINVAL;
		if ((cmd->flags & ~valid) || !cmd->data_len)
			return -EOPNOTSUPP;
	} else {
		/* SMMUv3 makes its nested domains only from a vIOMMU */
		if ((cmd->flags & ~valid) || !cmd->data_len || !nests_from_parent(iommu))
			return -EOPNOTSUPP;
		if (parent->auto_domain || !parent->nest_parent ||
		    parent->iommu->kind != iommu->kind ||
		    strcmp(parent->iommu->driver, iommu->driver))
			return -EINVAL;
	}

	hwpt = calloc(1, sizeof(*hwpt));
	if (!hwpt)
		return -ENOMEM;
	ret = driver_alloc_nested(ucmd->ictx, iommu, cmd->flags & ~IOFD_HWPT_FAULT_ID_VALID, &ud,
				  hwpt);
	if (!ret)
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
	*out = hwpt;
	return 0;
}

/*
 * The driver's attach_dev of a nested domain: the mock finds the device's vDEVICE on the
 * domain's vIOMMU (ENOENT without); SMMUv3 wants the vIOMMU's instance and, for a
 * translating STE, a vDEVICE (abort and bypass attach without: a guest with SMMUEN
 * clear); VT-d checks the nest parent as for any attach of it.
 */
int sim_nested_attach_dev(struct sim_hwpt *hwpt, const struct sim_idev *idev)
{
	const struct sim_iommu *iommu = idev->dev->iommu;
	struct sim_vdevice *vdev = hwpt->viommu ? sim_viommu_vdev_of(hwpt->viommu, idev) : NULL;

	switch (iommu->kind) {
	case SIM_DRV_SELFTEST:
		return hwpt->viommu && !vdev ? -ENOENT : 0;
	case SIM_DRV_ARM_SMMUV3:
		if (!sim_iommu_same_instance(sim_viommu_iommu(hwpt->viommu), iommu))
			return -EINVAL;
		if (!vdev && (hwpt->ste[0] & STE0_V) && ste_cfg(hwpt) == STE0_CFG_S1_TRANS)
			return -ENOENT;
		return 0;
	default:
		return 0;
	}
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

/* VT-d's stage-1 caches (intel_nested_cache_invalidate_user): each entry is checked. */
static int vtd_nested_invalidate(const struct iofd_hwpt_invalidate *cmd, uint32_t *done)
{
	struct iofd_hwpt_vtd_s1_invalidate inv;
	uint32_t i;
	int ret;

	if (cmd->data_type != IOFD_HWPT_INVALIDATE_DATA_VTD_S1)
		return -EINVAL;
	for (i = 0; i < cmd->entry_num; i++) {
		const struct sim_user_data entry = {
			.type = cmd->data_type,
			.uptr = cmd->data_uptr + (uint64_t)cmd->entry_len * i,
			.len = cmd->entry_len,
		};

		ret = sim_user_data_read(&entry, IOFD_HWPT_INVALIDATE_DATA_VTD_S1, &inv, sizeof(inv),
					 sizeof(inv));
		if (ret)
			return ret;
		if ((inv.flags & ~IOFD_VTD_INV_FLAGS_LEAF) || inv.reserved)
			return -EOPNOTSUPP;
		if ((inv.addr & (SIM_PAGE_SIZE - 1)) || (inv.npages == UINT64_MAX && inv.addr))
			return -EINVAL;
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
		switch (((struct sim_hwpt *)pt)->iommu->kind) {
		case SIM_DRV_SELFTEST:
			ret = mock_nested_invalidate((struct sim_hwpt *)pt, cmd, &done);
			break;
		case SIM_DRV_INTEL_VTD:
			ret = vtd_nested_invalidate(cmd, &done);
			break;
		default:
			/* an SMMUv3 nested domain is invalidated through its vIOMMU */
			ret = -EOPNOTSUPP;
			break;
		}
		break;
	case SIM_OBJ_VIOMMU:
		ret = sim_viommu_invalidate((struct sim_viommu *)pt, cmd, &done);
		break;
	default:
		/* 6.12 looks for a nested HWPT alone: anything else is not found */
		ret = ucmd->ictx->sim->topo.kernel < SIM_KERNEL_VIOMMU ? -ENOENT : -EINVAL;
		break;
	}
out:
	cmd->entry_num = done;
	if (sim_ucmd_respond(ucmd, sizeof(*cmd)))
		return -EFAULT;
	return ret;
}
