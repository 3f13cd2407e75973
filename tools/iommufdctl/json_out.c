// SPDX-License-Identifier: LGPL-2.1-or-later
/* --json output with json-c: see json_out.h. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"
#include "text_safe.h"

json_object *json_str(const char *str)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	json_object *o;
	size_t len = 0;
	char *text;
	int n;

	/* json-c escapes quotes and control characters; it passes other bytes through. */
	while (*s && (n = utf8_seq_len(s)))
		s += n;
	if (!*s)
		return json_object_new_string(str ? str : "");
	/* Each bad byte becomes three: at most three times the length. */
	s = (const unsigned char *)str;
	text = malloc(strlen(str) * 3 + 1);
	if (!text)
		return NULL;
	while (*s) {
		n = utf8_seq_len(s);
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
