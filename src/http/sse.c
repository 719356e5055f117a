/* src/http/sse.c: the SSE stream object.
 *
 * DESIGN: one struct sse per streamed response. Writes go through wrote(),
 * which records the time of the last write (for keepalives) or, on the
 * first failure, marks the stream gone, logs it once and sets *stop so the
 * turn behind the stream ends; a gone stream writes nothing more. Deltas
 * wait in `pending` until their window passes, a tick or another event
 * flushes them; `flushing` stops the recursion of ops->delta calling
 * sse_event, which flushes first. Nothing here knows what is in an event.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "http/sse.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http/req.h"
#include "http/resp.h"
#include "util/log.h"

#define SSE_EVENT_MAX (16u * 1024 * 1024)
#define SSE_PENDING_MAX (8u * 1024 * 1024)
#define SSE_ID_MAX 256

double sse_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double default_clock(void *ctx)
{
	(void)ctx;
	return sse_now();
}

void sse_init(struct sse *s, struct req *r, int status, const struct sse_ops *ops, void *ctx,
	      volatile sig_atomic_t *stop)
{
	memset(s, 0, sizeof(*s));
	s->r = r;
	s->status = status;
	s->ops = ops;
	s->ctx = ctx;
	s->stop = stop;
	s->now = default_clock;
	s->batch_s = SSE_BATCH_S;
	s->keepalive_s = SSE_KEEPALIVE_S;
	buf_init(&s->pending, SSE_PENDING_MAX);
	s->last_write = s->last_flush = s->now(NULL);
}

void sse_release(struct sse *s)
{
	buf_release(&s->pending);
}

void sse_set_clock(struct sse *s, double (*now)(void *clock_ctx), void *clock_ctx)
{
	s->now = now;
	s->clock_ctx = clock_ctx;
	s->last_write = s->last_flush = now(clock_ctx);
}

bool sse_gone(const struct sse *s)
{
	return s->gone;
}

static enum herr wrote(struct sse *s, enum herr rc)
{
	if(!rc) {
		s->last_write = s->now(s->clock_ctx);
		return HERR_OK;
	}
	if(!s->gone) {
		s->gone = true;
		LOG_INFO("client went away mid-stream%s", s->stop && !*s->stop
			 ? "; interrupting the turn" : "");
		if(s->stop && !*s->stop)
			*s->stop = 1;
	}
	return HERR_IO;
}

enum herr sse_begin(struct sse *s)
{
	if(s->gone)
		return HERR_IO;
	if(s->started)
		return HERR_OK;
	s->started = true;
	if(s->ops && s->ops->head)
		s->ops->head(s->ctx, s->r);
	/* nginx or another proxy in front must not buffer the stream either. */
	resp_header(s->r, "X-Accel-Buffering", "no");
	if(wrote(s, resp_stream_begin(s->r, s->status, "text/event-stream; charset=utf-8")))
		return HERR_IO;
	if(s->ops && s->ops->opened)
		s->ops->opened(s->ctx, s);
	return s->gone ? HERR_IO : HERR_OK;
}

/* "data: line\n" for every line of data: CR, LF and CRLF end a line, so
 * "a\nb" is two data lines and a trailing newline an empty last one. */
static enum herr data_lines(struct buf *b, const char *data, size_t len)
{
	for(size_t i = 0;;) {
		size_t j = i;

		while(j < len && data[j] != '\n' && data[j] != '\r')
			j++;
		if(buf_adds(b, "data: ") || buf_add(b, data + i, j - i) || buf_adds(b, "\n"))
			return HERR_TOO_LARGE;
		if(j >= len)
			return HERR_OK;
		if(data[j] == '\r' && j + 1 < len && data[j + 1] == '\n')
			j++;
		i = j + 1;
	}
}

enum herr sse_event(struct sse *s, const char *id, const char *name, const char *data,
		    size_t len)
{
	struct buf b;
	enum herr rc;

	if(!s->flushing)
		sse_flush(s);
	if((rc = sse_begin(s)))
		return rc;
	buf_init(&b, SSE_EVENT_MAX);
	rc = HERR_OK;
	if(id && (strlen(id) > SSE_ID_MAX || strpbrk(id, "\r\n")))
		id = NULL; /* an id must be one short line; never split into two */
	if(id)
		rc = buf_addf(&b, "id: %s\n", id);
	if(!rc && name)
		rc = buf_addf(&b, "event: %s\n", name);
	if(!rc)
		rc = data_lines(&b, data, len);
	if(!rc)
		rc = buf_adds(&b, "\n");
	if(rc) {
		LOG_WARN("stream: an event of %zu bytes is over %u; not sent", len, SSE_EVENT_MAX);
		rc = HERR_TOO_LARGE;
	} else {
		rc = wrote(s, resp_stream_write(s->r, buf_str(&b), buf_len(&b)));
	}
	buf_release(&b);
	return rc;
}

void sse_flush(struct sse *s)
{
	if(!buf_len(&s->pending) || s->flushing)
		return;
	s->flushing = true;
	if(!s->gone && s->ops && s->ops->delta)
		s->ops->delta(s->ctx, s, buf_str(&s->pending), buf_len(&s->pending));
	s->flushing = false;
	buf_reset(&s->pending);
	s->any_delta = true;
	s->last_flush = s->now(s->clock_ctx);
}

void sse_delta(struct sse *s, const char *text, size_t len)
{
	if(s->gone || !len)
		return;
	if(len > buf_room(&s->pending))
		sse_flush(s);
	if(buf_add_trunc(&s->pending, text, len))
		LOG_WARN("stream: a delta of %zu bytes is over %u; sending what fits", len,
			 SSE_PENDING_MAX);
	if(!s->any_delta || s->now(s->clock_ctx) - s->last_flush >= s->batch_s)
		sse_flush(s);
}

void sse_tick(struct sse *s)
{
	if(s->gone)
		return;
	if(buf_len(&s->pending) && s->now(s->clock_ctx) - s->last_flush >= s->batch_s)
		sse_flush(s);
	if(s->now(s->clock_ctx) - s->last_write >= s->keepalive_s)
		(void)sse_comment(s, "keepalive");
}

enum herr sse_comment(struct sse *s, const char *text)
{
	char line[128];
	int n;
	enum herr rc;

	if((rc = sse_begin(s)))
		return rc;
	n = snprintf(line, sizeof(line), ": %s\n\n", text);
	if(n < 0 || (size_t)n >= sizeof(line) || strpbrk(text, "\r\n"))
		return HERR_INTERNAL;
	return wrote(s, resp_stream_write(s->r, line, (size_t)n));
}
