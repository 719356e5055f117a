/* src/api/runs.h: the /v1/runs endpoints - submission, status, listing,
 * the event stream and the controls (stop, steer, approval). The work
 * itself is done by hermes-runner; these handlers only read and write the
 * run tables of the store. SPEC: runs-discovery-security §2
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_RUNS_H
#define HERMES_API_RUNS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

struct app;
struct json_object;
struct req;
struct store;
struct store_run;

struct cfg;

/* How a queued run reaches the runner: main/ sets runner_notify
 * (runner/runner.h), which api/ may not include; reader false: a run was
 * queued, true: a request is about to follow a live run's events (what
 * runner.mode inline works the queue on). Unset: nothing is woken and the
 * run waits for a runner to poll the queue. */
typedef enum herr (*api_runs_waker)(const struct cfg *c, bool reader, struct herror *err);
void api_runs_set_waker(api_runs_waker fn);

/* Live runs (queued ones included: the queue is bounded too) against
 * API_SERVER_MAX_CONCURRENT_RUNS: 429 rate_limit_exceeded with Retry-After
 * in r when there is no room. (runs.c) */
enum herr api_runs_capacity(struct app *app, struct req *r) __attribute__((warn_unused_result));

/* Wake (or start) the runner for the queued run run_id; a failure is
 * logged (the run waits for a runner to poll the queue). */
void api_runs_wake(const struct cfg *c, const char *run_id);

/* A request follows (or polls) run_id, which is not finished: under
 * runner.mode inline this starts a bounded runner when none is alive;
 * otherwise nothing. A failure is logged. */
void api_runs_reading(const struct cfg *c, const char *run_id);

/* POST /v1/runs (runs.c) */
enum herr api_runs_create(void *app, struct req *r);
/* GET /v1/runs/{id} (runs.c) */
enum herr api_runs_get(void *app, struct req *r);
/* GET /v1/runs (runs.c) */
enum herr api_runs_list(void *app, struct req *r);
/* GET /v1/runs/{id}/events (runs_events.c) */
enum herr api_runs_events(void *app, struct req *r);
/* POST /v1/runs/{id}/stop, /steer, /approval (runs_ctl.c) */
enum herr api_runs_stop(void *app, struct req *r);
enum herr api_runs_steer(void *app, struct req *r);
enum herr api_runs_approval(void *app, struct req *r);

struct sse;

/* How api_run_follow hands a run's event rows to its reader. */
struct api_run_follow {
	/* One row (seq: the table's number; text: the row's JSON): send it,
	 * or skip it; *done when it was the reader's last. HERR_IO when the
	 * client left. */
	enum herr (*row)(void *ctx, struct sse *s, int64_t seq, const char *text, bool *done);
	/* May be NULL. Called once when the run is terminal and its log read
	 * to the end without a last row: true if it appended rows to read. */
	bool (*ended)(void *ctx);
	void *ctx;
};

/* Follow run_id's event log on s (opened here; not released) from the
 * rows after table number after: replay, then the live rows (polling
 * PRAGMA data_version) until f->row says done, the run ended, the client
 * left or the server stops. HERR_OK once the head went out. (runs_events.c) */
enum herr api_run_follow(struct app *app, struct sse *s, const char *run_id, int64_t after,
		     const struct api_run_follow *f);

/* Stop run (in: as loaded; out: as it is after the stop, release it) the
 * way POST /v1/runs/{id}/stop does: a queued run is cancelled, a live one
 * moved to stopping and its worker sent SIGTERM, then its status is
 * re-read until terminal or STOP_WAIT_S. A finished run is left as it is.
 * (runs_ctl.c) */
enum herr api_run_stop(struct store *s, struct store_run *run, struct herror *err)
	__attribute__((warn_unused_result));

/* The status object of run (new reference): {object: "hermes.run", run_id,
 * status, created_at, updated_at, session_id, model, last_event, output,
 * usage, error}, plus pending_steer of a finished run and approval of a
 * waiting one when s (may be NULL) has them. */
struct json_object *api_run_object(struct store *s, const struct store_run *run);

/* The run named by the route's {id} into *out (release it); 404
 * run_not_found in r->err otherwise. */
enum herr api_run_load(struct store *s, struct req *r, struct store_run *out)
	__attribute__((warn_unused_result));

#endif
