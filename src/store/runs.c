/* src/store/runs.c: the run table shared by responders and the runner -
 * creation, the claim of the oldest queued run, compare-and-set status
 * transitions, listing by status and the TTL sweep.
 *
 * DESIGN: the status column is the only coordination between processes.
 * Every change of it happens in one BEGIN IMMEDIATE transaction that reads
 * the status it found and refuses unless that status is the one expected
 * and the edge is in the state machine (store.h), so a stop request, a
 * runner finishing the run and a runner restarting can race and exactly one
 * of them wins; the losers get HERR_CONFLICT and the status they lost to.
 * The claim is one UPDATE ... WHERE id = (oldest queued) RETURNING in such
 * a transaction: SQLite serialises writers, so two runners never claim the
 * same run.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Every column but the request, which only the worker reads, once
 * (store_run_take_request): it can be as large as the body cap. */
#define RUN_COLUMNS                                                                  \
	"id, status, session_id, model, last_event, output, usage, error,"              \
	" coalesce(worker_pid, 0), created_at, updated_at"

static const char *const status_names[STORE_RUN_STATUS_COUNT] = {
	[STORE_RUN_QUEUED] = "queued",
	[STORE_RUN_RUNNING] = "running",
	[STORE_RUN_WAITING_FOR_APPROVAL] = "waiting_for_approval",
	[STORE_RUN_STOPPING] = "stopping",
	[STORE_RUN_COMPLETED] = "completed",
	[STORE_RUN_FAILED] = "failed",
	[STORE_RUN_CANCELLED] = "cancelled",
	[STORE_RUN_INTERRUPTED] = "interrupted",
};

/* The edges of the state machine: the statuses each status may move to. */
static const unsigned legal_next[STORE_RUN_STATUS_COUNT] = {
	[STORE_RUN_QUEUED] = STORE_RUN_BIT(STORE_RUN_RUNNING) | STORE_RUN_BIT(STORE_RUN_STOPPING) |
			     STORE_RUN_BIT(STORE_RUN_CANCELLED) | STORE_RUN_BIT(STORE_RUN_FAILED) |
			     STORE_RUN_BIT(STORE_RUN_INTERRUPTED),
	[STORE_RUN_RUNNING] = STORE_RUN_BIT(STORE_RUN_WAITING_FOR_APPROVAL) |
			      STORE_RUN_BIT(STORE_RUN_STOPPING) | STORE_RUN_BIT(STORE_RUN_COMPLETED) |
			      STORE_RUN_BIT(STORE_RUN_FAILED) | STORE_RUN_BIT(STORE_RUN_INTERRUPTED),
	[STORE_RUN_WAITING_FOR_APPROVAL] = STORE_RUN_BIT(STORE_RUN_RUNNING) |
					   STORE_RUN_BIT(STORE_RUN_STOPPING) |
					   STORE_RUN_BIT(STORE_RUN_FAILED) |
					   STORE_RUN_BIT(STORE_RUN_INTERRUPTED),
	[STORE_RUN_STOPPING] = STORE_RUN_BIT(STORE_RUN_CANCELLED) |
			       STORE_RUN_BIT(STORE_RUN_COMPLETED) | STORE_RUN_BIT(STORE_RUN_FAILED) |
			       STORE_RUN_BIT(STORE_RUN_INTERRUPTED),
};

const char *store_run_status_name(enum store_run_status st)
{
	return (unsigned)st < STORE_RUN_STATUS_COUNT ? status_names[st] : "unknown";
}

int store_run_status_parse(const char *name, enum store_run_status *out)
{
	for(int i = 0; name && i < STORE_RUN_STATUS_COUNT; i++) {
		if(strcmp(name, status_names[i]) == 0) {
			*out = (enum store_run_status)i;
			return 1;
		}
	}
	return 0;
}

int store_run_transition_legal(enum store_run_status from, enum store_run_status to)
{
	return (unsigned)from < STORE_RUN_STATUS_COUNT && (unsigned)to < STORE_RUN_STATUS_COUNT &&
	       (legal_next[from] & STORE_RUN_BIT(to)) != 0;
}

void store_run_release(struct store_run *r)
{
	free(r->id);
	free(r->session_id);
	free(r->model);
	free(r->last_event);
	free(r->output);
	free(r->usage);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

void store_run_list_free(struct store_run *runs, size_t n)
{
	for(size_t i = 0; runs && i < n; i++)
		store_run_release(&runs[i]);
	free(runs);
}

char *store_db_col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? xstrdup((const char *)t) : NULL;
}

/* The current row (selected with RUN_COLUMNS) into *r. */
static void read_run(sqlite3_stmt *st, struct store_run *r)
{
	memset(r, 0, sizeof(*r));
	r->id = store_db_col_dup(st, 0);
	if(!store_run_status_parse((const char *)sqlite3_column_text(st, 1), &r->status))
		r->status = STORE_RUN_FAILED; /* written by no version of this code */
	r->session_id = store_db_col_dup(st, 2);
	r->model = store_db_col_dup(st, 3);
	r->last_event = store_db_col_dup(st, 4);
	r->output = store_db_col_dup(st, 5);
	r->usage = store_db_col_dup(st, 6);
	r->error = store_db_col_dup(st, 7);
	r->worker_pid = (long)sqlite3_column_int64(st, 8);
	r->created_at = sqlite3_column_double(st, 9);
	r->updated_at = sqlite3_column_double(st, 10);
}

static enum herr not_found(const char *id, struct herror *err)
{
	return herr_set(err, HERR_NOT_FOUND, "run_not_found", NULL, "Run not found: %s", id);
}

enum herr store_run_create(struct store *s, const struct store_run_new *r, struct herror *err)
{
	enum herr rc = store_db_begin(s, err);

	if(rc)
		return rc;
	return store_db_finish(s, store_db_run_insert(s, r, err), err);
}

enum herr store_db_run_insert(struct store *s, const struct store_run_new *r, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "INSERT INTO runs(id, status, session_id, model, request,"
			      " created_at, updated_at) VALUES(?1, 'queued', ?2, ?3, ?4, ?5, ?5)",
			      &st, err);
	if(!rc) {
		store_db_bind_text(st, 1, r->id);
		store_db_bind_text(st, 2, r->session_id);
		store_db_bind_text(st, 3, r->model);
		store_db_bind_big_text(st, 4, r->request);
		sqlite3_bind_double(st, 5, store_db_now());
		rc = store_db_step_done(s, st, "create run", err);
		sqlite3_finalize(st);
	}
	if(rc == HERR_CONFLICT)
		rc = herr_set(err, HERR_CONFLICT, "run_exists", NULL, "Run %s already exists.", r->id);
	return rc;
}

enum herr store_db_run_fields(struct store *s, const char *id, int to,
			      const struct store_run_fields *f, int *changed, struct herror *err)
{
	static const struct store_run_fields none = { .worker_pid = -1 };
	sqlite3_stmt *st;
	enum herr rc;

	if(!f)
		f = &none;
	rc = store_db_prepare(s, "UPDATE runs SET status = coalesce(?2, status),"
			      " last_event = coalesce(?3, last_event), output = coalesce(?4, output),"
			      " usage = coalesce(?5, usage), error = coalesce(?6, error),"
			      " worker_pid = coalesce(?7, worker_pid), updated_at = ?8 WHERE id = ?1",
			      &st, err);
	if(rc)
		return rc;
	store_db_bind_text(st, 1, id);
	store_db_bind_text(st, 2, to >= 0 ? store_run_status_name((enum store_run_status)to) : NULL);
	store_db_bind_text(st, 3, f->last_event);
	store_db_bind_text(st, 4, f->output);
	store_db_bind_text(st, 5, f->usage);
	store_db_bind_text(st, 6, f->error);
	if(f->worker_pid >= 0)
		sqlite3_bind_int64(st, 7, f->worker_pid);
	sqlite3_bind_double(st, 8, store_db_now());
	rc = store_db_step_done(s, st, "update run", err);
	*changed = sqlite3_changes(s->db);
	sqlite3_finalize(st);
	return rc;
}

enum herr store_run_update(struct store *s, const char *id, const struct store_run_fields *f,
			   struct herror *err)
{
	enum herr rc = store_db_begin(s, err);
	int changed = 0;

	if(rc)
		return rc;
	rc = store_db_run_fields(s, id, -1, f, &changed, err);
	if(!rc && !changed)
		rc = not_found(id, err);
	return store_db_finish(s, rc, err);
}

/* The status of run id, inside the caller's transaction (db.h). */
enum herr store_db_run_status(struct store *s, const char *id, enum store_run_status *out,
			      struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "SELECT status FROM runs WHERE id = ?1", &st, err);
	int step;

	if(rc)
		return rc;
	store_db_bind_text(st, 1, id);
	step = sqlite3_step(st);
	if(step == SQLITE_ROW) {
		if(!store_run_status_parse((const char *)sqlite3_column_text(st, 0), out))
			rc = herr_set(err, HERR_INTERNAL, "store_error", NULL,
				      "state.db: run %s has an unknown status", id);
	} else if(step == SQLITE_DONE) {
		rc = not_found(id, err);
	} else {
		rc = store_db_fail(s, "read run status", err);
	}
	sqlite3_finalize(st);
	return rc;
}

enum herr store_db_run_expect(struct store *s, const char *id, unsigned mask, const char *code,
			      const char *why, enum store_run_status *prev, struct herror *err)
{
	enum store_run_status cur = STORE_RUN_QUEUED;
	enum herr rc = store_db_run_status(s, id, &cur, err);

	if(!rc && prev)
		*prev = cur;
	if(!rc && mask && !(mask & STORE_RUN_BIT(cur)))
		rc = herr_set(err, HERR_CONFLICT, code, NULL, "Run %s is %s; %s.", id,
			      store_run_status_name(cur), why);
	return rc;
}

enum herr store_run_transition(struct store *s, const char *id, unsigned from_mask,
			       enum store_run_status to, const struct store_run_fields *f,
			       enum store_run_status *prev, struct herror *err)
{
	enum store_run_status cur = STORE_RUN_QUEUED;
	enum herr rc = store_db_begin(s, err);
	int changed = 0;

	if(rc)
		return rc;
	rc = store_db_run_status(s, id, &cur, err);
	if(!rc && prev)
		*prev = cur;
	if(!rc && !(from_mask & STORE_RUN_BIT(cur)))
		rc = herr_set(err, HERR_CONFLICT, "run_status_changed", NULL,
			      "Run %s is %s, not in the expected status.", id,
			      store_run_status_name(cur));
	else if(!rc && !store_run_transition_legal(cur, to))
		rc = herr_set(err, HERR_CONFLICT, "run_transition_invalid", NULL,
			      "Run %s cannot go from %s to %s.", id, store_run_status_name(cur),
			      store_run_status_name(to));
	if(!rc)
		rc = store_db_run_fields(s, id, (int)to, f, &changed, err);
	return store_db_finish(s, rc, err);
}

enum herr store_run_claim(struct store *s, long worker_pid, struct store_run *out,
			  struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc;
	int step;

	memset(out, 0, sizeof(*out));
	if((rc = store_db_begin(s, err)))
		return rc;
	rc = store_db_prepare(s, "UPDATE runs SET status = 'running', worker_pid = ?1, updated_at = ?2"
			      " WHERE id = (SELECT id FROM runs WHERE status = 'queued'"
			      " ORDER BY created_at, rowid LIMIT 1) RETURNING " RUN_COLUMNS, &st, err);
	if(!rc) {
		sqlite3_bind_int64(st, 1, worker_pid);
		sqlite3_bind_double(st, 2, store_db_now());
		step = sqlite3_step(st);
		if(step == SQLITE_ROW) {
			read_run(st, out);
			rc = store_db_step_done(s, st, "claim run", err);
		} else if(step == SQLITE_DONE) {
			rc = herr_set(err, HERR_NOT_FOUND, "no_queued_run", NULL, "No run is queued.");
		} else {
			rc = store_db_fail(s, "claim run", err);
		}
		sqlite3_finalize(st);
	}
	rc = store_db_finish(s, rc, err);
	if(rc)
		store_run_release(out);
	return rc;
}

enum herr store_run_get(struct store *s, const char *id, struct store_run *out,
			struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1", &st, err);
	int step;

	memset(out, 0, sizeof(*out));
	if(rc)
		return rc;
	store_db_bind_text(st, 1, id);
	step = sqlite3_step(st);
	if(step == SQLITE_ROW)
		read_run(st, out);
	else if(step == SQLITE_DONE)
		rc = not_found(id, err);
	else
		rc = store_db_fail(s, "read run", err);
	sqlite3_finalize(st);
	return rc;
}

enum herr store_run_take_request(struct store *s, const char *id, char **out, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc;
	int step;

	*out = NULL;
	if((rc = store_db_begin(s, err)))
		return rc;
	rc = store_db_prepare(s, "SELECT request FROM runs WHERE id = ?1", &st, err);
	if(!rc) {
		store_db_bind_text(st, 1, id);
		step = sqlite3_step(st);
		if(step == SQLITE_ROW)
			*out = store_db_col_dup(st, 0);
		else if(step == SQLITE_DONE)
			rc = not_found(id, err);
		else
			rc = store_db_fail(s, "read run request", err);
		sqlite3_finalize(st);
	}
	/* Cleared, so that the row's later writes (every event batch sets
	 * last_event, the end sets the output) do not rewrite it: SQLite
	 * rewrites a whole row on every UPDATE. */
	if(!rc && *out)
		rc = store_db_exec_id(s, "UPDATE runs SET request = NULL WHERE id = ?1", id,
				      "clear run request", NULL, err);
	rc = store_db_finish(s, rc, err);
	if(rc) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

/* Bind the names of the statuses in mask to ?1..?8 (unused ones NULL). */
static void bind_statuses(sqlite3_stmt *st, unsigned mask)
{
	for(int i = 0; i < STORE_RUN_STATUS_COUNT; i++)
		store_db_bind_text(st, i + 1, (mask & STORE_RUN_BIT(i)) ? status_names[i] : NULL);
}

#define STATUS_IN "status IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"

/* Runs of a SELECT RUN_COLUMNS ... WHERE STATUS_IN ... LIMIT ?9 with the
 * cursor run id as ?10. */
static enum herr list_runs(struct store *s, const char *sql, unsigned status_mask, int limit,
			   const char *after, struct store_run **out, size_t *n, struct herror *err)
{
	sqlite3_stmt *st;
	struct store_run *runs = NULL;
	size_t len = 0, cap = 0;
	enum herr rc = store_db_prepare(s, sql, &st, err);
	int step;

	*out = NULL;
	*n = 0;
	if(rc)
		return rc;
	bind_statuses(st, status_mask);
	sqlite3_bind_int(st, 9, limit > 0 ? limit : -1);
	if(sqlite3_bind_parameter_count(st) >= 10)
		store_db_bind_text(st, 10, after);
	while((step = sqlite3_step(st)) == SQLITE_ROW) {
		if(len == cap) {
			cap = cap ? cap * 2 : 8;
			runs = xrealloc(runs, cap * sizeof(*runs));
		}
		read_run(st, &runs[len++]);
	}
	if(step != SQLITE_DONE) {
		rc = store_db_fail(s, "list runs", err);
		store_run_list_free(runs, len);
	} else {
		*out = runs;
		*n = len;
	}
	sqlite3_finalize(st);
	return rc;
}

enum herr store_run_list(struct store *s, unsigned status_mask, int limit,
			 struct store_run **out, size_t *n, struct herror *err)
{
	return list_runs(s, "SELECT " RUN_COLUMNS " FROM runs WHERE " STATUS_IN
			 " ORDER BY created_at, rowid LIMIT ?9", status_mask, limit, NULL, out, n, err);
}

enum herr store_run_page(struct store *s, unsigned status_mask, int limit, const char *after,
			 struct store_run **out, size_t *n, struct herror *err)
{
	return list_runs(s, "SELECT " RUN_COLUMNS " FROM runs WHERE " STATUS_IN " AND (?10 IS NULL"
			 " OR (created_at, rowid) < (SELECT created_at, rowid FROM runs WHERE id = ?10))"
			 " ORDER BY created_at DESC, rowid DESC LIMIT ?9", status_mask, limit, after,
			 out, n, err);
}

enum herr store_run_sweep(struct store *s, double max_age, int *deleted, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_begin(s, err);

	if(deleted)
		*deleted = 0;
	if(rc)
		return rc;
	rc = store_db_prepare(s, "DELETE FROM runs WHERE " STATUS_IN " AND updated_at < ?9", &st,
			      err);
	if(!rc) {
		bind_statuses(st, STORE_RUN_TERMINAL);
		sqlite3_bind_double(st, 9, store_db_now() - max_age);
		rc = store_db_step_done(s, st, "sweep runs", err);
		if(!rc && deleted)
			*deleted = sqlite3_changes(s->db);
		sqlite3_finalize(st);
	}
	return store_db_finish(s, rc, err);
}
