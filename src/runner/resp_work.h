/* src/runner/resp_work.h: a background response worked as a run.
 *
 * A run whose admitted request carries a "response" member
 * (api/responses_bg.c) is a background response: its worker runs the
 * same agent turn as any run, but the agent's events become the
 * Responses event sequence (agent/response_events.h) written to the run's
 * event table (text batched as the run sink batches it), and the stored
 * Response is kept current: in_progress when the turn starts, the final
 * object before its terminal event. Tool starts and ends still go to the
 * run sink (run-level progress rows); ticks, approvals and steering are
 * the run sink's. SPEC: openai-wire.md §6.8
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_RUNNER_RESP_WORK_H
#define HERMES_RUNNER_RESP_WORK_H

#include <stdbool.h>

#include "agent/event.h"
#include "agent/response_events.h"
#include "util/buf.h"
#include "util/err.h"

struct agent_opts;
struct agent_result;
struct json_object;
struct run_sink;
struct store;

struct resp_work {
	struct store *store;          /* borrowed */
	const char *run_id;           /* borrowed */
	struct run_sink *rs;          /* borrowed: tick, approve, tool rows */
	struct json_object *req;      /* borrowed: the request's "response" member */
	struct json_object *row;      /* owned: the stored row as loaded */
	struct json_object *obj;      /* owned: the Response object being built */
	char *session;                /* owned: the row's session, or NULL */
	struct agent_resp_events ev;    /* the event builder */
	struct buf pending;           /* owned: text not yet written */
	double last_flush;            /* monotonic seconds */
	bool flushing;
	struct herror write_err;      /* the first event that could not be written */
	struct agent_sink sink;       /* points at this */
};

/* Start background response req (borrowed: {id, conversation, temperature,
 * top_p, max_output_tokens}) of run_id: load its row, store it in_progress,
 * write response.created (queued) and response.in_progress, and set the
 * request's sampling into o. w->sink is then the turn's sink. On error the
 * response is not touched; release w in any case. */
enum herr runner_resp_begin(struct resp_work *w, struct store *s, const char *run_id,
			 struct json_object *req, struct run_sink *rs, struct agent_opts *o,
			 struct herror *err) __attribute__((warn_unused_result));

/* After the turn: the open items closed, the final object (cancelled
 * when stopped) stored with the turn's transcript and session, the
 * conversation name moved to it, then its terminal event written. */
void runner_resp_end(struct resp_work *w, const struct agent_result *res, bool stopped);

void runner_resp_release(struct resp_work *w);

#endif
