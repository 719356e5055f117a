/* src/api/client_tools.c: the client's tools of a request, checked.
 * SPEC: openai-wire.md §3 (tools, tool_choice), §6.2
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/client_tools.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "agent/agent.h"
#include "api/fields.h"
#include "tools/registry.h"
#include "util/jsonx.h"

#define NAME_MAX_LEN 64

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if(n < 1 || n > NAME_MAX_LEN)
		return false;
	for(; *s; s++)
		if(!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		     *s == '_' || *s == '-'))
			return false;
	return true;
}

/* The name of chat-form tool t (borrowed). */
static const char *tool_name(struct json_object *t)
{
	struct json_object *fn = NULL;

	json_object_object_get_ex(t, "function", &fn);
	return jsonx_get_str(fn, "name");
}

static const char *name_param(const struct api_ctools *ct, size_t i, char *param, size_t cap)
{
	snprintf(param, cap, ct->responses ? "tools[%zu].name" : "tools[%zu].function.name", i);
	return param;
}

/* One definition: fn is the object holding name/description/parameters/
 * strict (the tool itself on Responses, its "function" on chat). */
static enum herr one_function(struct api_ctools *ct, struct json_object *fn, size_t i,
			      const char *prefix, struct herror *err)
{
	struct api_fields f;
	struct json_object *params = NULL, *t, *out;
	const char *name, *desc = NULL;
	char param[HERR_PARAM_MAX];
	bool strict = false;
	enum herr rc;

	api_field_init(&f, fn, prefix, err);
	if((rc = api_field_str(&f, "name", API_FIELD_REQUIRED, &name, NULL)) ||
	   (rc = api_field_str(&f, "description", 0, &desc, NULL)) ||
	   (rc = api_field_object(&f, "parameters", 0, &params)) ||
	   (rc = api_field_bool(&f, "strict", 0, &strict)))
		return rc;
	if(!valid_name(name))
		return herr_set(err, HERR_BAD_REQUEST, "invalid_value", name_param(ct, i, param, sizeof(param)),
				"Invalid 'tools[%zu]' name '%.80s': it must be 1 to 64 letters, digits, "
				"underscores or dashes.", i, name);
	for(size_t j = 0; j < json_object_array_length(ct->tools); j++)
		if(!strcmp(tool_name(json_object_array_get_idx(ct->tools, j)), name))
			return herr_set(err, HERR_BAD_REQUEST, "duplicate_tool_name",
					name_param(ct, i, param, sizeof(param)),
					"Tool name '%s' appears twice in 'tools' (tools[%zu] and "
					"tools[%zu]).", name, j, i);
	t = json_object_new_object();
	out = json_object_new_object();
	jsonx_add_str(t, "type", "function");
	jsonx_add_str(out, "name", name);
	if(desc)
		jsonx_add_str(out, "description", desc);
	if(params)
		jsonx_add_owned(out, "parameters", json_object_get(params));
	if(strict)
		jsonx_add_bool(out, "strict", 1);
	jsonx_add_owned(t, "function", out);
	json_object_array_add(ct->tools, t);
	return HERR_OK;
}

static enum herr one_tool(struct api_ctools *ct, struct json_object *t, size_t i,
			  struct herror *err)
{
	static const char *const types[] = { "function", NULL };
	char param[HERR_PARAM_MAX], fparam[HERR_PARAM_MAX];
	struct api_fields f;
	struct json_object *fn = NULL;
	const char *type;
	enum herr rc;

	snprintf(param, sizeof(param), "tools[%zu]", i);
	if(!json_object_is_type(t, json_type_object))
		return api_field_type_error(err, param, "an object", t);
	api_field_init(&f, t, param, err);
	if((rc = api_field_enum(&f, "type", API_FIELD_REQUIRED, types, &type)))
		return rc; /* web_search, file_search, ...: the server's tools do that */
	if(ct->responses)
		return one_function(ct, t, i, param, err);
	if((rc = api_field_object(&f, "function", API_FIELD_REQUIRED, &fn)))
		return rc;
	snprintf(fparam, sizeof(fparam), "tools[%zu].function", i);
	return one_function(ct, fn, i, fparam, err);
}

/* Is name one of the client's tools? */
static bool known(const struct api_ctools *ct, const char *name)
{
	for(size_t i = 0; i < json_object_array_length(ct->tools); i++)
		if(!strcmp(tool_name(json_object_array_get_idx(ct->tools, i)), name))
			return true;
	return false;
}

/* A named function as tool_choice: {type: "function", function: {name}}
 * (chat) or {type: "function", name} (Responses); always sent in chat form. */
static enum herr named_choice(struct api_ctools *ct, struct json_object *v, struct herror *err)
{
	static const char *const types[] = { "function", NULL };
	struct api_fields f;
	struct json_object *fn = v, *c, *cf;
	const char *type, *name;
	enum herr rc;

	api_field_init(&f, v, "tool_choice", err);
	if((rc = api_field_enum(&f, "type", API_FIELD_REQUIRED, types, &type)))
		return rc;
	if(!ct->responses && (rc = api_field_object(&f, "function", API_FIELD_REQUIRED, &fn)))
		return rc;
	api_field_init(&f, fn, ct->responses ? "tool_choice" : "tool_choice.function", err);
	if((rc = api_field_str(&f, "name", API_FIELD_REQUIRED, &name, NULL)))
		return rc;
	if(!known(ct, name))
		return herr_set(err, HERR_BAD_REQUEST, "invalid_value", "tool_choice",
				"Invalid value for 'tool_choice': no function named '%.80s' in 'tools'.",
				name);
	c = json_object_new_object();
	cf = json_object_new_object();
	jsonx_add_str(c, "type", "function");
	jsonx_add_str(cf, "name", name);
	jsonx_add_owned(c, "function", cf);
	ct->choice = c;
	return HERR_OK;
}

static enum herr parse_choice(struct api_ctools *ct, struct json_object *v, struct herror *err)
{
	const char *s;

	if(!v)
		return HERR_OK;
	ct->echo_choice = json_object_get(v);
	if(json_object_is_type(v, json_type_object)) {
		if(!json_object_array_length(ct->tools))
			goto no_tools;
		return named_choice(ct, v, err);
	}
	if(!json_object_is_type(v, json_type_string))
		return api_field_type_error(err, "tool_choice", "a string or an object", v);
	s = json_object_get_string(v);
	if(!strcmp(s, "auto"))
		return HERR_OK;
	if(!strcmp(s, "none")) {
		ct->none = true;
		return HERR_OK;
	}
	if(strcmp(s, "required") != 0)
		return herr_set(err, HERR_BAD_REQUEST, "invalid_value", "tool_choice",
				"Invalid value for 'tool_choice': '%.40s'. Supported values are: 'none', "
				"'auto', 'required', or a named function.", s);
	if(!json_object_array_length(ct->tools))
		goto no_tools;
	ct->choice = json_object_new_string("required");
	return HERR_OK;
no_tools:
	return herr_set(err, HERR_BAD_REQUEST, "invalid_value", "tool_choice",
			"Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' "
			"are specified.");
}

enum herr api_ctools_parse(struct api_ctools *ct, struct json_object *body, bool responses,
			   struct herror *err)
{
	struct api_fields f;
	struct json_object *tools = NULL, *choice = NULL;
	enum herr rc;

	memset(ct, 0, sizeof(*ct));
	ct->responses = responses;
	ct->tools = json_object_new_array();
	api_field_init(&f, body, NULL, err);
	if((rc = api_field_array(&f, "tools", 0, 0, &tools)))
		return rc;
	if(!tools)
		goto choice;
	if(json_object_array_length(tools) > API_CTOOLS_MAX)
		return herr_set(err, HERR_BAD_REQUEST, "array_above_max_length", "tools",
				"Invalid 'tools': array too long. Expected an array with maximum length "
				"%d, but got an array with length %zu instead.", API_CTOOLS_MAX,
				json_object_array_length(tools));
	ct->echo_tools = json_object_get(tools);
	for(size_t i = 0; i < json_object_array_length(tools); i++)
		if((rc = one_tool(ct, json_object_array_get_idx(tools, i), i, err)))
			return rc;
choice:
	json_object_object_get_ex(body, "tool_choice", &choice);
	return parse_choice(ct, choice, err);
}

enum herr api_ctools_check(const struct api_ctools *ct, const char *const *toolsets,
			   struct herror *err)
{
	size_t n;
	const struct tool_def *const *all = tool_all(&n);
	char param[HERR_PARAM_MAX];

	for(size_t i = 0; i < json_object_array_length(ct->tools); i++) {
		const char *name = tool_name(json_object_array_get_idx(ct->tools, i));

		for(size_t j = 0; j < n; j++)
			if(!strcmp(all[j]->name, name) && tool_toolset_enabled(toolsets, all[j]->toolset))
				return herr_set(err, HERR_BAD_REQUEST, "tool_name_conflict",
						name_param(ct, i, param, sizeof(param)),
						"The client tool '%s' (tools[%zu]) has the name of the "
						"server tool '%s' (toolset %s). Rename the client tool, or "
						"leave the %s toolset out with X-Hermes-Toolsets.",
						name, i, all[j]->name, all[j]->toolset, all[j]->toolset);
	}
	return HERR_OK;
}

enum herr api_ctools_check_calls(struct json_object *calls, const char *param,
				 struct herror *err)
{
	static const char *const types[] = { "function", NULL };
	char at[HERR_PARAM_MAX], fat[HERR_PARAM_MAX + 16];
	struct api_fields f;
	struct json_object *fn;
	const char *s;
	enum herr rc;

	for(size_t i = 0; i < json_object_array_length(calls); i++) {
		struct json_object *c = json_object_array_get_idx(calls, i);

		snprintf(at, sizeof(at), "%s[%zu]", param, i);
		if(!json_object_is_type(c, json_type_object))
			return api_field_type_error(err, at, "an object", c);
		api_field_init(&f, c, at, err);
		if((rc = api_field_str(&f, "id", API_FIELD_REQUIRED, &s, NULL)) ||
		   (rc = api_field_enum(&f, "type", 0, types, &s)) ||
		   (rc = api_field_object(&f, "function", API_FIELD_REQUIRED, &fn)))
			return rc;
		snprintf(fat, sizeof(fat), "%s.function", at);
		api_field_init(&f, fn, fat, err);
		if((rc = api_field_str(&f, "name", API_FIELD_REQUIRED, &s, NULL)) ||
		   (rc = api_field_str(&f, "arguments", API_FIELD_REQUIRED, &s, NULL)))
			return rc;
	}
	return HERR_OK;
}

void api_ctools_apply(const struct api_ctools *ct, struct agent_opts *o)
{
	if(ct->none || !json_object_array_length(ct->tools))
		return;
	o->client_tools = ct->tools;
	o->tool_choice = ct->choice;
}

void api_ctools_release(struct api_ctools *ct)
{
	json_object_put(ct->tools);
	json_object_put(ct->choice);
	json_object_put(ct->echo_tools);
	json_object_put(ct->echo_choice);
	memset(ct, 0, sizeof(*ct));
}
