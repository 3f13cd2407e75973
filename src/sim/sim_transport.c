// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulator's transport: open/ioctl/close on simulated files, device
 * lookup in the topology. iommufd ioctls go through the kernel's generic
 * command handling: exact ioctl number, a leading size no smaller than the
 * first version of the struct, unknown trailing bytes zero (else E2BIG).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "sim/sim_transport.h"
#include "uapi/iommufd_abi.h"
#include "uapi/iommufd_ext_abi.h"
#include "uapi/selftest_abi.h"

#define SIM_CMD_BASE IOFD_CMD_DESTROY

struct sim_ioctl_op {
	unsigned long request;
	size_t size;     /* the struct this kernel knows */
	size_t min_size; /* its first version: up to and including the last field */
	int (*execute)(struct sim_ucmd *ucmd);
	unsigned int since; /* the first kernel that has it (ENOTTY before); 0: all */
	bool test;          /* IOMMU_TEST_CMD: only with a selftest mock IOMMU (else ENOTTY) */
};

#define SIM_OP(_req, _fn, _struct, _last)                                           \
	[_IOC_NR(_req) - SIM_CMD_BASE] = {                                          \
		.request = (_req),                                                  \
		.size = sizeof(struct _struct),                                     \
		.min_size = offsetof(struct _struct, _last) +                       \
			    sizeof(((struct _struct *)0)->_last),                   \
		.execute = (_fn),                                                   \
	}

#define SIM_OP_SINCE(_req, _fn, _struct, _last, _since)                             \
	[_IOC_NR(_req) - SIM_CMD_BASE] = {                                          \
		.request = (_req),                                                  \
		.size = sizeof(struct _struct),                                     \
		.min_size = offsetof(struct _struct, _last) +                       \
			    sizeof(((struct _struct *)0)->_last),                   \
		.execute = (_fn),                                                   \
		.since = (_since),                                                  \
	}

static const struct sim_ioctl_op sim_ioctl_ops[] = {
	SIM_OP(IOFD_DESTROY, sim_cmd_destroy, iofd_destroy, id),
	SIM_OP(IOFD_IOAS_ALLOC, sim_cmd_ioas_alloc, iofd_ioas_alloc, out_ioas_id),
	SIM_OP(IOFD_IOAS_ALLOW_IOVAS, sim_cmd_ioas_allow_iovas, iofd_ioas_allow_iovas,
	       allowed_iovas),
	SIM_OP(IOFD_IOAS_COPY, sim_cmd_ioas_copy, iofd_ioas_copy, src_iova),
	SIM_OP(IOFD_IOAS_IOVA_RANGES, sim_cmd_ioas_iova_ranges, iofd_ioas_iova_ranges,
	       out_iova_alignment),
	SIM_OP(IOFD_IOAS_MAP, sim_cmd_ioas_map, iofd_ioas_map, iova),
	SIM_OP(IOFD_IOAS_UNMAP, sim_cmd_ioas_unmap, iofd_ioas_unmap, length),
	/* the first version of HWPT_ALLOC ends before data_type */
	SIM_OP(IOFD_HWPT_ALLOC, sim_cmd_hwpt_alloc, iofd_hwpt_alloc, reserved),
	SIM_OP(IOFD_GET_HW_INFO, sim_cmd_get_hw_info, iofd_hw_info, reserved),
	SIM_OP(IOFD_HWPT_SET_DIRTY_TRACKING, sim_cmd_hwpt_set_dirty_tracking,
	       iofd_hwpt_set_dirty_tracking, reserved),
	SIM_OP(IOFD_HWPT_GET_DIRTY_BITMAP, sim_cmd_hwpt_get_dirty_bitmap,
	       iofd_hwpt_get_dirty_bitmap, data),
	SIM_OP_SINCE(IOFD_IOAS_MAP_FILE, sim_cmd_ioas_map_file, iofd_ioas_map_file, iova,
		     SIM_KERNEL_MAP_FILE),
	SIM_OP(IOFD_OPTION, sim_cmd_option, iofd_option, val64),
	SIM_OP(IOFD_VFIO_IOAS, sim_cmd_vfio_ioas, iofd_vfio_ioas, reserved),
	SIM_OP(IOFD_HWPT_INVALIDATE, sim_cmd_hwpt_invalidate, iofd_hwpt_invalidate, reserved),
	SIM_OP(IOFD_FAULT_QUEUE_ALLOC, sim_cmd_fault_alloc, iofd_fault_alloc, out_fault_fd),
	SIM_OP_SINCE(IOFD_VIOMMU_ALLOC, sim_cmd_viommu_alloc, iofd_viommu_alloc, out_viommu_id,
		     SIM_KERNEL_VIOMMU),
	SIM_OP_SINCE(IOFD_VDEVICE_ALLOC, sim_cmd_vdevice_alloc, iofd_vdevice_alloc, virt_id,
		     SIM_KERNEL_VIOMMU),
	SIM_OP_SINCE(IOFD_IOAS_CHANGE_PROCESS, sim_cmd_ioas_change_process,
		     iofd_ioas_change_process, reserved, SIM_KERNEL_CHANGE_PROCESS),
	SIM_OP_SINCE(IOFD_VEVENTQ_ALLOC, sim_cmd_veventq_alloc, iofd_veventq_alloc,
		     out_veventq_fd, SIM_KERNEL_VEVENTQ),
	SIM_OP_SINCE(IOFD_HW_QUEUE_ALLOC, sim_cmd_hw_queue_alloc, iofd_hw_queue_alloc, length,
		     SIM_KERNEL_HW_QUEUE),
	[_IOC_NR(IOFD_TEST_CMD) - SIM_CMD_BASE] = {
		.request = IOFD_TEST_CMD,
		.size = sizeof(struct iofd_test_cmd),
		.min_size = offsetof(struct iofd_test_cmd, last) + sizeof(uint32_t),
		.execute = sim_cmd_test,
		.test = true,
	},
};

int sim_ucmd_respond(struct sim_ucmd *ucmd, size_t cmd_len)
{
	return sim_user_write((uintptr_t)ucmd->ubuf, ucmd->cmd,
			      ucmd->user_size < cmd_len ? ucmd->user_size : cmd_len);
}

int sim_ucmd_respond_new(struct sim_ucmd *ucmd, size_t cmd_len, struct sim_obj *obj, int fd)
{
	if (!sim_ucmd_respond(ucmd, cmd_len))
		return 0;
	sim_obj_abort(obj, fd);
	return -EFAULT;
}

/*
 * The kernel's header copy: the size word (get_user()), no smaller than the first version,
 * then copy_struct_from_user() (unknown trailing bytes zero, else E2BIG; a shorter struct
 * zero-extended).
 */
static int ucmd_copy_in(const struct sim_ioctl_op *op, void *buf, const void *arg,
			uint32_t *usize)
{
	if (sim_user_read(usize, (uintptr_t)arg, sizeof(*usize)))
		return -EFAULT;
	if (*usize < op->min_size)
		return -EINVAL;
	return sim_user_struct_read(buf, op->size, (uintptr_t)arg, *usize);
}

static int sim_iommufd_ioctl(struct sim_ictx *ictx, unsigned int proc, unsigned long request,
			     void *arg)
{
	uint64_t buf[16]; /* the largest command struct, 8-byte aligned */
	const struct sim_ioctl_op *op;
	struct sim_ucmd ucmd;
	unsigned int nr = _IOC_NR(request);
	uint32_t usize;
	int ret;

	_Static_assert(sizeof(struct iofd_hwpt_alloc) <= sizeof(buf), "ucmd buffer");
	_Static_assert(sizeof(struct iofd_test_cmd) <= sizeof(buf), "ucmd buffer");
	/* Outside the iommufd range: the VFIO container's ioctls (vfio_compat.c). */
	if (nr < SIM_CMD_BASE || nr - SIM_CMD_BASE >= sizeof(sim_ioctl_ops) / sizeof(*sim_ioctl_ops))
		return sim_vfio_compat_ioctl(ictx, proc, request, arg);
	op = &sim_ioctl_ops[nr - SIM_CMD_BASE];
	if (!op->execute || op->request != request || op->since > ictx->sim->topo.kernel ||
	    (op->test && !sim_mock_iommu(ictx->sim)))
		return -ENOTTY;
	ret = ucmd_copy_in(op, buf, arg, &usize);
	if (ret)
		return ret;
	ucmd.ictx = ictx;
	ucmd.proc = proc;
	ucmd.ubuf = arg;
	ucmd.user_size = usize;
	ucmd.cmd = buf;
	return op->execute(&ucmd);
}

static int sim_tp_open(void *priv, const char *path, int flags)
{
	struct sim_proc *proc = priv;
	struct iommufd_sim *sim = proc->sim;
	struct sim_device *dev;
	unsigned int i;
	int ret;

	(void)flags;
	if (!path)
		return -EFAULT;
	pthread_mutex_lock(&sim->lock);
	if (sim_fail_nth_fires(sim, &ret))
		goto out_unlock;
	if (!strcmp(path, "/dev/iommu")) {
		ret = sim_ictx_open(sim, proc->id);
		goto out_unlock;
	}
	ret = -ENOENT;
	for (i = 0; i < sim->topo.ndevices; i++) {
		dev = &sim->topo.devices[i];
		if (!strcmp(dev->cdev, path)) {
			ret = sim_df_open(sim, dev, proc->id);
			break;
		}
	}
out_unlock:
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

static int sim_tp_ioctl(void *priv, int fd, unsigned long request, void *arg)
{
	struct sim_proc *proc = priv;
	struct iommufd_sim *sim = proc->sim;
	uintptr_t floor = sim_user_enter((uintptr_t)__builtin_dwarf_cfa());
	struct sim_fd *f;
	int ret;

	pthread_mutex_lock(&sim->lock);
	if (sim_fail_nth_fires(sim, &ret))
		goto out_unlock;
	f = sim_fd_get(sim, fd, proc->id);
	if (!f)
		ret = -EBADF;
	else if (f->kind == SIM_FD_IOMMUFD)
		ret = sim_iommufd_ioctl(f->ptr, proc->id, request, arg);
	else if (f->kind == SIM_FD_DEVICE)
		ret = sim_df_ioctl(f->ptr, proc->id, request, arg);
	else
		ret = -ENOTTY; /* event queues and accesses have no ioctls */
out_unlock:
	pthread_mutex_unlock(&sim->lock);
	sim_user_leave(floor);
	return ret;
}

static void sim_tp_close(void *priv, int fd)
{
	struct sim_proc *proc = priv;
	struct iommufd_sim *sim = proc->sim;
	struct sim_fd *f;

	pthread_mutex_lock(&sim->lock);
	f = sim_fd_get(sim, fd, proc->id);
	if (f)
		sim_fd_close(sim, f);
	pthread_mutex_unlock(&sim->lock);
}

/*
 * A kernel file's read(2) (into rbuf) or write(2) (from wbuf); /dev/iommu and VFIO device
 * files have none (EINVAL).
 */
static long file_io(void *priv, int fd, void *rbuf, const void *wbuf, size_t len)
{
	struct sim_proc *proc = priv;
	struct iommufd_sim *sim = proc->sim;
	struct sim_fd *f;
	long ret;

	pthread_mutex_lock(&sim->lock);
	f = sim_fd_get(sim, fd, proc->id);
	if (!f)
		ret = -EBADF;
	else if (f->kind != SIM_FD_FILE)
		ret = -EINVAL;
	else if (wbuf)
		ret = sim_file_write(f->ptr, wbuf, len);
	else
		ret = sim_file_read(f->ptr, rbuf, len);
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

static long sim_tp_read(void *priv, int fd, void *buf, size_t len)
{
	return file_io(priv, fd, buf, NULL, len);
}

static long sim_tp_write(void *priv, int fd, const void *buf, size_t len)
{
	return file_io(priv, fd, NULL, buf, len);
}

static void fill_sysinfo(const struct sim_device *dev, struct iofd_dev_sysinfo *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", dev->name);
	snprintf(out->cdev, sizeof(out->cdev), "%s", dev->cdev);
	out->emulated = dev->emulated;
	if (dev->iommu) {
		snprintf(out->iommu, sizeof(out->iommu), "%s", dev->iommu->name);
		snprintf(out->driver, sizeof(out->driver), "%s", dev->iommu->driver);
	}
}

static int sim_tp_resolve_device(void *priv, const char *name, struct iofd_dev_sysinfo *out)
{
	struct iommufd_sim *sim = ((struct sim_proc *)priv)->sim;
	struct sim_device *dev;
	int ret = 0;

	if (!name || !out)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	dev = sim_topology_find(&sim->topo, name);
	if (!dev) {
		ret = -ENOENT;
		goto out_unlock;
	}
	fill_sysinfo(dev, out);
out_unlock:
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

/* A device file of this simulator, as the kernel finds it behind a cdev fd. */
static int sim_tp_describe_fd(void *priv, int fd, struct iofd_dev_sysinfo *out)
{
	struct sim_proc *proc = priv;
	struct iommufd_sim *sim = proc->sim;
	struct sim_fd *f;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&sim->lock);
	f = sim_fd_get(sim, fd, proc->id);
	if (!f) {
		/* An open file of the process, but none of this simulator's. */
		ret = fd < 0 || fcntl(fd, F_GETFD) < 0 ? -EBADF : -ENODEV;
		if (ret == -ENODEV)
			snprintf(out->name, sizeof(out->name),
				 "a file the simulator does not know");
	} else if (f->kind != SIM_FD_DEVICE) {
		ret = -ENODEV;
		snprintf(out->name, sizeof(out->name), "/dev/iommu");
	} else {
		fill_sysinfo(((struct sim_df *)f->ptr)->dev, out);
	}
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

static int sim_tp_list_devices(void *priv, struct iommufd_device_desc *out, unsigned max)
{
	struct iommufd_sim *sim = ((struct sim_proc *)priv)->sim;
	unsigned int i, n;

	if (max && !out)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	n = sim->topo.ndevices;
	for (i = 0; i < n && i < max; i++) {
		const struct sim_device *dev = &sim->topo.devices[i];

		memset(&out[i], 0, sizeof(out[i]));
		snprintf(out[i].name, sizeof(out[i].name), "%s", dev->name);
		snprintf(out[i].cdev, sizeof(out[i].cdev), "%s", dev->cdev);
		out[i].emulated = dev->emulated;
		if (dev->iommu) {
			snprintf(out[i].iommu, sizeof(out[i].iommu), "%s", dev->iommu->name);
			snprintf(out[i].driver, sizeof(out[i].driver), "%s", dev->iommu->driver);
		}
	}
	pthread_mutex_unlock(&sim->lock);
	return (int)n;
}

static void sim_tp_release(void *priv)
{
	struct sim_proc *proc = priv;
	struct iommufd_sim *sim = proc->sim;

	/* The program's own process (0) is the simulator's; the others were made for a context. */
	if (proc != &sim->self)
		free(proc);
	pthread_mutex_lock(&sim->lock);
	sim_put_locked(sim);
}

const struct iofd_transport_ops iofd_sim_transport_ops = {
	.name = "sim",
	.open = sim_tp_open,
	.ioctl = sim_tp_ioctl,
	.close = sim_tp_close,
	.read = sim_tp_read,
	.write = sim_tp_write,
	.resolve_device = sim_tp_resolve_device,
	.describe_fd = sim_tp_describe_fd,
	.list_devices = sim_tp_list_devices,
	.release = sim_tp_release,
};
