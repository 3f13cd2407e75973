// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulator's public face: create it from a topology, open contexts on
 * it, inject faults, count live kernel objects, play device DMA. One mutex
 * guards all simulator state; the simulator lives while its creator or any
 * context holds a reference.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/sim_internal.h"
#include "sim/sim_transport.h"

static __thread char sim_last_error[SIM_ERR_MAX];

const char *iommufd_sim_last_error(void)
{
	return sim_last_error;
}

static int sim_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int sim_fail(int err, const char *fmt, ...)
{
	char msg[SIM_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A file name may hold any byte: the message stays one line. */
	sim_msg_escape(sim_last_error, sizeof(sim_last_error), msg);
	return err;
}

/* JSON text starts with '{' (or '['); anything else is a file path. */
static bool looks_like_json(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return *s == '{' || *s == '[';
}

/* The whole file, read only up to SIM_TOPOLOGY_MAX + 1 bytes: -EFBIG when larger. */
static int read_file(const char *path, char **out, size_t *outlen)
{
	size_t len = 0, cap = 4096;
	char *buf, *nbuf;
	struct stat st;
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > (off_t)SIM_TOPOLOGY_MAX) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (len == cap) {
			if (cap > SIM_TOPOLOGY_MAX) {
				err = -EFBIG;
				goto out_free;
			}
			/* Grows to the limit and one byte more, which tells a larger file apart. */
			cap = cap * 2 > SIM_TOPOLOGY_MAX ? SIM_TOPOLOGY_MAX + 1 : cap * 2;
			nbuf = realloc(buf, cap + 1);
			if (!nbuf) {
				err = -ENOMEM;
				goto out_free;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out_free;
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;

out_free:
	free(buf);
	close(fd);
	return err;
}

int iommufd_sim_new(const char *topology_json, struct iommufd_sim **out)
{
	char err[SIM_ERR_MAX] = "";
	struct iommufd_sim *sim;
	char *text = NULL;
	size_t len = 0;
	int ret;

	sim_last_error[0] = '\0';
	if (!out)
		return sim_fail(-EINVAL, "iommufd_sim_new: out is NULL");
	*out = NULL;
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return sim_fail(-ENOMEM, "iommufd_sim_new: out of memory");

	if (!topology_json) {
		ret = sim_topology_default(&sim->topo, err, sizeof(err));
	} else if (looks_like_json(topology_json)) {
		ret = sim_topology_parse(topology_json, strlen(topology_json), &sim->topo, err,
					 sizeof(err));
	} else {
		ret = read_file(topology_json, &text, &len);
		if (ret == -EFBIG) {
			sim_fail(ret, "topology %s: larger than the limit of %s", topology_json,
				 SIM_TOPOLOGY_MAX_STR);
			goto out_free;
		}
		if (ret) {
			sim_fail(ret, "topology %s: %s", topology_json, strerror(-ret));
			goto out_free;
		}
		ret = sim_topology_parse(text, len, &sim->topo, err, sizeof(err));
		free(text);
	}
	if (ret) {
		sim_fail(ret, "%s", err[0] ? err : strerror(-ret));
		goto out_free;
	}
	pthread_mutex_init(&sim->lock, NULL);
	sim->refs = 1;
	sim->self.sim = sim;
	*out = sim;
	return 0;

out_free:
	free(sim);
	return ret;
}

/* Close every number of the files of one kind. */
static void close_kind(struct iommufd_sim *sim, enum sim_fd_kind kind)
{
	size_t i = sim->nfds;

	while (i-- > 0) {
		if (sim->fds[i].kind != kind)
			continue;
		sim_fd_close(sim, &sim->fds[i]);
		i = sim->nfds; /* a file's release may close others */
	}
}

/* Tear down what is left (files the user never closed) and free the simulator. */
static void sim_destroy(struct iommufd_sim *sim)
{
	size_t i;

	/* The numbers the program got by itself (received, dup'ed) stay its own to close. */
	for (i = 0; i < sim->nfds; i++)
		if (!sim->fds[i].own)
			sim->fds[i].fd = -1;
	/*
	 * Other files first (event queues, accesses hold their context), then device
	 * files: closing them unbinds and drops their context references, so every
	 * context left is held by its open file alone.
	 */
	close_kind(sim, SIM_FD_FILE);
	close_kind(sim, SIM_FD_DEVICE);
	close_kind(sim, SIM_FD_IOMMUFD);
	free(sim->fds);
	sim_topology_free(&sim->topo);
	pthread_mutex_unlock(&sim->lock);
	pthread_mutex_destroy(&sim->lock);
	free(sim);
}

void sim_put_locked(struct iommufd_sim *sim)
{
	if (--sim->refs == 0) {
		sim_destroy(sim);
		return;
	}
	pthread_mutex_unlock(&sim->lock);
}

void iommufd_sim_free(struct iommufd_sim *sim)
{
	if (!sim)
		return;
	pthread_mutex_lock(&sim->lock);
	sim_put_locked(sim);
}

/*
 * libiommufd makes the context: the simulator hands its transport down and is called
 * through it from then on (architecture.md, "Two libraries").
 */
/* A new process, holding a reference on the simulator (the transport's release drops it). */
static struct sim_proc *proc_new(struct iommufd_sim *sim)
{
	struct sim_proc *proc = calloc(1, sizeof(*proc));

	if (!proc)
		return NULL;
	proc->sim = sim;
	pthread_mutex_lock(&sim->lock);
	sim->refs++;
	proc->id = ++sim->nprocs;
	pthread_mutex_unlock(&sim->lock);
	return proc;
}

static void proc_free(struct sim_proc *proc)
{
	struct iommufd_sim *sim = proc->sim;

	free(proc);
	pthread_mutex_lock(&sim->lock);
	sim_put_locked(sim);
}

int iommufd_sim_open(struct iommufd_sim *sim, struct iommufd_ctx **out)
{
	struct sim_proc *proc;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!sim)
		return -EINVAL;
	/* Each context is a process of its own. */
	proc = proc_new(sim);
	if (!proc)
		return -ENOMEM;
	ret = iofd_ctx_open_transport(&iofd_sim_transport_ops, proc, out);
	if (ret)
		proc_free(proc);
	return ret;
}

/* The numbers of the program that refer to a simulated file the table does not know yet. */
static void adopt_numbers(struct iommufd_sim *sim, unsigned int proc)
{
	struct dirent *de;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		return;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd == dirfd(d) || sim_fd_lookup(sim, fd))
			continue;
		sim_fd_get(sim, fd, proc);
	}
	closedir(d);
}

int iommufd_sim_from_fd(struct iommufd_sim *sim, int fd, struct iommufd_ctx **out)
{
	struct sim_proc *proc;
	struct sim_fd *f;
	int ret = 0;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!sim)
		return -EINVAL;
	proc = proc_new(sim);
	if (!proc)
		return -ENOMEM;
	pthread_mutex_lock(&sim->lock);
	f = sim_fd_lookup(sim, fd);
	if (f && f->kind == SIM_FD_IOMMUFD) {
		/* Another context's number: a new process has numbers of its own. */
		ret = -EBUSY;
	} else {
		f = sim_fd_get(sim, fd, proc->id);
		if (!f || f->kind != SIM_FD_IOMMUFD)
			ret = -EBADF;
	}
	/* What the new process holds is its own: the old one's closes leave it open. */
	if (!ret)
		adopt_numbers(sim, proc->id);
	pthread_mutex_unlock(&sim->lock);
	if (!ret)
		ret = iofd_ctx_open_transport_fd(&iofd_sim_transport_ops, proc, fd, out);
	if (ret)
		proc_free(proc);
	return ret;
}

int iommufd_sim_close_fd(struct iommufd_sim *sim, int fd)
{
	struct sim_fd *f;
	int ret = 0;

	if (!sim)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	f = sim_fd_get(sim, fd, 0);
	if (f)
		sim_fd_close(sim, f);
	else
		ret = -EBADF;
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

/* CPU pages an area spans: what pinning it takes. */
static uint64_t area_pages(const struct sim_area *a)
{
	uint64_t first = a->uva / SIM_PAGE_SIZE;

	return (a->uva + (a->last - a->iova)) / SIM_PAGE_SIZE - first + 1;
}

long iommufd_sim_pinned_pages(struct iommufd_sim *sim, int fd)
{
	struct sim_ictx *ictx;
	struct sim_fd *f;
	unsigned int proc;
	uint32_t id;
	size_t i;
	long n = 0;

	if (!sim)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	/* A number the simulator knows: which process holds a number it never saw is unknown. */
	f = sim_fd_lookup(sim, fd);
	if (!f) {
		pthread_mutex_unlock(&sim->lock);
		return -EBADF;
	}
	proc = f->proc;
	/* Pages are pinned while a domain maps them. */
	for (ictx = sim->ictxs; ictx; ictx = ictx->next) {
		for (id = 1; id < ictx->objs_cap; id++) {
			const struct sim_ioas *ioas = sim_ioas_get(ictx, id);

			if (!ioas || !ioas->nhwpts)
				continue;
			for (i = 0; i < ioas->nareas; i++)
				if (ioas->areas[i].owner == proc)
					n += area_pages(&ioas->areas[i]);
		}
	}
	pthread_mutex_unlock(&sim->lock);
	return n;
}

long iommufd_sim_live_objects(const struct iommufd_sim *csim)
{
	/* Counting needs the lock; the simulator itself is not changed. */
	struct iommufd_sim *sim = (struct iommufd_sim *)csim;
	struct sim_ictx *ictx;
	long n = 0;

	if (!sim)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	for (ictx = sim->ictxs; ictx; ictx = ictx->next)
		n += ictx->nobjs;
	pthread_mutex_unlock(&sim->lock);
	return n;
}

/* The largest errno: the kernel's returns are -1..-MAX_ERRNO. */
#define SIM_MAX_ERRNO 4095

int iommufd_sim_fail_nth(struct iommufd_sim *sim, unsigned n, int err)
{
	if (!sim)
		return -EINVAL;
	/* An errno, positive or (as callers have long passed it) negative; n 0 ignores it. */
	if (!n)
		err = 0;
	else if (err >= -SIM_MAX_ERRNO && err < 0)
		err = -err;
	else if (err <= 0 || err > SIM_MAX_ERRNO)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	sim->fail_countdown = n;
	sim->fail_err = err;
	pthread_mutex_unlock(&sim->lock);
	return 0;
}

int iommufd_sim_dma_write(struct iommufd_sim *sim, const char *device, uint64_t iova,
			  uint64_t len)
{
	struct sim_device *dev;
	int ret;

	if (!sim || !device)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	dev = sim_topology_find(&sim->topo, device);
	if (!dev)
		ret = -ENODEV;
	else
		ret = sim_device_dma_write(sim, dev, iova, len);
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

/* ---- file descriptors ---------------------------------------------------- */

struct sim_fd *sim_fd_lookup(struct iommufd_sim *sim, int fd)
{
	size_t i;

	if (fd < 0)
		return NULL;
	for (i = 0; i < sim->nfds; i++)
		if (sim->fds[i].fd == fd)
			return &sim->fds[i];
	return NULL;
}

/* A host keeps its own table of the numbers (sim_host.h): told before a number is reused. */
static void fd_told(struct iommufd_sim *sim, int fd, bool added)
{
	if (sim->fd_changed && fd >= 0)
		sim->fd_changed(sim->fd_hook_arg, fd, added);
}

static int fds_grow(struct iommufd_sim *sim)
{
	struct sim_fd *fds;
	size_t cap;

	if (sim->nfds < sim->fds_cap)
		return 0;
	cap = sim->fds_cap ? sim->fds_cap * 2 : 16;
	fds = realloc(sim->fds, cap * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	sim->fds = fds;
	sim->fds_cap = cap;
	return 0;
}

struct sim_fd *sim_fd_add_number(struct iommufd_sim *sim, size_t of, int fd, unsigned int proc)
{
	struct sim_fd *f;

	if (fds_grow(sim))
		return NULL;
	f = &sim->fds[sim->nfds++];
	*f = sim->fds[of];
	f->fd = fd;
	f->proc = proc;
	f->own = false;
	fd_told(sim, fd, true);
	return f;
}

/* The memfd behind a number is the one of this entry's file (an eventfd tells none apart). */
static bool same_file(const struct sim_fd *f, const struct stat *st)
{
	return f->ino && f->dev == (uint64_t)st->st_dev && f->ino == (uint64_t)st->st_ino;
}

struct sim_fd *sim_fd_get(struct iommufd_sim *sim, int fd, unsigned int proc)
{
	struct sim_fd *f = sim_fd_lookup(sim, fd);
	struct stat st;
	size_t i;

	if (f || fd < 0 || fstat(fd, &st))
		return f;
	/* The same memfd: the same simulated file, at one more number. */
	for (i = 0; i < sim->nfds; i++)
		if (same_file(&sim->fds[i], &st))
			return sim_fd_add_number(sim, i, fd, proc);
	return NULL;
}

bool sim_fd_is_sim_file(struct iommufd_sim *sim, int fd)
{
	struct stat st;
	size_t i;

	if (sim_fd_lookup(sim, fd))
		return true;
	if (fd < 0 || fstat(fd, &st))
		return false;
	for (i = 0; i < sim->nfds; i++)
		if (same_file(&sim->fds[i], &st))
			return true;
	return false;
}

/*
 * A real, unique descriptor number stands for each open simulated file: /dev/iommu and a
 * cdev a memfd of its own (its identity), any other file an eventfd (its readiness).
 */
int sim_fd_add(struct iommufd_sim *sim, enum sim_fd_kind kind, void *ptr, unsigned int proc)
{
	struct stat st = { 0 };
	int fd;

	if (fds_grow(sim))
		return -ENOMEM;
	if (kind == SIM_FD_FILE)
		fd = eventfd(0, EFD_CLOEXEC);
	else
		fd = memfd_create("iommufd-sim", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (kind != SIM_FD_FILE && fstat(fd, &st)) {
		close(fd);
		return -EMFILE;
	}
	sim->fds[sim->nfds++] = (struct sim_fd){
		.fd = fd, .kind = kind, .ptr = ptr, .proc = proc,
		.dev = st.st_dev, .ino = st.st_ino, .own = true,
	};
	fd_told(sim, fd, true);
	return fd;
}

/* The file's own record of a number it answers to (-1: none the program holds). */
static void file_numbered(enum sim_fd_kind kind, void *ptr, int fd)
{
	switch (kind) {
	case SIM_FD_IOMMUFD:
		((struct sim_ictx *)ptr)->fd = fd;
		break;
	case SIM_FD_DEVICE:
		((struct sim_df *)ptr)->fd = fd;
		break;
	case SIM_FD_FILE:
		((struct sim_file *)ptr)->fd = fd;
		break;
	}
}

void sim_fd_close(struct iommufd_sim *sim, struct sim_fd *f)
{
	enum sim_fd_kind kind = f->kind;
	void *ptr = f->ptr;
	int fd = f->fd, other = -1;
	bool last = true;
	size_t i;

	*f = sim->fds[--sim->nfds];
	/* The host forgets the number before it can be given out again. */
	if (fd >= 0) {
		fd_told(sim, fd, false);
		close(fd);
	}
	for (i = 0; i < sim->nfds; i++) {
		if (sim->fds[i].ptr != ptr)
			continue;
		last = false;
		if (sim->fds[i].fd >= 0) {
			other = sim->fds[i].fd;
			break;
		}
	}
	file_numbered(kind, ptr, other);
	if (!last)
		return;
	switch (kind) {
	case SIM_FD_IOMMUFD:
		sim_ictx_close_fd(ptr);
		break;
	case SIM_FD_DEVICE:
		sim_df_close(ptr);
		break;
	case SIM_FD_FILE:
		sim_file_release(ptr);
		break;
	}
}

/* Pinning user pages fails on addresses this process has not mapped. */
int sim_user_range_present(uint64_t uva, uint64_t len)
{
	uint64_t start = uva & ~(SIM_PAGE_SIZE - 1);
	unsigned char vec[4096];
	uint64_t end;

	if (__builtin_add_overflow(uva, len, &end) || end > UINT64_MAX - SIM_PAGE_SIZE)
		return -EFAULT;
	end = (end + SIM_PAGE_SIZE - 1) & ~(SIM_PAGE_SIZE - 1);
	if (!start)
		return -EFAULT;
	/* mincore() fails with ENOMEM on a hole and changes nothing. */
	while (start < end) {
		uint64_t chunk = end - start;

		if (chunk > sizeof(vec) * SIM_PAGE_SIZE)
			chunk = sizeof(vec) * SIM_PAGE_SIZE;
		if (mincore((void *)(uintptr_t)start, chunk, vec))
			return -EFAULT;
		start += chunk;
	}
	return 0;
}

/* Does madvise(MADV_POPULATE_WRITE) (Linux 5.14) work here? 1 yes, 0 no, -1 not asked yet. */
static int populate_write_known = -1;

static bool populate_write_works(void)
{
	static char probe[1] __attribute__((aligned(64)));
	long pg = sysconf(_SC_PAGESIZE);
	int known = __atomic_load_n(&populate_write_known, __ATOMIC_RELAXED);

	if (known < 0) {
		/*
		 * A page of our own data is writeable: failing here means the advice
		 * is unknown (EINVAL) or madvise() itself is (ENOSYS without
		 * CONFIG_ADVISE_SYSCALLS).
		 */
		known = !madvise((void *)((uintptr_t)probe & ~(uintptr_t)(pg - 1)), pg,
				 MADV_POPULATE_WRITE);
		__atomic_store_n(&populate_write_known, known, __ATOMIC_RELAXED);
	}
	return known;
}

/*
 * Pinning user pages for writing (FOLL_WRITE) fails on addresses not mapped
 * or not writeable. MADV_POPULATE_WRITE faults the pages in writeable as
 * pinning does, and fails where pinning would; without it (kernels before
 * 5.14, or without madvise()) only presence is checked.
 */
int sim_user_range_writable(uint64_t uva, uint64_t len)
{
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE), start = uva & ~(pg - 1), end;

	if (!len)
		return 0;
	if (!start || __builtin_add_overflow(uva, len, &end) || end > UINT64_MAX - pg)
		return -EFAULT;
	if (!populate_write_works())
		return sim_user_range_present(uva, len);
	end = (end + pg - 1) & ~(pg - 1);
	/* ENOMEM: a hole; EFAULT (EINVAL on older kernels): not writeable, or not pinnable. */
	return madvise((void *)(uintptr_t)start, end - start, MADV_POPULATE_WRITE) ? -EFAULT : 0;
}
