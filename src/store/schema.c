/* src/store/schema.c: the schema as a list of forward migrations.
 *
 * user_version holds the version. Each migration runs in its own
 * BEGIN IMMEDIATE transaction that re-reads the version first, so several
 * processes opening an old database at once migrate it exactly once. A
 * database newer than this build is refused, never used half-understood.
 * Append new migrations; never edit a released one.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

#include <stdio.h>

#include "util/log.h"

static const char *const migrations[] = {
	/* 1: responses, conversation names, sessions and their messages. */
	"CREATE TABLE responses ("
	"  id TEXT PRIMARY KEY,"
	"  data TEXT NOT NULL,"
	"  session_id TEXT,"
	"  created_at REAL NOT NULL,"
	"  accessed_at REAL NOT NULL);"
	"CREATE INDEX responses_accessed ON responses(accessed_at);"
	"CREATE TABLE conversations ("
	"  name TEXT PRIMARY KEY,"
	"  response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE);"
	"CREATE INDEX conversations_response ON conversations(response_id);"
	"CREATE TABLE sessions ("
	"  id TEXT PRIMARY KEY,"
	"  source TEXT NOT NULL,"
	"  session_key TEXT,"
	"  model TEXT,"
	"  system_prompt TEXT,"
	"  parent_session_id TEXT REFERENCES sessions(id) ON DELETE SET NULL,"
	"  title TEXT,"
	"  started_at REAL NOT NULL,"
	"  updated_at REAL NOT NULL,"
	"  ended_at REAL,"
	"  end_reason TEXT,"
	"  message_count INTEGER NOT NULL DEFAULT 0,"
	"  tool_call_count INTEGER NOT NULL DEFAULT 0,"
	"  input_tokens INTEGER NOT NULL DEFAULT 0,"
	"  output_tokens INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX sessions_source ON sessions(source, started_at DESC);"
	"CREATE INDEX sessions_parent ON sessions(parent_session_id);"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL,"
	"  content TEXT,"
	"  tool_calls TEXT,"
	"  tool_call_id TEXT,"
	"  tool_name TEXT,"
	"  finish_reason TEXT,"
	"  reasoning TEXT,"
	"  token_count INTEGER,"
	"  timestamp REAL NOT NULL,"
	"  active INTEGER NOT NULL DEFAULT 1);"
	"CREATE INDEX messages_session ON messages(session_id, active, id);",

	/* 2: runs, their event log, and memory by session key. */
	"CREATE TABLE runs ("
	"  id TEXT PRIMARY KEY,"
	"  status TEXT NOT NULL,"
	"  session_id TEXT,"
	"  model TEXT,"
	"  created_at REAL NOT NULL,"
	"  updated_at REAL NOT NULL,"
	"  last_event TEXT,"
	"  output TEXT,"
	"  usage TEXT,"
	"  error TEXT,"
	"  worker_pid INTEGER);"
	"CREATE INDEX runs_status ON runs(status, created_at);"
	"CREATE TABLE run_events ("
	"  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  event TEXT NOT NULL,"
	"  created_at REAL NOT NULL,"
	"  PRIMARY KEY (run_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE memory ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  session_key TEXT NOT NULL,"
	"  entry TEXT NOT NULL,"
	"  created_at REAL NOT NULL);"
	"CREATE INDEX memory_key ON memory(session_key, id);",

	/* 3: the todo tool's per-session task lists. */
	"CREATE TABLE todos ("
	"  session_id TEXT PRIMARY KEY,"
	"  items TEXT NOT NULL,"
	"  updated_at REAL NOT NULL);",

	/* 4: agent turns in progress, for the concurrency cap. */
	"CREATE TABLE turns ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  pid INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  started_at REAL NOT NULL);",

	/* 5: what the runner needs - the admitted request of a run, an index
	 * for the TTL sweep - and the output items of stored responses by id
	 * (Responses item_reference), filled in for the responses already
	 * stored. */
	"ALTER TABLE runs ADD COLUMN request TEXT;"
	"CREATE INDEX runs_updated ON runs(status, updated_at);"
	"CREATE TABLE response_items ("
	"  item_id TEXT PRIMARY KEY,"
	"  response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
	"  output_index INTEGER NOT NULL);"
	"CREATE INDEX response_items_response ON response_items(response_id);"
	"INSERT OR REPLACE INTO response_items(item_id, response_id, output_index)"
	"  SELECT json_extract(j.value, '$.id'), r.id, j.key FROM responses r,"
	"  json_each(" STORE_OUTPUT_ARRAY("r.data") ") j"
	"  WHERE json_type(j.value, '$.id') = 'text';",

	/* 6: what POST /v1/runs and the run controls need - Idempotency-Key
	 * records (kept 24 h), the steer queue of a run, and its approval
	 * requests with their answers. */
	"CREATE TABLE run_idempotency ("
	"  key TEXT PRIMARY KEY,"
	"  fingerprint TEXT NOT NULL,"
	"  run_id TEXT NOT NULL,"
	"  created_at REAL NOT NULL);"
	"CREATE INDEX run_idempotency_created ON run_idempotency(created_at);"
	"CREATE TABLE run_steers ("
	"  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  delivered INTEGER NOT NULL DEFAULT 0,"
	"  created_at REAL NOT NULL,"
	"  PRIMARY KEY (run_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE run_approvals ("
	"  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  request_id TEXT NOT NULL,"
	"  command TEXT,"
	"  reason TEXT,"
	"  choice TEXT,"
	"  created_at REAL NOT NULL,"
	"  answered_at REAL,"
	"  PRIMARY KEY (run_id, request_id)) WITHOUT ROWID;",

	/* 7: the session of a turn in progress, so that DELETE of a session
	 * waits for the turns streaming into it (as it waits for its runs). */
	"ALTER TABLE turns ADD COLUMN session_id TEXT;"
	"CREATE INDEX turns_session ON turns(session_id);",
};

#define LATEST ((int)(sizeof(migrations) / sizeof(migrations[0])))

int store_schema_latest(void)
{
	return LATEST;
}

static enum herr user_version(struct store *s, int *out, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "PRAGMA user_version", &st, err);

	if(rc)
		return rc;
	if(sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	else
		rc = store_db_fail(s, "read user_version", err);
	sqlite3_finalize(st);
	return rc;
}

enum herr store_schema_migrate(struct store *s, int target, struct herror *err)
{
	int v = 0;
	enum herr rc;

	if(target <= 0 || target > LATEST)
		target = LATEST;
	if((rc = user_version(s, &v, err)))
		return rc;
	if(v > LATEST)
		return herr_set(err, HERR_UNAVAILABLE, "store_unavailable", NULL,
				"state.db unavailable: %s has schema version %d, but this "
				"hermes-fcgi knows only up to %d; upgrade hermes-fcgi, or restore "
				"a backup made by this version", s->path, v, LATEST);
	while(v < target) {
		char sql[64];

		if((rc = store_db_begin(s, err)))
			return rc;
		rc = user_version(s, &v, err);
		if(!rc && v < target) {
			snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", v + 1);
			rc = store_db_exec(s, migrations[v], err);
			if(!rc)
				rc = store_db_exec(s, sql, err);
			if(!rc)
				LOG_INFO("state.db: migrated schema to version %d", v + 1);
		}
		if((rc = store_db_finish(s, rc, err)))
			return rc;
		if((rc = user_version(s, &v, err)))
			return rc;
	}
	s->version = v;
	return HERR_OK;
}
