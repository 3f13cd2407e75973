// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The test machine is what the other guest tests assume: /dev/iommu answers,
 * machine A has VT-d and VFIO cdevs, machine B makes selftest mock devices.
 * Raw ioctls through the project's own UAPI definitions, no library code,
 * so that a failure here points at the VM, not at the library.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "uapi/iommufd_abi.h"
#include "uapi/selftest_abi.h"
#include "vmtap.h"

/* ioctl as the library's transport sees it: 0 or -errno. */
static int kioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg) ? -errno : 0;
}

static const char *machine(void)
{
	const char *m = getenv("VMTEST_MACHINE");

	return m ? m : "";
}

static int open_iommu(void)
{
	int fd = open("/dev/iommu", O_RDWR);

	if (fd < 0)
		vt_fail(__FILE__, __LINE__, "open /dev/iommu: %s", vt_errname(errno));
	return fd;
}

static uint32_t ioas_alloc(int fd)
{
	struct iofd_ioas_alloc cmd = { .size = sizeof(cmd) };

	vt_assert_int_eq(kioctl(fd, IOFD_IOAS_ALLOC, &cmd), 0);
	vt_assert(cmd.out_ioas_id != 0);
	return cmd.out_ioas_id;
}

static void iommufd_answers(void)
{
	struct iofd_destroy d = { .size = sizeof(d) };
	int fd = open_iommu();

	d.id = ioas_alloc(fd);
	vt_assert_int_eq(kioctl(fd, IOFD_DESTROY, &d), 0);
	/* a second destroy of the same id: ENOENT */
	vt_assert_int_eq(kioctl(fd, IOFD_DESTROY, &d), -ENOENT);
	close(fd);
}

static int count_entries(const char *dir, const char *prefix)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

static void machine_a_has_vtd_and_cdevs(void)
{
	int n;

	if (strcmp(machine(), "A"))
		vt_skip("machine %s has no emulated IOMMU", machine());
	vt_assert(count_entries("/sys/class/iommu", "dmar") >= 1);
	n = count_entries("/dev/vfio/devices", "vfio");
	vt_note("%d VFIO cdevs", n);
	vt_assert(n >= 3);
}

static uint32_t mock_device(int fd, uint32_t pt_id, uint32_t flags, uint32_t *hwpt_id,
			    uint32_t *idev_id)
{
	struct iofd_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOFD_TEST_OP_MOCK_DOMAIN_FLAGS,
		.id = pt_id,
		.mock_domain.dev_flags = flags,
	};

	vt_assert_int_eq(kioctl(fd, IOFD_TEST_CMD, &cmd), 0);
	*hwpt_id = cmd.mock_domain.out_hwpt_id;
	*idev_id = cmd.mock_domain.out_idev_id;
	return cmd.mock_domain.out_stdev_id;
}

static void machine_b_makes_mock_devices(void)
{
	struct iofd_hw_info info = { .size = sizeof(info) };
	struct iofd_destroy d = { .size = sizeof(d) };
	uint32_t ioas, stdev, hwpt, idev;
	int fd;

	if (strcmp(machine(), "B"))
		vt_skip("mock devices are refused where an Intel IOMMU is present");
	fd = open_iommu();
	ioas = ioas_alloc(fd);

	stdev = mock_device(fd, ioas, 0, &hwpt, &idev);
	vt_assert(hwpt != ioas && idev != stdev);
	info.dev_id = idev;
	vt_assert_int_eq(kioctl(fd, IOFD_GET_HW_INFO, &info), 0);
	vt_assert_u64_eq(info.out_data_type, IOFD_HW_INFO_TYPE_SELFTEST);
	vt_assert_u64_eq(info.out_capabilities & IOFD_HW_CAP_DIRTY_TRACKING,
			 IOFD_HW_CAP_DIRTY_TRACKING);
	d.id = stdev;
	vt_assert_int_eq(kioctl(fd, IOFD_DESTROY, &d), 0);

	stdev = mock_device(fd, ioas, IOFD_MOCK_DEVICE_NO_DIRTY, &hwpt, &idev);
	/* the kernel wrote back data_len: start over */
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.dev_id = idev;
	vt_assert_int_eq(kioctl(fd, IOFD_GET_HW_INFO, &info), 0);
	vt_assert_u64_eq(info.out_capabilities & IOFD_HW_CAP_DIRTY_TRACKING, 0);
	d.id = stdev;
	vt_assert_int_eq(kioctl(fd, IOFD_DESTROY, &d), 0);
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
		VT_CASE(iommufd_answers),
		VT_CASE(machine_a_has_vtd_and_cdevs),
		VT_CASE(machine_b_makes_mock_devices),
	};

	return vt_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
