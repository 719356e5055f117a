/* src/api/session_msgs.c: GET /api/sessions/{id}/messages and POST
 * /api/sessions/{id}/fork, and the client-safe message whitelist they and
 * the chat transcript share. SPEC: runs-discovery-security §2.9, §5.5
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/sessions.h"

#include <json-c/json.h>
#include <limits.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/history.h"
#include "api/fields.h"
#include "http/req.h"
#include "http/resp.h"
#include "http/route.h"
#include "store/store.h"
#include "util/jsonx.h"

/* The keys a client may see, in the order they are sent. */
static const char *const public_keys[] = {
	"id", "session_id", "role", "content", "tool_call_id", "tool_calls", "tool_name",
	"timestamp", "token_count", "finish_reason", "reasoning", "reasoning_content", NULL
};

struct json_object *api_session_message_public(struct json_object *row, const char *session_id)
{
	struct json_object *m = json_object_new_object(), *v;

	for(size_t i = 0; public_keys[i]; i++) {
		const char *k = public_keys[i];

		if(strcmp(k, "session_id") == 0 && session_id) {
			jsonx_add_str(m, k, session_id);
			continue;
		}
		if(!json_object_object_get_ex(row, k, &v) || (!v && strcmp(k, "content") != 0))
			continue;
		if(strcmp(k, "tool_calls") == 0 && json_object_is_type(v, json_type_string)) {
			/* Stored as JSON text: sent as the array it holds. */
			struct json_object *calls = json_tokener_parse(json_object_get_string(v));

			if(calls) {
				jsonx_add_owned(m, k, calls);
				continue;
			}
		}
		jsonx_add_owned(m, k, json_object_get(v));
	}
	return m;
}

/* GET /api/sessions/{id}/messages?limit=&after=: the session's messages in
 * order, read from its compression tip (reported as session_id). */
enum herr api_session_messages(void *vapp, struct req *r)
{
	struct store *s = api_sessions_store(vapp, r);
	const char *id = route_param(&r->params, "session_id");
	struct json_object *row = NULL, *rows = NULL, *data, *o;
	char tip[AGENT_SESSION_ID_MAX];
	long limit = API_MESSAGES_LIMIT_DEFAULT, after = 0;
	size_t n;
	enum herr rc;

	if(!s)
		return r->err.rc;
	if((rc = api_query_count(r, "limit", 1, API_MESSAGES_LIMIT_MAX, &limit)) ||
	   (rc = api_query_count(r, "after", 0, LONG_MAX, &after)))
		return rc;
	if((rc = store_session_get(s, id, &row, &r->err)))
		return rc;
	json_object_put(row);
	agent_history_tip(s, id, tip, sizeof(tip));
	if((rc = store_messages_page(s, tip, after, (int)limit + 1, &rows, &r->err)))
		return rc;
	n = json_object_array_length(rows);
	data = json_object_new_array();
	for(size_t i = 0; i < n && i < (size_t)limit; i++)
		json_object_array_add(data, api_session_message_public(json_object_array_get_idx(rows, i),
									tip));
	o = json_object_new_object();
	jsonx_add_str(o, "object", "list");
	jsonx_add_str(o, "session_id", tip);
	jsonx_add_bool(o, "has_more", n > (size_t)limit);
	if(n > (size_t)limit)
		jsonx_add_owned(o, "next_after", json_object_get(json_object_object_get(
			json_object_array_get_idx(rows, (size_t)limit - 1), "id")));
	else
		jsonx_add_owned(o, "next_after", NULL);
	jsonx_add_owned(o, "data", data);
	json_object_put(rows);
	rc = resp_json(r, 200, o);
	json_object_put(o);
	return rc;
}

/* POST /api/sessions/{id}/fork {message_id?, title?} → 201 the new
 * session, holding a copy of the history (up to message_id), its parent
 * the source. The two never share a row afterwards. */
enum herr api_session_fork(void *vapp, struct req *r)
{
	struct store *s = api_sessions_store(vapp, r);
	const char *id = route_param(&r->params, "session_id");
	struct store_session child = { 0 };
	struct json_object *row = NULL;
	struct api_fields f;
	char cid[AGENT_SESSION_ID_MAX];
	int64_t upto = 0, copied = 0;
	enum herr rc;

	if(!s)
		return r->err.rc;
	if((rc = api_sessions_body(r)))
		return rc;
	api_field_init(&f, r->json, NULL, &r->err);
	/* the title as POST /api/sessions and PATCH take it: one line */
	if((rc = api_field_int(&f, "message_id", 0, 1, INT64_MAX, &upto)) ||
	   (rc = api_session_text(r, "title", API_SESSION_TITLE_MAX, false, &child.title)))
		return rc;
	agent_new_session_id(cid, sizeof(cid));
	child.id = cid;
	if((rc = store_session_fork(s, id, &child, upto, &copied, &r->err)))
		return rc;
	if((rc = store_session_summary(s, cid, &row, &r->err)))
		return rc;
	api_session_public(row);
	jsonx_add_str(row, "forked_from", id);
	jsonx_add_int(row, "copied_messages", copied);
	rc = resp_json(r, 201, row);
	json_object_put(row);
	return rc;
}
