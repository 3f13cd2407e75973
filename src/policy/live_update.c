// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Live update around the saved state (docs/live-update.md): the list of live containers
 * (to find a context's), IOMMU_IOAS_CHANGE_PROCESS with a message that names the mapping
 * it refuses, a container's devices and files, handing the files and the state to a new
 * process (over a unix socket, or across exec), and letting go of a container that
 * another process took over.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "objects/objects.h"
#include "policy/container.h"
#include "policy/live_update.h"

/* ---- the live containers ------------------------------------------------ */

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct iofd_list live_list = { &live_list, &live_list };

/* Lock order: live_lock, then a container's lock (never the other way round). */
void iofd_container_register(struct iommufd_container *c)
{
	pthread_mutex_lock(&live_lock);
	iofd_list_add_tail(&c->live, &live_list);
	pthread_mutex_unlock(&live_lock);
}

void iofd_container_unregister(struct iommufd_container *c)
{
	pthread_mutex_lock(&live_lock);
	if (c->live.next)
		iofd_list_del(&c->live);
	pthread_mutex_unlock(&live_lock);
}

static bool state_has_dev_id(const struct iofd_state *st, uint32_t dev_id)
{
	size_t i;

	for (i = 0; i < st->ndevices; i++)
		if (st->devices[i].dev_id == dev_id)
			return true;
	return false;
}

int iofd_live_check_unclaimed(struct iommufd_ctx *ctx, const struct iofd_state *st,
			      struct iommufd_container *c, const char *what)
{
	struct iofd_list *pos, *mpos;
	int ret = 0;

	pthread_mutex_lock(&live_lock);
	iofd_list_for_each(pos, &live_list) {
		struct iommufd_container *x = iofd_list_entry(pos, struct iommufd_container, live);

		if (x->ctx != ctx)
			continue;
		if (x->ioas_id == st->ioas_id) {
			ret = iofd_set_error(ctx, -EBUSY,
					     "%s: ioas %u is a container of this context already (a "
					     "state is restored once, and not where it was saved)",
					     what, st->ioas_id);
			break;
		}
		pthread_mutex_lock(&x->lock);
		iofd_list_for_each(mpos, &x->members) {
			struct iofd_member *m = iofd_list_entry(mpos, struct iofd_member, link);

			if (state_has_dev_id(st, m->dev->dev_id)) {
				ret = iofd_set_error(ctx, -EBUSY,
						     "%s: dev_id %u (%s) is in container ioas %u of "
						     "this context already",
						     what, m->dev->dev_id, m->dev->info.name,
						     x->ioas_id);
				break;
			}
		}
		pthread_mutex_unlock(&x->lock);
		if (ret)
			break;
	}
	if (!ret && c)
		iofd_list_add_tail(&c->live, &live_list);
	pthread_mutex_unlock(&live_lock);
	return ret;
}

/* ---- changing the process ------------------------------------------------------ */

/* The first mapping of user memory in a container of ctx, named into buf: true if any. */
static bool find_user_mapping(struct iommufd_ctx *ctx, char *buf, size_t len)
{
	struct iofd_list *pos;
	bool found = false;

	pthread_mutex_lock(&live_lock);
	iofd_list_for_each(pos, &live_list) {
		struct iommufd_container *c = iofd_list_entry(pos, struct iommufd_container, live);
		struct iofd_ivpos p;

		if (c->ctx != ctx)
			continue;
		pthread_mutex_lock(&c->lock);
		for (p = iofd_ivlist_begin(&c->maps); !iofd_ivlist_is_end(&c->maps, p);
		     p = iofd_ivlist_next(&c->maps, p)) {
			const struct iofd_range *r = iofd_ivlist_at(&c->maps, p);

			if (iofd_file_maps_find(&c->files, r->start))
				continue;
			snprintf(buf, len, "container ioas %u maps user memory at [0x%llx, 0x%llx]",
				 c->ioas_id, (unsigned long long)r->start,
				 (unsigned long long)r->last);
			found = true;
			break;
		}
		pthread_mutex_unlock(&c->lock);
		if (found)
			break;
	}
	pthread_mutex_unlock(&live_lock);
	return found;
}

int iommufd_change_process(struct iommufd_ctx *ctx)
{
	char which[160];
	int ret;

	if (!ctx)
		return -EINVAL;
	ret = iofd_ioas_change_process(ctx);
	if (!ret) {
		iofd_log(ctx, IOMMUFD_LOG_INFO,
			 "change process: the pinned pages of every mapping now count against "
			 "this process");
		return 0;
	}
	if (ret == -ENOTTY)
		return iofd_set_error(ctx, ret,
				      "change process: IOMMU_IOAS_CHANGE_PROCESS needs Linux 6.13 or "
				      "later, which this kernel is not");
	/* The kernel moves mappings of files only, and then all or nothing. */
	if (ret == -EINVAL) {
		if (!find_user_mapping(ctx, which, sizeof(which)))
			snprintf(which, sizeof(which), "an IOAS of this iommufd outside the "
				 "library's containers maps user memory");
		return iofd_set_error(ctx, ret,
				      "change process: %s, and only mappings of files (memfds: "
				      "iommufd_container_map_file) can change process; nothing "
				      "changed", which);
	}
	return iofd_set_error(ctx, ret, "change process (IOMMU_IOAS_CHANGE_PROCESS)");
}

/* ---- a container's devices and files --------------------------------------------- */

int iommufd_container_devices(struct iommufd_container *c, struct iommufd_device **out,
			      unsigned max)
{
	struct iofd_list *pos;
	unsigned n = 0;

	if (!c)
		return -EINVAL;
	if (max && !out)
		return iofd_set_error(c->ctx, -EINVAL, "container ioas %u: devices: out is NULL, "
				      "max %u", c->ioas_id, max);
	pthread_mutex_lock(&c->lock);
	iofd_list_for_each(pos, &c->members) {
		if (n < max)
			out[n] = iofd_list_entry(pos, struct iofd_member, link)->dev;
		n++;
	}
	pthread_mutex_unlock(&c->lock);
	return (int)n;
}

int iommufd_container_fds(struct iommufd_container *c, int *fds, unsigned max)
{
	struct iofd_list *pos;
	unsigned n = 0;

	if (!c)
		return -EINVAL;
	if (max && !fds)
		return iofd_set_error(c->ctx, -EINVAL, "container ioas %u: fds: fds is NULL, max %u",
				      c->ioas_id, max);
	if (max)
		fds[0] = c->ctx->fd;
	n = 1;
	pthread_mutex_lock(&c->lock);
	iofd_list_for_each(pos, &c->members) {
		const struct iommufd_device *dev =
			iofd_list_entry(pos, struct iofd_member, link)->dev;

		/* A selftest device lives inside the iommufd: no file of its own. */
		if (dev->fd < 0)
			continue;
		if (n < max)
			fds[n] = dev->fd;
		n++;
	}
	pthread_mutex_unlock(&c->lock);
	return (int)n;
}

void iommufd_container_forget(struct iommufd_container *c)
{
	struct iofd_list *pos, *tmp;

	if (!c)
		return;
	iofd_container_unregister(c);
	pthread_mutex_lock(&c->lock);
	iofd_list_for_each_safe(pos, tmp, &c->members) {
		struct iofd_member *m = iofd_list_entry(pos, struct iofd_member, link);
		struct iommufd_device *dev = m->dev;

		pthread_mutex_lock(&dev->lock);
		dev->handed_over = true;
		pthread_mutex_unlock(&dev->lock);
		iofd_container_release_member(m);
	}
	/* The domains, mappings and dirty bits stay in the kernel: the new process has them. */
	iofd_nest_forget(c);
	iofd_list_for_each_safe(pos, tmp, &c->domains)
		iofd_container_forget_domain(c, iofd_list_entry(pos, struct iofd_domain, link));
	iofd_container_drop_refusals(c);
	iofd_ivlist_fini(&c->maps);
	iofd_file_maps_fini(&c->files);
	iofd_ranges_fini(&c->carried);
	iofd_log(c->ctx, IOMMUFD_LOG_INFO,
		 "container ioas %u: forgotten, its kernel objects left to the process that took "
		 "it over", c->ioas_id);
	pthread_mutex_unlock(&c->lock);
	iofd_container_put(c);
}

/* ---- handing over ------------------------------------------------------------------ */

/* What iommufd_container_send() sends besides the files: their numbers in the sender. */
#define HANDOVER_MAGIC "iofdfds\n"
#define HANDOVER_VERSION 1
/* The kernel passes at most SCM_MAX_FD (253) files in one message. */
#define HANDOVER_MAX_FDS 253

struct handover_msg {
	char magic[8];
	uint32_t version;
	uint32_t count; /* files: the iommufd, the devices' cdevs, the state (a memfd) */
	int32_t number[HANDOVER_MAX_FDS]; /* each file's number in the sender; -1: the state */
};

/* c's state in a new memfd, at its start. The fd (O_CLOEXEC), or -errno, message set. */
static int save_to_memfd(struct iommufd_container *c, const char *what)
{
	int fd = memfd_create("libiommufd-state", MFD_CLOEXEC), ret;

	if (fd < 0)
		return iofd_set_error(c->ctx, -errno, "%s: memfd for the state", what);
	ret = iommufd_container_save(c, fd);
	if (!ret && lseek(fd, 0, SEEK_SET) < 0)
		ret = iofd_set_error(c->ctx, -errno, "%s: rewind the state", what);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/* c's files, first the iommufd: a malloc'd array of *n, or NULL (message set). */
static int *container_files(struct iommufd_container *c, unsigned *n, const char *what)
{
	int count = iommufd_container_fds(c, NULL, 0);
	int *fds;

	fds = malloc((count + 1) * sizeof(*fds));
	if (!fds) {
		iofd_set_error(c->ctx, -ENOMEM, "%s", what);
		return NULL;
	}
	/* A device that joined meanwhile is left out (a handover is no time to attach one). */
	*n = iommufd_container_fds(c, fds, count);
	if (*n > (unsigned)count)
		*n = count;
	return fds;
}

int iommufd_container_send(struct iommufd_container *c, int sock)
{
	struct handover_msg msg = { .magic = HANDOVER_MAGIC, .version = HANDOVER_VERSION };
	union {
		char buf[CMSG_SPACE(sizeof(int) * HANDOVER_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = &msg };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf };
	struct cmsghdr *cm;
	unsigned n = 0, i;
	char what[64];
	int *fds, state, ret;
	ssize_t sent;

	if (!c)
		return -EINVAL;
	snprintf(what, sizeof(what), "send container ioas %u over fd %d", c->ioas_id, sock);
	if (sock < 0)
		return iofd_set_error(c->ctx, -EBADF, "%s: not a file descriptor", what);
	fds = container_files(c, &n, what);
	if (!fds)
		return -ENOMEM;
	if (n + 1 > HANDOVER_MAX_FDS) {
		free(fds);
		return iofd_set_error(c->ctx, -E2BIG, "%s: %u files, more than one message takes "
				      "(%d)", what, n + 1, HANDOVER_MAX_FDS);
	}
	state = save_to_memfd(c, what);
	if (state < 0) {
		free(fds);
		return state;
	}
	fds[n] = state;
	msg.count = n + 1;
	for (i = 0; i < n; i++)
		msg.number[i] = fds[i];
	msg.number[n] = -1;
	iov.iov_len = offsetof(struct handover_msg, number) + msg.count * sizeof(int32_t);
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * msg.count);
	memset(ctl.buf, 0, sizeof(ctl.buf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * msg.count);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * msg.count);
	do
		sent = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (sent < 0 && errno == EINTR);
	ret = sent < 0 ? -errno : (size_t)sent != iov.iov_len ? -EMSGSIZE : 0;
	/* The receiver has its own reference to the state now, or nothing was sent. */
	close(state);
	free(fds);
	if (ret)
		return iofd_set_error(c->ctx, ret, "%s", what);
	iofd_log(c->ctx, IOMMUFD_LOG_INFO, "%s: the iommufd, %u device files and the state", what,
		 n - 1);
	return 0;
}

static int recv_fail(char *why, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int recv_fail(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (why && len) {
		va_start(ap, fmt);
		n = vsnprintf(why, len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < len)
			snprintf(why + n, len - n, ": %s", strerror(-err));
	}
	return err;
}

/* Read the rest of a message a stream socket delivered in parts. */
static int read_rest(int sock, char *buf, size_t have, size_t want)
{
	ssize_t r;

	while (have < want) {
		r = read(sock, buf + have, want - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			return -EPIPE;
		have += r;
	}
	return 0;
}

/* A copy of the state in fd with its device fds renumbered: the new fd, or -errno. */
static int renumber_state(int fd, const int *from, const int *to, unsigned n, char *why,
			  size_t len)
{
	char errbuf[IOFD_ERRMSG_MAX];
	void *buf = NULL;
	size_t size = 0;
	int out, ret;

	ret = iofd_state_read_raw(fd, &buf, &size, errbuf, sizeof(errbuf));
	if (!ret)
		ret = iofd_state_renumber_fds(buf, size, from, to, n, errbuf, sizeof(errbuf));
	if (ret) {
		free(buf);
		return recv_fail(why, len, ret, "receive: the state: %s", errbuf);
	}
	out = memfd_create("libiommufd-state", MFD_CLOEXEC);
	if (out < 0) {
		ret = -errno;
		free(buf);
		return recv_fail(why, len, ret, "receive: memfd for the state");
	}
	ret = iofd_state_write_fd(out, buf, size);
	free(buf);
	if (!ret && lseek(out, 0, SEEK_SET) < 0)
		ret = -errno;
	if (ret) {
		close(out);
		return recv_fail(why, len, ret, "receive: write the state");
	}
	return out;
}

int iommufd_handover_recv(int sock, int *iommufd_fd, int *state_fd, char *why, size_t len)
{
	struct handover_msg msg = { .count = 0 };
	union {
		char buf[CMSG_SPACE(sizeof(int) * HANDOVER_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	/* The header alone first: nothing past the handover is read from a stream. */
	struct iovec iov = { .iov_base = &msg, .iov_len = offsetof(struct handover_msg, number) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	int fds[HANDOVER_MAX_FDS], at[HANDOVER_MAX_FDS];
	unsigned nfds = 0, i, moved = 0;
	struct cmsghdr *cm;
	ssize_t got;
	int ret, state;

	if (why && len)
		why[0] = '\0';
	if (!iommufd_fd || !state_fd)
		return recv_fail(why, len, -EINVAL, "receive: %s is NULL",
				 iommufd_fd ? "state_fd" : "iommufd_fd");
	*iommufd_fd = *state_fd = -1;
	do
		got = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return recv_fail(why, len, -errno, "receive from fd %d", sock);
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		unsigned k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (i = 0; i < k && nfds < HANDOVER_MAX_FDS; i++)
			memcpy(&fds[nfds++], CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
	}
	if (mh.msg_flags & MSG_CTRUNC) {
		ret = recv_fail(why, len, -EMSGSIZE, "receive: more files than a handover has");
		goto out_close;
	}
	if (got == 0) {
		ret = recv_fail(why, len, -EPIPE, "receive from fd %d: the sender hung up", sock);
		goto out_close;
	}
	/*
	 * A stream socket may deliver the message in parts (the files come with the first):
	 * read on, unless what came is already no handover.
	 */
	ret = memcmp(msg.magic, HANDOVER_MAGIC, (size_t)got < 8 ? (size_t)got : 8) ? 0 :
		read_rest(sock, (char *)&msg, (size_t)got, offsetof(struct handover_msg, number));
	if (ret == -EPIPE || (!ret && memcmp(msg.magic, HANDOVER_MAGIC, 8))) {
		ret = recv_fail(why, len, -EBADMSG, "receive: not a handover of libiommufd");
		goto out_close;
	}
	if (ret) {
		recv_fail(why, len, ret, "receive from fd %d", sock);
		goto out_close;
	}
	if (msg.version != HANDOVER_VERSION || msg.count < 2 || msg.count > HANDOVER_MAX_FDS) {
		ret = recv_fail(why, len, -EPROTONOSUPPORT, "receive: a handover of version %u with "
				"%u files", msg.version, msg.count);
		goto out_close;
	}
	ret = read_rest(sock, (char *)&msg, offsetof(struct handover_msg, number),
			offsetof(struct handover_msg, number) + msg.count * sizeof(int32_t));
	if (ret) {
		recv_fail(why, len, ret, "receive: the handover's numbers");
		goto out_close;
	}
	if (nfds != msg.count) {
		ret = recv_fail(why, len, -EBADMSG, "receive: %u files where the handover says %u",
				nfds, msg.count);
		goto out_close;
	}
	/*
	 * Each file at the number it had in the sender where that number is free here (the
	 * state names device fds by number), else where it arrived. Files keep O_CLOEXEC.
	 */
	for (i = 0; i + 1 < nfds; i++) {
		int want = msg.number[i];

		at[i] = fds[i];
		if (want < 0 || want == fds[i] || fcntl(want, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (dup3(fds[i], want, O_CLOEXEC) < 0)
			continue;
		close(fds[i]);
		fds[i] = at[i] = want;
	}
	for (i = 1; i + 1 < nfds; i++)
		moved += at[i] != msg.number[i];
	state = fds[nfds - 1];
	if (moved) {
		ret = renumber_state(state, msg.number + 1, at + 1, nfds - 2, why, len);
		if (ret < 0)
			goto out_close;
		close(state);
		fds[nfds - 1] = state = ret;
	}
	*iommufd_fd = at[0];
	*state_fd = state;
	return 0;

out_close:
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	return ret;
}

int iommufd_container_exec_prepare(struct iommufd_container *c, int *state_fd)
{
	unsigned n = 0, i;
	char what[48];
	int *fds, *old, state, ret = 0;

	if (!c)
		return -EINVAL;
	snprintf(what, sizeof(what), "exec prepare container ioas %u", c->ioas_id);
	if (!state_fd)
		return iofd_set_error(c->ctx, -EINVAL, "%s: state_fd is NULL", what);
	*state_fd = -1;
	fds = container_files(c, &n, what);
	if (!fds)
		return -ENOMEM;
	old = calloc(n + 1, sizeof(*old));
	if (!old) {
		free(fds);
		return iofd_set_error(c->ctx, -ENOMEM, "%s", what);
	}
	state = save_to_memfd(c, what);
	if (state < 0) {
		ret = state;
		goto out_free;
	}
	fds[n] = state;
	/* Exactly these lose FD_CLOEXEC: every other file of the library stays O_CLOEXEC. */
	for (i = 0; i <= n; i++) {
		old[i] = fcntl(fds[i], F_GETFD);
		if (old[i] < 0 || fcntl(fds[i], F_SETFD, old[i] & ~FD_CLOEXEC) < 0) {
			ret = iofd_set_error(c->ctx, -errno, "%s: fd %d", what, fds[i]);
			break;
		}
	}
	if (ret) {
		while (i--)
			fcntl(fds[i], F_SETFD, old[i]);
		close(state);
		goto out_free;
	}
	*state_fd = state;
	iofd_log(c->ctx, IOMMUFD_LOG_INFO,
		 "%s: the iommufd (fd %d), %u device files and the state (fd %d) stay open "
		 "across exec", what, fds[0], n - 1, state);
out_free:
	free(old);
	free(fds);
	return ret;
}
