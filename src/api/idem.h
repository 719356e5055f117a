/* src/api/idem.h: the Idempotency-Key of the POST endpoints that queue a
 * run - POST /v1/runs and POST /v1/responses with background: true. One
 * path for all of them: an endpoint reads the header, looks the record up
 * before its concurrency check, and creates its run through it; it only
 * says how a replay of what a run created is answered (api_idem_replay_fn).
 *
 * A record (store/idempotency.c, in state.db, kept 24 h) maps a scoped key
 * to the fingerprint of the request that first came with it (SHA-256 of
 * the canonical body and the session key, api_runs_fingerprint) and the
 * run it queued, written in the same transaction as the run. The scoped
 * key is "<endpoint> <credential> <key>": the endpoint keeps the key
 * spaces of runs and responses apart (a key has no space, so no key of one
 * can name a record of the other), the credential (16 hex digits of a
 * SHA-256 of the configured API key) keeps records made under one API key
 * from being replayed under another.
 * SPEC: runs-discovery-security §2.10
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_IDEM_H
#define HERMES_API_IDEM_H

#include <stdbool.h>

#include "api/runs_admit.h"
#include "util/err.h"

struct app;
struct json_object;
struct req;
struct store;
struct store_run_new;

#define API_IDEM_ENDPOINT_MAX 16
#define API_IDEM_CRED_LEN 20       /* "api-" + 16 hex digits */
#define API_IDEM_SCOPED_MAX (API_IDEM_ENDPOINT_MAX + 1 + API_IDEM_CRED_LEN + 1 + RUNS_IDEM_KEY_MAX)

struct api_idem {
	const char *key;                           /* borrowed header; NULL: none */
	char scoped[API_IDEM_SCOPED_MAX + 1];      /* the record's key */
	char fingerprint[RUNS_FINGERPRINT_LEN + 1]; /* set by api_idem_lookup */
};

/* Answer r with a replay of what run_id created, its current state, with
 * Idempotency-Replayed: true. *gone (nothing sent, HERR_OK) when that no
 * longer exists (a swept run, a deleted response). */
typedef enum herr (*api_idem_replay_fn)(void *ctx, struct req *r, const char *run_id,
					bool *gone);

/* Read r's Idempotency-Key for endpoint (a static name without spaces,
 * at most API_IDEM_ENDPOINT_MAX characters: "runs", "responses") into id
 * (which it initialises). No header: id->key NULL. A key that is not 1-255
 * printable ASCII characters (33-126): 400 invalid_idempotency_key. */
enum herr api_idem_read(struct api_idem *id, const struct app *app, struct req *r,
			const char *endpoint) __attribute__((warn_unused_result));

/* Before the concurrency check: with a key, fingerprint body (borrowed)
 * with session_key ("" or NULL: none) and look the record up. None:
 * *answered false. The same fingerprint: replay answers r and *answered
 * is true. Another fingerprint, or what the key created is gone: 409
 * idempotency_key_conflict. Without a key: *answered false, nothing read. */
enum herr api_idem_lookup(struct api_idem *id, struct store *s, struct req *r,
			  struct json_object *body, const char *session_key,
			  api_idem_replay_fn replay, void *ctx, bool *answered)
	__attribute__((warn_unused_result));

/* Queue run nr (store_run_create_idem: with the record when id has a key,
 * in one transaction). HERR_OK with *answered false: queued, the caller
 * answers. A responder that won the race for the key since the lookup:
 * nothing is queued and its run is replayed as api_idem_lookup does
 * (*answered true, or 409). */
enum herr api_idem_create(struct api_idem *id, struct store *s, struct req *r,
			  const struct store_run_new *nr, api_idem_replay_fn replay, void *ctx,
			  bool *answered) __attribute__((warn_unused_result));

#endif
