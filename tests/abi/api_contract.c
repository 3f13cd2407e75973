// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The API contract (docs/api.md): programs outside the project are written against these
 * names, argument orders and types, so each is pinned here. Every call is assigned to a
 * pointer of exactly the type the contract gives it, so that a renamed call, a reordered or
 * retyped argument, a changed return type, a renamed constant or struct member fails to
 * compile. The program links the shared libraries as any user's would and checks the
 * constants' values at run time.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <iommufd/iommufd.h>

/* The type a call must have, and the call: a mismatch is a compile error (-Werror). */
#define PIN(type, fn) static __typeof__(type) const pin_##fn __attribute__((used)) = fn

/* ---- context ---- */
PIN(int (*)(const char *, struct iommufd_ctx **), iommufd_open);
PIN(int (*)(int, struct iommufd_ctx **), iommufd_from_fd);
PIN(void (*)(struct iommufd_ctx *), iommufd_close);
PIN(int (*)(const struct iommufd_ctx *), iommufd_fd);
PIN(const char *(*)(struct iommufd_ctx *), iommufd_last_error);
PIN(void (*)(struct iommufd_ctx *, void (*)(void *, int, const char *), void *), iommufd_set_log);

/* ---- simulated kernel (libiommufd-sim) ---- */
PIN(int (*)(const char *, struct iommufd_sim **), iommufd_sim_new);
PIN(int (*)(struct iommufd_sim *, struct iommufd_ctx **), iommufd_sim_open);
PIN(void (*)(struct iommufd_sim *), iommufd_sim_free);
PIN(int (*)(struct iommufd_sim *, const char *, uint64_t, uint64_t), iommufd_sim_dma_write);
PIN(long (*)(const struct iommufd_sim *), iommufd_sim_live_objects);
PIN(int (*)(struct iommufd_sim *, unsigned, int), iommufd_sim_fail_nth);

/* ---- devices ---- */
PIN(int (*)(struct iommufd_ctx *, const char *, struct iommufd_device **), iommufd_device_open);
PIN(void (*)(struct iommufd_device *), iommufd_device_close);
PIN(uint32_t (*)(const struct iommufd_device *), iommufd_device_id);
PIN(const char *(*)(const struct iommufd_device *), iommufd_device_name);
PIN(bool (*)(const struct iommufd_device *), iommufd_device_is_emulated);
PIN(int (*)(struct iommufd_device *), iommufd_device_dirty_capable);
PIN(uint32_t (*)(const struct iommufd_device *), iommufd_device_pt_id);
PIN(int (*)(struct iommufd_ctx *, int, struct iommufd_device **), iommufd_device_from_fd);
PIN(int (*)(const struct iommufd_device *), iommufd_device_fd);
/* live update: cdev_fd, then the dev_id it was bound with */
PIN(int (*)(struct iommufd_ctx *, int, uint32_t, struct iommufd_device **), iommufd_device_adopt);

/* ---- containers ---- */
PIN(int (*)(struct iommufd_ctx *, uint32_t, struct iommufd_container **), iommufd_container_new);
PIN(void (*)(struct iommufd_container *), iommufd_container_free);
PIN(uint32_t (*)(const struct iommufd_container *), iommufd_container_ioas_id);
PIN(int (*)(struct iommufd_container *, struct iommufd_device *), iommufd_container_attach);
PIN(int (*)(struct iommufd_container *, struct iommufd_device *), iommufd_container_detach);
/* va, iova, len, readonly: in this order */
PIN(int (*)(struct iommufd_container *, void *, uint64_t, uint64_t, bool), iommufd_container_map);
PIN(int (*)(struct iommufd_container *, uint64_t, uint64_t), iommufd_container_unmap);
PIN(int (*)(struct iommufd_container *, bool), iommufd_container_set_dirty_tracking);
PIN(int (*)(struct iommufd_container *, uint64_t, uint64_t, uint64_t, uint64_t *, uint32_t),
    iommufd_container_read_dirty);
PIN(int (*)(struct iommufd_container *), iommufd_container_dirty_status);
PIN(int (*)(struct iommufd_container *, struct iommufd_domain_info *, unsigned),
    iommufd_container_domains);
/* fd, offset, iova, len, readonly */
PIN(int (*)(struct iommufd_container *, int, uint64_t, uint64_t, uint64_t, bool),
    iommufd_container_map_file);

/* live update: the state through an fd, the devices of a restored container, the accounting */
PIN(int (*)(struct iommufd_container *, int), iommufd_container_save);
PIN(int (*)(struct iommufd_ctx *, int, struct iommufd_container **), iommufd_container_restore);
PIN(int (*)(struct iommufd_container *, struct iommufd_device **, unsigned),
    iommufd_container_devices);
PIN(int (*)(struct iommufd_ctx *), iommufd_change_process);

/* nesting: a stage-1 domain from the guest's data over the nest parent */
PIN(int (*)(struct iommufd_container *, struct iommufd_device *, uint32_t, const void *, size_t),
    iommufd_container_attach_nested);
PIN(int (*)(struct iommufd_container *, struct iommufd_device *),
    iommufd_container_detach_nested);

/* ---- kernel selftest devices ---- */
PIN(int (*)(struct iommufd_device *, uint64_t, uint64_t), iommufd_selftest_dirty);

/* ---- objects ---- */
PIN(int (*)(struct iommufd_ctx *, uint32_t *), iommufd_ioas_alloc);
PIN(int (*)(struct iommufd_ctx *, uint32_t), iommufd_destroy);
PIN(int (*)(struct iommufd_ctx *, uint32_t, uint32_t, uint32_t, uint32_t *), iommufd_hwpt_alloc);
PIN(int (*)(struct iommufd_ctx *, uint32_t, uint64_t, uint64_t, uint64_t, uint64_t *, uint32_t),
    iommufd_hwpt_get_dirty_bitmap);
/* nested translation: the kernel's own types and data pass through */
PIN(int (*)(struct iommufd_ctx *, uint32_t, uint32_t, uint32_t, void *, size_t, uint32_t *),
    iommufd_viommu_alloc);
PIN(int (*)(struct iommufd_ctx *, uint32_t, uint32_t, uint64_t, uint32_t *), iommufd_vdevice_alloc);
PIN(int (*)(struct iommufd_ctx *, uint32_t, uint32_t, uint32_t, uint32_t, const void *, size_t,
	    uint32_t *),
    iommufd_hwpt_alloc_nested);
PIN(int (*)(struct iommufd_ctx *, uint32_t, uint32_t, const void *, uint32_t, uint32_t *),
    iommufd_hwpt_invalidate);

/* The struct the contract names, with its members. */
static void domain_info_members(void)
{
	struct iommufd_domain_info d = { .hwpt_id = 1, .flags = IOMMUFD_DOMAIN_DIRTY_TRACKING,
					 .ndevices = 2 };
	uint32_t *hwpt_id = &d.hwpt_id, *flags = &d.flags;
	unsigned *ndevices = &d.ndevices;

	assert(*hwpt_id == 1 && *flags == IOMMUFD_DOMAIN_DIRTY_TRACKING && *ndevices == 2);
}

int main(void)
{
	/* The constants' values are part of the contract too. */
	int fails = 0;

#define EXPECT(c)                                                         \
	do {                                                              \
		if (!(c)) {                                               \
			fprintf(stderr, "contract broken: %s\n", #c);     \
			fails++;                                          \
		}                                                         \
	} while (0)

	EXPECT(IOMMUFD_CONTAINER_DIRTY_TRACKING == 1u << 0);
	EXPECT(IOMMUFD_CONTAINER_NEST_PARENT == 1u << 1);
	EXPECT(IOMMUFD_DOMAIN_DIRTY_TRACKING == 1u << 0);
	EXPECT(IOMMUFD_DOMAIN_NEST_PARENT == 1u << 1);
	EXPECT(IOMMUFD_DIRTY_NO_CLEAR == 1u << 0);
	/* Every pin resolved to the library's call. */
	EXPECT(pin_iommufd_open && pin_iommufd_container_map && pin_iommufd_sim_new &&
	       pin_iommufd_hwpt_get_dirty_bitmap && pin_iommufd_container_map_file &&
	       pin_iommufd_viommu_alloc && pin_iommufd_container_detach_nested &&
	       pin_iommufd_device_adopt && pin_iommufd_container_save &&
	       pin_iommufd_container_restore && pin_iommufd_container_devices &&
	       pin_iommufd_change_process);
	domain_info_members();
	if (!fails)
		printf("the API contract holds\n");
	return fails ? 1 : 0;
}
