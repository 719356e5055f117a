/* src/agent/llm_sse.c: the SSE line and event state machine.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "agent/llm_sse.h"

#include <string.h>

void llm_sse_init(struct llm_sse *p, size_t max_event)
{
	memset(p, 0, sizeof(*p));
	buf_init(&p->line, max_event);
	buf_init(&p->data, max_event);
}

void llm_sse_release(struct llm_sse *p)
{
	buf_release(&p->line);
	buf_release(&p->data);
	p->has_data = false;
	p->after_cr = false;
}

static enum herr too_big(struct herror *err)
{
	return herr_set(err, HERR_UPSTREAM, "upstream_malformed", NULL,
			"The upstream sent a stream event larger than the limit.");
}

/* One complete line (without its terminator). */
static enum herr line_done(struct llm_sse *p, const char *s, size_t n, llm_sse_cb cb, void *ctx,
			   struct herror *err)
{
	enum herr rc = HERR_OK;

	if(n == 0) {
		if(p->has_data)
			rc = cb(ctx, buf_str(&p->data), buf_len(&p->data));
		buf_reset(&p->data);
		p->has_data = false;
		return rc;
	}
	if(s[0] == ':')
		return HERR_OK;
	if(n >= 5 && memcmp(s, "data", 4) == 0 && s[4] == ':') {
		s += 5;
		n -= 5;
		if(n && *s == ' ') {
			s++;
			n--;
		}
		if(p->has_data && buf_add(&p->data, "\n", 1))
			return too_big(err);
		if(buf_add(&p->data, s, n))
			return too_big(err);
		p->has_data = true;
		return HERR_OK;
	}
	if(n == 4 && memcmp(s, "data", 4) == 0) {
		if(p->has_data && buf_add(&p->data, "\n", 1))
			return too_big(err);
		p->has_data = true;
	}
	return HERR_OK; /* event:, id:, retry: and unknown fields are ignored */
}

enum herr llm_sse_feed(struct llm_sse *p, const char *bytes, size_t n, llm_sse_cb cb, void *ctx,
		       struct herror *err)
{
	enum herr rc;

	while(n) {
		size_t i = 0;

		if(p->after_cr) {
			p->after_cr = false;
			if(bytes[0] == '\n') {
				bytes++;
				n--;
				continue;
			}
		}
		while(i < n && bytes[i] != '\n' && bytes[i] != '\r')
			i++;
		if(i == n) { /* no terminator yet: keep the piece */
			if(buf_add(&p->line, bytes, n))
				return too_big(err);
			return HERR_OK;
		}
		if(buf_len(&p->line)) {
			if(buf_add(&p->line, bytes, i))
				return too_big(err);
			rc = line_done(p, buf_str(&p->line), buf_len(&p->line), cb, ctx, err);
			buf_reset(&p->line);
		} else {
			rc = line_done(p, bytes, i, cb, ctx, err);
		}
		if(rc)
			return rc;
		p->after_cr = bytes[i] == '\r';
		bytes += i + 1;
		n -= i + 1;
	}
	return HERR_OK;
}
