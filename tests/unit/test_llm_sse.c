/* tests/unit/test_llm_sse.c: the SSE parser and reply accumulator on
 * recorded streams (tests/data/streams), fed whole, split at every byte
 * position, and byte by byte; the result must always be the same. */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/llm_reply.h"
#include "agent/llm_sse.h"
#include "tap.h"

struct run {
	struct llm_reply reply;
	struct herror err;
	struct buf deltas;
};

static enum herr on_event(void *ctx, const char *data, size_t len)
{
	struct run *r = ctx;

	return llm_reply_chunk(&r->reply, data, len, NULL, &r->err);
}

/* Feed text in pieces cut at the given positions; returns the assistant
 * message as JSON text plus finish/usage (caller frees). */
static char *parse(const char *text, size_t len, const size_t *cuts, size_t ncuts, int bytewise)
{
	struct llm_sse p;
	struct run r;
	struct json_object *m;
	size_t at = 0;
	enum herr rc = HERR_OK;
	char *out;
	struct buf b;

	llm_sse_init(&p, 1 << 20);
	llm_reply_init(&r.reply);
	herr_clear(&r.err);
	if(bytewise) {
		for(size_t i = 0; i < len && !rc; i++)
			rc = llm_sse_feed(&p, text + i, 1, on_event, &r, &r.err);
	} else {
		for(size_t c = 0; c <= ncuts && !rc; c++) {
			size_t end = c < ncuts ? cuts[c] : len;
			rc = llm_sse_feed(&p, text + at, end - at, on_event, &r, &r.err);
			at = end;
		}
	}
	m = llm_reply_message(&r.reply);
	buf_init(&b, 1 << 22);
	if(buf_addf(&b, "%s|%s|%s|%lld/%lld/%lld|%d|rc=%d", json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
		    buf_str(&r.reply.reasoning), r.reply.finish_reason,
		    (long long)r.reply.prompt_tokens, (long long)r.reply.completion_tokens,
		    (long long)r.reply.total_tokens, r.reply.done, rc))
		abort();
	out = buf_take(&b);
	json_object_put(m);
	llm_reply_release(&r.reply);
	llm_sse_release(&p);
	return out;
}

static char *slurp(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *p;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/streams/%s",
		 getenv("top_srcdir") ? getenv("top_srcdir") : "../..", name);
	f = fopen(path, "rb");
	if(!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	*len = fread(p, 1, (size_t)n, f);
	p[*len] = '\0';
	fclose(f);
	return p;
}

static void every_split(const char *name, const char *expect_substr)
{
	size_t len = 0, bad = 0, bad2 = 0;
	char *text = slurp(name, &len);
	char *ref, *got;

	if(!ok(text != NULL, "%s readable", name))
		return;
	ref = parse(text, len, NULL, 0, 0);
	ok(strstr(ref, expect_substr) != NULL, "%s whole: %s", name, ref);
	for(size_t i = 0; i <= len; i++) {
		got = parse(text, len, &i, 1, 0);
		bad += strcmp(got, ref) != 0;
		free(got);
	}
	is_int(bad, 0, "every single split point gives the same result");
	for(size_t i = 0; i + 7 <= len; i += 7) {
		size_t cuts[2] = { i, i + 3 };
		got = parse(text, len, cuts, 2, 0);
		bad2 += strcmp(got, ref) != 0;
		free(got);
	}
	is_int(bad2, 0, "double splits give the same result");
	got = parse(text, len, NULL, 0, 1);
	is_str(got, ref, "byte-by-byte gives the same result");
	free(got);
	free(ref);
	free(text);
}

static enum herr count(void *ctx, const char *d, size_t n)
{
	(void)d, (void)n;
	(*(int *)ctx)++;
	return HERR_OK;
}

/* A streamed tool call at index IDX (JSON text) is an upstream error. */
static void refused_index(const char *idx, const char *desc)
{
	struct llm_reply r;
	struct herror err;
	char chunk[200];

	herr_clear(&err);
	llm_reply_init(&r);
	snprintf(chunk, sizeof(chunk), "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":%s,"
		 "\"id\":\"x\",\"function\":{\"name\":\"n\"}}]}}]}", idx);
	is_int(llm_reply_chunk(&r, chunk, strlen(chunk), NULL, &err), HERR_UPSTREAM, desc);
	llm_reply_release(&r);
}

int main(void)
{
	struct llm_sse p;
	struct herror err;
	struct llm_reply r;
	int events = 0;
	char big[300];

	every_split("openai-text.sse",
		    "{\"role\":\"assistant\",\"content\":\"Hello, wörld — ✓\"}||stop|12/4/16|1|rc=0");
	every_split("openai-tools.sse", "\"tool_calls\":[{\"id\":\"call_a\",\"type\":\"function\","
		    "\"function\":{\"name\":\"memory\",\"arguments\":\"{\\\"action\\\":\\\"add\\\","
		    "\\\"content\\\":\\\"likes tea\\\"}\"}},{\"id\":\"call_b\"");
	every_split("crlf-reasoning.sse", "\"content\":\"Four.\"}|Let me think briefly.|stop");
	every_split("cr-multiline.sse", "\"content\":\"multi-line\"}||stop");

	/* caps */
	herr_clear(&err);
	llm_sse_init(&p, 100);
	memset(big, 'x', sizeof(big));
	is_int(llm_sse_feed(&p, big, sizeof(big), count, &events, &err), HERR_UPSTREAM,
	       "a line over the cap is an upstream error");
	is_str(err.code, "upstream_malformed", "code upstream_malformed");
	llm_sse_release(&p);
	llm_sse_init(&p, 100);
	for(int i = 0; i < 10; i++)
		if(llm_sse_feed(&p, "data: 0123456789012345\n", 23, count, &events, &err))
			break;
	is_int(err.rc, HERR_UPSTREAM, "an event over the cap is an upstream error");
	llm_sse_release(&p);
	llm_sse_init(&p, 100);
	events = 0;
	ok(!llm_sse_feed(&p, ": keepalive\n\ndata: a\n\n\n\n", 24, count, &events, &err) && events == 1,
	   "comments and empty events produce nothing");
	llm_sse_release(&p);

	/* chunk errors and whole replies */
	llm_reply_init(&r);
	herr_clear(&err);
	is_int(llm_reply_chunk(&r, "{not json", 9, NULL, &err), HERR_UPSTREAM, "malformed chunk");
	is_str(err.code, "upstream_malformed", "malformed chunk code");
	is_int(llm_reply_chunk(&r, "{\"error\":{\"message\":\"quota\"}}", 29, NULL, &err),
	       HERR_UPSTREAM, "in-stream error");
	ok(strstr(err.msg, "quota") != NULL, "upstream message kept: %s", err.msg);
	llm_reply_release(&r);
	llm_reply_init(&r);
	{
		const char *whole = "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
				    "\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
				    "\"function\":{\"name\":\"memory\",\"arguments\":\"{}\"}}]},"
				    "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":3,"
				    "\"completion_tokens\":2}}";
		is_int(llm_reply_whole(&r, whole, strlen(whole), &err), HERR_OK, "whole reply");
		is_int(r.ncalls, 1, "one tool call");
		is_str(r.calls[0].name, "memory", "tool name");
		is_int(r.total_tokens, 5, "total computed when absent");
	}
	llm_reply_release(&r);
	{
		char idx[16];

		snprintf(idx, sizeof(idx), "%d", LLM_MAX_TOOL_CALLS);
		refused_index(idx, "tool call index past the cap refused");
	}
	/* 2^32: a 32-bit size_t (armhf) made it tool call 0. */
	refused_index("4294967296", "tool call index 2^32 refused (not wrapped to 0)");
	refused_index("-1", "tool call index -1 refused");
	return tap_done();
}
