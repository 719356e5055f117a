/* src/store/approvals.c: the approval requests of a run - opened by the
 * worker when a command needs consent, answered through
 * POST /v1/runs/{id}/approval. SPEC: runs-discovery-security §2.5
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

void store_approval_release(struct store_approval *a)
{
	free(a->run_id);
	free(a->request_id);
	free(a->command);
	free(a->reason);
	free(a->choice);
	memset(a, 0, sizeof(*a));
}

enum herr store_run_approval_open(struct store *s, const char *run_id, const char *request_id,
				  const char *command, const char *reason, struct herror *err)
{
	enum store_run_status cur;
	sqlite3_stmt *st;
	enum herr rc = store_db_begin(s, err);

	if(rc)
		return rc;
	rc = store_db_run_status(s, run_id, &cur, err);
	if(!rc)
		rc = store_db_prepare(s, "INSERT INTO run_approvals(run_id, request_id, command,"
				      " reason, created_at) VALUES(?1, ?2, ?3, ?4, ?5)", &st, err);
	if(!rc) {
		store_db_bind_text(st, 1, run_id);
		store_db_bind_text(st, 2, request_id);
		store_db_bind_text(st, 3, command);
		store_db_bind_text(st, 4, reason);
		sqlite3_bind_double(st, 5, store_db_now());
		rc = store_db_step_done(s, st, "open approval", err);
		sqlite3_finalize(st);
		if(rc == HERR_CONFLICT)
			rc = herr_set(err, HERR_CONFLICT, "approval_exists", NULL,
				      "Approval %s of run %s already exists.", request_id, run_id);
	}
	return store_db_finish(s, rc, err);
}

#define APPROVAL_COLUMNS "run_id, request_id, command, reason, choice, created_at, answered_at"

/* Request request_id (NULL: the newest; open_only: the newest unanswered)
 * into *out, inside or outside a transaction. */
static enum herr read_one(struct store *s, const char *run_id, const char *request_id,
			  int open_only, struct store_approval *out, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "SELECT " APPROVAL_COLUMNS " FROM run_approvals"
					" WHERE run_id = ?1 AND (?2 IS NULL OR request_id = ?2)"
					" AND (?3 = 0 OR choice IS NULL)"
					" ORDER BY created_at DESC, request_id DESC LIMIT 1", &st, err);
	int step;

	memset(out, 0, sizeof(*out));
	if(rc)
		return rc;
	store_db_bind_text(st, 1, run_id);
	store_db_bind_text(st, 2, request_id);
	sqlite3_bind_int(st, 3, open_only);
	step = sqlite3_step(st);
	if(step == SQLITE_ROW) {
		out->run_id = store_db_col_dup(st, 0);
		out->request_id = store_db_col_dup(st, 1);
		out->command = store_db_col_dup(st, 2);
		out->reason = store_db_col_dup(st, 3);
		out->choice = store_db_col_dup(st, 4);
		out->created_at = sqlite3_column_double(st, 5);
		out->answered_at = sqlite3_column_double(st, 6);
	} else if(step == SQLITE_DONE) {
		rc = herr_set(err, HERR_NOT_FOUND, "approval_not_found", NULL,
			      "No pending approval%s%s for run %s.", request_id ? " " : "",
			      request_id ? request_id : "", run_id);
	} else {
		rc = store_db_fail(s, "read approval", err);
	}
	sqlite3_finalize(st);
	return rc;
}

enum herr store_run_approval_get(struct store *s, const char *run_id, const char *request_id,
				 struct store_approval *out, struct herror *err)
{
	return read_one(s, run_id, request_id, 0, out, err);
}

static enum herr write_choice(struct store *s, const char *run_id, const char *request_id,
			      const char *choice, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "UPDATE run_approvals SET choice = ?3, answered_at = ?4"
					" WHERE run_id = ?1 AND request_id = ?2 AND choice IS NULL",
					&st, err);

	if(rc)
		return rc;
	store_db_bind_text(st, 1, run_id);
	store_db_bind_text(st, 2, request_id);
	store_db_bind_text(st, 3, choice);
	sqlite3_bind_double(st, 4, store_db_now());
	rc = store_db_step_done(s, st, "answer approval", err);
	sqlite3_finalize(st);
	return rc;
}

enum herr store_run_approval_answer(struct store *s, const char *run_id, const char *request_id,
				    const char *choice, unsigned status_mask, char **answered,
				    enum store_run_status *prev, struct herror *err)
{
	struct store_approval a = { 0 };
	enum herr rc;

	if(answered)
		*answered = NULL;
	if((rc = store_db_begin(s, err)))
		return rc;
	rc = store_db_run_expect(s, run_id, status_mask, "run_not_waiting",
				 "not waiting for approval", prev, err);
	if(!rc) /* no id: the newest open one */
		rc = read_one(s, run_id, request_id, request_id == NULL, &a, err);
	if(!rc && a.choice)
		rc = herr_set(err, HERR_CONFLICT, "approval_answered", NULL,
			      "Approval %s was already answered (%s).", a.request_id, a.choice);
	if(!rc)
		rc = write_choice(s, run_id, a.request_id, choice, err);
	rc = store_db_finish(s, rc, err);
	if(!rc && answered) {
		*answered = a.request_id;
		a.request_id = NULL;
	}
	store_approval_release(&a);
	return rc;
}
