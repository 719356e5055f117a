/* src/agent/agent.h: one agent turn: prompt, upstream calls, tool rounds,
 * persistence, compression. SPEC: runs-discovery-security §6
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_AGENT_H
#define HERMES_AGENT_AGENT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent/event.h"
#include "agent/llm.h"
#include "util/buf.h"
#include "util/err.h"

struct json_object;
struct store;
struct tool_config;

/* Values of the turn's interrupt flag (*agent_opts.interrupt): any
 * nonzero value stops the turn; SHUTDOWN says why (the process is being
 * stopped: SIGTERM from the web server) and is never reset. */
#define AGENT_STOP 1
#define AGENT_STOP_SHUTDOWN 2

#define AGENT_MAX_TURNS_DEFAULT 90
/* Room for a session id and its NUL: ids of up to 256 bytes are accepted
 * (X-Hermes-Session-Id, a run's session_id), and every buffer that holds
 * one must hold all of it - a cut id names another session. */
#define AGENT_SESSION_ID_MAX 257

struct agent_opts {
	struct llm_opts llm;           /* upstream; the turn sets its interrupt and tick */
	volatile sig_atomic_t *interrupt; /* the turn's interrupt (client gone, SIGTERM;
	                                     the time limit sets it too); may be NULL */
	long max_turn_seconds;         /* wall-clock bound of a turn; 0 = none */
	int max_turns;                 /* upstream calls per turn; default 90 */
	long context_length;           /* tokens; 0 = 128000 */
	double compression_threshold;  /* share of context_length; 0 = 0.5 */
	bool compression;              /* compress when over the threshold */
	const struct tool_config *tools; /* tools' settings and enabled toolsets;
	                                    NULL = built-in defaults */
	const char *const *toolsets;   /* this turn's server toolsets (tools/narrow.h),
	                                  overriding tools->toolsets; NULL = those */
	/* Client tools (docs/api.md "Client tools"): functions the client
	 * defined, offered to the model beside the server's tools. A call of
	 * one ends the turn after the server calls of the same message ran;
	 * res->client_calls holds it for the client to run. */
	struct json_object *client_tools; /* borrowed array in chat "tools" form; NULL: none */
	struct json_object *tool_choice;  /* borrowed; sent upstream as is; NULL: not sent */
	struct store *store;           /* NULL: nothing persisted */
	const char *source;            /* session source: api_server, cli, run */
	const char *model_name;        /* public model name the session records;
	                                  NULL = the upstream model id */
	const char *session_key;       /* memory scope (X-Hermes-Session-Key) */
	/* Steering (runs): called before each model call; a text it returns
	 * (malloc()ed, the turn frees it) joins the conversation as a user
	 * message before that call. NULL: no steering. */
	char *(*steer)(void *ctx);
	void *steer_ctx;
};

struct agent_input {
	const char *session_id;        /* continue this session; NULL = new */
	const char *system;            /* the caller's system prompt/instructions */
	struct json_object *history;   /* borrowed array of messages; NULL = from the
	                                  store when continuing a session */
	const char *user;              /* the new user message (text) */
	struct json_object *user_content; /* borrowed; if set, sent as the user message's
	                                     content instead of user (images: the canonical
	                                     parts list of agent/content.h) */
	struct json_object *tool_results; /* borrowed array of "tool" messages: the
	                                     client's results of its functions' calls.
	                                     Set (with user NULL), the turn resumes after
	                                     the history, which ends with the assistant
	                                     message of those calls */
};

enum agent_status { AGENT_COMPLETED, AGENT_PARTIAL, AGENT_FAILED, AGENT_INTERRUPTED };

struct agent_result {
	enum agent_status status;
	struct buf final_text;             /* owned */
	struct herror error;               /* when failed / partial */
	struct json_object *messages;      /* owned: this turn's assistant and tool messages */
	char session_id[AGENT_SESSION_ID_MAX]; /* effective (post-rotation) id */
	int64_t input_tokens, output_tokens, total_tokens;
	int api_calls;
	enum llm_fail fail;                /* of the failing upstream call */
	struct herror persist_error;       /* the first message or session row that could
	                                      not be saved (agent/persist.h); rc 0: none */
	int persist_failures;              /* how many saves failed */
	struct json_object *client_calls;  /* owned: the client functions the model
	                                      called, which ended the turn (status
	                                      completed): [{id, name, arguments}];
	                                      NULL: none */
};

/* A turn in progress, as its blocking sites see it (agent_run owns it). */
struct agent_turn {
	const struct agent_opts *o;
	const struct agent_sink *sink;
	volatile sig_atomic_t *stop;     /* o->interrupt, or &own_stop */
	volatile sig_atomic_t own_stop;
	double deadline;                 /* monotonic seconds; 0 = no limit */
	bool expired;                    /* the time limit stopped the turn */
	const char *call_id;             /* borrowed: the tool call running, if any */
	struct llm_opts llm;             /* o->llm wired to stop and agent_tick */
};

/* Called by every blocking site (upstream transfers, the retry back-off,
 * tool waits) about every 100 ms: the sink's tick, then the time limit
 * (past it: expired, *stop set). Returns true when the turn must stop. */
bool agent_tick(struct agent_turn *t);

void agent_result_init(struct agent_result *r);
void agent_result_release(struct agent_result *r);
const char *agent_status_name(enum agent_status s);

/* Run one turn. Always fills res (status says how it ended) and emits
 * AGENT_EV_FINAL last; returns res->error.rc. */
enum herr agent_run(const struct agent_opts *o, const struct agent_input *in,
		    const struct agent_sink *sink, struct agent_result *res);

/* A new session id: YYYYMMDD_HHMMSS_<6 hex>. */
void agent_new_session_id(char *out, size_t cap);

#endif
