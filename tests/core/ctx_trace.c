// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Tracing: iommufd_set_log() receives one trace line per kernel call (name,
 * ids, result) and nothing for a call refused before the kernel;
 * IOMMUFD_TRACE=1 sends the lines to stderr, and nothing is written there
 * otherwise. iommufd_set_log_level() chooses which messages are made at all,
 * for the callback or for stderr; IOMMUFD_TRACE still turns trace lines on.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <iommufd/iommufd.h>

#define MAX_LINES 16

struct log_capture {
	int n;
	int levels[MAX_LINES];
	char lines[MAX_LINES][512];
};

static void capture(void *arg, int level, const char *msg)
{
	struct log_capture *c = arg;

	if (c->n < MAX_LINES) {
		c->levels[c->n] = level;
		snprintf(c->lines[c->n], sizeof(c->lines[0]), "%s", msg);
	}
	c->n++;
}

static int trace_lines(const struct log_capture *c)
{
	int i, n = 0;

	for (i = 0; i < c->n && i < MAX_LINES; i++)
		n += c->levels[i] == IOMMUFD_LOG_TRACE;
	return n;
}

static void test_set_log_one_line_per_kernel_call(void **state)
{
	struct log_capture cap = { 0 };
	struct iommufd_ctx *ctx = NULL;
	char result[32];
	uint32_t ioas_id;

	assert_int_equal(iommufd_open("/dev/null", &ctx), 0);
	iommufd_set_log(ctx, capture, &cap);
	snprintf(result, sizeof(result), "%d", -ENOTTY);

	assert_int_equal(iommufd_destroy(ctx, 42), -ENOTTY);
	assert_int_equal(cap.n, 1);
	assert_int_equal(cap.levels[0], IOMMUFD_LOG_TRACE);
	assert_non_null(strstr(cap.lines[0], "DESTROY"));
	assert_non_null(strstr(cap.lines[0], "id=42"));
	assert_non_null(strstr(cap.lines[0], result));
	assert_null(strchr(cap.lines[0], '\n'));

	assert_int_equal(iommufd_ioas_alloc(ctx, &ioas_id), -ENOTTY);
	assert_int_equal(cap.n, 2);
	assert_int_equal(cap.levels[1], IOMMUFD_LOG_TRACE);
	assert_non_null(strstr(cap.lines[1], "IOAS_ALLOC"));
	assert_non_null(strstr(cap.lines[1], result));

	assert_int_equal(iommufd_ioas_unmap(ctx, 7, 0x1000, 0x2000, NULL), -ENOTTY);
	assert_int_equal(cap.n, 3);
	assert_non_null(strstr(cap.lines[2], "IOAS_UNMAP"));
	assert_non_null(strstr(cap.lines[2], "ioas=7"));
	assert_non_null(strstr(cap.lines[2], "0x1000"));
	assert_non_null(strstr(cap.lines[2], "0x2000"));
	assert_non_null(strstr(cap.lines[2], result));
	assert_int_equal(trace_lines(&cap), 3);

	iommufd_close(ctx);
}

static void test_refused_before_kernel_no_trace(void **state)
{
	struct log_capture cap = { 0 };
	struct iommufd_ctx *ctx = NULL;
	uint64_t iova = 0;

	assert_int_equal(iommufd_open("/dev/null", &ctx), 0);
	iommufd_set_log(ctx, capture, &cap);
	/* Unknown flags never reach the kernel: no kernel call, no trace line. */
	assert_int_equal(iommufd_ioas_map(ctx, 3, &iova, 4096, &iova, 0x100), -EINVAL);
	assert_int_equal(trace_lines(&cap), 0);
	assert_non_null(strstr(iommufd_last_error(ctx), "unknown flags"));
	iommufd_close(ctx);
}

static void test_set_log_null_stops(void **state)
{
	struct log_capture cap = { 0 };
	struct iommufd_ctx *ctx = NULL;

	assert_int_equal(iommufd_open("/dev/null", &ctx), 0);
	iommufd_set_log(ctx, capture, &cap);
	assert_int_equal(iommufd_destroy(ctx, 1), -ENOTTY);
	assert_int_equal(cap.n, 1);
	iommufd_set_log(ctx, NULL, NULL);
	assert_int_equal(iommufd_destroy(ctx, 2), -ENOTTY);
	assert_int_equal(cap.n, 1);
	/* The error is still recorded with logging off. */
	assert_non_null(strstr(iommufd_last_error(ctx), "id=2"));
	iommufd_close(ctx);
}

/* Successful calls trace their results too: the ids and IOVAs the kernel chose. */
static void test_trace_shows_kernel_outputs(void **state)
{
	static char buf[4096] __attribute__((aligned(4096)));
	struct log_capture cap = { 0 };
	struct iommufd_device_desc d[16];
	struct iommufd_device *dev = NULL;
	struct iommufd_sim *sim = NULL;
	struct iommufd_ctx *ctx = NULL;
	char want[64];
	uint32_t ioas;
	uint64_t iova;
	int i, n;

	assert_int_equal(iommufd_sim_new(NULL, &sim), 0);
	assert_int_equal(iommufd_sim_open(sim, &ctx), 0);
	iommufd_set_log(ctx, capture, &cap);

	assert_int_equal(iommufd_ioas_alloc(ctx, &ioas), 0);
	assert_int_equal(cap.n, 1);
	snprintf(want, sizeof(want), "ioas=%u", ioas);
	assert_non_null(strstr(cap.lines[0], "IOAS_ALLOC"));
	assert_non_null(strstr(cap.lines[0], want));
	assert_non_null(strstr(cap.lines[0], "= 0"));

	assert_int_equal(iommufd_ioas_map(ctx, ioas, buf, sizeof(buf), &iova, 0), 0);
	assert_int_equal(cap.n, 2);
	snprintf(want, sizeof(want), "iova=0x%llx", (unsigned long long)iova);
	assert_non_null(strstr(cap.lines[1], "IOAS_MAP"));
	assert_non_null(strstr(cap.lines[1], want));

	/* A device open is two kernel calls (open the cdev, bind): two lines. */
	n = iommufd_list_devices(ctx, d, 16);
	for (i = 0; i < n && d[i].emulated; i++)
		;
	assert_true(i < n && n <= 16);
	assert_int_equal(iommufd_device_open(ctx, d[i].name, &dev), 0);
	assert_int_equal(cap.n, 4);
	assert_non_null(strstr(cap.lines[3], "BIND"));
	snprintf(want, sizeof(want), "%u", iommufd_device_id(dev));
	assert_non_null(strstr(cap.lines[3], want));
	assert_non_null(strstr(cap.lines[3], iommufd_device_name(dev)));

	assert_int_equal(iommufd_device_attach_pt(dev, ioas), 0);
	assert_int_equal(cap.n, 5);
	snprintf(want, sizeof(want), "%u", iommufd_device_pt_id(dev));
	assert_non_null(strstr(cap.lines[4], "ATTACH"));
	assert_non_null(strstr(cap.lines[4], want));
	for (i = 0; i < cap.n; i++)
		assert_int_equal(cap.levels[i], IOMMUFD_LOG_TRACE);

	iommufd_device_close(dev);
	assert_int_equal(iommufd_destroy(ctx, ioas), 0);
	iommufd_close(ctx);
	iommufd_sim_free(sim);
}

/* Two failing kernel calls on a context without a kernel. */
static int two_failing_calls(void)
{
	struct iommufd_ctx *ctx = NULL;
	uint32_t ioas_id;

	if (iommufd_open("/dev/null", &ctx))
		return 2;
	if (iommufd_destroy(ctx, 42) != -ENOTTY || iommufd_ioas_alloc(ctx, &ioas_id) != -ENOTTY)
		return 3;
	iommufd_close(ctx);
	return 0;
}

/*
 * Run body in a child whose environment has IOMMUFD_TRACE set to trace (NULL: unset) and
 * return what it wrote to stderr; body's return value is the child's exit status, 0 expected.
 */
static char *child_stderr_of(const char *trace, int (*body)(void))
{
	static char buf[8192];
	size_t len = 0;
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		if (trace)
			setenv("IOMMUFD_TRACE", trace, 1);
		else
			unsetenv("IOMMUFD_TRACE");
		_exit(body());
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(pipefd[0]);
	buf[len] = '\0';
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return buf;
}

static char *child_stderr(const char *trace)
{
	return child_stderr_of(trace, two_failing_calls);
}

static int count_lines_with(const char *text, const char *needle)
{
	const char *line = text;
	int n = 0;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *hit = strstr(line, needle);

		if (hit && hit < line + len)
			n++;
		line += len + (end ? 1 : 0);
	}
	return n;
}

static void test_env_trace_to_stderr(void **state)
{
	const char *out = child_stderr("1");

	assert_int_equal(count_lines_with(out, "DESTROY"), 1);
	assert_int_equal(count_lines_with(out, "id=42"), 1);
	assert_int_equal(count_lines_with(out, "IOAS_ALLOC"), 1);
	/* Every line says where it comes from. */
	assert_int_equal(count_lines_with(out, "iommufd"), count_lines_with(out, ""));
}

static void test_no_trace_without_env(void **state)
{
	/* A library writes nothing to stderr behind the caller's back. */
	assert_string_equal(child_stderr(NULL), "");
	assert_string_equal(child_stderr("0"), "");
}

/* ---- Log levels ---- */

static void sim_ctx(struct iommufd_sim **sim, struct iommufd_ctx **ctx)
{
	assert_int_equal(iommufd_sim_new(NULL, sim), 0);
	assert_int_equal(iommufd_sim_open(*sim, ctx), 0);
}

static void sim_ctx_close(struct iommufd_sim *sim, struct iommufd_ctx *ctx)
{
	iommufd_close(ctx);
	assert_int_equal(iommufd_sim_live_objects(sim), 0);
	iommufd_sim_free(sim);
}

/*
 * A container made (an INFO line, TRACE lines) and freed with its first kernel call (unmap
 * all) failing: one WARN line. 0 or where it went wrong, for children without cmocka.
 */
static int container_with_warning(struct iommufd_sim *sim, struct iommufd_ctx *ctx)
{
	struct iommufd_container *c = NULL;

	if (iommufd_container_new(ctx, 0, &c))
		return 10;
	if (iommufd_sim_fail_nth(sim, 1, EIO))
		return 11;
	iommufd_container_free(c);
	return 0;
}

static int lines_at(const struct log_capture *c, int level)
{
	int i, n = 0;

	for (i = 0; i < c->n && i < MAX_LINES; i++)
		n += c->levels[i] == level;
	return n;
}

static void test_level_warn_callback(void **state)
{
	struct log_capture cap = { 0 };
	struct iommufd_sim *sim = NULL;
	struct iommufd_ctx *ctx = NULL;

	sim_ctx(&sim, &ctx);
	iommufd_set_log(ctx, capture, &cap);
	assert_int_equal(iommufd_set_log_level(ctx, IOMMUFD_LOG_WARN), 0);
	assert_int_equal(container_with_warning(sim, ctx), 0);
	assert_int_equal(cap.n, 1);
	assert_int_equal(cap.levels[0], IOMMUFD_LOG_WARN);
	assert_non_null(strstr(cap.lines[0], "unmap all"));
	/* A failing kernel call keeps its error, and makes no line. */
	assert_int_equal(iommufd_destroy(ctx, 4242), -ENOENT);
	assert_int_equal(cap.n, 1);
	assert_non_null(strstr(iommufd_last_error(ctx), "DESTROY id=4242"));
	sim_ctx_close(sim, ctx);
}

static void test_level_info_and_trace(void **state)
{
	struct log_capture info = { 0 }, trace = { 0 };
	struct iommufd_sim *sim = NULL;
	struct iommufd_ctx *ctx = NULL;

	sim_ctx(&sim, &ctx);
	iommufd_set_log(ctx, capture, &info);
	assert_int_equal(iommufd_set_log_level(ctx, IOMMUFD_LOG_INFO), 0);
	assert_int_equal(container_with_warning(sim, ctx), 0);
	assert_int_equal(lines_at(&info, IOMMUFD_LOG_TRACE), 0);
	assert_true(lines_at(&info, IOMMUFD_LOG_INFO) >= 1);
	assert_int_equal(lines_at(&info, IOMMUFD_LOG_WARN), 1);

	iommufd_set_log(ctx, capture, &trace);
	assert_int_equal(iommufd_set_log_level(ctx, IOMMUFD_LOG_TRACE), 0);
	assert_int_equal(container_with_warning(sim, ctx), 0);
	assert_true(lines_at(&trace, IOMMUFD_LOG_TRACE) >= 2); /* IOAS_ALLOC, DESTROY */
	assert_true(lines_at(&trace, IOMMUFD_LOG_INFO) >= 1);
	assert_int_equal(lines_at(&trace, IOMMUFD_LOG_WARN), 1);
	sim_ctx_close(sim, ctx);
}

/* A level set before the callback holds for it, and for the next one. */
static void test_level_kept_across_set_log(void **state)
{
	struct log_capture cap = { 0 };
	struct iommufd_ctx *ctx = NULL;

	assert_int_equal(iommufd_open("/dev/null", &ctx), 0);
	assert_int_equal(iommufd_set_log_level(ctx, IOMMUFD_LOG_ERROR), 0);
	iommufd_set_log(ctx, capture, &cap);
	assert_int_equal(iommufd_destroy(ctx, 1), -ENOTTY);
	iommufd_set_log(ctx, NULL, NULL);
	iommufd_set_log(ctx, capture, &cap);
	assert_int_equal(iommufd_destroy(ctx, 2), -ENOTTY);
	assert_int_equal(cap.n, 0);
	assert_int_equal(iommufd_set_log_level(ctx, IOMMUFD_LOG_TRACE), 0);
	assert_int_equal(iommufd_destroy(ctx, 3), -ENOTTY);
	assert_int_equal(cap.n, 1);
	assert_non_null(strstr(cap.lines[0], "id=3"));
	iommufd_close(ctx);
}

static void test_level_bad(void **state)
{
	struct log_capture cap = { 0 };
	struct iommufd_ctx *ctx = NULL;

	assert_int_equal(iommufd_set_log_level(NULL, IOMMUFD_LOG_WARN), -EINVAL);
	assert_int_equal(iommufd_open("/dev/null", &ctx), 0);
	iommufd_set_log(ctx, capture, &cap);
	assert_int_equal(iommufd_set_log_level(ctx, IOMMUFD_LOG_TRACE + 1), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(ctx), "log level 4"));
	assert_int_equal(iommufd_set_log_level(ctx, -1), -EINVAL);
	assert_non_null(strstr(iommufd_last_error(ctx), "log level -1"));
	/* Unchanged: the callback still gets everything. */
	assert_int_equal(iommufd_destroy(ctx, 5), -ENOTTY);
	assert_int_equal(cap.n, 1);
	iommufd_close(ctx);
}

/* Without a callback, a level sends the messages to stderr. */
static int warn_to_stderr(void)
{
	struct iommufd_sim *sim = NULL;
	struct iommufd_ctx *ctx = NULL;
	int ret;

	if (iommufd_sim_new(NULL, &sim) || iommufd_sim_open(sim, &ctx))
		return 2;
	if (iommufd_set_log_level(ctx, IOMMUFD_LOG_WARN))
		return 3;
	ret = container_with_warning(sim, ctx);
	if (iommufd_destroy(ctx, 4242) != -ENOENT)
		return 4;
	iommufd_close(ctx);
	iommufd_sim_free(sim);
	return ret;
}

static void test_level_to_stderr(void **state)
{
	const char *out = child_stderr_of(NULL, warn_to_stderr);

	assert_int_equal(count_lines_with(out, ""), 1);
	assert_int_equal(count_lines_with(out, "iommufd: "), 1);
	assert_int_equal(count_lines_with(out, "unmap all"), 1);
	/* With IOMMUFD_TRACE the trace lines come too. */
	out = child_stderr_of("1", warn_to_stderr);
	assert_int_equal(count_lines_with(out, "unmap all"), 1);
	assert_int_equal(count_lines_with(out, "DESTROY id=4242"), 1);
	assert_true(count_lines_with(out, "IOAS_ALLOC") >= 1);
}

/* IOMMUFD_TRACE turns tracing on for a callback at a lower level too. */
static int env_trace_callback_at_warn(void)
{
	struct log_capture cap = { 0 };
	struct iommufd_ctx *ctx = NULL;
	bool ok;

	if (iommufd_open("/dev/null", &ctx))
		return 2;
	iommufd_set_log(ctx, capture, &cap);
	if (iommufd_set_log_level(ctx, IOMMUFD_LOG_WARN))
		return 3;
	if (iommufd_destroy(ctx, 42) != -ENOTTY)
		return 4;
	ok = cap.n == 1 && cap.levels[0] == IOMMUFD_LOG_TRACE && strstr(cap.lines[0], "id=42");
	iommufd_close(ctx);
	return ok ? 0 : 5;
}

static void test_env_trace_beats_level(void **state)
{
	const char *out = child_stderr_of("1", env_trace_callback_at_warn);

	/* Only the open, traced before the callback was set, went to stderr. */
	assert_int_equal(count_lines_with(out, ""), 1);
	assert_int_equal(count_lines_with(out, "open /dev/null"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_log_one_line_per_kernel_call),
		cmocka_unit_test(test_refused_before_kernel_no_trace),
		cmocka_unit_test(test_set_log_null_stops),
		cmocka_unit_test(test_trace_shows_kernel_outputs),
		cmocka_unit_test(test_env_trace_to_stderr),
		cmocka_unit_test(test_no_trace_without_env),
		cmocka_unit_test(test_level_warn_callback),
		cmocka_unit_test(test_level_info_and_trace),
		cmocka_unit_test(test_level_kept_across_set_log),
		cmocka_unit_test(test_level_bad),
		cmocka_unit_test(test_level_to_stderr),
		cmocka_unit_test(test_env_trace_beats_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
