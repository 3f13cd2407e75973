// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A vIOMMU's cache invalidation (HWPT_INVALIDATE on a vIOMMU id): the selftest mock's device
 * caches by virtual id, SMMUv3's command queue entries of the opcodes and fields a guest
 * may use, vSIDs by virtual id.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/viommu.h"
#include "uapi/iommufd_ext_abi.h"

/* The mock's cache_invalidate(): entries of struct iommu_viommu_invalidate_selftest. */
static int mock_viommu_invalidate(struct sim_viommu *viommu,
				  const struct iofd_hwpt_invalidate *cmd, uint32_t *done)
{
	struct iofd_viommu_invalidate_selftest *cmds, *c;
	struct sim_vdevice *vdev;
	uint32_t i, k;
	int ret = 0;

	/* an empty array checks the type */
	if (!cmd->entry_num && cmd->data_type == IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST)
		return 0;
	if (cmd->data_type != IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST || !cmd->entry_num)
		return -EINVAL;
	cmds = calloc(cmd->entry_num, sizeof(*cmds));
	if (!cmds)
		return -ENOMEM;
	for (i = 0; i < cmd->entry_num; i++) {
		uint64_t at = cmd->data_uptr + (uint64_t)cmd->entry_len * i;

		ret = sim_user_struct_read(&cmds[i], sizeof(*cmds), at, cmd->entry_len);
		if (ret)
			goto out;
	}
	for (i = 0; i < cmd->entry_num; i++) {
		c = &cmds[i];
		if (c->flags & ~IOFD_TEST_INVALIDATE_FLAG_ALL) {
			ret = -EOPNOTSUPP;
			goto out;
		}
		if (c->cache_id >= IOFD_MOCK_DEV_CACHE_NUM) {
			ret = -EINVAL;
			goto out;
		}
		vdev = sim_viommu_vdev_by_virt_id(viommu, c->vdev_id);
		if (!vdev) {
			ret = -EINVAL;
			goto out;
		}
		if (c->flags & IOFD_TEST_INVALIDATE_FLAG_ALL) {
			for (k = 0; k < IOFD_MOCK_DEV_CACHE_NUM; k++)
				vdev->idev->dev->cache[k] = 0;
		} else {
			vdev->idev->dev->cache[c->cache_id] = 0;
		}
		(*done)++;
	}
out:
	free(cmds);
	return ret;
}

/*
 * SMMUv3 command queue entries a vIOMMU forwards (arm_vsmmu_validate_user_cmd): the fields
 * each opcode may set, of an SMMU with 16-bit ASIDs, substreams and ATS but no range
 * invalidation; a vSID (the StreamID field) must be a vDEVICE's virtual id.
 */
#define SMMU_OP(c) ((c) & 0xffull)
#define SMMU_SSV (1ull << 11)
#define SMMU_SSID (0xfffffull << 12)
#define SMMU_SID (0xffffffffull << 32)
#define SMMU_VMID (0xffffull << 32)
#define SMMU_ASID (0xffffull << 48)
#define SMMU_ATC_GLOBAL (1ull << 9)
#define SMMU_TLBI_LEAF (1ull << 0)
#define SMMU_VA_MASK (~0ull << 12)
#define SMMU_ATC_SIZE 0x3full
#define SMMU_ATC_SIZE_ALL 52

static int smmu_check_cmd(struct sim_viommu *viommu, const uint64_t c[2])
{
	uint64_t allowed0 = 0xff, allowed1 = 0;

	switch (SMMU_OP(c[0])) {
	case 0x30: /* TLBI_NSNH_ALL */
		break;
	case 0x12: /* TLBI_NH_VA */
		allowed0 |= SMMU_ASID;
		/* fallthrough */
	case 0x13: /* TLBI_NH_VAA */
		allowed0 |= SMMU_VMID;
		allowed1 |= SMMU_TLBI_LEAF | SMMU_VA_MASK;
		break;
	case 0x11: /* TLBI_NH_ASID */
		allowed0 |= SMMU_ASID;
		/* fallthrough */
	case 0x10: /* TLBI_NH_ALL */
		allowed0 |= SMMU_VMID;
		break;
	case 0x40: /* ATC_INV */
		if ((c[1] & SMMU_ATC_SIZE) > SMMU_ATC_SIZE_ALL)
			return -EIO;
		allowed0 |= SMMU_SSV | SMMU_SSID | SMMU_ATC_GLOBAL | SMMU_SID;
		allowed1 |= SMMU_ATC_SIZE | SMMU_VA_MASK;
		break;
	case 0x5: /* CFGI_CD */
		allowed0 |= SMMU_SSID;
		allowed1 |= 1; /* LEAF */
		/* fallthrough */
	case 0x6: /* CFGI_CD_ALL */
		allowed0 |= SMMU_SID;
		break;
	default:
		return -EIO;
	}
	if ((c[0] & ~allowed0) || (c[1] & ~allowed1))
		return -EIO;
	switch (SMMU_OP(c[0])) {
	case 0x40:
	case 0x5:
	case 0x6:
		if (!sim_viommu_vdev_by_virt_id(viommu, c[0] >> 32))
			return -EIO;
		break;
	default:
		break;
	}
	return 0;
}

/* An SMMUv3 vIOMMU: the whole array is read first, then each entry checked in turn. */
static int smmu_viommu_invalidate(struct sim_viommu *viommu,
				  const struct iofd_hwpt_invalidate *cmd, uint32_t *done)
{
	struct iofd_viommu_arm_smmuv3_invalidate *cmds;
	uint32_t i;
	int ret = 0;

	/* iommu_copy_struct_from_full_user_array(): the type, then every entry */
	if (cmd->data_type != IOFD_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 || !cmd->entry_num)
		return -EINVAL;
	cmds = calloc(cmd->entry_num, sizeof(*cmds));
	if (!cmds)
		return -ENOMEM;
	for (i = 0; i < cmd->entry_num; i++) {
		ret = sim_user_struct_read(&cmds[i], sizeof(*cmds),
				       cmd->data_uptr + (uint64_t)cmd->entry_len * i, cmd->entry_len);
		if (ret)
			goto out;
	}
	for (i = 0; i < cmd->entry_num; i++) {
		ret = smmu_check_cmd(viommu, cmds[i].cmd);
		if (ret)
			break;
		(*done)++;
	}
out:
	free(cmds);
	return ret;
}

int sim_viommu_invalidate(struct sim_viommu *viommu, const struct iofd_hwpt_invalidate *cmd,
			  uint32_t *done)
{
	if (viommu->iommu->kind == SIM_DRV_ARM_SMMUV3)
		return smmu_viommu_invalidate(viommu, cmd, done);
	return mock_viommu_invalidate(viommu, cmd, done);
}
