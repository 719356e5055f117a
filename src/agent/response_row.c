/* src/agent/response_row.c: a background response's row and event log.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "agent/response_row.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/response_obj.h"
#include "store/store.h"
#include "util/jsonx.h"
#include "util/log.h"

#define EVENTS_BATCH 500

bool agent_resp_run_id(const char *id, char *out, size_t cap)
{
	if(!id || strncmp(id, "resp_", 5) != 0 || strlen(id) + 1 > cap)
		return false;
	snprintf(out, cap, "run_%s", id + 5);
	return true;
}

bool agent_resp_status_terminal(const char *status)
{
	return status && (!strcmp(status, "completed") || !strcmp(status, "failed") ||
			  !strcmp(status, "incomplete") || !strcmp(status, "cancelled"));
}

enum herr agent_resp_row_load(struct store *s, const char *id, struct json_object **row,
			char **session, struct herror *err)
{
	char *text = NULL;
	struct json_object *o = NULL;
	enum herr rc = store_response_get(s, id, &text, session, err);

	*row = NULL;
	if(rc)
		return rc;
	rc = jsonx_parse(text, strlen(text), JSONX_STORED_DEPTH, &o, err);
	free(text);
	if(rc || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		if(session) {
			free(*session);
			*session = NULL;
		}
		return herr_set(err, HERR_NOT_FOUND, "response_not_found", NULL,
				"Response %s is not readable.", id);
	}
	*row = o;
	return HERR_OK;
}

enum herr agent_resp_row_put(struct store *s, struct json_object *row, const char *session,
		       struct herror *err)
{
	/* row lives on (a background response's worker keeps it for the
	 * run): its text, as large as its input twice, goes with the copy */
	struct json_object *c = jsonx_shallow(row);
	enum herr rc = store_response_put(s, jsonx_get_str(row, "id"), jsonx_text(c, NULL), session,
					  err);

	json_object_put(c);
	return rc;
}

enum herr agent_resp_event_put(struct store *s, const char *run_id, struct json_object *ev,
			 struct herror *err)
{
	const char *text = jsonx_text(ev, NULL);
	enum herr rc = store_events_append(s, run_id, &text, 1, jsonx_get_str(ev, "type"), NULL, err);

	json_object_put(ev);
	return rc;
}

int64_t agent_resp_event_next(struct store *s, const char *run_id)
{
	struct json_object *rows = NULL;
	struct herror err;
	int64_t after = 0, next = 0;
	size_t n;

	do {
		herr_clear(&err);
		if(store_events(s, run_id, after, EVENTS_BATCH, &rows, &err))
			break;
		n = json_object_array_length(rows);
		for(size_t i = 0; i < n; i++) {
			struct json_object *row = json_object_array_get_idx(rows, i), *ev, *v;
			const char *text = jsonx_get_str(row, "event");

			after = json_object_get_int64(json_object_object_get(row, "seq"));
			ev = jsonx_parse_stored(text);
			if(jsonx_get_str(ev, "type") &&
			   json_object_object_get_ex(ev, "sequence_number", &v) &&
			   json_object_get_int64(v) >= next)
				next = json_object_get_int64(v) + 1;
			json_object_put(ev);
		}
		json_object_put(rows);
		rows = NULL;
	} while(n == EVENTS_BATCH);
	return next;
}

enum herr agent_resp_row_settle(struct store *s, struct json_object *row, const char *session,
			  const char *run_id, const char *run_status, const char *message,
			  struct herror *err)
{
	bool cancelled = run_status && !strcmp(run_status, "cancelled");
	struct json_object *ev;
	struct store_run run;
	struct herror eerr;
	char type[48], code[48];
	enum herr rc;

	if(agent_resp_status_terminal(jsonx_get_str(row, "status")))
		return HERR_OK;
	jsonx_add_str(row, "status", cancelled ? "cancelled" : "failed");
	if(!cancelled) {
		struct json_object *e = json_object_new_object();

		snprintf(code, sizeof(code), "run_%s", run_status ? run_status : "gone");
		jsonx_add_str(e, "code", code);
		jsonx_add_str(e, "message", message && *message ? message
							: "The background run ended without an answer.");
		jsonx_add_owned(row, "error", e);
	}
	if((rc = agent_resp_row_put(s, row, session, err)))
		return rc;
	herr_clear(&eerr);
	if(store_run_get(s, run_id, &run, &eerr))
		return HERR_OK; /* swept: no log to end */
	store_run_release(&run);
	ev = json_object_new_object();
	snprintf(type, sizeof(type), "response.%s", jsonx_get_str(row, "status"));
	jsonx_add_str(ev, "type", type);
	jsonx_add_int(ev, "sequence_number", agent_resp_event_next(s, run_id));
	jsonx_add_owned(ev, "response", agent_response_public(row));
	if(agent_resp_event_put(s, run_id, ev, &eerr))
		LOG_WARN("run %s: the terminal event of %s not written: %s", run_id,
			 jsonx_get_str(row, "id"), eerr.msg);
	return HERR_OK;
}
