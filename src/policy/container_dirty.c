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

#include "policy/container.h"

/* At most this many pages per harvesting read: bounds the temporary bitmap. */
#define HARVEST_CHUNK_PAGES (1ULL << 18)

/*
 * The mapped parts of [iova, last], widened to whole pages of size g and
 * merged: the kernel reads whole pages, and only where something is mapped.
 */
static int mapped_runs(const struct iommufd_container *c, uint64_t iova, uint64_t last,
		       uint64_t g, struct iofd_range **out, size_t *n)
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
		uint64_t a = c->maps[i].iova > iova ? c->maps[i].iova : iova;
		uint64_t b = c->maps[i].last < last ? c->maps[i].last : last;

		a &= ~(g - 1);
		b |= g - 1;
		if (k && runs[k - 1].last != UINT64_MAX && a <= runs[k - 1].last + 1) {
			if (b > runs[k - 1].last)
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

int iofd_container_harvest(struct iommufd_container *c, struct iofd_domain *d, uint64_t iova,
			   uint64_t last, struct iofd_ranges *into)
{
	const uint64_t g = IOFD_HARVEST_PAGE;
	struct iofd_range *runs;
	uint64_t *bm = NULL;
	size_t n, r;
	int ret;

	ret = mapped_runs(c, iova, last, g, &runs, &n);
	if (ret || !n)
		return ret;
	bm = malloc(HARVEST_CHUNK_PAGES / 8);
	if (!bm) {
		ret = -ENOMEM;
		goto out;
	}
	for (r = 0; r < n; r++) {
		uint64_t at = runs[r].start;

		for (;;) {
			uint64_t pages = (runs[r].last - at) / g + 1;

			if (pages > HARVEST_CHUNK_PAGES)
				pages = HARVEST_CHUNK_PAGES;
			memset(bm, 0, (pages + 63) / 64 * 8);
			ret = iommufd_hwpt_get_dirty_bitmap(c->ctx, d->hwpt_id, at, pages * g, g, bm,
							    IOMMUFD_DIRTY_NO_CLEAR);
			if (ret)
				goto out;
			ret = iofd_ranges_add_bitmap(into, at, g, bm, pages);
			if (ret)
				goto out;
			if (at + pages * g - 1 >= runs[r].last)
				break;
			at += pages * g;
		}
	}
out:
	free(bm);
	free(runs);
	return ret;
}

int iofd_container_harvest_all(struct iommufd_container *c, uint64_t iova, uint64_t last,
			       struct iofd_ranges *into)
{
	struct iofd_list *pos;
	int ret;

	iofd_list_for_each(pos, &c->domains) {
		struct iofd_domain *d = iofd_list_entry(pos, struct iofd_domain, link);

		if (!d->tracking)
			continue;
		ret = iofd_container_harvest(c, d, iova, last, into);
		if (ret)
			return ret;
	}
	return 0;
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

/* OR nbits bits of src into dst starting at bit off. */
static void or_shifted(uint64_t *dst, uint64_t off, const uint64_t *src, uint64_t nbits)
{
	uint64_t words = (nbits + 63) / 64, k, base = off / 64;
	unsigned s = off % 64;

	for (k = 0; k < words; k++) {
		uint64_t v = src[k];

		if (k == words - 1 && nbits % 64)
			v &= ~0ULL >> (64 - nbits % 64);
		if (!v)
			continue;
		dst[base + k] |= v << s;
		if (s && (v >> (64 - s)))
			dst[base + k + 1] |= v >> (64 - s);
	}
}

/* One domain's bits over one run into scratch (bit 0: page iova). */
static int read_run(struct iommufd_container *c, struct iofd_domain *d,
		    const struct iofd_range *run, uint64_t iova, uint64_t page_size,
		    uint64_t *scratch, uint32_t flags)
{
	uint64_t off = (run->start - iova) / page_size;
	uint64_t len = run->last - run->start + 1;
	uint64_t nbits = len / page_size;
	uint64_t *tmp;
	int ret;

	/* The kernel indexes its bitmap from the run's start: word-aligned runs go straight in. */
	if (off % 64 == 0)
		return iommufd_hwpt_get_dirty_bitmap(c->ctx, d->hwpt_id, run->start, len, page_size,
						     scratch + off / 64, flags);
	tmp = calloc((nbits + 63) / 64, sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	ret = iommufd_hwpt_get_dirty_bitmap(c->ctx, d->hwpt_id, run->start, len, page_size, tmp,
					    flags);
	if (!ret)
		or_shifted(scratch, off, tmp, nbits);
	free(tmp);
	return ret;
}

/* Every tracking domain over every run. */
static int read_domains(struct iommufd_container *c, const struct iofd_range *runs, size_t nruns,
			uint64_t iova, uint64_t page_size, uint64_t *scratch, uint32_t flags)
{
	struct iofd_list *pos;
	size_t r;
	int ret;

	iofd_list_for_each(pos, &c->domains) {
		struct iofd_domain *d = iofd_list_entry(pos, struct iofd_domain, link);

		if (!d->tracking)
			continue;
		for (r = 0; r < nruns; r++) {
			ret = read_run(c, d, &runs[r], iova, page_size, scratch, flags);
			if (ret)
				return iofd_set_error(c->ctx, ret,
						      "read dirty: hwpt %u [0x%llx, 0x%llx]%s",
						      d->hwpt_id,
						      (unsigned long long)runs[r].start,
						      (unsigned long long)runs[r].last,
						      flags ? "" : " (clearing)");
		}
	}
	return 0;
}

static int check_read_args(struct iommufd_container *c, uint64_t iova, uint64_t len,
			   uint64_t page_size, const uint64_t *bitmap, uint32_t flags,
			   uint64_t *last)
{
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
	return 0;
}

int iommufd_container_read_dirty(struct iommufd_container *c, uint64_t iova, uint64_t len,
				 uint64_t page_size, uint64_t *bitmap, uint32_t flags)
{
	struct iofd_range *runs = NULL;
	uint64_t nbits, words, w, last = 0;
	uint64_t *scratch = NULL;
	size_t nruns = 0;
	int ret, count = 0;

	if (!c)
		return -EINVAL;
	ret = check_read_args(c, iova, len, page_size, bitmap, flags, &last);
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
	ret = mapped_runs(c, iova, last, page_size, &runs, &nruns);
	if (ret) {
		iofd_set_error(c->ctx, ret, "read dirty");
		goto out_free;
	}

	/* Pass 1 changes nothing: a failure leaves every bit where it was. */
	ret = read_domains(c, runs, nruns, iova, page_size, scratch, IOMMUFD_DIRTY_NO_CLEAR);
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
		ret = read_domains(c, runs, nruns, iova, page_size, scratch, 0);
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
	free(runs);
	free(scratch);
out_unlock:
	pthread_mutex_unlock(&c->lock);
	return ret;
}
