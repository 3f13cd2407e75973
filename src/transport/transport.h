/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Transport: the one narrow place where kernel calls happen. Two kernels
 * stand behind it, the real one (system calls, sysfs) and the simulator;
 * everything above this layer is the same code on both.
 */
#ifndef IOFD_TRANSPORT_H
#define IOFD_TRANSPORT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <iommufd/iommufd.h>

/* What sysfs (or the simulated topology) says about one device. */
struct iofd_dev_sysinfo {
	char name[64];      /* canonical name: PCI address, mdev uuid, topology name */
	char cdev[64];      /* /dev/vfio/devices/vfioN */
	char iommu[64];     /* IOMMU instance, e.g. "dmar0"; "" for emulated devices */
	char driver[64];    /* IOMMU driver, e.g. "intel-vtd"; "" for emulated devices */
	bool emulated;      /* mdev: no IOMMU of its own */
};

/* A device as iommufd_list_devices() describes it: out whole, from what sysfs says. */
static inline void iofd_sysinfo_to_desc(const struct iofd_dev_sysinfo *info,
					struct iommufd_device_desc *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", info->name);
	snprintf(out->cdev, sizeof(out->cdev), "%s", info->cdev);
	snprintf(out->driver, sizeof(out->driver), "%s", info->driver);
	snprintf(out->iommu, sizeof(out->iommu), "%s", info->iommu);
	out->emulated = info->emulated;
}

struct iofd_transport_ops {
	const char *name; /* "kernel" or "sim": for trace lines */
	/* open a kernel file (/dev/iommu, a device cdev): fd or -errno */
	int (*open)(void *priv, const char *path, int flags);
	/* 0 or -errno; arg is the UAPI struct, read and written as the kernel does */
	int (*ioctl)(void *priv, int fd, unsigned long request, void *arg);
	void (*close)(void *priv, int fd);
	/* read(2) and write(2) on a kernel file (an event queue's): a byte count or -errno */
	long (*read)(void *priv, int fd, void *buf, size_t len);
	long (*write)(void *priv, int fd, const void *buf, size_t len);
	/* name: cdev path, sysfs path, PCI address (sim: topology name too).
	 * -ENOENT: no such device; -ENODEV: it exists but has no VFIO cdev */
	int (*resolve_device)(void *priv, const char *name, struct iofd_dev_sysinfo *out);
	/* the device whose VFIO cdev the open file fd is, filled as resolve_device does.
	 * -EBADF: fd is not open; -ENODEV: it is no VFIO device cdev, and out->name
	 * then says what it is (for the caller's message) */
	int (*describe_fd)(void *priv, int fd, struct iofd_dev_sysinfo *out);
	/* every VFIO device: fills up to max, returns the count (may exceed max) or -errno */
	int (*list_devices)(void *priv, struct iommufd_device_desc *out, unsigned max);
	/* drop one reference on priv (the context closes) */
	void (*release)(void *priv);
};

struct iofd_transport {
	const struct iofd_transport_ops *ops;
	void *priv;
};

extern const struct iofd_transport_ops iofd_kernel_transport_ops;

/*
 * Exported by libiommufd for the project's other libraries only (libiommufd-sim), in the
 * version node LIBIOMMUFD_PRIVATE: no program may use it, and it may change in any release.
 */
#define IOFD_PRIVATE __attribute__((visibility("default")))

/*
 * A context on another kernel behind this interface (the simulator): opens /dev/iommu
 * through ops and makes a context of it. This is how a transport that lives outside
 * libiommufd is handed down to it: the library then calls the transport, never the reverse.
 * On success the context holds priv and calls ops->release(priv) when it closes; on failure
 * nothing is kept and priv stays the caller's. 0 or -errno.
 */
IOFD_PRIVATE int iofd_ctx_open_transport(const struct iofd_transport_ops *ops, void *priv,
					 struct iommufd_ctx **out);
/*
 * The same on an iommufd the transport has open already (fd: one of its files, such as one
 * another process handed over): the context does not close fd, as iommufd_from_fd() does
 * not. On success the context holds priv as above. 0 or -errno.
 */
IOFD_PRIVATE int iofd_ctx_open_transport_fd(const struct iofd_transport_ops *ops, void *priv,
					    int fd, struct iommufd_ctx **out);

#endif
