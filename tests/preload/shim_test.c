// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libiommufd-preload seen from a program that knows nothing of it: run under
 * LD_PRELOAD (tests/preload/meson.build) on tests/preload/mock.json (the
 * kernel's selftest mock IOMMU beside a VT-d unit and two devices), with raw
 * system calls only, as any program would make them:
 *  - the program's own descriptors and the simulator's never collide;
 *  - dup(), dup2(), dup3() and fcntl(F_DUPFD*) copies, and descriptors
 *    received with SCM_RIGHTS, name the same file, which lives until the
 *    last is closed, whichever goes first;
 *  - /dev/iommu and cdevs poll always ready, as the kernel's files without
 *    a poll method;
 *  - ioctls the simulator does not model answer ENOTTY;
 *  - read/write/poll on a fault queue; poll() sees the queue fill and drain;
 *  - the devices are in sysfs and /dev where programs look;
 *  - threads may use it at once; a child made by fork() has a copy.
 *
 *   shim_test            the tests (cmocka)
 *   shim_test open       open /dev/iommu once and say what it gave (for shim.py)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "uapi/iommufd_abi.h"
#include "uapi/iommufd_ext_abi.h"
#include "uapi/selftest_abi.h"
#include "uapi/vfio_abi.h"

static uint32_t ioas_alloc(int fd)
{
	struct iofd_ioas_alloc cmd = { .size = sizeof(cmd) };

	assert_int_equal(ioctl(fd, IOFD_IOAS_ALLOC, &cmd), 0);
	return cmd.out_ioas_id;
}

static int destroy(int fd, uint32_t id)
{
	struct iofd_destroy cmd = { .size = sizeof(cmd), .id = id };

	return ioctl(fd, IOFD_DESTROY, &cmd) ? -errno : 0;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* The simulator's descriptors are real ones: the program's next ones never take their numbers. */
static void test_descriptors_unique(void **state)
{
	int fds[64], seen[64], n = 0, i, k;

	(void)state;
	for (i = 0; i < 16; i++) {
		fds[n++] = open("/dev/null", O_RDONLY);
		fds[n++] = open("/dev/iommu", O_RDWR);
		fds[n++] = open("/dev/vfio/devices/vfio0", O_RDWR);
		fds[n] = open("/dev/vfio/devices/vfio0", O_RDWR); /* a cdev opens more than once */
		n++;
	}
	for (i = 0; i < n; i++) {
		assert_true(fds[i] >= 0);
		seen[i] = fds[i];
		for (k = 0; k < i; k++)
			assert_int_not_equal(seen[k], fds[i]);
	}
	/* a number freed by the simulator goes back to the program */
	k = fds[1];
	assert_int_equal(close(k), 0);
	assert_int_equal(open("/dev/null", O_RDONLY), k);
	fds[1] = k;
	for (i = 0; i < n; i++)
		assert_int_equal(close(fds[i]), 0);
	assert_int_equal(close(fds[0]), -1);
	assert_int_equal(errno, EBADF);
}

/* Copies of a descriptor name one file; it lives until its last descriptor is closed. */
static void test_dup(void **state)
{
	int fd = open("/dev/iommu", O_RDWR), a, b, c, d;
	uint32_t ioas;

	(void)state;
	assert_true(fd >= 0);
	ioas = ioas_alloc(fd);
	a = dup(fd);
	b = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	assert_true(a >= 0 && b >= 100);
	c = open("/dev/null", O_RDONLY);
	assert_int_equal(dup2(fd, c), c); /* the program's file goes, the copy takes its number */
	d = open("/dev/null", O_RDONLY);
	assert_int_equal(dup3(fd, d, O_CLOEXEC), d);
	/* the first descriptor goes first: the file stays, every copy works on it */
	assert_int_equal(close(fd), 0);
	assert_int_equal(ioas_alloc(a), ioas + 1);
	assert_int_equal(destroy(b, ioas), 0);
	assert_int_equal(destroy(c, ioas), -ENOENT);
	assert_int_equal(close(a), 0);
	assert_int_equal(close(b), 0);
	assert_int_equal(close(c), 0);
	assert_int_equal(destroy(d, ioas + 1), 0);
	/* dup2() onto a copy of the simulator's closes that copy only */
	a = open("/dev/null", O_RDONLY);
	assert_int_equal(dup2(a, d), d);
	assert_int_equal(ioctl(d, IOFD_IOAS_ALLOC, NULL), -1);
	assert_int_equal(errno, ENOTTY); /* /dev/null's own answer */
	assert_int_equal(close(a), 0);
	assert_int_equal(close(d), 0);
	assert_false(fd_open(fd));
}

/* A copy given in a command (the iommufd of BIND_IOMMUFD) names the same context. */
static void test_dup_in_argument(void **state)
{
	int fd = open("/dev/iommu", O_RDWR), copy = dup(fd);
	int dev = open("/dev/vfio/devices/vfio0", O_RDWR);
	struct iofd_vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind), .iommufd = copy,
	};

	(void)state;
	assert_true(fd >= 0 && copy >= 0 && dev >= 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(ioctl(dev, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &bind), 0);
	assert_int_equal(bind.out_devid, 1);
	assert_int_equal(close(dev), 0);
	assert_int_equal(close(copy), 0);
}

/* One descriptor over a unix socket (SCM_RIGHTS): the number it arrived at. */
static int pass_fd(int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} out, in;
	char c = 'x';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = out.buf,
		.msg_controllen = sizeof(out.buf),
	};
	struct cmsghdr *cm;
	int sv[2], got = -1;

	memset(&out, 0, sizeof(out));
	memset(&in, 0, sizeof(in));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	assert_int_equal(sendmsg(sv[0], &mh, 0), 1);
	mh.msg_control = in.buf;
	mh.msg_controllen = sizeof(in.buf);
	assert_int_equal(recvmsg(sv[1], &mh, 0), 1);
	cm = CMSG_FIRSTHDR(&mh);
	assert_non_null(cm);
	assert_int_equal(cm->cmsg_type, SCM_RIGHTS);
	memcpy(&got, CMSG_DATA(cm), sizeof(got));
	close(sv[0]);
	close(sv[1]);
	return got;
}

/* A descriptor received with SCM_RIGHTS names the same file, as on the kernel. */
static void test_received(void **state)
{
	int fd = open("/dev/iommu", O_RDWR), got;
	uint32_t ioas;

	(void)state;
	assert_true(fd >= 0);
	ioas = ioas_alloc(fd);
	got = pass_fd(fd);
	assert_true(got >= 0 && got != fd);
	/* the sender's goes first: the file stays with the received number */
	assert_int_equal(close(fd), 0);
	assert_int_equal(ioas_alloc(got), ioas + 1);
	assert_int_equal(destroy(got, ioas), 0);
	assert_int_equal(close(got), 0);
	assert_false(fd_open(got));
}

/* /dev/iommu and VFIO cdevs have no poll method: the kernel finds them always ready. */
static void test_poll_always_ready(void **state)
{
	struct pollfd pfd[2] = {
		{ .fd = open("/dev/iommu", O_RDWR), .events = POLLIN | POLLOUT },
		{ .fd = open("/dev/vfio/devices/vfio0", O_RDWR), .events = POLLIN | POLLOUT },
	};

	(void)state;
	assert_true(pfd[0].fd >= 0 && pfd[1].fd >= 0);
	assert_int_equal(poll(pfd, 2, 0), 2);
	assert_int_equal(pfd[0].revents, POLLIN | POLLOUT);
	assert_int_equal(pfd[1].revents, POLLIN | POLLOUT);
	assert_int_equal(close(pfd[1].fd), 0);
	assert_int_equal(close(pfd[0].fd), 0);
}

/* What the simulator does not model answers ENOTTY, as a kernel without it would. */
static void test_unknown_ioctls(void **state)
{
	int fd = open("/dev/iommu", O_RDWR), dev = open("/dev/vfio/devices/vfio0", O_RDWR);
	uint64_t dummy[16] = { sizeof(dummy) };

	(void)state;
	assert_int_equal(ioctl(fd, _IO(';', 0x95), dummy), -1); /* IOAS_NOIOMMU_GET_PA */
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(ioctl(fd, _IO(';', 0x9f), dummy), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(ioctl(fd, _IO('x', 1), dummy), -1);
	assert_int_equal(errno, ENOTTY);
	/* VFIO_DEVICE_GET_REGION_INFO */
	assert_int_equal(ioctl(dev, _IO(';', 100 + 8), dummy), -1);
	assert_int_equal(errno, EINVAL); /* nothing works before BIND_IOMMUFD, as in VFIO */
	/* files without read() or write() */
	assert_int_equal(read(fd, dummy, 8), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(write(fd, dummy, 8), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(close(dev), 0);
	assert_int_equal(close(fd), 0);
}

/* A fault queue: read() and write() of records, poll() on its descriptor. */
static void test_fault_queue(void **state)
{
	int fd = open("/dev/iommu", O_RDWR);
	struct iofd_fault_alloc falloc = { .size = sizeof(falloc) };
	struct iofd_hwpt_selftest data = { .iotlb = IOFD_TEST_IOTLB_DEFAULT };
	struct iofd_test_cmd md = { .size = sizeof(md), .op = IOFD_TEST_OP_MOCK_DOMAIN };
	struct iofd_test_cmd iopf = { .size = sizeof(iopf), .op = IOFD_TEST_OP_TRIGGER_IOPF };
	struct iofd_test_cmd replace = {
		.size = sizeof(replace), .op = IOFD_TEST_OP_MOCK_DOMAIN_REPLACE,
	};
	struct iofd_hwpt_alloc parent = {
		.size = sizeof(parent), .flags = IOFD_HWPT_ALLOC_NEST_PARENT,
	};
	struct iofd_hwpt_alloc nested = {
		.size = sizeof(nested), .flags = IOFD_HWPT_FAULT_ID_VALID,
		.data_type = IOFD_HWPT_DATA_SELFTEST, .data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
	};
	struct iofd_hwpt_pgfault msg[2];
	struct iofd_hwpt_page_response resp = { .code = IOFD_PAGE_RESP_SUCCESS };
	struct pollfd pfd = { .events = POLLIN };
	uint32_t ioas;

	(void)state;
	ioas = ioas_alloc(fd);
	md.id = ioas;
	assert_int_equal(ioctl(fd, IOFD_TEST_CMD, &md), 0);
	assert_int_equal(ioctl(fd, IOFD_FAULT_QUEUE_ALLOC, &falloc), 0);
	parent.dev_id = md.mock_domain.out_idev_id;
	parent.pt_id = ioas;
	assert_int_equal(ioctl(fd, IOFD_HWPT_ALLOC, &parent), 0);
	nested.dev_id = parent.dev_id;
	nested.pt_id = parent.out_hwpt_id;
	nested.fault_id = falloc.out_fault_id;
	assert_int_equal(ioctl(fd, IOFD_HWPT_ALLOC, &nested), 0);
	replace.id = md.mock_domain.out_stdev_id;
	replace.mock_domain_replace.pt_id = nested.out_hwpt_id;
	assert_int_equal(ioctl(fd, IOFD_TEST_CMD, &replace), 0);

	pfd.fd = falloc.out_fault_fd;
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(read(pfd.fd, msg, sizeof(msg)), 0); /* empty: nothing, at once */
	iopf.trigger_iopf.dev_id = parent.dev_id;
	iopf.trigger_iopf.addr = 0x1000;
	assert_int_equal(ioctl(fd, IOFD_TEST_CMD, &iopf), 0);
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	assert_true(pfd.revents & POLLIN);
	assert_int_equal(read(pfd.fd, msg, sizeof(msg[0]) - 1), -1);
	assert_int_equal(errno, ESPIPE); /* whole records only */
	assert_int_equal(read(pfd.fd, msg, sizeof(msg)), sizeof(msg[0]));
	assert_int_equal(msg[0].dev_id, parent.dev_id);
	assert_int_equal(msg[0].addr, 0x1000);
	assert_int_equal(poll(&pfd, 1, 0), 0); /* drained */
	resp.cookie = msg[0].cookie + 1;
	assert_int_equal(write(pfd.fd, &resp, sizeof(resp)), -1);
	assert_int_equal(errno, EINVAL); /* no such request */
	resp.cookie = msg[0].cookie;
	assert_int_equal(write(pfd.fd, &resp, sizeof(resp)), sizeof(resp));
	/* the file holds its queue: destroyed only once it is closed */
	assert_int_equal(destroy(fd, falloc.out_fault_id), -EBUSY);
	assert_int_equal(close(fd), 0);
	assert_int_equal(close(pfd.fd), 0);
}

/* The devices where programs look for them: /dev, /sys/class/vfio-dev, the bus. */
static void test_sysfs(void **state)
{
	char path[PATH_MAX], real[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int n = 0;
	ssize_t len;
	DIR *d;

	(void)state;
	assert_int_equal(access("/dev/iommu", F_OK), 0);
	assert_int_equal(stat("/dev/vfio/devices/vfio1", &st), 0);
	d = opendir("/sys/class/vfio-dev");
	assert_non_null(d);
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "vfio", 4);
	closedir(d);
	assert_int_equal(n, 2);
	assert_non_null(realpath("/sys/class/vfio-dev/vfio0/device", real));
	assert_string_equal(strrchr(real, '/') + 1, "0000:00:02.0");
	snprintf(path, sizeof(path), "%s/iommu", real);
	len = readlink(path, link, sizeof(link) - 1);
	assert_true(len > 0);
	link[len] = '\0';
	assert_string_equal(strrchr(link, '/') + 1, "dmar0");
	assert_int_equal(access("/sys/class/iommu/dmar0/intel-iommu", F_OK), 0);
	assert_int_equal(stat("/sys/bus/pci/devices/0000:00:02.0/vfio-dev/vfio0", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* the host's own devices are not the simulated host's */
	assert_int_equal(stat("/sys/bus/pci/devices/0000:ff:1f.7", &st), -1);
	assert_int_equal(errno, ENOENT);
}

#define THREADS 8
#define ROUNDS 300

static void *worker(void *arg)
{
	static char buf[8192] __attribute__((aligned(4096)));
	intptr_t bad = 0;
	int r, pipefd[2];

	(void)arg;
	if (pipe(pipefd))
		return (void *)1;
	for (r = 0; r < ROUNDS; r++) {
		int fd = open("/dev/iommu", O_RDWR), copy = dup(fd);
		struct iofd_ioas_alloc alloc = { .size = sizeof(alloc) };
		struct iofd_ioas_map map = {
			.size = sizeof(map),
			.flags = IOFD_IOAS_MAP_READABLE | IOFD_IOAS_MAP_WRITEABLE,
			.user_va = (uintptr_t)buf, .length = sizeof(buf),
		};
		struct iofd_ioas_unmap unmap = { .size = sizeof(unmap) };
		char c = 'x';

		if (fd < 0 || copy < 0 || ioctl(fd, IOFD_IOAS_ALLOC, &alloc))
			bad++;
		map.ioas_id = alloc.out_ioas_id;
		if (ioctl(copy, IOFD_IOAS_MAP, &map))
			bad++;
		unmap.ioas_id = alloc.out_ioas_id;
		unmap.iova = map.iova;
		unmap.length = map.length;
		if (ioctl(fd, IOFD_IOAS_UNMAP, &unmap) || unmap.length != sizeof(buf))
			bad++;
		/* the program's own files, in between */
		if (write(pipefd[1], &c, 1) != 1 || read(pipefd[0], &c, 1) != 1 || c != 'x')
			bad++;
		if ((r & 1 ? close(fd) || close(copy) : close(copy) || close(fd)))
			bad++;
	}
	close(pipefd[0]);
	close(pipefd[1]);
	return (void *)bad;
}

/* Threads at once: each its own contexts and copies, and the program's pipes between. */
static void test_threads(void **state)
{
	pthread_t t[THREADS];
	void *bad;
	int i, probe;

	(void)state;
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, NULL), 0);
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_ptr_equal(bad, NULL);
	}
	/* every descriptor was given back */
	probe = open("/dev/null", O_RDONLY);
	assert_true(probe >= 0 && probe < 16);
	close(probe);
}

/* fork(): the child works on a copy of the simulator; the parent's is its own. */
static void test_fork(void **state)
{
	int fd = open("/dev/iommu", O_RDWR), status;
	uint32_t ioas = ioas_alloc(fd);
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		/* the same objects, then the child's own */
		int ok = destroy(fd, ioas) == 0 && ioas_alloc(fd) == ioas && close(fd) == 0;

		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the parent's IOAS is still there, and the next id is the parent's */
	assert_int_equal(ioas_alloc(fd), ioas + 1);
	assert_int_equal(destroy(fd, ioas), 0);
	assert_int_equal(close(fd), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptors_unique),
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_dup_in_argument),
		cmocka_unit_test(test_received),
		cmocka_unit_test(test_poll_always_ready),
		cmocka_unit_test(test_unknown_ioctls),
		cmocka_unit_test(test_fault_queue),
		cmocka_unit_test(test_sysfs),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_fork),
	};
	int fd;

	if (argc > 1 && !strcmp(argv[1], "open")) {
		fd = open("/dev/iommu", O_RDWR);
		printf("open /dev/iommu: %s\n", fd >= 0 ? "ok" : strerror(errno));
		if (fd >= 0) {
			uint32_t id = 0;
			struct iofd_ioas_alloc alloc = { .size = sizeof(alloc) };

			if (!ioctl(fd, IOFD_IOAS_ALLOC, &alloc))
				id = alloc.out_ioas_id;
			printf("ioas %u\n", id);
			close(fd);
		}
		return fd >= 0 ? 0 : 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
