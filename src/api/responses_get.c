/* src/api/responses_get.c: stored responses read back and deleted.
 * SPEC: openai-wire §6.3; hermes-chat-responses "Response store"
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/responses_get.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "agent/response_obj.h"
#include "api/responses_bg.h"
#include "api/responses_page.h"
#include "http/query.h"
#include "http/req.h"
#include "http/resp.h"
#include "store/store.h"
#include "util/jsonx.h"
#include "util/log.h"

#define STORE_MEMBER "hermes_store"   /* the row's private member (issue 10 contract) */

static enum herr not_found(struct req *r, const char *id)
{
	/* id is echoed only when it passed api_id_valid (no control bytes,
	 * bounded); anything else is named generically. */
	if(!api_id_valid(id))
		return herr_set(&r->err, HERR_NOT_FOUND, "response_not_found", NULL,
				"Response not found.");
	return herr_set(&r->err, HERR_NOT_FOUND, "response_not_found", NULL,
			"Response %s not found.", id);
}

/* The {id} of the route (validated), or NULL after setting the 404. */
static const char *path_id(struct req *r)
{
	const char *id = route_param(&r->params, "id");

	if(!api_id_valid(id)) {
		(void)not_found(r, id);
		return NULL;
	}
	return id;
}

/* The stored row of id, parsed: *out is a new object (the caller puts it).
 * A row that is not a JSON object with that id is corrupt: deleted, 404. */
static enum herr load(struct app *app, struct req *r, const char *id, struct json_object **out)
{
	char *text = NULL;
	struct json_object *obj = NULL;
	struct herror perr;
	enum herr rc;

	*out = NULL;
	rc = store_response_get(app->store, id, &text, NULL, &r->err);
	if(rc)
		return rc;
	herr_clear(&perr);
	if(jsonx_parse(text, strlen(text), JSONX_STORED_DEPTH, &obj, &perr) ||
	   !json_object_is_type(obj, json_type_object) || !jsonx_get_str(obj, "id") ||
	   strcmp(jsonx_get_str(obj, "id"), id) != 0) {
		LOG_WARN("state.db: stored response %s is not a Response object; deleting it", id);
		json_object_put(obj);
		free(text);
		if(store_response_delete(app->store, id, &perr))
			LOG_WARN("state.db: could not delete response %s: %s", id, perr.msg);
		return not_found(r, id);
	}
	free(text);
	*out = obj;
	return HERR_OK;
}

static enum herr send_owned(struct req *r, struct json_object *obj)
{
	enum herr rc = resp_json(r, 200, obj);

	json_object_put(obj);
	return rc;
}

/* ?stream=true: the resumable event stream of a background response. */
static bool wants_stream(struct req *r)
{
	const struct query *q;
	const char *v;

	if(!strcmp(r->method, "HEAD") || req_query(r, &q))
		return false; /* HEAD, or a bad query string: answered as a plain GET */
	v = query_get(q, "stream");
	return v && (!strcmp(v, "true") || !strcmp(v, "1"));
}

enum herr api_responses_get(void *vapp, struct req *r)
{
	const char *id = path_id(r);
	struct json_object *obj, *pub;
	enum herr rc;

	if(!id)
		return r->err.rc;
	rc = load(vapp, r, id, &obj);
	if(rc)
		return rc;
	if(wants_stream(r)) {
		rc = api_resp_bg_resume(vapp, r, obj);
		json_object_put(obj);
		return rc;
	}
	api_resp_bg_settle(vapp, &obj, false); /* a background run that ended without it */
	pub = agent_response_public(obj);
	json_object_put(obj);
	return send_owned(r, pub);
}

enum herr api_responses_delete(void *vapp, struct req *r)
{
	struct app *app = vapp;
	const char *id = path_id(r);
	struct json_object *o;
	enum herr rc;

	if(!id)
		return r->err.rc;
	rc = store_response_delete(app->store, id, &r->err);
	if(rc == HERR_NOT_FOUND)
		return not_found(r, id);
	if(rc)
		return rc;
	o = json_object_new_object();
	jsonx_add_str(o, "id", id);
	jsonx_add_str(o, "object", "response.deleted");
	jsonx_add_bool(o, "deleted", 1);
	return send_owned(r, o);
}

enum herr api_responses_input_items(void *vapp, struct req *r)
{
	const char *id = path_id(r);
	const struct query *q;
	struct api_page_opts opts;
	struct json_object *obj, *store = NULL, *list;
	enum herr rc;

	if(!id)
		return r->err.rc;
	/* The query is checked before the store is touched. */
	if((rc = req_query(r, &q)) || (rc = api_page_opts_parse(q, &opts, &r->err)))
		return rc;
	rc = load(vapp, r, id, &obj);
	if(rc)
		return rc;
	json_object_object_get_ex(obj, STORE_MEMBER, &store);
	rc = api_page_list(store ? json_object_object_get(store, "input_items") : NULL, &opts,
			   &list, &r->err);
	json_object_put(obj);
	if(rc)
		return rc;
	return send_owned(r, list);
}
