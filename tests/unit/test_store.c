/* tests/unit/test_store.c: the store against real database files in a
 * temporary HERMES_HOME. Raw SQLite is used here only to damage or age a
 * database the way the world would, and to count rows no API returns. */
#include "config.h"

#include <dirent.h>
#include <json-c/json.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/db.h"
#include "store/store.h"
#include "tap.h"
#include "util/jsonx.h"

static char home[200], db[400];

static struct store *open_home(const char *h, int max, int target, struct herror *err)
{
	struct store_opts o = { .home = h, .max_responses = max, .schema_target = target };
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

static int mode_of(const char *suffix)
{
	char p[450];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", db, suffix);
	return stat(p, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

static void rm_home(const char *h)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", h);
	if(system(cmd) != 0)
		printf("# could not remove %s\n", h);
}

static void responses(void)
{
	struct herror err;
	struct store *s = open_home(home, 3, 0, &err);
	char *json = NULL, *sid = NULL, *rid = NULL;

	ok(s != NULL, "store opens: %s", err.msg);
	is_int(store_response_put(s, "resp_1", "{\"a\":1}", "sess_1", &err), HERR_OK, "put");
	is_int(store_response_get(s, "resp_1", &json, &sid, &err), HERR_OK, "get");
	is_str(json, "{\"a\":1}", "body round-trips");
	is_str(sid, "sess_1", "session id stored beside it");
	free(json);
	free(sid);
	is_int(store_response_get(s, "nope", &json, NULL, &err), HERR_NOT_FOUND, "missing → not found");
	is_int(store_conversation_set(s, "chat", "resp_1", &err), HERR_OK, "name a conversation");
	is_int(store_conversation_set(s, "bad", "nope", &err), HERR_NOT_FOUND,
	       "conversation to a missing response refused");
	is_int(store_conversation_get(s, "chat", &rid, &err), HERR_OK, "conversation lookup");
	is_str(rid, "resp_1", "points at the response");
	free(rid);

	/* LRU: cap 3. Touch resp_1 so resp_2 is the oldest when resp_5 arrives. */
	usleep(2000);
	ok(!store_response_put(s, "resp_2", "{}", NULL, &err), "put 2");
	usleep(2000);
	ok(!store_response_put(s, "resp_3", "{}", NULL, &err), "put 3");
	usleep(2000);
	ok(!store_response_get(s, "resp_1", &json, NULL, &err), "use 1");
	free(json);
	usleep(2000);
	ok(!store_conversation_set(s, "two", "resp_2", &err), "name resp_2");
	ok(!store_response_put(s, "resp_4", "{}", NULL, &err), "put 4 evicts the LRU");
	is_int(store_response_get(s, "resp_2", &json, NULL, &err), HERR_NOT_FOUND,
	       "least recently used evicted");
	is_int(store_conversation_get(s, "two", &rid, &err), HERR_NOT_FOUND,
	       "its conversation name removed with it");
	is_int(store_response_get(s, "resp_1", &json, NULL, &err), HERR_OK, "recently used kept");
	free(json);

	is_int(store_response_delete(s, "resp_1", &err), HERR_OK, "delete");
	is_int(store_conversation_get(s, "chat", &rid, &err), HERR_NOT_FOUND,
	       "delete removes the conversation name");
	is_int(store_response_delete(s, "resp_1", &err), HERR_NOT_FOUND, "second delete not found");

	/* Corrupt JSON is evicted on read, never an error. */
	ok(!store_response_put(s, "resp_bad", "{}", NULL, &err), "put a row to damage");
	raw("UPDATE responses SET data = '{not json' WHERE id = 'resp_bad'");
	is_int(store_response_get(s, "resp_bad", &json, NULL, &err), HERR_NOT_FOUND,
	       "corrupt row reads as not found");
	ok(json == NULL, "no body for a corrupt row");
	is_int(store_response_get(s, "resp_bad", &json, NULL, &err), HERR_NOT_FOUND,
	       "corrupt row is gone");
	store_close(s);
}

static void sessions_runs_memory(void)
{
	struct herror err;
	struct store *s = open_home(home, 0, 0, &err);
	struct store_session se = { .id = "s1", .source = "api_server", .title = "T" };
	struct store_session child = { .id = "s2", .source = "api_server", .parent_session_id = "s1" };
	struct store_message m = { .session_id = "s1", .role = "user", .content = "hi" };
	struct store_run_fields u = { .worker_pid = 42 };
	struct store_run_new nr = { .id = "run_1", .session_id = "s2", .model = "m",
				    .request = "{\"input\":\"hi\"}" };
	struct store_run run;
	struct json_object *o = NULL;
	int64_t seq = 0, mid = 0;

	is_int(store_session_create(s, &se, &err), HERR_OK, "create session");
	is_int(store_session_create(s, &se, &err), HERR_CONFLICT, "duplicate session id conflicts");
	is_int(store_session_create(s, &child, &err), HERR_OK, "child session with parent");
	is_int(store_message_add(s, &m, &mid, &err), HERR_OK, "add message");
	ok(mid > 0, "message id");
	m.role = "assistant";
	m.content = NULL;
	m.tool_calls = "[{\"id\":\"c1\"}]";
	is_int(store_message_add(s, &m, NULL, &err), HERR_OK, "add tool-call message");
	m.session_id = "missing";
	is_int(store_message_add(s, &m, NULL, &err), HERR_NOT_FOUND, "message to missing session");
	is_int(store_messages(s, "s1", &o, &err), HERR_OK, "list messages");
	is_int(json_object_array_length(o), 2, "two messages in order");
	json_object_put(o);
	is_int(store_session_add_usage(s, "s1", 10, 5, &err), HERR_OK, "add usage");
	is_int(store_session_set_title(s, "s1", "New", &err), HERR_OK, "retitle");
	is_int(store_session_get(s, "s1", &o, &err), HERR_OK, "get session");
	is_int(json_object_get_int(json_object_object_get(o, "message_count")), 2, "message count");
	is_int(json_object_get_int(json_object_object_get(o, "tool_call_count")), 1, "tool calls");
	is_int(json_object_get_int(json_object_object_get(o, "input_tokens")), 10, "input tokens");
	is_str(json_object_get_string(json_object_object_get(o, "title")), "New", "title");
	json_object_put(o);
	is_int(store_session_page(s, "api_server", 10, 0, NULL, &o, &err), HERR_OK, "list sessions");
	is_int(json_object_array_length(o), 2, "two sessions");
	json_object_put(o);
	is_int(store_session_delete(s, "s1", &err), HERR_OK, "delete session");
	is_int(store_messages(s, "s1", &o, &err), HERR_OK, "messages after delete");
	is_int(json_object_array_length(o), 0, "messages deleted with the session");
	json_object_put(o);
	is_int(store_session_get(s, "s2", &o, &err), HERR_OK, "child survives");
	ok(json_object_object_get(o, "parent_session_id") == NULL, "child's parent link cleared");
	json_object_put(o);
	is_int(store_session_get(s, "s1", &o, &err), HERR_NOT_FOUND, "deleted session not found");

	is_int(store_run_create(s, &nr, &err), HERR_OK, "create run");
	is_int(store_run_create(s, &nr, &err), HERR_CONFLICT, "duplicate run id conflicts");
	is_int(store_run_update(s, "run_1", &u, &err), HERR_OK, "update run fields");
	is_int(store_run_update(s, "run_x", &u, &err), HERR_NOT_FOUND, "update missing run");
	is_int(store_event_add(s, "run_1", "{\"event\":\"a\"}", &seq, &err), HERR_OK, "event 1");
	is_int(seq, 1, "first seq 1");
	is_int(store_event_add(s, "run_1", "{\"event\":\"b\"}", &seq, &err), HERR_OK, "event 2");
	is_int(seq, 2, "second seq 2");
	is_int(store_event_add(s, "run_x", "{}", &seq, &err), HERR_NOT_FOUND, "event for missing run");
	is_int(store_events(s, "run_1", 1, 0, &o, &err), HERR_OK, "events after 1");
	is_int(json_object_array_length(o), 1, "one event after seq 1");
	json_object_put(o);
	is_int(store_run_get(s, "run_1", &run, &err), HERR_OK, "get run");
	is_str(store_run_status_name(run.status), "queued", "status still queued");
	is_int(run.worker_pid, 42, "worker pid");
	is_str(run.session_id, "s2", "session id");
	ok(run.created_at > 0 && run.updated_at >= run.created_at, "times");
	store_run_release(&run);
	{
		char *req = NULL;

		is_int(store_run_take_request(s, "run_1", &req, &err), HERR_OK, "take the request");
		is_str(req, "{\"input\":\"hi\"}", "  as it was given, for the runner");
		free(req);
		is_int(store_run_take_request(s, "run_1", &req, &err), HERR_OK, "take it again");
		ok(req == NULL, "  it is gone from the row");
		is_int(store_run_get(s, "run_1", &run, &err), HERR_OK, "  the run reads as before");
		is_str(run.session_id, "s2", "  with its fields");
		store_run_release(&run);
		is_int(store_run_take_request(s, "run_x", &req, &err), HERR_NOT_FOUND,
		       "  a missing run's request: run_not_found");
	}
	is_int(store_run_get(s, "run_x", &run, &err), HERR_NOT_FOUND, "get missing run");
	is_str(err.code, "run_not_found", "code run_not_found");

	is_int(store_memory_add(s, "k", "e1", &err), HERR_OK, "memory add");
	is_int(store_memory_add(s, "k", "e2", &err), HERR_OK, "memory add 2");
	is_int(store_memory_list(s, "k", &o, &err), HERR_OK, "memory list");
	is_int(json_object_array_length(o), 2, "two entries");
	json_object_put(o);
	is_int(store_memory_clear(s, "k", &err), HERR_OK, "memory clear");
	is_int(store_memory_list(s, "k", &o, &err), HERR_OK, "memory list after clear");
	is_int(json_object_array_length(o), 0, "cleared");
	json_object_put(o);
	store_close(s);
}

static void permissions(void)
{
	char h2[300];
	struct herror err;
	struct store *s;
	mode_t old = umask(022);

	snprintf(h2, sizeof(h2), "%s/perm-home", home);
	snprintf(db, sizeof(db), "%s/state.db", h2);
	s = open_home(h2, 0, 0, &err);
	ok(s != NULL, "opens under umask 022");
	ok(!store_response_put(s, "r", "{}", NULL, &err), "write so the sidecars exist");
	is_int(mode_of(""), 0600, "state.db is 0600");
	is_int(mode_of("-wal"), 0600, "state.db-wal is 0600");
	is_int(mode_of("-shm"), 0600, "state.db-shm is 0600");
	{
		struct stat st;
		ok(stat(h2, &st) == 0 && (st.st_mode & 0777) == 0700, "new HERMES_HOME is 0700");
	}
	store_close(s);
	chmod(db, 0644);
	s = open_home(h2, 0, 0, &err);
	is_int(mode_of(""), 0600, "a 0644 state.db is narrowed on open");
	store_close(s);
	umask(old);
	snprintf(db, sizeof(db), "%s/state.db", home);
}

static void migrations(void)
{
	char h2[300];
	struct herror err;
	struct store *s;
	struct store_session se = { .id = "old", .source = "cli" };
	struct store_run_new nr = { .id = "run_1" };
	struct json_object *o = NULL;

	snprintf(h2, sizeof(h2), "%s/mig-home", home);
	s = open_home(h2, 0, 1, &err);
	ok(s != NULL, "a version-1 database is created");
	ok(!store_session_create(s, &se, &err), "row written at version 1");
	is_int(store_run_create(s, &nr, &err), HERR_INTERNAL, "runs table absent at version 1");
	store_close(s);
	s = open_home(h2, 0, 0, &err);
	ok(s != NULL, "the old database opens with this build");
	is_int(store_info(s, &o, &err), HERR_OK, "info");
	is_int(json_object_get_int(json_object_object_get(o, "schema_version")),
	       store_schema_latest(), "migrated in place to the latest version");
	json_object_put(o);
	is_int(store_session_get(s, "old", &o, &err), HERR_OK, "old row kept");
	json_object_put(o);
	is_int(store_run_create(s, &nr, &err), HERR_OK, "new table usable");
	store_close(s);

	snprintf(db, sizeof(db), "%s/state.db", h2);
	raw("PRAGMA user_version=99");
	s = open_home(h2, 0, 0, &err);
	ok(s == NULL, "a database from a newer version is refused");
	is_int(err.rc, HERR_UNAVAILABLE, "as unavailable");
	ok(strstr(err.msg, "schema version 99") && strstr(err.msg, "upgrade"),
	   "message says why and what to do: %s", err.msg);
	snprintf(db, sizeof(db), "%s/state.db", home);
}

static void add_run(struct store *s, const char *id)
{
	struct store_run_new nr = { .id = id, .model = "m" };
	struct herror err;

	herr_clear(&err);
	if(store_run_create(s, &nr, &err))
		printf("# create %s: %s\n", id, err.msg);
}

/* The state machine: legal edges move, illegal ones and stale expectations
 * are refused and write nothing. */
static void run_transitions(void)
{
	struct herror err;
	struct store *s = open_home(home, 0, 0, &err);
	struct store_run r;
	struct store_run_fields done = { .output = "the answer", .usage = "{\"total_tokens\":3}",
					 .last_event = "run.completed", .worker_pid = -1 };
	enum store_run_status prev = STORE_RUN_QUEUED, st;

	ok(store_run_status_parse("waiting_for_approval", &st) &&
	   st == STORE_RUN_WAITING_FOR_APPROVAL, "status names parse");
	ok(!store_run_status_parse("started", &st), "\"started\" is no status");
	for(int i = 0; i < STORE_RUN_STATUS_COUNT; i++)
		ok(store_run_status_parse(store_run_status_name((enum store_run_status)i), &st) &&
		   (int)st == i, "name of status %d round-trips", i);
	ok(store_run_transition_legal(STORE_RUN_RUNNING, STORE_RUN_STOPPING), "running->stopping legal");
	ok(!store_run_transition_legal(STORE_RUN_COMPLETED, STORE_RUN_RUNNING),
	   "completed->running illegal");
	ok(!store_run_transition_legal(STORE_RUN_RUNNING, STORE_RUN_CANCELLED),
	   "running->cancelled illegal (cancel goes through stopping)");

	add_run(s, "t1");
	is_int(store_run_transition(s, "t1", STORE_RUN_BIT(STORE_RUN_QUEUED), STORE_RUN_RUNNING, NULL,
				    &prev, &err), HERR_OK, "queued -> running");
	is_int(prev, STORE_RUN_QUEUED, "previous status reported");
	is_int(store_run_transition(s, "t1", STORE_RUN_BIT(STORE_RUN_QUEUED), STORE_RUN_RUNNING, NULL,
				    &prev, &err), HERR_CONFLICT, "second queued -> running refused");
	is_str(err.code, "run_status_changed", "code run_status_changed");
	is_int(prev, STORE_RUN_RUNNING, "and the status found is running");
	is_int(store_run_transition(s, "t1", STORE_RUN_LIVE, STORE_RUN_QUEUED, NULL, &prev, &err),
	       HERR_CONFLICT, "running -> queued refused");
	is_str(err.code, "run_transition_invalid", "code run_transition_invalid");
	is_int(store_run_transition(s, "t1", STORE_RUN_LIVE, STORE_RUN_STOPPING, NULL, &prev, &err),
	       HERR_OK, "running -> stopping (stop request from any live status)");
	is_int(store_run_transition(s, "t1", STORE_RUN_BIT(STORE_RUN_STOPPING), STORE_RUN_CANCELLED,
				    NULL, NULL, &err), HERR_OK, "stopping -> cancelled");
	is_int(store_run_transition(s, "t1", STORE_RUN_ANY, STORE_RUN_COMPLETED, &done, &prev, &err),
	       HERR_CONFLICT, "a terminal run never moves again");
	is_int(prev, STORE_RUN_CANCELLED, "it stays cancelled");
	is_int(store_run_get(s, "t1", &r, &err), HERR_OK, "get t1");
	ok(r.status == STORE_RUN_CANCELLED && r.output == NULL, "refused transition wrote nothing");
	store_run_release(&r);

	add_run(s, "t2");
	is_int(store_run_transition(s, "t2", STORE_RUN_BIT(STORE_RUN_QUEUED), STORE_RUN_RUNNING, NULL,
				    NULL, &err), HERR_OK, "t2 running");
	is_int(store_run_transition(s, "t2", STORE_RUN_BIT(STORE_RUN_RUNNING),
				    STORE_RUN_WAITING_FOR_APPROVAL, NULL, NULL, &err), HERR_OK,
	       "running -> waiting_for_approval");
	is_int(store_run_transition(s, "t2", STORE_RUN_BIT(STORE_RUN_WAITING_FOR_APPROVAL),
				    STORE_RUN_RUNNING, NULL, NULL, &err), HERR_OK,
	       "waiting_for_approval -> running");
	is_int(store_run_transition(s, "t2", STORE_RUN_BIT(STORE_RUN_RUNNING), STORE_RUN_COMPLETED,
				    &done, NULL, &err), HERR_OK, "running -> completed with output");
	is_int(store_run_get(s, "t2", &r, &err), HERR_OK, "get t2");
	is_str(r.output, "the answer", "output written with the status");
	is_str(r.usage, "{\"total_tokens\":3}", "usage written with the status");
	is_str(r.last_event, "run.completed", "last_event written with the status");
	store_run_release(&r);
	is_int(store_run_transition(s, "nope", STORE_RUN_ANY, STORE_RUN_FAILED, NULL, NULL, &err),
	       HERR_NOT_FOUND, "transition of a missing run");
	store_close(s);
}

/* Claim order, listing by status, the sweep and batched events. */
static void run_queue(void)
{
	char h2[300];
	struct herror err;
	struct store *s;
	struct store_run r, *list = NULL;
	size_t n = 0;
	int deleted = -1;
	int64_t seq = 0;
	const char *evs[] = { "{\"event\":\"tool.started\"}", "{\"event\":\"tool.completed\"}",
			      "{\"event\":\"message.delta\"}" };
	struct json_object *o = NULL;

	snprintf(h2, sizeof(h2), "%s/queue-home", home);
	snprintf(db, sizeof(db), "%s/state.db", h2);
	s = open_home(h2, 0, 0, &err);
	add_run(s, "q1");
	usleep(2000);
	add_run(s, "q2");
	is_int(store_run_claim(s, 77, &r, &err), HERR_OK, "claim");
	is_str(r.id, "q1", "the oldest queued run is claimed first");
	ok(r.status == STORE_RUN_RUNNING && r.worker_pid == 77, "claimed: running, worker pid set");
	store_run_release(&r);
	is_int(store_run_list(s, STORE_RUN_BIT(STORE_RUN_QUEUED), 0, &list, &n, &err), HERR_OK,
	       "list queued");
	ok(n == 1 && strcmp(list[0].id, "q2") == 0, "q2 is the one queued run");
	store_run_list_free(list, n);
	is_int(store_run_claim(s, 78, &r, &err), HERR_OK, "claim again");
	is_str(r.id, "q2", "then the next");
	store_run_release(&r);
	is_int(store_run_claim(s, 79, &r, &err), HERR_NOT_FOUND, "empty queue");
	is_str(err.code, "no_queued_run", "code no_queued_run");
	ok(r.id == NULL, "nothing claimed");

	is_int(store_events_append(s, "q1", evs, 3, "tool.completed", &seq, &err), HERR_OK,
	       "three events in one transaction");
	is_int(seq, 3, "numbered 1..3");
	is_int(store_events_append(s, "q1", evs, 2, NULL, &seq, &err), HERR_OK, "two more");
	is_int(seq, 5, "numbered on from the last (4..5)");
	is_int(store_events(s, "q1", 0, 0, &o, &err), HERR_OK, "read them");
	is_int(json_object_array_length(o), 5, "five events");
	is_int(json_object_get_int(json_object_object_get(json_object_array_get_idx(o, 4), "seq")), 5,
	       "in order");
	json_object_put(o);
	is_int(store_run_get(s, "q1", &r, &err), HERR_OK, "get q1");
	is_str(r.last_event, "tool.completed", "last_event written with the events");
	store_run_release(&r);
	is_int(store_events_append(s, "nope", evs, 3, NULL, &seq, &err), HERR_NOT_FOUND,
	       "events for a missing run");
	is_int(store_events(s, "nope", 0, 0, &o, &err), HERR_OK, "read them back");
	is_int(json_object_array_length(o), 0, "none written");
	json_object_put(o);

	is_int(store_run_transition(s, "q1", STORE_RUN_BIT(STORE_RUN_RUNNING), STORE_RUN_FAILED,
				    NULL, NULL, &err), HERR_OK, "q1 failed");
	is_int(store_run_sweep(s, 3600, &deleted, &err), HERR_OK, "sweep with a 1 h TTL");
	is_int(deleted, 0, "a fresh terminal run is kept");
	raw("UPDATE runs SET updated_at = updated_at - 7200");
	is_int(store_run_sweep(s, 3600, &deleted, &err), HERR_OK, "sweep after two hours");
	is_int(deleted, 1, "the old terminal run is deleted, the live one kept");
	is_int(store_run_get(s, "q1", &r, &err), HERR_NOT_FOUND, "q1 is gone");
	is_int(store_events(s, "q1", 0, 0, &o, &err), HERR_OK, "its events");
	is_int(json_object_array_length(o), 0, "went with it");
	json_object_put(o);
	is_int(store_run_get(s, "q2", &r, &err), HERR_OK, "q2 (running, old) is kept");
	store_run_release(&r);
	is_int(store_run_list(s, STORE_RUN_LIVE, 0, &list, &n, &err), HERR_OK, "list live");
	ok(n >= 1, "live runs listed");
	store_run_list_free(list, n);
	is_int(store_run_list(s, STORE_RUN_BIT(STORE_RUN_INTERRUPTED), 0, &list, &n, &err), HERR_OK,
	       "list an empty status");
	ok(n == 0 && list == NULL, "empty list is NULL, 0");
	store_close(s);
	snprintf(db, sizeof(db), "%s/state.db", home);
}

/* Two processes claim from one queue of 200 runs at once: each run is
 * claimed exactly once. */
static void claim_two_processes(void)
{
	char h2[300], out[2][400];
	struct herror err;
	struct store *s;
	pid_t pids[2];
	int counts[200] = { 0 }, total = 0, twice = 0, status, exits = 0, gate[2];

	snprintf(h2, sizeof(h2), "%s/claim-home", home);
	s = open_home(h2, 0, 0, &err);
	for(int i = 0; i < 200; i++) {
		char id[32];
		snprintf(id, sizeof(id), "c%d", i);
		add_run(s, id);
	}
	store_close(s);
	fflush(stdout);
	if(pipe(gate) != 0)
		return;
	for(int p = 0; p < 2; p++) {
		snprintf(out[p], sizeof(out[p]), "%s/claimed-%d", h2, p);
		pids[p] = fork();
		if(pids[p] == 0) {
			FILE *f = fopen(out[p], "w");
			struct store *c = open_home(h2, 0, 0, &err);
			struct store_run r;
			enum herr rc;
			char b;

			/* Both open first, then start together when the gate closes. */
			close(gate[1]);
			if(read(gate[0], &b, 1) != 0)
				_exit(1);
			while(c && f && (rc = store_run_claim(c, (long)getpid(), &r, &err)) == HERR_OK) {
				fprintf(f, "%s\n", r.id);
				store_run_release(&r);
				usleep(500); /* a little work, so the claims interleave */
			}
			store_close(c);
			if(f)
				fclose(f);
			_exit(c && f && err.rc == HERR_NOT_FOUND ? 0 : 1);
		}
	}
	close(gate[0]);
	usleep(200000);
	close(gate[1]);
	for(int p = 0; p < 2; p++)
		if(waitpid(pids[p], &status, 0) == pids[p] && WIFEXITED(status) &&
		   WEXITSTATUS(status) == 0)
			exits++;
	is_int(exits, 2, "both claimers run until the queue is empty");
	for(int p = 0; p < 2; p++) {
		FILE *f = fopen(out[p], "r");
		char line[64];
		int mine = 0;

		while(f && fgets(line, sizeof(line), f)) {
			long i = strtol(line + 1, NULL, 10);
			if(i >= 0 && i < 200 && counts[i]++)
				twice++;
			total++;
			mine++;
		}
		if(f)
			fclose(f);
		printf("# claimer %d took %d runs\n", p, mine);
	}
	is_int(total, 200, "200 claims in all");
	is_int(twice, 0, "no run claimed twice");
	s = open_home(h2, 0, 0, &err);
	{
		struct store_run *list = NULL;
		size_t n = 0;
		ok(!store_run_list(s, STORE_RUN_BIT(STORE_RUN_RUNNING), 0, &list, &n, &err) && n == 200,
		   "all 200 are running");
		store_run_list_free(list, n);
	}
	store_close(s);
}

static void messages_paged_and_fork(void)
{
	struct herror err;
	struct store *s = open_home(home, 0, 0, &err);
	struct store_session src = { .id = "fs", .source = "api_server", .title = "Src",
				     .model = "m1", .system_prompt = "be brief" };
	struct store_session child = { .id = "fs-child" }, child2 = { .id = "fs-all", .title = "T2" };
	struct store_message m = { .session_id = "fs", .role = "user" };
	int64_t ids[5], copied = -1, after = 0;
	struct json_object *o = NULL;
	char text[16];
	int seen = 0, pages = 0;

	is_int(store_session_create(s, &src, &err), HERR_OK, "source session");
	for(int i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "m%d", i);
		m.content = text;
		m.role = i % 2 ? "assistant" : "user";
		m.tool_calls = i == 1 ? "[{\"id\":\"c\"}]" : NULL;
		ok(!store_message_add(s, &m, &ids[i], &err), "message %d", i);
	}
	do {
		ok(!store_messages_page(s, "fs", after, 2, &o, &err), "page after %lld",
		   (long long)after);
		size_t n = json_object_array_length(o);
		for(size_t i = 0; i < n; i++) {
			struct json_object *row = json_object_array_get_idx(o, i);
			snprintf(text, sizeof(text), "m%d", seen);
			is_str(json_object_get_string(json_object_object_get(row, "content")), text,
			       "in order");
			seen++;
			after = json_object_get_int64(json_object_object_get(row, "id"));
		}
		json_object_put(o);
		pages++;
		if(!n)
			break;
	} while(pages < 10);
	is_int(seen, 5, "five messages over the pages");
	is_int(pages, 4, "pages of 2, 2, 1 and an empty one");

	is_int(store_session_fork(s, "fs", &child, ids[2], &copied, &err), HERR_OK, "fork at m2");
	is_int(copied, 3, "three messages copied");
	is_int(store_messages(s, "fs-child", &o, &err), HERR_OK, "child's messages");
	is_int(json_object_array_length(o), 3, "m0..m2");
	is_str(json_object_get_string(json_object_object_get(json_object_array_get_idx(o, 2),
							      "content")), "m2", "ending at the fork point");
	json_object_put(o);
	is_int(store_session_get(s, "fs-child", &o, &err), HERR_OK, "child session");
	is_str(json_object_get_string(json_object_object_get(o, "parent_session_id")), "fs",
	       "parent is the source");
	is_str(json_object_get_string(json_object_object_get(o, "model")), "m1", "model inherited");
	is_str(json_object_get_string(json_object_object_get(o, "title")), "Src", "title inherited");
	is_int(json_object_get_int(json_object_object_get(o, "message_count")), 3, "message count");
	is_int(json_object_get_int(json_object_object_get(o, "tool_call_count")), 1, "tool calls");
	json_object_put(o);
	is_int(store_session_fork(s, "fs", &child2, 0, &copied, &err), HERR_OK, "fork everything");
	is_int(copied, 5, "all five copied");
	is_int(store_session_fork(s, "fs", &child2, 0, &copied, &err), HERR_CONFLICT,
	       "fork into an existing id");
	is_str(err.code, "session_exists", "code session_exists");
	child.id = "fs-bad";
	is_int(store_session_fork(s, "nope", &child, 0, &copied, &err), HERR_NOT_FOUND,
	       "fork of a missing session");
	is_int(store_session_fork(s, "fs", &child, 999999, &copied, &err), HERR_NOT_FOUND,
	       "fork at a message not in the session");
	is_str(err.code, "message_not_found", "code message_not_found");
	is_int(store_session_get(s, "fs-bad", &o, &err), HERR_NOT_FOUND,
	       "a failed fork leaves no session behind");
	store_close(s);
}

/* The sessions API's views: pages by offset and after a cursor (ties in
 * started_at broken by id), the preview, the stored prompt, and the delete
 * that a live run refuses. */
static int count(const char *sql);

static void session_page_and_remove(void)
{
	struct herror err;
	struct store *s = open_home(home, 0, 0, &err);
	struct store_session ss = { .source = "pagetest", .system_prompt = "SP" };
	struct store_message m = { .role = "assistant", .content = "the newest text" };
	struct store_run_new nr = { .id = "run_holds", .session_id = "pg00" };
	struct json_object *o = NULL;
	char id[8], *prompt = NULL, seen[40] = { 0 }, last[8] = "", cur[8] = "";
	const char *after = NULL;
	int pages = 0, total = 0;
	int64_t gone = -1, turn = 0, t2 = 0;

	for(int i = 0; i < 30; i++) {
		snprintf(id, sizeof(id), "pg%02d", i);
		ss.id = id;
		is_int(store_session_create(s, &ss, &err), HERR_OK, "a session");
	}
	/* Many sessions in one clock tick would tie; force ties explicitly. */
	ok(!store_db_exec(s, "UPDATE sessions SET started_at = 100 + (CAST(substr(id, 3) AS INT) / 3)"
			  " WHERE source = 'pagetest'", &err), "three sessions per started_at");
	do {
		last[0] = '\0';
		is_int(store_session_page(s, "pagetest", 7, 0, after, &o, &err), HERR_OK, "a page");
		for(size_t i = 0; i < json_object_array_length(o); i++) {
			const char *sid = jsonx_get_str(json_object_array_get_idx(o, i), "id");
			long k = strtol(sid + 2, NULL, 10);

			ok(!seen[k], "each seen once");
			seen[k] = 1;
			total++;
			snprintf(last, sizeof(last), "%s", sid);
		}
		json_object_put(o);
		pages++;
		memcpy(cur, last, sizeof(cur));
		after = cur[0] ? cur : NULL;
	} while(after && pages < 20);
	is_int(total, 30, "30 sessions over the cursor pages");
	is_int(pages, 6, "pages of 7: 5 full ones and an empty one");
	is_int(store_session_page(s, "pagetest", 1, 0, NULL, &o, &err), HERR_OK, "the newest");
	is_str(jsonx_get_str(json_object_array_get_idx(o, 0), "id"), "pg29", "pg29 (ties: higher id first)");
	json_object_put(o);
	is_int(store_session_page(s, "pagetest", 2, 28, NULL, &o, &err), HERR_OK, "offset 28");
	is_str(jsonx_get_str(json_object_array_get_idx(o, 1), "id"), "pg00", "ends at the oldest");
	json_object_put(o);
	is_int(store_session_page(s, "pagetest", 5, 0, "nope", &o, &err), HERR_OK, "unknown cursor");
	is_int((int)json_object_array_length(o), 0, "an empty page");
	json_object_put(o);

	m.session_id = "pg00";
	ok(!store_message_add(s, &m, NULL, &err), "a message");
	is_int(store_session_summary(s, "pg00", &o, &err), HERR_OK, "summary");
	is_str(jsonx_get_str(o, "last_message_preview"), "the newest text", "preview");
	ok(!json_object_object_get_ex(o, "system_prompt", NULL), "no prompt text in the summary");
	json_object_put(o);
	is_int(store_session_system_prompt(s, "pg00", &prompt, &err), HERR_OK, "stored prompt");
	is_str(prompt, "SP", "is SP");
	free(prompt);

	is_int(store_run_create(s, &nr, &err), HERR_OK, "a queued run on pg00");
	is_int(store_session_remove(s, "pg00", &gone, &err), HERR_CONFLICT, "delete refused");
	is_str(err.code, "session_in_use", "code session_in_use");
	is_int(store_run_transition(s, "run_holds", STORE_RUN_BIT(STORE_RUN_QUEUED), STORE_RUN_CANCELLED,
				    NULL, NULL, &err), HERR_OK, "the run is cancelled");
	/* a turn in progress in the session (a live process) holds it too;
	 * one whose process died does not */
	is_int(store_turn_begin(s, (long)getpid(), "chat", "pg00", STORE_TURN_ALONE, 0, &turn, &err),
	       HERR_OK, "a turn in progress in pg00");
	is_int(store_turn_begin(s, (long)getpid(), "chat", "pg00", STORE_TURN_ALONE, 0, &t2, &err),
	       HERR_CONFLICT, "a second one alone in pg00 is refused");
	is_str(err.code, "session_busy", "code session_busy");
	is_int(store_turn_begin(s, (long)getpid(), "chat", "pg00", 0, 0, &t2, &err), HERR_OK,
	       "one not alone is let in");
	store_turn_end(s, t2);
	is_int(store_session_remove(s, "pg00", &gone, &err), HERR_CONFLICT, "delete refused");
	ok(strstr(err.msg, "turn in progress") != NULL, "naming the turn: %s", err.msg);
	store_turn_end(s, turn);
	raw("INSERT INTO turns(pid, kind, started_at, session_id) VALUES(2147483646, 'chat', 0, 'pg00')");
	is_int(store_session_remove(s, "pg00", &gone, &err), HERR_OK, "then deleted");
	is_int(count("SELECT count(*) FROM turns"), 0, "the dead process's turn forgotten");
	is_int((int)gone, 1, "with its one message");
	is_int(store_session_remove(s, "pg00", NULL, &err), HERR_NOT_FOUND, "gone");
	store_close(s);
}

static const char resp_a[] =
	"{\"id\":\"resp_a\",\"output\":[{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[]},"
	"{\"type\":\"message\",\"id\":\"msg_1\",\"role\":\"assistant\","
	"\"content\":[{\"type\":\"output_text\",\"text\":\"codeword X\",\"annotations\":[]}]}]}";

static void response_items(void)
{
	struct herror err;
	struct store *s = open_home(home, 2, 0, &err);
	char *item = NULL, *rid = NULL;
	struct json_object *o;

	ok(!store_response_put(s, "resp_a", resp_a, NULL, &err), "put a response with two items");
	is_int(store_response_item(s, "msg_1", &item, &rid, &err), HERR_OK, "item by id");
	o = json_tokener_parse(item ? item : "");
	is_str(json_object_get_string(json_object_object_get(o, "role")), "assistant",
	       "the message item");
	ok(item && strstr(item, "codeword X"), "with its text");
	is_str(rid, "resp_a", "and the response holding it");
	json_object_put(o);
	free(item);
	free(rid);
	is_int(store_response_item(s, "rs_1", &item, NULL, &err), HERR_OK, "a reasoning item");
	free(item);
	is_int(store_response_item(s, "msg_none", &item, NULL, &err), HERR_NOT_FOUND, "unknown item");
	is_str(err.code, "item_not_found", "code item_not_found");
	ok(!store_response_put(s, "resp_a", "{\"output\":[{\"type\":\"message\",\"id\":\"msg_2\"}]}",
			       NULL, &err), "replace the response");
	is_int(store_response_item(s, "msg_1", &item, NULL, &err), HERR_NOT_FOUND,
	       "items of the replaced version are gone");
	is_int(store_response_item(s, "msg_2", &item, NULL, &err), HERR_OK, "the new one resolves");
	free(item);
	ok(!store_response_put(s, "resp_b", "not json", NULL, &err), "a body that is not JSON");
	ok(!store_response_put(s, "resp_c", "{\"output\":{\"id\":\"x\"}}", NULL, &err),
	   "output that is not an array");
	is_int(store_response_get(s, "resp_a", &item, NULL, &err), HERR_NOT_FOUND,
	       "resp_a evicted (cap 2)");
	is_int(store_response_item(s, "msg_2", &item, NULL, &err), HERR_NOT_FOUND,
	       "its items evicted with it");
	store_close(s);
}

/* A version-4 database with responses gets its items indexed by v5. */
static void migration_v5(void)
{
	char h2[300];
	struct herror err;
	struct store *s;
	char *item = NULL;
	struct store_run r;

	snprintf(h2, sizeof(h2), "%s/v4-home", home);
	s = open_home(h2, 0, 4, &err);
	ok(s != NULL, "a version-4 database");
	store_close(s);
	snprintf(db, sizeof(db), "%s/state.db", h2);
	{
		char sql[1024];
		snprintf(sql, sizeof(sql), "INSERT INTO responses VALUES('resp_a', '%s', NULL, 1, 1);"
			 "INSERT INTO responses VALUES('resp_bad', '{oops', NULL, 1, 1);", resp_a);
		raw(sql);
	}
	raw("INSERT INTO runs(id, status, created_at, updated_at) VALUES('old', 'queued', 1, 1)");
	snprintf(db, sizeof(db), "%s/state.db", home);
	s = open_home(h2, 0, 0, &err);
	ok(s != NULL, "migrates to v5: %s", err.msg);
	is_int(store_response_item(s, "msg_1", &item, NULL, &err), HERR_OK,
	       "items of responses stored before v5 resolve");
	free(item);
	is_int(store_run_get(s, "old", &r, &err), HERR_OK, "a run from v4 reads");
	ok(r.status == STORE_RUN_QUEUED, "queued");
	store_run_release(&r);
	{
		char *req = NULL;

		is_int(store_run_take_request(s, "old", &req, &err), HERR_OK, "its request: none");
		ok(req == NULL, "  (NULL)");
	}
	store_close(s);
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

/* Schema version 6: a version-5 database migrates; Idempotency-Key
 * records, the steer queue and approvals; they go with their run. */
static void store_additions_v6(void)
{
	char h2[300];
	struct herror err;
	struct store *s;
	int deleted = 0;

	snprintf(h2, sizeof(h2), "%s/v5-home", home);
	s = open_home(h2, 0, 5, &err);
	ok(s != NULL, "a version-5 database");
	store_close(s);
	s = open_home(h2, 0, 0, &err);
	ok(s != NULL, "migrates to the latest: %s", err.msg);
	snprintf(db, sizeof(db), "%s/state.db", h2);
	is_int(count("PRAGMA user_version"), store_schema_latest(), "schema version latest");
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
	snprintf(db, sizeof(db), "%s/state.db", home);
}

/* The page cache is bounded by store_opts.cache_kb: reading a database
 * many times its size leaves SQLite's memory near the bound. */
static void cache_bound(void)
{
	char h2[300], big[1024];
	struct herror err;
	struct store_opts o = { 0 };
	struct store *s;
	struct store_session se = { .id = "big", .source = "cli" };
	struct store_message m = { .session_id = "big", .role = "user", .content = big };
	struct json_object *info = NULL, *page = NULL;
	int64_t base, after = 0, used;
	int ok_writes = 1;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	snprintf(h2, sizeof(h2), "%s/cache-home", home);
	o.home = h2;
	herr_clear(&err);
	s = open_home(h2, 0, 0, &err);
	is_int(store_info(s, &info, &err), HERR_OK, "info");
	is_int(json_object_get_int(json_object_object_get(info, "cache_kb")), STORE_CACHE_KB_DEFAULT,
	       "default page cache bound is applied (PRAGMA cache_size)");
	json_object_put(info);
	ok(!store_session_create(s, &se, &err), "session");
	for(int i = 0; i < 6000 && ok_writes; i++)
		ok_writes = !store_message_add(s, &m, NULL, &err);
	ok(ok_writes, "6,000 messages of 1 KiB written (about 6 MB)");
	store_close(s);

	o.cache_kb = 128;
	ok(!store_open(&o, &s, &err), "open with cache_kb 128");
	is_int(store_info(s, &info, &err), HERR_OK, "info");
	is_int(json_object_get_int(json_object_object_get(info, "cache_kb")), 128, "bound is 128 KiB");
	json_object_put(info);
	base = store_memory_used();
	do {
		ok_writes = !store_messages_page(s, "big", after, 200, &page, &err);
		size_t n = ok_writes ? json_object_array_length(page) : 0;
		if(n)
			after = json_object_get_int64(json_object_object_get(
				json_object_array_get_idx(page, n - 1), "id"));
		json_object_put(page);
		if(!n)
			break;
	} while(ok_writes);
	used = store_memory_used();
	printf("# sqlite memory: %lld bytes after open, %lld after reading ~6 MB\n",
	       (long long)base, (long long)used);
	ok(used - base < 512 * 1024, "SQLite's memory grows by less than 512 KiB over a 6 MB read");
	store_close(s);
}

static void no_leaks(void)
{
	char bad_home[300], notdb_home[300], notdb[320];
	struct herror err;
	struct store *s;
	int before, after, failures = 0, opens = 0;
	FILE *f;

	snprintf(bad_home, sizeof(bad_home), "%s/a-file", home);
	f = fopen(bad_home, "w");
	fclose(f);
	snprintf(notdb_home, sizeof(notdb_home), "%s/notdb-home", home);
	mkdir(notdb_home, 0700);
	snprintf(notdb, sizeof(notdb), "%s/state.db", notdb_home);
	f = fopen(notdb, "w");
	fputs("this is not an SQLite database, just some text that is long enough\n", f);
	fclose(f);

	s = open_home(home, 0, 0, &err);
	store_close(s);
	before = tap_count_fds();
	for(int i = 0; i < 10000; i++) {
		const char *h = i % 10 == 3 ? bad_home : i % 10 == 7 ? notdb_home : home;

		s = open_home(h, 0, 0, &err);
		if(s) {
			opens++;
			store_close(s);
		} else {
			failures++;
		}
	}
	after = tap_count_fds();
	is_int(opens, 8000, "8,000 good opens");
	is_int(failures, 2000, "2,000 failing opens (HERMES_HOME a file; not a database)");
	is_int(after, before, "fd count flat after 10,000 opens and closes");
	s = open_home(notdb_home, 0, 0, &err);
	ok(s == NULL && strstr(err.msg, "state.db unavailable"), "cause kept: %s", err.msg);
}

int main(void)
{
	snprintf(home, sizeof(home), "%s/hermes-test-store-%ld",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	snprintf(db, sizeof(db), "%s/state.db", home);
	responses();
	sessions_runs_memory();
	permissions();
	migrations();
	run_transitions();
	run_queue();
	claim_two_processes();
	messages_paged_and_fork();
	session_page_and_remove();
	response_items();
	migration_v5();
	store_additions_v6();
	cache_bound();
	no_leaks();
	rm_home(home);
	return tap_done();
}
