/* src/store/responses.c: stored responses (LRU-capped) and the
 * conversation names that point at them. SPEC: runs-discovery-security §5.4
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

#include <json-c/json.h>
#include <stdlib.h>

#include "util/jsonx.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Record the ids of the response's output items (replacing those of an
 * earlier version of it), so an item_reference resolves without reading
 * every stored response. Inside the caller's transaction. */
static enum herr index_items(struct store *s, const char *id, const char *json,
			     struct herror *err)
{
	sqlite3_stmt *st = NULL;
	enum herr rc = store_db_exec_id(s, "DELETE FROM response_items WHERE response_id = ?1", id,
					"index response items", NULL, err);

	if(rc)
		return rc;
	rc = store_db_prepare(s, "INSERT OR REPLACE INTO response_items(item_id, response_id,"
			      " output_index) SELECT json_extract(value, '$.id'), ?1, key FROM"
			      " json_each(" STORE_OUTPUT_ARRAY("?2") ")"
			      " WHERE json_type(value, '$.id') = 'text'", &st, err);
	if(rc)
		return rc;
	store_db_bind_text(st, 1, id);
	store_db_bind_big_text(st, 2, json);
	rc = store_db_step_done(s, st, "index response items", err);
	sqlite3_finalize(st);
	return rc;
}

static enum herr put_tx(struct store *s, const char *id, const char *json,
			const char *session_id, struct herror *err)
{
	sqlite3_stmt *st = NULL;
	double now = store_db_now();
	enum herr rc;

	rc = store_db_prepare(s, "INSERT INTO responses(id, data, session_id, created_at, accessed_at)"
			      " VALUES(?1, ?2, ?3, ?4, ?4) ON CONFLICT(id) DO UPDATE SET"
			      " data = excluded.data, session_id = excluded.session_id,"
			      " accessed_at = excluded.accessed_at", &st, err);
	if(rc)
		return rc;
	store_db_bind_text(st, 1, id);
	store_db_bind_big_text(st, 2, json);
	store_db_bind_text(st, 3, session_id);
	sqlite3_bind_double(st, 4, now);
	rc = store_db_step_done(s, st, "store response", err);
	sqlite3_finalize(st);
	if(rc || (rc = index_items(s, id, json, err)))
		return rc;
	/* Evict beyond the cap, least recently used first; the conversation
	 * names pointing at evicted rows go with them (ON DELETE CASCADE). */
	rc = store_db_prepare(s, "DELETE FROM responses WHERE id IN (SELECT id FROM responses"
			      " ORDER BY accessed_at DESC, rowid DESC LIMIT -1 OFFSET ?1)", &st, err);
	if(rc)
		return rc;
	sqlite3_bind_int(st, 1, s->max_responses);
	rc = store_db_step_done(s, st, "evict responses", err);
	sqlite3_finalize(st);
	return rc;
}

enum herr store_response_put(struct store *s, const char *id, const char *json,
			     const char *session_id, struct herror *err)
{
	enum herr rc = store_db_begin(s, err);

	if(rc)
		return rc;
	return store_db_finish(s, put_tx(s, id, json, session_id, err), err);
}

static enum herr delete_row(struct store *s, const char *id, int *deleted, struct herror *err)
{
	return store_db_exec_id(s, "DELETE FROM responses WHERE id = ?1", id, "delete response",
				deleted, err);
}

static enum herr touch(struct store *s, const char *id, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_begin(s, err);

	if(rc)
		return rc;
	rc = store_db_prepare(s, "UPDATE responses SET accessed_at = ?2 WHERE id = ?1", &st, err);
	if(!rc) {
		store_db_bind_text(st, 1, id);
		sqlite3_bind_double(st, 2, store_db_now());
		rc = store_db_step_done(s, st, "mark response used", err);
		sqlite3_finalize(st);
	}
	return store_db_finish(s, rc, err);
}

enum herr store_response_get(struct store *s, const char *id, char **json, char **session_id,
			     struct herror *err)
{
	sqlite3_stmt *st;
	struct json_object *parsed;
	enum herr rc;
	int step;

	*json = NULL;
	if(session_id)
		*session_id = NULL;
	rc = store_db_prepare(s, "SELECT data, session_id FROM responses WHERE id = ?1", &st, err);
	if(rc)
		return rc;
	store_db_bind_text(st, 1, id);
	step = sqlite3_step(st);
	if(step == SQLITE_ROW) {
		const char *data = (const char *)sqlite3_column_text(st, 0);
		const char *sid = (const char *)sqlite3_column_text(st, 1);

		*json = xstrdup(data ? data : "");
		if(session_id && sid)
			*session_id = xstrdup(sid);
	} else if(step != SQLITE_DONE) {
		rc = store_db_fail(s, "read response", err);
	}
	sqlite3_finalize(st);
	if(rc)
		return rc;
	if(!*json)
		return herr_set(err, HERR_NOT_FOUND, "response_not_found", NULL,
				"Response %s not found.", id);
	parsed = jsonx_parse_stored(*json);
	if(!parsed) {
		LOG_WARN("state.db: stored response %s holds corrupt JSON; deleting it", id);
		free(*json);
		*json = NULL;
		if(session_id) {
			free(*session_id);
			*session_id = NULL;
		}
		if(!store_db_begin(s, err))
			(void)store_db_finish(s, delete_row(s, id, NULL, err), err);
		herr_clear(err);
		return herr_set(err, HERR_NOT_FOUND, "response_not_found", NULL,
				"Response %s not found.", id);
	}
	json_object_put(parsed);
	if(touch(s, id, err))
		LOG_WARN("state.db: could not mark response %s used: %s", id, err->msg);
	herr_clear(err);
	return HERR_OK;
}

enum herr store_response_delete(struct store *s, const char *id, struct herror *err)
{
	int deleted = 0;
	enum herr rc = store_db_begin(s, err);

	if(rc)
		return rc;
	rc = store_db_finish(s, delete_row(s, id, &deleted, err), err);
	if(!rc && !deleted)
		return herr_set(err, HERR_NOT_FOUND, "response_not_found", NULL,
				"Response %s not found.", id);
	return rc;
}

enum herr store_conversation_set(struct store *s, const char *name, const char *response_id,
				 struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_begin(s, err);

	if(rc)
		return rc;
	rc = store_db_prepare(s, "INSERT INTO conversations(name, response_id) VALUES(?1, ?2)"
			      " ON CONFLICT(name) DO UPDATE SET response_id = excluded.response_id",
			      &st, err);
	if(!rc) {
		store_db_bind_text(st, 1, name);
		store_db_bind_text(st, 2, response_id);
		rc = store_db_step_done(s, st, "name conversation", err);
		sqlite3_finalize(st);
	}
	if(rc == HERR_CONFLICT) /* the foreign key: no such response */
		rc = herr_set(err, HERR_NOT_FOUND, "response_not_found", NULL,
			      "Response %s not found.", response_id);
	return store_db_finish(s, rc, err);
}

enum herr store_conversation_get(struct store *s, const char *name, char **response_id,
				 struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc;
	int step;

	*response_id = NULL;
	rc = store_db_prepare(s, "SELECT response_id FROM conversations WHERE name = ?1", &st, err);
	if(rc)
		return rc;
	store_db_bind_text(st, 1, name);
	step = sqlite3_step(st);
	if(step == SQLITE_ROW)
		*response_id = xstrdup((const char *)sqlite3_column_text(st, 0));
	else if(step != SQLITE_DONE)
		rc = store_db_fail(s, "read conversation", err);
	sqlite3_finalize(st);
	if(!rc && !*response_id)
		rc = herr_set(err, HERR_NOT_FOUND, "conversation_not_found", NULL,
			      "Conversation %s not found.", name);
	return rc;
}

enum herr store_response_item(struct store *s, const char *item_id, char **item_json,
			      char **response_id, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc;
	int step;

	*item_json = NULL;
	if(response_id)
		*response_id = NULL;
	rc = store_db_prepare(s, "SELECT json_extract(r.data, '$.output[' || i.output_index || ']'),"
			      " r.id FROM response_items i JOIN responses r ON r.id = i.response_id"
			      " WHERE i.item_id = ?1 AND json_valid(r.data)", &st, err);
	if(rc)
		return rc;
	store_db_bind_text(st, 1, item_id);
	step = sqlite3_step(st);
	if(step == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT) {
		*item_json = xstrdup((const char *)sqlite3_column_text(st, 0));
		if(response_id)
			*response_id = xstrdup((const char *)sqlite3_column_text(st, 1));
	} else if(step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = store_db_fail(s, "read response item", err);
	}
	sqlite3_finalize(st);
	if(!rc && !*item_json)
		rc = herr_set(err, HERR_NOT_FOUND, "item_not_found", NULL,
			      "Item with id '%s' not found.", item_id);
	return rc;
}
