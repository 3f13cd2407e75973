/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a container's file mappings map (IOAS_MAP_FILE): the file, where in it, and
 * whether read-only, for iommufd_container_save(). The container's list of mappings
 * (struct iofd_ivlist, 16 bytes a mapping) keeps where every mapping lies; this keeps
 * the rest for file mappings only, so that mappings of user memory cost no more.
 * A sorted array: a VMM maps its guest memory in a few large files.
 */
#ifndef IOFD_POLICY_FILE_MAPS_H
#define IOFD_POLICY_FILE_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IOFD_FILE_MAP_READONLY 0x1

struct iofd_file_map {
	uint64_t iova;     /* where the mapping starts (its end: the container's list) */
	uint64_t offset;   /* the file's byte at iova */
	uint64_t file_dev; /* the file: st_dev and st_ino */
	uint64_t file_ino;
	int32_t fd;        /* the number it was mapped from (it may be closed since) */
	uint32_t flags;    /* IOFD_FILE_MAP_* */
};

struct iofd_file_maps {
	struct iofd_file_map *v; /* by iova */
	size_t n, cap;
};

void iofd_file_maps_init(struct iofd_file_maps *fm);
void iofd_file_maps_fini(struct iofd_file_maps *fm);
/* Room for one more, so that the insert after a kernel map cannot fail. 0 or -ENOMEM. */
int iofd_file_maps_reserve(struct iofd_file_maps *fm);
/* Add m (room reserved; no entry starts at m->iova). */
void iofd_file_maps_insert(struct iofd_file_maps *fm, const struct iofd_file_map *m);
/* The entry of the mapping that starts at iova, or NULL (a mapping of user memory). */
const struct iofd_file_map *iofd_file_maps_find(const struct iofd_file_maps *fm, uint64_t iova);
/* Drop the entries of the mappings that start in [first, last]. */
void iofd_file_maps_remove(struct iofd_file_maps *fm, uint64_t first, uint64_t last);

#endif
