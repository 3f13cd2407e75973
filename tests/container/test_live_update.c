// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Live update on the simulator: a second context of the same simulator stands in for the
 * new process (iommufd_sim_from_fd), with the same kernel objects and its own accounting.
 * The old process builds a tracking container over a memfd, devices write, some pages are
 * read; the new process receives the files and the state (over a socket, or as an exec
 * leaves them), restores, changes the process, and the devices write on: the next read
 * reports exactly the pages not yet reported, no kernel object was made or destroyed,
 * and the old process's exit disturbs nothing. Then every bad input: a clear error, the
 * old container intact, nothing left behind. And the state format's rules.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helpers.h"
#include "policy/container_state.h"

#define GUEST_PAGES 64ULL
#define GUEST_LEN (GUEST_PAGES * PAGE)
#define EXTRA_IOVA (MEM_IOVA + GUEST_LEN) /* a small file mapping unmapped while tracking */
#define EXTRA_LEN (4 * PAGE)
#define READ_PAGES (GUEST_PAGES + 4)

/* The devices the old process puts in its container (index into dev_names). */
static const char *const members[] = { DEV_A0, DEV_A1, DEV_B0, DEV_S0, DEV_M0 };
#define NMEMBERS (sizeof(members) / sizeof(members[0]))

/* The old process. */
struct old {
	struct iommufd_sim *sim;
	struct iommufd_ctx *ctx;
	struct iommufd_container *c;
	struct iommufd_device *dev[NDEVS];
	int dev_fd[NDEVS];   /* its numbers of the device files */
	int memfd;           /* guest memory */
	long base_objects;   /* devices bound, no container */
	long objects;        /* with the container */
};

/* The new process. */
struct new {
	struct iommufd_ctx *ctx;
	struct iommufd_container *c;
	int ifd;             /* its number of the iommufd */
	int sfd;             /* the state */
};

static int guest_memfd(uint64_t len)
{
	int fd = memfd_create("guest-ram", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)len), 0);
	return fd;
}

static struct iommufd_sim *new_sim(const char *topo)
{
	struct iommufd_sim *sim = NULL;

	if (iommufd_sim_new(topo, &sim))
		fail_msg("sim: %s", iommufd_sim_last_error());
	return sim;
}

static void dma(struct old *o, const char *dev, uint64_t page)
{
	int ret = iommufd_sim_dma_write(o->sim, dev, MEM_IOVA + page * PAGE, PAGE);

	if (ret)
		fail_msg("dma %s page %llu: %d", dev, (unsigned long long)page, ret);
}

/* Every device opened, the members in a tracking container over a memfd; tracking on. */
static void old_init(struct old *o, const char *topo)
{
	int i, ret;

	memset(o, 0, sizeof(*o));
	o->sim = new_sim(topo ? topo : topology_json);
	assert_int_equal(iommufd_sim_open(o->sim, &o->ctx), 0);
	for (i = 0; i < NDEVS; i++) {
		ret = iommufd_device_open(o->ctx, dev_names[i], &o->dev[i]);
		if (ret)
			fail_msg("open %s: %s", dev_names[i], iommufd_last_error(o->ctx));
		o->dev_fd[i] = iommufd_device_fd(o->dev[i]);
	}
	o->base_objects = iommufd_sim_live_objects(o->sim);
	o->memfd = guest_memfd(GUEST_LEN + EXTRA_LEN);
	assert_int_equal(iommufd_container_new(o->ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING, &o->c), 0);
	for (i = 0; i < (int)NMEMBERS; i++) {
		ret = iommufd_container_attach(o->c, o->dev[fx_index(members[i])]);
		if (ret)
			fail_msg("attach %s: %s", members[i], iommufd_last_error(o->ctx));
	}
	ret = iommufd_container_map_file(o->c, o->memfd, 0, MEM_IOVA, GUEST_LEN, false);
	if (ret)
		fail_msg("map: %s", iommufd_last_error(o->ctx));
	assert_int_equal(iommufd_container_set_dirty_tracking(o->c, true), 0);
	o->objects = iommufd_sim_live_objects(o->sim);
}

/* Writes, a read of some, a mapping unmapped with a page dirty: the state to hand over. */
static void old_work(struct old *o, uint64_t *bm)
{
	/* written and read: reported already */
	dma(o, DEV_A0, 1);
	dma(o, DEV_A1, 2);
	dma(o, DEV_S0, 3);
	memset(bm, 0, READ_PAGES / 8 + 8);
	assert_int_equal(iommufd_container_read_dirty(o->c, MEM_IOVA, 8 * PAGE, PAGE, bm, 0), 3);
	/* written, not read: in the domains */
	dma(o, DEV_A0, 5);
	dma(o, DEV_S0, 10);
	dma(o, DEV_A1, 20);
	/* the device without dirty tracking writes too: nobody can report it */
	dma(o, DEV_B0, 21);
	/* a mapping gone with a dirty page: carried over, in the state */
	assert_int_equal(iommufd_container_map_file(o->c, o->memfd, GUEST_LEN, EXTRA_IOVA,
						    EXTRA_LEN, false), 0);
	assert_int_equal(iommufd_sim_dma_write(o->sim, DEV_S0, EXTRA_IOVA + PAGE, PAGE), 0);
	assert_int_equal(iommufd_container_unmap(o->c, EXTRA_IOVA, EXTRA_LEN), 0);
}

/* The old process's exit: its library objects let go, then every file it held closed. */
static void old_exit(struct old *o)
{
	int i;

	iommufd_container_forget(o->c);
	o->c = NULL;
	for (i = 0; i < NDEVS; i++)
		iommufd_device_close(o->dev[i]);
	for (i = 0; i < NDEVS; i++)
		iommufd_sim_close_fd(o->sim, o->dev_fd[i]);
	iommufd_close(o->ctx);
	o->ctx = NULL;
	close(o->memfd);
}

/* The new process: receive over a socket, make its context. */
static void new_from_socket(struct old *o, struct new *n)
{
	char why[256];
	int sv[2];

	memset(n, 0, sizeof(*n));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	if (iommufd_container_send(o->c, sv[0]))
		fail_msg("send: %s", iommufd_last_error(o->ctx));
	/* what the program sends next on the stream is its own: the receive leaves it */
	assert_int_equal(write(sv[0], "next", 4), 4);
	if (iommufd_handover_recv(sv[1], &n->ifd, &n->sfd, why, sizeof(why)))
		fail_msg("recv: %s", why);
	assert_int_equal(read(sv[1], why, 4), 4);
	assert_memory_equal(why, "next", 4);
	close(sv[0]);
	close(sv[1]);
	assert_int_equal(iommufd_sim_from_fd(o->sim, n->ifd, &n->ctx), 0);
}

static void new_restore(struct new *n)
{
	if (iommufd_container_restore(n->ctx, n->sfd, &n->c))
		fail_msg("restore: %s", iommufd_last_error(n->ctx));
}

/* The new process ends: the container freed, its devices and files closed. */
static void new_fini(struct old *o, struct new *n)
{
	struct iommufd_device *devs[NDEVS];
	int fds[NDEVS], k = 0, i;

	if (n->c) {
		k = iommufd_container_devices(n->c, devs, NDEVS);
		assert_true(k >= 0 && k <= NDEVS);
		for (i = 0; i < k; i++)
			fds[i] = iommufd_device_fd(devs[i]);
		iommufd_container_free(n->c);
		for (i = 0; i < k; i++)
			iommufd_device_close(devs[i]);
		for (i = 0; i < k; i++)
			iommufd_sim_close_fd(o->sim, fds[i]);
	}
	iommufd_close(n->ctx);
	if (n->ifd >= 0)
		iommufd_sim_close_fd(o->sim, n->ifd);
	if (n->sfd >= 0)
		close(n->sfd);
}

static void sim_done(struct old *o)
{
	iommufd_sim_free(o->sim);
}

static bool bit_set(const uint64_t *bm, uint64_t i)
{
	return bm[i / 64] >> (i % 64) & 1;
}

/* The read reports exactly the pages in want (n of them). */
static void assert_pages(const uint64_t *bm, const uint64_t *want, size_t n)
{
	uint64_t i;
	size_t k, seen = 0;

	for (i = 0; i < READ_PAGES; i++) {
		bool expected = false;

		for (k = 0; k < n; k++)
			expected |= want[k] == i;
		if (bit_set(bm, i) != expected)
			fail_msg("page %llu: %s", (unsigned long long)i,
				 expected ? "not reported" : "reported, never written since read");
		seen += expected;
	}
	assert_int_equal(seen, n);
}

/* Domains and attachments as they are: what a handover must not change. */
struct layout {
	struct iommufd_domain_info d[8];
	int nd;
	uint32_t dev_id[NMEMBERS], pt_id[NMEMBERS];
};

static void layout_of(struct iommufd_container *c, struct layout *l)
{
	struct iommufd_device *devs[NDEVS];
	int i, n;

	memset(l, 0, sizeof(*l));
	l->nd = iommufd_container_domains(c, l->d, 8);
	n = iommufd_container_devices(c, devs, NDEVS);
	assert_int_equal(n, NMEMBERS);
	for (i = 0; i < n; i++) {
		l->dev_id[i] = iommufd_device_id(devs[i]);
		l->pt_id[i] = iommufd_device_pt_id(devs[i]);
	}
}

static void assert_same_layout(const struct layout *a, const struct layout *b)
{
	int i;

	assert_int_equal(a->nd, b->nd);
	for (i = 0; i < a->nd; i++) {
		assert_int_equal(a->d[i].hwpt_id, b->d[i].hwpt_id);
		assert_int_equal(a->d[i].flags, b->d[i].flags);
		assert_int_equal(a->d[i].ndevices, b->d[i].ndevices);
	}
	for (i = 0; i < (int)NMEMBERS; i++) {
		assert_int_equal(a->dev_id[i], b->dev_id[i]);
		assert_int_equal(a->pt_id[i], b->pt_id[i]);
	}
}

/* ---- the handover ------------------------------------------------------------ */

static void handover_over_a_socket(void **state)
{
	uint64_t bm[READ_PAGES / 64 + 1];
	const uint64_t want[] = { 5, 10, 20, 30, 31, GUEST_PAGES + 1 };
	struct layout before, after;
	struct old o;
	struct new n;
	int old_ifd;

	old_init(&o, NULL);
	old_work(&o, bm);
	layout_of(o.c, &before);
	old_ifd = iommufd_fd(o.ctx);
	/* the guest memory's pages count against the old process */
	assert_int_equal(iommufd_sim_pinned_pages(o.sim, old_ifd), GUEST_PAGES);

	new_from_socket(&o, &n);
	/* in one program the sender's numbers are taken: the files came at new ones */
	assert_int_not_equal(n.ifd, old_ifd);
	assert_int_equal(iommufd_sim_pinned_pages(o.sim, n.ifd), 0);
	new_restore(&n);
	assert_true(iommufd_is_simulated(n.ctx));
	/* the same kernel objects: none made, none destroyed */
	assert_int_equal(iommufd_sim_live_objects(o.sim), o.objects);
	assert_int_equal(iommufd_container_ioas_id(n.c), iommufd_container_ioas_id(o.c));
	layout_of(n.c, &after);
	assert_same_layout(&before, &after);
	assert_int_equal(iommufd_container_dirty_status(n.c), 0); /* B0 is not covered */
	/* a made-up id is still unknown */
	assert_int_equal(iommufd_destroy(n.ctx, 4000), -ENOENT);

	assert_int_equal(iommufd_change_process(n.ctx), 0);
	assert_int_equal(iommufd_sim_pinned_pages(o.sim, old_ifd), 0);
	assert_int_equal(iommufd_sim_pinned_pages(o.sim, n.ifd), GUEST_PAGES);

	/* the old process goes: nothing in the kernel notices (but its own other device goes) */
	old_exit(&o);
	assert_int_equal(iommufd_sim_live_objects(o.sim), o.objects - (NDEVS - NMEMBERS));
	dma(&o, DEV_A0, 30);
	dma(&o, DEV_S0, 31);
	assert_int_equal(iommufd_sim_dma_write(o.sim, DEV_M0, MEM_IOVA, PAGE), 0);

	/* exactly what was not reported: written before and not read, written after */
	memset(bm, 0, sizeof(bm));
	assert_int_equal(iommufd_container_read_dirty(n.c, MEM_IOVA, READ_PAGES * PAGE, PAGE, bm,
						      0),
			 sizeof(want) / sizeof(want[0]));
	assert_pages(bm, want, sizeof(want) / sizeof(want[0]));
	/* and once */
	memset(bm, 0, sizeof(bm));
	assert_int_equal(iommufd_container_read_dirty(n.c, MEM_IOVA, READ_PAGES * PAGE, PAGE, bm,
						      0), 0);
	/* the new process owns it all: it can change and free it */
	assert_int_equal(iommufd_container_unmap(n.c, MEM_IOVA, GUEST_LEN), 0);
	assert_int_equal(iommufd_sim_dma_write(o.sim, DEV_A0, MEM_IOVA, PAGE), -EFAULT);
	new_fini(&o, &n);
	assert_int_equal(iommufd_sim_live_objects(o.sim), 0);
	sim_done(&o);
}

/*
 * The exec variant: only the named files lose O_CLOEXEC. The simulator runs in one
 * process, so the new image is a second context on a dup of the iommufd number, and the
 * device files stay at the numbers the state names, as an exec leaves them.
 */
static void handover_across_exec(void **state)
{
	uint64_t bm[READ_PAGES / 64 + 1];
	const uint64_t want[] = { 5, 10, 20, 40, GUEST_PAGES + 1 };
	int fds[NDEVS + 1], k, i, sfd = -1, other;
	struct layout before, after;
	struct old o;
	struct new n = { .ifd = -1, .sfd = -1 };

	old_init(&o, NULL);
	old_work(&o, bm);
	layout_of(o.c, &before);
	k = iommufd_container_fds(o.c, fds, NDEVS + 1);
	/* the iommufd and the members' cdevs */
	assert_int_equal(k, 1 + NMEMBERS);
	assert_int_equal(fds[0], iommufd_fd(o.ctx));
	for (i = 0; i < k; i++)
		assert_true(fcntl(fds[i], F_GETFD) & FD_CLOEXEC);

	if (iommufd_container_exec_prepare(o.c, &sfd))
		fail_msg("exec prepare: %s", iommufd_last_error(o.ctx));
	for (i = 0; i < k; i++)
		assert_false(fcntl(fds[i], F_GETFD) & FD_CLOEXEC);
	assert_false(fcntl(sfd, F_GETFD) & FD_CLOEXEC);
	/* nothing else: the device outside the container keeps it, as does the guest memory */
	other = iommufd_device_fd(o.dev[fx_index(DEV_B1)]);
	assert_true(fcntl(other, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(o.memfd, F_GETFD) & FD_CLOEXEC);

	/* "exec": the old image is gone without freeing anything; the new one starts */
	n.ifd = dup(fds[0]);
	n.sfd = sfd;
	assert_int_equal(iommufd_sim_from_fd(o.sim, n.ifd, &n.ctx), 0);
	new_restore(&n);
	assert_int_equal(iommufd_sim_live_objects(o.sim), o.objects);
	layout_of(n.c, &after);
	assert_same_layout(&before, &after);
	assert_int_equal(iommufd_change_process(n.ctx), 0);
	assert_int_equal(iommufd_sim_pinned_pages(o.sim, n.ifd), GUEST_PAGES);
	/* what the old image held is gone with it (the devices' files stay: the new one's) */
	iommufd_container_forget(o.c);
	for (i = 0; i < NDEVS; i++)
		iommufd_device_close(o.dev[i]);
	iommufd_close(o.ctx);
	close(o.memfd);
	dma(&o, DEV_A0, 40);
	memset(bm, 0, sizeof(bm));
	assert_int_equal(iommufd_container_read_dirty(n.c, MEM_IOVA, READ_PAGES * PAGE, PAGE, bm,
						      0),
			 sizeof(want) / sizeof(want[0]));
	assert_pages(bm, want, sizeof(want) / sizeof(want[0]));
	new_fini(&o, &n);
	/* the devices outside the container: the old process's files, still open */
	for (i = 0; i < NDEVS; i++)
		iommufd_sim_close_fd(o.sim, o.dev_fd[i]);
	assert_int_equal(iommufd_sim_live_objects(o.sim), 0);
	sim_done(&o);
}

/* ---- bad input ------------------------------------------------------------------ */

/* The old process as above, a new one on a dup of its iommufd, and a saved state. */
struct bad {
	struct old o;
	struct new n;
	void *st;            /* the state as saved */
	size_t len;
	struct layout layout; /* the old container's */
};

static int state_memfd(const void *buf, size_t len)
{
	int fd = memfd_create("state", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(iofd_state_write_fd(fd, buf, len), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void bad_init(struct bad *b)
{
	uint64_t bm[READ_PAGES / 64 + 1];
	char err[256];
	int fd;

	memset(b, 0, sizeof(*b));
	old_init(&b->o, NULL);
	old_work(&b->o, bm);
	layout_of(b->o.c, &b->layout);
	fd = memfd_create("state", MFD_CLOEXEC);
	assert_int_equal(iommufd_container_save(b->o.c, fd), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(iofd_state_read_raw(fd, &b->st, &b->len, err, sizeof(err)), 0);
	close(fd);
	b->n.ifd = dup(iommufd_fd(b->o.ctx));
	b->n.sfd = -1;
	assert_int_equal(iommufd_sim_from_fd(b->o.sim, b->n.ifd, &b->n.ctx), 0);
}

/* The state decoded, to change it and encode it again. */
static void bad_decode(struct bad *b, struct iofd_state *st)
{
	if (iofd_state_decode(b->n.ctx, "test", b->st, b->len, st))
		fail_msg("decode: %s", iommufd_last_error(b->n.ctx));
}

/* Nothing changed: no container in the new process, the old one as it was. */
static void assert_untouched(struct bad *b)
{
	struct layout now;

	assert_null(b->n.c);
	assert_int_equal(iommufd_sim_live_objects(b->o.sim), b->o.objects);
	layout_of(b->o.c, &now);
	assert_same_layout(&b->layout, &now);
	assert_int_equal(iommufd_sim_pinned_pages(b->o.sim, iommufd_fd(b->o.ctx)), GUEST_PAGES);
	assert_int_equal(iommufd_sim_dma_write(b->o.sim, DEV_A0, MEM_IOVA + 60 * PAGE, PAGE), 0);
}

static void expect_refused(struct bad *b, const void *buf, size_t len, int err, const char *words)
{
	int fd = state_memfd(buf, len);
	int ret = iommufd_container_restore(b->n.ctx, fd, &b->n.c);

	close(fd);
	if (ret != err)
		fail_msg("restore: %d, want %d: %s", ret, err, iommufd_last_error(b->n.ctx));
	if (!strstr(iommufd_last_error(b->n.ctx), words))
		fail_msg("\"%s\" does not say \"%s\"", iommufd_last_error(b->n.ctx), words);
	assert_untouched(b);
}

static void expect_state_refused(struct bad *b, struct iofd_state *st, int err, const char *words)
{
	void *buf;
	size_t len;

	assert_int_equal(iofd_state_encode(st, &buf, &len), 0);
	expect_refused(b, buf, len, err, words);
	free(buf);
}

/* A valid restore after all the refusals (nothing was taken), then both processes end. */
static void bad_fini(struct bad *b)
{
	b->n.sfd = state_memfd(b->st, b->len);
	new_restore(&b->n);
	old_exit(&b->o);
	new_fini(&b->o, &b->n);
	assert_int_equal(iommufd_sim_live_objects(b->o.sim), 0);
	free(b->st);
	sim_done(&b->o);
}

static void recrc(uint8_t *p, size_t len)
{
	uint32_t crc;
	int i;

	memset(p + 24, 0, 4);
	crc = iofd_crc32c(0, p, len);
	for (i = 0; i < 4; i++)
		p[24 + i] = crc >> (8 * i);
}

static void broken_states_are_refused(void **state)
{
	size_t cuts[] = { 1, 8, 31, 32, 100 };
	uint8_t *p;
	struct bad b;
	size_t i;

	bad_init(&b);
	p = malloc(b.len + 64);
	assert_non_null(p);

	/* truncated anywhere: nothing at all, the header cut, the records cut */
	expect_refused(&b, b.st, 0, -EBADMSG, "holds no state");
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		expect_refused(&b, b.st, cuts[i], cuts[i] < 8 ? -EINVAL : -EBADMSG,
			       cuts[i] < 8 ? "not a libiommufd container state" : "truncated");
	expect_refused(&b, b.st, b.len - 1, -EBADMSG, "truncated");
	/* corrupted: one bit anywhere after the magic */
	for (i = 8; i < b.len; i += b.len / 7) {
		memcpy(p, b.st, b.len);
		p[i] ^= 0x10;
		/* a header field checked before the checksum may say it first */
		expect_refused(&b, p, b.len, i >= 8 && i < 10 ? -EPROTONOSUPPORT : -EBADMSG, "");
	}
	memcpy(p, b.st, b.len);
	p[b.len / 2] ^= 1;
	expect_refused(&b, p, b.len, -EBADMSG, "corrupted");
	/* not a state at all */
	expect_refused(&b, "hello, world: no state here, only words", 40, -EINVAL,
		       "not a libiommufd container state");
	/* a newer major version */
	memcpy(p, b.st, b.len);
	p[8] = 2;
	recrc(p, b.len);
	expect_refused(&b, p, b.len, -EPROTONOSUPPORT, "version 2.0; this library reads 1.x");
	/* a record a newer library wrote that must be understood */
	memcpy(p, b.st, b.len);
	memcpy(p + b.len, (uint8_t[]){ 99, 0, 1, 0, 8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 }, 16);
	p[16] = (uint8_t)(b.len + 16);
	p[17] = (uint8_t)((b.len + 16) >> 8);
	p[18] = (uint8_t)((b.len + 16) >> 16);
	p[28]++;
	recrc(p, b.len + 16);
	expect_refused(&b, p, b.len + 16, -EPROTONOSUPPORT, "a record of type 99");
	free(p);
	/* a name with a control character (a message quoting it would not be one line) */
	{
		struct iofd_state st;

		bad_decode(&b, &st);
		snprintf(st.devices[0].iommu, sizeof(st.devices[0].iommu), "dmar0\nsecond line");
		expect_state_refused(&b, &st, -EBADMSG, "record");
		assert_null(strchr(iommufd_last_error(b.n.ctx), '\n'));
		iofd_state_fini(&st);
	}
	bad_fini(&b);
}

/* The kernel's objects are not what the state says: refused before anything is made. */
static void states_the_kernel_disagrees_with(void **state)
{
	struct iofd_state st;
	struct bad b;
	uint32_t id;
	size_t i;

	bad_init(&b);
	/* the IOAS gone */
	bad_decode(&b, &st);
	st.ioas_id = 3001;
	expect_state_refused(&b, &st, -ENOENT, "ioas 3001 is gone");
	iofd_state_fini(&st);
	/* the IOAS's ranges not as saved */
	bad_decode(&b, &st);
	st.ranges[0].start += PAGE;
	expect_state_refused(&b, &st, -ESTALE, "allowed IOVA ranges");
	iofd_state_fini(&st);
	/* a domain gone */
	bad_decode(&b, &st);
	id = st.domains[0].hwpt_id;
	st.domains[0].hwpt_id = 3002;
	for (i = 0; i < st.ndevices; i++)
		if (st.devices[i].hwpt_id == id)
			st.devices[i].hwpt_id = st.devices[i].pt_id = 3002;
	expect_state_refused(&b, &st, -ENOENT, "hwpt 3002 is gone");
	iofd_state_fini(&st);
	/* a mapping not as saved: it reaches a page further */
	bad_decode(&b, &st);
	st.maps[0].last += PAGE;
	expect_state_refused(&b, &st, -ENOENT, "is not mapped whole");
	iofd_state_fini(&st);
	/* a mapping the kernel has not */
	bad_decode(&b, &st);
	st.maps[st.nmaps - 1].iova = st.maps[st.nmaps - 1].last + 16 * PAGE;
	st.maps[st.nmaps - 1].last = st.maps[st.nmaps - 1].iova + PAGE - 1;
	expect_state_refused(&b, &st, -ENOENT, "is not mapped whole");
	iofd_state_fini(&st);
	/* a device's IOMMU not as saved */
	bad_decode(&b, &st);
	st.devices[0].hw_caps ^= IOMMUFD_HW_CAP_DIRTY_TRACKING;
	expect_state_refused(&b, &st, -ESTALE, "answers GET_HW_INFO");
	iofd_state_fini(&st);
	/* a dev_id gone */
	bad_decode(&b, &st);
	st.devices[0].dev_id = 3003;
	expect_state_refused(&b, &st, -ENOENT, "dev_id 3003 is no device of this iommufd");
	iofd_state_fini(&st);
	bad_fini(&b);
}

/* Files at the state's numbers that are not what it says they are. */
static void device_files_not_what_the_state_says(void **state)
{
	int a0 = fx_index(DEV_A0), a1 = fx_index(DEV_A1), b1 = fx_index(DEV_B1);
	struct iofd_state st;
	struct bad b;
	int closed, mem, unbound = -1;
	size_t i;

	bad_init(&b);
	mem = memfd_create("not a device", MFD_CLOEXEC);
	/* a number nothing in this test opens (a free low one the state's own memfd takes) */
	closed = 999;
	assert_true(fcntl(closed, F_GETFD) < 0);
	for (i = 0; i < 4; i++) {
		int to, err;
		const char *words;

		bad_decode(&b, &st);
		switch (i) {
		case 0: /* nothing open there */
			to = closed, err = -EBADF, words = "no open file";
			break;
		case 1: /* a file, not a device's */
			to = mem, err = -ENODEV, words = "not a VFIO device cdev";
			break;
		case 2: /* another device's cdev */
			to = b.o.dev_fd[b1], err = -EINVAL, words = "the cdev of " DEV_B1 ", not of " DEV_A0;
			break;
		default: /* the device's cdev, opened again: not bound */
			unbound = iommufd_sim_open_cdev(b.o.sim, DEV_A0);
			assert_true(unbound >= 0);
			to = unbound, err = -EINVAL, words = "not bound to an iommufd";
			break;
		}
		st.devices[0].fd = to;
		assert_string_equal(st.devices[0].name, DEV_A0);
		expect_state_refused(&b, &st, err, words);
		iofd_state_fini(&st);
	}
	iommufd_sim_close_cdev(b.o.sim, unbound);
	close(mem);
	/* the right files with each other's dev_ids: the kernel tells them apart */
	bad_decode(&b, &st);
	assert_string_equal(st.devices[1].name, DEV_A1);
	st.devices[0].dev_id = iommufd_device_id(b.o.dev[a1]);
	st.devices[1].dev_id = iommufd_device_id(b.o.dev[a0]);
	expect_state_refused(&b, &st, -EINVAL, "the kernel gives it dev_id");
	iofd_state_fini(&st);
	bad_fini(&b);
}

/* A state restores once, and not into the context that saved it. */
static void a_state_restores_once(void **state)
{
	struct iommufd_container *again = NULL;
	struct bad b;
	int fd;

	bad_init(&b);
	/* where it was saved: that container holds the IOAS */
	fd = state_memfd(b.st, b.len);
	assert_int_equal(iommufd_container_restore(b.o.ctx, fd, &again), -EBUSY);
	assert_non_null(strstr(iommufd_last_error(b.o.ctx), "is a container of this context"));
	assert_null(again);
	close(fd);
	assert_untouched(&b);
	b.n.sfd = state_memfd(b.st, b.len);
	new_restore(&b.n);
	/* a second restore of the same state */
	fd = state_memfd(b.st, b.len);
	assert_int_equal(iommufd_container_restore(b.n.ctx, fd, &again), -EBUSY);
	assert_non_null(strstr(iommufd_last_error(b.n.ctx), "restored once"));
	assert_null(again);
	close(fd);
	assert_int_equal(iommufd_sim_live_objects(b.o.sim), b.o.objects);
	old_exit(&b.o);
	new_fini(&b.o, &b.n);
	free(b.st);
	sim_done(&b.o);
}

/* Every kernel call of a restore failed in turn: the errno passes, nothing changes. */
static void every_kernel_call_of_a_restore_can_fail(void **state)
{
	struct bad b;
	int fd, ret = -1;
	unsigned nth;

	bad_init(&b);
	for (nth = 1; ret; nth++) {
		assert_true(nth < 200);
		fd = state_memfd(b.st, b.len);
		assert_int_equal(iommufd_sim_fail_nth(b.o.sim, nth, EIO), 0);
		ret = iommufd_container_restore(b.n.ctx, fd, &b.n.c);
		close(fd);
		assert_int_equal(iommufd_sim_fail_nth(b.o.sim, 0, 0), 0);
		if (!ret)
			break;
		assert_int_equal(ret, -EIO);
		assert_true(iommufd_last_error(b.n.ctx)[0] != '\0');
		assert_untouched(&b);
	}
	/* a probe per domain and mapping, GET_INFO and GET_HW_INFO per device, and more */
	assert_true(nth > 8);
	assert_int_equal(iommufd_sim_live_objects(b.o.sim), b.o.objects);
	old_exit(&b.o);
	new_fini(&b.o, &b.n);
	free(b.st);
	sim_done(&b.o);
}

/* Two threads restore one state at once: exactly one gets it; a third walks the containers. */
struct race {
	struct bad *b;
	int fd;
	int ret;
	struct iommufd_container *c;
	int *go;
};

static void *restore_thread(void *arg)
{
	struct race *r = arg;

	while (!__atomic_load_n(r->go, __ATOMIC_ACQUIRE))
		;
	r->ret = iommufd_container_restore(r->b->n.ctx, r->fd, &r->c);
	return NULL;
}

static void *walk_thread(void *arg)
{
	struct race *r = arg;
	struct iommufd_container *c;
	int i;

	while (!__atomic_load_n(r->go, __ATOMIC_ACQUIRE))
		;
	for (i = 0; i < 50; i++) {
		/* the guest memory is of files, the user mapping none: the kernel moves it */
		r->ret |= iommufd_change_process(r->b->n.ctx);
		if (!iommufd_container_new(r->b->n.ctx, 0, &c))
			iommufd_container_free(c);
	}
	return NULL;
}

static void two_threads_restore_one_state(void **state)
{
	int go = 0;
	struct race r[3];
	pthread_t t[3];
	struct bad b;
	int i, won = 0;

	bad_init(&b);
	for (i = 0; i < 3; i++) {
		r[i] = (struct race){ .b = &b, .fd = state_memfd(b.st, b.len), .go = &go };
		assert_int_equal(pthread_create(&t[i], NULL, i < 2 ? restore_thread : walk_thread,
						&r[i]), 0);
	}
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 3; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		close(r[i].fd);
	}
	assert_int_equal(r[2].ret, 0);
	for (i = 0; i < 2; i++) {
		if (!r[i].ret) {
			won++;
			b.n.c = r[i].c;
		} else {
			assert_int_equal(r[i].ret, -EBUSY);
			assert_null(r[i].c);
		}
	}
	assert_int_equal(won, 1);
	assert_int_equal(iommufd_sim_live_objects(b.o.sim), b.o.objects);
	old_exit(&b.o);
	new_fini(&b.o, &b.n);
	free(b.st);
	sim_done(&b.o);
}

/* ---- changing the process ---------------------------------------------------------- */

static void change_process_refuses_user_memory_by_name(void **state)
{
	void *mem = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	uint64_t bm[READ_PAGES / 64 + 1];
	const uint64_t user_iova = MEM_IOVA + 0x10000000;
	struct new n = { .ifd = -1, .sfd = -1 };
	uint32_t ioas;
	struct old o;

	assert_true(mem != MAP_FAILED);
	old_init(&o, NULL);
	old_work(&o, bm);
	assert_int_equal(iommufd_container_map(o.c, mem, user_iova, 4 * PAGE, false), 0);
	/* files pinned and user memory pinned, both the old process's */
	assert_int_equal(iommufd_sim_pinned_pages(o.sim, iommufd_fd(o.ctx)), GUEST_PAGES + 4);
	new_from_socket(&o, &n);
	new_restore(&n);
	assert_int_equal(iommufd_change_process(n.ctx), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(n.ctx), "maps user memory at [0x50000000, "
				"0x50003fff]"));
	/* all or nothing: nothing moved */
	assert_int_equal(iommufd_sim_pinned_pages(o.sim, iommufd_fd(o.ctx)), GUEST_PAGES + 4);
	assert_int_equal(iommufd_sim_pinned_pages(o.sim, n.ifd), 0);
	/* gone, the files move */
	assert_int_equal(iommufd_container_unmap(n.c, user_iova, 4 * PAGE), 0);
	assert_int_equal(iommufd_change_process(n.ctx), 0);
	assert_int_equal(iommufd_sim_pinned_pages(o.sim, n.ifd), GUEST_PAGES);
	/* a mapping outside any container: the kernel refuses, the library says where */
	assert_int_equal(iommufd_ioas_alloc(n.ctx, &ioas), 0);
	assert_int_equal(iommufd_ioas_map(n.ctx, ioas, mem, PAGE, &(uint64_t){ 0 }, 0), 0);
	assert_int_equal(iommufd_change_process(n.ctx), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(n.ctx), "outside the library's containers"));
	assert_int_equal(iommufd_destroy(n.ctx, ioas), 0);
	old_exit(&o);
	new_fini(&o, &n);
	munmap(mem, 4 * PAGE);
	sim_done(&o);
}

/* ---- adopting a device ---------------------------------------------------------------- */

static void adopt_takes_a_bound_fd_without_binding(void **state)
{
	int a0 = fx_index(DEV_A0), b1 = fx_index(DEV_B1), mem, unbound;
	struct iommufd_device *dev = NULL;
	struct iommufd_ctx *ctx2;
	uint64_t bm[READ_PAGES / 64 + 1];
	struct old o;
	int ifd;

	old_init(&o, NULL);
	old_work(&o, bm);
	ifd = dup(iommufd_fd(o.ctx));
	assert_int_equal(iommufd_sim_from_fd(o.sim, ifd, &ctx2), 0);

	assert_int_equal(iommufd_device_adopt(ctx2, o.dev_fd[a0], iommufd_device_id(o.dev[a0]),
					      &dev), 0);
	assert_string_equal(iommufd_device_name(dev), DEV_A0);
	assert_int_equal(iommufd_device_id(dev), iommufd_device_id(o.dev[a0]));
	assert_int_equal(iommufd_device_fd(dev), o.dev_fd[a0]);
	/* its attachment is unknown to it: it says none, and its close detaches nothing */
	assert_int_equal(iommufd_device_pt_id(dev), 0);
	iommufd_device_close(dev);
	assert_int_equal(iommufd_sim_live_objects(o.sim), o.objects);
	dma(&o, DEV_A0, 7);

	/* a dev_id that is not the fd's device's, one that is nobody's, and no dev_id */
	assert_int_equal(iommufd_device_adopt(ctx2, o.dev_fd[a0], iommufd_device_id(o.dev[b1]),
					      &dev), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(ctx2), "the kernel gives it dev_id"));
	assert_null(dev);
	assert_int_equal(iommufd_device_adopt(ctx2, o.dev_fd[a0], 3000, &dev), -ENOENT);
	assert_non_null(strstr(iommufd_last_error(ctx2), "no device of this iommufd"));
	assert_int_equal(iommufd_device_adopt(ctx2, o.dev_fd[a0], 0, &dev), -EINVAL);
	/* files that are no bound device */
	assert_int_equal(iommufd_device_adopt(ctx2, -1, 1, &dev), -EBADF);
	mem = guest_memfd(PAGE);
	assert_int_equal(iommufd_device_adopt(ctx2, mem, 1, &dev), -ENODEV);
	close(mem);
	unbound = iommufd_sim_open_cdev(o.sim, DEV_A0);
	assert_int_equal(iommufd_device_adopt(ctx2, unbound, iommufd_device_id(o.dev[a0]), &dev),
			 -EINVAL);
	assert_non_null(strstr(iommufd_last_error(ctx2), "not bound"));
	assert_int_equal(iommufd_sim_close_cdev(o.sim, unbound), 0);
	assert_int_equal(iommufd_device_adopt(ctx2, o.dev_fd[a0], 1, NULL), -EINVAL);
	assert_int_equal(iommufd_device_adopt(NULL, o.dev_fd[a0], 1, &dev), -EINVAL);
	assert_null(dev);
	assert_int_equal(iommufd_sim_live_objects(o.sim), o.objects);

	iommufd_close(ctx2);
	iommufd_sim_close_fd(o.sim, ifd);
	iommufd_container_free(o.c);
	o.c = NULL;
	assert_int_equal(iommufd_sim_live_objects(o.sim), o.base_objects);
	old_exit(&o);
	sim_done(&o);
}

/* ---- a kernel without live update ------------------------------------------------------- */

static const char topology_612[] =
	"{ \"kernel\": \"6.12\", \"iommus\": ["
	"  { \"name\": \"dmar0\", \"driver\": \"intel-vtd\", \"dirty_tracking\": true } ],"
	"  \"devices\": [ { \"name\": \"" DEV_A0 "\", \"iommu\": \"dmar0\" } ] }";

static void expect_612(struct iommufd_ctx *ctx, int ret)
{
	assert_int_equal(ret, -ENOTTY);
	if (!strstr(iommufd_last_error(ctx), "6.13"))
		fail_msg("\"%s\" does not name the kernel needed", iommufd_last_error(ctx));
}

static void every_live_update_call_names_the_kernel_on_6_12(void **state)
{
	struct iommufd_container *c, *r = NULL;
	struct iommufd_device *dev, *d2 = NULL;
	struct iommufd_sim *sim = new_sim(topology_612);
	struct iommufd_ctx *ctx;
	int fd = guest_memfd(PAGE), sv[2], sfd = -1;
	void *mem = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long objects;

	assert_int_equal(iommufd_sim_open(sim, &ctx), 0);
	assert_int_equal(iommufd_device_open(ctx, DEV_A0, &dev), 0);
	assert_int_equal(iommufd_container_new(ctx, IOMMUFD_CONTAINER_DIRTY_TRACKING, &c), 0);
	assert_int_equal(iommufd_container_attach(c, dev), 0);
	assert_int_equal(iommufd_container_map(c, mem, MEM_IOVA, PAGE, false), 0);
	objects = iommufd_sim_live_objects(sim);

	expect_612(ctx, iommufd_container_map_file(c, fd, 0, MEM_IOVA + PAGE, PAGE, false));
	expect_612(ctx, iommufd_container_save(c, fd));
	assert_int_equal(lseek(fd, 0, SEEK_END), PAGE); /* nothing written */
	expect_612(ctx, iommufd_container_restore(ctx, fd, &r));
	assert_null(r);
	expect_612(ctx, iommufd_change_process(ctx));
	expect_612(ctx, iommufd_device_adopt(ctx, iommufd_device_fd(dev), iommufd_device_id(dev),
					     &d2));
	assert_null(d2);
	expect_612(ctx, iommufd_container_exec_prepare(c, &sfd));
	assert_int_equal(sfd, -1);
	assert_true(fcntl(iommufd_fd(ctx), F_GETFD) & FD_CLOEXEC);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	expect_612(ctx, iommufd_container_send(c, sv[0]));
	close(sv[0]);
	close(sv[1]);
	assert_int_equal(iommufd_sim_live_objects(sim), objects);
	assert_int_equal(iommufd_sim_dma_write(sim, DEV_A0, MEM_IOVA, PAGE), 0);

	iommufd_container_free(c);
	iommufd_device_close(dev);
	iommufd_close(ctx);
	iommufd_sim_free(sim);
	close(fd);
	munmap(mem, PAGE);
}

/* ---- the receiving end ------------------------------------------------------------------ */

/*
 * The program's own numbers of a simulated iommufd (two dups, one a second process's context
 * was made from, the other found with it) outlive every context: freeing the simulator closes
 * the file once and leaves both numbers open to the program, as close(2) of them is its own.
 */
static void sim_freed_with_the_programs_numbers(void **state)
{
	struct iommufd_sim *sim = new_sim(topology_json);
	struct iommufd_ctx *a, *b;
	int d1, d2;

	(void)state;
	assert_int_equal(iommufd_sim_open(sim, &a), 0);
	d1 = dup(iommufd_fd(a));
	d2 = dup(iommufd_fd(a));
	assert_true(d1 >= 0 && d2 >= 0);
	assert_int_equal(iommufd_sim_from_fd(sim, d1, &b), 0);
	assert_true(iommufd_sim_pinned_pages(sim, d2) >= 0); /* found with d1 */
	iommufd_close(b);
	iommufd_close(a);
	iommufd_sim_free(sim);
	assert_true(fcntl(d1, F_GETFD) >= 0 && fcntl(d2, F_GETFD) >= 0);
	close(d1);
	close(d2);
}

/* The files open in this process. */
static int count_fds(void)
{
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

static void recv_refuses_what_is_no_handover(void **state)
{
	int sv[2], ifd = 5, sfd = 5, mem = guest_memfd(PAGE), nfds;
	char why[256];
	struct msghdr mh = { 0 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = "not a handover", .iov_len = 14 };
	struct cmsghdr *cm;

	assert_int_equal(iommufd_handover_recv(-1, &ifd, &sfd, why, sizeof(why)), -EBADF);
	assert_int_equal(ifd, -1);
	assert_int_equal(sfd, -1);
	assert_non_null(strstr(why, "receive from fd -1"));
	assert_int_equal(iommufd_handover_recv(0, NULL, &sfd, why, sizeof(why)), -EINVAL);
	/* something else, with a file: refused, and the file not kept */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &mem, sizeof(int));
	assert_int_equal(sendmsg(sv[0], &mh, 0), 14);
	nfds = count_fds();
	assert_int_equal(iommufd_handover_recv(sv[1], &ifd, &sfd, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "not a handover of libiommufd"));
	assert_int_equal(count_fds(), nfds);
	/* the peer gone */
	close(sv[0]);
	assert_int_equal(iommufd_handover_recv(sv[1], &ifd, &sfd, NULL, 0), -EPIPE);
	close(sv[1]);
	close(mem);
}

/* ---- the state format ------------------------------------------------------------------- */

static void fill_state(struct iofd_state *st)
{
	static struct iofd_range ranges[2] = { { 0x1000, 0xfedfffff }, { 0xfef00000, ~0ULL } };
	static struct iofd_state_domain domains[2];
	static struct iofd_state_device devices[2];
	static struct iofd_state_refusal refusals[1], combos[1];
	static struct iofd_state_map maps[3];
	static struct iofd_range dirty[2] = { { 0x40001000, 0x40002fff },
					      { 0x40010000, 0x40010fff } };

	memset(st, 0, sizeof(*st));
	memset(domains, 0, sizeof(domains));
	memset(devices, 0, sizeof(devices));
	memset(refusals, 0, sizeof(refusals));
	memset(combos, 0, sizeof(combos));
	memset(maps, 0, sizeof(maps));
	st->container_flags = IOMMUFD_CONTAINER_DIRTY_TRACKING | IOMMUFD_CONTAINER_NEST_PARENT;
	st->ioas_id = 3;
	st->tracking = true;
	st->alignment = 4096;
	st->ranges = ranges;
	st->nranges = 2;
	domains[0] = (struct iofd_state_domain){ 7, IOMMUFD_DOMAIN_DIRTY_TRACKING, true,
						 { 1, "dmar0", "intel-vtd" } };
	domains[1] = (struct iofd_state_domain){ 9, IOMMUFD_DOMAIN_NEST_PARENT, false,
						 { 2, "smmu0", "arm-smmu-v3" } };
	st->domains = domains;
	st->ndomains = 2;
	devices[0] = (struct iofd_state_device){
		.kind = IOFD_STATE_DEV_VFIO, .flags = IOFD_STATE_DEV_HW_KNOWN, .fd = 12,
		.dev_id = 4, .hwpt_id = 7, .pt_id = 7, .uncovered = 0, .hw_type = 1, .hw_caps = 1,
		.name = DEV_A0, .cdev = "/dev/vfio/devices/vfio0", .iommu = "dmar0",
		.driver = "intel-vtd",
	};
	devices[1] = (struct iofd_state_device){
		.kind = IOFD_STATE_DEV_SELFTEST,
		.flags = IOFD_STATE_DEV_NO_DIRTY | IOFD_STATE_DEV_HW_KNOWN, .fd = -1, .dev_id = 5,
		.hwpt_id = 9, .pt_id = 9, .uncovered = 4, .stdev_id = 6, .park_ioas = 8,
		.hw_ret = 0, .hw_type = 0xfeedbeef, .name = "selftest:no-dirty/5",
		.iommu = "mock-no-dirty", .driver = "iommufd-selftest",
	};
	st->devices = devices;
	st->ndevices = 2;
	refusals[0] = (struct iofd_state_refusal){ 7, { 1, "dmar1", "intel-vtd" } };
	combos[0] = (struct iofd_state_refusal){ 0, { 2, "smmu0", "arm-smmu-v3" } };
	st->refusals = refusals;
	st->nrefusals = 1;
	st->combo_refusals = combos;
	st->ncombo_refusals = 1;
	maps[0] = (struct iofd_state_map){ 0x40000000, 0x4003ffff, IOFD_STATE_MAP_FILE, 11, 0,
					   2049, 77 };
	maps[1] = (struct iofd_state_map){ 0x40040000, 0x40040fff,
					   IOFD_STATE_MAP_FILE | IOFD_STATE_MAP_READONLY, -1,
					   0x40000, 2049, 77 };
	maps[2] = (struct iofd_state_map){ 0x80000000, 0x80003fff, 0, -1, 0, 0, 0 };
	st->maps = maps;
	st->nmaps = 3;
	st->dirty = dirty;
	st->ndirty = 2;
}

static void assert_same_state(const struct iofd_state *a, const struct iofd_state *b)
{
	size_t i;

	assert_int_equal(a->container_flags, b->container_flags);
	assert_int_equal(a->ioas_id, b->ioas_id);
	assert_int_equal(a->tracking, b->tracking);
	assert_int_equal(a->alignment, b->alignment);
	assert_int_equal(a->nranges, b->nranges);
	assert_memory_equal(a->ranges, b->ranges, a->nranges * sizeof(a->ranges[0]));
	assert_int_equal(a->ndomains, b->ndomains);
	for (i = 0; i < a->ndomains; i++) {
		assert_int_equal(a->domains[i].hwpt_id, b->domains[i].hwpt_id);
		assert_int_equal(a->domains[i].flags, b->domains[i].flags);
		assert_int_equal(a->domains[i].tracking, b->domains[i].tracking);
		assert_int_equal(a->domains[i].made_for.hw_type, b->domains[i].made_for.hw_type);
		assert_string_equal(a->domains[i].made_for.iommu, b->domains[i].made_for.iommu);
		assert_string_equal(a->domains[i].made_for.driver, b->domains[i].made_for.driver);
	}
	assert_int_equal(a->ndevices, b->ndevices);
	for (i = 0; i < a->ndevices; i++)
		assert_memory_equal(&a->devices[i], &b->devices[i], sizeof(a->devices[i]));
	assert_int_equal(a->nrefusals, b->nrefusals);
	assert_int_equal(a->refusals[0].hwpt_id, b->refusals[0].hwpt_id);
	assert_string_equal(a->refusals[0].key.iommu, b->refusals[0].key.iommu);
	assert_int_equal(a->ncombo_refusals, b->ncombo_refusals);
	assert_string_equal(a->combo_refusals[0].key.driver, b->combo_refusals[0].key.driver);
	assert_int_equal(a->nmaps, b->nmaps);
	for (i = 0; i < a->nmaps; i++)
		assert_memory_equal(&a->maps[i], &b->maps[i], sizeof(a->maps[i]));
	assert_int_equal(a->ndirty, b->ndirty);
	assert_memory_equal(a->dirty, b->dirty, a->ndirty * sizeof(a->dirty[0]));
}

/*
 * The state with extra bytes after the payload of the record of type `type` (a field a
 * newer minor appends), or a record of type `add` appended (0: none) with `flags`.
 */
static uint8_t *grow_state(const uint8_t *in, size_t len, unsigned type, unsigned extra,
			   unsigned add, unsigned flags, size_t *outlen)
{
	uint8_t *out = calloc(1, len + 64 + extra * 16);
	size_t at = 32, o = 32, nrec = 0;

	memcpy(out, in, 32);
	while (at < len) {
		unsigned t = in[at] | in[at + 1] << 8;
		uint32_t plen = in[at + 4] | in[at + 5] << 8 | in[at + 6] << 16 |
				(uint32_t)in[at + 7] << 24;
		uint32_t nlen = plen + (t == type ? extra : 0);

		memcpy(out + o, in + at, 8 + plen);
		memcpy(out + o + 4, &nlen, 4);
		memset(out + o + 8 + plen, 0xab, nlen - plen);
		o += 8 + nlen;
		o += (8 - o % 8) % 8;
		at += 8 + plen;
		at += (8 - at % 8) % 8;
		nrec++;
	}
	if (add) {
		out[o] = add;
		out[o + 2] = flags;
		out[o + 4] = 4;
		memcpy(out + o + 8, "new!", 4);
		o += 16;
		nrec++;
	}
	for (at = 0; at < 8; at++)
		out[16 + at] = (uint64_t)o >> (8 * at);
	memcpy(out + 28, &(uint32_t){ nrec }, 4);
	recrc(out, o);
	*outlen = o;
	return out;
}

static void state_format_rules(void **state)
{
	struct iommufd_sim *sim = new_sim(NULL);
	struct iofd_state st, back;
	struct iommufd_ctx *ctx;
	uint8_t *buf, *g;
	size_t len, glen;

	assert_int_equal(iommufd_sim_open(sim, &ctx), 0);
	fill_state(&st);
	assert_int_equal(iofd_state_encode(&st, (void **)&buf, &len), 0);
	assert_memory_equal(buf, "iofdcpr\n\1\0\0\0\40\0\0\0", 16);
	assert_int_equal(iofd_state_decode(ctx, "t", buf, len, &back), 0);
	assert_same_state(&st, &back);
	iofd_state_fini(&back);

	/* a newer minor may append fields to a record: an older reader takes what it knows */
	g = grow_state(buf, len, IOFD_REC_DEVICE, 24, 0, 0, &glen);
	g[10] = 1;
	recrc(g, glen);
	assert_int_equal(iofd_state_decode(ctx, "t", g, glen, &back), 0);
	assert_same_state(&st, &back);
	iofd_state_fini(&back);
	free(g);
	/* and add records an older reader may skip */
	g = grow_state(buf, len, 0, 0, 200, 0, &glen);
	assert_int_equal(iofd_state_decode(ctx, "t", g, glen, &back), 0);
	assert_same_state(&st, &back);
	iofd_state_fini(&back);
	free(g);
	/* unless it must understand them */
	g = grow_state(buf, len, 0, 0, 200, IOFD_STATE_REC_REQUIRED, &glen);
	assert_int_equal(iofd_state_decode(ctx, "t", g, glen, &back), -EPROTONOSUPPORT);
	assert_non_null(strstr(iommufd_last_error(ctx), "a record of type 200"));
	free(g);

	/* what refers to nothing, what overlaps, what a newer library may mean */
	st.devices[0].hwpt_id = st.devices[0].pt_id = 8;
	free(buf);
	assert_int_equal(iofd_state_encode(&st, (void **)&buf, &len), 0);
	assert_int_equal(iofd_state_decode(ctx, "t", buf, len, &back), -EBADMSG);
	assert_non_null(strstr(iommufd_last_error(ctx), "in hwpt 8, which is no domain of it"));
	fill_state(&st);
	st.maps[1].iova = st.maps[0].last;
	free(buf);
	assert_int_equal(iofd_state_encode(&st, (void **)&buf, &len), 0);
	assert_int_equal(iofd_state_decode(ctx, "t", buf, len, &back), -EBADMSG);
	assert_non_null(strstr(iommufd_last_error(ctx), "out of order or overlapping"));
	fill_state(&st);
	st.container_flags |= 1u << 9;
	free(buf);
	assert_int_equal(iofd_state_encode(&st, (void **)&buf, &len), 0);
	assert_int_equal(iofd_state_decode(ctx, "t", buf, len, &back), -EPROTONOSUPPORT);
	fill_state(&st);
	st.devices[1].fd = st.devices[0].fd; /* a selftest device has no fd: fine */
	st.devices[1].kind = IOFD_STATE_DEV_VFIO;
	free(buf);
	assert_int_equal(iofd_state_encode(&st, (void **)&buf, &len), 0);
	assert_int_equal(iofd_state_decode(ctx, "t", buf, len, &back), -EBADMSG);
	assert_non_null(strstr(iommufd_last_error(ctx), "fd 12 for two devices"));
	free(buf);

	/* a record shorter than this library knows it */
	fill_state(&st);
	assert_int_equal(iofd_state_encode(&st, (void **)&buf, &len), 0);
	buf[32 + 4] -= 8;
	recrc(buf, len);
	assert_int_equal(iofd_state_decode(ctx, "t", buf, len, &back), -EBADMSG);
	assert_non_null(strstr(iommufd_last_error(ctx), "record 0 (container)"));
	free(buf);
	iommufd_close(ctx);
	iommufd_sim_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(handover_over_a_socket),
		cmocka_unit_test(handover_across_exec),
		cmocka_unit_test(broken_states_are_refused),
		cmocka_unit_test(states_the_kernel_disagrees_with),
		cmocka_unit_test(device_files_not_what_the_state_says),
		cmocka_unit_test(a_state_restores_once),
		cmocka_unit_test(every_kernel_call_of_a_restore_can_fail),
		cmocka_unit_test(two_threads_restore_one_state),
		cmocka_unit_test(change_process_refuses_user_memory_by_name),
		cmocka_unit_test(adopt_takes_a_bound_fd_without_binding),
		cmocka_unit_test(every_live_update_call_names_the_kernel_on_6_12),
		cmocka_unit_test(recv_refuses_what_is_no_handover),
		cmocka_unit_test(sim_freed_with_the_programs_numbers),
		cmocka_unit_test(state_format_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
