/* tests/unit/test_resp.c */
#include "config.h"

#include <json-c/json.h>
#include <string.h>

#include "http/hio.h"
#include "http/req.h"
#include "http/resp.h"
#include "tap.h"

static const char *const security[] = {
	"Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n",
	"Permissions-Policy: camera=(), microphone=(), geolocation=()\r\n",
	"Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n",
	"X-Content-Type-Options: nosniff\r\n",
	"X-Frame-Options: DENY\r\n",
	"X-XSS-Protection: 0\r\n",
	"Referrer-Policy: no-referrer\r\n",
};

int main(void)
{
	struct req r;
	struct hio io;
	struct herror err;
	char *env[] = { "REQUEST_METHOD=GET", "PATH_INFO=/x", NULL };
	const char *out, *body;
	size_t len;
	struct json_object *j, *e, *v;

	hio_init_mem(&io, env, NULL, 0, 1 << 20);
	req_init(&r);
	ok(req_begin(&r, &io, REQ_BODY_MAX) == HERR_OK, "begin");
	herr_clear(&err);
	herr_set(&err, HERR_NOT_FOUND, "not_found", NULL, "No route for %s.", "GET /x");
	resp_header(&r, "Allow", "GET");
	resp_header(&r, "X-Bad", "a\r\nInjected: 1");
	is_int(resp_error(&r, &err), HERR_OK, "error rendered");
	out = hio_mem_output(&io, &len);
	ok(strncmp(out, "Status: 404 Not Found\r\n", 23) == 0, "status line first");
	ok(strstr(out, "Content-Type: application/json\r\n") != NULL, "JSON content type");
	ok(strstr(out, "X-Request-Id: ") != NULL, "request id header");
	ok(strstr(out, "Cache-Control: no-store\r\n") != NULL, "no-store");
	ok(strstr(out, "Allow: GET\r\n") != NULL, "queued header sent");
	ok(strstr(out, "Injected") == NULL, "header with CR/LF dropped");
	for(size_t i = 0; i < sizeof(security) / sizeof(security[0]); i++)
		ok(strstr(out, security[i]) != NULL, "security header %zu", i);
	body = strstr(out, "\r\n\r\n");
	ok(body != NULL, "header block ends");
	body += 4;
	ok(strstr(out, "Content-Length: ") != NULL, "content length present");
	{
		char want[64];
		snprintf(want, sizeof(want), "Content-Length: %zu\r\n", strlen(body));
		ok(strstr(out, want) != NULL, "content length is exact");
	}
	j = json_tokener_parse(body);
	ok(j && json_object_object_get_ex(j, "error", &e), "envelope has error");
	ok(json_object_object_get_ex(e, "message", &v) &&
	   strcmp(json_object_get_string(v), "No route for GET /x.") == 0, "message");
	ok(json_object_object_get_ex(e, "type", &v) &&
	   strcmp(json_object_get_string(v), "invalid_request_error") == 0, "type");
	ok(json_object_object_get_ex(e, "param", &v) && v == NULL, "param present and null");
	ok(json_object_object_get_ex(e, "code", &v) &&
	   strcmp(json_object_get_string(v), "not_found") == 0, "code");
	json_object_put(j);
	is_int(resp_send(&r, 200, "text/plain", "x", 1), HERR_INTERNAL,
	       "second response refused");
	req_release(&r);
	hio_release(&io);

	herr_clear(&err);
	herr_set(&err, HERR_CONFIG, "config_error", "model.base_url", "bad");
	j = resp_error_object(&err);
	json_object_object_get_ex(j, "error", &e);
	ok(json_object_object_get_ex(e, "type", &v) &&
	   strcmp(json_object_get_string(v), "server_error") == 0, "5xx type server_error");
	ok(json_object_object_get_ex(e, "param", &v) &&
	   strcmp(json_object_get_string(v), "model.base_url") == 0, "param rendered");
	json_object_put(j);
	herr_set(&err, HERR_BAD_REQUEST, "unsupported_content_type", "messages[0].content[\xff]",
		 "type '%s' is not supported.", "x\xc3\xa9\xc3");
	j = resp_error_object(&err);
	json_object_object_get_ex(j, "error", &e);
	ok(json_object_object_get_ex(e, "message", &v) &&
	   strcmp(json_object_get_string(v), "type 'x\xc3\xa9\xef\xbf\xbd' is not supported.") == 0,
	   "invalid UTF-8 in a message renders as U+FFFD");
	ok(json_object_object_get_ex(e, "param", &v) &&
	   strcmp(json_object_get_string(v), "messages[0].content[\xef\xbf\xbd]") == 0,
	   "and in a param");
	json_object_put(j);
	is_str(resp_reason(413), "Payload Too Large", "reason phrase");
	return tap_done();
}
