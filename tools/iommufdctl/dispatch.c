// SPDX-License-Identifier: LGPL-2.1-or-later
/* iommufdctl: global options, then one command. */
#include <stdlib.h>
#include <string.h>

#include "iommufdctl.h"

static const struct command *const commands[] = { &cmd_devices, &cmd_attach, &cmd_migrate };

int iommufdctl_main(int argc, char **argv)
{
	const struct opt_def *const tables[] = { global_opts, NULL };
	const struct command *cmd = NULL;
	struct cli cli = { 0 };
	struct opts_state st;
	const char *val;
	unsigned i;
	int id, first;

	/* Global options may come before the command word too. */
	opts_init(&st, argc, argv, 1);
	while ((id = opts_next(&st, tables, &val, true)) != OPTS_END) {
		/* opts_next() has said what is wrong: only the hint follows. */
		if (id == OPTS_ERROR)
			return cli_usage_hint(NULL);
		if (id == OPTS_POSITIONAL)
			break;
		if (id == OPT_HELP) {
			cli_print_help(NULL, stdout);
			return EXIT_OK;
		}
		if (id == OPT_VERSION) {
			cli_print_version();
			return EXIT_OK;
		}
		cli_global_opt(&cli, id, val);
	}
	first = opts_index(&st);
	if (first >= argc)
		return cli_usage_err(NULL, "no command given (devices, attach, migrate)");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[first], commands[i]->name))
			cmd = commands[i];
	if (!cmd)
		return cli_usage_err(NULL, "unknown command '%s' (devices, attach, migrate)%s",
				     argv[first], cli_topology_hint(argv[first]));
	cli.command = cmd->name;
	/* The command sees its own name as argv[0]. */
	return cmd->run(&cli, argc - first, argv + first);
}
