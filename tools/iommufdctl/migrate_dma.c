// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * migrate: the DMA workload. Where the devices do not write by themselves (the simulator's,
 * the kernel's selftest mock devices), each round writes random pages of the working set,
 * spread over the devices, and remembers them: every one must be found by the next read.
 */
#include <inttypes.h>
#include <string.h>

#include "migrate.h"

/* xorshift64*: reproducible page choices for a given --seed */
static uint64_t next_random(struct migration *m)
{
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 0x2545f4914f6cdd1dull;
}

/* A device that writes by generated DMA: a physical one on the simulator, a mock one on a
 * real kernel. */
static bool dma_writer(const struct setup *s, unsigned i)
{
	return !s->devs[i].emulated &&
	       (s->cli->simulated || iommufd_device_is_selftest(s->devs[i].dev));
}

enum dma_source dma_source_of(const struct setup *s)
{
	unsigned i;

	for (i = 0; i < s->ndevs; i++)
		if (dma_writer(s, i))
			return s->cli->simulated ? DMA_SIM : DMA_SELFTEST;
	return DMA_DEVICES;
}

void dma_choose_source(struct migration *m)
{
	struct setup *s = m->s;
	unsigned i;

	m->source = dma_source_of(s);
	for (i = 0; i < s->ndevs; i++)
		if (dma_writer(s, i))
			m->writers[m->nwriters++] = s->devs[i].dev;
	if (m->source == DMA_SELFTEST && m->nwriters != s->ndevs)
		cli_warn("only the selftest devices write; the others do their own DMA");
	if (m->source == DMA_DEVICES && m->o->dma_opts_set)
		cli_warn("--dma-rate, --dma-decay and --working-set apply to the simulator only: "
			 "on the real kernel the devices do their own DMA");
}

/* One round's DMA: writes spread over the writers, each at a random page of the working set. */
int dma_generate(struct migration *m, uint64_t writes, struct round *rd)
{
	uint64_t ws_pages = dma_working_set(m->o) / PAGE_4K, i, page, iova;
	struct iommufd_device *dev;
	int ret;

	memset(m->expected, 0, m->words * sizeof(uint64_t));
	/* A round may be billions of writes: a signal is looked at before each. */
	for (i = 0; i < writes && !migrate_stop_signal(); i++) {
		page = next_random(m) % ws_pages;
		iova = m->iova + page * PAGE_4K;
		dev = m->writers[i % m->nwriters];
		if (m->source == DMA_SIM)
			ret = iommufd_sim_dma_write(m->cli->sim, iommufd_device_name(dev), iova,
						    PAGE_4K);
		else
			ret = iommufd_selftest_dirty(dev, iova, PAGE_4K);
		/* Success may be a count (the selftest gives the mock pages it marked). */
		if (ret < 0 && m->source == DMA_SIM) /* the simulator leaves no message */
			return cli_fail_errno(m->cli, ret, "simulator DMA write by %s at iova 0x%" PRIx64,
					      iommufd_device_name(dev), iova);
		if (ret < 0)
			return cli_fail(m->cli, ret, "selftest DMA write by %s at iova 0x%" PRIx64,
					iommufd_device_name(dev), iova);
		m->expected[page / 64] |= 1ull << (page % 64);
	}
	rd->dma_writes = i;
	rd->written = popcount_words(m->expected, m->words);
	return EXIT_OK;
}
