/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Container internals: one IOAS, the automatic domains (HWPTs) made for its
 * devices, its mappings, and its dirty tracking state. Every public call takes
 * the container's mutex; the helpers here expect it held.
 */
#ifndef IOFD_POLICY_CONTAINER_H
#define IOFD_POLICY_CONTAINER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <iommufd/iommufd.h>

#include "core/ctx.h"
#include "objects/device.h"
#include "policy/dirty_ranges.h"
#include "policy/file_maps.h"
#include "policy/ivlist.h"

/* A tiny intrusive doubly linked list (kernel style). */
struct iofd_list {
	struct iofd_list *next, *prev;
};
static inline void iofd_list_init(struct iofd_list *l)
{
	l->next = l->prev = l;
}
static inline bool iofd_list_empty(const struct iofd_list *l)
{
	return l->next == l;
}
static inline void iofd_list_add_tail(struct iofd_list *item, struct iofd_list *head)
{
	item->prev = head->prev;
	item->next = head;
	head->prev->next = item;
	head->prev = item;
}
static inline void iofd_list_del(struct iofd_list *item)
{
	item->prev->next = item->next;
	item->next->prev = item->prev;
	iofd_list_init(item);
}
#define iofd_list_entry(ptr, type, member) \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))
#define iofd_list_for_each_safe(pos, tmp, head) \
	for (pos = (head)->next, tmp = pos->next; pos != (head); pos = tmp, tmp = pos->next)
#define iofd_list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)


/* Why a device is not covered by IOMMU dirty tracking. */
enum iofd_uncovered {
	IOFD_COVERED = 0,
	IOFD_UNCOVERED_NOT_ASKED,     /* the container was made without DIRTY_TRACKING */
	IOFD_UNCOVERED_EMULATED,      /* mdev: no IOMMU, on the IOAS itself */
	IOFD_UNCOVERED_NO_DOMAIN,     /* the kernel gives it no domain of its own (IOAS) */
	IOFD_UNCOVERED_IOMMU_NO_DIRTY,/* its IOMMU has no dirty tracking */
	IOFD_UNCOVERED_NEST_PARENT,   /* its IOMMU refuses NEST_PARENT with DIRTY_TRACKING */
};

/* One device of the container. */
struct iofd_member {
	struct iofd_list link;        /* in container->members, attach order */
	struct iommufd_device *dev;
	struct iofd_domain *domain;   /* NULL: attached to the IOAS itself */
	enum iofd_uncovered uncovered;
};

/* What the IOMMU of a device is, for remembering refusals. */
struct iofd_iommu_key {
	uint32_t hw_type;             /* GET_HW_INFO out_data_type */
	char iommu[64];               /* sysfs IOMMU instance, e.g. "dmar0" */
	char driver[64];              /* its driver, e.g. "intel-vtd"; "" if unknown */
};

/* One automatic domain (HWPT) of the container. */
struct iofd_domain {
	struct iofd_list link;  /* in container->domains, creation order */
	uint32_t hwpt_id;
	uint32_t flags;         /* IOMMUFD_DOMAIN_* */
	unsigned ndevices;
	bool tracking;          /* dirty tracking enabled in the kernel */
	struct iofd_iommu_key made_for; /* the IOMMU of the device it was made for */
};

/* A domain known to refuse devices of one IOMMU (attach gave -EINVAL). */
struct iofd_refusal {
	struct iofd_list link;
	uint32_t hwpt_id;
	struct iofd_iommu_key key;
};

struct iofd_nest; /* nesting state (container_nested.c) */

/* An IOMMU known to refuse NEST_PARENT together with DIRTY_TRACKING. */
struct iofd_combo_refusal {
	struct iofd_list link;
	struct iofd_iommu_key key;
};

struct iommufd_container {
	struct iommufd_ctx *ctx;      /* holds a reference on it */
	/*
	 * 1 until iommufd_container_free(), plus one per device close that holds
	 * the container meanwhile (device.h): the last one frees the memory.
	 */
	unsigned refs;
	pthread_mutex_t lock;
	uint32_t flags;               /* IOMMUFD_CONTAINER_* */
	uint32_t ioas_id;
	struct iofd_list domains;     /* struct iofd_domain */
	struct iofd_list members;     /* struct iofd_member */
	struct iofd_list refusals;    /* struct iofd_refusal */
	struct iofd_list combo_refusals; /* struct iofd_combo_refusal */
	struct iofd_ivlist maps;      /* IOAS mappings made through it: [iova, last] each */
	bool tracking;                /* set_dirty_tracking(true) is in force */
	struct iofd_ranges carried;   /* dirty pages not yet reported, from gone domains/ranges */
	struct iofd_file_maps files;  /* what its file mappings map, for save (file_maps.h) */
	struct iofd_list live;        /* on the list of live containers (live_update.c) */
	struct iofd_nest *nest;       /* vIOMMUs, vDEVICEs, stage-1 domains; NULL: none yet */
};

/* Whether any domain of c tracks dirty pages in the kernel now. */
static inline bool iofd_container_any_tracking(const struct iommufd_container *c)
{
	const struct iofd_list *pos;

	iofd_list_for_each(pos, &c->domains)
		if (iofd_list_entry(pos, struct iofd_domain, link)->tracking)
			return true;
	return false;
}

/* The granule the container harvests bits in (domain destroy, unmap, disable). */
#define IOFD_HARVEST_PAGE 4096ULL

struct iofd_member *iofd_container_find_member(struct iommufd_container *c,
					       const struct iommufd_device *dev);
/* Forget a domain: unlink it, drop its refusal entries, free it. */
void iofd_container_forget_domain(struct iommufd_container *c, struct iofd_domain *d);

/* Placement (placement.c): attach a device not yet in the container. Lock held. */
int iofd_container_place(struct iommufd_container *c, struct iommufd_device *dev);
void iofd_container_drop_refusals(struct iommufd_container *c);

/*
 * Dirty (container_dirty.c). Read (NO_CLEAR) the bits of one domain over the
 * mapped parts of [iova, last] at IOFD_HARVEST_PAGE granularity, adding the
 * dirty pages to into (c->carried itself, before a step that makes the domain
 * forget them: pages in both are reported once). The domain and the kernel
 * are unchanged. 0 or -errno; on failure into may hold part of the pages.
 */
int iofd_container_harvest(struct iommufd_container *c, struct iofd_domain *d, uint64_t iova,
			   uint64_t last, struct iofd_ranges *into);
/* The same for every tracking domain. */
int iofd_container_harvest_all(struct iommufd_container *c, uint64_t iova, uint64_t last,
			       struct iofd_ranges *into);
/*
 * Carry what was read over into c->carried (room for one change reserved
 * there first): cannot fail; short of memory it keeps the span read as one
 * range (more pages reported, none lost) and logs a warning naming what.
 */
void iofd_container_keep_harvest(struct iommufd_container *c, struct iofd_ranges *got,
				 const char *what);

/*
 * Nesting (container_nested.c), lock held. A device left c (detached already):
 * its stage-1 domain, its vDEVICE and a vIOMMU it was the last user of go.
 * Whether it had nesting state (which is gone now).
 */
bool iofd_nest_device_left(struct iommufd_container *c, struct iommufd_device *dev);
/* A vIOMMU of c (one the program's objects keep alive) still holds domain d. */
bool iofd_nest_holds(struct iommufd_container *c, const struct iofd_domain *d);
/* free(): every nesting object, leaves first; the devices are detached already. */
void iofd_nest_free(struct iommufd_container *c);
/* c has nesting objects of its own (a vIOMMU, a vDEVICE, a stage-1 domain). */
bool iofd_nest_in_use(const struct iommufd_container *c);
/* iommufd_container_forget(): the records go, every object stays in the kernel. */
void iofd_nest_forget(struct iommufd_container *c);
/*
 * Live update (live_update.c): every container is on one list while it lives, so that
 * a context's containers can be found (the mapping that stops IOAS_CHANGE_PROCESS, a
 * second restore of one state). Registered once made, unregistered first thing in free.
 */
void iofd_container_register(struct iommufd_container *c);
void iofd_container_unregister(struct iommufd_container *c);
/* From container.c, for a restore and a forget: claim a device (it must be free and
 * unattached), hand one back without detaching it, drop a hold on the container. */
int iofd_container_claim_device(struct iommufd_container *c, struct iommufd_device *dev);
void iofd_container_release_member(struct iofd_member *m);
void iofd_container_put(struct iommufd_container *c);

/* Mappings (container_dma.c). */
/* The mapped IOVA as intervals (the carried set of a new domain made while tracking). */
int iofd_container_add_mapped(const struct iommufd_container *c, struct iofd_ranges *into);

#endif
