// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Generated scenarios: random sequences of object calls, right and wrong,
 * from pools of values where the kernel's rules have edges (alignment, wrap,
 * reserved windows, aperture ends, overlaps, stale ids). Script n of a
 * flavour is the same on every run.
 */
#include <stdio.h>
#include <string.h>

#include "scenario.h"

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

static unsigned pick(struct rng *r, unsigned n)
{
	return (unsigned)(next(r) % n);
}

static bool chance(struct rng *r, unsigned percent)
{
	return pick(r, 100) < percent;
}

#define PICK(r, arr) ((arr)[pick(r, sizeof(arr) / sizeof((arr)[0]))])

/* Machine A (VT-d, 39-bit, MSI window 0xfee00000..0xfeefffff). */
static const uint64_t vtd_iovas[] = {
	0x0, 0x1000, 0x2000, 0x10000, 0x100000, 0x110000, 0x120000, 0x200000, 0x400000,
	0x1800, 0xfedf0000, 0xfee00000, 0xfeeff000, 0xfef00000, 0x7ffffff000ull,
	0x7fffe00000ull, 0x8000000000ull, 0xfffffffffffff000ull,
};
static const uint64_t vtd_lens[] = {
	0x1000, 0x1000, 0x2000, 0x10000, 0x10000, 0x20000, 0x200000, 0x0, 0x1800, 0x400000,
};
static const char *const vtd_devs[] = { "0000:00:03.0", "0000:00:04.0", "0000:00:05.0" };

/*
 * Machine B: inside the mock aperture (1<<24 .. (1<<31)-1), at its ends and
 * outside it; half pages where the mock's 2 KiB IO pages allow them.
 */
static const uint64_t mock_iovas[] = {
	0x1000000, 0x1000000, 0x1001000, 0x1002000, 0x1010000, 0x1100000, 0x1200000,
	0x7ff00000, 0x7fe00000, 0x1000800, 0x7ffff000, 0x80000000, 0x1000, 0xfff000,
};
static const uint64_t mock_lens[] = {
	0x1000, 0x2000, 0x4000, 0x10000, 0x10000, 0x100000, 0x0, 0x3000, 0x800, 0x1800,
};

static const char *const ioases[] = { "I0", "I1", "I2" };
static const char *const hwpts[] = { "H0", "H1" };
static const char *const devs[] = { "D0", "D1", "D2" };

static void pt_name(struct rng *r, char *buf, size_t len)
{
	switch (pick(r, 6)) {
	case 0:
	case 1:
	case 2:
		snprintf(buf, len, "%s", PICK(r, ioases));
		break;
	case 3:
	case 4:
		snprintf(buf, len, "%s", PICK(r, hwpts));
		break;
	default:
		snprintf(buf, len, "%u", 999 + pick(r, 2) * 1000000);
	}
}

static uint64_t iova_of(struct rng *r, enum scn_flavour f)
{
	return f == SCN_VTD ? PICK(r, vtd_iovas) : PICK(r, mock_iovas);
}

static uint64_t len_of(struct rng *r, enum scn_flavour f)
{
	return f == SCN_VTD ? PICK(r, vtd_lens) : PICK(r, mock_lens);
}

static void open_line(struct rng *r, enum scn_flavour f, struct scn_text *out, int d)
{
	if (f == SCN_VTD)
		scn_text_printf(out, "open %s %s\n", devs[d], vtd_devs[d]);
	else
		scn_text_printf(out, "open %s %s\n", devs[d], chance(r, 60) ? "dirty" : "nodirty");
}

/*
 * ro_maps: the script may map read-only. On machine B such a script has no
 * dma: IOMMU_TEST_OP_DIRTY marks read-only pages too (it is no DMA model),
 * where a device's write faults.
 */
static void random_step(struct rng *r, enum scn_flavour f, bool ro_maps, struct scn_text *out)
{
	char pt[32];
	unsigned w = pick(r, 100);

	if (w < 22) {
		uint64_t len = len_of(r, f);

		scn_text_printf(out, "map %s ", PICK(r, ioases));
		if (chance(r, 20))
			scn_text_printf(out, "auto");
		else
			scn_text_printf(out, "0x%llx", (unsigned long long)iova_of(r, f));
		scn_text_printf(out, " 0x%llx", (unsigned long long)len);
		if (chance(r, 15) && ro_maps)
			scn_text_printf(out, " ro");
		if (chance(r, 10)) {
			static const char *const offs[] = { "0x10", "0x201000", "0x800" };

			scn_text_printf(out, " va=%s", PICK(r, offs));
		}
		scn_text_printf(out, "\n");
	} else if (w < 36) {
		if (chance(r, 10))
			scn_text_printf(out, "unmap %s 0 0xffffffffffffffff\n", PICK(r, ioases));
		else
			scn_text_printf(out, "unmap %s 0x%llx 0x%llx\n", PICK(r, ioases),
					(unsigned long long)iova_of(r, f),
					(unsigned long long)len_of(r, f));
	} else if (w < 41) {
		scn_text_printf(out, "copy %s %s 0x%llx 0x%llx ", PICK(r, ioases), PICK(r, ioases),
				(unsigned long long)iova_of(r, f), (unsigned long long)len_of(r, f));
		if (chance(r, 30))
			scn_text_printf(out, "auto\n");
		else
			scn_text_printf(out, "0x%llx\n", (unsigned long long)iova_of(r, f));
	} else if (w < 47) {
		scn_text_printf(out, "ranges %s\n", PICK(r, ioases));
	} else if (w < 49) {
		uint64_t a = iova_of(r, f), b = iova_of(r, f);

		if (a > b) {
			uint64_t t = a;

			a = b;
			b = t;
		}
		scn_text_printf(out, "allow %s 0x%llx-0x%llx\n", PICK(r, ioases),
				(unsigned long long)a, (unsigned long long)(b + 0xfff));
	} else if (w < 59) {
		pt_name(r, pt, sizeof(pt));
		scn_text_printf(out, "attach %s %s\n", PICK(r, devs), pt);
	} else if (w < 63) {
		scn_text_printf(out, "detach %s\n", PICK(r, devs));
	} else if (w < 71) {
		static const char *const flags[] = { "", " dirty", "", " nest", " dirty nest" };

		scn_text_printf(out, "hwpt %s %s %s%s\n", PICK(r, hwpts), PICK(r, devs),
				chance(r, 80) ? PICK(r, ioases) : "H0", PICK(r, flags));
	} else if (w < 77) {
		pt_name(r, pt, sizeof(pt));
		scn_text_printf(out, "destroy %s\n", pt);
	} else if (w < 79) {
		scn_text_printf(out, "ioas %s\n", PICK(r, ioases));
	} else if (w < 83) {
		int d = pick(r, 3);

		if (chance(r, 50))
			scn_text_printf(out, "close %s\n", devs[d]);
		else
			open_line(r, f, out, d);
	} else if (w < 85) {
		scn_text_printf(out, "hwinfo %s\n", PICK(r, devs));
	} else if (w < 89) {
		scn_text_printf(out, "track %s %s\n", PICK(r, hwpts), chance(r, 70) ? "on" : "off");
	} else if (w < 94 && f == SCN_MOCK && !ro_maps) {
		scn_text_printf(out, "dma %s 0x%llx 0x%llx\n", PICK(r, devs),
				(unsigned long long)iova_of(r, f), (unsigned long long)len_of(r, f));
	} else {
		static const uint64_t pages[] = { 0x1000, 0x1000, 0x1000, 0x2000, 0x800, 0x3000 };

		scn_text_printf(out, "bitmap %s 0x%llx 0x%llx 0x%llx%s%s\n", PICK(r, hwpts),
				(unsigned long long)(f == SCN_VTD ? 0x100000 : 0x1000000),
				(unsigned long long)(chance(r, 80) ? 0x40000 : 0x1000),
				(unsigned long long)PICK(r, pages), chance(r, 30) ? " noclear" : "",
				chance(r, 20) ? " pre=0x8000000000000000" : "");
	}
}

void scn_generate(enum scn_flavour f, unsigned n, struct scn_text *out)
{
	struct rng r = { .s = 0x9e3779b97f4a7c15ull * (n + 1) + (f == SCN_VTD ? 1 : 7) };
	unsigned steps, i;
	bool ro_maps;
	int d;

	scn_text_printf(out, "# generated %s scenario %u\n", f == SCN_VTD ? "vtd" : "mock", n);
	scn_text_printf(out, "ioas I0\nioas I1\n");
	for (d = 0; d < 3; d++)
		if (chance(&r, d ? 50 : 85))
			open_line(&r, f, out, d);
	ro_maps = f == SCN_VTD || chance(&r, 35);
	/* often a set-up that makes the later steps meaningful */
	if (chance(&r, 60)) {
		scn_text_printf(out, "hwpt H0 D0 I0%s\n", f == SCN_MOCK ? " dirty" : "");
		scn_text_printf(out, "attach D0 H0\n");
		scn_text_printf(out, "map I0 0x%llx 0x40000\n",
				(unsigned long long)(f == SCN_VTD ? 0x100000 : 0x1000000));
		if (f == SCN_MOCK && chance(&r, 80)) {
			scn_text_printf(out, "track H0 on\n");
			/* a write the next bitmap finds */
			if (!ro_maps)
				scn_text_printf(out, "dma D0 0x1000000 0x1000\n"
						     "bitmap H0 0x1000000 0x40000 0x1000\n");
		}
	}
	steps = 10 + pick(&r, 25);
	for (i = 0; i < steps; i++)
		random_step(&r, f, ro_maps, out);
	/* what is left: ranges, a last bitmap, and the unmap of everything */
	scn_text_printf(out, "ranges I0\n");
	scn_text_printf(out, "unmap I0 0 0xffffffffffffffff\n");
	scn_text_printf(out, "unmap I1 0 0xffffffffffffffff\n");
}

/*
 * Container sequences. The generator keeps a rough model of what the script
 * made (containers, which devices are open and where they are attached,
 * which slots are mapped, whether tracking is on), so that most steps are
 * valid and build on each other: attach, map, track, device writes, reads
 * that find pages, hot-plug and unplug while tracking, frees and new
 * containers. About one step in eight is wrong on purpose (outside the
 * aperture, misaligned, overlapping, a hole, a bad page size, a device
 * attached elsewhere, a container without tracking...). The model only
 * steers: the transcripts say what happened, and scn_coverage checks that
 * the set stays meaningful.
 */
#define CSLOTS 8          /* mapping slots of 64 KiB from the window's base */
#define CSLOT_SIZE 0x10000
#define CREAD_LEN 0x40000 /* the usual read: slots 0..3 */

struct cmodel {
	enum scn_flavour f;
	uint64_t base;
	unsigned ndevs;
	struct {
		bool live, dirty, nest, tracking;
		uint64_t slot_len[CSLOTS]; /* 0: the slot is not mapped */
	} c[2];
	struct {
		bool open, dirty;
		int cont; /* -1: not attached */
	} d[4];
};

static const char *const conts[] = { "C0", "C1" };
static const char *const cdevs[] = { "D0", "D1", "D2", "D3" };

static void c_new(struct rng *r, struct cmodel *m, struct scn_text *out, unsigned c)
{
	/* VT-d under QEMU has neither dirty tracking nor nesting: nest fails there */
	bool dirty = chance(r, 85), nest = chance(r, m->f == SCN_VTD ? 4 : 15);

	scn_text_printf(out, "container %s%s%s\n", conts[c], dirty ? " dirty" : "",
			nest ? " nest" : "");
	if (m->f == SCN_VTD && nest)
		return;
	memset(&m->c[c], 0, sizeof(m->c[c]));
	m->c[c].live = true;
	m->c[c].dirty = dirty;
	m->c[c].nest = nest;
}

static void c_open(struct rng *r, struct cmodel *m, struct scn_text *out, unsigned d)
{
	m->d[d].dirty = m->f == SCN_MOCK && chance(r, 85);
	if (m->f == SCN_VTD)
		scn_text_printf(out, "open %s %s\n", cdevs[d], vtd_devs[d % 3]);
	else
		scn_text_printf(out, "open %s %s\n", cdevs[d], m->d[d].dirty ? "dirty" : "nodirty");
	m->d[d].open = true;
	m->d[d].cont = -1;
}

/* A random index in 0..n-1 for which ok(i) holds, or -1. */
#define PICK_WHERE(r, n, cond)                                  \
	({                                                      \
		int found_ = -1, seen_ = 0, i_;                 \
		for (i_ = 0; i_ < (int)(n); i_++)               \
			if (cond) {                             \
				if (!pick(r, ++seen_))          \
					found_ = i_;            \
			}                                       \
		found_;                                         \
	})

static int live_cont(struct rng *r, struct cmodel *m)
{
	return PICK_WHERE(r, 2, m->c[i_].live);
}

static void c_read(struct rng *r, struct cmodel *m, struct scn_text *out, unsigned c)
{
	static const uint64_t pages[] = { 0x1000, 0x1000, 0x1000, 0x2000, 0x10000 };
	uint64_t page = PICK(r, pages);

	scn_text_printf(out, "cread %s 0x%llx 0x%x 0x%llx%s\n", conts[c],
			(unsigned long long)m->base, CREAD_LEN, (unsigned long long)page,
			chance(r, 20) ? " noclear" : "");
}

/* A write by an attached device into a mapped slot, often read back at once. */
static bool c_dma(struct rng *r, struct cmodel *m, struct scn_text *out)
{
	static const uint64_t offs[] = { 0, 0x1000, 0x3000, 0x8000 };
	int d = PICK_WHERE(r, m->ndevs, m->d[i_].open && m->d[i_].cont >= 0);
	int c, s;
	uint64_t off;

	if (m->f != SCN_MOCK || d < 0)
		return false;
	c = m->d[d].cont;
	s = PICK_WHERE(r, CSLOTS, m->c[c].slot_len[i_] != 0);
	if (s < 0)
		return false;
	off = PICK(r, offs) % m->c[c].slot_len[s];
	scn_text_printf(out, "dma %s 0x%llx 0x%x\n", cdevs[d],
			(unsigned long long)(m->base + s * CSLOT_SIZE + off), chance(r, 70) ? 0x1000 : 0x3000);
	if (m->c[c].tracking && s < 4 && chance(r, 60))
		c_read(r, m, out, c);
	return true;
}

/* One step that should succeed (by the model); false when none fits now. */
static bool c_valid(struct rng *r, struct cmodel *m, struct scn_text *out)
{
	static const uint64_t lens[] = { 0x1000, 0x4000, 0x10000, 0x10000 };
	unsigned w = pick(r, 100);
	int c = live_cont(r, m), d, s;

	if (w < 8) { /* a device comes: open it (and often attach it) */
		d = PICK_WHERE(r, m->ndevs, !m->d[i_].open);
		if (d < 0)
			return false;
		c_open(r, m, out, d);
		if (c >= 0 && chance(r, 70)) {
			scn_text_printf(out, "cattach %s %s\n", conts[c], cdevs[d]);
			m->d[d].cont = c;
		}
	} else if (w < 22) {
		d = PICK_WHERE(r, m->ndevs, m->d[i_].open && m->d[i_].cont < 0);
		if (d < 0 || c < 0)
			return false;
		scn_text_printf(out, "cattach %s %s\n", conts[c], cdevs[d]);
		m->d[d].cont = c;
	} else if (w < 29) { /* a device goes: detached, or closed while attached */
		d = PICK_WHERE(r, m->ndevs, m->d[i_].open && m->d[i_].cont >= 0);
		if (d < 0)
			return false;
		if (chance(r, 65)) {
			scn_text_printf(out, "cdetach %s %s\n", conts[m->d[d].cont], cdevs[d]);
			m->d[d].cont = -1;
		} else {
			scn_text_printf(out, "close %s\n", cdevs[d]);
			m->d[d].open = false;
		}
	} else if (w < 42) {
		if (c < 0)
			return false;
		/* the read window's slots first */
		s = PICK_WHERE(r, chance(r, 75) ? 4 : CSLOTS, !m->c[c].slot_len[i_]);
		if (s < 0)
			return false;
		m->c[c].slot_len[s] = PICK(r, lens);
		scn_text_printf(out, "cmap %s 0x%llx 0x%llx%s\n", conts[c],
				(unsigned long long)(m->base + s * CSLOT_SIZE),
				(unsigned long long)m->c[c].slot_len[s],
				m->f == SCN_VTD && chance(r, 15) ? " ro" : "");
	} else if (w < 49) {
		if (c < 0)
			return false;
		s = PICK_WHERE(r, CSLOTS, m->c[c].slot_len[i_] != 0);
		if (s < 0 || chance(r, 10)) {
			scn_text_printf(out, "cunmap %s 0 0xffffffffffffffff\n", conts[c]);
			memset(m->c[c].slot_len, 0, sizeof(m->c[c].slot_len));
			return true;
		}
		scn_text_printf(out, "cunmap %s 0x%llx 0x%llx\n", conts[c],
				(unsigned long long)(m->base + s * CSLOT_SIZE),
				(unsigned long long)m->c[c].slot_len[s]);
		m->c[c].slot_len[s] = 0;
	} else if (w < 55) {
		if (c < 0 || !m->c[c].dirty || (m->f == SCN_VTD && chance(r, 70)))
			return false;
		/* mostly on: an off ends what the later steps could read */
		m->c[c].tracking = !m->c[c].tracking || chance(r, 85);
		scn_text_printf(out, "ctrack %s %s\n", conts[c], m->c[c].tracking ? "on" : "off");
	} else if (w < 72) {
		return c_dma(r, m, out);
	} else if (w < 82) {
		if (c < 0 || !m->c[c].tracking)
			return false;
		c_read(r, m, out, c);
	} else if (w < 86) {
		if (c < 0)
			return false;
		scn_text_printf(out, "cstatus %s\n", conts[c]);
	} else if (w < 89) {
		d = PICK_WHERE(r, m->ndevs, m->d[i_].open);
		if (c < 0 || d < 0)
			return false;
		scn_text_printf(out, "ccovered %s %s\n", conts[c], cdevs[d]);
	} else if (w < 93) {
		if (c < 0)
			return false;
		scn_text_printf(out, "cdomains %s\n", conts[c]);
	} else if (w < 95) {
		scn_text_printf(out, "ranges %s\n", conts[c < 0 ? 0 : c]);
	} else {
		/* a container goes (its devices are left unattached) or comes */
		c = pick(r, 2);
		if (!m->c[c].live) {
			c_new(r, m, out, c);
			if (m->c[c].live && m->c[c].dirty && chance(r, 70)) {
				scn_text_printf(out, "ctrack %s on\n", conts[c]);
				m->c[c].tracking = true;
			}
			return true;
		}
		if (chance(r, 60))
			return false;
		scn_text_printf(out, "cfree %s\n", conts[c]);
		m->c[c].live = false;
		for (d = 0; d < (int)m->ndevs; d++)
			if (m->d[d].cont == c)
				m->d[d].cont = -1;
	}
	return true;
}

/* One step that must fail; the model does not change. */
static void c_wrong(struct rng *r, struct cmodel *m, struct scn_text *out)
{
	const char *c = conts[pick(r, 2)];
	const char *d = cdevs[pick(r, m->ndevs)];
	uint64_t end = m->f == SCN_VTD ? 0x8000000000ull : 0x80000000ull;
	int k, s;

	switch (pick(r, 12)) {
	case 0: /* outside the aperture / IOVA space */
		scn_text_printf(out, "cmap %s 0x%llx 0x1000\n", c,
				(unsigned long long)(chance(r, 50) ? end : m->base - 0x100000 * (m->f == SCN_MOCK)));
		break;
	case 1: /* misaligned or empty */
		scn_text_printf(out, "cmap %s 0x%llx 0x%x\n", c, (unsigned long long)(m->base + 0x800),
				chance(r, 50) ? 0x800 : 0);
		break;
	case 2: /* over a mapped slot */
		k = live_cont(r, m);
		s = k < 0 ? -1 : PICK_WHERE(r, CSLOTS, m->c[k].slot_len[i_] != 0);
		scn_text_printf(out, "cmap %s 0x%llx 0x1000\n", conts[k < 0 ? 0 : k],
				(unsigned long long)(m->base + (s < 0 ? 0 : s) * CSLOT_SIZE));
		break;
	case 3: /* a hole or half a mapping */
		scn_text_printf(out, "cunmap %s 0x%llx 0x1000\n", c,
				(unsigned long long)(m->base + (CSLOTS + pick(r, 4)) * CSLOT_SIZE));
		break;
	case 4: { /* bad page size, misaligned base, bad flags */
		static const char *const bad[] = { "0x40000 0x800", "0x40000 0x3000", "0x40000 0",
						   "0x3fff 0x1000", "0x40000 0x1000 flags=4" };

		scn_text_printf(out, "cread %s 0x%llx %s\n", c,
				(unsigned long long)(m->base + (chance(r, 30) ? 0x800 : 0)), PICK(r, bad));
		break;
	}
	case 5: /* a device attached to the other container */
		k = PICK_WHERE(r, m->ndevs, m->d[i_].open && m->d[i_].cont >= 0);
		if (k >= 0)
			scn_text_printf(out, "cattach %s %s\n", conts[!m->d[k].cont], cdevs[k]);
		else
			scn_text_printf(out, "cdetach %s %s\n", c, d);
		break;
	case 6: /* a device not attached there */
		scn_text_printf(out, "cdetach %s %s\n", c, d);
		break;
	case 7: /* the object calls must leave a container's device alone */
		if (chance(r, 50))
			scn_text_printf(out, "attach %s I0\n", d);
		else
			scn_text_printf(out, "detach %s\n", d);
		break;
	case 8: /* tracking where the container does not track */
		k = PICK_WHERE(r, 2, m->c[i_].live && !m->c[i_].dirty);
		if (k >= 0)
			scn_text_printf(out, "ctrack %s on\n", conts[k]);
		else
			scn_text_printf(out, "cread %s 0x%llx 0x%x 0x1000\n", c,
					(unsigned long long)m->base, CREAD_LEN);
		break;
	case 9: /* a container that is already there, or a bad flag */
		scn_text_printf(out, "container %s%s\n", c, chance(r, 50) ? " flags=8" : "");
		break;
	case 10: /* a read with pre-set bits in the caller's bitmap */
		scn_text_printf(out, "cread %s 0x%llx 0x%x 0x1000 pre=0x8000000000000000\n", c,
				(unsigned long long)m->base, CREAD_LEN);
		break;
	default: /* a device write outside what is mapped (machine B) */
		if (m->f == SCN_MOCK)
			scn_text_printf(out, "dma %s 0x%llx 0x1000\n", d,
					(unsigned long long)(m->base + (CSLOTS + 1) * CSLOT_SIZE));
		else
			scn_text_printf(out, "ccovered %s %s\n", c, d);
	}
}

void scn_generate_container(enum scn_flavour f, unsigned n, struct scn_text *out)
{
	struct rng r = { .s = 0xc2b2ae3d27d4eb4full * (n + 1) + (f == SCN_VTD ? 3 : 11) };
	struct cmodel m = { .f = f, .base = f == SCN_VTD ? 0x100000 : 0x1000000,
			    .ndevs = f == SCN_VTD ? 3 : 4 };
	unsigned steps, i, d;

	scn_text_printf(out, "# generated container %s scenario %u\n",
			f == SCN_VTD ? "vtd" : "mock", n);
	scn_text_printf(out, "ioas I0\n");
	c_new(&r, &m, out, 0);
	if (chance(&r, 50))
		c_new(&r, &m, out, 1);
	for (d = 0; d < m.ndevs; d++) {
		m.d[d].cont = -1;
		if (chance(&r, d ? 60 : 95))
			c_open(&r, &m, out, d);
	}
	/* mostly a tracking set-up first; the rest hot-plugs into it */
	if (chance(&r, 80) && m.d[0].open && m.c[0].live) {
		scn_text_printf(out, "cattach C0 D0\n");
		m.d[0].cont = 0;
		scn_text_printf(out, "cmap C0 0x%llx 0x%x\n", (unsigned long long)m.base, 2 * CSLOT_SIZE);
		m.c[0].slot_len[0] = 2 * CSLOT_SIZE; /* slot 1 too: left alone */
		m.c[0].slot_len[1] = 0;
		if (m.c[0].dirty) {
			scn_text_printf(out, "ctrack C0 on\n");
			m.c[0].tracking = true;
			if (f == SCN_MOCK && chance(&r, 70))
				c_dma(&r, &m, out);
		}
	}
	steps = 20 + pick(&r, 30);
	for (i = 0; i < steps; i++) {
		if (chance(&r, 12))
			c_wrong(&r, &m, out);
		else
			while (!c_valid(&r, &m, out))
				;
	}
	for (i = 0; i < 2; i++) {
		scn_text_printf(out, "cdomains %s\ncstatus %s\n", conts[i], conts[i]);
		scn_text_printf(out, "cread %s 0x%llx 0x%x 0x1000\n", conts[i],
				(unsigned long long)m.base, CREAD_LEN);
		scn_text_printf(out, "cfree %s\n", conts[i]);
	}
}
