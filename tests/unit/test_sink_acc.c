/* tests/unit/test_sink_acc.c: the accumulator sink gathers text and tool
 * activity from agent events. */
#include "config.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "agent/sink_acc.h"
#include "tap.h"
#include "util/jsonx.h"

int main(void)
{
	struct agent_acc a;
	struct agent_event ev;
	struct json_object *t;

	agent_acc_init(&a);
	memset(&ev, 0, sizeof(ev));
	ev.type = AGENT_EV_TEXT;
	ev.text = "Hel";
	ev.len = 3;
	agent_emit(&a.sink, &ev);
	ev.text = "lo";
	ev.len = 2;
	agent_emit(&a.sink, &ev);
	ev.type = AGENT_EV_REASONING;
	ev.text = "thinking";
	ev.len = 8;
	agent_emit(&a.sink, &ev);
	is_str(buf_str(&a.text), "Hello", "text deltas concatenate; reasoning is not text");

	memset(&ev, 0, sizeof(ev));
	ev.type = AGENT_EV_TOOL_STARTED;
	ev.call_id = "c1";
	ev.tool = "memory";
	ev.arguments = "{\"action\":\"read\"}";
	agent_emit(&a.sink, &ev);
	ev.type = AGENT_EV_TOOL_FINISHED;
	ev.is_error = true;
	ev.text = "Error: nope";
	agent_emit(&a.sink, &ev);
	is_int(json_object_array_length(a.tools), 1, "one tool call recorded");
	t = json_object_array_get_idx(a.tools, 0);
	is_str(jsonx_get_str(t, "tool"), "memory", "tool name");
	is_str(jsonx_get_str(t, "arguments"), "{\"action\":\"read\"}", "arguments");
	is_str(jsonx_get_str(t, "result"), "Error: nope", "result attached to its call");
	ok(json_object_get_boolean(json_object_object_get(t, "is_error")), "error flag");

	ev.type = AGENT_EV_SESSION_ROTATED;
	agent_emit(&a.sink, &ev);
	is_int(a.rotations, 1, "rotation counted");
	agent_emit(NULL, &ev); /* a NULL sink is allowed */

	memset(&ev, 0, sizeof(ev));
	ev.type = AGENT_EV_APPROVAL_ANSWER;
	ev.call_id = "c1";
	ev.tool = "terminal";
	ev.rule = "rm-root";
	ev.approved = false;
	agent_emit(&a.sink, &ev);
	t = json_object_object_get(json_object_array_get_idx(a.tools, 0), "approval");
	ok(t && !strcmp(jsonx_get_str(t, "rule"), "rm-root") &&
	   !json_object_get_boolean(json_object_object_get(t, "approved")),
	   "an approval answer is recorded with its call");
	ev.type = AGENT_EV_MESSAGE_END;
	agent_emit(&a.sink, &ev);
	agent_emit(&a.sink, &ev);
	is_int(a.messages, 2, "assistant messages counted");
	agent_acc_release(&a);

	/* Past the 8 MiB cap the text keeps what fits, cut at a character
	 * (it used to be dropped whole). */
	{
		size_t cap = 8u * 1024 * 1024;
		char *big = malloc(cap + 1);

		agent_acc_init(&a);
		memset(big, 'a', cap - 1);
		memcpy(big + cap - 1, "\xC3\xA9", 2); /* é across the cap */
		memset(&ev, 0, sizeof(ev));
		ev.type = AGENT_EV_TEXT;
		ev.text = big;
		ev.len = cap + 1;
		agent_emit(&a.sink, &ev);
		is_int(buf_len(&a.text), cap - 1, "overlong text keeps what fits, not a split character");
		ok(a.truncated, "and is marked truncated");
		ev.len = 3;
		agent_emit(&a.sink, &ev);
		is_int(buf_len(&a.text), cap - 1, "later text is dropped");
		free(big);
		agent_acc_release(&a);
	}
	return tap_done();
}
