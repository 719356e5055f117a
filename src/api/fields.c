/* src/api/fields.c: typed reads of request body members (contract in
 * fields.h). SPEC: openai-wire §0 (the envelope and its param).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/fields.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"

void api_field_init(struct api_fields *f, struct json_object *obj, const char *prefix,
		 struct herror *err)
{
	f->obj = obj;
	f->prefix = prefix && *prefix ? prefix : NULL;
	f->err = err;
}

const char *api_field_type_name(struct json_object *v)
{
	switch(json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_int: return "an integer";
	case json_type_double: return "a decimal number";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "a value of unknown type";
}

enum herr api_field_type_error(struct herror *err, const char *param, const char *expected,
			    struct json_object *v)
{
	return herr_set(err, HERR_BAD_REQUEST, "invalid_type", param,
			"Invalid type for '%s': expected %s, but got %s instead.", param, expected,
			api_field_type_name(v));
}

/* The param path of key under f (prefix.key) into p. */
static const char *path(const struct api_fields *f, const char *key, char *p, size_t cap)
{
	snprintf(p, cap, "%s%s%s", f->prefix ? f->prefix : "", f->prefix ? "." : "", key);
	return p;
}

/* The member, or NULL when absent or null; HERR_BAD_REQUEST when it is
 * required and missing, or present with the wrong type. */
static enum herr member(const struct api_fields *f, const char *key, unsigned flags,
			json_type want, const char *expected, struct json_object **v)
{
	char p[HERR_PARAM_MAX];

	*v = NULL;
	if(!json_object_object_get_ex(f->obj, key, v) || !*v) {
		*v = NULL;
		if(!(flags & API_FIELD_REQUIRED))
			return HERR_OK;
		return herr_set(f->err, HERR_BAD_REQUEST, "missing_required_parameter",
				path(f, key, p, sizeof(p)), "Missing required parameter: '%s'.",
				path(f, key, p, sizeof(p)));
	}
	if(json_object_is_type(*v, want) ||
	   (want == json_type_double && json_object_is_type(*v, json_type_int)))
		return HERR_OK;
	return api_field_type_error(f->err, path(f, key, p, sizeof(p)), expected, *v);
}

enum herr api_field_bool(const struct api_fields *f, const char *key, unsigned flags, bool *out)
{
	struct json_object *v;
	enum herr rc = member(f, key, flags, json_type_boolean, "a boolean", &v);

	if(!rc && v)
		*out = json_object_get_boolean(v);
	return rc;
}

enum herr api_field_str(const struct api_fields *f, const char *key, unsigned flags,
			const char **out, size_t *len)
{
	struct json_object *v;
	enum herr rc = member(f, key, flags, json_type_string, "a string", &v);

	if(!rc && v) {
		size_t n = (size_t)json_object_get_string_len(v);
		char p[HERR_PARAM_MAX];

		*out = json_object_get_string(v);
		if(len) {
			*len = n;
		} else if(memchr(*out, '\0', n)) {
			/* read as a C string, "local\u0000x" would be "local" */
			*out = NULL;
			path(f, key, p, sizeof(p));
			return herr_set(f->err, HERR_BAD_REQUEST, "invalid_value", p,
					"Invalid '%s': the string holds a NUL character (\\u0000).", p);
		}
	}
	return rc;
}

/* 400 <kind>_below_min_value or <kind>_above_max_value for key, in
 * OpenAI's words; limit and got are the numbers as text. */
static enum herr out_of_range(const struct api_fields *f, const char *key, const char *kind,
			      bool below, const char *limit, const char *got)
{
	char p[HERR_PARAM_MAX], code[40];

	snprintf(code, sizeof(code), "%s_%s", kind, below ? "below_min_value" : "above_max_value");
	path(f, key, p, sizeof(p));
	return herr_set(f->err, HERR_BAD_REQUEST, code, p,
			"Invalid '%s': %s %s value. Expected a value %s %s, but got %s instead.", p,
			kind, below ? "below minimum" : "above maximum", below ? ">=" : "<=", limit, got);
}

enum herr api_field_int(const struct api_fields *f, const char *key, unsigned flags, int64_t min,
			int64_t max, int64_t *out)
{
	struct json_object *v;
	char limit[24], got[24];
	enum herr rc = member(f, key, flags, json_type_int, "an integer", &v);
	int64_t n;

	if(rc || !v)
		return rc;
	n = json_object_get_int64(v);
	if(n < min || n > max) {
		snprintf(limit, sizeof(limit), "%lld", (long long)(n < min ? min : max));
		snprintf(got, sizeof(got), "%lld", (long long)n);
		return out_of_range(f, key, "integer", n < min, limit, got);
	}
	*out = n;
	return HERR_OK;
}

enum herr api_field_number(const struct api_fields *f, const char *key, unsigned flags,
			   double min, double max, double *out)
{
	struct json_object *v;
	char limit[32], got[32];
	enum herr rc = member(f, key, flags, json_type_double, "a number", &v);
	double d;

	if(rc || !v)
		return rc;
	d = json_object_get_double(v);
	if(d < min || d > max) {
		snprintf(limit, sizeof(limit), "%g", d < min ? min : max);
		snprintf(got, sizeof(got), "%g", d);
		return out_of_range(f, key, "decimal", d < min, limit, got);
	}
	*out = d;
	return HERR_OK;
}

enum herr api_field_object(const struct api_fields *f, const char *key, unsigned flags,
			struct json_object **out)
{
	struct json_object *v;
	enum herr rc = member(f, key, flags, json_type_object, "an object", &v);

	if(!rc && v)
		*out = v;
	return rc;
}

enum herr api_field_array(const struct api_fields *f, const char *key, unsigned flags,
			  size_t min_len, struct json_object **out)
{
	struct json_object *v;
	char p[HERR_PARAM_MAX];
	enum herr rc = member(f, key, flags, json_type_array, "an array", &v);

	if(rc || !v)
		return rc;
	if(json_object_array_length(v) < min_len)
		return herr_set(f->err, HERR_BAD_REQUEST,
				min_len == 1 ? "empty_array" : "array_too_short",
				path(f, key, p, sizeof(p)),
				"Invalid '%s': expected an array with minimum length %zu, but got "
				"%zu items instead.", p, min_len, json_object_array_length(v));
	*out = v;
	return HERR_OK;
}

enum herr api_field_enum(const struct api_fields *f, const char *key, unsigned flags,
		      const char *const *allowed, const char **out)
{
	const char *s = NULL;
	char p[HERR_PARAM_MAX], list[256];
	struct buf b;
	enum herr rc = api_field_str(f, key, flags, &s, NULL);

	if(rc || !s)
		return rc;
	for(size_t i = 0; allowed[i]; i++)
		if(strcmp(s, allowed[i]) == 0) {
			*out = allowed[i];
			return HERR_OK;
		}
	buf_init(&b, sizeof(list));
	for(size_t i = 0; allowed[i]; i++)
		if(buf_addf(&b, "%s'%s'", i ? ", " : "", allowed[i]))
			break;
	snprintf(list, sizeof(list), "%s", buf_len(&b) ? buf_str(&b) : "");
	buf_release(&b);
	return herr_set(f->err, HERR_BAD_REQUEST, "invalid_value", path(f, key, p, sizeof(p)),
			"Invalid value for '%s': '%.64s'. Supported values are: %s.", p, s, list);
}
