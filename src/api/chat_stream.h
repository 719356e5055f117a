/* src/api/chat_stream.h: the agent sink that streams a chat completion.
 *
 * It only formats chunks; the stream object (http/sse.h) owns batching,
 * keepalives, the deferred head and client-gone detection.
 * chat.completion.chunk events with one id/created/model; the first
 * carries role "assistant"; text deltas are coalesced by the stream; each
 * tool start is one progress event whose data is a valid chunk
 * (choices: []) with the progress in a "hermes" member, so SDKs that parse
 * every data line as a chunk are not broken. The SSE name
 * `event: hermes.tool.progress` is added only when the client asks with
 * `X-Hermes-Events: tool-progress`: the openai npm SDK 4.x hands named
 * events to the caller as {event, data}, which breaks its loops and its
 * stream helper (tests/compat shows it). A departed client sets the turn's
 * interrupt flag.
 * SPEC: openai-wire.md §4, §5.2
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_CHAT_STREAM_H
#define HERMES_API_CHAT_STREAM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent/agent.h"
#include "http/sse.h"

struct req;

struct chat_stream {
	struct sse sse;
	const char *id;                       /* borrowed: chatcmpl-… */
	int64_t created;                       /* Unix seconds (64-bit on armhf too) */
	const char *model;                    /* borrowed: advertised name */
	const char *session_key;              /* borrowed; "" if none */
	char session_id[AGENT_SESSION_ID_MAX]; /* the id the headers will carry */
	bool include_usage;
	bool named_events;                    /* send `event: hermes.tool.progress` */
	struct agent_sink sink;               /* points at this stream */
};

/* Prepare the stream for r; strings are borrowed (session_id is copied);
 * interrupt (may be NULL) is set when the client is found gone. */
void api_chat_stream_init(struct chat_stream *cs, struct req *r, const char *id, const char *model,
			  const char *session_id, const char *session_key, bool include_usage,
			  volatile sig_atomic_t *interrupt);
void api_chat_stream_release(struct chat_stream *cs);

/* End the stream for res: the last chunk with finish_reason (or an error
 * chunk), the usage chunk when asked for, then [DONE]. */
void api_chat_stream_finish(struct chat_stream *cs, const struct agent_result *res);

#endif
