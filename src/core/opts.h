/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Options of the calls that can grow (libbpf style, see IOMMUFD_OPTS in
 * iommufd.h): the caller's struct starts with size_t size, the sizeof of the
 * struct it was built with. Every such call takes its options through
 * iofd_opts_copy(), which accepts them as the kernel's copy_struct_from_user()
 * does.
 *
 * Rules for an options struct, so that it can grow safely:
 *  - size_t size first; new members only at the end, never in place of old ones;
 *  - no implicit padding (a caller's padding bytes are not guaranteed zero):
 *    fill it with a "reserved" member that must be 0, which a later version
 *    may turn into a real one; IOFD_OPTS_NO_PADDING() checks it;
 *  - every member's default is 0;
 *  - one shape on every arch (tests/abi/layout.c): where size_t has 4 bytes, a uint32_t
 *    size_pad after size puts a 64-bit member where 64-bit arches have it, with no hole.
 */
#ifndef IOFD_CORE_OPTS_H
#define IOFD_CORE_OPTS_H

#include <stddef.h>

#include "core/ctx.h"

/* The offset just past member m of struct type T. */
#define iofd_offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))

/* The struct ends with member last and holds no padding. */
#define IOFD_OPTS_NO_PADDING(T, last) \
	_Static_assert(sizeof(T) == iofd_offsetofend(T, last), #T " has padding")

/* A caller's size above this is refused unread (as openat2() does above a page). */
#define IOFD_OPTS_MAX_SIZE 4096

/*
 * Take the caller's opts (NULL: all defaults) into out, a zeroed struct of
 * known bytes (the library's sizeof): min(size, known) bytes are copied, the
 * rest stays 0, so that a member an older caller does not have reads as its
 * default. Refused, with a message naming call, changing nothing:
 *  - size below min_size (the end of the first version's last member): -EINVAL;
 *  - size above known with any byte beyond known not zero (a newer member in
 *    use that this library does not know), or above IOFD_OPTS_MAX_SIZE: -E2BIG.
 * 0 or -errno.
 */
int iofd_opts_copy(struct iommufd_ctx *ctx, const char *call, const void *opts, size_t known,
		   size_t min_size, void *out);

/*
 * Write an answer back into the caller's struct opts (one iofd_opts_copy()
 * accepted): the known bytes of answer (the library's sizeof) as far as the
 * caller's size reaches; the caller's size member stays as it is.
 */
void iofd_opts_write_back(void *opts, const void *answer, size_t known);

#endif
