/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulator as the kernel of a whole process (src/preload): what such a
 * host needs beyond the transport interface. Internal: the preload library
 * links the simulator's objects and is the only user.
 */
#ifndef IOFD_SIM_HOST_H
#define IOFD_SIM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iommufd_sim;

/*
 * changed: called for every number of a simulated file the simulator adds (a new file, a
 * copy it is told of or finds) or closes, with its lock held (the hook may not call the
 * simulator), a closed number before it can be given out again.
 */
void sim_host_set_fd_hooks(struct iommufd_sim *sim, void (*changed)(void *arg, int fd, bool added),
			   void *arg);
/* copy, a descriptor the host made of fd (dup()), is one more number of fd's file. 0 or -errno */
int sim_host_dup(struct iommufd_sim *sim, int fd, int copy);
/*
 * fd, a descriptor the simulator was not told of (received with SCM_RIGHTS): true when it
 * is one more number of a file of the simulator (/dev/iommu, a cdev), now known as such.
 */
bool sim_host_adopt(struct iommufd_sim *sim, int fd);
/* read(2) and write(2) on a simulated file: a count or -errno. */
long sim_host_read(struct iommufd_sim *sim, int fd, void *buf, size_t len);
long sim_host_write(struct iommufd_sim *sim, int fd, const void *buf, size_t len);
/*
 * mmap(2) of a simulated file: on success, map map_fd at map_off in its place; the mapping
 * holds what it maps until sim_host_munmap(cookie).
 */
int sim_host_mmap(struct iommufd_sim *sim, int fd, uint64_t len, int prot, int flags, uint64_t off,
		  int *map_fd, uint64_t *map_off, void **cookie);
void sim_host_munmap(struct iommufd_sim *sim, void *cookie);
/* pread(2) (pwrite(2) with write set) on a simulated file: a count or -errno. */
long sim_host_pread(struct iommufd_sim *sim, int fd, void *buf, size_t len, uint64_t off,
		    bool write);
/* The kernel's fault injection file (/proc/<pid>/task/<tid>/fail-nth): fd or -errno. */
int sim_host_open_fail_nth(struct iommufd_sim *sim);
/* Hold the simulator still across fork(), so that the child gets it whole. */
void sim_host_lock(struct iommufd_sim *sim);
void sim_host_unlock(struct iommufd_sim *sim);

#endif
