/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small TAP producer for the guest test programs. They run inside the test
 * VM's initramfs, statically linked, where no cmocka archive is available.
 * Each case runs in a forked child (a crash or a stuck call fails that case
 * only, and every fd and kernel object it made goes away with the child);
 * the parent prints one TAP line per case.
 */
#ifndef VMTAP_H
#define VMTAP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vt_case {
	const char *name;
	void (*fn)(void);
};
#define VT_CASE(f) { #f, f }

/* Runs every case (or those named in argv), prints TAP; exit status 0 when all pass. */
int vt_main(int argc, char **argv, const struct vt_case *cases, size_t ncases);

/* Run fn(arg) as case number n in a child and print its TAP line; false if it failed. */
bool vt_run_case(unsigned n, const char *name, void (*fn)(void *), void *arg);
/* The same for a known gap (TAP TODO): a failure is expected, a pass is news. */
bool vt_run_case_todo(unsigned n, const char *name, const char *todo, void (*fn)(void *),
		      void *arg);

/* Fail the running case with a message (never returns). */
void vt_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
/* Skip the running case (never returns); for what the machine does not have. */
void vt_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* A diagnostic line ("# ...") in the output. */
void vt_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Errno name for messages: "EINVAL" for -EINVAL or EINVAL, "0", or the number. */
const char *vt_errname(long long err);

#define vt_assert(cond)                                                     \
	do {                                                                \
		if (!(cond))                                                \
			vt_fail(__FILE__, __LINE__, "assertion failed: %s", \
				#cond);                                     \
	} while (0)

#define vt_assert_int_eq(a, b)                                                  \
	do {                                                                    \
		long long vt_a_ = (long long)(a), vt_b_ = (long long)(b);       \
		if (vt_a_ != vt_b_)                                             \
			vt_fail(__FILE__, __LINE__, "%s == %s: %lld (%s) != %lld (%s)", \
				#a, #b, vt_a_, vt_errname(vt_a_), vt_b_,        \
				vt_errname(vt_b_));                             \
	} while (0)

#define vt_assert_u64_eq(a, b)                                                  \
	do {                                                                    \
		unsigned long long vt_a_ = (a), vt_b_ = (b);                    \
		if (vt_a_ != vt_b_)                                             \
			vt_fail(__FILE__, __LINE__, "%s == %s: 0x%llx != 0x%llx", #a, \
				#b, vt_a_, vt_b_);                              \
	} while (0)

/* A library call that must succeed (0 or a positive count); its value. */
#define vt_ok(call)                                                             \
	({                                                                      \
		long long vt_r_ = (long long)(call);                            \
		if (vt_r_ < 0)                                                  \
			vt_fail(__FILE__, __LINE__, "%s failed: %s", #call,     \
				vt_errname(vt_r_));                             \
		vt_r_;                                                          \
	})

/* A library call that must fail with exactly -err. */
#define vt_err(call, err) vt_assert_int_eq((call), -(err))

#endif
