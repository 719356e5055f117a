/* src/api/discovery.c: what the agent can do, for clients that show it.
 * SPEC: runs-discovery-security §3.2, §3.3
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/discovery.h"

#include <json-c/json.h>

#include "api/app.h"
#include "http/req.h"
#include "http/resp.h"
#include "tools/skills.h"
#include "tools/toolsets.h"
#include "util/jsonx.h"
#include "util/log.h"

static enum herr send_list(struct req *r, struct json_object *data, const char *platform)
{
	struct json_object *o = json_object_new_object();
	enum herr rc;

	jsonx_add_str(o, "object", "list");
	if(platform)
		jsonx_add_str(o, "platform", platform);
	jsonx_add_owned(o, "data", data);
	rc = resp_json(r, 200, o);
	json_object_put(o);
	return rc;
}

enum herr api_toolsets(void *vapp, struct req *r)
{
	struct app *app = vapp;

	return send_list(r, tool_toolsets(app->tools.toolsets), "api_server");
}

enum herr api_skills(void *vapp, struct req *r)
{
	struct app *app = vapp;
	struct json_object *data = NULL;
	struct herror err;

	herr_clear(&err);
	if(tool_skills_scan(app->tools.skills_dir, &data, &err)) {
		LOG_ERR("skills: %s", err.msg);
		return herr_set(&r->err, HERR_INTERNAL, "skills_error", NULL,
				"Failed to enumerate skills");
	}
	return send_list(r, data, NULL);
}
