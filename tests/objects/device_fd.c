// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Devices from file descriptors on the simulator: a cdev fd the program opened
 * (iommufd_sim_open_cdev, as open() of /dev/vfio/devices/vfioN) given to
 * iommufd_device_from_fd; the fd stays the caller's, open and bound, after
 * iommufd_device_close; wrong files are refused and change nothing;
 * iommufd_device_fd.
 */
#include <fcntl.h>
#include <unistd.h>

#include "obj_fixture.h"

static int open_cdev(struct fx *f, const char *name)
{
	int fd = iommufd_sim_open_cdev(f->sim, name);

	if (fd < 0)
		fail_msg("open cdev %s: %d", name, fd);
	return fd;
}

static struct iommufd_device *from_fd(struct fx *f, int fd)
{
	struct iommufd_device *dev = NULL;
	int ret = iommufd_device_from_fd(f->ctx, fd, &dev);

	if (ret)
		fail_msg("from fd %d: %d %s", fd, ret, iommufd_last_error(f->ctx));
	assert_non_null(dev);
	return dev;
}

/* The device behind the fd, bound as iommufd_device_open() binds it; the fd is the caller's. */
static void test_from_fd_binds(void **state)
{
	struct fx *f = *state;
	int fd = open_cdev(f, DEV_DIRTY);
	struct iommufd_device *dev;
	uint32_t a = fx_ioas(f);
	long live;

	fx_map(f, a, 0, 0x100000, PAGE, 0);
	live = iommufd_sim_live_objects(f->sim);
	dev = from_fd(f, fd);
	assert_string_equal(iommufd_device_name(dev), DEV_DIRTY);
	assert_string_equal(iommufd_device_iommu(dev), "dmar0");
	assert_non_null(strstr(iommufd_device_cdev(dev), "/dev/vfio/devices/vfio"));
	assert_false(iommufd_device_is_emulated(dev));
	assert_int_not_equal(iommufd_device_id(dev), 0);
	assert_int_equal(iommufd_device_fd(dev), fd);
	assert_int_equal(iommufd_device_dirty_capable(dev), 1);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live + 1);
	/* It works as any device: attach, DMA, detach. */
	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), 0);
	assert_int_equal(iommufd_device_detach_pt(dev), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), -EFAULT);
	iommufd_device_close(dev);
	/* The fd is still open and bound: the kernel's device object lives on. */
	assert_int_equal(iommufd_sim_live_objects(f->sim), live + 1);
	assert_int_equal(iommufd_sim_close_cdev(f->sim, fd), 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);
	assert_int_equal(iommufd_ioas_unmap(f->ctx, a, 0x100000, PAGE, NULL), 0);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

/* close detaches and forgets the device; the fd stays bound, so only a new open binds again. */
static void test_close_leaves_fd_bound(void **state)
{
	struct fx *f = *state;
	int fd = open_cdev(f, DEV_DIRTY);
	struct iommufd_device *dev = from_fd(f, fd), *again = (struct iommufd_device *)0x1;
	uint32_t a = fx_ioas(f);
	long live;

	fx_map(f, a, 0, 0x100000, PAGE, 0);
	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	live = iommufd_sim_live_objects(f->sim);
	iommufd_device_close(dev);
	/* Detached: its automatic domain went, its DMA faults; the device object stays. */
	assert_int_equal(iommufd_sim_live_objects(f->sim), live - 1);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), -EFAULT);
	/* Bound still: the same fd does not bind twice, and says so. */
	assert_err(f->ctx, iommufd_device_from_fd(f->ctx, fd, &again), EINVAL, DEV_DIRTY,
		   "bound already");
	assert_null(again);
	/* Nor does the device through a second file while the first holds it. */
	assert_err(f->ctx, iommufd_device_open(f->ctx, DEV_DIRTY, &again), EINVAL, DEV_DIRTY);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live - 1);
	/* Closed and opened again, the device binds. */
	assert_int_equal(iommufd_sim_close_cdev(f->sim, fd), 0);
	fd = open_cdev(f, DEV_DIRTY);
	dev = from_fd(f, fd);
	assert_int_equal(iommufd_device_attach_pt(dev, a), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), 0);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_sim_close_cdev(f->sim, fd), 0);
	assert_int_equal(iommufd_ioas_unmap(f->ctx, a, 0x100000, PAGE, NULL), 0);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

/* Closing the context leaves the caller's cdev fd open; closing that releases the rest. */
static void test_context_close_leaves_fd(void **state)
{
	struct fx *f = *state;
	struct iommufd_ctx *ctx2 = NULL;
	struct iommufd_device *dev = NULL;
	int fd = open_cdev(f, DEV_NODIRTY);
	long live = iommufd_sim_live_objects(f->sim);

	assert_int_equal(iommufd_sim_open(f->sim, &ctx2), 0);
	assert_int_equal(iommufd_device_from_fd(ctx2, fd, &dev), 0);
	iommufd_device_close(dev);
	iommufd_close(ctx2);
	/* The bound fd keeps ctx2's kernel context (and the device object) alive. */
	assert_int_equal(iommufd_sim_live_objects(f->sim), live + 1);
	assert_int_equal(iommufd_sim_close_cdev(f->sim, fd), 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);
	/* Gone now: a second close is refused. */
	assert_int_equal(iommufd_sim_close_cdev(f->sim, fd), -EBADF);
}

/* A device from an fd holds its context as any device does: the context may close first. */
static void test_context_closed_first(void **state)
{
	struct fx *f = *state;
	struct iommufd_ctx *ctx2 = NULL;
	struct iommufd_device *dev = NULL;
	int fd = open_cdev(f, DEV_DIRTY);
	uint32_t ioas;

	assert_int_equal(iommufd_sim_open(f->sim, &ctx2), 0);
	assert_int_equal(iommufd_device_from_fd(ctx2, fd, &dev), 0);
	assert_int_equal(iommufd_ioas_alloc(ctx2, &ioas), 0);
	iommufd_close(ctx2);
	/* The device works on: its context lives until it is closed. */
	assert_int_equal(iommufd_device_attach_pt(dev, ioas), 0);
	assert_int_not_equal(iommufd_device_pt_id(dev), 0);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_sim_close_cdev(f->sim, fd), 0);
}

/* Files that are no VFIO device cdev: each refused with why, nothing made or changed. */
static void test_wrong_files(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = (struct iommufd_device *)0x1;
	long live = iommufd_sim_live_objects(f->sim);
	int pipefd[2], closed, devnull;

	assert_int_equal(pipe(pipefd), 0);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	assert_true(devnull >= 0);
	closed = open_cdev(f, DEV_DIRTY);
	assert_int_equal(iommufd_sim_close_cdev(f->sim, closed), 0);

	assert_err(f->ctx, iommufd_device_from_fd(f->ctx, -1, &dev), EBADF, "fd -1");
	assert_null(dev);
	dev = (struct iommufd_device *)0x1;
	assert_err(f->ctx, iommufd_device_from_fd(f->ctx, closed, &dev), EBADF, "no open file");
	assert_null(dev);
	/* Files of the process the simulator does not know. */
	assert_err(f->ctx, iommufd_device_from_fd(f->ctx, pipefd[0], &dev), ENODEV,
		   "not a VFIO device cdev");
	assert_err(f->ctx, iommufd_device_from_fd(f->ctx, devnull, &dev), ENODEV,
		   "not a VFIO device cdev");
	/* The context's own /dev/iommu. */
	assert_err(f->ctx, iommufd_device_from_fd(f->ctx, iommufd_fd(f->ctx), &dev), ENODEV,
		   "/dev/iommu");
	assert_null(dev);
	assert_int_equal(iommufd_device_from_fd(f->ctx, pipefd[0], NULL), -EINVAL);
	assert_int_equal(iommufd_device_from_fd(NULL, pipefd[0], &dev), -EINVAL);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);
	/* The caller's files are as they were: open. */
	assert_true(fcntl(pipefd[0], F_GETFD) >= 0 && fcntl(devnull, F_GETFD) >= 0);
	close(pipefd[0]);
	close(pipefd[1]);
	close(devnull);
	assert_int_equal(iommufd_sim_close_cdev(f->sim, -1), -EBADF);
	assert_int_equal(iommufd_sim_close_cdev(f->sim, iommufd_fd(f->ctx)), -EBADF);
	assert_int_equal(iommufd_sim_close_cdev(NULL, 3), -EINVAL);
}

/* A device bound through another file (here the library's own open) refuses a second file. */
static void test_device_bound_elsewhere(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *owner = fx_dev(f, DEV_DIRTY), *dev = NULL;
	int fd = open_cdev(f, DEV_DIRTY);
	long live = iommufd_sim_live_objects(f->sim);
	int libfd = iommufd_device_fd(owner);

	assert_true(libfd >= 0 && libfd != fd);
	assert_err(f->ctx, iommufd_device_from_fd(f->ctx, fd, &dev), EINVAL, DEV_DIRTY,
		   "another cdev fd");
	assert_null(dev);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);
	/* The fd the library holds is bound already. */
	assert_err(f->ctx, iommufd_device_from_fd(f->ctx, libfd, &dev), EINVAL, "bound already");
	/* Once the owner closes, the waiting fd binds. */
	iommufd_device_close(owner);
	dev = from_fd(f, fd);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_sim_close_cdev(f->sim, fd), 0);
}

/* A failed bind leaves the fd unbound: the next try binds. */
static void test_failed_bind_changes_nothing(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = NULL;
	int fd = open_cdev(f, DEV_DIRTY);
	long live = iommufd_sim_live_objects(f->sim);

	assert_int_equal(iommufd_sim_fail_nth(f->sim, 1, EIO), 0);
	assert_err(f->ctx, iommufd_device_from_fd(f->ctx, fd, &dev), EIO, DEV_DIRTY);
	assert_null(dev);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);
	dev = from_fd(f, fd);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_sim_close_cdev(f->sim, fd), 0);
}

/* In a container: close leaves it (the container forgets it and drops its domain). */
static void test_container_member(void **state)
{
	struct fx *f = *state;
	struct iommufd_container *c = NULL;
	struct iommufd_domain_info d[2];
	int fd = open_cdev(f, DEV_DIRTY), mfd = open_cdev(f, DEV_MDEV);
	struct iommufd_device *dev = from_fd(f, fd), *mdev = from_fd(f, mfd);

	assert_true(iommufd_device_is_emulated(mdev));
	assert_int_equal(iommufd_device_fd(mdev), mfd);
	assert_int_equal(iommufd_container_new(f->ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING, &c), 0);
	assert_int_equal(iommufd_container_attach(c, dev), 0);
	assert_int_equal(iommufd_container_attach(c, mdev), 0);
	assert_int_equal(iommufd_container_map(c, f->buf, 0x100000, PAGE, false), 0);
	assert_int_equal(iommufd_container_domains(c, d, 2), 1);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_container_domains(c, d, 2), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_DIRTY, 0x100000, PAGE), -EFAULT);
	assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_MDEV, 0x100000, PAGE), 0);
	iommufd_device_close(mdev);
	iommufd_container_free(c);
	assert_int_equal(iommufd_sim_close_cdev(f->sim, fd), 0);
	assert_int_equal(iommufd_sim_close_cdev(f->sim, mfd), 0);
}

static void test_open_cdev_args(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_NODIRTY);
	char cdev[64];
	int fd;

	/* By cdev path too: the same device. */
	snprintf(cdev, sizeof(cdev), "%s", iommufd_device_cdev(dev));
	iommufd_device_close(dev);
	fd = open_cdev(f, cdev);
	dev = from_fd(f, fd);
	assert_string_equal(iommufd_device_name(dev), DEV_NODIRTY);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_sim_close_cdev(f->sim, fd), 0);
	assert_int_equal(iommufd_sim_open_cdev(f->sim, "no-such-device"), -ENOENT);
	assert_int_equal(iommufd_sim_open_cdev(f->sim, NULL), -EINVAL);
	assert_int_equal(iommufd_sim_open_cdev(NULL, DEV_DIRTY), -EINVAL);
	assert_int_equal(iommufd_device_fd(NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_from_fd_binds),
		FX_TEST(test_close_leaves_fd_bound),
		FX_TEST(test_context_close_leaves_fd),
		FX_TEST(test_context_closed_first),
		FX_TEST(test_wrong_files),
		FX_TEST(test_device_bound_elsewhere),
		FX_TEST(test_failed_bind_changes_nothing),
		FX_TEST(test_container_member),
		FX_TEST(test_open_cdev_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
