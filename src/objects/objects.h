/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Object layer internals. The typed calls themselves are public
 * (iommufd_ioas_*, iommufd_hwpt_*, ... in iommufd.h); this adds what only
 * the layers above need.
 */
#ifndef IOFD_OBJECTS_OBJECTS_H
#define IOFD_OBJECTS_OBJECTS_H

#include <stdint.h>

#include <iommufd/iommufd.h>

/*
 * Destroy an object on a cleanup path (undoing a failed call, freeing): tried
 * a second time when the first fails, ENOENT counted as gone, and the calling
 * thread's last error kept as it was (it names what is being cleaned up
 * after). 0, or the -errno of the second try: the object is left then, until
 * the context closes.
 */
int iofd_destroy_cleanup(struct iommufd_ctx *ctx, uint32_t id);

/*
 * A kernel call's -ENOTTY means the kernel has no such command: the message
 * says so and names the first kernel that has it (since, e.g. "6.13").
 * Returns ret, the message changed only for -ENOTTY.
 */
int iofd_needs_kernel(struct iommufd_ctx *ctx, int ret, const char *what, const char *since);
/* The vIOMMU type of the IOMMU driver whose GET_HW_INFO type this is; 0: it has none known. */
uint32_t iofd_viommu_type_of(uint32_t hw_info_type);
/*
 * Live update (objects/live_update.c). IOMMU_IOAS_CHANGE_PROCESS itself: 0 or -errno
 * (traced, the message set as any kernel call's).
 */
int iofd_ioas_change_process(struct iommufd_ctx *ctx);
/*
 * Probes that change nothing, for a restore to find the kernel as its state says:
 * hwpt_id is a paging HWPT of the iommufd (HWPT_GET_DIRTY_BITMAP of no length, which
 * the kernel refuses after finding the HWPT); [iova, last] is mapped whole in the IOAS
 * (IOAS_COPY of the range onto itself, which the kernel refuses after finding the
 * source mapped). 1 yes, 0 no, or another -errno of the kernel's (message set).
 */
int iofd_hwpt_probe(struct iommufd_ctx *ctx, uint32_t hwpt_id);
int iofd_ioas_probe_mapped(struct iommufd_ctx *ctx, uint32_t ioas_id, uint64_t iova,
			   uint64_t last);

#endif
