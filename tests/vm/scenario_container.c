// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Container verbs of the scenario language (see scenario.h). A container's
 * IOAS is the object named like the container; its domains are named C.d1,
 * C.d2... in the order they appear, and a name goes with its domain, so that
 * transcripts compare the grouping and life of domains, not hwpt numbers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_internal.h"
#include "vmtap.h"

/* Room for the bitmap of a read: the words the library may write, and more. */
#define CREAD_MAX_WORDS (1u << 20)

static struct scn_cont *find_cont(struct scn_state *st, const char *name)
{
	unsigned i;

	for (i = 0; i < st->nconts; i++)
		if (!strcmp(st->conts[i].name, name))
			return &st->conts[i];
	return NULL;
}

/* "C.d" names of container ct: does name belong to it? */
static bool is_domain_of(const struct scn_cont *ct, const char *name)
{
	size_t n = strlen(ct->name);

	return !strncmp(name, ct->name, n) && name[n] == '.' && name[n + 1] == 'd';
}

static void refresh_one(struct scn_state *st, struct scn_cont *ct)
{
	struct iommufd_domain_info d[SCN_MAX_DOMAINS];
	unsigned i, k;
	int n;

	n = iommufd_container_domains(ct->c, d, SCN_MAX_DOMAINS);
	if (n < 0)
		n = 0;
	if (n > SCN_MAX_DOMAINS)
		n = SCN_MAX_DOMAINS;
	/* names of gone domains go (their ids may be reused) */
	for (i = 0; i < st->nobjs;) {
		bool live = false;

		if (is_domain_of(ct, st->objs[i].name))
			for (k = 0; k < (unsigned)n; k++)
				live |= st->objs[i].id == d[k].hwpt_id;
		if (is_domain_of(ct, st->objs[i].name) && !live)
			scn_drop_obj(st, &st->objs[i]);
		else
			i++;
	}
	for (k = 0; k < (unsigned)n; k++) {
		char name[32];
		bool named = false;

		for (i = 0; i < st->nobjs; i++)
			named |= is_domain_of(ct, st->objs[i].name) && st->objs[i].id == d[k].hwpt_id;
		if (named)
			continue;
		snprintf(name, sizeof(name), "%s.d%u", ct->name, ++ct->next_domain);
		scn_name_obj(st, name, d[k].hwpt_id, true);
		if (st->be->stats && ct->tracking)
			st->be->stats->domain_tracking++;
	}
}

void scn_container_refresh(struct scn_state *st)
{
	unsigned i;

	for (i = 0; i < st->nconts; i++)
		refresh_one(st, &st->conts[i]);
}

static const char *domain_name(struct scn_state *st, uint32_t id)
{
	unsigned i;

	for (i = 0; i < st->nobjs; i++)
		if (st->objs[i].id == id)
			return st->objs[i].name;
	return "?";
}

/* The domains: name, flags, how many devices, and which of the script's. */
static void print_domains(struct scn_state *st, struct scn_cont *ct)
{
	struct iommufd_domain_info d[SCN_MAX_DOMAINS];
	int n, k;
	unsigned i;

	refresh_one(st, ct);
	n = iommufd_container_domains(ct->c, d, SCN_MAX_DOMAINS);
	scn_text_printf(st->out, "   domains: %d", n);
	for (k = 0; k < n && k < SCN_MAX_DOMAINS; k++) {
		const char *sep = "";

		scn_text_printf(st->out, " %s(%s%s%s%u:", domain_name(st, d[k].hwpt_id),
				d[k].flags & IOMMUFD_DOMAIN_DIRTY_TRACKING ? "dirty," : "",
				d[k].flags & IOMMUFD_DOMAIN_NEST_PARENT ? "nest," : "",
				d[k].flags & ~3u ? "other," : "", d[k].ndevices);
		for (i = 0; i < st->ndevs; i++) {
			if (iommufd_device_pt_id(st->devs[i].dev) != d[k].hwpt_id)
				continue;
			scn_text_printf(st->out, "%s%s", sep, st->devs[i].name);
			sep = ",";
		}
		scn_text_printf(st->out, ")");
	}
	scn_text_printf(st->out, "\n");
}

/*
 * The library's message with each device's name replaced by the script's
 * name for it (kernel and simulator name devices differently).
 */
static void print_message(struct scn_state *st, const char *msg)
{
	const char *p = msg;

	scn_text_printf(st->out, "   says: ");
	while (*p) {
		bool done = false;
		unsigned i;

		for (i = 0; i < st->ndevs && !done; i++) {
			const char *dn = iommufd_device_name(st->devs[i].dev);
			size_t n = strlen(dn);

			if (!strncmp(p, dn, n) && !strncmp(p + n, " (", 2)) {
				scn_text_printf(st->out, "%s", st->devs[i].name);
				p += n;
				done = true;
			}
		}
		if (!done)
			scn_text_printf(st->out, "%c", *p++);
	}
	scn_text_printf(st->out, "\n");
}

static int do_new(struct scn_state *st, char **tok, int ntok)
{
	struct scn_cont *ct;
	uint32_t flags = 0;
	uint64_t v;
	int i, ret;

	if (ntok < 2 || !scn_is_name(tok[1]) || strlen(tok[1]) >= sizeof(ct->name) ||
	    strchr(tok[1], '.'))
		return -EINVAL;
	for (i = 2; i < ntok; i++) {
		if (!strcmp(tok[i], "dirty"))
			flags |= IOMMUFD_CONTAINER_DIRTY_TRACKING;
		else if (!strcmp(tok[i], "nest"))
			flags |= IOMMUFD_CONTAINER_NEST_PARENT;
		else if (!strncmp(tok[i], "flags=", 6) && !scn_parse_u64(tok[i] + 6, &v))
			flags |= (uint32_t)v;
		else
			return -EINVAL;
	}
	if (st->nconts == SCN_MAX_CONTAINERS)
		return -EINVAL;
	if (find_cont(st, tok[1])) {
		scn_text_printf(st->out, " => already there\n");
		return 0;
	}
	ct = &st->conts[st->nconts];
	memset(ct, 0, sizeof(*ct));
	snprintf(ct->name, sizeof(ct->name), "%s", tok[1]);
	ret = iommufd_container_new(st->be->ctx, flags, &ct->c);
	scn_text_printf(st->out, " => %s\n", vt_errname(ret));
	if (ret)
		return 0;
	st->nconts++;
	return scn_name_obj(st, ct->name, iommufd_container_ioas_id(ct->c), false);
}

/* Free it, then ask the kernel for each object it had: all must be gone. */
static void free_cont(struct scn_state *st, struct scn_cont *ct, bool print)
{
	struct iommufd_domain_info d[SCN_MAX_DOMAINS];
	uint32_t ioas = iommufd_container_ioas_id(ct->c);
	int n, k, ret;
	unsigned i;

	n = iommufd_container_domains(ct->c, d, SCN_MAX_DOMAINS);
	iommufd_container_free(ct->c);
	for (i = 0; i < st->nobjs;) {
		if (is_domain_of(ct, st->objs[i].name) || !strcmp(st->objs[i].name, ct->name))
			scn_drop_obj(st, &st->objs[i]);
		else
			i++;
	}
	if (print) {
		scn_text_printf(st->out, " => done\n   left:");
		ret = iommufd_destroy(st->be->ctx, ioas);
		scn_text_printf(st->out, " ioas %s", ret == -ENOENT ? "gone" : vt_errname(ret));
		for (k = 0; k < n && k < SCN_MAX_DOMAINS; k++) {
			ret = iommufd_destroy(st->be->ctx, d[k].hwpt_id);
			scn_text_printf(st->out, ", domain %d %s", k + 1,
					ret == -ENOENT ? "gone" : vt_errname(ret));
		}
		scn_text_printf(st->out, "\n");
	}
	*ct = st->conts[--st->nconts];
}

bool scn_container_dev_tracked(struct scn_state *st, struct scn_dev *dev)
{
	uint32_t pt = iommufd_device_pt_id(dev->dev);
	unsigned i, k;

	for (i = 0; i < st->nconts && pt; i++)
		for (k = 0; k < st->nobjs; k++)
			if (st->conts[i].tracking && is_domain_of(&st->conts[i], st->objs[k].name) &&
			    st->objs[k].id == pt)
				return true;
	return false;
}

void scn_container_free_all(struct scn_state *st)
{
	while (st->nconts)
		free_cont(st, &st->conts[st->nconts - 1], false);
}

static int do_read(struct scn_state *st, struct scn_cont *ct, char **tok, int ntok)
{
	uint64_t iova, len, page, pre = 0, words, flags = 0, v, *bm;
	int i, ret;

	if (ntok < 5 || scn_parse_u64(tok[2], &iova) || scn_parse_u64(tok[3], &len) ||
	    scn_parse_u64(tok[4], &page))
		return -EINVAL;
	for (i = 5; i < ntok; i++) {
		if (!strcmp(tok[i], "noclear"))
			flags |= IOMMUFD_DIRTY_NO_CLEAR;
		else if (!strncmp(tok[i], "pre=", 4) && !scn_parse_u64(tok[i] + 4, &pre))
			;
		else if (!strncmp(tok[i], "flags=", 6) && !scn_parse_u64(tok[i] + 6, &v))
			flags |= v;
		else
			return -EINVAL;
	}
	/* The library writes len / page bits (when it takes them): never less room. */
	words = page ? len / page / 64 + 2 : 2;
	if (words > CREAD_MAX_WORDS)
		return -E2BIG;
	bm = calloc(words, sizeof(*bm));
	if (!bm)
		return -ENOMEM;
	bm[0] = pre;
	ret = iommufd_container_read_dirty(ct->c, iova, len, page, bm, (uint32_t)flags);
	scn_text_printf(st->out, " => %s", ret >= 0 ? "" : vt_errname(ret));
	if (ret > 0 && st->be->stats)
		st->be->stats->dirty_reads++;
	if (ret >= 0) {
		scn_text_printf(st->out, "%d", ret);
		for (i = 0; i < 4 && (uint64_t)i < words; i++)
			scn_text_printf(st->out, " %016llx", (unsigned long long)bm[i]);
	}
	scn_text_printf(st->out, "\n");
	free(bm);
	return 0;
}

static bool nest_verb(const char *op)
{
	return !strcmp(op, "cvirt") || !strcmp(op, "cnest") || !strcmp(op, "cunnest") ||
	       !strcmp(op, "cinval") || !strcmp(op, "cnesting");
}

int scn_container_step(struct scn_state *st, char **tok, int ntok)
{
	const char *op = tok[0];
	struct scn_cont *ct;
	struct scn_dev *d = NULL;
	uint64_t a, b;
	int ret, i;

	if (!strcmp(op, "container"))
		return do_new(st, tok, ntok);
	if (strcmp(op, "cattach") && strcmp(op, "cdetach") && strcmp(op, "ccovered") &&
	    strcmp(op, "cmap") && strcmp(op, "cunmap") && strcmp(op, "ctrack") &&
	    strcmp(op, "cread") && strcmp(op, "cstatus") && strcmp(op, "cdomains") &&
	    strcmp(op, "cfree") && !nest_verb(op))
		return 1;
	if (ntok < 2)
		return -EINVAL;
	ct = find_cont(st, tok[1]);
	if (!ct) {
		scn_text_printf(st->out, " => no such container\n");
		return 0;
	}
	if (nest_verb(op)) {
		/* scenario_nested.c */
		ret = scn_nested_cont_step(st, ct->c, tok, ntok);
		refresh_one(st, ct);
		return ret;
	}

	if (!strcmp(op, "cattach") || !strcmp(op, "cdetach") || !strcmp(op, "ccovered")) {
		if (ntok != 3)
			return -EINVAL;
		d = scn_find_dev(st, tok[2]);
		if (!d)
			return scn_no_device(st);
	}
	if (!strcmp(op, "cattach") || !strcmp(op, "cdetach")) {
		bool tracked = scn_container_dev_tracked(st, d);

		ret = op[1] == 'a' ? iommufd_container_attach(ct->c, d->dev) :
				     iommufd_container_detach(ct->c, d->dev);
		if (op[1] == 'd' && !ret && tracked && st->be->stats)
			st->be->stats->unplug_tracking++;
		scn_text_printf(st->out, " => %s\n", vt_errname(ret));
		refresh_one(st, ct);
		scn_print_devices(st);
		print_domains(st, ct);
	} else if (!strcmp(op, "ccovered")) {
		char why[128] = "";

		ret = iommufd_container_device_covered(ct->c, d->dev, why, sizeof(why));
		scn_text_printf(st->out, " => %s", ret >= 0 ? "" : vt_errname(ret));
		if (ret >= 0)
			scn_text_printf(st->out, "%d (%s)", ret, why);
		scn_text_printf(st->out, "\n");
	} else if (!strcmp(op, "cmap") && ntok >= 4) {
		bool ro = false;
		uint64_t off = 0;

		if (scn_parse_u64(tok[2], &a) || scn_parse_u64(tok[3], &b))
			return -EINVAL;
		for (i = 4; i < ntok; i++) {
			if (!strcmp(tok[i], "ro"))
				ro = true;
			else if (strncmp(tok[i], "va=", 3) || scn_parse_u64(tok[i] + 3, &off))
				return -EINVAL;
		}
		/* Lengths past the buffer stay past it: they must be refused. */
		if (off >= SCN_BUF_SIZE || (b <= SCN_BUF_SIZE && off + b > SCN_BUF_SIZE))
			return -EINVAL;
		scn_prefault(st, off, b);
		ret = iommufd_container_map(ct->c, st->buf + off, a, b, ro);
		scn_text_printf(st->out, " => %s\n", vt_errname(ret));
	} else if (!strcmp(op, "cunmap") && ntok == 4) {
		if (scn_parse_u64(tok[2], &a) || scn_parse_u64(tok[3], &b))
			return -EINVAL;
		ret = iommufd_container_unmap(ct->c, a, b);
		scn_text_printf(st->out, " => %s\n", vt_errname(ret));
	} else if (!strcmp(op, "ctrack") && ntok == 3) {
		if (strcmp(tok[2], "on") && strcmp(tok[2], "off"))
			return -EINVAL;
		ret = iommufd_container_set_dirty_tracking(ct->c, !strcmp(tok[2], "on"));
		scn_text_printf(st->out, " => %s\n", vt_errname(ret));
		if (!ret)
			ct->tracking = !strcmp(tok[2], "on");
	} else if (!strcmp(op, "cread")) {
		return do_read(st, ct, tok, ntok);
	} else if (!strcmp(op, "cstatus") && ntok == 2) {
		ret = iommufd_container_dirty_status(ct->c);
		if (ret >= 0)
			scn_text_printf(st->out, " => %d\n", ret);
		else
			scn_text_printf(st->out, " => %s\n", vt_errname(ret));
		/* which devices it names and why; the other message names the IOAS id */
		if (ret == 0 && !strncmp(iommufd_last_error(st->be->ctx), "dirty tracking", 14))
			print_message(st, iommufd_last_error(st->be->ctx));
	} else if (!strcmp(op, "cdomains") && ntok == 2) {
		scn_text_printf(st->out, "\n");
		print_domains(st, ct);
	} else if (!strcmp(op, "cfree") && ntok == 2) {
		free_cont(st, ct, true);
		scn_print_devices(st);
	} else {
		return -EINVAL;
	}
	return 0;
}
