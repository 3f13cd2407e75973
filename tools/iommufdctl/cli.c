// SPDX-License-Identifier: LGPL-2.1-or-later
/* What every command shares: messages, exit codes on failure, parsing its arguments, help. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "iommufdctl.h"
#include "json_out.h"
#include "text_safe.h"

const struct opt_def global_opts[] = {
	{ "sim", 0, OPT_ARG_OPTIONAL, OPT_SIM, "TOPOLOGY.json",
	  "use the simulated kernel: its built-in host, or the topology in the file" },
	{ "json", 0, OPT_ARG_NONE, OPT_JSON, NULL, "print one JSON document for scripts" },
	{ "trace", 0, OPT_ARG_NONE, OPT_TRACE, NULL,
	  "print a line for every kernel call to stderr (like IOMMUFD_TRACE=1)" },
	{ "help", 'h', OPT_ARG_NONE, OPT_HELP, NULL, "show this help" },
	{ "version", 'V', OPT_ARG_NONE, OPT_VERSION, NULL, "show the version" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* Messages name devices (and carry the library's messages, which do too): escaped. */
static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	char msg[4096];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: %s", PROG, prefix);
	text_put(msg, stderr);
	fputc('\n', stderr);
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

const char *cli_topology_hint(const char *word)
{
	size_t n = strlen(word);

	if ((n > 5 && !strcmp(word + n - 5, ".json")) || word[0] == '{')
		return " (a topology is given as --sim=FILE)";
	return "";
}

int cli_usage_hint(const struct command *cmd)
{
	fprintf(stderr, "Try '%s%s%s --help'.\n", PROG, cmd ? " " : "", cmd ? cmd->name : "");
	return EXIT_USAGE;
}

int cli_usage_err(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	return cli_usage_hint(cmd);
}

/* In --json mode a failure still leaves one JSON document on stdout. */
static void json_error_doc(struct cli *cli, const char *msg, int err)
{
	json_object *doc;

	if (!cli || !cli->json)
		return;
	doc = json_object_new_object();
	if (!doc)
		return;
	json_object_object_add(doc, "command", json_str(cli->command));
	json_object_object_add(doc, "error", json_str(msg));
	json_object_object_add(doc, "errno", err ? json_object_new_int64(-err) : NULL);
	json_object_object_add(doc, "exit_code", json_object_new_int(EXIT_ERROR));
	json_print(doc, stdout);
	json_object_put(doc);
}

static int vfail(struct cli *cli, int err, bool library, const char *hint, const char *fmt,
		 va_list ap)
{
	char what[512], msg[1024];
	const char *why = library && cli && cli->ctx ? iommufd_last_error(cli->ctx) : "";

	vsnprintf(what, sizeof(what), fmt, ap);
	/* The library's message names the kernel call and the errno; ours says what we tried. */
	if (!why || !*why)
		why = strerror(err < 0 ? -err : err);
	snprintf(msg, sizeof(msg), "%s: %s%s%s%s", what, why, hint ? " (" : "", hint ? hint : "",
		 hint ? ")" : "");
	cli_err("%s", msg);
	json_error_doc(cli, msg, err < 0 ? err : -err);
	return EXIT_ERROR;
}

int cli_fail(struct cli *cli, int err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(cli, err, true, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

int cli_fail_hint(struct cli *cli, int err, const char *hint, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(cli, err, true, hint, fmt, ap);
	va_end(ap);
	return rc;
}

int cli_fail_errno(struct cli *cli, int err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(cli, err, false, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

int cli_fail_msg(struct cli *cli, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_err("%s", msg);
	json_error_doc(cli, msg, 0);
	return EXIT_ERROR;
}

int cli_global_opt(struct cli *cli, int id, const char *val)
{
	switch (id) {
	case OPT_SIM:
		cli->want_sim = true;
		cli->topology = val;
		return EXIT_OK;
	case OPT_JSON:
		cli->json = true;
		return EXIT_OK;
	case OPT_TRACE:
		cli->trace = true;
		return EXIT_OK;
	}
	return EXIT_USAGE;
}

#define HELP_COL 28
#define HELP_WIDTH 79

/* The help text from column HELP_COL, wrapped at word boundaries to HELP_WIDTH. */
static void print_wrapped(const char *text, int col, FILE *f)
{
	const char *p = text, *end;
	int room = HELP_WIDTH - HELP_COL, len;

	while (*p) {
		len = strlen(p);
		if (len > room) {
			for (end = p + room; end > p && *end != ' '; end--)
				;
			len = end > p ? (int)(end - p) : room;
		}
		fprintf(f, "%*s%.*s\n", col < HELP_COL ? HELP_COL - col : 0, "", len, p);
		col = 0;
		p += len;
		while (*p == ' ')
			p++;
	}
}

static void print_opts(const struct opt_def *d, FILE *f)
{
	char left[64];

	for (; d->name; d++) {
		int n = 0;

		if (d->short_name)
			n = snprintf(left, sizeof(left), "-%c, ", d->short_name);
		n += snprintf(left + n, sizeof(left) - n, "--%s", d->name);
		if (d->arg == OPT_ARG_REQUIRED)
			snprintf(left + n, sizeof(left) - n, " %s", d->metavar);
		else if (d->arg == OPT_ARG_OPTIONAL)
			snprintf(left + n, sizeof(left) - n, "[=%s]", d->metavar);
		n = fprintf(f, "  %s", left);
		if (n > HELP_COL - 2) {
			fputc('\n', f);
			n = 0;
		}
		print_wrapped(d->help, n, f);
	}
}

static const char exit_codes_help[] =
	"Exit status:\n"
	"  0  success; for migrate also when the rounds did not converge: scripts read\n"
	"     \"converged\" (JSON summary)\n"
	"  1  the kernel or the library refused (the message says which call and why),\n"
	"     or a device could not be opened\n"
	"  2  bad usage: unknown option, missing or malformed argument\n"
	"  3  not migratable: some device is not covered by IOMMU dirty tracking\n"
	"     (attach and migrate)\n"
	"  130, 143  migrate stopped by SIGINT (Ctrl-C) or SIGTERM, after its teardown\n";

void cli_print_version(void)
{
	printf("%s %s (libiommufd %s)\n", PROG, IOMMUFDCTL_VERSION, iommufd_version());
}

void cli_print_help(const struct command *cmd, FILE *f)
{
	if (!cmd) {
		fprintf(f, "Usage: %s [OPTIONS] COMMAND [ARGS...]\n\n"
			   "IOMMUFD devices, automatic IOMMU domains and dirty tracking for live "
			   "migration,\non the real kernel (/dev/iommu) or on the simulated one.\n\n"
			   "Commands:\n"
			   "  devices                 list the VFIO devices and their IOMMU dirty "
			   "tracking\n"
			   "  attach DEVICE...        attach devices to one container, show the "
			   "domain layout\n"
			   "  migrate DEVICE...       run the live-migration dirty-page harvest "
			   "loop\n\n"
			   "Options (accepted by every command, before or after it):\n",
			PROG);
		print_opts(global_opts, f);
		fprintf(f, "\nWhere /dev/iommu is absent the simulator's built-in host is used "
			   "(a note on stderr says so).\n"
			   "DEVICE: a PCI address (0000:3b:00.0), /dev/vfio/devices/vfioN, a sysfs "
			   "path,\nor on the simulator the topology's device name: any name or cdev "
			   "'devices' lists.\n\n%s\n"
			   "'%s COMMAND --help' shows a command's options. See iommufdctl(1).\n",
			exit_codes_help, PROG);
		return;
	}
	fprintf(f, "Usage: %s %s [OPTIONS]%s%s\n\n%s\n\n%s\n", PROG, cmd->name,
		cmd->args ? " " : "", cmd->args ? cmd->args : "", cmd->summary, cmd->description);
	if (cmd->opts && cmd->opts[0].name) {
		fprintf(f, "\nOptions:\n");
		print_opts(cmd->opts, f);
	}
	fprintf(f, "\nGlobal options:\n");
	print_opts(global_opts, f);
	fprintf(f, "\n%s", exit_codes_help);
}

int cli_parse(struct cli *cli, const struct command *cmd, int argc, char **argv,
	      int (*on_opt)(void *arg, int id, const char *val), void *arg,
	      char ***pos, int *npos, int *exit_code)
{
	const struct opt_def *const tables[] = { global_opts, cmd->opts, NULL };
	struct opts_state st;
	const char *val;
	char **list;
	int id, n = 0, rc;

	/* Never more positional arguments than words. */
	list = calloc(argc + 1, sizeof(*list));
	if (!list) {
		cli_err("out of memory");
		*exit_code = EXIT_ERROR;
		return -1;
	}
	opts_init(&st, argc, argv, 1);
	while ((id = opts_next(&st, tables, &val, false)) != OPTS_END) {
		if (id == OPTS_ERROR)
			goto out_usage;
		if (id == OPTS_POSITIONAL) {
			list[n++] = (char *)val;
			continue;
		}
		if (id == OPT_HELP) {
			cli_print_help(cmd, stdout);
			*exit_code = EXIT_OK;
			goto out_stop;
		}
		if (id == OPT_VERSION) {
			cli_print_version();
			*exit_code = EXIT_OK;
			goto out_stop;
		}
		if (id < OPT_CMD_BASE)
			rc = cli_global_opt(cli, id, val);
		else
			rc = on_opt ? on_opt(arg, id, val) : EXIT_USAGE;
		if (rc)
			goto out_usage;
	}
	*pos = list;
	*npos = n;
	return 0;

out_usage:
	*exit_code = cli_usage_hint(cmd);
out_stop:
	free(list);
	return -1;
}
