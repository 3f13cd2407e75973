// SPDX-License-Identifier: LGPL-2.1-or-later
/* Map and unmap through a container: devices reach exactly what is mapped; bad ranges are refused. */
#include <errno.h>
#include <string.h>

#include "helpers.h"

static void devices_reach_what_is_mapped(void **state)
{
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_attach(&f, DEV_A0);
	fx_attach(&f, DEV_B0);
	fx_attach(&f, DEV_M0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA, PAGE), -EFAULT);
	fx_map(&f);
	/* every domain and the IOAS itself see the mapping */
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA, MEM_LEN), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_B0, MEM_IOVA + PAGE, PAGE), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_M0, MEM_IOVA, PAGE), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA + MEM_LEN, PAGE), -EFAULT);
	/* a device attached later sees mappings made before */
	fx_attach(&f, DEV_S0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_S0, MEM_IOVA, PAGE), 0);
	assert_int_equal(iommufd_container_unmap(f.c, MEM_IOVA, MEM_LEN), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA, PAGE), -EFAULT);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_S0, MEM_IOVA, PAGE), -EFAULT);
	fx_fini(&f);
}

static void readonly_mappings_fault_on_write(void **state)
{
	struct fx f;

	fx_init(&f, 0);
	fx_attach(&f, DEV_A0);
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA, MEM_LEN, true), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA, PAGE), -EFAULT);
	fx_fini(&f);
}

static void ranges_outside_the_iova_ranges_are_refused(void **state)
{
	const char *msg;
	struct fx f;

	fx_init(&f, 0);
	fx_attach(&f, DEV_A0);
	/* beyond the 48-bit aperture */
	assert_int_equal(iommufd_container_map(f.c, f.mem, 1ULL << 48, MEM_LEN, false), -EINVAL);
	msg = iommufd_last_error(f.ctx);
	assert_non_null(strstr(msg, "[0x1000000000000, 0x1000000ffffff]"));
	assert_non_null(strstr(msg, "outside the allowed IOVA ranges"));
	/* the allowed ranges are named, so the caller can see why */
	assert_non_null(strstr(msg, "0x0-0xfedfffff"));
	/* across the VT-d interrupt window */
	assert_int_equal(iommufd_container_map(f.c, f.mem, 0xfee00000ULL - PAGE, 2 * PAGE, false),
			 -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "outside the allowed IOVA ranges"));
	/* not aligned to the IOMMU page */
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA + 0x800, PAGE, false), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "aligned"));
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA, PAGE + 1, false), -EINVAL);
	/* nothing was mapped by any of them */
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA, PAGE), -EFAULT);
	fx_fini(&f);
}

static void bad_maps(void **state)
{
	struct fx f;

	fx_init(&f, 0);
	fx_attach(&f, DEV_A0);
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA, 0, false), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "length 0"));
	assert_int_equal(iommufd_container_map(f.c, NULL, MEM_IOVA, PAGE, false), -EINVAL);
	assert_int_equal(iommufd_container_map(f.c, f.mem, UINT64_MAX - PAGE + 1, 2 * PAGE, false),
			 -EOVERFLOW);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "wraps"));
	assert_int_equal(iommufd_container_map(NULL, f.mem, MEM_IOVA, PAGE, false), -EINVAL);
	/* overlapping an existing mapping, from either side */
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA, 4 * PAGE, false), 0);
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA + 3 * PAGE, 2 * PAGE, false),
			 -EEXIST);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "overlaps"));
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA - PAGE, 2 * PAGE, false),
			 -EEXIST);
	/* next to it is fine */
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA + 4 * PAGE, PAGE, false), 0);
	fx_fini(&f);
}

static void unmap_rules(void **state)
{
	struct fx f;
	int i;

	fx_init(&f, 0);
	fx_attach(&f, DEV_A0);
	/* three mappings with a hole between the second and the third */
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA, 4 * PAGE, false), 0);
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA + 4 * PAGE, 4 * PAGE, false), 0);
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA + 16 * PAGE, 4 * PAGE, false),
			 0);

	assert_int_equal(iommufd_container_unmap(f.c, MEM_IOVA, 0), -EINVAL);
	assert_int_equal(iommufd_container_unmap(f.c, UINT64_MAX - PAGE + 1, 2 * PAGE), -EOVERFLOW);
	assert_int_equal(iommufd_container_unmap(f.c, MEM_IOVA + 8 * PAGE, 8 * PAGE), -ENOENT);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "nothing mapped"));
	/* part of a mapping: the kernel does not split */
	assert_int_equal(iommufd_container_unmap(f.c, MEM_IOVA, 2 * PAGE), -ENOENT);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "split"));
	assert_int_equal(iommufd_container_unmap(f.c, MEM_IOVA + 2 * PAGE, 4 * PAGE), -ENOENT);
	for (i = 0; i < 20; i += 4)
		if (i != 8 && i != 12)
			assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA + i * PAGE, PAGE),
					 0);

	/* whole mappings with a hole between: fine */
	assert_int_equal(iommufd_container_unmap(f.c, MEM_IOVA + 4 * PAGE, 16 * PAGE), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA + 4 * PAGE, PAGE), -EFAULT);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA + 16 * PAGE, PAGE), -EFAULT);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA, PAGE), 0);
	/* unmap-all, then again with nothing left */
	assert_int_equal(iommufd_container_unmap(f.c, 0, UINT64_MAX), 0);
	assert_int_equal(iommufd_sim_dma_write(f.sim, DEV_A0, MEM_IOVA, PAGE), -EFAULT);
	assert_int_equal(iommufd_container_unmap(f.c, 0, UINT64_MAX), 0);
	/* the space is free again */
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA, 4 * PAGE, false), 0);
	fx_fini(&f);
}

/* A container that never mapped anything has no mapping list at all: unmap-all is still fine. */
static void unmap_all_of_nothing(void **state)
{
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	assert_int_equal(iommufd_container_unmap(f.c, 0, UINT64_MAX), 0);
	fx_attach(&f, DEV_A0);
	assert_int_equal(iommufd_container_set_dirty_tracking(f.c, true), 0);
	assert_int_equal(iommufd_container_unmap(f.c, 0, UINT64_MAX), 0);
	/* a range of nothing is refused, as the kernel does */
	assert_int_equal(iommufd_container_unmap(f.c, MEM_IOVA, PAGE), -ENOENT);
	assert_int_equal(iommufd_container_map(f.c, f.mem, MEM_IOVA, 4 * PAGE, false), 0);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(devices_reach_what_is_mapped),
		cmocka_unit_test(readonly_mappings_fault_on_write),
		cmocka_unit_test(ranges_outside_the_iova_ranges_are_refused),
		cmocka_unit_test(bad_maps),
		cmocka_unit_test(unmap_rules),
		cmocka_unit_test(unmap_all_of_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
