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
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent/content.h"
#include "agent/history.h"
#include "agent/sink_acc.h"
#include "api/app.h"
#include "api/chat_result.h"
#include "api/chat_stream.h"
#include "api/client_tools.h"
#include "api/fields.h"
#include "api/session_hdr.h"
#include "api/turn.h"
#include "http/req.h"
#include "http/resp.h"
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
	const char *model;              /* borrowed from the request body */
	struct json_object *tool_results; /* owned: trailing "tool" messages (the client's
	                                   results of its calls): the turn resumes; NULL */
	struct api_ctools ctools;       /* owned: the client's tools */
	bool stream, include_usage;
};

static void chat_in_release(struct chat_in *in)
{
	buf_release(&in->system);
	buf_release(&in->user_text);
	buf_release(&in->first_user);
	json_object_put(in->history);
	json_object_put(in->user);
	json_object_put(in->tool_results);
	api_ctools_release(&in->ctools);
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

static const char *const roles[] = { "system", "developer", "user", "assistant", "tool", NULL };

/* The request members chat reads or accepts, type-checked as OpenAI does
 * (a "stream" of "false", "yes" or 1 is a 400, not streaming). The sampling
 * members are accepted and not used: the agent's upstream settings apply. */
static enum herr parse_top(struct req *r, struct chat_in *in, struct json_object **msgs)
{
	struct api_fields f, so;
	struct json_object *opts = NULL;
	bool unused_bool;
	const char *s;
	int64_t n;
	double d;
	enum herr rc;

	api_field_init(&f, r->json, NULL, &r->err);
	if((rc = api_field_str(&f, "model", 0, &in->model, NULL)) ||
	   (rc = api_field_bool(&f, "stream", 0, &in->stream)) ||
	   (rc = api_field_object(&f, "stream_options", 0, &opts)) ||
	   (rc = api_field_number(&f, "temperature", 0, 0, 2, &d)) ||
	   (rc = api_field_number(&f, "top_p", 0, 0, 1, &d)) ||
	   (rc = api_field_number(&f, "presence_penalty", 0, -2, 2, &d)) ||
	   (rc = api_field_number(&f, "frequency_penalty", 0, -2, 2, &d)) ||
	   (rc = api_field_int(&f, "max_tokens", 0, 1, INT64_MAX, &n)) ||
	   (rc = api_field_int(&f, "max_completion_tokens", 0, 1, INT64_MAX, &n)) ||
	   (rc = api_field_str(&f, "user", 0, &s, NULL)) ||
	   (rc = api_field_bool(&f, "parallel_tool_calls", 0, &unused_bool)) ||
	   (rc = api_ctools_parse(&in->ctools, r->json, false, &r->err)))
		return rc;
	if(opts) {
		api_field_init(&so, opts, "stream_options", &r->err);
		if((rc = api_field_bool(&so, "include_usage", 0, &in->include_usage)))
			return rc;
	}
	return api_field_array(&f, "messages", API_FIELD_REQUIRED, 1, msgs);
}

/* Check one message's shape: an object with a known role, and optional
 * tool_calls / tool_call_id / name of the right types. */
static enum herr check_message(struct req *r, struct json_object *m, size_t i, const char **role)
{
	char param[HERR_PARAM_MAX];
	struct api_fields f;
	struct json_object *v = NULL;
	const char *s;
	enum herr rc;

	snprintf(param, sizeof(param), "messages[%zu]", i);
	if(!json_object_is_type(m, json_type_object))
		return api_field_type_error(&r->err, param, "an object", m);
	api_field_init(&f, m, param, &r->err);
	if((rc = api_field_enum(&f, "role", API_FIELD_REQUIRED, roles, role)) ||
	   (rc = api_field_array(&f, "tool_calls", 0, 0, &v)) ||
	   (rc = api_field_str(&f, "tool_call_id", 0, &s, NULL)) ||
	   (rc = api_field_str(&f, "name", 0, &s, NULL)))
		return rc;
	if(!v)
		return HERR_OK;
	snprintf(param, sizeof(param), "messages[%zu].tool_calls", i);
	return api_ctools_check_calls(v, param, &r->err);
}

static enum herr tool_tail(struct req *r, struct chat_in *in, struct json_object *msgs,
			   size_t *tail);

static enum herr parse(struct req *r, struct chat_in *in)
{
	struct json_object *msgs = NULL;
	size_t n, last_user = (size_t)-1, tail;
	enum herr rc = HERR_OK;

	buf_init(&in->system, SYSTEM_MAX);
	buf_init(&in->user_text, 1u << 22);
	buf_init(&in->first_user, 1u << 22);
	in->history = json_object_new_array();
	if((rc = parse_top(r, in, &msgs)))
		return rc;
	n = json_object_array_length(msgs);
	for(size_t i = 0; i < n; i++) {
		const char *role = NULL;

		if((rc = check_message(r, json_object_array_get_idx(msgs, i), i, &role)))
			return rc;
		if(strcmp(role, "user") == 0)
			last_user = i;
	}
	if(last_user == (size_t)-1)
		return bad(r, "missing_user_message", "messages",
			   "'messages' must contain a user message.");
	if((rc = tool_tail(r, in, msgs, &tail)))
		return rc;
	if(tail < n)
		last_user = (size_t)-1; /* a resumed turn: no new user message */
	for(size_t i = 0; i < tail && !rc; i++) {
		struct json_object *m = json_object_array_get_idx(msgs, i), *content = NULL, *norm = NULL;
		const char *role = jsonx_get_str(m, "role");
		char param[64];
		bool payload = false;

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

/* Trailing "tool" messages after an assistant message with tool_calls are
 * the client's results of its calls: *tail is where they start (the
 * array's length when the request ends otherwise), and they go to
 * in->tool_results, each with its tool_call_id. */
static enum herr tool_tail(struct req *r, struct chat_in *in, struct json_object *msgs,
			   size_t *tail)
{
	size_t n = json_object_array_length(msgs), t = n;
	struct json_object *prev;
	enum herr rc;

	while(t > 0 && !strcmp(jsonx_get_str(json_object_array_get_idx(msgs, t - 1), "role"), "tool"))
		t--;
	*tail = n;
	prev = t ? json_object_array_get_idx(msgs, t - 1) : NULL;
	if(t == n || !prev || strcmp(jsonx_get_str(prev, "role"), "assistant") != 0 ||
	   !json_object_object_get_ex(prev, "tool_calls", NULL))
		return HERR_OK;
	in->tool_results = json_object_new_array();
	for(size_t i = t; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(msgs, i), *content = NULL, *norm = NULL;
		char param[64];
		bool payload;

		snprintf(param, sizeof(param), "messages[%zu].tool_call_id", i);
		if(!jsonx_get_str(m, "tool_call_id"))
			return herr_set(&r->err, HERR_BAD_REQUEST, "missing_required_parameter", param,
					"Missing required parameter: '%s'.", param);
		if(!agent_history_has_call(prev, jsonx_get_str(m, "tool_call_id")))
			return herr_set(&r->err, HERR_BAD_REQUEST, "invalid_value", param,
					"'%s' (%.80s) answers no tool call of the assistant message "
					"before it.", param, jsonx_get_str(m, "tool_call_id"));
		snprintf(param, sizeof(param), "messages[%zu].content", i);
		json_object_object_get_ex(m, "content", &content);
		if((rc = agent_content_normalize(content, "tool", param, &norm, &payload, &r->err)))
			return rc;
		json_object_array_add(in->tool_results, history_message(m, "tool", norm));
		json_object_put(norm);
	}
	*tail = t;
	return HERR_OK;
}

static void completion_id(char *out, size_t cap)
{
	char hex[31];

	if(rand_hex(hex, sizeof(hex), 15))
		memcpy(hex, "00000000000000000000000000000", 30);
	hex[29] = '\0';
	snprintf(out, cap, "chatcmpl-%s", hex);
}

/* The non-streaming answer. SPEC: hermes-chat-responses.md, the table. */
static enum herr answer(struct api_turn *t, const char *id)
{
	struct req *r = t->r;
	const struct agent_result *res = &t->res;
	struct json_object *o, *choices, *ch, *msg;
	bool has_text = buf_len(&res->final_text) > 0;
	enum herr rc;

	api_turn_headers(t);
	if(api_chat_failed(res, has_text))
		return api_result_error(r, res);
	o = json_object_new_object();
	jsonx_add_str(o, "id", id);
	jsonx_add_str(o, "object", "chat.completion");
	jsonx_add_int(o, "created", (int64_t)time(NULL));
	jsonx_add_str(o, "model", t->model->name);
	choices = json_object_new_array();
	ch = json_object_new_object();
	msg = json_object_new_object();
	jsonx_add_int(ch, "index", 0);
	jsonx_add_str(msg, "role", "assistant");
	jsonx_add_owned(msg, "content", res->client_calls && !has_text ? NULL
				: json_object_new_string_len(buf_str(&res->final_text),
							     (int)buf_len(&res->final_text)));
	jsonx_add_owned(msg, "refusal", NULL);
	if(res->client_calls)
		jsonx_add_owned(msg, "tool_calls", api_chat_tool_calls(res));
	jsonx_add_owned(ch, "message", msg);
	jsonx_add_owned(ch, "logprobs", NULL);
	jsonx_add_str(ch, "finish_reason", api_chat_finish_reason(res));
	json_object_array_add(choices, ch);
	jsonx_add_owned(o, "choices", choices);
	jsonx_add_owned(o, "usage", api_chat_usage(res));
	if(agent_result_needs_extras(res))
		jsonx_add_owned(o, "hermes", agent_result_extras(res));
	rc = resp_json(r, 200, o);
	json_object_put(o);
	return rc;
}

/* The streamed answer: the chunks sink, then the last chunks and [DONE]. */
static void stream(struct app *app, struct api_turn *t, const char *id, bool include_usage)
{
	struct chat_stream cs;

	api_chat_stream_init(&cs, t->r, id, t->model->name, t->session_id, t->session_key,
			     include_usage, &app->interrupt);
	cs.named_events = api_wants_tool_events(t->r);
	api_turn_run(t, &cs.sink);
	api_chat_stream_finish(&cs, &t->res);
	api_chat_stream_release(&cs);
}

enum herr api_chat(void *vapp, struct req *r)
{
	struct app *app = vapp;
	struct chat_in in;
	struct api_turn t;
	struct api_turn_in ti = { .kind = "chat" };
	char id[48];
	enum herr rc;

	memset(&in, 0, sizeof(in));
	memset(&t, 0, sizeof(t)); /* api_turn_end accepts a turn that never began */
	if((rc = parse(r, &in)))
		goto out;
	ti.system = buf_str(&in.system);
	ti.first_user = buf_str(&in.first_user);
	ti.history = in.history;
	ti.user = in.tool_results ? NULL : buf_str(&in.user_text);
	ti.user_content = json_object_is_type(in.user, json_type_array) ? in.user : NULL;
	ti.model = in.model;
	ti.ctools = &in.ctools;
	ti.tool_results = in.tool_results;
	if((rc = api_turn_begin(&t, app, r, &ti)))
		goto out;
	completion_id(id, sizeof(id));
	if(in.stream) {
		stream(app, &t, id, in.include_usage);
		rc = HERR_OK;
	} else {
		struct agent_acc acc;

		agent_acc_init(&acc);
		api_turn_run(&t, &acc.sink);
		rc = answer(&t, id);
		agent_acc_release(&acc);
	}
out:
	api_turn_end(&t);
	chat_in_release(&in);
	return rc;
}
