// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * migrate: the dirty-page harvest loop of a VMM's live migration. Map guest memory, start
 * dirty tracking, read-and-clear the bitmap in rounds until the dirty set is small enough
 * for the final stop-and-copy, stop tracking, unmap.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "migrate.h"

/* The signal that asked the loop to stop (SIGINT, SIGTERM); 0: none. */
static volatile sig_atomic_t stop_signal;
static const int stop_signals[MIGRATE_STOP_SIGNALS] = { SIGINT, SIGTERM };

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

int migrate_stop_signal(void)
{
	return stop_signal;
}

void migrate_catch_signals(struct sigaction old[MIGRATE_STOP_SIGNALS])
{
	struct sigaction sa = { 0 };
	unsigned i;

	/*
	 * The handler only notes the signal: the loop and the DMA generator look at it often
	 * and stop, and the teardown runs. A second one of the same kind acts as if we had
	 * not caught it (the kernel frees what the process holds when it ends).
	 */
	stop_signal = 0;
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESETHAND | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < MIGRATE_STOP_SIGNALS; i++)
		sigaction(stop_signals[i], &sa, &old[i]);
}

void migrate_restore_signals(const struct sigaction old[MIGRATE_STOP_SIGNALS])
{
	unsigned i;

	for (i = 0; i < MIGRATE_STOP_SIGNALS; i++)
		sigaction(stop_signals[i], &old[i], NULL);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The first allowed IOVA range that holds the memory, preferring 2M alignment (huge pages). */
static int choose_iova(struct migration *m)
{
	struct iommufd_iova_range *r;
	uint64_t align, start, len = m->o->memory;
	unsigned pass;
	int n, i;

	n = iommufd_ioas_iova_ranges_all(m->cli->ctx, m->s->ioas_id, &r, &align);
	if (n < 0)
		return cli_fail(m->cli, n, "IOVA ranges of IOAS %u", m->s->ioas_id);
	if (align < PAGE_4K)
		align = PAGE_4K;
	for (pass = 0; pass < 2; pass++) {
		uint64_t a = pass == 0 && align < (2ull << 20) ? 2ull << 20 : align;

		for (i = 0; i < n; i++) {
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

static void wait_interval(struct migration *m, unsigned round)
{
	double end = now_ms() + (double)m->o->interval_ms;
	struct timespec step = { 0, 20 * 1000 * 1000 };
	double left;

	while (!stop_signal && (left = end - now_ms()) > 0) {
		text_waiting(m, round, left);
		if (left < 20)
			step.tv_nsec = (long)(left * 1e6);
		nanosleep(&step, NULL);
	}
	text_waiting_done(m);
}

static int run_rounds(struct migration *m)
{
	struct migrate_opts *o = m->o;
	uint64_t writes = o->dma_rate;
	struct round *rd;
	double t_round, t_read, t_start = now_ms();
	unsigned r;
	int ret;

	for (r = 0; r < o->max_rounds && !stop_signal; r++) {
		rd = &m->rounds[r];
		t_round = now_ms();
		if (m->source != DMA_DEVICES) {
			ret = dma_generate(m, writes, rd);
			if (ret)
				return ret;
			writes = writes * o->dma_decay / 100;
		}
		if (o->interval_ms && !stop_signal)
			wait_interval(m, r + 1);
		/* A round cut short is not read: its DMA was not all done. */
		if (stop_signal)
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
			text_round(m, r, rd);
		if (rd->found < o->threshold) {
			m->converged = true;
			break;
		}
	}
	/* A signal after the last round (converged, or the round limit) stopped nothing. */
	m->interrupted = stop_signal && !m->converged && m->nrounds < o->max_rounds;
	m->total_ms = now_ms() - t_start;
	return EXIT_OK;
}

void migrate_sum_rounds(const struct migration *m, struct totals *t)
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

/* Stopped by a signal: says so; the report of what ran is printed as usual. */
static int migrate_interrupted(struct migration *m)
{
	const int sig = stop_signal;

	snprintf(m->stop_msg, sizeof(m->stop_msg), "interrupted by %s after %u round%s",
		 sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal", m->nrounds,
		 m->nrounds == 1 ? "" : "s");
	cli_err("%s", m->stop_msg);
	return EXIT_SIGNAL_BASE + sig;
}

/* Map, track, harvest, stop, unmap: every step undone in reverse on the way out. */
int migrate_run(struct migration *m)
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
	dma_choose_source(m);
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
		text_plan(m);

	rc = run_rounds(m);

	ret = iommufd_container_set_dirty_tracking(m->s->c, false);
	if (ret && rc == EXIT_OK)
		rc = cli_fail(m->cli, ret, "stop dirty tracking");
	if (rc == EXIT_OK) {
		if (!m->cli->json)
			text_summary(m);
		migrate_sum_rounds(m, &t);
		/* A lost dirty page is guest memory the destination never receives. */
		if (t.lost)
			rc = cli_fail_msg(m->cli, "dirty tracking lost %" PRIu64 " of %" PRIu64
					  " pages the DMA wrote", t.lost, t.written);
		else if (m->interrupted)
			rc = migrate_interrupted(m);
	}
out_unmap:
	ret = iommufd_container_unmap(m->s->c, m->iova, o->memory);
	/* A failure of the undoing is reported after an interruption too. */
	if (ret && (rc == EXIT_OK || rc >= EXIT_SIGNAL_BASE))
		rc = cli_fail(m->cli, ret, "unmap");
out_munmap:
	munmap(m->mem, o->memory);
	m->mem = NULL;
out_free:
	return rc;
}

void migration_free(struct migration *m)
{
	free(m->writers);
	free(m->rounds);
	free(m->bitmap);
	free(m->expected);
}
