// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The HWPT calls that grow, on the simulator: iommufd_hwpt_alloc_opts (the
 * kernel's data type, driver data, fault queue) and iommufd_get_hw_info_opts
 * (the driver's data, PASID width, capabilities); their options checked as
 * every options struct is.
 */
#include "obj_fixture.h"

/* struct iommu_hw_info_vtd */
struct hw_info_vtd {
	uint32_t flags;
	uint32_t reserved;
	uint64_t cap_reg;
	uint64_t ecap_reg;
};

/* struct iommu_hw_info_arm_smmuv3 */
struct hw_info_smmuv3 {
	uint32_t flags;
	uint32_t reserved;
	uint32_t idr[6];
	uint32_t iidr;
	uint32_t aidr;
};

#define HW_INFO_TYPE_INTEL_VTD 1
#define HW_INFO_TYPE_ARM_SMMUV3 2
#define HWPT_DATA_VTD_S1 1

/* struct iommu_hwpt_vtd_s1 */
struct hwpt_vtd_s1 {
	uint64_t flags;
	uint64_t pgtbl_addr;
	uint32_t addr_width;
	uint32_t reserved;
};

/* NULL opts and zeroed opts are iommufd_hwpt_alloc with flags 0; flags work as there. */
static void test_hwpt_alloc_opts_defaults(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f), h1 = 0, h2 = 0, h3 = 0;
	IOMMUFD_OPTS(iommufd_hwpt_alloc_opts, dirty, .flags = IOMMUFD_HWPT_DIRTY_TRACKING);
	IOMMUFD_OPTS(iommufd_hwpt_alloc_opts, none);
	uint32_t id = iommufd_device_id(dev);

	assert_int_equal(iommufd_hwpt_alloc_opts(f->ctx, id, a, NULL, &h1), 0);
	assert_int_equal(iommufd_hwpt_alloc_opts(f->ctx, id, a, &none, &h2), 0);
	assert_int_equal(iommufd_hwpt_alloc_opts(f->ctx, id, a, &dirty, &h3), 0);
	assert_true(h1 && h2 && h3 && h1 != h2 && h2 != h3);
	/* Only the dirty-tracking one tracks. */
	assert_int_equal(iommufd_hwpt_set_dirty_tracking(f->ctx, h3, true), 0);
	assert_err(f->ctx, iommufd_hwpt_set_dirty_tracking(f->ctx, h1, true), EOPNOTSUPP, "hwpt=");
	assert_int_equal(iommufd_device_attach_pt(dev, h1), 0);
	assert_int_equal(iommufd_device_pt_id(dev), h1);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, h1), 0);
	assert_int_equal(iommufd_destroy(f->ctx, h2), 0);
	assert_int_equal(iommufd_destroy(f->ctx, h3), 0);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

/* HWPT_ALLOC calls, from the trace lines (one per kernel call). */
static void count_hwpt_alloc(void *arg, int level, const char *msg)
{
	if (level == IOMMUFD_LOG_TRACE && strstr(msg, "HWPT_ALLOC "))
		(*(unsigned *)arg)++;
}

/* Driver data and fault queues reach the kernel, which answers as 7.3 does. */
static void test_hwpt_alloc_opts_data(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f), h = 0;
	long live = iommufd_sim_live_objects(f->sim);
	uint32_t id = iommufd_device_id(dev);
	struct hwpt_vtd_s1 s1 = { .addr_width = 48 };
	IOMMUFD_OPTS(iommufd_hwpt_alloc_opts, o, .data_type = HWPT_DATA_VTD_S1, .data = &s1,
		     .data_len = sizeof(s1));
	unsigned calls = 0;

	/* VT-d makes no stage-1 domain over an IOAS: only over a nest parent. */
	assert_err(f->ctx, iommufd_hwpt_alloc_opts(f->ctx, id, a, &o, &h), EOPNOTSUPP,
		   "data_type=1", "data_len=24");
	/* Data and its length go together: one without the other is refused before the kernel. */
	iommufd_set_log(f->ctx, count_hwpt_alloc, &calls);
	o.data = NULL;
	assert_err(f->ctx, iommufd_hwpt_alloc_opts(f->ctx, id, a, &o, &h), EINVAL,
		   "hwpt alloc dev", "of 24 bytes");
	o.data = &s1;
	o.data_len = 0;
	assert_err(f->ctx, iommufd_hwpt_alloc_opts(f->ctx, id, a, &o, &h), EINVAL,
		   "hwpt alloc dev", "of 0 bytes");
	o.data_type = 0;
	assert_err(f->ctx, iommufd_hwpt_alloc_opts(f->ctx, id, a, &o, &h), EINVAL,
		   "hwpt alloc dev", "of 0 bytes");
	assert_int_equal(calls, 0);
	iommufd_set_log(f->ctx, NULL, NULL);
	/* A type without data, data without a type: EINVAL from the kernel. */
	o.data_type = HWPT_DATA_VTD_S1;
	o.data = NULL;
	assert_err(f->ctx, iommufd_hwpt_alloc_opts(f->ctx, id, a, &o, &h), EINVAL, "HWPT_ALLOC");
	o.data = &s1;
	o.data_type = 0;
	o.data_len = sizeof(s1);
	assert_err(f->ctx, iommufd_hwpt_alloc_opts(f->ctx, id, a, &o, &h), EINVAL, "HWPT_ALLOC");
	/* A fault queue that is none (7.3, the default kernel, looks for one): ENOENT. */
	o.data = NULL;
	o.data_len = 0;
	o.fault_id = 7;
	assert_err(f->ctx, iommufd_hwpt_alloc_opts(f->ctx, id, a, &o, &h), ENOENT, "fault=7",
		   "flags=0x4");
	/* Never with a nest parent. */
	o.flags = IOMMUFD_HWPT_NEST_PARENT;
	assert_err(f->ctx, iommufd_hwpt_alloc_opts(f->ctx, id, a, &o, &h), EOPNOTSUPP, "fault=7");
	assert_int_equal(h, 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

static void test_hwpt_alloc_opts_checked(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	uint32_t a = fx_ioas(f), h = 0;
	long live = iommufd_sim_live_objects(f->sim);
	uint32_t id = iommufd_device_id(dev);
	struct {
		struct iommufd_hwpt_alloc_opts o;
		uint64_t newer;
	} big = { .o.size = sizeof(big) };
	IOMMUFD_OPTS(iommufd_hwpt_alloc_opts, o, .flags = 0x80);

	assert_err(f->ctx, iommufd_hwpt_alloc_opts(f->ctx, id, a, &o, &h), EINVAL,
		   "unknown flags 0x80");
	o.flags = 0;
	o.size = 8;
	assert_err(f->ctx, iommufd_hwpt_alloc_opts(f->ctx, id, a, &o, &h), EINVAL, "hwpt alloc",
		   "opts size 8");
	big.newer = 1;
	assert_err(f->ctx, iommufd_hwpt_alloc_opts(f->ctx, id, a, &big.o, &h), E2BIG,
		   "hwpt alloc");
	/* A newer caller's struct with its new members unused is taken. */
	big.newer = 0;
	assert_int_equal(iommufd_hwpt_alloc_opts(f->ctx, id, a, &big.o, &h), 0);
	assert_int_equal(iommufd_destroy(f->ctx, h), 0);
	assert_err(f->ctx, iommufd_hwpt_alloc_opts(f->ctx, id, a, NULL, NULL), EINVAL,
		   "hwpt_id is NULL");
	assert_int_equal(iommufd_hwpt_alloc_opts(NULL, id, a, NULL, &h), -EINVAL);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(f->ctx, a), 0);
}

/* VT-d's cap and ecap registers, sized and zero-filled as the kernel does. */
static void test_hw_info_vtd_data(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY), *old = fx_dev(f, DEV_NODIRTY);
	struct hw_info_vtd vtd;
	struct iommufd_hw_info basic;
	unsigned char big[64], small[12];
	IOMMUFD_OPTS(iommufd_hw_info_opts, o, .data = &vtd, .data_len = sizeof(vtd));

	memset(&vtd, 0xff, sizeof(vtd));
	assert_int_equal(iommufd_get_hw_info_opts(f->ctx, iommufd_device_id(dev), &o), 0);
	assert_int_equal(o.out_data_type, HW_INFO_TYPE_INTEL_VTD);
	assert_int_equal(o.data_len, sizeof(vtd));
	assert_int_equal(o.out_capabilities, IOMMUFD_HW_CAP_DIRTY_TRACKING);
	assert_int_equal(o.out_max_pasid_log2, 0);
	/* The driver flags every unit with erratum 772415 (no read-only nest parent maps). */
	assert_int_equal(vtd.flags, 1);
	/* 48-bit: MGAW 47 and SAGAW 4-level; ecap: second-stage access/dirty bits. */
	assert_int_equal((vtd.cap_reg >> 16) & 0x3f, 47);
	assert_true(vtd.cap_reg & (1ull << 10));
	assert_true(vtd.ecap_reg & (1ull << 45));
	/* The same type and capabilities as the old call. */
	assert_int_equal(iommufd_get_hw_info(f->ctx, iommufd_device_id(dev), &basic), 0);
	assert_int_equal(basic.type, o.out_data_type);
	assert_int_equal(basic.capabilities, o.out_capabilities);

	/* A unit without dirty tracking says so, in both places. */
	o.data_len = sizeof(vtd);
	assert_int_equal(iommufd_get_hw_info_opts(f->ctx, iommufd_device_id(old), &o), 0);
	assert_int_equal(o.out_capabilities, 0);
	assert_int_equal((vtd.cap_reg >> 16) & 0x3f, 38);
	assert_false(vtd.ecap_reg & (1ull << 45));

	/* A larger buffer: the rest zeroed. A smaller one: filled as far as it goes. */
	memset(big, 0xee, sizeof(big));
	o.data = big;
	o.data_len = sizeof(big);
	assert_int_equal(iommufd_get_hw_info_opts(f->ctx, iommufd_device_id(dev), &o), 0);
	assert_int_equal(o.data_len, sizeof(vtd));
	for (unsigned i = sizeof(vtd); i < sizeof(big); i++)
		assert_int_equal(big[i], 0);
	memset(small, 0xee, sizeof(small));
	o.data = small;
	o.data_len = 8;
	assert_int_equal(iommufd_get_hw_info_opts(f->ctx, iommufd_device_id(dev), &o), 0);
	assert_int_equal(o.data_len, sizeof(vtd));
	assert_int_equal(small[0], 1);          /* flags */
	assert_int_equal(small[8], 0xee);       /* not written past data_len */
	/* No buffer: only the size of the data. */
	o.data = NULL;
	o.data_len = 0;
	assert_int_equal(iommufd_get_hw_info_opts(f->ctx, iommufd_device_id(dev), &o), 0);
	assert_int_equal(o.data_len, sizeof(vtd));
	iommufd_device_close(old);
	iommufd_device_close(dev);
}

static void test_hw_info_smmuv3_data(void **state)
{
	struct iommufd_device *dev = NULL;
	struct iommufd_sim *sim = NULL;
	struct iommufd_ctx *ctx = NULL;
	struct hw_info_smmuv3 smmu;
	IOMMUFD_OPTS(iommufd_hw_info_opts, o, .data = &smmu, .data_len = sizeof(smmu));

	/* The built-in host has an SMMUv3 with dirty tracking behind 0000:80:00.0. */
	assert_int_equal(iommufd_sim_new(NULL, &sim), 0);
	assert_int_equal(iommufd_sim_open(sim, &ctx), 0);
	assert_int_equal(iommufd_device_open(ctx, "0000:80:00.0", &dev), 0);
	assert_int_equal(iommufd_get_hw_info_opts(ctx, iommufd_device_id(dev), &o), 0);
	assert_int_equal(o.out_data_type, HW_INFO_TYPE_ARM_SMMUV3);
	assert_int_equal(o.data_len, sizeof(smmu));
	/* IDR0.HTTU: access and dirty flags kept by the hardware. */
	assert_int_equal((smmu.idr[0] >> 6) & 3, 2);
	iommufd_device_close(dev);
	iommufd_close(ctx);
	iommufd_sim_free(sim);
	(void)state;
}

static void test_hw_info_errors(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY), *mdev = fx_dev(f, DEV_MDEV);
	struct hw_info_vtd vtd;
	struct {
		struct iommufd_hw_info_opts o;
		uint64_t newer;
	} big = { .o.size = sizeof(big), .o.data = &vtd, .o.data_len = sizeof(vtd) };
	IOMMUFD_OPTS(iommufd_hw_info_opts, o, .data_len = 8);
	uint32_t id = iommufd_device_id(dev);

	/* A length without a buffer: the kernel cannot write it. */
	assert_err(f->ctx, iommufd_get_hw_info_opts(f->ctx, id, &o), EFAULT, "GET_HW_INFO");
	/* Asking for a type (7.3): the IOMMU's own is given, another it has not. */
	o.data = &vtd;
	o.data_type = HW_INFO_TYPE_INTEL_VTD;
	assert_int_equal(iommufd_get_hw_info_opts(f->ctx, id, &o), 0);
	assert_int_equal(o.out_data_type, HW_INFO_TYPE_INTEL_VTD);
	o.data_type = HW_INFO_TYPE_ARM_SMMUV3;
	assert_err(f->ctx, iommufd_get_hw_info_opts(f->ctx, id, &o), EOPNOTSUPP, "data type 2",
		   "IOMMU_HW_INFO_FLAG_INPUT_TYPE");
	o.data_type = 0;
	o.reserved[1] = 1;
	assert_err(f->ctx, iommufd_get_hw_info_opts(f->ctx, id, &o), EINVAL, "reserved");
	o.reserved[1] = 0;
	/* An emulated device's id is an access, no device: ENOENT, as for no id at all. */
	assert_err(f->ctx, iommufd_get_hw_info_opts(f->ctx, iommufd_device_id(mdev), &o), ENOENT,
		   "GET_HW_INFO");
	assert_err(f->ctx, iommufd_get_hw_info_opts(f->ctx, 4242, &o), ENOENT, "dev=4242");
	assert_err(f->ctx, iommufd_get_hw_info_opts(f->ctx, id, NULL), EINVAL, "opts is NULL");
	assert_int_equal(iommufd_get_hw_info_opts(NULL, id, &o), -EINVAL);
	o.size = 16;
	assert_err(f->ctx, iommufd_get_hw_info_opts(f->ctx, id, &o), EINVAL, "opts size 16");
	/* Newer callers: unknown members set, E2BIG; unused, the answer and nothing beyond. */
	big.newer = 5;
	assert_err(f->ctx, iommufd_get_hw_info_opts(f->ctx, id, &big.o), E2BIG, "hw info");
	assert_int_equal(big.o.out_data_type, 0);
	big.newer = 0;
	assert_int_equal(iommufd_get_hw_info_opts(f->ctx, id, &big.o), 0);
	assert_int_equal(big.o.out_data_type, HW_INFO_TYPE_INTEL_VTD);
	assert_int_equal(big.newer, 0);
	iommufd_device_close(mdev);
	iommufd_device_close(dev);
}

/* Linux 6.12: no type asked for, no fault queue for a paging domain, no IOAS_MAP_FILE. */
static void test_what_6_12_has_not(void **state)
{
	static const char topology[] =
		"{ \"kernel\": \"6.12\", \"iommus\": [ { \"name\": \"dmar0\", "
		"\"driver\": \"intel-vtd\" } ], \"devices\": [ { \"name\": \"" DEV_DIRTY
		"\", \"iommu\": \"dmar0\" } ] }";
	struct iommufd_device *dev = NULL;
	struct iommufd_sim *sim = NULL;
	struct iommufd_ctx *ctx = NULL;
	struct hw_info_vtd vtd;
	IOMMUFD_OPTS(iommufd_hw_info_opts, o, .data = &vtd, .data_len = sizeof(vtd),
		     .data_type = HW_INFO_TYPE_INTEL_VTD);
	IOMMUFD_OPTS(iommufd_hwpt_alloc_opts, h, .fault_id = 3);
	uint64_t iova = 0x100000;
	uint32_t ioas, hwpt = 0;

	assert_int_equal(iommufd_sim_new(topology, &sim), 0);
	assert_int_equal(iommufd_sim_open(sim, &ctx), 0);
	assert_int_equal(iommufd_device_open(ctx, DEV_DIRTY, &dev), 0);
	assert_err(ctx, iommufd_get_hw_info_opts(ctx, iommufd_device_id(dev), &o), EOPNOTSUPP,
		   "data type 1", "IOMMU_HW_INFO_FLAG_INPUT_TYPE");
	o.data_type = 0;
	assert_int_equal(iommufd_get_hw_info_opts(ctx, iommufd_device_id(dev), &o), 0);
	assert_int_equal(o.out_data_type, HW_INFO_TYPE_INTEL_VTD);
	assert_int_equal(iommufd_ioas_alloc(ctx, &ioas), 0);
	assert_err(ctx, iommufd_hwpt_alloc_opts(ctx, iommufd_device_id(dev), ioas, &h, &hwpt),
		   EOPNOTSUPP, "fault=3");
	assert_err(ctx, iommufd_ioas_map_file(ctx, ioas, 0, 0, PAGE, &iova,
					      IOMMUFD_MAP_FIXED_IOVA), ENOTTY,
		   "IOMMU_IOAS_MAP_FILE", "Linux 6.13 or later does");
	assert_int_equal(iommufd_sim_live_objects(sim), 2);
	iommufd_device_close(dev);
	iommufd_close(ctx);
	iommufd_sim_free(sim);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_hwpt_alloc_opts_defaults),
		FX_TEST(test_hwpt_alloc_opts_data),
		FX_TEST(test_hwpt_alloc_opts_checked),
		FX_TEST(test_hw_info_vtd_data),
		FX_TEST(test_hw_info_smmuv3_data),
		FX_TEST(test_hw_info_errors),
		cmocka_unit_test(test_what_6_12_has_not),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
