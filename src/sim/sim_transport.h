/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated kernel behind the transport interface (priv: struct iommufd_sim *). */
#ifndef IOFD_SIM_TRANSPORT_H
#define IOFD_SIM_TRANSPORT_H

#include "transport/transport.h"

extern const struct iofd_transport_ops iofd_sim_transport_ops;

#endif
