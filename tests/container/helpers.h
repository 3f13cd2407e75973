/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared set-up for the container tests: a simulated host, its devices, mapped memory. */
#ifndef TESTS_CONTAINER_HELPERS_H
#define TESTS_CONTAINER_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <iommufd/iommufd.h>

/*
 * The seed's scenario: two VT-d units, one without dirty tracking, an SMMUv3
 * (another driver: never shares a domain with VT-d), and an mdev.
 */
#define DEV_A0 "0000:3b:00.0" /* dmar0, dirty tracking */
#define DEV_A1 "0000:3b:00.1" /* dmar0 */
#define DEV_B0 "0000:5e:00.0" /* dmar1, no dirty tracking */
#define DEV_B1 "0000:5e:00.1" /* dmar1 */
#define DEV_S0 "0000:80:00.0" /* smmu0, dirty tracking, refuses NEST_PARENT with it */
#define DEV_M0 "mdev0"        /* emulated */
#define NDEVS 6
extern const char *const dev_names[NDEVS];
extern const char topology_json[];

#define PAGE 4096ULL
#define MEM_IOVA 0x40000000ULL /* where the tests map their memory */
#define MEM_LEN (16ULL << 20)

struct fx {
	struct iommufd_sim *sim;
	struct iommufd_ctx *ctx;
	struct iommufd_container *c;
	struct iommufd_device *dev[NDEVS]; /* indexed like dev_names */
	void *mem;                          /* MEM_LEN bytes of anonymous memory */
	long base_objects;                  /* live objects with devices bound, no container */
};

/* Sim, context, every device opened; container made with flags (no container if flags < 0). */
void fx_init(struct fx *f, long container_flags);
void fx_fini(struct fx *f);
int fx_index(const char *name);
struct iommufd_device *fx_dev(struct fx *f, const char *name);
void fx_attach(struct fx *f, const char *name);
/* Map MEM_LEN of f->mem at MEM_IOVA. */
void fx_map(struct fx *f);

/*
 * The grouping of the attached devices, independent of hwpt ids:
 * "<device>=<first device of its group>/<domain flags or ioas>" joined by ';'.
 */
void fx_layout(struct fx *f, char *buf, size_t size);

/* What a failed call must leave as it found. */
struct fx_state {
	long live_objects;
	uint32_t pt_id[NDEVS];
	struct iommufd_domain_info domains[16];
	int ndomains;
	int dirty_ret;             /* read_dirty(NO_CLEAR) over the memory: count or -errno */
	uint64_t dirty[MEM_LEN / PAGE / 64];
	size_t nmaps;
	uint64_t map_iova[8], map_last[8];
	bool tracking;
	int status;
	/* the kernel's own view: every HWPT and whether it tracks dirty pages */
	unsigned nhwpts;
	uint32_t hwpt_id[16];
	bool hwpt_tracking[16];
};
void fx_snapshot(struct fx *f, struct fx_state *s);
void fx_assert_same(const struct fx_state *a, const struct fx_state *b);

/* Dirty pages (bit per 4 KiB page of the memory window) read with flags; returns the count. */
int fx_read(struct fx *f, uint64_t *bm, uint32_t flags);
bool bit(const uint64_t *bm, uint64_t i);

/* Rounds of a race test: IOMMUFD_TEST_ROUNDS when set (to run one many times), else dflt. */
int fx_rounds(int dflt);

#endif
