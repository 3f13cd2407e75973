// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Live update of a container: iommufd_container_save() writes what a new process needs to
 * take it over (container_state.h), iommufd_container_restore() builds the same container
 * in the new process around the same kernel objects, making none.
 *
 * A restore believes nothing it has not checked with the kernel, and checks only with
 * calls that change nothing (objects/live_update.c): the IOAS answers IOVA_RANGES as when
 * it was saved, every domain is there, every mapping is mapped whole, every device fd is
 * the cdev of the device saved, bound, with a dev_id the kernel knows (docs/live-update.md
 * says what the kernel does not let it check). Only then is anything made, in memory;
 * a failure at any step leaves the kernel as it was and frees what was made.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "objects/objects.h"
#include "policy/container.h"
#include "policy/container_state.h"
#include "policy/live_update.h"

/* ---- save ------------------------------------------------------------- */

static void key_out(const struct iofd_iommu_key *k, struct iofd_state_key *out)
{
	out->hw_type = k->hw_type;
	memcpy(out->iommu, k->iommu, sizeof(out->iommu));
	memcpy(out->driver, k->driver, sizeof(out->driver));
}

static size_t list_len(const struct iofd_list *head)
{
	const struct iofd_list *pos;
	size_t n = 0;

	iofd_list_for_each(pos, head)
		n++;
	return n;
}

static void device_out(const struct iofd_member *m, struct iofd_state_device *d)
{
	const struct iommufd_device *dev = m->dev;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if (iommufd_device_is_selftest(dev)) {
		struct iofd_selftest_ids ids;

		iofd_selftest_device_ids(dev, &ids);
		d->kind = IOFD_STATE_DEV_SELFTEST;
		d->stdev_id = ids.stdev_id;
		d->park_ioas = ids.park_ioas;
		if (ids.no_dirty)
			d->flags |= IOFD_STATE_DEV_NO_DIRTY;
	} else {
		d->kind = IOFD_STATE_DEV_VFIO;
		d->fd = dev->fd;
	}
	if (dev->info.emulated)
		d->flags |= IOFD_STATE_DEV_EMULATED;
	if (dev->hw_known) {
		d->flags |= IOFD_STATE_DEV_HW_KNOWN;
		d->hw_ret = dev->hw_ret;
		d->hw_type = dev->hw.type;
		d->hw_caps = dev->hw.capabilities;
	}
	d->dev_id = dev->dev_id;
	d->hwpt_id = m->domain ? m->domain->hwpt_id : 0;
	d->pt_id = iommufd_device_pt_id(dev);
	d->uncovered = m->uncovered;
	memcpy(d->name, dev->info.name, sizeof(d->name));
	memcpy(d->cdev, dev->info.cdev, sizeof(d->cdev));
	memcpy(d->iommu, dev->info.iommu, sizeof(d->iommu));
	memcpy(d->driver, dev->info.driver, sizeof(d->driver));
}

/* A file mapping's record: the fd is kept only while it is still the file mapped. */
static void file_map_out(const struct iofd_file_map *f, struct iofd_state_map *m)
{
	struct stat st;

	m->flags |= IOFD_STATE_MAP_FILE;
	if (f->flags & IOFD_FILE_MAP_READONLY)
		m->flags |= IOFD_STATE_MAP_READONLY;
	m->offset = f->offset;
	m->file_dev = f->file_dev;
	m->file_ino = f->file_ino;
	if (!fstat(f->fd, &st) && (uint64_t)st.st_dev == f->file_dev &&
	    (uint64_t)st.st_ino == f->file_ino)
		m->fd = f->fd;
}

/* Everything about c into st (the container's lock held). 0 or -errno, message set. */
static int collect(struct iommufd_container *c, struct iofd_state *st, const char *what)
{
	struct iommufd_iova_range *ranges = NULL;
	const struct iofd_ranges *carried = &c->carried;
	struct iofd_list *pos;
	struct iofd_ivpos p;
	uint64_t align = 0;
	size_t i;
	int n;

	memset(st, 0, sizeof(*st));
	/* The state has no records for them: a new process would find devices it cannot place. */
	if (iofd_nest_in_use(c))
		return iofd_set_error(c->ctx, -EOPNOTSUPP,
				      "%s: it nests (vIOMMUs, vDEVICEs or stage-1 domains), which "
				      "live update does not carry; detach the devices from their "
				      "stage-1 domains first", what);
	st->container_flags = c->flags;
	st->ioas_id = c->ioas_id;
	st->tracking = c->tracking;
	/* What the kernel says of the IOAS now: a restore finds it the same. */
	n = iommufd_ioas_iova_ranges_all(c->ctx, c->ioas_id, &ranges, &align);
	if (n < 0)
		return iofd_set_error(c->ctx, n, "%s: read the IOAS's IOVA ranges", what);
	st->alignment = align;
	st->nranges = (size_t)n;
	st->ndomains = list_len(&c->domains);
	st->ndevices = list_len(&c->members);
	st->nrefusals = list_len(&c->refusals);
	st->ncombo_refusals = list_len(&c->combo_refusals);
	st->nmaps = iofd_ivlist_count(&c->maps);
	st->ndirty = iofd_ranges_count(carried);
	/* calloc of 0 elements may be NULL: one more keeps the checks simple */
	st->ranges = calloc(st->nranges + 1, sizeof(*st->ranges));
	st->domains = calloc(st->ndomains + 1, sizeof(*st->domains));
	st->devices = calloc(st->ndevices + 1, sizeof(*st->devices));
	st->refusals = calloc(st->nrefusals + 1, sizeof(*st->refusals));
	st->combo_refusals = calloc(st->ncombo_refusals + 1, sizeof(*st->combo_refusals));
	st->maps = calloc(st->nmaps + 1, sizeof(*st->maps));
	st->dirty = calloc(st->ndirty + 1, sizeof(*st->dirty));
	if (!st->ranges || !st->domains || !st->devices || !st->refusals ||
	    !st->combo_refusals || !st->maps || !st->dirty) {
		free(ranges);
		iofd_state_fini(st);
		return iofd_set_error(c->ctx, -ENOMEM, "%s", what);
	}
	for (i = 0; i < st->nranges; i++) {
		st->ranges[i].start = ranges[i].start;
		st->ranges[i].last = ranges[i].last;
	}
	free(ranges);

	i = 0;
	iofd_list_for_each(pos, &c->domains) {
		const struct iofd_domain *d = iofd_list_entry(pos, struct iofd_domain, link);

		st->domains[i].hwpt_id = d->hwpt_id;
		st->domains[i].flags = d->flags;
		st->domains[i].tracking = d->tracking;
		key_out(&d->made_for, &st->domains[i].made_for);
		i++;
	}
	i = 0;
	iofd_list_for_each(pos, &c->members)
		device_out(iofd_list_entry(pos, struct iofd_member, link), &st->devices[i++]);
	i = 0;
	iofd_list_for_each(pos, &c->refusals) {
		const struct iofd_refusal *r = iofd_list_entry(pos, struct iofd_refusal, link);

		st->refusals[i].hwpt_id = r->hwpt_id;
		key_out(&r->key, &st->refusals[i++].key);
	}
	i = 0;
	iofd_list_for_each(pos, &c->combo_refusals)
		key_out(&iofd_list_entry(pos, struct iofd_combo_refusal, link)->key,
			&st->combo_refusals[i++].key);
	i = 0;
	for (p = iofd_ivlist_begin(&c->maps); !iofd_ivlist_is_end(&c->maps, p);
	     p = iofd_ivlist_next(&c->maps, p)) {
		const struct iofd_range *r = iofd_ivlist_at(&c->maps, p);
		const struct iofd_file_map *f = iofd_file_maps_find(&c->files, r->start);
		struct iofd_state_map *m = &st->maps[i++];

		m->iova = r->start;
		m->last = r->last;
		m->fd = -1;
		if (f)
			file_map_out(f, m);
	}
	i = 0;
	for (p = iofd_ivlist_begin(&carried->l); !iofd_ivlist_is_end(&carried->l, p);
	     p = iofd_ivlist_next(&carried->l, p))
		st->dirty[i++] = *iofd_ivlist_at(&carried->l, p);
	return 0;
}

int iommufd_container_save(struct iommufd_container *c, int fd)
{
	struct iofd_state st;
	char what[48];
	size_t len = 0;
	void *buf = NULL;
	int ret;

	if (!c)
		return -EINVAL;
	snprintf(what, sizeof(what), "save container ioas %u", c->ioas_id);
	if (fd < 0)
		return iofd_set_error(c->ctx, -EBADF, "%s: fd %d", what, fd);
	ret = iofd_live_update_check(c->ctx, what);
	if (ret)
		return ret;
	pthread_mutex_lock(&c->lock);
	ret = collect(c, &st, what);
	pthread_mutex_unlock(&c->lock);
	if (ret)
		return ret;
	ret = iofd_state_encode(&st, &buf, &len);
	iofd_state_fini(&st);
	if (ret)
		return iofd_set_error(c->ctx, ret, "%s", what);
	ret = iofd_state_write_fd(fd, buf, len);
	free(buf);
	if (ret)
		return iofd_set_error(c->ctx, ret, "%s: write %zu bytes to fd %d", what, len, fd);
	iofd_log(c->ctx, IOMMUFD_LOG_INFO, "%s: %zu bytes of state", what, len);
	return 0;
}

/* ---- restore: what the kernel says --------------------------------------------- */

static int check_ioas(struct iommufd_ctx *ctx, const struct iofd_state *st, const char *what)
{
	struct iommufd_iova_range *r = NULL;
	uint64_t align = 0;
	size_t i;
	int n;

	n = iommufd_ioas_iova_ranges_all(ctx, st->ioas_id, &r, &align);
	if (n == -ENOENT)
		return iofd_set_error(ctx, n, "%s: ioas %u is gone", what, st->ioas_id);
	if (n < 0)
		return iofd_set_error(ctx, n, "%s: read the IOAS's IOVA ranges", what);
	for (i = 0; (size_t)n == st->nranges && i < st->nranges; i++)
		if (r[i].start != st->ranges[i].start || r[i].last != st->ranges[i].last)
			break;
	free(r);
	if ((size_t)n != st->nranges || i < st->nranges || align != st->alignment)
		return iofd_set_error(ctx, -ESTALE,
				      "%s: the IOAS's allowed IOVA ranges or alignment are not what "
				      "they were when saved (its domains or devices changed since)",
				      what);
	return 0;
}

static int check_domains_and_maps(struct iommufd_ctx *ctx, const struct iofd_state *st,
				  const char *what)
{
	size_t i;
	int ret;

	for (i = 0; i < st->ndomains; i++) {
		ret = iofd_hwpt_probe(ctx, st->domains[i].hwpt_id);
		if (!ret)
			return iofd_set_error(ctx, -ENOENT, "%s: hwpt %u is gone", what,
					      st->domains[i].hwpt_id);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < st->nmaps; i++) {
		const struct iofd_state_map *m = &st->maps[i];

		ret = iofd_ioas_probe_mapped(ctx, st->ioas_id, m->iova, m->last);
		if (!ret)
			return iofd_set_error(ctx, -ENOENT,
					      "%s: the mapping [0x%llx, 0x%llx] is not mapped whole "
					      "(unmapped or changed since the save)",
					      what, (unsigned long long)m->iova,
					      (unsigned long long)m->last);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Take over one device as the state says; *out made in memory only. */
static int adopt_device(struct iommufd_ctx *ctx, const struct iofd_state_device *d,
			const char *what, struct iommufd_device **out)
{
	struct iommufd_device *dev = NULL;
	int ret;

	if (d->kind == IOFD_STATE_DEV_SELFTEST) {
		struct iofd_selftest_ids ids = {
			.dev_id = d->dev_id,
			.stdev_id = d->stdev_id,
			.park_ioas = d->park_ioas,
			.hwpt_id = d->hwpt_id,
			.no_dirty = d->flags & IOFD_STATE_DEV_NO_DIRTY,
		};

		ret = iofd_selftest_device_adopt(ctx, &ids, &dev);
	} else {
		ret = iofd_vfio_device_adopt(ctx, d->fd, d->dev_id, d->name, &dev);
	}
	if (ret) {
		char cause[IOFD_ERRMSG_MAX];

		snprintf(cause, sizeof(cause), "%s", iommufd_last_error(ctx));
		iofd_set_error(ctx, 0, "%s: %s", what, cause);
		return ret;
	}
	/* The same IOMMU as when saved: placement's keys and cached answers rely on it. */
	if ((d->flags & IOFD_STATE_DEV_HW_KNOWN) && !d->hw_ret && dev->hw_known &&
	    (dev->hw.type != d->hw_type || dev->hw.capabilities != d->hw_caps)) {
		ret = iofd_set_error(ctx, -ESTALE,
				     "%s: %s (dev_id %u) answers GET_HW_INFO with type %u caps "
				     "0x%llx, the state says type %u caps 0x%llx",
				     what, d->name, d->dev_id, dev->hw.type,
				     (unsigned long long)dev->hw.capabilities, d->hw_type,
				     (unsigned long long)d->hw_caps);
		goto out_discard;
	}
	if (strcmp(dev->info.iommu, d->iommu) || strcmp(dev->info.driver, d->driver)) {
		ret = iofd_set_error(ctx, -ESTALE, "%s: %s is behind IOMMU %s (%s), the state says "
				     "%s (%s)", what, d->name, dev->info.iommu, dev->info.driver,
				     d->iommu, d->driver);
		goto out_discard;
	}
	dev->hw_known = d->flags & IOFD_STATE_DEV_HW_KNOWN;
	dev->hw_ret = d->hw_ret;
	if (dev->hw_known) {
		dev->hw.type = d->hw_type;
		dev->hw.capabilities = d->hw_caps;
	}
	*out = dev;
	return 0;

out_discard:
	iofd_device_discard(dev);
	return ret;
}

/* ---- restore: the container in memory ------------------------------------------------ */

static void key_in(const struct iofd_state_key *k, struct iofd_iommu_key *out)
{
	out->hw_type = k->hw_type;
	memcpy(out->iommu, k->iommu, sizeof(out->iommu));
	memcpy(out->driver, k->driver, sizeof(out->driver));
}

static struct iofd_domain *domain_of(struct iommufd_container *c, uint32_t hwpt_id)
{
	struct iofd_list *pos;

	iofd_list_for_each(pos, &c->domains) {
		struct iofd_domain *d = iofd_list_entry(pos, struct iofd_domain, link);

		if (d->hwpt_id == hwpt_id)
			return d;
	}
	return NULL;
}

/* Free what build() made; the devices stay the caller's. */
static void unbuild(struct iommufd_container *c)
{
	struct iofd_list *pos, *tmp;

	iofd_list_for_each_safe(pos, tmp, &c->members) {
		iofd_list_del(pos);
		free(iofd_list_entry(pos, struct iofd_member, link));
	}
	iofd_list_for_each_safe(pos, tmp, &c->domains) {
		iofd_list_del(pos);
		free(iofd_list_entry(pos, struct iofd_domain, link));
	}
	iofd_container_drop_refusals(c);
	iofd_ivlist_fini(&c->maps);
	iofd_file_maps_fini(&c->files);
	iofd_ranges_fini(&c->carried);
	free(c);
}

/* The container as the state says, around devs (one per state device). No kernel call. */
static int build(struct iommufd_ctx *ctx, const struct iofd_state *st,
		 struct iommufd_device **devs, struct iommufd_container **out)
{
	struct iommufd_container *c = calloc(1, sizeof(*c));
	size_t i;
	int ret;

	if (!c)
		return -ENOMEM;
	c->ctx = ctx;
	c->refs = 1;
	c->flags = st->container_flags;
	c->ioas_id = st->ioas_id;
	c->tracking = st->tracking;
	iofd_list_init(&c->domains);
	iofd_list_init(&c->members);
	iofd_list_init(&c->refusals);
	iofd_list_init(&c->combo_refusals);
	iofd_list_init(&c->live);
	iofd_ranges_init(&c->carried);
	iofd_ivlist_init(&c->maps);
	iofd_file_maps_init(&c->files);

	for (i = 0; i < st->ndomains; i++) {
		struct iofd_domain *d = calloc(1, sizeof(*d));

		if (!d)
			goto out_nomem;
		d->hwpt_id = st->domains[i].hwpt_id;
		d->flags = st->domains[i].flags;
		d->tracking = st->domains[i].tracking;
		key_in(&st->domains[i].made_for, &d->made_for);
		iofd_list_add_tail(&d->link, &c->domains);
	}
	for (i = 0; i < st->ndevices; i++) {
		struct iofd_member *m = calloc(1, sizeof(*m));

		if (!m)
			goto out_nomem;
		m->dev = devs[i];
		m->domain = st->devices[i].hwpt_id ? domain_of(c, st->devices[i].hwpt_id) : NULL;
		m->uncovered = st->devices[i].uncovered;
		if (m->domain)
			m->domain->ndevices++;
		iofd_list_add_tail(&m->link, &c->members);
	}
	for (i = 0; i < st->nrefusals; i++) {
		struct iofd_refusal *r = calloc(1, sizeof(*r));

		if (!r)
			goto out_nomem;
		r->hwpt_id = st->refusals[i].hwpt_id;
		key_in(&st->refusals[i].key, &r->key);
		iofd_list_add_tail(&r->link, &c->refusals);
	}
	for (i = 0; i < st->ncombo_refusals; i++) {
		struct iofd_combo_refusal *r = calloc(1, sizeof(*r));

		if (!r)
			goto out_nomem;
		key_in(&st->combo_refusals[i].key, &r->key);
		iofd_list_add_tail(&r->link, &c->combo_refusals);
	}
	for (i = 0; i < st->nmaps; i++) {
		const struct iofd_state_map *m = &st->maps[i];

		if (iofd_ivlist_insert(&c->maps, iofd_ivlist_end(&c->maps),
				       (struct iofd_range){ m->iova, m->last }))
			goto out_nomem;
		if (!(m->flags & IOFD_STATE_MAP_FILE))
			continue;
		if (iofd_file_maps_reserve(&c->files))
			goto out_nomem;
		iofd_file_maps_insert(&c->files, &(struct iofd_file_map){
			.iova = m->iova,
			.offset = m->offset,
			.file_dev = m->file_dev,
			.file_ino = m->file_ino,
			.fd = m->fd,
			.flags = m->flags & IOFD_STATE_MAP_READONLY ? IOFD_FILE_MAP_READONLY : 0,
		});
	}
	for (i = 0; i < st->ndirty; i++)
		if (iofd_ranges_add(&c->carried, st->dirty[i].start, st->dirty[i].last))
			goto out_nomem;
	ret = pthread_mutex_init(&c->lock, NULL);
	if (ret) {
		unbuild(c);
		return -ret;
	}
	*out = c;
	return 0;

out_nomem:
	unbuild(c);
	return -ENOMEM;
}

int iommufd_container_restore(struct iommufd_ctx *ctx, int fd, struct iommufd_container **out)
{
	struct iommufd_container *c = NULL;
	struct iommufd_device **devs = NULL;
	struct iofd_state st;
	struct iofd_list *pos;
	char what[48] = "restore";
	size_t len = 0, i, made = 0;
	void *buf = NULL;
	int ret;

	if (out)
		*out = NULL;
	if (!ctx)
		return -EINVAL;
	if (!out)
		return iofd_set_error(ctx, -EINVAL, "restore: out is NULL");
	if (fd < 0)
		return iofd_set_error(ctx, -EBADF, "restore: fd %d", fd);
	ret = iofd_live_update_check(ctx, what);
	if (ret)
		return ret;
	ret = iofd_state_read_fd(ctx, what, fd, &buf, &len);
	if (ret)
		return ret;
	ret = iofd_state_decode(ctx, what, buf, len, &st);
	free(buf);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "restore ioas %u", st.ioas_id);

	/* Not taken over already (a second restore of the same state): nothing asked yet. */
	ret = iofd_live_check_unclaimed(ctx, &st, NULL, what);
	if (!ret)
		ret = check_ioas(ctx, &st, what);
	if (!ret)
		ret = check_domains_and_maps(ctx, &st, what);
	if (ret)
		goto out_state;
	devs = calloc(st.ndevices + 1, sizeof(*devs));
	if (!devs) {
		ret = iofd_set_error(ctx, -ENOMEM, "%s", what);
		goto out_state;
	}
	for (made = 0; made < st.ndevices; made++) {
		ret = adopt_device(ctx, &st.devices[made], what, &devs[made]);
		if (ret)
			goto out_devs;
	}
	ret = build(ctx, &st, devs, &c);
	if (ret) {
		iofd_set_error(ctx, ret, "%s", what);
		goto out_devs;
	}
	/* Checked again and listed in one step: two restores of one state race here. */
	ret = iofd_live_check_unclaimed(ctx, &st, c, what);
	if (ret) {
		pthread_mutex_destroy(&c->lock);
		unbuild(c);
		goto out_devs;
	}
	/* From here on nothing fails: the devices are the container's, as attached. */
	for (i = 0; i < st.ndevices; i++)
		iofd_device_ready(devs[i]);
	iofd_ctx_get(ctx);
	pthread_mutex_lock(&c->lock);
	i = 0;
	iofd_list_for_each(pos, &c->members) {
		struct iofd_member *m = iofd_list_entry(pos, struct iofd_member, link);

		iofd_container_claim_device(c, m->dev);
		__atomic_store_n(&m->dev->pt_id, st.devices[i++].pt_id, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&c->lock);
	iofd_log(ctx, IOMMUFD_LOG_INFO,
		 "%s: %zu domains, %zu devices, %zu mappings, %zu dirty ranges not yet reported, "
		 "tracking %s", what, st.ndomains, st.ndevices, st.nmaps, st.ndirty,
		 st.tracking ? "on" : "off");
	free(devs);
	iofd_state_fini(&st);
	*out = c;
	return 0;

out_devs:
	for (i = 0; i < made; i++)
		iofd_device_discard(devs[i]);
	free(devs);
out_state:
	iofd_state_fini(&st);
	return ret;
}
