// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * HW queues (Linux 6.17 on): queues of a vIOMMU that the hardware reads from guest memory,
 * pinned by the kernel for itself (unmap there is EBUSY); the mock's two, the second
 * depending on the first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/viommu.h"
#include "uapi/iommufd_ext_abi.h"

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
	return sim_ucmd_respond_new(ucmd, sizeof(*cmd), &q->obj, -1);

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
