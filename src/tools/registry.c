/* src/tools/registry.c: the tool table and running a call.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/registry.h"

#include <json-c/json.h>
#include <string.h>

#include "tools/exec_tools.h"
#include "tools/file_tools.h"
#include "tools/memory.h"
#include "tools/skill_tools.h"
#include "tools/todo.h"
#include "tools/web_extract.h"
#include "util/jsonx.h"

#define TOOL_ARGS_DEPTH 32

/* Add a tool here when its file lands. */
static const struct tool_def *const tools[] = {
	&tool_terminal,
	&tool_read_file,
	&tool_write_file,
	&tool_patch,
	&tool_search_files,
	&tool_execute_code,
	&tool_web_extract,
	&tool_memory,
	&tool_skills_list,
	&tool_skill_view,
	&tool_todo,
};

const struct tool_def *const *tool_all(size_t *n)
{
	*n = sizeof(tools) / sizeof(tools[0]);
	return tools;
}

bool tool_toolset_enabled(const char *const *toolsets, const char *toolset)
{
	if(!toolsets) /* no list configured: Hermes' default, everything but web */
		return strcmp(toolset, "web") != 0;
	for(; *toolsets; toolsets++)
		if(strcmp(*toolsets, toolset) == 0)
			return true;
	return false;
}

struct json_object *tool_schemas(const char *const *toolsets)
{
	struct json_object *arr = json_object_new_array();

	for(size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		const struct tool_def *t = tools[i];
		struct json_object *o, *fn;

		if(!tool_toolset_enabled(toolsets, t->toolset))
			continue;
		o = json_object_new_object();
		fn = json_object_new_object();
		jsonx_add_str(o, "type", "function");
		jsonx_add_str(fn, "name", t->name);
		jsonx_add_str(fn, "description", t->description);
		jsonx_add_owned(fn, "parameters", json_tokener_parse(t->schema));
		jsonx_add_owned(o, "function", fn);
		json_object_array_add(arr, o);
	}
	return arr;
}

static void error_result(struct buf *out, const char *msg)
{
	buf_reset(out);
	if(buf_addf(out, "Error: %s", msg) && buf_adds(out, "Error: (message too long)"))
		buf_reset(out);
}

void tool_run(const struct tool_ctx *ctx, const char *name, const char *args_json,
	      struct buf *out, bool *is_error)
{
	const struct tool_def *t = NULL;
	struct json_object *args = NULL;
	struct herror err;

	herr_clear(&err);
	*is_error = true;
	for(size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if(strcmp(tools[i]->name, name) == 0)
			t = tools[i];
	if(!t || !tool_toolset_enabled(ctx->toolsets, t->toolset)) {
		buf_reset(out);
		if(buf_addf(out, "Error: tool '%s' is not available here. Use one of the tools "
			    "you were given.", name))
			error_result(out, "unknown tool");
		return;
	}
	if(jsonx_parse(args_json && *args_json ? args_json : "{}",
		       args_json && *args_json ? strlen(args_json) : 2, TOOL_ARGS_DEPTH, &args, &err) ||
	   !json_object_is_type(args, json_type_object)) {
		json_object_put(args);
		error_result(out, "the arguments are not a JSON object; send them as JSON");
		return;
	}
	if(t->fn(ctx, args, out, &err)) {
		error_result(out, err.msg[0] ? err.msg : "the tool failed");
	} else {
		*is_error = false;
	}
	json_object_put(args);
}
