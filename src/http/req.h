/* src/http/req.h: one HTTP request as the responder sees it.
 *
 * Lifecycle (lighttpd request_reset): req_init() once per process,
 * req_begin() at each accept, req_reset() at the end of each request, which
 * frees everything the request allocated so nothing grows per request.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_HTTP_REQ_H
#define HERMES_HTTP_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "http/query.h"
#include "http/route.h"
#include "util/buf.h"
#include "util/err.h"

struct hio;
struct json_object;

#define REQ_BODY_MAX 10000000  /* SPEC: runs-discovery-security §1.1 */
#define REQ_DRAIN_MAX (64u * 1024 * 1024)
#define REQ_ID_LEN 16
/* JSON values (and object keys) one request body may hold: json-c spends
 * ~100 bytes per value, so this bounds a request's tree to tens of MB. */
#define REQ_JSON_VALUES_MAX 200000
#define REQ_JSON_DEPTH 64
/* Past these the heap is handed back to the system at req_reset. */
#define REQ_TRIM_BODY (1024u * 1024)
#define REQ_TRIM_VALUES 20000

struct req {
	struct hio *io;              /* borrowed for the request */
	char id[REQ_ID_LEN + 1];     /* random hex, sent as X-Request-Id */
	struct timespec started;

	const char *method;          /* borrowed from the params; "GET" if absent */
	char *path;                  /* owned: full request path without query */
	const char *route_path;      /* borrowed (points into path or base_path
	                                stripped copy): the API path matched */
	const char *query;           /* borrowed; "" if none */
	struct query q;              /* owned: query decoded by req_query() */
	bool q_parsed;
	enum herr q_rc;              /* what parsing it returned */

	size_t content_length;       /* valid when has_body */
	bool has_body;               /* CONTENT_LENGTH present and > 0 */
	size_t body_read;            /* bytes consumed from the body stream */
	struct buf body;             /* owned: the body once read (emptied once
	                                parsed into json: ROUTE_JSON routes
	                                see only the tree) */
	struct json_object *json;    /* owned: parsed body, NULL until parsed */
	bool trim;                   /* big body or tree: malloc_trim at reset */

	const struct route *route;   /* borrowed from the route table */
	struct route_params params;  /* values of {name} segments */

	struct buf headers;          /* owned: extra response header lines */
	int status;                  /* status sent, 0 until headers went out */
	bool auth_ok;                /* the bearer key matched */

	struct herror err;           /* the error to render, if any */
};

/* Prepare r for its first request; allocates nothing. */
void req_init(struct req *r);

/* Start a request on io: id, method, path, query, content length.
 * HERR_BAD_REQUEST (invalid_content_length) or HERR_TOO_LARGE
 * (body_too_large, for bodies over max_body) leave r->err set; the request
 * is still usable for answering. */
enum herr req_begin(struct req *r, struct hio *io, size_t max_body)
	__attribute__((warn_unused_result));

/* Free per-request memory (keeps small buffers for reuse). After a big body
 * or tree, freed heap is given back to the system (malloc_trim), so one
 * large request does not leave the responder large for life. */
void req_reset(struct req *r);

/* Free everything (end of process). */
void req_release(struct req *r);

/* A request header by its HTTP name ("Authorization", "Origin",
 * "Content-Type"); borrowed or NULL. */
const char *req_header(const struct req *r, const char *name);

/* A CGI parameter (SERVER_ADDR, REMOTE_ADDR, …); borrowed or NULL. */
const char *req_param(const struct req *r, const char *name);

/* The decoded query string (query.h), parsed on first use; *out borrowed
 * until req_reset. A malformed one is 400 invalid_query_string in r->err. */
enum herr req_query(struct req *r, const struct query **out) __attribute__((warn_unused_result));

/* Read the whole body (up to content_length) into r->body. */
enum herr req_read_body(struct req *r) __attribute__((warn_unused_result));

/* Read the body and parse it as a JSON object into r->json (owned by r).
 * The body is checked first (jsonx_check: strict RFC 8259, nesting at most
 * REQ_JSON_DEPTH, at most REQ_JSON_VALUES_MAX values) so no tree is built
 * for a body that is refused. 400 invalid_json for malformed JSON, too deep
 * nesting or a non-object; 413 too_many_values. r->body is emptied once
 * parsed (its big buffer freed). */
enum herr req_read_json(struct req *r) __attribute__((warn_unused_result));

/* Read the body the way r->route declares: ROUTE_JSON parses it into
 * r->json (req_read_json), ROUTE_RAW keeps the bytes in r->body
 * (req_read_body), any other route leaves it for req_drain. */
enum herr req_read_for_route(struct req *r) __attribute__((warn_unused_result));

/* Read and discard what is left of the body (so a web server that sends the
 * whole body before reading the answer, like mod_fcgid, is not blocked). */
void req_drain(struct req *r);

/* Milliseconds since req_begin. */
double req_elapsed_ms(const struct req *r);

#endif
