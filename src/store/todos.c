/* src/store/todos.c: the todo tool's per-session task lists.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

#include "util/xalloc.h"

enum herr store_todo_get(struct store *s, const char *session_id, char **json,
			 struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "SELECT items FROM todos WHERE session_id = ?1", &st, err);
	int step;

	*json = NULL;
	if(rc)
		return rc;
	store_db_bind_text(st, 1, session_id);
	step = sqlite3_step(st);
	if(step == SQLITE_ROW)
		*json = xstrdup((const char *)sqlite3_column_text(st, 0));
	else if(step == SQLITE_DONE)
		*json = xstrdup("[]");
	else
		rc = store_db_fail(s, "read todo list", err);
	sqlite3_finalize(st);
	return rc;
}

enum herr store_todo_set(struct store *s, const char *session_id, const char *json,
			 struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_begin(s, err);

	if(rc)
		return rc;
	rc = store_db_prepare(s, "INSERT INTO todos(session_id, items, updated_at) VALUES(?1, ?2, ?3)"
			      " ON CONFLICT(session_id) DO UPDATE SET items = excluded.items,"
			      " updated_at = excluded.updated_at", &st, err);
	if(!rc) {
		store_db_bind_text(st, 1, session_id);
		store_db_bind_text(st, 2, json);
		sqlite3_bind_double(st, 3, store_db_now());
		rc = store_db_step_done(s, st, "save todo list", err);
		sqlite3_finalize(st);
	}
	return store_db_finish(s, rc, err);
}
