// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Files the kernel hands out besides /dev/iommu and device cdevs: fault
 * queues, vEVENTQs, the selftest's accesses. Each is numbered by a real
 * descriptor, an eventfd (and by its copies, sim.c), so that descriptor
 * numbers stay unique in the process; the eventfd's counter also carries
 * readiness, shared by every copy, so that poll(),
 * select() and epoll on the descriptor see what the kernel's poll would
 * (POLLIN while events wait).
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "sim/sim_internal.h"

int sim_file_install(struct iommufd_sim *sim, struct sim_file *f, const struct sim_file_ops *ops,
		     unsigned int proc)
{
	int fd;

	f->ops = ops;
	f->sim = sim;
	f->signalled = false;
	fd = sim_fd_add(sim, SIM_FD_FILE, f, proc);
	if (fd < 0)
		return fd;
	f->fd = fd;
	return fd;
}

void sim_file_release(struct sim_file *f)
{
	f->fd = -1;
	if (f->ops->release)
		f->ops->release(f);
}

void sim_file_signal(struct sim_file *f, bool ready)
{
	uint64_t v = 1;

	if (ready == f->signalled || f->fd < 0)
		return;
	/* A blocking eventfd: read only when the counter is set, so that it never waits. */
	if (ready) {
		if (write(f->fd, &v, sizeof(v)) != sizeof(v))
			return;
	} else if (read(f->fd, &v, sizeof(v)) != sizeof(v)) {
		return;
	}
	f->signalled = ready;
}

long sim_file_read(struct sim_file *f, void *buf, size_t len)
{
	return f->ops->read ? f->ops->read(f, buf, len) : -EINVAL;
}

long sim_file_write(struct sim_file *f, const void *buf, size_t len)
{
	return f->ops->write ? f->ops->write(f, buf, len) : -EINVAL;
}

long sim_file_pread(struct sim_file *f, void *buf, size_t len, uint64_t off)
{
	return f->ops->pread ? f->ops->pread(f, buf, len, off) : -ESPIPE;
}

long sim_file_pwrite(struct sim_file *f, const void *buf, size_t len, uint64_t off)
{
	return f->ops->pwrite ? f->ops->pwrite(f, buf, len, off) : -ESPIPE;
}
