// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Cleanups whose kernel calls fail: a failed iommufd_device_open("selftest")
 * whose undo fails too, and iommufd_container_free() when a detach or destroy
 * fails. A failed destroy is tried once more; an object still left is said
 * (after the cause, on the calling thread's last error, and as an ERROR log
 * line) and lives until the context closes, which destroys it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "core/ctx.h"
#include "helpers.h"
#include "uapi/iommufd_abi.h"

/*
 * A transport in front of a context's own: DESTROY of one id (0: of any)
 * fails with err, `times` times; everything else goes through.
 */
struct refuse_destroy {
	struct iofd_transport inner;
	uint32_t id;
	int times;
	int err;
	int refused;
};

static int rd_open(void *priv, const char *path, int flags)
{
	struct refuse_destroy *r = priv;

	return r->inner.ops->open(r->inner.priv, path, flags);
}

static int rd_ioctl(void *priv, int fd, unsigned long request, void *arg)
{
	struct refuse_destroy *r = priv;

	if (request == IOFD_DESTROY && r->times > 0 &&
	    (!r->id || ((struct iofd_destroy *)arg)->id == r->id)) {
		r->times--;
		r->refused++;
		return -r->err;
	}
	return r->inner.ops->ioctl(r->inner.priv, fd, request, arg);
}

static void rd_close(void *priv, int fd)
{
	struct refuse_destroy *r = priv;

	r->inner.ops->close(r->inner.priv, fd);
}

static int rd_resolve(void *priv, const char *name, struct iofd_dev_sysinfo *out)
{
	struct refuse_destroy *r = priv;

	return r->inner.ops->resolve_device(r->inner.priv, name, out);
}

static int rd_list(void *priv, struct iommufd_device_desc *out, unsigned max)
{
	struct refuse_destroy *r = priv;

	return r->inner.ops->list_devices(r->inner.priv, out, max);
}

static void rd_release(void *priv)
{
	struct refuse_destroy *r = priv;

	r->inner.ops->release(r->inner.priv);
}

static const struct iofd_transport_ops rd_ops = {
	.name = "sim",
	.open = rd_open,
	.ioctl = rd_ioctl,
	.close = rd_close,
	.resolve_device = rd_resolve,
	.list_devices = rd_list,
	.release = rd_release,
};

static void refuse_destroy(struct iommufd_ctx *ctx, struct refuse_destroy *r, uint32_t id,
			   int times, int err)
{
	memset(r, 0, sizeof(*r));
	r->inner = ctx->tp;
	r->id = id;
	r->times = times;
	r->err = err;
	ctx->tp.ops = &rd_ops;
	ctx->tp.priv = r;
}

static void stop_refusing(struct iommufd_ctx *ctx, struct refuse_destroy *r)
{
	ctx->tp = r->inner;
}

/* The ERROR log lines of a context. */
struct errlog {
	char line[512];
	int n;
};

static void log_errors(void *arg, int level, const char *msg)
{
	struct errlog *l = arg;

	if (level != IOMMUFD_LOG_ERROR)
		return;
	l->n++;
	snprintf(l->line, sizeof(l->line), "%s", msg);
}

static void assert_says(const char *what, const char *msg, const char *const *words)
{
	for (; *words; words++)
		if (!strstr(msg, *words))
			fail_msg("%s: \"%s\" lacks \"%s\"", what, msg, *words);
}
#define assert_msg(what, msg, ...) \
	assert_says((what), (msg), (const char *const[]){ __VA_ARGS__, NULL })

/* Close the context: the kernel (here the simulator) destroys whatever is left. */
static void close_and_count(struct fx *f)
{
	int i;

	for (i = 0; i < NDEVS; i++)
		iommufd_device_close(f->dev[i]);
	iommufd_close(f->ctx);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 0);
	iommufd_sim_free(f->sim);
	munmap(f->mem, MEM_LEN);
}

/* The mock device cannot be made (no CONFIG_IOMMUFD_TEST), and its IOAS cannot be destroyed. */
static void selftest_open_cleanup_fails(void **state)
{
	struct iommufd_device *dev = (void *)1;
	struct refuse_destroy r;
	struct errlog log = { "", 0 };
	struct fx f;
	const char *msg;

	fx_init(&f, -1);
	iommufd_set_log(f.ctx, log_errors, &log);
	refuse_destroy(f.ctx, &r, 0, 2, EBUSY);
	assert_int_equal(iommufd_device_open(f.ctx, "selftest", &dev), -ENOTTY);
	stop_refusing(f.ctx, &r);
	assert_null(dev);
	assert_int_equal(r.refused, 2);
	/* the cause first, then the cleanup that failed and what it left */
	msg = iommufd_last_error(f.ctx);
	if (strncmp(msg, "device selftest: making a mock device", 37))
		fail_msg("\"%s\" does not start with the cause", msg);
	assert_msg("last error", msg, "Inappropriate ioctl", "its IOAS", "Device or resource busy",
		   "iommufd_close");
	assert_true(strstr(msg, "Inappropriate ioctl") < strstr(msg, "Device or resource busy"));
	assert_int_equal(log.n, 1);
	assert_string_equal(log.line, msg);
	assert_int_equal(iommufd_sim_live_objects(f.sim), f.base_objects + 1);
	close_and_count(&f);
}

/* One failed destroy is tried again: nothing is left, and nothing to say. */
static void free_destroy_fails_once(void **state)
{
	struct errlog log = { "", 0 };
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_attach(&f, DEV_A0);
	fx_map(&f);
	iommufd_set_log(f.ctx, log_errors, &log);
	/* 1: detach, 2: DESTROY hwpt, 3: UNMAP all, 4: DESTROY ioas */
	assert_int_equal(iommufd_sim_fail_nth(f.sim, 4, EBUSY), 0);
	iommufd_container_free(f.c);
	assert_int_equal(iommufd_sim_fail_nth(f.sim, 0, 0), 0);
	f.c = NULL;
	assert_int_equal(log.n, 0);
	assert_int_equal(iommufd_sim_live_objects(f.sim), f.base_objects);
	/* 1: detach, 2: DESTROY hwpt */
	assert_int_equal(iommufd_container_new(f.ctx, 0, &f.c), 0);
	fx_attach(&f, DEV_A0);
	assert_int_equal(iommufd_sim_fail_nth(f.sim, 2, EBUSY), 0);
	iommufd_container_free(f.c);
	assert_int_equal(iommufd_sim_fail_nth(f.sim, 0, 0), 0);
	f.c = NULL;
	assert_int_equal(log.n, 0);
	fx_fini(&f);
}

/* The IOAS cannot be destroyed: said, and left to iommufd_close(). */
static void free_ioas_destroy_fails(void **state)
{
	struct errlog log = { "", 0 };
	struct refuse_destroy r;
	char ioas[16];
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_attach(&f, DEV_A0);
	fx_map(&f);
	snprintf(ioas, sizeof(ioas), "ioas %u", iommufd_container_ioas_id(f.c));
	iommufd_set_log(f.ctx, log_errors, &log);
	refuse_destroy(f.ctx, &r, iommufd_container_ioas_id(f.c), 2, EBUSY);
	iommufd_container_free(f.c);
	stop_refusing(f.ctx, &r);
	f.c = NULL;
	assert_int_equal(r.refused, 2);
	assert_msg("last error", iommufd_last_error(f.ctx), "free", ioas, "left",
		   "Device or resource busy", "until iommufd_close");
	assert_int_equal(log.n, 1);
	assert_string_equal(log.line, iommufd_last_error(f.ctx));
	/* the IOAS only (its domain went): the device is free for another container */
	assert_int_equal(iommufd_sim_live_objects(f.sim), f.base_objects + 1);
	assert_int_equal(iommufd_container_new(f.ctx, 0, &f.c), 0);
	fx_attach(&f, DEV_A0);
	iommufd_container_free(f.c);
	close_and_count(&f);
}

/* A domain that cannot be destroyed holds its IOAS too: both are named. */
static void free_domain_destroy_fails(void **state)
{
	struct iommufd_domain_info d;
	struct errlog log = { "", 0 };
	struct refuse_destroy r;
	char ioas[16], hwpt[16];
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_attach(&f, DEV_A0);
	assert_int_equal(iommufd_container_domains(f.c, &d, 1), 1);
	snprintf(ioas, sizeof(ioas), "ioas %u", iommufd_container_ioas_id(f.c));
	snprintf(hwpt, sizeof(hwpt), "hwpt %u", d.hwpt_id);
	iommufd_set_log(f.ctx, log_errors, &log);
	refuse_destroy(f.ctx, &r, d.hwpt_id, 2, EIO);
	iommufd_container_free(f.c);
	stop_refusing(f.ctx, &r);
	f.c = NULL;
	assert_msg("last error", iommufd_last_error(f.ctx), "free", hwpt, ioas, "left",
		   "Input/output error", "until iommufd_close");
	assert_int_equal(log.n, 1);
	assert_int_equal(iommufd_sim_live_objects(f.sim), f.base_objects + 2);
	close_and_count(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(selftest_open_cleanup_fails),
		cmocka_unit_test(free_destroy_fails_once),
		cmocka_unit_test(free_ioas_destroy_fails),
		cmocka_unit_test(free_domain_destroy_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
