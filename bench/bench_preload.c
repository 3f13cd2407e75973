// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What libiommufd-preload costs a program's own files: read() and write() of
 * small blocks on an ordinary file (in the page cache, so that the system call
 * itself dominates), timed with and without the shim by preload_cost.py.
 *
 *   bench_preload [CALLS]    prints ns per read() and per write()
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 1000000, i;
	char path[] = "/tmp/bench_preload.XXXXXX", buf[64] = "0123456789";
	double t0, t_write, t_read;
	int fd = mkstemp(path);

	if (fd < 0 || calls <= 0) {
		perror("bench_preload");
		return 1;
	}
	unlink(path);
	t0 = now_ns();
	for (i = 0; i < calls; i++) {
		if (pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf) || write(fd, buf, 0) != 0)
			return 1;
	}
	t_write = (now_ns() - t0) / calls / 2;
	t0 = now_ns();
	for (i = 0; i < calls; i++) {
		if (lseek(fd, 0, SEEK_SET) || read(fd, buf, sizeof(buf)) != sizeof(buf))
			return 1;
	}
	t_read = (now_ns() - t0) / calls / 2;
	printf("write %.1f ns/call, read %.1f ns/call (%ld calls each)\n", t_write, t_read, calls);
	close(fd);
	return 0;
}
