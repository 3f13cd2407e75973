// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * migrate on the terminal: the plan, a line per round (with a bar and a status line while
 * waiting when stdout is a terminal, plain lines otherwise), the summary.
 */
#include <inttypes.h>
#include <stdio.h>

#include "migrate.h"

#define BAR_WIDTH 30

void text_plan(const struct migration *m)
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
		       o->dma_decay, format_size(dma_working_set(o), ws, sizeof(ws)));
	/* Seen before round 1 (which may take long) also through a pipe. */
	fflush(stdout);
}

void text_round(struct migration *m, unsigned idx, const struct round *rd)
{
	double mib = (double)(rd->found * PAGE_4K) / (1 << 20);
	int bar, i;

	if (idx == 0)
		printf("%5s  %11s  %9s  %9s  %8s  %11s%s\n", "round", "dirty pages", "dirty MiB",
		       "round ms", "read ms", "dirty MiB/s",
		       m->source == DMA_DEVICES ? "" : "  DMA pages");
	printf("%5u  %11" PRIu64 "  %9.1f  %9.2f  %8.2f  %11.1f", idx + 1, rd->found, mib,
	       rd->round_ms, rd->read_ms, dirty_rate_mib_s(rd->found, rd->round_ms));
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

void text_waiting(const struct migration *m, unsigned round, double left_ms)
{
	if (!m->tty)
		return;
	printf("\r\033[K  round %u: tracking, next read in %.0f ms (Ctrl-C stops)", round, left_ms);
	fflush(stdout);
}

void text_waiting_done(const struct migration *m)
{
	if (!m->tty)
		return;
	printf("\r\033[K");
	fflush(stdout);
}

void text_summary(const struct migration *m)
{
	const struct round *last = m->nrounds ? &m->rounds[m->nrounds - 1] : NULL;
	char a[32], b[32];
	struct totals t;

	migrate_sum_rounds(m, &t);
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
	       t.read_ms, dirty_rate_mib_s(t.found, m->total_ms));
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
