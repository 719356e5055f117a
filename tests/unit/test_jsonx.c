/* tests/unit/test_jsonx.c */
#include "config.h"

#include <json-c/json.h>
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
	return tap_done();
}
