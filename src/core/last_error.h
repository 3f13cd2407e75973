/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The last error of each thread on each context (iommufd_last_error). A thread
 * finds its own messages without any lock; the memory of a message goes when
 * its thread ends, or (for a context closed meanwhile) when the thread next
 * makes a message, so neither thread churn nor context churn makes it grow.
 */
#ifndef IOFD_CORE_LAST_ERROR_H
#define IOFD_CORE_LAST_ERROR_H

#include "core/ctx.h"

/* Make msg the calling thread's last error on ctx (kept when memory runs out). */
void iofd_err_store(struct iommufd_ctx *ctx, const char *msg);

/* The context is being freed: no thread's message on it may be found again. */
void iofd_err_forget_ctx(struct iommufd_ctx *ctx);

/* Messages held now, in every thread and context (for tests). */
long iofd_err_slots_live(void);

#endif
