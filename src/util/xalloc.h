/* src/util/xalloc.h: allocation that aborts on out-of-memory.
 *
 * OOM policy (STYLE.md §4.4): abort; the web server respawns the responder
 * and durable state is in SQLite. Sizes a client controls are capped before
 * they reach these functions.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_XALLOC_H
#define HERMES_UTIL_XALLOC_H

#include <stddef.h>

/* All return memory the caller frees with free(); never NULL. */
void *xmalloc(size_t n) __attribute__((malloc, returns_nonnull));
void *xcalloc(size_t nmemb, size_t size) __attribute__((malloc, returns_nonnull));
void *xrealloc(void *p, size_t n) __attribute__((returns_nonnull));
char *xstrdup(const char *s) __attribute__((malloc, returns_nonnull));
char *xstrndup(const char *s, size_t n) __attribute__((malloc, returns_nonnull));

#endif
