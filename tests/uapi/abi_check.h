/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Comparing the project's ABI definitions (iofd_*, IOFD_*) with the kernel's
 * own headers (iommu_*, IOMMU_*), both compiled into one translation unit.
 * Every difference is printed and counted, so one run lists all of them;
 * each cmocka test then asserts that its group had none.
 */
#ifndef IOFD_TESTS_ABI_CHECK_H
#define IOFD_TESTS_ABI_CHECK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

static unsigned abi_mismatches;
static unsigned abi_compared;
static bool abi_quiet; /* set while checking the checker: expected mismatches */

static inline void abi_same(const char *what, uint64_t ours, uint64_t kernel)
{
	abi_compared++;
	if (ours == kernel)
		return;
	abi_mismatches++;
	if (!abi_quiet)
		print_error("ABI mismatch: %s: ours %llu (0x%llx), kernel %llu (0x%llx)\n", what,
			    (unsigned long long)ours, (unsigned long long)ours,
			    (unsigned long long)kernel, (unsigned long long)kernel);
}

/* A constant: ioctl number, command number, flag or enum value. */
#define SAME_VALUE(ours, kernel) abi_same(#ours " == " #kernel, (uint64_t)(ours), (uint64_t)(kernel))

/* Whole struct: size and alignment. */
#define SAME_STRUCT(os, ks)                                                                  \
	do {                                                                                 \
		abi_same("sizeof(struct " #os ")", sizeof(struct os), sizeof(struct ks));    \
		abi_same("alignof(struct " #os ")", __alignof__(struct os),                  \
			 __alignof__(struct ks));                                            \
	} while (0)

#define ABI_MEMBER(s, f) (((struct s *)0)->f)

/*
 * An argsz struct the kernel extends at its end (7.x adds a PASID or a token to
 * VFIO's bind, attach and detach): ours must end where the kernel's field kf
 * ends, the size every later kernel still takes (its minsz), and be no larger.
 */
#define SAME_ARGSZ_STRUCT(os, ks, kf)                                                        \
	do {                                                                                 \
		abi_same("sizeof(struct " #os ") == offsetofend(" #ks ", " #kf ")",          \
			 sizeof(struct os), offsetof(struct ks, kf) + sizeof(ABI_MEMBER(ks, kf))); \
		abi_same("sizeof(struct " #os ") <= sizeof(struct " #ks ")",                 \
			 sizeof(struct os) <= sizeof(struct ks), 1);                         \
	} while (0)

/* A member of any type (arrays included): offset, size and alignment. */
#define SAME_MEMBER(os, of, ks, kf)                                                          \
	do {                                                                                 \
		abi_same("offsetof(" #os "." #of ")", offsetof(struct os, of),              \
			 offsetof(struct ks, kf));                                           \
		abi_same("sizeof(" #os "." #of ")", sizeof(ABI_MEMBER(os, of)),              \
			 sizeof(ABI_MEMBER(ks, kf)));                                        \
		abi_same("alignof(" #os "." #of ")", __alignof__(ABI_MEMBER(os, of)),        \
			 __alignof__(ABI_MEMBER(ks, kf)));                                   \
	} while (0)

/* An integer member: as SAME_MEMBER, and its signedness too (__s32 vs __u32). */
#define ABI_SIGNED(s, f) ((__typeof__(ABI_MEMBER(s, f)))-1 < (__typeof__(ABI_MEMBER(s, f)))1)
#define SAME_FIELD(os, of, ks, kf)                                                           \
	do {                                                                                 \
		SAME_MEMBER(os, of, ks, kf);                                                 \
		abi_same("signedness(" #os "." #of ")", ABI_SIGNED(os, of),                  \
			 ABI_SIGNED(ks, kf));                                                \
	} while (0)

/* End of a group: every item compared equal (and there were items). */
static inline void abi_group_done(unsigned compared_before)
{
	unsigned bad = abi_mismatches;

	abi_mismatches = 0;
	assert_true(abi_compared > compared_before);
	assert_int_equal(bad, 0);
}

#endif
