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

#endif
