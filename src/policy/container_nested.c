// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Nesting in containers made with IOMMUFD_CONTAINER_NEST_PARENT: what a VMM
 * with an accelerated vIOMMU does (QEMU's SMMUv3 and VT-d accel models).
 *
 *  - one vIOMMU per (IOMMU instance, nest-parent domain), made when a device
 *    behind it first needs one, where the driver has vIOMMUs (SMMUv3, the
 *    selftest mock; VT-d nests straight from its nest parent, and kernels
 *    before 6.13 have none: their nested domains come from the parent too);
 *  - a vDEVICE per device, with the virtual id the program gives;
 *  - a stage-1 domain per device, from the guest's data, replaced by the
 *    next attach_nested, dropped by detach_nested (the device goes back onto
 *    its nest parent);
 *  - a device that leaves the container takes its stage-1 domain and vDEVICE
 *    with it, and the last device of a vIOMMU the vIOMMU, leaves first as the
 *    kernel wants them. A vIOMMU that still carries the program's objects (a
 *    vEVENTQ) cannot go: it stays, and so does its nest parent, until the
 *    program destroys them and the detach of the parent's last device or the
 *    container's free tries again.
 *
 * Dirty tracking is the nest parents': a device on a stage-1 domain writes
 * through its parent, which keeps the bits, so nothing is lost while devices
 * move between stage-1 domains or those go. Failed calls undo what they made;
 * an object that cannot be destroyed after the point of no return (a
 * replaced stage-1 domain) is kept for the container's free to try again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/opts.h"
#include "objects/objects.h"
#include "policy/container.h"
#include "uapi/iommufd_abi.h"
#include "uapi/iommufd_ext_abi.h"
#include "uapi/selftest_abi.h"

/* One vIOMMU of the container, or the knowledge that there is none for that pair. */
struct iofd_viommu {
	struct iofd_list link;
	struct iofd_domain *parent;
	char iommu[64];      /* the IOMMU instance */
	uint32_t hw_type;    /* its GET_HW_INFO type */
	uint32_t viommu_id;  /* 0: none (none_err says why) */
	uint32_t type;       /* IOMMU_VIOMMU_TYPE_* */
	int none_err;        /* -EOPNOTSUPP: the driver has none; -ENOTTY: the kernel */
	unsigned nusers;     /* devices of the container that use it */
};

/* A device's nesting state. */
struct iofd_nest_dev {
	struct iofd_list link;
	struct iommufd_device *dev;
	struct iofd_viommu *viommu; /* NULL until it needs one */
	uint32_t vdevice_id;        /* 0: no virtual id */
	uint64_t virt_id;
	uint32_t hwpt_id;           /* its stage-1 domain; 0: on its nest parent */
};

struct iofd_nest {
	struct iofd_list viommus; /* struct iofd_viommu */
	struct iofd_list devs;    /* struct iofd_nest_dev */
	uint32_t *left;           /* ids whose destroy the kernel refused: tried again at free */
	size_t nleft, left_cap;
};

_Static_assert(sizeof(((struct iofd_viommu *)0)->iommu) ==
		       sizeof(((struct iofd_dev_sysinfo *)0)->iommu),
	       "a vIOMMU record holds the device's IOMMU name whole");

static struct iofd_nest *nest_get(struct iommufd_container *c)
{
	if (!c->nest) {
		c->nest = calloc(1, sizeof(*c->nest));
		if (!c->nest)
			return NULL;
		iofd_list_init(&c->nest->viommus);
		iofd_list_init(&c->nest->devs);
	}
	return c->nest;
}

static struct iofd_nest_dev *find_nd(struct iommufd_container *c, const struct iommufd_device *dev)
{
	struct iofd_list *pos;

	if (!c->nest)
		return NULL;
	iofd_list_for_each(pos, &c->nest->devs) {
		struct iofd_nest_dev *nd = iofd_list_entry(pos, struct iofd_nest_dev, link);

		if (nd->dev == dev)
			return nd;
	}
	return NULL;
}

/* The vIOMMU type of the device's IOMMU driver; 0 where it nests from the parent. */
static uint32_t viommu_type(const struct iommufd_device *dev)
{
	return iofd_viommu_type_of(dev->hw.type);
}

/* Keep an id the kernel would not destroy, for free() to try again; logged. */
static void keep_left(struct iommufd_container *c, uint32_t id, int err, const char *what)
{
	struct iofd_nest *n = c->nest;

	iofd_log(c->ctx, IOMMUFD_LOG_WARN,
		 "container ioas %u: destroy %s %u: %s; kept until the container is freed",
		 c->ioas_id, what, id, strerror(-err));
	if (n->nleft == n->left_cap) {
		size_t cap = n->left_cap ? n->left_cap * 2 : 4;
		uint32_t *l = realloc(n->left, cap * sizeof(*l));

		if (!l)
			return; /* the context's close destroys it */
		n->left = l;
		n->left_cap = cap;
	}
	n->left[n->nleft++] = id;
}

static void destroy_or_keep(struct iommufd_container *c, uint32_t id, const char *what)
{
	int ret = iofd_destroy_cleanup(c->ctx, id);

	if (ret)
		keep_left(c, id, ret, what);
}

/*
 * Checks every call makes, lock held: a nesting container, a device in it
 * with a nest-parent domain. The member, or NULL with the message set (*err).
 */
static struct iofd_member *nest_member(struct iommufd_container *c, struct iommufd_device *dev,
				       const char *what, int *err)
{
	struct iofd_member *m;

	if (!(c->flags & IOMMUFD_CONTAINER_NEST_PARENT)) {
		*err = iofd_set_error(c->ctx, -EOPNOTSUPP,
				      "%s %s: container ioas %u was made without "
				      "IOMMUFD_CONTAINER_NEST_PARENT",
				      what, dev->info.name, c->ioas_id);
		return NULL;
	}
	m = iofd_container_find_member(c, dev);
	if (!m) {
		*err = iofd_set_error(c->ctx, -EINVAL, "%s %s: not in container ioas %u", what,
				      dev->info.name, c->ioas_id);
		return NULL;
	}
	if (!m->domain) {
		*err = iofd_set_error(c->ctx, -EINVAL,
				      "%s %s: the device has no domain of its own (on the IOAS), so "
				      "no nest parent",
				      what, dev->info.name);
		return NULL;
	}
	return m;
}

/* The device's nesting state, made when missing (*made then). NULL: -ENOMEM, message set. */
static struct iofd_nest_dev *nd_get(struct iommufd_container *c, struct iommufd_device *dev,
				    bool *made)
{
	struct iofd_nest_dev *nd = find_nd(c, dev);

	*made = false;
	if (nd)
		return nd;
	if (!nest_get(c)) {
		iofd_set_error(c->ctx, -ENOMEM, "nesting of %s", dev->info.name);
		return NULL;
	}
	nd = calloc(1, sizeof(*nd));
	if (!nd) {
		iofd_set_error(c->ctx, -ENOMEM, "nesting of %s", dev->info.name);
		return NULL;
	}
	nd->dev = dev;
	iofd_list_add_tail(&nd->link, &c->nest->devs);
	*made = true;
	return nd;
}

static void nd_drop(struct iofd_nest_dev *nd)
{
	iofd_list_del(&nd->link);
	free(nd);
}

/*
 * The vIOMMU of the device's (IOMMU instance, nest parent): the container's,
 * or a new one (*made). A driver or kernel without vIOMMUs gives a record
 * without one. 0 or -errno, nothing made on failure.
 */
static int viommu_get(struct iommufd_container *c, struct iofd_member *m, struct iofd_nest_dev *nd,
		      bool *made)
{
	struct iommufd_device *dev = m->dev;
	struct iofd_list *pos;
	struct iofd_viommu *v;
	int ret;

	*made = false;
	if (nd->viommu)
		return 0;
	iofd_list_for_each(pos, &c->nest->viommus) {
		v = iofd_list_entry(pos, struct iofd_viommu, link);
		if (v->parent == m->domain && v->hw_type == dev->hw.type &&
		    !strcmp(v->iommu, dev->info.iommu)) {
			v->nusers++;
			nd->viommu = v;
			return 0;
		}
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return iofd_set_error(c->ctx, -ENOMEM, "vIOMMU for %s", dev->info.name);
	v->parent = m->domain;
	memcpy(v->iommu, dev->info.iommu, sizeof(v->iommu));
	v->hw_type = dev->hw.type;
	v->type = viommu_type(dev);
	v->none_err = -EOPNOTSUPP;
	if (v->type) {
		ret = iommufd_viommu_alloc(c->ctx, dev->dev_id, m->domain->hwpt_id, v->type, NULL, 0,
					   &v->viommu_id);
		/* the kernel (before 6.13) or the driver has none: nest from the parent */
		if (ret == -ENOTTY || ret == -EOPNOTSUPP) {
			v->none_err = ret;
			v->type = 0;
		} else if (ret) {
			iofd_set_error(c->ctx, ret, "vIOMMU of %s on hwpt %u", dev->info.name,
				       m->domain->hwpt_id);
			free(v);
			return ret;
		}
	}
	v->nusers = 1;
	iofd_list_add_tail(&v->link, &c->nest->viommus);
	nd->viommu = v;
	*made = true;
	if (v->viommu_id)
		iofd_log(c->ctx, IOMMUFD_LOG_INFO,
			 "container ioas %u: vIOMMU %u (type 0x%x) for IOMMU %s over hwpt %u",
			 c->ioas_id, v->viommu_id, v->type, v->iommu, m->domain->hwpt_id);
	return 0;
}

/* Undo viommu_get() of a failed call. */
static void viommu_unget(struct iommufd_container *c, struct iofd_nest_dev *nd, bool made)
{
	struct iofd_viommu *v = nd->viommu;

	if (!v)
		return;
	nd->viommu = NULL;
	if (--v->nusers || !made)
		return;
	if (v->viommu_id)
		destroy_or_keep(c, v->viommu_id, "vIOMMU");
	iofd_list_del(&v->link);
	free(v);
}

static void set_nest_parent(struct iommufd_device *dev, uint32_t id)
{
	__atomic_store_n(&dev->nest_parent_id, id, __ATOMIC_RELAXED);
}

static const char *no_vdevice_hint(int err)
{
	return err == -ENOENT ? " (the driver wants the device's vDEVICE first: "
				"iommufd_container_set_virt_id())" :
				"";
}

IOFD_OPTS_NO_PADDING(struct iommufd_nested_opts, fault_id);

int iommufd_container_attach_nested_opts(struct iommufd_container *c, struct iommufd_device *dev,
					 uint32_t data_type, const void *data, size_t data_len,
					 const struct iommufd_nested_opts *opts)
{
	IOMMUFD_OPTS(iommufd_hwpt_alloc_opts, ho, .data_type = data_type, .data = data);
	bool nd_made = false, v_made = false, had_viommu;
	struct iommufd_nested_opts o;
	struct iofd_nest_dev *nd;
	struct iofd_member *m;
	uint32_t pt, hwpt = 0, old;
	int ret;

	if (!c)
		return -EINVAL;
	if (!dev)
		return iofd_set_error(c->ctx, -EINVAL, "container ioas %u: attach nested: no device",
				      c->ioas_id);
	ret = iofd_opts_copy(c->ctx, "attach nested", opts, sizeof(o),
			     iofd_offsetofend(struct iommufd_nested_opts, fault_id), &o);
	if (ret)
		return ret;
	if (o.flags)
		return iofd_set_error(c->ctx, -EINVAL, "attach nested %s: unknown opts flags 0x%x",
				      dev->info.name, o.flags);
	if (!data || !data_len || data_len > UINT32_MAX)
		return iofd_set_error(c->ctx, -EINVAL,
				      "attach nested %s: the guest's data %p of %zu bytes (a stage-1 "
				      "domain needs its driver's data)",
				      dev->info.name, data, data_len);
	ho.data_len = (uint32_t)data_len;
	ho.fault_id = o.fault_id;

	pthread_mutex_lock(&c->lock);
	m = nest_member(c, dev, "attach nested", &ret);
	if (!m)
		goto out_unlock;
	nd = nd_get(c, dev, &nd_made);
	if (!nd) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	had_viommu = nd->viommu != NULL;
	ret = viommu_get(c, m, nd, &v_made);
	if (ret)
		goto out_nd;
	/* through the vIOMMU where there is one, else from the nest parent itself */
	pt = nd->viommu->viommu_id ?: m->domain->hwpt_id;
	ret = iommufd_hwpt_alloc_opts(c->ctx, dev->dev_id, pt, &ho, &hwpt);
	if (ret) {
		iofd_set_error(c->ctx, ret, "attach nested %s: a stage-1 domain (data type 0x%x, %zu "
			       "bytes) on %s %u",
			       dev->info.name, data_type, data_len,
			       nd->viommu->viommu_id ? "vIOMMU" : "hwpt", pt);
		goto out_viommu;
	}
	ret = dev->ops->attach(dev, hwpt);
	if (ret) {
		iofd_set_error(c->ctx, ret, "attach nested %s to its stage-1 hwpt %u%s",
			       dev->info.name, hwpt, no_vdevice_hint(ret));
		goto out_hwpt;
	}
	set_nest_parent(dev, m->domain->hwpt_id);
	old = nd->hwpt_id;
	nd->hwpt_id = hwpt;
	iofd_log(c->ctx, IOMMUFD_LOG_INFO,
		 "container ioas %u: %s on stage-1 hwpt %u over hwpt %u%s", c->ioas_id,
		 dev->info.name, hwpt, m->domain->hwpt_id, old ? " (replaced)" : "");
	/* the device left it: past the point of no return, a refusal only keeps the id */
	if (old)
		destroy_or_keep(c, old, "stage-1 hwpt");
	ret = 0;
	goto out_unlock;

out_hwpt:
	destroy_or_keep(c, hwpt, "stage-1 hwpt");
out_viommu:
	if (!had_viommu)
		viommu_unget(c, nd, v_made);
out_nd:
	if (nd_made)
		nd_drop(nd);
out_unlock:
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int iommufd_container_attach_nested(struct iommufd_container *c, struct iommufd_device *dev,
				    uint32_t data_type, const void *data, size_t data_len)
{
	return iommufd_container_attach_nested_opts(c, dev, data_type, data, data_len, NULL);
}

int iommufd_container_detach_nested(struct iommufd_container *c, struct iommufd_device *dev)
{
	struct iofd_nest_dev *nd;
	struct iofd_member *m;
	int ret;

	if (!c)
		return -EINVAL;
	if (!dev)
		return iofd_set_error(c->ctx, -EINVAL, "container ioas %u: detach nested: no device",
				      c->ioas_id);
	pthread_mutex_lock(&c->lock);
	m = nest_member(c, dev, "detach nested", &ret);
	if (!m)
		goto out_unlock;
	nd = find_nd(c, dev);
	ret = 0;
	if (!nd || !nd->hwpt_id)
		goto out_unlock;
	ret = dev->ops->attach(dev, m->domain->hwpt_id);
	if (ret) {
		iofd_set_error(c->ctx, ret, "detach nested %s: back onto its hwpt %u",
			       dev->info.name, m->domain->hwpt_id);
		goto out_unlock;
	}
	set_nest_parent(dev, 0);
	iofd_log(c->ctx, IOMMUFD_LOG_INFO, "container ioas %u: %s back on hwpt %u", c->ioas_id,
		 dev->info.name, m->domain->hwpt_id);
	destroy_or_keep(c, nd->hwpt_id, "stage-1 hwpt");
	nd->hwpt_id = 0;
out_unlock:
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int iommufd_container_set_virt_id(struct iommufd_container *c, struct iommufd_device *dev,
				  uint64_t virt_id)
{
	bool nd_made = false, v_made = false, had_viommu;
	struct iofd_nest_dev *nd;
	struct iofd_member *m;
	int ret;

	if (!c)
		return -EINVAL;
	if (!dev)
		return iofd_set_error(c->ctx, -EINVAL, "container ioas %u: virtual id: no device",
				      c->ioas_id);
	pthread_mutex_lock(&c->lock);
	m = nest_member(c, dev, "virtual id of", &ret);
	if (!m)
		goto out_unlock;
	nd = find_nd(c, dev);
	if (nd && nd->vdevice_id) {
		ret = 0;
		if (nd->virt_id != virt_id)
			ret = iofd_set_error(c->ctx, -EEXIST,
					     "virtual id 0x%llx for %s: it has virtual id 0x%llx "
					     "(vDEVICE %u)",
					     (unsigned long long)virt_id, dev->info.name,
					     (unsigned long long)nd->virt_id, nd->vdevice_id);
		goto out_unlock;
	}
	nd = nd_get(c, dev, &nd_made);
	if (!nd) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	had_viommu = nd->viommu != NULL;
	ret = viommu_get(c, m, nd, &v_made);
	if (ret)
		goto out_nd;
	if (!nd->viommu->viommu_id) {
		ret = nd->viommu->none_err;
		if (ret == -ENOTTY)
			iofd_set_error(c->ctx, ret,
				       "virtual id of %s: vDEVICEs need a vIOMMU, which this kernel "
				       "does not have (Linux 6.13 or later does)",
				       dev->info.name);
		else
			iofd_set_error(c->ctx, ret,
				       "virtual id of %s: its IOMMU %s offers no vIOMMU (it nests "
				       "from the parent and needs no virtual ids)",
				       dev->info.name, dev->info.iommu);
		goto out_viommu;
	}
	ret = iommufd_vdevice_alloc(c->ctx, nd->viommu->viommu_id, dev->dev_id, virt_id,
				    &nd->vdevice_id);
	if (ret) {
		iofd_set_error(c->ctx, ret, "virtual id 0x%llx of %s on vIOMMU %u%s",
			       (unsigned long long)virt_id, dev->info.name, nd->viommu->viommu_id,
			       ret == -EEXIST ? ": another device has it" : "");
		goto out_viommu;
	}
	nd->virt_id = virt_id;
	iofd_log(c->ctx, IOMMUFD_LOG_INFO,
		 "container ioas %u: %s is virtual id 0x%llx (vDEVICE %u on vIOMMU %u)",
		 c->ioas_id, dev->info.name, (unsigned long long)virt_id, nd->vdevice_id,
		 nd->viommu->viommu_id);
	goto out_unlock;

out_viommu:
	if (!had_viommu)
		viommu_unget(c, nd, v_made);
out_nd:
	if (nd_made)
		nd_drop(nd);
out_unlock:
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int iommufd_container_invalidate(struct iommufd_container *c, struct iommufd_device *dev,
				 uint32_t flags, uint32_t data_type, const void *entries,
				 uint32_t entry_len, uint32_t *n)
{
	struct iofd_nest_dev *nd;
	struct iofd_member *m;
	uint32_t id;
	int ret;

	if (!c)
		return -EINVAL;
	if (!dev)
		return iofd_set_error(c->ctx, -EINVAL, "container ioas %u: invalidate: no device",
				      c->ioas_id);
	if (flags & ~IOMMUFD_INVALIDATE_DOMAIN)
		return iofd_set_error(c->ctx, -EINVAL, "invalidate %s: unknown flags 0x%x",
				      dev->info.name, flags);
	pthread_mutex_lock(&c->lock);
	m = nest_member(c, dev, "invalidate", &ret);
	if (!m)
		goto out_unlock;
	nd = find_nd(c, dev);
	if (!(flags & IOMMUFD_INVALIDATE_DOMAIN) && nd && nd->viommu && nd->viommu->viommu_id)
		id = nd->viommu->viommu_id;
	else if (nd && nd->hwpt_id)
		id = nd->hwpt_id;
	else {
		ret = iofd_set_error(c->ctx, -EINVAL,
				     "invalidate %s: %s", dev->info.name,
				     flags & IOMMUFD_INVALIDATE_DOMAIN ?
					     "not on a stage-1 domain" :
					     "no vIOMMU and not on a stage-1 domain: nothing cached");
		goto out_unlock;
	}
	ret = iommufd_hwpt_invalidate(c->ctx, id, data_type, entries, entry_len, n);
out_unlock:
	pthread_mutex_unlock(&c->lock);
	return ret;
}

IOFD_OPTS_NO_PADDING(struct iommufd_nesting_info, virt_id);

int iommufd_container_nesting(struct iommufd_container *c, struct iommufd_device *dev,
			      struct iommufd_nesting_info *info)
{
	struct iommufd_nesting_info o;
	struct iofd_nest_dev *nd;
	struct iofd_member *m;
	int ret;

	if (!c)
		return -EINVAL;
	if (!dev || !info)
		return iofd_set_error(c->ctx, -EINVAL, "container ioas %u: nesting: %s is NULL",
				      c->ioas_id, dev ? "info" : "dev");
	ret = iofd_opts_copy(c->ctx, "nesting", info, sizeof(o),
			     iofd_offsetofend(struct iommufd_nesting_info, virt_id), &o);
	if (ret)
		return ret;
	memset(&o, 0, sizeof(o));
	pthread_mutex_lock(&c->lock);
	m = nest_member(c, dev, "nesting of", &ret);
	if (!m)
		goto out_unlock;
	o.parent_id = m->domain->hwpt_id;
	nd = find_nd(c, dev);
	if (nd) {
		o.hwpt_id = nd->hwpt_id;
		if (nd->viommu) {
			o.viommu_id = nd->viommu->viommu_id;
			o.viommu_type = nd->viommu->type;
		}
		o.vdevice_id = nd->vdevice_id;
		o.virt_id = nd->virt_id;
	}
	iofd_opts_write_back(info, &o, sizeof(o));
out_unlock:
	pthread_mutex_unlock(&c->lock);
	return ret;
}

/* ---- a device leaves, the container goes --------------------------------------- */

/* The container's domain d goes when nothing holds it any more (lock held). */
static void drop_parent(struct iommufd_container *c, struct iofd_domain *d)
{
	int ret;

	if (d->ndevices)
		return;
	/* its dirty bits first: the next read reports them */
	if (d->tracking && iofd_container_harvest(c, d, 0, UINT64_MAX, &c->carried)) {
		iofd_log(c->ctx, IOMMUFD_LOG_WARN,
			 "container ioas %u: hwpt %u: its dirty bits could not be read; it stays",
			 c->ioas_id, d->hwpt_id);
		return;
	}
	ret = iofd_destroy_cleanup(c->ctx, d->hwpt_id);
	if (ret) {
		iofd_log(c->ctx, IOMMUFD_LOG_WARN, "container ioas %u: destroy hwpt %u: %s; it stays",
			 c->ioas_id, d->hwpt_id, strerror(-ret));
		return;
	}
	iofd_log(c->ctx, IOMMUFD_LOG_INFO,
		 "container ioas %u: hwpt %u destroyed, its last vIOMMU gone", c->ioas_id,
		 d->hwpt_id);
	iofd_container_forget_domain(c, d);
}

/*
 * The vIOMMUs no device uses that a leaving device may free: the one it
 * released, and when it was the last device of its nest parent, every idle
 * one over that parent (the parent can go only after them). One that still
 * carries the program's objects stays (and holds its nest parent) until such
 * a try or the container's free; no other leave asks for it again.
 */
static void reap_viommus(struct iommufd_container *c, const struct iofd_viommu *released,
			 const struct iofd_domain *left_parent)
{
	struct iofd_list *pos, *tmp;

	iofd_list_for_each_safe(pos, tmp, &c->nest->viommus) {
		struct iofd_viommu *v = iofd_list_entry(pos, struct iofd_viommu, link);
		struct iofd_domain *parent = v->parent;
		int ret;

		if (v->nusers || (v != released && parent != left_parent))
			continue;
		if (v->viommu_id) {
			ret = iofd_destroy_cleanup(c->ctx, v->viommu_id);
			if (ret) {
				iofd_log(c->ctx, IOMMUFD_LOG_INFO,
					 "container ioas %u: vIOMMU %u stays (%s: objects of the "
					 "program on it?), and with it hwpt %u",
					 c->ioas_id, v->viommu_id, strerror(-ret), parent->hwpt_id);
				continue;
			}
		}
		if (v == released)
			released = NULL;
		iofd_list_del(&v->link);
		free(v);
		if (!iofd_nest_holds(c, parent))
			drop_parent(c, parent);
	}
}

bool iofd_nest_device_left(struct iommufd_container *c, struct iommufd_device *dev)
{
	struct iofd_nest_dev *nd = find_nd(c, dev);
	struct iofd_member *m = iofd_container_find_member(c, dev);
	const struct iofd_domain *left_parent = NULL;
	const struct iofd_viommu *released = NULL;
	bool had = nd != NULL;

	if (!c->nest)
		return false;
	/* still counted in its domain: the last device there when it counts one */
	if (m && m->domain && m->domain->ndevices == 1)
		left_parent = m->domain;
	if (nd) {
		set_nest_parent(dev, 0);
		/* leaves first: its stage-1 domain, its vDEVICE, then maybe its vIOMMU */
		if (nd->hwpt_id)
			destroy_or_keep(c, nd->hwpt_id, "stage-1 hwpt");
		if (nd->vdevice_id)
			destroy_or_keep(c, nd->vdevice_id, "vDEVICE");
		if (nd->viommu) {
			released = nd->viommu;
			nd->viommu->nusers--;
		}
		nd_drop(nd);
	}
	reap_viommus(c, released, left_parent);
	return had;
}

bool iofd_nest_holds(struct iommufd_container *c, const struct iofd_domain *d)
{
	struct iofd_list *pos;

	if (!c->nest)
		return false;
	iofd_list_for_each(pos, &c->nest->viommus)
		if (iofd_list_entry(pos, struct iofd_viommu, link)->parent == d)
			return true;
	return false;
}

/* free(): what is left after every device left (vIOMMUs the program's objects kept). */
void iofd_nest_free(struct iommufd_container *c)
{
	struct iofd_nest *n = c->nest;
	struct iofd_list *pos, *tmp;
	size_t i;

	if (!n)
		return;
	/* every device went through iofd_nest_device_left(); its pointer is not used here */
	iofd_list_for_each_safe(pos, tmp, &n->devs) {
		struct iofd_nest_dev *nd = iofd_list_entry(pos, struct iofd_nest_dev, link);

		if (nd->hwpt_id)
			destroy_or_keep(c, nd->hwpt_id, "stage-1 hwpt");
		if (nd->vdevice_id)
			destroy_or_keep(c, nd->vdevice_id, "vDEVICE");
		nd_drop(nd);
	}
	iofd_list_for_each_safe(pos, tmp, &n->viommus) {
		struct iofd_viommu *v = iofd_list_entry(pos, struct iofd_viommu, link);

		if (v->viommu_id)
			destroy_or_keep(c, v->viommu_id, "vIOMMU");
		iofd_list_del(&v->link);
		free(v);
	}
	/* what was refused before, once more; the context's close destroys the rest */
	for (i = 0; i < n->nleft; i++)
		if (iofd_destroy_cleanup(c->ctx, n->left[i]))
			iofd_log(c->ctx, IOMMUFD_LOG_ERROR,
				 "container ioas %u free: object %u stays until iommufd_close()",
				 c->ioas_id, n->left[i]);
	free(n->left);
	free(n);
	c->nest = NULL;
}

bool iofd_nest_in_use(const struct iommufd_container *c)
{
	const struct iofd_list *pos;

	if (!c->nest)
		return false;
	iofd_list_for_each(pos, &c->nest->viommus)
		if (iofd_list_entry(pos, struct iofd_viommu, link)->viommu_id)
			return true;
	iofd_list_for_each(pos, &c->nest->devs) {
		const struct iofd_nest_dev *nd = iofd_list_entry(pos, struct iofd_nest_dev, link);

		if (nd->vdevice_id || nd->hwpt_id)
			return true;
	}
	return c->nest->nleft > 0;
}

void iofd_nest_forget(struct iommufd_container *c)
{
	struct iofd_nest *n = c->nest;
	struct iofd_list *pos, *tmp;

	if (!n)
		return;
	iofd_list_for_each_safe(pos, tmp, &n->devs)
		nd_drop(iofd_list_entry(pos, struct iofd_nest_dev, link));
	iofd_list_for_each_safe(pos, tmp, &n->viommus) {
		struct iofd_viommu *v = iofd_list_entry(pos, struct iofd_viommu, link);

		iofd_list_del(&v->link);
		free(v);
	}
	free(n->left);
	free(n);
	c->nest = NULL;
}
