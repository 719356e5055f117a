/* tests/unit/test_store_runs.c: the store additions of schema version 6 -
 * Idempotency-Key records, the steer queue and approvals - against a real
 * database in a temporary HERMES_HOME. */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "tap.h"

static char home[200], db[400];

static struct store *open_home(int target, struct herror *err)
{
	struct store_opts o = { .home = home, .schema_target = target };
	struct store *s = NULL;

	herr_clear(err);
	if(store_open(&o, &s, err))
		return NULL;
	return s;
}

static void raw(const char *sql)
{
	sqlite3 *d = NULL;

	sqlite3_open(db, &d);
	sqlite3_exec(d, sql, NULL, NULL, NULL);
	sqlite3_close(d);
}

static int count(const char *sql)
{
	sqlite3 *d = NULL;
	sqlite3_stmt *st = NULL;
	int n = -1;

	sqlite3_open(db, &d);
	if(sqlite3_prepare_v2(d, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(d);
	return n;
}

static void idempotency(struct store *s)
{
	struct herror err;
	struct store_run_new a = { .id = "run_a", .model = "m", .request = "{}" };
	struct store_run_new b = { .id = "run_b", .model = "m", .request = "{}" };
	char *fp = NULL, *run = NULL;
	int deleted = -1;

	herr_clear(&err);
	is_int(store_idem_get(s, "k1", &fp, &run, &err), HERR_NOT_FOUND, "no record yet");
	is_str(err.code, "idempotency_not_found", "code idempotency_not_found");
	is_int(store_run_create_idem(s, &a, "k1", "fp1", &fp, &run, &err), HERR_OK,
	       "run and record created together");
	ok(fp == NULL && run == NULL, "no old record");
	is_int(store_idem_get(s, "k1", &fp, &run, &err), HERR_OK, "the record reads");
	is_str(fp, "fp1", "its fingerprint");
	is_str(run, "run_a", "its run");
	free(fp);
	free(run);
	is_int(store_run_create_idem(s, &b, "k1", "fp2", &fp, &run, &err), HERR_CONFLICT,
	       "a second create under the same key is refused");
	is_str(err.code, "idempotency_key_exists", "code idempotency_key_exists");
	is_str(fp, "fp1", "...and hands back the first fingerprint");
	is_str(run, "run_a", "...and the first run");
	free(fp);
	free(run);
	is_int(count("SELECT count(*) FROM runs WHERE id = 'run_b'"), 0, "the loser wrote no run");
	is_int(store_run_create_idem(s, &b, NULL, NULL, NULL, NULL, &err), HERR_OK,
	       "without a key: a plain create");
	is_int(count("SELECT count(*) FROM run_idempotency"), 1, "...and no record");

	raw("UPDATE run_idempotency SET created_at = created_at - 90000");
	is_int(store_idem_get(s, "k1", &fp, &run, &err), HERR_NOT_FOUND,
	       "a record older than 24 h no longer counts");
	struct store_run_new c = { .id = "run_c", .model = "m", .request = "{}" };
	is_int(store_run_create_idem(s, &c, "k1", "fp3", &fp, &run, &err), HERR_OK,
	       "the key can be used again after 24 h");
	is_int(store_idem_get(s, "k1", &fp, &run, &err), HERR_OK, "new record");
	is_str(run, "run_c", "points at the new run");
	free(fp);
	free(run);
	raw("UPDATE run_idempotency SET created_at = created_at - 90000");
	is_int(store_idem_sweep(s, STORE_IDEM_RETENTION, &deleted, &err), HERR_OK, "sweep");
	is_int(deleted, 1, "the expired record is swept");
}

static void steer(struct store *s)
{
	struct herror err;
	struct store_run_new r = { .id = "run_s", .model = "m" };
	enum store_run_status prev = STORE_RUN_FAILED;
	int64_t seq = 0;
	char *text = NULL;

	herr_clear(&err);
	if(store_run_create(s, &r, &err))
		printf("# create: %s\n", err.msg);
	is_int(store_run_steer_add(s, "run_s", "left", STORE_RUN_BIT(STORE_RUN_RUNNING), &seq, &prev,
				   &err), HERR_CONFLICT, "a queued run does not accept steer");
	is_str(err.code, "run_not_accepting_steer", "code run_not_accepting_steer");
	ok(prev == STORE_RUN_QUEUED, "status found: queued");
	is_int(count("SELECT count(*) FROM run_steers"), 0, "nothing queued");
	is_int(store_run_steer_add(s, "nope", "x", 0, &seq, NULL, &err), HERR_NOT_FOUND,
	       "no such run");
	is_int(store_run_transition(s, "run_s", STORE_RUN_BIT(STORE_RUN_QUEUED), STORE_RUN_RUNNING,
				    NULL, NULL, &err), HERR_OK, "running");
	is_int(store_run_steer_add(s, "run_s", "go left", STORE_RUN_BIT(STORE_RUN_RUNNING), &seq,
				   &prev, &err), HERR_OK, "steer a running run");
	is_int((int)seq, 1, "numbered from 1");
	is_int(store_run_steer_add(s, "run_s", "then right", STORE_RUN_BIT(STORE_RUN_RUNNING), &seq,
				   &prev, &err), HERR_OK, "a second steer");
	is_int((int)seq, 2, "numbered 2");
	is_int(store_run_steer_pending(s, "run_s", &text, &err), HERR_OK, "pending");
	is_str(text, "go left\nthen right", "both pending, oldest first");
	free(text);
	is_int(store_run_steer_take(s, "run_s", &text, &err), HERR_OK, "take");
	is_str(text, "go left\nthen right", "both taken");
	free(text);
	is_int(store_run_steer_take(s, "run_s", &text, &err), HERR_OK, "take again");
	ok(text == NULL, "nothing left to take");
	is_int(store_run_steer_pending(s, "run_s", &text, &err), HERR_OK, "pending again");
	ok(text == NULL, "nothing pending");
	is_int(store_run_steer_add(s, "run_s", "too late", 0, &seq, NULL, &err), HERR_OK, "late");
	is_int((int)seq, 3, "numbered on");
	is_int(store_run_steer_pending(s, "run_s", &text, &err), HERR_OK, "pending");
	is_str(text, "too late", "only the undelivered one");
	free(text);
}

static void approvals(struct store *s)
{
	struct herror err;
	struct store_run_new r = { .id = "run_p", .model = "m" };
	struct store_approval a;
	enum store_run_status prev = STORE_RUN_FAILED;
	char *answered = NULL;

	herr_clear(&err);
	if(store_run_create(s, &r, &err))
		printf("# create: %s\n", err.msg);
	is_int(store_run_approval_open(s, "nope", "ap1", "rm -rf x", "dangerous", &err),
	       HERR_NOT_FOUND, "no approval for a missing run");
	is_int(store_run_approval_open(s, "run_p", "ap1", "rm -rf x", "dangerous", &err), HERR_OK,
	       "open");
	is_int(store_run_approval_open(s, "run_p", "ap1", "rm -rf x", "dangerous", &err),
	       HERR_CONFLICT, "the same id twice");
	is_str(err.code, "approval_exists", "code approval_exists");
	is_int(store_run_approval_get(s, "run_p", NULL, &a, &err), HERR_OK, "get the newest");
	ok(a.request_id && strcmp(a.request_id, "ap1") == 0 && a.choice == NULL &&
		   a.answered_at == 0 && strcmp(a.command, "rm -rf x") == 0,
	   "unanswered, with its command");
	store_approval_release(&a);
	is_int(store_run_approval_answer(s, "run_p", NULL, "once",
					 STORE_RUN_BIT(STORE_RUN_WAITING_FOR_APPROVAL), &answered,
					 &prev, &err), HERR_CONFLICT, "a queued run takes no answer");
	is_str(err.code, "run_not_waiting", "code run_not_waiting");
	ok(prev == STORE_RUN_QUEUED, "status found: queued");
	is_int(store_run_transition(s, "run_p", STORE_RUN_BIT(STORE_RUN_QUEUED), STORE_RUN_RUNNING,
				    NULL, NULL, &err), HERR_OK, "running");
	is_int(store_run_transition(s, "run_p", STORE_RUN_BIT(STORE_RUN_RUNNING),
				    STORE_RUN_WAITING_FOR_APPROVAL, NULL, NULL, &err), HERR_OK,
	       "waiting");
	is_int(store_run_approval_answer(s, "run_p", "other", "once",
					 STORE_RUN_BIT(STORE_RUN_WAITING_FOR_APPROVAL), &answered,
					 &prev, &err), HERR_NOT_FOUND, "an unknown approval id");
	is_str(err.code, "approval_not_found", "code approval_not_found");
	is_int(store_run_approval_answer(s, "run_p", NULL, "session",
					 STORE_RUN_BIT(STORE_RUN_WAITING_FOR_APPROVAL), &answered,
					 &prev, &err), HERR_OK, "answer the open one");
	is_str(answered, "ap1", "it was ap1");
	free(answered);
	is_int(store_run_approval_get(s, "run_p", "ap1", &a, &err), HERR_OK, "get ap1");
	ok(a.choice && strcmp(a.choice, "session") == 0 && a.answered_at > 0, "answered: session");
	store_approval_release(&a);
	is_int(store_run_approval_answer(s, "run_p", "ap1", "deny", 0, &answered, NULL, &err),
	       HERR_CONFLICT, "answered twice");
	is_str(err.code, "approval_answered", "code approval_answered");
	is_int(store_run_approval_answer(s, "run_p", NULL, "deny", 0, &answered, NULL, &err),
	       HERR_NOT_FOUND, "no open approval left");
}

static void migrate_and_cascade(void)
{
	struct herror err;
	struct store *s = open_home(5, &err);
	int deleted = 0;

	ok(s != NULL, "a version-5 database");
	store_close(s);
	s = open_home(0, &err);
	ok(s != NULL, "migrates to the latest: %s", err.msg);
	is_int(count("PRAGMA user_version"), 6, "schema version 6");
	idempotency(s);
	steer(s);
	approvals(s);
	is_int(store_run_transition(s, "run_s", STORE_RUN_BIT(STORE_RUN_RUNNING), STORE_RUN_FAILED,
				    NULL, NULL, &err), HERR_OK, "run_s failed");
	raw("UPDATE runs SET updated_at = updated_at - 7200 WHERE id = 'run_s'");
	is_int(store_run_sweep(s, 3600, &deleted, &err), HERR_OK, "TTL sweep");
	is_int(count("SELECT count(*) FROM run_steers WHERE run_id = 'run_s'"), 0,
	       "its steer queue goes with the run");
	store_close(s);
}

int main(void)
{
	char cmd[300];

	snprintf(home, sizeof(home), "%s/hermes-test-store-runs-%ld",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	snprintf(db, sizeof(db), "%s/state.db", home);
	migrate_and_cascade();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	if(system(cmd) != 0)
		printf("# could not remove %s\n", home);
	return tap_done();
}
