// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vIOMMUs (Linux 6.13 on): an IOMMU instance's slice for one guest, on a
 * nest parent, with the guest's view of its devices (vDEVICEs: a virtual id
 * per device), its event queues (eventq.c), HW queues that the hardware reads
 * from guest memory (pinned: unmap there is EBUSY) and a region of the
 * IOMMU's to mmap(). Follows viommu.c, the selftest mock's vIOMMU
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

#include "sim/sim_internal.h"
#include "uapi/iommufd_ext_abi.h"
#include "uapi/selftest_abi.h"

#define SIM_VIOMMU_MMAP_LEN (2 * SIM_PAGE_SIZE)
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
	if (sim_ucmd_respond(ucmd, sizeof(*cmd))) {
		sim_obj_abort(&viommu->obj, -1);
		return -EFAULT;
	}
	return 0;
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

/* ---- vDEVICEs ------------------------------------------------------------------------------ */

struct sim_vdevice *sim_viommu_vdev_of(struct sim_viommu *viommu, const struct sim_idev *idev)
{
	size_t i;

	for (i = 0; i < viommu->nvdevs; i++)
		if (viommu->vdevs[i]->idev == idev)
			return viommu->vdevs[i];
	return NULL;
}

static struct sim_vdevice *vdev_by_virt_id(struct sim_viommu *viommu, uint64_t virt_id)
{
	size_t i;

	for (i = 0; i < viommu->nvdevs; i++)
		if (viommu->vdevs[i]->virt_id == virt_id)
			return viommu->vdevs[i];
	return NULL;
}

int sim_cmd_vdevice_alloc(struct sim_ucmd *ucmd)
{
	struct iofd_vdevice_alloc *cmd = ucmd->cmd;
	struct sim_viommu *viommu;
	struct sim_vdevice *vdev;
	struct sim_idev *idev;
	int ret;

	viommu = (struct sim_viommu *)sim_obj_get(ucmd->ictx, cmd->viommu_id, SIM_OBJ_VIOMMU);
	if (!viommu)
		return -ENOENT;
	idev = (struct sim_idev *)sim_obj_get(ucmd->ictx, cmd->dev_id, SIM_OBJ_DEVICE);
	if (!idev)
		return -ENOENT;
	if (!sim_iommu_same_instance(idev->dev->iommu, viommu->iommu))
		return -EINVAL;
	if (idev->vdev || vdev_by_virt_id(viommu, cmd->virt_id))
		return -EEXIST;
	if (viommu->nvdevs == viommu->vdevs_cap) {
		size_t cap = viommu->vdevs_cap ? viommu->vdevs_cap * 2 : 4;
		struct sim_vdevice **v = realloc(viommu->vdevs, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		viommu->vdevs = v;
		viommu->vdevs_cap = cap;
	}
	vdev = calloc(1, sizeof(*vdev));
	if (!vdev)
		return -ENOMEM;
	ret = sim_obj_add(ucmd->ictx, &vdev->obj, SIM_OBJ_VDEVICE);
	if (ret) {
		free(vdev);
		return ret;
	}
	vdev->viommu = viommu;
	vdev->idev = idev;
	vdev->virt_id = cmd->virt_id;
	viommu->vdevs[viommu->nvdevs++] = vdev;
	viommu->obj.users++;
	idev->vdev = vdev;
	cmd->out_vdevice_id = vdev->obj.id;
	if (sim_ucmd_respond(ucmd, sizeof(*cmd))) {
		sim_obj_abort(&vdev->obj, -1);
		return -EFAULT;
	}
	return 0;
}

static void vdevice_unlink(struct sim_vdevice *vdev)
{
	struct sim_viommu *viommu = vdev->viommu;
	size_t i;

	for (i = 0; i < viommu->nvdevs; i++) {
		if (viommu->vdevs[i] == vdev) {
			viommu->vdevs[i] = viommu->vdevs[--viommu->nvdevs];
			break;
		}
	}
	viommu->obj.users--;
	vdev->idev->vdev = NULL;
}

void sim_vdevice_destroy(struct sim_vdevice *vdev)
{
	vdevice_unlink(vdev);
	sim_obj_remove(&vdev->obj);
	free(vdev);
}

/*
 * The drivers keep a device's vIOMMU and virtual id from its attach, for its events: the
 * mock (mock_domain_nop_attach()) only when the vIOMMU changes, SMMUv3 (its vmaster) at
 * every attach of a nested domain, where the device has a vDEVICE.
 */
void sim_viommu_note_attach(struct sim_idev *idev, struct sim_hwpt *hwpt)
{
	struct sim_viommu *viommu = NULL;
	struct sim_vdevice *vdev;

	if (hwpt && hwpt->obj.type == SIM_OBJ_HWPT_NESTED)
		viommu = hwpt->viommu;
	vdev = viommu ? sim_viommu_vdev_of(viommu, idev) : NULL;
	if (idev->dev->iommu->kind == SIM_DRV_SELFTEST && viommu == idev->ev_viommu)
		return;
	idev->ev_viommu = vdev ? viommu : NULL;
	idev->ev_virt_id = vdev ? vdev->virt_id : 0;
}

/* Its device goes first: the vDEVICE goes too, and its id stays taken (a tombstone). */
void sim_vdevice_tombstone(struct sim_vdevice *vdev)
{
	vdevice_unlink(vdev);
	sim_obj_tombstone(&vdev->obj);
	free(vdev);
}

/* The mock's cache_invalidate(): entries of struct iommu_viommu_invalidate_selftest. */
static int mock_viommu_invalidate(struct sim_viommu *viommu,
				  const struct iofd_hwpt_invalidate *cmd, uint32_t *done)
{
	struct iofd_viommu_invalidate_selftest *cmds, *c;
	struct sim_vdevice *vdev;
	uint32_t i, k;
	int ret = 0;

	/* an empty array checks the type */
	if (!cmd->entry_num && cmd->data_type == IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST)
		return 0;
	if (cmd->data_type != IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST || !cmd->entry_num)
		return -EINVAL;
	cmds = calloc(cmd->entry_num, sizeof(*cmds));
	if (!cmds)
		return -ENOMEM;
	for (i = 0; i < cmd->entry_num; i++) {
		uint64_t at = cmd->data_uptr + (uint64_t)cmd->entry_len * i;

		ret = sim_user_struct_read(&cmds[i], sizeof(*cmds), at, cmd->entry_len);
		if (ret)
			goto out;
	}
	for (i = 0; i < cmd->entry_num; i++) {
		c = &cmds[i];
		if (c->flags & ~IOFD_TEST_INVALIDATE_FLAG_ALL) {
			ret = -EOPNOTSUPP;
			goto out;
		}
		if (c->cache_id >= IOFD_MOCK_DEV_CACHE_NUM) {
			ret = -EINVAL;
			goto out;
		}
		vdev = vdev_by_virt_id(viommu, c->vdev_id);
		if (!vdev) {
			ret = -EINVAL;
			goto out;
		}
		if (c->flags & IOFD_TEST_INVALIDATE_FLAG_ALL) {
			for (k = 0; k < IOFD_MOCK_DEV_CACHE_NUM; k++)
				vdev->idev->dev->cache[k] = 0;
		} else {
			vdev->idev->dev->cache[c->cache_id] = 0;
		}
		(*done)++;
	}
out:
	free(cmds);
	return ret;
}

/*
 * SMMUv3 command queue entries a vIOMMU forwards (arm_vsmmu_validate_user_cmd): the fields
 * each opcode may set, of an SMMU with 16-bit ASIDs, substreams and ATS but no range
 * invalidation; a vSID (the StreamID field) must be a vDEVICE's virtual id.
 */
#define SMMU_OP(c) ((c) & 0xffull)
#define SMMU_SSV (1ull << 11)
#define SMMU_SSID (0xfffffull << 12)
#define SMMU_SID (0xffffffffull << 32)
#define SMMU_VMID (0xffffull << 32)
#define SMMU_ASID (0xffffull << 48)
#define SMMU_ATC_GLOBAL (1ull << 9)
#define SMMU_TLBI_LEAF (1ull << 0)
#define SMMU_VA_MASK (~0ull << 12)
#define SMMU_ATC_SIZE 0x3full
#define SMMU_ATC_SIZE_ALL 52

static int smmu_check_cmd(struct sim_viommu *viommu, const uint64_t c[2])
{
	uint64_t allowed0 = 0xff, allowed1 = 0;

	switch (SMMU_OP(c[0])) {
	case 0x30: /* TLBI_NSNH_ALL */
		break;
	case 0x12: /* TLBI_NH_VA */
		allowed0 |= SMMU_ASID;
		/* fallthrough */
	case 0x13: /* TLBI_NH_VAA */
		allowed0 |= SMMU_VMID;
		allowed1 |= SMMU_TLBI_LEAF | SMMU_VA_MASK;
		break;
	case 0x11: /* TLBI_NH_ASID */
		allowed0 |= SMMU_ASID;
		/* fallthrough */
	case 0x10: /* TLBI_NH_ALL */
		allowed0 |= SMMU_VMID;
		break;
	case 0x40: /* ATC_INV */
		if ((c[1] & SMMU_ATC_SIZE) > SMMU_ATC_SIZE_ALL)
			return -EIO;
		allowed0 |= SMMU_SSV | SMMU_SSID | SMMU_ATC_GLOBAL | SMMU_SID;
		allowed1 |= SMMU_ATC_SIZE | SMMU_VA_MASK;
		break;
	case 0x5: /* CFGI_CD */
		allowed0 |= SMMU_SSID;
		allowed1 |= 1; /* LEAF */
		/* fallthrough */
	case 0x6: /* CFGI_CD_ALL */
		allowed0 |= SMMU_SID;
		break;
	default:
		return -EIO;
	}
	if ((c[0] & ~allowed0) || (c[1] & ~allowed1))
		return -EIO;
	switch (SMMU_OP(c[0])) {
	case 0x40:
	case 0x5:
	case 0x6:
		if (!vdev_by_virt_id(viommu, c[0] >> 32))
			return -EIO;
		break;
	default:
		break;
	}
	return 0;
}

/* An SMMUv3 vIOMMU: the whole array is read first, then each entry checked in turn. */
static int smmu_viommu_invalidate(struct sim_viommu *viommu,
				  const struct iofd_hwpt_invalidate *cmd, uint32_t *done)
{
	struct iofd_viommu_arm_smmuv3_invalidate *cmds;
	uint32_t i;
	int ret = 0;

	/* iommu_copy_struct_from_full_user_array(): the type, then every entry */
	if (cmd->data_type != IOFD_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 || !cmd->entry_num)
		return -EINVAL;
	cmds = calloc(cmd->entry_num, sizeof(*cmds));
	if (!cmds)
		return -ENOMEM;
	for (i = 0; i < cmd->entry_num; i++) {
		ret = sim_user_struct_read(&cmds[i], sizeof(*cmds),
				       cmd->data_uptr + (uint64_t)cmd->entry_len * i, cmd->entry_len);
		if (ret)
			goto out;
	}
	for (i = 0; i < cmd->entry_num; i++) {
		ret = smmu_check_cmd(viommu, cmds[i].cmd);
		if (ret)
			break;
		(*done)++;
	}
out:
	free(cmds);
	return ret;
}

int sim_viommu_invalidate(struct sim_viommu *viommu, const struct iofd_hwpt_invalidate *cmd,
			  uint32_t *done)
{
	if (viommu->iommu->kind == SIM_DRV_ARM_SMMUV3)
		return smmu_viommu_invalidate(viommu, cmd, done);
	return mock_viommu_invalidate(viommu, cmd, done);
}

/* ---- HW queues ----------------------------------------------------------------------------- */

/*
 * Pin the queue's memory as the kernel's internal access does: whole CPU pages of contiguous,
 * readable areas of the nest parent's IOAS, physically contiguous (one page, or a huge page).
 */
static int hw_queue_pin(struct sim_hw_queue *q, uint64_t iova, uint64_t length)
{
	struct sim_ioas *ioas = q->viommu->hwpt->ioas;
	uint64_t first = iova & ~(SIM_PAGE_SIZE - 1), len, last, cur;
	long i;
	int ret;

	if (__builtin_add_overflow(iova - first, length, &len) ||
	    __builtin_add_overflow(len, SIM_PAGE_SIZE - 1, &len))
		return -ERANGE;
	len &= ~(SIM_PAGE_SIZE - 1);
	last = first + len - 1;
	i = sim_ioas_area_at(ioas, first);
	if (i < 0)
		return -ENOENT;
	if ((ioas->areas[i].uva + (first - ioas->areas[i].iova)) % SIM_PAGE_SIZE)
		return -EINVAL;
	for (cur = first;;) {
		const struct sim_area *a = &ioas->areas[i];

		if (!(a->prot & SIM_PROT_READ))
			return -EPERM;
		if (a->last >= last)
			break;
		cur = a->last + 1;
		if ((size_t)++i == ioas->nareas || ioas->areas[i].iova != cur)
			return -ENOENT;
	}
	if (len > SIM_PAGE_SIZE) {
		const struct sim_area *a = &ioas->areas[sim_ioas_area_at(ioas, first)];

		if (a->file >= 0 || !sim_user_huge(a->uva + (first - a->iova)))
			return -EFAULT;
	}
	ret = sim_ioas_kpin(ioas, first, last, q);
	if (ret)
		return ret;
	q->ioas = ioas;
	return 0;
}

int sim_cmd_hw_queue_alloc(struct sim_ucmd *ucmd)
{
	struct iofd_hw_queue_alloc *cmd = ucmd->cmd;
	struct sim_viommu *viommu;
	struct sim_hw_queue *q;
	uint64_t last;
	int ret;

	if (cmd->flags || cmd->type == 0)
		return -EOPNOTSUPP;
	if (!cmd->length)
		return -EINVAL;
	if (__builtin_add_overflow(cmd->nesting_parent_iova, cmd->length - 1, &last))
		return -EOVERFLOW;
	viommu = (struct sim_viommu *)sim_obj_get(ucmd->ictx, cmd->viommu_id, SIM_OBJ_VIOMMU);
	if (!viommu)
		return -ENOENT;
	if (cmd->type != IOFD_HW_QUEUE_TYPE_SELFTEST)
		return -EOPNOTSUPP;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	ret = sim_obj_add(ucmd->ictx, &q->obj, SIM_OBJ_HW_QUEUE);
	if (ret)
		goto out_free;
	q->viommu = viommu;
	ret = hw_queue_pin(q, cmd->nesting_parent_iova, cmd->length);
	if (ret)
		goto out_remove;
	/* the mock: two queues, the second after the first and depending on it */
	if (cmd->index >= IOFD_TEST_HW_QUEUE_MAX) {
		ret = -EINVAL;
	} else if (viommu->hw_queue[cmd->index]) {
		ret = -EEXIST;
	} else if (cmd->index && !viommu->hw_queue[cmd->index - 1]) {
		ret = -EIO;
	}
	if (ret) {
		sim_ioas_kunpin(q->ioas, q);
		goto out_remove;
	}
	q->index = cmd->index;
	if (cmd->index) {
		q->prev = viommu->hw_queue[cmd->index - 1];
		q->prev->obj.users++;
	}
	viommu->hw_queue[cmd->index] = q;
	viommu->obj.users++;
	cmd->out_hw_queue_id = q->obj.id;
	if (sim_ucmd_respond(ucmd, sizeof(*cmd))) {
		sim_obj_abort(&q->obj, -1);
		return -EFAULT;
	}
	return 0;

out_remove:
	sim_obj_remove(&q->obj);
out_free:
	free(q);
	return ret;
}

void sim_hw_queue_destroy(struct sim_obj *obj)
{
	struct sim_hw_queue *q = (struct sim_hw_queue *)obj;

	q->viommu->hw_queue[q->index] = NULL;
	if (q->prev)
		q->prev->obj.users--;
	sim_ioas_kunpin(q->ioas, q);
	q->viommu->obj.users--;
	sim_obj_remove(&q->obj);
	free(q);
}
