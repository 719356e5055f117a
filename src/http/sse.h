/* src/http/sse.h: a Server-Sent Events stream on a FastCGI/CGI response.
 *
 * The stream object owns the mechanics every streaming endpoint shares
 * (chat completions, Responses, run events, session chat), so their sinks
 * only format events:
 *   - the deferred head: the status line and headers go out with the first
 *     event (or keepalive), so headers known late (a session id changed by
 *     compression) are still sent; ops->head queues them, ops->opened
 *     sends what must come first (a role chunk);
 *   - delta coalescing: sse_delta() text is gathered and handed to
 *     ops->delta as one piece at most every batch_s (the first at once);
 *     any other event flushes it first, so order is kept;
 *   - keepalive: sse_tick() writes a comment after keepalive_s of silence;
 *   - client-gone detection: neither web server tells the application that
 *     the client left, only a failed write can (SPEC: deployment);
 *     the first failure logs, sets *stop to 1 (the turn's interrupt; a
 *     reason already there is kept) and makes
 *     every later call a no-op returning HERR_IO.
 * Framing: optional "id:" and "event:" lines, then one "data:" line per
 * line of the data (a CR, LF or CRLF ends a line), then a blank line. Each
 * event is written and flushed at once (lighttpd stream-response-body=2,
 * mod_fcgid FcgidOutputBufferSize 0). The clock is injectable for tests.
 * SPEC: openai-wire.md §4
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_HTTP_SSE_H
#define HERMES_HTTP_SSE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

struct req;
struct sse;

#define SSE_BATCH_S 0.050     /* delta coalescing window */
#define SSE_KEEPALIVE_S 0.5   /* a comment after this much silence */

/* What the owner of a stream formats; every member may be NULL. */
struct sse_ops {
	/* Just before the head goes out: queue headers with resp_header(). */
	void (*head)(void *ctx, struct req *r);
	/* Just after the head went out, before anything else is sent. */
	void (*opened)(void *ctx, struct sse *s);
	/* Send text (coalesced deltas, len > 0) as one event with sse_event(). */
	void (*delta)(void *ctx, struct sse *s, const char *text, size_t len);
};

struct sse {
	struct req *r;                 /* borrowed */
	int status;                    /* of the head */
	const struct sse_ops *ops;     /* borrowed; may be NULL */
	void *ctx;                     /* for ops */
	volatile sig_atomic_t *stop;   /* borrowed, may be NULL: set to 1 when the
	                                  client is found gone */
	double (*now)(void *clock_ctx); /* the clock (default: sse_now) */
	void *clock_ctx;
	double batch_s, keepalive_s;   /* SSE_BATCH_S, SSE_KEEPALIVE_S by default */
	bool started;                  /* the head went out (or failed to) */
	bool gone;                     /* a write failed: the client left */
	bool flushing;                 /* inside ops->delta */
	bool any_delta;                /* a delta was flushed already */
	double last_write;             /* clock of the last write */
	double last_flush;             /* clock of the last delta flush */
	struct buf pending;            /* owned: deltas not yet sent */
};

/* Prepare a stream for r with the given head status; ops (may be NULL)
 * and ctx are borrowed; stop may be NULL. Nothing is written yet. */
void sse_init(struct sse *s, struct req *r, int status, const struct sse_ops *ops, void *ctx,
	      volatile sig_atomic_t *stop);

/* Free the pending text (without sending it). */
void sse_release(struct sse *s);

/* Use another clock (tests): now(clock_ctx) returns seconds. */
void sse_set_clock(struct sse *s, double (*now)(void *clock_ctx), void *clock_ctx);

/* Send the head now if it has not gone out (text/event-stream; the status
 * given to sse_init; r's queued headers plus ops->head's), then
 * ops->opened. HERR_IO when the client is gone. */
enum herr sse_begin(struct sse *s) __attribute__((warn_unused_result));

/* One event: pending deltas first, then "id: id" (id may be NULL; must be
 * one line), "event: name" (may be NULL), the data split into data lines.
 * Opens the stream if needed. HERR_IO when the client is gone. */
enum herr sse_event(struct sse *s, const char *id, const char *name, const char *data,
		    size_t len);

/* Text for ops->delta: sent at once when it is the first or the window
 * has passed, else gathered. Text past the pending cap flushes first and
 * is cut (logged) only if a single delta is larger than the cap. */
void sse_delta(struct sse *s, const char *text, size_t len);

/* Hand the pending deltas to ops->delta now. */
void sse_flush(struct sse *s);

/* Call while waiting (every ~100 ms): flushes deltas whose window passed;
 * after keepalive_s of silence opens the stream if needed and writes a
 * comment (which is how a departed client is noticed). */
void sse_tick(struct sse *s);

/* ": text" comment line (text: one line, under 120 bytes). */
enum herr sse_comment(struct sse *s, const char *text);

/* Has a write failed? */
bool sse_gone(const struct sse *s);

/* Monotonic clock in seconds. */
double sse_now(void);

#endif
