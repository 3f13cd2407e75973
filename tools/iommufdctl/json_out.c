// SPDX-License-Identifier: LGPL-2.1-or-later
/* --json output with json-c: see json_out.h. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static int utf8_len(const unsigned char *s)
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

json_object *json_str(const char *str)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	json_object *o;
	size_t len = 0;
	char *text;
	int n;

	/* json-c escapes quotes and control characters; it passes other bytes through. */
	while (*s && (n = utf8_len(s)))
		s += n;
	if (!*s)
		return json_object_new_string(str ? str : "");
	/* Each bad byte becomes three: at most three times the length. */
	s = (const unsigned char *)str;
	text = malloc(strlen(str) * 3 + 1);
	if (!text)
		return NULL;
	while (*s) {
		n = utf8_len(s);
		if (n) {
			memcpy(text + len, s, n);
			len += n;
			s += n;
		} else {
			memcpy(text + len, replacement, 3);
			len += 3;
			s++;
		}
	}
	text[len] = '\0';
	o = json_object_new_string(text);
	free(text);
	return o;
}

json_object *json_fixed3(double v)
{
	char buf[64];

	if (!isfinite(v))
		return NULL;
	snprintf(buf, sizeof(buf), "%.3f", v);
	return json_object_new_double_s(v, buf);
}

void json_print(json_object *doc, FILE *f)
{
	fprintf(f, "%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
			  JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(f);
}
