/* src/api/sessions.c: GET/POST /api/sessions and GET/PATCH/DELETE
 * /api/sessions/{id}.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/sessions.h"

#include <json-c/json.h>
#include <string.h>

#include "agent/agent.h"
#include "api/app.h"
#include "api/fields.h"
#include "http/query.h"
#include "http/req.h"
#include "http/resp.h"
#include "http/route.h"
#include "store/store.h"
#include "util/jsonx.h"
#include "util/str.h"

struct store *api_sessions_store(struct app *app, struct req *r)
{
	struct herror cause;
	struct store *s;

	herr_clear(&cause);
	s = api_app_store(app, &cause);
	if(!s)
		herr_set(&r->err, HERR_UNAVAILABLE, "session_db_unavailable", NULL,
			 "Session database unavailable: %s", cause.msg[0] ? cause.msg : "unknown cause");
	return s;
}

void api_session_public(struct json_object *row)
{
	struct json_object *v;

	jsonx_add_str(row, "object", "hermes.session");
	if(json_object_object_get_ex(row, "has_system_prompt", &v))
		jsonx_add_owned(row, "has_system_prompt",
				json_object_new_boolean(json_object_get_int(v) != 0));
}

enum herr api_query_count(struct req *r, const char *name, long min, long max, long *out)
{
	const struct query *q;
	const char *s;
	enum herr rc = req_query(r, &q);

	if(rc)
		return rc;
	s = query_get(q, name);
	if(s && !str_to_long(s, min, max, out))
		return herr_set(&r->err, HERR_BAD_REQUEST, "invalid_value", name,
				"%s must be an integer from %ld to %ld.", name, min, max);
	return HERR_OK;
}

enum herr api_sessions_body(struct req *r)
{
	if(r->json)
		return HERR_OK;
	if(r->has_body && r->content_length > 0)
		return req_read_json(r);
	r->json = json_object_new_object();
	return HERR_OK;
}

/* Send row (taken) with status. */
static enum herr send_row(struct req *r, int status, struct json_object *row)
{
	enum herr rc;

	api_session_public(row);
	rc = resp_json(r, status, row);
	json_object_put(row);
	return rc;
}

/* GET /api/sessions?limit=&offset=&cursor=&source= */
enum herr api_sessions_list(void *vapp, struct req *r)
{
	struct store *s = api_sessions_store(vapp, r);
	struct json_object *rows = NULL, *o;
	const struct query *q;
	const char *source, *cursor;
	long limit = API_SESSIONS_LIMIT_DEFAULT, offset = 0;
	bool more;
	size_t n;
	enum herr rc;

	if(!s)
		return r->err.rc;
	if((rc = req_query(r, &q)) ||
	   (rc = api_query_count(r, "limit", 1, API_SESSIONS_LIMIT_MAX, &limit)) ||
	   (rc = api_query_count(r, "offset", 0, 1000000000L, &offset)))
		return rc;
	source = query_get(q, "source");
	cursor = query_get(q, "cursor");
	if(cursor && !*cursor)
		cursor = NULL;
	/* One more than asked tells whether another page follows. */
	if((rc = store_session_page(s, source && *source ? source : NULL, (int)limit + 1, (int)offset,
				    cursor, &rows, &r->err)))
		return rc;
	n = json_object_array_length(rows);
	more = n > (size_t)limit;
	if(more)
		json_object_array_del_idx(rows, (size_t)limit, n - (size_t)limit);
	n = json_object_array_length(rows);
	for(size_t i = 0; i < n; i++)
		api_session_public(json_object_array_get_idx(rows, i));
	o = json_object_new_object();
	jsonx_add_str(o, "object", "list");
	jsonx_add_bool(o, "has_more", more);
	jsonx_add_str(o, "next_cursor",
		      more ? jsonx_get_str(json_object_array_get_idx(rows, n - 1), "id") : NULL);
	jsonx_add_int(o, "limit", limit);
	jsonx_add_int(o, "offset", offset);
	jsonx_add_owned(o, "data", rows);
	rc = resp_json(r, 200, o);
	json_object_put(o);
	return rc;
}

enum herr api_session_text(struct req *r, const char *key, size_t max, bool multiline,
			   const char **out)
{
	struct api_fields f;
	size_t len = 0;
	enum herr rc;

	api_field_init(&f, r->json, NULL, &r->err);
	if((rc = api_field_str(&f, key, 0, out, &len)) || !*out)
		return rc;
	if(len > max)
		return herr_set(&r->err, HERR_BAD_REQUEST, "string_above_max_length", key,
				"'%s' is longer than %zu bytes.", key, max);
	if(!multiline && str_has_ctl(*out, len))
		return herr_set(&r->err, HERR_BAD_REQUEST, "invalid_value", key,
				"'%s' must be one line of text.", key);
	return HERR_OK;
}

/* POST /api/sessions {title?, system_prompt?, model?} → 201 the summary. */
enum herr api_sessions_create(void *vapp, struct req *r)
{
	struct app *app = vapp;
	struct store *s = api_sessions_store(app, r);
	struct store_session ss = { .source = "api_server" };
	struct json_object *row = NULL;
	char id[AGENT_SESSION_ID_MAX];
	enum herr rc;

	if(!s)
		return r->err.rc;
	if((rc = api_sessions_body(r)) ||
	   (rc = api_session_text(r, "title", API_SESSION_TITLE_MAX, false, &ss.title)) ||
	   (rc = api_session_text(r, "system_prompt", 1u << 20, true, &ss.system_prompt)))
		return rc;
	if(!ss.system_prompt && (rc = api_session_text(r, "system_message", 1u << 20, true, &ss.system_prompt)))
		return rc;
	agent_new_session_id(id, sizeof(id));
	ss.id = id;
	ss.model = app->cfg.model;
	if((rc = store_session_create(s, &ss, &r->err)) ||
	   (rc = store_session_summary(s, id, &row, &r->err)))
		return rc;
	return send_row(r, 201, row);
}

enum herr api_session_get(void *vapp, struct req *r)
{
	struct store *s = api_sessions_store(vapp, r);
	struct json_object *row = NULL;
	enum herr rc;

	if(!s)
		return r->err.rc;
	if((rc = store_session_summary(s, route_param(&r->params, "session_id"), &row, &r->err)))
		return rc;
	return send_row(r, 200, row);
}

/* PATCH /api/sessions/{id} {title}: a string renames, null clears. */
enum herr api_session_update(void *vapp, struct req *r)
{
	struct store *s = api_sessions_store(vapp, r);
	const char *id = route_param(&r->params, "session_id"), *title = NULL;
	struct json_object *row = NULL;
	enum herr rc;

	if(!s)
		return r->err.rc;
	if(!json_object_object_get_ex(r->json, "title", NULL))
		return herr_set(&r->err, HERR_BAD_REQUEST, "missing_required_parameter", "title",
				"Missing required parameter: 'title'.");
	if((rc = api_session_text(r, "title", API_SESSION_TITLE_MAX, false, &title)) ||
	   (rc = store_session_set_title(s, id, title && *title ? title : NULL, &r->err)) ||
	   (rc = store_session_summary(s, id, &row, &r->err)))
		return rc;
	return send_row(r, 200, row);
}

/* DELETE /api/sessions/{id}: with its messages; 409 while a run uses it. */
enum herr api_session_delete(void *vapp, struct req *r)
{
	struct store *s = api_sessions_store(vapp, r);
	const char *id = route_param(&r->params, "session_id");
	struct json_object *o;
	int64_t n = 0;
	enum herr rc;

	if(!s)
		return r->err.rc;
	if((rc = store_session_remove(s, id, &n, &r->err)))
		return rc;
	o = json_object_new_object();
	jsonx_add_str(o, "object", "hermes.session.deleted");
	jsonx_add_str(o, "id", id);
	jsonx_add_bool(o, "deleted", 1);
	jsonx_add_int(o, "messages_deleted", n);
	rc = resp_json(r, 200, o);
	json_object_put(o);
	return rc;
}
