// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Container dirty tracking across all of its domains.
 *
 * No dirty bit is lost: bits of a domain about to be destroyed, of a range
 * about to be unmapped, and of every domain when tracking stops are read
 * first (NO_CLEAR) into the carried-over set, which the next read reports.
 * Should the step then fail, the domains hold those bits too: a read reports
 * each page once all the same, so there is nothing to undo. Reads fill one
 * zeroed scratch bitmap from every tracking domain (the kernel only sets bits)
 * in one clearing pass; what a failed pass cleared goes into the carried-over
 * set.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/opts.h"
#include "policy/container.h"

/* At most this many 4 KiB pages per kernel read: bounds the chunk bitmap (32 KiB). */
#define CHUNK_PAGES (1ULL << 18)

/* Takes one chunk's bits: bit i is the 4 KiB page start + i * IOFD_HARVEST_PAGE. */
typedef int (*chunk_fn)(void *arg, uint64_t start, const uint64_t *bm, uint64_t npages);

/*
 * The next run of the mappings [iova, last] touches, whole, from mapping *p
 * on, contiguous ones merged; false when none is left. The kernel reads from
 * the area at the read's start and stops at the first hole (6.12 does so
 * silently, reporting nothing after it), so every read must start on a mapped
 * IOVA and stay within contiguous mappings. Whole mappings, as a page table
 * entry never spans two and 7.3 mishandles one that a read cuts: a dirty
 * entry that starts before the read is cleared and not reported (the page
 * written is lost), one that ends after it is reported past the read's end
 * (docs/kernels.md).
 */
static bool next_run(const struct iofd_ivlist *l, struct iofd_ivpos *p, uint64_t last,
		     struct iofd_range *run)
{
	const struct iofd_range *m;

	if (iofd_ivlist_is_end(l, *p) || iofd_ivlist_at(l, *p)->start > last)
		return false;
	*run = *iofd_ivlist_at(l, *p);
	for (*p = iofd_ivlist_next(l, *p); !iofd_ivlist_is_end(l, *p);
	     *p = iofd_ivlist_next(l, *p)) {
		m = iofd_ivlist_at(l, *p);
		if (m->start > last || run->last == UINT64_MAX || m->start != run->last + 1)
			break;
		run->last = m->last;
	}
	return true;
}

/*
 * Keep a chunk's bits of [iova, last] only: the others (read because reads
 * cover whole mappings) go to spill, when the read cleared them, else stay
 * where they are. Room for one change was reserved in spill: short of memory,
 * the chunk goes in as one range, which overlaps the first page added (that
 * one had the room), so it needs none itself (more pages reported, none lost).
 * 0, or -ENOMEM (not with the room reserved).
 */
static int clip_chunk(uint64_t start, uint64_t *bm, uint64_t npages, uint64_t iova,
		      uint64_t last, struct iofd_ranges *spill)
{
	const uint64_t g = IOFD_HARVEST_PAGE;
	/* bits [lo, hi) are the window's; only those outside need a look */
	uint64_t lo = iova > start ? (iova - start) / g : 0;
	uint64_t hi = last < start ? 0 : last >= start + (npages - 1) * g ? npages :
					 (last - start) / g + 1;
	uint64_t b;
	int ret = 0;

	if (lo > npages)
		lo = npages;
	for (b = 0; b < npages; b++) {
		if (b == lo && hi > lo)
			b = hi;
		if (b >= npages)
			break;
		if (!(bm[b / 64] >> (b % 64) & 1))
			continue;
		bm[b / 64] &= ~(1ULL << (b % 64));
		if (spill && !ret)
			ret = iofd_ranges_add(spill, start + b * g, start + b * g + g - 1);
	}
	if (ret)
		ret = iofd_ranges_add(spill, start, start + npages * g - 1);
	return ret;
}

/*
 * Read the mappings [iova, last] touches from one domain (only) or every
 * tracking domain, a chunk at a time, and hand fn the bits of [iova, last];
 * a clearing read (spill not NULL) puts the others into spill. Chunks end on
 * multiples of their size, so that no entry (naturally aligned) spans two.
 * One zeroed buffer per chunk serves all domains, since the kernel only sets
 * bits. Each chunk read goes to fn, also one whose read failed (a clearing
 * read may have cleared part of it: those bits must not be dropped). Before a
 * clearing read of a chunk, room is made in spill for what it keeps there, so
 * that running out of memory stops the read before the kernel clears anything
 * more. One kernel call per domain and chunk.
 */
static int read_chunks(struct iommufd_container *c, struct iofd_domain *only, uint64_t iova,
		       uint64_t last, uint32_t flags, struct iofd_ranges *spill, chunk_fn fn,
		       void *arg)
{
	const uint64_t g = IOFD_HARVEST_PAGE;
	struct iofd_range run;
	struct iofd_list *pos;
	struct iofd_ivpos p;
	uint64_t *bm = NULL;
	int ret = 0, fret;

	if (!only && !iofd_container_any_tracking(c))
		return 0;
	p = iofd_ivlist_lower(&c->maps, iova);
	while (next_run(&c->maps, &p, last, &run)) {
		uint64_t at = run.start;

		if (!bm) {
			bm = malloc(CHUNK_PAGES / 8);
			if (!bm)
				return iofd_set_error(c->ctx, -ENOMEM, "read dirty bits");
		}
		for (;;) {
			uint64_t end = (at | (CHUNK_PAGES * g - 1)), pages;

			if (end > run.last)
				end = run.last;
			pages = (end - at) / g + 1;
			if (spill && iofd_ranges_reserve(spill, 1)) {
				ret = iofd_set_error(c->ctx, -ENOMEM, "read dirty bits");
				goto out;
			}
			memset(bm, 0, (pages + 63) / 64 * 8);
			iofd_list_for_each(pos, &c->domains) {
				struct iofd_domain *d = iofd_list_entry(pos, struct iofd_domain, link);

				if (only ? d != only : !d->tracking)
					continue;
				ret = iommufd_hwpt_get_dirty_bitmap(c->ctx, d->hwpt_id, at, pages * g,
								    g, bm, flags);
				if (ret) {
					iofd_set_error(c->ctx, ret,
						       "read the dirty bits of hwpt %u [0x%llx, 0x%llx]%s",
						       d->hwpt_id, (unsigned long long)at,
						       (unsigned long long)(at + pages * g - 1),
						       spill ? " (clearing)" : "");
					break;
				}
			}
			fret = clip_chunk(at, bm, pages, iova, last, spill);
			if (fret && !ret)
				ret = iofd_set_error(c->ctx, fret,
						     "read dirty bits: keep those outside the read");
			/* the window's bits, whatever failed */
			fret = fn(arg, at, bm, pages);
			if (fret && !ret)
				ret = fret;
			if (ret)
				goto out;
			if (end >= run.last)
				break;
			at = end + 1;
		}
	}
out:
	free(bm);
	return ret;
}

static int add_to_ranges(void *arg, uint64_t start, const uint64_t *bm, uint64_t npages)
{
	return iofd_ranges_add_bitmap(arg, start, IOFD_HARVEST_PAGE, bm, npages);
}

int iofd_container_harvest(struct iommufd_container *c, struct iofd_domain *d, uint64_t iova,
			   uint64_t last, struct iofd_ranges *into)
{
	return read_chunks(c, d, iova, last, IOMMUFD_DIRTY_NO_CLEAR, NULL, add_to_ranges, into);
}

int iofd_container_harvest_all(struct iommufd_container *c, uint64_t iova, uint64_t last,
			       struct iofd_ranges *into)
{
	return read_chunks(c, NULL, iova, last, IOMMUFD_DIRTY_NO_CLEAR, NULL, add_to_ranges,
			   into);
}

void iofd_container_keep_harvest(struct iommufd_container *c, struct iofd_ranges *got,
				 const char *what)
{
	if (iofd_ranges_merge(&c->carried, got))
		iofd_log(c->ctx, IOMMUFD_LOG_WARN,
			 "container ioas %u: %s: short of memory, the dirty pages read kept as one "
			 "range (the next read reports more pages)",
			 c->ioas_id, what);
}

static int set_tracking(struct iommufd_container *c, struct iofd_domain *d, bool enable)
{
	int ret = iommufd_hwpt_set_dirty_tracking(c->ctx, d->hwpt_id, enable);

	if (!ret)
		d->tracking = enable;
	return ret;
}

/* Switch back to `to` the domains before `stop` that the failed call switched. */
static void roll_back(struct iommufd_container *c, struct iofd_domain *stop, bool to)
{
	struct iofd_list *pos;
	int ret;

	iofd_list_for_each(pos, &c->domains) {
		struct iofd_domain *d = iofd_list_entry(pos, struct iofd_domain, link);

		if (d == stop)
			break;
		if (!(d->flags & IOMMUFD_DOMAIN_DIRTY_TRACKING) || d->tracking == to)
			continue;
		ret = set_tracking(c, d, to);
		if (ret)
			iofd_log(c->ctx, IOMMUFD_LOG_WARN,
				 "container ioas %u: roll back dirty tracking of hwpt %u to %s: %s",
				 c->ioas_id, d->hwpt_id, to ? "on" : "off", strerror(-ret));
	}
}

static int enable_tracking(struct iommufd_container *c)
{
	struct iofd_list *pos;
	int ret;

	iofd_list_for_each(pos, &c->domains) {
		struct iofd_domain *d = iofd_list_entry(pos, struct iofd_domain, link);

		if (!(d->flags & IOMMUFD_DOMAIN_DIRTY_TRACKING) || d->tracking)
			continue;
		ret = set_tracking(c, d, true);
		if (ret) {
			iofd_set_error(c->ctx, ret, "start dirty tracking: hwpt %u", d->hwpt_id);
			roll_back(c, d, false);
			return ret;
		}
	}
	c->tracking = true;
	iofd_log(c->ctx, IOMMUFD_LOG_INFO, "container ioas %u: dirty tracking on", c->ioas_id);
	return 0;
}

/*
 * Stopping loses what the domains hold (the kernel reads nothing from a domain
 * that does not track, and clears it when tracking restarts): read it first.
 */
static int disable_tracking(struct iommufd_container *c)
{
	struct iofd_list *pos;
	int ret;

	/* Into the carried-over set; a domain that cannot be stopped keeps them too. */
	ret = iofd_container_harvest_all(c, 0, UINT64_MAX, &c->carried);
	if (ret) {
		iofd_set_error(c->ctx, ret, "stop dirty tracking: read the bits not yet reported");
		return ret;
	}
	iofd_list_for_each(pos, &c->domains) {
		struct iofd_domain *d = iofd_list_entry(pos, struct iofd_domain, link);

		if (!d->tracking)
			continue;
		ret = set_tracking(c, d, false);
		if (ret) {
			iofd_set_error(c->ctx, ret, "stop dirty tracking: hwpt %u", d->hwpt_id);
			/* Restarting clears those domains' bits: what was read keeps them. */
			roll_back(c, d, true);
			return ret;
		}
	}
	c->tracking = false;
	iofd_log(c->ctx, IOMMUFD_LOG_INFO,
		 "container ioas %u: dirty tracking off (pages dirtied before stay readable)",
		 c->ioas_id);
	return 0;
}

int iommufd_container_set_dirty_tracking(struct iommufd_container *c, bool enable)
{
	int ret = 0;

	if (!c)
		return -EINVAL;
	if (!(c->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING))
		return iofd_set_error(c->ctx, -EOPNOTSUPP,
				      "container ioas %u: dirty tracking %s: made without IOMMUFD_CONTAINER_DIRTY_TRACKING",
				      c->ioas_id, enable ? "on" : "off");
	pthread_mutex_lock(&c->lock);
	if (c->tracking != enable)
		ret = enable ? enable_tracking(c) : disable_tracking(c);
	pthread_mutex_unlock(&c->lock);
	return ret;
}

/* The caller's window: bit i of scratch is the page iova + i * page_size, nbits of them. */
struct fold {
	uint64_t iova;
	uint64_t page_size;
	uint64_t nbits;
	uint64_t *scratch;
};

/* A caller's page is dirty when any 4 KiB page in it is. */
static int fold_chunk(void *arg, uint64_t start, const uint64_t *bm, uint64_t npages)
{
	const struct fold *f = arg;
	uint64_t w, words = (npages + 63) / 64;
	uint64_t first = (start - f->iova) / IOFD_HARVEST_PAGE;

	/*
	 * 4 KiB pages and a chunk inside the window (reads cover whole mappings:
	 * one may start before it or end after it), starting on a word of the
	 * caller's bitmap: a word at a time.
	 */
	if (f->page_size == IOFD_HARVEST_PAGE && start >= f->iova && !(first % 64) &&
	    first + npages <= f->nbits) {
		for (w = 0; w < words; w++) {
			uint64_t v = bm[w];

			if (w == words - 1 && npages % 64)
				v &= (1ULL << (npages % 64)) - 1;
			f->scratch[first / 64 + w] |= v;
		}
		return 0;
	}
	for (w = 0; w < words; w++) {
		uint64_t v = bm[w];

		while (v) {
			uint64_t b = w * 64 + __builtin_ctzll(v);
			uint64_t page = (start + b * IOFD_HARVEST_PAGE - f->iova) / f->page_size;

			v &= v - 1;
			if (b >= npages)
				break;
			f->scratch[page / 64] |= 1ULL << (page % 64);
		}
	}
	return 0;
}

/* bitmap_size: its size in bytes (SIZE_MAX from the call that takes none). */
static int check_read_args(struct iommufd_container *c, uint64_t iova, uint64_t len,
			   uint64_t page_size, const uint64_t *bitmap, size_t bitmap_size,
			   uint32_t flags, uint64_t *last)
{
	uint64_t need;

	if (flags & ~IOMMUFD_DIRTY_NO_CLEAR)
		return iofd_set_error(c->ctx, -EINVAL, "read dirty: unknown flags 0x%x", flags);
	if (!bitmap)
		return iofd_set_error(c->ctx, -EINVAL, "read dirty: no bitmap");
	if (page_size < 4096 || (page_size & (page_size - 1)))
		return iofd_set_error(c->ctx, -EINVAL,
				      "read dirty: page size 0x%llx is not a power of two >= 4096",
				      (unsigned long long)page_size);
	if (!len)
		return iofd_set_error(c->ctx, -EINVAL, "read dirty: length 0");
	if ((iova & (page_size - 1)) || (len & (page_size - 1)))
		return iofd_set_error(c->ctx, -EINVAL,
				      "read dirty: iova 0x%llx and length 0x%llx must be multiples of the page size 0x%llx",
				      (unsigned long long)iova, (unsigned long long)len,
				      (unsigned long long)page_size);
	if (__builtin_add_overflow(iova, len - 1, last))
		return iofd_set_error(c->ctx, -EOVERFLOW,
				      "read dirty: iova 0x%llx length 0x%llx wraps past 2^64",
				      (unsigned long long)iova, (unsigned long long)len);
	/* The count is returned as an int. */
	if (len / page_size > INT32_MAX)
		return iofd_set_error(c->ctx, -EINVAL,
				      "read dirty: 0x%llx pages in one read; at most 0x%x",
				      (unsigned long long)(len / page_size), INT32_MAX);
	/* Whole u64 words: the bits are ORed in a word at a time. */
	need = (len / page_size + 63) / 64 * 8;
	if (bitmap_size < need)
		return iofd_set_error(c->ctx, -ENOSPC,
				      "read dirty: a bitmap of %zu bytes; 0x%llx pages of 0x%llx need %llu",
				      bitmap_size, (unsigned long long)(len / page_size),
				      (unsigned long long)page_size, (unsigned long long)need);
	return 0;
}

/*
 * After a clearing read: into the carried-over set what the read cleared and
 * does not report, the pages spilled outside the window and, when it failed
 * (f not NULL), the window's pages read so far. Room for one change was
 * reserved there, so this cannot fail: short of memory, one range spanning
 * all of them goes in instead, which overlaps what went in before (the first
 * change had the room) and needs none itself (more pages reported, none lost).
 */
static void keep_cleared(struct iommufd_container *c, struct iofd_ranges *spill,
			 const struct fold *f)
{
	struct iofd_range span = { UINT64_MAX, 0 };
	bool coarse;

	iofd_ranges_span(spill, &span);
	if (f) {
		if (f->iova < span.start)
			span.start = f->iova;
		if (f->iova + f->nbits * f->page_size - 1 > span.last)
			span.last = f->iova + f->nbits * f->page_size - 1;
	}
	coarse = iofd_ranges_merge(&c->carried, spill) != 0;
	if (!coarse && f)
		coarse = iofd_ranges_add_bitmap(&c->carried, f->iova, f->page_size, f->scratch,
						f->nbits) != 0;
	if (!coarse)
		return;
	if (iofd_ranges_add(&c->carried, span.start, span.last))
		iofd_log(c->ctx, IOMMUFD_LOG_ERROR,
			 "container ioas %u: read dirty: [0x%llx, 0x%llx] could not be kept: its "
			 "dirty pages are lost", c->ioas_id, (unsigned long long)span.start,
			 (unsigned long long)span.last);
	else
		iofd_log(c->ctx, IOMMUFD_LOG_WARN,
			 "container ioas %u: read dirty: short of memory, the pages not reported "
			 "kept as one range [0x%llx, 0x%llx] (the next read reports more pages)",
			 c->ioas_id, (unsigned long long)span.start,
			 (unsigned long long)span.last);
}

/*
 * One pass: each tracking domain is read once, clearing unless NO_CLEAR is
 * asked, and the carried-over pages are added. A clearing read that fails
 * part-way (some domains or chunks cleared already, or memory ran out) puts
 * every bit it cleared and does not report into the carried-over set and
 * returns the error: nothing is lost, and the next read reports those pages
 * (at worst some twice).
 */
static int read_dirty(struct iommufd_container *c, uint64_t iova, uint64_t len,
		      uint64_t page_size, uint64_t *bitmap, size_t bitmap_size, uint32_t flags)
{
	bool clear = !(flags & IOMMUFD_DIRTY_NO_CLEAR);
	uint64_t nbits, words, w, last = 0;
	struct iofd_ranges spill;
	uint64_t *scratch = NULL;
	struct fold fold;
	int ret, count = 0;

	ret = check_read_args(c, iova, len, page_size, bitmap, bitmap_size, flags, &last);
	if (ret)
		return ret;

	iofd_ranges_init(&spill);
	pthread_mutex_lock(&c->lock);
	if (!c->tracking && iofd_ranges_empty(&c->carried)) {
		ret = iofd_set_error(c->ctx, -EINVAL,
				     "read dirty: dirty tracking of container ioas %u is off, and no page dirtied before remains",
				     c->ioas_id);
		goto out_unlock;
	}
	nbits = len / page_size;
	words = (nbits + 63) / 64;
	scratch = calloc(words, sizeof(*scratch));
	if (!scratch) {
		ret = iofd_set_error(c->ctx, -ENOMEM, "read dirty: a bitmap of %llu pages",
				     (unsigned long long)nbits);
		goto out_unlock;
	}
	/*
	 * Room for two changes, before anything is cleared: the window's removal
	 * (a split), and keep_cleared() after it; a failure needs only the latter.
	 */
	if (clear) {
		ret = iofd_ranges_reserve(&c->carried, 2);
		if (ret) {
			iofd_set_error(c->ctx, ret, "read dirty");
			goto out_free;
		}
	}
	fold.iova = iova;
	fold.page_size = page_size;
	fold.nbits = nbits;
	fold.scratch = scratch;

	ret = read_chunks(c, NULL, iova, last, flags, clear ? &spill : NULL, fold_chunk, &fold);
	if (ret) {
		if (clear)
			keep_cleared(c, &spill, &fold);
		goto out_free;
	}
	iofd_ranges_mark_bitmap(&c->carried, iova, page_size, scratch, nbits);
	if (clear) {
		/* reported now; with the room reserved, a split cannot fail */
		(void)iofd_ranges_remove(&c->carried, iova, last);
		keep_cleared(c, &spill, NULL);
	}

	for (w = 0; w < words; w++) {
		bitmap[w] |= scratch[w];
		count += __builtin_popcountll(scratch[w]);
	}
	ret = count;
out_free:
	free(scratch);
out_unlock:
	pthread_mutex_unlock(&c->lock);
	iofd_ranges_fini(&spill);
	return ret;
}

int iommufd_container_read_dirty(struct iommufd_container *c, uint64_t iova, uint64_t len,
				 uint64_t page_size, uint64_t *bitmap, uint32_t flags)
{
	if (!c)
		return -EINVAL;
	/* No size given: the caller vouches for the len / page_size bits the range needs. */
	return read_dirty(c, iova, len, page_size, bitmap, SIZE_MAX, flags);
}

IOFD_OPTS_NO_PADDING(struct iommufd_read_dirty_opts, reserved);

int iommufd_container_read_dirty_bitmap(struct iommufd_container *c, uint64_t iova,
					uint64_t len, uint64_t page_size, uint64_t *bitmap,
					size_t bitmap_size,
					const struct iommufd_read_dirty_opts *opts)
{
	struct iommufd_read_dirty_opts o;
	int ret;

	if (!c)
		return -EINVAL;
	ret = iofd_opts_copy(c->ctx, "read dirty", opts, sizeof(o),
			     iofd_offsetofend(struct iommufd_read_dirty_opts, reserved), &o);
	if (ret)
		return ret;
	if (o.reserved)
		return iofd_set_error(c->ctx, -EINVAL, "read dirty: opts reserved is 0x%x, not 0",
				      o.reserved);
	return read_dirty(c, iova, len, page_size, bitmap, bitmap_size, o.flags);
}
