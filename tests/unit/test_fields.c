/* tests/unit/test_fields.c: the typed member reader every handler uses. */
#include "config.h"

#include <json-c/json.h>
#include <string.h>

#include "api/fields.h"
#include "tap.h"

int main(void)
{
	struct json_object *o = json_tokener_parse(
		"{\"b\":true,\"sb\":\"false\",\"n\":null,\"i\":5,\"d\":0.5,\"s\":\"hi\",\"o\":{\"x\":1},"
		"\"a\":[1],\"e\":[],\"r\":\"user\"}");
	struct herror err;
	struct api_fields f, g;
	bool b = false;
	const char *s = NULL;
	size_t len = 0;
	int64_t i = -1;
	double d = -1;
	struct json_object *v = NULL;
	static const char *const roles[] = { "system", "user", NULL };

	herr_clear(&err);
	api_field_init(&f, o, NULL, &err);
	is_int(api_field_bool(&f, "b", 0, &b), HERR_OK, "a boolean reads");
	ok(b, "  as true");
	b = true;
	is_int(api_field_bool(&f, "missing", 0, &b), HERR_OK, "an absent optional member is fine");
	ok(b, "  and keeps the default");
	is_int(api_field_bool(&f, "n", 0, &b), HERR_OK, "null is absent");
	is_int(api_field_bool(&f, "sb", 0, &b), HERR_BAD_REQUEST, "\"false\" is not a boolean");
	is_str(err.code, "invalid_type", "  code invalid_type");
	is_str(err.param, "sb", "  param names the member");
	is_str(err.msg, "Invalid type for 'sb': expected a boolean, but got a string instead.",
	       "  OpenAI's wording");
	is_int(api_field_bool(&f, "i", 0, &b), HERR_BAD_REQUEST, "1 is not a boolean either");
	is_int(api_field_str(&f, "missing", API_FIELD_REQUIRED, &s, NULL), HERR_BAD_REQUEST,
	       "a required member that is absent");
	is_str(err.code, "missing_required_parameter", "  code missing_required_parameter");
	is_str(err.msg, "Missing required parameter: 'missing'.", "  message");
	is_int(api_field_str(&f, "n", API_FIELD_REQUIRED, &s, NULL), HERR_BAD_REQUEST,
	       "a required member that is null");
	is_int(api_field_str(&f, "s", 0, &s, &len), HERR_OK, "a string reads");
	ok(s && !strcmp(s, "hi") && len == 2, "  borrowed, with its length");
	is_int(api_field_int(&f, "i", 0, 0, 10, &i), HERR_OK, "an integer in range");
	is_int(i, 5, "  its value");
	is_int(api_field_int(&f, "d", 0, 0, 10, &i), HERR_BAD_REQUEST, "0.5 is not an integer");
	ok(strstr(err.msg, "got a decimal number") != NULL, "  says what it got");
	is_int(api_field_int(&f, "i", 0, 6, 10, &i), HERR_BAD_REQUEST, "below the minimum");
	is_str(err.code, "integer_below_min_value", "  code integer_below_min_value");
	is_str(err.msg, "Invalid 'i': integer below minimum value. Expected a value >= 6, but got 5 "
	       "instead.", "  OpenAI's wording");
	is_int(api_field_int(&f, "i", 0, 0, 4, &i), HERR_BAD_REQUEST, "above the maximum");
	is_str(err.code, "integer_above_max_value", "  code integer_above_max_value");
	is_int(api_field_number(&f, "i", 0, 0, 10, &d), HERR_OK, "an integer is a number");
	ok(d == 5, "  its value");
	is_int(api_field_number(&f, "d", 0, 0, 0.25, &d), HERR_BAD_REQUEST, "a decimal above max");
	is_str(err.code, "decimal_above_max_value", "  code decimal_above_max_value");
	is_str(err.msg, "Invalid 'd': decimal above maximum value. Expected a value <= 0.25, but got "
	       "0.5 instead.", "  with the limit");
	is_int(api_field_number(&f, "s", 0, 0, 1, &d), HERR_BAD_REQUEST, "a string is not a number");
	is_int(api_field_object(&f, "o", 0, &v), HERR_OK, "an object reads");
	api_field_init(&g, v, "o", &err);
	is_int(api_field_str(&g, "x", 0, &s, NULL), HERR_BAD_REQUEST, "a nested member of the wrong type");
	is_str(err.param, "o.x", "  param is the dotted path");
	is_int(api_field_array(&f, "a", 0, 1, &v), HERR_OK, "an array of one item");
	is_int(api_field_array(&f, "e", 0, 1, &v), HERR_BAD_REQUEST, "an empty array where one item is needed");
	is_str(err.code, "empty_array", "  code empty_array");
	is_int(api_field_array(&f, "o", 0, 0, &v), HERR_BAD_REQUEST, "an object is not an array");
	is_int(api_field_enum(&f, "r", 0, roles, &s), HERR_OK, "an allowed value");
	is_str(s, "user", "  points at the list entry");
	is_int(api_field_enum(&f, "s", 0, roles, &s), HERR_BAD_REQUEST, "a value not in the list");
	is_str(err.code, "invalid_value", "  code invalid_value");
	is_str(err.msg, "Invalid value for 's': 'hi'. Supported values are: 'system', 'user'.",
	       "  lists what is supported");
	is_int(api_field_type_error(&err, "messages[3]", "an object", v), HERR_BAD_REQUEST,
	       "type error for an array item");
	is_str(err.msg, "Invalid type for 'messages[3]': expected an object, but got an array instead.",
	       "  message");
	json_object_put(o);
	return tap_done();
}
