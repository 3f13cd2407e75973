// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * PASID attachments (7.3): VFIO_DEVICE_ATTACH_IOMMUFD_PT and _DETACH with
 * the PASID flag attach, replace and detach one PASID of a device to a
 * domain made with IOMMU_HWPT_ALLOC_PASID (vfio/iommufd.c, iommufd/device.c:
 * iommufd_hwpt_pasid_compat(), iommu.c: iommu_attach_device_pasid()). A
 * PASID takes no reserved regions; an IOAS is refused (its automatic domains
 * are made without the PASID flag). Drivers: the mock and VT-d take any PASID
 * on paging and nested domains (a device without a PASID capability is not
 * checked against a width: QEMU's edu on 7.3); SMMUv3 needs a device with
 * PASIDs, a domain of its own instance, and a nested domain takes none.
 */
#include <errno.h>
#include <stdlib.h>

#include "sim/sim_internal.h"

static struct sim_pasid_att *find_att(const struct sim_idev *idev, uint32_t pasid)
{
	size_t i;

	for (i = 0; i < idev->npasids; i++)
		if (idev->pasids[i].pasid == pasid)
			return &idev->pasids[i];
	return NULL;
}

int sim_pasid_compat_rid(const struct sim_idev *idev, bool pasid_compat)
{
	/* a domain for the device itself must take PASIDs beside it once some are attached */
	return !pasid_compat && idev->npasids ? -EINVAL : 0;
}

void sim_pasid_domain(const struct sim_idev *idev, uint32_t pasid, struct sim_hwpt **hwpt,
		      struct sim_nested **nested)
{
	const struct sim_pasid_att *att;

	*hwpt = NULL;
	*nested = NULL;
	if (!pasid) {
		*nested = idev->nested;
		*hwpt = idev->nested ? NULL : idev->hwpt;
		return;
	}
	att = find_att(idev, pasid);
	if (att) {
		*hwpt = att->hwpt;
		*nested = att->nested;
	}
}

/* iommu_attach_device_pasid() and the driver's set_dev_pasid for a domain of this device. */
static int driver_set_pasid(const struct sim_idev *idev, const struct sim_iommu *owner,
			    bool nested, uint32_t pasid)
{
	const struct sim_iommu *iommu = idev->dev->iommu;

	/* domains without set_dev_pasid: other drivers', an SMMUv3 nested one */
	if (iommu->kind == SIM_DRV_OTHER || (owner->kind == SIM_DRV_ARM_SMMUV3 && nested))
		return -EOPNOTSUPP;
	if (owner->kind != iommu->kind || !pasid)
		return -EINVAL;
	/* an SMMUv3 domain serves the instance it was made for */
	if (iommu->kind == SIM_DRV_ARM_SMMUV3 && owner != iommu)
		return -EINVAL;
	/* a device without PASIDs is not checked against a width */
	if (idev->dev->pasid_bits && pasid >= (1u << idev->dev->pasid_bits))
		return -EINVAL;
	/* VT-d: the unit's PASID support (QEMU's has it), not the device's, decides */
	if (iommu->kind == SIM_DRV_SELFTEST || iommu->kind == SIM_DRV_INTEL_VTD)
		return 0;
	return idev->dev->pasid_bits ? 0 : -EOPNOTSUPP;
}

static void put_att(struct sim_idev *idev, struct sim_pasid_att *att)
{
	struct sim_fault *f = att->nested ? att->nested->fault : att->hwpt->fault;

	if (f)
		sim_fault_drop(f, idev, att->pasid);
	if (att->nested)
		att->nested->obj.users--;
	else
		sim_hwpt_put(att->hwpt);
}

int sim_pasid_attach(struct sim_idev *idev, uint32_t pasid, uint32_t *pt_id)
{
	struct sim_pasid_att *att = find_att(idev, pasid);
	struct sim_nested *nested = NULL;
	struct sim_hwpt *hwpt = NULL;
	const struct sim_iommu *owner;
	bool compat;
	struct sim_obj *pt;
	int ret;

	pt = sim_obj_get(idev->obj.ictx, *pt_id, SIM_OBJ_ANY);
	if (!pt)
		return -ENOENT;
	switch (pt->type) {
	case SIM_OBJ_HWPT_PAGING:
		hwpt = (struct sim_hwpt *)pt;
		owner = hwpt->iommu;
		compat = hwpt->pasid_compat;
		break;
	case SIM_OBJ_HWPT_NESTED:
		nested = (struct sim_nested *)pt;
		owner = nested->iommu;
		compat = nested->pasid_compat;
		break;
	default:
		/* an IOAS: its automatic domains take no PASID */
		return -EINVAL;
	}
	if (att && att->hwpt == hwpt && att->nested == nested)
		return 0;
	/* iommufd_hwpt_pasid_compat(): both this domain and the device's own */
	if (!compat)
		return -EINVAL;
	if (idev->hwpt && !(idev->nested ? idev->nested->pasid_compat : idev->hwpt->pasid_compat))
		return -EINVAL;
	ret = sim_fault_attach_check(idev, nested ? nested->fault : hwpt->fault);
	if (!ret)
		ret = driver_set_pasid(idev, owner, nested != NULL, pasid);
	if (ret)
		return ret;
	if (!att) {
		if (idev->npasids == idev->pasids_cap) {
			size_t cap = idev->pasids_cap ? idev->pasids_cap * 2 : 4;
			struct sim_pasid_att *n = realloc(idev->pasids, cap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			idev->pasids = n;
			idev->pasids_cap = cap;
		}
		att = &idev->pasids[idev->npasids++];
		att->pasid = pasid;
	} else {
		put_att(idev, att);
	}
	att->hwpt = hwpt;
	att->nested = nested;
	if (nested)
		nested->obj.users++;
	else
		hwpt->obj.users++;
	return 0;
}

void sim_pasid_detach(struct sim_idev *idev, uint32_t pasid)
{
	struct sim_pasid_att *att = find_att(idev, pasid);

	if (!att)
		return;
	put_att(idev, att);
	*att = idev->pasids[--idev->npasids];
}
