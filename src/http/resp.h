/* src/http/resp.h: the only writer of status lines and response headers.
 *
 * Every response gets Content-Type, X-Request-Id, Cache-Control: no-store,
 * the reference server's security headers (SPEC: runs-discovery-security
 * §1.3), and whatever extra lines were queued with resp_header() (CORS,
 * Allow, Vary). A whole response is composed in one buffer and written with
 * one hio_write, so the web server sees it in one FastCGI record run.
 * Error envelopes are rendered here and nowhere else.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_HTTP_RESP_H
#define HERMES_HTTP_RESP_H

#include <stddef.h>

#include "util/err.h"

struct req;
struct herror;
struct json_object;

/* Queue an extra header line for this request's response. Ignored (and
 * logged) if name or value holds a control byte. */
void resp_header(struct req *r, const char *name, const char *value);

/* Send a complete response with a body of len bytes. For HEAD the body is
 * left out and Content-Length still says len (the GET's headers, no body);
 * resp_stream_write() writes nothing for HEAD either. */
enum herr resp_send(struct req *r, int status, const char *content_type,
		    const char *body, size_t len) __attribute__((warn_unused_result));

/* Send obj (borrowed) as compact JSON. */
enum herr resp_json(struct req *r, int status, struct json_object *obj)
	__attribute__((warn_unused_result));

/* Send the OpenAI error envelope for err:
 * {"error":{"message","type","param","code"}} with all four keys. */
enum herr resp_error(struct req *r, const struct herror *err)
	__attribute__((warn_unused_result));

/* Start a streamed response (no Content-Length) and flush the headers.
 * Write the body with resp_stream_write(). */
enum herr resp_stream_begin(struct req *r, int status, const char *content_type)
	__attribute__((warn_unused_result));
enum herr resp_stream_write(struct req *r, const char *p, size_t n)
	__attribute__((warn_unused_result));

/* The envelope object for err (new reference; caller puts it). */
struct json_object *resp_error_object(const struct herror *err);

/* "OK", "Not Found", … for status. */
const char *resp_reason(int status);

#endif
