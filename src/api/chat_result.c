/* src/api/chat_result.c: agent results in chat completion terms.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/chat_result.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "agent/agent.h"
#include "http/req.h"
#include "http/resp.h"
#include "util/jsonx.h"
#include "util/str.h"

bool api_chat_failed(const struct agent_result *res, bool has_text)
{
	return res->status == AGENT_FAILED || (res->status == AGENT_PARTIAL && !has_text) ||
	       agent_result_shutdown(res);
}

enum herr api_result_error(struct req *r, const struct agent_result *res)
{
	/* 502 with the envelope, so SDKs raise instead of showing an error as text. */
	r->err = res->error;
	if(!r->err.rc)
		herr_set(&r->err, HERR_UPSTREAM, "agent_failed", NULL, "The agent did not answer.");
	if(agent_result_shutdown(res)) {
		herr_set_status(&r->err, 503, "server_error");
		resp_header(r, "Retry-After", "1");
	} else if(r->err.rc != HERR_UNAVAILABLE) { /* 503: not configured, or a library missing */
		herr_set_status(&r->err, 502, "server_error");
	}
	return r->err.rc;
}

bool api_wants_tool_events(const struct req *r)
{
	const char *v = req_header(r, "X-Hermes-Events");

	return v && (strstr(v, "tool-progress") || str_ieq(v, "1") || str_ieq(v, "true"));
}

void api_tool_progress_fields(struct json_object *into, const struct agent_event *ev)
{
	char label[160];

	snprintf(label, sizeof(label), "%s %s", ev->tool, ev->preview ? ev->preview : "");
	jsonx_add_str(into, "tool", ev->tool);
	jsonx_add_str(into, "emoji", "\xF0\x9F\x94\xA7");
	jsonx_add_str(into, "label", label);
	jsonx_add_str(into, "toolCallId", ev->call_id);
	jsonx_add_str(into, "status", "running");
}


const char *api_chat_finish_reason(const struct agent_result *res)
{
	if(res->status == AGENT_COMPLETED && res->client_calls)
		return "tool_calls";
	return res->status == AGENT_COMPLETED ? "stop" : res->status == AGENT_PARTIAL ? "length"
										       : "error";
}

struct json_object *api_chat_usage(const struct agent_result *res)
{
	struct json_object *u = json_object_new_object();

	jsonx_add_int(u, "prompt_tokens", res->input_tokens);
	jsonx_add_int(u, "completion_tokens", res->output_tokens);
	jsonx_add_int(u, "total_tokens", res->total_tokens);
	return u;
}

struct json_object *api_chat_tool_calls(const struct agent_result *res)
{
	struct json_object *a;

	if(!res->client_calls)
		return NULL;
	a = json_object_new_array();
	for(size_t i = 0; i < json_object_array_length(res->client_calls); i++) {
		struct json_object *c = json_object_array_get_idx(res->client_calls, i);
		struct json_object *tc = json_object_new_object(), *fn = json_object_new_object();

		jsonx_add_str(tc, "id", jsonx_get_str(c, "id"));
		jsonx_add_str(tc, "type", "function");
		jsonx_add_str(fn, "name", jsonx_get_str(c, "name"));
		jsonx_add_str(fn, "arguments", jsonx_get_str(c, "arguments"));
		jsonx_add_owned(tc, "function", fn);
		json_object_array_add(a, tc);
	}
	return a;
}
