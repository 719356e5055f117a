/* src/api/runs.c: POST /v1/runs, GET /v1/runs/{id}, GET /v1/runs.
 *
 * DESIGN: a run is admitted when its row is committed as queued; every
 * check that can refuse it runs before its id exists (runs_admit.c), so a
 * refused request leaves nothing behind. The Idempotency-Key record is
 * written in the same transaction as the row, so two responders given the
 * same key create one run; the loser answers a replay of it (api/idem.h).
 * SPEC: runs-discovery-security §2.1-§2.3, §2.10
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/runs.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/models.h"
#include "api/client_tools.h"
#include "api/idem.h"
#include "api/runs_admit.h"
#include "api/session_hdr.h"
#include "http/query.h"
#include "http/req.h"
#include "http/resp.h"
#include "store/store.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/str.h"

static api_runs_waker waker;

void api_runs_set_waker(api_runs_waker fn)
{
	waker = fn;
}

static void notify(const struct cfg *c, const char *run_id, bool reader)
{
	struct herror werr;

	herr_clear(&werr);
	if(waker && waker(c, reader, &werr))
		LOG_WARN("run %s: runner not started: %s", run_id, werr.msg);
}

void api_runs_wake(const struct cfg *c, const char *run_id)
{
	notify(c, run_id, false);
}

void api_runs_reading(const struct cfg *c, const char *run_id)
{
	notify(c, run_id, true);
}

#define RUNS_LIST_DEFAULT 20
#define RUNS_LIST_MAX 100

static void add_json_text(struct json_object *o, const char *key, const char *text)
{
	struct json_object *v = jsonx_parse_stored(text);

	json_object_object_add(o, key, v);
}

struct json_object *api_run_object(struct store *s, const struct store_run *run)
{
	struct json_object *o = json_object_new_object();
	struct herror err;

	jsonx_add_str(o, "object", "hermes.run");
	jsonx_add_str(o, "run_id", run->id);
	jsonx_add_str(o, "status", store_run_status_name(run->status));
	json_object_object_add(o, "created_at", json_object_new_double(run->created_at));
	json_object_object_add(o, "updated_at", json_object_new_double(run->updated_at));
	json_object_object_add(o, "session_id", run->session_id ?
			       json_object_new_string(run->session_id) : NULL);
	json_object_object_add(o, "model", run->model ? json_object_new_string(run->model) : NULL);
	json_object_object_add(o, "last_event", run->last_event ?
			       json_object_new_string(run->last_event) : NULL);
	json_object_object_add(o, "output", run->output ? json_object_new_string(run->output) : NULL);
	add_json_text(o, "usage", run->usage);
	json_object_object_add(o, "error", run->error ? json_object_new_string(run->error) : NULL);
	herr_clear(&err);
	if(s && (STORE_RUN_BIT(run->status) & STORE_RUN_TERMINAL)) {
		char *pending = NULL;

		if(!store_run_steer_pending(s, run->id, &pending, &err) && pending)
			jsonx_add_str(o, "pending_steer", pending);
		free(pending);
	}
	if(s && run->status == STORE_RUN_WAITING_FOR_APPROVAL) {
		struct store_approval a;

		if(!store_run_approval_get(s, run->id, NULL, &a, &err) && !a.choice) {
			struct json_object *ap = json_object_new_object();

			jsonx_add_str(ap, "approval_id", a.request_id);
			jsonx_add_str(ap, "command", a.command);
			jsonx_add_str(ap, "reason", a.reason);
			jsonx_add_owned(o, "approval", ap);
		}
		store_approval_release(&a);
	}
	return o;
}

static enum herr run_not_found(struct req *r, const char *id)
{
	if(!id || strlen(id) > 64 || str_has_ctl(id, strlen(id)))
		return herr_set(&r->err, HERR_NOT_FOUND, "run_not_found", NULL, "Run not found.");
	return herr_set(&r->err, HERR_NOT_FOUND, "run_not_found", NULL, "Run not found: %s", id);
}

enum herr api_run_load(struct store *s, struct req *r, struct store_run *out)
{
	const char *id = route_param(&r->params, "id");
	enum herr rc;

	memset(out, 0, sizeof(*out));
	if(!id || strncmp(id, "run_", 4) != 0 || strlen(id) > 64)
		return run_not_found(r, id);
	rc = store_run_get(s, id, out, &r->err);
	if(rc == HERR_NOT_FOUND)
		return run_not_found(r, id);
	return rc;
}

static enum herr send_owned(struct req *r, int status, struct json_object *o)
{
	enum herr rc = resp_json(r, status, o);

	json_object_put(o);
	return rc;
}

enum herr api_runs_get(void *vapp, struct req *r)
{
	struct app *app = vapp;
	struct store_run run;
	enum herr rc = api_run_load(app->store, r, &run);

	if(rc)
		return rc;
	rc = send_owned(r, 200, api_run_object(app->store, &run));
	store_run_release(&run);
	return rc;
}

/* ?status= (a status name, or "live" / "terminal"), ?limit=, ?after=. */
static enum herr list_query(struct req *r, unsigned *mask, int *limit, const char **after)
{
	const struct query *q;
	const char *v;
	enum store_run_status st;
	long n;
	enum herr rc = req_query(r, &q);

	if(rc)
		return rc;
	*mask = STORE_RUN_ANY;
	*limit = RUNS_LIST_DEFAULT;
	*after = query_get(q, "after");
	if((v = query_get(q, "status")) && *v) {
		if(!strcmp(v, "live"))
			*mask = STORE_RUN_LIVE;
		else if(!strcmp(v, "terminal"))
			*mask = STORE_RUN_TERMINAL;
		else if(store_run_status_parse(v, &st))
			*mask = STORE_RUN_BIT(st);
		else
			return herr_set(&r->err, HERR_BAD_REQUEST, "invalid_value", "status",
					"Invalid 'status': expected a run status, 'live' or "
					"'terminal'.");
	}
	if((v = query_get(q, "limit")) && *v) {
		if(!str_to_long(v, 1, RUNS_LIST_MAX, &n))
			return herr_set(&r->err, HERR_BAD_REQUEST, "invalid_value", "limit",
					"Invalid 'limit': expected an integer from 1 to %d.",
					RUNS_LIST_MAX);
		*limit = (int)n;
	}
	if(*after && !**after)
		*after = NULL;
	return HERR_OK;
}

enum herr api_runs_list(void *vapp, struct req *r)
{
	struct app *app = vapp;
	struct store_run *runs = NULL;
	struct json_object *o, *data;
	size_t n = 0;
	unsigned mask;
	int limit;
	const char *after;
	enum herr rc = list_query(r, &mask, &limit, &after);

	if(rc || (rc = store_run_page(app->store, mask, limit + 1, after, &runs, &n, &r->err)))
		return rc;
	o = json_object_new_object();
	data = json_object_new_array();
	for(size_t i = 0; i < n && i < (size_t)limit; i++)
		json_object_array_add(data, api_run_object(app->store, &runs[i]));
	jsonx_add_str(o, "object", "list");
	jsonx_add_owned(o, "data", data);
	json_object_object_add(o, "first_id", n ? json_object_new_string(runs[0].id) : NULL);
	json_object_object_add(o, "last_id", n ? json_object_new_string(
				       runs[(n > (size_t)limit ? (size_t)limit : n) - 1].id) : NULL);
	jsonx_add_bool(o, "has_more", n > (size_t)limit);
	store_run_list_free(runs, n);
	return send_owned(r, 200, o);
}

/* ---- POST /v1/runs ------------------------------------------------------ */

struct admission {
	struct app *app;
	struct req *r;
	char hdr_session[API_SESSION_HDR_MAX + 1];
	char session_key[API_SESSION_HDR_MAX + 1];
	struct api_idem idem;                     /* the Idempotency-Key */
	struct runs_admit admit;
	const struct cfg_model *model;            /* routed entry (borrowed) */
	struct tool_narrow narrow;                /* X-Hermes-Toolsets, hermes.toolsets */
};

static void session_headers(struct admission *ad, const char *session_id)
{
	if(session_id)
		resp_header(ad->r, "X-Hermes-Session-Id", session_id);
	if(ad->session_key[0])
		resp_header(ad->r, "X-Hermes-Session-Key", ad->session_key);
}

/* 202 with the run's current status object and replayed. */
static enum herr accepted(struct admission *ad, const char *run_id, bool replayed)
{
	struct store_run run;
	struct json_object *o;
	enum herr rc = store_run_get(ad->app->store, run_id, &run, &ad->r->err);

	if(rc)
		return rc;
	o = api_run_object(ad->app->store, &run);
	jsonx_add_bool(o, "replayed", replayed);
	if(replayed)
		resp_header(ad->r, "Idempotency-Replayed", "true");
	session_headers(ad, run.session_id);
	store_run_release(&run);
	return send_owned(ad->r, 202, o);
}

/* api_idem_replay_fn: 202 with the run's current status, replayed. */
static enum herr replay(void *ctx, struct req *r, const char *run_id, bool *gone)
{
	struct admission *ad = ctx;
	struct store_run run;
	struct herror err;

	(void)r;
	herr_clear(&err);
	*gone = store_run_get(ad->app->store, run_id, &run, &err) == HERR_NOT_FOUND;
	if(*gone)
		return HERR_OK;
	store_run_release(&run);
	return accepted(ad, run_id, true);
}

enum herr api_runs_capacity(struct app *app, struct req *r)
{
	int max = (int)app->cfg.max_concurrent_runs;
	struct store_run *runs = NULL;
	size_t n = 0;
	enum herr rc;

	if(max <= 0)
		return HERR_OK;
	rc = store_run_list(app->store, STORE_RUN_LIVE, max, &runs, &n, &r->err);
	store_run_list_free(runs, n);
	if(rc)
		return rc;
	if(n >= (size_t)max) {
		resp_header(r, "Retry-After", "1");
		return herr_set(&r->err, HERR_RATE_LIMIT, "rate_limit_exceeded", NULL,
				"Too many concurrent runs (max %d)", max);
	}
	return HERR_OK;
}

static enum herr allocate(struct admission *ad)
{
	struct app *app = ad->app;
	char run_id[4 + 32 + 1] = "run_";
	const char *model = ad->model->name;
	struct json_object *req;
	struct store_run_new nr;
	bool answered = false;
	enum herr rc;

	if((rc = rand_hex(run_id + 4, sizeof(run_id) - 4, 16)))
		return herr_set(&ad->r->err, rc, "internal_error", NULL, "No random run id.");
	req = api_runs_admit_request(&ad->admit, run_id, ad->session_key, model);
	api_req_toolsets_put(&ad->narrow, req);
	nr = (struct store_run_new){ .id = run_id, .model = model, .request = jsonx_text(req, NULL),
				     .session_id = jsonx_get_str(req, "session_id") };
	rc = api_idem_create(&ad->idem, app->store, ad->r, &nr, replay, ad, &answered);
	if(!rc && !answered)
		LOG_INFO("run %s queued (session %s)", run_id, nr.session_id);
	json_object_put(req);
	if(rc || answered)
		return rc;
	api_runs_wake(&app->cfg, run_id);
	return accepted(ad, run_id, false);
}

enum herr api_runs_create(void *vapp, struct req *r)
{
	struct admission ad = { .app = vapp, .r = r };
	bool answered = false;
	enum herr rc;

	/* 1 auth and the store: the dispatcher; 2 the session headers */
	if((rc = api_session_headers(ad.app, r, ad.hdr_session, ad.session_key)))
		return rc;
	/* 3 JSON */
	if((rc = req_read_json(r)))
		return rc;
	/* 4 Idempotency-Key syntax */
	if((rc = api_idem_read(&ad.idem, ad.app, r, "runs")))
		return rc;
	/* 5 input, 6 history */
	rc = api_runs_admit_parse(&ad.admit, r->json, ad.hdr_session, ad.app->store, &r->err);
	/* the model it routes to (404 model_not_found when unknown and strict) */
	if(!rc && !(ad.model = api_model_pick(ad.app, ad.admit.model, &r->err)))
		rc = r->err.rc;
	if(!rc)
		rc = api_req_toolsets(ad.app, r, r->json, &ad.narrow, &r->err);
	/* 7 idempotency lookup, 8 concurrency, then allocation */
	if(!rc)
		rc = api_idem_lookup(&ad.idem, ad.app->store, r, r->json, ad.session_key, replay, &ad,
				     &answered);
	if(!rc && !answered && !(rc = api_runs_capacity(ad.app, r)))
		rc = allocate(&ad);
	api_runs_admit_release(&ad.admit);
	return rc;
}
