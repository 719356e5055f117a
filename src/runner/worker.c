/* src/runner/worker.c: one run, worked in a process forked by the runner.
 *
 * The worker opens its own configuration and store (a SQLite connection
 * never crosses fork), reads the request the responder admitted into the
 * run row, runs one agent turn with the run sink and ends the run:
 * completed (run.completed with output, usage and the turn's messages),
 * failed (run.failed) or, after SIGTERM or a stop seen in the store,
 * cancelled (run.cancelled). A background response
 * (runner/resp_work.h) is such a run with a Responses face.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "runner/runner.h"

#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/history.h"
#include "agent/opts.h"
#include "agent/turn_env.h"
#include "runner/resp_work.h"
#include "runner/run_sink.h"
#include "store/store.h"
#include "tools/narrow.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/privs.h"


static volatile sig_atomic_t stop_flag;

static void on_term(int sig)
{
	(void)sig;
	stop_flag = AGENT_STOP;
}

/* The turn's messages as a client may see them: role, content, tool calls
 * and their ids, nothing internal. New reference. */
static struct json_object *client_messages(struct json_object *msgs)
{
	static const char *const keep[] = { "role", "content", "tool_calls", "tool_call_id", "name" };
	struct json_object *out = json_object_new_array();
	size_t n = msgs ? json_object_array_length(msgs) : 0;

	for(size_t i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(msgs, i), *c = json_object_new_object(), *v;

		for(size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++)
			if(json_object_object_get_ex(m, keep[k], &v))
				jsonx_add_owned(c, keep[k], json_object_get(v));
		json_object_array_add(out, c);
	}
	return out;
}

/* The request's input into in and sent: a string is the user message; a
 * message list gives its last message as the user's and the rest as
 * history after the request's own history. */
static void read_input(struct json_object *req, struct agent_input *in, struct json_object *sent)
{
	struct json_object *input = NULL, *hist = NULL, *last, *content;
	size_t n;

	json_object_object_get_ex(req, "history", &hist);
	jsonx_array_extend(sent, hist);
	json_object_object_get_ex(req, "input", &input);
	if(json_object_is_type(input, json_type_string)) {
		in->user = json_object_get_string(input);
		return;
	}
	if(!json_object_is_type(input, json_type_array) || !(n = json_object_array_length(input)))
		return;
	for(size_t i = 0; i + 1 < n; i++)
		json_object_array_add(sent, json_object_get(json_object_array_get_idx(input, i)));
	last = json_object_array_get_idx(input, n - 1);
	if(json_object_object_get_ex(last, "content", &content)) {
		if(json_object_is_type(content, json_type_string))
			in->user = json_object_get_string(content);
		else
			in->user_content = content;
	}
}

static struct json_object *usage_of(const struct agent_result *res)
{
	struct json_object *u = json_object_new_object();

	jsonx_add_int(u, "input_tokens", res->input_tokens);
	jsonx_add_int(u, "output_tokens", res->output_tokens);
	jsonx_add_int(u, "total_tokens", res->total_tokens);
	return u;
}

/* End the run after the turn. */
static enum herr finish(struct store *s, const char *id, const struct agent_result *res,
			bool stopped, struct herror *err)
{
	struct store_run_fields f = { .worker_pid = -1 };
	struct json_object *fields = json_object_new_object(), *usage = usage_of(res);
	struct herror perr;
	char *pending = NULL;
	enum herr rc;

	/* Steer text that never reached the agent (it ended first). */
	herr_clear(&perr);
	if(!store_run_steer_pending(s, id, &pending, &perr) && pending)
		jsonx_add_str(fields, "pending_steer", pending);
	free(pending);

	if(stopped || res->status == AGENT_INTERRUPTED) {
		f.output = buf_str(&res->final_text);
		f.usage = jsonx_text(usage, NULL);
		rc = runner_run_end(s, id, RUNNER_LIVE_STARTED, STORE_RUN_CANCELLED, &f, "run.cancelled",
				    fields, err);
	} else if(res->status == AGENT_COMPLETED || res->status == AGENT_PARTIAL) {
		f.output = buf_str(&res->final_text);
		f.usage = jsonx_text(usage, NULL);
		if(res->status == AGENT_PARTIAL)
			f.error = res->error.msg;
		jsonx_add_str(fields, "output", f.output);
		jsonx_add_owned(fields, "usage", json_object_get(usage));
		jsonx_add_owned(fields, "messages", client_messages(res->messages));
		rc = runner_run_end(s, id, RUNNER_LIVE_STARTED, STORE_RUN_COMPLETED, &f, "run.completed",
				    fields, err);
	} else {
		f.error = res->error.rc ? res->error.msg : "the agent turn failed";
		f.usage = jsonx_text(usage, NULL);
		jsonx_add_str(fields, "error", f.error);
		rc = runner_run_end(s, id, RUNNER_LIVE_STARTED, STORE_RUN_FAILED, &f, "run.failed", fields, err);
	}
	json_object_put(usage);
	return rc;
}

static enum herr fail(struct store *s, const char *id, const char *msg, struct herror *err)
{
	struct store_run_fields f = { .error = msg, .worker_pid = -1 };
	struct json_object *fields = json_object_new_object();

	jsonx_add_str(fields, "error", msg);
	return runner_run_end(s, id, RUNNER_LIVE_STARTED, STORE_RUN_FAILED, &f, "run.failed", fields, err);
}

/* The run's request, parsed (new reference; NULL when it is missing or not
 * a JSON object). The text is taken from the row (store.h) and freed once
 * parsed: near the body cap it is as large as the tree, and only the tree
 * is used from here on. */
static struct json_object *take_request(struct store *s, const char *id)
{
	struct json_object *req = NULL;
	struct herror herr;
	char *text = NULL;

	herr_clear(&herr);
	if(store_run_take_request(s, id, &text, &herr))
		LOG_WARN("run %s: request not read: %s", id, herr.msg);
	else if(text && (jsonx_parse(text, strlen(text), JSONX_STORED_DEPTH, &req, &herr) ||
			 !json_object_is_type(req, json_type_object))) {
		json_object_put(req);
		req = NULL;
	}
	free(text);
	return req;
}

/* Run the turn of a claimed run; env and run are loaded.
 *
 * What a run near the body cap holds: the request tree (req), whose
 * messages the history (sent, history), the turn's context and the
 * upstream request body share by reference; one serialisation of that
 * body while the upstream is called (agent/llm.c); nothing else of that
 * size. */
static enum herr work(struct agent_env *env, const struct store_run *run, struct herror *err)
{
	struct json_object *req = NULL, *sent = json_object_new_array(), *history = NULL, *resp = NULL;
	struct json_object *ct = NULL;
	struct resp_work rw;
	const struct agent_sink *use;
	struct agent_input in = { 0 };
	struct agent_opts o;
	struct agent_result res;
	struct run_sink sink;
	struct tool_narrow narrow;
	struct herror herr;
	char sid[AGENT_SESSION_ID_MAX] = "";
	const char *v;
	bool named;
	enum herr rc;

	herr_clear(&herr);
	if(!(req = take_request(env->store, run->id))) {
		json_object_put(sent);
		return fail(env->store, run->id, "the run's request is missing or not a JSON object",
			    err);
	}
	read_input(req, &in, sent);
	v = jsonx_get_str(req, "session_id");
	named = v && *v;
	if(named)
		snprintf(sid, sizeof(sid), "%s", v);
	/* A background response's history was resolved when it was queued:
	 * used as sent. */
	json_object_object_get_ex(req, "response", &resp);
	if(agent_history_continue(env->store, named && !resp, sid, sizeof(sid), sent, &history,
				  &herr))
		LOG_WARN("run %s: session history: %s", run->id, herr.msg);
	in.session_id = named ? sid : NULL;
	in.system = jsonx_get_str(req, "instructions");
	in.history = history;
	agent_env_opts(&env->cfg, &env->tools, env->store, &stop_flag, "run",
		       jsonx_get_str(req, "session_key"), &o);
	/* the entry the responder routed the run to, by its public name */
	if(env->cfg.models.n)
		agent_opts_model(&o, cfg_models_named(&env->cfg.models, jsonx_get_str(req, "model")),
				 env->cfg.models.listed);
	/* a background response's client functions (runs have none) */
	if(json_object_object_get_ex(req, "client_tools", &ct) && json_object_is_type(ct, json_type_array)) {
		o.client_tools = ct;
		if(json_object_object_get_ex(req, "tool_choice", &ct))
			o.tool_choice = ct;
	}
	if(json_object_object_get_ex(req, "tool_results", &ct) && json_object_is_type(ct, json_type_array) &&
	   !in.user && !in.user_content)
		in.tool_results = ct;
	tool_narrow_init(&narrow);
	if((v = jsonx_get_str(req, "toolsets"))) {
		/* the request's narrowing, within this process's configuration */
		if(tool_narrow_apply(&narrow, env->tools.toolsets, v, "toolsets", &herr))
			tool_narrow_none(&narrow); /* never widen on a bad list */
		o.toolsets = tool_narrow_list(&narrow, NULL);
	}
	runner_sink_init(&sink, env->store, run->id, &stop_flag);
	sink.approval_timeout = (double)env->cfg.approvals_timeout;
	o.steer = runner_sink_steer;
	o.steer_ctx = &sink;
	use = &sink.sink;
	memset(&rw, 0, sizeof(rw));
	if(resp && runner_resp_begin(&rw, env->store, run->id, resp, &sink, &o, &herr)) {
		LOG_ERR("run %s: background response: %s", run->id, herr.msg);
		runner_resp_release(&rw);
		runner_sink_release(&sink);
		json_object_put(history);
		json_object_put(sent);
		json_object_put(req);
		return fail(env->store, run->id, "the background response could not be started", err);
	}
	if(resp)
		use = &rw.sink;
	agent_result_init(&res);
	agent_run(&o, &in, use, &res);
	runner_sink_flush(&sink);
	if(resp)
		runner_resp_end(&rw, &res, stop_flag != 0);
	runner_resp_release(&rw);
	if(sink.write_err.rc)
		LOG_WARN("run %s: an event could not be written: %s", run->id, sink.write_err.msg);
	rc = finish(env->store, run->id, &res, stop_flag != 0, err);
	agent_result_release(&res);
	runner_sink_release(&sink);
	json_object_put(history);
	json_object_put(sent);
	json_object_put(req);
	return rc;
}

int runner_work(const char *run_id)
{
	struct agent_env env;
	struct store_run run;
	struct sigaction sa;
	struct herror err;
	enum herr rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	herr_clear(&err);
	if(agent_env_load(&env, &err) || !env.store) {
		LOG_ERR("run %s: %s", run_id, err.rc ? err.msg : env.store_err.msg);
		agent_env_release(&env);
		return 1;
	}
	privs_scrub_secrets(&env.cfg.models); /* the configuration holds the keys now */
	rc = store_run_get(env.store, run_id, &run, &err);
	if(!rc && run.status == STORE_RUN_STOPPING) {
		rc = runner_run_end(env.store, run_id, STORE_RUN_BIT(STORE_RUN_STOPPING), STORE_RUN_CANCELLED,
			     NULL, "run.cancelled", NULL, &err);
	} else if(!rc && run.status == STORE_RUN_RUNNING) {
		rc = work(&env, &run, &err);
	}
	if(rc && rc != HERR_CONFLICT)
		LOG_ERR("run %s: %s", run_id, err.msg);
	store_run_release(&run);
	agent_env_release(&env);
	return rc && rc != HERR_CONFLICT ? 1 : 0;
}
