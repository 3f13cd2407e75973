// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Generated scenarios: sequences of object calls and of container calls,
 * built from a model of what the script made so that most steps are valid
 * and build on each other, with about one step in eight wrong on purpose
 * where the kernel's rules have edges. Script n of a flavour is the same on
 * every run.
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

static const char *const vtd_devs[] = { "0000:00:03.0", "0000:00:04.0", "0000:00:05.0" };

/*
 * Object sequences. Like the container sequences below, the generator keeps
 * a model of what the script made (IOASes and their mapped slots, HWPTs,
 * open devices and what they are attached to, tracking), so that most steps
 * are valid and build on each other: maps at fixed slots and at IOVAs the
 * kernel chooses, copies between IOASes, unmaps of one slot, of a range with
 * holes and of all, HWPTs that devices attach to, replace and leave, device
 * writes read back from the dirty bitmap, destroys in the order the kernel
 * allows. About one step in eight is wrong on purpose (overlap, length 0,
 * wrap, half a mapping, an unknown id, a busy object, an incompatible
 * attach, bad bitmap arguments...). The model only steers: the transcripts
 * say what happened.
 *
 * Fixed maps go to slots of 64 KiB from 1 GiB, inside the mock aperture
 * (1<<24 .. (1<<31)-1) and far above where the kernel puts maps of its
 * choosing (from the lowest free IOVA: 0 on VT-d, the aperture's start on
 * machine B). On machine B such maps are made only while the IOAS has a
 * domain: without one they could land below the aperture, and no mock
 * device could attach any more.
 */
#define OSLOTS 8
#define OSLOT_SIZE 0x10000
#define OBASE 0x40000000ull
#define ONIOAS 3
#define ONHWPT 3
#define ONDEV 3

struct omodel {
	enum scn_flavour f;
	struct {
		bool live;
		unsigned autos; /* maps at IOVAs the kernel chose */
		uint64_t slot_len[OSLOTS]; /* 0: the slot is not mapped */
		bool slot_ro[OSLOTS];
	} io[ONIOAS];
	struct {
		bool live, dirty, tracking;
		int ioas;
	} hw[ONHWPT];
	struct {
		bool open, dirty;
		int ioas, hwpt; /* attached to an IOAS (its automatic domain) or a HWPT; -1 */
	} d[ONDEV];
};

static const char *const ioases[] = { "I0", "I1", "I2" };
static const char *const hwpts[] = { "H0", "H1", "H2" };
static const char *const devs[] = { "D0", "D1", "D2" };

/* A random index in 0..n-1 for which cond (on i_) holds, or -1. */
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

static uint64_t slot_iova(int s)
{
	return OBASE + (uint64_t)s * OSLOT_SIZE;
}

/* Has the IOAS a domain (a HWPT made from it, or a device attached to it)? */
static bool o_has_domain(const struct omodel *m, int i)
{
	int k;

	for (k = 0; k < ONHWPT; k++)
		if (m->hw[k].live && m->hw[k].ioas == i)
			return true;
	for (k = 0; k < ONDEV; k++)
		if (m->d[k].open && m->d[k].ioas == i)
			return true;
	return false;
}

static bool o_hwpt_used(const struct omodel *m, int h)
{
	int k;

	for (k = 0; k < ONDEV; k++)
		if (m->d[k].open && m->d[k].hwpt == h)
			return true;
	return false;
}

/* The IOAS a device's writes land in, or -1. */
static int o_dev_ioas(const struct omodel *m, int d)
{
	if (!m->d[d].open)
		return -1;
	if (m->d[d].hwpt >= 0)
		return m->hw[m->d[d].hwpt].ioas;
	return m->d[d].ioas;
}

/* Is a device attached to the IOAS (its reserved regions are then the IOAS's)? */
static bool o_has_device(const struct omodel *m, int i)
{
	int k;

	for (k = 0; k < ONDEV; k++)
		if (o_dev_ioas(m, k) == i)
			return true;
	return false;
}

/* Maps the kernel places itself: anywhere on VT-d, inside a domain's aperture on B. */
static bool o_auto_ok(const struct omodel *m, int i)
{
	return m->f == SCN_VTD || o_has_domain(m, i);
}

static void o_open(struct rng *r, struct omodel *m, struct scn_text *out, int d)
{
	m->d[d].dirty = m->f == SCN_MOCK && chance(r, 85);
	if (m->f == SCN_VTD)
		scn_text_printf(out, "open %s %s\n", devs[d], vtd_devs[d]);
	else
		scn_text_printf(out, "open %s %s\n", devs[d], m->d[d].dirty ? "dirty" : "nodirty");
	m->d[d].open = true;
	m->d[d].ioas = m->d[d].hwpt = -1;
}

static void o_detach_model(struct omodel *m, int d)
{
	m->d[d].ioas = m->d[d].hwpt = -1;
}

static void o_bitmap(struct rng *r, struct scn_text *out, int h)
{
	static const uint64_t pages[] = { 0x1000, 0x1000, 0x1000, 0x2000, 0x10000 };

	scn_text_printf(out, "bitmap %s 0x%llx 0x%x 0x%llx%s%s\n", hwpts[h],
			(unsigned long long)OBASE, chance(r, 75) ? 4 * OSLOT_SIZE : OSLOTS * OSLOT_SIZE,
			(unsigned long long)PICK(r, pages), chance(r, 20) ? " noclear" : "",
			chance(r, 15) ? " pre=0x8000000000000000" : "");
}

/* A device write into a writable slot of its IOAS, often read back at once. */
static bool o_dma(struct rng *r, struct omodel *m, struct scn_text *out)
{
	static const uint64_t offs[] = { 0, 0x1000, 0x3000, 0x8000 };
	int d, i, s, h;
	uint64_t off, len;

	if (m->f != SCN_MOCK)
		return false;
	/* mostly a device whose HWPT tracks: that is what a read can find */
	d = PICK_WHERE(r, ONDEV, m->d[i_].open && m->d[i_].hwpt >= 0 &&
		       m->hw[m->d[i_].hwpt].tracking);
	if (d < 0 || chance(r, 15))
		d = PICK_WHERE(r, ONDEV, o_dev_ioas(m, i_) >= 0);
	if (d < 0)
		return false;
	i = o_dev_ioas(m, d);
	s = PICK_WHERE(r, OSLOTS, m->io[i].slot_len[i_] && !m->io[i].slot_ro[i_]);
	if (s < 0)
		return false;
	off = PICK(r, offs) % m->io[i].slot_len[s];
	len = m->io[i].slot_len[s] - off >= 0x3000 && chance(r, 30) ? 0x3000 : 0x1000;
	scn_text_printf(out, "dma %s 0x%llx 0x%llx\n", devs[d], (unsigned long long)(slot_iova(s) + off),
			(unsigned long long)len);
	h = m->d[d].hwpt;
	if (h >= 0 && m->hw[h].tracking && chance(r, 75))
		o_bitmap(r, out, h);
	return true;
}

static bool o_map(struct rng *r, struct omodel *m, struct scn_text *out, int i)
{
	static const uint64_t lens[] = { 0x1000, 0x4000, 0x10000, 0x10000 };
	static const char *const offs[] = { "", "", "", " va=0x201000", " va=0x400000" };
	int s;

	/* the dirty read's window (slots 0..3) first */
	s = PICK_WHERE(r, chance(r, 70) ? 4 : OSLOTS, !m->io[i].slot_len[i_]);
	if (s < 0 && !o_auto_ok(m, i))
		return false;
	if (s < 0 || (chance(r, 25) && o_auto_ok(m, i))) {
		bool ro = chance(r, 10);

		scn_text_printf(out, "map %s auto 0x%x%s%s\n", ioases[i], chance(r, 50) ? 0x4000 : 0x10000,
				ro ? " ro" : "", PICK(r, offs));
		m->io[i].autos++;
		return true;
	}
	m->io[i].slot_len[s] = PICK(r, lens);
	m->io[i].slot_ro[s] = chance(r, 12);
	scn_text_printf(out, "map %s 0x%llx 0x%llx%s%s\n", ioases[i], (unsigned long long)slot_iova(s),
			(unsigned long long)m->io[i].slot_len[s], m->io[i].slot_ro[s] ? " ro" : "",
			PICK(r, offs));
	return true;
}

static bool o_copy(struct rng *r, struct omodel *m, struct scn_text *out)
{
	int i = PICK_WHERE(r, ONIOAS, m->io[i_].live), j = PICK_WHERE(r, ONIOAS, m->io[i_].live);
	int s, t;
	bool ro;

	if (i < 0)
		return false;
	s = PICK_WHERE(r, OSLOTS, m->io[i].slot_len[i_] != 0);
	if (s < 0)
		return false;
	ro = m->io[i].slot_ro[s] || chance(r, 10);
	t = PICK_WHERE(r, OSLOTS, !m->io[j].slot_len[i_]);
	if (t < 0 && !o_auto_ok(m, j))
		return false;
	if (t < 0 || (chance(r, 25) && o_auto_ok(m, j))) {
		scn_text_printf(out, "copy %s %s 0x%llx 0x%llx auto%s\n", ioases[j], ioases[i],
				(unsigned long long)slot_iova(s), (unsigned long long)m->io[i].slot_len[s],
				ro ? " ro" : "");
		m->io[j].autos++;
		return true;
	}
	scn_text_printf(out, "copy %s %s 0x%llx 0x%llx 0x%llx%s\n", ioases[j], ioases[i],
			(unsigned long long)slot_iova(s), (unsigned long long)m->io[i].slot_len[s],
			(unsigned long long)slot_iova(t), ro ? " ro" : "");
	m->io[j].slot_len[t] = m->io[i].slot_len[s];
	m->io[j].slot_ro[t] = ro;
	return true;
}

static bool o_unmap(struct rng *r, struct omodel *m, struct scn_text *out, int i)
{
	int s = PICK_WHERE(r, OSLOTS, m->io[i].slot_len[i_] != 0), e, k;
	unsigned w = pick(r, 100);

	if (w < 15 || (s < 0 && m->io[i].autos)) {
		scn_text_printf(out, "unmap %s 0 0xffffffffffffffff\n", ioases[i]);
		memset(&m->io[i], 0, sizeof(m->io[i]));
		m->io[i].live = true;
		return true;
	}
	if (s < 0)
		return false;
	if (w < 60) {
		scn_text_printf(out, "unmap %s 0x%llx 0x%llx\n", ioases[i], (unsigned long long)slot_iova(s),
				(unsigned long long)m->io[i].slot_len[s]);
		m->io[i].slot_len[s] = 0;
		return true;
	}
	/* whole mappings and the holes between them */
	e = s + 1 + (int)pick(r, OSLOTS - s);
	scn_text_printf(out, "unmap %s 0x%llx 0x%llx\n", ioases[i], (unsigned long long)slot_iova(s),
			(unsigned long long)(e - s) * OSLOT_SIZE);
	for (k = s; k < e; k++)
		m->io[i].slot_len[k] = 0;
	return true;
}

/* The allowed IOVAs: all of the aperture (VT-d: but the MSI window). */
static void o_allow(struct scn_text *out, enum scn_flavour f, const char *ioas)
{
	if (f == SCN_VTD)
		scn_text_printf(out, "allow %s 0x0-0xfedfffff 0xfef00000-0x7fffffffff\n", ioas);
	else
		scn_text_printf(out, "allow %s 0x1000000-0x7fffffff\n", ioas);
}

/* One step that should succeed (by the model); false when none fits now. */
static bool o_valid(struct rng *r, struct omodel *m, struct scn_text *out)
{
	unsigned w = pick(r, 100);
	int i = PICK_WHERE(r, ONIOAS, m->io[i_].live), d, h;

	if (w < 4) {
		i = PICK_WHERE(r, ONIOAS, !m->io[i_].live);
		if (i < 0)
			return false;
		scn_text_printf(out, "ioas %s\n", ioases[i]);
		memset(&m->io[i], 0, sizeof(m->io[i]));
		m->io[i].live = true;
	} else if (w < 22) {
		return i >= 0 && o_map(r, m, out, i);
	} else if (w < 28) {
		return o_copy(r, m, out);
	} else if (w < 37) {
		return i >= 0 && o_unmap(r, m, out, i);
	} else if (w < 40) {
		if (i < 0)
			return false;
		scn_text_printf(out, "ranges %s\n", ioases[i]);
	} else if (w < 42) {
		if (i < 0)
			return false;
		if (chance(r, 30))
			scn_text_printf(out, "allow %s\n", ioases[i]); /* none: the default again */
		else
			o_allow(out, m->f, ioases[i]);
	} else if (w < 50) {
		bool dirty, nest;

		h = PICK_WHERE(r, ONHWPT, !m->hw[i_].live);
		d = PICK_WHERE(r, ONDEV, m->d[i_].open);
		if (h < 0 || d < 0 || i < 0)
			return false;
		dirty = m->d[d].dirty && chance(r, 85);
		nest = m->f == SCN_MOCK && chance(r, 10);
		scn_text_printf(out, "hwpt %s %s %s%s%s\n", hwpts[h], devs[d], ioases[i],
				dirty ? " dirty" : "", nest ? " nest" : "");
		m->hw[h].live = true;
		m->hw[h].dirty = dirty;
		m->hw[h].tracking = false;
		m->hw[h].ioas = i;
		if (chance(r, 60)) {
			scn_text_printf(out, "attach %s %s\n", devs[d], hwpts[h]);
			m->d[d].hwpt = h;
			m->d[d].ioas = -1;
		}
	} else if (w < 60) {
		/* attach or replace: to a HWPT the device can use, or to an IOAS */
		d = PICK_WHERE(r, ONDEV, m->d[i_].open);
		if (d < 0)
			return false;
		h = PICK_WHERE(r, ONHWPT, m->hw[i_].live && (!m->hw[i_].dirty || m->d[d].dirty) &&
			       m->d[d].hwpt != i_);
		if (h >= 0 && chance(r, 75)) {
			scn_text_printf(out, "attach %s %s\n", devs[d], hwpts[h]);
			m->d[d].hwpt = h;
			m->d[d].ioas = -1;
			return true;
		}
		if (i < 0)
			return false;
		scn_text_printf(out, "attach %s %s\n", devs[d], ioases[i]);
		m->d[d].hwpt = -1;
		m->d[d].ioas = i;
	} else if (w < 64) {
		d = PICK_WHERE(r, ONDEV, o_dev_ioas(m, i_) >= 0);
		if (d < 0)
			return false;
		scn_text_printf(out, "detach %s\n", devs[d]);
		o_detach_model(m, d);
	} else if (w < 69) {
		h = PICK_WHERE(r, ONHWPT, m->hw[i_].live && m->hw[i_].dirty);
		if (h < 0 || m->f == SCN_VTD)
			return false;
		/* mostly on: an off ends what the later steps could read */
		m->hw[h].tracking = !m->hw[h].tracking || chance(r, 80);
		scn_text_printf(out, "track %s %s\n", hwpts[h], m->hw[h].tracking ? "on" : "off");
	} else if (w < 79) {
		return o_dma(r, m, out);
	} else if (w < 85) {
		h = PICK_WHERE(r, ONHWPT, m->hw[i_].live && m->hw[i_].tracking);
		if (h < 0)
			return false;
		/* often a write first, so that the read has something to find */
		if (chance(r, 40) && o_dma(r, m, out))
			return true;
		o_bitmap(r, out, h);
	} else if (w < 92) {
		/* destroys the kernel allows: a HWPT no device uses, an IOAS without domains */
		if (chance(r, 50)) {
			h = PICK_WHERE(r, ONHWPT, m->hw[i_].live && !o_hwpt_used(m, i_));
			if (h < 0)
				return false;
			scn_text_printf(out, "destroy %s\n", hwpts[h]);
			m->hw[h].live = false;
			return true;
		}
		i = PICK_WHERE(r, ONIOAS, m->io[i_].live && !o_has_domain(m, i_));
		if (i < 0 || PICK_WHERE(r, ONIOAS, m->io[i_].live) == i)
			return false; /* keep one IOAS most of the time */
		scn_text_printf(out, "destroy %s\n", ioases[i]);
		m->io[i].live = false;
	} else if (w < 97) {
		d = pick(r, ONDEV);
		if (!m->d[d].open) {
			o_open(r, m, out, d);
			return true;
		}
		if (chance(r, 60))
			return false;
		scn_text_printf(out, "close %s\n", devs[d]);
		m->d[d].open = false;
	} else {
		d = PICK_WHERE(r, ONDEV, m->d[i_].open);
		if (d < 0)
			return false;
		scn_text_printf(out, "hwinfo %s\n", devs[d]);
	}
	return true;
}

/* One step that must fail; the model does not change. */
static void o_wrong(struct rng *r, struct omodel *m, struct scn_text *out)
{
	int i = PICK_WHERE(r, ONIOAS, m->io[i_].live), s, h, d;
	const char *io = ioases[i < 0 ? 0 : i];

	s = i < 0 ? -1 : PICK_WHERE(r, OSLOTS, m->io[i].slot_len[i_] != 0);
	switch (pick(r, 14)) {
	case 0: /* over a mapping */
		scn_text_printf(out, "map %s 0x%llx 0x%x\n", io,
				(unsigned long long)(slot_iova(s < 0 ? 0 : s) + (chance(r, 50) ? 0 : 0x1000)),
				chance(r, 50) ? 0x1000 : 2 * OSLOT_SIZE);
		break;
	case 1: /* length 0 */
		if (chance(r, 50))
			scn_text_printf(out, "map %s 0x%llx 0\n", io, (unsigned long long)slot_iova(OSLOTS));
		else
			scn_text_printf(out, "unmap %s 0x%llx 0\n", io, (unsigned long long)OBASE);
		break;
	case 2: /* the end wraps */
		scn_text_printf(out, "%s %s 0xfffffffffffff000 0x2000\n", chance(r, 50) ? "map" : "unmap", io);
		break;
	case 3: /* half a mapping, or only a hole */
		if (s >= 0 && m->io[i].slot_len[s] > 0x1000)
			scn_text_printf(out, "unmap %s 0x%llx 0x1000\n", io, (unsigned long long)slot_iova(s));
		else
			scn_text_printf(out, "unmap %s 0x%llx 0x%x\n", io, (unsigned long long)slot_iova(OSLOTS),
					OSLOT_SIZE);
		break;
	case 4: { /* an id nobody has, or a name destroyed */
		static const char *const bad[] = { "999", "1000999", "H0", "I2" };
		const char *b = PICK(r, bad);

		if ((b[0] == 'H' && m->hw[0].live) || (b[0] == 'I' && m->io[2].live))
			b = "999";
		switch (pick(r, 4)) {
		case 0:
			scn_text_printf(out, "destroy %s\n", b);
			break;
		case 1:
			scn_text_printf(out, "map %s 0x%llx 0x1000\n", b, (unsigned long long)OBASE);
			break;
		case 2:
			scn_text_printf(out, "attach %s %s\n", devs[pick(r, ONDEV)], b);
			break;
		default:
			scn_text_printf(out, "hwpt H2 %s %s\n", devs[pick(r, ONDEV)], b);
		}
		break;
	}
	case 5: /* busy: a HWPT a device uses, an IOAS with a domain */
		h = PICK_WHERE(r, ONHWPT, m->hw[i_].live && o_hwpt_used(m, i_));
		if (h >= 0 && chance(r, 50)) {
			scn_text_printf(out, "destroy %s\n", hwpts[h]);
			break;
		}
		i = PICK_WHERE(r, ONIOAS, m->io[i_].live && o_has_domain(m, i_));
		scn_text_printf(out, "destroy %s\n", i >= 0 ? ioases[i] : "999");
		break;
	case 6: /* a device that cannot use the HWPT, or a HWPT it cannot have */
		d = PICK_WHERE(r, ONDEV, m->d[i_].open && !m->d[i_].dirty);
		h = PICK_WHERE(r, ONHWPT, m->hw[i_].live && m->hw[i_].dirty);
		if (d >= 0 && h >= 0)
			scn_text_printf(out, "attach %s %s\n", devs[d], hwpts[h]);
		else if (d >= 0)
			scn_text_printf(out, "hwpt H2 %s %s dirty\n", devs[d], io);
		else
			scn_text_printf(out, "hwpt H2 %s H0\n", devs[pick(r, ONDEV)]);
		break;
	case 7: { /* bad bitmap arguments (0x3000 and 0x400 are taken where they divide the range) */
		static const char *const bad[] = { "0x40000 0x3000", "0x40000 0", "0x3fff 0x1000",
						   "0x40000 0x400" };

		h = PICK_WHERE(r, ONHWPT, m->hw[i_].live);
		scn_text_printf(out, "bitmap %s 0x%llx %s\n", h >= 0 ? hwpts[h] : "H0",
				(unsigned long long)(OBASE + (chance(r, 30) ? 0x800 : 0)), PICK(r, bad));
		break;
	}
	case 8: /* dirty tracking where there is none */
		h = PICK_WHERE(r, ONHWPT, m->hw[i_].live && !m->hw[i_].dirty);
		if (h >= 0)
			scn_text_printf(out, "track %s on\n", hwpts[h]);
		else
			scn_text_printf(out, "track %s on\n", io);
		break;
	case 9: /* outside what a domain allows (only with one: else it would stay) */
		if (i >= 0 && o_has_domain(m, i))
			scn_text_printf(out, "map %s 0x%llx 0x1000\n", io,
					(unsigned long long)(m->f == SCN_VTD ? (chance(r, 50) && o_has_device(m, i) ?
										0xfee00000ull : 0x8000000000ull) :
									       (chance(r, 50) ? 0x80000000ull : 0x1000ull)));
		else /* without a domain nothing is outside: a misaligned unmap of nothing */
			scn_text_printf(out, "unmap %s 0x%llx 0x1800\n", io, (unsigned long long)slot_iova(OSLOTS));
		break;
	case 10: /* a copy of what is not mapped */
		scn_text_printf(out, "copy %s %s 0x%llx 0x%x auto\n", io, io,
				(unsigned long long)slot_iova(OSLOTS + 1), OSLOT_SIZE);
		break;
	case 11: /* allowed IOVAs over what a domain's aperture leaves out, or backwards */
		if (i >= 0 && o_has_domain(m, i))
			scn_text_printf(out, "allow %s 0x0-0xffffffffffffffff\n", io);
		else
			scn_text_printf(out, "allow %s 0x2000-0x1000\n", io);
		break;
	case 12: /* detach a device attached nowhere */
		d = PICK_WHERE(r, ONDEV, m->d[i_].open && o_dev_ioas(m, i_) < 0);
		if (d >= 0)
			scn_text_printf(out, "detach %s\n", devs[d]);
		else
			scn_text_printf(out, "attach %s 1000999\n", devs[pick(r, ONDEV)]);
		break;
	default: /* a misaligned map (a domain sets the alignment), or one that wraps */
		if (i >= 0 && o_has_domain(m, i))
			scn_text_printf(out, "map %s 0x%llx 0x1000%s\n", io,
					(unsigned long long)(slot_iova(OSLOTS) + 0x10),
					chance(r, 50) ? " va=0x10" : "");
		else
			scn_text_printf(out, "copy %s %s 0x%llx 0 auto\n", io, io,
					(unsigned long long)slot_iova(s < 0 ? 0 : s));
	}
}

void scn_generate(enum scn_flavour f, unsigned n, struct scn_text *out)
{
	struct rng r = { .s = 0x9e3779b97f4a7c15ull * (n + 1) + (f == SCN_VTD ? 1 : 7) };
	struct omodel m = { .f = f };
	unsigned steps, i;
	int d, h;

	scn_text_printf(out, "# generated %s scenario %u\n", f == SCN_VTD ? "vtd" : "mock", n);
	scn_text_printf(out, "ioas I0\n");
	m.io[0].live = true;
	if (chance(&r, 50)) {
		scn_text_printf(out, "ioas I1\n");
		m.io[1].live = true;
	}
	for (d = 0; d < ONDEV; d++) {
		m.d[d].ioas = m.d[d].hwpt = -1;
		if (chance(&r, d ? 50 : 95))
			o_open(&r, &m, out, d);
	}
	/* mostly a domain with a device and a mapping first; machine B tracks */
	if (chance(&r, 85) && m.d[0].open) {
		m.hw[0].live = true;
		m.hw[0].dirty = m.d[0].dirty;
		m.hw[0].ioas = 0;
		scn_text_printf(out, "hwpt H0 D0 I0%s\n", m.hw[0].dirty ? " dirty" : "");
		scn_text_printf(out, "attach D0 H0\n");
		m.d[0].hwpt = 0;
		scn_text_printf(out, "map I0 0x%llx 0x%x\n", (unsigned long long)OBASE, OSLOT_SIZE);
		m.io[0].slot_len[0] = OSLOT_SIZE;
		if (m.hw[0].dirty && chance(&r, 95)) {
			scn_text_printf(out, "track H0 on\n");
			m.hw[0].tracking = true;
			o_dma(&r, &m, out);
		}
	}
	steps = 15 + pick(&r, 25);
	for (i = 0; i < steps; i++) {
		if (chance(&r, 12))
			o_wrong(&r, &m, out);
		else
			while (!o_valid(&r, &m, out))
				;
	}
	/* the end: what is left, unmapped, then destroyed in the order the kernel wants */
	for (i = 0; i < ONIOAS; i++)
		if (m.io[i].live)
			scn_text_printf(out, "ranges %s\nunmap %s 0 0xffffffffffffffff\n", ioases[i],
					ioases[i]);
	for (d = 0; d < ONDEV; d++)
		if (o_dev_ioas(&m, d) >= 0)
			scn_text_printf(out, "detach %s\n", devs[d]);
	for (h = 0; h < ONHWPT; h++)
		if (m.hw[h].live)
			scn_text_printf(out, "destroy %s\n", hwpts[h]);
	for (i = 0; i < ONIOAS; i++)
		if (m.io[i].live)
			scn_text_printf(out, "destroy %s\n", ioases[i]);
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
