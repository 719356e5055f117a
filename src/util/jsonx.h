/* src/util/jsonx.h: json-c helpers with the ownership rules spelled out.
 *
 * json-c: json_object_object_get() returns a BORROWED child; *_add() TAKES
 * the reference passed to it. The helpers here keep those semantics and say
 * so in their names (_owned = takes ownership).
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_JSONX_H
#define HERMES_UTIL_JSONX_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct json_object;

#define JSONX_MAX_DEPTH 64

/* JSON this program stored itself (a Response object, a run's admitted
 * request, an event) wraps what a request sent - nested up to
 * REQ_JSON_DEPTH (64) at the edge - in a few levels more, so it is read
 * back with more room: a tool schema 30 deep was read as "corrupt" (the
 * json-c default is 32) and the stored response deleted. */
#define JSONX_STORED_DEPTH 96

/* Parse text that this program stored (JSONX_STORED_DEPTH; json-c's
 * grammar, as json_tokener_parse): a new reference, or NULL when text is
 * NULL or not JSON. */
struct json_object *jsonx_parse_stored(const char *text);

/* Parse exactly len bytes as one JSON value, nesting at most max_depth.
 * On success *out is a new reference the caller puts with json_object_put()
 * (NULL for the text "null": callers check the type they want).
 * Malformed, truncated, trailing garbage or too deep → HERR_BAD_REQUEST with
 * code invalid_json and a message saying where. */
enum herr jsonx_parse(const char *text, size_t len, int max_depth,
		      struct json_object **out, struct herror *err)
	__attribute__((warn_unused_result));

/* Check that text[0..len) is one JSON value under RFC 8259's grammar, as a
 * request body must be, before anything is allocated: no NaN, Infinity,
 * single quotes, raw control characters or invalid UTF-8 in strings, no
 * trailing data, nesting at most max_depth, and at most max_values values
 * plus object keys. *values (may be NULL) gets the count seen.
 * HERR_BAD_REQUEST (invalid_json, message with the byte offset) or
 * HERR_TOO_LARGE (too_many_values, 413). Allocates nothing. */
enum herr jsonx_check(const char *text, size_t len, int max_depth, size_t max_values,
		      size_t *values, struct herror *err)
	__attribute__((warn_unused_result));

/* Compact serialisation without escaped slashes. Borrowed: valid until obj
 * is freed or changed. */
const char *jsonx_text(struct json_object *obj, size_t *len);

/* Append src's elements to the array dst, each a new reference; src NULL
 * or not an array: nothing. */
void jsonx_array_extend(struct json_object *dst, struct json_object *src);

/* A new object or array holding obj's members or elements, shared (any
 * other value: a new reference to it). Its jsonx_text is obj's text, and
 * it goes when the copy is put: json-c keeps a serialisation with the
 * object it was made from, so a long-lived obj serialised itself would
 * hold its text as long as it lives. */
struct json_object *jsonx_shallow(struct json_object *obj);

/* The length of jsonx_text's json-c sibling with JSON_C_TO_STRING_PLAIN
 * (slashes escaped) for obj, counted without making the text: json-c keeps
 * a serialisation with the object it was made from, so measuring a large
 * tree that way would hold a copy of it for the tree's life. Numbers are
 * measured by serialising them (json-c keeps that small text with each). */
size_t jsonx_plain_len(struct json_object *obj);

/* Borrowed string member of obj, or NULL if absent or not a string. */
const char *jsonx_get_str(struct json_object *obj, const char *key);

/* Add a member; takes ownership of val (may be NULL = JSON null). */
void jsonx_add_owned(struct json_object *obj, const char *key, struct json_object *val);

/* Shorthands that create the value (copies s; s == NULL adds null). */
void jsonx_add_str(struct json_object *obj, const char *key, const char *s);
void jsonx_add_int(struct json_object *obj, const char *key, int64_t v);
void jsonx_add_bool(struct json_object *obj, const char *key, int v);

#endif
