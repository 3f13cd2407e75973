// SPDX-License-Identifier: LGPL-2.1-or-later
/* VFIO device cdevs: open, bind to the iommufd, attach/replace, detach. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/msg_name.h"
#include "objects/device.h"
#include "uapi/vfio_abi.h"

static int vfio_attach(struct iommufd_device *dev, uint32_t pt_id)
{
	struct iofd_vfio_device_attach_iommufd_pt cmd = { .argsz = sizeof(cmd), .pt_id = pt_id };
	int ret;

	/* Attached already: the kernel replaces the domain in one step. */
	ret = iofd_ioctl(dev->ctx, dev->fd, IOFD_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd,
			 "VFIO_ATTACH_IOMMUFD_PT dev=%s id=%u pt=%u out_pt=%u", dev->info.name,
			 dev->dev_id, pt_id, cmd.pt_id);
	if (!ret)
		__atomic_store_n(&dev->pt_id, cmd.pt_id, __ATOMIC_RELAXED);
	return ret;
}

static int vfio_detach(struct iommufd_device *dev)
{
	struct iofd_vfio_device_detach_iommufd_pt cmd = { .argsz = sizeof(cmd) };
	int ret;

	ret = iofd_ioctl(dev->ctx, dev->fd, IOFD_VFIO_DEVICE_DETACH_IOMMUFD_PT, &cmd,
			 "VFIO_DETACH_IOMMUFD_PT dev=%s id=%u pt=%u", dev->info.name, dev->dev_id,
			 dev->pt_id);
	if (!ret)
		__atomic_store_n(&dev->pt_id, 0, __ATOMIC_RELAXED);
	return ret;
}

/* EINVAL to a PASID: most likely a kernel without PASID attach (any flag is EINVAL there). */
static int pasid_error(struct iommufd_device *dev, int ret, const char *what, uint32_t pasid)
{
	if (ret == -EINVAL)
		return iofd_set_error(dev->ctx, ret,
				      "%s %s pasid %u (a kernel without VFIO_DEVICE_ATTACH_PASID, "
				      "such as 6.12, refuses every PASID; a newer one a device or "
				      "domain without PASID support)",
				      what, dev->info.name, pasid);
	return ret;
}

static int vfio_attach_pasid(struct iommufd_device *dev, uint32_t pasid, uint32_t pt_id)
{
	struct iofd_vfio_device_attach_iommufd_pt_pasid cmd = {
		.argsz = sizeof(cmd),
		.flags = IOFD_VFIO_DEVICE_ATTACH_PASID,
		.pt_id = pt_id,
		.pasid = pasid,
	};
	int ret;

	ret = iofd_ioctl(dev->ctx, dev->fd, IOFD_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd,
			 "VFIO_ATTACH_IOMMUFD_PT dev=%s id=%u pasid=%u pt=%u out_pt=%u",
			 dev->info.name, dev->dev_id, pasid, pt_id, cmd.pt_id);
	return pasid_error(dev, ret, "attach", pasid);
}

static int vfio_detach_pasid(struct iommufd_device *dev, uint32_t pasid)
{
	struct iofd_vfio_device_detach_iommufd_pt_pasid cmd = {
		.argsz = sizeof(cmd),
		.flags = IOFD_VFIO_DEVICE_DETACH_PASID,
		.pasid = pasid,
	};
	int ret;

	ret = iofd_ioctl(dev->ctx, dev->fd, IOFD_VFIO_DEVICE_DETACH_IOMMUFD_PT, &cmd,
			 "VFIO_DETACH_IOMMUFD_PT dev=%s id=%u pasid=%u", dev->info.name,
			 dev->dev_id, pasid);
	return pasid_error(dev, ret, "detach", pasid);
}

static void vfio_close(struct iommufd_device *dev)
{
	/* Closing the cdev unbinds it from the iommufd; a caller's fd stays open and bound. */
	if (dev->owns_fd)
		iofd_kclose(dev->ctx, dev->fd);
}

static const struct iofd_device_ops vfio_device_ops = {
	.attach = vfio_attach,
	.detach = vfio_detach,
	.close = vfio_close,
	.attach_pasid = vfio_attach_pasid,
	.detach_pasid = vfio_detach_pasid,
};

static const char *resolve_hint(int err)
{
	switch (err) {
	case -ENOENT:
		return " (no such device)";
	case -ENODEV:
		return " (not bound to a VFIO driver, or no VFIO cdev)";
	default:
		return "";
	}
}

int iofd_vfio_device_resolve(struct iommufd_ctx *ctx, const char *name,
			     struct iofd_dev_sysinfo *info)
{
	char shown[IOFD_MSG_NAME_MAX];
	int ret;

	ret = ctx->tp.ops->resolve_device(ctx->tp.priv, name, info);
	if (ret)
		iofd_set_error(ctx, ret, "device %s%s", iofd_msg_name(name, shown),
			       resolve_hint(ret));
	return ret;
}

/* A new device of the VFIO kind, without a file yet. */
static struct iommufd_device *vfio_device_new(struct iommufd_ctx *ctx)
{
	struct iommufd_device *dev = calloc(1, sizeof(*dev));

	if (!dev)
		return NULL;
	dev->ctx = ctx;
	dev->ops = &vfio_device_ops;
	dev->fd = -1;
	return dev;
}

static int vfio_bind(struct iommufd_device *dev)
{
	struct iofd_vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = dev->ctx->fd,
	};
	int ret;

	ret = iofd_ioctl(dev->ctx, dev->fd, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind,
			 "VFIO_BIND_IOMMUFD dev=%s iommufd=%d dev_id=%u", dev->info.name,
			 dev->ctx->fd, bind.out_devid);
	if (!ret)
		dev->dev_id = bind.out_devid;
	return ret;
}

int iofd_vfio_device_open(struct iommufd_ctx *ctx, const char *name, struct iommufd_device **out)
{
	char shown[IOFD_MSG_NAME_MAX];
	struct iommufd_device *dev;
	int ret;

	dev = vfio_device_new(ctx);
	if (!dev)
		return iofd_set_error(ctx, -ENOMEM, "device %s", iofd_msg_name(name, shown));
	ret = iofd_vfio_device_resolve(ctx, name, &dev->info);
	if (ret)
		goto out_free;
	ret = iofd_kopen(ctx, dev->info.cdev, O_RDWR);
	if (ret < 0) {
		/* Name the device the caller asked for, not only its cdev. */
		iofd_set_error(ctx, ret, "device %s: open %s", iofd_msg_name(name, shown),
			       dev->info.cdev);
		goto out_free;
	}
	dev->fd = ret;
	dev->owns_fd = true;

	ret = vfio_bind(dev);
	if (ret)
		goto out_close;
	*out = dev;
	return 0;

out_close:
	iofd_kclose(ctx, dev->fd);
out_free:
	free(dev);
	return ret;
}

/*
 * Why BIND_IOMMUFD said EINVAL to a cdev fd: the kernel binds a file once, and
 * opens a device through one file at a time. Only a bound file answers
 * VFIO_DEVICE_GET_INFO, which changes nothing.
 */
static const char *bind_einval_hint(struct iommufd_device *dev)
{
	struct iofd_vfio_device_info info = { .argsz = sizeof(info) };

	if (!dev->ctx->tp.ops->ioctl(dev->ctx->tp.priv, dev->fd, IOFD_VFIO_DEVICE_GET_INFO, &info))
		return "the fd is bound already (a cdev fd binds once, until it is closed)";
	return "the device is bound through another cdev fd";
}

int iofd_vfio_device_from_fd(struct iommufd_ctx *ctx, int fd, struct iommufd_device **out)
{
	struct iommufd_device *dev;
	int ret;

	dev = vfio_device_new(ctx);
	if (!dev)
		return iofd_set_error(ctx, -ENOMEM, "device from fd %d", fd);
	ret = ctx->tp.ops->describe_fd(ctx->tp.priv, fd, &dev->info);
	if (ret == -EBADF) {
		iofd_set_error(ctx, ret, "device from fd %d: no open file", fd);
		goto out_free;
	}
	if (ret == -ENODEV) {
		iofd_set_error(ctx, ret, "device from fd %d: not a VFIO device cdev but %s", fd,
			       dev->info.name);
		goto out_free;
	}
	if (ret) {
		iofd_set_error(ctx, ret, "device from fd %d", fd);
		goto out_free;
	}
	dev->fd = fd;
	ret = vfio_bind(dev);
	if (ret == -EINVAL)
		iofd_set_error(ctx, ret, "device from fd %d (%s): %s", fd, dev->info.name,
			       bind_einval_hint(dev));
	else if (ret == -EBUSY)
		iofd_set_error(ctx, ret,
			       "device from fd %d (%s): in use through the legacy VFIO group "
			       "interface", fd, dev->info.name);
	else if (ret)
		iofd_set_error(ctx, ret, "device from fd %d (%s): bind", fd, dev->info.name);
	if (ret)
		goto out_free;
	*out = dev;
	return 0;

out_free:
	free(dev);
	return ret;
}

/* ---- live update: a cdev fd another process bound --------------------------- */

/* The PCI address in name ("0000:3b:00.0"): true and its parts. */
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
 * The dev_id the kernel gives the fd's device in the iommufd its cdev is bound to, as
 * VFIO_DEVICE_GET_PCI_HOT_RESET_INFO reports it for each device a slot or bus reset
 * would reach: 1 and *devid, or 0 where the kernel does not say (no such reset, as for a
 * device on a root bus; not a PCI device). Only asks: nothing is reset.
 */
static int reset_info_devid(struct iommufd_device *dev, uint32_t *devid)
{
	struct {
		struct iofd_vfio_pci_hot_reset_info hdr;
		struct iofd_vfio_pci_dependent_device devs[32];
	} info;
	unsigned seg, bus, devfn, i;
	int ret;

	if (!pci_address(dev->info.name, &seg, &bus, &devfn))
		return 0;
	memset(&info, 0, sizeof(info));
	info.hdr.argsz = sizeof(info);
	ret = dev->ctx->tp.ops->ioctl(dev->ctx->tp.priv, dev->fd,
				      IOFD_VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &info);
	iofd_log(dev->ctx, IOMMUFD_LOG_TRACE,
		 "%s VFIO_DEVICE_GET_PCI_HOT_RESET_INFO dev=%s count=%u flags=0x%x (probe) = %d",
		 dev->ctx->tp.ops->name, dev->info.name, info.hdr.count, info.hdr.flags, ret);
	/* More than 32 devices behind one reset: too many to say, not an error. */
	if (ret || !(info.hdr.flags & IOFD_VFIO_PCI_HOT_RESET_FLAG_DEV_ID))
		return 0;
	for (i = 0; i < info.hdr.count && i < 32; i++) {
		const struct iofd_vfio_pci_dependent_device *d = &info.devs[i];

		if (d->segment != seg || d->bus != bus || d->devfn != devfn)
			continue;
		if (d->devid == IOFD_VFIO_PCI_DEVID_OWNED ||
		    d->devid == IOFD_VFIO_PCI_DEVID_NOT_OWNED)
			return 0;
		*devid = d->devid;
		return 1;
	}
	return 0;
}

int iofd_vfio_device_adopt(struct iommufd_ctx *ctx, int fd, uint32_t dev_id,
			   const char *expect_name, struct iommufd_device **out)
{
	struct iofd_vfio_device_info vinfo = { .argsz = sizeof(vinfo) };
	struct iommufd_device *dev;
	uint32_t kernel_id;
	int ret;

	dev = vfio_device_new(ctx);
	if (!dev)
		return iofd_set_error(ctx, -ENOMEM, "device adopt fd %d", fd);
	ret = ctx->tp.ops->describe_fd(ctx->tp.priv, fd, &dev->info);
	if (ret == -EBADF) {
		iofd_set_error(ctx, ret, "device adopt fd %d: no open file", fd);
		goto out_free;
	}
	if (ret == -ENODEV) {
		iofd_set_error(ctx, ret, "device adopt fd %d: not a VFIO device cdev but %s", fd,
			       dev->info.name);
		goto out_free;
	}
	if (ret) {
		iofd_set_error(ctx, ret, "device adopt fd %d", fd);
		goto out_free;
	}
	if (expect_name && strcmp(expect_name, dev->info.name)) {
		ret = iofd_set_error(ctx, -EINVAL, "device adopt fd %d: the cdev of %s, not of %s",
				     fd, dev->info.name, expect_name);
		goto out_free;
	}
	dev->fd = fd;
	dev->dev_id = dev_id;
	/* Only a bound cdev fd answers GET_INFO (and it changes nothing). */
	ret = iofd_ioctl(ctx, fd, IOFD_VFIO_DEVICE_GET_INFO, &vinfo, "VFIO_DEVICE_GET_INFO dev=%s",
			 dev->info.name);
	if (ret == -EINVAL) {
		iofd_set_error(ctx, ret,
			       "device adopt fd %d (%s): not bound to an iommufd, nothing to take "
			       "over (a cdev fd is bound with iommufd_device_from_fd())",
			       fd, dev->info.name);
		goto out_free;
	}
	if (ret) {
		iofd_set_error(ctx, ret, "device adopt fd %d (%s): VFIO_DEVICE_GET_INFO", fd,
			       dev->info.name);
		goto out_free;
	}
	/* An emulated device's id is an access, which GET_HW_INFO does not know. */
	if (!dev->info.emulated) {
		ret = iommufd_get_hw_info(ctx, dev_id, &dev->hw);
		if (ret == -ENOENT) {
			iofd_set_error(ctx, ret, "device adopt fd %d (%s): dev_id %u is no device "
				       "of this iommufd", fd, dev->info.name, dev_id);
			goto out_free;
		}
		if (ret) {
			iofd_set_error(ctx, ret, "device adopt fd %d (%s): GET_HW_INFO of dev_id %u",
				       fd, dev->info.name, dev_id);
			goto out_free;
		}
		dev->hw_known = true;
	}
	if (reset_info_devid(dev, &kernel_id) && kernel_id != dev_id) {
		ret = iofd_set_error(ctx, -EINVAL,
				     "device adopt fd %d (%s): the kernel gives it dev_id %u in the "
				     "iommufd it is bound to, not %u",
				     fd, dev->info.name, kernel_id, dev_id);
		goto out_free;
	}
	*out = dev;
	return 0;

out_free:
	free(dev);
	return ret;
}
