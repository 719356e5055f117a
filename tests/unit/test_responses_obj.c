/* tests/unit/test_responses_obj.c: the Response object builder
 * (api/response_obj.c): the snapshot's fields, output items gathered from
 * agent events, output_text, usage summed by the agent, the final status
 * for each way a turn ends, the 100 KB trim of tool arguments with its
 * marker, and the stored row versus the public object. */
#include "config.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/response_obj.h"
#include "util/jsonx.h"
#include "tap.h"

static struct json_object *snapshot(void)
{
	struct agent_resp_meta m = { .id = "resp_1", .model = "hermes-agent", .truncation = "disabled",
			       .created_at = 1767225600, .store = true, .parallel_tool_calls = true,
			       .previous_id = "resp_0", .conversation = "talk" };

	return agent_resp_obj_new(&m);
}

static const char *get(struct json_object *o, const char *path)
{
	static char out[256];
	struct json_object *v = NULL;

	if(json_pointer_get(o, path, &v))
		return "(absent)";
	snprintf(out, sizeof(out), "%s", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	return out;
}

static void ev(struct agent_resp_out *o, enum agent_event_type type, const char *text)
{
	struct agent_event e = { .type = type, .text = text, .len = text ? strlen(text) : 0 };

	agent_resp_out_feed(o, &e);
}

static void fields(void)
{
	struct json_object *o = snapshot();
	static const char *const required[] = {
		"/id", "/object", "/created_at", "/status", "/model", "/output", "/error",
		"/incomplete_details", "/instructions", "/metadata", "/parallel_tool_calls",
		"/temperature", "/top_p", "/tool_choice", "/tools", "/previous_response_id", "/usage",
		"/store", "/truncation", "/text/format/type", "/conversation/id", NULL
	};

	for(int i = 0; required[i]; i++)
		ok(strcmp(get(o, required[i]), "(absent)") != 0, "the snapshot has %s", required[i]);
	is_str(get(o, "/status"), "\"in_progress\"", "the snapshot is in_progress");
	is_str(get(o, "/output"), "[]", "with no output");
	is_str(get(o, "/usage"), "null", "and no usage");
	is_str(get(o, "/metadata"), "{}", "metadata defaults to {}");
	is_str(get(o, "/previous_response_id"), "\"resp_0\"", "previous_response_id echoed");
	json_object_put(o);
}

static void completed(void)
{
	struct json_object *o = snapshot(), *row, *pub, *items, *tr;
	struct agent_resp_out out;
	struct agent_result res;

	agent_result_init(&res);
	agent_resp_out_init(&out);
	ev(&out, AGENT_EV_MESSAGE_START, NULL);
	ev(&out, AGENT_EV_MESSAGE_END, "");  /* a tool-calling message without text */
	ev(&out, AGENT_EV_MESSAGE_START, NULL);
	ev(&out, AGENT_EV_TEXT, "Hi ");
	ev(&out, AGENT_EV_TEXT, "there!");
	ev(&out, AGENT_EV_MESSAGE_END, "Hi there!");
	res.status = AGENT_COMPLETED;
	res.input_tokens = 12 + 20;   /* two model calls, summed by the agent */
	res.output_tokens = 3 + 4;
	res.total_tokens = 39;
	snprintf(res.session_id, sizeof(res.session_id), "sess");
	is_str(agent_resp_obj_finish(o, &out, &res, false), "completed", "a completed turn");
	is_str(get(o, "/status"), "\"completed\"", "status completed");
	is_int(json_object_array_length(json_object_object_get(o, "output")), 1,
	       "one message item (the empty message has none)");
	ok(!strncmp(get(o, "/output/0/id"), "\"msg_", 5), "the item has a msg_ id");
	is_str(get(o, "/output/0/role"), "\"assistant\"", "role assistant");
	is_str(get(o, "/output/0/status"), "\"completed\"", "item completed");
	is_str(get(o, "/output/0/content/0/type"), "\"output_text\"", "an output_text part");
	is_str(get(o, "/output/0/content/0/text"), "\"Hi there!\"", "with the text");
	is_str(get(o, "/output/0/content/0/annotations"), "[]", "and annotations []");
	is_str(get(o, "/output_text"), "\"Hi there!\"", "output_text");
	is_str(get(o, "/usage/input_tokens"), "32", "input tokens summed");
	is_str(get(o, "/usage/output_tokens"), "7", "output tokens summed");
	is_str(get(o, "/usage/total_tokens"), "39", "total tokens");
	is_str(get(o, "/usage/input_tokens_details"), "{\"cached_tokens\":0}", "input details");
	is_str(get(o, "/usage/output_tokens_details"), "{\"reasoning_tokens\":0}", "output details");
	is_str(get(o, "/error"), "null", "error null");
	is_str(get(o, "/incomplete_details"), "null", "incomplete_details null");
	is_str(get(o, "/hermes/session_id"), "\"sess\"", "the session in the hermes member");

	items = json_object_new_array();
	tr = json_object_new_array();
	row = agent_resp_obj_stored(o, items, tr, "inst");
	ok(json_object_object_get_ex(row, "hermes_store", NULL), "the stored row has hermes_store");
	is_str(get(row, "/hermes_store/instructions"), "\"inst\"", "with the instructions");
	pub = agent_response_public(row);
	ok(!json_object_object_get_ex(pub, "hermes_store", NULL), "the public object has not");
	ok(json_object_equal(pub, o), "and equals the answered object");
	json_object_put(items);
	json_object_put(tr);
	json_object_put(pub);
	json_object_put(row);
	agent_resp_out_release(&out);
	agent_result_release(&res);
	json_object_put(o);
}

struct ending {
	enum agent_status status;
	enum herr rc;
	const char *code;
	bool gone;
	const char *want, *reason;
};

static const struct ending endings[] = {
	{ AGENT_PARTIAL, HERR_UPSTREAM, "length", false, "incomplete", "max_output_tokens" },
	{ AGENT_INTERRUPTED, HERR_UNAVAILABLE, "server_shutdown", false, "incomplete", "server_shutdown" },
	{ AGENT_INTERRUPTED, HERR_IO, "interrupted", true, "incomplete", "client_disconnected" },
	{ AGENT_INTERRUPTED, HERR_IO, "interrupted", false, "incomplete", "interrupted" },
	{ AGENT_PARTIAL, HERR_INTERNAL, "max_turns_reached", false, "incomplete", "interrupted" },
	{ AGENT_FAILED, HERR_UPSTREAM, "upstream_unavailable", false, "failed", NULL },
};

static void endings_map(void)
{
	for(size_t i = 0; i < sizeof(endings) / sizeof(endings[0]); i++) {
		const struct ending *e = &endings[i];
		struct json_object *o = snapshot();
		struct agent_resp_out out;
		struct agent_result res;
		char want[80];

		agent_result_init(&res);
		agent_resp_out_init(&out);
		ev(&out, AGENT_EV_TEXT, "part");   /* a message cut off: never closed */
		res.status = e->status;
		herr_set(&res.error, e->rc, e->code, NULL, "why %s", e->code);
		ok(!strcmp(agent_resp_obj_finish(o, &out, &res, e->gone), e->want), "%s/%s -> %s",
		   agent_status_name(e->status), e->code, e->want);
		is_str(get(o, "/output/0/status"), "\"incomplete\"", "the open item is incomplete");
		is_str(get(o, "/output_text"), "\"part\"", "and keeps its text");
		if(e->reason) {
			snprintf(want, sizeof(want), "\"%s\"", e->reason);
			ok(!strcmp(get(o, "/incomplete_details/reason"), want), "reason %s", e->reason);
			is_str(get(o, "/error"), "null", "no error");
		} else {
			snprintf(want, sizeof(want), "\"%s\"", e->code);
			is_str(get(o, "/error/code"), want, "error.code");
			is_str(get(o, "/error/message"), "\"why upstream_unavailable\"", "error.message");
		}
		agent_resp_out_release(&out);
		agent_result_release(&res);
		json_object_put(o);
	}
}

/* Reasoning the upstream sent becomes a reasoning item before the message. */
static void reasoning(void)
{
	struct json_object *o = snapshot();
	struct agent_resp_out out;
	struct agent_result res;

	agent_result_init(&res);
	res.status = AGENT_COMPLETED;
	agent_resp_out_init(&out);
	ev(&out, AGENT_EV_MESSAGE_START, NULL);
	ev(&out, AGENT_EV_REASONING, "think");
	ev(&out, AGENT_EV_REASONING, "ing");
	ev(&out, AGENT_EV_TEXT, "answer");
	ev(&out, AGENT_EV_MESSAGE_END, "answer");
	agent_resp_obj_finish(o, &out, &res, false);
	is_str(get(o, "/output/0/type"), "\"reasoning\"", "a reasoning item first");
	ok(!strncmp(get(o, "/output/0/id"), "\"rs_", 4), "with an rs_ id");
	is_str(get(o, "/output/0/summary"), "[{\"type\":\"summary_text\",\"text\":\"thinking\"}]",
	       "its summary holds the reasoning");
	is_str(get(o, "/output/1/type"), "\"message\"", "then the message");
	is_str(get(o, "/output_text"), "\"answer\"", "output_text has only the answer");
	agent_resp_out_release(&out);
	agent_result_release(&res);
	json_object_put(o);
}

static void trim(void)
{
	size_t big = 300 * 1024;
	char *args = malloc(big + 1);
	struct json_object *o = snapshot(), *v;
	struct agent_resp_out out;
	struct agent_result res;
	struct agent_event started = { .type = AGENT_EV_TOOL_STARTED, .call_id = "call_1",
				       .tool = "write_file" };
	struct agent_event finished = { .type = AGENT_EV_TOOL_FINISHED, .call_id = "call_1",
					.tool = "write_file", .text = "done", .len = 4 };
	const char *s;

	memset(args, 'a', big);
	memcpy(args + RESP_TRIM_BYTES - 1, "\xC3\xA9", 2); /* a character across the cut */
	args[big] = '\0';
	started.arguments = args;
	agent_result_init(&res);
	res.status = AGENT_COMPLETED;
	agent_resp_out_init(&out);
	agent_resp_out_feed(&out, &started);
	agent_resp_out_feed(&out, &finished);
	agent_resp_obj_finish(o, &out, &res, false);
	ok(json_pointer_get(o, "/hermes/tool_calls/0/arguments", &v) == 0, "the tool call is listed");
	s = json_object_get_string(v);
	ok(json_object_get_string_len(v) < (int)RESP_TRIM_BYTES + 100, "its arguments are cut to 100 KB (%d)",
	   json_object_get_string_len(v));
	ok(strstr(s, "[truncated by hermes: 102399 of 307200 bytes kept]") != NULL,
	   "with a marker that says how much");
	is_int((unsigned char)s[RESP_TRIM_BYTES - 2], 'a', "the cut does not split a character");
	is_str(get(o, "/hermes/tool_calls/0/output"), "\"done\"", "the result is kept");
	is_str(get(o, "/hermes/tool_calls/0/status"), "\"completed\"", "status completed");
	is_int(json_object_array_length(json_object_object_get(o, "output")), 0,
	       "no tool item in output (the AI SDK would take it for its own call)");
	v = agent_resp_trimmed_string("short", 5);
	is_str(json_object_get_string(v), "short", "short text is untouched");
	json_object_put(v);
	agent_resp_out_release(&out);
	agent_result_release(&res);
	json_object_put(o);
	free(args);
}

int main(void)
{
	fields();
	completed();
	endings_map();
	reasoning();
	trim();
	return tap_done();
}
