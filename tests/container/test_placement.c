// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Domain placement: the seed's scenario, the same grouping whatever the
 * attach order, refusals known or asked once, mdevs on the IOAS, and the attach /
 * detach rules a VMM relies on (double attach, other containers, closing).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "helpers.h"
#include "objects/device.h"
#include "policy/container.h"

static const struct iommufd_domain_info *find_domain(const struct iommufd_domain_info *d, int n,
						     uint32_t hwpt_id)
{
	int i;

	for (i = 0; i < n; i++)
		if (d[i].hwpt_id == hwpt_id)
			return &d[i];
	return NULL;
}

static void seed_scenario_layout_and_status(void **state)
{
	struct iommufd_domain_info d[8];
	const struct iommufd_domain_info *a, *b, *s;
	const char *msg;
	char why[96];
	struct fx f;
	int i, n;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	for (i = 0; i < NDEVS; i++)
		fx_attach(&f, dev_names[i]);

	n = iommufd_container_domains(f.c, d, 8);
	assert_int_equal(n, 3);
	a = find_domain(d, n, iommufd_device_pt_id(fx_dev(&f, DEV_A0)));
	b = find_domain(d, n, iommufd_device_pt_id(fx_dev(&f, DEV_B0)));
	s = find_domain(d, n, iommufd_device_pt_id(fx_dev(&f, DEV_S0)));
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(s);
	/* dirty-capable dmar0 devices share a tracking domain */
	assert_int_equal(a->flags, IOMMUFD_DOMAIN_DIRTY_TRACKING);
	assert_int_equal(a->ndevices, 2);
	assert_int_equal(iommufd_device_pt_id(fx_dev(&f, DEV_A1)), a->hwpt_id);
	/* dmar1 has no dirty tracking: a plain domain of its own, never the tracking one */
	assert_int_equal(b->flags, 0);
	assert_int_equal(b->ndevices, 2);
	assert_int_equal(iommufd_device_pt_id(fx_dev(&f, DEV_B1)), b->hwpt_id);
	/* another driver: its own tracking domain */
	assert_int_equal(s->flags, IOMMUFD_DOMAIN_DIRTY_TRACKING);
	assert_int_equal(s->ndevices, 1);
	assert_int_not_equal(s->hwpt_id, a->hwpt_id);
	/* the mdev is on the IOAS itself, which is no domain */
	assert_int_equal(iommufd_device_pt_id(fx_dev(&f, DEV_M0)), iommufd_container_ioas_id(f.c));

	assert_int_equal(iommufd_container_dirty_status(f.c), 0);
	msg = iommufd_last_error(f.ctx);
	assert_non_null(strstr(msg, DEV_B0 " (IOMMU dmar1 has no dirty tracking)"));
	assert_non_null(strstr(msg, DEV_B1 " (IOMMU dmar1 has no dirty tracking)"));
	assert_non_null(strstr(msg, DEV_M0 " (emulated"));
	assert_null(strstr(msg, DEV_A0));
	assert_null(strstr(msg, DEV_S0));

	/* the same answer device by device */
	assert_int_equal(iommufd_container_device_covered(f.c, fx_dev(&f, DEV_A0), why,
							  sizeof(why)), 1);
	assert_string_equal(why, "covered");
	assert_int_equal(iommufd_container_device_covered(f.c, fx_dev(&f, DEV_S0), NULL, 0), 1);
	assert_int_equal(iommufd_container_device_covered(f.c, fx_dev(&f, DEV_B0), why,
							  sizeof(why)), 0);
	assert_string_equal(why, "IOMMU dmar1 has no dirty tracking");
	assert_int_equal(iommufd_container_device_covered(f.c, fx_dev(&f, DEV_M0), why,
							  sizeof(why)), 0);
	assert_non_null(strstr(why, "emulated"));

	/* without the uncovered devices every device is covered */
	assert_int_equal(iommufd_container_detach(f.c, fx_dev(&f, DEV_B0)), 0);
	assert_int_equal(iommufd_container_detach(f.c, fx_dev(&f, DEV_B1)), 0);
	assert_int_equal(iommufd_container_detach(f.c, fx_dev(&f, DEV_M0)), 0);
	assert_int_equal(iommufd_container_dirty_status(f.c), 1);
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 2);
	assert_int_equal(iommufd_container_device_covered(f.c, fx_dev(&f, DEV_B0), why,
							  sizeof(why)), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "not in container"));
	fx_fini(&f);
}

/* Heap's algorithm: every permutation of order[0..n). */
static void permutations(unsigned n, int *order, void (*fn)(const int *order, void *arg), void *arg)
{
	unsigned c[NDEVS] = { 0 }, i = 1;

	fn(order, arg);
	while (i < n) {
		if (c[i] < i) {
			int j = i % 2 ? c[i] : 0, t = order[j];

			order[j] = order[i];
			order[i] = t;
			fn(order, arg);
			c[i]++;
			i = 1;
		} else {
			c[i] = 0;
			i++;
		}
	}
}

struct order_case {
	uint32_t flags;
	bool with_mapping;
	char first[512];
	unsigned runs;
};

static void layout_for_order(const int *order, void *arg)
{
	struct order_case *oc = arg;
	char layout[512];
	struct fx f;
	int i;

	fx_init(&f, oc->flags);
	if (oc->with_mapping)
		fx_map(&f);
	for (i = 0; i < NDEVS; i++)
		fx_attach(&f, dev_names[order[i]]);
	fx_layout(&f, layout, sizeof(layout));
	if (!oc->runs++)
		snprintf(oc->first, sizeof(oc->first), "%s", layout);
	else if (strcmp(oc->first, layout))
		fail_msg("order %d%d%d%d%d%d gives\n  %s\nfirst order gave\n  %s", order[0], order[1],
			 order[2], order[3], order[4], order[5], layout, oc->first);
	fx_fini(&f);
}

static void every_attach_order_gives_the_same_grouping(void **state)
{
	static const uint32_t flags[] = {
		IOMMUFD_CONTAINER_DIRTY_TRACKING,
		0,
		IOMMUFD_CONTAINER_DIRTY_TRACKING | IOMMUFD_CONTAINER_NEST_PARENT,
	};
	static const char *const expect[] = {
		DEV_A0 "=" DEV_A0 "/dt;" DEV_A1 "=" DEV_A0 "/dt;" DEV_B0 "=" DEV_B0 "/-;" DEV_B1
		       "=" DEV_B0 "/-;" DEV_S0 "=" DEV_S0 "/dt;" DEV_M0 "=" DEV_M0 "/ioas;",
		/* without dirty tracking the VT-d units share one plain domain */
		DEV_A0 "=" DEV_A0 "/-;" DEV_A1 "=" DEV_A0 "/-;" DEV_B0 "=" DEV_A0 "/-;" DEV_B1
		       "=" DEV_A0 "/-;" DEV_S0 "=" DEV_S0 "/-;" DEV_M0 "=" DEV_M0 "/ioas;",
		/* the SMMU refuses nest parent with dirty tracking: nest parent only */
		DEV_A0 "=" DEV_A0 "/npdt;" DEV_A1 "=" DEV_A0 "/npdt;" DEV_B0 "=" DEV_B0 "/np-;" DEV_B1
		       "=" DEV_B0 "/np-;" DEV_S0 "=" DEV_S0 "/np-;" DEV_M0 "=" DEV_M0 "/ioas;",
	};
	unsigned k, m;

	for (k = 0; k < 3; k++) {
		for (m = 0; m < 2; m++) {
			struct order_case oc = { .flags = flags[k], .with_mapping = m };
			int order[NDEVS] = { 0, 1, 2, 3, 4, 5 };

			permutations(NDEVS, order, layout_for_order, &oc);
			assert_int_equal(oc.runs, 720);
			assert_string_equal(oc.first, expect[k]);
		}
	}
}

static void nest_parent_refusal_is_reported(void **state)
{
	const char *msg;
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING | IOMMUFD_CONTAINER_NEST_PARENT);
	fx_attach(&f, DEV_A0);
	fx_attach(&f, DEV_S0);
	assert_int_equal(iommufd_container_dirty_status(f.c), 0);
	msg = iommufd_last_error(f.ctx);
	assert_non_null(strstr(msg, DEV_S0 " (IOMMU smmu0 refuses NEST_PARENT with DIRTY_TRACKING)"));
	assert_null(strstr(msg, DEV_A0));
	fx_fini(&f);
}

/* Counts failed VFIO attaches in the trace. */
static void count_einval(void *arg, int level, const char *msg)
{
	if (level == IOMMUFD_LOG_TRACE && strstr(msg, "VFIO_ATTACH_IOMMUFD_PT") &&
	    strstr(msg, "= -22"))
		(*(unsigned *)arg)++;
}

static unsigned count_refusals(struct iommufd_container *c)
{
	struct iofd_list *pos;
	unsigned n = 0;

	iofd_list_for_each(pos, &c->refusals)
		n++;
	return n;
}

/* Another driver's domain, or another SMMU's: the kernel's rules answer, nothing is asked. */
static void a_domain_known_to_refuse_is_not_asked(void **state)
{
	unsigned fails = 0;
	struct fx f;

	fx_init(&f, 0);
	iommufd_set_log(f.ctx, count_einval, &fails);
	/* the SMMU domain comes first, so every VT-d device meets it first */
	fx_attach(&f, DEV_S0);
	fx_attach(&f, DEV_A0);
	fx_attach(&f, DEV_A1);
	fx_attach(&f, DEV_B0);
	fx_attach(&f, DEV_B1);
	assert_int_equal(fails, 0);
	assert_int_equal(count_refusals(f.c), 0);
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 2);
	iommufd_set_log(f.ctx, NULL, NULL);
	fx_fini(&f);
}

/*
 * VT-d units share domains as far as the domain's state allows (6.12: the
 * highest IOVA it ever mapped must fit the unit's width), which the library
 * cannot see: it asks, and remembers a refusal per domain and IOMMU.
 */
static const char narrow_topology[] =
	"{ \"iommus\": ["
	"  { \"name\": \"dmar0\", \"driver\": \"intel-vtd\", \"iova_bits\": 48 },"
	"  { \"name\": \"dmar2\", \"driver\": \"intel-vtd\", \"iova_bits\": 39 } ],"
	"  \"devices\": ["
	"  { \"name\": \"wide0\", \"iommu\": \"dmar0\" },"
	"  { \"name\": \"narrow0\", \"iommu\": \"dmar2\" },"
	"  { \"name\": \"narrow1\", \"iommu\": \"dmar2\" } ] }";

static void a_refusing_domain_is_asked_once_per_iommu(void **state)
{
	struct iommufd_device *wide, *n0, *n1;
	struct iommufd_container *c;
	struct iommufd_ctx *ctx;
	struct iommufd_sim *sim;
	unsigned fails = 0;
	void *mem;

	mem = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mem != MAP_FAILED);
	assert_int_equal(iommufd_sim_new(narrow_topology, &sim), 0);
	assert_int_equal(iommufd_sim_open(sim, &ctx), 0);
	assert_int_equal(iommufd_device_open(ctx, "wide0", &wide), 0);
	assert_int_equal(iommufd_device_open(ctx, "narrow0", &n0), 0);
	assert_int_equal(iommufd_device_open(ctx, "narrow1", &n1), 0);
	assert_int_equal(iommufd_container_new(ctx, 0, &c), 0);
	iommufd_set_log(ctx, count_einval, &fails);
	/* the wide unit's domain once mapped above 2^39: no longer for the narrow unit */
	assert_int_equal(iommufd_container_attach(c, wide), 0);
	assert_int_equal(iommufd_container_map(c, mem, 1ULL << 40, PAGE, false), 0);
	assert_int_equal(iommufd_container_unmap(c, 1ULL << 40, PAGE), 0);
	assert_int_equal(iommufd_container_attach(c, n0), 0); /* refused: remembered for dmar2 */
	assert_int_equal(fails, 1);
	assert_int_equal(iommufd_container_attach(c, n1), 0); /* not asked again */
	assert_int_equal(fails, 1);
	assert_int_equal(count_refusals(c), 1);
	assert_int_equal(iommufd_container_domains(c, NULL, 0), 2);
	assert_int_equal(iommufd_device_pt_id(n0), iommufd_device_pt_id(n1));

	/* the refusals go with their domain (its id may come back for another) */
	assert_int_equal(iommufd_container_detach(c, wide), 0);
	assert_int_equal(count_refusals(c), 0);
	iommufd_set_log(ctx, NULL, NULL);
	iommufd_container_free(c);
	iommufd_device_close(wide);
	iommufd_device_close(n0);
	iommufd_device_close(n1);
	iommufd_close(ctx);
	iommufd_sim_free(sim);
	munmap(mem, PAGE);
}

static void mdev_attaches_to_the_ioas(void **state)
{
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING | IOMMUFD_CONTAINER_NEST_PARENT);
	fx_map(&f);
	fx_attach(&f, DEV_M0);
	assert_int_equal(iommufd_device_pt_id(fx_dev(&f, DEV_M0)), iommufd_container_ioas_id(f.c));
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 0);
	/* it reaches the memory through the IOAS */
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_M0, MEM_IOVA, PAGE), 0);
	assert_int_equal(iommufd_container_detach(f.c, fx_dev(&f, DEV_M0)), 0);
	assert_int_equal(iommufd_device_pt_id(fx_dev(&f, DEV_M0)), 0);
	fx_fini(&f);
}

static void a_device_the_kernel_gives_no_domain_uses_the_ioas(void **state)
{
	struct iommufd_device *dev;
	struct fx f;

	/*
	 * sysfs tells only mdevs apart; a device of another bus may still be
	 * bound by VFIO as an emulated one (an iommufd access, no device object):
	 * the kernel answers ENOENT for its dev_id, and it goes to the IOAS.
	 */
	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_map(&f);
	dev = fx_dev(&f, DEV_M0);
	dev->info.emulated = false;
	fx_attach(&f, DEV_M0);
	assert_int_equal(iommufd_device_pt_id(dev), iommufd_container_ioas_id(f.c));
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_M0, MEM_IOVA, PAGE), 0);
	assert_int_equal(iommufd_container_dirty_status(f.c), 0);
	assert_non_null(strstr(iommufd_last_error(f.ctx), DEV_M0 " (no IOMMU domain of its own"));
	fx_fini(&f);
}

static void attaching_twice_changes_nothing(void **state)
{
	struct fx_state before, after;
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_map(&f);
	fx_attach(&f, DEV_A0);
	fx_attach(&f, DEV_M0);
	assert_int_equal(iommufd_container_set_dirty_tracking(f.c, true), 0);
	fx_snapshot(&f, &before);
	assert_int_equal(iommufd_container_attach(f.c, fx_dev(&f, DEV_A0)), 0);
	assert_int_equal(iommufd_container_attach(f.c, fx_dev(&f, DEV_M0)), 0);
	fx_snapshot(&f, &after);
	fx_assert_same(&before, &after);
	fx_fini(&f);
}

static void a_device_of_another_container_is_busy(void **state)
{
	struct iommufd_container *other;
	struct fx_state before, after;
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	assert_int_equal(iommufd_container_new(f.ctx, 0, &other), 0);
	assert_int_equal(iommufd_container_attach(other, fx_dev(&f, DEV_A0)), 0);
	fx_attach(&f, DEV_A1);
	fx_snapshot(&f, &before);

	assert_int_equal(iommufd_container_attach(f.c, fx_dev(&f, DEV_A0)), -EBUSY);
	assert_non_null(strstr(iommufd_last_error(f.ctx), DEV_A0));
	assert_non_null(strstr(iommufd_last_error(f.ctx), "another container"));
	/* nor can this container detach it */
	assert_int_equal(iommufd_container_detach(f.c, fx_dev(&f, DEV_A0)), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "not in container"));
	/* nor can anyone move it behind the container's back */
	assert_int_equal(iommufd_device_attach_pt(fx_dev(&f, DEV_A0), iommufd_container_ioas_id(f.c)),
			 -EBUSY);
	fx_snapshot(&f, &after);
	fx_assert_same(&before, &after);
	assert_int_equal(iommufd_container_domains(other, NULL, 0), 1);

	/* once the other container lets it go, it may join this one */
	iommufd_container_free(other);
	assert_int_equal(iommufd_device_pt_id(fx_dev(&f, DEV_A0)), 0);
	fx_attach(&f, DEV_A0);
	assert_int_equal(iommufd_device_pt_id(fx_dev(&f, DEV_A0)),
			 iommufd_device_pt_id(fx_dev(&f, DEV_A1)));
	fx_fini(&f);
}

static void a_directly_attached_device_is_busy(void **state)
{
	uint32_t ioas;
	struct fx f;

	fx_init(&f, 0);
	assert_int_equal(iommufd_ioas_alloc(f.ctx, &ioas), 0);
	assert_int_equal(iommufd_device_attach_pt(fx_dev(&f, DEV_A0), ioas), 0);
	assert_int_equal(iommufd_container_attach(f.c, fx_dev(&f, DEV_A0)), -EBUSY);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "directly"));
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 0);
	/* the device was not claimed: it can still be moved directly */
	assert_int_equal(iommufd_device_detach_pt(fx_dev(&f, DEV_A0)), 0);
	fx_attach(&f, DEV_A0);
	assert_int_equal(iommufd_container_detach(f.c, fx_dev(&f, DEV_A0)), 0);
	assert_int_equal(iommufd_destroy(f.ctx, ioas), 0);
	fx_fini(&f);
}

static void a_device_of_another_context_is_refused(void **state)
{
	struct iommufd_ctx *ctx2;
	struct iommufd_container *c2;
	struct fx f;

	fx_init(&f, 0);
	assert_int_equal(iommufd_sim_open(f.sim, &ctx2), 0);
	assert_int_equal(iommufd_container_new(ctx2, 0, &c2), 0);
	assert_int_equal(iommufd_container_attach(c2, fx_dev(&f, DEV_A0)), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(ctx2), "another context"));
	assert_int_equal(iommufd_device_pt_id(fx_dev(&f, DEV_A0)), 0);
	iommufd_container_free(c2);
	iommufd_close(ctx2);
	fx_fini(&f);
}

static void detach_rules(void **state)
{
	struct iommufd_domain_info d[4];
	struct fx_state before, after;
	long objs;
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_attach(&f, DEV_A0);
	fx_attach(&f, DEV_A1);
	objs = iommufd_sim_live_objects(f.sim);

	/* a device never attached, NULL */
	fx_snapshot(&f, &before);
	assert_int_equal(iommufd_container_detach(f.c, fx_dev(&f, DEV_B0)), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), DEV_B0));
	assert_int_equal(iommufd_container_detach(f.c, NULL), -EINVAL);
	fx_snapshot(&f, &after);
	fx_assert_same(&before, &after);

	/* not the last device: the domain stays */
	assert_int_equal(iommufd_container_detach(f.c, fx_dev(&f, DEV_A0)), 0);
	assert_int_equal(iommufd_device_pt_id(fx_dev(&f, DEV_A0)), 0);
	assert_int_equal(iommufd_container_domains(f.c, d, 4), 1);
	assert_int_equal(d[0].ndevices, 1);
	assert_int_equal(iommufd_sim_live_objects(f.sim), objs);
	/* twice: an error, nothing changes */
	assert_int_equal(iommufd_container_detach(f.c, fx_dev(&f, DEV_A0)), -EINVAL);
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 1);
	/* the last device: the domain is destroyed in the kernel and forgotten */
	assert_int_equal(iommufd_container_detach(f.c, fx_dev(&f, DEV_A1)), 0);
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 0);
	assert_int_equal(iommufd_sim_live_objects(f.sim), objs - 1);
	fx_fini(&f);
}

static void closing_a_device_detaches_it_through_the_container(void **state)
{
	struct fx f;
	int i;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_attach(&f, DEV_S0);
	fx_attach(&f, DEV_M0);
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 1);
	i = fx_index(DEV_S0);
	iommufd_device_close(f.dev[i]);
	f.dev[i] = NULL;
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 0);
	i = fx_index(DEV_M0);
	iommufd_device_close(f.dev[i]);
	f.dev[i] = NULL;
	assert_int_equal(iommufd_container_dirty_status(f.c), 1);
	/* two devices unbound: two objects fewer than the baseline */
	f.base_objects -= 2;
	fx_fini(&f);
}

static void free_releases_everything(void **state)
{
	struct fx f;
	int i;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_map(&f);
	for (i = 0; i < NDEVS; i++)
		fx_attach(&f, dev_names[i]);
	assert_int_equal(iommufd_container_set_dirty_tracking(f.c, true), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA, PAGE), 0);
	iommufd_container_free(f.c);
	f.c = NULL;
	assert_int_equal(iommufd_sim_live_objects(f.sim), f.base_objects);
	for (i = 0; i < NDEVS; i++)
		assert_int_equal(iommufd_device_pt_id(f.dev[i]), 0);
	/* and the devices are free to go elsewhere */
	assert_int_equal(iommufd_container_new(f.ctx, 0, &f.c), 0);
	fx_attach(&f, DEV_A0);
	fx_fini(&f);
}

static void bad_arguments(void **state)
{
	struct iommufd_container *c;
	struct fx f;

	fx_init(&f, 0);
	assert_int_equal(iommufd_container_new(f.ctx, 1u << 7, &c), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "unknown flags"));
	assert_null(c);
	assert_int_equal(iommufd_container_new(NULL, 0, &c), -EINVAL);
	assert_int_equal(iommufd_container_new(f.ctx, 0, NULL), -EINVAL);
	assert_int_equal(iommufd_container_attach(NULL, fx_dev(&f, DEV_A0)), -EINVAL);
	assert_int_equal(iommufd_container_attach(f.c, NULL), -EINVAL);
	assert_int_equal(iommufd_container_domains(f.c, NULL, 3), -EINVAL);
	assert_int_equal(iommufd_container_domains(NULL, NULL, 0), -EINVAL);
	assert_int_equal(iommufd_container_dirty_status(NULL), -EINVAL);
	assert_int_equal(iommufd_container_ioas_id(NULL), 0);
	iommufd_container_free(NULL);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seed_scenario_layout_and_status),
		cmocka_unit_test(every_attach_order_gives_the_same_grouping),
		cmocka_unit_test(nest_parent_refusal_is_reported),
		cmocka_unit_test(a_domain_known_to_refuse_is_not_asked),
		cmocka_unit_test(a_refusing_domain_is_asked_once_per_iommu),
		cmocka_unit_test(mdev_attaches_to_the_ioas),
		cmocka_unit_test(a_device_the_kernel_gives_no_domain_uses_the_ioas),
		cmocka_unit_test(attaching_twice_changes_nothing),
		cmocka_unit_test(a_device_of_another_container_is_busy),
		cmocka_unit_test(a_directly_attached_device_is_busy),
		cmocka_unit_test(a_device_of_another_context_is_refused),
		cmocka_unit_test(detach_rules),
		cmocka_unit_test(closing_a_device_detaches_it_through_the_container),
		cmocka_unit_test(free_releases_everything),
		cmocka_unit_test(bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
