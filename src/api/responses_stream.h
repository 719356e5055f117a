/* src/api/responses_stream.h: the agent sink that streams a Response.
 *
 * The typed events are built by agent/response_events.h (the same builder
 * writes a background response's events to the run event table); this
 * sink sends them on the SSE stream. The stream object
 * (http/sse.h) owns the deferred head, the 50 ms delta batching,
 * keepalives and client-gone detection (which sets the turn's interrupt).
 * Order: response.created and response.in_progress (the snapshot, output
 * []) when the stream opens; per assistant message with text
 * output_item.added, content_part.added, output_text.delta (batched),
 * output_text.done, content_part.done, output_item.done; then exactly one
 * terminal response.completed / response.incomplete / response.failed
 * with the final object. Every event has "event: <type>", its "type" and a
 * sequence_number counting from 0. The agent's tool starts go out as
 * `hermes.tool.progress` events only when the client asked with
 * X-Hermes-Events (the openai stream helper throws on unknown types).
 * SPEC: openai-wire.md §4, §6.5, §6.6, §6.7
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_RESPONSES_STREAM_H
#define HERMES_API_RESPONSES_STREAM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent/agent.h"
#include "agent/response_events.h"
#include "agent/response_obj.h"
#include "http/sse.h"

struct req;
struct json_object;

struct api_resp_stream {
	struct sse sse;
	struct agent_resp_events ev;            /* the events; ev.out: the output items */
	struct agent_resp_out *out;             /* &ev.out */
	struct json_object *snapshot;         /* borrowed: the in_progress object */
	const char *session_key;              /* borrowed; "" if none */
	char session_id[AGENT_SESSION_ID_MAX]; /* the id the headers carry */
	bool named_events;                    /* send hermes.tool.progress */
	struct agent_sink sink;               /* points at this stream */
};

/* Prepare the stream for r; snapshot is borrowed (it is sent as it is when
 * the stream opens), session_id copied, session_key borrowed; interrupt
 * (may be NULL) is set when the client is found gone. */
void api_resp_stream_init(struct api_resp_stream *rs, struct req *r, struct json_object *snapshot,
		      const char *session_id, const char *session_key,
		      volatile sig_atomic_t *interrupt);
void api_resp_stream_release(struct api_resp_stream *rs);

/* After the turn: pending text, and the done events of a message still
 * open (closed as incomplete). Call before agent_resp_obj_finish. */
void api_resp_stream_close(struct api_resp_stream *rs);

/* After close: the client functions the model called (res->client_calls)
 * as function_call items, each announced (output_item.added, arguments
 * ""), its arguments (function_call_arguments.delta and .done) and done
 * (output_item.done, status completed). Call before agent_resp_obj_finish. */
void api_resp_stream_calls(struct api_resp_stream *rs, const struct agent_result *res);

/* The terminal event "response.<status>" carrying final (borrowed: the
 * public final object, stored before this is called so that a GET right
 * after the event sees it). */
void api_resp_stream_finish(struct api_resp_stream *rs, struct json_object *final, const char *status);

#endif
