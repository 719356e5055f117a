/* src/http/query.h: the query string, split and percent-decoded.
 *
 * "a=1&b=x+y&b=%C3%A9" → a: "1", b: "x y", b: "é". '+' is a space, %XX a
 * byte; a bad escape (%G1, a lone %), a decoded NUL or decoded text that is
 * not valid UTF-8 refuses the whole string (400 invalid_query_string), so a
 * handler never sees half-decoded input. Empty segments ("a=1&&b") are
 * skipped, a segment without '=' is a key with value "". Keys may repeat:
 * query_get() gives the first, query_get_nth() each in order.
 * Caps: QUERY_MAX_LEN bytes, QUERY_MAX_PAIRS pairs.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_HTTP_QUERY_H
#define HERMES_HTTP_QUERY_H

#include <stddef.h>

#include "util/err.h"

#define QUERY_MAX_LEN 8192
#define QUERY_MAX_PAIRS 64

struct query_pair {
	const char *key;     /* borrowed from the query's memory */
	const char *value;   /* borrowed from the query's memory; "" when absent */
};

struct query {
	size_t n;
	struct query_pair v[QUERY_MAX_PAIRS];
	char *mem;           /* owned: decoded keys and values */
};

/* An empty query (allocates nothing). */
void query_init(struct query *q);

/* Parse qs (NULL or "" = no pairs) into q, replacing what q held. On error
 * q is empty and err says why: 400 invalid_query_string (bad escape, NUL,
 * invalid UTF-8, more than QUERY_MAX_PAIRS pairs) or 400 query_too_long. */
enum herr query_parse(struct query *q, const char *qs, struct herror *err)
	__attribute__((warn_unused_result));

/* The first value of key (borrowed, valid until q is parsed again or
 * released) or NULL. */
const char *query_get(const struct query *q, const char *key);

/* The nth (0-based) value of key, or NULL past the last. */
const char *query_get_nth(const struct query *q, const char *key, size_t nth);

/* How many times key occurs. */
size_t query_count(const struct query *q, const char *key);

/* Free what q holds; q is empty and reusable afterwards. */
void query_release(struct query *q);

#endif
