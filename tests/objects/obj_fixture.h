/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every object test shares: a simulated host of known shape, a context
 * on it, a buffer to map, leak checks, and error-message checks.
 */
#ifndef IOFD_TESTS_OBJ_FIXTURE_H
#define IOFD_TESTS_OBJ_FIXTURE_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <iommufd/iommufd.h>

/* The test host: devices on a dirty-tracking VT-d unit, one on a VT-d unit without, an mdev. */
#define DEV_DIRTY "0000:3b:00.0"   /* dmar0: dirty tracking, 48-bit */
#define DEV_DIRTY2 "0000:3c:00.0"  /* dmar0 too */
#define DEV_NODIRTY "0000:5e:00.0" /* dmar1: no dirty tracking, 39-bit */
#define DEV_MDEV "mdev0"           /* emulated */
#define NDEVICES 4

#define PAGE 4096ull
#define BUF_LEN (16ull << 20) /* 2 MiB aligned */

struct fx {
	struct iommufd_sim *sim;
	struct iommufd_ctx *ctx;
	long live_start; /* kernel objects alive when the test began */
	char *buf;       /* BUF_LEN bytes of this process, to map */
	void *map;       /* the mmap() holding buf */
	size_t map_len;
};

extern const char fx_topology[];

/* cmocka setup/teardown: teardown asserts that the test left no kernel object behind. */
int fx_setup(void **state);
/* The same host imitating Linux 6.12. */
int fx_setup_6_12(void **state);
int fx_teardown(void **state);

uint32_t fx_ioas(struct fx *f);
struct iommufd_device *fx_dev(struct fx *f, const char *name);
/* Map BUF + off at iova (fixed), len bytes; asserts success. */
void fx_map(struct fx *f, uint32_t ioas, uint64_t off, uint64_t iova, uint64_t len, uint32_t flags);

/* [iova, iova + len) is fully mapped (probed with a readonly IOAS_COPY, changing nothing) */
bool fx_mapped(struct fx *f, uint32_t ioas, uint64_t iova, uint64_t len);
/* no byte of [iova, iova + len) is mapped (probed with a map that is undone) */
bool fx_unmapped(struct fx *f, uint32_t ioas, uint64_t iova, uint64_t len);

/* The last error names every word given and the errno's text. */
void fx_assert_msg(struct iommufd_ctx *ctx, int err, const char *const *words);

/* ret is -err, and the message says why (operation, ids...). */
#define assert_err(ctx, expr, err, ...)                                        \
	do {                                                                   \
		int _ret = (expr);                                             \
		assert_int_equal(_ret, -(err));                                \
		fx_assert_msg((ctx), (err), (const char *const[]){ __VA_ARGS__, NULL }); \
	} while (0)

#define FX_TEST(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
#define FX_TEST_6_12(fn) cmocka_unit_test_setup_teardown(fn, fx_setup_6_12, fx_teardown)

#endif
