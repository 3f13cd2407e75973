// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The calling process's memory as the kernel reaches it: copies that fail
 * with EFAULT rather than crash where nothing is mapped, what a page is (so
 * that two mappings of one page compare equal, as the kernel compares page
 * frames), and whether it is a huge page. The simulator runs in the process
 * whose memory it models, so it reads /proc/self/maps and smaps for what the
 * kernel would find in its page tables.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sim/sim_internal.h"

/*
 * Does process_vm_readv() work here? A kernel without CONFIG_CROSS_MEMORY_ATTACH (the VM
 * tier's tinyconfig) or a seccomp filter answers ENOSYS or EPERM: 1 yes, 0 no, -1 not asked.
 */
static int cma_works = -1;

static bool cma_usable(ssize_t ret)
{
	if (ret < 0 && (errno == ENOSYS || errno == EPERM)) {
		__atomic_store_n(&cma_works, 0, __ATOMIC_RELAXED);
		return false;
	}
	__atomic_store_n(&cma_works, 1, __ATOMIC_RELAXED);
	return true;
}

/*
 * Without it, through a pipe: write(2) from memory that is not readable, and read(2) into
 * memory that is not writeable, fail with EFAULT as the kernel's own copies do. In pieces no
 * larger than a pipe's smallest capacity, so that neither end blocks.
 */
#define PIPE_PIECE 4096

static int pipe_copy(void *dst, const void *src, size_t len)
{
	size_t done = 0, n;
	int p[2], ret = 0;

	if (pipe2(p, O_CLOEXEC))
		return -ENOMEM;
	while (done < len) {
		n = len - done < PIPE_PIECE ? len - done : PIPE_PIECE;
		if (write(p[1], (const char *)src + done, n) != (ssize_t)n ||
		    read(p[0], (char *)dst + done, n) != (ssize_t)n) {
			ret = -EFAULT;
			break;
		}
		done += n;
	}
	close(p[0]);
	close(p[1]);
	return ret;
}

/*
 * The fast path: command structs mostly live in their caller's stack frames. The calling
 * thread's stack from where the caller called the simulator (the floor, its entry point's
 * call frame address) up to its top is mapped and writeable: it holds the frames of every
 * caller. A range wholly inside it is copied directly, without a system call (which costs
 * some 0.5 us each way). Below the floor lie the simulator's own frames, which a stale
 * pointer may reach: the slow path. The stack's bounds are found once per thread; a floor
 * outside them (a coroutine's stack, a signal stack) or none (no entry point on the way)
 * takes the slow path too.
 */
static __thread uintptr_t stack_lo, stack_hi, user_floor;
static __thread bool stack_asked;

uintptr_t sim_user_enter(uintptr_t caller_sp)
{
	uintptr_t old = user_floor;

	/* a nested entry (a host's, then the transport's) keeps the outermost floor */
	if (caller_sp > user_floor)
		user_floor = caller_sp;
	return old;
}

void sim_user_leave(uintptr_t saved)
{
	user_floor = saved;
}

static bool in_live_stack(uint64_t uva, size_t len)
{
	pthread_attr_t attr;
	size_t size;
	void *lo;

	if (!user_floor)
		return false;
	if (!stack_asked) {
		stack_asked = true;
		if (!pthread_getattr_np(pthread_self(), &attr)) {
			if (!pthread_attr_getstack(&attr, &lo, &size)) {
				stack_lo = (uintptr_t)lo;
				stack_hi = (uintptr_t)lo + size;
			}
			pthread_attr_destroy(&attr);
		}
	}
	return user_floor > stack_lo && user_floor <= stack_hi && uva >= user_floor &&
	       uva < stack_hi && len <= stack_hi - uva;
}

/* process_vm_readv() on ourselves: EFAULT, not SIGSEGV, for memory that is not there. */
int sim_user_read(void *dst, uint64_t uva, size_t len)
{
	struct iovec local = { dst, len }, remote = { (void *)(uintptr_t)uva, len };
	ssize_t ret;

	if (!len)
		return 0;
	if (!uva)
		return -EFAULT;
	if (in_live_stack(uva, len)) {
		memcpy(dst, (const void *)(uintptr_t)uva, len);
		return 0;
	}
	if (__atomic_load_n(&cma_works, __ATOMIC_RELAXED)) {
		ret = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		if (cma_usable(ret))
			return ret == (ssize_t)len ? 0 : -EFAULT;
	}
	return pipe_copy(dst, (const void *)(uintptr_t)uva, len);
}

int sim_user_write(uint64_t uva, const void *src, size_t len)
{
	struct iovec local = { (void *)src, len }, remote = { (void *)(uintptr_t)uva, len };
	ssize_t ret;

	if (!len)
		return 0;
	if (!uva)
		return -EFAULT;
	if (in_live_stack(uva, len)) {
		memcpy((void *)(uintptr_t)uva, src, len);
		return 0;
	}
	if (__atomic_load_n(&cma_works, __ATOMIC_RELAXED)) {
		ret = process_vm_writev(getpid(), &local, 1, &remote, 1, 0);
		if (cma_usable(ret))
			return ret == (ssize_t)len ? 0 : -EFAULT;
	}
	return pipe_copy((void *)(uintptr_t)uva, src, len);
}

/*
 * The user's bytes in pieces that never cross a 4 KiB boundary: a piece that fails lies in
 * one page, unreachable from its first byte, so every byte before it has been seen (as the
 * kernel's word-by-word loops see them before their fault).
 */
#define USER_PIECE 4096

static size_t user_piece(uint64_t uva, uint64_t left)
{
	uint64_t n = USER_PIECE - uva % USER_PIECE;

	return n < left ? (size_t)n : (size_t)left;
}

int sim_user_clear(uint64_t uva, uint64_t len)
{
	static const unsigned char zeros[USER_PIECE];
	size_t n;

	for (; len; uva += n, len -= n) {
		n = user_piece(uva, len);
		if (sim_user_write(uva, zeros, n))
			return -EFAULT;
	}
	return 0;
}

/* check_zeroed_user(): 0 when all are zero, -E2BIG at a set byte, -EFAULT at a fault first. */
static int user_check_zeroed(uint64_t uva, uint64_t len)
{
	unsigned char piece[USER_PIECE];
	size_t n, i;

	for (; len; uva += n, len -= n) {
		n = user_piece(uva, len);
		if (sim_user_read(piece, uva, n))
			return -EFAULT;
		for (i = 0; i < n; i++)
			if (piece[i])
				return -E2BIG;
	}
	return 0;
}

int sim_user_struct_read(void *dst, size_t size, uint64_t uva, uint64_t usize)
{
	/* the common case first: the whole user struct in one copy */
	if (usize <= size && !sim_user_read(dst, uva, usize)) {
		memset((char *)dst + usize, 0, size - usize);
		return 0;
	}
	if (usize > size) {
		int ret = user_check_zeroed(uva + size, usize - size);

		if (ret)
			return ret;
	}
	memset(dst, 0, size);
	return sim_user_read(dst, uva, usize < size ? usize : size);
}

int sim_user_data_read(const struct sim_user_data *ud, uint32_t type, void *dst, size_t size,
		       size_t min)
{
	if (ud->type != type)
		return -EINVAL;
	if (ud->len < min || ud->len > size)
		return -EINVAL;
	return sim_user_struct_read(dst, size, ud->uptr, ud->len);
}

/* ---- the mappings of the process ------------------------------------------------------- */

struct vma {
	uint64_t start, end; /* [start, end) */
	uint64_t off, dev, ino;
	uint64_t page_size; /* smaps' KernelPageSize; 0 when not read */
};

/* A snapshot of the process's mappings: /proc/self/maps, or smaps with their page sizes. */
struct sim_vmas {
	struct vma *v;
	size_t n, cap;
};

struct sim_vmas *sim_vmas_load(bool page_sizes)
{
	const char *path = page_sizes ? "/proc/self/smaps" : "/proc/self/maps";
	struct sim_vmas *vs = calloc(1, sizeof(*vs));
	char line[512];
	FILE *f;

	if (!vs)
		return NULL;
	f = fopen(path, "re");
	if (!f) {
		free(vs);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, off, ino, kb;
		unsigned int maj, min;

		/* the rest of a line longer than the buffer */
		if (!strchr(line, '\n') && !feof(f)) {
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
		}
		if (vs->n && sscanf(line, "KernelPageSize: %llu kB", &kb) == 1) {
			vs->v[vs->n - 1].page_size = kb * 1024;
			continue;
		}
		if (sscanf(line, "%llx-%llx %*s %llx %x:%x %llu", &start, &end, &off, &maj, &min,
			   &ino) != 6)
			continue;
		if (vs->n == vs->cap) {
			size_t cap = vs->cap ? vs->cap * 2 : 64;
			struct vma *nv = realloc(vs->v, cap * sizeof(*nv));

			if (!nv)
				break;
			vs->v = nv;
			vs->cap = cap;
		}
		vs->v[vs->n++] = (struct vma){
			.start = start, .end = end, .off = off,
			.dev = ((uint64_t)maj << 32) | min, .ino = ino,
		};
	}
	fclose(f);
	return vs;
}

void sim_vmas_free(struct sim_vmas *vs)
{
	if (vs) {
		free(vs->v);
		free(vs);
	}
}

/* The kernel lists mappings in address order. */
static const struct vma *vma_at(const struct sim_vmas *vs, uint64_t uva)
{
	size_t lo = 0, hi = vs->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (vs->v[mid].end <= uva)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < vs->n && vs->v[lo].start <= uva ? &vs->v[lo] : NULL;
}

int sim_vmas_page_id(const struct sim_vmas *vs, uint64_t uva, struct sim_page_id *id)
{
	const struct vma *v = vma_at(vs, uva);

	if (!v)
		return -EFAULT;
	if (v->ino) {
		/* a file's page (shared anonymous memory is a file of shmem too) */
		id->dev = v->dev;
		id->ino = v->ino;
		id->addr = v->off + (uva - v->start);
	} else {
		id->dev = 0;
		id->ino = 0;
		id->addr = uva;
	}
	return 0;
}

int sim_vmas_area_page_id(const struct sim_vmas *vs, const struct sim_area *a, uint64_t iova,
			  struct sim_page_id *id)
{
	uint64_t at = a->uva + (iova - a->iova);
	struct stat st;

	if (a->file < 0)
		return sim_vmas_page_id(vs, at, id);
	if (fstat(a->file, &st))
		return -EFAULT;
	/* as /proc/self/maps writes it */
	id->dev = ((uint64_t)major(st.st_dev) << 32) | minor(st.st_dev);
	id->ino = st.st_ino;
	id->addr = at;
	return 0;
}

uint64_t sim_vmas_page_size(const struct sim_vmas *vs, uint64_t uva)
{
	const struct vma *v = vma_at(vs, uva);

	return v ? (v->page_size ? v->page_size : SIM_PAGE_SIZE) : 0;
}

bool sim_user_huge(uint64_t uva)
{
	struct sim_vmas *vs = sim_vmas_load(true);
	bool huge = vs && sim_vmas_page_size(vs, uva) > SIM_PAGE_SIZE;

	sim_vmas_free(vs);
	return huge;
}
