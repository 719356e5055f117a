/* src/api/runs_ctl.c: the controls of a run - stop, steer, approval.
 *
 * They only write the store (and signal the worker on stop); the worker
 * of hermes-runner reads the steer queue between model calls and the
 * approval answer while it waits, and ends a stopped run cancelled.
 * SPEC: runs-discovery-security §2.5, §2.6, §2.10
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/runs.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent/content.h"
#include "api/app.h"
#include "api/fields.h"
#include "http/req.h"
#include "http/resp.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"

#define STOP_WAIT_S 5.0
#define STOP_POLL_S 0.050
#define STEER_TEXT_MAX (64 * 1024)
#define APPROVAL_ID_MAX 256

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Append {"event": name, "run_id", "timestamp", extra members...} (extra
 * may be NULL; its members are moved in). */
static void add_event(struct store *s, const char *run_id, const char *name,
		      struct json_object *extra)
{
	struct json_object *o = json_object_new_object();
	struct herror err;
	int64_t seq;

	jsonx_add_str(o, "event", name);
	jsonx_add_str(o, "run_id", run_id);
	json_object_object_add(o, "timestamp", json_object_new_double(wall_s()));
	if(extra) {
		json_object_object_foreach(extra, k, v)
			json_object_object_add(o, k, json_object_get(v));
		json_object_put(extra);
	}
	herr_clear(&err);
	if(store_events_append(s, run_id, (const char *const[]){ jsonx_text(o, NULL) }, 1, name, &seq,
			       &err))
		LOG_WARN("run %s: event %s not written: %s", run_id, name, err.msg);
	json_object_put(o);
}

static enum herr send_owned(struct req *r, int status, struct json_object *o)
{
	enum herr rc = resp_json(r, status, o);

	json_object_put(o);
	return rc;
}

/* ---- stop --------------------------------------------------------------- */

/* 409 for a finished run: the envelope plus the run's status. */
static enum herr finished(struct req *r, const struct store_run *run)
{
	struct json_object *o;

	herr_set(&r->err, HERR_CONFLICT, "run_already_finished", NULL, "Run %s already %s.",
		 run->id, store_run_status_name(run->status));
	o = resp_error_object(&r->err);
	jsonx_add_str(o, "run_id", run->id);
	jsonx_add_str(o, "status", store_run_status_name(run->status));
	herr_clear(&r->err);
	return send_owned(r, 409, o);
}

/* Queued: cancelled without starting. HERR_CONFLICT when a runner claimed
 * it meanwhile. */
static enum herr cancel_queued(struct store *s, const char *id, struct herror *err)
{
	struct store_run_fields f = { .last_event = "run.cancelled", .worker_pid = -1 };
	enum herr rc = store_run_transition(s, id, STORE_RUN_BIT(STORE_RUN_QUEUED),
					    STORE_RUN_CANCELLED, &f, NULL, err);

	if(!rc)
		add_event(s, id, "run.cancelled", NULL);
	return rc;
}

/* Running or waiting: stopping, and SIGTERM to the worker. */
static void stop_live(struct store *s, const struct store_run *run)
{
	struct store_run_fields f = { .last_event = "run.stopping", .worker_pid = -1 };
	struct herror err;

	herr_clear(&err);
	if(store_run_transition(s, run->id, STORE_RUN_BIT(STORE_RUN_RUNNING) |
				STORE_RUN_BIT(STORE_RUN_WAITING_FOR_APPROVAL), STORE_RUN_STOPPING,
				&f, NULL, &err) && run->status != STORE_RUN_STOPPING)
		LOG_INFO("run %s: not moved to stopping: %s", run->id, err.msg);
	if(run->worker_pid > 0 && kill((pid_t)run->worker_pid, SIGTERM) != 0 && errno != ESRCH)
		LOG_WARN("run %s: signal to worker %ld: %s", run->id, run->worker_pid,
			 strerror(errno));
}

enum herr api_run_stop(struct store *s, struct store_run *run, struct herror *err)
{
	char id[80];
	double until;
	enum herr rc;

	if(STORE_RUN_BIT(run->status) & STORE_RUN_TERMINAL)
		return HERR_OK;
	snprintf(id, sizeof(id), "%s", run->id);
	if(run->status == STORE_RUN_QUEUED && cancel_queued(s, id, err) == HERR_CONFLICT) {
		/* claimed meanwhile: stop it like a running one */
		herr_clear(err);
		store_run_release(run);
		if((rc = store_run_get(s, id, run, err)))
			return rc;
	}
	herr_clear(err);
	if(STORE_RUN_BIT(run->status) & STORE_RUN_LIVE && run->status != STORE_RUN_QUEUED)
		stop_live(s, run);
	until = now_s() + STOP_WAIT_S;
	for(;;) {
		store_run_release(run);
		if((rc = store_run_get(s, id, run, err)))
			return rc;
		if((STORE_RUN_BIT(run->status) & STORE_RUN_TERMINAL) || now_s() >= until)
			return HERR_OK;
		nanosleep(&(struct timespec){ 0, (long)(STOP_POLL_S * 1e9) }, NULL);
	}
}

enum herr api_runs_stop(void *vapp, struct req *r)
{
	struct app *app = vapp;
	struct store *s = app->store;
	struct store_run run;
	enum herr rc = api_run_load(s, r, &run);

	if(rc)
		return rc;
	if(STORE_RUN_BIT(run.status) & STORE_RUN_TERMINAL) {
		rc = finished(r, &run);
		store_run_release(&run);
		return rc;
	}
	if((rc = api_run_stop(s, &run, &r->err))) {
		if(rc == HERR_NOT_FOUND)
			rc = api_run_load(s, r, &run); /* swept meanwhile: its 404 */
		return rc;
	}
	rc = send_owned(r, 200, api_run_object(s, &run));
	store_run_release(&run);
	return rc;
}

/* ---- steer -------------------------------------------------------------- */

/* input, message or text: a string or content parts, as text. */
static enum herr steer_text(struct req *r, struct buf *b)
{
	static const char *const keys[] = { "input", "message", "text" };
	struct json_object *v = NULL, *norm = NULL;
	bool payload = false;

	for(size_t i = 0; i < 3 && !v; i++)
		if(json_object_object_get_ex(r->json, keys[i], &v) && v) {
			if(agent_content_normalize(v, "user", keys[i], &norm, &payload, &r->err))
				return r->err.rc;
			if(agent_content_text(norm, b)) {
				json_object_put(norm);
				return herr_set(&r->err, HERR_BAD_REQUEST, "invalid_steer_input",
						keys[i], "The steer text is too long.");
			}
			json_object_put(norm);
		}
	if(!buf_len(b) || !payload)
		return herr_set(&r->err, HERR_BAD_REQUEST, "invalid_steer_input", NULL,
				"Steer needs non-empty text in 'input', 'message' or 'text'.");
	return HERR_OK;
}

enum herr api_runs_steer(void *vapp, struct req *r)
{
	struct app *app = vapp;
	struct store_run run;
	struct buf b;
	struct json_object *o;
	enum store_run_status prev = STORE_RUN_QUEUED;
	enum herr rc = api_run_load(app->store, r, &run);

	if(rc)
		return rc;
	buf_init(&b, STEER_TEXT_MAX);
	rc = steer_text(r, &b);
	if(!rc)
		rc = store_run_steer_add(app->store, run.id, buf_str(&b),
					 STORE_RUN_BIT(STORE_RUN_RUNNING), NULL, &prev, &r->err);
	if(!rc) {
		o = json_object_new_object();
		jsonx_add_str(o, "object", "hermes.run.steer");
		jsonx_add_str(o, "run_id", run.id);
		jsonx_add_bool(o, "accepted", 1);
		rc = send_owned(r, 200, o);
	}
	buf_release(&b);
	store_run_release(&run);
	return rc;
}

/* ---- approval ----------------------------------------------------------- */

/* choice trimmed and lower-cased; approve/approved/allow are once. */
static const char *choice_of(const char *v)
{
	static const char *const choices[] = { "once", "session", "always", "deny" };
	char c[16];
	size_t n = 0;

	while(v && isspace((unsigned char)*v))
		v++;
	while(v && *v && n + 1 < sizeof(c))
		c[n++] = (char)tolower((unsigned char)*v++);
	while(n && isspace((unsigned char)c[n - 1]))
		n--;
	c[n] = '\0';
	if(v && *v)
		return NULL;
	if(!strcmp(c, "approve") || !strcmp(c, "approved") || !strcmp(c, "allow"))
		return "once";
	for(size_t i = 0; i < 4; i++)
		if(!strcmp(c, choices[i]))
			return choices[i];
	return NULL;
}

enum herr api_runs_approval(void *vapp, struct req *r)
{
	struct app *app = vapp;
	struct api_fields f;
	struct store_run run;
	const char *raw = NULL, *choice, *aid = NULL;
	char *answered = NULL;
	struct json_object *o;
	enum herr rc = api_run_load(app->store, r, &run);

	if(rc)
		return rc;
	api_field_init(&f, r->json, NULL, &r->err);
	if((rc = api_field_str(&f, "choice", API_FIELD_REQUIRED, &raw, NULL)) ||
	   (rc = api_field_str(&f, "approval_id", 0, &aid, NULL)) ||
	   (!aid && (rc = api_field_str(&f, "request_id", 0, &aid, NULL))))
		goto out;
	if(!(choice = choice_of(raw))) {
		rc = herr_set(&r->err, HERR_BAD_REQUEST, "invalid_approval_choice", "choice",
			      "'choice' must be one of once, session, always, deny.");
		goto out;
	}
	if(aid && strlen(aid) > APPROVAL_ID_MAX) {
		rc = herr_set(&r->err, HERR_BAD_REQUEST, "invalid_value", "approval_id",
			      "'approval_id' is too long.");
		goto out;
	}
	rc = store_run_approval_answer(app->store, run.id, aid, choice,
				       STORE_RUN_BIT(STORE_RUN_WAITING_FOR_APPROVAL), &answered, NULL,
				       &r->err);
	if(rc == HERR_CONFLICT && !strcmp(r->err.code, "run_not_waiting")) {
		rc = herr_set(&r->err, HERR_CONFLICT, "approval_not_active", NULL,
			      "Run %s is %s, not waiting for approval.", run.id,
			      store_run_status_name(run.status));
		goto out;
	}
	if(rc == HERR_NOT_FOUND || rc == HERR_CONFLICT) {
		rc = herr_set(&r->err, HERR_CONFLICT, "approval_not_pending", NULL,
			      "No pending approval%s%s for run %s.", aid ? " " : "", aid ? aid : "",
			      run.id);
		goto out;
	}
	if(rc)
		goto out;
	o = json_object_new_object();
	jsonx_add_str(o, "approval_id", answered);
	jsonx_add_str(o, "choice", choice);
	add_event(app->store, run.id, "approval.responded", o);
	o = json_object_new_object();
	jsonx_add_str(o, "object", "hermes.run.approval_response");
	jsonx_add_str(o, "run_id", run.id);
	jsonx_add_str(o, "approval_id", answered);
	jsonx_add_str(o, "choice", choice);
	jsonx_add_int(o, "resolved", 1);
	rc = send_owned(r, 200, o);
out:
	free(answered);
	store_run_release(&run);
	return rc;
}
