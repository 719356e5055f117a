/* src/api/session_stream.h: the agent sink of POST
 * /api/sessions/{id}/chat/stream.
 *
 * Named events (`event: <name>` + `data: <JSON>`), each payload carrying
 * session_id (the effective one: it follows a compression rotation),
 * run_id (run_<hex>, not a /v1/runs id), seq (1, 2, ...) and ts (Unix
 * seconds): run.started, then per model call message.started,
 * assistant.delta (coalesced by the stream object), tool.progress
 * (reasoning, tool_name "_thinking"), tool.started / tool.completed; at the
 * end assistant.completed and run.completed (with the turn's transcript
 * and usage), or error; done is always last. The stream object
 * (http/sse.h) owns batching, keepalives, the deferred head and
 * client-gone detection. SPEC: runs-discovery-security §2.9
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_SESSION_STREAM_H
#define HERMES_API_SESSION_STREAM_H

#include <signal.h>
#include <stdint.h>

#include "agent/agent.h"
#include "http/sse.h"

struct req;
struct json_object;

struct session_stream {
	struct sse sse;
	char run_id[40];
	char session_id[AGENT_SESSION_ID_MAX]; /* effective: follows a rotation */
	const char *session_key;               /* borrowed; "" if none */
	char message_id[40];                   /* the assistant message in progress */
	int64_t seq;                           /* of the last event sent */
	struct agent_sink sink;                /* points at this stream */
};

/* Prepare the stream for r (strings copied, session_key borrowed);
 * interrupt (may be NULL) is set when the client is found gone. Nothing is
 * sent yet. */
void api_session_stream_init(struct session_stream *ss, struct req *r, const char *run_id,
			     const char *session_id, const char *session_key,
			     volatile sig_atomic_t *interrupt);
void api_session_stream_release(struct session_stream *ss);

/* run.started for the user's message (content borrowed: a string or the
 * parts). Opens the stream. */
void api_session_stream_started(struct session_stream *ss, struct json_object *content);

/* The end of the turn res: assistant.completed and run.completed with
 * messages (borrowed: the transcript) and usage, or error when the turn
 * failed; then done. */
void api_session_stream_finish(struct session_stream *ss, const struct agent_result *res,
			       struct json_object *messages, bool failed);

/* {input_tokens, output_tokens, total_tokens} of res (new reference). */
struct json_object *api_session_usage(const struct agent_result *res);

#endif
