// SPDX-License-Identifier: LGPL-2.1-or-later
/* Names in messages: see msg_name.h. */
#include <stdbool.h>
#include <string.h>

#include "core/msg_name.h"

#define ELLIPSIS "..."

static bool utf8_continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

const char *iofd_msg_name(const char *name, char buf[IOFD_MSG_NAME_MAX])
{
	size_t len, head, tail, room = IOFD_MSG_NAME_MAX - 1 - strlen(ELLIPSIS);

	if (!name)
		return "(null)";
	len = strlen(name);
	if (len < IOFD_MSG_NAME_MAX)
		return name;
	/* Both ends tell names apart: a path's head, a device's number at the tail. */
	head = room / 2;
	while (head > 0 && utf8_continuation(name[head]))
		head--;
	tail = len - (room - room / 2);
	while (tail < len && utf8_continuation(name[tail]))
		tail++;
	memcpy(buf, name, head);
	memcpy(buf + head, ELLIPSIS, strlen(ELLIPSIS));
	memcpy(buf + head + strlen(ELLIPSIS), name + tail, len - tail);
	buf[head + strlen(ELLIPSIS) + len - tail] = '\0';
	return buf;
}
