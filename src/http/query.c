/* src/http/query.c: query string parsing (contract in query.h).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "http/query.h"

#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"
#include "util/xalloc.h"

void query_init(struct query *q)
{
	q->n = 0;
	q->mem = NULL;
}

void query_release(struct query *q)
{
	free(q->mem);
	query_init(q);
}

#define STR2(x) #x
#define STR(x) STR2(x)
#define QUERY_MAX_PAIRS_TEXT STR(QUERY_MAX_PAIRS)

static int hexval(char c)
{
	if(c >= '0' && c <= '9')
		return c - '0';
	if(c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if(c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s[0..len) into out (room for len + 1); NUL-terminated. Returns
 * the decoded length, or (size_t)-1 with *bad at the offending offset. */
static size_t decode(const char *s, size_t len, char *out, size_t *bad)
{
	size_t o = 0;

	for(size_t i = 0; i < len; i++) {
		int hi, lo;

		if(s[i] == '+') {
			out[o++] = ' ';
			continue;
		}
		if(s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if(i + 2 >= len) {
			*bad = i;
			return (size_t)-1;
		}
		hi = hexval(s[i + 1]);
		lo = hexval(s[i + 2]);
		if(hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			*bad = i;
			return (size_t)-1;
		}
		out[o++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[o] = '\0';
	return o;
}

static enum herr bad_query(struct query *q, struct herror *err, const char *what, size_t at)
{
	query_release(q);
	return herr_set(err, HERR_BAD_REQUEST, "invalid_query_string", NULL,
			"Invalid query string at byte %zu: %s.", at, what);
}

enum herr query_parse(struct query *q, const char *qs, struct herror *err)
{
	size_t len = qs ? strlen(qs) : 0, pos = 0, at = 0;
	char *w;

	query_release(q);
	if(len > QUERY_MAX_LEN)
		return herr_set(err, HERR_BAD_REQUEST, "query_too_long", NULL,
				"The query string is longer than %d bytes.", QUERY_MAX_LEN);
	if(!len)
		return HERR_OK;
	/* Decoding never grows text; each pair needs two NULs. */
	q->mem = xmalloc(len + 2 * (QUERY_MAX_PAIRS + 1));
	w = q->mem;
	while(pos <= len) {
		size_t seg = strcspn(qs + pos, "&"), klen, kd, vd, bad = 0;
		const char *eq = memchr(qs + pos, '=', seg);

		if(seg == 0) {
			pos++;
			continue;
		}
		if(q->n == QUERY_MAX_PAIRS)
			return bad_query(q, err, "more than " QUERY_MAX_PAIRS_TEXT " parameters", pos);
		klen = eq ? (size_t)(eq - (qs + pos)) : seg;
		at = pos;
		if((kd = decode(qs + pos, klen, w, &bad)) == (size_t)-1)
			return bad_query(q, err, "'%' must be followed by two hex digits (not 00)", at + bad);
		q->v[q->n].key = w;
		w += kd + 1;
		at = pos + klen + 1;
		vd = eq ? decode(eq + 1, seg - klen - 1, w, &bad) : (*w = '\0', 0);
		if(vd == (size_t)-1)
			return bad_query(q, err, "'%' must be followed by two hex digits (not 00)", at + bad);
		q->v[q->n].value = w;
		w += vd + 1;
		if(!utf8_valid(q->v[q->n].key, kd) || !utf8_valid(q->v[q->n].value, vd))
			return bad_query(q, err, "the decoded text is not valid UTF-8", pos);
		q->n++;
		pos += seg + 1;
	}
	return HERR_OK;
}

const char *query_get_nth(const struct query *q, const char *key, size_t nth)
{
	for(size_t i = 0; i < q->n; i++)
		if(strcmp(q->v[i].key, key) == 0 && nth-- == 0)
			return q->v[i].value;
	return NULL;
}

const char *query_get(const struct query *q, const char *key)
{
	return query_get_nth(q, key, 0);
}

size_t query_count(const struct query *q, const char *key)
{
	size_t n = 0;

	for(size_t i = 0; i < q->n; i++)
		n += strcmp(q->v[i].key, key) == 0;
	return n;
}
