// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Command-line parsing. Our own rather than getopt_long: global options are taken before the
 * command word (which stops that scan) and among the command's own options and device
 * names after it. An optional value is taken only with '=': a following word is always a
 * word of its own (a command or a device, whatever its name).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iommufdctl.h"

void opts_init(struct opts_state *st, int argc, char **argv, int first)
{
	memset(st, 0, sizeof(*st));
	st->argc = argc;
	st->argv = argv;
	st->i = first;
}

int opts_index(const struct opts_state *st)
{
	return st->i;
}

static const struct opt_def *find_long(const struct opt_def *const *tables, const char *name,
				       size_t len)
{
	const struct opt_def *d;

	for (; *tables; tables++)
		for (d = *tables; d->name; d++)
			if (strlen(d->name) == len && !strncmp(d->name, name, len))
				return d;
	return NULL;
}

static const struct opt_def *find_short(const struct opt_def *const *tables, char c)
{
	const struct opt_def *d;

	for (; *tables; tables++)
		for (d = *tables; d->name; d++)
			if (d->short_name == c)
				return d;
	return NULL;
}

static int next_short(struct opts_state *st, const struct opt_def *const *tables,
		      const char **val)
{
	const struct opt_def *d = find_short(tables, *st->shorts);

	if (!d) {
		cli_err("unknown option '-%c'", *st->shorts);
		return OPTS_ERROR;
	}
	st->shorts++;
	if (d->arg == OPT_ARG_REQUIRED) {
		if (*st->shorts) {
			*val = st->shorts;
		} else if (st->i < st->argc) {
			*val = st->argv[st->i++];
		} else {
			cli_err("option '-%c' needs a value (%s)", d->short_name, d->metavar);
			return OPTS_ERROR;
		}
		st->shorts = NULL;
	}
	if (st->shorts && !*st->shorts)
		st->shorts = NULL;
	return d->id;
}

int opts_next(struct opts_state *st, const struct opt_def *const *tables, const char **val,
	      bool stop_at_positional)
{
	const struct opt_def *d;
	const char *a, *eq;
	size_t len;

	*val = NULL;
	if (st->shorts)
		return next_short(st, tables, val);
	if (st->i >= st->argc)
		return OPTS_END;
	a = st->argv[st->i];
	if (st->only_positional || a[0] != '-' || !a[1]) {
		if (stop_at_positional)
			return OPTS_POSITIONAL;
		*val = a;
		st->i++;
		return OPTS_POSITIONAL;
	}
	st->i++;
	if (a[1] != '-') {
		st->shorts = a + 1;
		return next_short(st, tables, val);
	}
	if (!a[2]) {
		st->only_positional = true;
		return opts_next(st, tables, val, stop_at_positional);
	}

	a += 2;
	eq = strchr(a, '=');
	len = eq ? (size_t)(eq - a) : strlen(a);
	d = find_long(tables, a, len);
	if (!d) {
		cli_err("unknown option '--%.*s'", (int)len, a);
		return OPTS_ERROR;
	}
	switch (d->arg) {
	case OPT_ARG_NONE:
		if (eq) {
			cli_err("option '--%s' takes no value", d->name);
			return OPTS_ERROR;
		}
		break;
	case OPT_ARG_REQUIRED:
		/* A following "--option" is a forgotten value, not the value. */
		if (eq) {
			*val = eq + 1;
		} else if (st->i < st->argc && strncmp(st->argv[st->i], "--", 2)) {
			*val = st->argv[st->i++];
		} else {
			cli_err("option '--%s' needs a value (%s)", d->name, d->metavar);
			return OPTS_ERROR;
		}
		if (!**val) {
			cli_err("option '--%s': empty value", d->name);
			return OPTS_ERROR;
		}
		break;
	case OPT_ARG_OPTIONAL:
		if (eq) {
			*val = eq + 1;
			if (!**val) {
				cli_err("option '--%s=': empty value", d->name);
				return OPTS_ERROR;
			}
		}
		break;
	}
	return d->id;
}

bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts "-1" (as a huge value) and leading blanks: refuse both. */
	if (!s || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGTPE";
	unsigned long long v;
	const char *u;
	unsigned shift = 0;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u)
			return false;
		shift = 10 * (unsigned)(u - units + 1);
		end++;
		/* K, KB, KiB all mean 1024: the tool speaks of memory, not disks. */
		if (strcasecmp(end, "") && strcasecmp(end, "b") && strcasecmp(end, "ib"))
			return false;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

const char *format_size(uint64_t bytes, char *buf, unsigned len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	unsigned u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	else if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%.0f %s", v, units[u]);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}
