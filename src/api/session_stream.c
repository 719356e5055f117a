/* src/api/session_stream.c: session chat events on the SSE stream.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/session_stream.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent/result_extras.h"
#include "http/req.h"
#include "http/resp.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/rand.h"

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Send payload o (taken) as event name with the common members. */
static void send_event(struct session_stream *ss, const char *name, struct json_object *o)
{
	size_t len;
	const char *text;

	sse_flush(&ss->sse); /* pending deltas go first, with the lower seq */
	if(!json_object_object_get_ex(o, "session_id", NULL))
		jsonx_add_str(o, "session_id", ss->session_id);
	jsonx_add_str(o, "run_id", ss->run_id);
	jsonx_add_int(o, "seq", ++ss->seq);
	jsonx_add_owned(o, "ts", json_object_new_double(wall_now()));
	text = jsonx_text(o, &len);
	if(sse_event(&ss->sse, NULL, name, text, len))
		LOG_DEBUG("session stream: client gone at %s", name);
	json_object_put(o);
}

static void head(void *vss, struct req *r)
{
	struct session_stream *ss = vss;

	resp_header(r, "X-Hermes-Session-Id", ss->session_id);
	if(ss->session_key[0])
		resp_header(r, "X-Hermes-Session-Key", ss->session_key);
}

/* sse_ops.delta: coalesced text as one assistant.delta. */
static void delta(void *vss, struct sse *s, const char *text, size_t len)
{
	struct session_stream *ss = vss;
	struct json_object *o = json_object_new_object();

	(void)s;
	jsonx_add_str(o, "message_id", ss->message_id);
	jsonx_add_owned(o, "delta", json_object_new_string_len(text, (int)len));
	send_event(ss, "assistant.delta", o);
}

static const struct sse_ops session_ops = { head, NULL, delta };

static void new_message_id(struct session_stream *ss)
{
	char hex[25];

	if(rand_hex(hex, sizeof(hex), 12))
		snprintf(hex, sizeof(hex), "%024lld", (long long)ss->seq);
	snprintf(ss->message_id, sizeof(ss->message_id), "msg_%s", hex);
}

/* tool.started / tool.completed: the call's tool, preview and arguments. */
static void tool_event(struct session_stream *ss, const char *name, const struct agent_event *ev)
{
	struct json_object *o = json_object_new_object(), *args = NULL;

	jsonx_add_str(o, "message_id", ss->message_id);
	jsonx_add_str(o, "tool_name", ev->tool);
	jsonx_add_str(o, "tool_call_id", ev->call_id);
	jsonx_add_str(o, "preview", ev->preview);
	if(ev->arguments)
		args = json_tokener_parse(ev->arguments);
	if(!args && ev->arguments)
		args = json_object_new_string(ev->arguments);
	jsonx_add_owned(o, "args", args);
	if(ev->type == AGENT_EV_TOOL_FINISHED) {
		jsonx_add_owned(o, "duration", json_object_new_double(ev->duration_s));
		jsonx_add_bool(o, "is_error", ev->is_error);
	}
	send_event(ss, name, o);
}

static void emit(void *vss, const struct agent_event *ev)
{
	struct session_stream *ss = vss;
	struct json_object *o;

	switch(ev->type) {
	case AGENT_EV_TEXT:
		sse_delta(&ss->sse, ev->text, ev->len);
		break;
	case AGENT_EV_REASONING:
		o = json_object_new_object();
		jsonx_add_str(o, "message_id", ss->message_id);
		jsonx_add_str(o, "tool_name", "_thinking");
		jsonx_add_owned(o, "delta", json_object_new_string_len(ev->text, (int)ev->len));
		send_event(ss, "tool.progress", o);
		break;
	case AGENT_EV_MESSAGE_START: {
		struct json_object *m = json_object_new_object();

		sse_flush(&ss->sse);
		new_message_id(ss);
		o = json_object_new_object();
		jsonx_add_str(m, "id", ss->message_id);
		jsonx_add_str(m, "role", "assistant");
		jsonx_add_owned(o, "message", m);
		send_event(ss, "message.started", o);
		break;
	}
	case AGENT_EV_TOOL_STARTED:
		tool_event(ss, "tool.started", ev);
		break;
	case AGENT_EV_TOOL_FINISHED:
		tool_event(ss, "tool.completed", ev);
		break;
	case AGENT_EV_SESSION_ROTATED:
		sse_flush(&ss->sse);
		snprintf(ss->session_id, sizeof(ss->session_id), "%s", ev->session_id);
		break;
	default:
		break;
	}
}

static void tick(void *vss)
{
	struct session_stream *ss = vss;

	sse_tick(&ss->sse);
}

void api_session_stream_init(struct session_stream *ss, struct req *r, const char *run_id,
			     const char *session_id, const char *session_key,
			     volatile sig_atomic_t *interrupt)
{
	memset(ss, 0, sizeof(*ss));
	sse_init(&ss->sse, r, 200, &session_ops, ss, interrupt);
	snprintf(ss->run_id, sizeof(ss->run_id), "%s", run_id);
	snprintf(ss->session_id, sizeof(ss->session_id), "%s", session_id);
	ss->session_key = session_key ? session_key : "";
	ss->sink.emit = emit;
	ss->sink.tick = tick;
	ss->sink.ctx = ss;
}

void api_session_stream_release(struct session_stream *ss)
{
	sse_release(&ss->sse);
}

void api_session_stream_started(struct session_stream *ss, struct json_object *content)
{
	struct json_object *o = json_object_new_object(), *m = json_object_new_object();

	jsonx_add_str(m, "role", "user");
	jsonx_add_owned(m, "content", json_object_get(content));
	jsonx_add_owned(o, "user_message", m);
	send_event(ss, "run.started", o);
}

struct json_object *api_session_usage(const struct agent_result *res)
{
	struct json_object *u = json_object_new_object();

	jsonx_add_int(u, "input_tokens", res->input_tokens);
	jsonx_add_int(u, "output_tokens", res->output_tokens);
	jsonx_add_int(u, "total_tokens", res->total_tokens ? res->total_tokens
				: res->input_tokens + res->output_tokens);
	return u;
}

void api_session_stream_finish(struct session_stream *ss, const struct agent_result *res,
			       struct json_object *messages, bool failed)
{
	struct json_object *o;

	sse_flush(&ss->sse);
	snprintf(ss->session_id, sizeof(ss->session_id), "%s", res->session_id);
	if(failed) {
		o = json_object_new_object();
		jsonx_add_str(o, "message", res->error.msg[0] ? res->error.msg : "The turn failed.");
		jsonx_add_str(o, "code", res->error.code[0] ? res->error.code : "agent_failed");
		send_event(ss, "error", o);
	} else {
		o = json_object_new_object();
		jsonx_add_str(o, "message_id", ss->message_id);
		jsonx_add_owned(o, "content", json_object_new_string_len(buf_str(&res->final_text),
									 (int)buf_len(&res->final_text)));
		jsonx_add_bool(o, "completed", res->status == AGENT_COMPLETED);
		jsonx_add_bool(o, "partial", res->status == AGENT_PARTIAL);
		jsonx_add_bool(o, "interrupted", res->status == AGENT_INTERRUPTED);
		send_event(ss, "assistant.completed", o);
		o = json_object_new_object();
		jsonx_add_str(o, "message_id", ss->message_id);
		jsonx_add_bool(o, "completed", res->status == AGENT_COMPLETED);
		jsonx_add_owned(o, "messages", json_object_get(messages));
		jsonx_add_owned(o, "usage", api_session_usage(res));
		/* as the JSON answer and chat streams say it: what was not saved */
		if(res->persist_failures)
			jsonx_add_owned(o, "hermes", agent_result_extras(res));
		send_event(ss, "run.completed", o);
	}
	send_event(ss, "done", json_object_new_object());
}
