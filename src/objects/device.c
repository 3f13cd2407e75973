// SPDX-License-Identifier: LGPL-2.1-or-later
/* Devices: what every kind shares (open by name, attach state, close). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/list_all.h"
#include "core/opts.h"
#include "core/msg_name.h"
#include "objects/device.h"
#include "uapi/iommufd_abi.h"

bool iommufd_is_selftest_name(const char *name)
{
	return name && (!strcmp(name, "selftest") || !strcmp(name, "selftest:no-dirty") ||
			!strcmp(name, "selftest:pasid"));
}

int iommufd_device_open(struct iommufd_ctx *ctx, const char *name, struct iommufd_device **out)
{
	char shown[IOFD_MSG_NAME_MAX];
	int ret;

	if (out)
		*out = NULL;
	if (!ctx)
		return -EINVAL;
	if (!out || !name)
		return iofd_set_error(ctx, -EINVAL, "device open %s: %s is NULL",
				      iofd_msg_name(name, shown), out ? "name" : "out");
	if (!*name)
		return iofd_set_error(ctx, -EINVAL, "device open: empty name");
	if (iommufd_is_selftest_name(name))
		ret = iofd_selftest_device_open(ctx, name, out);
	else
		ret = iofd_vfio_device_open(ctx, name, out);
	if (!ret)
		iofd_device_ready(*out);
	return ret;
}

void iofd_device_discard(struct iommufd_device *dev)
{
	free(dev->kind_priv);
	free(dev);
}

void iofd_device_ready(struct iommufd_device *dev)
{
	pthread_mutex_init(&dev->lock, NULL);
	iofd_ctx_get(dev->ctx);
}

int iommufd_device_from_fd(struct iommufd_ctx *ctx, int cdev_fd, struct iommufd_device **out)
{
	int ret;

	if (out)
		*out = NULL;
	if (!ctx)
		return -EINVAL;
	if (!out)
		return iofd_set_error(ctx, -EINVAL, "device from fd %d: out is NULL", cdev_fd);
	if (cdev_fd < 0)
		return iofd_set_error(ctx, -EBADF, "device from fd %d: not a file descriptor",
				      cdev_fd);
	ret = iofd_vfio_device_from_fd(ctx, cdev_fd, out);
	if (!ret)
		iofd_device_ready(*out);
	return ret;
}

int iommufd_device_describe(struct iommufd_ctx *ctx, const char *name,
			    struct iommufd_device_desc *out, size_t desc_size)
{
	const size_t min_size = iofd_offsetofend(struct iommufd_device_desc, emulated);
	struct iommufd_device_desc desc;
	char shown[IOFD_MSG_NAME_MAX];
	struct iofd_dev_sysinfo info;
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!out || !name)
		return iofd_set_error(ctx, -EINVAL, "describe device %s: %s is NULL",
				      iofd_msg_name(name, shown), out ? "name" : "out");
	if (desc_size < min_size)
		return iofd_set_error(ctx, -EINVAL, "describe device %s: size %zu, smaller than the "
				      "%zu bytes of the first version of the struct",
				      iofd_msg_name(name, shown), desc_size, min_size);
	if (!*name)
		return iofd_set_error(ctx, -EINVAL, "describe device: empty name");
	/* The mock device of a selftest name exists only once it is opened, a new one each time. */
	if (iommufd_is_selftest_name(name))
		return iofd_set_error(ctx, -EINVAL, "describe device %s: a selftest name makes a new "
				      "mock device at each open, none before", name);
	ret = iofd_vfio_device_resolve(ctx, name, &info);
	if (ret)
		return ret;
	iofd_sysinfo_to_desc(&info, &desc);
	memset(out, 0, desc_size);
	memcpy(out, &desc, desc_size < sizeof(desc) ? desc_size : sizeof(desc));
	return 0;
}

/*
 * A close's detach from a domain the program attached: a failure is said (a WARN line with
 * the kernel's cause), not returned, and the close goes on. Unbinding the device detaches it
 * in the kernel all the same, except a caller's fd (iommufd_device_from_fd()), which stays
 * bound and attached until the caller closes it. The caller's last error is kept, as every
 * close keeps it.
 */
static void detach_for_close(struct iommufd_device *dev)
{
	char cause[IOFD_ERRMSG_MAX];
	uint32_t pt_id = dev->pt_id;
	int ret;

	snprintf(cause, sizeof(cause), "%s", iommufd_last_error(dev->ctx));
	iofd_set_error(dev->ctx, 0, "%s", "");
	ret = dev->ops->detach(dev);
	if (ret)
		/* The detach's message names the kernel call and its errno. */
		iofd_log(dev->ctx, IOMMUFD_LOG_WARN,
			 "close %s: detach from %u failed: %s; %s", dev->info.name, pt_id,
			 *iommufd_last_error(dev->ctx) ? iommufd_last_error(dev->ctx) :
			 strerror(-ret),
			 dev->fd >= 0 && !dev->owns_fd ?
			 "closed, its fd (the caller's) attached until the caller closes it" :
			 "closed all the same (unbinding detaches it)");
	iofd_set_error(dev->ctx, 0, "%s", cause);
}

void iommufd_device_close(struct iommufd_device *dev)
{
	const struct iofd_device_owner_ops *owner_ops;
	struct iommufd_ctx *ctx;
	void *owner;

	if (!dev)
		return;
	if (dev->handed_over) {
		/* Another process has it (device.h), and its file: only the memory goes. */
		ctx = dev->ctx;
		free(dev->kind_priv);
		pthread_mutex_destroy(&dev->lock);
		free(dev);
		iofd_ctx_put(ctx);
		return;
	}
	/* Its container may be being freed on another thread: hold it first (device.h). */
	pthread_mutex_lock(&dev->lock);
	owner = dev->owner;
	owner_ops = dev->owner_ops;
	if (owner)
		owner_ops->hold(owner);
	pthread_mutex_unlock(&dev->lock);
	/* A container forgets the device (and drops its domain if it was the last). */
	if (owner)
		owner_ops->close_device(owner, dev);
	else if (dev->pt_id)
		detach_for_close(dev);
	ctx = dev->ctx;
	dev->ops->close(dev);
	pthread_mutex_destroy(&dev->lock);
	free(dev);
	/* Last: the context may go with it, when the program has closed it already. */
	iofd_ctx_put(ctx);
}

uint32_t iommufd_device_id(const struct iommufd_device *dev)
{
	return dev ? dev->dev_id : 0;
}

const char *iommufd_device_name(const struct iommufd_device *dev)
{
	return dev ? dev->info.name : "";
}

bool iommufd_device_is_emulated(const struct iommufd_device *dev)
{
	return dev && dev->info.emulated;
}

const char *iommufd_device_iommu(const struct iommufd_device *dev)
{
	return dev ? dev->info.iommu : "";
}

const char *iommufd_device_cdev(const struct iommufd_device *dev)
{
	return dev ? dev->info.cdev : "";
}

int iommufd_device_fd(const struct iommufd_device *dev)
{
	if (!dev)
		return -EINVAL;
	/* A selftest mock device lives inside the iommufd: it has no file of its own. */
	return dev->fd >= 0 ? dev->fd : -ENODEV;
}

uint32_t iommufd_device_pt_id(const struct iommufd_device *dev)
{
	return dev ? __atomic_load_n(&dev->pt_id, __ATOMIC_RELAXED) : 0;
}

int iofd_device_hw_info(struct iommufd_device *dev, struct iommufd_hw_info *hw)
{
	int ret = 0;

	pthread_mutex_lock(&dev->lock);
	if (!dev->hw_known) {
		ret = iommufd_get_hw_info(dev->ctx, dev->dev_id, &dev->hw);
		if (!ret || ret == -ENOENT) {
			dev->hw_ret = ret;
			dev->hw_known = true;
		}
	}
	if (dev->hw_known) {
		*hw = dev->hw;
		ret = dev->hw_ret;
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

int iommufd_device_dirty_capable(struct iommufd_device *dev)
{
	struct iommufd_hw_info hw;
	int ret;

	if (!dev)
		return -EINVAL;
	/* An emulated device has no IOMMU: nothing tracks its writes. */
	if (dev->info.emulated)
		return 0;
	ret = iofd_device_hw_info(dev, &hw);
	if (ret)
		return ret;
	return !!(hw.capabilities & IOFD_HW_CAP_DIRTY_TRACKING);
}

/*
 * The direct calls hold the device's lock across the kernel call: a container
 * claims a device under that lock too, so one of the two finds the other's
 * work done (the owner set, or the device attached) and answers -EBUSY.
 */
int iommufd_device_attach_pt(struct iommufd_device *dev, uint32_t pt_id)
{
	int ret;

	if (!dev)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	if (dev->owner)
		ret = iofd_set_error(dev->ctx, -EBUSY,
				     "attach %s to %u: the device belongs to a container",
				     dev->info.name, pt_id);
	else
		ret = dev->ops->attach(dev, pt_id);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

int iommufd_device_detach_pt(struct iommufd_device *dev)
{
	int ret;

	if (!dev)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	if (dev->owner)
		ret = iofd_set_error(dev->ctx, -EBUSY,
				     "detach %s: the device belongs to a container; detach it there",
				     dev->info.name);
	else if (!dev->pt_id)
		ret = iofd_set_error(dev->ctx, -EINVAL, "detach %s: not attached", dev->info.name);
	else
		ret = dev->ops->detach(dev);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

IOFD_OPTS_NO_PADDING(struct iommufd_attach_opts, pasid);
IOFD_OPTS_NO_PADDING(struct iommufd_detach_opts, pasid);

/* The PASID asked for in opts' flags and pasid: 1 (and *pasid), 0 for none, or -EINVAL. */
static int opts_pasid(struct iommufd_device *dev, const char *what, uint32_t flags,
		      uint32_t pasid, uint32_t *out)
{
	if (flags & ~IOMMUFD_ATTACH_PASID)
		return iofd_set_error(dev->ctx, -EINVAL, "%s %s: unknown opts flags 0x%x", what,
				      dev->info.name, flags);
	if (!(flags & IOMMUFD_ATTACH_PASID)) {
		if (pasid)
			return iofd_set_error(dev->ctx, -EINVAL,
					      "%s %s: pasid %u without IOMMUFD_ATTACH_PASID", what,
					      dev->info.name, pasid);
		return 0;
	}
	/* IOMMU_NO_PASID: the kernel would take it for the device itself */
	if (!pasid)
		return iofd_set_error(dev->ctx, -EINVAL,
				      "%s %s: PASID 0 is the device itself (attach it without "
				      "IOMMUFD_ATTACH_PASID)", what, dev->info.name);
	*out = pasid;
	return 1;
}

/*
 * A PASID attached to pt_id or detached directly, as a direct attach is: under the lock a
 * container claims the device under, refused while one has it.
 */
static int direct_pasid(struct iommufd_device *dev, bool attach, uint32_t pasid, uint32_t pt_id)
{
	int ret;

	pthread_mutex_lock(&dev->lock);
	if (dev->owner)
		ret = iofd_set_error(dev->ctx, -EBUSY, "%s %s pasid %u: the device belongs to a "
				     "container", attach ? "attach" : "detach", dev->info.name, pasid);
	else if (attach)
		ret = dev->ops->attach_pasid(dev, pasid, pt_id);
	else
		ret = dev->ops->detach_pasid(dev, pasid);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

int iommufd_device_attach_pt_opts(struct iommufd_device *dev, uint32_t pt_id,
				  const struct iommufd_attach_opts *opts)
{
	struct iommufd_attach_opts o;
	uint32_t pasid;
	int ret;

	if (!dev)
		return -EINVAL;
	ret = iofd_opts_copy(dev->ctx, "attach", opts, sizeof(o),
			     iofd_offsetofend(struct iommufd_attach_opts, pasid), &o);
	if (ret)
		return ret;
	ret = opts_pasid(dev, "attach", o.flags, o.pasid, &pasid);
	if (ret < 0)
		return ret;
	if (!ret)
		return iommufd_device_attach_pt(dev, pt_id);
	return direct_pasid(dev, true, pasid, pt_id);
}

int iommufd_device_detach_pt_opts(struct iommufd_device *dev,
				  const struct iommufd_detach_opts *opts)
{
	struct iommufd_detach_opts o;
	uint32_t pasid;
	int ret;

	if (!dev)
		return -EINVAL;
	ret = iofd_opts_copy(dev->ctx, "detach", opts, sizeof(o),
			     iofd_offsetofend(struct iommufd_detach_opts, pasid), &o);
	if (ret)
		return ret;
	ret = opts_pasid(dev, "detach", o.flags, o.pasid, &pasid);
	if (ret < 0)
		return ret;
	if (!ret)
		return iommufd_device_detach_pt(dev);
	return direct_pasid(dev, false, pasid, 0);
}

int iommufd_list_devices(struct iommufd_ctx *ctx, struct iommufd_device_desc *out, unsigned max)
{
	int ret;

	if (!ctx)
		return -EINVAL;
	if (max && !out)
		return iofd_set_error(ctx, -EINVAL, "list devices: out is NULL, max %u", max);
	ret = ctx->tp.ops->list_devices(ctx->tp.priv, out, max);
	if (ret < 0)
		iofd_set_error(ctx, ret, "list devices");
	return ret;
}

static int fill_devices(void *arg, void *buf, unsigned max)
{
	return iommufd_list_devices(arg, buf, max);
}

int iommufd_list_devices_all(struct iommufd_ctx *ctx, struct iommufd_device_desc **out,
			     size_t desc_size)
{
	static const struct iofd_list_spec spec = {
		.what = "list devices",
		.size = sizeof(struct iommufd_device_desc),
		.min_size = iofd_offsetofend(struct iommufd_device_desc, emulated),
		.fill = fill_devices,
	};
	void *list;
	int ret;

	if (out)
		*out = NULL;
	if (!ctx)
		return -EINVAL;
	if (!out)
		return iofd_set_error(ctx, -EINVAL, "list devices: out is NULL");
	ret = iofd_list_all(ctx, &spec, ctx, desc_size, &list);
	*out = list; /* NULL on failure and for an empty list */
	return ret;
}
