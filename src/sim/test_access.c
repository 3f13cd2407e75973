// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The selftest's accesses (IOMMU_TEST_OP_CREATE_ACCESS and the ops on them):
 * a driver without an IOMMU of its own reaching an IOAS through the CPU, as
 * an emulated (mdev) device does. Each is a file (the op hands out its
 * descriptor) holding an access object of the context; it pins pages of the
 * IOAS (ACCESS_PAGES: items to DESTROY_ACCESS_PAGES; an unmap of the IOVA
 * takes them back first, as the driver's unmap callback does) and reads and
 * writes through it (ACCESS_RW). Follows selftest.c and device.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/sim_internal.h"
#include "uapi/selftest_abi.h"

#define SIM_ACCESS_MAX_LEN (16u << 20) /* the op refuses more (ENOMEM) */

struct st_item {
	uint64_t iova, length;
	uint32_t id;
	struct st_item *next;
};

struct sim_staccess {
	struct sim_file file;
	struct sim_access *access;
	bool needs_pin;
	struct st_item *items;
	uint32_t next_id;
};

static const struct sim_file_ops staccess_ops;

static struct sim_staccess *st_of_file(struct sim_file *f)
{
	return (struct sim_staccess *)((char *)f - offsetof(struct sim_staccess, file));
}

/* The access behind a descriptor the user gives: -EBADFD if it is no access. */
static struct sim_staccess *st_get(struct iommufd_sim *sim, uint32_t fd)
{
	struct sim_fd *f = sim_fd_lookup(sim, (int)fd);

	if (!f || f->kind != SIM_FD_FILE || ((struct sim_file *)f->ptr)->ops != &staccess_ops)
		return NULL;
	return st_of_file(f->ptr);
}

static void items_unpin(struct sim_staccess *st, uint64_t start, uint64_t last)
{
	struct st_item **pp = &st->items, *it;

	while ((it = *pp)) {
		if (it->iova <= last && it->iova + it->length - 1 >= start) {
			*pp = it->next;
			free(it);
		} else {
			pp = &it->next;
		}
	}
}

void sim_access_notify_unmap(struct sim_ioas *ioas, uint64_t start, uint64_t last)
{
	size_t i;

	for (i = 0; i < ioas->naccesses; i++)
		if (ioas->accesses[i]->st)
			items_unpin(ioas->accesses[i]->st, start, last);
}

bool sim_access_pins(const struct sim_ioas *ioas, uint64_t iova)
{
	const uint64_t mask = SIM_PAGE_SIZE - 1;
	const struct st_item *it;
	size_t i;

	for (i = 0; i < ioas->naccesses; i++) {
		if (!ioas->accesses[i]->st)
			continue;
		for (it = ioas->accesses[i]->st->items; it; it = it->next)
			if ((iova & ~mask) >= (it->iova & ~mask) &&
			    (iova & ~mask) <= ((it->iova + it->length - 1) & ~mask))
				return true;
	}
	for (i = 0; i < ioas->nkpins; i++)
		if (iova >= ioas->kpins[i].start && iova <= ioas->kpins[i].last)
			return true;
	return false;
}

/* Change the access's IOAS (to none: detach), its pins going with the old one. */
static int change_ioas(struct sim_staccess *st, struct sim_ioas *ioas)
{
	struct sim_access *access = st->access;
	struct sim_ioas *cur = access->ioas;
	int ret;

	if (cur == ioas)
		return 0;
	if (ioas) {
		ret = sim_ioas_add_access(ioas, access);
		if (ret)
			return ret;
		ioas->obj.users++;
	}
	if (cur) {
		items_unpin(st, 0, UINT64_MAX);
		sim_ioas_remove_access(cur, access);
		cur->obj.users--;
	}
	access->ioas = ioas;
	return 0;
}

static void staccess_release(struct sim_file *f)
{
	struct sim_staccess *st = st_of_file(f);
	struct sim_ictx *ictx = st->access->obj.ictx;

	change_ioas(st, NULL);
	sim_access_destroy(st->access);
	free(st);
	sim_ictx_put(ictx);
}

static const struct sim_file_ops staccess_ops = {
	.release = staccess_release,
};

static int create_access(struct sim_ucmd *ucmd, struct iofd_test_cmd *cmd)
{
	struct sim_staccess *st;
	struct sim_access *access;
	struct sim_ioas *ioas;
	int fd, ret;

	if (cmd->create_access.flags & ~IOFD_MOCK_ACCESS_CREATE_NEEDS_PIN_PAGES)
		return -EOPNOTSUPP;
	st = calloc(1, sizeof(*st));
	access = calloc(1, sizeof(*access));
	if (!st || !access) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = sim_obj_add(ucmd->ictx, &access->obj, SIM_OBJ_ACCESS);
	if (ret)
		goto out_free;
	access->obj.users++; /* the driver's */
	st->needs_pin = cmd->create_access.flags & IOFD_MOCK_ACCESS_CREATE_NEEDS_PIN_PAGES;
	access->iova_alignment = st->needs_pin ? SIM_PAGE_SIZE : 1;
	access->st = st;
	st->access = access;
	ioas = sim_ioas_get(ucmd->ictx, cmd->id);
	ret = ioas ? change_ioas(st, ioas) : -ENOENT;
	if (ret)
		goto out_remove;
	fd = sim_file_install(ucmd->ictx->sim, &st->file, &staccess_ops, ucmd->proc);
	if (fd < 0) {
		ret = fd;
		change_ioas(st, NULL);
		goto out_remove;
	}
	/* the access holds the context */
	ucmd->ictx->refs++;
	cmd->create_access.out_access_fd = fd;
	sim_ucmd_respond(ucmd, sizeof(*cmd));
	return 0;

out_remove:
	sim_obj_remove(&access->obj);
out_free:
	free(access);
	free(st);
	return ret;
}

/* MOCK_FLAGS_ACCESS_SYZ: the IOVA is {u32 nth area, u32 offset} for a fuzzer to hit. */
static uint64_t syz_iova(const struct sim_ioas *ioas, uint64_t iova)
{
	uint32_t nth = (uint32_t)iova, offset = (uint32_t)(iova >> 32);

	if (!ioas || nth >= ioas->nareas)
		return 0;
	return ioas->areas[nth].iova + offset;
}

/* The run of areas that maps [iova, last] whole, and the check each area passes. */
static int walk_areas(struct sim_ioas *ioas, uint64_t iova, uint64_t last, bool write,
		      bool page_aligned)
{
	uint64_t cur = iova;
	long i = sim_ioas_area_at(ioas, iova);
	int prot = write ? SIM_PROT_WRITE : SIM_PROT_READ;

	if (i < 0)
		return -ENOENT;
	for (;;) {
		const struct sim_area *a = &ioas->areas[i];
		uint64_t piece_last = a->last < last ? a->last : last;

		/* pinning takes whole CPU pages: the run starts and joins on page boundaries */
		if (page_aligned &&
		    (((a->uva + (cur - a->iova)) % SIM_PAGE_SIZE) ||
		     (piece_last != last &&
		      (a->uva + (a->last - a->iova)) % SIM_PAGE_SIZE != SIM_PAGE_SIZE - 1)))
			return -EINVAL;
		if (!(a->prot & prot))
			return -EPERM;
		if (piece_last == last)
			return 0;
		cur = a->last + 1;
		if ((size_t)++i == ioas->nareas || ioas->areas[i].iova != cur)
			return -ENOENT;
	}
}

/* The user's pages at uptr (less iova's offset in its page) are the ones pinned. */
static int check_pages(struct sim_ioas *ioas, uint64_t iova, uint64_t length, uint64_t uptr)
{
	uint64_t first = iova & ~(SIM_PAGE_SIZE - 1);
	uint64_t end = (iova + length + SIM_PAGE_SIZE - 1) & ~(SIM_PAGE_SIZE - 1), at;
	struct sim_page_id want, have;
	struct sim_vmas *vs = sim_vmas_load(false);
	int ret = 0;

	if (!vs)
		return -ENOMEM;
	uptr -= iova - first;
	for (at = first; at < end && !ret; at += SIM_PAGE_SIZE, uptr += SIM_PAGE_SIZE) {
		uint64_t in = at < iova ? iova : at; /* the first page may start before iova */
		const struct sim_area *a = &ioas->areas[sim_ioas_area_at(ioas, in)];

		if (sim_vmas_page_id(vs, uptr, &want))
			ret = -EFAULT;
		else if (sim_vmas_area_page_id(vs, a, in, &have) ||
			 have.dev != want.dev || have.ino != want.ino ||
			 (have.addr & ~(SIM_PAGE_SIZE - 1)) != (want.addr & ~(SIM_PAGE_SIZE - 1)))
			ret = -EBADE;
	}
	sim_vmas_free(vs);
	return ret;
}

/* Can the kernel pin what [iova, last] maps (present, a file's pages inside the file)? */
static int pinnable(struct sim_ioas *ioas, uint64_t iova, uint64_t last)
{
	long i = sim_ioas_area_at(ioas, iova);
	uint64_t cur = iova;
	int ret;

	for (; i >= 0 && (size_t)i < ioas->nareas && ioas->areas[i].iova <= last; i++) {
		const struct sim_area *a = &ioas->areas[i];
		uint64_t e = a->last < last ? a->last : last;

		ret = a->file >= 0 ? 0 :
				     sim_user_range_present(a->uva + (cur - a->iova), e - cur + 1);
		if (ret)
			return ret;
		cur = e + 1;
	}
	return 0;
}

static int access_pages(struct sim_ucmd *ucmd, struct iofd_test_cmd *cmd)
{
	uint32_t flags = cmd->access_pages.flags;
	uint64_t iova = cmd->access_pages.iova, length = cmd->access_pages.length, last;
	struct sim_staccess *st;
	struct sim_ioas *ioas;
	struct st_item *it;
	int ret;

	if (length > SIM_ACCESS_MAX_LEN)
		return -ENOMEM;
	if (flags & ~(IOFD_MOCK_ACCESS_WRITE | IOFD_MOCK_ACCESS_SYZ))
		return -EOPNOTSUPP;
	st = st_get(ucmd->ictx->sim, cmd->id);
	if (!st)
		return -EBADFD;
	if (!st->needs_pin)
		return -EOPNOTSUPP;
	ioas = st->access->ioas;
	if (flags & IOFD_MOCK_ACCESS_SYZ)
		iova = syz_iova(ioas, iova);
	if (!ioas)
		return -ENOENT;
	if (!length)
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	ret = walk_areas(ioas, iova, last, flags & IOFD_MOCK_ACCESS_WRITE, true);
	ret = ret ?: pinnable(ioas, iova, last);
	/* a fuzzer may give no user address: the pages are then not compared */
	if (!ret && cmd->access_pages.uptr)
		ret = check_pages(ioas, iova, length, cmd->access_pages.uptr);
	if (ret)
		return ret;
	it = calloc(1, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->iova = iova;
	it->length = length;
	it->id = st->next_id++;
	it->next = st->items;
	st->items = it;
	cmd->access_pages.out_access_pages_id = it->id;
	sim_ucmd_respond(ucmd, sizeof(*cmd));
	return 0;
}

static int destroy_access_pages(struct sim_ucmd *ucmd, struct iofd_test_cmd *cmd)
{
	struct sim_staccess *st = st_get(ucmd->ictx->sim, cmd->id);
	struct st_item **pp, *it;

	if (!st)
		return -EBADFD;
	for (pp = &st->items; (it = *pp); pp = &it->next) {
		if (it->id == cmd->destroy_access_pages.access_pages_id) {
			*pp = it->next;
			free(it);
			return 0;
		}
	}
	return -ENOENT;
}

/* Copy between buf and what [iova, iova + len) maps; the areas were checked. */
static int rw_areas(struct sim_ioas *ioas, uint64_t iova, unsigned char *buf, uint64_t len,
		    bool write)
{
	uint64_t last = iova + len - 1, cur = iova;
	long i = sim_ioas_area_at(ioas, iova);

	while (cur <= last && cur >= iova) {
		const struct sim_area *a = &ioas->areas[i++];
		uint64_t e = a->last < last ? a->last : last, n = e - cur + 1;
		uint64_t at = a->uva + (cur - a->iova);
		int ret;

		if (a->file >= 0) {
			ssize_t done = write ? pwrite(a->file, buf, n, (off_t)at) :
					       pread(a->file, buf, n, (off_t)at);

			ret = done == (ssize_t)n ? 0 : -EFAULT;
		} else {
			ret = write ? sim_user_write(at, buf, n) : sim_user_read(buf, at, n);
		}
		if (ret)
			return ret;
		buf += n;
		if (e == last)
			break;
		cur = e + 1;
	}
	return 0;
}

static int access_rw(struct sim_ucmd *ucmd, struct iofd_test_cmd *cmd)
{
	uint32_t flags = cmd->access_rw.flags;
	uint64_t iova = cmd->access_rw.iova, length = cmd->access_rw.length, last;
	bool write = flags & IOFD_MOCK_ACCESS_WRITE;
	struct sim_staccess *st;
	struct sim_ioas *ioas;
	unsigned char *tmp;
	int ret;

	if (length > SIM_ACCESS_MAX_LEN)
		return -ENOMEM;
	if (flags & ~(IOFD_MOCK_ACCESS_WRITE | IOFD_MOCK_ACCESS_RW_SLOW_PATH |
		      IOFD_MOCK_ACCESS_SYZ))
		return -EOPNOTSUPP;
	st = st_get(ucmd->ictx->sim, cmd->id);
	if (!st)
		return -EBADFD;
	tmp = calloc(1, length ? length : 1);
	if (!tmp)
		return -ENOMEM;
	ret = write ? sim_user_read(tmp, cmd->access_rw.uptr, length) : 0;
	if (ret)
		goto out;
	ioas = st->access->ioas;
	if (flags & IOFD_MOCK_ACCESS_SYZ)
		iova = syz_iova(ioas, iova);
	if (!ioas) {
		ret = -ENOENT;
	} else if (!length) {
		ret = -EINVAL;
	} else if (__builtin_add_overflow(iova, length - 1, &last)) {
		ret = -EOVERFLOW;
	} else {
		ret = walk_areas(ioas, iova, last, write, false);
		ret = ret ?: rw_areas(ioas, iova, tmp, length, write);
	}
	if (!ret && !write)
		ret = sim_user_write(cmd->access_rw.uptr, tmp, length);
out:
	free(tmp);
	return ret;
}

static int access_replace_ioas(struct sim_ucmd *ucmd, struct iofd_test_cmd *cmd)
{
	struct sim_staccess *st = st_get(ucmd->ictx->sim, cmd->id);
	struct sim_ioas *ioas;

	if (!st)
		return -EBADFD;
	if (!st->access->ioas)
		return -ENOENT;
	ioas = sim_ioas_get(ucmd->ictx, cmd->access_replace_ioas.ioas_id);
	if (!ioas)
		return -ENOENT;
	return change_ioas(st, ioas);
}

int sim_test_access(struct sim_ucmd *ucmd)
{
	struct iofd_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IOFD_TEST_OP_CREATE_ACCESS:
		return create_access(ucmd, cmd);
	case IOFD_TEST_OP_ACCESS_PAGES:
		return access_pages(ucmd, cmd);
	case IOFD_TEST_OP_DESTROY_ACCESS_PAGES:
		return destroy_access_pages(ucmd, cmd);
	case IOFD_TEST_OP_ACCESS_RW:
		return access_rw(ucmd, cmd);
	case IOFD_TEST_OP_ACCESS_REPLACE_IOAS:
		return access_replace_ioas(ucmd, cmd);
	default:
		return -EOPNOTSUPP;
	}
}
