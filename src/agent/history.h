/* src/agent/history.h: the history a turn continues with.
 *
 * The rule (docs/api.md "Sessions"): a request that names a session and
 * holds no earlier assistant turn continues the session's stored history
 * (after compression rotations, the newest child's); a request that sends
 * its full history is used as sent. Chat completions, responses, runs and
 * session chat all go through agent_history_continue().
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_HISTORY_H
#define HERMES_AGENT_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct json_object;
struct store;

/* Does the message array hold an assistant message? (NULL: no.) */
bool agent_history_has_assistant(struct json_object *messages);

/* Follow session_id through compression rotations to the session that
 * continues it, copied into tip (cap bytes; session_id itself when it was
 * never rotated or the store cannot say). */
void agent_history_tip(struct store *s, const char *session_id, char *tip, size_t cap);

/* Append session_id's stored messages, in OpenAI form, to out (borrowed
 * array). A missing session appends nothing and is no error. */
enum herr agent_history_load(struct store *s, const char *session_id, struct json_object *out,
			     struct herror *err) __attribute__((warn_unused_result));

/* The history for a turn in session *session_id (in/out, cap bytes):
 * when named is true (the client named the session) and sent (borrowed;
 * the request's earlier messages, may be NULL) holds no assistant message,
 * *session_id becomes its rotation tip and *out the stored history followed
 * by sent; otherwise *out is sent as is. *out is a new reference. A store
 * failure is returned with err set; *out is then sent alone. */
enum herr agent_history_continue(struct store *s, bool named, char *session_id, size_t cap,
				 struct json_object *sent, struct json_object **out,
				 struct herror *err) __attribute__((warn_unused_result));

/* Is id one of the tool_calls ids of assistant message m (borrowed)? */
bool agent_history_has_call(struct json_object *m, const char *id);

/* The history a resumed turn (client tool results, agent.h tool_results)
 * continues: when the store holds session *session_id (followed to its
 * rotation tip, written back into it; cap bytes) and the stored history
 * ends with an assistant message whose tool_calls include every one of
 * results' tool_call_ids, unanswered, followed only by tool messages (the
 * server's results of that message), the turn goes on from where it
 * stopped, server results included: *out is sent up to its last user
 * message, then the stored messages after the stored last user message
 * (the stored history when either has none; so a derived session that
 * holds older conversations with the same start adds none of them). Otherwise
 * *out is sent as is and *session_id is left alone. *out is a new
 * reference; sent and results are borrowed (sent may be NULL). Returns
 * whether the stored turn was found. */
bool agent_history_resume(struct store *s, char *session_id, size_t cap, struct json_object *sent,
			  struct json_object *results, struct json_object **out);

#endif
