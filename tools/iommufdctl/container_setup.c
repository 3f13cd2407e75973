// SPDX-License-Identifier: LGPL-2.1-or-later
/* One container with the command line's devices attached; its layout, in text and JSON. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container_setup.h"
#include "text_safe.h"

int setup_check_names(const struct command *cmd, char **names, int n)
{
	char arg[TEXT_NAME_MAX];
	int i, j;

	if (n == 0)
		return cli_usage_err(cmd, "%s: no DEVICE given", cmd->name);
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			/* "selftest" makes a new mock device each time: it may repeat. */
			if (!strcmp(names[i], names[j]) && !iommufd_is_selftest_name(names[i]))
				return cli_usage_err(cmd, "device '%s' given twice",
						     text_cut(names[i], arg, sizeof(arg)));
	return EXIT_OK;
}

/* Two descriptions of one device: its cdev is its identity (the name is only one of many). */
static bool same_device(const struct iommufd_device_desc *a, const struct iommufd_device_desc *b)
{
	return a->cdev[0] || b->cdev[0] ? !strcmp(a->cdev, b->cdev) : !strcmp(a->name, b->name);
}

int setup_check_same(struct cli *cli, const struct command *cmd, char **names, int n)
{
	char first[TEXT_NAME_MAX], second[TEXT_NAME_MAX];
	struct iommufd_device_desc *d;
	bool *known;
	int i, j, rc = EXIT_OK;

	d = calloc(n, sizeof(*d));
	known = calloc(n, sizeof(*known));
	if (!d || !known) {
		free(d);
		free(known);
		return cli_fail_errno(cli, -ENOMEM, "devices");
	}
	/* A name that describes nothing is left to the open, which says why. */
	for (i = 0; i < n; i++)
		known[i] = !iommufd_is_selftest_name(names[i]) &&
			   !iommufd_device_describe(cli->ctx, names[i], &d[i], sizeof(d[i]));
	for (i = 0; i < n && !rc; i++)
		for (j = 0; j < i && !rc; j++)
			if (known[i] && known[j] && same_device(&d[i], &d[j]))
				rc = cli_usage_err(cmd, "device '%s' and '%s' are the same device",
						   text_cut(names[j], first, sizeof(first)),
						   text_cut(names[i], second, sizeof(second)));
	free(d);
	free(known);
	return rc;
}

static int read_layout(struct setup *s)
{
	struct setup_dev *sd;
	unsigned i, j;
	int ret;

	/* read again after the nesting: the earlier list goes */
	free(s->domains);
	s->domains = NULL;
	s->ndomains = 0;
	ret = iommufd_container_domains_all(s->c, &s->domains, sizeof(*s->domains));
	if (ret < 0)
		return ret;
	s->ndomains = ret;
	for (i = 0; i < s->ndevs; i++) {
		sd = &s->devs[i];
		sd->pt_id = iommufd_device_pt_id(sd->dev);
		sd->domain = -1;
		memset(&sd->nest, 0, sizeof(sd->nest));
		sd->nest.size = sizeof(sd->nest);
		if (iommufd_container_nesting(s->c, sd->dev, &sd->nest))
			memset(&sd->nest, 0, sizeof(sd->nest));
		/* on a stage-1 domain a device belongs to its nest parent */
		for (j = 0; j < s->ndomains; j++)
			if (s->domains[j].hwpt_id == sd->pt_id ||
			    (sd->nest.parent_id && s->domains[j].hwpt_id == sd->nest.parent_id))
				sd->domain = (int)j;
		/* The library knows why a device is not covered; the tool only shows it. */
		ret = iommufd_container_device_covered(s->c, sd->dev, sd->why_not,
						       sizeof(sd->why_not));
		if (ret < 0)
			return ret;
		sd->covered = ret;
	}
	ret = iommufd_container_dirty_status(s->c);
	if (ret < 0)
		return ret;
	s->dirty_status = ret;
	if (ret == 0)
		snprintf(s->status_msg, sizeof(s->status_msg), "%s",
			 iommufd_last_error(s->cli->ctx));
	return 0;
}

int setup_build(struct cli *cli, uint32_t flags, char **names, unsigned n, struct setup *s)
{
	char arg[TEXT_NAME_MAX];
	struct setup_dev *sd;
	unsigned i;
	int ret;

	memset(s, 0, sizeof(*s));
	s->cli = cli;
	s->flags = flags;
	s->devs = calloc(n, sizeof(*s->devs));
	if (!s->devs)
		return cli_fail_errno(cli, -ENOMEM, "devices");
	for (i = 0; i < n; i++) {
		sd = &s->devs[i];
		sd->arg = names[i];
		ret = iommufd_device_open(cli->ctx, names[i], &sd->dev);
		if (ret) {
			cli_fail(cli, ret, "open device '%s'", text_cut(names[i], arg, sizeof(arg)));
			goto out_teardown;
		}
		s->ndevs++;
		sd->emulated = iommufd_device_is_emulated(sd->dev);
		sd->dirty_capable = iommufd_device_dirty_capable(sd->dev);
	}
	ret = iommufd_container_new(cli->ctx, flags, &s->c);
	if (ret) {
		cli_fail(cli, ret, "new container");
		goto out_teardown;
	}
	s->ioas_id = iommufd_container_ioas_id(s->c);
	for (i = 0; i < s->ndevs; i++) {
		ret = iommufd_container_attach(s->c, s->devs[i].dev);
		if (ret) {
			cli_fail(cli, ret, "attach '%s'", text_cut(s->devs[i].arg, arg, sizeof(arg)));
			goto out_teardown;
		}
	}
	ret = read_layout(s);
	if (ret) {
		cli_fail(cli, ret, "container layout");
		goto out_teardown;
	}
	return EXIT_OK;

out_teardown:
	setup_teardown(s);
	return EXIT_ERROR;
}

/* The driver's data for a stage-1 domain that translates as its nest parent does. */
static bool passthrough_s1(const struct iommufd_device *dev, struct iommufd_ctx *ctx,
			   uint32_t *type, uint64_t data[2], size_t *len)
{
	struct iommufd_hw_info hw;

	if (iommufd_get_hw_info(ctx, iommufd_device_id(dev), &hw))
		return false;
	switch (hw.type) {
	case 2: /* IOMMU_HW_INFO_TYPE_ARM_SMMUV3: an STE, valid, Cfg bypass */
		*type = 2; /* IOMMU_HWPT_DATA_ARM_SMMUV3 */
		data[0] = 1 | 4 << 1;
		data[1] = 0;
		*len = 16;
		return true;
	case 0xfeedbeef: /* the selftest mock: its data is an IOTLB value */
		*type = 0xdead;
		data[0] = 0;
		*len = 4;
		return true;
	default:
		/* VT-d's stage 1 is the guest's own page table: none to make up here */
		return false;
	}
}

int setup_nest(struct setup *s)
{
	char arg[TEXT_NAME_MAX];
	struct setup_dev *sd;
	uint64_t data[2];
	uint32_t type;
	unsigned i;
	size_t len;
	int ret;

	for (i = 0; i < s->ndevs; i++) {
		sd = &s->devs[i];
		if (sd->domain < 0)
			continue;
		sd->nested_asked = true;
		ret = iommufd_container_set_virt_id(s->c, sd->dev, i + 1);
		if (ret == -ENOTTY || ret == -EOPNOTSUPP)
			snprintf(sd->nest_note, sizeof(sd->nest_note), "%s",
				 iommufd_last_error(s->cli->ctx));
		else if (ret)
			goto fail;
		if (!passthrough_s1(sd->dev, s->cli->ctx, &type, data, &len)) {
			if (!sd->nest_note[0])
				snprintf(sd->nest_note, sizeof(sd->nest_note),
					 "no stage-1 data the tool can make for IOMMU %s",
					 iommufd_device_iommu(sd->dev));
			continue;
		}
		ret = iommufd_container_attach_nested(s->c, sd->dev, type, data, len);
		if (ret)
			goto fail;
	}
	ret = read_layout(s);
	if (ret) {
		cli_fail(s->cli, ret, "container layout");
		setup_teardown(s);
		return EXIT_ERROR;
	}
	return EXIT_OK;

fail:
	cli_fail(s->cli, ret, "nesting of '%s'", text_cut(sd->arg, arg, sizeof(arg)));
	setup_teardown(s);
	return EXIT_ERROR;
}

int setup_teardown(struct setup *s)
{
	char arg[TEXT_NAME_MAX];
	int rc = EXIT_OK, ret;
	unsigned i;

	/* Reverse order of setup: detach, free the container, then unbind the devices. */
	for (i = s->ndevs; i-- > 0;) {
		if (!s->c || !iommufd_device_pt_id(s->devs[i].dev))
			continue;
		ret = iommufd_container_detach(s->c, s->devs[i].dev);
		if (ret)
			rc = cli_fail(s->cli, ret, "detach '%s'",
				      text_cut(s->devs[i].arg, arg, sizeof(arg)));
	}
	if (s->c)
		iommufd_container_free(s->c);
	s->c = NULL;
	for (i = s->ndevs; i-- > 0;)
		iommufd_device_close(s->devs[i].dev);
	free(s->devs);
	free(s->domains);
	s->devs = NULL;
	s->domains = NULL;
	s->ndevs = 0;
	s->ndomains = 0;
	return rc;
}

int setup_output_begin(struct setup *s, const char *command, struct setup_output *o)
{
	struct cli *cli = s->cli;

	memset(o, 0, sizeof(*o));
	if (!cli->json) {
		setup_print_layout(s, stdout);
		setup_print_coverage(s, stdout);
		return EXIT_OK;
	}
	o->doc = json_object_new_object();
	if (!o->doc) {
		setup_teardown(s);
		return cli_fail_errno(cli, -ENOMEM, "JSON output");
	}
	json_object_object_add(o->doc, "command", json_str(command));
	json_object_object_add(o->doc, "simulated", json_object_new_boolean(cli->simulated));
	setup_json_layout(s, o->doc);
	return EXIT_OK;
}

int setup_finish(struct setup *s, struct setup_output *o, int rc)
{
	struct cli *cli = s->cli;
	json_object *teardown;
	bool clean, printed;
	long left;
	int ret;

	/* A failed teardown has printed its message (and error document): it decides. */
	ret = setup_teardown(s);
	if (ret)
		rc = ret;
	clean = session_leak_check(cli, &left) && !ret;
	if (!clean && rc != EXIT_ERROR)
		rc = cli_fail_msg(cli, "teardown left %ld kernel object%s behind", left,
				  left == 1 ? "" : "s");
	/* On a failure the error document has been printed instead; a run stopped by a
	 * signal reports what it did. */
	printed = rc == EXIT_OK || rc == EXIT_NOT_MIGRATABLE || rc >= EXIT_SIGNAL_BASE;
	if (!o->doc) {
		if (printed)
			printf("teardown: %s\n",
			       cli->simulated ? "clean (no kernel object left)" : "done");
		return rc;
	}
	teardown = json_object_new_object();
	if (teardown) {
		json_object_object_add(teardown, "clean", json_object_new_boolean(clean));
		json_object_object_add(teardown, "objects_left",
				       cli->simulated ? json_object_new_int64(left) : NULL);
	}
	json_object_object_add(o->doc, "teardown", teardown);
	json_object_object_add(o->doc, "exit_code", json_object_new_int(rc));
	if (printed)
		json_print(o->doc, stdout);
	json_object_put(o->doc);
	o->doc = NULL;
	return rc;
}

bool setup_migratable(const struct setup *s)
{
	return (s->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING) && s->dirty_status == 1;
}

static unsigned count_uncovered(const struct setup *s)
{
	unsigned i, n = 0;

	for (i = 0; i < s->ndevs; i++)
		n += !s->devs[i].covered;
	return n;
}

/* A device's vIOMMU, virtual id and stage-1 domain, or why it has none. */
static void print_nesting(const struct setup_dev *sd, FILE *f)
{
	char note[sizeof(sd->nest_note) * 4];

	if (sd->nest.viommu_id)
		fprintf(f, "      vIOMMU %u (type 0x%x), virtual id 0x%llx (vDEVICE %u)\n",
			sd->nest.viommu_id, sd->nest.viommu_type,
			(unsigned long long)sd->nest.virt_id, sd->nest.vdevice_id);
	if (sd->nest.hwpt_id)
		fprintf(f, "      stage-1 domain (hwpt %u) over hwpt %u\n", sd->nest.hwpt_id,
			sd->nest.parent_id);
	if (sd->nest_note[0])
		fprintf(f, "      %s\n", text_show(sd->nest_note, note, sizeof(note)));
}

void setup_print_layout(const struct setup *s, FILE *f)
{
	char name[TEXT_NAME_MAX], iommu[TEXT_NAME_MAX];
	const struct setup_dev *sd;
	bool any_ioas = false;
	unsigned i, j;

	fprintf(f, "container: IOAS %u, dirty tracking %s, nest-parent %s\n", s->ioas_id,
		(s->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING) ? "requested" : "not requested",
		(s->flags & IOMMUFD_CONTAINER_NEST_PARENT) ? "yes" : "no");
	for (j = 0; j < s->ndomains; j++) {
		fprintf(f, "  domain (hwpt %u): %s, %u device%s\n", s->domains[j].hwpt_id,
			iommufd_domain_flags_str(s->domains[j].flags), s->domains[j].ndevices,
			s->domains[j].ndevices == 1 ? "" : "s");
		for (i = 0; i < s->ndevs; i++) {
			sd = &s->devs[i];
			if (sd->domain != (int)j)
				continue;
			fprintf(f, "    %-20s iommu %s\n",
				text_show(iommufd_device_name(sd->dev), name, sizeof(name)),
				text_show(iommufd_device_iommu(sd->dev), iommu, sizeof(iommu)));
			if (sd->nested_asked)
				print_nesting(sd, f);
		}
	}
	for (i = 0; i < s->ndevs; i++) {
		sd = &s->devs[i];
		if (sd->domain >= 0)
			continue;
		if (!any_ioas)
			fprintf(f, "  on the IOAS itself (no domain):\n");
		any_ioas = true;
		fprintf(f, "    %-20s %s\n",
			text_show(iommufd_device_name(sd->dev), name, sizeof(name)),
			sd->emulated ? "emulated" : "physical");
	}
}

void setup_print_coverage(const struct setup *s, FILE *f)
{
	char name[TEXT_NAME_MAX], why[sizeof(s->devs[0].why_not) * 4];
	const struct setup_dev *sd;
	unsigned i;

	if (!(s->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING)) {
		fprintf(f, "dirty tracking: not requested (--no-dirty)\n");
		return;
	}
	if (setup_migratable(s)) {
		fprintf(f, "dirty tracking: all %u device%s covered: migratable\n", s->ndevs,
			s->ndevs == 1 ? "" : "s");
		return;
	}
	fprintf(f, "dirty tracking: %u of %u device%s NOT covered: not migratable with IOMMU "
		   "dirty tracking\n", count_uncovered(s), s->ndevs, s->ndevs == 1 ? "" : "s");
	for (i = 0; i < s->ndevs; i++) {
		sd = &s->devs[i];
		if (!sd->covered)
			fprintf(f, "  %-20s %s\n",
				text_show(iommufd_device_name(sd->dev), name, sizeof(name)),
				text_show(sd->why_not, why, sizeof(why)));
	}
}

static json_object *id_or_null(uint32_t id, uint64_t value)
{
	return id ? json_object_new_uint64(value) : NULL;
}

static json_object *json_nesting(const struct setup_dev *sd)
{
	json_object *n = json_object_new_object();

	if (!n)
		return NULL;
	json_object_object_add(n, "viommu_id", id_or_null(sd->nest.viommu_id, sd->nest.viommu_id));
	json_object_object_add(n, "viommu_type", id_or_null(sd->nest.viommu_id,
							    sd->nest.viommu_type));
	json_object_object_add(n, "virt_id", id_or_null(sd->nest.vdevice_id, sd->nest.virt_id));
	json_object_object_add(n, "vdevice_id", id_or_null(sd->nest.vdevice_id,
							   sd->nest.vdevice_id));
	json_object_object_add(n, "stage1_hwpt_id", id_or_null(sd->nest.hwpt_id, sd->nest.hwpt_id));
	json_object_object_add(n, "parent_hwpt_id", json_object_new_uint64(sd->nest.parent_id));
	json_object_object_add(n, "note", sd->nest_note[0] ? json_str(sd->nest_note) : NULL);
	return n;
}

static json_object *json_device(const struct setup_dev *sd)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "name", json_str(iommufd_device_name(sd->dev)));
	json_object_object_add(o, "arg", json_str(sd->arg));
	json_object_object_add(o, "dev_id", json_object_new_uint64(iommufd_device_id(sd->dev)));
	json_object_object_add(o, "iommu", json_str(iommufd_device_iommu(sd->dev)));
	json_object_object_add(o, "emulated", json_object_new_boolean(sd->emulated));
	json_object_object_add(o, "dirty_capable", sd->dirty_capable < 0 ? NULL :
			       json_object_new_boolean(sd->dirty_capable));
	json_object_object_add(o, "pt_id", json_object_new_uint64(sd->pt_id));
	/* its domain: on a stage-1 domain, the nest parent under it */
	json_object_object_add(o, "hwpt_id", sd->domain >= 0 ?
			       json_object_new_uint64(sd->nest.parent_id ?: sd->pt_id) : NULL);
	json_object_object_add(o, "covered", json_object_new_boolean(sd->covered));
	json_object_object_add(o, "reason", sd->covered ? NULL : json_str(sd->why_not));
	if (sd->nested_asked)
		json_object_object_add(o, "nesting", json_nesting(sd));
	return o;
}

/* The names of the devices for which in(s, dev, arg) holds, in command-line order. */
static json_object *json_names(const struct setup *s,
			       bool (*in)(const struct setup_dev *sd, int arg), int arg)
{
	json_object *a = json_object_new_array();
	unsigned i;

	for (i = 0; a && i < s->ndevs; i++)
		if (in(&s->devs[i], arg))
			json_object_array_add(a, json_str(iommufd_device_name(s->devs[i].dev)));
	return a;
}

static bool in_domain(const struct setup_dev *sd, int domain)
{
	return sd->domain == domain;
}

static bool not_covered(const struct setup_dev *sd, int unused)
{
	return !sd->covered;
}

void setup_json_layout(const struct setup *s, json_object *obj)
{
	json_object *o, *a;
	unsigned i, j;

	o = json_object_new_object();
	if (o) {
		json_object_object_add(o, "ioas_id", json_object_new_uint64(s->ioas_id));
		json_object_object_add(o, "dirty_tracking", json_object_new_boolean(
				       s->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING));
		json_object_object_add(o, "nest_parent", json_object_new_boolean(
				       s->flags & IOMMUFD_CONTAINER_NEST_PARENT));
	}
	json_object_object_add(obj, "container", o);

	a = json_object_new_array();
	for (j = 0; a && j < s->ndomains; j++) {
		o = json_object_new_object();
		if (o) {
			json_object_object_add(o, "hwpt_id",
					       json_object_new_uint64(s->domains[j].hwpt_id));
			json_object_object_add(o, "dirty_tracking", json_object_new_boolean(
					       s->domains[j].flags & IOMMUFD_DOMAIN_DIRTY_TRACKING));
			json_object_object_add(o, "nest_parent", json_object_new_boolean(
					       s->domains[j].flags & IOMMUFD_DOMAIN_NEST_PARENT));
			json_object_object_add(o, "devices", json_names(s, in_domain, (int)j));
		}
		json_object_array_add(a, o);
	}
	json_object_object_add(obj, "domains", a);
	json_object_object_add(obj, "ioas_devices", json_names(s, in_domain, -1));

	a = json_object_new_array();
	for (i = 0; a && i < s->ndevs; i++)
		json_object_array_add(a, json_device(&s->devs[i]));
	json_object_object_add(obj, "devices", a);

	o = json_object_new_object();
	if (o) {
		json_object_object_add(o, "requested", json_object_new_boolean(
				       s->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING));
		json_object_object_add(o, "all_covered",
				       json_object_new_boolean(s->dirty_status == 1));
		json_object_object_add(o, "not_covered", json_names(s, not_covered, 0));
		json_object_object_add(o, "message",
				       s->dirty_status == 1 ? NULL : json_str(s->status_msg));
	}
	json_object_object_add(obj, "dirty_tracking", o);
	json_object_object_add(obj, "migratable", json_object_new_boolean(setup_migratable(s)));
}
