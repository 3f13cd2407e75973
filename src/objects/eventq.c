// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Event queues: fault queues (I/O page faults to read, responses to write)
 * and vEVENTQs (a vIOMMU's events, each after a header with its sequence
 * number). Each comes with a file, read and written through the transport
 * so that the simulator's queues work the same.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "objects/objects.h"
#include "uapi/iommufd_abi.h"
#include "uapi/iommufd_ext_abi.h"

_Static_assert(sizeof(struct iommufd_fault) == sizeof(struct iofd_hwpt_pgfault) &&
		       offsetof(struct iommufd_fault, addr) ==
			       offsetof(struct iofd_hwpt_pgfault, addr) &&
		       offsetof(struct iommufd_fault, cookie) ==
			       offsetof(struct iofd_hwpt_pgfault, cookie),
	       "struct iommufd_fault is the kernel's struct iommu_hwpt_pgfault");
_Static_assert((int)IOMMUFD_FAULT_PASID_VALID == (int)IOFD_PGFAULT_FLAGS_PASID_VALID &&
		       (int)IOMMUFD_FAULT_LAST_PAGE == (int)IOFD_PGFAULT_FLAGS_LAST_PAGE &&
		       (int)IOMMUFD_FAULT_PERM_PRIV == (int)IOFD_PGFAULT_PERM_PRIV &&
		       (int)IOMMUFD_FAULT_RESP_INVALID == (int)IOFD_PAGE_RESP_INVALID &&
		       (int)IOMMUFD_VEVENT_LOST_EVENTS == (int)IOFD_VEVENTQ_FLAG_LOST_EVENTS,
	       "the public flags are the kernel's");

/* read(2) and write(2) on an event queue's file, traced: a byte count or -errno. */
static long kread(struct iommufd_ctx *ctx, int fd, void *buf, size_t len, const char *what)
{
	long n = ctx->tp.ops->read ? ctx->tp.ops->read(ctx->tp.priv, fd, buf, len) : -EINVAL;

	iofd_kcall_done(ctx, n < 0 ? (int)n : 0, "read %s fd=%d len=%zu got=%ld", what, fd, len,
			n);
	return n;
}

static long kwrite(struct iommufd_ctx *ctx, int fd, const void *buf, size_t len, const char *what)
{
	long n = ctx->tp.ops->write ? ctx->tp.ops->write(ctx->tp.priv, fd, buf, len) : -EINVAL;

	iofd_kcall_done(ctx, n < 0 ? (int)n : 0, "write %s fd=%d len=%zu put=%ld", what, fd, len,
			n);
	return n;
}

int iommufd_eventq_close(struct iommufd_ctx *ctx, int fd)
{
	if (!ctx)
		return -EINVAL;
	if (fd < 0)
		return iofd_set_error(ctx, -EBADF, "event queue close: fd %d", fd);
	iofd_kclose(ctx, fd);
	return 0;
}

int iommufd_fault_queue_alloc(struct iommufd_ctx *ctx, uint32_t *fault_id, int *fd)
{
	struct iofd_fault_alloc cmd = { .size = sizeof(cmd) };
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!fault_id || !fd)
		return iofd_set_error(ctx, -EINVAL, "fault queue alloc: %s is NULL",
				      fault_id ? "fd" : "fault_id");
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_FAULT_QUEUE_ALLOC, &cmd,
			 "FAULT_QUEUE_ALLOC fault=%u fd=%u", cmd.out_fault_id, cmd.out_fault_fd);
	if (ret)
		return iofd_needs_kernel(ctx, ret, "IOMMU_FAULT_QUEUE_ALLOC", "6.11");
	*fault_id = cmd.out_fault_id;
	*fd = (int)cmd.out_fault_fd;
	return 0;
}

int iommufd_fault_read(struct iommufd_ctx *ctx, int fd, struct iommufd_fault *out, unsigned max)
{
	long n;

	if (!ctx)
		return -EINVAL;
	if (!out || !max)
		return iofd_set_error(ctx, -EINVAL, "fault read fd %d: no room (out %p, max %u)", fd,
				      (void *)out, max);
	if (max > INT32_MAX / sizeof(*out))
		max = INT32_MAX / sizeof(*out);
	n = kread(ctx, fd, out, (size_t)max * sizeof(*out), "fault");
	if (n == -EINVAL)
		return iofd_set_error(ctx, (int)n,
				      "fault read fd %d: room for %u faults, less than the first group",
				      fd, max);
	if (n < 0)
		return (int)n;
	return (int)(n / (long)sizeof(*out));
}

int iommufd_fault_respond(struct iommufd_ctx *ctx, int fd, uint32_t cookie, uint32_t code)
{
	struct iofd_hwpt_page_response resp = { .cookie = cookie, .code = code };
	long n;

	if (!ctx)
		return -EINVAL;
	n = kwrite(ctx, fd, &resp, sizeof(resp), "fault response");
	if (n == -EINVAL)
		return iofd_set_error(ctx, (int)n,
				      "fault respond fd %d: cookie %u is no fault group read and not "
				      "answered yet, or code %u is neither SUCCESS (0) nor INVALID (1)",
				      fd, cookie, code);
	return n < 0 ? (int)n : 0;
}

int iommufd_veventq_alloc(struct iommufd_ctx *ctx, uint32_t viommu_id, uint32_t type,
			  uint32_t depth, uint32_t *veventq_id, int *fd)
{
	struct iofd_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.type = type,
		.veventq_depth = depth,
	};
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!veventq_id || !fd)
		return iofd_set_error(ctx, -EINVAL, "veventq alloc viommu %u: %s is NULL", viommu_id,
				      veventq_id ? "fd" : "veventq_id");
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_VEVENTQ_ALLOC, &cmd,
			 "VEVENTQ_ALLOC viommu=%u type=0x%x depth=%u veventq=%u fd=%u", viommu_id,
			 type, depth, cmd.out_veventq_id, cmd.out_veventq_fd);
	if (ret == -EEXIST)
		return iofd_set_error(ctx, ret, "veventq alloc viommu %u: it has a queue of type 0x%x",
				      viommu_id, type);
	if (ret)
		return iofd_needs_kernel(ctx, ret, "IOMMU_VEVENTQ_ALLOC", "6.15");
	*veventq_id = cmd.out_veventq_id;
	*fd = (int)cmd.out_veventq_fd;
	return 0;
}

int iommufd_veventq_read(struct iommufd_ctx *ctx, int fd, uint32_t event_len,
			 struct iommufd_vevent *ev, void *data, unsigned max, uint32_t *next_seq)
{
	const size_t hdr_len = sizeof(struct iofd_vevent_header);
	struct iofd_vevent_header hdr;
	unsigned char *buf;
	size_t len, pos = 0;
	unsigned count = 0;
	long n;

	if (!ctx)
		return -EINVAL;
	if (!ev || !max || (event_len && !data))
		return iofd_set_error(ctx, -EINVAL, "veventq read fd %d: no room (ev %p, max %u, "
				      "data %p)", fd, (void *)ev, max, data);
	if (max > (1u << 20))
		max = 1u << 20;
	len = (size_t)max * (hdr_len + event_len);
	buf = malloc(len);
	if (!buf)
		return iofd_set_error(ctx, -ENOMEM, "veventq read fd %d", fd);
	n = kread(ctx, fd, buf, len, "veventq");
	if (n < 0) {
		free(buf);
		if (n == -EINVAL)
			return iofd_set_error(ctx, (int)n,
					      "veventq read fd %d: an event is larger than %u bytes of "
					      "data (the queue type's record size?)",
					      fd, event_len);
		return (int)n;
	}
	/* Whole entries: a header, and the event's data unless it says events were lost. */
	while (pos + hdr_len <= (size_t)n && count < max) {
		struct iommufd_vevent *e = &ev[count];
		unsigned char *d = event_len ? (unsigned char *)data + (size_t)count * event_len : NULL;
		bool lost;

		memcpy(&hdr, buf + pos, hdr_len);
		pos += hdr_len;
		lost = hdr.flags & IOFD_VEVENTQ_FLAG_LOST_EVENTS;
		memset(e, 0, sizeof(*e));
		e->flags = hdr.flags;
		e->sequence = hdr.sequence;
		if (lost) {
			if (d)
				memset(d, 0, event_len);
		} else {
			if (pos + event_len > (size_t)n)
				break;
			if (d)
				memcpy(d, buf + pos, event_len);
			pos += event_len;
		}
		if (next_seq) {
			/* sequences count 0 .. INT32_MAX and wrap; a header stands for its own */
			e->lost = (hdr.sequence - *next_seq) & INT32_MAX;
			if (lost)
				e->lost++;
			*next_seq = (hdr.sequence + 1) & INT32_MAX;
		}
		count++;
	}
	free(buf);
	return (int)count;
}
