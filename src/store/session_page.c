/* src/store/session_page.c: sessions as the REST sessions API shows them:
 * a page of the list (by offset or after a cursor), one summary, and a
 * delete that refuses while a live run uses the session.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonx.h"
#include "util/xalloc.h"

/* A session's summary: its columns (never the system prompt itself) and a
 * preview of its newest user or assistant text. */
#define SUMMARY_COLUMNS                                                                      \
	"s.id AS id, s.title AS title, s.source AS source, s.model AS model,"                   \
	" s.parent_session_id AS parent_session_id, s.started_at AS started_at,"                \
	" s.updated_at AS updated_at, s.ended_at AS ended_at, s.end_reason AS end_reason,"      \
	" s.message_count AS message_count, s.tool_call_count AS tool_call_count,"              \
	" s.input_tokens AS input_tokens, s.output_tokens AS output_tokens,"                    \
	" s.system_prompt IS NOT NULL AS has_system_prompt,"                                    \
	" (SELECT substr(m.content, 1, " STORE_PREVIEW_CHARS_STR ") FROM messages m"             \
	"  WHERE m.session_id = s.id AND m.active = 1 AND m.role IN ('user', 'assistant')"       \
	"  AND coalesce(m.content, '') <> '' ORDER BY m.id DESC LIMIT 1) AS last_message_preview"

#define STORE_PREVIEW_CHARS_STR "200"

enum herr store_session_summary(struct store *s, const char *id, struct json_object **out,
				struct herror *err)
{
	return store_db_get_one(s, "SELECT " SUMMARY_COLUMNS " FROM sessions s WHERE s.id = ?1", id,
				"session_not_found", "Session", out, err);
}

enum herr store_session_page(struct store *s, const char *source, int limit, int offset,
			     const char *after, struct json_object **out, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc;

	*out = NULL;
	/* Newest first with the id as tie-break, so a cursor (the last id of a
	 * page) continues exactly where the page ended. An unknown cursor
	 * matches nothing and gives an empty page. */
	rc = store_db_prepare(s, "SELECT " SUMMARY_COLUMNS " FROM sessions s"
			      " WHERE (?1 IS NULL OR s.source = ?1) AND (?4 IS NULL OR EXISTS"
			      " (SELECT 1 FROM sessions c WHERE c.id = ?4 AND (s.started_at < c.started_at"
			      " OR (s.started_at = c.started_at AND s.id < c.id))))"
			      " ORDER BY s.started_at DESC, s.id DESC LIMIT ?2 OFFSET ?3", &st, err);
	if(rc)
		return rc;
	store_db_bind_text(st, 1, source);
	sqlite3_bind_int(st, 2, limit > 0 ? limit : -1);
	sqlite3_bind_int(st, 3, offset > 0 ? offset : 0);
	store_db_bind_text(st, 4, after);
	rc = store_db_rows(s, st, out, err);
	sqlite3_finalize(st);
	return rc;
}

enum herr store_session_system_prompt(struct store *s, const char *id, char **out,
				      struct herror *err)
{
	struct json_object *row = NULL;
	const char *p;
	enum herr rc = store_db_get_one(s, "SELECT system_prompt FROM sessions WHERE id = ?1", id,
					"session_not_found", "Session", &row, err);

	*out = NULL;
	if(rc)
		return rc;
	p = json_object_get_string(json_object_object_get(row, "system_prompt"));
	if(p && json_object_object_get(row, "system_prompt"))
		*out = xstrdup(p);
	json_object_put(row);
	return HERR_OK;
}

/* Inside the transaction: HERR_CONFLICT session_in_use naming a live run
 * that uses session id, or else a live turn in progress in it. */
static enum herr check_idle(struct store *s, const char *id, struct herror *err)
{
	struct json_object *run = NULL;
	long pid = 0;
	enum herr rc = store_db_get_one(s, "SELECT id, status FROM runs WHERE session_id = ?1 AND"
					" status IN ('queued', 'running', 'waiting_for_approval',"
					" 'stopping') LIMIT 1", id, "no_live_run", "Live run of session",
					&run, err);


	if(rc == HERR_NOT_FOUND) {
		herr_clear(err);
		if((rc = store_turn_in_session(s, id, &pid, err)) || !pid)
			return rc;
		return herr_set(err, HERR_CONFLICT, "session_in_use", NULL,
				"Session %s is in use by a turn in progress (process %ld); wait "
				"for it to end, then delete the session.", id, pid);
	}
	if(!rc)
		rc = herr_set(err, HERR_CONFLICT, "session_in_use", NULL,
			      "Session %s is in use by run %s (%s); stop the run or wait for it to "
			      "end, then delete the session.", id, jsonx_get_str(run, "id"),
			      jsonx_get_str(run, "status"));
	json_object_put(run);
	return rc;
}

/* Inside the transaction: how many messages session id has. */
static enum herr count_messages(struct store *s, const char *id, int64_t *n, struct herror *err)
{
	struct json_object *row = NULL;
	enum herr rc = store_db_get_one(s, "SELECT count(*) AS n FROM messages WHERE session_id = ?1",
					id, "session_not_found", "Messages of session", &row, err);

	if(!rc && n)
		*n = json_object_get_int64(json_object_object_get(row, "n"));
	json_object_put(row);
	return rc;
}

enum herr store_session_remove(struct store *s, const char *id, int64_t *messages,
			       struct herror *err)
{
	int changed = 0;
	enum herr rc = store_db_begin(s, err);

	if(messages)
		*messages = 0;
	if(rc)
		return rc;
	rc = check_idle(s, id, err);
	if(!rc)
		rc = count_messages(s, id, messages, err);
	if(!rc)
		rc = store_db_exec_id(s, "DELETE FROM todos WHERE session_id = ?1", id,
				      "delete a session's todos", NULL, err);
	if(!rc)
		rc = store_db_exec_id(s, "DELETE FROM sessions WHERE id = ?1", id, "delete session",
				      &changed, err);
	if(!rc && !changed)
		rc = herr_set(err, HERR_NOT_FOUND, "session_not_found", NULL,
			      "Session %s not found.", id);
	return store_db_finish(s, rc, err);
}
