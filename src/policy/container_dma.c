// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Container DMA: map and unmap through the container's IOAS at fixed IOVAs.
 * A map is one kernel call: the kernel checks the IOAS's allowed ranges and
 * alignment, and only a refusal reads them, to say why. The container keeps
 * its own list of mappings: dirty bits are read over mapped IOVA only (a
 * domain about to be destroyed, a range about to be unmapped).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/opts.h"
#include "policy/container.h"

int iofd_container_add_mapped(const struct iommufd_container *c, struct iofd_ranges *into)
{
	const struct iofd_ivlist *l = &c->maps;
	struct iofd_ivpos p;
	int ret;

	for (p = iofd_ivlist_begin(l); !iofd_ivlist_is_end(l, p); p = iofd_ivlist_next(l, p)) {
		const struct iofd_range *m = iofd_ivlist_at(l, p);

		ret = iofd_ranges_add(into, m->start, m->last);
		if (ret)
			return ret;
	}
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

/*
 * The kernel refused a map. EINVAL from IOAS_MAP means a misaligned range or
 * one that meets a reserved IOVA range (apertures, MSI windows): the IOAS's
 * allowed ranges and alignment are read only now, to say which, so that a
 * map that works costs its one kernel call. Otherwise why (if not NULL: the
 * object call's message) says it. Returns err.
 */
static int map_refused(struct iommufd_container *c, int err, uint64_t iova, uint64_t last,
		       const char *why)
{
	struct iommufd_iova_range *ranges = NULL;
	uint64_t align = 1;
	char allowed[160];
	int n, i;

	if (err != -EINVAL)
		goto plain;
	n = iommufd_ioas_iova_ranges_all(c->ctx, c->ioas_id, &ranges, &align);
	if (n < 0)
		goto plain;
	if (align > 1 && ((iova & (align - 1)) || ((last + 1) & (align - 1)))) {
		free(ranges);
		return iofd_set_error(c->ctx, err,
				      "map [0x%llx, 0x%llx]: IOVA and length must be aligned to 0x%llx",
				      (unsigned long long)iova, (unsigned long long)last,
				      (unsigned long long)align);
	}
	for (i = 0; i < n; i++)
		if (iova >= ranges[i].start && last <= ranges[i].last)
			break;
	if (i == n) {
		ranges_str(allowed, sizeof(allowed), ranges, (unsigned)n);
		free(ranges);
		return iofd_set_error(c->ctx, err,
				      "map [0x%llx, 0x%llx]: outside the allowed IOVA ranges of ioas %u (%s)",
				      (unsigned long long)iova, (unsigned long long)last, c->ioas_id,
				      allowed);
	}
	free(ranges);
plain:
	if (why) {
		iofd_set_error(c->ctx, 0, "map [0x%llx, 0x%llx] in ioas %u: %s",
			       (unsigned long long)iova, (unsigned long long)last, c->ioas_id, why);
		return err;
	}
	return iofd_set_error(c->ctx, err, "map [0x%llx, 0x%llx] in ioas %u",
			      (unsigned long long)iova, (unsigned long long)last, c->ioas_id);
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

/* What a file mapping maps, for a save (room was reserved). */
static void remember_file(struct iommufd_container *c, const struct map_source *src,
			  uint64_t iova, bool readonly)
{
	struct iofd_file_map m = {
		.iova = iova,
		.offset = src->offset,
		.fd = src->fd,
		.flags = readonly ? IOFD_FILE_MAP_READONLY : 0,
	};
	struct stat st;

	/* The caller's fd, which the kernel just mapped: fstat() of it does not fail. */
	if (!fstat(src->fd, &st)) {
		m.file_dev = st.st_dev;
		m.file_ino = st.st_ino;
	}
	iofd_file_maps_insert(&c->files, &m);
}

static int container_map(struct iommufd_container *c, const struct map_source *src,
			 uint64_t iova, uint64_t len, bool readonly)
{
	const struct iofd_ivlist *l;
	struct iofd_ivpos p;
	uint64_t last, at = iova;
	int ret;

	if (!len)
		return iofd_set_error(c->ctx, -EINVAL, "map iova 0x%llx: length 0",
				      (unsigned long long)iova);
	if (__builtin_add_overflow(iova, len - 1, &last))
		return iofd_set_error(c->ctx, -EOVERFLOW,
				      "map iova 0x%llx length 0x%llx: wraps past 2^64",
				      (unsigned long long)iova, (unsigned long long)len);
	/*
	 * Dirty bits are read at IOFD_HARVEST_PAGE from each mapping's start (on
	 * detach, unmap, stop): the kernel refuses a read at a smaller alignment,
	 * so a mapping of a tracking container must be aligned to it too, even
	 * where the IOAS allows less (the kernel's 2 KiB mock IOMMU).
	 */
	if ((c->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING) &&
	    ((iova | (last + 1)) & (IOFD_HARVEST_PAGE - 1)))
		return iofd_set_error(c->ctx, -EINVAL,
				      "map [0x%llx, 0x%llx]: IOVA and length must be aligned to 0x%llx",
				      (unsigned long long)iova, (unsigned long long)last,
				      IOFD_HARVEST_PAGE);

	pthread_mutex_lock(&c->lock);
	l = &c->maps;
	p = iofd_ivlist_lower(l, iova);
	if (!iofd_ivlist_is_end(l, p) && iofd_ivlist_at(l, p)->start <= last) {
		ret = iofd_set_error(c->ctx, -EEXIST,
				     "map [0x%llx, 0x%llx]: overlaps the mapping [0x%llx, 0x%llx]",
				     (unsigned long long)iova, (unsigned long long)last,
				     (unsigned long long)iofd_ivlist_at(l, p)->start,
				     (unsigned long long)iofd_ivlist_at(l, p)->last);
		goto out_unlock;
	}
	/* Room first: once the kernel has mapped, recording it must not fail. */
	ret = iofd_ivlist_reserve(&c->maps, 1);
	if (!ret && !src->va)
		ret = iofd_file_maps_reserve(&c->files);
	if (ret) {
		iofd_set_error(c->ctx, ret, "map [0x%llx, 0x%llx]", (unsigned long long)iova,
			       (unsigned long long)last);
		goto out_unlock;
	}
	/* The kernel checks the allowed ranges and alignment; map_refused() says which failed. */
	ret = ioas_map_source(c, src, len, &at,
			      IOMMUFD_MAP_FIXED_IOVA | (readonly ? IOMMUFD_MAP_READONLY : 0));
	if (ret) {
		/* A file's own message says more (a kernel without IOAS_MAP_FILE, the file). */
		char why[IOFD_ERRMSG_MAX];

		snprintf(why, sizeof(why), "%s", iommufd_last_error(c->ctx));
		map_refused(c, ret, iova, last, src->va ? NULL : why);
		goto out_unlock;
	}
	iofd_ivlist_insert(&c->maps, p, (struct iofd_range){ iova, last });
	if (!src->va)
		remember_file(c, src, iova, readonly);
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

int iommufd_container_unmap(struct iommufd_container *c, uint64_t iova, uint64_t len)
{
	bool all = iova == 0 && len == UINT64_MAX;
	const struct iofd_ivlist *l;
	struct iofd_ivpos i, j;
	uint64_t last = UINT64_MAX;
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

	pthread_mutex_lock(&c->lock);
	l = &c->maps;
	i = all ? iofd_ivlist_begin(l) : iofd_ivlist_lower(l, iova);
	/* The mappings from i on that start in the range (few: they all go). */
	for (j = i; !all && !iofd_ivlist_is_end(l, j) && iofd_ivlist_at(l, j)->start <= last;)
		j = iofd_ivlist_next(l, j);
	if (all)
		j = iofd_ivlist_end(l);
	if (!all && iofd_ivpos_eq(i, j)) {
		ret = iofd_set_error(c->ctx, -ENOENT, "unmap [0x%llx, 0x%llx]: nothing mapped there",
				     (unsigned long long)iova, (unsigned long long)last);
		goto out_unlock;
	}
	if (!all && (iofd_ivlist_at(l, i)->start < iova ||
		     iofd_ivlist_at(l, iofd_ivlist_prev(l, j))->last > last)) {
		const struct iofd_range *cut = iofd_ivlist_at(l, i)->start < iova ?
						       iofd_ivlist_at(l, i) :
						       iofd_ivlist_at(l, iofd_ivlist_prev(l, j));

		ret = iofd_set_error(c->ctx, -ENOENT,
				     "unmap [0x%llx, 0x%llx]: would split the mapping [0x%llx, 0x%llx]",
				     (unsigned long long)iova, (unsigned long long)last,
				     (unsigned long long)cut->start, (unsigned long long)cut->last);
		goto out_unlock;
	}

	/*
	 * The domains forget the range's dirty bits with it: read them first
	 * (NO_CLEAR) into the carried-over set. Should the unmap fail, the domains
	 * still hold those bits too, and the next read reports each page once all
	 * the same: nothing to undo.
	 */
	if (!iofd_ivpos_eq(i, j) && iofd_container_any_tracking(c)) {
		ret = iofd_container_harvest_all(c, iova, last, &c->carried);
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
	iofd_ivlist_delete(&c->maps, i, j);
	iofd_file_maps_remove(&c->files, all ? 0 : iova, last);
out_unlock:
	pthread_mutex_unlock(&c->lock);
	return ret;
}
