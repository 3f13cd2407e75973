// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What each container call costs in kernel calls, against the minimal raw
 * sequence doing the same work (the goals bench/bench_cost.c times):
 *   map: IOAS_MAP alone; a refused one then reads the allowed ranges to say why;
 *   unmap while tracking: one NO_CLEAR read per tracking domain, then IOAS_UNMAP,
 *     however large the carried-over set;
 *   read_dirty: one clearing read per tracking domain;
 *   attach: GET_HW_INFO once per device, never again; a domain the kernel's
 *     rules say refuses the device is not asked (16 SMMUv3 instances: none).
 * Counted from the trace lines, one per kernel call.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "helpers.h"

struct calls {
	unsigned total;
	unsigned hw_info, map, unmap, ranges, read, read_clear, attach, refused, alloc;
};

static void count_call(void *arg, int level, const char *msg)
{
	struct calls *n = arg;

	/* "sim <COMMAND> ... = <ret>" */
	if (level != IOMMUFD_LOG_TRACE || strncmp(msg, "sim ", 4) || !strstr(msg, " = "))
		return;
	if (!strncmp(msg + 4, "open ", 5) || !strncmp(msg + 4, "close ", 6))
		return;
	n->total++;
	n->hw_info += !strncmp(msg + 4, "GET_HW_INFO ", 12);
	n->map += !strncmp(msg + 4, "IOAS_MAP ", 9);
	n->unmap += !strncmp(msg + 4, "IOAS_UNMAP ", 11);
	n->ranges += !strncmp(msg + 4, "IOAS_IOVA_RANGES ", 17);
	n->alloc += !strncmp(msg + 4, "HWPT_ALLOC ", 11);
	if (!strncmp(msg + 4, "HWPT_GET_DIRTY_BITMAP ", 22)) {
		n->read++;
		n->read_clear += strstr(msg, "flags=0x0") != NULL;
	}
	if (!strncmp(msg + 4, "VFIO_ATTACH_IOMMUFD_PT ", 23)) {
		n->attach++;
		n->refused += strstr(msg, "= -22") != NULL;
	}
}

static void counting(struct iommufd_ctx *ctx, struct calls *n)
{
	memset(n, 0, sizeof(*n));
	iommufd_set_log(ctx, count_call, n);
}

static void not_counting(struct iommufd_ctx *ctx)
{
	iommufd_set_log(ctx, NULL, NULL);
}

/* Tracking domains for dmar0 and smmu0 (and a plain one), the memory mapped. */
static void two_tracking_domains(struct fx *f)
{
	fx_init(f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_attach(f, DEV_A0);
	fx_attach(f, DEV_S0);
	fx_attach(f, DEV_B0);
	assert_int_equal(iommufd_container_map(f->c, f->mem, MEM_IOVA, MEM_LEN / 2, false), 0);
	assert_int_equal(iommufd_container_set_dirty_tracking(f->c, true), 0);
}

static void map_is_one_kernel_call(void **state)
{
	struct calls n;
	struct fx f;

	two_tracking_domains(&f);
	counting(f.ctx, &n);
	assert_int_equal(iommufd_container_map(f.c, (char *)f.mem + MEM_LEN / 2,
					       MEM_IOVA + MEM_LEN / 2, MEM_LEN / 4, false),
			 0);
	assert_int_equal(n.total, 1);
	assert_int_equal(n.map, 1);
	not_counting(f.ctx);
	fx_fini(&f);

	/* and unmap, with no domain tracking, one too */
	fx_init(&f, 0);
	fx_attach(&f, DEV_A0);
	fx_map(&f);
	counting(f.ctx, &n);
	assert_int_equal(iommufd_container_unmap(f.c, MEM_IOVA, MEM_LEN), 0);
	assert_int_equal(n.total, 1);
	assert_int_equal(n.unmap, 1);
	not_counting(f.ctx);
	fx_fini(&f);
}

/* The kernel checks the allowed ranges; only after it refuses are they read, to say why. */
static void a_refused_map_reads_the_ranges_after(void **state)
{
	struct calls n;
	struct fx f;

	fx_init(&f, 0);
	fx_attach(&f, DEV_A0);
	counting(f.ctx, &n);
	assert_int_equal(iommufd_container_map(f.c, f.mem, 0xfee00000ULL - PAGE, 2 * PAGE, false),
			 -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "outside the allowed IOVA ranges"));
	assert_int_equal(n.map, 1);
	assert_int_equal(n.ranges, 1);
	assert_int_equal(n.total, 2);
	/* other failures are the kernel's own: passed on, nothing more asked */
	counting(f.ctx, &n);
	assert_int_equal(iommufd_sim_fail_nth(f.sim, 1, ENOMEM), 0);
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA, PAGE, false), -ENOMEM);
	assert_int_equal(n.total, 1);
	/* a tracking container's 4 KiB rule costs no kernel call */
	fx_fini(&f);
	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	counting(f.ctx, &n);
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA + 0x800, PAGE, false), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "aligned to 0x1000"));
	assert_int_equal(n.total, 0);
	not_counting(f.ctx);
	fx_fini(&f);
}

/* Every other page of a 1 MiB mapping dirty, then unmapped: 128 carried intervals per round. */
static void carry_many(struct fx *f, unsigned rounds)
{
	const uint64_t len = 1 << 20;
	unsigned r, i;

	for (r = 0; r < rounds; r++) {
		uint64_t at = MEM_IOVA + MEM_LEN / 2 + r * len;

		assert_int_equal(iommufd_container_map(f->c, (char *)f->mem + MEM_LEN / 2, at, len,
						       false),
				 0);
		for (i = 0; i < len / PAGE; i += 2)
			assert_int_equal(iommufd_sim_dma_write(f->sim, DEV_A0, at + i * PAGE, PAGE),
					 0);
		assert_int_equal(iommufd_container_unmap(f->c, at, len), 0);
	}
}

static void unmap_while_tracking_is_a_read_per_domain_and_the_unmap(void **state)
{
	struct calls n;
	struct fx f;

	two_tracking_domains(&f);
	counting(f.ctx, &n);
	assert_int_equal(iommufd_container_unmap(f.c, MEM_IOVA, MEM_LEN / 2), 0);
	assert_int_equal(n.read, 2);
	assert_int_equal(n.read_clear, 0);
	assert_int_equal(n.unmap, 1);
	assert_int_equal(n.total, 3);

	/* the same with 1024 intervals carried over */
	not_counting(f.ctx);
	carry_many(&f, 8);
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA, MEM_LEN / 2, false), 0);
	counting(f.ctx, &n);
	assert_int_equal(iommufd_container_unmap(f.c, MEM_IOVA, MEM_LEN / 2), 0);
	assert_int_equal(n.total, 3);
	not_counting(f.ctx);
	/* nothing lost: every page written is reported */
	{
		static uint64_t bm[(8 << 20) / PAGE / 64];
		const uint64_t at = MEM_IOVA + MEM_LEN / 2;

		assert_int_equal(iommufd_container_read_dirty(f.c, at, 8 << 20, PAGE, bm, 0), 1024);
	}
	fx_fini(&f);
}

static void read_dirty_is_one_clearing_read_per_domain(void **state)
{
	static uint64_t bm[MEM_LEN / PAGE / 64];
	struct calls n;
	struct fx f;

	two_tracking_domains(&f);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_S0, MEM_IOVA + 5 * PAGE, PAGE), 0);
	fx_read(&f, bm, 0);
	counting(f.ctx, &n);
	assert_int_equal(fx_read(&f, bm, 0), 0);
	assert_int_equal(n.read, 2);
	assert_int_equal(n.read_clear, 2);
	assert_int_equal(n.total, 2);
	counting(f.ctx, &n);
	assert_int_equal(fx_read(&f, bm, IOMMUFD_DIRTY_NO_CLEAR), 0);
	assert_int_equal(n.read, 2);
	assert_int_equal(n.total, 2);
	not_counting(f.ctx);
	fx_fini(&f);
}

static void attach_of_a_known_device_asks_no_hw_info(void **state)
{
	struct iommufd_container *other;
	struct calls n;
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_attach(&f, DEV_A1);
	counting(f.ctx, &n);
	fx_attach(&f, DEV_A0);
	assert_int_equal(n.hw_info, 1);
	assert_int_equal(iommufd_container_detach(f.c, fx_dev(&f, DEV_A0)), 0);
	/* joining again: the attach alone, as the raw call would */
	counting(f.ctx, &n);
	fx_attach(&f, DEV_A0);
	assert_int_equal(n.hw_info, 0);
	assert_int_equal(n.attach, 1);
	assert_int_equal(n.total, 1);
	/* another container: still known */
	assert_int_equal(iommufd_container_detach(f.c, fx_dev(&f, DEV_A0)), 0);
	assert_int_equal(iommufd_container_new(f.ctx, 0, &other), 0);
	counting(f.ctx, &n);
	assert_int_equal(iommufd_container_attach(other, fx_dev(&f, DEV_A0)), 0);
	assert_int_equal(n.hw_info, 0);
	/* an emulated device asks nothing at all */
	counting(f.ctx, &n);
	fx_attach(&f, DEV_M0);
	assert_int_equal(n.hw_info, 0);
	not_counting(f.ctx);
	iommufd_container_free(other);
	fx_fini(&f);
}

/* 16 ARM SMMUv3 instances, two devices each: an SMMUv3 domain belongs to one instance. */
static void sixteen_smmus_no_refused_attach(void **state)
{
	struct iommufd_device *dev[32];
	struct iommufd_container *c;
	struct iommufd_ctx *ctx;
	struct iommufd_sim *sim;
	char topo[8192], name[32];
	size_t len = 0;
	struct calls n;
	int i;

	len += snprintf(topo + len, sizeof(topo) - len, "{ \"iommus\": [");
	for (i = 0; i < 16; i++)
		len += snprintf(topo + len, sizeof(topo) - len,
				"%s{ \"name\": \"smmu%d\", \"driver\": \"arm-smmu-v3\", "
				"\"dirty_tracking\": true }",
				i ? "," : "", i);
	len += snprintf(topo + len, sizeof(topo) - len, "], \"devices\": [");
	for (i = 0; i < 32; i++)
		len += snprintf(topo + len, sizeof(topo) - len,
				"%s{ \"name\": \"dev%d\", \"iommu\": \"smmu%d\" }", i ? "," : "", i,
				i % 16);
	snprintf(topo + len, sizeof(topo) - len, "] }");
	assert_int_equal(iommufd_sim_new(topo, &sim), 0);
	assert_int_equal(iommufd_sim_open(sim, &ctx), 0);
	assert_int_equal(iommufd_container_new(ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING, &c), 0);
	for (i = 0; i < 32; i++) {
		snprintf(name, sizeof(name), "dev%d", i);
		assert_int_equal(iommufd_device_open(ctx, name, &dev[i]), 0);
		counting(ctx, &n);
		assert_int_equal(iommufd_container_attach(c, dev[i]), 0);
		assert_int_equal(n.refused, 0);
		assert_int_equal(n.hw_info, 1);
		/* a domain of its own (alloc, attach), or its instance's (attach) */
		assert_int_equal(n.alloc, i < 16);
		assert_int_equal(n.attach, 1);
	}
	not_counting(ctx);
	assert_int_equal(iommufd_container_domains(c, NULL, 0), 16);
	iommufd_container_free(c);
	for (i = 0; i < 32; i++)
		iommufd_device_close(dev[i]);
	iommufd_close(ctx);
	iommufd_sim_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(map_is_one_kernel_call),
		cmocka_unit_test(a_refused_map_reads_the_ranges_after),
		cmocka_unit_test(unmap_while_tracking_is_a_read_per_domain_and_the_unmap),
		cmocka_unit_test(read_dirty_is_one_clearing_read_per_domain),
		cmocka_unit_test(attach_of_a_known_device_asks_no_hw_info),
		cmocka_unit_test(sixteen_smmus_no_refused_attach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
