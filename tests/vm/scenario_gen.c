// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Generated scenarios: random sequences of object calls, right and wrong,
 * from pools of values where the kernel's rules have edges (alignment, wrap,
 * reserved windows, aperture ends, overlaps, stale ids). Script n of a
 * flavour is the same on every run.
 */
#include <stdio.h>

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
	/* often a set-up that makes the later steps meaningful */
	if (chance(&r, 60)) {
		scn_text_printf(out, "hwpt H0 D0 I0%s\n", f == SCN_MOCK ? " dirty" : "");
		scn_text_printf(out, "attach D0 H0\n");
		scn_text_printf(out, "map I0 0x%llx 0x40000\n",
				(unsigned long long)(f == SCN_VTD ? 0x100000 : 0x1000000));
		if (f == SCN_MOCK && chance(&r, 80))
			scn_text_printf(out, "track H0 on\n");
	}
	ro_maps = f == SCN_VTD || chance(&r, 35);
	steps = 10 + pick(&r, 25);
	for (i = 0; i < steps; i++)
		random_step(&r, f, ro_maps, out);
	/* what is left: ranges, a last bitmap, and the unmap of everything */
	scn_text_printf(out, "ranges I0\n");
	scn_text_printf(out, "unmap I0 0 0xffffffffffffffff\n");
	scn_text_printf(out, "unmap I1 0 0xffffffffffffffff\n");
}

/*
 * Container sequences: containers of random flags, devices attached,
 * detached, closed and reopened in random orders, maps and unmaps (also of
 * all), tracking switched, device writes (machine B), reads right and wrong,
 * coverage, domain layouts, frees. Every sequence ends by reading, showing
 * and freeing what is left.
 */
static const uint64_t cmock_iovas[] = {
	0x1000000, 0x1000000, 0x1010000, 0x1020000, 0x1040000, 0x1004000, 0x1100000,
	0x7fff0000, 0x1000800, 0x80000000, 0xfff000,
};
static const uint64_t cmock_lens[] = {
	0x1000, 0x4000, 0x10000, 0x10000, 0x20000, 0x800, 0x0, 0x3000,
};
static const uint64_t cvtd_iovas[] = {
	0x100000, 0x100000, 0x110000, 0x120000, 0x140000, 0x104000, 0x200000,
	0xfee00000, 0x7ffffff000ull, 0x8000000000ull, 0x100800,
};
static const uint64_t cvtd_lens[] = {
	0x1000, 0x4000, 0x10000, 0x10000, 0x20000, 0x800, 0x0, 0x3000,
};
static const char *const conts[] = { "C0", "C1" };
static const char *const cdevs[] = { "D0", "D1", "D2", "D3" };

static void container_line(struct rng *r, struct scn_text *out, const char *name)
{
	scn_text_printf(out, "container %s%s%s%s\n", name, chance(r, 75) ? " dirty" : "",
			chance(r, 20) ? " nest" : "", chance(r, 3) ? " flags=8" : "");
}

static void cdev_open_line(struct rng *r, enum scn_flavour f, struct scn_text *out, unsigned d)
{
	if (f == SCN_VTD)
		scn_text_printf(out, "open %s %s\n", cdevs[d], vtd_devs[d % 3]);
	else
		scn_text_printf(out, "open %s %s\n", cdevs[d], chance(r, 60) ? "dirty" : "nodirty");
}

static void cread_line(struct rng *r, enum scn_flavour f, struct scn_text *out)
{
	static const uint64_t pages[] = { 0x1000, 0x1000, 0x1000, 0x2000, 0x10000, 0x800, 0x3000 };
	uint64_t base = f == SCN_VTD ? 0x100000 : 0x1000000;
	uint64_t page = PICK(r, pages);
	uint64_t len = chance(r, 80) ? 0x40000 : 0x200000;

	if (chance(r, 8))
		base += 0x800;
	if (len > 0x40000 && page < 0x10000)
		page = 0x10000;
	scn_text_printf(out, "cread %s 0x%llx 0x%llx 0x%llx%s%s\n", PICK(r, conts),
			(unsigned long long)base, (unsigned long long)len, (unsigned long long)page,
			chance(r, 30) ? " noclear" : "", chance(r, 10) ? " pre=0x8000000000000000" : "");
}

static void container_step(struct rng *r, enum scn_flavour f, struct scn_text *out)
{
	const uint64_t *iovas = f == SCN_VTD ? cvtd_iovas : cmock_iovas;
	const uint64_t *lens = f == SCN_VTD ? cvtd_lens : cmock_lens;
	unsigned niovas = sizeof(cmock_iovas) / sizeof(cmock_iovas[0]);
	unsigned nlens = sizeof(cmock_lens) / sizeof(cmock_lens[0]);
	unsigned ndevs = f == SCN_VTD ? 3 : 4;
	unsigned w = pick(r, 100);

	if (w < 20) {
		scn_text_printf(out, "cattach %s %s\n", PICK(r, conts), cdevs[pick(r, ndevs)]);
	} else if (w < 28) {
		scn_text_printf(out, "cdetach %s %s\n", PICK(r, conts), cdevs[pick(r, ndevs)]);
	} else if (w < 40) {
		scn_text_printf(out, "cmap %s 0x%llx 0x%llx%s\n", PICK(r, conts),
				(unsigned long long)iovas[pick(r, niovas)],
				(unsigned long long)lens[pick(r, nlens)],
				f == SCN_VTD && chance(r, 15) ? " ro" : "");
	} else if (w < 47) {
		if (chance(r, 25))
			scn_text_printf(out, "cunmap %s 0 0xffffffffffffffff\n", PICK(r, conts));
		else
			scn_text_printf(out, "cunmap %s 0x%llx 0x%llx\n", PICK(r, conts),
					(unsigned long long)iovas[pick(r, niovas)],
					(unsigned long long)lens[pick(r, nlens)]);
	} else if (w < 54) {
		scn_text_printf(out, "ctrack %s %s\n", PICK(r, conts), chance(r, 70) ? "on" : "off");
	} else if (w < 66 && f == SCN_MOCK) {
		static const uint64_t dlens[] = { 0x1000, 0x800, 0x3000, 0x10000 };

		scn_text_printf(out, "dma %s 0x%llx 0x%llx\n", cdevs[pick(r, ndevs)],
				(unsigned long long)iovas[pick(r, niovas)],
				(unsigned long long)PICK(r, dlens));
	} else if (w < 76) {
		cread_line(r, f, out);
	} else if (w < 79) {
		scn_text_printf(out, "cstatus %s\n", PICK(r, conts));
	} else if (w < 82) {
		scn_text_printf(out, "ccovered %s %s\n", PICK(r, conts), cdevs[pick(r, ndevs)]);
	} else if (w < 86) {
		scn_text_printf(out, "cdomains %s\n", PICK(r, conts));
	} else if (w < 91) {
		unsigned d = pick(r, ndevs);

		if (chance(r, 50))
			scn_text_printf(out, "close %s\n", cdevs[d]);
		else
			cdev_open_line(r, f, out, d);
	} else if (w < 94) {
		const char *c = PICK(r, conts);

		if (chance(r, 50))
			scn_text_printf(out, "cfree %s\n", c);
		else
			container_line(r, out, c);
	} else if (w < 97) {
		/* the object calls must leave a container's device alone */
		if (chance(r, 50))
			scn_text_printf(out, "attach %s I0\n", cdevs[pick(r, ndevs)]);
		else
			scn_text_printf(out, "detach %s\n", cdevs[pick(r, ndevs)]);
	} else {
		scn_text_printf(out, "ranges %s\n", PICK(r, conts));
	}
}

void scn_generate_container(enum scn_flavour f, unsigned n, struct scn_text *out)
{
	struct rng r = { .s = 0xc2b2ae3d27d4eb4full * (n + 1) + (f == SCN_VTD ? 3 : 11) };
	unsigned ndevs = f == SCN_VTD ? 3 : 4, steps, i, d;

	scn_text_printf(out, "# generated container %s scenario %u\n",
			f == SCN_VTD ? "vtd" : "mock", n);
	scn_text_printf(out, "ioas I0\n");
	container_line(&r, out, "C0");
	if (chance(&r, 50))
		container_line(&r, out, "C1");
	for (d = 0; d < ndevs; d++)
		if (chance(&r, d ? 60 : 90))
			cdev_open_line(&r, f, out, d);
	/* often a tracking set-up, so that the later steps have bits to move */
	if (chance(&r, 60)) {
		scn_text_printf(out, "cattach C0 D0\n");
		scn_text_printf(out, "cmap C0 0x%llx 0x40000\n",
				(unsigned long long)(f == SCN_VTD ? 0x100000 : 0x1000000));
		scn_text_printf(out, "ctrack C0 on\n");
	}
	steps = 15 + pick(&r, 30);
	for (i = 0; i < steps; i++)
		container_step(&r, f, out);
	for (i = 0; i < 2; i++) {
		scn_text_printf(out, "cdomains %s\ncstatus %s\n", conts[i], conts[i]);
		scn_text_printf(out, "cread %s 0x%llx 0x40000 0x1000\n", conts[i],
				(unsigned long long)(f == SCN_VTD ? 0x100000 : 0x1000000));
		scn_text_printf(out, "cfree %s\n", conts[i]);
	}
}
