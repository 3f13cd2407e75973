// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IOMMU_OPTION (the context's RLIMIT_MODE, an IOAS's HUGE_PAGES) and
 * IOMMU_IOAS_CHANGE_PROCESS, as main.c and ioas.c answer them. Pinned
 * memory is not accounted against limits in the model (docs/simulator.md):
 * the modes are kept and reported, and change nothing else; which process
 * an area's pages count against is kept (iommufd_sim_pinned_pages()), and
 * CHANGE_PROCESS moves it.
 */
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim/sim_internal.h"
#include "uapi/iommufd_ext_abi.h"

/* capable(): the effective set of the calling thread. */
static bool capable(unsigned int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}

static int rlimit_mode(struct sim_ictx *ictx, struct iofd_option *cmd)
{
	if (cmd->object_id)
		return -EOPNOTSUPP;
	if (cmd->op == IOFD_OPTION_OP_GET) {
		cmd->val64 = ictx->account_mm;
		return 0;
	}
	if (cmd->op != IOFD_OPTION_OP_SET)
		return -EOPNOTSUPP;
	if (!capable(CAP_SYS_RESOURCE))
		return -EPERM;
	/* only while the context has no objects */
	if (ictx->nobjs)
		return -EBUSY;
	if (cmd->val64 > 1)
		return -EINVAL;
	ictx->account_mm = cmd->val64;
	return 0;
}

static int huge_pages(struct sim_ictx *ictx, struct iofd_option *cmd)
{
	struct sim_ioas *ioas = sim_ioas_get(ictx, cmd->object_id);

	if (!ioas)
		return -ENOENT;
	if (cmd->op == IOFD_OPTION_OP_GET) {
		cmd->val64 = !ioas->no_large_pages;
		return 0;
	}
	if (cmd->op != IOFD_OPTION_OP_SET)
		return -EOPNOTSUPP;
	if (cmd->val64 > 1)
		return -EINVAL;
	return sim_ioas_set_large_pages(ioas, cmd->val64);
}

int sim_cmd_option(struct sim_ucmd *ucmd)
{
	struct iofd_option *cmd = ucmd->cmd;
	int ret;

	if (cmd->reserved)
		return -EOPNOTSUPP;
	switch (cmd->option_id) {
	case IOFD_OPTION_RLIMIT_MODE:
		ret = rlimit_mode(ucmd->ictx, cmd);
		break;
	case IOFD_OPTION_HUGE_PAGES:
		ret = huge_pages(ucmd->ictx, cmd);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (ret)
		return ret;
	/* only val64 goes back */
	memcpy((char *)ucmd->ubuf + offsetof(struct iofd_option, val64), &cmd->val64,
	       sizeof(cmd->val64));
	return 0;
}

/*
 * IOAS_CHANGE_PROCESS: what every area of every IOAS of the iommufd counts against becomes
 * the caller. The pages of a file stay with the file, so only those can move: one area of
 * user memory refuses it all (EINVAL), and nothing changes.
 */
int sim_cmd_ioas_change_process(struct sim_ucmd *ucmd)
{
	struct iofd_ioas_change_process *cmd = ucmd->cmd;
	struct sim_ictx *ictx = ucmd->ictx;
	struct sim_ioas *ioas;
	uint32_t id;
	size_t i;

	if (cmd->reserved)
		return -EOPNOTSUPP;
	for (id = 1; id < ictx->objs_cap; id++) {
		ioas = (struct sim_ioas *)sim_obj_get(ictx, id, SIM_OBJ_IOAS);
		for (i = 0; ioas && i < ioas->nareas; i++)
			if (ioas->areas[i].file < 0)
				return -EINVAL;
	}
	for (id = 1; id < ictx->objs_cap; id++) {
		ioas = (struct sim_ioas *)sim_obj_get(ictx, id, SIM_OBJ_IOAS);
		for (i = 0; ioas && i < ioas->nareas; i++)
			ioas->areas[i].owner = ucmd->proc;
	}
	return 0;
}
