// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulated host: IOMMU instances and devices, from JSON (the format is
 * in docs/simulator.md and iommufd_sim_new(3)) or the built-in default.
 * Every mistake in a topology is reported with the line (syntax) or the key
 * and entry (meaning) it is in.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "sim/sim_internal.h"

/* The smallest IO page a driver may have (the selftest mock's: half a CPU page). */
#define SIM_MIN_IO_PAGE 2048ull
/* The narrowest address width (the selftest mock's aperture ends at 2 GiB). */
#define SIM_MIN_IOVA_BITS 31
/* The PCI PASID capability's largest Max PASID Width */
#define SIM_MAX_PASID_BITS 20

/*
 * The default host has two VT-d units (one without dirty tracking and a
 * narrower 39-bit address width), an SMMUv3 with dirty tracking, and an
 * mdev, so that automatic domains, compatibility and coverage all matter.
 */
static const char sim_default_topology[] =
	"{\n"
	"  \"iommus\": [\n"
	"    { \"name\": \"dmar0\", \"driver\": \"intel-vtd\", \"dirty_tracking\": true,\n"
	"      \"iova_bits\": 48, \"pgsizes\": [\"4K\", \"2M\", \"1G\"] },\n"
	"    { \"name\": \"dmar1\", \"driver\": \"intel-vtd\", \"dirty_tracking\": false,\n"
	"      \"iova_bits\": 39, \"pgsizes\": [\"4K\", \"2M\"] },\n"
	"    { \"name\": \"smmu0\", \"driver\": \"arm-smmu-v3\", \"dirty_tracking\": true,\n"
	"      \"iova_bits\": 48, \"pgsizes\": [\"4K\", \"2M\", \"1G\"] }\n"
	"  ],\n"
	"  \"devices\": [\n"
	"    { \"name\": \"0000:00:02.0\", \"iommu\": \"dmar0\" },\n"
	"    { \"name\": \"0000:00:03.0\", \"iommu\": \"dmar0\" },\n"
	"    { \"name\": \"0000:00:04.0\", \"iommu\": \"dmar1\" },\n"
	"    { \"name\": \"0000:80:00.0\", \"iommu\": \"smmu0\" },\n"
	"    { \"name\": \"83b8f4f2-509f-382f-3c1e-e6bfe0fa1001\", \"emulated\": true }\n"
	"  ]\n"
	"}\n";

struct parse_state {
	char *err;
	size_t errlen;
};

static int perr(struct parse_state *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void sim_msg_escape(char *dst, size_t len, const char *src)
{
	size_t o = 0, k;
	char esc[5];

	if (!len)
		return;
	for (; *src; src++) {
		unsigned char ch = *src;

		if (ch >= 0x20 && ch != 0x7f)
			snprintf(esc, sizeof(esc), "%c", ch);
		else if (ch == '\n' || ch == '\t' || ch == '\r')
			snprintf(esc, sizeof(esc), "\\%c", ch == '\n' ? 'n' : ch == '\t' ? 't' : 'r');
		else
			snprintf(esc, sizeof(esc), "\\x%02x", ch);
		k = strlen(esc);
		if (o + k >= len)
			break;
		memcpy(dst + o, esc, k);
		o += k;
	}
	dst[o] = '\0';
}

/* Messages quote what the topology says: escaped, so that each is one line. */
static int perr(struct parse_state *ps, const char *fmt, ...)
{
	char msg[SIM_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sim_msg_escape(ps->err, ps->errlen, msg);
	return -EINVAL;
}

/* A NUL (written \u0000) would cut a name short where it is used as a C string. */
static bool has_nul(json_object *v)
{
	return strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v);
}

/* "iommus[1]" or, once the name is known, iommus[1] ("dmar1") */
static void entry_label(char *buf, size_t len, const char *list, unsigned int i,
			const char *name)
{
	if (name)
		snprintf(buf, len, "%s[%u] (\"%s\")", list, i, name);
	else
		snprintf(buf, len, "%s[%u]", list, i);
}

static const char *type_word(json_type t)
{
	switch (t) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a number";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "something else";
}

static int want_type(struct parse_state *ps, json_object *v, json_type t, const char *where,
		     const char *key)
{
	if (json_object_get_type(v) == t)
		return 0;
	return perr(ps, "%s.%s: expected %s, found %s", where, key, type_word(t),
		    type_word(json_object_get_type(v)));
}

/* A name: non-empty, short, no '/' (names double as path components). */
static int check_name(struct parse_state *ps, json_object *v, const char *where)
{
	const char *s;
	size_t len;

	if (want_type(ps, v, json_type_string, where, "name"))
		return -EINVAL;
	s = json_object_get_string(v);
	len = strlen(s);
	if (!len)
		return perr(ps, "%s.name: empty", where);
	if (len >= SIM_NAME_MAX)
		return perr(ps, "%s.name: \"%s\" is longer than %d characters", where, s,
			    SIM_NAME_MAX - 1);
	if (strchr(s, '/'))
		return perr(ps, "%s.name: \"%s\" contains '/'", where, s);
	if (has_nul(v))
		return perr(ps, "%s.name: contains a NUL character", where);
	return 0;
}

/*
 * The start of every entry: an object with a valid "name". Copies the name
 * (SIM_NAME_MAX bytes) and labels where[] with it for later messages.
 */
static int parse_entry_name(struct parse_state *ps, json_object *o, const char *list,
			    unsigned int idx, char *name, char *where, size_t wlen)
{
	json_object *v = NULL;

	entry_label(where, wlen, list, idx, NULL);
	if (!json_object_is_type(o, json_type_object))
		return perr(ps, "%s: expected an object, found %s", where,
			    type_word(json_object_get_type(o)));
	if (!json_object_object_get_ex(o, "name", &v))
		return perr(ps, "%s: missing \"name\"", where);
	if (check_name(ps, v, where))
		return -EINVAL;
	snprintf(name, SIM_NAME_MAX, "%s", json_object_get_string(v));
	entry_label(where, wlen, list, idx, name);
	return 0;
}

/*
 * An unsigned number: a JSON integer, or a string in decimal or 0x hex with
 * an optional K, M, G or T suffix (binary multiples; "KiB" and "KB" too).
 */
static int parse_u64(json_object *v, uint64_t *out)
{
	uint64_t n, mult = 1;
	const char *s;
	char *end;

	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);

		if (i < 0)
			return -EINVAL;
		/* json-c keeps integers above INT64_MAX unsigned */
		n = i == INT64_MAX ? json_object_get_uint64(v) : (uint64_t)i;
	} else if (json_object_is_type(v, json_type_string)) {
		bool hex;

		s = json_object_get_string(v);
		hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
		if (hex)
			s += 2;
		/* strtoull() would also take blanks and signs */
		if (hex ? !isxdigit((unsigned char)*s) : !isdigit((unsigned char)*s))
			return -EINVAL;
		errno = 0;
		n = strtoull(s, &end, hex ? 16 : 10);
		if (errno)
			return -EINVAL;
		switch (toupper((unsigned char)*end)) {
		case 'K':
			mult = 1ull << 10;
			break;
		case 'M':
			mult = 1ull << 20;
			break;
		case 'G':
			mult = 1ull << 30;
			break;
		case 'T':
			mult = 1ull << 40;
			break;
		case '\0':
			break;
		default:
			return -EINVAL;
		}
		if (*end) {
			end++;
			if (!strcasecmp(end, "iB") || !strcasecmp(end, "B"))
				end += strlen(end);
		}
		if (*end)
			return -EINVAL;
		if (n > UINT64_MAX / mult)
			return -EINVAL;
		n *= mult;
	} else {
		return -EINVAL;
	}
	*out = n;
	return 0;
}

/* "2K", "4K", "2M", "1G", "4096": a power of two of at least 2 KiB (the mock's IO page). */
static int parse_pgsize(json_object *v, uint64_t *out)
{
	uint64_t n;

	if (parse_u64(v, &n) || n < SIM_MIN_IO_PAGE || (n & (n - 1)))
		return -EINVAL;
	*out = n;
	return 0;
}

/* An IOVA (aperture_start, aperture_end): a number or a string, see parse_u64(). */
static int parse_iova_key(struct parse_state *ps, json_object *v, const char *where,
			  const char *key, uint64_t *out)
{
	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_string))
		return perr(ps, "%s.%s: expected an integer or a string, found %s", where, key,
			    type_word(json_object_get_type(v)));
	if (parse_u64(v, out))
		return perr(ps, "%s.%s: bad address %s (want e.g. 16777216, \"0x1000000\", \"16M\")",
			    where, key, json_object_to_json_string(v));
	return 0;
}

/* What a driver has when the topology does not say otherwise. */
static void driver_defaults(struct sim_iommu *iommu)
{
	if (!strcmp(iommu->driver, "intel-vtd"))
		iommu->kind = SIM_DRV_INTEL_VTD;
	else if (!strcmp(iommu->driver, "arm-smmu-v3"))
		iommu->kind = SIM_DRV_ARM_SMMUV3;
	else if (!strcmp(iommu->driver, "iommufd-selftest"))
		iommu->kind = SIM_DRV_SELFTEST;
	else
		iommu->kind = SIM_DRV_OTHER;

	iommu->dirty_tracking = false;
	iommu->iopf = true;
	iommu->iova_bits = 48;
	iommu->pgsize_bitmap = SIM_PAGE_SIZE | (1ull << 21) | (1ull << 30);
	iommu->aperture_start = 0;
	switch (iommu->kind) {
	case SIM_DRV_INTEL_VTD:
	case SIM_DRV_ARM_SMMUV3:
		/* second-stage tables (VT-d), stage 2 (SMMUv3 from 6.13) */
		iommu->nesting = true;
		break;
	case SIM_DRV_SELFTEST:
		/* selftest.c: MOCK_APERTURE_START/LAST, MOCK_IO_PAGE_SIZE */
		iommu->nesting = true;
		iommu->iova_bits = 31;
		iommu->pgsize_bitmap = SIM_MIN_IO_PAGE;
		iommu->aperture_start = 1ull << 24;
		break;
	case SIM_DRV_OTHER:
		iommu->nesting = false;
		break;
	}
}

static int parse_iommu(struct parse_state *ps, json_object *o, unsigned int idx,
		       struct sim_topology *topo)
{
	struct sim_iommu *iommu = &topo->iommus[idx];
	json_object *driver = NULL;
	bool have_end = false;
	char where[SIM_NAME_MAX + 32];
	uint64_t min_page, bits_last;
	unsigned int i;
	const char *d;

	if (parse_entry_name(ps, o, "iommus", idx, iommu->name, where, sizeof(where)))
		return -EINVAL;
	for (i = 0; i < idx; i++)
		if (!strcmp(topo->iommus[i].name, iommu->name))
			return perr(ps, "%s.name: duplicate name (also iommus[%u])", where, i);

	/* The driver first: it gives the defaults for what may be left out. */
	if (!json_object_object_get_ex(o, "driver", &driver))
		return perr(ps, "%s: missing \"driver\"", where);
	if (want_type(ps, driver, json_type_string, where, "driver"))
		return -EINVAL;
	d = json_object_get_string(driver);
	if (!*d || strlen(d) >= SIM_NAME_MAX)
		return perr(ps, "%s.driver: \"%s\" is not a driver name", where, d);
	if (has_nul(driver))
		return perr(ps, "%s.driver: contains a NUL character", where);
	snprintf(iommu->driver, sizeof(iommu->driver), "%s", d);
	driver_defaults(iommu);

	json_object_object_foreach(o, key, val) {
		if (!strcmp(key, "name") || !strcmp(key, "driver")) {
			continue;
		} else if (!strcmp(key, "dirty_tracking")) {
			if (want_type(ps, val, json_type_boolean, where, key))
				return -EINVAL;
			iommu->dirty_tracking = json_object_get_boolean(val);
		} else if (!strcmp(key, "nesting")) {
			if (want_type(ps, val, json_type_boolean, where, key))
				return -EINVAL;
			iommu->nesting = json_object_get_boolean(val);
		} else if (!strcmp(key, "iopf")) {
			/* the kernel has I/O page faults for it (CONFIG_IOMMU_IOPF) */
			if (want_type(ps, val, json_type_boolean, where, key))
				return -EINVAL;
			iommu->iopf = json_object_get_boolean(val);
		} else if (!strcmp(key, "iova_bits")) {
			int64_t bits;

			if (want_type(ps, val, json_type_int, where, key))
				return -EINVAL;
			bits = json_object_get_int64(val);
			if (bits < SIM_MIN_IOVA_BITS || bits > 64)
				return perr(ps, "%s.iova_bits: %lld is out of range (%d to 64)", where,
					    (long long)bits, SIM_MIN_IOVA_BITS);
			iommu->iova_bits = (unsigned int)bits;
		} else if (!strcmp(key, "aperture_start")) {
			if (parse_iova_key(ps, val, where, key, &iommu->aperture_start))
				return -EINVAL;
		} else if (!strcmp(key, "aperture_end")) {
			if (parse_iova_key(ps, val, where, key, &iommu->aperture_last))
				return -EINVAL;
			have_end = true;
		} else if (!strcmp(key, "pgsizes")) {
			size_t n, k;

			if (want_type(ps, val, json_type_array, where, key))
				return -EINVAL;
			n = json_object_array_length(val);
			if (!n)
				return perr(ps, "%s.pgsizes: empty", where);
			iommu->pgsize_bitmap = 0;
			for (k = 0; k < n; k++) {
				json_object *e = json_object_array_get_idx(val, k);
				uint64_t sz;

				if (parse_pgsize(e, &sz))
					return perr(ps,
						    "%s.pgsizes[%zu]: bad page size %s (want a power of two of at least 2K, e.g. \"4K\", \"2M\")",
						    where, k, json_object_to_json_string(e));
				iommu->pgsize_bitmap |= sz;
			}
			/* The kernel refuses domains that cannot map single CPU pages. */
			if ((iommu->pgsize_bitmap & -iommu->pgsize_bitmap) > SIM_PAGE_SIZE)
				return perr(ps,
					    "%s.pgsizes: the smallest must be at most 4K (the CPU page size)",
					    where);
		} else {
			return perr(ps, "%s: unknown key \"%s\"", where, key);
		}
	}

	/* The aperture lies inside the address width and on IO page boundaries. */
	bits_last = sim_bits_last(iommu->iova_bits);
	if (!have_end)
		iommu->aperture_last = bits_last;
	else if (iommu->aperture_last > bits_last)
		return perr(ps, "%s.aperture_end: 0x%llx is beyond iova_bits %u (last IOVA 0x%llx)",
			    where, (unsigned long long)iommu->aperture_last, iommu->iova_bits,
			    (unsigned long long)bits_last);
	if (iommu->aperture_start >= iommu->aperture_last)
		return perr(ps, "%s.aperture_start: 0x%llx is not below aperture_end 0x%llx", where,
			    (unsigned long long)iommu->aperture_start,
			    (unsigned long long)iommu->aperture_last);
	min_page = iommu->pgsize_bitmap & -iommu->pgsize_bitmap;
	if (iommu->aperture_start & (min_page - 1))
		return perr(ps, "%s.aperture_start: 0x%llx is not a multiple of the smallest page size 0x%llx",
			    where, (unsigned long long)iommu->aperture_start,
			    (unsigned long long)min_page);
	if (iommu->aperture_last != UINT64_MAX && ((iommu->aperture_last + 1) & (min_page - 1)))
		return perr(ps, "%s.aperture_end: 0x%llx does not end a page of the smallest size 0x%llx (want a last byte, e.g. 0x7fffffff)",
			    where, (unsigned long long)iommu->aperture_last,
			    (unsigned long long)min_page);
	return 0;
}

static int parse_device(struct parse_state *ps, json_object *o, unsigned int idx,
			struct sim_topology *topo)
{
	struct sim_device *dev = &topo->devices[idx];
	json_object *iommu = NULL;
	char where[SIM_NAME_MAX + 32];
	unsigned int i;

	if (parse_entry_name(ps, o, "devices", idx, dev->name, where, sizeof(where)))
		return -EINVAL;
	for (i = 0; i < idx; i++)
		if (!strcmp(topo->devices[i].name, dev->name))
			return perr(ps, "%s.name: duplicate name (also devices[%u])", where, i);

	json_object_object_foreach(o, key, val) {
		if (!strcmp(key, "name")) {
			continue;
		} else if (!strcmp(key, "iommu")) {
			if (want_type(ps, val, json_type_string, where, key))
				return -EINVAL;
			iommu = val;
		} else if (!strcmp(key, "emulated")) {
			if (want_type(ps, val, json_type_boolean, where, key))
				return -EINVAL;
			dev->emulated = json_object_get_boolean(val);
		} else if (!strcmp(key, "pasid_bits")) {
			int64_t bits;

			if (want_type(ps, val, json_type_int, where, key))
				return -EINVAL;
			bits = json_object_get_int64(val);
			/* The PCI PASID capability's Max PASID Width: up to 20 bits. */
			if (bits < 0 || bits > SIM_MAX_PASID_BITS)
				return perr(ps, "%s.pasid_bits: %lld is out of range (0 to %d)", where,
					    (long long)bits, SIM_MAX_PASID_BITS);
			dev->pasid_bits = (unsigned int)bits;
		} else if (!strcmp(key, "pasid_exec")) {
			if (want_type(ps, val, json_type_boolean, where, key))
				return -EINVAL;
			dev->pasid_exec = json_object_get_boolean(val);
		} else if (!strcmp(key, "pasid_priv")) {
			if (want_type(ps, val, json_type_boolean, where, key))
				return -EINVAL;
			dev->pasid_priv = json_object_get_boolean(val);
		} else {
			return perr(ps, "%s: unknown key \"%s\"", where, key);
		}
	}
	/* The kernel reports the PASID modes only with a width, and only through an IOMMU. */
	if ((dev->pasid_exec || dev->pasid_priv) && !dev->pasid_bits)
		return perr(ps, "%s.%s: needs \"pasid_bits\"", where,
			    dev->pasid_exec ? "pasid_exec" : "pasid_priv");
	if (dev->emulated) {
		if (iommu)
			return perr(ps, "%s.iommu: an emulated device has no IOMMU", where);
		if (dev->pasid_bits)
			return perr(ps, "%s.pasid_bits: an emulated device has no IOMMU for PASIDs",
				    where);
	} else {
		const char *want;

		if (!iommu)
			return perr(ps, "%s: missing \"iommu\" (or \"emulated\": true)", where);
		want = json_object_get_string(iommu);
		for (i = 0; i < topo->niommus; i++)
			if (!strcmp(topo->iommus[i].name, want))
				dev->iommu = &topo->iommus[i];
		if (!dev->iommu)
			return perr(ps, "%s.iommu: unknown iommu \"%s\"", where, want);
	}
	snprintf(dev->cdev, sizeof(dev->cdev), "/dev/vfio/devices/vfio%u", idx);
	return 0;
}

static unsigned int line_of(const char *text, size_t off)
{
	unsigned int line = 1;
	size_t i;

	for (i = 0; i < off && text[i]; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

static int parse_tree(struct parse_state *ps, json_object *root, struct sim_topology *topo)
{
	json_object *iommus = NULL, *devices = NULL;
	unsigned int i;
	size_t n;
	int ret;

	if (!json_object_is_type(root, json_type_object))
		return perr(ps, "topology: expected an object at the top, found %s",
			    type_word(json_object_get_type(root)));
	topo->kernel = SIM_KERNEL_DEFAULT;
	json_object_object_foreach(root, key, val) {
		if (!strcmp(key, "iommus")) {
			if (want_type(ps, val, json_type_array, "topology", key))
				return -EINVAL;
			iommus = val;
		} else if (!strcmp(key, "devices")) {
			if (want_type(ps, val, json_type_array, "topology", key))
				return -EINVAL;
			devices = val;
		} else if (!strcmp(key, "kernel")) {
			if (want_type(ps, val, json_type_string, "topology", key) ||
			    sim_kernel_parse(json_object_get_string(val), &topo->kernel, ps->err,
					     ps->errlen))
				return -EINVAL;
		} else {
			return perr(ps, "topology: unknown key \"%s\" (expected \"kernel\", \"iommus\", \"devices\")",
				    key);
		}
	}
	if (!devices)
		return perr(ps, "topology: missing \"devices\"");

	n = iommus ? json_object_array_length(iommus) : 0;
	if (n) {
		topo->iommus = calloc(n, sizeof(*topo->iommus));
		if (!topo->iommus)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		ret = parse_iommu(ps, json_object_array_get_idx(iommus, i), i, topo);
		if (ret)
			return ret;
		topo->niommus++;
	}
	n = json_object_array_length(devices);
	if (n) {
		topo->devices = calloc(n, sizeof(*topo->devices));
		if (!topo->devices)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		ret = parse_device(ps, json_object_array_get_idx(devices, i), i, topo);
		if (ret)
			return ret;
		topo->ndevices++;
	}
	return sim_kernel_check(topo, ps->err, ps->errlen);
}

int sim_topology_parse(const char *json, size_t len, struct sim_topology *out, char *err,
		       size_t errlen)
{
	struct parse_state ps = { err, errlen };
	struct sim_topology topo = { 0 };
	enum json_tokener_error jerr;
	json_tokener *tok;
	json_object *root;
	const char *nul;
	size_t end;
	int ret;

	if (len > SIM_TOPOLOGY_MAX) {
		snprintf(err, errlen, "topology: %zu bytes, larger than the limit of %s", len,
			 SIM_TOPOLOGY_MAX_STR);
		return -EFBIG;
	}
	/* The parser would stop there and take the rest for the end of the text. */
	nul = memchr(json, '\0', len);
	if (nul)
		return perr(&ps, "topology byte %zu (line %u): a NUL byte; a topology is JSON text",
			    (size_t)(nul - json), line_of(json, nul - json));

	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	/* Plain JSON: no trailing commas, comments or other leniency. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!root) {
		if (jerr == json_tokener_continue)
			ret = perr(&ps, "topology line %u: unexpected end of input",
				   line_of(json, len));
		else
			ret = perr(&ps, "topology line %u: %s", line_of(json, end),
				   json_tokener_error_desc(jerr));
		json_tokener_free(tok);
		return ret;
	}
	json_tokener_free(tok);
	while (end < len && isspace((unsigned char)json[end]))
		end++;
	if (end < len) {
		json_object_put(root);
		return perr(&ps, "topology line %u: unexpected text after the top-level object",
			    line_of(json, end));
	}
	ret = parse_tree(&ps, root, &topo);
	json_object_put(root);
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, errlen, "topology: out of memory");
		sim_topology_free(&topo);
		return ret;
	}
	*out = topo;
	return 0;
}

int sim_topology_default(struct sim_topology *out, char *err, size_t errlen)
{
	return sim_topology_parse(sim_default_topology, sizeof(sim_default_topology) - 1, out,
				  err, errlen);
}

void sim_topology_free(struct sim_topology *topo)
{
	free(topo->iommus);
	free(topo->devices);
	memset(topo, 0, sizeof(*topo));
}

struct sim_device *sim_topology_find(struct sim_topology *topo, const char *name)
{
	static const char pci_prefix[] = "/sys/bus/pci/devices/";
	static const char mdev_prefix[] = "/sys/bus/mdev/devices/";
	enum { ANY, PCI, MDEV } bus = ANY;
	const char *bare = name;
	unsigned int i;

	if (!strncmp(name, pci_prefix, sizeof(pci_prefix) - 1)) {
		bare = name + sizeof(pci_prefix) - 1;
		bus = PCI;
	} else if (!strncmp(name, mdev_prefix, sizeof(mdev_prefix) - 1)) {
		bare = name + sizeof(mdev_prefix) - 1;
		bus = MDEV;
	}
	for (i = 0; i < topo->ndevices; i++) {
		struct sim_device *dev = &topo->devices[i];

		if (!strcmp(dev->cdev, name))
			return dev;
		if (strcmp(dev->name, bare))
			continue;
		/* A sysfs path names the bus the device is on. */
		if ((bus == PCI && dev->emulated) || (bus == MDEV && !dev->emulated))
			continue;
		return dev;
	}
	return NULL;
}
