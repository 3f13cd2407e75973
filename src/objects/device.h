/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device internals. A device is bound to one context and has a kernel dev_id.
 * Kinds differ in how they attach: a VFIO cdev (the real thing, and the
 * simulator's devices) or a kernel selftest mock device (tests on the real
 * kernel). The container sees only these ops.
 */
#ifndef IOFD_OBJECTS_DEVICE_H
#define IOFD_OBJECTS_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ctx.h"
#include "transport/transport.h"

struct iommufd_device;

struct iofd_device_ops {
	/* attach to (or replace with) an IOAS or HWPT: 0 or -errno, device unchanged on error */
	int (*attach)(struct iommufd_device *dev, uint32_t pt_id);
	/* detach from whatever it is attached to */
	int (*detach)(struct iommufd_device *dev);
	/* release kernel resources (the device is detached already) */
	void (*close)(struct iommufd_device *dev);
};

/* Called by iommufd_device_close() on a device still in a container. */
typedef void (*iofd_device_owner_detach_fn)(void *owner, struct iommufd_device *dev);

struct iommufd_device {
	struct iommufd_ctx *ctx;
	const struct iofd_device_ops *ops;
	struct iofd_dev_sysinfo info;
	int fd;            /* the device cdev fd (vfio kind); -1 otherwise */
	uint32_t dev_id;   /* the kernel's dev_id (idev id) */
	uint32_t pt_id;    /* IOAS or HWPT attached to; 0: none */
	/* the container holding the device, which must forget it on close */
	void *owner;
	iofd_device_owner_detach_fn owner_detach;
	/* kind-specific state (selftest: stdev id, parking IOAS, ...) */
	void *kind_priv;
	/*
	 * GET_HW_INFO's answer for dev_id, which stays as long as the device is
	 * bound: asked by the first container attach, kept for later ones
	 * (src/policy/placement.c). hw_ret is 0 or the lasting -ENOENT.
	 */
	bool hw_known;
	int hw_ret;
	struct iommufd_hw_info hw;
};

/*
 * Opening by kind, called by iommufd_device_open() with its arguments checked (and a
 * selftest name, iommufd_is_selftest_name(), for the selftest kind): 0 and a bound
 * device, or -errno with nothing made.
 */
int iofd_vfio_device_open(struct iommufd_ctx *ctx, const char *name, struct iommufd_device **out);
int iofd_selftest_device_open(struct iommufd_ctx *ctx, const char *name,
			      struct iommufd_device **out);

#endif
