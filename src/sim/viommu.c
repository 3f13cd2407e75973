// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IOMMU_VIOMMU_ALLOC (from 6.13; ENOTTY on a 6.12 topology, sim_transport.c): the kernel's
 * checks in its order (viommu.c), up to the driver's. No driver of the model makes vIOMMUs
 * (in 7.3 VT-d has none; SMMUv3's and the selftest mock's are not modelled): EOPNOTSUPP.
 */
#include <errno.h>

#include "sim/sim_internal.h"
#include "uapi/iommufd_abi.h"

int sim_cmd_viommu_alloc(struct sim_ucmd *ucmd)
{
	struct iofd_viommu_alloc *cmd = ucmd->cmd;

	/* The reserved type is refused before anything is looked up. */
	if (cmd->flags || cmd->type == IOFD_VIOMMU_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	/* An emulated device's id is an access, not a device: ENOENT. */
	if (!sim_obj_get(ucmd->ictx, cmd->dev_id, SIM_OBJ_DEVICE))
		return -ENOENT;
	return -EOPNOTSUPP;
}
