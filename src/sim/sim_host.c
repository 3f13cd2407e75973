// SPDX-License-Identifier: LGPL-2.1-or-later
/* The simulator as the kernel of a whole process: see sim_host.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sim/sim_host.h"
#include "sim/sim_internal.h"

void sim_host_set_fd_hooks(struct iommufd_sim *sim, void (*changed)(void *arg, int fd, bool added),
			   void *arg)
{
	pthread_mutex_lock(&sim->lock);
	sim->fd_changed = changed;
	sim->fd_hook_arg = arg;
	pthread_mutex_unlock(&sim->lock);
}

int sim_host_dup(struct iommufd_sim *sim, int fd, int copy)
{
	struct sim_fd *f;
	int ret = 0;

	pthread_mutex_lock(&sim->lock);
	f = sim_fd_lookup(sim, fd);
	if (!f)
		ret = -EBADF;
	else if (copy < 0 || sim_fd_lookup(sim, copy))
		ret = -EINVAL; /* a number is one file's only: the host closes it first */
	else if (!sim_fd_add_number(sim, (size_t)(f - sim->fds), copy, f->proc))
		ret = -ENOMEM;
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

bool sim_host_adopt(struct iommufd_sim *sim, int fd)
{
	bool ours;

	pthread_mutex_lock(&sim->lock);
	/* The host's program is the simulator's process 0 (the transport's priv is sim). */
	ours = sim_fd_get(sim, fd, 0) != NULL;
	pthread_mutex_unlock(&sim->lock);
	return ours;
}

/* /dev/iommu and VFIO device files have no read or write: the VFS says EINVAL. */
long sim_host_read(struct iommufd_sim *sim, int fd, void *buf, size_t len)
{
	struct sim_fd *f;
	long ret;

	pthread_mutex_lock(&sim->lock);
	f = sim_fd_lookup(sim, fd);
	if (!f)
		ret = -EBADF;
	else if (f->kind != SIM_FD_FILE)
		ret = -EINVAL;
	else
		ret = sim_file_read(f->ptr, buf, len);
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

long sim_host_write(struct iommufd_sim *sim, int fd, const void *buf, size_t len)
{
	struct sim_fd *f;
	long ret;

	pthread_mutex_lock(&sim->lock);
	f = sim_fd_lookup(sim, fd);
	if (!f)
		ret = -EBADF;
	else if (f->kind != SIM_FD_FILE)
		ret = -EINVAL;
	else
		ret = sim_file_write(f->ptr, buf, len);
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

long sim_host_pread(struct iommufd_sim *sim, int fd, void *buf, size_t len, uint64_t off,
		    bool write)
{
	struct sim_fd *f;
	long ret;

	pthread_mutex_lock(&sim->lock);
	f = sim_fd_lookup(sim, fd);
	if (!f)
		ret = -EBADF;
	else if (f->kind != SIM_FD_FILE)
		ret = -ESPIPE;
	else if (write)
		ret = sim_file_pwrite(f->ptr, buf, len, off);
	else
		ret = sim_file_pread(f->ptr, buf, len, off);
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

/* ---- fault injection: the kernel's /proc/<pid>/task/<tid>/fail-nth -------------------------- */

/*
 * Writing n makes the n-th kernel call from then on fail (ENOMEM, as a failed allocation
 * inside it would), 0 turns it off; reading says how many calls are left before it fires (0
 * once it has). The count is the simulator's (iommufd_sim_fail_nth()): open and ioctl.
 */
static struct iommufd_sim *fail_nth_sim(struct sim_file *f)
{
	return f->sim;
}

static long fail_nth_pread(struct sim_file *f, void *buf, size_t len, uint64_t off)
{
	char text[16];
	size_t n = (size_t)snprintf(text, sizeof(text), "%u\n", fail_nth_sim(f)->fail_countdown);

	if (off >= n)
		return 0;
	if (len > n - off)
		len = n - off;
	return sim_user_write((uintptr_t)buf, text + off, len) ? -EFAULT : (long)len;
}

static long fail_nth_read(struct sim_file *f, void *buf, size_t len)
{
	return fail_nth_pread(f, buf, len, 0);
}

static long fail_nth_pwrite(struct sim_file *f, const void *buf, size_t len, uint64_t off)
{
	struct iommufd_sim *sim = fail_nth_sim(f);
	char text[16], *end;
	unsigned long n;

	(void)off;
	if (!len || len >= sizeof(text))
		return -EINVAL;
	if (sim_user_read(text, (uintptr_t)buf, len))
		return -EFAULT;
	text[len] = '\0';
	n = strtoul(text, &end, 0);
	if (end == text || (*end && *end != '\n') || n > UINT32_MAX)
		return -EINVAL;
	sim->fail_countdown = (unsigned int)n;
	sim->fail_err = ENOMEM;
	return (long)len;
}

static long fail_nth_write(struct sim_file *f, const void *buf, size_t len)
{
	return fail_nth_pwrite(f, buf, len, 0);
}

static void fail_nth_release(struct sim_file *f)
{
	free(f);
}

static const struct sim_file_ops fail_nth_ops = {
	.read = fail_nth_read,
	.write = fail_nth_write,
	.pread = fail_nth_pread,
	.pwrite = fail_nth_pwrite,
	.release = fail_nth_release,
};

int sim_host_open_fail_nth(struct iommufd_sim *sim)
{
	struct sim_file *f = calloc(1, sizeof(*f));
	int fd;

	if (!f)
		return -ENOMEM;
	pthread_mutex_lock(&sim->lock);
	fd = sim_file_install(sim, f, &fail_nth_ops, 0);
	pthread_mutex_unlock(&sim->lock);
	if (fd < 0)
		free(f);
	return fd;
}

void sim_host_lock(struct iommufd_sim *sim)
{
	pthread_mutex_lock(&sim->lock);
}

void sim_host_unlock(struct iommufd_sim *sim)
{
	pthread_mutex_unlock(&sim->lock);
}

/* mmap(2) of /dev/iommu (the kernel's iommufd_fops_mmap()); other files have none here. */
int sim_host_mmap(struct iommufd_sim *sim, int fd, uint64_t len, int prot, int flags, uint64_t off,
		  int *map_fd, uint64_t *map_off, void **cookie)
{
	struct sim_fd *f;
	int ret;

	pthread_mutex_lock(&sim->lock);
	f = sim_fd_lookup(sim, fd);
	if (!f)
		ret = -EBADF;
	else if (f->kind == SIM_FD_DEVICE)
		ret = -EINVAL; /* VFIO's regions are not modelled */
	else if (f->kind != SIM_FD_IOMMUFD)
		ret = -ENODEV;
	else if (!(flags & MAP_SHARED))
		ret = -EINVAL;
	else if (prot & PROT_EXEC)
		ret = -EPERM;
	else
		ret = sim_viommu_mmap(f->ptr, off, len, map_fd, map_off, cookie);
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

void sim_host_munmap(struct iommufd_sim *sim, void *cookie)
{
	pthread_mutex_lock(&sim->lock);
	sim_viommu_munmap(NULL, cookie);
	pthread_mutex_unlock(&sim->lock);
}
