/* src/api/turn.h: one agent turn behind an HTTP request, the same for
 * every endpoint that runs one (chat completions today; Responses and
 * session chat next).
 *
 * An endpoint parses its request into struct api_turn_in, then
 *   api_turn_begin   session headers (X-Hermes-Session-Id/-Key), the
 *                    derived id when none is named, the store, the
 *                    concurrency cap (store_turn_begin), the session's
 *                    stored history (agent/history.h), the turn's options
 *                    from the configuration, the interrupt flag reset;
 *   api_turn_run     agent_run with the endpoint's sink (its tick and
 *                    approve are the sink's; a SIGTERM that stopped the
 *                    turn is reported as the server stopping);
 *   api_turn_headers the X-Hermes-* result headers of a body answer;
 *   api_turn_end     the concurrency slot and everything owned.
 * So a handler reads: parse → begin → run → answer → end.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_TURN_H
#define HERMES_API_TURN_H

#include <stdbool.h>
#include <stdint.h>

#include "agent/agent.h"
#include "api/client_tools.h"
#include "api/session_hdr.h"
#include "tools/narrow.h"
#include "util/err.h"

struct app;
struct req;
struct json_object;
struct cfg_model;

/* What the endpoint parsed (all borrowed for the turn). */
struct api_turn_in {
	const char *kind;                 /* concurrency slot kind: "chat", "response" */
	const char *system;               /* system prompt / instructions; may be NULL */
	const char *first_user;           /* first user text, for the derived session id */
	struct json_object *history;      /* the request's earlier messages; may be NULL */
	const char *user;                 /* the new user message's text */
	struct json_object *user_content; /* its parts (images); may be NULL */
	const char *session_id;           /* continue this session whatever the headers
	                                     say (a chained response); may be NULL;
	                                     history is then used as sent */
	bool fresh;                       /* no header, no session_id: a new session id,
	                                     not the derived one (a new Responses chain) */
	bool stored;                      /* session_id names a stored session whose
	                                     history (from its rotation tip) the turn
	                                     continues (session chat); one turn at a
	                                     time: another one in progress there is
	                                     409 session_busy */
	const char *model;                /* the request's "model"; may be NULL */
	const struct api_ctools *ctools;  /* the client's tools; may be NULL */
	bool body_toolsets;               /* the body's "hermes.toolsets" narrows too */
	const char *resume_session;       /* with tool_results: the session whose turn
	                                     they answer, when the request names none;
	                                     may be NULL */
	struct json_object *tool_results; /* the client's results of its calls ("tool"
	                                     messages; user is then NULL): the turn
	                                     resumes the stored one (agent_history_resume)
	                                     unless session_id is given; may be NULL */
};

struct api_turn {
	struct app *app;                  /* borrowed */
	struct req *r;                    /* borrowed */
	char session_id[API_SESSION_HDR_MAX + 1];  /* named, derived, or the rotation tip */
	char session_key[API_SESSION_HDR_MAX + 1]; /* "" if none */
	bool named;                       /* X-Hermes-Session-Id was sent */
	struct store *store;              /* borrowed from app; NULL: no persistence */
	bool slot_held;
	int64_t slot;                     /* store_turn_begin's id */
	struct json_object *history;      /* owned: what the turn continues */
	const struct cfg_model *model;    /* borrowed from the configuration: the
	                                     routed entry; its name is the effective model */
	struct tool_narrow narrow;        /* the request's server toolsets */
	struct agent_opts opts;
	struct agent_input input;
	struct agent_result res;          /* owned; valid after api_turn_run */
	bool ran;
};

/* Prepare a turn for r: first the model (an unknown name under
 * model.strict is 404 model_not_found), then the request's server toolsets
 * (api_req_toolsets) and the check of the client's tools against them. On
 * failure r->err is set (a 429 also queues
 * Retry-After); api_turn_end must be called either way. */
enum herr api_turn_begin(struct api_turn *t, struct app *app, struct req *r,
			 const struct api_turn_in *in) __attribute__((warn_unused_result));

/* Run the turn with sink (borrowed); t->res holds the result. */
void api_turn_run(struct api_turn *t, const struct agent_sink *sink);

/* Queue the result headers: X-Hermes-Session-Id (the effective id),
 * X-Hermes-Session-Key, X-Hermes-Completed, X-Hermes-Partial, when the
 * turn did not complete X-Hermes-Error, and when part of it could not be
 * saved X-Hermes-Persist-Error. */
void api_turn_headers(struct api_turn *t);

/* Free the slot and what the turn owns. */
void api_turn_end(struct api_turn *t);

#endif
