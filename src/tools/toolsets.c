/* src/tools/toolsets.c: toolset rows for GET /v1/toolsets.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/toolsets.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "tools/registry.h"
#include "util/jsonx.h"

/* Display strings as Hermes shows them (label with its emoji). */
static const struct {
	const char *name;
	const char *label;
} rows[] = {
	{ "web", "\xF0\x9F\x94\x8D Web Search & Scraping" },
	{ "terminal", "\xF0\x9F\x92\xBB Terminal & Processes" },
	{ "file", "\xF0\x9F\x93\x81 File Operations" },
	{ "code_execution", "\xE2\x9A\xA1 Code Execution" },
	{ "skills", "\xF0\x9F\x93\x9A Skills" },
	{ "todo", "\xF0\x9F\x93\x8B Task Planning" },
	{ "memory", "\xF0\x9F\x92\xBE Memory" },
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct json_object *tool_toolsets(const char *const *toolsets)
{
	struct json_object *arr = json_object_new_array();
	size_t n;
	const struct tool_def *const *all = tool_all(&n);

	for(size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		const char *names[32];
		size_t k = 0;
		struct json_object *o = json_object_new_object(), *tl = json_object_new_array();
		struct buf desc;

		for(size_t i = 0; i < n && k < 32; i++)
			if(strcmp(all[i]->toolset, rows[r].name) == 0)
				names[k++] = all[i]->name;
		qsort(names, k, sizeof(names[0]), by_name);
		buf_init(&desc, 4096);
		for(size_t i = 0; i < k; i++) {
			json_object_array_add(tl, json_object_new_string(names[i]));
			if(buf_addf(&desc, "%s%s", i ? ", " : "", names[i]))
				break;
		}
		jsonx_add_str(o, "name", rows[r].name);
		jsonx_add_str(o, "label", rows[r].label);
		jsonx_add_str(o, "description", buf_str(&desc));
		jsonx_add_bool(o, "enabled", tool_toolset_enabled(toolsets, rows[r].name));
		jsonx_add_bool(o, "configured", 1); /* none needs credentials */
		jsonx_add_owned(o, "tools", tl);
		json_object_array_add(arr, o);
		buf_release(&desc);
	}
	return arr;
}
