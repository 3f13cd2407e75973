// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommufdctl on the real kernel, inside the test VM, on every kernel of vm/kernels.
 * Machine A: the VFIO devices vm/init.sh bound to vfio-pci behind an emulated VT-d (no
 * dirty tracking, no nesting); machine B: the kernel's selftest mock devices (with and
 * without dirty tracking); machine AB (7.x) runs this twice, as A and as B, where B's
 * view has A's VFIO devices too. Each case runs the tool's own code (iommufdctl_main) in
 * a child with stdout and stderr in files, then checks the exit status, the text and the
 * parsed JSON.
 */
#define _GNU_SOURCE /* memmem */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "guest_common.h"
#include "iommufdctl.h"

#define MAX_ARGS 24
/* IOMMU_HW_INFO_TYPE_INTEL_VTD, and the selftest mock's IOMMU_HW_INFO_TYPE_SELFTEST */
#define HW_INFO_TYPE_INTEL_VTD 1
#define HW_INFO_TYPE_SELFTEST 0xfeedbeefu

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

/*
 * The kernel has vIOMMU objects (IOMMU_VIOMMU_ALLOC) from 6.13: what the tool must find out
 * by asking, checked here against the version the test knows.
 */
static bool kernel_has_viommu(void)
{
	return vm_kernel() >= 613;
}

/* What the tool's "kernel_viommu" must say, and the table's last line. */
static void check_kernel_viommu(const struct run *r)
{
	vt_assert(get_bool(r->doc, "kernel_viommu") == kernel_has_viommu());
}

static const char *viommu_line(void)
{
	return kernel_has_viommu() ? "\n(vIOMMU objects: yes, the kernel has IOMMU_VIOMMU_ALLOC)\n"
				   : "\n(vIOMMU objects: no, the kernel has no IOMMU_VIOMMU_ALLOC)\n";
}

/* The VFIO device cdevs the guest has: A's three, on machine A and on AB's B view. */
static int vfio_cdevs(void)
{
	DIR *d = opendir("/dev/vfio/devices");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, "vfio", 4);
	closedir(d);
	return n;
}

/*
 * One of QEMU's devices behind its VT-d, as the tool shows it in JSON: no dirty tracking,
 * no nest parents (no scalable mode, so no ecap NEST), no PASID; on 6.12 and on 7.3 alike.
 */
static void check_vtd_device(json_object *d)
{
	vt_assert(!strncmp(get_str(d, "cdev"), "/dev/vfio/devices/vfio", 22));
	vt_assert(!strcmp(get_str(d, "driver"), "intel-vtd"));
	vt_assert(!strcmp(get_str(d, "iommu"), "dmar0"));
	vt_assert(!get_bool(d, "emulated"));
	vt_assert(!get_bool(d, "dirty_tracking"));
	vt_assert(!get_bool(d, "nest_parent"));
	vt_assert(!get_bool(d, "nest_parent_dirty_tracking"));
	/* VT-d has no vIOMMU type of its own (and without nest parents none is asked) */
	vt_assert(!get_bool(d, "viommu"));
	vt_assert_int_eq(get_int(d, "pasid_bits"), 0);
	vt_assert(!get_bool(d, "pasid_exec") && !get_bool(d, "pasid_priv"));
	vt_assert_int_eq(get_int(d, "hw_info_type"), HW_INFO_TYPE_INTEL_VTD);
	/* Dirty tracking and the PASID modes are not among the bits (7.x adds one of its own). */
	vt_assert(!(get_int(d, "hw_capabilities") & (IOMMUFD_HW_CAP_DIRTY_TRACKING |
						     IOMMUFD_HW_CAP_PCI_PASID_EXEC |
						     IOMMUFD_HW_CAP_PCI_PASID_PRIV)));
	vt_assert(is_null(d, "error"));
}

/*
 * The cell of column head in the row of name (the line that starts with it), as the table
 * aligns it: from where head starts in the header line to two spaces (a cell may hold one)
 * or the end of the line; "" when there is no such column or row.
 */
static const char *table_cell(const char *out, const char *name, const char *head)
{
	static char cell[64];
	const char *nl = strchr(out, '\n'), *line, *h, *end;
	size_t n = strlen(name), col, hl = strlen(head);

	cell[0] = '\0';
	if (!nl)
		return cell;
	/* the column: head as a word of the header line */
	for (h = out; (h = memmem(h, nl - h, head, hl)); h += hl)
		if ((h == out || h[-1] == ' ') && (h[hl] == ' ' || h[hl] == '\n'))
			break;
	if (!h)
		return cell;
	col = h - out;
	for (line = nl + 1; (nl = strchr(line, '\n')); line = nl + 1) {
		if (strncmp(line, name, n) || line[n] != ' ')
			continue;
		if ((size_t)(nl - line) <= col || line[col] == ' ' || (col && line[col - 1] != ' '))
			return cell; /* not aligned: "" */
		end = memmem(line + col, nl - line - col, "  ", 2);
		snprintf(cell, sizeof(cell), "%.*s", (int)((end ? end : nl) - line - col),
			 line + col);
		break;
	}
	return cell;
}

/* The row of name has these DIRTY, NEST, PASID and VIOMMU cells. */
static bool row_caps(const char *out, const char *name, const char *dirty, const char *nest,
		     const char *pasid, const char *viommu)
{
	return !strcmp(table_cell(out, name, "DIRTY"), dirty) &&
	       !strcmp(table_cell(out, name, "NEST"), nest) &&
	       !strcmp(table_cell(out, name, "PASID"), pasid) &&
	       !strcmp(table_cell(out, name, "VIOMMU"), viommu);
}

/* ---- machine A: VFIO devices behind VT-d without dirty tracking ---- */

static void devices_lists_the_vfio_devices(void)
{
	static const char *const names[] = { "0000:00:03.0", "0000:00:04.0", "0000:00:05.0" };
	json_object *devs, *d, *lm;
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
		check_vtd_device(d);
	}
	check_kernel_viommu(r);
	/* none could be live-migrated with IOMMU dirty tracking, each for its IOMMU */
	lm = get(r->doc, "live_migration");
	vt_assert_int_eq(json_object_array_length(get(lm, "migratable")), 0);
	vt_assert_int_eq(json_object_array_length(get(lm, "not_migratable")), 3);
	for (i = 0; i < 3; i++) {
		d = json_object_array_get_idx(get(lm, "not_migratable"), i);
		vt_assert(!strcmp(get_str(d, "name"), names[i]));
		vt_assert(!strcmp(get_str(d, "reason"), "no dirty tracking"));
	}
	vt_note("kernel_viommu: %s, hw_capabilities of %s: 0x%llx",
		kernel_has_viommu() ? "true" : "false", names[0],
		get_int(json_object_array_get_idx(devs, 0), "hw_capabilities"));
	json_object_put(r->doc);

	r = tool("devices", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	vt_assert(!strncmp(r->out, "NAME ", 5));
	vt_assert(strstr(r->out, " DIRTY  NEST  PASID  VIOMMU\n"));
	/* Each row's DIRTY, NEST, PASID and VIOMMU: no, no, no, no. */
	for (i = 0; i < 3; i++)
		vt_assert(row_caps(r->out, names[i], "no", "no", "no", "no"));
	vt_assert(!strstr(r->out, " yes "));
	/* At a glance: none of them could be live-migrated with IOMMU dirty tracking. */
	vt_assert(strstr(r->out, "\nlive migration with IOMMU dirty tracking: 0 of 3 devices; "
			 "not: 0000:00:03.0 (no dirty tracking), 0000:00:04.0 (no dirty "
			 "tracking), 0000:00:05.0 (no dirty tracking)\n"));
	vt_assert(strstr(r->out, viommu_line()));
}

/*
 * The simulator imitating this kernel, with a topology that mirrors machine A (as the
 * differential scenarios have it, tests/vm/scenario.c), tells the same of every device and of
 * the kernel; only the capability bits 7.x adds (ATS) are not modelled.
 */
static void devices_as_the_simulator_says(void)
{
	static const char *const keys[] = { "name", "cdev", "iommu", "driver", "dirty_tracking",
					    "nest_parent", "nest_parent_dirty_tracking", "viommu",
					    "pasid_bits", "pasid_exec", "pasid_priv",
					    "hw_info_type" };
	char topo[1024], arg[1100];
	json_object *real, *sim, *a, *b;
	struct run *r;
	size_t i, k;

	need("A");
	snprintf(topo, sizeof(topo),
		 "{ \"kernel\": \"%d.%d\", \"iommus\": [ { \"name\": \"dmar0\", \"driver\": "
		 "\"intel-vtd\", \"dirty_tracking\": false, \"nesting\": false, \"iova_bits\": 39 }"
		 " ], \"devices\": [ { \"name\": \"0000:00:03.0\", \"iommu\": \"dmar0\" },"
		 " { \"name\": \"0000:00:04.0\", \"iommu\": \"dmar0\" },"
		 " { \"name\": \"0000:00:05.0\", \"iommu\": \"dmar0\" } ] }",
		 vm_kernel() / 100, vm_kernel() % 100);
	snprintf(arg, sizeof(arg), "--sim=%s", topo);
	r = tool("devices", "--json", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	real = r->doc;
	r = tool(arg, "devices", "--json", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	sim = r->doc;
	vt_assert(get_bool(sim, "simulated"));
	vt_assert(get_bool(sim, "kernel_viommu") == get_bool(real, "kernel_viommu"));
	vt_assert_int_eq(json_object_array_length(get(sim, "devices")),
			 json_object_array_length(get(real, "devices")));
	for (i = 0; i < json_object_array_length(get(real, "devices")); i++) {
		a = json_object_array_get_idx(get(real, "devices"), i);
		b = json_object_array_get_idx(get(sim, "devices"), i);
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (!json_object_equal(get(a, keys[k]), get(b, keys[k])))
				vt_fail(__FILE__, __LINE__, "%s: %s: kernel %s, simulator %s",
					get_str(a, "name"), keys[k],
					json_object_to_json_string(get(a, keys[k])),
					json_object_to_json_string(get(b, keys[k])));
	}
	json_object_put(real);
	json_object_put(sim);
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
			check_vtd_device(d);
			continue;
		}
		vt_note("in use: %s", get_str(d, "error"));
		vt_assert(is_null(d, "dirty_tracking") && is_null(d, "nest_parent") &&
			  is_null(d, "nest_parent_dirty_tracking") && is_null(d, "viommu") &&
			  is_null(d, "pasid_bits") &&
			  is_null(d, "pasid_exec") && is_null(d, "pasid_priv") &&
			  is_null(d, "hw_info_type") && is_null(d, "hw_capabilities"));
		vt_assert(strstr(get_str(d, "error"), "0000:00:04.0"));
		vt_assert(strstr(get_str(d, "error"), "in use"));
	}
	/* The other devices still answer for the kernel. */
	check_kernel_viommu(r);
	json_object_put(r->doc);

	r = tool("devices", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	vt_assert(row_caps(r->out, "0000:00:04.0", "?", "?", "?", "?"));
	vt_assert(strstr(r->out, "?       (") && strstr(r->out, "in use"));
	vt_assert(strstr(r->out, "0000:00:04.0 (could not be asked)"));
	vt_assert(strstr(r->out, viommu_line()));
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
	/* where the names are, once */
	vt_assert(strstr(r->err, " (names: iommufdctl devices)\n"));
	vt_assert(strstr(r->err, "names:") == strrchr(r->err, '(') + 1);
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

/*
 * Mock devices have no cdev, so the list holds only VFIO devices: none on machine B, A's
 * three on AB's B view (7.x makes mocks beside VT-d). Without a device, nothing says what
 * the kernel has: kernel_viommu is null.
 */
static void devices_on_b_are_the_vfio_cdevs(void)
{
	json_object *devs;
	struct run *r;
	int n = vfio_cdevs();
	size_t i;

	need("B");
	vt_note("%d VFIO device cdevs beside the mock devices", n);
	r = tool("devices", "--json", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	vt_assert(!get_bool(r->doc, "simulated"));
	devs = get(r->doc, "devices");
	vt_assert_int_eq(json_object_array_length(devs), n);
	for (i = 0; i < (size_t)n; i++)
		check_vtd_device(json_object_array_get_idx(devs, i));
	if (n)
		check_kernel_viommu(r);
	else
		vt_assert(is_null(r->doc, "kernel_viommu"));
	json_object_put(r->doc);
	r = tool("devices", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	vt_assert(n ? strstr(r->out, viommu_line()) != NULL : strstr(r->out, "vIOMMU") == NULL);
}

/*
 * What the library finds of the mock devices, which the tool does not list: the mock IOMMU
 * makes nest parents, with dirty tracking too where it tracks dirty pages; no PASID (no
 * MOCK_FLAGS_DEVICE_PASID); vIOMMU objects as the kernel has them, and then the mock's own
 * vIOMMU type too. Nothing made for the
 * question stays: the kernel hands out the lowest free id, so the scratch objects had the
 * ids from that of an IOAS just freed on, and none of those may name an object after.
 */
static void selftest_device_caps(void)
{
	static const struct {
		const char *name;
		uint32_t flags;
	} mocks[] = {
		{ "selftest", IOMMUFD_DEVICE_CAP_DIRTY_TRACKING | IOMMUFD_DEVICE_CAP_NEST_PARENT |
			      IOMMUFD_DEVICE_CAP_NEST_PARENT_DIRTY },
		{ "selftest:no-dirty", IOMMUFD_DEVICE_CAP_NEST_PARENT },
	};
	struct iommufd_device *dev;
	struct iommufd_ctx *ctx;
	uint32_t ioas, want, id;
	char before[256];
	size_t i;

	need_selftest_names();
	ctx = vm_ctx();
	for (i = 0; i < sizeof(mocks) / sizeof(mocks[0]); i++) {
		IOMMUFD_OPTS(iommufd_device_caps, caps);

		dev = vm_open(ctx, mocks[i].name);
		vt_ok(iommufd_ioas_alloc(ctx, &ioas));
		vt_ok(iommufd_destroy(ctx, ioas));
		snprintf(before, sizeof(before), "%s", iommufd_last_error(ctx));
		vm_expect(ctx, iommufd_device_caps(dev, &caps), 0);
		vt_note("%s: flags 0x%x, hw info type 0x%x, capabilities 0x%llx, PASID %u bits",
			mocks[i].name, caps.flags, caps.hw_info_type,
			(unsigned long long)caps.hw_capabilities, caps.max_pasid_log2);
		want = mocks[i].flags | (kernel_has_viommu() ? IOMMUFD_DEVICE_CAP_VIOMMU |
								       IOMMUFD_DEVICE_CAP_VIOMMU_DRIVER :
								       0);
		vt_assert_int_eq(caps.flags, want);
		vt_assert_int_eq(caps.hw_info_type, HW_INFO_TYPE_SELFTEST);
		vt_assert_int_eq(caps.max_pasid_log2, 0);
		vt_assert(!(caps.hw_capabilities & (IOMMUFD_HW_CAP_PCI_PASID_EXEC |
						    IOMMUFD_HW_CAP_PCI_PASID_PRIV)));
		/* The refusals asked for were answers: the last error is as it was. */
		vt_assert(!strcmp(iommufd_last_error(ctx), before));
		for (id = ioas; id < ioas + 5; id++)
			vm_expect(ctx, iommufd_destroy(ctx, id), -ENOENT);
		iommufd_device_close(dev);
	}
	iommufd_close(ctx);
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

/*
 * --nest-parent on the mock: a stage-1 domain from the nest parent on every kernel; a vIOMMU
 * of the mock's type, named, where the kernel has vIOMMU objects, else a plain note (an
 * expected state, not a failure).
 */
static void selftest_attach_nest_parent(void)
{
	json_object *dev, *n;
	struct run *r;

	need_selftest_names();
	r = tool("attach", "--nest-parent", "selftest", "--json", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	dev = json_object_array_get_idx(get(r->doc, "devices"), 0);
	n = get(dev, "nesting");
	vt_assert(get_int(n, "stage1_hwpt_id") > 0);
	vt_assert_int_eq(get_int(dev, "pt_id"), get_int(n, "stage1_hwpt_id"));
	if (kernel_has_viommu()) {
		vt_assert_int_eq(get_int(n, "viommu_type"), 0xdeadbeef);
		vt_assert(!strcmp(get_str(n, "viommu_type_name"), "selftest mock"));
		vt_assert_int_eq(get_int(n, "virt_id"), 1);
		vt_assert(is_null(n, "note"));
	} else {
		vt_assert(is_null(n, "viommu_id") && is_null(n, "viommu_type_name"));
		vt_assert(!strcmp(get_str(n, "note"), "no vIOMMU: this kernel has no vIOMMU "
				  "objects (Linux 6.13 and later have)"));
	}
	json_object_put(r->doc);

	r = tool("attach", "--nest-parent", "selftest", NULL);
	vt_assert_int_eq(r->status, EXIT_OK);
	vt_assert(strstr(r->out, kernel_has_viommu() ? "(selftest mock, type 0xdeadbeef), "
						     "virtual id 0x1" :
						     "      no vIOMMU: this kernel has no vIOMMU"));
	vt_assert(strstr(r->out, "stage-1 domain (hwpt "));
}

/*
 * The most pages a round may find on 7.x: the mock keeps a dirty bit per page-table entry,
 * and entries span physically contiguous pinned pages (docs/kernels.md), so pages not written
 * are found too, as many as the allocator happened to make contiguous. An entry is at most
 * 2 MiB here, naturally aligned, and holds a written page. The JSON's counts cannot place
 * each page, so the round is held to what such entries can hold: 512 pages per written
 * page, and no more than the mapping's pages in the 2 MiB blocks the working set touches.
 */
static long long entry_bound(long long iova, long long bytes, long long ws, long long written)
{
	const long long block = SZ_2M, per_block = SZ_2M / SZ_4K;
	long long lo = iova & ~(block - 1), hi = (iova + ws + block - 1) & ~(block - 1);

	if (lo < iova)
		lo = iova;
	if (hi > iova + bytes)
		hi = iova + bytes;
	return (hi - lo) / (long long)SZ_4K < written * per_block ? (hi - lo) / (long long)SZ_4K :
								      written * per_block;
}

/*
 * Every page the mock devices write is found (none lost), and nothing else on 6.12; on 7.x
 * the pages found but not written are no more than the kernel's granularity explains.
 */
static void selftest_migrate_finds_every_page(void)
{
	json_object *rounds, *rd, *mem, *sum;
	long long iova, bytes, ws, written, found, extra, extra_sum = 0;
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
	ws = get_int(get(r->doc, "dma"), "working_set_bytes");
	/* The IOVA was chosen inside the mock IOMMU's aperture. */
	vt_assert(iova >= (long long)MOCK_START && iova + bytes - 1 <= (long long)MOCK_LAST);
	rounds = get(r->doc, "rounds");
	n = json_object_array_length(rounds);
	vt_assert(n >= 2);
	for (i = 0; i < n; i++) {
		rd = json_object_array_get_idx(rounds, i);
		written = get_int(rd, "written_pages");
		found = get_int(rd, "dirty_pages");
		extra = get_int(rd, "extra_pages");
		vt_note("round %zu: %lld written, %lld found, %lld extra (at most %lld)", i + 1,
			written, found, extra, entry_bound(iova, bytes, ws, written));
		vt_assert_int_eq(get_int(rd, "lost_pages"), 0);
		vt_assert_int_eq(found, written + extra);
		if (vm_kernel() < 700)
			vt_assert_int_eq(extra, 0);
		else
			vt_assert(found <= entry_bound(iova, bytes, ws, written));
		extra_sum += extra;
	}
	vt_assert(get_int(json_object_array_get_idx(rounds, 0), "dirty_pages") > 0);
	sum = get(r->doc, "summary");
	vt_assert_int_eq(get_int(sum, "lost_pages"), 0);
	vt_assert_int_eq(get_int(sum, "extra_pages"), extra_sum);
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
		VT_CASE(devices_as_the_simulator_says),
		VT_CASE(devices_in_use_are_listed_with_the_reason),
		VT_CASE(attach_on_vtd_is_not_migratable),
		VT_CASE(attach_no_dirty_on_vtd),
		VT_CASE(migrate_on_vtd_refuses),
		VT_CASE(unknown_device_is_an_error),
		VT_CASE(the_same_device_twice_is_a_usage_error),
		VT_CASE(devices_on_b_are_the_vfio_cdevs),
		VT_CASE(selftest_device_caps),
		VT_CASE(selftest_attach_migratable),
		VT_CASE(selftest_attach_mixed_is_not_migratable),
		VT_CASE(selftest_attach_nest_parent),
		VT_CASE(selftest_migrate_finds_every_page),
		VT_CASE(simulator_in_the_guest),
		VT_CASE(trace_shows_kernel_calls),
	};

	return vt_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
