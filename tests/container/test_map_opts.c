// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Container mappings by named ranges (iommufd_container_map_opts) and of files
 * (iommufd_container_map_file, IOAS_MAP_FILE): they map as iommufd_container_map
 * does, are tracked and unmapped the same way; bad input and kernel refusals
 * leave the container as it was.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"

static int memfd(uint64_t len)
{
	int fd = memfd_create("container-map-file", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)len), 0);
	return fd;
}

static void named_ranges_map_memory(void **state)
{
	IOMMUFD_OPTS(iommufd_map_opts, m, .va = NULL, .iova = MEM_IOVA, .length = 4 * PAGE);
	IOMMUFD_OPTS(iommufd_map_opts, ro, .iova = MEM_IOVA + 4 * PAGE, .length = 4 * PAGE,
		     .flags = IOMMUFD_MAP_READONLY);
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_attach(&f, DEV_A0);
	m.va = f.mem;
	ro.va = (char *)f.mem + 4 * PAGE;
	assert_int_equal(iommufd_container_map_opts(f.c, &m), 0);
	assert_int_equal(iommufd_container_map_opts(f.c, &ro), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA, 4 * PAGE), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA + 4 * PAGE, PAGE), -EFAULT);
	/* Tracked as any mapping: an overlap is refused, an unmap finds it. */
	assert_int_equal(iommufd_container_map_opts(f.c, &m), -EEXIST);
	assert_int_equal(iommufd_container_unmap(f.c, MEM_IOVA, 8 * PAGE), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA, PAGE), -EFAULT);
	fx_fini(&f);
}

static void files_map_like_memory(void **state)
{
	int fd = memfd(64 * PAGE);
	IOMMUFD_OPTS(iommufd_map_opts, m, .fd = fd, .offset = 16 * PAGE, .iova = MEM_IOVA,
		     .length = 16 * PAGE);
	uint64_t bm[MEM_LEN / PAGE / 64];
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_attach(&f, DEV_A0);
	fx_attach(&f, DEV_S0);
	assert_int_equal(iommufd_container_map_opts(f.c, &m), 0);
	assert_int_equal(iommufd_container_map_file(f.c, fd, 0, MEM_IOVA + 16 * PAGE, 4 * PAGE,
						    true), 0);
	/* The container holds nothing of the caller's: the kernel keeps the file. */
	assert_int_equal(close(fd), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_S0, MEM_IOVA + PAGE, PAGE), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA + 16 * PAGE, PAGE),
			 -EFAULT);
	/* Dirty tracking covers file mappings as any other. */
	assert_int_equal(iommufd_container_set_dirty_tracking(f.c, true), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA + 3 * PAGE, PAGE), 0);
	assert_int_equal(fx_read(&f, bm, 0), 1);
	assert_true(bit(bm, 3));
	/* A device joining later gets the file's pages too. */
	fx_attach(&f, DEV_B0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_B0, MEM_IOVA, PAGE), 0);
	assert_int_equal(iommufd_container_unmap(f.c, 0, UINT64_MAX), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_B0, MEM_IOVA, PAGE), -EFAULT);
	fx_fini(&f);
}

/* Every refusal: a message, -errno, and the container as it was. */
static void bad_mappings_change_nothing(void **state)
{
	int fd = memfd(16 * PAGE);
	IOMMUFD_OPTS(iommufd_map_opts, m, .iova = MEM_IOVA, .length = PAGE);
	struct {
		struct iommufd_map_opts m;
		uint64_t newer;
	} big = { .m.size = sizeof(big), .m.fd = fd, .m.iova = MEM_IOVA, .m.length = PAGE,
		  .newer = 1 };
	struct fx_state before, after;
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_attach(&f, DEV_A0);
	fx_map(&f);
	m.iova = MEM_IOVA + MEM_LEN;
	fx_snapshot(&f, &before);

	/* memory and a file at once */
	m.va = f.mem;
	m.fd = fd;
	assert_int_equal(iommufd_container_map_opts(f.c, &m), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "va and a file"));
	m.fd = 0;
	m.offset = PAGE;
	assert_int_equal(iommufd_container_map_opts(f.c, &m), -EINVAL);
	/* the flags a container has no use for */
	m.offset = 0;
	m.flags = IOMMUFD_MAP_FIXED_IOVA;
	assert_int_equal(iommufd_container_map_opts(f.c, &m), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "only IOMMUFD_MAP_READONLY"));
	m.flags = 0;
	/* no file */
	m.va = NULL;
	m.fd = -1;
	assert_int_equal(iommufd_container_map_opts(f.c, &m), -EBADF);
	assert_int_equal(iommufd_container_map_file(f.c, -1, 0, MEM_IOVA + MEM_LEN, PAGE, false),
			 -EBADF);
	/* the opts themselves */
	assert_int_equal(iommufd_container_map_opts(f.c, NULL), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "opts is NULL"));
	m.size = 8;
	assert_int_equal(iommufd_container_map_opts(f.c, &m), -EINVAL);
	assert_int_equal(iommufd_container_map_opts(f.c, &big.m), -E2BIG);
	assert_int_equal(iommufd_container_map_opts(NULL, &big.m), -EINVAL);
	/* ranges, as iommufd_container_map checks them */
	assert_int_equal(iommufd_container_map_file(f.c, fd, 0, MEM_IOVA, PAGE, false), -EEXIST);
	assert_int_equal(iommufd_container_map_file(f.c, fd, 0, MEM_IOVA + MEM_LEN, 0, false),
			 -EINVAL);
	assert_int_equal(iommufd_container_map_file(f.c, fd, 0, MEM_IOVA + MEM_LEN + 512, PAGE,
						    false), -EINVAL);
	/* the kernel: past the end of the file */
	assert_int_equal(iommufd_container_map_file(f.c, fd, 16 * PAGE, MEM_IOVA + MEM_LEN, PAGE,
						    false), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "IOAS_MAP_FILE"));
	/* a kernel before 6.13 (the map is the first kernel call): the message says so */
	assert_int_equal(iommufd_sim_fail_nth(f.sim, 1, ENOTTY), 0);
	assert_int_equal(iommufd_container_map_file(f.c, fd, 0, MEM_IOVA + MEM_LEN, PAGE, false),
			 -ENOTTY);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "IOMMU_IOAS_MAP_FILE"));
	assert_non_null(strstr(iommufd_last_error(f.ctx), "Linux 6.13 or later does"));
	assert_non_null(strstr(iommufd_last_error(f.ctx), "map [0x41000000, 0x41000fff]"));
	fx_snapshot(&f, &after);
	fx_assert_same(&before, &after);
	close(fd);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(named_ranges_map_memory),
		cmocka_unit_test(files_map_like_memory),
		cmocka_unit_test(bad_mappings_change_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
