/* src/api/runs.h: the /v1/runs endpoints - submission, status, listing,
 * the event stream and the controls (stop, steer, approval). The work
 * itself is done by hermes-runner; these handlers only read and write the
 * run tables of the store. SPEC: runs-discovery-security §2
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_RUNS_H
#define HERMES_API_RUNS_H

#include "util/err.h"

struct json_object;
struct req;
struct store;
struct store_run;

struct cfg;

/* How a queued run reaches the runner: main/ sets runner_ensure
 * (runner/runner.h), which api/ may not include. Unset: nothing is woken
 * and the run waits for a runner to poll the queue. */
typedef enum herr (*api_runs_waker)(const struct cfg *c, struct herror *err);
void api_runs_set_waker(api_runs_waker fn);

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
