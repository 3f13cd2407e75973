// SPDX-License-Identifier: LGPL-2.1-or-later
/* A nest-parent container's devices as a VMM with a vIOMMU sets them up: virtual ids, stage 1. */
#include <errno.h>
#include <string.h>

#include "container_setup.h"
#include "text_safe.h"

/* The kernel's values the tool needs (the public header has no names for them). */
#define HW_INFO_TYPE_INTEL_VTD 1u		/* IOMMU_HW_INFO_TYPE_INTEL_VTD */
#define HW_INFO_TYPE_ARM_SMMUV3 2u		/* IOMMU_HW_INFO_TYPE_ARM_SMMUV3 */
#define HW_INFO_TYPE_SELFTEST 0xfeedbeefu	/* the selftest mock's */
#define HWPT_DATA_ARM_SMMUV3 2u			/* IOMMU_HWPT_DATA_ARM_SMMUV3 */
#define HWPT_DATA_SELFTEST 0xdeadu		/* the selftest mock's */

const char *viommu_type_name(uint32_t type)
{
	switch (type) {
	case 0:
		return "default";		/* IOMMU_VIOMMU_TYPE_DEFAULT, reserved */
	case 1:
		return "ARM SMMUv3";		/* IOMMU_VIOMMU_TYPE_ARM_SMMUV3 */
	case 2:
		return "NVIDIA Tegra241 CMDQV";	/* IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV */
	case 0xdeadbeefu:
		return "selftest mock";		/* the selftest's IOMMU_VIOMMU_TYPE_SELFTEST */
	default:
		return NULL;
	}
}

/*
 * The driver's data for a stage-1 domain that translates as its nest parent does, where the
 * tool knows it and the driver can make one: SMMUv3 only on a vIOMMU (viommu: it has one).
 */
static bool passthrough_s1(uint32_t hw_type, bool viommu, uint32_t *type, uint64_t data[2],
			   size_t *len)
{
	switch (hw_type) {
	case HW_INFO_TYPE_ARM_SMMUV3: /* an STE, valid, Cfg bypass */
		if (!viommu)
			return false;
		*type = HWPT_DATA_ARM_SMMUV3;
		data[0] = 1 | 4 << 1;
		data[1] = 0;
		*len = 16;
		return true;
	case HW_INFO_TYPE_SELFTEST: /* its data is an IOTLB value */
		*type = HWPT_DATA_SELFTEST;
		data[0] = 0;
		*len = 4;
		return true;
	default:
		return false;
	}
}

/* Why a device has no vIOMMU (set_virt_id's err: -ENOTTY or -EOPNOTSUPP), in plain words. */
static void note_no_viommu(struct setup_dev *sd, uint32_t hw_type, int err)
{
	char iommu[TEXT_NAME_MAX];

	if (hw_type == HW_INFO_TYPE_INTEL_VTD)
		snprintf(sd->nest_note, sizeof(sd->nest_note),
			 "no vIOMMU: VT-d nests from the parent");
	else if (err == -ENOTTY)
		snprintf(sd->nest_note, sizeof(sd->nest_note),
			 "no vIOMMU: this kernel has no vIOMMU objects (Linux 6.13 and later have)");
	else
		snprintf(sd->nest_note, sizeof(sd->nest_note),
			 "no vIOMMU: the driver of IOMMU %s makes none",
			 text_cut(iommufd_device_iommu(sd->dev), iommu, sizeof(iommu)));
}

/* Why a device has no stage-1 domain, after what the note says already. */
static void note_no_stage1(struct setup_dev *sd, uint32_t hw_type)
{
	char iommu[TEXT_NAME_MAX];
	size_t n = strlen(sd->nest_note);

	if (hw_type == HW_INFO_TYPE_INTEL_VTD)
		snprintf(sd->nest_note + n, sizeof(sd->nest_note) - n,
			 "%sno stage-1 domain: VT-d's is the guest's own page table",
			 n ? "; " : "");
	else if (hw_type == HW_INFO_TYPE_ARM_SMMUV3)
		snprintf(sd->nest_note + n, sizeof(sd->nest_note) - n,
			 "%sno stage-1 domain: SMMUv3 makes them on a vIOMMU only", n ? "; " : "");
	else
		snprintf(sd->nest_note + n, sizeof(sd->nest_note) - n,
			 "%sno stage-1 domain: the tool knows no stage-1 data for IOMMU %s",
			 n ? "; " : "",
			 text_cut(iommufd_device_iommu(sd->dev), iommu, sizeof(iommu)));
}

int setup_nest(struct setup *s)
{
	char arg[TEXT_NAME_MAX];
	struct iommufd_hw_info hw;
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
		if (iommufd_get_hw_info(s->cli->ctx, iommufd_device_id(sd->dev), &hw))
			hw.type = 0;
		/* A driver or kernel without vIOMMUs is a fact to show, not a failure. */
		ret = iommufd_container_set_virt_id(s->c, sd->dev, i + 1);
		if (ret == -ENOTTY || ret == -EOPNOTSUPP)
			note_no_viommu(sd, hw.type, ret);
		else if (ret)
			goto fail;
		if (!passthrough_s1(hw.type, !ret, &type, data, &len)) {
			note_no_stage1(sd, hw.type);
			continue;
		}
		ret = iommufd_container_attach_nested(s->c, sd->dev, type, data, len);
		if (ret)
			goto fail;
	}
	ret = setup_read_layout(s);
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
