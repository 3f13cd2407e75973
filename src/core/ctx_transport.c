// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Contexts on a transport libiommufd does not hold itself: the simulated kernel of
 * libiommufd-sim hands its transport down through this one private export.
 */
#include <errno.h>
#include <fcntl.h>

#include "core/ctx.h"

int iofd_ctx_open_transport(const struct iofd_transport_ops *ops, void *priv,
			    struct iommufd_ctx **out)
{
	struct iofd_transport tp = { ops, priv };
	int fd, ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!ops)
		return -EINVAL;
	fd = ops->open(priv, "/dev/iommu", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fd;
	ret = iofd_ctx_new(tp, fd, true, out);
	if (ret)
		ops->close(priv, fd);
	return ret;
}

int iofd_ctx_open_transport_fd(const struct iofd_transport_ops *ops, void *priv, int fd,
			       struct iommufd_ctx **out)
{
	struct iofd_transport tp = { ops, priv };

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!ops || fd < 0)
		return -EINVAL;
	/* As iommufd_from_fd(): the fd stays its holder's. */
	return iofd_ctx_new(tp, fd, false, out);
}
