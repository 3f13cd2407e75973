// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IOAS rules: command struct sizes and flags, ids, DESTROY, MAP/UNMAP/COPY,
 * IOVA_RANGES and ALLOW_IOVAS, with and without devices narrowing them.
 * The expected answers are the kernel's (measured on 6.12, listed in
 * docs/api.md under "What the kernel answers", and the 6.12 source).
 */
#include "sim_test.h"

struct fixture {
	struct iommufd_sim *sim;
	int ifd;
	uint32_t ioas;
	char *buf; /* 4 MiB, 2 MiB aligned */
	void *raw;
};

#define BUF_LEN (4 * SZ_2M)

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->sim = new_sim(NULL);
	f->ifd = open_iommufd(f->sim);
	f->ioas = ioas_alloc(f->sim, f->ifd);
	f->raw = test_buf(BUF_LEN + SZ_2M);
	f->buf = (char *)(((uintptr_t)f->raw + SZ_2M - 1) & ~(uintptr_t)(SZ_2M - 1));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	iommufd_sim_free(f->sim);
	free_buf(f->raw, BUF_LEN + SZ_2M);
	free(f);
	return 0;
}

static void test_struct_size_rules(void **state)
{
	struct fixture *f = *state;
	struct {
		struct iofd_ioas_map map;
		uint8_t extra[16];
	} big;
	struct iofd_ioas_alloc alloc = { .size = 8 };
	struct iofd_hwpt_alloc hwpt = { .size = 16 };

	/* smaller than the first version of the struct */
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOC, &alloc), -EINVAL);
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_HWPT_ALLOC, &hwpt), -EINVAL);
	/* larger, with a set byte the kernel does not know */
	memset(&big, 0, sizeof(big));
	big.map.size = sizeof(big);
	big.map.flags = IOFD_IOAS_MAP_READABLE;
	big.map.ioas_id = f->ioas;
	big.map.user_va = (uintptr_t)f->buf;
	big.map.length = SZ_4K;
	big.extra[5] = 1;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_MAP, &big), -E2BIG);
	/* larger but zero: fine, and the answer is written back */
	big.extra[5] = 0;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_MAP, &big), 0);
	assert_int_equal(big.map.iova, 0x1000);
	/* a NULL struct is a fault */
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOC, NULL), -EFAULT);
}

static void test_unknown_ioctls_flags_fds(void **state)
{
	struct fixture *f = *state;
	struct iofd_ioas_alloc alloc = { .size = sizeof(alloc), .flags = 1 };
	struct iofd_ioas_map map = { .size = sizeof(map), .ioas_id = f->ioas, .length = SZ_4K,
				     .user_va = (uintptr_t)f->buf };
	struct iofd_ioas_iova_ranges r = { .size = sizeof(r), .ioas_id = f->ioas, .reserved = 1 };
	uint32_t dummy[16] = { sizeof(dummy) };

	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOC, &alloc), -EOPNOTSUPP);
	map.flags = IOFD_IOAS_MAP_READABLE | (1u << 3);
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_MAP, &map), -EOPNOTSUPP);
	map.flags = IOFD_IOAS_MAP_READABLE;
	map.reserved = 1;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_MAP, &map), -EOPNOTSUPP);
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_IOVA_RANGES, &r), -EOPNOTSUPP);
	/* not an iommufd command of this kernel model, or a wrong encoding */
	assert_int_equal(t_ioctl(f->sim, f->ifd, _IO(';', 0x7f), dummy), -ENOTTY);
	assert_int_equal(t_ioctl(f->sim, f->ifd, _IO(';', 0xa0), dummy), -ENOTTY);
	assert_int_equal(t_ioctl(f->sim, f->ifd, _IOWR(';', 0x81, uint32_t), dummy), -ENOTTY);
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_VFIO_DEVICE_GET_INFO, dummy), -ENOTTY);
	/* a descriptor the simulator never gave out */
	assert_int_equal(t_ioctl(f->sim, 1000000, IOFD_IOAS_ALLOC, &alloc), -EBADF);
}

static void test_ids_and_destroy(void **state)
{
	struct fixture *f = *state;
	uint32_t a, b, c;
	uint64_t iova = 0;

	a = f->ioas;
	assert_int_equal(a, 1);
	b = ioas_alloc(f->sim, f->ifd);
	assert_int_equal(b, 2);
	assert_int_equal(destroy(f->sim, f->ifd, a), 0);
	assert_int_equal(destroy(f->sim, f->ifd, a), -ENOENT);
	assert_int_equal(destroy(f->sim, f->ifd, 0), -ENOENT);
	assert_int_equal(destroy(f->sim, f->ifd, 999), -ENOENT);
	/* the lowest free id is reused */
	c = ioas_alloc(f->sim, f->ifd);
	assert_int_equal(c, 1);
	/* a destroyed IOAS is gone for every command */
	assert_int_equal(destroy(f->sim, f->ifd, b), 0);
	assert_int_equal(map(f->sim, f->ifd, b, f->buf, SZ_4K, &iova, 0), -ENOENT);
	/* an IOAS with mappings can be destroyed: the mappings go with it */
	assert_int_equal(map(f->sim, f->ifd, c, f->buf, SZ_4K, &iova, 0), 0);
	assert_int_equal(destroy(f->sim, f->ifd, c), 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 0);
	f->ioas = ioas_alloc(f->sim, f->ifd);
}

static void test_map_measured_answers(void **state)
{
	struct fixture *f = *state;
	uint64_t iova = 0, un;

	/* kernel-chosen IOVA: 0x1000 on an empty IOAS, then the next free */
	assert_int_equal(map(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, &iova, 0), 0);
	assert_int_equal(iova, 0x1000);
	assert_int_equal(map(f->sim, f->ifd, f->ioas, f->buf + SZ_4K, SZ_4K, &iova, 0), 0);
	assert_int_equal(iova, 0x2000);
	/* any overlap, even of one byte */
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 0x2fff), -EEXIST);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 0x3000), 0);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 0x10, 0x2ff0), -EEXIST);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 3 * SZ_4K, 0), -EEXIST);
	/* length 0 */
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 0, 0x100000), -EINVAL);
	/* iova + length wraps */
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 2 * SZ_4K, UINT64_MAX - SZ_4K),
			 -EOVERFLOW);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, UINT64_MAX), -EOVERFLOW);
	/* neither readable nor writeable */
	iova = 0x100000;
	assert_int_equal(map(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, &iova,
			     IOFD_IOAS_MAP_FIXED_IOVA),
			 -EINVAL);
	/* without a device, no alignment: a byte-granular map is fine */
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf + 3, 5, 0x100003), 0);
	/* the chosen IOVA keeps the user address's offset within the page */
	iova = 0;
	assert_int_equal(map(f->sim, f->ifd, f->ioas, f->buf + 0x10, 0x100, &iova, 0), 0);
	assert_int_equal(iova & 0xfff, 0x10);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0, UINT64_MAX, &un), 0);
	assert_int_equal(un, 3 * SZ_4K + 5 + 0x100);
}

static void test_map_kernel_chosen_alignment(void **state)
{
	struct fixture *f = *state;
	uint64_t iova = 0, un;

	/* 2 MiB at a 2 MiB-aligned address: the IOVA is 2 MiB aligned (THP size) */
	assert_int_equal(map(f->sim, f->ifd, f->ioas, f->buf, SZ_2M, &iova, 0), 0);
	assert_int_equal(iova, SZ_2M);
	/* 8 KiB from a 4 KiB-aligned address: 4 KiB alignment, first hole */
	iova = 0;
	assert_int_equal(map(f->sim, f->ifd, f->ioas, f->buf + SZ_4K, 2 * SZ_4K, &iova, 0), 0);
	assert_int_equal(iova, 0x1000);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0, UINT64_MAX, &un), 0);
	assert_int_equal(un, SZ_2M + 2 * SZ_4K);
}

static void test_unmap_measured_answers(void **state)
{
	struct fixture *f = *state;
	uint64_t un = 0;

	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 2 * SZ_4K, 0x10000), 0);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 0x20000), 0);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 0x30000), 0);
	/* part of one mapping: it would split */
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0x10000, SZ_4K, NULL), -ENOENT);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0x11000, 2 * SZ_4K, NULL), -ENOENT);
	/* nothing mapped there */
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0x40000, SZ_4K, NULL), -ENOENT);
	/* length 0, wrap */
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0x10000, 0, NULL), -EINVAL);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0x10000, UINT64_MAX, NULL), -EOVERFLOW);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, UINT64_MAX - 1, 4, NULL), -EOVERFLOW);
	/* whole mappings with holes between: the bytes unmapped */
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0x10000, 0x20000 - 0x10000 + SZ_4K, &un), 0);
	assert_int_equal(un, 3 * SZ_4K);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0x10000, SZ_4K * 2, NULL), -ENOENT);
	/* all: fine, also a second time when nothing is left */
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0, UINT64_MAX, &un), 0);
	assert_int_equal(un, SZ_4K);
	un = 77;
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0, UINT64_MAX, &un), 0);
	assert_int_equal(un, 0);
	assert_int_equal(unmap(f->sim, f->ifd, 99, 0, UINT64_MAX, NULL), -ENOENT);
}

/* The kernel unmaps area by area: one reaching past the end stops it, after the earlier ones. */
static void test_unmap_stops_at_straddling_area(void **state)
{
	struct fixture *f = *state;
	uint64_t un;

	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 0x10000), 0);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 2 * SZ_4K, 0x20000), 0);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0x10000, 0x11000, NULL), -ENOENT);
	/* the first area went, the straddling one stayed */
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 0x10000), 0);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 0x21000), -EEXIST);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0, UINT64_MAX, &un), 0);
	assert_int_equal(un, 3 * SZ_4K);
}

static void test_iova_ranges(void **state)
{
	struct fixture *f = *state;
	struct iofd_iova_range r[4];
	struct iofd_ioas_iova_ranges cmd = { .size = sizeof(cmd), .ioas_id = f->ioas };
	uint64_t align = 0;
	uint32_t devid, pt;
	int dfd;

	/* no device: everything, alignment 1 */
	assert_int_equal(iova_ranges(f->sim, f->ifd, f->ioas, r, 4, &align), 1);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, UINT64_MAX);
	assert_int_equal(align, 1);
	/* too small a buffer: EMSGSIZE and the number needed */
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_IOVA_RANGES, &cmd), -EMSGSIZE);
	assert_int_equal(cmd.num_iovas, 1);
	/* a NULL array that must be written is a fault */
	cmd.num_iovas = 1;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_IOVA_RANGES, &cmd), -EFAULT);

	/* a 39-bit VT-d device narrows the aperture and reserves its MSI window */
	dfd = bind_dev(f->sim, f->ifd, CDEV_C, &devid);
	pt = f->ioas;
	assert_int_equal(attach(f->sim, dfd, &pt), 0);
	assert_int_equal(iova_ranges(f->sim, f->ifd, f->ioas, r, 4, &align), 2);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, 0xfedfffff);
	assert_int_equal(r[1].start, 0xfef00000);
	assert_int_equal(r[1].last, (1ull << 39) - 1);
	assert_int_equal(align, SZ_4K);
	memset(r, 0xaa, sizeof(r));
	assert_int_equal(iova_ranges(f->sim, f->ifd, f->ioas, r, 1, NULL), -EMSGSIZE);
	assert_int_equal(r[0].last, 0xfedfffff); /* what fits is written */
	assert_int_equal(r[1].start, 0xaaaaaaaaaaaaaaaaull);

	/* mapping into reserved IOVA fails, as does unaligned IOVA, length or address */
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 0xfee00000), -EINVAL);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 1ull << 39), -EINVAL);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 0x1800), -EINVAL);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 0x800, 0x1000), -EINVAL);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf + 8, SZ_4K, 0x1000), -EINVAL);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 0x1000), 0);

	/* detaching gives the range back (the automatic domain goes with its device) */
	assert_int_equal(detach(f->sim, dfd), 0);
	assert_int_equal(iova_ranges(f->sim, f->ifd, f->ioas, r, 4, &align), 1);
	assert_int_equal(align, 1);
	t_close(f->sim, dfd);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0, UINT64_MAX, NULL), 0);
}

static void test_allow_iovas(void **state)
{
	struct fixture *f = *state;
	struct iofd_iova_range allowed[2] = { { 0x40000000, 0x4fffffff }, { 0x10000, 0x1ffff } };
	struct iofd_ioas_allow_iovas cmd = { .size = sizeof(cmd), .ioas_id = f->ioas,
					     .num_iovas = 2, .allowed_iovas = (uintptr_t)allowed };
	uint64_t iova = 0;
	uint32_t devid, pt;
	int dfd;

	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOW_IOVAS, &cmd), 0);
	/* allocation comes from the allowed ranges, lowest first */
	assert_int_equal(map(f->sim, f->ifd, f->ioas, f->buf, 0x10000, &iova, 0), 0);
	assert_int_equal(iova, 0x10000);
	assert_int_equal(map(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, &iova, 0), 0);
	assert_int_equal(iova, 0x40000000);
	/* a fixed IOVA is not restricted by them */
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 0x90000000), 0);
	/* no room left in a full allowed range */
	allowed[0].start = 0x10000;
	allowed[0].last = 0x1ffff;
	cmd.num_iovas = 1;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOW_IOVAS, &cmd), 0);
	assert_int_equal(map(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, &iova, 0), -ENOSPC);

	/* bad ranges: empty or single-byte, overlapping, NULL */
	allowed[0].start = 0x2000;
	allowed[0].last = 0x2000;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOW_IOVAS, &cmd), -EINVAL);
	allowed[0].last = 0x5000;
	allowed[1].start = 0x4000;
	allowed[1].last = 0x9000;
	cmd.num_iovas = 2;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOW_IOVAS, &cmd), -EINVAL);
	cmd.allowed_iovas = 0;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOW_IOVAS, &cmd), -EFAULT);
	/* none: allocation anywhere again */
	cmd.num_iovas = 0;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOW_IOVAS, &cmd), 0);
	assert_int_equal(map(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, &iova, 0), 0);
	assert_int_equal(iova, 0x1000);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0, UINT64_MAX, NULL), 0);

	/* allowed IOVA that a device reserves: refused either way round */
	allowed[0].start = 0xfe000000;
	allowed[0].last = 0xfeffffff;
	cmd.num_iovas = 1;
	cmd.allowed_iovas = (uintptr_t)allowed;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOW_IOVAS, &cmd), 0);
	dfd = bind_dev(f->sim, f->ifd, CDEV_A, &devid);
	pt = f->ioas;
	assert_int_equal(attach(f->sim, dfd, &pt), -EADDRINUSE);
	cmd.num_iovas = 0;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOW_IOVAS, &cmd), 0);
	pt = f->ioas;
	assert_int_equal(attach(f->sim, dfd, &pt), 0);
	cmd.num_iovas = 1;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_ALLOW_IOVAS, &cmd), -EADDRINUSE);
	t_close(f->sim, dfd);
}

static void test_copy(void **state)
{
	struct fixture *f = *state;
	uint32_t dst = ioas_alloc(f->sim, f->ifd);
	struct iofd_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = IOFD_IOAS_MAP_READABLE | IOFD_IOAS_MAP_WRITEABLE,
		.dst_ioas_id = dst,
		.src_ioas_id = f->ioas,
		.length = 2 * SZ_4K,
		.src_iova = 0x11000,
	};
	uint64_t un;

	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 2 * SZ_4K, 0x10000), 0);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf + 2 * SZ_4K, 2 * SZ_4K,
				   0x12000),
			 0);
	/* a range across two contiguous areas, at a kernel-chosen IOVA */
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_COPY, &cmd), 0);
	assert_int_equal(cmd.dst_iova, 0x1000);
	/* it became two areas: unmapping one alone works */
	assert_int_equal(unmap(f->sim, f->ifd, dst, 0x1000, SZ_4K, &un), 0);
	assert_int_equal(un, SZ_4K);
	/* a fixed destination that overlaps */
	cmd.flags |= IOFD_IOAS_MAP_FIXED_IOVA;
	cmd.dst_iova = 0x2000;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_COPY, &cmd), -EEXIST);
	/* the source must be mapped throughout */
	cmd.src_iova = 0x13000;
	cmd.dst_iova = 0x100000;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_COPY, &cmd), -ENOENT);
	cmd.src_iova = 0x11000;
	cmd.length = 0;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_COPY, &cmd), -EINVAL);
	cmd.length = SZ_4K;
	cmd.src_ioas_id = 77;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_COPY, &cmd), -ENOENT);
	cmd.src_ioas_id = f->ioas;
	cmd.dst_ioas_id = 77;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_COPY, &cmd), -ENOENT);
	cmd.dst_ioas_id = dst;
	cmd.flags = IOFD_IOAS_MAP_FIXED_IOVA;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_COPY, &cmd), -EINVAL);
	cmd.flags = 1u << 5;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_COPY, &cmd), -EOPNOTSUPP);

	/* read-only pages cannot be copied writeable */
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0, UINT64_MAX, NULL), 0);
	{
		uint64_t iova = 0x10000;

		assert_int_equal(map(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, &iova,
				     IOFD_IOAS_MAP_FIXED_IOVA | IOFD_IOAS_MAP_READABLE),
				 0);
	}
	cmd.src_iova = 0x10000;
	cmd.dst_iova = 0x200000;
	cmd.flags = IOFD_IOAS_MAP_FIXED_IOVA | IOFD_IOAS_MAP_READABLE | IOFD_IOAS_MAP_WRITEABLE;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_COPY, &cmd), -EPERM);
	cmd.flags = IOFD_IOAS_MAP_FIXED_IOVA | IOFD_IOAS_MAP_READABLE;
	assert_int_equal(t_ioctl(f->sim, f->ifd, IOFD_IOAS_COPY, &cmd), 0);
	assert_int_equal(destroy(f->sim, f->ifd, dst), 0);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0, UINT64_MAX, NULL), 0);
}

/* With a domain, mapping pins the pages: memory that is not there faults. */
static void test_pinning(void **state)
{
	struct fixture *f = *state;
	void *gone = test_buf(SZ_4K);
	uint32_t devid, pt = f->ioas;
	uint64_t iova;
	int dfd;

	free_buf(gone, SZ_4K);
	/* no domain yet: mapping is lazy and succeeds */
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, gone, SZ_4K, 0x10000), 0);
	dfd = bind_dev(f->sim, f->ifd, CDEV_A, &devid);
	/* the new domain is filled from it: the attach faults */
	assert_int_equal(attach(f->sim, dfd, &pt), -EFAULT);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0, UINT64_MAX, NULL), 0);
	/* an unaligned mapping blocks a page-aligned domain */
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, 0x800, 0x10000), 0);
	pt = f->ioas;
	assert_int_equal(attach(f->sim, dfd, &pt), -EADDRINUSE);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0, UINT64_MAX, NULL), 0);
	/* with the domain there, mapping absent memory faults at once */
	pt = f->ioas;
	assert_int_equal(attach(f->sim, dfd, &pt), 0);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, gone, SZ_4K, 0x10000), -EFAULT);
	iova = 0x10000;
	assert_int_equal(map(f->sim, f->ifd, f->ioas, NULL, SZ_4K, &iova, 0), -EFAULT);
	/* an area above the aperture blocks a narrower device */
	t_close(f->sim, dfd);
	assert_int_equal(map_fixed(f->sim, f->ifd, f->ioas, f->buf, SZ_4K, 1ull << 40), 0);
	dfd = bind_dev(f->sim, f->ifd, CDEV_C, &devid);
	pt = f->ioas;
	assert_int_equal(attach(f->sim, dfd, &pt), -EADDRINUSE);
	t_close(f->sim, dfd);
	assert_int_equal(unmap(f->sim, f->ifd, f->ioas, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_struct_size_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_ioctls_flags_fds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids_and_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_measured_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_kernel_chosen_alignment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_measured_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_stops_at_straddling_area, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iova_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allow_iovas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pinning, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
