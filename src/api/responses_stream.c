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

static struct json_object *ev_new(const char *type)
{
	struct json_object *e = json_object_new_object();

	jsonx_add_str(e, "type", type);
	return e;
}

/* Send e (taken) as one event named by its type. Pending text and the
 * opening events go first, so sequence numbers rise in write order. */
static void send_ev(struct api_resp_stream *rs, struct json_object *e)
{
	const char *text;
	size_t len;

	if(!rs->sse.flushing)
		sse_flush(&rs->sse);
	if(sse_begin(&rs->sse)) {
		json_object_put(e); /* the client is gone */
		return;
	}
	jsonx_add_int(e, "sequence_number", rs->seq++);
	text = jsonx_text(e, &len);
	(void)sse_event(&rs->sse, NULL, jsonx_get_str(e, "type"), text, len);
	json_object_put(e);
}

static void send_response(struct api_resp_stream *rs, const char *type, struct json_object *o)
{
	struct json_object *e = ev_new(type);

	jsonx_add_owned(e, "response", json_object_get(o));
	send_ev(rs, e);
}

/* An event about the open message item's output_text part (index 0). */
static struct json_object *part_ev(struct api_resp_stream *rs, const char *type)
{
	struct json_object *e = ev_new(type);

	jsonx_add_str(e, "item_id", rs->out.item_id);
	jsonx_add_int(e, "output_index", rs->out.open);
	jsonx_add_int(e, "content_index", 0);
	return e;
}

static struct json_object *text_part(const char *text, size_t len)
{
	struct json_object *p = json_object_new_object();

	jsonx_add_str(p, "type", "output_text");
	jsonx_add_owned(p, "text", json_object_new_string_len(text, (int)len));
	jsonx_add_owned(p, "annotations", json_object_new_array());
	return p;
}

static void item_ev(struct api_resp_stream *rs, const char *type, int index, struct json_object *item)
{
	struct json_object *e = ev_new(type);

	jsonx_add_int(e, "output_index", index);
	jsonx_add_owned(e, "item", json_object_get(item));
	send_ev(rs, e);
}

/* A message begins: announce the item and its part. */
static void open_message(struct api_resp_stream *rs)
{
	struct json_object *item = api_resp_out_open(&rs->out), *e;

	item_ev(rs, "response.output_item.added", rs->out.open, item);
	e = part_ev(rs, "response.content_part.added");
	jsonx_add_owned(e, "part", text_part("", 0));
	send_ev(rs, e);
}

/* The message ends: its pending text, then the done events. */
static void close_message(struct api_resp_stream *rs, bool incomplete)
{
	struct json_object *e, *item;
	int index = rs->out.open;
	const char *text = buf_str(&rs->out.text);
	size_t len = buf_len(&rs->out.text);

	sse_flush(&rs->sse);
	e = part_ev(rs, "response.output_text.done");
	jsonx_add_owned(e, "text", json_object_new_string_len(text, (int)len));
	jsonx_add_owned(e, "logprobs", json_object_new_array());
	send_ev(rs, e);
	e = part_ev(rs, "response.content_part.done");
	jsonx_add_owned(e, "part", text_part(text, len));
	send_ev(rs, e);
	item = api_resp_out_close(&rs->out, incomplete);
	item_ev(rs, "response.output_item.done", index, item);
}

/* Reasoning: the item is announced with its first text and done (with
 * the whole summary) when the message's text starts or the message ends. */
static void reasoning(struct api_resp_stream *rs, const struct agent_event *ev)
{
	struct json_object *item;

	if(!ev->len)
		return;
	if((item = api_resp_out_reasoning(&rs->out, ev->text, ev->len)))
		item_ev(rs, "response.output_item.added", rs->out.ropen, item);
}

static void reasoning_done(struct api_resp_stream *rs)
{
	int index = rs->out.ropen;
	struct json_object *item = api_resp_out_reasoning_close(&rs->out);

	if(item)
		item_ev(rs, "response.output_item.done", index, item);
}

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
	send_response(rs, "response.created", rs->snapshot);
	send_response(rs, "response.in_progress", rs->snapshot);
}

/* sse_ops.delta: coalesced text of the open message. */
static void delta(void *vrs, struct sse *s, const char *text, size_t len)
{
	struct api_resp_stream *rs = vrs;
	struct json_object *e;

	(void)s;
	if(rs->out.open < 0)
		return;
	e = part_ev(rs, "response.output_text.delta");
	jsonx_add_owned(e, "delta", json_object_new_string_len(text, (int)len));
	jsonx_add_owned(e, "logprobs", json_object_new_array());
	send_ev(rs, e);
}

static const struct sse_ops resp_ops = { head, opened, delta };

/* The opt-in progress event per tool start. */
static void progress(struct api_resp_stream *rs, const struct agent_event *ev)
{
	struct json_object *e = ev_new("hermes.tool.progress");

	api_tool_progress_fields(e, ev);
	send_ev(rs, e);
}

static void emit(void *vrs, const struct agent_event *ev)
{
	struct api_resp_stream *rs = vrs;

	switch(ev->type) {
	case AGENT_EV_REASONING:
		reasoning(rs, ev);
		break;
	case AGENT_EV_TEXT:
		if(!ev->len)
			break;
		reasoning_done(rs);
		if(rs->out.open < 0)
			open_message(rs);
		api_resp_out_text(&rs->out, ev->text, ev->len);
		sse_delta(&rs->sse, ev->text, ev->len);
		break;
	case AGENT_EV_MESSAGE_END:
		reasoning_done(rs);
		if(rs->out.open >= 0)
			close_message(rs, ev->is_error);
		break;
	case AGENT_EV_TOOL_STARTED:
		api_resp_out_tool(&rs->out, ev);
		if(rs->named_events)
			progress(rs, ev);
		break;
	case AGENT_EV_TOOL_FINISHED:
		api_resp_out_tool(&rs->out, ev);
		break;
	case AGENT_EV_SESSION_ROTATED:
		if(!rs->sse.started)
			snprintf(rs->session_id, sizeof(rs->session_id), "%s", ev->session_id);
		break;
	default:
		break;
	}
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
	api_resp_out_init(&rs->out);
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
	api_resp_out_release(&rs->out);
}

void api_resp_stream_close(struct api_resp_stream *rs)
{
	reasoning_done(rs);
	if(rs->out.open >= 0)
		close_message(rs, true);
	sse_flush(&rs->sse);
}

void api_resp_stream_calls(struct api_resp_stream *rs, const struct agent_result *res)
{
	size_t n = api_resp_out_calls(&rs->out, res);
	size_t total = json_object_array_length(rs->out.output);

	for(size_t i = total - n; i < total; i++) {
		struct json_object *item = json_object_array_get_idx(rs->out.output, i), *a = NULL, *e;
		const char *id = jsonx_get_str(item, "id"), *args = jsonx_get_str(item, "arguments");

		if(json_object_deep_copy(item, &a, NULL))
			continue;
		jsonx_add_str(a, "arguments", "");
		jsonx_add_str(a, "status", "in_progress");
		item_ev(rs, "response.output_item.added", (int)i, a);
		json_object_put(a);
		e = ev_new("response.function_call_arguments.delta");
		jsonx_add_str(e, "item_id", id);
		jsonx_add_int(e, "output_index", (int64_t)i);
		jsonx_add_str(e, "delta", args);
		send_ev(rs, e);
		e = ev_new("response.function_call_arguments.done");
		jsonx_add_str(e, "item_id", id);
		jsonx_add_int(e, "output_index", (int64_t)i);
		jsonx_add_str(e, "arguments", args);
		jsonx_add_str(e, "name", jsonx_get_str(item, "name"));
		send_ev(rs, e);
		item_ev(rs, "response.output_item.done", (int)i, item);
	}
}

void api_resp_stream_finish(struct api_resp_stream *rs, struct json_object *final, const char *status)
{
	char type[48];

	snprintf(type, sizeof(type), "response.%s", status);
	send_response(rs, type, final);
	if(sse_gone(&rs->sse))
		LOG_DEBUG("client gone before the terminal event");
}
