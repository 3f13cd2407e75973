// SPDX-License-Identifier: LGPL-2.1-or-later
/* What file mappings map (see file_maps.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/file_maps.h"

void iofd_file_maps_init(struct iofd_file_maps *fm)
{
	memset(fm, 0, sizeof(*fm));
}

void iofd_file_maps_fini(struct iofd_file_maps *fm)
{
	free(fm->v);
	iofd_file_maps_init(fm);
}

int iofd_file_maps_reserve(struct iofd_file_maps *fm)
{
	struct iofd_file_map *v;
	size_t cap;

	if (fm->n < fm->cap)
		return 0;
	cap = fm->cap ? fm->cap * 2 : 8;
	v = realloc(fm->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	fm->v = v;
	fm->cap = cap;
	return 0;
}

/* The index of the first entry whose iova >= x (n if none). */
static size_t lower(const struct iofd_file_maps *fm, uint64_t x)
{
	size_t lo = 0, hi = fm->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (fm->v[mid].iova < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void iofd_file_maps_insert(struct iofd_file_maps *fm, const struct iofd_file_map *m)
{
	size_t i = lower(fm, m->iova);

	memmove(&fm->v[i + 1], &fm->v[i], (fm->n - i) * sizeof(fm->v[0]));
	fm->v[i] = *m;
	fm->n++;
}

const struct iofd_file_map *iofd_file_maps_find(const struct iofd_file_maps *fm, uint64_t iova)
{
	size_t i = lower(fm, iova);

	return i < fm->n && fm->v[i].iova == iova ? &fm->v[i] : NULL;
}

void iofd_file_maps_remove(struct iofd_file_maps *fm, uint64_t first, uint64_t last)
{
	size_t i, j;

	/* Most containers map no file: nothing to look at (and no array). */
	if (!fm->n)
		return;
	i = j = lower(fm, first);
	while (j < fm->n && fm->v[j].iova <= last)
		j++;
	memmove(&fm->v[i], &fm->v[j], (fm->n - j) * sizeof(fm->v[0]));
	fm->n -= j - i;
}
