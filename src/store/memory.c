/* src/store/memory.c: memory entries scoped by session key.
 * SPEC: runs-discovery-security §5.6
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

#include <json-c/json.h>

/* One write statement binding key (and entry) in its own transaction. */
static enum herr write_one(struct store *s, const char *sql, const char *key, const char *entry,
			   const char *what, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_begin(s, err);

	if(rc)
		return rc;
	rc = store_db_prepare(s, sql, &st, err);
	if(!rc) {
		store_db_bind_text(st, 1, key);
		store_db_bind_text(st, 2, entry);
		sqlite3_bind_double(st, 3, store_db_now());
		rc = store_db_step_done(s, st, what, err);
		sqlite3_finalize(st);
	}
	return store_db_finish(s, rc, err);
}

enum herr store_memory_add(struct store *s, const char *key, const char *entry,
			   struct herror *err)
{
	return write_one(s, "INSERT INTO memory(session_key, entry, created_at) VALUES(?1, ?2, ?3)",
			 key, entry, "add memory entry", err);
}

enum herr store_memory_clear(struct store *s, const char *key, struct herror *err)
{
	return write_one(s, "DELETE FROM memory WHERE session_key = ?1", key, NULL,
			 "clear memory", err);
}

enum herr store_memory_list(struct store *s, const char *key, struct json_object **out,
			    struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "SELECT entry FROM memory WHERE session_key = ?1"
					" ORDER BY id", &st, err);
	int step;

	*out = NULL;
	if(rc)
		return rc;
	store_db_bind_text(st, 1, key);
	*out = json_object_new_array();
	while((step = sqlite3_step(st)) == SQLITE_ROW)
		json_object_array_add(*out, json_object_new_string(
					       (const char *)sqlite3_column_text(st, 0)));
	if(step != SQLITE_DONE) {
		json_object_put(*out);
		*out = NULL;
		rc = store_db_fail(s, "read memory", err);
	}
	sqlite3_finalize(st);
	return rc;
}

enum herr store_memory_entries(struct store *s, const char *key, struct json_object **out,
			       struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "SELECT id, entry FROM memory WHERE session_key = ?1"
					" ORDER BY id", &st, err);

	*out = NULL;
	if(rc)
		return rc;
	store_db_bind_text(st, 1, key);
	rc = store_db_rows(s, st, out, err);
	sqlite3_finalize(st);
	return rc;
}

enum herr store_memory_set(struct store *s, const char *key, int64_t id, const char *entry,
			   struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_begin(s, err);
	int changed = 0;

	if(rc)
		return rc;
	rc = store_db_prepare(s, entry ? "UPDATE memory SET entry = ?3 WHERE session_key = ?1 AND id = ?2"
				       : "DELETE FROM memory WHERE session_key = ?1 AND id = ?2",
			      &st, err);
	if(!rc) {
		store_db_bind_text(st, 1, key);
		sqlite3_bind_int64(st, 2, id);
		store_db_bind_text(st, 3, entry);
		rc = store_db_step_done(s, st, "change memory entry", err);
		changed = sqlite3_changes(s->db);
		sqlite3_finalize(st);
	}
	if(!rc && !changed)
		rc = herr_set(err, HERR_NOT_FOUND, "memory_not_found", NULL,
			      "No memory entry %lld.", (long long)id);
	return store_db_finish(s, rc, err);
}
