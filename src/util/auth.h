/* src/util/auth.h: API key checks: constant-time compare, key strength,
 * bearer parsing, loopback test. Pure functions.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_AUTH_H
#define HERMES_UTIL_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#define AUTH_KEY_MIN_LEN 16

enum auth_key_state {
	AUTH_KEY_OK = 0,
	AUTH_KEY_MISSING,      /* not set or empty after trimming */
	AUTH_KEY_SHORT,        /* fewer than AUTH_KEY_MIN_LEN bytes after trimming */
	AUTH_KEY_PLACEHOLDER   /* a known placeholder such as "changeme" */
};

/* Compare two byte strings in time that depends only on the lengths. */
bool auth_ct_equal(const void *a, size_t alen, const void *b, size_t blen);

/* Classify a configured key (may be NULL). SPEC: runs-discovery-security §4.1 */
enum auth_key_state auth_key_state(const char *key);

/* One sentence saying what is wrong with a key in state s and how to fix it
 * (static string; "" for AUTH_KEY_OK). */
const char *auth_key_problem(enum auth_key_state s);

/* Parse an Authorization header value "Bearer <token>" (exact, case-sensitive
 * prefix, one space; the token is trimmed). On success *tok points into
 * header (borrowed) and *len is its length. */
bool auth_bearer_token(const char *header, const char **tok, size_t *len);

/* Check an Authorization header against the key in constant time. */
bool auth_check(const char *header, const char *key);

/* True if addr is an IPv4 loopback (127/8), ::1 or ::ffff:127.x.y.z.
 * NULL, empty or unparsable addresses are not loopback (fail closed). */
bool auth_addr_is_loopback(const char *addr);

/* True if a Host header value names this machine locally, as a browser
 * would send it for a page on a loopback listener: "localhost" or a name
 * under ".localhost" (RFC 6761; browsers resolve these to loopback
 * themselves), an IPv4 literal in 127.0.0.0/8, "[::1]" (or a bracketed
 * loopback such as [::ffff:127.0.0.1]), or server_name (may be NULL; a
 * configured host name, compared without case), each with or without a
 * trailing dot and ":port". Anything else, including a name that DNS
 * rebinding pointed at 127.0.0.1, is not local; NULL and "" are not. */
bool auth_host_is_local(const char *host, const char *server_name);

#endif
