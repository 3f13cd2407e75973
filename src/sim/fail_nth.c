// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fault injection: the simulator's count of kernel calls (iommufd_sim_fail_nth()) and the
 * file a whole process sees it through, the kernel's /proc/<pid>/task/<tid>/fail-nth
 * (sim_host_open_fail_nth()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_host.h"
#include "sim/sim_internal.h"

bool sim_fail_nth_fires(struct iommufd_sim *sim, int *err)
{
	if (!sim->fail_countdown)
		return false;
	if (--sim->fail_countdown)
		return false;
	*err = -sim->fail_err;
	return true;
}

/*
 * Writing n makes the n-th kernel call from then on fail (ENOMEM, as a failed allocation
 * inside it would), 0 turns it off; reading says how many calls are left before it fires (0
 * once it has). The count is the simulator's: open and ioctl.
 */
static long fail_nth_pread(struct sim_file *f, void *buf, size_t len, uint64_t off)
{
	char text[16];
	size_t n = (size_t)snprintf(text, sizeof(text), "%u\n", f->sim->fail_countdown);

	if (off >= n)
		return 0;
	if (len > n - off)
		len = n - off;
	return sim_user_write((uintptr_t)buf, text + off, len) ? -EFAULT : (long)len;
}

static long fail_nth_read(struct sim_file *f, void *buf, size_t len)
{
	return fail_nth_pread(f, buf, len, 0);
}

static long fail_nth_pwrite(struct sim_file *f, const void *buf, size_t len, uint64_t off)
{
	struct iommufd_sim *sim = f->sim;
	char text[16], *end;
	unsigned long n;

	(void)off;
	if (!len || len >= sizeof(text))
		return -EINVAL;
	if (sim_user_read(text, (uintptr_t)buf, len))
		return -EFAULT;
	text[len] = '\0';
	n = strtoul(text, &end, 0);
	if (end == text || (*end && *end != '\n') || n > UINT32_MAX)
		return -EINVAL;
	sim->fail_countdown = (unsigned int)n;
	sim->fail_err = ENOMEM;
	return (long)len;
}

static long fail_nth_write(struct sim_file *f, const void *buf, size_t len)
{
	return fail_nth_pwrite(f, buf, len, 0);
}

static void fail_nth_release(struct sim_file *f)
{
	free(f);
}

static const struct sim_file_ops fail_nth_ops = {
	.read = fail_nth_read,
	.write = fail_nth_write,
	.pread = fail_nth_pread,
	.pwrite = fail_nth_pwrite,
	.release = fail_nth_release,
};

int sim_host_open_fail_nth(struct iommufd_sim *sim)
{
	struct sim_file *f = calloc(1, sizeof(*f));
	int fd;

	if (!f)
		return -ENOMEM;
	pthread_mutex_lock(&sim->lock);
	fd = sim_file_install(sim, f, &fail_nth_ops, 0);
	pthread_mutex_unlock(&sim->lock);
	if (fd < 0)
		free(f);
	return fd;
}
