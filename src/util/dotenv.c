/* src/util/dotenv.c: .env parser.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/dotenv.h"

#include <ctype.h>
#include <json-c/json.h>
#include <string.h>

#include "util/buf.h"
#include "util/str.h"

#define DOTENV_VALUE_MAX 65536

static int is_key_char(char c, int first)
{
	return c == '_' || isalpha((unsigned char)c) || (!first && isdigit((unsigned char)c));
}

/* Parse the value part of one line (s..end) into val. Returns a static
 * reason on error, NULL on success. */
static const char *parse_value(const char *s, const char *end, struct buf *val)
{
	size_t n;

	s = str_trim(s, (size_t)(end - s), &n);
	end = s + n;
	if(n && (*s == '\'' || *s == '"')) {
		char q = *s++;
		for(; s < end && *s != q; s++) {
			char c = *s;
			if(q == '"' && c == '\\' && s + 1 < end) {
				c = *++s;
				c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
			}
			if(buf_add(val, &c, 1))
				return "value too long";
		}
		if(s >= end)
			return "unterminated quoted value";
		for(s++; s < end && isspace((unsigned char)*s); s++)
			;
		if(s < end && *s != '#')
			return "unexpected text after the closing quote";
		return NULL;
	}
	for(const char *p = s; p < end; p++)
		if(*p == '#' && (p == s || isspace((unsigned char)p[-1]))) {
			end = p;
			break;
		}
	s = str_trim(s, (size_t)(end - s), &n);
	if(buf_add(val, s, n))
		return "value too long";
	return NULL;
}

enum herr dotenv_parse(const char *text, size_t len, const char *fname,
		       struct json_object **out, struct herror *err)
{
	struct json_object *obj = json_object_new_object();
	const char *p = text, *end = text + len;
	struct buf key, val;
	enum herr rc = HERR_OK;
	int lineno = 0;

	buf_init(&key, 256);
	buf_init(&val, DOTENV_VALUE_MAX);
	while(p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *s, *why = NULL;
		size_t n;

		if(!eol)
			eol = end;
		lineno++;
		s = str_trim(p, (size_t)(eol - p), &n);
		p = eol + (eol < end);
		if(n == 0 || *s == '#')
			continue;
		if(n > 7 && strncmp(s, "export ", 7) == 0) {
			s = str_trim(s + 7, n - 7, &n);
		}
		buf_reset(&key);
		buf_reset(&val);
		for(; n && is_key_char(*s, buf_len(&key) == 0); s++, n--)
			if(buf_add(&key, s, 1)) {
				why = "name too long";
				break;
			}
		while(!why && n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		if(!why && (buf_len(&key) == 0 || !n || *s != '='))
			why = "expected KEY=VALUE";
		if(!why)
			why = parse_value(s + 1, s + n, &val);
		if(why) {
			rc = herr_set(err, HERR_CONFIG, "config_error", NULL,
				      "%s line %d: %s%s%s", fname, lineno, why,
				      buf_len(&key) ? " for key " : "", buf_str(&key));
			goto out;
		}
		json_object_object_add(obj, buf_str(&key),
			json_object_new_string_len(buf_str(&val), (int)buf_len(&val)));
	}
	*out = obj;
	obj = NULL;
out:
	json_object_put(obj);
	buf_release(&key);
	buf_release(&val);
	return rc;
}
