/* src/agent/persist.c: saving a turn's messages.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "agent/persist.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "agent/content.h"
#include "store/store.h"
#include "util/jsonx.h"
#include "util/log.h"

#define PERSIST_TEXT_MAX (1u << 20)

void agent_persist_failed(struct agent_result *res, const char *what, const struct herror *err)
{
	LOG_WARN("session %s: %s not saved: %s", res->session_id, what, err->msg);
	if(!res->persist_failures++)
		herr_set(&res->persist_error, err->rc ? err->rc : HERR_INTERNAL, "persist_failed",
			 NULL, "The %s of this turn was not saved to session %s: %s", what,
			 res->session_id, err->msg);
}

enum herr agent_persist(const struct agent_opts *o, struct agent_result *res,
			const char *session_id, struct json_object *m)
{
	struct json_object *calls = json_object_object_get(m, "tool_calls");
	struct json_object *content = json_object_object_get(m, "content");
	struct store_message sm = { 0 };
	struct herror err;
	struct buf text;
	enum herr rc;

	if(!o->store)
		return HERR_OK;
	herr_clear(&err);
	buf_init(&text, PERSIST_TEXT_MAX);
	sm.session_id = session_id;
	sm.role = jsonx_get_str(m, "role");
	sm.content = jsonx_get_str(m, "content");
	if(json_object_is_type(content, json_type_array)) {
		/* Parts (images): keep the text and a summary, not the image data. */
		char summary[128];

		agent_content_summary(content, summary, sizeof(summary));
		if(!agent_content_text(content, &text) && !buf_addf(&text, "\n%s", summary))
			sm.content = buf_str(&text);
	}
	sm.tool_calls = calls ? json_object_to_json_string_ext(calls, JSON_C_TO_STRING_PLAIN) : NULL;
	sm.tool_call_id = jsonx_get_str(m, "tool_call_id");
	sm.tool_name = jsonx_get_str(m, "name");
	rc = store_message_add(o->store, &sm, NULL, &err);
	if(rc) {
		char what[48];

		snprintf(what, sizeof(what), "%s message", sm.role ? sm.role : "a");
		agent_persist_failed(res, what, &err);
	}
	buf_release(&text);
	return rc;
}
