/* src/api/turn.c: the turn orchestrator.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/turn.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/history.h"
#include "agent/opts.h"
#include "agent/turn_env.h"
#include "api/app.h"
#include "api/models.h"
#include "http/req.h"
#include "http/resp.h"
#include "store/store.h"
#include "util/log.h"
#include "util/str.h"

/* The store and a concurrency slot. Without a store the turn runs
 * unpersisted and uncapped (logged), as before the store existed. */
static enum herr take_slot(struct api_turn *t, const char *kind, bool alone)
{
	struct herror serr;
	enum herr rc;

	herr_clear(&serr);
	t->store = api_app_store(t->app, &serr);
	if(!t->store) {
		LOG_WARN("turn runs without persistence or concurrency cap: %s", serr.msg);
		return HERR_OK;
	}
	rc = store_turn_begin(t->store, (long)getpid(), kind ? kind : "chat", t->session_id,
			      alone ? STORE_TURN_ALONE : 0, (int)t->app->cfg.max_concurrent_runs,
			      &t->slot, &t->r->err);
	if(rc == HERR_RATE_LIMIT)
		resp_header(t->r, "Retry-After", "1");
	t->slot_held = rc == HERR_OK;
	return rc;
}

/* A resumed turn (client tool results) without a chained session: the
 * stored turn of the session they answer (in->resume_session, else the
 * named or derived one), or the history as sent. */
static void resume(struct api_turn *t, const struct api_turn_in *in)
{
	char sid[API_SESSION_HDR_MAX + 1];

	if(in->resume_session && strlen(in->resume_session) < sizeof(sid)) {
		snprintf(sid, sizeof(sid), "%s", in->resume_session);
		if(agent_history_resume(t->store, sid, sizeof(sid), in->history, in->tool_results,
					&t->history)) {
			snprintf(t->session_id, sizeof(t->session_id), "%s", sid);
			return;
		}
		json_object_put(t->history);
	}
	(void)agent_history_resume(t->store, t->session_id, sizeof(t->session_id), in->history,
				   in->tool_results, &t->history);
}

enum herr api_turn_begin(struct api_turn *t, struct app *app, struct req *r,
			 const struct api_turn_in *in)
{
	struct herror herr;
	enum herr rc;

	memset(t, 0, sizeof(*t));
	t->app = app;
	t->r = r;
	agent_result_init(&t->res);
	if(!(t->model = api_model_pick(app, in->model, &r->err)))
		return r->err.rc;
	if((rc = api_session_headers(app, r, t->session_id, t->session_key)))
		return rc;
	t->named = t->session_id[0] != '\0';
	if(in->session_id && *in->session_id) {
		snprintf(t->session_id, sizeof(t->session_id), "%s", in->session_id);
		t->named = in->stored; /* a chain's history is complete: used as sent */
	} else if(!t->named && in->fresh) {
		agent_new_session_id(t->session_id, sizeof(t->session_id));
	} else if(!t->named) {
		api_session_derive(in->system, in->first_user, t->session_id, sizeof(t->session_id));
	}
	if((rc = api_req_toolsets(app, r, in->body_toolsets ? r->json : NULL, &t->narrow,
				  &r->err)) ||
	   (in->ctools && (rc = api_ctools_check(in->ctools, tool_narrow_list(&t->narrow,
					app->tools.toolsets), &r->err))))
		return rc;
	if((rc = take_slot(t, in->kind, in->stored)))
		return rc;
	herr_clear(&herr);
	if(in->tool_results && !(in->session_id && *in->session_id))
		resume(t, in);
	else if(agent_history_continue(t->store, t->named, t->session_id, sizeof(t->session_id),
				       in->history, &t->history, &herr))
		LOG_WARN("session %s: stored history not loaded: %s", t->session_id, herr.msg);
	agent_env_opts(&app->cfg, &app->tools, t->store, &app->interrupt, "api_server",
		       t->session_key, &t->opts);
	agent_opts_model(&t->opts, t->model, app->cfg.models.listed);
	t->opts.toolsets = tool_narrow_list(&t->narrow, NULL);
	if(in->ctools)
		api_ctools_apply(in->ctools, &t->opts);
	t->input.tool_results = in->tool_results;
	t->input.session_id = t->session_id;
	t->input.system = in->system && *in->system ? in->system : NULL;
	t->input.history = t->history;
	t->input.user = in->user;
	t->input.user_content = in->user_content;
	return HERR_OK;
}

void api_turn_run(struct api_turn *t, const struct agent_sink *sink)
{
	agent_run(&t->opts, &t->input, sink, &t->res);
	t->ran = true;
}

void api_turn_headers(struct api_turn *t)
{
	const struct agent_result *res = &t->res;
	char msg[201];

	resp_header(t->r, "X-Hermes-Session-Id", res->session_id);
	if(t->session_key[0])
		resp_header(t->r, "X-Hermes-Session-Key", t->session_key);
	resp_header(t->r, "X-Hermes-Completed", res->status == AGENT_COMPLETED ? "true" : "false");
	resp_header(t->r, "X-Hermes-Partial", res->status == AGENT_PARTIAL ? "true" : "false");
	if(res->status != AGENT_COMPLETED && res->error.msg[0]) {
		str_sanitize(msg, sizeof(msg), res->error.msg);
		resp_header(t->r, "X-Hermes-Error", msg);
	}
	if(res->persist_failures) {
		str_sanitize(msg, sizeof(msg), res->persist_error.msg);
		resp_header(t->r, "X-Hermes-Persist-Error", msg);
	}
}

void api_turn_end(struct api_turn *t)
{
	if(t->slot_held)
		store_turn_end(t->store, t->slot);
	t->slot_held = false;
	agent_result_release(&t->res);
	json_object_put(t->history);
	t->history = NULL;
}
