/* src/agent/llm_sse.h: a pure, incremental Server-Sent Events parser.
 *
 * Bytes go in in any split; each complete event's data (the "data:" lines
 * joined with "\n") comes out through a callback. Lines may end in LF,
 * CRLF or CR, also when the CR and LF arrive in different pieces. Comment
 * lines and the event/id/retry fields are ignored (OpenAI-compatible
 * streams use data only). Both the line and the event data are capped.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_LLM_SSE_H
#define HERMES_AGENT_LLM_SSE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

/* Called once per event; a non-HERR_OK return stops the feed with it. */
typedef enum herr (*llm_sse_cb)(void *ctx, const char *data, size_t len);

struct llm_sse {
	struct buf line;   /* owned: the line being assembled */
	struct buf data;   /* owned: the event being assembled */
	bool has_data;     /* a data field was seen for this event */
	bool after_cr;     /* the last byte fed was CR: skip one LF */
};

/* max_event caps one event's data and one line. Allocates nothing. */
void llm_sse_init(struct llm_sse *p, size_t max_event);
void llm_sse_release(struct llm_sse *p);

/* Feed n bytes. HERR_UPSTREAM (code upstream_malformed) when a line or an
 * event passes the cap; any error the callback returns is passed on. */
enum herr llm_sse_feed(struct llm_sse *p, const char *bytes, size_t n, llm_sse_cb cb, void *ctx,
		       struct herror *err) __attribute__((warn_unused_result));

#endif
