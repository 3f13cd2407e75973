/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iommufdctl migrate, inside: what its parts share. The command (cmd_migrate.c) parses the
 * options and runs the migration: the harvest loop (migrate_loop.c) maps, tracks, reads in
 * rounds and undoes it all; the DMA workload (migrate_dma.c) writes pages where the devices
 * do not; the terminal (migrate_text.c) and the JSON report (migrate_json.c) show it.
 */
#ifndef IOMMUFDCTL_MIGRATE_H
#define IOMMUFDCTL_MIGRATE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "container_setup.h"

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
	bool interrupted;	/* a signal stopped the rounds */
	char stop_msg[64];	/* then: "interrupted by SIGINT after 3 rounds" */
	double total_ms;
	bool tty;
	uint64_t bar_max;
	uint64_t rng;
};

struct totals {
	uint64_t found, written, lost, extra;
	double read_ms;
};

static inline uint64_t popcount_words(const uint64_t *w, size_t n)
{
	uint64_t c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		c += __builtin_popcountll(w[i]);
	return c;
}

/* MiB per second of pages dirtied in ms; 0 when no time passed. */
static inline double dirty_rate_mib_s(uint64_t pages, double ms)
{
	return ms > 0 ? (double)(pages * PAGE_4K) / (1 << 20) / (ms / 1e3) : 0.0;
}

/* Where the generated DMA writes: the first --working-set bytes, at most the whole memory. */
static inline uint64_t dma_working_set(const struct migrate_opts *o)
{
	return o->working_set < o->memory ? o->working_set : o->memory;
}

/* ---- The harvest loop (migrate_loop.c) ---- */

/*
 * Map, track, harvest in rounds, stop, unmap: every step undone in reverse on the way out.
 * EXIT_OK; EXIT_SIGNAL_BASE + the signal when one stopped the rounds early (the rounds that
 * ran are reported, "interrupted by ..." is on stderr and in m->stop_msg); or EXIT_ERROR with
 * the message printed.
 */
int migrate_run(struct migration *m);
/*
 * SIGINT and SIGTERM stop the rounds, in the middle of a round's DMA too, and leave the
 * teardown to run: caught from migrate_catch_signals() (which forgets an earlier signal) to
 * migrate_restore_signals(), the command's whole run. A second one of the same kind ends
 * the process as if not caught.
 */
#define MIGRATE_STOP_SIGNALS 2
void migrate_catch_signals(struct sigaction old[MIGRATE_STOP_SIGNALS]);
void migrate_restore_signals(const struct sigaction old[MIGRATE_STOP_SIGNALS]);
/* The signal that asked to stop since migrate_catch_signals(); 0: none. */
int migrate_stop_signal(void);
void migration_free(struct migration *m);
void migrate_sum_rounds(const struct migration *m, struct totals *t);

/* ---- The DMA workload (migrate_dma.c) ---- */

/* Who writes, on this kernel and with these devices. */
enum dma_source dma_source_of(const struct setup *s);
/* Sets m->source and m->writers (warns about what is ignored). */
void dma_choose_source(struct migration *m);
/*
 * One round's DMA: writes page writes into m->expected. EXIT_OK (also when a signal stopped
 * it early: migrate_stop_signal()) or EXIT_ERROR (printed).
 */
int dma_generate(struct migration *m, uint64_t writes, struct round *rd);

/* ---- The terminal (migrate_text.c) ---- */

void text_plan(const struct migration *m);
/* Round idx (from 0); the first prints the header. A bar on a terminal. */
void text_round(struct migration *m, unsigned idx, const struct round *rd);
/* On a terminal: the status line while waiting for round's read, left_ms to go. */
void text_waiting(const struct migration *m, unsigned round, double left_ms);
void text_waiting_done(const struct migration *m);
void text_summary(const struct migration *m);

/* ---- The JSON report (migrate_json.c) ---- */

/* "memory", "dma", the options, "rounds" and "summary" members of doc (and "error" when
 * interrupted). */
void json_migration(const struct migration *m, json_object *doc);
/* The same members when the loop did not run: the options as they are, memory, dma and
 * summary null, rounds empty. */
void json_no_migration(const struct migrate_opts *o, json_object *doc);

#endif
