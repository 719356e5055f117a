/* src/api/session_hdr.c: session headers and derived session ids.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/session_hdr.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "api/app.h"
#include "http/req.h"
#include "util/auth.h"
#include "util/str.h"
#include "util/utf8.h"

static enum herr one(struct app *app, struct req *r, const char *name, bool is_id, char *out)
{
	const char *v = req_header(r, name);
	size_t len;
	const char *t;

	out[0] = '\0';
	if(!v)
		return HERR_OK;
	t = str_trim(v, strlen(v), &len);
	if(!len)
		return HERR_OK;
	if(auth_key_state(app->cfg.api_key) == AUTH_KEY_MISSING)
		return herr_set(&r->err, HERR_FORBIDDEN, "api_key_required", NULL,
				"%s requires API key authentication: set API_SERVER_KEY.", name);
	/* Stored and echoed back: a session id in the list must be text. */
	if(str_has_ctl(t, len) || !utf8_valid(t, len))
		return herr_set(&r->err, HERR_BAD_REQUEST, is_id ? "invalid_session_id" : "invalid_session_key",
				NULL, "Invalid %s: it must be UTF-8 text without control characters.",
				is_id ? "session ID" : "session key");
	if(len > API_SESSION_HDR_MAX)
		return herr_set(&r->err, HERR_BAD_REQUEST, is_id ? "invalid_session_id" : "invalid_session_key",
				NULL, is_id ? "Session ID too long" : "Session key too long");
	memcpy(out, t, len);
	out[len] = '\0';
	if(is_id && (strstr(out, "..") || strchr(out, '/') || strchr(out, '\\') ||
		     (len >= 2 && out[1] == ':')))
		return herr_set(&r->err, HERR_BAD_REQUEST, "invalid_session_id", NULL,
				"Invalid session ID");
	return HERR_OK;
}

enum herr api_session_headers(struct app *app, struct req *r, char *id, char *key)
{
	enum herr rc = one(app, r, "X-Hermes-Session-Id", true, id);

	if(!rc)
		rc = one(app, r, "X-Hermes-Session-Key", false, key);
	return rc;
}

void api_session_derive(const char *system, const char *first_user, char *out, size_t cap)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	char hex[17];

	if(c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
	   EVP_DigestUpdate(c, system ? system : "", system ? strlen(system) : 0) &&
	   EVP_DigestUpdate(c, "\n", 1) &&
	   EVP_DigestUpdate(c, first_user ? first_user : "", first_user ? strlen(first_user) : 0) &&
	   EVP_DigestFinal_ex(c, md, &n) && n >= 8) {
		for(int i = 0; i < 8; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
	} else {
		memcpy(hex, "0000000000000000", 17);
	}
	EVP_MD_CTX_free(c);
	snprintf(out, cap, "api-%s", hex);
}
