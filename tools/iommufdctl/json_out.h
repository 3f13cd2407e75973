/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --json output: each document is built as json-c objects (keys keep their order) and
 * printed once. What json-c leaves to us: text that is not UTF-8, and numbers of our format.
 */
#ifndef IOMMUFDCTL_JSON_OUT_H
#define IOMMUFDCTL_JSON_OUT_H

#include <stdio.h>

#include <json-c/json.h>

/* A JSON string of s (NULL: ""): invalid UTF-8 (a name from sysfs could be anything)
 * becomes U+FFFD, so that the document stays valid JSON. */
json_object *json_str(const char *s);
/* Milliseconds and rates, with three decimals; a non-finite value is null (NULL). */
json_object *json_fixed3(double v);
/* Prints doc, indented, with a newline, and flushes f. */
void json_print(json_object *doc, FILE *f);

#endif
