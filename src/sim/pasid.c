// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The domains a device's PASIDs are attached to (Linux 6.14 on), beside the
 * one its RID (requests without a PASID) is attached to. The rules are the
 * kernel's (iommufd/device.c, iommu.c): a PASID takes only a domain made
 * with HWPT_ALLOC_PASID, and only while the RID's domain is one too (the RID
 * in turn keeps to such domains while PASIDs are attached); a PASID takes
 * one domain (EBUSY), and must fit the device's PASID width. The selftest
 * mock fails every other change of PASID 1024, to test the core's rollback.
 * Drivers: the mock and VT-d take PASIDs on paging and nested domains (VT-d
 * even of a device without a PASID capability: QEMU's edu on 7.3), SMMUv3
 * wants a device with PASIDs and a domain of its own instance, and its nested
 * domains take none. A PASID leaving a domain with a fault queue has its
 * pending faults answered (eventq.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "uapi/selftest_abi.h"

static long find(const struct sim_idev *idev, uint32_t pasid)
{
	size_t i;

	for (i = 0; i < idev->npasids; i++)
		if (idev->pasids[i].pasid == pasid)
			return (long)i;
	return -1;
}

struct sim_hwpt *sim_pasid_hwpt(const struct sim_idev *idev, uint32_t pasid)
{
	long i = find(idev, pasid);

	return i < 0 ? NULL : idev->pasids[i].hwpt;
}

int sim_pasid_rid_compat(const struct sim_idev *idev, const struct sim_hwpt *hwpt)
{
	return idev->npasids && !hwpt->pasid_compat ? -EINVAL : 0;
}

/* iommu_attach_device_pasid() and the driver's checks of a domain for one PASID. */
static int driver_pasid_check(const struct sim_idev *idev, const struct sim_hwpt *hwpt,
			      uint32_t pasid)
{
	const struct sim_iommu *iommu = idev->dev->iommu, *owner = hwpt->iommu;
	bool nested = hwpt->obj.type == SIM_OBJ_HWPT_NESTED;

	/* domains without set_dev_pasid: other drivers', an SMMUv3 nested one */
	if (iommu->kind == SIM_DRV_OTHER || (owner->kind == SIM_DRV_ARM_SMMUV3 && nested))
		return -EOPNOTSUPP;
	/* the iommu core: the domain's driver, and a PASID the device has */
	if (owner->kind != iommu->kind || strcmp(owner->driver, iommu->driver))
		return -EINVAL;
	/* an SMMUv3 domain serves the instance it was made for */
	if (iommu->kind == SIM_DRV_ARM_SMMUV3 && owner != iommu)
		return -EINVAL;
	/* a device without PASIDs is not checked against a width */
	if (idev->dev->pasid_bits && idev->dev->pasid_bits < 32 &&
	    pasid >= (1u << idev->dev->pasid_bits))
		return -EINVAL;
	/* SMMUv3 needs the device's PASIDs; for VT-d the unit's support (QEMU's has it) decides */
	if (iommu->kind == SIM_DRV_ARM_SMMUV3)
		return idev->dev->pasid_bits ? 0 : -EOPNOTSUPP;
	return 0;
}

/* The driver's set_dev_pasid(): blocked (hwpt NULL) or a domain. */
static int driver_set_pasid(struct sim_idev *idev, uint32_t pasid, const struct sim_hwpt *hwpt)
{
	struct sim_device *dev = idev->dev;

	if (!dev->mock || pasid != IOFD_TEST_PASID_RESERVED)
		return 0;
	if (!hwpt) {
		dev->pasid_1024_armed = false;
	} else if (dev->pasid_1024_armed) {
		dev->pasid_1024_armed = false;
		return -ENOMEM;
	} else {
		dev->pasid_1024_armed = true;
	}
	return 0;
}

int sim_pasid_attach(struct sim_idev *idev, uint32_t pasid, uint32_t *pt_id, bool replace)
{
	struct sim_hwpt *hwpt, *old = NULL;
	struct sim_obj *pt;
	long i;
	int ret;

	pt = sim_obj_get(idev->obj.ictx, *pt_id, SIM_OBJ_ANY);
	if (!pt)
		return -ENOENT;
	/* An IOAS would get an automatic domain, and those never take PASIDs. */
	if (pt->type != SIM_OBJ_HWPT_PAGING && pt->type != SIM_OBJ_HWPT_NESTED)
		return -EINVAL;
	hwpt = (struct sim_hwpt *)pt;
	i = find(idev, pasid);
	if (replace) {
		if (i < 0)
			return -EINVAL;
		old = idev->pasids[i].hwpt;
		if (old == hwpt)
			return 0;
	} else if (i >= 0) {
		return -EBUSY;
	}
	if (!hwpt->pasid_compat || (idev->hwpt && !idev->hwpt->pasid_compat))
		return -EINVAL;
	ret = sim_fault_attach_check(idev, hwpt);
	if (!ret)
		ret = driver_pasid_check(idev, hwpt, pasid);
	if (ret)
		return ret;
	if (!replace && idev->npasids == idev->pasids_cap) {
		size_t cap = idev->pasids_cap ? idev->pasids_cap * 2 : 4;
		struct sim_pasid_att *p = realloc(idev->pasids, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		idev->pasids = p;
		idev->pasids_cap = cap;
	}
	ret = driver_set_pasid(idev, pasid, hwpt);
	if (ret)
		return ret;
	hwpt->obj.users++;
	if (replace) {
		idev->pasids[i].hwpt = hwpt;
		sim_fault_drop(old, idev, pasid);
		sim_hwpt_put(old);
	} else {
		idev->pasids[idev->npasids].pasid = pasid;
		idev->pasids[idev->npasids].hwpt = hwpt;
		idev->npasids++;
		/* an attached device cannot be destroyed */
		idev->obj.users++;
	}
	*pt_id = hwpt->obj.id;
	return 0;
}

void sim_pasid_detach(struct sim_idev *idev, uint32_t pasid)
{
	long i = find(idev, pasid);
	struct sim_hwpt *hwpt;

	if (i < 0)
		return;
	hwpt = idev->pasids[i].hwpt;
	driver_set_pasid(idev, pasid, NULL);
	sim_fault_drop(hwpt, idev, pasid);
	idev->pasids[i] = idev->pasids[--idev->npasids];
	idev->obj.users--;
	sim_hwpt_put(hwpt);
}

void sim_pasid_detach_all(struct sim_idev *idev)
{
	while (idev->npasids)
		sim_pasid_detach(idev, idev->pasids[idev->npasids - 1].pasid);
}
