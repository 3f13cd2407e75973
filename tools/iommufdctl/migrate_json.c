// SPDX-License-Identifier: LGPL-2.1-or-later
/* migrate --json: the run's members of the document (the layout and teardown are setup's). */
#include "migrate.h"

static const char *const dma_source_names[] = { "devices", "simulator", "selftest" };

static void add_u64(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

/* The counts only generated DMA has: null with the devices' own. */
static void add_dma_count(json_object *o, const char *key, bool gen, uint64_t v)
{
	json_object_object_add(o, key, gen ? json_object_new_uint64(v) : NULL);
}

/* The options of the loop, whether it ran or not. */
static void add_options(const struct migrate_opts *o, json_object *doc)
{
	add_u64(doc, "threshold_pages", o->threshold);
	add_u64(doc, "max_rounds", o->max_rounds);
	add_u64(doc, "interval_ms", o->interval_ms);
}

static json_object *json_round(unsigned r, const struct round *rd, bool gen)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	add_u64(o, "round", r + 1);
	add_u64(o, "dirty_pages", rd->found);
	add_u64(o, "dirty_bytes", rd->found * PAGE_4K);
	add_dma_count(o, "dma_writes", gen, rd->dma_writes);
	add_dma_count(o, "written_pages", gen, rd->written);
	add_dma_count(o, "lost_pages", gen, rd->lost);
	add_dma_count(o, "extra_pages", gen, rd->extra);
	json_object_object_add(o, "round_ms", json_fixed3(rd->round_ms));
	json_object_object_add(o, "read_ms", json_fixed3(rd->read_ms));
	json_object_object_add(o, "dirty_rate_mib_s",
			       json_fixed3(dirty_rate_mib_s(rd->found, rd->round_ms)));
	return o;
}

void json_migration(const struct migration *m, json_object *doc)
{
	const struct migrate_opts *o = m->o;
	bool gen = m->source != DMA_DEVICES;
	json_object *obj, *rounds;
	struct totals t;
	unsigned r;

	obj = json_object_new_object();
	if (obj) {
		add_u64(obj, "bytes", o->memory);
		add_u64(obj, "iova", m->iova);
		add_u64(obj, "page_size", PAGE_4K);
		add_u64(obj, "pages", m->npages);
	}
	json_object_object_add(doc, "memory", obj);

	obj = json_object_new_object();
	if (obj) {
		json_object_object_add(obj, "source", json_str(dma_source_names[m->source]));
		if (gen) {
			add_u64(obj, "rate_pages", o->dma_rate);
			add_u64(obj, "decay_percent", o->dma_decay);
			add_u64(obj, "working_set_bytes", dma_working_set(o));
			add_u64(obj, "seed", o->seed);
		}
	}
	json_object_object_add(doc, "dma", obj);
	add_options(o, doc);

	rounds = json_object_new_array();
	for (r = 0; rounds && r < m->nrounds; r++)
		json_object_array_add(rounds, json_round(r, &m->rounds[r], gen));
	json_object_object_add(doc, "rounds", rounds);

	migrate_sum_rounds(m, &t);
	obj = json_object_new_object();
	if (obj) {
		json_object_object_add(obj, "converged", json_object_new_boolean(m->converged));
		json_object_object_add(obj, "interrupted", json_object_new_boolean(m->interrupted));
		add_u64(obj, "rounds", m->nrounds);
		add_u64(obj, "remaining_pages", m->nrounds ? m->rounds[m->nrounds - 1].found : 0);
		add_u64(obj, "total_dirty_pages", t.found);
		add_dma_count(obj, "total_written_pages", gen, t.written);
		add_dma_count(obj, "lost_pages", gen, t.lost);
		add_dma_count(obj, "extra_pages", gen, t.extra);
		json_object_object_add(obj, "duration_ms", json_fixed3(m->total_ms));
		json_object_object_add(obj, "read_ms", json_fixed3(t.read_ms));
	}
	json_object_object_add(doc, "summary", obj);
	/* The document of an interrupted run is a report, and says why it ends early. */
	if (m->interrupted)
		json_object_object_add(doc, "error", json_str(m->stop_msg));
}

void json_no_migration(const struct migrate_opts *o, json_object *doc)
{
	json_object_object_add(doc, "memory", NULL);
	json_object_object_add(doc, "dma", NULL);
	add_options(o, doc);
	json_object_object_add(doc, "rounds", json_object_new_array());
	json_object_object_add(doc, "summary", NULL);
}
