// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Event queues: fault queues (FAULT_QUEUE_ALLOC: I/O page faults to read,
 * responses to write) and vEVENTQs (a vIOMMU's events to read, with a
 * sequence number each and a lost-events header when the queue was full).
 * Follows the kernel's eventq.c and driver.c (7.3; 6.12's fault.c reads and
 * writes the same). Each queue's file is a sim_file: poll() on it sees
 * POLLIN while something waits to be read. The simulator's calls that play
 * the hardware (a device's page request, a vIOMMU's event) and show the
 * mock's caches are here too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "uapi/iommufd_abi.h"
#include "uapi/selftest_abi.h"

#define SIM_VEVENTQ_MAX_DEPTH (1u << 19)

/* ---- fault queues --------------------------------------------------------- */

static struct sim_fault *fault_of(struct sim_file *f)
{
	return (struct sim_fault *)((char *)f - offsetof(struct sim_fault, file));
}

static void fault_signal(struct sim_fault *fault)
{
	sim_file_signal(&fault->file, fault->deliver != NULL);
}

/* The lowest free cookie from 1 (xa_alloc() of an ALLOC1 array). */
static uint32_t next_cookie(const struct sim_fault *fault)
{
	const struct sim_iopf *g;
	uint32_t c = 1;
	bool moved = true;

	while (moved) {
		moved = false;
		for (g = fault->response; g; g = g->next) {
			if (g->cookie == c) {
				c++;
				moved = true;
			}
		}
	}
	return c;
}

/* Each group is one fault here: read whole groups, each gets its response cookie. */
static long fault_read(struct sim_file *f, void *buf, size_t len)
{
	const size_t sz = sizeof(struct iofd_hwpt_pgfault);
	struct sim_fault *fault = fault_of(f);
	size_t done = 0;
	long ret = 0;

	if (len % sz)
		return -ESPIPE;
	while (fault->deliver) {
		struct sim_iopf *g = fault->deliver;
		struct iofd_hwpt_pgfault msg = { 0 };

		if (done >= len || sz > len - done) {
			if (!done)
				ret = -EINVAL;
			break;
		}
		if (!buf) {
			ret = -EFAULT;
			break;
		}
		g->cookie = next_cookie(fault);
		msg.flags = g->flags;
		msg.dev_id = g->idev->obj.id;
		msg.pasid = g->pasid;
		msg.grpid = g->grpid;
		msg.perm = g->perm;
		msg.addr = g->addr;
		msg.cookie = g->cookie;
		memcpy((char *)buf + done, &msg, sz);
		done += sz;
		fault->deliver = g->next;
		g->next = fault->response;
		fault->response = g;
	}
	fault_signal(fault);
	return done ? (long)done : ret;
}

static long fault_write(struct sim_file *f, const void *buf, size_t len)
{
	const size_t sz = sizeof(struct iofd_hwpt_page_response);
	struct sim_fault *fault = fault_of(f);
	struct iofd_hwpt_page_response resp;
	size_t done = 0;
	long ret = 0;

	if (len % sz)
		return -ESPIPE;
	while (len > done) {
		struct sim_iopf **pp;

		if (!buf) {
			ret = -EFAULT;
			break;
		}
		memcpy(&resp, (const char *)buf + done, sz);
		if (resp.code != IOFD_PAGE_RESP_SUCCESS && resp.code != IOFD_PAGE_RESP_INVALID) {
			ret = -EINVAL;
			break;
		}
		for (pp = &fault->response; *pp && (*pp)->cookie != resp.cookie; pp = &(*pp)->next)
			;
		if (!*pp) {
			ret = -EINVAL;
			break;
		}
		{
			struct sim_iopf *g = *pp;

			*pp = g->next;
			free(g);
		}
		done += sz;
	}
	return done ? (long)done : ret;
}

/* The file's last descriptor closed: it drops its hold on the queue and the context. */
static void fault_release(struct sim_file *f)
{
	struct sim_fault *fault = fault_of(f);
	struct sim_ictx *ictx = fault->obj.ictx;

	fault->file_open = false;
	fault->obj.users--;
	sim_ictx_put(ictx);
}

static const struct sim_file_ops fault_file_ops = {
	.read = fault_read,
	.write = fault_write,
	.release = fault_release,
};

static void free_groups(struct sim_iopf **list, struct sim_idev *idev, uint32_t pasid_key)
{
	struct sim_iopf **pp = list;

	while (*pp) {
		struct sim_iopf *g = *pp;

		if (!idev || (g->idev == idev && g->pasid_key == pasid_key)) {
			*pp = g->next;
			free(g);
		} else {
			pp = &g->next;
		}
	}
}

void sim_fault_drop(struct sim_fault *fault, struct sim_idev *idev, uint32_t pasid_key)
{
	/* iommufd_auto_response_faults(): answered INVALID for the device, gone from the queue */
	free_groups(&fault->deliver, idev, pasid_key);
	free_groups(&fault->response, idev, pasid_key);
	fault_signal(fault);
}

void sim_fault_destroy(struct sim_fault *fault)
{
	free_groups(&fault->deliver, NULL, 0);
	free_groups(&fault->response, NULL, 0);
	sim_obj_remove(&fault->obj);
	free(fault);
}

int sim_cmd_fault_alloc(struct sim_ucmd *ucmd)
{
	struct iofd_fault_alloc *cmd = ucmd->cmd;
	struct sim_fault *fault;
	int fd, ret;

	if (cmd->flags)
		return -EOPNOTSUPP;
	fault = calloc(1, sizeof(*fault));
	if (!fault)
		return -ENOMEM;
	ret = sim_obj_add(ucmd->ictx, &fault->obj, SIM_OBJ_FAULT);
	if (ret) {
		free(fault);
		return ret;
	}
	fd = sim_file_install(ucmd->ictx->sim, &fault->file, &fault_file_ops);
	if (fd < 0) {
		sim_fault_destroy(fault);
		return fd;
	}
	/* the file holds the queue and the context (iommufd_eventq_init()) */
	fault->file_open = true;
	fault->obj.users++;
	ucmd->ictx->refs++;
	cmd->out_fault_id = fault->obj.id;
	cmd->out_fault_fd = fd;
	sim_ucmd_respond(ucmd, sizeof(*cmd));
	return 0;
}

/* ---- vEVENTQs ------------------------------------------------------------- */

static struct sim_veventq *veventq_of(struct sim_file *f)
{
	return (struct sim_veventq *)((char *)f - offsetof(struct sim_veventq, file));
}

static long veventq_read(struct sim_file *f, void *buf, size_t len)
{
	struct sim_veventq *q = veventq_of(f);
	struct iofd_vevent_header hdr;
	size_t done = 0;
	long ret = 0;

	/* at least one header */
	if (len < sizeof(hdr))
		return -EINVAL;
	while (q->head) {
		struct sim_vevent *e = q->head;
		bool lost = e->flags & IOFD_VEVENTQ_FLAG_LOST_EVENTS;

		if (done >= len || sizeof(hdr) > len - done)
			break;
		if (!lost && sizeof(hdr) + e->len > len - done) {
			if (!done)
				ret = -EINVAL;
			break;
		}
		if (!buf) {
			ret = -EFAULT;
			break;
		}
		hdr.flags = e->flags;
		hdr.sequence = e->sequence;
		memcpy((char *)buf + done, &hdr, sizeof(hdr));
		done += sizeof(hdr);
		if (e->len)
			memcpy((char *)buf + done, e->data, e->len);
		done += e->len;
		q->head = e->next;
		if (!q->head)
			q->tail = NULL;
		if (lost)
			q->lost_queued = false;
		else
			q->num_events--;
		free(e);
	}
	sim_file_signal(&q->file, q->head != NULL);
	return done ? (long)done : ret;
}

static void veventq_release(struct sim_file *f)
{
	struct sim_veventq *q = veventq_of(f);
	struct sim_ictx *ictx = q->obj.ictx;

	q->file_open = false;
	q->obj.users--;
	sim_ictx_put(ictx);
}

static const struct sim_file_ops veventq_file_ops = {
	.read = veventq_read,
	.release = veventq_release,
};

static struct sim_veventq *find_veventq(const struct sim_viommu *v, uint32_t type)
{
	struct sim_ictx *ictx = v->obj.ictx;
	uint32_t id;

	for (id = 1; id < ictx->objs_cap; id++) {
		struct sim_veventq *q = (struct sim_veventq *)ictx->objs[id];

		if (q && q->obj.type == SIM_OBJ_VEVENTQ && q->viommu == v && q->type == type)
			return q;
	}
	return NULL;
}

void sim_veventq_destroy(struct sim_veventq *q)
{
	while (q->head) {
		struct sim_vevent *e = q->head;

		q->head = e->next;
		free(e);
	}
	q->viommu->obj.users--;
	sim_obj_remove(&q->obj);
	free(q);
}

int sim_cmd_veventq_alloc(struct sim_ucmd *ucmd)
{
	struct iofd_veventq_alloc *cmd = ucmd->cmd;
	struct sim_veventq *q;
	struct sim_viommu *v;
	int fd, ret;

	if (cmd->flags || cmd->reserved || cmd->type == IOFD_VEVENTQ_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->veventq_depth || cmd->veventq_depth > SIM_VEVENTQ_MAX_DEPTH)
		return -EINVAL;
	v = (struct sim_viommu *)sim_obj_get(ucmd->ictx, cmd->viommu_id, SIM_OBJ_VIOMMU);
	if (!v)
		return -ENOENT;
	/* one queue per type and vIOMMU */
	if (find_veventq(v, cmd->type))
		return -EEXIST;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	ret = sim_obj_add(ucmd->ictx, &q->obj, SIM_OBJ_VEVENTQ);
	if (ret) {
		free(q);
		return ret;
	}
	q->viommu = v;
	v->obj.users++;
	q->type = cmd->type;
	q->depth = cmd->veventq_depth;
	fd = sim_file_install(ucmd->ictx->sim, &q->file, &veventq_file_ops);
	if (fd < 0) {
		sim_veventq_destroy(q);
		return fd;
	}
	q->file_open = true;
	q->obj.users++;
	ucmd->ictx->refs++;
	cmd->out_veventq_id = q->obj.id;
	cmd->out_veventq_fd = fd;
	sim_ucmd_respond(ucmd, sizeof(*cmd));
	return 0;
}

static void queue_event(struct sim_veventq *q, struct sim_vevent *e)
{
	/* a lost-events header stays only at the tail: the next event's sequence tells */
	if (q->lost_queued) {
		struct sim_vevent **pp = &q->head, *prev = NULL;

		while (*pp != q->tail) {
			prev = *pp;
			pp = &(*pp)->next;
		}
		free(q->tail);
		*pp = NULL;
		q->tail = prev;
		q->lost_queued = false;
	}
	e->sequence = q->sequence;
	q->sequence = (q->sequence + 1) & INT32_MAX;
	if (q->tail)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	sim_file_signal(&q->file, true);
}

int sim_viommu_report_event(struct sim_viommu *v, uint32_t type, const void *data, uint32_t len)
{
	struct sim_veventq *q = find_veventq(v, type);
	struct sim_vevent *e;

	if (!q)
		return -EOPNOTSUPP;
	if (len > sizeof(e->data))
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	if (q->num_events == q->depth) {
		/* full: the event is lost, which a header at the tail says */
		e->flags = IOFD_VEVENTQ_FLAG_LOST_EVENTS;
		queue_event(q, e);
		q->lost_queued = true;
		return 0;
	}
	e->len = len;
	memcpy(e->data, data, len);
	q->num_events++;
	queue_event(q, e);
	return 0;
}

int sim_fault_attach_check(const struct sim_idev *idev, const struct sim_fault *fault)
{
	/* the driver enables I/O page faults for the device first (IOMMU_DEV_FEAT_IOPF) */
	return fault && !idev->dev->iommu->iopf ? -ENODEV : 0;
}

/* ---- the hardware's part: page requests, events, caches ------------------------ */

/* The bound physical device of a topology name; -ENODEV or -EINVAL (none there). */
static int bound_idev(struct iommufd_sim *sim, const char *device, struct sim_idev **out)
{
	struct sim_device *dev;

	if (!sim || !device)
		return -EINVAL;
	dev = sim_topology_find(&sim->topo, device);
	if (!dev)
		return -ENODEV;
	if (dev->emulated || !dev->open_df || !dev->open_df->idev)
		return -EINVAL;
	*out = dev->open_df->idev;
	return 0;
}

/* The IOMMU driver manages the PASID table for the guest: its faults go to the nested domain. */
static bool user_pasid_table(const struct sim_iommu *iommu)
{
	return iommu->kind == SIM_DRV_SELFTEST || iommu->kind == SIM_DRV_ARM_SMMUV3;
}

int iommufd_sim_trigger_iopf(struct iommufd_sim *sim, const char *device, uint32_t pasid,
			     uint32_t grpid, uint32_t perm, uint64_t addr)
{
	struct sim_nested *nested = NULL;
	struct sim_hwpt *hwpt = NULL;
	struct sim_fault *fault;
	struct sim_idev *idev;
	struct sim_iopf *g;
	uint32_t key = pasid;
	int ret;

	if (!sim)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	ret = bound_idev(sim, device, &idev);
	if (ret)
		goto out_unlock;
	/* find_fault_handler(): the domain at the PASID, or the device's nested one */
	sim_pasid_domain(idev, pasid, &hwpt, &nested);
	if (pasid && !hwpt && !nested && user_pasid_table(idev->dev->iommu)) {
		nested = idev->nested;
		key = 0;
	}
	fault = nested ? nested->fault : hwpt ? hwpt->fault : NULL;
	/* no domain taking faults: the request is answered INVALID, nothing is queued */
	if (!fault)
		goto out_unlock;
	g = calloc(1, sizeof(*g));
	if (!g) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	g->idev = idev;
	g->pasid_key = key;
	g->flags = IOFD_PGFAULT_FLAGS_LAST_PAGE | (pasid ? IOFD_PGFAULT_FLAGS_PASID_VALID : 0);
	g->pasid = pasid;
	g->grpid = grpid;
	g->perm = perm;
	g->addr = addr;
	{
		struct sim_iopf **pp = &fault->deliver;

		while (*pp)
			pp = &(*pp)->next;
		*pp = g;
	}
	fault_signal(fault);
out_unlock:
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

/* SMMUv3 event record: event id in bits 7:0, StreamID in bits 63:32 of the first word. */
#define SMMU_EVT_F_TRANSLATION 0x10

int iommufd_sim_trigger_vevent(struct iommufd_sim *sim, const char *device, const void *data,
			       size_t len)
{
	struct sim_idev *idev;
	int ret;

	if (!sim)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	ret = bound_idev(sim, device, &idev);
	if (ret)
		goto out_unlock;
	switch (idev->dev->iommu->kind) {
	case SIM_DRV_SELFTEST: {
		/* IOMMU_TEST_OP_TRIGGER_VEVENT: the device's virtual id, as its event */
		struct iofd_viommu_event_selftest ev;

		/* 6.12's mock has no such op (nor vEVENTQs) */
		if (sim->topo.kernel < SIM_KERNEL_VEVENTQ) {
			ret = -EOPNOTSUPP;
			break;
		}
		if (data || len) {
			ret = -EINVAL;
			break;
		}
		if (!idev->ev_viommu || !idev->ev_virt_id) {
			ret = -ENOENT;
			break;
		}
		ev.virt_id = (uint32_t)idev->ev_virt_id;
		ret = sim_viommu_report_event(idev->ev_viommu, IOFD_VEVENTQ_TYPE_SELFTEST, &ev,
					      sizeof(ev));
		break;
	}
	case SIM_DRV_ARM_SMMUV3: {
		/* arm_vmaster_report_event(): the record with the vSID as its StreamID */
		struct iofd_vevent_arm_smmuv3 ev = { { SMMU_EVT_F_TRANSLATION } };

		if ((data && len != sizeof(ev)) || (!data && len)) {
			ret = -EINVAL;
			break;
		}
		if (!idev->ev_viommu) {
			ret = -ENOENT;
			break;
		}
		if (data)
			memcpy(&ev, data, sizeof(ev));
		ev.evt[0] = (ev.evt[0] & 0xffffffffull) | (uint64_t)(uint32_t)idev->ev_virt_id << 32;
		ret = sim_viommu_report_event(idev->ev_viommu, IOFD_VEVENTQ_TYPE_ARM_SMMUV3, &ev,
					      sizeof(ev));
		break;
	}
	default:
		/* no vIOMMU: the host handles the device's events */
		ret = -EOPNOTSUPP;
		break;
	}
out_unlock:
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

int iommufd_sim_nested_iotlb(struct iommufd_sim *sim, const char *device, unsigned idx,
			     uint32_t *value)
{
	struct sim_idev *idev;
	int ret;

	if (!sim || !value || idx >= IOFD_MOCK_NESTED_IOTLB_NUM)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	ret = bound_idev(sim, device, &idev);
	if (!ret && (!idev->nested || idev->nested->iommu->kind != SIM_DRV_SELFTEST))
		ret = -ENOENT;
	if (!ret)
		*value = idev->nested->iotlb[idx];
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

int iommufd_sim_device_cache(struct iommufd_sim *sim, const char *device, unsigned idx,
			     uint32_t *value)
{
	struct sim_idev *idev;
	int ret;

	if (!sim || !value || idx >= IOFD_MOCK_DEV_CACHE_NUM)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	ret = bound_idev(sim, device, &idev);
	if (!ret && idev->dev->iommu->kind != SIM_DRV_SELFTEST)
		ret = -ENOENT;
	/* 6.12's mock devices have no cache (nor DEV_CHECK_CACHE) */
	if (!ret && sim->topo.kernel < SIM_KERNEL_VIOMMU)
		ret = -EOPNOTSUPP;
	if (!ret)
		*value = idev->mock_cache[idx];
	pthread_mutex_unlock(&sim->lock);
	return ret;
}
