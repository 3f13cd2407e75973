// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vIOMMUs (Linux 6.13 on): an IOMMU instance's slice for one guest, on a
 * nest parent, with the guest's view of its devices (vDEVICEs: a virtual id
 * per device, vdevice.c), its event queues (eventq.c), its cache invalidation
 * (viommu_invalidate.c), HW queues that the hardware reads from guest memory
 * (hw_queue.c) and a region of the IOMMU's to mmap(). Follows the kernel's
 * viommu.c, the selftest mock's vIOMMU
 * (IOMMU_VIOMMU_TYPE_SELFTEST: a loopback of its data, two pages to map, a
 * cache per device, two HW queues of which the second depends on the first)
 * and ARM SMMUv3's (IOMMU_VIOMMU_TYPE_ARM_SMMUV3: a parent of its own
 * instance, invalidation by command queue entries of the opcodes and fields
 * a guest may use, vSIDs by virtual id). VT-d has no vIOMMU (EOPNOTSUPP).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/viommu.h"
#include "uapi/iommufd_ext_abi.h"

#define SIM_VIOMMU_MMAP_LEN (2 * SIM_PAGE_SIZE)

/* A mapping of a vIOMMU's pages: it holds the vIOMMU and the context until munmap(). */
struct sim_viommu_map {
	struct sim_ictx *ictx;
	struct sim_viommu *viommu;
};

void sim_viommu_get(struct sim_viommu *viommu)
{
	viommu->obj.users++;
}

void sim_viommu_put(struct sim_viommu *viommu)
{
	viommu->obj.users--;
}

struct sim_hwpt *sim_viommu_parent(struct sim_viommu *viommu)
{
	return viommu->hwpt;
}

const struct sim_iommu *sim_viommu_iommu(const struct sim_viommu *viommu)
{
	return viommu->iommu;
}

bool sim_iommu_same_instance(const struct sim_iommu *a, const struct sim_iommu *b)
{
	if (a->kind == SIM_DRV_SELFTEST && b->kind == SIM_DRV_SELFTEST)
		return true;
	return a == b;
}

/* The driver's get_viommu_size(): does it make vIOMMUs of this type for the device? */
static bool driver_viommu_type(const struct sim_iommu *iommu, uint32_t type)
{
	switch (iommu->kind) {
	case SIM_DRV_SELFTEST:
		return type == IOFD_VIOMMU_TYPE_SELFTEST;
	case SIM_DRV_ARM_SMMUV3:
		/* an SMMU that nests (FEAT_NESTING; the model's are coherent) */
		return iommu->nesting && type == IOFD_VIOMMU_TYPE_ARM_SMMUV3;
	default:
		return false;
	}
}

/* copy_struct_to_user(): what does not fit the user's struct must be 0 (else E2BIG). */
static int user_struct_write(uint64_t uptr, size_t usize, const void *src, size_t size)
{
	const unsigned char *s = src;
	size_t i;

	for (i = usize; i < size; i++)
		if (s[i])
			return -E2BIG;
	return sim_user_write(uptr, src, usize < size ? usize : size);
}

/* ---- vIOMMUs ------------------------------------------------------------------------------- */

static int mock_viommu_init(struct sim_ictx *ictx, struct sim_viommu *viommu,
			    const struct sim_user_data *ud)
{
	struct iofd_viommu_selftest data;
	int ret, fd;

	ret = sim_user_data_read(ud, IOFD_VIOMMU_TYPE_SELFTEST, &data, sizeof(data),
				 offsetof(struct iofd_viommu_selftest, out_data) +
					 sizeof(data.out_data));
	if (ret)
		return ret;
	fd = memfd_create("iommufd-viommu", MFD_CLOEXEC);
	if (fd < 0)
		return -ENOMEM;
	if (ftruncate(fd, SIM_VIOMMU_MMAP_LEN) ||
	    pwrite(fd, &data.in_data, sizeof(data.in_data), 0) != sizeof(data.in_data)) {
		close(fd);
		return -ENOMEM;
	}
	/* loopback: the data and the first word of the pages carry in_data */
	data.out_data = data.in_data;
	data.out_mmap_length = SIM_VIOMMU_MMAP_LEN;
	data.out_mmap_offset = ictx->next_mmap_offset;
	ret = user_struct_write(ud->uptr, ud->len, &data, sizeof(data));
	if (ret) {
		close(fd);
		return ret;
	}
	ictx->next_mmap_offset += SIM_VIOMMU_MMAP_LEN;
	viommu->page_fd = fd;
	viommu->mmap_offset = data.out_mmap_offset;
	return 0;
}

int sim_cmd_viommu_alloc(struct sim_ucmd *ucmd)
{
	struct iofd_viommu_alloc *cmd = ucmd->cmd;
	const struct sim_user_data ud = {
		.type = cmd->type, .uptr = cmd->data_uptr, .len = cmd->data_len,
	};
	struct sim_viommu *viommu;
	struct sim_idev *idev;
	struct sim_hwpt *hwpt;
	int ret;

	/* The reserved type is refused before anything is looked up. */
	if (cmd->flags || cmd->type == IOFD_VIOMMU_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	/* An emulated device's id is an access, not a device: ENOENT. */
	idev = (struct sim_idev *)sim_obj_get(ucmd->ictx, cmd->dev_id, SIM_OBJ_DEVICE);
	if (!idev)
		return -ENOENT;
	/* The mock's and SMMUv3's (VT-d has none in 7.3). */
	if (!driver_viommu_type(idev->dev->iommu, cmd->type))
		return -EOPNOTSUPP;
	hwpt = (struct sim_hwpt *)sim_obj_get(ucmd->ictx, cmd->hwpt_id, SIM_OBJ_HWPT_PAGING);
	if (!hwpt)
		return -ENOENT;
	if (!hwpt->nest_parent)
		return -EINVAL;
	/* arm_vsmmu_init(): the stage-2 parent of this very SMMU (its data is not read) */
	if (idev->dev->iommu->kind == SIM_DRV_ARM_SMMUV3 && hwpt->iommu != idev->dev->iommu)
		return -EINVAL;
	viommu = calloc(1, sizeof(*viommu));
	if (!viommu)
		return -ENOMEM;
	ret = sim_obj_add(ucmd->ictx, &viommu->obj, SIM_OBJ_VIOMMU);
	if (ret) {
		free(viommu);
		return ret;
	}
	viommu->page_fd = -1;
	if (!ucmd->ictx->next_mmap_offset)
		ucmd->ictx->next_mmap_offset = SIM_PAGE_SIZE;
	if (cmd->data_len && idev->dev->iommu->kind == SIM_DRV_SELFTEST) {
		ret = mock_viommu_init(ucmd->ictx, viommu, &ud);
		if (ret) {
			sim_obj_remove(&viommu->obj);
			free(viommu);
			return ret;
		}
	}
	viommu->hwpt = hwpt;
	viommu->iommu = idev->dev->iommu;
	viommu->type = cmd->type;
	hwpt->obj.users++;
	cmd->out_viommu_id = viommu->obj.id;
	return sim_ucmd_respond_new(ucmd, sizeof(*cmd), &viommu->obj, -1);
}

void sim_viommu_destroy(struct sim_viommu *viommu)
{
	if (viommu->page_fd >= 0)
		close(viommu->page_fd);
	viommu->hwpt->obj.users--;
	free(viommu->vdevs);
	sim_obj_remove(&viommu->obj);
	free(viommu);
}

struct sim_veventq *sim_viommu_veventq(struct sim_viommu *viommu, uint32_t type)
{
	unsigned int i;

	for (i = 0; i < SIM_VIOMMU_MAX_VEVENTQS; i++)
		if (viommu->veventqs[i] && sim_veventq_type(viommu->veventqs[i]) == type)
			return viommu->veventqs[i];
	return NULL;
}

int sim_viommu_add_veventq(struct sim_viommu *viommu, struct sim_veventq *q)
{
	unsigned int i;

	for (i = 0; i < SIM_VIOMMU_MAX_VEVENTQS; i++) {
		if (!viommu->veventqs[i]) {
			viommu->veventqs[i] = q;
			return 0;
		}
	}
	return -ENOMEM;
}

void sim_viommu_drop_veventq(struct sim_viommu *viommu, struct sim_veventq *q)
{
	unsigned int i;

	for (i = 0; i < SIM_VIOMMU_MAX_VEVENTQS; i++)
		if (viommu->veventqs[i] == q)
			viommu->veventqs[i] = NULL;
}

int sim_viommu_report(struct sim_viommu *viommu, uint32_t type, const void *data, uint32_t len)
{
	struct sim_veventq *q = sim_viommu_veventq(viommu, type);

	return q ? sim_veventq_report(q, data, len) : -EOPNOTSUPP;
}

/* mmap() of /dev/iommu: only a whole region, at its own offset (else ENXIO). */
int sim_viommu_mmap(struct sim_ictx *ictx, uint64_t off, uint64_t len, int *map_fd,
		    uint64_t *map_off, void **owner)
{
	struct sim_viommu_map *m;
	struct sim_viommu *viommu;
	uint32_t id;

	for (id = 1; id < ictx->objs_cap; id++) {
		viommu = (struct sim_viommu *)sim_obj_get(ictx, id, SIM_OBJ_VIOMMU);
		if (!viommu || viommu->page_fd < 0)
			continue;
		if (off < viommu->mmap_offset || off >= viommu->mmap_offset + SIM_VIOMMU_MMAP_LEN)
			continue;
		if (off != viommu->mmap_offset || len != SIM_VIOMMU_MMAP_LEN)
			return -ENXIO;
		m = malloc(sizeof(*m));
		if (!m)
			return -ENOMEM;
		m->ictx = ictx;
		m->viommu = viommu;
		/* the mapping holds the vIOMMU (its destroy is EBUSY) and the context */
		viommu->obj.users++;
		ictx->refs++;
		*map_fd = viommu->page_fd;
		*map_off = 0;
		*owner = m;
		return 0;
	}
	return -ENXIO;
}

void sim_viommu_munmap(struct sim_ictx *ictx, void *owner)
{
	struct sim_viommu_map *m = owner;

	(void)ictx;
	m->viommu->obj.users--;
	sim_ictx_put(m->ictx);
	free(m);
}
