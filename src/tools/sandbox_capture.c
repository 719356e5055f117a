/* src/tools/sandbox_capture.c: a child's output kept as head and tail,
 * with the cut middle replaced by a marker, rendered as valid UTF-8.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/sandbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/registry.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xalloc.h"

/* ---- output capture ------------------------------------------------------------ */

void tool_capture_init(struct tool_capture *c, size_t cap)
{
	memset(c, 0, sizeof(*c));
	c->head_cap = cap / 2;
	c->tail_cap = cap - c->head_cap;
	c->head = c->head_cap ? xmalloc(c->head_cap) : NULL;
	c->tail = c->tail_cap ? xmalloc(c->tail_cap) : NULL;
}

void tool_capture_release(struct tool_capture *c)
{
	free(c->head);
	free(c->tail);
	memset(c, 0, sizeof(*c));
}

void tool_capture_feed(struct tool_capture *c, const char *p, size_t n)
{
	size_t h = c->head_cap - c->head_len;

	c->total += n;
	if(h > n)
		h = n;
	if(h) {
		memcpy(c->head + c->head_len, p, h);
		c->head_len += h;
		p += h;
		n -= h;
	}
	if(!n || !c->tail_cap)
		return;
	if(n >= c->tail_cap) {
		memcpy(c->tail, p + n - c->tail_cap, c->tail_cap);
		c->tail_pos = 0;
		c->tail_len = c->tail_cap;
		return;
	}
	while(n) {
		size_t k = c->tail_cap - c->tail_pos;

		if(k > n)
			k = n;
		memcpy(c->tail + c->tail_pos, p, k);
		c->tail_pos = (c->tail_pos + k) % c->tail_cap;
		c->tail_len = c->tail_len + k > c->tail_cap ? c->tail_cap : c->tail_len + k;
		p += k;
		n -= k;
	}
}

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if none. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t need;

	if(s[0] < 0x80)
		return 1;
	if(s[0] >= 0xC2 && s[0] <= 0xDF)
		need = 1;
	else if(s[0] >= 0xE0 && s[0] <= 0xEF)
		need = 2, lo = s[0] == 0xE0 ? 0xA0 : 0x80, hi = s[0] == 0xED ? 0x9F : 0xBF;
	else if(s[0] >= 0xF0 && s[0] <= 0xF4)
		need = 3, lo = s[0] == 0xF0 ? 0x90 : 0x80, hi = s[0] == 0xF4 ? 0x8F : 0xBF;
	else
		return 0;
	if(n <= need || s[1] < lo || s[1] > hi)
		return 0;
	for(size_t k = 2; k <= need; k++)
		if((s[k] & 0xC0) != 0x80)
			return 0;
	return need + 1;
}

/* Append p[0..n) with invalid UTF-8 and NUL bytes replaced by U+FFFD. */
static enum herr add_utf8(struct buf *out, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, start = 0;
	enum herr rc;

	while(i < n) {
		size_t len = s[i] ? utf8_seq(s + i, n - i) : 0;

		if(len) {
			i += len;
			continue;
		}
		if((rc = buf_add(out, p + start, i - start)) || (rc = buf_add(out, "\xEF\xBF\xBD", 3)))
			return rc;
		start = ++i;
	}
	return buf_add(out, p + start, i - start);
}

/* How many bytes of p[0..n) to keep so it does not end inside a character. */
static size_t utf8_trim_end(const char *p, size_t n)
{
	for(size_t back = 1; back <= 3 && back <= n; back++) {
		unsigned char c = (unsigned char)p[n - back];

		if((c & 0xC0) == 0x80)
			continue;
		if(c >= 0xC0 && !utf8_seq((const unsigned char *)p + n - back, back))
			return n - back;
		break;
	}
	return n;
}

enum herr tool_capture_render(const struct tool_capture *c, struct buf *out)
{
	unsigned long long cut = c->total - c->head_len - c->tail_len;
	char *lin = c->tail_len ? xmalloc(c->tail_len) : NULL;
	size_t h = c->head_len, skip = 0;
	enum herr rc;

	if(c->tail_len < c->tail_cap) {
		if(c->tail_len)
			memcpy(lin, c->tail, c->tail_len);
	} else if(c->tail_len) {
		memcpy(lin, c->tail + c->tail_pos, c->tail_cap - c->tail_pos);
		memcpy(lin + c->tail_cap - c->tail_pos, c->tail, c->tail_pos);
	}
	if(cut) { /* cut at character boundaries, and count what that drops */
		h = utf8_trim_end(c->head, c->head_len);
		while(skip < c->tail_len && skip < 3 && (lin[skip] & 0xC0) == 0x80)
			skip++;
		cut += (c->head_len - h) + skip;
	}
	rc = add_utf8(out, c->head, h);
	if(!rc && cut)
		rc = buf_addf(out, "%s[... %llu bytes cut ...]\n", h && c->head[h - 1] != '\n' ? "\n" : "",
			      cut);
	if(!rc && c->tail_len)
		rc = add_utf8(out, lin + skip, c->tail_len - skip);
	free(lin);
	return rc;
}

