/* src/agent/llm_reply.h: one assistant reply, assembled from stream
 * chunks or taken from a whole non-streamed completion. Pure.
 *
 * Tool calls arrive by index: id and name once, arguments in pieces; they
 * are gathered per index. Every piece is capped, so a broken or hostile
 * upstream gets an upstream error instead of our memory.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_LLM_REPLY_H
#define HERMES_AGENT_LLM_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

struct json_object;

#define LLM_MAX_TOOL_CALLS 32
#define LLM_MAX_CONTENT (4u * 1024 * 1024)
#define LLM_MAX_ARGS (1024u * 1024)

struct llm_tool_call {
	char id[128];
	char name[128];
	struct buf args;           /* owned: the JSON arguments text */
};

/* Deltas are passed on as they arrive (for live streaming); may be NULL. */
struct llm_deltas {
	void (*text)(void *ctx, const char *s, size_t n);
	void (*reasoning)(void *ctx, const char *s, size_t n);
	void *ctx;
};

struct llm_reply {
	struct buf content;        /* owned */
	struct buf reasoning;      /* owned */
	struct llm_tool_call calls[LLM_MAX_TOOL_CALLS];
	size_t ncalls;
	char finish_reason[32];
	int64_t prompt_tokens, completion_tokens, total_tokens;
	bool has_usage;
	bool done;                 /* [DONE] seen (stream) */
	size_t forwarded;          /* delta bytes handed to the deltas callbacks */
};

void llm_reply_init(struct llm_reply *r);
void llm_reply_release(struct llm_reply *r);
/* Empty it for another attempt. */
void llm_reply_reset(struct llm_reply *r);

/* Apply one stream event's data ("[DONE]" or a chat.completion.chunk).
 * An in-stream {"error":…} → HERR_UPSTREAM with the upstream's message;
 * unparsable data → HERR_UPSTREAM code upstream_malformed. */
enum herr llm_reply_chunk(struct llm_reply *r, const char *data, size_t len,
			  const struct llm_deltas *d, struct herror *err)
	__attribute__((warn_unused_result));

/* Take a whole (non-streamed) chat.completion body. */
enum herr llm_reply_whole(struct llm_reply *r, const char *body, size_t len,
			  struct herror *err) __attribute__((warn_unused_result));

/* The reply as an OpenAI assistant message object (new reference):
 * {"role":"assistant","content":…,"tool_calls":[…]} */
struct json_object *llm_reply_message(const struct llm_reply *r);

#endif
