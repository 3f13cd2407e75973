/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Command-line parsing: long options in any position, sizes and counts. */
#ifndef IOMMUFDCTL_OPTIONS_H
#define IOMMUFDCTL_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

enum opt_arg {
	OPT_ARG_NONE,
	OPT_ARG_REQUIRED,	/* --name=VALUE or --name VALUE */
	OPT_ARG_OPTIONAL,	/* --name=VALUE only (a following word is not taken) */
};

struct opt_def {
	const char *name;	/* long name without "--"; NULL ends a table */
	char short_name;	/* 0: none */
	enum opt_arg arg;
	int id;
	const char *metavar;
	const char *help;
};

enum {
	OPTS_END = 0,		/* no more arguments */
	OPTS_POSITIONAL = -1,	/* *val is a positional argument */
	OPTS_ERROR = -2,	/* message already printed */
};

struct opts_state {
	int argc;
	char **argv;
	int i;
	bool only_positional;	/* after "--" */
	const char *shorts;	/* rest of a "-abc" group */
};

void opts_init(struct opts_state *st, int argc, char **argv, int first);
/*
 * The next argument, matched against the tables (NULL-terminated list of tables). Returns an
 * option id (> 0) with *val its value (NULL if none), OPTS_POSITIONAL, OPTS_END or OPTS_ERROR.
 * stop_at_positional: leave the first positional argument unconsumed (for the command word).
 */
int opts_next(struct opts_state *st, const struct opt_def *const *tables, const char **val,
	      bool stop_at_positional);
/* The index of the first unconsumed argument. */
int opts_index(const struct opts_state *st);

/* "256M", "1G", "4096", "64KiB": bytes, binary suffixes. false on a bad or overflowing value. */
bool parse_size(const char *s, uint64_t *out);
/* A non-negative integer (decimal, 0x hex) within [min, max]. */
bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* "256 MiB", "4 KiB", "1.5 GiB": a size for people. */
const char *format_size(uint64_t bytes, char *buf, unsigned len);

#endif
