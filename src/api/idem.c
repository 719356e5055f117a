/* src/api/idem.c: the Idempotency-Key of the endpoints that queue a run
 * (api/idem.h): the header, the scoped record key, lookup, create.
 * SPEC: runs-discovery-security §2.10
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/idem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/session_hdr.h"
#include "http/req.h"
#include "store/store.h"
#include "util/log.h"

/* The credential of the records: "api-" and 16 hex digits of
 * SHA-256("hermes idempotency\n" + the configured key), the digest the
 * derived session ids use. */
static void credential(const char *api_key, char *out)
{
	api_session_derive("hermes idempotency", api_key, out, API_IDEM_CRED_LEN + 1);
}

enum herr api_idem_read(struct api_idem *id, const struct app *app, struct req *r,
			const char *endpoint)
{
	char cred[API_IDEM_CRED_LEN + 1];

	memset(id, 0, sizeof(*id));
	id->key = req_header(r, "Idempotency-Key");
	if(!id->key)
		return HERR_OK;
	if(!api_runs_idem_key_valid(id->key)) {
		id->key = NULL;
		return herr_set(&r->err, HERR_BAD_REQUEST, "invalid_idempotency_key", NULL,
				"Idempotency-Key must be 1-255 printable ASCII characters.");
	}
	credential(app->cfg.api_key, cred);
	snprintf(id->scoped, sizeof(id->scoped), "%.*s %s %s", API_IDEM_ENDPOINT_MAX, endpoint,
		 cred, id->key);
	return HERR_OK;
}

/* A record of the key was found: the same request is replayed, another
 * one (or one whose object is gone) is a conflict. */
static enum herr found(struct api_idem *id, struct req *r, const char *fp, const char *run_id,
		       api_idem_replay_fn replay, void *ctx)
{
	bool gone = false;
	enum herr rc;

	if(strcmp(fp, id->fingerprint) != 0)
		return herr_set(&r->err, HERR_CONFLICT, "idempotency_key_conflict", NULL,
				"Idempotency-Key was already used with a different request.");
	if((rc = replay(ctx, r, run_id, &gone)) || !gone)
		return rc;
	return herr_set(&r->err, HERR_CONFLICT, "idempotency_key_conflict", NULL,
			"Idempotency-Key was already used; what it created is gone (swept or "
			"deleted). Use a new key.");
}

enum herr api_idem_lookup(struct api_idem *id, struct store *s, struct req *r,
			  struct json_object *body, const char *session_key,
			  api_idem_replay_fn replay, void *ctx, bool *answered)
{
	char *fp = NULL, *run_id = NULL;
	struct herror err;
	enum herr rc;

	*answered = false;
	if(!id->key)
		return HERR_OK;
	api_runs_fingerprint(body, session_key, id->fingerprint);
	herr_clear(&err);
	rc = store_idem_get(s, id->scoped, &fp, &run_id, &err);
	if(rc == HERR_NOT_FOUND)
		return HERR_OK;
	if(rc) {
		r->err = err;
		return rc;
	}
	rc = found(id, r, fp, run_id, replay, ctx);
	*answered = rc == HERR_OK;
	free(fp);
	free(run_id);
	return rc;
}

enum herr api_idem_create(struct api_idem *id, struct store *s, struct req *r,
			  const struct store_run_new *nr, api_idem_replay_fn replay, void *ctx,
			  bool *answered)
{
	char *old_fp = NULL, *old_run = NULL;
	enum herr rc;

	*answered = false;
	rc = store_run_create_idem(s, nr, id->key ? id->scoped : NULL, id->fingerprint, &old_fp,
				   &old_run, &r->err);
	if(rc == HERR_CONFLICT && old_fp && old_run) {
		/* another responder won the race for this key */
		LOG_INFO("run %s: an identical request with the same Idempotency-Key queued %s "
			 "first", nr->id, old_run);
		herr_clear(&r->err);
		rc = found(id, r, old_fp, old_run, replay, ctx);
		*answered = rc == HERR_OK;
	}
	free(old_fp);
	free(old_run);
	return rc;
}
