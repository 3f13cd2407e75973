// SPDX-License-Identifier: LGPL-2.1-or-later
/* iommufdctl attach: one container, the devices in their automatic domains, then teardown. */
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
	  "make the domains nesting parents, each device with its vIOMMU and stage-1 domain" },
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

static int run(struct cli *cli, int argc, char **argv)
{
	uint32_t flags = IOMMUFD_CONTAINER_DIRTY_TRACKING;
	struct setup_output out;
	struct setup s;
	char **names;
	int n, rc;

	if (cli_parse(cli, &cmd_attach, argc, argv, on_opt, &flags, &names, &n, &rc))
		return rc;
	rc = setup_check_names(&cmd_attach, names, n);
	if (rc)
		goto out_free;
	rc = session_open(cli);
	if (rc)
		goto out_free;
	rc = setup_check_same(cli, &cmd_attach, names, n);
	if (rc)
		goto out_close;
	rc = setup_build(cli, flags, names, n, &s);
	if (rc)
		goto out_close;
	/* a nest-parent set: each device's vIOMMU, virtual id and stage-1 domain */
	if (flags & IOMMUFD_CONTAINER_NEST_PARENT) {
		rc = setup_nest(&s);
		if (rc)
			goto out_close;
	}
	/* The layout is written before teardown (which frees it), the verdict after. */
	rc = setup_output_begin(&s, "attach", &out);
	if (rc)
		goto out_close;
	/* Only a set that asked for dirty tracking can be judged "not migratable". */
	if ((flags & IOMMUFD_CONTAINER_DIRTY_TRACKING) && !setup_migratable(&s))
		rc = EXIT_NOT_MIGRATABLE;
	rc = setup_finish(&s, &out, rc);
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
		"With --nest-parent each device also gets what a VMM with an accelerated vIOMMU\n"
		"gives it: a virtual id (its place on the command line) on the vIOMMU of its IOMMU,\n"
		"and a stage-1 domain with its driver's pass-through data (the selftest mock's; an\n"
		"SMMUv3 STE in bypass). The layout shows them under each device, the vIOMMU with\n"
		"its type's name (ARM SMMUv3, selftest mock...), or in a note why it has none:\n"
		"VT-d nests from the parent and its stage 1 is the guest's page table; kernels\n"
		"before 6.13 have no vIOMMU, and SMMUv3 makes stage-1 domains on a vIOMMU only.\n\n"
		"Exits 3 when dirty tracking was asked for and some device is not covered.\n\n"
		"JSON: {\"command\", \"simulated\", \"container\": {\"ioas_id\", \"dirty_tracking\",\n"
		"\"nest_parent\"}, \"domains\": [{\"hwpt_id\", \"dirty_tracking\", \"nest_parent\",\n"
		"\"devices\": [names]}], \"ioas_devices\": [names], \"devices\": [{\"name\", \"arg\",\n"
		"\"dev_id\", \"iommu\", \"emulated\", \"dirty_capable\", \"pt_id\", \"hwpt_id\", \"covered\",\n"
		"\"reason\", \"nesting\" (--nest-parent): {\"viommu_id\", \"viommu_type\",\n"
		"\"viommu_type_name\", \"virt_id\", \"vdevice_id\", \"stage1_hwpt_id\",\n"
		"\"parent_hwpt_id\", \"note\"}}], \"dirty_tracking\": {\"requested\", \"all_covered\",\n"
		"\"not_covered\": [names], \"message\"}, \"migratable\", \"teardown\": {\"clean\",\n"
		"\"objects_left\"}, \"exit_code\"}",

	.opts = attach_opts,
	.run = run,
};
