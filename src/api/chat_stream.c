/* src/api/chat_stream.c: a chat completion's chunks on the SSE stream.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/chat_stream.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/chat_result.h"
#include "http/req.h"
#include "http/resp.h"
#include "util/jsonx.h"
#include "util/log.h"

/* A chunk with the stream's id, created and model (new reference). */
static struct json_object *chunk(const struct chat_stream *cs)
{
	struct json_object *c = json_object_new_object();

	jsonx_add_str(c, "id", cs->id);
	jsonx_add_str(c, "object", "chat.completion.chunk");
	jsonx_add_int(c, "created", cs->created);
	jsonx_add_str(c, "model", cs->model);
	return c;
}

/* A chunk with one choice: delta (taken) and finish_reason (may be NULL). */
static struct json_object *choice_chunk(const struct chat_stream *cs, struct json_object *delta,
					const char *finish)
{
	struct json_object *c = chunk(cs), *choices = json_object_new_array();
	struct json_object *ch = json_object_new_object();

	jsonx_add_int(ch, "index", 0);
	jsonx_add_owned(ch, "delta", delta);
	jsonx_add_owned(ch, "logprobs", NULL);
	jsonx_add_str(ch, "finish_reason", finish);
	json_object_array_add(choices, ch);
	jsonx_add_owned(c, "choices", choices);
	jsonx_add_owned(c, "usage", NULL);
	return c;
}

/* Send o (taken) as one event. */
static void send_obj(struct sse *s, const char *event, struct json_object *o)
{
	size_t len;
	const char *text = jsonx_text(o, &len);

	(void)sse_event(s, NULL, event, text, len);
	json_object_put(o);
}

/* sse_ops.head: the session headers, as they are when the stream opens. */
static void head(void *vcs, struct req *r)
{
	struct chat_stream *cs = vcs;

	resp_header(r, "X-Hermes-Session-Id", cs->session_id);
	if(cs->session_key[0])
		resp_header(r, "X-Hermes-Session-Key", cs->session_key);
}

/* sse_ops.opened: the role chunk comes first. */
static void opened(void *vcs, struct sse *s)
{
	struct chat_stream *cs = vcs;
	struct json_object *delta = json_object_new_object();

	jsonx_add_str(delta, "role", "assistant");
	jsonx_add_str(delta, "content", "");
	send_obj(s, NULL, choice_chunk(cs, delta, NULL));
}

/* sse_ops.delta: coalesced text as one content chunk. */
static void delta(void *vcs, struct sse *s, const char *text, size_t len)
{
	struct chat_stream *cs = vcs;
	struct json_object *d = json_object_new_object();

	jsonx_add_owned(d, "content", json_object_new_string_len(text, (int)len));
	send_obj(s, NULL, choice_chunk(cs, d, NULL));
}

static const struct sse_ops chat_ops = { head, opened, delta };

/* The one progress event per tool start. */
static void progress(struct chat_stream *cs, const struct agent_event *ev)
{
	struct json_object *c = chunk(cs), *h = json_object_new_object();

	jsonx_add_owned(c, "choices", json_object_new_array());
	jsonx_add_str(h, "type", "tool.progress");
	api_tool_progress_fields(h, ev);
	jsonx_add_owned(c, "hermes", h);
	send_obj(&cs->sse, cs->named_events ? "hermes.tool.progress" : NULL, c);
}

static void emit(void *vcs, const struct agent_event *ev)
{
	struct chat_stream *cs = vcs;

	switch(ev->type) {
	case AGENT_EV_TEXT:
		sse_delta(&cs->sse, ev->text, ev->len);
		break;
	case AGENT_EV_TOOL_STARTED:
		progress(cs, ev);
		break;
	case AGENT_EV_SESSION_ROTATED:
		if(!cs->sse.started)
			snprintf(cs->session_id, sizeof(cs->session_id), "%s", ev->session_id);
		break;
	default:
		break;
	}
}

static void tick(void *vcs)
{
	struct chat_stream *cs = vcs;

	sse_tick(&cs->sse);
}

void api_chat_stream_init(struct chat_stream *cs, struct req *r, const char *id, const char *model,
			  const char *session_id, const char *session_key, bool include_usage,
			  volatile sig_atomic_t *interrupt)
{
	memset(cs, 0, sizeof(*cs));
	sse_init(&cs->sse, r, 200, &chat_ops, cs, interrupt);
	cs->id = id;
	cs->created = (int64_t)time(NULL);
	cs->model = model;
	cs->session_key = session_key ? session_key : "";
	snprintf(cs->session_id, sizeof(cs->session_id), "%s", session_id);
	cs->include_usage = include_usage;
	cs->sink.emit = emit;
	cs->sink.tick = tick;
	cs->sink.ctx = cs;
}

void api_chat_stream_release(struct chat_stream *cs)
{
	sse_release(&cs->sse);
}

/* The client functions the model called, as delta.tool_calls: per call
 * one chunk with index, id, type and name (arguments ""), then one with
 * the arguments, as OpenAI streams them. SPEC: openai-wire.md §5.2 */
static void tool_call_chunks(struct chat_stream *cs, const struct agent_result *res)
{
	struct json_object *calls = api_chat_tool_calls(res);

	for(size_t i = 0; calls && i < json_object_array_length(calls); i++) {
		struct json_object *c = json_object_array_get_idx(calls, i), *fn = NULL;

		for(int part = 0; part < 2; part++) {
			struct json_object *d = json_object_new_object(), *a = json_object_new_array();
			struct json_object *tc = json_object_new_object(), *f = json_object_new_object();

			json_object_object_get_ex(c, "function", &fn);
			jsonx_add_int(tc, "index", (int64_t)i);
			if(part == 0) {
				jsonx_add_str(tc, "id", jsonx_get_str(c, "id"));
				jsonx_add_str(tc, "type", "function");
				jsonx_add_str(f, "name", jsonx_get_str(fn, "name"));
				jsonx_add_str(f, "arguments", "");
			} else {
				jsonx_add_str(f, "arguments", jsonx_get_str(fn, "arguments"));
			}
			jsonx_add_owned(tc, "function", f);
			json_object_array_add(a, tc);
			jsonx_add_owned(d, "tool_calls", a);
			send_obj(&cs->sse, NULL, choice_chunk(cs, d, NULL));
		}
	}
	json_object_put(calls);
}

void api_chat_stream_finish(struct chat_stream *cs, const struct agent_result *res)
{
	bool has_text = cs->sse.any_delta || buf_len(&cs->sse.pending) || buf_len(&res->final_text);

	sse_flush(&cs->sse);
	if(api_chat_failed(res, has_text)) {
		/* A failure after the headers: an error chunk the SDKs raise on. */
		send_obj(&cs->sse, NULL, resp_error_object(&res->error));
	} else {
		struct json_object *c;

		tool_call_chunks(cs, res);
		c = choice_chunk(cs, json_object_new_object(), api_chat_finish_reason(res));

		if(agent_result_needs_extras(res) || strcmp(res->session_id, cs->session_id) != 0) {
			struct json_object *h = agent_result_extras(res);

			jsonx_add_str(h, "session_id", res->session_id);
			jsonx_add_owned(c, "hermes", h);
		}
		send_obj(&cs->sse, NULL, c);
		if(cs->include_usage) {
			struct json_object *u = chunk(cs);

			jsonx_add_owned(u, "choices", json_object_new_array());
			jsonx_add_owned(u, "usage", api_chat_usage(res));
			send_obj(&cs->sse, NULL, u);
		}
	}
	if(sse_event(&cs->sse, NULL, NULL, "[DONE]", 6))
		LOG_DEBUG("client gone before [DONE]");
}
