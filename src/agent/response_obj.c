/* src/api/response_obj.c: the Response object.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "agent/response_obj.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/result_extras.h"
#include "util/jsonx.h"
#include "util/rand.h"
#include "util/utf8.h"

#define TEXT_MAX (16u << 20)

void agent_resp_new_id(char *out, size_t cap, const char *prefix)
{
	char hex[25];

	if(rand_hex(hex, sizeof(hex), 12))
		memset(hex, '0', 24);
	hex[24] = '\0';
	snprintf(out, cap, "%s%s", prefix, hex);
}

static struct json_object *text_format(void)
{
	struct json_object *t = json_object_new_object(), *f = json_object_new_object();

	jsonx_add_str(f, "type", "text");
	jsonx_add_owned(t, "format", f);
	return t;
}

static void add_number(struct json_object *o, const char *key, bool set, double v)
{
	jsonx_add_owned(o, key, set ? json_object_new_double(v) : NULL);
}

struct json_object *agent_resp_obj_new(const struct agent_resp_meta *m)
{
	struct json_object *o = json_object_new_object(), *conv = NULL;

	jsonx_add_str(o, "id", m->id);
	jsonx_add_str(o, "object", "response");
	jsonx_add_int(o, "created_at", m->created_at);
	jsonx_add_str(o, "status", "in_progress");
	jsonx_add_bool(o, "background", 0);
	jsonx_add_str(o, "model", m->model);
	jsonx_add_owned(o, "output", json_object_new_array());
	jsonx_add_str(o, "output_text", "");
	jsonx_add_owned(o, "error", NULL);
	jsonx_add_owned(o, "incomplete_details", NULL);
	jsonx_add_str(o, "instructions", m->instructions);
	jsonx_add_owned(o, "metadata", m->metadata ? json_object_get(m->metadata)
						   : json_object_new_object());
	jsonx_add_bool(o, "parallel_tool_calls", m->parallel_tool_calls);
	add_number(o, "temperature", m->temperature_set, m->temperature);
	add_number(o, "top_p", m->top_p_set, m->top_p);
	jsonx_add_owned(o, "max_output_tokens", m->max_output_tokens > 0 ?
			json_object_new_int64(m->max_output_tokens) : NULL);
	if(m->tool_choice)
		jsonx_add_owned(o, "tool_choice", json_object_get(m->tool_choice));
	else
		jsonx_add_str(o, "tool_choice", "auto");
	jsonx_add_owned(o, "tools", m->tools ? json_object_get(m->tools) : json_object_new_array());
	jsonx_add_str(o, "previous_response_id", m->previous_id);
	if(m->conversation) {
		conv = json_object_new_object();
		jsonx_add_str(conv, "id", m->conversation);
	}
	jsonx_add_owned(o, "conversation", conv);
	jsonx_add_bool(o, "store", m->store);
	jsonx_add_str(o, "truncation", m->truncation);
	jsonx_add_owned(o, "text", text_format());
	jsonx_add_owned(o, "usage", NULL);
	return o;
}

void agent_resp_out_init(struct agent_resp_out *o)
{
	memset(o, 0, sizeof(*o));
	o->output = json_object_new_array();
	o->tools = json_object_new_array();
	o->open = -1;
	o->ropen = -1;
	buf_init(&o->text, TEXT_MAX);
	buf_init(&o->rtext, TEXT_MAX);
}

void agent_resp_out_release(struct agent_resp_out *o)
{
	json_object_put(o->output);
	json_object_put(o->tools);
	buf_release(&o->text);
	buf_release(&o->rtext);
	memset(o, 0, sizeof(*o));
	o->open = o->ropen = -1;
}

struct json_object *agent_resp_out_reasoning(struct agent_resp_out *o, const char *text, size_t len)
{
	struct json_object *it = NULL;
	char id[RESP_ID_MAX];

	if(o->ropen < 0) {
		it = json_object_new_object();
		agent_resp_new_id(id, sizeof(id), "rs_");
		jsonx_add_str(it, "type", "reasoning");
		jsonx_add_str(it, "id", id);
		jsonx_add_owned(it, "summary", json_object_new_array());
		json_object_array_add(o->output, it);
		o->ropen = (int)json_object_array_length(o->output) - 1;
		buf_reset(&o->rtext);
	}
	(void)buf_add_trunc(&o->rtext, text, len);
	return it;
}

/* [{type, text (t's text), annotations: [] when it is output_text}] */
static struct json_object *one_part(const char *type, const struct buf *t)
{
	struct json_object *list = json_object_new_array(), *part = json_object_new_object();

	jsonx_add_str(part, "type", type);
	jsonx_add_owned(part, "text", json_object_new_string_len(buf_str(t), (int)buf_len(t)));
	if(!strcmp(type, "output_text"))
		jsonx_add_owned(part, "annotations", json_object_new_array());
	json_object_array_add(list, part);
	return list;
}

struct json_object *agent_resp_out_reasoning_close(struct agent_resp_out *o)
{
	struct json_object *it;

	if(o->ropen < 0)
		return NULL;
	it = json_object_array_get_idx(o->output, (size_t)o->ropen);
	jsonx_add_owned(it, "summary", one_part("summary_text", &o->rtext));
	o->ropen = -1;
	buf_reset(&o->rtext);
	return it;
}

struct json_object *agent_resp_out_open(struct agent_resp_out *o)
{
	struct json_object *it = json_object_new_object();

	agent_resp_new_id(o->item_id, sizeof(o->item_id), "msg_");
	jsonx_add_str(it, "type", "message");
	jsonx_add_str(it, "id", o->item_id);
	jsonx_add_str(it, "status", "in_progress");
	jsonx_add_str(it, "role", "assistant");
	jsonx_add_owned(it, "content", json_object_new_array());
	json_object_array_add(o->output, it);
	o->open = (int)json_object_array_length(o->output) - 1;
	buf_reset(&o->text);
	return it;
}

void agent_resp_out_text(struct agent_resp_out *o, const char *text, size_t len)
{
	if(o->open >= 0)
		(void)buf_add_trunc(&o->text, text, len);
}

struct json_object *agent_resp_out_close(struct agent_resp_out *o, bool incomplete)
{
	struct json_object *it;

	if(o->open < 0)
		return NULL;
	it = json_object_array_get_idx(o->output, (size_t)o->open);
	jsonx_add_owned(it, "content", one_part("output_text", &o->text));
	jsonx_add_str(it, "status", incomplete ? "incomplete" : "completed");
	o->open = -1;
	buf_reset(&o->text);
	return it;
}

struct json_object *agent_resp_trimmed_string(const char *s, size_t len)
{
	struct json_object *v;
	size_t keep;
	char marker[80];
	struct buf b;

	if(!s)
		return json_object_new_string("");
	if(len <= RESP_TRIM_BYTES)
		return json_object_new_string_len(s, (int)len);
	keep = utf8_trim_end(s, RESP_TRIM_BYTES);
	snprintf(marker, sizeof(marker), "...[truncated by hermes: %zu of %zu bytes kept]", keep, len);
	buf_init(&b, RESP_TRIM_BYTES + sizeof(marker));
	if(buf_add(&b, s, keep) || buf_adds(&b, marker))
		return json_object_new_string(marker);
	v = json_object_new_string_len(buf_str(&b), (int)buf_len(&b));
	buf_release(&b);
	return v;
}

/* The record of call_id in o->tools, or NULL. */
static struct json_object *tool_record(struct agent_resp_out *o, const char *call_id)
{
	for(size_t i = json_object_array_length(o->tools); i-- > 0;) {
		struct json_object *t = json_object_array_get_idx(o->tools, i);
		const char *id = jsonx_get_str(t, "call_id");

		if(id && call_id && !strcmp(id, call_id))
			return t;
	}
	return NULL;
}

void agent_resp_out_tool(struct agent_resp_out *o, const struct agent_event *ev)
{
	struct json_object *t;

	if(ev->type == AGENT_EV_TOOL_STARTED) {
		t = json_object_new_object();
		jsonx_add_str(t, "type", "function_call");
		jsonx_add_str(t, "call_id", ev->call_id);
		jsonx_add_str(t, "name", ev->tool);
		jsonx_add_owned(t, "arguments", agent_resp_trimmed_string(ev->arguments,
				ev->arguments ? strlen(ev->arguments) : 0));
		jsonx_add_str(t, "status", "in_progress");
		json_object_array_add(o->tools, t);
	} else if(ev->type == AGENT_EV_TOOL_FINISHED && (t = tool_record(o, ev->call_id))) {
		jsonx_add_owned(t, "output", agent_resp_trimmed_string(ev->text, ev->len));
		jsonx_add_str(t, "status", ev->is_error ? "failed" : "completed");
	}
}

void agent_resp_out_feed(struct agent_resp_out *o, const struct agent_event *ev)
{
	switch(ev->type) {
	case AGENT_EV_REASONING:
		if(ev->len)
			(void)agent_resp_out_reasoning(o, ev->text, ev->len);
		break;
	case AGENT_EV_TEXT:
		if(!ev->len)
			break;
		agent_resp_out_reasoning_close(o);
		if(o->open < 0)
			agent_resp_out_open(o);
		agent_resp_out_text(o, ev->text, ev->len);
		break;
	case AGENT_EV_MESSAGE_END:
		agent_resp_out_reasoning_close(o);
		agent_resp_out_close(o, ev->is_error);
		break;
	default:
		agent_resp_out_tool(o, ev);
		break;
	}
}

size_t agent_resp_out_calls(struct agent_resp_out *o, const struct agent_result *res)
{
	size_t n = res->client_calls ? json_object_array_length(res->client_calls) : 0;

	for(size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(res->client_calls, i);
		struct json_object *it = json_object_new_object();
		char id[RESP_ID_MAX];

		agent_resp_new_id(id, sizeof(id), "fc_");
		jsonx_add_str(it, "type", "function_call");
		jsonx_add_str(it, "id", id);
		jsonx_add_str(it, "call_id", jsonx_get_str(c, "id"));
		jsonx_add_str(it, "name", jsonx_get_str(c, "name"));
		jsonx_add_str(it, "arguments", jsonx_get_str(c, "arguments"));
		jsonx_add_str(it, "status", "completed");
		json_object_array_add(o->output, it);
	}
	return n;
}

struct json_object *agent_resp_obj_usage(const struct agent_result *res)
{
	struct json_object *u = json_object_new_object(), *d;

	jsonx_add_int(u, "input_tokens", res->input_tokens);
	d = json_object_new_object();
	jsonx_add_int(d, "cached_tokens", 0);
	jsonx_add_owned(u, "input_tokens_details", d);
	jsonx_add_int(u, "output_tokens", res->output_tokens);
	d = json_object_new_object();
	jsonx_add_int(d, "reasoning_tokens", 0);
	jsonx_add_owned(u, "output_tokens_details", d);
	jsonx_add_int(u, "total_tokens", res->total_tokens ? res->total_tokens
							   : res->input_tokens + res->output_tokens);
	return u;
}

/* Why an unfinished turn stopped, as incomplete_details.reason. */
static const char *incomplete_reason(const struct agent_result *res, bool client_gone)
{
	if(res->status == AGENT_PARTIAL && !strcmp(res->error.code, "length"))
		return "max_output_tokens";
	if(agent_result_shutdown(res))
		return "server_shutdown";
	if(res->status == AGENT_INTERRUPTED && client_gone)
		return "client_disconnected";
	return "interrupted";
}

/* The concatenated text of every output_text part. */
static struct json_object *output_text(struct json_object *output)
{
	struct buf b;
	struct json_object *v;

	buf_init(&b, TEXT_MAX * 2);
	for(size_t i = 0; i < json_object_array_length(output); i++) {
		struct json_object *it = json_object_array_get_idx(output, i), *c;

		if(!json_object_object_get_ex(it, "content", &c))
			continue;
		for(size_t j = 0; j < json_object_array_length(c); j++) {
			const char *t = jsonx_get_str(json_object_array_get_idx(c, j), "text");

			if(t)
				(void)buf_add_trunc(&b, t, strlen(t));
		}
	}
	v = json_object_new_string_len(buf_str(&b), (int)buf_len(&b));
	buf_release(&b);
	return v;
}

static struct json_object *extras(struct agent_resp_out *o, const struct agent_result *res)
{
	struct json_object *h = agent_result_needs_extras(res) ? agent_result_extras(res)
							   : json_object_new_object();

	jsonx_add_str(h, "session_id", res->session_id);
	if(json_object_array_length(o->tools))
		jsonx_add_owned(h, "tool_calls", json_object_get(o->tools));
	return h;
}

const char *agent_resp_obj_finish(struct json_object *obj, struct agent_resp_out *o,
			    const struct agent_result *res, bool client_gone)
{
	const char *status = "completed";

	agent_resp_out_reasoning_close(o);
	agent_resp_out_close(o, true);
	if(res->status == AGENT_FAILED) {
		struct json_object *e = json_object_new_object();

		status = "failed";
		jsonx_add_str(e, "code", res->error.code[0] ? res->error.code : "server_error");
		jsonx_add_str(e, "message", res->error.msg[0] ? res->error.msg
							      : "The agent did not answer.");
		jsonx_add_owned(obj, "error", e);
	} else if(res->status != AGENT_COMPLETED) {
		struct json_object *d = json_object_new_object();

		status = "incomplete";
		jsonx_add_str(d, "reason", incomplete_reason(res, client_gone));
		jsonx_add_owned(obj, "incomplete_details", d);
	}
	jsonx_add_str(obj, "status", status);
	jsonx_add_owned(obj, "output", json_object_get(o->output));
	jsonx_add_owned(obj, "output_text", output_text(o->output));
	jsonx_add_owned(obj, "usage", agent_resp_obj_usage(res));
	jsonx_add_owned(obj, "hermes", extras(o, res));
	return status;
}

struct json_object *agent_resp_obj_stored(struct json_object *obj, struct json_object *items,
				    struct json_object *transcript, const char *instructions)
{
	struct json_object *row = jsonx_shallow(obj), *hs = json_object_new_object();

	jsonx_add_owned(hs, "input_items", json_object_get(items));
	jsonx_add_owned(hs, "transcript", json_object_get(transcript));
	jsonx_add_str(hs, "instructions", instructions);
	jsonx_add_owned(row, "hermes_store", hs);
	return row;
}

struct json_object *agent_resp_transcript(struct json_object *history, struct json_object *user,
				    struct json_object *tool_results, struct json_object *messages)
{
	struct json_object *a = json_object_new_array();

	jsonx_array_extend(a, history);
	if(user) {
		struct json_object *u = json_object_new_object();

		jsonx_add_str(u, "role", "user");
		jsonx_add_owned(u, "content", json_object_get(user));
		json_object_array_add(a, u);
	}
	jsonx_array_extend(a, tool_results);
	jsonx_array_extend(a, messages);
	return a;
}

struct json_object *agent_response_public(struct json_object *stored)
{
	struct json_object *o = json_object_new_object();

	json_object_object_foreach(stored, key, val)
		if(strcmp(key, "hermes_store") != 0)
			jsonx_add_owned(o, key, json_object_get(val));
	return o;
}
