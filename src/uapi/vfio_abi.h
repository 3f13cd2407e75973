/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The part of the VFIO device-cdev ABI (/dev/vfio/devices/vfioN) this
 * library uses, as of Linux 6.12; tests/uapi compares it with the kernel's
 * include/uapi/linux/vfio.h.
 */
#ifndef IOFD_UAPI_VFIO_ABI_H
#define IOFD_UAPI_VFIO_ABI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#define IOFD_VFIO_TYPE ';'
#define IOFD_VFIO_BASE 100

struct iofd_vfio_device_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t num_regions;
	uint32_t num_irqs;
	uint32_t cap_offset;
	uint32_t pad;
};
enum {
	IOFD_VFIO_DEVICE_FLAGS_RESET = 1u << 0,
	IOFD_VFIO_DEVICE_FLAGS_PCI = 1u << 1,
};

struct iofd_vfio_device_bind_iommufd {
	uint32_t argsz;
	uint32_t flags;
	int32_t iommufd;
	uint32_t out_devid;
};

struct iofd_vfio_device_attach_iommufd_pt {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pt_id;
};

struct iofd_vfio_device_detach_iommufd_pt {
	uint32_t argsz;
	uint32_t flags;
};

/*
 * The PASID forms of attach and detach (VFIO_DEVICE_ATTACH_PASID and
 * VFIO_DEVICE_DETACH_PASID in flags): the structs above with a pasid at their
 * end, newer than 6.12, which answers EINVAL to any flag.
 */
struct iofd_vfio_device_attach_iommufd_pt_pasid {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pt_id;
	uint32_t pasid;
};

struct iofd_vfio_device_detach_iommufd_pt_pasid {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pasid;
};

enum {
	IOFD_VFIO_DEVICE_ATTACH_PASID = 1u << 0,
	IOFD_VFIO_DEVICE_DETACH_PASID = 1u << 0,
};

/*
 * VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: the devices a reset of this one's slot or bus would
 * reset, itself among them; for a device opened through its cdev, each with its dev_id in
 * the iommufd that cdev is bound to (flags IOFD_VFIO_PCI_HOT_RESET_FLAG_DEV_ID). ENODEV
 * for a device that has no slot or bus reset (one on a root bus).
 */
struct iofd_vfio_pci_dependent_device {
	uint32_t devid; /* or the group id, without FLAG_DEV_ID; 0: owned, no id; ~0: not owned */
	uint16_t segment;
	uint8_t bus;
	uint8_t devfn;
};

struct iofd_vfio_pci_hot_reset_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t count;
	/* struct iofd_vfio_pci_dependent_device devices[count] follow */
};

enum {
	IOFD_VFIO_PCI_HOT_RESET_FLAG_DEV_ID = 1u << 0,
	IOFD_VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED = 1u << 1,
};
#define IOFD_VFIO_PCI_DEVID_OWNED 0u
#define IOFD_VFIO_PCI_DEVID_NOT_OWNED 0xffffffffu

#define IOFD_VFIO_DEVICE_GET_INFO _IO(IOFD_VFIO_TYPE, IOFD_VFIO_BASE + 7)
#define IOFD_VFIO_DEVICE_GET_PCI_HOT_RESET_INFO _IO(IOFD_VFIO_TYPE, IOFD_VFIO_BASE + 12)
#define IOFD_VFIO_DEVICE_BIND_IOMMUFD _IO(IOFD_VFIO_TYPE, IOFD_VFIO_BASE + 18)
#define IOFD_VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(IOFD_VFIO_TYPE, IOFD_VFIO_BASE + 19)
#define IOFD_VFIO_DEVICE_DETACH_IOMMUFD_PT _IO(IOFD_VFIO_TYPE, IOFD_VFIO_BASE + 20)

_Static_assert(sizeof(struct iofd_vfio_device_info) == 24, "vfio_device_info size");
_Static_assert(sizeof(struct iofd_vfio_pci_dependent_device) == 8, "dependent device size");
_Static_assert(sizeof(struct iofd_vfio_pci_hot_reset_info) == 12, "hot reset info size");
_Static_assert(sizeof(struct iofd_vfio_device_bind_iommufd) == 16, "bind size");
_Static_assert(offsetof(struct iofd_vfio_device_bind_iommufd, out_devid) == 12, "bind.out_devid");
_Static_assert(sizeof(struct iofd_vfio_device_attach_iommufd_pt) == 12, "attach size");
_Static_assert(sizeof(struct iofd_vfio_device_detach_iommufd_pt) == 8, "detach size");
_Static_assert(sizeof(struct iofd_vfio_device_attach_iommufd_pt_pasid) == 16, "attach pasid size");
_Static_assert(sizeof(struct iofd_vfio_device_detach_iommufd_pt_pasid) == 12, "detach pasid size");

#endif
