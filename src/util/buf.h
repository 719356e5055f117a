/* src/util/buf.h: a growable byte buffer with a required size cap.
 *
 * Invariants: p is NULL (empty, nothing allocated) or points to cap bytes of
 * which len are used and p[len] == '\0'; len <= max. Touch the members only
 * through buf_* (curl DYNBUF.md rule). An append that would pass max releases
 * the buffer and returns HERR_TOO_LARGE, so a half-filled buffer never leaks.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_BUF_H
#define HERMES_UTIL_BUF_H

#include <stddef.h>

#include "util/err.h"

struct buf {
	char *p;     /* owned; NULL until the first append */
	size_t len;  /* bytes used, not counting the NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* largest len allowed */
};

/* Prepare b for use; it may hold at most max bytes. Allocates nothing. */
void buf_init(struct buf *b, size_t max);

/* Free the contents, not the struct; b is empty afterwards, max is kept. */
void buf_release(struct buf *b);

/* Make b empty for reuse. Keeps up to 64 KiB of memory; frees more. */
void buf_reset(struct buf *b);

/* Append n bytes (copies memory). HERR_TOO_LARGE (b released) past max. */
enum herr buf_add(struct buf *b, const void *data, size_t n)
	__attribute__((warn_unused_result));

/* Append as much of n bytes as fits under max, cut so that a UTF-8
 * character is never split; b keeps its contents either way. Returns
 * HERR_OK when all n bytes went in, HERR_TOO_LARGE when the text was cut
 * (what fits is kept: the caller logs or marks the truncation). */
enum herr buf_add_trunc(struct buf *b, const void *data, size_t n);

/* Bytes that can still be appended before max. */
size_t buf_room(const struct buf *b);

/* Append a NUL-terminated string. */
enum herr buf_adds(struct buf *b, const char *s)
	__attribute__((warn_unused_result));

/* Append printf output. */
enum herr buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), warn_unused_result));

/* Borrowed view; "" for an empty buffer; valid until the next buf_* call. */
const char *buf_str(const struct buf *b);
size_t buf_len(const struct buf *b);

/* Append the whole file at path. Returns 0, or the errno (ENOENT: absent;
 * EFBIG: the file would pass the buffer's cap, which then is released). */
int buf_read_file(struct buf *b, const char *path);

/* Hand the contents over: returns a NUL-terminated string the caller frees
 * with free() (never NULL), and leaves b empty. */
char *buf_take(struct buf *b);

#endif
