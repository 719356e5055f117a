/* src/agent/response_events.c: a Response's typed events, built.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "agent/response_events.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "agent/agent.h"
#include "util/jsonx.h"

static struct json_object *ev_new(const char *type)
{
	struct json_object *e = json_object_new_object();

	jsonx_add_str(e, "type", type);
	return e;
}

/* Number e (taken) and hand it over. What must go first (pending text,
 * the opening events) goes first, so sequence numbers rise in order. */
static void send_ev(struct agent_resp_events *b, struct json_object *e)
{
	if(b->ops->before)
		b->ops->before(b->ctx);
	jsonx_add_int(e, "sequence_number", b->seq++);
	b->ops->put(b->ctx, e);
}

static void send_response(struct agent_resp_events *b, const char *type, struct json_object *o)
{
	struct json_object *e = ev_new(type);

	jsonx_add_owned(e, "response", json_object_get(o));
	send_ev(b, e);
}

/* An event about the open message item's output_text part (index 0). */
static struct json_object *part_ev(struct agent_resp_events *b, const char *type)
{
	struct json_object *e = ev_new(type);

	jsonx_add_str(e, "item_id", b->out.item_id);
	jsonx_add_int(e, "output_index", b->out.open);
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

static void item_ev(struct agent_resp_events *b, const char *type, int index, struct json_object *item)
{
	struct json_object *e = ev_new(type);

	jsonx_add_int(e, "output_index", index);
	jsonx_add_owned(e, "item", json_object_get(item));
	send_ev(b, e);
}

/* A message begins: announce the item and its part. */
static void open_message(struct agent_resp_events *b)
{
	struct json_object *item = agent_resp_out_open(&b->out), *e;

	item_ev(b, "response.output_item.added", b->out.open, item);
	e = part_ev(b, "response.content_part.added");
	jsonx_add_owned(e, "part", text_part("", 0));
	send_ev(b, e);
}

/* The message ends: its pending text, then the done events. */
static void close_message(struct agent_resp_events *b, bool incomplete)
{
	struct json_object *e, *item;
	int index = b->out.open;
	const char *text;
	size_t len;

	b->ops->flush(b->ctx);
	text = buf_str(&b->out.text);
	len = buf_len(&b->out.text);
	e = part_ev(b, "response.output_text.done");
	jsonx_add_owned(e, "text", json_object_new_string_len(text, (int)len));
	jsonx_add_owned(e, "logprobs", json_object_new_array());
	send_ev(b, e);
	e = part_ev(b, "response.content_part.done");
	jsonx_add_owned(e, "part", text_part(text, len));
	send_ev(b, e);
	item = agent_resp_out_close(&b->out, incomplete);
	item_ev(b, "response.output_item.done", index, item);
}

static void reasoning(struct agent_resp_events *b, const struct agent_event *ev)
{
	struct json_object *item;

	if(!ev->len)
		return;
	if((item = agent_resp_out_reasoning(&b->out, ev->text, ev->len)))
		item_ev(b, "response.output_item.added", b->out.ropen, item);
}

static void reasoning_done(struct agent_resp_events *b)
{
	int index = b->out.ropen;
	struct json_object *item = agent_resp_out_reasoning_close(&b->out);

	if(item)
		item_ev(b, "response.output_item.done", index, item);
}

void agent_resp_ev_init(struct agent_resp_events *b, const struct agent_resp_ev_ops *ops, void *ctx)
{
	memset(b, 0, sizeof(*b));
	agent_resp_out_init(&b->out);
	b->ops = ops;
	b->ctx = ctx;
}

void agent_resp_ev_release(struct agent_resp_events *b)
{
	agent_resp_out_release(&b->out);
}

void agent_resp_ev_opened(struct agent_resp_events *b, struct json_object *created,
		    struct json_object *in_progress)
{
	send_response(b, "response.created", created);
	send_response(b, "response.in_progress", in_progress);
}

void agent_resp_ev_delta(struct agent_resp_events *b, const char *text, size_t len)
{
	struct json_object *e;

	if(b->out.open < 0 || !len)
		return;
	e = part_ev(b, "response.output_text.delta");
	jsonx_add_owned(e, "delta", json_object_new_string_len(text, (int)len));
	jsonx_add_owned(e, "logprobs", json_object_new_array());
	send_ev(b, e);
}

void agent_resp_ev_emit(struct agent_resp_events *b, const struct agent_event *ev)
{
	switch(ev->type) {
	case AGENT_EV_REASONING:
		reasoning(b, ev);
		break;
	case AGENT_EV_TEXT:
		if(!ev->len)
			break;
		reasoning_done(b);
		if(b->out.open < 0)
			open_message(b);
		agent_resp_out_text(&b->out, ev->text, ev->len);
		b->ops->text(b->ctx, ev->text, ev->len);
		break;
	case AGENT_EV_MESSAGE_END:
		reasoning_done(b);
		if(b->out.open >= 0)
			close_message(b, ev->is_error);
		break;
	case AGENT_EV_TOOL_STARTED:
	case AGENT_EV_TOOL_FINISHED:
		agent_resp_out_tool(&b->out, ev);
		break;
	default:
		break;
	}
}

void agent_resp_ev_close(struct agent_resp_events *b)
{
	reasoning_done(b);
	if(b->out.open >= 0)
		close_message(b, true);
	b->ops->flush(b->ctx);
}

void agent_resp_ev_calls(struct agent_resp_events *b, const struct agent_result *res)
{
	size_t n = agent_resp_out_calls(&b->out, res);
	size_t total = json_object_array_length(b->out.output);

	for(size_t i = total - n; i < total; i++) {
		struct json_object *item = json_object_array_get_idx(b->out.output, i), *a = NULL, *e;
		const char *id = jsonx_get_str(item, "id"), *args = jsonx_get_str(item, "arguments");

		if(json_object_deep_copy(item, &a, NULL))
			continue;
		jsonx_add_str(a, "arguments", "");
		jsonx_add_str(a, "status", "in_progress");
		item_ev(b, "response.output_item.added", (int)i, a);
		json_object_put(a);
		e = ev_new("response.function_call_arguments.delta");
		jsonx_add_str(e, "item_id", id);
		jsonx_add_int(e, "output_index", (int64_t)i);
		jsonx_add_str(e, "delta", args);
		send_ev(b, e);
		e = ev_new("response.function_call_arguments.done");
		jsonx_add_str(e, "item_id", id);
		jsonx_add_int(e, "output_index", (int64_t)i);
		jsonx_add_str(e, "arguments", args);
		jsonx_add_str(e, "name", jsonx_get_str(item, "name"));
		send_ev(b, e);
		item_ev(b, "response.output_item.done", (int)i, item);
	}
}

void agent_resp_ev_finish(struct agent_resp_events *b, struct json_object *final, const char *status)
{
	char type[48];

	snprintf(type, sizeof(type), "response.%s", status);
	send_response(b, type, final);
}

bool agent_resp_ev_terminal(const char *type)
{
	return type && (!strcmp(type, "response.completed") || !strcmp(type, "response.failed") ||
			!strcmp(type, "response.incomplete") || !strcmp(type, "response.cancelled"));
}
