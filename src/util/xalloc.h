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

/* Called once at the start of each program (before a worker forks): with
 * glibc, every block of XALLOC_MAP_MIN bytes or more is mapped on its own,
 * so freeing one gives it back to the system at once and growing one
 * (realloc) moves no bytes. glibc's default raises that threshold to the
 * size of the biggest block freed so far (up to 32 MiB): after one request
 * near the body cap, the next one's blocks would come from the heap, stay
 * there once freed, and leave a hole each time they grow. No effect with
 * other allocators (AddressSanitizer's, musl's). */
#define XALLOC_MAP_MIN (256u * 1024)
void xalloc_tune(void);

#endif
