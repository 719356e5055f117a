/* src/runner/run_sink.c: the runs event log, written as the agent works.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "runner/run_sink.h"

#include <json-c/json.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "agent/agent.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/rand.h"

double runner_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

enum herr runner_event_put(struct store *s, const char *run_id, const char *name,
			struct json_object *fields, struct herror *err)
{
	struct json_object *ev = json_object_new_object();
	const char *text;
	enum herr rc;

	jsonx_add_str(ev, "event", name);
	jsonx_add_str(ev, "run_id", run_id);
	jsonx_add_owned(ev, "timestamp", json_object_new_double(wall_now()));
	if(fields) {
		json_object_object_foreach(fields, k, v) jsonx_add_owned(ev, k, json_object_get(v));
		json_object_put(fields);
	}
	text = jsonx_text(ev, NULL);
	rc = store_events_append(s, run_id, &text, 1, name, NULL, err);
	json_object_put(ev);
	return rc;
}

enum herr runner_run_end(struct store *s, const char *run_id, unsigned from_mask,
		  enum store_run_status to, const struct store_run_fields *f, const char *name,
		  struct json_object *fields, struct herror *err)
{
	enum store_run_status prev;
	enum herr rc;

	rc = store_run_transition(s, run_id, from_mask, to, f, &prev, err);
	if(rc == HERR_CONFLICT && to == STORE_RUN_CANCELLED &&
	   (prev == STORE_RUN_RUNNING || prev == STORE_RUN_WAITING_FOR_APPROVAL) &&
	   (from_mask & STORE_RUN_BIT(prev))) {
		herr_clear(err);
		rc = store_run_transition(s, run_id, STORE_RUN_BIT(prev), STORE_RUN_STOPPING, NULL,
					  NULL, err);
		if(!rc)
			rc = store_run_transition(s, run_id, STORE_RUN_BIT(STORE_RUN_STOPPING), to, f,
						  NULL, err);
	}
	if(rc) {
		json_object_put(fields);
		return rc;
	}
	return runner_event_put(s, run_id, name, fields, err);
}

/* Write an event of the worker; the first failure is kept, later ones
 * are dropped (the run row still ends right). */
static void put(struct run_sink *r, const char *name, struct json_object *fields)
{
	struct herror err;

	herr_clear(&err);
	if(runner_event_put(r->store, r->run_id, name, fields, &err) && !r->write_err.rc)
		r->write_err = err;
}

void runner_sink_flush(struct run_sink *r)
{
	struct json_object *f;

	r->last_flush = runner_now();
	if(!buf_len(&r->delta))
		return;
	f = json_object_new_object();
	jsonx_add_owned(f, "delta", json_object_new_string_len(buf_str(&r->delta),
								  (int)buf_len(&r->delta)));
	buf_reset(&r->delta);
	put(r, "message.delta", f);
}

static void sink_emit(void *ctx, const struct agent_event *ev)
{
	struct run_sink *r = ctx;
	struct json_object *f;

	switch(ev->type) {
	case AGENT_EV_TEXT:
		if(buf_add_trunc(&r->delta, ev->text, ev->len) || buf_len(&r->delta) > 65536 ||
		   runner_now() - r->last_flush >= RUN_DELTA_SECONDS)
			runner_sink_flush(r);
		break;
	case AGENT_EV_REASONING:
		(void)buf_add_trunc(&r->reasoning, ev->text, ev->len);
		break;
	case AGENT_EV_MESSAGE_END:
		runner_sink_flush(r);
		if(buf_len(&r->reasoning)) {
			f = json_object_new_object();
			jsonx_add_str(f, "text", buf_str(&r->reasoning));
			buf_reset(&r->reasoning);
			put(r, "reasoning.available", f);
		}
		break;
	case AGENT_EV_TOOL_STARTED:
		runner_sink_flush(r);
		f = json_object_new_object();
		jsonx_add_str(f, "tool", ev->tool);
		jsonx_add_str(f, "preview", ev->preview);
		jsonx_add_str(f, "call_id", ev->call_id);
		put(r, "tool.started", f);
		break;
	case AGENT_EV_TOOL_FINISHED:
		f = json_object_new_object();
		jsonx_add_str(f, "tool", ev->tool);
		jsonx_add_str(f, "call_id", ev->call_id);
		jsonx_add_owned(f, "duration", json_object_new_double(ev->duration_s));
		jsonx_add_bool(f, "error", ev->is_error);
		put(r, "tool.completed", f);
		break;
	default:
		break;
	}
}

/* Every ~100 ms from the agent's blocking sites: write batched text, and
 * notice a stop that came through the store rather than a signal (the
 * stop raced the worker's start, before its pid was in the row). */
static void sink_tick(void *ctx)
{
	struct run_sink *r = ctx;
	struct store_run run;
	struct herror err;
	double now = runner_now();

	if(buf_len(&r->delta) && now - r->last_flush >= RUN_DELTA_SECONDS)
		runner_sink_flush(r);
	if(now - r->last_poll < RUN_STATUS_POLL_SECONDS)
		return;
	r->last_poll = now;
	herr_clear(&err);
	if(!store_run_get(r->store, r->run_id, &run, &err)) {
		if(run.status == STORE_RUN_STOPPING && r->stop && !*r->stop)
			*r->stop = AGENT_STOP;
		store_run_release(&run);
	}
}

char *runner_sink_steer(void *ctx)
{
	struct run_sink *r = ctx;
	struct json_object *f;
	struct herror err;
	char *text = NULL;

	herr_clear(&err);
	if(store_run_steer_take(r->store, r->run_id, &text, &err)) {
		LOG_WARN("run %s: cannot take steer text: %s", r->run_id, err.msg);
		return NULL;
	}
	if(!text)
		return NULL;
	runner_sink_flush(r);
	f = json_object_new_object();
	jsonx_add_str(f, "text", text);
	put(r, "run.steered", f);
	return text;
}

static enum store_run_status status_now(struct run_sink *r)
{
	struct store_run run;
	struct herror err;
	enum store_run_status st = STORE_RUN_RUNNING;

	herr_clear(&err);
	if(!store_run_get(r->store, r->run_id, &run, &err)) {
		st = run.status;
		store_run_release(&run);
	}
	return st;
}

/* Wait for the answer to approval id: its choice (owned), or NULL when
 * the run is being stopped. Past the timeout the request is denied here. */
static char *await_answer(struct run_sink *r, const char *id)
{
	double until = runner_now() + r->approval_timeout;
	struct store_approval a;
	struct json_object *f;
	struct herror err;
	char *choice = NULL;

	for(;;) {
		herr_clear(&err);
		if(!store_run_approval_get(r->store, r->run_id, id, &a, &err)) {
			choice = a.choice;
			a.choice = NULL;
			store_approval_release(&a);
			if(choice)
				return choice;
		}
		if((r->stop && *r->stop) || status_now(r) == STORE_RUN_STOPPING) {
			if(r->stop && !*r->stop)
				*r->stop = AGENT_STOP;
			return NULL;
		}
		if(runner_now() >= until)
			break;
		poll(NULL, 0, RUN_APPROVAL_POLL_MS);
	}
	herr_clear(&err);
	if(store_run_approval_answer(r->store, r->run_id, id, "deny", 0, NULL, NULL, &err)) {
		/* answered in the meantime: take that answer */
		if(!store_run_approval_get(r->store, r->run_id, id, &a, &err) && a.choice) {
			choice = a.choice;
			a.choice = NULL;
		}
		store_approval_release(&a);
		if(choice)
			return choice;
	}
	f = json_object_new_object();
	jsonx_add_str(f, "approval_id", id);
	jsonx_add_str(f, "choice", "deny");
	jsonx_add_str(f, "reason", "timeout");
	put(r, "approval.responded", f);
	return strdup("deny");
}

/* The sink's approve: an approval request the run waits on (spec §2.5).
 * once approves this command; session and always approve the rule for
 * the rest of the run; deny, a timeout or a stop refuse. */
static bool sink_approve(void *ctx, const struct agent_event *req)
{
	static const char *const choices[] = { "once", "session", "always", "deny" };
	struct run_sink *r = ctx;
	struct json_object *f, *list;
	struct herror err;
	char id[32] = "apr_";
	char *choice;
	bool approved;

	if(req->rule && r->granted && json_object_object_get_ex(r->granted, req->rule, NULL))
		return true;
	runner_sink_flush(r);
	herr_clear(&err);
	if(rand_hex(id + 4, sizeof(id) - 4, 12) ||
	   store_run_approval_open(r->store, r->run_id, id, req->text, req->preview, &err) ||
	   store_run_transition(r->store, r->run_id, STORE_RUN_BIT(STORE_RUN_RUNNING),
				STORE_RUN_WAITING_FOR_APPROVAL, NULL, NULL, &err)) {
		LOG_WARN("run %s: cannot ask for approval (%s): denied", r->run_id, err.msg);
		return false;
	}
	f = json_object_new_object();
	list = json_object_new_array();
	jsonx_add_str(f, "approval_id", id);
	jsonx_add_str(f, "command", req->text);
	jsonx_add_str(f, "reason", req->preview);
	for(size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++)
		json_object_array_add(list, json_object_new_string(choices[i]));
	jsonx_add_owned(f, "choices", list);
	put(r, "approval.request", f);
	choice = await_answer(r, id);
	herr_clear(&err);
	/* Back to running; a run found stopping stays so (the stop wins). */
	if(store_run_transition(r->store, r->run_id, STORE_RUN_BIT(STORE_RUN_WAITING_FOR_APPROVAL),
				STORE_RUN_RUNNING, NULL, NULL, &err) && err.rc != HERR_CONFLICT)
		LOG_WARN("run %s: %s", r->run_id, err.msg);
	approved = choice && strcmp(choice, "deny") != 0;
	if(approved && req->rule && (!strcmp(choice, "session") || !strcmp(choice, "always"))) {
		if(!r->granted)
			r->granted = json_object_new_object();
		jsonx_add_bool(r->granted, req->rule, 1);
	}
	free(choice);
	return approved;
}

void runner_sink_init(struct run_sink *r, struct store *s, const char *run_id,
		   volatile sig_atomic_t *stop)
{
	memset(r, 0, sizeof(*r));
	r->store = s;
	r->run_id = run_id;
	r->stop = stop;
	buf_init(&r->delta, RUN_TEXT_MAX);
	buf_init(&r->reasoning, RUN_TEXT_MAX);
	herr_clear(&r->write_err);
	r->last_flush = r->last_poll = runner_now();
	r->sink.emit = sink_emit;
	r->sink.tick = sink_tick;
	r->sink.approve = sink_approve;
	r->approval_timeout = 300;
	r->sink.ctx = r;
}

void runner_sink_release(struct run_sink *r)
{
	buf_release(&r->delta);
	buf_release(&r->reasoning);
	json_object_put(r->granted);
	r->granted = NULL;
}
