// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Container DMA: map and unmap through the container's IOAS at fixed IOVAs,
 * checked against the IOAS's allowed ranges first. The container keeps its
 * own list of mappings: dirty bits are read over mapped IOVA only (a domain
 * about to be destroyed, a range about to be unmapped).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/opts.h"
#include "policy/container.h"

size_t iofd_container_first_map(const struct iommufd_container *c, uint64_t iova)
{
	size_t lo = 0, hi = c->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->maps[mid].last >= iova)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int iofd_container_add_mapped(const struct iommufd_container *c, struct iofd_ranges *into)
{
	size_t i;
	int ret;

	for (i = 0; i < c->nmaps; i++) {
		ret = iofd_ranges_add(into, c->maps[i].iova, c->maps[i].last);
		if (ret)
			return ret;
	}
	return 0;
}

void iofd_container_free_maps(struct iommufd_container *c)
{
	free(c->maps);
	c->maps = NULL;
	c->nmaps = 0;
	c->maps_cap = 0;
}

static int reserve_map_slot(struct iommufd_container *c)
{
	struct iofd_mapping *v;
	size_t cap;

	if (c->nmaps < c->maps_cap)
		return 0;
	cap = c->maps_cap ? c->maps_cap * 2 : 16;
	v = realloc(c->maps, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->maps = v;
	c->maps_cap = cap;
	return 0;
}

/* "0x1000-0xfedfffff, 0xfef00000-0xffffffffffff" (cut to the buffer). */
static void ranges_str(char *buf, size_t size, const struct iommufd_iova_range *r, unsigned n)
{
	size_t len = 0;
	unsigned i;

	buf[0] = '\0';
	if (!n)
		snprintf(buf, size, "none");
	for (i = 0; i < n && len < size; i++)
		len += snprintf(buf + len, size - len, "%s0x%llx-0x%llx", i ? ", " : "",
				(unsigned long long)r[i].start, (unsigned long long)r[i].last);
}

/* The range must lie inside one allowed range and be aligned as the IOAS needs. */
static int check_iova(struct iommufd_container *c, uint64_t iova, uint64_t last)
{
	struct iommufd_iova_range *ranges;
	uint64_t align = 1;
	char allowed[160];
	int n, i, ret = 0;

	n = iommufd_ioas_iova_ranges_all(c->ctx, c->ioas_id, &ranges, &align);
	if (n < 0)
		return iofd_set_error(c->ctx, n, "map [0x%llx, 0x%llx]: read the allowed IOVA ranges of ioas %u",
				      (unsigned long long)iova, (unsigned long long)last,
				      c->ioas_id);
	/*
	 * Dirty bits are read at IOFD_HARVEST_PAGE from each mapping's start (on
	 * detach, unmap, stop): the kernel refuses a read at a smaller alignment,
	 * so a mapping of a tracking container must be aligned to it too.
	 */
	if ((c->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING) && align < IOFD_HARVEST_PAGE)
		align = IOFD_HARVEST_PAGE;
	if (align > 1 && ((iova & (align - 1)) || ((last + 1) & (align - 1)))) {
		ret = iofd_set_error(c->ctx, -EINVAL,
				     "map [0x%llx, 0x%llx]: IOVA and length must be aligned to 0x%llx",
				     (unsigned long long)iova, (unsigned long long)last,
				     (unsigned long long)align);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (iova >= ranges[i].start && last <= ranges[i].last)
			goto out;
	ranges_str(allowed, sizeof(allowed), ranges, (unsigned)n);
	ret = iofd_set_error(c->ctx, -EINVAL,
			     "map [0x%llx, 0x%llx]: outside the allowed IOVA ranges of ioas %u (%s)",
			     (unsigned long long)iova, (unsigned long long)last, c->ioas_id,
			     allowed);
out:
	free(ranges);
	return ret;
}

/* What a mapping maps: user memory at va, or (va NULL) the file fd from offset. */
struct map_source {
	void *va;
	int fd;
	uint64_t offset;
};

static int ioas_map_source(struct iommufd_container *c, const struct map_source *src,
			   uint64_t len, uint64_t *iova, uint32_t flags)
{
	if (src->va)
		return iommufd_ioas_map(c->ctx, c->ioas_id, src->va, len, iova, flags);
	return iommufd_ioas_map_file(c->ctx, c->ioas_id, src->fd, src->offset, len, iova, flags);
}

static int container_map(struct iommufd_container *c, const struct map_source *src,
			 uint64_t iova, uint64_t len, bool readonly)
{
	struct iofd_mapping *m;
	uint64_t last, at = iova;
	size_t i;
	int ret;

	if (!len)
		return iofd_set_error(c->ctx, -EINVAL, "map iova 0x%llx: length 0",
				      (unsigned long long)iova);
	if (__builtin_add_overflow(iova, len - 1, &last))
		return iofd_set_error(c->ctx, -EOVERFLOW,
				      "map iova 0x%llx length 0x%llx: wraps past 2^64",
				      (unsigned long long)iova, (unsigned long long)len);

	pthread_mutex_lock(&c->lock);
	i = iofd_container_first_map(c, iova);
	if (i < c->nmaps && c->maps[i].iova <= last) {
		ret = iofd_set_error(c->ctx, -EEXIST,
				     "map [0x%llx, 0x%llx]: overlaps the mapping [0x%llx, 0x%llx]",
				     (unsigned long long)iova, (unsigned long long)last,
				     (unsigned long long)c->maps[i].iova,
				     (unsigned long long)c->maps[i].last);
		goto out_unlock;
	}
	ret = check_iova(c, iova, last);
	if (ret)
		goto out_unlock;
	/* Room first: once the kernel has mapped, recording it must not fail. */
	ret = reserve_map_slot(c);
	if (ret) {
		iofd_set_error(c->ctx, ret, "map [0x%llx, 0x%llx]", (unsigned long long)iova,
			       (unsigned long long)last);
		goto out_unlock;
	}
	ret = ioas_map_source(c, src, len, &at,
			      IOMMUFD_MAP_FIXED_IOVA | (readonly ? IOMMUFD_MAP_READONLY : 0));
	if (ret && !src->va) {
		/* The object call's message says why (e.g. the kernel is too old for files). */
		char why[IOFD_ERRMSG_MAX];

		snprintf(why, sizeof(why), "%s", iommufd_last_error(c->ctx));
		iofd_set_error(c->ctx, 0, "map [0x%llx, 0x%llx] in ioas %u: %s",
			       (unsigned long long)iova, (unsigned long long)last, c->ioas_id, why);
		goto out_unlock;
	}
	if (ret) {
		iofd_set_error(c->ctx, ret, "map [0x%llx, 0x%llx] in ioas %u",
			       (unsigned long long)iova, (unsigned long long)last, c->ioas_id);
		goto out_unlock;
	}
	memmove(&c->maps[i + 1], &c->maps[i], (c->nmaps - i) * sizeof(c->maps[0]));
	m = &c->maps[i];
	m->iova = iova;
	m->last = last;
	c->nmaps++;
out_unlock:
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int iommufd_container_map(struct iommufd_container *c, void *va, uint64_t iova, uint64_t len,
			  bool readonly)
{
	struct map_source src = { .va = va };

	if (!c)
		return -EINVAL;
	if (!va)
		return iofd_set_error(c->ctx, -EINVAL, "map iova 0x%llx: no memory (va NULL)",
				      (unsigned long long)iova);
	return container_map(c, &src, iova, len, readonly);
}

int iommufd_container_map_file(struct iommufd_container *c, int fd, uint64_t offset,
			       uint64_t iova, uint64_t len, bool readonly)
{
	struct map_source src = { .fd = fd, .offset = offset };

	if (!c)
		return -EINVAL;
	if (fd < 0)
		return iofd_set_error(c->ctx, -EBADF, "map file iova 0x%llx: fd %d",
				      (unsigned long long)iova, fd);
	return container_map(c, &src, iova, len, readonly);
}

IOFD_OPTS_NO_PADDING(struct iommufd_map_opts, flags);

int iommufd_container_map_opts(struct iommufd_container *c, const struct iommufd_map_opts *opts)
{
	struct iommufd_map_opts o;
	int ret;

	if (!c)
		return -EINVAL;
	/* A mapping has no default: what and where must be given. */
	if (!opts)
		return iofd_set_error(c->ctx, -EINVAL, "map: opts is NULL");
	ret = iofd_opts_copy(c->ctx, "map", opts, sizeof(o),
			     iofd_offsetofend(struct iommufd_map_opts, flags), &o);
	if (ret)
		return ret;
	if (o.flags & ~IOMMUFD_MAP_READONLY)
		return iofd_set_error(c->ctx, -EINVAL,
				      "map iova 0x%llx: flags 0x%x (only IOMMUFD_MAP_READONLY; a "
				      "container's IOVAs are fixed)",
				      (unsigned long long)o.iova, o.flags);
	if (o.va && (o.fd || o.offset))
		return iofd_set_error(c->ctx, -EINVAL,
				      "map iova 0x%llx: va and a file (fd %d, offset 0x%llx) both "
				      "given",
				      (unsigned long long)o.iova, o.fd,
				      (unsigned long long)o.offset);
	if (o.va)
		return iommufd_container_map(c, o.va, o.iova, o.length,
					     o.flags & IOMMUFD_MAP_READONLY);
	return iommufd_container_map_file(c, o.fd, o.offset, o.iova, o.length,
					  o.flags & IOMMUFD_MAP_READONLY);
}

static bool any_tracking(struct iommufd_container *c)
{
	struct iofd_list *pos;

	iofd_list_for_each(pos, &c->domains)
		if (iofd_list_entry(pos, struct iofd_domain, link)->tracking)
			return true;
	return false;
}

int iommufd_container_unmap(struct iommufd_container *c, uint64_t iova, uint64_t len)
{
	bool all = iova == 0 && len == UINT64_MAX;
	struct iofd_ranges carried;
	bool harvest;
	uint64_t last = UINT64_MAX;
	size_t i, j;
	int ret;

	if (!c)
		return -EINVAL;
	if (!all) {
		if (!len)
			return iofd_set_error(c->ctx, -EINVAL, "unmap iova 0x%llx: length 0",
					      (unsigned long long)iova);
		if (__builtin_add_overflow(iova, len - 1, &last))
			return iofd_set_error(c->ctx, -EOVERFLOW,
					      "unmap iova 0x%llx length 0x%llx: wraps past 2^64",
					      (unsigned long long)iova, (unsigned long long)len);
	}

	iofd_ranges_init(&carried);
	pthread_mutex_lock(&c->lock);
	i = iofd_container_first_map(c, iova);
	for (j = i; j < c->nmaps && c->maps[j].iova <= last; j++)
		;
	if (!all && i == j) {
		ret = iofd_set_error(c->ctx, -ENOENT, "unmap [0x%llx, 0x%llx]: nothing mapped there",
				     (unsigned long long)iova, (unsigned long long)last);
		goto out_unlock;
	}
	if (!all && (c->maps[i].iova < iova || c->maps[j - 1].last > last)) {
		const struct iofd_mapping *cut = c->maps[i].iova < iova ? &c->maps[i] : &c->maps[j - 1];

		ret = iofd_set_error(c->ctx, -ENOENT,
				     "unmap [0x%llx, 0x%llx]: would split the mapping [0x%llx, 0x%llx]",
				     (unsigned long long)iova, (unsigned long long)last,
				     (unsigned long long)cut->iova, (unsigned long long)cut->last);
		goto out_unlock;
	}

	/* The domains forget the range's dirty bits with it: keep them for the next read. */
	harvest = i < j && any_tracking(c);
	if (harvest) {
		ret = iofd_ranges_copy(&carried, &c->carried);
		if (!ret)
			ret = iofd_container_harvest_all(c, iova, last, &carried);
		if (ret) {
			iofd_set_error(c->ctx, ret,
				       "unmap [0x%llx, 0x%llx]: read its dirty bits first",
				       (unsigned long long)iova, (unsigned long long)last);
			goto out_unlock;
		}
	}
	ret = iommufd_ioas_unmap(c->ctx, c->ioas_id, iova, len, NULL);
	if (ret) {
		iofd_set_error(c->ctx, ret, "unmap [0x%llx, 0x%llx] from ioas %u",
			       (unsigned long long)iova, (unsigned long long)last, c->ioas_id);
		goto out_unlock;
	}
	if (harvest)
		iofd_ranges_swap(&c->carried, &carried);
	/* Nothing to move when nothing was mapped (maps may still be NULL then). */
	if (j > i) {
		memmove(&c->maps[i], &c->maps[j], (c->nmaps - j) * sizeof(c->maps[0]));
		c->nmaps -= j - i;
	}
out_unlock:
	pthread_mutex_unlock(&c->lock);
	iofd_ranges_fini(&carried);
	return ret;
}
