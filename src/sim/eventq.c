// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Event queues: fault queues (IOMMU_FAULT_QUEUE_ALLOC, page requests of the
 * devices on domains made with FAULT_ID_VALID, answered through the same
 * file) and vEVENTQs (IOMMU_VEVENTQ_ALLOC, a vIOMMU's events for its guest,
 * with a depth and a lost-events marker). Each has an object id and a file;
 * the file holds the object and the context, as eventq.c in the kernel. The
 * read() and write() rules and their errnos are the kernel's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "uapi/iommufd_ext_abi.h"

#define SIM_VEVENTQ_MAX_DEPTH (1u << 19)

/* ---- fault queues ------------------------------------------------------------------------- */

/* One page request group: the mock reports single requests (LAST_PAGE). */
struct sim_iopf {
	struct iofd_hwpt_pgfault msg; /* cookie set once delivered */
	struct sim_iopf *next;
	/* the attach handle it came through: the device, and its PASID there (0: the RID) */
	const struct sim_idev *idev;
	uint32_t pasid_key;
};

struct sim_fault {
	struct sim_obj obj;
	struct sim_file file;
	struct sim_iopf *deliver, **deliver_tail; /* not read yet, oldest first */
	struct sim_iopf *response;                /* read, waiting for their answer */
};

static struct sim_fault *fault_of(struct sim_file *f)
{
	return (struct sim_fault *)((char *)f - offsetof(struct sim_fault, file));
}

void sim_fault_get(struct sim_fault *fault)
{
	fault->obj.users++;
}

void sim_fault_put(struct sim_fault *fault)
{
	fault->obj.users--;
}

static void free_list(struct sim_iopf *p)
{
	while (p) {
		struct sim_iopf *next = p->next;

		free(p);
		p = next;
	}
}

void sim_fault_destroy(struct sim_fault *fault)
{
	free_list(fault->deliver);
	free_list(fault->response);
	sim_obj_remove(&fault->obj);
	free(fault);
}

/* The lowest cookie from 1 no group waiting for its answer has (xa_alloc(), ALLOC1). */
static uint32_t free_cookie(const struct sim_fault *fault)
{
	const struct sim_iopf *p;
	uint32_t c = 1;
	bool moved = true;

	while (moved) {
		moved = false;
		for (p = fault->response; p; p = p->next) {
			if (p->msg.cookie == c) {
				c++;
				moved = true;
			}
		}
	}
	return c;
}

static long fault_read(struct sim_file *f, void *buf, size_t len)
{
	struct sim_fault *fault = fault_of(f);
	const size_t sz = sizeof(struct iofd_hwpt_pgfault);
	size_t done = 0;
	struct sim_iopf *p;

	if (len % sz)
		return -ESPIPE;
	while ((p = fault->deliver)) {
		if (done >= len || sz > len - done)
			return done ? (long)done : -EINVAL;
		p->msg.cookie = free_cookie(fault);
		if (sim_user_write((uintptr_t)buf + done, &p->msg, sz))
			return done ? (long)done : -EFAULT;
		fault->deliver = p->next;
		if (!fault->deliver)
			fault->deliver_tail = &fault->deliver;
		p->next = fault->response;
		fault->response = p;
		done += sz;
	}
	sim_file_signal(&fault->file, fault->deliver != NULL);
	return (long)done;
}

static long fault_write(struct sim_file *f, const void *buf, size_t len)
{
	struct sim_fault *fault = fault_of(f);
	const size_t sz = sizeof(struct iofd_hwpt_page_response);
	struct iofd_hwpt_page_response resp;
	struct sim_iopf **pp, *p;
	size_t done = 0;
	int ret = 0;

	if (len % sz)
		return -ESPIPE;
	while (len > done) {
		if (sim_user_read(&resp, (uintptr_t)buf + done, sz)) {
			ret = -EFAULT;
			break;
		}
		if (resp.code != IOFD_PAGE_RESP_SUCCESS && resp.code != IOFD_PAGE_RESP_INVALID) {
			ret = -EINVAL;
			break;
		}
		for (pp = &fault->response; *pp && (*pp)->msg.cookie != resp.cookie;
		     pp = &(*pp)->next)
			;
		if (!*pp) {
			ret = -EINVAL;
			break;
		}
		p = *pp;
		*pp = p->next;
		free(p);
		done += sz;
	}
	return done ? (long)done : ret;
}

/* The last descriptor is closed: the file lets go of its object and context. */
static void fault_release(struct sim_file *f)
{
	struct sim_fault *fault = fault_of(f);
	struct sim_ictx *ictx = fault->obj.ictx;

	fault->obj.users--;
	sim_ictx_put(ictx);
}

static const struct sim_file_ops fault_ops = {
	.read = fault_read,
	.write = fault_write,
	.release = fault_release,
};

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
	fault->deliver_tail = &fault->deliver;
	fd = sim_file_install(ucmd->ictx->sim, &fault->file, &fault_ops, ucmd->proc);
	if (fd < 0) {
		sim_obj_remove(&fault->obj);
		free(fault);
		return fd;
	}
	/* the file holds the object and the context */
	fault->obj.users++;
	ucmd->ictx->refs++;
	cmd->out_fault_id = fault->obj.id;
	cmd->out_fault_fd = fd;
	return sim_ucmd_respond_new(ucmd, sizeof(*cmd), &fault->obj, fd);
}

void sim_fault_report(struct sim_idev *idev, uint32_t pasid, uint32_t flags, uint32_t grpid,
		      uint32_t perm, uint64_t addr)
{
	bool pasid_valid = flags & IOFD_PGFAULT_FLAGS_PASID_VALID;
	struct sim_hwpt *hwpt = pasid_valid ? sim_pasid_hwpt(idev, pasid) : idev->hwpt;
	enum sim_driver kind = idev->dev->iommu->kind;
	uint32_t key = pasid_valid ? pasid : 0;
	struct sim_fault *fault;
	struct sim_iopf *p;

	/*
	 * A driver whose PASID table the user manages (the mock, SMMUv3) takes a request
	 * for a PASID without a domain of its own to the nested domain of the RID.
	 */
	if (!hwpt && pasid_valid && (kind == SIM_DRV_SELFTEST || kind == SIM_DRV_ARM_SMMUV3) &&
	    idev->hwpt && idev->hwpt->obj.type == SIM_OBJ_HWPT_NESTED) {
		hwpt = idev->hwpt;
		key = 0;
	}

	/* A domain without a fault queue answers the request itself (a failure). */
	if (!hwpt || !hwpt->fault)
		return;
	fault = hwpt->fault;
	p = calloc(1, sizeof(*p));
	if (!p)
		return;
	p->idev = idev;
	p->pasid_key = key;
	p->msg.flags = flags;
	p->msg.dev_id = idev->obj.id;
	p->msg.pasid = pasid;
	p->msg.grpid = grpid;
	p->msg.perm = perm;
	p->msg.addr = addr;
	*fault->deliver_tail = p;
	fault->deliver_tail = &p->next;
	sim_file_signal(&fault->file, true);
}

int sim_fault_attach_check(const struct sim_idev *idev, const struct sim_hwpt *hwpt)
{
	/* the core enables I/O page faults for the device first (iommufd_fault_iopf_enable()) */
	return hwpt->fault && !idev->dev->iommu->iopf ? -ENODEV : 0;
}

/* Take the groups of (idev, pasid) off a list, or every group (idev NULL). */
static void drop_groups(struct sim_iopf **pp, struct sim_iopf ***tail, const struct sim_idev *idev,
			uint32_t pasid)
{
	while (*pp) {
		struct sim_iopf *p = *pp;

		if (p->idev == idev && p->pasid_key == pasid) {
			*pp = p->next;
			free(p);
		} else {
			pp = &p->next;
		}
	}
	if (tail)
		*tail = pp;
}

void sim_fault_drop(const struct sim_hwpt *hwpt, const struct sim_idev *idev, uint32_t pasid)
{
	struct sim_fault *fault = hwpt->fault;

	if (!fault)
		return;
	/* answered INVALID: those not read yet and those read but not answered */
	drop_groups(&fault->deliver, &fault->deliver_tail, idev, pasid);
	drop_groups(&fault->response, NULL, idev, pasid);
	sim_file_signal(&fault->file, fault->deliver != NULL);
}

/* ---- vEVENTQs ------------------------------------------------------------------------------ */

/* An event, or the lost-events marker (lost: header only, LOST_EVENTS set). */
struct sim_vevent {
	bool lost;
	uint32_t sequence;
	uint32_t len;
	unsigned char data[32]; /* the largest event: an SMMUv3 record */
};

struct sim_veventq {
	struct sim_obj obj;
	struct sim_file file;
	struct sim_viommu *viommu;
	uint32_t type;
	uint32_t depth;
	uint32_t num_events; /* real events queued (not the marker) */
	uint32_t sequence;   /* the next event's, 31 bits */
	struct sim_vevent *q; /* a ring: head, n of cap */
	size_t head, n, cap;
};

static struct sim_veventq *veventq_of(struct sim_file *f)
{
	return (struct sim_veventq *)((char *)f - offsetof(struct sim_veventq, file));
}

static struct sim_vevent *ev_at(struct sim_veventq *q, size_t i)
{
	return &q->q[(q->head + i) % q->cap];
}

static int ev_push(struct sim_veventq *q, const struct sim_vevent *ev)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 16, i;
		struct sim_vevent *nq = malloc(cap * sizeof(*nq));

		if (!nq)
			return -ENOMEM;
		for (i = 0; i < q->n; i++)
			nq[i] = *ev_at(q, i);
		free(q->q);
		q->q = nq;
		q->head = 0;
		q->cap = cap;
	}
	*ev_at(q, q->n++) = *ev;
	return 0;
}

void sim_veventq_destroy(struct sim_veventq *q)
{
	sim_viommu_drop_veventq(q->viommu, q);
	sim_viommu_put(q->viommu);
	free(q->q);
	sim_obj_remove(&q->obj);
	free(q);
}

static long veventq_read(struct sim_file *f, void *buf, size_t len)
{
	struct sim_veventq *q = veventq_of(f);
	const size_t hdr_len = sizeof(struct iofd_vevent_header);
	size_t done = 0;

	if (len < hdr_len)
		return -EINVAL;
	while (q->n) {
		const struct sim_vevent *ev = ev_at(q, 0);
		struct iofd_vevent_header hdr = {
			.flags = ev->lost ? IOFD_VEVENTQ_FLAG_LOST_EVENTS : 0,
			.sequence = ev->sequence,
		};

		if (done >= len || hdr_len > len - done)
			break;
		/* a whole event or none: one that does not fit ends the read */
		if (!ev->lost && hdr_len + ev->len > len - done) {
			if (!done)
				return -EINVAL;
			break;
		}
		if (sim_user_write((uintptr_t)buf + done, &hdr, hdr_len) ||
		    sim_user_write((uintptr_t)buf + done + hdr_len, ev->data, ev->len))
			return done ? (long)done : -EFAULT;
		done += hdr_len + ev->len;
		if (!ev->lost)
			q->num_events--;
		q->head = (q->head + 1) % q->cap;
		q->n--;
	}
	sim_file_signal(&q->file, q->n != 0);
	return (long)done;
}

static void veventq_release(struct sim_file *f)
{
	struct sim_veventq *q = veventq_of(f);
	struct sim_ictx *ictx = q->obj.ictx;

	q->obj.users--;
	sim_ictx_put(ictx);
}

static const struct sim_file_ops veventq_ops = {
	.read = veventq_read,
	.release = veventq_release,
};

int sim_cmd_veventq_alloc(struct sim_ucmd *ucmd)
{
	struct iofd_veventq_alloc *cmd = ucmd->cmd;
	struct sim_viommu *viommu;
	struct sim_veventq *q;
	int fd, ret;

	if (cmd->flags || cmd->reserved || cmd->type == 0)
		return -EOPNOTSUPP;
	if (!cmd->veventq_depth || cmd->veventq_depth > SIM_VEVENTQ_MAX_DEPTH)
		return -EINVAL;
	viommu = (struct sim_viommu *)sim_obj_get(ucmd->ictx, cmd->viommu_id, SIM_OBJ_VIOMMU);
	if (!viommu)
		return -ENOENT;
	/* One queue of each type per vIOMMU. */
	if (sim_viommu_veventq(viommu, cmd->type))
		return -EEXIST;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	ret = sim_obj_add(ucmd->ictx, &q->obj, SIM_OBJ_VEVENTQ);
	if (ret) {
		free(q);
		return ret;
	}
	q->viommu = viommu;
	q->type = cmd->type;
	q->depth = cmd->veventq_depth;
	ret = sim_viommu_add_veventq(viommu, q);
	if (ret) {
		sim_obj_remove(&q->obj);
		free(q);
		return ret;
	}
	fd = sim_file_install(ucmd->ictx->sim, &q->file, &veventq_ops, ucmd->proc);
	if (fd < 0) {
		sim_viommu_drop_veventq(viommu, q);
		sim_obj_remove(&q->obj);
		free(q);
		return fd;
	}
	/* the queue holds its vIOMMU; the file holds the queue and the context */
	sim_viommu_get(viommu);
	q->obj.users++;
	ucmd->ictx->refs++;
	cmd->out_veventq_id = q->obj.id;
	cmd->out_veventq_fd = fd;
	return sim_ucmd_respond_new(ucmd, sizeof(*cmd), &q->obj, fd);
}

uint32_t sim_veventq_type(const struct sim_veventq *q)
{
	return q->type;
}

/*
 * iommufd_viommu_report_event(): a full queue takes the lost-events marker instead (once at
 * its end, moved there with a new sequence number by each event lost).
 */
int sim_veventq_report(struct sim_veventq *q, const void *data, uint32_t len)
{
	struct sim_vevent ev = { .len = len };

	if (len > sizeof(ev.data))
		return -EINVAL;
	memcpy(ev.data, data, len);
	if (q->n && ev_at(q, q->n - 1)->lost)
		q->n--;
	if (q->num_events == q->depth) {
		ev.lost = true;
		ev.len = 0;
	}
	ev.sequence = q->sequence;
	if (ev_push(q, &ev))
		return -ENOMEM;
	q->sequence = (q->sequence + 1) & 0x7fffffffu;
	if (!ev.lost)
		q->num_events++;
	sim_file_signal(&q->file, true);
	return 0;
}
