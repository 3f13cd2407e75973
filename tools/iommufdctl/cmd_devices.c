// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommufdctl devices: every VFIO device cdev and what its IOMMU and kernel offer (dirty
 * tracking, nest parents, PASIDs, its driver's vIOMMUs, the kernel's vIOMMU objects), as
 * iommufd_device_caps() learns it.
 */
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
	struct iommufd_device_caps caps;	/* what the kernel said, when error is "" */
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

/* Open the device to ask what it offers; a device in use elsewhere says why it cannot be. */
static void probe(struct cli *cli, struct dev_row *r)
{
	struct iommufd_device *dev;
	int ret;

	/* Either kernel opens a device by the name its list gives. */
	ret = iommufd_device_open(cli->ctx, r->desc.name, &dev);
	if (ret) {
		/* The kernel binds a cdev once (EINVAL), a group-opened device not at all (EBUSY). */
		snprintf(r->error, sizeof(r->error), "%s%s", *iommufd_last_error(cli->ctx) ?
			 iommufd_last_error(cli->ctx) : strerror(-ret),
			 ret == -EINVAL || ret == -EBUSY ? " (in use by another process?)" : "");
		return;
	}
	r->caps.size = sizeof(r->caps);
	ret = iommufd_device_caps(dev, &r->caps);
	if (ret)
		snprintf(r->error, sizeof(r->error), "%s", *iommufd_last_error(cli->ctx) ?
			 iommufd_last_error(cli->ctx) : strerror(-ret));
	iommufd_device_close(dev);
}

static bool has(const struct dev_row *r, uint32_t cap)
{
	return r->caps.flags & cap;
}

/*
 * The table: a column a line in cols, each cell from its row. The columns of what a device
 * offers say "yes", "no", the PASID width, "-" where an emulated device has no IOMMU to
 * ask, and "?" where the device could not be asked (its row ends in why).
 */
#define CELL_MAX (TEXT_NAME_MAX + 8)

/* A cell with a name: escaped (a name may hold any byte), "-" when empty. */
static const char *cell_text(const char *s, char *buf)
{
	return *s ? text_show(s, buf, TEXT_NAME_MAX) : "-";
}

static const char *cell_name(const struct dev_row *r, char *buf)
{
	return cell_text(r->desc.name, buf);
}

static const char *cell_cdev(const struct dev_row *r, char *buf)
{
	return cell_text(r->desc.cdev, buf);
}

static const char *cell_iommu(const struct dev_row *r, char *buf)
{
	return cell_text(r->desc.iommu, buf);
}

static const char *cell_driver(const struct dev_row *r, char *buf)
{
	return cell_text(r->desc.driver, buf);
}

static const char *cell_emulated(const struct dev_row *r, char *buf)
{
	return r->desc.emulated ? "yes" : "no";
}

static const char *cell_dirty(const struct dev_row *r, char *buf)
{
	return has(r, IOMMUFD_DEVICE_CAP_DIRTY_TRACKING) ? "yes" : "no";
}

/* Nest parents, and where the IOMMU tracks dirty pages but not on them (SMMUv3), says so. */
static const char *cell_nest(const struct dev_row *r, char *buf)
{
	if (!has(r, IOMMUFD_DEVICE_CAP_NEST_PARENT))
		return "no";
	if (has(r, IOMMUFD_DEVICE_CAP_DIRTY_TRACKING) &&
	    !has(r, IOMMUFD_DEVICE_CAP_NEST_PARENT_DIRTY))
		return "yes (no dirty)";
	return "yes";
}

/* The PASID width in bits, or "no". */
static const char *cell_pasid(const struct dev_row *r, char *buf)
{
	if (!r->caps.max_pasid_log2)
		return "no";
	snprintf(buf, CELL_MAX, "%u", r->caps.max_pasid_log2);
	return buf;
}

static const char *cell_viommu(const struct dev_row *r, char *buf)
{
	return has(r, IOMMUFD_DEVICE_CAP_VIOMMU_DRIVER) ? "yes" : "no";
}

/*
 * A column of what a device's IOMMU offers has an emulated device's cell of its own, and "?"
 * where the device could not be asked. DIRTY says why an emulated device's is no: no IOMMU
 * sees its writes.
 */
static const struct {
	const char *head;
	const char *(*cell)(const struct dev_row *r, char *buf);	/* buf: CELL_MAX bytes */
	const char *emulated;	/* an emulated device's cell; NULL: not a column of its IOMMU */
} cols[] = {
	{ "NAME", cell_name, NULL },
	{ "CDEV", cell_cdev, NULL },
	{ "IOMMU", cell_iommu, NULL },
	{ "DRIVER", cell_driver, NULL },
	{ "EMULATED", cell_emulated, NULL },
	{ "DIRTY", cell_dirty, "no (emulated)" },	/* its IOMMU tracks dirty pages */
	{ "NEST", cell_nest, "-" },		/* its IOMMU makes nest-parent domains */
	{ "PASID", cell_pasid, "-" },		/* the device's PASID width */
	{ "VIOMMU", cell_viommu, "-" },		/* its IOMMU driver makes vIOMMUs */
};
#define N_COLS (sizeof(cols) / sizeof(cols[0]))

static const char *table_cell(const struct dev_row *r, unsigned c, char *buf)
{
	if (cols[c].emulated && r->error[0])
		return "?";
	if (cols[c].emulated && r->desc.emulated)
		return cols[c].emulated;
	return cols[c].cell(r, buf);
}

/* A cell padded to width columns, two spaces apart from the next; the last one unpadded
 * unless more follows (no line ends in spaces). */
static void put_cell(const char *s, unsigned c, int width, bool more)
{
	int pad = width - text_width(s);

	fputs(s, stdout);
	if (c + 1 < N_COLS || more)
		printf("%*s", (pad > 0 ? pad : 0) + 2, "");
}

/* Why a device's writes would not be in a VMM's dirty harvest; NULL when they would be. */
static const char *not_migratable_why(const struct dev_row *r)
{
	if (r->error[0])
		return "could not be asked";
	if (r->desc.emulated)
		return "emulated";
	if (!has(r, IOMMUFD_DEVICE_CAP_DIRTY_TRACKING))
		return "no dirty tracking";
	return NULL;
}

/* The names the summary line lists at most; the rest are counted. */
#define SUMMARY_NAMES 8

/*
 * The answer at a glance: how many of the devices could be live-migrated with IOMMU dirty
 * tracking (attach and migrate judge each as this), and which not, and why.
 */
static void print_summary(const struct dev_row *rows, unsigned n)
{
	char name[CELL_MAX];
	unsigned i, ok = 0, shown = 0;
	const char *why;

	for (i = 0; i < n; i++)
		ok += !not_migratable_why(&rows[i]);
	printf("live migration with IOMMU dirty tracking: ");
	if (ok == n) {
		printf("all %u device%s\n", n, n == 1 ? "" : "s");
		return;
	}
	printf("%u of %u device%s; not:", ok, n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		why = not_migratable_why(&rows[i]);
		if (!why)
			continue;
		if (shown++ == SUMMARY_NAMES)
			break;
		printf("%s %s (%s)", shown > 1 ? "," : "", cell_name(&rows[i], name), why);
	}
	if (shown > SUMMARY_NAMES)
		printf(" and %u more", n - ok - SUMMARY_NAMES);
	printf("\n");
}

/* The kernel's vIOMMU objects: 1, 0, or -1 when no device could be asked. */
static int kernel_viommu(const struct dev_row *rows, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (!rows[i].error[0])
			return has(&rows[i], IOMMUFD_DEVICE_CAP_VIOMMU);
	return -1;
}

/* An empty table: why, and what to do. listed: the devices before --dirty-tracking. */
static void print_none(const struct cli *cli, unsigned listed)
{
	if (listed)
		printf("(no device whose IOMMU tracks dirty pages)\n");
	else if (cli->simulated)
		printf("(no devices in the simulated topology: its \"devices\" lists them, see "
		       "iommufd_sim_new(3))\n");
	else
		printf("(no VFIO device cdevs: bind devices to vfio-pci, see iommufdctl(1))\n");
}

static void print_plain(const struct cli *cli, const struct dev_row *rows, unsigned n,
			unsigned listed, int viommu)
{
	char buf[CELL_MAX];
	int width[N_COLS];
	const struct dev_row *r;
	unsigned i, c;
	int w;

	/* Each column as wide as its widest cell. */
	for (c = 0; c < N_COLS; c++) {
		width[c] = text_width(cols[c].head);
		for (i = 0; i < n; i++) {
			w = text_width(table_cell(&rows[i], c, buf));
			if (w > width[c])
				width[c] = w;
		}
	}
	for (c = 0; c < N_COLS; c++)
		put_cell(cols[c].head, c, width[c], false);
	printf("\n");
	for (i = 0; i < n; i++) {
		r = &rows[i];
		for (c = 0; c < N_COLS; c++)
			put_cell(table_cell(r, c, buf), c, width[c], r->error[0]);
		if (r->error[0]) {
			printf("(");
			text_put(r->error, stdout);
			printf(")");
		}
		printf("\n");
	}
	if (n)
		print_summary(rows, n);
	else
		print_none(cli, listed);
	if (viommu >= 0)
		printf("(vIOMMU objects: %s)\n", viommu ? "yes, the kernel has IOMMU_VIOMMU_ALLOC" :
		       "no, the kernel has no IOMMU_VIOMMU_ALLOC");
}

/* A fact of a device that could be asked; null (NULL) where it could not. */
static json_object *known_bool(const struct dev_row *r, bool v)
{
	return r->error[0] ? NULL : json_object_new_boolean(v);
}

static json_object *known_int(const struct dev_row *r, int64_t v)
{
	return r->error[0] ? NULL : json_object_new_int64(v);
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
	/* Unknown (null) when the device could not be opened or asked. */
	json_object_object_add(o, "dirty_tracking",
			       known_bool(r, has(r, IOMMUFD_DEVICE_CAP_DIRTY_TRACKING)));
	json_object_object_add(o, "nest_parent",
			       known_bool(r, has(r, IOMMUFD_DEVICE_CAP_NEST_PARENT)));
	json_object_object_add(o, "nest_parent_dirty_tracking",
			       known_bool(r, has(r, IOMMUFD_DEVICE_CAP_NEST_PARENT_DIRTY)));
	json_object_object_add(o, "viommu", known_bool(r, has(r, IOMMUFD_DEVICE_CAP_VIOMMU_DRIVER)));
	json_object_object_add(o, "pasid_bits", known_int(r, r->caps.max_pasid_log2));
	json_object_object_add(o, "pasid_exec",
			       known_bool(r, r->caps.hw_capabilities & IOMMUFD_HW_CAP_PCI_PASID_EXEC));
	json_object_object_add(o, "pasid_priv",
			       known_bool(r, r->caps.hw_capabilities & IOMMUFD_HW_CAP_PCI_PASID_PRIV));
	json_object_object_add(o, "hw_info_type", known_int(r, r->caps.hw_info_type));
	json_object_object_add(o, "hw_capabilities",
			       r->error[0] ? NULL : json_object_new_uint64(r->caps.hw_capabilities));
	json_object_object_add(o, "error", r->error[0] ? json_str(r->error) : NULL);
	return o;
}

/* The summary line's answer: the devices that could be live-migrated, and the others, why. */
static json_object *json_live_migration(const struct dev_row *rows, unsigned n)
{
	json_object *o = json_object_new_object(), *yes = json_object_new_array();
	json_object *no = json_object_new_array(), *d;
	const char *why;
	unsigned i;

	if (!o || !yes || !no) {
		json_object_put(o);
		json_object_put(yes);
		json_object_put(no);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		why = not_migratable_why(&rows[i]);
		if (!why) {
			json_object_array_add(yes, json_str(rows[i].desc.name));
			continue;
		}
		d = json_object_new_object();
		if (d) {
			json_object_object_add(d, "name", json_str(rows[i].desc.name));
			json_object_object_add(d, "reason", json_str(why));
		}
		json_object_array_add(no, d);
	}
	json_object_object_add(o, "migratable", yes);
	json_object_object_add(o, "not_migratable", no);
	return o;
}

static int print_json(struct cli *cli, const struct dev_row *rows, unsigned n, int viommu)
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
	json_object_object_add(doc, "live_migration", json_live_migration(rows, n));
	/* A fact of the kernel, asked through any device that could be opened; else null. */
	json_object_object_add(doc, "kernel_viommu",
			       viommu < 0 ? NULL : json_object_new_boolean(viommu));
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
		if (!rows[i].error[0] && has(&rows[i], IOMMUFD_DEVICE_CAP_DIRTY_TRACKING))
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
	unsigned n = 0, listed, i;
	int npos, rc, viommu;

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
	viommu = kernel_viommu(rows, n);
	listed = n;
	if (o.dirty)
		n = keep_dirty(rows, n);
	if (cli->json)
		rc = print_json(cli, rows, n, viommu);
	else if (o.names)
		print_names(rows, n);
	else
		print_plain(cli, rows, n, listed, viommu);
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
		"it is emulated (an mdev, without an IOMMU of its own), and what its IOMMU and\n"
		"kernel offer, as the kernel answers (never from its version): DIRTY, dirty\n"
		"tracking (GET_HW_INFO); NEST, nest-parent domains (one is made on a scratch IOAS\n"
		"and destroyed), \"yes (no dirty)\" where the IOMMU tracks dirty pages but not on\n"
		"its nest parents (SMMUv3: attach --nest-parent finds it not covered); PASID, the\n"
		"device's PASID width in bits (GET_HW_INFO); VIOMMU, its IOMMU driver makes\n"
		"vIOMMUs of its own type (one is made over a scratch nest parent and destroyed;\n"
		"SMMUv3 and the selftest mock do, VT-d nests without). Each is \"yes\" (for PASID\n"
		"the width) or \"no\"; for an emulated device (no IOMMU of its own sees its writes)\n"
		"DIRTY is \"no (emulated)\" and the others \"-\"; \"?\" for one that could not be asked.\n"
		"Each device is opened (bound to a fresh iommufd); one that cannot be (for\n"
		"instance in use by a VMM) is listed with the reason.\n\n"
		"After the table a line answers which devices could be live-migrated with IOMMU\n"
		"dirty tracking, as attach and migrate judge each: \"3 of 5 devices; not: NAME\n"
		"(why), ...\" (no dirty tracking, emulated, could not be asked). A last line says\n"
		"whether the kernel has vIOMMU objects (IOMMU_VIOMMU_ALLOC).\n\n"
		"--names prints only the names of the devices that could be opened, one per line,\n"
		"for scripts: iommufdctl migrate $(iommufdctl devices --names --dirty-tracking).\n\n"
		"JSON: {\"command\", \"simulated\", \"devices\": [{\"name\", \"cdev\", \"iommu\", \"driver\",\n"
		"\"emulated\", \"dirty_tracking\", \"nest_parent\", \"nest_parent_dirty_tracking\",\n"
		"\"viommu\", \"pasid_exec\", \"pasid_priv\" (true/false), \"pasid_bits\", \"hw_info_type\",\n"
		"\"hw_capabilities\" (numbers), each null if unknown, \"error\" (null or why)}],\n"
		"\"live_migration\": {\"migratable\": [names], \"not_migratable\": [{\"name\",\n"
		"\"reason\"}]}, \"kernel_viommu\" (true/false, null if no device could be asked)}",
	.opts = devices_opts,
	.run = run,
};
