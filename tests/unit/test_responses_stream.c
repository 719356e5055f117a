/* tests/unit/test_responses_stream.c: the Responses stream sink
 * (api/responses_stream.c) through the memory hio with a fake clock. The
 * written stream is parsed back and checked for the event sequence of
 * openai-wire §6.5: created and in_progress first, the item and part
 * announced before any delta, consistent item_id/output_index/
 * content_index, "event:" equal to the data's type, sequence numbers
 * 0, 1, 2, ..., deltas batched and adding up to output_text.done, exactly
 * one terminal event carrying the final object; tool progress only when
 * asked for; a departed client sets the interrupt. */
#include "config.h"

#include <json-c/json.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "api/response_obj.h"
#include "api/responses_stream.h"
#include "http/hio.h"
#include "http/req.h"
#include "util/jsonx.h"
#include "tap.h"

static double clock_now;

static double fake_clock(void *ctx)
{
	(void)ctx;
	return clock_now;
}

#define MAX_EVENTS 64

struct parsed {
	int n;
	char names[MAX_EVENTS][64];
	struct json_object *data[MAX_EVENTS];
};

/* Split the body of the written stream into events. */
static void parse_stream(const char *out, size_t len, struct parsed *p)
{
	const char *body = strstr(out, "\r\n\r\n"), *end = out + len;

	memset(p, 0, sizeof(*p));
	for(const char *q = body ? body + 4 : end; q < end && p->n < MAX_EVENTS;) {
		const char *stop = strstr(q, "\n\n");
		const char *ev, *data;

		if(!stop)
			break;
		if(*q == ':') { /* a comment */
			q = stop + 2;
			continue;
		}
		ev = strstr(q, "event: ");
		data = strstr(q, "data: ");
		if(ev && ev < stop) {
			const char *nl = strchr(ev, '\n');

			snprintf(p->names[p->n], sizeof(p->names[0]), "%.*s", (int)(nl - ev - 7), ev + 7);
		}
		if(data && data < stop) {
			char *copy = strndup(data + 6, (size_t)(stop - data - 6));

			p->data[p->n] = json_tokener_parse(copy);
			free(copy);
		}
		p->n++;
		q = stop + 2;
	}
}

static void parsed_release(struct parsed *p)
{
	for(int i = 0; i < p->n; i++)
		json_object_put(p->data[i]);
}

static const char *type_of(struct parsed *p, int i)
{
	const char *t = jsonx_get_str(p->data[i], "type");

	return t ? t : "";
}

static void send_ev(struct resp_stream *rs, enum agent_event_type type, const char *text)
{
	struct agent_event e = { .type = type, .text = text, .len = text ? strlen(text) : 0 };

	rs->sink.emit(rs->sink.ctx, &e);
}

static struct json_object *snapshot(void)
{
	struct resp_meta m = { .id = "resp_s", .model = "hermes-agent", .truncation = "disabled",
			       .created_at = 1, .store = true, .parallel_tool_calls = true };

	return resp_obj_new(&m);
}

/* Check the invariants of a parsed stream; returns the index of the
 * terminal event, or -1. */
static int check_invariants(struct parsed *p, const char *want_text)
{
	int terminal = -1, deltas = 0, seq_ok = 1, names_ok = 1, index = -1;
	const char *item = NULL;
	char text[512] = "";

	is_str(type_of(p, 0), "response.created", "the first event is response.created");
	is_str(type_of(p, 1), "response.in_progress", "then response.in_progress");
	for(int i = 0; i < p->n; i++) {
		const char *t = type_of(p, i);
		struct json_object *d = p->data[i], *v;

		if(!json_object_object_get_ex(d, "sequence_number", &v) || json_object_get_int(v) != i)
			seq_ok = 0;
		if(strcmp(p->names[i], t))
			names_ok = 0;
		if(!strcmp(t, "response.output_item.added") &&
		   !strcmp(jsonx_get_str(json_object_object_get(d, "item"), "type"), "message")) {
			item = jsonx_get_str(json_object_object_get(d, "item"), "id");
			index = json_object_get_int(json_object_object_get(d, "output_index"));
		}
		if(!strcmp(t, "response.output_text.delta")) {
			ok(item && !strcmp(jsonx_get_str(d, "item_id"), item) &&
			   json_object_get_int(json_object_object_get(d, "output_index")) == index &&
			   json_object_get_int(json_object_object_get(d, "content_index")) == 0,
			   "delta %d refers to the announced item and part", deltas);
			strncat(text, jsonx_get_str(d, "delta"), sizeof(text) - strlen(text) - 1);
			deltas++;
		}
		if(!strcmp(t, "response.output_text.done"))
			is_str(jsonx_get_str(d, "text"), text, "output_text.done is the deltas joined");
		if(!strcmp(t, "response.completed") || !strcmp(t, "response.incomplete") ||
		   !strcmp(t, "response.failed")) {
			ok(terminal < 0, "only one terminal event");
			terminal = i;
		}
	}
	ok(seq_ok, "sequence numbers are 0, 1, 2, ... in write order");
	ok(names_ok, "every event line names the data's type");
	is_str(text, want_text, "the deltas carry the whole text");
	is_int(terminal, p->n - 1, "the terminal event is the last");
	return terminal;
}

static void text_turn(void)
{
	char *env[] = { "REQUEST_METHOD=POST", "PATH_INFO=/v1/responses", NULL };
	struct hio io;
	struct req r;
	struct resp_stream rs;
	struct json_object *snap = snapshot();
	struct agent_result res;
	volatile sig_atomic_t stop = 0;
	struct parsed p;
	const char *out, *status;
	size_t len;
	int term;
	static const char *const order[] = {
		"response.created", "response.in_progress", "response.output_item.added",
		"response.content_part.added", "response.output_text.delta",
		"response.output_text.delta", "response.output_text.done", "response.content_part.done",
		"response.output_item.done", "response.completed", NULL
	};

	hio_init_mem(&io, env, NULL, 0, 1 << 20);
	req_init(&r);
	ok(req_begin(&r, &io, REQ_BODY_MAX) == HERR_OK, "request begins");
	clock_now = 10.0;
	resp_stream_init(&rs, &r, snap, "sess", "", &stop);
	sse_set_clock(&rs.sse, fake_clock, NULL);
	agent_result_init(&res);
	send_ev(&rs, AGENT_EV_MESSAGE_START, NULL);
	send_ev(&rs, AGENT_EV_TEXT, "Hi ");      /* the first delta goes at once */
	clock_now = 10.01;
	send_ev(&rs, AGENT_EV_TEXT, "the");      /* these two are batched */
	send_ev(&rs, AGENT_EV_TEXT, "re!");
	send_ev(&rs, AGENT_EV_MESSAGE_END, "Hi there!");
	resp_stream_close(&rs);
	res.status = AGENT_COMPLETED;
	status = resp_obj_finish(snap, &rs.out, &res, sse_gone(&rs.sse));
	resp_stream_finish(&rs, snap, status);
	out = hio_mem_output(&io, &len);
	ok(strstr(out, "X-Hermes-Session-Id: sess\r\n") != NULL, "the session header goes out");
	parse_stream(out, len, &p);
	is_int(p.n, 10, "ten events");
	for(int i = 0; order[i]; i++)
		is_str(type_of(&p, i), order[i], order[i]);
	term = check_invariants(&p, "Hi there!");
	ok(term >= 0 && json_object_equal(json_object_object_get(p.data[term], "response"), snap),
	   "the terminal event carries the final object");
	is_str(jsonx_get_str(json_object_object_get(p.data[term], "response"), "status"), "completed",
	       "status completed");
	ok(!json_object_array_length(json_object_object_get(json_object_object_get(p.data[0],
		"response"), "output")), "response.created has output []");
	ok(!stop, "the interrupt is not set");
	parsed_release(&p);
	resp_stream_release(&rs);
	agent_result_release(&res);
	json_object_put(snap);
	req_release(&r);
	hio_release(&io);
}

/* Tool progress: nothing by default, an event when asked; a failure. */
static void tools_and_failure(bool named)
{
	char *env[] = { "REQUEST_METHOD=POST", "PATH_INFO=/v1/responses", NULL };
	struct hio io;
	struct req r;
	struct resp_stream rs;
	struct json_object *snap = snapshot();
	struct agent_result res;
	struct agent_event tool = { .type = AGENT_EV_TOOL_STARTED, .call_id = "call_1",
				    .tool = "terminal", .preview = "ls", .arguments = "{}" };
	struct parsed p;
	const char *out, *status;
	size_t len;
	int progress = 0, term;

	hio_init_mem(&io, env, NULL, 0, 1 << 20);
	req_init(&r);
	ok(req_begin(&r, &io, REQ_BODY_MAX) == HERR_OK, "request begins");
	clock_now = 20.0;
	resp_stream_init(&rs, &r, snap, "sess", "", NULL);
	sse_set_clock(&rs.sse, fake_clock, NULL);
	rs.named_events = named;
	agent_result_init(&res);
	send_ev(&rs, AGENT_EV_MESSAGE_START, NULL);
	send_ev(&rs, AGENT_EV_MESSAGE_END, "");
	rs.sink.emit(rs.sink.ctx, &tool);
	send_ev(&rs, AGENT_EV_MESSAGE_START, NULL);
	send_ev(&rs, AGENT_EV_REASONING, "hmm");
	send_ev(&rs, AGENT_EV_TEXT, "partial");
	send_ev(&rs, AGENT_EV_MESSAGE_END, "partial"); /* the upstream broke off */
	resp_stream_close(&rs);
	res.status = AGENT_FAILED;
	herr_set(&res.error, HERR_UPSTREAM, "upstream_unavailable", NULL, "gone");
	status = resp_obj_finish(snap, &rs.out, &res, false);
	resp_stream_finish(&rs, snap, status);
	out = hio_mem_output(&io, &len);
	parse_stream(out, len, &p);
	for(int i = 0; i < p.n; i++)
		progress += !strcmp(type_of(&p, i), "hermes.tool.progress");
	is_int(progress, named ? 1 : 0, named ? "a progress event when asked for"
					       : "no progress event unless asked for");
	is_str(type_of(&p, 2 + progress), "response.output_item.added", "the reasoning item is announced");
	is_str(jsonx_get_str(json_object_object_get(p.data[2 + progress], "item"), "type"), "reasoning",
	       "as a reasoning item at output 0");
	is_str(type_of(&p, 3 + progress), "response.output_item.done",
	       "and done when the message text starts");
	is_int(json_object_get_int(json_object_object_get(p.data[4 + progress], "output_index")), 1,
	       "the message is output 1");
	term = check_invariants(&p, "partial");
	is_str(type_of(&p, term), "response.failed", "an upstream failure ends with response.failed");
	is_str(jsonx_get_str(json_object_object_get(json_object_object_get(p.data[term], "response"),
						    "error"), "code"), "upstream_unavailable",
	       "carrying error.code");
	parsed_release(&p);
	resp_stream_release(&rs);
	agent_result_release(&res);
	json_object_put(snap);
	req_release(&r);
	hio_release(&io);
}

/* A client that left: the write fails, the interrupt is set. */
static void gone(void)
{
	char *env[] = { "REQUEST_METHOD=POST", "PATH_INFO=/v1/responses", NULL };
	struct hio io;
	struct req r;
	struct resp_stream rs;
	struct json_object *snap = snapshot();
	volatile sig_atomic_t stop = 0;
	char big[4096];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	hio_init_mem(&io, env, NULL, 0, 2048);
	req_init(&r);
	ok(req_begin(&r, &io, REQ_BODY_MAX) == HERR_OK, "request begins");
	clock_now = 30.0;
	resp_stream_init(&rs, &r, snap, "sess", "", &stop);
	sse_set_clock(&rs.sse, fake_clock, NULL);
	send_ev(&rs, AGENT_EV_TEXT, big);
	ok(sse_gone(&rs.sse), "a failed write marks the client gone");
	is_int(stop, AGENT_STOP, "and interrupts the turn");
	resp_stream_release(&rs);
	json_object_put(snap);
	req_release(&r);
	hio_release(&io);
}

int main(void)
{
	text_turn();
	tools_and_failure(false);
	tools_and_failure(true);
	gone();
	return tap_done();
}
