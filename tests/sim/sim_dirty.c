// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Simulated DMA and IOMMU dirty tracking: iommufd_sim_dma_write() faults
 * and dirty bits, and what HWPT_GET_DIRTY_BITMAP reports and clears.
 */
#include "sim_test.h"

struct fixture {
	struct iommufd_sim *sim;
	int ifd;
	uint32_t ioas, hwpt;
	int fd_a, fd_b, fd_c, fd_m;
	uint32_t id_a, id_b, id_c, id_m;
	char *buf;
};

#define BUF_LEN (64 * SZ_4K)
#define RW_IOVA 0x100000ull /* 16 pages, read/write */
#define RO_IOVA 0x200000ull /* 4 pages, read-only */

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	uint64_t iova = RO_IOVA;
	uint32_t pt;

	f->sim = new_sim(NULL);
	f->ifd = open_iommufd(f->sim);
	f->ioas = ioas_alloc(f->sim, f->ifd);
	f->fd_a = bind_dev(f->sim, f->ifd, CDEV_A, &f->id_a);
	f->fd_b = bind_dev(f->sim, f->ifd, CDEV_B, &f->id_b);
	f->fd_c = bind_dev(f->sim, f->ifd, CDEV_C, &f->id_c);
	f->fd_m = bind_dev(f->sim, f->ifd, CDEV_M, &f->id_m);
	assert_int_equal(hwpt_alloc(f->sim, f->ifd, f->id_a, f->ioas,
				    IOFD_HWPT_ALLOC_DIRTY_TRACKING, &f->hwpt),
			 0);
	pt = f->hwpt;
	assert_int_equal(attach(f->sim, f->fd_a, &pt), 0);
	f->buf = test_buf(BUF_LEN);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 16 * SZ_4K, RW_IOVA), 0);
	assert_int_equal(map(f->sim, f->ifd, f->ioas, f->buf + 16 * SZ_4K, 4 * SZ_4K, &iova,
			     IOFD_IOAS_MAP_FIXED_IOVA | IOFD_IOAS_MAP_READABLE),
			 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	iommufd_sim_free(f->sim);
	free_buf(f->buf, BUF_LEN);
	free(f);
	return 0;
}

static int dma(struct fixture *f, const char *dev, uint64_t iova, uint64_t len)
{
	return iommufd_sim_dma_write(f->sim, dev, iova, len);
}

/* Read 16 pages at RW_IOVA with 4 KiB bits, clearing. */
static uint64_t read16(struct fixture *f, uint32_t flags)
{
	uint64_t bm = 0;

	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 16 * SZ_4K, SZ_4K, &bm, flags),
			 0);
	return bm;
}

static void test_dma_write_errors(void **state)
{
	struct fixture *f = *state;
	int fs;

	assert_int_equal(set_dirty(f->sim, f->ifd, f->hwpt, true), 0);
	assert_int_equal(dma(f, "0000:ff:00.0", RW_IOVA, 1), -ENODEV);
	assert_int_equal(iommufd_sim_dma_write(f->sim, NULL, RW_IOVA, 1), -EINVAL);
	/* bound but not attached: blocked, it faults; not bound: no context knows it */
	assert_int_equal(dma(f, DEV_B, RW_IOVA, 1), -EFAULT);
	assert_int_equal(dma(f, DEV_S, RW_IOVA, 1), -EINVAL);
	fs = t_open(f->sim, CDEV_S);
	assert_int_equal(dma(f, DEV_S, RW_IOVA, 1), -EINVAL);
	t_close(f->sim, fs);
	assert_int_equal(dma(f, DEV_A, RW_IOVA, 0), -EINVAL);
	assert_int_equal(dma(f, DEV_A, UINT64_MAX, 2), -EOVERFLOW);
	/* IOMMU faults: unmapped, read-only: nothing written, nothing marked */
	assert_int_equal(dma(f, DEV_A, 0x1000, 4), -EFAULT);
	assert_int_equal(dma(f, DEV_A, RO_IOVA, 4), -EFAULT);
	assert_int_equal(read16(f, 0), 0);
	/*
	 * Each page is translated on its own: a write running off the end of a
	 * mapping, or into it from a hole, faults on the unmapped pages and
	 * writes (dirties) the mapped ones, as the kernel's selftest marks them.
	 */
	assert_int_equal(dma(f, DEV_A, RW_IOVA + 15 * SZ_4K, 2 * SZ_4K), -EFAULT);
	assert_int_equal(read16(f, 0), 1ull << 15);
	assert_int_equal(dma(f, DEV_A, RW_IOVA - 2 * SZ_4K, 3 * SZ_4K + 1), -EFAULT);
	assert_int_equal(read16(f, 0), 3);
	/* over a hole into the read-only mapping: only the writeable pages take it */
	assert_int_equal(dma(f, DEV_A, RW_IOVA + 14 * SZ_4K, RO_IOVA - RW_IOVA), -EFAULT);
	assert_int_equal(read16(f, 0), 3ull << 14);
	/* the device can be named by its cdev too */
	assert_int_equal(dma(f, CDEV_A, RW_IOVA, 1), 0);
	assert_int_equal(read16(f, 0), 1);
}

static void test_bits_and_clearing(void **state)
{
	struct fixture *f = *state;
	uint64_t bm;

	/* VT-d records nothing until tracking is on */
	assert_int_equal(dma(f, DEV_A, RW_IOVA, SZ_4K), 0);
	assert_int_equal(set_dirty(f->sim, f->ifd, f->hwpt, true), 0);
	assert_int_equal(read16(f, 0), 0);

	/* a write across a page boundary dirties both pages */
	assert_int_equal(dma(f, DEV_A, RW_IOVA + 0x1800, 0x1000), 0);
	assert_int_equal(dma(f, DEV_A, RW_IOVA + 5 * SZ_4K, 1), 0);
	/* NO_CLEAR keeps them; a plain read clears them */
	assert_int_equal(read16(f, IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR), 0x26);
	assert_int_equal(read16(f, 0), 0x26);
	assert_int_equal(read16(f, 0), 0);

	/* bits are only set, never cleared, in the caller's bitmap */
	assert_int_equal(dma(f, DEV_A, RW_IOVA, 1), 0);
	bm = 1ull << 40;
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 16 * SZ_4K, SZ_4K, &bm, 0), 0);
	assert_int_equal(bm, (1ull << 40) | 1);

	/* a read of part of the range clears that part only */
	assert_int_equal(dma(f, DEV_A, RW_IOVA, 16 * SZ_4K), 0);
	bm = 0;
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA + 4 * SZ_4K, 4 * SZ_4K, SZ_4K,
				   &bm, 0),
			 0);
	assert_int_equal(bm, 0xf);
	assert_int_equal(read16(f, 0), 0xff0f);

	/* enabling again starts from clean; disabled VT-d reports nothing */
	assert_int_equal(dma(f, DEV_A, RW_IOVA, 1), 0);
	assert_int_equal(set_dirty(f->sim, f->ifd, f->hwpt, true), 0);
	assert_int_equal(read16(f, 0), 0);
	assert_int_equal(dma(f, DEV_A, RW_IOVA, 1), 0);
	assert_int_equal(set_dirty(f->sim, f->ifd, f->hwpt, false), 0);
	assert_int_equal(dma(f, DEV_A, RW_IOVA + SZ_4K, 1), 0);
	assert_int_equal(read16(f, 0), 0);
	/*
	 * NULL bitmap, as measured on Linux 6.12: 0, nothing reported, and the
	 * bits are read (and cleared, unless NO_CLEAR). The library refuses it.
	 */
	assert_int_equal(set_dirty(f->sim, f->ifd, f->hwpt, true), 0);
	assert_int_equal(dma(f, DEV_A, RW_IOVA, 1), 0);
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 16 * SZ_4K, SZ_4K, NULL,
				   IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR), 0);
	assert_int_equal(read16(f, IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR), 1);
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 16 * SZ_4K, SZ_4K, NULL, 0), 0);
	assert_int_equal(read16(f, 0), 0);
}

/*
 * A bitmap the kernel cannot pin for writing (unmapped, read-only): Linux
 * 6.12 answers 0 and writes nothing, like a NULL one. The simulator must not
 * fault on it either.
 */
static void test_unwritable_bitmap(void **state)
{
	struct fixture *f = *state;
	uint64_t *ro, *gone;

	ro = mmap(NULL, SZ_4K, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gone = mmap(NULL, SZ_4K, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(ro != MAP_FAILED && gone != MAP_FAILED);
	munmap(gone, SZ_4K);
	assert_int_equal(set_dirty(f->sim, f->ifd, f->hwpt, true), 0);

	assert_int_equal(dma(f, DEV_A, RW_IOVA + SZ_4K, 1), 0);
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 16 * SZ_4K, SZ_4K, gone,
				   IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR), 0);
	assert_int_equal(read16(f, IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR), 2);
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 16 * SZ_4K, SZ_4K, gone, 0),
			 0);
	assert_int_equal(read16(f, 0), 0);

	assert_int_equal(dma(f, DEV_A, RW_IOVA + 2 * SZ_4K, 1), 0);
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 16 * SZ_4K, SZ_4K, ro, 0), 0);
	assert_int_equal(ro[0], 0);
	assert_int_equal(read16(f, 0), 0);
	munmap(ro, SZ_4K);
}

/* A bitmap at any byte address, as the kernel takes it (it writes bytes, not words). */
static void test_unaligned_bitmap(void **state)
{
	struct fixture *f = *state;
	unsigned char raw[24] = { 0 };
	uint64_t w;

	assert_int_equal(set_dirty(f->sim, f->ifd, f->hwpt, true), 0);
	assert_int_equal(dma(f, DEV_A, RW_IOVA + 9 * SZ_4K, 1), 0);
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 16 * SZ_4K, SZ_4K,
				   (uint64_t *)(raw + 3), 0), 0);
	memcpy(&w, raw + 3, sizeof(w));
	assert_int_equal(w, 1ull << 9);
	assert_int_equal(raw[0] | raw[1] | raw[2] | raw[11], 0);
}

/*
 * A page size that is no power of two, as measured on Linux 6.12: where iova
 * and length pass the alignment check against it, pages of its lowest set bit
 * are counted (3: a bit per byte; 6: per 2 bytes; 0x3000: per 4 KiB), so a
 * bitmap sized for the size given is overrun. The library refuses it.
 */
static void test_page_size_not_power_of_two(void **state)
{
	struct fixture *f = *state;
	const uint64_t words = 16 * SZ_4K / 64;
	uint64_t *bm = calloc(words, sizeof(*bm)), w, n;

	assert_non_null(bm);
	assert_int_equal(set_dirty(f->sim, f->ifd, f->hwpt, true), 0);
	assert_int_equal(dma(f, DEV_A, RW_IOVA + 2 * SZ_4K, 1), 0);
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 3 * SZ_4K, 3, bm,
				   IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR), 0);
	for (w = n = 0; w < words; w++)
		n += __builtin_popcountll(bm[w]);
	assert_int_equal(n, SZ_4K);
	assert_int_equal(bm[2 * SZ_4K / 64], ~0ull);
	memset(bm, 0, words * sizeof(*bm));
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 3 * SZ_4K, 6, bm,
				   IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR), 0);
	assert_int_equal(bm[SZ_4K / 64], ~0ull);
	memset(bm, 0, words * sizeof(*bm));
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 4 * SZ_4K, 3 * SZ_4K, bm, 0),
			 0);
	assert_int_equal(bm[0], 1ull << 2);
	/* misaligned for it: refused as the kernel does */
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 2 * SZ_4K, 3 * SZ_4K, bm, 0),
			 -EINVAL);
	free(bm);
}

static void test_page_sizes(void **state)
{
	struct fixture *f = *state;
	uint64_t bm[2] = { 0, 0 };

	assert_int_equal(set_dirty(f->sim, f->ifd, f->hwpt, true), 0);
	assert_int_equal(dma(f, DEV_A, RW_IOVA + 3 * SZ_4K, 1), 0);
	/* smaller bitmap pages: each dirty 4 KiB page sets all the bits it covers */
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 16 * SZ_4K, 0x800, bm,
				   IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
			 0);
	assert_int_equal(bm[0], 0xc0);
	/* larger ones: one bit for 64 KiB */
	bm[0] = 0;
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 16 * SZ_4K, 0x10000, bm, 0), 0);
	assert_int_equal(bm[0], 1);
	/* bits beyond the first word */
	assert_int_equal(dma(f, DEV_A, RW_IOVA + 15 * SZ_4K, SZ_4K), 0);
	bm[0] = bm[1] = 0;
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 16 * SZ_4K, 0x200, bm, 0), 0);
	assert_int_equal(bm[0], 0);
	assert_int_equal(bm[1], 0xffull << 56);
}

static void test_unmap_loses_bits(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(set_dirty(f->sim, f->ifd, f->hwpt, true), 0);
	assert_int_equal(dma(f, DEV_A, RW_IOVA, 16 * SZ_4K), 0);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, RW_IOVA, 16 * SZ_4K, NULL), 0);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 16 * SZ_4K, RW_IOVA), 0);
	assert_int_equal(read16(f, 0), 0);
}

/*
 * Linux 6.12 reads the contiguous mappings that start at iova and stops at
 * the first hole (returning 0): later pages are neither reported nor cleared.
 */
static void test_read_stops_at_hole(void **state)
{
	struct fixture *f = *state;
	uint64_t bm = 0;

	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 4 * SZ_4K, RW_IOVA + 20 * SZ_4K),
			 0);
	assert_int_equal(set_dirty(f->sim, f->ifd, f->hwpt, true), 0);
	assert_int_equal(dma(f, DEV_A, RW_IOVA, 1), 0);
	assert_int_equal(dma(f, DEV_A, RW_IOVA + 20 * SZ_4K, 1), 0);
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 32 * SZ_4K, SZ_4K, &bm, 0), 0);
	assert_int_equal(bm, 1);
	/* starting in the hole: nothing at all */
	bm = 0;
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA + 16 * SZ_4K, 16 * SZ_4K, SZ_4K,
				   &bm, 0),
			 0);
	assert_int_equal(bm, 0);
	/* the second mapping read on its own still has its bit */
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA + 20 * SZ_4K, 4 * SZ_4K, SZ_4K,
				   &bm, 0),
			 0);
	assert_int_equal(bm, 1);
	/* adjacent mappings are one contiguous run */
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 4 * SZ_4K, RW_IOVA + 16 * SZ_4K),
			 0);
	assert_int_equal(dma(f, DEV_A, RW_IOVA + 15 * SZ_4K, 2 * SZ_4K), 0);
	assert_int_equal(dma(f, DEV_A, RW_IOVA + 23 * SZ_4K, 1), 0);
	bm = 0;
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, RW_IOVA, 24 * SZ_4K, SZ_4K, &bm, 0), 0);
	assert_int_equal(bm, (1ull << 15) | (1ull << 16) | (1ull << 23));
}

static void test_shared_domain_and_coverage(void **state)
{
	struct fixture *f = *state;
	uint32_t pt = f->hwpt, auto_pt;
	uint64_t bm = 0;

	assert_int_equal(set_dirty(f->sim, f->ifd, f->hwpt, true), 0);
	/* a second device in the same domain writes into the same dirty state */
	assert_int_equal(attach(f->sim, f->fd_b, &pt), 0);
	assert_int_equal(dma(f, DEV_A, RW_IOVA, 1), 0);
	assert_int_equal(dma(f, DEV_B, RW_IOVA + SZ_4K, 1), 0);
	assert_int_equal(read16(f, 0), 3);
	/* a device in an automatic domain: its writes are not tracked anywhere */
	auto_pt = f->ioas;
	assert_int_equal(attach(f->sim, f->fd_c, &auto_pt), 0);
	assert_true(auto_pt != f->hwpt);
	assert_int_equal(dma(f, DEV_C, RW_IOVA + 2 * SZ_4K, 1), 0);
	assert_int_equal(read16(f, 0), 0);
	assert_int_equal(get_dirty(f->sim, f->ifd, auto_pt, RW_IOVA, SZ_4K, SZ_4K, &bm, 0),
			 -EOPNOTSUPP);
	assert_int_equal(dma(f, DEV_C, RO_IOVA, 1), -EFAULT);
	/* an emulated device writes through the IOAS: faults, but no dirty bits */
	pt = f->ioas;
	assert_int_equal(attach(f->sim, f->fd_m, &pt), 0);
	assert_int_equal(dma(f, DEV_M, RW_IOVA + 3 * SZ_4K, SZ_4K), 0);
	assert_int_equal(dma(f, DEV_M, RO_IOVA, 1), -EFAULT);
	assert_int_equal(dma(f, DEV_M, 0x1000, 1), -EFAULT);
	assert_int_equal(read16(f, 0), 0);
	/* detached: writes go nowhere */
	assert_int_equal(detach(f->sim, f->fd_m), 0);
	assert_int_equal(dma(f, DEV_M, RW_IOVA, 1), -EFAULT);
	t_close(f->sim, f->fd_m);
	assert_int_equal(dma(f, DEV_M, RW_IOVA, 1), -EINVAL);
}

/* SMMUv3 hardware keeps dirty state whether or not tracking was "enabled". */
static void test_smmu_always_records(void **state)
{
	struct fixture *f = *state;
	uint32_t ids, h, pt;
	uint64_t bm = 0;
	int fs = bind_dev(f->sim, f->ifd, CDEV_S, &ids);

	assert_int_equal(hwpt_alloc(f->sim, f->ifd, ids, f->ioas, IOFD_HWPT_ALLOC_DIRTY_TRACKING,
				    &h),
			 0);
	pt = h;
	assert_int_equal(attach(f->sim, fs, &pt), 0);
	assert_int_equal(dma(f, DEV_S, RW_IOVA + SZ_4K, 1), 0);
	assert_int_equal(get_dirty(f->sim, f->ifd, h, RW_IOVA, 16 * SZ_4K, SZ_4K, &bm, 0), 0);
	assert_int_equal(bm, 2);
	/* enabling clears */
	assert_int_equal(dma(f, DEV_S, RW_IOVA, 1), 0);
	assert_int_equal(set_dirty(f->sim, f->ifd, h, true), 0);
	bm = 0;
	assert_int_equal(get_dirty(f->sim, f->ifd, h, RW_IOVA, 16 * SZ_4K, SZ_4K, &bm, 0), 0);
	assert_int_equal(bm, 0);
	t_close(f->sim, fs);
}

/* Dirty state is sparse: a large mapping high in a 48-bit space costs nothing. */
static void test_sparse_large_space(void **state)
{
	struct fixture *f = *state;
	const uint64_t len = 1ull << 30, base = 1ull << 46;
	void *big = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint64_t bm[8] = { 0 };

	assert_true(big != MAP_FAILED);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, big, len, base), 0);
	assert_int_equal(set_dirty(f->sim, f->ifd, f->hwpt, true), 0);
	assert_int_equal(dma(f, DEV_A, base + 5 * SZ_2M + 77, 1), 0);
	assert_int_equal(dma(f, DEV_A, base + len - SZ_4K, SZ_4K), 0);
	assert_int_equal(dma(f, DEV_A, base, len), 0);
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, base, len, SZ_2M, bm, 0), 0);
	assert_int_equal(bm[0], UINT64_MAX);
	assert_int_equal(bm[7], UINT64_MAX);
	memset(bm, 0, sizeof(bm));
	assert_int_equal(dma(f, DEV_A, base + 5 * SZ_2M + 77, 1), 0);
	assert_int_equal(dma(f, DEV_A, base + len - SZ_4K, SZ_4K), 0);
	assert_int_equal(get_dirty(f->sim, f->ifd, f->hwpt, base, len, SZ_2M, bm, 0), 0);
	assert_int_equal(bm[0], 1ull << 5);
	assert_int_equal(bm[7], 1ull << 63);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, base, len, NULL), 0);
	munmap(big, len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dma_write_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bits_and_clearing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_bitmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unaligned_bitmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_size_not_power_of_two, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_loses_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_stops_at_hole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_domain_and_coverage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_smmu_always_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sparse_large_space, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
