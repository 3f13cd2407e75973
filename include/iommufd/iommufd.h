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
 * IOMMUFD_TRACE=1 in the environment turns trace lines on (to fn or stderr) in any case.
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

/* ---- Devices --------------------------------------------------------- */

IOMMUFD_API int iommufd_device_open(struct iommufd_ctx *ctx, const char *name,
				    struct iommufd_device **out);
IOMMUFD_API void iommufd_device_close(struct iommufd_device *dev);
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
/* *unmapped (may be NULL): bytes unmapped. iova 0, len UINT64_MAX unmaps all. */
IOMMUFD_API int iommufd_ioas_unmap(struct iommufd_ctx *ctx, uint32_t ioas_id, uint64_t iova,
				   uint64_t len, uint64_t *unmapped);
IOMMUFD_API int iommufd_ioas_copy(struct iommufd_ctx *ctx, uint32_t dst_ioas_id,
				  uint32_t src_ioas_id, uint64_t src_iova, uint64_t len,
				  uint64_t *dst_iova, uint32_t flags);

enum {
	IOMMUFD_HWPT_NEST_PARENT = 1u << 0,
	IOMMUFD_HWPT_DIRTY_TRACKING = 1u << 1,
};
IOMMUFD_API int iommufd_hwpt_alloc(struct iommufd_ctx *ctx, uint32_t dev_id, uint32_t pt_id,
				   uint32_t flags, uint32_t *hwpt_id);
struct iommufd_hw_info {
	uint32_t type;         /* IOMMU_HW_INFO_TYPE_*: 0 none, 1 Intel VT-d, 2 ARM SMMUv3 */
	uint64_t capabilities; /* IOMMU_HW_CAP_*: bit 0 dirty tracking */
};
IOMMUFD_API int iommufd_get_hw_info(struct iommufd_ctx *ctx, uint32_t dev_id,
				    struct iommufd_hw_info *out);
IOMMUFD_API int iommufd_hwpt_set_dirty_tracking(struct iommufd_ctx *ctx, uint32_t hwpt_id,
						bool enable);
enum { IOMMUFD_DIRTY_NO_CLEAR = 1u << 0 };
/* Sets (never clears) bit i of bitmap for each dirty page iova + i*page_size. */
IOMMUFD_API int iommufd_hwpt_get_dirty_bitmap(struct iommufd_ctx *ctx, uint32_t hwpt_id,
					      uint64_t iova, uint64_t len, uint64_t page_size,
					      uint64_t *bitmap, uint32_t flags);

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

/* ---- Kernel selftest devices (CONFIG_IOMMUFD_TEST kernels) ----------- */

/*
 * iommufd_device_open() takes "selftest" (a mock device whose IOMMU tracks dirty
 * pages) and "selftest:no-dirty"; each call makes a new mock device.
 * iommufd_selftest_dirty() marks [iova, iova+len) dirty in the domain the device
 * is attached to, as its DMA would (IOMMU_TEST_OP_DIRTY). Returns the kernel's
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
