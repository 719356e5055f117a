/* src/runner/resp_work.c: a background response's events and row, written
 * by its run's worker.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "runner/resp_work.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/response_obj.h"
#include "agent/response_row.h"
#include "runner/run_sink.h"
#include "store/store.h"
#include "util/jsonx.h"
#include "util/log.h"

#define STORE_MEMBER "hermes_store"

/* Write the batched text as one output_text.delta. */
static void flush_text(struct resp_work *w)
{
	w->last_flush = runner_now();
	if(w->flushing || !buf_len(&w->pending))
		return;
	w->flushing = true;
	agent_resp_ev_delta(&w->ev, buf_str(&w->pending), buf_len(&w->pending));
	buf_reset(&w->pending);
	w->flushing = false;
}

/* agent_resp_ev_ops */
static void ev_before(void *ctx)
{
	flush_text(ctx);
}

static void ev_put(void *ctx, struct json_object *ev)
{
	struct resp_work *w = ctx;
	struct herror err;

	herr_clear(&err);
	if(agent_resp_event_put(w->store, w->run_id, ev, &err) && !w->write_err.rc)
		w->write_err = err;
}

static void ev_text(void *ctx, const char *text, size_t len)
{
	struct resp_work *w = ctx;

	if(buf_add_trunc(&w->pending, text, len) || buf_len(&w->pending) > 65536 ||
	   runner_now() - w->last_flush >= RUN_DELTA_SECONDS)
		flush_text(w);
}

static void ev_flush(void *ctx)
{
	flush_text(ctx);
}

static const struct agent_resp_ev_ops ev_ops = { ev_before, ev_put, ev_text, ev_flush };

/* agent_sink */
static void sink_emit(void *ctx, const struct agent_event *ev)
{
	struct resp_work *w = ctx;

	agent_resp_ev_emit(&w->ev, ev);
	if(ev->type == AGENT_EV_TOOL_STARTED || ev->type == AGENT_EV_TOOL_FINISHED)
		w->rs->sink.emit(w->rs->sink.ctx, ev);
}

static void sink_tick(void *ctx)
{
	struct resp_work *w = ctx;

	if(buf_len(&w->pending) && runner_now() - w->last_flush >= RUN_DELTA_SECONDS)
		flush_text(w);
	w->rs->sink.tick(w->rs->sink.ctx);
}

static bool sink_approve(void *ctx, const struct agent_event *req)
{
	struct resp_work *w = ctx;

	flush_text(w);
	return w->rs->sink.approve(w->rs->sink.ctx, req);
}

static void sampling(struct json_object *req, struct agent_opts *o)
{
	struct json_object *v;

	if(json_object_object_get_ex(req, "temperature", &v) && v) {
		o->llm.temperature_set = true;
		o->llm.temperature = json_object_get_double(v);
	}
	if(json_object_object_get_ex(req, "top_p", &v) && v) {
		o->llm.top_p_set = true;
		o->llm.top_p = json_object_get_double(v);
	}
	if(json_object_object_get_ex(req, "max_output_tokens", &v) && v)
		o->llm.max_tokens = (long)json_object_get_int64(v);
}

enum herr runner_resp_begin(struct resp_work *w, struct store *s, const char *run_id,
			 struct json_object *req, struct run_sink *rs, struct agent_opts *o,
			 struct herror *err)
{
	struct json_object *queued;
	enum herr rc;

	memset(w, 0, sizeof(*w));
	w->store = s;
	w->run_id = run_id;
	w->rs = rs;
	w->req = req;
	buf_init(&w->pending, RUN_TEXT_MAX);
	herr_clear(&w->write_err);
	agent_resp_ev_init(&w->ev, &ev_ops, w);
	w->last_flush = runner_now();
	w->sink = (struct agent_sink){ sink_emit, sink_tick, sink_approve, w };
	rc = agent_resp_row_load(s, jsonx_get_str(req, "id"), &w->row, &w->session, err);
	if(rc)
		return rc;
	w->obj = agent_response_public(w->row);
	queued = agent_response_public(w->row);
	jsonx_add_str(w->obj, "status", "in_progress");
	jsonx_add_str(w->row, "status", "in_progress");
	rc = agent_resp_row_put(s, w->row, w->session, err);
	if(!rc)
		agent_resp_ev_opened(&w->ev, queued, w->obj);
	json_object_put(queued);
	sampling(req, o);
	return rc;
}

/* The stored transcript (history and the user message) and the turn's
 * own messages (new reference). */
static struct json_object *transcript(struct resp_work *w, const struct agent_result *res)
{
	struct json_object *hs = NULL, *tr = NULL, *a = json_object_new_array();

	if(json_object_object_get_ex(w->row, STORE_MEMBER, &hs))
		json_object_object_get_ex(hs, "transcript", &tr);
	jsonx_array_extend(a, tr);
	jsonx_array_extend(a, res->messages);
	return a;
}

/* Store the final object; the conversation name moves to it. */
static void store_final(struct resp_work *w, const struct agent_result *res)
{
	struct json_object *hs = NULL, *tr = transcript(w, res), *row;
	const char *conv = jsonx_get_str(w->req, "conversation"), *id = jsonx_get_str(w->obj, "id");
	const char *session = res->session_id[0] ? res->session_id : w->session;
	struct herror err;

	json_object_object_get_ex(w->row, STORE_MEMBER, &hs);
	row = agent_resp_obj_stored(w->obj, json_object_object_get(hs, "input_items"), tr,
				  jsonx_get_str(hs, "instructions"));
	herr_clear(&err);
	if(agent_resp_row_put(w->store, row, session, &err))
		LOG_WARN("run %s: response %s not stored: %s", w->run_id, id, err.msg);
	else if(conv && store_conversation_set(w->store, conv, id, &err))
		LOG_WARN("run %s: conversation %s not moved to %s: %s", w->run_id, conv, id, err.msg);
	json_object_put(row);
	json_object_put(tr);
}

void runner_resp_end(struct resp_work *w, const struct agent_result *res, bool stopped)
{
	const char *status;

	agent_resp_ev_close(&w->ev);
	agent_resp_ev_calls(&w->ev, res);
	status = agent_resp_obj_finish(w->obj, &w->ev.out, res, false);
	if(stopped || res->status == AGENT_INTERRUPTED) {
		status = "cancelled";
		jsonx_add_str(w->obj, "status", status);
		jsonx_add_owned(w->obj, "incomplete_details", NULL);
	}
	store_final(w, res);
	agent_resp_ev_finish(&w->ev, w->obj, status);
	if(w->write_err.rc)
		LOG_WARN("run %s: a response event could not be written: %s", w->run_id,
			 w->write_err.msg);
}

void runner_resp_release(struct resp_work *w)
{
	agent_resp_ev_release(&w->ev);
	buf_release(&w->pending);
	json_object_put(w->row);
	json_object_put(w->obj);
	free(w->session);
	memset(w, 0, sizeof(*w));
}
