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

/* All of an IOAS's allowed ranges in a malloc'd array (retrying while it grows). */
int iofd_ioas_iova_ranges_alloc(struct iommufd_ctx *ctx, uint32_t ioas_id,
				struct iommufd_iova_range **ranges, unsigned *n, uint64_t *alignment);

/*
 * Destroy an object on a cleanup path (undoing a failed call, freeing): tried
 * a second time when the first fails, ENOENT counted as gone, and the calling
 * thread's last error kept as it was (it names what is being cleaned up
 * after). 0, or the -errno of the second try: the object is left then, until
 * the context closes.
 */
int iofd_destroy_cleanup(struct iommufd_ctx *ctx, uint32_t id);

#endif
