// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Devices from file descriptors and the calls that grow, on the real kernel.
 * Machine A: examples/vfio_edu_dma (given only fds, it drives QEMU's edu device
 * to copy RAM -> device -> RAM through VT-d; writes into a read-only and into an
 * unmapped buffer are blocked and the kernel logs DMAR faults for them);
 * iommufd_device_from_fd on right and wrong files; the fds stay the caller's;
 * VT-d's driver data from GET_HW_INFO against sysfs; IOAS_MAP_FILE, PASID attach
 * and HWPT_ALLOC options as the running kernel answers them. Machine B: the
 * selftest mock device has no fd, and its hw info data.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest_common.h"
#include "uapi/iommufd_abi.h"
#include "uapi/selftest_abi.h"
#include "uapi/vfio_abi.h"

#define EDU0 "0000:00:03.0"
#define EDU1 "0000:00:04.0"
#define EXAMPLE "/tests/data/vfio_edu_dma"

static void need_a(void)
{
	if (!vm_is_a())
		vt_skip("VFIO devices need machine A");
}

static void need_b(void)
{
	if (!vm_is_b())
		vt_skip("selftest devices need machine B");
}

/* The running kernel is at least major.minor. */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	vt_assert(uname(&u) == 0);
	vt_assert(sscanf(u.release, "%d.%d", &ma, &mi) == 2);
	return ma > major || (ma == major && mi >= minor);
}

static bool kernel_is_6_12(void)
{
	return kernel_at_least(6, 12) && !kernel_at_least(6, 13);
}

/* IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED: 7.x says it of a device that cannot use ATS. */
#define HW_CAP_PCI_ATS_NOT_SUPPORTED (1ull << 3)

/* What 7.x adds to the capabilities of a device without ATS (QEMU's, the mock's). */
static uint64_t ats_none(void)
{
	return kernel_is_6_12() ? 0 : HW_CAP_PCI_ATS_NOT_SUPPORTED;
}

/* The cdev of a PCI device bound to vfio-pci, from the library's list. */
static void cdev_of(const char *name, char *out, size_t len)
{
	struct iommufd_device_desc d[8];
	struct iommufd_ctx *ctx = vm_ctx();
	int n, i;

	n = vt_ok(iommufd_list_devices(ctx, d, 8));
	for (i = 0; i < n && i < 8; i++) {
		if (!strcmp(d[i].name, name)) {
			snprintf(out, len, "%s", d[i].cdev);
			iommufd_close(ctx);
			return;
		}
	}
	vt_fail(__FILE__, __LINE__, "%s is not bound to vfio-pci", name);
}

static int open_cdev(const char *name)
{
	char cdev[64];
	int fd;

	cdev_of(name, cdev, sizeof(cdev));
	fd = open(cdev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		vt_fail(__FILE__, __LINE__, "open %s: %s", cdev, strerror(errno));
	return fd;
}

static struct iommufd_device *from_fd(struct iommufd_ctx *ctx, int fd)
{
	struct iommufd_device *dev = NULL;
	int ret = iommufd_device_from_fd(ctx, fd, &dev);

	if (ret)
		vt_fail(__FILE__, __LINE__, "from fd %d: %s; last error: %s", fd, vt_errname(ret),
			iommufd_last_error(ctx));
	return dev;
}

/* The device's fd is open and bound: VFIO_DEVICE_GET_INFO answers only then. */
static bool bound(int fd)
{
	struct iofd_vfio_device_info info = { .argsz = sizeof(info) };

	return ioctl(fd, IOFD_VFIO_DEVICE_GET_INFO, &info) == 0;
}

static void expect_msg(struct iommufd_ctx *ctx, const char *words)
{
	if (!strstr(iommufd_last_error(ctx), words))
		vt_fail(__FILE__, __LINE__, "last error \"%s\" does not say \"%s\"",
			iommufd_last_error(ctx), words);
}

/* ---- the example: real DMA through the IOMMU ------------------------------ */

/* New kernel log lines (from /dev/kmsg at its end when the case began) into buf. */
static void kmsg_read(int fd, char *buf, size_t size)
{
	size_t len = strlen(buf);
	char rec[1024];
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue; /* records overwritten meanwhile: read on */
		if (n <= 0)
			return;
		rec[n] = '\0';
		/* "prio,seq,usec,flags;message" */
		if (strchr(rec, ';') && len + n < size) {
			len += snprintf(buf + len, size - len, "%s", strchr(rec, ';') + 1);
		}
	}
}

static void example_drives_dma_through_the_iommu(void)
{
	char cdev[64], out[4096] = "", log[16384] = "";
	const struct timespec tick = { 0, 50000000 };
	int pipefd[2], kmsg, status, i;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	need_a();
	cdev_of(EDU0, cdev, sizeof(cdev));
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	vt_assert(kmsg >= 0);
	vt_assert(lseek(kmsg, 0, SEEK_END) >= 0);
	vt_assert(pipe(pipefd) == 0);
	pid = fork();
	vt_assert(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execl(EXAMPLE, EXAMPLE, cdev, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(pipefd[0]);
	vt_assert(waitpid(pid, &status, 0) == pid);
	vt_note("vfio_edu_dma %s:\n%s", cdev, out);
	vt_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	vt_assert(strstr(out, "copied 2048 bytes RAM -> device -> RAM "
			      "(iova 0x100000 -> 0x200000)"));
	vt_assert(strstr(out, "write to the read-only buffer (iova 0x101000): blocked"));
	vt_assert(strstr(out, "write after unmap (iova 0x200000): blocked"));
	vt_assert(strstr(out, "the library closed neither file"));
	/* The IOMMU said so too: a DMAR fault for each blocked write (reported by interrupt). */
	for (i = 0; i < 60; i++) {
		kmsg_read(kmsg, log, sizeof(log));
		if (strstr(log, "fault addr 0x101000") && strstr(log, "fault addr 0x200000"))
			break;
		nanosleep(&tick, NULL);
	}
	close(kmsg);
	vt_note("kernel log meanwhile:\n%s", log);
	/* "[DMA Write NO_PASID] Request device [00:03.0] fault addr 0x101000" (7.x: 0000:...) */
	vt_assert(strstr(log, "[DMA Write NO_PASID] Request device ["));
	vt_assert(strstr(log, "00:03.0] fault addr 0x101000"));
	vt_assert(strstr(log, "00:03.0] fault addr 0x200000"));
	vt_assert(strstr(log, "PTE Write access is not set"));
	/* Nothing else faulted: the copy itself went through. */
	vt_assert(!strstr(log, "DMA Read"));
}

/* ---- iommufd_device_from_fd --------------------------------------------------- */

static void from_fd_binds_and_close_leaves_it_bound(void)
{
	struct iommufd_device *dev, *again = NULL;
	struct iommufd_ctx *ctx;
	uint32_t ioas;
	int fd;

	need_a();
	ctx = vm_ctx();
	fd = open_cdev(EDU1);
	vt_assert(!bound(fd));
	dev = from_fd(ctx, fd);
	vt_assert(!strcmp(iommufd_device_name(dev), EDU1));
	vt_assert(!strncmp(iommufd_device_cdev(dev), "/dev/vfio/devices/vfio", 22));
	vt_assert(!strcmp(iommufd_device_iommu(dev), "dmar0"));
	vt_assert_int_eq(iommufd_device_fd(dev), fd);
	vt_assert(iommufd_device_id(dev) != 0);
	vt_assert(bound(fd));
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_device_attach_pt(dev, ioas), 0);
	vt_assert(iommufd_device_pt_id(dev) != 0);
	iommufd_device_close(dev);
	/* Detached (the IOAS has no domain left to keep it busy), open, still bound. */
	vm_expect(ctx, iommufd_destroy(ctx, ioas), 0);
	vt_assert(fcntl(fd, F_GETFD) >= 0);
	vt_assert(bound(fd));
	vm_expect_err(ctx, iommufd_device_from_fd(ctx, fd, &again), EINVAL);
	expect_msg(ctx, "bound already");
	vt_assert(again == NULL);
	/* ... and holds the device: no other file binds it. */
	vm_expect_err(ctx, iommufd_device_open(ctx, EDU1, &again), EINVAL);
	/* Closed, the device binds again. */
	vt_assert(close(fd) == 0);
	again = vm_open(ctx, EDU1);
	iommufd_device_close(again);
	iommufd_close(ctx);
}

/* The first free descriptor number: an fd that is surely not open. */
static int closed_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	vt_assert(fd >= 0);
	close(fd);
	return fd;
}

/* A numbered VFIO group file, /dev/vfio/N, of the device. */
static bool group_of(const char *pci, char *out, size_t len)
{
	char link[128], target[256];
	const char *base;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s/iommu_group", pci);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(out, len, "/dev/vfio/%s", base ? base + 1 : target);
	return access(out, F_OK) == 0;
}

static void from_fd_refuses_wrong_files(void)
{
	struct iommufd_device *dev = NULL, *owner;
	struct iommufd_ctx *ctx;
	int null, reg, pipefd[2], iommu, other, good, group;
	char gpath[64];

	need_a();
	ctx = vm_ctx();
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	reg = open("/init", O_RDONLY | O_CLOEXEC);
	vt_assert(null >= 0 && reg >= 0 && pipe(pipefd) == 0);
	iommu = iommufd_fd(ctx);

	vm_expect_err(ctx, iommufd_device_from_fd(ctx, -1, &dev), EBADF);
	vm_expect_err(ctx, iommufd_device_from_fd(ctx, closed_fd(), &dev), EBADF);
	expect_msg(ctx, "no open file");
	vm_expect_err(ctx, iommufd_device_from_fd(ctx, null, &dev), ENODEV);
	expect_msg(ctx, "char device 1:3 (null)");
	vm_expect_err(ctx, iommufd_device_from_fd(ctx, reg, &dev), ENODEV);
	expect_msg(ctx, "a regular file");
	vm_expect_err(ctx, iommufd_device_from_fd(ctx, pipefd[0], &dev), ENODEV);
	expect_msg(ctx, "a pipe");
	vm_expect_err(ctx, iommufd_device_from_fd(ctx, iommu, &dev), ENODEV);
	expect_msg(ctx, "(iommu)");
	vt_note("the iommufd: %s", iommufd_last_error(ctx));
	/* The device's VFIO group file is no cdev; while open, it keeps cdevs from binding. */
	if (group_of(EDU1, gpath, sizeof(gpath))) {
		group = open(gpath, O_RDWR | O_CLOEXEC);
		vt_assert(group >= 0);
		vm_expect_err(ctx, iommufd_device_from_fd(ctx, group, &dev), ENODEV);
		vt_note("the group: %s", iommufd_last_error(ctx));
		good = open_cdev(EDU1);
		vm_expect_err(ctx, iommufd_device_from_fd(ctx, good, &dev), EBUSY);
		expect_msg(ctx, "legacy VFIO group");
		close(group);
		close(good);
	} else {
		vt_note("no VFIO group file for %s", EDU1);
	}
	/* A device bound through another cdev fd (here the library's own open). */
	owner = vm_open(ctx, EDU1);
	other = open_cdev(EDU1);
	vm_expect_err(ctx, iommufd_device_from_fd(ctx, other, &dev), EINVAL);
	expect_msg(ctx, "bound through another cdev fd");
	vt_assert(!bound(other));
	vm_expect_err(ctx, iommufd_device_from_fd(ctx, iommufd_device_fd(owner), &dev), EINVAL);
	expect_msg(ctx, "bound already");
	vt_assert(dev == NULL);
	iommufd_device_close(owner);
	/* None of it changed a thing: every file is open, the waiting cdev binds now. */
	vt_assert(fcntl(null, F_GETFD) >= 0 && fcntl(reg, F_GETFD) >= 0 &&
		  fcntl(pipefd[0], F_GETFD) >= 0 && fcntl(other, F_GETFD) >= 0);
	dev = from_fd(ctx, other);
	iommufd_device_close(dev);
	close(other);
	close(null);
	close(reg);
	close(pipefd[0]);
	close(pipefd[1]);
	iommufd_close(ctx);
}

/* What a manager passes: an iommufd and a cdev; after the library, both still work. */
static void fds_stay_the_callers(void)
{
	struct iofd_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommufd_container *c = NULL;
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx = NULL;
	int iommu, cdev;
	void *buf;

	need_a();
	iommu = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	vt_assert(iommu >= 0);
	cdev = open_cdev(EDU1);
	vt_ok(iommufd_from_fd(iommu, &ctx));
	dev = from_fd(ctx, cdev);
	buf = vm_buf(SZ_64K);
	vm_expect(ctx, iommufd_container_new(ctx, 0, &c), 0);
	vm_expect(ctx, iommufd_container_attach(c, dev), 0);
	vm_expect(ctx, iommufd_container_map(c, buf, SZ_1M, SZ_64K, false), 0);
	iommufd_device_close(dev);
	iommufd_container_free(c);
	iommufd_close(ctx);
	/* The cdev is open and bound; the iommufd is open and answers. */
	vt_assert(bound(cdev));
	vt_assert(ioctl(iommu, IOFD_IOAS_ALLOC, &alloc) == 0 && alloc.out_ioas_id != 0);
	vt_assert(close(cdev) == 0);
	vt_assert(close(iommu) == 0);
}

/* ---- the calls that grow ------------------------------------------------------ */

/* struct iommu_hw_info_vtd */
struct hw_info_vtd {
	uint32_t flags;
	uint32_t reserved;
	uint64_t cap_reg;
	uint64_t ecap_reg;
};

static uint64_t sysfs_hex(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		vt_fail(__FILE__, __LINE__, "%s: %s", path, strerror(errno));
	vt_assert(fscanf(f, "%llx", &v) == 1);
	fclose(f);
	return v;
}

static void hw_info_vtd_driver_data(void)
{
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	struct hw_info_vtd vtd;
	unsigned char big[64], small[12];
	IOMMUFD_OPTS(iommufd_hw_info_opts, o, .data = &vtd, .data_len = sizeof(vtd));
	unsigned i;

	need_a();
	ctx = vm_ctx();
	dev = vm_open(ctx, EDU0);
	memset(&vtd, 0xff, sizeof(vtd));
	vm_expect(ctx, iommufd_get_hw_info_opts(ctx, iommufd_device_id(dev), &o), 0);
	vt_note("type %u data_len %u caps 0x%llx pasid_log2 %u cap 0x%llx ecap 0x%llx flags 0x%x",
		o.out_data_type, o.data_len, (unsigned long long)o.out_capabilities,
		o.out_max_pasid_log2, (unsigned long long)vtd.cap_reg,
		(unsigned long long)vtd.ecap_reg, vtd.flags);
	vt_assert_int_eq(o.out_data_type, IOFD_HW_INFO_TYPE_INTEL_VTD);
	vt_assert_int_eq(o.data_len, sizeof(vtd));
	/* IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17: the driver sets it for every unit. */
	vt_assert_int_eq(vtd.flags, 1);
	/* The registers the driver read from the unit, as sysfs shows them. */
	vt_assert_u64_eq(vtd.cap_reg, sysfs_hex("/sys/class/iommu/dmar0/intel-iommu/cap"));
	vt_assert_u64_eq(vtd.ecap_reg, sysfs_hex("/sys/class/iommu/dmar0/intel-iommu/ecap"));
	/* QEMU's VT-d: no dirty tracking; edu has no PASID capability (nor ATS: 7.x says so). */
	vt_assert_u64_eq(o.out_capabilities, ats_none());
	vt_assert_int_eq(o.out_max_pasid_log2, 0);
	/* A larger buffer: the rest zeroed; a smaller: filled as far as it goes. */
	memset(big, 0xee, sizeof(big));
	o.data = big;
	o.data_len = sizeof(big);
	vm_expect(ctx, iommufd_get_hw_info_opts(ctx, iommufd_device_id(dev), &o), 0);
	vt_assert_int_eq(o.data_len, sizeof(vtd));
	vt_assert(!memcmp(big + 8, &vtd.cap_reg, 8));
	for (i = sizeof(vtd); i < sizeof(big); i++)
		vt_assert_int_eq(big[i], 0);
	memset(small, 0xee, sizeof(small));
	o.data = small;
	o.data_len = 8;
	vm_expect(ctx, iommufd_get_hw_info_opts(ctx, iommufd_device_id(dev), &o), 0);
	vt_assert_int_eq(o.data_len, sizeof(vtd));
	vt_assert_int_eq(small[8], 0xee);
	/* A length without a buffer; a type asked for (6.12 has no INPUT_TYPE). */
	o.data = NULL;
	vm_expect_err(ctx, iommufd_get_hw_info_opts(ctx, iommufd_device_id(dev), &o), EFAULT);
	o.data = &vtd;
	o.data_type = IOFD_HW_INFO_TYPE_INTEL_VTD;
	if (kernel_is_6_12()) {
		vm_expect_err(ctx, iommufd_get_hw_info_opts(ctx, iommufd_device_id(dev), &o),
			      EOPNOTSUPP);
		expect_msg(ctx, "IOMMU_HW_INFO_FLAG_INPUT_TYPE");
	} else {
		/* 7.x: the IOMMU's own type is given, another one it has not. */
		vm_expect(ctx, iommufd_get_hw_info_opts(ctx, iommufd_device_id(dev), &o), 0);
		vt_assert_int_eq(o.out_data_type, IOFD_HW_INFO_TYPE_INTEL_VTD);
		o.data_type = IOFD_HW_INFO_TYPE_ARM_SMMUV3;
		vm_expect_err(ctx, iommufd_get_hw_info_opts(ctx, iommufd_device_id(dev), &o),
			      EOPNOTSUPP);
	}
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

static int memfd(uint64_t len)
{
	int fd = memfd_create("guest-map-file", MFD_CLOEXEC);

	vt_assert(fd >= 0);
	vt_assert(ftruncate(fd, (off_t)len) == 0);
	return fd;
}

static void map_file_by_kernel(void)
{
	struct iommufd_container *c = NULL;
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	uint64_t iova = SZ_1M;
	uint32_t ioas;
	int fd;

	need_a();
	ctx = vm_ctx();
	dev = vm_open(ctx, EDU0);
	fd = memfd(SZ_64K);
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_container_new(ctx, 0, &c), 0);
	vm_expect(ctx, iommufd_container_attach(c, dev), 0);
	if (!kernel_at_least(6, 13)) {
		/* Linux 6.12 has no IOAS_MAP_FILE: ENOTTY, and the message says what it needs. */
		vm_expect_err(ctx, iommufd_ioas_map_file(ctx, ioas, fd, 0, SZ_64K, &iova,
							 IOMMUFD_MAP_FIXED_IOVA), ENOTTY);
		expect_msg(ctx, "Linux 6.13 or later does");
		vm_expect_err(ctx, iommufd_container_map_file(c, fd, 0, SZ_1M, SZ_64K, false),
			      ENOTTY);
		expect_msg(ctx, "Linux 6.13 or later does");
		vt_note("%s", iommufd_last_error(ctx));
		/* Nothing was recorded. */
		vm_expect_err(ctx, iommufd_container_unmap(c, SZ_1M, SZ_64K), ENOENT);
	} else {
		vm_expect(ctx, iommufd_ioas_map_file(ctx, ioas, fd, 0, SZ_64K, &iova,
						     IOMMUFD_MAP_FIXED_IOVA), 0);
		vm_expect(ctx, iommufd_container_map_file(c, fd, 0, SZ_1M, SZ_64K, false), 0);
		vm_expect(ctx, iommufd_container_unmap(c, SZ_1M, SZ_64K), 0);
	}
	iommufd_device_close(dev);
	iommufd_container_free(c);
	close(fd);
	iommufd_close(ctx);
}

static void pasid_attach_by_kernel(void)
{
	IOMMUFD_OPTS(iommufd_attach_opts, o, .flags = IOMMUFD_ATTACH_PASID, .pasid = 1);
	IOMMUFD_OPTS(iommufd_detach_opts, d, .flags = IOMMUFD_ATTACH_PASID, .pasid = 1);
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	uint32_t ioas, cur;
	int ret;

	need_a();
	ctx = vm_ctx();
	dev = vm_open(ctx, EDU0);
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_device_attach_pt_opts(dev, ioas, NULL), 0);
	cur = iommufd_device_pt_id(dev);
	ret = iommufd_device_attach_pt_opts(dev, ioas, &o);
	vt_note("PASID attach: %d, %s", ret, ret ? iommufd_last_error(ctx) : "");
	if (kernel_is_6_12()) {
		vt_assert_int_eq(ret, -EINVAL);
		expect_msg(ctx, "VFIO_DEVICE_ATTACH_PASID");
		vm_expect_err(ctx, iommufd_device_detach_pt_opts(dev, &d), EINVAL);
	} else if (!ret) {
		vm_expect(ctx, iommufd_device_detach_pt_opts(dev, &d), 0);
	}
	vt_assert_int_eq(iommufd_device_pt_id(dev), cur);
	vm_expect(ctx, iommufd_device_detach_pt_opts(dev, NULL), 0);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

static void hwpt_alloc_opts_on_vtd(void)
{
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	uint32_t ioas, h = 0, id;
	uint64_t s1[3] = { 0, 0x1000, 48 }; /* struct iommu_hwpt_vtd_s1 */
	IOMMUFD_OPTS(iommufd_hwpt_alloc_opts, o, .data_type = IOFD_HWPT_DATA_VTD_S1, .data = s1,
		     .data_len = sizeof(s1));

	need_a();
	ctx = vm_ctx();
	dev = vm_open(ctx, EDU0);
	id = iommufd_device_id(dev);
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	vm_expect(ctx, iommufd_hwpt_alloc_opts(ctx, id, ioas, NULL, &h), 0);
	vm_expect(ctx, iommufd_device_attach_pt(dev, h), 0);
	vm_expect(ctx, iommufd_device_detach_pt(dev), 0);
	vm_expect(ctx, iommufd_destroy(ctx, h), 0);
	/* Stage-1 data over an IOAS (no nest parent): VT-d makes no such domain. */
	vm_expect_err(ctx, iommufd_hwpt_alloc_opts(ctx, id, ioas, &o, &h), EOPNOTSUPP);
	/* A type without data: EINVAL. */
	o.data_len = 0;
	vm_expect_err(ctx, iommufd_hwpt_alloc_opts(ctx, id, ioas, &o, &h), EINVAL);
	/* A fault queue on a paging domain: not in 6.12; 7.x looks the id up (none: ENOENT). */
	o.data_type = 0;
	o.data = NULL;
	o.fault_id = 77;
	vm_expect_err(ctx, iommufd_hwpt_alloc_opts(ctx, id, ioas, &o, &h),
		      kernel_is_6_12() ? EOPNOTSUPP : ENOENT);
	iommufd_device_close(dev);
	vm_expect(ctx, iommufd_destroy(ctx, ioas), 0);
	iommufd_close(ctx);
}

/* ---- machine B: selftest devices ---------------------------------------------- */

/* struct iommu_test_hw_info */
struct hw_info_selftest {
	uint32_t flags;
	uint32_t test_reg;
};

static void selftest_device_has_no_fd(void)
{
	IOMMUFD_OPTS(iommufd_attach_opts, o, .flags = IOMMUFD_ATTACH_PASID, .pasid = 1);
	struct iommufd_device *dev, *nodirty;
	struct hw_info_selftest st;
	struct iommufd_ctx *ctx;
	IOMMUFD_OPTS(iommufd_hw_info_opts, h, .data = &st, .data_len = sizeof(st));
	uint32_t ioas;

	need_b();
	ctx = vm_ctx();
	dev = vm_open(ctx, "selftest");
	nodirty = vm_open(ctx, "selftest:no-dirty");
	vt_assert_int_eq(iommufd_device_fd(dev), -ENODEV);
	vm_expect(ctx, iommufd_get_hw_info_opts(ctx, iommufd_device_id(dev), &h), 0);
	vt_assert_u64_eq(h.out_data_type, IOFD_HW_INFO_TYPE_SELFTEST);
	vt_assert_int_eq(h.data_len, sizeof(st));
	vt_assert_u64_eq(st.test_reg, 0xdeadbeef);
	vt_assert_u64_eq(h.out_capabilities, IOMMUFD_HW_CAP_DIRTY_TRACKING | ats_none());
	vm_expect(ctx, iommufd_get_hw_info_opts(ctx, iommufd_device_id(nodirty), &h), 0);
	vt_assert_u64_eq(h.out_capabilities, ats_none());
	vt_ok(iommufd_ioas_alloc(ctx, &ioas));
	/* PASIDs of a mock device go by test ops: 6.12 has none, 7.x refuses an IOAS */
	vm_expect_err(ctx, iommufd_device_attach_pt_opts(dev, ioas, &o),
		      vm_kernel() < 700 ? EOPNOTSUPP : EINVAL);
	vm_expect(ctx, iommufd_device_attach_pt_opts(dev, ioas, NULL), 0);
	iommufd_device_close(nodirty);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
		VT_CASE(example_drives_dma_through_the_iommu),
		VT_CASE(from_fd_binds_and_close_leaves_it_bound),
		VT_CASE(from_fd_refuses_wrong_files),
		VT_CASE(fds_stay_the_callers),
		VT_CASE(hw_info_vtd_driver_data),
		VT_CASE(map_file_by_kernel),
		VT_CASE(pasid_attach_by_kernel),
		VT_CASE(hwpt_alloc_opts_on_vtd),
		VT_CASE(selftest_device_has_no_fd),
	};

	return vt_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
