// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulator's own life: fault injection, live object counts across
 * contexts, contexts opened through the public API outliving
 * iommufd_sim_free(), and concurrent use from several threads.
 */
#include <limits.h>
#include <pthread.h>
#include <unistd.h>

#include "sim_test.h"

static void test_fail_nth(void **state)
{
	struct iommufd_sim *sim = new_sim(NULL);
	struct iofd_ioas_alloc alloc = { .size = sizeof(alloc) };
	int ifd = open_iommufd(sim);

	/* the next call fails with the error, and does nothing */
	assert_int_equal(iommufd_sim_fail_nth(sim, 1, EIO), 0);
	assert_int_equal(t_ioctl(sim, ifd, IOFD_IOAS_ALLOC, &alloc), -EIO);
	assert_int_equal(alloc.out_ioas_id, 0);
	assert_int_equal(iommufd_sim_live_objects(sim), 0);
	/* one shot: the call after works */
	assert_int_equal(ioas_alloc(sim, ifd), 1);
	/* the third call from now; opens count too; a negative errno is taken as well */
	assert_int_equal(iommufd_sim_fail_nth(sim, 3, -ENOMEM), 0);
	assert_int_equal(ioas_alloc(sim, ifd), 2);
	{
		int dfd = t_open(sim, CDEV_A);

		assert_true(dfd >= 0);
		t_close(sim, dfd); /* close is not a counted call */
	}
	assert_int_equal(t_open(sim, "/dev/iommu"), -ENOMEM);
	assert_int_equal(ioas_alloc(sim, ifd), 3);
	/* disarm */
	assert_int_equal(iommufd_sim_fail_nth(sim, 2, EIO), 0);
	assert_int_equal(iommufd_sim_fail_nth(sim, 0, 0), 0);
	assert_int_equal(ioas_alloc(sim, ifd), 4);
	assert_int_equal(ioas_alloc(sim, ifd), 5);
	/* arming needs an error */
	assert_int_equal(iommufd_sim_fail_nth(sim, 1, 0), -EINVAL);
	assert_int_equal(iommufd_sim_fail_nth(NULL, 1, EIO), -EINVAL);
	/* only an errno: 1..4095 (or its negative); nothing is armed by a refused value */
	assert_int_equal(iommufd_sim_fail_nth(sim, 1, INT_MIN), -EINVAL);
	assert_int_equal(iommufd_sim_fail_nth(sim, 1, INT_MAX), -EINVAL);
	assert_int_equal(iommufd_sim_fail_nth(sim, 1, 4096), -EINVAL);
	assert_int_equal(iommufd_sim_fail_nth(sim, 1, -4096), -EINVAL);
	assert_int_equal(ioas_alloc(sim, ifd), 6);
	assert_int_equal(destroy(sim, ifd, 6), 0);
	assert_int_equal(iommufd_sim_fail_nth(sim, 1, 4095), 0);
	assert_int_equal(t_ioctl(sim, ifd, IOFD_IOAS_ALLOC, &alloc), -4095);
	/* disarming takes any err */
	assert_int_equal(iommufd_sim_fail_nth(sim, 1, EIO), 0);
	assert_int_equal(iommufd_sim_fail_nth(sim, 0, INT_MIN), 0);
	assert_int_equal(ioas_alloc(sim, ifd), 6);
	assert_int_equal(destroy(sim, ifd, 6), 0);
	/* a failed bind leaves no object behind */
	{
		struct iofd_vfio_device_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = ifd };
		int dfd = t_open(sim, CDEV_A);

		assert_int_equal(iommufd_sim_fail_nth(sim, 1, EPERM), 0);
		assert_int_equal(t_ioctl(sim, dfd, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind), -EPERM);
		assert_int_equal(iommufd_sim_live_objects(sim), 5);
		assert_int_equal(t_ioctl(sim, dfd, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind), 0);
		assert_int_equal(iommufd_sim_live_objects(sim), 6);
		t_close(sim, dfd);
	}
	iommufd_sim_free(sim);
}

static void test_live_objects_across_contexts(void **state)
{
	struct iommufd_sim *sim = new_sim(NULL);
	int i1 = open_iommufd(sim), i2 = open_iommufd(sim);
	uint32_t pt;
	int fa, fm;

	assert_int_equal(iommufd_sim_live_objects(sim), 0);
	assert_int_equal(iommufd_sim_live_objects(NULL), -EINVAL);
	ioas_alloc(sim, i1);
	pt = ioas_alloc(sim, i2);
	fa = bind_dev(sim, i2, CDEV_A, NULL);
	fm = bind_dev(sim, i1, CDEV_M, NULL);
	assert_int_equal(attach(sim, fa, &pt), 0);
	/* 2 IOAS, a device, an access, an automatic domain */
	assert_int_equal(iommufd_sim_live_objects(sim), 5);
	t_close(sim, i2); /* kept alive by its device */
	assert_int_equal(iommufd_sim_live_objects(sim), 5);
	t_close(sim, fa);
	assert_int_equal(iommufd_sim_live_objects(sim), 2);
	t_close(sim, i1);
	assert_int_equal(iommufd_sim_live_objects(sim), 2);
	t_close(sim, fm);
	assert_int_equal(iommufd_sim_live_objects(sim), 0);
	iommufd_sim_free(sim);
}

/* Through the public API: contexts hold the simulator, so it may be freed first. */
static void test_public_api_refcount(void **state)
{
	struct iommufd_sim *sim = new_sim(NULL);
	struct iommufd_ctx *c1 = NULL, *c2 = NULL;
	uint32_t ioas;
	int fd;

	assert_int_equal(iommufd_sim_open(sim, &c1), 0);
	assert_int_equal(iommufd_sim_open(sim, &c2), 0);
	assert_true(iommufd_is_simulated(c1));
	fd = iommufd_fd(c1);
	assert_true(fd >= 0 && fcntl(fd, F_GETFD) >= 0);
	assert_int_equal(iommufd_ioas_alloc(c1, &ioas), 0);
	assert_int_equal(ioas, 1);
	iommufd_sim_free(sim);
	/* still working */
	assert_int_equal(iommufd_ioas_alloc(c2, &ioas), 0);
	assert_int_equal(iommufd_sim_live_objects(sim), 2);
	iommufd_close(c1);
	assert_true(fcntl(fd, F_GETFD) < 0);
	assert_int_equal(iommufd_sim_live_objects(sim), 1);
	iommufd_close(c2); /* the last reference: the simulator goes */
}

static void test_sim_open_failure_leaks_nothing(void **state)
{
	struct iommufd_sim *sim = new_sim(NULL);
	struct iommufd_ctx *ctx = (void *)1;

	assert_int_equal(iommufd_sim_fail_nth(sim, 1, ENFILE), 0);
	assert_int_equal(iommufd_sim_open(sim, &ctx), -ENFILE);
	assert_null(ctx);
	assert_int_equal(iommufd_sim_open(NULL, &ctx), -EINVAL);
	assert_int_equal(iommufd_sim_open(sim, NULL), -EINVAL);
	/* the failed open gave back its reference: this frees the simulator */
	iommufd_sim_free(sim);
	iommufd_sim_free(NULL);
}

static void *read_last_error(void *arg)
{
	return (void *)iommufd_sim_last_error();
}

static void test_last_error_is_per_thread(void **state)
{
	struct iommufd_sim *sim = NULL;
	pthread_t th;
	void *other;

	assert_int_equal(iommufd_sim_new("{ \"devices\": 3 }", &sim), -EINVAL);
	assert_non_null(strstr(iommufd_sim_last_error(), "devices"));
	/* another thread has its own, empty, message */
	assert_int_equal(pthread_create(&th, NULL, read_last_error, NULL), 0);
	assert_int_equal(pthread_join(th, &other), 0);
	assert_true(other != (void *)iommufd_sim_last_error());
	assert_non_null(strstr(iommufd_sim_last_error(), "devices"));
	assert_int_equal(iommufd_sim_new(NULL, NULL), -EINVAL);
	sim = new_sim(NULL);
	assert_string_equal(iommufd_sim_last_error(), "");
	iommufd_sim_free(sim);
}

/* ---- threads ------------------------------------------------------------ */

struct worker {
	struct iommufd_sim *sim;
	const char *cdev;
	const char *name;
	int rounds;
	int failures;
	char *buf;
};

#define WORKER_BUF (8 * SZ_4K)

/* Each thread has its own context and device and churns through the commands. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int r;

	for (r = 0; r < w->rounds; r++) {
		struct iofd_ioas_alloc alloc = { .size = sizeof(alloc) };
		struct iofd_vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
		struct iofd_vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
		struct iofd_hwpt_alloc ha = { .size = sizeof(ha) };
		struct iofd_ioas_unmap un = { .size = sizeof(un), .length = UINT64_MAX };
		struct iofd_ioas_map mp = { .size = sizeof(mp) };
		struct iofd_destroy de = { .size = sizeof(de) };
		uint64_t bm = 0;
		int ifd, dfd;

		ifd = t_open(w->sim, "/dev/iommu");
		dfd = t_open(w->sim, w->cdev);
		if (ifd < 0 || dfd < 0)
			goto fail;
		bind.iommufd = ifd;
		if (t_ioctl(w->sim, ifd, IOFD_IOAS_ALLOC, &alloc) ||
		    t_ioctl(w->sim, dfd, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind))
			goto fail;
		ha.dev_id = bind.out_devid;
		ha.pt_id = alloc.out_ioas_id;
		ha.flags = IOFD_HWPT_ALLOC_DIRTY_TRACKING;
		at.pt_id = alloc.out_ioas_id;
		mp.flags = IOFD_IOAS_MAP_READABLE | IOFD_IOAS_MAP_WRITEABLE;
		mp.ioas_id = alloc.out_ioas_id;
		mp.user_va = (uintptr_t)w->buf;
		mp.length = WORKER_BUF;
		if (t_ioctl(w->sim, ifd, IOFD_HWPT_ALLOC, &ha) ||
		    t_ioctl(w->sim, ifd, IOFD_IOAS_MAP, &mp))
			goto fail;
		at.pt_id = ha.out_hwpt_id;
		if (t_ioctl(w->sim, dfd, IOFD_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) ||
		    set_dirty(w->sim, ifd, ha.out_hwpt_id, true) ||
		    iommufd_sim_dma_write(w->sim, w->name, mp.iova + SZ_4K, 1) ||
		    get_dirty(w->sim, ifd, ha.out_hwpt_id, mp.iova, WORKER_BUF, SZ_4K, &bm, 0) ||
		    bm != 2)
			goto fail;
		un.ioas_id = alloc.out_ioas_id;
		de.id = ha.out_hwpt_id;
		/* in use until the device leaves */
		if (t_ioctl(w->sim, ifd, IOFD_DESTROY, &de) != -EBUSY)
			goto fail;
		t_close(w->sim, dfd);
		if (t_ioctl(w->sim, ifd, IOFD_DESTROY, &de) ||
		    t_ioctl(w->sim, ifd, IOFD_IOAS_UNMAP, &un) || un.length != WORKER_BUF)
			goto fail;
		t_close(w->sim, ifd);
		continue;
fail:
		w->failures++;
		if (dfd >= 0)
			t_close(w->sim, dfd);
		if (ifd >= 0)
			t_close(w->sim, ifd);
	}
	return NULL;
}

static void test_threads(void **state)
{
	static const char *const cdevs[] = { CDEV_A, CDEV_B, CDEV_C, CDEV_S };
	static const char *const names[] = { DEV_A, DEV_B, DEV_C, DEV_S };
	struct iommufd_sim *sim = new_sim(
		"{ \"iommus\": [ { \"name\": \"d0\", \"driver\": \"intel-vtd\", \"dirty_tracking\": true },"
		"                { \"name\": \"d1\", \"driver\": \"intel-vtd\", \"dirty_tracking\": true } ],"
		"  \"devices\": [ { \"name\": \"" DEV_A "\", \"iommu\": \"d0\" },"
		"                 { \"name\": \"" DEV_B "\", \"iommu\": \"d0\" },"
		"                 { \"name\": \"" DEV_C "\", \"iommu\": \"d1\" },"
		"                 { \"name\": \"" DEV_S "\", \"iommu\": \"d1\" } ] }");
	struct worker w[4];
	pthread_t th[4];
	int i;

	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){ sim, cdevs[i], names[i], 200, 0, test_buf(WORKER_BUF) };
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
		free_buf(w[i].buf, WORKER_BUF);
	}
	assert_int_equal(iommufd_sim_live_objects(sim), 0);
	iommufd_sim_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_nth),
		cmocka_unit_test(test_live_objects_across_contexts),
		cmocka_unit_test(test_public_api_refcount),
		cmocka_unit_test(test_sim_open_failure_leaks_nothing),
		cmocka_unit_test(test_last_error_is_per_thread),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
