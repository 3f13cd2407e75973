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

#ifdef MOCK_PASID_WIDTH
	/* The PASID test ops are 7.x's (6.12's header has none). */
	SAME_VALUE(IOFD_TEST_OP_PASID_CHECK_HWPT, IOMMU_TEST_OP_PASID_CHECK_HWPT);
	SAME_FIELD(iofd_test_cmd, pasid_check.pasid, iommu_test_cmd, pasid_check.pasid);
	SAME_FIELD(iofd_test_cmd, pasid_check.hwpt_id, iommu_test_cmd, pasid_check.hwpt_id);
#endif

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
		cmocka_unit_test(test_selftest_source_facts),
	};

	print_message("kernel selftest header from: %s\n", KUAPI_SELFTEST_SOURCE);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
