/* src/api/runs_admit.c: POST /v1/runs admission - body checks, history
 * resolution, the Idempotency-Key fingerprint.
 * SPEC: runs-discovery-security §2.1, §2.8, §2.10
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/runs_admit.h"

#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/content.h"
#include "agent/history.h"
#include "api/fields.h"
#include "store/store.h"
#include "util/jsonx.h"
#include "util/str.h"
#include "util/xalloc.h"

bool api_runs_idem_key_valid(const char *key)
{
	size_t n = key ? strlen(key) : 0;

	if(n < 1 || n > RUNS_IDEM_KEY_MAX)
		return false;
	for(size_t i = 0; i < n; i++)
		if((unsigned char)key[i] < 33 || (unsigned char)key[i] > 126)
			return false;
	return true;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A copy of v with every object's keys in byte order (new reference). */
static struct json_object *sorted(struct json_object *v)
{
	struct json_object *out;

	if(json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v);

		out = json_object_new_array_ext((int)n);
		for(size_t i = 0; i < n; i++)
			json_object_array_add(out, sorted(json_object_array_get_idx(v, i)));
		return out;
	}
	if(!json_object_is_type(v, json_type_object))
		return json_object_get(v);
	{
		size_t n = (size_t)json_object_object_length(v), i = 0;
		const char **keys = xcalloc(n ? n : 1, sizeof(*keys));

		json_object_object_foreach(v, k, val) {
			(void)val;
			keys[i++] = k;
		}
		qsort(keys, n, sizeof(*keys), key_cmp);
		out = json_object_new_object();
		for(i = 0; i < n; i++)
			json_object_object_add(out, keys[i],
					       sorted(json_object_object_get(v, keys[i])));
		free(keys);
	}
	return out;
}

void api_runs_fingerprint(struct json_object *body, const char *session_key, char *out)
{
	struct json_object *w = json_object_new_object(), *c;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const char *text;

	json_object_object_add(w, "body", json_object_get(body));
	json_object_object_add(w, "session_key",
			       json_object_new_string(session_key ? session_key : ""));
	c = sorted(w);
	text = jsonx_text(c, NULL);
	if(!EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL))
		mdlen = 0;
	out[0] = '\0';
	for(unsigned int i = 0; i < mdlen && i * 2 < RUNS_FINGERPRINT_LEN; i++)
		snprintf(out + i * 2, 3, "%02x", md[i]);
	json_object_put(c);
	json_object_put(w);
}

static enum herr bad(struct herror *err, const char *code, const char *param, const char *msg)
{
	return herr_set(err, HERR_BAD_REQUEST, code, param, "%s", msg);
}

/* body session_id: checked like the X-Hermes-Session-Id header. */
static enum herr session_member(struct runs_admit *a, const char *sid, size_t len,
				struct herror *err)
{
	if(len > RUNS_SESSION_MAX || str_has_ctl(sid, len) || strstr(sid, "..") ||
	   strchr(sid, '/') || strchr(sid, '\\') || (len >= 2 && sid[1] == ':'))
		return bad(err, "invalid_session_id", "session_id", "Invalid session ID");
	snprintf(a->session_id, sizeof(a->session_id), "%s", sid);
	return HERR_OK;
}

/* One history message {role, content} (both strings, content normalised). */
static enum herr history_entry(struct json_object *m, const char *param, bool strict,
			       struct json_object *out, struct herror *err)
{
	struct json_object *content = NULL, *norm = NULL;
	const char *role = jsonx_get_str(m, "role");
	bool payload;
	char p[64];

	if(!json_object_is_type(m, json_type_object) || !role ||
	   !json_object_object_get_ex(m, "content", &content)) {
		if(!strict)
			return HERR_OK;
		snprintf(p, sizeof(p), "%s", param);
		return herr_set(err, HERR_BAD_REQUEST, "invalid_history", p,
				"%s must have 'role' and 'content' fields", p);
	}
	if(!*role || !content)
		return HERR_OK;
	snprintf(p, sizeof(p), "%s.content", param);
	if(agent_content_normalize(content, role, p, &norm, &payload, err))
		return err->rc;
	{
		struct json_object *e = json_object_new_object();

		jsonx_add_str(e, "role", role);
		json_object_object_add(e, "content", norm);
		json_object_array_add(out, e);
	}
	return HERR_OK;
}

static enum herr explicit_history(struct runs_admit *a, struct json_object *ch,
				  struct herror *err)
{
	for(size_t i = 0; i < json_object_array_length(ch); i++) {
		char p[48];
		enum herr rc;

		snprintf(p, sizeof(p), "conversation_history[%zu]", i);
		if((rc = history_entry(json_object_array_get_idx(ch, i), p, true, a->history, err)))
			return rc;
	}
	return HERR_OK;
}

/* The stored transcript, session and instructions of a /v1/responses
 * response. */
static enum herr previous_response(struct runs_admit *a, const char *prev, struct store *s,
				   struct herror *err)
{
	char *text = NULL, *sess = NULL;
	struct json_object *o, *hs = NULL, *tr = NULL;
	enum herr rc = s ? store_response_get(s, prev, &text, &sess, err) : HERR_NOT_FOUND;
	const char *inst;

	if(rc == HERR_NOT_FOUND)
		return herr_set(err, HERR_BAD_REQUEST, "previous_response_not_found",
				"previous_response_id", "Previous response with id '%.80s' not found.",
				prev);
	if(rc)
		return rc;
	o = jsonx_parse_stored(text);
	if(json_object_object_get_ex(o, "hermes_store", &hs) &&
	   json_object_object_get_ex(hs, "transcript", &tr) &&
	   json_object_is_type(tr, json_type_array))
		for(size_t i = 0; i < json_object_array_length(tr); i++)
			json_object_array_add(a->history,
					      json_object_get(json_object_array_get_idx(tr, i)));
	if(hs && (inst = jsonx_get_str(hs, "instructions")) && *inst)
		a->prev_instructions = xstrdup(inst);
	if(!a->session_id[0] && sess)
		snprintf(a->session_id, sizeof(a->session_id), "%s", sess);
	json_object_put(o);
	free(text);
	free(sess);
	return HERR_OK;
}

/* input: a non-empty string, or a non-empty array whose last element is
 * the user message and whose earlier ones may be history. */
static enum herr parse_input(struct runs_admit *a, struct json_object *input, bool use_earlier,
			     struct herror *err)
{
	struct json_object *last, *content = NULL;
	size_t n;
	bool payload = false;

	if(json_object_is_type(input, json_type_string)) {
		if(!json_object_get_string_len(input))
			return bad(err, "missing_required_parameter", "input", "Missing 'input' field");
		a->input = json_object_get(input);
		return HERR_OK;
	}
	if(!json_object_is_type(input, json_type_array))
		return api_field_type_error(err, "input", "a string or an array", input);
	if(!(n = json_object_array_length(input)))
		return bad(err, "missing_required_parameter", "input", "Missing 'input' field");
	last = json_object_array_get_idx(input, n - 1);
	if(!json_object_is_type(last, json_type_object) ||
	   !json_object_object_get_ex(last, "content", &content) || !content)
		return bad(err, "missing_user_message", "input", "No user message found in input");
	if(agent_content_normalize(content, "user", "input", &a->input, &payload, err))
		return err->rc;
	if(!payload)
		return bad(err, "missing_user_message", "input", "No user message found in input");
	for(size_t i = 0; use_earlier && i + 1 < n; i++) {
		char p[32];
		enum herr rc;

		snprintf(p, sizeof(p), "input[%zu]", i);
		if((rc = history_entry(json_object_array_get_idx(input, i), p, false, a->history,
				       err)))
			return rc;
	}
	return HERR_OK;
}

enum herr api_runs_admit_parse(struct runs_admit *a, struct json_object *body,
			   const char *hdr_session, struct store *s, struct herror *err)
{
	struct api_fields f;
	struct json_object *input = NULL, *ch = NULL, *merged = NULL;
	const char *sid = NULL, *prev = NULL;
	size_t sid_len = 0;
	enum herr rc;

	memset(a, 0, sizeof(*a));
	a->history = json_object_new_array();
	api_field_init(&f, body, NULL, err);
	if((rc = api_field_str(&f, "model", 0, &a->model, NULL)) ||
	   (rc = api_field_str(&f, "instructions", 0, &a->instructions, NULL)) ||
	   (rc = api_field_str(&f, "session_id", 0, &sid, &sid_len)) ||
	   (rc = api_field_str(&f, "previous_response_id", 0, &prev, NULL)) ||
	   (rc = api_field_array(&f, "conversation_history", 0, 0, &ch)))
		return rc;
	if(!json_object_object_get_ex(body, "input", &input) || !input)
		return bad(err, "missing_required_parameter", "input", "Missing 'input' field");
	if(sid && *sid && (rc = session_member(a, sid, sid_len, err)))
		return rc;
	if(!a->session_id[0] && hdr_session && *hdr_session)
		snprintf(a->session_id, sizeof(a->session_id), "%s", hdr_session);
	a->named = a->session_id[0] != '\0';
	if((rc = parse_input(a, input, !(ch && json_object_array_length(ch)) && !prev, err)))
		return rc;
	if(ch && json_object_array_length(ch)) {
		if((rc = explicit_history(a, ch, err)))
			return rc;
		a->named = false; /* the full history was sent: used as sent */
	} else if(prev && *prev) {
		if((rc = previous_response(a, prev, s, err)))
			return rc;
		a->named = false;
		if(!a->instructions)
			a->instructions = a->prev_instructions;
	}
	if(a->named && s) {
		struct herror herr;

		herr_clear(&herr);
		if(agent_history_continue(s, true, a->session_id, sizeof(a->session_id), a->history,
					  &merged, &herr) == HERR_OK) {
			json_object_put(a->history);
			a->history = merged;
		} else {
			json_object_put(merged);
		}
	}
	return HERR_OK;
}

struct json_object *api_runs_admit_request(const struct runs_admit *a, const char *run_id,
				       const char *session_key, const char *model)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "input", json_object_get(a->input));
	if(a->instructions)
		jsonx_add_str(o, "instructions", a->instructions);
	json_object_object_add(o, "history", json_object_get(a->history));
	jsonx_add_str(o, "session_id", a->session_id[0] ? a->session_id : run_id);
	if(session_key && *session_key)
		jsonx_add_str(o, "session_key", session_key);
	jsonx_add_str(o, "model", model);
	return o;
}

void api_runs_admit_release(struct runs_admit *a)
{
	json_object_put(a->input);
	json_object_put(a->history);
	free(a->prev_instructions);
	memset(a, 0, sizeof(*a));
}
