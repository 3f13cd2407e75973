// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Opening a context: missing paths, files that are not /dev/iommu, pre-opened
 * fds (which stay the caller's), and errnos that pass through unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <iommufd/iommufd.h>

static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void test_open_missing_path(void **state)
{
	struct iommufd_ctx *ctx = (struct iommufd_ctx *)0x1;

	assert_int_equal(iommufd_open("/nonexistent/iommu", &ctx), -ENOENT);
	assert_null(ctx);
}

/* NULL means /dev/iommu: the answer is what opening that file gives. */
static void test_open_default_path(void **state)
{
	struct iommufd_ctx *ctx = NULL;
	int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	int expect = fd < 0 ? -errno : 0;

	if (fd >= 0)
		close(fd);
	assert_int_equal(iommufd_open(NULL, &ctx), expect);
	if (expect) {
		assert_null(ctx);
		return;
	}
	assert_non_null(ctx);
	assert_false(iommufd_is_simulated(ctx));
	iommufd_close(ctx);
}

static void test_open_directory_passes_errno(void **state)
{
	struct iommufd_ctx *ctx = NULL;

	assert_int_equal(iommufd_open("/", &ctx), -EISDIR);
	assert_null(ctx);
}

static void test_open_needs_out(void **state)
{
	assert_int_equal(iommufd_open("/dev/null", NULL), -EINVAL);
	assert_int_equal(iommufd_from_fd(0, NULL), -EINVAL);
}

/* A file that is not an iommufd: the kernel answers ENOTTY to its ioctls. */
static void check_not_iommufd(struct iommufd_ctx *ctx)
{
	uint32_t ioas_id = 12345;
	const char *msg;

	assert_false(iommufd_is_simulated(ctx));
	assert_int_equal(iommufd_ioas_alloc(ctx, &ioas_id), -ENOTTY);
	assert_int_equal(ioas_id, 12345); /* untouched on failure */
	msg = iommufd_last_error(ctx);
	assert_non_null(strstr(msg, "IOAS_ALLOC"));
	assert_non_null(strstr(msg, strerror(ENOTTY)));

	assert_int_equal(iommufd_destroy(ctx, 77), -ENOTTY);
	msg = iommufd_last_error(ctx);
	assert_non_null(strstr(msg, "DESTROY"));
	assert_non_null(strstr(msg, "77"));
	assert_non_null(strstr(msg, strerror(ENOTTY)));
}

static void test_open_wrong_file(void **state)
{
	struct iommufd_ctx *ctx = NULL;

	assert_int_equal(iommufd_open("/dev/null", &ctx), 0);
	assert_non_null(ctx);
	assert_true(iommufd_fd(ctx) >= 0);
	check_not_iommufd(ctx);
	iommufd_close(ctx);
}

static void test_open_closes_its_fd(void **state)
{
	struct iommufd_ctx *ctx = NULL;
	int fd;

	assert_int_equal(iommufd_open("/dev/null", &ctx), 0);
	fd = iommufd_fd(ctx);
	assert_true(fd_is_open(fd));
	/* Not inherited across exec: a VMM's children must not hold the iommufd. */
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	iommufd_close(ctx);
	assert_false(fd_is_open(fd));
}

static void test_from_fd_wrong_file_and_fd_stays_open(void **state)
{
	struct iommufd_ctx *ctx = NULL;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(iommufd_from_fd(fd, &ctx), 0);
	assert_int_equal(iommufd_fd(ctx), fd);
	check_not_iommufd(ctx);
	iommufd_close(ctx);
	/* The fd was the caller's: still open, still usable. */
	assert_true(fd_is_open(fd));
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
}

static void test_from_fd_bad_fd(void **state)
{
	struct iommufd_ctx *ctx = (struct iommufd_ctx *)0x1;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	close(fd); /* a number that is not an open fd */
	assert_int_equal(iommufd_from_fd(fd, &ctx), -EBADF);
	assert_null(ctx);
	ctx = (struct iommufd_ctx *)0x1;
	assert_int_equal(iommufd_from_fd(-1, &ctx), -EBADF);
	assert_null(ctx);
}

static void test_fresh_context_has_no_error(void **state)
{
	struct iommufd_ctx *ctx = NULL;

	assert_int_equal(iommufd_open("/dev/null", &ctx), 0);
	assert_string_equal(iommufd_last_error(ctx), "");
	iommufd_close(ctx);
	iommufd_close(NULL); /* harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_missing_path),
		cmocka_unit_test(test_open_default_path),
		cmocka_unit_test(test_open_directory_passes_errno),
		cmocka_unit_test(test_open_needs_out),
		cmocka_unit_test(test_open_wrong_file),
		cmocka_unit_test(test_open_closes_its_fd),
		cmocka_unit_test(test_from_fd_wrong_file_and_fd_stays_open),
		cmocka_unit_test(test_from_fd_bad_fd),
		cmocka_unit_test(test_fresh_context_has_no_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
