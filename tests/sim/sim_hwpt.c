// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * HWPT rules: HWPT_ALLOC's checks and flags per IOMMU driver, GET_HW_INFO,
 * which devices a domain takes, DESTROY while in use, and the validation
 * done by SET_DIRTY_TRACKING and GET_DIRTY_BITMAP.
 */
#include "sim_test.h"

struct fixture {
	struct iommufd_sim *sim;
	int ifd;
	uint32_t ioas;
	int fd_a, fd_b, fd_c, fd_s, fd_m;
	uint32_t id_a, id_b, id_c, id_s, id_m;
	char *buf;
};

#define BUF_LEN (64 * SZ_4K)

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->sim = new_sim(NULL);
	f->ifd = open_iommufd(f->sim);
	f->ioas = ioas_alloc(f->sim, f->ifd);
	f->fd_a = bind_dev(f->sim, f->ifd, CDEV_A, &f->id_a);
	f->fd_b = bind_dev(f->sim, f->ifd, CDEV_B, &f->id_b);
	f->fd_c = bind_dev(f->sim, f->ifd, CDEV_C, &f->id_c);
	f->fd_s = bind_dev(f->sim, f->ifd, CDEV_S, &f->id_s);
	f->fd_m = bind_dev(f->sim, f->ifd, CDEV_M, &f->id_m);
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

static void test_alloc_checks(void **state)
{
	struct fixture *f = *state;
	struct iofd_hwpt_alloc cmd = { .size = sizeof(cmd), .dev_id = f->id_a, .pt_id = f->ioas };
	uint32_t hwpt;

	cmd.reserved = 1;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_ALLOC, &cmd), -EOPNOTSUPP);
	cmd.reserved = 0;
	cmd.data_len = 8;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_ALLOC, &cmd), -EINVAL);
	cmd.data_type = IOFD_HWPT_DATA_VTD_S1;
	cmd.data_len = 0;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_ALLOC, &cmd), -EINVAL);
	/* driver data for a paging domain: the driver refuses */
	cmd.data_len = 8;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_ALLOC, &cmd), -EOPNOTSUPP);
	cmd.data_type = IOFD_HWPT_DATA_NONE;
	cmd.data_len = 0;

	/* dev_id: must be a device; an emulated device's id is an access */
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, 999, f->ioas, 0, NULL), -ENOENT);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->ioas, f->ioas, 0, NULL), -ENOENT);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_m, f->ioas, 0, NULL), -ENOENT);
	/* pt_id: an unknown one is EINVAL here, as is a device */
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_a, 999, 0, NULL), -EINVAL);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_a, f->id_b, 0, NULL), -EINVAL);
	/* flags */
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_a, f->ioas, 1u << 7, NULL), -EOPNOTSUPP);
	/* a fault queue (7.3, the default kernel, takes one for a paging domain): id 0 is none */
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_a, f->ioas, IOFD_HWPT_FAULT_ID_VALID,
				    NULL),
			 -ENOENT);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 6);

	/* the first version of the struct (24 bytes) is enough */
	cmd.size = 24;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_ALLOC, &cmd), 0);
	hwpt = cmd.out_hwpt_id;
	assert_int_equal(hwpt, 7);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 7);
	/* the IOAS is in use by the domain */
	assert_int_equal(destroy(f->sim, f->ifd, f->ioas), -EBUSY);
	assert_int_equal(destroy(f->sim, f->ifd, hwpt), 0);
	assert_int_equal(destroy(f->sim, f->ifd, hwpt), -ENOENT);
	/* devices and accesses belong to their drivers */
	assert_int_equal(destroy(f->sim, f->ifd, f->id_a), -EBUSY);
	assert_int_equal(destroy(f->sim, f->ifd, f->id_m), -EBUSY);
}

static void test_flags_per_driver(void **state)
{
	struct fixture *f = *state;
	const uint32_t np = IOFD_HWPT_ALLOC_NEST_PARENT, dt = IOFD_HWPT_ALLOC_DIRTY_TRACKING;
	uint32_t h;

	/* dirty tracking needs an IOMMU that has it */
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_c, f->ioas, dt, NULL), -EOPNOTSUPP);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_a, f->ioas, dt, &h), 0);
	assert_int_equal(destroy(f->sim, f->ifd, h), 0);
	/* VT-d: a nest parent can track dirty bits */
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_a, f->ioas, np | dt, &h), 0);
	assert_int_equal(destroy(f->sim, f->ifd, h), 0);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_c, f->ioas, np, &h), 0);
	assert_int_equal(destroy(f->sim, f->ifd, h), 0);
	/* SMMUv3: a nest parent is stage 2, which does not track dirty bits */
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_s, f->ioas, np | dt, NULL), -EOPNOTSUPP);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_s, f->ioas, np, &h), 0);
	assert_int_equal(destroy(f->sim, f->ifd, h), 0);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_s, f->ioas, dt, &h), 0);
	assert_int_equal(destroy(f->sim, f->ifd, h), 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 6);
}

static void test_nested_alloc(void **state)
{
	struct fixture *f = *state;
	struct iofd_hwpt_alloc cmd = { .size = sizeof(cmd), .dev_id = f->id_a };
	uint32_t parent, plain, pt = f->ioas;

	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_a, f->ioas, IOFD_HWPT_ALLOC_NEST_PARENT,
				    &parent),
			 0);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_a, f->ioas, 0, &plain), 0);
	/* no stage-1 data */
	cmd.pt_id = parent;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_ALLOC, &cmd), -EOPNOTSUPP);
	cmd.data_type = IOFD_HWPT_DATA_VTD_S1;
	cmd.data_len = 32;
	cmd.flags = IOFD_HWPT_ALLOC_DIRTY_TRACKING;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_ALLOC, &cmd), -EOPNOTSUPP);
	cmd.flags = 0;
	/* the parent must be a nest parent, not automatic, of the device's driver */
	cmd.pt_id = plain;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_ALLOC, &cmd), -EINVAL);
	assert_int_equal(attach(f->sim, f->fd_b, &pt), 0);
	cmd.pt_id = pt;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_ALLOC, &cmd), -EINVAL);
	/* SMMUv3 nests only through a vIOMMU: its driver has no domain_alloc_nested */
	cmd.pt_id = parent;
	cmd.dev_id = f->id_s;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_ALLOC, &cmd), -EOPNOTSUPP);
	/* VT-d's stage-1 data: its struct's size exactly, and readable */
	cmd.dev_id = f->id_a;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_ALLOC, &cmd), -EINVAL);
	cmd.data_len = sizeof(struct iofd_hwpt_vtd_s1);
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_ALLOC, &cmd), -EFAULT);
	{
		struct iofd_hwpt_vtd_s1 s1 = { .pgtbl_addr = 0x1000, .addr_width = 48 };

		cmd.data_uptr = (uintptr_t)&s1;
		assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_ALLOC, &cmd), 0);
		/* the parent is held by its child */
		assert_int_equal(destroy(f->sim, f->ifd, parent), -EBUSY);
		assert_int_equal(destroy(f->sim, f->ifd, cmd.out_hwpt_id), 0);
	}
}

static void test_hw_info(void **state)
{
	struct fixture *f = *state;
	uint8_t data[64];
	struct iofd_hw_info cmd = { .size = sizeof(cmd), .dev_id = f->id_a,
				    .data_len = sizeof(data), .data_uptr = (uintptr_t)data };
	uint64_t cap, ecap;

	memset(data, 0xee, sizeof(data));
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_GET_HW_INFO, &cmd), 0);
	assert_int_equal(cmd.out_data_type, IOFD_HW_INFO_TYPE_INTEL_VTD);
	assert_int_equal(cmd.out_capabilities, IOFD_HW_CAP_DIRTY_TRACKING);
	assert_int_equal(cmd.data_len, 24);
	memcpy(&cap, data + 8, 8);
	memcpy(&ecap, data + 16, 8);
	assert_int_equal(((cap >> 16) & 0x3f) + 1, 48);  /* MGAW */
	assert_true(ecap & (1ull << 45));                /* SLADS: dirty tracking */
	assert_int_equal(data[24], 0);                   /* the rest is zeroed */
	assert_int_equal(data[63], 0);

	/* a short buffer gets what fits; data_len reports the full size */
	memset(data, 0xee, sizeof(data));
	cmd.data_len = 12;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_GET_HW_INFO, &cmd), 0);
	assert_int_equal(cmd.data_len, 24);
	assert_int_equal(data[12], 0xee);

	cmd.dev_id = f->id_c;
	cmd.data_len = sizeof(data);
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_GET_HW_INFO, &cmd), 0);
	assert_int_equal(cmd.out_capabilities, 0);
	memcpy(&cap, data + 8, 8);
	memcpy(&ecap, data + 16, 8);
	assert_int_equal(((cap >> 16) & 0x3f) + 1, 39);
	assert_false(ecap & (1ull << 45));

	cmd.dev_id = f->id_s;
	cmd.data_len = sizeof(data);
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_GET_HW_INFO, &cmd), 0);
	assert_int_equal(cmd.out_data_type, IOFD_HW_INFO_TYPE_ARM_SMMUV3);
	assert_int_equal(cmd.data_len, 40);
	assert_int_equal(cmd.out_capabilities, IOFD_HW_CAP_DIRTY_TRACKING);

	/* errors */
	cmd.dev_id = f->id_m;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_GET_HW_INFO, &cmd), -ENOENT);
	cmd.dev_id = f->ioas;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_GET_HW_INFO, &cmd), -ENOENT);
	cmd.dev_id = f->id_a;
	cmd.flags = 1;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_GET_HW_INFO, &cmd), -EOPNOTSUPP);
	cmd.flags = 0;
	cmd.reserved[1] = 1;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_GET_HW_INFO, &cmd), -EOPNOTSUPP);
	cmd.reserved[1] = 0;
	cmd.data_uptr = 0;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_GET_HW_INFO, &cmd), -EFAULT);
	cmd.data_len = 0;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_GET_HW_INFO, &cmd), 0);
	assert_int_equal(cmd.data_len, 24);
}

static void test_hw_info_other_driver(void **state)
{
	struct iommufd_sim *sim = new_sim(
		"{ \"iommus\": [ { \"name\": \"amd0\", \"driver\": \"amd-iommu\","
		" \"dirty_tracking\": true } ],"
		" \"devices\": [ { \"name\": \"0000:01:00.0\", \"iommu\": \"amd0\" } ] }");
	int ifd = open_iommufd(sim);
	uint8_t data[16];
	uint32_t id;
	int dfd = bind_dev(sim, ifd, "/dev/vfio/devices/vfio0", &id);
	struct iofd_hw_info cmd = { .size = sizeof(cmd), .dev_id = id, .data_len = sizeof(data),
				    .data_uptr = (uintptr_t)data };
	uint32_t ioas = ioas_alloc(sim, ifd);

	memset(data, 0xee, sizeof(data));
	assert_int_equal(t_ioctl(sim, ifd, IOFD_GET_HW_INFO, &cmd), 0);
	assert_int_equal(cmd.out_data_type, IOFD_HW_INFO_TYPE_NONE);
	assert_int_equal(cmd.data_len, 0);
	assert_int_equal(data[0], 0);
	assert_int_equal(data[15], 0);
	assert_int_equal(cmd.out_capabilities, IOFD_HW_CAP_DIRTY_TRACKING);
	/* no nesting support in an unknown driver */
	assert_int_equal(hwpt_alloc(sim, ifd, id, ioas, IOFD_HWPT_ALLOC_NEST_PARENT, NULL),
			 -EOPNOTSUPP);
	assert_int_equal(hwpt_alloc(sim, ifd, id, ioas, IOFD_HWPT_ALLOC_DIRTY_TRACKING, NULL), 0);
	t_close(sim, dfd);
	iommufd_sim_free(sim);
}

static void test_domain_compatibility(void **state)
{
	struct fixture *f = *state;
	uint32_t dirty, plain, smmu, pt;

	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_a, f->ioas,
				    IOFD_HWPT_ALLOC_DIRTY_TRACKING, &dirty),
			 0);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_a, f->ioas, 0, &plain), 0);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_s, f->ioas, 0, &smmu), 0);

	/* a dirty-tracking domain: same IOMMU yes, one without dirty tracking no */
	pt = dirty;
	assert_int_equal(attach(f->sim, f->fd_b, &pt), 0);
	assert_int_equal(pt, dirty);
	pt = dirty;
	assert_int_equal(attach(f->sim, f->fd_c, &pt), -EINVAL);
	/* a plain VT-d domain is shared across VT-d units */
	pt = plain;
	assert_int_equal(attach(f->sim, f->fd_c, &pt), 0);
	/* never across drivers */
	pt = plain;
	assert_int_equal(attach(f->sim, f->fd_s, &pt), -EINVAL);
	pt = smmu;
	assert_int_equal(attach(f->sim, f->fd_a, &pt), -EINVAL);
	pt = smmu;
	assert_int_equal(attach(f->sim, f->fd_s, &pt), 0);
	/* an emulated device attaches to IOASes only */
	pt = plain;
	assert_int_equal(attach(f->sim, f->fd_m, &pt), -ENOENT);
	/* a domain in use cannot be destroyed */
	assert_int_equal(destroy(f->sim, f->ifd, dirty), -EBUSY);
	assert_int_equal(destroy(f->sim, f->ifd, smmu), -EBUSY);
	assert_int_equal(detach(f->sim, f->fd_s), 0);
	assert_int_equal(destroy(f->sim, f->ifd, smmu), 0);
	/* a manual domain stays when its last device leaves */
	assert_int_equal(detach(f->sim, f->fd_b), 0);
	assert_int_equal(destroy(f->sim, f->ifd, dirty), 0);
}

static void test_smmu_domain_stays_on_its_instance(void **state)
{
	struct iommufd_sim *sim = new_sim(
		"{ \"iommus\": [ { \"name\": \"smmu0\", \"driver\": \"arm-smmu-v3\" },"
		"               { \"name\": \"smmu1\", \"driver\": \"arm-smmu-v3\" } ],"
		"  \"devices\": [ { \"name\": \"a\", \"iommu\": \"smmu0\" },"
		"                 { \"name\": \"b\", \"iommu\": \"smmu0\" },"
		"                 { \"name\": \"c\", \"iommu\": \"smmu1\" } ] }");
	int ifd = open_iommufd(sim);
	uint32_t ida, idb, idc, ioas = ioas_alloc(sim, ifd), pa, pb, pc;
	int fa = bind_dev(sim, ifd, "/dev/vfio/devices/vfio0", &ida);
	int fb = bind_dev(sim, ifd, "/dev/vfio/devices/vfio1", &idb);
	int fc = bind_dev(sim, ifd, "/dev/vfio/devices/vfio2", &idc);

	pa = pb = pc = ioas;
	assert_int_equal(attach(sim, fa, &pa), 0);
	assert_int_equal(attach(sim, fb, &pb), 0);
	assert_int_equal(attach(sim, fc, &pc), 0);
	/* the automatic domain is shared on one SMMU only */
	assert_int_equal(pa, pb);
	assert_true(pc != pa);
	pc = pa;
	assert_int_equal(attach(sim, fc, &pc), -EINVAL);
	iommufd_sim_free(sim);
}

static void test_vtd_width(void **state)
{
	struct fixture *f = *state;
	uint32_t h, pt;

	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_a, f->ioas, 0, &h), 0);
	/* the domain's aperture (48 bits) shows in the IOAS even without devices */
	{
		struct iofd_iova_range r[2];
		uint64_t align;

		assert_int_equal(iova_ranges(f->sim, f->ifd, f->ioas, r, 2, &align), 1);
		assert_int_equal(r[0].last, (1ull << 48) - 1);
		assert_int_equal(align, SZ_4K);
	}
	/* mapped IOVA beyond 39 bits: the 39-bit unit refuses the domain */
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 1ull << 40), 0);
	pt = h;
	assert_int_equal(attach(f->sim, f->fd_c, &pt), -EINVAL);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0, UINT64_MAX, NULL), 0);
	/* fresh domain: it attaches, and then the domain cannot map beyond 39 bits */
	assert_int_equal(destroy(f->sim, f->ifd, h), 0);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_a, f->ioas, 0, &h), 0);
	pt = h;
	assert_int_equal(attach(f->sim, f->fd_c, &pt), 0);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 1ull << 40), -EFAULT);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 1ull << 30), 0);
	assert_int_equal(detach(f->sim, f->fd_c), 0);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0, UINT64_MAX, NULL), 0);
}

static void test_dirty_validation(void **state)
{
	struct fixture *f = *state;
	struct iofd_hwpt_set_dirty_tracking sd = { .size = sizeof(sd) };
	struct iofd_hwpt_get_dirty_bitmap gd = { .size = sizeof(gd) };
	uint64_t bitmap[4] = { 0 };
	uint32_t dirty, plain;

	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_a, f->ioas,
				    IOFD_HWPT_ALLOC_DIRTY_TRACKING, &dirty),
			 0);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_a, f->ioas, 0, &plain), 0);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 16 * SZ_4K, 0x100000), 0);

	/* SET_DIRTY_TRACKING */
	sd.flags = 2;
	sd.hwpt_id = dirty;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_SET_DIRTY_TRACKING, &sd), -EOPNOTSUPP);
	assert_int_equal(set_dirty(f->sim, f->ifd, 999, true), -ENOENT);
	assert_int_equal(set_dirty(f->sim, f->ifd, f->ioas, true), -ENOENT);
	assert_int_equal(set_dirty(f->sim, f->ifd, plain, true), -EOPNOTSUPP);
	assert_int_equal(set_dirty(f->sim, f->ifd, dirty, true), 0);
	assert_int_equal(set_dirty(f->sim, f->ifd, dirty, true), 0);

	/* GET_DIRTY_BITMAP */
	gd.hwpt_id = dirty;
	gd.iova = 0x100000;
	gd.length = 16 * SZ_4K;
	gd.page_size = SZ_4K;
	gd.data = (uintptr_t)bitmap;
	gd.flags = 2;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_GET_DIRTY_BITMAP, &gd), -EOPNOTSUPP);
	gd.flags = 0;
	gd.reserved = 1;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_GET_DIRTY_BITMAP, &gd), -EOPNOTSUPP);
	gd.reserved = 0;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_GET_DIRTY_BITMAP, &gd), 0);
	assert_int_equal(get_dirty(f->sim, f->ifd, 999, 0x100000, SZ_4K, SZ_4K, bitmap, 0), -ENOENT);
	assert_int_equal(get_dirty(f->sim, f->ifd, f->ioas, 0x100000, SZ_4K, SZ_4K, bitmap, 0),
			 -ENOENT);
	assert_int_equal(get_dirty(f->sim, f->ifd, dirty, 0x100000, 0, SZ_4K, bitmap, 0), -EINVAL);
	assert_int_equal(get_dirty(f->sim, f->ifd, dirty, UINT64_MAX - SZ_4K + 1, 2 * SZ_4K, SZ_4K,
				   bitmap, 0),
			 -EOVERFLOW);
	/* iova and length in IOMMU pages, then in the bitmap's pages */
	assert_int_equal(get_dirty(f->sim, f->ifd, dirty, 0x100800, SZ_4K, SZ_4K, bitmap, 0),
			 -EINVAL);
	assert_int_equal(get_dirty(f->sim, f->ifd, dirty, 0x100000, 0x1800, SZ_4K, bitmap, 0),
			 -EINVAL);
	assert_int_equal(get_dirty(f->sim, f->ifd, dirty, 0x100000, SZ_4K, 0, bitmap, 0), -EINVAL);
	assert_int_equal(get_dirty(f->sim, f->ifd, dirty, 0x101000, SZ_4K, 2 * SZ_4K, bitmap, 0),
			 -EINVAL);
	assert_int_equal(get_dirty(f->sim, f->ifd, dirty, 0x100000, 3 * SZ_4K, 2 * SZ_4K, bitmap,
				   0),
			 -EINVAL);
	/* a domain without dirty tracking, once the range is valid */
	assert_int_equal(get_dirty(f->sim, f->ifd, plain, 0x100000, SZ_4K, SZ_4K, bitmap, 0),
			 -EOPNOTSUPP);
	assert_int_equal(get_dirty(f->sim, f->ifd, plain, 0x100000, 0, SZ_4K, bitmap, 0), -EINVAL);
	/* the kernel does not check the bitmap pointer */
	assert_int_equal(get_dirty(f->sim, f->ifd, dirty, 0x100000, SZ_4K, SZ_4K, NULL, 0), 0);
	assert_int_equal(bitmap[0], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alloc_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags_per_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_alloc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hw_info, setup, teardown),
		cmocka_unit_test(test_hw_info_other_driver),
		cmocka_unit_test_setup_teardown(test_domain_compatibility, setup, teardown),
		cmocka_unit_test(test_smmu_domain_stays_on_its_instance),
		cmocka_unit_test_setup_teardown(test_vtd_width, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dirty_validation, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
