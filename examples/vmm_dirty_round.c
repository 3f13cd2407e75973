// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a VMM does with libiommufd to give devices DMA access to guest memory and to find
 * the pages they write during live migration: open the devices, put them in one container
 * (the library picks their IOMMU domains), map guest RAM, run one dirty tracking round,
 * tear everything down. Every error is reported and unwinds what was made.
 *
 *   vmm_dirty_round [--sim[=TOPOLOGY.json]] DEVICE...
 *
 * On /dev/iommu the devices do their own DMA; with --sim (or where /dev/iommu is absent)
 * each device writes a few pages by simulated DMA, and the round must find exactly those.
 *
 * Build: cc vmm_dirty_round.c $(pkg-config --cflags --libs libiommufd)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <iommufd/iommufd.h>

#define GUEST_RAM_IOVA 0x0ull		/* guest physical address of RAM: the IOVA devices use */
#define GUEST_RAM_SIZE (16ull << 20)
#define PAGE_SIZE 4096ull
#define MAX_DEVICES 16

struct vmm {
	struct iommufd_sim *sim;	/* only when simulating */
	struct iommufd_ctx *ctx;
	struct iommufd_device *devs[MAX_DEVICES];
	int ndevs;
	struct iommufd_container *c;
	void *ram;
	uint64_t *bitmap;
};

/* Failures of our own (memory, mmap, the simulator's DMA): the errno says why. */
static int fail_errno(int ret, const char *what)
{
	fprintf(stderr, "vmm_dirty_round: %s: %s\n", what, strerror(-ret));
	return ret;
}

/*
 * Library failures carry a message naming the call and the reason. Only right after a
 * failed library call: the message is that of the thread's last failure, however old.
 */
static int fail(struct vmm *v, int ret, const char *what)
{
	if (!v->ctx || !*iommufd_last_error(v->ctx))
		return fail_errno(ret, what);
	fprintf(stderr, "vmm_dirty_round: %s: %s\n", what, iommufd_last_error(v->ctx));
	return ret;
}

static int open_kernel(struct vmm *v, bool want_sim, const char *topology)
{
	int ret;

	if (!want_sim && access("/dev/iommu", F_OK) == 0) {
		ret = iommufd_open(NULL, &v->ctx);
		return ret ? fail(v, ret, "open /dev/iommu") : 0;
	}

	if (!want_sim)
		fprintf(stderr, "vmm_dirty_round: no /dev/iommu, using the simulator\n");
	ret = iommufd_sim_new(topology, &v->sim);
	if (ret) {
		fprintf(stderr, "vmm_dirty_round: simulator: %s\n", iommufd_sim_last_error());
		return ret;
	}
	ret = iommufd_sim_open(v->sim, &v->ctx);
	if (ret) {
		iommufd_sim_free(v->sim);
		v->sim = NULL;
		return fail(v, ret, "open the simulator");
	}
	return 0;
}

/* Devices, container, attach: the container chooses each device's IOMMU domain. */
static int setup_devices(struct vmm *v, char **names, int n)
{
	int i, ret;

	ret = iommufd_container_new(v->ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING, &v->c);
	if (ret)
		return fail(v, ret, "new container");
	for (i = 0; i < n; i++) {
		ret = iommufd_device_open(v->ctx, names[i], &v->devs[i]);
		if (ret)
			return fail(v, ret, names[i]);
		v->ndevs++;
		ret = iommufd_container_attach(v->c, v->devs[i]);
		if (ret)
			return fail(v, ret, names[i]);
		printf("%s: dev_id %u attached to %u\n", names[i], iommufd_device_id(v->devs[i]),
		       iommufd_device_pt_id(v->devs[i]));
	}
	/* Live migration needs every device's writes seen by the IOMMU. */
	ret = iommufd_container_dirty_status(v->c);
	if (ret < 0)
		return fail(v, ret, "dirty status");
	if (ret == 0) {
		fprintf(stderr, "vmm_dirty_round: not migratable: %s\n",
			iommufd_last_error(v->ctx));
		return -EOPNOTSUPP;
	}
	return 0;
}

/* On the simulator, each device writes three pages of its own by DMA. */
static int simulate_dma(struct vmm *v, uint64_t *expected)
{
	int i, k, ret;

	for (i = 0; i < v->ndevs; i++) {
		for (k = 0; k < 3; k++) {
			uint64_t page = 1 + i * 64 + k * 7;

			ret = iommufd_sim_dma_write(v->sim, iommufd_device_name(v->devs[i]),
						    GUEST_RAM_IOVA + page * PAGE_SIZE, PAGE_SIZE);
			if (ret)
				return fail_errno(ret, "simulated DMA");
			expected[page / 64] |= 1ull << (page % 64);
		}
	}
	return 0;
}

static int dirty_round(struct vmm *v)
{
	uint64_t pages = GUEST_RAM_SIZE / PAGE_SIZE, words = (pages + 63) / 64, i;
	uint64_t *expected;
	int n, ret;

	v->bitmap = calloc(words, sizeof(uint64_t));
	expected = calloc(words, sizeof(uint64_t));
	if (!v->bitmap || !expected) {
		free(expected);
		return fail_errno(-ENOMEM, "bitmap");
	}
	ret = iommufd_container_set_dirty_tracking(v->c, true);
	if (ret) {
		fail(v, ret, "start dirty tracking");
		goto out_free;
	}
	/* Here a VMM copies all of guest RAM to the destination while devices keep writing. */
	if (v->sim) {
		ret = simulate_dma(v, expected);
		if (ret)
			goto out_stop;
	}
	n = iommufd_container_read_dirty(v->c, GUEST_RAM_IOVA, GUEST_RAM_SIZE, PAGE_SIZE,
					 v->bitmap, 0);
	if (n < 0) {
		ret = fail(v, n, "read dirty bitmap");
		goto out_stop;
	}
	printf("dirty pages: %d\n", n);
	for (i = 0; i < pages; i++)
		if (v->bitmap[i / 64] & (1ull << (i % 64)))
			printf("  iova 0x%llx\n", (unsigned long long)(GUEST_RAM_IOVA + i * PAGE_SIZE));
	/* Here a VMM copies those pages again, and repeats until few are left. */
	if (v->sim && memcmp(expected, v->bitmap, words * sizeof(uint64_t))) {
		fprintf(stderr, "vmm_dirty_round: the dirty pages are not those the DMA wrote\n");
		ret = -EIO;
	}

out_stop:
	/* Stop even after a failure: a tracking domain costs the IOMMU work on every write. */
	n = iommufd_container_set_dirty_tracking(v->c, false);
	if (n && !ret)
		ret = fail(v, n, "stop dirty tracking");
out_free:
	free(expected);
	return ret;
}

static void teardown(struct vmm *v)
{
	int i;

	/* Reverse order: unmap, free the container (detaches), close devices, context. */
	if (v->c && v->ram)
		iommufd_container_unmap(v->c, GUEST_RAM_IOVA, GUEST_RAM_SIZE);
	iommufd_container_free(v->c);
	for (i = v->ndevs - 1; i >= 0; i--)
		iommufd_device_close(v->devs[i]);
	if (v->sim)
		printf("kernel objects left: %ld\n", iommufd_sim_live_objects(v->sim));
	iommufd_close(v->ctx);
	if (v->sim)
		iommufd_sim_free(v->sim);
	if (v->ram)
		munmap(v->ram, GUEST_RAM_SIZE);
	free(v->bitmap);
}

int main(int argc, char **argv)
{
	const char *topology = NULL;
	struct vmm v = { 0 };
	bool want_sim = false;
	int first = 1, ret;

	if (argc > 1 && !strncmp(argv[1], "--sim", 5) && (!argv[1][5] || argv[1][5] == '=')) {
		want_sim = true;
		topology = argv[1][5] ? argv[1] + 6 : NULL;
		first = 2;
	}
	if (argc - first < 1 || argc - first > MAX_DEVICES) {
		fprintf(stderr, "usage: %s [--sim[=TOPOLOGY.json]] DEVICE... (at most %d)\n",
			argv[0], MAX_DEVICES);
		return 2;
	}

	ret = open_kernel(&v, want_sim, topology);
	if (ret)
		return 1;
	ret = setup_devices(&v, argv + first, argc - first);
	if (ret)
		goto out;

	/* Guest RAM: the devices' DMA lands here. */
	v.ram = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	if (v.ram == MAP_FAILED) {
		v.ram = NULL;
		ret = fail_errno(-errno, "mmap guest RAM");
		goto out;
	}
	ret = iommufd_container_map(v.c, v.ram, GUEST_RAM_IOVA, GUEST_RAM_SIZE, false);
	if (ret) {
		fail(&v, ret, "map guest RAM");
		/* Nothing mapped: teardown must not unmap. */
		munmap(v.ram, GUEST_RAM_SIZE);
		v.ram = NULL;
		goto out;
	}
	ret = dirty_round(&v);
out:
	teardown(&v);
	return ret ? 1 : 0;
}
