/* src/agent/response_events.h: the typed event sequence of a Response,
 * built from the agent's events, for whoever carries it: the SSE stream
 * of a foreground request (api/responses_stream.c) or the run event table
 * a background response is written to by its runner worker
 * (runner/resp_work.c). It only builds event objects and numbers them;
 * the owner's ops send or store them and batch the text.
 * Order: response.created and response.in_progress (agent_resp_ev_opened);
 * per assistant message with text output_item.added, content_part.added,
 * output_text.delta (as the owner hands batched text back),
 * output_text.done, content_part.done, output_item.done; a reasoning item
 * added with its first text and done when the message's text starts or
 * it ends; then exactly one terminal event with the final object. Every
 * event has its "type" and a sequence_number counting from 0.
 * SPEC: openai-wire.md §6.5, §6.7, §6.8
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_RESPONSE_EVENTS_H
#define HERMES_AGENT_RESPONSE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/response_obj.h"

struct agent_event;
struct agent_result;
struct json_object;

/* What the owner does with the events; ctx is the owner's. */
struct agent_resp_ev_ops {
	/* Before an event is numbered: send what must go before it (the
	 * owner's pending text through agent_resp_ev_delta, the stream's
	 * opening through agent_resp_ev_opened). May be NULL. */
	void (*before)(void *ctx);
	/* One numbered event (ev taken). */
	void (*put)(void *ctx, struct json_object *ev);
	/* Text of the open message: the owner batches it and hands it back
	 * with agent_resp_ev_delta. */
	void (*text)(void *ctx, const char *text, size_t len);
	/* Hand the batched text back now (before the message's done events). */
	void (*flush)(void *ctx);
};

struct agent_resp_events {
	struct agent_resp_out out;              /* the output items */
	int64_t seq;                          /* the next sequence_number */
	const struct agent_resp_ev_ops *ops;    /* borrowed */
	void *ctx;                            /* for ops */
};

/* Prepare b (seq from 0); ops and ctx borrowed. */
void agent_resp_ev_init(struct agent_resp_events *b, const struct agent_resp_ev_ops *ops, void *ctx);
void agent_resp_ev_release(struct agent_resp_events *b);

/* response.created carrying created, then response.in_progress carrying
 * in_progress (both borrowed; the same object for a foreground stream). */
void agent_resp_ev_opened(struct agent_resp_events *b, struct json_object *created,
		    struct json_object *in_progress);

/* The events of one agent event (text is handed to ops->text; tool
 * starts and ends are recorded in b->out for the "hermes" member). */
void agent_resp_ev_emit(struct agent_resp_events *b, const struct agent_event *ev);

/* Batched text of the open message as one output_text.delta. */
void agent_resp_ev_delta(struct agent_resp_events *b, const char *text, size_t len);

/* After the turn: pending text, and the done events of a reasoning item
 * or message still open (closed as incomplete). Call before
 * agent_resp_obj_finish. */
void agent_resp_ev_close(struct agent_resp_events *b);

/* After close: the client functions the model called (res->client_calls)
 * as function_call items in b->out, each announced (output_item.added,
 * arguments ""), its arguments (function_call_arguments.delta and .done)
 * and done (output_item.done, status completed). Call before
 * agent_resp_obj_finish. */
void agent_resp_ev_calls(struct agent_resp_events *b, const struct agent_result *res);

/* The terminal event "response.<status>" carrying final (borrowed). */
void agent_resp_ev_finish(struct agent_resp_events *b, struct json_object *final, const char *status);

/* Is type the type of a terminal event (response.completed, .failed,
 * .incomplete, .cancelled)? */
bool agent_resp_ev_terminal(const char *type);

#endif
