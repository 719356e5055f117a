/* src/agent/event.h: what the agent loop reports while it works, and the
 * sink interface that receives it.
 *
 * The loop knows nothing about HTTP: each endpoint (chat completions SSE,
 * responses SSE, the runs event log, session chat) and hermesctl chat
 * plug in a sink with up to three callbacks:
 *   emit     every event below, in order;
 *   tick     called by agent_tick() from every blocking site (upstream
 *            transfers, the retry back-off, tool waits) about every 100 ms:
 *            a streaming sink flushes batched text and keeps the stream
 *            alive there, which is also how it notices a departed client;
 *   approve  a tool asks whether a command matching a dangerous-command
 *            rule may run (approvals.mode ask). It may block until a human
 *            answers (runs); NULL means nobody can answer (chat, hermesctl)
 *            and the command is refused. The loop emits
 *            AGENT_EV_APPROVAL_REQUEST before and AGENT_EV_APPROVAL_ANSWER
 *            after the call.
 * Strings in an event are borrowed for the duration of the call.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_EVENT_H
#define HERMES_AGENT_EVENT_H

#include <stdbool.h>
#include <stddef.h>

struct agent_result;

enum agent_event_type {
	AGENT_EV_TEXT,             /* text delta: text, len */
	AGENT_EV_REASONING,        /* reasoning delta: text, len */
	AGENT_EV_TOOL_STARTED,     /* call_id, tool, preview, arguments */
	AGENT_EV_TOOL_FINISHED,    /* call_id, tool, duration_s, is_error, text = result */
	AGENT_EV_SESSION_ROTATED,  /* old_session_id → session_id (compression) */
	AGENT_EV_FINAL,            /* result: the turn ended (any status) */
	AGENT_EV_FAILURE,          /* text = message; result follows in FINAL */
	AGENT_EV_MESSAGE_START,    /* an assistant message begins (one per model
	                              call): index (0, 1, ... in the turn) */
	AGENT_EV_MESSAGE_END,      /* it ended: index, text = its whole content,
	                              is_error when the call failed */
	AGENT_EV_APPROVAL_REQUEST, /* call_id, tool, text = command, rule, preview =
	                              the rule's description */
	AGENT_EV_APPROVAL_ANSWER   /* the same, approved = the answer */
};

struct agent_event {
	enum agent_event_type type;
	const char *text;
	size_t len;
	const char *call_id;
	const char *tool;
	const char *preview;      /* short, one line */
	const char *arguments;    /* JSON text */
	double duration_s;
	bool is_error;
	const char *session_id;
	const char *old_session_id;
	const struct agent_result *result;
	int index;                /* MESSAGE_START/END: message number in the turn */
	const char *rule;         /* APPROVAL_*: the dangerous-command rule id */
	bool approved;            /* APPROVAL_ANSWER */
};

struct agent_sink {
	void (*emit)(void *ctx, const struct agent_event *ev);
	void (*tick)(void *ctx);                                  /* may be NULL */
	bool (*approve)(void *ctx, const struct agent_event *request); /* may be NULL: deny */
	void *ctx;
};

/* Deliver ev to sink (NULL sink or emit: nothing). */
void agent_emit(const struct agent_sink *sink, const struct agent_event *ev);

#endif
