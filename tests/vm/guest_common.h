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
