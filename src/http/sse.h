/* src/http/sse.h: Server-Sent Events on a FastCGI/CGI response.
 *
 * Each event is written and flushed at once (lighttpd's
 * stream-response-body=2 and mod_fcgid's FcgidOutputBufferSize 0 then pass
 * it on); a failed write means the client is gone, which the caller turns
 * into an interrupt. Comment lines keep a quiet stream alive and notice a
 * departed client: neither server tells the application, so only a write
 * can (shared/spec/deployment.md).
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_HTTP_SSE_H
#define HERMES_HTTP_SSE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct req;

struct sse {
	struct req *r;        /* borrowed */
	bool started;         /* the headers went out */
	bool gone;            /* a write failed: the client left */
	double last_write;    /* monotonic seconds of the last write */
};

void sse_init(struct sse *s, struct req *r);

/* Send the headers (200, text/event-stream, plus r's queued headers). */
enum herr sse_begin(struct sse *s) __attribute__((warn_unused_result));

/* One event: optional "event: name", the data (one line), blank line. */
enum herr sse_event(struct sse *s, const char *name, const char *data, size_t len)
	__attribute__((warn_unused_result));

/* ": text" comment line. */
enum herr sse_comment(struct sse *s, const char *text) __attribute__((warn_unused_result));

/* Seconds since the last write. */
double sse_idle(const struct sse *s);

/* Monotonic clock in seconds. */
double sse_now(void);

#endif
