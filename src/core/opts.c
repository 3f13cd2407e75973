// SPDX-License-Identifier: LGPL-2.1-or-later
/* Options of the calls that can grow: see opts.h. */
#include <errno.h>
#include <string.h>

#include "core/opts.h"

int iofd_opts_copy(struct iommufd_ctx *ctx, const char *call, const void *opts, size_t known,
		   size_t min_size, void *out)
{
	const unsigned char *bytes = opts;
	size_t size, i;

	memset(out, 0, known);
	if (!opts)
		return 0;
	memcpy(&size, opts, sizeof(size));
	if (size < min_size)
		return iofd_set_error(ctx, -EINVAL,
				      "%s: opts size %zu is below its first version's %zu bytes (set it with IOMMUFD_OPTS)",
				      call, size, min_size);
	if (size > IOFD_OPTS_MAX_SIZE)
		return iofd_set_error(ctx, -E2BIG, "%s: opts size %zu is above %d bytes", call,
				      size, IOFD_OPTS_MAX_SIZE);
	for (i = known; i < size; i++)
		if (bytes[i])
			return iofd_set_error(ctx, -E2BIG,
					      "%s: opts of %zu bytes, this library knows %zu: byte %zu is set (a newer member in use)",
					      call, size, known, i);
	memcpy(out, opts, size < known ? size : known);
	return 0;
}

void iofd_opts_write_back(void *opts, const void *answer, size_t known)
{
	size_t size;

	memcpy(&size, opts, sizeof(size));
	if (size > known)
		size = known;
	memcpy((char *)opts + sizeof(size), (const char *)answer + sizeof(size),
	       size - sizeof(size));
}
