// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Domain placement: which domain a device joins when it enters a container.
 *
 * A device wants a domain with exactly the features the container asks for
 * it: DIRTY_TRACKING when the container tracks and the device's IOMMU can,
 * NEST_PARENT when the container asks for it. It joins the first existing
 * domain with those flags that is not known to refuse its IOMMU, or gets a
 * new one. Since a device never joins a domain of other flags, and devices
 * group by what the kernel lets share a domain, the layout does not depend
 * on the order of attaches. See docs/domains.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objects/objects.h"
#include "policy/container.h"
#include "uapi/iommufd_abi.h"

_Static_assert(sizeof(((struct iofd_iommu_key *)0)->iommu) ==
		       sizeof(((struct iofd_dev_sysinfo *)0)->iommu) &&
	       sizeof(((struct iofd_iommu_key *)0)->driver) ==
		       sizeof(((struct iofd_dev_sysinfo *)0)->driver),
	       "an IOMMU key holds the device's names whole");

static bool same_iommu(const struct iofd_iommu_key *a, const struct iofd_iommu_key *b)
{
	return a->hw_type == b->hw_type && !strcmp(a->iommu, b->iommu);
}

static bool refused(struct iommufd_container *c, uint32_t hwpt_id, const struct iofd_iommu_key *key)
{
	struct iofd_list *pos;

	iofd_list_for_each(pos, &c->refusals) {
		struct iofd_refusal *r = iofd_list_entry(pos, struct iofd_refusal, link);

		if (r->hwpt_id == hwpt_id && same_iommu(&r->key, key))
			return true;
	}
	return false;
}

/* A cache: when memory is short we only lose the shortcut, never correctness. */
static void remember_refusal(struct iommufd_container *c, uint32_t hwpt_id,
			     const struct iofd_iommu_key *key)
{
	struct iofd_refusal *r = calloc(1, sizeof(*r));

	if (!r)
		return;
	r->hwpt_id = hwpt_id;
	r->key = *key;
	iofd_list_add_tail(&r->link, &c->refusals);
}

static bool combo_refused(struct iommufd_container *c, const struct iofd_iommu_key *key)
{
	struct iofd_list *pos;

	iofd_list_for_each(pos, &c->combo_refusals) {
		struct iofd_combo_refusal *r = iofd_list_entry(pos, struct iofd_combo_refusal, link);

		if (same_iommu(&r->key, key))
			return true;
	}
	return false;
}

static void remember_combo_refusal(struct iommufd_container *c, const struct iofd_iommu_key *key)
{
	struct iofd_combo_refusal *r = calloc(1, sizeof(*r));

	if (!r)
		return;
	r->key = *key;
	iofd_list_add_tail(&r->link, &c->combo_refusals);
}

void iofd_container_drop_refusals(struct iommufd_container *c)
{
	struct iofd_list *pos, *tmp;

	iofd_list_for_each_safe(pos, tmp, &c->refusals) {
		iofd_list_del(pos);
		free(iofd_list_entry(pos, struct iofd_refusal, link));
	}
	iofd_list_for_each_safe(pos, tmp, &c->combo_refusals) {
		iofd_list_del(pos);
		free(iofd_list_entry(pos, struct iofd_combo_refusal, link));
	}
}

static void add_member(struct iommufd_container *c, struct iofd_member *m,
		       struct iommufd_device *dev, struct iofd_domain *d,
		       enum iofd_uncovered uncovered)
{
	m->dev = dev;
	m->domain = d;
	m->uncovered = uncovered;
	if (d) {
		d->ndevices++;
		if (d->flags & IOMMUFD_DOMAIN_DIRTY_TRACKING)
			m->uncovered = IOFD_COVERED;
	}
	iofd_list_add_tail(&m->link, &c->members);
}

/* An emulated device, or one the kernel gives no domain: the IOAS itself. */
static int attach_ioas(struct iommufd_container *c, struct iofd_member *m,
		       struct iommufd_device *dev, enum iofd_uncovered why)
{
	int ret;

	ret = dev->ops->attach(dev, c->ioas_id);
	if (ret)
		return iofd_set_error(c->ctx, ret, "attach %s to ioas %u", dev->info.name,
				      c->ioas_id);
	iofd_log(c->ctx, IOMMUFD_LOG_INFO, "container ioas %u: %s attaches to the IOAS itself (%s)",
		 c->ioas_id, dev->info.name,
		 why == IOFD_UNCOVERED_EMULATED ? "emulated device" : "no domain of its own");
	add_member(c, m, dev, NULL, c->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING ?
					    why : IOFD_UNCOVERED_NOT_ASKED);
	return 0;
}

/*
 * Where the kernel's rules give the answer without asking (checked against
 * Linux 6.12 and 7.3, see docs/domains.md): the IOMMU core attaches a paging
 * domain only to devices of the driver that made it (-EINVAL otherwise), and
 * GET_HW_INFO types and the sysfs driver names tell drivers apart; an ARM
 * SMMUv3 domain belongs to the SMMU instance it was made for. Everything else
 * (VT-d units sharing a domain, the selftest mock) depends on state the
 * library cannot see: it asks the kernel, once per domain and IOMMU.
 */
static bool kernel_refuses(const struct iofd_domain *d, const struct iofd_iommu_key *key)
{
	if (d->made_for.hw_type != key->hw_type)
		return true;
	if (d->made_for.driver[0] && key->driver[0] && strcmp(d->made_for.driver, key->driver))
		return true;
	return key->hw_type == IOFD_HW_INFO_TYPE_ARM_SMMUV3 &&
	       strcmp(d->made_for.iommu, key->iommu) != 0;
}

/*
 * Try the existing domains with exactly the wanted flags, skipping those the
 * kernel's rules or an earlier answer say refuse this IOMMU. 1: joined *out;
 * 0: none took it; -errno: abort.
 */
static int join_existing(struct iommufd_container *c, struct iommufd_device *dev,
			 const struct iofd_iommu_key *key, uint32_t wanted,
			 struct iofd_domain **out)
{
	struct iofd_list *pos;
	int ret;

	iofd_list_for_each(pos, &c->domains) {
		struct iofd_domain *d = iofd_list_entry(pos, struct iofd_domain, link);

		if (d->flags != wanted || kernel_refuses(d, key) || refused(c, d->hwpt_id, key))
			continue;
		ret = dev->ops->attach(dev, d->hwpt_id);
		if (!ret) {
			*out = d;
			return 1;
		}
		if (ret != -EINVAL)
			return iofd_set_error(c->ctx, ret, "attach %s to hwpt %u", dev->info.name,
					      d->hwpt_id);
		/* -EINVAL: this domain cannot take devices of this IOMMU; do not ask again. */
		remember_refusal(c, d->hwpt_id, key);
		iofd_log(c->ctx, IOMMUFD_LOG_INFO,
			 "container ioas %u: attach %s to hwpt %u: %s (domain incompatible); "
			 "not asked again for IOMMU %s",
			 c->ioas_id, dev->info.name, d->hwpt_id, strerror(EINVAL), key->iommu);
	}
	return 0;
}

static uint32_t hwpt_flags(uint32_t domain_flags)
{
	uint32_t f = 0;

	if (domain_flags & IOMMUFD_DOMAIN_DIRTY_TRACKING)
		f |= IOMMUFD_HWPT_DIRTY_TRACKING;
	if (domain_flags & IOMMUFD_DOMAIN_NEST_PARENT)
		f |= IOMMUFD_HWPT_NEST_PARENT;
	return f;
}

/*
 * Allocate a domain for dev and attach it. *alloc_err is set when the
 * allocation itself failed (the caller decides about fallbacks); any other
 * failure destroys what was made. A domain made while the container tracks
 * starts tracking before the device can write, and all mapped pages count
 * as dirty on the next read.
 */
static int new_domain(struct iommufd_container *c, struct iommufd_device *dev,
		      const struct iofd_iommu_key *key, uint32_t wanted, struct iofd_domain **out,
		      bool *alloc_err)
{
	bool track = c->tracking && (wanted & IOMMUFD_DOMAIN_DIRTY_TRACKING);
	struct iofd_ranges mapped;
	struct iofd_domain *d;
	int ret, rb;

	*alloc_err = false;
	iofd_ranges_init(&mapped);
	d = calloc(1, sizeof(*d));
	if (!d)
		return iofd_set_error(c->ctx, -ENOMEM, "attach %s", dev->info.name);
	if (track) {
		ret = iofd_container_add_mapped(c, &mapped);
		if (!ret)
			ret = iofd_ranges_reserve(&c->carried, 1);
		if (ret) {
			iofd_set_error(c->ctx, ret, "attach %s", dev->info.name);
			goto out_free;
		}
	}
	d->flags = wanted;
	d->made_for = *key;

	ret = iommufd_hwpt_alloc(c->ctx, dev->dev_id, c->ioas_id, hwpt_flags(wanted), &d->hwpt_id);
	if (ret) {
		*alloc_err = true;
		iofd_set_error(c->ctx, ret, "attach %s: allocate a %s hwpt on ioas %u",
			       dev->info.name, iommufd_domain_flags_str(wanted), c->ioas_id);
		goto out_free;
	}
	if (track) {
		ret = iommufd_hwpt_set_dirty_tracking(c->ctx, d->hwpt_id, true);
		if (ret) {
			iofd_set_error(c->ctx, ret, "attach %s: start dirty tracking on new hwpt %u",
				       dev->info.name, d->hwpt_id);
			goto out_destroy;
		}
		d->tracking = true;
	}
	ret = dev->ops->attach(dev, d->hwpt_id);
	if (ret) {
		iofd_set_error(c->ctx, ret, "attach %s to its new hwpt %u", dev->info.name,
			       d->hwpt_id);
		goto out_destroy;
	}

	if (track)
		iofd_container_keep_harvest(c, &mapped, "attach");
	iofd_list_add_tail(&d->link, &c->domains);
	iofd_log(c->ctx, IOMMUFD_LOG_INFO, "container ioas %u: %s gets a new %s hwpt %u%s",
		 c->ioas_id, dev->info.name, iommufd_domain_flags_str(wanted), d->hwpt_id,
		 track ? ", tracking at once (mapped pages count as dirty)" : "");
	iofd_ranges_fini(&mapped);
	*out = d;
	return 0;

out_destroy:
	rb = iofd_destroy_cleanup(c->ctx, d->hwpt_id);
	if (rb)
		iofd_log(c->ctx, IOMMUFD_LOG_WARN,
			 "container ioas %u: destroy new hwpt %u: %s; it stays until iommufd_close()",
			 c->ioas_id, d->hwpt_id, strerror(-rb));
out_free:
	iofd_ranges_fini(&mapped);
	free(d);
	return ret;
}

int iofd_container_place(struct iommufd_container *c, struct iommufd_device *dev)
{
	const uint32_t both = IOMMUFD_DOMAIN_DIRTY_TRACKING | IOMMUFD_DOMAIN_NEST_PARENT;
	enum iofd_uncovered uncovered = IOFD_COVERED;
	struct iofd_domain *d = NULL;
	struct iofd_iommu_key key;
	struct iommufd_hw_info hw;
	struct iofd_member *m;
	uint32_t wanted = 0;
	bool alloc_err;
	int ret;

	m = calloc(1, sizeof(*m));
	if (!m)
		return iofd_set_error(c->ctx, -ENOMEM, "attach %s", dev->info.name);

	if (dev->info.emulated) {
		ret = attach_ioas(c, m, dev, IOFD_UNCOVERED_EMULATED);
		goto out;
	}

	ret = iofd_device_hw_info(dev, &hw);
	if (ret == -ENOENT) {
		/* The dev_id is no IOMMU-backed device object (see docs/domains.md). */
		ret = attach_ioas(c, m, dev, IOFD_UNCOVERED_NO_DOMAIN);
		goto out;
	}
	if (ret) {
		iofd_set_error(c->ctx, ret, "attach %s: read its IOMMU capabilities (GET_HW_INFO)",
			       dev->info.name);
		goto out;
	}
	/* Both end in a NUL within their 64 bytes (struct iofd_dev_sysinfo). */
	key.hw_type = hw.type;
	memcpy(key.iommu, dev->info.iommu, sizeof(key.iommu));
	memcpy(key.driver, dev->info.driver, sizeof(key.driver));

	if (c->flags & IOMMUFD_CONTAINER_NEST_PARENT)
		wanted |= IOMMUFD_DOMAIN_NEST_PARENT;
	if (!(c->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING))
		uncovered = IOFD_UNCOVERED_NOT_ASKED;
	else if (hw.capabilities & IOFD_HW_CAP_DIRTY_TRACKING)
		wanted |= IOMMUFD_DOMAIN_DIRTY_TRACKING;
	else
		uncovered = IOFD_UNCOVERED_IOMMU_NO_DIRTY;
	if ((wanted & both) == both && combo_refused(c, &key)) {
		wanted &= ~IOMMUFD_DOMAIN_DIRTY_TRACKING;
		uncovered = IOFD_UNCOVERED_NEST_PARENT;
	}

	for (;;) {
		ret = join_existing(c, dev, &key, wanted, &d);
		if (ret < 0)
			goto out;
		if (ret > 0) {
			iofd_log(c->ctx, IOMMUFD_LOG_INFO,
				 "container ioas %u: %s joins %s hwpt %u (%u devices before)",
				 c->ioas_id, dev->info.name, iommufd_domain_flags_str(wanted),
				 d->hwpt_id, d->ndevices);
			ret = 0;
			break;
		}
		ret = new_domain(c, dev, &key, wanted, &d, &alloc_err);
		if (!ret || !alloc_err)
			break;
		if (ret == -EOPNOTSUPP && (wanted & both) == both) {
			/* The IOMMU cannot do both: keep NEST_PARENT, report the device uncovered. */
			remember_combo_refusal(c, &key);
			iofd_log(c->ctx, IOMMUFD_LOG_INFO,
				 "container ioas %u: IOMMU %s refuses NEST_PARENT with DIRTY_TRACKING; "
				 "%s gets a domain without dirty tracking",
				 c->ioas_id, key.iommu, dev->info.name);
			wanted &= ~IOMMUFD_DOMAIN_DIRTY_TRACKING;
			uncovered = IOFD_UNCOVERED_NEST_PARENT;
			continue;
		}
		if (ret == -ENOENT) {
			/* The kernel has no IOMMU device object for this dev_id: the IOAS. */
			ret = attach_ioas(c, m, dev, IOFD_UNCOVERED_NO_DOMAIN);
			goto out;
		}
		break;
	}
	if (!ret)
		add_member(c, m, dev, d, uncovered);
out:
	if (ret)
		free(m);
	return ret;
}
