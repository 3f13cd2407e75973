// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulated hardware's side of nesting, for programs that test against
 * the simulator (libiommufd-sim's calls, in the style of
 * iommufd_sim_dma_write()): a device's page request, an event its IOMMU
 * reports to a vIOMMU, and the selftest mock's caches as its test ops read
 * them. What reaches which queue is the kernel's (eventq.c, the drivers'
 * event paths); see iommufd.h for each call's answers.
 */
#include <errno.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "uapi/iommufd_ext_abi.h"
#include "uapi/selftest_abi.h"

/* SMMUv3 event record: the event id in bits 7:0, the StreamID in bits 63:32 of its first word. */
#define SMMU_EVT_F_TRANSLATION 0x10ull
#define SMMU_EVT_SID_SHIFT 32

/* The bound physical device of a topology name: -ENODEV (none such), -EINVAL (not bound). */
static int bound_idev(struct iommufd_sim *sim, const char *device, struct sim_idev **out)
{
	struct sim_device *dev = sim_topology_find(&sim->topo, device);

	if (!dev)
		return -ENODEV;
	if (dev->emulated || !dev->open_df || !dev->open_df->idev)
		return -EINVAL;
	*out = dev->open_df->idev;
	return 0;
}

int iommufd_sim_trigger_iopf(struct iommufd_sim *sim, const char *device, uint32_t pasid,
			     uint32_t grpid, uint32_t perm, uint64_t addr)
{
	uint32_t flags = IOFD_PGFAULT_FLAGS_LAST_PAGE;
	struct sim_idev *idev;
	int ret;

	if (!sim || !device)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	ret = bound_idev(sim, device, &idev);
	if (!ret) {
		if (pasid)
			flags |= IOFD_PGFAULT_FLAGS_PASID_VALID;
		/* a domain without a fault queue answers the request itself: nothing is queued */
		sim_fault_report(idev, pasid, flags, grpid, perm, addr);
	}
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

/* arm_vmaster_report_event(): the record with the vSID as its StreamID, to the vIOMMU's queue. */
static int smmu_report(struct sim_idev *idev, const void *data, size_t len)
{
	struct iofd_vevent_arm_smmuv3 ev = { { SMMU_EVT_F_TRANSLATION } };

	if ((data && len != sizeof(ev)) || (!data && len))
		return -EINVAL;
	/* no vmaster (abort or bypass attached without a vDEVICE): the host takes the event */
	if (!idev->ev_viommu)
		return -ENOENT;
	if (data)
		memcpy(&ev, data, sizeof(ev));
	ev.evt[0] = (ev.evt[0] & 0xffffffffull) |
		    (uint64_t)(uint32_t)idev->ev_virt_id << SMMU_EVT_SID_SHIFT;
	return sim_viommu_report(idev->ev_viommu, IOFD_VEVENTQ_TYPE_ARM_SMMUV3, &ev, sizeof(ev));
}

int iommufd_sim_trigger_vevent(struct iommufd_sim *sim, const char *device, const void *data,
			       size_t len)
{
	struct sim_idev *idev;
	int ret;

	if (!sim || !device)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	ret = bound_idev(sim, device, &idev);
	if (ret)
		goto out;
	switch (idev->dev->iommu->kind) {
	case SIM_DRV_SELFTEST:
		/* 6.12's mock has neither vEVENTQs nor TRIGGER_VEVENT */
		if (sim->topo.kernel < SIM_KERNEL_VEVENTQ)
			ret = -EOPNOTSUPP;
		else if (data || len)
			ret = -EINVAL;
		else
			ret = sim_mock_trigger_vevent(idev);
		break;
	case SIM_DRV_ARM_SMMUV3:
		ret = smmu_report(idev, data, len);
		break;
	default:
		/* no vIOMMU driver: the host handles the device's events */
		ret = -EOPNOTSUPP;
		break;
	}
out:
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

int iommufd_sim_nested_iotlb(struct iommufd_sim *sim, const char *device, unsigned idx,
			     uint32_t *value)
{
	struct sim_idev *idev;
	int ret;

	if (!sim || !device || !value || idx >= IOFD_MOCK_IOTLB_NUM)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	ret = bound_idev(sim, device, &idev);
	if (!ret && (!idev->hwpt || idev->hwpt->obj.type != SIM_OBJ_HWPT_NESTED ||
		     idev->hwpt->iommu->kind != SIM_DRV_SELFTEST))
		ret = -ENOENT;
	if (!ret)
		*value = idev->hwpt->iotlb[idx];
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

int iommufd_sim_device_cache(struct iommufd_sim *sim, const char *device, unsigned idx,
			     uint32_t *value)
{
	struct sim_idev *idev;
	int ret;

	if (!sim || !device || !value || idx >= IOFD_MOCK_DEV_CACHE_NUM)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	ret = bound_idev(sim, device, &idev);
	if (!ret && idev->dev->iommu->kind != SIM_DRV_SELFTEST)
		ret = -ENOENT;
	/* 6.12's mock devices have no cache (nor DEV_CHECK_CACHE) */
	else if (!ret && sim->topo.kernel < SIM_KERNEL_TEST_OPS_7X)
		ret = -EOPNOTSUPP;
	if (!ret)
		*value = idev->dev->cache[idx];
	pthread_mutex_unlock(&sim->lock);
	return ret;
}
