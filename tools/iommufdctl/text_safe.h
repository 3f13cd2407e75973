/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Names and messages as text on a terminal. Device and IOMMU names come from sysfs or from a
 * topology file, and the command line: any bytes. Shown raw, a newline breaks a table row
 * in two and an ESC sends the terminal a command. Every name the tool prints as text goes
 * through here; JSON output escapes by itself and keeps the bytes exact.
 */
#ifndef IOMMUFDCTL_TEXT_SAFE_H
#define IOMMUFDCTL_TEXT_SAFE_H

#include <stddef.h>
#include <stdio.h>

/* Room for a name in text: longer ones are cut in the middle ("head...tail"). */
#define TEXT_NAME_MAX 128

/* Length of the valid UTF-8 sequence at s (s[0] != 0), or 0 if it is not one. */
int utf8_seq_len(const unsigned char *s);

/*
 * s for a terminal, in buf (len bytes, at least 8): control characters (C0, DEL, C1) and
 * bytes that are not UTF-8 escaped as \n, \t, \r or \xNN; cut in the middle when longer
 * than len - 1 ("head...tail", at whole characters and escapes). Returns buf.
 */
const char *text_show(const char *s, char *buf, size_t len);
/*
 * s for a message that is escaped when printed (and exact in JSON): only cut in the middle,
 * at whole UTF-8 characters, when longer than len - 1. Returns buf.
 */
const char *text_cut(const char *s, char *buf, size_t len);
/* The columns text (already shown: printable UTF-8) takes on a terminal, a column a
 * character. */
int text_width(const char *text);
/* Writes s escaped as text_show() does, whole. */
void text_put(const char *s, FILE *f);

#endif
