// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the library costs over the raw kernel calls that do the same work,
 * side by side in one process and one run (`make bench`).
 *
 * Every round times a batch of the minimal raw sequence (ioctls on the
 * project's own ABI definitions) and a batch of the library call back to
 * back, alternating which goes first; the table gives each side's median per
 * operation, the ratio (the median of the rounds' library/raw ratios: both
 * sides of a round see the same load) and the kernel calls each makes per
 * operation (the library's counted by a transport in front of its own).
 * A ratio over its goal is measured again: a goal fails only when three
 * measurements in a row miss it. The output is TAP: one point per goal.
 *
 *   bench_cost            in the VM tier: the real kernel; VMTEST_MACHINE says
 *                         which machine (A: VFIO on VT-d, B: selftest mocks)
 *   bench_cost --sim      the same workloads on the simulator, then attach over
 *                         16 SMMUv3 instances, memory per mapping at 1,000,000
 *                         mappings, and read_dirty / unmap-all from a 4 GiB to
 *                         a 1 TiB guest with 1% of its pages dirty
 *
 * Times are the thread's CPU time on the simulator, wall-clock time on a real
 * kernel. Environment: BENCH_ROUNDS (rounds per measurement, default 41),
 * BENCH_SCALE_MAX_GIB (largest guest of the curve, default 1024),
 * BENCH_ONLY (run only workloads whose name contains it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>

#include <iommufd/iommufd.h>

#include "core/ctx.h"
#include "objects/device.h"
#include "uapi/iommufd_abi.h"
#include "uapi/selftest_abi.h"
#include "uapi/vfio_abi.h"

#define SZ_4K 0x1000ull
#define SZ_2M 0x200000ull
#define SZ_1G 0x40000000ull
#define MAX_ROUNDS 512
#define TRIES 3

/* ---- output: a table and TAP ---------------------------------------- */

static unsigned tap_n, tap_failed;

static void tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %u - ", ok ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		tap_failed++;
}

/*
 * The simulator runs in this thread: its work is the thread's CPU time, which
 * other load on a shared machine does not stretch. A real kernel's is the
 * time that passes (its own threads, interrupts, the VM's clock).
 */
static clockid_t bench_clock = CLOCK_MONOTONIC;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(bench_clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Heap bytes in use (malloc'd, including mmap'd chunks). */
static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* ---- the environment: a kernel (real or simulated) and raw calls on it -- */

/* Counts the library's kernel calls, in front of its own transport. */
struct counter {
	struct iofd_transport inner;
	unsigned long calls;
	unsigned long refused_attaches; /* VFIO attach answered -EINVAL */
};

static int cnt_open(void *priv, const char *path, int flags)
{
	struct counter *c = priv;

	return c->inner.ops->open(c->inner.priv, path, flags);
}

static int cnt_ioctl(void *priv, int fd, unsigned long request, void *arg)
{
	struct counter *c = priv;
	int ret = c->inner.ops->ioctl(c->inner.priv, fd, request, arg);

	c->calls++;
	if (request == IOFD_VFIO_DEVICE_ATTACH_IOMMUFD_PT && ret == -EINVAL)
		c->refused_attaches++;
	return ret;
}

static void cnt_close(void *priv, int fd)
{
	struct counter *c = priv;

	c->inner.ops->close(c->inner.priv, fd);
}

static int cnt_resolve(void *priv, const char *name, struct iofd_dev_sysinfo *out)
{
	struct counter *c = priv;

	return c->inner.ops->resolve_device(c->inner.priv, name, out);
}

static int cnt_list(void *priv, struct iommufd_device_desc *out, unsigned max)
{
	struct counter *c = priv;

	return c->inner.ops->list_devices(c->inner.priv, out, max);
}

static void cnt_release(void *priv)
{
	struct counter *c = priv;

	if (c->inner.ops->release)
		c->inner.ops->release(c->inner.priv);
}

static const struct iofd_transport_ops count_ops = {
	.name = "count",
	.open = cnt_open,
	.ioctl = cnt_ioctl,
	.close = cnt_close,
	.resolve_device = cnt_resolve,
	.list_devices = cnt_list,
	.release = cnt_release,
};

struct env {
	char where[64];        /* "linux 6.12.117 B", "sim A" */
	bool sim;
	bool mock;             /* machine B: the kernel's selftest mock devices */
	struct iommufd_sim *simh;
	struct iommufd_ctx *ctx;
	struct iofd_transport own; /* the context's own transport */
	struct counter cnt;
	char dev_name[4][64];
	uint64_t iova_lib, iova_raw, iova_more; /* where each side maps */
	unsigned rounds;
	bool counting;         /* count the library's calls in the timed parts */
};

static void count_on(struct env *e)
{
	e->cnt.inner = e->own;
	e->cnt.calls = 0;
	e->cnt.refused_attaches = 0;
	e->ctx->tp = (struct iofd_transport){ &count_ops, &e->cnt };
}

static unsigned long count_off(struct env *e)
{
	e->ctx->tp = e->own;
	return e->cnt.calls;
}

/* The timed part of an operation starts: its library calls are counted when asked. */
static double timed_begin(struct env *e)
{
	if (e->counting)
		e->ctx->tp = (struct iofd_transport){ &count_ops, &e->cnt };
	return now_ns();
}

static double timed_end(struct env *e, double t0)
{
	double t = now_ns() - t0;

	if (e->counting)
		e->ctx->tp = e->own;
	return t;
}

/* One raw kernel call: ioctl(2) on the real kernel, the simulator's own entry point on it. */
static int raw(struct env *e, int fd, unsigned long request, void *arg)
{
	if (!e->sim)
		return ioctl(fd, request, arg) ? -errno : 0;
	return e->own.ops->ioctl(e->own.priv, fd, request, arg);
}

static int raw_map(struct env *e, uint32_t ioas, void *va, uint64_t iova, uint64_t len,
		   bool readonly)
{
	struct iofd_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOFD_IOAS_MAP_FIXED_IOVA | IOFD_IOAS_MAP_READABLE |
			 (readonly ? 0 : IOFD_IOAS_MAP_WRITEABLE),
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return raw(e, iommufd_fd(e->ctx), IOFD_IOAS_MAP, &cmd);
}

static int raw_unmap(struct env *e, uint32_t ioas, uint64_t iova, uint64_t len)
{
	struct iofd_ioas_unmap cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .iova = iova, .length = len
	};

	return raw(e, iommufd_fd(e->ctx), IOFD_IOAS_UNMAP, &cmd);
}

static int raw_read(struct env *e, uint32_t hwpt, uint64_t iova, uint64_t len, uint64_t *bm,
		    bool no_clear)
{
	struct iofd_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt,
		.flags = no_clear ? IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR : 0,
		.iova = iova,
		.length = len,
		.page_size = SZ_4K,
		.data = (uintptr_t)bm,
	};

	return raw(e, iommufd_fd(e->ctx), IOFD_HWPT_GET_DIRTY_BITMAP, &cmd);
}

/*
 * Device writes: every stride-th 4 KiB page of [iova, iova + len) becomes
 * dirty in the domain of dev (hwpt). The mock's TEST_OP_DIRTY takes them all
 * in one call, in its own 2 KiB pages (6.12 indexes its page table by the
 * page size given); the simulator takes a DMA write per page.
 */
static int make_dirty(struct env *e, struct iommufd_device *dev, uint32_t hwpt, uint64_t iova,
		      uint64_t len, unsigned stride)
{
	const uint64_t per = SZ_4K / IOFD_MOCK_IO_PAGE_SIZE;
	struct iofd_test_cmd cmd = { .size = sizeof(cmd), .op = IOFD_TEST_OP_DIRTY };
	uint64_t pages = len / SZ_4K, i;
	uint64_t *bm;
	int ret = 0;

	if (e->sim) {
		for (i = 0; i < pages && !ret; i += stride)
			ret = iommufd_sim_dma_write(e->simh, iommufd_device_name(dev),
						    iova + i * SZ_4K, SZ_4K);
		return ret;
	}
	bm = calloc((pages * per + 63) / 64, 8);
	if (!bm)
		return -ENOMEM;
	for (i = 0; i < pages; i += stride)
		bm[i * per / 64] |= 1ull << (i * per % 64);
	cmd.id = hwpt;
	cmd.dirty.iova = iova;
	cmd.dirty.length = len;
	cmd.dirty.page_size = IOFD_MOCK_IO_PAGE_SIZE;
	cmd.dirty.uptr = (uintptr_t)bm;
	ret = raw(e, iommufd_fd(e->ctx), IOFD_TEST_CMD, &cmd);
	free(bm);
	return ret;
}

/* ---- measuring -------------------------------------------------------- */

struct result {
	double raw_ns, lib_ns, ratio;
	unsigned long raw_calls, lib_calls;
};

/*
 * One side of a workload: k operations, returns the ns of their timed parts (< 0: -errno).
 * Batches are short and rounds many: a burst of load on the shared machine then falls on
 * both sides of the rounds it spans, and the median of the rounds' ratios does not see it.
 */
typedef double (*side_fn)(struct env *e, void *st, unsigned k);

struct workload {
	const char *name;
	double goal;          /* the ratio to stay under; 0: reported only */
	unsigned batch;       /* operations per timed batch */
	unsigned more_rounds; /* rounds times this (slow operations whose times vary a lot) */
	unsigned raw_calls;   /* kernel calls of the raw sequence per operation */
	side_fn raw, lib;
};

static bool failed_side(double t)
{
	return t < 0;
}

static int measure(struct env *e, const struct workload *w, void *st, struct result *r)
{
	static double raw_ns[MAX_ROUNDS], lib_ns[MAX_ROUNDS], ratio[MAX_ROUNDS];
	unsigned i, rounds = e->rounds * w->more_rounds;
	double t;

	/* warm caches and the kernel's allocators on both sides first */
	if (failed_side(t = w->raw(e, st, w->batch)) || failed_side(t = w->lib(e, st, w->batch)))
		return (int)t;
	if (rounds > MAX_ROUNDS)
		rounds = MAX_ROUNDS;
	for (i = 0; i < rounds; i++) {
		uint64_t iova = e->iova_lib;
		double a, b;

		/* each side maps where the other did the round before: the same page tables */
		e->iova_lib = e->iova_raw;
		e->iova_raw = iova;
		if (i % 2) {
			b = w->lib(e, st, w->batch);
			a = w->raw(e, st, w->batch);
		} else {
			a = w->raw(e, st, w->batch);
			b = w->lib(e, st, w->batch);
		}
		if (failed_side(a) || failed_side(b))
			return (int)(failed_side(a) ? a : b);
		raw_ns[i] = a / w->batch;
		lib_ns[i] = b / w->batch;
		ratio[i] = b / a;
	}
	r->raw_ns = median(raw_ns, rounds);
	r->lib_ns = median(lib_ns, rounds);
	r->ratio = median(ratio, rounds);
	r->raw_calls = w->raw_calls;
	e->cnt.inner = e->own;
	e->cnt.calls = 0;
	e->counting = true;
	t = w->lib(e, st, 1);
	e->counting = false;
	r->lib_calls = e->cnt.calls;
	return failed_side(t) ? (int)t : 0;
}

static void print_header(const struct env *e)
{
	struct utsname u;

	uname(&u);
	printf("\n%s (%s %s): raw and library side by side, %u rounds\n", e->where, u.sysname,
	       u.release, e->rounds);
	printf("  %-40s %12s %12s %7s %6s %13s\n", "workload", "raw median", "lib median",
	       "ratio", "goal", "calls raw/lib");
	fflush(stdout);
}

static void print_row(const char *name, const struct result *r, double goal)
{
	char g[16] = "-";

	if (goal)
		snprintf(g, sizeof(g), "%.2f", goal);
	printf("  %-40s %9.2f us %9.2f us %7.3f %6s %6lu/%-6lu\n", name, r->raw_ns / 1e3,
	       r->lib_ns / 1e3, r->ratio, g, r->raw_calls, r->lib_calls);
	fflush(stdout);
}

static bool selected(const char *name)
{
	const char *only = getenv("BENCH_ONLY");

	return !only || !*only || strstr(name, only);
}

/*
 * Measure; over the goal, measure again, up to TRIES in a row. The goal fails
 * only when every try misses it, or when the library makes more kernel calls
 * than the raw sequence. On the simulator, whose calls take a fraction of a
 * microsecond, the ratios are shown and only the kernel calls are a goal.
 */
static void run(struct env *e, const struct workload *w, void *st)
{
	double goal = e->sim ? 0 : w->goal;
	char tries[64] = "";
	struct result r = { 0 };
	size_t len = 0;
	unsigned t;
	int ret;

	if (!selected(w->name))
		return;
	for (t = 0; t < TRIES; t++) {
		ret = measure(e, w, st, &r);
		if (ret) {
			tap(false, "%s: %s: %s (%s)", e->where, w->name, strerror(-ret),
			    iommufd_last_error(e->ctx));
			return;
		}
		print_row(w->name, &r, goal);
		len += snprintf(tries + len, sizeof(tries) - len, "%s%.3f", t ? ", " : "", r.ratio);
		if (!goal || r.ratio <= goal)
			break;
	}
	if (w->lib == w->raw)
		return;
	if (r.lib_calls > r.raw_calls) {
		tap(false, "%s: %s: %lu kernel calls, the raw sequence %lu", e->where, w->name,
		    r.lib_calls, r.raw_calls);
		return;
	}
	if (!goal) {
		tap(true, "%s: %s: %lu kernel calls, as the raw sequence", e->where, w->name,
		    r.lib_calls);
		return;
	}
	tap(t < TRIES, "%s: %s: ratio %s (goal %.2f%s)", e->where, w->name, tries, goal,
	    t < TRIES ? "" : ", missed three times in a row");
}

/* ---- workloads --------------------------------------------------------- */

/* A container with devices, memory, and what the raw side needs. */
struct bed {
	struct iommufd_container *c;
	struct iommufd_device *dev[2];
	uint32_t ioas, hwpt;
	void *mem;
	size_t mem_len;
	uint64_t len;        /* bytes per operation */
	uint64_t iova;       /* where the read workload's memory is mapped */
	uint64_t *bm;        /* a bitmap for the dirty reads */
	/* the raw side's own device for attach (machine B): a mock on its IOAS */
	uint32_t raw_stdev, raw_ioas;
	bool carried;        /* a large carried-over set was made */
};

static void *mem_alloc(size_t len, bool populate)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : MAP_NORESERVE),
		       -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (populate)
		memset(p, 0x5a, len);
	return p;
}

static int open_dev(struct env *e, unsigned i, struct iommufd_device **out)
{
	return iommufd_device_open(e->ctx, e->dev_name[i], out);
}

static uint32_t first_hwpt(struct iommufd_container *c)
{
	struct iommufd_domain_info d[4];

	return iommufd_container_domains(c, d, 4) > 0 ? d[0].hwpt_id : 0;
}

static void bed_free(struct bed *b)
{
	unsigned i;

	iommufd_container_free(b->c);
	for (i = 0; i < 2; i++)
		iommufd_device_close(b->dev[i]);
	if (b->mem)
		munmap(b->mem, b->mem_len);
	free(b->bm);
}

static int bed_init(struct env *e, struct bed *b, uint32_t flags, size_t mem_len, bool populate)
{
	int ret;

	memset(b, 0, sizeof(*b));
	b->mem_len = mem_len;
	b->mem = mem_alloc(mem_len, populate);
	if (!b->mem)
		return -ENOMEM;
	ret = iommufd_container_new(e->ctx, flags, &b->c);
	if (!ret)
		ret = open_dev(e, 0, &b->dev[0]);
	if (!ret)
		ret = iommufd_container_attach(b->c, b->dev[0]);
	if (!ret && (flags & IOMMUFD_CONTAINER_DIRTY_TRACKING))
		ret = iommufd_container_set_dirty_tracking(b->c, true);
	if (ret)
		return ret;
	b->ioas = iommufd_container_ioas_id(b->c);
	b->hwpt = first_hwpt(b->c);
	return 0;
}

/* map + unmap */

static double map_raw(struct env *e, void *st, unsigned k)
{
	struct bed *b = st;
	double t0 = now_ns();
	unsigned i;
	int ret;

	for (i = 0; i < k; i++) {
		ret = raw_map(e, b->ioas, b->mem, e->iova_raw, b->len, false);
		if (!ret)
			ret = raw_unmap(e, b->ioas, e->iova_raw, b->len);
		if (ret)
			return ret;
	}
	return now_ns() - t0;
}

static double map_lib(struct env *e, void *st, unsigned k)
{
	struct bed *b = st;
	double t0 = timed_begin(e);
	unsigned i;
	int ret = 0;

	for (i = 0; i < k && !ret; i++) {
		ret = iommufd_container_map(b->c, b->mem, e->iova_lib, b->len, false);
		if (!ret)
			ret = iommufd_container_unmap(b->c, e->iova_lib, b->len);
	}
	t0 = timed_end(e, t0);
	return ret ? ret : t0;
}

static void bench_map(struct env *e)
{
	/* the same raw sequence on both sides: how far from 1 the noise alone takes a ratio */
	static const struct workload cal = { "calibration: raw against raw", 0, 4, 4, 2,
					     map_raw, map_raw };
	static const struct workload w4k = { "map+unmap 4 KiB", 1.05, 4, 4, 2, map_raw, map_lib };
	static const struct workload w2m = { "map+unmap 2 MiB", 1.02, 1, 3, 2, map_raw, map_lib };
	struct bed b;
	int ret;

	if (!selected("map+unmap") && !selected("calibration"))
		return;
	ret = bed_init(e, &b, 0, 2 * SZ_2M, true);
	if (ret) {
		tap(false, "%s: map+unmap: set-up: %s (%s)", e->where, strerror(-ret),
		    iommufd_last_error(e->ctx));
		goto out;
	}
	b.len = SZ_4K;
	if (selected(cal.name))
		run(e, &cal, &b);
	run(e, &w4k, &b);
	{
		void *keep = b.mem;

		/* 2 MiB aligned, so that the kernel can use a huge IO page where it has them */
		b.mem = (void *)(((uintptr_t)b.mem + SZ_2M - 1) & ~(uintptr_t)(SZ_2M - 1));
		b.len = SZ_2M;
		run(e, &w2m, &b);
		b.mem = keep;
	}
out:
	bed_free(&b);
}

/* attach of one more device to a domain the container has, and its detach */

static int vfio_attach(struct env *e, struct iommufd_device *dev, uint32_t pt)
{
	struct iofd_vfio_device_attach_iommufd_pt cmd = { .argsz = sizeof(cmd), .pt_id = pt };

	return raw(e, dev->fd, IOFD_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd);
}

static int vfio_detach(struct env *e, struct iommufd_device *dev)
{
	struct iofd_vfio_device_detach_iommufd_pt cmd = { .argsz = sizeof(cmd) };

	return raw(e, dev->fd, IOFD_VFIO_DEVICE_DETACH_IOMMUFD_PT, &cmd);
}

static int mock_replace(struct env *e, uint32_t stdev, uint32_t pt)
{
	struct iofd_test_cmd cmd = { .size = sizeof(cmd), .op = IOFD_TEST_OP_MOCK_DOMAIN_REPLACE };

	cmd.id = stdev;
	cmd.mock_domain_replace.pt_id = pt;
	return raw(e, iommufd_fd(e->ctx), IOFD_TEST_CMD, &cmd);
}

static double attach_raw(struct env *e, void *st, unsigned k)
{
	struct bed *b = st;
	double t0 = now_ns();
	unsigned i;
	int ret;

	for (i = 0; i < k; i++) {
		if (!e->sim && e->mock) {
			/* the mock's attach is a replace, its detach a replace back */
			ret = mock_replace(e, b->raw_stdev, b->hwpt);
			if (!ret)
				ret = mock_replace(e, b->raw_stdev, b->raw_ioas);
		} else {
			ret = vfio_attach(e, b->dev[1], b->hwpt);
			if (!ret)
				ret = vfio_detach(e, b->dev[1]);
		}
		if (ret)
			return ret;
	}
	return now_ns() - t0;
}

static double attach_lib(struct env *e, void *st, unsigned k)
{
	struct bed *b = st;
	double t0 = timed_begin(e);
	unsigned i;
	int ret = 0;

	for (i = 0; i < k && !ret; i++) {
		ret = iommufd_container_attach(b->c, b->dev[1]);
		if (!ret)
			ret = iommufd_container_detach(b->c, b->dev[1]);
	}
	t0 = timed_end(e, t0);
	return ret ? ret : t0;
}

static int raw_mock_device(struct env *e, struct bed *b)
{
	struct iofd_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iofd_test_cmd cmd = { .size = sizeof(cmd), .op = IOFD_TEST_OP_MOCK_DOMAIN };
	int ret;

	ret = raw(e, iommufd_fd(e->ctx), IOFD_IOAS_ALLOC, &alloc);
	if (ret)
		return ret;
	b->raw_ioas = alloc.out_ioas_id;
	cmd.id = b->raw_ioas;
	ret = raw(e, iommufd_fd(e->ctx), IOFD_TEST_CMD, &cmd);
	if (!ret)
		b->raw_stdev = cmd.mock_domain.out_stdev_id;
	return ret;
}

static void bench_attach(struct env *e)
{
	/* the goal is in calls: the library's join is the raw attach, its leaving the detach */
	static const struct workload w = { "attach+detach, joining a domain", 0, 2, 4, 2,
					   attach_raw, attach_lib };
	struct bed b;
	int ret;

	if (!selected(w.name))
		return;
	ret = bed_init(e, &b, 0, SZ_2M, true);
	if (!ret)
		ret = open_dev(e, 1, &b.dev[1]);
	/* known to the library from an earlier attach, as a device moved between domains is */
	if (!ret)
		ret = iommufd_container_attach(b.c, b.dev[1]);
	if (!ret)
		ret = iommufd_container_detach(b.c, b.dev[1]);
	if (!ret && !e->sim && e->mock)
		ret = raw_mock_device(e, &b);
	if (ret)
		tap(false, "%s: attach: set-up: %s (%s)", e->where, strerror(-ret),
		    iommufd_last_error(e->ctx));
	else
		run(e, &w, &b);
	if (b.raw_stdev)
		iommufd_destroy(e->ctx, b.raw_stdev);
	if (b.raw_ioas)
		iommufd_destroy(e->ctx, b.raw_ioas);
	bed_free(&b);
}

/* unmap while tracking: the range's dirty bits read (NO_CLEAR) on each tracking domain, unmapped */

#define UNMAP_LEN SZ_2M
#define DIRTY_STRIDE 16

static double unmap_raw(struct env *e, void *st, unsigned k)
{
	struct bed *b = st;
	double t = 0, t0;
	unsigned i;
	int ret;

	for (i = 0; i < k; i++) {
		ret = raw_map(e, b->ioas, b->mem, e->iova_raw, UNMAP_LEN, false);
		if (!ret)
			ret = make_dirty(e, b->dev[0], b->hwpt, e->iova_raw, UNMAP_LEN,
					 DIRTY_STRIDE);
		if (ret)
			return ret;
		t0 = now_ns();
		ret = raw_read(e, b->hwpt, e->iova_raw, UNMAP_LEN, b->bm, true);
		if (!ret)
			ret = raw_unmap(e, b->ioas, e->iova_raw, UNMAP_LEN);
		t += now_ns() - t0;
		if (ret)
			return ret;
	}
	return t;
}

static double unmap_lib(struct env *e, void *st, unsigned k)
{
	struct bed *b = st;
	double t = 0, t0;
	unsigned i;
	int ret;

	for (i = 0; i < k; i++) {
		ret = iommufd_container_map(b->c, b->mem, e->iova_lib, UNMAP_LEN, false);
		if (!ret)
			ret = make_dirty(e, b->dev[0], b->hwpt, e->iova_lib, UNMAP_LEN,
					 DIRTY_STRIDE);
		if (ret)
			return ret;
		t0 = timed_begin(e);
		ret = iommufd_container_unmap(b->c, e->iova_lib, UNMAP_LEN);
		t += timed_end(e, t0);
		if (ret)
			return ret;
	}
	return t;
}

/*
 * A carried-over set of rounds * 1024 intervals: 8 MiB mapped at a new IOVA
 * each round, every other page written, unmapped while tracking.
 */
static int carry_over(struct env *e, struct bed *b, unsigned rounds)
{
	const uint64_t len = 8ull << 20;
	unsigned r;
	int ret = 0;

	for (r = 0; r < rounds && !ret; r++) {
		uint64_t at = e->iova_more + r * len;

		ret = iommufd_container_map(b->c, b->mem, at, len, false);
		if (!ret)
			ret = make_dirty(e, b->dev[0], b->hwpt, at, len, 2);
		if (!ret)
			ret = iommufd_container_unmap(b->c, at, len);
	}
	return ret;
}

static void bench_unmap_tracking(struct env *e)
{
	static const struct workload w = { "unmap 2 MiB while tracking", 1.05, 1, 2, 2,
					   unmap_raw, unmap_lib };
	static const struct workload wc = { "  the same, 102400 intervals carried", 1.05, 1, 2,
					    2, unmap_raw, unmap_lib };
	struct bed b;
	int ret;

	if (!e->mock || !selected("unmap"))
		return;
	ret = bed_init(e, &b, IOMMUFD_CONTAINER_DIRTY_TRACKING, 8ull << 20, true);
	if (!ret) {
		b.bm = calloc(UNMAP_LEN / SZ_4K / 64, 8);
		ret = b.bm ? 0 : -ENOMEM;
	}
	if (ret) {
		tap(false, "%s: unmap while tracking: set-up: %s (%s)", e->where, strerror(-ret),
		    iommufd_last_error(e->ctx));
		goto out;
	}
	run(e, &w, &b);
	ret = carry_over(e, &b, 100);
	if (ret)
		tap(false, "%s: unmap while tracking: carry over: %s (%s)", e->where,
		    strerror(-ret), iommufd_last_error(e->ctx));
	else
		run(e, &wc, &b);
out:
	bed_free(&b);
}

/* read_dirty: one clearing read per tracking domain */

static double read_raw(struct env *e, void *st, unsigned k)
{
	struct bed *b = st;
	double t = 0, t0;
	unsigned i;
	int ret;

	for (i = 0; i < k; i++) {
		ret = make_dirty(e, b->dev[0], b->hwpt, b->iova, b->len, DIRTY_STRIDE);
		if (ret)
			return ret;
		memset(b->bm, 0, b->len / SZ_4K / 8);
		t0 = now_ns();
		ret = raw_read(e, b->hwpt, b->iova, b->len, b->bm, false);
		t += now_ns() - t0;
		if (ret)
			return ret;
	}
	return t;
}

static double read_lib(struct env *e, void *st, unsigned k)
{
	struct bed *b = st;
	double t = 0, t0;
	unsigned i;
	int ret;

	for (i = 0; i < k; i++) {
		ret = make_dirty(e, b->dev[0], b->hwpt, b->iova, b->len, DIRTY_STRIDE);
		if (ret)
			return ret;
		memset(b->bm, 0, b->len / SZ_4K / 8);
		t0 = timed_begin(e);
		ret = iommufd_container_read_dirty(b->c, b->iova, b->len, SZ_4K, b->bm, 0);
		t += timed_end(e, t0);
		if (ret < 0)
			return ret;
	}
	return t;
}

/* What the machine can spare (/proc/meminfo), in bytes; 0 if unknown. */
static uint64_t mem_available(void)
{
	unsigned long long kib = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return kib * 1024;
}

static void bench_read(struct env *e)
{
	static char name[64];
	static struct workload w = { name, 1.05, 1, 1, 1, read_raw, read_lib };
	uint64_t len = 512ull << 20, avail = mem_available();
	struct bed b;
	int ret;

	if (!e->mock || !selected("read_dirty"))
		return;
	/* Pinned memory must be there: a VM of 512 MiB reads less (the ratio does not care). */
	while (!e->sim && len > (32ull << 20) && len > avail / 3)
		len /= 2;
	snprintf(name, sizeof(name), "read_dirty %llu MiB, 1 page in 16",
		 (unsigned long long)(len >> 20));
	ret = bed_init(e, &b, IOMMUFD_CONTAINER_DIRTY_TRACKING, len, !e->sim);
	if (!ret)
		ret = iommufd_container_map(b.c, b.mem, e->iova_lib, len, false);
	if (!ret) {
		b.len = len;
		b.iova = e->iova_lib;
		b.bm = calloc(len / SZ_4K / 64, 8);
		ret = b.bm ? 0 : -ENOMEM;
	}
	if (ret)
		tap(false, "%s: read_dirty: set-up: %s (%s)", e->where, strerror(-ret),
		    iommufd_last_error(e->ctx));
	else
		run(e, &w, &b);
	bed_free(&b);
}

/* memory per mapping: the library's heap, 4 KiB mappings in IOVA order */

static int map_many(struct iommufd_container *c, void *mem, uint64_t base, size_t n,
		    double *bytes_each, double *ns_each)
{
	size_t before = heap_bytes(), i;
	double t0 = now_ns();
	int ret;

	for (i = 0; i < n; i++) {
		ret = iommufd_container_map(c, mem, base + i * 2 * SZ_4K, SZ_4K, true);
		if (ret)
			return ret;
	}
	*ns_each = (now_ns() - t0) / n;
	/* a sanitizer's allocator says nothing: -1, not measured */
	*bytes_each = heap_bytes() == before ? -1 : (double)(heap_bytes() - before) / n;
	return iommufd_container_unmap(c, 0, UINT64_MAX);
}

static void bench_memory(struct env *e, size_t n)
{
	double bytes, ns;
	struct bed b;
	int ret;

	if (!selected("memory"))
		return;
	ret = bed_init(e, &b, 0, SZ_4K, true);
	if (!ret)
		ret = map_many(b.c, b.mem, e->iova_more, n, &bytes, &ns);
	if (ret)
		tap(false, "%s: memory: %s (%s)", e->where, strerror(-ret),
		    iommufd_last_error(e->ctx));
	else if (bytes < 0)
		tap(true, "%s: memory: not measured # SKIP the allocator keeps no count", e->where);
	else
		tap(bytes <= 48, "%s: memory: %.1f bytes of library heap per mapping at %zu "
		    "mappings (goal 48; %.1f us a map)", e->where, bytes, n, ns / 1e3);
	bed_free(&b);
}

/* ---- the real kernel --------------------------------------------------- */

static unsigned rounds_from_env(void)
{
	const char *v = getenv("BENCH_ROUNDS");
	unsigned r = v ? (unsigned)strtoul(v, NULL, 0) : 41;

	if (r < 3)
		r = 3;
	return r > MAX_ROUNDS / 4 ? MAX_ROUNDS / 4 : r;
}

static void bench_workloads(struct env *e, size_t mem_mappings)
{
	print_header(e);
	bench_map(e);
	bench_attach(e);
	bench_unmap_tracking(e);
	bench_read(e);
	if (mem_mappings)
		bench_memory(e, mem_mappings);
}

static int kernel_main(void)
{
	const char *m = getenv("VMTEST_MACHINE");
	struct utsname u;
	struct env e;
	int ret, i;

	memset(&e, 0, sizeof(e));
	uname(&u);
	e.rounds = rounds_from_env();
	e.mock = m && !strcmp(m, "B");
	snprintf(e.where, sizeof(e.where), "linux %s %s", u.release, m ? m : "?");
	ret = iommufd_open(NULL, &e.ctx);
	if (ret) {
		tap(false, "%s: open /dev/iommu: %s", e.where, strerror(-ret));
		return 1;
	}
	e.own = e.ctx->tp;
	for (i = 0; i < 2; i++) {
		if (e.mock)
			snprintf(e.dev_name[i], sizeof(e.dev_name[i]), "selftest");
		else
			snprintf(e.dev_name[i], sizeof(e.dev_name[i]), "/dev/vfio/devices/vfio%d",
				 i);
	}
	/*
	 * The mock's aperture is 16 MiB .. 2 GiB; VT-d takes anything under its
	 * width. Both sides map close together, so that the page tables under
	 * them have the same depth (the mock's xarray grows a level at 512 MiB).
	 */
	e.iova_lib = 0x10000000;
	e.iova_raw = 0x14000000;
	e.iova_more = 0x40000000;
	bench_workloads(&e, 100000);
	iommufd_close(e.ctx);
	return 0;
}

/* ---- the simulator ----------------------------------------------------- */

/* Machine A's VT-d, as guest_diff mirrors it, with dirty tracking (B's workloads run on it too). */
static const char sim_vtd[] =
	"{ \"iommus\": [ { \"name\": \"dmar0\", \"driver\": \"intel-vtd\","
	" \"dirty_tracking\": true, \"iova_bits\": 39, \"pgsizes\": [\"4K\", \"2M\", \"1G\"] } ],"
	" \"devices\": [ { \"name\": \"0000:00:03.0\", \"iommu\": \"dmar0\" },"
	" { \"name\": \"0000:00:04.0\", \"iommu\": \"dmar0\" } ] }";

static int sim_env(struct env *e, const char *where, const char *topology, const char *d0,
		   const char *d1)
{
	int ret;

	memset(e, 0, sizeof(*e));
	e->sim = true;
	e->mock = true; /* the simulator's DMA writes stand in for the mock's */
	e->rounds = rounds_from_env();
	snprintf(e->where, sizeof(e->where), "%s", where);
	ret = iommufd_sim_new(topology, &e->simh);
	if (!ret)
		ret = iommufd_sim_open(e->simh, &e->ctx);
	if (ret)
		return ret;
	e->own = e->ctx->tp;
	snprintf(e->dev_name[0], sizeof(e->dev_name[0]), "%s", d0);
	snprintf(e->dev_name[1], sizeof(e->dev_name[1]), "%s", d1);
	e->iova_lib = 0x10000000;
	e->iova_raw = 0x14000000;
	e->iova_more = 0x40000000;
	return 0;
}

static void sim_env_free(struct env *e)
{
	iommufd_close(e->ctx);
	iommufd_sim_free(e->simh);
}

/* attach across 16 SMMUv3 instances: a device of the 16th gets a domain of its own */

struct smmu_bed {
	struct iommufd_container *c;
	struct iommufd_device *dev[16];
	uint32_t ioas;
};

static double smmu_raw(struct env *e, void *st, unsigned k)
{
	struct smmu_bed *b = st;
	struct iommufd_device *d = b->dev[15];
	double t0 = now_ns();
	unsigned i;
	int ret;

	for (i = 0; i < k; i++) {
		struct iofd_hwpt_alloc cmd = {
			.size = sizeof(cmd),
			.flags = IOFD_HWPT_ALLOC_DIRTY_TRACKING,
			.dev_id = d->dev_id,
			.pt_id = b->ioas,
		};
		struct iofd_destroy des = { .size = sizeof(des) };

		ret = raw(e, iommufd_fd(e->ctx), IOFD_HWPT_ALLOC, &cmd);
		if (!ret)
			ret = vfio_attach(e, d, cmd.out_hwpt_id);
		if (!ret)
			ret = vfio_detach(e, d);
		des.id = cmd.out_hwpt_id;
		if (!ret)
			ret = raw(e, iommufd_fd(e->ctx), IOFD_DESTROY, &des);
		if (ret)
			return ret;
	}
	return now_ns() - t0;
}

static double smmu_lib(struct env *e, void *st, unsigned k)
{
	struct smmu_bed *b = st;
	double t0 = timed_begin(e);
	unsigned i;
	int ret = 0;

	for (i = 0; i < k && !ret; i++) {
		ret = iommufd_container_attach(b->c, b->dev[15]);
		if (!ret)
			ret = iommufd_container_detach(b->c, b->dev[15]);
	}
	t0 = timed_end(e, t0);
	return ret ? ret : t0;
}

static void bench_sixteen_smmus(void)
{
	static const struct workload w = { "attach+detach, 16th SMMUv3 instance", 0, 4, 4,
					   4, smmu_raw, smmu_lib };
	struct smmu_bed b = { 0 };
	char topo[4096], name[16];
	unsigned long most = 0;
	size_t len = 0;
	struct env e;
	int ret, i;

	if (!selected("SMMUv3"))
		return;
	len += snprintf(topo + len, sizeof(topo) - len, "{ \"iommus\": [");
	for (i = 0; i < 16; i++)
		len += snprintf(topo + len, sizeof(topo) - len,
				"%s{ \"name\": \"smmu%d\", \"driver\": \"arm-smmu-v3\", "
				"\"dirty_tracking\": true }", i ? "," : "", i);
	len += snprintf(topo + len, sizeof(topo) - len, "], \"devices\": [");
	for (i = 0; i < 16; i++)
		len += snprintf(topo + len, sizeof(topo) - len,
				"%s{ \"name\": \"dev%d\", \"iommu\": \"smmu%d\" }", i ? "," : "", i,
				i);
	snprintf(topo + len, sizeof(topo) - len, "] }");
	ret = sim_env(&e, "sim, 16 SMMUv3", topo, "dev0", "dev1");
	if (!ret)
		ret = iommufd_container_new(e.ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING, &b.c);
	/* each device's first attach, counted: refused attaches and GET_HW_INFO included */
	for (i = 0; !ret && i < 16; i++) {
		snprintf(name, sizeof(name), "dev%d", i);
		ret = iommufd_device_open(e.ctx, name, &b.dev[i]);
		if (ret)
			break;
		count_on(&e);
		ret = iommufd_container_attach(b.c, b.dev[i]);
		count_off(&e);
		if (e.cnt.refused_attaches > most)
			most = e.cnt.refused_attaches;
	}
	if (ret) {
		tap(false, "sim, 16 SMMUv3: set-up: %s (%s)", strerror(-ret),
		    e.ctx ? iommufd_last_error(e.ctx) : "");
		goto out;
	}
	b.ioas = iommufd_container_ioas_id(b.c);
	tap(most <= 1, "sim, 16 SMMUv3: at most %lu refused attach per device at N = 16 (goal 1)",
	    most);
	print_header(&e);
	ret = iommufd_container_detach(b.c, b.dev[15]);
	if (!ret)
		run(&e, &w, &b);
out:
	iommufd_container_free(b.c);
	for (i = 0; i < 16; i++)
		iommufd_device_close(b.dev[i]);
	sim_env_free(&e);
}

/* memory per mapping at 1,000,000 mappings, on a kernel that keeps nothing */

static int null_open(void *priv, const char *path, int flags)
{
	return -ENOENT;
}

static int null_ioctl(void *priv, int fd, unsigned long request, void *arg)
{
	switch (request) {
	case IOFD_IOAS_ALLOC:
		((struct iofd_ioas_alloc *)arg)->out_ioas_id = 1;
		return 0;
	case IOFD_IOAS_MAP:
	case IOFD_IOAS_UNMAP:
	case IOFD_DESTROY:
		return 0;
	default:
		return -ENOTTY;
	}
}

static void null_close(void *priv, int fd)
{
}

static int null_resolve(void *priv, const char *name, struct iofd_dev_sysinfo *out)
{
	return -ENOENT;
}

static int null_list(void *priv, struct iommufd_device_desc *out, unsigned max)
{
	return 0;
}

static const struct iofd_transport_ops null_ops = {
	.name = "null",
	.open = null_open,
	.ioctl = null_ioctl,
	.close = null_close,
	.resolve_device = null_resolve,
	.list_devices = null_list,
};

static void bench_memory_million(void)
{
	struct iommufd_container *c = NULL;
	struct iommufd_ctx *ctx = NULL;
	const size_t n = 1000000;
	double bytes, ns;
	int ret;

	if (!selected("memory"))
		return;
	ret = iofd_ctx_new((struct iofd_transport){ &null_ops, NULL }, 3, false, &ctx);
	if (!ret)
		ret = iommufd_container_new(ctx, 0, &c);
	if (!ret)
		ret = map_many(c, &ret, SZ_1G, n, &bytes, &ns);
	if (ret)
		tap(false, "null kernel: memory: %s", strerror(-ret));
	else if (bytes < 0)
		tap(true, "a kernel that keeps nothing: memory: not measured # SKIP the allocator "
		    "keeps no count");
	else
		tap(bytes <= 48, "a kernel that keeps nothing: memory: %.1f bytes of library heap "
		    "per mapping at %zu mappings (goal 48; %.2f us a map)", bytes, n, ns / 1e3);
	iommufd_container_free(c);
	iommufd_close(ctx);
}

/*
 * Scale: a guest of S GiB in 1 GiB mappings, 1% of its pages dirty (in IOVA
 * order with random gaps), read_dirty of all of it, then again 1% dirty and
 * unmap-all while tracking (its bits carried over), on the simulator.
 */
struct scale_point {
	uint64_t gib;
	double read_ms, unmap_ms;
	double heap_mib, rss_mib;
};

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int dirty_one_percent(struct env *e, const char *dev, uint64_t base, uint64_t pages,
			     uint64_t *seed)
{
	uint64_t pg = next_rand(seed) % 100;
	int ret = 0;

	while (pg < pages && !ret) {
		ret = iommufd_sim_dma_write(e->simh, dev, base + pg * SZ_4K, SZ_4K);
		pg += 1 + next_rand(seed) % 199; /* a gap of 100 pages on average */
	}
	return ret;
}

/* The best of SCALE_REPS: the machines are shared, and a time can only be made longer. */
#define SCALE_REPS 3

static int scale_one(uint64_t gib, struct scale_point *p)
{
	const uint64_t base = 1ull << 40, len = gib * SZ_1G, pages = len / SZ_4K;
	struct iommufd_container *c = NULL;
	struct iommufd_device *dev = NULL;
	uint64_t seed = 88172645463325252ull ^ gib, *bm = NULL, i;
	size_t heap0 = heap_bytes();
	void *mem = MAP_FAILED;
	unsigned rep;
	struct env e;
	double t0, t;
	int ret;

	ret = sim_env(&e, "sim scale", "{ \"iommus\": [ { \"name\": \"dmar0\", "
		      "\"driver\": \"intel-vtd\", \"dirty_tracking\": true, \"iova_bits\": 48 } ], "
		      "\"devices\": [ { \"name\": \"nic0\", \"iommu\": \"dmar0\" } ] }", "nic0",
		      "nic0");
	if (ret)
		return ret;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	bm = calloc(pages / 64, 8);
	if (mem == MAP_FAILED || !bm) {
		ret = -ENOMEM;
		goto out;
	}
	ret = iommufd_container_new(e.ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING, &c);
	if (!ret)
		ret = iommufd_device_open(e.ctx, "nic0", &dev);
	if (!ret)
		ret = iommufd_container_attach(c, dev);
	if (!ret)
		ret = iommufd_container_set_dirty_tracking(c, true);
	p->gib = gib;
	for (rep = 0; rep < SCALE_REPS && !ret; rep++) {
		for (i = 0; !ret && i < gib; i++)
			ret = iommufd_container_map(c, (char *)mem + i * SZ_1G, base + i * SZ_1G,
						    SZ_1G, false);
		if (!ret)
			ret = dirty_one_percent(&e, "nic0", base, pages, &seed);
		if (ret)
			break;
		t0 = now_ns();
		ret = iommufd_container_read_dirty(c, base, len, SZ_4K, bm, 0);
		t = (now_ns() - t0) / 1e6;
		if (ret < 0)
			break;
		p->read_ms = rep ? (t < p->read_ms ? t : p->read_ms) : t;
		ret = dirty_one_percent(&e, "nic0", base, pages, &seed);
		if (ret)
			break;
		t0 = now_ns();
		ret = iommufd_container_unmap(c, 0, UINT64_MAX);
		t = (now_ns() - t0) / 1e6;
		if (ret)
			break;
		p->unmap_ms = rep ? (t < p->unmap_ms ? t : p->unmap_ms) : t;
		if (!rep) {
			/* the carried-over set, the bitmap and the simulator's state, all held */
			p->heap_mib = (double)(heap_bytes() - heap0) / (1 << 20);
			p->rss_mib = peak_rss_kib() / 1024.0;
		}
		/* what unmap-all carried over is read, so that each round starts alike */
		ret = iommufd_container_read_dirty(c, base, len, SZ_4K, bm, 0);
		ret = ret < 0 ? ret : 0;
	}
out:
	if (ret && e.ctx)
		fprintf(stderr, "bench: scale %llu GiB: %s (%s)\n", (unsigned long long)gib,
			strerror(-ret), iommufd_last_error(e.ctx));
	iommufd_container_free(c);
	iommufd_device_close(dev);
	sim_env_free(&e);
	free(bm);
	if (mem != MAP_FAILED)
		munmap(mem, len);
	return ret < 0 ? ret : 0;
}

/*
 * Each step multiplies the guest by 4. Memory may grow by 4 (with 50% for
 * noise), time too, but for the memory hierarchy: at 4 to 64 GiB the bitmaps
 * and run sets fit a core's cache, larger ones do not, which costs up to
 * three times as much per page on the way; so steps may take 4 x 3, and the
 * last (256 GiB to 1 TiB, all out of the core's cache) 4 x 1.5. A quadratic
 * cost would take 16 a step.
 */
#define SCALE_SLACK 1.5
#define SCALE_CACHE_SLACK 3.0

static bool scale_linear(const struct scale_point *p, unsigned n, char *why, size_t len)
{
	unsigned i;

	for (i = 1; i < n; i++) {
		double f = (double)p[i].gib / p[i - 1].gib;
		double ft = f * (i == n - 1 && n > 2 ? SCALE_SLACK : SCALE_CACHE_SLACK);

		if (p[i].read_ms > p[i - 1].read_ms * ft ||
		    p[i].unmap_ms > p[i - 1].unmap_ms * ft ||
		    p[i].heap_mib > p[i - 1].heap_mib * f * SCALE_SLACK) {
			snprintf(why, len, "from %llu to %llu GiB",
				 (unsigned long long)p[i - 1].gib, (unsigned long long)p[i].gib);
			return false;
		}
	}
	return true;
}

static void bench_scale(void)
{
	const char *v = getenv("BENCH_SCALE_MAX_GIB");
	uint64_t max = v ? strtoull(v, NULL, 0) : 1024, gib;
	struct scale_point p[8];
	char why[64] = "";
	unsigned n, t;
	bool ok = false;
	int ret = 0;

	if (!selected("scale"))
		return;
	for (t = 0; t < TRIES && !ok; t++) {
		printf("\nscale on the simulator (try %u): a guest in 1 GiB mappings, 1%% of its "
		       "pages dirty, read_dirty of all at 4 KiB, then 1%% again and unmap-all "
		       "while tracking; the best of %u each\n", t + 1, SCALE_REPS);
		printf("  %8s %12s %12s %14s %14s %12s\n", "guest", "read_dirty", "per GiB",
		       "unmap-all", "heap held", "peak RSS");
		for (n = 0, gib = 4; gib <= max && n < 8; gib *= 4, n++) {
			ret = scale_one(gib, &p[n]);
			if (ret)
				break;
			printf("  %5llu GiB %9.1f ms %9.3f ms %11.1f ms %10.1f MiB %8.0f MiB\n",
			       (unsigned long long)gib, p[n].read_ms, p[n].read_ms / gib,
			       p[n].unmap_ms, p[n].heap_mib, p[n].rss_mib);
			fflush(stdout);
		}
		if (ret)
			break;
		ok = scale_linear(p, n, why, sizeof(why));
	}
	if (ret)
		tap(false, "sim scale: %s", strerror(-ret));
	else
		tap(ok, "sim scale: read_dirty and unmap-all grow no faster than the guest, "
		    "4 GiB to %llu GiB%s%s", (unsigned long long)p[n - 1].gib,
		    ok ? "" : ": not so ", why);
}

static int sim_main(void)
{
	struct env e;
	int ret;

	bench_clock = CLOCK_THREAD_CPUTIME_ID;
	ret = sim_env(&e, "sim VT-d", sim_vtd, "0000:00:03.0", "0000:00:04.0");
	if (ret) {
		tap(false, "sim: %s", strerror(-ret));
		return 1;
	}
	/* memory: the simulator's own per mapping would count too; see bench_memory_million() */
	bench_workloads(&e, 0);
	sim_env_free(&e);
	bench_sixteen_smmus();
	bench_memory_million();
	bench_scale();
	return 0;
}

int main(int argc, char **argv)
{
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "--sim"))
		ret = sim_main();
	else
		ret = kernel_main();
	printf("1..%u\n", tap_n);
	return ret || tap_failed ? 1 : 0;
}
