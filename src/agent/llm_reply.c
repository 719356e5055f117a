/* src/agent/llm_reply.c: assembling an assistant reply.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "agent/llm_reply.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/jsonx.h"

#define CHUNK_DEPTH 32

void llm_reply_init(struct llm_reply *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->content, LLM_MAX_CONTENT);
	buf_init(&r->reasoning, LLM_MAX_CONTENT);
	for(size_t i = 0; i < LLM_MAX_TOOL_CALLS; i++)
		buf_init(&r->calls[i].args, LLM_MAX_ARGS);
}

void llm_reply_release(struct llm_reply *r)
{
	buf_release(&r->content);
	buf_release(&r->reasoning);
	for(size_t i = 0; i < LLM_MAX_TOOL_CALLS; i++)
		buf_release(&r->calls[i].args);
}

void llm_reply_reset(struct llm_reply *r)
{
	llm_reply_release(r);
	llm_reply_init(r);
}

static enum herr too_big(struct herror *err, const char *what)
{
	return herr_set(err, HERR_UPSTREAM, "upstream_malformed", NULL,
			"The upstream sent more %s than the limit allows.", what);
}

static enum herr upstream_error(struct json_object *o, struct herror *err)
{
	struct json_object *e = json_object_object_get(o, "error");
	const char *msg = NULL;

	if(json_object_is_type(e, json_type_object))
		msg = jsonx_get_str(e, "message");
	else if(json_object_is_type(e, json_type_string))
		msg = json_object_get_string(e);
	return herr_set(err, HERR_UPSTREAM, "upstream_error", NULL, "Upstream error: %s",
			msg ? msg : "(no message)");
}

static void take_usage(struct llm_reply *r, struct json_object *o)
{
	struct json_object *u = json_object_object_get(o, "usage");

	if(!json_object_is_type(u, json_type_object))
		return;
	r->prompt_tokens = json_object_get_int64(json_object_object_get(u, "prompt_tokens"));
	r->completion_tokens = json_object_get_int64(json_object_object_get(u, "completion_tokens"));
	r->total_tokens = json_object_get_int64(json_object_object_get(u, "total_tokens"));
	if(!r->total_tokens)
		r->total_tokens = r->prompt_tokens + r->completion_tokens;
	r->has_usage = true;
}

static void copy_str(char *dst, size_t cap, struct json_object *v)
{
	if(json_object_is_type(v, json_type_string))
		snprintf(dst, cap, "%s", json_object_get_string(v));
}

/* One tool-call entry (delta or whole); index may be absent in whole replies. */
static enum herr take_call(struct llm_reply *r, struct json_object *tc, size_t pos,
			   struct herror *err)
{
	struct json_object *idx = json_object_object_get(tc, "index");
	struct json_object *fn = json_object_object_get(tc, "function");
	struct llm_tool_call *c;
	size_t i = pos;
	const char *args;

	/* Range-checked as int64: a size_t is 32 bits on armhf (2^32 wrapped to 0). */
	if(json_object_is_type(idx, json_type_int)) {
		int64_t n = json_object_get_int64(idx);

		i = n < 0 || n >= LLM_MAX_TOOL_CALLS ? LLM_MAX_TOOL_CALLS : (size_t)n;
	}
	if(i >= LLM_MAX_TOOL_CALLS)
		return herr_set(err, HERR_UPSTREAM, "upstream_malformed", NULL,
				"The upstream asked for more than %d tool calls at once.",
				LLM_MAX_TOOL_CALLS);
	c = &r->calls[i];
	if(i >= r->ncalls)
		r->ncalls = i + 1;
	copy_str(c->id, sizeof(c->id), json_object_object_get(tc, "id"));
	copy_str(c->name, sizeof(c->name), json_object_object_get(fn, "name"));
	args = jsonx_get_str(fn, "arguments");
	if(args && buf_adds(&c->args, args))
		return too_big(err, "tool-call arguments");
	return HERR_OK;
}

static enum herr append(struct buf *b, struct json_object *v, void (*cb)(void *, const char *, size_t),
			void *ctx, size_t *forwarded, struct herror *err)
{
	const char *s;
	size_t n;

	if(!json_object_is_type(v, json_type_string))
		return HERR_OK;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if(!n)
		return HERR_OK;
	if(buf_add(b, s, n))
		return too_big(err, "text");
	if(cb) {
		cb(ctx, s, n);
		*forwarded += n;
	}
	return HERR_OK;
}

enum herr llm_reply_chunk(struct llm_reply *r, const char *data, size_t len,
			  const struct llm_deltas *d, struct herror *err)
{
	struct json_object *o = NULL, *choices, *ch, *delta, *fr, *tcs;
	enum herr rc = HERR_OK;

	if(len == 6 && memcmp(data, "[DONE]", 6) == 0) {
		r->done = true;
		return HERR_OK;
	}
	if(jsonx_parse(data, len, CHUNK_DEPTH, &o, err) || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return herr_set(err, HERR_UPSTREAM, "upstream_malformed", NULL,
				"The upstream sent a stream chunk that is not a JSON object.");
	}
	if(json_object_object_get_ex(o, "error", NULL)) {
		rc = upstream_error(o, err);
		goto out;
	}
	take_usage(r, o);
	choices = json_object_object_get(o, "choices");
	if(!json_object_is_type(choices, json_type_array) || !json_object_array_length(choices))
		goto out;
	ch = json_object_array_get_idx(choices, 0);
	delta = json_object_object_get(ch, "delta");
	if((rc = append(&r->content, json_object_object_get(delta, "content"), d ? d->text : NULL,
			d ? d->ctx : NULL, &r->forwarded, err)))
		goto out;
	if((rc = append(&r->reasoning, json_object_object_get(delta, "reasoning_content"),
			d ? d->reasoning : NULL, d ? d->ctx : NULL, &r->forwarded, err)) ||
	   (rc = append(&r->reasoning, json_object_object_get(delta, "reasoning"),
			d ? d->reasoning : NULL, d ? d->ctx : NULL, &r->forwarded, err)))
		goto out;
	tcs = json_object_object_get(delta, "tool_calls");
	if(json_object_is_type(tcs, json_type_array))
		for(size_t i = 0; i < json_object_array_length(tcs) && !rc; i++)
			rc = take_call(r, json_object_array_get_idx(tcs, i), i, err);
	fr = json_object_object_get(ch, "finish_reason");
	copy_str(r->finish_reason, sizeof(r->finish_reason), fr);
out:
	json_object_put(o);
	return rc;
}

enum herr llm_reply_whole(struct llm_reply *r, const char *body, size_t len, struct herror *err)
{
	struct json_object *o = NULL, *ch, *msg, *tcs;
	enum herr rc = HERR_OK;
	size_t ignored = 0;

	if(jsonx_parse(body, len, CHUNK_DEPTH, &o, err) || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return herr_set(err, HERR_UPSTREAM, "upstream_malformed", NULL,
				"The upstream's answer is not a JSON object.");
	}
	if(json_object_object_get_ex(o, "error", NULL)) {
		rc = upstream_error(o, err);
		goto out;
	}
	take_usage(r, o);
	ch = json_object_array_get_idx(json_object_object_get(o, "choices"), 0);
	msg = json_object_object_get(ch, "message");
	if(!json_object_is_type(msg, json_type_object)) {
		rc = herr_set(err, HERR_UPSTREAM, "upstream_malformed", NULL,
			      "The upstream's answer has no choices[0].message.");
		goto out;
	}
	if((rc = append(&r->content, json_object_object_get(msg, "content"), NULL, NULL, &ignored,
			err)) ||
	   (rc = append(&r->reasoning, json_object_object_get(msg, "reasoning_content"), NULL, NULL,
			&ignored, err)))
		goto out;
	tcs = json_object_object_get(msg, "tool_calls");
	if(json_object_is_type(tcs, json_type_array))
		for(size_t i = 0; i < json_object_array_length(tcs) && !rc; i++)
			rc = take_call(r, json_object_array_get_idx(tcs, i), i, err);
	copy_str(r->finish_reason, sizeof(r->finish_reason), json_object_object_get(ch, "finish_reason"));
	r->done = true;
out:
	json_object_put(o);
	return rc;
}

struct json_object *llm_reply_message(const struct llm_reply *r)
{
	struct json_object *m = json_object_new_object();

	jsonx_add_str(m, "role", "assistant");
	jsonx_add_str(m, "content", buf_len(&r->content) || !r->ncalls ? buf_str(&r->content) : NULL);
	if(r->ncalls) {
		struct json_object *arr = json_object_new_array();

		for(size_t i = 0; i < r->ncalls; i++) {
			struct json_object *tc = json_object_new_object();
			struct json_object *fn = json_object_new_object();

			jsonx_add_str(tc, "id", r->calls[i].id);
			jsonx_add_str(tc, "type", "function");
			jsonx_add_str(fn, "name", r->calls[i].name);
			jsonx_add_str(fn, "arguments",
				      buf_len(&r->calls[i].args) ? buf_str(&r->calls[i].args) : "{}");
			jsonx_add_owned(tc, "function", fn);
			json_object_array_add(arr, tc);
		}
		jsonx_add_owned(m, "tool_calls", arr);
	}
	return m;
}
