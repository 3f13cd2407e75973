/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the guest test programs (they run inside the test VM). */
#ifndef VM_GUEST_COMMON_H
#define VM_GUEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include <iommufd/iommufd.h>

#include "vmtap.h"

#define SZ_4K 0x1000ull
#define SZ_64K 0x10000ull
#define SZ_1M 0x100000ull
#define SZ_2M 0x200000ull

/* The mock IOMMU's aperture (machine B): where devices can reach. */
#define MOCK_START (1ull << 24)
#define MOCK_LAST ((1ull << 31) - 1)

/* "A" (VT-d, VFIO cdevs) or "B" (selftest mock devices), from vm/init.sh. */
static inline const char *vm_machine(void)
{
	const char *m = getenv("VMTEST_MACHINE");

	return m ? m : "?";
}

static inline bool vm_is_a(void)
{
	return !strcmp(vm_machine(), "A");
}

static inline bool vm_is_b(void)
{
	return !strcmp(vm_machine(), "B");
}

/* The running kernel as major * 100 + minor (6.12: 612, 7.3: 703). */
static inline int vm_kernel(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0;
	return major * 100 + minor;
}

static inline struct iommufd_ctx *vm_ctx(void)
{
	struct iommufd_ctx *ctx = NULL;

	vt_ok(iommufd_open(NULL, &ctx));
	vt_assert(ctx != NULL);
	return ctx;
}

/* Anonymous memory, populated so that pinning it is quick. */
static inline void *vm_buf(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	vt_assert(p != MAP_FAILED);
	memset(p, 0x5a, len);
	return p;
}

/*
 * A 2 MiB huge page (physically contiguous: one page table entry on 7.x where
 * it is mapped 2 MiB-aligned), or skip the case.
 */
static inline void *vm_huge_buf(void)
{
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "w");
	void *p;

	if (f) {
		fprintf(f, "8\n");
		fclose(f);
	}
	p = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		vt_skip("no 2 MiB huge page (CONFIG_HUGETLBFS, /proc/sys/vm/nr_hugepages)");
	return p;
}

/* Fail with the library's message when a call does not return want. */
#define vm_expect(ctx, call, want)                                                      \
	do {                                                                            \
		long long vm_r_ = (long long)(call);                                    \
		if (vm_r_ != (long long)(want))                                         \
			vt_fail(__FILE__, __LINE__, "%s: %lld (%s), want %lld (%s); last error: %s", \
				#call, vm_r_, vt_errname(vm_r_), (long long)(want),     \
				vt_errname(want), iommufd_last_error(ctx));             \
	} while (0)

/* A failed call must leave a message saying what failed. */
#define vm_expect_err(ctx, call, err)                                       \
	do {                                                                \
		vm_expect(ctx, call, -(err));                               \
		if (!iommufd_last_error(ctx)[0])                            \
			vt_fail(__FILE__, __LINE__, "%s: no last error message", #call); \
	} while (0)

/*
 * One word of dirty bits read at page size pg from iova (bit i: iova + i * pg),
 * want the pages written. 6.x reports exactly those. 7.x keeps a bit per page
 * table entry, and entries span several pages where the pinned pages happen to
 * be physically contiguous: every page written must be there, and each other
 * page must share a naturally aligned block of at most 2 MiB (the largest
 * such entry of 4 KiB pages here) with a written one. Returns the extra pages.
 */
#define vm_assert_dirty(bm, want, iova, pg) vm_check_dirty(__FILE__, __LINE__, bm, want, iova, pg)
static inline int vm_check_dirty(const char *file, int line, uint64_t bm, uint64_t want,
				 uint64_t iova, uint64_t pg)
{
	uint64_t extra = bm & ~want;
	int n = 0, b, k;

	if (vm_kernel() < 700 && bm != want)
		vt_fail(file, line, "dirty bits 0x%llx, want exactly 0x%llx", (unsigned long long)bm,
			(unsigned long long)want);
	if ((bm & want) != want)
		vt_fail(file, line, "dirty bits 0x%llx miss written pages of 0x%llx",
			(unsigned long long)bm, (unsigned long long)want);
	for (b = 0; b < 64; b++) {
		uint64_t at = iova + b * pg;
		bool near = false;

		if (!(extra >> b & 1))
			continue;
		for (k = 0; k < 64 && !near; k++) {
			uint64_t other = iova + k * pg, size;

			if (!(want >> k & 1))
				continue;
			for (size = pg; size <= SZ_2M && !near; size *= 2)
				near = (at & ~(size - 1)) == (other & ~(size - 1));
		}
		if (!near)
			vt_fail(file, line, "dirty bits 0x%llx: page %d was not written and no written "
				"page of 0x%llx shares an entry with it", (unsigned long long)bm, b,
				(unsigned long long)want);
		n++;
	}
	if (n)
		vt_note("%d pages more than written (entries over contiguous pages)", n);
	return n;
}

/* Open a device by name (a VFIO device, or "selftest", "selftest:no-dirty"). */
static inline struct iommufd_device *vm_open(struct iommufd_ctx *ctx, const char *name)
{
	struct iommufd_device *dev = NULL;
	int ret;

	ret = iommufd_device_open(ctx, name, &dev);
	if (ret)
		vt_fail(__FILE__, __LINE__, "open %s: %s; last error: %s", name, vt_errname(ret),
			iommufd_last_error(ctx));
	vt_assert(dev != NULL);
	return dev;
}

/*
 * A device that can have an IOMMU domain of its own: machine A's VFIO cdev
 * vfio<index>, or a machine B selftest mock device (with dirty tracking).
 */
static inline struct iommufd_device *vm_device(struct iommufd_ctx *ctx, int index)
{
	char name[64];

	if (vm_is_a())
		snprintf(name, sizeof(name), "/dev/vfio/devices/vfio%d", index);
	else
		snprintf(name, sizeof(name), "selftest");
	return vm_open(ctx, name);
}

/* The first allowed IOVA a device attached to an IOAS can reach. */
static inline uint64_t vm_dev_iova(void)
{
	return vm_is_b() ? MOCK_START : SZ_1M;
}

#endif
