/* src/agent/llm.h: the upstream LLM client (OpenAI-compatible
 * POST {base_url}/chat/completions over libcurl).
 *
 * One curl easy handle per attempt, always cleaned up. Streams by default
 * (SSE, parsed incrementally; a provider that answers plain JSON anyway is
 * understood too). Retries connection errors, timeouts, 408, 429 and 5xx
 * with exponential backoff and jitter, honouring Retry-After, but only
 * while nothing has been passed on to the caller; never other 4xx.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_LLM_H
#define HERMES_AGENT_LLM_H

#include <signal.h>
#include <stdbool.h>

#include "agent/llm_reply.h"
#include "util/err.h"

struct json_object;

enum llm_fail {
	LLM_FAIL_NONE = 0,
	LLM_FAIL_AUTH,          /* 401/403: the upstream key is wrong */
	LLM_FAIL_RATE_LIMIT,    /* 429 after the retries */
	LLM_FAIL_BAD_REQUEST,   /* other 4xx: what we sent was refused */
	LLM_FAIL_UNAVAILABLE,   /* connection failed / reset, 5xx */
	LLM_FAIL_TIMEOUT,       /* connect, idle or total timeout, 408 */
	LLM_FAIL_MALFORMED,     /* the answer could not be understood */
	LLM_FAIL_INTERRUPTED,   /* the interrupt flag was set */
	LLM_FAIL_CONFIG         /* no base_url */
};

struct llm_opts {
	const char *base_url;        /* ".../v1"; required */
	const char *api_key;         /* may be NULL */
	const char *model;           /* may be NULL: the provider's default */
	bool stream;
	long connect_timeout_s;      /* default 10 */
	long idle_timeout_s;         /* no byte for this long: give up; default 120 */
	long total_timeout_s;        /* whole call; default 600 */
	int max_retries;             /* default 3 */
	long backoff_ms;             /* first backoff; default 500 */
	const volatile sig_atomic_t *interrupt; /* may be NULL; nonzero stops */
	void (*tick)(void *ctx);     /* called every 100 ms while a transfer runs
	                                and during the retry back-off (the agent
	                                wires it to agent_tick); may be NULL */
	void *tick_ctx;
	/* Sampling settings a request passes through (Responses temperature,
	 * top_p, max_output_tokens); sent only when set. */
	double temperature, top_p;
	bool temperature_set, top_p_set;
	long max_tokens;             /* > 0: sent as max_tokens */
	const char *reasoning_effort; /* sent when set (a model's default) */
	struct json_object *tool_choice; /* borrowed; sent with the tools when set */
};

struct llm_call_info {
	enum llm_fail fail;
	long http_status;            /* of the last attempt, 0 if none */
	int attempts;
};

/* HERR_OK when o names an upstream; else 503 upstream_not_configured
 * saying which settings to make. */
enum herr llm_configured(const struct llm_opts *o, struct herror *err)
	__attribute__((warn_unused_result));

/* Call the upstream once (with retries). messages and tools (may be NULL
 * or empty) are borrowed. out must be llm_reply_init()ed; it holds the
 * reply on success. On failure err says what happened in words a user can
 * act on, keeping the upstream's own message; info->fail classifies it. */
enum herr llm_call(const struct llm_opts *o, struct json_object *messages,
		   struct json_object *tools, const struct llm_deltas *d, struct llm_reply *out,
		   struct llm_call_info *info, struct herror *err) __attribute__((warn_unused_result));

const char *llm_fail_name(enum llm_fail f);

#endif
