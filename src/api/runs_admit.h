/* src/api/runs_admit.h: a POST /v1/runs body checked and turned into the
 * admitted request the runner reads, and the Idempotency-Key rules.
 *
 * Everything that can refuse a run happens here, before a run id exists,
 * in the order of SPEC: runs-discovery-security §2.1/§2.10 (the handler
 * does the header and store steps around it). The admitted request is the
 * JSON of the issue-11 contract: {"input", "instructions", "history",
 * "session_id", "session_key", "model"}.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_RUNS_ADMIT_H
#define HERMES_API_RUNS_ADMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct json_object;
struct store;

#define RUNS_IDEM_KEY_MAX 255
#define RUNS_FINGERPRINT_LEN 64      /* SHA-256 in hex */
#define RUNS_SESSION_MAX 256

struct runs_admit {
	/* borrowed from the body */
	const char *model;                 /* picks the model (api_model_pick); may be NULL */
	const char *instructions;          /* request's, else the chained response's */
	/* owned */
	struct json_object *input;         /* the user turn: a string or content parts */
	struct json_object *history;       /* chat messages before it */
	char *prev_instructions;           /* a chained response's instructions */
	char session_id[RUNS_SESSION_MAX + 1]; /* "" = the run id is the session */
	bool named;                        /* the client named the session */
};

/* Is key a valid Idempotency-Key (1-255 bytes, each 33..126)? */
bool api_runs_idem_key_valid(const char *key);

/* SHA-256 hex (RUNS_FINGERPRINT_LEN+1 bytes into out) of the canonical
 * JSON - keys sorted, no white space - of {"body": body, "session_key":
 * session_key or ""}. Two bodies that differ only in key order or spacing
 * share a fingerprint. */
void api_runs_fingerprint(struct json_object *body, const char *session_key, char *out);

/* Check body (borrowed, a JSON object) and resolve its history into a
 * (which it initialises; release it in any case). hdr_session is the
 * X-Hermes-Session-Id header ("" if none). s (may be NULL) resolves
 * previous_response_id and loads a named session's stored history. 400s:
 * invalid_type, missing_required_parameter (input), missing_user_message,
 * invalid_session_id, invalid_history (conversation_history[i]),
 * previous_response_not_found; content errors of agent/content.h. */
enum herr api_runs_admit_parse(struct runs_admit *a, struct json_object *body,
			   const char *hdr_session, struct store *s, struct herror *err)
	__attribute__((warn_unused_result));

/* The admitted request JSON for run_id (new reference): the session is
 * a->session_id, or run_id when none was chosen. */
struct json_object *api_runs_admit_request(const struct runs_admit *a, const char *run_id,
				       const char *session_key, const char *model);

void api_runs_admit_release(struct runs_admit *a);

#endif
