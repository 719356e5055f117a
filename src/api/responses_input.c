/* src/api/responses_input.c: the Responses request body into a turn.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/responses_input.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/content.h"
#include "agent/history.h"
#include "api/fields.h"
#include "agent/response_obj.h"
#include "store/store.h"
#include "util/jsonx.h"
#include "util/str.h"
#include "util/xalloc.h"

#define SYSTEM_MAX (1024u * 1024)
#define TEXT_MAX (1u << 22)

/* The pass over the input items. */
struct parse {
	struct api_resp_in *in;
	struct store *s;
	struct herror *err;
	size_t last_user;          /* index of the new user turn */
	bool open_assistant;       /* history's last message takes more tool_calls */
};

static const char *const roles[] = { "user", "assistant", "system", "developer", NULL };
static const char *const truncations[] = { "disabled", "auto", NULL };

static enum herr bad(struct herror *err, const char *code, const char *param, const char *msg)
{
	return herr_set(err, HERR_BAD_REQUEST, code, param, "%s", msg);
}

/* Content as the items list shows it: a string becomes one text part. */
static struct json_object *item_content(struct json_object *content, const char *role)
{
	struct json_object *a, *p;

	if(!json_object_is_type(content, json_type_string))
		return json_object_get(content);
	a = json_object_new_array();
	p = json_object_new_object();
	jsonx_add_str(p, "type", strcmp(role, "assistant") ? "input_text" : "output_text");
	jsonx_add_owned(p, "text", json_object_get(content));
	if(!strcmp(role, "assistant"))
		jsonx_add_owned(p, "annotations", json_object_new_array());
	json_object_array_add(a, p);
	return a;
}

/* Keep item in in->items, given an id with prefix when it has none: a new
 * object with the same members, shared, not copied (they are never
 * changed; a deep copy would hold the request's text twice). */
static void keep_item(struct api_resp_in *in, struct json_object *item, const char *prefix)
{
	struct json_object *c;
	char id[RESP_ID_MAX];

	if(!json_object_is_type(item, json_type_object))
		return;
	c = jsonx_shallow(item);
	if(!jsonx_get_str(c, "id")) {
		agent_resp_new_id(id, sizeof(id), prefix);
		jsonx_add_str(c, "id", id);
	}
	json_object_array_add(in->items, c);
}

static void history_add(struct api_resp_in *in, const char *role, struct json_object *content_owned)
{
	struct json_object *m = json_object_new_object();

	jsonx_add_str(m, "role", role);
	jsonx_add_owned(m, "content", content_owned);
	json_object_array_add(in->history, m);
}

/* A message item. */
static enum herr message_item(struct parse *p, struct json_object *item, size_t i,
			      const char *param)
{
	struct api_resp_in *in = p->in;
	struct api_fields f;
	struct json_object *content = NULL, *norm = NULL, *kept;
	const char *role = NULL;
	char cparam[HERR_PARAM_MAX];
	bool payload = false;
	enum herr rc;

	api_field_init(&f, item, param, p->err);
	if((rc = api_field_enum(&f, "role", API_FIELD_REQUIRED, roles, &role)))
		return rc;
	snprintf(cparam, sizeof(cparam), "%.80s.content", param);
	json_object_object_get_ex(item, "content", &content);
	if((rc = agent_content_normalize(content, role, cparam, &norm, &payload, p->err)))
		return rc;
	if(!strcmp(role, "system") || !strcmp(role, "developer")) {
		if((buf_len(&in->system) && buf_adds(&in->system, "\n\n")) ||
		   agent_content_text(norm, &in->system))
			rc = herr_set(p->err, HERR_TOO_LARGE, "body_too_large", cparam,
				      "The instructions are too long.");
	} else if(i == p->last_user) {
		if(!payload)
			rc = bad(p->err, "empty_message", cparam,
				 "The last user message has no text or image.");
		in->user = json_object_get(norm);
		if(!rc && agent_content_text(norm, &in->user_text))
			rc = herr_set(p->err, HERR_TOO_LARGE, "body_too_large", cparam,
				      "The user message is too long.");
	} else {
		if(!strcmp(role, "user") && !buf_len(&in->first_user) &&
		   agent_content_text(norm, &in->first_user))
			buf_reset(&in->first_user);
		history_add(in, role, json_object_get(norm));
	}
	p->open_assistant = !strcmp(role, "assistant");
	json_object_put(norm);
	if(rc)
		return rc;
	kept = json_object_new_object();
	jsonx_add_str(kept, "type", "message");
	if(jsonx_get_str(item, "id"))
		jsonx_add_str(kept, "id", jsonx_get_str(item, "id"));
	jsonx_add_str(kept, "role", role);
	jsonx_add_owned(kept, "content", item_content(content, role));
	jsonx_add_str(kept, "status", "completed");
	keep_item(in, kept, "msg_");
	json_object_put(kept);
	return HERR_OK;
}

/* A function_call item: a tool call of the assistant message before it. */
static enum herr call_item(struct parse *p, struct json_object *item, const char *param)
{
	struct api_fields f;
	struct json_object *calls, *c, *fn, *last;
	const char *call_id, *name, *args;
	size_t n = json_object_array_length(p->in->history);
	enum herr rc;

	api_field_init(&f, item, param, p->err);
	if((rc = api_field_str(&f, "call_id", API_FIELD_REQUIRED, &call_id, NULL)) ||
	   (rc = api_field_str(&f, "name", API_FIELD_REQUIRED, &name, NULL)) ||
	   (rc = api_field_str(&f, "arguments", API_FIELD_REQUIRED, &args, NULL)))
		return rc;
	last = n ? json_object_array_get_idx(p->in->history, n - 1) : NULL;
	if(!p->open_assistant || !last) {
		history_add(p->in, "assistant", NULL);
		last = json_object_array_get_idx(p->in->history, n);
	}
	if(!json_object_object_get_ex(last, "tool_calls", &calls)) {
		calls = json_object_new_array();
		jsonx_add_owned(last, "tool_calls", calls);
	}
	c = json_object_new_object();
	fn = json_object_new_object();
	jsonx_add_str(c, "id", call_id);
	jsonx_add_str(c, "type", "function");
	jsonx_add_str(fn, "name", name);
	jsonx_add_str(fn, "arguments", args);
	jsonx_add_owned(c, "function", fn);
	json_object_array_add(calls, c);
	p->open_assistant = true;
	keep_item(p->in, item, "fc_");
	return HERR_OK;
}

/* A function_call_output item: the tool message answering a call. */
static enum herr output_item(struct parse *p, struct json_object *item, const char *param)
{
	struct api_fields f;
	struct json_object *out = NULL, *norm = NULL, *m;
	const char *call_id;
	char oparam[HERR_PARAM_MAX];
	bool payload;
	enum herr rc;

	api_field_init(&f, item, param, p->err);
	if((rc = api_field_str(&f, "call_id", API_FIELD_REQUIRED, &call_id, NULL)))
		return rc;
	snprintf(oparam, sizeof(oparam), "%.80s.output", param);
	json_object_object_get_ex(item, "output", &out);
	if((rc = agent_content_normalize(out, "tool", oparam, &norm, &payload, p->err)))
		return rc;
	m = json_object_new_object();
	jsonx_add_str(m, "role", "tool");
	jsonx_add_str(m, "tool_call_id", call_id);
	jsonx_add_owned(m, "content", norm);
	json_object_array_add(p->in->history, m);
	p->open_assistant = false;
	keep_item(p->in, item, "fco_");
	return HERR_OK;
}

static enum herr one_item(struct parse *p, struct json_object *item, size_t i, bool resolved);

/* The session of response rid, an item of which the input names (the
 * last one named wins: the newest turn a resumed turn may continue). */
static void call_session(struct parse *p, const char *rid)
{
	char *stored = NULL, *session = NULL;
	struct herror serr;

	herr_clear(&serr);
	if(!store_response_get(p->s, rid, &stored, &session, &serr) && session) {
		free(p->in->call_session);
		p->in->call_session = session;
		session = NULL;
	}
	free(session);
	free(stored);
}

/* An item_reference: the stored output item it names, read in its place. */
static enum herr reference_item(struct parse *p, struct json_object *item, size_t i,
				const char *param)
{
	struct api_fields f;
	struct json_object *ref = NULL;
	char idparam[HERR_PARAM_MAX], *text = NULL, *rid = NULL;
	const char *id;
	struct herror serr;
	enum herr rc;

	api_field_init(&f, item, param, p->err);
	if((rc = api_field_str(&f, "id", API_FIELD_REQUIRED, &id, NULL)))
		return rc;
	snprintf(idparam, sizeof(idparam), "%.80s.id", param);
	herr_clear(&serr);
	rc = p->s ? store_response_item(p->s, id, &text, &rid, &serr) : HERR_NOT_FOUND;
	if(rc == HERR_NOT_FOUND)
		return herr_set(p->err, HERR_BAD_REQUEST, "item_not_found", idparam,
				"Item with id '%.80s' not found.", id);
	if(rc) {
		*p->err = serr;
		return rc;
	}
	ref = jsonx_parse_stored(text);
	free(text);
	if(!rc && rid)
		call_session(p, rid);
	free(rid);
	if(!json_object_is_type(ref, json_type_object))
		rc = herr_set(p->err, HERR_BAD_REQUEST, "item_not_found", idparam,
			      "Item with id '%.80s' not found.", id);
	else
		rc = one_item(p, ref, i, true);
	json_object_put(ref);
	return rc;
}

static enum herr one_item(struct parse *p, struct json_object *item, size_t i, bool resolved)
{
	char param[HERR_PARAM_MAX];
	const char *type;

	snprintf(param, sizeof(param), "input[%zu]", i);
	if(!json_object_is_type(item, json_type_object))
		return api_field_type_error(p->err, param, "an object", item);
	type = jsonx_get_str(item, "type");
	if(!type || !strcmp(type, "message"))
		return message_item(p, item, i, param);
	if(!strcmp(type, "function_call"))
		return call_item(p, item, param);
	if(!strcmp(type, "function_call_output"))
		return output_item(p, item, param);
	if(!strcmp(type, "item_reference") && !resolved)
		return reference_item(p, item, i, param);
	if(!strcmp(type, "reasoning")) {
		keep_item(p->in, item, "rs_");
		return HERR_OK;
	}
	snprintf(param, sizeof(param), "input[%zu].type", i);
	return herr_set(p->err, HERR_BAD_REQUEST, "invalid_value", param,
			"Unsupported input item type '%.60s'; supported: message, function_call, "
			"function_call_output, item_reference, reasoning.", type);
}

/* The new user turn: the last message item with role user. */
static enum herr find_last_user(struct parse *p, struct json_object *list)
{
	size_t n = json_object_array_length(list);

	p->last_user = (size_t)-1;
	for(size_t i = 0; i < n; i++) {
		struct json_object *it = json_object_array_get_idx(list, i);
		const char *type = jsonx_get_str(it, "type"), *role = jsonx_get_str(it, "role");

		if((!type || !strcmp(type, "message")) && role && !strcmp(role, "user"))
			p->last_user = i;
	}
	if(n && !strcmp(jsonx_get_str(json_object_array_get_idx(list, n - 1), "type") ?
			jsonx_get_str(json_object_array_get_idx(list, n - 1), "type") : "",
			"function_call_output")) {
		p->last_user = (size_t)-1; /* the client's results of its calls: a resumed turn */
		return HERR_OK;
	}
	if(p->last_user == (size_t)-1)
		return bad(p->err, "missing_user_message", "input",
			   "'input' must contain a user message.");
	return HERR_OK;
}

static bool is_tool(struct json_object *m)
{
	const char *role = jsonx_get_str(m, "role");

	return role && !strcmp(role, "tool");
}

/* A resumed turn: the trailing tool messages the input itself gave (from
 * index base of the history on: the server's results of the same calls
 * are in the previous transcript before it) are the client's results
 * (in->tool_results); each must answer a call of the assistant message
 * before them (else 400, as OpenAI answers). */
static enum herr split_results(struct api_resp_in *in, size_t base, struct herror *err)
{
	size_t n = json_object_array_length(in->history), t = n, a;
	struct json_object *kept;

	while(t > base && is_tool(json_object_array_get_idx(in->history, t - 1)))
		t--;
	in->tool_results = json_object_new_array();
	kept = json_object_new_array();
	for(size_t i = 0; i < n; i++)
		json_object_array_add(i < t ? kept : in->tool_results,
				      json_object_get(json_object_array_get_idx(in->history, i)));
	json_object_put(in->history);
	in->history = kept;
	for(a = t; a > 0 && is_tool(json_object_array_get_idx(kept, a - 1));)
		a--;
	for(size_t i = 0; i < json_object_array_length(in->tool_results); i++) {
		const char *id = jsonx_get_str(json_object_array_get_idx(in->tool_results, i),
					       "tool_call_id");

		if(!a || !agent_history_has_call(json_object_array_get_idx(kept, a - 1), id))
			return herr_set(err, HERR_BAD_REQUEST, "invalid_value", "input",
					"No tool call found for function call output with call_id "
					"%.80s.", id ? id : "");
	}
	return HERR_OK;
}

static enum herr parse_input(struct parse *p, struct json_object *input)
{
	enum herr rc;

	if(json_object_is_type(input, json_type_string)) {
		struct json_object *m;
		size_t len;

		str_trim(json_object_get_string(input), (size_t)json_object_get_string_len(input), &len);
		if(!len)
			return bad(p->err, "empty_message", "input", "'input' has no text.");
		m = json_object_new_object();

		jsonx_add_str(m, "role", "user");
		jsonx_add_owned(m, "content", json_object_get(input));
		p->last_user = 0;
		rc = one_item(p, m, 0, false);
		json_object_put(m);
		return rc;
	}
	if(!json_object_is_type(input, json_type_array))
		return api_field_type_error(p->err, "input", "a string or an array", input);
	if(!json_object_array_length(input))
		return bad(p->err, "empty_array", "input", "'input' must not be empty.");
	if((rc = find_last_user(p, input)))
		return rc;
	for(size_t i = 0; i < json_object_array_length(input); i++)
		if((rc = one_item(p, json_object_array_get_idx(input, i), i, false)))
			return rc;
	return HERR_OK;
}

/* conversation: a name, or {id: name}. */
static enum herr conversation_name(struct json_object *body, const char **name, struct herror *err)
{
	struct json_object *v = NULL;
	struct api_fields f;

	if(!json_object_object_get_ex(body, "conversation", &v) || !v)
		return HERR_OK;
	if(json_object_is_type(v, json_type_string)) {
		*name = json_object_get_string(v);
		return HERR_OK;
	}
	if(!json_object_is_type(v, json_type_object))
		return api_field_type_error(err, "conversation", "a string or an object", v);
	api_field_init(&f, v, "conversation", err);
	return api_field_str(&f, "id", API_FIELD_REQUIRED, name, NULL);
}

/* metadata: an object of strings. */
static enum herr check_metadata(struct json_object *md, struct herror *err)
{
	char param[HERR_PARAM_MAX];

	if(!md)
		return HERR_OK;
	json_object_object_foreach(md, key, val) {
		if(!json_object_is_type(val, json_type_string)) {
			snprintf(param, sizeof(param), "metadata.%.60s", key);
			return api_field_type_error(err, param, "a string", val);
		}
	}
	return HERR_OK;
}

static enum herr parse_members(struct api_resp_in *in, struct json_object *body, struct herror *err)
{
	struct api_fields f;
	struct json_object *unused;
	const char *s;
	enum herr rc;

	api_field_init(&f, body, NULL, err);
	if((rc = api_field_str(&f, "model", 0, &in->model, NULL)) ||
	   (rc = api_field_str(&f, "instructions", 0, &in->instructions, NULL)) ||
	   (rc = api_field_str(&f, "previous_response_id", 0, &s, NULL)) ||
	   (rc = conversation_name(body, &in->conversation, err)) ||
	   (rc = api_field_bool(&f, "store", 0, &in->store)) ||
	   (rc = api_field_bool(&f, "stream", 0, &in->stream)) ||
	   (rc = api_field_bool(&f, "background", 0, &in->background)) ||
	   (rc = api_field_object(&f, "metadata", 0, &in->metadata)) ||
	   (rc = check_metadata(in->metadata, err)) ||
	   (rc = api_field_enum(&f, "truncation", 0, truncations, &in->truncation)) ||
	   (rc = api_field_int(&f, "max_output_tokens", 0, 1, INT32_MAX, &in->max_output_tokens)) ||
	   (rc = api_field_number(&f, "temperature", 0, 0, 2, &in->temperature)) ||
	   (rc = api_field_number(&f, "top_p", 0, 0, 1, &in->top_p)) ||
	   (rc = api_field_array(&f, "include", 0, 0, &unused)) ||
	   (rc = api_field_bool(&f, "parallel_tool_calls", 0, &in->parallel_tool_calls)) ||
	   (rc = api_field_array(&f, "tools", 0, 0, &unused)) ||
	   (rc = api_field_object(&f, "text", 0, &unused)) ||
	   (rc = api_field_object(&f, "reasoning", 0, &unused)) ||
	   (rc = api_field_str(&f, "user", 0, &s, NULL)))
		return rc;
	in->temperature_set = json_object_object_get_ex(body, "temperature", &unused) && unused;
	in->top_p_set = json_object_object_get_ex(body, "top_p", &unused) && unused;
	if(!json_object_object_get_ex(body, "input", &unused) || !unused)
		return herr_set(err, HERR_BAD_REQUEST, "missing_required_parameter", "input",
				"Missing required parameter: 'input'.");
	/* SPEC: openai-wire §6.8: a background response is polled, so stored */
	if(in->background && !in->store)
		return bad(err, "invalid_value", "background",
			   "Background responses must be stored: 'background': true cannot be used "
			   "with 'store': false.");
	if(jsonx_get_str(body, "previous_response_id") && in->conversation)
		return bad(err, "conversation_conflict", "conversation",
			   "'previous_response_id' and 'conversation' cannot be used together.");
	return HERR_OK;
}

/* The response this one continues: previous_response_id, or the newest of
 * the conversation (none yet: a new conversation). */
static enum herr resolve_previous(struct api_resp_in *in, struct json_object *body, struct store *s,
				  char **stored, struct herror *err)
{
	const char *prev = jsonx_get_str(body, "previous_response_id");
	struct herror serr;
	enum herr rc;

	herr_clear(&serr);
	if(!prev && in->conversation && s) {
		rc = store_conversation_get(s, in->conversation, &in->previous_id, &serr);
		if(rc == HERR_NOT_FOUND)
			return HERR_OK;
		if(rc) {
			*err = serr;
			return rc;
		}
		prev = in->previous_id;
	}
	if(!prev)
		return HERR_OK;
	rc = s ? store_response_get(s, prev, stored, &in->previous_session, &serr) : HERR_NOT_FOUND;
	if(rc == HERR_NOT_FOUND)
		return herr_set(err, HERR_BAD_REQUEST, "previous_response_not_found",
				in->conversation ? "conversation" : "previous_response_id",
				"Previous response with id '%.80s' not found.", prev);
	if(rc) {
		*err = serr;
		return rc;
	}
	if(!in->previous_id)
		in->previous_id = xstrdup(prev);
	return HERR_OK;
}

/* The stored transcript of the previous response starts the history; its
 * instructions are kept for a turn that gives none. */
static void previous_transcript(struct api_resp_in *in, const char *stored)
{
	struct json_object *o = jsonx_parse_stored(stored), *hs, *tr;
	const char *inst;

	if(!json_object_object_get_ex(o, "hermes_store", &hs)) {
		json_object_put(o);
		return;
	}
	if(json_object_object_get_ex(hs, "transcript", &tr) && json_object_is_type(tr, json_type_array))
		for(size_t i = 0; i < json_object_array_length(tr); i++)
			json_object_array_add(in->history,
					      json_object_get(json_object_array_get_idx(tr, i)));
	if((inst = jsonx_get_str(hs, "instructions")) && *inst)
		in->previous_instructions = xstrdup(inst);
	json_object_put(o);
}

/* A chained turn without instructions or system/developer items keeps the
 * previous response's (as the reference server does). */
static void inherit_instructions(struct api_resp_in *in)
{
	if(in->instructions || buf_len(&in->system) || !in->previous_instructions)
		return;
	if(buf_adds(&in->system, in->previous_instructions))
		buf_init(&in->system, SYSTEM_MAX); /* cannot happen: it fitted before */
	else
		in->instructions = in->previous_instructions;
}

/* truncation "auto": keep the newest RESP_HISTORY_AUTO_MAX messages,
 * starting at a user message so no tool result loses its call. */
static void truncate_history(struct api_resp_in *in)
{
	size_t n = json_object_array_length(in->history), from;
	struct json_object *kept;

	if(n <= RESP_HISTORY_AUTO_MAX)
		return;
	from = n - RESP_HISTORY_AUTO_MAX;
	while(from < n) {
		const char *role = jsonx_get_str(json_object_array_get_idx(in->history, from), "role");

		if(role && !strcmp(role, "user"))
			break;
		from++;
	}
	kept = json_object_new_array();
	for(size_t i = from; i < n; i++)
		json_object_array_add(kept, json_object_get(json_object_array_get_idx(in->history, i)));
	json_object_put(in->history);
	in->history = kept;
}

enum herr api_resp_in_parse(struct api_resp_in *in, struct json_object *body, struct store *s,
			struct herror *err)
{
	struct parse p = { in, s, err, 0, false };
	struct json_object *input = NULL;
	char *stored = NULL;
	size_t base;
	enum herr rc;

	memset(in, 0, sizeof(*in));
	in->store = true;
	in->parallel_tool_calls = true;
	in->truncation = "disabled";
	buf_init(&in->system, SYSTEM_MAX);
	buf_init(&in->user_text, TEXT_MAX);
	buf_init(&in->first_user, TEXT_MAX);
	in->items = json_object_new_array();
	in->history = json_object_new_array();
	if((rc = parse_members(in, body, err)))
		return rc;
	if(in->instructions && buf_adds(&in->system, in->instructions))
		return herr_set(err, HERR_TOO_LARGE, "body_too_large", "instructions",
				"The instructions are too long.");
	if((rc = resolve_previous(in, body, s, &stored, err)))
		return rc;
	previous_transcript(in, stored);
	free(stored);
	base = json_object_array_length(in->history);
	json_object_object_get_ex(body, "input", &input);
	if((rc = parse_input(&p, input)))
		return rc;
	if(p.last_user == (size_t)-1 && (rc = split_results(in, base, err)))
		return rc;
	inherit_instructions(in);
	if(!buf_len(&in->first_user) && agent_content_text(in->user, &in->first_user))
		buf_reset(&in->first_user);
	if(!strcmp(in->truncation, "auto"))
		truncate_history(in);
	return HERR_OK;
}

void api_resp_in_release(struct api_resp_in *in)
{
	free(in->previous_id);
	free(in->previous_session);
	free(in->previous_instructions);
	free(in->call_session);
	buf_release(&in->system);
	buf_release(&in->user_text);
	buf_release(&in->first_user);
	json_object_put(in->items);
	json_object_put(in->history);
	json_object_put(in->user);
	json_object_put(in->tool_results);
	memset(in, 0, sizeof(*in));
}
