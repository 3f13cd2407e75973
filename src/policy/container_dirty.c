// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Container dirty tracking across all of its domains.
 *
 * No dirty bit is lost: bits of a domain about to be destroyed, of a range
 * about to be unmapped, and of every domain when tracking stops are read
 * first (NO_CLEAR) into the carried-over set, which the next read reports.
 * Reads fill one zeroed scratch bitmap from every tracking domain (the kernel
 * only sets bits) and clear the domains only once every read succeeded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/opts.h"
#include "policy/container.h"

/* At most this many 4 KiB pages per kernel read: bounds the chunk bitmap (32 KiB). */
#define CHUNK_PAGES (1ULL << 18)

/*
 * The mappings that [iova, last] touches, whole, contiguous ones merged. The
 * kernel reads from the area at the read's start and stops at the first hole
 * (6.12 does so silently, reporting nothing after it), so every read must start
 * on a mapped IOVA and stay within contiguous mappings. Whole mappings, as a
 * page table entry never spans two and 7.3 mishandles one that a read cuts: a
 * dirty entry that starts before the read is cleared and not reported (the
 * page written is lost), one that ends after it is reported past the read's
 * end (docs/kernels.md).
 */
static int mapped_runs(const struct iommufd_container *c, uint64_t iova, uint64_t last,
		       struct iofd_range **out, size_t *n)
{
	struct iofd_range *runs;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	i = iofd_container_first_map(c, iova);
	if (i >= c->nmaps || c->maps[i].iova > last)
		return 0;
	runs = calloc(c->nmaps - i, sizeof(*runs));
	if (!runs)
		return -ENOMEM;
	for (; i < c->nmaps && c->maps[i].iova <= last; i++) {
		uint64_t a = c->maps[i].iova;
		uint64_t b = c->maps[i].last;

		if (k && runs[k - 1].last + 1 == a) {
			runs[k - 1].last = b;
			continue;
		}
		runs[k].start = a;
		runs[k].last = b;
		k++;
	}
	*out = runs;
	*n = k;
	return 0;
}

/* Takes one chunk's bits: bit i is the 4 KiB page start + i * IOFD_HARVEST_PAGE. */
typedef int (*chunk_fn)(void *arg, uint64_t start, const uint64_t *bm, uint64_t npages);

/*
 * Keep a chunk's bits of [iova, last] only: the others (read because reads
 * cover whole mappings) go to spill, when the read cleared them, else stay
 * where they are. 0 or -ENOMEM.
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
	return ret;
}

/*
 * Read the mappings [iova, last] touches from one domain (only) or every
 * tracking domain, a chunk at a time, and hand fn the bits of [iova, last];
 * a clearing read puts the others into the carried-over set. Chunks end on
 * multiples of their size, so that no entry (naturally aligned) spans two.
 * One zeroed buffer per chunk serves all domains, since the kernel only sets
 * bits. Each chunk goes to fn, also the one whose read failed (a clearing
 * read may have cleared part of it: those bits must not be dropped).
 */
static int read_chunks(struct iommufd_container *c, struct iofd_domain *only, uint64_t iova,
		       uint64_t last, uint32_t flags, chunk_fn fn, void *arg)
{
	const uint64_t g = IOFD_HARVEST_PAGE;
	struct iofd_ranges *spill = flags & IOMMUFD_DIRTY_NO_CLEAR ? NULL : &c->carried;
	struct iofd_range *runs;
	struct iofd_list *pos;
	uint64_t *bm = NULL;
	bool any = only != NULL;
	size_t n, r;
	int ret, fret;

	iofd_list_for_each(pos, &c->domains)
		any |= iofd_list_entry(pos, struct iofd_domain, link)->tracking;
	if (!any)
		return 0;
	ret = mapped_runs(c, iova, last, &runs, &n);
	if (ret || !n)
		return ret ? iofd_set_error(c->ctx, ret, "read dirty bits") : 0;
	bm = malloc(CHUNK_PAGES / 8);
	if (!bm) {
		ret = iofd_set_error(c->ctx, -ENOMEM, "read dirty bits");
		goto out;
	}
	for (r = 0; r < n; r++) {
		uint64_t at = runs[r].start;

		for (;;) {
			uint64_t end = (at | (CHUNK_PAGES * g - 1)), pages;

			if (end > runs[r].last)
				end = runs[r].last;
			pages = (end - at) / g + 1;
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
						       flags & IOMMUFD_DIRTY_NO_CLEAR ? "" : " (clearing)");
					break;
				}
			}
			fret = clip_chunk(at, bm, pages, iova, last, spill);
			if (fret)
				iofd_set_error(c->ctx, fret, "read dirty bits: keep those outside the read");
			if (!fret)
				fret = fn(arg, at, bm, pages);
			if (ret || fret) {
				ret = ret ? ret : fret;
				goto out;
			}
			if (end >= runs[r].last)
				break;
			at = end + 1;
		}
	}
out:
	free(bm);
	free(runs);
	return ret;
}

static int add_to_ranges(void *arg, uint64_t start, const uint64_t *bm, uint64_t npages)
{
	return iofd_ranges_add_bitmap(arg, start, IOFD_HARVEST_PAGE, bm, npages);
}

int iofd_container_harvest(struct iommufd_container *c, struct iofd_domain *d, uint64_t iova,
			   uint64_t last, struct iofd_ranges *into)
{
	return read_chunks(c, d, iova, last, IOMMUFD_DIRTY_NO_CLEAR, add_to_ranges, into);
}

int iofd_container_harvest_all(struct iommufd_container *c, uint64_t iova, uint64_t last,
			       struct iofd_ranges *into)
{
	return read_chunks(c, NULL, iova, last, IOMMUFD_DIRTY_NO_CLEAR, add_to_ranges, into);
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
	struct iofd_ranges carried;
	struct iofd_list *pos;
	bool switched = false;
	int ret;

	iofd_ranges_init(&carried);
	ret = iofd_ranges_copy(&carried, &c->carried);
	if (!ret)
		ret = iofd_container_harvest_all(c, 0, UINT64_MAX, &carried);
	if (ret) {
		iofd_set_error(c->ctx, ret, "stop dirty tracking: read the bits not yet reported");
		goto out;
	}
	iofd_list_for_each(pos, &c->domains) {
		struct iofd_domain *d = iofd_list_entry(pos, struct iofd_domain, link);

		if (!d->tracking)
			continue;
		ret = set_tracking(c, d, false);
		if (ret) {
			iofd_set_error(c->ctx, ret, "stop dirty tracking: hwpt %u", d->hwpt_id);
			/* Restarting clears those domains' bits: keep what was read. */
			roll_back(c, d, true);
			if (switched)
				iofd_ranges_swap(&c->carried, &carried);
			goto out;
		}
		switched = true;
	}
	iofd_ranges_swap(&c->carried, &carried);
	c->tracking = false;
	iofd_log(c->ctx, IOMMUFD_LOG_INFO,
		 "container ioas %u: dirty tracking off (pages dirtied before stay readable)",
		 c->ioas_id);
out:
	iofd_ranges_fini(&carried);
	return ret;
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

/* The caller's window: bit i of scratch is the page iova + i * page_size. */
struct fold {
	uint64_t iova;
	uint64_t page_size;
	uint64_t *scratch;
};

/* A caller's page is dirty when any 4 KiB page in it is. */
static int fold_chunk(void *arg, uint64_t start, const uint64_t *bm, uint64_t npages)
{
	const struct fold *f = arg;
	uint64_t w, words = (npages + 63) / 64;

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

static int read_dirty(struct iommufd_container *c, uint64_t iova, uint64_t len,
		      uint64_t page_size, uint64_t *bitmap, size_t bitmap_size, uint32_t flags)
{
	uint64_t nbits, words, w, last = 0;
	uint64_t *scratch = NULL;
	struct fold fold;
	int ret, count = 0;

	ret = check_read_args(c, iova, len, page_size, bitmap, bitmap_size, flags, &last);
	if (ret)
		return ret;

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
	fold.iova = iova;
	fold.page_size = page_size;
	fold.scratch = scratch;

	/* Pass 1 changes nothing: a failure leaves every bit where it was. */
	ret = read_chunks(c, NULL, iova, last, IOMMUFD_DIRTY_NO_CLEAR, fold_chunk, &fold);
	if (ret)
		goto out_free;
	iofd_ranges_mark_bitmap(&c->carried, iova, page_size, scratch, nbits);

	if (!(flags & IOMMUFD_DIRTY_NO_CLEAR)) {
		/* Room for either outcome below, so that neither can fail for memory. */
		ret = iofd_ranges_reserve(&c->carried, 2);
		if (ret) {
			iofd_set_error(c->ctx, ret, "read dirty");
			goto out_free;
		}
		/* Pass 2 clears, and adds what was dirtied since pass 1. */
		ret = read_chunks(c, NULL, iova, last, 0, fold_chunk, &fold);
		if (ret) {
			/* Some domains are cleared already: their bits live on in the carried set. */
			if (iofd_ranges_add_bitmap(&c->carried, iova, page_size, scratch, nbits))
				iofd_ranges_add(&c->carried, iova, last);
			goto out_free;
		}
		iofd_ranges_remove(&c->carried, iova, last);
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
