// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * How much the generated differential sequences test: each runs on the
 * simulator alone (on the host, no VM), and the interpreter counts the steps
 * that succeeded, the verbs that did, and the states worth reaching (a dirty
 * read that finds pages, a device leaving a tracking container, a domain
 * made while tracking). A sequence whose first steps fail turns the rest into
 * errors both sides agree on; this test fails when the set gets that weak.
 *
 *   scn_coverage          TAP: the minimums below, per machine
 *   scn_coverage --list   and a line per sequence
 *   scn_coverage --show vtd|mock obj|cont N   one sequence's transcript
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define NOBJ 150  /* as guest_diff runs them */
#define NCONT 80

/*
 * Minimums, a little under what the generator reaches today (README: vm):
 * a share of sequences that found dirty pages (machine B only: VT-d under
 * QEMU has no dirty tracking), the mean share of steps that succeed, and
 * each verb succeeding somewhere; for object sequences also the shares that
 * replace a device's attachment and that map or copy at an IOVA the kernel
 * chose, and a ceiling on success (the wrong steps must stay).
 */
#define MIN_CONT_DIRTY_PCT 80
#define MIN_CONT_UNPLUG_PCT 40
#define MIN_CONT_DOMAIN_PCT 40
#define MIN_CONT_OK_PCT 70
#define MIN_OBJ_OK_PCT 90
/* and at most: the steps wrong on purpose (one in eight in the loop) must stay */
#define MAX_OBJ_OK_PCT 97
#define MIN_OBJ_DIRTY_PCT 55
#define MIN_OBJ_REPLACE_PCT 85
#define MIN_OBJ_KERNEL_IOVA_PCT 70

struct seq {
	struct scn_stats st;
	unsigned verbs_ok;
};

struct summary {
	unsigned n, dirty, unplug, domain, replace, kernel_iova;
	double ok_ratio_sum;
	unsigned verbs_sum;
	unsigned verb_ok[SCN_NVERBS], verb_runs[SCN_NVERBS];
};

static unsigned tap_n, tap_failed;

static void tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %u - ", ok ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	tap_failed += !ok;
}

/* Run one script on a fresh simulated machine; false (said) if it went wrong. */
static bool run_one(enum scn_flavour f, const char *script, const char *what, struct seq *sq)
{
	struct scn_backend be = { .label = "sim", .flavour = f, .stats = &sq->st };
	struct scn_text out = { 0 };
	long live;
	int ret;
	unsigned v;

	memset(sq, 0, sizeof(*sq));
	if (iommufd_sim_new(scn_sim_topology(f), &be.sim)) {
		printf("# %s: sim topology: %s\n", what, iommufd_sim_last_error());
		return false;
	}
	if (iommufd_sim_open(be.sim, &be.ctx)) {
		iommufd_sim_free(be.sim);
		printf("# %s: sim open failed\n", what);
		return false;
	}
	ret = scn_run(&be, script, &out);
	iommufd_close(be.ctx);
	live = iommufd_sim_live_objects(be.sim);
	iommufd_sim_free(be.sim);
	if (ret)
		printf("# %s: script error %d:\n%s", what, ret, out.s ? out.s : "");
	if (live)
		printf("# %s: %ld simulated objects left\n", what, live);
	scn_text_free(&out);
	for (v = 0; v < SCN_NVERBS; v++)
		sq->verbs_ok += sq->st.verb_ok[v] != 0;
	return !ret && !live;
}

static void add(struct summary *s, const struct seq *sq)
{
	unsigned v;

	s->n++;
	s->dirty += sq->st.dirty_reads != 0;
	s->unplug += sq->st.unplug_tracking != 0;
	s->domain += sq->st.domain_tracking != 0;
	s->replace += sq->st.replaces != 0;
	s->kernel_iova += sq->st.kernel_iovas != 0;
	s->ok_ratio_sum += sq->st.steps ? (double)sq->st.ok / sq->st.steps : 0;
	s->verbs_sum += sq->verbs_ok;
	for (v = 0; v < SCN_NVERBS; v++) {
		s->verb_ok[v] += sq->st.verb_ok[v];
		s->verb_runs[v] += sq->st.verb_runs[v];
	}
}

static unsigned pct(unsigned a, unsigned n)
{
	return n ? a * 100 / n : 0;
}

static void report(const char *what, const struct summary *s)
{
	unsigned v;

	printf("# %s: %u sequences, mean %.0f%% of steps succeed, mean %.1f verbs succeed;"
	       " dirty pages read in %u%%, unplug while tracking in %u%%,"
	       " domain made while tracking in %u%%, replace in %u%%, kernel-chosen IOVA in %u%%\n"
	       "#   verbs ok/run:",
	       what, s->n, s->n ? 100 * s->ok_ratio_sum / s->n : 0.0,
	       s->n ? (double)s->verbs_sum / s->n : 0.0, pct(s->dirty, s->n),
	       pct(s->unplug, s->n), pct(s->domain, s->n), pct(s->replace, s->n),
	       pct(s->kernel_iova, s->n));
	for (v = 0; scn_verbs[v]; v++)
		if (s->verb_runs[v])
			printf(" %s %u/%u", scn_verbs[v], s->verb_ok[v], s->verb_runs[v]);
	printf("\n");
}

/* Every verb the generator uses must succeed somewhere (except those listed). */
static void check_verbs(const char *what, const struct summary *s, const char *const *never)
{
	unsigned v, k;

	for (v = 0; scn_verbs[v]; v++) {
		bool excused = false;

		for (k = 0; never[k]; k++)
			excused |= !strcmp(never[k], scn_verbs[v]);
		if (!s->verb_runs[v] || excused)
			continue;
		tap(s->verb_ok[v] > 0, "%s: %s succeeds somewhere (%u of %u)", what, scn_verbs[v],
		    s->verb_ok[v], s->verb_runs[v]);
	}
}

/* The nesting sequences (machine B), on the simulator imitating 7.3: they run, leave
 * nothing, and each of their verbs succeeds somewhere. */
#define NNESTED 60
static void measure_nested(bool list)
{
	static const char *const never[] = { NULL };
	struct summary s = { 0 };
	bool all_ran = true;
	char what[64];
	unsigned i;

	for (i = 0; i < NNESTED; i++) {
		struct scn_text gen = { 0 };
		struct seq sq;

		scn_generate_nested(SCN_MOCK, i, &gen);
		snprintf(what, sizeof(what), "mock nesting %u", i);
		all_ran &= run_one(SCN_MOCK, gen.s, what, &sq);
		scn_text_free(&gen);
		add(&s, &sq);
		if (list)
			printf("# %-18s steps %3u ok %3u verbs %2u\n", what, sq.st.steps, sq.st.ok,
			       sq.verbs_ok);
	}
	report("mock nesting", &s);
	tap(all_ran, "mock nesting: every sequence runs on the simulator and leaves nothing");
	check_verbs("mock nesting", &s, never);
}

static void measure(enum scn_flavour f, bool list)
{
	const char *fname = f == SCN_VTD ? "vtd" : "mock";
	/* VT-d under QEMU has no dirty tracking: no read can succeed there */
	static const char *const vtd_never[] = { "cread", "track", "bitmap", NULL };
	static const char *const mock_never[] = { NULL };
	static const char *const vtd_never_c[] = { "cread", "attach", "detach", NULL };
	static const char *const mock_never_c[] = { "attach", "detach", NULL };
	struct summary obj = { 0 }, cont = { 0 };
	bool all_ran = true;
	char what[64];
	unsigned i;

	for (i = 0; i < NOBJ + NCONT; i++) {
		struct scn_text gen = { 0 };
		bool c = i >= NOBJ;
		unsigned n = c ? i - NOBJ : i;
		struct seq sq;

		if (c)
			scn_generate_container(f, n, &gen);
		else
			scn_generate(f, n, &gen);
		snprintf(what, sizeof(what), "%s %s %u", fname, c ? "container" : "object", n);
		all_ran &= run_one(f, gen.s, what, &sq);
		scn_text_free(&gen);
		add(c ? &cont : &obj, &sq);
		if (list)
			printf("# %-18s steps %3u ok %3u verbs %2u dirty-read %u unplug-tracking %u"
			       " domain-tracking %u replace %u kernel-iova %u\n", what, sq.st.steps, sq.st.ok,
			       sq.verbs_ok, sq.st.dirty_reads, sq.st.unplug_tracking, sq.st.domain_tracking,
			       sq.st.replaces, sq.st.kernel_iovas);
	}
	snprintf(what, sizeof(what), "%s objects", fname);
	report(what, &obj);
	snprintf(what, sizeof(what), "%s containers", fname);
	report(what, &cont);

	tap(all_ran, "%s: every sequence runs on the simulator and leaves nothing", fname);
	tap(100 * obj.ok_ratio_sum / obj.n >= MIN_OBJ_OK_PCT &&
	    100 * obj.ok_ratio_sum / obj.n <= MAX_OBJ_OK_PCT,
	    "%s objects: mean success %.0f%% in %u..%u%%", fname, 100 * obj.ok_ratio_sum / obj.n,
	    MIN_OBJ_OK_PCT, MAX_OBJ_OK_PCT);
	tap(100 * cont.ok_ratio_sum / cont.n >= MIN_CONT_OK_PCT,
	    "%s containers: mean success %.0f%% >= %u%%", fname, 100 * cont.ok_ratio_sum / cont.n,
	    MIN_CONT_OK_PCT);
	tap(pct(obj.replace, obj.n) >= MIN_OBJ_REPLACE_PCT,
	    "%s objects: %u%% replace a device's attachment (min %u%%)", fname, pct(obj.replace, obj.n),
	    MIN_OBJ_REPLACE_PCT);
	tap(pct(obj.kernel_iova, obj.n) >= MIN_OBJ_KERNEL_IOVA_PCT,
	    "%s objects: %u%% map or copy at a kernel-chosen IOVA (min %u%%)", fname,
	    pct(obj.kernel_iova, obj.n), MIN_OBJ_KERNEL_IOVA_PCT);
	snprintf(what, sizeof(what), "%s objects", fname);
	check_verbs(what, &obj, f == SCN_VTD ? vtd_never : mock_never);
	snprintf(what, sizeof(what), "%s containers", fname);
	/* container sequences call attach and detach only to see them refused */
	check_verbs(what, &cont, f == SCN_VTD ? vtd_never_c : mock_never_c);
	if (f == SCN_VTD)
		return;
	measure_nested(list);
	tap(pct(obj.dirty, obj.n) >= MIN_OBJ_DIRTY_PCT, "%s objects: %u%% read dirty bits (min %u%%)",
	    fname, pct(obj.dirty, obj.n), MIN_OBJ_DIRTY_PCT);
	tap(pct(cont.dirty, cont.n) >= MIN_CONT_DIRTY_PCT,
	    "%s containers: %u%% read dirty pages (min %u%%)", fname, pct(cont.dirty, cont.n),
	    MIN_CONT_DIRTY_PCT);
	tap(pct(cont.unplug, cont.n) >= MIN_CONT_UNPLUG_PCT,
	    "%s containers: %u%% unplug a device while tracking (min %u%%)", fname,
	    pct(cont.unplug, cont.n), MIN_CONT_UNPLUG_PCT);
	tap(pct(cont.domain, cont.n) >= MIN_CONT_DOMAIN_PCT,
	    "%s containers: %u%% make a domain while tracking (min %u%%)", fname,
	    pct(cont.domain, cont.n), MIN_CONT_DOMAIN_PCT);
}

static int show(char **argv)
{
	enum scn_flavour f = strcmp(argv[0], "vtd") ? SCN_MOCK : SCN_VTD;
	struct scn_backend be = { .label = "sim", .flavour = f };
	struct scn_text gen = { 0 }, out = { 0 };
	unsigned n = (unsigned)atoi(argv[2]);

	if (!strcmp(argv[1], "nest"))
		scn_generate_nested(f, n, &gen);
	else if (strcmp(argv[1], "obj"))
		scn_generate_container(f, n, &gen);
	else
		scn_generate(f, n, &gen);
	if (iommufd_sim_new(scn_sim_topology(f), &be.sim) || iommufd_sim_open(be.sim, &be.ctx))
		return 1;
	scn_run(&be, gen.s, &out);
	iommufd_close(be.ctx);
	iommufd_sim_free(be.sim);
	printf("%s", out.s ? out.s : "");
	scn_text_free(&gen);
	scn_text_free(&out);
	return 0;
}

int main(int argc, char **argv)
{
	bool list = argc > 1 && !strcmp(argv[1], "--list");

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "--show"))
		return show(argv + 2);
	measure(SCN_VTD, list);
	measure(SCN_MOCK, list);
	printf("1..%u\n", tap_n);
	return tap_failed ? 1 : 0;
}
