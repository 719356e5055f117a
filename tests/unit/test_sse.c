/* tests/unit/test_sse.c: the SSE stream object (http/sse.c) through the
 * memory hio with a fake clock: the deferred head and its status, delta
 * batching, keepalive on silence, client-gone detection, id lines and
 * multi-line data. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "http/hio.h"
#include "http/req.h"
#include "http/resp.h"
#include "http/sse.h"
#include "tap.h"

static double clock_now;

static double fake_clock(void *ctx)
{
	(void)ctx;
	return clock_now;
}

struct owner {
	int heads, opens, deltas;
	size_t last_len;
};

static void head(void *ctx, struct req *r)
{
	struct owner *o = ctx;

	o->heads++;
	resp_header(r, "X-Late", "set-at-open");
}

static void opened(void *ctx, struct sse *s)
{
	struct owner *o = ctx;

	o->opens++;
	(void)sse_event(s, NULL, NULL, "first", 5);
}

static void delta(void *ctx, struct sse *s, const char *text, size_t len)
{
	struct owner *o = ctx;
	char ev[256];
	int n = snprintf(ev, sizeof(ev), "D:%.*s", (int)len, text);

	o->deltas++;
	o->last_len = len;
	if(n < 0 || (size_t)n >= sizeof(ev))
		n = (int)sizeof(ev) - 1; /* the big delta: only its start is shown */
	(void)sse_event(s, NULL, NULL, ev, (size_t)n);
}

static const struct sse_ops ops = { head, opened, delta };

/* Output written since mark (and move mark to the end). */
static const char *since(struct hio *io, size_t *mark)
{
	static char copy[4096];
	size_t len;
	const char *out = hio_mem_output(io, &len);

	snprintf(copy, sizeof(copy), "%.*s", (int)(len - *mark), out + *mark);
	*mark = len;
	return copy;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for(const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

int main(void)
{
	char *env[] = { "REQUEST_METHOD=POST", "PATH_INFO=/v1/x", NULL };
	struct hio io;
	struct req r;
	struct sse s;
	struct owner own = { 0 };
	volatile sig_atomic_t stop = 0;
	size_t mark = 0;
	const char *out;

	hio_init_mem(&io, env, NULL, 0, 1 << 20);
	req_init(&r);
	ok(req_begin(&r, &io, REQ_BODY_MAX) == HERR_OK, "request begins");
	clock_now = 100.0;
	sse_init(&s, &r, 202, &ops, &own, &stop);
	sse_set_clock(&s, fake_clock, NULL);

	/* Deferred head: nothing until the first event; ticks before the
	 * keepalive time write nothing either. */
	clock_now = 100.3;
	sse_tick(&s);
	is_str(since(&io, &mark), "", "nothing is written before the first event or keepalive");
	is_int(own.heads, 0, "the head callback has not run");

	/* The first delta goes at once, with the head (status argument, late
	 * header) and the opened callback's event before it. */
	sse_delta(&s, "a", 1);
	out = since(&io, &mark);
	ok(strncmp(out, "Status: 202 ", 12) == 0, "the head carries the given status");
	ok(strstr(out, "Content-Type: text/event-stream") != NULL, "event-stream content type");
	ok(strstr(out, "X-Late: set-at-open\r\n") != NULL, "a header queued by ops->head is sent");
	ok(strstr(out, "\r\n\r\ndata: first\n\ndata: D:a\n\n") != NULL,
	   "opened's event, then the first delta at once");
	is_int(own.heads * 10 + own.opens, 11, "head and opened ran once each");

	/* Batching: deltas within 50 ms wait; the window's end sends them as one. */
	clock_now = 100.31;
	sse_delta(&s, "b", 1);
	clock_now = 100.32;
	sse_delta(&s, "c", 1);
	clock_now = 100.34;
	sse_tick(&s);
	is_str(since(&io, &mark), "", "deltas inside the 50 ms window wait");
	clock_now = 100.36;
	sse_tick(&s);
	is_str(since(&io, &mark), "data: D:bc\n\n", "the window's end sends them as one delta");
	clock_now = 100.37;
	sse_delta(&s, "d", 1);
	clock_now = 100.45;
	sse_delta(&s, "e", 1);
	is_str(since(&io, &mark), "data: D:de\n\n", "a delta after the window flushes what waited");

	/* Another event flushes pending deltas first, so the order holds. */
	clock_now = 100.46;
	sse_delta(&s, "f", 1);
	(void)sse_event(&s, NULL, "tool", "{}", 2);
	is_str(since(&io, &mark), "data: D:f\n\nevent: tool\ndata: {}\n\n",
	       "an event sends the waiting delta first");

	/* id lines and multi-line data. */
	(void)sse_event(&s, "42", "response.output_text.delta", "x", 1);
	is_str(since(&io, &mark), "id: 42\nevent: response.output_text.delta\ndata: x\n\n",
	       "id, event and data lines");
	(void)sse_event(&s, "bad\nid", NULL, "y", 1);
	is_str(since(&io, &mark), "data: y\n\n", "an id with a line break is left out");
	(void)sse_event(&s, NULL, NULL, "one\ntwo\r\nthree\rfour", 19);
	is_str(since(&io, &mark), "data: one\ndata: two\ndata: three\ndata: four\n\n",
	       "each line of the data is its own data line");
	(void)sse_event(&s, NULL, NULL, "end\n", 4);
	is_str(since(&io, &mark), "data: end\ndata: \n\n", "a trailing newline is an empty data line");

	/* Keepalive on silence. */
	clock_now = 100.9;
	sse_tick(&s);
	is_str(since(&io, &mark), "", "no keepalive before 0.5 s of silence");
	clock_now = 101.0;
	sse_tick(&s);
	is_str(since(&io, &mark), ": keepalive\n\n", "a comment after 0.5 s of silence");

	/* Client gone: the next write fails, the stop flag is set, and the
	 * stream writes nothing more. */
	ok(!stop && !sse_gone(&s), "not gone yet");
	io.failed = true;
	clock_now = 101.6;
	sse_tick(&s);
	ok(sse_gone(&s) && stop == 1, "a failed keepalive marks the client gone and sets stop");
	is_int(sse_event(&s, NULL, NULL, "z", 1), HERR_IO, "later events fail at once");
	sse_delta(&s, "g", 1);
	sse_flush(&s);
	is_int(own.deltas, 4, "no delta is formatted for a gone client");
	sse_release(&s);
	req_reset(&r);
	hio_release(&io);

	/* A keepalive opens a stream that has sent nothing (deferred head). */
	hio_init_mem(&io, env, NULL, 0, 1 << 20);
	ok(req_begin(&r, &io, REQ_BODY_MAX) == HERR_OK, "second request begins");
	mark = 0;
	memset(&own, 0, sizeof(own));
	clock_now = 200.0;
	sse_init(&s, &r, 200, &ops, &own, NULL);
	sse_set_clock(&s, fake_clock, NULL);
	clock_now = 200.5;
	sse_tick(&s);
	out = since(&io, &mark);
	ok(strncmp(out, "Status: 200 ", 12) == 0 && strstr(out, "data: first\n\n: keepalive\n\n"),
	   "the first keepalive sends the head, opened's event and the comment");
	is_int(count(out, "Status:"), 1, "one head");
	sse_release(&s);
	req_reset(&r);
	hio_release(&io);

	/* A delta past the pending cap (8 MiB) sends what waited, then what
	 * fits of it, cut at a character: text is never dropped whole. */
	hio_init_mem(&io, env, NULL, 0, 1 << 20);
	ok(req_begin(&r, &io, REQ_BODY_MAX) == HERR_OK, "third request begins");
	memset(&own, 0, sizeof(own));
	clock_now = 300.0;
	sse_init(&s, &r, 200, &ops, &own, NULL);
	sse_set_clock(&s, fake_clock, NULL);
	sse_delta(&s, "x", 1);
	clock_now = 300.01;
	sse_delta(&s, "yz", 2);
	{
		size_t big = 8u * 1024 * 1024 + 2;
		char *p = malloc(big);

		memset(p, 'b', big);
		memcpy(p + big - 4, "\xE2\x82\xAC", 3); /* a 3-byte character across the cap */
		sse_delta(&s, p, big);
		free(p);
	}
	clock_now = 300.1;
	sse_tick(&s);
	is_int(own.deltas, 3, "first delta, the waiting one, then the big one");
	is_int(own.last_len, 8u * 1024 * 1024 - 2, "the big delta is cut at the cap, before the character");
	sse_release(&s);
	req_release(&r);
	hio_release(&io);
	return tap_done();
}
