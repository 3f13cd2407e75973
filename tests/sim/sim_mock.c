// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Per-IOMMU nesting, apertures that do not start at 0, 2 KiB IO pages, and
 * the kernel's selftest mock IOMMU ("iommufd-selftest") that has all three;
 * how its dirty bits differ between the kernels imitated ("kernel" key).
 */
#include "sim_test.h"

#define MOCK_START (1ull << 24)
#define MOCK_LAST ((1ull << 31) - 1)
#define SZ_2K 0x800ull

/* Two mock IOMMUs (with and without dirty tracking), a 4 KiB-page IOMMU. */
static const char mock_topo[] =
	"{ \"iommus\": ["
	"  { \"name\": \"mock\", \"driver\": \"iommufd-selftest\", \"dirty_tracking\": true },"
	"  { \"name\": \"mock-nd\", \"driver\": \"iommufd-selftest\" },"
	"  { \"name\": \"other\", \"driver\": \"x\", \"pgsizes\": [\"4K\"] } ],"
	"  \"devices\": [ { \"name\": \"d\", \"iommu\": \"mock\" },"
	"                 { \"name\": \"n\", \"iommu\": \"mock-nd\" },"
	"                 { \"name\": \"o\", \"iommu\": \"other\" } ] }";
#define CDEV_D "/dev/vfio/devices/vfio0"
#define CDEV_N "/dev/vfio/devices/vfio1"
#define CDEV_O "/dev/vfio/devices/vfio2"

struct fixture {
	struct iommufd_sim *sim;
	int ifd, fd_d, fd_n, fd_o;
	uint32_t ioas, id_d, id_n, id_o;
	char *buf;
};

#define BUF_LEN (64 * SZ_4K)

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->sim = new_sim(mock_topo);
	f->ifd = open_iommufd(f->sim);
	f->ioas = ioas_alloc(f->sim, f->ifd);
	f->fd_d = bind_dev(f->sim, f->ifd, CDEV_D, &f->id_d);
	f->fd_n = bind_dev(f->sim, f->ifd, CDEV_N, &f->id_n);
	f->fd_o = bind_dev(f->sim, f->ifd, CDEV_O, &f->id_o);
	f->buf = test_buf(BUF_LEN);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	iommufd_sim_free(f->sim);
	free_buf(f->buf, BUF_LEN);
	free(f);
	return 0;
}

static int hw_info(struct iommufd_sim *sim, int ifd, uint32_t dev_id, void *data, uint32_t len,
		   struct iofd_hw_info *out)
{
	*out = (struct iofd_hw_info){ .size = sizeof(*out), .dev_id = dev_id, .data_len = len,
				      .data_uptr = (uintptr_t)data };
	return t_ioctl(sim, ifd, IOFD_GET_HW_INFO, out);
}

/* One IOMMU "u0" of a driver with extra keys, device "d0" behind it: NEST_PARENT's answer. */
static int nest_parent_on(const char *driver, const char *keys, uint32_t flags)
{
	char topo[512];
	struct iommufd_sim *sim;
	uint32_t id, ioas, hwpt;
	int ifd, dfd, ret;
	long live;

	snprintf(topo, sizeof(topo),
		 "{ \"iommus\": [ { \"name\": \"u0\", \"driver\": \"%s\", \"dirty_tracking\": true%s%s } ],"
		 " \"devices\": [ { \"name\": \"d0\", \"iommu\": \"u0\" } ] }",
		 driver, keys[0] ? ", " : "", keys);
	sim = new_sim(topo);
	ifd = open_iommufd(sim);
	ioas = ioas_alloc(sim, ifd);
	dfd = bind_dev(sim, ifd, "/dev/vfio/devices/vfio0", &id);
	live = iommufd_sim_live_objects(sim);
	ret = hwpt_alloc(sim, ifd, id, ioas, IOFD_HWPT_ALLOC_NEST_PARENT | flags, &hwpt);
	if (ret)
		/* a refusal leaves nothing behind */
		assert_int_equal(iommufd_sim_live_objects(sim), live);
	else
		assert_int_equal(destroy(sim, ifd, hwpt), 0);
	t_close(sim, dfd);
	iommufd_sim_free(sim);
	return ret;
}

static void test_nesting_per_iommu(void **state)
{
	const uint32_t dt = IOFD_HWPT_ALLOC_DIRTY_TRACKING;

	/* VT-d nests by default; QEMU 7.2's emulated unit does not (ecap NEST clear) */
	assert_int_equal(nest_parent_on("intel-vtd", "", 0), 0);
	assert_int_equal(nest_parent_on("intel-vtd", "", dt), 0);
	assert_int_equal(nest_parent_on("intel-vtd", "\"nesting\": false", 0), -EOPNOTSUPP);
	assert_int_equal(nest_parent_on("intel-vtd", "\"nesting\": false", dt), -EOPNOTSUPP);
	/* SMMUv3: stage 2 nests but tracks no dirty bits */
	assert_int_equal(nest_parent_on("arm-smmu-v3", "", 0), 0);
	assert_int_equal(nest_parent_on("arm-smmu-v3", "", dt), -EOPNOTSUPP);
	assert_int_equal(nest_parent_on("arm-smmu-v3", "\"nesting\": false", 0), -EOPNOTSUPP);
	/* the mock nests, with dirty tracking too */
	assert_int_equal(nest_parent_on("iommufd-selftest", "", 0), 0);
	assert_int_equal(nest_parent_on("iommufd-selftest", "", dt), 0);
	assert_int_equal(nest_parent_on("iommufd-selftest", "\"nesting\": false", 0), -EOPNOTSUPP);
	/* any other driver: no nesting unless the topology says so */
	assert_int_equal(nest_parent_on("amd-iommu", "", 0), -EOPNOTSUPP);
	assert_int_equal(nest_parent_on("amd-iommu", "\"nesting\": true", 0), 0);
	assert_int_equal(nest_parent_on("amd-iommu", "\"nesting\": true", dt), 0);
}

/* GET_HW_INFO shows the nesting capability as the hardware would. */
static void test_nesting_in_hw_info(void **state)
{
	struct iommufd_sim *sim = new_sim(
		"{ \"iommus\": [ { \"name\": \"v0\", \"driver\": \"intel-vtd\" },"
		" { \"name\": \"v1\", \"driver\": \"intel-vtd\", \"nesting\": false },"
		" { \"name\": \"s0\", \"driver\": \"arm-smmu-v3\" },"
		" { \"name\": \"s1\", \"driver\": \"arm-smmu-v3\", \"nesting\": false } ],"
		" \"devices\": [ { \"name\": \"a\", \"iommu\": \"v0\" }, { \"name\": \"b\", \"iommu\": \"v1\" },"
		" { \"name\": \"c\", \"iommu\": \"s0\" }, { \"name\": \"d\", \"iommu\": \"s1\" } ] }");
	int ifd = open_iommufd(sim);
	uint32_t id[4];
	int fd[4], i;
	struct iofd_hw_info info;
	uint64_t vtd[3];   /* struct iommu_hw_info_vtd: flags, reserved; cap_reg; ecap_reg */
	uint32_t smmu[10]; /* struct iommu_hw_info_arm_smmuv3: flags, reserved, idr[6]... */

	for (i = 0; i < 4; i++) {
		char cdev[32];

		snprintf(cdev, sizeof(cdev), "/dev/vfio/devices/vfio%d", i);
		fd[i] = bind_dev(sim, ifd, cdev, &id[i]);
	}
	/* VT-d ecap bit 26: NEST */
	assert_int_equal(hw_info(sim, ifd, id[0], vtd, sizeof(vtd), &info), 0);
	assert_int_equal(info.out_data_type, IOFD_HW_INFO_TYPE_INTEL_VTD);
	assert_true(vtd[2] & (1ull << 26));
	assert_int_equal(hw_info(sim, ifd, id[1], vtd, sizeof(vtd), &info), 0);
	assert_false(vtd[2] & (1ull << 26));
	/* SMMUv3 IDR0 bit 1: S1P (nesting needs stage 1 and stage 2) */
	assert_int_equal(hw_info(sim, ifd, id[2], smmu, sizeof(smmu), &info), 0);
	assert_int_equal(info.out_data_type, IOFD_HW_INFO_TYPE_ARM_SMMUV3);
	assert_true(smmu[2] & (1u << 1));
	assert_true(smmu[2] & (1u << 0));
	assert_int_equal(hw_info(sim, ifd, id[3], smmu, sizeof(smmu), &info), 0);
	assert_false(smmu[2] & (1u << 1));
	assert_true(smmu[2] & (1u << 0));
	for (i = 0; i < 4; i++)
		t_close(sim, fd[i]);
	iommufd_sim_free(sim);
}

static void test_mock_hw_info(void **state)
{
	struct fixture *f = *state;
	struct iofd_hw_info info;
	uint32_t data[4];

	memset(data, 0xee, sizeof(data));
	assert_int_equal(hw_info(f->sim, f->ifd, f->id_d, data, sizeof(data), &info), 0);
	/* IOMMU_HW_INFO_TYPE_SELFTEST, struct iommu_test_hw_info { flags, test_reg } */
	assert_int_equal(info.out_data_type, 0xfeedbeefu);
	assert_int_equal(info.data_len, 8);
	assert_int_equal(data[0], 0);
	assert_int_equal(data[1], 0xdeadbeefu);
	assert_int_equal(data[2], 0); /* the rest of the buffer is zeroed */
	assert_int_equal(info.out_capabilities, IOFD_HW_CAP_DIRTY_TRACKING);
	assert_int_equal(hw_info(f->sim, f->ifd, f->id_n, data, sizeof(data), &info), 0);
	assert_int_equal(info.out_data_type, 0xfeedbeefu);
	assert_int_equal(info.out_capabilities, 0);
}

/* selftest.c: mock_domain_alloc_user() and mock_domain_nop_attach() */
static void test_mock_domains(void **state)
{
	struct fixture *f = *state;
	const uint32_t np = IOFD_HWPT_ALLOC_NEST_PARENT, dt = IOFD_HWPT_ALLOC_DIRTY_TRACKING;
	uint32_t npdt, npn, pt;

	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_d, f->ioas, np | dt, &npdt), 0);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_n, f->ioas, np | dt, NULL), -EOPNOTSUPP);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_n, f->ioas, dt, NULL), -EOPNOTSUPP);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_n, f->ioas, np, &npn), 0);
	/* a device without dirty tracking refuses a domain that has it */
	pt = npdt;
	assert_int_equal(attach(f->sim, f->fd_n, &pt), -EINVAL);
	/* mock domains fit any mock device, never another driver's */
	pt = npn;
	assert_int_equal(attach(f->sim, f->fd_d, &pt), 0);
	pt = npdt;
	assert_int_equal(attach(f->sim, f->fd_d, &pt), 0);
	pt = npn;
	assert_int_equal(attach(f->sim, f->fd_o, &pt), -EINVAL);
	assert_int_equal(detach(f->sim, f->fd_d), 0);
	assert_int_equal(destroy(f->sim, f->ifd, npdt), 0);
	assert_int_equal(destroy(f->sim, f->ifd, npn), 0);
}

/* iopt_table_add_domain(): the IOVA outside the aperture is reserved, below it first. */
static void test_aperture_start_reserves(void **state)
{
	struct fixture *f = *state;
	struct iofd_iova_range r[4];
	uint64_t iova = 0, align;
	uint32_t pt;
	long live;

	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 0x1000), 0);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 0x10000, MOCK_LAST + 1 - 0x10000),
			 0);
	/* a mapping below the aperture: the device cannot attach, and nothing changes */
	live = iommufd_sim_live_objects(f->sim);
	pt = f->ioas;
	assert_int_equal(attach(f->sim, f->fd_d, &pt), -EADDRINUSE);
	assert_int_equal(iommufd_sim_live_objects(f->sim), live);
	assert_int_equal(iova_ranges(f->sim, f->ifd, f->ioas, r, 4, &align), 1);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, UINT64_MAX);
	assert_int_equal(align, 1);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0x1000, SZ_4K, NULL), 0);
	/* the mapping that ends at the aperture's last byte fits */
	pt = f->ioas;
	assert_int_equal(attach(f->sim, f->fd_d, &pt), 0);
	assert_int_equal(iova_ranges(f->sim, f->ifd, f->ioas, r, 4, &align), 1);
	assert_int_equal(r[0].start, MOCK_START);
	assert_int_equal(r[0].last, MOCK_LAST);
	assert_int_equal(align, SZ_2K);
	/* mappings outside it are refused */
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 0x1000), -EINVAL);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, MOCK_START - SZ_2K),
			 -EINVAL);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, MOCK_LAST + 1), -EINVAL);
	/* a kernel-picked IOVA lies inside it */
	assert_int_equal(map(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, &iova, 0), 0);
	assert_int_equal(iova, MOCK_START);
	/* detached: the whole space again */
	assert_int_equal(detach(f->sim, f->fd_d), 0);
	assert_int_equal(iova_ranges(f->sim, f->ifd, f->ioas, r, 4, NULL), 1);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, UINT64_MAX);
	/* a mapping above the aperture refuses the device as well */
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, MOCK_LAST + 1), 0);
	pt = f->ioas;
	assert_int_equal(attach(f->sim, f->fd_d, &pt), -EADDRINUSE);
	assert_int_equal(iova_ranges(f->sim, f->ifd, f->ioas, r, 4, NULL), 1);
	assert_int_equal(r[0].start, 0);
}

/* Allowed IOVA below the aperture cannot be reserved for it either. */
static void test_aperture_start_and_allowed_iovas(void **state)
{
	struct fixture *f = *state;
	struct iofd_iova_range allow = { .start = 0x100000, .last = 0x1ffffff };
	struct iofd_ioas_allow_iovas cmd = { .size = sizeof(cmd), .ioas_id = f->ioas,
					     .num_iovas = 1,
					     .allowed_iovas = (uintptr_t)&allow };
	uint32_t pt = f->ioas;

	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOW_IOVAS, &cmd), 0);
	assert_int_equal(attach(f->sim, f->fd_d, &pt), -EADDRINUSE);
	allow.start = MOCK_START;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOW_IOVAS, &cmd), 0);
	pt = f->ioas;
	assert_int_equal(attach(f->sim, f->fd_d, &pt), 0);
	/* and now the reserved IOVA cannot be allowed */
	allow.start = 0x100000;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOW_IOVAS, &cmd), -EADDRINUSE);
}

/* 2 KiB IO pages: half pages map, and dirty bits are kept per half page. */
static void test_half_pages(void **state)
{
	struct fixture *f = *state;
	uint32_t hwpt, pt;
	uint64_t bm;

	/* before any domain the IOAS has no alignment; a half page area fits the mock */
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_2K, MOCK_START), 0);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_d, f->ioas,
				    IOFD_HWPT_ALLOC_DIRTY_TRACKING, &hwpt),
			 0);
	pt = hwpt;
	assert_int_equal(attach(f->sim, f->fd_d, &pt), 0);
	/* IOVA, length and the user address's page offset: multiples of 2 KiB */
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf + SZ_2K, 3 * SZ_2K,
				   MOCK_START + SZ_2K),
			 0);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 0x400, MOCK_START + 0x10000),
			 -EINVAL);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_2K, MOCK_START + 0x10400),
			 -EINVAL);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf + 0x400, SZ_2K,
				   MOCK_START + 0x10000),
			 -EINVAL);
	/* a 4 KiB-page domain cannot join an IOAS with half page mappings */
	pt = f->ioas;
	assert_int_equal(attach(f->sim, f->fd_o, &pt), -EADDRINUSE);

	assert_int_equal(set_dirty(f->sim, f->ifd, hwpt, true), 0);
	assert_int_equal(iommufd_sim_dma_write(f->sim, "d", MOCK_START + SZ_2K + 1, 1), 0);
	bm = 0;
	assert_int_equal(get_dirty(f->sim, f->ifd, hwpt, MOCK_START, 4 * SZ_2K, SZ_2K, &bm,
				   IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
			 0);
	assert_int_equal(bm, 1ull << 1);
	/* in 4 KiB pages the half page marks the page it is in */
	bm = 0;
	assert_int_equal(get_dirty(f->sim, f->ifd, hwpt, MOCK_START, 2 * SZ_4K, SZ_4K, &bm, 0), 0);
	assert_int_equal(bm, 1);
	bm = 0;
	assert_int_equal(get_dirty(f->sim, f->ifd, hwpt, MOCK_START, 4 * SZ_2K, SZ_2K, &bm, 0), 0);
	assert_int_equal(bm, 0);
	/* unmapping a half page drops its dirty bit with it */
	assert_int_equal(iommufd_sim_dma_write(f->sim, "d", MOCK_START, 2 * SZ_2K), 0);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, MOCK_START, SZ_2K, NULL), 0);
	bm = 0;
	assert_int_equal(get_dirty(f->sim, f->ifd, hwpt, MOCK_START + SZ_2K, 3 * SZ_2K, SZ_2K, &bm,
				   0),
			 0);
	assert_int_equal(bm, 1);
	assert_int_equal(detach(f->sim, f->fd_d), 0);
	assert_int_equal(destroy(f->sim, f->ifd, hwpt), 0);
}

/* A mock IOMMU with dirty tracking and its device "d", imitating the kernel given. */
static struct iommufd_sim *mock_on(const char *kernel, int *ifd, uint32_t *ioas, uint32_t *hwpt)
{
	char topo[512];
	struct iommufd_sim *sim;
	uint32_t dev, pt;
	int dfd;

	snprintf(topo, sizeof(topo),
		 "{ \"kernel\": \"%s\", \"iommus\": [ { \"name\": \"mock\","
		 " \"driver\": \"iommufd-selftest\", \"dirty_tracking\": true } ],"
		 " \"devices\": [ { \"name\": \"d\", \"iommu\": \"mock\" } ] }", kernel);
	sim = new_sim(topo);
	*ifd = open_iommufd(sim);
	*ioas = ioas_alloc(sim, *ifd);
	dfd = bind_dev(sim, *ifd, "/dev/vfio/devices/vfio0", &dev);
	assert_int_equal(hwpt_alloc(sim, *ifd, dev, *ioas, IOFD_HWPT_ALLOC_DIRTY_TRACKING, hwpt), 0);
	pt = *hwpt;
	assert_int_equal(attach(sim, dfd, &pt), 0);
	assert_int_equal(set_dirty(sim, *ifd, *hwpt, true), 0);
	return sim;
}

static void test_kernel_key(void **state)
{
	static const char both[] =
		"{ \"kernel\": \"%s\", \"iommus\": ["
		" { \"name\": \"dmar0\", \"driver\": \"intel-vtd\" },"
		" { \"name\": \"mock\", \"driver\": \"iommufd-selftest\" } ],"
		" \"devices\": [ { \"name\": \"d\", \"iommu\": \"mock\" } ] }";
	struct iommufd_sim *sim = NULL;
	char topo[512];

	(void)state;
	/* 7.3 makes mock devices beside VT-d, 6.12 refuses them */
	snprintf(topo, sizeof(topo), both, "7.3");
	iommufd_sim_free(new_sim(topo));
	snprintf(topo, sizeof(topo), both, "6.12");
	assert_int_equal(iommufd_sim_new(topo, &sim), -EINVAL);
	assert_null(sim);
	assert_non_null(strstr(iommufd_sim_last_error(), "kernel 6.12"));
	/* only the kernels it imitates, as a string */
	snprintf(topo, sizeof(topo), both, "7.2");
	assert_int_equal(iommufd_sim_new(topo, &sim), -EINVAL);
	assert_non_null(strstr(iommufd_sim_last_error(), "unknown kernel \"7.2\""));
	assert_int_equal(iommufd_sim_new("{ \"kernel\": 7.3, \"devices\": [] }", &sim), -EINVAL);
	assert_non_null(strstr(iommufd_sim_last_error(), "topology.kernel: expected a string"));
}

/*
 * One CPU page at a 4 KiB-aligned IOVA, its second 2 KiB written: 6.12 keeps
 * the 2 KiB IO page; 7.3 the 4 KiB entry, lost to a read that starts inside it
 * and reported past the end of one that ends inside it (docs/kernels.md).
 */
static void entry_reads(const char *kernel, uint64_t want_inside, uint64_t want_after,
			uint64_t want_first, uint64_t want_second, uint64_t want_whole)
{
	uint32_t ioas, hwpt;
	uint64_t bm;
	struct iommufd_sim *sim;
	char *buf = test_buf(SZ_4K);
	int ifd;

	sim = mock_on(kernel, &ifd, &ioas, &hwpt);
	assert_int_equal(map_fixed(sim, ifd, ioas, buf, SZ_4K, MOCK_START), 0);
	assert_int_equal(iommufd_sim_dma_write(sim, "d", MOCK_START + SZ_2K, SZ_2K), 0);
	bm = 0;
	assert_int_equal(get_dirty(sim, ifd, hwpt, MOCK_START + SZ_2K, SZ_2K, SZ_2K, &bm, 0), 0);
	assert_int_equal(bm, want_inside);
	bm = 0;
	assert_int_equal(get_dirty(sim, ifd, hwpt, MOCK_START, SZ_4K, SZ_4K, &bm, 0), 0);
	assert_int_equal(bm, want_after);
	assert_int_equal(iommufd_sim_dma_write(sim, "d", MOCK_START + SZ_2K, SZ_2K), 0);
	bm = 0;
	assert_int_equal(get_dirty(sim, ifd, hwpt, MOCK_START, SZ_2K, SZ_2K, &bm, 0), 0);
	assert_int_equal(bm, want_first);
	bm = 0;
	assert_int_equal(get_dirty(sim, ifd, hwpt, MOCK_START + SZ_2K, SZ_2K, SZ_2K, &bm, 0), 0);
	assert_int_equal(bm, want_second);
	/* a write to the first half dirties the whole entry on 7.3, the half on 6.12 */
	assert_int_equal(iommufd_sim_dma_write(sim, "d", MOCK_START, 1), 0);
	bm = 0;
	assert_int_equal(get_dirty(sim, ifd, hwpt, MOCK_START, SZ_4K, SZ_2K, &bm, 0), 0);
	assert_int_equal(bm, want_whole);
	iommufd_sim_free(sim);
	free_buf(buf, SZ_4K);
}

static void test_dirty_per_io_page_on_6_12(void **state)
{
	(void)state;
	entry_reads("6.12", 1, 0, 0, 1, 1);
}

static void test_dirty_per_entry_on_7_3(void **state)
{
	(void)state;
	entry_reads("7.3", 0, 0, 3, 0, 3);
}

/* A 4 KiB entry needs a whole CPU page at a 4 KiB-aligned IOVA: else 2 KiB entries. */
static void test_entries_follow_the_mapping(void **state)
{
	uint32_t ioas, hwpt;
	uint64_t bm;
	struct iommufd_sim *sim;
	char *buf = test_buf(4 * SZ_4K);
	int ifd;

	(void)state;
	sim = mock_on("7.3", &ifd, &ioas, &hwpt);
	/* IOVA 2 KiB off the page: every entry is 2 KiB */
	assert_int_equal(map_fixed(sim, ifd, ioas, buf, 2 * SZ_4K, MOCK_START + SZ_2K), 0);
	/* the mapping ends mid-page: its last 2 KiB is an entry of its own */
	assert_int_equal(map_fixed(sim, ifd, ioas, buf, SZ_4K + SZ_2K, MOCK_START + 0x10000), 0);
	assert_int_equal(iommufd_sim_dma_write(sim, "d", MOCK_START + SZ_4K, 1), 0);
	assert_int_equal(iommufd_sim_dma_write(sim, "d", MOCK_START + 0x10000 + SZ_4K, 1), 0);
	bm = 0;
	assert_int_equal(get_dirty(sim, ifd, hwpt, MOCK_START + SZ_2K, 2 * SZ_4K, SZ_2K, &bm, 0),
			 0);
	assert_int_equal(bm, 1ull << 1);
	bm = 0;
	assert_int_equal(get_dirty(sim, ifd, hwpt, MOCK_START + 0x10000, 2 * SZ_4K, SZ_2K, &bm, 0),
			 0);
	assert_int_equal(bm, 1ull << 2);
	iommufd_sim_free(sim);
	free_buf(buf, 4 * SZ_4K);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting_per_iommu),
		cmocka_unit_test(test_nesting_in_hw_info),
		cmocka_unit_test_setup_teardown(test_mock_hw_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mock_domains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aperture_start_reserves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aperture_start_and_allowed_iovas, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_half_pages, setup, teardown),
		cmocka_unit_test(test_kernel_key),
		cmocka_unit_test(test_dirty_per_io_page_on_6_12),
		cmocka_unit_test(test_dirty_per_entry_on_7_3),
		cmocka_unit_test(test_entries_follow_the_mapping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
