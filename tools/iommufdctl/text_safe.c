// SPDX-License-Identifier: LGPL-2.1-or-later
/* Names and messages as text on a terminal: see text_safe.h. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "text_safe.h"

#define ELLIPSIS "..."

int utf8_seq_len(const unsigned char *s)
{
	uint32_t cp;
	int n, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static int escape_byte(unsigned char c, char *out)
{
	switch (c) {
	case '\n':
		return sprintf(out, "\\n");
	case '\t':
		return sprintf(out, "\\t");
	case '\r':
		return sprintf(out, "\\r");
	default:
		return sprintf(out, "\\x%02x", c);
	}
}

/*
 * One character of s as text into out (at most 8 bytes and a NUL): its own bytes, or with
 * escape its escape when it is a control character or not UTF-8. *out_len: the text's
 * length. Returns how many bytes of s it takes.
 */
static int piece(const unsigned char *s, bool escape, char *out, int *out_len)
{
	int n = utf8_seq_len(s);

	if (escape && (n == 0 || (n == 1 && (s[0] < 0x20 || s[0] == 0x7f)))) {
		*out_len = escape_byte(s[0], out);
		return 1;
	}
	/* C1 controls (U+0080..U+009F): some terminals act on them as on ESC sequences. */
	if (escape && n == 2 && s[0] == 0xc2 && s[1] < 0xa0) {
		*out_len = escape_byte(s[0], out);
		*out_len += escape_byte(s[1], out + *out_len);
		return 2;
	}
	if (n == 0)
		n = 1; /* kept as it is: the message is escaped when printed */
	memcpy(out, s, n);
	out[n] = '\0';
	*out_len = n;
	return n;
}

static const char *render(const char *str, bool escape, char *buf, size_t len)
{
	const unsigned char *start = (const unsigned char *)(str ? str : ""), *s;
	size_t total = 0, head, tail_from, at = 0, w = 0;
	bool cut, ellipsis = false;
	char p[16];
	int plen, n;

	if (len < 8) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	for (s = start; *s; s += n) {
		n = piece(s, escape, p, &plen);
		total += plen;
	}
	/* Too long: the head and the tail around "...", both at whole pieces. */
	cut = total > len - 1;
	head = cut ? (len - 1 - strlen(ELLIPSIS)) / 2 : total;
	tail_from = cut ? total - (len - 1 - strlen(ELLIPSIS) - head) : total;
	for (s = start; *s; s += n) {
		n = piece(s, escape, p, &plen);
		if (at + plen <= head) {
			memcpy(buf + w, p, plen);
			w += plen;
		} else if (at >= tail_from) {
			if (!ellipsis) {
				memcpy(buf + w, ELLIPSIS, strlen(ELLIPSIS));
				w += strlen(ELLIPSIS);
				ellipsis = true;
			}
			memcpy(buf + w, p, plen);
			w += plen;
		}
		at += plen;
	}
	if (cut && !ellipsis) {
		memcpy(buf + w, ELLIPSIS, strlen(ELLIPSIS));
		w += strlen(ELLIPSIS);
	}
	buf[w] = '\0';
	return buf;
}

const char *text_show(const char *s, char *buf, size_t len)
{
	return render(s, true, buf, len);
}

const char *text_cut(const char *s, char *buf, size_t len)
{
	return render(s, false, buf, len);
}

void text_put(const char *str, FILE *f)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	char p[16];
	int plen, n;

	for (; *s; s += n) {
		n = piece(s, true, p, &plen);
		fwrite(p, 1, plen, f);
	}
}

int text_width(const char *text)
{
	const unsigned char *p;
	int n = 0;

	/* every byte but a UTF-8 continuation byte starts a character */
	for (p = (const unsigned char *)text; *p; p++)
		n += (*p & 0xc0) != 0x80;
	return n;
}
