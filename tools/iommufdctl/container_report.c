// SPDX-License-Identifier: LGPL-2.1-or-later
/* What attach and migrate print of their setup: the layout and coverage, as text and JSON. */
#include <errno.h>
#include <string.h>

#include "container_setup.h"
#include "text_safe.h"

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
	const char *type = viommu_type_name(sd->nest.viommu_type);
	char note[sizeof(sd->nest_note) * 4];

	if (sd->nest.viommu_id)
		fprintf(f, "      vIOMMU %u (%s%stype 0x%x), virtual id 0x%llx (vDEVICE %u)\n",
			sd->nest.viommu_id, type ? type : "", type ? ", " : "",
			sd->nest.viommu_type, (unsigned long long)sd->nest.virt_id,
			sd->nest.vdevice_id);
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
	const char *type = viommu_type_name(sd->nest.viommu_type);
	json_object *n = json_object_new_object();

	if (!n)
		return NULL;
	json_object_object_add(n, "viommu_id", id_or_null(sd->nest.viommu_id, sd->nest.viommu_id));
	json_object_object_add(n, "viommu_type", id_or_null(sd->nest.viommu_id,
							    sd->nest.viommu_type));
	json_object_object_add(n, "viommu_type_name", sd->nest.viommu_id && type ?
			       json_str(type) : NULL);
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
