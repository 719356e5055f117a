/* src/api/responses_bg.h: background responses - POST /v1/responses with
 * background: true, the resumable event stream, cancel.
 *
 * A background response is a run (api/runs.h) with a Responses face, not
 * a second engine: the responder validates the request exactly as a
 * foreground one, stores the Response in status queued and queues the run
 * run_<hex> of resp_<hex> (agent/response_row.h) whose admitted request
 * carries the resolved history and a "response" member; hermes-runner
 * works it (runner/resp_work.h), writing the Responses events to the
 * run's event table and keeping the stored Response current. Streams
 * (background + stream, and GET ?stream=true&starting_after=N) are
 * readers of that table (api_run_follow), so any number may follow one
 * response and a reader leaving stops nothing. Cancel is the runs stop
 * path with its bounded wait.
 * SPEC: openai-wire.md §6.8
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_RESPONSES_BG_H
#define HERMES_API_RESPONSES_BG_H

#include <stdbool.h>

#include "util/err.h"

struct api_idem;
struct api_resp_in;
struct api_turn;
struct app;
struct json_object;
struct req;

/* Before anything is stored: can the begun turn t become a background
 * response? 503 store_unavailable without a store; 429 as POST /v1/runs
 * when API_SERVER_MAX_CONCURRENT_RUNS runs are live. */
enum herr api_resp_bg_admit(struct app *app, struct req *r, struct api_turn *t)
	__attribute__((warn_unused_result));

/* Before the turn begins (its concurrency slot), for a background request
 * r whose body asks for stream or not: its Idempotency-Key (api/idem.h,
 * endpoint "responses"), read into idem. A bad key is 400; a key seen with
 * the same request answers a replay of that response - the stored object
 * with its current status (the event stream from the start with stream),
 * Idempotency-Replayed: true - and sets *answered; with another request it
 * is 409. Without a store nothing is looked up (api_resp_bg_admit answers
 * 503). */
enum herr api_resp_bg_idem(struct app *app, struct req *r, bool stream, struct api_idem *idem,
			   bool *answered) __attribute__((warn_unused_result));

/* Queue the background response obj (borrowed: the queued object, already
 * stored) of the begun turn t for request in, with idem's record (read by
 * api_resp_bg_idem), wake the runner and answer: the object (200), or with
 * in->stream its event stream from the table. When nothing is queued (an
 * error, or another responder won the race for the key and its response is
 * replayed) the stored object is deleted. */
enum herr api_resp_bg_start(struct app *app, struct req *r, struct api_turn *t,
			const struct api_resp_in *in, struct json_object *obj,
			struct api_idem *idem) __attribute__((warn_unused_result));

/* GET /v1/responses/{id}?stream=true[&starting_after=N] for stored row
 * (borrowed): the events after sequence number N (all without it), then
 * the live ones until the terminal event. 404 for a response that is not
 * a background one, and (response_events_expired) once its run's events
 * were swept; 400 for a bad starting_after. */
enum herr api_resp_bg_resume(struct app *app, struct req *r, struct json_object *row)
	__attribute__((warn_unused_result));

/* A background response still queued / in_progress whose run has ended
 * without ending it (the worker died, the run was cancelled while queued)
 * is ended now (agent/response_row.h agent_resp_row_settle); *row (a stored
 * row, owned) is replaced by the row as stored. Others: nothing. A run
 * already swept (how it ended is no longer known) ends the response failed
 * (error.code run_gone), or cancelled when cancelling (the client asked
 * for it: POST /v1/responses/{id}/cancel). */
void api_resp_bg_settle(struct app *app, struct json_object **row, bool cancelling);

/* POST /v1/responses/{id}/cancel (route handler; app is the struct app). */
enum herr api_responses_cancel(void *app, struct req *r);

#endif
