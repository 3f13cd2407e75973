// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * src/uapi/selftest_abi.h against the kernel's own selftest ABI,
 * drivers/iommu/iommufd/iommufd_test.h (not exported to userspace, so the
 * build takes it from the linux-source-VERSION tarball of each kernel in vm/kernels
 * into kuapi-VERSION/).
 * Only what we define is compared; our iofd_test_cmd folds the kernel's
 * mock_domain and mock_domain_flags into one member. Two constants are
 * defined only in the mock driver (selftest.c), extracted beside it.
 */
#include <stdlib.h>
#include <string.h>

#include "uapi/selftest_abi.h"

#include <linux/iommufd.h>
#include <iommufd_test.h>

#include "abi_check.h"
#include KUAPI_READY
#include KUAPI_SELFTEST_READY

static void test_selftest_numbers(void **state)
{
	unsigned before = abi_compared;

	SAME_VALUE(IOFD_TEST_CMD, IOMMU_TEST_CMD);
	SAME_VALUE(IOFD_TEST_OP_ADD_RESERVED, IOMMU_TEST_OP_ADD_RESERVED);
	SAME_VALUE(IOFD_TEST_OP_MOCK_DOMAIN, IOMMU_TEST_OP_MOCK_DOMAIN);
	SAME_VALUE(IOFD_TEST_OP_MOCK_DOMAIN_REPLACE, IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE);
	SAME_VALUE(IOFD_TEST_OP_MOCK_DOMAIN_FLAGS, IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS);
	SAME_VALUE(IOFD_TEST_OP_DIRTY, IOMMU_TEST_OP_DIRTY);
	SAME_VALUE(IOFD_MOCK_DEVICE_NO_DIRTY, MOCK_FLAGS_DEVICE_NO_DIRTY);
	SAME_VALUE(IOFD_MOCK_APERTURE_START, MOCK_APERTURE_START);
	SAME_VALUE(IOFD_MOCK_APERTURE_LAST, MOCK_APERTURE_LAST);
	SAME_VALUE(IOFD_HW_INFO_TYPE_SELFTEST, IOMMU_HW_INFO_TYPE_SELFTEST);
	abi_group_done(before);
}

/* The mock's nested domains, invalidation and faults: 6.12 has them. */
static void test_selftest_nesting(void **state)
{
	unsigned before = abi_compared;

	SAME_VALUE(IOFD_TEST_OP_MD_CHECK_IOTLB, IOMMU_TEST_OP_MD_CHECK_IOTLB);
	SAME_VALUE(IOFD_TEST_OP_TRIGGER_IOPF, IOMMU_TEST_OP_TRIGGER_IOPF);
	SAME_VALUE(IOFD_HWPT_DATA_SELFTEST, IOMMU_HWPT_DATA_SELFTEST);
	SAME_VALUE(IOFD_TEST_IOTLB_DEFAULT, IOMMU_TEST_IOTLB_DEFAULT);
	SAME_VALUE(IOFD_MOCK_IOTLB_NUM, MOCK_NESTED_DOMAIN_IOTLB_NUM);
	SAME_VALUE(IOFD_HWPT_INVALIDATE_DATA_SELFTEST, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST);
	SAME_VALUE(IOFD_HWPT_INVALIDATE_DATA_SELFTEST_INVALID,
		   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID);
	SAME_VALUE(IOFD_TEST_INVALIDATE_FLAG_ALL, IOMMU_TEST_INVALIDATE_FLAG_ALL);
	/* 7.3 adds pagetable_type after iotlb (ours has it; 6.12 takes the first 4 bytes) */
	SAME_FIELD(iofd_hwpt_selftest, iotlb, iommu_hwpt_selftest, iotlb);
	SAME_STRUCT(iofd_hwpt_invalidate_selftest, iommu_hwpt_invalidate_selftest);
	SAME_FIELD(iofd_hwpt_invalidate_selftest, flags, iommu_hwpt_invalidate_selftest, flags);
	SAME_FIELD(iofd_hwpt_invalidate_selftest, iotlb_id, iommu_hwpt_invalidate_selftest,
		   iotlb_id);
	SAME_FIELD(iofd_test_cmd, check_iotlb.id, iommu_test_cmd, check_iotlb.id);
	SAME_FIELD(iofd_test_cmd, check_iotlb.iotlb, iommu_test_cmd, check_iotlb.iotlb);
	SAME_FIELD(iofd_test_cmd, trigger_iopf.dev_id, iommu_test_cmd, trigger_iopf.dev_id);
	SAME_FIELD(iofd_test_cmd, trigger_iopf.pasid, iommu_test_cmd, trigger_iopf.pasid);
	SAME_FIELD(iofd_test_cmd, trigger_iopf.grpid, iommu_test_cmd, trigger_iopf.grpid);
	SAME_FIELD(iofd_test_cmd, trigger_iopf.perm, iommu_test_cmd, trigger_iopf.perm);
	SAME_MEMBER(iofd_test_cmd, trigger_iopf.addr, iommu_test_cmd, trigger_iopf.addr);
	abi_group_done(before);
}

/* The mock's vIOMMU, vEVENTQ, device caches and PASIDs: newer than 6.12. */
static void test_selftest_viommu(void **state)
{
	unsigned before = abi_compared;

#ifdef IOMMU_VIOMMU_TYPE_SELFTEST
	SAME_VALUE(IOFD_TEST_OP_DEV_CHECK_CACHE, IOMMU_TEST_OP_DEV_CHECK_CACHE);
	SAME_VALUE(IOFD_TEST_OP_TRIGGER_VEVENT, IOMMU_TEST_OP_TRIGGER_VEVENT);
	SAME_VALUE(IOFD_TEST_OP_PASID_ATTACH, IOMMU_TEST_OP_PASID_ATTACH);
	SAME_VALUE(IOFD_TEST_OP_PASID_REPLACE, IOMMU_TEST_OP_PASID_REPLACE);
	SAME_VALUE(IOFD_TEST_OP_PASID_DETACH, IOMMU_TEST_OP_PASID_DETACH);
	SAME_VALUE(IOFD_TEST_OP_PASID_CHECK_HWPT, IOMMU_TEST_OP_PASID_CHECK_HWPT);
	SAME_VALUE(IOFD_MOCK_DEVICE_PASID, MOCK_FLAGS_DEVICE_PASID);
	SAME_VALUE(IOFD_MOCK_PASID_WIDTH, MOCK_PASID_WIDTH);
	SAME_VALUE(IOFD_MOCK_DEV_CACHE_NUM, MOCK_DEV_CACHE_NUM);
	SAME_VALUE(IOFD_TEST_DEV_CACHE_DEFAULT, IOMMU_TEST_DEV_CACHE_DEFAULT);
	SAME_VALUE(IOFD_VIOMMU_TYPE_SELFTEST, IOMMU_VIOMMU_TYPE_SELFTEST);
	SAME_VALUE(IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST);
	SAME_VALUE(IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID,
		   IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID);
	SAME_VALUE(IOFD_VEVENTQ_TYPE_SELFTEST, IOMMU_VEVENTQ_TYPE_SELFTEST);
	SAME_STRUCT(iofd_viommu_selftest, iommu_viommu_selftest);
	SAME_FIELD(iofd_viommu_selftest, in_data, iommu_viommu_selftest, in_data);
	SAME_FIELD(iofd_viommu_selftest, out_data, iommu_viommu_selftest, out_data);
	SAME_FIELD(iofd_viommu_selftest, out_mmap_offset, iommu_viommu_selftest, out_mmap_offset);
	SAME_FIELD(iofd_viommu_selftest, out_mmap_length, iommu_viommu_selftest, out_mmap_length);
	SAME_STRUCT(iofd_viommu_invalidate_selftest, iommu_viommu_invalidate_selftest);
	SAME_FIELD(iofd_viommu_invalidate_selftest, flags, iommu_viommu_invalidate_selftest, flags);
	SAME_FIELD(iofd_viommu_invalidate_selftest, vdev_id, iommu_viommu_invalidate_selftest,
		   vdev_id);
	SAME_FIELD(iofd_viommu_invalidate_selftest, cache_id, iommu_viommu_invalidate_selftest,
		   cache_id);
	SAME_STRUCT(iofd_viommu_event_selftest, iommu_viommu_event_selftest);
	SAME_FIELD(iofd_viommu_event_selftest, virt_id, iommu_viommu_event_selftest, virt_id);
	SAME_FIELD(iofd_test_cmd, check_dev_cache.id, iommu_test_cmd, check_dev_cache.id);
	SAME_FIELD(iofd_test_cmd, check_dev_cache.cache, iommu_test_cmd, check_dev_cache.cache);
	SAME_FIELD(iofd_test_cmd, trigger_vevent.dev_id, iommu_test_cmd, trigger_vevent.dev_id);
	SAME_FIELD(iofd_test_cmd, pasid.pasid, iommu_test_cmd, pasid_attach.pasid);
	SAME_FIELD(iofd_test_cmd, pasid.pt_id, iommu_test_cmd, pasid_attach.pt_id);
	SAME_FIELD(iofd_test_cmd, pasid.pasid, iommu_test_cmd, pasid_replace.pasid);
	SAME_FIELD(iofd_test_cmd, pasid.pt_id, iommu_test_cmd, pasid_replace.pt_id);
	SAME_FIELD(iofd_test_cmd, pasid.pasid, iommu_test_cmd, pasid_detach.pasid);
	SAME_FIELD(iofd_test_cmd, pasid.pasid, iommu_test_cmd, pasid_check.pasid);
	SAME_FIELD(iofd_test_cmd, pasid.pt_id, iommu_test_cmd, pasid_check.hwpt_id);
#endif
	if (abi_compared == before) {
		print_message("selftest header of Linux 6.12: no vIOMMU to compare\n");
		return;
	}
	abi_group_done(before);
}

static void test_selftest_cmd_layout(void **state)
{
	unsigned before = abi_compared;

	SAME_STRUCT(iofd_test_cmd, iommu_test_cmd);
	SAME_FIELD(iofd_test_cmd, size, iommu_test_cmd, size);
	SAME_FIELD(iofd_test_cmd, op, iommu_test_cmd, op);
	SAME_FIELD(iofd_test_cmd, id, iommu_test_cmd, id);
	SAME_FIELD(iofd_test_cmd, reserved, iommu_test_cmd, __reserved);

	SAME_FIELD(iofd_test_cmd, add_reserved.start, iommu_test_cmd, add_reserved.start);
	SAME_FIELD(iofd_test_cmd, add_reserved.length, iommu_test_cmd, add_reserved.length);

	/* MOCK_DOMAIN reads the first three, MOCK_DOMAIN_FLAGS all four. */
	SAME_FIELD(iofd_test_cmd, mock_domain.out_stdev_id, iommu_test_cmd,
		   mock_domain.out_stdev_id);
	SAME_FIELD(iofd_test_cmd, mock_domain.out_hwpt_id, iommu_test_cmd,
		   mock_domain.out_hwpt_id);
	SAME_FIELD(iofd_test_cmd, mock_domain.out_idev_id, iommu_test_cmd,
		   mock_domain.out_idev_id);
	SAME_FIELD(iofd_test_cmd, mock_domain.out_stdev_id, iommu_test_cmd,
		   mock_domain_flags.out_stdev_id);
	SAME_FIELD(iofd_test_cmd, mock_domain.out_hwpt_id, iommu_test_cmd,
		   mock_domain_flags.out_hwpt_id);
	SAME_FIELD(iofd_test_cmd, mock_domain.out_idev_id, iommu_test_cmd,
		   mock_domain_flags.out_idev_id);
	SAME_FIELD(iofd_test_cmd, mock_domain.dev_flags, iommu_test_cmd,
		   mock_domain_flags.dev_flags);

	SAME_FIELD(iofd_test_cmd, mock_domain_replace.pt_id, iommu_test_cmd,
		   mock_domain_replace.pt_id);

	SAME_FIELD(iofd_test_cmd, dirty.flags, iommu_test_cmd, dirty.flags);
	SAME_FIELD(iofd_test_cmd, dirty.iova, iommu_test_cmd, dirty.iova);
	SAME_FIELD(iofd_test_cmd, dirty.length, iommu_test_cmd, dirty.length);
	SAME_FIELD(iofd_test_cmd, dirty.page_size, iommu_test_cmd, dirty.page_size);
	SAME_FIELD(iofd_test_cmd, dirty.uptr, iommu_test_cmd, dirty.uptr);
	SAME_FIELD(iofd_test_cmd, dirty.out_nr_dirty, iommu_test_cmd, dirty.out_nr_dirty);

	SAME_FIELD(iofd_test_cmd, last, iommu_test_cmd, last);
	abi_group_done(before);
}

static char *read_text(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *text;
	long len;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	text = calloc(1, len + 1);
	if (text && fread(text, 1, len, fp) != (size_t)len) {
		free(text);
		text = NULL;
	}
	fclose(fp);
	return text;
}

/*
 * Two facts live only in the mock driver's source (selftest.c), not in its
 * header: the mock's IO page size and the most pages TEST_OP_DIRTY takes.
 * They are checked against the definitions as written there (x86-64: 4 KiB
 * pages); a changed definition fails here for a human to look at.
 */
static void test_selftest_source_facts(void **state)
{
	char *text = read_text(KUAPI_SELFTEST_C);
	unsigned before = abi_compared;

	assert_non_null(text);
	/* 6.12 defines the IO page in selftest.c, 7.x as MOCK_PAGE_SIZE in the header */
	if (strstr(text, "MOCK_IO_PAGE_SIZE = PAGE_SIZE / 2,")) {
		SAME_VALUE(IOFD_MOCK_IO_PAGE_SIZE, 4096 / 2);
	} else {
		char hdr[4096], *h;

		snprintf(hdr, sizeof(hdr), "%.*s/iommufd_test.h",
			 (int)(strrchr(KUAPI_SELFTEST_C, '/') - KUAPI_SELFTEST_C), KUAPI_SELFTEST_C);
		h = read_text(hdr);
		assert_non_null(h);
		if (!strstr(h, "MOCK_PAGE_SIZE = 2048,"))
			fail_msg("neither selftest.c's MOCK_IO_PAGE_SIZE = PAGE_SIZE / 2 nor "
				 "iommufd_test.h's MOCK_PAGE_SIZE = 2048");
		SAME_VALUE(IOFD_MOCK_IO_PAGE_SIZE, 2048);
		free(h);
	}
	if (!strstr(text, "if (max > SZ_16M * BITS_PER_BYTE)"))
		fail_msg("selftest.c no longer limits TEST_OP_DIRTY to SZ_16M * BITS_PER_BYTE pages");
	SAME_VALUE(IOFD_MOCK_DIRTY_MAX_PAGES, (16ull << 20) * 8);
	free(text);
	abi_group_done(before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selftest_numbers),
		cmocka_unit_test(test_selftest_cmd_layout),
		cmocka_unit_test(test_selftest_nesting),
		cmocka_unit_test(test_selftest_viommu),
		cmocka_unit_test(test_selftest_source_facts),
	};

	print_message("kernel selftest header from: %s\n", KUAPI_SELFTEST_SOURCE);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
