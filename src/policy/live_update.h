/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Live update internals shared by container_save.c and live_update.c. */
#ifndef IOFD_POLICY_LIVE_UPDATE_H
#define IOFD_POLICY_LIVE_UPDATE_H

#include "policy/container.h"
#include "policy/container_state.h"

/*
 * No live container of ctx has st's IOAS or one of its dev_ids (a state restores once:
 * a second restore of it, or a restore in the context that saved it, finds them taken):
 * 0, or -EBUSY with the message set. With c not NULL and no conflict, c joins the list
 * of live containers in the same step.
 */
int iofd_live_check_unclaimed(struct iommufd_ctx *ctx, const struct iofd_state *st,
			      struct iommufd_container *c, const char *what);

#endif
