/* src/agent/persist.h: saving a turn's messages to its session.
 *
 * Every message of a turn is saved as it happens (so a crash loses at most
 * the one being produced). A failure does not stop the turn, but it is
 * never silent: it is logged and recorded in the result
 * (res->persist_error, res->persist_failures), and the endpoint tells the
 * client (X-Hermes-Persist-Error, hermes.warnings) or the run's status.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_PERSIST_H
#define HERMES_AGENT_PERSIST_H

#include "agent/agent.h"

struct json_object;

/* Save message m (borrowed; OpenAI form, content text or parts) under
 * session_id. Nothing to do without a store. A failure is recorded in res
 * and returned. */
enum herr agent_persist(const struct agent_opts *o, struct agent_result *res,
			const char *session_id, struct json_object *m);

/* Record a persistence failure (what failed, err's message) in res: the
 * first one is kept whole, later ones are counted. */
void agent_persist_failed(struct agent_result *res, const char *what, const struct herror *err);

#endif
