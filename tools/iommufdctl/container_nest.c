// SPDX-License-Identifier: LGPL-2.1-or-later
/* A nest-parent container's devices as a VMM with a vIOMMU sets them up: virtual ids, stage 1. */
#include <errno.h>

#include "container_setup.h"
#include "text_safe.h"

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

