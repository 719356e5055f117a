/* src/api/responses_stream.c: a Response's typed events on the SSE stream.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/responses_stream.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "api/chat_result.h"
#include "http/resp.h"
#include "util/jsonx.h"
#include "util/log.h"

/* agent_resp_ev_ops.before: pending text first, and the opening events
 * (sse_begin calls opened the first time). */
static void before(void *vrs)
{
	struct api_resp_stream *rs = vrs;

	if(!rs->sse.flushing)
		sse_flush(&rs->sse);
	if(sse_begin(&rs->sse))
		return; /* the client is gone: every later write is a no-op */
}

/* agent_resp_ev_ops.put: one event named by its type. */
static void put(void *vrs, struct json_object *e)
{
	struct api_resp_stream *rs = vrs;
	size_t len;
	const char *text = jsonx_text(e, &len);

	(void)sse_event(&rs->sse, NULL, jsonx_get_str(e, "type"), text, len);
	json_object_put(e);
}

static void text(void *vrs, const char *t, size_t len)
{
	struct api_resp_stream *rs = vrs;

	sse_delta(&rs->sse, t, len);
}

static void flush(void *vrs)
{
	struct api_resp_stream *rs = vrs;

	sse_flush(&rs->sse);
}

static const struct agent_resp_ev_ops ev_ops = { before, put, text, flush };

/* sse_ops.head: the session headers, as they are when the stream opens. */
static void head(void *vrs, struct req *r)
{
	struct api_resp_stream *rs = vrs;

	resp_header(r, "X-Hermes-Session-Id", rs->session_id);
	if(rs->session_key[0])
		resp_header(r, "X-Hermes-Session-Key", rs->session_key);
}

/* sse_ops.opened: the snapshot comes first. */
static void opened(void *vrs, struct sse *s)
{
	struct api_resp_stream *rs = vrs;

	(void)s;
	agent_resp_ev_opened(&rs->ev, rs->snapshot, rs->snapshot);
}

/* sse_ops.delta: coalesced text of the open message. */
static void delta(void *vrs, struct sse *s, const char *text, size_t len)
{
	struct api_resp_stream *rs = vrs;

	(void)s;
	agent_resp_ev_delta(&rs->ev, text, len);
}

static const struct sse_ops resp_ops = { head, opened, delta };

/* The opt-in progress event per tool start. */
static void progress(struct api_resp_stream *rs, const struct agent_event *ev)
{
	struct json_object *e = json_object_new_object();

	jsonx_add_str(e, "type", "hermes.tool.progress");
	api_tool_progress_fields(e, ev);
	before(rs);
	jsonx_add_int(e, "sequence_number", rs->ev.seq++);
	put(rs, e);
}

static void emit(void *vrs, const struct agent_event *ev)
{
	struct api_resp_stream *rs = vrs;

	agent_resp_ev_emit(&rs->ev, ev);
	if(ev->type == AGENT_EV_TOOL_STARTED && rs->named_events)
		progress(rs, ev);
	else if(ev->type == AGENT_EV_SESSION_ROTATED && !rs->sse.started)
		snprintf(rs->session_id, sizeof(rs->session_id), "%s", ev->session_id);
}

static void tick(void *vrs)
{
	struct api_resp_stream *rs = vrs;

	sse_tick(&rs->sse);
}

void api_resp_stream_init(struct api_resp_stream *rs, struct req *r, struct json_object *snapshot,
		      const char *session_id, const char *session_key,
		      volatile sig_atomic_t *interrupt)
{
	memset(rs, 0, sizeof(*rs));
	sse_init(&rs->sse, r, 200, &resp_ops, rs, interrupt);
	agent_resp_ev_init(&rs->ev, &ev_ops, rs);
	rs->out = &rs->ev.out;
	rs->snapshot = snapshot;
	rs->session_key = session_key ? session_key : "";
	snprintf(rs->session_id, sizeof(rs->session_id), "%s", session_id);
	rs->sink.emit = emit;
	rs->sink.tick = tick;
	rs->sink.ctx = rs;
}

void api_resp_stream_release(struct api_resp_stream *rs)
{
	sse_release(&rs->sse);
	agent_resp_ev_release(&rs->ev);
}

void api_resp_stream_close(struct api_resp_stream *rs)
{
	agent_resp_ev_close(&rs->ev);
}

void api_resp_stream_calls(struct api_resp_stream *rs, const struct agent_result *res)
{
	agent_resp_ev_calls(&rs->ev, res);
}

void api_resp_stream_finish(struct api_resp_stream *rs, struct json_object *final, const char *status)
{
	agent_resp_ev_finish(&rs->ev, final, status);
	if(sse_gone(&rs->sse))
		LOG_DEBUG("client gone before the terminal event");
}
