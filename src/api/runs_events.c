/* src/api/runs_events.c: GET /v1/runs/{id}/events - the run's event log as
 * Server-Sent Events, from the start or after Last-Event-ID / ?after=N.
 *
 * DESIGN: the log is a table, so any number of readers follow one run and
 * a reader that reconnects with the last id it saw misses and repeats
 * nothing; a reader leaving touches nothing the run needs. New rows are
 * noticed by polling PRAGMA data_version (a counter in shared memory that
 * moves when another process commits) every RUNS_POLL_S, and the table is
 * read only when it moved, so an idle tail costs no query. The stream ends
 * with ": stream closed" after the terminal event (or when the run is
 * terminal and its log is read to the end).
 * SPEC: runs-discovery-security §2.4
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/runs.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent/agent.h"
#include "api/app.h"
#include "http/query.h"
#include "http/req.h"
#include "http/sse.h"
#include "store/store.h"
#include "util/cfg.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/str.h"

#define RUNS_POLL_S 0.050        /* data_version poll interval */
#define RUNS_EVENTS_BATCH 200    /* rows read at once */
#define RUNS_CLOSE_GRACE_S 1.0   /* a terminal run's last event may trail its status */
#define RUNS_NUDGE_S 5.0         /* runner.mode inline: how often a reader of a live
                                    run starts a runner again when none is alive */

/* Last-Event-ID (header) or ?after=N (query wins); 400 otherwise. */
static enum herr start_after(struct req *r, int64_t *after)
{
	const struct query *q;
	const char *v = req_header(r, "Last-Event-ID"), *param = NULL;
	long n;
	enum herr rc = req_query(r, &q);

	if(rc)
		return rc;
	*after = 0;
	if(query_get(q, "after") && *query_get(q, "after")) {
		v = query_get(q, "after");
		param = "after";
	}
	if(!v || !*v)
		return HERR_OK;
	if(!str_to_long(v, 0, LONG_MAX, &n))
		return herr_set(&r->err, HERR_BAD_REQUEST, "invalid_value", param,
				"Invalid %s: expected a non-negative event sequence number.",
				param ? "'after'" : "Last-Event-ID");
	*after = n;
	return HERR_OK;
}

static bool terminal_event(const char *name)
{
	return name && (!strcmp(name, "run.completed") || !strcmp(name, "run.failed") ||
			!strcmp(name, "run.cancelled") || !strcmp(name, "run.interrupted"));
}

/* Send the rows after *after through f; *done when f says the last went
 * out. */
static enum herr send_rows(struct store *st, struct sse *s, const char *run_id, int64_t *after,
			   const struct api_run_follow *f, bool *done, size_t *sent,
			   struct herror *err)
{
	struct json_object *rows = NULL;
	enum herr rc = store_events(st, run_id, *after, RUNS_EVENTS_BATCH, &rows, err);
	size_t n;

	if(rc)
		return rc;
	n = json_object_array_length(rows);
	for(size_t i = 0; i < n && !*done; i++) {
		struct json_object *row = json_object_array_get_idx(rows, i);
		const char *text = jsonx_get_str(row, "event");
		int64_t seq = json_object_get_int64(json_object_object_get(row, "seq"));

		if(!text)
			continue;
		if(f->row(f->ctx, s, seq, text, done)) {
			rc = HERR_IO;
			break;
		}
		*after = seq;
		(*sent)++;
	}
	json_object_put(rows);
	if(!rc && n == RUNS_EVENTS_BATCH && !*done)
		return send_rows(st, s, run_id, after, f, done, sent, err);
	return rc;
}

static void nap(double s)
{
	struct timespec ts = { 0, (long)(s * 1e9) };

	nanosleep(&ts, NULL);
}

/* The run is terminal and its log read to the end without a last row:
 * f->ended may append one (then read again), else the stream ends. */
static bool ended(const struct api_run_follow *f)
{
	return f->ended && f->ended(f->ctx);
}

/* True when run_id is finished or unknown; a live one may need its reader
 * to start the runner (runner.mode inline). */
static bool run_finished(struct app *app, const char *run_id)
{
	struct store_run run;
	struct herror err;
	bool finished;

	herr_clear(&err);
	if(store_run_get(app->store, run_id, &run, &err))
		return true;
	finished = STORE_RUN_BIT(run.status) & STORE_RUN_TERMINAL;
	store_run_release(&run);
	return finished;
}

enum herr api_run_follow(struct app *app, struct sse *s, const char *run_id, int64_t after,
		     const struct api_run_follow *f)
{
	struct store *st = app->store;
	struct store_run run;
	int64_t version = -1, v;
	bool done = false, asked = false;
	double closing_at = 0, nudge_at;
	size_t sent = 0;
	enum herr rc = sse_begin(s);

	memset(&run, 0, sizeof(run));
	if(!rc && !run_finished(app, run_id))
		api_runs_reading(&app->cfg, run_id);
	nudge_at = sse_now() + RUNS_NUDGE_S;
	while(!rc && !done && !sse_gone(s) && app->interrupt != AGENT_STOP_SHUTDOWN) {
		struct herror err;

		herr_clear(&err);
		if(store_data_version(st, &v, &err)) {
			LOG_WARN("run %s events: %s", run_id, err.msg);
			break;
		}
		if(v != version) {
			version = v;
			if((rc = send_rows(st, s, run_id, &after, f, &done, &sent, &err)))
				break;
			/* a run finished without a terminal event (or swept): end too */
			store_run_release(&run);
			if(!done && store_run_get(st, run_id, &run, &err)) {
				done = true;
				break;
			}
			/* terminal without its event: the writer appends it just
			 * after the status; wait for it a little */
			if(!done && (STORE_RUN_BIT(run.status) & STORE_RUN_TERMINAL) && !closing_at)
				closing_at = sse_now() + RUNS_CLOSE_GRACE_S;
			continue;
		}
		if(closing_at && sse_now() >= closing_at) {
			if(!asked) {
				asked = true;
				if(ended(f)) { /* rows were appended: read again (a
						 commit of this connection does not
						 move its data_version) */
					version = -1;
					closing_at = sse_now() + RUNS_CLOSE_GRACE_S;
					continue;
				}
			}
			done = true;
			break;
		}
		/* inline: the runner this reader started may have ended at its
		 * time limit with this run still queued; start the next one */
		if(app->cfg.runner_mode == CFG_RUNNER_INLINE && sse_now() >= nudge_at) {
			nudge_at = sse_now() + RUNS_NUDGE_S;
			if(!run_finished(app, run_id))
				api_runs_reading(&app->cfg, run_id);
		}
		sse_tick(s);
		nap(RUNS_POLL_S);
	}
	if(done && !sse_gone(s))
		(void)sse_comment(s, "stream closed");
	LOG_INFO("run %s events: %zu sent, %s", run_id, sent,
		 done ? "closed after the end" : "reader left");
	store_run_release(&run);
	/* once the head went out there is nothing else to answer with */
	return s->started ? HERR_OK : rc;
}

/* api_run_follow.row of /v1/runs/{id}/events: "id: seq" and the row. */
static enum herr run_row(void *ctx, struct sse *s, int64_t seq, const char *text, bool *done)
{
	struct json_object *ev;
	char id[24];

	(void)ctx;
	snprintf(id, sizeof(id), "%lld", (long long)seq);
	if(sse_event(s, id, NULL, text, strlen(text)))
		return HERR_IO;
	ev = jsonx_parse_stored(text);
	*done = terminal_event(jsonx_get_str(ev, "event"));
	json_object_put(ev);
	return HERR_OK;
}

enum herr api_runs_events(void *vapp, struct req *r)
{
	struct app *app = vapp;
	struct store_run run;
	struct api_run_follow f = { .row = run_row };
	struct sse s;
	volatile sig_atomic_t gone = 0;
	int64_t after;
	enum herr rc;

	if((rc = api_run_load(app->store, r, &run)))
		return rc;
	if((rc = start_after(r, &after))) {
		store_run_release(&run);
		return rc;
	}
	sse_init(&s, r, 200, NULL, NULL, &gone);
	if(!strcmp(r->method, "HEAD")) {  /* the head is the whole answer */
		rc = sse_begin(&s);
		rc = s.started ? HERR_OK : rc;
	} else {
		rc = api_run_follow(app, &s, run.id, after, &f);
	}
	sse_release(&s);
	store_run_release(&run);
	return rc;
}
