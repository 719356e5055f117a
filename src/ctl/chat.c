/* src/ctl/chat.c: the terminal face of the agent.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "ctl/chat.h"

#include <json-c/json.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/turn_env.h"
#include "store/store.h"
#include "util/cfg.h"
#include "util/jsonx.h"
#include "util/privs.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct term {
	FILE *out, *msg;
	int at_line_start;
};

/* The terminal sink: text as it streams, tools, approvals and rotations
 * on msg. No tick (nothing to keep alive) and no approve: hermesctl chat
 * refuses what approvals.mode ask would ask about, as chat does. */
static void term_emit(void *ctx, const struct agent_event *ev)
{
	struct term *t = ctx;

	switch(ev->type) {
	case AGENT_EV_TEXT:
		fwrite(ev->text, 1, ev->len, t->out);
		fflush(t->out);
		t->at_line_start = ev->len && ev->text[ev->len - 1] == '\n';
		break;
	case AGENT_EV_TOOL_STARTED:
		fprintf(t->msg, "%s[tool %s %s]\n", t->at_line_start ? "" : "\n", ev->tool,
			ev->preview);
		t->at_line_start = 1;
		break;
	case AGENT_EV_TOOL_FINISHED:
		fprintf(t->msg, "[tool %s %s in %.2fs]\n", ev->tool, ev->is_error ? "failed" : "done",
			ev->duration_s);
		break;
	case AGENT_EV_SESSION_ROTATED:
		fprintf(t->msg, "[context compressed: session %s continues as %s]\n",
			ev->old_session_id, ev->session_id);
		break;
	case AGENT_EV_APPROVAL_ANSWER:
		fprintf(t->msg, "[approval for %s (%s): %s]\n", ev->tool, ev->rule,
			ev->approved ? "approved" : "denied");
		break;
	case AGENT_EV_FAILURE:
		fprintf(t->msg, "%serror: %.*s\n", t->at_line_start ? "" : "\n", (int)ev->len, ev->text);
		break;
	default:
		break;
	}
}

static struct store *open_store(const struct cfg *c, FILE *msg)
{
	struct store_opts so;
	struct store *s = NULL;
	struct herror err;

	herr_clear(&err);
	store_opts_from_cfg(c, &so);
	if(store_open(&so, &s, &err))
		fprintf(msg, "warning: %s; this conversation will not be saved\n", err.msg);
	return s;
}

/* Root without security.allow_root is refused before anything under
 * HERMES_HOME (workspace, state.db) is created. A broken configuration
 * is left to agent_env_load to report. */
static int refuse_root(FILE *msg)
{
	struct cfg c;
	struct herror err;
	int refused = 0;

	herr_clear(&err);
	if(geteuid() != 0)
		return 0;
	if(!cfg_load(&c, NULL, NULL) && privs_refuse_root(PRIVS_CTL_CHAT, c.allow_root, &err)) {
		fprintf(msg, "hermesctl: %s\n", err.msg);
		refused = 1;
	}
	cfg_release(&c);
	return refused;
}

int ctl_chat(const char *session_id, const char *session_key, const char *text, FILE *out,
	     FILE *msg)
{
	struct agent_env env;
	struct agent_opts o;
	struct agent_input in = { .session_id = session_id, .user = text };
	struct agent_result res;
	struct term t = { out, msg, 1 };
	struct agent_sink sink = { term_emit, NULL, NULL, &t };
	struct sigaction sa;
	struct herror err;
	int rc;

	herr_clear(&err);
	if(refuse_root(msg))
		return 1;
	if(agent_env_load(&env, &err)) {
		fprintf(msg, "configuration error: %s\n", err.msg);
		agent_env_release(&env);
		return 1;
	}
	privs_scrub_secrets(&env.cfg.models); /* the configuration holds the keys now */
	if(!env.store)
		fprintf(msg, "warning: %s; this conversation will not be saved\n", env.store_err.msg);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	agent_env_opts(&env.cfg, &env.tools, env.store, &interrupted, "cli", session_key, &o);
	agent_result_init(&res);
	agent_run(&o, &in, &sink, &res);
	if(!t.at_line_start)
		fputc('\n', out);
	fprintf(msg, "[session %s: %s, %d model call%s, %lld tokens]\n", res.session_id,
		agent_status_name(res.status), res.api_calls, res.api_calls == 1 ? "" : "s",
		(long long)res.total_tokens);
	if(res.status == AGENT_PARTIAL)
		fprintf(msg, "warning: %s\n", res.error.msg);
	rc = res.status == AGENT_COMPLETED ? 0 : res.status == AGENT_PARTIAL ? 2 :
	     res.status == AGENT_INTERRUPTED ? 130 : 1;
	agent_result_release(&res);
	agent_env_release(&env);
	return rc;
}

struct store *ctl_store_or_say(struct cfg *c, FILE *out)
{
	struct store *s;

	if(cfg_load(c, NULL, NULL)) {
		fprintf(out, "configuration error: %s\n", c->err.msg);
		return NULL;
	}
	s = open_store(c, out);
	return s;
}

int ctl_sessions_show(const char *id, FILE *out)
{
	struct cfg c;
	struct store *s = ctl_store_or_say(&c, out);
	struct json_object *row = NULL, *msgs = NULL;
	struct herror err;
	int rc = 1;

	herr_clear(&err);
	if(s && !store_session_get(s, id, &row, &err) && !store_messages(s, id, &msgs, &err)) {
		fprintf(out, "%s\n", json_object_to_json_string_ext(row, JSON_C_TO_STRING_PRETTY));
		for(size_t i = 0; i < json_object_array_length(msgs); i++) {
			struct json_object *m = json_object_array_get_idx(msgs, i);
			const char *content = jsonx_get_str(m, "content");
			const char *calls = jsonx_get_str(m, "tool_calls");

			fprintf(out, "[%s] %s%s%s\n", jsonx_get_str(m, "role"), content ? content : "",
				calls ? " tool_calls=" : "", calls ? calls : "");
		}
		rc = 0;
	} else if(s) {
		fprintf(out, "%s\n", err.msg);
	}
	json_object_put(row);
	json_object_put(msgs);
	store_close(s);
	cfg_release(&c);
	return rc;
}
