// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Dirty tracking across a container's domains: what a live migration loop
 * relies on. Every page a device writes while tracking is reported by a read,
 * once (unless NO_CLEAR), whatever happens in between: hot-unplug of the
 * device, hot-plug of another, unmap of the range, tracking turned off.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define NBITS (MEM_LEN / PAGE)

static uint64_t bm[NBITS / 64];

static void tracking_fx(struct fx *f)
{
	fx_init(f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_map(f);
	fx_attach(f, DEV_A0);
	fx_attach(f, DEV_S0);
	fx_attach(f, DEV_B0);
	fx_attach(f, DEV_M0);
	assert_int_equal(iommufd_container_set_dirty_tracking(f->c, true), 0);
}

static void write_page(struct fx *f, const char *dev, uint64_t page)
{
	assert_int_equal(iommufd_sim_dma_write(f->sim, dev, MEM_IOVA + page * PAGE, PAGE), 0);
}

static void reads_union_of_domains_and_clear(void **state)
{
	struct fx f;

	tracking_fx(&f);
	assert_int_equal(fx_read(&f, bm, 0), 0);
	write_page(&f, DEV_A0, 1);
	write_page(&f, DEV_S0, 1);   /* the same page through another domain: one page */
	write_page(&f, DEV_S0, 100);
	write_page(&f, DEV_A0, NBITS - 1);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA + 64 * PAGE, 3 * PAGE), 0);
	assert_int_equal(fx_read(&f, bm, 0), 6);
	assert_true(bit(bm, 1) && bit(bm, 100) && bit(bm, NBITS - 1));
	assert_true(bit(bm, 64) && bit(bm, 65) && bit(bm, 66));
	assert_false(bit(bm, 0) || bit(bm, 2) || bit(bm, 67));
	/* reported once: the read cleared them */
	assert_int_equal(fx_read(&f, bm, 0), 0);
	assert_int_equal(bm[0] | bm[1] | bm[2], 0);
	fx_fini(&f);
}

static void read_ors_into_the_callers_bitmap(void **state)
{
	struct fx f;

	tracking_fx(&f);
	write_page(&f, DEV_A0, 3);
	memset(bm, 0, sizeof(bm));
	bm[0] = 1ULL << 10; /* a bit the caller had already */
	assert_int_equal(iommufd_container_read_dirty(f.c, MEM_IOVA, MEM_LEN, PAGE, bm, 0), 1);
	assert_int_equal(bm[0], 1ULL << 10 | 1ULL << 3);
	fx_fini(&f);
}

static void no_clear_keeps_bits_for_the_next_read(void **state)
{
	struct fx f;

	tracking_fx(&f);
	write_page(&f, DEV_A0, 5);
	write_page(&f, DEV_S0, 6);
	assert_int_equal(fx_read(&f, bm, IOMMUFD_DIRTY_NO_CLEAR), 2);
	assert_int_equal(fx_read(&f, bm, IOMMUFD_DIRTY_NO_CLEAR), 2);
	assert_int_equal(fx_read(&f, bm, 0), 2);
	assert_true(bit(bm, 5) && bit(bm, 6));
	assert_int_equal(fx_read(&f, bm, 0), 0);
	fx_fini(&f);
}

static void sub_ranges_and_large_pages(void **state)
{
	const uint64_t huge = 2ULL << 20;
	uint64_t small[1], part[512 / 64] = { 0 };
	struct fx f;

	tracking_fx(&f);
	/* one 4 KiB write in the third 2 MiB page, one in the sixth */
	write_page(&f, DEV_A0, 2 * 512 + 7);
	write_page(&f, DEV_S0, 5 * 512);
	small[0] = 0;
	assert_int_equal(iommufd_container_read_dirty(f.c, MEM_IOVA, MEM_LEN, huge, small,
						      IOMMUFD_DIRTY_NO_CLEAR),
			 2);
	assert_int_equal(small[0], 1ULL << 2 | 1ULL << 5);
	/* a read of part of the window reports and clears only that part */
	assert_int_equal(iommufd_container_read_dirty(f.c, MEM_IOVA + 2 * huge, huge, PAGE, part, 0),
			 1);
	assert_true(bit(part, 7));
	assert_int_equal(fx_read(&f, bm, 0), 1);
	assert_true(bit(bm, 5 * 512));
	fx_fini(&f);
}

struct inject {
	struct fx *f;
	int armed;
};

/* Right after the read of the first domain, the device writes again. */
static void write_between_reads(void *arg, int level, const char *msg)
{
	struct inject *in = arg;

	if (level != IOMMUFD_LOG_TRACE || !in->armed || !strstr(msg, "HWPT_GET_DIRTY_BITMAP"))
		return;
	in->armed = 0;
	assert_int_equal(iommufd_sim_dma_write(in->f->sim, DEV_A0, MEM_IOVA + 33 * PAGE, PAGE), 0);
}

static void a_write_during_a_read_is_not_lost(void **state)
{
	struct inject in;
	struct fx f;
	int n;

	tracking_fx(&f);
	write_page(&f, DEV_S0, 2);
	in.f = &f;
	in.armed = 1;
	iommufd_set_log(f.ctx, write_between_reads, &in);
	/* a page written while the read goes on: this read or the next reports it */
	n = fx_read(&f, bm, 0);
	iommufd_set_log(f.ctx, NULL, NULL);
	assert_int_equal(in.armed, 0);
	assert_true(bit(bm, 2));
	if (!bit(bm, 33)) {
		assert_int_equal(n, 1);
		assert_int_equal(fx_read(&f, bm, 0), 1);
		assert_true(bit(bm, 33));
	}
	fx_fini(&f);
}

static void hot_unplug_keeps_bits_written_before(void **state)
{
	struct fx f;
	int i;

	tracking_fx(&f);
	write_page(&f, DEV_S0, 9);
	write_page(&f, DEV_A0, 10);
	/* the SMMU device is the last of its domain: the domain goes */
	assert_int_equal(iommufd_container_detach(f.c, fx_dev(&f, DEV_S0)), 0);
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 2);
	/* so does the VT-d one, by closing it */
	i = fx_index(DEV_A0);
	iommufd_device_close(f.dev[i]);
	f.dev[i] = NULL;
	f.base_objects--;
	assert_int_equal(fx_read(&f, bm, 0), 2);
	assert_true(bit(bm, 9) && bit(bm, 10));
	assert_int_equal(fx_read(&f, bm, 0), 0);
	fx_fini(&f);
}

struct unplug {
	struct fx *f;
	uint64_t next;     /* the page the next write goes to */
	uint64_t written;  /* a bit per page the device wrote while the detach went on */
	unsigned lines;
};

/* At each kernel call of the detach, the leaving device writes one more page, if it still can. */
static void write_while_leaving(void *arg, int level, const char *msg)
{
	struct unplug *u = arg;

	if (level != IOMMUFD_LOG_TRACE || strncmp(msg, "sim ", 4) || u->next >= 64)
		return;
	u->lines++;
	if (!iommufd_sim_dma_write(u->f->sim, DEV_S0, MEM_IOVA + u->next * PAGE, PAGE))
		u->written |= 1ULL << u->next;
	u->next++;
}

/*
 * Hot-unplug of a domain's last device: every page the device wrote until its
 * detach took effect is reported, also one written while the library works
 * (the domain must be read only once the device can no longer write to it).
 */
static void hot_unplug_keeps_bits_written_until_the_detach(void **state)
{
	struct unplug u = { .next = 20 };
	struct fx f;

	tracking_fx(&f);
	assert_int_equal(fx_read(&f, bm, 0), 0);
	write_page(&f, DEV_S0, 9);
	u.f = &f;
	iommufd_set_log(f.ctx, write_while_leaving, &u);
	assert_int_equal(iommufd_container_detach(f.c, fx_dev(&f, DEV_S0)), 0);
	iommufd_set_log(f.ctx, NULL, NULL);
	assert_true(u.lines >= 2); /* the detach, the read, the destroy */
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 2);
	assert_int_equal(fx_read(&f, bm, 0), 1 + __builtin_popcountll(u.written));
	assert_true(bit(bm, 9));
	assert_int_equal(bm[0] & ~(1ULL << 9), u.written);
	fx_fini(&f);
}

/*
 * The domain cannot be read after its last device left: the device is out, the
 * domain stays (no device on it, still tracking), its pages reported by reads.
 */
static void hot_unplug_read_failing_keeps_the_domain(void **state)
{
	struct iommufd_domain_info d[4];
	struct fx f;
	int n, i;

	tracking_fx(&f);
	assert_int_equal(fx_read(&f, bm, 0), 0);
	write_page(&f, DEV_S0, 9);
	/* the detach is the first kernel call, the read the second */
	assert_int_equal(iommufd_sim_fail_nth(f.sim, 2, EIO), 0);
	assert_int_equal(iommufd_container_detach(f.c, fx_dev(&f, DEV_S0)), 0);
	assert_int_equal(iommufd_sim_fail_nth(f.sim, 0, 0), 0);
	assert_int_equal(iommufd_device_pt_id(fx_dev(&f, DEV_S0)), 0);
	assert_int_equal(iommufd_container_device_covered(f.c, fx_dev(&f, DEV_S0), NULL, 0),
			 -EINVAL);
	n = iommufd_container_domains(f.c, d, 4);
	assert_int_equal(n, 3);
	for (i = 0; i < n && d[i].ndevices; i++)
		;
	assert_true(i < n);
	assert_int_equal(fx_read(&f, bm, IOMMUFD_DIRTY_NO_CLEAR), 1);
	/* tracking stops and starts again over it; a device joins it again */
	assert_int_equal(iommufd_container_set_dirty_tracking(f.c, false), 0);
	assert_int_equal(fx_read(&f, bm, 0), 1);
	assert_true(bit(bm, 9));
	assert_int_equal(iommufd_container_set_dirty_tracking(f.c, true), 0);
	fx_attach(&f, DEV_S0);
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 3);
	write_page(&f, DEV_S0, 10);
	assert_int_equal(fx_read(&f, bm, 0), 1);
	assert_true(bit(bm, 10));
	fx_fini(&f);
}

static void hot_plug_tracks_at_once_and_counts_mapped_pages(void **state)
{
	struct fx f;

	tracking_fx(&f);
	assert_int_equal(fx_read(&f, bm, 0), 0);
	/* a device of a new domain arrives while tracking */
	fx_attach(&f, DEV_A1);
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 3); /* joined dmar0's domain */
	assert_int_equal(fx_read(&f, bm, 0), 0);
	assert_int_equal(iommufd_container_detach(f.c, fx_dev(&f, DEV_S0)), 0);
	assert_int_equal(fx_read(&f, bm, 0), 0);
	fx_attach(&f, DEV_S0);
	/* its domain is new: what was written before it tracked is unknown, so all of it */
	assert_int_equal(fx_read(&f, bm, IOMMUFD_DIRTY_NO_CLEAR), (int)NBITS);
	assert_int_equal(fx_read(&f, bm, 0), (int)NBITS);
	/* and it tracks from the start */
	write_page(&f, DEV_S0, 42);
	assert_int_equal(fx_read(&f, bm, 0), 1);
	assert_true(bit(bm, 42));
	fx_fini(&f);
}

static void unmap_while_tracking_keeps_bits(void **state)
{
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA, MEM_LEN / 2, false), 0);
	assert_int_equal(iommufd_container_map(f.c, (char *)f.mem + MEM_LEN / 2,
					       MEM_IOVA + MEM_LEN / 2, MEM_LEN / 2, false),
			 0);
	fx_attach(&f, DEV_A0);
	fx_attach(&f, DEV_S0);
	assert_int_equal(iommufd_container_set_dirty_tracking(f.c, true), 0);
	write_page(&f, DEV_A0, 1);
	write_page(&f, DEV_S0, NBITS / 2 + 1);
	write_page(&f, DEV_S0, NBITS / 2 + 2);
	assert_int_equal(iommufd_container_unmap(f.c, MEM_IOVA + MEM_LEN / 2, MEM_LEN / 2), 0);
	/* the unmapped range's pages are still reported, once */
	assert_int_equal(fx_read(&f, bm, 0), 3);
	assert_true(bit(bm, 1) && bit(bm, NBITS / 2 + 1) && bit(bm, NBITS / 2 + 2));
	assert_int_equal(fx_read(&f, bm, 0), 0);
	/* unmap-all too */
	write_page(&f, DEV_A0, 7);
	assert_int_equal(iommufd_container_unmap(f.c, 0, UINT64_MAX), 0);
	assert_int_equal(fx_read(&f, bm, 0), 1);
	assert_true(bit(bm, 7));
	fx_fini(&f);
}

static void stopping_keeps_pending_bits(void **state)
{
	struct fx f;

	tracking_fx(&f);
	write_page(&f, DEV_A0, 11);
	write_page(&f, DEV_S0, 12);
	assert_int_equal(iommufd_container_set_dirty_tracking(f.c, false), 0);
	/* writes after the stop are not tracked */
	write_page(&f, DEV_A0, 13);
	assert_int_equal(fx_read(&f, bm, 0), 2);
	assert_true(bit(bm, 11) && bit(bm, 12));
	/* nothing pending and tracking off: an error, as before tracking ever began */
	assert_int_equal(fx_read(&f, bm, 0), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "off"));
	/* on again: a clean start, then tracking as before; off twice, on twice: no-ops */
	assert_int_equal(iommufd_container_set_dirty_tracking(f.c, false), 0);
	assert_int_equal(iommufd_container_set_dirty_tracking(f.c, true), 0);
	assert_int_equal(iommufd_container_set_dirty_tracking(f.c, true), 0);
	assert_int_equal(fx_read(&f, bm, 0), 0);
	write_page(&f, DEV_S0, 14);
	assert_int_equal(fx_read(&f, bm, 0), 1);
	fx_fini(&f);
}

static void not_tracking_containers(void **state)
{
	struct fx f;

	fx_init(&f, 0);
	fx_map(&f);
	fx_attach(&f, DEV_A0);
	assert_int_equal(iommufd_container_set_dirty_tracking(f.c, true), -EOPNOTSUPP);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "IOMMUFD_CONTAINER_DIRTY_TRACKING"));
	assert_int_equal(fx_read(&f, bm, 0), -EINVAL);
	assert_int_equal(iommufd_container_dirty_status(f.c), 0);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "IOMMUFD_CONTAINER_DIRTY_TRACKING"));
	fx_fini(&f);
}

static void bad_reads_change_nothing(void **state)
{
	struct fx_state before, after;
	struct fx f;

	tracking_fx(&f);
	write_page(&f, DEV_A0, 20);
	fx_snapshot(&f, &before);
	/* page sizes: zero, below 4 KiB, not a power of two */
	assert_int_equal(iommufd_container_read_dirty(f.c, MEM_IOVA, MEM_LEN, 0, bm, 0), -EINVAL);
	assert_int_equal(iommufd_container_read_dirty(f.c, MEM_IOVA, MEM_LEN, 2048, bm, 0), -EINVAL);
	assert_int_equal(iommufd_container_read_dirty(f.c, MEM_IOVA, MEM_LEN, 3 * PAGE, bm, 0),
			 -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "power of two"));
	/* misaligned iova, misaligned length, empty */
	assert_int_equal(iommufd_container_read_dirty(f.c, MEM_IOVA + 512, PAGE, PAGE, bm, 0), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "multiples"));
	assert_int_equal(iommufd_container_read_dirty(f.c, MEM_IOVA, PAGE + 512, PAGE, bm, 0), -EINVAL);
	assert_int_equal(iommufd_container_read_dirty(f.c, MEM_IOVA, 0, PAGE, bm, 0), -EINVAL);
	/* wrapping past 2^64, too many pages for one count */
	assert_int_equal(iommufd_container_read_dirty(f.c, UINT64_MAX - PAGE + 1, 2 * PAGE, PAGE, bm, 0),
			 -EOVERFLOW);
	assert_int_equal(iommufd_container_read_dirty(f.c, 0, 1ULL << 60, PAGE, bm, 0), -EINVAL);
	/* no bitmap, unknown flags */
	assert_int_equal(iommufd_container_read_dirty(f.c, MEM_IOVA, MEM_LEN, PAGE, NULL, 0), -EINVAL);
	assert_int_equal(iommufd_container_read_dirty(f.c, MEM_IOVA, MEM_LEN, PAGE, bm, 1u << 5),
			 -EINVAL);
	assert_int_equal(iommufd_container_read_dirty(NULL, MEM_IOVA, MEM_LEN, PAGE, bm, 0), -EINVAL);
	fx_snapshot(&f, &after);
	fx_assert_same(&before, &after);
	assert_int_equal(fx_read(&f, bm, 0), 1);
	fx_fini(&f);
}

/*
 * The read that takes the bitmap's size: one word short of what the range
 * needs is refused (-ENOSPC, both sizes named), nothing read or cleared and
 * nothing written, where the call without a size would write past it.
 */
static void a_bitmap_too_small_is_refused(void **state)
{
	struct fx_state before, after;
	uint64_t small[NBITS / 64 + 1];
	const size_t need = NBITS / 8;
	char sizes[64];
	struct fx f;

	tracking_fx(&f);
	write_page(&f, DEV_A0, NBITS - 1);
	fx_snapshot(&f, &before);
	memset(small, 0, sizeof(small));
	small[NBITS / 64 - 1] = 0x1234; /* the word the short bitmap lacks */
	assert_int_equal(iommufd_container_read_dirty_bitmap(f.c, MEM_IOVA, MEM_LEN, PAGE, small,
							     need - 8, NULL),
			 -ENOSPC);
	snprintf(sizes, sizeof(sizes), "%zu bytes", need - 8);
	assert_non_null(strstr(iommufd_last_error(f.ctx), sizes));
	snprintf(sizes, sizeof(sizes), "need %zu", need);
	assert_non_null(strstr(iommufd_last_error(f.ctx), sizes));
	assert_int_equal(small[NBITS / 64 - 1], 0x1234);
	/* a byte short too: the bits go in whole words */
	assert_int_equal(iommufd_container_read_dirty_bitmap(f.c, MEM_IOVA, MEM_LEN, PAGE, small,
							     need - 1, NULL),
			 -ENOSPC);
	assert_int_equal(iommufd_container_read_dirty_bitmap(f.c, MEM_IOVA, MEM_LEN, PAGE, small, 0,
							     NULL),
			 -ENOSPC);
	fx_snapshot(&f, &after);
	fx_assert_same(&before, &after);
	/* exactly the size needed, or more: read (and cleared) */
	memset(small, 0, sizeof(small));
	assert_int_equal(iommufd_container_read_dirty_bitmap(f.c, MEM_IOVA, MEM_LEN, PAGE, small,
							     need, NULL),
			 1);
	assert_true(bit(small, NBITS - 1));
	assert_int_equal(small[NBITS / 64], 0);
	write_page(&f, DEV_A0, 0);
	assert_int_equal(iommufd_container_read_dirty_bitmap(f.c, MEM_IOVA, MEM_LEN, PAGE, small,
							     sizeof(small), NULL),
			 1);
	/* a range of 65 pages needs two words: 16 bytes */
	write_page(&f, DEV_A0, 64);
	assert_int_equal(iommufd_container_read_dirty_bitmap(f.c, MEM_IOVA, 65 * PAGE, PAGE, small,
							     15, NULL),
			 -ENOSPC);
	memset(small, 0, sizeof(small));
	assert_int_equal(iommufd_container_read_dirty_bitmap(f.c, MEM_IOVA, 65 * PAGE, PAGE, small,
							     16, NULL),
			 1);
	assert_int_equal(small[1], 1);
	fx_fini(&f);
}

/* Options: NULL is a clearing read; NO_CLEAR; what is refused, changing nothing. */
static void read_dirty_bitmap_options(void **state)
{
	IOMMUFD_OPTS(iommufd_read_dirty_opts, keep, .flags = IOMMUFD_DIRTY_NO_CLEAR);
	IOMMUFD_OPTS(iommufd_read_dirty_opts, bad_flags, .flags = 1u << 7);
	IOMMUFD_OPTS(iommufd_read_dirty_opts, bad_reserved, .reserved = 1);
	/* options from newer headers, with a member this library does not know */
	struct newer {
		struct iommufd_read_dirty_opts v1;
		uint64_t later;
	} newer = { { .size = sizeof(struct newer) }, 0 };
	const struct iommufd_read_dirty_opts *newer_opts = &newer.v1;
	struct iommufd_read_dirty_opts small = { .size = sizeof(size_t) };
	struct fx_state before, after;
	struct fx f;

	tracking_fx(&f);
	write_page(&f, DEV_A0, 5);
	fx_snapshot(&f, &before);
	assert_int_equal(iommufd_container_read_dirty_bitmap(f.c, MEM_IOVA, MEM_LEN, PAGE, bm,
							     sizeof(bm), &bad_flags),
			 -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "unknown flags 0x80"));
	assert_int_equal(iommufd_container_read_dirty_bitmap(f.c, MEM_IOVA, MEM_LEN, PAGE, bm,
							     sizeof(bm), &bad_reserved),
			 -EINVAL);
	assert_int_equal(iommufd_container_read_dirty_bitmap(f.c, MEM_IOVA, MEM_LEN, PAGE, bm,
							     sizeof(bm), &small),
			 -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "opts size 8"));
	newer.later = 1;
	assert_int_equal(iommufd_container_read_dirty_bitmap(f.c, MEM_IOVA, MEM_LEN, PAGE, bm,
							     sizeof(bm), newer_opts),
			 -E2BIG);
	fx_snapshot(&f, &after);
	fx_assert_same(&before, &after);

	/* NO_CLEAR keeps the page; newer options with the unknown member 0 are fine; NULL clears */
	memset(bm, 0, sizeof(bm));
	assert_int_equal(iommufd_container_read_dirty_bitmap(f.c, MEM_IOVA, MEM_LEN, PAGE, bm,
							     sizeof(bm), &keep),
			 1);
	assert_true(bit(bm, 5));
	newer.later = 0;
	newer.v1.flags = IOMMUFD_DIRTY_NO_CLEAR;
	assert_int_equal(iommufd_container_read_dirty_bitmap(f.c, MEM_IOVA, MEM_LEN, PAGE, bm,
							     sizeof(bm), newer_opts),
			 1);
	assert_int_equal(iommufd_container_read_dirty_bitmap(f.c, MEM_IOVA, MEM_LEN, PAGE, bm,
							     sizeof(bm), NULL),
			 1);
	assert_int_equal(fx_read(&f, bm, 0), 0);
	fx_fini(&f);
}

/* The call without a size answers as the one with a size large enough. */
static void read_dirty_is_read_dirty_bitmap_with_room(void **state)
{
	static uint64_t bm2[NBITS / 64];
	struct fx f;
	int i;

	tracking_fx(&f);
	for (i = 0; i < 2; i++) {
		write_page(&f, DEV_A0, 7);
		write_page(&f, DEV_S0, 300);
		memset(bm2, 0, sizeof(bm2));
		if (i)
			assert_int_equal(iommufd_container_read_dirty_bitmap(f.c, MEM_IOVA, MEM_LEN,
									     2 * PAGE, bm2,
									     sizeof(bm2), NULL),
					 2);
		else
			assert_int_equal(iommufd_container_read_dirty(f.c, MEM_IOVA, MEM_LEN,
								      2 * PAGE, bm2, 0),
					 2);
		assert_int_equal(bm2[0], 1ULL << 3);
		assert_int_equal(bm2[2], 1ULL << (150 - 128));
		assert_int_equal(fx_read(&f, bm, 0), 0);
	}
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_union_of_domains_and_clear),
		cmocka_unit_test(read_ors_into_the_callers_bitmap),
		cmocka_unit_test(no_clear_keeps_bits_for_the_next_read),
		cmocka_unit_test(sub_ranges_and_large_pages),
		cmocka_unit_test(a_write_during_a_read_is_not_lost),
		cmocka_unit_test(hot_unplug_keeps_bits_written_before),
		cmocka_unit_test(hot_unplug_keeps_bits_written_until_the_detach),
		cmocka_unit_test(hot_unplug_read_failing_keeps_the_domain),
		cmocka_unit_test(hot_plug_tracks_at_once_and_counts_mapped_pages),
		cmocka_unit_test(unmap_while_tracking_keeps_bits),
		cmocka_unit_test(stopping_keeps_pending_bits),
		cmocka_unit_test(not_tracking_containers),
		cmocka_unit_test(bad_reads_change_nothing),
		cmocka_unit_test(a_bitmap_too_small_is_refused),
		cmocka_unit_test(read_dirty_bitmap_options),
		cmocka_unit_test(read_dirty_is_read_dirty_bitmap_with_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
