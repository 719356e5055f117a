/* src/agent/agent.c: the tool-calling loop.
 *
 * A turn: build the context (system prompt with memory, history, the new
 * user message), then call the upstream; while it answers with tool calls,
 * run them and call again, up to max_turns calls. A call of one of the
 * client's functions (agent_opts.client_tools) ends the turn once the
 * server calls of the same message ran: the client runs it and resumes the
 * turn with its result (agent_input.tool_results). Every message of the turn
 * is persisted as it happens, so a crash loses at most the message being
 * produced. Events go to the sink; nothing here knows about HTTP.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "agent/agent.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/compress.h"
#include "agent/content.h"
#include "agent/history.h"
#include "agent/persist.h"
#include "store/store.h"
#include "tools/registry.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/rand.h"

#define MEMORY_SNAPSHOT_MAX 4000
#define PREVIEW_MAX 80
#define TITLE_MAX 60

static const char identity[] =
	"You are Hermes, a helpful assistant with tools. Use the tools you are given when they "
	"help; say plainly when you cannot do something. Answer concisely.";

void agent_emit(const struct agent_sink *sink, const struct agent_event *ev)
{
	if(sink && sink->emit)
		sink->emit(sink->ctx, ev);
}

void agent_result_init(struct agent_result *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->final_text, 8u * 1024 * 1024);
	herr_clear(&r->error);
	herr_clear(&r->persist_error);
	r->messages = json_object_new_array();
}

void agent_result_release(struct agent_result *r)
{
	buf_release(&r->final_text);
	json_object_put(r->messages);
	r->messages = NULL;
	json_object_put(r->client_calls);
	r->client_calls = NULL;
}

const char *agent_status_name(enum agent_status s)
{
	switch(s) {
	case AGENT_COMPLETED: return "completed";
	case AGENT_PARTIAL: return "partial";
	case AGENT_FAILED: return "failed";
	case AGENT_INTERRUPTED: return "interrupted";
	}
	return "failed";
}

void agent_new_session_id(char *out, size_t cap)
{
	char hex[7];
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d_%H%M%S", &tm);
	if(rand_hex(hex, sizeof(hex), 3))
		memcpy(hex, "000000", 7);
	snprintf(out, cap, "%s_%s", stamp, hex);
}

static const char *const *toolsets_of(const struct agent_opts *o)
{
	if(o->toolsets)
		return o->toolsets;
	return o->tools ? o->tools->toolsets : NULL;
}

/* Is name one of the client's functions? */
static bool is_client_tool(const struct agent_opts *o, const char *name)
{
	for(size_t i = 0; o->client_tools && i < json_object_array_length(o->client_tools); i++) {
		struct json_object *fn = NULL;

		json_object_object_get_ex(json_object_array_get_idx(o->client_tools, i), "function",
					  &fn);
		if(name && !strcmp(name, jsonx_get_str(fn, "name") ? jsonx_get_str(fn, "name") : ""))
			return true;
	}
	return false;
}

/* The tools offered to the model: the enabled server tools, then the
 * client's functions (new array). */
static struct json_object *offered_tools(const struct agent_opts *o)
{
	struct json_object *tools = tool_schemas(toolsets_of(o));

	jsonx_array_extend(tools, o->client_tools);
	return tools;
}

/* The system prompt: identity, memory snapshot, the caller's own. */
static char *system_prompt(const struct agent_opts *o, const char *caller)
{
	struct buf b;
	struct json_object *mem = NULL;
	struct herror err;

	buf_init(&b, 1u << 20);
	herr_clear(&err);
	if(buf_adds(&b, identity))
		goto done;
	if(o->store && tool_toolset_enabled(toolsets_of(o), "memory") &&
	   !store_memory_list(o->store, o->session_key && *o->session_key ? o->session_key : "default",
			      &mem, &err) && json_object_array_length(mem)) {
		size_t used = 0;

		if(buf_adds(&b, "\n\nWhat you remember about this user (memory):\n"))
			goto done;
		for(size_t i = 0; i < json_object_array_length(mem); i++) {
			const char *e = json_object_get_string(json_object_array_get_idx(mem, i));

			used += strlen(e) + 3;
			if(used > MEMORY_SNAPSHOT_MAX || buf_addf(&b, "- %s\n", e))
				break;
		}
	}
	if(caller && *caller && buf_addf(&b, "\n\n%s", caller))
		goto done;
done:
	json_object_put(mem);
	return buf_take(&b);
}

static struct json_object *message(const char *role, const char *content)
{
	struct json_object *m = json_object_new_object();

	jsonx_add_str(m, "role", role);
	jsonx_add_str(m, "content", content);
	return m;
}

/* Make sure the session row exists; load its history when the caller
 * gave none (agent/history.c; a rotated session continues in its child). */
static void open_session(const struct agent_opts *o, const struct agent_input *in,
			 struct agent_result *res, struct json_object *ctx)
{
	struct json_object *row = NULL;
	struct store_session ss = { 0 };
	struct herror err;
	char title[TITLE_MAX + 1];

	herr_clear(&err);
	if(in->history) {
		for(size_t i = 0; i < json_object_array_length(in->history); i++)
			json_object_array_add(ctx, json_object_get(json_object_array_get_idx(in->history, i)));
	}
	if(!o->store)
		return;
	if(!in->history)
		agent_history_tip(o->store, res->session_id, res->session_id, sizeof(res->session_id));
	if(!store_session_get(o->store, res->session_id, &row, &err)) {
		if(!in->history && agent_history_load(o->store, res->session_id, ctx, &err))
			LOG_WARN("session %s: history not loaded: %s", res->session_id, err.msg);
		json_object_put(row);
		return;
	}
	snprintf(title, sizeof(title), "%s", in->user ? in->user : "");
	for(char *p = title; *p; p++)
		if(*p == '\n' || *p == '\r')
			*p = ' ';
	ss.id = res->session_id;
	ss.source = o->source ? o->source : "api_server";
	ss.title = title[0] ? title : NULL;
	ss.model = o->model_name ? o->model_name : o->llm.model;
	ss.system_prompt = in->system;
	ss.session_key = o->session_key;
	herr_clear(&err);
	if(store_session_create(o->store, &ss, &err))
		agent_persist_failed(res, "session", &err);
}

struct delta_ctx {
	const struct agent_sink *sink;
};

static void on_text(void *ctx, const char *s, size_t n)
{
	struct delta_ctx *d = ctx;
	struct agent_event ev = { .type = AGENT_EV_TEXT, .text = s, .len = n };

	agent_emit(d->sink, &ev);
}

static void on_reasoning(void *ctx, const char *s, size_t n)
{
	struct delta_ctx *d = ctx;
	struct agent_event ev = { .type = AGENT_EV_REASONING, .text = s, .len = n };

	agent_emit(d->sink, &ev);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool agent_tick(struct agent_turn *t)
{
	if(t->sink && t->sink->tick)
		t->sink->tick(t->sink->ctx);
	if(t->deadline > 0 && !t->expired && now_s() >= t->deadline) {
		t->expired = true;
		if(!*t->stop)
			*t->stop = AGENT_STOP;
		LOG_INFO("turn stopped after agent.max_turn_seconds (%ld s)", t->o->max_turn_seconds);
	}
	return *t->stop != 0;
}

static void tick_cb(void *vt)
{
	(void)agent_tick(vt);
}

/* tool_ctx.approve: ask the sink, with the request and answer as events. */
static bool approve_cb(void *vt, const char *tool, const char *text, const char *rule_id,
		       const char *rule_description)
{
	struct agent_turn *t = vt;
	struct agent_event ev = { .type = AGENT_EV_APPROVAL_REQUEST, .call_id = t->call_id,
				  .tool = tool, .text = text, .len = strlen(text),
				  .rule = rule_id, .preview = rule_description };

	agent_emit(t->sink, &ev);
	ev.approved = !*t->stop && t->sink->approve(t->sink->ctx, &ev);
	ev.type = AGENT_EV_APPROVAL_ANSWER;
	agent_emit(t->sink, &ev);
	return ev.approved;
}

/* Run the reply's tool calls, appending tool messages to ctx and res. */
static void run_tools(struct agent_turn *t, const struct llm_reply *reply,
		      struct agent_result *res, struct json_object *ctx, struct buf *passthrough)
{
	const struct agent_opts *o = t->o;
	const struct agent_sink *sink = t->sink;
	struct tool_ctx tc = {
		.store = o->store,
		.session_id = res->session_id,
		.session_key = o->session_key,
		.interrupt = t->stop,
		.toolsets = toolsets_of(o),
		.cfg = o->tools,
		.passthrough = passthrough,
		.tick = tick_cb,
		.approve = sink && sink->approve ? approve_cb : NULL,
		.tick_ctx = t,
	};
	struct buf out;

	buf_init(&out, TOOL_RESULT_MAX);
	for(size_t i = 0; i < reply->ncalls; i++) {
		const struct llm_tool_call *c = &reply->calls[i];
		const char *args = buf_len(&c->args) ? buf_str(&c->args) : "{}";
		char preview[PREVIEW_MAX + 4];
		struct agent_event ev = { .type = AGENT_EV_TOOL_STARTED, .call_id = c->id,
					  .tool = c->name, .arguments = args };
		struct json_object *m;
		double t0;
		bool is_error = true;

		if(is_client_tool(o, c->name))
			continue; /* the client runs it (client_calls) */

		snprintf(preview, sizeof(preview), "%.*s%s", PREVIEW_MAX, args,
			 strlen(args) > PREVIEW_MAX ? "..." : "");
		for(char *p = preview; *p; p++)
			if(*p == '\n' || *p == '\r')
				*p = ' ';
		ev.preview = preview;
		agent_emit(sink, &ev);
		t0 = now_s();
		buf_reset(&out);
		t->call_id = c->id;
		if(*t->stop) {
			if(buf_adds(&out, "Error: interrupted before the tool ran."))
				buf_reset(&out);
		} else {
			tool_run(&tc, c->name, args, &out, &is_error);
		}
		t->call_id = NULL;
		ev.type = AGENT_EV_TOOL_FINISHED;
		ev.duration_s = now_s() - t0;
		ev.is_error = is_error;
		ev.text = buf_str(&out);
		ev.len = buf_len(&out);
		agent_emit(sink, &ev);
		m = message("tool", buf_str(&out));
		jsonx_add_str(m, "tool_call_id", c->id);
		jsonx_add_str(m, "name", c->name);
		agent_persist(o, res, res->session_id, m);
		json_object_array_add(ctx, json_object_get(m));
		json_object_array_add(res->messages, m);
	}
	buf_release(&out);
}

/* The turn was interrupted: by the client leaving, or by the process
 * being stopped (the client, still there, must learn that). */
static void set_interrupted(const struct agent_turn *t, struct agent_result *res)
{
	res->status = AGENT_INTERRUPTED;
	if(*t->stop == AGENT_STOP_SHUTDOWN)
		herr_set(&res->error, HERR_UNAVAILABLE, "server_shutdown", NULL,
			 "The server is stopping (a graceful restart or reload); the turn was "
			 "interrupted and what it produced so far is saved. Send the request again.");
	else
		herr_set(&res->error, HERR_IO, "interrupted", NULL, "The turn was interrupted.");
}

/* The turn ended: a time limit that stopped it makes it partial, with a
 * message that says which setting; FAILURE and FINAL go to the sink. */
static void finish(struct agent_turn *t, struct agent_result *res)
{
	const struct agent_opts *o = t->o;
	struct agent_event ev = { .type = AGENT_EV_FINAL, .result = res,
				  .session_id = res->session_id };
	struct herror err;

	if(t->expired && res->status != AGENT_COMPLETED) {
		res->status = AGENT_PARTIAL;
		herr_set(&res->error, HERR_UPSTREAM, "max_turn_seconds", NULL,
			 "The turn was stopped after %ld s (agent.max_turn_seconds); what it had "
			 "produced is kept. Long work belongs on a streaming request or a run.",
			 o->max_turn_seconds);
	}
	if(res->status == AGENT_FAILED) {
		struct agent_event f = { .type = AGENT_EV_FAILURE, .text = res->error.msg,
					 .len = strlen(res->error.msg), .result = res };
		agent_emit(t->sink, &f);
	}
	herr_clear(&err);
	if(o->store && (res->input_tokens || res->output_tokens) &&
	   store_session_add_usage(o->store, res->session_id, res->input_tokens, res->output_tokens,
				   &err))
		agent_persist_failed(res, "token usage", &err);
	agent_emit(t->sink, &ev);
}

/* The context a turn starts with: system prompt, history, the new user
 * message (persisted). */
static struct json_object *start_context(const struct agent_opts *o, const struct agent_input *in,
					 struct agent_result *res)
{
	struct json_object *ctx = json_object_new_array(), *um;
	char *sys;

	if(in->session_id && *in->session_id)
		snprintf(res->session_id, sizeof(res->session_id), "%s", in->session_id);
	else
		agent_new_session_id(res->session_id, sizeof(res->session_id));
	sys = system_prompt(o, in->system);
	json_object_array_add(ctx, message("system", sys));
	free(sys);
	open_session(o, in, res, ctx);
	if(in->tool_results && !in->user) {
		/* A resumed turn: the client's results of its calls. */
		for(size_t i = 0; i < json_object_array_length(in->tool_results); i++) {
			struct json_object *m = json_object_array_get_idx(in->tool_results, i);

			agent_persist(o, res, res->session_id, m);
			json_object_array_add(ctx, json_object_get(m));
		}
		return ctx;
	}
	um = message("user", in->user ? in->user : "");
	if(in->user_content)
		json_object_object_add(um, "content", json_object_get(in->user_content));
	agent_persist(o, res, res->session_id, um);
	json_object_array_add(ctx, um);
	return ctx;
}

/* The final answer of the turn into res (what fits, if it is huge). */
static void set_final_text(struct agent_result *res, const struct buf *content)
{
	buf_reset(&res->final_text);
	if(buf_add_trunc(&res->final_text, buf_str(content), buf_len(content)))
		LOG_WARN("final answer of %zu bytes cut to %zu", buf_len(content),
			 buf_len(&res->final_text));
}

/* The reply's calls of client functions into res->client_calls; true
 * when there was one. */
static bool client_calls(const struct agent_opts *o, const struct llm_reply *reply,
			 struct agent_result *res)
{
	for(size_t i = 0; i < reply->ncalls; i++) {
		const struct llm_tool_call *c = &reply->calls[i];
		struct json_object *call;

		if(!is_client_tool(o, c->name))
			continue;
		if(!res->client_calls)
			res->client_calls = json_object_new_array();
		call = json_object_new_object();
		jsonx_add_str(call, "id", c->id);
		jsonx_add_str(call, "name", c->name);
		jsonx_add_str(call, "arguments", buf_len(&c->args) ? buf_str(&c->args) : "{}");
		json_object_array_add(res->client_calls, call);
	}
	return res->client_calls != NULL;
}

/* One model call of the turn. Returns true when the loop goes on (tool
 * calls were run), false when the turn ended (res->status says how). */
static bool model_call(struct agent_turn *t, struct json_object *ctx, struct json_object *tools,
		       const struct llm_deltas *deltas, struct agent_result *res,
		       struct buf *passthrough, int index)
{
	const struct agent_opts *o = t->o;
	struct delta_ctx *dc = deltas->ctx;
	struct agent_event ev = { .type = AGENT_EV_MESSAGE_START, .index = index };
	struct llm_reply reply;
	struct llm_call_info info;
	struct json_object *am;
	bool more = false;

	agent_emit(t->sink, &ev);
	llm_reply_init(&reply);
	res->api_calls++;
	if(llm_call(&t->llm, ctx, tools, deltas, &reply, &info, &res->error)) {
		res->fail = info.fail;
		res->status = AGENT_FAILED;
		if(info.fail == LLM_FAIL_INTERRUPTED)
			set_interrupted(t, res);
		if(buf_len(&reply.content)) {
			/* Keep what the client already saw with the session. */
			am = message("assistant", buf_str(&reply.content));
			agent_persist(o, res, res->session_id, am);
			json_object_array_add(res->messages, am);
			set_final_text(res, &reply.content);
		}
		ev.is_error = true;
		goto out;
	}
	if(!reply.forwarded) {
		/* A provider that does not stream: pass the text on whole. */
		if(buf_len(&reply.reasoning))
			on_reasoning(dc, buf_str(&reply.reasoning), buf_len(&reply.reasoning));
		if(buf_len(&reply.content))
			on_text(dc, buf_str(&reply.content), buf_len(&reply.content));
	}
	res->input_tokens += reply.prompt_tokens;
	res->output_tokens += reply.completion_tokens;
	res->total_tokens += reply.total_tokens;
	am = llm_reply_message(&reply);
	agent_persist(o, res, res->session_id, am);
	json_object_array_add(ctx, json_object_get(am));
	json_object_array_add(res->messages, am);
	if(!reply.ncalls) {
		set_final_text(res, &reply.content);
		res->status = strcmp(reply.finish_reason, "length") == 0 ? AGENT_PARTIAL
									: AGENT_COMPLETED;
		if(res->status == AGENT_PARTIAL)
			herr_set(&res->error, HERR_UPSTREAM, "length", NULL,
				 "Response truncated due to output length limit.");
		goto out;
	}
	more = true;
out:
	ev.type = AGENT_EV_MESSAGE_END;
	ev.text = buf_str(&reply.content);
	ev.len = buf_len(&reply.content);
	agent_emit(t->sink, &ev);
	if(more)
		run_tools(t, &reply, res, ctx, passthrough);
	if(more && client_calls(o, &reply, res)) {
		/* The client runs the rest: the turn ends here. */
		set_final_text(res, &reply.content);
		res->status = AGENT_COMPLETED;
		more = false;
	}
	llm_reply_release(&reply);
	return more;
}

/* Text the caller steers with joins as a user message (saved with the
 * session) before the next model call. */
static void steer(const struct agent_opts *o, struct agent_result *res, struct json_object *ctx)
{
	char *text = o->steer ? o->steer(o->steer_ctx) : NULL;
	struct json_object *m;

	if(!text)
		return;
	m = message("user", text);
	free(text);
	agent_persist(o, res, res->session_id, m);
	json_object_array_add(ctx, m);
}

static void turn_init(struct agent_turn *t, const struct agent_opts *o,
		      const struct agent_sink *sink)
{
	memset(t, 0, sizeof(*t));
	t->o = o;
	t->sink = sink;
	t->stop = o->interrupt ? o->interrupt : &t->own_stop;
	if(o->max_turn_seconds > 0)
		t->deadline = now_s() + (double)o->max_turn_seconds;
	t->llm = o->llm;
	t->llm.interrupt = t->stop;
	t->llm.tick = tick_cb;
	t->llm.tick_ctx = t;
	t->llm.tool_choice = o->tool_choice;
}

enum herr agent_run(const struct agent_opts *o, const struct agent_input *in,
		    const struct agent_sink *sink, struct agent_result *res)
{
	struct json_object *tools = offered_tools(o), *ctx;
	struct buf passthrough;
	struct delta_ctx dc = { sink };
	struct llm_deltas deltas = { on_text, on_reasoning, &dc };
	int max_turns = o->max_turns > 0 ? o->max_turns : AGENT_MAX_TURNS_DEFAULT;
	struct agent_turn t;

	turn_init(&t, o, sink);
	buf_init(&passthrough, 4096);
	ctx = start_context(o, in, res);
	res->status = AGENT_PARTIAL;
	for(int turn = 0;; turn++) {
		if(agent_tick(&t)) {
			set_interrupted(&t, res);
			break;
		}
		if(turn >= max_turns) {
			res->status = AGENT_PARTIAL;
			herr_set(&res->error, HERR_INTERNAL, "max_turns_reached", NULL,
				 "Stopped after %d model calls (agent.max_turns) without a final "
				 "answer.", max_turns);
			break;
		}
		steer(o, res, ctx);
		if(o->compression)
			agent_compress(o, &t.llm, &ctx, res, sink);
		if(!model_call(&t, ctx, tools, &deltas, res, &passthrough, turn))
			break;
	}
	finish(&t, res);
	buf_release(&passthrough);
	json_object_put(tools);
	json_object_put(ctx);
	return res->status == AGENT_COMPLETED ? HERR_OK : res->error.rc;
}
