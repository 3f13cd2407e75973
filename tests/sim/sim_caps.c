// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the simulated kernel tells of a device beyond dirty tracking, raw: its PASID width
 * and modes in GET_HW_INFO (the topology's "pasid_bits", "pasid_exec", "pasid_priv"), and
 * IOMMU_VIOMMU_ALLOC, which 6.12 has not (ENOTTY) and 7.3 answers with the kernel's checks;
 * VFIO_DEVICE_BIND_IOMMUFD's VF token flag and longer struct, which 7.3 knows and 6.12 not.
 */
#include "sim_test.h"

static const char host[] =
	"{ \"kernel\": \"%s\", \"iommus\": ["
	" { \"name\": \"dmar0\", \"driver\": \"intel-vtd\" } ],"
	" \"devices\": ["
	" { \"name\": \"plain\", \"iommu\": \"dmar0\" },"
	" { \"name\": \"pasid\", \"iommu\": \"dmar0\", \"pasid_bits\": 20, \"pasid_exec\": true,"
	"   \"pasid_priv\": true },"
	" { \"name\": \"mdev\", \"emulated\": true } ] }";

static struct iommufd_sim *host_of(const char *kernel)
{
	char topo[1024];

	snprintf(topo, sizeof(topo), host, kernel);
	return new_sim(topo);
}

static int hw_info(struct iommufd_sim *sim, int ifd, uint32_t dev_id, struct iofd_hw_info *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->size = sizeof(*cmd);
	cmd->dev_id = dev_id;
	return t_ioctl(sim, ifd, IOFD_GET_HW_INFO, cmd);
}

/* Both kernels (Debian's 6.12.117 too) report the width, then the modes, of a PASID device. */
static void test_pasid_in_hw_info(void **state)
{
	static const char *const kernels[] = { "6.12", "7.3" };
	struct iofd_hw_info cmd;
	struct iommufd_sim *sim;
	uint32_t plain, pasid;
	int ifd, d1, d2;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		sim = host_of(kernels[i]);
		ifd = open_iommufd(sim);
		d1 = bind_dev(sim, ifd, "/dev/vfio/devices/vfio0", &plain);
		d2 = bind_dev(sim, ifd, "/dev/vfio/devices/vfio1", &pasid);
		assert_int_equal(hw_info(sim, ifd, plain, &cmd), 0);
		assert_int_equal(cmd.out_max_pasid_log2, 0);
		assert_int_equal(cmd.out_capabilities, 0);
		assert_int_equal(hw_info(sim, ifd, pasid, &cmd), 0);
		assert_int_equal(cmd.out_max_pasid_log2, 20);
		assert_int_equal(cmd.out_capabilities,
				 IOFD_HW_CAP_PCI_PASID_EXEC | IOFD_HW_CAP_PCI_PASID_PRIV);
		t_close(sim, d1);
		t_close(sim, d2);
		t_close(sim, ifd);
		iommufd_sim_free(sim);
	}
}

/* The PASID keys: a width of the PCI capability's range, the modes only with one. */
static void test_pasid_keys(void **state)
{
	static const struct {
		const char *keys, *error;
	} bad[] = {
		{ "\"pasid_bits\": 21", "devices[0] (\"d\").pasid_bits: 21 is out of range (0 to 20)" },
		{ "\"pasid_bits\": -1", "pasid_bits: -1 is out of range" },
		{ "\"pasid_bits\": \"20\"", "pasid_bits" },
		{ "\"pasid_exec\": 1", "pasid_exec" },
		{ "\"pasid_exec\": true", "pasid_exec: needs \"pasid_bits\"" },
		{ "\"pasid_priv\": true, \"pasid_bits\": 0", "pasid_priv: needs \"pasid_bits\"" },
		{ "\"emulated\": true, \"pasid_bits\": 8", "an emulated device has no IOMMU" },
	};
	struct iommufd_sim *sim;
	char topo[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(topo, sizeof(topo),
			 "{ \"iommus\": [ { \"name\": \"u0\", \"driver\": \"intel-vtd\" } ],"
			 " \"devices\": [ { \"name\": \"d\", %s%s } ] }", bad[i].keys,
			 strstr(bad[i].keys, "emulated") ? "" : ", \"iommu\": \"u0\"");
		sim = NULL;
		assert_int_equal(iommufd_sim_new(topo, &sim), -EINVAL);
		assert_null(sim);
		if (!strstr(iommufd_sim_last_error(), bad[i].error))
			fail_msg("%s: \"%s\", want \"%s\"", bad[i].keys, iommufd_sim_last_error(),
				 bad[i].error);
	}
	snprintf(topo, sizeof(topo),
		 "{ \"iommus\": [ { \"name\": \"u0\", \"driver\": \"intel-vtd\" } ],"
		 " \"devices\": [ { \"name\": \"d\", \"iommu\": \"u0\", \"pasid_bits\": 0,"
		 " \"pasid_exec\": false } ] }");
	iommufd_sim_free(new_sim(topo));
}

static int viommu_alloc(struct iommufd_sim *sim, int ifd, uint32_t size, uint32_t flags,
			uint32_t type, uint32_t dev_id)
{
	struct iofd_viommu_alloc cmd = {
		.size = size,
		.flags = flags,
		.type = type,
		.dev_id = dev_id,
	};

	return t_ioctl(sim, ifd, IOFD_VIOMMU_ALLOC, &cmd);
}

/* 6.12: no such command, whatever is asked. */
static void test_viommu_alloc_6_12(void **state)
{
	struct iommufd_sim *sim = host_of("6.12");
	int ifd = open_iommufd(sim), dfd;
	uint32_t dev;

	(void)state;
	dfd = bind_dev(sim, ifd, "/dev/vfio/devices/vfio0", &dev);
	assert_int_equal(viommu_alloc(sim, ifd, sizeof(struct iofd_viommu_alloc), 0, 0, dev),
			 -ENOTTY);
	assert_int_equal(viommu_alloc(sim, ifd, sizeof(struct iofd_viommu_alloc), 0, 1, dev),
			 -ENOTTY);
	assert_int_equal(viommu_alloc(sim, ifd, 0, 0, 1, dev), -ENOTTY);
	t_close(sim, dfd);
	t_close(sim, ifd);
	iommufd_sim_free(sim);
}

/*
 * 7.3, in the kernel's order: the struct's size (to out_viommu_id), then flags and the
 * reserved type (before the device is looked up), then the device (an access is none),
 * then the driver, which makes no vIOMMU in this model (VT-d has none in 7.3).
 */
static void test_viommu_alloc_7_3(void **state)
{
	const uint32_t size = sizeof(struct iofd_viommu_alloc);
	struct iommufd_sim *sim = host_of("7.3");
	int ifd = open_iommufd(sim), dfd, mfd;
	uint32_t dev, mdev;
	long live;

	(void)state;
	dfd = bind_dev(sim, ifd, "/dev/vfio/devices/vfio0", &dev);
	mfd = bind_dev(sim, ifd, "/dev/vfio/devices/vfio2", &mdev);
	live = iommufd_sim_live_objects(sim);
	assert_int_equal(viommu_alloc(sim, ifd, 0, 0, 1, dev), -EINVAL);
	assert_int_equal(viommu_alloc(sim, ifd, offsetof(struct iofd_viommu_alloc, out_viommu_id),
				      0, 1, dev), -EINVAL);
	assert_int_equal(viommu_alloc(sim, ifd, size, 0, 0, 9999), -EOPNOTSUPP);
	assert_int_equal(viommu_alloc(sim, ifd, size, 1, 1, 9999), -EOPNOTSUPP);
	assert_int_equal(viommu_alloc(sim, ifd, size, 0, 1, 9999), -ENOENT);
	assert_int_equal(viommu_alloc(sim, ifd, size, 0, 1, mdev), -ENOENT);
	assert_int_equal(viommu_alloc(sim, ifd, size, 0, 1, dev), -EOPNOTSUPP);
	/* the first version ends at out_viommu_id */
	assert_int_equal(viommu_alloc(sim, ifd, offsetof(struct iofd_viommu_alloc, data_len), 0, 1,
				      dev), -EOPNOTSUPP);
	assert_int_equal(iommufd_sim_live_objects(sim), live);
	t_close(sim, dfd);
	t_close(sim, mfd);
	t_close(sim, ifd);
	iommufd_sim_free(sim);
}

static int bind_token(struct iommufd_sim *sim, int dfd, int ifd, uint32_t argsz, uint32_t flags,
		      const void *uuid, uint64_t past)
{
	struct {
		struct iofd_vfio_device_bind_iommufd_token bind;
		uint64_t past; /* a newer kernel's field */
	} arg = { { .argsz = argsz, .flags = flags, .iommufd = ifd,
		    .token_uuid_ptr = (uintptr_t)uuid }, past };

	return t_ioctl(sim, dfd, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &arg);
}

/*
 * 7.3 takes the VF token flag (a device that is no SR-IOV PF or VF refuses a token: EINVAL,
 * after reading it; an mdev without reading it) and refuses set bytes past its struct
 * (E2BIG); 6.12 refuses any flag and reads 16 bytes, whatever argsz says.
 */
static void test_bind_token(void **state)
{
	static const unsigned char uuid[16] = { 1, 2, 3 };
	struct iommufd_sim *sim;
	int ifd, d, m;

	(void)state;
	sim = host_of("7.3");
	ifd = open_iommufd(sim);
	d = t_open(sim, "/dev/vfio/devices/vfio0");
	m = t_open(sim, "/dev/vfio/devices/vfio2");
	assert_int_equal(bind_token(sim, d, ifd, 32, 0, NULL, 1), -E2BIG);
	assert_int_equal(bind_token(sim, d, ifd, 32, 2, NULL, 0), -EINVAL);
	assert_int_equal(bind_token(sim, d, ifd, 24, IOFD_VFIO_DEVICE_BIND_FLAG_TOKEN, NULL, 0),
			 -EFAULT);
	assert_int_equal(bind_token(sim, d, ifd, 24, IOFD_VFIO_DEVICE_BIND_FLAG_TOKEN, uuid, 0),
			 -EINVAL);
	/* a short struct: no token pointer, so no token */
	assert_int_equal(bind_token(sim, d, ifd, 16, IOFD_VFIO_DEVICE_BIND_FLAG_TOKEN, uuid, 0),
			 -EFAULT);
	assert_int_equal(bind_token(sim, m, ifd, 24, IOFD_VFIO_DEVICE_BIND_FLAG_TOKEN, NULL, 0),
			 -EINVAL);
	/* zeros past the struct are fine, and no flag binds */
	assert_int_equal(bind_token(sim, d, ifd, 32, 0, NULL, 0), 0);
	assert_int_equal(bind_token(sim, m, ifd, 16, 0, NULL, 1), 0);
	t_close(sim, d);
	t_close(sim, m);
	t_close(sim, ifd);
	iommufd_sim_free(sim);

	sim = host_of("6.12");
	ifd = open_iommufd(sim);
	d = t_open(sim, "/dev/vfio/devices/vfio0");
	assert_int_equal(bind_token(sim, d, ifd, 24, IOFD_VFIO_DEVICE_BIND_FLAG_TOKEN, uuid, 0),
			 -EINVAL);
	assert_int_equal(bind_token(sim, d, ifd, 32, 0, NULL, 1), 0);
	t_close(sim, d);
	t_close(sim, ifd);
	iommufd_sim_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pasid_in_hw_info),
		cmocka_unit_test(test_pasid_keys),
		cmocka_unit_test(test_viommu_alloc_6_12),
		cmocka_unit_test(test_viommu_alloc_7_3),
		cmocka_unit_test(test_bind_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
