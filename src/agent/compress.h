/* src/agent/compress.h: context compression with session rotation.
 * SPEC: runs-discovery-security §5.5 (rotation mode)
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_COMPRESS_H
#define HERMES_AGENT_COMPRESS_H

#include "agent/agent.h"

struct json_object;

/* Rough token count of a message array (bytes of its JSON / 4). */
long agent_estimate_tokens(struct json_object *messages);

/* When *ctx (the working messages; [0] is the system prompt) is over
 * compression_threshold × context_length, summarise its middle with one
 * upstream call, end the session with reason "compression", continue in a
 * new child session (parent_session_id = the old one) holding the summary
 * and the recent tail, update res->session_id and emit
 * AGENT_EV_SESSION_ROTATED. The summary call uses llm (the turn's
 * upstream options, with its interrupt and tick). Failures are logged and
 * leave *ctx alone. */
void agent_compress(const struct agent_opts *o, const struct llm_opts *llm,
		    struct json_object **ctx, struct agent_result *res, const struct agent_sink *sink);

#endif
