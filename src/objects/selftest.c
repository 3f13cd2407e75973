// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kernel selftest mock devices (CONFIG_IOMMUFD_TEST): a test-only device kind
 * so that the container code runs unchanged on a real kernel without IOMMU
 * hardware. What the kernel offers differs from a VFIO device:
 *  - IOMMU_TEST_OP_MOCK_DOMAIN(_FLAGS) makes a device that is bound and
 *    already attached to the id given; we give it a private "parking" IOAS,
 *    so that the device looks unattached to the caller;
 *  - MOCK_DOMAIN_REPLACE is its attach (and replace); there is no detach, so
 *    detach parks it on its private IOAS again;
 *  - IOMMU_DESTROY of the selftest object id removes the device (and its
 *    dev_id);
 *  - its PASIDs (7.3) attach, replace and detach with the PASID test ops, which
 *    tell a first attach from a replace: the device keeps a list of its PASIDs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objects/device.h"
#include "objects/objects.h"
#include "uapi/iommufd_abi.h"
#include "uapi/selftest_abi.h"

struct selftest_priv {
	uint32_t stdev_id;  /* the selftest object; destroying it removes the device */
	uint32_t park_ioas; /* the private IOAS the device sits on while detached */
	uint32_t *pasids;   /* the PASIDs attached */
	size_t npasids, pasids_cap;
};

/* The bitmap of one TEST_OP_DIRTY call covers at most this many mock pages. */
#define SELFTEST_DIRTY_CHUNK_PAGES (1u << 20)

static struct selftest_priv *priv_of(struct iommufd_device *dev)
{
	return dev->kind_priv;
}

/* Move the device to pt_id (IOAS or HWPT); *hwpt_id: the HWPT it is on now. */
static int selftest_replace(struct iommufd_device *dev, uint32_t pt_id, uint32_t *hwpt_id)
{
	struct iofd_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOFD_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = priv_of(dev)->stdev_id,
		.mock_domain_replace.pt_id = pt_id,
	};
	int ret;

	ret = iofd_ioctl(dev->ctx, dev->ctx->fd, IOFD_TEST_CMD, &cmd,
			 "TEST_MOCK_DOMAIN_REPLACE dev=%s stdev=%u pt=%u out_pt=%u",
			 dev->info.name, cmd.id, pt_id, cmd.mock_domain_replace.pt_id);
	if (!ret)
		*hwpt_id = cmd.mock_domain_replace.pt_id;
	return ret;
}

static int selftest_attach(struct iommufd_device *dev, uint32_t pt_id)
{
	uint32_t hwpt_id;
	int ret;

	/* The parking IOAS is ours: a caller must not see or reuse it. */
	if (pt_id == priv_of(dev)->park_ioas)
		return iofd_set_error(dev->ctx, -EINVAL,
				      "attach %s to %u: the device's private IOAS", dev->info.name,
				      pt_id);
	ret = selftest_replace(dev, pt_id, &hwpt_id);
	if (ret)
		return ret;
	/* Like VFIO's attach: the HWPT attached (an automatic one for an IOAS). */
	__atomic_store_n(&dev->pt_id, hwpt_id, __ATOMIC_RELAXED);
	return 0;
}

static int selftest_detach(struct iommufd_device *dev)
{
	uint32_t hwpt_id;
	int ret;

	ret = selftest_replace(dev, priv_of(dev)->park_ioas, &hwpt_id);
	if (ret)
		return ret;
	__atomic_store_n(&dev->pt_id, 0, __ATOMIC_RELAXED);
	return 0;
}

/* A teardown's destroy: tried twice, the caller's last error kept; what stays is said. */
static void destroy_or_warn(struct iommufd_device *dev, uint32_t id, const char *what)
{
	int ret = iofd_destroy_cleanup(dev->ctx, id);

	if (ret)
		iofd_log(dev->ctx, IOMMUFD_LOG_WARN,
			 "close %s: destroy its %s %u: %s; it stays until iommufd_close()",
			 dev->info.name, what, id, strerror(-ret));
}

static void selftest_close(struct iommufd_device *dev)
{
	struct selftest_priv *priv = priv_of(dev);

	/* The device first (its PASIDs go with it): its parking domain holds the IOAS. */
	destroy_or_warn(dev, priv->stdev_id, "selftest object");
	destroy_or_warn(dev, priv->park_ioas, "parking IOAS");
	free(priv->pasids);
	free(priv);
	dev->kind_priv = NULL;
}

static bool has_pasid(const struct selftest_priv *priv, uint32_t pasid, size_t *at)
{
	size_t i;

	for (i = 0; i < priv->npasids; i++) {
		if (priv->pasids[i] == pasid) {
			*at = i;
			return true;
		}
	}
	return false;
}

/* 6.12 knows no PASID op (EOPNOTSUPP): say which kernel has them. */
static int pasid_op_error(struct iommufd_device *dev, int ret, const char *what, uint32_t pasid)
{
	if (ret == -EOPNOTSUPP)
		return iofd_set_error(dev->ctx, ret,
				      "%s %s pasid %u: the kernel has no PASID test ops (7.3 has)",
				      what, dev->info.name, pasid);
	return ret;
}

static int selftest_attach_pasid(struct iommufd_device *dev, uint32_t pasid, uint32_t pt_id)
{
	struct selftest_priv *priv = priv_of(dev);
	struct iofd_test_cmd cmd = {
		.size = sizeof(cmd),
		.id = priv->stdev_id,
		.pasid.pasid = pasid,
		.pasid.pt_id = pt_id,
	};
	bool replace;
	size_t at;
	int ret;

	/* As VFIO_DEVICE_ATTACH_PASID does: attach a new PASID, replace one attached. */
	replace = has_pasid(priv, pasid, &at);
	if (!replace && priv->npasids == priv->pasids_cap) {
		size_t cap = priv->pasids_cap ? priv->pasids_cap * 2 : 4;
		uint32_t *p = realloc(priv->pasids, cap * sizeof(*p));

		if (!p)
			return iofd_set_error(dev->ctx, -ENOMEM, "attach %s pasid %u",
					      dev->info.name, pasid);
		priv->pasids = p;
		priv->pasids_cap = cap;
	}
	cmd.op = replace ? IOFD_TEST_OP_PASID_REPLACE : IOFD_TEST_OP_PASID_ATTACH;
	ret = iofd_ioctl(dev->ctx, dev->ctx->fd, IOFD_TEST_CMD, &cmd,
			 "TEST_PASID_%s dev=%s stdev=%u pasid=%u pt=%u out_pt=%u",
			 replace ? "REPLACE" : "ATTACH", dev->info.name, cmd.id, pasid, pt_id,
			 cmd.pasid.pt_id);
	if (ret)
		return pasid_op_error(dev, ret, "attach", pasid);
	if (!replace)
		priv->pasids[priv->npasids++] = pasid;
	return 0;
}

static int selftest_detach_pasid(struct iommufd_device *dev, uint32_t pasid)
{
	struct selftest_priv *priv = priv_of(dev);
	struct iofd_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOFD_TEST_OP_PASID_DETACH,
		.id = priv->stdev_id,
		.pasid.pasid = pasid,
	};
	size_t at;
	int ret;

	ret = iofd_ioctl(dev->ctx, dev->ctx->fd, IOFD_TEST_CMD, &cmd,
			 "TEST_PASID_DETACH dev=%s stdev=%u pasid=%u", dev->info.name, cmd.id,
			 pasid);
	if (ret)
		return pasid_op_error(dev, ret, "detach", pasid);
	if (has_pasid(priv, pasid, &at))
		priv->pasids[at] = priv->pasids[--priv->npasids];
	return 0;
}

static const struct iofd_device_ops selftest_device_ops = {
	.attach = selftest_attach,
	.detach = selftest_detach,
	.close = selftest_close,
	.attach_pasid = selftest_attach_pasid,
	.detach_pasid = selftest_detach_pasid,
};

bool iommufd_device_is_selftest(const struct iommufd_device *dev)
{
	return dev && dev->ops == &selftest_device_ops;
}

static const char *mock_hint(int err)
{
	switch (err) {
	case -ENOTTY:
		return " (kernel without CONFIG_IOMMUFD_TEST)";
	case -EINVAL:
	case -ENODEV:
	case -EBUSY:
		return " (mock devices are refused where a real IOMMU driver is active)";
	default:
		return "";
	}
}

int iofd_selftest_device_open(struct iommufd_ctx *ctx, const char *name,
			      struct iommufd_device **out)
{
	struct iofd_test_cmd cmd = { .size = sizeof(cmd), .op = IOFD_TEST_OP_MOCK_DOMAIN_FLAGS };
	struct selftest_priv *priv;
	struct iommufd_device *dev;
	bool no_dirty, pasid;
	int ret, cret;

	no_dirty = !strcmp(name, "selftest:no-dirty");
	pasid = !strcmp(name, "selftest:pasid");

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return iofd_set_error(ctx, -ENOMEM, "device %s", name);
	priv = calloc(1, sizeof(*priv));
	if (!priv) {
		ret = iofd_set_error(ctx, -ENOMEM, "device %s", name);
		goto out_free_dev;
	}
	dev->ctx = ctx;
	dev->ops = &selftest_device_ops;
	dev->fd = -1;
	dev->kind_priv = priv;

	ret = iommufd_ioas_alloc(ctx, &priv->park_ioas);
	if (ret)
		goto out_free_priv;

	cmd.id = priv->park_ioas;
	cmd.mock_domain.dev_flags = no_dirty ? IOFD_MOCK_DEVICE_NO_DIRTY : 0;
	if (pasid)
		cmd.mock_domain.dev_flags |= IOFD_MOCK_DEVICE_PASID;
	ret = iofd_ioctl(ctx, ctx->fd, IOFD_TEST_CMD, &cmd,
			 "TEST_MOCK_DOMAIN_FLAGS pt=%u flags=0x%x stdev=%u hwpt=%u dev_id=%u",
			 cmd.id, cmd.mock_domain.dev_flags, cmd.mock_domain.out_stdev_id,
			 cmd.mock_domain.out_hwpt_id, cmd.mock_domain.out_idev_id);
	if (ret) {
		iofd_set_error(ctx, ret, "device %s: making a mock device%s", name,
			       pasid && ret == -EINVAL ?
				       " (a kernel without PASID mock devices, such as 6.12)" :
				       mock_hint(ret));
		goto out_destroy_park;
	}
	priv->stdev_id = cmd.mock_domain.out_stdev_id;
	dev->dev_id = cmd.mock_domain.out_idev_id;

	/*
	 * Devices of both kinds share the kernel's one mock IOMMU, but they
	 * differ in what domains they accept (a no-dirty device refuses a dirty
	 * tracking domain): name them as two IOMMUs, so that what a domain
	 * refused for one kind is never assumed for the other.
	 */
	snprintf(dev->info.name, sizeof(dev->info.name), "%s/%u", name, dev->dev_id);
	snprintf(dev->info.iommu, sizeof(dev->info.iommu), "%s",
		 no_dirty ? "mock-no-dirty" : "mock");
	snprintf(dev->info.driver, sizeof(dev->info.driver), "iommufd-selftest");
	*out = dev;
	return 0;

out_destroy_park:
	cret = iofd_destroy_cleanup(ctx, priv->park_ioas);
	if (cret) {
		char cause[IOFD_ERRMSG_MAX];

		/* The cause first; what its undo left after it. */
		snprintf(cause, sizeof(cause), "%s", iommufd_last_error(ctx));
		iofd_set_error(ctx, 0,
			       "%s; destroying its IOAS %u failed too (%s): it stays until iommufd_close()",
			       cause, priv->park_ioas, strerror(-cret));
		iofd_log(ctx, IOMMUFD_LOG_ERROR, "%s", iommufd_last_error(ctx));
	}
out_free_priv:
	free(priv);
out_free_dev:
	free(dev);
	return ret;
}

int iommufd_selftest_dirty(struct iommufd_device *dev, uint64_t iova, uint64_t len)
{
	struct iofd_test_cmd cmd = { .size = sizeof(cmd), .op = IOFD_TEST_OP_DIRTY };
	uint64_t start, end, pages, done = 0, marked = 0, *bitmap;
	const uint64_t pg = IOFD_MOCK_IO_PAGE_SIZE;
	int ret = 0;

	if (!dev)
		return -EINVAL;
	if (dev->ops != &selftest_device_ops)
		return iofd_set_error(dev->ctx, -ENODEV, "selftest dirty %s: not a selftest device",
				      dev->info.name);
	if (!len)
		return iofd_set_error(dev->ctx, -EINVAL, "selftest dirty %s: length 0",
				      dev->info.name);
	if (iova + len < iova || ((iova + len - 1) | (pg - 1)) == UINT64_MAX)
		return iofd_set_error(dev->ctx, -EOVERFLOW,
				      "selftest dirty %s: iova 0x%llx + 0x%llx wraps",
				      dev->info.name, (unsigned long long)iova,
				      (unsigned long long)len);
	if (!dev->pt_id)
		return iofd_set_error(dev->ctx, -EINVAL, "selftest dirty %s: not attached",
				      dev->info.name);

	/* A write dirties every mock IO page it touches. */
	start = iova & ~(pg - 1);
	end = ((iova + len - 1) | (pg - 1)) + 1;
	pages = (end - start) / pg;

	bitmap = malloc((SELFTEST_DIRTY_CHUNK_PAGES + 63) / 64 * sizeof(*bitmap));
	if (!bitmap)
		return iofd_set_error(dev->ctx, -ENOMEM, "selftest dirty %s", dev->info.name);
	memset(bitmap, 0xff, (SELFTEST_DIRTY_CHUNK_PAGES + 63) / 64 * sizeof(*bitmap));

	/* on a stage-1 domain the device writes through its nest parent, which keeps the bits */
	cmd.id = __atomic_load_n(&dev->nest_parent_id, __ATOMIC_RELAXED) ?: dev->pt_id;
	cmd.dirty.page_size = pg;
	cmd.dirty.uptr = (uintptr_t)bitmap;
	while (done < pages) {
		uint64_t n = pages - done;

		if (n > SELFTEST_DIRTY_CHUNK_PAGES)
			n = SELFTEST_DIRTY_CHUNK_PAGES;
		cmd.dirty.iova = start + done * pg;
		cmd.dirty.length = n * pg;
		cmd.dirty.out_nr_dirty = 0;
		ret = iofd_ioctl(dev->ctx, dev->ctx->fd, IOFD_TEST_CMD, &cmd,
				 "TEST_DIRTY dev=%s hwpt=%u iova=0x%llx len=0x%llx page=0x%llx marked=%llu",
				 dev->info.name, cmd.id, (unsigned long long)cmd.dirty.iova,
				 (unsigned long long)cmd.dirty.length, (unsigned long long)pg,
				 (unsigned long long)cmd.dirty.out_nr_dirty);
		if (ret)
			break;
		marked += cmd.dirty.out_nr_dirty;
		done += n;
	}
	free(bitmap);
	if (ret == -EINVAL)
		iofd_set_error(dev->ctx, ret,
			       "selftest dirty %s: hwpt %u has no dirty tracking enabled, or is not a mock domain",
			       dev->info.name, cmd.id);
	if (ret)
		return ret;
	/* The number of mapped mock IO pages (2 KiB) marked dirty. */
	return marked > INT32_MAX ? INT32_MAX : (int)marked;
}

/* ---- live update: a mock device another process made -------------------------- */

void iofd_selftest_device_ids(const struct iommufd_device *dev, struct iofd_selftest_ids *ids)
{
	const struct selftest_priv *priv = dev->kind_priv;

	memset(ids, 0, sizeof(ids[0]));
	ids->dev_id = dev->dev_id;
	ids->stdev_id = priv->stdev_id;
	ids->park_ioas = priv->park_ioas;
	ids->no_dirty = !strcmp(dev->info.iommu, "mock-no-dirty");
}

/*
 * Check what the kernel lets be checked without changing anything: dev_id is a mock
 * device (GET_HW_INFO), the parking IOAS exists (IOVA_RANGES), and on 7.x, the mock
 * device of stdev_id is on the HWPT the state says (TEST_OP_PASID_CHECK_HWPT of its
 * RID). The kernel offers no way to ask which dev_id a selftest object's device has.
 */
int iofd_selftest_device_adopt(struct iommufd_ctx *ctx, const struct iofd_selftest_ids *ids,
			       struct iommufd_device **out)
{
	struct iofd_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOFD_TEST_OP_PASID_CHECK_HWPT,
		.id = ids->stdev_id,
		.pasid.pt_id = ids->hwpt_id,
	};
	const char *name = ids->no_dirty ? "selftest:no-dirty" : "selftest";
	struct selftest_priv *priv;
	struct iommufd_device *dev;
	int ret;

	dev = calloc(1, sizeof(*dev));
	priv = calloc(1, sizeof(*priv));
	if (!dev || !priv) {
		ret = iofd_set_error(ctx, -ENOMEM, "adopt %s/%u", name, ids->dev_id);
		goto out_free;
	}
	ret = iommufd_get_hw_info(ctx, ids->dev_id, &dev->hw);
	if (!ret && dev->hw.type != IOFD_HW_INFO_TYPE_SELFTEST)
		ret = -ESTALE;
	if (ret) {
		iofd_set_error(ctx, ret, "adopt %s/%u: %s", name, ids->dev_id,
			       ret == -ESTALE ? "not a mock device" :
			       ret == -ENOENT ? "no device of this iommufd" : "GET_HW_INFO");
		goto out_free;
	}
	ret = iommufd_ioas_iova_ranges(ctx, ids->park_ioas, NULL, 0, NULL);
	if (ret < 0) {
		iofd_set_error(ctx, ret, "adopt %s/%u: its private IOAS %u", name, ids->dev_id,
			       ids->park_ioas);
		goto out_free;
	}
	if (ids->hwpt_id) {
		ret = ctx->tp.ops->ioctl(ctx->tp.priv, ctx->fd, IOFD_TEST_CMD, &cmd);
		iofd_log(ctx, IOMMUFD_LOG_TRACE,
			 "%s TEST_PASID_CHECK_HWPT stdev=%u pasid=0 hwpt=%u (probe) = %d",
			 ctx->tp.ops->name, ids->stdev_id, ids->hwpt_id, ret);
		/* EOPNOTSUPP: a kernel without the PASID test ops, which cannot say. */
		if (ret == -EINVAL) {
			ret = iofd_set_error(ctx, -ESTALE, "adopt %s/%u: mock device object %u is not "
					     "attached to hwpt %u", name, ids->dev_id, ids->stdev_id,
					     ids->hwpt_id);
			goto out_free;
		}
		if (ret && ret != -EOPNOTSUPP) {
			iofd_set_error(ctx, ret, "adopt %s/%u: mock device object %u on hwpt %u",
				       name, ids->dev_id, ids->stdev_id, ids->hwpt_id);
			goto out_free;
		}
	}
	dev->ctx = ctx;
	dev->ops = &selftest_device_ops;
	dev->fd = -1;
	dev->dev_id = ids->dev_id;
	dev->hw_known = true;
	dev->kind_priv = priv;
	priv->stdev_id = ids->stdev_id;
	priv->park_ioas = ids->park_ioas;
	snprintf(dev->info.name, sizeof(dev->info.name), "%s/%u", name, dev->dev_id);
	snprintf(dev->info.iommu, sizeof(dev->info.iommu), "%s",
		 ids->no_dirty ? "mock-no-dirty" : "mock");
	snprintf(dev->info.driver, sizeof(dev->info.driver), "iommufd-selftest");
	*out = dev;
	return 0;

out_free:
	free(priv);
	free(dev);
	return ret;
}
