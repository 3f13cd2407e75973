// SPDX-License-Identifier: LGPL-2.1-or-later
/* Topologies: the default host, files, JSON text, and every kind of mistake. */
#include <unistd.h>

#include "sim_test.h"

static void test_default_host(void **state)
{
	struct iommufd_sim *sim = new_sim(NULL);
	struct iommufd_device_desc d[8];
	int n;

	n = ops()->list_devices(sim, d, 8);
	assert_int_equal(n, 5);
	assert_string_equal(d[0].name, DEV_A);
	assert_string_equal(d[0].cdev, CDEV_A);
	assert_string_equal(d[0].iommu, "dmar0");
	assert_string_equal(d[0].driver, "intel-vtd");
	assert_false(d[0].emulated);
	assert_string_equal(d[2].iommu, "dmar1");
	assert_string_equal(d[3].driver, "arm-smmu-v3");
	assert_string_equal(d[4].name, DEV_M);
	assert_string_equal(d[4].cdev, CDEV_M);
	assert_true(d[4].emulated);
	assert_string_equal(d[4].iommu, "");
	assert_string_equal(d[4].driver, "");
	/* list_devices reports the total even when the buffer is short */
	assert_int_equal(ops()->list_devices(sim, d, 2), 5);
	assert_int_equal(ops()->list_devices(sim, NULL, 0), 5);
	iommufd_sim_free(sim);
}

static void test_resolve(void **state)
{
	struct iommufd_sim *sim = new_sim(NULL);
	struct iofd_dev_sysinfo si;

	assert_int_equal(ops()->resolve_device(sim, DEV_C, &si), 0);
	assert_string_equal(si.name, DEV_C);
	assert_string_equal(si.cdev, CDEV_C);
	assert_string_equal(si.iommu, "dmar1");
	assert_string_equal(si.driver, "intel-vtd");
	assert_false(si.emulated);
	assert_int_equal(ops()->resolve_device(sim, CDEV_S, &si), 0);
	assert_string_equal(si.name, DEV_S);
	assert_int_equal(ops()->resolve_device(sim, "/sys/bus/pci/devices/" DEV_A, &si), 0);
	assert_string_equal(si.name, DEV_A);
	assert_int_equal(ops()->resolve_device(sim, "/sys/bus/mdev/devices/" DEV_M, &si), 0);
	assert_true(si.emulated);
	assert_string_equal(si.iommu, "");
	/* the bus in a sysfs path must be the device's */
	assert_int_equal(ops()->resolve_device(sim, "/sys/bus/pci/devices/" DEV_M, &si), -ENOENT);
	assert_int_equal(ops()->resolve_device(sim, "0000:ff:00.0", &si), -ENOENT);
	assert_int_equal(ops()->resolve_device(sim, "/dev/vfio/devices/vfio9", &si), -ENOENT);
	iommufd_sim_free(sim);
}

static void test_json_text_and_file(void **state)
{
	static const char topo[] =
		"{ \"iommus\": [ { \"name\": \"amd0\", \"driver\": \"amd-iommu\", \"iova_bits\": 40,"
		" \"pgsizes\": [4096, \"2MiB\"] } ],"
		"  \"devices\": [ { \"name\": \"0000:01:00.0\", \"iommu\": \"amd0\" },"
		"                 { \"name\": \"m0\", \"emulated\": true } ] }";
	char path[] = "/tmp/sim-topo-XXXXXX";
	struct iofd_dev_sysinfo si;
	struct iommufd_sim *sim;
	int fd;

	sim = new_sim(topo);
	assert_int_equal(ops()->resolve_device(sim, "0000:01:00.0", &si), 0);
	assert_string_equal(si.driver, "amd-iommu");
	assert_string_equal(si.cdev, "/dev/vfio/devices/vfio0");
	assert_int_equal(ops()->resolve_device(sim, "/dev/vfio/devices/vfio1", &si), 0);
	assert_string_equal(si.name, "m0");
	iommufd_sim_free(sim);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, topo, sizeof(topo) - 1), (ssize_t)sizeof(topo) - 1);
	close(fd);
	sim = new_sim(path);
	assert_int_equal(ops()->list_devices(sim, NULL, 0), 2);
	iommufd_sim_free(sim);
	unlink(path);

	sim = (void *)1;
	assert_int_equal(iommufd_sim_new("/nonexistent/topology.json", &sim), -ENOENT);
	assert_null(sim);
	assert_non_null(strstr(iommufd_sim_last_error(), "/nonexistent/topology.json"));
}

/* iommufd_sim_new() fails with -EINVAL and a message containing each of want. */
static void expect_bad(const char *topo, const char *want1, const char *want2)
{
	struct iommufd_sim *sim = (void *)1;
	const char *msg;

	assert_int_equal(iommufd_sim_new(topo, &sim), -EINVAL);
	assert_null(sim);
	msg = iommufd_sim_last_error();
	if (!strstr(msg, want1) || (want2 && !strstr(msg, want2)))
		fail_msg("topology %s: message \"%s\" lacks \"%s\"/\"%s\"", topo, msg, want1,
			 want2 ? want2 : "");
}

static void test_syntax_errors_name_the_line(void **state)
{
	expect_bad("{\n  \"iommus\": [\n    { \"name\": \"x\", }\n  ]\n}\n", "line 3", NULL);
	expect_bad("{\n\"devices\": [\n]\n,\n\n oops }", "line 6", NULL);
	/* truncated input: the error is at the end */
	expect_bad("{\n\"devices\": [\n", "line 3", "end of input");
	expect_bad("{ \"devices\": [] }\n\n garbage", "line 3", NULL);
}

static void test_semantic_errors_name_the_key(void **state)
{
	expect_bad("[]", "top", NULL);
	expect_bad("{ \"iommus\": [] }", "missing \"devices\"", NULL);
	expect_bad("{ \"devices\": [], \"extra\": 1 }", "unknown key \"extra\"", NULL);
	expect_bad("{ \"devices\": {} }", "devices", "expected an array");
	/* iommus */
	expect_bad("{ \"iommus\": [ { \"driver\": \"intel-vtd\" } ], \"devices\": [] }",
		   "iommus[0]", "missing \"name\"");
	expect_bad("{ \"iommus\": [ { \"name\": \"d0\" } ], \"devices\": [] }",
		   "iommus[0] (\"d0\")", "missing \"driver\"");
	expect_bad("{ \"iommus\": [ { \"name\": \"d0\", \"driver\": \"x\" },"
		   " { \"name\": \"d0\", \"driver\": \"x\" } ], \"devices\": [] }",
		   "iommus[1] (\"d0\")", "duplicate");
	expect_bad("{ \"iommus\": [ { \"name\": \"d0\", \"driver\": \"x\", \"pgsizes\": [\"3K\"] } ],"
		   " \"devices\": [] }",
		   "iommus[0] (\"d0\").pgsizes[0]", "bad page size");
	expect_bad("{ \"iommus\": [ { \"name\": \"d0\", \"driver\": \"x\", \"pgsizes\": [\"2M\"] } ],"
		   " \"devices\": [] }",
		   "pgsizes", "4K");
	expect_bad("{ \"iommus\": [ { \"name\": \"d0\", \"driver\": \"x\", \"pgsizes\": [1024] } ],"
		   " \"devices\": [] }",
		   "pgsizes[0]", "bad page size");
	expect_bad("{ \"iommus\": [ { \"name\": \"d0\", \"driver\": \"x\", \"dirty_tracking\": 1 } ],"
		   " \"devices\": [] }",
		   "iommus[0] (\"d0\").dirty_tracking", "expected a boolean");
	expect_bad("{ \"iommus\": [ { \"name\": \"d0\", \"driver\": \"x\", \"iova_bits\": \"48\" } ],"
		   " \"devices\": [] }",
		   "iova_bits", "expected an integer");
	expect_bad("{ \"iommus\": [ { \"name\": \"d0\", \"driver\": \"x\", \"iova_bits\": 12 } ],"
		   " \"devices\": [] }",
		   "iova_bits", "out of range");
	expect_bad("{ \"iommus\": [ { \"name\": \"d0\", \"driver\": \"x\", \"colour\": 1 } ],"
		   " \"devices\": [] }",
		   "iommus[0] (\"d0\")", "unknown key \"colour\"");
	expect_bad("{ \"iommus\": [ { \"name\": 7, \"driver\": \"x\" } ], \"devices\": [] }",
		   "iommus[0].name", "expected a string");
	expect_bad("{ \"iommus\": [ 5 ], \"devices\": [] }", "iommus[0]", "expected an object");
	/* devices */
	expect_bad("{ \"devices\": [ { \"name\": \"a\", \"iommu\": \"nope\" } ] }",
		   "devices[0] (\"a\").iommu", "unknown iommu \"nope\"");
	expect_bad("{ \"devices\": [ { \"name\": \"a\" } ] }", "devices[0] (\"a\")",
		   "missing \"iommu\"");
	expect_bad("{ \"devices\": [ { \"iommu\": \"x\" } ] }", "devices[0]", "missing \"name\"");
	expect_bad("{ \"devices\": [ { \"name\": \"a\", \"emulated\": true },"
		   " { \"name\": \"a\", \"emulated\": true } ] }",
		   "devices[1] (\"a\")", "duplicate");
	expect_bad("{ \"iommus\": [ { \"name\": \"d0\", \"driver\": \"x\" } ],"
		   " \"devices\": [ { \"name\": \"a\", \"iommu\": \"d0\", \"emulated\": true } ] }",
		   "devices[0] (\"a\").iommu", "emulated");
	expect_bad("{ \"devices\": [ { \"name\": \"a\", \"emulated\": \"yes\" } ] }",
		   "devices[0] (\"a\").emulated", "expected a boolean");
	expect_bad("{ \"devices\": [ { \"name\": \"a/b\", \"emulated\": true } ] }",
		   "devices[0].name", "'/'");
	expect_bad("{ \"devices\": [ { \"name\": \"\", \"emulated\": true } ] }",
		   "devices[0].name", "empty");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_host),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_json_text_and_file),
		cmocka_unit_test(test_syntax_errors_name_the_line),
		cmocka_unit_test(test_semantic_errors_name_the_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
