/* src/http/route.h: the route table type and its matcher.
 *
 * A route declares its needs once (cgit cmd.c): method, pattern with {name}
 * segments, flags, body cap, the capability name it is advertised under.
 * The dispatcher checks them before the handler runs.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_HTTP_ROUTE_H
#define HERMES_HTTP_ROUTE_H

#include <stddef.h>

#include "util/err.h"

struct req;

enum route_flag {
	ROUTE_AUTH = 1 << 0,     /* needs the bearer key */
	ROUTE_JSON = 1 << 1,     /* body is a JSON object, parsed before the handler */
	ROUTE_RAW = 1 << 2,      /* body read before the handler and kept as bytes in
	                            r->body, never parsed (signed webhooks verify
	                            exactly what was sent) */
	ROUTE_STORE = 1 << 3,    /* needs the store: 503 store_unavailable without it */
};

/* A handler answers the request through http/resp.h and returns HERR_OK, or
 * returns an error with r->err filled for the dispatcher to render. app is
 * the api layer's struct app. */
typedef enum herr (*route_handler)(void *app, struct req *r);

/* Declared with designated initialisers in api/routes.c. A GET route also
 * answers HEAD (same status and headers, no body). */
struct route {
	const char *method;    /* "GET", "POST", "PATCH", "DELETE", … */
	const char *pattern;   /* "/v1/runs/{run_id}" */
	const char *name;      /* endpoint name in /v1/capabilities, or NULL */
	unsigned flags;        /* enum route_flag */
	size_t max_body;       /* largest body accepted */
	route_handler fn;
};

#define ROUTE_PARAMS_MAX 4
/* 256 bytes and the NUL: a session id as long as X-Hermes-Session-Id allows. */
#define ROUTE_PARAM_LEN 257

struct route_params {
	size_t n;
	struct {
		char name[32];
		char value[ROUTE_PARAM_LEN];
	} v[ROUTE_PARAMS_MAX];
};

enum route_result { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_NO_METHOD };

/* True if path matches pattern; fills params (may be NULL). A {name}
 * segment matches one non-empty path segment of at most ROUTE_PARAM_LEN-1
 * bytes. */
int route_match(const char *pattern, const char *path, struct route_params *params);

/* Find method+path in table[0..n); HEAD finds the GET route. ROUTE_FOUND
 * sets *out and params; ROUTE_NO_METHOD writes the allowed methods
 * (route_methods) into allow. */
enum route_result route_find(const struct route *table, size_t n, const char *method,
			     const char *path, const struct route **out,
			     struct route_params *params, char *allow, size_t allow_cap);

/* The methods the table has for path, in table order, ", "-separated, with
 * HEAD after GET, into allow (cap bytes; "" when the path has no route).
 * Used for the 405 Allow header and the CORS preflight. Returns the count. */
size_t route_methods(const struct route *table, size_t n, const char *path, char *allow,
		     size_t cap);

/* Borrowed value of a {name} parameter or NULL. */
const char *route_param(const struct route_params *params, const char *name);

#endif
