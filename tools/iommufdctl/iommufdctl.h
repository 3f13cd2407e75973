/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* iommufdctl: what the commands share (global options, kernel session, exit codes). */
#ifndef IOMMUFDCTL_H
#define IOMMUFDCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <iommufd/iommufd.h>

#include "options.h"

/* Exit codes, documented in --help and iommufdctl(1). */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,		/* the kernel or the library refused */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NOT_MIGRATABLE = 3, /* some device is not covered by IOMMU dirty tracking */
	EXIT_SIGNAL_BASE = 128,	/* + N: migrate stopped by signal N, after its teardown */
};

#define PROG "iommufdctl"
#define PAGE_4K 4096ull

/* Global option ids (command options number from OPT_CMD_BASE). */
enum {
	OPT_HELP = 1,
	OPT_VERSION,
	OPT_SIM,
	OPT_JSON,
	OPT_TRACE,
	OPT_CMD_BASE = 100,
};

extern const struct opt_def global_opts[];

struct cli {
	/* from the command line */
	bool json;
	bool trace;
	bool want_sim;
	const char *topology;	/* --sim=FILE; NULL: built-in host */
	const char *command;

	/* the session */
	struct iommufd_sim *sim;
	struct iommufd_ctx *ctx;
	bool simulated;
	long objects_at_start;	/* simulator only: kernel objects before we made any */
};

/* The whole tool: main() calls it; so do the real-kernel guest tests, in a child. */
int iommufdctl_main(int argc, char **argv);

struct command {
	const char *name;
	const char *args;	/* synopsis after the options */
	const char *summary;
	const char *description;
	const struct opt_def *opts;
	int (*run)(struct cli *cli, int argc, char **argv);
};

extern const struct command cmd_devices;
extern const struct command cmd_attach;
extern const struct command cmd_migrate;

/* Messages to stderr, prefixed with the program name. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * A usage error: one line saying what is wrong, then the hint to --help (nothing else, so
 * that the message stays in view); returns EXIT_USAGE.
 */
int cli_usage_err(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* For a stray word that looks like a topology (FILE.json, JSON text): a reminder of
 * --sim=FILE to add to the message; "" for any other word. */
const char *cli_topology_hint(const char *word);
/* The hint alone, after a message already printed (the option parser's); EXIT_USAGE. */
int cli_usage_hint(const struct command *cmd);
/*
 * A failure of the library: prints "what: iommufd_last_error()" (or the errno text when the
 * library left no message), and in --json mode an error document on stdout. Returns EXIT_ERROR.
 */
int cli_fail(struct cli *cli, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same, with a hint after the reason: "what: why (hint)". */
int cli_fail_hint(struct cli *cli, int err, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * A failure of our own (memory, mmap, the simulator's DMA): "what: strerror(err)". The
 * library's last message belongs to an earlier call then, and must not be shown.
 */
int cli_fail_errno(struct cli *cli, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, with a message of our own only. */
int cli_fail_msg(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void cli_print_help(const struct command *cmd, FILE *f);
/* --version: the tool's and the library's. */
void cli_print_version(void);
/* Handles a global option seen by a command's parser; EXIT_OK or EXIT_USAGE. */
int cli_global_opt(struct cli *cli, int id, const char *val);
/*
 * Parses a command's arguments (global options are allowed anywhere too) and collects the
 * positional ones into pos (caller frees). Returns -1 when the command should stop with
 * *exit_code (help printed, or a usage error), 0 otherwise.
 */
int cli_parse(struct cli *cli, const struct command *cmd, int argc, char **argv,
	      int (*on_opt)(void *arg, int id, const char *val), void *arg,
	      char ***pos, int *npos, int *exit_code);

/* Opens the real kernel, or the simulator (asked for, or /dev/iommu absent). */
int session_open(struct cli *cli);
/* The simulator's object count back to where it started? true on the real kernel (unknown). */
bool session_leak_check(struct cli *cli, long *left);
void session_close(struct cli *cli);

#endif
