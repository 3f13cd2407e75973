// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VFIO device cdevs: open, BIND_IOMMUFD, ATTACH/DETACH_IOMMUFD_PT,
 * GET_INFO, close; and the device's DMA. A physical device binds as an
 * iommufd device and attaches to domains (automatic ones when given an
 * IOAS); an emulated (mdev) device binds as an access and reaches the IOAS
 * directly. Follows vfio/device_cdev.c, vfio/iommufd.c and iommufd/device.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "uapi/selftest_abi.h"
#include "uapi/vfio_abi.h"

#define SIM_VFIO_PCI_NUM_REGIONS 9
#define SIM_VFIO_PCI_NUM_IRQS 5

int sim_df_open(struct iommufd_sim *sim, struct sim_device *dev, unsigned int proc)
{
	struct sim_df *df;
	int fd;

	df = calloc(1, sizeof(*df));
	if (!df)
		return -ENOMEM;
	df->sim = sim;
	df->dev = dev;
	fd = sim_fd_add(sim, SIM_FD_DEVICE, df, proc);
	if (fd < 0) {
		free(df);
		return fd;
	}
	df->fd = fd;
	df->next = sim->dfs;
	sim->dfs = df;
	return fd;
}

void sim_idev_destroy(struct sim_idev *idev)
{
	sim_pasid_detach_all(idev);
	/* a vDEVICE goes with its device, leaving its id taken */
	if (idev->vdev)
		sim_vdevice_tombstone(idev->vdev);
	sim_obj_remove(&idev->obj);
	free(idev->pasids);
	free(idev);
}

/* The device's IOMMU tracks dirty bits for it (a mock device may say it does not). */
bool sim_dev_dirty_capable(const struct sim_device *dev)
{
	return dev->iommu && dev->iommu->dirty_tracking && !dev->no_dirty;
}

void sim_access_destroy(struct sim_access *access)
{
	sim_obj_remove(&access->obj);
	free(access);
}

/* ---- physical devices: domains ---------------------------------------- */

/*
 * Attach (or replace) to an automatic domain of the IOAS: the first existing
 * one that takes the device (EINVAL means it does not, any other error
 * fails), else a new one without any flags.
 */
static int auto_get_domain(struct sim_idev *idev, struct sim_ioas *ioas, uint32_t *pt_id,
			   bool replace, struct sim_hwpt **destroy)
{
	struct sim_hwpt *hwpt;
	size_t i;
	int ret;

	*destroy = NULL;
	for (i = 0; i < ioas->nhwpts; i++) {
		hwpt = ioas->hwpts[i];
		if (!hwpt->auto_domain)
			continue;
		if (replace)
			ret = sim_hwpt_replace(idev, hwpt, destroy);
		else
			ret = sim_hwpt_attach(hwpt, idev);
		if (ret == -EINVAL)
			continue;
		if (ret)
			return ret;
		*pt_id = hwpt->obj.id;
		return 0;
	}

	ret = sim_hwpt_paging_alloc(idev->obj.ictx, ioas, idev, 0, !replace, NULL, &hwpt);
	if (ret)
		return ret;
	if (replace) {
		ret = sim_hwpt_replace(idev, hwpt, destroy);
		if (ret) {
			sim_hwpt_destroy(hwpt);
			return ret;
		}
	}
	hwpt->auto_domain = true;
	*pt_id = hwpt->obj.id;
	return 0;
}

int sim_idev_change_pt(struct sim_idev *idev, uint32_t *pt_id, bool replace)
{
	struct sim_hwpt *destroy = NULL;
	struct sim_obj *pt;
	int ret;

	pt = sim_obj_get(idev->obj.ictx, *pt_id, SIM_OBJ_ANY);
	if (!pt)
		return -ENOENT;
	switch (pt->type) {
	case SIM_OBJ_HWPT_PAGING:
	case SIM_OBJ_HWPT_NESTED:
		if (replace)
			ret = sim_hwpt_replace(idev, (struct sim_hwpt *)pt, &destroy);
		else
			ret = sim_hwpt_attach((struct sim_hwpt *)pt, idev);
		break;
	case SIM_OBJ_IOAS:
		ret = auto_get_domain(idev, (struct sim_ioas *)pt, pt_id, replace, &destroy);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	if (ret)
		return ret;
	/* The domain left behind may be an automatic one that now has no device. */
	if (destroy)
		sim_hwpt_put(destroy);
	return 0;
}

static int physical_attach(struct sim_df *df, uint32_t *pt_id)
{
	int ret;

	if (df->attached)
		return sim_idev_change_pt(df->idev, pt_id, true);
	ret = sim_idev_change_pt(df->idev, pt_id, false);
	if (ret)
		return ret;
	/* An attached device has one more user: it cannot be destroyed. */
	df->idev->obj.users++;
	return 0;
}

static void physical_detach(struct sim_df *df)
{
	if (!df->attached)
		return;
	sim_hwpt_put(sim_hwpt_detach(df->idev));
	df->idev->obj.users--;
	df->attached = false;
}

/* ---- emulated devices: accesses ------------------------------------------- */

static int access_change_ioas(struct sim_access *access, uint32_t id)
{
	struct sim_ioas *ioas = sim_ioas_get(access->obj.ictx, id);
	int ret;

	if (!ioas)
		return -ENOENT;
	if (ioas == access->ioas)
		return 0;
	ret = sim_ioas_add_access(ioas, access);
	if (ret)
		return ret;
	ioas->obj.users++;
	if (access->ioas) {
		sim_ioas_remove_access(access->ioas, access);
		access->ioas->obj.users--;
	}
	access->ioas = ioas;
	return 0;
}

static int access_attach(struct sim_df *df, uint32_t pt_id)
{
	struct sim_access *access = df->access;

	if (df->attached) {
		if (!access->ioas)
			return -ENOENT;
	} else if (access->ioas) {
		return -EINVAL;
	}
	return access_change_ioas(access, pt_id);
}

static void access_detach(struct sim_df *df)
{
	struct sim_access *access = df->access;

	if (!df->attached)
		return;
	sim_ioas_remove_access(access->ioas, access);
	access->ioas->obj.users--;
	access->ioas = NULL;
	df->attached = false;
}

/* ---- the cdev's ioctls ----------------------------------------------------- */

static int df_bind(struct sim_df *df, unsigned int proc, void *arg)
{
	struct iofd_vfio_device_bind_iommufd bind;
	struct iommufd_sim *sim = df->sim;
	struct sim_device *dev = df->dev;
	struct sim_ictx *ictx;
	struct sim_fd *f;
	uint32_t devid;
	int ret, i;

	memcpy(&bind, arg, sizeof(bind));
	if (bind.argsz < sizeof(bind) || bind.flags || bind.iommufd < 0)
		return -EINVAL;
	/* One device file binds once. */
	if (df->ictx)
		return -EINVAL;
	f = sim_fd_get(sim, bind.iommufd, proc);
	if (!f)
		return fcntl(bind.iommufd, F_GETFD) < 0 ? -EBADF : -EBADFD;
	if (f->kind != SIM_FD_IOMMUFD)
		return -EBADFD;
	ictx = f->ptr;
	/* A device opened through its cdev may be open only once. */
	if (dev->open_df)
		return -EINVAL;

	if (dev->emulated) {
		struct sim_access *access = calloc(1, sizeof(*access));

		if (!access)
			return -ENOMEM;
		ret = sim_obj_add(ictx, &access->obj, SIM_OBJ_ACCESS);
		if (ret) {
			free(access);
			return ret;
		}
		access->dev = dev;
		access->obj.users++; /* the driver's */
		df->access = access;
		devid = access->obj.id;
	} else {
		struct sim_idev *idev = calloc(1, sizeof(*idev));

		if (!idev)
			return -ENOMEM;
		ret = sim_obj_add(ictx, &idev->obj, SIM_OBJ_DEVICE);
		if (ret) {
			free(idev);
			return ret;
		}
		idev->dev = dev;
		idev->obj.users++; /* the driver's */
		/* a mock device's cache starts full, as a new mock device's does */
		if (dev->iommu->kind == SIM_DRV_SELFTEST)
			for (i = 0; i < IOFD_MOCK_DEV_CACHE_NUM; i++)
				dev->cache[i] = IOFD_TEST_DEV_CACHE_DEFAULT;
		df->idev = idev;
		devid = idev->obj.id;
	}
	/* A bound device keeps the iommufd context alive. */
	ictx->refs++;
	df->ictx = ictx;
	dev->open_df = df;
	memcpy((char *)arg + offsetof(struct iofd_vfio_device_bind_iommufd, out_devid), &devid,
	       sizeof(devid));
	return 0;
}

static void df_unbind(struct sim_df *df)
{
	struct sim_ictx *ictx = df->ictx;

	if (!ictx)
		return;
	if (df->idev) {
		/* its PASIDs first, then the device itself (vfio_iommufd_physical_unbind()) */
		sim_pasid_detach_all(df->idev);
		physical_detach(df);
		sim_idev_destroy(df->idev);
		df->idev = NULL;
	} else {
		access_detach(df);
		sim_access_destroy(df->access);
		df->access = NULL;
	}
	df->dev->open_df = NULL;
	df->ictx = NULL;
	sim_ictx_put(ictx);
}

void sim_df_close(struct sim_df *df)
{
	struct iommufd_sim *sim = df->sim;
	struct sim_df **pp;

	df_unbind(df);
	for (pp = &sim->dfs; *pp; pp = &(*pp)->next) {
		if (*pp == df) {
			*pp = df->next;
			break;
		}
	}
	free(df);
}

/*
 * The PASID flag (7.3; 6.12 refuses every flag): pasid follows pt_id. A PASID attached
 * already is replaced (vfio_iommufd_physical_pasid_attach_ioas()).
 */
static int df_attach_pasid(struct sim_df *df, void *arg, uint32_t argsz)
{
	struct iofd_vfio_device_attach_iommufd_pt_pasid attach;
	int ret;

	/* an mdev driver has no pasid_attach_ioas */
	if (df->dev->emulated)
		return -EOPNOTSUPP;
	if (argsz < sizeof(attach))
		return -EINVAL;
	memcpy(&attach, arg, sizeof(attach));
	/*
	 * PASID 0 is IOMMU_NO_PASID, which 7.3 would take as the device's own attach; not
	 * modelled (the library never asks): refused.
	 */
	if (!attach.pasid)
		return -EINVAL;
	ret = sim_pasid_attach(df->idev, attach.pasid, &attach.pt_id,
			       sim_pasid_hwpt(df->idev, attach.pasid) != NULL);
	if (ret)
		return ret;
	memcpy((char *)arg + offsetof(struct iofd_vfio_device_attach_iommufd_pt_pasid, pt_id),
	       &attach.pt_id, sizeof(attach.pt_id));
	return 0;
}

static int df_attach(struct sim_df *df, void *arg)
{
	struct iofd_vfio_device_attach_iommufd_pt attach;
	int ret;

	memcpy(&attach, arg, sizeof(attach));
	if (attach.argsz < sizeof(attach))
		return -EINVAL;
	if (df->sim->topo.kernel >= SIM_KERNEL_HWPT_PASID &&
	    attach.flags == IOFD_VFIO_DEVICE_ATTACH_PASID)
		return df_attach_pasid(df, arg, attach.argsz);
	if (attach.flags)
		return -EINVAL;
	if (df->dev->emulated)
		ret = access_attach(df, attach.pt_id);
	else
		ret = physical_attach(df, &attach.pt_id);
	if (ret)
		return ret;
	df->attached = true;
	/* The domain the device ended up in (an IOAS for an emulated device). */
	memcpy((char *)arg + offsetof(struct iofd_vfio_device_attach_iommufd_pt, pt_id),
	       &attach.pt_id, sizeof(attach.pt_id));
	return 0;
}

static int df_detach(struct sim_df *df, void *arg)
{
	struct iofd_vfio_device_detach_iommufd_pt detach;

	memcpy(&detach, arg, sizeof(detach));
	if (detach.argsz < sizeof(detach))
		return -EINVAL;
	if (df->sim->topo.kernel >= SIM_KERNEL_HWPT_PASID &&
	    detach.flags == IOFD_VFIO_DEVICE_DETACH_PASID) {
		struct iofd_vfio_device_detach_iommufd_pt_pasid d;

		if (df->dev->emulated)
			return -EOPNOTSUPP;
		if (detach.argsz < sizeof(d))
			return -EINVAL;
		memcpy(&d, arg, sizeof(d));
		sim_pasid_detach(df->idev, d.pasid);
		return 0;
	}
	if (detach.flags)
		return -EINVAL;
	/* Detaching a device that is not attached is not an error. */
	if (df->dev->emulated)
		access_detach(df);
	else
		physical_detach(df);
	return 0;
}

static int df_get_info(struct sim_df *df, void *arg)
{
	const size_t minsz = offsetof(struct iofd_vfio_device_info, num_irqs) + sizeof(uint32_t);
	struct iofd_vfio_device_info info;
	size_t outsz = minsz;

	memset(&info, 0, sizeof(info));
	memcpy(&info, arg, minsz);
	if (info.argsz < minsz)
		return -EINVAL;
	info.num_regions = SIM_VFIO_PCI_NUM_REGIONS;
	info.num_irqs = SIM_VFIO_PCI_NUM_IRQS;
	if (df->dev->emulated) {
		/* an mdev driver (mtty): a PCI-like device */
		info.flags = IOFD_VFIO_DEVICE_FLAGS_PCI;
	} else {
		/* vfio-pci: the full struct as far as argsz reaches */
		info.flags = IOFD_VFIO_DEVICE_FLAGS_PCI | IOFD_VFIO_DEVICE_FLAGS_RESET;
		outsz = info.argsz < sizeof(info) ? info.argsz : sizeof(info);
	}
	memcpy(arg, &info, outsz);
	return 0;
}

/* The PCI address a topology name may be ("0000:3b:00.0"): true and its parts. */
static bool pci_address(const char *name, unsigned *seg, unsigned *bus, unsigned *devfn)
{
	unsigned s, b, d, f;
	int n = 0;

	if (sscanf(name, "%4x:%2x:%2x.%1x%n", &s, &b, &d, &f, &n) != 4 || name[n] || d > 31)
		return false;
	*seg = s;
	*bus = b;
	*devfn = d << 3 | f;
	return true;
}

/*
 * VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: a device named by a PCI address sits alone behind
 * a slot that can be reset (as one behind a PCIe root port); any other device has no
 * reset (ENODEV, as a device on a root bus). Opened through its cdev: the devid of each
 * device in the iommufd the file is bound to.
 */
static int df_hot_reset_info(struct sim_df *df, void *arg)
{
	const size_t minsz = sizeof(struct iofd_vfio_pci_hot_reset_info);
	struct iofd_vfio_pci_dependent_device dep = { 0 };
	struct iofd_vfio_pci_hot_reset_info hdr;
	unsigned seg, bus, devfn;

	memcpy(&hdr, arg, minsz);
	if (hdr.argsz < minsz)
		return -EINVAL;
	if (!pci_address(df->dev->name, &seg, &bus, &devfn))
		return -ENODEV;
	hdr.flags = IOFD_VFIO_PCI_HOT_RESET_FLAG_DEV_ID | IOFD_VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED;
	hdr.count = 1;
	if (hdr.argsz < minsz + sizeof(dep)) {
		memcpy(arg, &hdr, minsz);
		return -ENOSPC;
	}
	dep.devid = df->idev ? df->idev->obj.id : df->access->obj.id;
	dep.segment = seg;
	dep.bus = bus;
	dep.devfn = devfn;
	memcpy(arg, &hdr, minsz);
	memcpy((char *)arg + sizeof(hdr), &dep, sizeof(dep));
	return 0;
}

int sim_df_ioctl(struct sim_df *df, unsigned int proc, unsigned long request, void *arg)
{
	if (request == IOFD_VFIO_DEVICE_BIND_IOMMUFD)
		return arg ? df_bind(df, proc, arg) : -EFAULT;
	/* Nothing else works before BIND_IOMMUFD. */
	if (!df->ictx)
		return -EINVAL;
	switch (request) {
	case IOFD_VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		return arg ? df_attach(df, arg) : -EFAULT;
	case IOFD_VFIO_DEVICE_DETACH_IOMMUFD_PT:
		return arg ? df_detach(df, arg) : -EFAULT;
	case IOFD_VFIO_DEVICE_GET_INFO:
		return arg ? df_get_info(df, arg) : -EFAULT;
	case IOFD_VFIO_DEVICE_GET_PCI_HOT_RESET_INFO:
		return arg ? df_hot_reset_info(df, arg) : -EFAULT;
	default:
		return -ENOTTY;
	}
}

/* ---- DMA ----------------------------------------------------------------- */

int sim_device_dma_write(struct iommufd_sim *sim, struct sim_device *dev, uint64_t iova,
			 uint64_t len)
{
	struct sim_df *df = dev->open_df;
	bool record, faulted = false, done = false;
	const struct sim_ioas *ioas;
	struct sim_hwpt *hwpt;
	uint64_t last, cur;
	long i;
	int ret;

	(void)sim;
	/* A device no context owns is outside the simulated world. */
	if (!df || !df->ictx)
		return -EINVAL;
	if (!len)
		return -EINVAL;
	if (__builtin_add_overflow(iova, len - 1, &last))
		return -EOVERFLOW;
	/* Bound but detached: its DMA is blocked, every access faults. */
	if (!df->attached)
		return -EFAULT;
	/* An emulated device writes through the IOAS itself: no IOMMU, no dirty bits. */
	if (dev->emulated)
		return sim_ioas_range_has_prot(df->access->ioas, iova, last, SIM_PROT_WRITE) ?
			       0 :
			       -EFAULT;
	/* through a nested domain: the guest's stage 1 as identity, into its nest parent */
	if (!sim_hwpt_translates(df->idev->hwpt))
		return -EFAULT;
	hwpt = sim_hwpt_paging(df->idev->hwpt);
	ioas = hwpt->ioas;
	record = sim_hwpt_records_dirty(hwpt);
	/*
	 * The IOMMU translates each page of the write on its own: pages mapped
	 * writeable are written (and dirtied where the domain tracks), every
	 * other page faults. Posted writes do not stop at the first fault.
	 */
	cur = iova;
	for (i = sim_ioas_area_first_in(ioas, iova, last);
	     i >= 0 && (size_t)i < ioas->nareas && ioas->areas[i].iova <= last; i++) {
		const struct sim_area *a = &ioas->areas[i];
		uint64_t s = a->iova > cur ? a->iova : cur;
		uint64_t e = a->last < last ? a->last : last;

		if (a->iova > cur)
			faulted = true;
		if (!(a->prot & SIM_PROT_WRITE)) {
			faulted = true;
		} else if (record) {
			ret = sim_kernel_dirty_per_entry(hwpt) ?
				      sim_kernel_dirty_write(hwpt, a, s, e) :
				      sim_rangeset_add(&hwpt->dirty, s >> hwpt->io_page_shift,
						       e >> hwpt->io_page_shift);
			if (ret)
				return ret;
		}
		if (e == last) {
			done = true;
			break;
		}
		cur = e + 1;
	}
	return faulted || !done ? -EFAULT : 0;
}
