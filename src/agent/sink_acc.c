/* src/agent/sink_acc.c: the accumulator sink.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "agent/sink_acc.h"

#include <json-c/json.h>
#include <string.h>

#include "util/jsonx.h"
#include "util/log.h"

#define ACC_TEXT_MAX (8u * 1024 * 1024)

static struct json_object *find_call(struct agent_acc *a, const char *id)
{
	for(size_t i = json_object_array_length(a->tools); i-- > 0;) {
		struct json_object *t = json_object_array_get_idx(a->tools, i);
		const char *cid = jsonx_get_str(t, "call_id");

		if(cid && id && strcmp(cid, id) == 0)
			return t;
	}
	return NULL;
}

static void acc_emit(void *ctx, const struct agent_event *ev)
{
	struct agent_acc *a = ctx;
	struct json_object *t;

	switch(ev->type) {
	case AGENT_EV_TEXT:
		if(!a->truncated && buf_add_trunc(&a->text, ev->text, ev->len)) {
			LOG_WARN("answer text passed %u bytes; the rest is dropped", ACC_TEXT_MAX);
			a->truncated = true;
		}
		break;
	case AGENT_EV_TOOL_STARTED:
		t = json_object_new_object();
		jsonx_add_str(t, "call_id", ev->call_id);
		jsonx_add_str(t, "tool", ev->tool);
		jsonx_add_str(t, "arguments", ev->arguments);
		json_object_array_add(a->tools, t);
		break;
	case AGENT_EV_TOOL_FINISHED:
		t = find_call(a, ev->call_id);
		if(t) {
			jsonx_add_bool(t, "is_error", ev->is_error);
			jsonx_add_str(t, "result", ev->text);
		}
		break;
	case AGENT_EV_SESSION_ROTATED:
		a->rotations++;
		break;
	case AGENT_EV_MESSAGE_END:
		a->messages++;
		break;
	case AGENT_EV_APPROVAL_ANSWER:
		t = find_call(a, ev->call_id);
		if(t) {
			struct json_object *ap = json_object_new_object();

			jsonx_add_str(ap, "rule", ev->rule);
			jsonx_add_bool(ap, "approved", ev->approved);
			jsonx_add_owned(t, "approval", ap);
		}
		break;
	default:
		break;
	}
}

void agent_acc_init(struct agent_acc *a)
{
	memset(a, 0, sizeof(*a));
	buf_init(&a->text, ACC_TEXT_MAX);
	a->tools = json_object_new_array();
	a->sink.emit = acc_emit;
	a->sink.ctx = a;
}

void agent_acc_release(struct agent_acc *a)
{
	buf_release(&a->text);
	json_object_put(a->tools);
	a->tools = NULL;
}
