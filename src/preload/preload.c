// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libiommufd-preload: the simulated kernel as a drop-in for unmodified
 * programs. Loaded with LD_PRELOAD, it answers the calls a program makes on
 * /dev/iommu, on VFIO device cdevs and on the files the kernel hands out
 * through them (fault queues, vEVENTQs, the selftest's accesses), and on the
 * sysfs and /dev entries that describe the devices (sysfs.c), from the
 * simulator: the topology in IOMMUFD_SIM_TOPOLOGY (a file or JSON text), or
 * the built-in host when that is unset. Every other call goes to libc as it
 * was: a descriptor the simulator does not own costs one table lookup.
 *
 * The simulator's state belongs to the process: a child made by fork() gets a
 * copy of it (its files go on working in the child, on the copy), and exec()
 * starts afresh (the simulator's descriptors are close-on-exec).
 *
 * The simulator is linked in (its objects and libiommufd's, all hidden): only
 * the libc names below are exported, so a program that links libiommufd
 * itself keeps its own and talks to the simulator through its real-kernel
 * transport, as it would to a kernel.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iommufd/iommufd.h>

#include "preload/fdtable.h"
#include "preload/preload.h"
#include "sim/sim_host.h"
#include "sim/sim_transport.h"

#define SHIM_EXPORT __attribute__((visibility("default")))
/* The slow paths stay out of line: the program's own files take a few instructions. */
#define SLOW __attribute__((noinline, cold))

struct shim_real shim_real;

/*
 * The shim's lock: the simulator's creation, and dup() and close() of its files. Taken
 * before the simulator's lock, never after (the simulator's hook only stores atomically).
 */
static pthread_mutex_t shim_lock = PTHREAD_MUTEX_INITIALIZER;
static struct iommufd_sim *sim;
static int sim_state; /* 0: not tried yet, 1: made, -1: the topology failed */
static bool tracing;

/* Calls the simulator makes itself (closing its eventfds...) go straight to libc. */
static __thread int in_sim __attribute__((tls_model("initial-exec")));

static void *next_fn(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

#define RESOLVE(field, name)                                                              \
	do {                                                                              \
		if (!__atomic_load_n(&shim_real.field, __ATOMIC_ACQUIRE))                  \
			__atomic_store_n(&shim_real.field, next_fn(name), __ATOMIC_RELEASE); \
	} while (0)

void shim_resolve_all(void)
{
	RESOLVE(open, "open");
	RESOLVE(openat, "openat");
	RESOLVE(close, "close");
	RESOLVE(dup, "dup");
	RESOLVE(dup2, "dup2");
	RESOLVE(dup3, "dup3");
	RESOLVE(fcntl, "fcntl");
	RESOLVE(ioctl, "ioctl");
	RESOLVE(read, "read");
	RESOLVE(write, "write");
	RESOLVE(pread, "pread");
	RESOLVE(pwrite, "pwrite");
	RESOLVE(mmap, "mmap");
	RESOLVE(munmap, "munmap");
	RESOLVE(recvmsg, "recvmsg");
	RESOLVE(stat, "stat");
	RESOLVE(lstat, "lstat");
	RESOLVE(fstatat, "fstatat");
	RESOLVE(access, "access");
	RESOLVE(faccessat, "faccessat");
	RESOLVE(opendir, "opendir");
	RESOLVE(readlink, "readlink");
	RESOLVE(readlinkat, "readlinkat");
	RESOLVE(realpath, "realpath");
	RESOLVE(fopen, "fopen");
}


static void vmsg(const char *fmt, va_list ap)
{
	char line[512];
	int n;

	n = snprintf(line, sizeof(line), "libiommufd-preload: ");
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	n = strlen(line);
	line[n++] = '\n';
	/* One write, straight to libc: nothing of stdio's state is touched. */
	if (REAL(write)(STDERR_FILENO, line, n) < 0)
		return;
}

void shim_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void shim_trace(const char *fmt, ...)
{
	va_list ap;

	if (!tracing)
		return;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

/* ---- the simulator's descriptors ------------------------------------------------ */

/* Called by the simulator, with its lock held, for every number it adds or closes. */
static void on_fd_changed(void *arg, int fd, bool added)
{
	struct fdt_entry *e = fdt_entry(fd);

	(void)arg;
	if (!e)
		return; /* out of range: the descriptor stays unknown and goes to libc */
	__atomic_store_n(&e->file, added ? fd + 1 : 0, __ATOMIC_RELEASE);
}

/* fork(): every lock held across it, in their order, so that the child gets them free. */
static void fork_prepare(void)
{
	shim_sysfs_lock();
	pthread_mutex_lock(&shim_lock);
	if (sim)
		sim_host_lock(sim);
}

static void fork_done(void)
{
	if (sim)
		sim_host_unlock(sim);
	pthread_mutex_unlock(&shim_lock);
	shim_sysfs_unlock();
}

struct iommufd_sim *shim_sim(void)
{
	const char *topology;
	int state = __atomic_load_n(&sim_state, __ATOMIC_ACQUIRE);
	int ret;

	if (state > 0)
		return sim;
	if (state < 0) {
		errno = ENOENT;
		return NULL;
	}
	pthread_mutex_lock(&shim_lock);
	if (!sim_state) {
		topology = getenv("IOMMUFD_SIM_TOPOLOGY");
		if (topology && !*topology)
			topology = NULL;
		in_sim++;
		ret = iommufd_sim_new(topology, &sim);
		in_sim--;
		if (ret) {
			/* As a kernel without IOMMUFD: the files are absent. One line says why. */
			shim_err("IOMMUFD_SIM_TOPOLOGY: %s (no /dev/iommu)",
				 iommufd_sim_last_error());
			__atomic_store_n(&sim_state, -1, __ATOMIC_RELEASE);
		} else {
			sim_host_set_fd_hooks(sim, on_fd_changed, NULL);
			shim_trace("simulating the kernel: %s",
				   topology ? "IOMMUFD_SIM_TOPOLOGY" : "the built-in host");
			__atomic_store_n(&sim_state, 1, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&shim_lock);
	if (__atomic_load_n(&sim_state, __ATOMIC_ACQUIRE) < 0) {
		errno = ENOENT;
		return NULL;
	}
	return sim;
}

__attribute__((constructor)) static void shim_init(void)
{
	const char *t = getenv("IOMMUFD_TRACE");

	shim_resolve_all();
	tracing = t && *t && strcmp(t, "0");
	pthread_atfork(fork_prepare, fork_done, fork_done);
}

/* ---- opening ----------------------------------------------------------------------- */

/* The simulator's answer (a count, or -errno) as libc gives one: -1 with errno set. */
static long libc_answer(long ret)
{
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}

enum path_kind { PATH_OTHER, PATH_IOMMU, PATH_CDEV, PATH_FAIL_NTH };

/* /proc/{self,thread-self,PID}/.../fail-nth of this process: the kernel's fault injection. */
static bool is_fail_nth(const char *path)
{
	static const char suffix[] = "/fail-nth";
	size_t len = strlen(path);
	char pid[24];

	if (strncmp(path, "/proc/", 6) || len < sizeof(suffix) ||
	    strcmp(path + len - (sizeof(suffix) - 1), suffix))
		return false;
	snprintf(pid, sizeof(pid), "%d/", (int)getpid());
	return !strncmp(path + 6, "self/", 5) || !strncmp(path + 6, "thread-self/", 12) ||
	       !strncmp(path + 6, pid, strlen(pid));
}

static enum path_kind kind_of(const char *path)
{
	static const char cdev_dir[] = "/dev/vfio/devices/";

	if (!shim_path_maybe_ours(path))
		return PATH_OTHER;
	if (!strcmp(path, "/dev/iommu"))
		return PATH_IOMMU;
	if (!strncmp(path, cdev_dir, sizeof(cdev_dir) - 1))
		return PATH_CDEV;
	if (path[1] == 'p' && is_fail_nth(path))
		return PATH_FAIL_NTH;
	return PATH_OTHER;
}

/* /dev/iommu, a cdev, or the fault injection file: a file of the simulator. */
static int sim_open(const char *path, int flags)
{
	struct iommufd_sim *s = shim_sim();
	int fd;

	if (!s)
		return -1; /* errno ENOENT */
	in_sim++;
	if (kind_of(path) == PATH_FAIL_NTH)
		fd = sim_host_open_fail_nth(s);
	else
		fd = iofd_sim_transport_ops.open(s, path, flags);
	in_sim--;
	shim_trace("open %s: %d", path, fd);
	return libc_answer(fd);
}

static int open_mode(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, int) : 0;
}

static int do_open(const char *path, int flags, int mode)
{
	char buf[PATH_MAX];

	if (__builtin_expect(!shim_path_maybe_ours(path), 1) || in_sim)
		return REAL(open)(path, flags, mode);
	if (kind_of(path) != PATH_OTHER)
		return sim_open(path, flags);
	path = shim_sysfs_path(path, buf);
	return path ? REAL(open)(path, flags, mode) : -1;
}

static int do_openat(int dirfd, const char *path, int flags, int mode)
{
	char buf[PATH_MAX];

	if (__builtin_expect(!shim_path_maybe_ours(path), 1) || in_sim)
		return REAL(openat)(dirfd, path, flags, mode);
	if (kind_of(path) != PATH_OTHER)
		return sim_open(path, flags);
	path = shim_sysfs_path(path, buf);
	return path ? REAL(openat)(dirfd, path, flags, mode) : -1;
}

SHIM_EXPORT int open(const char *path, int flags, ...)
{
	va_list ap;
	int mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	return do_open(path, flags, mode);
}

SHIM_EXPORT int open64(const char *path, int flags, ...)
{
	va_list ap;
	int mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	return do_open(path, flags | O_LARGEFILE, mode);
}

SHIM_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	int mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	return do_openat(dirfd, path, flags, mode);
}

SHIM_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	int mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	return do_openat(dirfd, path, flags | O_LARGEFILE, mode);
}

/* The fortified entry points (-D_FORTIFY_SOURCE): open without a mode. */
SHIM_EXPORT int __open_2(const char *path, int flags);
SHIM_EXPORT int __open64_2(const char *path, int flags);
SHIM_EXPORT int __openat_2(int dirfd, const char *path, int flags);
SHIM_EXPORT int __openat64_2(int dirfd, const char *path, int flags);

int __open_2(const char *path, int flags)
{
	return do_open(path, flags, 0);
}

int __open64_2(const char *path, int flags)
{
	return do_open(path, flags | O_LARGEFILE, 0);
}

int __openat_2(int dirfd, const char *path, int flags)
{
	return do_openat(dirfd, path, flags, 0);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
	return do_openat(dirfd, path, flags | O_LARGEFILE, 0);
}

/* ---- closing and copying --------------------------------------------------------------- */

/*
 * Every descriptor of a simulated file is one of its numbers in the simulator's table: the
 * simulator closes it (and the file with its last), and a copy the program makes is told to
 * it. The simulator's hook keeps the shim's table (fdtable.h) up to date.
 */

/* Close fd, a simulated file's number. Shim lock held. */
static void close_number(int fd)
{
	in_sim++;
	iofd_sim_transport_ops.close(sim, fd);
	in_sim--;
	shim_trace("close %d", fd);
}

SHIM_EXPORT int close(int fd)
{
	if (__builtin_expect(fdt_file(fd) < 0, 1) || in_sim)
		return REAL(close)(fd);
	pthread_mutex_lock(&shim_lock);
	if (fdt_file(fd) < 0) { /* again, under the lock */
		pthread_mutex_unlock(&shim_lock);
		return REAL(close)(fd);
	}
	close_number(fd);
	pthread_mutex_unlock(&shim_lock);
	return 0;
}

/*
 * copy, a new descriptor, is a copy of fd (a simulated file's): the simulator is told. If it
 * cannot take it (out of memory), the copy goes and the call fails with EMFILE. Shim lock
 * held. copy, or -1.
 */
static int add_copy(int fd, int copy)
{
	int ret;

	in_sim++;
	ret = sim_host_dup(sim, fd, copy);
	if (ret)
		REAL(close)(copy);
	in_sim--;
	shim_trace("dup %d: %d (%d)", fd, copy, ret);
	if (ret) {
		errno = EMFILE;
		return -1;
	}
	return copy;
}

SHIM_EXPORT int dup(int fd)
{
	int copy;

	if (__builtin_expect(fdt_file(fd) < 0, 1) || in_sim)
		return REAL(dup)(fd);
	pthread_mutex_lock(&shim_lock);
	copy = REAL(dup)(fd);
	if (copy >= 0 && fdt_file(fd) >= 0)
		copy = add_copy(fd, copy);
	pthread_mutex_unlock(&shim_lock);
	return copy;
}

static int do_dup3(int fd, int fd2, int flags, bool is_dup2)
{
	int ret;

	if ((__builtin_expect(fdt_file(fd) < 0, 1) && fdt_file(fd2) < 0) || in_sim)
		return is_dup2 ? REAL(dup2)(fd, fd2) : REAL(dup3)(fd, fd2, flags);
	if (fd == fd2)
		return is_dup2 ? REAL(dup2)(fd, fd2) : REAL(dup3)(fd, fd2, flags);
	pthread_mutex_lock(&shim_lock);
	if (REAL(fcntl)(fd, F_GETFD) < 0) {
		pthread_mutex_unlock(&shim_lock);
		return -1; /* EBADF: fd2 stays as it is */
	}
	/* dup2 onto a simulated file's number closes that number first, as the kernel would. */
	if (fdt_file(fd2) >= 0)
		close_number(fd2);
	ret = is_dup2 ? REAL(dup2)(fd, fd2) : REAL(dup3)(fd, fd2, flags);
	if (ret >= 0 && fdt_file(fd) >= 0)
		ret = add_copy(fd, ret);
	pthread_mutex_unlock(&shim_lock);
	return ret;
}

SHIM_EXPORT int dup2(int fd, int fd2)
{
	return do_dup3(fd, fd2, 0, true);
}

SHIM_EXPORT int dup3(int fd, int fd2, int flags)
{
	return do_dup3(fd, fd2, flags, false);
}

/*
 * Descriptors received with SCM_RIGHTS (a program that hands /dev/iommu or a cdev to itself
 * over a socket, as live update does between processes): each that refers to a simulated
 * file is one more number of it, found by the simulator (sim_host_adopt()).
 */
static SLOW void adopt_received(struct msghdr *msg)
{
	struct cmsghdr *cm;

	pthread_mutex_lock(&shim_lock);
	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		size_t i, n;
		int fd;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			in_sim++;
			if (sim_host_adopt(sim, fd))
				shim_trace("received %d: a simulated file", fd);
			in_sim--;
		}
	}
	pthread_mutex_unlock(&shim_lock);
}

SHIM_EXPORT ssize_t recvmsg(int sock, struct msghdr *msg, int flags)
{
	ssize_t n = REAL(recvmsg)(sock, msg, flags);

	/* No simulator yet: no simulated file to receive. */
	if (__builtin_expect(n < 0 || !msg || !msg->msg_controllen, 1) || in_sim ||
	    __atomic_load_n(&sim_state, __ATOMIC_ACQUIRE) <= 0)
		return n;
	adopt_received(msg);
	return n;
}

static int do_fcntl(int fd, int cmd, void *arg)
{
	int copy;

	if (__builtin_expect(fdt_file(fd) < 0, 1) || in_sim ||
	    (cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC))
		return REAL(fcntl)(fd, cmd, arg);
	pthread_mutex_lock(&shim_lock);
	copy = REAL(fcntl)(fd, cmd, arg);
	if (copy >= 0 && fdt_file(fd) >= 0)
		copy = add_copy(fd, copy);
	pthread_mutex_unlock(&shim_lock);
	return copy;
}

SHIM_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return do_fcntl(fd, cmd, arg);
}

SHIM_EXPORT int fcntl64(int fd, int cmd, ...);
int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return do_fcntl(fd, cmd, arg);
}

/* ---- ioctl, read, write ------------------------------------------------------------------- */

static SLOW int sim_ioctl(int fd, int file, unsigned long request, void *arg)
{
	int ret;

	if (in_sim)
		return REAL(ioctl)(fd, request, arg);
	in_sim++;
	ret = iofd_sim_transport_ops.ioctl(sim, file, request, arg);
	in_sim--;
	shim_trace("ioctl %d 0x%lx: %d", fd, request, ret);
	return libc_answer(ret);
}

SHIM_EXPORT int ioctl(int fd, unsigned long request, ...)
{
	int file = fdt_file(fd);
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (__builtin_expect(file < 0, 1))
		return REAL(ioctl)(fd, request, arg);
	return sim_ioctl(fd, file, request, arg);
}

static SLOW ssize_t sim_read(int fd, int file, void *buf, size_t len)
{
	long ret;

	if (in_sim)
		return REAL(read)(fd, buf, len);
	in_sim++;
	ret = iofd_sim_transport_ops.read(sim, file, buf, len);
	in_sim--;
	shim_trace("read %d %zu: %ld", fd, len, ret);
	return libc_answer(ret);
}

SHIM_EXPORT ssize_t read(int fd, void *buf, size_t len)
{
	int file = fdt_file(fd);

	if (__builtin_expect(file < 0, 1))
		return REAL(read)(fd, buf, len);
	return sim_read(fd, file, buf, len);
}

/* The fortified read (-D_FORTIFY_SOURCE) checks the buffer's size first, as libc's does. */
SHIM_EXPORT ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen);
ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	int file = fdt_file(fd);

	if (len > buflen)
		abort();
	if (__builtin_expect(file < 0, 1))
		return REAL(read)(fd, buf, len);
	return sim_read(fd, file, buf, len);
}

static SLOW ssize_t sim_write(int fd, int file, const void *buf, size_t len)
{
	long ret;

	if (in_sim)
		return REAL(write)(fd, buf, len);
	in_sim++;
	ret = iofd_sim_transport_ops.write(sim, file, buf, len);
	in_sim--;
	shim_trace("write %d %zu: %ld", fd, len, ret);
	return libc_answer(ret);
}

SHIM_EXPORT ssize_t write(int fd, const void *buf, size_t len)
{
	int file = fdt_file(fd);

	if (__builtin_expect(file < 0, 1))
		return REAL(write)(fd, buf, len);
	return sim_write(fd, file, buf, len);
}

/* ---- mmap of /dev/iommu (a vIOMMU's pages) ------------------------------------------------ */

/* The simulator's regions the program has mapped: each holds its owner until munmap(). */
struct shim_map {
	uintptr_t addr;
	size_t len;
	void *cookie;
	struct shim_map *next;
};
static struct shim_map *maps;
static int nmaps; /* read without the lock: munmap() of other memory looks no further */

static void *sim_mmap(void *addr, size_t len, int prot, int flags, int file, off_t off)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), rlen = (len + pg - 1) & ~(pg - 1);
	struct shim_map *m;
	uint64_t map_off;
	void *cookie, *p;
	int map_fd, ret;

	if (!len || off < 0 || (off & (pg - 1))) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	m = malloc(sizeof(*m));
	if (!m) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	in_sim++;
	ret = sim_host_mmap(sim, file, rlen, prot, flags, (uint64_t)off, &map_fd, &map_off,
			    &cookie);
	in_sim--;
	shim_trace("mmap %d 0x%llx+%zu: %d", file, (unsigned long long)off, len, ret);
	if (ret) {
		free(m);
		errno = -ret;
		return MAP_FAILED;
	}
	p = REAL(mmap)(addr, len, prot, flags, map_fd, (off_t)map_off);
	if (p == MAP_FAILED) {
		ret = errno;
		in_sim++;
		sim_host_munmap(sim, cookie);
		in_sim--;
		free(m);
		errno = ret;
		return MAP_FAILED;
	}
	m->addr = (uintptr_t)p;
	m->len = rlen;
	m->cookie = cookie;
	pthread_mutex_lock(&shim_lock);
	m->next = maps;
	maps = m;
	__atomic_store_n(&nmaps, nmaps + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&shim_lock);
	return p;
}

SHIM_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	int file = fdt_file(fd);

	if (__builtin_expect(file < 0, 1) || in_sim || (flags & MAP_ANONYMOUS))
		return REAL(mmap)(addr, len, prot, flags, fd, off);
	return sim_mmap(addr, len, prot, flags, file, off);
}

SHIM_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

/* A mapping of the simulator's goes (and lets go of its owner) when all of it is unmapped. */
SHIM_EXPORT int munmap(void *addr, size_t len)
{
	struct shim_map **pp, *m, *gone = NULL;
	uintptr_t a = (uintptr_t)addr;
	int ret = REAL(munmap)(addr, len);

	if (ret || !__atomic_load_n(&nmaps, __ATOMIC_ACQUIRE) || in_sim)
		return ret;
	pthread_mutex_lock(&shim_lock);
	for (pp = &maps; (m = *pp);) {
		if (m->addr >= a && m->addr + m->len <= a + len) {
			*pp = m->next;
			m->next = gone;
			gone = m;
			__atomic_store_n(&nmaps, nmaps - 1, __ATOMIC_RELEASE);
		} else {
			pp = &m->next;
		}
	}
	pthread_mutex_unlock(&shim_lock);
	while ((m = gone)) {
		gone = m->next;
		in_sim++;
		sim_host_munmap(sim, m->cookie);
		in_sim--;
		free(m);
	}
	return ret;
}

/* ---- pread, pwrite (the fault injection file) ----------------------------------------------- */

static SLOW ssize_t sim_pread(int fd, int file, void *buf, size_t len, off_t off, bool write)
{
	long ret;

	if (in_sim)
		return write ? REAL(pwrite)(fd, buf, len, off) : REAL(pread)(fd, buf, len, off);
	if (off < 0) {
		errno = EINVAL;
		return -1;
	}
	in_sim++;
	ret = write ? sim_host_pwrite(sim, file, buf, len, (uint64_t)off) :
		      sim_host_pread(sim, file, buf, len, (uint64_t)off);
	in_sim--;
	shim_trace("p%s %d %zu@%lld: %ld", write ? "write" : "read", fd, len, (long long)off, ret);
	return libc_answer(ret);
}

SHIM_EXPORT ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	int file = fdt_file(fd);

	if (__builtin_expect(file < 0, 1))
		return REAL(pread)(fd, buf, len, off);
	return sim_pread(fd, file, buf, len, off, false);
}

SHIM_EXPORT ssize_t pread64(int fd, void *buf, size_t len, off_t off);
ssize_t pread64(int fd, void *buf, size_t len, off_t off)
{
	return pread(fd, buf, len, off);
}

SHIM_EXPORT ssize_t __pread_chk(int fd, void *buf, size_t len, off_t off, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t len, off_t off, size_t buflen)
{
	if (len > buflen)
		abort();
	return pread(fd, buf, len, off);
}

SHIM_EXPORT ssize_t __pread64_chk(int fd, void *buf, size_t len, off_t off, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t len, off_t off, size_t buflen)
{
	if (len > buflen)
		abort();
	return pread(fd, buf, len, off);
}

SHIM_EXPORT ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	int file = fdt_file(fd);

	if (__builtin_expect(file < 0, 1))
		return REAL(pwrite)(fd, buf, len, off);
	return sim_pread(fd, file, (void *)buf, len, off, true);
}

SHIM_EXPORT ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off);
ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	return pwrite(fd, buf, len, off);
}
