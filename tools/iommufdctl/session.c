// SPDX-License-Identifier: LGPL-2.1-or-later
/* The kernel a command talks to: /dev/iommu, or the simulator (asked for, or the fallback). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iommufdctl.h"
#include "text_safe.h"

#define IOMMU_DEV "/dev/iommu"

/*
 * The library sends what the level asks for: its errors and warnings, and with --trace
 * (or IOMMUFD_TRACE, which it reads itself) a line per kernel call and its decisions.
 */
static void log_to_stderr(void *arg, int level, const char *msg)
{
	if (level == IOMMUFD_LOG_WARN)
		fprintf(stderr, "%s: warning: ", PROG);
	else
		fprintf(stderr, "iommufd: ");
	/* The lines name devices: escaped like everything the tool prints. */
	text_put(msg, stderr);
	fputc('\n', stderr);
}

/* A topology given as JSON text (as the simulator tells them apart), not as a file. */
static bool topology_is_text(const char *t)
{
	while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
		t++;
	return *t == '{' || *t == '[';
}

/*
 * Why the simulator refused the topology. Its message names the file where the file could
 * not be read, not where its text is wrong: the file is added then. JSON text is not repeated.
 */
static void sim_new_failed(struct cli *cli, int err)
{
	const char *why = iommufd_sim_last_error(), *t = cli->topology;
	char file[TEXT_NAME_MAX];

	if (!why || !*why)
		why = strerror(-err);
	if (t && !topology_is_text(t) && !strstr(why, t))
		cli_fail_msg(cli, "simulator: %s: %s", text_cut(t, file, sizeof(file)), why);
	else
		cli_fail_msg(cli, "simulator: %s", why);
}

static int open_sim(struct cli *cli)
{
	int ret;

	ret = iommufd_sim_new(cli->topology, &cli->sim);
	if (ret) {
		sim_new_failed(cli, ret);
		return EXIT_ERROR;
	}
	ret = iommufd_sim_open(cli->sim, &cli->ctx);
	if (ret) {
		iommufd_sim_free(cli->sim);
		cli->sim = NULL;
		cli_fail_msg(cli, "simulator: open: %s", strerror(-ret));
		return EXIT_ERROR;
	}
	cli->simulated = true;
	return EXIT_OK;
}

int session_open(struct cli *cli)
{
	int ret;

	if (cli->want_sim) {
		ret = open_sim(cli);
	} else if (access(IOMMU_DEV, F_OK) && errno == ENOENT) {
		fprintf(stderr, "%s: %s is absent (no IOMMUFD in this kernel): using the "
				"simulator's built-in host\n", PROG, IOMMU_DEV);
		ret = open_sim(cli);
	} else {
		ret = iommufd_open(NULL, &cli->ctx);
		if (ret) {
			cli_fail_msg(cli, "open %s: %s%s", IOMMU_DEV, strerror(-ret),
				     ret == -EACCES || ret == -EPERM ?
				     " (run as root, or use --sim)" : "");
			return EXIT_ERROR;
		}
	}
	if (ret)
		return ret;
	iommufd_set_log(cli->ctx, log_to_stderr, NULL);
	iommufd_set_log_level(cli->ctx, cli->trace ? IOMMUFD_LOG_TRACE : IOMMUFD_LOG_WARN);
	if (cli->sim)
		cli->objects_at_start = iommufd_sim_live_objects(cli->sim);
	return EXIT_OK;
}

bool session_leak_check(struct cli *cli, long *left)
{
	*left = 0;
	if (!cli->sim)
		return true;
	*left = iommufd_sim_live_objects(cli->sim) - cli->objects_at_start;
	return *left == 0;
}

void session_close(struct cli *cli)
{
	iommufd_close(cli->ctx);
	cli->ctx = NULL;
	if (cli->sim)
		iommufd_sim_free(cli->sim);
	cli->sim = NULL;
}
