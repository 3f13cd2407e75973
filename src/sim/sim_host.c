// SPDX-License-Identifier: LGPL-2.1-or-later
/* The simulator as the kernel of a whole process: see sim_host.h. */
#include <errno.h>
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

/* pread(2), pwrite(2): only the simulator's own files have them (ESPIPE). */
static long host_positional_io(struct iommufd_sim *sim, int fd, void *rbuf, const void *wbuf,
			       size_t len, uint64_t off)
{
	struct sim_fd *f;
	long ret;

	pthread_mutex_lock(&sim->lock);
	f = sim_fd_lookup(sim, fd);
	if (!f)
		ret = -EBADF;
	else if (f->kind != SIM_FD_FILE)
		ret = -ESPIPE;
	else if (wbuf)
		ret = sim_file_pwrite(f->ptr, wbuf, len, off);
	else
		ret = sim_file_pread(f->ptr, rbuf, len, off);
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

long sim_host_pread(struct iommufd_sim *sim, int fd, void *buf, size_t len, uint64_t off)
{
	return host_positional_io(sim, fd, buf, NULL, len, off);
}

long sim_host_pwrite(struct iommufd_sim *sim, int fd, const void *buf, size_t len, uint64_t off)
{
	return host_positional_io(sim, fd, NULL, buf, len, off);
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
