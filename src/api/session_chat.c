/* src/api/session_chat.c: POST /api/sessions/{id}/chat and …/chat/stream:
 * one agent turn inside a stored session, its history loaded from the
 * store (from the session's compression tip), through the turn
 * orchestrator (api/turn.h).
 *
 * The turn's transcript (run.completed.messages, and "messages" of the
 * JSON answer) is read back from the store after the turn: the assistant
 * and tool rows after the turn's user message in the effective session,
 * through the same whitelist as GET …/messages, so a client can reconcile
 * its view with what a later GET returns, ids included. When part of the
 * turn could not be saved, the agent's own messages are used instead.
 * SPEC: runs-discovery-security §2.9, §5.5
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/sessions.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/content.h"
#include "agent/sink_acc.h"
#include "api/app.h"
#include "api/chat_result.h"
#include "api/fields.h"
#include "api/session_stream.h"
#include "api/turn.h"
#include "http/req.h"
#include "http/resp.h"
#include "http/route.h"
#include "store/store.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/rand.h"

#define USER_TEXT_MAX (1u << 22)

struct session_chat_in {
	struct json_object *content;   /* owned: the normalised user content */
	struct buf text;               /* owned: its text */
	const char *system;            /* borrowed from the body, or stored */
	char *stored_system;           /* owned: the session's system prompt */
};

static void in_release(struct session_chat_in *in)
{
	json_object_put(in->content);
	buf_release(&in->text);
	free(in->stored_system);
}

/* The first of keys present (not null) in the body, or NULL; *which names it. */
static struct json_object *member(struct json_object *body, const char *a, const char *b,
				  const char **which)
{
	struct json_object *v = NULL;

	*which = a;
	if(json_object_object_get_ex(body, a, &v) && v)
		return v;
	*which = b;
	if(json_object_object_get_ex(body, b, &v) && v)
		return v;
	return NULL;
}

/* message|input (string or parts), system_message|instructions (string). */
static enum herr parse(struct req *r, struct session_chat_in *in)
{
	struct json_object *msg, *sys;
	const char *which;
	bool payload = false;
	enum herr rc;

	buf_init(&in->text, USER_TEXT_MAX);
	sys = member(r->json, "system_message", "instructions", &which);
	if(sys && !json_object_is_type(sys, json_type_string))
		return herr_set(&r->err, HERR_BAD_REQUEST, "invalid_system_message", which,
				"'%s' must be a string.", which);
	in->system = sys ? json_object_get_string(sys) : NULL;
	msg = member(r->json, "message", "input", &which);
	if(!msg)
		return herr_set(&r->err, HERR_BAD_REQUEST, "missing_message", "message",
				"Missing 'message': the text (or parts) of the user's turn.");
	if((rc = agent_content_normalize(msg, "user", which, &in->content, &payload, &r->err)))
		return rc;
	if(!payload)
		return herr_set(&r->err, HERR_BAD_REQUEST, "missing_message", which,
				"'%s' holds no text or image.", which);
	if(agent_content_text(in->content, &in->text))
		return herr_set(&r->err, HERR_TOO_LARGE, "body_too_large", which,
				"The message is too long.");
	return HERR_OK;
}

/* The store, the session (404), the body, and the stored system prompt
 * when the body gives none. */
static enum herr admit(struct app *app, struct req *r, struct session_chat_in *in)
{
	struct store *s = api_sessions_store(app, r);
	const char *id = route_param(&r->params, "session_id");
	enum herr rc;

	if(!s)
		return r->err.rc;
	if((rc = store_session_system_prompt(s, id, &in->stored_system, &r->err)) ||
	   (rc = api_sessions_body(r)) || (rc = parse(r, in)))
		return rc;
	if(!in->system)
		in->system = in->stored_system;
	return HERR_OK;
}

/* The turn's transcript (new reference), see the top of the file. */
static struct json_object *transcript(struct api_turn *t)
{
	const struct agent_result *res = &t->res;
	struct json_object *rows = NULL, *out = json_object_new_array();
	struct herror err;
	size_t n, from = 0;

	herr_clear(&err);
	if(!res->persist_failures && t->store &&
	   !store_messages(t->store, res->session_id, &rows, &err)) {
		n = json_object_array_length(rows);
		for(size_t i = 0; i < n; i++) {
			const char *role = jsonx_get_str(json_object_array_get_idx(rows, i), "role");

			if(role && strcmp(role, "user") == 0)
				from = i + 1;
		}
		for(size_t i = from; i < n; i++) {
			struct json_object *m = json_object_array_get_idx(rows, i);
			const char *role = jsonx_get_str(m, "role");

			if(role && (!strcmp(role, "assistant") || !strcmp(role, "tool")))
				json_object_array_add(out, api_session_message_public(m, res->session_id));
		}
		json_object_put(rows);
		return out;
	}
	if(err.rc)
		LOG_WARN("session %s: transcript not read back: %s", res->session_id, err.msg);
	n = res->messages ? json_object_array_length(res->messages) : 0;
	for(size_t i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(res->messages, i), *c;

		c = api_session_message_public(m, res->session_id);
		if(jsonx_get_str(m, "name") && !json_object_object_get_ex(c, "tool_name", NULL))
			jsonx_add_str(c, "tool_name", jsonx_get_str(m, "name"));
		json_object_array_add(out, c);
	}
	return out;
}

static void run_id(char *out, size_t cap)
{
	char hex[33];

	if(rand_hex(hex, sizeof(hex), 16))
		snprintf(hex, sizeof(hex), "%032d", 0);
	snprintf(out, cap, "run_%s", hex);
}

/* Begin the turn for the session in the path. */
static enum herr begin(struct app *app, struct req *r, struct session_chat_in *in,
		       struct api_turn *t)
{
	struct api_turn_in ti = { .kind = "chat" };

	ti.system = in->system;
	ti.first_user = buf_str(&in->text);
	ti.user = buf_str(&in->text);
	ti.user_content = json_object_is_type(in->content, json_type_array) ? in->content : NULL;
	ti.session_id = route_param(&r->params, "session_id");
	ti.stored = true;
	return api_turn_begin(t, app, r, &ti);
}

/* The JSON answer of a turn. */
static enum herr answer(struct api_turn *t, const char *rid)
{
	const struct agent_result *res = &t->res;
	struct json_object *o, *m;
	enum herr rc;

	api_turn_headers(t);
	if(api_chat_failed(res, buf_len(&res->final_text) > 0))
		return api_result_error(t->r, res);
	o = json_object_new_object();
	jsonx_add_str(o, "object", "hermes.session.chat");
	jsonx_add_str(o, "session_id", res->session_id);
	jsonx_add_str(o, "run_id", rid);
	m = json_object_new_object();
	jsonx_add_str(m, "role", "assistant");
	jsonx_add_owned(m, "content", json_object_new_string_len(buf_str(&res->final_text),
								 (int)buf_len(&res->final_text)));
	jsonx_add_owned(o, "message", m);
	jsonx_add_owned(o, "messages", transcript(t));
	jsonx_add_owned(o, "usage", api_session_usage(res));
	jsonx_add_bool(o, "completed", res->status == AGENT_COMPLETED);
	jsonx_add_bool(o, "partial", res->status == AGENT_PARTIAL);
	jsonx_add_bool(o, "interrupted", res->status == AGENT_INTERRUPTED);
	if(agent_result_needs_extras(res))
		jsonx_add_owned(o, "hermes", agent_result_extras(res));
	rc = resp_json(t->r, 200, o);
	json_object_put(o);
	return rc;
}

/* Both endpoints: admit, begin, run (streamed or not), answer, end. */
static enum herr chat(struct app *app, struct req *r, bool stream)
{
	struct session_chat_in in;
	struct api_turn t;
	char rid[40];
	enum herr rc;

	memset(&in, 0, sizeof(in));
	memset(&t, 0, sizeof(t)); /* api_turn_end accepts a turn that never began */
	if((rc = admit(app, r, &in)) || (rc = begin(app, r, &in, &t)))
		goto out;
	run_id(rid, sizeof(rid));
	if(stream) {
		struct session_stream ss;
		struct json_object *msgs;
		bool failed;

		api_session_stream_init(&ss, r, rid, t.session_id, t.session_key, &app->interrupt);
		api_session_stream_started(&ss, in.content);
		api_turn_run(&t, &ss.sink);
		failed = api_chat_failed(&t.res, ss.sse.any_delta || buf_len(&ss.sse.pending) ||
					 buf_len(&t.res.final_text));
		msgs = failed ? NULL : transcript(&t);
		api_session_stream_finish(&ss, &t.res, msgs, failed);
		json_object_put(msgs);
		api_session_stream_release(&ss);
	} else {
		struct agent_acc acc;

		agent_acc_init(&acc);
		api_turn_run(&t, &acc.sink);
		rc = answer(&t, rid);
		agent_acc_release(&acc);
	}
out:
	api_turn_end(&t);
	in_release(&in);
	return rc;
}

enum herr api_session_chat(void *app, struct req *r)
{
	return chat(app, r, false);
}

enum herr api_session_chat_stream(void *app, struct req *r)
{
	return chat(app, r, true);
}
