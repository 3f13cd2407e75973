/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A small streaming JSON writer: indented output, strings escaped to valid JSON. */
#ifndef IOMMUFDCTL_JSON_WRITER_H
#define IOMMUFDCTL_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 16

struct jw {
	FILE *f;
	int depth;
	bool has_items[JW_MAX_DEPTH]; /* per open container: something written already */
	bool after_key;
};

void jw_init(struct jw *w, FILE *f);
void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);

void jw_str(struct jw *w, const char *s);
void jw_u64(struct jw *w, uint64_t v);
void jw_i64(struct jw *w, int64_t v);
void jw_double(struct jw *w, double v); /* non-finite values become null */
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* Ends the document with a newline. */
void jw_finish(struct jw *w);

/* key + value in one call, for objects */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_ku64(struct jw *w, const char *key, uint64_t v);
void jw_ki64(struct jw *w, const char *key, int64_t v);
void jw_kdouble(struct jw *w, const char *key, double v);
void jw_kbool(struct jw *w, const char *key, bool v);
void jw_knull(struct jw *w, const char *key);

/* Writes s as a JSON string literal (quotes included) to f. */
void json_write_string(FILE *f, const char *s);

#endif
