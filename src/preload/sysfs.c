// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulated devices where programs look for them: /dev/iommu,
 * /dev/vfio/devices/vfioN, and the sysfs entries that describe the devices
 * (/sys/class/vfio-dev, /sys/bus/pci/devices/ADDR/vfio-dev/vfioN, the
 * device's iommu and subsystem links, /sys/class/iommu). They are a real
 * directory tree, made from the topology once and shared by every process
 * that simulates the same devices ($XDG_RUNTIME_DIR/iommufd-preload/HASH,
 * or /tmp/iommufd-preload-UID/HASH); lookups of those paths are redirected
 * into it. A tree (not answers made up per call) because libc resolves
 * paths inside realpath(), opendir() and friends with calls no library can
 * intercept; once redirected, every later step is on real files.
 *
 * The tree is what the kernel's sysfs shows, as far as programs read it: a
 * device's directory holds vfio-dev/vfioN, a "subsystem" link (pci, mdev,
 * platform) and an "iommu" link to its IOMMU, whose class entry names the
 * driver (intel-iommu, amd-iommu, or a device/driver link). /dev/iommu and
 * the cdevs are empty regular files there: they exist for stat() and
 * access(); open() of them goes to the simulator. A device whose name cannot
 * be a file name (a "/" in it, "." or "..") is left out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iommufd/iommufd.h>

#include "preload/preload.h"
#include "sim/sim_transport.h"

#define SHIM_EXPORT __attribute__((visibility("default")))
/* Bump when what a tree holds changes: a new layout gets a new directory. */
#define TREE_FORMAT 2
#define MAX_DEVICES 4096

static pthread_mutex_t tree_lock = PTHREAD_MUTEX_INITIALIZER;
static char tree_root[PATH_MAX]; /* "" until made */
static int tree_state;           /* 0: not tried, 1: made, -1: failed */

/* The paths redirected: each and everything below it. */
static const char *const redirected[] = {
	"/dev/iommu",
	"/dev/vfio",
	"/sys/class/vfio-dev",
	"/sys/class/iommu",
	"/sys/bus/pci/devices",
	"/sys/bus/mdev/devices",
	"/sys/bus/platform/devices",
	"/sys/kernel/debug", /* the fault injection controls (with fail-nth, preload.c) */
};

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

/* ---- making the tree ------------------------------------------------------------------- */

static int mkdirs(const char *root, const char *rel)
{
	char path[PATH_MAX], *p;

	if (snprintf(path, sizeof(path), "%s/%s", root, rel) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int mkfile(const char *root, const char *rel, const char *content)
{
	char path[PATH_MAX];
	int fd, ret = 0;
	size_t len;

	if (snprintf(path, sizeof(path), "%s/%s", root, rel) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = REAL(open)(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	len = strlen(content);
	if (len && REAL(write)(fd, content, len) != (ssize_t)len)
		ret = -EIO;
	REAL(close)(fd);
	return ret;
}

/* rel is a link to target (relative to the link's directory). */
static int mklink(const char *root, const char *rel, const char *target)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", root, rel) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if (symlink(target, path) && errno != EEXIST)
		return -errno;
	return 0;
}

/* From inside the directory rel, "../" as often as it takes to reach the tree's root. */
static void up_to_root(const char *rel, char *out, size_t len)
{
	size_t o = 0;

	snprintf(out, len, "../");
	o = 3;
	for (; *rel; rel++) {
		if (*rel == '/' && o + 3 < len) {
			memcpy(out + o, "../", 3);
			o += 3;
			out[o] = '\0';
		}
	}
}

static bool is_pci_address(const char *name)
{
	unsigned int dom, bus, dev, fn;
	char tail;

	return strlen(name) == 12 &&
	       sscanf(name, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail) == 4;
}

static bool file_name_ok(const char *name)
{
	return *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..") &&
	       strlen(name) < 200;
}

/* The IOMMU instance: its class entry, and what names its driver. */
static int make_iommu(const char *root, const struct iommufd_device_desc *d)
{
	char rel[PATH_MAX], target[PATH_MAX];
	int ret;

	snprintf(rel, sizeof(rel), "sys/devices/virtual/iommu/%s", d->iommu);
	ret = mkdirs(root, rel);
	if (ret)
		return ret;
	if (!strcmp(d->driver, "intel-vtd")) {
		snprintf(rel, sizeof(rel), "sys/devices/virtual/iommu/%s/intel-iommu", d->iommu);
		ret = mkdirs(root, rel);
	} else if (!strcmp(d->driver, "amd-vi")) {
		snprintf(rel, sizeof(rel), "sys/devices/virtual/iommu/%s/amd-iommu", d->iommu);
		ret = mkdirs(root, rel);
	} else if (file_name_ok(d->driver)) {
		/* Any other driver: the IOMMU's device is bound to a driver of that name. */
		snprintf(rel, sizeof(rel), "sys/devices/platform/%s-iommu", d->iommu);
		ret = mkdirs(root, rel);
		snprintf(rel, sizeof(rel), "sys/bus/platform/drivers/%s", d->driver);
		ret = ret ?: mkdirs(root, rel);
		snprintf(rel, sizeof(rel), "sys/devices/platform/%s-iommu/driver", d->iommu);
		snprintf(target, sizeof(target), "../../../bus/platform/drivers/%s", d->driver);
		ret = ret ?: mklink(root, rel, target);
		snprintf(rel, sizeof(rel), "sys/devices/virtual/iommu/%s/device", d->iommu);
		snprintf(target, sizeof(target), "../../../platform/%s-iommu", d->iommu);
		ret = ret ?: mklink(root, rel, target);
	}
	snprintf(rel, sizeof(rel), "sys/class/iommu/%s", d->iommu);
	snprintf(target, sizeof(target), "../../devices/virtual/iommu/%s", d->iommu);
	return ret ?: mklink(root, rel, target);
}

static int make_device(const char *root, const struct iommufd_device_desc *d)
{
	char dev[PATH_MAX], rel[PATH_MAX], target[PATH_MAX], up[PATH_MAX];
	const char *bus, *vfio = strrchr(d->cdev, '/');
	unsigned int dom, busno;
	int ret;

	if (!file_name_ok(d->name) || !vfio || !file_name_ok(vfio + 1))
		return 0; /* no place in sysfs: the device is not there */
	vfio++;
	if (d->emulated) {
		bus = "mdev";
		snprintf(dev, sizeof(dev), "sys/devices/virtual/mdev/%s", d->name);
	} else if (is_pci_address(d->name)) {
		bus = "pci";
		sscanf(d->name, "%4x:%2x", &dom, &busno);
		snprintf(dev, sizeof(dev), "sys/devices/pci%04x:%02x/%s", dom, busno, d->name);
	} else {
		bus = "platform";
		snprintf(dev, sizeof(dev), "sys/devices/platform/%s", d->name);
	}
	up_to_root(dev, up, sizeof(up));

	snprintf(rel, sizeof(rel), "%s/vfio-dev/%s", dev, vfio);
	ret = mkdirs(root, rel);
	snprintf(rel, sizeof(rel), "%s/vfio-dev/%s/device", dev, vfio);
	ret = ret ?: mklink(root, rel, "../..");
	snprintf(rel, sizeof(rel), "%s/subsystem", dev);
	snprintf(target, sizeof(target), "%ssys/bus/%s", up, bus);
	ret = ret ?: mkdirs(root, target + strlen(up));
	ret = ret ?: mklink(root, rel, target);
	if (!ret && d->iommu[0] && file_name_ok(d->iommu)) {
		ret = make_iommu(root, d);
		snprintf(rel, sizeof(rel), "%s/iommu", dev);
		snprintf(target, sizeof(target), "%ssys/devices/virtual/iommu/%s", up, d->iommu);
		ret = ret ?: mklink(root, rel, target);
	}
	/* The class entry, the bus's list, the cdev. */
	snprintf(rel, sizeof(rel), "sys/class/vfio-dev/%s", vfio);
	snprintf(target, sizeof(target), "../../../%s/vfio-dev/%s", dev, vfio);
	ret = ret ?: mklink(root, rel, target);
	snprintf(rel, sizeof(rel), "sys/bus/%s/devices/%s", bus, d->name);
	snprintf(target, sizeof(target), "../../../../%s", dev);
	ret = ret ?: mklink(root, rel, target);
	snprintf(rel, sizeof(rel), "dev/vfio/devices/%s", vfio);
	return ret ?: mkfile(root, rel, "");
}

/*
 * Fault injection (CONFIG_FAULT_INJECTION_DEBUG_FS) as far as a program sets it up before it
 * uses /proc/<pid>/task/<tid>/fail-nth, which is the simulator's (preload.c): the attributes
 * take what is written and change nothing.
 */
static const char *const fault_attrs[] = { "failslab", "fail_page_alloc", "fail_iommufd" };

static int make_fault_attr(const char *root, const char *attr)
{
	static const char *const files[] = { "ignore-gfp-wait", "ignore-gfp-highmem", "verbose",
					     "probability", "times" };
	char rel[PATH_MAX];
	size_t i;
	int ret;

	snprintf(rel, sizeof(rel), "sys/kernel/debug/%s", attr);
	ret = mkdirs(root, rel);
	for (i = 0; i < sizeof(files) / sizeof(files[0]) && !ret; i++) {
		snprintf(rel, sizeof(rel), "sys/kernel/debug/%s/%s", attr, files[i]);
		ret = mkfile(root, rel, "0\n");
	}
	return ret;
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t len)
{
	const unsigned char *c = p;

	while (len--) {
		h ^= *c++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Where trees live: a directory of this user's alone. */
static int base_dir(char *out, size_t len)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (run && *run == '/')
		snprintf(out, len, "%s/iommufd-preload", run);
	else
		snprintf(out, len, "/tmp/iommufd-preload-%u", (unsigned int)geteuid());
	if (mkdir(out, 0700) && errno != EEXIST)
		return -errno;
	if (REAL(lstat)(out, &st))
		return -errno;
	/* Not a link, not someone else's, not open to others: else the tree is not trusted. */
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0077))
		return -EPERM;
	return 0;
}

static int remove_tree(const char *path);

static int remove_entries(const char *path)
{
	char child[PATH_MAX];
	struct dirent *de;
	DIR *d = REAL(opendir)(path);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
		remove_tree(child);
	}
	closedir(d);
	return 0;
}

static int remove_tree(const char *path)
{
	struct stat st;

	if (REAL(lstat)(path, &st))
		return -errno;
	if (S_ISDIR(st.st_mode)) {
		remove_entries(path);
		return rmdir(path) ? -errno : 0;
	}
	return unlink(path) ? -errno : 0;
}

/* Made in a private directory, then renamed into place: other processes see all of it or none. */
static int make_tree(struct iommufd_sim *s)
{
	struct iommufd_device_desc *devs;
	char base[PATH_MAX], tmp[PATH_MAX], final[PATH_MAX];
	uint64_t h = 0xcbf29ce484222325ull;
	int n, i, ret, format = TREE_FORMAT;
	struct stat st;

	devs = calloc(MAX_DEVICES, sizeof(*devs));
	if (!devs)
		return -ENOMEM;
	n = iofd_sim_transport_ops.list_devices(s, devs, MAX_DEVICES);
	if (n < 0) {
		free(devs);
		return n;
	}
	if (n > MAX_DEVICES)
		n = MAX_DEVICES;
	h = fnv1a(h, &format, sizeof(format));
	for (i = 0; i < n; i++)
		h = fnv1a(h, &devs[i], sizeof(devs[i]));
	ret = base_dir(base, sizeof(base));
	if (ret)
		goto out_free;
	snprintf(final, sizeof(final), "%s/%016llx", base, (unsigned long long)h);
	if (!REAL(lstat)(final, &st) && S_ISDIR(st.st_mode))
		goto done;

	snprintf(tmp, sizeof(tmp), "%s/.new-XXXXXX", base);
	if (!mkdtemp(tmp)) {
		ret = -errno;
		goto out_free;
	}
	chmod(tmp, 0755);
	ret = mkdirs(tmp, "dev/vfio/devices");
	ret = ret ?: mkfile(tmp, "dev/iommu", "");
	ret = ret ?: mkdirs(tmp, "sys/class/vfio-dev");
	ret = ret ?: mkdirs(tmp, "sys/class/iommu");
	ret = ret ?: mkdirs(tmp, "sys/bus/pci/devices");
	ret = ret ?: mkdirs(tmp, "sys/bus/mdev/devices");
	ret = ret ?: mkdirs(tmp, "sys/bus/platform/devices");
	for (i = 0; i < (int)(sizeof(fault_attrs) / sizeof(fault_attrs[0])) && !ret; i++)
		ret = make_fault_attr(tmp, fault_attrs[i]);
	for (i = 0; i < n && !ret; i++)
		ret = make_device(tmp, &devs[i]);
	if (!ret && rename(tmp, final)) {
		/* Another process made it first (ENOTEMPTY, EEXIST): theirs is the same. */
		if (errno != ENOTEMPTY && errno != EEXIST)
			ret = -errno;
	}
	remove_tree(tmp);
	if (ret)
		goto out_free;
done:
	snprintf(tree_root, sizeof(tree_root), "%s", final);
	shim_trace("the simulated host's sysfs and /dev: %s", tree_root);
out_free:
	free(devs);
	return ret;
}

static const char *tree(void)
{
	struct iommufd_sim *s;
	int ret;

	if (__atomic_load_n(&tree_state, __ATOMIC_ACQUIRE) > 0)
		return tree_root;
	s = shim_sim();
	if (!s)
		return NULL;
	pthread_mutex_lock(&tree_lock);
	if (!tree_state) {
		ret = make_tree(s);
		if (ret)
			shim_err("cannot make the simulated host's sysfs tree: %s", strerror(-ret));
		__atomic_store_n(&tree_state, ret ? -1 : 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&tree_lock);
	if (tree_state < 0) {
		errno = ENOENT;
		return NULL;
	}
	return tree_root;
}

void shim_sysfs_lock(void)
{
	pthread_mutex_lock(&tree_lock);
}

void shim_sysfs_unlock(void)
{
	pthread_mutex_unlock(&tree_lock);
}

const char *shim_sysfs_path(const char *path, char *buf)
{
	const char *root;
	size_t i;

	if (!shim_path_maybe_ours(path))
		return path;
	for (i = 0; i < sizeof(redirected) / sizeof(redirected[0]); i++)
		if (under(path, redirected[i]))
			break;
	if (i == sizeof(redirected) / sizeof(redirected[0]))
		return path;
	root = tree();
	if (!root)
		return NULL;
	if (snprintf(buf, PATH_MAX, "%s%s", root, path) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	shim_trace("%s -> %s", path, buf);
	return buf;
}

/* ---- the calls that look paths up ---------------------------------------------------------- */

#define REDIRECT(path, buf)                             \
	do {                                            \
		if (shim_path_maybe_ours(path)) {       \
			path = shim_sysfs_path(path, buf); \
			if (!path)                      \
				return FAIL;            \
		}                                       \
	} while (0)

#define FAIL -1
SHIM_EXPORT int stat(const char *path, struct stat *st)
{
	char buf[PATH_MAX];

	REDIRECT(path, buf);
	return REAL(stat)(path, st);
}

SHIM_EXPORT int stat64(const char *path, struct stat64 *st)
{
	char buf[PATH_MAX];

	REDIRECT(path, buf);
	return REAL(stat)(path, (struct stat *)st);
}

SHIM_EXPORT int lstat(const char *path, struct stat *st)
{
	char buf[PATH_MAX];

	REDIRECT(path, buf);
	return REAL(lstat)(path, st);
}

SHIM_EXPORT int lstat64(const char *path, struct stat64 *st)
{
	char buf[PATH_MAX];

	REDIRECT(path, buf);
	return REAL(lstat)(path, (struct stat *)st);
}

SHIM_EXPORT int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	char buf[PATH_MAX];

	REDIRECT(path, buf);
	return REAL(fstatat)(dirfd, path, st, flags);
}

SHIM_EXPORT int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	char buf[PATH_MAX];

	REDIRECT(path, buf);
	return REAL(fstatat)(dirfd, path, (struct stat *)st, flags);
}

SHIM_EXPORT int access(const char *path, int mode)
{
	char buf[PATH_MAX];

	REDIRECT(path, buf);
	return REAL(access)(path, mode);
}

SHIM_EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
	char buf[PATH_MAX];

	REDIRECT(path, buf);
	return REAL(faccessat)(dirfd, path, mode, flags);
}

SHIM_EXPORT ssize_t readlink(const char *path, char *out, size_t len)
{
	char buf[PATH_MAX];

	REDIRECT(path, buf);
	return REAL(readlink)(path, out, len);
}

SHIM_EXPORT ssize_t readlinkat(int dirfd, const char *path, char *out, size_t len)
{
	char buf[PATH_MAX];

	REDIRECT(path, buf);
	return REAL(readlinkat)(dirfd, path, out, len);
}

/* The fortified forms (-D_FORTIFY_SOURCE) check the buffer's size first, as libc's do. */
SHIM_EXPORT ssize_t __readlink_chk(const char *path, char *out, size_t len, size_t outlen);
ssize_t __readlink_chk(const char *path, char *out, size_t len, size_t outlen)
{
	if (len > outlen)
		abort();
	return readlink(path, out, len);
}

SHIM_EXPORT ssize_t __readlinkat_chk(int dirfd, const char *path, char *out, size_t len,
				     size_t outlen);
ssize_t __readlinkat_chk(int dirfd, const char *path, char *out, size_t len, size_t outlen)
{
	if (len > outlen)
		abort();
	return readlinkat(dirfd, path, out, len);
}
#undef FAIL

#define FAIL NULL
SHIM_EXPORT DIR *opendir(const char *path)
{
	char buf[PATH_MAX];

	REDIRECT(path, buf);
	return REAL(opendir)(path);
}

SHIM_EXPORT char *realpath(const char *path, char *resolved)
{
	char buf[PATH_MAX];

	REDIRECT(path, buf);
	return REAL(realpath)(path, resolved);
}

SHIM_EXPORT char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);
char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
	if (resolvedlen < PATH_MAX)
		abort();
	return realpath(path, resolved);
}

SHIM_EXPORT FILE *fopen(const char *path, const char *mode)
{
	char buf[PATH_MAX];

	REDIRECT(path, buf);
	return REAL(fopen)(path, mode);
}

SHIM_EXPORT FILE *fopen64(const char *path, const char *mode)
{
	char buf[PATH_MAX];

	REDIRECT(path, buf);
	return REAL(fopen)(path, mode);
}
#undef FAIL
