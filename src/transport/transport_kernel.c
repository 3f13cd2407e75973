// SPDX-License-Identifier: LGPL-2.1-or-later
/* The real kernel behind the transport: system calls and sysfs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "transport/transport.h"

#define VFIO_CDEV_DIR "/dev/vfio/devices/"
#define VFIO_CLASS_DIR "/sys/class/vfio-dev/"

static int kernel_open(void *priv, const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int kernel_ioctl(void *priv, int fd, unsigned long request, void *arg)
{
	int ret;

	do
		ret = ioctl(fd, request, arg);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

static void kernel_close(void *priv, int fd)
{
	close(fd);
}

static long kernel_read(void *priv, int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : (long)n;
}

static long kernel_write(void *priv, int fd, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : (long)n;
}

/* basename of the target of the link at dir/name into out; false if no link */
static bool link_basename(const char *dir, const char *name, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(out, len, "%s", base ? base + 1 : target);
	return true;
}

static bool path_exists(const char *fmt, const char *a)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), fmt, a);
	return stat(path, &st) == 0;
}

/* Which driver an IOMMU instance belongs to, from its class directory. */
static void iommu_driver(const char *iommu, char *out, size_t len)
{
	char dir[PATH_MAX];

	if (path_exists("/sys/class/iommu/%s/intel-iommu", iommu))
		snprintf(out, len, "intel-vtd");
	else if (path_exists("/sys/class/iommu/%s/amd-iommu", iommu))
		snprintf(out, len, "amd-vi");
	else {
		snprintf(dir, sizeof(dir), "/sys/class/iommu/%s/device", iommu);
		if (!link_basename(dir, "driver", out, len))
			snprintf(out, len, "unknown");
	}
}

/* Fill out from a device's sysfs directory (a resolved path). */
static int describe_sysfs(const char *sysfs, struct iofd_dev_sysinfo *out)
{
	char dir[PATH_MAX], bus[64];
	struct dirent *de;
	const char *base;
	DIR *d;

	memset(out, 0, sizeof(*out));
	base = strrchr(sysfs, '/');
	snprintf(out->name, sizeof(out->name), "%s", base ? base + 1 : sysfs);

	snprintf(dir, sizeof(dir), "%s/vfio-dev", sysfs);
	d = opendir(dir);
	if (!d)
		return -ENODEV; /* not bound to a VFIO driver, or no cdev support */
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, "vfio", 4) && de->d_name[4] >= '0' && de->d_name[4] <= '9') {
			snprintf(out->cdev, sizeof(out->cdev), VFIO_CDEV_DIR "%s", de->d_name);
			break;
		}
	}
	closedir(d);
	if (!out->cdev[0])
		return -ENODEV;

	out->emulated = link_basename(sysfs, "subsystem", bus, sizeof(bus)) && !strcmp(bus, "mdev");
	if (!out->emulated && link_basename(sysfs, "iommu", out->iommu, sizeof(out->iommu)))
		iommu_driver(out->iommu, out->driver, sizeof(out->driver));
	return 0;
}

static int sysfs_of_cdev(const char *cdev, char *out)
{
	const char *base = cdev + strlen(VFIO_CDEV_DIR);
	char link[PATH_MAX];

	if (strchr(base, '/') || strncmp(base, "vfio", 4))
		return -ENODEV;
	snprintf(link, sizeof(link), VFIO_CLASS_DIR "%s/device", base);
	if (!realpath(link, out))
		return -errno;
	return 0;
}

/*
 * The device whose sysfs directory is called name, among those with a VFIO cdev: the name
 * kernel_list_devices() gives any device, whatever its bus. real: PATH_MAX bytes.
 */
static bool find_in_vfio_class(const char *name, char *real)
{
	char link[PATH_MAX], dev[PATH_MAX];
	const char *base;
	struct dirent *de;
	bool found = false;
	DIR *d;

	d = opendir(VFIO_CLASS_DIR);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), VFIO_CLASS_DIR "%s/device", de->d_name);
		if (!realpath(link, dev))
			continue;
		base = strrchr(dev, '/');
		if (base && !strcmp(base + 1, name)) {
			memcpy(real, dev, PATH_MAX);
			found = true;
		}
	}
	closedir(d);
	return found;
}

static int kernel_resolve_device(void *priv, const char *name, struct iofd_dev_sysinfo *out)
{
	char path[PATH_MAX], real[PATH_MAX];
	int ret;

	if (!strncmp(name, VFIO_CDEV_DIR, strlen(VFIO_CDEV_DIR))) {
		ret = sysfs_of_cdev(name, real);
		if (ret)
			return ret;
	} else if (name[0] == '/') {
		if (!realpath(name, real))
			return -errno;
	} else {
		if (strchr(name, '/') || !*name)
			return -EINVAL;
		/* A PCI address, an mdev's uuid, or any listed device's name (other buses). */
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", name);
		if (!realpath(path, real)) {
			snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s", name);
			if (!realpath(path, real) && !find_in_vfio_class(name, real))
				return -ENOENT;
		}
	}
	return describe_sysfs(real, out);
}

/* What a file that is no VFIO device cdev is, in a few words. */
static void describe_other(const struct stat *st, const char *sysfs, char *out, size_t len)
{
	const char *base;

	if (S_ISREG(st->st_mode))
		snprintf(out, len, "a regular file");
	else if (S_ISDIR(st->st_mode))
		snprintf(out, len, "a directory");
	else if (S_ISFIFO(st->st_mode))
		snprintf(out, len, "a pipe");
	else if (S_ISSOCK(st->st_mode))
		snprintf(out, len, "a socket");
	else if (S_ISBLK(st->st_mode))
		snprintf(out, len, "block device %u:%u", major(st->st_rdev), minor(st->st_rdev));
	else if (S_ISCHR(st->st_mode) && sysfs && (base = strrchr(sysfs, '/')))
		snprintf(out, len, "char device %u:%u (%s)", major(st->st_rdev),
			 minor(st->st_rdev), base + 1);
	else if (S_ISCHR(st->st_mode))
		snprintf(out, len, "char device %u:%u", major(st->st_rdev), minor(st->st_rdev));
	else
		snprintf(out, len, "an anonymous file (an eventfd, epoll...)");
}

/*
 * A VFIO device cdev is the char device /sys/dev/char/MAJ:MIN links to
 * <device>/vfio-dev/vfioN: its parent's parent is the device's sysfs directory.
 */
static int kernel_describe_fd(void *priv, int fd, struct iofd_dev_sysinfo *out)
{
	char link[64], real[PATH_MAX];
	char *base, *dir;
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (fd < 0 || fstat(fd, &st))
		return -EBADF;
	if (!S_ISCHR(st.st_mode)) {
		describe_other(&st, NULL, out->name, sizeof(out->name));
		return -ENODEV;
	}
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u", major(st.st_rdev), minor(st.st_rdev));
	if (!realpath(link, real)) {
		describe_other(&st, NULL, out->name, sizeof(out->name));
		return -ENODEV;
	}
	base = strrchr(real, '/');
	*base = '\0';
	dir = strrchr(real, '/');
	if (strncmp(base + 1, "vfio", 4) || !dir || strcmp(dir + 1, "vfio-dev")) {
		*base = '/';
		describe_other(&st, real, out->name, sizeof(out->name));
		return -ENODEV;
	}
	*dir = '\0';
	return describe_sysfs(real, out);
}

static int kernel_list_devices(void *priv, struct iommufd_device_desc *out, unsigned max)
{
	struct iofd_dev_sysinfo info;
	char cdev[PATH_MAX];
	struct dirent *de;
	unsigned n = 0;
	DIR *d;

	d = opendir(VFIO_CLASS_DIR);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(cdev, sizeof(cdev), VFIO_CDEV_DIR "%s", de->d_name);
		if (kernel_resolve_device(priv, cdev, &info))
			continue;
		if (n < max)
			iofd_sysinfo_to_desc(&info, &out[n]);
		n++;
	}
	closedir(d);
	return (int)n;
}

const struct iofd_transport_ops iofd_kernel_transport_ops = {
	.name = "kernel",
	.open = kernel_open,
	.ioctl = kernel_ioctl,
	.close = kernel_close,
	.read = kernel_read,
	.write = kernel_write,
	.resolve_device = kernel_resolve_device,
	.describe_fd = kernel_describe_fd,
	.list_devices = kernel_list_devices,
	.release = NULL,
};
