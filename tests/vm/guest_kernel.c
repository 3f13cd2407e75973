// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What each kernel does where the VM tier's kernels differ, in raw ioctls on
 * the selftest mock devices (no library code): the facts the library's tests
 * and the simulator ("kernel" topology key) follow, and a reproducer of the
 * 7.x dirty read that loses written pages below 4 KiB (docs/kernels.md).
 * Each case asserts what the running kernel does, by its version; a kernel
 * that answers otherwise fails the case, so a change shows up here first.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "uapi/iommufd_abi.h"
#include "uapi/selftest_abi.h"
#include "vmtap.h"

#define SZ_2K 0x800ull
#define SZ_4K 0x1000ull
#define BASE IOFD_MOCK_APERTURE_START

static int kioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg) ? -errno : 0;
}

/* The running kernel's major * 100 + minor (6.12: 612, 7.3: 703). */
static int kernel_version(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	vt_assert(uname(&u) == 0);
	vt_assert(sscanf(u.release, "%d.%d", &major, &minor) == 2);
	return major * 100 + minor;
}

static bool mocks_here(void)
{
	const char *m = getenv("VMTEST_MACHINE");

	return m && !strcmp(m, "B");
}

/* A mock device on a dirty-tracking domain of a new IOAS, len bytes mapped at BASE. */
struct probe {
	int fd;
	uint32_t ioas, stdev, idev, hwpt;
	uint8_t *buf;
	size_t len;
};

static void probe_setup(struct probe *p, size_t len)
{
	struct iofd_ioas_alloc ia = { .size = sizeof(ia) };
	struct iofd_test_cmd md = { .size = sizeof(md), .op = IOFD_TEST_OP_MOCK_DOMAIN_FLAGS };
	struct iofd_hwpt_alloc ha = { .size = sizeof(ha),
				      .flags = IOFD_HWPT_ALLOC_DIRTY_TRACKING };
	struct iofd_test_cmd rep = { .size = sizeof(rep),
				     .op = IOFD_TEST_OP_MOCK_DOMAIN_REPLACE };
	struct iofd_ioas_map map = { .size = sizeof(map),
				     .flags = IOFD_IOAS_MAP_FIXED_IOVA | IOFD_IOAS_MAP_READABLE |
					      IOFD_IOAS_MAP_WRITEABLE };
	struct iofd_hwpt_set_dirty_tracking tr = { .size = sizeof(tr),
						   .flags = IOFD_HWPT_DIRTY_TRACKING_ENABLE };

	if (!mocks_here())
		vt_skip("mock devices: machine B (and AB's B view)");
	p->fd = open("/dev/iommu", O_RDWR);
	vt_assert(p->fd >= 0);
	vt_assert_int_eq(kioctl(p->fd, IOFD_IOAS_ALLOC, &ia), 0);
	p->ioas = ia.out_ioas_id;
	md.id = p->ioas;
	vt_assert_int_eq(kioctl(p->fd, IOFD_TEST_CMD, &md), 0);
	p->stdev = md.mock_domain.out_stdev_id;
	p->idev = md.mock_domain.out_idev_id;
	ha.dev_id = p->idev;
	ha.pt_id = p->ioas;
	vt_assert_int_eq(kioctl(p->fd, IOFD_HWPT_ALLOC, &ha), 0);
	p->hwpt = ha.out_hwpt_id;
	rep.id = p->stdev;
	rep.mock_domain_replace.pt_id = p->hwpt;
	vt_assert_int_eq(kioctl(p->fd, IOFD_TEST_CMD, &rep), 0);
	p->len = len;
	p->buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		      -1, 0);
	vt_assert(p->buf != MAP_FAILED);
	memset(p->buf, 1, len);
	map.ioas_id = p->ioas;
	map.user_va = (uintptr_t)p->buf;
	map.length = len;
	map.iova = BASE;
	vt_assert_int_eq(kioctl(p->fd, IOFD_IOAS_MAP, &map), 0);
	tr.hwpt_id = p->hwpt;
	vt_assert_int_eq(kioctl(p->fd, IOFD_HWPT_SET_DIRTY_TRACKING, &tr), 0);
}

/* IOMMU_TEST_OP_DIRTY over [iova, iova + len) at 2 KiB, every page asked: its count, or -errno. */
static long long mark(struct probe *p, uint64_t iova, uint64_t len)
{
	struct iofd_test_cmd cmd = { .size = sizeof(cmd), .op = IOFD_TEST_OP_DIRTY };
	uint64_t bits[64];
	int ret;

	vt_assert(len / SZ_2K <= 64 * 64);
	memset(bits, 0xff, sizeof(bits));
	cmd.id = p->hwpt;
	cmd.dirty.iova = iova;
	cmd.dirty.length = len;
	cmd.dirty.page_size = SZ_2K;
	cmd.dirty.uptr = (uintptr_t)bits;
	ret = kioctl(p->fd, IOFD_TEST_CMD, &cmd);
	return ret ? ret : (long long)cmd.dirty.out_nr_dirty;
}

/* GET_DIRTY_BITMAP of [BASE, BASE + len) at page size pg into bm[0] (and bm[1]); 0 or -errno. */
static int read_bits2(struct probe *p, uint64_t len, uint64_t pg, uint32_t flags, uint64_t *bm)
{
	struct iofd_hwpt_get_dirty_bitmap cmd = { .size = sizeof(cmd) };
	uint64_t words[4] = { 0 };
	int ret;

	vt_assert(len / pg <= 128);
	cmd.hwpt_id = p->hwpt;
	cmd.flags = flags;
	cmd.iova = BASE;
	cmd.length = len;
	cmd.page_size = pg;
	cmd.data = (uintptr_t)words;
	ret = kioctl(p->fd, IOFD_HWPT_GET_DIRTY_BITMAP, &cmd);
	bm[0] = words[0];
	bm[1] = words[1];
	return ret;
}

/* GET_DIRTY_BITMAP of [iova, iova + len) at page size pg, the first word in *bm. */
static int read_at(struct probe *p, uint64_t iova, uint64_t len, uint64_t pg, uint32_t flags,
		   uint64_t *bm)
{
	struct iofd_hwpt_get_dirty_bitmap cmd = { .size = sizeof(cmd) };
	uint64_t words[4] = { 0 };
	int ret;

	vt_assert(len / pg <= 256);
	cmd.hwpt_id = p->hwpt;
	cmd.flags = flags;
	cmd.iova = iova;
	cmd.length = len;
	cmd.page_size = pg;
	cmd.data = (uintptr_t)words;
	ret = kioctl(p->fd, IOFD_HWPT_GET_DIRTY_BITMAP, &cmd);
	*bm = words[0];
	return ret;
}

static int read_bits(struct probe *p, uint64_t len, uint64_t pg, uint32_t flags, uint64_t *bm)
{
	uint64_t two[2];
	int ret;

	ret = read_bits2(p, len, pg, flags, two);
	*bm = two[0];
	return ret;
}

static void probe_done(struct probe *p)
{
	close(p->fd);
	munmap(p->buf, p->len);
}

/*
 * The reproducer (docs/kernels.md). One CPU page mapped at a 4 KiB-aligned
 * IOVA is one entry of the mock's page table on 7.x (two 2 KiB IO pages on
 * 6.12). The device writes its second 2 KiB. A read of [+2 KiB, +4 KiB) at
 * 2 KiB must report it; 7.3 reports nothing, as the entry starts before the
 * read, and a clearing read clears the entry all the same: the write is lost
 * (a later read of the whole page finds nothing). A read of the first half
 * reports the entry from its start, past the read's end (bit 1 of a 1-bit
 * bitmap), and clears the written half with it.
 */
static void dirty_read_from_inside_an_entry(void)
{
	int kv = kernel_version();
	uint64_t inside, after, first_half, second_half;
	struct probe p;

	probe_setup(&p, SZ_4K);
	vt_assert(mark(&p, BASE + SZ_2K, SZ_2K) == 1);
	vt_assert_int_eq(read_at(&p, BASE + SZ_2K, SZ_2K, SZ_2K, 0, &inside), 0);
	vt_assert_int_eq(read_at(&p, BASE, SZ_4K, SZ_4K, 0, &after), 0);
	vt_assert(mark(&p, BASE + SZ_2K, SZ_2K) == 1);
	vt_assert_int_eq(read_at(&p, BASE, SZ_2K, SZ_2K, 0, &first_half), 0);
	vt_assert_int_eq(read_at(&p, BASE + SZ_2K, SZ_2K, SZ_2K, 0, &second_half), 0);
	vt_note("linux %d.%d: wrote [+2K, +4K) of a 4 KiB entry; read of [+2K, +4K): 0x%llx, "
		"then of the page: 0x%llx; wrote again, read of [0, +2K): 0x%llx, then of "
		"[+2K, +4K): 0x%llx", kv / 100, kv % 100, (unsigned long long)inside,
		(unsigned long long)after, (unsigned long long)first_half,
		(unsigned long long)second_half);
	if (kv < 700) {
		/* 6.12: per 2 KiB IO page, exactly what was written */
		vt_assert_u64_eq(inside, 1);
		vt_assert_u64_eq(after, 0);
		vt_assert_u64_eq(first_half, 0);
		vt_assert_u64_eq(second_half, 1);
	} else {
		vt_note("the written 2 KiB %s", inside ? "is reported" :
			"is LOST: a read from inside a dirty entry reports nothing and clears it");
		vt_assert_u64_eq(inside, 0);
		vt_assert_u64_eq(after, 0);
		vt_assert_u64_eq(first_half, 3);
		vt_assert_u64_eq(second_half, 0);
	}
	probe_done(&p);
}

/* TEST_OP_DIRTY's count: 6.12 counts the mapped pages it marked, 7.x every page asked. */
static void test_op_dirty_counts(void)
{
	int kv = kernel_version();
	struct probe p;
	long long n;

	probe_setup(&p, 4 * SZ_4K);
	/* two mapped 4 KiB pages and two beyond the mapping: 8 IO pages asked, 4 mapped */
	n = mark(&p, BASE + 2 * SZ_4K, 4 * SZ_4K);
	vt_note("linux %d.%d: TEST_OP_DIRTY over 4 mapped and 4 unmapped 2 KiB pages: %lld",
		kv / 100, kv % 100, n);
	vt_assert_int_eq(n, kv < 700 ? 4 : 8);
	probe_done(&p);
}

/* GET_DIRTY_BITMAP of length 0: EINVAL on both (7.2 was seen to answer EOVERFLOW). */
static void dirty_bitmap_of_length_0(void)
{
	int kv = kernel_version();
	struct probe p;
	uint64_t bm;
	int ret;

	probe_setup(&p, SZ_4K);
	ret = read_bits(&p, 0, SZ_4K, 0, &bm);
	vt_note("linux %d.%d: GET_DIRTY_BITMAP length 0: %s", kv / 100, kv % 100,
		vt_errname(ret));
	vt_assert_int_eq(ret, -EINVAL);
	probe_done(&p);
}

/*
 * Where pinned pages are physically contiguous 7.x keeps one dirty bit per
 * larger entry, so more pages read dirty than were written; which ones varies
 * from run to run. What holds on every kernel: each page written is reported,
 * and each page reported lies in the mapping, in a naturally aligned block with
 * a written page (the largest entry that could hold both).
 */
static void every_written_page_is_reported(void)
{
	const uint64_t len = 64 * SZ_4K;
	int kv = kernel_version();
	uint64_t bm[2], want = 0, extra, pg, block, widest = 1;
	struct probe p;
	unsigned i;

	probe_setup(&p, len);
	/* every seventh 4 KiB page, written in its second half */
	for (i = 0; i < 64; i += 7) {
		vt_assert(mark(&p, BASE + i * SZ_4K + SZ_2K, SZ_2K) == 1);
		want |= 1ull << i;
	}
	/* the mapping and as much again beyond it */
	vt_assert_int_eq(read_bits2(&p, 2 * len, SZ_4K, 0, bm), 0);
	vt_note("linux %d.%d: wrote %d pages, read %d: 0x%016llx", kv / 100, kv % 100,
		__builtin_popcountll(want), __builtin_popcountll(bm[0]), (unsigned long long)bm[0]);
	vt_assert_u64_eq(bm[0] & want, want);
	vt_assert_u64_eq(bm[1], 0);
	extra = bm[0] & ~want;
	if (kv < 700)
		vt_assert_u64_eq(extra, 0);
	for (pg = 0; pg < 64; pg++) {
		if (!(extra & (1ull << pg)))
			continue;
		/* the smallest aligned block holding this page and a written one */
		for (block = 2; block < 64; block *= 2)
			if (want & (((1ull << block) - 1) << (pg & ~(block - 1))))
				break;
		if (block > widest)
			widest = block;
	}
	vt_note("extra pages: %d, explained by entries of up to %llu KiB", __builtin_popcountll(extra),
		(unsigned long long)widest * 4);
	probe_done(&p);
}

/* Reserve n huge pages (2 MiB) if fewer are; false when the kernel has none. */
static bool huge_pages(unsigned n)
{
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "r+");
	unsigned have = 0;

	if (!f)
		return false;
	if (fscanf(f, "%u", &have) != 1 || (have < n && (rewind(f), fprintf(f, "%u\n", n) < 0))) {
		fclose(f);
		return false;
	}
	fclose(f);
	return true;
}

/*
 * Physically contiguous memory makes one entry on 7.x: a 2 MiB huge page at a
 * 2 MiB-aligned IOVA is one, so a 2 KiB write dirties all of it, read whole at
 * any page size. 6.12 reports the 2 KiB written.
 */
static void huge_page_is_one_dirty_entry(void)
{
	const uint64_t len = 2ull << 20;
	struct iofd_hwpt_get_dirty_bitmap cmd = { .size = sizeof(cmd) };
	struct iofd_ioas_map map = { .size = sizeof(map),
				     .flags = IOFD_IOAS_MAP_FIXED_IOVA | IOFD_IOAS_MAP_READABLE |
					      IOFD_IOAS_MAP_WRITEABLE };
	static uint64_t bm[2048 / 64];
	int kv = kernel_version();
	unsigned n, i;
	struct probe p;
	uint64_t pg;
	void *huge;

	if (!mocks_here())
		vt_skip("mock devices: machine B (and AB's B view)");
	if (!huge_pages(2))
		vt_skip("no huge pages (CONFIG_HUGETLBFS)");
	huge = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
	if (huge == MAP_FAILED)
		vt_skip("no huge page free");
	probe_setup(&p, SZ_4K);
	map.ioas_id = p.ioas;
	map.user_va = (uintptr_t)huge;
	map.length = len;
	map.iova = BASE + len;
	vt_assert_int_eq(kioctl(p.fd, IOFD_IOAS_MAP, &map), 0);
	for (pg = SZ_4K; pg >= 1024; pg /= 2) {
		vt_assert(mark(&p, BASE + len + 0x5800, SZ_2K) == 1);
		memset(bm, 0, sizeof(bm));
		cmd.hwpt_id = p.hwpt;
		cmd.iova = BASE + len;
		cmd.length = len;
		cmd.page_size = pg;
		cmd.data = (uintptr_t)bm;
		vt_assert_int_eq(kioctl(p.fd, IOFD_HWPT_GET_DIRTY_BITMAP, &cmd), 0);
		for (i = n = 0; i < sizeof(bm) / sizeof(bm[0]); i++)
			n += __builtin_popcountll(bm[i]);
		vt_note("linux %d.%d: 2 KiB written in a 2 MiB huge page, read at %llu: %u pages",
			kv / 100, kv % 100, (unsigned long long)pg, n);
		vt_assert_int_eq(n, kv < 700 ? (pg == 1024 ? 2 : 1) : (int)(len / pg));
	}
	munmap(huge, len);
	probe_done(&p);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
		VT_CASE(dirty_read_from_inside_an_entry),
		VT_CASE(test_op_dirty_counts),
		VT_CASE(dirty_bitmap_of_length_0),
		VT_CASE(every_written_page_is_reported),
		VT_CASE(huge_page_is_one_dirty_entry),
	};

	return vt_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
