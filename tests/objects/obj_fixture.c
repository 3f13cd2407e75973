// SPDX-License-Identifier: LGPL-2.1-or-later
/* The object tests' shared fixture: see obj_fixture.h. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "obj_fixture.h"

const char fx_topology[] =
	"{ \"iommus\": ["
	"  { \"name\": \"dmar0\", \"driver\": \"intel-vtd\", \"dirty_tracking\": true,"
	"    \"iova_bits\": 48, \"pgsizes\": [\"4K\", \"2M\", \"1G\"] },"
	"  { \"name\": \"dmar1\", \"driver\": \"intel-vtd\", \"dirty_tracking\": false,"
	"    \"iova_bits\": 39, \"pgsizes\": [\"4K\", \"2M\"] } ],"
	"  \"devices\": ["
	"  { \"name\": \"" DEV_DIRTY "\", \"iommu\": \"dmar0\" },"
	"  { \"name\": \"" DEV_DIRTY2 "\", \"iommu\": \"dmar0\" },"
	"  { \"name\": \"" DEV_NODIRTY "\", \"iommu\": \"dmar1\" },"
	"  { \"name\": \"" DEV_MDEV "\", \"emulated\": true } ] }";

static int setup_on(void **state, const char *topology)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	if (iommufd_sim_new(topology, &f->sim)) {
		fprintf(stderr, "topology: %s\n", iommufd_sim_last_error());
		free(f);
		return -1;
	}
	if (iommufd_sim_open(f->sim, &f->ctx))
		goto out_sim;
	/* 2 MiB aligned: kernel-chosen IOVAs keep the buffer's alignment. */
	f->map_len = BUF_LEN + (2ull << 20);
	f->map = mmap(NULL, f->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->map == MAP_FAILED)
		goto out_ctx;
	f->buf = (char *)(((uintptr_t)f->map + (2ull << 20) - 1) & ~(uintptr_t)((2ull << 20) - 1));
	f->live_start = iommufd_sim_live_objects(f->sim);
	*state = f;
	return 0;

out_ctx:
	iommufd_close(f->ctx);
out_sim:
	iommufd_sim_free(f->sim);
	free(f);
	return -1;
}

int fx_setup(void **state)
{
	return setup_on(state, fx_topology);
}

int fx_setup_6_12(void **state)
{
	static char topo[sizeof(fx_topology) + 32];

	/* the same host, imitating Linux 6.12 */
	snprintf(topo, sizeof(topo), "{ \"kernel\": \"6.12\",%s", fx_topology + 1);
	return setup_on(state, topo);
}

int fx_teardown(void **state)
{
	struct fx *f = *state;
	long live = iommufd_sim_live_objects(f->sim);
	long start = f->live_start;
	long after_close;

	iommufd_close(f->ctx);
	after_close = iommufd_sim_live_objects(f->sim);
	iommufd_sim_free(f->sim);
	munmap(f->map, f->map_len);
	free(f);
	/* The test, and every failed call in it, left no kernel object behind. */
	assert_int_equal(live, start);
	/* Closing the context leaves nothing of it in the kernel. */
	assert_int_equal(after_close, 0);
	return 0;
}

uint32_t fx_ioas(struct fx *f)
{
	uint32_t id = 0;

	assert_int_equal(iommufd_ioas_alloc(f->ctx, &id), 0);
	assert_int_not_equal(id, 0);
	return id;
}

struct iommufd_device *fx_dev(struct fx *f, const char *name)
{
	struct iommufd_device *dev = NULL;
	int ret = iommufd_device_open(f->ctx, name, &dev);

	if (ret)
		fail_msg("open %s: %d %s", name, ret, iommufd_last_error(f->ctx));
	assert_non_null(dev);
	return dev;
}

void fx_map(struct fx *f, uint32_t ioas, uint64_t off, uint64_t iova, uint64_t len, uint32_t flags)
{
	uint64_t got = iova;
	int ret;

	ret = iommufd_ioas_map(f->ctx, ioas, f->buf + off, len, &got,
			       flags | IOMMUFD_MAP_FIXED_IOVA);
	if (ret)
		fail_msg("map ioas %u iova 0x%llx len 0x%llx: %d %s", ioas,
			 (unsigned long long)iova, (unsigned long long)len, ret,
			 iommufd_last_error(f->ctx));
	assert_int_equal(got, iova);
}

bool fx_mapped(struct fx *f, uint32_t ioas, uint64_t iova, uint64_t len)
{
	uint32_t scratch = fx_ioas(f);
	uint64_t dst = 0;
	int ret;

	/* COPY takes the pages of exactly the mapped range, else ENOENT. */
	ret = iommufd_ioas_copy(f->ctx, scratch, ioas, iova, len, &dst, IOMMUFD_MAP_READONLY);
	assert_int_equal(iommufd_destroy(f->ctx, scratch), 0);
	if (ret && ret != -ENOENT)
		fail_msg("probe copy: %d %s", ret, iommufd_last_error(f->ctx));
	return ret == 0;
}

bool fx_unmapped(struct fx *f, uint32_t ioas, uint64_t iova, uint64_t len)
{
	uint64_t i;

	/* A fixed map of each page fails with EEXIST where something is mapped. */
	for (i = 0; i < len; i += PAGE) {
		uint64_t at = iova + i, unmapped = 0;
		int ret = iommufd_ioas_map(f->ctx, ioas, f->buf, PAGE, &at,
					   IOMMUFD_MAP_FIXED_IOVA | IOMMUFD_MAP_READONLY);

		if (ret == -EEXIST)
			return false;
		if (ret)
			fail_msg("probe map 0x%llx: %d %s", (unsigned long long)(iova + i), ret,
				 iommufd_last_error(f->ctx));
		assert_int_equal(iommufd_ioas_unmap(f->ctx, ioas, at, PAGE, &unmapped), 0);
		assert_int_equal(unmapped, PAGE);
	}
	return true;
}

void fx_assert_msg(struct iommufd_ctx *ctx, int err, const char *const *words)
{
	const char *msg = iommufd_last_error(ctx);

	if (!strstr(msg, strerror(err)))
		fail_msg("last error \"%s\" does not say \"%s\"", msg, strerror(err));
	for (; *words; words++)
		if (!strstr(msg, *words))
			fail_msg("last error \"%s\" does not name \"%s\"", msg, *words);
}
