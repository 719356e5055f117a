/* src/store/store.h: the durable state of hermes-fcgi, behind one API.
 *
 * Everything the endpoints keep (stored responses and conversation names,
 * sessions and their messages, runs and their events, memory entries) goes
 * through these functions; no SQL exists outside src/store/. The handle is
 * opaque, rows come back as json-c objects (column name → value), and no
 * SQLite type appears here, so a second backend (PostgreSQL for several web
 * hosts) can implement this header without any handler changing.
 *
 * The SQLite backend keeps one file, $HERMES_HOME/state.db, shared by every
 * responder process and the runner: WAL journaling (DELETE where the
 * filesystem cannot do WAL, with one logged warning), synchronous=NORMAL,
 * foreign keys on, a busy timeout, and every write in a short
 * BEGIN IMMEDIATE transaction. Files are mode 0600 under any umask.
 *
 * Errors: HERR_NOT_FOUND for a missing row, HERR_CONFLICT for a duplicate
 * id, HERR_UNAVAILABLE (code store_unavailable, message naming the cause)
 * when the database cannot be used, HERR_INTERNAL for anything else. All
 * out-strings are owned by the caller (free()); all out-objects are new
 * references (json_object_put()).
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_STORE_STORE_H
#define HERMES_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct json_object;
struct store;

#define STORE_MAX_RESPONSES_DEFAULT 100

struct store_opts {
	const char *home;        /* directory of state.db; created 0700 if absent */
	int max_responses;       /* LRU cap on stored responses; 0 = default 100 */
	int schema_target;       /* migrate only up to this version; 0 = latest (tests) */
};

/* Open (create, migrate) the store. On failure *out is NULL, nothing is
 * left open, and err says why (for a network filesystem, with a hint). */
enum herr store_open(const struct store_opts *opts, struct store **out, struct herror *err)
	__attribute__((warn_unused_result));

/* Close every statement and the connection; s may be NULL. */
void store_close(struct store *s);

/* The newest schema version this build knows. */
int store_schema_latest(void);

/* {backend, path, journal_mode, schema_version, size_bytes, wal_bytes,
 *  responses, sessions, messages, runs} */
enum herr store_info(struct store *s, struct json_object **out, struct herror *err)
	__attribute__((warn_unused_result));

/* PRAGMA integrity_check; *ok_out is 1 when the database is sound, and
 * *report gets the checker's lines (caller frees). */
enum herr store_check(struct store *s, int *ok_out, char **report, struct herror *err)
	__attribute__((warn_unused_result));

/* VACUUM and a WAL checkpoint. */
enum herr store_vacuum(struct store *s, struct herror *err) __attribute__((warn_unused_result));

/* ---- responses and conversations (src/store/responses.c) --------------- */

/* Store (or replace) response id with its JSON text and session id (may be
 * NULL), mark it most recently used, and evict the least recently used
 * beyond the cap together with the conversation names pointing at them. */
enum herr store_response_put(struct store *s, const char *id, const char *json,
			     const char *session_id, struct herror *err)
	__attribute__((warn_unused_result));

/* Fetch a response: *json (and *session_id if not NULL; may be set to
 * NULL) are owned by the caller. Marks it used. A row whose JSON does not
 * parse is logged, deleted and reported as HERR_NOT_FOUND. */
enum herr store_response_get(struct store *s, const char *id, char **json, char **session_id,
			     struct herror *err) __attribute__((warn_unused_result));

/* Delete a response and the conversation names pointing at it.
 * HERR_NOT_FOUND if there was none. */
enum herr store_response_delete(struct store *s, const char *id, struct herror *err)
	__attribute__((warn_unused_result));

/* Point conversation name at response_id (which must exist). */
enum herr store_conversation_set(struct store *s, const char *name, const char *response_id,
				 struct herror *err) __attribute__((warn_unused_result));

/* The response id a conversation name points at (caller frees). */
enum herr store_conversation_get(struct store *s, const char *name, char **response_id,
				 struct herror *err) __attribute__((warn_unused_result));

/* ---- sessions and messages (src/store/sessions.c) ----------------------- */

struct store_session {
	const char *id;                 /* required */
	const char *source;             /* required, e.g. "api_server" */
	const char *parent_session_id;  /* NULL, or an existing session */
	const char *title;              /* may be NULL */
	const char *model;              /* may be NULL */
	const char *system_prompt;      /* may be NULL */
	const char *session_key;        /* may be NULL */
};

struct store_message {
	const char *session_id;         /* required, existing session */
	const char *role;               /* required: user, assistant, tool, system */
	const char *content;            /* may be NULL */
	const char *tool_calls;         /* JSON text or NULL */
	const char *tool_call_id;       /* may be NULL */
	const char *tool_name;          /* may be NULL */
	const char *finish_reason;      /* may be NULL */
	const char *reasoning;          /* may be NULL */
	int64_t token_count;            /* 0 = unknown */
};

/* Create a session (started_at = now). HERR_CONFLICT if the id exists. */
enum herr store_session_create(struct store *s, const struct store_session *sess,
			       struct herror *err) __attribute__((warn_unused_result));

/* One session as an object of its columns. */
enum herr store_session_get(struct store *s, const char *id, struct json_object **out,
			    struct herror *err) __attribute__((warn_unused_result));

/* Sessions, newest first; source may be NULL (all). Array of objects. */
enum herr store_session_list(struct store *s, const char *source, int limit, int offset,
			     struct json_object **out, struct herror *err)
	__attribute__((warn_unused_result));

/* Set the title (NULL clears it). HERR_NOT_FOUND if no such session. */
enum herr store_session_set_title(struct store *s, const char *id, const char *title,
				  struct herror *err) __attribute__((warn_unused_result));

/* Mark a session ended with a reason (compression rotation, branched). */
enum herr store_session_end(struct store *s, const char *id, const char *reason,
			    struct herror *err) __attribute__((warn_unused_result));

/* Add token counts to a session. */
enum herr store_session_add_usage(struct store *s, const char *id, int64_t input_tokens,
				  int64_t output_tokens, struct herror *err)
	__attribute__((warn_unused_result));

/* Delete a session and its messages. HERR_NOT_FOUND if none. */
enum herr store_session_delete(struct store *s, const char *id, struct herror *err)
	__attribute__((warn_unused_result));

/* Append a message (timestamp = now); *id_out (may be NULL) gets its id. */
enum herr store_message_add(struct store *s, const struct store_message *m, int64_t *id_out,
			    struct herror *err) __attribute__((warn_unused_result));

/* A session's active messages in order. Array of objects. */
enum herr store_messages(struct store *s, const char *session_id, struct json_object **out,
			 struct herror *err) __attribute__((warn_unused_result));

/* The session that continues id after a compression rotation: the newest
 * child of id when id ended with reason "compression", copied into out
 * (cap bytes). HERR_NOT_FOUND when id was not rotated. (src/store/lineage.c) */
enum herr store_session_successor(struct store *s, const char *id, char *out, size_t cap,
				  struct herror *err) __attribute__((warn_unused_result));

/* ---- runs and their events (src/store/runs.c, src/store/events.c) ------- */

/* Create a run in status "queued". HERR_CONFLICT if the id exists. */
enum herr store_run_create(struct store *s, const char *id, const char *session_id,
			   const char *model, struct herror *err)
	__attribute__((warn_unused_result));

/* Fields to change on a run; NULL / negative = leave as is. */
struct store_run_update {
	const char *status;       /* queued, running, waiting_for_approval, stopping,
	                             completed, failed, cancelled, interrupted */
	const char *last_event;
	const char *output;
	const char *usage;        /* JSON text */
	const char *error;
	long worker_pid;          /* < 0: leave */
};

enum herr store_run_update(struct store *s, const char *id, const struct store_run_update *u,
			   struct herror *err) __attribute__((warn_unused_result));

/* One run as an object of its columns. */
enum herr store_run_get(struct store *s, const char *id, struct json_object **out,
			struct herror *err) __attribute__((warn_unused_result));

/* Append an event (JSON text) to a run; *seq_out (may be NULL) gets its
 * sequence number, 1 for the first event of a run. */
enum herr store_event_add(struct store *s, const char *run_id, const char *json,
			  int64_t *seq_out, struct herror *err)
	__attribute__((warn_unused_result));

/* Events of a run with seq > after, in order, at most limit (<= 0: all).
 * Array of {seq, event, created_at}. */
enum herr store_events(struct store *s, const char *run_id, int64_t after, int limit,
		       struct json_object **out, struct herror *err)
	__attribute__((warn_unused_result));

/* ---- memory (src/store/memory.c) ---------------------------------------- */

/* Append an entry under a session key. */
enum herr store_memory_add(struct store *s, const char *key, const char *entry,
			   struct herror *err) __attribute__((warn_unused_result));

/* Entries under a key, oldest first: array of strings. */
enum herr store_memory_list(struct store *s, const char *key, struct json_object **out,
			    struct herror *err) __attribute__((warn_unused_result));

/* Remove every entry under a key. */
enum herr store_memory_clear(struct store *s, const char *key, struct herror *err)
	__attribute__((warn_unused_result));

/* Entries under a key with their ids, oldest first: [{id, entry}]. */
enum herr store_memory_entries(struct store *s, const char *key, struct json_object **out,
			       struct herror *err) __attribute__((warn_unused_result));

/* Replace (entry != NULL) or delete (entry == NULL) entry id under key.
 * HERR_NOT_FOUND if no such entry. */
enum herr store_memory_set(struct store *s, const char *key, int64_t id, const char *entry,
			   struct herror *err) __attribute__((warn_unused_result));

/* ---- agent turns in progress (src/store/turns.c) ---------------------------- */

/* Count the turns in progress in every process (forgetting those whose
 * process died); if fewer than max (max <= 0: no cap), register one for
 * pid and set *id. Over the cap: HERR_RATE_LIMIT, code
 * rate_limit_exceeded, "Too many concurrent runs (max N)". */
enum herr store_turn_begin(struct store *s, long pid, const char *kind, int max, int64_t *id,
			   struct herror *err) __attribute__((warn_unused_result));

/* The turn ended. */
void store_turn_end(struct store *s, int64_t id);

/* ---- todo lists (src/store/todos.c) ---------------------------------------- */

/* The session's task list as JSON text (caller frees); "[]" when none. */
enum herr store_todo_get(struct store *s, const char *session_id, char **json,
			 struct herror *err) __attribute__((warn_unused_result));

/* Replace the session's task list (JSON array text). */
enum herr store_todo_set(struct store *s, const char *session_id, const char *json,
			 struct herror *err) __attribute__((warn_unused_result));

#endif
