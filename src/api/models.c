/* src/api/models.c: listing the configured models and picking one.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/models.h"

#include <json-c/json.h>
#include <string.h>

#include "api/app.h"
#include "http/req.h"
#include "http/resp.h"
#include "util/cfg.h"
#include "util/jsonx.h"

const struct cfg_model *api_model_pick(struct app *app, const char *name, struct herror *err)
{
	const struct cfg_model *m = cfg_models_pick(&app->cfg.models, name, api_model_name(app));

	if(!m) {
		herr_set(err, HERR_NOT_FOUND, "model_not_found", "model",
			 "The model '%.200s' does not exist. GET /v1/models lists the models "
			 "this server offers.", name ? name : "");
		herr_set_status(err, 404, "invalid_request_error");
	}
	return m;
}

/* One entry's details for a picker. */
static struct json_object *option(const struct cfg_model *m, bool is_default)
{
	struct json_object *e = json_object_new_object();

	jsonx_add_str(e, "id", m->name);
	jsonx_add_str(e, "name", m->name);
	jsonx_add_owned(e, "upstream_model", m->model ? json_object_new_string(m->model) : NULL);
	jsonx_add_int(e, "context_length", m->context_length);
	jsonx_add_bool(e, "default", is_default);
	if(m->reasoning_effort)
		jsonx_add_str(e, "reasoning_effort", m->reasoning_effort);
	return e;
}

enum herr api_model_options(void *vapp, struct req *r)
{
	struct app *app = vapp;
	const struct cfg_models *ms = &app->cfg.models;
	struct json_object *o = json_object_new_object();
	struct json_object *names = json_object_new_array();
	struct json_object *details = json_object_new_array();
	struct json_object *prov = json_object_new_object();
	struct json_object *provs = json_object_new_array();
	const char *def = ms->n ? ms->v[ms->def].name : api_model_name(app);
	enum herr rc;

	for(size_t i = 0; i < ms->n; i++) {
		json_object_array_add(names, json_object_new_string(ms->v[i].name));
		json_object_array_add(details, option(&ms->v[i], i == ms->def));
	}
	jsonx_add_str(o, "object", "hermes.model_options");
	jsonx_add_str(o, "model", def);
	jsonx_add_str(o, "provider", "hermes");
	jsonx_add_str(o, "alias", api_model_name(app));
	jsonx_add_bool(o, "strict", ms->strict);
	jsonx_add_str(prov, "slug", "hermes");
	jsonx_add_str(prov, "name", "hermes-fcgi");
	jsonx_add_bool(prov, "is_current", 1);
	jsonx_add_str(prov, "current_model", def);
	jsonx_add_owned(prov, "models", names);
	json_object_array_add(provs, prov);
	jsonx_add_owned(o, "providers", provs);
	jsonx_add_owned(o, "models", details);
	rc = resp_json(r, 200, o);
	json_object_put(o);
	return rc;
}
