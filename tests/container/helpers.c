// SPDX-License-Identifier: LGPL-2.1-or-later
/* Shared set-up for the container tests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "helpers.h"
#include "policy/container.h"
#include "sim/sim_internal.h"

const char *const dev_names[NDEVS] = { DEV_A0, DEV_A1, DEV_B0, DEV_B1, DEV_S0, DEV_M0 };

const char topology_json[] =
	"{ \"iommus\": ["
	"  { \"name\": \"dmar0\", \"driver\": \"intel-vtd\", \"dirty_tracking\": true,"
	"    \"iova_bits\": 48, \"pgsizes\": [\"4K\", \"2M\", \"1G\"] },"
	"  { \"name\": \"dmar1\", \"driver\": \"intel-vtd\", \"dirty_tracking\": false,"
	"    \"iova_bits\": 48, \"pgsizes\": [\"4K\", \"2M\"] },"
	"  { \"name\": \"smmu0\", \"driver\": \"arm-smmu-v3\", \"dirty_tracking\": true,"
	"    \"iova_bits\": 48, \"pgsizes\": [\"4K\", \"2M\", \"1G\"] } ],"
	"  \"devices\": ["
	"  { \"name\": \"" DEV_A0 "\", \"iommu\": \"dmar0\" },"
	"  { \"name\": \"" DEV_A1 "\", \"iommu\": \"dmar0\" },"
	"  { \"name\": \"" DEV_B0 "\", \"iommu\": \"dmar1\" },"
	"  { \"name\": \"" DEV_B1 "\", \"iommu\": \"dmar1\" },"
	"  { \"name\": \"" DEV_S0 "\", \"iommu\": \"smmu0\" },"
	"  { \"name\": \"" DEV_M0 "\", \"emulated\": true } ] }";

void fx_init(struct fx *f, long container_flags)
{
	int i, ret;

	memset(f, 0, sizeof(*f));
	ret = iommufd_sim_new(topology_json, &f->sim);
	if (ret)
		fail_msg("sim: %s", iommufd_sim_last_error());
	assert_int_equal(iommufd_sim_open(f->sim, &f->ctx), 0);
	for (i = 0; i < NDEVS; i++) {
		ret = iommufd_device_open(f->ctx, dev_names[i], &f->dev[i]);
		if (ret)
			fail_msg("open %s: %s", dev_names[i], iommufd_last_error(f->ctx));
	}
	f->base_objects = iommufd_sim_live_objects(f->sim);
	f->mem = mmap(NULL, MEM_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(f->mem != MAP_FAILED);
	if (container_flags >= 0)
		assert_int_equal(iommufd_container_new(f->ctx, (uint32_t)container_flags, &f->c), 0);
}

void fx_fini(struct fx *f)
{
	int i;

	iommufd_container_free(f->c);
	if (f->sim)
		assert_int_equal(iommufd_sim_live_objects(f->sim), f->base_objects);
	for (i = 0; i < NDEVS; i++)
		iommufd_device_close(f->dev[i]);
	iommufd_close(f->ctx);
	iommufd_sim_free(f->sim);
	munmap(f->mem, MEM_LEN);
}

int fx_index(const char *name)
{
	int i;

	for (i = 0; i < NDEVS; i++)
		if (!strcmp(dev_names[i], name))
			return i;
	fail_msg("no device %s", name);
	return -1;
}

struct iommufd_device *fx_dev(struct fx *f, const char *name)
{
	return f->dev[fx_index(name)];
}

void fx_attach(struct fx *f, const char *name)
{
	int ret = iommufd_container_attach(f->c, fx_dev(f, name));

	if (ret)
		fail_msg("attach %s: %d %s", name, ret, iommufd_last_error(f->ctx));
}

void fx_map(struct fx *f)
{
	int ret = iommufd_container_map(f->c, f->mem, MEM_IOVA, MEM_LEN, false);

	if (ret)
		fail_msg("map: %d %s", ret, iommufd_last_error(f->ctx));
}

static const char *domain_label(struct fx *f, uint32_t pt_id, char *buf, size_t size)
{
	struct iommufd_domain_info d[16];
	int n, i;

	if (pt_id == iommufd_container_ioas_id(f->c))
		return "ioas";
	n = iommufd_container_domains(f->c, d, 16);
	for (i = 0; i < n && i < 16; i++)
		if (d[i].hwpt_id == pt_id) {
			snprintf(buf, size, "%s%s",
				 d[i].flags & IOMMUFD_DOMAIN_NEST_PARENT ? "np" : "",
				 d[i].flags & IOMMUFD_DOMAIN_DIRTY_TRACKING ? "dt" : "-");
			return buf;
		}
	return "?";
}

void fx_layout(struct fx *f, char *buf, size_t size)
{
	size_t len = 0;
	int i, j;

	buf[0] = '\0';
	for (i = 0; i < NDEVS; i++) {
		uint32_t pt = iommufd_device_pt_id(f->dev[i]);
		char label[16];

		if (!pt)
			continue;
		for (j = 0; j < i; j++)
			if (iommufd_device_pt_id(f->dev[j]) == pt)
				break;
		len += snprintf(buf + len, size - len, "%s=%s/%s;", dev_names[i], dev_names[j],
				domain_label(f, pt, label, sizeof(label)));
	}
}

int fx_rounds(int dflt)
{
	const char *v = getenv("IOMMUFD_TEST_ROUNDS");

	return v && atoi(v) > 0 ? atoi(v) : dflt;
}

bool bit(const uint64_t *bm, uint64_t i)
{
	return bm[i / 64] >> (i % 64) & 1;
}

int fx_read(struct fx *f, uint64_t *bm, uint32_t flags)
{
	memset(bm, 0, MEM_LEN / PAGE / 8);
	return iommufd_container_read_dirty(f->c, MEM_IOVA, MEM_LEN, PAGE, bm, flags);
}

/* Read from the simulated kernel itself, not through the library. */
static void kernel_hwpts(struct fx *f, struct fx_state *s)
{
	struct iommufd_sim *sim = f->sim;
	struct sim_ictx *ictx;
	uint32_t id;

	pthread_mutex_lock(&sim->lock);
	for (ictx = sim->ictxs; ictx; ictx = ictx->next)
		for (id = 1; id < ictx->objs_cap; id++) {
			struct sim_obj *o = ictx->objs[id];

			if (!o || o->type != SIM_OBJ_HWPT_PAGING || s->nhwpts == 16)
				continue;
			s->hwpt_id[s->nhwpts] = id;
			s->hwpt_tracking[s->nhwpts++] = ((struct sim_hwpt *)o)->tracking;
		}
	pthread_mutex_unlock(&sim->lock);
}

void fx_snapshot(struct fx *f, struct fx_state *s)
{
	struct iommufd_container *c = f->c;
	struct iofd_ivpos p;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->live_objects = iommufd_sim_live_objects(f->sim);
	for (i = 0; i < NDEVS; i++)
		s->pt_id[i] = iommufd_device_pt_id(f->dev[i]);
	s->ndomains = iommufd_container_domains(c, s->domains, 16);
	s->dirty_ret = fx_read(f, s->dirty, IOMMUFD_DIRTY_NO_CLEAR);
	s->status = iommufd_container_dirty_status(c);
	pthread_mutex_lock(&c->lock);
	s->tracking = c->tracking;
	s->nmaps = iofd_ivlist_count(&c->maps);
	p = iofd_ivlist_begin(&c->maps);
	for (i = 0; i < s->nmaps && i < 8; i++, p = iofd_ivlist_next(&c->maps, p)) {
		s->map_iova[i] = iofd_ivlist_at(&c->maps, p)->start;
		s->map_last[i] = iofd_ivlist_at(&c->maps, p)->last;
	}
	pthread_mutex_unlock(&c->lock);
	kernel_hwpts(f, s);
}

void fx_assert_same(const struct fx_state *a, const struct fx_state *b)
{
	int i;

	assert_int_equal(a->live_objects, b->live_objects);
	for (i = 0; i < NDEVS; i++)
		assert_int_equal(a->pt_id[i], b->pt_id[i]);
	assert_int_equal(a->ndomains, b->ndomains);
	assert_memory_equal(a->domains, b->domains, sizeof(a->domains));
	assert_int_equal(a->dirty_ret, b->dirty_ret);
	assert_memory_equal(a->dirty, b->dirty, sizeof(a->dirty));
	assert_int_equal(a->tracking, b->tracking);
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->nmaps, b->nmaps);
	assert_memory_equal(a->map_iova, b->map_iova, sizeof(a->map_iova));
	assert_memory_equal(a->map_last, b->map_last, sizeof(a->map_last));
	assert_int_equal(a->nhwpts, b->nhwpts);
	assert_memory_equal(a->hwpt_id, b->hwpt_id, sizeof(a->hwpt_id));
	assert_memory_equal(a->hwpt_tracking, b->hwpt_tracking, sizeof(a->hwpt_tracking));
}
