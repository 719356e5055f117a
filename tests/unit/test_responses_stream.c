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
#include "agent/response_obj.h"
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

static void send_ev(struct api_resp_stream *rs, enum agent_event_type type, const char *text)
{
	struct agent_event e = { .type = type, .text = text, .len = text ? strlen(text) : 0 };

	rs->sink.emit(rs->sink.ctx, &e);
}

static struct json_object *snapshot(void)
{
	struct agent_resp_meta m = { .id = "resp_s", .model = "hermes-agent", .truncation = "disabled",
			       .created_at = 1, .store = true, .parallel_tool_calls = true };

	return agent_resp_obj_new(&m);
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

/* One stream on the memory hio. */
struct fixture {
	struct hio io;
	struct req r;
	struct api_resp_stream rs;
	struct json_object *snap;
	struct agent_result res;
	volatile sig_atomic_t stop;
	struct parsed p;
};

static char *env[] = { "REQUEST_METHOD=POST", "PATH_INFO=/v1/responses", NULL };

static void fx_begin(struct fixture *fx, size_t out_max, double t0)
{
	memset(fx, 0, sizeof(*fx));
	hio_init_mem(&fx->io, env, NULL, 0, out_max);
	req_init(&fx->r);
	ok(req_begin(&fx->r, &fx->io, REQ_BODY_MAX) == HERR_OK, "request begins");
	clock_now = t0;
	fx->snap = snapshot();
	api_resp_stream_init(&fx->rs, &fx->r, fx->snap, "sess", "", &fx->stop);
	sse_set_clock(&fx->rs.sse, fake_clock, NULL);
	agent_result_init(&fx->res);
}

/* End the turn as the handler does and parse what was written. */
static const char *fx_finish(struct fixture *fx)
{
	const char *status, *out;
	size_t len;

	api_resp_stream_close(&fx->rs);
	status = agent_resp_obj_finish(fx->snap, fx->rs.out, &fx->res, sse_gone(&fx->rs.sse));
	api_resp_stream_finish(&fx->rs, fx->snap, status);
	out = hio_mem_output(&fx->io, &len);
	parse_stream(out, len, &fx->p);
	return out;
}

static void fx_end(struct fixture *fx)
{
	parsed_release(&fx->p);
	api_resp_stream_release(&fx->rs);
	agent_result_release(&fx->res);
	json_object_put(fx->snap);
	req_release(&fx->r);
	hio_release(&fx->io);
}

static void text_turn(void)
{
	struct fixture fx;
	struct parsed *p = &fx.p;
	int term;
	static const char *const order[] = {
		"response.created", "response.in_progress", "response.output_item.added",
		"response.content_part.added", "response.output_text.delta",
		"response.output_text.delta", "response.output_text.done", "response.content_part.done",
		"response.output_item.done", "response.completed", NULL
	};

	fx_begin(&fx, 1 << 20, 10.0);
	send_ev(&fx.rs, AGENT_EV_MESSAGE_START, NULL);
	send_ev(&fx.rs, AGENT_EV_TEXT, "Hi ");      /* the first delta goes at once */
	clock_now = 10.01;
	send_ev(&fx.rs, AGENT_EV_TEXT, "the");      /* these two are batched */
	send_ev(&fx.rs, AGENT_EV_TEXT, "re!");
	send_ev(&fx.rs, AGENT_EV_MESSAGE_END, "Hi there!");
	fx.res.status = AGENT_COMPLETED;
	ok(strstr(fx_finish(&fx), "X-Hermes-Session-Id: sess\r\n") != NULL,
	   "the session header goes out");
	is_int(p->n, 10, "ten events");
	for(int i = 0; order[i]; i++)
		is_str(type_of(p, i), order[i], order[i]);
	term = check_invariants(p, "Hi there!");
	ok(term >= 0 && json_object_equal(json_object_object_get(p->data[term], "response"), fx.snap),
	   "the terminal event carries the final object");
	is_str(jsonx_get_str(json_object_object_get(p->data[term], "response"), "status"), "completed",
	       "status completed");
	ok(!json_object_array_length(json_object_object_get(json_object_object_get(p->data[0],
		"response"), "output")), "response.created has output []");
	ok(!fx.stop, "the interrupt is not set");
	fx_end(&fx);
}

/* Tool progress: nothing by default, an event when asked; reasoning; a
 * failure. */
static void tools_and_failure(bool named)
{
	struct fixture fx;
	struct parsed *p = &fx.p;
	struct agent_event tool = { .type = AGENT_EV_TOOL_STARTED, .call_id = "call_1",
				    .tool = "terminal", .preview = "ls", .arguments = "{}" };
	int progress = 0, term;

	fx_begin(&fx, 1 << 20, 20.0);
	fx.rs.named_events = named;
	send_ev(&fx.rs, AGENT_EV_MESSAGE_START, NULL);
	send_ev(&fx.rs, AGENT_EV_MESSAGE_END, "");
	fx.rs.sink.emit(fx.rs.sink.ctx, &tool);
	send_ev(&fx.rs, AGENT_EV_MESSAGE_START, NULL);
	send_ev(&fx.rs, AGENT_EV_REASONING, "hmm");
	send_ev(&fx.rs, AGENT_EV_TEXT, "partial");
	send_ev(&fx.rs, AGENT_EV_MESSAGE_END, "partial"); /* the upstream broke off */
	fx.res.status = AGENT_FAILED;
	herr_set(&fx.res.error, HERR_UPSTREAM, "upstream_unavailable", NULL, "gone");
	fx_finish(&fx);
	for(int i = 0; i < p->n; i++)
		progress += !strcmp(type_of(p, i), "hermes.tool.progress");
	is_int(progress, named ? 1 : 0, named ? "a progress event when asked for"
					       : "no progress event unless asked for");
	is_str(type_of(p, 2 + progress), "response.output_item.added", "the reasoning item is announced");
	is_str(jsonx_get_str(json_object_object_get(p->data[2 + progress], "item"), "type"), "reasoning",
	       "as a reasoning item at output 0");
	is_str(type_of(p, 3 + progress), "response.output_item.done",
	       "and done when the message text starts");
	is_int(json_object_get_int(json_object_object_get(p->data[4 + progress], "output_index")), 1,
	       "the message is output 1");
	term = check_invariants(p, "partial");
	is_str(type_of(p, term), "response.failed", "an upstream failure ends with response.failed");
	is_str(jsonx_get_str(json_object_object_get(json_object_object_get(p->data[term], "response"),
						    "error"), "code"), "upstream_unavailable",
	       "carrying error.code");
	fx_end(&fx);
}

/* A client that left: the write fails, the interrupt is set. */
static void gone(void)
{
	struct fixture fx;
	char big[4096];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	fx_begin(&fx, 2048, 30.0);
	send_ev(&fx.rs, AGENT_EV_TEXT, big);
	ok(sse_gone(&fx.rs.sse), "a failed write marks the client gone");
	is_int(fx.stop, AGENT_STOP, "and interrupts the turn");
	fx_end(&fx);
}

int main(void)
{
	text_turn();
	tools_and_failure(false);
	tools_and_failure(true);
	gone();
	return tap_done();
}
