// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommufd contexts (one per open /dev/iommu) and their object ids.
 *
 * As in the kernel, ids come from a per-context table, lowest free id first,
 * starting at 1. A context lives while its file is open or a device bound to
 * it is; when the last reference goes, every object in it is destroyed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "uapi/iommufd_abi.h"

#define SIM_ID_MAX 0x7fffffffu /* xa_limit_31b */

/* An id whose object went without its user's DESTROY: taken, but found by nobody. */
static struct sim_obj sim_tombstone;

int sim_ictx_open(struct iommufd_sim *sim, unsigned int proc)
{
	struct sim_ictx *ictx;
	int fd;

	ictx = calloc(1, sizeof(*ictx));
	if (!ictx)
		return -ENOMEM;
	ictx->sim = sim;
	ictx->refs = 1;
	fd = sim_fd_add(sim, SIM_FD_IOMMUFD, ictx, proc);
	if (fd < 0) {
		free(ictx);
		return fd;
	}
	ictx->fd = fd;
	ictx->next = sim->ictxs;
	sim->ictxs = ictx;
	return fd;
}

/* Destroy obj, whatever it is: the caller has checked that nothing holds it. */
static void obj_destroy(struct sim_obj *obj)
{
	switch (obj->type) {
	case SIM_OBJ_IOAS:
		sim_ioas_destroy((struct sim_ioas *)obj);
		break;
	case SIM_OBJ_HWPT_PAGING:
	case SIM_OBJ_HWPT_NESTED:
		sim_hwpt_destroy((struct sim_hwpt *)obj);
		break;
	case SIM_OBJ_SELFTEST:
		sim_stdev_destroy(obj);
		break;
	case SIM_OBJ_FAULT:
		sim_fault_destroy((struct sim_fault *)obj);
		break;
	case SIM_OBJ_VIOMMU:
		sim_viommu_destroy((struct sim_viommu *)obj);
		break;
	case SIM_OBJ_VDEVICE:
		sim_vdevice_destroy((struct sim_vdevice *)obj);
		break;
	case SIM_OBJ_VEVENTQ:
		sim_veventq_destroy((struct sim_veventq *)obj);
		break;
	case SIM_OBJ_HW_QUEUE:
		sim_hw_queue_destroy(obj);
		break;
	default:
		break;
	}
}

/*
 * Destroy every object, as the kernel's release does: each pass takes the objects nothing
 * else holds (a device before its domain, a domain before its IOAS...), until none is left.
 */
static void sim_ictx_release(struct sim_ictx *ictx)
{
	struct iommufd_sim *sim = ictx->sim;
	struct sim_ictx **pp;
	bool progress = true;
	uint32_t id;

	while (progress) {
		progress = false;
		for (id = 1; id < ictx->objs_cap; id++) {
			struct sim_obj *obj = ictx->objs[id];

			if (!obj || obj == &sim_tombstone || obj->users != 1)
				continue;
			obj_destroy(obj);
			progress = true;
		}
	}
	for (pp = &sim->ictxs; *pp; pp = &(*pp)->next) {
		if (*pp == ictx) {
			*pp = ictx->next;
			break;
		}
	}
	free(ictx->objs);
	free(ictx);
}

void sim_ictx_put(struct sim_ictx *ictx)
{
	if (--ictx->refs == 0)
		sim_ictx_release(ictx);
}

/* The /dev/iommu file is closed (its last number); bound devices may keep the context alive. */
void sim_ictx_close_fd(struct sim_ictx *ictx)
{
	ictx->fd = -1;
	sim_ictx_put(ictx);
}

int sim_obj_add(struct sim_ictx *ictx, struct sim_obj *obj, enum sim_obj_type type)
{
	uint32_t id;

	for (id = 1; id < ictx->objs_cap; id++)
		if (!ictx->objs[id])
			break; /* a tombstone is not free */
	if (id >= ictx->objs_cap) {
		uint32_t cap = ictx->objs_cap ? ictx->objs_cap * 2 : 16;
		struct sim_obj **objs;

		if (id > SIM_ID_MAX)
			return -EBUSY;
		objs = realloc(ictx->objs, cap * sizeof(*objs));
		if (!objs)
			return -ENOMEM;
		memset(objs + ictx->objs_cap, 0, (cap - ictx->objs_cap) * sizeof(*objs));
		ictx->objs = objs;
		ictx->objs_cap = cap;
	}
	obj->type = type;
	obj->id = id;
	obj->users = 1;
	obj->ictx = ictx;
	ictx->objs[id] = obj;
	ictx->nobjs++;
	return 0;
}

void sim_obj_tombstone(struct sim_obj *obj)
{
	struct sim_ictx *ictx = obj->ictx;

	if (obj->id && obj->id < ictx->objs_cap && ictx->objs[obj->id] == obj) {
		ictx->objs[obj->id] = &sim_tombstone;
		ictx->nobjs--;
	}
	obj->id = 0;
}

void sim_obj_remove(struct sim_obj *obj)
{
	struct sim_ictx *ictx = obj->ictx;

	if (obj->id && obj->id < ictx->objs_cap && ictx->objs[obj->id] == obj) {
		ictx->objs[obj->id] = NULL;
		ictx->nobjs--;
	}
	obj->id = 0;
}

/* An object of that type (any type for SIM_OBJ_ANY); NULL means ENOENT. */
struct sim_obj *sim_obj_get(struct sim_ictx *ictx, uint32_t id, enum sim_obj_type type)
{
	struct sim_obj *obj;

	if (!id || id >= ictx->objs_cap)
		return NULL;
	obj = ictx->objs[id];
	if (!obj || obj == &sim_tombstone || (type != SIM_OBJ_ANY && obj->type != type))
		return NULL;
	return obj;
}

/* IOMMU_DESTROY: only an object nobody else holds goes away. */
int sim_cmd_destroy(struct sim_ucmd *ucmd)
{
	struct iofd_destroy *cmd = ucmd->cmd;
	struct sim_obj *obj = sim_obj_get(ucmd->ictx, cmd->id, SIM_OBJ_ANY);

	if (!obj)
		return -ENOENT;
	if (obj->users != 1)
		return -EBUSY;
	/* Devices and accesses always have a second user: their driver. */
	if (obj->type == SIM_OBJ_DEVICE || obj->type == SIM_OBJ_ACCESS)
		return -EBUSY;
	obj_destroy(obj);
	return 0;
}
