/* src/util/str.h: small string helpers with checked parsing.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_STR_H
#define HERMES_UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse all of s (no sign, no spaces, no trailing bytes) as a decimal
 * integer in [0, max] into *out. Returns false on anything else. */
bool str_to_size(const char *s, size_t max, size_t *out);

/* Parse all of s as a decimal long in [min, max]; false on anything else. */
bool str_to_long(const char *s, long min, long max, long *out);

/* The same for a 64-bit integer (long is 32 bits on armhf). */
bool str_to_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/* True if s starts with prefix. */
bool str_starts(const char *s, const char *prefix);

/* True if name is one of the items of list, items separated by runs of
 * the bytes in seps (list NULL: none). */
bool str_list_has(const char *list, const char *seps, const char *name);

/* ASCII case-insensitive equality. */
bool str_ieq(const char *a, const char *b);

/* Borrowed view of s with ASCII white space trimmed on both sides:
 * *out_len bytes starting at the returned pointer. */
const char *str_trim(const char *s, size_t len, size_t *out_len);

/* True if s[0..len) contains a byte below 0x20 or 0x7f. */
bool str_has_ctl(const char *s, size_t len);

/* Copy s into dst (cap bytes), replacing control bytes by '?' and cutting
 * at cap-1 bytes; for putting client-supplied text into log lines. */
void str_sanitize(char *dst, size_t cap, const char *s);

#endif
