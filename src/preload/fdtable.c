// SPDX-License-Identifier: LGPL-2.1-or-later
/* The simulator's descriptors: see fdtable.h. */
#include <stdlib.h>

#include "preload/fdtable.h"

struct fdt_entry *fdt_chunks[FDT_CHUNKS];

struct fdt_entry *fdt_entry(int fd)
{
	struct fdt_entry *c, *expected = NULL;

	if (fd < 0 || fd >= FDT_CHUNKS * FDT_CHUNK)
		return NULL;
	c = __atomic_load_n(&fdt_chunks[fd >> FDT_CHUNK_SHIFT], __ATOMIC_ACQUIRE);
	if (!c) {
		c = calloc(FDT_CHUNK, sizeof(*c));
		if (!c)
			return NULL;
		/* Published whole: readers load it without a lock. */
		if (!__atomic_compare_exchange_n(&fdt_chunks[fd >> FDT_CHUNK_SHIFT], &expected, c,
						 false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			free(c);
			c = expected;
		}
	}
	return &c[fd & (FDT_CHUNK - 1)];
}
