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
		/* Two writers (the shim's lock and the simulator's) may race to make it. */
		if (!__atomic_compare_exchange_n(&fdt_chunks[fd >> FDT_CHUNK_SHIFT], &expected, c,
						 false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			free(c);
			c = expected;
		}
	}
	return &c[fd & (FDT_CHUNK - 1)];
}

/* Rare (a file's first descriptor closed while copies live): a walk of the table. */
void fdt_repoint(int file, int to)
{
	unsigned int i, k;

	for (i = 0; i < FDT_CHUNKS; i++) {
		struct fdt_entry *c = __atomic_load_n(&fdt_chunks[i], __ATOMIC_ACQUIRE);

		if (!c)
			continue;
		for (k = 0; k < FDT_CHUNK; k++)
			if (__atomic_load_n(&c[k].file, __ATOMIC_ACQUIRE) == file + 1)
				__atomic_store_n(&c[k].file, to + 1, __ATOMIC_RELEASE);
	}
}
