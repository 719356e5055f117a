/* src/tools/args.c: reading a tool call's JSON arguments (tools/args.h).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/args.h"

#include <json-c/json.h>
#include <stdint.h>
#include <string.h>

#include "util/str.h"

enum herr tool_arg_long(struct json_object *args, const char *key, long def, long min,
			long max, long *out, struct herror *err)
{
	struct json_object *v = NULL;
	long n = def;
	bool good = true;

	if(json_object_object_get_ex(args, key, &v) && v) {
		if(json_object_is_type(v, json_type_int)) {
			int64_t i = json_object_get_int64(v);

			good = i >= min && i <= max;
			n = (long)i;
		} else if(json_object_is_type(v, json_type_double)) {
			double d = json_object_get_double(v);

			good = d >= (double)min && d <= (double)max && d == (double)(long)d;
			n = good ? (long)d : def;
		} else {
			good = json_object_is_type(v, json_type_string) &&
			       str_to_long(json_object_get_string(v), min, max, &n);
		}
	}
	if(!good)
		return herr_set(err, HERR_BAD_REQUEST, NULL, key,
				"'%s' must be a whole number from %ld to %ld", key, min, max);
	*out = n;
	return HERR_OK;
}

enum herr tool_arg_str(struct json_object *args, const char *key, unsigned flags,
		       const char **s, size_t *len, struct herror *err)
{
	struct json_object *v = NULL;

	*s = NULL;
	*len = 0;
	if(!json_object_object_get_ex(args, key, &v) || !json_object_is_type(v, json_type_string))
		return herr_set(err, HERR_BAD_REQUEST, NULL, key, "'%s' is required and must be a string",
				key);
	*s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	if((flags & TOOL_ARG_NONEMPTY) && !*len)
		return herr_set(err, HERR_BAD_REQUEST, NULL, key, "'%s' must not be empty", key);
	if(!(flags & TOOL_ARG_NUL) && strlen(*s) != *len)
		return herr_set(err, HERR_BAD_REQUEST, NULL, key, "'%s' must not contain NUL bytes", key);
	return HERR_OK;
}

enum herr tool_arg_bool(struct json_object *args, const char *key, bool def, bool *out,
			struct herror *err)
{
	struct json_object *v = NULL;
	const char *s;

	*out = def;
	if(!json_object_object_get_ex(args, key, &v) || !v)
		return HERR_OK;
	if(json_object_is_type(v, json_type_boolean)) {
		*out = json_object_get_boolean(v);
		return HERR_OK;
	}
	s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
	if(strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
		*out = s[0] == 't';
		return HERR_OK;
	}
	return herr_set(err, HERR_BAD_REQUEST, NULL, key, "'%s' must be true or false", key);
}
