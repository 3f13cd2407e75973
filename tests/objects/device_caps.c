// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommufd_device_caps on the simulator, imitating 6.12 and 7.3: what each IOMMU driver
 * answers (dirty tracking, nest parents with and without dirty tracking, PASID widths, the
 * driver's data type), whether the kernel has vIOMMU objects, and that asking leaves nothing
 * behind: no object, no last error, the caller's struct as it was on failure.
 */
#include "obj_fixture.h"

#define HW_INFO_TYPE_NONE 0
#define HW_INFO_TYPE_INTEL_VTD 1
#define HW_INFO_TYPE_ARM_SMMUV3 2
#define HW_INFO_TYPE_SELFTEST 0xfeedbeefu

#define DIRTY IOMMUFD_DEVICE_CAP_DIRTY_TRACKING
#define NEST IOMMUFD_DEVICE_CAP_NEST_PARENT
#define NEST_DIRTY IOMMUFD_DEVICE_CAP_NEST_PARENT_DIRTY
#define VIOMMU IOMMUFD_DEVICE_CAP_VIOMMU
#define VIOMMU_DRIVER IOMMUFD_DEVICE_CAP_VIOMMU_DRIVER

/*
 * A host of every driver the simulator models: VT-d as a server has it (dirty tracking,
 * nesting) and as QEMU emulates it (neither), SMMUv3, another driver, and a PASID-capable
 * device. KERNEL and the mock IOMMU are filled in: 6.12 makes no mock device beside VT-d.
 */
#define HOST(KERNEL, MOCK_IOMMU, MOCK_DEV)                                                    \
	"{ \"kernel\": \"" KERNEL "\", \"iommus\": ["                                          \
	" { \"name\": \"dmar0\", \"driver\": \"intel-vtd\", \"dirty_tracking\": true },"      \
	" { \"name\": \"dmar1\", \"driver\": \"intel-vtd\", \"nesting\": false },"            \
	" { \"name\": \"smmu0\", \"driver\": \"arm-smmu-v3\", \"dirty_tracking\": true },"    \
	" { \"name\": \"amd0\", \"driver\": \"amd-iommu\", \"dirty_tracking\": true }"        \
	MOCK_IOMMU " ],"                                                                      \
	" \"devices\": ["                                                                     \
	" { \"name\": \"vtd\", \"iommu\": \"dmar0\" },"                                       \
	" { \"name\": \"vtd-pasid\", \"iommu\": \"dmar0\", \"pasid_bits\": 20,"               \
	"   \"pasid_exec\": true },"                                                          \
	" { \"name\": \"qemu-vtd\", \"iommu\": \"dmar1\" },"                                  \
	" { \"name\": \"smmu\", \"iommu\": \"smmu0\", \"pasid_bits\": 16,"                    \
	"   \"pasid_priv\": true },"                                                          \
	" { \"name\": \"amd\", \"iommu\": \"amd0\" },"                                        \
	" { \"name\": \"mdev\", \"emulated\": true }" MOCK_DEV " ] }"

static const char host_7_3[] = HOST("7.3",
	", { \"name\": \"mock\", \"driver\": \"iommufd-selftest\", \"dirty_tracking\": true }",
	", { \"name\": \"mock-d\", \"iommu\": \"mock\" }");
static const char host_6_12[] = HOST("6.12", "", "");

struct want {
	const char *name;
	uint32_t flags; /* without VIOMMU: that is the kernel's */
	uint32_t hw_info_type;
	uint64_t hw_capabilities;
	uint8_t max_pasid_log2;
	bool viommu_driver; /* its driver makes vIOMMUs, where the kernel has them */
};

static const struct want wants[] = {
	{ "vtd", DIRTY | NEST | NEST_DIRTY, HW_INFO_TYPE_INTEL_VTD, IOMMUFD_HW_CAP_DIRTY_TRACKING,
	  0, false },
	{ "vtd-pasid", DIRTY | NEST | NEST_DIRTY, HW_INFO_TYPE_INTEL_VTD,
	  IOMMUFD_HW_CAP_DIRTY_TRACKING | IOMMUFD_HW_CAP_PCI_PASID_EXEC, 20, false },
	/* QEMU's VT-d: no ecap NEST, so no nest parent (6.12 and 7.3 alike) */
	{ "qemu-vtd", 0, HW_INFO_TYPE_INTEL_VTD, 0, 0, false },
	/* SMMUv3: a nest parent is a stage-2 table, which tracks no dirty bits */
	{ "smmu", DIRTY | NEST, HW_INFO_TYPE_ARM_SMMUV3,
	  IOMMUFD_HW_CAP_DIRTY_TRACKING | IOMMUFD_HW_CAP_PCI_PASID_PRIV, 16, true },
	/* a driver the simulator knows no more of: no nesting, no data of its own */
	{ "amd", DIRTY, HW_INFO_TYPE_NONE, IOMMUFD_HW_CAP_DIRTY_TRACKING, 0, false },
	{ "mdev", 0, 0, 0, 0, false },
	{ "mock-d", DIRTY | NEST | NEST_DIRTY, HW_INFO_TYPE_SELFTEST,
	  IOMMUFD_HW_CAP_DIRTY_TRACKING, 0, true },
};

static void open_host(const char *topology, struct iommufd_sim **sim, struct iommufd_ctx **ctx)
{
	if (iommufd_sim_new(topology, sim))
		fail_msg("topology: %s", iommufd_sim_last_error());
	assert_int_equal(iommufd_sim_open(*sim, ctx), 0);
}

/* VIOMMU_ALLOC calls, from the trace lines (one per kernel call). */
static void count_viommu_alloc(void *arg, int level, const char *msg)
{
	if (level == IOMMUFD_LOG_TRACE && strstr(msg, "VIOMMU_ALLOC "))
		(*(unsigned *)arg)++;
}

/*
 * Each device of a host answers as its driver does; the kernel's vIOMMU objects as given.
 * The kernel is asked about vIOMMUs once per device: a vIOMMU of the driver's type where
 * there is one (its answer says whether the kernel has vIOMMUs too), else the reserved type.
 */
static void check_host(const char *topology, bool has_mock, uint32_t viommu)
{
	struct iommufd_device *dev;
	struct iommufd_sim *sim;
	struct iommufd_ctx *ctx;
	unsigned viommu_calls;
	size_t i;
	long live;

	open_host(topology, &sim, &ctx);
	iommufd_set_log(ctx, count_viommu_alloc, &viommu_calls);
	for (i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		IOMMUFD_OPTS(iommufd_device_caps, caps);
		const struct want *w = &wants[i];
		/* VT-d has no vIOMMU in 7.3: it nests from the parent */
		uint32_t want = w->flags | viommu | (viommu && w->viommu_driver ? VIOMMU_DRIVER : 0);

		if (!has_mock && !strcmp(w->name, "mock-d"))
			continue;
		assert_int_equal(iommufd_device_open(ctx, w->name, &dev), 0);
		live = iommufd_sim_live_objects(sim);
		viommu_calls = 0;
		assert_int_equal(iommufd_device_caps(dev, &caps), 0);
		if (viommu_calls != 1)
			fail_msg("%s: %u VIOMMU_ALLOC calls, want 1", w->name, viommu_calls);
		assert_int_equal(caps.size, sizeof(caps));
		if (caps.flags != want)
			fail_msg("%s: flags 0x%x, want 0x%x", w->name, caps.flags, want);
		assert_int_equal(caps.hw_info_type, w->hw_info_type);
		assert_int_equal(caps.hw_capabilities, w->hw_capabilities);
		assert_int_equal(caps.max_pasid_log2, w->max_pasid_log2);
		/* The scratch objects are gone; the refusals left no message. */
		assert_int_equal(iommufd_sim_live_objects(sim), live);
		assert_string_equal(iommufd_last_error(ctx), "");
		/* As GET_HW_INFO says, and iommufd_device_dirty_capable() too. */
		assert_int_equal(iommufd_device_dirty_capable(dev), !!(w->flags & DIRTY));
		iommufd_device_close(dev);
	}
	iommufd_close(ctx);
	iommufd_sim_free(sim);
}

/* 7.3 has vIOMMU objects (VIOMMU_ALLOC, from 6.13); the drivers answer as on 6.12. */
static void test_caps_7_3(void **state)
{
	check_host(host_7_3, true, VIOMMU);
	(void)state;
}

/* 6.12 has no VIOMMU_ALLOC: it answers ENOTTY, which is the answer "no vIOMMU objects". */
static void test_caps_6_12(void **state)
{
	check_host(host_6_12, false, 0);
	(void)state;
}

/* The default kernel is the newest: a topology without "kernel" has vIOMMU objects. */
static void test_caps_default_kernel(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_NODIRTY);
	IOMMUFD_OPTS(iommufd_device_caps, caps);

	assert_int_equal(iommufd_device_caps(dev, &caps), 0);
	/* The fixture's dmar1 leaves nesting to the driver's default: VT-d nests. */
	assert_int_equal(caps.flags, NEST | VIOMMU);
	iommufd_device_close(dev);
}

/* The probes a kernel refuses show as kernel calls when traced, and the answer as a line. */
static void log_line(void *arg, int level, const char *msg)
{
	char *buf = arg;
	size_t n = strlen(buf);

	(void)level;
	snprintf(buf + n, 8192 - n, "%s\n", msg);
}

static void test_caps_traced(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_NODIRTY);
	IOMMUFD_OPTS(iommufd_device_caps, caps);
	static char lines[8192];

	lines[0] = '\0';
	iommufd_set_log(f->ctx, log_line, lines);
	assert_int_equal(iommufd_set_log_level(f->ctx, IOMMUFD_LOG_TRACE), 0);
	assert_int_equal(iommufd_device_caps(dev, &caps), 0);
	iommufd_set_log(f->ctx, NULL, NULL);
	assert_non_null(strstr(lines, "GET_HW_INFO"));
	assert_non_null(strstr(lines, "HWPT_ALLOC"));
	assert_non_null(strstr(lines, "flags=0x1"));
	/* no dirty tracking: no nest parent with dirty tracking is asked for */
	assert_null(strstr(lines, "flags=0x3"));
	assert_non_null(strstr(lines, "VIOMMU_ALLOC"));
	assert_non_null(strstr(lines, "device caps " DEV_NODIRTY ": dirty tracking no, nest "
			       "parent yes, PASID 0 bits, vIOMMU objects yes"));
	iommufd_device_close(dev);
}

/* A previous failure's message stays: asking is no failure, whatever the kernel refuses. */
static void test_caps_keep_last_error(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	IOMMUFD_OPTS(iommufd_device_caps, caps);

	assert_err(f->ctx, iommufd_destroy(f->ctx, 999), ENOENT, "999");
	assert_int_equal(iommufd_device_caps(dev, &caps), 0);
	assert_non_null(strstr(iommufd_last_error(f->ctx), "999"));
	iommufd_device_close(dev);
}

/* Bad arguments: refused with a message, the struct as it was. */
static void test_caps_bad_args(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	struct {
		struct iommufd_device_caps c;
		uint64_t newer;
	} big;
	struct iommufd_device_caps caps;

	assert_int_equal(iommufd_device_caps(NULL, &caps), -EINVAL);
	assert_err(f->ctx, iommufd_device_caps(dev, NULL), EINVAL, "device caps", DEV_DIRTY,
		   "NULL");

	memset(&caps, 0, sizeof(caps));
	caps.size = offsetof(struct iommufd_device_caps, reserved);
	assert_err(f->ctx, iommufd_device_caps(dev, &caps), EINVAL, "device caps", "IOMMUFD_OPTS");
	assert_int_equal(caps.flags, 0);

	memset(&caps, 0, sizeof(caps));
	caps.size = sizeof(caps);
	caps.reserved[6] = 1;
	assert_err(f->ctx, iommufd_device_caps(dev, &caps), EINVAL, "device caps", "reserved");
	assert_int_equal(caps.flags, 0);

	/* A newer caller's larger struct: its members unknown here must be 0, and stay so. */
	memset(&big, 0, sizeof(big));
	big.c.size = sizeof(big);
	big.newer = 1;
	assert_err(f->ctx, iommufd_device_caps(dev, &big.c), E2BIG, "device caps", "newer");
	assert_int_equal(big.c.flags, 0);
	big.newer = 0;
	assert_int_equal(iommufd_device_caps(dev, &big.c), 0);
	assert_int_equal(big.c.flags, DIRTY | NEST | NEST_DIRTY | VIOMMU);
	assert_int_equal(big.c.size, sizeof(big));
	assert_int_equal(big.newer, 0);

	/* What is left in the answer's members (an earlier call's, another device's) is no input. */
	iommufd_device_close(dev);
	dev = fx_dev(f, DEV_NODIRTY);
	big.c.hw_capabilities = 0xff;
	big.c.max_pasid_log2 = 20;
	big.c.hw_info_type = 77;
	assert_int_equal(iommufd_device_caps(dev, &big.c), 0);
	assert_int_equal(big.c.flags, NEST | VIOMMU);
	assert_int_equal(big.c.hw_capabilities, 0);
	assert_int_equal(big.c.max_pasid_log2, 0);
	assert_int_equal(big.c.hw_info_type, HW_INFO_TYPE_INTEL_VTD);
	assert_int_equal(big.c.size, sizeof(big));
	iommufd_device_close(dev);
}

/*
 * Each kernel call of the question failing in turn: a failure that is no refusal comes
 * back with its errno, the struct untouched and no object left; a failed destroy is tried
 * again; a VIOMMU_ALLOC failing otherwise than ENOTTY still says the kernel has it.
 */
static void test_caps_kernel_failures(void **state)
{
	struct fx *f = *state;
	struct iommufd_device *dev = fx_dev(f, DEV_DIRTY);
	long live = iommufd_sim_live_objects(f->sim);
	/*
	 * The calls, in order: GET_HW_INFO, IOAS_ALLOC, HWPT_ALLOC (nest parent), DESTROY,
	 * HWPT_ALLOC (and dirty tracking), DESTROY, DESTROY (the IOAS), VIOMMU_ALLOC; the 9th
	 * is past the last.
	 */
	static const bool fails[] = { false, true, true, true, false, true, false, false, false,
				      false };
	unsigned n;
	int ret;

	for (n = 1; n <= 9; n++) {
		IOMMUFD_OPTS(iommufd_device_caps, caps);

		assert_int_equal(iommufd_sim_fail_nth(f->sim, n, ENOMEM), 0);
		ret = iommufd_device_caps(dev, &caps);
		assert_int_equal(iommufd_sim_fail_nth(f->sim, 0, 0), 0);
		assert_int_equal(iommufd_sim_live_objects(f->sim), live);
		if (fails[n]) {
			if (ret != -ENOMEM)
				fail_msg("call %u failing: %d, want -ENOMEM", n, ret);
			assert_int_equal(caps.flags, 0);
			assert_int_equal(caps.hw_info_type, 0);
			assert_non_null(strstr(iommufd_last_error(f->ctx), "Cannot allocate memory"));
		} else {
			if (ret)
				fail_msg("call %u failing: %d, want 0", n, ret);
			assert_int_equal(caps.flags, DIRTY | NEST | NEST_DIRTY | VIOMMU);
		}
	}
	iommufd_device_close(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps_7_3),
		cmocka_unit_test(test_caps_6_12),
		FX_TEST(test_caps_default_kernel),
		FX_TEST(test_caps_traced),
		FX_TEST(test_caps_keep_last_error),
		FX_TEST(test_caps_bad_args),
		FX_TEST(test_caps_kernel_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
