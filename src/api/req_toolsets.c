/* src/api/req_toolsets.c: which server toolsets one request may use.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/client_tools.h"

#include <json-c/json.h>
#include <string.h>

#include "api/app.h"
#include "api/fields.h"
#include "http/req.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/str.h"

/* "hermes.toolsets": a comma list or an array of names, as one list. */
static enum herr body_spec(struct json_object *body, struct buf *spec, bool *given,
			   struct herror *err)
{
	struct json_object *h = NULL, *v = NULL;

	*given = false;
	if(!body || !json_object_object_get_ex(body, "hermes", &h) || !h)
		return HERR_OK;
	if(!json_object_is_type(h, json_type_object))
		return api_field_type_error(err, "hermes", "an object", h);
	if(!json_object_object_get_ex(h, "toolsets", &v) || !v)
		return HERR_OK;
	*given = true;
	if(json_object_is_type(v, json_type_string))
		return buf_adds(spec, json_object_get_string(v)) ? herr_set(err, HERR_BAD_REQUEST,
			"invalid_value", "hermes.toolsets", "'hermes.toolsets' is too long.") : HERR_OK;
	if(!json_object_is_type(v, json_type_array))
		return api_field_type_error(err, "hermes.toolsets", "an array of toolset names", v);
	for(size_t i = 0; i < json_object_array_length(v); i++) {
		struct json_object *it = json_object_array_get_idx(v, i);

		if(!json_object_is_type(it, json_type_string))
			return api_field_type_error(err, "hermes.toolsets", "an array of strings", it);
		if(buf_addf(spec, "%s%s", i ? "," : "", json_object_get_string(it)))
			return herr_set(err, HERR_BAD_REQUEST, "invalid_value", "hermes.toolsets",
					"'hermes.toolsets' is too long.");
	}
	if(!json_object_array_length(v))
		return buf_adds(spec, "none");
	return HERR_OK;
}

enum herr api_req_toolsets(const struct app *app, const struct req *r, struct json_object *body,
			   struct tool_narrow *n, struct herror *err)
{
	const char *hdr = req_header(r, "X-Hermes-Toolsets");
	const char *const *configured = app->tools.toolsets;
	struct buf spec;
	size_t len = 0;
	bool given;
	enum herr rc;

	tool_narrow_init(n);
	if(!app->cfg.server_tools) {
		tool_narrow_none(n);
		return HERR_OK;
	}
	if(hdr && (str_trim(hdr, strlen(hdr), &len), len) &&
	   (rc = tool_narrow_apply(n, configured, hdr, "X-Hermes-Toolsets", err)))
		return rc;
	buf_init(&spec, TOOL_NARROW_SPEC_MAX);
	rc = body_spec(body, &spec, &given, err);
	if(!rc && given)
		rc = tool_narrow_apply(n, configured, buf_str(&spec), "hermes.toolsets", err);
	buf_release(&spec);
	return rc;
}

void api_req_toolsets_put(const struct tool_narrow *n, struct json_object *req)
{
	struct buf ts;

	if(!n->set)
		return;
	buf_init(&ts, TOOL_NARROW_SPEC_MAX);
	if(!tool_narrow_text(n, NULL, &ts))
		jsonx_add_str(req, "toolsets", buf_str(&ts));
	buf_release(&ts);
}
