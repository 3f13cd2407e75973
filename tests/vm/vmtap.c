// SPDX-License-Identifier: LGPL-2.1-or-later
/* The guest programs' TAP producer: one forked child per case. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmtap.h"

/* A case that runs longer than this is stuck: kill it and fail it. */
#define VT_CASE_TIMEOUT_S 120
#define VT_EXIT_SKIP 77

static const char *errnames[] = {
	[EPERM] = "EPERM",     [ENOENT] = "ENOENT",   [ESRCH] = "ESRCH",
	[EINTR] = "EINTR",     [EIO] = "EIO",         [ENXIO] = "ENXIO",
	[E2BIG] = "E2BIG",     [EBADF] = "EBADF",     [EAGAIN] = "EAGAIN",
	[ENOMEM] = "ENOMEM",   [EACCES] = "EACCES",   [EFAULT] = "EFAULT",
	[EBUSY] = "EBUSY",     [EEXIST] = "EEXIST",   [ENODEV] = "ENODEV",
	[ENOTDIR] = "ENOTDIR", [EINVAL] = "EINVAL",   [ENOSPC] = "ENOSPC",
	[ERANGE] = "ERANGE",   [ENOTTY] = "ENOTTY",   [ENOSYS] = "ENOSYS",
	[EMSGSIZE] = "EMSGSIZE", [EOPNOTSUPP] = "EOPNOTSUPP",
	[EOVERFLOW] = "EOVERFLOW", [EDOM] = "EDOM", [EADDRINUSE] = "EADDRINUSE",
};

const char *vt_errname(long long err)
{
	static __thread char buf[32];
	long long e = err < 0 ? -err : err;

	if (e == 0)
		return "0";
	if (e < (long long)(sizeof(errnames) / sizeof(errnames[0])) && errnames[e])
		return errnames[e];
	snprintf(buf, sizeof(buf), "%lld", err);
	return buf;
}

static void vprint_prefixed(const char *prefix, const char *fmt, va_list ap)
{
	char msg[1024];
	char *line, *save;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (line = strtok_r(msg, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("%s%s\n", prefix, line);
	fflush(stdout);
}

void vt_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_prefixed("# ", fmt, ap);
	va_end(ap);
}

void vt_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("# %s:%d:\n", file, line);
	va_start(ap, fmt);
	vprint_prefixed("#   ", fmt, ap);
	va_end(ap);
	_exit(1);
}

void vt_skip(const char *fmt, ...)
{
	va_list ap;
	FILE *f;

	/* The reason goes to the parent through a file it reads after wait. */
	f = fopen("/tmp/.vt_skip_reason", "w");
	if (f) {
		va_start(ap, fmt);
		vfprintf(f, fmt, ap);
		va_end(ap);
		fclose(f);
	}
	_exit(VT_EXIT_SKIP);
}

static bool selected(int argc, char **argv, const char *name)
{
	int i;

	if (argc <= 1)
		return true;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run one case in a child; 0 pass, 1 fail, 2 skip. */
static int run_case(void (*fn)(void *), void *arg, char *reason, size_t reason_len)
{
	int status, ret;
	pid_t pid;

	reason[0] = '\0';
	unlink("/tmp/.vt_skip_reason");
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		snprintf(reason, reason_len, "fork: %s", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		alarm(VT_CASE_TIMEOUT_S);
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(reason, reason_len, "waitpid: %s", strerror(errno));
			return 1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == VT_EXIT_SKIP) {
		FILE *f = fopen("/tmp/.vt_skip_reason", "r");

		if (f) {
			if (!fgets(reason, reason_len, f))
				reason[0] = '\0';
			fclose(f);
		}
		return 2;
	}
	if (WIFSIGNALED(status)) {
		ret = WTERMSIG(status);
		snprintf(reason, reason_len, "%s", ret == SIGALRM ? "timed out" : strsignal(ret));
	}
	return 1;
}

static void call_plain(void *arg)
{
	((const struct vt_case *)arg)->fn();
}

bool vt_run_case(unsigned n, const char *name, void (*fn)(void *), void *arg)
{
	return vt_run_case_todo(n, name, NULL, fn, arg);
}

bool vt_run_case_todo(unsigned n, const char *name, const char *todo, void (*fn)(void *),
		      void *arg)
{
	char reason[256];
	double t0 = now_s();
	int r;

	r = run_case(fn, arg, reason, sizeof(reason));
	if (todo) {
		/* a known gap: reported, not counted; a pass says the gap is gone */
		printf("%s %u - %s # TODO %s\n", r == 1 ? "not ok" : "ok", n, name, todo);
		fflush(stdout);
		return true;
	}
	if (r == 0) {
		printf("ok %u - %s\n", n, name);
		if (now_s() - t0 > 5)
			printf("# %s took %.1f s\n", name, now_s() - t0);
	} else if (r == 2) {
		printf("ok %u - %s # SKIP %s\n", n, name, reason);
	} else {
		if (reason[0])
			printf("#   %s\n", reason);
		printf("not ok %u - %s\n", n, name);
	}
	fflush(stdout);
	return r != 1;
}

int vt_main(int argc, char **argv, const struct vt_case *cases, size_t ncases)
{
	size_t i, n = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < ncases; i++)
		n += selected(argc, argv, cases[i].name);
	printf("1..%zu\n", n);
	n = 0;
	for (i = 0; i < ncases; i++) {
		if (!selected(argc, argv, cases[i].name))
			continue;
		n++;
		if (!vt_run_case(n, cases[i].name, call_plain, (void *)&cases[i]))
			failed++;
	}
	return failed ? 1 : 0;
}
