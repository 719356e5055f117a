/* src/store/events.c: the per-run event log, numbered from 1, so an SSE
 * subscriber can resume after the last sequence number it saw.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

#include <json-c/json.h>

enum herr store_event_add(struct store *s, const char *run_id, const char *json,
			  int64_t *seq_out, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_begin(s, err);

	if(rc)
		return rc;
	rc = store_db_prepare(s, "INSERT INTO run_events(run_id, seq, event, created_at)"
			      " SELECT ?1, coalesce(max(seq), 0) + 1, ?2, ?3 FROM run_events"
			      " WHERE run_id = ?1 RETURNING seq", &st, err);
	if(!rc) {
		store_db_bind_text(st, 1, run_id);
		store_db_bind_text(st, 2, json);
		sqlite3_bind_double(st, 3, store_db_now());
		if(sqlite3_step(st) == SQLITE_ROW) {
			if(seq_out)
				*seq_out = sqlite3_column_int64(st, 0);
			rc = store_db_step_done(s, st, "add run event", err);
		} else if((sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_CONSTRAINT) {
			rc = herr_set(err, HERR_NOT_FOUND, "run_not_found", NULL,
				      "Run %s not found.", run_id);
		} else {
			rc = store_db_fail(s, "add run event", err);
		}
		sqlite3_finalize(st);
	}
	return store_db_finish(s, rc, err);
}

enum herr store_events(struct store *s, const char *run_id, int64_t after, int limit,
		       struct json_object **out, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "SELECT seq, event, created_at FROM run_events"
					" WHERE run_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
					&st, err);

	*out = NULL;
	if(rc)
		return rc;
	store_db_bind_text(st, 1, run_id);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int(st, 3, limit > 0 ? limit : -1);
	rc = store_db_rows(s, st, out, err);
	sqlite3_finalize(st);
	return rc;
}
