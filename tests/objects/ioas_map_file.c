// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommufd_ioas_map_file on the simulator, which has IOAS_MAP_FILE as Linux 7.x
 * does: a memfd maps like memory, the IOAS holds the file (the caller may close
 * it), and its pages are pinned once a domain needs them: only a memfd's (tmpfs,
 * hugetlbfs), and only inside the file.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "obj_fixture.h"

#define FILE_LEN (64 * PAGE)

static int memfd(uint64_t len)
{
	int fd = memfd_create("map-file-test", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)len), 0);
	return fd;
}

/* Open files of the process: the simulator's hold on a mapped file is one. */
static int open_files(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void test_map_fixed_and_chosen(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);
	uint64_t iova = 0x100000, got = 0, unmapped = 0;
	int fd = memfd(FILE_LEN);

	assert_int_equal(iommufd_ioas_map_file(f->ctx, a, fd, 0, 16 * PAGE, &iova,
					       IOMMUFD_MAP_FIXED_IOVA), 0);
	assert_int_equal(iova, 0x100000);
	assert_true(fx_mapped(f, a, 0x100000, 16 * PAGE));
	/* The kernel picks the IOVA, aligned to the length (no address whose alignment to keep). */
	assert_int_equal(iommufd_ioas_map_file(f->ctx, a, fd, 16 * PAGE, 16 * PAGE, &got, 0), 0);
	assert_int_not_equal(got, 0);
	assert_int_equal(got % (16 * PAGE), 0);
	assert_true(fx_mapped(f, a, got, 16 * PAGE));
	/* A mapping over it: EEXIST. */
	assert_err(f->ctx, iommufd_ioas_map_file(f->ctx, a, fd, 0, PAGE, &iova,
						 IOMMUFD_MAP_FIXED_IOVA), EEXIST, "IOAS_MAP_FILE");
	assert_int_equal(iommufd_ioas_unmap(f->ctx, a, 0x100000, 16 * PAGE, &unmapped), 0);
	assert_int_equal(unmapped, 16 * PAGE);
	assert_int_equal(iommufd_ioas_unmap(f->ctx, a, got, 16 * PAGE, &unmapped), 0);
	close(fd);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

/* The IOAS holds the file: closed by the caller, it is still mapped, pinned and written. */
static void test_file_held_by_the_mapping(void **state)
{
	struct fx *f = *state;
	int files = open_files();
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f), b = fx_ioas(f);
	uint64_t iova = 0x200000, dst = 0x400000;
	int fd = memfd(FILE_LEN);

	assert_int_equal(iommufd_ioas_map_file(f->ctx, a, fd, 4 * PAGE, 8 * PAGE, &iova,
					       IOMMUFD_MAP_FIXED_IOVA), 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(open_files(), files + 2); /* the device's cdev, the mapped file */
	/* The domain pins the file's pages now. */
	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x200000, 8 * PAGE), 0);
	/* A copy shares the file's pages. */
	assert_int_equal(iommufd_ioas_copy(f->ctx, b, a, 0x200000, 8 * PAGE, &dst,
					   IOMMUFD_MAP_FIXED_IOVA), 0);
	assert_int_equal(iommufd_device_attach_pt(dev, b), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x400000, 8 * PAGE), 0);
	/* Read-only: the device may not write. */
	assert_int_equal(iommufd_ioas_unmap(f->ctx, b, 0x400000, 8 * PAGE, NULL), 0);
	assert_int_equal(iommufd_ioas_copy(f->ctx, b, a, 0x200000, 8 * PAGE, &dst,
					   IOMMUFD_MAP_FIXED_IOVA | IOMMUFD_MAP_READONLY), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x400000, PAGE), -EFAULT);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, b), 0);
	/* Destroying the IOAS drops its mappings and the file with them. */
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
	assert_int_equal(open_files(), files);
}

/* Pinning takes only a memfd's pages, inside the file: refused where a domain needs them. */
static void test_pinning_rules(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f), empty = fx_ioas(f);
	uint64_t iova = 0x100000;
	int fd = memfd(FILE_LEN), efd = eventfd(0, EFD_CLOEXEC);
	uint32_t cur;

	assert_true(efd >= 0);
	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	cur = iommufd_device_pt_id(dev);
	/* Not a memfd. */
	assert_err(f->ctx, iommufd_ioas_map_file(f->ctx, a, efd, 0, PAGE, &iova,
						 IOMMUFD_MAP_FIXED_IOVA), EINVAL, "IOAS_MAP_FILE");
	/* Past the end of the file, or ending in a page that passes it. */
	assert_err(f->ctx, iommufd_ioas_map_file(f->ctx, a, fd, FILE_LEN, PAGE, &iova,
						 IOMMUFD_MAP_FIXED_IOVA), EINVAL, "IOAS_MAP_FILE");
	assert_err(f->ctx, iommufd_ioas_map_file(f->ctx, a, fd, FILE_LEN - PAGE, 2 * PAGE, &iova,
						 IOMMUFD_MAP_FIXED_IOVA), EINVAL, "IOAS_MAP_FILE");
	/* The domain maps whole IO pages: the file offset must be aligned as the IOVA is. */
	assert_err(f->ctx, iommufd_ioas_map_file(f->ctx, a, fd, 512, PAGE, &iova,
						 IOMMUFD_MAP_FIXED_IOVA), EINVAL, "IOAS_MAP_FILE");
	assert_true(fx_unmapped(f, a, 0x100000, 2 * PAGE));
	/* Without a domain nothing is pinned yet: taken, and the attach that pins it fails. */
	assert_int_equal(iommufd_ioas_map_file(f->ctx, empty, efd, 0, PAGE, &iova,
					       IOMMUFD_MAP_FIXED_IOVA), 0);
	assert_err(f->ctx, iommufd_device_attach_pt(dev, empty), EINVAL, DEV_DIRTY);
	assert_int_equal(iommufd_device_pt_id(dev), cur);
	assert_int_equal(iommufd_ioas_unmap(f->ctx, empty, iova, PAGE, NULL), 0);
	/* A file cut short after its mapping: pinning finds the pages gone. */
	assert_int_equal(iommufd_ioas_map_file(f->ctx, empty, fd, 32 * PAGE, 8 * PAGE, &iova,
					       IOMMUFD_MAP_FIXED_IOVA), 0);
	assert_int_equal(ftruncate(fd, 16 * PAGE), 0);
	assert_err(f->ctx, iommufd_device_attach_pt(dev, empty), EINVAL, DEV_DIRTY);
	assert_int_equal(ftruncate(fd, FILE_LEN), 0);
	assert_int_equal(iommufd_device_attach_pt(dev, empty), 0);
	iommufd_device_close(dev);
	close(fd);
	close(efd);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
	assert_int_equal(iommufd_destroy(f->ctx, empty), 0);
}

static void test_bad_arguments(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_ioas(f);
	uint64_t iova = 0x100000;
	int fd = memfd(FILE_LEN), closed = memfd(PAGE);

	close(closed);
	assert_err(f->ctx, iommufd_ioas_map_file(f->ctx, a, -1, 0, PAGE, &iova,
						 IOMMUFD_MAP_FIXED_IOVA), EBADF, "fd=-1");
	assert_err(f->ctx, iommufd_ioas_map_file(f->ctx, a, closed, 0, PAGE, &iova,
						 IOMMUFD_MAP_FIXED_IOVA), EBADF, "IOAS_MAP_FILE");
	assert_err(f->ctx, iommufd_ioas_map_file(f->ctx, a, fd, 0, 0, &iova,
						 IOMMUFD_MAP_FIXED_IOVA), EINVAL, "IOAS_MAP_FILE");
	assert_err(f->ctx, iommufd_ioas_map_file(f->ctx, a, fd, UINT64_MAX - PAGE, 2 * PAGE,
						 &iova, IOMMUFD_MAP_FIXED_IOVA),
		   EOVERFLOW, "IOAS_MAP_FILE");
	assert_err(f->ctx, iommufd_ioas_map_file(f->ctx, 4242, fd, 0, PAGE, &iova,
						 IOMMUFD_MAP_FIXED_IOVA), ENOENT, "ioas=4242");
	assert_err(f->ctx, iommufd_ioas_map_file(f->ctx, a, fd, 0, PAGE, &iova, 0x80), EINVAL,
		   "unknown flags 0x80");
	assert_err(f->ctx, iommufd_ioas_map_file(f->ctx, a, fd, 0, PAGE, NULL, 0), EINVAL,
		   "iova is NULL");
	assert_int_equal(iommufd_ioas_map_file(NULL, a, fd, 0, PAGE, &iova, 0), -EINVAL);
	assert_true(fx_unmapped(f, a, 0x100000, PAGE));
	close(fd);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_map_fixed_and_chosen),
		FX_TEST(test_file_held_by_the_mapping),
		FX_TEST(test_pinning_rules),
		FX_TEST(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
