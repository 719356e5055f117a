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
#include "util/utf8.h"
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
	rc = utf8_sanitize(out, c->head, h, true);
	if(!rc && cut)
		rc = buf_addf(out, "%s[... %llu bytes cut ...]\n", h && c->head[h - 1] != '\n' ? "\n" : "",
			      cut);
	if(!rc && c->tail_len)
		rc = utf8_sanitize(out, lin + skip, c->tail_len - skip, true);
	free(lin);
	return rc;
}

