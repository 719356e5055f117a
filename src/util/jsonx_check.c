/* src/util/jsonx_check.c: a strict RFC 8259 syntax check of a request body,
 * run before json-c builds a tree.
 *
 * json-c 0.16 accepts NaN, Infinity, single-quoted strings, raw control
 * characters and overlong UTF-8 even with JSON_TOKENER_STRICT, and builds
 * every value it reads: 10 MB of "[]," is 3.3 million objects and ~470 MB
 * that glibc keeps. This pass allocates nothing, counts values (and object
 * keys) on the way and stops at the first byte past a limit, so json-c only
 * ever sees bodies that are valid and small enough as trees.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/jsonx.h"

#include <stdbool.h>
#include <string.h>

#include "util/utf8.h"

struct scan {
	const unsigned char *p;
	size_t len, at;
	int max_depth;
	size_t max_values, values;
	struct herror *err;
};

static enum herr syntax(struct scan *s, const char *what)
{
	return herr_set(s->err, HERR_BAD_REQUEST, "invalid_json", NULL,
			"Invalid JSON in request body at byte %zu: %s.", s->at, what);
}

static void skip_ws(struct scan *s)
{
	while(s->at < s->len && (s->p[s->at] == ' ' || s->p[s->at] == '\t' ||
				 s->p[s->at] == '\n' || s->p[s->at] == '\r'))
		s->at++;
}

static enum herr count(struct scan *s)
{
	if(++s->values <= s->max_values)
		return HERR_OK;
	return herr_set(s->err, HERR_TOO_LARGE, "too_many_values", NULL,
			"The request body holds more than %zu JSON values and keys; "
			"send fewer messages or content parts per request.", s->max_values);
}

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static enum herr scan_string(struct scan *s)
{
	s->at++;   /* the opening quote */
	while(s->at < s->len) {
		unsigned char c = s->p[s->at];
		size_t k;

		if(c == '"') {
			s->at++;
			return HERR_OK;
		}
		if(c < 0x20)
			return syntax(s, "raw control character in a string (escape it, e.g. \\n or \\u0001)");
		if(c == '\\') {
			if(s->at + 1 >= s->len)
				break;
			c = s->p[++s->at];
			if(c == 'u') {
				for(int i = 1; i <= 4; i++)
					if(s->at + (size_t)i >= s->len || !is_hex(s->p[s->at + (size_t)i]))
						return syntax(s, "\\u must be followed by four hex digits");
				s->at += 5;
			} else if(strchr("\"\\/bfnrt", c) && c) {
				s->at++;
			} else {
				return syntax(s, "invalid escape in a string");
			}
			continue;
		}
		k = c < 0x80 ? 1 : utf8_seq(s->p + s->at, s->len - s->at);
		if(!k)
			return syntax(s, "invalid UTF-8 in a string");
		s->at += k;
	}
	return syntax(s, "unterminated string");
}

static size_t digits(struct scan *s)
{
	size_t start = s->at;

	while(s->at < s->len && s->p[s->at] >= '0' && s->p[s->at] <= '9')
		s->at++;
	return s->at - start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static enum herr scan_number(struct scan *s)
{
	if(s->p[s->at] == '-')
		s->at++;
	if(s->at < s->len && s->p[s->at] == '0')
		s->at++;
	else if(!digits(s))
		return syntax(s, "not a JSON value (NaN and Infinity are not JSON)");
	if(s->at < s->len && s->p[s->at] == '.') {
		s->at++;
		if(!digits(s))
			return syntax(s, "digits must follow the decimal point");
	}
	if(s->at < s->len && (s->p[s->at] == 'e' || s->p[s->at] == 'E')) {
		s->at++;
		if(s->at < s->len && (s->p[s->at] == '+' || s->p[s->at] == '-'))
			s->at++;
		if(!digits(s))
			return syntax(s, "digits must follow the exponent");
	}
	return HERR_OK;
}

static enum herr scan_word(struct scan *s, const char *word)
{
	size_t n = strlen(word);

	if(s->len - s->at < n || memcmp(s->p + s->at, word, n) != 0)
		return syntax(s, "not a JSON value");
	s->at += n;
	return HERR_OK;
}

static enum herr scan_value(struct scan *s, int depth);

/* The members of an object or the items of an array; s->at is on the
 * opening bracket. */
static enum herr scan_container(struct scan *s, int depth, bool object)
{
	char close = object ? '}' : ']';
	enum herr rc;

	if(depth >= s->max_depth)
		return syntax(s, "nesting too deep");
	s->at++;
	skip_ws(s);
	if(s->at < s->len && s->p[s->at] == close) {
		s->at++;
		return HERR_OK;
	}
	for(;;) {
		skip_ws(s);
		if(object) {
			if(s->at >= s->len || s->p[s->at] != '"')
				return syntax(s, "object keys must be double-quoted strings");
			if((rc = count(s)) || (rc = scan_string(s)))
				return rc;
			skip_ws(s);
			if(s->at >= s->len || s->p[s->at] != ':')
				return syntax(s, "':' expected after an object key");
			s->at++;
		}
		if((rc = scan_value(s, depth + 1)))
			return rc;
		skip_ws(s);
		if(s->at < s->len && s->p[s->at] == ',') {
			s->at++;
			continue;
		}
		if(s->at < s->len && s->p[s->at] == close) {
			s->at++;
			return HERR_OK;
		}
		return syntax(s, object ? "',' or '}' expected" : "',' or ']' expected");
	}
}

static enum herr scan_value(struct scan *s, int depth)
{
	enum herr rc;

	skip_ws(s);
	if(s->at >= s->len)
		return herr_set(s->err, HERR_BAD_REQUEST, "invalid_json", NULL,
				"Invalid JSON in request body: unexpected end of input.");
	if((rc = count(s)))
		return rc;
	switch(s->p[s->at]) {
	case '{': return scan_container(s, depth, true);
	case '[': return scan_container(s, depth, false);
	case '"': return scan_string(s);
	case 't': return scan_word(s, "true");
	case 'f': return scan_word(s, "false");
	case 'n': return scan_word(s, "null");
	default: return scan_number(s);
	}
}

enum herr jsonx_check(const char *text, size_t len, int max_depth, size_t max_values,
		      size_t *values, struct herror *err)
{
	struct scan s = { (const unsigned char *)text, len, 0, max_depth, max_values, 0, err };
	enum herr rc = scan_value(&s, 0);

	if(!rc) {
		skip_ws(&s);
		if(s.at < len)
			rc = syntax(&s, "unexpected data after the JSON value");
	}
	if(values)
		*values = s.values;
	return rc;
}
