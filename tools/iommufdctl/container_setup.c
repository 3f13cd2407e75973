// SPDX-License-Identifier: LGPL-2.1-or-later
/* One container with the command line's devices attached; its layout, in text and JSON. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container_setup.h"

int setup_check_names(const struct command *cmd, char **names, int n)
{
	int i, j;

	if (n == 0)
		return cli_usage_err(cmd, "%s: no DEVICE given", cmd->name);
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			/* "selftest" makes a new mock device each time: it may repeat. */
			if (!strcmp(names[i], names[j]) && strncmp(names[i], "selftest", 8))
				return cli_usage_err(cmd, "device '%s' given twice", names[i]);
	return EXIT_OK;
}

const char *domain_flags_str(uint32_t flags)
{
	if ((flags & IOMMUFD_DOMAIN_DIRTY_TRACKING) && (flags & IOMMUFD_DOMAIN_NEST_PARENT))
		return "dirty-tracking, nest-parent";
	if (flags & IOMMUFD_DOMAIN_DIRTY_TRACKING)
		return "dirty-tracking";
	if (flags & IOMMUFD_DOMAIN_NEST_PARENT)
		return "no dirty tracking, nest-parent";
	return "no dirty tracking";
}

static int read_domains(struct setup *s)
{
	struct iommufd_domain_info *d;
	unsigned cap = 8;
	int n;

	/* The count may grow between calls only if someone else attaches: retry until it fits. */
	for (;;) {
		d = realloc(s->domains, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		s->domains = d;
		n = iommufd_container_domains(s->c, d, cap);
		if (n < 0)
			return n;
		if ((unsigned)n <= cap)
			break;
		cap = n;
	}
	s->ndomains = n;
	return 0;
}

static int read_layout(struct setup *s)
{
	struct setup_dev *sd;
	unsigned i, j;
	int ret;

	ret = read_domains(s);
	if (ret)
		return ret;
	for (i = 0; i < s->ndevs; i++) {
		sd = &s->devs[i];
		sd->pt_id = iommufd_device_pt_id(sd->dev);
		sd->domain = -1;
		for (j = 0; j < s->ndomains; j++)
			if (s->domains[j].hwpt_id == sd->pt_id)
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
			cli_fail(cli, ret, "open device '%s'", names[i]);
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
			cli_fail(cli, ret, "attach '%s'", s->devs[i].arg);
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

int setup_teardown(struct setup *s)
{
	int rc = EXIT_OK, ret;
	unsigned i;

	/* Reverse order of setup: detach, free the container, then unbind the devices. */
	for (i = s->ndevs; i-- > 0;) {
		if (!s->c || !iommufd_device_pt_id(s->devs[i].dev))
			continue;
		ret = iommufd_container_detach(s->c, s->devs[i].dev);
		if (ret)
			rc = cli_fail(s->cli, ret, "detach '%s'", s->devs[i].arg);
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
	o->mem = open_memstream(&o->doc, &o->doclen);
	if (!o->mem) {
		int err = -errno;

		setup_teardown(s);
		return cli_fail_errno(cli, err, "JSON output");
	}
	jw_init(&o->w, o->mem);
	jw_obj_begin(&o->w);
	jw_kstr(&o->w, "command", command);
	jw_kbool(&o->w, "simulated", cli->simulated);
	setup_json_layout(s, &o->w);
	return EXIT_OK;
}

int setup_finish(struct setup *s, struct setup_output *o, int rc)
{
	struct cli *cli = s->cli;
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
	/* On a failure the error document has been printed instead. */
	printed = rc == EXIT_OK || rc == EXIT_NOT_MIGRATABLE;
	if (!o->mem) {
		if (printed)
			printf("teardown: %s\n",
			       cli->simulated ? "clean (no kernel object left)" : "done");
		return rc;
	}
	jw_key(&o->w, "teardown");
	jw_obj_begin(&o->w);
	jw_kbool(&o->w, "clean", clean);
	if (cli->simulated)
		jw_ki64(&o->w, "objects_left", left);
	else
		jw_knull(&o->w, "objects_left");
	jw_obj_end(&o->w);
	jw_ki64(&o->w, "exit_code", rc);
	jw_obj_end(&o->w);
	jw_finish(&o->w);
	fclose(o->mem);
	if (printed)
		fwrite(o->doc, 1, o->doclen, stdout);
	free(o->doc);
	o->mem = NULL;
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

void setup_print_layout(const struct setup *s, FILE *f)
{
	const struct setup_dev *sd;
	bool any_ioas = false;
	unsigned i, j;

	fprintf(f, "container: IOAS %u, dirty tracking %s, nest-parent %s\n", s->ioas_id,
		(s->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING) ? "requested" : "not requested",
		(s->flags & IOMMUFD_CONTAINER_NEST_PARENT) ? "yes" : "no");
	for (j = 0; j < s->ndomains; j++) {
		fprintf(f, "  domain (hwpt %u): %s, %u device%s\n", s->domains[j].hwpt_id,
			domain_flags_str(s->domains[j].flags), s->domains[j].ndevices,
			s->domains[j].ndevices == 1 ? "" : "s");
		for (i = 0; i < s->ndevs; i++) {
			sd = &s->devs[i];
			if (sd->domain == (int)j)
				fprintf(f, "    %-20s iommu %s\n", iommufd_device_name(sd->dev),
					iommufd_device_iommu(sd->dev));
		}
	}
	for (i = 0; i < s->ndevs; i++) {
		sd = &s->devs[i];
		if (sd->domain >= 0)
			continue;
		if (!any_ioas)
			fprintf(f, "  on the IOAS itself (no domain):\n");
		any_ioas = true;
		fprintf(f, "    %-20s %s\n", iommufd_device_name(sd->dev),
			sd->emulated ? "emulated" : "physical");
	}
}

void setup_print_coverage(const struct setup *s, FILE *f)
{
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
			fprintf(f, "  %-20s %s\n", iommufd_device_name(sd->dev), sd->why_not);
	}
}

static void json_device(const struct setup *s, const struct setup_dev *sd, struct jw *w)
{
	jw_obj_begin(w);
	jw_kstr(w, "name", iommufd_device_name(sd->dev));
	jw_kstr(w, "arg", sd->arg);
	jw_ku64(w, "dev_id", iommufd_device_id(sd->dev));
	jw_kstr(w, "iommu", iommufd_device_iommu(sd->dev));
	jw_kbool(w, "emulated", sd->emulated);
	if (sd->dirty_capable < 0)
		jw_knull(w, "dirty_capable");
	else
		jw_kbool(w, "dirty_capable", sd->dirty_capable);
	jw_ku64(w, "pt_id", sd->pt_id);
	if (sd->domain >= 0)
		jw_ku64(w, "hwpt_id", sd->pt_id);
	else
		jw_knull(w, "hwpt_id");
	jw_kbool(w, "covered", sd->covered);
	if (sd->covered)
		jw_knull(w, "reason");
	else
		jw_kstr(w, "reason", sd->why_not);
	jw_obj_end(w);
}

void setup_json_layout(const struct setup *s, struct jw *w)
{
	unsigned i, j;

	jw_key(w, "container");
	jw_obj_begin(w);
	jw_ku64(w, "ioas_id", s->ioas_id);
	jw_kbool(w, "dirty_tracking", s->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING);
	jw_kbool(w, "nest_parent", s->flags & IOMMUFD_CONTAINER_NEST_PARENT);
	jw_obj_end(w);

	jw_key(w, "domains");
	jw_arr_begin(w);
	for (j = 0; j < s->ndomains; j++) {
		jw_obj_begin(w);
		jw_ku64(w, "hwpt_id", s->domains[j].hwpt_id);
		jw_kbool(w, "dirty_tracking", s->domains[j].flags & IOMMUFD_DOMAIN_DIRTY_TRACKING);
		jw_kbool(w, "nest_parent", s->domains[j].flags & IOMMUFD_DOMAIN_NEST_PARENT);
		jw_key(w, "devices");
		jw_arr_begin(w);
		for (i = 0; i < s->ndevs; i++)
			if (s->devs[i].domain == (int)j)
				jw_str(w, iommufd_device_name(s->devs[i].dev));
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);

	jw_key(w, "ioas_devices");
	jw_arr_begin(w);
	for (i = 0; i < s->ndevs; i++)
		if (s->devs[i].domain < 0)
			jw_str(w, iommufd_device_name(s->devs[i].dev));
	jw_arr_end(w);

	jw_key(w, "devices");
	jw_arr_begin(w);
	for (i = 0; i < s->ndevs; i++)
		json_device(s, &s->devs[i], w);
	jw_arr_end(w);

	jw_key(w, "dirty_tracking");
	jw_obj_begin(w);
	jw_kbool(w, "requested", s->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING);
	jw_kbool(w, "all_covered", s->dirty_status == 1);
	jw_key(w, "not_covered");
	jw_arr_begin(w);
	for (i = 0; i < s->ndevs; i++)
		if (!s->devs[i].covered)
			jw_str(w, iommufd_device_name(s->devs[i].dev));
	jw_arr_end(w);
	if (s->dirty_status == 1)
		jw_knull(w, "message");
	else
		jw_kstr(w, "message", s->status_msg);
	jw_obj_end(w);
	jw_kbool(w, "migratable", setup_migratable(s));
}
