/* Writing JSON strings: every byte string becomes valid JSON. */
#ifndef ST_JSON_OUT_H
#define ST_JSON_OUT_H

#include <stddef.h>
#include <stdio.h>

/* Writes s[0..len) as a quoted JSON string. Valid UTF-8 passes through; control characters,
 * '"' and '\\' are escaped; each byte that is not part of valid UTF-8 is written as \u00XX
 * (its Latin-1 reading), so the output is always valid JSON and bytes can be recovered. */
void st_json_string(FILE *f, const unsigned char *s, size_t len);

#endif
