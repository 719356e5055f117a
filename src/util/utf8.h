/* src/util/utf8.h: UTF-8 sequence checks shared by everything that cuts or
 * cleans text (tool output, fetched pages, skill files).
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_UTF8_H
#define HERMES_UTIL_UTF8_H

#include <stddef.h>

/* Byte length (1..4) of the valid UTF-8 sequence at s (n > 0 bytes
 * available), or 0 when it is invalid or cut short: overlong forms,
 * surrogates and code points past U+10FFFF are invalid. */
size_t utf8_seq(const unsigned char *s, size_t n);

/* How many bytes of p[0..n) to keep so that it does not end inside a
 * character (a sequence cut short at the end is dropped). */
size_t utf8_trim_end(const char *p, size_t n);

#endif
