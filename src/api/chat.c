/* src/api/chat.c: POST /v1/chat/completions.
 *
 * The request's messages become the agent's input: system and developer
 * messages join the system prompt, the last user message is the new turn,
 * everything before it is history. The agent runs with a streaming sink
 * (chat_stream.c) or the accumulator, and its result is mapped to the
 * OpenAI shapes. SPEC: hermes-chat-responses.md "Chat Completions";
 * openai-wire.md §5.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/chat.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/content.h"
#include "agent/opts.h"
#include "agent/sink_acc.h"
#include "api/app.h"
#include "api/chat_result.h"
#include "api/chat_stream.h"
#include "api/session_hdr.h"
#include "http/req.h"
#include "http/resp.h"
#include "store/store.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/str.h"

#define SYSTEM_MAX (1024u * 1024)

/* What the request asks for, parsed and checked. */
struct chat_in {
	struct buf system;              /* owned: system + developer messages */
	struct json_object *history;    /* owned: messages before the last user one */
	struct json_object *user;       /* owned: the last user message's content */
	struct buf user_text;           /* owned: its text */
	struct buf first_user;          /* owned: the first user message's text */
	bool stream, include_usage;
};

static void chat_in_release(struct chat_in *in)
{
	buf_release(&in->system);
	buf_release(&in->user_text);
	buf_release(&in->first_user);
	json_object_put(in->history);
	json_object_put(in->user);
}

static enum herr bad(struct req *r, const char *code, const char *param, const char *msg)
{
	return herr_set(&r->err, HERR_BAD_REQUEST, code, param, "%s", msg);
}

/* One history message in OpenAI form, content normalised (new reference). */
static struct json_object *history_message(struct json_object *m, const char *role,
					   struct json_object *content)
{
	struct json_object *h = json_object_new_object(), *v;

	jsonx_add_str(h, "role", role);
	jsonx_add_owned(h, "content", json_object_get(content));
	if(json_object_object_get_ex(m, "tool_calls", &v) && json_object_is_type(v, json_type_array))
		jsonx_add_owned(h, "tool_calls", json_object_get(v));
	if(json_object_object_get_ex(m, "tool_call_id", &v) && json_object_is_type(v, json_type_string))
		jsonx_add_owned(h, "tool_call_id", json_object_get(v));
	return h;
}

static enum herr parse(struct req *r, struct chat_in *in)
{
	struct json_object *msgs = NULL, *v, *so;
	size_t n, last_user = (size_t)-1;
	enum herr rc = HERR_OK;

	buf_init(&in->system, SYSTEM_MAX);
	buf_init(&in->user_text, 1u << 22);
	buf_init(&in->first_user, 1u << 22);
	in->history = json_object_new_array();
	if(json_object_object_get_ex(r->json, "stream", &v))
		in->stream = json_object_get_boolean(v);
	if(json_object_object_get_ex(r->json, "stream_options", &so) &&
	   json_object_object_get_ex(so, "include_usage", &v))
		in->include_usage = json_object_get_boolean(v);
	if(!json_object_object_get_ex(r->json, "messages", &msgs) ||
	   !json_object_is_type(msgs, json_type_array) || !json_object_array_length(msgs))
		return bad(r, "invalid_request_error", "messages",
			   "'messages' must be a non-empty array of {role, content}.");
	n = json_object_array_length(msgs);
	for(size_t i = 0; i < n; i++) {
		const char *role = jsonx_get_str(json_object_array_get_idx(msgs, i), "role");
		if(role && strcmp(role, "user") == 0)
			last_user = i;
	}
	if(last_user == (size_t)-1)
		return bad(r, "missing_user_message", "messages",
			   "'messages' must contain a user message.");
	for(size_t i = 0; i < n && !rc; i++) {
		struct json_object *m = json_object_array_get_idx(msgs, i), *content = NULL, *norm = NULL;
		const char *role = jsonx_get_str(m, "role");
		char param[64];
		bool payload = false;

		snprintf(param, sizeof(param), "messages[%zu]", i);
		if(!json_object_is_type(m, json_type_object) || !role ||
		   (strcmp(role, "system") && strcmp(role, "developer") && strcmp(role, "user") &&
		    strcmp(role, "assistant") && strcmp(role, "tool")))
			return bad(r, "invalid_request_error", param,
				   "Each message needs a role: system, developer, user, assistant or tool.");
		json_object_object_get_ex(m, "content", &content);
		snprintf(param, sizeof(param), "messages[%zu].content", i);
		if((rc = agent_content_normalize(content, role, param, &norm, &payload, &r->err)))
			break;
		if(!strcmp(role, "system") || !strcmp(role, "developer")) {
			if((buf_len(&in->system) && buf_adds(&in->system, "\n\n")) ||
			   agent_content_text(norm, &in->system))
				rc = herr_set(&r->err, HERR_TOO_LARGE, "body_too_large", param,
					      "The system messages are too long.");
		} else if(i == last_user) {
			if(!payload)
				rc = bad(r, "empty_message", param,
					 "The last user message has no text or image.");
			in->user = json_object_get(norm);
			if(!rc && agent_content_text(norm, &in->user_text))
				rc = herr_set(&r->err, HERR_TOO_LARGE, "body_too_large", param,
					      "The user message is too long.");
		} else {
			if(!strcmp(role, "user") && !buf_len(&in->first_user) &&
			   agent_content_text(norm, &in->first_user))
				buf_reset(&in->first_user);
			json_object_array_add(in->history, history_message(m, role, norm));
		}
		json_object_put(norm);
	}
	if(!rc && !buf_len(&in->first_user) && agent_content_text(in->user, &in->first_user))
		buf_reset(&in->first_user);
	return rc;
}

/* X-Hermes-Events: tool-progress (or 1/true) asks for named progress events. */
static bool wants_named_events(const struct req *r)
{
	const char *v = req_header(r, "X-Hermes-Events");

	return v && (strstr(v, "tool-progress") || str_ieq(v, "1") || str_ieq(v, "true"));
}

static void completion_id(char *out, size_t cap)
{
	char hex[31];

	if(rand_hex(hex, sizeof(hex), 15))
		memcpy(hex, "00000000000000000000000000000", 30);
	hex[29] = '\0';
	snprintf(out, cap, "chatcmpl-%s", hex);
}

static void result_headers(struct req *r, const struct agent_result *res, const char *key)
{
	char msg[201];

	resp_header(r, "X-Hermes-Session-Id", res->session_id);
	if(key[0])
		resp_header(r, "X-Hermes-Session-Key", key);
	resp_header(r, "X-Hermes-Completed", res->status == AGENT_COMPLETED ? "true" : "false");
	resp_header(r, "X-Hermes-Partial", res->status == AGENT_PARTIAL ? "true" : "false");
	if(res->status != AGENT_COMPLETED && res->error.msg[0]) {
		str_sanitize(msg, sizeof(msg), res->error.msg);
		resp_header(r, "X-Hermes-Error", msg);
	}
}

/* The non-streaming answer. SPEC: hermes-chat-responses.md, the table. */
static enum herr answer(struct app *app, struct req *r, const struct agent_result *res,
			const char *id, const char *key)
{
	struct json_object *o, *choices, *ch, *msg;
	bool has_text = buf_len(&res->final_text) > 0;
	enum herr rc;

	result_headers(r, res, key);
	if(api_chat_failed(res, has_text)) {
		/* 502 with the envelope, so SDKs raise instead of showing an error as text. */
		r->err = res->error;
		if(!r->err.rc)
			herr_set(&r->err, HERR_UPSTREAM, "agent_failed", NULL, "The agent did not answer.");
		if(r->err.rc != HERR_UNAVAILABLE) /* 503: not configured, or a library missing */
			herr_set_status(&r->err, 502, "server_error");
		return r->err.rc;
	}
	o = json_object_new_object();
	jsonx_add_str(o, "id", id);
	jsonx_add_str(o, "object", "chat.completion");
	jsonx_add_int(o, "created", (int64_t)time(NULL));
	jsonx_add_str(o, "model", api_model_name(app));
	choices = json_object_new_array();
	ch = json_object_new_object();
	msg = json_object_new_object();
	jsonx_add_int(ch, "index", 0);
	jsonx_add_str(msg, "role", "assistant");
	jsonx_add_owned(msg, "content", json_object_new_string_len(buf_str(&res->final_text),
								   (int)buf_len(&res->final_text)));
	jsonx_add_owned(msg, "refusal", NULL);
	jsonx_add_owned(ch, "message", msg);
	jsonx_add_owned(ch, "logprobs", NULL);
	jsonx_add_str(ch, "finish_reason", api_chat_finish_reason(res));
	json_object_array_add(choices, ch);
	jsonx_add_owned(o, "choices", choices);
	jsonx_add_owned(o, "usage", api_chat_usage(res));
	if(res->status != AGENT_COMPLETED)
		jsonx_add_owned(o, "hermes", api_chat_extras(res));
	rc = resp_json(r, 200, o);
	json_object_put(o);
	return rc;
}

enum herr api_chat(void *vapp, struct req *r)
{
	struct app *app = vapp;
	struct chat_in in;
	char sid[API_SESSION_HDR_MAX + 1], key[API_SESSION_HDR_MAX + 1], id[48];
	struct herror serr;
	struct store *store;
	struct agent_opts o;
	struct agent_input ai = { 0 };
	struct agent_result res;
	int64_t turn = 0;
	enum herr rc;

	memset(&in, 0, sizeof(in));
	if((rc = parse(r, &in)) || (rc = api_session_headers(app, r, sid, key)))
		goto out;
	if(!sid[0])
		api_session_derive(buf_str(&in.system), buf_str(&in.first_user), sid, sizeof(sid));
	herr_clear(&serr);
	store = api_app_store(app, &serr);
	if(!store)
		LOG_WARN("chat runs without persistence or concurrency cap: %s", serr.msg);
	if(store && (rc = store_turn_begin(store, (long)getpid(), "chat",
					   (int)app->cfg.max_concurrent_runs, &turn, &r->err))) {
		if(rc == HERR_RATE_LIMIT)
			resp_header(r, "Retry-After", "1");
		goto out;
	}
	agent_opts_from_cfg(&app->cfg, &o);
	app->interrupt = 0;
	o.llm.interrupt = &app->interrupt;
	o.tools = &app->tools;
	o.store = store;
	o.source = "api_server";
	o.session_key = key[0] ? key : NULL;
	ai.session_id = sid;
	ai.system = buf_len(&in.system) ? buf_str(&in.system) : NULL;
	ai.history = in.history;
	ai.user = buf_str(&in.user_text);
	ai.user_content = json_object_is_type(in.user, json_type_array) ? in.user : NULL;
	completion_id(id, sizeof(id));
	agent_result_init(&res);
	if(in.stream) {
		struct chat_stream cs;

		api_chat_stream_init(&cs, r, id, api_model_name(app), sid, key, in.include_usage,
				 &app->interrupt);
		cs.named_events = wants_named_events(r);
		o.llm.tick = api_chat_stream_tick;
		o.llm.tick_ctx = &cs;
		agent_run(&o, &ai, &cs.sink, &res);
		api_chat_stream_finish(&cs, &res);
		api_chat_stream_release(&cs);
		rc = HERR_OK;
	} else {
		struct agent_acc acc;

		agent_acc_init(&acc);
		agent_run(&o, &ai, &acc.sink, &res);
		rc = answer(app, r, &res, id, key);
		agent_acc_release(&acc);
	}
	agent_result_release(&res);
	if(store)
		store_turn_end(store, turn);
out:
	chat_in_release(&in);
	return rc;
}
