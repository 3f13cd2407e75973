// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the simulator answers beyond the library's own use, for programs
 * written against the kernel: IOMMU_TEST_CMD (only with a selftest mock
 * IOMMU), page pins, the VFIO type1 container, vEVENTQs with their depth,
 * HW queues that pin their memory, and a context whose objects are held by
 * the files it handed out. The kernel's own selftest covers the rest of it
 * (tests/preload); these hold the rules without a kernel source.
 */
#include "sim_test.h"

#include "uapi/iommufd_ext_abi.h"
#include "uapi/selftest_abi.h"

#define MOCK_START (1ull << 24)

static const char mock_topo[] =
	"{ \"iommus\": [ { \"name\": \"mock\", \"driver\": \"iommufd-selftest\","
	"                  \"dirty_tracking\": true } ], \"devices\": [] }";
static const char mock_topo_612[] =
	"{ \"kernel\": \"6.12\", \"iommus\": [ { \"name\": \"mock\","
	"  \"driver\": \"iommufd-selftest\" } ], \"devices\": [] }";

static int test_cmd(struct iommufd_sim *sim, int ifd, struct iofd_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return t_ioctl(sim, ifd, IOFD_TEST_CMD, cmd);
}

/* A mock device on pt: its stdev id (and idev, hwpt ids). */
static uint32_t mock_domain(struct iommufd_sim *sim, int ifd, uint32_t pt, uint32_t *idev,
			    uint32_t *hwpt)
{
	struct iofd_test_cmd cmd = { .op = IOFD_TEST_OP_MOCK_DOMAIN, .id = pt };

	assert_int_equal(test_cmd(sim, ifd, &cmd), 0);
	if (idev)
		*idev = cmd.mock_domain.out_idev_id;
	if (hwpt)
		*hwpt = cmd.mock_domain.out_hwpt_id;
	return cmd.mock_domain.out_stdev_id;
}

static int check_refs(struct iommufd_sim *sim, int ifd, const void *p, uint64_t len,
		      uint32_t refs)
{
	struct iofd_test_cmd cmd = {
		.op = IOFD_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = len, .uptr = (uintptr_t)p, .refs = refs },
	};

	return test_cmd(sim, ifd, &cmd);
}

/* Without a selftest mock IOMMU the command does not exist (a kernel without the option). */
static void test_needs_mock_iommu(void **state)
{
	struct iommufd_sim *sim = new_sim(NULL);
	struct iofd_test_cmd cmd = { .op = IOFD_TEST_OP_MOCK_DOMAIN };
	int ifd = open_iommufd(sim);

	(void)state;
	cmd.id = ioas_alloc(sim, ifd);
	assert_int_equal(test_cmd(sim, ifd, &cmd), -ENOTTY);
	cmd.size = 1; /* ENOTTY before the size is looked at */
	assert_int_equal(t_ioctl(sim, ifd, IOFD_TEST_CMD, &cmd), -ENOTTY);
	iommufd_sim_free(sim);
}

/* Ids come in the kernel's order; destroying the selftest object removes its device. */
static void test_mock_domain(void **state)
{
	struct iommufd_sim *sim = new_sim(mock_topo);
	int ifd = open_iommufd(sim);
	uint32_t ioas = ioas_alloc(sim, ifd), idev, hwpt, stdev;
	struct iofd_test_cmd cmd = {
		.op = IOFD_TEST_OP_MOCK_DOMAIN_FLAGS, .id = ioas,
		.mock_domain.dev_flags = 1u << 5,
	};

	(void)state;
	stdev = mock_domain(sim, ifd, ioas, &idev, &hwpt);
	assert_int_equal(stdev, ioas + 1);
	assert_int_equal(idev, stdev + 1);
	assert_int_equal(hwpt, idev + 1);
	assert_int_equal(destroy(sim, ifd, idev), -EBUSY);
	assert_int_equal(destroy(sim, ifd, ioas), -EBUSY);
	/* unknown flags: EINVAL, and the id taken for a moment is free again */
	assert_int_equal(test_cmd(sim, ifd, &cmd), -EINVAL);
	assert_int_equal(destroy(sim, ifd, stdev), 0);
	assert_int_equal(destroy(sim, ifd, hwpt), -ENOENT); /* the automatic domain went too */
	assert_int_equal(destroy(sim, ifd, ioas), 0);
	assert_int_equal(iommufd_sim_live_objects(sim), 0);
	iommufd_sim_free(sim);

	/* 6.12: no PASID flag, no ops after TRIGGER_IOPF */
	sim = new_sim(mock_topo_612);
	ifd = open_iommufd(sim);
	cmd.id = ioas_alloc(sim, ifd);
	cmd.mock_domain.dev_flags = IOFD_MOCK_DEVICE_PASID;
	assert_int_equal(test_cmd(sim, ifd, &cmd), -EINVAL);
	cmd.op = IOFD_TEST_OP_DEV_CHECK_CACHE;
	assert_int_equal(test_cmd(sim, ifd, &cmd), -EOPNOTSUPP);
	iommufd_sim_free(sim);
}

/* A page is pinned once per MAP that maps it (a COPY shares it), while a domain needs it. */
static void test_page_pins(void **state)
{
	struct iommufd_sim *sim = new_sim(mock_topo);
	int ifd = open_iommufd(sim);
	uint32_t a = ioas_alloc(sim, ifd), b = ioas_alloc(sim, ifd), stdev;
	struct iofd_ioas_copy copy = {
		.size = sizeof(copy),
		.flags = IOFD_IOAS_MAP_FIXED_IOVA | IOFD_IOAS_MAP_READABLE,
		.dst_ioas_id = b, .src_ioas_id = a, .length = SZ_4K,
		.dst_iova = MOCK_START, .src_iova = MOCK_START,
	};
	char *buf = test_buf(4 * SZ_4K);

	(void)state;
	memset(buf, 1, 4 * SZ_4K);
	assert_int_equal(map_fixed(sim, ifd, a, buf, 2 * SZ_4K, MOCK_START), 0);
	assert_int_equal(check_refs(sim, ifd, buf, 2 * SZ_4K, 0), 0); /* no domain: not pinned */
	stdev = mock_domain(sim, ifd, a, NULL, NULL);
	assert_int_equal(check_refs(sim, ifd, buf, 2 * SZ_4K, 1), 0);
	assert_int_equal(check_refs(sim, ifd, buf + 2 * SZ_4K, SZ_4K, 0), 0);
	assert_int_equal(check_refs(sim, ifd, buf, SZ_4K, 2), -EIO);
	assert_int_equal(t_ioctl(sim, ifd, IOFD_IOAS_COPY, &copy), 0);
	mock_domain(sim, ifd, b, NULL, NULL);
	assert_int_equal(check_refs(sim, ifd, buf, SZ_4K, 1), 0); /* the copy shares the pages */
	assert_int_equal(map_fixed(sim, ifd, b, buf, SZ_4K, MOCK_START + SZ_4K), 0);
	assert_int_equal(check_refs(sim, ifd, buf, SZ_4K, 2), 0); /* a second MAP pins again */
	assert_int_equal(destroy(sim, ifd, stdev), 0);
	assert_int_equal(check_refs(sim, ifd, buf + SZ_4K, SZ_4K, 0), 0);
	assert_int_equal(check_refs(sim, ifd, buf + 1, SZ_4K, 0), -EINVAL);
	t_close(sim, ifd);
	ifd = open_iommufd(sim);
	assert_int_equal(check_refs(sim, ifd, buf, 4 * SZ_4K, 0), 0);
	free_buf(buf, 4 * SZ_4K);
	iommufd_sim_free(sim);
}

static int vfio_unmap(struct iommufd_sim *sim, int ifd, uint64_t iova, uint64_t len,
		      uint64_t *unmapped)
{
	struct iofd_vfio_dma_unmap u = { .argsz = sizeof(u), .iova = iova, .size = len };
	int ret = t_ioctl(sim, ifd, IOFD_VFIO_IOMMU_UNMAP_DMA, &u);

	*unmapped = u.size;
	return ret;
}

/* The VFIO container on /dev/iommu: type1 may cut a mapping, type1v2 may not. */
static void test_vfio_container(void **state)
{
	struct iommufd_sim *sim = new_sim(mock_topo);
	int ifd = open_iommufd(sim);
	uint32_t ioas = ioas_alloc(sim, ifd);
	struct iofd_vfio_ioas set = { .size = sizeof(set), .ioas_id = ioas,
				      .op = IOFD_VFIO_IOAS_SET };
	struct iofd_option opt = { .size = sizeof(opt), .option_id = IOFD_OPTION_HUGE_PAGES,
				   .op = IOFD_OPTION_OP_GET, .object_id = ioas };
	char *buf = test_buf(4 * SZ_4K);
	struct iofd_vfio_dma_map m = {
		.argsz = sizeof(m), .vaddr = (uintptr_t)buf, .iova = MOCK_START, .size = 4 * SZ_4K,
		.flags = IOFD_VFIO_DMA_MAP_FLAG_READ | IOFD_VFIO_DMA_MAP_FLAG_WRITE,
	};
	uint64_t unmapped;

	(void)state;
	assert_int_equal(t_ioctl(sim, ifd, IOFD_VFIO_GET_API_VERSION, NULL), 0);
	assert_int_equal(t_ioctl(sim, ifd, IOFD_VFIO_SET_IOMMU, (void *)IOFD_VFIO_TYPE1_IOMMU),
			 -ENODEV); /* no container IOAS yet */
	assert_int_equal(t_ioctl(sim, ifd, IOFD_VFIO_IOAS, &set), 0);
	mock_domain(sim, ifd, ioas, NULL, NULL);
	assert_int_equal(t_ioctl(sim, ifd, IOFD_VFIO_SET_IOMMU, (void *)IOFD_VFIO_TYPE1_IOMMU), 0);
	assert_int_equal(t_ioctl(sim, ifd, IOFD_OPTION, &opt), 0);
	assert_int_equal(opt.val64, 0); /* type1: no large pages */
	assert_int_equal(t_ioctl(sim, ifd, IOFD_VFIO_IOMMU_MAP_DMA, &m), 0);
	/* a page out of the middle: cut out, the rest stays */
	assert_int_equal(vfio_unmap(sim, ifd, MOCK_START + SZ_4K, SZ_4K, &unmapped), 0);
	assert_int_equal(unmapped, SZ_4K);
	assert_int_equal(vfio_unmap(sim, ifd, MOCK_START + SZ_4K, SZ_4K, &unmapped), 0);
	assert_int_equal(unmapped, 0); /* nothing there: not an error for VFIO */
	assert_int_equal(unmap(sim, ifd, ioas, MOCK_START, SZ_4K, NULL), 0);
	assert_int_equal(unmap(sim, ifd, ioas, MOCK_START + 2 * SZ_4K, 2 * SZ_4K, NULL), 0);
	free_buf(buf, 4 * SZ_4K);
	iommufd_sim_free(sim);
}

struct viommu_fixture {
	struct iommufd_sim *sim;
	int ifd;
	uint32_t ioas, stdev, idev, parent, viommu, nested;
};

static void viommu_setup(struct viommu_fixture *f)
{
	struct iofd_hwpt_selftest data = { .iotlb = IOFD_TEST_IOTLB_DEFAULT };
	struct iofd_viommu_alloc va = { .size = sizeof(va), .type = IOFD_VIOMMU_TYPE_SELFTEST };
	struct iofd_hwpt_alloc nested = {
		.size = sizeof(nested), .data_type = IOFD_HWPT_DATA_SELFTEST,
		.data_len = sizeof(data), .data_uptr = (uintptr_t)&data,
	};

	f->sim = new_sim(mock_topo);
	f->ifd = open_iommufd(f->sim);
	f->ioas = ioas_alloc(f->sim, f->ifd);
	f->stdev = mock_domain(f->sim, f->ifd, f->ioas, &f->idev, NULL);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->idev, f->ioas, IOFD_HWPT_ALLOC_NEST_PARENT,
				    &f->parent), 0);
	va.dev_id = f->idev;
	va.hwpt_id = f->parent;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_VIOMMU_ALLOC, &va), 0);
	f->viommu = va.out_viommu_id;
	nested.dev_id = f->idev;
	nested.pt_id = f->viommu;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_ALLOC, &nested), 0);
	f->nested = nested.out_hwpt_id;
}

/* A vEVENTQ keeps depth events; then one lost-events marker, moved to the end as more go. */
static void test_veventq_depth(void **state)
{
	struct viommu_fixture f;
	struct iofd_veventq_alloc q = { .size = sizeof(q), .type = IOFD_VEVENTQ_TYPE_SELFTEST,
					.veventq_depth = 2 };
	struct iofd_vdevice_alloc vd = { .size = sizeof(vd), .virt_id = 0x88 };
	struct iofd_test_cmd rep = { .op = IOFD_TEST_OP_MOCK_DOMAIN_REPLACE };
	struct iofd_test_cmd ev = { .op = IOFD_TEST_OP_TRIGGER_VEVENT };
	uint32_t buf[16];
	int i;

	(void)state;
	viommu_setup(&f);
	q.viommu_id = f.viommu;
	assert_int_equal(t_ioctl(f.sim, f.ifd, IOFD_VEVENTQ_ALLOC, &q), 0);
	assert_int_equal(t_ioctl(f.sim, f.ifd, IOFD_VEVENTQ_ALLOC, &q), -EEXIST);
	rep.id = f.stdev;
	rep.mock_domain_replace.pt_id = f.nested;
	assert_int_equal(test_cmd(f.sim, f.ifd, &rep), -ENOENT); /* no vDEVICE yet */
	vd.viommu_id = f.viommu;
	vd.dev_id = f.idev;
	assert_int_equal(t_ioctl(f.sim, f.ifd, IOFD_VDEVICE_ALLOC, &vd), 0);
	assert_int_equal(test_cmd(f.sim, f.ifd, &rep), 0);
	ev.trigger_vevent.dev_id = f.idev;
	for (i = 0; i < 4; i++)
		assert_int_equal(test_cmd(f.sim, f.ifd, &ev), 0);
	/* two events of 12 bytes (header, virt_id), then the marker (a header) with sequence 3 */
	assert_int_equal(ops()->read(f.sim, q.out_veventq_fd, buf, 7), -EINVAL);
	assert_int_equal(ops()->read(f.sim, q.out_veventq_fd, buf, sizeof(buf)), 32);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[1], 0);
	assert_int_equal(buf[2], 0x88);
	assert_int_equal(buf[4], 1);
	assert_int_equal(buf[6], IOFD_VEVENTQ_FLAG_LOST_EVENTS);
	assert_int_equal(buf[7], 3);
	assert_int_equal(ops()->read(f.sim, q.out_veventq_fd, buf, sizeof(buf)), 0);
	/* the vDEVICE goes with its device; its id stays taken */
	assert_int_equal(destroy(f.sim, f.ifd, f.stdev), 0);
	assert_int_equal(destroy(f.sim, f.ifd, vd.out_vdevice_id), -ENOENT);
	/* the device's ids (selftest object, device, automatic domain) come back; not that one */
	for (i = 0; i < 3; i++)
		assert_true(ioas_alloc(f.sim, f.ifd) < vd.out_vdevice_id);
	assert_int_equal(ioas_alloc(f.sim, f.ifd), vd.out_vdevice_id + 1);
	iommufd_sim_free(f.sim);
}

/* A HW queue pins its memory: unmap there is EBUSY until the queue goes. */
static void test_hw_queue_pin(void **state)
{
	struct viommu_fixture f;
	struct iofd_hw_queue_alloc hq = { .size = sizeof(hq), .type = IOFD_HW_QUEUE_TYPE_SELFTEST,
					  .length = SZ_4K };
	char *buf = test_buf(2 * SZ_4K);
	uint64_t iova = MOCK_START;

	(void)state;
	viommu_setup(&f);
	hq.viommu_id = f.viommu;
	hq.nesting_parent_iova = iova;
	assert_int_equal(t_ioctl(f.sim, f.ifd, IOFD_HW_QUEUE_ALLOC, &hq), -ENOENT); /* not mapped */
	assert_int_equal(map_fixed(f.sim, f.ifd, f.ioas, buf, 2 * SZ_4K, iova), 0);
	hq.index = 1;
	assert_int_equal(t_ioctl(f.sim, f.ifd, IOFD_HW_QUEUE_ALLOC, &hq), -EIO); /* 0 first */
	hq.index = 0;
	assert_int_equal(t_ioctl(f.sim, f.ifd, IOFD_HW_QUEUE_ALLOC, &hq), 0);
	assert_int_equal(unmap(f.sim, f.ifd, f.ioas, iova, 2 * SZ_4K, NULL), -EBUSY);
	assert_int_equal(destroy(f.sim, f.ifd, f.viommu), -EBUSY);
	assert_int_equal(destroy(f.sim, f.ifd, hq.out_hw_queue_id), 0);
	assert_int_equal(unmap(f.sim, f.ifd, f.ioas, iova, 2 * SZ_4K, NULL), 0);
	free_buf(buf, 2 * SZ_4K);
	iommufd_sim_free(f.sim);
}

/* The files a context handed out hold it: its objects go with the last of them. */
static void test_files_hold_context(void **state)
{
	struct viommu_fixture f;
	struct iofd_fault_alloc fa = { .size = sizeof(fa) };
	struct iofd_test_cmd acc = { .op = IOFD_TEST_OP_CREATE_ACCESS };

	(void)state;
	viommu_setup(&f);
	assert_int_equal(t_ioctl(f.sim, f.ifd, IOFD_FAULT_QUEUE_ALLOC, &fa), 0);
	acc.id = f.ioas;
	assert_int_equal(test_cmd(f.sim, f.ifd, &acc), 0);
	t_close(f.sim, f.ifd);
	assert_true(iommufd_sim_live_objects(f.sim) > 0);
	t_close(f.sim, (int)acc.create_access.out_access_fd);
	assert_true(iommufd_sim_live_objects(f.sim) > 0);
	t_close(f.sim, (int)fa.out_fault_fd);
	assert_int_equal(iommufd_sim_live_objects(f.sim), 0);
	iommufd_sim_free(f.sim);
}

/*
 * A vIOMMU, a vDEVICE or a vEVENTQ whose id cannot be written back goes again (EFAULT), as
 * the kernel aborts a new object: the same one can then be made.
 */
static void test_unanswered_objects_go(void **state)
{
	struct viommu_fixture f;
	char *page = test_buf(SZ_4K);
	struct iofd_viommu_alloc *va = (void *)page;
	struct iofd_vdevice_alloc *vd = (void *)(page + 64);
	struct iofd_veventq_alloc *q = (void *)(page + 128);
	long before;

	(void)state;
	viommu_setup(&f);
	*va = (struct iofd_viommu_alloc){ .size = sizeof(*va), .type = IOFD_VIOMMU_TYPE_SELFTEST,
					  .dev_id = f.idev, .hwpt_id = f.parent };
	*vd = (struct iofd_vdevice_alloc){ .size = sizeof(*vd), .viommu_id = f.viommu,
					   .dev_id = f.idev, .virt_id = 0x88 };
	*q = (struct iofd_veventq_alloc){ .size = sizeof(*q), .viommu_id = f.viommu,
					  .type = IOFD_VEVENTQ_TYPE_SELFTEST, .veventq_depth = 2 };
	before = iommufd_sim_live_objects(f.sim);
	assert_int_equal(mprotect(page, SZ_4K, PROT_READ), 0);
	assert_int_equal(t_ioctl(f.sim, f.ifd, IOFD_VIOMMU_ALLOC, va), -EFAULT);
	assert_int_equal(t_ioctl(f.sim, f.ifd, IOFD_VDEVICE_ALLOC, vd), -EFAULT);
	assert_int_equal(t_ioctl(f.sim, f.ifd, IOFD_VEVENTQ_ALLOC, q), -EFAULT);
	assert_int_equal(iommufd_sim_live_objects(f.sim), before);
	assert_int_equal(mprotect(page, SZ_4K, PROT_READ | PROT_WRITE), 0);
	/* one vDEVICE per device and one vEVENTQ per type: none was left behind */
	assert_int_equal(t_ioctl(f.sim, f.ifd, IOFD_VDEVICE_ALLOC, vd), 0);
	assert_int_equal(t_ioctl(f.sim, f.ifd, IOFD_VEVENTQ_ALLOC, q), 0);
	assert_int_equal(t_ioctl(f.sim, f.ifd, IOFD_VIOMMU_ALLOC, va), 0);
	t_close(f.sim, (int)q->out_veventq_fd);
	iommufd_sim_free(f.sim);
	free_buf(page, SZ_4K);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needs_mock_iommu),
		cmocka_unit_test(test_mock_domain),
		cmocka_unit_test(test_page_pins),
		cmocka_unit_test(test_vfio_container),
		cmocka_unit_test(test_veventq_depth),
		cmocka_unit_test(test_hw_queue_pin),
		cmocka_unit_test(test_files_hold_context),
		cmocka_unit_test(test_unanswered_objects_go),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
