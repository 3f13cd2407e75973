// SPDX-License-Identifier: LGPL-2.1-or-later
/* Context: one iommufd, its transport, its references, logging (last errors: last_error.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ctx.h"
#include "core/last_error.h"

const char *iommufd_version(void)
{
	return IOMMUFD_VERSION_STRING;
}

static bool env_tracing(void)
{
	const char *v = getenv("IOMMUFD_TRACE");

	return v && *v && strcmp(v, "0") != 0;
}

int iofd_ctx_new(struct iofd_transport tp, int fd, bool owns_fd, struct iommufd_ctx **out)
{
	struct iommufd_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return -ENOMEM;
	ctx->tp = tp;
	ctx->fd = fd;
	ctx->owns_fd = owns_fd;
	ctx->refs = 1; /* the program's, dropped by iommufd_close() */
	pthread_mutex_init(&ctx->lock, NULL);
	ctx->log_level = -1;
	ctx->env_trace = env_tracing();
	ctx->log_max = ctx->env_trace ? IOMMUFD_LOG_TRACE : -1;
	*out = ctx;
	return 0;
}

int iommufd_open(const char *path, struct iommufd_ctx **out)
{
	struct iofd_transport tp = { &iofd_kernel_transport_ops, NULL };
	int fd, ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!path)
		path = "/dev/iommu";
	fd = tp.ops->open(tp.priv, path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fd;
	ret = iofd_ctx_new(tp, fd, true, out);
	if (ret) {
		tp.ops->close(tp.priv, fd);
		return ret;
	}
	/* Traced once the context (which holds the trace settings) exists. */
	iofd_log(*out, IOMMUFD_LOG_TRACE, "%s open %s = %d", tp.ops->name, path, fd);
	return 0;
}

int iommufd_from_fd(int fd, struct iommufd_ctx **out)
{
	struct iofd_transport tp = { &iofd_kernel_transport_ops, NULL };

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	return iofd_ctx_new(tp, fd, false, out);
}

void iofd_ctx_get(struct iommufd_ctx *ctx)
{
	__atomic_add_fetch(&ctx->refs, 1, __ATOMIC_RELAXED);
}

void iofd_ctx_put(struct iommufd_ctx *ctx)
{
	/* Whatever the other holders did to the context happened before it goes. */
	if (__atomic_sub_fetch(&ctx->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (ctx->owns_fd)
		iofd_kclose(ctx, ctx->fd);
	if (ctx->tp.ops->release)
		ctx->tp.ops->release(ctx->tp.priv);
	iofd_err_forget_ctx(ctx);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

static void update_log_max(struct iommufd_ctx *ctx);

void iommufd_close(struct iommufd_ctx *ctx)
{
	if (!ctx)
		return;
	/*
	 * Devices or containers still hold it: the program's log settings go with
	 * its reference, so that their later teardown never calls a callback the
	 * program has freed meanwhile.
	 */
	pthread_mutex_lock(&ctx->lock);
	if (__atomic_load_n(&ctx->refs, __ATOMIC_RELAXED) > 1) {
		ctx->log_fn = NULL;
		ctx->log_arg = NULL;
		ctx->log_level = -1;
		update_log_max(ctx);
	}
	pthread_mutex_unlock(&ctx->lock);
	iofd_ctx_put(ctx);
}

int iommufd_fd(const struct iommufd_ctx *ctx)
{
	return ctx ? ctx->fd : -EINVAL;
}

bool iommufd_is_simulated(const struct iommufd_ctx *ctx)
{
	return ctx && ctx->tp.ops != &iofd_kernel_transport_ops;
}

/* Which messages are made at all, from the settings (lock held). */
static void update_log_max(struct iommufd_ctx *ctx)
{
	int max;

	if (ctx->log_level >= 0)
		max = ctx->log_level;
	else
		max = ctx->log_fn ? IOMMUFD_LOG_TRACE : -1; /* a callback alone gets everything */
	/* The user's IOMMUFD_TRACE wins over what the program chose. */
	if (ctx->env_trace)
		max = IOMMUFD_LOG_TRACE;
	__atomic_store_n(&ctx->log_max, max, __ATOMIC_RELAXED);
}

static bool log_wanted(struct iommufd_ctx *ctx, int level)
{
	return level <= __atomic_load_n(&ctx->log_max, __ATOMIC_RELAXED);
}

static void emit(struct iommufd_ctx *ctx, int level, const char *msg)
{
	iommufd_log_fn fn;
	void *arg;

	pthread_mutex_lock(&ctx->lock);
	fn = ctx->log_fn;
	arg = ctx->log_arg;
	pthread_mutex_unlock(&ctx->lock);
	if (fn)
		fn(arg, level, msg);
	else
		fprintf(stderr, "iommufd: %s\n", msg);
}

void iommufd_set_log(struct iommufd_ctx *ctx, iommufd_log_fn fn, void *arg)
{
	if (!ctx)
		return;
	pthread_mutex_lock(&ctx->lock);
	ctx->log_fn = fn;
	ctx->log_arg = arg;
	update_log_max(ctx);
	pthread_mutex_unlock(&ctx->lock);
}

int iommufd_set_log_level(struct iommufd_ctx *ctx, int level)
{
	if (!ctx)
		return -EINVAL;
	if (level < IOMMUFD_LOG_ERROR || level > IOMMUFD_LOG_TRACE)
		return iofd_set_error(ctx, -EINVAL, "set log level %d: not a level (%d..%d)", level,
				      IOMMUFD_LOG_ERROR, IOMMUFD_LOG_TRACE);
	pthread_mutex_lock(&ctx->lock);
	ctx->log_level = level;
	update_log_max(ctx);
	pthread_mutex_unlock(&ctx->lock);
	return 0;
}

void iofd_log(struct iommufd_ctx *ctx, int level, const char *fmt, ...)
{
	char msg[IOFD_ERRMSG_MAX];
	va_list ap;

	/* Nothing is formatted for a level nobody receives. */
	if (!log_wanted(ctx, level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(ctx, level, msg);
}

static void set_error_v(struct iommufd_ctx *ctx, int err, const char *fmt, va_list ap)
{
	char buf[IOFD_ERRMSG_MAX];
	int n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n >= 0 && (size_t)n < sizeof(buf) && err)
		snprintf(buf + n, sizeof(buf) - n, ": %s", strerror(-err));
	/* No context lock: threads failing at once on one context do not queue. */
	iofd_err_store(ctx, buf);
}

int iofd_set_error(struct iommufd_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error_v(ctx, err, fmt, ap);
	va_end(ap);
	return err;
}

int iofd_kcall_done(struct iommufd_ctx *ctx, int ret, const char *fmt, ...)
{
	bool trace = log_wanted(ctx, IOMMUFD_LOG_TRACE);
	char what[IOFD_ERRMSG_MAX];
	va_list ap;

	/* A call that worked and that nobody traces costs no formatting. */
	if (ret == 0 && !trace)
		return 0;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (ret)
		iofd_set_error(ctx, ret, "%s", what);
	if (trace)
		iofd_log(ctx, IOMMUFD_LOG_TRACE, "%s %s = %d%s%s", ctx->tp.ops->name, what, ret,
			 ret ? " " : "", ret ? strerror(-ret) : "");
	return ret;
}

int iofd_kopen(struct iommufd_ctx *ctx, const char *path, int flags)
{
	int fd = ctx->tp.ops->open(ctx->tp.priv, path, flags);

	if (fd < 0)
		iofd_set_error(ctx, fd, "open %s", path);
	iofd_log(ctx, IOMMUFD_LOG_TRACE, "%s open %s = %d", ctx->tp.ops->name, path, fd);
	return fd;
}

void iofd_kclose(struct iommufd_ctx *ctx, int fd)
{
	ctx->tp.ops->close(ctx->tp.priv, fd);
	iofd_log(ctx, IOMMUFD_LOG_TRACE, "%s close %d", ctx->tp.ops->name, fd);
}
