/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whole lists (the iommufd_*_all calls): every element in one malloc'd array,
 * read again while the list grows between two reads. Element structs may gain
 * fields later: a caller says the element size it was built with, as the
 * kernel's entry_len does, and gets elements of that size.
 */
#ifndef IOFD_CORE_LIST_ALL_H
#define IOFD_CORE_LIST_ALL_H

#include <stddef.h>

#include "core/ctx.h"

struct iofd_list_spec {
	const char *what;	/* names the list in messages, e.g. "list devices" */
	size_t size;		/* an element as this library knows it */
	size_t min_size;	/* an element as first shipped (iofd_offsetofend() of its last
				 * member then): no caller passes less */
	/*
	 * Writes up to max elements (of size) into buf and returns how many there are (may
	 * exceed max), or -errno with the context's last error set.
	 */
	int (*fill)(void *arg, void *buf, unsigned max);
};

/*
 * Reads the whole list into elements of user_size bytes: what both sides know is
 * copied, the rest of a larger element is zero. Returns the count with *out the
 * array (NULL for 0; the caller frees it), or -errno with *out NULL and the last
 * error set; -EINVAL when user_size is below spec->min_size.
 */
int iofd_list_all(struct iommufd_ctx *ctx, const struct iofd_list_spec *spec, void *arg,
		  size_t user_size, void **out);

#endif
