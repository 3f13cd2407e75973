// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The caller's memory as the kernel reaches it: a command struct, an array
 * or a buffer the simulator cannot read or write is EFAULT, never a crash.
 * The header copy follows copy_struct_from_user() (the size word, then the
 * trailing bytes past the known struct, then the struct); what the kernel
 * writes back and cannot is EFAULT, with what it had done undone where the
 * kernel undoes it (a new object) and kept where it keeps it (a mapping).
 */
#include <sys/ioctl.h>
#include <unistd.h>

#include "sim_test.h"
#include "uapi/iommufd_ext_abi.h"
#include "uapi/selftest_abi.h"

struct fixture {
	struct iommufd_sim *sim;
	int ifd;
	uint32_t ioas;
	char *mem;   /* two pages: mem[0, 4K) read-write, [4K, 8K) no access */
	char *guard; /* mem + 4K: the first byte that cannot be reached */
	char *buf;   /* memory to map */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->sim = new_sim(NULL);
	f->ifd = open_iommufd(f->sim);
	f->ioas = ioas_alloc(f->sim, f->ifd);
	f->mem = test_buf(2 * SZ_4K);
	f->guard = f->mem + SZ_4K;
	assert_int_equal(mprotect(f->guard, SZ_4K, PROT_NONE), 0);
	f->buf = test_buf(SZ_4K);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	iommufd_sim_free(f->sim);
	free_buf(f->mem, 2 * SZ_4K);
	free_buf(f->buf, SZ_4K);
	free(f);
	return 0;
}

/* The first page of the fixture's memory readable only (1) or read-write again (0). */
static void read_only(struct fixture *f, bool ro)
{
	assert_int_equal(mprotect(f->mem, SZ_4K, ro ? PROT_READ : PROT_READ | PROT_WRITE), 0);
}

/* The command header: the size word, the struct, the bytes past what the kernel knows. */
static void test_header(void **state)
{
	struct fixture *f = *state;
	struct iofd_ioas_alloc *alloc;
	struct iofd_ioas_map *map;
	long before = iommufd_sim_live_objects(f->sim);
	uint64_t unmapped = 1;

	/* no size word to read */
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOC, (void *)8), -EFAULT);
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOC, f->guard - 2), -EFAULT);
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_MAP, f->guard), -EFAULT);

	/* a struct 16 bytes before the end, its size saying 64 KiB: zeros, then the fault */
	alloc = (void *)(f->guard - 16);
	memset(alloc, 0, 16);
	alloc->size = 0x10000;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOC, alloc), -EFAULT);
	/* a set byte before the fault is seen first: E2BIG */
	f->guard[-1] = 1;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOC, alloc), -E2BIG);
	f->guard[-1] = 0;
	/* the size in reach: it works, and the answer is written back */
	alloc->size = 16;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOC, alloc), 0);
	assert_true(alloc->out_ioas_id > 0);
	assert_int_equal(destroy(f->sim, f->ifd, alloc->out_ioas_id), 0);

	/* the size word readable, the rest of the struct not: EFAULT, nothing mapped */
	map = (void *)(f->guard - 8);
	map->size = sizeof(*map);
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_MAP, map), -EFAULT);
	/* too small a size is EINVAL before the struct is read */
	map->size = 8;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_MAP, map), -EINVAL);
	/* unmapping everything of an empty IOAS succeeds, with nothing unmapped */
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0, UINT64_MAX, &unmapped), 0);
	assert_int_equal(unmapped, 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), before);
}

/* An answer that cannot be written back: a new object is undone, a mapping stays. */
static void test_answer_not_writable(void **state)
{
	struct fixture *f = *state;
	struct iofd_ioas_alloc *alloc = (void *)f->mem;
	struct iofd_ioas_map *map = (void *)(f->mem + 64);
	struct iofd_option *opt = (void *)(f->mem + 128);
	struct iofd_fault_alloc *fault = (void *)(f->mem + 192);
	long before = iommufd_sim_live_objects(f->sim);
	uint32_t next;

	memset(f->mem, 0, 256);
	alloc->size = sizeof(*alloc);
	*map = (struct iofd_ioas_map){
		.size = sizeof(*map),
		.flags = IOFD_IOAS_MAP_FIXED_IOVA | IOFD_IOAS_MAP_READABLE,
		.ioas_id = f->ioas,
		.user_va = (uintptr_t)f->buf,
		.length = SZ_4K,
		.iova = 0x100000,
	};
	*opt = (struct iofd_option){ .size = sizeof(*opt), .option_id = IOFD_OPTION_HUGE_PAGES,
				     .op = IOFD_OPTION_OP_GET, .object_id = f->ioas };
	fault->size = sizeof(*fault);
	read_only(f, true);
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOC, alloc), -EFAULT);
	assert_int_equal(iommufd_sim_live_objects(f->sim), before);
	/* a queue's file is closed and its object gone */
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_FAULT_QUEUE_ALLOC, fault), -EFAULT);
	assert_int_equal(iommufd_sim_live_objects(f->sim), before);
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_MAP, map), -EFAULT);
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_OPTION, opt), -EFAULT);
	read_only(f, false);
	/* the IOAS's id was given back; the mapping was made */
	next = ioas_alloc(f->sim, f->ifd);
	assert_int_equal(next, f->ioas + 1);
	assert_int_equal(destroy(f->sim, f->ifd, next), 0);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0x100000, SZ_4K, NULL), 0);
}

/* The objects a command makes go again when its answer cannot be written back. */
static void test_new_objects_undone(void **state)
{
	static const char topo[] = "{ \"iommus\": [ { \"name\": \"mock\","
				   " \"driver\": \"iommufd-selftest\" } ], \"devices\": [] }";
	struct fixture *f = *state;
	struct iommufd_sim *sim = new_sim(topo);
	struct iofd_test_cmd *md = (void *)f->mem, *acc = (void *)(f->mem + 256);
	struct iofd_hwpt_alloc *hw = (void *)(f->mem + 512);
	struct iofd_test_cmd dev = { .size = sizeof(dev), .op = IOFD_TEST_OP_MOCK_DOMAIN };
	int ifd = open_iommufd(sim);
	uint32_t ioas = ioas_alloc(sim, ifd);
	long before;

	dev.id = ioas;
	assert_int_equal(t_ioctl(sim, ifd, IOFD_TEST_CMD, &dev), 0);
	memset(f->mem, 0, 1024);
	*md = (struct iofd_test_cmd){ .size = sizeof(*md), .op = IOFD_TEST_OP_MOCK_DOMAIN,
				      .id = ioas };
	*acc = (struct iofd_test_cmd){ .size = sizeof(*acc), .op = IOFD_TEST_OP_CREATE_ACCESS,
				       .id = ioas };
	*hw = (struct iofd_hwpt_alloc){ .size = sizeof(*hw), .dev_id = dev.mock_domain.out_idev_id,
					.pt_id = ioas };
	before = iommufd_sim_live_objects(sim);
	read_only(f, true);
	assert_int_equal(t_ioctl(sim, ifd, IOFD_TEST_CMD, md), -EFAULT);
	assert_int_equal(iommufd_sim_live_objects(sim), before);
	assert_int_equal(t_ioctl(sim, ifd, IOFD_TEST_CMD, acc), -EFAULT);
	assert_int_equal(iommufd_sim_live_objects(sim), before);
	assert_int_equal(t_ioctl(sim, ifd, IOFD_HWPT_ALLOC, hw), -EFAULT);
	assert_int_equal(iommufd_sim_live_objects(sim), before);
	read_only(f, false);
	/* nothing of theirs holds the IOAS: once the first device goes, it can go */
	assert_int_equal(destroy(sim, ifd, dev.mock_domain.out_stdev_id), 0);
	assert_int_equal(destroy(sim, ifd, ioas), 0);
	t_close(sim, ifd);
	iommufd_sim_free(sim);
}

/* IOVA_RANGES writes its array range by range; ALLOW_IOVAS reads and checks in turn. */
static void test_range_arrays(void **state)
{
	struct fixture *f = *state;
	struct iofd_iova_range *at = (void *)(f->guard - sizeof(*at));
	struct iofd_ioas_iova_ranges ranges = { .size = sizeof(ranges), .ioas_id = f->ioas,
						.num_iovas = 4, .allowed_iovas = 8 };
	struct iofd_ioas_allow_iovas allow = { .size = sizeof(allow), .ioas_id = f->ioas,
					       .num_iovas = 2 };
	uint32_t pt = f->ioas;
	uint64_t iova = 0;
	int dfd = bind_dev(f->sim, f->ifd, CDEV_C, NULL);

	/* two ranges (below and above the MSI window): room for the first only */
	assert_int_equal(attach(f->sim, dfd, &pt), 0);
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_IOVA_RANGES, &ranges), -EFAULT);
	ranges.allowed_iovas = (uintptr_t)at;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_IOVA_RANGES, &ranges), -EFAULT);
	assert_int_equal(at->start, 0);
	assert_int_equal(at->last, 0xfedfffff);
	/* room for none asked: nothing is written, the count comes back */
	ranges.num_iovas = 0;
	ranges.allowed_iovas = 8;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_IOVA_RANGES, &ranges), -EMSGSIZE);
	assert_int_equal(ranges.num_iovas, 2);
	assert_int_equal(detach(f->sim, dfd), 0);
	t_close(f->sim, dfd);

	/* the second range out of reach: EFAULT, the allowed ranges as they were (none) */
	at->start = 0x40000000;
	at->last = 0x4fffffff;
	allow.allowed_iovas = (uintptr_t)at;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOW_IOVAS, &allow), -EFAULT);
	assert_int_equal(map(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, &iova, 0), 0);
	assert_int_equal(iova, 0x1000);
	/* a bad first range is seen before the second is read */
	at->last = at->start;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOW_IOVAS, &allow), -EINVAL);
	allow.allowed_iovas = 8;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOW_IOVAS, &allow), -EFAULT);
	/* none asked: the pointer is not read */
	allow.num_iovas = 0;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOW_IOVAS, &allow), 0);
}

/* GET_HW_INFO's driver data: copied as far as it fits, the rest of the buffer zeroed. */
static void test_hw_info_data(void **state)
{
	struct fixture *f = *state;
	uint32_t devid;
	int dfd = bind_dev(f->sim, f->ifd, CDEV_A, &devid);
	struct iofd_hw_info cmd = { .size = sizeof(cmd), .dev_id = devid, .data_len = 16,
				    .data_uptr = 8 };

	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_GET_HW_INFO, &cmd), -EFAULT);
	/* the data fits before the end, the zeroing of the rest does not */
	cmd.data_uptr = (uintptr_t)(f->guard - 64);
	cmd.data_len = 128;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_GET_HW_INFO, &cmd), -EFAULT);
	cmd.data_len = 64;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_GET_HW_INFO, &cmd), 0);
	assert_int_equal(cmd.out_data_type, IOFD_HW_INFO_TYPE_INTEL_VTD);
	t_close(f->sim, dfd);
}

/* The VFIO cdev's ioctls read and write their structs as the kernel does. */
static void test_device_ioctls(void **state)
{
	struct fixture *f = *state;
	static const unsigned long reqs[] = {
		IOFD_VFIO_DEVICE_ATTACH_IOMMUFD_PT, IOFD_VFIO_DEVICE_DETACH_IOMMUFD_PT,
		IOFD_VFIO_DEVICE_GET_INFO, IOFD_VFIO_DEVICE_GET_PCI_HOT_RESET_INFO,
	};
	struct iofd_vfio_device_bind_iommufd *bind = (void *)f->mem;
	struct iofd_vfio_device_attach_iommufd_pt *att = (void *)(f->mem + 64);
	struct iofd_vfio_device_info *info = (void *)(f->guard - 8);
	int dfd = t_open(f->sim, CDEV_A);
	size_t i;

	assert_true(dfd >= 0);
	assert_int_equal(t_ioctl(f->sim, dfd, IOFD_VFIO_DEVICE_BIND_IOMMUFD, (void *)8), -EFAULT);
	/* bound, but the devid cannot be written back: unbound again, EFAULT */
	*bind = (struct iofd_vfio_device_bind_iommufd){ .argsz = sizeof(*bind), .iommufd = f->ifd };
	*att = (struct iofd_vfio_device_attach_iommufd_pt){ .argsz = sizeof(*att),
							    .pt_id = f->ioas };
	read_only(f, true);
	assert_int_equal(t_ioctl(f->sim, dfd, IOFD_VFIO_DEVICE_BIND_IOMMUFD, bind), -EFAULT);
	read_only(f, false);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 1);
	assert_int_equal(t_ioctl(f->sim, dfd, IOFD_VFIO_DEVICE_BIND_IOMMUFD, bind), 0);
	for (i = 0; i < sizeof(reqs) / sizeof(*reqs); i++)
		assert_int_equal(t_ioctl(f->sim, dfd, reqs[i], (void *)8), -EFAULT);
	/* attached, but pt_id cannot be written back: detached again, EFAULT */
	read_only(f, true);
	assert_int_equal(t_ioctl(f->sim, dfd, IOFD_VFIO_DEVICE_ATTACH_IOMMUFD_PT, att), -EFAULT);
	read_only(f, false);
	assert_int_equal(destroy(f->sim, f->ifd, f->ioas), 0);
	f->ioas = ioas_alloc(f->sim, f->ifd);
	/* GET_INFO's first 16 bytes out of reach */
	info->argsz = sizeof(*info);
	assert_int_equal(t_ioctl(f->sim, dfd, IOFD_VFIO_DEVICE_GET_INFO, info), -EFAULT);
	t_close(f->sim, dfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_not_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_objects_undone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_range_arrays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hw_info_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_ioctls, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
