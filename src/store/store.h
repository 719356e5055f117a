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
#define STORE_CACHE_KB_DEFAULT 512

struct store_opts {
	const char *home;        /* directory of state.db; created 0700 if absent */
	int max_responses;       /* LRU cap on stored responses; 0 = default 100 */
	int schema_target;       /* migrate only up to this version; 0 = latest (tests) */
	int cache_kb;            /* SQLite page cache of the connection in KiB
	                            (store.cache_kb); 0 = default 512 */
};

struct cfg;

/* store_opts for the configured HERMES_HOME (home borrowed from c: c must
 * outlive o). Every process that opens state.db fills its options here. */
void store_opts_from_cfg(const struct cfg *c, struct store_opts *o);

/* Open (create, migrate) the store. On failure *out is NULL, nothing is
 * left open, and err says why (for a network filesystem, with a hint). */
enum herr store_open(const struct store_opts *opts, struct store **out, struct herror *err)
	__attribute__((warn_unused_result));

/* Close every statement and the connection; s may be NULL. */
void store_close(struct store *s);

/* Bytes SQLite holds in this process now (page caches, schema, statements
 * of every connection): sqlite3_memory_used(). */
int64_t store_memory_used(void);

/* The newest schema version this build knows. */
int store_schema_latest(void);

/* {backend, path, journal_mode, schema_version, cache_kb, size_bytes,
 *  wal_bytes, responses, sessions, messages, runs} */
enum herr store_info(struct store *s, struct json_object **out, struct herror *err)
	__attribute__((warn_unused_result));

/* PRAGMA integrity_check; *ok_out is 1 when the database is sound, and
 * *report gets the checker's lines (caller frees). */
enum herr store_check(struct store *s, int *ok_out, char **report, struct herror *err)
	__attribute__((warn_unused_result));

/* VACUUM and a WAL checkpoint. */
enum herr store_vacuum(struct store *s, struct herror *err) __attribute__((warn_unused_result));

/* Delete the sessions (with their messages and todo lists) last written
 * more than max_age seconds ago, in one transaction. A session some newer
 * session descends from (a compression rotation still in use) is kept.
 * *sessions and *messages (may be NULL) get how many were deleted. Stored
 * responses, runs and memory are not touched. (src/store/admin.c) */
enum herr store_session_prune(struct store *s, double max_age, int64_t *sessions,
			      int64_t *messages, struct herror *err)
	__attribute__((warn_unused_result));

/* ---- backup (src/store/backup.c) ----------------------------------------- */

#define STORE_BACKUP_FORCE 1u   /* replace an existing destination */

struct store_backup_info {
	int64_t bytes;          /* size of the copy */
	int64_t pages;          /* pages copied */
	int schema_version;     /* user_version of the copy */
	int restarts;           /* copies restarted by writers (DELETE journaling) */
};

/* Copy home/state.db to the file dest with SQLite's online backup API while
 * other processes keep writing: the copy holds everything committed before
 * the backup began (WAL: exactly one snapshot), is one self-contained file
 * (journal_mode=DELETE), mode 0600, and has passed PRAGMA integrity_check
 * before it appears under the name dest (atomically: a crash leaves dest
 * absent or complete). The schema is not migrated. Errors: HERR_CONFLICT
 * (backup_exists) when dest exists and flags lacks STORE_BACKUP_FORCE;
 * HERR_NOT_FOUND when there is no state.db; HERR_BAD_REQUEST for a
 * directory or the database itself as dest; HERR_UNAVAILABLE when a file
 * cannot be read or written; HERR_INTERNAL (backup_corrupt) when the copy
 * fails the check. *info is filled on success. */
enum herr store_backup(const char *home, const char *dest, unsigned flags,
		       struct store_backup_info *info, struct herror *err)
	__attribute__((warn_unused_result));

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

/* An output item of a stored response by its id (a Responses
 * item_reference, SPEC: openai-wire §6.3): *item_json gets the item's JSON
 * text and *response_id (may be NULL) the response holding it, both owned
 * by the caller. Items are indexed when the response is put; one that is
 * replaced or evicted goes with it. HERR_NOT_FOUND (item_not_found). */
enum herr store_response_item(struct store *s, const char *item_id, char **item_json,
			      char **response_id, struct herror *err)
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

/* A page of a session's active messages: those with id > after_id, in
 * order, at most limit (<= 0: all). Array of objects; the id of the last
 * one is the after_id of the next page. */
enum herr store_messages_page(struct store *s, const char *session_id, int64_t after_id,
			      int limit, struct json_object **out, struct herror *err)
	__attribute__((warn_unused_result));

/* Fork session src_id into a new session child->id whose parent is src_id,
 * in one transaction: the child's source, title, model, system prompt and
 * session key are child's where given, else src's (child->
 * parent_session_id is ignored); src's active messages with id <= upto_id
 * (<= 0: all) are copied in order. *copied (may be NULL) gets how many.
 * HERR_NOT_FOUND: session_not_found (no src) or message_not_found (upto_id
 * is not an active message of src); HERR_CONFLICT: session_exists. Nothing
 * is written on error. */
enum herr store_session_fork(struct store *s, const char *src_id,
			     const struct store_session *child, int64_t upto_id,
			     int64_t *copied, struct herror *err)
	__attribute__((warn_unused_result));

/* ---- the sessions API's views (src/store/session_page.c) ---------------- *
 * A summary is {id, title, source, model, parent_session_id, started_at,
 * updated_at, ended_at, end_reason, message_count, tool_call_count,
 * input_tokens, output_tokens, has_system_prompt, last_message_preview (the
 * first 200 characters of the newest non-empty user or assistant message,
 * or null)}; the system prompt itself is never in it. */

/* One session's summary. HERR_NOT_FOUND (session_not_found). */
enum herr store_session_summary(struct store *s, const char *id, struct json_object **out,
				struct herror *err) __attribute__((warn_unused_result));

/* Summaries, newest first (started_at, then id, descending): source may be
 * NULL (all); at most limit (<= 0: all) after skipping offset, counted
 * from the session after (exclusive; NULL: from the newest; an id that
 * does not exist: an empty page). Array of objects. */
enum herr store_session_page(struct store *s, const char *source, int limit, int offset,
			     const char *after, struct json_object **out, struct herror *err)
	__attribute__((warn_unused_result));

/* The stored system prompt of session id into *out (caller frees; NULL
 * when it has none). HERR_NOT_FOUND (session_not_found). */
enum herr store_session_system_prompt(struct store *s, const char *id, char **out,
				      struct herror *err) __attribute__((warn_unused_result));

/* Delete session id with its messages and todo list, in one transaction,
 * unless a live run (queued, running, waiting for approval, stopping) or a
 * turn in progress in a live process uses it: HERR_CONFLICT
 * (session_in_use, naming the run or the turn's process). *messages (may be
 * NULL) gets how many messages went. HERR_NOT_FOUND (session_not_found). */
enum herr store_session_remove(struct store *s, const char *id, int64_t *messages,
			       struct herror *err) __attribute__((warn_unused_result));

/* ---- runs and their events (src/store/runs.c, src/store/events.c) ------- *
 *
 * A run moves through this state machine (SPEC: runs-discovery-security
 * §2.2, §2.6, §2.11); every change of status is a compare-and-set inside one
 * BEGIN IMMEDIATE transaction, so two processes can never both move a run:
 *
 *   queued ──claim──> running <──> waiting_for_approval
 *     │                  │                │
 *     │                  └──> stopping <──┘ ──> cancelled | completed | failed
 *     └──> stopping | cancelled | failed      running ──> completed | failed
 *   every live status ──> interrupted (its runner died)
 *
 * completed, failed, cancelled and interrupted are terminal. */

enum store_run_status {
	STORE_RUN_QUEUED,
	STORE_RUN_RUNNING,
	STORE_RUN_WAITING_FOR_APPROVAL,
	STORE_RUN_STOPPING,
	STORE_RUN_COMPLETED,
	STORE_RUN_FAILED,
	STORE_RUN_CANCELLED,
	STORE_RUN_INTERRUPTED,
};
#define STORE_RUN_STATUS_COUNT 8

/* Sets of statuses, for compare-and-set and listing. */
#define STORE_RUN_BIT(st) (1u << (unsigned)(st))
#define STORE_RUN_LIVE                                                       \
	(STORE_RUN_BIT(STORE_RUN_QUEUED) | STORE_RUN_BIT(STORE_RUN_RUNNING) |   \
	 STORE_RUN_BIT(STORE_RUN_WAITING_FOR_APPROVAL) | STORE_RUN_BIT(STORE_RUN_STOPPING))
#define STORE_RUN_TERMINAL                                                   \
	(STORE_RUN_BIT(STORE_RUN_COMPLETED) | STORE_RUN_BIT(STORE_RUN_FAILED) | \
	 STORE_RUN_BIT(STORE_RUN_CANCELLED) | STORE_RUN_BIT(STORE_RUN_INTERRUPTED))
#define STORE_RUN_ANY (STORE_RUN_LIVE | STORE_RUN_TERMINAL)

/* The wire name of a status ("queued", "waiting_for_approval", ...);
 * static storage. */
const char *store_run_status_name(enum store_run_status st);

/* Status by wire name; 0 if name is none of them. */
int store_run_status_parse(const char *name, enum store_run_status *out);

/* Is from -> to an edge of the state machine above? */
int store_run_transition_legal(enum store_run_status from, enum store_run_status to);

/* One run. Every string is owned (free with store_run_release) or NULL. */
struct store_run {
	char *id;
	enum store_run_status status;
	char *session_id;
	char *model;
	char *last_event;
	char *output;
	char *usage;              /* JSON text */
	char *error;
	long worker_pid;          /* 0 = none */
	double created_at;        /* Unix seconds */
	double updated_at;        /* bumped on every write */
};

/* Free the strings of r (not r itself) and zero it; r may be zeroed. */
void store_run_release(struct store_run *r);

/* Hand run id's admitted request (JSON text, as store_run_new.request
 * gave it) to its worker: *out gets it (the caller frees it; NULL when it
 * was taken before or never given) and the row's copy is cleared. The
 * request is read nowhere else: a store_run never carries it. */
enum herr store_run_take_request(struct store *s, const char *id, char **out,
				 struct herror *err) __attribute__((warn_unused_result));

/* Free an array from store_run_list (n entries); runs may be NULL. */
void store_run_list_free(struct store_run *runs, size_t n);

/* What a new run carries; id is required, the rest may be NULL. */
struct store_run_new {
	const char *id;
	const char *session_id;
	const char *model;
	const char *request;      /* JSON text */
};

/* Create a run in status queued. HERR_CONFLICT (run_exists) if the id
 * exists. */
enum herr store_run_create(struct store *s, const struct store_run_new *r, struct herror *err)
	__attribute__((warn_unused_result));

/* Fields written beside a status (or alone); NULL / negative = leave. */
struct store_run_fields {
	const char *last_event;
	const char *output;
	const char *usage;        /* JSON text */
	const char *error;
	long worker_pid;          /* < 0: leave */
};

/* Write fields of a run without touching its status. HERR_NOT_FOUND
 * (run_not_found). */
enum herr store_run_update(struct store *s, const char *id, const struct store_run_fields *f,
			   struct herror *err) __attribute__((warn_unused_result));

/* Compare-and-set: move run id to status to, if its status is in from_mask
 * (STORE_RUN_BIT()s) and the edge is legal, writing f (may be NULL) in the
 * same transaction. *prev (may be NULL) gets the status found. Errors:
 * HERR_NOT_FOUND (run_not_found); HERR_CONFLICT with code
 * run_status_changed when the status is outside from_mask, or
 * run_transition_invalid when the edge is not in the state machine - in
 * both cases nothing is written and *prev holds the status found. */
enum herr store_run_transition(struct store *s, const char *id, unsigned from_mask,
			       enum store_run_status to, const struct store_run_fields *f,
			       enum store_run_status *prev, struct herror *err)
	__attribute__((warn_unused_result));

/* Claim the oldest queued run for worker_pid: it becomes running (one
 * UPDATE ... RETURNING in a write transaction, so two claimers never get
 * the same run) and is copied into *out (release it). HERR_NOT_FOUND with
 * code no_queued_run when the queue is empty. */
enum herr store_run_claim(struct store *s, long worker_pid, struct store_run *out,
			  struct herror *err) __attribute__((warn_unused_result));

/* One run into *out (release it). HERR_NOT_FOUND (run_not_found). */
enum herr store_run_get(struct store *s, const char *id, struct store_run *out,
			struct herror *err) __attribute__((warn_unused_result));

/* Runs whose status is in status_mask, oldest first, at most limit (<= 0:
 * all). *out is a new array of *n runs (store_run_list_free), NULL if none. */
enum herr store_run_list(struct store *s, unsigned status_mask, int limit,
			 struct store_run **out, size_t *n, struct herror *err)
	__attribute__((warn_unused_result));

/* Runs whose status is in status_mask, newest first, at most limit (<= 0:
 * all), older than run after (NULL: from the newest; an unknown id: none).
 * *out as for store_run_list. */
enum herr store_run_page(struct store *s, unsigned status_mask, int limit, const char *after,
			 struct store_run **out, size_t *n, struct herror *err)
	__attribute__((warn_unused_result));

/* PRAGMA data_version of this connection: changes whenever another
 * connection (process) commits to the database - the cheap test before
 * re-reading a table another process writes. (src/store/watch.c) */
enum herr store_data_version(struct store *s, int64_t *out, struct herror *err)
	__attribute__((warn_unused_result));

/* TTL sweep: delete terminal runs (and their events) last written more
 * than max_age seconds ago; *deleted (may be NULL) gets how many. Live runs
 * are never swept. SPEC: runs-discovery-security §2.7 (3600 s). */
enum herr store_run_sweep(struct store *s, double max_age, int *deleted, struct herror *err)
	__attribute__((warn_unused_result));

/* Append n events (JSON texts) to a run in one transaction, numbered on
 * from the run's last sequence number; last_event (may be NULL) is written
 * into the run in the same transaction. *last_seq (may be NULL) gets the
 * number of the last one (1 for the first event of a run). Nothing is
 * written on error; HERR_NOT_FOUND (run_not_found) for no such run. */
enum herr store_events_append(struct store *s, const char *run_id, const char *const *events,
			      size_t n, const char *last_event, int64_t *last_seq,
			      struct herror *err) __attribute__((warn_unused_result));

/* Append one event: store_events_append with n = 1 and no last_event. */
enum herr store_event_add(struct store *s, const char *run_id, const char *json,
			  int64_t *seq_out, struct herror *err)
	__attribute__((warn_unused_result));

/* Events of a run with seq > after, in order, at most limit (<= 0: all).
 * Array of {seq, event, created_at}. */
enum herr store_events(struct store *s, const char *run_id, int64_t after, int limit,
		       struct json_object **out, struct herror *err)
	__attribute__((warn_unused_result));

/* ---- Idempotency-Key records (src/store/idempotency.c) ------------------ *
 *
 * key is the caller's scoped key (credential scope + Idempotency-Key);
 * fingerprint the SHA-256 hex of the canonical request. Records are kept
 * STORE_IDEM_RETENTION seconds (SPEC: runs-discovery-security §2.10) and
 * swept by every create. */
#define STORE_IDEM_RETENTION (24.0 * 3600.0)

/* The record under key: *fingerprint and *run_id become owned strings
 * (free them). HERR_NOT_FOUND (idempotency_not_found) if none (or expired). */
enum herr store_idem_get(struct store *s, const char *key, char **fingerprint, char **run_id,
			 struct herror *err) __attribute__((warn_unused_result));

/* Create run r (status queued) and, when key != NULL, the record key ->
 * (fingerprint, r->id) in one transaction, after sweeping expired records.
 * When key already has a record nothing is written and HERR_CONFLICT
 * (idempotency_key_exists) is returned with *old_fp and *old_run (owned,
 * may be NULL pointers to skip) set from it - another responder won the race. */
enum herr store_run_create_idem(struct store *s, const struct store_run_new *r, const char *key,
				const char *fingerprint, char **old_fp, char **old_run,
				struct herror *err) __attribute__((warn_unused_result));

/* Delete records older than max_age seconds; *deleted (may be NULL). */
enum herr store_idem_sweep(struct store *s, double max_age, int *deleted, struct herror *err)
	__attribute__((warn_unused_result));

/* ---- the steer queue of a run (src/store/steer.c) ----------------------- */

/* Queue text for run_id if the run's status is in status_mask (0: any);
 * *seq (may be NULL) gets its number (1 for the first). Errors:
 * HERR_NOT_FOUND (run_not_found); HERR_CONFLICT (run_not_accepting_steer)
 * with *prev (may be NULL) holding the status found. */
enum herr store_run_steer_add(struct store *s, const char *run_id, const char *text,
			      unsigned status_mask, int64_t *seq, enum store_run_status *prev,
			      struct herror *err) __attribute__((warn_unused_result));

/* Take the undelivered texts of run_id, oldest first, joined by "\n", and
 * mark them delivered (one transaction). *text is owned, NULL if none. */
enum herr store_run_steer_take(struct store *s, const char *run_id, char **text,
			       struct herror *err) __attribute__((warn_unused_result));

/* The undelivered texts, joined as above, without marking them (for
 * pending_steer on the terminal status). *text owned, NULL if none. */
enum herr store_run_steer_pending(struct store *s, const char *run_id, char **text,
				  struct herror *err) __attribute__((warn_unused_result));

/* ---- approval requests of a run (src/store/approvals.c) ----------------- */

/* One approval request; strings owned (store_approval_release) or NULL. */
struct store_approval {
	char *run_id;
	char *request_id;
	char *command;
	char *reason;
	char *choice;             /* NULL until answered */
	double created_at;
	double answered_at;       /* 0 until answered */
};

/* Free the strings of a (not a itself) and zero it. */
void store_approval_release(struct store_approval *a);

/* Open request request_id of run_id (unanswered). Errors: HERR_NOT_FOUND
 * (run_not_found); HERR_CONFLICT (approval_exists). */
enum herr store_run_approval_open(struct store *s, const char *run_id, const char *request_id,
				  const char *command, const char *reason, struct herror *err)
	__attribute__((warn_unused_result));

/* Answer request request_id (NULL: the newest unanswered one) of run_id
 * with choice, if the run's status is in status_mask (0: any). *answered
 * (owned, may be NULL to skip) gets the request id answered. Errors:
 * HERR_NOT_FOUND (run_not_found, approval_not_found); HERR_CONFLICT
 * (run_not_waiting with *prev set; approval_answered). */
enum herr store_run_approval_answer(struct store *s, const char *run_id, const char *request_id,
				    const char *choice, unsigned status_mask, char **answered,
				    enum store_run_status *prev, struct herror *err)
	__attribute__((warn_unused_result));

/* Request request_id (NULL: the newest) of run_id into *out (release it).
 * HERR_NOT_FOUND (approval_not_found). */
enum herr store_run_approval_get(struct store *s, const char *run_id, const char *request_id,
				 struct store_approval *out, struct herror *err)
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
 * pid in session_id (may be NULL) and set *id. Over the cap:
 * HERR_RATE_LIMIT, code rate_limit_exceeded, "Too many concurrent runs
 * (max N)". With STORE_TURN_ALONE, another turn in progress in session_id
 * is HERR_CONFLICT session_busy (checked in the same transaction). */
#define STORE_TURN_ALONE 1u
enum herr store_turn_begin(struct store *s, long pid, const char *kind, const char *session_id,
			   unsigned flags, int max, int64_t *id, struct herror *err)
	__attribute__((warn_unused_result));

/* Inside a transaction: *pid gets a live process with a turn in progress
 * in session_id (the turns of dead processes are forgotten first), 0 when
 * there is none. */
enum herr store_turn_in_session(struct store *s, const char *session_id, long *pid,
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
