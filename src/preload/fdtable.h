/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which descriptors of the process are the simulator's: a table indexed by
 * descriptor number, read without a lock (two loads) so that read() and
 * write() on the program's own files cost nothing measurable. Chunks are
 * made on first use and never freed; writers hold the shim's lock or the
 * simulator's (the hook that tells of new and closed files).
 */
#ifndef IOFD_PRELOAD_FDTABLE_H
#define IOFD_PRELOAD_FDTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define FDT_CHUNK_SHIFT 12
#define FDT_CHUNK (1 << FDT_CHUNK_SHIFT)
#define FDT_CHUNKS 1024 /* descriptors below 4M: Linux's nr_open is at most 1M by default */

struct fdt_entry {
	int32_t file; /* the simulator's descriptor for this file, plus 1; 0: not ours */
	int32_t refs; /* on the simulator's descriptor: the program's descriptors for the file */
};

extern struct fdt_entry *fdt_chunks[FDT_CHUNKS];

/* The simulator's descriptor behind fd, or -1 when fd is not a simulated file. */
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
/* Every descriptor whose file is `file` now names `to` (renumbering), or none (to -1). */
void fdt_repoint(int file, int to);

#endif
