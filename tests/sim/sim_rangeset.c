// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulator's run set (a domain's dirty pages): runs removed at the front,
 * as reads and unmaps sweep upwards, move its start instead of the runs after
 * them; the room so freed is used again. Checked against a value-by-value
 * model, in the patterns of a sweep and at random.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/rangeset.h"

#define N 4096u

static void assert_model(const struct sim_rangeset *rs, const unsigned char *model)
{
	unsigned char seen[N] = { 0 };
	uint64_t v;
	size_t i;

	assert_true(rs->n <= rs->cap);
	for (i = 0; i < rs->n; i++) {
		assert_true(rs->r[i].first <= rs->r[i].last && rs->r[i].last < N);
		if (i)
			assert_true(rs->r[i].first > rs->r[i - 1].last + 1);
		for (v = rs->r[i].first; v <= rs->r[i].last; v++)
			seen[v] = 1;
	}
	assert_memory_equal(seen, model, N);
}

static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Every other value, removed from the front a chunk at a time while more come at the end. */
static void a_sweep_moves_the_start(void **state)
{
	static unsigned char model[N];
	struct sim_rangeset rs = { 0 };
	uint64_t v, front = 0;

	memset(model, 0, sizeof(model));
	for (v = 0; v < N / 2; v += 2) {
		assert_int_equal(sim_rangeset_add(&rs, v, v), 0);
		model[v] = 1;
	}
	while (front < N / 2) {
		struct sim_range *first = rs.r;

		assert_int_equal(sim_rangeset_remove(&rs, front, front + 63), 0);
		memset(model + front, 0, 64);
		/* the runs after stayed where they were */
		if (rs.n)
			assert_ptr_equal(rs.r, first + 32);
		front += 64;
		/* more arrive at the end, into the room freed at the front once the end is full */
		assert_int_equal(sim_rangeset_add(&rs, N / 2 + front / 2, N / 2 + front / 2), 0);
		model[N / 2 + front / 2] = 1;
		assert_model(&rs, model);
	}
	sim_rangeset_clear(&rs);
	assert_int_equal(rs.n, 0);
	assert_int_equal(rs.off, 0);
	sim_rangeset_free(&rs);
}

static void random_adds_and_removes(void **state)
{
	static unsigned char model[N];
	struct sim_rangeset rs = { 0 };
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	unsigned op;

	memset(model, 0, sizeof(model));
	for (op = 0; op < 40000; op++) {
		uint64_t a = next_rand(&x) % N, len = 1 + next_rand(&x) % (op % 7 ? 4 : 300);

		if (a + len > N)
			len = N - a;
		if (next_rand(&x) % 2) {
			assert_int_equal(sim_rangeset_add(&rs, a, a + len - 1), 0);
			memset(model + a, 1, len);
		} else {
			assert_int_equal(sim_rangeset_remove(&rs, a, a + len - 1), 0);
			memset(model + a, 0, len);
		}
		if (op % 97 == 0)
			assert_model(&rs, model);
	}
	assert_model(&rs, model);
	sim_rangeset_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_sweep_moves_the_start),
		cmocka_unit_test(random_adds_and_removes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
