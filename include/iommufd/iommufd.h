/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libiommufd: the Linux IOMMUFD API (/dev/iommu) and VFIO device cdevs,
 * with automatic IOMMU domains and IOMMU dirty tracking for live migration.
 *
 * Conventions (see iommufd(3)):
 *  - a call that can fail returns int: 0 or a positive count on success,
 *    a negative errno on failure; kernel errnos pass through unchanged;
 *  - a failed call leaves no half-made state;
 *  - each failure leaves a one-line message, iommufd_last_error();
 *  - a call that can grow takes its options in a struct declared with
 *    IOMMUFD_OPTS (below).
 */
#ifndef IOMMUFD_IOMMUFD_H
#define IOMMUFD_IOMMUFD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef IOMMUFD_API
#define IOMMUFD_API __attribute__((visibility("default")))
#endif

/* IOMMUFD_VERSION_MAJOR, _MINOR, _PATCH and _STRING: the version of these headers */
#include <iommufd/version.h>
IOMMUFD_API const char *iommufd_version(void);

/*
 * Calls that can grow take a pointer to an options struct whose first member is
 * size_t size: the sizeof of the struct the caller was built with, so that a
 * later version of the library can add members at its end. Declare and fill one
 * with IOMMUFD_OPTS; members not named are 0, their defaults, and NULL opts
 * means all defaults:
 *	IOMMUFD_OPTS(iommufd_read_dirty_opts, opts, .flags = IOMMUFD_DIRTY_NO_CLEAR);
 *	ret = iommufd_container_read_dirty_bitmap(c, iova, len, 4096, bm, sizeof(bm), &opts);
 * Refused as the kernel refuses its extensible structs: a size below the first
 * version's, -EINVAL; a larger struct (from newer headers) with members this
 * library does not know set to non-zero, -E2BIG.
 */
#define IOMMUFD_OPTS(TYPE, NAME, ...) \
	struct TYPE NAME = { .size = sizeof(struct TYPE), __VA_ARGS__ }

struct iommufd_ctx;
struct iommufd_sim;
struct iommufd_device;
struct iommufd_container;

/* ---- Context: one iommufd file descriptor ---------------------------- */

IOMMUFD_API int iommufd_open(const char *path, struct iommufd_ctx **out); /* NULL: "/dev/iommu" */
IOMMUFD_API int iommufd_from_fd(int fd, struct iommufd_ctx **out); /* not closed by us */
/* Drops the program's reference: the context and its fd live until its devices and containers go */
IOMMUFD_API void iommufd_close(struct iommufd_ctx *ctx);
IOMMUFD_API int iommufd_fd(const struct iommufd_ctx *ctx);
/* true when the context's kernel is the simulator */
IOMMUFD_API bool iommufd_is_simulated(const struct iommufd_ctx *ctx);

/* The message of the calling thread's last failure on this context ("" if none). */
IOMMUFD_API const char *iommufd_last_error(struct iommufd_ctx *ctx);

enum {
	IOMMUFD_LOG_ERROR = 0,
	IOMMUFD_LOG_WARN = 1,
	IOMMUFD_LOG_INFO = 2,
	IOMMUFD_LOG_TRACE = 3, /* one line per kernel call */
};
/* The callback may run with library locks held: it must not call back into libiommufd. */
typedef void (*iommufd_log_fn)(void *arg, int level, const char *msg);
/*
 * Where messages go: fn, or stderr when fn is NULL. Which: those at or below the level of
 * iommufd_set_log_level(); with no level set, a callback gets everything and stderr nothing.
 * IOMMUFD_TRACE=1 in the environment, read once when the context is made, turns every level
 * on, trace lines included (to fn or stderr), whatever the level.
 */
IOMMUFD_API void iommufd_set_log(struct iommufd_ctx *ctx, iommufd_log_fn fn, void *arg);
/* Messages at or below level (IOMMUFD_LOG_*) are made; others are never formatted.
 * 0, or -EINVAL for a level out of range. */
IOMMUFD_API int iommufd_set_log_level(struct iommufd_ctx *ctx, int level);

/* ---- Simulated kernel: libiommufd-sim (pkg-config libiommufd-sim) ---- */

IOMMUFD_API int iommufd_sim_new(const char *topology_json, struct iommufd_sim **out);
IOMMUFD_API int iommufd_sim_open(struct iommufd_sim *sim, struct iommufd_ctx **out);
IOMMUFD_API void iommufd_sim_free(struct iommufd_sim *sim);
IOMMUFD_API int iommufd_sim_dma_write(struct iommufd_sim *sim, const char *device, uint64_t iova,
				      uint64_t len);
IOMMUFD_API long iommufd_sim_live_objects(const struct iommufd_sim *sim);
/* The n-th kernel call from now (1: the next) fails with -err, an errno 1..4095; n 0 disarms.
 * -EINVAL for any other err. */
IOMMUFD_API int iommufd_sim_fail_nth(struct iommufd_sim *sim, unsigned n, int err);
/* Why iommufd_sim_new() last failed in this thread (bad topology: names the key or line). */
IOMMUFD_API const char *iommufd_sim_last_error(void);
/*
 * Open a simulated device's cdev as a program opens /dev/vfio/devices/vfioN on the kernel
 * (device: its topology name or cdev path): an fd to give iommufd_device_from_fd(), or
 * -ENOENT (no such device), -EINVAL (NULL). The fd is the simulator's: close it with
 * iommufd_sim_close_cdev() (which unbinds its device, as closing a cdev does), not close();
 * iommufd_sim_free() of the last reference closes any left open.
 */
IOMMUFD_API int iommufd_sim_open_cdev(struct iommufd_sim *sim, const char *device);
/* 0, or -EBADF for an fd that is no device file of sim. */
IOMMUFD_API int iommufd_sim_close_cdev(struct iommufd_sim *sim, int fd);
/*
 * The simulated hardware's side of nesting, in the style of iommufd_sim_dma_write() (device:
 * a topology name; it must be bound, else -EINVAL; -ENODEV: no such device):
 * iommufd_sim_trigger_iopf: the device issues a page request (as IOMMU_TEST_OP_TRIGGER_IOPF):
 * it reaches the fault queue of the domain at pasid (0: the device itself), and none where
 * that domain has no fault queue. 0 or -errno.
 * iommufd_sim_trigger_vevent: the device's IOMMU reports an event for it to the vIOMMU of the
 * nested domain it is attached to (as IOMMU_TEST_OP_TRIGGER_VEVENT): the mock's event is the
 * device's virtual id (data NULL, len 0); an SMMUv3 event record is data (32 bytes; NULL: an
 * F_TRANSLATION record) with the vSID as its StreamID; both as the driver kept them at the
 * device's attach (a vDEVICE destroyed since still names it). 0, -ENOENT (attached without a
 * vDEVICE there, or a virtual id 0 on the mock), -EOPNOTSUPP (no vEVENTQ of the type; no
 * vIOMMU driver).
 */
IOMMUFD_API int iommufd_sim_trigger_iopf(struct iommufd_sim *sim, const char *device,
					 uint32_t pasid, uint32_t grpid, uint32_t perm,
					 uint64_t addr);
IOMMUFD_API int iommufd_sim_trigger_vevent(struct iommufd_sim *sim, const char *device,
					   const void *data, size_t len);
/*
 * The selftest mock driver's caches, as IOMMU_TEST_OP_MD_CHECK_IOTLB and _DEV_CHECK_CACHE read
 * them: entry idx (0..3) of the IOTLB of the mock nested domain device is attached to, or of
 * the device's own cache (invalidated through its vIOMMU). 0 and *value; -ENOENT (not on a
 * mock nested domain; not a mock device), -EOPNOTSUPP (the device cache on 6.12, whose mock
 * has none), -EINVAL (idx, NULL), as above for device.
 */
IOMMUFD_API int iommufd_sim_nested_iotlb(struct iommufd_sim *sim, const char *device,
					 unsigned idx, uint32_t *value);
IOMMUFD_API int iommufd_sim_device_cache(struct iommufd_sim *sim, const char *device,
					 unsigned idx, uint32_t *value);
/*
 * Live update on the simulator: a context of a second process, standing in for the new
 * process, on the simulated iommufd that fd refers to (a number of its own: one received
 * from the first context's, or a dup of it), with the same kernel objects and its own
 * accounting. The numbers the program holds that refer to simulated files and that the
 * simulator has not seen yet (received or dup'ed ones) become the new process's, so the
 * first process's closes leave those files open, as on the kernel. The context does not
 * close fd (iommufd_sim_close_fd() does). 0, or -EBADF (no simulated iommufd), -EBUSY
 * (fd is another context's number), -ENOMEM. It cannot show a real exec: see
 * docs/simulator.md.
 */
IOMMUFD_API int iommufd_sim_from_fd(struct iommufd_sim *sim, int fd, struct iommufd_ctx **out);
/* Close one number of a simulated file (an iommufd or a device), as close(2) does on the
 * kernel: the file closes with its last number. 0, or -EBADF. */
IOMMUFD_API int iommufd_sim_close_fd(struct iommufd_sim *sim, int fd);
/* The pages pinned for domains that count against the process holding fd (a context's
 * iommufd number). -EBADF for no simulated file. */
IOMMUFD_API long iommufd_sim_pinned_pages(struct iommufd_sim *sim, int fd);

/* ---- Devices --------------------------------------------------------- */

IOMMUFD_API int iommufd_device_open(struct iommufd_ctx *ctx, const char *name,
				    struct iommufd_device **out);
/*
 * Detach (leaving its container, or the domain it was attached to), unbind, free: dev is freed
 * whatever happens. A detach the kernel refuses is said in a WARN line (iommufd_set_log())
 * naming the device, the domain and the cause; unbinding detaches it all the same, except a
 * caller's fd (iommufd_device_from_fd()), attached until the caller closes it.
 */
IOMMUFD_API void iommufd_device_close(struct iommufd_device *dev);
/*
 * Bind a VFIO cdev fd the caller opened (or a manager passed) to the context; its name
 * comes from the fd's sysfs device. The fd stays the caller's: nothing in the library
 * closes it. iommufd_device_close() of such a device detaches it and forgets it, but the
 * fd stays open and bound (the kernel unbinds a cdev only when its fd is closed): it
 * cannot be given here again; close it and open the cdev anew to bind the device again.
 * 0, or -EBADF (fd not open), -ENODEV (no VFIO device cdev), -EINVAL (the fd is bound
 * already, or the device is bound through another cdev fd), -EBUSY (the device is in use
 * through its VFIO group), or the kernel's errno; nothing is changed on failure.
 */
IOMMUFD_API int iommufd_device_from_fd(struct iommufd_ctx *ctx, int cdev_fd,
				       struct iommufd_device **out);
/* The device's VFIO cdev fd, for the caller's own VFIO calls (regions, BAR mmap, IRQs,
 * reset); still the library's for a device it opened. -ENODEV for a selftest device. */
IOMMUFD_API int iommufd_device_fd(const struct iommufd_device *dev);
/*
 * Live update: take over a VFIO cdev fd that an earlier process bound to this context's
 * iommufd (inherited across exec or received), with the dev_id it got, without binding
 * it again. The fd stays the caller's, as with iommufd_device_from_fd(); the library
 * does not know what the device is attached to (iommufd_device_pt_id() is 0) until it
 * attaches it. Checks what the kernel lets it (docs/live-update.md): 0, or -EBADF,
 * -ENODEV (no VFIO cdev), -EINVAL (not bound; dev_id 0; the kernel reports another
 * dev_id for it), -ENOENT (dev_id is no device of this iommufd), -ENOTTY (a kernel
 * before 6.13: no live update), or the kernel's errno.
 */
IOMMUFD_API int iommufd_device_adopt(struct iommufd_ctx *ctx, int cdev_fd, uint32_t dev_id,
				     struct iommufd_device **out);
IOMMUFD_API uint32_t iommufd_device_id(const struct iommufd_device *dev);
IOMMUFD_API const char *iommufd_device_name(const struct iommufd_device *dev);
IOMMUFD_API bool iommufd_device_is_emulated(const struct iommufd_device *dev);
IOMMUFD_API int iommufd_device_dirty_capable(struct iommufd_device *dev);
IOMMUFD_API uint32_t iommufd_device_pt_id(const struct iommufd_device *dev);
/* The device's IOMMU instance (sysfs name, e.g. "dmar0"); "" for an emulated device. */
IOMMUFD_API const char *iommufd_device_iommu(const struct iommufd_device *dev);
/* The device's cdev path (/dev/vfio/devices/vfioN), or "" where it has none. */
IOMMUFD_API const char *iommufd_device_cdev(const struct iommufd_device *dev);
/* Attach the device directly to an IOAS or HWPT (replacing its current one), or detach it.
 * The container calls these; use them only for devices outside a container. */
IOMMUFD_API int iommufd_device_attach_pt(struct iommufd_device *dev, uint32_t pt_id);
IOMMUFD_API int iommufd_device_detach_pt(struct iommufd_device *dev);
enum { IOMMUFD_ATTACH_PASID = 1u << 0 };
/* Options of iommufd_device_attach_pt_opts (see IOMMUFD_OPTS). */
struct iommufd_attach_opts {
	size_t size;    /* sizeof(struct iommufd_attach_opts) */
	uint32_t flags; /* IOMMUFD_ATTACH_PASID: attach only the device's PASID pasid */
	uint32_t pasid;
};
/* Options of iommufd_device_detach_pt_opts (see IOMMUFD_OPTS). */
struct iommufd_detach_opts {
	size_t size;    /* sizeof(struct iommufd_detach_opts) */
	uint32_t flags; /* IOMMUFD_ATTACH_PASID: detach only the device's PASID pasid */
	uint32_t pasid;
};
/*
 * iommufd_device_attach_pt/detach_pt with options (NULL: the same calls). With
 * IOMMUFD_ATTACH_PASID they attach (or replace) and detach one PASID of the device, which
 * leaves iommufd_device_pt_id() as it is; iommufd_device_close() does not detach PASIDs
 * (unbinding, when the library closes the device's file, does). 0 or -errno: -EINVAL for
 * bad opts (unknown flags, a pasid without the flag, PASID 0: the device itself); -EBUSY
 * for a device in a container; kernels before VFIO_DEVICE_ATTACH_PASID (6.12 among them)
 * answer -EINVAL to any PASID, and -EOPNOTSUPP for a selftest device (7.3 has PASID test
 * ops). A PASID takes a domain made with IOMMUFD_HWPT_PASID (an IOAS: -EINVAL).
 */
IOMMUFD_API int iommufd_device_attach_pt_opts(struct iommufd_device *dev, uint32_t pt_id,
					      const struct iommufd_attach_opts *opts);
IOMMUFD_API int iommufd_device_detach_pt_opts(struct iommufd_device *dev,
					      const struct iommufd_detach_opts *opts);

/* One device the host (or simulated topology) offers, for listing. */
struct iommufd_device_desc {
	char name[64];    /* PCI address, mdev uuid, or topology name */
	char cdev[64];    /* /dev/vfio/devices/vfioN */
	char driver[64];  /* the IOMMU driver, e.g. "intel-vtd"; "" for emulated */
	char iommu[64];   /* the IOMMU instance, e.g. "dmar0"; "" for emulated */
	bool emulated;
};
/* Fills up to max descriptions; returns how many devices there are (may exceed max). */
IOMMUFD_API int iommufd_list_devices(struct iommufd_ctx *ctx, struct iommufd_device_desc *out,
				     unsigned max);
/*
 * Every device, in one malloc'd array (release it with free()); returns how many (0: *out
 * may be NULL) or -errno with *out NULL. desc_size: sizeof(struct iommufd_device_desc) as
 * the caller was built; each element is desc_size bytes (fields the library does not know
 * are zero). -EINVAL for a desc_size smaller than the struct's first version.
 */
IOMMUFD_API int iommufd_list_devices_all(struct iommufd_ctx *ctx,
					 struct iommufd_device_desc **out, size_t desc_size);
/*
 * What name means, without opening or binding it: the description iommufd_list_devices()
 * gives of that device. Two names of one device (a PCI address and its cdev path, say) give
 * the same cdev. desc_size as for iommufd_list_devices_all(). 0, or -ENOENT (no such
 * device), -ENODEV (no VFIO cdev), -EINVAL (NULL, "", a selftest name: its mock device is
 * made by the open; desc_size too small).
 */
IOMMUFD_API int iommufd_device_describe(struct iommufd_ctx *ctx, const char *name,
					struct iommufd_device_desc *out, size_t desc_size);

/* What iommufd_device_caps() found (flags of struct iommufd_device_caps). */
enum {
	IOMMUFD_DEVICE_CAP_DIRTY_TRACKING = 1u << 0,    /* its IOMMU tracks dirty pages */
	IOMMUFD_DEVICE_CAP_NEST_PARENT = 1u << 1,       /* its IOMMU makes nest-parent domains */
	IOMMUFD_DEVICE_CAP_NEST_PARENT_DIRTY = 1u << 2, /* ... nest parents tracking dirty pages */
	IOMMUFD_DEVICE_CAP_VIOMMU = 1u << 3, /* the kernel has vIOMMU objects (VIOMMU_ALLOC) */
	/* its IOMMU driver makes vIOMMUs of its own type (SMMUv3, the selftest mock; not VT-d) */
	IOMMUFD_DEVICE_CAP_VIOMMU_DRIVER = 1u << 4,
};
/* Written by iommufd_device_caps (see IOMMUFD_OPTS): members as far as size reaches. */
struct iommufd_device_caps {
	size_t size;              /* sizeof(struct iommufd_device_caps) */
#if SIZE_MAX == UINT32_MAX
	uint32_t size_pad;        /* not read: each member below where 64-bit arches have it */
#endif
	uint32_t flags;           /* out: IOMMUFD_DEVICE_CAP_* */
	uint32_t hw_info_type;    /* out: the IOMMU driver's data type (IOMMU_HW_INFO_TYPE_*), the
				   * type of a vIOMMU's and a nested domain's data; 0: none */
	uint64_t hw_capabilities; /* out: IOMMUFD_HW_CAP_* and any newer bits, as the kernel says */
	uint8_t max_pasid_log2;   /* out: the device's PASID width; 0: no PASID */
	uint8_t reserved[7];      /* 0 */
};
/*
 * What dev's IOMMU and kernel offer, learnt from the kernel: GET_HW_INFO, then what it
 * cannot say, asked by doing it once: a nest-parent HWPT (with dirty tracking too, where
 * the IOMMU tracks dirty pages) on a scratch IOAS, destroyed at once (EOPNOTSUPP: no), a
 * vIOMMU of the driver's type over such a nest parent, destroyed at once (EOPNOTSUPP or
 * ENOTTY: no; ENOTTY also says the kernel has no vIOMMU objects, as on 6.12), and where no
 * such vIOMMU was tried, a vIOMMU of the reserved type no kernel makes (ENOTTY: no vIOMMU
 * objects).
 * An emulated device has no IOMMU: only IOMMUFD_DEVICE_CAP_VIOMMU is asked. 0 or -errno:
 * -EINVAL for a NULL or bad caps; the kernel's errno where a call fails otherwise (nothing
 * made is left).
 */
IOMMUFD_API int iommufd_device_caps(struct iommufd_device *dev, struct iommufd_device_caps *caps);

/* ---- Objects: one call per kernel command (no policy) ---------------- */

struct iommufd_iova_range {
	uint64_t start;
	uint64_t last;
};

enum {
	IOMMUFD_MAP_FIXED_IOVA = 1u << 0, /* map at *iova; otherwise the kernel picks and returns it */
	IOMMUFD_MAP_READONLY = 1u << 1,   /* device may read, not write */
};

IOMMUFD_API int iommufd_ioas_alloc(struct iommufd_ctx *ctx, uint32_t *ioas_id);
IOMMUFD_API int iommufd_destroy(struct iommufd_ctx *ctx, uint32_t id);
/* Allowed IOVA ranges: fills up to max, returns how many there are (may exceed max). */
IOMMUFD_API int iommufd_ioas_iova_ranges(struct iommufd_ctx *ctx, uint32_t ioas_id,
					 struct iommufd_iova_range *out, unsigned max,
					 uint64_t *alignment);
/* All of them, in one malloc'd array (release it with free()); returns how many (0: *out
 * may be NULL) or -errno with *out NULL. alignment may be NULL. */
IOMMUFD_API int iommufd_ioas_iova_ranges_all(struct iommufd_ctx *ctx, uint32_t ioas_id,
					     struct iommufd_iova_range **out,
					     uint64_t *alignment);
IOMMUFD_API int iommufd_ioas_allow_iovas(struct iommufd_ctx *ctx, uint32_t ioas_id,
					 const struct iommufd_iova_range *ranges, unsigned n);
IOMMUFD_API int iommufd_ioas_map(struct iommufd_ctx *ctx, uint32_t ioas_id, void *va,
				 uint64_t len, uint64_t *iova, uint32_t flags);
/*
 * IOAS_MAP_FILE: map len bytes of the file fd from byte offset (a memfd; newer kernels take
 * some dma-bufs), as iommufd_ioas_map() maps memory. The kernel holds the file: fd may be
 * closed afterwards. 0 or -errno; Linux 6.13 and later: older kernels answer -ENOTTY.
 */
IOMMUFD_API int iommufd_ioas_map_file(struct iommufd_ctx *ctx, uint32_t ioas_id, int fd,
				      uint64_t offset, uint64_t len, uint64_t *iova,
				      uint32_t flags);
/* *unmapped (may be NULL): bytes unmapped. iova 0, len UINT64_MAX unmaps all. */
IOMMUFD_API int iommufd_ioas_unmap(struct iommufd_ctx *ctx, uint32_t ioas_id, uint64_t iova,
				   uint64_t len, uint64_t *unmapped);
IOMMUFD_API int iommufd_ioas_copy(struct iommufd_ctx *ctx, uint32_t dst_ioas_id,
				  uint32_t src_ioas_id, uint64_t src_iova, uint64_t len,
				  uint64_t *dst_iova, uint32_t flags);

enum {
	IOMMUFD_HWPT_NEST_PARENT = 1u << 0,
	IOMMUFD_HWPT_DIRTY_TRACKING = 1u << 1,
	IOMMUFD_HWPT_PASID = 1u << 2, /* may serve PASIDs (IOMMU_HWPT_ALLOC_PASID; not on 6.12) */
};
IOMMUFD_API int iommufd_hwpt_alloc(struct iommufd_ctx *ctx, uint32_t dev_id, uint32_t pt_id,
				   uint32_t flags, uint32_t *hwpt_id);
struct iommufd_hw_info {
	uint32_t type;         /* IOMMU_HW_INFO_TYPE_*: 0 none, 1 Intel VT-d, 2 ARM SMMUv3 */
	uint64_t capabilities; /* IOMMU_HW_CAP_*: bit 0 dirty tracking */
};
IOMMUFD_API int iommufd_get_hw_info(struct iommufd_ctx *ctx, uint32_t dev_id,
				    struct iommufd_hw_info *out);
/* Options of iommufd_hwpt_alloc_opts (see IOMMUFD_OPTS). */
struct iommufd_hwpt_alloc_opts {
	size_t size;        /* sizeof(struct iommufd_hwpt_alloc_opts) */
	uint32_t flags;     /* IOMMUFD_HWPT_* */
	uint32_t data_type; /* the kernel's IOMMU_HWPT_DATA_* of data; 0: none */
	const void *data;   /* the driver's data (e.g. struct iommu_hwpt_vtd_s1), data_len bytes */
	uint32_t data_len;
	uint32_t fault_id;  /* a fault queue (IOMMU_FAULT_QUEUE_ALLOC) to report to; 0: none */
};
/* iommufd_hwpt_alloc with the kernel's data type, driver data and fault queue (NULL opts:
 * the same call). 0 or -errno: -EINVAL for bad opts (data and data_len go together: one
 * without the other is refused before the kernel is asked); the kernel's errno otherwise
 * (-EINVAL for a data_type without data_len or data_len without data_type). */
IOMMUFD_API int iommufd_hwpt_alloc_opts(struct iommufd_ctx *ctx, uint32_t dev_id,
					uint32_t pt_id,
					const struct iommufd_hwpt_alloc_opts *opts,
					uint32_t *hwpt_id);
enum {
	IOMMUFD_HW_CAP_DIRTY_TRACKING = 1u << 0,
	IOMMUFD_HW_CAP_PCI_PASID_EXEC = 1u << 1, /* meaningful with a PASID width */
	IOMMUFD_HW_CAP_PCI_PASID_PRIV = 1u << 2,
};
/* In and out of iommufd_get_hw_info_opts, read and written as the kernel's struct
 * iommu_hw_info is (see IOMMUFD_OPTS): out_ members as far as size reaches. */
struct iommufd_hw_info_opts {
	size_t size;                 /* sizeof(struct iommufd_hw_info_opts) */
	uint32_t data_type;          /* in: the IOMMU_HW_INFO_TYPE_* wanted; 0: the IOMMU's own */
	uint32_t data_len;           /* in: bytes at data; out: the size of the IOMMU's data */
	void *data;                  /* in: where the driver's data goes (e.g. struct
				      * iommu_hw_info_vtd: VT-d's cap and ecap registers) */
	uint32_t out_data_type;      /* out: the IOMMU_HW_INFO_TYPE_* of that data */
	uint8_t out_max_pasid_log2;  /* out: the device's PASID width; 0: no PASID */
	uint8_t reserved[3];         /* 0 */
	uint64_t out_capabilities;   /* out: IOMMUFD_HW_CAP_* */
};
/*
 * GET_HW_INFO with the driver's data: up to data_len bytes of it into data (the rest of a
 * larger buffer zeroed), the full size in data_len. 0 or -errno: -EINVAL for a NULL opts or
 * bad opts; a data_type other than 0 needs a kernel newer than 6.12 (-EOPNOTSUPP there).
 */
IOMMUFD_API int iommufd_get_hw_info_opts(struct iommufd_ctx *ctx, uint32_t dev_id,
					 struct iommufd_hw_info_opts *opts);
IOMMUFD_API int iommufd_hwpt_set_dirty_tracking(struct iommufd_ctx *ctx, uint32_t hwpt_id,
						bool enable);
enum { IOMMUFD_DIRTY_NO_CLEAR = 1u << 0 };
/* Sets (never clears) bit i of bitmap for each dirty page iova + i*page_size. */
IOMMUFD_API int iommufd_hwpt_get_dirty_bitmap(struct iommufd_ctx *ctx, uint32_t hwpt_id,
					      uint64_t iova, uint64_t len, uint64_t page_size,
					      uint64_t *bitmap, uint32_t flags);

/* ---- Nesting: vIOMMUs, nested domains, event queues ------------------ */
/*
 * One call per kernel command; type and data_type are the kernel's own values (e.g.
 * IOMMU_VIOMMU_TYPE_ARM_SMMUV3, IOMMU_HWPT_DATA_VTD_S1, the selftest's 0xdeadbeef and 0xdead).
 * Each returns 0 or -errno. A kernel without the command answers -ENOTTY, passed through with
 * a message naming the kernel that has it: vIOMMUs and vDEVICEs came with Linux 6.13, vEVENTQs
 * with 6.15; 6.12 has nested domains from a nest parent, HWPT_INVALIDATE and fault queues.
 */
/* A vIOMMU for dev's IOMMU over a nest-parent HWPT; data goes in and the driver's outputs come
 * back in it (data_len bytes; NULL and 0 for none). */
IOMMUFD_API int iommufd_viommu_alloc(struct iommufd_ctx *ctx, uint32_t dev_id,
				     uint32_t nest_parent_hwpt_id, uint32_t type, void *data,
				     size_t data_len, uint32_t *viommu_id);
/* dev's virtual id (the guest's stream or requester id) on a vIOMMU of its IOMMU. */
IOMMUFD_API int iommufd_vdevice_alloc(struct iommufd_ctx *ctx, uint32_t viommu_id,
				      uint32_t dev_id, uint64_t virt_id, uint32_t *vdevice_id);
/* A nested (stage-1) domain from the guest's data over parent_id, a nest-parent HWPT or a
 * vIOMMU; flags IOMMUFD_HWPT_PASID (or 0). A fault queue: iommufd_hwpt_alloc_opts(). */
IOMMUFD_API int iommufd_hwpt_alloc_nested(struct iommufd_ctx *ctx, uint32_t dev_id,
					  uint32_t parent_id, uint32_t flags, uint32_t data_type,
					  const void *data, size_t data_len, uint32_t *hwpt_id);
/* HWPT_INVALIDATE of a nested HWPT or a vIOMMU: *n entries of entry_len bytes in; out, how
 * many the kernel handled (also when it fails part-way). *n 0 asks whether the type is taken. */
IOMMUFD_API int iommufd_hwpt_invalidate(struct iommufd_ctx *ctx, uint32_t id, uint32_t data_type,
					const void *entries, uint32_t entry_len, uint32_t *n);

/*
 * Event queues come with a file: its fd reads (and, for faults, writes) the queue, and polls
 * readable while something waits. Close it with iommufd_eventq_close() (on any kernel, the
 * simulator's included), then iommufd_destroy() the queue's id (-EBUSY while the fd is open).
 */
IOMMUFD_API int iommufd_fault_queue_alloc(struct iommufd_ctx *ctx, uint32_t *fault_id, int *fd);
IOMMUFD_API int iommufd_eventq_close(struct iommufd_ctx *ctx, int fd);
enum {
	IOMMUFD_FAULT_PASID_VALID = 1u << 0,
	IOMMUFD_FAULT_LAST_PAGE = 1u << 1, /* the last fault of its group */
};
enum {
	IOMMUFD_FAULT_PERM_READ = 1u << 0,
	IOMMUFD_FAULT_PERM_WRITE = 1u << 1,
	IOMMUFD_FAULT_PERM_EXEC = 1u << 2,
	IOMMUFD_FAULT_PERM_PRIV = 1u << 3,
};
/* One I/O page fault, as the kernel reports it (struct iommu_hwpt_pgfault). */
struct iommufd_fault {
	uint32_t flags;    /* IOMMUFD_FAULT_* */
	uint32_t dev_id;
	uint32_t pasid;
	uint32_t grpid;
	uint32_t perm;     /* IOMMUFD_FAULT_PERM_* */
	uint32_t reserved;
	uint64_t addr;
	uint32_t length;   /* a hint; 0 when none */
	uint32_t cookie;   /* answer the group with it (the last fault's) */
};
/* Up to max faults, whole groups, from a fault queue's fd: how many (0: none waiting); -EINVAL
 * when max cannot hold the first group. */
IOMMUFD_API int iommufd_fault_read(struct iommufd_ctx *ctx, int fd, struct iommufd_fault *out,
				   unsigned max);
enum {
	IOMMUFD_FAULT_RESP_SUCCESS = 0, /* the page tables are fixed: retry */
	IOMMUFD_FAULT_RESP_INVALID = 1, /* could not be handled */
};
/* Answer a fault group (its cookie): 0, -EINVAL for an unknown cookie or code. */
IOMMUFD_API int iommufd_fault_respond(struct iommufd_ctx *ctx, int fd, uint32_t cookie,
				      uint32_t code);
/* A vEVENTQ of a type (e.g. IOMMU_VEVENTQ_TYPE_ARM_SMMUV3) on a vIOMMU, depth events deep. */
IOMMUFD_API int iommufd_veventq_alloc(struct iommufd_ctx *ctx, uint32_t viommu_id, uint32_t type,
				      uint32_t depth, uint32_t *veventq_id, int *fd);
enum { IOMMUFD_VEVENT_LOST_EVENTS = 1u << 0 };
/* One entry of a vEVENTQ: an event, or (IOMMUFD_VEVENT_LOST_EVENTS) a header saying the full
 * queue lost events, which has no data. */
struct iommufd_vevent {
	uint32_t flags;    /* IOMMUFD_VEVENT_LOST_EVENTS */
	uint32_t sequence; /* 0 .. INT32_MAX, then 0 again */
	uint32_t lost;     /* events lost just before this entry (a header counts its own) */
	uint32_t reserved;
};
/*
 * Read what a vEVENTQ holds: up to max entries into ev, each event's data into data +
 * i * event_len (event_len: the size of the queue type's record, e.g. sizeof(struct
 * iommu_vevent_arm_smmuv3); a header's is zeroed). Returns how many (0: none waiting).
 * next_seq (may be NULL): in, the sequence the next event should have (0 for a new queue);
 * out, the one after the last entry read; from it each entry's lost is counted.
 */
IOMMUFD_API int iommufd_veventq_read(struct iommufd_ctx *ctx, int fd, uint32_t event_len,
				     struct iommufd_vevent *ev, void *data, unsigned max,
				     uint32_t *next_seq);

/* ---- Containers: one IOAS and its automatic IOMMU domains ------------ */

enum {
	IOMMUFD_CONTAINER_DIRTY_TRACKING = 1u << 0,
	IOMMUFD_CONTAINER_NEST_PARENT = 1u << 1,
};
IOMMUFD_API int iommufd_container_new(struct iommufd_ctx *ctx, uint32_t flags,
				      struct iommufd_container **out);
IOMMUFD_API void iommufd_container_free(struct iommufd_container *c);
IOMMUFD_API uint32_t iommufd_container_ioas_id(const struct iommufd_container *c);
IOMMUFD_API int iommufd_container_attach(struct iommufd_container *c, struct iommufd_device *dev);
IOMMUFD_API int iommufd_container_detach(struct iommufd_container *c, struct iommufd_device *dev);
IOMMUFD_API int iommufd_container_map(struct iommufd_container *c, void *va, uint64_t iova,
				      uint64_t len, bool readonly);
/* iommufd_container_map of len bytes of the file fd from byte offset (IOAS_MAP_FILE: a
 * memfd; Linux 6.13 or later, -ENOTTY before). */
IOMMUFD_API int iommufd_container_map_file(struct iommufd_container *c, int fd, uint64_t offset,
					   uint64_t iova, uint64_t len, bool readonly);
/* One mapping for iommufd_container_map_opts (see IOMMUFD_OPTS): every range by name. */
struct iommufd_map_opts {
	size_t size;     /* sizeof(struct iommufd_map_opts) */
	void *va;        /* the memory to map; NULL: the file fd from offset */
	uint64_t iova;   /* where devices see it */
	uint64_t length; /* bytes */
	uint64_t offset; /* with va NULL: the byte of the file at iova */
	int32_t fd;      /* with va NULL: the file (a memfd) */
	uint32_t flags;  /* IOMMUFD_MAP_READONLY */
};
/* iommufd_container_map or _map_file, as opts says. 0 or -errno: -EINVAL for a NULL or bad
 * opts (va with a file, unknown flags), as those calls otherwise. */
IOMMUFD_API int iommufd_container_map_opts(struct iommufd_container *c,
					   const struct iommufd_map_opts *opts);
IOMMUFD_API int iommufd_container_unmap(struct iommufd_container *c, uint64_t iova, uint64_t len);
IOMMUFD_API int iommufd_container_set_dirty_tracking(struct iommufd_container *c, bool enable);
IOMMUFD_API int iommufd_container_read_dirty(struct iommufd_container *c, uint64_t iova,
					     uint64_t len, uint64_t page_size, uint64_t *bitmap,
					     uint32_t flags);
/* Options of iommufd_container_read_dirty_bitmap (see IOMMUFD_OPTS). */
struct iommufd_read_dirty_opts {
	size_t size;       /* sizeof(struct iommufd_read_dirty_opts) */
	uint32_t flags;    /* IOMMUFD_DIRTY_NO_CLEAR */
	uint32_t reserved; /* 0 */
};
/* iommufd_container_read_dirty with the bitmap's size in bytes: one too small for
 * len / page_size bits (in whole u64 words) is refused with -ENOSPC, nothing read or
 * cleared. Returns the number of dirty pages reported. */
IOMMUFD_API int iommufd_container_read_dirty_bitmap(struct iommufd_container *c, uint64_t iova,
						    uint64_t len, uint64_t page_size,
						    uint64_t *bitmap, size_t bitmap_size,
						    const struct iommufd_read_dirty_opts *opts);
IOMMUFD_API int iommufd_container_dirty_status(struct iommufd_container *c);
/* 1: dev is covered by IOMMU dirty tracking in c; 0: it is not, and why (if len) says why,
 * e.g. "IOMMU dmar1 has no dirty tracking"; -EINVAL: dev is not in c. */
IOMMUFD_API int iommufd_container_device_covered(struct iommufd_container *c,
						 struct iommufd_device *dev, char *why, size_t len);

enum {
	IOMMUFD_DOMAIN_DIRTY_TRACKING = 1u << 0,
	IOMMUFD_DOMAIN_NEST_PARENT = 1u << 1,
};
struct iommufd_domain_info {
	uint32_t hwpt_id;
	uint32_t flags; /* IOMMUFD_DOMAIN_* */
	unsigned ndevices;
};
/* The domain's features in words: "plain", "dirty-tracking", "nest-parent" or
 * "nest-parent+dirty-tracking" (unknown flags are left out); a static string. */
IOMMUFD_API const char *iommufd_domain_flags_str(uint32_t flags);
/* Fills up to max; returns how many domains there are (may exceed max). */
IOMMUFD_API int iommufd_container_domains(struct iommufd_container *c,
					  struct iommufd_domain_info *out, unsigned max);
/* Every domain, in one malloc'd array (release it with free()); returns how many (0: *out
 * may be NULL) or -errno with *out NULL. info_size: sizeof(struct iommufd_domain_info) as the
 * caller was built, as for iommufd_list_devices_all(). */
IOMMUFD_API int iommufd_container_domains_all(struct iommufd_container *c,
					      struct iommufd_domain_info **out, size_t info_size);

/*
 * Nesting in a container made with IOMMUFD_CONTAINER_NEST_PARENT, as a VMM with an
 * accelerated vIOMMU does it: one vIOMMU per (IOMMU instance, nest-parent domain) where the
 * driver has one (SMMUv3, the selftest mock; VT-d nests from its nest parent), a vDEVICE per
 * device with the virtual id given, a stage-1 domain per device from the guest's data. When
 * a device leaves the container its stage-1 domain and vDEVICE go, and with the last device of
 * a vIOMMU the vIOMMU, leaves first. Dirty tracking stays in the nest parents: no dirty bit is
 * lost while devices move between stage-1 domains. 0 or -errno: -EOPNOTSUPP for a container
 * made without NEST_PARENT, -EINVAL for a device not in c or without a domain (emulated).
 */
/* dev (already in c) moves onto a stage-1 domain made from the guest's data over its
 * nest-parent domain (through a vIOMMU where the IOMMU driver offers one); calling again
 * replaces it; dirty tracking keeps covering dev through its nest parent */
IOMMUFD_API int iommufd_container_attach_nested(struct iommufd_container *c,
						struct iommufd_device *dev, uint32_t data_type,
						const void *data, size_t data_len);
/* Options of iommufd_container_attach_nested_opts (see IOMMUFD_OPTS). */
struct iommufd_nested_opts {
	size_t size;       /* sizeof(struct iommufd_nested_opts) */
	uint32_t flags;    /* 0 */
	uint32_t fault_id; /* a fault queue for the stage-1 domain's page faults; 0: none */
};
/* iommufd_container_attach_nested with options (NULL: the same call). */
IOMMUFD_API int iommufd_container_attach_nested_opts(struct iommufd_container *c,
						     struct iommufd_device *dev,
						     uint32_t data_type, const void *data,
						     size_t data_len,
						     const struct iommufd_nested_opts *opts);
/* back onto its nest-parent domain (0 and nothing done when it is there) */
IOMMUFD_API int iommufd_container_detach_nested(struct iommufd_container *c,
						struct iommufd_device *dev);
/* dev's virtual id: its vDEVICE on the vIOMMU of its IOMMU and nest parent (made when needed).
 * Once per device: -EEXIST for another id (or one another device has); -EOPNOTSUPP where the
 * driver has no vIOMMU (VT-d); -ENOTTY from kernels before 6.13. */
IOMMUFD_API int iommufd_container_set_virt_id(struct iommufd_container *c,
					      struct iommufd_device *dev, uint64_t virt_id);
enum { IOMMUFD_INVALIDATE_DOMAIN = 1u << 0 };
/* HWPT_INVALIDATE for dev's caches: through its vIOMMU where it has one, else (or with
 * IOMMUFD_INVALIDATE_DOMAIN) its stage-1 domain; *n in and out as iommufd_hwpt_invalidate(). */
IOMMUFD_API int iommufd_container_invalidate(struct iommufd_container *c,
					     struct iommufd_device *dev, uint32_t flags,
					     uint32_t data_type, const void *entries,
					     uint32_t entry_len, uint32_t *n);
/* Where dev stands in c's nesting, filled as far as size reaches (see IOMMUFD_OPTS). */
struct iommufd_nesting_info {
	size_t size;          /* sizeof(struct iommufd_nesting_info) */
#if SIZE_MAX == UINT32_MAX
	uint32_t size_pad;    /* not read: each member below where 64-bit arches have it */
#endif
	uint32_t parent_id;   /* its nest-parent domain */
	uint32_t hwpt_id;     /* its stage-1 domain; 0: on its nest parent */
	uint32_t viommu_id;   /* the vIOMMU it is behind; 0: none (not needed yet, or none) */
	uint32_t viommu_type; /* the kernel's IOMMU_VIOMMU_TYPE_* */
	uint32_t vdevice_id;  /* 0: no virtual id given */
	uint32_t reserved;    /* 0 */
	uint64_t virt_id;     /* with vdevice_id */
};
/* 0 or -errno: -EOPNOTSUPP for a container made without IOMMUFD_CONTAINER_NEST_PARENT,
 * -EINVAL for a bad info or a device not in c or with no domain of its own (emulated). */
IOMMUFD_API int iommufd_container_nesting(struct iommufd_container *c,
					  struct iommufd_device *dev,
					  struct iommufd_nesting_info *info);

/* ---- Live update: a new process takes the container over ------------ */

/*
 * The sequence (docs/live-update.md): the old process maps guest memory from memfds
 * (iommufd_container_map_file), saves the container and hands its files over, the new
 * process restores it around the same kernel objects and calls iommufd_change_process();
 * the devices' DMA and dirty tracking go on throughout. Every call here answers -ENOTTY,
 * naming the kernel it needs, on kernels without IOMMU_IOAS_CHANGE_PROCESS (before 6.13).
 */
/*
 * Write to fd (at its position) what a new process needs to take c over: the kernel
 * object ids, the domains and their members, the refusals learnt, the mappings (file,
 * offset, IOVA, length, read-only), the tracking state and the dirty pages not yet
 * reported. A versioned, checksummed format. 0 or -errno (of the kernel, or of write(2)).
 */
IOMMUFD_API int iommufd_container_save(struct iommufd_container *c, int fd);
/*
 * In the new process: read a state from fd (at its position) and make the same container
 * around the same kernel objects, creating and destroying none, its devices taken over:
 * VFIO devices through their cdev fds at the numbers the state names (those they had,
 * inherited across exec; iommufd_handover_recv() renumbers), selftest devices by id.
 * Everything is checked with the kernel first; a failure changes nothing. 0, or -EBADMSG
 * (truncated, corrupted, malformed), -EINVAL (not a state; an fd that is not the device's,
 * or not bound), -EPROTONOSUPPORT (a newer version), -EBUSY (restored already into this
 * context), -ENOENT (an object or mapping gone), -ESTALE (the kernel's IOAS or a device
 * no longer as saved), -ENOTTY, or the kernel's errno.
 */
IOMMUFD_API int iommufd_container_restore(struct iommufd_ctx *ctx, int fd,
					  struct iommufd_container **out);
/*
 * The container's devices, restored ones included (the caller closes them as usual);
 * fills up to max and returns how many there are (may exceed max).
 */
IOMMUFD_API int iommufd_container_devices(struct iommufd_container *c,
					  struct iommufd_device **out, unsigned max);
/*
 * IOMMU_IOAS_CHANGE_PROCESS: the pinned pages of every mapping of the context's iommufd
 * now count against the calling process. Only mappings of files move: a mapping of user
 * memory makes it fail with -EINVAL (the message names it) and nothing changes. 0 or
 * -errno; -ENOTTY before Linux 6.13.
 */
IOMMUFD_API int iommufd_change_process(struct iommufd_ctx *ctx);
/*
 * The files a new process needs to take c over: the iommufd first, then each device's
 * VFIO cdev fd (a selftest device has none). Fills up to max, returns how many there are.
 */
IOMMUFD_API int iommufd_container_fds(struct iommufd_container *c, int *fds, unsigned max);
/*
 * Hand c over on sock, a connected unix stream socket: its files and its state (saved
 * into a memfd), in one message (SCM_RIGHTS) that iommufd_handover_recv() takes; the
 * program may go on using the socket. c stays as it is; once the new process has
 * restored it, iommufd_container_forget() it. 0 or -errno.
 */
IOMMUFD_API int iommufd_container_send(struct iommufd_container *c, int sock);
/*
 * The new process: receive a handover from sock, reading nothing past it. Each device
 * file goes to the number it had in the sender where that is free here, else stays where
 * it arrived, and the state is rewritten to say so; all are O_CLOEXEC. *iommufd_fd: for
 * iommufd_from_fd(); *state_fd: for iommufd_container_restore() (a memfd at its start;
 * close both when done, and the devices' files after iommufd_device_close()). 0, or
 * -errno with the reason in why (len bytes; may be NULL), nothing kept.
 */
IOMMUFD_API int iommufd_handover_recv(int sock, int *iommufd_fd, int *state_fd, char *why,
				      size_t len);
/*
 * The exec variant: save c into a new memfd (*state_fd, at its start) and clear
 * FD_CLOEXEC on exactly the files the new program needs, the iommufd, c's device files
 * and that memfd; every other file the library opened stays O_CLOEXEC. Give the new
 * program iommufd_fd() and *state_fd (its command line, say). 0 or -errno.
 */
IOMMUFD_API int iommufd_container_exec_prepare(struct iommufd_container *c, int *state_fd);
/*
 * The old process, once the new one has restored c: free c without touching the kernel;
 * its domains, mappings and dirty bits stay for the new process. Its devices are handed
 * over with it: iommufd_device_close() of each then frees memory only, leaving their
 * files open (the process's exit closes its copies). After
 * iommufd_container_exec_prepare() no cleanup is needed: exec right away.
 */
IOMMUFD_API void iommufd_container_forget(struct iommufd_container *c);

/* ---- Kernel selftest devices (CONFIG_IOMMUFD_TEST kernels) ----------- */

/*
 * iommufd_device_open() takes "selftest" (a mock device whose IOMMU tracks dirty
 * pages), "selftest:no-dirty" and "selftest:pasid" (7.3: one with 20-bit PASIDs);
 * each call makes a new mock device.
 * iommufd_selftest_dirty() marks [iova, iova+len) dirty in the domain the device
 * is attached to, as its DMA would (IOMMU_TEST_OP_DIRTY; on a stage-1 domain of a
 * container, in its nest parent, where the device's writes land). Returns the kernel's
 * count of 2 KiB mock IO pages: the mapped ones it marked on 6.12 (0 where nothing
 * is mapped), every page of the range on 7.x (docs/kernels.md); -ENODEV for
 * a device that is not a selftest device, -EINVAL when it is not attached or
 * len is 0, -EOVERFLOW when the range wraps.
 */
IOMMUFD_API int iommufd_selftest_dirty(struct iommufd_device *dev, uint64_t iova, uint64_t len);
/* true for the names above, exactly: each open of one makes a new device, so a program
 * may give one several times (any other device binds once). false for NULL. */
IOMMUFD_API bool iommufd_is_selftest_name(const char *name);
/* true if dev is a kernel selftest mock device (opened by one of those names) */
IOMMUFD_API bool iommufd_device_is_selftest(const struct iommufd_device *dev);

#ifdef __cplusplus
}
#endif
#endif
