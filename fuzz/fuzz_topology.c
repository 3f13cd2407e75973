// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzz target: the topology reader, iommufd_sim_new(). Public API only.
 *
 * The input is a topology file's bytes. iommufd_sim_new() gets it as a file
 * (a memfd, by its /proc/self/fd path) and, when it is JSON text with no NUL
 * byte, as the text itself too. The target aborts (a crash for libFuzzer)
 * when the library breaks a promise:
 *  - the file and the text give the same answer and the same message;
 *  - a refused topology gets -EINVAL (or -EFBIG, -ENOMEM) and a one-line
 *    message from iommufd_sim_last_error();
 *  - an accepted topology is usable: every device it lists opens by its name
 *    and by its cdev, a dirty-tracking container takes each device or refuses
 *    it with a one-line message, a window mapped in an allowed range is written
 *    by every device, a device covered by dirty tracking has all of its pages
 *    reported, and once all is freed no kernel object is left.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <iommufd/iommufd.h>

#define PAGE 4096ull
#define WIN_PAGES 16
#define MAX_DEVS 8

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_topology: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static bool one_line(const char *msg)
{
	return msg[0] && !strchr(msg, '\n');
}

/* iommufd_sim_new() reads text that starts (after blanks) with '{' or '[' as JSON. */
static bool looks_like_json(const uint8_t *data, size_t size)
{
	size_t i = 0;

	while (i < size && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'))
		i++;
	return i < size && (data[i] == '{' || data[i] == '[');
}

static void *window;
static int memfd = -1;

static int sim_from_file(const uint8_t *data, size_t size, struct iommufd_sim **sim)
{
	char path[64];

	if (memfd < 0) {
		memfd = memfd_create("topology", MFD_CLOEXEC);
		if (memfd < 0)
			fail("memfd_create: %s", strerror(errno));
	}
	if (ftruncate(memfd, 0) || (size && pwrite(memfd, data, size, 0) != (ssize_t)size))
		fail("writing the memfd: %s", strerror(errno));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	return iommufd_sim_new(path, sim);
}

/* The first IOVA of an allowed range with room for the window, at alignment align. */
static bool pick_iova(struct iommufd_ctx *ctx, uint32_t ioas, uint64_t *iova)
{
	struct iommufd_iova_range *r = NULL;
	uint64_t align = 0, len = WIN_PAGES * PAGE, start;
	int n, i;

	n = iommufd_ioas_iova_ranges_all(ctx, ioas, &r, &align);
	if (n < 0)
		fail("iova_ranges_all: %d (%s)", n, iommufd_last_error(ctx));
	if (align < PAGE)
		align = PAGE;
	for (i = 0; i < n; i++) {
		if (align & (align - 1))
			fail("iova_ranges_all: alignment 0x%llx", (unsigned long long)align);
		start = (r[i].start + align - 1) & ~(align - 1);
		if (start < r[i].start || start == 0)
			continue;
		if (start <= r[i].last && r[i].last - start >= len - 1) {
			*iova = start;
			free(r);
			return true;
		}
	}
	free(r);
	return false;
}

/* The accepted topology in use, as the header describes. */
static void use(struct iommufd_sim *sim)
{
	struct iommufd_device *dev[MAX_DEVS] = { 0 };
	struct iommufd_device_desc *desc = NULL;
	struct iommufd_container *c = NULL;
	struct iommufd_ctx *ctx = NULL;
	uint64_t iova = 0, bm = 0;
	bool mapped = false, attached[MAX_DEVS] = { 0 };
	int n, i, ret;

	ret = iommufd_sim_open(sim, &ctx);
	if (ret)
		fail("sim_open: %d", ret);
	n = iommufd_list_devices_all(ctx, &desc, sizeof(*desc));
	if (n < 0)
		fail("list_devices_all: %d (%s)", n, iommufd_last_error(ctx));
	if (n > MAX_DEVS)
		n = MAX_DEVS;
	ret = iommufd_container_new(ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING, &c);
	if (ret)
		fail("container_new: %d (%s)", ret, iommufd_last_error(ctx));
	for (i = 0; i < n; i++) {
		/* A device named like the kernel's selftest devices is asked of the kernel. */
		if (iommufd_is_selftest_name(desc[i].name))
			continue;
		/* by its cdev first (then closed), then by its name */
		ret = iommufd_device_open(ctx, desc[i].cdev, &dev[i]);
		if (ret)
			fail("open %s by its cdev %s: %d (%s)", desc[i].name, desc[i].cdev, ret,
			     iommufd_last_error(ctx));
		iommufd_device_close(dev[i]);
		ret = iommufd_device_open(ctx, desc[i].name, &dev[i]);
		if (ret)
			fail("open %s: %d (%s)", desc[i].name, ret, iommufd_last_error(ctx));
		ret = iommufd_container_attach(c, dev[i]);
		if (ret && !one_line(iommufd_last_error(ctx)))
			fail("attach %s: %d without a one-line message", desc[i].name, ret);
		attached[i] = !ret;
	}
	if (pick_iova(ctx, iommufd_container_ioas_id(c), &iova)) {
		ret = iommufd_container_map(c, window, iova, WIN_PAGES * PAGE, false);
		if (ret && !one_line(iommufd_last_error(ctx)))
			fail("map: %d without a one-line message", ret);
		mapped = !ret;
	}
	if (iommufd_container_set_dirty_tracking(c, true))
		fail("set_dirty_tracking: %s", iommufd_last_error(ctx));
	for (i = 0; i < n && mapped; i++) {
		if (!attached[i])
			continue;
		ret = iommufd_sim_dma_write(sim, desc[i].name, iova, WIN_PAGES * PAGE);
		if (ret)
			fail("%s writes its mapped window: %d", desc[i].name, ret);
		if (iommufd_container_device_covered(c, dev[i], NULL, 0) != 1)
			continue;
		bm = 0;
		ret = iommufd_container_read_dirty(c, iova, WIN_PAGES * PAGE, PAGE, &bm, 0);
		if (ret != WIN_PAGES || bm != (1ull << WIN_PAGES) - 1)
			fail("%s wrote %d pages; the read reported %d (0x%llx)", desc[i].name,
			     WIN_PAGES, ret, (unsigned long long)bm);
	}
	iommufd_container_free(c);
	for (i = 0; i < n; i++)
		iommufd_device_close(dev[i]);
	if (iommufd_sim_live_objects(sim) != 0)
		fail("%ld kernel objects left after all was freed", iommufd_sim_live_objects(sim));
	iommufd_close(ctx);
	free(desc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iommufd_sim *sim = NULL, *tsim = NULL;
	char file_msg[512];
	int ret, tret;
	char *text;

	if (!window) {
		window = mmap(NULL, WIN_PAGES * PAGE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (window == MAP_FAILED)
			abort();
	}
	ret = sim_from_file(data, size, &sim);
	snprintf(file_msg, sizeof(file_msg), "%s", iommufd_sim_last_error());
	if (ret) {
		if (ret != -EINVAL && ret != -EFBIG && ret != -ENOMEM)
			fail("sim_new (file): %d (%s)", ret, file_msg);
		if (sim)
			fail("sim_new (file) failed but gave a simulator");
		if (!one_line(file_msg))
			fail("sim_new (file) refused the topology without a one-line message: \"%s\"",
			     file_msg);
	} else if (file_msg[0]) {
		fail("sim_new (file) succeeded with a message: \"%s\"", file_msg);
	}

	if (!memchr(data, '\0', size) && looks_like_json(data, size)) {
		text = malloc(size + 1);
		if (!text)
			abort();
		memcpy(text, data, size);
		text[size] = '\0';
		tret = iommufd_sim_new(text, &tsim);
		free(text);
		if (tret != ret || strcmp(iommufd_sim_last_error(), file_msg))
			fail("the text gives %d (\"%s\"), the file %d (\"%s\")", tret,
			     iommufd_sim_last_error(), ret, file_msg);
		iommufd_sim_free(tsim);
	}
	if (!ret) {
		use(sim);
		iommufd_sim_free(sim);
	}
	return 0;
}
