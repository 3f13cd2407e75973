// SPDX-License-Identifier: LGPL-2.1-or-later
/* Whole lists: grow the buffer until the list fits, then lay it out at the caller's size. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/list_all.h"

/* Most lists (devices, domains, IOVA ranges) are this short: one read is enough. */
#define FIRST_MAX 8

/* n elements of from_size as elements of to_size: copied as far as both go, zero beyond. */
static void *relay(const void *list, unsigned n, size_t from_size, size_t to_size)
{
	size_t copy = from_size < to_size ? from_size : to_size;
	char *out = calloc(n, to_size);
	unsigned i;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++)
		memcpy(out + i * to_size, (const char *)list + i * from_size, copy);
	return out;
}

int iofd_list_all(struct iommufd_ctx *ctx, const struct iofd_list_spec *spec, void *arg,
		  size_t user_size, void **out)
{
	unsigned max = FIRST_MAX;
	void *buf, *sized;
	int n;

	*out = NULL;
	if (user_size < spec->min_size)
		return iofd_set_error(ctx, -EINVAL,
				      "%s: element size %zu, smaller than the %zu bytes of the first "
				      "version of the struct", spec->what, user_size, spec->min_size);
	/* The list may grow between the count and the read: read again until it fits. */
	for (;;) {
		buf = calloc(max, spec->size);
		if (!buf)
			return iofd_set_error(ctx, -ENOMEM, "%s: room for %u", spec->what, max);
		n = spec->fill(arg, buf, max);
		if (n < 0) {
			free(buf);
			return n;
		}
		if ((unsigned)n <= max)
			break;
		free(buf);
		max = n;
	}
	if (n == 0) {
		free(buf);
		return 0;
	}
	if (user_size != spec->size) {
		sized = relay(buf, n, spec->size, user_size);
		free(buf);
		if (!sized)
			return iofd_set_error(ctx, -ENOMEM, "%s: room for %d of %zu bytes",
					      spec->what, n, user_size);
		buf = sized;
	}
	*out = buf;
	return n;
}
