// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Nesting: nested (stage-1) domains, vIOMMUs, vDEVICEs and cache
 * invalidation. Follows the kernel's viommu.c and hw_pagetable.c (7.3) and
 * the drivers' nesting: the selftest mock (selftest.c: nested data 0xdead
 * from a parent or a vIOMMU, its IOTLB and device caches), Intel VT-d
 * (nested.c: VTD_S1 data from a nest parent, no vIOMMU) and ARM SMMUv3
 * (arm-smmu-v3-iommufd.c: vIOMMU type ARM_SMMUV3, nested domains from it
 * holding the guest's STE, invalidation by command queue entries). 6.12 has
 * nested domains from a parent and HWPT_INVALIDATE; vIOMMUs came with 6.13.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "uapi/iommufd_abi.h"
#include "uapi/selftest_abi.h"

/* SMMUv3 STE fields a guest may set for a nested domain (arm-smmu-v3.h). */
#define STE0_V (1ull << 0)
#define STE0_CFG_SHIFT 1
#define STE0_CFG_MASK (7ull << STE0_CFG_SHIFT)
#define STE0_CFG_ABORT 0
#define STE0_CFG_BYPASS 4
#define STE0_CFG_S1_TRANS 5
#define STE0_ALLOWED (STE0_V | STE0_CFG_MASK | (3ull << 4) /* S1FMT */ | \
		      (((1ull << 46) - 1) << 6) /* S1CONTEXTPTR */ | (31ull << 59) /* S1CDMAX */)
#define STE1_EATS_SHIFT 28
#define STE1_EATS_MASK (3ull << STE1_EATS_SHIFT)
#define STE1_EATS_ABT 0
#define STE1_EATS_TRANS 1
#define STE1_ALLOWED (3ull /* S1DSS */ | (3ull << 2) /* S1CIR */ | (3ull << 4) /* S1COR */ | \
		      (3ull << 6) /* S1CSH */ | (1ull << 27) /* S1STALLD */ | STE1_EATS_MASK)

/* SMMUv3 command opcodes a vIOMMU takes (arm_vsmmu_convert_user_cmd). */
enum {
	CMDQ_OP_CFGI_CD = 0x5,
	CMDQ_OP_CFGI_CD_ALL = 0x6,
	CMDQ_OP_TLBI_NH_ALL = 0x10,
	CMDQ_OP_TLBI_NH_ASID = 0x11,
	CMDQ_OP_TLBI_NH_VA = 0x12,
	CMDQ_OP_TLBI_NH_VAA = 0x13,
	CMDQ_OP_TLBI_NSNH_ALL = 0x30,
	CMDQ_OP_ATC_INV = 0x40,
};

#define SIM_INVALIDATE_MAX_ENTRIES (1u << 19)

static unsigned int kernel_of(const struct sim_ictx *ictx)
{
	return ictx->sim->topo.kernel;
}

static bool same_driver(const struct sim_iommu *a, const struct sim_iommu *b)
{
	return a->kind == b->kind && !strcmp(a->driver, b->driver);
}

/*
 * The physical IOMMU behind a device (iommufd_device_get_iommu_dev()): its
 * instance; every mock device sits behind the kernel's one mock IOMMU,
 * whatever the topology calls the mock IOMMUs (they stand for device flags).
 */
static bool same_instance(const struct sim_iommu *a, const struct sim_iommu *b)
{
	if (a->kind == SIM_DRV_SELFTEST && b->kind == SIM_DRV_SELFTEST)
		return true;
	return a == b;
}

/*
 * iommu_copy_struct_from_user(): the user's data of type and len into the
 * driver's struct of ksize bytes (zero-filled), its first version min bytes.
 */
static int user_data(void *dst, size_t ksize, size_t min, uint32_t want_type, uint32_t type,
		     uint64_t uptr, uint32_t len)
{
	if (type != want_type || len < min || len > ksize)
		return -EINVAL;
	if (!uptr)
		return -EFAULT;
	memset(dst, 0, ksize);
	memcpy(dst, (const void *)(uintptr_t)uptr, len);
	return 0;
}

/* copy_struct_from_user(): zero-extend a shorter struct, refuse unknown set bytes. */
static int user_struct(void *dst, size_t ksize, const void *src, size_t usize)
{
	size_t i;

	if (!src)
		return -EFAULT;
	for (i = ksize; i < usize; i++)
		if (((const unsigned char *)src)[i])
			return -E2BIG;
	memset(dst, 0, ksize);
	memcpy(dst, src, usize < ksize ? usize : ksize);
	return 0;
}

/* ---- nested domains -------------------------------------------------------- */

/* The SMMUv3 driver's check of a guest STE (arm_smmu_validate_vste). */
static int smmu_validate_ste(uint64_t ste[2])
{
	uint64_t cfg, eats;

	if (!(ste[0] & STE0_V)) {
		ste[0] = ste[1] = 0;
		return 0;
	}
	if ((ste[0] & ~STE0_ALLOWED) || (ste[1] & ~STE1_ALLOWED))
		return -EIO;
	cfg = (ste[0] & STE0_CFG_MASK) >> STE0_CFG_SHIFT;
	if (cfg != STE0_CFG_ABORT && cfg != STE0_CFG_BYPASS && cfg != STE0_CFG_S1_TRANS)
		return -EIO;
	eats = (ste[1] & STE1_EATS_MASK) >> STE1_EATS_SHIFT;
	ste[1] &= ~STE1_EATS_MASK;
	if (eats != STE1_EATS_ABT && eats != STE1_EATS_TRANS)
		return -EIO;
	return 0;
}

static unsigned int ste_cfg(const struct sim_nested *n)
{
	return (n->ste[0] & STE0_CFG_MASK) >> STE0_CFG_SHIFT;
}

bool sim_nested_translates(const struct sim_nested *nested)
{
	/* an SMMUv3 STE that is not valid, or Cfg abort: the device's DMA is refused */
	if (nested->iommu->kind == SIM_DRV_ARM_SMMUV3)
		return (nested->ste[0] & STE0_V) && ste_cfg(nested) != STE0_CFG_ABORT;
	return true;
}

/* The driver's domain_alloc_nested (from a parent) or alloc_domain_nested (from a vIOMMU). */
static int driver_alloc_nested(struct sim_ictx *ictx, const struct iofd_hwpt_alloc *cmd,
			       const struct sim_iommu *iommu, struct sim_nested *n)
{
	/* the core hands the driver the flags without FAULT_ID_VALID */
	uint32_t flags = cmd->flags & ~IOFD_HWPT_FAULT_ID_VALID;
	int ret, i;

	switch (iommu->kind) {
	case SIM_DRV_SELFTEST: {
		/* 7.3's struct iommu_hwpt_selftest has a pagetable_type after iotlb */
		uint32_t data[2];
		size_t ksize = kernel_of(ictx) >= 700 ? 8 : 4;

		if (flags & ~IOFD_HWPT_ALLOC_PASID)
			return -EOPNOTSUPP;
		if (cmd->data_type != IOFD_HWPT_DATA_SELFTEST)
			return -EOPNOTSUPP;
		ret = user_data(data, ksize, 4, IOFD_HWPT_DATA_SELFTEST, cmd->data_type,
				cmd->data_uptr, cmd->data_len);
		if (ret)
			return ret;
		for (i = 0; i < IOFD_MOCK_NESTED_IOTLB_NUM; i++)
			n->iotlb[i] = data[0];
		return 0;
	}
	case SIM_DRV_INTEL_VTD: {
		struct iofd_hwpt_vtd_s1 vtd;

		if (!iommu->nesting || (flags & ~IOFD_HWPT_ALLOC_PASID))
			return -EOPNOTSUPP;
		if (cmd->data_type != IOFD_HWPT_DATA_VTD_S1)
			return -EOPNOTSUPP;
		return user_data(&vtd, sizeof(vtd), sizeof(vtd), IOFD_HWPT_DATA_VTD_S1,
				 cmd->data_type, cmd->data_uptr, cmd->data_len);
	}
	case SIM_DRV_ARM_SMMUV3:
		if (flags)
			return -EOPNOTSUPP;
		ret = user_data(n->ste, sizeof(n->ste), sizeof(n->ste), IOFD_HWPT_DATA_ARM_SMMUV3,
				cmd->data_type, cmd->data_uptr, cmd->data_len);
		if (ret)
			return ret;
		return smmu_validate_ste(n->ste);
	default:
		return -EOPNOTSUPP;
	}
}

/* Does the driver build nested domains straight from a nest parent (no vIOMMU)? */
static bool nests_from_parent(const struct sim_iommu *iommu)
{
	return iommu->kind == SIM_DRV_SELFTEST || iommu->kind == SIM_DRV_INTEL_VTD;
}

int sim_nested_alloc(struct sim_ucmd *ucmd, struct sim_idev *idev, struct sim_obj *pt,
		     struct sim_nested **out)
{
	const struct iofd_hwpt_alloc *cmd = ucmd->cmd;
	const struct sim_iommu *iommu = idev->dev->iommu;
	uint32_t ok = IOFD_HWPT_FAULT_ID_VALID;
	struct sim_viommu *viommu = NULL;
	struct sim_hwpt *parent;
	struct sim_nested *n;
	int ret;

	if (kernel_of(ucmd->ictx) >= SIM_KERNEL_PASID)
		ok |= IOFD_HWPT_ALLOC_PASID;
	if (pt->type == SIM_OBJ_VIOMMU) {
		viommu = (struct sim_viommu *)pt;
		if (!same_instance(viommu->iommu, iommu))
			return -EINVAL;
		if ((cmd->flags & ~ok) || !cmd->data_len)
			return -EOPNOTSUPP;
		parent = viommu->parent;
	} else {
		parent = (struct sim_hwpt *)pt;
		if ((cmd->flags & ~ok) || !cmd->data_len || !nests_from_parent(iommu))
			return -EOPNOTSUPP;
		if (parent->auto_domain || !parent->nest_parent || !same_driver(parent->iommu, iommu))
			return -EINVAL;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->iommu = iommu;
	n->data_type = cmd->data_type;
	n->pasid_compat = cmd->flags & IOFD_HWPT_ALLOC_PASID;
	ret = driver_alloc_nested(ucmd->ictx, cmd, iommu, n);
	if (!ret)
		ret = sim_obj_add(ucmd->ictx, &n->obj, SIM_OBJ_HWPT_NESTED);
	if (ret) {
		free(n);
		return ret;
	}
	n->parent = parent;
	parent->obj.users++;
	if (viommu) {
		n->viommu = viommu;
		viommu->obj.users++;
	}
	*out = n;
	return 0;
}

void sim_nested_destroy(struct sim_nested *n)
{
	n->parent->obj.users--;
	if (n->viommu)
		n->viommu->obj.users--;
	if (n->fault)
		n->fault->obj.users--;
	sim_obj_remove(&n->obj);
	free(n);
}

static struct sim_vdevice *vdev_of(const struct sim_viommu *viommu, const struct sim_idev *idev)
{
	size_t i;

	for (i = 0; i < viommu->nvdevs; i++)
		if (viommu->vdevs[i]->idev == idev)
			return viommu->vdevs[i];
	return NULL;
}

/*
 * The driver's attach_dev of a nested domain: the mock finds the device's
 * vDEVICE on the domain's vIOMMU (ENOENT without), SMMUv3 wants its own
 * instance and, for a translating STE, a vDEVICE; VT-d checks the parent as
 * for any paging attach. ev_*: what the driver keeps for reporting events.
 */
static int nested_driver_attach(struct sim_nested *n, struct sim_idev *idev,
				struct sim_viommu **ev_viommu, uint64_t *ev_virt_id)
{
	const struct sim_iommu *iommu = idev->dev->iommu;
	struct sim_vdevice *vdev = n->viommu ? vdev_of(n->viommu, idev) : NULL;

	/* the iommu core: a domain attaches only to devices of its driver */
	if (!same_driver(n->iommu, iommu))
		return -EINVAL;
	*ev_viommu = NULL;
	*ev_virt_id = 0;
	switch (iommu->kind) {
	case SIM_DRV_SELFTEST:
		if (n->viommu && !vdev)
			return -ENOENT;
		break;
	case SIM_DRV_ARM_SMMUV3:
		if (!same_instance(n->viommu->iommu, iommu))
			return -EINVAL;
		/* abort and bypass attach without a vSID (a guest with SMMUEN clear) */
		if (!vdev && (n->ste[0] & STE0_V) && ste_cfg(n) == STE0_CFG_S1_TRANS)
			return -ENOENT;
		break;
	case SIM_DRV_INTEL_VTD:
		return sim_hwpt_driver_attach(n->parent, iommu);
	default:
		return -EINVAL;
	}
	if (vdev) {
		*ev_viommu = n->viommu;
		*ev_virt_id = vdev->virt_id;
	}
	return 0;
}

/* The faults the device left pending at the domain it leaves are answered (dropped). */
static void drop_faults_rid(struct sim_idev *idev)
{
	struct sim_fault *f = idev->nested ? idev->nested->fault : idev->hwpt ? idev->hwpt->fault :
									    NULL;

	if (f)
		sim_fault_drop(f, idev, 0);
}

int sim_nested_attach(struct sim_idev *idev, struct sim_nested *n)
{
	struct sim_hwpt *cur = idev->hwpt, *np = n->parent;
	struct sim_viommu *ev_viommu;
	uint64_t ev_virt_id;
	int ret;

	if (idev->nested == n)
		return 0;
	/* the device's reserved regions in the IOAS it will use (its nest parent's) */
	if (!cur || cur->ioas != np->ioas) {
		ret = sim_hwpt_dev_reserve(idev, np->ioas);
		if (ret) {
			sim_ioas_unreserve(np->ioas, idev);
			return ret;
		}
	}
	ret = sim_pasid_compat_rid(idev, n->pasid_compat);
	if (!ret)
		ret = sim_fault_attach_check(idev, n->fault);
	if (!ret)
		ret = nested_driver_attach(n, idev, &ev_viommu, &ev_virt_id);
	if (ret) {
		/* as for a paging replace: even from the same IOAS (hwpt.c) */
		sim_ioas_unreserve(np->ioas, idev);
		return ret;
	}
	if (cur && cur->ioas != np->ioas)
		sim_ioas_unreserve(cur->ioas, idev);
	drop_faults_rid(idev);
	if (idev->nested)
		idev->nested->obj.users--;
	else if (cur)
		sim_hwpt_put(cur);
	n->obj.users++;
	idev->hwpt = np;
	idev->nested = n;
	idev->ev_viommu = ev_viommu;
	idev->ev_virt_id = ev_virt_id;
	return 0;
}

int sim_nested_replace_paging(struct sim_idev *idev, struct sim_hwpt *hwpt)
{
	struct sim_hwpt *np = idev->hwpt;
	int ret;

	if (np->ioas != hwpt->ioas) {
		ret = sim_hwpt_dev_reserve(idev, hwpt->ioas);
		if (ret) {
			sim_ioas_unreserve(hwpt->ioas, idev);
			return ret;
		}
	}
	ret = sim_pasid_compat_rid(idev, hwpt->pasid_compat);
	if (!ret)
		ret = sim_fault_attach_check(idev, hwpt->fault);
	if (!ret)
		ret = sim_hwpt_driver_attach(hwpt, idev->dev->iommu);
	if (ret) {
		sim_ioas_unreserve(hwpt->ioas, idev);
		return ret;
	}
	if (np->ioas != hwpt->ioas)
		sim_ioas_unreserve(np->ioas, idev);
	drop_faults_rid(idev);
	idev->nested->obj.users--;
	hwpt->obj.users++;
	idev->hwpt = hwpt;
	idev->nested = NULL;
	idev->ev_viommu = NULL;
	return 0;
}

void sim_nested_detach(struct sim_idev *idev)
{
	drop_faults_rid(idev);
	sim_ioas_unreserve(idev->hwpt->ioas, idev);
	idev->nested->obj.users--;
	idev->nested = NULL;
	idev->hwpt = NULL;
	idev->ev_viommu = NULL;
}

/* ---- vIOMMUs and vDEVICEs ---------------------------------------------------- */

/* The driver's vIOMMU size for a type: 0 (EOPNOTSUPP) where it has none. */
static bool driver_viommu_type(const struct sim_iommu *iommu, uint32_t type)
{
	switch (iommu->kind) {
	case SIM_DRV_SELFTEST:
		return type == IOFD_VIOMMU_TYPE_SELFTEST;
	case SIM_DRV_ARM_SMMUV3:
		return iommu->nesting && type == IOFD_VIOMMU_TYPE_ARM_SMMUV3;
	default:
		return false;
	}
}

/* The mock's mmap offsets: the lowest free page-aligned range of two pages, from a page on. */
static uint64_t mock_mmap_offset(struct sim_ictx *ictx)
{
	const uint64_t len = 2 * SIM_PAGE_SIZE;
	uint64_t off = SIM_PAGE_SIZE;
	bool moved = true;
	uint32_t id;

	while (moved) {
		moved = false;
		for (id = 1; id < ictx->objs_cap; id++) {
			struct sim_viommu *v = (struct sim_viommu *)ictx->objs[id];

			if (!v || v->obj.type != SIM_OBJ_VIOMMU || !v->mmap_offset)
				continue;
			if (v->mmap_offset < off + len && off < v->mmap_offset + len) {
				off = v->mmap_offset + len;
				moved = true;
			}
		}
	}
	return off;
}

/* The driver's viommu_init: SMMUv3 wants a parent of its own instance; the mock loops data back. */
static int driver_viommu_init(struct sim_ictx *ictx, struct iofd_viommu_alloc *cmd,
			      const struct sim_iommu *iommu, struct sim_viommu *v)
{
	struct iofd_viommu_selftest data;
	void *uptr = (void *)(uintptr_t)cmd->data_uptr;
	int ret;

	if (iommu->kind == SIM_DRV_ARM_SMMUV3)
		return v->parent->iommu != iommu ? -EINVAL : 0;
	if (!cmd->data_len)
		return 0;
	ret = user_data(&data, sizeof(data), offsetof(struct iofd_viommu_selftest, out_data) +
			sizeof(data.out_data), cmd->type, cmd->type, cmd->data_uptr, cmd->data_len);
	if (ret)
		return ret;
	v->mmap_offset = mock_mmap_offset(ictx);
	data.out_data = data.in_data;
	data.out_mmap_offset = v->mmap_offset;
	data.out_mmap_length = 2 * SIM_PAGE_SIZE;
	/* copy_struct_to_user(): as far as the user's struct reaches */
	memcpy(uptr, &data, cmd->data_len);
	return 0;
}

int sim_cmd_viommu_alloc(struct sim_ucmd *ucmd)
{
	struct iofd_viommu_alloc *cmd = ucmd->cmd;
	const struct sim_iommu *iommu;
	struct sim_viommu *v;
	struct sim_hwpt *parent;
	struct sim_idev *idev;
	int ret;

	if (cmd->flags || cmd->type == IOFD_VIOMMU_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	idev = (struct sim_idev *)sim_obj_get(ucmd->ictx, cmd->dev_id, SIM_OBJ_DEVICE);
	if (!idev)
		return -ENOENT;
	iommu = idev->dev->iommu;
	if (!driver_viommu_type(iommu, cmd->type))
		return -EOPNOTSUPP;
	parent = (struct sim_hwpt *)sim_obj_get(ucmd->ictx, cmd->hwpt_id, SIM_OBJ_HWPT_PAGING);
	if (!parent)
		return -ENOENT;
	if (!parent->nest_parent)
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->type = cmd->type;
	v->iommu = iommu;
	v->parent = parent;
	ret = driver_viommu_init(ucmd->ictx, cmd, iommu, v);
	if (!ret)
		ret = sim_obj_add(ucmd->ictx, &v->obj, SIM_OBJ_VIOMMU);
	if (ret) {
		free(v);
		return ret;
	}
	parent->obj.users++;
	cmd->out_viommu_id = v->obj.id;
	sim_ucmd_respond(ucmd, sizeof(*cmd));
	return 0;
}

void sim_viommu_destroy(struct sim_viommu *v)
{
	v->parent->obj.users--;
	free(v->vdevs);
	sim_obj_remove(&v->obj);
	free(v);
}

int sim_cmd_vdevice_alloc(struct sim_ucmd *ucmd)
{
	struct iofd_vdevice_alloc *cmd = ucmd->cmd;
	struct sim_vdevice *vdev;
	struct sim_viommu *v;
	struct sim_idev *idev;
	size_t i;
	int ret;

	v = (struct sim_viommu *)sim_obj_get(ucmd->ictx, cmd->viommu_id, SIM_OBJ_VIOMMU);
	if (!v)
		return -ENOENT;
	idev = (struct sim_idev *)sim_obj_get(ucmd->ictx, cmd->dev_id, SIM_OBJ_DEVICE);
	if (!idev)
		return -ENOENT;
	if (!same_instance(v->iommu, idev->dev->iommu))
		return -EINVAL;
	if (idev->vdev)
		return -EEXIST;
	for (i = 0; i < v->nvdevs; i++)
		if (v->vdevs[i]->virt_id == cmd->virt_id)
			return -EEXIST;
	if (v->nvdevs == v->vdevs_cap) {
		size_t cap = v->vdevs_cap ? v->vdevs_cap * 2 : 4;
		struct sim_vdevice **nv = realloc(v->vdevs, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		v->vdevs = nv;
		v->vdevs_cap = cap;
	}
	vdev = calloc(1, sizeof(*vdev));
	if (!vdev)
		return -ENOMEM;
	ret = sim_obj_add(ucmd->ictx, &vdev->obj, SIM_OBJ_VDEVICE);
	if (ret) {
		free(vdev);
		return ret;
	}
	vdev->viommu = v;
	vdev->idev = idev;
	vdev->virt_id = cmd->virt_id;
	v->vdevs[v->nvdevs++] = vdev;
	v->obj.users++;
	idev->vdev = vdev;
	cmd->out_vdevice_id = vdev->obj.id;
	sim_ucmd_respond(ucmd, sizeof(*cmd));
	return 0;
}

static void vdevice_unlink(struct sim_vdevice *vdev)
{
	struct sim_viommu *v = vdev->viommu;
	size_t i;

	for (i = 0; i < v->nvdevs; i++) {
		if (v->vdevs[i] == vdev) {
			v->vdevs[i] = v->vdevs[--v->nvdevs];
			break;
		}
	}
	v->obj.users--;
	vdev->idev->vdev = NULL;
}

void sim_vdevice_destroy(struct sim_vdevice *vdev)
{
	vdevice_unlink(vdev);
	sim_obj_remove(&vdev->obj);
	free(vdev);
}

/* The one object every tombstoned id points at. */
static struct sim_obj sim_tombstone = { .type = SIM_OBJ_TOMBSTONE };

void sim_nest_idev_unbind(struct sim_idev *idev)
{
	struct sim_vdevice *vdev = idev->vdev;
	struct sim_ictx *ictx = idev->obj.ictx;

	while (idev->npasids)
		sim_pasid_detach(idev, idev->pasids[idev->npasids - 1].pasid);
	free(idev->pasids);
	idev->pasids = NULL;
	if (!vdev)
		return;
	/*
	 * A vDEVICE the program did not destroy goes with its device, and its id
	 * stays taken until the context closes (iommufd_object_tombstone_user()).
	 */
	vdevice_unlink(vdev);
	ictx->objs[vdev->obj.id] = &sim_tombstone;
	ictx->nobjs--;
	free(vdev);
}

void sim_nest_release(struct sim_ictx *ictx)
{
	static const enum sim_obj_type order[] = { SIM_OBJ_HWPT_NESTED, SIM_OBJ_VEVENTQ,
						   SIM_OBJ_VDEVICE, SIM_OBJ_VIOMMU };
	size_t k;
	uint32_t id;

	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (id = 1; id < ictx->objs_cap; id++) {
			struct sim_obj *obj = ictx->objs[id];

			if (!obj || obj->type != order[k])
				continue;
			switch (obj->type) {
			case SIM_OBJ_HWPT_NESTED:
				sim_nested_destroy((struct sim_nested *)obj);
				break;
			case SIM_OBJ_VEVENTQ:
				sim_veventq_destroy((struct sim_veventq *)obj);
				break;
			case SIM_OBJ_VDEVICE:
				sim_vdevice_destroy((struct sim_vdevice *)obj);
				break;
			default:
				sim_viommu_destroy((struct sim_viommu *)obj);
				break;
			}
		}
	}
}

int sim_nest_destroy_obj(struct sim_obj *obj)
{
	switch (obj->type) {
	case SIM_OBJ_HWPT_NESTED:
		sim_nested_destroy((struct sim_nested *)obj);
		return 0;
	case SIM_OBJ_VIOMMU:
		sim_viommu_destroy((struct sim_viommu *)obj);
		return 0;
	case SIM_OBJ_VDEVICE:
		sim_vdevice_destroy((struct sim_vdevice *)obj);
		return 0;
	case SIM_OBJ_FAULT:
		sim_fault_destroy((struct sim_fault *)obj);
		return 0;
	case SIM_OBJ_VEVENTQ:
		sim_veventq_destroy((struct sim_veventq *)obj);
		return 0;
	default:
		return -ENOENT;
	}
}

/* ---- cache invalidation -------------------------------------------------------- */

/* The mock nested domain's IOTLB (mock_domain_cache_invalidate_user). */
static int mock_nested_invalidate(struct sim_nested *n, const struct iofd_hwpt_invalidate *cmd,
				  uint32_t *done)
{
	const unsigned char *base = (const unsigned char *)(uintptr_t)cmd->data_uptr;
	struct iofd_hwpt_invalidate_selftest inv;
	uint32_t i;
	int ret, j;

	if (cmd->data_type != IOFD_HWPT_INVALIDATE_DATA_SELFTEST)
		return -EINVAL;
	for (i = 0; i < cmd->entry_num; i++) {
		ret = user_data(&inv, sizeof(inv), sizeof(inv), cmd->data_type, cmd->data_type,
				(uintptr_t)(base + (size_t)cmd->entry_len * i), cmd->entry_len);
		if (ret)
			return ret;
		if (inv.flags & ~IOFD_TEST_INVALIDATE_FLAG_ALL)
			return -EOPNOTSUPP;
		if (inv.iotlb_id >= IOFD_MOCK_NESTED_IOTLB_NUM)
			return -EINVAL;
		if (inv.flags & IOFD_TEST_INVALIDATE_FLAG_ALL)
			for (j = 0; j < IOFD_MOCK_NESTED_IOTLB_NUM; j++)
				n->iotlb[j] = 0;
		else
			n->iotlb[inv.iotlb_id] = 0;
		(*done)++;
	}
	return 0;
}

/* VT-d's stage-1 caches (intel_nested_cache_invalidate_user): the entries are checked. */
static int vtd_nested_invalidate(const struct iofd_hwpt_invalidate *cmd, uint32_t *done)
{
	const unsigned char *base = (const unsigned char *)(uintptr_t)cmd->data_uptr;
	struct iofd_hwpt_vtd_s1_invalidate inv;
	uint32_t i;
	int ret;

	if (cmd->data_type != IOFD_HWPT_INVALIDATE_DATA_VTD_S1)
		return -EINVAL;
	for (i = 0; i < cmd->entry_num; i++) {
		ret = user_data(&inv, sizeof(inv), sizeof(inv), cmd->data_type, cmd->data_type,
				(uintptr_t)(base + (size_t)cmd->entry_len * i), cmd->entry_len);
		if (ret)
			return ret;
		if ((inv.flags & ~IOFD_VTD_INV_FLAGS_LEAF) || inv.reserved)
			return -EOPNOTSUPP;
		if ((inv.addr & (SIM_PAGE_SIZE - 1)) || (inv.npages == UINT64_MAX && inv.addr))
			return -EINVAL;
		(*done)++;
	}
	return 0;
}

/*
 * iommu_copy_struct_from_full_user_array(): every entry into an array of
 * ksize-byte entries. An empty array is EINVAL here.
 */
static int user_full_array(void *dst, size_t ksize, const struct iofd_hwpt_invalidate *cmd,
			   uint32_t want_type)
{
	const unsigned char *base = (const unsigned char *)(uintptr_t)cmd->data_uptr;
	uint32_t i;
	int ret;

	if (cmd->data_type != want_type || !cmd->entry_num)
		return -EINVAL;
	for (i = 0; i < cmd->entry_num; i++) {
		ret = user_struct((char *)dst + ksize * i, ksize, base + (size_t)cmd->entry_len * i,
				  cmd->entry_len);
		if (ret)
			return ret;
	}
	return 0;
}

static struct sim_vdevice *vdev_by_virt_id(const struct sim_viommu *v, uint64_t virt_id)
{
	size_t i;

	for (i = 0; i < v->nvdevs; i++)
		if (v->vdevs[i]->virt_id == virt_id)
			return v->vdevs[i];
	return NULL;
}

/* The mock vIOMMU: its devices' caches, by virtual id (mock_viommu_cache_invalidate). */
static int mock_viommu_invalidate(struct sim_viommu *v, const struct iofd_hwpt_invalidate *cmd,
				  uint32_t *done)
{
	struct iofd_viommu_invalidate_selftest *cmds;
	uint32_t i;
	int ret = 0, j;

	if (!cmd->entry_num && cmd->data_type == IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST)
		return 0;
	cmds = calloc(cmd->entry_num ? cmd->entry_num : 1, sizeof(*cmds));
	if (!cmds)
		return -ENOMEM;
	ret = user_full_array(cmds, sizeof(*cmds), cmd, IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST);
	for (i = 0; !ret && i < cmd->entry_num; i++) {
		struct sim_vdevice *vdev;

		if (cmds[i].flags & ~IOFD_TEST_INVALIDATE_FLAG_ALL) {
			ret = -EOPNOTSUPP;
			break;
		}
		if (cmds[i].cache_id >= IOFD_MOCK_DEV_CACHE_NUM) {
			ret = -EINVAL;
			break;
		}
		vdev = vdev_by_virt_id(v, cmds[i].vdev_id);
		if (!vdev) {
			ret = -EINVAL;
			break;
		}
		if (cmds[i].flags & IOFD_TEST_INVALIDATE_FLAG_ALL)
			for (j = 0; j < IOFD_MOCK_DEV_CACHE_NUM; j++)
				vdev->idev->mock_cache[j] = 0;
		else
			vdev->idev->mock_cache[cmds[i].cache_id] = 0;
		(*done)++;
	}
	free(cmds);
	return ret;
}

/* An SMMUv3 vIOMMU: commands of the opcodes it forwards, with a vSID it knows where one is named. */
static int smmu_viommu_invalidate(struct sim_viommu *v, const struct iofd_hwpt_invalidate *cmd,
				  uint32_t *done)
{
	struct iofd_viommu_arm_smmuv3_invalidate *cmds;
	uint32_t i;
	int ret;

	cmds = calloc(cmd->entry_num ? cmd->entry_num : 1, sizeof(*cmds));
	if (!cmds)
		return -ENOMEM;
	ret = user_full_array(cmds, sizeof(*cmds), cmd, IOFD_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3);
	for (i = 0; !ret && i < cmd->entry_num; i++) {
		uint64_t c0 = cmds[i].cmd[0];

		switch (c0 & 0xff) {
		case CMDQ_OP_TLBI_NSNH_ALL:
		case CMDQ_OP_TLBI_NH_VA:
		case CMDQ_OP_TLBI_NH_VAA:
		case CMDQ_OP_TLBI_NH_ALL:
		case CMDQ_OP_TLBI_NH_ASID:
			break;
		case CMDQ_OP_ATC_INV:
		case CMDQ_OP_CFGI_CD:
		case CMDQ_OP_CFGI_CD_ALL:
			if (!vdev_by_virt_id(v, c0 >> 32))
				ret = -EIO;
			break;
		default:
			ret = -EIO;
			break;
		}
		if (!ret)
			(*done)++;
	}
	free(cmds);
	return ret;
}

int sim_cmd_hwpt_invalidate(struct sim_ucmd *ucmd)
{
	struct iofd_hwpt_invalidate *cmd = ucmd->cmd;
	uint32_t done = 0;
	struct sim_obj *obj;
	int ret;

	if (cmd->reserved) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	if (cmd->entry_num && (!cmd->data_uptr || !cmd->entry_len)) {
		ret = -EINVAL;
		goto out;
	}
	/* 7.x bounds a call's work */
	if (kernel_of(ucmd->ictx) >= 700 && cmd->entry_num &&
	    (cmd->entry_len > SIM_PAGE_SIZE || cmd->entry_num > SIM_INVALIDATE_MAX_ENTRIES)) {
		ret = -EINVAL;
		goto out;
	}
	obj = sim_obj_get(ucmd->ictx, cmd->hwpt_id, SIM_OBJ_ANY);
	if (!obj) {
		ret = -ENOENT;
		goto out;
	}
	if (obj->type == SIM_OBJ_HWPT_NESTED) {
		struct sim_nested *n = (struct sim_nested *)obj;

		switch (n->iommu->kind) {
		case SIM_DRV_SELFTEST:
			ret = mock_nested_invalidate(n, cmd, &done);
			break;
		case SIM_DRV_INTEL_VTD:
			ret = vtd_nested_invalidate(cmd, &done);
			break;
		default:
			/* an SMMUv3 nested domain is invalidated through its vIOMMU */
			ret = -EOPNOTSUPP;
			break;
		}
	} else if (obj->type == SIM_OBJ_VIOMMU) {
		struct sim_viommu *v = (struct sim_viommu *)obj;

		ret = v->iommu->kind == SIM_DRV_SELFTEST ? mock_viommu_invalidate(v, cmd, &done) :
							   smmu_viommu_invalidate(v, cmd, &done);
	} else {
		ret = -EINVAL;
	}
out:
	/* the count of entries handled goes back also when the call fails */
	cmd->entry_num = done;
	sim_ucmd_respond(ucmd, sizeof(*cmd));
	return ret;
}
