/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Names in messages. A message has IOFD_ERRMSG_MAX bytes and ends with its reason
 * ("...: No such file or directory"); a caller's name may be of any length, and must not
 * push the reason out. Where a name from the caller goes into a message, it goes through here.
 */
#ifndef IOFD_CORE_MSG_NAME_H
#define IOFD_CORE_MSG_NAME_H

/* Room for a name in a message, with its NUL: a long sysfs path fits whole. */
#define IOFD_MSG_NAME_MAX 96

/*
 * name when shorter than IOFD_MSG_NAME_MAX, else its head and its tail around "..." (cut at
 * whole UTF-8 characters) in buf; "(null)" for NULL. Returns what to print.
 */
const char *iofd_msg_name(const char *name, char buf[IOFD_MSG_NAME_MAX]);

#endif
