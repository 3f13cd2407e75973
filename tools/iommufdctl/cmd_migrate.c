// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommufdctl migrate: the dirty-page harvest loop of a VMM's live migration, on the devices
 * of the command line. This file: its options and the command; migrate.h says where the
 * rest is.
 */
#include <stdlib.h>
#include <unistd.h>

#include "migrate.h"

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
	struct sigaction old_actions[MIGRATE_STOP_SIGNALS];
	struct migration m = { 0 };
	struct setup_output out;
	struct setup s;
	char **names;
	int n, rc;

	if (cli_parse(cli, &cmd_migrate, argc, argv, on_opt, &o, &names, &n, &rc))
		return rc;
	rc = setup_check_names(&cmd_migrate, names, n);
	if (rc)
		goto out_free;
	/* From here on a signal stops the rounds and leaves the teardown to run. */
	migrate_catch_signals(old_actions);
	rc = session_open(cli);
	if (rc)
		goto out_signals;
	rc = setup_check_same(cli, &cmd_migrate, names, n);
	if (rc)
		goto out_close;
	rc = setup_build(cli, o.flags, names, n, &s);
	if (rc)
		goto out_close;

	/* The wait between rounds by default: none where the tool writes the pages itself. */
	if (!o.interval_set)
		o.interval_ms = dma_source_of(&s) == DMA_DEVICES ? 100 : 0;
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
		if (out.doc)
			json_no_migration(&o, out.doc);
	} else {
		rc = migrate_run(&m);
		if (out.doc) {
			/* Interrupted, what ran is reported as after a full run. */
			if (rc == EXIT_OK || (m.interrupted && rc >= EXIT_SIGNAL_BASE))
				json_migration(&m, out.doc);
			else
				json_no_migration(&o, out.doc);
		}
	}
	migration_free(&m);
	rc = setup_finish(&s, &out, rc);
out_close:
	session_close(cli);
out_signals:
	migrate_restore_signals(old_actions);
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
		"Not converging is a result, not a failure: the exit status is 0 either way, and\n"
		"a script that needs convergence reads \"converged\" in the JSON summary (the text\n"
		"says \"converged after N rounds\" or \"did not converge in N rounds\").\n\n"
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
		"migratable, memory, dma and summary are null and rounds is empty (the options'\n"
		"members are there as always).\n\n"
		"Ctrl-C (SIGINT) or SIGTERM stops the rounds, within a round's generated DMA too;\n"
		"tracking is stopped, the memory unmapped, the devices detached and closed as\n"
		"usual. The rounds that ran are reported (in JSON, \"interrupted\": true in the\n"
		"summary and an \"error\" naming the signal) and the exit status is 128 + the\n"
		"signal: 130 for SIGINT, 143 for SIGTERM. A second such signal ends it at once.",
	.opts = migrate_opts,
	.run = run,
};
