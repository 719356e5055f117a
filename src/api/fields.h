/* src/api/fields.h: typed reads of request body members, failing the way
 * OpenAI does.
 *
 * One reader for every handler (chat now; responses, runs and sessions
 * later). A member that is absent, or null, keeps the caller's default
 * (*out is left alone) unless API_FIELD_REQUIRED. A member of the wrong type is
 * a 400 with code invalid_type and param naming the member by its path
 * ("stream", "stream_options.include_usage", "messages[2].role"), worded as
 * OpenAI words it: "Invalid type for 'stream': expected a boolean, but got a
 * string instead." "false" (a string), "yes" and 1 are not booleans.
 * Everything returned is borrowed from the object being read.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_FIELDS_H
#define HERMES_API_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct json_object;

#define API_FIELD_REQUIRED 1u   /* absent or null: 400 missing_required_parameter */

struct api_fields {
	struct json_object *obj;   /* borrowed: the object members are read from */
	const char *prefix;        /* param path of obj ("messages[2]"), NULL for the body */
	struct herror *err;        /* OUT: filled on error */
};

/* Read members of obj (borrowed; must be a JSON object) whose param path
 * is prefix (NULL or "" for the request body itself); errors go to err. */
void api_field_init(struct api_fields *f, struct json_object *obj, const char *prefix,
		 struct herror *err);

/* A boolean member: true or false only. */
enum herr api_field_bool(const struct api_fields *f, const char *key, unsigned flags, bool *out)
	__attribute__((warn_unused_result));

/* A string member; *out borrowed, *len (may be NULL) its byte length.
 * Without len the caller reads a C string: a NUL inside it is then 400
 * invalid_value (with len, the caller decides). */
enum herr api_field_str(const struct api_fields *f, const char *key, unsigned flags,
			const char **out, size_t *len) __attribute__((warn_unused_result));

/* An integer member in [min, max] (a decimal number such as 1.5 is the
 * wrong type; out of range is integer_below_min_value /
 * integer_above_max_value). */
enum herr api_field_int(const struct api_fields *f, const char *key, unsigned flags, int64_t min,
		     int64_t max, int64_t *out) __attribute__((warn_unused_result));

/* A number member (integer or decimal) in [min, max]
 * (decimal_below_min_value / decimal_above_max_value). */
enum herr api_field_number(const struct api_fields *f, const char *key, unsigned flags, double min,
			double max, double *out) __attribute__((warn_unused_result));

/* An object member (borrowed). */
enum herr api_field_object(const struct api_fields *f, const char *key, unsigned flags,
			struct json_object **out) __attribute__((warn_unused_result));

/* An array member (borrowed) of at least min_len items (fewer: empty_array
 * when min_len is 1, else array_too_short). */
enum herr api_field_array(const struct api_fields *f, const char *key, unsigned flags,
			  size_t min_len, struct json_object **out) __attribute__((warn_unused_result));

/* A string member that must be one of allowed (NULL-terminated list):
 * anything else is 400 invalid_value listing the supported values. *out
 * points at the matching entry of allowed. */
enum herr api_field_enum(const struct api_fields *f, const char *key, unsigned flags,
		      const char *const *allowed, const char **out)
	__attribute__((warn_unused_result));

/* 400 invalid_type for value v at param, expected being "an object", "a
 * string", ... (for array items and other values not read by key). */
enum herr api_field_type_error(struct herror *err, const char *param, const char *expected,
			    struct json_object *v);

/* "a string", "an integer", "null", ... for the type of v (static). */
const char *api_field_type_name(struct json_object *v);

#endif
