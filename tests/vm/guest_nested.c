// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Nesting through a container, on the kernel's mock devices (machine B view)
 * and on the simulator imitating the same kernel, with one program: a
 * vIOMMU, a vDEVICE and a stage-1 domain for a mock device, invalidated
 * (the mock's IOTLB and device cache checked), a vEVENT and an I/O page
 * fault received and answered, the dirty pages the device wrote on its
 * stage-1 domains read from the nest parent; and bad input refused with
 * nothing left behind. Each case runs once per backend: "kernel" (skips
 * without mock devices, as outside the VM) and the simulator for 7.3 and
 * 6.12 (in the VM: for the running kernel). 6.12 has stage-1 domains from a
 * nest parent, invalidation and faults, but no vIOMMU (ENOTTY).
 *
 * The kernel's side is played with its test ops (TRIGGER_VEVENT,
 * TRIGGER_IOPF, MD_CHECK_IOTLB, DEV_CHECK_CACHE, IOMMU_TEST_OP_DIRTY), the
 * simulator's with its calls (iommufd_sim_trigger_*, iommufd_sim_nested_iotlb,
 * iommufd_sim_device_cache, iommufd_sim_dma_write).
 */
#include <poll.h>

#include "core/ctx.h"
#include "guest_common.h"
#include "uapi/iommufd_abi.h"
#include "uapi/iommufd_ext_abi.h"
#include "uapi/selftest_abi.h"

enum backend { BE_KERNEL, BE_SIM_7_3, BE_SIM_6_12 };

struct env {
	enum backend be;
	struct iommufd_ctx *ctx;
	struct iommufd_sim *sim;
	int kernel; /* imitated or running: 612, 703 */
	char *buf;
};

/* The simulated machine B: mock IOMMUs as the kernel's (nesting, 2 KiB pages). */
static const char *sim_topology(int kernel)
{
	static char t[1024];

	snprintf(t, sizeof(t),
		 "{ \"kernel\": \"%s\", \"iommus\": ["
		 " { \"name\": \"mock\", \"driver\": \"iommufd-selftest\", \"dirty_tracking\": true },"
		 " { \"name\": \"mock-no-dirty\", \"driver\": \"iommufd-selftest\" } ],"
		 " \"devices\": ["
		 " { \"name\": \"mock-d0\", \"iommu\": \"mock\" },"
		 " { \"name\": \"mock-d1\", \"iommu\": \"mock\" },"
		 " { \"name\": \"mock-p0\", \"iommu\": \"mock\", \"pasid_bits\": 20 },"
		 " { \"name\": \"mock-n0\", \"iommu\": \"mock-no-dirty\" } ] }",
		 kernel >= 700 ? "7.3" : "6.12");
	return t;
}

static void env_open(struct env *e, enum backend be)
{
	memset(e, 0, sizeof(*e));
	e->be = be;
	if (be == BE_KERNEL) {
		if (!vm_is_b())
			vt_skip("the kernel's mock devices need machine B (or AB's B view)");
		e->kernel = vm_kernel();
		e->ctx = vm_ctx();
	} else {
		e->kernel = be == BE_SIM_7_3 ? 703 : 612;
		if (iommufd_sim_new(sim_topology(e->kernel), &e->sim))
			vt_fail(__FILE__, __LINE__, "sim: %s", iommufd_sim_last_error());
		vt_ok(iommufd_sim_open(e->sim, &e->ctx));
	}
	e->buf = vm_buf(SZ_2M);
}

static void env_close(struct env *e)
{
	iommufd_close(e->ctx);
	if (e->sim) {
		/* nothing of the test is left in the simulated kernel once its context closed */
		vt_assert_int_eq(iommufd_sim_live_objects(e->sim), 0);
		iommufd_sim_free(e->sim);
	}
	munmap(e->buf, SZ_2M);
}

/* kind: "selftest", "selftest:no-dirty", "selftest:pasid"; n: which of its kind (sim). */
static struct iommufd_device *env_dev(struct env *e, const char *kind, int n)
{
	char name[32];

	if (e->be == BE_KERNEL)
		return vm_open(e->ctx, kind);
	snprintf(name, sizeof(name), "mock-%c%d",
		 !strcmp(kind, "selftest:no-dirty") ? 'n' : !strcmp(kind, "selftest:pasid") ? 'p' :
											'd',
		 n);
	return vm_open(e->ctx, name);
}

static const char *sim_name(struct iommufd_device *dev)
{
	return iommufd_device_name(dev);
}

static int test_cmd(struct env *e, struct iofd_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return e->ctx->tp.ops->ioctl(e->ctx->tp.priv, e->ctx->fd, IOFD_TEST_CMD, cmd);
}

/* The device's IOMMU reports an event to the vIOMMU of its stage-1 domain. */
static int trigger_vevent(struct env *e, struct iommufd_device *dev)
{
	struct iofd_test_cmd cmd = { .op = IOFD_TEST_OP_TRIGGER_VEVENT };

	if (e->sim)
		return iommufd_sim_trigger_vevent(e->sim, sim_name(dev), NULL, 0);
	cmd.trigger_vevent.dev_id = iommufd_device_id(dev);
	return test_cmd(e, &cmd);
}

static int trigger_iopf(struct env *e, struct iommufd_device *dev, uint32_t pasid, uint32_t grpid,
			uint32_t perm, uint64_t addr)
{
	struct iofd_test_cmd cmd = { .op = IOFD_TEST_OP_TRIGGER_IOPF };

	if (e->sim)
		return iommufd_sim_trigger_iopf(e->sim, sim_name(dev), pasid, grpid, perm, addr);
	cmd.trigger_iopf.dev_id = iommufd_device_id(dev);
	cmd.trigger_iopf.pasid = pasid;
	cmd.trigger_iopf.grpid = grpid;
	cmd.trigger_iopf.perm = perm;
	cmd.trigger_iopf.addr = addr;
	return test_cmd(e, &cmd);
}

/* Entry idx of the IOTLB of the mock stage-1 domain hwpt (dev is on it) is val. */
static void assert_iotlb(struct env *e, struct iommufd_device *dev, uint32_t hwpt, unsigned idx,
			 uint32_t val)
{
	struct iofd_test_cmd cmd = { .op = IOFD_TEST_OP_MD_CHECK_IOTLB, .id = hwpt };
	uint32_t got = 0;

	if (e->sim) {
		vt_assert_int_eq(iommufd_sim_nested_iotlb(e->sim, sim_name(dev), idx, &got), 0);
		vt_assert_u64_eq(got, val);
		return;
	}
	cmd.check_iotlb.id = idx;
	cmd.check_iotlb.iotlb = val;
	vt_assert_int_eq(test_cmd(e, &cmd), 0);
}

static void assert_dev_cache(struct env *e, struct iommufd_device *dev, unsigned idx, uint32_t val)
{
	struct iofd_test_cmd cmd = { .op = IOFD_TEST_OP_DEV_CHECK_CACHE };
	uint32_t got = 0;

	if (e->sim) {
		vt_assert_int_eq(iommufd_sim_device_cache(e->sim, sim_name(dev), idx, &got), 0);
		vt_assert_u64_eq(got, val);
		return;
	}
	cmd.id = iommufd_device_id(dev);
	cmd.check_dev_cache.id = idx;
	cmd.check_dev_cache.cache = val;
	vt_assert_int_eq(test_cmd(e, &cmd), 0);
}

/* The device writes [iova, iova + len): through whatever domain it is on. */
static void dev_write(struct env *e, struct iommufd_device *dev, uint64_t iova, uint64_t len)
{
	if (e->sim)
		vm_expect(e->ctx, iommufd_sim_dma_write(e->sim, sim_name(dev), iova, len), 0);
	else
		vt_assert(vt_ok(iommufd_selftest_dirty(dev, iova, len)) > 0);
}

static bool has_viommu(const struct env *e)
{
	return e->kernel >= 700;
}

/*
 * The mock takes a domain with a fault queue only where the kernel has I/O page
 * faults (CONFIG_IOMMU_IOPF): 7.3's config selects it, the VM tier's 6.12 config
 * does not (INTEL_IOMMU_SVM would), and the attach answers ENODEV there.
 */
static const char no_iopf[] = "this 6.12 kernel has no CONFIG_IOMMU_IOPF (the VM tier's "
			      "config does not select it): the mock takes no fault queue";

static bool no_faults(const struct env *e, int ret)
{
	return e->be == BE_KERNEL && e->kernel < 700 && ret == -ENODEV;
}

#define IOVA MOCK_START

/*
 * What issue 13 calls done: a vIOMMU, a vDEVICE and a stage-1 domain for a
 * mock device through a container; invalidated; a vEVENT and an IOPF received
 * and the fault answered; the dirty pages the device wrote while on stage-1
 * domains read back from its nest parent.
 */
static void done_means(enum backend be)
{
	struct iofd_hwpt_invalidate_selftest inv = { .iotlb_id = 1 };
	struct iofd_viommu_invalidate_selftest vinv = { .vdev_id = 0x21, .cache_id = 2 };
	struct iofd_hwpt_selftest s1 = { .iotlb = IOFD_TEST_IOTLB_DEFAULT };
	IOMMUFD_OPTS(iommufd_nesting_info, ni);
	struct iommufd_container *c = NULL;
	struct iommufd_device *dev;
	struct iommufd_vevent ev[4];
	struct iommufd_fault f[2];
	uint32_t fault_id, q_id = 0, data[4], seq = 0, n, first_hwpt;
	uint64_t bm = 0;
	int fault_fd, q_fd = -1, ret;
	bool faults = true;
	struct env e;

	env_open(&e, be);
	dev = env_dev(&e, "selftest", 0);
	vm_expect(e.ctx, iommufd_container_new(e.ctx, IOMMUFD_CONTAINER_NEST_PARENT |
						       IOMMUFD_CONTAINER_DIRTY_TRACKING, &c), 0);
	vm_expect(e.ctx, iommufd_container_attach(c, dev), 0);
	vm_expect(e.ctx, iommufd_container_map(c, e.buf, IOVA, SZ_2M, false), 0);
	vm_expect(e.ctx, iommufd_container_set_dirty_tracking(c, true), 0);
	vm_expect(e.ctx, iommufd_container_dirty_status(c), 1);

	/* the guest's id for the device: its vDEVICE on the vIOMMU (6.12: none) */
	if (has_viommu(&e)) {
		vm_expect(e.ctx, iommufd_container_set_virt_id(c, dev, 0x21), 0);
	} else {
		vm_expect_err(e.ctx, iommufd_container_set_virt_id(c, dev, 0x21), ENOTTY);
		vt_assert(strstr(iommufd_last_error(e.ctx), "6.13"));
	}
	vm_expect(e.ctx, iommufd_fault_queue_alloc(e.ctx, &fault_id, &fault_fd), 0);
	{
		IOMMUFD_OPTS(iommufd_nested_opts, o, .fault_id = fault_id);

		ret = iommufd_container_attach_nested_opts(c, dev, IOFD_HWPT_DATA_SELFTEST, &s1,
							   sizeof(s1.iotlb), &o);
		if (no_faults(&e, ret)) {
			vt_note("%s", no_iopf);
			faults = false;
			ret = iommufd_container_attach_nested(c, dev, IOFD_HWPT_DATA_SELFTEST, &s1,
							      sizeof(s1.iotlb));
		}
		vm_expect(e.ctx, ret, 0);
	}
	vm_expect(e.ctx, iommufd_container_nesting(c, dev, &ni), 0);
	vt_assert(ni.parent_id && ni.hwpt_id && ni.hwpt_id != ni.parent_id);
	vt_assert_int_eq(iommufd_device_pt_id(dev), ni.hwpt_id);
	if (has_viommu(&e)) {
		vt_assert(ni.viommu_id && ni.vdevice_id);
		vt_assert_u64_eq(ni.viommu_type, IOFD_VIOMMU_TYPE_SELFTEST);
		vt_assert_u64_eq(ni.virt_id, 0x21);
		/* a nest parent with children: the kernel's EBUSY */
		vm_expect_err(e.ctx, iommufd_destroy(e.ctx, ni.viommu_id), EBUSY);
	} else {
		vt_assert(!ni.viommu_id && !ni.vdevice_id);
	}
	vm_expect_err(e.ctx, iommufd_destroy(e.ctx, ni.parent_id), EBUSY);

	/* invalidation: the stage-1 domain's IOTLB, and (7.3) the device's cache via the vIOMMU */
	assert_iotlb(&e, dev, ni.hwpt_id, 1, IOFD_TEST_IOTLB_DEFAULT);
	n = 1;
	vm_expect(e.ctx, iommufd_container_invalidate(c, dev, IOMMUFD_INVALIDATE_DOMAIN,
						      IOFD_HWPT_INVALIDATE_DATA_SELFTEST, &inv,
						      sizeof(inv), &n), 0);
	vt_assert_int_eq(n, 1);
	assert_iotlb(&e, dev, ni.hwpt_id, 1, 0);
	assert_iotlb(&e, dev, ni.hwpt_id, 0, IOFD_TEST_IOTLB_DEFAULT);
	if (has_viommu(&e)) {
		assert_dev_cache(&e, dev, 2, IOFD_TEST_DEV_CACHE_DEFAULT);
		n = 1;
		vm_expect(e.ctx, iommufd_container_invalidate(c, dev, 0,
						IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST, &vinv,
						sizeof(vinv), &n), 0);
		vt_assert_int_eq(n, 1);
		assert_dev_cache(&e, dev, 2, 0);
		assert_dev_cache(&e, dev, 1, IOFD_TEST_DEV_CACHE_DEFAULT);

		/* a vEVENT: the device's virtual id, sequence 0 */
		vm_expect(e.ctx, iommufd_veventq_alloc(e.ctx, ni.viommu_id,
						       IOFD_VEVENTQ_TYPE_SELFTEST, 4, &q_id, &q_fd), 0);
		vm_expect(e.ctx, iommufd_veventq_read(e.ctx, q_fd, 4, ev, data, 4, &seq), 0);
		vm_expect(e.ctx, trigger_vevent(&e, dev), 0);
		{
			struct pollfd p = { .fd = q_fd, .events = POLLIN };

			vt_assert_int_eq(poll(&p, 1, 0), 1);
		}
		vm_expect(e.ctx, iommufd_veventq_read(e.ctx, q_fd, 4, ev, data, 4, &seq), 1);
		vt_assert_int_eq(ev[0].flags, 0);
		vt_assert_int_eq(ev[0].sequence, 0);
		vt_assert_int_eq(ev[0].lost, 0);
		vt_assert_u64_eq(data[0], 0x21);
		vt_assert_int_eq(seq, 1);
	}

	/* an I/O page fault: read, answered once; a second answer is refused */
	vm_expect(e.ctx, trigger_iopf(&e, dev, 0, 7, IOMMUFD_FAULT_PERM_READ |
				      IOMMUFD_FAULT_PERM_WRITE, IOVA + 0x1000), 0);
	if (!faults)
		goto no_faults;
	vm_expect(e.ctx, iommufd_fault_read(e.ctx, fault_fd, f, 2), 1);
	vt_assert_int_eq(f[0].dev_id, iommufd_device_id(dev));
	vt_assert_int_eq(f[0].grpid, 7);
	vt_assert_int_eq(f[0].flags, IOMMUFD_FAULT_LAST_PAGE);
	vt_assert_int_eq(f[0].perm, IOMMUFD_FAULT_PERM_READ | IOMMUFD_FAULT_PERM_WRITE);
	vt_assert_u64_eq(f[0].addr, IOVA + 0x1000);
	vm_expect(e.ctx, iommufd_fault_respond(e.ctx, fault_fd, f[0].cookie,
					       IOMMUFD_FAULT_RESP_SUCCESS), 0);
	vm_expect_err(e.ctx, iommufd_fault_respond(e.ctx, fault_fd, f[0].cookie,
						   IOMMUFD_FAULT_RESP_SUCCESS), EINVAL);
	vm_expect(e.ctx, iommufd_fault_read(e.ctx, fault_fd, f, 2), 0);
no_faults:

	/* the device writes on one stage-1 domain, moves to another, writes, goes back */
	dev_write(&e, dev, IOVA + 0x3000, 0x1000);
	first_hwpt = ni.hwpt_id;
	vm_expect(e.ctx, iommufd_container_attach_nested(c, dev, IOFD_HWPT_DATA_SELFTEST, &s1,
							 sizeof(s1.iotlb)), 0);
	vm_expect(e.ctx, iommufd_container_nesting(c, dev, &ni), 0);
	vt_assert(ni.hwpt_id && ni.hwpt_id != first_hwpt);
	/* the replaced stage-1 domain is gone */
	vm_expect_err(e.ctx, iommufd_destroy(e.ctx, first_hwpt), ENOENT);
	dev_write(&e, dev, IOVA + 0x5000, 0x1000);
	vm_expect(e.ctx, iommufd_container_detach_nested(c, dev), 0);
	vm_expect_err(e.ctx, iommufd_destroy(e.ctx, ni.hwpt_id), ENOENT);
	vt_assert_int_eq(iommufd_device_pt_id(dev), ni.parent_id);
	/* every page written on the stage-1 domains is in the nest parent's bits */
	vt_assert(vt_ok(iommufd_container_read_dirty(c, IOVA, 64 * SZ_4K, SZ_4K, &bm, 0)) >= 2);
	vm_assert_dirty(bm, (1ull << 3) | (1ull << 5), IOVA, SZ_4K);

	/* teardown: the program's vEVENTQ first, then the container takes the rest */
	if (q_fd >= 0) {
		vm_expect_err(e.ctx, iommufd_destroy(e.ctx, q_id), EBUSY);
		vm_expect(e.ctx, iommufd_eventq_close(e.ctx, q_fd), 0);
		vm_expect(e.ctx, iommufd_destroy(e.ctx, q_id), 0);
	}
	vm_expect(e.ctx, iommufd_container_detach(c, dev), 0);
	if (ni.viommu_id) {
		vm_expect_err(e.ctx, iommufd_destroy(e.ctx, ni.vdevice_id), ENOENT);
		vm_expect_err(e.ctx, iommufd_destroy(e.ctx, ni.viommu_id), ENOENT);
	}
	vm_expect_err(e.ctx, iommufd_destroy(e.ctx, ni.parent_id), ENOENT);
	iommufd_container_free(c);
	vm_expect(e.ctx, iommufd_eventq_close(e.ctx, fault_fd), 0);
	vm_expect(e.ctx, iommufd_destroy(e.ctx, fault_id), 0);
	iommufd_device_close(dev);
	env_close(&e);
}

/* Bad input: clear errors, nothing left behind (the objects layer, raw kernel answers). */
static void bad_input(enum backend be)
{
	struct iofd_hwpt_selftest s1 = { .iotlb = IOFD_TEST_IOTLB_DEFAULT };
	struct iofd_hwpt_invalidate_selftest inv = { .flags = 0x8 };
	struct iommufd_device *dev, *dev2;
	uint32_t ioas, parent, plain, nested, viommu, vdev, n, id;
	uint64_t big[2] = { IOFD_TEST_IOTLB_DEFAULT, 0xff };
	struct env e;

	env_open(&e, be);
	dev = env_dev(&e, "selftest", 0);
	dev2 = env_dev(&e, "selftest", 1);
	vt_ok(iommufd_ioas_alloc(e.ctx, &ioas));
	vm_expect(e.ctx, iommufd_hwpt_alloc(e.ctx, iommufd_device_id(dev), ioas,
					    IOMMUFD_HWPT_NEST_PARENT, &parent), 0);
	vm_expect(e.ctx, iommufd_hwpt_alloc(e.ctx, iommufd_device_id(dev), ioas, 0, &plain), 0);

	/* wrong data type, wrong length, no data, a plain parent */
	vm_expect_err(e.ctx, iommufd_hwpt_alloc_nested(e.ctx, iommufd_device_id(dev), parent, 0,
						       IOFD_HWPT_DATA_VTD_S1, &s1, sizeof(s1.iotlb), &id),
		      EOPNOTSUPP);
	vm_expect_err(e.ctx, iommufd_hwpt_alloc_nested(e.ctx, iommufd_device_id(dev), parent, 0,
						       IOFD_HWPT_DATA_SELFTEST, &s1, 2, &id),
		      EINVAL);
	vm_expect_err(e.ctx, iommufd_hwpt_alloc_nested(e.ctx, iommufd_device_id(dev), parent, 0,
						       IOFD_HWPT_DATA_SELFTEST, big, 64, &id),
		      EINVAL);
	vm_expect_err(e.ctx, iommufd_hwpt_alloc_nested(e.ctx, iommufd_device_id(dev), parent, 0,
						       IOFD_HWPT_DATA_SELFTEST, NULL, 0, &id),
		      EINVAL);
	vm_expect_err(e.ctx, iommufd_hwpt_alloc_nested(e.ctx, iommufd_device_id(dev), plain, 0,
						       IOFD_HWPT_DATA_SELFTEST, &s1, sizeof(s1.iotlb), &id),
		      EINVAL);
	vm_expect(e.ctx, iommufd_hwpt_alloc_nested(e.ctx, iommufd_device_id(dev), parent, 0,
						   IOFD_HWPT_DATA_SELFTEST, &s1, sizeof(s1.iotlb),
						   &nested), 0);
	/* invalidation: unknown entry flags, a wrong type, the count of entries done */
	n = 1;
	vm_expect_err(e.ctx, iommufd_hwpt_invalidate(e.ctx, nested,
						     IOFD_HWPT_INVALIDATE_DATA_SELFTEST, &inv,
						     sizeof(inv), &n), EOPNOTSUPP);
	vt_assert_int_eq(n, 0);
	n = 1;
	vm_expect_err(e.ctx, iommufd_hwpt_invalidate(e.ctx, nested,
						     IOFD_HWPT_INVALIDATE_DATA_SELFTEST_INVALID,
						     &inv, sizeof(inv), &n), EINVAL);
	vt_assert_int_eq(n, 0);
	{
		struct iofd_hwpt_invalidate_selftest two[2] = { { .iotlb_id = 0 },
								 { .iotlb_id = 9 } };

		n = 2;
		vm_expect_err(e.ctx, iommufd_hwpt_invalidate(e.ctx, nested,
							     IOFD_HWPT_INVALIDATE_DATA_SELFTEST,
							     two, sizeof(two[0]), &n), EINVAL);
		vt_assert_int_eq(n, 1);
	}
	/* destroying a parent with children: EBUSY, the kernel's */
	vm_expect_err(e.ctx, iommufd_destroy(e.ctx, parent), EBUSY);

	if (has_viommu(&e)) {
		/* a vIOMMU on a domain that is no nest parent; an unknown type */
		vm_expect_err(e.ctx, iommufd_viommu_alloc(e.ctx, iommufd_device_id(dev), plain,
							  IOFD_VIOMMU_TYPE_SELFTEST, NULL, 0,
							  &viommu), EINVAL);
		vm_expect_err(e.ctx, iommufd_viommu_alloc(e.ctx, iommufd_device_id(dev), parent,
							  0x1234, NULL, 0, &viommu), EOPNOTSUPP);
		{
			struct iofd_viommu_selftest d = { .in_data = 0xcafe };

			vm_expect(e.ctx, iommufd_viommu_alloc(e.ctx, iommufd_device_id(dev), parent,
							      IOFD_VIOMMU_TYPE_SELFTEST, &d,
							      sizeof(d), &viommu), 0);
			/* the mock's loopback */
			vt_assert_u64_eq(d.out_data, 0xcafe);
			vt_assert_u64_eq(d.out_mmap_length, 2 * SZ_4K);
		}
		/* a vDEVICE given twice for one device, one virtual id for two devices */
		vm_expect(e.ctx, iommufd_vdevice_alloc(e.ctx, viommu, iommufd_device_id(dev), 5,
						       &vdev), 0);
		vm_expect_err(e.ctx, iommufd_vdevice_alloc(e.ctx, viommu, iommufd_device_id(dev), 6,
							   &id), EEXIST);
		vm_expect_err(e.ctx, iommufd_vdevice_alloc(e.ctx, viommu, iommufd_device_id(dev2), 5,
							   &id), EEXIST);
		/* a vIOMMU invalidation of a vDEVICE it does not have */
		{
			struct iofd_viommu_invalidate_selftest vi = { .vdev_id = 77 };

			n = 1;
			vm_expect_err(e.ctx, iommufd_hwpt_invalidate(e.ctx, viommu,
							IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST, &vi,
							sizeof(vi), &n), EINVAL);
			vt_assert_int_eq(n, 0);
			/* an empty request asks whether the type is taken */
			n = 0;
			vm_expect(e.ctx, iommufd_hwpt_invalidate(e.ctx, viommu,
						IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST, NULL, 0, &n), 0);
		}
		/* a stage-1 domain from the vIOMMU needs the device's vDEVICE to attach */
		vm_expect(e.ctx, iommufd_hwpt_alloc_nested(e.ctx, iommufd_device_id(dev2), viommu, 0,
							   IOFD_HWPT_DATA_SELFTEST, &s1, sizeof(s1.iotlb),
							   &id), 0);
		vm_expect_err(e.ctx, iommufd_device_attach_pt(dev2, id), ENOENT);
		vm_expect(e.ctx, iommufd_destroy(e.ctx, id), 0);
		/* a vEVENTQ twice of one type; depth 0 */
		{
			uint32_t q, q2;
			int fd, fd2;

			vm_expect_err(e.ctx, iommufd_veventq_alloc(e.ctx, viommu,
						IOFD_VEVENTQ_TYPE_SELFTEST, 0, &q, &fd), EINVAL);
			vm_expect(e.ctx, iommufd_veventq_alloc(e.ctx, viommu,
						IOFD_VEVENTQ_TYPE_SELFTEST, 1, &q, &fd), 0);
			vm_expect_err(e.ctx, iommufd_veventq_alloc(e.ctx, viommu,
						IOFD_VEVENTQ_TYPE_SELFTEST, 1, &q2, &fd2), EEXIST);
			vm_expect_err(e.ctx, iommufd_destroy(e.ctx, viommu), EBUSY);
			vm_expect(e.ctx, iommufd_eventq_close(e.ctx, fd), 0);
			vm_expect(e.ctx, iommufd_destroy(e.ctx, q), 0);
		}
		vm_expect_err(e.ctx, iommufd_destroy(e.ctx, viommu), EBUSY);
		vm_expect(e.ctx, iommufd_destroy(e.ctx, vdev), 0);
		vm_expect(e.ctx, iommufd_destroy(e.ctx, viommu), 0);
	} else {
		vm_expect_err(e.ctx, iommufd_viommu_alloc(e.ctx, iommufd_device_id(dev), parent,
							  IOFD_VIOMMU_TYPE_SELFTEST, NULL, 0,
							  &viommu), ENOTTY);
		vt_assert(strstr(iommufd_last_error(e.ctx), "6.13"));
		{
			int fd;

			vm_expect_err(e.ctx, iommufd_veventq_alloc(e.ctx, 1, IOFD_VEVENTQ_TYPE_SELFTEST,
								   1, &id, &fd), ENOTTY);
		}
	}
	vm_expect(e.ctx, iommufd_destroy(e.ctx, nested), 0);
	vm_expect(e.ctx, iommufd_destroy(e.ctx, parent), 0);
	vm_expect(e.ctx, iommufd_destroy(e.ctx, plain), 0);
	vm_expect(e.ctx, iommufd_destroy(e.ctx, ioas), 0);
	iommufd_device_close(dev2);
	iommufd_device_close(dev);
	env_close(&e);
}

/* A full vEVENTQ loses events, says so at its tail, and the sequence tells how many. */
static void vevent_lost(enum backend be)
{
	struct iofd_hwpt_selftest s1 = { .iotlb = 0 };
	IOMMUFD_OPTS(iommufd_nesting_info, ni);
	struct iommufd_container *c;
	struct iommufd_device *dev;
	struct iommufd_vevent ev[8];
	uint32_t q, data[8], seq = 0;
	int fd, i;
	struct env e;

	env_open(&e, be);
	if (!has_viommu(&e))
		vt_skip("no vIOMMU before 6.13");
	dev = env_dev(&e, "selftest", 0);
	vm_expect(e.ctx, iommufd_container_new(e.ctx, IOMMUFD_CONTAINER_NEST_PARENT, &c), 0);
	vm_expect(e.ctx, iommufd_container_attach(c, dev), 0);
	vm_expect(e.ctx, iommufd_container_set_virt_id(c, dev, 3), 0);
	vm_expect(e.ctx, iommufd_container_attach_nested(c, dev, IOFD_HWPT_DATA_SELFTEST, &s1,
							 sizeof(s1.iotlb)), 0);
	vm_expect(e.ctx, iommufd_container_nesting(c, dev, &ni), 0);
	vm_expect(e.ctx, iommufd_veventq_alloc(e.ctx, ni.viommu_id, IOFD_VEVENTQ_TYPE_SELFTEST, 2,
					       &q, &fd), 0);
	for (i = 0; i < 5; i++)
		vm_expect(e.ctx, trigger_vevent(&e, dev), 0);
	/* two events, then a header for the three lost (its sequence the last lost one's) */
	vm_expect(e.ctx, iommufd_veventq_read(e.ctx, fd, 4, ev, data, 8, &seq), 3);
	vt_assert_int_eq(ev[0].sequence, 0);
	vt_assert_int_eq(ev[1].sequence, 1);
	vt_assert_int_eq(ev[2].flags, IOMMUFD_VEVENT_LOST_EVENTS);
	vt_assert_int_eq(ev[2].sequence, 4);
	vt_assert_int_eq(ev[2].lost, 3);
	vt_assert_u64_eq(data[2], 0);
	/* the next event follows the header */
	vm_expect(e.ctx, trigger_vevent(&e, dev), 0);
	vm_expect(e.ctx, iommufd_veventq_read(e.ctx, fd, 4, ev, data, 8, &seq), 1);
	vt_assert_int_eq(ev[0].sequence, 5);
	vt_assert_int_eq(ev[0].lost, 0);
	/* lost, then read before any more: the gap in the sequences tells */
	for (i = 0; i < 3; i++)
		vm_expect(e.ctx, trigger_vevent(&e, dev), 0);
	vm_expect(e.ctx, iommufd_veventq_read(e.ctx, fd, 4, ev, data, 1, &seq), 1);
	vm_expect(e.ctx, trigger_vevent(&e, dev), 0);
	vm_expect(e.ctx, iommufd_veventq_read(e.ctx, fd, 4, ev, data, 8, &seq), 2);
	vt_assert_int_eq(ev[0].sequence, 7);
	vt_assert_int_eq(ev[1].sequence, 9);
	vt_assert_int_eq(ev[1].lost, 1);
	/* a buffer too small for one event */
	vm_expect(e.ctx, trigger_vevent(&e, dev), 0);
	{
		unsigned char small[8];

		vt_assert_int_eq(e.ctx->tp.ops->read(e.ctx->tp.priv, fd, small, sizeof(small)),
				 -EINVAL);
		vt_assert_int_eq(e.ctx->tp.ops->read(e.ctx->tp.priv, fd, small, 4), -EINVAL);
	}
	vm_expect(e.ctx, iommufd_eventq_close(e.ctx, fd), 0);
	vm_expect(e.ctx, iommufd_destroy(e.ctx, q), 0);
	iommufd_container_free(c);
	iommufd_device_close(dev);
	env_close(&e);
}

/* Faults: pending ones are answered for a device that leaves its domain; wrong responses. */
static void fault_rules(enum backend be)
{
	struct iofd_hwpt_selftest s1 = { .iotlb = 0 };
	struct iommufd_device *dev;
	struct iommufd_fault f[4];
	uint32_t ioas, parent, nested, fid, plain;
	int fd;
	struct env e;

	env_open(&e, be);
	dev = env_dev(&e, "selftest", 0);
	vt_ok(iommufd_ioas_alloc(e.ctx, &ioas));
	vm_expect(e.ctx, iommufd_hwpt_alloc(e.ctx, iommufd_device_id(dev), ioas,
					    IOMMUFD_HWPT_NEST_PARENT, &parent), 0);
	vm_expect(e.ctx, iommufd_hwpt_alloc(e.ctx, iommufd_device_id(dev), ioas, 0, &plain), 0);
	vm_expect(e.ctx, iommufd_fault_queue_alloc(e.ctx, &fid, &fd), 0);
	{
		IOMMUFD_OPTS(iommufd_hwpt_alloc_opts, o, .data_type = IOFD_HWPT_DATA_SELFTEST,
			     .data = &s1, .data_len = sizeof(s1.iotlb), .fault_id = fid);
		uint32_t bad;

		vm_expect(e.ctx, iommufd_hwpt_alloc_opts(e.ctx, iommufd_device_id(dev), parent, &o,
							 &nested), 0);
		/* a fault queue that is none */
		o.fault_id = parent;
		vm_expect_err(e.ctx, iommufd_hwpt_alloc_opts(e.ctx, iommufd_device_id(dev), parent,
							     &o, &bad), ENOENT);
	}
	vm_expect_err(e.ctx, iommufd_destroy(e.ctx, fid), EBUSY);
	{
		int ret = iommufd_device_attach_pt(dev, nested);

		if (no_faults(&e, ret))
			vt_skip("%s", no_iopf);
		vm_expect(e.ctx, ret, 0);
	}
	/* a fault of a PASID (valid flag set) goes to the device's stage-1 domain */
	vm_expect(e.ctx, trigger_iopf(&e, dev, 0, 1, IOMMUFD_FAULT_PERM_READ, MOCK_START), 0);
	vm_expect(e.ctx, trigger_iopf(&e, dev, 5, 2, IOMMUFD_FAULT_PERM_WRITE, MOCK_START), 0);
	vm_expect(e.ctx, iommufd_fault_read(e.ctx, fd, f, 4), 2);
	vt_assert_int_eq(f[0].grpid, 1);
	vt_assert_int_eq(f[1].flags, IOMMUFD_FAULT_LAST_PAGE | IOMMUFD_FAULT_PASID_VALID);
	vt_assert_int_eq(f[1].pasid, 5);
	vt_assert(f[0].cookie != f[1].cookie);
	vm_expect_err(e.ctx, iommufd_fault_respond(e.ctx, fd, f[0].cookie, 7), EINVAL);
	vm_expect_err(e.ctx, iommufd_fault_respond(e.ctx, fd, f[1].cookie + 100, 0), EINVAL);
	vm_expect(e.ctx, iommufd_fault_respond(e.ctx, fd, f[0].cookie, IOMMUFD_FAULT_RESP_INVALID),
		  0);
	/* one not read and one read but not answered: the device leaves, both are answered */
	vm_expect(e.ctx, trigger_iopf(&e, dev, 0, 3, IOMMUFD_FAULT_PERM_READ, MOCK_START), 0);
	vm_expect(e.ctx, iommufd_device_attach_pt(dev, plain), 0);
	vm_expect(e.ctx, iommufd_fault_read(e.ctx, fd, f, 4), 0);
	vm_expect_err(e.ctx, iommufd_fault_respond(e.ctx, fd, f[1].cookie, 0), EINVAL);
	/* no fault queue on its domain now: a fault goes nowhere */
	vm_expect(e.ctx, trigger_iopf(&e, dev, 0, 4, IOMMUFD_FAULT_PERM_READ, MOCK_START), 0);
	vm_expect(e.ctx, iommufd_fault_read(e.ctx, fd, f, 4), 0);
	/* too little room for one fault */
	vm_expect(e.ctx, iommufd_device_attach_pt(dev, nested), 0);
	vm_expect(e.ctx, trigger_iopf(&e, dev, 0, 6, IOMMUFD_FAULT_PERM_READ, MOCK_START), 0);
	vt_assert_int_eq(e.ctx->tp.ops->read(e.ctx->tp.priv, fd, f, 8), -ESPIPE);
	vm_expect(e.ctx, iommufd_fault_read(e.ctx, fd, f, 4), 1);
	vm_expect(e.ctx, iommufd_device_detach_pt(dev), 0);
	vm_expect(e.ctx, iommufd_destroy(e.ctx, nested), 0);
	vm_expect_err(e.ctx, iommufd_destroy(e.ctx, fid), EBUSY);
	vm_expect(e.ctx, iommufd_eventq_close(e.ctx, fd), 0);
	vm_expect(e.ctx, iommufd_destroy(e.ctx, fid), 0);
	vm_expect(e.ctx, iommufd_destroy(e.ctx, plain), 0);
	vm_expect(e.ctx, iommufd_destroy(e.ctx, parent), 0);
	vm_expect(e.ctx, iommufd_destroy(e.ctx, ioas), 0);
	iommufd_device_close(dev);
	env_close(&e);
}

/* PASIDs (7.3): attach, replace, detach a mock device's PASID; the compat rules. */
static void pasid_attach(enum backend be)
{
	IOMMUFD_OPTS(iommufd_attach_opts, a, .flags = IOMMUFD_ATTACH_PASID, .pasid = 9);
	IOMMUFD_OPTS(iommufd_detach_opts, d, .flags = IOMMUFD_ATTACH_PASID, .pasid = 9);
	IOMMUFD_OPTS(iommufd_hwpt_alloc_opts, po, .flags = IOMMUFD_HWPT_PASID);
	struct iommufd_device *dev;
	uint32_t ioas, h1, h2, plain, rid;
	struct env e;

	env_open(&e, be);
	if (e.kernel < 700)
		vt_skip("no PASID mock devices and attachments before 7.x");
	dev = env_dev(&e, "selftest:pasid", 0);
	vt_ok(iommufd_ioas_alloc(e.ctx, &ioas));
	vm_expect(e.ctx, iommufd_hwpt_alloc_opts(e.ctx, iommufd_device_id(dev), ioas, &po, &h1), 0);
	vm_expect(e.ctx, iommufd_hwpt_alloc_opts(e.ctx, iommufd_device_id(dev), ioas, &po, &h2), 0);
	vm_expect(e.ctx, iommufd_hwpt_alloc_opts(e.ctx, iommufd_device_id(dev), ioas, &po, &rid), 0);
	vm_expect(e.ctx, iommufd_hwpt_alloc(e.ctx, iommufd_device_id(dev), ioas, 0, &plain), 0);
	/* a domain made without IOMMUFD_HWPT_PASID, and an IOAS, take no PASID */
	vm_expect_err(e.ctx, iommufd_device_attach_pt_opts(dev, plain, &a), EINVAL);
	vm_expect_err(e.ctx, iommufd_device_attach_pt_opts(dev, ioas, &a), EINVAL);
	vm_expect(e.ctx, iommufd_device_attach_pt(dev, rid), 0);
	vm_expect(e.ctx, iommufd_device_attach_pt_opts(dev, h1, &a), 0);
	vm_expect(e.ctx, iommufd_device_attach_pt_opts(dev, h2, &a), 0);
	/* a PASID held: the device itself takes no domain without the PASID flag */
	vm_expect_err(e.ctx, iommufd_device_attach_pt(dev, plain), EINVAL);
	vm_expect_err(e.ctx, iommufd_destroy(e.ctx, h2), EBUSY);
	vm_expect(e.ctx, iommufd_destroy(e.ctx, h1), 0);
	vm_expect(e.ctx, iommufd_device_detach_pt_opts(dev, &d), 0);
	vm_expect(e.ctx, iommufd_device_detach_pt_opts(dev, &d), 0);
	vm_expect(e.ctx, iommufd_device_attach_pt(dev, plain), 0);
	vm_expect(e.ctx, iommufd_device_detach_pt(dev), 0);
	vm_expect(e.ctx, iommufd_destroy(e.ctx, h2), 0);
	vm_expect(e.ctx, iommufd_destroy(e.ctx, rid), 0);
	vm_expect(e.ctx, iommufd_destroy(e.ctx, plain), 0);
	vm_expect(e.ctx, iommufd_destroy(e.ctx, ioas), 0);
	iommufd_device_close(dev);
	env_close(&e);
}

/* Teardown in the kernel's order: the last device of a vIOMMU takes it; a busy one waits. */
static void container_teardown(enum backend be)
{
	struct iofd_hwpt_selftest s1 = { .iotlb = 0 };
	IOMMUFD_OPTS(iommufd_nesting_info, ni);
	IOMMUFD_OPTS(iommufd_nesting_info, ni2);
	struct iommufd_container *c;
	struct iommufd_device *d0, *d1;
	uint32_t q;
	int fd;
	struct env e;

	env_open(&e, be);
	if (!has_viommu(&e))
		vt_skip("no vIOMMU before 6.13");
	d0 = env_dev(&e, "selftest", 0);
	d1 = env_dev(&e, "selftest", 1);
	vm_expect(e.ctx, iommufd_container_new(e.ctx, IOMMUFD_CONTAINER_NEST_PARENT, &c), 0);
	vm_expect(e.ctx, iommufd_container_attach(c, d0), 0);
	vm_expect(e.ctx, iommufd_container_attach(c, d1), 0);
	vm_expect(e.ctx, iommufd_container_set_virt_id(c, d0, 1), 0);
	vm_expect(e.ctx, iommufd_container_set_virt_id(c, d0, 1), 0);
	vm_expect_err(e.ctx, iommufd_container_set_virt_id(c, d0, 2), EEXIST);
	vm_expect_err(e.ctx, iommufd_container_set_virt_id(c, d1, 1), EEXIST);
	vm_expect(e.ctx, iommufd_container_set_virt_id(c, d1, 2), 0);
	vm_expect(e.ctx, iommufd_container_attach_nested(c, d0, IOFD_HWPT_DATA_SELFTEST, &s1,
							 sizeof(s1.iotlb)), 0);
	vm_expect(e.ctx, iommufd_container_attach_nested(c, d1, IOFD_HWPT_DATA_SELFTEST, &s1,
							 sizeof(s1.iotlb)), 0);
	vm_expect(e.ctx, iommufd_container_nesting(c, d0, &ni), 0);
	vm_expect(e.ctx, iommufd_container_nesting(c, d1, &ni2), 0);
	/* one vIOMMU for the two devices of one IOMMU over one nest parent */
	vt_assert_int_eq(ni.viommu_id, ni2.viommu_id);
	vt_assert_int_eq(ni.parent_id, ni2.parent_id);
	vm_expect(e.ctx, iommufd_veventq_alloc(e.ctx, ni.viommu_id, IOFD_VEVENTQ_TYPE_SELFTEST, 1,
					       &q, &fd), 0);
	/* d0 leaves: its vDEVICE and stage-1 domain go, the vIOMMU stays for d1 */
	vm_expect(e.ctx, iommufd_container_detach(c, d0), 0);
	vm_expect_err(e.ctx, iommufd_destroy(e.ctx, ni.hwpt_id), ENOENT);
	vm_expect_err(e.ctx, iommufd_destroy(e.ctx, ni.vdevice_id), ENOENT);
	vm_expect_err(e.ctx, iommufd_destroy(e.ctx, ni.viommu_id), EBUSY);
	/* d1 leaves too: the program's vEVENTQ keeps the vIOMMU, and it the nest parent */
	vm_expect(e.ctx, iommufd_container_detach(c, d1), 0);
	vm_expect_err(e.ctx, iommufd_destroy(e.ctx, ni2.vdevice_id), ENOENT);
	vm_expect_err(e.ctx, iommufd_destroy(e.ctx, ni.parent_id), EBUSY);
	vm_expect(e.ctx, iommufd_eventq_close(e.ctx, fd), 0);
	vm_expect(e.ctx, iommufd_destroy(e.ctx, q), 0);
	/* the container's free takes them */
	iommufd_container_free(c);
	vm_expect_err(e.ctx, iommufd_destroy(e.ctx, ni.viommu_id), ENOENT);
	vm_expect_err(e.ctx, iommufd_destroy(e.ctx, ni.parent_id), ENOENT);
	iommufd_device_close(d0);
	iommufd_device_close(d1);
	env_close(&e);
}

/*
 * Machine A (QEMU's VT-d: no nesting; edu: no PASID capability): a domain for PASIDs is
 * made and takes a PASID of edu (7.3), an IOAS is refused by the core; no nest parent.
 * On the kernel and on the simulator mirroring the machine.
 */
static void vtd_pasid_and_nesting(bool kernel)
{
	IOMMUFD_OPTS(iommufd_attach_opts, a, .flags = IOMMUFD_ATTACH_PASID, .pasid = 3);
	IOMMUFD_OPTS(iommufd_hwpt_alloc_opts, po, .flags = IOMMUFD_HWPT_PASID);
	struct iommufd_sim *sim = NULL;
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	uint32_t ioas, h, id;
	int ver = vm_kernel() >= 700 || !getenv("VMTEST_MACHINE") ? 703 : 612;

	if (kernel) {
		if (!vm_is_a())
			vt_skip("VFIO devices behind VT-d need machine A");
		ctx = vm_ctx();
		dev = vm_open(ctx, "/dev/vfio/devices/vfio0");
	} else {
		char t[512];

		snprintf(t, sizeof(t), "{ \"kernel\": \"%s\", \"iommus\": [ { \"name\": \"dmar0\","
			 " \"driver\": \"intel-vtd\", \"nesting\": false, \"iova_bits\": 39 } ],"
			 " \"devices\": [ { \"name\": \"0000:00:03.0\", \"iommu\": \"dmar0\" } ] }",
			 ver >= 700 ? "7.3" : "6.12");
		if (iommufd_sim_new(t, &sim))
			vt_fail(__FILE__, __LINE__, "sim: %s", iommufd_sim_last_error());
		vt_ok(iommufd_sim_open(sim, &ctx));
		dev = vm_open(ctx, "0000:00:03.0");
	}
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect_err(ctx, iommufd_hwpt_alloc(ctx, iommufd_device_id(dev), ioas,
					      IOMMUFD_HWPT_NEST_PARENT, &id), EOPNOTSUPP);
	if (ver < 700) {
		vm_expect_err(ctx, iommufd_hwpt_alloc_opts(ctx, iommufd_device_id(dev), ioas, &po, &h),
			      EOPNOTSUPP);
		goto out;
	}
	vm_expect(ctx, iommufd_hwpt_alloc_opts(ctx, iommufd_device_id(dev), ioas, &po, &h), 0);
	vm_expect(ctx, iommufd_device_attach_pt(dev, h), 0);
	vm_expect_err(ctx, iommufd_device_attach_pt_opts(dev, ioas, &a), EINVAL);
	/* QEMU's VT-d takes PASIDs; edu has no PASID capability, which nothing checks */
	vm_expect(ctx, iommufd_device_attach_pt_opts(dev, h, &a), 0);
	vm_expect_err(ctx, iommufd_destroy(ctx, h), EBUSY);
	{
		IOMMUFD_OPTS(iommufd_detach_opts, d, .flags = IOMMUFD_ATTACH_PASID, .pasid = 3);

		vm_expect(ctx, iommufd_device_detach_pt_opts(dev, &d), 0);
	}
	vm_expect(ctx, iommufd_device_detach_pt(dev), 0);
	vm_expect(ctx, iommufd_destroy(ctx, h), 0);
out:
	vm_expect(ctx, iommufd_destroy(ctx, ioas), 0);
	iommufd_device_close(dev);
	iommufd_close(ctx);
	if (sim) {
		vt_assert_int_eq(iommufd_sim_live_objects(sim), 0);
		iommufd_sim_free(sim);
	}
}

static void vtd_pasid_and_nesting_kernel(void)
{
	vtd_pasid_and_nesting(true);
}

static void vtd_pasid_and_nesting_sim(void)
{
	vtd_pasid_and_nesting(false);
}

#define ON_EACH(fn)                                              \
	static void fn##_kernel(void)                            \
	{                                                        \
		fn(BE_KERNEL);                                   \
	}                                                        \
	static void fn##_sim_7_3(void)                           \
	{                                                        \
		if (vm_kernel() && vm_kernel() < 700 && getenv("VMTEST_MACHINE")) \
			vt_skip("the VM runs 6.12");             \
		fn(BE_SIM_7_3);                                  \
	}                                                        \
	static void fn##_sim_6_12(void)                          \
	{                                                        \
		if (vm_kernel() >= 700 && getenv("VMTEST_MACHINE")) \
			vt_skip("the VM runs 7.x");              \
		fn(BE_SIM_6_12);                                 \
	}

ON_EACH(done_means)
ON_EACH(bad_input)
ON_EACH(vevent_lost)
ON_EACH(fault_rules)
ON_EACH(pasid_attach)
ON_EACH(container_teardown)

#define CASES(fn) VT_CASE(fn##_kernel), VT_CASE(fn##_sim_7_3), VT_CASE(fn##_sim_6_12)

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
		CASES(done_means),
		CASES(bad_input),
		CASES(vevent_lost),
		CASES(fault_rules),
		CASES(pasid_attach),
		CASES(container_teardown),
		VT_CASE(vtd_pasid_and_nesting_kernel),
		VT_CASE(vtd_pasid_and_nesting_sim),
	};

	return vt_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
