/* src/tools/memory.c: the memory tool: add, read and clear entries under
 * the caller's session key. SPEC: runs-discovery-security §5.6
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/memory.h"

#include <json-c/json.h>
#include <string.h>

#include "store/store.h"
#include "util/jsonx.h"

#define MEMORY_ENTRY_MAX 4000

static enum herr memory_run(const struct tool_ctx *ctx, struct json_object *args,
			    struct buf *out, struct herror *err)
{
	const char *action = jsonx_get_str(args, "action");
	const char *content = jsonx_get_str(args, "content");
	const char *key = ctx->session_key && *ctx->session_key ? ctx->session_key : "default";
	struct json_object *list = NULL;
	enum herr rc;

	if(!ctx->store)
		return herr_set(err, HERR_UNAVAILABLE, "store_unavailable", NULL,
				"memory is unavailable: the database cannot be opened");
	if(!action)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "action",
				"'action' is required: one of add, read, clear");
	if(strcmp(action, "add") == 0) {
		if(!content || !*content)
			return herr_set(err, HERR_BAD_REQUEST, NULL, "content",
					"'content' is required to add an entry");
		if(strlen(content) > MEMORY_ENTRY_MAX)
			return herr_set(err, HERR_BAD_REQUEST, NULL, "content",
					"an entry may hold at most %d characters", MEMORY_ENTRY_MAX);
		if((rc = store_memory_add(ctx->store, key, content, err)))
			return rc;
		return buf_adds(out, "Saved to memory.") ? HERR_TOO_LARGE : HERR_OK;
	}
	if(strcmp(action, "read") == 0) {
		size_t n;

		if((rc = store_memory_list(ctx->store, key, &list, err)))
			return rc;
		n = json_object_array_length(list);
		rc = buf_addf(out, n ? "%zu entries:\n" : "Memory is empty.", n);
		for(size_t i = 0; i < n && !rc; i++)
			rc = buf_addf(out, "- %s\n", json_object_get_string(json_object_array_get_idx(list, i)));
		json_object_put(list);
		return rc;
	}
	if(strcmp(action, "clear") == 0) {
		if((rc = store_memory_clear(ctx->store, key, err)))
			return rc;
		return buf_adds(out, "Memory cleared.") ? HERR_TOO_LARGE : HERR_OK;
	}
	return herr_set(err, HERR_BAD_REQUEST, NULL, "action",
			"unknown action '%s': use add, read or clear", action);
}

const struct tool_def tool_memory = {
	"memory",
	"memory",
	"Long-term memory that persists across conversations with this user. "
	"action=add saves 'content'; action=read lists saved entries; action=clear removes all.",
	"{\"type\":\"object\",\"properties\":{"
	"\"action\":{\"type\":\"string\",\"enum\":[\"add\",\"read\",\"clear\"]},"
	"\"content\":{\"type\":\"string\",\"description\":\"the entry to save (add)\"}},"
	"\"required\":[\"action\"]}",
	memory_run,
};
