/* tests/unit/test_req.c */
#include "config.h"

#include <json-c/json.h>
#include <string.h>

#include "http/hio.h"
#include "http/req.h"
#include "tap.h"

static enum herr begin(struct req *r, struct hio *io, char **env, const char *body)
{
	hio_init_mem(io, env, body, body ? strlen(body) : 0, 1 << 20);
	req_init(r);
	return req_begin(r, io, REQ_BODY_MAX);
}

static void done(struct req *r, struct hio *io)
{
	req_release(r);
	hio_release(io);
}

int main(void)
{
	struct req r;
	struct hio io;
	char *e1[] = { "REQUEST_METHOD=POST", "SCRIPT_NAME=/v1", "PATH_INFO=/models",
		       "QUERY_STRING=a=1", "CONTENT_LENGTH=7", "HTTP_AUTHORIZATION=Bearer x",
		       "CONTENT_TYPE=application/json", "HTTP_X_REAL_IP=1.2.3.4", NULL };
	char *e2[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/hermes/v1/models?x=1", NULL };
	char *e3[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=abc", NULL };
	char *e4[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=10000001", NULL };
	char *e5[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=10000000", NULL };
	char *e6[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=99999999999999999999999", NULL };
	char *e7[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=3", NULL };
	char *e8[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=10", NULL };

	is_int(begin(&r, &io, e1, "{\"a\":1}"), HERR_OK, "plain request begins");
	is_str(r.method, "POST", "method");
	is_str(r.path, "/v1/models", "path from SCRIPT_NAME + PATH_INFO");
	is_str(r.query, "a=1", "query");
	is_int(r.content_length, 7, "content length");
	is_int(strlen(r.id), 16, "16-hex request id");
	is_str(req_header(&r, "Authorization"), "Bearer x", "Authorization header");
	is_str(req_header(&r, "content-type"), "application/json", "Content-Type header");
	is_str(req_header(&r, "X-Real-IP"), "1.2.3.4", "dashed header name");
	ok(req_header(&r, "Origin") == NULL, "absent header");
	is_int(req_read_json(&r), HERR_OK, "JSON body parsed");
	ok(r.json && json_object_is_type(r.json, json_type_object), "JSON object kept");
	is_int(buf_len(&r.body), 0, "  and the body text dropped once parsed");
	req_reset(&r);
	ok(r.path == NULL && r.json == NULL, "reset frees per-request state");
	done(&r, &io);

	{
		static const struct route raw = { .method = "POST", .pattern = "/hook", .flags = ROUTE_RAW };
		static const struct route js = { .method = "POST", .pattern = "/j", .flags = ROUTE_JSON };
		static const struct route none = { .method = "POST", .pattern = "/n" };
		char *e[] = { "REQUEST_METHOD=POST", "PATH_INFO=/hook", "CONTENT_LENGTH=10", NULL };

		begin(&r, &io, e, "a=1&b=\"x\"}");
		r.route = &raw;
		is_int(req_read_for_route(&r), HERR_OK, "a raw-body route reads a body that is not JSON");
		is_str(buf_str(&r.body), "a=1&b=\"x\"}", "  kept byte for byte in r->body");
		ok(r.json == NULL, "  and not parsed");
		done(&r, &io);
		begin(&r, &io, e, "a=1&b=\"x\"}");
		r.route = &js;
		is_int(req_read_for_route(&r), HERR_BAD_REQUEST, "the same body on a JSON route is 400");
		done(&r, &io);
		begin(&r, &io, e, "a=1&b=\"x\"}");
		r.route = &none;
		is_int(req_read_for_route(&r), HERR_OK, "a route without a body mode reads nothing");
		is_int(r.body_read, 0, "  (left for req_drain)");
		done(&r, &io);
	}

	is_int(begin(&r, &io, e2, NULL), HERR_OK, "REQUEST_URI only");
	is_str(r.path, "/hermes/v1/models", "path from REQUEST_URI without query");
	done(&r, &io);

	is_int(begin(&r, &io, e3, NULL), HERR_BAD_REQUEST, "non-integer Content-Length");
	is_str(r.err.code, "invalid_content_length", "code invalid_content_length");
	done(&r, &io);

	is_int(begin(&r, &io, e4, NULL), HERR_TOO_LARGE, "10,000,001 bytes too large");
	is_str(r.err.code, "body_too_large", "code body_too_large");
	is_int(r.err.status, 413, "status 413");
	done(&r, &io);

	is_int(begin(&r, &io, e5, NULL), HERR_OK, "exactly 10,000,000 bytes allowed");
	done(&r, &io);

	is_int(begin(&r, &io, e6, NULL), HERR_TOO_LARGE, "huge digit string is too large");
	done(&r, &io);

	begin(&r, &io, e7, "[1]");
	is_int(req_read_json(&r), HERR_BAD_REQUEST, "JSON array body rejected");
	is_str(r.err.code, "invalid_json", "code invalid_json");
	done(&r, &io);

	begin(&r, &io, e7, "{x}");
	is_int(req_read_json(&r), HERR_BAD_REQUEST, "malformed JSON rejected");
	done(&r, &io);

	begin(&r, &io, e8, "{}");
	is_int(req_read_body(&r), HERR_BAD_REQUEST, "short body detected");
	done(&r, &io);
	return tap_done();
}
