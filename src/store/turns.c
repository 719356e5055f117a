/* src/store/turns.c: agent turns in progress across all responders and
 * the runner, for the concurrency cap. A turn whose process died (killed by
 * the web server, crashed) stops counting the next time anyone looks.
 * SPEC: runs-discovery-security §1.6 ([rec]: count what actually runs)
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util/log.h"

static bool alive(long pid)
{
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Delete the rows of dead processes; *count gets the live ones. */
static enum herr sweep(struct store *s, int *count, struct herror *err)
{
	sqlite3_stmt *st, *del;
	enum herr rc = store_db_prepare(s, "SELECT DISTINCT pid FROM turns", &st, err);
	int step;

	if(rc)
		return rc;
	if((rc = store_db_prepare(s, "DELETE FROM turns WHERE pid = ?1", &del, err))) {
		sqlite3_finalize(st);
		return rc;
	}
	while((step = sqlite3_step(st)) == SQLITE_ROW && !rc) {
		long pid = (long)sqlite3_column_int64(st, 0);

		if(alive(pid))
			continue;
		sqlite3_bind_int64(del, 1, pid);
		rc = store_db_step_done(s, del, "forget a dead process's turns", err);
		sqlite3_reset(del);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(del);
	if(rc)
		return rc;
	if((rc = store_db_prepare(s, "SELECT count(*) FROM turns", &st, err)))
		return rc;
	if(sqlite3_step(st) == SQLITE_ROW)
		*count = sqlite3_column_int(st, 0);
	else
		rc = store_db_fail(s, "count turns", err);
	sqlite3_finalize(st);
	return rc;
}

/* *pid: a process with a turn in progress in session_id (0: none), after
 * sweep. */
static enum herr session_turn(struct store *s, const char *session_id, long *pid,
			      struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "SELECT pid FROM turns WHERE session_id = ?1 LIMIT 1",
					&st, err);

	*pid = 0;
	if(rc)
		return rc;
	store_db_bind_text(st, 1, session_id);
	if(sqlite3_step(st) == SQLITE_ROW)
		*pid = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return HERR_OK;
}

enum herr store_turn_begin(struct store *s, long pid, const char *kind, const char *session_id,
			   unsigned flags, int max, int64_t *id, struct herror *err)
{
	sqlite3_stmt *st;
	int count = 0;
	long other = 0;
	enum herr rc = store_db_begin(s, err);

	*id = 0;
	if(rc)
		return rc;
	rc = sweep(s, &count, err);
	if(!rc && (flags & STORE_TURN_ALONE) && session_id && count &&
	   !(rc = session_turn(s, session_id, &other, err)) && other)
		rc = herr_set(err, HERR_CONFLICT, "session_busy", NULL,
			      "Session %s has a turn in progress (process %ld); send the next "
			      "message when it has ended.", session_id, other);
	if(!rc && max > 0 && count >= max) {
		rc = herr_set(err, HERR_RATE_LIMIT, "rate_limit_exceeded", NULL,
			      "Too many concurrent runs (max %d)", max);
		herr_set_status(err, 429, "rate_limit_error");
	}
	if(!rc)
		rc = store_db_prepare(s, "INSERT INTO turns(pid, kind, started_at, session_id)"
				      " VALUES(?1, ?2, ?3, ?4)", &st, err);
	if(!rc) {
		sqlite3_bind_int64(st, 1, pid);
		store_db_bind_text(st, 2, kind);
		sqlite3_bind_double(st, 3, store_db_now());
		store_db_bind_text(st, 4, session_id && *session_id ? session_id : NULL);
		rc = store_db_step_done(s, st, "register a turn", err);
		*id = sqlite3_last_insert_rowid(s->db);
		sqlite3_finalize(st);
	}
	return store_db_finish(s, rc, err);
}

enum herr store_turn_in_session(struct store *s, const char *session_id, long *pid,
				struct herror *err)
{
	int count = 0;
	enum herr rc = sweep(s, &count, err);

	*pid = 0;
	if(rc || !count)
		return rc;
	return session_turn(s, session_id, pid, err);
}

void store_turn_end(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	struct herror err;
	enum herr rc;

	herr_clear(&err);
	if(!id || store_db_begin(s, &err))
		return;
	rc = store_db_prepare(s, "DELETE FROM turns WHERE id = ?1", &st, &err);
	if(!rc) {
		sqlite3_bind_int64(st, 1, id);
		rc = store_db_step_done(s, st, "end a turn", &err);
		sqlite3_finalize(st);
	}
	if(store_db_finish(s, rc, &err))
		LOG_WARN("%s", err.msg);
}
