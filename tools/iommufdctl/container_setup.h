/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One container with the devices of the command line attached: what attach and migrate share.
 * Made, read and torn down in container_setup.c; nested as a VMM with a vIOMMU nests it in
 * container_nest.c; printed, as text or JSON, in container_report.c.
 */
#ifndef IOMMUFDCTL_CONTAINER_SETUP_H
#define IOMMUFDCTL_CONTAINER_SETUP_H

#include "iommufdctl.h"
#include "json_out.h"

struct setup_dev {
	const char *arg;		/* as given on the command line */
	struct iommufd_device *dev;
	bool emulated;
	int dirty_capable;		/* 1, 0, or -errno from GET_HW_INFO */
	uint32_t pt_id;			/* the domain (HWPT) or the IOAS it is attached to */
	int domain;			/* index into setup.domains; -1: on the IOAS or none */
	bool covered;			/* its writes are seen by IOMMU dirty tracking */
	char why_not[160];		/* when not covered */
	/* setup_nest(): where it stands in the container's nesting */
	bool nested_asked;
	struct iommufd_nesting_info nest;
	char nest_note[256];		/* why it has no vIOMMU or no stage-1 domain */
};

struct setup {
	struct cli *cli;
	uint32_t flags;			/* IOMMUFD_CONTAINER_* */
	struct iommufd_container *c;
	uint32_t ioas_id;
	struct setup_dev *devs;
	unsigned ndevs;
	struct iommufd_domain_info *domains;
	unsigned ndomains;
	int dirty_status;		/* iommufd_container_dirty_status() */
	char status_msg[512];		/* its message when 0 */
};

/* What a command with a setup prints: one JSON document (kept until the exit code is known). */
struct setup_output {
	json_object *doc;		/* the document being built; NULL: text output */
};

/* ---- Made, read, torn down (container_setup.c) ---- */

/*
 * Refuses (EXIT_USAGE) no device, or a device named twice (the kernel binds a cdev once);
 * the selftest names (iommufd_is_selftest_name()) make a new mock device each time and may
 * repeat.
 */
int setup_check_names(const struct command *cmd, char **names, int n);
/*
 * With the session open, before any device is: refuses (EXIT_USAGE) two names of one device,
 * a PCI address and its cdev path say, which the kernel would refuse to bind twice with
 * a bare EINVAL (iommufd_device_describe() tells what each name means).
 */
int setup_check_same(struct cli *cli, const struct command *cmd, char **names, int n);
/*
 * Opens the devices, makes the container and attaches them in order, then reads the layout.
 * EXIT_OK, or EXIT_ERROR with the message printed and nothing left behind.
 */
int setup_build(struct cli *cli, uint32_t flags, char **names, unsigned n, struct setup *s);
/*
 * (Again) the domains, where each device is attached, its nesting and its coverage, and the
 * container's dirty status. 0 or -errno (nothing printed).
 */
int setup_read_layout(struct setup *s);
/* Detaches every device, frees the container, closes the devices. EXIT_OK or EXIT_ERROR. */
int setup_teardown(struct setup *s);
/* Every device covered (and dirty tracking asked for)? */
bool setup_migratable(const struct setup *s);

/* ---- Nesting (container_nest.c) ---- */

/*
 * For a nest-parent container: what a VMM with an accelerated vIOMMU sets up per device, a
 * virtual id (its index + 1) on the vIOMMU of its IOMMU where the driver has vIOMMUs, and a
 * stage-1 domain with the driver's pass-through data where the tool knows one (the mock's,
 * an SMMUv3 STE in bypass); what a kernel or driver does not offer is noted per device.
 * Then the layout is read again. EXIT_OK, or EXIT_ERROR with the message printed and the
 * setup torn down.
 */
int setup_nest(struct setup *s);
/* The name of a kernel vIOMMU type (IOMMU_VIOMMU_TYPE_*): "ARM SMMUv3"; NULL if unknown. */
const char *viommu_type_name(uint32_t type);

/* ---- The output (container_report.c) ---- */

/*
 * Starts the output with the layout: in --json mode the document ("command", "simulated" and
 * the members of setup_json_layout()), else the layout and the coverage as text.
 * EXIT_OK, or EXIT_ERROR with the message printed and the setup torn down.
 */
int setup_output_begin(struct setup *s, const char *command, struct setup_output *o);
/*
 * Tears the setup down, checks that no kernel object is left behind, and ends the output: the
 * document's "teardown" and "exit_code" members and the document itself (unless a failure
 * printed its error document instead), or the text's teardown line. rc: the command's exit
 * code so far; returns the final one.
 */
int setup_finish(struct setup *s, struct setup_output *o, int rc);

void setup_print_layout(const struct setup *s, FILE *f);
void setup_print_coverage(const struct setup *s, FILE *f);
/* Adds the "container", "domains", "ioas_devices", "devices", "dirty_tracking" and
 * "migratable" members to obj. */
void setup_json_layout(const struct setup *s, json_object *obj);

#endif
