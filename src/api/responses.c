/* src/api/responses.c: POST /v1/responses.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/responses.h"

#include <json-c/json.h>
#include <string.h>
#include <time.h>

#include "api/app.h"
#include "api/chat_result.h"
#include "api/idem.h"
#include "agent/response_obj.h"
#include "api/responses_bg.h"
#include "api/responses_input.h"
#include "api/responses_stream.h"
#include "api/turn.h"
#include "http/req.h"
#include "http/resp.h"
#include "store/store.h"
#include "util/jsonx.h"
#include "util/log.h"

/* One create request. */
struct api_resp_call {
	struct app *app;
	struct api_resp_in in;
	struct api_turn t;
	char id[RESP_ID_MAX];
	struct json_object *obj;          /* owned: the object being answered */
	struct api_ctools ctools;         /* owned: the client's function tools */
	struct api_idem idem;             /* background: the Idempotency-Key */
};

/* The conversation through this response: what the turn continued, the new
 * user message, and (once it ran) the turn's own messages. */
static struct json_object *transcript(struct api_resp_call *c, bool ran)
{
	return agent_resp_transcript(c->t.history, c->in.user, c->in.tool_results,
				   ran ? c->t.res.messages : NULL);
}

/* Store the object as it is now (store: true only); the final version
 * moves the conversation name to it. Failures are logged: the answer
 * still goes out. */
static void put(struct api_resp_call *c, bool final)
{
	struct json_object *tr, *row;
	const char *session = final ? c->t.res.session_id : c->t.session_id;
	struct herror err;

	if(!c->in.store || !c->t.store)
		return;
	tr = transcript(c, final);
	row = agent_resp_obj_stored(c->obj, c->in.items, tr, buf_len(&c->in.system)
			      ? buf_str(&c->in.system) : NULL);
	herr_clear(&err);
	if(store_response_put(c->t.store, c->id, jsonx_text(row, NULL), session, &err))
		LOG_WARN("response %s not stored: %s", c->id, err.msg);
	else if(final && c->in.conversation &&
		store_conversation_set(c->t.store, c->in.conversation, c->id, &err))
		LOG_WARN("conversation %s not moved to %s: %s", c->in.conversation, c->id, err.msg);
	json_object_put(row);
	json_object_put(tr);
}

/* The snapshot, stored as in_progress. */
static void created(struct api_resp_call *c)
{
	struct api_resp_in *in = &c->in;
	struct agent_resp_meta m = {
		.id = c->id, .model = c->t.model->name,
		.previous_id = in->previous_id,
		.conversation = in->conversation, .instructions = in->instructions,
		.truncation = in->truncation, .metadata = in->metadata,
		.created_at = (int64_t)time(NULL), .store = in->store,
		.parallel_tool_calls = in->parallel_tool_calls,
		.temperature_set = in->temperature_set, .top_p_set = in->top_p_set,
		.temperature = in->temperature, .top_p = in->top_p,
		.max_output_tokens = in->max_output_tokens,
		.tools = c->ctools.echo_tools, .tool_choice = c->ctools.echo_choice,
	};

	agent_resp_new_id(c->id, sizeof(c->id), "resp_");
	c->obj = agent_resp_obj_new(&m);
	if(in->background) { /* SPEC: openai-wire §6.8 */
		jsonx_add_str(c->obj, "status", "queued");
		jsonx_add_bool(c->obj, "background", 1);
	}
	put(c, false);
}

static void feed(void *vout, const struct agent_event *ev)
{
	agent_resp_out_feed(vout, ev);
}

/* The body answer: the object, or the error envelope of a failed turn
 * (SDKs raise on it; the failed object is still stored). */
static enum herr answer(struct api_resp_call *c)
{
	struct agent_resp_out out;
	struct agent_sink sink = { feed, NULL, NULL, NULL };
	struct req *r = c->t.r;
	enum herr rc;

	agent_resp_out_init(&out);
	sink.ctx = &out;
	api_turn_run(&c->t, &sink);
	agent_resp_out_reasoning_close(&out);
	agent_resp_out_close(&out, true);
	(void)agent_resp_out_calls(&out, &c->t.res);
	(void)agent_resp_obj_finish(c->obj, &out, &c->t.res, false);
	put(c, true);
	agent_resp_out_release(&out);
	api_turn_headers(&c->t);
	if(api_chat_failed(&c->t.res, buf_len(&c->t.res.final_text) > 0))
		return api_result_error(r, &c->t.res);
	rc = resp_json(r, 200, c->obj);
	return rc;
}

/* The streamed answer; the final object is stored before the terminal
 * event, so a GET right after it sees what the event carried. */
static void stream(struct api_resp_call *c)
{
	struct api_resp_stream rs;
	const char *status;

	api_resp_stream_init(&rs, c->t.r, c->obj, c->t.session_id, c->t.session_key,
			 &c->app->interrupt);
	rs.named_events = api_wants_tool_events(c->t.r);
	api_turn_run(&c->t, &rs.sink);
	api_resp_stream_close(&rs);
	api_resp_stream_calls(&rs, &c->t.res);
	status = agent_resp_obj_finish(c->obj, rs.out, &c->t.res, sse_gone(&rs.sse));
	put(c, true);
	api_resp_stream_finish(&rs, c->obj, status);
	api_resp_stream_release(&rs);
}

/* The request's sampling settings go to the upstream. */
static void sampling(struct api_resp_call *c)
{
	struct llm_opts *l = &c->t.opts.llm;

	if(c->in.temperature_set) { /* else the model's default stays */
		l->temperature_set = true;
		l->temperature = c->in.temperature;
	}
	l->top_p_set = c->in.top_p_set;
	l->top_p = c->in.top_p;
	if(c->in.max_output_tokens > 0)
		l->max_tokens = (long)c->in.max_output_tokens;
}

enum herr api_responses_create(void *vapp, struct req *r)
{
	struct api_resp_call c;
	struct api_turn_in ti = { .kind = "response" };
	struct herror serr;
	bool replayed = false;
	enum herr rc;

	memset(&c, 0, sizeof(c)); /* api_turn_end accepts a turn that never began */
	c.app = vapp;
	herr_clear(&serr);
	if((rc = api_resp_in_parse(&c.in, r->json, api_app_store(c.app, &serr), &r->err)) ||
	   (rc = api_ctools_parse(&c.ctools, r->json, true, &r->err)))
		goto out;
	ti.system = buf_str(&c.in.system);
	ti.first_user = buf_str(&c.in.first_user);
	ti.history = c.in.history;
	ti.user = c.in.tool_results ? NULL : buf_str(&c.in.user_text);
	ti.tool_results = c.in.tool_results;
	ti.resume_session = c.in.call_session;
	ti.ctools = &c.ctools;
	ti.body_toolsets = true;
	ti.user_content = json_object_is_type(c.in.user, json_type_array) ? c.in.user : NULL;
	ti.session_id = c.in.previous_session;
	ti.fresh = true;
	ti.model = c.in.model;
	/* a background request's Idempotency-Key, before any concurrency
	 * check; a foreground request ignores it (docs/api.md) */
	if(c.in.background &&
	   ((rc = api_resp_bg_idem(c.app, r, c.in.stream, &c.idem, &replayed)) || replayed))
		goto out;
	if((rc = api_turn_begin(&c.t, c.app, r, &ti)))
		goto out;
	sampling(&c);
	if(c.in.background && (rc = api_resp_bg_admit(c.app, r, &c.t)))
		goto out;
	created(&c);
	if(c.in.background) {
		rc = api_resp_bg_start(c.app, r, &c.t, &c.in, c.obj, &c.idem);
	} else if(c.in.stream) {
		stream(&c);
		rc = HERR_OK;
	} else {
		rc = answer(&c);
	}
out:
	api_turn_end(&c.t);
	api_resp_in_release(&c.in);
	api_ctools_release(&c.ctools);
	json_object_put(c.obj);
	return rc;
}
