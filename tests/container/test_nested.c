// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Nesting in containers (container_nested.c) on the simulator: one vIOMMU per
 * (IOMMU instance, nest parent) where the driver has vIOMMUs (the mock,
 * SMMUv3), none for VT-d or before 6.13; vDEVICEs by virtual id; stage-1
 * domains made, replaced and dropped; invalidation through the vIOMMU or the
 * stage-1 domain; teardown leaves first; no dirty bit lost while devices move
 * between stage-1 domains; bad input refused; every kernel call failing in
 * turn leaves everything as it was.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <iommufd/iommufd.h>

#include "uapi/iommufd_abi.h"
#include "uapi/iommufd_ext_abi.h"
#include "uapi/selftest_abi.h"

#define MOCK_IOVA (1ull << 24)
#define LEN (1ull << 20)
#define PG 4096ull

enum { M0, M1, M2, N0, S0, S1, V0, E0, NDEV };
static const char *const names[NDEV] = { "mock-d0", "mock-d1", "mock-d2", "mock-n0",
					 "smmu-0", "smmu-1", "vtd-0", "mdev" };

static const char topo_fmt[] =
	"{ \"kernel\": \"%s\", \"iommus\": ["
	" { \"name\": \"mock\", \"driver\": \"iommufd-selftest\", \"dirty_tracking\": true },"
	" { \"name\": \"mock-nd\", \"driver\": \"iommufd-selftest\" },"
	" { \"name\": \"smmu0\", \"driver\": \"arm-smmu-v3\" },"
	" { \"name\": \"smmu1\", \"driver\": \"arm-smmu-v3\" },"
	" { \"name\": \"dmar0\", \"driver\": \"%s\", \"dirty_tracking\": true } ],"
	" \"devices\": ["
	" { \"name\": \"mock-d0\", \"iommu\": \"mock\" }, { \"name\": \"mock-d1\", \"iommu\": \"mock\" },"
	" { \"name\": \"mock-d2\", \"iommu\": \"mock\" }, { \"name\": \"mock-n0\", \"iommu\": \"mock-nd\" },"
	" { \"name\": \"smmu-0\", \"iommu\": \"smmu0\" }, { \"name\": \"smmu-1\", \"iommu\": \"smmu1\" },"
	" { \"name\": \"vtd-0\", \"iommu\": \"dmar0\" }, { \"name\": \"mdev\", \"emulated\": true } ] }";

struct nf {
	struct iommufd_sim *sim;
	struct iommufd_ctx *ctx;
	struct iommufd_container *c;
	struct iommufd_device *dev[NDEV];
	char *mem;
	long base;
};

static const struct iofd_hwpt_selftest mock_s1 = { .iotlb = IOFD_TEST_IOTLB_DEFAULT };
/* SMMUv3 STEs: valid with Cfg bypass, and a translating one */
static const uint64_t ste_bypass[2] = { 1 | 4 << 1, 0 };
static const uint64_t ste_s1[2] = { 1 | 5 << 1 | 0x1000, 0 };

static void nf_init(struct nf *f, const char *kernel, long flags)
{
	char topo[sizeof(topo_fmt) + 32];
	int i;

	memset(f, 0, sizeof(*f));
	/* 6.12 makes no mock device beside VT-d: there dmar0 is an IOMMU of no known driver */
	snprintf(topo, sizeof(topo), topo_fmt, kernel,
		 strcmp(kernel, "6.12") ? "intel-vtd" : "generic");
	if (iommufd_sim_new(topo, &f->sim))
		fail_msg("sim: %s", iommufd_sim_last_error());
	assert_int_equal(iommufd_sim_open(f->sim, &f->ctx), 0);
	for (i = 0; i < NDEV; i++)
		assert_int_equal(iommufd_device_open(f->ctx, names[i], &f->dev[i]), 0);
	f->base = iommufd_sim_live_objects(f->sim);
	f->mem = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(f->mem != MAP_FAILED);
	if (flags >= 0)
		assert_int_equal(iommufd_container_new(f->ctx, (uint32_t)flags, &f->c), 0);
}

static void nf_fini(struct nf *f)
{
	int i;

	iommufd_container_free(f->c);
	/* the container's objects are gone, the devices still bound */
	assert_int_equal(iommufd_sim_live_objects(f->sim), f->base);
	for (i = 0; i < NDEV; i++)
		iommufd_device_close(f->dev[i]);
	iommufd_close(f->ctx);
	iommufd_sim_free(f->sim);
	munmap(f->mem, LEN);
}

static void attach(struct nf *f, int d)
{
	if (iommufd_container_attach(f->c, f->dev[d]))
		fail_msg("attach %s: %s", names[d], iommufd_last_error(f->ctx));
}

static struct iommufd_nesting_info info(struct nf *f, int d)
{
	IOMMUFD_OPTS(iommufd_nesting_info, ni);

	assert_int_equal(iommufd_container_nesting(f->c, f->dev[d], &ni), 0);
	return ni;
}

static void assert_msg(struct nf *f, const char *words)
{
	if (!strstr(iommufd_last_error(f->ctx), words))
		fail_msg("message \"%s\" lacks \"%s\"", iommufd_last_error(f->ctx), words);
}

/* One vIOMMU for the mock devices over one parent, a vDEVICE each; SMMUv3 per instance. */
static void test_viommu_per_instance_and_parent(void **state)
{
	struct iommufd_nesting_info a, b, n, s0, s1, v;
	struct nf f;

	nf_init(&f, "7.3", IOMMUFD_CONTAINER_NEST_PARENT);
	attach(&f, M0);
	attach(&f, M1);
	attach(&f, N0);
	attach(&f, S0);
	attach(&f, S1);
	attach(&f, V0);
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[M0], 1), 0);
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[M1], 2), 0);
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[N0], 3), 0);
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[S0], 0x100), 0);
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[S1], 0x100), 0);
	a = info(&f, M0);
	b = info(&f, M1);
	n = info(&f, N0);
	s0 = info(&f, S0);
	s1 = info(&f, S1);
	/* the mock devices share a nest parent and the vIOMMU of (mock, parent) */
	assert_int_equal(a.parent_id, b.parent_id);
	assert_int_equal(a.viommu_id, b.viommu_id);
	assert_int_equal(a.viommu_type, IOFD_VIOMMU_TYPE_SELFTEST);
	assert_true(a.vdevice_id && b.vdevice_id && a.vdevice_id != b.vdevice_id);
	assert_int_equal(b.virt_id, 2);
	/* the no-dirty mock is another IOMMU to the library: its own vIOMMU, on the same parent */
	assert_int_equal(n.parent_id, a.parent_id);
	assert_int_not_equal(n.viommu_id, a.viommu_id);
	/* SMMUv3: a domain and a vIOMMU per instance; the same vSID on each is fine */
	assert_int_not_equal(s0.parent_id, s1.parent_id);
	assert_int_not_equal(s0.viommu_id, s1.viommu_id);
	assert_int_equal(s0.viommu_type, IOFD_VIOMMU_TYPE_ARM_SMMUV3);
	/* VT-d offers no vIOMMU: no virtual id either */
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[V0], 7), -EOPNOTSUPP);
	assert_msg(&f, "offers no vIOMMU");
	v = info(&f, V0);
	assert_int_equal(v.viommu_id, 0);
	assert_int_equal(v.vdevice_id, 0);
	assert_true(v.parent_id != 0);
	nf_fini(&f);
}

/* Stage-1 domains: through the vIOMMU (mock, SMMUv3), from the parent (VT-d, 6.12). */
static void test_stage1_domains(void **state)
{
	struct iofd_hwpt_vtd_s1 vtd = { .pgtbl_addr = 0x2000, .addr_width = 48 };
	struct iommufd_nesting_info i1, i2;
	struct nf f;

	nf_init(&f, "7.3", IOMMUFD_CONTAINER_NEST_PARENT);
	attach(&f, M0);
	attach(&f, S0);
	attach(&f, V0);
	/* the mock wants the vDEVICE first; the message says so, and nothing stays */
	assert_int_equal(iommufd_container_attach_nested(f.c, f.dev[M0], IOFD_HWPT_DATA_SELFTEST,
							 &mock_s1, sizeof(mock_s1.iotlb)), -ENOENT);
	assert_msg(&f, "iommufd_container_set_virt_id");
	i1 = info(&f, M0);
	assert_int_equal(i1.viommu_id, 0);
	assert_int_equal(iommufd_sim_live_objects(f.sim), f.base + 4);
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[M0], 9), 0);
	assert_int_equal(iommufd_container_attach_nested(f.c, f.dev[M0], IOFD_HWPT_DATA_SELFTEST,
							 &mock_s1, sizeof(mock_s1.iotlb)), 0);
	i1 = info(&f, M0);
	assert_true(i1.hwpt_id && i1.viommu_id);
	assert_int_equal(iommufd_device_pt_id(f.dev[M0]), i1.hwpt_id);
	/* replaced: a new domain, the old one gone */
	assert_int_equal(iommufd_container_attach_nested(f.c, f.dev[M0], IOFD_HWPT_DATA_SELFTEST,
							 &mock_s1, sizeof(mock_s1.iotlb)), 0);
	i2 = info(&f, M0);
	assert_int_not_equal(i2.hwpt_id, i1.hwpt_id);
	assert_int_equal(iommufd_destroy(f.ctx, i1.hwpt_id), -ENOENT);
	/* SMMUv3: a bypass STE needs no vSID; a translating one does; a bad STE is EIO */
	assert_int_equal(iommufd_container_attach_nested(f.c, f.dev[S0], IOFD_HWPT_DATA_ARM_SMMUV3,
							 ste_bypass, sizeof(ste_bypass)), 0);
	assert_int_equal(iommufd_container_attach_nested(f.c, f.dev[S0], IOFD_HWPT_DATA_ARM_SMMUV3,
							 ste_s1, sizeof(ste_s1)), -ENOENT);
	{
		uint64_t bad[2] = { 1 | 6 << 1, 0 };

		assert_int_equal(iommufd_container_attach_nested(f.c, f.dev[S0],
								 IOFD_HWPT_DATA_ARM_SMMUV3, bad,
								 sizeof(bad)), -EIO);
	}
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[S0], 0x30), 0);
	assert_int_equal(iommufd_container_attach_nested(f.c, f.dev[S0], IOFD_HWPT_DATA_ARM_SMMUV3,
							 ste_s1, sizeof(ste_s1)), 0);
	/* VT-d: from the nest parent, no vIOMMU */
	assert_int_equal(iommufd_container_attach_nested(f.c, f.dev[V0], IOFD_HWPT_DATA_VTD_S1,
							 &vtd, sizeof(vtd)), 0);
	i1 = info(&f, V0);
	assert_true(i1.hwpt_id && !i1.viommu_id);
	/* the wrong data type for the driver, and back onto the parent */
	assert_int_equal(iommufd_container_attach_nested(f.c, f.dev[V0], IOFD_HWPT_DATA_SELFTEST,
							 &mock_s1, sizeof(mock_s1.iotlb)), -EOPNOTSUPP);
	assert_int_equal(iommufd_device_pt_id(f.dev[V0]), i1.hwpt_id);
	assert_int_equal(iommufd_container_detach_nested(f.c, f.dev[V0]), 0);
	assert_int_equal(iommufd_device_pt_id(f.dev[V0]), i1.parent_id);
	assert_int_equal(iommufd_container_detach_nested(f.c, f.dev[V0]), 0);
	assert_int_equal(iommufd_destroy(f.ctx, i1.hwpt_id), -ENOENT);
	nf_fini(&f);
}

/* 6.12: no vIOMMU (the message names 6.13), stage-1 domains from the parent all the same. */
static void test_on_6_12(void **state)
{
	struct iommufd_nesting_info i;
	uint32_t inv[2] = { IOFD_TEST_INVALIDATE_FLAG_ALL, 0 }, n = 1, v;
	struct nf f;

	nf_init(&f, "6.12", IOMMUFD_CONTAINER_NEST_PARENT);
	attach(&f, M0);
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[M0], 1), -ENOTTY);
	assert_msg(&f, "Linux 6.13");
	assert_int_equal(iommufd_container_attach_nested(f.c, f.dev[M0], IOFD_HWPT_DATA_SELFTEST,
							 &mock_s1, sizeof(mock_s1.iotlb)), 0);
	i = info(&f, M0);
	assert_true(i.hwpt_id && !i.viommu_id && !i.vdevice_id);
	/* no vIOMMU: invalidation goes to the stage-1 domain */
	assert_int_equal(iommufd_container_invalidate(f.c, f.dev[M0], 0,
						      IOFD_HWPT_INVALIDATE_DATA_SELFTEST, inv,
						      sizeof(inv), &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(iommufd_sim_nested_iotlb(f.sim, names[M0], 3, &v), 0);
	assert_int_equal(v, 0);
	nf_fini(&f);
}

/* Invalidation: the vIOMMU by default, the stage-1 domain when asked; bad entries. */
static void test_invalidate(void **state)
{
	struct iofd_viommu_invalidate_selftest vi = { .vdev_id = 4, .cache_id = 1 };
	struct iofd_hwpt_invalidate_selftest hi = { .iotlb_id = 2 };
	uint32_t n, v;
	struct nf f;

	nf_init(&f, "7.3", IOMMUFD_CONTAINER_NEST_PARENT);
	attach(&f, M0);
	attach(&f, E0);
	/* nothing to invalidate yet */
	n = 1;
	assert_int_equal(iommufd_container_invalidate(f.c, f.dev[M0], 0,
						      IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST, &vi,
						      sizeof(vi), &n), -EINVAL);
	assert_msg(&f, "nothing cached");
	assert_int_equal(iommufd_container_invalidate(f.c, f.dev[E0], 0, 0, &vi, sizeof(vi), &n),
			 -EINVAL);
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[M0], 4), 0);
	assert_int_equal(iommufd_container_invalidate(f.c, f.dev[M0], IOMMUFD_INVALIDATE_DOMAIN,
						      IOFD_HWPT_INVALIDATE_DATA_SELFTEST, &hi,
						      sizeof(hi), &n), -EINVAL);
	assert_msg(&f, "not on a stage-1 domain");
	assert_int_equal(iommufd_container_attach_nested(f.c, f.dev[M0], IOFD_HWPT_DATA_SELFTEST,
							 &mock_s1, sizeof(mock_s1.iotlb)), 0);
	n = 1;
	assert_int_equal(iommufd_container_invalidate(f.c, f.dev[M0], 0,
						      IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST, &vi,
						      sizeof(vi), &n), 0);
	assert_int_equal(iommufd_sim_device_cache(f.sim, names[M0], 1, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(iommufd_sim_device_cache(f.sim, names[M0], 0, &v), 0);
	assert_int_equal(v, IOFD_TEST_DEV_CACHE_DEFAULT);
	n = 1;
	assert_int_equal(iommufd_container_invalidate(f.c, f.dev[M0], IOMMUFD_INVALIDATE_DOMAIN,
						      IOFD_HWPT_INVALIDATE_DATA_SELFTEST, &hi,
						      sizeof(hi), &n), 0);
	assert_int_equal(iommufd_sim_nested_iotlb(f.sim, names[M0], 2, &v), 0);
	assert_int_equal(v, 0);
	/* unknown entry flags: the kernel's EOPNOTSUPP, none done */
	hi.flags = 0x10;
	n = 1;
	assert_int_equal(iommufd_container_invalidate(f.c, f.dev[M0], IOMMUFD_INVALIDATE_DOMAIN,
						      IOFD_HWPT_INVALIDATE_DATA_SELFTEST, &hi,
						      sizeof(hi), &n), -EOPNOTSUPP);
	assert_int_equal(n, 0);
	assert_msg(&f, "0 of 1 entries done");
	assert_int_equal(iommufd_container_invalidate(f.c, f.dev[M0], 0x2, 0, &hi, sizeof(hi), &n),
			 -EINVAL);
	nf_fini(&f);
}

/* Bad input: clear errors, nothing changed. */
static void test_bad_input(void **state)
{
	IOMMUFD_OPTS(iommufd_nested_opts, o, .flags = 1);
	struct nf f, g;
	long live;

	nf_init(&f, "7.3", IOMMUFD_CONTAINER_DIRTY_TRACKING);
	attach(&f, M0);
	assert_int_equal(iommufd_container_attach_nested(f.c, f.dev[M0], IOFD_HWPT_DATA_SELFTEST,
							 &mock_s1, sizeof(mock_s1.iotlb)), -EOPNOTSUPP);
	assert_msg(&f, "IOMMUFD_CONTAINER_NEST_PARENT");
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[M0], 1), -EOPNOTSUPP);
	{
		IOMMUFD_OPTS(iommufd_nesting_info, ni, .parent_id = 77);

		assert_int_equal(iommufd_container_nesting(f.c, f.dev[M0], &ni), -EOPNOTSUPP);
		assert_msg(&f, "IOMMUFD_CONTAINER_NEST_PARENT");
		assert_int_equal(ni.parent_id, 77);
	}
	nf_fini(&f);

	nf_init(&g, "7.3", IOMMUFD_CONTAINER_NEST_PARENT);
	attach(&g, M0);
	attach(&g, E0);
	live = iommufd_sim_live_objects(g.sim);
	/* not in the container, no domain of its own, no data, bad options */
	assert_int_equal(iommufd_container_set_virt_id(g.c, g.dev[M1], 1), -EINVAL);
	assert_msg(&g, "not in container");
	assert_int_equal(iommufd_container_set_virt_id(g.c, g.dev[E0], 1), -EINVAL);
	assert_msg(&g, "no domain of its own");
	{
		IOMMUFD_OPTS(iommufd_nesting_info, ni);

		assert_int_equal(iommufd_container_nesting(g.c, g.dev[E0], &ni), -EINVAL);
		assert_msg(&g, "no domain of its own");
		assert_int_equal(iommufd_container_nesting(g.c, g.dev[M1], &ni), -EINVAL);
		assert_msg(&g, "not in container");
	}
	assert_int_equal(iommufd_container_attach_nested(g.c, g.dev[M0], IOFD_HWPT_DATA_SELFTEST,
							 NULL, 4), -EINVAL);
	assert_int_equal(iommufd_container_attach_nested(g.c, g.dev[M0], IOFD_HWPT_DATA_SELFTEST,
							 &mock_s1, 0), -EINVAL);
	assert_int_equal(iommufd_container_attach_nested_opts(g.c, g.dev[M0],
							      IOFD_HWPT_DATA_SELFTEST, &mock_s1,
							      sizeof(mock_s1.iotlb), &o), -EINVAL);
	assert_int_equal(iommufd_container_attach_nested(NULL, g.dev[M0], 0, &mock_s1, 4), -EINVAL);
	assert_int_equal(iommufd_container_attach_nested(g.c, NULL, 0, &mock_s1, 4), -EINVAL);
	assert_int_equal(iommufd_container_nesting(g.c, g.dev[M0], NULL), -EINVAL);
	/* a vDEVICE given twice for one device, or one id for two devices */
	assert_int_equal(iommufd_container_set_virt_id(g.c, g.dev[M0], 5), 0);
	live = iommufd_sim_live_objects(g.sim);
	assert_int_equal(iommufd_container_set_virt_id(g.c, g.dev[M0], 5), 0);
	assert_int_equal(iommufd_container_set_virt_id(g.c, g.dev[M0], 6), -EEXIST);
	assert_msg(&g, "it has virtual id 0x5");
	attach(&g, M1);
	assert_int_equal(iommufd_container_set_virt_id(g.c, g.dev[M1], 5), -EEXIST);
	assert_msg(&g, "another device has it");
	assert_int_equal(iommufd_sim_live_objects(g.sim), live);
	/* wrong data type and length: the kernel's answers, nothing left */
	assert_int_equal(iommufd_container_attach_nested(g.c, g.dev[M0], IOFD_HWPT_DATA_VTD_S1,
							 &mock_s1, sizeof(mock_s1.iotlb)), -EOPNOTSUPP);
	assert_int_equal(iommufd_container_attach_nested(g.c, g.dev[M0], IOFD_HWPT_DATA_SELFTEST,
							 &mock_s1, 2), -EINVAL);
	/* a fault queue that is not one */
	{
		IOMMUFD_OPTS(iommufd_nested_opts, fo, .fault_id = 0x7777);

		assert_int_equal(iommufd_container_attach_nested_opts(g.c, g.dev[M0],
					IOFD_HWPT_DATA_SELFTEST, &mock_s1, sizeof(mock_s1.iotlb), &fo),
				 -ENOENT);
	}
	assert_int_equal(iommufd_sim_live_objects(g.sim), live);
	assert_int_equal(info(&g, M0).hwpt_id, 0);
	nf_fini(&g);
}

/* Dirty pages written on stage-1 domains are the nest parent's: none lost on the way. */
static void test_dirty_through_stage1(void **state)
{
	uint64_t bm[LEN / PG / 64];
	struct iommufd_nesting_info i;
	struct nf f;
	int k;

	nf_init(&f, "7.3", IOMMUFD_CONTAINER_NEST_PARENT | IOMMUFD_CONTAINER_DIRTY_TRACKING);
	attach(&f, M0);
	attach(&f, M1);
	assert_int_equal(iommufd_container_map(f.c, f.mem, MOCK_IOVA, LEN, false), 0);
	assert_int_equal(iommufd_container_set_dirty_tracking(f.c, true), 0);
	assert_int_equal(iommufd_container_dirty_status(f.c), 1);
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[M0], 1), 0);
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[M1], 2), 0);
	for (k = 0; k < 4; k++) {
		assert_int_equal(iommufd_container_attach_nested(f.c, f.dev[M0],
								 IOFD_HWPT_DATA_SELFTEST,
								 &mock_s1, sizeof(mock_s1.iotlb)), 0);
		assert_int_equal(iommufd_sim_dma_write(f.sim, names[M0], MOCK_IOVA + k * PG, PG), 0);
	}
	assert_int_equal(iommufd_container_attach_nested(f.c, f.dev[M1], IOFD_HWPT_DATA_SELFTEST,
							 &mock_s1, sizeof(mock_s1.iotlb)), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, names[M1], MOCK_IOVA + 10 * PG, PG), 0);
	i = info(&f, M1);
	/* M1 leaves: its stage-1 domain and vDEVICE go; M0 keeps the parent */
	assert_int_equal(iommufd_container_detach(f.c, f.dev[M1]), 0);
	assert_int_equal(iommufd_destroy(f.ctx, i.hwpt_id), -ENOENT);
	assert_int_equal(iommufd_destroy(f.ctx, i.vdevice_id), -ENOENT);
	assert_int_equal(iommufd_sim_dma_write(f.sim, names[M0], MOCK_IOVA + 20 * PG, PG), 0);
	/* M0 leaves too: parent, vIOMMU, all gone; the pages written still read */
	i = info(&f, M0);
	assert_int_equal(iommufd_container_detach(f.c, f.dev[M0]), 0);
	assert_int_equal(iommufd_destroy(f.ctx, i.viommu_id), -ENOENT);
	assert_int_equal(iommufd_destroy(f.ctx, i.parent_id), -ENOENT);
	memset(bm, 0, sizeof(bm));
	assert_int_equal(iommufd_container_read_dirty(f.c, MOCK_IOVA, LEN, PG, bm, 0), 6);
	assert_int_equal(bm[0], 0xfull | 1ull << 10 | 1ull << 20);
	nf_fini(&f);
}

/*
 * iommufd_selftest_dirty() on a stage-1 domain marks the nest parent: a nest parent that does
 * not track is the domain its message names, not the stage-1 domain the device is on.
 */
static void test_selftest_dirty_names_parent(void **state)
{
	struct iommufd_nesting_info i = { .size = sizeof(i) };
	struct iommufd_device *sd;
	char want[64];
	struct nf f;

	nf_init(&f, "7.3", IOMMUFD_CONTAINER_NEST_PARENT);
	assert_int_equal(iommufd_device_open(f.ctx, "selftest", &sd), 0);
	assert_int_equal(iommufd_container_attach(f.c, sd), 0);
	assert_int_equal(iommufd_container_map(f.c, f.mem, MOCK_IOVA, LEN, false), 0);
	assert_int_equal(iommufd_container_set_virt_id(f.c, sd, 1), 0);
	assert_int_equal(iommufd_container_attach_nested(f.c, sd, IOFD_HWPT_DATA_SELFTEST,
							 &mock_s1, sizeof(mock_s1.iotlb)), 0);
	assert_int_equal(iommufd_container_nesting(f.c, sd, &i), 0);
	assert_int_not_equal(i.hwpt_id, i.parent_id);
	assert_int_equal(iommufd_selftest_dirty(sd, MOCK_IOVA, PG), -EINVAL);
	snprintf(want, sizeof(want), "hwpt %u has no dirty tracking", i.parent_id);
	if (!strstr(iommufd_last_error(f.ctx), want))
		fail_msg("\"%s\" does not name the nest parent %u", iommufd_last_error(f.ctx),
			 i.parent_id);
	iommufd_device_close(sd);
	nf_fini(&f);
	(void)state;
}

/* A vIOMMU with the program's vEVENTQ outlives its last device, and its parent with it. */
static void test_busy_viommu_stays(void **state)
{
	struct iommufd_nesting_info i;
	uint32_t q;
	int fd;
	struct nf f;

	nf_init(&f, "7.3", IOMMUFD_CONTAINER_NEST_PARENT);
	attach(&f, M0);
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[M0], 1), 0);
	i = info(&f, M0);
	assert_int_equal(iommufd_veventq_alloc(f.ctx, i.viommu_id, IOFD_VEVENTQ_TYPE_SELFTEST, 4,
					       &q, &fd), 0);
	assert_int_equal(iommufd_container_detach(f.c, f.dev[M0]), 0);
	assert_int_equal(iommufd_destroy(f.ctx, i.viommu_id), -EBUSY);
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 1);
	/* the device comes back: it joins the parent that stayed, and its vIOMMU */
	attach(&f, M0);
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[M0], 1), 0);
	assert_int_equal(info(&f, M0).viommu_id, i.viommu_id);
	assert_int_equal(info(&f, M0).parent_id, i.parent_id);
	assert_int_equal(iommufd_container_detach(f.c, f.dev[M0]), 0);
	assert_int_equal(iommufd_eventq_close(f.ctx, fd), 0);
	assert_int_equal(iommufd_destroy(f.ctx, q), 0);
	/* freed with the container */
	nf_fini(&f);
}

struct destroys {
	char id[32]; /* "DESTROY id=N " */
	unsigned n;
};

static void count_destroys(void *arg, int level, const char *msg)
{
	struct destroys *d = arg;

	if (level == IOMMUFD_LOG_TRACE && strstr(msg, d->id))
		d->n++;
}

/*
 * A vIOMMU kept busy by the program's vEVENTQ is not tried again by every
 * device that leaves: only by one that leaves its nest parent (the parent
 * can go only after it), or by the container's free.
 */
static void test_busy_viommu_tried_by_its_parent_only(void **state)
{
	struct iommufd_nesting_info i;
	struct destroys d = { .n = 0 };
	uint32_t q;
	int fd;
	struct nf f;

	nf_init(&f, "7.3", IOMMUFD_CONTAINER_NEST_PARENT);
	attach(&f, M0);
	attach(&f, M1);
	attach(&f, S0);
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[M0], 1), 0);
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[S0], 2), 0);
	i = info(&f, M0);
	assert_int_equal(iommufd_veventq_alloc(f.ctx, i.viommu_id, IOFD_VEVENTQ_TYPE_SELFTEST, 4,
					       &q, &fd), 0);
	/* its last user leaves: it stays, busy; M1 keeps the parent */
	assert_int_equal(iommufd_container_detach(f.c, f.dev[M0]), 0);
	snprintf(d.id, sizeof(d.id), "DESTROY id=%u ", i.viommu_id);
	iommufd_set_log(f.ctx, count_destroys, &d);
	/* another IOMMU's device leaves, its vIOMMU with it: the busy one is not asked */
	assert_int_equal(iommufd_container_detach(f.c, f.dev[S0]), 0);
	assert_int_equal(d.n, 0);
	/* the parent's last device leaves: now it is, and stays busy with the parent */
	assert_int_equal(iommufd_container_detach(f.c, f.dev[M1]), 0);
	iommufd_set_log(f.ctx, NULL, NULL);
	assert_true(d.n >= 1);
	assert_int_equal(iommufd_destroy(f.ctx, i.viommu_id), -EBUSY);
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 1);
	assert_int_equal(iommufd_eventq_close(f.ctx, fd), 0);
	assert_int_equal(iommufd_destroy(f.ctx, q), 0);
	nf_fini(&f);
}

/* A device closed while nested: the container takes its nesting objects with it. */
static void test_close_nested_device(void **state)
{
	struct iommufd_nesting_info i;
	struct nf f;

	nf_init(&f, "7.3", IOMMUFD_CONTAINER_NEST_PARENT);
	attach(&f, S0);
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[S0], 0x40), 0);
	assert_int_equal(iommufd_container_attach_nested(f.c, f.dev[S0], IOFD_HWPT_DATA_ARM_SMMUV3,
							 ste_s1, sizeof(ste_s1)), 0);
	i = info(&f, S0);
	iommufd_device_close(f.dev[S0]);
	f.dev[S0] = NULL;
	assert_int_equal(iommufd_destroy(f.ctx, i.viommu_id), -ENOENT);
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 0);
	f.base--; /* the device is unbound */
	nf_fini(&f);
}

/* ---- every kernel call failing in turn ------------------------------------------ */

struct snap {
	long live;
	uint32_t pt[NDEV];
	struct iommufd_nesting_info ni[NDEV];
	int ndomains;
};

static void snap(struct nf *f, struct snap *s)
{
	int d;

	memset(s, 0, sizeof(*s));
	s->live = iommufd_sim_live_objects(f->sim);
	for (d = 0; d < NDEV; d++) {
		s->pt[d] = iommufd_device_pt_id(f->dev[d]);
		s->ni[d].size = sizeof(s->ni[d]);
		if (iommufd_container_nesting(f->c, f->dev[d], &s->ni[d]))
			memset(&s->ni[d], 0, sizeof(s->ni[d]));
	}
	s->ndomains = iommufd_container_domains(f->c, NULL, 0);
}

static void assert_same(const struct snap *a, const struct snap *b)
{
	assert_int_equal(a->live, b->live);
	assert_memory_equal(a->pt, b->pt, sizeof(a->pt));
	assert_memory_equal(a->ni, b->ni, sizeof(a->ni));
	assert_int_equal(a->ndomains, b->ndomains);
}

typedef void (*setup_fn)(struct nf *f);
typedef int (*op_fn)(struct nf *f);

static unsigned fail_each(setup_fn setup, op_fn op, const char *what)
{
	struct snap before, after;
	struct nf f;
	unsigned k;
	int ret;

	for (k = 1; k < 200; k++) {
		setup(&f);
		snap(&f, &before);
		assert_int_equal(iommufd_sim_fail_nth(f.sim, k, EIO), 0);
		ret = op(&f);
		assert_int_equal(iommufd_sim_fail_nth(f.sim, 0, 0), 0);
		if (ret >= 0) {
			nf_fini(&f);
			return k - 1;
		}
		if (ret != -EIO)
			fail_msg("%s, call %u failing: %d (%s)", what, k, ret,
				 iommufd_last_error(f.ctx));
		if (!strstr(iommufd_last_error(f.ctx), "Input/output error"))
			fail_msg("%s, call %u failing: message \"%s\"", what, k,
				 iommufd_last_error(f.ctx));
		snap(&f, &after);
		assert_same(&before, &after);
		nf_fini(&f);
	}
	fail_msg("%s never got through", what);
	return 0;
}

static void two_mocks(struct nf *f)
{
	nf_init(f, "7.3", IOMMUFD_CONTAINER_NEST_PARENT);
	attach(f, M0);
	attach(f, M1);
}

static void two_mocks_nested(struct nf *f)
{
	two_mocks(f);
	assert_int_equal(iommufd_container_set_virt_id(f->c, f->dev[M0], 1), 0);
	assert_int_equal(iommufd_container_attach_nested(f->c, f->dev[M0], IOFD_HWPT_DATA_SELFTEST,
							 &mock_s1, sizeof(mock_s1.iotlb)), 0);
}

static int op_set_virt_id(struct nf *f)
{
	return iommufd_container_set_virt_id(f->c, f->dev[M1], 2);
}

static int op_attach_nested_replace(struct nf *f)
{
	return iommufd_container_attach_nested(f->c, f->dev[M0], IOFD_HWPT_DATA_SELFTEST,
					       &mock_s1, sizeof(mock_s1.iotlb));
}

static int op_detach(struct nf *f)
{
	return iommufd_container_detach(f->c, f->dev[M0]);
}

static int op_detach_nested(struct nf *f)
{
	return iommufd_container_detach_nested(f->c, f->dev[M0]);
}

static void smmu_only(struct nf *f)
{
	nf_init(f, "7.3", IOMMUFD_CONTAINER_NEST_PARENT);
	attach(f, S0);
}

static int op_smmu_bypass(struct nf *f)
{
	return iommufd_container_attach_nested(f->c, f->dev[S0], IOFD_HWPT_DATA_ARM_SMMUV3,
					       ste_bypass, sizeof(ste_bypass));
}

/* One mock device nested alone: the last device of its nest parent and vIOMMU. */
static void one_mock_nested(struct nf *f)
{
	nf_init(f, "7.3", IOMMUFD_CONTAINER_NEST_PARENT);
	attach(f, M0);
	assert_int_equal(iommufd_container_set_virt_id(f->c, f->dev[M0], 1), 0);
	assert_int_equal(iommufd_container_attach_nested(f->c, f->dev[M0], IOFD_HWPT_DATA_SELFTEST,
							 &mock_s1, sizeof(mock_s1.iotlb)), 0);
}

static void count_call(void *arg, int level, const char *msg)
{
	if (level == IOMMUFD_LOG_TRACE && !strncmp(msg, "sim ", 4) && strstr(msg, " = "))
		(*(unsigned *)arg)++;
}

/*
 * The last device of a nest parent leaves: the detach, its stage-1 domain, its
 * vDEVICE and vIOMMU, the nest parent. Each kernel call failing in turn: a
 * failed detach changes nothing and names the domain the device is on; past
 * it the nesting objects are gone, so the device is out whatever fails later
 * (what the kernel will not destroy is kept for the free, which leaves
 * nothing), and it can come back.
 */
static void test_fail_each_call_last_nested(void **state)
{
	IOMMUFD_OPTS(iommufd_nesting_info, ni);
	struct snap before, after;
	unsigned k, n = 0;
	char stage1[32];
	struct nf f;
	int ret;

	one_mock_nested(&f);
	iommufd_set_log(f.ctx, count_call, &n);
	assert_int_equal(op_detach(&f), 0);
	iommufd_set_log(f.ctx, NULL, NULL);
	nf_fini(&f);
	assert_true(n >= 5);
	for (k = 1; k <= n; k++) {
		one_mock_nested(&f);
		snap(&f, &before);
		assert_int_equal(iommufd_sim_fail_nth(f.sim, k, EIO), 0);
		ret = op_detach(&f);
		assert_int_equal(iommufd_sim_fail_nth(f.sim, 0, 0), 0);
		if (ret) {
			if (ret != -EIO)
				fail_msg("call %u failing: %d (%s)", k, ret,
					 iommufd_last_error(f.ctx));
			snprintf(stage1, sizeof(stage1), "hwpt %u:", before.ni[M0].hwpt_id);
			assert_msg(&f, stage1);
			snap(&f, &after);
			assert_same(&before, &after);
		} else {
			assert_int_equal(iommufd_device_pt_id(f.dev[M0]), 0);
			assert_int_equal(iommufd_container_nesting(f.c, f.dev[M0], &ni), -EINVAL);
			attach(&f, M0);
			assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[M0], 1), 0);
			assert_int_equal(info(&f, M0).parent_id, iommufd_device_pt_id(f.dev[M0]));
		}
		nf_fini(&f);
	}
}

static void test_fail_each_call(void **state)
{
	assert_true(fail_each(two_mocks_nested, op_set_virt_id, "set_virt_id") >= 1);
	assert_true(fail_each(two_mocks_nested, op_attach_nested_replace, "attach_nested") >= 2);
	assert_true(fail_each(two_mocks_nested, op_detach_nested, "detach_nested") >= 1);
	assert_true(fail_each(smmu_only, op_smmu_bypass, "attach_nested (new vIOMMU)") >= 3);
	assert_true(fail_each(two_mocks_nested, op_detach, "detach of a nested device") >= 1);
}

/*
 * Live update carries no nesting: a container with a vIOMMU, vDEVICE or stage-1 domain is not
 * saved (EOPNOTSUPP, nothing written), one that only has nest parents is; forgetting a nesting
 * container destroys none of its objects and keeps none of its memory.
 */
static void test_live_update_carries_no_nesting(void **state)
{
	struct nf f;
	struct stat st;
	long objects;
	int fd, i, sfd = 0, sv[2];
	char byte;

	(void)state;
	two_mocks(&f);
	fd = memfd_create("state", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(iommufd_container_save(f.c, fd), 0);
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(iommufd_container_set_virt_id(f.c, f.dev[M0], 1), 0);
	assert_int_equal(iommufd_container_save(f.c, fd), -EOPNOTSUPP);
	assert_msg(&f, "nests");
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(iommufd_container_attach_nested(f.c, f.dev[M0], IOFD_HWPT_DATA_SELFTEST,
							 &mock_s1, sizeof(mock_s1.iotlb)), 0);
	assert_int_equal(iommufd_container_save(f.c, fd), -EOPNOTSUPP);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 0);
	/* nor is it handed over: no file made, none sent, none left without FD_CLOEXEC */
	assert_int_equal(iommufd_container_exec_prepare(f.c, &sfd), -EOPNOTSUPP);
	assert_int_equal(sfd, -1);
	assert_true(fcntl(iommufd_fd(f.ctx), F_GETFD) & FD_CLOEXEC);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(iommufd_container_send(f.c, sv[0]), -EOPNOTSUPP);
	assert_int_equal(recv(sv[1], &byte, 1, MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
	close(sv[0]);
	close(sv[1]);
	/* the container goes on as it was */
	assert_int_equal(info(&f, M0).vdevice_id != 0, 1);
	objects = iommufd_sim_live_objects(f.sim);
	iommufd_container_forget(f.c);
	f.c = NULL;
	assert_int_equal(iommufd_sim_live_objects(f.sim), objects);
	close(fd);
	for (i = 0; i < NDEV; i++)
		iommufd_device_close(f.dev[i]);
	iommufd_close(f.ctx);
	iommufd_sim_free(f.sim);
	munmap(f.mem, LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_viommu_per_instance_and_parent),
		cmocka_unit_test(test_stage1_domains),
		cmocka_unit_test(test_on_6_12),
		cmocka_unit_test(test_invalidate),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_dirty_through_stage1),
		cmocka_unit_test(test_selftest_dirty_names_parent),
		cmocka_unit_test(test_busy_viommu_stays),
		cmocka_unit_test(test_busy_viommu_tried_by_its_parent_only),
		cmocka_unit_test(test_close_nested_device),
		cmocka_unit_test(test_fail_each_call),
		cmocka_unit_test(test_fail_each_call_last_nested),
		cmocka_unit_test(test_live_update_carries_no_nesting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
