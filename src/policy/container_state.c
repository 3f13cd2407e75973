// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The saved state's file format (container_state.h): encoding, and decoding that checks
 * everything a restore relies on before it looks at the kernel. Every field is written
 * little-endian, one by one, so that no padding or host layout ends up in the file.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/container.h"
#include "policy/container_state.h"

/* ---- CRC-32C ----------------------------------------------------------- */

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t iofd_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	pthread_once(&crc_once, crc_init);
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ---- encoding ------------------------------------------------------------- */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static void put(struct wbuf *w, const void *src, size_t n)
{
	if (w->err)
		return;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		uint8_t *p;

		while (cap < w->len + n)
			cap *= 2;
		if (cap > IOFD_STATE_MAX_SIZE) {
			w->err = -EFBIG;
			return;
		}
		p = realloc(w->p, cap);
		if (!p) {
			w->err = -ENOMEM;
			return;
		}
		w->p = p;
		w->cap = cap;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void put_u16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { v & 0xff, v >> 8 };

	put(w, b, sizeof(b));
}

static void put_u32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4];
	int i;

	for (i = 0; i < 4; i++)
		b[i] = v >> (8 * i);
	put(w, b, sizeof(b));
}

static void put_u64(struct wbuf *w, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = v >> (8 * i);
	put(w, b, sizeof(b));
}

/* A name: 64 bytes, NUL-padded (the in-memory ones end in a NUL within 64). */
static void put_name(struct wbuf *w, const char name[64])
{
	char b[64] = { 0 };

	memcpy(b, name, strnlen(name, 63));
	put(w, b, sizeof(b));
}

static void poke_u32(struct wbuf *w, size_t at, uint32_t v)
{
	int i;

	if (w->err)
		return;
	for (i = 0; i < 4; i++)
		w->p[at + i] = v >> (8 * i);
}

/* A record: its header now, its length once its payload is in (rec_end). */
static size_t rec_begin(struct wbuf *w, uint16_t type, uint16_t flags, uint32_t *nrec)
{
	size_t at = w->len;

	put_u16(w, type);
	put_u16(w, flags);
	put_u32(w, 0);
	(*nrec)++;
	return at;
}

static void rec_end(struct wbuf *w, size_t at)
{
	static const uint8_t zero[8];
	size_t payload = w->len - at - 8;

	poke_u32(w, at + 4, (uint32_t)payload);
	put(w, zero, (8 - w->len % 8) % 8);
}

static void put_key(struct wbuf *w, const struct iofd_state_key *k)
{
	put_u32(w, k->hw_type);
	put_name(w, k->iommu);
	put_name(w, k->driver);
}

int iofd_state_encode(const struct iofd_state *st, void **buf, size_t *len)
{
	const uint16_t req = IOFD_STATE_REC_REQUIRED;
	struct wbuf w = { 0 };
	uint32_t nrec = 0, crc;
	size_t i, at;

	/* The header, its sizes and checksum filled in at the end. */
	put(&w, IOFD_STATE_MAGIC, 8);
	put_u16(&w, IOFD_STATE_MAJOR);
	put_u16(&w, IOFD_STATE_MINOR);
	put_u32(&w, IOFD_STATE_HEADER_SIZE);
	put_u64(&w, 0);
	put_u32(&w, 0);
	put_u32(&w, 0);

	at = rec_begin(&w, IOFD_REC_CONTAINER, req, &nrec);
	put_u32(&w, st->container_flags);
	put_u32(&w, st->ioas_id);
	put_u32(&w, st->tracking);
	put_u32(&w, 0);
	put_u64(&w, st->alignment);
	rec_end(&w, at);

	for (i = 0; i < st->nranges; i++) {
		at = rec_begin(&w, IOFD_REC_IOVA_RANGE, req, &nrec);
		put_u64(&w, st->ranges[i].start);
		put_u64(&w, st->ranges[i].last);
		rec_end(&w, at);
	}
	for (i = 0; i < st->ndomains; i++) {
		const struct iofd_state_domain *d = &st->domains[i];

		at = rec_begin(&w, IOFD_REC_DOMAIN, req, &nrec);
		put_u32(&w, d->hwpt_id);
		put_u32(&w, d->flags);
		put_u32(&w, d->tracking);
		put_key(&w, &d->made_for);
		rec_end(&w, at);
	}
	for (i = 0; i < st->ndevices; i++) {
		const struct iofd_state_device *d = &st->devices[i];

		at = rec_begin(&w, IOFD_REC_DEVICE, req, &nrec);
		put_u32(&w, d->kind);
		put_u32(&w, d->flags);
		put_u32(&w, (uint32_t)d->fd);
		put_u32(&w, d->dev_id);
		put_u32(&w, d->hwpt_id);
		put_u32(&w, d->pt_id);
		put_u32(&w, d->uncovered);
		put_u32(&w, d->stdev_id);
		put_u32(&w, d->park_ioas);
		put_u32(&w, (uint32_t)d->hw_ret);
		put_u32(&w, d->hw_type);
		put_u64(&w, d->hw_caps);
		put_name(&w, d->name);
		put_name(&w, d->cdev);
		put_name(&w, d->iommu);
		put_name(&w, d->driver);
		rec_end(&w, at);
	}
	/* What placement learnt: a cache, so that a reader may drop what it does not know. */
	for (i = 0; i < st->nrefusals; i++) {
		at = rec_begin(&w, IOFD_REC_REFUSAL, 0, &nrec);
		put_u32(&w, st->refusals[i].hwpt_id);
		put_key(&w, &st->refusals[i].key);
		rec_end(&w, at);
	}
	for (i = 0; i < st->ncombo_refusals; i++) {
		at = rec_begin(&w, IOFD_REC_COMBO_REFUSAL, 0, &nrec);
		put_key(&w, &st->combo_refusals[i].key);
		rec_end(&w, at);
	}
	for (i = 0; i < st->nmaps; i++) {
		const struct iofd_state_map *m = &st->maps[i];

		at = rec_begin(&w, IOFD_REC_MAP, req, &nrec);
		put_u64(&w, m->iova);
		put_u64(&w, m->last);
		put_u32(&w, m->flags);
		put_u32(&w, (uint32_t)m->fd);
		put_u64(&w, m->offset);
		put_u64(&w, m->file_dev);
		put_u64(&w, m->file_ino);
		rec_end(&w, at);
	}
	for (i = 0; i < st->ndirty; i++) {
		at = rec_begin(&w, IOFD_REC_DIRTY, req, &nrec);
		put_u64(&w, st->dirty[i].start);
		put_u64(&w, st->dirty[i].last);
		rec_end(&w, at);
	}
	if (w.err) {
		free(w.p);
		return w.err;
	}
	/* total size, record count, then the checksum over it all */
	for (i = 0; i < 8; i++)
		w.p[16 + i] = (uint64_t)w.len >> (8 * i);
	poke_u32(&w, 28, nrec);
	crc = iofd_crc32c(0, w.p, w.len);
	poke_u32(&w, 24, crc);
	*buf = w.p;
	*len = w.len;
	return 0;
}

/* ---- decoding ---------------------------------------------------------------- */

/* A record's payload being read: past its end, fields read as missing. */
struct rbuf {
	const uint8_t *p;
	size_t len, at;
	bool short_read;
};

static uint64_t get_n(struct rbuf *r, int n)
{
	uint64_t v = 0;
	int i;

	if (r->at + n > r->len) {
		r->short_read = true;
		r->at = r->len;
		return 0;
	}
	for (i = 0; i < n; i++)
		v |= (uint64_t)r->p[r->at + i] << (8 * i);
	r->at += n;
	return v;
}

static uint32_t get_u32(struct rbuf *r)
{
	return (uint32_t)get_n(r, 4);
}

static uint64_t get_u64(struct rbuf *r)
{
	return get_n(r, 8);
}

/*
 * A name: false if it has no NUL within its 64 bytes, or a control character before it (no
 * device, IOMMU or driver name has one; the messages that quote names stay one line).
 */
static bool get_name(struct rbuf *r, char out[64])
{
	size_t i;

	if (r->at + 64 > r->len) {
		r->short_read = true;
		r->at = r->len;
		memset(out, 0, 64);
		return true;
	}
	memcpy(out, r->p + r->at, 64);
	r->at += 64;
	for (i = 0; i < 64 && out[i]; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			return false;
	return i < 64;
}

static bool get_key(struct rbuf *r, struct iofd_state_key *k)
{
	bool ok;

	k->hw_type = get_u32(r);
	ok = get_name(r, k->iommu);
	return get_name(r, k->driver) && ok;
}

void iofd_state_fini(struct iofd_state *st)
{
	free(st->ranges);
	free(st->domains);
	free(st->devices);
	free(st->refusals);
	free(st->combo_refusals);
	free(st->maps);
	free(st->dirty);
	memset(st, 0, sizeof(*st));
}

/* Room for one more element of an array that grows by doubling; the new one zeroed. */
static int grow(void **arr, size_t n, size_t elem)
{
	void *p;
	size_t cap;

	/* Full exactly when n is 4 or more and a power of two, or 0 (nothing yet). */
	if (n && (n < 4 || (n & (n - 1)))) {
		memset((char *)*arr + n * elem, 0, elem);
		return 0;
	}
	cap = n ? n * 2 : 4;
	p = realloc(*arr, cap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	memset((char *)p + n * elem, 0, elem);
	return 0;
}

#define PUSH(arr, n) (grow((void **)&(arr), (n), sizeof(*(arr))) ? NULL : &(arr)[(n)++])

static int bad(struct iommufd_ctx *ctx, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct iommufd_ctx *ctx, const char *what, const char *fmt, ...)
{
	char msg[IOFD_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return iofd_set_error(ctx, -EBADMSG, "%s: the state is malformed: %s", what, msg);
}

static const char *rec_name(unsigned type)
{
	static const char *const names[] = {
		[IOFD_REC_CONTAINER] = "container", [IOFD_REC_IOVA_RANGE] = "IOVA range",
		[IOFD_REC_DOMAIN] = "domain",       [IOFD_REC_DEVICE] = "device",
		[IOFD_REC_REFUSAL] = "refusal",     [IOFD_REC_COMBO_REFUSAL] = "combo refusal",
		[IOFD_REC_MAP] = "mapping",         [IOFD_REC_DIRTY] = "dirty range",
	};

	return type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type] : "?";
}

/* The fields of one record of a known type into st. 0, -ENOMEM, or 1: malformed field. */
static int take_record(struct iofd_state *st, unsigned type, struct rbuf *r, bool *seen_container)
{
	bool names_ok = true;

	switch (type) {
	case IOFD_REC_CONTAINER: {
		if (*seen_container)
			return 1;
		*seen_container = true;
		st->container_flags = get_u32(r);
		st->ioas_id = get_u32(r);
		st->tracking = get_u32(r);
		get_u32(r);
		st->alignment = get_u64(r);
		break;
	}
	case IOFD_REC_IOVA_RANGE: {
		struct iofd_range *x = PUSH(st->ranges, st->nranges);

		if (!x)
			return -ENOMEM;
		x->start = get_u64(r);
		x->last = get_u64(r);
		break;
	}
	case IOFD_REC_DOMAIN: {
		struct iofd_state_domain *d = PUSH(st->domains, st->ndomains);

		if (!d)
			return -ENOMEM;
		d->hwpt_id = get_u32(r);
		d->flags = get_u32(r);
		d->tracking = get_u32(r);
		names_ok = get_key(r, &d->made_for);
		break;
	}
	case IOFD_REC_DEVICE: {
		struct iofd_state_device *d = PUSH(st->devices, st->ndevices);

		if (!d)
			return -ENOMEM;
		d->kind = get_u32(r);
		d->flags = get_u32(r);
		d->fd = (int32_t)get_u32(r);
		d->dev_id = get_u32(r);
		d->hwpt_id = get_u32(r);
		d->pt_id = get_u32(r);
		d->uncovered = get_u32(r);
		d->stdev_id = get_u32(r);
		d->park_ioas = get_u32(r);
		d->hw_ret = (int32_t)get_u32(r);
		d->hw_type = get_u32(r);
		d->hw_caps = get_u64(r);
		names_ok = get_name(r, d->name);
		names_ok = get_name(r, d->cdev) && names_ok;
		names_ok = get_name(r, d->iommu) && names_ok;
		names_ok = get_name(r, d->driver) && names_ok;
		break;
	}
	case IOFD_REC_REFUSAL:
	case IOFD_REC_COMBO_REFUSAL: {
		bool combo = type == IOFD_REC_COMBO_REFUSAL;
		struct iofd_state_refusal *x;

		x = combo ? PUSH(st->combo_refusals, st->ncombo_refusals) :
			    PUSH(st->refusals, st->nrefusals);

		if (!x)
			return -ENOMEM;
		x->hwpt_id = combo ? 0 : get_u32(r);
		names_ok = get_key(r, &x->key);
		break;
	}
	case IOFD_REC_MAP: {
		struct iofd_state_map *m = PUSH(st->maps, st->nmaps);

		if (!m)
			return -ENOMEM;
		m->iova = get_u64(r);
		m->last = get_u64(r);
		m->flags = get_u32(r);
		m->fd = (int32_t)get_u32(r);
		m->offset = get_u64(r);
		m->file_dev = get_u64(r);
		m->file_ino = get_u64(r);
		break;
	}
	case IOFD_REC_DIRTY: {
		struct iofd_range *x = PUSH(st->dirty, st->ndirty);

		if (!x)
			return -ENOMEM;
		x->start = get_u64(r);
		x->last = get_u64(r);
		break;
	}
	}
	return r->short_read || !names_ok ? 1 : 0;
}

static const struct iofd_state_domain *find_domain(const struct iofd_state *st, uint32_t id)
{
	size_t i;

	for (i = 0; i < st->ndomains; i++)
		if (st->domains[i].hwpt_id == id)
			return &st->domains[i];
	return NULL;
}

/* Sorted, disjoint, each start <= last: the index of the first that is not, or n. */
static size_t first_unsorted(const uint64_t *start, const uint64_t *last, size_t stride, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const uint64_t s = *(const uint64_t *)((const char *)start + i * stride);
		const uint64_t l = *(const uint64_t *)((const char *)last + i * stride);

		if (s > l)
			return i;
		if (i && s <= *(const uint64_t *)((const char *)last + (i - 1) * stride))
			return i;
	}
	return n;
}

/* How the records refer to each other, and what the library can honour. */
static int check_state(struct iommufd_ctx *ctx, const char *what, const struct iofd_state *st)
{
	const uint32_t known_cflags = IOMMUFD_CONTAINER_DIRTY_TRACKING |
				      IOMMUFD_CONTAINER_NEST_PARENT;
	const uint32_t known_dflags = IOMMUFD_DOMAIN_DIRTY_TRACKING | IOMMUFD_DOMAIN_NEST_PARENT;
	size_t i, j;

	if (st->container_flags & ~known_cflags)
		return iofd_set_error(ctx, -EPROTONOSUPPORT,
				      "%s: the container has flags 0x%x this library does not know",
				      what, st->container_flags & ~known_cflags);
	if (!st->ioas_id)
		return bad(ctx, what, "IOAS id 0");
	if (st->tracking && !(st->container_flags & IOMMUFD_CONTAINER_DIRTY_TRACKING))
		return bad(ctx, what, "tracking in a container without IOMMUFD_CONTAINER_DIRTY_TRACKING");
	if (!st->alignment || (st->alignment & (st->alignment - 1)))
		return bad(ctx, what, "IOVA alignment 0x%llx", (unsigned long long)st->alignment);
	for (i = 0; i < st->ndomains; i++) {
		const struct iofd_state_domain *d = &st->domains[i];

		if (d->flags & ~known_dflags)
			return iofd_set_error(ctx, -EPROTONOSUPPORT,
					      "%s: hwpt %u has flags 0x%x this library does not know",
					      what, d->hwpt_id, d->flags & ~known_dflags);
		if (!d->hwpt_id || d->hwpt_id == st->ioas_id)
			return bad(ctx, what, "domain id %u", d->hwpt_id);
		if (d->tracking && !(d->flags & IOMMUFD_DOMAIN_DIRTY_TRACKING))
			return bad(ctx, what, "hwpt %u tracks without dirty tracking", d->hwpt_id);
		for (j = 0; j < i; j++)
			if (st->domains[j].hwpt_id == d->hwpt_id)
				return bad(ctx, what, "hwpt %u twice", d->hwpt_id);
	}
	for (i = 0; i < st->ndevices; i++) {
		const struct iofd_state_device *d = &st->devices[i];

		if (d->kind != IOFD_STATE_DEV_VFIO && d->kind != IOFD_STATE_DEV_SELFTEST)
			return iofd_set_error(ctx, -EPROTONOSUPPORT,
					      "%s: device %s is of a kind (%u) this library does not know",
					      what, d->name, d->kind);
		if (!d->dev_id || !d->pt_id || !d->name[0])
			return bad(ctx, what, "device %s, dev_id %u, attached to %u", d->name,
				   d->dev_id, d->pt_id);
		if (d->hwpt_id && d->pt_id != d->hwpt_id)
			return bad(ctx, what, "device %s of hwpt %u attached to %u", d->name,
				   d->hwpt_id, d->pt_id);
		if (d->kind == IOFD_STATE_DEV_VFIO && d->fd < 0)
			return bad(ctx, what, "device %s: fd %d", d->name, d->fd);
		if (d->kind == IOFD_STATE_DEV_SELFTEST && (!d->stdev_id || !d->park_ioas))
			return bad(ctx, what, "selftest device %s without its ids", d->name);
		if (d->hwpt_id && !find_domain(st, d->hwpt_id))
			return bad(ctx, what, "device %s in hwpt %u, which is no domain of it",
				   d->name, d->hwpt_id);
		if (d->uncovered > IOFD_UNCOVERED_NEST_PARENT)
			return bad(ctx, what, "device %s: coverage %u", d->name, d->uncovered);
		for (j = 0; j < i; j++) {
			const struct iofd_state_device *e = &st->devices[j];

			if (e->dev_id == d->dev_id)
				return bad(ctx, what, "dev_id %u twice", d->dev_id);
			if (d->kind == IOFD_STATE_DEV_VFIO && e->kind == IOFD_STATE_DEV_VFIO &&
			    e->fd == d->fd)
				return bad(ctx, what, "fd %d for two devices", d->fd);
		}
	}
	for (i = 0; i < st->nrefusals; i++)
		if (!find_domain(st, st->refusals[i].hwpt_id))
			return bad(ctx, what, "a refusal of hwpt %u, which is no domain of it",
				   st->refusals[i].hwpt_id);
	i = st->nmaps ? first_unsorted(&st->maps[0].iova, &st->maps[0].last,
				       sizeof(st->maps[0]), st->nmaps) : 0;
	if (i < st->nmaps)
		return bad(ctx, what, "mapping [0x%llx, 0x%llx] out of order or overlapping",
			   (unsigned long long)st->maps[i].iova,
			   (unsigned long long)st->maps[i].last);
	for (i = 0; i < st->nmaps; i++)
		if (st->maps[i].flags & ~(IOFD_STATE_MAP_FILE | IOFD_STATE_MAP_READONLY))
			return iofd_set_error(ctx, -EPROTONOSUPPORT,
					      "%s: mapping [0x%llx, 0x%llx] has flags 0x%x this "
					      "library does not know",
					      what, (unsigned long long)st->maps[i].iova,
					      (unsigned long long)st->maps[i].last,
					      st->maps[i].flags);
	i = st->ndirty ? first_unsorted(&st->dirty[0].start, &st->dirty[0].last,
					sizeof(st->dirty[0]), st->ndirty) : 0;
	if (i < st->ndirty)
		return bad(ctx, what, "dirty range [0x%llx, 0x%llx] out of order or overlapping",
			   (unsigned long long)st->dirty[i].start,
			   (unsigned long long)st->dirty[i].last);
	i = st->nranges ? first_unsorted(&st->ranges[0].start, &st->ranges[0].last,
					 sizeof(st->ranges[0]), st->nranges) : 0;
	if (i < st->nranges)
		return bad(ctx, what, "IOVA range [0x%llx, 0x%llx] out of order or overlapping",
			   (unsigned long long)st->ranges[i].start,
			   (unsigned long long)st->ranges[i].last);
	return 0;
}

static uint64_t le_n(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The header of len bytes at p: 0 and *total, or -errno and why in err. */
static int check_header(const uint8_t *p, size_t len, uint64_t *total, char *err, size_t errlen)
{
	unsigned major, minor;

	if (len < 8 || memcmp(p, IOFD_STATE_MAGIC, 8)) {
		snprintf(err, errlen, "not a libiommufd container state (no \"iofdcpr\" at its start)");
		return -EINVAL;
	}
	if (len < IOFD_STATE_HEADER_SIZE) {
		snprintf(err, errlen, "the state is truncated: %zu bytes, its header alone has %d",
			 len, IOFD_STATE_HEADER_SIZE);
		return -EBADMSG;
	}
	major = le_n(p + 8, 2);
	minor = le_n(p + 10, 2);
	if (major != IOFD_STATE_MAJOR) {
		snprintf(err, errlen, "the state is of version %u.%u; this library reads %d.x", major,
			 minor, IOFD_STATE_MAJOR);
		return major > IOFD_STATE_MAJOR ? -EPROTONOSUPPORT : -EBADMSG;
	}
	*total = le_n(p + 16, 8);
	if (le_n(p + 12, 4) < IOFD_STATE_HEADER_SIZE || le_n(p + 12, 4) > *total ||
	    *total > IOFD_STATE_MAX_SIZE) {
		snprintf(err, errlen, "the state is malformed: header of %llu bytes, total %llu",
			 (unsigned long long)le_n(p + 12, 4), (unsigned long long)*total);
		return -EBADMSG;
	}
	return 0;
}

/* The checksum of the whole state matches (computed with its own field as 0). */
static bool crc_ok(const uint8_t *p, size_t len)
{
	static const uint8_t zero[4];
	uint32_t crc;

	crc = iofd_crc32c(0, p, 24);
	crc = iofd_crc32c(crc, zero, 4);
	crc = iofd_crc32c(crc, p + 28, len - 28);
	return crc == (uint32_t)le_n(p + 24, 4);
}

/* A whole state of len bytes: header, size and checksum. 0 or -errno and why in err. */
static int check_whole(const uint8_t *p, size_t len, char *err, size_t errlen)
{
	uint64_t total = 0;
	int ret;

	ret = check_header(p, len, &total, err, errlen);
	if (ret)
		return ret;
	if (total > len) {
		snprintf(err, errlen, "the state is truncated: %zu of %llu bytes", len,
			 (unsigned long long)total);
		return -EBADMSG;
	}
	if (total < len) {
		snprintf(err, errlen, "the state is malformed: %zu bytes where it says %llu", len,
			 (unsigned long long)total);
		return -EBADMSG;
	}
	if (!crc_ok(p, len)) {
		snprintf(err, errlen, "the state is corrupted (its CRC-32C does not match)");
		return -EBADMSG;
	}
	return 0;
}

int iofd_state_decode(struct iommufd_ctx *ctx, const char *what, const void *buf, size_t len,
		      struct iofd_state *st)
{
	const uint8_t *p = buf;
	char err[IOFD_ERRMSG_MAX];
	uint32_t nrec, n = 0;
	bool seen_container = false;
	size_t at;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = check_whole(p, len, err, sizeof(err));
	if (ret)
		return iofd_set_error(ctx, ret, "%s: %s", what, err);
	nrec = (uint32_t)le_n(p + 28, 4);
	at = le_n(p + 12, 4);
	while (at < len) {
		unsigned type, flags;
		struct rbuf r;
		uint32_t plen;

		if (len - at < 8) {
			ret = bad(ctx, what, "a record header cut at byte %zu", at);
			goto out_free;
		}
		type = le_n(p + at, 2);
		flags = le_n(p + at + 2, 2);
		plen = le_n(p + at + 4, 4);
		if (plen > len - at - 8) {
			ret = bad(ctx, what, "record %u (%s) runs past the end", n, rec_name(type));
			goto out_free;
		}
		r = (struct rbuf){ .p = p + at + 8, .len = plen };
		if (type >= IOFD_REC_CONTAINER && type <= IOFD_REC_DIRTY) {
			ret = take_record(st, type, &r, &seen_container);
			if (ret < 0) {
				iofd_set_error(ctx, ret, "%s: read the state", what);
				goto out_free;
			}
			if (ret) {
				ret = bad(ctx, what, "record %u (%s) of %u bytes", n, rec_name(type),
					  plen);
				goto out_free;
			}
		} else if (flags & IOFD_STATE_REC_REQUIRED) {
			ret = iofd_set_error(ctx, -EPROTONOSUPPORT,
					     "%s: the state holds a record of type %u that a newer "
					     "library wrote and this one cannot honour", what, type);
			goto out_free;
		}
		at += 8 + plen;
		at += (8 - at % 8) % 8;
		n++;
	}
	if (n != nrec) {
		ret = bad(ctx, what, "%u records where it says %u", n, nrec);
		goto out_free;
	}
	if (!seen_container) {
		ret = bad(ctx, what, "no container record");
		goto out_free;
	}
	ret = check_state(ctx, what, st);
	if (!ret)
		return 0;
out_free:
	iofd_state_fini(st);
	return ret;
}

/* Read up to n bytes: how many before the end of the file, or -errno. */
static ssize_t read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			break;
		got += r;
	}
	return (ssize_t)got;
}

/* Read one state from fd: 0 and a malloc'd buffer, or -errno and why in err. */
static int read_state(int fd, void **out, size_t *outlen, char *err, size_t errlen)
{
	uint8_t head[IOFD_STATE_HEADER_SIZE];
	uint64_t total = 0;
	ssize_t n;
	uint8_t *buf;
	int ret;

	n = read_full(fd, head, sizeof(head));
	if (n < 0) {
		snprintf(err, errlen, "read the state from fd %d", fd);
		return (int)n;
	}
	if (n == 0) {
		snprintf(err, errlen, "fd %d holds no state (empty, or read to its end: a state is "
			 "read from where the fd is)", fd);
		return -EBADMSG;
	}
	ret = check_header(head, (size_t)n, &total, err, errlen);
	if (ret)
		return ret;
	buf = malloc(total);
	if (!buf) {
		snprintf(err, errlen, "%llu bytes of state", (unsigned long long)total);
		return -ENOMEM;
	}
	memcpy(buf, head, sizeof(head));
	n = read_full(fd, buf + sizeof(head), total - sizeof(head));
	if (n < 0) {
		free(buf);
		snprintf(err, errlen, "read the state from fd %d", fd);
		return (int)n;
	}
	if ((uint64_t)n < total - sizeof(head)) {
		free(buf);
		snprintf(err, errlen, "the state is truncated: %zu of %llu bytes",
			 (size_t)n + sizeof(head), (unsigned long long)total);
		return -EBADMSG;
	}
	*out = buf;
	*outlen = total;
	return 0;
}

int iofd_state_read_fd(struct iommufd_ctx *ctx, const char *what, int fd, void **out,
		       size_t *outlen)
{
	char err[IOFD_ERRMSG_MAX];
	int ret = read_state(fd, out, outlen, err, sizeof(err));

	return ret ? iofd_set_error(ctx, ret, "%s: %s", what, err) : 0;
}

int iofd_state_read_raw(int fd, void **out, size_t *outlen, char *err, size_t errlen)
{
	return read_state(fd, out, outlen, err, errlen);
}

int iofd_state_renumber_fds(void *buf, size_t len, const int *from, const int *to, unsigned n,
			    char *err, size_t errlen)
{
	uint8_t *p = buf;
	uint32_t crc;
	size_t at;
	unsigned k;
	int i, ret;

	ret = check_whole(p, len, err, errlen);
	if (ret)
		return ret;
	at = le_n(p + 12, 4);
	while (at + 8 <= len) {
		unsigned type = le_n(p + at, 2);
		uint32_t plen = le_n(p + at + 4, 4);
		uint8_t *pl = p + at + 8;

		if (plen > len - at - 8)
			break;
		/* A VFIO device's fd: the third field of its record. */
		if (type == IOFD_REC_DEVICE && plen >= 12 && le_n(pl, 4) == IOFD_STATE_DEV_VFIO) {
			int32_t fd = (int32_t)le_n(pl + 8, 4);

			for (k = 0; k < n; k++) {
				if (fd != from[k])
					continue;
				for (i = 0; i < 4; i++)
					pl[8 + i] = (uint32_t)to[k] >> (8 * i);
				break;
			}
		}
		at += 8 + plen;
		at += (8 - at % 8) % 8;
	}
	/* The checksum anew, over the numbers changed. */
	memset(p + 24, 0, 4);
	crc = iofd_crc32c(0, p, len);
	for (i = 0; i < 4; i++)
		p[24 + i] = crc >> (8 * i);
	return 0;
}

int iofd_state_write_fd(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t w;

	while (done < len) {
		w = write(fd, (const char *)buf + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		done += w;
	}
	return 0;
}
