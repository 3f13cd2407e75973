// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommufdctl on the real kernel, inside the test VM. Machine A: the VFIO devices
 * vm/init.sh bound to vfio-pci behind an emulated VT-d (no dirty tracking);
 * machine B: the kernel's selftest mock devices (with and without dirty tracking).
 * Each case runs the tool's own code (iommufdctl_main) in a child with stdout and
 * stderr in files, then checks the exit status, the text and the parsed JSON.
 */
#define _GNU_SOURCE /* memmem */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "iommufdctl.h"
#include "vmtap.h"

#define MAX_ARGS 24
#define MOCK_START (1ull << 24)
#define MOCK_LAST ((1ull << 31) - 1)

struct run {
	int status;
	char out[1 << 16];
	char err[1 << 20];
	json_object *doc;	/* stdout parsed, when --json was given */
};

static bool on_machine(const char *m)
{
	const char *v = getenv("VMTEST_MACHINE");

	return v && !strcmp(v, m);
}

static void need(const char *m)
{
	if (!on_machine(m))
		vt_skip("needs machine %s", m);
}

static void slurp(int fd, char *buf, size_t len)
{
	ssize_t n, got = 0;

	lseek(fd, 0, SEEK_SET);
	while ((size_t)got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	close(fd);
}

/* The tool's messages, and the kernel calls that failed; not every trace line. */
static void note_stderr(const char *err)
{
	const char *line, *nl;
	int len;

	for (line = err; *line; line = nl ? nl + 1 : line + len) {
		nl = strchr(line, '\n');
		len = nl ? (int)(nl - line) : (int)strlen(line);
		if (strncmp(line, "iommufd: ", 9) || memmem(line, len, " = -", 4))
			vt_note("stderr: %.*s", len, line);
	}
}

static int tmpfile_fd(void)
{
	char path[] = "/tmp/guest-tool-XXXXXX";
	int fd = mkstemp(path);

	vt_assert(fd >= 0);
	unlink(path);
	return fd;
}

/* Runs "iommufdctl ARGS..." (NULL-terminated) in a child; parses stdout if --json is in ARGS. */
static struct run *tool(const char *first, ...)
{
	static struct run r;
	char *argv[MAX_ARGS + 2];
	bool json = false;
	int argc = 0, outfd, errfd, wst;
	const char *a;
	va_list ap;
	pid_t pid;

	memset(&r, 0, sizeof(r));
	argv[argc++] = "iommufdctl";
	va_start(ap, first);
	for (a = first; a && argc <= MAX_ARGS; a = va_arg(ap, const char *)) {
		argv[argc++] = (char *)a;
		json |= !strcmp(a, "--json");
	}
	va_end(ap);
	argv[argc] = NULL;

	outfd = tmpfile_fd();
	errfd = tmpfile_fd();
	fflush(NULL);
	pid = fork();
	vt_assert(pid >= 0);
	if (pid == 0) {
		dup2(outfd, STDOUT_FILENO);
		dup2(errfd, STDERR_FILENO);
		/* exit(), not _exit(): stdout must be flushed into the file. */
		exit(iommufdctl_main(argc, argv));
	}
	vt_assert(waitpid(pid, &wst, 0) == pid);
	vt_assert(WIFEXITED(wst));
	r.status = WEXITSTATUS(wst);
	slurp(outfd, r.out, sizeof(r.out));
	slurp(errfd, r.err, sizeof(r.err));
	note_stderr(r.err);
	if (json && r.out[0]) {
		enum json_tokener_error jerr;

		r.doc = json_tokener_parse_verbose(r.out, &jerr);
		if (!r.doc)
			vt_fail(__FILE__, __LINE__, "stdout is not JSON (%s):\n%s",
				json_tokener_error_desc(jerr), r.out);
	}
	return &r;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		vt_fail(__FILE__, __LINE__, "no \"%s\" in %s", key,
			o ? json_object_to_json_string(o) : "(null)");
	return v;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	vt_assert(json_object_is_type(v, json_type_string));
	return json_object_get_string(v);
}

static bool get_bool(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	vt_assert(json_object_is_type(v, json_type_boolean));
	return json_object_get_boolean(v);
}

static long long get_int(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	vt_assert(json_object_is_type(v, json_type_int));
	return json_object_get_int64(v);
}

static bool is_null(json_object *o, const char *key)
{
	return get(o, key) == NULL;
}

/* ---- machine A: VFIO devices behind VT-d without dirty tracking ---- */

static void devices_lists_the_vfio_devices(void)
{
	static const char *const names[] = { "0000:00:03.0", "0000:00:04.0", "0000:00:05.0" };
	json_object *devs, *d;
	struct run *r;
	size_t i;

	need("A");
	r = tool("devices", "--json", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	vt_assert(!get_bool(r->doc, "simulated"));
	devs = get(r->doc, "devices");
	vt_assert_int_eq(json_object_array_length(devs), 3);
	for (i = 0; i < 3; i++) {
		d = json_object_array_get_idx(devs, i);
		vt_assert(!strcmp(get_str(d, "name"), names[i]));
		vt_assert(!strncmp(get_str(d, "cdev"), "/dev/vfio/devices/vfio", 22));
		vt_assert(!strcmp(get_str(d, "driver"), "intel-vtd"));
		vt_assert(!strcmp(get_str(d, "iommu"), "dmar0"));
		vt_assert(!get_bool(d, "emulated"));
		/* QEMU's VT-d has no dirty tracking: GET_HW_INFO says so. */
		vt_assert(!get_bool(d, "dirty_tracking"));
		vt_assert(is_null(d, "error"));
	}
	json_object_put(r->doc);

	r = tool("devices", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	vt_assert(!strncmp(r->out, "NAME ", 5));
	for (i = 0; i < 3; i++)
		vt_assert(strstr(r->out, names[i]));
	/* No device says yes, and every row ends in its answer. */
	vt_assert(!strstr(r->out, " yes\n"));
}

/* A device a VMM holds cannot be opened again: it is listed with the reason, the rest as usual. */
static void devices_in_use_are_listed_with_the_reason(void)
{
	struct iommufd_device *held = NULL;
	struct iommufd_ctx *ctx = NULL;
	json_object *devs, *d;
	struct run *r;
	size_t i;

	need("A");
	vt_assert(iommufd_open(NULL, &ctx) == 0);
	vt_assert(iommufd_device_open(ctx, "0000:00:04.0", &held) == 0);
	r = tool("devices", "--json", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	devs = get(r->doc, "devices");
	vt_assert_int_eq(json_object_array_length(devs), 3);
	for (i = 0; i < 3; i++) {
		d = json_object_array_get_idx(devs, i);
		if (strcmp(get_str(d, "name"), "0000:00:04.0")) {
			vt_assert(is_null(d, "error"));
			continue;
		}
		vt_note("in use: %s", get_str(d, "error"));
		vt_assert(is_null(d, "dirty_tracking"));
		vt_assert(strstr(get_str(d, "error"), "0000:00:04.0"));
		vt_assert(strstr(get_str(d, "error"), "in use"));
	}
	json_object_put(r->doc);

	r = tool("devices", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	vt_assert(strstr(r->out, "? ("));
	iommufd_device_close(held);
	iommufd_close(ctx);
}

static void attach_on_vtd_is_not_migratable(void)
{
	json_object *doms, *dom, *nc;
	struct run *r;

	need("A");
	r = tool("attach", "0000:00:03.0", "/sys/bus/pci/devices/0000:00:04.0", "--json", NULL);
	vt_assert_int_eq(r->status, EXIT_NOT_MIGRATABLE);
	doms = get(r->doc, "domains");
	/* Both devices behind one VT-d unit share one domain, without dirty tracking. */
	vt_assert_int_eq(json_object_array_length(doms), 1);
	dom = json_object_array_get_idx(doms, 0);
	vt_assert(!get_bool(dom, "dirty_tracking"));
	vt_assert_int_eq(json_object_array_length(get(dom, "devices")), 2);
	vt_assert(!get_bool(r->doc, "migratable"));
	nc = get(get(r->doc, "dirty_tracking"), "not_covered");
	vt_assert_int_eq(json_object_array_length(nc), 2);
	vt_assert(strstr(get_str(json_object_array_get_idx(get(r->doc, "devices"), 0), "reason"),
			 "no dirty tracking"));
	vt_assert(get_bool(get(r->doc, "teardown"), "clean"));
	vt_assert(is_null(get(r->doc, "teardown"), "objects_left"));
	json_object_put(r->doc);

	r = tool("attach", "0000:00:03.0", NULL);
	vt_assert_int_eq(r->status, EXIT_NOT_MIGRATABLE);
	vt_assert(strstr(r->out, "IOMMU dmar0 has no dirty tracking"));
	vt_assert(strstr(r->out, "teardown: done"));
}

static void attach_no_dirty_on_vtd(void)
{
	json_object *dom;
	struct run *r;

	need("A");
	r = tool("attach", "--no-dirty", "0000:00:03.0", "0000:00:05.0", "--json", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	vt_assert_int_eq(json_object_array_length(get(r->doc, "domains")), 1);
	dom = json_object_array_get_idx(get(r->doc, "domains"), 0);
	vt_assert(!get_bool(dom, "dirty_tracking"));
	vt_assert(!get_bool(get(r->doc, "dirty_tracking"), "requested"));
	json_object_put(r->doc);
}

static void migrate_on_vtd_refuses(void)
{
	struct run *r;

	need("A");
	r = tool("migrate", "0000:00:03.0", "--memory", "8M", "--json", NULL);
	vt_assert_int_eq(r->status, EXIT_NOT_MIGRATABLE);
	vt_assert_int_eq(json_object_array_length(get(r->doc, "rounds")), 0);
	vt_assert(is_null(r->doc, "summary"));
	json_object_put(r->doc);
}

static void unknown_device_is_an_error(void)
{
	struct run *r;

	need("A");
	r = tool("attach", "0000:00:1f.7", NULL);
	vt_assert_int_eq(r->status, EXIT_ERROR);
	vt_assert(strstr(r->err, "open device '0000:00:1f.7'"));
	vt_assert(!r->out[0]);
}

/* The same device under two names: a usage error naming both, before any bind. */
static void the_same_device_twice_is_a_usage_error(void)
{
	struct run *r;

	need("A");
	r = tool("attach", "0000:00:03.0", "/dev/vfio/devices/vfio0", NULL);
	vt_assert_int_eq(r->status, EXIT_USAGE);
	vt_assert(strstr(r->err, "device '0000:00:03.0' and '/dev/vfio/devices/vfio0' are the "
			 "same device"));
	vt_assert(!strstr(r->err, "VFIO_BIND_IOMMUFD"));
	vt_assert(!r->out[0]);
	r = tool("migrate", "/sys/bus/pci/devices/0000:00:04.0", "0000:00:04.0", "--json", NULL);
	vt_assert_int_eq(r->status, EXIT_USAGE);
	vt_assert(strstr(r->err, "are the same device"));
	vt_assert(!r->out[0]);
}

/* ---- machine B: selftest mock devices ---- */

/*
 * The mock device cases need iommufd_device_open("selftest"), which the library takes on a
 * kernel with CONFIG_IOMMUFD_TEST: any failure to open one fails the case (with why).
 */
static void need_selftest_names(void)
{
	struct iommufd_device *dev = NULL;
	struct iommufd_ctx *ctx = NULL;
	int ret;

	need("B");
	vt_assert(iommufd_open(NULL, &ctx) == 0);
	ret = iommufd_device_open(ctx, "selftest", &dev);
	if (ret)
		vt_note("iommufd_device_open(\"selftest\"): %s", iommufd_last_error(ctx));
	iommufd_device_close(dev);
	iommufd_close(ctx);
	vt_assert_int_eq(ret, 0);
}

static void devices_none_on_b(void)
{
	struct run *r;

	need("B");
	r = tool("devices", "--json", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	vt_assert(!get_bool(r->doc, "simulated"));
	vt_assert_int_eq(json_object_array_length(get(r->doc, "devices")), 0);
	json_object_put(r->doc);
}

static void selftest_attach_migratable(void)
{
	json_object *dom;
	struct run *r;

	need_selftest_names();
	r = tool("attach", "selftest", "selftest", "--json", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	vt_assert_int_eq(json_object_array_length(get(r->doc, "domains")), 1);
	dom = json_object_array_get_idx(get(r->doc, "domains"), 0);
	vt_assert(get_bool(dom, "dirty_tracking"));
	vt_assert_int_eq(json_object_array_length(get(dom, "devices")), 2);
	vt_assert(get_bool(r->doc, "migratable"));
	json_object_put(r->doc);
}

static void selftest_attach_mixed_is_not_migratable(void)
{
	json_object *nc;
	struct run *r;

	need_selftest_names();
	r = tool("attach", "selftest", "selftest:no-dirty", "--json", NULL);
	vt_assert_int_eq(r->status, EXIT_NOT_MIGRATABLE);
	vt_assert_int_eq(json_object_array_length(get(r->doc, "domains")), 2);
	nc = get(get(r->doc, "dirty_tracking"), "not_covered");
	vt_assert_int_eq(json_object_array_length(nc), 1);
	vt_assert(!strncmp(json_object_get_string(json_object_array_get_idx(nc, 0)),
			   "selftest:no-dirty", 17));
	json_object_put(r->doc);
}

static void selftest_migrate_finds_every_page(void)
{
	json_object *rounds, *rd, *mem, *sum;
	long long iova, bytes;
	size_t i, n;
	struct run *r;

	need_selftest_names();
	r = tool("migrate", "selftest", "selftest", "--memory", "16M", "--dma-rate", "1024",
		 "--working-set", "8M", "--threshold", "8", "--json", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	vt_assert(!strcmp(get_str(get(r->doc, "dma"), "source"), "selftest"));
	mem = get(r->doc, "memory");
	iova = get_int(mem, "iova");
	bytes = get_int(mem, "bytes");
	/* The IOVA was chosen inside the mock IOMMU's aperture. */
	vt_assert(iova >= (long long)MOCK_START && iova + bytes - 1 <= (long long)MOCK_LAST);
	rounds = get(r->doc, "rounds");
	n = json_object_array_length(rounds);
	vt_assert(n >= 2);
	for (i = 0; i < n; i++) {
		rd = json_object_array_get_idx(rounds, i);
		vt_note("round %zu: %lld written, %lld found", i + 1, get_int(rd, "written_pages"),
			get_int(rd, "dirty_pages"));
		vt_assert_int_eq(get_int(rd, "dirty_pages"), get_int(rd, "written_pages"));
		vt_assert_int_eq(get_int(rd, "lost_pages"), 0);
		vt_assert_int_eq(get_int(rd, "extra_pages"), 0);
	}
	vt_assert(get_int(json_object_array_get_idx(rounds, 0), "dirty_pages") > 0);
	sum = get(r->doc, "summary");
	vt_assert(get_bool(sum, "converged"));
	vt_assert(get_int(sum, "remaining_pages") < 8);
	json_object_put(r->doc);

	r = tool("migrate", "selftest", "--memory", "4M", "--dma-rate", "64", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	vt_assert(strstr(r->out, "converged after"));
	vt_assert(strstr(r->out, "selftest DMA:"));
	vt_assert(!strstr(r->out, "LOST"));
}

/* ---- both machines ---- */

static void simulator_in_the_guest(void)
{
	struct run *r;

	r = tool("--sim", "devices", "--json", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	vt_assert(get_bool(r->doc, "simulated"));
	vt_assert(json_object_array_length(get(r->doc, "devices")) > 0);
	json_object_put(r->doc);
}

static void trace_shows_kernel_calls(void)
{
	struct run *r;

	if (!on_machine("A"))
		need_selftest_names();
	r = tool("--trace", "attach", on_machine("A") ? "0000:00:03.0" : "selftest", NULL);
	vt_assert(r->status == EXIT_OK || r->status == EXIT_NOT_MIGRATABLE);
	vt_assert(strstr(r->err, "iommufd: kernel "));
	vt_assert(strstr(r->err, "IOAS_ALLOC"));
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
		VT_CASE(devices_lists_the_vfio_devices),
		VT_CASE(devices_in_use_are_listed_with_the_reason),
		VT_CASE(attach_on_vtd_is_not_migratable),
		VT_CASE(attach_no_dirty_on_vtd),
		VT_CASE(migrate_on_vtd_refuses),
		VT_CASE(unknown_device_is_an_error),
		VT_CASE(the_same_device_twice_is_a_usage_error),
		VT_CASE(devices_none_on_b),
		VT_CASE(selftest_attach_migratable),
		VT_CASE(selftest_attach_mixed_is_not_migratable),
		VT_CASE(selftest_migrate_finds_every_page),
		VT_CASE(simulator_in_the_guest),
		VT_CASE(trace_shows_kernel_calls),
	};

	return vt_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
