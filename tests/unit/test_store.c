/* tests/unit/test_store.c: the store against real database files in a
 * temporary HERMES_HOME. Raw SQLite is used here only to damage or age a
 * database the way the world would. */
#include "config.h"

#include <dirent.h>
#include <json-c/json.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "tap.h"

static char home[200], db[400];

static struct store *open_home(const char *h, int max, int target, struct herror *err)
{
	struct store_opts o = { h, max, target };
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
	struct store_run_update u = { .status = "running", .worker_pid = 42 };
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
	is_int(store_session_list(s, "api_server", 10, 0, &o, &err), HERR_OK, "list sessions");
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

	is_int(store_run_create(s, "run_1", "s2", "m", &err), HERR_OK, "create run");
	is_int(store_run_update(s, "run_1", &u, &err), HERR_OK, "update run");
	is_int(store_run_update(s, "run_x", &u, &err), HERR_NOT_FOUND, "update missing run");
	is_int(store_event_add(s, "run_1", "{\"event\":\"a\"}", &seq, &err), HERR_OK, "event 1");
	is_int(seq, 1, "first seq 1");
	is_int(store_event_add(s, "run_1", "{\"event\":\"b\"}", &seq, &err), HERR_OK, "event 2");
	is_int(seq, 2, "second seq 2");
	is_int(store_event_add(s, "run_x", "{}", &seq, &err), HERR_NOT_FOUND, "event for missing run");
	is_int(store_events(s, "run_1", 1, 0, &o, &err), HERR_OK, "events after 1");
	is_int(json_object_array_length(o), 1, "one event after seq 1");
	json_object_put(o);
	is_int(store_run_get(s, "run_1", &o, &err), HERR_OK, "get run");
	is_str(json_object_get_string(json_object_object_get(o, "status")), "running", "status");
	is_int(json_object_get_int(json_object_object_get(o, "worker_pid")), 42, "worker pid");
	json_object_put(o);

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
	struct json_object *o = NULL;

	snprintf(h2, sizeof(h2), "%s/mig-home", home);
	s = open_home(h2, 0, 1, &err);
	ok(s != NULL, "a version-1 database is created");
	ok(!store_session_create(s, &se, &err), "row written at version 1");
	is_int(store_run_create(s, "run_1", NULL, NULL, &err), HERR_INTERNAL,
	       "runs table absent at version 1");
	store_close(s);
	s = open_home(h2, 0, 0, &err);
	ok(s != NULL, "the old database opens with this build");
	is_int(store_info(s, &o, &err), HERR_OK, "info");
	is_int(json_object_get_int(json_object_object_get(o, "schema_version")),
	       store_schema_latest(), "migrated in place to the latest version");
	json_object_put(o);
	is_int(store_session_get(s, "old", &o, &err), HERR_OK, "old row kept");
	json_object_put(o);
	is_int(store_run_create(s, "run_1", NULL, NULL, &err), HERR_OK, "new table usable");
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
	no_leaks();
	rm_home(home);
	return tap_done();
}
