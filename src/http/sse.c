/* src/http/sse.c: SSE framing and flushing.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "http/sse.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http/req.h"
#include "http/resp.h"
#include "util/buf.h"

#define SSE_EVENT_MAX (8u * 1024 * 1024)

double sse_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sse_init(struct sse *s, struct req *r)
{
	memset(s, 0, sizeof(*s));
	s->r = r;
	s->last_write = sse_now();
}

static enum herr wrote(struct sse *s, enum herr rc)
{
	if(rc)
		s->gone = true;
	else
		s->last_write = sse_now();
	return rc;
}

enum herr sse_begin(struct sse *s)
{
	if(s->started)
		return HERR_OK;
	s->started = true;
	/* nginx or another proxy in front must not buffer the stream either. */
	resp_header(s->r, "X-Accel-Buffering", "no");
	return wrote(s, resp_stream_begin(s->r, 200, "text/event-stream; charset=utf-8"));
}

enum herr sse_event(struct sse *s, const char *name, const char *data, size_t len)
{
	struct buf b;
	enum herr rc;

	if(s->gone)
		return HERR_IO;
	if(!s->started && (rc = sse_begin(s)))
		return rc;
	buf_init(&b, SSE_EVENT_MAX);
	rc = HERR_OK;
	if(name)
		rc = buf_addf(&b, "event: %s\n", name);
	if(!rc)
		rc = buf_adds(&b, "data: ");
	if(!rc)
		rc = buf_add(&b, data, len);
	if(!rc)
		rc = buf_adds(&b, "\n\n");
	if(!rc)
		rc = wrote(s, resp_stream_write(s->r, buf_str(&b), buf_len(&b)));
	buf_release(&b);
	return rc;
}

enum herr sse_comment(struct sse *s, const char *text)
{
	char line[128];
	int n;

	if(s->gone)
		return HERR_IO;
	if(!s->started) {
		enum herr rc = sse_begin(s);
		if(rc)
			return rc;
	}
	n = snprintf(line, sizeof(line), ": %s\n\n", text);
	if(n < 0 || (size_t)n >= sizeof(line))
		return HERR_INTERNAL;
	return wrote(s, resp_stream_write(s->r, line, (size_t)n));
}

double sse_idle(const struct sse *s)
{
	return sse_now() - s->last_write;
}
