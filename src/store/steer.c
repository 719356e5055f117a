/* src/store/steer.c: the steer queue of a run - texts POSTed to
 * /v1/runs/{id}/steer, taken by the worker between model calls; what is
 * never taken comes back as pending_steer. SPEC: runs-discovery-security §2.10
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"
#include "util/xalloc.h"

#include <stdlib.h>

static enum herr insert(struct store *s, const char *run_id, const char *text, int64_t *seq,
			struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "INSERT INTO run_steers(run_id, seq, text, created_at)"
					" VALUES(?1, (SELECT coalesce(max(seq), 0) + 1 FROM run_steers"
					" WHERE run_id = ?1), ?2, ?3) RETURNING seq", &st, err);

	if(rc)
		return rc;
	store_db_bind_text(st, 1, run_id);
	store_db_bind_text(st, 2, text);
	sqlite3_bind_double(st, 3, store_db_now());
	if(sqlite3_step(st) == SQLITE_ROW) {
		if(seq)
			*seq = sqlite3_column_int64(st, 0);
		if(sqlite3_step(st) != SQLITE_DONE)
			rc = store_db_fail(s, "queue steer", err);
	} else {
		rc = store_db_fail(s, "queue steer", err);
	}
	sqlite3_finalize(st);
	return rc;
}

enum herr store_run_steer_add(struct store *s, const char *run_id, const char *text,
			      unsigned status_mask, int64_t *seq, enum store_run_status *prev,
			      struct herror *err)
{
	enum herr rc = store_db_begin(s, err);

	if(rc)
		return rc;
	rc = store_db_run_expect(s, run_id, status_mask, "run_not_accepting_steer",
				 "only a running run accepts steer", prev, err);
	if(!rc)
		rc = insert(s, run_id, text, seq, err);
	return store_db_finish(s, rc, err);
}

/* The undelivered texts joined by newlines into *text (NULL if none). */
static enum herr pending(struct store *s, const char *run_id, char **text, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "SELECT group_concat(text, char(10)) FROM (SELECT text"
					" FROM run_steers WHERE run_id = ?1 AND delivered = 0"
					" ORDER BY seq)", &st, err);

	if(rc)
		return rc;
	store_db_bind_text(st, 1, run_id);
	if(sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		*text = t ? xstrdup((const char *)t) : NULL;
	} else {
		rc = store_db_fail(s, "read steer queue", err);
	}
	sqlite3_finalize(st);
	return rc;
}

enum herr store_run_steer_pending(struct store *s, const char *run_id, char **text,
				  struct herror *err)
{
	*text = NULL;
	return pending(s, run_id, text, err);
}

enum herr store_run_steer_take(struct store *s, const char *run_id, char **text,
			       struct herror *err)
{
	enum herr rc;

	*text = NULL;
	if((rc = store_db_begin(s, err)))
		return rc;
	rc = pending(s, run_id, text, err);
	if(!rc && *text)
		rc = store_db_exec_id(s, "UPDATE run_steers SET delivered = 1 WHERE run_id = ?1"
				      " AND delivered = 0", run_id, "take steer", NULL, err);
	rc = store_db_finish(s, rc, err);
	if(rc) {
		free(*text);
		*text = NULL;
	}
	return rc;
}
