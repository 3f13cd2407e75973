// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzz target: sequences of public API calls on the simulator, any kernel call
 * made to fail on the way (iommufd_sim_fail_nth). Public API only.
 *
 * The input is a list of operations on a fixed host (below): open and close
 * devices, make and free containers (any flags), attach and detach, map and
 * unmap pages of a 64-page window, start and stop dirty tracking, devices
 * writing by DMA, dirty reads (with and without NO_CLEAR, both forms, good
 * and bad arguments), in any order. Byte 0 and 1 choose the order of the
 * final teardown; then each operation is one byte (the operation, and whether
 * one of its kernel calls fails) and the bytes of its arguments. A missing
 * byte reads as 0.
 *
 * The target keeps a model of the host and aborts (a crash for libFuzzer)
 * when the library breaks a promise:
 *  - each call returns what the model predicts (without an injected fault),
 *    or that or the injected error (with one);
 *  - a failed call leaves a one-line message, the kernel's object count and
 *    the caller's bitmap as they were;
 *  - no lost dirty page: every page a device writes while its container
 *    tracks, through a domain that tracks, is reported by a later read unless
 *    an earlier clearing read reported it; a page is reported only if it was
 *    written so, or where the library says why (a domain made while the
 *    container tracks: all mapped pages count as dirty; a clearing read that
 *    failed part-way keeps its pages, whole pages of its page size);
 *  - the devices' places and coverage (device_covered, domains, pt_id);
 *  - after everything is freed, iommufd_sim_live_objects() is 0 (before the
 *    context is closed too, unless a free met an injected fault: what the
 *    kernel refused then stays until iommufd_close(), as documented).
 * FUZZ_TRACE=1 in the environment prints each operation to stderr.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <iommufd/iommufd.h>

#define PAGE 4096ull
#define WIN_PAGES 64 /* the window: one bit per page in a uint64_t */
#define WIN_IOVA 0x40000000ull
#define NCONT 3
#define MAX_OPS 400

/*
 * Two VT-d units (one without dirty tracking), an SMMUv3, the selftest mock IOMMU (2 KiB
 * pages; dirty bits per page table entry, as on 7.3, which a 6.12 host cannot have beside
 * VT-d), an mdev. The window is inside every aperture and clear of reserved IOVA.
 */
static const char topology[] =
	"{ \"kernel\": \"7.3\", \"iommus\": ["
	"  { \"name\": \"dmar0\", \"driver\": \"intel-vtd\", \"dirty_tracking\": true },"
	"  { \"name\": \"dmar1\", \"driver\": \"intel-vtd\", \"iova_bits\": 39,"
	"    \"pgsizes\": [\"4K\", \"2M\"] },"
	"  { \"name\": \"smmu0\", \"driver\": \"arm-smmu-v3\", \"dirty_tracking\": true },"
	"  { \"name\": \"mock0\", \"driver\": \"iommufd-selftest\", \"dirty_tracking\": true } ],"
	"  \"devices\": ["
	"  { \"name\": \"0000:00:02.0\", \"iommu\": \"dmar0\" },"
	"  { \"name\": \"0000:00:03.0\", \"iommu\": \"dmar0\" },"
	"  { \"name\": \"0000:00:04.0\", \"iommu\": \"dmar1\" },"
	"  { \"name\": \"0000:80:00.0\", \"iommu\": \"smmu0\" },"
	"  { \"name\": \"0000:80:01.0\", \"iommu\": \"smmu0\" },"
	"  { \"name\": \"mock-a\", \"iommu\": \"mock0\" },"
	"  { \"name\": \"mdev0\", \"emulated\": true } ] }";

static const struct devdef {
	const char *name;
	bool dirty;    /* its IOMMU tracks dirty pages */
	bool smmu;     /* its IOMMU refuses NEST_PARENT with DIRTY_TRACKING */
	bool emulated; /* no IOMMU of its own */
	bool pci;      /* has a /sys/bus/pci/devices path */
} devdefs[] = {
	{ "0000:00:02.0", true, false, false, true },
	{ "0000:00:03.0", true, false, false, true },
	{ "0000:00:04.0", false, false, false, true },
	{ "0000:80:00.0", true, true, false, true },
	{ "0000:80:01.0", true, true, false, true },
	{ "mock-a", true, false, false, false },
	{ "mdev0", false, false, true, false },
};
#define NDEV ((int)(sizeof(devdefs) / sizeof(devdefs[0])))

/* Only errors with no meaning to the library's fallbacks: EOPNOTSUPP, ENOENT and EINVAL
 * steer placement, and an injected one would change the layout the model predicts. */
static const int fault_errs[] = { EIO, ENOMEM, ENXIO };

struct fdev {
	struct iommufd_device *d;
	int cont;   /* index of its container, -1 none */
	bool stale; /* left attached by a container_free that met a fault: DMA unknown */
};

struct fmap {
	int first, n;
	bool ro;
};

struct fcont {
	struct iommufd_container *c;
	uint32_t flags;
	bool tracking;
	int nmaps;
	struct fmap map[WIN_PAGES];
	uint64_t written; /* written while tracking, not yet reported by a clearing read */
	uint64_t extra;   /* pages the library may report without a write (see above) */
};

struct state {
	const uint8_t *p;
	size_t n;
	struct iommufd_sim *sim;
	struct iommufd_ctx *ctx;
	struct fdev dev[NDEV];
	struct fcont cont[NCONT];
	bool leftovers; /* a free met a fault: objects may stay until iommufd_close() */
	int fault_err;  /* the error of the fault armed for this operation, 0 none */
	unsigned op;    /* operations so far, for messages */
};

static void *window;
static int trace = -1;

static void tr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void tr(const char *fmt, ...)
{
	va_list ap;

	if (trace < 0)
		trace = getenv("FUZZ_TRACE") != NULL;
	if (!trace)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static struct state *cur;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_api: operation %u: ", cur ? cur->op : 0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cur && cur->ctx)
		fprintf(stderr, " (last error: \"%s\")", iommufd_last_error(cur->ctx));
	fputc('\n', stderr);
	abort();
}

static unsigned take(struct state *s)
{
	if (!s->n)
		return 0;
	s->n--;
	return *s->p++;
}

static uint64_t pages_mask(int first, int n)
{
	uint64_t m = 0;
	int i;

	for (i = first; i < first + n; i++)
		if (i >= 0 && i < WIN_PAGES)
			m |= 1ull << i;
	return m;
}

static uint64_t mapped_mask(const struct fcont *fc, bool writable)
{
	uint64_t m = 0;
	int i;

	for (i = 0; i < fc->nmaps; i++)
		if (!writable || !fc->map[i].ro)
			m |= pages_mask(fc->map[i].first, fc->map[i].n);
	return m;
}

static bool covered(const struct fcont *fc, int di)
{
	const struct devdef *dd = &devdefs[di];

	return (fc->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING) && dd->dirty &&
	       !(dd->smmu && (fc->flags & IOMMUFD_CONTAINER_NEST_PARENT));
}

static bool one_line(const char *msg)
{
	return msg[0] && !strchr(msg, '\n');
}

/* ret must be want, or the injected error; a failure changes no object count. */
static void check_ret(struct state *s, const char *what, int ret, int want, long live_before)
{
	tr("  %s -> %d", what, ret);
	if (ret != want && !(s->fault_err && ret == -s->fault_err))
		fail("%s returned %d, want %d%s", what, ret, want,
		     s->fault_err ? " or the injected error" : "");
	if (ret >= 0)
		return;
	if (!one_line(iommufd_last_error(s->ctx)))
		fail("%s failed (%d) without a one-line message", what, ret);
	if (iommufd_sim_live_objects(s->sim) != live_before)
		fail("%s failed (%d) but the kernel objects went from %ld to %ld", what, ret,
		     live_before, iommufd_sim_live_objects(s->sim));
}

/* ---- devices ------------------------------------------------------------------------ */

static void op_open(struct state *s)
{
	unsigned a = take(s), b = take(s);
	int di = a % NDEV, ret;
	const struct devdef *dd = &devdefs[di];
	struct iommufd_device *d = NULL;
	long live = iommufd_sim_live_objects(s->sim);
	char name[96];

	switch (b % 3) {
	case 0:
		snprintf(name, sizeof(name), "%s", dd->name);
		break;
	case 1:
		snprintf(name, sizeof(name), "/dev/vfio/devices/vfio%d", di);
		break;
	default:
		snprintf(name, sizeof(name), "/sys/bus/%s/devices/%s", dd->pci ? "pci" : "mdev",
			 dd->name);
		break;
	}
	/* A non-PCI physical device has no sysfs path of either bus here. */
	if (b % 3 == 2 && !dd->pci && !dd->emulated)
		snprintf(name, sizeof(name), "%s", dd->name);
	tr("open %s%s", name, s->dev[di].d ? " (already open)" : "");
	ret = iommufd_device_open(s->ctx, name, &d);
	if (s->dev[di].d) {
		/* One binding at a time: the kernel refuses a second. */
		if (ret == 0)
			fail("a second open of %s succeeded", name);
		check_ret(s, "open again", ret, ret, live);
		return;
	}
	check_ret(s, "open", ret, 0, live);
	if (ret)
		return;
	if (!d || iommufd_device_pt_id(d) != 0 || strcmp(iommufd_device_name(d), dd->name) ||
	    iommufd_device_is_emulated(d) != dd->emulated)
		fail("open %s: the device is not as described", name);
	s->dev[di].d = d;
	s->dev[di].cont = -1;
	s->dev[di].stale = false;
}

static void op_close(struct state *s)
{
	int di = take(s) % NDEV;

	if (!s->dev[di].d)
		return;
	tr("close %s", devdefs[di].name);
	iommufd_device_close(s->dev[di].d);
	s->dev[di].d = NULL;
	s->dev[di].cont = -1;
	s->dev[di].stale = false;
}

/* ---- containers --------------------------------------------------------------------- */

static void free_container(struct state *s, int ci)
{
	struct fcont *fc = &s->cont[ci];
	int di;

	tr("free container %d", ci);
	for (di = 0; di < NDEV; di++) {
		if (s->dev[di].cont != ci)
			continue;
		s->dev[di].cont = -1;
		/* A detach that failed leaves the device attached in the kernel. */
		s->dev[di].stale = s->fault_err != 0;
	}
	if (s->fault_err)
		s->leftovers = true;
	iommufd_container_free(fc->c);
	memset(fc, 0, sizeof(*fc));
}

static void op_new(struct state *s)
{
	unsigned a = take(s), b = take(s);
	int ci = a % NCONT, ret;
	struct fcont *fc = &s->cont[ci];
	uint32_t flags = b & 3;
	struct iommufd_container *c = NULL;
	long live = iommufd_sim_live_objects(s->sim);

	if (fc->c) {
		free_container(s, ci);
		return;
	}
	if (b & 0x80)
		flags |= 1u << (2 + (b >> 2) % 30); /* unknown */
	tr("new container %d flags 0x%x", ci, flags);
	ret = iommufd_container_new(s->ctx, flags, &c);
	check_ret(s, "container_new", ret, flags & ~3u ? -EINVAL : 0, live);
	if (ret)
		return;
	if (!c || !iommufd_container_ioas_id(c))
		fail("container_new gave no container");
	memset(fc, 0, sizeof(*fc));
	fc->c = c;
	fc->flags = flags;
}

static void op_free(struct state *s)
{
	int ci = take(s) % NCONT;

	if (s->cont[ci].c)
		free_container(s, ci);
}

/* The hwpt ids of c's domains with dirty tracking; returns how many. */
static int dirty_domains(struct state *s, struct iommufd_container *c, uint32_t *ids, int max)
{
	struct iommufd_domain_info info[16];
	int n, i, k = 0;

	n = iommufd_container_domains(c, info, 16);
	if (n < 0 || n > 16)
		fail("container_domains: %d", n);
	for (i = 0; i < n && k < max; i++)
		if (info[i].flags & IOMMUFD_DOMAIN_DIRTY_TRACKING)
			ids[k++] = info[i].hwpt_id;
	return k;
}

static void op_attach(struct state *s)
{
	unsigned a = take(s), b = take(s);
	int ci = a % NCONT, di = b % NDEV, ret, want, nbefore, nafter, i, j;
	struct fcont *fc = &s->cont[ci];
	struct fdev *fd = &s->dev[di];
	uint32_t before[16], after[16];
	long live = iommufd_sim_live_objects(s->sim);

	if (!fc->c || !fd->d)
		return;
	want = fd->cont == ci ? 0 : fd->cont >= 0 ? -EBUSY : 0;
	/* Left attached by a free: attached directly, as far as the library knows. */
	if (fd->stale && iommufd_device_pt_id(fd->d))
		want = -EBUSY;
	tr("attach %s to container %d", devdefs[di].name, ci);
	nbefore = dirty_domains(s, fc->c, before, 16);
	ret = iommufd_container_attach(fc->c, fd->d);
	check_ret(s, "attach", ret, want, live);
	if (ret)
		return;
	if (fd->cont == ci && iommufd_sim_live_objects(s->sim) != live)
		fail("attaching a device already in the container changed the kernel objects");
	fd->cont = ci;
	fd->stale = false;
	/* A domain made while tracking: all mapped pages count as dirty at the next read. */
	nafter = dirty_domains(s, fc->c, after, 16);
	for (i = 0; i < nafter && fc->tracking; i++) {
		for (j = 0; j < nbefore && before[j] != after[i]; j++)
			;
		if (j == nbefore)
			fc->extra |= mapped_mask(fc, false);
	}
}

static void op_detach(struct state *s)
{
	unsigned a = take(s), b = take(s);
	int ci = a % NCONT, di = b % NDEV, ret;
	struct fcont *fc = &s->cont[ci];
	struct fdev *fd = &s->dev[di];
	long live = iommufd_sim_live_objects(s->sim);

	if (!fc->c || !fd->d)
		return;
	tr("detach %s from container %d", devdefs[di].name, ci);
	ret = iommufd_container_detach(fc->c, fd->d);
	check_ret(s, "detach", ret, fd->cont == ci ? 0 : -EINVAL, live);
	if (!ret)
		fd->cont = -1;
}

/* Detaching a device outside any container, as after a free that could not detach it. */
static void op_detach_pt(struct state *s)
{
	int di = take(s) % NDEV, ret, want;
	struct fdev *fd = &s->dev[di];
	long live = iommufd_sim_live_objects(s->sim);

	if (!fd->d)
		return;
	want = fd->cont >= 0 ? -EBUSY : iommufd_device_pt_id(fd->d) ? 0 : -EINVAL;
	if (want == 0 && !fd->stale)
		fail("%s: attached outside a container", devdefs[di].name);
	tr("detach_pt %s", devdefs[di].name);
	ret = iommufd_device_detach_pt(fd->d);
	check_ret(s, "detach_pt", ret, want, live);
	if (!ret)
		fd->stale = false;
}

/* ---- mappings ----------------------------------------------------------------------- */

static void op_map(struct state *s)
{
	unsigned a = take(s), b = take(s), c = take(s);
	int ci = a % NCONT, first = b % WIN_PAGES, n = 1 + c % 16, i, ret, want = 0;
	struct fcont *fc = &s->cont[ci];
	bool ro = c & 0x80;
	long live = iommufd_sim_live_objects(s->sim);

	if (!fc->c)
		return;
	if (first + n > WIN_PAGES)
		n = WIN_PAGES - first;
	for (i = 0; i < fc->nmaps; i++)
		if (fc->map[i].first < first + n && first < fc->map[i].first + fc->map[i].n)
			want = -EEXIST;
	tr("map container %d pages %d+%d%s", ci, first, n, ro ? " ro" : "");
	ret = iommufd_container_map(fc->c, (char *)window + first * PAGE, WIN_IOVA + first * PAGE,
				    n * PAGE, ro);
	check_ret(s, "map", ret, want, live);
	if (ret)
		return;
	fc->map[fc->nmaps].first = first;
	fc->map[fc->nmaps].n = n;
	fc->map[fc->nmaps].ro = ro;
	fc->nmaps++;
}

static void remove_maps(struct fcont *fc, int first, int n)
{
	int i, k = 0;

	for (i = 0; i < fc->nmaps; i++)
		if (!(fc->map[i].first >= first && fc->map[i].first + fc->map[i].n <= first + n))
			fc->map[k++] = fc->map[i];
	fc->nmaps = k;
}

static void op_unmap(struct state *s)
{
	unsigned a = take(s), b = take(s), c = take(s);
	int ci = a % NCONT, first = b % WIN_PAGES, n = 1 + c % 32, i, ret, want = -ENOENT;
	struct fcont *fc = &s->cont[ci];
	uint64_t iova = WIN_IOVA + first * PAGE, len = n * PAGE;
	long live = iommufd_sim_live_objects(s->sim);

	if (!fc->c)
		return;
	/* Whole mappings only: one reaching outside the range refuses all of it. */
	for (i = 0; i < fc->nmaps; i++) {
		const struct fmap *m = &fc->map[i];

		if (m->first >= first + n || m->first + m->n <= first)
			continue;
		if (m->first < first || m->first + m->n > first + n) {
			want = -ENOENT;
			break;
		}
		want = 0;
	}
	if (c & 0x80) {
		if (b & 0x80) {
			len = 0;
			want = -EINVAL;
		} else {
			iova = UINT64_MAX - PAGE + 1;
			len = 2 * PAGE;
			want = -EOVERFLOW;
		}
	}
	tr("unmap container %d iova 0x%llx len 0x%llx", ci, (unsigned long long)iova,
	   (unsigned long long)len);
	ret = iommufd_container_unmap(fc->c, iova, len);
	check_ret(s, "unmap", ret, want, live);
	if (!ret)
		remove_maps(fc, first, n);
}

static void op_unmap_all(struct state *s)
{
	int ci = take(s) % NCONT, ret;
	struct fcont *fc = &s->cont[ci];
	long live = iommufd_sim_live_objects(s->sim);

	if (!fc->c)
		return;
	tr("unmap all of container %d", ci);
	ret = iommufd_container_unmap(fc->c, 0, UINT64_MAX);
	check_ret(s, "unmap all", ret, 0, live);
	if (!ret)
		fc->nmaps = 0;
}

/* ---- dirty tracking ----------------------------------------------------------------- */

static void op_track(struct state *s)
{
	unsigned a = take(s);
	int ci = (a & 0x7f) % NCONT, ret;
	struct fcont *fc = &s->cont[ci];
	bool on = a & 0x80;
	long live = iommufd_sim_live_objects(s->sim);

	if (!fc->c)
		return;
	tr("tracking %s in container %d", on ? "on" : "off", ci);
	ret = iommufd_container_set_dirty_tracking(fc->c, on);
	check_ret(s, "set_dirty_tracking", ret,
		  fc->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING ? 0 : -EOPNOTSUPP, live);
	if (!ret)
		fc->tracking = on;
}

static void op_dma(struct state *s)
{
	unsigned a = take(s), b = take(s), c = take(s);
	int di = a % NDEV, first = (int)(b % (WIN_PAGES + 8)) - 4, n = 1 + c % 16, want;
	struct fdev *fd = &s->dev[di];
	uint64_t iova = WIN_IOVA + first * (int64_t)PAGE, len = n * PAGE, range, wmap;
	int ret;

	range = pages_mask(first, n);
	if (!fd->d) {
		want = -EINVAL;
	} else if (c & 0x80) {
		/* bad ranges, checked before anything else once the device is bound */
		if (b & 0x80) {
			len = 0;
			want = -EINVAL;
		} else {
			iova = UINT64_MAX - PAGE + 1;
			len = 2 * PAGE;
			want = -EOVERFLOW;
		}
		range = 0;
	} else if (fd->cont < 0) {
		want = -EFAULT; /* bound, not attached: every access faults */
	} else {
		wmap = mapped_mask(&s->cont[fd->cont], true);
		/* all of the range inside the window and mapped writeable, or a fault */
		want = first >= 0 && first + n <= WIN_PAGES && (wmap & range) == range ? 0 : -EFAULT;
	}
	tr("dma %s iova 0x%llx len 0x%llx", devdefs[di].name, (unsigned long long)iova,
	   (unsigned long long)len);
	ret = iommufd_sim_dma_write(s->sim, devdefs[di].name, iova, len);
	tr("  dma -> %d", ret);
	if (fd->stale && range) {
		if (ret != 0 && ret != -EFAULT)
			fail("dma write of a device left attached: %d", ret);
		return;
	}
	if (ret != want)
		fail("dma write %s: %d, want %d", devdefs[di].name, ret, want);
	if (fd->d && fd->cont >= 0 && range) {
		struct fcont *fc = &s->cont[fd->cont];

		/* Writeable pages are written even when others fault. */
		if (fc->tracking && covered(fc, di))
			fc->written |= mapped_mask(fc, true) & range;
	}
}

/* Pages (bit per window page) that the P-sized page number b of a read at iova covers. */
static uint64_t block_mask(uint64_t iova, uint64_t psize, uint64_t b)
{
	uint64_t start = iova + b * psize;
	int64_t first = ((int64_t)start - (int64_t)WIN_IOVA) / (int64_t)PAGE;

	return pages_mask((int)first, (int)(psize / PAGE));
}

/* The window pages of [iova, iova + len), len a multiple of PAGE. */
static uint64_t read_range(uint64_t iova, uint64_t len)
{
	return pages_mask((int)(((int64_t)iova - (int64_t)WIN_IOVA) / (int64_t)PAGE),
			  (int)(len / PAGE));
}

/* read_dirty; read_dirty_bitmap with opts; read_dirty_bitmap with NULL opts (clearing) */
enum read_form { READ_PLAIN, READ_SIZED, READ_SIZED_NULL_OPTS };

/*
 * A dirty read of container ci (page size 4 KiB << pshift) checked against the model:
 * every page written and not yet reported is reported, nothing else but the extras.
 */

static void do_read(struct state *s, int ci, uint64_t iova, uint64_t npages, unsigned pshift,
		    bool noclear, enum read_form form)
{
	struct fcont *fc = &s->cont[ci];
	uint64_t psize = PAGE << pshift, len = npages * psize, words = (npages + 63) / 64;
	uint64_t range = read_range(iova, len), allowed = fc->written | fc->extra, b, m;
	long live = iommufd_sim_live_objects(s->sim);
	uint64_t *bm = calloc(words, sizeof(*bm));
	int ret, want, count = 0;

	if (!bm)
		abort();
	if (form == READ_SIZED_NULL_OPTS)
		noclear = false; /* NULL opts: a clearing read */
	tr("read container %d iova 0x%llx pages %llu of 0x%llx%s%s", ci, (unsigned long long)iova,
	   (unsigned long long)npages, (unsigned long long)psize, noclear ? " no-clear" : "",
	   form != READ_PLAIN ? " (sized)" : "");
	if (form != READ_PLAIN) {
		IOMMUFD_OPTS(iommufd_read_dirty_opts, opts,
			     .flags = noclear ? IOMMUFD_DIRTY_NO_CLEAR : 0);

		ret = iommufd_container_read_dirty_bitmap(fc->c, iova, len, psize, bm,
							  words * sizeof(*bm),
							  form == READ_SIZED ? &opts : NULL);
	} else {
		ret = iommufd_container_read_dirty(fc->c, iova, len, psize, bm,
						   noclear ? IOMMUFD_DIRTY_NO_CLEAR : 0);
	}
	tr("  read -> %d written 0x%llx extra 0x%llx bitmap[0] 0x%llx", ret,
	   (unsigned long long)fc->written, (unsigned long long)fc->extra,
	   (unsigned long long)bm[0]);

	/* Readable while tracking, and after it for as long as pages remain unreported. */
	if (!(fc->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING))
		want = -EINVAL;
	else if (fc->tracking || fc->written)
		want = 0;
	else if (!fc->extra)
		want = -EINVAL;
	else
		want = ret >= 0 ? 0 : -EINVAL; /* extras need not remain */
	if (ret > 0 && want == 0)
		want = ret;
	check_ret(s, "read_dirty", ret, want, live);
	if (ret < 0) {
		for (b = 0; b < words; b++)
			if (bm[b])
				fail("a failed read wrote the bitmap");
		/* A clearing read that fails part-way keeps whole pages of its page size. */
		if (!noclear && s->fault_err)
			for (b = 0; b < npages; b++)
				if (block_mask(iova, psize, b) & allowed)
					fc->extra |= block_mask(iova, psize, b);
		free(bm);
		return;
	}
	for (b = 0; b < words * 64; b++) {
		bool set = bm[b / 64] >> (b % 64) & 1;

		if (!set)
			continue;
		count++;
		if (b >= npages)
			fail("read set bit %llu beyond its %llu pages", (unsigned long long)b,
			     (unsigned long long)npages);
		m = block_mask(iova, psize, b);
		if (!(m & allowed))
			fail("read reported page 0x%llx, never written while tracking",
			     (unsigned long long)(iova + b * psize));
	}
	if (count != ret)
		fail("read returned %d but set %d bits", ret, count);
	for (b = 0; b < npages; b++) {
		m = block_mask(iova, psize, b);
		if ((m & fc->written) && !(bm[b / 64] >> (b % 64) & 1))
			fail("lost dirty page: 0x%llx written while tracking, not reported",
			     (unsigned long long)(iova + b * psize));
	}
	if (!noclear) {
		fc->written &= ~range;
		fc->extra &= ~range;
	}
	free(bm);
}

static void op_read(struct state *s)
{
	unsigned a = take(s), b = take(s), c = take(s), d = take(s);
	int ci = a % NCONT;
	unsigned pshift = d % 3;
	uint64_t psize = PAGE << pshift, iova, npages = 1 + (c & 0x7f) % 40;

	if (!s->cont[ci].c)
		return;
	/* from 4 pages before the window to past its end, at the page size */
	iova = (WIN_IOVA - 4 * PAGE + (b % (WIN_PAGES + 8)) * PAGE) & ~(psize - 1);
	do_read(s, ci, iova, npages, pshift, c & 0x80, (enum read_form)(d / 3 % 3));
}

/* Reads the library must refuse before asking the kernel: nothing may change. */
static void op_read_bad(struct state *s)
{
	unsigned a = take(s), b = take(s);
	int ci = a % NCONT, ret, want = -EINVAL;
	struct fcont *fc = &s->cont[ci];
	uint64_t iova = WIN_IOVA, len = 16 * PAGE, psize = PAGE, bm[2] = { 0xa5a5, 0x5a5a };
	uint64_t *bitmap = bm, written = fc->written, extra = fc->extra;
	size_t size = sizeof(bm);
	uint32_t flags = 0;
	long live = iommufd_sim_live_objects(s->sim);
	struct {
		struct iommufd_read_dirty_opts o;
		uint64_t newer; /* a member of a later version */
	} big = { { sizeof(big), 0, 0 }, 1 };
	IOMMUFD_OPTS(iommufd_read_dirty_opts, opts);
	const struct iommufd_read_dirty_opts *o = NULL;

	if (!fc->c)
		return;
	switch (b % 12) {
	case 0:
		psize = 2048;
		break;
	case 1:
		psize = 3 * PAGE;
		len = 3 * PAGE;
		break;
	case 2:
		psize = 2 * PAGE;
		iova += PAGE;
		break;
	case 3:
		len = 0;
		break;
	case 4:
		bitmap = NULL;
		break;
	case 5:
		flags = 2;
		break;
	case 6:
		iova = UINT64_MAX - PAGE + 1;
		len = 2 * PAGE;
		want = -EOVERFLOW;
		break;
	case 7:
		size = a % 8; /* 16 pages need one whole word */
		want = -ENOSPC;
		break;
	case 8:
		opts.size = sizeof(size_t);
		o = &opts;
		break;
	case 9:
		o = &big.o;
		want = -E2BIG;
		break;
	case 10:
		opts.reserved = 1;
		o = &opts;
		break;
	default:
		len = (1ull << 31) * PAGE; /* more pages than an int counts */
		break;
	}
	tr("bad read %u of container %d", b % 12, ci);
	if (b % 12 >= 7 && b % 12 <= 10)
		ret = iommufd_container_read_dirty_bitmap(fc->c, iova, len, psize, bitmap, size, o);
	else
		ret = iommufd_container_read_dirty(fc->c, iova, len, psize, bitmap, flags);
	check_ret(s, "bad read", ret, want, live);
	if (ret != want)
		fail("bad read %u: %d, want %d", b % 12, ret, want);
	if (bm[0] != 0xa5a5 || bm[1] != 0x5a5a)
		fail("a refused read wrote the bitmap");
	if (fc->written != written || fc->extra != extra)
		abort();
}

/* ---- consistency of the library's own view ------------------------------------------ */

static void check_places(struct state *s)
{
	struct iommufd_domain_info info[16];
	char why[128];
	int ci, di, n, i;

	for (ci = 0; ci < NCONT; ci++) {
		struct fcont *fc = &s->cont[ci];
		unsigned want_devs = 0, have_devs = 0;

		if (!fc->c)
			continue;
		for (di = 0; di < NDEV; di++) {
			if (s->dev[di].cont != ci)
				continue;
			if (!devdefs[di].emulated)
				want_devs++;
			n = iommufd_container_device_covered(fc->c, s->dev[di].d, why, sizeof(why));
			if (n != covered(fc, di))
				fail("device_covered(%s) in container %d: %d (%s), want %d",
				     devdefs[di].name, ci, n, why, covered(fc, di));
		}
		n = iommufd_container_domains(fc->c, info, 16);
		if (n < 0 || n > 16)
			fail("container_domains: %d", n);
		for (i = 0; i < n; i++)
			have_devs += info[i].ndevices;
		if (have_devs != want_devs)
			fail("container %d: its domains hold %u devices, want %u", ci, have_devs,
			     want_devs);
	}
	for (di = 0; di < NDEV; di++) {
		struct fdev *fd = &s->dev[di];

		if (!fd->d || fd->stale)
			continue;
		if ((iommufd_device_pt_id(fd->d) != 0) != (fd->cont >= 0))
			fail("%s: pt_id %u, but it is %sin a container", devdefs[di].name,
			     iommufd_device_pt_id(fd->d), fd->cont >= 0 ? "" : "not ");
	}
}

/* ---- the sequence ------------------------------------------------------------------- */

typedef void (*op_fn)(struct state *s);

/* Operation byte: its low 4 bits (fuzz/seeds_api.py writes the same numbers). */
static const op_fn ops[16] = {
	[0] = op_open,	    [1] = op_close,  [2] = op_new,	  [3] = op_free,
	[4] = op_attach,    [5] = op_detach, [6] = op_map,	  [7] = op_unmap,
	[8] = op_track,	    [9] = op_dma,    [10] = op_read,	  [11] = op_read_bad,
	[12] = op_unmap_all, [13] = op_dma,  [14] = op_read,	  [15] = op_detach_pt,
};

static void teardown(struct state *s, unsigned seed)
{
	int order[NCONT + NDEV], n = 0, i, j, t;
	long live;

	/* What is still unreported must be readable, and all of it. */
	for (i = 0; i < NCONT; i++) {
		struct fcont *fc = &s->cont[i];

		if (fc->c && (fc->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING))
			do_read(s, i, WIN_IOVA, WIN_PAGES, 0, false, READ_SIZED_NULL_OPTS);
	}
	for (i = 0; i < NCONT + NDEV; i++)
		order[n++] = i;
	for (i = n - 1; i > 0; i--) {
		seed = seed * 1103515245u + 12345u;
		j = (seed >> 16) % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < n; i++) {
		if (order[i] < NCONT) {
			if (s->cont[order[i]].c)
				free_container(s, order[i]);
		} else if (s->dev[order[i] - NCONT].d) {
			tr("close %s", devdefs[order[i] - NCONT].name);
			iommufd_device_close(s->dev[order[i] - NCONT].d);
			s->dev[order[i] - NCONT].d = NULL;
		}
	}
	live = iommufd_sim_live_objects(s->sim);
	if (live && !s->leftovers)
		fail("%ld kernel objects left after every container and device was freed", live);
	iommufd_close(s->ctx);
	s->ctx = NULL;
	live = iommufd_sim_live_objects(s->sim);
	if (live)
		fail("%ld kernel objects left after iommufd_close()", live);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state s = { .p = data, .n = size };
	unsigned seed, b, k;
	int ret;

	if (!window) {
		window = mmap(NULL, WIN_PAGES * PAGE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (window == MAP_FAILED)
			abort();
	}
	for (b = 0; b < NDEV; b++)
		s.dev[b].cont = -1;
	cur = &s;
	ret = iommufd_sim_new(topology, &s.sim);
	if (ret)
		fail("sim_new: %d %s", ret, iommufd_sim_last_error());
	ret = iommufd_sim_open(s.sim, &s.ctx);
	if (ret)
		fail("sim_open: %d", ret);
	seed = take(&s);
	seed = seed << 8 | take(&s);
	tr("---- %zu bytes", size);

	while (s.n && s.op < MAX_OPS) {
		s.op++;
		b = take(&s);
		s.fault_err = 0;
		if ((b >> 4) >= 13) {
			/* the k-th kernel call of this operation fails */
			k = take(&s);
			s.fault_err = fault_errs[(k >> 4) % 3];
			tr("fault: kernel call %u fails with %d", (k & 15) + 1, s.fault_err);
			if (iommufd_sim_fail_nth(s.sim, (k & 15) + 1, s.fault_err))
				fail("sim_fail_nth refused");
		}
		ops[b & 15](&s);
		iommufd_sim_fail_nth(s.sim, 0, 0);
		s.fault_err = 0;
		check_places(&s);
	}
	teardown(&s, seed);
	iommufd_sim_free(s.sim);
	cur = NULL;
	return 0;
}
