/* src/tools/memory.c: the memory tool: add, replace, remove and read
 * entries under the caller's session key (X-Hermes-Session-Key, else
 * "default"). A snapshot is put into each turn's system prompt by the
 * agent. SPEC: runs-discovery-security §5.6
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/memory.h"

#include <json-c/json.h>
#include <string.h>

#include "store/store.h"
#include "util/jsonx.h"

#define MEMORY_ENTRY_MAX 4000
#define MEMORY_ENTRIES_MAX 200

/* The one entry under key containing old_text: its id, or an error. */
static enum herr find_entry(const struct tool_ctx *ctx, const char *key, const char *old_text,
			    int64_t *id, struct herror *err)
{
	struct json_object *list = NULL;
	size_t hits = 0;
	enum herr rc;

	if(!old_text || !*old_text)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "old_text",
				"'old_text' is required: a piece of the entry to change");
	if((rc = store_memory_entries(ctx->store, key, &list, err)))
		return rc;
	for(size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *e = json_object_array_get_idx(list, i);
		const char *text = jsonx_get_str(e, "entry");

		if(text && strstr(text, old_text)) {
			*id = json_object_get_int64(json_object_object_get(e, "id"));
			hits++;
		}
	}
	json_object_put(list);
	if(hits == 0)
		return herr_set(err, HERR_NOT_FOUND, NULL, "old_text",
				"no memory entry contains '%.80s'; use action=read to see them", old_text);
	if(hits > 1)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "old_text",
				"%zu entries contain '%.80s'; give a longer piece of the one you mean",
				hits, old_text);
	return HERR_OK;
}

static enum herr check_content(const char *content, struct herror *err)
{
	if(!content || !*content)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "content", "'content' is required");
	if(strlen(content) > MEMORY_ENTRY_MAX)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "content",
				"an entry may hold at most %d characters", MEMORY_ENTRY_MAX);
	return HERR_OK;
}

static enum herr memory_read(const struct tool_ctx *ctx, const char *key, struct buf *out,
			     struct herror *err)
{
	struct json_object *list = NULL;
	enum herr rc = store_memory_list(ctx->store, key, &list, err);
	size_t n;

	if(rc)
		return rc;
	n = json_object_array_length(list);
	rc = buf_addf(out, n ? "%zu entries:\n" : "Memory is empty.", n);
	for(size_t i = 0; i < n && !rc; i++)
		rc = buf_addf(out, "- %s\n", json_object_get_string(json_object_array_get_idx(list, i)));
	json_object_put(list);
	return rc;
}

static enum herr memory_run(const struct tool_ctx *ctx, struct json_object *args,
			    struct buf *out, struct herror *err)
{
	const char *action = jsonx_get_str(args, "action");
	const char *content = jsonx_get_str(args, "content");
	const char *old_text = jsonx_get_str(args, "old_text");
	const char *key = ctx->session_key && *ctx->session_key ? ctx->session_key : "default";
	struct json_object *list = NULL;
	int64_t id = 0;
	enum herr rc;

	if(!ctx->store)
		return herr_set(err, HERR_UNAVAILABLE, "store_unavailable", NULL,
				"memory is unavailable: the database cannot be opened");
	if(!action)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "action",
				"'action' is required: one of add, replace, remove, read, clear");
	if(strcmp(action, "read") == 0)
		return memory_read(ctx, key, out, err);
	if(strcmp(action, "add") == 0) {
		if((rc = check_content(content, err)) ||
		   (rc = store_memory_list(ctx->store, key, &list, err)))
			return rc;
		if(json_object_array_length(list) >= MEMORY_ENTRIES_MAX) {
			json_object_put(list);
			return herr_set(err, HERR_BAD_REQUEST, NULL, NULL,
					"memory is full (%d entries); remove or replace one first",
					MEMORY_ENTRIES_MAX);
		}
		json_object_put(list);
		if((rc = store_memory_add(ctx->store, key, content, err)))
			return rc;
		return buf_adds(out, "Saved to memory.") ? HERR_TOO_LARGE : HERR_OK;
	}
	if(strcmp(action, "replace") == 0) {
		if((rc = check_content(content, err)) || (rc = find_entry(ctx, key, old_text, &id, err)) ||
		   (rc = store_memory_set(ctx->store, key, id, content, err)))
			return rc;
		return buf_adds(out, "Memory entry replaced.") ? HERR_TOO_LARGE : HERR_OK;
	}
	if(strcmp(action, "remove") == 0) {
		if((rc = find_entry(ctx, key, old_text, &id, err)) ||
		   (rc = store_memory_set(ctx->store, key, id, NULL, err)))
			return rc;
		return buf_adds(out, "Memory entry removed.") ? HERR_TOO_LARGE : HERR_OK;
	}
	if(strcmp(action, "clear") == 0) {
		if((rc = store_memory_clear(ctx->store, key, err)))
			return rc;
		return buf_adds(out, "Memory cleared.") ? HERR_TOO_LARGE : HERR_OK;
	}
	return herr_set(err, HERR_BAD_REQUEST, NULL, "action",
			"unknown action '%s': use add, replace, remove, read or clear", action);
}

const struct tool_def tool_memory = {
	"memory",
	"memory",
	"Long-term memory about this user that persists across conversations. "
	"action=add saves 'content'; action=replace changes the entry containing 'old_text' "
	"to 'content'; action=remove deletes the entry containing 'old_text'; action=read "
	"lists the entries; action=clear removes all.",
	"{\"type\":\"object\",\"properties\":{"
	"\"action\":{\"type\":\"string\",\"enum\":[\"add\",\"replace\",\"remove\",\"read\",\"clear\"]},"
	"\"content\":{\"type\":\"string\",\"description\":\"the entry text (add, replace)\"},"
	"\"old_text\":{\"type\":\"string\",\"description\":\"a unique piece of the entry to "
	"change (replace, remove)\"}},"
	"\"required\":[\"action\"]}",
	memory_run,
};
