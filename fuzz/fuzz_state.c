// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzz target: iommufd_container_restore() of any bytes, the state a new process reads in a
 * live update. Public API only.
 *
 * A fixed old process on the simulator (a tracking container over a memfd with two VT-d
 * devices, an SMMUv3 one and an mdev; some pages written, one mapping unmapped while
 * tracking) and a new one on a dup of its iommufd are made once. Each input is restored
 * twice: as it is, and, when it starts like a state, with its total size and CRC-32C made
 * right, so that the records themselves are what gets fuzzed. The target aborts (a crash
 * for libFuzzer) when the library breaks a promise:
 *  - a refused state leaves a one-line message, no container, the kernel's objects as they
 *    were, and the old container working (its device writes, its dirty read);
 *  - a state restored is the old container's (its IOAS), its devices among the old ones
 *    (by name; a VFIO device also by dev_id: an emulated device's dev_id names an access
 *    object, which no kernel call looks up, so a restore takes it on the state's word, as
 *    docs/live-update.md says); it is let go again (iommufd_container_forget) and the next
 *    input starts afresh.
 * FUZZ_STATE_SEED=path writes the old container's own state there (the corpus's seed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <iommufd/iommufd.h>

#define PAGE 4096ull
#define IOVA 0x40000000ull
#define LEN (32 * PAGE)

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_state: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static const char *const names[] = { "0000:00:02.0", "0000:00:03.0", "0000:80:00.0",
				     "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001" };
#define NDEV (sizeof(names) / sizeof(names[0]))

static struct {
	struct iommufd_sim *sim;
	struct iommufd_ctx *old, *new;
	struct iommufd_container *c;
	struct iommufd_device *dev[NDEV];
	long objects;
	bool ready;
} w;

static void setup(void)
{
	const char *seed = getenv("FUZZ_STATE_SEED");
	int memfd, ifd;
	size_t i;

	if (iommufd_sim_new(NULL, &w.sim) || iommufd_sim_open(w.sim, &w.old))
		fail("simulator");
	if (iommufd_container_new(w.old, IOMMUFD_CONTAINER_DIRTY_TRACKING, &w.c))
		fail("container");
	for (i = 0; i < NDEV; i++)
		if (iommufd_device_open(w.old, names[i], &w.dev[i]) ||
		    iommufd_container_attach(w.c, w.dev[i]))
			fail("device %s: %s", names[i], iommufd_last_error(w.old));
	memfd = memfd_create("guest", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, 2 * LEN) ||
	    iommufd_container_map_file(w.c, memfd, 0, IOVA, LEN, false) ||
	    iommufd_container_set_dirty_tracking(w.c, true) ||
	    iommufd_sim_dma_write(w.sim, names[0], IOVA + PAGE, PAGE) ||
	    iommufd_container_map_file(w.c, memfd, LEN, IOVA + LEN, PAGE, true) ||
	    iommufd_container_map_file(w.c, memfd, LEN, IOVA + 2 * LEN, PAGE, false) ||
	    iommufd_sim_dma_write(w.sim, names[2], IOVA + 2 * LEN, PAGE) ||
	    iommufd_container_unmap(w.c, IOVA + 2 * LEN, PAGE))
		fail("mappings: %s", iommufd_last_error(w.old));
	close(memfd);
	ifd = dup(iommufd_fd(w.old));
	if (ifd < 0 || iommufd_sim_from_fd(w.sim, ifd, &w.new))
		fail("the new process");
	if (seed) {
		int fd = open(seed, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || iommufd_container_save(w.c, fd) || close(fd))
			fail("seed %s: %s", seed, iommufd_last_error(w.old));
	}
	w.objects = iommufd_sim_live_objects(w.sim);
	w.ready = true;
}

/* CRC-32C (Castagnoli), as the state's checksum. */
static uint32_t crc32c(const uint8_t *p, size_t n)
{
	uint32_t crc = ~0u;
	int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
	}
	return ~crc;
}

static bool one_line(const char *msg)
{
	return msg[0] && !strchr(msg, '\n');
}

static void try_restore(const uint8_t *data, size_t size)
{
	struct iommufd_device *devs[NDEV + 1];
	struct iommufd_container *r = NULL;
	uint64_t bm = 0;
	int fd, ret, n, i;
	size_t k;

	fd = memfd_create("state", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || lseek(fd, 0, SEEK_SET))
		fail("memfd");
	ret = iommufd_container_restore(w.new, fd, &r);
	close(fd);
	if (ret) {
		if (ret > 0 || r)
			fail("restore: %d, container %p", ret, (void *)r);
		if (!one_line(iommufd_last_error(w.new)))
			fail("restore %d: message \"%s\"", ret, iommufd_last_error(w.new));
	} else {
		if (iommufd_container_ioas_id(r) != iommufd_container_ioas_id(w.c))
			fail("restored ioas %u", iommufd_container_ioas_id(r));
		n = iommufd_container_devices(r, devs, NDEV + 1);
		if (n < 0 || n > (int)NDEV)
			fail("restored %d devices", n);
		for (i = 0; i < n; i++) {
			bool known = false;

			for (k = 0; k < NDEV; k++)
				known |= !strcmp(iommufd_device_name(devs[i]), names[k]) &&
					 (iommufd_device_is_emulated(devs[i]) ||
					  iommufd_device_id(devs[i]) == iommufd_device_id(w.dev[k]));
			if (!known)
				fail("restored %s, dev_id %u", iommufd_device_name(devs[i]),
				     iommufd_device_id(devs[i]));
		}
		/* let go: the old process keeps it */
		iommufd_container_forget(r);
		for (i = 0; i < n; i++)
			iommufd_device_close(devs[i]);
	}
	if (iommufd_sim_live_objects(w.sim) != w.objects)
		fail("objects %ld, were %ld", iommufd_sim_live_objects(w.sim), w.objects);
	/* the old container works as before */
	if (iommufd_sim_dma_write(w.sim, names[1], IOVA + 3 * PAGE, PAGE) ||
	    iommufd_container_read_dirty(w.c, IOVA, 64 * PAGE, PAGE, &bm,
					 IOMMUFD_DIRTY_NO_CLEAR) < 1 || !(bm >> 3 & 1))
		fail("the old container: %s", iommufd_last_error(w.old));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *fixed;
	uint32_t crc;
	int i;

	if (!w.ready)
		setup();
	try_restore(data, size);
	/* The same with a size and checksum that fit: the records get fuzzed, not the CRC. */
	if (size < 32 || size > (1u << 24) || memcmp(data, "iofdcpr\n", 8))
		return 0;
	fixed = malloc(size);
	if (!fixed)
		return 0;
	memcpy(fixed, data, size);
	for (i = 0; i < 8; i++)
		fixed[16 + i] = (uint64_t)size >> (8 * i);
	memset(fixed + 24, 0, 4);
	crc = crc32c(fixed, size);
	for (i = 0; i < 4; i++)
		fixed[24 + i] = crc >> (8 * i);
	try_restore(fixed, size);
	free(fixed);
	return 0;
}
