/* src/util/utf8.h: UTF-8 sequence checks shared by everything that cuts or
 * cleans text (tool output, fetched pages, skill files).
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_UTF8_H
#define HERMES_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct buf;

/* Byte length (1..4) of the valid UTF-8 sequence at s (n > 0 bytes
 * available), or 0 when it is invalid or cut short: overlong forms,
 * surrogates and code points past U+10FFFF are invalid. */
size_t utf8_seq(const unsigned char *s, size_t n);

/* Bytes of the character at s (n > 0 bytes available): the length of the
 * valid sequence there, or 1 for a byte that starts none (it counts as one
 * character of its own). For walkers that count characters. */
size_t utf8_char_len(const char *s, size_t n);

/* Bytes of the longest prefix of s[0..len) that holds at most max
 * characters (counted as utf8_char_len does), so a cut never splits a
 * valid sequence; *chars (may be NULL) gets its character count. */
size_t utf8_prefix_chars(const char *s, size_t len, size_t max, size_t *chars);

/* How many bytes of p[0..n) to keep so that it does not end inside a
 * character (a sequence cut short at the end is dropped). */
size_t utf8_trim_end(const char *p, size_t n);

/* Is s[0..n) valid UTF-8 throughout (NUL bytes allowed)? */
bool utf8_valid(const char *s, size_t n);

/* Append s[0..n) to out with every byte that does not start a valid
 * sequence replaced by U+FFFD; with drop_nul, NUL bytes are replaced too.
 * The one repair every copier of foreign text uses (tool output, fetched
 * pages, file reads, message content, error texts). Returns buf_add's code
 * (HERR_TOO_LARGE releases out, as buf_add does). */
enum herr utf8_sanitize(struct buf *out, const char *s, size_t n, bool drop_nul);

#endif
