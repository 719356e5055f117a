/* tests/unit/test_responses_input.c: the POST /v1/responses body parser
 * (api/responses_input.c): string input, item lists (messages, merged
 * function calls, tool outputs, reasoning), every refusal with its code
 * and param, and previous_response_id / conversation / item_reference
 * resolved against a real temporary store. */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/responses_input.h"
#include "store/store.h"
#include "util/jsonx.h"
#include "tap.h"

static char home[200];

/* Parse text with store s; the error (if any) goes to err. */
static enum herr parse(const char *text, struct store *s, struct api_resp_in *in,
		       struct json_object **body, struct herror *err)
{
	*body = json_tokener_parse(text);
	herr_clear(err);
	return api_resp_in_parse(in, *body, s, err);
}

static void done(struct api_resp_in *in, struct json_object *body)
{
	api_resp_in_release(in);
	json_object_put(body);
}

/* Role and content text of history message i ("" for none). */
static const char *hist(struct api_resp_in *in, size_t i, const char *key)
{
	struct json_object *m = json_object_array_get_idx(in->history, i);
	const char *v = jsonx_get_str(m, key);

	return v ? v : "";
}

static void string_input(void)
{
	struct api_resp_in in;
	struct json_object *b;
	struct herror err;

	ok(parse("{\"input\":\"hello\",\"instructions\":\"Be brief\"}", NULL, &in, &b, &err) == HERR_OK,
	   "a string input parses");
	is_str(buf_str(&in.user_text), "hello", "it is the user turn");
	is_str(buf_str(&in.system), "Be brief", "instructions are the system prompt");
	is_int(json_object_array_length(in.history), 0, "no history");
	ok(in.store && !in.stream && in.parallel_tool_calls, "defaults: store, no stream, parallel");
	is_str(in.truncation, "disabled", "truncation defaults to disabled");
	is_int(json_object_array_length(in.items), 1, "one input item");
	ok(!strncmp(jsonx_get_str(json_object_array_get_idx(in.items, 0), "id"), "msg_", 4),
	   "the item got a msg_ id");
	done(&in, b);

	ok(parse("{\"input\":\"x\",\"temperature\":0.5,\"top_p\":1,\"max_output_tokens\":9,"
		 "\"store\":false,\"stream\":true,\"truncation\":\"auto\",\"metadata\":{\"k\":\"v\"},"
		 "\"include\":[],\"parallel_tool_calls\":false,\"tools\":[],\"model\":\"m\"}",
		 NULL, &in, &b, &err) == HERR_OK, "every accepted member parses");
	ok(in.temperature_set && in.temperature == 0.5 && in.top_p_set && in.max_output_tokens == 9,
	   "sampling settings are kept for the upstream");
	ok(!in.store && in.stream && !in.parallel_tool_calls, "store, stream, parallel_tool_calls read");
	is_str(in.truncation, "auto", "truncation auto");
	done(&in, b);
}

static void item_list(void)
{
	struct api_resp_in in;
	struct json_object *b, *calls;
	struct herror err;
	const char *text =
		"{\"input\":["
		"{\"role\":\"system\",\"content\":\"sys\"},"
		"{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"first\"}]},"
		"{\"type\":\"message\",\"role\":\"assistant\",\"id\":\"msg_a\","
		" \"content\":[{\"type\":\"output_text\",\"text\":\"let me look\"}]},"
		"{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\",\"arguments\":\"{}\"},"
		"{\"type\":\"function_call\",\"call_id\":\"c2\",\"name\":\"g\",\"arguments\":\"{\\\"a\\\":1}\"},"
		"{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"r1\"},"
		"{\"type\":\"function_call_output\",\"call_id\":\"c2\",\"output\":\"r2\"},"
		"{\"type\":\"reasoning\",\"summary\":[]},"
		"{\"role\":\"developer\",\"content\":\"dev\"},"
		"{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"second\"},"
		" {\"type\":\"input_image\",\"image_url\":\"https://x/y.png\"}]}],"
		"\"instructions\":\"inst\"}";

	ok(parse(text, NULL, &in, &b, &err) == HERR_OK, "an item list parses: %s", err.msg);
	is_str(buf_str(&in.system), "inst\n\nsys\n\ndev", "instructions, then system and developer items");
	is_int(json_object_array_length(in.history), 4, "history: user, assistant+calls, 2 tool msgs");
	is_str(hist(&in, 0, "content"), "first", "the first user turn, text joined");
	is_str(hist(&in, 1, "content"), "let me look", "the assistant's text");
	ok(json_object_object_get_ex(json_object_array_get_idx(in.history, 1), "tool_calls", &calls) &&
	   json_object_array_length(calls) == 2, "both function calls joined the assistant message");
	is_str(jsonx_get_str(json_object_object_get(json_object_array_get_idx(calls, 1), "function"),
			     "arguments"), "{\"a\":1}", "arguments kept");
	is_str(hist(&in, 2, "role"), "tool", "a function_call_output is a tool message");
	is_str(hist(&in, 3, "tool_call_id"), "c2", "with its call id");
	ok(json_object_is_type(in.user, json_type_array), "the new turn with an image is a parts list");
	is_str(buf_str(&in.user_text), "second", "its text");
	is_str(buf_str(&in.first_user), "first", "the first user text");
	is_int(json_object_array_length(in.items), 10, "every item is kept for input_items");
	is_str(jsonx_get_str(json_object_array_get_idx(in.items, 2), "id"), "msg_a",
	       "an item's own id is kept");
	ok(!strncmp(jsonx_get_str(json_object_array_get_idx(in.items, 3), "id"), "fc_", 3),
	   "a function_call gets an fc_ id");
	done(&in, b);

	/* A function_call with no assistant message before it opens one. */
	ok(parse("{\"input\":[{\"role\":\"user\",\"content\":\"u\"},"
		 "{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\",\"arguments\":\"{}\"},"
		 "{\"type\":\"function_call_output\",\"call_id\":\"c\",\"output\":\"r\"},"
		 "{\"role\":\"user\",\"content\":\"v\"}]}", NULL, &in, &b, &err) == HERR_OK,
	   "a bare function_call parses");
	is_str(hist(&in, 1, "role"), "assistant", "it becomes an assistant message");
	ok(json_object_object_get_ex(json_object_array_get_idx(in.history, 1), "tool_calls", &calls),
	   "with tool_calls");
	done(&in, b);
}

struct refusal {
	const char *body, *code, *param;
};

static const struct refusal refusals[] = {
	{ "{}", "missing_required_parameter", "input" },
	{ "{\"input\":null}", "missing_required_parameter", "input" },
	{ "{\"input\":5}", "invalid_type", "input" },
	{ "{\"input\":\" \\n\"}", "empty_message", "input" },
	{ "{\"input\":[]}", "empty_array", "input" },
	{ "{\"input\":[1]}", "missing_user_message", "input" },
	{ "{\"input\":[{\"role\":\"assistant\",\"content\":\"a\"}]}", "missing_user_message", "input" },
	{ "{\"input\":[{\"role\":\"user\",\"content\":\"a\"},2]}", "invalid_type", "input[1]" },
	{ "{\"input\":[{\"role\":\"robot\",\"content\":\"a\"},{\"role\":\"user\",\"content\":\"b\"}]}",
	  "invalid_value", "input[0].role" },
	{ "{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_id\":\"f\"}]}]}",
	  "unsupported_content_type", "input[0].content[0]" },
	{ "{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"a\"},"
	  "{\"type\":\"input_image\",\"image_url\":\"data:application/pdf;base64,AA==\"}]}]}",
	  "unsupported_content_type", "input[0].content[1]" },
	{ "{\"input\":[{\"role\":\"user\",\"content\":\"  \"}]}", "empty_message", "input[0].content" },
	{ "{\"input\":[{\"type\":\"mystery\"},{\"role\":\"user\",\"content\":\"b\"}]}", "invalid_value",
	  "input[0].type" },
	{ "{\"input\":[{\"type\":\"function_call\",\"name\":\"f\",\"arguments\":\"{}\"},"
	  "{\"role\":\"user\",\"content\":\"b\"}]}", "missing_required_parameter", "input[0].call_id" },
	{ "{\"input\":[{\"type\":\"function_call_output\",\"call_id\":\"c\",\"output\":5},"
	  "{\"role\":\"user\",\"content\":\"b\"}]}", "invalid_type", "input[0].output" },
	{ "{\"input\":[{\"type\":\"item_reference\"},{\"role\":\"user\",\"content\":\"b\"}]}",
	  "missing_required_parameter", "input[0].id" },
	{ "{\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_none\"},"
	  "{\"role\":\"user\",\"content\":\"b\"}]}", "item_not_found", "input[0].id" },
	{ "{\"input\":\"x\",\"previous_response_id\":\"resp_none\"}", "previous_response_not_found",
	  "previous_response_id" },
	{ "{\"input\":\"x\",\"previous_response_id\":\"resp_a\",\"conversation\":\"c\"}",
	  "conversation_conflict", "conversation" },
	{ "{\"input\":\"x\",\"previous_response_id\":7}", "invalid_type", "previous_response_id" },
	{ "{\"input\":\"x\",\"conversation\":7}", "invalid_type", "conversation" },
	{ "{\"input\":\"x\",\"conversation\":{}}", "missing_required_parameter", "conversation.id" },
	{ "{\"input\":\"x\",\"store\":\"yes\"}", "invalid_type", "store" },
	{ "{\"input\":\"x\",\"stream\":1}", "invalid_type", "stream" },
	{ "{\"input\":\"x\",\"instructions\":[]}", "invalid_type", "instructions" },
	{ "{\"input\":\"x\",\"metadata\":[]}", "invalid_type", "metadata" },
	{ "{\"input\":\"x\",\"metadata\":{\"k\":1}}", "invalid_type", "metadata.k" },
	{ "{\"input\":\"x\",\"truncation\":\"never\"}", "invalid_value", "truncation" },
	{ "{\"input\":\"x\",\"max_output_tokens\":0}", "integer_below_min_value", "max_output_tokens" },
	{ "{\"input\":\"x\",\"max_output_tokens\":1.5}", "invalid_type", "max_output_tokens" },
	{ "{\"input\":\"x\",\"temperature\":3}", "decimal_above_max_value", "temperature" },
	{ "{\"input\":\"x\",\"top_p\":\"1\"}", "invalid_type", "top_p" },
	{ "{\"input\":\"x\",\"include\":\"all\"}", "invalid_type", "include" },
	{ "{\"input\":\"x\",\"parallel_tool_calls\":\"no\"}", "invalid_type", "parallel_tool_calls" },
	{ "{\"input\":\"x\",\"model\":1}", "invalid_type", "model" },
};

static void refused(struct store *s)
{
	for(size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const struct refusal *t = &refusals[i];
		struct api_resp_in in;
		struct json_object *b;
		struct herror err;
		enum herr rc = parse(t->body, s, &in, &b, &err);

		ok(rc == HERR_BAD_REQUEST && !strcmp(err.code, t->code) && !strcmp(err.param, t->param),
		   "%s -> 400 %s at %s (got %d %s at %s)", t->body, t->code, t->param, (int)rc, err.code,
		   err.param);
		done(&in, b);
	}
}

/* A stored response as responses.c writes it. */
static void put_response(struct store *s, const char *id, const char *msg_id, const char *user,
			 const char *answer, const char *session)
{
	char json[1024];
	struct herror err;

	snprintf(json, sizeof(json),
		 "{\"id\":\"%s\",\"object\":\"response\",\"status\":\"completed\",\"output\":["
		 "{\"type\":\"message\",\"id\":\"%s\",\"role\":\"assistant\",\"status\":\"completed\","
		 "\"content\":[{\"type\":\"output_text\",\"text\":\"%s\",\"annotations\":[]}]}],"
		 "\"hermes_store\":{\"input_items\":[],\"instructions\":null,\"transcript\":["
		 "{\"role\":\"user\",\"content\":\"%s\"},{\"role\":\"assistant\",\"content\":\"%s\"}]}}",
		 id, msg_id, answer, user, answer);
	herr_clear(&err);
	ok(store_response_put(s, id, json, session, &err) == HERR_OK, "stored %s", id);
}

static void chained(struct store *s)
{
	struct api_resp_in in;
	struct json_object *b;
	struct herror err;

	put_response(s, "resp_one", "msg_one", "codeword X", "noted", "sess-1");
	ok(parse("{\"input\":\"what was it?\",\"previous_response_id\":\"resp_one\"}", s, &in, &b,
		 &err) == HERR_OK, "previous_response_id resolves");
	is_str(in.previous_id, "resp_one", "the previous id is kept");
	is_str(in.previous_session, "sess-1", "and its session");
	is_int(json_object_array_length(in.history), 2, "the stored transcript is the history");
	is_str(hist(&in, 0, "content"), "codeword X", "its user turn");
	is_str(hist(&in, 1, "content"), "noted", "its answer");
	done(&in, b);

	ok(parse("{\"input\":\"hi\",\"conversation\":\"fresh\"}", s, &in, &b, &err) == HERR_OK,
	   "an unknown conversation name starts a conversation");
	ok(!in.previous_id && !in.previous_session, "nothing to continue");
	is_str(in.conversation, "fresh", "the name is kept");
	done(&in, b);

	herr_clear(&err);
	ok(store_conversation_set(s, "talk", "resp_one", &err) == HERR_OK, "conversation set");
	ok(parse("{\"input\":\"next\",\"conversation\":{\"id\":\"talk\"}}", s, &in, &b, &err) ==
	   HERR_OK, "a conversation object resolves");
	is_str(in.previous_id, "resp_one", "to its newest response");
	is_int(json_object_array_length(in.history), 2, "whose transcript is the history");
	done(&in, b);

	/* The AI SDK's multi-turn input: earlier answers by reference. */
	ok(parse("{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\","
		 "\"text\":\"codeword X\"}]},{\"type\":\"item_reference\",\"id\":\"msg_one\"},"
		 "{\"role\":\"user\",\"content\":\"what?\"}]}", s, &in, &b, &err) == HERR_OK,
	   "an item_reference resolves: %s", err.msg);
	is_str(hist(&in, 1, "role"), "assistant", "to the stored assistant message");
	is_str(hist(&in, 1, "content"), "noted", "with its text");
	is_str(jsonx_get_str(json_object_array_get_idx(in.items, 1), "id"), "msg_one",
	       "input_items keeps the referenced item's id");
	done(&in, b);

	/* Instructions: kept from the previous response unless the turn gives its own. */
	herr_clear(&err);
	ok(store_response_put(s, "resp_inst", "{\"id\":\"resp_inst\",\"output\":[],\"hermes_store\":"
			      "{\"transcript\":[],\"instructions\":\"Be terse.\"}}", "sess-2", &err) ==
	   HERR_OK, "a response with instructions is stored");
	ok(parse("{\"input\":\"x\",\"previous_response_id\":\"resp_inst\"}", s, &in, &b, &err) ==
	   HERR_OK, "chained without instructions");
	is_str(buf_str(&in.system), "Be terse.", "the previous instructions apply");
	is_str(in.instructions, "Be terse.", "and are echoed");
	done(&in, b);
	ok(parse("{\"input\":\"x\",\"previous_response_id\":\"resp_inst\",\"instructions\":\"Be long.\"}",
		 s, &in, &b, &err) == HERR_OK, "chained with instructions");
	is_str(buf_str(&in.system), "Be long.", "the turn's own instructions win");
	done(&in, b);
	ok(parse("{\"input\":[{\"role\":\"system\",\"content\":\"Sys.\"},{\"role\":\"user\","
		 "\"content\":\"x\"}],\"previous_response_id\":\"resp_inst\"}", s, &in, &b, &err) ==
	   HERR_OK, "chained with a system item");
	is_str(buf_str(&in.system), "Sys.", "a system item replaces them too");
	ok(!in.instructions, "and nothing is echoed as instructions");
	done(&in, b);

	ok(parse("{\"input\":\"x\",\"previous_response_id\":\"resp_gone\"}", s, &in, &b, &err) ==
	   HERR_BAD_REQUEST && !strcmp(err.code, "previous_response_not_found"),
	   "an id the store does not hold is previous_response_not_found");
	done(&in, b);
}

static void truncation(void)
{
	struct api_resp_in in;
	struct json_object *b, *items = json_object_new_array(), *body = json_object_new_object();
	struct herror err;
	const char *text;

	for(int i = 0; i < 150; i++) {
		struct json_object *m = json_object_new_object();

		jsonx_add_str(m, "role", i % 2 ? "assistant" : "user");
		jsonx_add_str(m, "content", "t");
		json_object_array_add(items, m);
	}
	jsonx_add_owned(body, "input", items);
	jsonx_add_str(body, "truncation", "auto");
	text = jsonx_text(body, NULL);
	ok(parse(text, NULL, &in, &b, &err) == HERR_OK, "a long input parses");
	ok(json_object_array_length(in.history) <= RESP_HISTORY_AUTO_MAX &&
	   json_object_array_length(in.history) >= RESP_HISTORY_AUTO_MAX - 1,
	   "truncation auto keeps the newest %d messages (%zu)", RESP_HISTORY_AUTO_MAX,
	   json_object_array_length(in.history));
	is_str(hist(&in, 0, "role"), "user", "starting at a user message");
	done(&in, b);
	json_object_put(body);
}

int main(void)
{
	struct store_opts o = { 0 };
	struct store *s = NULL;
	struct herror err;
	char cmd[300];

	snprintf(home, sizeof(home), "%s/hermes-test-respin-%ld",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	o.home = home;
	herr_clear(&err);
	ok(store_open(&o, &s, &err) == HERR_OK, "a temp store opens: %s", err.msg);
	string_input();
	item_list();
	refused(s);
	chained(s);
	truncation();
	store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	if(system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", home);
	return tap_done();
}
