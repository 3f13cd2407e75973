// SPDX-License-Identifier: LGPL-2.1-or-later
/* VFIO device cdevs: open, bind to the iommufd, attach/replace, detach. */
#include <errno.h>
#include <fcntl.h>
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

static void vfio_close(struct iommufd_device *dev)
{
	/* Closing the cdev unbinds it from the iommufd. */
	iofd_kclose(dev->ctx, dev->fd);
}

static const struct iofd_device_ops vfio_device_ops = {
	.attach = vfio_attach,
	.detach = vfio_detach,
	.close = vfio_close,
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

int iofd_vfio_device_open(struct iommufd_ctx *ctx, const char *name, struct iommufd_device **out)
{
	struct iofd_vfio_device_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = ctx->fd };
	char shown[IOFD_MSG_NAME_MAX];
	struct iommufd_device *dev;
	int ret;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return iofd_set_error(ctx, -ENOMEM, "device %s", iofd_msg_name(name, shown));
	dev->ctx = ctx;
	dev->ops = &vfio_device_ops;
	dev->fd = -1;

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

	ret = iofd_ioctl(ctx, dev->fd, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind,
			 "VFIO_BIND_IOMMUFD dev=%s iommufd=%d dev_id=%u", dev->info.name, ctx->fd,
			 bind.out_devid);
	if (ret)
		goto out_close;
	dev->dev_id = bind.out_devid;
	*out = dev;
	return 0;

out_close:
	iofd_kclose(ctx, dev->fd);
out_free:
	free(dev);
	return ret;
}
