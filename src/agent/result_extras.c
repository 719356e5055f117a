/* src/agent/result_extras.c: the wire reading of an agent result.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "agent/result_extras.h"

#include <json-c/json.h>
#include <string.h>

#include "agent/agent.h"
#include "util/jsonx.h"

bool agent_result_shutdown(const struct agent_result *res)
{
	return res->status == AGENT_INTERRUPTED && res->error.rc == HERR_UNAVAILABLE &&
	       strcmp(res->error.code, "server_shutdown") == 0;
}

struct json_object *agent_result_extras(const struct agent_result *res)
{
	struct json_object *h = json_object_new_object();

	jsonx_add_bool(h, "completed", res->status == AGENT_COMPLETED);
	jsonx_add_bool(h, "partial", res->status == AGENT_PARTIAL);
	jsonx_add_str(h, "status", agent_status_name(res->status));
	jsonx_add_str(h, "error", res->error.msg[0] && res->status != AGENT_COMPLETED ? res->error.msg
										      : NULL);
	if(res->persist_failures) {
		struct json_object *w = json_object_new_array();

		json_object_array_add(w, json_object_new_string(res->persist_error.msg));
		jsonx_add_owned(h, "warnings", w);
	}
	return h;
}

bool agent_result_needs_extras(const struct agent_result *res)
{
	return res->status != AGENT_COMPLETED || res->persist_failures > 0;
}
