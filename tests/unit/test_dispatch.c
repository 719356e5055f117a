/* tests/unit/test_dispatch.c: the whole request pipeline over the memory
 * back end: gate order, envelopes, auth, CORS, mount prefixes. */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/app.h"
#include "api/dispatch.h"
#include "api/session_hdr.h"
#include "http/hio.h"
#include "http/req.h"
#include "tap.h"

#define KEY "0123456789abcdef0123456789abcdef"

struct answer {
	int status;
	char head[4096];
	struct json_object *json;
};

/* Run one request: env entries (NULL-terminated), body may be NULL. */
static void run(struct app *app, struct answer *a, const char *const *env, const char *body)
{
	char *envp[32];
	size_t n = 0, len;
	struct hio io;
	struct req r;
	const char *out, *sep;

	for(; env[n] && n < 31; n++)
		envp[n] = (char *)env[n];
	envp[n] = NULL;
	hio_init_mem(&io, envp, body, body ? strlen(body) : 0, 1 << 20);
	req_init(&r);
	api_serve(app, &r, &io);
	out = hio_mem_output(&io, &len);
	a->status = atoi(out + 8);
	sep = strstr(out, "\r\n\r\n");
	snprintf(a->head, sizeof(a->head), "%.*s", sep ? (int)(sep - out) : 0, out);
	a->json = sep ? json_tokener_parse(sep + 4) : NULL;
	req_release(&r);
	hio_release(&io);
}

static const char *code(const struct answer *a)
{
	struct json_object *e, *c;

	if(!a->json || !json_object_object_get_ex(a->json, "error", &e) ||
	   !json_object_object_get_ex(e, "code", &c))
		return NULL;
	return json_object_get_string(c);
}

static int envelope_complete(const struct answer *a)
{
	struct json_object *e;

	return a->json && json_object_object_get_ex(a->json, "error", &e) &&
	       json_object_object_length(e) == 4 && json_object_object_get_ex(e, "message", NULL) &&
	       json_object_object_get_ex(e, "type", NULL) &&
	       json_object_object_get_ex(e, "param", NULL) &&
	       json_object_object_get_ex(e, "code", NULL);
}

static void drop(struct answer *a)
{
	json_object_put(a->json);
	a->json = NULL;
}

static char home[256];

static void write_env(const char *text)
{
	char p[300];
	FILE *f;

	snprintf(p, sizeof(p), "%s/.env", home);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

int main(void)
{
	struct app app;
	struct answer a;
	struct json_object *v, *d;

	snprintf(home, sizeof(home), "%s/hermes-test-dispatch-%ld",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	mkdir(home, 0700);
	setenv("HERMES_HOME", home, 1);
	setenv("HERMES_ALLOW_ROOT", "1", 1); /* make check runs as root here */
	unsetenv("API_SERVER_KEY");
	unsetenv("API_SERVER_CORS_ORIGINS");
	unsetenv("API_SERVER_MODEL_NAME");
	unsetenv("API_SERVER_BASE_PATH");
	write_env("API_SERVER_KEY=" KEY "\nAPI_SERVER_CORS_ORIGINS=http://ok.example\n");
	api_app_init(&app, API_MODE_FASTCGI);

	{
		const char *e[] = { "REQUEST_METHOD=GET", "PATH_INFO=/health", "SERVER_ADDR=10.1.1.1", NULL };
		run(&app, &a, e, NULL);
		is_int(a.status, 200, "health without auth");
		ok(json_object_object_get_ex(a.json, "status", &v) &&
		   !strcmp(json_object_get_string(v), "ok"), "health status ok");
		drop(&a);
	}
	{
		const char *e[] = { "REQUEST_METHOD=GET", "SCRIPT_NAME=/v1", "PATH_INFO=/models",
				    "SERVER_ADDR=10.1.1.1", NULL };
		run(&app, &a, e, NULL);
		is_int(a.status, 401, "models without key → 401");
		is_str(code(&a), "invalid_api_key", "code invalid_api_key");
		ok(envelope_complete(&a), "401 envelope has all four keys");
		drop(&a);
	}
	{
		const char *e[] = { "REQUEST_METHOD=GET", "SCRIPT_NAME=/v1", "PATH_INFO=/models",
				    "SERVER_ADDR=10.1.1.1", "HTTP_AUTHORIZATION=Bearer wrong", NULL };
		run(&app, &a, e, NULL);
		is_int(a.status, 401, "wrong key → 401");
		drop(&a);
	}
	{
		const char *e[] = { "REQUEST_METHOD=GET", "SCRIPT_NAME=/hermes", "PATH_INFO=/v1/models",
				    "SERVER_ADDR=10.1.1.1", "HTTP_AUTHORIZATION=Bearer " KEY, NULL };
		run(&app, &a, e, NULL);
		is_int(a.status, 200, "right key under a /hermes mount → 200");
		ok(json_object_object_get_ex(a.json, "data", &d) &&
		   !strcmp(json_object_get_string(json_object_object_get(
				   json_object_array_get_idx(d, 0), "id")), "hermes-agent"),
		   "model id hermes-agent");
		drop(&a);
	}
	{
		const char *e[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/v1/nope?x", NULL };
		run(&app, &a, e, NULL);
		is_int(a.status, 404, "unknown route → 404");
		is_str(code(&a), "not_found", "code not_found");
		ok(envelope_complete(&a), "404 envelope complete");
		ok(strstr(a.head, "Content-Type: application/json") != NULL, "404 is JSON");
		drop(&a);
	}
	{
		const char *e[] = { "REQUEST_METHOD=POST", "PATH_INFO=/v1/models", "CONTENT_LENGTH=2",
				    NULL };
		run(&app, &a, e, "{}");
		is_int(a.status, 405, "POST /v1/models → 405");
		is_str(code(&a), "method_not_allowed", "code method_not_allowed");
		ok(strstr(a.head, "Allow: GET, HEAD") != NULL, "Allow header: GET, HEAD");
		drop(&a);
	}
	{
		const char *e[] = { "REQUEST_METHOD=POST", "PATH_INFO=/v1/models", "CONTENT_LENGTH=x1",
				    NULL };
		run(&app, &a, e, NULL);
		is_int(a.status, 400, "bad Content-Length → 400");
		is_str(code(&a), "invalid_content_length", "code invalid_content_length");
		drop(&a);
	}
	{
		const char *e[] = { "REQUEST_METHOD=POST", "PATH_INFO=/v1/models",
				    "CONTENT_LENGTH=10000001", NULL };
		run(&app, &a, e, NULL);
		is_int(a.status, 413, "oversized body → 413");
		is_str(code(&a), "body_too_large", "code body_too_large");
		drop(&a);
	}
	{
		const char *e[] = { "REQUEST_METHOD=GET", "PATH_INFO=/health",
				    "HTTP_ORIGIN=http://evil.example", NULL };
		run(&app, &a, e, NULL);
		is_int(a.status, 403, "disallowed origin → 403 even on /health");
		is_str(code(&a), "origin_not_allowed", "code origin_not_allowed");
		drop(&a);
	}
	{
		const char *e[] = { "REQUEST_METHOD=OPTIONS", "PATH_INFO=/v1/models",
				    "HTTP_ORIGIN=http://ok.example", NULL };
		run(&app, &a, e, NULL);
		is_int(a.status, 200, "preflight → 200 without auth");
		ok(strstr(a.head, "Access-Control-Allow-Origin: http://ok.example"), "allow origin");
		ok(strstr(a.head, "Access-Control-Allow-Methods: GET, HEAD, OPTIONS\r\n"),
		   "allow methods: what the table has for /v1/models");
		ok(strstr(a.head, "Access-Control-Max-Age: 600"), "max age");
		ok(strstr(a.head, "Vary: Origin"), "vary");
		drop(&a);
	}
	{
		const char *e[] = { "REQUEST_METHOD=OPTIONS", "PATH_INFO=/v1/chat/completions",
				    "HTTP_ORIGIN=http://ok.example", NULL };
		run(&app, &a, e, NULL);
		ok(strstr(a.head, "Access-Control-Allow-Methods: POST, OPTIONS\r\n"),
		   "preflight of the chat path allows POST");
		drop(&a);
	}
	{
		const char *e[] = { "REQUEST_METHOD=OPTIONS", "PATH_INFO=/v1/nope",
				    "HTTP_ORIGIN=http://ok.example", NULL };
		run(&app, &a, e, NULL);
		ok(strstr(a.head, "Access-Control-Allow-Methods: OPTIONS\r\n"),
		   "preflight of an unknown path allows only OPTIONS");
		drop(&a);
	}
	{
		const char *g[] = { "REQUEST_METHOD=GET", "PATH_INFO=/v1/models",
				    "HTTP_AUTHORIZATION=Bearer " KEY, NULL };
		const char *hd[] = { "REQUEST_METHOD=HEAD", "PATH_INFO=/v1/models",
				     "HTTP_AUTHORIZATION=Bearer " KEY, NULL };
		const char *cl;
		char get_cl[32] = "";

		run(&app, &a, g, NULL);
		cl = strstr(a.head, "Content-Length: ");
		if(cl)
			snprintf(get_cl, sizeof(get_cl), "%.*s", (int)strcspn(cl, "\r"), cl);
		drop(&a);
		run(&app, &a, hd, NULL);
		is_int(a.status, 200, "HEAD /v1/models is 200 (was 405)");
		ok(get_cl[0] && strstr(a.head, get_cl), "  with the GET's %s", get_cl);
		ok(strstr(a.head, "Content-Type: application/json") != NULL, "  and its Content-Type");
		ok(a.json == NULL, "  and no body");
		drop(&a);
		hd[1] = "PATH_INFO=/v1/chat/completions";
		run(&app, &a, hd, NULL);
		is_int(a.status, 405, "HEAD on the POST-only chat path is 405");
		ok(strstr(a.head, "Allow: POST") != NULL, "  Allow: POST");
		drop(&a);
		hd[1] = "PATH_INFO=/v1/skills";
		hd[2] = "SERVER_ADDR=10.1.1.1";
		run(&app, &a, hd, NULL);
		is_int(a.status, 401, "HEAD without the key is the GET's 401");
		ok(a.json == NULL, "  without a body");
		drop(&a);
	}
	{
		const char *e[] = { "REQUEST_METHOD=GET", "PATH_INFO=/v1/capabilities",
				    "HTTP_AUTHORIZATION=Bearer " KEY, NULL };
		struct json_object *eps, *feat;

		run(&app, &a, e, NULL);
		is_int(a.status, 200, "capabilities");
		ok(json_object_object_get_ex(a.json, "endpoints", &eps) &&
		   json_object_object_get_ex(eps, "models", NULL) &&
		   json_object_object_get_ex(eps, "runs", NULL) &&
		   json_object_object_get_ex(eps, "session_chat_stream", NULL) &&
		   !json_object_object_get_ex(eps, "jobs", NULL), "advertises only implemented");
		ok(json_object_object_get_ex(a.json, "features", &feat) &&
		   json_object_object_get_ex(feat, "run_submission", &v) &&
		   json_object_get_boolean(v) &&
		   json_object_object_get_ex(feat, "session_resources", &v) &&
		   json_object_get_boolean(v) &&
		   json_object_object_get_ex(feat, "jobs_admin", &v) &&
		   !json_object_get_boolean(v), "run_submission and session_resources true, jobs_admin false");
		ok(json_object_object_get_ex(feat, "responses_api", &v) &&
		   json_object_get_boolean(v) &&
		   json_object_object_get_ex(feat, "responses_input_items", &v) &&
		   json_object_get_boolean(v), "responses_api and responses_input_items true with their routes");
		ok(json_object_object_get_ex(feat, "chat_completions", &v) &&
		   json_object_get_boolean(v), "chat_completions true now that its route exists");
		ok(json_object_object_get_ex(feat, "tool_progress_events", &v) &&
		   json_object_get_boolean(v), "tool_progress_events true with chat streaming");
		ok(json_object_object_get_ex(feat, "cors", &v) && json_object_get_boolean(v),
		   "cors true when origins configured");
		drop(&a);
	}
	/* POST /v1/chat/completions: what is refused before the agent runs. */
	{
		static const struct {
			const char *body, *code, *param, *desc;
		} cases[] = {
			{ "{\"messages\":[]}", "empty_array", "messages", "empty messages" },
			{ "{\"model\":\"x\"}", "missing_required_parameter", "messages", "no messages" },
			{ "{\"messages\":null}", "missing_required_parameter", "messages", "messages null" },
			{ "{\"messages\":{}}", "invalid_type", "messages", "messages an object" },
			{ "{\"messages\":[\"hi\"]}", "invalid_type", "messages[0]", "a message that is a string" },
			{ "{\"messages\":[{\"content\":\"x\"}]}", "missing_required_parameter",
			  "messages[0].role", "a message without a role" },
			{ "{\"messages\":[{\"role\":1,\"content\":\"x\"}]}", "invalid_type",
			  "messages[0].role", "a role that is a number" },
			{ "{\"stream\":\"false\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
			  "invalid_type", "stream", "stream \"false\" (a string) is not a boolean" },
			{ "{\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
			  "invalid_type", "stream", "stream \"yes\"" },
			{ "{\"stream\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
			  "invalid_type", "stream", "stream 1" },
			{ "{\"stream\":true,\"stream_options\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
			  "invalid_type", "stream_options", "stream_options true" },
			{ "{\"stream\":true,\"stream_options\":{\"include_usage\":\"true\"},"
			  "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
			  "invalid_type", "stream_options.include_usage", "include_usage \"true\"" },
			{ "{\"model\":7,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
			  "invalid_type", "model", "model 7" },
			{ "{\"temperature\":\"hot\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
			  "invalid_type", "temperature", "temperature a string" },
			{ "{\"temperature\":3,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
			  "decimal_above_max_value", "temperature", "temperature 3" },
			{ "{\"max_tokens\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
			  "invalid_type", "max_tokens", "max_tokens 1.5" },
			{ "{\"max_tokens\":0,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
			  "integer_below_min_value", "max_tokens", "max_tokens 0" },
			{ "{\"messages\":[{\"role\":\"user\",\"content\":7}]}", "invalid_type",
			  "messages[0].content", "content a number" },
			{ "{\"messages\":[{\"role\":\"assistant\",\"content\":\"a\",\"tool_calls\":{}},"
			  "{\"role\":\"user\",\"content\":\"x\"}]}", "invalid_type",
			  "messages[0].tool_calls", "tool_calls an object" },
			{ "{\"a\":NaN,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
			  "invalid_json", NULL, "NaN is not JSON" },
			{ "{\"messages\":[{\"role\":\"user\",\"content\":\"a\tb\"}]}",
			  "invalid_json", NULL, "a raw tab in a string is not JSON" },
			{ "{\"messages\":[{\"role\":\"user\",\"content\":\"caf\xe9\"}]}",
			  "invalid_json", NULL, "Latin-1 (invalid UTF-8) content is refused before it goes upstream" },
			{ "{\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}",
			  "missing_user_message", "messages", "no user message" },
			{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
			  "{\"type\":\"file\",\"file\":{\"file_id\":\"f\"}}]}]}",
			  "unsupported_content_type", "messages[0].content[1]", "a file part" },
			{ "{\"messages\":[{\"role\":\"user\",\"content\":\"  \"}]}", "empty_message",
			  "messages[0].content", "a blank user message" },
			{ "{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"},"
			  "{\"role\":\"user\",\"content\":\"x\"}]}", "invalid_value", "messages[0].role",
			  "an unknown role" },
		};
		char cl[48];

		for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			const char *e[] = { "REQUEST_METHOD=POST", "PATH_INFO=/v1/chat/completions", cl,
					    "HTTP_AUTHORIZATION=Bearer " KEY, NULL };
			struct json_object *err, *param;

			snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%zu", strlen(cases[i].body));
			run(&app, &a, e, cases[i].body);
			is_int(a.status, 400, cases[i].desc);
			is_str(code(&a), cases[i].code, "  its code");
			err = json_object_object_get(a.json, "error");
			param = json_object_object_get(err, "param");
			is_str(param ? json_object_get_string(param) : NULL, cases[i].param, "  its param");
			drop(&a);
		}
	}
	{
		const char *body = "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
		char cl[48], longid[300];
		const char *e[] = { "REQUEST_METHOD=POST", "PATH_INFO=/v1/chat/completions", cl,
				    "HTTP_AUTHORIZATION=Bearer " KEY, longid, NULL };

		snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%zu", strlen(body));
		snprintf(longid, sizeof(longid), "HTTP_X_HERMES_SESSION_ID=%0257d", 1);
		run(&app, &a, e, body);
		is_int(a.status, 400, "a session id over 256 characters");
		is_str(code(&a), "invalid_session_id", "  code invalid_session_id");
		drop(&a);
		snprintf(longid, sizeof(longid), "HTTP_X_HERMES_SESSION_ID=../etc");
		run(&app, &a, e, body);
		is_int(a.status, 400, "a path-unsafe session id");
		drop(&a);
		snprintf(longid, sizeof(longid), "HTTP_X_HERMES_SESSION_KEY=a\x01b");
		run(&app, &a, e, body);
		is_int(a.status, 400, "a session key with a control character");
		is_str(code(&a), "invalid_session_key", "  code invalid_session_key");
		drop(&a);
	}
	{
		char id[64];

		api_session_derive("be brief", "hi", id, sizeof(id));
		is_str(id, "api-51a0e55c52e57154", "derived id: api- + 16 hex of SHA-256(system \\n user)");
		api_session_derive(NULL, "hi", id, sizeof(id));
		is_str(id, "api-25f140a6575bf25c", "derived id without a system prompt");
	}
	api_app_release(&app);

	/* Weak key: 503 off loopback, usable on loopback. */
	write_env("API_SERVER_KEY=changeme\n");
	api_app_init(&app, API_MODE_FASTCGI);
	{
		const char *e[] = { "REQUEST_METHOD=GET", "PATH_INFO=/v1/models",
				    "SERVER_ADDR=192.0.2.7", "HTTP_AUTHORIZATION=Bearer changeme", NULL };
		run(&app, &a, e, NULL);
		is_int(a.status, 503, "placeholder key off loopback → 503");
		is_str(code(&a), "weak_api_key", "code weak_api_key");
		drop(&a);
	}
	{
		const char *e[] = { "REQUEST_METHOD=GET", "PATH_INFO=/v1/models",
				    "SERVER_ADDR=127.0.0.1", "HTTP_AUTHORIZATION=Bearer changeme", NULL };
		run(&app, &a, e, NULL);
		is_int(a.status, 200, "placeholder key on loopback still works");
		drop(&a);
	}
	api_app_release(&app);

	/* No key: 503 off loopback, open on loopback. */
	write_env("# nothing\n");
	api_app_init(&app, API_MODE_FASTCGI);
	{
		const char *e[] = { "REQUEST_METHOD=GET", "PATH_INFO=/v1/models", NULL };
		run(&app, &a, e, NULL);
		is_int(a.status, 503, "no key, unknown SERVER_ADDR → 503");
		is_str(code(&a), "api_key_not_configured", "code api_key_not_configured");
		ok(json_object_object_get_ex(json_object_object_get(a.json, "error"), "message", &v) &&
		   strstr(json_object_get_string(v), "API_SERVER_KEY"), "message names the setting");
		drop(&a);
	}
	{
		const char *e[] = { "REQUEST_METHOD=GET", "PATH_INFO=/v1/models", "SERVER_ADDR=::1",
				    NULL };
		run(&app, &a, e, NULL);
		is_int(a.status, 200, "no key on loopback → open");
		drop(&a);
	}
	{
		const char *e[] = { "REQUEST_METHOD=GET", "PATH_INFO=/v1/models", "SERVER_ADDR=127.0.0.1",
				    "HTTP_HOST=rebind.evil.example:8642", NULL, NULL };
		run(&app, &a, e, NULL);
		is_int(a.status, 403, "no key, loopback, foreign Host (DNS rebinding) → 403");
		is_str(code(&a), "host_not_allowed", "code host_not_allowed");
		ok(json_object_object_get_ex(json_object_object_get(a.json, "error"), "message", &v) &&
		   strstr(json_object_get_string(v), "API_SERVER_KEY"), "message names API_SERVER_KEY");
		drop(&a);
		e[3] = "HTTP_HOST=localhost:8642";
		run(&app, &a, e, NULL);
		is_int(a.status, 200, "no key, loopback, Host localhost:8642 → 200");
		drop(&a);
		e[3] = "HTTP_HOST=[::1]:8642";
		run(&app, &a, e, NULL);
		is_int(a.status, 200, "no key, loopback, Host [::1]:8642 → 200");
		drop(&a);
		e[3] = "HTTP_HOST=board.lan";
		e[4] = "API_SERVER_HOST=board.lan";
		e[5] = NULL;
		run(&app, &a, e, NULL);
		is_int(a.status, 200, "no key, Host = API_SERVER_HOST (web server SetEnv) → 200");
		drop(&a);
	}
	api_app_release(&app);

	/* Broken config → 500 config_error for every request. */
	write_env("API_SERVER_KEY=" KEY "\nthis is not a line\n");
	api_app_init(&app, API_MODE_FASTCGI);
	{
		const char *e[] = { "REQUEST_METHOD=GET", "PATH_INFO=/health", NULL };
		run(&app, &a, e, NULL);
		is_int(a.status, 500, "broken .env → 500");
		is_str(code(&a), "config_error", "code config_error");
		ok(json_object_object_get_ex(json_object_object_get(a.json, "error"), "message", &v) &&
		   !strstr(json_object_get_string(v), ".env") &&
		   !strstr(json_object_get_string(v), home), "unauthenticated: no file or path named");
		drop(&a);
	}
	{
		/* The key from the web server's SetEnv (a FastCGI param) proves it. */
		const char *e[] = { "REQUEST_METHOD=GET", "PATH_INFO=/health/detailed",
				    "API_SERVER_KEY=" KEY, "HTTP_AUTHORIZATION=Bearer " KEY, NULL };
		run(&app, &a, e, NULL);
		is_int(a.status, 500, "broken .env, request with the key → 500");
		ok(json_object_object_get_ex(json_object_object_get(a.json, "error"), "message", &v) &&
		   strstr(json_object_get_string(v), ".env line 2"), "with the key: names file and line");
		drop(&a);
	}
	api_app_release(&app);
	{
		char p[300];
		snprintf(p, sizeof(p), "%s/.env", home);
		unlink(p);
		rmdir(home);
	}
	return tap_done();
}
