/* src/store/events.c: the per-run event log, numbered from 1, so an SSE
 * subscriber can resume after the last sequence number it saw.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

#include <json-c/json.h>

/* The run's last sequence number (0 if none); HERR_NOT_FOUND if there is
 * no such run. Inside the caller's transaction. */
static enum herr last_seq_of(struct store *s, const char *run_id, int64_t *out,
			     struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "SELECT (SELECT coalesce(max(seq), 0) FROM run_events"
					" WHERE run_id = ?1) FROM runs WHERE id = ?1", &st, err);
	int step;

	if(rc)
		return rc;
	store_db_bind_text(st, 1, run_id);
	step = sqlite3_step(st);
	if(step == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if(step == SQLITE_DONE)
		rc = herr_set(err, HERR_NOT_FOUND, "run_not_found", NULL, "Run not found: %s", run_id);
	else
		rc = store_db_fail(s, "read last event", err);
	sqlite3_finalize(st);
	return rc;
}

static enum herr insert_events(struct store *s, const char *run_id, const char *const *events,
			       size_t n, int64_t *seq, struct herror *err)
{
	sqlite3_stmt *st;
	double now = store_db_now();
	enum herr rc = store_db_prepare(s, "INSERT INTO run_events(run_id, seq, event, created_at)"
					" VALUES(?1, ?2, ?3, ?4)", &st, err);

	for(size_t i = 0; !rc && i < n; i++) {
		sqlite3_reset(st);
		store_db_bind_text(st, 1, run_id);
		sqlite3_bind_int64(st, 2, ++*seq);
		store_db_bind_text(st, 3, events[i]);
		sqlite3_bind_double(st, 4, now);
		rc = store_db_step_done(s, st, "add run event", err);
	}
	sqlite3_finalize(st);
	return rc;
}

enum herr store_events_append(struct store *s, const char *run_id, const char *const *events,
			      size_t n, const char *last_event, int64_t *last_seq,
			      struct herror *err)
{
	int64_t seq = 0;
	enum herr rc = store_db_begin(s, err);

	if(rc)
		return rc;
	rc = last_seq_of(s, run_id, &seq, err);
	if(!rc)
		rc = insert_events(s, run_id, events, n, &seq, err);
	if(!rc && last_event) {
		struct store_run_fields f = { .last_event = last_event, .worker_pid = -1 };
		int changed;

		rc = store_db_run_fields(s, run_id, -1, &f, &changed, err);
	}
	rc = store_db_finish(s, rc, err);
	if(!rc && last_seq)
		*last_seq = seq;
	return rc;
}

enum herr store_event_add(struct store *s, const char *run_id, const char *json,
			  int64_t *seq_out, struct herror *err)
{
	return store_events_append(s, run_id, &json, 1, NULL, seq_out, err);
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
