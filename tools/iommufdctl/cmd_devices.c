// SPDX-License-Identifier: LGPL-2.1-or-later
/* iommufdctl devices: every VFIO device cdev and whether its IOMMU tracks dirty pages. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iommufdctl.h"
#include "json_out.h"
#include "text_safe.h"

enum {
	OPT_NAMES = OPT_CMD_BASE,
	OPT_DIRTY,
};

struct devices_opts {
	bool names;		/* names only, one per line */
	bool dirty;		/* only devices whose IOMMU tracks dirty pages */
};

struct dev_row {
	struct iommufd_device_desc desc;
	int dirty;		/* 1, 0, or -errno */
	char error[256];	/* why it could not be opened or asked; "" if it could */
};

static int by_name(const void *a, const void *b)
{
	const struct dev_row *x = a, *y = b;

	return strcmp(x->desc.name, y->desc.name);
}

static int list_all(struct cli *cli, struct dev_row **rows_out, unsigned *n_out)
{
	struct iommufd_device_desc *descs;
	struct dev_row *rows;
	unsigned i;
	int n;

	n = iommufd_list_devices_all(cli->ctx, &descs, sizeof(*descs));
	if (n < 0)
		return cli_fail(cli, n, "list devices");
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		free(descs);
		return cli_fail_errno(cli, -ENOMEM, "list devices");
	}
	for (i = 0; i < (unsigned)n; i++)
		rows[i].desc = descs[i];
	free(descs);
	qsort(rows, n, sizeof(*rows), by_name);
	*rows_out = rows;
	*n_out = n;
	return EXIT_OK;
}

/* Open the device to ask GET_HW_INFO; a device in use elsewhere says why it cannot be. */
static void probe(struct cli *cli, struct dev_row *r)
{
	struct iommufd_device *dev;
	int ret;

	/* Either kernel opens a device by the name its list gives. */
	ret = iommufd_device_open(cli->ctx, r->desc.name, &dev);
	if (ret) {
		r->dirty = ret;
		/* The kernel binds a cdev once (EINVAL), a group-opened device not at all (EBUSY). */
		snprintf(r->error, sizeof(r->error), "%s%s", *iommufd_last_error(cli->ctx) ?
			 iommufd_last_error(cli->ctx) : strerror(-ret),
			 ret == -EINVAL || ret == -EBUSY ? " (in use by another process?)" : "");
		return;
	}
	r->dirty = iommufd_device_dirty_capable(dev);
	if (r->dirty < 0)
		snprintf(r->error, sizeof(r->error), "%s", *iommufd_last_error(cli->ctx) ?
			 iommufd_last_error(cli->ctx) : strerror(-r->dirty));
	iommufd_device_close(dev);
}

/* A cell of the table: escaped (a name may hold any byte), "-" when empty. */
static const char *cell(const char *s, char *buf, size_t len)
{
	return *s ? text_show(s, buf, len) : "-";
}

static void print_plain(const struct dev_row *rows, unsigned n)
{
	char name[TEXT_NAME_MAX], cdev[TEXT_NAME_MAX], iommu[TEXT_NAME_MAX], drv[TEXT_NAME_MAX];
	const struct dev_row *r;
	unsigned i;
	int w = 4;

	for (i = 0; i < n; i++)
		if ((int)strlen(cell(rows[i].desc.name, name, sizeof(name))) > w)
			w = strlen(name);
	printf("%-*s  %-24s  %-8s  %-12s  %-8s  %s\n", w, "NAME", "CDEV", "IOMMU", "DRIVER",
	       "EMULATED", "DIRTY-TRACKING");
	for (i = 0; i < n; i++) {
		r = &rows[i];
		printf("%-*s  %-24s  %-8s  %-12s  %-8s  ", w, cell(r->desc.name, name, sizeof(name)),
		       cell(r->desc.cdev, cdev, sizeof(cdev)),
		       cell(r->desc.iommu, iommu, sizeof(iommu)),
		       cell(r->desc.driver, drv, sizeof(drv)), r->desc.emulated ? "yes" : "no");
		if (r->error[0]) {
			printf("? (");
			text_put(r->error, stdout);
			printf(")\n");
		} else {
			printf("%s\n", r->dirty ? "yes" : "no");
		}
	}
	if (!n)
		printf("(no VFIO device cdevs: bind devices to vfio-pci, see iommufdctl(1))\n");
}

static json_object *json_row(const struct dev_row *r)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "name", json_str(r->desc.name));
	json_object_object_add(o, "cdev", json_str(r->desc.cdev));
	json_object_object_add(o, "iommu", json_str(r->desc.iommu));
	json_object_object_add(o, "driver", json_str(r->desc.driver));
	json_object_object_add(o, "emulated", json_object_new_boolean(r->desc.emulated));
	/* Unknown when the device could not be opened or asked. */
	json_object_object_add(o, "dirty_tracking",
			       r->error[0] ? NULL : json_object_new_boolean(r->dirty));
	json_object_object_add(o, "error", r->error[0] ? json_str(r->error) : NULL);
	return o;
}

static int print_json(struct cli *cli, const struct dev_row *rows, unsigned n)
{
	json_object *doc, *devices;
	unsigned i;

	doc = json_object_new_object();
	devices = json_object_new_array();
	if (!doc || !devices) {
		json_object_put(doc);
		json_object_put(devices);
		return cli_fail_errno(cli, -ENOMEM, "JSON output");
	}
	json_object_object_add(doc, "command", json_str("devices"));
	json_object_object_add(doc, "simulated", json_object_new_boolean(cli->simulated));
	for (i = 0; i < n; i++)
		json_object_array_add(devices, json_row(&rows[i]));
	json_object_object_add(doc, "devices", devices);
	json_print(doc, stdout);
	json_object_put(doc);
	return EXIT_OK;
}

/*
 * The names of the usable devices, one per line: for `iommufdctl attach $(...)`. Escaped
 * like the table: a name with a newline would be two names otherwise.
 */
static void print_names(const struct dev_row *rows, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (rows[i].error[0])
			continue;
		text_put(rows[i].desc.name, stdout);
		putchar('\n');
	}
}

/* Keep the rows whose device's IOMMU is known to track dirty pages. */
static unsigned keep_dirty(struct dev_row *rows, unsigned n)
{
	unsigned i, k = 0;

	for (i = 0; i < n; i++)
		if (!rows[i].error[0] && rows[i].dirty == 1)
			rows[k++] = rows[i];
	return k;
}

static int on_opt(void *arg, int id, const char *val)
{
	struct devices_opts *o = arg;

	switch (id) {
	case OPT_NAMES:
		o->names = true;
		return EXIT_OK;
	case OPT_DIRTY:
		o->dirty = true;
		return EXIT_OK;
	}
	return EXIT_USAGE;
}

static int run(struct cli *cli, int argc, char **argv)
{
	struct devices_opts o = { 0 };
	struct dev_row *rows = NULL;
	char **pos;
	unsigned n = 0, i;
	int npos, rc;

	if (cli_parse(cli, &cmd_devices, argc, argv, on_opt, &o, &pos, &npos, &rc))
		return rc;
	if (npos) {
		rc = cli_usage_err(&cmd_devices, "devices: unexpected argument '%s'%s", pos[0],
				   cli_topology_hint(pos[0]));
		free(pos);
		return rc;
	}
	free(pos);
	if (o.names && cli->json)
		return cli_usage_err(&cmd_devices, "devices: --names and --json exclude each other");

	rc = session_open(cli);
	if (rc)
		return rc;
	rc = list_all(cli, &rows, &n);
	if (rc)
		goto out_close;
	for (i = 0; i < n; i++)
		probe(cli, &rows[i]);
	if (o.dirty)
		n = keep_dirty(rows, n);
	if (cli->json)
		rc = print_json(cli, rows, n);
	else if (o.names)
		print_names(rows, n);
	else
		print_plain(rows, n);
	free(rows);
out_close:
	session_close(cli);
	return rc;
}

static const struct opt_def devices_opts[] = {
	{ "names", 0, OPT_ARG_NONE, OPT_NAMES, NULL,
	  "print only the names of the devices that can be opened, one per line" },
	{ "dirty-tracking", 0, OPT_ARG_NONE, OPT_DIRTY, NULL,
	  "list only the devices whose IOMMU tracks dirty pages" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

const struct command cmd_devices = {
	.name = "devices",
	.args = NULL,
	.summary = "List every VFIO device (cdev) of the host or of the simulated topology.",
	.description =
		"For each device, sorted by name: its cdev, its IOMMU instance and driver, whether\n"
		"it is emulated (an mdev, without an IOMMU of its own), and whether its IOMMU offers\n"
		"dirty tracking. Each device is opened (bound to a fresh iommufd) to ask GET_HW_INFO;\n"
		"a device that cannot be opened (for instance in use by a VMM) is listed with the\n"
		"reason.\n\n"
		"--names prints only the names of the devices that could be opened, one per line,\n"
		"for scripts: iommufdctl migrate $(iommufdctl devices --names --dirty-tracking).\n\n"
		"JSON: {\"command\", \"simulated\", \"devices\": [{\"name\", \"cdev\", \"iommu\", \"driver\",\n"
		"\"emulated\", \"dirty_tracking\" (true/false, null if unknown), \"error\" (null or why)}]}",
	.opts = devices_opts,
	.run = run,
};
