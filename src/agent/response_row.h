/* src/agent/response_row.h: a background response's stored row and its
 * event log, the same for the responder that queues it (api/responses_bg.c)
 * and the runner worker that works it (runner/resp_work.c).
 *
 * A background response resp_<hex> is worked as the run run_<hex> (same
 * hex): its Responses events are rows of that run's event table, each the
 * event object itself ({type, sequence_number, ...}), and the run's own
 * terminal event (run.completed, ...) follows them. The stored row is the
 * Response object plus "hermes_store" (agent/response_obj.h); the worker
 * rewrites it as the status moves queued -> in_progress -> completed /
 * failed / incomplete / cancelled.
 * SPEC: openai-wire.md §6.8
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_RESPONSE_ROW_H
#define HERMES_AGENT_RESPONSE_ROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct json_object;
struct store;

#define RESP_RUN_ID_MAX 72

/* The run of background response id ("resp_X" -> "run_X") into out;
 * false when id is not a response id. */
bool agent_resp_run_id(const char *id, char *out, size_t cap);

/* Is status a terminal Response status (completed, failed, incomplete,
 * cancelled)? */
bool agent_resp_status_terminal(const char *status);

/* The stored row of id, parsed: *row a new object; *session (may be
 * NULL) an owned string or NULL. HERR_NOT_FOUND when there is none or it
 * is not a JSON object. */
enum herr agent_resp_row_load(struct store *s, const char *id, struct json_object **row,
			char **session, struct herror *err) __attribute__((warn_unused_result));

/* Store row (borrowed) under its "id" in session (may be NULL). */
enum herr agent_resp_row_put(struct store *s, struct json_object *row, const char *session,
		       struct herror *err) __attribute__((warn_unused_result));

/* Append ev (taken; a Responses event) to run_id's event log; its type
 * becomes the run's last_event. */
enum herr agent_resp_event_put(struct store *s, const char *run_id, struct json_object *ev,
			 struct herror *err) __attribute__((warn_unused_result));

/* The sequence_number after the last Responses event in run_id's log (0
 * when it has none). */
int64_t agent_resp_event_next(struct store *s, const char *run_id);

/* End a background response whose run ended without ending it (a worker
 * that died or never started, a queued run cancelled): when row's status
 * is not terminal, it becomes "cancelled" (run_status "cancelled") or
 * "failed" with error {code: "run_<run_status>", message}, is stored, and
 * its terminal event is appended to run_id's log (when the run still has
 * one). row is updated in place; session (may be NULL) is the row's. */
enum herr agent_resp_row_settle(struct store *s, struct json_object *row, const char *session,
			  const char *run_id, const char *run_status, const char *message,
			  struct herror *err)
	__attribute__((warn_unused_result));

#endif
