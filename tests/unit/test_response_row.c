/* tests/unit/test_response_row.c: a background response's row and event
 * log (agent/response_row.c) against a real temp state.db: the run id
 * mapping, the next sequence number after the Responses events of a log
 * that also holds run events, and the settling of a response whose run
 * ended without ending it (status, error, the terminal event appended
 * with the next number, the session kept; a terminal row untouched).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/response_row.h"
#include "store/store.h"
#include "tap.h"
#include "util/jsonx.h"

static void ids(void)
{
	char out[RESP_RUN_ID_MAX];

	ok(agent_resp_run_id("resp_0123456789abcdef01234567", out, sizeof(out)), "resp_ id maps");
	is_str(out, "run_0123456789abcdef01234567", "resp_X -> run_X");
	ok(!agent_resp_run_id("msg_0123", out, sizeof(out)), "another prefix does not map");
	ok(!agent_resp_run_id(NULL, out, sizeof(out)), "NULL does not map");
	ok(agent_resp_status_terminal("cancelled") && agent_resp_status_terminal("incomplete") &&
	   !agent_resp_status_terminal("queued") && !agent_resp_status_terminal("in_progress") &&
	   !agent_resp_status_terminal(NULL), "terminal statuses");
}

static struct json_object *event(const char *type, int64_t sn)
{
	struct json_object *e = json_object_new_object();

	jsonx_add_str(e, "type", type);
	jsonx_add_int(e, "sequence_number", sn);
	return e;
}

static void settle(struct store *s)
{
	const char *id = "resp_00000000000000000000abcd", *run = "run_00000000000000000000abcd";
	struct store_run_new nr = { .id = run, .request = "{}" };
	struct json_object *row = json_object_new_object(), *got = NULL, *rows = NULL, *last;
	struct herror err;
	char *session = NULL;

	herr_clear(&err);
	jsonx_add_str(row, "id", id);
	jsonx_add_str(row, "status", "in_progress");
	jsonx_add_bool(row, "background", 1);
	jsonx_add_owned(row, "hermes_store", json_object_new_object());
	is_int(agent_resp_row_put(s, row, "sess-1", &err), HERR_OK, "the row is stored");
	is_int(store_run_create(s, &nr, &err), HERR_OK, "its run exists");
	is_int(agent_resp_event_next(s, run), 0, "an empty log: next sequence number 0");
	is_int(agent_resp_event_put(s, run, event("response.created", 0), &err), HERR_OK, "event 0");
	is_int(store_event_add(s, run, "{\"event\":\"tool.started\"}", NULL, &err), HERR_OK,
	       "a run event between");
	is_int(agent_resp_event_put(s, run, event("response.in_progress", 1), &err), HERR_OK, "event 1");
	is_int(agent_resp_event_next(s, run), 2, "next is 2 (run events do not count)");
	json_object_put(row);

	is_int(agent_resp_row_load(s, id, &row, &session, &err), HERR_OK, "the row loads");
	is_str(session, "sess-1", "with its session");
	is_int(agent_resp_row_settle(s, row, session, run, "interrupted", "runner died", &err), HERR_OK,
	       "settled as interrupted");
	is_str(jsonx_get_str(row, "status"), "failed", "the row in memory is failed");
	json_object_put(row);
	free(session);
	session = NULL;
	is_int(agent_resp_row_load(s, id, &got, &session, &err), HERR_OK, "reloaded");
	is_str(jsonx_get_str(got, "status"), "failed", "stored failed");
	is_str(jsonx_get_str(json_object_object_get(got, "error"), "code"), "run_interrupted",
	       "error.code run_interrupted");
	is_str(jsonx_get_str(json_object_object_get(got, "error"), "message"), "runner died",
	       "error.message is the run's");
	is_str(session, "sess-1", "the session is kept");
	is_int(store_events(s, run, 0, 0, &rows, &err), HERR_OK, "the log reads");
	last = json_tokener_parse(jsonx_get_str(json_object_array_get_idx(rows,
				json_object_array_length(rows) - 1), "event"));
	is_str(jsonx_get_str(last, "type"), "response.failed", "the terminal event was appended");
	is_int(json_object_get_int64(json_object_object_get(last, "sequence_number")), 2,
	       "numbered after the last Responses event");
	ok(!json_object_object_get_ex(json_object_object_get(last, "response"), "hermes_store", NULL),
	   "carrying the public object");
	is_str(jsonx_get_str(json_object_object_get(last, "response"), "status"), "failed",
	       "in status failed");
	json_object_put(last);
	json_object_put(rows);
	rows = NULL;

	is_int(agent_resp_row_settle(s, got, session, run, "cancelled", NULL, &err), HERR_OK,
	       "settling a terminal row");
	is_str(jsonx_get_str(got, "status"), "failed", "leaves it as it is");
	is_int(store_events(s, run, 0, 0, &rows, &err), HERR_OK, "the log reads");
	is_int(json_object_array_length(rows), 4, "and appends nothing");
	json_object_put(rows);
	json_object_put(got);
	free(session);
}

int main(void)
{
	char home[256], cmd[300];
	struct store_opts o = { 0 };
	struct store *s = NULL;
	struct herror err;

	snprintf(home, sizeof(home), "%s/hermes-test-resprow-%ld",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	o.home = home;
	herr_clear(&err);
	ids();
	ok(store_open(&o, &s, &err) == HERR_OK, "a temp store opens: %s", err.msg);
	if(s)
		settle(s);
	store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	ok(system(cmd) == 0, "the temp home is removed");
	return tap_done();
}
