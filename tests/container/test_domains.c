// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Domains as a program sees them: iommufd_container_domains_all() (every
 * domain in one malloc'd array, at the element size the caller was built
 * with; on failure *out NULL and a message) and iommufd_domain_flags_str(),
 * the words the library's own messages use too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

/* A caller built against a later header, whose domain info has grown. */
struct later_info {
	struct iommufd_domain_info i;
	uint32_t added[5];
};

static void every_domain_as_the_bounded_call_gives_them(void **state)
{
	struct iommufd_domain_info d[8], *all = NULL;
	struct fx f;
	int i, n;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	/* No device yet: no domain, no array. */
	all = (struct iommufd_domain_info *)0x1;
	assert_int_equal(iommufd_container_domains_all(f.c, &all, sizeof(*all)), 0);
	assert_null(all);

	for (i = 0; i < NDEVS; i++)
		fx_attach(&f, dev_names[i]);
	n = iommufd_container_domains(f.c, d, 8);
	assert_int_equal(n, 3);
	assert_int_equal(iommufd_container_domains_all(f.c, &all, sizeof(*all)), n);
	for (i = 0; i < n; i++) {
		assert_int_equal(all[i].hwpt_id, d[i].hwpt_id);
		assert_int_equal(all[i].flags, d[i].flags);
		assert_int_equal(all[i].ndevices, d[i].ndevices);
	}
	free(all);
	fx_fini(&f);
}

static void a_later_caller_gets_its_size_zero_filled(void **state)
{
	struct iommufd_domain_info d[8];
	struct later_info *all = NULL;
	struct fx f;
	int i, j, n;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_attach(&f, DEV_A0);
	fx_attach(&f, DEV_B0);
	n = iommufd_container_domains(f.c, d, 8);
	assert_int_equal(n, 2);
	assert_int_equal(iommufd_container_domains_all(f.c, (struct iommufd_domain_info **)&all,
						       sizeof(*all)), n);
	for (i = 0; i < n; i++) {
		assert_int_equal(all[i].i.hwpt_id, d[i].hwpt_id);
		assert_int_equal(all[i].i.flags, d[i].flags);
		assert_int_equal(all[i].i.ndevices, d[i].ndevices);
		for (j = 0; j < 5; j++)
			assert_int_equal(all[i].added[j], 0);
	}
	free(all);
	fx_fini(&f);
}

static void bad_arguments_leave_nothing(void **state)
{
	struct iommufd_domain_info *all;
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	fx_attach(&f, DEV_A0);
	all = (struct iommufd_domain_info *)0x1;
	assert_int_equal(iommufd_container_domains_all(f.c, &all, sizeof(*all) - 1), -EINVAL);
	assert_null(all);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "container domains: element size"));
	all = (struct iommufd_domain_info *)0x1;
	assert_int_equal(iommufd_container_domains_all(f.c, &all, 0), -EINVAL);
	assert_null(all);
	assert_int_equal(iommufd_container_domains_all(f.c, NULL, sizeof(*all)), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(f.ctx), "out is NULL"));
	all = (struct iommufd_domain_info *)0x1;
	assert_int_equal(iommufd_container_domains_all(NULL, &all, sizeof(*all)), -EINVAL);
	assert_null(all);
	/* The container is as it was. */
	assert_int_equal(iommufd_container_domains(f.c, NULL, 0), 1);
	fx_fini(&f);
}

static void flags_in_words(void **state)
{
	const uint32_t both = IOMMUFD_DOMAIN_DIRTY_TRACKING | IOMMUFD_DOMAIN_NEST_PARENT;

	assert_string_equal(iommufd_domain_flags_str(0), "plain");
	assert_string_equal(iommufd_domain_flags_str(IOMMUFD_DOMAIN_DIRTY_TRACKING),
			    "dirty-tracking");
	assert_string_equal(iommufd_domain_flags_str(IOMMUFD_DOMAIN_NEST_PARENT), "nest-parent");
	assert_string_equal(iommufd_domain_flags_str(both), "nest-parent+dirty-tracking");
	/* Flags this library does not know are left out. */
	assert_string_equal(iommufd_domain_flags_str(1u << 31 | IOMMUFD_DOMAIN_NEST_PARENT),
			    "nest-parent");
}

struct log_lines {
	char text[2048];
	size_t len;
};

static void keep_info(void *arg, int level, const char *msg)
{
	struct log_lines *l = arg;

	if (level == IOMMUFD_LOG_INFO && l->len < sizeof(l->text))
		l->len += snprintf(l->text + l->len, sizeof(l->text) - l->len, "%s\n", msg);
}

/* The library's messages name a domain's features in the same words. */
static void log_lines_use_the_same_words(void **state)
{
	struct log_lines l = { .len = 0 };
	char want[64];
	struct fx f;

	fx_init(&f, IOMMUFD_CONTAINER_DIRTY_TRACKING);
	iommufd_set_log(f.ctx, keep_info, &l);
	fx_attach(&f, DEV_A0);
	fx_attach(&f, DEV_B0);
	iommufd_set_log(f.ctx, NULL, NULL);
	snprintf(want, sizeof(want), "gets a new %s hwpt",
		 iommufd_domain_flags_str(IOMMUFD_DOMAIN_DIRTY_TRACKING));
	assert_non_null(strstr(l.text, want));
	snprintf(want, sizeof(want), "gets a new %s hwpt", iommufd_domain_flags_str(0));
	assert_non_null(strstr(l.text, want));
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_domain_as_the_bounded_call_gives_them),
		cmocka_unit_test(a_later_caller_gets_its_size_zero_filled),
		cmocka_unit_test(bad_arguments_leave_nothing),
		cmocka_unit_test(flags_in_words),
		cmocka_unit_test(log_lines_use_the_same_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
