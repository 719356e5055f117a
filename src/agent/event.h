/* src/agent/event.h: what the agent loop reports while it works, and the
 * sink interface that receives it.
 *
 * The loop knows nothing about HTTP: each endpoint (chat completions SSE,
 * responses SSE, the runs event log) and hermesctl chat plugs in a sink.
 * Strings in an event are borrowed for the duration of the emit call.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_EVENT_H
#define HERMES_AGENT_EVENT_H

#include <stdbool.h>
#include <stddef.h>

struct agent_result;

enum agent_event_type {
	AGENT_EV_TEXT,            /* text delta: text, len */
	AGENT_EV_REASONING,       /* reasoning delta: text, len */
	AGENT_EV_TOOL_STARTED,    /* call_id, tool, preview, arguments */
	AGENT_EV_TOOL_FINISHED,   /* call_id, tool, duration_s, is_error, text = result */
	AGENT_EV_SESSION_ROTATED, /* old_session_id → session_id (compression) */
	AGENT_EV_FINAL,           /* result: the turn ended (any status) */
	AGENT_EV_FAILURE          /* text = message; result follows in FINAL */
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
};

struct agent_sink {
	void (*emit)(void *ctx, const struct agent_event *ev);
	void *ctx;
};

/* Deliver ev to sink (NULL sink or emit: nothing). */
void agent_emit(const struct agent_sink *sink, const struct agent_event *ev);

#endif
