// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Memory running out during a clearing read loses no dirty page. The program
 * is linked with malloc, calloc and realloc wrapped (meson.build): once armed,
 * every allocation from the k-th on fails, in the library and the simulator
 * alike, for k = 1, 2, ... until the read makes no more. Whatever the read
 * returns, every page written is reported once by it or by the reads after
 * it (a page twice at worst, short of memory).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "helpers.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

static unsigned fail_from; /* 0: never */
static unsigned made;      /* allocations since armed */

static bool allocation_fails(void)
{
	return fail_from && ++made >= fail_from;
}

void *__wrap_malloc(size_t size)
{
	return allocation_fails() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return allocation_fails() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return allocation_fails() ? NULL : __real_realloc(p, size);
}

#define BIG_IOVA (1ULL << 32)
#define GIB (1ULL << 30)
#define BIG_LEN (5ULL << 29)         /* 2.5 GiB: three chunks of a read (1 GiB each) */
#define WIN_IOVA (BIG_IOVA + 3 * GIB / 2)
#define WIN_LEN GIB                  /* half of the second chunk, all of the third */
#define SPILLS 256                   /* pages before the window: one full block of intervals */

static uint64_t win_bm[WIN_LEN / PAGE / 64], all_bm[BIG_LEN / PAGE / 64];

struct big {
	struct fx f;
	void *mem;
};

/* The pages written, as offsets into the mapping. */
static uint64_t written[SPILLS + 3];
static unsigned nwritten;

static void write_page(struct big *b, uint64_t off)
{
	assert_int_equal(iommufd_sim_dma_write(b->f.sim, DEV_A0, BIG_IOVA + off, PAGE), 0);
	written[nwritten++] = off;
}

/*
 * One mapping of 2.5 GiB in a tracking domain. Written: SPILLS pages apart
 * from each other in the first chunk (outside the window: a clearing read
 * keeps each for later), one in the second chunk before the window, one in it
 * after the window's start, one in the third chunk.
 */
static void big_setup(struct big *b)
{
	unsigned i;

	fx_init(&b->f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	b->mem = mmap(NULL, BIG_LEN, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(b->mem != MAP_FAILED);
	assert_int_equal(iommufd_container_map(b->f.c, b->mem, BIG_IOVA, BIG_LEN, false), 0);
	fx_attach(&b->f, DEV_A0);
	assert_int_equal(iommufd_container_set_dirty_tracking(b->f.c, true), 0);
	nwritten = 0;
	for (i = 0; i < SPILLS; i++)
		write_page(b, 2 * i * PAGE);
	write_page(b, GIB + 5 * PAGE);
	write_page(b, 3 * GIB / 2 + 7 * PAGE);
	write_page(b, 2 * GIB + 3 * PAGE);
}

static void big_fini(struct big *b)
{
	fx_fini(&b->f);
	munmap(b->mem, BIG_LEN);
}

static bool in_window(uint64_t off)
{
	return BIG_IOVA + off >= WIN_IOVA && BIG_IOVA + off < WIN_IOVA + WIN_LEN;
}

static void clearing_reads_lose_nothing(void **state)
{
	unsigned k, i;
	int ret, n;
	struct big b;

	for (k = 1; k < 1000; k++) {
		big_setup(&b);
		memset(win_bm, 0, sizeof(win_bm));
		made = 0;
		fail_from = k;
		ret = iommufd_container_read_dirty(b.f.c, WIN_IOVA, WIN_LEN, PAGE, win_bm, 0);
		fail_from = 0;
		if (ret < 0) {
			if (ret != -ENOMEM)
				fail_msg("allocation %u failing: %d (%s)", k, ret,
					 iommufd_last_error(b.f.ctx));
			memset(win_bm, 0, sizeof(win_bm));
		}
		/* what the window's pages the read did not report, the next one does */
		n = iommufd_container_read_dirty(b.f.c, WIN_IOVA, WIN_LEN, PAGE, win_bm, 0);
		assert_true(n >= 0);
		/* and the pages outside it, a read of everything */
		memset(all_bm, 0, sizeof(all_bm));
		n = iommufd_container_read_dirty(b.f.c, BIG_IOVA, BIG_LEN, PAGE, all_bm, 0);
		assert_true(n >= 0);
		for (i = 0; i < nwritten; i++) {
			uint64_t off = written[i];

			if (in_window(off) ? !bit(win_bm, (BIG_IOVA + off - WIN_IOVA) / PAGE) :
					     !bit(all_bm, off / PAGE))
				fail_msg("allocation %u failing (read: %d): page 0x%llx lost", k,
					 ret, (unsigned long long)off);
		}
		/* nothing is left over */
		memset(all_bm, 0, sizeof(all_bm));
		assert_int_equal(iommufd_container_read_dirty(b.f.c, BIG_IOVA, BIG_LEN, PAGE,
							      all_bm, 0),
				 0);
		big_fini(&b);
		if (made < k) {
			/* no allocation failed: the read got through as it does with memory */
			assert_int_equal(ret, 2);
			return;
		}
	}
	fail_msg("the read never got through");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clearing_reads_lose_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
