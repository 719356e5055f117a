/* src/api/client_tools.h: the client's own tools of a request (chat
 * "tools"/"tool_choice", Responses function tools) and the request's
 * server toolsets (X-Hermes-Toolsets, "hermes.toolsets", api.server_tools).
 *
 * Client tools are checked the way OpenAI checks them (type "function", a
 * name of 1-64 letters, digits, _ or -, parameters an object, at most
 * API_CTOOLS_MAX) and kept in chat "tools" form for the upstream. A name
 * that is also an enabled server tool is refused (400 naming both): the
 * agent would not know whose call it is. tool_choice maps as in OpenAI's
 * API, for the client's tools: "none" offers them not at all (the server's
 * tools still work), "required" and a named function go upstream as the
 * tool_choice of each model call of the turn. See docs/api.md "Client tools".
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_CLIENT_TOOLS_H
#define HERMES_API_CLIENT_TOOLS_H

#include <stdbool.h>

#include "tools/narrow.h"
#include "util/err.h"

struct agent_opts;
struct app;
struct json_object;
struct req;

#define API_CTOOLS_MAX 128

struct api_ctools {
	struct json_object *tools;       /* owned: chat "tools" form; NULL: none sent */
	struct json_object *choice;      /* owned: upstream tool_choice; NULL: auto */
	struct json_object *echo_tools;  /* owned: the tools as sent (Responses echo); NULL */
	struct json_object *echo_choice; /* owned: tool_choice as sent; NULL: "auto" */
	bool none;                       /* tool_choice "none": not offered */
	bool responses;                  /* Responses shapes (name at the top level) */
};

/* Read "tools" and "tool_choice" of body (borrowed JSON object) into ct,
 * which it initialises (release it in any case). responses: the Responses
 * shapes ({type, name, parameters}, {type, name}), else chat's ({type,
 * function: {name, parameters}}, {type, function: {name}}). A bad
 * definition is 400 with param at the member (tools[2].function.name). */
enum herr api_ctools_parse(struct api_ctools *ct, struct json_object *body, bool responses,
			   struct herror *err) __attribute__((warn_unused_result));

/* The tool_calls of an assistant message in a chat history (calls, a
 * borrowed array; param names it, "messages[1].tool_calls"): each an
 * object with a string id, type "function" when given, and a function
 * object with string name and arguments, as OpenAI checks them. Else 400
 * at the member (messages[1].tool_calls[0].function.arguments): the
 * history is sent upstream as it is. */
enum herr api_ctools_check_calls(struct json_object *calls, const char *param,
				 struct herror *err) __attribute__((warn_unused_result));

/* 400 tool_name_conflict when a client tool has the name of a server tool
 * enabled under toolsets (NULL: the default set). */
enum herr api_ctools_check(const struct api_ctools *ct, const char *const *toolsets,
			   struct herror *err) __attribute__((warn_unused_result));

/* Offer them in o (borrowed from ct: ct must outlive o's use). */
void api_ctools_apply(const struct api_ctools *ct, struct agent_opts *o);

void api_ctools_release(struct api_ctools *ct);

/* The request's server toolsets into n: none when api.server_tools is off
 * or X-Hermes-Toolsets is "none"; else narrowed by X-Hermes-Toolsets and
 * body's "hermes.toolsets" (a comma list or an array of names; body may
 * be NULL) within the configured ones. 400 on an unknown name or a bad
 * type. */
enum herr api_req_toolsets(const struct app *app, const struct req *r, struct json_object *body,
			   struct tool_narrow *n, struct herror *err)
	__attribute__((warn_unused_result));

/* n, when set, as the "toolsets" member of the request a run is queued
 * with (req borrowed): the runner's worker narrows again by it, within its
 * own configuration. */
void api_req_toolsets_put(const struct tool_narrow *n, struct json_object *req);

#endif
