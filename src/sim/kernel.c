// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Which kernel the simulator imitates (the topology's "kernel" key, default
 * the newest it knows) and what differs between them, measured on the VM
 * tier's kernels (docs/kernels.md):
 *  - 6.12 makes no selftest mock device where an Intel IOMMU is active, 7.x
 *    does: a 6.12 topology cannot hold both;
 *  - the selftest mock's dirty bits: per 2 KiB IO page on 6.12; on 7.x per
 *    entry of its page table (the generic one, AMD v1 format): a write dirties
 *    the whole entry, and a read reports it whole at any page size.
 */
#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>

#include "sim/sim_internal.h"
#include "uapi/iommufd_abi.h"
#include "uapi/selftest_abi.h"

static const struct {
	const char *name;
	unsigned int version;
} sim_kernels[] = {
	{ "6.12", 612 },
	{ "7.3", 703 },
};

int sim_kernel_parse(const char *text, unsigned int *version, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < sizeof(sim_kernels) / sizeof(sim_kernels[0]); i++) {
		if (!strcmp(text, sim_kernels[i].name)) {
			*version = sim_kernels[i].version;
			return 0;
		}
	}
	snprintf(err, errlen, "topology.kernel: unknown kernel \"%s\" (known: 6.12, 7.3)",
		 text);
	return -EINVAL;
}

const char *sim_kernel_name(unsigned int version)
{
	size_t i;

	for (i = 0; i < sizeof(sim_kernels) / sizeof(sim_kernels[0]); i++)
		if (sim_kernels[i].version == version)
			return sim_kernels[i].name;
	return "?";
}

int sim_kernel_check(const struct sim_topology *topo, char *err, size_t errlen)
{
	bool vtd = false, mock = false;
	unsigned int i;

	if (topo->kernel >= 700)
		return 0;
	for (i = 0; i < topo->niommus; i++) {
		vtd |= topo->iommus[i].kind == SIM_DRV_INTEL_VTD;
		mock |= topo->iommus[i].kind == SIM_DRV_SELFTEST;
	}
	if (vtd && mock) {
		snprintf(err, errlen, "topology: kernel %s makes no selftest mock device beside an "
			 "Intel IOMMU (7.x does)", sim_kernel_name(topo->kernel));
		return -EINVAL;
	}
	return 0;
}

static unsigned int kernel_of(const struct sim_hwpt *hwpt)
{
	return hwpt->obj.ictx->sim->topo.kernel;
}

bool sim_kernel_dirty_per_entry(const struct sim_hwpt *hwpt)
{
	return kernel_of(hwpt) >= 700 && hwpt->iommu->kind == SIM_DRV_SELFTEST;
}

/* Is the area's memory made of huge pages (hugetlb)? Asked once per area, then kept. */
static bool huge_backed(const struct sim_area *ca)
{
	struct sim_area *a = (struct sim_area *)ca; /* only its cache of the answer changes */
	struct statfs fs;

	if (!a->backing) {
		if (a->file >= 0)
			a->backing = !fstatfs(a->file, &fs) && fs.f_type == HUGETLBFS_MAGIC ? 2 : 1;
		else
			a->backing = sim_user_huge(a->uva) ? 2 : 1;
	}
	return a->backing == 2;
}

/*
 * The page table entry that maps iova (a mock IO page) in area a, as far as
 * it is certain: a CPU page (4 KiB) whose IOVA is 4 KiB aligned and that the
 * area maps whole is one entry; anything else is a 2 KiB entry. Larger
 * entries arise where pinned pages happen to be physically contiguous, which
 * no model can know: the kernel then reports more pages than written (tests
 * hold it to the guarantee that every page written is reported). The 7.x
 * mock's huge page table (MOCK_IOMMUPT_HUGE) maps each whole, equally aligned
 * MiB of a huge page with one 1 MiB entry.
 */
static void entry_of(const struct sim_hwpt *hwpt, const struct sim_area *a, uint64_t iova,
		     uint64_t *first, uint64_t *last)
{
	const uint64_t cpu = SIM_PAGE_SIZE, io = SIM_PAGE_SIZE / 2;
	const uint64_t huge = IOFD_MOCK_HUGE_PAGE_SIZE;
	uint64_t start = iova & ~(cpu - 1);

	if (hwpt->mock_huge && !((a->iova - a->uva) & (huge - 1)) &&
	    (iova & ~(huge - 1)) >= a->iova && (iova & ~(huge - 1)) + huge - 1 <= a->last &&
	    huge_backed(a)) {
		*first = iova & ~(huge - 1);
		*last = *first + huge - 1;
		return;
	}

	if (!((a->iova - a->uva) & (cpu - 1)) && start >= a->iova && start + cpu - 1 <= a->last) {
		*first = start;
		*last = start + cpu - 1;
	} else {
		*first = iova & ~(io - 1);
		*last = *first + io - 1;
	}
}

int sim_kernel_dirty_write(struct sim_hwpt *hwpt, const struct sim_area *a, uint64_t s,
			   uint64_t e)
{
	uint64_t first, last, x;

	/* the whole entry of the first and of the last IO page written */
	entry_of(hwpt, a, s, &first, &x);
	entry_of(hwpt, a, e, &x, &last);
	return sim_rangeset_add(&hwpt->dirty, first >> hwpt->io_page_shift,
				last >> hwpt->io_page_shift);
}

static bool dirty_at(const struct sim_rangeset *rs, uint64_t x)
{
	size_t i = sim_rangeset_lower(rs, x);

	return i < rs->n && rs->r[i].first <= x;
}

int sim_kernel_read_and_clear(struct sim_hwpt *hwpt, const struct iofd_hwpt_get_dirty_bitmap *cmd,
			      struct sim_user_bitmap *ub, const struct sim_area *a, uint64_t start,
			      uint64_t last)
{
	const unsigned int io = hwpt->io_page_shift;
	const unsigned int shift = __builtin_ctzll(cmd->page_size);
	const uint64_t cmd_last = cmd->iova + cmd->length - 1;
	/* the last bit the kernel may set: the end of the word holding the read's last bit */
	const uint64_t bit_cap = (((cmd_last - cmd->iova) >> shift) | 63);
	bool clear = !(cmd->flags & IOFD_HWPT_GET_DIRTY_BITMAP_NO_CLEAR);
	uint64_t iova, first, elast;

	/* a forward scan splits at most the run the read starts in */
	if (clear && sim_rangeset_reserve(&hwpt->dirty, 2))
		return -ENOMEM;
	for (iova = start & ~((1ull << io) - 1);; iova = elast + 1) {
		if (!dirty_at(&hwpt->dirty, iova >> io)) {
			/* on to the next dirty IO page, if the read reaches it */
			size_t i = sim_rangeset_lower(&hwpt->dirty, iova >> io);

			if (i == hwpt->dirty.n || hwpt->dirty.r[i].first > last >> io)
				break;
			iova = hwpt->dirty.r[i].first << io;
		}
		entry_of(hwpt, a, iova, &first, &elast);
		/*
		 * 7.3 records a dirty entry from its start to its end: one that
		 * starts before the read is not reported at all, one that ends
		 * after it sets bits past the read's end (here never past the
		 * bitmap's last word); cleared either way (docs/kernels.md).
		 */
		if (first >= cmd->iova) {
			uint64_t b0 = (first - cmd->iova) >> shift;
			uint64_t b1 = (elast - cmd->iova) >> shift;

			sim_user_bitmap_set(ub, b0, b1 < bit_cap ? b1 : bit_cap);
		}
		if (clear)
			sim_rangeset_remove(&hwpt->dirty, first >> io, elast >> io);
		if (elast >= last)
			break;
	}
	return 0;
}

bool sim_kernel_dirty_counts_all(const struct sim_hwpt *hwpt)
{
	return kernel_of(hwpt) >= 700;
}

/* IOMMU_TEST_OP_DIRTY: the mock's hardware sets the dirty bit of the entry that maps iova. */
int sim_kernel_set_dirty(struct sim_hwpt *hwpt, uint64_t iova)
{
	const struct sim_ioas *ioas = hwpt->ioas;
	long i = sim_ioas_area_at(ioas, iova);
	int ret;

	if (i < 0)
		return 0;
	if (sim_kernel_dirty_per_entry(hwpt))
		ret = sim_kernel_dirty_write(hwpt, &ioas->areas[i], iova, iova);
	else
		ret = sim_rangeset_add(&hwpt->dirty, iova >> hwpt->io_page_shift,
				       iova >> hwpt->io_page_shift);
	return ret ? ret : 1;
}
