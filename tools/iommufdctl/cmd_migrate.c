// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommufdctl migrate: the dirty-page harvest loop of a VMM's live migration.
 * Map guest memory, start dirty tracking, read-and-clear the bitmap in rounds until the dirty
 * set is small enough for the final stop-and-copy, stop tracking, tear down.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "container_setup.h"

enum {
	OPT_MEMORY = OPT_CMD_BASE,
	OPT_IOVA,
	OPT_THRESHOLD,
	OPT_MAX_ROUNDS,
	OPT_INTERVAL,
	OPT_DMA_RATE,
	OPT_DMA_DECAY,
	OPT_WORKING_SET,
	OPT_SEED,
	OPT_NEST,
};

#define MAX_MEMORY (1ull << 40)
#define BAR_WIDTH 30

static const struct opt_def migrate_opts[] = {
	{ "memory", 'm', OPT_ARG_REQUIRED, OPT_MEMORY, "SIZE",
	  "guest memory to map and track (default 256M; K, M, G, T suffixes)" },
	{ "iova", 0, OPT_ARG_REQUIRED, OPT_IOVA, "ADDR",
	  "where to map it (default: the first allowed IOVA range that holds it)" },
	{ "threshold", 0, OPT_ARG_REQUIRED, OPT_THRESHOLD, "PAGES",
	  "converged when a round finds fewer dirty pages than this (default 64)" },
	{ "max-rounds", 0, OPT_ARG_REQUIRED, OPT_MAX_ROUNDS, "N",
	  "give up after N rounds (default 30)" },
	{ "interval", 0, OPT_ARG_REQUIRED, OPT_INTERVAL, "MS",
	  "wait between rounds (default 0 with generated DMA, else 100)" },
	{ "dma-rate", 0, OPT_ARG_REQUIRED, OPT_DMA_RATE, "PAGES",
	  "simulator: pages the devices write in round 1 (default 8192)" },
	{ "dma-decay", 0, OPT_ARG_REQUIRED, OPT_DMA_DECAY, "PERCENT",
	  "simulator: each round writes this percent of the last (default 50)" },
	{ "working-set", 0, OPT_ARG_REQUIRED, OPT_WORKING_SET, "SIZE",
	  "simulator: the DMA writes within the first SIZE of memory (default 64M)" },
	{ "seed", 0, OPT_ARG_REQUIRED, OPT_SEED, "N",
	  "simulator: seed of the DMA's page choice (default 1)" },
	{ "nest-parent", 0, OPT_ARG_NONE, OPT_NEST, NULL,
	  "make the domains nesting parents (for a vIOMMU)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

struct migrate_opts {
	uint64_t memory;
	uint64_t iova;
	bool iova_set;
	uint64_t threshold;
	uint64_t max_rounds;
	uint64_t interval_ms;
	bool interval_set;
	uint64_t dma_rate;
	uint64_t dma_decay;
	uint64_t working_set;
	bool dma_opts_set;
	uint64_t seed;
	uint32_t flags;
};

/* Where the dirty pages come from. */
enum dma_source {
	DMA_DEVICES,	/* real devices doing their own DMA: we only read */
	DMA_SIM,	/* iommufd_sim_dma_write() */
	DMA_SELFTEST,	/* the kernel's mock devices: iommufd_selftest_dirty() */
};

static const char *const dma_source_names[] = { "devices", "simulator", "selftest" };

struct round {
	uint64_t dma_writes;	/* page writes issued (generated DMA) */
	uint64_t written;	/* distinct pages they hit */
	uint64_t found;		/* dirty pages the read reported */
	uint64_t lost;		/* written but not reported */
	uint64_t extra;		/* reported but not written */
	double round_ms;
	double read_ms;
};

struct migration {
	struct cli *cli;
	struct migrate_opts *o;
	struct setup *s;
	enum dma_source source;
	struct iommufd_device **writers;
	unsigned nwriters;
	void *mem;
	uint64_t iova;
	uint64_t npages;
	uint64_t *bitmap;	/* what the read reported */
	uint64_t *expected;	/* what the generated DMA wrote */
	size_t words;
	struct round *rounds;
	unsigned nrounds;
	bool converged;
	bool interrupted;
	double total_ms;
	bool tty;
	uint64_t bar_max;
	uint64_t rng;
};

static volatile sig_atomic_t stop_requested;

static void on_sigint(int sig)
{
	stop_requested = 1;
}

static int on_opt(void *arg, int id, const char *val)
{
	struct migrate_opts *o = arg;
	bool ok = true;

	switch (id) {
	case OPT_MEMORY:
		ok = parse_size(val, &o->memory) && o->memory && !(o->memory % PAGE_4K) &&
		     o->memory <= MAX_MEMORY;
		if (!ok)
			cli_err("--memory '%s': a size, a multiple of 4K, at most 1T", val);
		break;
	case OPT_IOVA:
		ok = parse_u64(val, 0, UINT64_MAX, &o->iova) && !(o->iova % PAGE_4K);
		o->iova_set = true;
		if (!ok)
			cli_err("--iova '%s': an address aligned to 4K", val);
		break;
	case OPT_THRESHOLD:
		ok = parse_u64(val, 0, UINT32_MAX, &o->threshold);
		if (!ok)
			cli_err("--threshold '%s': a number of pages", val);
		break;
	case OPT_MAX_ROUNDS:
		ok = parse_u64(val, 1, 100000, &o->max_rounds);
		if (!ok)
			cli_err("--max-rounds '%s': a number from 1 to 100000", val);
		break;
	case OPT_INTERVAL:
		ok = parse_u64(val, 0, 3600 * 1000, &o->interval_ms);
		o->interval_set = true;
		if (!ok)
			cli_err("--interval '%s': milliseconds", val);
		break;
	case OPT_DMA_RATE:
		ok = parse_u64(val, 0, UINT32_MAX, &o->dma_rate);
		o->dma_opts_set = true;
		if (!ok)
			cli_err("--dma-rate '%s': a number of pages", val);
		break;
	case OPT_DMA_DECAY:
		ok = parse_u64(val, 0, 100, &o->dma_decay);
		o->dma_opts_set = true;
		if (!ok)
			cli_err("--dma-decay '%s': a percentage from 0 to 100", val);
		break;
	case OPT_WORKING_SET:
		ok = parse_size(val, &o->working_set) && o->working_set &&
		     !(o->working_set % PAGE_4K);
		o->dma_opts_set = true;
		if (!ok)
			cli_err("--working-set '%s': a size, a multiple of 4K", val);
		break;
	case OPT_SEED:
		ok = parse_u64(val, 0, UINT64_MAX, &o->seed);
		if (!ok)
			cli_err("--seed '%s': a number", val);
		break;
	case OPT_NEST:
		o->flags |= IOMMUFD_CONTAINER_NEST_PARENT;
		break;
	default:
		ok = false;
	}
	return ok ? EXIT_OK : EXIT_USAGE;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* xorshift64*: reproducible page choices for a given --seed */
static uint64_t next_random(struct migration *m)
{
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 0x2545f4914f6cdd1dull;
}

static uint64_t popcount_words(const uint64_t *w, size_t n)
{
	uint64_t c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		c += __builtin_popcountll(w[i]);
	return c;
}

/* Who writes, on this kernel: every physical device on the simulator, mock devices on a real one. */
static void choose_source(struct migration *m)
{
	struct setup *s = m->s;
	unsigned i;

	m->source = DMA_DEVICES;
	for (i = 0; i < s->ndevs; i++) {
		if (s->devs[i].emulated)
			continue;
		if (m->cli->simulated) {
			m->source = DMA_SIM;
		} else if (!strncmp(s->devs[i].arg, "selftest", 8)) {
			m->source = DMA_SELFTEST;
		} else {
			continue;
		}
		m->writers[m->nwriters++] = s->devs[i].dev;
	}
	if (m->source == DMA_SELFTEST && m->nwriters != s->ndevs)
		cli_warn("only the selftest devices write; the others do their own DMA");
	if (m->source == DMA_DEVICES && m->o->dma_opts_set)
		cli_warn("--dma-rate, --dma-decay and --working-set apply to the simulator only: "
			 "on the real kernel the devices do their own DMA");
}

/* The first allowed IOVA range that holds the memory, preferring 2M alignment (huge pages). */
static int choose_iova(struct migration *m)
{
	struct iommufd_iova_range *r = NULL, *tmp;
	uint64_t align, start, len = m->o->memory;
	unsigned cap = 8, i, pass;
	int n;

	for (;;) {
		tmp = realloc(r, cap * sizeof(*r));
		if (!tmp) {
			free(r);
			return cli_fail_errno(m->cli, -ENOMEM, "IOVA ranges");
		}
		r = tmp;
		n = iommufd_ioas_iova_ranges(m->cli->ctx, m->s->ioas_id, r, cap, &align);
		if (n < 0) {
			free(r);
			return cli_fail(m->cli, n, "IOVA ranges of IOAS %u", m->s->ioas_id);
		}
		if ((unsigned)n <= cap)
			break;
		cap = n;
	}
	if (align < PAGE_4K)
		align = PAGE_4K;
	for (pass = 0; pass < 2; pass++) {
		uint64_t a = pass == 0 && align < (2ull << 20) ? 2ull << 20 : align;

		for (i = 0; i < (unsigned)n; i++) {
			if (r[i].start > UINT64_MAX - (a - 1))
				continue;
			start = (r[i].start + a - 1) & ~(a - 1);
			if (start <= r[i].last && r[i].last - start >= len - 1) {
				m->iova = start;
				free(r);
				return EXIT_OK;
			}
		}
	}
	free(r);
	return cli_fail_msg(m->cli, "no allowed IOVA range of IOAS %u holds %" PRIu64 " bytes",
			    m->s->ioas_id, len);
}

/* One round's DMA: writes spread over the writers, each at a random page of the working set. */
static int generate_dma(struct migration *m, uint64_t writes, struct round *rd)
{
	uint64_t ws_pages = m->o->working_set / PAGE_4K, i, page, iova;
	struct iommufd_device *dev;
	int ret;

	if (ws_pages > m->npages)
		ws_pages = m->npages;
	memset(m->expected, 0, m->words * sizeof(uint64_t));
	for (i = 0; i < writes; i++) {
		page = next_random(m) % ws_pages;
		iova = m->iova + page * PAGE_4K;
		dev = m->writers[i % m->nwriters];
		if (m->source == DMA_SIM)
			ret = iommufd_sim_dma_write(m->cli->sim, iommufd_device_name(dev), iova,
						    PAGE_4K);
		else
			ret = iommufd_selftest_dirty(dev, iova, PAGE_4K);
		/* Success may be a count (the selftest gives the mock pages it marked). */
		if (ret < 0 && m->source == DMA_SIM) /* the simulator leaves no message */
			return cli_fail_errno(m->cli, ret, "simulator DMA write by %s at iova 0x%" PRIx64,
					      iommufd_device_name(dev), iova);
		if (ret < 0)
			return cli_fail(m->cli, ret, "selftest DMA write by %s at iova 0x%" PRIx64,
					iommufd_device_name(dev), iova);
		m->expected[page / 64] |= 1ull << (page % 64);
	}
	rd->dma_writes = writes;
	rd->written = popcount_words(m->expected, m->words);
	return EXIT_OK;
}

static void wait_interval(struct migration *m, unsigned round)
{
	double end = now_ms() + (double)m->o->interval_ms;
	struct timespec step = { 0, 20 * 1000 * 1000 };
	double left;

	while (!stop_requested && (left = end - now_ms()) > 0) {
		if (m->tty) {
			printf("\r\033[K  round %u: tracking, next read in %.0f ms (Ctrl-C stops)",
			       round, left);
			fflush(stdout);
		}
		if (left < 20)
			step.tv_nsec = (long)(left * 1e6);
		nanosleep(&step, NULL);
	}
	if (m->tty) {
		printf("\r\033[K");
		fflush(stdout);
	}
}

static void print_round(struct migration *m, unsigned idx, const struct round *rd)
{
	double mib = (double)(rd->found * PAGE_4K) / (1 << 20);
	double rate = rd->round_ms > 0 ? mib / (rd->round_ms / 1e3) : 0;
	int bar, i;

	if (idx == 0)
		printf("%5s  %11s  %9s  %9s  %8s  %11s%s\n", "round", "dirty pages", "dirty MiB",
		       "round ms", "read ms", "dirty MiB/s",
		       m->source == DMA_DEVICES ? "" : "  DMA pages");
	printf("%5u  %11" PRIu64 "  %9.1f  %9.2f  %8.2f  %11.1f", idx + 1, rd->found, mib,
	       rd->round_ms, rd->read_ms, rate);
	if (m->source != DMA_DEVICES)
		printf("  %9" PRIu64, rd->written);
	if (m->tty) {
		/* The bar shows how the dirty set shrinks towards convergence. */
		if (rd->found > m->bar_max)
			m->bar_max = rd->found;
		bar = m->bar_max ? (int)((rd->found * BAR_WIDTH + m->bar_max - 1) / m->bar_max) : 0;
		printf("  ");
		for (i = 0; i < bar; i++)
			putchar('#');
	}
	putchar('\n');
	fflush(stdout);
}

static int run_rounds(struct migration *m)
{
	struct migrate_opts *o = m->o;
	uint64_t writes = o->dma_rate;
	struct round *rd;
	double t_round, t_read, t_start = now_ms();
	unsigned r;
	int ret;

	for (r = 0; r < o->max_rounds && !stop_requested; r++) {
		rd = &m->rounds[r];
		t_round = now_ms();
		if (m->source != DMA_DEVICES) {
			ret = generate_dma(m, writes, rd);
			if (ret)
				return ret;
			writes = writes * o->dma_decay / 100;
		}
		if (o->interval_ms)
			wait_interval(m, r + 1);
		if (stop_requested)
			break;

		memset(m->bitmap, 0, m->words * sizeof(uint64_t));
		t_read = now_ms();
		ret = iommufd_container_read_dirty(m->s->c, m->iova, o->memory, PAGE_4K,
						   m->bitmap, 0);
		rd->read_ms = now_ms() - t_read;
		rd->round_ms = now_ms() - t_round;
		if (ret < 0)
			return cli_fail(m->cli, ret, "read dirty bitmap (round %u)", r + 1);
		rd->found = popcount_words(m->bitmap, m->words);
		if ((uint64_t)ret != rd->found)
			cli_warn("round %u: read_dirty said %d pages, the bitmap holds %" PRIu64,
				 r + 1, ret, rd->found);
		if (m->source != DMA_DEVICES) {
			size_t i;

			for (i = 0; i < m->words; i++) {
				rd->lost += __builtin_popcountll(m->expected[i] & ~m->bitmap[i]);
				rd->extra += __builtin_popcountll(m->bitmap[i] & ~m->expected[i]);
			}
		}
		m->nrounds = r + 1;
		if (!m->cli->json)
			print_round(m, r, rd);
		if (rd->found < o->threshold) {
			m->converged = true;
			break;
		}
	}
	m->interrupted = stop_requested;
	m->total_ms = now_ms() - t_start;
	return EXIT_OK;
}

struct totals {
	uint64_t found, written, lost, extra;
	double read_ms;
};

static void sum_rounds(const struct migration *m, struct totals *t)
{
	unsigned r;

	memset(t, 0, sizeof(*t));
	for (r = 0; r < m->nrounds; r++) {
		t->found += m->rounds[r].found;
		t->written += m->rounds[r].written;
		t->lost += m->rounds[r].lost;
		t->extra += m->rounds[r].extra;
		t->read_ms += m->rounds[r].read_ms;
	}
}

static void print_plan(const struct migration *m)
{
	const struct migrate_opts *o = m->o;
	char mem[32], ws[32];

	printf("memory: %s at iova 0x%" PRIx64 " (%" PRIu64 " pages of 4 KiB), threshold %" PRIu64
	       " pages, at most %" PRIu64 " rounds\n", format_size(o->memory, mem, sizeof(mem)),
	       m->iova, m->npages, o->threshold, o->max_rounds);
	if (m->source == DMA_DEVICES)
		printf("DMA: the devices' own (nothing is generated)\n");
	else
		printf("DMA: %s, %" PRIu64 " page writes in round 1, then %" PRIu64
		       "%% of the last, within %s\n",
		       m->source == DMA_SIM ? "simulated" : "kernel selftest", o->dma_rate,
		       o->dma_decay, format_size(o->working_set < o->memory ? o->working_set :
						 o->memory, ws, sizeof(ws)));
}

static void print_summary(const struct migration *m)
{
	const struct round *last = m->nrounds ? &m->rounds[m->nrounds - 1] : NULL;
	char a[32], b[32];
	struct totals t;

	sum_rounds(m, &t);
	if (m->interrupted)
		printf("interrupted after %u round%s\n", m->nrounds, m->nrounds == 1 ? "" : "s");
	else if (m->converged)
		printf("converged after %u round%s: %" PRIu64 " pages (%s) left for the "
		       "stop-and-copy phase (threshold %" PRIu64 ")\n", m->nrounds,
		       m->nrounds == 1 ? "" : "s", last->found,
		       format_size(last->found * PAGE_4K, a, sizeof(a)), m->o->threshold);
	else
		printf("did not converge in %u rounds: %" PRIu64 " pages (%s) still dirty in "
		       "the last round (threshold %" PRIu64 ")\n", m->nrounds,
		       last ? last->found : 0,
		       format_size((last ? last->found : 0) * PAGE_4K, a, sizeof(a)),
		       m->o->threshold);
	printf("total: %" PRIu64 " dirty pages (%s) in %.1f ms; bitmap reads %.2f ms, "
	       "%.1f MiB/s\n", t.found, format_size(t.found * PAGE_4K, b, sizeof(b)), m->total_ms,
	       t.read_ms, m->total_ms > 0 ?
	       (double)(t.found * PAGE_4K) / (1 << 20) / (m->total_ms / 1e3) : 0.0);
	if (m->source != DMA_DEVICES) {
		printf("%s DMA: %" PRIu64 " pages written, %" PRIu64 " found", m->source == DMA_SIM ?
		       "simulated" : "selftest", t.written, t.found);
		if (t.lost)
			printf(", %" PRIu64 " LOST", t.lost);
		if (t.extra)
			printf(", %" PRIu64 " reported but not written", t.extra);
		printf("\n");
	}
}

static void json_run(const struct migration *m, struct jw *w)
{
	const struct migrate_opts *o = m->o;
	bool gen = m->source != DMA_DEVICES;
	const struct round *rd;
	struct totals t;
	unsigned r;

	jw_key(w, "memory");
	jw_obj_begin(w);
	jw_ku64(w, "bytes", o->memory);
	jw_ku64(w, "iova", m->iova);
	jw_ku64(w, "page_size", PAGE_4K);
	jw_ku64(w, "pages", m->npages);
	jw_obj_end(w);
	jw_key(w, "dma");
	jw_obj_begin(w);
	jw_kstr(w, "source", dma_source_names[m->source]);
	if (gen) {
		jw_ku64(w, "rate_pages", o->dma_rate);
		jw_ku64(w, "decay_percent", o->dma_decay);
		jw_ku64(w, "working_set_bytes",
			o->working_set < o->memory ? o->working_set : o->memory);
		jw_ku64(w, "seed", o->seed);
	}
	jw_obj_end(w);
	jw_ku64(w, "threshold_pages", o->threshold);
	jw_ku64(w, "max_rounds", o->max_rounds);
	jw_ku64(w, "interval_ms", o->interval_ms);

	jw_key(w, "rounds");
	jw_arr_begin(w);
	for (r = 0; r < m->nrounds; r++) {
		rd = &m->rounds[r];
		jw_obj_begin(w);
		jw_ku64(w, "round", r + 1);
		jw_ku64(w, "dirty_pages", rd->found);
		jw_ku64(w, "dirty_bytes", rd->found * PAGE_4K);
		if (gen) {
			jw_ku64(w, "dma_writes", rd->dma_writes);
			jw_ku64(w, "written_pages", rd->written);
			jw_ku64(w, "lost_pages", rd->lost);
			jw_ku64(w, "extra_pages", rd->extra);
		} else {
			jw_knull(w, "dma_writes");
			jw_knull(w, "written_pages");
			jw_knull(w, "lost_pages");
			jw_knull(w, "extra_pages");
		}
		jw_kdouble(w, "round_ms", rd->round_ms);
		jw_kdouble(w, "read_ms", rd->read_ms);
		jw_kdouble(w, "dirty_rate_mib_s", rd->round_ms > 0 ?
			   (double)(rd->found * PAGE_4K) / (1 << 20) / (rd->round_ms / 1e3) : 0.0);
		jw_obj_end(w);
	}
	jw_arr_end(w);

	sum_rounds(m, &t);
	jw_key(w, "summary");
	jw_obj_begin(w);
	jw_kbool(w, "converged", m->converged);
	jw_kbool(w, "interrupted", m->interrupted);
	jw_ku64(w, "rounds", m->nrounds);
	jw_ku64(w, "remaining_pages", m->nrounds ? m->rounds[m->nrounds - 1].found : 0);
	jw_ku64(w, "total_dirty_pages", t.found);
	if (gen) {
		jw_ku64(w, "total_written_pages", t.written);
		jw_ku64(w, "lost_pages", t.lost);
		jw_ku64(w, "extra_pages", t.extra);
	} else {
		jw_knull(w, "total_written_pages");
		jw_knull(w, "lost_pages");
		jw_knull(w, "extra_pages");
	}
	jw_kdouble(w, "duration_ms", m->total_ms);
	jw_kdouble(w, "read_ms", t.read_ms);
	jw_obj_end(w);
}

static void json_no_run(struct jw *w)
{
	jw_knull(w, "memory");
	jw_knull(w, "dma");
	jw_key(w, "rounds");
	jw_arr_begin(w);
	jw_arr_end(w);
	jw_knull(w, "summary");
}

/* Map, track, harvest, stop, unmap: every step undone in reverse on the way out. */
static int migrate(struct migration *m)
{
	struct migrate_opts *o = m->o;
	struct totals t;
	int rc, ret;

	m->npages = o->memory / PAGE_4K;
	m->words = (m->npages + 63) / 64;
	m->writers = calloc(m->s->ndevs, sizeof(*m->writers));
	m->rounds = calloc(o->max_rounds, sizeof(*m->rounds));
	m->bitmap = calloc(m->words, sizeof(uint64_t));
	m->expected = calloc(m->words, sizeof(uint64_t));
	if (!m->writers || !m->rounds || !m->bitmap || !m->expected) {
		rc = cli_fail_errno(m->cli, -ENOMEM, "bitmaps for %" PRIu64 " pages", m->npages);
		goto out_free;
	}
	choose_source(m);
	if (!o->interval_set)
		o->interval_ms = m->source == DMA_DEVICES ? 100 : 0;
	if (o->iova_set) {
		m->iova = o->iova;
		rc = EXIT_OK;
	} else {
		rc = choose_iova(m);
	}
	if (rc)
		goto out_free;

	/* Guest memory: reserved, not touched; the IOMMU mapping is what is tracked. */
	m->mem = mmap(NULL, o->memory, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->mem == MAP_FAILED) {
		m->mem = NULL;
		rc = cli_fail_errno(m->cli, -errno, "mmap %" PRIu64 " bytes", o->memory);
		goto out_free;
	}
	ret = iommufd_container_map(m->s->c, m->mem, m->iova, o->memory, false);
	if (ret) {
		rc = cli_fail(m->cli, ret, "map %" PRIu64 " bytes at iova 0x%" PRIx64, o->memory,
			      m->iova);
		goto out_munmap;
	}
	ret = iommufd_container_set_dirty_tracking(m->s->c, true);
	if (ret) {
		rc = cli_fail(m->cli, ret, "start dirty tracking");
		goto out_unmap;
	}
	if (!m->cli->json)
		print_plan(m);

	rc = run_rounds(m);

	ret = iommufd_container_set_dirty_tracking(m->s->c, false);
	if (ret && rc == EXIT_OK)
		rc = cli_fail(m->cli, ret, "stop dirty tracking");
	if (rc == EXIT_OK) {
		if (!m->cli->json)
			print_summary(m);
		sum_rounds(m, &t);
		/* A lost dirty page is guest memory the destination never receives. */
		if (t.lost)
			rc = cli_fail_msg(m->cli, "dirty tracking lost %" PRIu64 " of %" PRIu64
					  " pages the DMA wrote", t.lost, t.written);
		else if (m->interrupted)
			rc = cli_fail_msg(m->cli, "interrupted");
	}
out_unmap:
	ret = iommufd_container_unmap(m->s->c, m->iova, o->memory);
	if (ret && rc == EXIT_OK)
		rc = cli_fail(m->cli, ret, "unmap");
out_munmap:
	munmap(m->mem, o->memory);
	m->mem = NULL;
out_free:
	return rc;
}

static void migration_free(struct migration *m)
{
	free(m->writers);
	free(m->rounds);
	free(m->bitmap);
	free(m->expected);
}

static int run(struct cli *cli, int argc, char **argv)
{
	struct migrate_opts o = {
		.memory = 256ull << 20,
		.threshold = 64,
		.max_rounds = 30,
		.dma_rate = 8192,
		.dma_decay = 50,
		.working_set = 64ull << 20,
		.seed = 1,
		.flags = IOMMUFD_CONTAINER_DIRTY_TRACKING,
	};
	struct migration m = { 0 };
	struct sigaction sa = { 0 }, old_sa;
	struct setup_output out;
	struct setup s;
	char **names;
	int n, rc;

	if (cli_parse(cli, &cmd_migrate, argc, argv, on_opt, &o, &names, &n, &rc))
		return rc;
	rc = setup_check_names(&cmd_migrate, names, n);
	if (rc)
		goto out_free;
	rc = session_open(cli);
	if (rc)
		goto out_free;
	rc = setup_build(cli, o.flags, names, n, &s);
	if (rc)
		goto out_close;

	m.cli = cli;
	m.o = &o;
	m.s = &s;
	m.tty = !cli->json && isatty(STDOUT_FILENO);
	m.rng = o.seed * 0x9e3779b97f4a7c15ull + 1; /* xorshift must not start at 0 */

	rc = setup_output_begin(&s, "migrate", &out);
	if (rc)
		goto out_close;

	if (!setup_migratable(&s)) {
		/* Harvesting would miss what the uncovered devices write. */
		rc = EXIT_NOT_MIGRATABLE;
		if (out.mem)
			json_no_run(&out.w);
	} else {
		/* Ctrl-C ends the loop; the teardown still runs. */
		sa.sa_handler = on_sigint;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &old_sa);
		rc = migrate(&m);
		sigaction(SIGINT, &old_sa, NULL);
		if (out.mem) {
			if (rc == EXIT_OK)
				json_run(&m, &out.w);
			else
				json_no_run(&out.w);
		}
	}
	migration_free(&m);
	rc = setup_finish(&s, &out, rc);
out_close:
	session_close(cli);
out_free:
	free(names);
	return rc;
}

const struct command cmd_migrate = {
	.name = "migrate",
	.args = "DEVICE...",
	.summary = "Run the live-migration dirty harvest loop a VMM runs, and report it.",
	.description =
		"Attaches the devices to one container with dirty tracking domains (exits 3 if\n"
		"some device is not covered), maps --memory of anonymous memory, starts dirty\n"
		"tracking and reads-and-clears the dirty bitmap in rounds until a round finds\n"
		"fewer than --threshold pages (converged) or --max-rounds is reached; then stops\n"
		"tracking, unmaps and tears down. Per round: dirty pages, round and read times,\n"
		"dirty rate. On a terminal a bar shows the dirty set shrinking.\n\n"
		"On the simulator the devices write by simulated DMA: --dma-rate random page\n"
		"writes within --working-set in round 1, each later round --dma-decay percent of\n"
		"the one before, spread over the devices; every page written must be found, a\n"
		"lost one is an error (exit 1). On the real kernel the DMA is the devices' own\n"
		"(the kernel's selftest mock devices get generated DMA like the simulator's).\n\n"
		"JSON: the layout as in attach, then \"memory\": {\"bytes\", \"iova\", \"page_size\",\n"
		"\"pages\"}, \"dma\": {\"source\": \"simulator\"|\"selftest\"|\"devices\", \"rate_pages\",\n"
		"\"decay_percent\", \"working_set_bytes\", \"seed\"}, \"threshold_pages\", \"max_rounds\",\n"
		"\"interval_ms\", \"rounds\": [{\"round\", \"dirty_pages\", \"dirty_bytes\", \"dma_writes\",\n"
		"\"written_pages\", \"lost_pages\", \"extra_pages\", \"round_ms\", \"read_ms\",\n"
		"\"dirty_rate_mib_s\"}], \"summary\": {\"converged\", \"interrupted\", \"rounds\",\n"
		"\"remaining_pages\", \"total_dirty_pages\", \"total_written_pages\", \"lost_pages\",\n"
		"\"extra_pages\", \"duration_ms\", \"read_ms\"}, \"teardown\", \"exit_code\". When not\n"
		"migratable, memory, dma and summary are null and rounds is empty.",
	.opts = migrate_opts,
	.run = run,
};
