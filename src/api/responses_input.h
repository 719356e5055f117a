/* src/api/responses_input.h: a POST /v1/responses body, checked and turned
 * into an agent turn's input.
 *
 * Every member is type-checked (api/fields.h) and every reference resolved
 * (previous_response_id, conversation, item_reference against the store)
 * here, before any agent work or storage, so a bad request is a 400 with
 * param naming the member and nothing else happens. Input items map onto
 * chat messages: message items (content normalised by agent/content.h;
 * system and developer ones join the instructions), function_call items
 * become an assistant message's tool_calls, function_call_output items
 * tool messages; reasoning items are kept but not sent upstream. The last
 * user message is the new turn; everything else (after a chained
 * response's stored transcript) is history. A chained turn that gives no
 * instructions (and no system/developer items) keeps the previous
 * response's, as the reference server does.
 * SPEC: openai-wire.md §6.3, §6.4; hermes-chat-responses.md "Responses"
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_RESPONSES_INPUT_H
#define HERMES_API_RESPONSES_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

struct json_object;
struct store;

#define RESP_HISTORY_AUTO_MAX 100   /* truncation "auto": history items kept */

struct api_resp_in {
	/* Request members, borrowed from the body. */
	const char *model;                /* picks the model (api_model_pick); may be NULL */
	const char *instructions;         /* the request's; absent in a chained turn
	                                     without system items: the previous
	                                     response's; else NULL */
	const char *conversation;         /* the conversation's name; NULL if none */
	const char *truncation;           /* "disabled" (default) or "auto" */
	struct json_object *metadata;     /* NULL if absent */
	bool stream, store, parallel_tool_calls;
	bool background;                  /* queued as a run (api/responses_bg.h) */
	bool temperature_set, top_p_set;
	double temperature, top_p;
	int64_t max_output_tokens;        /* 0: not set */
	/* Resolved; owned. */
	char *previous_id;                /* the response this one continues, or NULL */
	char *previous_session;           /* its session id, or NULL */
	char *previous_instructions;      /* its instructions, or NULL */
	struct buf system;                /* instructions, then system/developer items */
	struct json_object *items;        /* the input as Responses items, each with an id */
	struct json_object *history;      /* chat messages before the new user turn */
	struct json_object *user;         /* the new user turn's normalised content */
	struct buf user_text;             /* its text */
	struct buf first_user;            /* the conversation's first user text */
	char *call_session;               /* the session of the response an item_reference
	                                     named last (a resumed turn without
	                                     previous_response_id continues it when its
	                                     stored turn ends with the calls answered),
	                                     or NULL */
	struct json_object *tool_results; /* an input that ends with function_call_output
	                                     items (and holds no new user message): those
	                                     results as "tool" messages, and user is
	                                     NULL: the turn resumes; else NULL */
};

/* Parse body (borrowed; a JSON object) into in (which it initialises;
 * release it in any case). s (may be NULL: nothing is stored, every
 * reference is unknown) resolves previous_response_id, conversation and
 * item_reference. Returns HERR_OK, or the error in err: 400 invalid_type /
 * missing_required_parameter / invalid_value / unsupported_content_type
 * (param at the part) / previous_response_not_found (param
 * previous_response_id) / item_not_found (param input[N].id) /
 * conversation_conflict / missing_user_message (neither a user message
 * nor trailing function_call_output items) / empty_message /
 * invalid_value (param background: background with store false), or the
 * store's error. Strings in in point into body, which must outlive it. */
enum herr api_resp_in_parse(struct api_resp_in *in, struct json_object *body, struct store *s,
			struct herror *err) __attribute__((warn_unused_result));

/* Free what in owns (not the struct). */
void api_resp_in_release(struct api_resp_in *in);

#endif
