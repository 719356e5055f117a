/* tests/unit/test_runs_admit.c: POST /v1/runs admission without a store -
 * Idempotency-Key syntax, the request fingerprint, body checks and the
 * history sources. */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "api/runs_admit.h"
#include "tap.h"
#include "util/jsonx.h"

static struct json_object *J(const char *text)
{
	return json_tokener_parse(text);
}

static void idem_keys(void)
{
	char k[300];

	ok(!api_runs_idem_key_valid(""), "an empty key is invalid");
	ok(!api_runs_idem_key_valid(NULL), "no key is invalid");
	ok(api_runs_idem_key_valid("a"), "one character is valid");
	memset(k, 'k', 255);
	k[255] = '\0';
	ok(api_runs_idem_key_valid(k), "255 characters are valid");
	k[255] = 'k';
	k[256] = '\0';
	ok(!api_runs_idem_key_valid(k), "256 are not");
	ok(!api_runs_idem_key_valid("a b"), "a space is not printable ASCII 33-126");
	ok(!api_runs_idem_key_valid("a\x7f"), "DEL is not");
	ok(!api_runs_idem_key_valid("\xc3\xa9"), "non-ASCII is not");
	ok(api_runs_idem_key_valid("~!{}\"'"), "punctuation is");
}

static void fingerprints(void)
{
	struct json_object *a = J("{\"input\":\"x\",\"model\":\"m\",\"o\":{\"b\":1,\"a\":[1,{\"z\":1,\"y\":2}]}}");
	struct json_object *b = J("{ \"o\" : {\"a\":[1,{\"y\":2,\"z\":1}],\"b\":1}, \"model\":\"m\", \"input\":\"x\"}");
	struct json_object *c = J("{\"input\":\"y\",\"model\":\"m\"}");
	char fa[RUNS_FINGERPRINT_LEN + 1], fb[sizeof(fa)], fc[sizeof(fa)], fk[sizeof(fa)];

	api_runs_fingerprint(a, NULL, fa);
	api_runs_fingerprint(b, "", fb);
	api_runs_fingerprint(c, NULL, fc);
	api_runs_fingerprint(a, "user-1", fk);
	is_int((int)strlen(fa), 64, "64 hex digits");
	ok(strspn(fa, "0123456789abcdef") == 64, "lower-case hex");
	is_str(fa, fb, "key order and spacing do not change it (nested too)");
	ok(strcmp(fa, fc) != 0, "another body changes it");
	ok(strcmp(fa, fk) != 0, "the session key is part of it");
	json_object_put(a);
	json_object_put(b);
	json_object_put(c);
}

/* Parse body; returns the error code ("" on success), the admit in *a. */
static const char *admit(const char *body, const char *hdr, struct runs_admit *a)
{
	static struct herror err;
	struct json_object *o = J(body);

	herr_clear(&err);
	if(api_runs_admit_parse(a, o, hdr, NULL, &err) == HERR_OK)
		err.code[0] = '\0';
	/* a keeps its own references (input, history); its borrowed strings
	 * (model, instructions) are not read after this */
	json_object_put(o);
	return err.code;
}

static void bodies(void)
{
	struct runs_admit a;
	struct json_object *req;

	is_str(admit("{}", "", &a), "missing_required_parameter", "no input");
	api_runs_admit_release(&a);
	is_str(admit("{\"input\":\"\"}", "", &a), "missing_required_parameter", "empty input");
	api_runs_admit_release(&a);
	is_str(admit("{\"input\":[]}", "", &a), "missing_required_parameter", "empty array");
	api_runs_admit_release(&a);
	is_str(admit("{\"input\":[\"x\"]}", "", &a), "missing_user_message", "last item not an object");
	api_runs_admit_release(&a);
	is_str(admit("{\"input\":\"x\",\"model\":5}", "", &a), "invalid_type", "model of the wrong type");
	api_runs_admit_release(&a);
	is_str(admit("{\"input\":\"x\",\"session_id\":\"C:x\"}", "", &a), "invalid_session_id",
	       "a drive-letter session id");
	api_runs_admit_release(&a);
	is_str(admit("{\"input\":\"x\",\"previous_response_id\":\"resp_1\"}", "", &a),
	       "previous_response_not_found", "previous_response_id with nothing stored");
	api_runs_admit_release(&a);
	is_str(admit("{\"input\":\"x\",\"conversation_history\":[{\"content\":\"a\"}]}", "", &a),
	       "invalid_history", "a history entry without a role");
	api_runs_admit_release(&a);

	is_str(admit("{\"input\":[{\"role\":\"user\",\"content\":\"e1\"},{\"role\":\"assistant\","
		     "\"content\":\"e2\"},{\"role\":\"user\",\"content\":\"now\"}]}", "hdr-s", &a), "",
	       "an input array");
	is_int((int)json_object_array_length(a.history), 2, "earlier items are history");
	is_str(json_object_get_string(a.input), "now", "the last is the turn");
	is_str(a.session_id, "hdr-s", "the header names the session");
	ok(a.named, "named by the client");
	req = api_runs_admit_request(&a, "run_x", "key-1", "m");
	is_str(jsonx_text(req, NULL),
	       "{\"input\":\"now\",\"history\":[{\"role\":\"user\",\"content\":\"e1\"},{\"role\":"
	       "\"assistant\",\"content\":\"e2\"}],\"session_id\":\"hdr-s\",\"session_key\":\"key-1\","
	       "\"model\":\"m\"}", "the admitted request");
	json_object_put(req);
	api_runs_admit_release(&a);

	is_str(admit("{\"input\":[{\"role\":\"user\",\"content\":\"e1\"},{\"role\":\"user\","
		     "\"content\":\"now\"}],\"session_id\":\"body-s\",\"conversation_history\":"
		     "[{\"role\":\"user\",\"content\":\"h1\"}]}", "hdr-s", &a), "",
	       "conversation_history beside an input array");
	is_int((int)json_object_array_length(a.history), 1, "conversation_history wins");
	is_str(a.session_id, "body-s", "the body's session_id wins over the header");
	ok(!a.named, "a full history is used as sent");
	req = api_runs_admit_request(&a, "run_x", "", "m");
	ok(!json_object_object_get_ex(req, "session_key", NULL), "no session key: none written");
	json_object_put(req);
	api_runs_admit_release(&a);

	is_str(admit("{\"input\":\"x\"}", "", &a), "", "a bare string");
	req = api_runs_admit_request(&a, "run_x", NULL, "m");
	is_str(jsonx_get_str(req, "session_id"), "run_x", "no session: the run id");
	json_object_put(req);
	api_runs_admit_release(&a);
}

int main(void)
{
	idem_keys();
	fingerprints();
	bodies();
	return tap_done();
}
