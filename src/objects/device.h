/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device internals. A device is bound to one context and has a kernel dev_id.
 * Kinds differ in how they attach: a VFIO cdev (the real thing, and the
 * simulator's devices) or a kernel selftest mock device (tests on the real
 * kernel). The container sees only these ops.
 */
#ifndef IOFD_OBJECTS_DEVICE_H
#define IOFD_OBJECTS_DEVICE_H

#include <pthread.h>
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
	/* attach (or replace) and detach one PASID of the device (every kind has them) */
	int (*attach_pasid)(struct iommufd_device *dev, uint32_t pasid, uint32_t pt_id);
	int (*detach_pasid)(struct iommufd_device *dev, uint32_t pasid);
};

/*
 * What iommufd_device_close() asks of the container holding the device. The
 * close may run while another thread frees that container: so it holds the
 * owner under dev->lock, where the owner is still there (a container clears
 * dev->owner under that lock before it can go), and only then lets it forget
 * the device.
 */
struct iofd_device_owner_ops {
	/* keep the owner's memory until close_device() is done; dev->lock held */
	void (*hold)(void *owner);
	/* detach dev if it is still in the owner, then drop the hold */
	void (*close_device)(void *owner, struct iommufd_device *dev);
};

struct iommufd_device {
	struct iommufd_ctx *ctx;  /* holds a reference on it (iofd_device_ready) */
	const struct iofd_device_ops *ops;
	struct iofd_dev_sysinfo info;
	int fd;            /* the device cdev fd (vfio kind); -1 otherwise */
	bool owns_fd;      /* false for iommufd_device_from_fd(): the caller's fd */
	uint32_t dev_id;   /* the kernel's dev_id (idev id) */
	/*
	 * IOAS or HWPT attached to; 0: none. Changed by its owner (under the
	 * container's lock) or by a direct attach (under lock), stored atomically
	 * so that iommufd_device_pt_id() may read it from any thread.
	 */
	uint32_t pt_id;
	/*
	 * While pt_id is a nested (stage-1) domain a container made: its nest
	 * parent, which holds the IOVA the device's DMA reaches and its dirty
	 * bits (iommufd_selftest_dirty()); 0 otherwise. Stored atomically.
	 */
	uint32_t nest_parent_id;
	/* Guards owner, owner_ops and hw*; held across a direct attach or detach. */
	pthread_mutex_t lock;
	/* the container holding the device, which must forget it on close */
	void *owner;
	const struct iofd_device_owner_ops *owner_ops;
	/* kind-specific state (selftest: stdev id, parking IOAS, ...) */
	void *kind_priv;
	/*
	 * GET_HW_INFO's answer for dev_id, which stays as long as the device is
	 * bound: asked once (iofd_device_hw_info()), kept for every later
	 * question. hw_ret is 0 or the lasting -ENOENT.
	 */
	bool hw_known;
	int hw_ret;
	struct iommufd_hw_info hw;
	/*
	 * Another process took the device over (iommufd_container_forget): its close
	 * frees the memory only. No detach, no destroy, and no close of its file, which
	 * the new process has (the same file, at the same number, after an exec).
	 */
	bool handed_over;
};

/*
 * Opening by kind, called by iommufd_device_open() with its arguments checked (and a
 * selftest name, iommufd_is_selftest_name(), for the selftest kind): 0 and a bound
 * device, or -errno with nothing made.
 */
int iofd_vfio_device_open(struct iommufd_ctx *ctx, const char *name, struct iommufd_device **out);
/* Bind the caller's VFIO cdev fd (checked: >= 0); the device never closes it. */
int iofd_vfio_device_from_fd(struct iommufd_ctx *ctx, int fd, struct iommufd_device **out);
/* What a VFIO device name means, without opening it: 0, or -errno with the message set. */
int iofd_vfio_device_resolve(struct iommufd_ctx *ctx, const char *name,
			     struct iofd_dev_sysinfo *info);
int iofd_selftest_device_open(struct iommufd_ctx *ctx, const char *name,
			      struct iommufd_device **out);

/*
 * GET_HW_INFO of the device, asked once: what it says (the IOMMU's type and
 * capabilities, or -ENOENT for an emulated binding) lasts while the device is
 * bound, so later questions ask nothing. Other errors are not kept. 0 and *hw,
 * or -errno (the kernel's message set).
 */
int iofd_device_hw_info(struct iommufd_device *dev, struct iommufd_hw_info *hw);

/*
 * Every way of making a device ends with this once the device is bound and
 * before the caller sees it: the device's lock, and the context reference it
 * holds until iommufd_device_close().
 */
void iofd_device_ready(struct iommufd_device *dev);

/* ---- live update (objects/live_update.c, vfio_device.c, selftest.c) ---- */

/*
 * Whether the kernel has live update (IOMMU_IOAS_CHANGE_PROCESS, asked without changing
 * anything): 0, or -ENOTTY (older kernels, 6.12 among them) with a message that starts
 * with what and names the kernel needed; any other errno as the kernel gives it.
 */
int iofd_live_update_check(struct iommufd_ctx *ctx, const char *what);
/*
 * Take over the VFIO cdev fd bound (by another process, as a rule) to ctx's iommufd with
 * dev_id, without binding it again. Checks what the kernel lets a process see: the fd is
 * a VFIO device cdev (of the device named expect_name, unless NULL), it is bound, dev_id
 * is a device of ctx's iommufd (GET_HW_INFO, whose answer the device keeps), and, where
 * the kernel reports it (VFIO_DEVICE_GET_PCI_HOT_RESET_INFO), that the fd's device has
 * that dev_id. The device does not own fd and knows no attachment (pt_id 0). 0, or -errno
 * with the message set and nothing made.
 */
int iofd_vfio_device_adopt(struct iommufd_ctx *ctx, int fd, uint32_t dev_id,
			   const char *expect_name, struct iommufd_device **out);
/* A selftest mock device another process made, by its ids (see selftest.c). */
struct iofd_selftest_ids {
	uint32_t dev_id;
	uint32_t stdev_id;
	uint32_t park_ioas;
	uint32_t hwpt_id;  /* the domain it is on; 0: parked on park_ioas */
	bool no_dirty;     /* "selftest:no-dirty" */
};
int iofd_selftest_device_adopt(struct iommufd_ctx *ctx, const struct iofd_selftest_ids *ids,
			       struct iommufd_device **out);
/* The ids of a selftest device (ids->hwpt_id is not filled). */
void iofd_selftest_device_ids(const struct iommufd_device *dev, struct iofd_selftest_ids *ids);
/* Free a device that was made but never handed out (before iofd_device_ready): no kernel call. */
void iofd_device_discard(struct iommufd_device *dev);

#endif
