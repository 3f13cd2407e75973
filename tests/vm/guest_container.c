// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Containers on the real kernel. Machine B: selftest devices with and
 * without dirty tracking (placement by capability, layout independent of
 * attach order, dirty bits through the container, bits kept over hot-unplug,
 * unmap and stop, cleanup). Machine A: VFIO devices on QEMU's VT-d (domain
 * sharing, dirty tracking not covered, NEST_PARENT refused, cleanup).
 */
#include "guest_common.h"

#define MAXDOM 8

struct layout {
	int n;
	struct iommufd_domain_info d[MAXDOM];
};

static void get_layout(struct iommufd_container *c, struct iommufd_ctx *ctx, struct layout *l)
{
	int i, j;

	l->n = vt_ok(iommufd_container_domains(c, l->d, MAXDOM));
	vt_assert(l->n <= MAXDOM);
	/* order by (flags, ndevices) so that two layouts compare */
	for (i = 0; i < l->n; i++)
		for (j = i + 1; j < l->n; j++)
			if (l->d[j].flags < l->d[i].flags ||
			    (l->d[j].flags == l->d[i].flags && l->d[j].ndevices < l->d[i].ndevices)) {
				struct iommufd_domain_info t = l->d[i];

				l->d[i] = l->d[j];
				l->d[j] = t;
			}
	for (i = 0; i < l->n; i++)
		vt_note("domain hwpt %u flags 0x%x devices %u", l->d[i].hwpt_id, l->d[i].flags,
			l->d[i].ndevices);
	(void)ctx;
}

static struct iommufd_container *new_container(struct iommufd_ctx *ctx, uint32_t flags)
{
	struct iommufd_container *c = NULL;

	vm_expect(ctx, iommufd_container_new(ctx, flags, &c), 0);
	vt_assert(c && iommufd_container_ioas_id(c));
	return c;
}

static void need_b(void)
{
	if (!vm_is_b())
		vt_skip("selftest devices need machine B");
}

static void need_a(void)
{
	if (!vm_is_a())
		vt_skip("VFIO devices need machine A");
}

/* Attach the devices named by kinds ('d' dirty, 'n' no-dirty) in that order. */
static void attach_kinds(struct iommufd_ctx *ctx, struct iommufd_container *c, const char *kinds,
			 struct iommufd_device **devs)
{
	int i;

	for (i = 0; kinds[i]; i++) {
		devs[i] = vm_open(ctx, kinds[i] == 'd' ? "selftest" : "selftest:no-dirty");
		vm_expect(ctx, iommufd_container_attach(c, devs[i]), 0);
		vt_assert(iommufd_device_pt_id(devs[i]) != 0);
	}
}

static void b_placement_by_capability(void)
{
	static const char *const orders[] = { "dndn", "nndd", "ddnn", "ndnd" };
	struct iommufd_device *devs[4];
	struct iommufd_container *c;
	struct iommufd_ctx *ctx;
	struct layout l, first = { 0 };
	unsigned o;
	int i;

	need_b();
	ctx = vm_ctx();
	for (o = 0; o < sizeof(orders) / sizeof(orders[0]); o++) {
		c = new_container(ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING);
		attach_kinds(ctx, c, orders[o], devs);
		get_layout(c, ctx, &l);
		/* a plain domain for the no-dirty pair, a dirty one for the others */
		vt_assert_int_eq(l.n, 2);
		vt_assert_int_eq(l.d[0].flags, 0);
		vt_assert_int_eq(l.d[0].ndevices, 2);
		vt_assert_int_eq(l.d[1].flags, IOMMUFD_DOMAIN_DIRTY_TRACKING);
		vt_assert_int_eq(l.d[1].ndevices, 2);
		for (i = 0; i < 4; i++) {
			uint32_t want = orders[o][i] == 'd' ? l.d[1].hwpt_id : l.d[0].hwpt_id;

			vt_assert_int_eq(iommufd_device_pt_id(devs[i]), want);
		}
		if (o == 0) {
			first = l;
		} else {
			vt_assert_int_eq(l.n, first.n);
			for (i = 0; i < l.n; i++) {
				vt_assert_int_eq(l.d[i].flags, first.d[i].flags);
				vt_assert_int_eq(l.d[i].ndevices, first.d[i].ndevices);
			}
		}
		/* not every device is covered; the message names the no-dirty ones */
		vm_expect(ctx, iommufd_container_dirty_status(c), 0);
		for (i = 0; i < 4; i++) {
			bool named = strstr(iommufd_last_error(ctx), iommufd_device_name(devs[i]));

			vt_assert(named == (orders[o][i] == 'n'));
		}
		iommufd_container_free(c);
		for (i = 0; i < 4; i++) {
			vt_assert_int_eq(iommufd_device_pt_id(devs[i]), 0);
			iommufd_device_close(devs[i]);
		}
	}
	iommufd_close(ctx);
}

static void b_all_covered(void)
{
	struct iommufd_device *devs[2];
	struct iommufd_container *c;
	struct iommufd_ctx *ctx;
	struct layout l;

	need_b();
	ctx = vm_ctx();
	c = new_container(ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	vm_expect(ctx, iommufd_container_dirty_status(c), 1);
	attach_kinds(ctx, c, "dd", devs);
	get_layout(c, ctx, &l);
	vt_assert_int_eq(l.n, 1);
	vt_assert_int_eq(l.d[0].ndevices, 2);
	vm_expect(ctx, iommufd_container_dirty_status(c), 1);
	iommufd_container_free(c);
	iommufd_device_close(devs[0]);
	iommufd_device_close(devs[1]);
	iommufd_close(ctx);
}

static void b_plain_container_shares_one_domain(void)
{
	struct iommufd_device *devs[3];
	struct iommufd_container *c;
	struct iommufd_ctx *ctx;
	struct layout l;

	need_b();
	ctx = vm_ctx();
	c = new_container(ctx, 0);
	attach_kinds(ctx, c, "dnd", devs);
	get_layout(c, ctx, &l);
	vt_assert_int_eq(l.n, 1);
	vt_assert_int_eq(l.d[0].flags, 0);
	vt_assert_int_eq(l.d[0].ndevices, 3);
	vm_expect(ctx, iommufd_container_dirty_status(c), 0);
	vm_expect_err(ctx, iommufd_container_set_dirty_tracking(c, true), EOPNOTSUPP);
	iommufd_container_free(c);
	for (int i = 0; i < 3; i++)
		iommufd_device_close(devs[i]);
	iommufd_close(ctx);
}

static void b_nest_parent(void)
{
	struct iommufd_device *devs[2];
	struct iommufd_container *c;
	struct iommufd_ctx *ctx;
	struct layout l;

	need_b();
	ctx = vm_ctx();
	c = new_container(ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING | IOMMUFD_CONTAINER_NEST_PARENT);
	attach_kinds(ctx, c, "dn", devs);
	get_layout(c, ctx, &l);
	vt_assert_int_eq(l.n, 2);
	vt_assert_int_eq(l.d[0].flags, IOMMUFD_DOMAIN_NEST_PARENT);
	vt_assert_int_eq(l.d[1].flags, IOMMUFD_DOMAIN_NEST_PARENT | IOMMUFD_DOMAIN_DIRTY_TRACKING);
	iommufd_container_free(c);
	iommufd_device_close(devs[0]);
	iommufd_device_close(devs[1]);
	iommufd_close(ctx);
}

static void b_attach_rules(void)
{
	struct iommufd_container *c, *c2;
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	uint32_t pt, ioas;
	struct layout l;

	need_b();
	ctx = vm_ctx();
	c = new_container(ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	c2 = new_container(ctx, 0);
	dev = vm_open(ctx, "selftest");
	vm_expect(ctx, iommufd_container_attach(c, dev), 0);
	pt = iommufd_device_pt_id(dev);
	/* again: nothing changes */
	vm_expect(ctx, iommufd_container_attach(c, dev), 0);
	vt_assert_int_eq(iommufd_device_pt_id(dev), pt);
	get_layout(c, ctx, &l);
	vt_assert_int_eq(l.n, 1);
	vt_assert_int_eq(l.d[0].ndevices, 1);
	/* another container, or a direct attach, must wait for a detach */
	vm_expect_err(ctx, iommufd_container_attach(c2, dev), EBUSY);
	vm_expect_err(ctx, iommufd_device_attach_pt(dev, iommufd_container_ioas_id(c2)), EBUSY);
	vm_expect_err(ctx, iommufd_container_detach(c2, dev), EINVAL);
	vt_assert_int_eq(iommufd_device_pt_id(dev), pt);
	vm_expect(ctx, iommufd_container_detach(c, dev), 0);
	vt_assert_int_eq(iommufd_device_pt_id(dev), 0);
	/* its domain went with it */
	vm_expect_err(ctx, iommufd_destroy(ctx, pt), ENOENT);
	/* a device attached directly cannot join a container */
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_device_attach_pt(dev, ioas), 0);
	vm_expect_err(ctx, iommufd_container_attach(c2, dev), EBUSY);
	vm_expect(ctx, iommufd_device_detach_pt(dev), 0);
	vm_expect(ctx, iommufd_container_attach(c2, dev), 0);
	iommufd_container_free(c);
	iommufd_container_free(c2);
	iommufd_device_close(dev);
	vm_expect(ctx, iommufd_destroy(ctx, ioas), 0);
	iommufd_close(ctx);
}

static void b_map_unmap(void)
{
	struct iommufd_container *c;
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	void *buf;

	need_b();
	ctx = vm_ctx();
	c = new_container(ctx, 0);
	dev = vm_open(ctx, "selftest");
	buf = vm_buf(SZ_2M);
	/* a mapping made before the device comes */
	vm_expect(ctx, iommufd_container_map(c, buf, MOCK_START, SZ_64K, false), 0);
	vm_expect(ctx, iommufd_container_attach(c, dev), 0);
	vm_expect(ctx, iommufd_container_map(c, buf, MOCK_START + SZ_1M, SZ_1M, true), 0);
	/* overlap, zero length, outside what the device can reach */
	vm_expect_err(ctx, iommufd_container_map(c, buf, MOCK_START + SZ_4K, SZ_4K, false), EEXIST);
	vt_assert(iommufd_container_map(c, buf, MOCK_START + 4 * SZ_1M, 0, false) < 0);
	vt_assert(iommufd_container_map(c, buf, SZ_1M, SZ_4K, false) < 0);
	vt_note("map outside the aperture: %s", iommufd_last_error(ctx));
	vt_assert(iommufd_container_map(c, buf, MOCK_LAST + 1, SZ_4K, false) < 0);
	/* unmap: a split is refused, whole mappings go */
	vt_assert(iommufd_container_unmap(c, MOCK_START, SZ_4K) < 0);
	vm_expect(ctx, iommufd_container_unmap(c, MOCK_START, SZ_64K), 0);
	vm_expect(ctx, iommufd_container_unmap(c, MOCK_START + SZ_1M, SZ_1M), 0);
	/* nothing left in the IOAS */
	{
		uint64_t unmapped = 1;

		vm_expect(ctx, iommufd_ioas_unmap(ctx, iommufd_container_ioas_id(c), 0, UINT64_MAX,
						  &unmapped), 0);
		vt_assert_u64_eq(unmapped, 0);
	}
	iommufd_container_free(c);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

/* A container tracking, one dirty selftest device, 64 KiB mapped at MOCK_START. */
struct tracked {
	struct iommufd_ctx *ctx;
	struct iommufd_container *c;
	struct iommufd_device *dev;
};

static void tracked_setup(struct tracked *t)
{
	t->ctx = vm_ctx();
	t->c = new_container(t->ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	t->dev = vm_open(t->ctx, "selftest");
	vm_expect(t->ctx, iommufd_container_attach(t->c, t->dev), 0);
	vm_expect(t->ctx, iommufd_container_map(t->c, vm_buf(SZ_64K), MOCK_START, SZ_64K, false),
		  0);
	vm_expect(t->ctx, iommufd_container_set_dirty_tracking(t->c, true), 0);
}

/* Read at 4 KiB; the bits must be want (on 7.x: at least, vm_assert_dirty), the count theirs. */
static uint64_t read_bits(struct tracked *t, uint32_t flags, uint64_t want)
{
	uint64_t bm = 0;
	int ret = iommufd_container_read_dirty(t->c, MOCK_START, SZ_64K, SZ_4K, &bm, flags);

	if (ret < 0)
		vt_fail(__FILE__, __LINE__, "read_dirty: %s; last error: %s", vt_errname(ret),
			iommufd_last_error(t->ctx));
	vm_assert_dirty(bm, want, MOCK_START, SZ_4K);
	vt_assert_int_eq(ret, __builtin_popcountll(bm));
	return bm;
}

static void b_dirty_read(void)
{
	struct tracked t;
	uint64_t bm;

	need_b();
	tracked_setup(&t);
	read_bits(&t, 0, 0);
	vm_expect(t.ctx, iommufd_selftest_dirty(t.dev, MOCK_START + SZ_4K, SZ_4K), 2);
	vm_expect(t.ctx, iommufd_selftest_dirty(t.dev, MOCK_START + 15 * SZ_4K, 1), 1);
	read_bits(&t, IOMMUFD_DIRTY_NO_CLEAR, 0x8002);
	read_bits(&t, IOMMUFD_DIRTY_NO_CLEAR, 0x8002);
	read_bits(&t, 0, 0x8002);
	read_bits(&t, 0, 0);
	/* a bigger page: 64 KiB pages, one bit */
	vm_expect(t.ctx, iommufd_selftest_dirty(t.dev, MOCK_START + 3 * SZ_4K, SZ_4K), 2);
	bm = 0;
	vm_expect(t.ctx, iommufd_container_read_dirty(t.c, MOCK_START, SZ_64K, SZ_64K, &bm, 0), 1);
	vt_assert_u64_eq(bm, 1);
	/* bad reads change nothing */
	vm_expect_err(t.ctx, iommufd_container_read_dirty(t.c, MOCK_START + 1, SZ_64K, SZ_4K, &bm,
							  0), EINVAL);
	vm_expect_err(t.ctx, iommufd_container_read_dirty(t.c, MOCK_START, SZ_64K, 1000, &bm, 0),
		      EINVAL);
	iommufd_container_free(t.c);
	iommufd_device_close(t.dev);
	iommufd_close(t.ctx);
}

static void b_bits_kept_over_hot_unplug(void)
{
	struct tracked t;
	struct layout l;

	need_b();
	tracked_setup(&t);
	vm_expect(t.ctx, iommufd_selftest_dirty(t.dev, MOCK_START + 2 * SZ_4K, SZ_4K), 2);
	/* the last device leaves: its domain goes, its bits stay */
	vm_expect(t.ctx, iommufd_container_detach(t.c, t.dev), 0);
	get_layout(t.c, t.ctx, &l);
	vt_assert_int_eq(l.n, 0);
	read_bits(&t, 0, 0x4);
	read_bits(&t, 0, 0);
	iommufd_container_free(t.c);
	iommufd_device_close(t.dev);
	iommufd_close(t.ctx);
}

static void b_bits_kept_over_device_close(void)
{
	struct tracked t;

	need_b();
	tracked_setup(&t);
	vm_expect(t.ctx, iommufd_selftest_dirty(t.dev, MOCK_START + 5 * SZ_4K, SZ_4K), 2);
	/* closing a device still in the container: it leaves the container first */
	iommufd_device_close(t.dev);
	read_bits(&t, 0, 0x20);
	iommufd_container_free(t.c);
	iommufd_close(t.ctx);
}

static void b_bits_kept_over_unmap(void)
{
	struct tracked t;

	need_b();
	tracked_setup(&t);
	vm_expect(t.ctx, iommufd_container_map(t.c, vm_buf(SZ_64K), MOCK_START + SZ_1M, SZ_64K,
					       false), 0);
	vm_expect(t.ctx, iommufd_selftest_dirty(t.dev, MOCK_START + SZ_1M + SZ_4K, SZ_4K), 2);
	vm_expect(t.ctx, iommufd_container_unmap(t.c, MOCK_START + SZ_1M, SZ_64K), 0);
	{
		uint64_t bm = 0;

		int n = iommufd_container_read_dirty(t.c, MOCK_START + SZ_1M, SZ_64K, SZ_4K, &bm,
						     0);

		vm_assert_dirty(bm, 0x2, MOCK_START + SZ_1M, SZ_4K);
		vt_assert_int_eq(n, __builtin_popcountll(bm));
	}
	iommufd_container_free(t.c);
	iommufd_device_close(t.dev);
	iommufd_close(t.ctx);
}

static void b_bits_kept_over_stop(void)
{
	struct tracked t;

	need_b();
	tracked_setup(&t);
	vm_expect(t.ctx, iommufd_selftest_dirty(t.dev, MOCK_START, SZ_4K), 2);
	vm_expect(t.ctx, iommufd_container_set_dirty_tracking(t.c, false), 0);
	/* the domain does not track now */
	vm_expect_err(t.ctx, iommufd_selftest_dirty(t.dev, MOCK_START, SZ_4K), EINVAL);
	read_bits(&t, 0, 0x1);
	/* nothing left and tracking off: a read is an error */
	vm_expect_err(t.ctx, iommufd_container_read_dirty(t.c, MOCK_START, SZ_64K, SZ_4K,
							  &(uint64_t){ 0 }, 0), EINVAL);
	iommufd_container_free(t.c);
	iommufd_device_close(t.dev);
	iommufd_close(t.ctx);
}

static void b_new_domain_while_tracking(void)
{
	struct iommufd_device *d2, *nd;
	struct tracked t;
	struct layout l;

	need_b();
	tracked_setup(&t);
	read_bits(&t, 0, 0);
	/* joins the tracking domain: nothing new to report */
	d2 = vm_open(t.ctx, "selftest");
	vm_expect(t.ctx, iommufd_container_attach(t.c, d2), 0);
	read_bits(&t, 0, 0);
	vm_expect(t.ctx, iommufd_selftest_dirty(d2, MOCK_START + 7 * SZ_4K, SZ_4K), 2);
	read_bits(&t, 0, 0x80);
	/* everyone leaves, one comes back: a new domain, tracking at once */
	vm_expect(t.ctx, iommufd_container_detach(t.c, t.dev), 0);
	vm_expect(t.ctx, iommufd_container_detach(t.c, d2), 0);
	vm_expect(t.ctx, iommufd_container_attach(t.c, d2), 0);
	vm_expect(t.ctx, iommufd_selftest_dirty(d2, MOCK_START, SZ_4K), 2);
	/* the new domain's mapped pages all count as dirty once */
	read_bits(&t, 0, 0xffff);
	read_bits(&t, 0, 0);
	/* a no-dirty device meanwhile gets a plain domain and is not covered */
	nd = vm_open(t.ctx, "selftest:no-dirty");
	vm_expect(t.ctx, iommufd_container_attach(t.c, nd), 0);
	get_layout(t.c, t.ctx, &l);
	vt_assert_int_eq(l.n, 2);
	vm_expect(t.ctx, iommufd_container_dirty_status(t.c), 0);
	read_bits(&t, 0, 0);
	iommufd_container_free(t.c);
	iommufd_device_close(t.dev);
	iommufd_device_close(d2);
	iommufd_device_close(nd);
	iommufd_close(t.ctx);
}

/*
 * The mock IOMMU maps 2 KiB pages, but a tracking container reads dirty bits
 * at 4 KiB from each mapping's start (detach, unmap, stop), which the kernel
 * refuses at 2 KiB: such a mapping is refused, and detach and stop work.
 */
static void b_half_page_map_in_tracking_container(void)
{
	struct iommufd_container *c, *plain;
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	void *buf;

	need_b();
	ctx = vm_ctx();
	buf = vm_buf(SZ_64K);
	c = new_container(ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	dev = vm_open(ctx, "selftest");
	vm_expect(ctx, iommufd_container_attach(c, dev), 0);
	vm_expect_err(ctx, iommufd_container_map(c, buf, MOCK_START + 0x800, SZ_4K, false), EINVAL);
	vm_expect_err(ctx, iommufd_container_map(c, buf, MOCK_START, 0x1800, false), EINVAL);
	vm_expect(ctx, iommufd_container_map(c, buf, MOCK_START, SZ_64K, false), 0);
	vm_expect(ctx, iommufd_container_set_dirty_tracking(c, true), 0);
	vm_expect(ctx, iommufd_selftest_dirty(dev, MOCK_START + SZ_4K, SZ_4K), 2);
	vm_expect(ctx, iommufd_container_set_dirty_tracking(c, false), 0);
	vm_expect(ctx, iommufd_container_detach(c, dev), 0);
	{
		uint64_t bm = 0;
		int n = iommufd_container_read_dirty(c, MOCK_START, SZ_64K, SZ_4K, &bm, 0);

		vm_assert_dirty(bm, 0x2, MOCK_START, SZ_4K);
		vt_assert_int_eq(n, __builtin_popcountll(bm));
	}
	/* a container that does not track keeps the IOAS's own alignment */
	plain = new_container(ctx, 0);
	vm_expect(ctx, iommufd_container_attach(plain, dev), 0);
	vm_expect(ctx, iommufd_container_map(plain, buf, MOCK_START + 0x800, SZ_4K, false), 0);
	vm_expect(ctx, iommufd_container_detach(plain, dev), 0);
	iommufd_container_free(plain);
	iommufd_container_free(c);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

/*
 * A read that starts inside a dirty page table entry: 7.3 reports nothing of
 * the entry and clears it (docs/kernels.md). The container reads whole
 * mappings and keeps what lies outside the caller's window for later reads:
 * the page written is reported, and the rest of the entry on the next read.
 */
static void b_read_inside_a_huge_entry(void)
{
	const uint64_t at = MOCK_START + SZ_2M;
	struct iommufd_container *c;
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	uint64_t bm = 0, all[SZ_2M / SZ_4K / 64] = { 0 };
	int n, i, count = 0;

	need_b();
	ctx = vm_ctx();
	c = new_container(ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	dev = vm_open(ctx, "selftest");
	vm_expect(ctx, iommufd_container_attach(c, dev), 0);
	vm_expect(ctx, iommufd_container_map(c, vm_huge_buf(), at, SZ_2M, false), 0);
	vm_expect(ctx, iommufd_container_set_dirty_tracking(c, true), 0);
	vm_expect(ctx, iommufd_selftest_dirty(dev, at + 5 * SZ_4K, SZ_4K), 2);
	/* the window [4, 8) pages: the page written is bit 1 */
	n = iommufd_container_read_dirty(c, at + 4 * SZ_4K, 4 * SZ_4K, SZ_4K, &bm, 0);
	vt_note("read of pages 4..7 of a dirty 2 MiB entry: %d, 0x%llx", n, (unsigned long long)bm);
	vm_assert_dirty(bm, 0x2, at + 4 * SZ_4K, SZ_4K);
	vt_assert_int_eq(n, __builtin_popcountll(bm));
	/* the page written is not reported twice; the rest of the entry may be, once */
	n = iommufd_container_read_dirty(c, at, SZ_2M, SZ_4K, all, 0);
	for (i = 0; i < (int)(sizeof(all) / sizeof(all[0])); i++)
		count += __builtin_popcountll(all[i]);
	vt_note("then the whole mapping: %d pages", n);
	vt_assert_int_eq(n, count);
	vt_assert(!(all[0] >> 5 & 1));
	vm_expect(ctx, iommufd_container_read_dirty(c, at, SZ_2M, SZ_4K, all, 0), 0);
	iommufd_container_free(c);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

static void b_free_cleans_up(void)
{
	struct iommufd_device *devs[3];
	struct iommufd_container *c;
	struct iommufd_ctx *ctx;
	uint32_t ioas, hwpts[MAXDOM];
	struct layout l;
	int i;

	need_b();
	ctx = vm_ctx();
	c = new_container(ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	attach_kinds(ctx, c, "dnd", devs);
	vm_expect(ctx, iommufd_container_map(c, vm_buf(SZ_64K), MOCK_START, SZ_64K, false), 0);
	vm_expect(ctx, iommufd_container_set_dirty_tracking(c, true), 0);
	ioas = iommufd_container_ioas_id(c);
	get_layout(c, ctx, &l);
	for (i = 0; i < l.n; i++)
		hwpts[i] = l.d[i].hwpt_id;
	iommufd_container_free(c);
	/* no kernel object of the container is left */
	vm_expect_err(ctx, iommufd_destroy(ctx, ioas), ENOENT);
	for (i = 0; i < l.n; i++)
		vm_expect_err(ctx, iommufd_destroy(ctx, hwpts[i]), ENOENT);
	/* the devices are free for other uses */
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	for (i = 0; i < 3; i++) {
		vt_assert_int_eq(iommufd_device_pt_id(devs[i]), 0);
		vm_expect(ctx, iommufd_device_attach_pt(devs[i], ioas), 0);
		iommufd_device_close(devs[i]);
	}
	vm_expect(ctx, iommufd_destroy(ctx, ioas), 0);
	iommufd_close(ctx);
}

static void a_vtd_devices_share_one_domain(void)
{
	struct iommufd_device *devs[3];
	struct iommufd_container *c;
	struct iommufd_ctx *ctx;
	struct layout l;
	int i;

	need_a();
	ctx = vm_ctx();
	c = new_container(ctx, 0);
	for (i = 0; i < 3; i++) {
		devs[i] = vm_device(ctx, i);
		vm_expect(ctx, iommufd_container_attach(c, devs[i]), 0);
	}
	get_layout(c, ctx, &l);
	vt_assert_int_eq(l.n, 1);
	vt_assert_int_eq(l.d[0].flags, 0);
	vt_assert_int_eq(l.d[0].ndevices, 3);
	for (i = 0; i < 3; i++)
		vt_assert_int_eq(iommufd_device_pt_id(devs[i]), l.d[0].hwpt_id);
	vm_expect(ctx, iommufd_container_map(c, vm_buf(SZ_2M), SZ_1M, SZ_2M, false), 0);
	/* the MSI window is not for DMA */
	vt_assert(iommufd_container_map(c, vm_buf(SZ_4K), 0xfee00000ull, SZ_4K, false) < 0);
	vm_expect(ctx, iommufd_container_detach(c, devs[1]), 0);
	get_layout(c, ctx, &l);
	vt_assert_int_eq(l.d[0].ndevices, 2);
	vm_expect(ctx, iommufd_container_unmap(c, SZ_1M, SZ_2M), 0);
	iommufd_container_free(c);
	for (i = 0; i < 3; i++)
		iommufd_device_close(devs[i]);
	iommufd_close(ctx);
}

static void a_vtd_dirty_not_covered(void)
{
	struct iommufd_container *c;
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	struct layout l;
	uint64_t bm = 0;

	need_a();
	ctx = vm_ctx();
	c = new_container(ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	dev = vm_device(ctx, 0);
	vm_expect(ctx, iommufd_container_attach(c, dev), 0);
	get_layout(c, ctx, &l);
	vt_assert_int_eq(l.n, 1);
	vt_assert_int_eq(l.d[0].flags, 0);
	vm_expect(ctx, iommufd_container_dirty_status(c), 0);
	vt_assert(strstr(iommufd_last_error(ctx), iommufd_device_name(dev)));
	vt_note("status: %s", iommufd_last_error(ctx));
	vm_expect(ctx, iommufd_container_map(c, vm_buf(SZ_64K), SZ_1M, SZ_64K, false), 0);
	vm_expect(ctx, iommufd_container_set_dirty_tracking(c, true), 0);
	/* nothing tracks: nothing to report */
	vm_expect(ctx, iommufd_container_read_dirty(c, SZ_1M, SZ_64K, SZ_4K, &bm, 0), 0);
	vm_expect(ctx, iommufd_container_set_dirty_tracking(c, false), 0);
	iommufd_container_free(c);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

static void a_vtd_nest_parent_refused(void)
{
	struct iommufd_container *c;
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	struct layout l;
	int ret;

	need_a();
	ctx = vm_ctx();
	c = new_container(ctx, IOMMUFD_CONTAINER_NEST_PARENT);
	dev = vm_device(ctx, 0);
	ret = iommufd_container_attach(c, dev);
	vt_note("attach to a NEST_PARENT container on QEMU's VT-d: %s (%s)", vt_errname(ret),
		iommufd_last_error(ctx));
	/* either it fails and changes nothing, or the device has a domain */
	if (ret) {
		vt_assert(ret < 0);
		vt_assert_int_eq(iommufd_device_pt_id(dev), 0);
		get_layout(c, ctx, &l);
		vt_assert_int_eq(l.n, 0);
		/* the device is free for another container */
		{
			struct iommufd_container *c2 = new_container(ctx, 0);

			vm_expect(ctx, iommufd_container_attach(c2, dev), 0);
			iommufd_container_free(c2);
		}
	} else {
		vt_assert(iommufd_device_pt_id(dev) != 0);
	}
	iommufd_container_free(c);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
		VT_CASE(b_placement_by_capability),
		VT_CASE(b_all_covered),
		VT_CASE(b_plain_container_shares_one_domain),
		VT_CASE(b_nest_parent),
		VT_CASE(b_attach_rules),
		VT_CASE(b_map_unmap),
		VT_CASE(b_dirty_read),
		VT_CASE(b_bits_kept_over_hot_unplug),
		VT_CASE(b_bits_kept_over_device_close),
		VT_CASE(b_bits_kept_over_unmap),
		VT_CASE(b_bits_kept_over_stop),
		VT_CASE(b_new_domain_while_tracking),
		VT_CASE(b_half_page_map_in_tracking_container),
		VT_CASE(b_read_inside_a_huge_entry),
		VT_CASE(b_free_cleans_up),
		VT_CASE(a_vtd_devices_share_one_domain),
		VT_CASE(a_vtd_dirty_not_covered),
		VT_CASE(a_vtd_nest_parent_refused),
	};

	return vt_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
