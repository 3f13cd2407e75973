// SPDX-License-Identifier: LGPL-2.1-or-later
/* The scenario interpreter: runs a script on one backend, writes a transcript. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/ctx.h"
#include "scenario_internal.h"
#include "uapi/iommufd_abi.h"
#include "vmtap.h"

/*
 * The buffer sits at one fixed address in every run: the kernel aligns an
 * IOVA it picks to the user address's lowest set bit (at most), so both
 * backends must see the same address. 2 MiB aligned, not 4 MiB.
 */
#define SCN_BUF_ADDR 0x100200000ull
#define SCN_MAX_TOKS 16
#define SCN_MAX_BITMAP_WORDS (1u << 20)

void scn_text_printf(struct scn_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = t->cap - t->len;

		va_start(ap, fmt);
		n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (t->s && (size_t)n < room) {
			t->len += n;
			return;
		}
		t->cap = (t->cap + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		if (!t->s)
			abort();
	}
}

void scn_text_free(struct scn_text *t)
{
	free(t->s);
	memset(t, 0, sizeof(*t));
}

static const char *errname(long long r)
{
	return vt_errname(r);
}

struct scn_obj *scn_find_obj(struct scn_state *st, const char *name)
{
	unsigned i;

	for (i = 0; i < st->nobjs; i++)
		if (!strcmp(st->objs[i].name, name))
			return &st->objs[i];
	return NULL;
}

void scn_drop_obj(struct scn_state *st, struct scn_obj *o)
{
	*o = st->objs[--st->nobjs];
}

struct scn_dev *scn_find_dev(struct scn_state *st, const char *name)
{
	unsigned i;

	for (i = 0; i < st->ndevs; i++)
		if (!strcmp(st->devs[i].name, name))
			return &st->devs[i];
	return NULL;
}

bool scn_is_name(const char *s)
{
	return isalpha((unsigned char)s[0]);
}

int scn_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return (errno || *end || !*s) ? -EINVAL : 0;
}

/*
 * An id that no object has: what a name stands for once its object is gone
 * (or never was made), so that generated scripts can name stale objects.
 */
#define SCN_NO_SUCH_ID 0x7ffffff0u

/* An object argument: a name the script gave, or a number (a wrong id). */
int scn_obj_id(struct scn_state *st, const char *s, uint32_t *id)
{
	struct scn_obj *o;
	uint64_t v;

	if (scn_is_name(s)) {
		o = scn_find_obj(st, s);
		*id = o ? o->id : SCN_NO_SUCH_ID;
		return 0;
	}
	if (scn_parse_u64(s, &v) || v > UINT32_MAX)
		return -EINVAL;
	*id = (uint32_t)v;
	return 0;
}

/* Name a new object (a name in use moves to the new object). */
int scn_name_obj(struct scn_state *st, const char *name, uint32_t id, bool hwpt)
{
	struct scn_obj *o = scn_find_obj(st, name);

	if (!o) {
		if (st->nobjs == SCN_MAX_OBJS)
			return -ENOSPC;
		o = &st->objs[st->nobjs++];
	}
	snprintf(o->name, sizeof(o->name), "%s", name);
	o->id = id;
	o->hwpt = hwpt;
	return 0;
}

/* How a device's pt_id reads: the script's name for it, or auto#k by first appearance. */
void scn_print_devices(struct scn_state *st)
{
	uint32_t autos[SCN_MAX_DEVS];
	unsigned nautos = 0, i, k;

	scn_text_printf(st->out, "   devices:");
	for (i = 0; i < st->ndevs; i++) {
		uint32_t pt = iommufd_device_pt_id(st->devs[i].dev);
		const char *named = NULL;

		for (k = 0; k < st->nobjs && pt; k++)
			if (st->objs[k].id == pt)
				named = st->objs[k].name;
		if (!pt) {
			scn_text_printf(st->out, " %s=-", st->devs[i].name);
		} else if (named) {
			scn_text_printf(st->out, " %s=%s", st->devs[i].name, named);
		} else {
			for (k = 0; k < nautos && autos[k] != pt; k++)
				;
			if (k == nautos)
				autos[nautos++] = pt;
			scn_text_printf(st->out, " %s=auto#%u", st->devs[i].name, k + 1);
		}
	}
	scn_text_printf(st->out, "\n");
}

static int open_device(struct scn_state *st, const char *name, struct scn_dev *d)
{
	struct iommufd_ctx *ctx = st->be->ctx;
	const char *real = name;
	int kind = -1, k, ret;

	d->simname[0] = '\0';
	if (!strcmp(name, "dirty"))
		kind = 0;
	else if (!strcmp(name, "nodirty"))
		kind = 1;
	if (kind >= 0 && st->be->sim) {
		/* the simulated mock host has SCN_MOCK_KIND_DEVS devices of each kind */
		for (k = 0; k < SCN_MOCK_KIND_DEVS && st->mock_used[kind][k]; k++)
			;
		if (k == SCN_MOCK_KIND_DEVS)
			return -ENOSPC;
		snprintf(d->simname, sizeof(d->simname), "mock-%c%d", kind ? 'n' : 'd', k);
		ret = iommufd_device_open(ctx, d->simname, &d->dev);
		if (!ret)
			st->mock_used[kind][k] = true;
		return ret;
	}
	if (kind >= 0) {
		real = kind ? "selftest:no-dirty" : "selftest";
		return iommufd_device_open(ctx, real, &d->dev);
	}
	return iommufd_device_open(ctx, real, &d->dev);
}

static void close_device(struct scn_state *st, struct scn_dev *d)
{
	if (d->simname[0])
		st->mock_used[d->simname[5] == 'n'][d->simname[6] - '0'] = false;
	iommufd_device_close(d->dev);
	*d = st->devs[--st->ndevs];
}

static void print_ranges(struct scn_state *st, uint32_t ioas)
{
	struct iommufd_iova_range r[16];
	uint64_t align = 0;
	int n, i;

	n = iommufd_ioas_iova_ranges(st->be->ctx, ioas, r, 16, &align);
	if (n < 0) {
		scn_text_printf(st->out, " => %s\n", errname(n));
		return;
	}
	scn_text_printf(st->out, " => %d align=0x%llx", n, (unsigned long long)align);
	for (i = 0; i < n && i < 16; i++)
		scn_text_printf(st->out, " 0x%llx-0x%llx", (unsigned long long)r[i].start,
				(unsigned long long)r[i].last);
	scn_text_printf(st->out, "\n");
}

/*
 * HWPT_GET_DIRTY_BITMAP as the backend itself answers it, not through the
 * library (which refuses a NULL bitmap and page sizes that are no power of
 * two before the kernel is asked): what the kernel and the simulator do there.
 */
static int raw_get_dirty_bitmap(struct iommufd_ctx *ctx, uint32_t hwpt, uint64_t iova,
				uint64_t len, uint64_t page, uint64_t *bm, uint32_t flags)
{
	struct iofd_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt,
		.flags = flags & IOMMUFD_DIRTY_NO_CLEAR ? IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR : 0,
		.iova = iova,
		.length = len,
		.page_size = page,
		.data = (uintptr_t)bm,
	};

	return ctx->tp.ops->ioctl(ctx->tp.priv, ctx->fd, IOFD_HWPT_GET_DIRTY_BITMAP, &cmd);
}

static int do_bitmap(struct scn_state *st, char **tok, int ntok)
{
	uint64_t iova, len, page, unit, pre = 0, pages, words, *bm;
	uint32_t hwpt, flags = 0;
	bool raw = false, null = false;
	int i, ret;

	if (ntok < 5 || scn_obj_id(st, tok[1], &hwpt) || scn_parse_u64(tok[2], &iova) ||
	    scn_parse_u64(tok[3], &len) || scn_parse_u64(tok[4], &page))
		return -EINVAL;
	for (i = 5; i < ntok; i++) {
		if (!strcmp(tok[i], "noclear"))
			flags |= IOMMUFD_DIRTY_NO_CLEAR;
		else if (!strcmp(tok[i], "raw"))
			raw = true;
		else if (!strcmp(tok[i], "null"))
			raw = null = true;
		else if (!strncmp(tok[i], "pre=", 4) && !scn_parse_u64(tok[i] + 4, &pre))
			;
		else
			return -EINVAL;
	}
	/*
	 * The kernel writes len / page bits: never hand it less room. Where page
	 * is no power of two it counts pages of page's lowest set bit.
	 */
	unit = raw ? page & -page : page;
	pages = unit ? len / unit + 2 : 1;
	words = (pages + 63) / 64 + 1;
	if (!unit || words > SCN_MAX_BITMAP_WORDS)
		words = SCN_MAX_BITMAP_WORDS;
	if (unit && len / unit / 64 + 2 > SCN_MAX_BITMAP_WORDS)
		return -E2BIG;
	bm = calloc(words, sizeof(*bm));
	if (!bm)
		return -ENOMEM;
	bm[0] = pre;
	if (raw)
		ret = raw_get_dirty_bitmap(st->be->ctx, hwpt, iova, len, page, null ? NULL : bm,
					   flags);
	else
		ret = iommufd_hwpt_get_dirty_bitmap(st->be->ctx, hwpt, iova, len, page, bm, flags);
	scn_text_printf(st->out, " => %s", errname(ret));
	if (!ret && st->be->stats) {
		bool dirty = (bm[0] & ~pre) != 0;
		uint64_t k;

		for (k = 1; k < words && !dirty; k++)
			dirty = bm[k] != 0;
		st->be->stats->dirty_reads += dirty;
	}
	if (!ret)
		for (i = 0; i < 4 && (uint64_t)i < words; i++)
			scn_text_printf(st->out, " %016llx", (unsigned long long)bm[i]);
	if (!ret && raw) {
		uint64_t k, n = 0;

		for (k = 0; k < words; k++)
			n += __builtin_popcountll(bm[k]);
		scn_text_printf(st->out, " bits=%llu", (unsigned long long)n);
	}
	scn_text_printf(st->out, "\n");
	free(bm);
	return 0;
}

/*
 * Fault in the buffer's pages of [off, off + len) from the last to the first
 * before they are pinned (in address order, pinning would take consecutive
 * physical pages): physically contiguous runs are then rare, and 7.x's mock
 * keeps dirty bits per 4 KiB page as the simulator does (guest_diff accepts
 * the rare larger entry where it holds the guarantee).
 */
void scn_prefault(struct scn_state *st, uint64_t off, uint64_t len)
{
	uint64_t p;

	if (off >= SCN_BUF_SIZE)
		return;
	if (len > SCN_BUF_SIZE - off)
		len = SCN_BUF_SIZE - off;
	for (p = (off + len + 4095) & ~4095ull; p > (off & ~4095ull); p -= 4096)
		((volatile uint8_t *)st->buf)[p - 4096] = 0;
}

/* A device the script closed or never opened: said, not called. */
int scn_no_device(struct scn_state *st)
{
	scn_text_printf(st->out, " => no such device open\n");
	return 0;
}

/* One line; -EINVAL for a line the interpreter does not understand. */
static int step(struct scn_state *st, char **tok, int ntok)
{
	struct iommufd_ctx *ctx = st->be->ctx;
	const char *op = tok[0];
	uint64_t a, b, c;
	uint32_t id, id2;
	struct scn_obj *o;
	struct scn_dev *d;
	bool replace;
	int ret, i;

	ret = scn_container_step(st, tok, ntok);
	if (ret != 1)
		return ret;
	ret = scn_nested_step(st, tok, ntok);
	if (ret != 1)
		return ret;
	if (!strcmp(op, "ioas") && ntok == 2) {
		if (!scn_is_name(tok[1]))
			return -EINVAL;
		ret = iommufd_ioas_alloc(ctx, &id);
		scn_text_printf(st->out, " => %s\n", errname(ret));
		if (!ret)
			return scn_name_obj(st, tok[1], id, false);
	} else if (!strcmp(op, "destroy") && ntok == 2) {
		if (scn_obj_id(st, tok[1], &id))
			return -EINVAL;
		ret = iommufd_destroy(ctx, id);
		scn_text_printf(st->out, " => %s\n", errname(ret));
		o = scn_is_name(tok[1]) ? scn_find_obj(st, tok[1]) : NULL;
		if (!ret && o)
			scn_drop_obj(st, o);
	} else if (!strcmp(op, "map") && ntok >= 4) {
		bool fixed = strcmp(tok[2], "auto") != 0;
		uint32_t flags = fixed ? IOMMUFD_MAP_FIXED_IOVA : 0;
		uint64_t off = 0;

		if (scn_obj_id(st, tok[1], &id) || (fixed && scn_parse_u64(tok[2], &a)) ||
		    scn_parse_u64(tok[3], &b))
			return -EINVAL;
		if (!fixed)
			a = 0;
		for (i = 4; i < ntok; i++) {
			if (!strcmp(tok[i], "ro"))
				flags |= IOMMUFD_MAP_READONLY;
			else if (strncmp(tok[i], "va=", 3) || scn_parse_u64(tok[i] + 3, &off))
				return -EINVAL;
		}
		/* Lengths past the buffer stay past it: the kernel must refuse them. */
		if (off >= SCN_BUF_SIZE || (b <= SCN_BUF_SIZE && off + b > SCN_BUF_SIZE))
			return -EINVAL;
		scn_prefault(st, off, b);
		ret = iommufd_ioas_map(ctx, id, st->buf + off, b, &a, flags);
		scn_text_printf(st->out, " => %s", errname(ret));
		if (!ret && !fixed && st->be->stats)
			st->be->stats->kernel_iovas++;
		if (!ret)
			scn_text_printf(st->out, " iova=0x%llx", (unsigned long long)a);
		scn_text_printf(st->out, "\n");
	} else if (!strcmp(op, "unmap") && ntok == 4) {
		uint64_t unmapped = 0;

		if (scn_obj_id(st, tok[1], &id) || scn_parse_u64(tok[2], &a) || scn_parse_u64(tok[3], &b))
			return -EINVAL;
		ret = iommufd_ioas_unmap(ctx, id, a, b, &unmapped);
		scn_text_printf(st->out, " => %s", errname(ret));
		if (!ret)
			scn_text_printf(st->out, " unmapped=0x%llx", (unsigned long long)unmapped);
		scn_text_printf(st->out, "\n");
	} else if (!strcmp(op, "copy") && (ntok == 6 || ntok == 7)) {
		bool fixed = strcmp(tok[5], "auto") != 0;
		uint32_t flags = fixed ? IOMMUFD_MAP_FIXED_IOVA : 0;

		if (scn_obj_id(st, tok[1], &id) || scn_obj_id(st, tok[2], &id2) || scn_parse_u64(tok[3], &a) ||
		    scn_parse_u64(tok[4], &b) || (fixed && scn_parse_u64(tok[5], &c)))
			return -EINVAL;
		if (!fixed)
			c = 0;
		if (ntok == 7) {
			if (strcmp(tok[6], "ro"))
				return -EINVAL;
			flags |= IOMMUFD_MAP_READONLY;
		}
		ret = iommufd_ioas_copy(ctx, id, id2, a, b, &c, flags);
		scn_text_printf(st->out, " => %s", errname(ret));
		if (!ret && !fixed && st->be->stats)
			st->be->stats->kernel_iovas++;
		if (!ret)
			scn_text_printf(st->out, " iova=0x%llx", (unsigned long long)c);
		scn_text_printf(st->out, "\n");
	} else if (!strcmp(op, "ranges") && ntok == 2) {
		if (scn_obj_id(st, tok[1], &id))
			return -EINVAL;
		print_ranges(st, id);
	} else if (!strcmp(op, "allow") && ntok >= 2) {
		struct iommufd_iova_range r[8];
		int n = ntok - 2;

		if (scn_obj_id(st, tok[1], &id) || n > 8)
			return -EINVAL;
		for (i = 0; i < n; i++) {
			char *dash = strchr(tok[2 + i], '-');

			if (!dash)
				return -EINVAL;
			*dash = '\0';
			if (scn_parse_u64(tok[2 + i], &r[i].start) || scn_parse_u64(dash + 1, &r[i].last))
				return -EINVAL;
		}
		ret = iommufd_ioas_allow_iovas(ctx, id, r, n);
		scn_text_printf(st->out, " => %s\n", errname(ret));
	} else if (!strcmp(op, "open") && ntok == 3) {
		if (st->ndevs == SCN_MAX_DEVS || !scn_is_name(tok[1]))
			return -EINVAL;
		if (scn_find_dev(st, tok[1])) {
			scn_text_printf(st->out, " => already open\n");
			return 0;
		}
		d = &st->devs[st->ndevs];
		memset(d, 0, sizeof(*d));
		snprintf(d->name, sizeof(d->name), "%s", tok[1]);
		ret = open_device(st, tok[2], d);
		scn_text_printf(st->out, " => %s\n", errname(ret));
		if (!ret)
			st->ndevs++;
	} else if (!strcmp(op, "close") && ntok == 2) {
		d = scn_find_dev(st, tok[1]);
		if (!d)
			return scn_no_device(st);
		if (st->be->stats && scn_container_dev_tracked(st, d))
			st->be->stats->unplug_tracking++;
		close_device(st, d);
		scn_text_printf(st->out, " => done\n");
		scn_print_devices(st);
	} else if (!strcmp(op, "attach") && ntok == 3) {
		d = scn_find_dev(st, tok[1]);
		if (scn_obj_id(st, tok[2], &id))
			return -EINVAL;
		if (!d)
			return scn_no_device(st);
		replace = iommufd_device_pt_id(d->dev) != 0;
		ret = iommufd_device_attach_pt(d->dev, id);
		scn_text_printf(st->out, " => %s\n", errname(ret));
		if (!ret && replace && st->be->stats)
			st->be->stats->replaces++;
		scn_print_devices(st);
	} else if (!strcmp(op, "detach") && ntok == 2) {
		d = scn_find_dev(st, tok[1]);
		if (!d)
			return scn_no_device(st);
		ret = iommufd_device_detach_pt(d->dev);
		scn_text_printf(st->out, " => %s\n", errname(ret));
		scn_print_devices(st);
	} else if (!strcmp(op, "hwpt") && ntok >= 4) {
		uint32_t flags = 0, hwpt;

		d = scn_find_dev(st, tok[2]);
		if (!scn_is_name(tok[1]) || scn_obj_id(st, tok[3], &id))
			return -EINVAL;
		for (i = 4; i < ntok; i++) {
			if (!strcmp(tok[i], "dirty"))
				flags |= IOMMUFD_HWPT_DIRTY_TRACKING;
			else if (!strcmp(tok[i], "nest"))
				flags |= IOMMUFD_HWPT_NEST_PARENT;
			else
				return -EINVAL;
		}
		if (!d)
			return scn_no_device(st);
		ret = iommufd_hwpt_alloc(ctx, iommufd_device_id(d->dev), id, flags, &hwpt);
		scn_text_printf(st->out, " => %s\n", errname(ret));
		if (!ret)
			return scn_name_obj(st, tok[1], hwpt, true);
	} else if (!strcmp(op, "hwinfo") && ntok == 2) {
		struct iommufd_hw_info info = { 0 };

		d = scn_find_dev(st, tok[1]);
		if (!d)
			return scn_no_device(st);
		ret = iommufd_get_hw_info(ctx, iommufd_device_id(d->dev), &info);
		scn_text_printf(st->out, " => %s", errname(ret));
		if (!ret)
			scn_text_printf(st->out, " type=0x%x dirty=%d", info.type,
					(int)(info.capabilities & 1));
		scn_text_printf(st->out, "\n");
	} else if (!strcmp(op, "track") && ntok == 3) {
		if (scn_obj_id(st, tok[1], &id) || (strcmp(tok[2], "on") && strcmp(tok[2], "off")))
			return -EINVAL;
		ret = iommufd_hwpt_set_dirty_tracking(ctx, id, !strcmp(tok[2], "on"));
		scn_text_printf(st->out, " => %s\n", errname(ret));
	} else if (!strcmp(op, "dma") && ntok == 4) {
		d = scn_find_dev(st, tok[1]);
		if (scn_parse_u64(tok[2], &a) || scn_parse_u64(tok[3], &b))
			return -EINVAL;
		if (!d)
			return scn_no_device(st);
		/*
		 * Not the same operation on both sides (the selftest refuses where
		 * the simulated device just writes untracked): what it did shows in
		 * the next bitmap, not here.
		 */
		if (st->be->sim)
			iommufd_sim_dma_write(st->be->sim, d->simname[0] ? d->simname :
					      iommufd_device_name(d->dev), a, b);
		else
			iommufd_selftest_dirty(d->dev, a, b);
		scn_text_printf(st->out, " => done\n");
	} else if (!strcmp(op, "bitmap")) {
		return do_bitmap(st, tok, ntok);
	} else {
		return -EINVAL;
	}
	return 0;
}

const char *const scn_verbs[] = {
	"ioas", "destroy", "map", "unmap", "copy", "ranges", "allow", "open", "close",
	"attach", "detach", "hwpt", "hwinfo", "track", "dma", "bitmap",
	"container", "cattach", "cdetach", "cmap", "cunmap", "ctrack", "cread",
	"cstatus", "ccovered", "cdomains", "cfree",
	"viommu", "vdevice", "nested", "hinval", "vinval", "iotlb", "devcache", "vevent", "iopf",
	"faultq", "veventq", "readq", "readf", "respond", "closeq",
	"cvirt", "cnest", "cunnest", "cinval", "cnesting", NULL,
};

/* Add a line's result (the transcript from its start) to the stats. */
static void count_step(struct scn_stats *stats, const char *verb, const char *line)
{
	const char *r = strstr(line, " => ");
	bool ok = true;
	unsigned v;

	for (v = 0; scn_verbs[v] && strcmp(scn_verbs[v], verb); v++)
		;
	if (r) {
		r += 4;
		ok = r[0] != 'E' && r[0] != '-' && strncmp(r, "no such", 7) &&
		     strncmp(r, "already", 7) && strncmp(r, "script error", 12);
	}
	stats->steps++;
	stats->ok += ok;
	if (v < SCN_NVERBS && scn_verbs[v]) {
		stats->verb_runs[v]++;
		stats->verb_ok[v] += ok;
	}
}

int scn_run(struct scn_backend *be, const char *script, struct scn_text *out)
{
	struct scn_state *st;
	char *copy, *line, *save, *tok[SCN_MAX_TOKS];
	int ret = 0, lineno = 0, ntok;
	size_t line_at;

	st = calloc(1, sizeof(*st));
	copy = strdup(script);
	if (!st || !copy) {
		free(st);
		free(copy);
		return -ENOMEM;
	}
	st->be = be;
	st->out = out;
	st->buf = mmap((void *)SCN_BUF_ADDR, SCN_BUF_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (st->buf != MAP_FAILED && st->buf != (void *)SCN_BUF_ADDR) {
		/* an old kernel took the address as a hint only */
		munmap(st->buf, SCN_BUF_SIZE);
		st->buf = MAP_FAILED;
	}
	if (st->buf == MAP_FAILED) {
		ret = -ENOMEM;
		goto out_free;
	}
	/* no huge pages: see scn_prefault() */
	madvise(st->buf, SCN_BUF_SIZE, MADV_NOHUGEPAGE);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p, *tsave, *hash;

		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		ntok = 0;
		for (p = strtok_r(line, " \t", &tsave); p && ntok < SCN_MAX_TOKS;
		     p = strtok_r(NULL, " \t", &tsave))
			tok[ntok++] = p;
		if (!ntok)
			continue;
		line_at = out->len;
		scn_text_printf(out, "%d:", lineno);
		for (int i = 0; i < ntok; i++)
			scn_text_printf(out, " %s", tok[i]);
		ret = step(st, tok, ntok);
		scn_container_refresh(st);
		if (be->stats)
			count_step(be->stats, tok[0], out->s + line_at);
		if (ret) {
			scn_text_printf(out, " => script error (%s)\n", errname(ret));
			break;
		}
	}
	scn_container_free_all(st);
	scn_nested_close_all(st);
	while (st->ndevs)
		close_device(st, &st->devs[st->ndevs - 1]);
	munmap(st->buf, SCN_BUF_SIZE);
out_free:
	free(copy);
	free(st);
	return ret;
}

const char *scn_sim_topology(enum scn_flavour flavour)
{
	if (flavour == SCN_VTD)
		/* machine A: QEMU 7.2's VT-d (39-bit, no dirty tracking, no nesting), three devices */
		return "{ \"iommus\": [ { \"name\": \"dmar0\", \"driver\": \"intel-vtd\","
		       " \"dirty_tracking\": false, \"nesting\": false, \"iova_bits\": 39,"
		       " \"pgsizes\": [\"4K\", \"2M\", \"1G\"] } ],"
		       " \"devices\": [ { \"name\": \"0000:00:03.0\", \"iommu\": \"dmar0\" },"
		       " { \"name\": \"0000:00:04.0\", \"iommu\": \"dmar0\" },"
		       " { \"name\": \"0000:00:05.0\", \"iommu\": \"dmar0\" } ] }";
	/*
	 * machine B: the kernel's mock IOMMU (its driver's defaults, said out
	 * loud): 2 KiB IO pages, aperture 16 MiB .. 2 GiB - 1, nest parents; a
	 * device with and one without dirty tracking (MOCK_FLAGS_DEVICE_NO_DIRTY)
	 */
	return "{ \"iommus\": ["
	       " { \"name\": \"mock\", \"driver\": \"iommufd-selftest\", \"dirty_tracking\": true,"
	       " \"nesting\": true, \"iova_bits\": 31, \"aperture_start\": \"0x1000000\","
	       " \"aperture_end\": \"0x7fffffff\", \"pgsizes\": [\"2K\"] },"
	       " { \"name\": \"mock-no-dirty\", \"driver\": \"iommufd-selftest\","
	       " \"dirty_tracking\": false, \"nesting\": true, \"iova_bits\": 31,"
	       " \"aperture_start\": \"0x1000000\", \"aperture_end\": \"0x7fffffff\","
	       " \"pgsizes\": [\"2K\"] } ],"
	       " \"devices\": ["
	       " { \"name\": \"mock-d0\", \"iommu\": \"mock\" }, { \"name\": \"mock-d1\", \"iommu\": \"mock\" },"
	       " { \"name\": \"mock-d2\", \"iommu\": \"mock\" }, { \"name\": \"mock-d3\", \"iommu\": \"mock\" },"
	       " { \"name\": \"mock-n0\", \"iommu\": \"mock-no-dirty\" },"
	       " { \"name\": \"mock-n1\", \"iommu\": \"mock-no-dirty\" },"
	       " { \"name\": \"mock-n2\", \"iommu\": \"mock-no-dirty\" },"
	       " { \"name\": \"mock-n3\", \"iommu\": \"mock-no-dirty\" } ] }";
}

const char *scn_sim_topology_kernel(enum scn_flavour flavour, const char *kernel)
{
	static char buf[2048];
	const char *t = scn_sim_topology(flavour);
	char *p;

	/* the same object with "kernel" first */
	snprintf(buf, sizeof(buf), "{ \"kernel\": \"%s\",%s", kernel, t + 1);
	/*
	 * The VM tier's 6.12 has no CONFIG_IOMMU_IOPF (only INTEL_IOMMU_SVM selects it
	 * there): its mock takes no domain with a fault queue.
	 */
	if (flavour == SCN_MOCK && !strcmp(kernel, "6.12"))
		for (p = strstr(buf, "\"nesting\": true"); p; p = strstr(p, "\"nesting\": true"))
			memcpy(p, "\"iopf\": false  ", 15);
	return buf;
}
