/* tests/unit/test_query.c: query string splitting and percent-decoding. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "http/hio.h"
#include "http/query.h"
#include "http/req.h"
#include "tap.h"

int main(void)
{
	struct query q;
	struct herror err;
	char big[QUERY_MAX_LEN + 2], many[QUERY_MAX_PAIRS * 4 + 8];
	size_t n = 0;

	query_init(&q);
	herr_clear(&err);
	is_int(query_parse(&q, "a=1&b=x+y&b=%C3%A9&c&&d=&e=%2B%26%3d", &err), HERR_OK, "parses");
	is_int(q.n, 6, "six pairs (the empty segment skipped)");
	is_str(query_get(&q, "a"), "1", "a plain value");
	is_str(query_get(&q, "b"), "x y", "'+' is a space");
	is_str(query_get_nth(&q, "b", 1), "\xc3\xa9", "%XX is a byte: the second b is é");
	ok(query_get_nth(&q, "b", 2) == NULL, "no third b");
	is_int(query_count(&q, "b"), 2, "b occurs twice");
	is_str(query_get(&q, "c"), "", "a key without '=' has the value \"\"");
	is_str(query_get(&q, "d"), "", "an empty value");
	is_str(query_get(&q, "e"), "+&=", "escaped '+', '&' and '=' are data");
	ok(query_get(&q, "z") == NULL, "an absent key");
	is_int(query_parse(&q, "k%20ey=v", &err), HERR_OK, "keys are decoded too");
	is_str(query_get(&q, "k ey"), "v", "  'k ey'");
	is_int(query_parse(&q, "", &err), HERR_OK, "an empty string");
	is_int(q.n, 0, "  no pairs");
	is_int(query_parse(&q, NULL, &err), HERR_OK, "no query string at all");

	static const struct {
		const char *qs, *desc;
	} bad[] = {
		{ "a=%", "a lone %" }, { "a=%4", "a % with one digit" }, { "a=%G1", "a non-hex digit" },
		{ "a=1&b=%zz", "a bad escape in a later pair" }, { "%=1", "a bad escape in a key" },
		{ "a=%00", "an encoded NUL" }, { "a=%FF", "decoded bytes that are not UTF-8" },
		{ "a=%C3", "a UTF-8 sequence cut short" },
	};
	for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		herr_clear(&err);
		is_int(query_parse(&q, bad[i].qs, &err), HERR_BAD_REQUEST, bad[i].desc);
		is_str(err.code, "invalid_query_string", "  code invalid_query_string");
		is_int(q.n, 0, "  nothing half-parsed is kept");
	}
	is_int(query_parse(&q, "a=1&b=%G1", &err), HERR_BAD_REQUEST, "a bad escape after a good pair");
	ok(strstr(err.msg, "byte 6") != NULL, "the message says where: %s", err.msg);

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_int(query_parse(&q, big, &err), HERR_BAD_REQUEST, "a query string over the cap");
	is_str(err.code, "query_too_long", "  code query_too_long");
	for(int i = 0; i < QUERY_MAX_PAIRS; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%sk", i ? "&" : "");
	is_int(query_parse(&q, many, &err), HERR_OK, "QUERY_MAX_PAIRS pairs");
	is_int(query_count(&q, "k"), QUERY_MAX_PAIRS, "  all kept");
	snprintf(many + n, sizeof(many) - n, "&k");
	is_int(query_parse(&q, many, &err), HERR_BAD_REQUEST, "one pair more is refused");
	query_release(&q);

	/* Through the request: parsed once, on demand, reset with the request. */
	{
		char *env[] = { "REQUEST_METHOD=GET", "PATH_INFO=/v1/x", "QUERY_STRING=limit=5&order=desc", NULL };
		char *env2[] = { "REQUEST_METHOD=GET", "PATH_INFO=/v1/x", "QUERY_STRING=a=%zz", NULL };
		struct hio io;
		struct req r;
		const struct query *rq = NULL;

		hio_init_mem(&io, env, NULL, 0, 1 << 16);
		req_init(&r);
		is_int(req_begin(&r, &io, REQ_BODY_MAX), HERR_OK, "request begins");
		is_int(req_query(&r, &rq), HERR_OK, "req_query parses QUERY_STRING");
		is_str(query_get(rq, "limit"), "5", "  limit=5");
		is_str(query_get(rq, "order"), "desc", "  order=desc");
		req_reset(&r);
		hio_release(&io);
		hio_init_mem(&io, env2, NULL, 0, 1 << 16);
		is_int(req_begin(&r, &io, REQ_BODY_MAX), HERR_OK, "next request begins");
		is_int(req_query(&r, &rq), HERR_BAD_REQUEST, "a bad query is a 400 for the handler");
		is_str(r.err.code, "invalid_query_string", "  in r->err");
		req_release(&r);
		hio_release(&io);
	}
	return tap_done();
}
