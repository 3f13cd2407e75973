// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The smallest complete VFIO userspace program on libiommufd: QEMU's "edu" PCI device
 * copies a buffer from RAM into its own memory and back into a second buffer by DMA,
 * through the IOMMU. As a VMM does when a manager (libvirt) opened the files, it opens
 * /dev/iommu and the device's VFIO cdev itself and gives the library the file
 * descriptors; the library attaches the device and maps the buffers, and the program
 * drives the device through its BAR0, mmapped from the device's fd.
 *
 * Then it shows what the IOMMU is for: the device cannot write into the buffer mapped
 * read-only, nor into the one that is no longer mapped (the kernel logs an IOMMU fault
 * for each), and the files stay the program's after the library is done.
 *
 *   vfio_edu_dma /dev/vfio/devices/vfioN      (an edu device bound to vfio-pci)
 *
 * Build: cc vfio_edu_dma.c $(pkg-config --cflags --libs libiommufd)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include <iommufd/iommufd.h>

/* The edu device (QEMU docs/specs/edu.rst): registers in BAR0, 4 KiB of memory for DMA. */
#define EDU_ID 0x00		/* 0x010000ed */
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_START 0x1	/* cleared by the device when the transfer is done */
#define EDU_DMA_TO_RAM 0x2	/* from its memory to RAM; clear: from RAM */
#define EDU_MEM 0x40000		/* its memory, in its own DMA address space */
#define EDU_LEN 2048		/* QEMU 7.2 refuses a transfer of all 4 KiB */

/* IOVAs the device sees the buffers at (edu masks DMA addresses to 28 bits). */
#define SRC_IOVA 0x100000ull
#define DST_IOVA 0x200000ull
#define PAGE 4096ull
#define SRC_LEN (2 * PAGE)

static int fail(struct iommufd_ctx *ctx, int ret, const char *what)
{
	fprintf(stderr, "vfio_edu_dma: %s: %s\n", what,
		ctx && *iommufd_last_error(ctx) ? iommufd_last_error(ctx) : strerror(-ret));
	return ret;
}

/* A region of the device (BAR0, config space): where it is in the device's file. */
static int region_info(int fd, unsigned index, struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, info) ? -errno : 0;
}

/* A device does DMA only with bus mastering on (and answers its BAR with memory on). */
static int enable_dma(int fd)
{
	struct vfio_region_info cfg;
	uint16_t cmd;
	int ret;

	ret = region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg);
	if (ret)
		return ret;
	if (pread(fd, &cmd, sizeof(cmd), cfg.offset + PCI_COMMAND) != sizeof(cmd))
		return -EIO;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(fd, &cmd, sizeof(cmd), cfg.offset + PCI_COMMAND) != sizeof(cmd))
		return -EIO;
	return 0;
}

static void reg_write(volatile void *bar, unsigned off, uint64_t val)
{
	*(volatile uint64_t *)((volatile char *)bar + off) = val;
}

static uint32_t reg_read(volatile void *bar, unsigned off)
{
	return *(volatile uint32_t *)((volatile char *)bar + off);
}

/* One DMA transfer of EDU_LEN bytes; waits (5 s at most) until the device is done. */
static int edu_dma(volatile void *bar, uint64_t src, uint64_t dst, uint32_t cmd)
{
	struct timespec ms = { 0, 1000000 };
	int i;

	reg_write(bar, EDU_DMA_SRC, src);
	reg_write(bar, EDU_DMA_DST, dst);
	reg_write(bar, EDU_DMA_COUNT, EDU_LEN);
	reg_write(bar, EDU_DMA_CMD, EDU_DMA_START | cmd);
	for (i = 0; i < 5000; i++) {
		if (!(reg_read(bar, EDU_DMA_CMD) & EDU_DMA_START))
			return 0;
		nanosleep(&ms, NULL);
	}
	return -ETIMEDOUT;
}

int main(int argc, char **argv)
{
	IOMMUFD_OPTS(iommufd_map_opts, map_src, .iova = SRC_IOVA, .length = SRC_LEN,
		     .flags = IOMMUFD_MAP_READONLY);
	IOMMUFD_OPTS(iommufd_map_opts, map_dst, .iova = DST_IOVA, .length = PAGE);
	struct iommufd_container *c = NULL;
	struct iommufd_device *dev = NULL;
	struct iommufd_ctx *ctx = NULL;
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info bar0;
	int iommu_fd = -1, cdev_fd = -1, ret;
	unsigned char *src = MAP_FAILED, *dst = MAP_FAILED;
	void *bar = MAP_FAILED;
	bool ok = false;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: vfio_edu_dma /dev/vfio/devices/vfioN\n");
		return 2;
	}
	/* The files a manager would pass. */
	iommu_fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommu_fd < 0) {
		fail(NULL, -errno, "open /dev/iommu");
		goto out_close;
	}
	cdev_fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (cdev_fd < 0) {
		fail(NULL, -errno, argv[1]);
		goto out_close;
	}

	ret = iommufd_from_fd(iommu_fd, &ctx);
	if (ret) {
		fail(NULL, ret, "iommufd from fd");
		goto out_close;
	}
	ret = iommufd_device_from_fd(ctx, cdev_fd, &dev);
	if (ret) {
		fail(ctx, ret, argv[1]);
		goto out_ctx;
	}
	ret = iommufd_container_new(ctx, 0, &c);
	if (!ret)
		ret = iommufd_container_attach(c, dev);
	if (ret) {
		fail(ctx, ret, "container");
		goto out_dev;
	}

	/* Two buffers: src the device may only read, dst it may write. */
	src = mmap(NULL, SRC_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED) {
		fail(NULL, -errno, "mmap buffers");
		goto out_dev;
	}
	for (i = 0; i < SRC_LEN; i++)
		src[i] = (unsigned char)(i * 7 + 1);
	map_src.va = src;
	map_dst.va = dst;
	ret = iommufd_container_map_opts(c, &map_src);
	if (!ret)
		ret = iommufd_container_map_opts(c, &map_dst);
	if (ret) {
		fail(ctx, ret, "map buffers");
		goto out_dev;
	}

	/* The device's registers, through the device's own file. */
	ret = region_info(iommufd_device_fd(dev), VFIO_PCI_BAR0_REGION_INDEX, &bar0);
	if (!ret)
		ret = enable_dma(iommufd_device_fd(dev));
	if (ret) {
		fail(NULL, ret, "BAR0 and config space");
		goto out_dev;
	}
	bar = mmap(NULL, bar0.size, PROT_READ | PROT_WRITE, MAP_SHARED, iommufd_device_fd(dev),
		   bar0.offset);
	if (bar == MAP_FAILED) {
		fail(NULL, -errno, "mmap BAR0");
		goto out_dev;
	}
	if ((reg_read(bar, EDU_ID) & 0xff) != 0xed) {
		fprintf(stderr, "vfio_edu_dma: %s is no edu device (id 0x%x)\n", argv[1],
			reg_read(bar, EDU_ID));
		goto out_dev;
	}

	/* RAM -> device -> RAM, both through the IOMMU. */
	ret = edu_dma(bar, SRC_IOVA, EDU_MEM, 0);
	if (!ret)
		ret = edu_dma(bar, EDU_MEM, DST_IOVA, EDU_DMA_TO_RAM);
	if (ret) {
		fail(NULL, ret, "DMA");
		goto out_dev;
	}
	if (memcmp(src, dst, EDU_LEN)) {
		fprintf(stderr, "vfio_edu_dma: the copy differs from the source\n");
		goto out_dev;
	}
	printf("copied %d bytes RAM -> device -> RAM (iova 0x%llx -> 0x%llx)\n", EDU_LEN,
	       SRC_IOVA, DST_IOVA);

	/*
	 * New bytes into the device, then at the read-only buffer: the IOMMU blocks them. At
	 * its second page, which the device has not read: an emulated IOMMU may refuse a write
	 * through a read-only translation it holds without recording a fault.
	 */
	memset(dst, 0xa5, EDU_LEN);
	ret = edu_dma(bar, DST_IOVA, EDU_MEM, 0);
	if (!ret)
		ret = edu_dma(bar, EDU_MEM, SRC_IOVA + PAGE, EDU_DMA_TO_RAM);
	if (ret) {
		fail(NULL, ret, "DMA");
		goto out_dev;
	}
	for (i = PAGE; i < PAGE + EDU_LEN; i++) {
		if (src[i] != (unsigned char)(i * 7 + 1)) {
			fprintf(stderr, "vfio_edu_dma: the device wrote into the read-only "
				"buffer\n");
			goto out_dev;
		}
	}
	printf("write to the read-only buffer (iova 0x%llx): blocked\n", SRC_IOVA + PAGE);

	/* Unmapped, dst is out of the device's reach. */
	ret = iommufd_container_unmap(c, DST_IOVA, PAGE);
	if (ret) {
		fail(ctx, ret, "unmap");
		goto out_dev;
	}
	memset(dst, 0, EDU_LEN);
	ret = edu_dma(bar, EDU_MEM, DST_IOVA, EDU_DMA_TO_RAM);
	if (ret) {
		fail(NULL, ret, "DMA");
		goto out_dev;
	}
	if (dst[0] || dst[EDU_LEN - 1]) {
		fprintf(stderr, "vfio_edu_dma: the device wrote into the unmapped buffer\n");
		goto out_dev;
	}
	printf("write after unmap (iova 0x%llx): blocked\n", DST_IOVA);
	ok = true;

out_dev:
	if (bar != MAP_FAILED)
		munmap(bar, bar0.size);
	iommufd_device_close(dev);
	iommufd_container_free(c);
out_ctx:
	iommufd_close(ctx);
	if (src != MAP_FAILED)
		munmap(src, SRC_LEN);
	if (dst != MAP_FAILED)
		munmap(dst, PAGE);
	/* The files are ours still: the device's is open and bound (closing it unbinds). */
	if (ok && ioctl(cdev_fd, VFIO_DEVICE_GET_INFO, &info)) {
		fprintf(stderr, "vfio_edu_dma: the device's fd after the library: %s\n",
			strerror(errno));
		ok = false;
	}
out_close:
	if ((cdev_fd >= 0 && close(cdev_fd)) || (iommu_fd >= 0 && close(iommu_fd))) {
		fprintf(stderr, "vfio_edu_dma: close: %s\n", strerror(errno));
		ok = false;
	}
	if (ok)
		printf("the library closed neither file: both open until the program "
		       "closed them\n");
	return ok ? 0 : 1;
}
