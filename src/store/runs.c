/* src/store/runs.c: the run-status table shared by responders and the
 * runner.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

#include <json-c/json.h>

enum herr store_run_create(struct store *s, const char *id, const char *session_id,
			   const char *model, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_begin(s, err);

	if(rc)
		return rc;
	rc = store_db_prepare(s, "INSERT INTO runs(id, status, session_id, model, created_at,"
			      " updated_at) VALUES(?1, 'queued', ?2, ?3, ?4, ?4)", &st, err);
	if(!rc) {
		store_db_bind_text(st, 1, id);
		store_db_bind_text(st, 2, session_id);
		store_db_bind_text(st, 3, model);
		sqlite3_bind_double(st, 4, store_db_now());
		rc = store_db_step_done(s, st, "create run", err);
		sqlite3_finalize(st);
	}
	if(rc == HERR_CONFLICT)
		rc = herr_set(err, HERR_CONFLICT, "run_exists", NULL, "Run %s already exists.", id);
	return store_db_finish(s, rc, err);
}

enum herr store_run_update(struct store *s, const char *id, const struct store_run_update *u,
			   struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_begin(s, err);
	int changed = 0;

	if(rc)
		return rc;
	rc = store_db_prepare(s, "UPDATE runs SET status = coalesce(?2, status),"
			      " last_event = coalesce(?3, last_event), output = coalesce(?4, output),"
			      " usage = coalesce(?5, usage), error = coalesce(?6, error),"
			      " worker_pid = coalesce(?7, worker_pid), updated_at = ?8 WHERE id = ?1",
			      &st, err);
	if(!rc) {
		store_db_bind_text(st, 1, id);
		store_db_bind_text(st, 2, u->status);
		store_db_bind_text(st, 3, u->last_event);
		store_db_bind_text(st, 4, u->output);
		store_db_bind_text(st, 5, u->usage);
		store_db_bind_text(st, 6, u->error);
		if(u->worker_pid >= 0)
			sqlite3_bind_int64(st, 7, u->worker_pid);
		sqlite3_bind_double(st, 8, store_db_now());
		rc = store_db_step_done(s, st, "update run", err);
		changed = sqlite3_changes(s->db);
		sqlite3_finalize(st);
	}
	if(!rc && !changed)
		rc = herr_set(err, HERR_NOT_FOUND, "run_not_found", NULL, "Run %s not found.", id);
	return store_db_finish(s, rc, err);
}

enum herr store_run_get(struct store *s, const char *id, struct json_object **out,
			struct herror *err)
{
	return store_db_get_one(s, "SELECT id, status, session_id, model, created_at, updated_at,"
				" last_event, output, usage, error, worker_pid FROM runs WHERE id = ?1",
				id, "run_not_found", "Run", out, err);
}
