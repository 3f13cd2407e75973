// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Soak on the real kernel (machine B, the kernel's selftest mock devices): many
 * cycles of open, attach, map, track, dirty, read, unmap, detach, free, with
 * three containers at once on one context (dirty tracking; dirty tracking and
 * nest parent; plain), each with a mock device of each kind. The teardown order
 * turns over from cycle to cycle: detach then free; free with the devices still
 * attached; close the devices first. Every cycle checks the dirty bits read.
 *
 * Afterwards the kernel holds no object of ours: IOMMU_DESTROY, sent raw on the
 * context's fd, answers ENOENT for every id the soak saw (devices, IOASes,
 * domains) and for every id up to well past the highest, which covers the ids
 * the library keeps to itself (a mock device's selftest object and parking
 * IOAS; the kernel hands ids out lowest free first). And the process has as
 * many file descriptors open as before.
 *
 * VMTEST_SOAK_CYCLES sets the number of cycles (default 1000); on the host,
 * VMTEST_SOAK_CYCLES=N meson test --suite vm passes it into the VM.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "guest_common.h"
#include "uapi/iommufd_abi.h"

#define SOAK_DEFAULT_CYCLES 1000
/* The case's own time limit (init.sh gives the program 600 s). */
#define SOAK_ALARM_S 560
#define NCONT 3
#define MAX_ID 65536
#define WIN (16 * SZ_4K)

static const struct {
	uint32_t flags;
	const char *devs[2];
	bool covered[2]; /* the device's writes are tracked */
} conts[NCONT] = {
	{ IOMMUFD_CONTAINER_DIRTY_TRACKING, { "selftest", "selftest:no-dirty" }, { true, false } },
	{ IOMMUFD_CONTAINER_DIRTY_TRACKING | IOMMUFD_CONTAINER_NEST_PARENT,
	  { "selftest", "selftest" },
	  { true, true } },
	{ 0, { "selftest:no-dirty", "selftest" }, { false, false } },
};

static bool seen[MAX_ID];
static uint32_t max_seen;

static void saw(uint32_t id)
{
	vt_assert(id > 0 && id < MAX_ID);
	seen[id] = true;
	if (id > max_seen)
		max_seen = id;
}

static int count_fds(void)
{
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	vt_assert(d != NULL);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own */
}

static unsigned soak_cycles(void)
{
	const char *env = getenv("VMTEST_SOAK_CYCLES");
	char *end;
	unsigned long n;

	if (!env || !*env)
		return SOAK_DEFAULT_CYCLES;
	n = strtoul(env, &end, 10);
	if (*end || !n || n > 10000000)
		vt_fail(__FILE__, __LINE__, "VMTEST_SOAK_CYCLES=%s: want a count from 1", env);
	return (unsigned)n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The pages written must be read (on 7.x with neighbours that share a page table
 * entry, vm_assert_dirty), the same again by a clearing read, then nothing.
 */
static void expect_bits(struct iommufd_ctx *ctx, struct iommufd_container *c, uint64_t want,
			unsigned cycle, int ci)
{
	IOMMUFD_OPTS(iommufd_read_dirty_opts, noclear, .flags = IOMMUFD_DIRTY_NO_CLEAR);
	uint64_t bm = 0, again = 0;
	int n;

	n = iommufd_container_read_dirty_bitmap(c, MOCK_START, WIN, SZ_4K, &bm, sizeof(bm),
						&noclear);
	if (n != __builtin_popcountll(bm) || (bm & want) != want)
		vt_fail(__FILE__, __LINE__, "cycle %u container %d: read %d pages 0x%llx, wrote 0x%llx",
			cycle, ci, n, (unsigned long long)bm, (unsigned long long)want);
	vm_assert_dirty(bm, want, MOCK_START, SZ_4K);
	vm_expect(ctx, iommufd_container_read_dirty(c, MOCK_START, WIN, SZ_4K, &again, 0), n);
	vt_assert_u64_eq(again, bm);
	again = 0;
	vm_expect(ctx, iommufd_container_read_dirty(c, MOCK_START, WIN, SZ_4K, &again, 0), 0);
}

static void cycle_once(struct iommufd_ctx *ctx, void *buf, unsigned cycle)
{
	struct iommufd_container *c[NCONT];
	struct iommufd_device *dev[NCONT][2];
	struct iommufd_domain_info dom[8];
	unsigned p = cycle % 16, q = (cycle * 7 + 3) % 16;
	int ci, k, n, i;

	for (ci = 0; ci < NCONT; ci++) {
		vm_expect(ctx, iommufd_container_new(ctx, conts[ci].flags, &c[ci]), 0);
		saw(iommufd_container_ioas_id(c[ci]));
		for (k = 0; k < 2; k++) {
			dev[ci][k] = vm_open(ctx, conts[ci].devs[k]);
			saw(iommufd_device_id(dev[ci][k]));
		}
	}
	for (ci = 0; ci < NCONT; ci++) {
		vm_expect(ctx, iommufd_container_map(c[ci], buf, MOCK_START, WIN, false), 0);
		for (k = 0; k < 2; k++) {
			vm_expect(ctx, iommufd_container_attach(c[ci], dev[ci][k]), 0);
			saw(iommufd_device_pt_id(dev[ci][k]));
		}
		n = vt_ok(iommufd_container_domains(c[ci], dom, 8));
		for (i = 0; i < n; i++)
			saw(dom[i].hwpt_id);
		if (conts[ci].flags & IOMMUFD_CONTAINER_DIRTY_TRACKING)
			vm_expect(ctx, iommufd_container_set_dirty_tracking(c[ci], true), 0);
	}
	/* A mock device writes 2 KiB IO pages: 2 per 4 KiB page. */
	for (ci = 0; ci < NCONT; ci++) {
		uint64_t want = 0;

		for (k = 0; k < 2; k++) {
			unsigned pg = k ? q : p;

			if (!conts[ci].covered[k])
				continue;
			vm_expect(ctx, iommufd_selftest_dirty(dev[ci][k], MOCK_START + pg * SZ_4K,
							      SZ_4K),
				  2);
			want |= 1ull << pg;
		}
		if (conts[ci].flags & IOMMUFD_CONTAINER_DIRTY_TRACKING)
			expect_bits(ctx, c[ci], want, cycle, ci);
	}

	switch (cycle % 3) {
	case 0: /* the order a VMM keeps: unmap, detach, free, close */
		for (ci = 0; ci < NCONT; ci++) {
			vm_expect(ctx, iommufd_container_unmap(c[ci], MOCK_START, WIN), 0);
			for (k = 0; k < 2; k++)
				vm_expect(ctx, iommufd_container_detach(c[ci], dev[ci][k]), 0);
			iommufd_container_free(c[ci]);
			for (k = 0; k < 2; k++)
				iommufd_device_close(dev[ci][k]);
		}
		break;
	case 1: /* free with everything still in: stop, unmap all, detach are its job */
		for (ci = 0; ci < NCONT; ci++) {
			iommufd_container_free(c[ci]);
			for (k = 0; k < 2; k++) {
				vt_assert_int_eq(iommufd_device_pt_id(dev[ci][k]), 0);
				iommufd_device_close(dev[ci][k]);
			}
		}
		break;
	default: /* devices closed first: each leaves its container as it goes */
		for (ci = 0; ci < NCONT; ci++) {
			for (k = 0; k < 2; k++)
				iommufd_device_close(dev[ci][k]);
			n = vt_ok(iommufd_container_domains(c[ci], dom, 8));
			vt_assert_int_eq(n, 0);
			iommufd_container_free(c[ci]);
		}
		break;
	}
}

static void b_soak(void)
{
	unsigned cycles = soak_cycles(), i;
	struct iommufd_ctx *ctx;
	int fds_before, fd, gone = 0;
	double t0, took;
	void *buf;
	uint32_t id;

	if (!vm_is_b())
		vt_skip("selftest devices need machine B");
	/* Longer than a case's usual limit, within the program's. */
	alarm(SOAK_ALARM_S);
	buf = vm_buf(WIN);
	fds_before = count_fds();
	ctx = vm_ctx();
	fd = iommufd_fd(ctx);

	t0 = now_s();
	for (i = 0; i < cycles; i++)
		cycle_once(ctx, buf, i);
	took = now_s() - t0;
	vt_note("%u cycles in %.1f s (%.1f s per 1000), ids up to %u", cycles, took,
		took * 1000 / cycles, max_seen);

	/* Every id seen, and all ids up to well past the highest: nothing of ours is left. */
	for (id = 1; id <= 2 * max_seen + 64 && id < MAX_ID; id++) {
		struct iofd_destroy d = { .size = sizeof(d), .id = id };
		int ret = ioctl(fd, IOFD_DESTROY, &d);

		if (ret == 0 || errno != ENOENT)
			vt_fail(__FILE__, __LINE__, "IOMMU_DESTROY of id %u%s: %s", id,
				seen[id] ? " (an id the soak saw)" : "",
				ret == 0 ? "destroyed it: it was still there" : strerror(errno));
		gone += seen[id];
	}
	vt_note("IOMMU_DESTROY: ENOENT for all %u ids seen and all up to %u", gone,
		2 * max_seen + 64);
	vt_assert_int_eq(count_fds(), fds_before + 1);
	iommufd_close(ctx);
	vt_assert_int_eq(count_fds(), fds_before);
	munmap(buf, WIN);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
		VT_CASE(b_soak),
	};

	return vt_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
