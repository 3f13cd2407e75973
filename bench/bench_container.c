// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Benchmarks of the container's hot paths on the simulator: map/unmap, and a
 * dirty-page harvest (read and clear) over a large guest memory with several
 * domains. Prints one line per measurement; `meson test --benchmark` runs it.
 *
 *   bench_container [MEMORY_MIB] [ROUNDS]
 *
 * The simulator is part of what is measured, so these numbers bound the
 * library's own cost from above; on the real kernel, time goes to the kernel.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#include <iommufd/iommufd.h>

#define PAGE 4096ull
/* above 4 GiB: clear of the IOMMUs' MSI windows */
#define IOVA_BASE (1ull << 32)

static const char topology[] =
	"{ \"iommus\": ["
	"  { \"name\": \"dmar0\", \"driver\": \"intel-vtd\", \"dirty_tracking\": true },"
	"  { \"name\": \"smmu0\", \"driver\": \"arm-smmu-v3\", \"dirty_tracking\": true } ],"
	"  \"devices\": [ { \"name\": \"nic0\", \"iommu\": \"dmar0\" },"
	"    { \"name\": \"nic1\", \"iommu\": \"dmar0\" },"
	"    { \"name\": \"gpu0\", \"iommu\": \"smmu0\" } ] }";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fail(struct iommufd_ctx *ctx, const char *what, int ret)
{
	fprintf(stderr, "bench: %s: %s (%s)\n", what, strerror(-ret),
		ctx ? iommufd_last_error(ctx) : "");
	return 1;
}

/* xorshift: a cheap, repeatable sequence of page numbers */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	uint64_t mib = argc > 1 ? strtoull(argv[1], NULL, 0) : 1024;
	unsigned rounds = argc > 2 ? strtoul(argv[2], NULL, 0) : 10;
	const char *names[] = { "nic0", "nic1", "gpu0" };
	struct iommufd_device *devs[3] = { 0 };
	struct iommufd_container *c = NULL;
	struct iommufd_ctx *ctx = NULL;
	struct iommufd_sim *sim = NULL;
	uint64_t len = mib << 20, npages = len / PAGE, seed = 88172645463325252ull;
	uint64_t *bitmap = NULL, found = 0, written = 0;
	double t0, t_read = 0, t_map;
	struct rusage ru;
	void *mem = MAP_FAILED;
	unsigned i, r;
	int ret, status = 1;

	ret = iommufd_sim_new(topology, &sim);
	if (ret)
		return fail(NULL, "sim_new", ret);
	ret = iommufd_sim_open(sim, &ctx);
	if (ret) {
		fail(NULL, "sim_open", ret);
		goto out;
	}
	ret = iommufd_container_new(ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING, &c);
	if (ret) {
		fail(ctx, "container_new", ret);
		goto out;
	}
	for (i = 0; i < 3; i++) {
		ret = iommufd_device_open(ctx, names[i], &devs[i]);
		if (!ret)
			ret = iommufd_container_attach(c, devs[i]);
		if (ret) {
			fail(ctx, names[i], ret);
			goto out;
		}
	}
	/* Reserved, not touched: the simulator checks the memory exists, no more. */
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	bitmap = calloc((npages + 63) / 64, sizeof(uint64_t));
	if (mem == MAP_FAILED || !bitmap) {
		fprintf(stderr, "bench: out of memory for %llu MiB\n", (unsigned long long)mib);
		goto out;
	}

	/* map/unmap of 2 MiB chunks: the VMM's memory hot-plug and vIOMMU paths */
	t0 = now();
	for (i = 0; i < len / (2u << 20); i++) {
		ret = iommufd_container_map(c, (char *)mem + i * (2ull << 20),
					    IOVA_BASE + i * (2ull << 20), 2u << 20, false);
		if (ret) {
			fail(ctx, "map", ret);
			goto out;
		}
	}
	t_map = now() - t0;
	printf("map:   %llu x 2 MiB over 3 domains: %.1f us per map\n",
	       (unsigned long long)(len >> 21), t_map * 1e6 / (len >> 21));

	ret = iommufd_container_set_dirty_tracking(c, true);
	if (ret) {
		fail(ctx, "start tracking", ret);
		goto out;
	}
	/* the first read reports everything mapped before tracking began */
	ret = iommufd_container_read_dirty(c, IOVA_BASE, len, PAGE, bitmap, 0);
	if (ret < 0) {
		fail(ctx, "read_dirty", ret);
		goto out;
	}
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 4096; i++) {
			uint64_t pg = next_rand(&seed) % npages;

			ret = iommufd_sim_dma_write(sim, names[i % 3], IOVA_BASE + pg * PAGE, PAGE);
			if (ret) {
				fail(ctx, "dma_write", ret);
				goto out;
			}
			written++;
		}
		memset(bitmap, 0, (npages + 63) / 64 * sizeof(uint64_t));
		t0 = now();
		ret = iommufd_container_read_dirty(c, IOVA_BASE, len, PAGE, bitmap, 0);
		t_read += now() - t0;
		if (ret < 0) {
			fail(ctx, "read_dirty", ret);
			goto out;
		}
		found += ret;
	}
	printf("dirty: %u rounds over %llu MiB, 3 domains: %.2f ms per read-and-clear, %.0f GiB/s "
	       "scanned; %llu page writes, %llu distinct dirty pages found\n",
	       rounds, (unsigned long long)mib, t_read * 1e3 / rounds,
	       (double)len * rounds / (1ull << 30) / t_read, (unsigned long long)written,
	       (unsigned long long)found);

	t0 = now();
	ret = iommufd_container_unmap(c, 0, UINT64_MAX);
	if (ret) {
		fail(ctx, "unmap all", ret);
		goto out;
	}
	printf("unmap: all (while tracking, bits read first): %.2f ms\n", (now() - t0) * 1e3);
	getrusage(RUSAGE_SELF, &ru);
	printf("memory: peak RSS %ld MiB (bitmap %llu KiB)\n", ru.ru_maxrss / 1024,
	       (unsigned long long)((npages + 7) / 8 / 1024));
	status = 0;
out:
	free(bitmap);
	for (i = 0; i < 3; i++)
		iommufd_device_close(devs[i]);
	iommufd_container_free(c);
	iommufd_close(ctx);
	iommufd_sim_free(sim);
	if (mem != MAP_FAILED)
		munmap(mem, len);
	return status;
}
