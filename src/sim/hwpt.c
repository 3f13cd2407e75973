// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Paging domains (HWPT_PAGING): allocation by the IOMMU driver, the
 * driver's rules for which devices a domain takes, attach/replace/detach
 * bookkeeping, hardware info, and dirty tracking. Follows the kernel's
 * hw_pagetable.c and device.c, the Intel VT-d (6.12) and ARM SMMUv3 (6.13,
 * the first with IOMMU_HW_INFO_TYPE_ARM_SMMUV3) drivers, and the selftest
 * mock IOMMU (6.12's iommufd/selftest.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "uapi/iommufd_abi.h"
#include "uapi/iommufd_ext_abi.h"
#include "uapi/selftest_abi.h"

/* Reserved regions each driver reports for its devices (the MSI doorbells). */
#define SIM_VTD_IOAPIC_START 0xfee00000ull
#define SIM_VTD_IOAPIC_LAST 0xfeefffffull
#define SIM_SMMU_MSI_START 0x08000000ull
#define SIM_SMMU_MSI_LAST 0x080fffffull

/*
 * The 7.x mock's paging data (struct iommu_hwpt_selftest): which page table, the default
 * (2 KiB pages, the mock aperture) or the huge one (1 MiB and CPU pages, the whole table).
 */
static int mock_paging_data(const struct sim_user_data *ud, bool *huge)
{
	struct iofd_hwpt_selftest cfg;
	int ret;

	if (ud->type != IOFD_HWPT_DATA_SELFTEST)
		return -EOPNOTSUPP;
	ret = sim_user_data_read(ud, IOFD_HWPT_DATA_SELFTEST, &cfg, sizeof(cfg),
				 offsetof(struct iofd_hwpt_selftest, iotlb) + sizeof(cfg.iotlb));
	if (ret)
		return ret;
	if (cfg.pagetable_type != IOFD_MOCK_IOMMUPT_DEFAULT &&
	    cfg.pagetable_type != IOFD_MOCK_IOMMUPT_HUGE)
		return -EOPNOTSUPP;
	*huge = cfg.pagetable_type == IOFD_MOCK_IOMMUPT_HUGE;
	return 0;
}

/* The driver's domain_alloc_user(): which flag combinations (and data) it builds. */
static int driver_domain_alloc(const struct sim_iommu *iommu, unsigned int kernel, uint32_t flags,
			       const struct sim_user_data *ud, bool *huge)
{
	bool nest = flags & IOFD_HWPT_ALLOC_NEST_PARENT;
	bool dirty = flags & IOFD_HWPT_ALLOC_DIRTY_TRACKING;
	bool user_data = ud != NULL;

	/* A unit without nesting (QEMU's VT-d, ecap NEST clear) has no nest parents. */
	if (nest && !iommu->nesting)
		return -EOPNOTSUPP;
	switch (iommu->kind) {
	case SIM_DRV_INTEL_VTD:
		/* Second-stage tables: nest parent and dirty tracking combine. */
		if (user_data)
			return -EOPNOTSUPP;
		return 0;
	case SIM_DRV_ARM_SMMUV3:
		/* A nest parent is a stage-2 table, and stage 2 tracks no dirty bits. */
		if (user_data || (nest && dirty))
			return -EOPNOTSUPP;
		return 0;
	case SIM_DRV_SELFTEST:
		/* Any paging domain: nest parent, dirty tracking, or both; 7.x takes data too. */
		if (user_data)
			return kernel >= SIM_KERNEL_MOCK_PT_DATA ? mock_paging_data(ud, huge) :
								   -EOPNOTSUPP;
		return 0;
	default:
		if (user_data)
			return -EOPNOTSUPP;
		return 0;
	}
}

/* The driver's attach_dev(): EINVAL means "this domain does not fit the device". */
static int driver_attach_dev(struct sim_hwpt *hwpt, const struct sim_idev *idev)
{
	const struct sim_iommu *iommu = idev->dev->iommu;

	/* The iommu core: a domain attaches only to devices of the driver that made it. */
	if (iommu->kind != hwpt->iommu->kind || strcmp(iommu->driver, hwpt->iommu->driver))
		return -EINVAL;
	/* A nested domain: its driver's rules; VT-d's then check the parent as attached. */
	if (hwpt->obj.type == SIM_OBJ_HWPT_NESTED) {
		int ret = sim_nested_attach_dev(hwpt, idev);

		if (ret || iommu->kind != SIM_DRV_INTEL_VTD)
			return ret;
		hwpt = hwpt->parent;
	}
	switch (iommu->kind) {
	case SIM_DRV_INTEL_VTD:
		if (hwpt->dirty_ops && !sim_dev_dirty_capable(idev->dev))
			return -EINVAL;
		/* Other VT-d units take the domain if what is mapped fits their width. */
		if (hwpt->mapped && hwpt->max_last > sim_bits_last(iommu->iova_bits))
			return -EINVAL;
		hwpt->gaw_bits = iommu->iova_bits;
		return 0;
	case SIM_DRV_ARM_SMMUV3:
		/* An SMMUv3 domain belongs to one SMMU instance. */
		if (hwpt->iommu != iommu)
			return -EINVAL;
		return 0;
	default:
		if (hwpt->dirty_ops && !sim_dev_dirty_capable(idev->dev))
			return -EINVAL;
		return 0;
	}
}

/* The device's reserved regions become reserved IOVA in the IOAS it attaches to. */
static int dev_reserve(struct sim_idev *idev, struct sim_ioas *ioas)
{
	switch (idev->dev->iommu->kind) {
	case SIM_DRV_INTEL_VTD:
		return sim_ioas_reserve(ioas, SIM_VTD_IOAPIC_START, SIM_VTD_IOAPIC_LAST, idev);
	case SIM_DRV_ARM_SMMUV3:
		return sim_ioas_reserve(ioas, SIM_SMMU_MSI_START, SIM_SMMU_MSI_LAST, idev);
	default:
		return 0;
	}
}

bool sim_hwpt_records_dirty(const struct sim_hwpt *hwpt)
{
	/* SMMUv3 hardware always updates dirty state; its "enable" only clears. */
	return hwpt->dirty_ops && (hwpt->tracking || hwpt->iommu->kind == SIM_DRV_ARM_SMMUV3);
}

int sim_hwpt_attach(struct sim_hwpt *hwpt, struct sim_idev *idev)
{
	int ret;

	if (idev->hwpt && idev->hwpt != hwpt)
		return -EINVAL;
	ret = sim_pasid_rid_compat(idev, hwpt);
	if (ret)
		return ret;
	ret = dev_reserve(idev, hwpt->ioas);
	if (ret) {
		sim_ioas_unreserve(hwpt->ioas, idev);
		return ret;
	}
	ret = sim_fault_attach_check(idev, hwpt);
	if (!ret)
		ret = driver_attach_dev(hwpt, idev);
	if (ret) {
		sim_ioas_unreserve(hwpt->ioas, idev);
		return ret;
	}
	hwpt->obj.users++;
	idev->hwpt = hwpt;
	sim_viommu_note_attach(idev, hwpt);
	return 0;
}

/* The caller puts the returned domain (which may free an automatic one). */
struct sim_hwpt *sim_hwpt_detach(struct sim_idev *idev)
{
	struct sim_hwpt *hwpt = idev->hwpt;

	sim_fault_drop(hwpt, idev, 0);
	idev->hwpt = NULL;
	sim_viommu_note_attach(idev, NULL);
	sim_ioas_unreserve(hwpt->ioas, idev);
	return hwpt;
}

int sim_hwpt_replace(struct sim_idev *idev, struct sim_hwpt *hwpt, struct sim_hwpt **old)
{
	struct sim_hwpt *cur = idev->hwpt;
	int ret;

	*old = NULL;
	if (!cur)
		return -EINVAL;
	if (hwpt == cur)
		return 0;
	ret = sim_pasid_rid_compat(idev, hwpt);
	if (ret)
		return ret;
	if (cur->ioas != hwpt->ioas) {
		ret = dev_reserve(idev, hwpt->ioas);
		if (ret) {
			sim_ioas_unreserve(hwpt->ioas, idev);
			return ret;
		}
	}
	ret = sim_fault_attach_check(idev, hwpt);
	if (!ret)
		ret = driver_attach_dev(hwpt, idev);
	if (ret) {
		/*
		 * Linux 6.12 drops the device's reserved ranges from the new
		 * domain's IOAS here, even when that is the IOAS the device stays
		 * attached to; the model does the same.
		 */
		sim_ioas_unreserve(hwpt->ioas, idev);
		return ret;
	}
	if (cur->ioas != hwpt->ioas)
		sim_ioas_unreserve(cur->ioas, idev);
	sim_fault_drop(cur, idev, 0);
	hwpt->obj.users++;
	idev->hwpt = hwpt;
	sim_viommu_note_attach(idev, hwpt);
	*old = cur;
	return 0;
}

void sim_hwpt_destroy(struct sim_hwpt *hwpt)
{
	if (hwpt->fault)
		sim_fault_put(hwpt->fault);
	if (hwpt->obj.type == SIM_OBJ_HWPT_NESTED) {
		sim_nested_destroy(hwpt);
		return;
	}
	sim_ioas_remove_domain(hwpt->ioas, hwpt);
	hwpt->ioas->obj.users--;
	sim_rangeset_free(&hwpt->dirty);
	sim_obj_remove(&hwpt->obj);
	free(hwpt);
}

/* An automatic domain goes away with its last device. */
void sim_hwpt_put(struct sim_hwpt *hwpt)
{
	hwpt->obj.users--;
	if (hwpt->auto_domain && hwpt->obj.users == 1)
		sim_hwpt_destroy(hwpt);
}

int sim_hwpt_paging_alloc(struct sim_ictx *ictx, struct sim_ioas *ioas, struct sim_idev *idev,
			  uint32_t flags, bool immediate_attach, const struct sim_user_data *ud,
			  struct sim_hwpt **out)
{
	const struct sim_iommu *iommu = idev->dev->iommu;
	unsigned int kernel = ictx->sim->topo.kernel;
	uint32_t valid = IOFD_HWPT_ALLOC_NEST_PARENT | IOFD_HWPT_ALLOC_DIRTY_TRACKING;
	struct sim_hwpt *hwpt;
	bool huge = false;
	int ret;

	if (kernel >= SIM_KERNEL_HWPT_PASID)
		valid |= IOFD_HWPT_ALLOC_PASID;
	if (flags & ~valid)
		return -EOPNOTSUPP;
	if ((flags & IOFD_HWPT_ALLOC_DIRTY_TRACKING) && !sim_dev_dirty_capable(idev->dev))
		return -EOPNOTSUPP;
	ret = driver_domain_alloc(iommu, kernel, flags, ud, &huge);
	if (ret)
		return ret;

	hwpt = calloc(1, sizeof(*hwpt));
	if (!hwpt)
		return -ENOMEM;
	ret = sim_obj_add(ictx, &hwpt->obj, SIM_OBJ_HWPT_PAGING);
	if (ret) {
		free(hwpt);
		return ret;
	}
	hwpt->ioas = ioas;
	ioas->obj.users++;
	hwpt->iommu = iommu;
	hwpt->nest_parent = flags & IOFD_HWPT_ALLOC_NEST_PARENT;
	hwpt->dirty_ops = flags & IOFD_HWPT_ALLOC_DIRTY_TRACKING;
	hwpt->aperture_start = iommu->aperture_start;
	hwpt->aperture_last = iommu->aperture_last;
	hwpt->gaw_bits = iommu->iova_bits;
	hwpt->pgsize_bitmap = iommu->pgsize_bitmap;
	hwpt->pasid_compat = flags & IOFD_HWPT_ALLOC_PASID;
	if (huge) {
		/* the generic page table's own geometry; 1 MiB entries, CPU pages where not huge */
		hwpt->mock_huge = true;
		hwpt->pgsize_bitmap = IOFD_MOCK_HUGE_PAGE_SIZE | SIM_PAGE_SIZE;
		hwpt->aperture_start = 0;
		hwpt->aperture_last = sim_bits_last(56);
	}
	hwpt->io_page_shift = __builtin_ctzll(hwpt->pgsize_bitmap);

	if (immediate_attach) {
		ret = sim_hwpt_attach(hwpt, idev);
		if (ret)
			goto out_abort;
	}
	ret = sim_ioas_add_domain(ioas, hwpt);
	if (ret)
		goto out_detach;
	*out = hwpt;
	return 0;

out_detach:
	if (immediate_attach) {
		sim_hwpt_detach(idev);
		hwpt->obj.users--;
	}
out_abort:
	ioas->obj.users--;
	sim_obj_remove(&hwpt->obj);
	free(hwpt);
	return ret;
}

/* ---- commands ------------------------------------------------------------ */

int sim_cmd_hwpt_alloc(struct sim_ucmd *ucmd)
{
	struct iofd_hwpt_alloc *cmd = ucmd->cmd;
	const struct sim_user_data ud = {
		.type = cmd->data_type, .uptr = cmd->data_uptr, .len = cmd->data_len,
	};
	struct sim_hwpt *hwpt;
	struct sim_idev *idev;
	struct sim_fault *fault;
	struct sim_obj *pt;
	uint32_t flags;
	int ret;

	if (cmd->reserved)
		return -EOPNOTSUPP;
	if ((cmd->data_type == IOFD_HWPT_DATA_NONE && cmd->data_len) ||
	    (cmd->data_type != IOFD_HWPT_DATA_NONE && !cmd->data_len))
		return -EINVAL;
	/* An emulated device's id is an access, not a device: ENOENT. */
	idev = (struct sim_idev *)sim_obj_get(ucmd->ictx, cmd->dev_id, SIM_OBJ_DEVICE);
	if (!idev)
		return -ENOENT;
	pt = sim_obj_get(ucmd->ictx, cmd->pt_id, SIM_OBJ_ANY);
	if (!pt)
		return -EINVAL;

	switch (pt->type) {
	case SIM_OBJ_IOAS:
		flags = cmd->flags;
		if (flags & IOFD_HWPT_FAULT_ID_VALID) {
			/* 6.12: a fault queue for nested HWPTs only; 7.3: not with NEST_PARENT. */
			if (ucmd->ictx->sim->topo.kernel < SIM_KERNEL_PAGING_FAULT ||
			    (flags & IOFD_HWPT_ALLOC_NEST_PARENT))
				return -EOPNOTSUPP;
			flags &= ~IOFD_HWPT_FAULT_ID_VALID;
		}
		ret = sim_hwpt_paging_alloc(ucmd->ictx, (struct sim_ioas *)pt, idev, flags,
					    false, cmd->data_len ? &ud : NULL, &hwpt);
		break;
	case SIM_OBJ_HWPT_PAGING:
		/* A nested (stage-1) domain on a nest parent. */
		ret = sim_nested_alloc(ucmd, idev, (struct sim_hwpt *)pt, NULL, &hwpt);
		break;
	case SIM_OBJ_VIOMMU:
		ret = sim_nested_alloc(ucmd, idev, NULL, (struct sim_viommu *)pt, &hwpt);
		break;
	default:
		return -EINVAL;
	}
	if (ret)
		return ret;
	/* The fault queue is looked up once the domain is made. */
	if (cmd->flags & IOFD_HWPT_FAULT_ID_VALID) {
		fault = (struct sim_fault *)sim_obj_get(ucmd->ictx, cmd->fault_id, SIM_OBJ_FAULT);
		if (!fault) {
			sim_hwpt_destroy(hwpt);
			return -ENOENT;
		}
		hwpt->fault = fault;
		sim_fault_get(fault);
	}
	cmd->out_hwpt_id = hwpt->obj.id;
	return sim_ucmd_respond_new(ucmd, sizeof(*cmd), &hwpt->obj, -1);
}

/* VT-d capability registers as the driver reports them (struct iommu_hw_info_vtd). */
struct sim_hw_info_vtd {
	uint32_t flags;
	uint32_t reserved;
	uint64_t cap_reg;
	uint64_t ecap_reg;
};

/* struct iommu_test_hw_info: the mock's one register */
struct sim_hw_info_selftest {
	uint32_t flags;
	uint32_t test_reg;
};

#define SIM_SELFTEST_REGVAL 0xdeadbeefu

/* struct iommu_hw_info_arm_smmuv3 */
struct sim_hw_info_smmuv3 {
	uint32_t flags;
	uint32_t reserved;
	uint32_t idr[6];
	uint32_t iidr;
	uint32_t aidr;
};

static void vtd_regs(const struct sim_iommu *iommu, struct sim_hw_info_vtd *info)
{
	unsigned int bits = iommu->iova_bits > 64 ? 64 : iommu->iova_bits;
	uint64_t sagaw = 1ull << 1; /* 3-level, 39 bits */

	if (bits >= 48)
		sagaw |= 1ull << 2;
	if (bits >= 57)
		sagaw |= 1ull << 3;
	memset(info, 0, sizeof(*info));
	/* IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17: the driver says it of every unit (6.12, 7.3). */
	info->flags = 1;
	info->cap_reg = 6ull /* ND: 64K domains */ | sagaw << 8 | (uint64_t)(bits - 1) << 16;
	if (iommu->pgsize_bitmap & (1ull << 21))
		info->cap_reg |= 1ull << 34;
	if (iommu->pgsize_bitmap & (1ull << 30))
		info->cap_reg |= 1ull << 35;
	/* coherent, snoop control, scalable mode, second-stage tables */
	info->ecap_reg = 1ull << 0 | 1ull << 7 | 1ull << 43 | 1ull << 46;
	if (iommu->nesting)
		info->ecap_reg |= 1ull << 26;
	/* second-stage access/dirty and page-walk coherency: dirty tracking */
	if (iommu->dirty_tracking)
		info->ecap_reg |= 1ull << 45 | 1ull << 48;
}

static void smmuv3_regs(const struct sim_iommu *iommu, struct sim_hw_info_smmuv3 *info)
{
	static const unsigned int oas_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	uint32_t oas = 0;
	unsigned int i;

	memset(info, 0, sizeof(*info));
	for (i = 0; i < sizeof(oas_bits) / sizeof(oas_bits[0]); i++)
		if (iommu->iova_bits >= oas_bits[i])
			oas = i;
	/* IDR0: S2P, COHACC, S1P where it nests; HTTU = access and dirty when it tracks dirty */
	info->idr[0] = 1u << 0 | 1u << 4;
	if (iommu->nesting)
		info->idr[0] |= 1u << 1;
	if (iommu->dirty_tracking)
		info->idr[0] |= 2u << 6;
	/* IDR5: OAS, GRAN4K */
	info->idr[5] = oas | 1u << 4;
}

/* The hw info type of a driver that has hw info. */
static uint32_t hw_info_type(const struct sim_iommu *iommu)
{
	switch (iommu->kind) {
	case SIM_DRV_INTEL_VTD:
		return IOFD_HW_INFO_TYPE_INTEL_VTD;
	case SIM_DRV_ARM_SMMUV3:
		return IOFD_HW_INFO_TYPE_ARM_SMMUV3;
	case SIM_DRV_SELFTEST:
		return IOFD_HW_INFO_TYPE_SELFTEST;
	default:
		return IOFD_HW_INFO_TYPE_NONE;
	}
}

int sim_cmd_get_hw_info(struct sim_ucmd *ucmd)
{
	struct iofd_hw_info *cmd = ucmd->cmd;
	const struct sim_iommu *iommu;
	struct sim_hw_info_selftest mock = { 0, SIM_SELFTEST_REGVAL };
	struct sim_hw_info_smmuv3 smmu;
	struct sim_hw_info_vtd vtd;
	const void *data = NULL;
	uint32_t data_len = 0, copy_len, known_flags = 0, in_type;
	struct sim_idev *idev;

	if (ucmd->ictx->sim->topo.kernel >= SIM_KERNEL_HW_INFO_IN_TYPE)
		known_flags = IOFD_HW_INFO_FLAG_INPUT_TYPE;
	if ((cmd->flags & ~known_flags) || cmd->reserved[0] || cmd->reserved[1] ||
	    cmd->reserved[2])
		return -EOPNOTSUPP;
	/* A type asked for; without the flag, whatever is there means the default (0). */
	in_type = cmd->flags & IOFD_HW_INFO_FLAG_INPUT_TYPE ? cmd->out_data_type : 0;
	idev = (struct sim_idev *)sim_obj_get(ucmd->ictx, cmd->dev_id, SIM_OBJ_DEVICE);
	if (!idev)
		return -ENOENT;
	iommu = idev->dev->iommu;
	/* A driver gives its own type of data or none: another type asked for, EOPNOTSUPP. */
	if (in_type && iommu->kind != SIM_DRV_OTHER && in_type != hw_info_type(iommu))
		return -EOPNOTSUPP;
	switch (iommu->kind) {
	case SIM_DRV_INTEL_VTD:
		vtd_regs(iommu, &vtd);
		data = &vtd;
		data_len = sizeof(vtd);
		cmd->out_data_type = IOFD_HW_INFO_TYPE_INTEL_VTD;
		break;
	case SIM_DRV_ARM_SMMUV3:
		smmuv3_regs(iommu, &smmu);
		data = &smmu;
		data_len = sizeof(smmu);
		cmd->out_data_type = IOFD_HW_INFO_TYPE_ARM_SMMUV3;
		break;
	case SIM_DRV_SELFTEST:
		data = &mock;
		data_len = sizeof(mock);
		cmd->out_data_type = IOFD_HW_INFO_TYPE_SELFTEST;
		break;
	default:
		cmd->out_data_type = IOFD_HW_INFO_TYPE_NONE;
		break;
	}
	copy_len = cmd->data_len < data_len ? cmd->data_len : data_len;
	if (sim_user_write(cmd->data_uptr, data, copy_len))
		return -EFAULT;
	/* The rest of a larger user buffer is zeroed. */
	if (sim_user_clear(cmd->data_uptr + copy_len, cmd->data_len - copy_len))
		return -EFAULT;
	cmd->data_len = data_len;
	cmd->out_capabilities = sim_dev_dirty_capable(idev->dev) ? IOFD_HW_CAP_DIRTY_TRACKING : 0;
	/* 6.12 (Debian's 6.12.117) reports PASIDs as 7.3 does: the width, then the modes. */
	cmd->out_max_pasid_log2 = idev->dev->pasid_bits;
	if (idev->dev->pasid_exec)
		cmd->out_capabilities |= IOFD_HW_CAP_PCI_PASID_EXEC;
	if (idev->dev->pasid_priv)
		cmd->out_capabilities |= IOFD_HW_CAP_PCI_PASID_PRIV;
	return sim_ucmd_respond(ucmd, sizeof(*cmd));
}

int sim_cmd_hwpt_set_dirty_tracking(struct sim_ucmd *ucmd)
{
	struct iofd_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	bool enable = cmd->flags & IOFD_HWPT_DIRTY_TRACKING_ENABLE;
	struct sim_hwpt *hwpt;

	if (cmd->flags & ~IOFD_HWPT_DIRTY_TRACKING_ENABLE)
		return -EOPNOTSUPP;
	hwpt = (struct sim_hwpt *)sim_obj_get(ucmd->ictx, cmd->hwpt_id, SIM_OBJ_HWPT_PAGING);
	if (!hwpt)
		return -ENOENT;
	if (!hwpt->dirty_ops)
		return -EOPNOTSUPP;
	/* Enabling starts from a clean snapshot. */
	if (enable)
		sim_rangeset_clear(&hwpt->dirty);
	hwpt->tracking = enable;
	return 0;
}

/* The caller's bitmap as the kernel writes it: see struct sim_user_bitmap. */
static unsigned char *user_bitmap_byte(struct sim_user_bitmap *ub, uint64_t group)
{
	/* Byte `group` in bit order: within a word, little or big endian. */
	uint64_t in_word = group % 8;
	unsigned char *p;
	uintptr_t page;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	in_word = 7 - in_word;
#endif
	p = (unsigned char *)((uintptr_t)ub->base + (uintptr_t)(group - group % 8 + in_word));
	page = (uintptr_t)p & ~(uintptr_t)(SIM_PAGE_SIZE - 1);
	if (page != ub->page) {
		ub->page = page;
		ub->page_ok = !sim_user_range_writable(page, SIM_PAGE_SIZE);
	}
	return ub->page_ok ? p : NULL;
}

void sim_user_bitmap_set(struct sim_user_bitmap *ub, uint64_t b0, uint64_t b1)
{
	uint64_t g;

	if (!ub->base)
		return;
	for (g = b0 / 8; g <= b1 / 8; g++) {
		unsigned int lo = g == b0 / 8 ? b0 % 8 : 0;
		unsigned int hi = g == b1 / 8 ? b1 % 8 : 7;
		unsigned char *p = user_bitmap_byte(ub, g);

		if (p)
			*p |= (unsigned char)(((1u << (hi - lo + 1)) - 1) << lo);
		if (g == UINT64_MAX / 8)
			break;
	}
}

/* Report (and unless NO_CLEAR clear) the dirty pages of [start, last], one area's part. */
static int read_and_clear(struct sim_hwpt *hwpt, const struct iofd_hwpt_get_dirty_bitmap *cmd,
			  struct sim_user_bitmap *ub, unsigned int shift, uint64_t start, uint64_t last)
{
	const unsigned int io = hwpt->io_page_shift;
	uint64_t pa = start >> io, pb = last >> io;
	size_t i;

	if (!(cmd->flags & IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) &&
	    sim_rangeset_reserve(&hwpt->dirty, 1))
		return -ENOMEM;
	for (i = sim_rangeset_lower(&hwpt->dirty, pa);
	     i < hwpt->dirty.n && hwpt->dirty.r[i].first <= pb; i++) {
		uint64_t x = hwpt->dirty.r[i].first < pa ? pa : hwpt->dirty.r[i].first;
		uint64_t y = hwpt->dirty.r[i].last > pb ? pb : hwpt->dirty.r[i].last;

		/* Each dirty IOMMU page sets the bits of the page_size pages it covers. */
		sim_user_bitmap_set(ub, ((x << io) - cmd->iova) >> shift,
				((y << io) + (1ull << io) - 1 - cmd->iova) >> shift);
	}
	if (!(cmd->flags & IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR))
		sim_rangeset_remove(&hwpt->dirty, pa, pb);
	return 0;
}

int sim_cmd_hwpt_get_dirty_bitmap(struct sim_ucmd *ucmd)
{
	struct iofd_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	struct sim_user_bitmap ub = { (unsigned char *)(uintptr_t)cmd->data, 0, false };
	const struct sim_ioas *ioas;
	struct sim_hwpt *hwpt;
	uint64_t last, pgsize, cur;
	unsigned int shift;
	long i;
	int ret;

	if ((cmd->flags & ~IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) || cmd->reserved)
		return -EOPNOTSUPP;
	hwpt = (struct sim_hwpt *)sim_obj_get(ucmd->ictx, cmd->hwpt_id, SIM_OBJ_HWPT_PAGING);
	if (!hwpt)
		return -ENOENT;
	ioas = hwpt->ioas;

	/* iommufd_check_iova_range() */
	pgsize = sim_ioas_alignment(ioas);
	if (!cmd->length)
		return -EINVAL;
	if (__builtin_add_overflow(cmd->iova, cmd->length - 1, &last))
		return -EOVERFLOW;
	if ((cmd->iova & (pgsize - 1)) || ((last + 1) & (pgsize - 1)))
		return -EINVAL;
	if (!cmd->page_size)
		return -EINVAL;
	if ((cmd->iova & (cmd->page_size - 1)) || ((last + 1) & (cmd->page_size - 1)))
		return -EINVAL;

	if (!hwpt->dirty_ops)
		return -EOPNOTSUPP;
	/* VT-d refuses to read a domain that is not tracking; 6.12 returns 0 anyway. */
	if (!sim_hwpt_records_dirty(hwpt))
		return 0;
	/* A page size that is no power of two counts pages of its lowest set bit. */
	shift = __builtin_ctzll(cmd->page_size);
	/*
	 * The kernel reads the run of contiguous areas that starts at iova and
	 * stops at the first hole, still returning 0: pages after a hole (or
	 * everything, when iova itself is not mapped) are neither reported nor
	 * cleared.
	 */
	i = sim_ioas_area_at(ioas, cmd->iova);
	cur = cmd->iova;
	while (i >= 0) {
		const struct sim_area *a = &ioas->areas[i];
		uint64_t piece_last = a->last < last ? a->last : last;

		ret = sim_kernel_dirty_per_entry(hwpt) ?
			      sim_kernel_read_and_clear(hwpt, cmd, &ub, a, cur, piece_last) :
			      read_and_clear(hwpt, cmd, &ub, shift, cur, piece_last);
		if (ret)
			return ret;
		if (a->last >= last)
			break;
		cur = a->last + 1;
		if ((size_t)++i == ioas->nareas || ioas->areas[i].iova != cur)
			break;
	}
	return 0;
}
