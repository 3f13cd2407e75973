// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vDEVICEs (Linux 6.13 on): a device as a vIOMMU's guest sees it, by its virtual id (the
 * vSID of an SMMUv3, the mock's device id). One per device; it goes with its device, its
 * id staying taken. Follows the kernel's viommu.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/viommu.h"
#include "uapi/iommufd_ext_abi.h"

struct sim_vdevice *sim_viommu_vdev_of(struct sim_viommu *viommu, const struct sim_idev *idev)
{
	size_t i;

	for (i = 0; i < viommu->nvdevs; i++)
		if (viommu->vdevs[i]->idev == idev)
			return viommu->vdevs[i];
	return NULL;
}

struct sim_vdevice *sim_viommu_vdev_by_virt_id(struct sim_viommu *viommu, uint64_t virt_id)
{
	size_t i;

	for (i = 0; i < viommu->nvdevs; i++)
		if (viommu->vdevs[i]->virt_id == virt_id)
			return viommu->vdevs[i];
	return NULL;
}

int sim_cmd_vdevice_alloc(struct sim_ucmd *ucmd)
{
	struct iofd_vdevice_alloc *cmd = ucmd->cmd;
	struct sim_viommu *viommu;
	struct sim_vdevice *vdev;
	struct sim_idev *idev;
	int ret;

	viommu = (struct sim_viommu *)sim_obj_get(ucmd->ictx, cmd->viommu_id, SIM_OBJ_VIOMMU);
	if (!viommu)
		return -ENOENT;
	idev = (struct sim_idev *)sim_obj_get(ucmd->ictx, cmd->dev_id, SIM_OBJ_DEVICE);
	if (!idev)
		return -ENOENT;
	if (!sim_iommu_same_instance(idev->dev->iommu, viommu->iommu))
		return -EINVAL;
	if (idev->vdev || sim_viommu_vdev_by_virt_id(viommu, cmd->virt_id))
		return -EEXIST;
	if (viommu->nvdevs == viommu->vdevs_cap) {
		size_t cap = viommu->vdevs_cap ? viommu->vdevs_cap * 2 : 4;
		struct sim_vdevice **v = realloc(viommu->vdevs, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		viommu->vdevs = v;
		viommu->vdevs_cap = cap;
	}
	vdev = calloc(1, sizeof(*vdev));
	if (!vdev)
		return -ENOMEM;
	ret = sim_obj_add(ucmd->ictx, &vdev->obj, SIM_OBJ_VDEVICE);
	if (ret) {
		free(vdev);
		return ret;
	}
	vdev->viommu = viommu;
	vdev->idev = idev;
	vdev->virt_id = cmd->virt_id;
	viommu->vdevs[viommu->nvdevs++] = vdev;
	viommu->obj.users++;
	idev->vdev = vdev;
	cmd->out_vdevice_id = vdev->obj.id;
	return sim_ucmd_respond_new(ucmd, sizeof(*cmd), &vdev->obj, -1);
}

static void vdevice_unlink(struct sim_vdevice *vdev)
{
	struct sim_viommu *viommu = vdev->viommu;
	size_t i;

	for (i = 0; i < viommu->nvdevs; i++) {
		if (viommu->vdevs[i] == vdev) {
			viommu->vdevs[i] = viommu->vdevs[--viommu->nvdevs];
			break;
		}
	}
	viommu->obj.users--;
	vdev->idev->vdev = NULL;
}

void sim_vdevice_destroy(struct sim_vdevice *vdev)
{
	vdevice_unlink(vdev);
	sim_obj_remove(&vdev->obj);
	free(vdev);
}

/*
 * The drivers keep a device's vIOMMU and virtual id from its attach, for its events: the
 * mock (mock_domain_nop_attach()) only when the vIOMMU changes, SMMUv3 (its vmaster) at
 * every attach of a nested domain, where the device has a vDEVICE.
 */
void sim_viommu_note_attach(struct sim_idev *idev, struct sim_hwpt *hwpt)
{
	struct sim_viommu *viommu = NULL;
	struct sim_vdevice *vdev;

	if (hwpt && hwpt->obj.type == SIM_OBJ_HWPT_NESTED)
		viommu = hwpt->viommu;
	vdev = viommu ? sim_viommu_vdev_of(viommu, idev) : NULL;
	if (idev->dev->iommu->kind == SIM_DRV_SELFTEST && viommu == idev->ev_viommu)
		return;
	idev->ev_viommu = vdev ? viommu : NULL;
	idev->ev_virt_id = vdev ? vdev->virt_id : 0;
}

/* Its device goes first: the vDEVICE goes too, and its id stays taken (a tombstone). */
void sim_vdevice_tombstone(struct sim_vdevice *vdev)
{
	vdevice_unlink(vdev);
	sim_obj_tombstone(&vdev->obj);
	free(vdev);
}
