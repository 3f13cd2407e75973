// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Nesting verbs of the scenario language (see scenario.h), on the mock: the
 * kernel's selftest mock devices, and the simulator's mock IOMMUs. Objects
 * (vIOMMUs, vDEVICEs, stage-1 domains, queues) get the script's names; what
 * the hardware does (events, page requests) and what the mock's caches hold
 * are the kernel's test ops on one side and the simulator's calls on the
 * other, so that the transcripts compare.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "scenario_internal.h"
#include "uapi/iommufd_abi.h"
#include "uapi/iommufd_ext_abi.h"
#include "uapi/selftest_abi.h"
#include "vmtap.h"

static const char *errname(long long r)
{
	return vt_errname(r);
}

static struct scn_queue *find_queue(struct scn_state *st, const char *name)
{
	unsigned i;

	for (i = 0; i < st->nqueues; i++)
		if (!strcmp(st->queues[i].name, name))
			return &st->queues[i];
	return NULL;
}

static int add_queue(struct scn_state *st, const char *name, uint32_t id, int fd, bool fault)
{
	struct scn_queue *q = find_queue(st, name);

	if (!q) {
		if (st->nqueues == SCN_MAX_QUEUES)
			return -ENOSPC;
		q = &st->queues[st->nqueues++];
	} else if (q->fd >= 0) {
		iommufd_eventq_close(st->be->ctx, q->fd);
	}
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->fd = fd;
	q->fault = fault;
	q->next_seq = 0;
	return scn_name_obj(st, name, id, false);
}

static int test_cmd(struct scn_state *st, struct iofd_test_cmd *cmd)
{
	struct iommufd_ctx *ctx = st->be->ctx;

	cmd->size = sizeof(*cmd);
	return ctx->tp.ops->ioctl(ctx->tp.priv, ctx->fd, IOFD_TEST_CMD, cmd);
}

static const char *sim_name(struct scn_dev *d)
{
	return d->simname[0] ? d->simname : iommufd_device_name(d->dev);
}

/* "F:ID" and "F:A:B": numbers separated by colons; how many were read. */
static int parse_colons(const char *s, uint64_t *v, int max)
{
	char buf[64], *p, *save;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (p = strtok_r(buf, ":", &save); p && n < max; p = strtok_r(NULL, ":", &save))
		if (scn_parse_u64(p, &v[n++]))
			return -1;
	return n;
}

/* The script's name of a device by its dev_id, for fault records. */
static const char *dev_by_id(struct scn_state *st, uint32_t id)
{
	unsigned i;

	for (i = 0; i < st->ndevs; i++)
		if (iommufd_device_id(st->devs[i].dev) == id)
			return st->devs[i].name;
	return "?";
}

static int do_nested(struct scn_state *st, char **tok, int ntok)
{
	struct iofd_hwpt_selftest s1 = { .iotlb = IOFD_TEST_IOTLB_DEFAULT };
	IOMMUFD_OPTS(iommufd_hwpt_alloc_opts, o, .data_type = IOFD_HWPT_DATA_SELFTEST,
		     .data = &s1, .data_len = sizeof(s1.iotlb));
	uint32_t pt, id;
	struct scn_dev *d;
	uint64_t v;
	int i, ret;

	d = scn_find_dev(st, tok[2]);
	if (!scn_is_name(tok[1]) || scn_obj_id(st, tok[3], &pt))
		return -EINVAL;
	for (i = 4; i < ntok; i++) {
		if (!strncmp(tok[i], "iotlb=", 6) && !scn_parse_u64(tok[i] + 6, &v))
			s1.iotlb = (uint32_t)v;
		else if (!strncmp(tok[i], "type=", 5) && !scn_parse_u64(tok[i] + 5, &v))
			o.data_type = (uint32_t)v;
		else if (!strncmp(tok[i], "len=", 4) && !scn_parse_u64(tok[i] + 4, &v))
			o.data_len = (uint32_t)v;
		else if (!strncmp(tok[i], "fault=", 6) && !scn_obj_id(st, tok[i] + 6, &id))
			o.fault_id = id;
		else if (!strcmp(tok[i], "pasid"))
			o.flags |= IOMMUFD_HWPT_PASID;
		else
			return -EINVAL;
	}
	if (!d)
		return scn_no_device(st);
	/* a buffer as long as asked for, the rest zero */
	{
		uint8_t buf[64] = { 0 };

		if (o.data_len > sizeof(buf))
			return -EINVAL;
		memcpy(buf, &s1, sizeof(s1.iotlb));
		o.data = buf;
		ret = iommufd_hwpt_alloc_opts(st->be->ctx, iommufd_device_id(d->dev), pt, &o, &id);
	}
	scn_text_printf(st->out, " => %s\n", errname(ret));
	if (!ret)
		return scn_name_obj(st, tok[1], id, true);
	return 0;
}

/* hinval N F:ID...  /  vinval V F:VDEV:CACHE...  [type=T] */
static int do_inval(struct scn_state *st, char **tok, int ntok, bool viommu)
{
	uint32_t entries[16][3], id, n = 0, type;
	uint64_t v[3];
	int i, k;

	type = viommu ? IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST : IOFD_HWPT_INVALIDATE_DATA_SELFTEST;
	if (ntok < 2 || scn_obj_id(st, tok[1], &id))
		return -EINVAL;
	for (i = 2; i < ntok; i++) {
		if (!strncmp(tok[i], "type=", 5)) {
			if (scn_parse_u64(tok[i] + 5, v))
				return -EINVAL;
			type = (uint32_t)v[0];
			continue;
		}
		k = parse_colons(tok[i], v, 3);
		if (k != (viommu ? 3 : 2) || n == 16)
			return -EINVAL;
		entries[n][0] = (uint32_t)v[0];
		entries[n][1] = (uint32_t)v[1];
		entries[n][2] = viommu ? (uint32_t)v[2] : 0;
		n++;
	}
	if (!viommu) /* two words an entry: pack them */
		for (k = 0; k < (int)n; k++)
			memmove((uint32_t *)entries + 2 * k, entries[k], 8);
	{
		int ret = iommufd_hwpt_invalidate(st->be->ctx, id, type, entries,
						  viommu ? 12 : 8, &n);

		scn_text_printf(st->out, " => %s done=%u\n", errname(ret), n);
	}
	return 0;
}

/* iotlb D IDX VAL  /  devcache D IDX VAL: does the mock's entry hold VAL? 0 or the errno */
static int do_check(struct scn_state *st, char **tok, int ntok, bool dev_cache)
{
	struct iofd_test_cmd cmd = { 0 };
	uint64_t idx, val;
	struct scn_dev *d;
	uint32_t got;
	int ret;

	if (ntok != 4 || scn_parse_u64(tok[2], &idx) || scn_parse_u64(tok[3], &val) || idx > 3)
		return -EINVAL;
	d = scn_find_dev(st, tok[1]);
	if (!d)
		return scn_no_device(st);
	if (st->be->sim) {
		ret = dev_cache ? iommufd_sim_device_cache(st->be->sim, sim_name(d), (unsigned)idx, &got) :
				  iommufd_sim_nested_iotlb(st->be->sim, sim_name(d), (unsigned)idx, &got);
		if (!ret && got != val)
			ret = -EINVAL;
	} else if (dev_cache) {
		cmd.op = IOFD_TEST_OP_DEV_CHECK_CACHE;
		cmd.id = iommufd_device_id(d->dev);
		cmd.check_dev_cache.id = (uint32_t)idx;
		cmd.check_dev_cache.cache = (uint32_t)val;
		ret = test_cmd(st, &cmd);
	} else {
		cmd.op = IOFD_TEST_OP_MD_CHECK_IOTLB;
		cmd.id = iommufd_device_pt_id(d->dev);
		cmd.check_iotlb.id = (uint32_t)idx;
		cmd.check_iotlb.iotlb = (uint32_t)val;
		ret = test_cmd(st, &cmd);
	}
	scn_text_printf(st->out, " => %s\n", errname(ret));
	return 0;
}

/* vevent D  /  iopf D PASID GRPID: the hardware's part */
static int do_trigger(struct scn_state *st, char **tok, int ntok, bool vevent)
{
	struct iofd_test_cmd cmd = { 0 };
	uint64_t pasid = 0, grpid = 0;
	struct scn_dev *d;
	int ret;

	if ((vevent && ntok != 2) ||
	    (!vevent && (ntok != 4 || scn_parse_u64(tok[2], &pasid) || scn_parse_u64(tok[3], &grpid))))
		return -EINVAL;
	d = scn_find_dev(st, tok[1]);
	if (!d)
		return scn_no_device(st);
	if (st->be->sim) {
		ret = vevent ? iommufd_sim_trigger_vevent(st->be->sim, sim_name(d), NULL, 0) :
			       iommufd_sim_trigger_iopf(st->be->sim, sim_name(d), (uint32_t)pasid,
							(uint32_t)grpid, IOMMUFD_FAULT_PERM_READ,
							1ull << 24);
	} else if (vevent) {
		cmd.op = IOFD_TEST_OP_TRIGGER_VEVENT;
		cmd.trigger_vevent.dev_id = iommufd_device_id(d->dev);
		ret = test_cmd(st, &cmd);
	} else {
		cmd.op = IOFD_TEST_OP_TRIGGER_IOPF;
		cmd.trigger_iopf.dev_id = iommufd_device_id(d->dev);
		cmd.trigger_iopf.pasid = (uint32_t)pasid;
		cmd.trigger_iopf.grpid = (uint32_t)grpid;
		cmd.trigger_iopf.perm = IOMMUFD_FAULT_PERM_READ;
		cmd.trigger_iopf.addr = 1ull << 24;
		ret = test_cmd(st, &cmd);
	}
	scn_text_printf(st->out, " => %s\n", errname(ret));
	return 0;
}

/* A count, or the errno */
static void print_count(struct scn_state *st, int ret)
{
	if (ret < 0)
		scn_text_printf(st->out, " => %s", errname(ret));
	else
		scn_text_printf(st->out, " => %d", ret);
}

static int do_read(struct scn_state *st, char **tok, int ntok)
{
	struct scn_queue *q;
	uint64_t max = 8;
	int ret, i;

	if (ntok < 2 || ntok > 3 || (ntok == 3 && (scn_parse_u64(tok[2], &max) || !max || max > 8)))
		return -EINVAL;
	q = find_queue(st, tok[1]);
	if (!q || q->fd < 0) {
		scn_text_printf(st->out, " => no such queue open\n");
		return 0;
	}
	if (q->fault) {
		struct iommufd_fault f[8];

		ret = iommufd_fault_read(st->be->ctx, q->fd, f, (unsigned)max);
		print_count(st, ret);
		for (i = 0; i < ret; i++)
			scn_text_printf(st->out, " %s/g%u/f%x/p%u/c%u", dev_by_id(st, f[i].dev_id),
					f[i].grpid, f[i].flags, f[i].pasid, f[i].cookie);
	} else {
		struct iommufd_vevent ev[8];
		uint32_t data[8];

		ret = iommufd_veventq_read(st->be->ctx, q->fd, 4, ev, data, (unsigned)max,
					   &q->next_seq);
		print_count(st, ret);
		for (i = 0; i < ret; i++)
			scn_text_printf(st->out, " s%u/f%x/l%u/v%x", ev[i].sequence, ev[i].flags,
					ev[i].lost, data[i]);
	}
	scn_text_printf(st->out, "\n");
	return 0;
}

/* Container nesting: where the device stands, by the script's names. */
static void print_nesting(struct scn_state *st, struct iommufd_container *c, struct scn_dev *d)
{
	IOMMUFD_OPTS(iommufd_nesting_info, ni);
	int ret = iommufd_container_nesting(c, d->dev, &ni);
	const char *parent = "-";
	unsigned i;

	if (ret) {
		scn_text_printf(st->out, "   nesting %s: %s\n", d->name, errname(ret));
		return;
	}
	for (i = 0; i < st->nobjs; i++)
		if (ni.parent_id && st->objs[i].id == ni.parent_id)
			parent = st->objs[i].name;
	scn_text_printf(st->out, "   nesting %s: parent=%s stage1=%s viommu=%s vdevice=%s", d->name,
			parent, ni.hwpt_id ? "yes" : "-", ni.viommu_id ? "yes" : "-",
			ni.vdevice_id ? "yes" : "-");
	if (ni.vdevice_id)
		scn_text_printf(st->out, " virt=0x%llx", (unsigned long long)ni.virt_id);
	scn_text_printf(st->out, " on_stage1=%d\n",
			ni.hwpt_id && iommufd_device_pt_id(d->dev) == ni.hwpt_id);
}

int scn_nested_cont_step(struct scn_state *st, struct iommufd_container *c, char **tok, int ntok)
{
	struct iofd_hwpt_selftest s1 = { .iotlb = IOFD_TEST_IOTLB_DEFAULT };
	struct scn_dev *d;
	uint64_t v;
	uint32_t n;
	int ret;

	if (ntok < 3)
		return -EINVAL;
	d = scn_find_dev(st, tok[2]);
	if (!d)
		return scn_no_device(st);
	if (!strcmp(tok[0], "cvirt") && ntok == 4) {
		if (scn_parse_u64(tok[3], &v))
			return -EINVAL;
		ret = iommufd_container_set_virt_id(c, d->dev, v);
	} else if (!strcmp(tok[0], "cnest") && ntok <= 4) {
		if (ntok == 4) {
			if (strncmp(tok[3], "iotlb=", 6) || scn_parse_u64(tok[3] + 6, &v))
				return -EINVAL;
			s1.iotlb = (uint32_t)v;
		}
		ret = iommufd_container_attach_nested(c, d->dev, IOFD_HWPT_DATA_SELFTEST, &s1,
						      sizeof(s1.iotlb));
	} else if (!strcmp(tok[0], "cunnest") && ntok == 3) {
		ret = iommufd_container_detach_nested(c, d->dev);
	} else if (!strcmp(tok[0], "cinval") && ntok == 5) {
		uint64_t e[3];
		uint32_t ent[3];
		bool dom = !strcmp(tok[3], "dom");

		if ((!dom && strcmp(tok[3], "vi")) || parse_colons(tok[4], e, 3) != (dom ? 2 : 3))
			return -EINVAL;
		ent[0] = (uint32_t)e[0];
		ent[1] = (uint32_t)e[1];
		ent[2] = dom ? 0 : (uint32_t)e[2];
		n = 1;
		ret = iommufd_container_invalidate(c, d->dev, dom ? IOMMUFD_INVALIDATE_DOMAIN : 0,
						   dom ? IOFD_HWPT_INVALIDATE_DATA_SELFTEST :
							 IOFD_VIOMMU_INVALIDATE_DATA_SELFTEST,
						   ent, dom ? 8 : 12, &n);
		scn_text_printf(st->out, " => %s done=%u\n", errname(ret), n);
		return 0;
	} else if (!strcmp(tok[0], "cnesting") && ntok == 3) {
		scn_text_printf(st->out, " =>\n");
		print_nesting(st, c, d);
		return 0;
	} else {
		return -EINVAL;
	}
	scn_text_printf(st->out, " => %s\n", errname(ret));
	print_nesting(st, c, d);
	return 0;
}

int scn_nested_step(struct scn_state *st, char **tok, int ntok)
{
	const char *op = tok[0];
	struct scn_queue *q;
	struct scn_dev *d;
	uint32_t id, id2;
	uint64_t v;
	int ret, fd;

	if (!strcmp(op, "viommu") && (ntok == 4 || ntok == 5)) {
		struct iofd_viommu_selftest data = { .in_data = 0x5a5a };
		bool with = ntok == 5 && !strcmp(tok[4], "data");

		d = scn_find_dev(st, tok[2]);
		if (!scn_is_name(tok[1]) || scn_obj_id(st, tok[3], &id) || (ntok == 5 && !with))
			return -EINVAL;
		if (!d)
			return scn_no_device(st);
		ret = iommufd_viommu_alloc(st->be->ctx, iommufd_device_id(d->dev), id,
					   IOFD_VIOMMU_TYPE_SELFTEST, with ? &data : NULL,
					   with ? sizeof(data) : 0, &id2);
		scn_text_printf(st->out, " => %s", errname(ret));
		if (!ret && with)
			scn_text_printf(st->out, " out=0x%x mmap=0x%llx", data.out_data,
					(unsigned long long)data.out_mmap_length);
		scn_text_printf(st->out, "\n");
		return ret ? 0 : scn_name_obj(st, tok[1], id2, false);
	}
	if (!strcmp(op, "vdevice") && ntok == 5) {
		d = scn_find_dev(st, tok[3]);
		if (!scn_is_name(tok[1]) || scn_obj_id(st, tok[2], &id) || scn_parse_u64(tok[4], &v))
			return -EINVAL;
		if (!d)
			return scn_no_device(st);
		ret = iommufd_vdevice_alloc(st->be->ctx, id, iommufd_device_id(d->dev), v, &id2);
		scn_text_printf(st->out, " => %s\n", errname(ret));
		return ret ? 0 : scn_name_obj(st, tok[1], id2, false);
	}
	if (!strcmp(op, "nested") && ntok >= 4)
		return do_nested(st, tok, ntok);
	if (!strcmp(op, "hinval"))
		return do_inval(st, tok, ntok, false);
	if (!strcmp(op, "vinval"))
		return do_inval(st, tok, ntok, true);
	if (!strcmp(op, "iotlb"))
		return do_check(st, tok, ntok, false);
	if (!strcmp(op, "devcache"))
		return do_check(st, tok, ntok, true);
	if (!strcmp(op, "vevent"))
		return do_trigger(st, tok, ntok, true);
	if (!strcmp(op, "iopf"))
		return do_trigger(st, tok, ntok, false);
	if (!strcmp(op, "faultq") && ntok == 2) {
		if (!scn_is_name(tok[1]))
			return -EINVAL;
		ret = iommufd_fault_queue_alloc(st->be->ctx, &id, &fd);
		scn_text_printf(st->out, " => %s\n", errname(ret));
		return ret ? 0 : add_queue(st, tok[1], id, fd, true);
	}
	if (!strcmp(op, "veventq") && ntok == 4) {
		if (!scn_is_name(tok[1]) || scn_obj_id(st, tok[2], &id) || scn_parse_u64(tok[3], &v))
			return -EINVAL;
		ret = iommufd_veventq_alloc(st->be->ctx, id, IOFD_VEVENTQ_TYPE_SELFTEST, (uint32_t)v,
					    &id2, &fd);
		scn_text_printf(st->out, " => %s\n", errname(ret));
		return ret ? 0 : add_queue(st, tok[1], id2, fd, false);
	}
	if (!strcmp(op, "readq") || !strcmp(op, "readf"))
		return do_read(st, tok, ntok);
	if (!strcmp(op, "respond") && ntok == 4) {
		uint64_t cookie, code;

		if (scn_parse_u64(tok[2], &cookie) || scn_parse_u64(tok[3], &code))
			return -EINVAL;
		q = find_queue(st, tok[1]);
		if (!q || q->fd < 0 || !q->fault) {
			scn_text_printf(st->out, " => no such queue open\n");
			return 0;
		}
		ret = iommufd_fault_respond(st->be->ctx, q->fd, (uint32_t)cookie, (uint32_t)code);
		scn_text_printf(st->out, " => %s\n", errname(ret));
		return 0;
	}
	if (!strcmp(op, "closeq") && ntok == 2) {
		q = find_queue(st, tok[1]);
		if (!q || q->fd < 0) {
			scn_text_printf(st->out, " => no such queue open\n");
			return 0;
		}
		ret = iommufd_eventq_close(st->be->ctx, q->fd);
		q->fd = -1;
		scn_text_printf(st->out, " => %s\n", errname(ret));
		return 0;
	}
	return 1;
}

void scn_nested_close_all(struct scn_state *st)
{
	unsigned i;

	for (i = 0; i < st->nqueues; i++)
		if (st->queues[i].fd >= 0)
			iommufd_eventq_close(st->be->ctx, st->queues[i].fd);
	st->nqueues = 0;
}

/* ---- generated nesting sequences ------------------------------------------------ */

/*
 * Sequences on the mock (machine B): nest parents, vIOMMUs, vDEVICEs and
 * stage-1 domains built, attached, replaced, invalidated (good and bad
 * entries), events and page faults raised, read and answered, queues closed,
 * and everything destroyed in every order, right or wrong (a busy parent, a
 * vIOMMU with children, a queue with its file open). Names are reused at
 * random, so that a stale name stands for an object gone. Script n is the same
 * on every run.
 */
struct nrng {
	uint64_t s;
};

static uint64_t nnext(struct nrng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

static unsigned npick(struct nrng *r, unsigned n)
{
	return (unsigned)(nnext(r) % n);
}

void scn_generate_nested(enum scn_flavour flavour, unsigned n, struct scn_text *out)
{
	static const char *const devs[] = { "D0", "D1", "D2" };
	static const char *const parents[] = { "P0", "P1", "Pl" };
	static const char *const viommus[] = { "V0", "V1" };
	static const char *const nesteds[] = { "N0", "N1", "N2" };
	static const char *const vdevs[] = { "X0", "X1", "X2" };
	static const char *const queues[] = { "F0", "Q0", "Q1" };
	static const unsigned iotlbs[] = { 0, 0xbadbeef, 0x77 };
	struct nrng r = { 0x9e3779b97f4a7c15ull ^ ((uint64_t)n * 0x100000001b3ull) };
	unsigned steps = 30 + npick(&r, 30), i;

	(void)flavour;
	scn_text_printf(out, "# generated nesting scenario %u\n", n);
	scn_text_printf(out, "ioas A\nopen D0 dirty\nopen D1 dirty\nopen D2 nodirty\n");
	scn_text_printf(out, "map A 0x1000000 0x100000\n");
	scn_text_printf(out, "hwpt P0 D0 A nest\nhwpt Pl D1 A\n");
	/* most scripts start from what a VMM builds, so that later steps reach the hardware */
	if (npick(&r, 4)) {
		scn_text_printf(out, "faultq F0\nviommu V0 D0 P0\nvdevice X0 V0 D0 %u\n",
				1 + npick(&r, 3));
		scn_text_printf(out, "nested N0 D0 %s iotlb=0x%x fault=F0\nattach D0 N0\n",
				npick(&r, 4) ? "V0" : "P0", iotlbs[npick(&r, 3)]);
		if (npick(&r, 3))
			scn_text_printf(out, "veventq Q0 V0 %u\n", 1 + npick(&r, 3));
		if (npick(&r, 2))
			scn_text_printf(out, "vdevice X1 V0 D1 %u\nnested N1 D1 V0 fault=F0\n"
					"attach D1 N1\n", 4 + npick(&r, 2));
	}
	for (i = 0; i < steps; i++) {
		const char *d = devs[npick(&r, 3)];
		const char *p = parents[npick(&r, 3)];
		const char *v = viommus[npick(&r, 2)];
		const char *nn = nesteds[npick(&r, 3)];
		const char *q = queues[npick(&r, 3)];

		switch (npick(&r, 27)) {
		case 0:
			scn_text_printf(out, "hwpt %s %s A nest%s\n", parents[npick(&r, 2)], d,
					npick(&r, 4) ? "" : " dirty");
			break;
		case 1:
		case 2:
			scn_text_printf(out, "viommu %s %s %s%s\n", v, d, p, npick(&r, 3) ? "" : " data");
			break;
		case 3:
		case 4:
			scn_text_printf(out, "vdevice %s %s %s %u\n", vdevs[npick(&r, 3)], v, d,
					npick(&r, 4));
			break;
		case 5:
		case 6:
		case 7: {
			unsigned k = npick(&r, 10);

			scn_text_printf(out, "nested %s %s %s iotlb=0x%x%s%s\n", nn, d,
					npick(&r, 2) ? v : p, iotlbs[npick(&r, 3)],
					k == 0 ? " type=0x1" : k == 1 ? " len=2" : "",
					npick(&r, 3) ? "" : " fault=F0");
			break;
		}
		case 8:
		case 9:
		case 10:
			scn_text_printf(out, "attach %s %s\n", d,
					npick(&r, 3) ? nn : npick(&r, 2) ? p : "A");
			break;
		case 11:
			scn_text_printf(out, "detach %s\n", d);
			break;
		case 12:
			scn_text_printf(out, "hinval %s %u:%u%s\n", nn, npick(&r, 4) ? 0 : npick(&r, 3),
					npick(&r, 5), npick(&r, 6) ? "" : " 1:0");
			break;
		case 13:
			scn_text_printf(out, "vinval %s %u:%u:%u\n", v, npick(&r, 4) ? 0 : npick(&r, 3),
					npick(&r, 4), npick(&r, 5));
			break;
		case 14:
			scn_text_printf(out, "%s %s %u 0x%x\n", npick(&r, 2) ? "iotlb" : "devcache", d,
					npick(&r, 4), npick(&r, 2) ? 0 : npick(&r, 2) ? 0xbadbeef : 0xbaddad);
			break;
		case 15:
			if (!npick(&r, 4))
				scn_text_printf(out, "faultq F0\n");
			else
				scn_text_printf(out, "veventq %s %s %u\n", queues[1 + npick(&r, 2)], v,
						1 + npick(&r, 3));
			break;
		case 16:
		case 17:
		case 22:
			if (npick(&r, 2)) {
				scn_text_printf(out, "vevent %s\n", npick(&r, 3) ? "D0" : d);
				break;
			}
			scn_text_printf(out, "iopf %s %u %u\n", npick(&r, 3) ? "D0" : d,
					npick(&r, 3) ? 0 : 5, npick(&r, 8));
			if (npick(&r, 2))
				scn_text_printf(out, "readf F0\n");
			if (npick(&r, 2))
				scn_text_printf(out, "respond F0 %u %u\n", 1 + npick(&r, 2), npick(&r, 2));
			break;
		case 18:
		case 23:
			scn_text_printf(out, "%s %s%s\n", q[0] == 'F' ? "readf" : "readq", q,
					npick(&r, 4) ? "" : " 1");
			break;
		case 19:
		case 24:
			scn_text_printf(out, "respond F0 %u %u\n", 1 + npick(&r, 2),
					npick(&r, 5) ? npick(&r, 2) : 7);
			break;
		case 20:
			scn_text_printf(out, "closeq %s\n", q);
			break;
		case 25:
			scn_text_printf(out, "%s %s %u 0x%x\n", npick(&r, 2) ? "iotlb" : "devcache", d,
					npick(&r, 4), iotlbs[npick(&r, 2)]);
			break;
		default: {
			static const char *const any[] = { "N0", "N1", "N2", "V0", "V1", "X0", "X1",
							   "X2", "P0", "P1", "Pl", "F0", "Q0", "Q1" };

			scn_text_printf(out, "destroy %s\n", any[npick(&r, 14)]);
			break;
		}
		}
	}
}
