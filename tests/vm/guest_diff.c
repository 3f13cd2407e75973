// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Differential tests: each scenario runs on the real kernel and on the
 * simulator (a topology mirroring this machine), and the transcripts must be
 * identical; afterwards the simulator must hold no object. Hand-written
 * scenarios come from /tests/data/<flavour>-*.scn, then VMTEST_DIFF_COUNT
 * (default 150) generated object sequences and VMTEST_DIFF_CONTAINER_COUNT
 * (default 80) generated container sequences per machine, and on machine B
 * VMTEST_DIFF_NESTED_COUNT (default 60) generated nesting sequences (vIOMMUs,
 * stage-1 domains, invalidation, events, faults, destroys in every order). A
 * disagreement prints the script
 * and both transcripts from the first differing line: the kernel is right.
 * A script with a line "# show transcript" prints the kernel's transcript.
 *
 * The simulator imitates the running kernel (its "kernel" topology key). On
 * 7.x the mock IOMMU keeps dirty bits per page table entry, and entries span
 * several pages where the pinned pages happen to be physically contiguous:
 * there a dirty read may report pages the device did not write. Such a line
 * passes when it holds the guarantee: every page the simulator reports is
 * reported, and each extra page shares a naturally aligned block of at most
 * 2 MiB (the largest such entry here) with one of them.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_common.h"
#include "scenario.h"

#define DATA_DIR "/tests/data"

struct diff_case {
	enum scn_flavour flavour;
	const char *script;
};

static void print_from(const char *label, const char *text, size_t from, int max)
{
	const char *p = text + from;
	int lines = 0;

	vt_note("%s:", label);
	while (*p && lines < max) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		vt_note("  %.*s", len, p);
		lines++;
		p = nl ? nl + 1 : p + len;
	}
}

/* "N: bitmap|cread NAME IOVA LEN PAGE ... => RESULT W0..W3": page size, result, words (0 past) */
static bool parse_read(const char *line, size_t len, uint64_t *page, long *result, uint64_t *w)
{
	char buf[512], *arrow, *p, *end;
	int i, used;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, line, len);
	buf[len] = '\0';
	arrow = strstr(buf, " => ");
	if (!arrow || (!strstr(buf, ": bitmap ") && !strstr(buf, ": cread ")))
		return false;
	*arrow = '\0';
	/* the fifth word after "N:" is PAGE */
	p = strchr(buf, ':') + 1;
	for (i = 0; i < 4 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %" SCNi64, page) != 1 || !*page)
		return false;
	*result = strtol(arrow + 4, &end, 10);
	if (end == arrow + 4)
		return false;
	for (i = 0; i < 4; i++) {
		w[i] = 0;
		if (sscanf(end, " %16" SCNx64 "%n", &w[i], &used) == 1)
			end += used;
	}
	return !*end;
}

/*
 * A dirty read where the kernel (7.x, mock) reports more than the simulator:
 * true when every simulated bit is there and each extra bit shares an aligned
 * block of at most 2 MiB of IOVA with one.
 */
static bool extra_pages_explained(const char *k, size_t klen, const char *s, size_t slen,
				  unsigned *extra)
{
	uint64_t kp, sp, kw[4], sw[4], block;
	long kr, sr;
	unsigned b, i;

	if (!parse_read(k, klen, &kp, &kr, kw) || !parse_read(s, slen, &sp, &sr, sw))
		return false;
	/* the same command, the same success */
	if (memcmp(k, s, strstr(k, " => ") - k + 4) || (kr < 0) != (sr < 0) || kr < sr)
		return false;
	block = kp >= (2u << 20) ? 1 : (2u << 20) / kp;
	if (block > 256)
		block = 256;
	*extra = 0;
	for (i = 0; i < 4; i++)
		if ((kw[i] & sw[i]) != sw[i])
			return false;
	for (b = 0; b < 256; b++) {
		unsigned first = b & ~(unsigned)(block - 1), j;
		bool near = false;

		if (!(kw[b / 64] >> (b % 64) & 1) || (sw[b / 64] >> (b % 64) & 1))
			continue;
		for (j = first; j < first + block && !near; j++)
			near = sw[j / 64] >> (j % 64) & 1;
		if (!near)
			return false;
		(*extra)++;
	}
	return true;
}

static size_t line_len(const char *p)
{
	return strcspn(p, "\n");
}

/* Compare line by line; 0 when alike, else the offset of the first differing line + 1. */
static size_t compare(const char *kt, const char *st, bool entries, unsigned *extra)
{
	const char *k = kt, *s = st;

	*extra = 0;
	while (*k || *s) {
		size_t kl = line_len(k), sl = line_len(s);
		unsigned more = 0;

		if (kl != sl || memcmp(k, s, kl)) {
			if (!entries || !extra_pages_explained(k, kl, s, sl, &more))
				return (size_t)(k - kt) + 1;
			*extra += more;
		}
		k += kl + (k[kl] == '\n');
		s += sl + (s[sl] == '\n');
	}
	return 0;
}

static void run_diff(void *arg)
{
	const struct diff_case *dc = arg;
	struct scn_text kt = { 0 }, st = { 0 };
	struct scn_backend kb = { .label = "kernel", .flavour = dc->flavour };
	struct scn_backend sb = { .label = "sim", .flavour = dc->flavour };
	size_t i, line_start = 0, differs;
	unsigned extra = 0;
	char kname[16];
	long live;
	int kr, sr;

	snprintf(kname, sizeof(kname), "%d.%d", vm_kernel() / 100, vm_kernel() % 100);
	vt_ok(iommufd_open(NULL, &kb.ctx));
	if (iommufd_sim_new(scn_sim_topology_kernel(dc->flavour, kname), &sb.sim))
		vt_fail(__FILE__, __LINE__, "sim topology: %s", iommufd_sim_last_error());
	vt_ok(iommufd_sim_open(sb.sim, &sb.ctx));

	kr = scn_run(&kb, dc->script, &kt);
	sr = scn_run(&sb, dc->script, &st);
	iommufd_close(kb.ctx);
	iommufd_close(sb.ctx);
	live = iommufd_sim_live_objects(sb.sim);
	iommufd_sim_free(sb.sim);

	if (kr == -EINVAL && sr == -EINVAL && kt.s && st.s && !strcmp(kt.s, st.s))
		vt_fail(__FILE__, __LINE__, "script error:\n%s", kt.s);
	differs = kt.s && st.s ?
			  compare(kt.s, st.s, dc->flavour == SCN_MOCK && vm_kernel() >= 700, &extra) :
			  1;
	if (differs)
		line_start = differs - 1;
	(void)i;
	if (extra)
		vt_note("linux %s reported %u pages more than written (entries over contiguous "
			"pages), each beside a written one", kname, extra);
	if (differs) {
		vt_note("script:\n%s", dc->script);
		print_from("kernel", kt.s ? kt.s : "", line_start, 12);
		print_from("sim", st.s ? st.s : "", line_start, 12);
		vt_fail(__FILE__, __LINE__, "the simulator disagrees with the kernel");
	}
	if (strstr(dc->script, "# show transcript"))
		print_from("kernel transcript", kt.s ? kt.s : "", 0, 10000);
	if (live != 0) {
		vt_note("script:\n%s", dc->script);
		vt_fail(__FILE__, __LINE__, "%ld simulated objects left after the context closed",
			live);
	}
	scn_text_free(&kt);
	scn_text_free(&st);
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/*
 * A scenario that shows a known, reported simulator gap says so in a line
 * "# todo: <why>": it runs as a TAP TODO until the simulator learns it.
 */
static void todo_of(const char *script, char *out, size_t len)
{
	const char *p = strstr(script, "# todo: ");
	size_t n;

	out[0] = '\0';
	if (!p)
		return;
	p += strlen("# todo: ");
	n = strcspn(p, "\n");
	snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), p);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	enum scn_flavour flavour = vm_is_a() ? SCN_VTD : SCN_MOCK;
	const char *prefix = flavour == SCN_VTD ? "vtd-" : "mock-";
	const char *count_env = getenv("VMTEST_DIFF_COUNT");
	const char *ccount_env = getenv("VMTEST_DIFF_CONTAINER_COUNT");
	const char *ncount_env = getenv("VMTEST_DIFF_NESTED_COUNT");
	unsigned count = count_env ? (unsigned)atoi(count_env) : 150;
	unsigned ccount = ccount_env ? (unsigned)atoi(ccount_env) : 80;
	unsigned ncount = flavour == SCN_MOCK ? (ncount_env ? (unsigned)atoi(ncount_env) : 60) : 0;
	struct dirent **ents = NULL;
	unsigned n = 0, failed = 0, i;
	int nents;

	(void)argc;
	(void)argv;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!vm_is_a() && !vm_is_b()) {
		printf("1..0 # SKIP not in the test VM\n");
		return 0;
	}
	nents = scandir(DATA_DIR, &ents, NULL, by_name);
	for (i = 0; nents > 0 && i < (unsigned)nents; i++)
		n += !strncmp(ents[i]->d_name, prefix, strlen(prefix));
	printf("1..%u\n", n + count + ccount + ncount);

	n = 0;
	for (i = 0; nents > 0 && i < (unsigned)nents; i++) {
		struct diff_case dc = { .flavour = flavour };
		char path[512], todo[200];
		char *text;

		if (strncmp(ents[i]->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), DATA_DIR "/%s", ents[i]->d_name);
		text = read_text(path);
		dc.script = text ? text : "# unreadable\nbogus\n";
		todo_of(dc.script, todo, sizeof(todo));
		failed += !vt_run_case_todo(++n, ents[i]->d_name, todo[0] ? todo : NULL, run_diff,
					    &dc);
		free(text);
	}
	for (i = 0; i < count; i++) {
		struct scn_text gen = { 0 };
		struct diff_case dc = { .flavour = flavour };
		char name[64];

		scn_generate(flavour, i, &gen);
		dc.script = gen.s;
		snprintf(name, sizeof(name), "generated %s scenario %u", prefix, i);
		failed += !vt_run_case(++n, name, run_diff, &dc);
		scn_text_free(&gen);
	}
	for (i = 0; i < ccount; i++) {
		struct scn_text gen = { 0 };
		struct diff_case dc = { .flavour = flavour };
		char name[64];

		scn_generate_container(flavour, i, &gen);
		dc.script = gen.s;
		snprintf(name, sizeof(name), "generated container %s scenario %u", prefix, i);
		failed += !vt_run_case(++n, name, run_diff, &dc);
		scn_text_free(&gen);
	}
	for (i = 0; i < ncount; i++) {
		struct scn_text gen = { 0 };
		struct diff_case dc = { .flavour = flavour };
		char name[64];

		scn_generate_nested(flavour, i, &gen);
		dc.script = gen.s;
		snprintf(name, sizeof(name), "generated nesting scenario %u", i);
		failed += !vt_run_case(++n, name, run_diff, &dc);
		scn_text_free(&gen);
	}
	for (i = 0; nents > 0 && i < (unsigned)nents; i++)
		free(ents[i]);
	free(ents);
	return failed ? 1 : 0;
}
