// SPDX-License-Identifier: LGPL-2.1-or-later
/* iommufdctl attach: one container, the devices in their automatic domains, then teardown. */
#include <errno.h>
#include <stdlib.h>

#include "container_setup.h"

enum {
	OPT_NO_DIRTY = OPT_CMD_BASE,
	OPT_NEST_PARENT,
};

static const struct opt_def attach_opts[] = {
	{ "no-dirty", 0, OPT_ARG_NONE, OPT_NO_DIRTY, NULL,
	  "do not ask for dirty tracking domains" },
	{ "nest-parent", 0, OPT_ARG_NONE, OPT_NEST_PARENT, NULL,
	  "make the domains nesting parents (for a vIOMMU)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static int on_opt(void *arg, int id, const char *val)
{
	uint32_t *flags = arg;

	switch (id) {
	case OPT_NO_DIRTY:
		*flags &= ~IOMMUFD_CONTAINER_DIRTY_TRACKING;
		return EXIT_OK;
	case OPT_NEST_PARENT:
		*flags |= IOMMUFD_CONTAINER_NEST_PARENT;
		return EXIT_OK;
	}
	return EXIT_USAGE;
}

/* The layout is written before teardown (which frees it), the verdict after. */
static void json_begin(struct cli *cli, const struct setup *s, struct jw *w, FILE *f)
{
	jw_init(w, f);
	jw_obj_begin(w);
	jw_kstr(w, "command", "attach");
	jw_kbool(w, "simulated", cli->simulated);
	setup_json_layout(s, w);
}

static void json_end(struct cli *cli, struct jw *w, bool clean, long left, int rc)
{
	jw_key(w, "teardown");
	jw_obj_begin(w);
	jw_kbool(w, "clean", clean);
	if (cli->simulated)
		jw_ki64(w, "objects_left", left);
	else
		jw_knull(w, "objects_left");
	jw_obj_end(w);
	jw_ki64(w, "exit_code", rc);
	jw_obj_end(w);
	jw_finish(w);
}

static int run(struct cli *cli, int argc, char **argv)
{
	uint32_t flags = IOMMUFD_CONTAINER_DIRTY_TRACKING;
	struct setup s;
	bool migratable, clean;
	char **names, *doc = NULL;
	size_t doclen = 0;
	FILE *mem = NULL;
	struct jw w;
	long left;
	int n, rc;

	if (cli_parse(cli, &cmd_attach, argc, argv, on_opt, &flags, &names, &n, &rc))
		return rc;
	rc = setup_check_names(&cmd_attach, names, n);
	if (rc)
		goto out_free;
	rc = session_open(cli);
	if (rc)
		goto out_free;
	rc = setup_build(cli, flags, names, n, &s);
	if (rc)
		goto out_close;

	if (cli->json) {
		mem = open_memstream(&doc, &doclen);
		if (!mem) {
			setup_teardown(&s);
			rc = cli_fail_errno(cli, -errno, "JSON output");
			goto out_close;
		}
		json_begin(cli, &s, &w, mem);
	} else {
		setup_print_layout(&s, stdout);
		setup_print_coverage(&s, stdout);
	}
	migratable = setup_migratable(&s);
	rc = setup_teardown(&s);
	clean = session_leak_check(cli, &left) && rc == EXIT_OK;
	if (!clean && rc == EXIT_OK)
		rc = cli_fail_msg(cli, "teardown left %ld kernel object%s behind", left,
				  left == 1 ? "" : "s");
	/* Only a set that asked for dirty tracking can be judged "not migratable". */
	if (rc == EXIT_OK && (flags & IOMMUFD_CONTAINER_DIRTY_TRACKING) && !migratable)
		rc = EXIT_NOT_MIGRATABLE;
	if (mem) {
		json_end(cli, &w, clean, left, rc);
		fclose(mem);
		/* On a failure the error document has been printed instead. */
		if (rc == EXIT_OK || rc == EXIT_NOT_MIGRATABLE)
			fwrite(doc, 1, doclen, stdout);
		free(doc);
	} else if (rc == EXIT_OK || rc == EXIT_NOT_MIGRATABLE) {
		printf("teardown: %s\n", cli->simulated ? "clean (no kernel object left)" : "done");
	}
out_close:
	session_close(cli);
out_free:
	free(names);
	return rc;
}

const struct command cmd_attach = {
	.name = "attach",
	.args = "DEVICE...",
	.summary = "Attach devices to one container with automatic domains, show the layout, "
		   "tear down.",
	.description =
		"Opens the devices, makes a container (one IOAS) that asks for dirty tracking\n"
		"domains (unless --no-dirty), attaches the devices in the order given and prints\n"
		"the layout: each domain (HWPT) with its features and its devices, and the\n"
		"emulated devices attached to the IOAS itself. Then says whether every device is\n"
		"covered by IOMMU dirty tracking (live migration without device help), names those\n"
		"that are not and why, and tears everything down again.\n\n"
		"Exits 3 when dirty tracking was asked for and some device is not covered.\n\n"
		"JSON: {\"command\", \"simulated\", \"container\": {\"ioas_id\", \"dirty_tracking\",\n"
		"\"nest_parent\"}, \"domains\": [{\"hwpt_id\", \"dirty_tracking\", \"nest_parent\",\n"
		"\"devices\": [names]}], \"ioas_devices\": [names], \"devices\": [{\"name\", \"arg\",\n"
		"\"dev_id\", \"iommu\", \"emulated\", \"dirty_capable\", \"pt_id\", \"hwpt_id\", \"covered\",\n"
		"\"reason\"}], \"dirty_tracking\": {\"requested\", \"all_covered\", \"not_covered\": [names],\n"
		"\"message\"}, \"migratable\", \"teardown\": {\"clean\", \"objects_left\"}, \"exit_code\"}",
	.opts = attach_opts,
	.run = run,
};
