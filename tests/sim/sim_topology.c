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

/* A one-IOMMU topology: keys is the rest of the IOMMU's object, e.g. "\"nesting\": true". */
static char *one_iommu(const char *driver, const char *keys)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "{ \"iommus\": [ { \"name\": \"u0\", \"driver\": \"%s\"%s%s } ],"
		 " \"devices\": [ { \"name\": \"d0\", \"iommu\": \"u0\" } ] }",
		 driver, keys[0] ? ", " : "", keys);
	return buf;
}

/* Attach d0 to a new IOAS: the IOVA ranges (count) and alignment its domain leaves. */
static int ranges_with_device(const char *topo, struct iofd_iova_range *r, unsigned int max,
			      uint64_t *align)
{
	struct iommufd_sim *sim = new_sim(topo);
	int ifd = open_iommufd(sim), dfd, n;
	uint32_t ioas = ioas_alloc(sim, ifd), pt = ioas;

	dfd = bind_dev(sim, ifd, "/dev/vfio/devices/vfio0", NULL);
	assert_int_equal(attach(sim, dfd, &pt), 0);
	n = iova_ranges(sim, ifd, ioas, r, max, align);
	t_close(sim, dfd);
	iommufd_sim_free(sim);
	return n;
}

static void test_aperture_keys(void **state)
{
	struct iofd_iova_range r[4];
	uint64_t align;

	/* numbers, 0x strings and size suffixes; aperture_end is the last IOVA */
	assert_int_equal(ranges_with_device(one_iommu("x", "\"aperture_start\": \"0x100000\","
						       " \"aperture_end\": 4294967295"),
					    r, 4, &align),
			 1);
	assert_int_equal(r[0].start, 0x100000);
	assert_int_equal(r[0].last, 0xffffffffull);
	assert_int_equal(align, SZ_4K);
	assert_int_equal(ranges_with_device(one_iommu("x", "\"aperture_start\": \"16M\","
						       " \"iova_bits\": 31"),
					    r, 4, NULL),
			 1);
	assert_int_equal(r[0].start, 1ull << 24);
	assert_int_equal(r[0].last, (1ull << 31) - 1);
	/* the whole 64-bit space: nothing reserved at either end */
	assert_int_equal(ranges_with_device(one_iommu("x", "\"iova_bits\": 64,"
						       " \"aperture_end\": 18446744073709551615"),
					    r, 4, NULL),
			 1);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, UINT64_MAX);
	/* without the keys: 0 .. 2^iova_bits - 1 */
	assert_int_equal(ranges_with_device(one_iommu("x", "\"iova_bits\": 40"), r, 4, NULL), 1);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, (1ull << 40) - 1);
	/* an IOMMU with 2 KiB pages aligns the IOAS to 2 KiB */
	assert_int_equal(ranges_with_device(one_iommu("x", "\"pgsizes\": [\"2K\", \"1M\"]"), r, 4,
					    &align),
			 1);
	assert_int_equal(align, 2048);
}

/* The selftest mock IOMMU's defaults are those of the kernel's selftest.c. */
static void test_selftest_driver_defaults(void **state)
{
	struct iofd_iova_range r[4];
	uint64_t align;

	assert_int_equal(ranges_with_device(one_iommu("iommufd-selftest", ""), r, 4, &align), 1);
	assert_int_equal(r[0].start, 1ull << 24);
	assert_int_equal(r[0].last, (1ull << 31) - 1);
	assert_int_equal(align, 2048);
	/* each default can be overridden */
	assert_int_equal(ranges_with_device(one_iommu("iommufd-selftest",
						       "\"aperture_start\": 0, \"iova_bits\": 32,"
						       " \"pgsizes\": [\"4K\"]"),
					    r, 4, &align),
			 1);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, 0xffffffffull);
	assert_int_equal(align, SZ_4K);
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
	expect_bad(one_iommu("x", "\"iova_bits\": 30"), "u0\").iova_bits", "(31 to 64)");
	expect_bad(one_iommu("x", "\"iova_bits\": 65"), "iova_bits", "out of range");
	/* nesting */
	expect_bad(one_iommu("intel-vtd", "\"nesting\": \"no\""), "u0\").nesting",
		   "expected a boolean");
	expect_bad(one_iommu("x", "\"nesting\": 0"), "nesting", "expected a boolean");
	/* aperture_start, aperture_end: values */
	expect_bad(one_iommu("x", "\"aperture_start\": true"), "u0\").aperture_start",
		   "expected an integer or a string");
	expect_bad(one_iommu("x", "\"aperture_start\": -4096"), "aperture_start", "bad address");
	expect_bad(one_iommu("x", "\"aperture_start\": \"16Q\""), "aperture_start",
		   "bad address \"16Q\"");
	expect_bad(one_iommu("x", "\"aperture_start\": \"0x\""), "aperture_start", "bad address");
	expect_bad(one_iommu("x", "\"aperture_start\": \" 4096\""), "aperture_start", "bad address");
	expect_bad(one_iommu("x", "\"aperture_start\": \"-4096\""), "aperture_start", "bad address");
	expect_bad(one_iommu("x", "\"aperture_end\": \"99999999999999999999\""), "aperture_end",
		   "bad address");
	expect_bad(one_iommu("x", "\"aperture_end\": \"0x10000000000000000\""), "aperture_end",
		   "bad address");
	expect_bad(one_iommu("x", "\"aperture_end\": [1]"), "aperture_end", "found an array");
	/* aperture_start, aperture_end: how they fit together */
	expect_bad(one_iommu("x", "\"iova_bits\": 32, \"aperture_end\": \"0x1ffffffff\""),
		   "u0\").aperture_end", "beyond iova_bits 32 (last IOVA 0xffffffff)");
	expect_bad(one_iommu("iommufd-selftest", "\"aperture_end\": \"0xffffffff\""),
		   "aperture_end", "beyond iova_bits 31");
	expect_bad(one_iommu("x", "\"aperture_start\": \"1M\", \"aperture_end\": \"0xfffff\""),
		   "u0\").aperture_start", "not below aperture_end 0xfffff");
	expect_bad(one_iommu("x", "\"iova_bits\": 32, \"aperture_start\": \"4G\""),
		   "aperture_start: 0x100000000", "not below aperture_end 0xffffffff");
	expect_bad(one_iommu("x", "\"aperture_start\": \"0x1800\""), "aperture_start",
		   "not a multiple of the smallest page size 0x1000");
	expect_bad(one_iommu("x", "\"aperture_end\": \"0x100000\""), "aperture_end",
		   "does not end a page");
	expect_bad(one_iommu("iommufd-selftest", "\"aperture_start\": \"0x1000400\""),
		   "aperture_start", "smallest page size 0x800");
	/* pgsizes: 2K is the smallest there is, and the smallest must be at most 4K */
	expect_bad(one_iommu("x", "\"pgsizes\": [\"1K\"]"), "pgsizes[0]", "at least 2K");
	expect_bad(one_iommu("x", "\"pgsizes\": [\"8K\", \"2M\"]"), "pgsizes",
		   "smallest must be at most 4K");
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

/* iommufd_sim_new() fails with err and a one-line message containing want (fuzzing found it). */
static void expect_one_line(const char *topo, int err, const char *want)
{
	struct iommufd_sim *sim = (void *)1;
	const char *msg;

	assert_int_equal(iommufd_sim_new(topo, &sim), err);
	assert_null(sim);
	msg = iommufd_sim_last_error();
	if (strchr(msg, '\n') || strchr(msg, '\x1b') || !strstr(msg, want))
		fail_msg("message \"%s\": not one line, or lacks \"%s\"", msg, want);
}

/*
 * What a topology says is quoted in messages with its control characters
 * escaped: a message is one line. A NUL in a JSON string would cut a name
 * short, so it is refused.
 */
static void test_messages_are_one_line(void **state)
{
	struct iommufd_sim *sim;

	expect_one_line("{ \"devices\": [], \"de\nvices\": [] }", -EINVAL,
			"unknown key \"de\\nvices\"");
	expect_one_line("{ \"devices\": [ { \"name\": \"a\\u001b[31m\", \"iommu\": \"x\" } ] }",
			-EINVAL, "devices[0] (\"a\\x1b[31m\").iommu");
	expect_one_line("{ \"devices\": [ { \"name\": \"a\", \"iommu\": \"\\u001b[2J\\r\" } ] }",
			-EINVAL, "unknown iommu \"\\x1b[2J\\r\"");
	expect_one_line("{ \"devices\": [ { \"name\": \"a\\u0000b\", \"emulated\": true } ] }",
			-EINVAL, "devices[0].name: contains a NUL character");
	expect_one_line("{ \"iommus\": [ { \"name\": \"i\", \"driver\": \"x\\u0000\" } ],"
			" \"devices\": [] }",
			-EINVAL, "iommus[0] (\"i\").driver: contains a NUL character");
	/* a file name too */
	expect_one_line("/nonexistent/top\nology.json", -ENOENT, "top\\nology.json");
	/* names with control characters are taken as they are (tools escape them) */
	assert_int_equal(iommufd_sim_new("{ \"devices\": [ { \"name\": \"a\\tb\","
					 " \"emulated\": true } ] }", &sim), 0);
	iommufd_sim_free(sim);
}

#define TOPO_LIMIT (16u << 20) /* the documented largest topology */

static const char small_topo[] = "{ \"devices\": [ { \"name\": \"m0\", \"emulated\": true } ] }";

/* A temporary file of small_topo, then pad bytes of value fill, then tail (tail_len bytes). */
static void write_topo_file(char *path, size_t pad, char fill, const char *tail, size_t tail_len)
{
	static char chunk[1 << 16];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, small_topo, sizeof(small_topo) - 1),
			 (ssize_t)sizeof(small_topo) - 1);
	memset(chunk, fill, sizeof(chunk));
	while (pad) {
		size_t n = pad < sizeof(chunk) ? pad : sizeof(chunk);

		assert_int_equal(write(fd, chunk, n), (ssize_t)n);
		pad -= n;
	}
	if (tail_len)
		assert_int_equal(write(fd, tail, tail_len), (ssize_t)tail_len);
	close(fd);
}

static void expect_refused(const char *topo, int err, const char *want1, const char *want2)
{
	struct iommufd_sim *sim = (void *)1;
	const char *msg;

	assert_int_equal(iommufd_sim_new(topo, &sim), err);
	assert_null(sim);
	msg = iommufd_sim_last_error();
	if (!strstr(msg, want1) || (want2 && !strstr(msg, want2)))
		fail_msg("message \"%s\" lacks \"%s\"/\"%s\"", msg, want1, want2 ? want2 : "");
}

/* A topology is text: a NUL byte in a file is refused, not taken as its end. */
static void test_nul_byte_refused(void **state)
{
	char path[] = "/tmp/sim-topo-XXXXXX";
	char at[32];

	write_topo_file(path, 3, '\n', "\0{ oops", 7);
	snprintf(at, sizeof(at), "byte %zu", sizeof(small_topo) - 1 + 3);
	expect_refused(path, -EINVAL, at, "NUL");
	unlink(path);

	/* also one inside the object */
	strcpy(path, "/tmp/sim-topo-XXXXXX");
	{
		int fd = mkstemp(path);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, "{ \"devices\"\0: [] }", 18), 18);
		close(fd);
	}
	expect_refused(path, -EINVAL, "byte 11", "NUL");
	unlink(path);
}

/* Files up to the limit are read; one byte more is refused (-EFBIG), as is text that long. */
static void test_size_limit(void **state)
{
	char path[] = "/tmp/sim-topo-XXXXXX";
	struct iommufd_sim *sim;
	char *text;

	write_topo_file(path, TOPO_LIMIT - (sizeof(small_topo) - 1), ' ', NULL, 0);
	sim = new_sim(path);
	assert_int_equal(ops()->list_devices(sim, NULL, 0), 1);
	iommufd_sim_free(sim);
	unlink(path);

	strcpy(path, "/tmp/sim-topo-XXXXXX");
	write_topo_file(path, TOPO_LIMIT - (sizeof(small_topo) - 1), ' ', "\n", 1);
	expect_refused(path, -EFBIG, path, "16 MiB");
	unlink(path);

	text = malloc(TOPO_LIMIT + 2);
	assert_non_null(text);
	memset(text, ' ', TOPO_LIMIT + 1);
	memcpy(text, small_topo, sizeof(small_topo) - 1);
	text[TOPO_LIMIT + 1] = '\0';
	expect_refused(text, -EFBIG, "16 MiB", NULL);
	text[TOPO_LIMIT] = '\0';
	sim = new_sim(text);
	iommufd_sim_free(sim);
	free(text);
}

/* A file without end is read only up to the limit (and then refused). */
static void test_endless_file(void **state)
{
	expect_refused("/dev/zero", -EFBIG, "/dev/zero", "16 MiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_host),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_json_text_and_file),
		cmocka_unit_test(test_syntax_errors_name_the_line),
		cmocka_unit_test(test_semantic_errors_name_the_key),
		cmocka_unit_test(test_aperture_keys),
		cmocka_unit_test(test_selftest_driver_defaults),
		cmocka_unit_test(test_nul_byte_refused),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_endless_file),
		cmocka_unit_test(test_messages_are_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
