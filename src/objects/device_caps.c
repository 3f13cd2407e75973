// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a device's IOMMU and kernel offer (iommufd_device_caps), learnt from the kernel and
 * never from its version: GET_HW_INFO says what it can (dirty tracking, the PASID width, the
 * driver's data type); the rest the kernel is asked to do, on objects made for the question
 * and destroyed at once (a vIOMMU of the driver's own type over a nest parent among them). Drivers refuse a domain they cannot make with EOPNOTSUPP (VT-d
 * without ecap NEST, SMMUv3 without stage 2, a nest parent that would track dirty pages on
 * SMMUv3), and a kernel without a command answers ENOTTY.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/ctx.h"
#include "core/opts.h"
#include "objects/device.h"
#include "objects/objects.h"
#include "uapi/iommufd_abi.h"

IOFD_OPTS_NO_PADDING(struct iommufd_device_caps, reserved);

/* Destroy a scratch object; one the kernel keeps stays until the context closes, said once. */
static void drop_scratch(struct iommufd_device *dev, const char *what, uint32_t id)
{
	if (iofd_destroy_cleanup(dev->ctx, id))
		iofd_log(dev->ctx, IOMMUFD_LOG_ERROR,
			 "device caps %s: scratch %s %u could not be destroyed: it stays until "
			 "iommufd_close()", dev->info.name, what, id);
}

/* Whether the device's IOMMU makes a paging domain with these HWPT flags: 1, 0 or -errno. */
static int domain_offered(struct iommufd_device *dev, uint32_t ioas_id, uint32_t flags)
{
	uint32_t hwpt_id;
	int ret;

	ret = iommufd_hwpt_alloc(dev->ctx, dev->dev_id, ioas_id, flags, &hwpt_id);
	if (ret == -EOPNOTSUPP)
		return 0;
	if (ret)
		return iofd_set_error(dev->ctx, ret, "device caps %s: a scratch HWPT with flags 0x%x",
				      dev->info.name, flags);
	drop_scratch(dev, "hwpt", hwpt_id);
	return 1;
}

/* What the kernel said of vIOMMUs while the device was asked. */
enum viommu_answer {
	VIOMMU_NOT_ASKED,  /* no vIOMMU of the driver's type was tried */
	VIOMMU_DRIVER,     /* the driver made one: the kernel has vIOMMU objects too */
	VIOMMU_NO_DRIVER,  /* EOPNOTSUPP: the driver has none, the kernel has vIOMMU objects */
	VIOMMU_NO_KERNEL,  /* ENOTTY: the kernel has no vIOMMU objects */
};

/*
 * Whether the device's IOMMU driver makes a vIOMMU of its own type (the type its GET_HW_INFO
 * type names; none known: not asked) over a nest parent of the IOAS, into *answer: 0 or
 * -errno. A kernel without vIOMMUs answers ENOTTY, a driver without them EOPNOTSUPP.
 */
static int viommu_driver_offered(struct iommufd_device *dev, uint32_t ioas_id, uint32_t hw_type,
				 enum viommu_answer *answer)
{
	uint32_t type = iofd_viommu_type_of(hw_type), hwpt_id, viommu_id;
	int ret;

	if (!type)
		return 0;
	ret = iommufd_hwpt_alloc(dev->ctx, dev->dev_id, ioas_id, IOMMUFD_HWPT_NEST_PARENT,
				 &hwpt_id);
	if (ret)
		return iofd_set_error(dev->ctx, ret, "device caps %s: a scratch nest parent",
				      dev->info.name);
	ret = iommufd_viommu_alloc(dev->ctx, dev->dev_id, hwpt_id, type, NULL, 0, &viommu_id);
	if (!ret) {
		drop_scratch(dev, "viommu", viommu_id);
		*answer = VIOMMU_DRIVER;
	} else if (ret == -EOPNOTSUPP) {
		*answer = VIOMMU_NO_DRIVER;
		ret = 0;
	} else if (ret == -ENOTTY) {
		*answer = VIOMMU_NO_KERNEL;
		ret = 0;
	} else {
		iofd_set_error(dev->ctx, ret, "device caps %s: a scratch vIOMMU of type 0x%x",
			       dev->info.name, type);
	}
	drop_scratch(dev, "hwpt", hwpt_id);
	return ret;
}

/*
 * Nest parents, with dirty tracking too where the IOMMU tracks dirty pages, and the driver's
 * vIOMMUs over one (*viommu): flags or -errno.
 */
static int nest_parents(struct iommufd_device *dev, bool dirty, uint32_t hw_type,
			enum viommu_answer *viommu)
{
	uint32_t ioas_id, flags = 0;
	int ret;

	ret = iommufd_ioas_alloc(dev->ctx, &ioas_id);
	if (ret)
		return ret;
	ret = domain_offered(dev, ioas_id, IOMMUFD_HWPT_NEST_PARENT);
	if (ret > 0) {
		flags |= IOMMUFD_DEVICE_CAP_NEST_PARENT;
		ret = dirty ? domain_offered(dev, ioas_id, IOMMUFD_HWPT_NEST_PARENT |
							   IOMMUFD_HWPT_DIRTY_TRACKING) : 0;
		if (ret > 0)
			flags |= IOMMUFD_DEVICE_CAP_NEST_PARENT_DIRTY;
		if (ret >= 0)
			ret = viommu_driver_offered(dev, ioas_id, hw_type, viommu);
	}
	drop_scratch(dev, "ioas", ioas_id);
	return ret < 0 ? ret : (int)flags;
}

/*
 * Whether the kernel has vIOMMU objects (6.13 on), asked where no vIOMMU of the driver's type
 * was: VIOMMU_ALLOC of the reserved type, which a kernel that has the command refuses before
 * looking at anything else (and could not make without a nest parent, hwpt 0 being none),
 * and one without answers ENOTTY. Any other answer, a failure too, comes from a kernel that
 * has the command.
 */
static bool viommu_offered(struct iommufd_device *dev)
{
	struct iommufd_ctx *ctx = dev->ctx;
	struct iofd_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = IOFD_VIOMMU_TYPE_DEFAULT,
		.dev_id = dev->dev_id,
	};
	int ret;

	ret = iofd_ioctl(ctx, ctx->fd, IOFD_VIOMMU_ALLOC, &cmd,
			 "VIOMMU_ALLOC dev=%u hwpt=0 type=%u (does the kernel have it?) viommu=%u",
			 dev->dev_id, cmd.type, cmd.out_viommu_id);
	if (ret == -ENOTTY)
		return false;
	if (!ret)
		drop_scratch(dev, "viommu", cmd.out_viommu_id);
	return true;
}

int iommufd_device_caps(struct iommufd_device *dev, struct iommufd_device_caps *caps)
{
	IOMMUFD_OPTS(iommufd_hw_info_opts, hw);
	char before[IOFD_ERRMSG_MAX];
	enum viommu_answer viommu = VIOMMU_NOT_ASKED;
	struct iommufd_device_caps c;
	struct iommufd_ctx *ctx;
	size_t i;
	int ret;

	if (!dev)
		return -EINVAL;
	ctx = dev->ctx;
	if (!caps)
		return iofd_set_error(ctx, -EINVAL, "device caps %s: caps is NULL (the answer goes "
				      "there)", dev->info.name);
	ret = iofd_opts_copy(ctx, "device caps", caps, sizeof(c),
			     iofd_offsetofend(struct iommufd_device_caps, reserved), &c);
	if (ret)
		return ret;
	for (i = 0; i < sizeof(c.reserved); i++)
		if (c.reserved[i])
			return iofd_set_error(ctx, -EINVAL, "device caps %s: caps reserved is not 0",
					      dev->info.name);
	/* Every other member is an answer: what an earlier call left there is no input. */
	memset(&c, 0, sizeof(c));
	/* A refusal below is an answer, not a failure: the caller's last error stays. */
	snprintf(before, sizeof(before), "%s", iommufd_last_error(ctx));

	/* An emulated device reaches the IOAS without an IOMMU: nothing of an IOMMU to ask. */
	if (!dev->info.emulated) {
		ret = iommufd_get_hw_info_opts(ctx, dev->dev_id, &hw);
		if (ret)
			return ret;
		c.hw_info_type = hw.out_data_type;
		c.hw_capabilities = hw.out_capabilities;
		c.max_pasid_log2 = hw.out_max_pasid_log2;
		if (hw.out_capabilities & IOFD_HW_CAP_DIRTY_TRACKING)
			c.flags |= IOMMUFD_DEVICE_CAP_DIRTY_TRACKING;
		ret = nest_parents(dev, c.flags & IOMMUFD_DEVICE_CAP_DIRTY_TRACKING,
				   c.hw_info_type, &viommu);
		if (ret < 0)
			return ret;
		c.flags |= ret;
	}
	/* The driver's answer says whether the kernel has vIOMMU objects: asked once. */
	switch (viommu) {
	case VIOMMU_DRIVER:
		c.flags |= IOMMUFD_DEVICE_CAP_VIOMMU_DRIVER | IOMMUFD_DEVICE_CAP_VIOMMU;
		break;
	case VIOMMU_NO_DRIVER:
		c.flags |= IOMMUFD_DEVICE_CAP_VIOMMU;
		break;
	case VIOMMU_NO_KERNEL:
		break;
	case VIOMMU_NOT_ASKED:
		if (viommu_offered(dev))
			c.flags |= IOMMUFD_DEVICE_CAP_VIOMMU;
		break;
	}
	iofd_log(ctx, IOMMUFD_LOG_INFO,
		 "device caps %s: dirty tracking %s, nest parent %s%s, PASID %u bits, vIOMMU "
		 "objects %s, its driver's vIOMMU %s", dev->info.name,
		 c.flags & IOMMUFD_DEVICE_CAP_DIRTY_TRACKING ? "yes" : "no",
		 c.flags & IOMMUFD_DEVICE_CAP_NEST_PARENT ? "yes" : "no",
		 c.flags & IOMMUFD_DEVICE_CAP_NEST_PARENT_DIRTY ? " (with dirty tracking)" : "",
		 c.max_pasid_log2, c.flags & IOMMUFD_DEVICE_CAP_VIOMMU ? "yes" : "no",
		 c.flags & IOMMUFD_DEVICE_CAP_VIOMMU_DRIVER ? "yes" : "no");
	iofd_set_error(ctx, 0, "%s", before);
	iofd_opts_write_back(caps, &c, sizeof(c));
	return 0;
}
