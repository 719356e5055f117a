/* src/tools/todo.c: the todo tool: a per-session task list the model keeps
 * up to date while it works, stored with the session.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/todo.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/jsonx.h"

#define TODO_ITEMS_MAX 100
#define TODO_TEXT_MAX 500

static bool valid_status(const char *s)
{
	return s && (!strcmp(s, "pending") || !strcmp(s, "in_progress") || !strcmp(s, "completed") ||
		     !strcmp(s, "cancelled"));
}

/* Check the model's list and copy it into a clean array (new reference). */
static enum herr clean_list(struct json_object *todos, struct json_object **out, struct herror *err)
{
	size_t n = json_object_array_length(todos);

	*out = NULL;
	if(n > TODO_ITEMS_MAX)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "todos",
				"at most %d items; merge or drop finished ones", TODO_ITEMS_MAX);
	*out = json_object_new_array();
	for(size_t i = 0; i < n; i++) {
		struct json_object *it = json_object_array_get_idx(todos, i), *c;
		const char *id = jsonx_get_str(it, "id");
		const char *content = jsonx_get_str(it, "content");
		const char *status = jsonx_get_str(it, "status");

		if(!content || !*content || strlen(content) > TODO_TEXT_MAX || !valid_status(status)) {
			json_object_put(*out);
			*out = NULL;
			return herr_set(err, HERR_BAD_REQUEST, NULL, "todos",
					"item %zu needs 'content' (1-%d characters) and 'status' "
					"(pending, in_progress, completed or cancelled)", i + 1,
					TODO_TEXT_MAX);
		}
		c = json_object_new_object();
		if(id)
			jsonx_add_str(c, "id", id);
		else
			jsonx_add_int(c, "id", (int64_t)i + 1);
		jsonx_add_str(c, "content", content);
		jsonx_add_str(c, "status", status);
		json_object_array_add(*out, c);
	}
	return HERR_OK;
}

/* With merge, items whose id matches an existing one update it; others are appended. */
static struct json_object *merged(struct json_object *old, struct json_object *upd)
{
	struct json_object *res = json_object_get(old);

	for(size_t i = 0; i < json_object_array_length(upd); i++) {
		struct json_object *u = json_object_array_get_idx(upd, i);
		const char *uid = json_object_get_string(json_object_object_get(u, "id"));
		bool found = false;

		for(size_t j = 0; j < json_object_array_length(res) && !found; j++) {
			struct json_object *o = json_object_array_get_idx(res, j);
			if(!strcmp(json_object_get_string(json_object_object_get(o, "id")), uid)) {
				json_object_array_put_idx(res, j, json_object_get(u));
				found = true;
			}
		}
		if(!found)
			json_object_array_add(res, json_object_get(u));
	}
	return res;
}

static enum herr render(struct json_object *list, struct buf *out)
{
	size_t n = json_object_array_length(list);
	enum herr rc = buf_adds(out, n ? "Task list:\n" : "The task list is empty.");

	for(size_t i = 0; i < n && !rc; i++) {
		struct json_object *it = json_object_array_get_idx(list, i);
		const char *st = jsonx_get_str(it, "status");

		rc = buf_addf(out, "%s %s. %s\n",
			      !strcmp(st, "completed") ? "[x]" : !strcmp(st, "in_progress") ? "[>]" :
			      !strcmp(st, "cancelled") ? "[-]" : "[ ]",
			      json_object_get_string(json_object_object_get(it, "id")),
			      jsonx_get_str(it, "content"));
	}
	return rc;
}

static enum herr todo_run(const struct tool_ctx *ctx, struct json_object *args, struct buf *out,
			  struct herror *err)
{
	struct json_object *todos = json_object_object_get(args, "todos");
	struct json_object *merge = json_object_object_get(args, "merge");
	struct json_object *clean = NULL, *old = NULL, *final = NULL;
	char *text = NULL;
	enum herr rc;

	if(!ctx->store || !ctx->session_id)
		return herr_set(err, HERR_UNAVAILABLE, NULL, NULL,
				"the task list is unavailable: the database cannot be opened");
	if((rc = store_todo_get(ctx->store, ctx->session_id, &text, err)))
		return rc;
	old = json_tokener_parse(text);
	free(text);
	if(!json_object_is_type(old, json_type_array)) {
		json_object_put(old);
		old = json_object_new_array();
	}
	if(!todos) { /* read */
		rc = render(old, out);
		json_object_put(old);
		return rc;
	}
	if(!json_object_is_type(todos, json_type_array)) {
		json_object_put(old);
		return herr_set(err, HERR_BAD_REQUEST, NULL, "todos",
				"'todos' must be a list of {id, content, status}");
	}
	if((rc = clean_list(todos, &clean, err))) {
		json_object_put(old);
		return rc;
	}
	final = json_object_get_boolean(merge) ? merged(old, clean) : json_object_get(clean);
	if(json_object_array_length(final) > TODO_ITEMS_MAX) {
		json_object_put(final);
		json_object_put(clean);
		json_object_put(old);
		return herr_set(err, HERR_BAD_REQUEST, NULL, "todos",
				"the merged list would have more than %d items; drop finished ones",
				TODO_ITEMS_MAX);
	}
	rc = store_todo_set(ctx->store, ctx->session_id, jsonx_text(final, NULL), err);
	if(!rc)
		rc = render(final, out);
	json_object_put(final);
	json_object_put(clean);
	json_object_put(old);
	return rc;
}

const struct tool_def tool_todo = {
	"todo",
	"todo",
	"A task list for this conversation. Call with no arguments to read it; pass 'todos' "
	"(the whole list of {id, content, status}) to replace it, or with merge=true to "
	"update items by id and add new ones. Status: pending, in_progress, completed, cancelled.",
	"{\"type\":\"object\",\"properties\":{"
	"\"todos\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
	"\"id\":{\"type\":\"string\"},\"content\":{\"type\":\"string\"},"
	"\"status\":{\"type\":\"string\",\"enum\":[\"pending\",\"in_progress\",\"completed\","
	"\"cancelled\"]}},\"required\":[\"content\",\"status\"]}},"
	"\"merge\":{\"type\":\"boolean\"}}}",
	todo_run,
};
