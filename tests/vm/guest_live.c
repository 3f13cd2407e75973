// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Live update on the real kernel: a new process takes the devices over while their DMA
 * goes on. Each case is run by three programs: the case itself starts process 1 and
 * process 2, both this binary run again (exec'ed) with a phase flag, so that they are
 * different processes and neither is a fork of the other:
 *
 *  - over a socket: process 1 builds a container over a memfd, lets the devices work,
 *    sends its files and state (iommufd_container_send); process 2 receives, restores,
 *    changes the process; process 1 checks what process 2's DMA did and exits, and
 *    process 2 finds that nothing noticed;
 *  - across exec: process 1 prepares (iommufd_container_exec_prepare) and execs process 2,
 *    which finds exactly the files named open, and takes over.
 *
 * View B (selftest mock devices): a tracking container; the next read reports exactly
 * the pages not yet reported (on 7.x, also others that share a page table entry with a
 * written one: docs/kernels.md; the pages of each role lie in 2 MiB blocks of their own).
 * View A (VT-d, QEMU's edu device): the device's DMA issued by process 2 lands in the
 * memory process 1 mapped. On 6.12 every live-update call answers ENOTTY, naming 6.13.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "guest_common.h"

#define EDU0 "0000:00:03.0"
#define EDU1 "0000:00:04.0"

/* ---- what both processes know ------------------------------------------------- */

#define GUEST_IOVA 0x40000000ull
#define BLOCK_PAGES 512ull                 /* 2 MiB: pages of each role in blocks of their own */
#define GUEST_BLOCKS 8ull
#define GUEST_LEN (GUEST_BLOCKS * SZ_2M)
#define EXTRA_IOVA (GUEST_IOVA + GUEST_LEN) /* a mapping unmapped while tracking */
#define READ_PAGES ((GUEST_BLOCKS + 1) * BLOCK_PAGES)
#define PG(block, k) ((block) * BLOCK_PAGES + (k))

static const uint64_t read_before[] = { PG(0, 3) };                 /* reported before */
static const uint64_t unread_before[] = { PG(1, 7), PG(2, 9) };     /* written, not read */
static const uint64_t after[] = { PG(3, 11), PG(4, 13) };           /* written by process 2 */
static const uint64_t carried[] = { PG(GUEST_BLOCKS, 5) };          /* in the state */

/* View A: the example's layout (examples/vfio_edu_dma.c): a source and a destination. */
#define EDU_ID 0x00
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_START 0x1
#define EDU_DMA_TO_RAM 0x2
#define EDU_MEM 0x40000
#define EDU_LEN 2048
#define SRC_IOVA 0x100000ull
#define DST_IOVA 0x200000ull
#define A_MEM_LEN (4 * SZ_4K) /* memfd: two pages of source, one of destination, one spare */

/* What process 1 knew of its kernel objects: process 2 must find the same. */
struct facts {
	uint32_t ioas;
	uint32_t ndom;
	uint32_t hwpt[4];
	uint32_t dflags[4];
	uint32_t ndev;
	uint32_t dev_id[4];
	uint32_t pt_id[4];
	uint32_t made_up; /* an id no object has */
};

/* ---- the phases' own checks (they run outside the case's TAP) --------------------- */

static const char *phase = "?";

static void __attribute__((noreturn, format(printf, 2, 3))) die(int line, const char *fmt, ...)
{
	va_list ap;

	printf("# %s: guest_live.c:%d: ", phase, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	_exit(1);
}

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			die(__LINE__, "%s", #cond); \
	} while (0)

/* A library call that must succeed; its value. */
#define OK(ctx, call) \
	({ \
		long long ok_r_ = (long long)(call); \
		if (ok_r_ < 0) \
			die(__LINE__, "%s: %s; %s", #call, vt_errname(ok_r_), \
			    (ctx) ? iommufd_last_error(ctx) : ""); \
		ok_r_; \
	})

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	printf("# %s: ", phase);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void full_write(int fd, const void *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		CHECK(n > 0);
		buf = (const char *)buf + n;
		len -= n;
	}
}

/* len bytes, or 0 at the end of the stream. */
static size_t full_read(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		CHECK(n >= 0);
		if (!n)
			break;
		got += n;
	}
	return got;
}

static void collect_facts(struct iommufd_container *c, struct facts *f)
{
	struct iommufd_domain_info d[4];
	struct iommufd_device *dev[4];
	uint32_t i, max = 0;

	memset(f, 0, sizeof(*f));
	f->ioas = iommufd_container_ioas_id(c);
	f->ndom = OK(NULL, iommufd_container_domains(c, d, 4));
	CHECK(f->ndom <= 4);
	for (i = 0; i < f->ndom; i++) {
		f->hwpt[i] = d[i].hwpt_id;
		f->dflags[i] = d[i].flags;
		max = max > d[i].hwpt_id ? max : d[i].hwpt_id;
	}
	f->ndev = OK(NULL, iommufd_container_devices(c, dev, 4));
	CHECK(f->ndev <= 4);
	for (i = 0; i < f->ndev; i++) {
		f->dev_id[i] = iommufd_device_id(dev[i]);
		f->pt_id[i] = iommufd_device_pt_id(dev[i]);
		max = max > f->dev_id[i] ? max : f->dev_id[i];
	}
	max = max > f->ioas ? max : f->ioas;
	/* the selftest objects and parking IOASes lie below some more: well above them all */
	f->made_up = max + 64;
}

static void same_facts(const struct facts *a, const struct facts *b)
{
	uint32_t i;

	CHECK(a->ioas == b->ioas);
	CHECK(a->ndom == b->ndom);
	CHECK(a->ndev == b->ndev);
	for (i = 0; i < a->ndom; i++)
		if (a->hwpt[i] != b->hwpt[i] || a->dflags[i] != b->dflags[i])
			die(__LINE__, "domain %u: hwpt %u (0x%x), was %u (0x%x)", i, b->hwpt[i],
			    b->dflags[i], a->hwpt[i], a->dflags[i]);
	for (i = 0; i < a->ndev; i++)
		if (a->dev_id[i] != b->dev_id[i] || a->pt_id[i] != b->pt_id[i])
			die(__LINE__, "device %u: dev_id %u on %u, was %u on %u", i, b->dev_id[i],
			    b->pt_id[i], a->dev_id[i], a->pt_id[i]);
}

static void facts_to_arg(const struct facts *f, char *out, size_t len)
{
	const unsigned char *p = (const void *)f;
	size_t i;

	CHECK(len > 2 * sizeof(*f));
	for (i = 0; i < sizeof(*f); i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void facts_from_arg(const char *arg, struct facts *f)
{
	unsigned char *p = (void *)f;
	unsigned v;
	size_t i;

	CHECK(strlen(arg) == 2 * sizeof(*f));
	for (i = 0; i < sizeof(*f); i++) {
		CHECK(sscanf(arg + 2 * i, "%2x", &v) == 1);
		p[i] = v;
	}
}

/* ---- view B: mock devices, dirty pages ------------------------------------------ */

struct live {
	struct iommufd_ctx *ctx;
	struct iommufd_container *c;
	struct iommufd_device *dev[2];
	int memfd;
};

/* The mock device writes one page (as its DMA would: TEST_OP_DIRTY). */
static void mark(struct iommufd_ctx *ctx, struct iommufd_device *dev, uint64_t page)
{
	int ret = iommufd_selftest_dirty(dev, GUEST_IOVA + page * SZ_4K, SZ_4K);

	if (ret < 0)
		die(__LINE__, "selftest dirty page %llu: %s; %s", (unsigned long long)page,
		    vt_errname(ret), iommufd_last_error(ctx));
}

static bool bit(const uint64_t *bm, uint64_t i)
{
	return bm[i / 64] >> (i % 64) & 1;
}

/* The pages a read reports: those in want (n), and others only in a block with one. */
static void check_read(const uint64_t *bm, const uint64_t *want, size_t n, uint64_t npages)
{
	uint64_t i, reported = 0;
	size_t k;

	for (k = 0; k < n; k++)
		if (!bit(bm, want[k]))
			die(__LINE__, "page %llu not reported", (unsigned long long)want[k]);
	for (i = 0; i < npages; i++) {
		bool near = false;

		if (!bit(bm, i))
			continue;
		reported++;
		for (k = 0; k < n && !near; k++)
			near = want[k] / BLOCK_PAGES == i / BLOCK_PAGES;
		if (!near)
			die(__LINE__, "page %llu reported: not written since reported, and no "
			    "written page shares its 2 MiB", (unsigned long long)i);
	}
	if (reported != n)
		note("%llu pages more than written (entries over contiguous pages, 7.x)",
		     (unsigned long long)(reported - n));
	if (vm_kernel() < 700 && reported != n)
		die(__LINE__, "6.x reports exactly the pages written");
}

static void b_build(struct live *l)
{
	uint64_t bm[BLOCK_PAGES / 64];
	size_t k;

	memset(l, 0, sizeof(*l));
	OK(NULL, iommufd_open(NULL, &l->ctx));
	OK(l->ctx, iommufd_device_open(l->ctx, "selftest", &l->dev[0]));
	OK(l->ctx, iommufd_device_open(l->ctx, "selftest:no-dirty", &l->dev[1]));
	OK(l->ctx, iommufd_container_new(l->ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING, &l->c));
	OK(l->ctx, iommufd_container_attach(l->c, l->dev[0]));
	OK(l->ctx, iommufd_container_attach(l->c, l->dev[1]));
	l->memfd = memfd_create("guest-ram", MFD_CLOEXEC);
	CHECK(l->memfd >= 0);
	CHECK(ftruncate(l->memfd, GUEST_LEN + SZ_2M) == 0);
	OK(l->ctx, iommufd_container_map_file(l->c, l->memfd, 0, GUEST_IOVA, GUEST_LEN, false));
	OK(l->ctx, iommufd_container_set_dirty_tracking(l->c, true));
	/* written and read: reported already */
	mark(l->ctx, l->dev[0], read_before[0]);
	memset(bm, 0, sizeof(bm));
	CHECK(OK(l->ctx, iommufd_container_read_dirty(l->c, GUEST_IOVA, SZ_2M, SZ_4K, bm, 0)) >= 1);
	CHECK(bit(bm, read_before[0]));
	/* written, not read */
	for (k = 0; k < sizeof(unread_before) / sizeof(unread_before[0]); k++)
		mark(l->ctx, l->dev[0], unread_before[k]);
	/* written into a mapping unmapped while tracking: carried over */
	OK(l->ctx, iommufd_container_map_file(l->c, l->memfd, GUEST_LEN, EXTRA_IOVA, SZ_2M, false));
	mark(l->ctx, l->dev[0], carried[0]);
	OK(l->ctx, iommufd_container_unmap(l->c, EXTRA_IOVA, SZ_2M));
}

/* Process 2's part once restored: write, read, check. */
static void b_finish(struct iommufd_ctx *ctx, struct iommufd_container *c, const struct facts *f)
{
	uint64_t want[8], *bm;
	struct iommufd_device *dev[4];
	size_t n = 0, k;
	int ndev;

	ndev = OK(ctx, iommufd_container_devices(c, dev, 4));
	CHECK(ndev == 2);
	CHECK(iommufd_device_is_selftest(dev[0]));
	for (k = 0; k < sizeof(after) / sizeof(after[0]); k++)
		mark(ctx, dev[0], after[k]);
	/* the mock without dirty tracking cannot mark: its domain does not track */
	CHECK(iommufd_selftest_dirty(dev[1], GUEST_IOVA, SZ_4K) == -EINVAL);
	for (k = 0; k < sizeof(unread_before) / sizeof(unread_before[0]); k++)
		want[n++] = unread_before[k];
	for (k = 0; k < sizeof(after) / sizeof(after[0]); k++)
		want[n++] = after[k];
	want[n++] = carried[0];
	bm = calloc(READ_PAGES / 64, sizeof(*bm));
	CHECK(bm);
	OK(ctx, iommufd_container_read_dirty(c, GUEST_IOVA, READ_PAGES * SZ_4K, SZ_4K, bm, 0));
	check_read(bm, want, n, READ_PAGES);
	/* once: a second read reports nothing */
	memset(bm, 0, READ_PAGES / 8);
	CHECK(OK(ctx, iommufd_container_read_dirty(c, GUEST_IOVA, READ_PAGES * SZ_4K, SZ_4K, bm,
						   0)) == 0);
	free(bm);
	/* nothing made or destroyed by the handover */
	CHECK(iommufd_destroy(ctx, f->made_up) == -ENOENT);
	note("%zu pages reported, as written and not yet reported", n);
}

/* ---- view A: QEMU's edu device ---------------------------------------------------- */

static int region_info(int fd, unsigned index, struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, info) ? -errno : 0;
}

static void reg_write(volatile void *bar, unsigned off, uint64_t val)
{
	*(volatile uint64_t *)((volatile char *)bar + off) = val;
}

static uint32_t reg_read(volatile void *bar, unsigned off)
{
	return *(volatile uint32_t *)((volatile char *)bar + off);
}

static void edu_dma(volatile void *bar, uint64_t src, uint64_t dst, uint32_t cmd)
{
	struct timespec ms = { 0, 1000000 };
	int i;

	reg_write(bar, EDU_DMA_SRC, src);
	reg_write(bar, EDU_DMA_DST, dst);
	reg_write(bar, EDU_DMA_COUNT, EDU_LEN);
	reg_write(bar, EDU_DMA_CMD, EDU_DMA_START | cmd);
	for (i = 0; i < 5000; i++) {
		if (!(reg_read(bar, EDU_DMA_CMD) & EDU_DMA_START))
			return;
		nanosleep(&ms, NULL);
	}
	die(__LINE__, "edu DMA timed out");
}

/* RAM (source) -> device -> RAM (destination), driven through the device's own fd. */
static void edu_copy(int fd)
{
	struct vfio_region_info cfg, bar0;
	uint16_t cmd;
	void *bar;

	CHECK(region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg) == 0);
	CHECK(pread(fd, &cmd, sizeof(cmd), cfg.offset + PCI_COMMAND) == sizeof(cmd));
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	CHECK(pwrite(fd, &cmd, sizeof(cmd), cfg.offset + PCI_COMMAND) == sizeof(cmd));
	CHECK(region_info(fd, VFIO_PCI_BAR0_REGION_INDEX, &bar0) == 0);
	bar = mmap(NULL, bar0.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, bar0.offset);
	CHECK(bar != MAP_FAILED);
	CHECK((reg_read(bar, EDU_ID) & 0xff) == 0xed);
	edu_dma(bar, SRC_IOVA, EDU_MEM, 0);
	edu_dma(bar, EDU_MEM, DST_IOVA, EDU_DMA_TO_RAM);
	munmap(bar, bar0.size);
}

static unsigned char *map_mem(int memfd)
{
	unsigned char *p = mmap(NULL, A_MEM_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);

	CHECK(p != MAP_FAILED);
	return p;
}

/* A pattern in the source pages, the destination cleared. */
static void fill(unsigned char *mem, unsigned seed)
{
	size_t i;

	for (i = 0; i < 2 * SZ_4K; i++)
		mem[i] = (unsigned char)(i * 7 + seed);
	memset(mem + 2 * SZ_4K, 0, SZ_4K);
}

static void expect_copied(const unsigned char *mem, unsigned seed)
{
	size_t i;

	for (i = 0; i < EDU_LEN; i++)
		if (mem[2 * SZ_4K + i] != (unsigned char)(i * 7 + seed))
			die(__LINE__, "destination byte %zu is 0x%02x, the source's 0x%02x", i,
			    mem[2 * SZ_4K + i], (unsigned char)(i * 7 + seed));
}

static void a_build(struct live *l, int memfd)
{
	memset(l, 0, sizeof(*l));
	l->memfd = memfd;
	OK(NULL, iommufd_open(NULL, &l->ctx));
	OK(l->ctx, iommufd_device_open(l->ctx, EDU0, &l->dev[0]));
	OK(l->ctx, iommufd_container_new(l->ctx, 0, &l->c));
	OK(l->ctx, iommufd_container_attach(l->c, l->dev[0]));
	OK(l->ctx, iommufd_container_map_file(l->c, memfd, 0, SRC_IOVA, 2 * SZ_4K, true));
	OK(l->ctx, iommufd_container_map_file(l->c, memfd, 2 * SZ_4K, DST_IOVA, SZ_4K, false));
}

/* ---- the socket variant ------------------------------------------------------------- */

/* Process 1: build, hand over, check what process 2 did, exit. */
static int socket_p1(bool a, int sock, int memfd)
{
	unsigned char *mem = NULL, c;
	struct facts f;
	struct live l;

	phase = "process 1";
	if (a) {
		a_build(&l, memfd);
		mem = map_mem(memfd);
		fill(mem, 1);
	} else {
		b_build(&l);
	}
	collect_facts(l.c, &f);
	CHECK(iommufd_destroy(l.ctx, f.made_up) == -ENOENT);
	OK(l.ctx, iommufd_container_send(l.c, sock));
	full_write(sock, &f, sizeof(f));
	/* process 2 restored (and, on A, had the device copy into our memory) */
	CHECK(full_read(sock, &c, 1) == 1 && c == 'R');
	if (a) {
		expect_copied(mem, 1);
		note("the edu DMA process 2 issued landed in the memory process 1 mapped");
		munmap(mem, A_MEM_LEN);
	}
	/* let go, then go: nothing of ours reaches the kernel objects */
	iommufd_container_forget(l.c);
	iommufd_device_close(l.dev[0]);
	iommufd_device_close(l.dev[1]);
	iommufd_close(l.ctx);
	if (l.memfd >= 0 && !a)
		close(l.memfd);
	return 0;
}

/* Process 2: receive, restore, change the process, wait for process 1 to go, work. */
static int socket_p2(bool a, int sock, int memfd)
{
	struct iommufd_container *c = NULL, *again = NULL;
	struct iommufd_ctx *ctx = NULL;
	unsigned char *mem, byte;
	struct iommufd_device *dev[4];
	struct facts f, now;
	char why[256];
	int ifd, sfd;

	phase = "process 2";
	if (iommufd_handover_recv(sock, &ifd, &sfd, why, sizeof(why)))
		die(__LINE__, "receive: %s", why);
	OK(NULL, iommufd_from_fd(ifd, &ctx));
	OK(ctx, iommufd_container_restore(ctx, sfd, &c));
	CHECK(full_read(sock, &f, sizeof(f)) == sizeof(f));
	collect_facts(c, &now);
	same_facts(&f, &now);
	CHECK(iommufd_destroy(ctx, f.made_up) == -ENOENT);
	/* a state restores once */
	CHECK(lseek(sfd, 0, SEEK_SET) == 0);
	CHECK(iommufd_container_restore(ctx, sfd, &again) == -EBUSY);
	OK(ctx, iommufd_change_process(ctx));
	if (a) {
		CHECK(OK(ctx, iommufd_container_devices(c, dev, 4)) == 1);
		edu_copy(iommufd_device_fd(dev[0]));
	}
	byte = 'R';
	full_write(sock, &byte, 1);
	/* process 1's end of the socket closes when it exits */
	CHECK(full_read(sock, &byte, 1) == 0);
	note("process 1 exited");
	if (a) {
		mem = map_mem(memfd);
		fill(mem, 5);
		edu_copy(iommufd_device_fd(dev[0]));
		expect_copied(mem, 5);
		note("after it, process 2's DMA lands as before");
		munmap(mem, A_MEM_LEN);
	} else {
		b_finish(ctx, c, &f);
	}
	collect_facts(c, &now);
	same_facts(&f, &now);
	return 0;
}

/* ---- the exec variant ---------------------------------------------------------------- */

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* The numbers open now, as "3,4,9" (at most len bytes). */
static void open_fds(char *out, size_t len)
{
	struct dirent *de;
	size_t at = 0;
	DIR *d = opendir("/proc/self/fd");

	CHECK(d);
	out[0] = '\0';
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd == dirfd(d))
			continue;
		at += snprintf(out + at, len - at, "%s%d", at ? "," : "", fd);
		CHECK(at < len);
	}
	closedir(d);
}

static bool in_list(const char *list, int fd)
{
	char want[16];
	const char *p = list;
	size_t n = snprintf(want, sizeof(want), "%d", fd);

	while (*p) {
		if (!strncmp(p, want, n) && (p[n] == ',' || !p[n]))
			return true;
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	return false;
}

/* Process 1: build, prepare, exec process 2 (this same binary, the same process). */
static int exec_p1(bool a, int memfd, const char *self)
{
	char ifd[16], sfd_s[16], mem_s[16], facts_s[2 * sizeof(struct facts) + 1];
	char inherited[256], others[64];
	struct iommufd_device *other_dev;
	struct iommufd_ctx *other_ctx;
	unsigned char *mem;
	struct facts f;
	struct live l;
	int sfd;

	phase = "process 1";
	/* what this process was started with: the harness's and the test's files */
	open_fds(inherited, sizeof(inherited));
	if (a) {
		a_build(&l, memfd);
		mem = map_mem(memfd);
		fill(mem, 3);
		munmap(mem, A_MEM_LEN);
	} else {
		b_build(&l);
	}
	/* files of the library that are not the container's: they must not reach process 2 */
	OK(NULL, iommufd_open(NULL, &other_ctx));
	other_dev = NULL;
	if (a)
		OK(other_ctx, iommufd_device_open(other_ctx, EDU1, &other_dev));
	snprintf(others, sizeof(others), "%d,%d", iommufd_fd(other_ctx),
		 other_dev ? iommufd_device_fd(other_dev) : iommufd_fd(other_ctx));
	collect_facts(l.c, &f);
	OK(l.ctx, iommufd_container_exec_prepare(l.c, &sfd));
	snprintf(ifd, sizeof(ifd), "%d", iommufd_fd(l.ctx));
	snprintf(sfd_s, sizeof(sfd_s), "%d", sfd);
	snprintf(mem_s, sizeof(mem_s), "%d", memfd);
	facts_to_arg(&f, facts_s, sizeof(facts_s));
	fflush(stdout);
	/* exec right away: nothing of the old image needs freeing */
	execl(self, self, "--exec-p2", a ? "A" : "B", ifd, sfd_s, mem_s, facts_s, inherited,
	      others, (char *)NULL);
	die(__LINE__, "exec %s: %s", self, strerror(errno));
}

static int exec_p2(bool a, int ifd, int sfd, int memfd, const char *facts_s,
		   const char *inherited, const char *others)
{
	struct iommufd_container *c = NULL;
	struct iommufd_device *dev[4];
	struct iommufd_ctx *ctx = NULL;
	int fds[8], n, i, other;
	char now[256];
	unsigned char *mem;
	struct facts f, seen;

	phase = "process 2 (exec)";
	facts_from_arg(facts_s, &f);
	OK(NULL, iommufd_from_fd(ifd, &ctx));
	OK(ctx, iommufd_container_restore(ctx, sfd, &c));
	collect_facts(c, &seen);
	same_facts(&f, &seen);
	OK(ctx, iommufd_change_process(ctx));
	/* exactly the files named came across: the container's, the state, what was there */
	n = OK(ctx, iommufd_container_fds(c, fds, 8));
	open_fds(now, sizeof(now));
	for (i = 0; i < n; i++)
		CHECK(fd_open(fds[i]));
	CHECK(fd_open(sfd));
	{
		char *p = now;

		while (*p) {
			int fd = atoi(p);
			bool named = fd == sfd || in_list(inherited, fd);

			for (i = 0; i < n; i++)
				named |= fd == fds[i];
			if (!named)
				die(__LINE__, "fd %d came across exec unnamed (open: %s)", fd, now);
			p = strchr(p, ',');
			if (!p)
				break;
			p++;
		}
	}
	/* the library's files of another context and device: left behind by the exec */
	other = atoi(others);
	CHECK(!in_list(inherited, other) && !fd_open(other));
	other = atoi(strchr(others, ',') + 1);
	CHECK(!in_list(inherited, other) && !fd_open(other));
	if (a) {
		CHECK(OK(ctx, iommufd_container_devices(c, dev, 4)) == 1);
		edu_copy(iommufd_device_fd(dev[0]));
		mem = map_mem(memfd);
		expect_copied(mem, 3);
		note("the edu DMA after exec landed in the memory process 1 mapped");
		munmap(mem, A_MEM_LEN);
	} else {
		b_finish(ctx, c, &f);
	}
	return 0;
}

/* ---- the cases ------------------------------------------------------------------------ */

static void need_live_update(void)
{
	if (vm_kernel() < 613)
		vt_skip("live update needs 6.13 or later (answers_on_6_12 checks this kernel)");
}

static const char *self_exe(void)
{
	static char path[256];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	vt_assert(n > 0);
	path[n] = '\0';
	return path;
}

/* memfd the case gives process 1 and 2 (view A: the memory both look at). */
static int case_memfd(void)
{
	int fd = memfd_create("guest-ram", 0);

	vt_assert(fd >= 0);
	vt_assert(ftruncate(fd, A_MEM_LEN) == 0);
	return fd;
}

/* Start this binary with args; keep (and make inheritable) only the fds listed, -1 ended. */
static pid_t start(const char *const *args, const int *keep)
{
	pid_t pid;
	int i;

	fflush(stdout);
	pid = fork();
	vt_assert(pid >= 0);
	if (!pid) {
		for (i = 0; keep[i] >= 0; i++)
			fcntl(keep[i], F_SETFD, 0);
		execv(self_exe(), (char *const *)args);
		_exit(127);
	}
	return pid;
}

static void expect_exit0(pid_t pid, const char *who)
{
	int status;

	vt_assert(waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		vt_fail(__FILE__, __LINE__, "%s ended with status 0x%x", who, status);
}

static void socket_case(bool a)
{
	char s1[16], s2[16], m[16];
	int sv[2], memfd = case_memfd();
	pid_t p1, p2;

	need_live_update();
	vt_assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	snprintf(s1, sizeof(s1), "%d", sv[0]);
	snprintf(s2, sizeof(s2), "%d", sv[1]);
	snprintf(m, sizeof(m), "%d", memfd);
	p1 = start((const char *const[]){ "guest_live", "--socket-p1", a ? "A" : "B", s1, m, NULL },
		   (const int[]){ sv[0], memfd, -1 });
	p2 = start((const char *const[]){ "guest_live", "--socket-p2", a ? "A" : "B", s2, m, NULL },
		   (const int[]){ sv[1], memfd, -1 });
	close(sv[0]);
	close(sv[1]);
	expect_exit0(p1, "process 1");
	expect_exit0(p2, "process 2");
	close(memfd);
}

static void exec_case(bool a)
{
	char m[16];
	int memfd = case_memfd();
	pid_t p;

	need_live_update();
	snprintf(m, sizeof(m), "%d", memfd);
	p = start((const char *const[]){ "guest_live", "--exec-p1", a ? "A" : "B", m, NULL },
		  (const int[]){ memfd, -1 });
	expect_exit0(p, "process 1, then 2 after its exec");
	close(memfd);
}

static void a_over_a_socket(void)
{
	if (!vm_is_a())
		vt_skip("QEMU's edu device is on machine A");
	socket_case(true);
}

static void a_across_exec(void)
{
	if (!vm_is_a())
		vt_skip("QEMU's edu device is on machine A");
	exec_case(true);
}

static void b_over_a_socket(void)
{
	if (!vm_is_b())
		vt_skip("selftest devices are machine B's");
	socket_case(false);
}

static void b_across_exec(void)
{
	if (!vm_is_b())
		vt_skip("selftest devices are machine B's");
	exec_case(false);
}

/* 6.12: every live-update call answers the kernel's errno, naming the kernel it needs. */
static void answers_on_6_12(void)
{
	struct iommufd_container *c, *r = NULL;
	struct iommufd_device *dev, *d2 = NULL;
	struct iommufd_ctx *ctx = vm_ctx();
	int memfd = case_memfd(), sfd = -1, sv[2];
	void *buf = vm_buf(SZ_4K);

	if (vm_kernel() >= 613)
		vt_skip("this kernel has live update (the other cases use it)");
	dev = vm_open(ctx, vm_is_a() ? EDU0 : "selftest");
	vt_ok(iommufd_container_new(ctx, 0, &c));
	vt_ok(iommufd_container_attach(c, dev));
	vt_ok(iommufd_container_map(c, buf, vm_is_a() ? SRC_IOVA : GUEST_IOVA, SZ_4K, false));
#define ENOTTY_612(call) \
	do { \
		vm_expect_err(ctx, call, ENOTTY); \
		if (!strstr(iommufd_last_error(ctx), "6.13")) \
			vt_fail(__FILE__, __LINE__, "%s: \"%s\" names no kernel", #call, \
				iommufd_last_error(ctx)); \
	} while (0)
	ENOTTY_612(iommufd_container_map_file(c, memfd, 0, DST_IOVA + GUEST_IOVA, SZ_4K, false));
	ENOTTY_612(iommufd_container_save(c, memfd));
	ENOTTY_612(iommufd_container_restore(ctx, memfd, &r));
	vt_assert(r == NULL);
	ENOTTY_612(iommufd_change_process(ctx));
	if (vm_is_a())
		ENOTTY_612(iommufd_device_adopt(ctx, iommufd_device_fd(dev), iommufd_device_id(dev),
						&d2));
	vt_assert(d2 == NULL);
	ENOTTY_612(iommufd_container_exec_prepare(c, &sfd));
	vt_assert(sfd == -1);
	vt_assert(fcntl(iommufd_fd(ctx), F_GETFD) & FD_CLOEXEC);
	vt_assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	ENOTTY_612(iommufd_container_send(c, sv[0]));
	iommufd_container_free(c);
	iommufd_device_close(dev);
	iommufd_close(ctx);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
		VT_CASE(b_over_a_socket),
		VT_CASE(b_across_exec),
		VT_CASE(a_over_a_socket),
		VT_CASE(a_across_exec),
		VT_CASE(answers_on_6_12),
	};

	/* The processes a case starts: this binary again, with a phase. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "--socket-p1"))
		return socket_p1(!strcmp(argv[2], "A"), atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "--socket-p2"))
		return socket_p2(!strcmp(argv[2], "A"), atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "--exec-p1"))
		return exec_p1(!strcmp(argv[2], "A"), atoi(argv[3]), self_exe());
	if (argc == 9 && !strcmp(argv[1], "--exec-p2"))
		return exec_p2(!strcmp(argv[2], "A"), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
			       argv[6], argv[7], argv[8]);
	return vt_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
