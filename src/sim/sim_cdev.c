// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Device cdev files for the program itself: what open("/dev/vfio/devices/vfioN")
 * and close() are on the real kernel, so that a program (or a test) can hand a
 * device fd to iommufd_device_from_fd() as a manager would. Both go through the
 * simulator's transport, as the library's own opens do.
 */
#include <errno.h>
#include <fcntl.h>

#include "sim/sim_internal.h"
#include "sim/sim_transport.h"

int iommufd_sim_open_cdev(struct iommufd_sim *sim, const char *device)
{
	struct iofd_dev_sysinfo info;
	int ret;

	if (!sim || !device)
		return -EINVAL;
	/* The program's own files are those of process 0. */
	ret = iofd_sim_transport_ops.resolve_device(&sim->self, device, &info);
	if (ret)
		return ret;
	return iofd_sim_transport_ops.open(&sim->self, info.cdev, O_RDWR);
}

int iommufd_sim_close_cdev(struct iommufd_sim *sim, int fd)
{
	struct sim_fd *f;
	int ret = 0;

	if (!sim)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	f = sim_fd_get(sim, fd, 0);
	/* Closing the file's last number unbinds its device, as on the kernel. */
	if (f && f->kind == SIM_FD_DEVICE)
		sim_fd_close(sim, f);
	else
		ret = -EBADF;
	pthread_mutex_unlock(&sim->lock);
	return ret;
}
