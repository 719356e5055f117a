/* src/api/chat_result.h: how an agent result reads in a chat completion,
 * the same for the whole body and for the stream.
 * SPEC: hermes-chat-responses.md, the non-streaming result table.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_CHAT_RESULT_H
#define HERMES_API_CHAT_RESULT_H

#include <stdbool.h>

#include "agent/result_extras.h"

struct agent_event;
struct agent_result;
struct json_object;
struct req;

/* Failed, stopped without any text, or interrupted because the server is
 * stopping: an error (502/503, or an error chunk), never a 200 whose
 * content is the error. */
bool api_chat_failed(const struct agent_result *res, bool has_text);

/* A failed turn (api_chat_failed) as the error envelope of a body answer,
 * the same on every endpoint (chat completions, Responses): r->err gets
 * the agent's error (agent_failed when it has none) with status 502, or
 * 503 + Retry-After when the server is stopping; a 503 of its own (not
 * configured) is kept. Returns r->err.rc. */
enum herr api_result_error(struct req *r, const struct agent_result *res);

/* Does the client ask for named progress events (X-Hermes-Events:
 * tool-progress, 1 or true)? */
bool api_wants_tool_events(const struct req *r);

/* The members of a tool progress event for a tool start (ev): tool,
 * emoji, label (the tool and a preview of the call), toolCallId, status
 * "running"; added to into (borrowed). The same on chat and Responses
 * streams. SPEC: hermes-chat-responses.md "Streaming". */
void api_tool_progress_fields(struct json_object *into, const struct agent_event *ev);

/* "stop", "length" (stopped early with text) or "error" (interrupted). */
const char *api_chat_finish_reason(const struct agent_result *res);

/* The client functions the model called (res->client_calls) as chat
 * tool_calls [{id, type: "function", function: {name, arguments}}] (new
 * reference), or NULL when it called none. */
struct json_object *api_chat_tool_calls(const struct agent_result *res);

/* {prompt_tokens, completion_tokens, total_tokens} (new reference). */
struct json_object *api_chat_usage(const struct agent_result *res);

#endif
