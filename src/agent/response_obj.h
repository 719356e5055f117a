/* src/api/response_obj.h: the Response object of POST /v1/responses, the
 * same for the body, the stream's lifecycle events, the store and GET.
 *
 * agent_resp_obj_new gives the in_progress snapshot (output [], usage null);
 * struct agent_resp_out gathers the output items while the agent works (one
 * message item per assistant message that has text, fed by the agent's
 * MESSAGE_START/TEXT/MESSAGE_END events, and one reasoning item before it
 * when the upstream sent reasoning); agent_resp_obj_finish turns the
 * snapshot into the final object. The agent's own tool calls are not
 * output items (the AI SDK would take a function_call item for a call of
 * its own tools, and rejects unknown item types): they are listed in the
 * "hermes" extension member, arguments and results cut to RESP_TRIM_BYTES
 * with a marker. The stored row is the object plus a "hermes_store" member
 * (input items, transcript, instructions) that only chaining reads.
 * SPEC: openai-wire.md §6.1, §6.2, §6.7
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_RESPONSE_OBJ_H
#define HERMES_API_RESPONSE_OBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct agent_event;
struct agent_result;
struct json_object;

#define RESP_ID_MAX 64
#define RESP_TRIM_BYTES (100u * 1024)   /* tool arguments/results kept in the object */

/* A new id: prefix ("resp_", "msg_", ...) and 24 hex digits, into out. */
void agent_resp_new_id(char *out, size_t cap, const char *prefix);

/* What the object echoes of the request (all borrowed). */
struct agent_resp_meta {
	const char *id;
	const char *model;
	const char *previous_id;          /* may be NULL */
	const char *conversation;         /* may be NULL */
	const char *instructions;         /* may be NULL */
	const char *truncation;
	struct json_object *metadata;     /* may be NULL: {} */
	int64_t created_at;               /* Unix seconds (64-bit on armhf too) */
	bool store, parallel_tool_calls;
	bool temperature_set, top_p_set;
	double temperature, top_p;
	int64_t max_output_tokens;        /* 0: null */
	struct json_object *tools;        /* the request's tools, echoed; NULL: [] */
	struct json_object *tool_choice;  /* echoed; NULL: "auto" */
};

/* The in_progress snapshot (new reference). */
struct json_object *agent_resp_obj_new(const struct agent_resp_meta *m);

/* The output items being gathered. */
struct agent_resp_out {
	struct json_object *output;       /* owned: message items, in order */
	struct json_object *tools;        /* owned: the agent's tool calls */
	int open;                         /* index of the open message item; -1: none */
	char item_id[RESP_ID_MAX];        /* its id */
	struct buf text;                  /* owned: its text so far */
	int ropen;                        /* index of the open reasoning item; -1: none */
	struct buf rtext;                 /* owned: its text so far */
};

void agent_resp_out_init(struct agent_resp_out *o);
void agent_resp_out_release(struct agent_resp_out *o);

/* Open a message item (status in_progress, content []); returns it
 * (borrowed from o). */
struct json_object *agent_resp_out_open(struct agent_resp_out *o);

/* Text of the open message item. */
void agent_resp_out_text(struct agent_resp_out *o, const char *text, size_t len);

/* Close the open message item (status completed, or incomplete when the
 * message was cut) with its output_text part; returns it (borrowed) or
 * NULL when none was open. */
struct json_object *agent_resp_out_close(struct agent_resp_out *o, bool incomplete);

/* Reasoning text: opens a reasoning item ({type:"reasoning", id: rs_…,
 * summary: []}) when none is open and returns it (borrowed), else adds to
 * the open one and returns NULL. */
struct json_object *agent_resp_out_reasoning(struct agent_resp_out *o, const char *text, size_t len);

/* Close the open reasoning item: summary [{type:"summary_text", text}].
 * Returns it (borrowed), or NULL when none was open. */
struct json_object *agent_resp_out_reasoning_close(struct agent_resp_out *o);

/* A tool started (TOOL_STARTED) or finished (TOOL_FINISHED): recorded for
 * the "hermes" member. Other events: nothing. */
void agent_resp_out_tool(struct agent_resp_out *o, const struct agent_event *ev);

/* The client functions the model called (res->client_calls) as
 * function_call items {type, id: fc_…, call_id, name, arguments, status:
 * "completed"} appended to o->output; returns how many. The first added
 * is at index (size of output) - count. */
size_t agent_resp_out_calls(struct agent_resp_out *o, const struct agent_result *res);

/* Everything a body answer needs from an event: reasoning and message
 * items opened on their first text, closed by the message's text
 * (reasoning) or MESSAGE_END; tool events recorded. */
void agent_resp_out_feed(struct agent_resp_out *o, const struct agent_event *ev);

/* Turn snapshot obj into the final object for res: status (completed,
 * incomplete with incomplete_details.reason max_output_tokens /
 * server_shutdown / client_disconnected (client_gone) / interrupted, or
 * failed with error {code, message}), output and output_text (an open item
 * is closed as incomplete), usage, and "hermes" {session_id, tool_calls,
 * and the result extras when the turn did not complete}. Returns the
 * status (static). */
const char *agent_resp_obj_finish(struct json_object *obj, struct agent_resp_out *o,
			    const struct agent_result *res, bool client_gone);

/* {input_tokens, input_tokens_details, output_tokens, output_tokens_details,
 * total_tokens} summed over the turn's model calls (new reference). */
struct json_object *agent_resp_obj_usage(const struct agent_result *res);

/* s (len bytes) as a json string, cut to RESP_TRIM_BYTES at a UTF-8
 * boundary followed by a marker when longer (new reference). */
struct json_object *agent_resp_trimmed_string(const char *s, size_t len);

/* The stored row: obj's members plus "hermes_store" {input_items,
 * transcript, instructions} (arguments borrowed; new reference). */
struct json_object *agent_resp_obj_stored(struct json_object *obj, struct json_object *items,
				    struct json_object *transcript, const char *instructions);

/* The conversation through a response, for its stored row: history's
 * messages, the user message {role: "user", content: user} (none when user
 * is NULL: a turn resumed by the client's tool results), tool_results (the
 * client's "tool" messages; may be NULL), then messages (the turn's own;
 * may be NULL when it did not run). All borrowed; new array. */
struct json_object *agent_resp_transcript(struct json_object *history, struct json_object *user,
				    struct json_object *tool_results, struct json_object *messages);

/* A stored row as GET shows it: a new object without "hermes_store". */
struct json_object *agent_response_public(struct json_object *stored);

#endif
