/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The vIOMMU family's own view (viommu.c, vdevice.c, viommu_invalidate.c, hw_queue.c): what
 * a vIOMMU holds. The rest of the simulator sees them through sim_internal.h.
 */
#ifndef IOFD_SIM_VIOMMU_H
#define IOFD_SIM_VIOMMU_H

#include "sim/sim_internal.h"
#include "uapi/selftest_abi.h"

#define SIM_VIOMMU_MAX_VEVENTQS 4

struct sim_vdevice {
	struct sim_obj obj;
	struct sim_viommu *viommu;
	struct sim_idev *idev;
	uint64_t virt_id;
};

struct sim_hw_queue {
	struct sim_obj obj;
	struct sim_viommu *viommu;
	struct sim_ioas *ioas; /* where its memory is pinned */
	struct sim_hw_queue *prev;
	uint32_t index;
};

struct sim_viommu {
	struct sim_obj obj;
	struct sim_hwpt *hwpt; /* the nest parent */
	const struct sim_iommu *iommu;
	uint32_t type;
	struct sim_vdevice **vdevs;
	size_t nvdevs, vdevs_cap;
	struct sim_veventq *veventqs[SIM_VIOMMU_MAX_VEVENTQS];
	struct sim_hw_queue *hw_queue[IOFD_TEST_HW_QUEUE_MAX];
	int page_fd;          /* the mock's two pages (a memfd), -1 without data */
	uint64_t mmap_offset; /* where /dev/iommu maps them */
};

/* The vDEVICE of that virtual id on viommu, or NULL. */
struct sim_vdevice *sim_viommu_vdev_by_virt_id(struct sim_viommu *viommu, uint64_t virt_id);

#endif
