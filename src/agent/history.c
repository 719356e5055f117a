/* src/agent/history.c: loading a session's stored history.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "agent/history.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "util/jsonx.h"

#define ROTATIONS_MAX 64 /* a cycle in parent ids cannot hold a turn */

bool agent_history_has_assistant(struct json_object *messages)
{
	for(size_t i = 0; messages && i < json_object_array_length(messages); i++) {
		const char *role = jsonx_get_str(json_object_array_get_idx(messages, i), "role");

		if(role && strcmp(role, "assistant") == 0)
			return true;
	}
	return false;
}

void agent_history_tip(struct store *s, const char *session_id, char *tip, size_t cap)
{
	char next[256];
	struct herror err;

	if(tip != session_id)
		snprintf(tip, cap, "%s", session_id);
	if(!s)
		return;
	for(int i = 0; i < ROTATIONS_MAX; i++) {
		herr_clear(&err);
		if(store_session_successor(s, tip, next, sizeof(next), &err) || strlen(next) >= cap)
			return;
		snprintf(tip, cap, "%s", next);
	}
}

/* A stored message row back into OpenAI form (new reference), or NULL for
 * rows that are no conversation (system, session_meta). */
static struct json_object *from_row(struct json_object *row)
{
	const char *role = jsonx_get_str(row, "role");
	const char *calls = jsonx_get_str(row, "tool_calls");
	const char *call_id = jsonx_get_str(row, "tool_call_id");
	struct json_object *m;

	if(!role || strcmp(role, "system") == 0 || strcmp(role, "session_meta") == 0)
		return NULL;
	m = json_object_new_object();
	jsonx_add_str(m, "role", role);
	jsonx_add_str(m, "content", jsonx_get_str(row, "content"));
	if(calls)
		jsonx_add_owned(m, "tool_calls", json_tokener_parse(calls));
	if(call_id)
		jsonx_add_str(m, "tool_call_id", call_id);
	return m;
}

enum herr agent_history_load(struct store *s, const char *session_id, struct json_object *out,
			     struct herror *err)
{
	struct json_object *rows = NULL;
	enum herr rc;

	if(!s)
		return HERR_OK;
	if((rc = store_messages(s, session_id, &rows, err)))
		return rc;
	for(size_t i = 0; i < json_object_array_length(rows); i++) {
		struct json_object *m = from_row(json_object_array_get_idx(rows, i));

		if(m)
			json_object_array_add(out, m);
	}
	json_object_put(rows);
	return HERR_OK;
}

enum herr agent_history_continue(struct store *s, bool named, char *session_id, size_t cap,
				 struct json_object *sent, struct json_object **out,
				 struct herror *err)
{
	struct json_object *h;
	enum herr rc;

	if(!named || !s || agent_history_has_assistant(sent)) {
		*out = sent ? json_object_get(sent) : json_object_new_array();
		return HERR_OK;
	}
	agent_history_tip(s, session_id, session_id, cap);
	h = json_object_new_array();
	if((rc = agent_history_load(s, session_id, h, err))) {
		json_object_put(h);
		*out = sent ? json_object_get(sent) : json_object_new_array();
		return rc;
	}
	for(size_t i = 0; sent && i < json_object_array_length(sent); i++)
		json_object_array_add(h, json_object_get(json_object_array_get_idx(sent, i)));
	*out = h;
	return HERR_OK;
}

bool agent_history_has_call(struct json_object *m, const char *id)
{
	struct json_object *calls = NULL;

	json_object_object_get_ex(m, "tool_calls", &calls);
	for(size_t i = 0; id && calls && i < json_object_array_length(calls); i++) {
		const char *cid = jsonx_get_str(json_object_array_get_idx(calls, i), "id");

		if(cid && !strcmp(cid, id))
			return true;
	}
	return false;
}

/* Does stored history h end with the assistant message of the calls
 * results answer (then only tool messages, none answering them)? */
static bool ends_with_calls(struct json_object *h, struct json_object *results)
{
	size_t n = json_object_array_length(h), a = n;

	while(a > 0) {
		const char *role = jsonx_get_str(json_object_array_get_idx(h, a - 1), "role");

		if(!role || strcmp(role, "tool") != 0)
			break;
		a--;
	}
	if(a == 0 || !jsonx_get_str(json_object_array_get_idx(h, a - 1), "role") ||
	   strcmp(jsonx_get_str(json_object_array_get_idx(h, a - 1), "role"), "assistant") != 0)
		return false;
	for(size_t i = 0; i < json_object_array_length(results); i++) {
		const char *id = jsonx_get_str(json_object_array_get_idx(results, i), "tool_call_id");

		if(!agent_history_has_call(json_object_array_get_idx(h, a - 1), id))
			return false;
		for(size_t j = a; j < n; j++) {
			const char *done = jsonx_get_str(json_object_array_get_idx(h, j), "tool_call_id");

			if(done && !strcmp(done, id))
				return false;
		}
	}
	return true;
}

/* Index of the last user message of a, or n (its length) when none. */
static size_t last_user(struct json_object *a)
{
	size_t n = a ? json_object_array_length(a) : 0;

	for(size_t i = n; i > 0; i--) {
		const char *role = jsonx_get_str(json_object_array_get_idx(a, i - 1), "role");

		if(role && !strcmp(role, "user"))
			return i - 1;
	}
	return n;
}

/* The conversation as the client sent it up to its last user message, then
 * the stored turn after the stored last user message (new array). Without
 * a user message on either side: the stored history. */
static struct json_object *splice(struct json_object *sent, struct json_object *h)
{
	size_t us = last_user(sent), uh = last_user(h), nh = json_object_array_length(h);
	struct json_object *out;

	if(!sent || us == json_object_array_length(sent) || uh == nh)
		return json_object_get(h);
	out = json_object_new_array();
	for(size_t i = 0; i <= us; i++)
		json_object_array_add(out, json_object_get(json_object_array_get_idx(sent, i)));
	for(size_t i = uh + 1; i < nh; i++)
		json_object_array_add(out, json_object_get(json_object_array_get_idx(h, i)));
	return out;
}

bool agent_history_resume(struct store *s, char *session_id, size_t cap, struct json_object *sent,
			  struct json_object *results, struct json_object **out)
{
	char tip[256];
	struct json_object *h;
	struct herror err;

	*out = NULL;
	if(s && session_id && *session_id && json_object_array_length(results)) {
		herr_clear(&err);
		agent_history_tip(s, session_id, tip, sizeof(tip));
		h = json_object_new_array();
		if(!agent_history_load(s, tip, h, &err) && ends_with_calls(h, results) &&
		   strlen(tip) < cap) {
			snprintf(session_id, cap, "%s", tip);
			*out = splice(sent, h);
			json_object_put(h);
			return true;
		}
		json_object_put(h);
	}
	*out = sent ? json_object_get(sent) : json_object_new_array();
	return false;
}
