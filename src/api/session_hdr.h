/* src/api/session_hdr.h: the X-Hermes-Session-Id and X-Hermes-Session-Key
 * request headers. SPEC: runs-discovery-security §4.3
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_SESSION_HDR_H
#define HERMES_API_SESSION_HDR_H

#include <stddef.h>

#include "util/err.h"

struct app;
struct req;

#define API_SESSION_HDR_MAX 256

/* Read and check both headers into id and key (each API_SESSION_HDR_MAX+1
 * bytes; "" when absent). 403 when one is sent but no API key is
 * configured; 400 for control characters, path-unsafe ids or more than 256
 * characters. Errors go to r->err. */
enum herr api_session_headers(struct app *app, struct req *r, char *id, char *key)
	__attribute__((warn_unused_result));

/* "api-" + the first 16 hex digits of SHA-256(system + "\n" + first_user). */
void api_session_derive(const char *system, const char *first_user, char *out, size_t cap);

#endif
