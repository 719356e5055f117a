/* src/api/responses_bg.c: background responses on the runner.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/responses_bg.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/llm.h"
#include "agent/response_events.h"
#include "agent/response_obj.h"
#include "agent/response_row.h"
#include "api/app.h"
#include "api/client_tools.h"
#include "api/idem.h"
#include "api/responses_input.h"
#include "api/responses_page.h"
#include "api/runs.h"
#include "api/session_hdr.h"
#include "api/turn.h"
#include "http/query.h"
#include "http/req.h"
#include "http/resp.h"
#include "http/sse.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/cfg_models.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/str.h"

/* ---- queueing ------------------------------------------------------------ */

/* The "response" member of the admitted request: what only the worker of
 * a background response reads. */
static struct json_object *response_member(const struct api_resp_in *in, const char *id)
{
	struct json_object *o = json_object_new_object();

	jsonx_add_str(o, "id", id);
	if(in->conversation)
		jsonx_add_str(o, "conversation", in->conversation);
	if(in->temperature_set)
		jsonx_add_owned(o, "temperature", json_object_new_double(in->temperature));
	if(in->top_p_set)
		jsonx_add_owned(o, "top_p", json_object_new_double(in->top_p));
	if(in->max_output_tokens > 0)
		jsonx_add_owned(o, "max_output_tokens", json_object_new_int64(in->max_output_tokens));
	return o;
}

/* The admitted request of the runs contract (api/runs_admit.h): the user
 * message as a one-message input (its content may be parts), the history
 * the turn continues, the session, and the response member. */
static struct json_object *run_request(struct api_turn *t, const struct api_resp_in *in,
				       const char *id)
{
	struct json_object *o = json_object_new_object(), *input = json_object_new_array();
	struct json_object *u = json_object_new_object();

	if(in->user) {
		jsonx_add_str(u, "role", "user");
		jsonx_add_owned(u, "content", json_object_get(in->user));
		json_object_array_add(input, u);
	} else {
		json_object_put(u);
	}
	jsonx_add_owned(o, "input", input);
	/* the client's results of its calls: the turn resumes after history */
	if(in->tool_results)
		jsonx_add_owned(o, "tool_results", json_object_get(in->tool_results));
	/* the client's functions, and the server toolsets in force (the
	 * runner narrows again, within its own configuration) */
	if(t->opts.client_tools) {
		jsonx_add_owned(o, "client_tools", json_object_get(t->opts.client_tools));
		if(t->opts.tool_choice)
			jsonx_add_owned(o, "tool_choice", json_object_get(t->opts.tool_choice));
	}
	api_req_toolsets_put(&t->narrow, o);
	if(buf_len(&in->system))
		jsonx_add_str(o, "instructions", buf_str(&in->system));
	jsonx_add_owned(o, "history", json_object_get(t->history));
	jsonx_add_str(o, "session_id", t->session_id);
	/* the entry this request was routed to, by its public name: the
	 * worker routes by it (runner/worker.c) */
	if(t->model && t->model->name)
		jsonx_add_str(o, "model", t->model->name);
	if(t->session_key[0])
		jsonx_add_str(o, "session_key", t->session_key);
	jsonx_add_owned(o, "response", response_member(in, id));
	return o;
}

static enum herr stream_events(struct app *app, struct req *r, const char *id,
			       const char *run_id, int64_t after);
static enum herr send_public(struct req *r, struct json_object *row);

enum herr api_resp_bg_admit(struct app *app, struct req *r, struct api_turn *t)
{
	if(!t->store)
		return herr_set(&r->err, HERR_UNAVAILABLE, "store_unavailable", "background",
				"Background responses need the response store, which is not "
				"available.");
	/* as a foreground request would answer, before anything is queued */
	if(llm_configured(&t->opts.llm, &r->err))
		return r->err.rc;
	return api_runs_capacity(app, r);
}

/* What a replay answers with (api_idem_replay_fn's ctx). */
struct replay_ctx {
	struct app *app;
	bool stream;
	const char *session_key;          /* "" if none */
};

/* api_idem_replay_fn: the response run_id was queued for, as stored now
 * (ended first when its run ended without ending it). */
static enum herr replay(void *vctx, struct req *r, const char *run_id, bool *gone)
{
	struct replay_ctx *x = vctx;
	struct json_object *row = NULL;
	char id[RESP_RUN_ID_MAX + 1], *session = NULL;
	enum herr rc;

	*gone = true;
	if(strncmp(run_id, "run_", 4) != 0)
		return HERR_OK;
	snprintf(id, sizeof(id), "resp_%s", run_id + 4);
	rc = agent_resp_row_load(x->app->store, id, &row, &session, &r->err);
	if(rc == HERR_NOT_FOUND) {
		herr_clear(&r->err);
		return HERR_OK;
	}
	*gone = false;
	if(rc)
		return rc;
	api_resp_bg_settle(x->app, &row, false);
	resp_header(r, "Idempotency-Replayed", "true");
	if(session)
		resp_header(r, "X-Hermes-Session-Id", session);
	if(x->session_key[0])
		resp_header(r, "X-Hermes-Session-Key", x->session_key);
	if(x->stream)
		rc = api_resp_bg_resume(x->app, r, row);
	else
		rc = send_public(r, row);
	json_object_put(row);
	free(session);
	return rc;
}

enum herr api_resp_bg_idem(struct app *app, struct req *r, bool stream, struct api_idem *idem,
			   bool *answered)
{
	char sid[API_SESSION_HDR_MAX + 1], skey[API_SESSION_HDR_MAX + 1];
	struct replay_ctx x = { .app = app, .stream = stream, .session_key = skey };
	struct herror serr;
	struct store *s;
	enum herr rc;

	*answered = false;
	if((rc = api_idem_read(idem, app, r, "responses")) || !idem->key)
		return rc;
	herr_clear(&serr);
	if(!(s = api_app_store(app, &serr)))
		return HERR_OK;
	/* the session key is part of the fingerprint, as on POST /v1/runs */
	if((rc = api_session_headers(app, r, sid, skey)))
		return rc;
	return api_idem_lookup(idem, s, r, r->json, skey, replay, &x, answered);
}

enum herr api_resp_bg_start(struct app *app, struct req *r, struct api_turn *t,
			const struct api_resp_in *in, struct json_object *obj,
			struct api_idem *idem)
{
	const char *id = jsonx_get_str(obj, "id");
	char run_id[RESP_RUN_ID_MAX];
	struct replay_ctx x = { .app = app, .stream = in->stream, .session_key = t->session_key };
	struct json_object *req;
	struct store_run_new nr;
	struct herror derr;
	bool answered = false;
	enum herr rc;

	if(!agent_resp_run_id(id, run_id, sizeof(run_id)))
		return herr_set(&r->err, HERR_INTERNAL, "internal_error", NULL, "Bad response id.");
	req = run_request(t, in, id);
	nr = (struct store_run_new){ .id = run_id, .session_id = t->session_id,
				     .model = jsonx_get_str(obj, "model"),
				     .request = jsonx_text(req, NULL) };
	rc = api_idem_create(idem, t->store, r, &nr, replay, &x, &answered);
	json_object_put(req);
	if(rc || answered) {
		/* nothing queued: the stored object would never be worked */
		herr_clear(&derr);
		if(store_response_delete(t->store, id, &derr))
			LOG_WARN("response %s: not queued, not deleted: %s", id, derr.msg);
		return rc;
	}
	LOG_INFO("response %s queued as run %s (session %s)", id, run_id, t->session_id);
	api_runs_wake(&app->cfg, run_id);
	resp_header(r, "X-Hermes-Session-Id", t->session_id);
	if(t->session_key[0])
		resp_header(r, "X-Hermes-Session-Key", t->session_key);
	/* The turn is the runner's now: this request holds no concurrency slot
	 * while it follows the events (api_turn_end may be called again). */
	api_turn_end(t);
	if(in->stream)
		return stream_events(app, r, id, run_id, -1);
	return resp_json(r, 200, obj);
}

/* ---- reading the events -------------------------------------------------- */

struct reader {
	struct app *app;
	const char *id, *run_id;
	int64_t after;                 /* sequence_number already seen */
	size_t sent;
};

/* api_run_follow.row: Responses events after the cursor, as the
 * foreground stream writes them ("event: <type>", no id line). Rows of the
 * run itself (run.completed, tool.started, ...) are not part of it. */
static enum herr reader_row(void *ctx, struct sse *s, int64_t seq, const char *text, bool *done)
{
	struct reader *rd = ctx;
	struct json_object *ev = jsonx_parse_stored(text), *v;
	const char *type = jsonx_get_str(ev, "type");
	enum herr rc = HERR_OK;

	(void)seq;
	if(type && json_object_object_get_ex(ev, "sequence_number", &v) &&
	   json_object_get_int64(v) > rd->after) {
		if(sse_event(s, NULL, type, text, strlen(text)))
			rc = HERR_IO;
		rd->after = json_object_get_int64(v);
		rd->sent++;
		*done = agent_resp_ev_terminal(type);
	}
	json_object_put(ev);
	return rc;
}

/* api_run_follow.ended: the run ended without the response's terminal
 * event - end the response (and write that event) now. */
static bool reader_ended(void *ctx)
{
	struct reader *rd = ctx;
	struct json_object *row = NULL;
	struct herror err;
	const char *before;
	bool moved = false;

	herr_clear(&err);
	if(agent_resp_row_load(rd->app->store, rd->id, &row, NULL, &err))
		return false;
	before = jsonx_get_str(row, "status");
	moved = !agent_resp_status_terminal(before);
	api_resp_bg_settle(rd->app, &row, false);
	json_object_put(row);
	return moved;
}

static enum herr stream_events(struct app *app, struct req *r, const char *id,
			       const char *run_id, int64_t after)
{
	struct reader rd = { .app = app, .id = id, .run_id = run_id, .after = after };
	struct api_run_follow f = { .row = reader_row, .ended = reader_ended, .ctx = &rd };
	volatile sig_atomic_t gone = 0;
	struct sse s;
	enum herr rc;

	sse_init(&s, r, 200, NULL, NULL, &gone);
	rc = api_run_follow(app, &s, run_id, 0, &f);
	LOG_INFO("response %s: %zu events streamed after %lld", id, rd.sent, (long long)after);
	sse_release(&s);
	return rc;
}

static bool is_background(struct json_object *row)
{
	struct json_object *v;

	return json_object_object_get_ex(row, "background", &v) && json_object_get_boolean(v);
}

/* ?starting_after=N: a non-negative integer; absent: -1 (every event). */
static enum herr starting_after(struct req *r, int64_t *after)
{
	const struct query *q;
	const char *v;
	long n;
	enum herr rc = req_query(r, &q);

	if(rc)
		return rc;
	*after = -1;
	v = query_get(q, "starting_after");
	if(!v || !*v)
		return HERR_OK;
	if(!str_to_long(v, 0, LONG_MAX, &n))
		return herr_set(&r->err, HERR_BAD_REQUEST, "invalid_value", "starting_after",
				"Invalid 'starting_after': expected a non-negative event sequence "
				"number.");
	*after = n;
	return HERR_OK;
}

enum herr api_resp_bg_resume(struct app *app, struct req *r, struct json_object *row)
{
	const char *id = jsonx_get_str(row, "id");
	char run_id[RESP_RUN_ID_MAX];
	struct store_run run;
	int64_t after;
	enum herr rc;

	if((rc = starting_after(r, &after)))
		return rc;
	if(!is_background(row) || !agent_resp_run_id(id, run_id, sizeof(run_id)))
		return herr_set(&r->err, HERR_NOT_FOUND, "response_stream_not_found", NULL,
				"Response %s was not created with background: true; its stream "
				"cannot be resumed.", id);
	rc = store_run_get(app->store, run_id, &run, &r->err);
	if(rc == HERR_NOT_FOUND) {
		herr_clear(&r->err);
		return herr_set(&r->err, HERR_NOT_FOUND, "response_events_expired", NULL,
				"The events of response %s have expired (they are kept as long as "
				"its run, runner.ttl seconds after it ends); GET /v1/responses/%s "
				"without stream still returns the response.", id, id);
	}
	if(rc)
		return rc;
	store_run_release(&run);
	return stream_events(app, r, id, run_id, after);
}

/* ---- ending and cancelling ---------------------------------------------- */

void api_resp_bg_settle(struct app *app, struct json_object **row, bool cancelling)
{
	const char *id = jsonx_get_str(*row, "id");
	char run_id[RESP_RUN_ID_MAX], *session = NULL;
	struct json_object *fresh = NULL;
	struct store_run run;
	struct herror err;
	enum herr rc;

	if(!is_background(*row) || agent_resp_status_terminal(jsonx_get_str(*row, "status")) ||
	   !agent_resp_run_id(id, run_id, sizeof(run_id)))
		return;
	herr_clear(&err);
	rc = store_run_get(app->store, run_id, &run, &err);
	if(rc && rc != HERR_NOT_FOUND)
		return;
	if(!rc && !(STORE_RUN_BIT(run.status) & STORE_RUN_TERMINAL)) {
		store_run_release(&run);
		api_runs_reading(&app->cfg, run_id);  /* a poll works it (runner.mode inline) */
		return;
	}
	/* the row as stored now, with its session (the worker may have
	 * ended it since it was read) */
	if(!agent_resp_row_load(app->store, id, &fresh, &session, &err)) {
		if(agent_resp_row_settle(app->store, fresh, session, run_id,
				       rc ? (cancelling ? "cancelled" : "gone")
					  : store_run_status_name(run.status),
				       rc ? NULL : run.error, &err))
			LOG_WARN("response %s: not ended: %s", id, err.msg);
		json_object_put(*row);
		*row = fresh;
	}
	free(session);
	if(!rc)
		store_run_release(&run);
}

static enum herr send_public(struct req *r, struct json_object *row)
{
	struct json_object *pub = agent_response_public(row);
	enum herr rc = resp_json(r, 200, pub);

	json_object_put(pub);
	return rc;
}

/* Stop the run of row (a background response not finished) and wait for
 * it, bounded as POST /v1/runs/{id}/stop is. */
static void stop_run(struct app *app, const char *run_id)
{
	struct store_run run;
	struct herror err;

	herr_clear(&err);
	if(store_run_get(app->store, run_id, &run, &err))
		return;
	if(api_run_stop(app->store, &run, &err))
		LOG_WARN("run %s: not stopped: %s", run_id, err.msg);
	store_run_release(&run);
}

enum herr api_responses_cancel(void *vapp, struct req *r)
{
	struct app *app = vapp;
	const char *id = route_param(&r->params, "id");
	char run_id[RESP_RUN_ID_MAX];
	struct json_object *row = NULL;
	enum herr rc;

	if(!api_id_valid(id))
		return herr_set(&r->err, HERR_NOT_FOUND, "response_not_found", NULL,
				"Response not found.");
	rc = agent_resp_row_load(app->store, id, &row, NULL, &r->err);
	if(rc == HERR_NOT_FOUND) {
		herr_clear(&r->err);
		return herr_set(&r->err, HERR_NOT_FOUND, "response_not_found", NULL,
				"Response %s not found.", id);
	}
	if(rc)
		return rc;
	if(!is_background(row) || !agent_resp_run_id(id, run_id, sizeof(run_id))) {
		json_object_put(row);
		return herr_set(&r->err, HERR_BAD_REQUEST, "response_not_background", NULL,
				"Only background responses can be cancelled: response %s was not "
				"created with background: true.", id);
	}
	if(!agent_resp_status_terminal(jsonx_get_str(row, "status"))) {
		stop_run(app, run_id);
		json_object_put(row);
		row = NULL;
		if((rc = agent_resp_row_load(app->store, id, &row, NULL, &r->err)))
			return rc;
		api_resp_bg_settle(app, &row, true);
	}
	rc = send_public(r, row);
	json_object_put(row);
	return rc;
}
