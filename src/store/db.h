/* src/store/db.h: the SQLite connection and the helpers every store file
 * uses. Internal to src/store/; handlers include store.h only.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_STORE_DB_H
#define HERMES_STORE_DB_H

#include <sqlite3.h>
#include <stdint.h>

#include "store/store.h"

struct store {
	sqlite3 *db;           /* owned; the one connection of this process */
	char *path;            /* owned: $HERMES_HOME/state.db */
	char journal[16];      /* "wal" or "delete" */
	int version;           /* schema version after migration */
	int max_responses;     /* LRU cap */
	int cache_kb;          /* page cache bound, KiB */
};

/* SQL for the "output" array of the response JSON in column/parameter x,
 * or an empty array when x is not JSON or has no output array; for
 * json_each(). */
#define STORE_OUTPUT_ARRAY(x)                                                     \
	"CASE WHEN NOT json_valid(" x ") THEN '[]' WHEN json_type(" x ", '$.output')" \
	" = 'array' THEN json_extract(" x ", '$.output') ELSE '[]' END"

/* Run SQL without results (several statements allowed). */
enum herr store_db_exec(struct store *s, const char *sql, struct herror *err)
	__attribute__((warn_unused_result));

/* BEGIN IMMEDIATE, retrying contention with jitter (busy timeout first). */
enum herr store_db_begin(struct store *s, struct herror *err) __attribute__((warn_unused_result));

/* COMMIT when rc is HERR_OK, else ROLLBACK; returns rc, or the COMMIT error. */
enum herr store_db_finish(struct store *s, enum herr rc, struct herror *err);

/* Prepare one statement; *st is the caller's (sqlite3_finalize it). */
enum herr store_db_prepare(struct store *s, const char *sql, sqlite3_stmt **st,
			   struct herror *err) __attribute__((warn_unused_result));

/* Fill err from the connection's last error: what failed and SQLite's
 * message. Returns the herr. */
enum herr store_db_fail(struct store *s, const char *what, struct herror *err);

/* Bind text or NULL (SQLite copies it). */
int store_db_bind_text(sqlite3_stmt *st, int idx, const char *v);

/* Bind text or NULL without a copy: v must stay valid until st is
 * finalized. For the texts that can be as large as the body cap (a run's
 * request, a stored response), which the caller holds for the call
 * anyway. */
int store_db_bind_big_text(sqlite3_stmt *st, int idx, const char *v);

/* The current row as an object of column name → value (new reference). */
struct json_object *store_db_row(sqlite3_stmt *st);

/* Step st to the end, collecting rows into a new array *out. */
enum herr store_db_rows(struct store *s, sqlite3_stmt *st, struct json_object **out,
			struct herror *err) __attribute__((warn_unused_result));

/* Step a statement that returns no rows; HERR_CONFLICT on a constraint. */
enum herr store_db_step_done(struct store *s, sqlite3_stmt *st, const char *what,
			     struct herror *err) __attribute__((warn_unused_result));

/* Prepare sql, bind ?1 = id, step it to the end (no rows) and finalize;
 * *changes (may be NULL) gets the rows changed. HERR_CONFLICT on a
 * constraint. */
enum herr store_db_exec_id(struct store *s, const char *sql, const char *id, const char *what,
			   int *changes, struct herror *err) __attribute__((warn_unused_result));

/* Write fields of run id, and its status when to >= 0 (no check: callers
 * hold the transaction and have checked); *changed gets the rows changed. */
enum herr store_db_run_fields(struct store *s, const char *id, int to,
			      const struct store_run_fields *f, int *changed, struct herror *err)
	__attribute__((warn_unused_result));

/* Run a one-row SELECT bound to ?1 = id; *out gets the row as an object.
 * No row: HERR_NOT_FOUND with code and "<what> <id> not found.". */
enum herr store_db_get_one(struct store *s, const char *sql, const char *id, const char *code,
			   const char *what, struct json_object **out, struct herror *err)
	__attribute__((warn_unused_result));

/* Insert run r in status queued inside the caller's transaction;
 * HERR_CONFLICT (run_exists) if the id exists. */
enum herr store_db_run_insert(struct store *s, const struct store_run_new *r, struct herror *err)
	__attribute__((warn_unused_result));

/* The status of run id inside the caller's transaction; HERR_NOT_FOUND
 * (run_not_found). */
enum herr store_db_run_status(struct store *s, const char *id, enum store_run_status *out,
			      struct herror *err) __attribute__((warn_unused_result));

/* Inside the caller's transaction: run id's status into *prev (may be
 * NULL), and HERR_CONFLICT with code and "Run <id> is <status>; <why>."
 * unless it is in mask (0: any). HERR_NOT_FOUND (run_not_found). */
enum herr store_db_run_expect(struct store *s, const char *id, unsigned mask, const char *code,
			      const char *why, enum store_run_status *prev, struct herror *err)
	__attribute__((warn_unused_result));

/* Column i of the current row as a new string (free it), NULL for NULL.
 * (runs.c) */
char *store_db_col_dup(sqlite3_stmt *st, int i);

/* Wall-clock seconds as a double. */
double store_db_now(void);

/* The schema migrations (schema.c): run them inside the open connection. */
enum herr store_schema_migrate(struct store *s, int target, struct herror *err)
	__attribute__((warn_unused_result));

#endif
