/* src/store/sessions.c: sessions and their messages.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

#include <json-c/json.h>

#define SESSION_COLUMNS                                                                    \
	"id, source, session_key, model, parent_session_id, title, started_at, updated_at,"   \
	" ended_at, end_reason, message_count, tool_call_count, input_tokens, output_tokens," \
	" system_prompt IS NOT NULL AS has_system_prompt"

#define MESSAGE_COLUMNS                                                          \
	"id, role, content, tool_calls, tool_call_id, tool_name, finish_reason, reasoning," \
	" token_count, timestamp"

/* Bind a session's fields as ?1 id, ?2 source, ?3 parent, ?4 title,
 * ?5 model, ?6 system prompt, ?7 session key, ?8 now. */
static void bind_session(sqlite3_stmt *st, const struct store_session *sess)
{
	store_db_bind_text(st, 1, sess->id);
	store_db_bind_text(st, 2, sess->source);
	store_db_bind_text(st, 3, sess->parent_session_id);
	store_db_bind_text(st, 4, sess->title);
	store_db_bind_text(st, 5, sess->model);
	store_db_bind_text(st, 6, sess->system_prompt);
	store_db_bind_text(st, 7, sess->session_key);
	sqlite3_bind_double(st, 8, store_db_now());
}

enum herr store_session_create(struct store *s, const struct store_session *sess,
			       struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_begin(s, err);

	if(rc)
		return rc;
	rc = store_db_prepare(s, "INSERT INTO sessions(id, source, parent_session_id, title, model,"
			      " system_prompt, session_key, started_at, updated_at)"
			      " VALUES(?1, coalesce(?2, 'api_server'), ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
			      &st, err);
	if(!rc) {
		bind_session(st, sess);
		rc = store_db_step_done(s, st, "create session", err);
		sqlite3_finalize(st);
	}
	if(rc == HERR_CONFLICT)
		rc = herr_set(err, HERR_CONFLICT, "session_exists", NULL,
			      "Session %s already exists (or its parent does not).", sess->id);
	return store_db_finish(s, rc, err);
}

enum herr store_session_get(struct store *s, const char *id, struct json_object **out,
			    struct herror *err)
{
	return store_db_get_one(s, "SELECT " SESSION_COLUMNS " FROM sessions WHERE id = ?1", id,
		       "session_not_found", "Session", out, err);
}

/* One UPDATE/DELETE on a session in its own transaction; HERR_NOT_FOUND
 * when no row changed. Binds ?1 id, ?2 text a, ?3 b, ?4 c, ?5 now; a
 * statement need not use them all (binding an absent index is ignored). */
static enum herr change(struct store *s, const char *sql, const char *id, const char *a,
			int64_t b, int64_t c, const char *what, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_begin(s, err);
	int changed = 0;

	if(rc)
		return rc;
	rc = store_db_prepare(s, sql, &st, err);
	if(!rc) {
		store_db_bind_text(st, 1, id);
		store_db_bind_text(st, 2, a);
		sqlite3_bind_int64(st, 3, b);
		sqlite3_bind_int64(st, 4, c);
		sqlite3_bind_double(st, 5, store_db_now());
		rc = store_db_step_done(s, st, what, err);
		changed = sqlite3_changes(s->db);
		sqlite3_finalize(st);
	}
	if(!rc && !changed)
		rc = herr_set(err, HERR_NOT_FOUND, "session_not_found", NULL,
			      "Session %s not found.", id);
	return store_db_finish(s, rc, err);
}

enum herr store_session_set_title(struct store *s, const char *id, const char *title,
				  struct herror *err)
{
	return change(s, "UPDATE sessions SET title = ?2, updated_at = ?5 WHERE id = ?1",
		      id, title, 0, 0, "set session title", err);
}

enum herr store_session_end(struct store *s, const char *id, const char *reason,
			    struct herror *err)
{
	return change(s, "UPDATE sessions SET ended_at = ?5, end_reason = ?2, updated_at = ?5"
		      " WHERE id = ?1", id, reason, 0, 0, "end session", err);
}

enum herr store_session_add_usage(struct store *s, const char *id, int64_t input_tokens,
				  int64_t output_tokens, struct herror *err)
{
	return change(s, "UPDATE sessions SET input_tokens = input_tokens + ?3,"
		      " output_tokens = output_tokens + ?4, updated_at = ?5 WHERE id = ?1", id, NULL, input_tokens, output_tokens,
		      "add session usage", err);
}

enum herr store_session_delete(struct store *s, const char *id, struct herror *err)
{
	return change(s, "DELETE FROM sessions WHERE id = ?1", id, NULL, 0, 0, "delete session", err);
}

enum herr store_message_add(struct store *s, const struct store_message *m, int64_t *id_out,
			    struct herror *err)
{
	sqlite3_stmt *st;
	double now = store_db_now();
	enum herr rc = store_db_begin(s, err);

	if(rc)
		return rc;
	rc = store_db_prepare(s, "INSERT INTO messages(session_id, role, content, tool_calls,"
			      " tool_call_id, tool_name, finish_reason, reasoning, token_count,"
			      " timestamp) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", &st, err);
	if(!rc) {
		store_db_bind_text(st, 1, m->session_id);
		store_db_bind_text(st, 2, m->role);
		store_db_bind_text(st, 3, m->content);
		store_db_bind_text(st, 4, m->tool_calls);
		store_db_bind_text(st, 5, m->tool_call_id);
		store_db_bind_text(st, 6, m->tool_name);
		store_db_bind_text(st, 7, m->finish_reason);
		store_db_bind_text(st, 8, m->reasoning);
		if(m->token_count > 0)
			sqlite3_bind_int64(st, 9, m->token_count);
		sqlite3_bind_double(st, 10, now);
		rc = store_db_step_done(s, st, "add message", err);
		if(!rc && id_out)
			*id_out = sqlite3_last_insert_rowid(s->db);
		sqlite3_finalize(st);
	}
	if(rc == HERR_CONFLICT)
		rc = herr_set(err, HERR_NOT_FOUND, "session_not_found", NULL,
			      "Session %s not found.", m->session_id);
	if(!rc) {
		rc = store_db_prepare(s, "UPDATE sessions SET message_count = message_count + 1,"
				      " tool_call_count = tool_call_count + ?2, updated_at = ?3"
				      " WHERE id = ?1", &st, err);
		if(!rc) {
			store_db_bind_text(st, 1, m->session_id);
			sqlite3_bind_int(st, 2, m->tool_calls ? 1 : 0);
			sqlite3_bind_double(st, 3, now);
			rc = store_db_step_done(s, st, "count message", err);
			sqlite3_finalize(st);
		}
	}
	return store_db_finish(s, rc, err);
}

enum herr store_messages_page(struct store *s, const char *session_id, int64_t after_id,
			      int limit, struct json_object **out, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "SELECT " MESSAGE_COLUMNS " FROM messages"
					" WHERE session_id = ?1 AND active = 1 AND id > ?2"
					" ORDER BY id LIMIT ?3", &st, err);

	*out = NULL;
	if(rc)
		return rc;
	store_db_bind_text(st, 1, session_id);
	sqlite3_bind_int64(st, 2, after_id);
	sqlite3_bind_int(st, 3, limit > 0 ? limit : -1);
	rc = store_db_rows(s, st, out, err);
	sqlite3_finalize(st);
	return rc;
}

enum herr store_messages(struct store *s, const char *session_id, struct json_object **out,
			 struct herror *err)
{
	return store_messages_page(s, session_id, 0, 0, out, err);
}

/* ---- fork ------------------------------------------------------------------ */

/* Is upto an active message of session src? Inside the fork's transaction. */
static enum herr check_upto(struct store *s, const char *src, int64_t upto, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "SELECT 1 FROM messages WHERE id = ?2 AND"
					" session_id = ?1 AND active = 1", &st, err);
	int step;

	if(rc)
		return rc;
	store_db_bind_text(st, 1, src);
	sqlite3_bind_int64(st, 2, upto);
	step = sqlite3_step(st);
	if(step == SQLITE_DONE)
		rc = herr_set(err, HERR_NOT_FOUND, "message_not_found", NULL,
			      "Message %lld is not in session %s.", (long long)upto, src);
	else if(step != SQLITE_ROW)
		rc = store_db_fail(s, "find fork point", err);
	sqlite3_finalize(st);
	return rc;
}

/* The child row: given fields, else the source's. HERR_NOT_FOUND if there
 * is no source, HERR_CONFLICT if the child id exists. */
static enum herr insert_child(struct store *s, const char *src, const struct store_session *c,
			      struct herror *err)
{
	struct store_session row = *c;
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "INSERT INTO sessions(id, source, parent_session_id,"
					" title, model, system_prompt, session_key, started_at,"
					" updated_at) SELECT ?1, coalesce(?2, source), id,"
					" coalesce(?4, title), coalesce(?5, model),"
					" coalesce(?6, system_prompt), coalesce(?7, session_key), ?8, ?8"
					" FROM sessions WHERE id = ?3", &st, err);

	if(rc)
		return rc;
	row.parent_session_id = src;
	bind_session(st, &row);
	rc = store_db_step_done(s, st, "fork session", err);
	if(!rc && sqlite3_changes(s->db) == 0)
		rc = herr_set(err, HERR_NOT_FOUND, "session_not_found", NULL,
			      "Session %s not found.", src);
	else if(rc == HERR_CONFLICT)
		rc = herr_set(err, HERR_CONFLICT, "session_exists", NULL,
			      "Session %s already exists.", c->id);
	sqlite3_finalize(st);
	return rc;
}

/* Copy src's active messages (up to upto, 0 = all) into child, in order,
 * and count them into the child's row. */
static enum herr copy_messages(struct store *s, const char *src, const char *child,
			       int64_t upto, int64_t *copied, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "INSERT INTO messages(session_id, role, content,"
					" tool_calls, tool_call_id, tool_name, finish_reason, reasoning,"
					" token_count, timestamp) SELECT ?2, role, content, tool_calls,"
					" tool_call_id, tool_name, finish_reason, reasoning, token_count,"
					" timestamp FROM messages WHERE session_id = ?1 AND active = 1"
					" AND (?3 = 0 OR id <= ?3) ORDER BY id", &st, err);

	if(rc)
		return rc;
	store_db_bind_text(st, 1, src);
	store_db_bind_text(st, 2, child);
	sqlite3_bind_int64(st, 3, upto);
	rc = store_db_step_done(s, st, "copy messages", err);
	*copied = sqlite3_changes(s->db);
	sqlite3_finalize(st);
	if(rc)
		return rc;
	return store_db_exec_id(s, "UPDATE sessions SET message_count = (SELECT count(*) FROM"
				" messages WHERE session_id = ?1), tool_call_count = (SELECT count(*)"
				" FROM messages WHERE session_id = ?1 AND tool_calls IS NOT NULL)"
				" WHERE id = ?1", child, "count forked messages", NULL, err);
}

enum herr store_session_fork(struct store *s, const char *src_id,
			     const struct store_session *child, int64_t upto_id,
			     int64_t *copied, struct herror *err)
{
	int64_t n = 0;
	enum herr rc = store_db_begin(s, err);

	if(rc)
		return rc;
	rc = insert_child(s, src_id, child, err);
	if(!rc && upto_id > 0)
		rc = check_upto(s, src_id, upto_id, err);
	if(!rc)
		rc = copy_messages(s, src_id, child->id, upto_id > 0 ? upto_id : 0, &n, err);
	rc = store_db_finish(s, rc, err);
	if(copied)
		*copied = rc ? 0 : n;
	return rc;
}
