// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Containers: one IOAS and the automatic IOMMU domains of its devices.
 * This file: life cycle, attach/detach bookkeeping, the domain list and the
 * dirty coverage report. Placement is in placement.c, DMA in container_dma.c,
 * dirty tracking in container_dirty.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/list_all.h"
#include "core/opts.h"
#include "objects/objects.h"
#include "policy/container.h"

/* One wording for the library's messages and for programs that show domains. */
const char *iommufd_domain_flags_str(uint32_t flags)
{
	switch (flags & (IOMMUFD_DOMAIN_DIRTY_TRACKING | IOMMUFD_DOMAIN_NEST_PARENT)) {
	case IOMMUFD_DOMAIN_DIRTY_TRACKING:
		return "dirty-tracking";
	case IOMMUFD_DOMAIN_NEST_PARENT:
		return "nest-parent";
	case IOMMUFD_DOMAIN_DIRTY_TRACKING | IOMMUFD_DOMAIN_NEST_PARENT:
		return "nest-parent+dirty-tracking";
	default:
		return "plain";
	}
}

int iommufd_container_new(struct iommufd_ctx *ctx, uint32_t flags, struct iommufd_container **out)
{
	struct iommufd_container *c;
	int ret;

	if (out)
		*out = NULL;
	if (!ctx)
		return -EINVAL;
	if (!out)
		return iofd_set_error(ctx, -EINVAL, "container new: out is NULL");
	if (flags & ~(IOMMUFD_CONTAINER_DIRTY_TRACKING | IOMMUFD_CONTAINER_NEST_PARENT))
		return iofd_set_error(ctx, -EINVAL, "container new: unknown flags 0x%x", flags);

	c = calloc(1, sizeof(*c));
	if (!c)
		return iofd_set_error(ctx, -ENOMEM, "container new");
	c->ctx = ctx;
	c->refs = 1;
	c->flags = flags;
	iofd_list_init(&c->domains);
	iofd_list_init(&c->members);
	iofd_list_init(&c->refusals);
	iofd_list_init(&c->combo_refusals);
	iofd_ranges_init(&c->carried);
	iofd_ivlist_init(&c->maps);
	iofd_file_maps_init(&c->files);

	ret = iommufd_ioas_alloc(ctx, &c->ioas_id);
	if (ret) {
		iofd_set_error(ctx, ret, "container new: allocate its IOAS");
		goto out_free;
	}
	ret = pthread_mutex_init(&c->lock, NULL);
	if (ret) {
		ret = iofd_set_error(ctx, -ret, "container new: mutex");
		goto out_destroy;
	}
	iofd_log(ctx, IOMMUFD_LOG_INFO, "container ioas %u: new, flags%s%s", c->ioas_id,
		 flags & IOMMUFD_CONTAINER_DIRTY_TRACKING ? " dirty-tracking" : "",
		 flags & IOMMUFD_CONTAINER_NEST_PARENT ? " nest-parent" : "");
	iofd_ctx_get(ctx);
	iofd_container_register(c);
	*out = c;
	return 0;

out_destroy:
	if (iofd_destroy_cleanup(ctx, c->ioas_id))
		iofd_log(ctx, IOMMUFD_LOG_ERROR,
			 "container new: its IOAS %u could not be destroyed: it stays until iommufd_close()",
			 c->ioas_id);
out_free:
	free(c);
	return ret;
}

uint32_t iommufd_container_ioas_id(const struct iommufd_container *c)
{
	return c ? c->ioas_id : 0;
}

struct iofd_member *iofd_container_find_member(struct iommufd_container *c,
					       const struct iommufd_device *dev)
{
	struct iofd_list *pos;

	iofd_list_for_each(pos, &c->members) {
		struct iofd_member *m = iofd_list_entry(pos, struct iofd_member, link);

		if (m->dev == dev)
			return m;
	}
	return NULL;
}

void iofd_container_forget_domain(struct iommufd_container *c, struct iofd_domain *d)
{
	struct iofd_list *pos, *tmp;

	/* Refusals name the domain by id, and ids are reused once it is gone. */
	iofd_list_for_each_safe(pos, tmp, &c->refusals) {
		struct iofd_refusal *r = iofd_list_entry(pos, struct iofd_refusal, link);

		if (r->hwpt_id == d->hwpt_id) {
			iofd_list_del(&r->link);
			free(r);
		}
	}
	iofd_list_del(&d->link);
	free(d);
}

/* Hand the device back. Container lock held; after this a device close no longer waits for it. */
static void release_device(struct iofd_member *m)
{
	struct iommufd_device *dev = m->dev;

	pthread_mutex_lock(&dev->lock);
	dev->owner = NULL;
	dev->owner_ops = NULL;
	pthread_mutex_unlock(&dev->lock);
	iofd_list_del(&m->link);
	if (m->domain)
		m->domain->ndevices--;
	free(m);
}

static const char *pt_kind(const struct iofd_member *m)
{
	return m->domain ? "hwpt" : "ioas";
}

/*
 * The device m left its domain, the last one on it, which cannot go now (why, err): the
 * domain stays without devices for the free (or the detach of a device that joins it again)
 * to destroy, said in a WARN line, and the detach succeeds: 0.
 */
static int leave_domain_behind(struct iommufd_container *c, struct iofd_member *m,
			       const char *kind, const char *why, int err)
{
	iofd_log(c->ctx, IOMMUFD_LOG_WARN,
		 "container ioas %u: %s left %s %u, whose %s (%s): it stays, without devices, "
		 "until the container is freed",
		 c->ioas_id, m->dev->info.name, kind, m->domain->hwpt_id, why, strerror(-err));
	release_device(m);
	return 0;
}

/*
 * Detach one device. When it is the last of its domain the domain goes too,
 * and it is unlinked only once it is really gone. Its dirty bits are read
 * (NO_CLEAR) once the device has left it, so that nothing the device wrote is
 * missed, and before the destroy: a domain that cannot be read stays, without
 * devices, its bits reported by the next read. A failed destroy puts the
 * device back, unless its nesting objects went already: past that point the
 * domain stays, without devices, for the free (or the detach of a device that
 * joins it again) to destroy.
 */
static int detach_member(struct iommufd_container *c, struct iofd_member *m)
{
	struct iommufd_device *dev = m->dev;
	struct iofd_domain *d = m->domain;
	uint32_t pt_id = d ? d->hwpt_id : c->ioas_id;
	bool last = d && d->ndevices == 1;
	bool nested;
	int ret, rb;

	ret = dev->ops->detach(dev);
	if (ret) {
		/* on a stage-1 domain: that one, not its nest parent */
		iofd_set_error(c->ctx, ret, "detach %s from %s %u", dev->info.name, pt_kind(m),
			       d ? iommufd_device_pt_id(dev) : pt_id);
		goto out;
	}
	/* its nesting objects first; a vIOMMU the program still uses keeps the domain */
	nested = iofd_nest_device_left(c, dev);
	if (last && iofd_nest_holds(c, d)) {
		iofd_log(c->ctx, IOMMUFD_LOG_INFO,
			 "container ioas %u: %s leaves hwpt %u, which a vIOMMU still holds",
			 c->ioas_id, dev->info.name, pt_id);
		release_device(m);
		goto out;
	}

	if (last) {
		/* Into the carried-over set: should the destroy fail, the domain holds them too. */
		if (d->tracking) {
			ret = iofd_container_harvest(c, d, 0, UINT64_MAX, &c->carried);
			if (ret) {
				ret = leave_domain_behind(c, m, "hwpt", "dirty bits could not be read",
							  ret);
				goto out;
			}
		}
		ret = iommufd_destroy(c->ctx, d->hwpt_id);
		if (ret && nested) {
			ret = leave_domain_behind(c, m, "nest parent hwpt", "destroy failed", ret);
			goto out;
		}
		if (ret) {
			iofd_set_error(c->ctx, ret, "detach %s: destroy its hwpt %u",
				       dev->info.name, pt_id);
			rb = dev->ops->attach(dev, pt_id);
			if (!rb)
				goto out;
			/* The device stays detached; the empty domain waits for free(). */
			iofd_log(c->ctx, IOMMUFD_LOG_WARN,
				 "container ioas %u: detach %s: destroy hwpt %u failed (%s) and "
				 "re-attach failed (%s); the device is detached, the hwpt stays",
				 c->ioas_id, dev->info.name, pt_id, strerror(-ret), strerror(-rb));
			release_device(m);
			goto out;
		}
		iofd_log(c->ctx, IOMMUFD_LOG_INFO,
			 "container ioas %u: %s leaves hwpt %u, its last device: hwpt destroyed%s",
			 c->ioas_id, dev->info.name, pt_id,
			 d->tracking ? ", its dirty bits kept for the next read" : "");
		release_device(m);
		iofd_container_forget_domain(c, d);
		goto out;
	}

	iofd_log(c->ctx, IOMMUFD_LOG_INFO, "container ioas %u: %s leaves %s %u", c->ioas_id,
		 dev->info.name, pt_kind(m), pt_id);
	release_device(m);
out:
	return ret;
}

static void container_put(struct iommufd_container *c)
{
	struct iommufd_ctx *ctx = c->ctx;

	if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL))
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
	iofd_ctx_put(ctx);
}

/* A device close holds the container (dev->lock held, so the container is not gone yet). */
static void hold_for_close(void *owner)
{
	struct iommufd_container *c = owner;

	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
}

/*
 * iommufd_device_close() of a device that was in the container when the close
 * began. A free on another thread may have detached it meanwhile, and left
 * the container empty for this hold to release.
 */
static void close_device(void *owner, struct iommufd_device *dev)
{
	struct iommufd_container *c = owner;
	struct iofd_member *m;
	int ret;

	pthread_mutex_lock(&c->lock);
	m = iofd_container_find_member(c, dev);
	if (m) {
		ret = detach_member(c, m);
		if (ret) {
			/* Closing unbinds the device anyway; forget it. */
			iofd_log(c->ctx, IOMMUFD_LOG_WARN,
				 "container ioas %u: close %s: detach failed (%s); forgotten",
				 c->ioas_id, dev->info.name, strerror(-ret));
			if (iofd_container_find_member(c, dev) == m)
				release_device(m);
		}
	}
	pthread_mutex_unlock(&c->lock);
	container_put(c);
}

static const struct iofd_device_owner_ops container_owner_ops = {
	.hold = hold_for_close,
	.close_device = close_device,
};

/*
 * Claim the device under its lock, where another container and the direct
 * attach calls look: -EBUSY if it is taken or attached directly.
 */
static int claim_device(struct iommufd_container *c, struct iommufd_device *dev)
{
	int ret = 0;

	pthread_mutex_lock(&dev->lock);
	if (dev->owner)
		ret = iofd_set_error(c->ctx, -EBUSY,
				     "attach %s to container ioas %u: the device is in another container",
				     dev->info.name, c->ioas_id);
	else if (dev->pt_id)
		ret = iofd_set_error(c->ctx, -EBUSY,
				     "attach %s to container ioas %u: the device is attached to %u directly; detach it first",
				     dev->info.name, c->ioas_id, dev->pt_id);
	else {
		dev->owner = c;
		dev->owner_ops = &container_owner_ops;
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

int iommufd_container_attach(struct iommufd_container *c, struct iommufd_device *dev)
{
	int ret;

	if (!c)
		return -EINVAL;
	if (!dev)
		return iofd_set_error(c->ctx, -EINVAL, "container ioas %u: attach: no device",
				      c->ioas_id);
	pthread_mutex_lock(&c->lock);
	if (dev->ctx != c->ctx) {
		ret = iofd_set_error(c->ctx, -EINVAL,
				     "attach %s to container ioas %u: the device is bound to another context",
				     dev->info.name, c->ioas_id);
		goto out_unlock;
	}
	ret = 0;
	if (iofd_container_find_member(c, dev))
		goto out_unlock;
	/* Another container or a direct attach may want it at the same time. */
	ret = claim_device(c, dev);
	if (ret)
		goto out_unlock;
	ret = iofd_container_place(c, dev);
	if (ret) {
		pthread_mutex_lock(&dev->lock);
		dev->owner = NULL;
		dev->owner_ops = NULL;
		pthread_mutex_unlock(&dev->lock);
	}
out_unlock:
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int iommufd_container_detach(struct iommufd_container *c, struct iommufd_device *dev)
{
	struct iofd_member *m;
	int ret;

	if (!c)
		return -EINVAL;
	if (!dev)
		return iofd_set_error(c->ctx, -EINVAL, "container ioas %u: detach: no device",
				      c->ioas_id);
	pthread_mutex_lock(&c->lock);
	m = iofd_container_find_member(c, dev);
	if (!m)
		ret = iofd_set_error(c->ctx, -EINVAL, "detach %s: not in container ioas %u",
				     dev->info.name, c->ioas_id);
	else
		ret = detach_member(c, m);
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int iommufd_container_domains(struct iommufd_container *c, struct iommufd_domain_info *out,
			      unsigned max)
{
	struct iofd_list *pos;
	unsigned n = 0;

	if (!c)
		return -EINVAL;
	if (max && !out)
		return iofd_set_error(c->ctx, -EINVAL, "container ioas %u: domains: no buffer",
				      c->ioas_id);
	pthread_mutex_lock(&c->lock);
	iofd_list_for_each(pos, &c->domains) {
		struct iofd_domain *d = iofd_list_entry(pos, struct iofd_domain, link);

		if (n < max) {
			out[n].hwpt_id = d->hwpt_id;
			out[n].flags = d->flags;
			out[n].ndevices = d->ndevices;
		}
		n++;
	}
	pthread_mutex_unlock(&c->lock);
	return (int)n;
}

static int fill_domains(void *arg, void *buf, unsigned max)
{
	return iommufd_container_domains(arg, buf, max);
}

int iommufd_container_domains_all(struct iommufd_container *c, struct iommufd_domain_info **out,
				  size_t info_size)
{
	static const struct iofd_list_spec spec = {
		.what = "container domains",
		.size = sizeof(struct iommufd_domain_info),
		.min_size = iofd_offsetofend(struct iommufd_domain_info, ndevices),
		.fill = fill_domains,
	};
	void *list;
	int ret;

	if (out)
		*out = NULL;
	if (!c)
		return -EINVAL;
	if (!out)
		return iofd_set_error(c->ctx, -EINVAL, "container ioas %u: domains: out is NULL",
				      c->ioas_id);
	ret = iofd_list_all(c->ctx, &spec, c, info_size, &list);
	*out = list; /* NULL on failure and for an empty list */
	return ret;
}

static const char *uncovered_why(const struct iofd_member *m, char *buf, size_t size)
{
	switch (m->uncovered) {
	case IOFD_UNCOVERED_EMULATED:
		return "emulated device: no IOMMU of its own, on the IOAS";
	case IOFD_UNCOVERED_NO_DOMAIN:
		return "no IOMMU domain of its own, on the IOAS";
	case IOFD_UNCOVERED_IOMMU_NO_DIRTY:
		snprintf(buf, size, "IOMMU %s has no dirty tracking", m->dev->info.iommu);
		return buf;
	case IOFD_UNCOVERED_NEST_PARENT:
		snprintf(buf, size, "IOMMU %s refuses NEST_PARENT with DIRTY_TRACKING",
			 m->dev->info.iommu);
		return buf;
	case IOFD_UNCOVERED_NOT_ASKED:
		return "dirty tracking not requested";
	default:
		return "covered";
	}
}

int iommufd_container_dirty_status(struct iommufd_container *c)
{
	char msg[IOFD_ERRMSG_MAX], why[96];
	unsigned total = 0, bad = 0;
	struct iofd_list *pos;
	size_t len = 0;
	int ret = 1;

	if (!c)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	if (!(c->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING)) {
		iofd_set_error(c->ctx, 0,
			       "container ioas %u was made without IOMMUFD_CONTAINER_DIRTY_TRACKING: "
			       "no device is covered",
			       c->ioas_id);
		ret = 0;
		goto out_unlock;
	}
	iofd_list_for_each(pos, &c->members) {
		struct iofd_member *m = iofd_list_entry(pos, struct iofd_member, link);

		total++;
		if (m->uncovered != IOFD_COVERED)
			bad++;
	}
	if (!bad)
		goto out_unlock;

	len = snprintf(msg, sizeof(msg), "dirty tracking does not cover %u of %u devices:", bad,
		       total);
	iofd_list_for_each(pos, &c->members) {
		struct iofd_member *m = iofd_list_entry(pos, struct iofd_member, link);

		if (m->uncovered == IOFD_COVERED)
			continue;
		if (len < sizeof(msg))
			len += snprintf(msg + len, sizeof(msg) - len, " %s (%s),", m->dev->info.name,
					uncovered_why(m, why, sizeof(why)));
	}
	if (len < sizeof(msg))
		msg[len - 1] = '\0'; /* the last comma */
	else
		memcpy(msg + sizeof(msg) - 5, "...", 4);
	iofd_set_error(c->ctx, 0, "%s", msg);
	ret = 0;
out_unlock:
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int iommufd_container_device_covered(struct iommufd_container *c, struct iommufd_device *dev,
				     char *why, size_t len)
{
	struct iofd_member *m;
	char buf[96];
	int ret;

	if (!c || !dev || (len && !why))
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	m = iofd_container_find_member(c, dev);
	if (!m) {
		ret = iofd_set_error(c->ctx, -EINVAL, "dirty coverage of %s: not in container ioas %u",
				     dev->info.name, c->ioas_id);
		goto out_unlock;
	}
	ret = m->uncovered == IOFD_COVERED;
	if (len)
		snprintf(why, len, "%s", ret ? "covered" : uncovered_why(m, buf, sizeof(buf)));
out_unlock:
	pthread_mutex_unlock(&c->lock);
	return ret;
}

/* "hwpt 7 (Input/output error)" added to a list of what free() could not destroy. */
static void note_left(char *buf, size_t size, const char *kind, uint32_t id, int err)
{
	size_t len = strlen(buf);

	if (len < size)
		snprintf(buf + len, size - len, "%s%s %u (%s)", len ? ", " : "", kind, id,
			 strerror(-err));
}

/*
 * free() cannot fail, but the kernel can refuse a destroy. What it still
 * refuses after a second try is left, and said: on the calling thread's last
 * error and as an ERROR log line. Closing the context destroys it.
 * Everything is undone here; the memory goes with the last hold (a device
 * close on another thread may still hold the container for a moment).
 */
void iommufd_container_free(struct iommufd_container *c)
{
	char left[IOFD_ERRMSG_MAX] = "";
	struct iofd_list *pos, *tmp;
	int ret;

	if (!c)
		return;
	iofd_container_unregister(c);
	pthread_mutex_lock(&c->lock);
	iofd_list_for_each_safe(pos, tmp, &c->members) {
		struct iofd_member *m = iofd_list_entry(pos, struct iofd_member, link);
		struct iommufd_device *dev = m->dev;

		/* A device left attached keeps its domain: that destroy fails, and says so. */
		ret = dev->ops->detach(dev);
		if (ret)
			iofd_log(c->ctx, IOMMUFD_LOG_WARN,
				 "container ioas %u free: detach %s: %s", c->ioas_id,
				 dev->info.name, strerror(-ret));
		/* while the device is still ours (a close on another thread may free it next) */
		iofd_nest_device_left(c, dev);
		release_device(m);
	}
	/* the vIOMMUs left hold the domains: they go first */
	iofd_nest_free(c);
	iofd_list_for_each_safe(pos, tmp, &c->domains) {
		struct iofd_domain *d = iofd_list_entry(pos, struct iofd_domain, link);

		ret = iofd_destroy_cleanup(c->ctx, d->hwpt_id);
		if (ret)
			note_left(left, sizeof(left), "hwpt", d->hwpt_id, ret);
		iofd_container_forget_domain(c, d);
	}
	/* Destroying the IOAS unmaps it too; unmapping first only frees the pages sooner. */
	ret = iommufd_ioas_unmap(c->ctx, c->ioas_id, 0, UINT64_MAX, NULL);
	if (ret)
		iofd_log(c->ctx, IOMMUFD_LOG_WARN, "container ioas %u free: unmap all: %s",
			 c->ioas_id, strerror(-ret));
	ret = iofd_destroy_cleanup(c->ctx, c->ioas_id);
	if (ret)
		note_left(left, sizeof(left), "ioas", c->ioas_id, ret);
	if (left[0]) {
		iofd_set_error(c->ctx, 0,
			       "container ioas %u free: could not destroy %s: left in the kernel until iommufd_close()",
			       c->ioas_id, left);
		iofd_log(c->ctx, IOMMUFD_LOG_ERROR, "%s", iommufd_last_error(c->ctx));
	}
	iofd_container_drop_refusals(c);
	iofd_ivlist_fini(&c->maps);
	iofd_file_maps_fini(&c->files);
	iofd_ranges_fini(&c->carried);
	pthread_mutex_unlock(&c->lock);
	container_put(c);
}

int iofd_container_claim_device(struct iommufd_container *c, struct iommufd_device *dev)
{
	return claim_device(c, dev);
}

void iofd_container_release_member(struct iofd_member *m)
{
	release_device(m);
}

void iofd_container_put(struct iommufd_container *c)
{
	container_put(c);
}
