/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libiommufd-preload: what its files share (see preload.c). */
#ifndef IOFD_PRELOAD_H
#define IOFD_PRELOAD_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

/* libc's own functions, found behind ours with dlsym(RTLD_NEXT). */
struct shim_real {
	int (*open)(const char *path, int flags, ...);
	int (*openat)(int dirfd, const char *path, int flags, ...);
	int (*close)(int fd);
	int (*dup)(int fd);
	int (*dup2)(int fd, int fd2);
	int (*dup3)(int fd, int fd2, int flags);
	int (*fcntl)(int fd, int cmd, ...);
	int (*ioctl)(int fd, unsigned long request, ...);
	ssize_t (*read)(int fd, void *buf, size_t len);
	ssize_t (*write)(int fd, const void *buf, size_t len);
	ssize_t (*pread)(int fd, void *buf, size_t len, off_t off);
	ssize_t (*pwrite)(int fd, const void *buf, size_t len, off_t off);
	void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd, off_t off);
	int (*munmap)(void *addr, size_t len);
	ssize_t (*recvmsg)(int sock, struct msghdr *msg, int flags);
	int (*stat)(const char *path, struct stat *st);
	int (*lstat)(const char *path, struct stat *st);
	int (*fstatat)(int dirfd, const char *path, struct stat *st, int flags);
	int (*access)(const char *path, int mode);
	int (*faccessat)(int dirfd, const char *path, int mode, int flags);
	DIR *(*opendir)(const char *path);
	ssize_t (*readlink)(const char *path, char *buf, size_t len);
	ssize_t (*readlinkat)(int dirfd, const char *path, char *buf, size_t len);
	char *(*realpath)(const char *path, char *resolved);
	FILE *(*fopen)(const char *path, const char *mode);
};

extern struct shim_real shim_real;
void shim_resolve_all(void);
/* libc's function, found now if a constructor of another library calls us before ours ran */
#define REAL(field)                                                                         \
	(__builtin_expect(shim_real.field != NULL, 1) ? shim_real.field :                   \
							 (shim_resolve_all(), shim_real.field))

/* Messages: an error always (one line), the rest only with IOMMUFD_TRACE set. */
void shim_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void shim_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- sysfs.c: the simulated devices in sysfs and /dev ---- */
/*
 * The path to use for path: path itself, or its place in the simulated host's tree (in buf,
 * PATH_MAX bytes). NULL with errno set when the path is the simulated host's but the tree
 * cannot be made (no simulator: ENOENT, as on a kernel without IOMMUFD).
 */
const char *shim_sysfs_path(const char *path, char *buf);
/* Held across fork() (before the shim's lock, as the tree is made before the simulator's). */
void shim_sysfs_lock(void);
void shim_sysfs_unlock(void);
/* Is this one of the paths the shim answers for (a quick test for the common case)? */
static inline bool shim_path_maybe_ours(const char *path)
{
	return path && path[0] == '/' && (path[1] == 'd' || path[1] == 's' || path[1] == 'p');
}

/* ---- preload.c ---- */
struct iommufd_sim;
/* The process's simulator, made on first use; NULL (errno ENOENT) if its topology failed. */
struct iommufd_sim *shim_sim(void);

#endif
