/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which descriptors of the process are the simulator's: a table indexed by
 * descriptor number, read without a lock (two loads) so that read() and
 * write() on the program's own files cost nothing measurable. Chunks are
 * made on first use and never freed; the only writer is the simulator's hook
 * that tells of each number it adds or closes (its lock held). Every number
 * of a simulated file, copies included, is in the simulator's table too.
 */
#ifndef IOFD_PRELOAD_FDTABLE_H
#define IOFD_PRELOAD_FDTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define FDT_CHUNK_SHIFT 12
#define FDT_CHUNK (1 << FDT_CHUNK_SHIFT)
#define FDT_CHUNKS 1024 /* descriptors below 4M: Linux's nr_open is at most 1M by default */

struct fdt_entry {
	int32_t file; /* the descriptor itself plus 1 when it is a simulated file's; 0: not ours */
};

extern struct fdt_entry *fdt_chunks[FDT_CHUNKS];

/* fd when it is a number of a simulated file, or -1. */
static inline int fdt_file(int fd)
{
	struct fdt_entry *c;

	if ((unsigned int)fd >= (unsigned int)FDT_CHUNKS * FDT_CHUNK)
		return -1;
	c = __atomic_load_n(&fdt_chunks[fd >> FDT_CHUNK_SHIFT], __ATOMIC_ACQUIRE);
	if (!c)
		return -1;
	return __atomic_load_n(&c[fd & (FDT_CHUNK - 1)].file, __ATOMIC_ACQUIRE) - 1;
}

/* The entry of fd, its chunk made if need be; NULL if fd is out of range or memory is out. */
struct fdt_entry *fdt_entry(int fd);

#endif
