// SPDX-License-Identifier: LGPL-2.1-or-later
/* The simulator as the kernel of a whole process: see sim_host.h. */
#include <errno.h>
#include <sys/mman.h>

#include "sim/sim_host.h"
#include "sim/sim_internal.h"

void sim_host_set_fd_hooks(struct iommufd_sim *sim, void (*changed)(void *arg, int fd, bool added),
			   int (*alias)(void *arg, int fd), void *arg)
{
	pthread_mutex_lock(&sim->lock);
	sim->fd_changed = changed;
	sim->fd_alias = alias;
	sim->fd_hook_arg = arg;
	pthread_mutex_unlock(&sim->lock);
}

int sim_host_renumber(struct iommufd_sim *sim, int old_fd, int new_fd)
{
	struct sim_fd *f = NULL;
	size_t i;
	int ret = 0;

	pthread_mutex_lock(&sim->lock);
	for (i = 0; i < sim->nfds; i++)
		if (sim->fds[i].fd == old_fd)
			f = &sim->fds[i];
	if (!f) {
		ret = -EBADF;
		goto out_unlock;
	}
	f->fd = new_fd;
	switch (f->kind) {
	case SIM_FD_IOMMUFD:
		((struct sim_ictx *)f->ptr)->fd = new_fd;
		break;
	case SIM_FD_DEVICE:
		((struct sim_df *)f->ptr)->fd = new_fd;
		break;
	case SIM_FD_FILE:
		((struct sim_file *)f->ptr)->fd = new_fd;
		break;
	}
out_unlock:
	pthread_mutex_unlock(&sim->lock);
	return ret;
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
