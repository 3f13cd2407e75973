/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Context internals shared by the layers above the transport. */
#ifndef IOFD_CORE_CTX_H
#define IOFD_CORE_CTX_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>

#include <iommufd/iommufd.h>

#include "transport/transport.h"

#define IOFD_ERRMSG_MAX 256

/* One thread's last error on one context (core/last_error.c). */
struct iofd_err_slot;

/*
 * A context lives while anything holds a reference: the program (until
 * iommufd_close()), each open device and each container. The last reference
 * closes the iommufd (when the context opened it), and with it every kernel
 * object made on it.
 */
struct iommufd_ctx {
	struct iofd_transport tp;
	int fd;         /* the iommufd (a transport fd) */
	bool owns_fd;   /* false for iommufd_from_fd() */
	unsigned refs;  /* atomic */
	pthread_mutex_t lock; /* guards the log settings */
	struct iofd_err_slot *err_slots; /* every thread's message on it (last_error.c's lock) */
	iommufd_log_fn log_fn;
	void *log_arg;
	int log_level;  /* iommufd_set_log_level(); -1: not set */
	bool env_trace; /* IOMMUFD_TRACE asked for trace lines when the context was made */
	/*
	 * Messages at or below this level are formatted and sent (-1: none). Derived from the
	 * settings above; read without the lock, so that a kernel call nobody traces costs
	 * one load.
	 */
	int log_max;
};

/* Wrap a transport into a new context whose iommufd is fd (owned when owns_fd). */
int iofd_ctx_new(struct iofd_transport tp, int fd, bool owns_fd, struct iommufd_ctx **out);

/* A reference for an object made on the context (a device, a container), and its release. */
void iofd_ctx_get(struct iommufd_ctx *ctx);
void iofd_ctx_put(struct iommufd_ctx *ctx);

/*
 * The kernel call wrapper every object call goes through:
 *   ret = iofd_ioctl(ctx, fd, IOFD_IOAS_ALLOC, &cmd, "IOAS_ALLOC ioas=%u", cmd.out_ioas_id);
 * runs the ioctl on fd, then (the format arguments are evaluated after the
 * call, so outputs can be shown) writes one trace line "IOAS_ALLOC ioas=3 = 0",
 * and on failure sets the last error to "<what>: <strerror>". 0 or -errno.
 */
#define iofd_ioctl(ctx, fd, request, arg, ...)                                    \
	({                                                                        \
		struct iommufd_ctx *_c = (ctx);                                   \
		int _r = _c->tp.ops->ioctl(_c->tp.priv, (fd), (request), (arg)); \
		_r || iofd_tracing(_c) ? iofd_kcall_done(_c, _r, __VA_ARGS__) : 0; \
	})
/*
 * Whether trace lines are made: a call that worked and that nobody traces
 * evaluates no format argument and makes no further call (the hot paths).
 */
static inline bool iofd_tracing(struct iommufd_ctx *ctx)
{
	return __atomic_load_n(&ctx->log_max, __ATOMIC_RELAXED) >= IOMMUFD_LOG_TRACE;
}
int iofd_kcall_done(struct iommufd_ctx *ctx, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Set the calling thread's last error; returns err (a negative errno) for chaining. */
int iofd_set_error(struct iommufd_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void iofd_log(struct iommufd_ctx *ctx, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Kernel file open/close through the transport, traced. fd or -errno. */
int iofd_kopen(struct iommufd_ctx *ctx, const char *path, int flags);
void iofd_kclose(struct iommufd_ctx *ctx, int fd);

#endif
