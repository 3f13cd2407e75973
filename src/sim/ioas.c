// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IOAS: an IO address space. Mappings (areas) are kept in a sorted array;
 * reserved ranges come from the domains' apertures and the attached
 * devices' reserved regions; allowed ranges (ALLOW_IOVAS) only steer IOVA
 * allocation. The rules and errnos are those of the kernel's ioas.c and
 * io_pagetable.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "sim/sim_internal.h"
#include "uapi/iommufd_abi.h"

struct sim_ioas *sim_ioas_get(struct sim_ictx *ictx, uint32_t id)
{
	return (struct sim_ioas *)sim_obj_get(ictx, id, SIM_OBJ_IOAS);
}

/* ---- areas ----------------------------------------------------------- */

/* Index of the first area whose last >= x (nareas if none). */
static size_t area_lower(const struct sim_ioas *ioas, uint64_t x)
{
	size_t lo = 0, hi = ioas->nareas;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ioas->areas[mid].last < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first area intersecting [start, last], or -1. */
static long area_first_in(const struct sim_ioas *ioas, uint64_t start, uint64_t last)
{
	size_t i = area_lower(ioas, start);

	if (i < ioas->nareas && ioas->areas[i].iova <= last)
		return (long)i;
	return -1;
}

long sim_ioas_area_first_in(const struct sim_ioas *ioas, uint64_t start, uint64_t last)
{
	return area_first_in(ioas, start, last);
}

long sim_ioas_area_at(const struct sim_ioas *ioas, uint64_t iova)
{
	return area_first_in(ioas, iova, iova);
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static void area_remove(struct sim_ioas *ioas, size_t i)
{
	/* The file goes with its last mapping, as the kernel's pages drop their reference. */
	if (ioas->areas[i].file >= 0)
		close(ioas->areas[i].file);
	memmove(&ioas->areas[i], &ioas->areas[i + 1],
		(ioas->nareas - i - 1) * sizeof(*ioas->areas));
	ioas->nareas--;
}

/* Room must have been made with grow(). */
static void area_insert(struct sim_ioas *ioas, const struct sim_area *a)
{
	size_t i = area_lower(ioas, a->iova);

	memmove(&ioas->areas[i + 1], &ioas->areas[i], (ioas->nareas - i) * sizeof(*ioas->areas));
	ioas->areas[i] = *a;
	ioas->nareas++;
}

bool sim_ioas_range_has_prot(const struct sim_ioas *ioas, uint64_t iova, uint64_t last, int prot)
{
	long i = sim_ioas_area_at(ioas, iova);

	if (i < 0)
		return false;
	for (;;) {
		const struct sim_area *a = &ioas->areas[i];

		if ((a->prot & prot) != prot)
			return false;
		if (a->last >= last)
			return true;
		if ((size_t)++i == ioas->nareas || ioas->areas[i].iova != a->last + 1)
			return false;
	}
}

/* ---- reserved and allowed ranges, alignment ---------------------------- */

static bool allowed_hits(const struct sim_ioas *ioas, uint64_t start, uint64_t last)
{
	size_t i;

	for (i = 0; i < ioas->nallowed; i++)
		if (ioas->allowed[i].first <= last && ioas->allowed[i].last >= start)
			return true;
	return false;
}

int sim_ioas_reserve(struct sim_ioas *ioas, uint64_t start, uint64_t last, const void *owner)
{
	if (area_first_in(ioas, start, last) >= 0 || allowed_hits(ioas, start, last))
		return -EADDRINUSE;
	return sim_owned_ranges_add(&ioas->resv, start, last, owner);
}

void sim_ioas_unreserve(struct sim_ioas *ioas, const void *owner)
{
	sim_owned_ranges_drop(&ioas->resv, owner);
}

/* What an access asks of the IOAS: PAGE_SIZE if it pins pages (emulated devices do). */
static uint64_t access_alignment(const struct sim_access *access)
{
	return access->iova_alignment ? access->iova_alignment : SIM_PAGE_SIZE;
}

/*
 * The IOVA alignment: the domains' smallest page sizes, the accesses', and PAGE_SIZE when
 * large pages are off (iopt_calculate_iova_alignment()).
 */
uint64_t sim_ioas_alignment(const struct sim_ioas *ioas)
{
	uint64_t align = ioas->no_large_pages ? SIM_PAGE_SIZE : 1;
	size_t i;

	for (i = 0; i < ioas->nhwpts; i++) {
		uint64_t pg = ioas->hwpts[i]->pgsize_bitmap & -ioas->hwpts[i]->pgsize_bitmap;

		if (pg > align)
			align = pg;
	}
	for (i = 0; i < ioas->naccesses; i++)
		if (access_alignment(ioas->accesses[i]) > align)
			align = access_alignment(ioas->accesses[i]);
	return align;
}

/* Every existing area conforms to a larger alignment, or EADDRINUSE. */
static int check_alignment(const struct sim_ioas *ioas, uint64_t align)
{
	uint64_t mask = align - 1;
	size_t i;

	for (i = 0; i < ioas->nareas; i++) {
		const struct sim_area *a = &ioas->areas[i];

		if ((a->iova & mask) || ((a->last - a->iova + 1) & mask) ||
		    ((a->uva % SIM_PAGE_SIZE) & mask))
			return -EADDRINUSE;
	}
	return 0;
}

/* A run of user memory (or of a file) being mapped: one for MAP, one per source area for COPY. */
struct sim_piece {
	uint64_t uva;    /* the file's offset for a file */
	uint64_t length;
	bool writable;
	int file;        /* -1: user memory */
	unsigned int owner; /* the process its pinned pages count against */
	uint64_t pages_id; /* COPY: the source's pages; 0: new ones */
};

/*
 * Pinning a file's pages (the kernel's memfd_pin_folios()): only a tmpfs
 * (memfd) or hugetlbfs file, and only whole pages before its end. 0 or -EINVAL.
 */
static int file_range_pinnable(int fd, uint64_t start, uint64_t length)
{
	uint64_t first = start & ~(SIM_PAGE_SIZE - 1), end;
	struct statfs fs;
	struct stat st;

	if (fstatfs(fd, &fs) || fstat(fd, &st))
		return -EINVAL;
	if (fs.f_type != TMPFS_MAGIC && fs.f_type != HUGETLBFS_MAGIC)
		return -EINVAL;
	/* The last byte of the last page the range touches must lie inside the file. */
	end = first + ((start - first + length + SIM_PAGE_SIZE - 1) & ~(SIM_PAGE_SIZE - 1)) - 1;
	if (end >= (uint64_t)st.st_size)
		return -EINVAL;
	return 0;
}

static int piece_pinnable(struct sim_ioas *ioas, const struct sim_piece *p)
{
	/* A simulated file (an iommufd, a device) is no memfd, whatever numbers it. */
	if (p->file >= 0 && sim_fd_is_sim_file(ioas->obj.ictx->sim, p->file))
		return -EINVAL;
	if (p->file >= 0)
		return file_range_pinnable(p->file, p->uva, p->length);
	return sim_user_range_present(p->uva, p->length);
}

/* ---- domains and accesses ------------------------------------------------ */

int sim_ioas_add_domain(struct sim_ioas *ioas, struct sim_hwpt *hwpt)
{
	uint64_t cur = sim_ioas_alignment(ioas);
	uint64_t align = hwpt->pgsize_bitmap & -hwpt->pgsize_bitmap;
	size_t i;
	int ret;

	if (align < cur)
		align = cur;
	/* A domain must be able to map single CPU pages. */
	if (align > SIM_PAGE_SIZE)
		return -EINVAL;
	if (align != cur) {
		ret = check_alignment(ioas, align);
		if (ret)
			return ret;
	}
	/* No area may lie outside the aperture: below it first, as the kernel checks. */
	if (hwpt->aperture_start) {
		ret = sim_ioas_reserve(ioas, 0, hwpt->aperture_start - 1, hwpt);
		if (ret)
			goto out_unreserve;
	}
	if (hwpt->aperture_last != UINT64_MAX) {
		ret = sim_ioas_reserve(ioas, hwpt->aperture_last + 1, UINT64_MAX, hwpt);
		if (ret)
			goto out_unreserve;
	}
	ret = grow((void **)&ioas->hwpts, &ioas->hwpts_cap, ioas->nhwpts + 1,
		   sizeof(*ioas->hwpts));
	if (ret)
		goto out_unreserve;
	/* Filling the domain pins the pages behind every area. */
	for (i = 0; i < ioas->nareas; i++) {
		const struct sim_area *a = &ioas->areas[i];
		const struct sim_piece p = {
			.uva = a->uva, .length = a->last - a->iova + 1, .file = a->file,
		};

		ret = piece_pinnable(ioas, &p);
		if (ret)
			goto out_unreserve;
	}
	if (ioas->nareas) {
		hwpt->mapped = true;
		hwpt->max_last = ioas->areas[ioas->nareas - 1].last;
	}
	ioas->hwpts[ioas->nhwpts++] = hwpt;
	return 0;

out_unreserve:
	sim_ioas_unreserve(ioas, hwpt);
	return ret;
}

void sim_ioas_remove_domain(struct sim_ioas *ioas, struct sim_hwpt *hwpt)
{
	size_t i;

	for (i = 0; i < ioas->nhwpts; i++) {
		if (ioas->hwpts[i] == hwpt) {
			memmove(&ioas->hwpts[i], &ioas->hwpts[i + 1],
				(ioas->nhwpts - i - 1) * sizeof(*ioas->hwpts));
			ioas->nhwpts--;
			break;
		}
	}
	sim_ioas_unreserve(ioas, hwpt);
}

int sim_ioas_add_access(struct sim_ioas *ioas, struct sim_access *access)
{
	uint64_t cur = sim_ioas_alignment(ioas);
	int ret;

	if (grow((void **)&ioas->accesses, &ioas->accesses_cap, ioas->naccesses + 1,
		 sizeof(*ioas->accesses)))
		return -ENOMEM;
	/* An access that pins pages wants whole pages: the IOAS becomes page aligned. */
	if (cur < access_alignment(access)) {
		ret = check_alignment(ioas, access_alignment(access));
		if (ret)
			return ret;
	}
	ioas->accesses[ioas->naccesses++] = access;
	return 0;
}

void sim_ioas_remove_access(struct sim_ioas *ioas, struct sim_access *access)
{
	size_t i;

	for (i = 0; i < ioas->naccesses; i++) {
		if (ioas->accesses[i] == access) {
			ioas->accesses[i] = ioas->accesses[--ioas->naccesses];
			break;
		}
	}
}

/* ---- unmapping ------------------------------------------------------------ */

/*
 * Remove whole areas in [start, last], lowest first. An area reaching
 * outside the range stops the walk with ENOENT, after the areas before it
 * are gone: that is what the kernel does.
 */
static int unmap_range(struct sim_ioas *ioas, uint64_t start, uint64_t last, uint64_t *unmapped)
{
	uint64_t bytes = 0;
	long i;
	size_t k;
	int ret = 0;

	while ((i = area_first_in(ioas, start, last)) >= 0) {
		struct sim_area a = ioas->areas[i];

		/* The kernel itself pins it (a HW queue): the area stays. */
		if (sim_owned_ranges_hit(&ioas->kpins, a.iova, a.last)) {
			ret = -EBUSY;
			goto out;
		}
		if (a.iova < start || a.last > last) {
			ret = -ENOENT;
			break;
		}
		/* Accesses give up what they pin of the area first. */
		sim_access_notify_unmap(ioas, a.iova, a.last);
		for (k = 0; k < ioas->nhwpts; k++) {
			if (sim_rangeset_reserve(&ioas->hwpts[k]->dirty, 1)) {
				ret = -ENOMEM;
				goto out;
			}
		}
		area_remove(ioas, i);
		/* The IOMMU's dirty bits go with its page table entries. */
		for (k = 0; k < ioas->nhwpts; k++)
			sim_rangeset_remove(&ioas->hwpts[k]->dirty,
					    a.iova >> ioas->hwpts[k]->io_page_shift,
					    a.last >> ioas->hwpts[k]->io_page_shift);
		bytes += a.last - a.iova + 1;
		if (a.last >= last)
			break;
		start = a.last + 1;
	}
out:
	*unmapped = bytes;
	return ret;
}

void sim_ioas_destroy(struct sim_ioas *ioas)
{
	uint64_t unmapped;

	unmap_range(ioas, 0, UINT64_MAX, &unmapped);
	/* What unmap_range() could not take (no memory for dirty bits) goes all the same. */
	while (ioas->nareas)
		area_remove(ioas, ioas->nareas - 1);
	sim_obj_remove(&ioas->obj);
	free(ioas->areas);
	free(ioas->allowed);
	sim_owned_ranges_free(&ioas->resv);
	free(ioas->hwpts);
	free(ioas->accesses);
	sim_owned_ranges_free(&ioas->kpins);
	free(ioas);
}

int sim_ioas_unmap(struct sim_ioas *ioas, uint64_t start, uint64_t last, uint64_t *unmapped)
{
	return unmap_range(ioas, start, last, unmapped);
}

int sim_ioas_kpin(struct sim_ioas *ioas, uint64_t start, uint64_t last, const void *owner)
{
	return sim_owned_ranges_add(&ioas->kpins, start, last, owner);
}

void sim_ioas_kunpin(struct sim_ioas *ioas, const void *owner)
{
	sim_owned_ranges_drop(&ioas->kpins, owner);
}

/* IOMMU_OPTION_HUGE_PAGES (iopt_disable_large_pages(), iopt_enable_large_pages()). */
int sim_ioas_set_large_pages(struct sim_ioas *ioas, bool enable)
{
	int ret;

	if (enable || ioas->no_large_pages) {
		ioas->no_large_pages = !enable;
		return 0;
	}
	/* Not once domains have pages mapped in them */
	if (ioas->nhwpts && ioas->nareas)
		return -EINVAL;
	if (sim_ioas_alignment(ioas) < SIM_PAGE_SIZE) {
		ret = check_alignment(ioas, SIM_PAGE_SIZE);
		if (ret)
			return ret;
	}
	ioas->no_large_pages = true;
	return 0;
}

/*
 * The page at uva is pinned once per pages object (a MAP; its COPYs share it) that maps it
 * and is pinned: filled into a domain, or pinned by an access or the kernel.
 */
unsigned int sim_user_page_pins(struct iommufd_sim *sim, const struct sim_vmas *vs, uint64_t uva)
{
	struct sim_page_id want, have;
	uint64_t ids[64];
	unsigned int n = 0, k;
	struct sim_ictx *ictx;
	uint32_t id;
	size_t i;

	if (sim_vmas_page_id(vs, uva & ~(SIM_PAGE_SIZE - 1), &want))
		return 0;
	for (ictx = sim->ictxs; ictx; ictx = ictx->next) {
		for (id = 1; id < ictx->objs_cap; id++) {
			const struct sim_ioas *ioas = (const void *)sim_obj_get(ictx, id,
										SIM_OBJ_IOAS);

			for (i = 0; ioas && i < ioas->nareas; i++) {
				const struct sim_area *a = &ioas->areas[i];
				uint64_t first = a->iova - (a->uva % SIM_PAGE_SIZE), iova;

				/* each CPU page the area touches */
				for (iova = first; iova <= a->last && iova >= first;
				     iova += SIM_PAGE_SIZE) {
					uint64_t at = iova < a->iova ? a->iova : iova;

					if (sim_vmas_area_page_id(vs, a, at, &have) ||
					    have.dev != want.dev || have.ino != want.ino ||
					    (have.addr & ~(SIM_PAGE_SIZE - 1)) != want.addr)
						continue;
					if (!ioas->nhwpts && !sim_access_pins(ioas, at))
						continue;
					for (k = 0; k < n && ids[k] != a->pages_id; k++)
						;
					if (k == n && n < 64)
						ids[n++] = a->pages_id;
					break;
				}
			}
		}
	}
	return n;
}

/* ---- mapping ---------------------------------------------------------------- */

static uint64_t roundup_pow2(uint64_t x)
{
	return x <= 1 ? 1 : 1ull << (64 - __builtin_clzll(x - 1));
}

static bool alloc_check_range(uint64_t *start, uint64_t last, uint64_t length, uint64_t align,
			      uint64_t page_offset)
{
	uint64_t aligned;

	if (__builtin_add_overflow(*start, align - 1, &aligned))
		return false;
	aligned &= ~(align - 1);
	aligned |= page_offset;
	if (aligned >= last || last - aligned < length - 1)
		return false;
	*start = aligned;
	return true;
}

/*
 * Look for a hole of neither reserved IOVA nor areas inside one allowed span,
 * lowest first: one pass over the areas, as the kernel's span iterator does.
 */
static bool alloc_in_span(const struct sim_ioas *ioas, uint64_t start, uint64_t last,
			  uint64_t length, uint64_t align, uint64_t page_offset, uint64_t *iova)
{
	size_t ai;
	uint64_t cur;

	if (!alloc_check_range(&start, last, length, align, page_offset))
		return false;
	cur = start;
	ai = area_lower(ioas, cur);
	for (;;) {
		uint64_t used_start = 0, used_last = 0;
		bool used = false;
		size_t k;

		while (ai < ioas->nareas && ioas->areas[ai].last < cur)
			ai++;
		if (ai < ioas->nareas && ioas->areas[ai].iova <= last) {
			used = true;
			used_start = ioas->areas[ai].iova;
			used_last = ioas->areas[ai].last;
		}
		for (k = 0; k < ioas->resv.n; k++) {
			const struct sim_owned_range *r = &ioas->resv.r[k];

			if (r->last < cur || r->start > last)
				continue;
			if (!used || r->start < used_start) {
				used = true;
				used_start = r->start;
				used_last = r->last;
			}
		}
		if (!used || used_start > cur) {
			uint64_t hole_start = cur;
			uint64_t hole_last = used ? used_start - 1 : last;

			if (alloc_check_range(&hole_start, hole_last, length, align, page_offset)) {
				*iova = hole_start;
				return true;
			}
			if (!used)
				return false;
		}
		if (used_last >= last)
			return false;
		cur = used_last + 1;
	}
}

/* The kernel's iopt_alloc_iova(): never IOVA 0, keeps the user address's alignment. */
static int alloc_iova(const struct sim_ioas *ioas, uint64_t *iova, uint64_t uptr,
		      uint64_t length)
{
	const uint64_t lo = SIM_PAGE_SIZE, hi = UINT64_MAX - SIM_PAGE_SIZE;
	uint64_t page_offset = uptr % SIM_PAGE_SIZE;
	uint64_t align;
	size_t i;

	if (length == 0 || length >= UINT64_MAX / 2)
		return -EOVERFLOW;
	align = roundup_pow2(length);
	if (uptr && (uptr & -uptr) < align)
		align = uptr & -uptr;
	if (align >= SIM_HPAGE_SIZE)
		align = SIM_HPAGE_SIZE;
	if (align < sim_ioas_alignment(ioas))
		return -EINVAL;

	if (!ioas->nallowed)
		return alloc_in_span(ioas, lo, hi, length, align, page_offset, iova) ? 0 : -ENOSPC;
	for (i = 0; i < ioas->nallowed; i++) {
		uint64_t s = ioas->allowed[i].first, l = ioas->allowed[i].last;

		/* Touching allowed ranges form one span. */
		while (i + 1 < ioas->nallowed && l != UINT64_MAX &&
		       ioas->allowed[i + 1].first == l + 1)
			l = ioas->allowed[++i].last;
		if (s < lo)
			s = lo;
		if (l > hi)
			l = hi;
		if (s > l)
			continue;
		if (alloc_in_span(ioas, s, l, length, align, page_offset, iova))
			return 0;
	}
	return -ENOSPC;
}

static int check_iova(const struct sim_ioas *ioas, uint64_t iova, uint64_t length)
{
	uint64_t last;

	if (iova & (sim_ioas_alignment(ioas) - 1))
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	if (sim_owned_ranges_hit(&ioas->resv, iova, last))
		return -EINVAL;
	if (area_first_in(ioas, iova, last) >= 0)
		return -EEXIST;
	return 0;
}

/* The kernel's iopt_map_pages(): all pieces land at consecutive IOVAs, or none. */
static int map_pieces(struct sim_ioas *ioas, const struct sim_piece *pieces, size_t n,
		      uint64_t length, uint64_t *iova, int prot, bool alloc)
{
	uint64_t align = sim_ioas_alignment(ioas);
	uint64_t cur, end_last, new_pages;
	size_t i, k;
	int *files;
	int ret;

	if (grow((void **)&ioas->areas, &ioas->areas_cap, ioas->nareas + n, sizeof(*ioas->areas)))
		return -ENOMEM;
	if ((length & (align - 1)) || !length)
		return -EINVAL;
	if (alloc)
		ret = alloc_iova(ioas, iova, pieces[0].uva, length);
	else
		ret = check_iova(ioas, *iova, length);
	if (ret)
		return ret;

	for (i = 0; i < n; i++) {
		if ((prot & SIM_PROT_WRITE) && !pieces[i].writable)
			return -EPERM;
		if ((pieces[i].uva % SIM_PAGE_SIZE) & (align - 1))
			return -EINVAL;
	}
	end_last = *iova + length - 1;
	/* Filling the domains pins the pages and maps them into each one. */
	if (ioas->nhwpts) {
		for (i = 0; i < n; i++) {
			ret = piece_pinnable(ioas, &pieces[i]);
			if (ret)
				return ret;
		}
		for (k = 0; k < ioas->nhwpts; k++) {
			const struct sim_hwpt *h = ioas->hwpts[k];

			/* VT-d refuses IOVA beyond the width of the IOMMU last attached. */
			if (h->iommu->kind == SIM_DRV_INTEL_VTD &&
			    end_last > sim_bits_last(h->gaw_bits) &&
			    (!h->mapped || end_last > h->max_last))
				return -EFAULT;
		}
	}

	/* Each area of a file holds it (dup()ed first: nothing can fail once areas go in). */
	files = malloc(n * sizeof(*files));
	if (!files)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		files[i] = pieces[i].file >= 0 ? fcntl(pieces[i].file, F_DUPFD_CLOEXEC, 0) : -1;
		if (pieces[i].file >= 0 && files[i] < 0) {
			ret = -errno;
			while (i--)
				if (files[i] >= 0)
					close(files[i]);
			free(files);
			return ret;
		}
	}
	cur = *iova;
	new_pages = ++ioas->obj.ictx->sim->next_pages_id;
	for (i = 0; i < n; i++) {
		struct sim_area a = {
			.iova = cur,
			.last = cur + pieces[i].length - 1,
			.uva = pieces[i].uva,
			.file = files[i],
			.pages_writable = pieces[i].writable,
			.prot = prot,
			.owner = pieces[i].owner,
			.pages_id = pieces[i].pages_id ? pieces[i].pages_id : new_pages,
		};

		area_insert(ioas, &a);
		cur += pieces[i].length;
	}
	free(files);
	for (k = 0; k < ioas->nhwpts; k++) {
		struct sim_hwpt *h = ioas->hwpts[k];

		if (!h->mapped || end_last > h->max_last) {
			h->mapped = true;
			h->max_last = end_last;
		}
	}
	return 0;
}

static int map_prot(uint32_t flags)
{
	int prot = 0;

	if (flags & IOFD_IOAS_MAP_WRITEABLE)
		prot |= SIM_PROT_WRITE;
	if (flags & IOFD_IOAS_MAP_READABLE)
		prot |= SIM_PROT_READ;
	return prot;
}

/* ---- commands ------------------------------------------------------------------ */

int sim_cmd_ioas_alloc(struct sim_ucmd *ucmd)
{
	struct iofd_ioas_alloc *cmd = ucmd->cmd;
	struct sim_ioas *ioas;
	int ret;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ioas = calloc(1, sizeof(*ioas));
	if (!ioas)
		return -ENOMEM;
	ret = sim_obj_add(ucmd->ictx, &ioas->obj, SIM_OBJ_IOAS);
	if (ret) {
		free(ioas);
		return ret;
	}
	cmd->out_ioas_id = ioas->obj.id;
	return sim_ucmd_respond_new(ucmd, sizeof(*cmd), &ioas->obj, -1);
}

static int resv_cmp(const void *a, const void *b)
{
	const struct sim_owned_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int sim_ioas_for_each_hole(const struct sim_ioas *ioas,
			   int (*fn)(void *arg, uint64_t start, uint64_t last), void *arg)
{
	struct sim_owned_range *sorted = NULL;
	uint64_t cur = 0;
	size_t i;
	int ret;

	if (ioas->resv.n) {
		sorted = malloc(ioas->resv.n * sizeof(*sorted));
		if (!sorted)
			return -ENOMEM;
		memcpy(sorted, ioas->resv.r, ioas->resv.n * sizeof(*sorted));
		qsort(sorted, ioas->resv.n, sizeof(*sorted), resv_cmp);
	}
	for (i = 0; i < ioas->resv.n; i++) {
		if (sorted[i].last < cur)
			continue;
		if (sorted[i].start > cur) {
			ret = fn(arg, cur, sorted[i].start - 1);
			if (ret)
				goto out;
		}
		ret = 0;
		if (sorted[i].last == UINT64_MAX)
			goto out; /* reserved to the end: no hole after it */
		cur = sorted[i].last + 1;
	}
	ret = fn(arg, cur, UINT64_MAX);
out:
	free(sorted);
	return ret;
}

/* IOVA_RANGES' array: each range written while it fits, all counted. */
struct ranges_out {
	uint64_t uptr;
	uint32_t max, num;
};

static int emit_range(void *arg, uint64_t start, uint64_t last)
{
	struct ranges_out *out = arg;
	struct iofd_iova_range elm = { .start = start, .last = last };

	if (out->num < out->max &&
	    sim_user_write(out->uptr + (uint64_t)out->num * sizeof(elm), &elm, sizeof(elm)))
		return -EFAULT;
	out->num++;
	return 0;
}

int sim_cmd_ioas_iova_ranges(struct sim_ucmd *ucmd)
{
	struct iofd_ioas_iova_ranges *cmd = ucmd->cmd;
	struct ranges_out out = { .uptr = cmd->allowed_iovas, .max = cmd->num_iovas };
	struct sim_ioas *ioas;
	int ret;

	if (cmd->reserved)
		return -EOPNOTSUPP;
	ioas = sim_ioas_get(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	cmd->out_iova_alignment = sim_ioas_alignment(ioas);
	ret = sim_ioas_for_each_hole(ioas, emit_range, &out);
	if (ret)
		return ret;
	cmd->num_iovas = out.num;
	ret = sim_ucmd_respond(ucmd, sizeof(*cmd));
	if (!ret && out.num > out.max)
		ret = -EMSGSIZE;
	return ret;
}

static int range_cmp(const void *a, const void *b)
{
	const struct sim_range *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

int sim_cmd_ioas_allow_iovas(struct sim_ucmd *ucmd)
{
	struct iofd_ioas_allow_iovas *cmd = ucmd->cmd;
	struct sim_range *allowed = NULL;
	struct sim_ioas *ioas;
	uint32_t i, j;

	if (cmd->reserved)
		return -EOPNOTSUPP;
	ioas = sim_ioas_get(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	if (cmd->num_iovas) {
		allowed = calloc(cmd->num_iovas, sizeof(*allowed));
		if (!allowed)
			return -ENOMEM;
	}
	for (i = 0; i < cmd->num_iovas; i++) {
		struct iofd_iova_range r;

		/* read one by one: a bad range is seen before a fault after it */
		if (sim_user_read(&r, cmd->allowed_iovas + (uint64_t)i * sizeof(r), sizeof(r))) {
			free(allowed);
			return -EFAULT;
		}
		if (r.start >= r.last)
			goto out_einval;
		for (j = 0; j < i; j++)
			if (allowed[j].first <= r.last && allowed[j].last >= r.start)
				goto out_einval;
		allowed[i].first = r.start;
		allowed[i].last = r.last;
	}
	/* Allowed IOVA may not already be reserved. */
	for (i = 0; i < cmd->num_iovas; i++) {
		if (sim_owned_ranges_hit(&ioas->resv, allowed[i].first, allowed[i].last)) {
			free(allowed);
			return -EADDRINUSE;
		}
	}
	if (cmd->num_iovas)
		qsort(allowed, cmd->num_iovas, sizeof(*allowed), range_cmp);
	free(ioas->allowed);
	ioas->allowed = allowed;
	ioas->nallowed = cmd->num_iovas;
	return 0;

out_einval:
	free(allowed);
	return -EINVAL;
}

int sim_cmd_ioas_map(struct sim_ucmd *ucmd)
{
	struct iofd_ioas_map *cmd = ucmd->cmd;
	struct sim_piece piece;
	struct sim_ioas *ioas;
	uint64_t iova = cmd->iova, end;
	int ret;

	if ((cmd->flags & ~(IOFD_IOAS_MAP_FIXED_IOVA | IOFD_IOAS_MAP_WRITEABLE |
			    IOFD_IOAS_MAP_READABLE)) ||
	    cmd->reserved)
		return -EOPNOTSUPP;
	if (cmd->iova >= UINT64_MAX || cmd->length >= UINT64_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags & (IOFD_IOAS_MAP_WRITEABLE | IOFD_IOAS_MAP_READABLE)))
		return -EINVAL;
	ioas = sim_ioas_get(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	/* iopt_alloc_pages() */
	if (cmd->length > SIZE_MAX - SIM_PAGE_SIZE || cmd->length == 0)
		return -EINVAL;
	if (__builtin_add_overflow(cmd->user_va, cmd->length, &end))
		return -EOVERFLOW;
	piece.uva = cmd->user_va;
	piece.length = cmd->length;
	piece.writable = cmd->flags & IOFD_IOAS_MAP_WRITEABLE;
	piece.file = -1;
	piece.owner = ucmd->proc;
	piece.pages_id = 0;
	ret = map_pieces(ioas, &piece, 1, cmd->length, &iova, map_prot(cmd->flags),
			 !(cmd->flags & IOFD_IOAS_MAP_FIXED_IOVA));
	if (ret)
		return ret;
	cmd->iova = iova;
	/* an answer that cannot be written back leaves the mapping made */
	return sim_ucmd_respond(ucmd, sizeof(*cmd));
}

/* IOAS_MAP_FILE (Linux 6.13): iommufd_ioas_map_file() and iopt_map_file_pages(). */
int sim_cmd_ioas_map_file(struct sim_ucmd *ucmd)
{
	struct iofd_ioas_map_file *cmd = ucmd->cmd;
	struct sim_piece piece;
	struct sim_ioas *ioas;
	uint64_t iova = cmd->iova, last;
	int ret;

	if (cmd->flags & ~(IOFD_IOAS_MAP_FIXED_IOVA | IOFD_IOAS_MAP_WRITEABLE |
			   IOFD_IOAS_MAP_READABLE))
		return -EOPNOTSUPP;
	if (cmd->iova >= UINT64_MAX || cmd->length >= UINT64_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags & (IOFD_IOAS_MAP_WRITEABLE | IOFD_IOAS_MAP_READABLE)))
		return -EINVAL;
	ioas = sim_ioas_get(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	if (!cmd->length)
		return -EINVAL;
	if (__builtin_add_overflow(cmd->start, cmd->length - 1, &last))
		return -EOVERFLOW;
	/* Any open file is taken here; only pinning (once a domain needs it) is choosy. */
	if (cmd->fd < 0 || fcntl(cmd->fd, F_GETFD) < 0)
		return -EBADF;
	/* iopt_alloc_pages() */
	if (cmd->length > SIZE_MAX - SIM_PAGE_SIZE)
		return -EINVAL;
	piece.uva = cmd->start;
	piece.length = cmd->length;
	piece.writable = cmd->flags & IOFD_IOAS_MAP_WRITEABLE;
	piece.file = cmd->fd;
	piece.owner = ucmd->proc;
	piece.pages_id = 0;
	ret = map_pieces(ioas, &piece, 1, cmd->length, &iova, map_prot(cmd->flags),
			 !(cmd->flags & IOFD_IOAS_MAP_FIXED_IOVA));
	if (ret)
		return ret;
	cmd->iova = iova;
	/* an answer that cannot be written back leaves the mapping made */
	return sim_ucmd_respond(ucmd, sizeof(*cmd));
}

/* The kernel's iopt_get_pages(): contiguous areas must cover the whole range. */
static int get_pieces(const struct sim_ioas *ioas, uint64_t iova, uint64_t length,
		      struct sim_piece **out, size_t *nout)
{
	struct sim_piece *pieces = NULL;
	size_t n = 0, cap = 0;
	uint64_t last, cur = iova;
	long i;

	if (!length)
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	i = sim_ioas_area_at(ioas, iova);
	if (i < 0)
		return -ENOENT;
	for (;;) {
		const struct sim_area *a = &ioas->areas[i];
		uint64_t piece_last = a->last < last ? a->last : last;

		if (grow((void **)&pieces, &cap, n + 1, sizeof(*pieces))) {
			free(pieces);
			return -ENOMEM;
		}
		pieces[n].uva = a->uva + (cur - a->iova);
		pieces[n].length = piece_last - cur + 1;
		pieces[n].writable = a->pages_writable;
		pieces[n].file = a->file;
		/* A copy shares the source's pages, and what they count against. */
		pieces[n].owner = a->owner;
		pieces[n].pages_id = a->pages_id;
		n++;
		if (piece_last == last)
			break;
		cur = a->last + 1;
		if ((size_t)++i == ioas->nareas || ioas->areas[i].iova != cur) {
			free(pieces);
			return -ENOENT;
		}
	}
	*out = pieces;
	*nout = n;
	return 0;
}

int sim_cmd_ioas_copy(struct sim_ucmd *ucmd)
{
	struct iofd_ioas_copy *cmd = ucmd->cmd;
	struct sim_ioas *src, *dst;
	struct sim_piece *pieces;
	uint64_t iova;
	size_t n;
	int ret;

	if (cmd->flags & ~(IOFD_IOAS_MAP_FIXED_IOVA | IOFD_IOAS_MAP_WRITEABLE |
			   IOFD_IOAS_MAP_READABLE))
		return -EOPNOTSUPP;
	if (cmd->length >= UINT64_MAX || cmd->src_iova >= UINT64_MAX ||
	    cmd->dst_iova >= UINT64_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags & (IOFD_IOAS_MAP_WRITEABLE | IOFD_IOAS_MAP_READABLE)))
		return -EINVAL;
	src = sim_ioas_get(ucmd->ictx, cmd->src_ioas_id);
	if (!src)
		return -ENOENT;
	ret = get_pieces(src, cmd->src_iova, cmd->length, &pieces, &n);
	if (ret)
		return ret;
	dst = sim_ioas_get(ucmd->ictx, cmd->dst_ioas_id);
	if (!dst) {
		ret = -ENOENT;
		goto out_free;
	}
	iova = cmd->dst_iova;
	ret = map_pieces(dst, pieces, n, cmd->length, &iova, map_prot(cmd->flags),
			 !(cmd->flags & IOFD_IOAS_MAP_FIXED_IOVA));
	if (ret)
		goto out_free;
	cmd->dst_iova = iova;
	ret = sim_ucmd_respond(ucmd, sizeof(*cmd));
out_free:
	free(pieces);
	return ret;
}

int sim_cmd_ioas_unmap(struct sim_ucmd *ucmd)
{
	struct iofd_ioas_unmap *cmd = ucmd->cmd;
	struct sim_ioas *ioas;
	uint64_t unmapped = 0, last;
	int ret;

	ioas = sim_ioas_get(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	if (cmd->iova == 0 && cmd->length == UINT64_MAX) {
		/* Unmap everything: fine on an empty IOAS too. */
		ret = unmap_range(ioas, 0, UINT64_MAX, &unmapped);
		if (ret)
			return ret;
	} else {
		if (cmd->iova >= UINT64_MAX || cmd->length >= UINT64_MAX)
			return -EOVERFLOW;
		if (!cmd->length)
			return -EINVAL;
		if (__builtin_add_overflow(cmd->iova, cmd->length - 1, &last))
			return -EOVERFLOW;
		ret = unmap_range(ioas, cmd->iova, last, &unmapped);
		if (ret)
			return ret;
		if (!unmapped)
			return -ENOENT;
	}
	cmd->length = unmapped;
	return sim_ucmd_respond(ucmd, sizeof(*cmd));
}

/* The VFIO container's MAP_DMA (iopt_map_user_pages()). */
int sim_ioas_map_user(struct sim_ioas *ioas, uint64_t uva, uint64_t length, uint64_t *iova,
		      int prot, bool fixed, unsigned int proc)
{
	struct sim_piece piece = {
		.uva = uva, .length = length, .writable = prot & SIM_PROT_WRITE, .file = -1,
		.owner = proc,
	};
	uint64_t end;

	if (!length || length > SIZE_MAX - SIM_PAGE_SIZE)
		return -EINVAL;
	if (__builtin_add_overflow(uva, length, &end))
		return -EOVERFLOW;
	return map_pieces(ioas, &piece, 1, length, iova, prot, !fixed);
}

/* iopt_area_split(): iova becomes the last byte of an area (nothing to do at its ends). */
int sim_ioas_cut(struct sim_ioas *ioas, uint64_t iova)
{
	uint64_t align = sim_ioas_alignment(ioas);
	long i = sim_ioas_area_at(ioas, iova);
	struct sim_area rhs;
	int file = -1;

	if (i < 0 || iova == ioas->areas[i].iova || iova == ioas->areas[i].last)
		return 0;
	rhs = ioas->areas[i];
	rhs.iova = iova + 1;
	rhs.uva += rhs.iova - ioas->areas[i].iova;
	if ((rhs.iova & (align - 1)) || ((rhs.uva % SIM_PAGE_SIZE) & (align - 1)))
		return -EINVAL;
	/* what an access pins cannot be split */
	if (sim_access_pins(ioas, iova) || sim_access_pins(ioas, iova + 1))
		return -EINVAL;
	if (grow((void **)&ioas->areas, &ioas->areas_cap, ioas->nareas + 1, sizeof(*ioas->areas)))
		return -ENOMEM;
	if (rhs.file >= 0) {
		file = fcntl(rhs.file, F_DUPFD_CLOEXEC, 0);
		if (file < 0)
			return -errno;
	}
	rhs.file = file;
	ioas->areas[i].last = iova;
	area_insert(ioas, &rhs);
	return 0;
}
