/* src/api/chat_stream.c: streaming a chat completion as SSE.
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

#define BATCH_S 0.050     /* text-delta batching window */
#define KEEPALIVE_S 0.5   /* a comment after this much silence (notices a gone client) */
#define PENDING_MAX (8u * 1024 * 1024)

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

static void send_obj(struct chat_stream *cs, const char *event, struct json_object *o)
{
	size_t len;
	const char *text = jsonx_text(o, &len);

	if(sse_event(&cs->sse, event, text, len) && cs->interrupt && !*cs->interrupt) {
		LOG_INFO("client went away mid-stream; interrupting the turn");
		*cs->interrupt = 1;
	}
	json_object_put(o);
}

/* Headers and the role chunk, once. */
static void start(struct chat_stream *cs)
{
	struct json_object *delta;

	if(cs->sse.started)
		return;
	resp_header(cs->r, "X-Hermes-Session-Id", cs->session_id);
	if(cs->session_key[0])
		resp_header(cs->r, "X-Hermes-Session-Key", cs->session_key);
	if(sse_begin(&cs->sse)) {
		if(cs->interrupt)
			*cs->interrupt = 1;
		return;
	}
	delta = json_object_new_object();
	jsonx_add_str(delta, "role", "assistant");
	jsonx_add_str(delta, "content", "");
	send_obj(cs, NULL, choice_chunk(cs, delta, NULL));
}

static void flush(struct chat_stream *cs)
{
	struct json_object *delta;

	if(!buf_len(&cs->pending))
		return;
	start(cs);
	delta = json_object_new_object();
	jsonx_add_owned(delta, "content",
			json_object_new_string_len(buf_str(&cs->pending), (int)buf_len(&cs->pending)));
	send_obj(cs, NULL, choice_chunk(cs, delta, NULL));
	buf_reset(&cs->pending);
	cs->last_flush = sse_now();
}

void api_chat_stream_tick(void *vcs)
{
	struct chat_stream *cs = vcs;

	if(buf_len(&cs->pending) && sse_now() - cs->last_flush >= BATCH_S)
		flush(cs);
	if(sse_idle(&cs->sse) >= KEEPALIVE_S) {
		start(cs);
		if(sse_comment(&cs->sse, "keepalive") && cs->interrupt && !*cs->interrupt) {
			LOG_INFO("client went away while the stream was quiet; interrupting the turn");
			*cs->interrupt = 1;
		}
	}
}

/* The one progress event per tool start. */
static void progress(struct chat_stream *cs, const struct agent_event *ev)
{
	struct json_object *c = chunk(cs), *h = json_object_new_object();
	char label[160];

	snprintf(label, sizeof(label), "%s %s", ev->tool, ev->preview ? ev->preview : "");
	jsonx_add_owned(c, "choices", json_object_new_array());
	jsonx_add_str(h, "type", "tool.progress");
	jsonx_add_str(h, "tool", ev->tool);
	jsonx_add_str(h, "emoji", "\xF0\x9F\x94\xA7");
	jsonx_add_str(h, "label", label);
	jsonx_add_str(h, "toolCallId", ev->call_id);
	jsonx_add_str(h, "status", "running");
	jsonx_add_owned(c, "hermes", h);
	send_obj(cs, cs->named_events ? "hermes.tool.progress" : NULL, c);
}

static void emit(void *vcs, const struct agent_event *ev)
{
	struct chat_stream *cs = vcs;

	switch(ev->type) {
	case AGENT_EV_TEXT:
		if(buf_add(&cs->pending, ev->text, ev->len)) {
			LOG_WARN("stream: pending text over %u bytes; sending it now", PENDING_MAX);
			break;
		}
		if(!cs->any_text || sse_now() - cs->last_flush >= BATCH_S)
			flush(cs);
		cs->any_text = true;
		break;
	case AGENT_EV_TOOL_STARTED:
		flush(cs);
		start(cs);
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

void api_chat_stream_init(struct chat_stream *cs, struct req *r, const char *id, const char *model,
		      const char *session_id, const char *session_key, bool include_usage,
		      volatile sig_atomic_t *interrupt)
{
	memset(cs, 0, sizeof(*cs));
	sse_init(&cs->sse, r);
	cs->r = r;
	cs->id = id;
	cs->created = (long)time(NULL);
	cs->model = model;
	cs->session_key = session_key ? session_key : "";
	snprintf(cs->session_id, sizeof(cs->session_id), "%s", session_id);
	cs->include_usage = include_usage;
	buf_init(&cs->pending, PENDING_MAX);
	cs->last_flush = sse_now();
	cs->interrupt = interrupt;
	cs->sink.emit = emit;
	cs->sink.ctx = cs;
}

void api_chat_stream_release(struct chat_stream *cs)
{
	buf_release(&cs->pending);
}

void api_chat_stream_finish(struct chat_stream *cs, const struct agent_result *res)
{
	bool has_text = cs->any_text || buf_len(&res->final_text);

	flush(cs);
	start(cs);
	if(api_chat_failed(res, has_text)) {
		/* A failure after the headers: an error chunk the SDKs raise on. */
		struct json_object *o = resp_error_object(&res->error);

		send_obj(cs, NULL, o);
	} else {
		struct json_object *c = choice_chunk(cs, json_object_new_object(),
						     api_chat_finish_reason(res));

		if(res->status != AGENT_COMPLETED || strcmp(res->session_id, cs->session_id) != 0) {
			struct json_object *h = api_chat_extras(res);

			jsonx_add_str(h, "session_id", res->session_id);
			jsonx_add_owned(c, "hermes", h);
		}
		send_obj(cs, NULL, c);
		if(cs->include_usage) {
			struct json_object *u = chunk(cs);

			jsonx_add_owned(u, "choices", json_object_new_array());
			jsonx_add_owned(u, "usage", api_chat_usage(res));
			send_obj(cs, NULL, u);
		}
	}
	if(sse_event(&cs->sse, NULL, "[DONE]", 6))
		LOG_DEBUG("client gone before [DONE]");
}
