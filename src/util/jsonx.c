/* src/util/jsonx.c: json-c helpers.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/jsonx.h"

#include <json-c/json.h>
#include <limits.h>
#include <string.h>

enum herr jsonx_parse(const char *text, size_t len, int max_depth,
		      struct json_object **out, struct herror *err)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t used = 0;
	enum herr rc = HERR_OK;

	*out = NULL;
	if(len > INT_MAX)
		return herr_set(err, HERR_TOO_LARGE, "body_too_large", NULL,
				"Request body too large.");
	tok = json_tokener_new_ex(max_depth);
	if(!tok)
		return herr_set(err, HERR_INTERNAL, NULL, NULL, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	/* A number or literal at the very end ("5", "null") is complete only
	 * at a terminator: give json-c the NUL it waits for. */
	if(jerr == json_tokener_continue && len) {
		struct json_object *fin = json_tokener_parse_ex(tok, "", 1);

		if(json_tokener_get_error(tok) == json_tokener_success) {
			obj = fin;
			jerr = json_tokener_success;
			used = len;
		} else {
			json_object_put(fin);
		}
	}
	if(!used)
		used = json_tokener_get_parse_end(tok);
	if(jerr == json_tokener_continue || (jerr == json_tokener_success && !obj && len == 0)) {
		rc = herr_set(err, HERR_BAD_REQUEST, "invalid_json", NULL,
			      "Invalid JSON in request body: unexpected end of input.");
		goto out;
	}
	if(jerr != json_tokener_success) {
		rc = herr_set(err, HERR_BAD_REQUEST, "invalid_json", NULL,
			      "Invalid JSON in request body at byte %zu: %s.", used,
			      json_tokener_error_desc(jerr));
		goto out;
	}
	for(; used < len; used++) {
		char c = text[used];
		if(c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			rc = herr_set(err, HERR_BAD_REQUEST, "invalid_json", NULL,
				      "Invalid JSON in request body: unexpected data at byte %zu.",
				      used);
			goto out;
		}
	}
	*out = obj;
	obj = NULL;
out:
	json_object_put(obj);
	json_tokener_free(tok);
	return rc;
}

struct json_object *jsonx_parse_stored(const char *text)
{
	struct json_tokener *tok;
	struct json_object *o;

	if(!text || !(tok = json_tokener_new_ex(JSONX_STORED_DEPTH)))
		return NULL;
	o = json_tokener_parse_ex(tok, text, -1);
	if(json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

const char *jsonx_text(struct json_object *obj, size_t *len)
{
	const char *s;
	size_t n;

	s = json_object_to_json_string_length(obj,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if(len)
		*len = n;
	return s;
}

void jsonx_array_extend(struct json_object *dst, struct json_object *src)
{
	size_t n;

	if(!json_object_is_type(src, json_type_array))
		return;
	n = json_object_array_length(src);
	for(size_t i = 0; i < n; i++)
		json_object_array_add(dst, json_object_get(json_object_array_get_idx(src, i)));
}

struct json_object *jsonx_shallow(struct json_object *obj)
{
	struct json_object *c;

	if(json_object_is_type(obj, json_type_array)) {
		c = json_object_new_array_ext((int)json_object_array_length(obj));
		jsonx_array_extend(c, obj);
		return c;
	}
	if(!json_object_is_type(obj, json_type_object))
		return json_object_get(obj);
	c = json_object_new_object();
	json_object_object_foreach(obj, key, val)
		jsonx_add_owned(c, key, json_object_get(val));
	return c;
}

/* Bytes of s[0..n) as json-c escapes it (JSON_C_TO_STRING_PLAIN): two
 * for the two-character escapes, slash included, six for the other
 * control characters, one for every other byte. */
static size_t escaped_len(const char *s, size_t n)
{
	size_t len = n;

	for(size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if(c == '"' || c == '\\' || c == '/' || c == '\b' || c == '\f' || c == '\n' ||
		   c == '\r' || c == '\t')
			len += 1;
		else if(c < 0x20)
			len += 5;
	}
	return len;
}

size_t jsonx_plain_len(struct json_object *obj)
{
	size_t len, n;

	switch(json_object_get_type(obj)) {
	case json_type_null:
		return 4;
	case json_type_boolean:
		return json_object_get_boolean(obj) ? 4 : 5;
	case json_type_string:
		return 2 + escaped_len(json_object_get_string(obj),
				       (size_t)json_object_get_string_len(obj));
	case json_type_array:
		n = json_object_array_length(obj);
		len = 2 + (n ? n - 1 : 0);
		for(size_t i = 0; i < n; i++)
			len += jsonx_plain_len(json_object_array_get_idx(obj, i));
		return len;
	case json_type_object: {
		len = 2;
		n = 0;
		json_object_object_foreach(obj, key, val)
			len += (n++ ? 1 : 0) + 3 + escaped_len(key, strlen(key)) + jsonx_plain_len(val);
		return len;
	}
	default: /* numbers: their text may be the one they were parsed from */
		json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN, &len);
		return len;
	}
}

const char *jsonx_get_str(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if(!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

void jsonx_add_owned(struct json_object *obj, const char *key, struct json_object *val)
{
	json_object_object_add(obj, key, val);
}

void jsonx_add_str(struct json_object *obj, const char *key, const char *s)
{
	jsonx_add_owned(obj, key, s ? json_object_new_string(s) : NULL);
}

void jsonx_add_int(struct json_object *obj, const char *key, int64_t v)
{
	jsonx_add_owned(obj, key, json_object_new_int64(v));
}

void jsonx_add_bool(struct json_object *obj, const char *key, int v)
{
	jsonx_add_owned(obj, key, json_object_new_boolean(v ? 1 : 0));
}
