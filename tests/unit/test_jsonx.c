/* tests/unit/test_jsonx.c */
#include "config.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "util/jsonx.h"

static enum herr parse(const char *s, int depth, struct herror *err)
{
	struct json_object *o = NULL;
	enum herr rc;

	herr_clear(err);
	rc = jsonx_parse(s, strlen(s), depth, &o, err);
	json_object_put(o);
	return rc;
}

static enum herr check(const char *s, size_t max_values, struct herror *err)
{
	herr_clear(err);
	return jsonx_check(s, strlen(s), 64, max_values, NULL, err);
}

/* The strict pre-scan: what json-c 0.16 lets through even in strict mode
 * is refused, valid JSON passes, values are counted before any allocation. */
static void test_check(void)
{
	static const char *const good[] = {
		"{}", "[]", " {\"a\" : [1, -0, 0.5, 1e3, -2.5E-3, true, false, null, \"x\"]} ",
		"\"\\u00e9\\n\\\"\\/\"", "{\"\xc3\xa9\":\"\xe2\x82\xac\xf0\x9f\x98\x80\"}", "0", "[[],{}]",
	};
	static const char *const bad[] = {
		"{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}", "{\"a\":\"x\ty\"}",
		"{\"a\":\"\xff\"}", "{\"a\":\"\xc0\xaf\"}", "{\"a\":\"\xed\xa0\x80\"}", "{'a':1}",
		"{\"a\":1} x", "[1,]", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":TRUE}",
		"{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\" 1}", "{a:1}", "\"open", "", "  ",
		"[1 2]", "{\"a\":1,}", "+1",
	};
	struct herror err;
	size_t values = 0;
	char deep[200];

	for(size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		is_int(check(good[i], 1000, &err), HERR_OK, good[i]);
	for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(check(bad[i], 1000, &err), HERR_BAD_REQUEST, "refused by the strict check");
		is_str(err.code, "invalid_json", "  code invalid_json");
	}
	check("{\"a\":NaN}", 1000, &err);
	ok(strstr(err.msg, "byte 5") != NULL, "the message says where (%s)", err.msg);
	check("{\"a\":\"\xff\"}", 1000, &err);
	ok(strstr(err.msg, "UTF-8") != NULL, "invalid UTF-8 is named (%s)", err.msg);

	herr_clear(&err);
	is_int(jsonx_check("{\"a\":[1,2,[]]}", 14, 64, 100, &values, &err), HERR_OK, "counted");
	is_int(values, 6, "values and keys: object, key, array, 1, 2, []");
	is_int(check("[[],[],[],[]]", 4, &err), HERR_TOO_LARGE, "5 values over a cap of 4");
	is_str(err.code, "too_many_values", "  code too_many_values");
	is_int(err.status, 413, "  status 413");
	is_int(check("[[],[],[]]", 4, &err), HERR_OK, "4 values under a cap of 4");
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	herr_clear(&err);
	is_int(jsonx_check(deep, 200, 64, 1000, NULL, &err), HERR_BAD_REQUEST, "nesting 100 > 64");
	is_int(jsonx_check(deep + 40, 120, 64, 1000, NULL, &err), HERR_OK, "nesting 60 passes");
}

/* jsonx_plain_len counts what json-c writes with JSON_C_TO_STRING_PLAIN,
 * byte for byte: every escape class, NULs inside strings, keys that need
 * escaping, numbers as parsed, empty and nested containers. The text is
 * made from a parse of the same input, so the measured tree keeps none. */
static void test_plain_len(void)
{
	static const char *const docs[] = {
		"[null,true,false,0,-12,1.50,1e3,-0.0,18446744073709551615]",
		"\"\"", "[]", "{}", "[[],{},[{}]]",
		"\"a/b \\\\ \\\" \\b\\f\\n\\r\\t \\u0001 \\u001f \\u0000 x\\u007f \"",
		"\"h\xc3\xa9 \xe4\xb8\x96 \xf0\x9f\x98\x80 \\ud83d\\ude00\"",
		"{\"k/\\n\\\"\":1,\"a\":[1,2.25,null,true,\"s\"],\"o\":{\"p\":{}}}",
		"[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":null,"
		"\"tool_calls\":[{\"id\":\"c1\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}]",
	};
	struct herror err;

	for(size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct json_object *a = NULL, *b = NULL;
		size_t want = 0;

		herr_clear(&err);
		if(jsonx_parse(docs[i], strlen(docs[i]), 64, &a, &err) ||
		   jsonx_parse(docs[i], strlen(docs[i]), 64, &b, &err)) {
			ok(0, "parse %s: %s", docs[i], err.msg);
			continue;
		}
		json_object_to_json_string_length(b, JSON_C_TO_STRING_PLAIN, &want);
		ok(jsonx_plain_len(a) == want, "plain length of %s: %zu, json-c wrote %zu", docs[i],
		   jsonx_plain_len(a), want);
		json_object_put(a);
		json_object_put(b);
	}
	{
		struct json_object *s = json_object_new_string_len("a\0b\x01/", 5);

		is_int(jsonx_plain_len(s), 2 + 1 + 6 + 1 + 6 + 2, "a string with a NUL and a control byte");
		json_object_put(s);
	}
	is_int(jsonx_plain_len(NULL), 4, "NULL is null");
}

/* jsonx_shallow: the same text, the members shared, not copied. */
static void test_shallow(void)
{
	struct json_object *o = NULL, *c, *a;
	const char *doc = "{\"a\":[1,{\"b\":\"x/y\"}],\"s\":\"long text\",\"n\":null}";
	struct herror err;
	char *want;

	herr_clear(&err);
	if(jsonx_parse(doc, strlen(doc), 64, &o, &err)) {
		ok(0, "parse: %s", err.msg);
		return;
	}
	c = jsonx_shallow(o);
	want = strdup(jsonx_text(o, NULL));
	is_str(jsonx_text(c, NULL), want, "a shallow copy of an object serialises the same");
	ok(json_object_object_get(c, "s") == json_object_object_get(o, "s"), "  its members are shared");
	json_object_put(c);
	a = json_object_object_get(o, "a");
	c = jsonx_shallow(a);
	ok(c != a && json_object_array_get_idx(c, 1) == json_object_array_get_idx(a, 1),
	   "an array's copy shares its elements");
	json_object_put(c);
	c = jsonx_shallow(json_object_object_get(o, "s"));
	ok(c == json_object_object_get(o, "s"), "another value: a new reference to it");
	json_object_put(c);
	free(want);
	json_object_put(o);
}

int main(void)
{
	struct herror err;
	struct json_object *o = NULL;
	char deep[200];
	size_t len;

	is_int(parse("{\"a\":[1,2,{\"b\":null}]}", 64, &err), HERR_OK, "valid JSON parses");
	is_int(parse("{\"a\":", 64, &err), HERR_BAD_REQUEST, "truncated JSON fails");
	is_str(err.code, "invalid_json", "code invalid_json");
	is_int(err.status, 400, "status 400");
	is_int(parse("{} x", 64, &err), HERR_BAD_REQUEST, "trailing garbage fails");
	is_int(parse("", 64, &err), HERR_BAD_REQUEST, "empty body fails");
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	is_int(jsonx_parse(deep, 200, 64, &o, &err), HERR_BAD_REQUEST, "nesting 100 > 64 fails");
	is_int(jsonx_parse(deep + 40, 120, 64, &o, &err), HERR_OK, "nesting 60 passes");
	json_object_put(o);

	o = json_object_new_object();
	jsonx_add_str(o, "url", "http://x/y");
	jsonx_add_str(o, "n", NULL);
	jsonx_add_int(o, "i", 7);
	jsonx_add_bool(o, "b", 1);
	is_str(jsonx_text(o, &len), "{\"url\":\"http://x/y\",\"n\":null,\"i\":7,\"b\":true}",
	       "compact text without escaped slashes");
	is_str(jsonx_get_str(o, "url"), "http://x/y", "get string member");
	ok(jsonx_get_str(o, "i") == NULL, "non-string member gives NULL");
	json_object_put(o);
	test_check();
	test_plain_len();
	test_shallow();
	return tap_done();
}
