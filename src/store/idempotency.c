/* src/store/idempotency.c: Idempotency-Key records of POST /v1/runs - the
 * key, the fingerprint of the request it first came with, and the run it
 * created. SPEC: runs-discovery-security §2.10
 *
 * DESIGN: the record and the run are written in one BEGIN IMMEDIATE
 * transaction that first looks the key up, so two responders racing with
 * the same key create one run between them; the loser gets the winner's
 * record and answers a replay (or a conflict) from it.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

#include <stdlib.h>

/* Look key up (records within the retention only). */
static enum herr lookup(struct store *s, const char *key, char **fp, char **run_id,
			struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "SELECT fingerprint, run_id FROM run_idempotency"
					" WHERE key = ?1 AND created_at >= ?2", &st, err);
	int step;

	if(rc)
		return rc;
	store_db_bind_text(st, 1, key);
	sqlite3_bind_double(st, 2, store_db_now() - STORE_IDEM_RETENTION);
	step = sqlite3_step(st);
	if(step == SQLITE_ROW) {
		if(fp)
			*fp = store_db_col_dup(st, 0);
		if(run_id)
			*run_id = store_db_col_dup(st, 1);
	} else if(step == SQLITE_DONE) {
		rc = herr_set(err, HERR_NOT_FOUND, "idempotency_not_found", NULL,
			      "No record for this Idempotency-Key.");
	} else {
		rc = store_db_fail(s, "read idempotency record", err);
	}
	sqlite3_finalize(st);
	return rc;
}

enum herr store_idem_get(struct store *s, const char *key, char **fingerprint, char **run_id,
			 struct herror *err)
{
	*fingerprint = NULL;
	*run_id = NULL;
	return lookup(s, key, fingerprint, run_id, err);
}

static enum herr sweep(struct store *s, double max_age, int *deleted, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "DELETE FROM run_idempotency WHERE created_at < ?1",
					&st, err);

	if(rc)
		return rc;
	sqlite3_bind_double(st, 1, store_db_now() - max_age);
	rc = store_db_step_done(s, st, "sweep idempotency records", err);
	if(!rc && deleted)
		*deleted = sqlite3_changes(s->db);
	sqlite3_finalize(st);
	return rc;
}

enum herr store_idem_sweep(struct store *s, double max_age, int *deleted, struct herror *err)
{
	enum herr rc = store_db_begin(s, err);

	if(deleted)
		*deleted = 0;
	if(rc)
		return rc;
	return store_db_finish(s, sweep(s, max_age, deleted, err), err);
}

static enum herr record(struct store *s, const char *key, const char *fp, const char *run_id,
			struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "INSERT OR REPLACE INTO run_idempotency(key,"
					" fingerprint, run_id, created_at) VALUES(?1, ?2, ?3, ?4)",
					&st, err);

	if(rc)
		return rc;
	store_db_bind_text(st, 1, key);
	store_db_bind_text(st, 2, fp);
	store_db_bind_text(st, 3, run_id);
	sqlite3_bind_double(st, 4, store_db_now());
	rc = store_db_step_done(s, st, "write idempotency record", err);
	sqlite3_finalize(st);
	return rc;
}

enum herr store_run_create_idem(struct store *s, const struct store_run_new *r, const char *key,
				const char *fingerprint, char **old_fp, char **old_run,
				struct herror *err)
{
	enum herr rc;

	if(old_fp)
		*old_fp = NULL;
	if(old_run)
		*old_run = NULL;
	if((rc = store_db_begin(s, err)))
		return rc;
	if(key) {
		rc = sweep(s, STORE_IDEM_RETENTION, NULL, err);
		if(!rc) {
			enum herr l = lookup(s, key, old_fp, old_run, err);

			if(l == HERR_OK)
				rc = herr_set(err, HERR_CONFLICT, "idempotency_key_exists", NULL,
					      "Idempotency-Key already used.");
			else if(l != HERR_NOT_FOUND)
				rc = l;
			else
				herr_clear(err);
		}
	}
	if(!rc)
		rc = store_db_run_insert(s, r, err);
	if(!rc && key)
		rc = record(s, key, fingerprint, r->id, err);
	return store_db_finish(s, rc, err);
}
