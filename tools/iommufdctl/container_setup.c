// SPDX-License-Identifier: LGPL-2.1-or-later
/* One container with the command line's devices attached: made, read, torn down. */
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

int setup_read_layout(struct setup *s)
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

/*
 * A name that names nothing: where the names are to be found. The same words on every kernel
 * (the devices command takes the same --sim as this one).
 */
static void open_failed(struct cli *cli, int err, const char *name)
{
	char arg[TEXT_NAME_MAX];

	text_cut(name, arg, sizeof(arg));
	if (err == -ENOENT)
		cli_fail_hint(cli, err, "names: " PROG " devices", "open device '%s'", arg);
	else
		cli_fail(cli, err, "open device '%s'", arg);
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
			open_failed(cli, ret, names[i]);
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
	ret = setup_read_layout(s);
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

bool setup_migratable(const struct setup *s)
{
	return (s->flags & IOMMUFD_CONTAINER_DIRTY_TRACKING) && s->dirty_status == 1;
}
