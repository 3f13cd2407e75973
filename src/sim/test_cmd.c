// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IOMMU_TEST_CMD: the kernel's selftest interface (CONFIG_IOMMUFD_TEST), as
 * drivers/iommu/iommufd/selftest.c answers it. The simulator has it when
 * the topology has an IOMMU of the "iommufd-selftest" driver (else ENOTTY,
 * as a kernel built without it): the mock devices the ops make hang off
 * that IOMMU. What the ops do:
 *  - MOCK_DOMAIN(_FLAGS): a mock device, bound, attached to an IOAS or HWPT
 *    (a selftest object: destroying it removes the device); its flags: no
 *    dirty tracking, a 20-bit PASID (7.x); _REPLACE moves it;
 *  - MD_CHECK_MAP: the mock domain maps each IOVA to the user's page;
 *    MD_CHECK_REFS: each page is pinned that many times (not huge pages);
 *  - ADD_RESERVED, SET_TEMP_MEMORY_LIMIT, DIRTY (marks dirty bits as the
 *    mock's hardware would), MD_CHECK_IOTLB, DEV_CHECK_CACHE;
 *  - accesses (test_access.c), TRIGGER_IOPF (a page request to the fault
 *    queue of the device's domain), TRIGGER_VEVENT (an event to the device's
 *    vIOMMU), PASID_ATTACH/REPLACE/DETACH/CHECK_HWPT.
 * Not modelled: the dma-buf ops (DMABUF_GET, DMABUF_REVOKE: EOPNOTSUPP) and
 * 6.12's MOCK_FLAGS_DEVICE_HUGE_IOVA (EOPNOTSUPP).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "uapi/iommufd_ext_abi.h"
#include "uapi/selftest_abi.h"

/* A mock device: the selftest object owns it and its binding. */
struct sim_stdev {
	struct sim_obj obj;
	struct sim_device dev;
	struct sim_idev *idev;
};

/* The owner of ADD_RESERVED's ranges: they stay for the IOAS's life. */
static const char test_reserved;

struct sim_iommu *sim_mock_iommu(struct iommufd_sim *sim)
{
	unsigned int i;

	for (i = 0; i < sim->topo.niommus; i++)
		if (sim->topo.iommus[i].kind == SIM_DRV_SELFTEST)
			return &sim->topo.iommus[i];
	return NULL;
}

static struct sim_stdev *stdev_get(struct sim_ictx *ictx, uint32_t id)
{
	return (struct sim_stdev *)sim_obj_get(ictx, id, SIM_OBJ_SELFTEST);
}

static int mock_domain(struct sim_ucmd *ucmd, struct iofd_test_cmd *cmd)
{
	struct iommufd_sim *sim = ucmd->ictx->sim;
	uint32_t flags = 0, valid = IOFD_MOCK_DEVICE_NO_DIRTY, pt_id = cmd->id;
	static unsigned int mock_ids; /* device names, as the kernel's ida gives them */
	struct sim_stdev *st;
	struct sim_idev *idev;
	int ret, i;

	if (cmd->op == IOFD_TEST_OP_MOCK_DOMAIN_FLAGS)
		flags = cmd->mock_domain.dev_flags;
	if (sim->topo.kernel >= SIM_KERNEL_TEST_OPS_7X)
		valid |= IOFD_MOCK_DEVICE_PASID;
	else if (flags & IOFD_MOCK_DEVICE_HUGE_IOVA)
		return -EOPNOTSUPP; /* 6.12's huge IOVA pages are not modelled */
	st = calloc(1, sizeof(*st));
	idev = calloc(1, sizeof(*idev));
	if (!st || !idev) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = sim_obj_add(ucmd->ictx, &st->obj, SIM_OBJ_SELFTEST);
	if (ret)
		goto out_free;
	if (flags & ~valid) {
		ret = -EINVAL;
		goto out_remove;
	}
	snprintf(st->dev.name, sizeof(st->dev.name), "iommufd_mock%u", mock_ids++);
	st->dev.iommu = sim_mock_iommu(sim);
	st->dev.mock = true;
	st->dev.no_dirty = flags & IOFD_MOCK_DEVICE_NO_DIRTY;
	st->dev.pasid_bits = flags & IOFD_MOCK_DEVICE_PASID ? IOFD_MOCK_PASID_WIDTH : 0;
	for (i = 0; i < IOFD_MOCK_DEV_CACHE_NUM; i++)
		st->dev.cache[i] = IOFD_TEST_DEV_CACHE_DEFAULT;
	/* bound: the device object, held by its driver */
	ret = sim_obj_add(ucmd->ictx, &idev->obj, SIM_OBJ_DEVICE);
	if (ret)
		goto out_remove;
	idev->dev = &st->dev;
	idev->obj.users++;
	ret = sim_idev_change_pt(idev, &pt_id, false);
	if (ret) {
		sim_obj_remove(&idev->obj);
		goto out_remove;
	}
	idev->obj.users++; /* attached */
	st->idev = idev;
	cmd->mock_domain.out_stdev_id = st->obj.id;
	cmd->mock_domain.out_hwpt_id = pt_id;
	cmd->mock_domain.out_idev_id = idev->obj.id;
	return sim_ucmd_respond_new(ucmd, sizeof(*cmd), &st->obj, -1);

out_remove:
	sim_obj_remove(&st->obj);
out_free:
	free(idev);
	free(st);
	return ret;
}

void sim_stdev_destroy(struct sim_obj *obj)
{
	struct sim_stdev *st = (struct sim_stdev *)obj;
	struct sim_idev *idev = st->idev;

	if (idev->hwpt) {
		sim_hwpt_put(sim_hwpt_detach(idev));
		idev->obj.users--;
	}
	sim_idev_destroy(idev);
	sim_obj_remove(&st->obj);
	free(st);
}

static int mock_domain_replace(struct sim_ucmd *ucmd, struct iofd_test_cmd *cmd)
{
	struct sim_stdev *st = stdev_get(ucmd->ictx, cmd->id);
	uint32_t pt_id = cmd->mock_domain_replace.pt_id;
	int ret;

	if (!st)
		return -ENOENT;
	ret = sim_idev_change_pt(st->idev, &pt_id, true);
	if (ret)
		return ret;
	cmd->mock_domain_replace.pt_id = pt_id;
	return sim_ucmd_respond(ucmd, sizeof(*cmd));
}

static int add_reserved(struct sim_ucmd *ucmd, struct iofd_test_cmd *cmd)
{
	uint64_t start = cmd->add_reserved.start, len = cmd->add_reserved.length, last;
	struct sim_ioas *ioas;

	if (!len)
		return -EINVAL;
	if (__builtin_add_overflow(start, len - 1, &last))
		return -EOVERFLOW;
	ioas = sim_ioas_get(ucmd->ictx, cmd->id);
	if (!ioas)
		return -ENOENT;
	return sim_ioas_reserve(ioas, start, last, &test_reserved);
}

/* A paging domain of the mock's (ENOENT: no paging HWPT; EINVAL: another driver's). */
static int mock_paging(struct sim_ictx *ictx, uint32_t id, struct sim_hwpt **out)
{
	struct sim_hwpt *hwpt = (struct sim_hwpt *)sim_obj_get(ictx, id, SIM_OBJ_HWPT_PAGING);

	if (!hwpt)
		return -ENOENT;
	if (hwpt->iommu->kind != SIM_DRV_SELFTEST)
		return -EINVAL;
	*out = hwpt;
	return 0;
}

/* Each IO page of [iova, iova + length) maps the user's page under uptr, byte for byte. */
static int md_check_map(struct sim_ucmd *ucmd, struct iofd_test_cmd *cmd)
{
	uint64_t iova = cmd->check_map.iova, length = cmd->check_map.length;
	uint64_t uptr = cmd->check_map.uptr, ps, end;
	struct sim_page_id want, have;
	struct sim_hwpt *hwpt;
	struct sim_vmas *vs;
	int ret;

	ret = mock_paging(ucmd->ictx, cmd->id, &hwpt);
	if (ret)
		return ret;
	ps = hwpt->pgsize_bitmap & -hwpt->pgsize_bitmap;
	if ((iova % ps) || (length % ps) || (uptr % ps) ||
	    __builtin_add_overflow(uptr, length, &end))
		return -EINVAL;
	vs = sim_vmas_load(false);
	if (!vs)
		return -ENOMEM;
	for (; length && !ret; length -= ps, iova += ps, uptr += ps) {
		long i = sim_ioas_area_at(hwpt->ioas, iova);

		if (sim_vmas_page_id(vs, uptr, &want))
			ret = -EFAULT;
		else if (i < 0 || sim_vmas_area_page_id(vs, &hwpt->ioas->areas[i], iova, &have) ||
			 have.dev != want.dev || have.ino != want.ino || have.addr != want.addr)
			ret = -EINVAL;
	}
	sim_vmas_free(vs);
	return ret;
}

/* The pins on each page: not on huge pages (compound pages: their count is the head's). */
static int md_check_refs(struct sim_ucmd *ucmd, struct iofd_test_cmd *cmd)
{
	uint64_t uptr = cmd->check_refs.uptr, length = cmd->check_refs.length, end;
	struct sim_page_id id;
	struct sim_vmas *vs;
	int ret = 0;

	if ((length % SIM_PAGE_SIZE) || (uptr % SIM_PAGE_SIZE) ||
	    __builtin_add_overflow(uptr, length, &end))
		return -EINVAL;
	vs = sim_vmas_load(true);
	if (!vs)
		return -ENOMEM;
	for (; length && !ret; length -= SIM_PAGE_SIZE, uptr += SIM_PAGE_SIZE) {
		if (sim_vmas_page_id(vs, uptr, &id))
			ret = -EFAULT;
		else if (sim_vmas_page_size(vs, uptr) <= SIM_PAGE_SIZE &&
			 sim_user_page_pins(ucmd->ictx->sim, vs, uptr) != cmd->check_refs.refs)
			ret = -EIO;
	}
	sim_vmas_free(vs);
	return ret;
}

/* What the mock's hardware does: dirty bits for the pages set in the user's bitmap. */
static int dirty(struct sim_ucmd *ucmd, struct iofd_test_cmd *cmd)
{
	uint64_t iova = cmd->dirty.iova, length = cmd->dirty.length, ps = cmd->dirty.page_size;
	uint64_t max, i, count = 0;
	struct sim_hwpt *hwpt;
	unsigned char *bits;
	int ret;

	if (!ps || !length || (iova % ps) || (length % ps) || !cmd->dirty.uptr)
		return -EINVAL;
	max = length / ps;
	if (max > IOFD_MOCK_DIRTY_MAX_PAGES)
		return -EOVERFLOW;
	ret = mock_paging(ucmd->ictx, cmd->id, &hwpt);
	if (ret)
		return ret;
	if (!hwpt->tracking)
		return -EINVAL;
	bits = malloc((max + 7) / 8);
	if (!bits)
		return -ENOMEM;
	ret = sim_user_read(bits, cmd->dirty.uptr, (max + 7) / 8);
	for (i = 0; i < max && !ret; i++) {
		/* the bitmap is of longs: bit i is bit i % 64 of long i / 64 */
		size_t off = (i / 64) * 8, nbytes = (max + 7) / 8;
		uint64_t word = 0;

		memcpy(&word, bits + off, nbytes - off < 8 ? nbytes - off : 8);
		if (!(word >> (i % 64) & 1))
			continue;
		ret = sim_kernel_set_dirty(hwpt, iova + i * ps);
		/* 7.x counts every page asked, 6.12 those it found mapped */
		if (ret > 0 || (!ret && sim_kernel_dirty_counts_all(hwpt)))
			count++;
		ret = ret > 0 ? 0 : ret;
	}
	free(bits);
	if (ret)
		return ret;
	cmd->dirty.out_nr_dirty = count;
	return sim_ucmd_respond(ucmd, sizeof(*cmd));
}

static int md_check_iotlb(struct sim_ucmd *ucmd, struct iofd_test_cmd *cmd)
{
	struct sim_hwpt *hwpt = (struct sim_hwpt *)sim_obj_get(ucmd->ictx, cmd->id,
							       SIM_OBJ_HWPT_NESTED);

	if (!hwpt)
		return -ENOENT;
	if (hwpt->iommu->kind != SIM_DRV_SELFTEST || cmd->check_iotlb.id >= IOFD_MOCK_IOTLB_NUM ||
	    hwpt->iotlb[cmd->check_iotlb.id] != cmd->check_iotlb.iotlb)
		return -EINVAL;
	return 0;
}

static int dev_check_cache(struct sim_ucmd *ucmd, struct iofd_test_cmd *cmd)
{
	struct sim_idev *idev = (struct sim_idev *)sim_obj_get(ucmd->ictx, cmd->id, SIM_OBJ_DEVICE);

	if (!idev)
		return -ENOENT;
	if (!idev->dev->mock || cmd->check_dev_cache.id >= IOFD_MOCK_DEV_CACHE_NUM ||
	    idev->dev->cache[cmd->check_dev_cache.id] != cmd->check_dev_cache.cache)
		return -EINVAL;
	return 0;
}

static int trigger_iopf(struct sim_ucmd *ucmd, struct iofd_test_cmd *cmd)
{
	struct sim_idev *idev = (struct sim_idev *)sim_obj_get(ucmd->ictx,
							       cmd->trigger_iopf.dev_id,
							       SIM_OBJ_DEVICE);
	uint32_t flags = IOFD_PGFAULT_FLAGS_LAST_PAGE;

	if (!idev)
		return -ENOENT;
	if (!idev->dev->mock)
		return -EINVAL;
	if (cmd->trigger_iopf.pasid)
		flags |= IOFD_PGFAULT_FLAGS_PASID_VALID;
	sim_fault_report(idev, cmd->trigger_iopf.pasid, flags, cmd->trigger_iopf.grpid,
			 cmd->trigger_iopf.perm, cmd->trigger_iopf.addr);
	return 0;
}

/*
 * An event to the vIOMMU the device is attached through, for its virtual id (the mock keeps
 * both from its attach, sim_viommu_note_attach(); a virtual id 0 counts as none).
 */
int sim_mock_trigger_vevent(struct sim_idev *idev)
{
	struct iofd_viommu_event_selftest ev;

	if (!idev->ev_viommu || !idev->ev_virt_id)
		return -ENOENT;
	ev.virt_id = (uint32_t)idev->ev_virt_id;
	return sim_viommu_report(idev->ev_viommu, IOFD_VEVENTQ_TYPE_SELFTEST, &ev, sizeof(ev));
}

static int trigger_vevent(struct sim_ucmd *ucmd, struct iofd_test_cmd *cmd)
{
	struct sim_idev *idev = (struct sim_idev *)sim_obj_get(ucmd->ictx,
							       cmd->trigger_vevent.dev_id,
							       SIM_OBJ_DEVICE);

	if (!idev)
		return -ENOENT;
	return sim_mock_trigger_vevent(idev);
}

static int pasid_op(struct sim_ucmd *ucmd, struct iofd_test_cmd *cmd)
{
	struct sim_stdev *st = stdev_get(ucmd->ictx, cmd->id);
	uint32_t pasid = cmd->pasid.pasid, pt_id = cmd->pasid.pt_id;
	struct sim_hwpt *hwpt, *want;
	bool replace = cmd->op == IOFD_TEST_OP_PASID_REPLACE;
	int ret;

	if (!st)
		return -ENOENT;
	switch (cmd->op) {
	case IOFD_TEST_OP_PASID_ATTACH:
	case IOFD_TEST_OP_PASID_REPLACE:
		/* PASID 0 is the RID (IOMMU_NO_PASID) */
		ret = pasid ? sim_pasid_attach(st->idev, pasid, &pt_id, replace) :
			      sim_idev_change_pt(st->idev, &pt_id, replace);
		if (ret)
			return ret;
		cmd->pasid.pt_id = pt_id;
		return sim_ucmd_respond(ucmd, sizeof(*cmd));
	case IOFD_TEST_OP_PASID_DETACH:
		sim_pasid_detach(st->idev, pasid);
		return 0;
	default: /* CHECK_HWPT: which domain the PASID has (0: none) */
		hwpt = sim_pasid_hwpt(st->idev, pasid);
		if (!pt_id)
			return hwpt ? -EINVAL : 0;
		want = (struct sim_hwpt *)sim_obj_get(ucmd->ictx, pt_id, SIM_OBJ_ANY);
		if (!want)
			return -ENOENT;
		if (want->obj.type != SIM_OBJ_HWPT_PAGING && want->obj.type != SIM_OBJ_HWPT_NESTED)
			return -EINVAL;
		return hwpt == want ? 0 : -EINVAL;
	}
}

int sim_cmd_test(struct sim_ucmd *ucmd)
{
	struct iofd_test_cmd *cmd = ucmd->cmd;
	unsigned int kernel = ucmd->ictx->sim->topo.kernel;

	/* 6.12 ends at TRIGGER_IOPF */
	if (cmd->op > IOFD_TEST_OP_TRIGGER_IOPF && kernel < SIM_KERNEL_TEST_OPS_7X)
		return -EOPNOTSUPP;
	switch (cmd->op) {
	case IOFD_TEST_OP_ADD_RESERVED:
		return add_reserved(ucmd, cmd);
	case IOFD_TEST_OP_MOCK_DOMAIN:
	case IOFD_TEST_OP_MOCK_DOMAIN_FLAGS:
		return mock_domain(ucmd, cmd);
	case IOFD_TEST_OP_MOCK_DOMAIN_REPLACE:
		return mock_domain_replace(ucmd, cmd);
	case IOFD_TEST_OP_MD_CHECK_MAP:
		return md_check_map(ucmd, cmd);
	case IOFD_TEST_OP_MD_CHECK_REFS:
		return md_check_refs(ucmd, cmd);
	case IOFD_TEST_OP_MD_CHECK_IOTLB:
		return md_check_iotlb(ucmd, cmd);
	case IOFD_TEST_OP_DEV_CHECK_CACHE:
		return dev_check_cache(ucmd, cmd);
	case IOFD_TEST_OP_CREATE_ACCESS:
	case IOFD_TEST_OP_ACCESS_PAGES:
	case IOFD_TEST_OP_DESTROY_ACCESS_PAGES:
	case IOFD_TEST_OP_ACCESS_RW:
	case IOFD_TEST_OP_ACCESS_REPLACE_IOAS:
		return sim_test_access(ucmd);
	case IOFD_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		/* it sizes the kernel's internal batches: nothing the model has */
		return cmd->memory_limit.limit < sizeof(unsigned long) + sizeof(uint32_t) ?
			       -EINVAL : 0;
	case IOFD_TEST_OP_DIRTY:
		return dirty(ucmd, cmd);
	case IOFD_TEST_OP_TRIGGER_IOPF:
		return trigger_iopf(ucmd, cmd);
	case IOFD_TEST_OP_TRIGGER_VEVENT:
		return trigger_vevent(ucmd, cmd);
	case IOFD_TEST_OP_PASID_ATTACH:
	case IOFD_TEST_OP_PASID_REPLACE:
	case IOFD_TEST_OP_PASID_DETACH:
	case IOFD_TEST_OP_PASID_CHECK_HWPT:
		return pasid_op(ucmd, cmd);
	default:
		/* DMABUF_GET, DMABUF_REVOKE (dma-bufs are not modelled), and unknown ops */
		return -EOPNOTSUPP;
	}
}
